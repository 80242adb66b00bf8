/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests of the report (analysis/report.h): Student t intervals, Welch's
 * comparison against an independent computation, configuration versions
 * (never pooled), the order of -p, units, the baseline a configuration is
 * compared with, and lock_stat means -- on runs written to a results
 * database as faultsim run writes them.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "analysis/report.h"
#include "analysis/resultdb.h"
#include "sim/core/types.h"
#include "tests/rig.h"

/* t(0.975, 4) = 2.7764451 (printed tables give 2.776). */
#define T_975_4 2.7764451

/* ---- statistics ------------------------------------------------------------ */

static void test_ci(void)
{
	static const double v[] = { 10, 12, 11, 13, 9 };
	double mean, sd, half;

	fs_report_ci(v, 5, 0.95, &mean, &sd, &half);
	/* by hand: mean 11, squared deviations 1+1+0+4+4 = 10, s^2 = 10/4 */
	g_assert_cmpfloat_with_epsilon(mean, 11, 1e-12);
	g_assert_cmpfloat_with_epsilon(sd, sqrt(2.5), 1e-12);
	g_assert_cmpfloat_with_epsilon(half, T_975_4 * sqrt(2.5) / sqrt(5), 2e-7 * half);

	fs_report_ci(v, 1, 0.95, &mean, &sd, &half);
	g_assert_cmpfloat(mean, ==, 10);
	g_assert_true(isnan(sd) && isnan(half));
}

/*
 * Welch's test on the two samples of Welch (1947) as the usual textbook
 * example gives them (t = -2.46, df = 24.99).  The expected values were
 * computed apart from GSL: the t quantile by bisection on a Simpson
 * integral of Student's density (Python, 2e5 steps).
 */
static void test_welch(void)
{
	static const double a[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
				    21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	static const double b[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
				    24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	double m1, s1, h1, m0, s0, h0;
	struct fs_report_welch w;

	fs_report_ci(a, G_N_ELEMENTS(a), 0.95, &m1, &s1, &h1);
	fs_report_ci(b, G_N_ELEMENTS(b), 0.95, &m0, &s0, &h0);
	fs_report_welch(m1, s1, G_N_ELEMENTS(a), m0, s0, G_N_ELEMENTS(b), 0.95, &w);
	g_assert_cmpfloat_with_epsilon(w.diff, -2.16666666667, 1e-9);
	g_assert_cmpfloat_with_epsilon(w.df, 24.9885292902, 1e-8);
	g_assert_cmpfloat_with_epsilon(w.diff_half, 1.81742960047, 1e-7);
	/* the t statistic of the example */
	g_assert_cmpfloat_with_epsilon(w.diff / (w.diff_half / 2.05958649137), -2.45536, 1e-4);
	g_assert_cmpfloat_with_epsilon(w.ratio, 0.905742459397, 1e-10);
	g_assert_cmpfloat_with_epsilon(w.ratio_df, 23.6124469537, 1e-8);
	g_assert_cmpfloat_with_epsilon(w.ratio_half, 0.0769389249187, 1e-8);

	/* equal sizes and spreads: df = 2n - 2, half = t(2n - 2) sqrt(2 s^2 / n) */
	fs_report_welch(12, 2, 5, 10, 2, 5, 0.95, &w);
	g_assert_cmpfloat_with_epsilon(w.df, 8, 1e-12);
	g_assert_cmpfloat_with_epsilon(w.diff_half, 2.306004135 * sqrt(8.0 / 5), 1e-8);

	/* one value: no interval; no spread: none needed; base 0: no ratio */
	fs_report_welch(12, NAN, 1, 10, 2, 5, 0.95, &w);
	g_assert_cmpfloat(w.diff, ==, 2);
	g_assert_true(isnan(w.diff_half) && isnan(w.ratio_half));
	fs_report_welch(12, 0, 3, 10, 0, 3, 0.95, &w);
	g_assert_cmpfloat(w.diff_half, ==, 0);
	g_assert_cmpfloat(w.ratio_half, ==, 0);
	g_assert_cmpfloat_with_epsilon(w.ratio, 1.2, 1e-15);
	fs_report_welch(12, 1, 3, 0, 1, 3, 0.95, &w);
	g_assert_true(isnan(w.ratio) && isnan(w.ratio_half));
	g_assert_false(isnan(w.diff_half));
}

static void test_version(void)
{
	static const char *const keys[] = { "sim-time-limit", "machine.cpus" };
	static const char *const values[] = { "50ms", "4" };
	g_autofree char *v = fs_report_config_version(keys, values, 2);
	g_autofree char *want = g_compute_checksum_for_string(
		G_CHECKSUM_SHA256, "sim-time-limit=50ms\nmachine.cpus=4\n", -1);

	g_assert_cmpstr(v, ==, want);
}

/* ---- runs in a database ------------------------------------------------------ */

struct study {
	char *dir;
	struct fs_resultdb *db;
	guint runnumber;
};

static void study_open(struct study *s)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;

	s->dir = rig_tmpdir_new("faultsim-report");
	path = g_build_filename(s->dir, "results.db", NULL);
	s->db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	s->runnumber = 0;
}

static void study_close(struct study *s)
{
	fs_resultdb_close(s->db);
	rig_tmpdir_free(s->dir);
}

/*
 * One run of configuration "Study" with the variables "NAME=VALUE" of
 * @vars (NULL-terminated) and configuration value @limit for
 * sim-time-limit: fault.latency (a histogram of the one value @latency,
 * ns), fault.faults (a counter, @latency * 2), disk.utilization
 * (@latency / 100), and lock_stat rows for mmap_sem (read) and page_lock
 * with @acq acquisitions (none if 0).
 */
static void put_run(struct study *s, const char *const *vars, const char *limit, guint rep,
		    uint64_t latency, guint64 acq, const char *status)
{
	static const char *const config_keys[] = { "sim-time-limit", "machine.cpus" };
	const char *config_values[] = { limit, "4" };
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = sim_stats_new();
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) itervars = g_string_new(NULL);
	g_autofree char *run_name = g_strdup_printf("Study-%u", s->runnumber);
	g_autofree char *hash = g_strdup_printf("h%u", s->runnumber);
	const struct fs_lockstat_row locks[] = {
		{ .lock_name = "mmap_sem", .mode = "read", .contentions = acq / 2,
		  .acquisitions = acq, .wait_time_min_ns = 100, .wait_time_max_ns = 900,
		  .wait_time_total_ns = (gint64)acq * 200, .hold_time_min_ns = 10,
		  .hold_time_max_ns = (gint64)latency, .hold_time_total_ns = (gint64)acq * 50,
		  .con_bounces = acq / 4, .acq_bounces = acq / 2 },
		{ .lock_name = "page_lock", .mode = "", .contentions = 1, .acquisitions = acq,
		  .wait_time_min_ns = 5, .wait_time_max_ns = 5, .wait_time_total_ns = 5,
		  .hold_time_min_ns = 1, .hold_time_max_ns = 2, .hold_time_total_ns = 3 },
	};
	struct fs_run_record rec = {
		.run_name = run_name, .config_name = "Study", .config_hash = hash,
		.datetime = "20240611-12:00:00", .runnumber = s->runnumber, .repetition = rep,
		.seed = 1000 + rep, .config_keys = config_keys, .config_values = config_values,
		.n_config = 2, .status = status, .wall_time_s = 1, .events = 10,
		.sim_time_ns = 1000, .stats = st, .lockstat = locks,
		.n_lockstat = acq ? G_N_ELEMENTS(locks) : 0,
	};

	for (const char *const *v = vars; *v; v++) {
		const char *eq = strchr(*v, '=');

		g_ptr_array_add(names, g_strndup(*v, eq - *v));
		g_ptr_array_add(values, g_strdup(eq + 1));
		g_string_append_printf(itervars, "%s$%s", itervars->len ? ", " : "", *v);
	}
	rec.iterationvars = itervars->str;
	rec.itervar_names = (const char *const *)names->pdata;
	rec.itervar_values = (const char *const *)values->pdata;
	rec.n_itervars = names->len;
	sim_hist_record(sim_stats_hist_unit(st, "fault", "latency", "ns", "fault latency"),
			latency);
	*sim_stats_counter_unit(st, "fault", "faults", "faults", "page faults") = latency * 2;
	*sim_stats_scalar_unit(st, "disk", "utilization", "ratio", NULL) = latency / 100.0;
	if (acq)
		*sim_stats_counter(st, "mmap_sem", "readAcqBounces") = acq / 2;
	g_assert_true(fs_resultdb_write_run(s->db, &rec, NULL, &error));
	g_assert_no_error(error);
	s->runnumber++;
}

static const struct fs_report_row *find_row(const struct fs_report *rep, const char *itervars,
					    const char *module, const char *name)
{
	for (guint i = 0; i < rep->rows->len; i++) {
		const struct fs_report_row *r = rep->rows->pdata[i];

		if (!strcmp(r->config->iterationvars, itervars) && !strcmp(r->module, module) &&
		    !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

static void test_compute(void)
{
	static const uint64_t lat4[] = { 10, 12, 11, 13, 9 };
	static const char *const t4[] = { "threads=4", NULL }, *const t8[] = { "threads=8", NULL };
	static const char *const patterns[] = {
		"disk.utilization", "fault.latency:*", "faults", "nothing*", NULL,
	};
	struct fs_report_options opts = { .patterns = patterns };
	g_autoptr(GError) error = NULL;
	g_autoptr(fs_report) rep = NULL;
	const struct fs_report_row *r;
	struct study s;

	study_open(&s);
	for (guint i = 0; i < 5; i++)
		put_run(&s, t4, "50ms", i, lat4[i], 0, "done");
	put_run(&s, t8, "50ms", 0, 40, 0, "done");
	put_run(&s, t8, "50ms", 1, 60, 0, "done");
	put_run(&s, t4, "50ms", 5, 1000, 0, "deadlock");

	rep = fs_report_compute(s.db, &opts, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rep->configs->len, ==, 2);
	g_assert_cmpuint(rep->var_names->len, ==, 1);
	g_assert_cmpstr(rep->var_names->pdata[0], ==, "threads");
	/* the pattern that matched nothing is named, not an error */
	g_assert_cmpuint(rep->unmatched->len, ==, 1);
	g_assert_cmpstr(rep->unmatched->pdata[0], ==, "nothing*");
	/* per configuration, in the order of the patterns: utilization, the
	 * 9 latency fields in recorded order, faults */
	g_assert_cmpuint(rep->rows->len, ==, 2 * 11);
	r = rep->rows->pdata[0];
	g_assert_cmpstr(r->name, ==, "utilization");
	g_assert_cmpstr(r->config->iterationvars, ==, "$threads=4");
	g_assert_cmpstr(((struct fs_report_row *)rep->rows->pdata[1])->name, ==, "latency:count");
	g_assert_cmpstr(((struct fs_report_row *)rep->rows->pdata[10])->name, ==, "faults");
	g_assert_cmpstr(((struct fs_report_row *)rep->rows->pdata[11])->config->iterationvars,
			==, "$threads=8");

	r = find_row(rep, "$threads=4", "fault", "latency:mean");
	g_assert_cmpuint(r->n, ==, 5);			/* the deadlock is out */
	g_assert_cmpfloat_with_epsilon(r->mean, 11, 1e-12);
	g_assert_cmpfloat_with_epsilon(r->ci_half, T_975_4 * sqrt(2.5) / sqrt(5), 2e-7 * r->ci_half);
	/* units: the scalar's, the statistic's for its fields, count for :count */
	g_assert_cmpstr(r->unit, ==, "ns");
	g_assert_cmpstr(r->description, ==, "fault latency");
	g_assert_cmpstr(find_row(rep, "$threads=4", "fault", "latency:count")->unit, ==, "count");
	r = find_row(rep, "$threads=4", "fault", "faults");
	g_assert_cmpstr(r->unit, ==, "faults");
	g_assert_cmpstr(r->description, ==, "page faults");
	g_assert_cmpfloat_with_epsilon(r->mean, 22, 1e-12);
	r = find_row(rep, "$threads=4", "disk", "utilization");
	g_assert_cmpstr(r->unit, ==, "ratio");
	g_assert_null(r->description);
	g_assert_cmpstr(find_row(rep, "$threads=8", "fault", "latency:mean")->config->statuses,
			==, "2 done");
	g_clear_pointer(&rep, fs_report_free);

	/* every status; only the runs asked for (as --where gives them) */
	{
		g_autoptr(GHashTable) runs = g_hash_table_new_full(g_int64_hash, g_int64_equal,
								   g_free, NULL);
		gint64 ids[] = { 6, 8 };	/* a $threads=8 run, the deadlock */

		for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
			g_hash_table_add(runs, g_memdup2(&ids[i], sizeof(ids[i])));
		opts.all_statuses = TRUE;
		opts.runs = runs;
		rep = fs_report_compute(s.db, &opts, &error);
		g_assert_no_error(error);
		r = find_row(rep, "$threads=4", "fault", "latency:mean");
		g_assert_cmpuint(r->n, ==, 1);
		g_assert_cmpfloat(r->mean, ==, 1000);
		g_assert_cmpstr(r->config->statuses, ==, "1 deadlock");
		g_assert_cmpuint(find_row(rep, "$threads=8", "fault", "latency:mean")->n, ==, 1);
		g_clear_pointer(&rep, fs_report_free);
	}

	/* the summary without patterns; a bad confidence level */
	rep = fs_report_compute(s.db, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(find_row(rep, "$threads=4", "disk", "utilization"));
	g_assert_null(find_row(rep, "$threads=4", "fault", "faults"));
	g_assert_cmpuint(rep->unmatched->len, ==, 0);
	g_clear_pointer(&rep, fs_report_free);
	opts = (struct fs_report_options){ .confidence = 1.5 };
	g_assert_null(fs_report_compute(s.db, &opts, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	study_close(&s);
}

/* Runs of one configuration under two versions of it stay apart. */
static void test_versions(void)
{
	static const char *const t4[] = { "threads=4", NULL };
	static const char *const keys[] = { "sim-time-limit", "machine.cpus" };
	static const char *const now[] = { "50ms", "4" };
	g_autoptr(GError) error = NULL;
	g_autoptr(fs_report) rep = NULL;
	static const char *const patterns[] = { "disk.utilization", NULL };
	struct fs_report_options opts = { .patterns = patterns };
	g_autofree char *differs = NULL;
	struct study s;
	guint n = 0;

	study_open(&s);
	put_run(&s, t4, "200ms", 0, 100, 0, "done");
	put_run(&s, t4, "200ms", 1, 100, 0, "done");
	put_run(&s, t4, "50ms", 0, 10, 0, "done");
	rep = fs_report_compute(s.db, &opts, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rep->configs->len, ==, 2);
	for (guint i = 0; i < rep->configs->len; i++) {
		const struct fs_report_config *c = rep->configs->pdata[i];

		g_assert_true(c->split);
		g_assert_cmpuint(c->nr_runs, ==, i ? 1 : 2);
	}
	g_assert_cmpuint(rep->rows->len, ==, 2);
	g_assert_cmpfloat(((struct fs_report_row *)rep->rows->pdata[0])->mean, ==, 1);
	g_assert_cmpfloat(((struct fs_report_row *)rep->rows->pdata[1])->mean, ==, 0.1);

	/* what run warns about */
	g_assert_true(fs_report_other_versions(s.db, "Study", "$threads=4", keys, now, 2, &n,
					       &differs, &error));
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpstr(differs, ==, "sim-time-limit: 50ms here, 200ms there");
	g_clear_pointer(&differs, g_free);
	g_assert_true(fs_report_other_versions(s.db, "Study", "$threads=8", keys, now, 2, &n,
					       &differs, &error));
	g_assert_cmpuint(n, ==, 0);
	g_assert_null(differs);
	study_close(&s);
}

static void test_compare(void)
{
	static const char *const patterns[] = { "fault.latency:mean", NULL };
	/* kernel x threads, 3 repetitions; base: kernel a */
	static const char *const vars[4][3] = {
		{ "kernel=a", "threads=1", NULL }, { "kernel=a", "threads=2", NULL },
		{ "kernel=b", "threads=1", NULL }, { "kernel=b", "threads=2", NULL },
	};
	static const uint64_t lat[4][3] = {
		{ 10, 12, 14 }, { 20, 22, 24 }, { 15, 16, 20 }, { 40, 44, 42 },
	};
	g_autoptr(GHashTable) base = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
							   NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(fs_report) rep = NULL;
	struct fs_report_options opts = { .patterns = patterns };
	struct study s;

	study_open(&s);
	for (guint c = 0; c < 4; c++)
		for (guint i = 0; i < 3; i++) {
			gint64 id = s.runnumber + 1;	/* runIds follow */

			put_run(&s, vars[c], "50ms", i, lat[c][i], 0, "done");
			if (c < 2)
				g_hash_table_add(base, g_memdup2(&id, sizeof(id)));
		}
	opts.base_runs = base;
	rep = fs_report_compute(s.db, &opts, &error);
	g_assert_no_error(error);
	g_assert_true(rep->compared);
	g_assert_cmpuint(rep->rows->len, ==, 4);
	for (guint c = 0; c < 4; c++) {
		const struct fs_report_row *r = rep->rows->pdata[c];
		const struct fs_report_row *b = rep->rows->pdata[c % 2];
		struct fs_report_welch w;

		/* the baseline has the kernel of the base, the same threads */
		g_assert_true(r->config->base == b->config);
		g_assert_cmpuint(r->base_n, ==, 3);
		fs_report_welch(r->mean, r->stddev, r->n, b->mean, b->stddev, b->n, 0.95, &w);
		g_assert_cmpfloat(r->cmp.diff, ==, w.diff);
		g_assert_cmpfloat(r->cmp.diff_half, ==, w.diff_half);
		g_assert_cmpfloat(r->cmp.ratio, ==, w.ratio);
	}
	g_assert_cmpfloat_with_epsilon(((struct fs_report_row *)rep->rows->pdata[3])->cmp.ratio,
				       42.0 / 22, 1e-12);
	g_assert_cmpfloat(((struct fs_report_row *)rep->rows->pdata[0])->cmp.diff, ==, 0);
	study_close(&s);
}

static void test_lockstat(void)
{
	static const char *const t4[] = { "threads=4", NULL };
	struct fs_report_options opts = { .lock_stat = TRUE };
	g_autoptr(GError) error = NULL;
	g_autoptr(fs_report) rep = NULL;
	const struct fs_lockstat_mean *l;
	struct study s;

	study_open(&s);
	put_run(&s, t4, "50ms", 0, 1000, 100, "done");
	put_run(&s, t4, "50ms", 1, 3000, 300, "done");
	put_run(&s, t4, "50ms", 2, 10, 0, "done");	/* took no lock */
	rep = fs_report_compute(s.db, &opts, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rep->locks->len, ==, 2);
	l = rep->locks->pdata[0];
	g_assert_cmpstr(l->lock_name, ==, "mmap_sem");
	g_assert_cmpstr(l->mode, ==, "read");
	g_assert_cmpuint(l->n, ==, 2);
	/* means over the 3 runs: a run without the row counts as zeros */
	g_assert_cmpfloat_with_epsilon(l->acquisitions, 400.0 / 3, 1e-9);
	g_assert_cmpfloat_with_epsilon(l->contentions, 200.0 / 3, 1e-9);
	g_assert_cmpfloat_with_epsilon(l->acq_bounces, 200.0 / 3, 1e-9);
	g_assert_cmpfloat_with_epsilon(l->con_bounces, 100.0 / 3, 1e-9);
	g_assert_cmpfloat_with_epsilon(l->wait_total, 80000.0 / 3, 1e-9);
	/* min and max over the runs; averages pooled */
	g_assert_cmpfloat(l->hold_min, ==, 10);
	g_assert_cmpfloat(l->hold_max, ==, 3000);
	g_assert_cmpfloat(l->wait_avg, ==, 400);
	g_assert_cmpfloat(l->hold_avg, ==, 50);
	g_assert_true(l->bounces_known);
	l = rep->locks->pdata[1];
	g_assert_cmpstr(l->lock_name, ==, "page_lock");
	g_assert_false(l->bounces_known);
	g_assert_cmpfloat(l->con_bounces, ==, 0);
	study_close(&s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/analysis/report/ci", test_ci);
	g_test_add_func("/analysis/report/welch", test_welch);
	g_test_add_func("/analysis/report/version", test_version);
	g_test_add_func("/analysis/report/compute", test_compute);
	g_test_add_func("/analysis/report/versions", test_versions);
	g_test_add_func("/analysis/report/compare", test_compare);
	g_test_add_func("/analysis/report/lockstat", test_lockstat);
	return g_test_run();
}
