/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model built from scenario keys: every policy value names a real
 * implementation, the shipped scenarios build and run, and the machine's
 * measurements come out under their documented names.
 */
#include "config.h"

#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/config/keys.h"
#include "sim/model/model.h"
#include "sim/kernel/pagelock.h"
#include "sim/model/policy.h"
#include "sim/kernel/rwsem.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"

static struct sim_keys *all_keys(void)
{
	struct sim_keys *keys = sim_keys_new();

	sim_model_register_keys(keys);
	return keys;
}

/* Each slot accepts exactly the values its model implements: the
 * registry's built-ins are rwsem.c's variants and pagelock.c's policies,
 * in the same order, and every preset names one of them. */
static void test_policy_values(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	const char *const *impl = page_lock_policy_names();
	const struct sim_preset *pre;
	guint n;

	for (n = 0; rwsem_variant_get(n); n++) {
		const struct fs_rwsem_policy *ops = sim_policies_get(reg, SIM_POLICY_RWSEM, n)->ops;

		g_assert_true(&ops->variant == rwsem_variant_get(n));
		g_assert_true(rwsem_variant_lookup(ops->name, NULL) == &ops->variant);
	}
	g_assert_cmpuint(n, ==, sim_policies_count(reg, SIM_POLICY_RWSEM));
	for (n = 0; impl[n]; n++)
		g_assert_cmpstr(sim_policies_get(reg, SIM_POLICY_PAGE_LOCK, n)->name, ==, impl[n]);
	g_assert_cmpuint(n, ==, sim_policies_count(reg, SIM_POLICY_PAGE_LOCK));
	for (unsigned int i = 0; (pre = sim_preset_get(i)); i++)
		for (unsigned int s = 0; s < SIM_NR_POLICY_SLOTS; s++)
			g_assert_nonnull(sim_policies_lookup(reg, (enum sim_policy_slot)s,
							     pre->values[s]));
	for (unsigned int s = 0; s < SIM_NR_POLICY_SLOTS; s++)
		g_assert_nonnull(sim_policies_lookup(reg, (enum sim_policy_slot)s,
						     sim_policy_slot((enum sim_policy_slot)s)->defval));
}

static const struct sim_run_config *study_with(struct sim_study **study, struct sim_keys *keys,
					       char **set)
{
	g_autoptr(GError) error = NULL;

	*study = sim_study_new(NULL, NULL, set, keys, &error);
	g_assert_no_error(error);
	return sim_study_run(*study, 0);
}

/* Each preset expands to KERNEL.md's policy set; a slot set explicitly
 * overrides the preset. */
static void test_presets(void)
{
	static const struct {
		const char *preset, *set;
	} want[] = {
		{ "linux-4.19", "rwsem=v4.19 page_lock=steal"
		  " retry=once io=hold map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page" },
		{ "linux-5.4", "rwsem=v5.3 page_lock=steal"
		  " retry=once io=drop map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page" },
		{ "linux-5.10", "rwsem=v5.3 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page" },
		{ "linux-6.1", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page" },
		{ "linux-6.6", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=per-vma"
		  " khugepaged=swapin-read prefault=per-page" },
		{ "linux-6.15", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=per-vma"
		  " khugepaged=swapin-read prefault=on-failure" },
	};
	g_autoptr(sim_keys) keys = all_keys();
	guint n;

	for (n = 0; sim_preset_get(n); n++)
		;
	g_assert_cmpuint(n, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		g_autofree char *kv = g_strdup_printf("policy.preset=%s", want[i].preset);
		char *set[] = { kv, NULL };
		struct sim_study *study;
		const struct sim_run_config *cfg = study_with(&study, keys, set);
		g_autofree char *got = sim_policy_set_string(cfg);

		g_assert_cmpstr(sim_preset_get(i)->name, ==, want[i].preset);
		g_assert_cmpstr(got, ==, want[i].set);
		sim_study_free(study);
	}
	char *set[] = { (char *)"policy.preset=linux-4.19", (char *)"policy.page_lock=fair", NULL };
	struct sim_study *study;
	const struct sim_run_config *cfg = study_with(&study, keys, set);
	g_autofree char *got = sim_policy_set_string(cfg);

	g_assert_cmpstr(got, ==, "rwsem=v4.19 page_lock=fair"
			" retry=once io=hold map_pages=trylock fault_lock=mmap"
			" khugepaged=swapin-read prefault=per-page");
	sim_study_free(study);
}

static char *scenario_path(const char *name)
{
	const char *top = g_getenv("top_srcdir");

	return g_build_filename(top ? top : "..", "scenarios", name, NULL);
}

/* Each shipped scenario's first run builds and runs briefly. */
static void test_shipped_scenarios(gconstpointer data)
{
	g_autoptr(sim_keys) keys = all_keys();
	g_autofree char *path = scenario_path(data);
	char *set[] = { (char *)"sim-time-limit=50ms", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = sim_study_new(path, NULL, set, keys, &error);

	g_assert_no_error(error);
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	g_autoptr(sim_engine) eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);

	g_assert_no_error(error);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	sim_model_finish(m);
	g_assert_cmpuint(sim_events_dispatched(eng), >, 100);
	sim_model_free(m);
}

/* The default study's workloads take mmap_sem in both modes and record
 * their latency; the writer's wait shows up in lock_stat's figures. */
static void test_default_workloads(void)
{
	g_autoptr(sim_keys) keys = all_keys();
	g_autofree char *path = scenario_path("default.ini");
	char *set[] = { (char *)"sim-time-limit=20ms", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = sim_study_new(path, NULL, set, keys, &error);

	g_assert_no_error(error);
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	g_autoptr(sim_engine) eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);
	struct sim_stats *st = sim_engine_stats(eng);

	g_assert_no_error(error);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	sim_model_finish(m);
	g_assert_cmpuint(*sim_stats_counter(st, "app", "readOps"), >, 100);
	g_assert_cmpuint(*sim_stats_counter(st, "mmap", "writeOps"), >, 5);
	/* One writer thread: its acquisitions are its finished operations,
	 * plus one if it holds the lock when the run stops. */
	uint64_t acq = *sim_stats_counter(st, "mmap_sem", "writeAcquisitions");
	uint64_t ops = *sim_stats_counter(st, "mmap", "writeOps");

	g_assert_cmpuint(acq, >=, ops);
	g_assert_cmpuint(acq, <=, ops + 1);
	g_assert_cmpuint(sim_hist_count(sim_stats_hist(st, "mmap_sem", "writeWaitTime")), >, 0);
	g_assert_cmpfloat(*sim_stats_scalar(st, "app", "throughput"), >, 0);
	sim_model_free(m);
}

/* Run page-lock.ini's first configuration with @policy for 50 ms. */
static struct sim_engine *run_page_lock(const char *policy)
{
	g_autoptr(sim_keys) keys = all_keys();
	g_autofree char *path = scenario_path("page-lock.ini");
	g_autofree char *kv = g_strdup_printf("policy.page_lock=%s", policy);
	char *set[] = { (char *)"sim-time-limit=150ms", kv, NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = sim_study_new(path, NULL, set, keys, &error);

	g_assert_no_error(error);
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);

	g_assert_no_error(error);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	sim_model_finish(m);
	sim_model_free(m);
	return eng;
}

/*
 * The page_lock slot reaches the page cache of file workloads: "fair"
 * hands every contended lock over and never lets a newcomer steal it,
 * "steal" never hands over, "bounded-steal" hands over only after the
 * budget of lost races.  The streaming group reads more than memory, so
 * reclaim ran.
 */
static void test_file_page_lock(void)
{
	static const char *const policies[] = { "steal", "fair", "bounded-steal" };
	double throughput[G_N_ELEMENTS(policies)];

	for (guint i = 0; i < G_N_ELEMENTS(policies); i++) {
		g_autoptr(sim_engine) eng = run_page_lock(policies[i]);
		struct sim_stats *st = sim_engine_stats(eng);
		uint64_t handoffs = *sim_stats_counter(st, "page_lock", "handoffs");
		uint64_t steals = *sim_stats_counter(st, "page_lock", "steals");
		uint64_t losses = sim_hist_max(sim_stats_hist(st, "page_lock", "lossesPerAcquire"));

		g_assert_cmpuint(*sim_stats_counter(st, "hot", "writeOps"), >, 1000);
		g_assert_cmpuint(*sim_stats_counter(st, "page_lock", "contentions"), >, 100);
		g_assert_cmpuint(*sim_stats_counter(st, "reclaim", "pgsteal_kswapd") +
				 *sim_stats_counter(st, "reclaim", "pgsteal_direct"), >, 0);
		g_assert_cmpuint(*sim_stats_counter(st, "readahead", "async"), >, 0);
		throughput[i] = *sim_stats_scalar(st, "hot", "throughput");
		switch (i) {
		case 0:
			g_assert_cmpuint(handoffs, ==, 0);
			g_assert_cmpuint(steals, >, 0);
			break;
		case 1:
			g_assert_cmpuint(handoffs, >, 0);
			g_assert_cmpuint(steals, ==, 0);
			g_assert_cmpuint(losses, ==, 0);
			break;
		case 2:
			g_assert_cmpuint(losses, <=, 5);
			break;
		}
	}
	/*
	 * The 5.9 trade-off, from the lock meeting the wake-up latency:
	 * strict handoff idles the lock until the woken waiter runs, and
	 * loses throughput (11% here: 828k vs 734k ops/s); bounded stealing
	 * keeps nearly all of steal's (825k).  Same seed for all three; the
	 * bounds leave room for changes in the model's details.
	 */
	g_assert_cmpfloat(throughput[1], <, 0.95 * throughput[0]);
	g_assert_cmpfloat(throughput[2], >, 0.98 * throughput[0]);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/policy/values", test_policy_values);
	g_test_add_func("/model/policy/presets", test_presets);
	g_test_add_data_func("/model/scenario/default", "default.ini", test_shipped_scenarios);
	g_test_add_data_func("/model/scenario/validate-disk", "validate-disk.ini",
			     test_shipped_scenarios);
	g_test_add_data_func("/model/scenario/validate-cpus", "validate-cpus.ini",
			     test_shipped_scenarios);
	g_test_add_data_func("/model/scenario/page-lock", "page-lock.ini", test_shipped_scenarios);
	g_test_add_func("/model/default-workloads", test_default_workloads);
	g_test_add_func("/model/file-workload/page-lock-policy", test_file_page_lock);
	return g_test_run();
}
