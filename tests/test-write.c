/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Experiment 5 (sim/kernel/write.h, the prefault slot): dd through
 * generic_perform_write() with each prefault policy, built from scenario
 * keys as `faultsim run` builds it: probing every 16 bytes costs a few
 * percent against the first byte; a write from a buffer mmap'd from the
 * file being written deadlocks with prefault=none (reported, with the
 * cycle) and completes with every other policy.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/config/keys.h"
#include "sim/model/model.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"

struct dd_result {
	enum sim_stop_reason why;
	char *deadlock;
	double elapsed;
	uint64_t bytes, errors, probes, prefault_faults, copy_faults, short_copies, self;
};

/* One run of a dd group with @prefault over @extra settings. */
static void run_dd(const char *prefault, const char *const *extra, struct dd_result *r)
{
	g_autoptr(GPtrArray) set = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	struct sim_keys *keys = sim_keys_new();
	struct sim_study *study;
	struct sim_engine *eng;
	struct sim_model *m;
	struct sim_stats *st;
	static const char *const base[] = {
		"machine.cpus=1", "memory.limit=160MiB", "memory.kswapd=false",
		"disk.latency=const(2us)", "workload.dd.kind=write", "workload.dd.threads=1",
		"workload.dd.block_size=1MiB", "sim-time-limit=60s", NULL,
	};

	sim_model_register_keys(keys);
	for (const char *const *s = base; *s; s++)
		g_ptr_array_add(set, g_strdup(*s));
	for (const char *const *s = extra; *s; s++)
		g_ptr_array_add(set, g_strdup(*s));
	g_ptr_array_add(set, g_strdup_printf("policy.prefault=%s", prefault));
	g_ptr_array_add(set, NULL);
	study = sim_study_new(NULL, NULL, (char **)set->pdata, keys, &error);
	g_assert_no_error(error);
	eng = sim_engine_new(sim_study_run(study, 0)->seed);
	m = sim_model_build(eng, sim_study_run(study, 0), &error);
	g_assert_no_error(error);
	sim_set_time_limit(eng, 60 * (sim_time_t)1000000000);
	r->why = sim_run(eng);
	r->deadlock = r->why == SIM_STOP_EMPTY ? sim_deadlock_report(eng) : NULL;
	sim_model_finish(m);
	st = sim_engine_stats(eng);
	r->elapsed = *sim_stats_scalar(st, "dd", "elapsed");
	r->bytes = *sim_stats_counter(st, "dd", "bytes");
	r->errors = *sim_stats_counter(st, "dd", "errors");
	r->probes = *sim_stats_counter(st, "write", "probes");
	r->prefault_faults = *sim_stats_counter(st, "write", "prefaultFaults");
	r->copy_faults = *sim_stats_counter(st, "write", "copyFaults");
	r->short_copies = *sim_stats_counter(st, "write", "shortCopies");
	r->self = *sim_stats_counter(st, "write", "selfDeadlocks");
	sim_model_free(m);
	sim_engine_free(eng);
	sim_study_free(study);
	sim_keys_free(keys);
}

static const char *const dd_anon[] = {
	"workload.dd.file_size=64MiB", "workload.dd.source=anon", NULL,
};

/*
 * dd from a present anonymous buffer.  Per 4 KiB page the defaults cost
 * write_begin 1500 + copy 4 x 680 + write_end 800 = 5020 ns (+ 1 us per
 * 1 MiB call, ~4 ns a page); every-16b adds 256 probes of 1 ns, the others
 * at most 1: the model's own arithmetic says every-16b is 255 / 5024 =
 * 5.1% slower.  The bounds, 3% .. 8%, hold that "a few percent" with room
 * for the CPU model's scheduling, and fail if probing were free or
 * dominant.  first-byte, per-page and on-failure differ by one probe per
 * page at most (< 0.1%).
 */
static void test_probe_cost(void)
{
	struct dd_result every = { 0 }, first = { 0 }, page = { 0 }, onfail = { 0 };

	run_dd("every-16b", dd_anon, &every);
	run_dd("first-byte", dd_anon, &first);
	run_dd("per-page", dd_anon, &page);
	run_dd("on-failure", dd_anon, &onfail);
	for (struct dd_result *r = &every; r; r = r == &every ? &first : r == &first ? &page :
	     r == &page ? &onfail : NULL) {
		g_assert_cmpint(r->why, ==, SIM_STOP_EMPTY);
		g_assert_null(r->deadlock);
		g_assert_cmpuint(r->bytes, ==, 64u << 20);
		g_assert_cmpuint(r->errors, ==, 0);
		g_assert_cmpuint(r->prefault_faults, ==, 0);	/* the buffer is present */
		g_assert_cmpuint(r->short_copies, ==, 0);
	}
	g_assert_cmpuint(every.probes, ==, 256ull * (64ull << 20) / 4096);
	g_assert_cmpuint(first.probes, ==, (64u << 20) / 4096);
	g_assert_cmpuint(onfail.probes, ==, 0);

	double slow = every.elapsed / first.elapsed - 1;

	if (g_test_verbose())
		g_printerr("every-16b %.4f s, first-byte %.4f s, per-page %.4f s, "
			   "on-failure %.4f s: every-16b +%.2f%%\n", every.elapsed / 1e9,
			   first.elapsed / 1e9, page.elapsed / 1e9, onfail.elapsed / 1e9,
			   100 * slow);
	g_assert_cmpfloat(slow, >, 0.03);
	g_assert_cmpfloat(slow, <, 0.08);
	g_assert_cmpfloat(fabs(page.elapsed / first.elapsed - 1), <, 0.001);
	g_assert_cmpfloat(onfail.elapsed, <=, first.elapsed);
}

static const char *const dd_same[] = {
	"workload.dd.file_size=64KiB", "workload.dd.block_size=16KiB",
	"workload.dd.source=same-file", NULL,
};

/* prefault=none: the copy faults on the buffer's page, which is the page
 * write_begin locked: filemap_fault waits for the writer itself.  The run
 * must end (events run out) with the writer stuck, reported as the cycle
 * dd/0 -> dd/0, after writing nothing. */
static void test_same_file_deadlock(void)
{
	struct dd_result r = { 0 };

	run_dd("none", dd_same, &r);
	g_assert_cmpint(r.why, ==, SIM_STOP_EMPTY);
	g_assert_nonnull(r.deadlock);
	if (g_test_verbose())
		g_printerr("%s", r.deadlock);
	g_assert_nonnull(strstr(r.deadlock, "cycle: dd/0 -> dd/0"));
	g_assert_cmpuint(r.self, ==, 1);
	g_assert_cmpuint(r.copy_faults, ==, 1);
	g_assert_cmpuint(r.bytes, ==, 0);
	g_free(r.deadlock);
}

/* Every other policy faults the buffer in without the page lock: the
 * write completes, all of it, no copy ever faults; on-failure gets there
 * by a short atomic copy per page first. */
static void test_same_file_completes(gconstpointer data)
{
	const char *prefault = data;
	struct dd_result r = { 0 };

	run_dd(prefault, dd_same, &r);
	g_assert_cmpint(r.why, ==, SIM_STOP_EMPTY);
	g_assert_null(r.deadlock);
	g_assert_cmpuint(r.bytes, ==, 64u << 10);
	g_assert_cmpuint(r.errors, ==, 0);
	g_assert_cmpuint(r.copy_faults, ==, 0);
	g_assert_cmpuint(r.self, ==, 0);
	g_assert_cmpuint(r.prefault_faults, >, 0);
	if (g_str_equal(prefault, "on-failure"))
		g_assert_cmpuint(r.short_copies, ==, 16);	/* once per page */
}

int main(int argc, char **argv)
{
	static const char *const ok[] = { "every-16b", "per-page", "first-byte", "on-failure" };

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/write/exp5/probe-cost", test_probe_cost);
	g_test_add_func("/write/exp5/same-file-deadlock", test_same_file_deadlock);
	for (unsigned int i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_autofree char *path = g_strdup_printf("/write/exp5/same-file-completes/%s", ok[i]);

		g_test_add_data_func(path, ok[i], test_same_file_completes);
	}
	return g_test_run();
}
