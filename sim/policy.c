/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slots and kernel presets (see policy.h).  The presets follow
 * KERNEL.md's table, slot by slot, for the slots that exist:
 *
 *   preset       rwsem   page_lock
 *   linux-4.19   v4.19   steal
 *   linux-5.4    v5.3    steal          (handoff and the 256-reader wake
 *                                        arrived in 5.3)
 *   linux-5.10   v5.3    bounded-steal  (5.9: 5ef64cc8987a)
 *   linux-6.1    v5.11   bounded-steal  (readers stopped spinning in 5.11)
 *   linux-6.6    v5.11   bounded-steal
 *   linux-6.15   v5.11   bounded-steal
 */
#include "config.h"

#include "sim/policy.h"

static const char *const rwsem_values[] = { "v4.19", "v5.3", "v5.11", "reader-pref", NULL };
static const char *const rwsem_summaries[] = {
	"4.19: wake the readers at the head up to the first writer; writers spin on writers only",
	"5.3: handoff after 4 ms, wake up to 256 readers past writers, readers spin",
	"5.11: as 5.3, readers no longer spin but steal a free lock; handoff writer spins",
	"not Linux: readers ignore queued writers (writers can starve)",
};
static const char *const page_lock_values[] = { "steal", "fair", "bounded-steal", NULL };
static const char *const page_lock_summaries[] = {
	"before 5.9: woken waiters race for the bit; newcomers can take it first, without bound",
	"5.9 first step (2a9127fcf229): the unlocker hands the lock to the first waiter",
	"5.9 final (5ef64cc8987a): after policy.page_lock_budget lost races the lock is handed over",
};

static const struct sim_policy_slot_info slots[SIM_NR_POLICY_SLOTS] = {
	[SIM_POLICY_RWSEM] = { "rwsem", "policy.rwsem", rwsem_values, rwsem_summaries,
			       "mmap_sem behaviour (kernel/locking/rwsem.c as of a version)" },
	[SIM_POLICY_PAGE_LOCK] = { "page_lock", "policy.page_lock", page_lock_values,
				   page_lock_summaries, "page lock fairness (mm/filemap.c)" },
};

static const struct sim_preset presets[] = {
	{ "linux-4.19", "Linux 4.19", { "v4.19", "steal" } },
	{ "linux-5.4", "Linux 5.4: rwsem handoff and bulk reader wake", { "v5.3", "steal" } },
	{ "linux-5.10", "Linux 5.10: page lock bounded stealing", { "v5.3", "bounded-steal" } },
	{ "linux-6.1", "Linux 6.1: readers no longer spin", { "v5.11", "bounded-steal" } },
	{ "linux-6.6", "Linux 6.6", { "v5.11", "bounded-steal" } },
	{ "linux-6.15", "Linux 6.15", { "v5.11", "bounded-steal" } },
};

static const char *const preset_names[] = {
	"linux-4.19", "linux-5.4", "linux-5.10", "linux-6.1", "linux-6.6", "linux-6.15", NULL,
};

static const struct sim_key_def policy_keys[] = {
	{ .name = "policy.preset", .type = SIM_KEY_ENUM, .choices = preset_names,
	  .defval = "linux-6.1",
	  .help = "kernel version whose policy set to use; policy.SLOT keys override it" },
	{ .name = "policy.rwsem", .type = SIM_KEY_ENUM, .choices = rwsem_values,
	  .defval = "v5.11", .help = "mmap_sem behaviour (default: the preset's)" },
	{ .name = "policy.page_lock", .type = SIM_KEY_ENUM, .choices = page_lock_values,
	  .defval = "bounded-steal", .help = "page lock fairness (default: the preset's)" },
	{ .name = "policy.page_lock_budget", .type = SIM_KEY_UINT, .defval = "5", .min = "0",
	  .max = "1000", .help = "bounded-steal: lost races before a handoff (vm.page_lock_unfairness)" },
};

void sim_policy_register_keys(struct sim_keys *keys)
{
	sim_keys_add(keys, policy_keys, G_N_ELEMENTS(policy_keys));
}

const struct sim_policy_slot_info *sim_policy_slot(enum sim_policy_slot slot)
{
	g_assert(slot < SIM_NR_POLICY_SLOTS);
	return &slots[slot];
}

const struct sim_preset *sim_preset_get(unsigned int i)
{
	return i < G_N_ELEMENTS(presets) ? &presets[i] : NULL;
}

const char *sim_policy_value(const struct sim_run_config *cfg, enum sim_policy_slot slot)
{
	const struct sim_policy_slot_info *s = sim_policy_slot(slot);

	if (sim_config_is_set(cfg, s->key))
		return s->values[sim_config_get_enum(cfg, s->key)];
	return presets[sim_config_get_enum(cfg, "policy.preset")].values[slot];
}

char *sim_policy_set_string(const struct sim_run_config *cfg)
{
	GString *str = g_string_new(NULL);

	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++)
		g_string_append_printf(str, "%s%s=%s", i ? " " : "", slots[i].name,
				       sim_policy_value(cfg, (enum sim_policy_slot)i));
	return g_string_free(str, FALSE);
}
