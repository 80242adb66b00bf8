/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Experiment 3 (sim/kernel/khugepaged.h, the khugepaged slot): app threads fault
 * in anonymous memory that is partly swapped out while khugepaged
 * collapses its 2 MiB ranges.  Built from scenario keys as `faultsim run`
 * builds it; same seed for the three policies (common random numbers).
 */
#include "config.h"

#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/config/keys.h"
#include "sim/model/model.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"

struct khp_result {
	uint64_t collapses, aborts, swapins, faults;
	uint64_t wait_p99, lat_p99, wait_max;
	double wait_mean;
};

static void run_khp(const char *policy, struct khp_result *r)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *pol = g_strdup_printf("policy.khugepaged=%s", policy);
	const char *set[] = {
		"machine.cpus=4", "memory.limit=40MiB", "memory.swap=64MiB",
		"memory.kswapd=false", "disk.latency=exp(100us)",
		"khugepaged.scan_sleep=5ms", "workload.app.kind=fault",
		"workload.app.mapping=anon", "workload.app.anon_size=40MiB",
		"workload.app.threads=4", "workload.app.pattern=uniform(0,10240)",
		"workload.app.work=exp(20us)", "workload.app.think=0",
		"workload.app.write_fraction=0.5", "workload.app.khugepaged=true",
		"sim-time-limit=150ms", "seed=7", pol, NULL,
	};
	struct sim_keys *keys = sim_keys_new();
	struct sim_study *study;
	struct sim_engine *eng;
	struct sim_model *m;
	struct sim_stats *st;
	struct sim_hist *wait, *lat;

	sim_model_register_keys(keys);
	study = sim_study_new(NULL, NULL, (char **)set, keys, &error);
	g_assert_no_error(error);
	eng = sim_engine_new(sim_study_run(study, 0)->seed);
	m = sim_model_build(eng, sim_study_run(study, 0), &error);
	g_assert_no_error(error);
	sim_set_time_limit(eng, 150 * (sim_time_t)1000000);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_TIME);
	sim_model_finish(m);
	st = sim_engine_stats(eng);
	r->collapses = *sim_stats_counter(st, "khugepaged", "collapses");
	r->aborts = *sim_stats_counter(st, "khugepaged", "collapseAborts");
	r->swapins = *sim_stats_counter(st, "khugepaged", "swapins");
	r->faults = *sim_stats_counter(st, "fault", "faults");
	wait = sim_stats_hist(st, "mmap_sem", "readWaitTime");
	lat = sim_stats_hist(st, "app", "latency");
	r->wait_p99 = sim_hist_quantile(wait, 0.99);
	r->wait_max = sim_hist_max(wait);
	r->wait_mean = sim_hist_mean(wait);
	r->lat_p99 = sim_hist_quantile(lat, 0.99);
	if (g_test_verbose())
		g_printerr("%-12s collapses %3" G_GUINT64_FORMAT " aborts %3" G_GUINT64_FORMAT
			   " swapins %5" G_GUINT64_FORMAT " faults %7" G_GUINT64_FORMAT
			   " read wait mean %8.0f p99 %8" G_GUINT64_FORMAT " max %8" G_GUINT64_FORMAT
			   " touch p99 %8" G_GUINT64_FORMAT "\n", policy, r->collapses, r->aborts,
			   r->swapins, r->faults, r->wait_mean, r->wait_p99, r->wait_max, r->lat_p99);
	sim_model_free(m);
	sim_engine_free(eng);
	sim_study_free(study);
	sim_keys_free(keys);
}

static void test_exp3(void)
{
	struct khp_result w = { 0 }, rd = { 0 }, seq = { 0 };

	run_khp("swapin-write", &w);
	run_khp("swapin-read", &rd);
	run_khp("pmd-seq", &seq);
	/* All three collapse ranges, swapping pages in first. */
	g_assert_cmpuint(w.collapses, >, 0);
	g_assert_cmpuint(rd.collapses, >, 0);
	g_assert_cmpuint(w.swapins, >, 0);
	g_assert_cmpuint(rd.swapins, >, 0);
	g_assert_cmpuint(w.aborts, ==, 0);
	g_assert_cmpuint(rd.aborts, ==, 0);
	/* swapin-write holds the write lock across up to 64 swap reads
	 * (~100 us each): faults queue behind it for milliseconds, where
	 * swapin-read holds it for a 512-page copy (~130 us).  A factor of 2
	 * on the p99 of the faults' mmap_sem wait is far below the ratio of
	 * those hold times. */
	g_assert_cmpuint(w.wait_p99, >, 2 * rd.wait_p99);
	g_assert_cmpfloat(w.wait_mean, >, 2 * rd.wait_mean);
	/* pmd-seq never takes the write lock: no fault waits for khugepaged
	 * at all, so the waits fall further ... */
	g_assert_cmpuint(seq.wait_p99, <=, rd.wait_p99);
	g_assert_cmpfloat(seq.wait_mean, <, rd.wait_mean);
	/* ... at the price of collapses aborted by racing faults. */
	g_assert_cmpuint(seq.aborts, >, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/khugepaged/exp3/swapin-lock", test_exp3);
	return g_test_run();
}
