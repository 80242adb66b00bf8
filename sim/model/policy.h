/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slots, the policy registry, and kernel presets.
 *
 * A policy slot is one strategy the kernel threads argue about; a policy
 * set is one value per slot.  Scenarios choose values with
 * `policy.SLOT = VALUE`, or a whole set at once with
 * `policy.preset = linux-5.4` (what that kernel version does), where a slot
 * set explicitly overrides the preset's value.
 *
 * Slots so far (more come with the fault path):
 *	rwsem      mmap_sem's rwsem.c: v4.19, v5.3, v5.11, reader-pref
 *	page_lock  the page lock's fairness: steal, fair, bounded-steal
 *	retry      fault retries (sim/kernel/fault.h): once, first-drop, unlimited
 *	io         filemap_fault and mmap_sem: hold, drop
 *	map_pages  fault-around: trylock, lockless, off
 *	fault_lock how a fault holds its VMA: mmap, per-vma, spf
 *	khugepaged collapse and swap-in (sim/kernel/khugepaged.h): swapin-write,
 *	           swapin-read, pmd-seq
 *	prefault   write(2)'s user-buffer fault-in (sim/kernel/write.h): every-16b,
 *	           per-page, first-byte, on-failure, none
 *
 * Each slot has an ops table, version first (include/faultsim/plugin.h).
 * A registry (struct sim_policies) holds the policies of every slot: the
 * built-in ones (in policies/), registered at creation through the very
 * interface a plugin uses, then those of the plugins loaded into it.  Once
 * its keys are made (sim_policy_register_keys()) the registry is frozen and
 * only read, from any thread: the enum keys policy.SLOT accept exactly the
 * names it holds, and a run resolves its slot values to ops through it.
 *
 * Adding a slot: an ops struct and its fs_register_*_policy() in
 * plugin.h, an enum value and a slot_desc entry (with its check) in
 * policy.c, its built-ins in policies/, and its value in every preset.
 */
#ifndef FAULTSIM_SIM_POLICY_H
#define FAULTSIM_SIM_POLICY_H

#include "include/faultsim/plugin.h"
#include "sim/config/keys.h"
#include "sim/config/scenario.h"

enum sim_policy_slot {
	SIM_POLICY_RWSEM,
	SIM_POLICY_PAGE_LOCK,
	SIM_POLICY_RETRY,
	SIM_POLICY_IO,
	SIM_POLICY_MAP_PAGES,
	SIM_POLICY_FAULT_LOCK,
	SIM_POLICY_KHUGEPAGED,
	SIM_POLICY_PREFAULT,
	SIM_POLICY_DIRTY_THROTTLE,
	SIM_NR_POLICY_SLOTS,
};

struct sim_policy_slot_info {
	const char *name;			/* "rwsem" */
	const char *key;			/* "policy.rwsem" */
	const char *defval;			/* the slot's default: the one place
						 * it is written (the default
						 * preset's value) */
	const char *help;
	unsigned int version;			/* newest ops version known */
};

/* One registered policy; @ops is the slot's table (struct fs_rwsem_policy
 * for SIM_POLICY_RWSEM, ...). */
struct sim_policy {
	enum sim_policy_slot slot;
	const char *name;
	const char *summary;			/* "" if the table has none */
	const char *thread;			/* likewise */
	const char *origin;			/* "built-in" or the plugin's path */
	const void *ops;
};

struct sim_preset {
	const char *name;			/* "linux-5.4" */
	const char *summary;
	const char *values[SIM_NR_POLICY_SLOTS];
	/* Versioned behaviour outside the slots: generic_perform_write()'s
	 * chunk, "page" or "folio" (the key write.chunk). */
	const char *write_chunk;
};

/* The choices of write.chunk, and its value in run @cfg: the key if set,
 * else the preset's, else the default preset's. */
extern const char *const sim_write_chunks[];
const char *sim_write_chunk(const struct sim_run_config *cfg);

struct sim_policies;
typedef struct sim_policies sim_policies;	/* for g_autoptr() */

/* A registry holding the built-in policies. */
struct sim_policies *sim_policies_new(void);
void sim_policies_free(struct sim_policies *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_policies, sim_policies_free)

/* Run registration function @fn for @origin (a name for messages); on
 * failure nothing it registered is kept. */
gboolean sim_policies_register(struct sim_policies *reg, const char *origin,
			       fs_plugin_register_fn *fn, GError **error);
/* Load the plugin at @path (GModule) and register its policies.  Errors
 * name the path: no such file, a file writable by its group or others or
 * owned by another user than this one or root (refused before it is
 * loaded), not loadable, a missing symbol, another plugin ABI, a duplicate
 * or malformed policy, a field of its ops table out of range.  The same
 * file loaded twice registers once. */
gboolean sim_policies_load_plugin(struct sim_policies *reg, const char *path,
				  GError **error);
/* Name the plugin at @path without loading it (for what only reads a
 * study: `faultsim run -q`, list, slurm): it must be a file; the policy.*
 * keys then take any well-formed name, and no model of the study may be
 * built.  sim_policies_unloaded() counts such plugins. */
gboolean sim_policies_name_plugin(struct sim_policies *reg, const char *path,
				  GError **error);
guint sim_policies_unloaded(const struct sim_policies *reg);
/* The number of plugins loaded. */
guint sim_policies_plugins(const struct sim_policies *reg);
/* Policies of @slot, in registration order (built-ins first). */
guint sim_policies_count(const struct sim_policies *reg, enum sim_policy_slot slot);
const struct sim_policy *sim_policies_get(const struct sim_policies *reg,
					  enum sim_policy_slot slot, guint i);
/* The policy called @name in @slot, or NULL. */
const struct sim_policy *sim_policies_lookup(const struct sim_policies *reg,
					     enum sim_policy_slot slot, const char *name);

/* Register the policy.* keys in @keys, with choices from @reg (NULL: a
 * new registry of the built-ins).  @keys takes @reg over, and freezes it. */
void sim_policy_register_keys(struct sim_keys *keys, struct sim_policies *reg);

const struct sim_policy_slot_info *sim_policy_slot(enum sim_policy_slot slot);
/* The @i-th preset, NULL past the last. */
const struct sim_preset *sim_preset_get(unsigned int i);

/* The value of @slot in run @cfg: the slot's key if set, else the preset's
 * value if a preset is set, else the slot's default. */
const char *sim_policy_value(const struct sim_run_config *cfg, enum sim_policy_slot slot);
/* That value's policy, from the registry @cfg's keys were made with. */
const struct sim_policy *sim_policy_of(const struct sim_run_config *cfg,
				       enum sim_policy_slot slot);
/* The same, typed, for each slot. */
const struct fs_rwsem_policy *sim_policy_rwsem(const struct sim_run_config *cfg);
const struct fs_page_lock_policy *sim_policy_page_lock(const struct sim_run_config *cfg);
const struct fs_fault_retry_policy *sim_policy_fault_retry(const struct sim_run_config *cfg);
const struct fs_fault_io_policy *sim_policy_fault_io(const struct sim_run_config *cfg);
const struct fs_fault_map_pages_policy *sim_policy_fault_map_pages(const struct sim_run_config *cfg);
const struct fs_fault_lock_policy *sim_policy_fault_lock(const struct sim_run_config *cfg);
const struct fs_dirty_throttle_policy *sim_policy_dirty_throttle(const struct sim_run_config *cfg);
const struct fs_khugepaged_policy *sim_policy_khugepaged(const struct sim_run_config *cfg);
const struct fs_prefault_policy *sim_policy_prefault(const struct sim_run_config *cfg);
/* "rwsem=v5.11 page_lock=bounded-steal": the run's whole policy set. */
char *sim_policy_set_string(const struct sim_run_config *cfg);

#endif /* FAULTSIM_SIM_POLICY_H */
