/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trace sink (sim/core/trace.h) on shipped scenarios: a traced run
 * follows the same trajectory, with the same statistics, as an untraced
 * one; and the slices add up to what the model records at the same
 * places (fault latency, run-queue waits, VMA-lock and mmap_sem holds,
 * khugepaged collapses, CPU time).  The JSON side is tests/trace.tap.
 */
#include "config.h"

#include <string.h>

#include "tests/rig.h"
#include "sim/core/trace.h"

struct traced {
	struct sim_engine *eng;
	struct sim_trace *tr;		/* NULL: run untraced */
};

static void traced_run(struct traced *r, const char *scenario, const char *config,
		       guint run, const char *limit, bool trace)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autofree char *path = rig_scenario_path(scenario);
	g_autofree char *set_limit = g_strdup_printf("sim-time-limit=%s", limit);
	char *set[] = { set_limit, NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = sim_study_new(path, config, set, keys, &error);
	const struct sim_run_config *cfg;
	struct sim_model *m;

	g_assert_no_error(error);
	cfg = sim_study_run(study, run);
	r->eng = sim_engine_new(cfg->seed);
	r->tr = trace ? sim_trace_new(0, SIM_TIME_MAX, SIZE_MAX) : NULL;
	sim_engine_set_trace(r->eng, r->tr);
	m = sim_model_build(r->eng, cfg, &error);
	g_assert_no_error(error);
	sim_set_time_limit(r->eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(r->eng);
	sim_model_finish(m);
	sim_model_free(m);
}

static void traced_free(struct traced *r)
{
	sim_engine_free(r->eng);
	sim_trace_free(r->tr);
}

/* Every counter and histogram as text, in registration order. */
static void dump_counter(const char *module, const char *name, uint64_t v, void *data)
{
	g_string_append_printf(data, "%s.%s=%" G_GUINT64_FORMAT "\n", module, name, v);
}

static void dump_hist(const char *module, const char *name, const struct sim_hist *h,
		      void *data)
{
	g_string_append_printf(data, "%s.%s n=%" G_GUINT64_FORMAT " sum=%.17g\n", module, name,
			       sim_hist_count(h), sim_hist_sum(h));
}

static char *stats_text(struct sim_engine *eng)
{
	GString *s = g_string_new(NULL);

	sim_stats_foreach_counter(sim_engine_stats(eng), dump_counter, s);
	sim_stats_foreach_hist(sim_engine_stats(eng), dump_hist, s);
	return g_string_free(s, FALSE);
}

/* Slices named @name (NULL: any) of category @cat (NULL: any) on tracks
 * of kind @kind (-1: any): their count and total duration. */
static void slice_sum(const struct sim_trace *tr, const char *cat, const char *name, int kind,
		      uint64_t *count, double *total)
{
	*count = 0;
	*total = 0;
	for (size_t i = 0; i < sim_trace_nr_events(tr); i++) {
		const struct sim_trace_event *e = sim_trace_event(tr, i);

		if (e->kind != SIM_TRACE_SLICE || (cat && strcmp(e->cat, cat)) ||
		    (name && strcmp(e->name, name)) ||
		    (kind >= 0 && sim_trace_get_track(tr, e->track)->kind != (unsigned int)kind))
			continue;
		(*count)++;
		*total += (double)(e->end - e->start);
	}
}

static const struct {
	const char *scenario, *config;
	guint run;
	const char *limit;
} cases[] = {
	{ "exp1-drop-mmap-sem.ini", NULL, 1, "60ms" },
	{ "exp3-khugepaged.ini", NULL, 0, "100ms" },
	{ "exp-per-vma.ini", "writer", 0, "10ms" },
	{ "exp-per-vma.ini", "writer", 2, "10ms" },
	{ "page-lock.ini", NULL, 0, "40ms" },
	{ "default.ini", NULL, 0, "20ms" },
};

static void test_trajectory_unchanged(gconstpointer data)
{
	guint c = GPOINTER_TO_UINT(data);
	struct traced on, off;

	traced_run(&off, cases[c].scenario, cases[c].config, cases[c].run, cases[c].limit, false);
	traced_run(&on, cases[c].scenario, cases[c].config, cases[c].run, cases[c].limit, true);
	g_assert_cmpuint(sim_trace_nr_events(on.tr), >, 0);
	g_assert_cmpuint(sim_fingerprint(on.eng), ==, sim_fingerprint(off.eng));
	g_assert_cmpuint(sim_events_dispatched(on.eng), ==, sim_events_dispatched(off.eng));
	g_assert_cmpint(sim_now(on.eng), ==, sim_now(off.eng));

	g_autofree char *s_on = stats_text(on.eng);
	g_autofree char *s_off = stats_text(off.eng);

	g_assert_cmpstr(s_on, ==, s_off);
	traced_free(&on);
	traced_free(&off);
}

/* A histogram and the slices recorded beside it: same count (unless
 * zero-length values are not drawn) and the same total. */
static void assert_matches(struct sim_engine *eng, const struct sim_trace *tr, const char *module,
			   const char *hist, const char *cat, const char *name, int kind,
			   bool same_count)
{
	const struct sim_hist *h = sim_stats_hist(sim_engine_stats(eng), module, hist);
	uint64_t n;
	double total;

	g_assert_nonnull(h);
	g_assert_cmpuint(sim_hist_count(h), >, 0);
	slice_sum(tr, cat, name, kind, &n, &total);
	if (g_test_verbose())
		g_test_message("%s.%s: %" G_GUINT64_FORMAT " values, %.0f ns; %" G_GUINT64_FORMAT
			       " slices, %.0f ns", module, hist, sim_hist_count(h), sim_hist_sum(h),
			       n, total);
	if (same_count)
		g_assert_cmpuint(n, ==, sim_hist_count(h));
	g_assert_cmpfloat(total, ==, sim_hist_sum(h));
}

static void test_slices_add_up(void)
{
	struct traced r;

	/* exp1: faults, mmap_sem, run-queue waits. */
	traced_run(&r, "exp1-drop-mmap-sem.ini", NULL, 1, "60ms", true);
	assert_matches(r.eng, r.tr, "fault", "latency", "fault", NULL, SIM_TRACE_TASK, true);
	assert_matches(r.eng, r.tr, "mmap_sem", "readHoldTime", "lock", "mmap_sem read",
		       SIM_TRACE_TASK, true);
	assert_matches(r.eng, r.tr, "cpu", "runqueueWait", "sched", "runqueue", SIM_TRACE_TASK,
		       false);
	traced_free(&r);

	/* khugepaged: each collapse a slice of its thread. */
	traced_run(&r, "exp3-khugepaged.ini", NULL, 0, "100ms", true);
	assert_matches(r.eng, r.tr, "khugepaged", "collapseTime", "khugepaged",
		       "collapse_huge_page", SIM_TRACE_TASK, true);
	traced_free(&r);

	/* An mmap writer among faulting threads: mmap_sem waits. */
	traced_run(&r, "exp-per-vma.ini", "writer", 0, "10ms", true);
	assert_matches(r.eng, r.tr, "mmap_sem", "readWaitTime", "lock", "mmap_sem read wait",
		       SIM_TRACE_TASK, true);
	assert_matches(r.eng, r.tr, "mmap_sem", "writeWaitTime", "lock", "mmap_sem write wait",
		       SIM_TRACE_TASK, true);
	assert_matches(r.eng, r.tr, "mmap_sem", "writeHoldTime", "lock", "mmap_sem write",
		       SIM_TRACE_TASK, true);
	traced_free(&r);

	/* Per-VMA locks: read holds. */
	traced_run(&r, "exp-per-vma.ini", "writer", 2, "10ms", true);
	assert_matches(r.eng, r.tr, "vma_lock", "readHoldTime", "lock", "vma_lock read",
		       SIM_TRACE_TASK, true);
	traced_free(&r);
}

/* The window keeps what overlaps it; the cap counts what it drops. */
static void test_window_and_cap(void)
{
	struct sim_trace *tr = sim_trace_new(100, 200, 3);
	unsigned int k = sim_trace_track(tr, SIM_TRACE_DEVICE, 0, "disk");

	g_assert_cmpuint(sim_trace_track(tr, SIM_TRACE_DEVICE, 0, "disk"), ==, k);
	sim_trace_slice(tr, k, "disk", "read", 0, 99, NULL, 0);		/* before */
	sim_trace_slice(tr, k, "disk", "read", 50, 100, NULL, 0);	/* touches from */
	sim_trace_slice(tr, k, "disk", "read", 201, 300, NULL, 0);	/* after */
	sim_trace_slice(tr, k, "disk", "read", 200, 300, NULL, 0);	/* touches to */
	sim_trace_flow(tr, k, 99, k, 150);				/* starts before */
	sim_trace_flow(tr, k, 150, k, 160);
	g_assert_cmpuint(sim_trace_nr_events(tr), ==, 3);
	g_assert_cmpuint(sim_trace_dropped(tr), ==, 0);
	sim_trace_slice(tr, k, "disk", "read", 120, 130, NULL, 0);
	g_assert_cmpuint(sim_trace_nr_events(tr), ==, 3);
	g_assert_cmpuint(sim_trace_dropped(tr), ==, 1);
	g_assert_cmpint(sim_trace_event(tr, 1)->start, ==, 200);
	g_assert_cmpuint(sim_trace_event(tr, 2)->kind, ==, SIM_TRACE_FLOW);
	sim_trace_free(tr);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
		g_autofree char *p = g_strdup_printf("/trace/trajectory-unchanged/%s/%s/%u",
						     cases[c].scenario,
						     cases[c].config ? cases[c].config : "General",
						     cases[c].run);

		g_test_add_data_func(p, GUINT_TO_POINTER(c), test_trajectory_unchanged);
	}
	g_test_add_func("/trace/slices-add-up", test_slices_add_up);
	g_test_add_func("/trace/window-and-cap", test_window_and_cap);
	return g_test_run();
}
