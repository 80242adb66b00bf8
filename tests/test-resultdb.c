/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests of the results database (analysis/resultdb.h; the report's are in
 * tests/test-report.c): the schema is OMNeT++'s, a run reads back as it was
 * measured, a failed or killed write leaves nothing, resume sees finished
 * runs, two writers share a file, merge copies each run once with new ids,
 * claims are taken, held and taken over, a batch that fails leaves
 * nothing, packed measurements write the same rows, foreign files are
 * left alone.
 *
 * Every test works in its own temporary directory and ends with SQLite's
 * integrity and foreign-key checks.
 */
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "analysis/resultdb.h"
#include "sim/core/types.h"
#include "tests/rig.h"

#define SEED 20240611UL

/* ---- helpers ------------------------------------------------------------- */

/* The single integer result of @sql (printf-style). */
G_GNUC_PRINTF(2, 3)
static gint64 query_int(sqlite3 *sql, const char *fmt, ...)
{
	g_autofree char *q = NULL;
	sqlite3_stmt *st;
	va_list ap;
	gint64 v;

	va_start(ap, fmt);
	q = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_assert_cmpint(sqlite3_prepare_v2(sql, q, -1, &st, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

G_GNUC_PRINTF(2, 3)
static char *query_text(sqlite3 *sql, const char *fmt, ...)
{
	g_autofree char *q = NULL;
	sqlite3_stmt *st;
	va_list ap;
	char *v = NULL;
	int rc;

	va_start(ap, fmt);
	q = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_assert_cmpint(sqlite3_prepare_v2(sql, q, -1, &st, NULL), ==, SQLITE_OK);
	rc = sqlite3_step(st);
	g_assert_true(rc == SQLITE_ROW || rc == SQLITE_DONE);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* The value of one scalar of the run named @run; NAN if NULL, and the test
 * fails if there is no such scalar. */
static double scalar_of(sqlite3 *sql, const char *run, const char *module,
			const char *name)
{
	sqlite3_stmt *st;
	double v;

	g_assert_cmpint(sqlite3_prepare_v2(sql,
		"SELECT s.scalarValue FROM scalar s JOIN run r USING (runId) "
		"WHERE r.runName = ? AND s.moduleName = ? AND s.scalarName = ?",
		-1, &st, NULL), ==, SQLITE_OK);
	sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	v = sqlite3_column_type(st, 0) == SQLITE_NULL ? NAN
						     : sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* SQLite's own checks: the file is sound and every reference resolves. */
static void check_integrity(const char *path)
{
	g_autofree char *ok = NULL;
	sqlite3 *sql;

	g_assert_cmpint(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL),
			==, SQLITE_OK);
	ok = query_text(sql, "PRAGMA integrity_check");
	g_assert_cmpstr(ok, ==, "ok");
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM pragma_foreign_key_check"),
			==, 0);
	sqlite3_close(sql);
}

/* Rows in every table that holds run data (not faultsimMeta). */
static const char *const data_tables[] = {
	"run", "runAttr", "runItervar", "runConfig", "scalar", "scalarAttr",
	"parameter", "paramAttr", "statistic", "statisticAttr", "histogramBin",
	"vector", "vectorAttr", "vectorData", "runStatus", "lockStat",
};

static gint64 total_rows(sqlite3 *sql)
{
	gint64 n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(data_tables); i++)
		n += query_int(sql, "SELECT COUNT(*) FROM %s", data_tables[i]);
	return n;
}

static const char *const itervar_names[] = { "threads", "io" };
static const char *const itervar_values[] = { "4", "drop" };
static const char *const config_keys[] = {
	"machine.cpus", "policy.io", "workload.threads",
};
static const char *const config_values[] = { "8", "drop", "4" };
static const char *const attr_names[] = { "faultsimVersion", "policySet" };
static const char *const attr_values[] = {
	"0.1.0", "io=drop,retry=once,rwsem=v5.3",
};
static const struct fs_lockstat_row lockstat_rows[] = {
	{ "mmap_sem", "read", 10, 100, 5, 900, 2000, 1, 50, 3000, 6, 70 },
	{ "mmap_sem", "write", 4, 8, 20, 5000, 9000, 100, 400, 2400, 3, 5 },
};

/* A record with everything set; the caller sets names, numbers, stats. */
static struct fs_run_record record(const char *run_name, const char *config,
				   guint runnumber, guint repetition,
				   const char *hash, const struct sim_stats *st)
{
	return (struct fs_run_record) {
		.run_name = run_name,
		.config_name = config,
		.ini_file = "scenarios/test.ini",
		.iterationvars = "$threads=4, $io=drop",
		.config_hash = hash,
		.datetime = "20240611-12:00:00",
		.runnumber = runnumber,
		.repetition = repetition,
		.seed = 1000 + repetition,
		.itervar_names = itervar_names,
		.itervar_values = itervar_values,
		.n_itervars = G_N_ELEMENTS(itervar_names),
		.config_keys = config_keys,
		.config_values = config_values,
		.n_config = G_N_ELEMENTS(config_keys),
		.attr_names = attr_names,
		.attr_values = attr_values,
		.n_attrs = G_N_ELEMENTS(attr_names),
		.status = "done",
		.wall_time_s = 1.5,
		.events = 123456,
		.sim_time_ns = 2 * NSEC_PER_SEC,
		.stats = st,
		.lockstat = lockstat_rows,
		.n_lockstat = G_N_ELEMENTS(lockstat_rows),
	};
}

/* Measurements of every kind: counters, a scalar, a large histogram with
 * random values, one with gaps and an overflow value, an empty one. */
static struct sim_stats *make_stats(unsigned long seed)
{
	struct sim_stats *st = sim_stats_new();
	struct sim_hist *h;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, seed);
	*sim_stats_counter(st, "fault", "pgmajfault") = 17;
	*sim_stats_counter(st, "fault", "fault_retry") = 3;
	*sim_stats_scalar(st, "disk", "utilization") = 0.75;
	h = sim_stats_hist(st, "disk", "responseTime");
	for (int i = 0; i < 10000; i++)
		sim_hist_record(h, (uint64_t)(gsl_ran_exponential(r, 80000) + 5000));
	h = sim_stats_hist(st, "fault", "latency");
	sim_hist_record(h, 1);
	sim_hist_record(h, 1);
	sim_hist_record(h, 1000);
	sim_hist_record(h, 1000000);
	sim_hist_record(h, SIM_HIST_LIMIT * 2);	/* the overflow bin */
	sim_stats_hist(st, "mmap_sem", "waitTime");	/* empty */
	gsl_rng_free(r);
	return st;
}

/* ---- schema -------------------------------------------------------------- */

struct column {
	const char *name;
	const char *type;
};

struct table {
	const char *name;
	const struct column *cols;
};

#define COLS(...) ((const struct column[]) { __VA_ARGS__, { NULL, NULL } })

/* OMNeT++ 6's SQLite result tables: names, columns in order, types. */
static const struct table omnetpp_tables[] = {
	{ "run", COLS({ "runId", "INTEGER" }, { "runName", "TEXT" },
		      { "simtimeExp", "INTEGER" }) },
	{ "runAttr", COLS({ "runId", "INTEGER" }, { "attrName", "TEXT" },
			  { "attrValue", "TEXT" }) },
	{ "runItervar", COLS({ "runId", "INTEGER" }, { "itervarName", "TEXT" },
			     { "itervarValue", "TEXT" }) },
	{ "runConfig", COLS({ "runId", "INTEGER" }, { "configKey", "TEXT" },
			    { "configValue", "TEXT" },
			    { "configOrder", "INTEGER" }) },
	{ "scalar", COLS({ "scalarId", "INTEGER" }, { "runId", "INTEGER" },
			 { "moduleName", "TEXT" }, { "scalarName", "TEXT" },
			 { "scalarValue", "REAL" }) },
	{ "scalarAttr", COLS({ "scalarId", "INTEGER" }, { "attrName", "TEXT" },
			     { "attrValue", "TEXT" }) },
	{ "parameter", COLS({ "paramId", "INTEGER" }, { "runId", "INTEGER" },
			    { "moduleName", "TEXT" }, { "paramName", "TEXT" },
			    { "paramValue", "TEXT" }) },
	{ "paramAttr", COLS({ "paramId", "INTEGER" }, { "attrName", "TEXT" },
			    { "attrValue", "TEXT" }) },
	{ "statistic", COLS({ "statId", "INTEGER" }, { "runId", "INTEGER" },
			    { "moduleName", "TEXT" }, { "statName", "TEXT" },
			    { "isHistogram", "INTEGER" },
			    { "isWeighted", "INTEGER" },
			    { "statCount", "INTEGER" }, { "statMean", "REAL" },
			    { "statStddev", "REAL" }, { "statSum", "REAL" },
			    { "statSqrsum", "REAL" }, { "statMin", "REAL" },
			    { "statMax", "REAL" }, { "statWeights", "REAL" },
			    { "statWeightedSum", "REAL" },
			    { "statSqrSumWeights", "REAL" },
			    { "statWeightedSqrSum", "REAL" }) },
	{ "statisticAttr", COLS({ "statId", "INTEGER" }, { "attrName", "TEXT" },
				{ "attrValue", "TEXT" }) },
	{ "histogramBin", COLS({ "statId", "INTEGER" }, { "lowerEdge", "REAL" },
			       { "binValue", "REAL" }) },
	{ "vector", COLS({ "vectorId", "INTEGER" }, { "runId", "INTEGER" },
			 { "moduleName", "TEXT" }, { "vectorName", "TEXT" },
			 { "vectorCount", "INTEGER" }, { "vectorMin", "REAL" },
			 { "vectorMax", "REAL" }, { "vectorSum", "REAL" },
			 { "vectorSumSqr", "REAL" },
			 { "startEventNum", "INTEGER" },
			 { "endEventNum", "INTEGER" },
			 { "startSimtimeRaw", "INTEGER" },
			 { "endSimtimeRaw", "INTEGER" }) },
	{ "vectorAttr", COLS({ "vectorId", "INTEGER" }, { "attrName", "TEXT" },
			     { "attrValue", "TEXT" }) },
	{ "vectorData", COLS({ "vectorId", "INTEGER" },
			     { "eventNumber", "INTEGER" },
			     { "simtimeRaw", "INTEGER" }, { "value", "REAL" }) },
};

static void check_columns(sqlite3 *sql, const struct table *t)
{
	g_autofree char *q = g_strdup_printf("PRAGMA table_info(%s)", t->name);
	sqlite3_stmt *st;
	int i = 0;

	g_assert_cmpint(sqlite3_prepare_v2(sql, q, -1, &st, NULL), ==, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		g_assert_nonnull(t->cols[i].name);
		g_assert_cmpstr((const char *)sqlite3_column_text(st, 1), ==,
				t->cols[i].name);
		g_assert_cmpstr((const char *)sqlite3_column_text(st, 2), ==,
				t->cols[i].type);
		i++;
	}
	sqlite3_finalize(st);
	g_assert_null(t->cols[i].name);		/* no column missing */
	g_assert_cmpint(i, >, 0);		/* the table exists */
}

static void test_schema(void)
{
	static const char *const ours[] = {
		"faultsimMeta", "runStatus", "lockStat",
	};
	static const char *const views[] = {
		"runSummary", "runScalars", "runStatistics", "runLockStat",
	};
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autofree char *other = g_build_filename(dir, "other.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *mode = NULL;
	struct fs_resultdb *db;
	sqlite3 *sql;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);

	for (size_t i = 0; i < G_N_ELEMENTS(omnetpp_tables); i++)
		check_columns(sql, &omnetpp_tables[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(ours); i++)
		g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM sqlite_master "
					  "WHERE type = 'table' AND name = '%s'",
					  ours[i]), ==, 1);
	for (size_t i = 0; i < G_N_ELEMENTS(views); i++)
		g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM sqlite_master "
					  "WHERE type = 'view' AND name = '%s'",
					  views[i]), ==, 1);
	g_assert_cmpint(query_int(sql, "SELECT value FROM faultsimMeta "
				  "WHERE key = 'schemaVersion'"),
			==, FS_RESULTDB_SCHEMA_VERSION);
	mode = query_text(sql, "PRAGMA journal_mode");
	g_assert_cmpstr(mode, ==, "wal");
	g_assert_cmpint(query_int(sql, "PRAGMA foreign_keys"), ==, 1);
	g_assert_cmpint(query_int(sql, "PRAGMA busy_timeout"), >=, 5000);
	fs_resultdb_close(db);

	/* Reopening finds the schema; read-only opening too. */
	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	fs_resultdb_close(db);
	db = fs_resultdb_open_readonly(path, &error);
	g_assert_no_error(error);
	fs_resultdb_close(db);

	/* A database of a newer schema is refused, with both versions. */
	g_assert_cmpint(sqlite3_open(path, &sql), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(sql, "UPDATE faultsimMeta SET value = '99' "
				     "WHERE key = 'schemaVersion'", NULL, NULL,
				     NULL), ==, SQLITE_OK);
	sqlite3_close(sql);
	db = fs_resultdb_open(path, &error);
	g_assert_null(db);
	g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "99"));
	g_clear_error(&error);

	/* Another SQLite file is refused and left alone. */
	g_assert_cmpint(sqlite3_open(other, &sql), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(sql, "CREATE TABLE foo (x)", NULL, NULL,
				     NULL), ==, SQLITE_OK);
	sqlite3_close(sql);
	db = fs_resultdb_open(other, &error);
	g_assert_null(db);
	g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
	g_clear_error(&error);

	/* Read-only opening does not create a missing file. */
	g_free(other);
	other = g_build_filename(dir, "missing.db", NULL);
	db = fs_resultdb_open_readonly(other, &error);
	g_assert_null(db);
	g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
	g_assert_false(g_file_test(other, G_FILE_TEST_EXISTS));

	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* ---- writing and reading back a run --------------------------------------- */

struct bin {
	double lower, upper;
	double count;
};

static void collect_bin(uint64_t lower, uint64_t upper, uint64_t count,
			void *data)
{
	struct bin b = { (double)lower, (double)upper, (double)count };

	g_array_append_val((GArray *)data, b);
}

/* The statistic row and bins of (@module, @name) match histogram @h. */
static void check_statistic(sqlite3 *sql, gint64 run_id, const char *module,
			    const char *name, const struct sim_hist *h)
{
	g_autoptr(GArray) want = g_array_new(FALSE, FALSE, sizeof(struct bin));
	uint64_t n = sim_hist_count(h);
	sqlite3_stmt *st;
	gint64 stat_id;
	double prev = -INFINITY, total = 0, next_edge = NAN;
	guint k = 0, rows = 0;

	g_assert_cmpint(sqlite3_prepare_v2(sql,
		"SELECT statId, isHistogram, isWeighted, statCount, statMean, "
		"statStddev, statMin, statMax, statSum, statSqrsum FROM statistic "
		"WHERE runId = ? AND moduleName = ? AND statName = ?",
		-1, &st, NULL), ==, SQLITE_OK);
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	stat_id = sqlite3_column_int64(st, 0);
	g_assert_cmpint(sqlite3_column_int(st, 1), ==, 1);
	g_assert_cmpint(sqlite3_column_int(st, 2), ==, 0);
	g_assert_cmpint(sqlite3_column_int64(st, 3), ==, (gint64)n);
	if (n) {
		/* The same doubles that sim_hist computes: exact. */
		g_assert_cmpfloat(sqlite3_column_double(st, 4), ==, sim_hist_mean(h));
		g_assert_cmpfloat(sqlite3_column_double(st, 5), ==, sim_hist_stddev(h));
		g_assert_cmpfloat(sqlite3_column_double(st, 6), ==,
				  (double)sim_hist_min(h));
		g_assert_cmpfloat(sqlite3_column_double(st, 7), ==,
				  (double)sim_hist_max(h));
		g_assert_cmpfloat(sqlite3_column_double(st, 8), ==, sim_hist_sum(h));
		/* Rebuilt from the moments: within rounding of the largest
		 * term, 1e-12 relative. */
		if (n > 1) {
			double s = sim_hist_sum(h), sd = sim_hist_stddev(h);
			double want_sq = (n - 1) * sd * sd + s * s / n;

			g_assert_cmpfloat_with_epsilon(sqlite3_column_double(st, 9),
						       want_sq, want_sq * 1e-12);
		}
	} else {
		for (int c = 4; c <= 7; c++)
			g_assert_cmpint(sqlite3_column_type(st, c), ==, SQLITE_NULL);
	}
	sqlite3_finalize(st);

	/* Bins: -inf first, edges increasing, the non-empty ones exactly
	 * those of the histogram, a zero overflow bin last, sum = count. */
	sim_hist_foreach_bin(h, collect_bin, want);
	g_assert_cmpint(sqlite3_prepare_v2(sql,
		"SELECT lowerEdge, binValue FROM histogramBin WHERE statId = ? "
		"ORDER BY rowid", -1, &st, NULL), ==, SQLITE_OK);
	sqlite3_bind_int64(st, 1, stat_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		double lower = sqlite3_column_double(st, 0);
		double v = sqlite3_column_double(st, 1);

		if (rows == 0) {
			g_assert_true(isinf(lower) && lower < 0);
			g_assert_cmpfloat(v, ==, 0);
		} else {
			g_assert_cmpfloat(lower, >, prev);
		}
		/* a non-empty bin ends where the next row begins */
		if (!isnan(next_edge))
			g_assert_cmpfloat(lower, ==, next_edge);
		next_edge = NAN;
		if (v > 0) {
			g_assert_cmpuint(k, <, want->len);
			g_assert_cmpfloat(lower, ==, g_array_index(want, struct bin, k).lower);
			g_assert_cmpfloat(v, ==, g_array_index(want, struct bin, k).count);
			next_edge = g_array_index(want, struct bin, k).upper;
			k++;
		}
		prev = lower;
		total += v;
		rows++;
	}
	sqlite3_finalize(st);
	g_assert_cmpuint(k, ==, want->len);
	g_assert_true(isnan(next_edge));	/* the overflow row closes the last */
	g_assert_cmpfloat(total, ==, (double)n);
	if (n)
		g_assert_cmpfloat(prev, >, (double)sim_hist_max(h));
	else
		g_assert_cmpuint(rows, ==, 0);
}

struct expect_scalar {
	const char *run;
	sqlite3 *sql;
};

static void check_hist_scalars(const char *module, const char *name,
			       const struct sim_hist *h, void *data)
{
	static const struct {
		const char *suffix;
		double q;
	} qs[] = {
		{ "p50", 0.5 }, { "p90", 0.9 }, { "p99", 0.99 }, { "p999", 0.999 },
	};
	struct expect_scalar *e = data;
	uint64_t n = sim_hist_count(h);

	for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
		g_autofree char *s = g_strconcat(name, ":", qs[i].suffix, NULL);
		double v = scalar_of(e->sql, e->run, module, s);

		if (n)
			g_assert_cmpfloat(v, ==, (double)sim_hist_quantile(h, qs[i].q));
		else
			g_assert_true(isnan(v));
	}
	{
		g_autofree char *c = g_strconcat(name, ":count", NULL);
		g_autofree char *m = g_strconcat(name, ":mean", NULL);
		g_autofree char *x = g_strconcat(name, ":max", NULL);

		g_assert_cmpfloat(scalar_of(e->sql, e->run, module, c), ==, (double)n);
		if (n) {
			g_assert_cmpfloat(scalar_of(e->sql, e->run, module, m), ==,
					  sim_hist_mean(h));
			g_assert_cmpfloat(scalar_of(e->sql, e->run, module, x), ==,
					  (double)sim_hist_max(h));
		} else {
			g_assert_true(isnan(scalar_of(e->sql, e->run, module, m)));
		}
	}
}

static void test_write_read(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_run_record rec = record("Base-0-20240611-12:00:00-1", "Base",
					  0, 0, "hash-0", st);
	struct expect_scalar e;
	char *s;			/* each value freed after its check */
	struct fs_resultdb *db;
	sqlite3 *sql;
	gint64 run_id = -1;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);
	g_assert_true(fs_resultdb_write_run(db, &rec, &run_id, &error));
	g_assert_no_error(error);
	g_assert_cmpint(run_id, ==, 1);

	/* run and its attributes */
	g_assert_cmpint(query_int(sql, "SELECT simtimeExp FROM run"), ==, -9);
#define ATTR(name) query_text(sql, "SELECT attrValue FROM runAttr " \
			      "WHERE runId = 1 AND attrName = '" name "'")
	s = ATTR("configname"); g_assert_cmpstr(s, ==, "Base"); g_free(s);
	s = ATTR("runnumber"); g_assert_cmpstr(s, ==, "0"); g_free(s);
	s = ATTR("repetition"); g_assert_cmpstr(s, ==, "0"); g_free(s);
	s = ATTR("seedset"); g_assert_cmpstr(s, ==, "1000"); g_free(s);
	s = ATTR("seed"); g_assert_cmpstr(s, ==, "1000"); g_free(s);
	s = ATTR("iterationvars");
	g_assert_cmpstr(s, ==, "$threads=4, $io=drop"); g_free(s);
	s = ATTR("inifile"); g_assert_cmpstr(s, ==, "scenarios/test.ini"); g_free(s);
	s = ATTR("datetime"); g_assert_cmpstr(s, ==, "20240611-12:00:00"); g_free(s);
	s = ATTR("experiment"); g_assert_cmpstr(s, ==, "Base"); g_free(s);
	s = ATTR("replication"); g_assert_cmpstr(s, ==, "#0"); g_free(s);
	s = ATTR("configHash"); g_assert_cmpstr(s, ==, "hash-0"); g_free(s);
	s = ATTR("policySet");
	g_assert_cmpstr(s, ==, "io=drop,retry=once,rwsem=v5.3"); g_free(s);
	s = ATTR("processid"); g_assert_nonnull(s); g_free(s);
#undef ATTR
	s = query_text(sql, "SELECT itervarValue FROM runItervar WHERE itervarName = 'io'");
	g_assert_cmpstr(s, ==, "drop");
	g_free(s);
	s = query_text(sql, "SELECT group_concat(configKey, ' ') FROM "
		       "(SELECT configKey FROM runConfig ORDER BY configOrder)");
	g_assert_cmpstr(s, ==, "machine.cpus policy.io workload.threads");
	g_free(s);

	/* status */
	s = query_text(sql, "SELECT status || ' ' || configHash || ' ' || events "
		       "|| ' ' || simTimeNs || ' ' || wallTime FROM runStatus");
	g_assert_cmpstr(s, ==, "done hash-0 123456 2000000000 1.5");
	g_free(s);
	s = query_text(sql, "SELECT finishedAt FROM runStatus");
	g_assert_nonnull(s);
	g_assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT", s, 0, 0));
	g_free(s);

	/* counters and scalars */
	e = (struct expect_scalar) { rec.run_name, sql };
	g_assert_cmpfloat(scalar_of(sql, rec.run_name, "fault", "pgmajfault"), ==, 17);
	g_assert_cmpfloat(scalar_of(sql, rec.run_name, "fault", "fault_retry"), ==, 3);
	g_assert_cmpfloat(scalar_of(sql, rec.run_name, "disk", "utilization"), ==, 0.75);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM scalarAttr a JOIN scalar s "
				  "USING (scalarId) WHERE a.attrName = 'kind' AND "
				  "a.attrValue = 'counter'"), ==, 2);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM scalarAttr a JOIN scalar s "
				  "USING (scalarId) WHERE s.scalarName = 'utilization'"),
			==, 0);

	/* histograms: statistic rows, bins, derived scalars */
	check_statistic(sql, run_id, "disk", "responseTime",
			sim_stats_hist(st, "disk", "responseTime"));
	check_statistic(sql, run_id, "fault", "latency",
			sim_stats_hist(st, "fault", "latency"));
	check_statistic(sql, run_id, "mmap_sem", "waitTime",
			sim_stats_hist(st, "mmap_sem", "waitTime"));
	sim_stats_foreach_hist(st, check_hist_scalars, &e);
	/* 2 counters + 1 scalar + 3 histograms x 9 derived scalars */
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM scalar"), ==, 3 + 3 * 9);

	/* lock_stat rows */
	g_assert_cmpint(query_int(sql, "SELECT waitTimeTotal FROM lockStat "
				  "WHERE lockName = 'mmap_sem' AND mode = 'write'"),
			==, 9000);
	g_assert_cmpfloat(query_int(sql, "SELECT CAST(waitTimeAvg AS INTEGER) FROM runLockStat "
				    "WHERE mode = 'write'"), ==, 9000 / 4);
	g_assert_cmpint(query_int(sql, "SELECT conBounces * 100 + acqBounces FROM runLockStat "
				  "WHERE mode = 'read'"), ==, 670);

	/* views */
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runSummary"), ==, 1);
	s = query_text(sql, "SELECT configname || '|' || runnumber || '|' || repetition "
		       "|| '|' || iterationvars || '|' || status || '|' || seed "
		       "FROM runSummary");
	g_assert_cmpstr(s, ==, "Base|0|0|$threads=4, $io=drop|done|1000");
	g_free(s);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runScalars"), ==,
			query_int(sql, "SELECT COUNT(*) FROM scalar"));
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runStatistics"), ==, 3);
	g_assert_cmpfloat(query_int(sql, "SELECT scalarValue FROM runScalars WHERE "
				    "configname = 'Base' AND moduleName = 'fault' AND "
				    "scalarName = 'latency:count'"), ==, 5);

	fs_resultdb_close(db);
	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* ---- atomicity ------------------------------------------------------------ */

static gboolean fail_at(void *data, guint64 rows)
{
	return rows < *(guint64 *)data;
}

static gboolean count_rows(void *data, guint64 rows)
{
	*(guint64 *)data = rows;
	return TRUE;
}

/* A write that fails after k rows, for every k, leaves no trace; then the
 * same write succeeds. */
static void test_atomic_injected(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_run_record rec = record("Base-0", "Base", 0, 0, "hash-0", st);
	struct fs_resultdb *db;
	guint64 nr_rows = 0, k;
	gboolean done;
	sqlite3 *sql;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);

	/* How many rows a whole run takes, in a scratch database. */
	{
		g_autofree char *scratch = g_build_filename(dir, "scratch.db", NULL);
		struct fs_resultdb *sdb = fs_resultdb_open(scratch, &error);

		g_assert_no_error(error);
		fs_resultdb_set_row_hook(sdb, count_rows, &nr_rows);
		g_assert_true(fs_resultdb_write_run(sdb, &rec, NULL, &error));
		g_assert_cmpint(total_rows(fs_resultdb_handle(sdb)), ==, (gint64)nr_rows);
		fs_resultdb_close(sdb);
	}
	g_assert_cmpuint(nr_rows, >, 100);

	for (k = 1; k <= nr_rows; k++) {
		fs_resultdb_set_row_hook(db, fail_at, &k);
		g_assert_false(fs_resultdb_write_run(db, &rec, NULL, &error));
		g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
		g_assert_nonnull(strstr(error->message, "injected"));
		g_clear_error(&error);
		g_assert_cmpint(total_rows(sql), ==, 0);
		g_assert_true(sqlite3_get_autocommit(sql));
	}
	g_assert_true(fs_resultdb_run_done(db, "hash-0", &done, &error));
	g_assert_false(done);

	fs_resultdb_set_row_hook(db, NULL, NULL);
	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(total_rows(sql), ==, (gint64)nr_rows);
	g_assert_true(fs_resultdb_run_done(db, "hash-0", &done, &error));
	g_assert_true(done);

	fs_resultdb_close(db);
	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* Names that break the database's uniqueness rules fail the whole run,
 * naming the culprit; the runs before are untouched. */
static void test_atomic_constraint(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) good = make_stats(SEED);
	g_autoptr(sim_stats) bad = make_stats(SEED);
	struct fs_run_record rec = record("Base-0", "Base", 0, 0, "hash-0", good);
	struct fs_resultdb *db;
	gint64 before;
	gboolean done;
	sqlite3 *sql;

	/* a scalar that collides with a histogram's derived scalar */
	*sim_stats_scalar(bad, "disk", "responseTime:p99") = 1;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);
	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	before = total_rows(sql);

	rec = record("Base-1", "Base", 1, 1, "hash-1", bad);
	g_assert_false(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
	g_assert_nonnull(strstr(error->message, "disk.responseTime:p99"));
	g_assert_nonnull(strstr(error->message, "Base-1"));
	g_clear_error(&error);
	g_assert_cmpint(total_rows(sql), ==, before);
	g_assert_true(fs_resultdb_run_done(db, "hash-1", &done, &error));
	g_assert_false(done);

	/* a run name already there */
	rec = record("Base-0", "Base", 1, 1, "hash-1", good);
	g_assert_false(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
	g_clear_error(&error);
	g_assert_cmpint(total_rows(sql), ==, before);

	/* an extra attribute that repeats a standard one */
	{
		static const char *const names[] = { "configname" };
		static const char *const values[] = { "Other" };

		rec = record("Base-1", "Base", 1, 1, "hash-1", good);
		rec.attr_names = names;
		rec.attr_values = values;
		rec.n_attrs = 1;
		g_assert_false(fs_resultdb_write_run(db, &rec, NULL, &error));
		g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
		g_assert_nonnull(strstr(error->message, "configname"));
		g_clear_error(&error);
		g_assert_cmpint(total_rows(sql), ==, before);
	}

	fs_resultdb_close(db);
	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* In the child: die in the middle of the transaction, as kill -9 would. */
/* (Rows come in chunks of up to 64: the first count at or past k.) */
static gboolean die_at(void *data, guint64 rows)
{
	if (rows >= *(guint64 *)data)
		_exit(7);
	return TRUE;
}

/* A process killed in the middle of a write leaves nothing visible. */
static void test_atomic_kill(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_run_record rec = record("Base-0", "Base", 0, 0, "hash-0", st);
	struct fs_resultdb *db;
	int status;
	gboolean done;
	pid_t pid;

	/* The schema first, so that the child only writes the run. */
	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	fs_resultdb_close(db);

	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		/* 500 rows: past the attributes and the scalars, in the
		 * middle of the first histogram's bins. */
		guint64 k = 500;
		struct fs_resultdb *cdb = fs_resultdb_open(path, NULL);

		if (!cdb)
			_exit(1);
		fs_resultdb_set_row_hook(cdb, die_at, &k);
		fs_resultdb_write_run(cdb, &rec, NULL, NULL);
		_exit(2);			/* not reached */
	}
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 7);

	check_integrity(path);
	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(total_rows(fs_resultdb_handle(db)), ==, 0);
	g_assert_true(fs_resultdb_run_done(db, "hash-0", &done, &error));
	g_assert_false(done);
	/* and the file takes the run afterwards */
	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_no_error(error);
	fs_resultdb_close(db);

	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* ---- resume --------------------------------------------------------------- */

static void test_run_done(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	struct fs_run_record rec = record("Base-0", "Base", 0, 0, "hash-0", NULL);
	struct fs_resultdb *db;
	gboolean done = TRUE;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	g_assert_true(fs_resultdb_run_done(db, "hash-0", &done, &error));
	g_assert_false(done);

	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_true(fs_resultdb_run_done(db, "hash-0", &done, &error));
	g_assert_true(done);
	g_assert_true(fs_resultdb_run_done(db, "hash-1", &done, &error));
	g_assert_false(done);

	/* any finished status counts: a deadlock is a result */
	rec = record("Base-1", "Base", 1, 1, "hash-1", NULL);
	rec.status = "deadlock";
	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_true(fs_resultdb_run_done(db, "hash-1", &done, &error));
	g_assert_true(done);
	g_assert_no_error(error);

	/* across connections: another process sees it */
	fs_resultdb_close(db);
	db = fs_resultdb_open_readonly(path, &error);
	g_assert_no_error(error);
	g_assert_true(fs_resultdb_run_done(db, "hash-1", &done, &error));
	g_assert_true(done);
	fs_resultdb_close(db);

	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* ---- two writers ----------------------------------------------------------- */

#define RUNS_PER_WRITER 25

struct writer {
	const char *path;
	int id;
	guint written;
	char *error;
};

static gpointer writer_thread(gpointer data)
{
	struct writer *w = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED + w->id);
	struct fs_resultdb *db = fs_resultdb_open(w->path, &error);

	if (!db) {
		w->error = g_strdup(error->message);
		return NULL;
	}
	for (int i = 0; i < RUNS_PER_WRITER; i++) {
		g_autofree char *name = g_strdup_printf("W%d-%d", w->id, i);
		g_autofree char *hash = g_strdup_printf("hash-%d-%d", w->id, i);
		struct fs_run_record rec = record(name, "Base", (guint)i,
						  (guint)i, hash, st);

		if (!fs_resultdb_write_run(db, &rec, NULL, &error)) {
			w->error = g_strdup(error->message);
			break;
		}
		w->written++;
	}
	fs_resultdb_close(db);
	return NULL;
}

/* Two connections on two threads write the same file at the same time;
 * both complete, thanks to WAL and the busy timeout, while a third holds a
 * read transaction open. */
static void test_concurrent(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	struct writer w[2] = {
		{ .path = path, .id = 0 }, { .path = path, .id = 1 },
	};
	GThread *threads[2];
	struct fs_resultdb *db;
	sqlite3 *sql;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);
	g_assert_cmpint(sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM run"), ==, 0);

	for (int i = 0; i < 2; i++)
		threads[i] = g_thread_new("writer", writer_thread, &w[i]);
	for (int i = 0; i < 2; i++)
		g_thread_join(threads[i]);
	for (int i = 0; i < 2; i++) {
		g_assert_null(w[i].error);
		g_assert_cmpuint(w[i].written, ==, RUNS_PER_WRITER);
	}

	/* the reader's snapshot is still the one it started with */
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM run"), ==, 0);
	g_assert_cmpint(sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM run"), ==,
			2 * RUNS_PER_WRITER);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runStatus"), ==,
			2 * RUNS_PER_WRITER);
	fs_resultdb_close(db);

	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* The same with two processes, as "faultsim run" on one host would. */
static void test_two_processes(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	struct fs_resultdb *db;
	pid_t pids[2];

	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		g_assert_cmpint(pids[i], >=, 0);
		if (pids[i] == 0) {
			/* both create the file and the schema at once, too */
			struct writer w = { .path = path, .id = i };

			writer_thread(&w);
			_exit(w.error || w.written != RUNS_PER_WRITER);
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;

		g_assert_cmpint(waitpid(pids[i], &status, 0), ==, pids[i]);
		g_assert_true(WIFEXITED(status));
		g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	}

	db = fs_resultdb_open_readonly(path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(query_int(fs_resultdb_handle(db), "SELECT COUNT(*) FROM runStatus"),
			==, 2 * RUNS_PER_WRITER);
	fs_resultdb_close(db);

	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* ---- merge ------------------------------------------------------------------ */

/* A database at @path with @n runs of @config, run numbers from @first. */
static void make_db(const char *path, const char *config, guint first, guint n,
		    unsigned long seed)
{
	g_autoptr(GError) error = NULL;
	struct fs_resultdb *db = fs_resultdb_open(path, &error);

	g_assert_no_error(error);
	for (guint i = first; i < first + n; i++) {
		g_autofree char *name = g_strdup_printf("%s-%u", config, i);
		g_autofree char *hash = g_strdup_printf("%s-hash-%u", config, i);
		g_autoptr(sim_stats) st = make_stats(seed + i);
		struct fs_run_record rec = record(name, config, i, i, hash, st);

		*sim_stats_counter(st, "fault", "pgmajfault") = 1000 * seed + i;
		g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
		g_assert_no_error(error);
	}
	fs_resultdb_close(db);
}

/* Every row that hangs off run @name, as text, in a fixed order: equal in
 * two databases iff the run was copied whole. */
static char *run_fingerprint(sqlite3 *sql, const char *name)
{
	static const char *const parts[] = {
		"SELECT group_concat(x, ';') FROM (SELECT a.attrName || '=' || a.attrValue AS x "
		"FROM runAttr a JOIN run r USING (runId) WHERE r.runName = '%s' ORDER BY 1)",
		"SELECT group_concat(x, ';') FROM (SELECT s.moduleName || '.' || s.scalarName "
		"|| '=' || quote(s.scalarValue) || ':' || "
		"(SELECT group_concat(a.attrName || a.attrValue) FROM scalarAttr a "
		"WHERE a.scalarId = s.scalarId) AS x "
		"FROM scalar s JOIN run r USING (runId) WHERE r.runName = '%s' ORDER BY 1)",
		"SELECT group_concat(x, ';') FROM (SELECT t.moduleName || '.' || t.statName "
		"|| '=' || t.statCount || '/' || quote(t.statMean) || '/' || "
		"(SELECT group_concat(b.lowerEdge || ':' || b.binValue) FROM histogramBin b "
		"WHERE b.statId = t.statId) AS x "
		"FROM statistic t JOIN run r USING (runId) WHERE r.runName = '%s' ORDER BY 1)",
		"SELECT group_concat(x, ';') FROM (SELECT l.lockName || l.mode || l.waitTimeTotal AS x "
		"FROM lockStat l JOIN run r USING (runId) WHERE r.runName = '%s' ORDER BY 1)",
		"SELECT s.configHash || s.status || s.events FROM runStatus s "
		"JOIN run r USING (runId) WHERE r.runName = '%s'",
	};
	GString *out = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
		g_autofree char *q = NULL;
		g_autofree char *v = NULL;

		q = g_strdup_printf(parts[i], name);
		v = query_text(sql, "%s", q);
		g_assert_nonnull(v);
		g_string_append_printf(out, "%s\n", v);
	}
	return g_string_free(out, FALSE);
}

static void test_merge(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *a = g_build_filename(dir, "a.db", NULL);
	g_autofree char *b = g_build_filename(dir, "b.db", NULL);
	g_autofree char *c = g_build_filename(dir, "c.db", NULL);
	g_autofree char *missing = g_build_filename(dir, "missing.db", NULL);
	g_autofree char *bogus = g_build_filename(dir, "bogus.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) prints = g_ptr_array_new_with_free_func(g_free);
	struct fs_resultdb *db, *src;
	guint added = 99;
	gint64 max_run, before;
	sqlite3 *sql;

	make_db(a, "A", 0, 3, 1);
	make_db(b, "B", 0, 2, 2);	/* runIds 1, 2 again: must be remapped */
	/* c: one run already in a (same hash and run number, another name),
	 * and one new */
	make_db(c, "A", 2, 2, 1);
	{
		sqlite3 *cs;

		g_assert_cmpint(sqlite3_open(c, &cs), ==, SQLITE_OK);
		g_assert_cmpint(sqlite3_exec(cs, "UPDATE run SET runName = 'renamed' "
					     "WHERE runName = 'A-2'", NULL, NULL,
					     NULL), ==, SQLITE_OK);
		sqlite3_close(cs);
	}

	/* the fingerprints of b's runs, before */
	src = fs_resultdb_open_readonly(b, &error);
	g_assert_no_error(error);
	g_ptr_array_add(prints, run_fingerprint(fs_resultdb_handle(src), "B-0"));
	g_ptr_array_add(prints, run_fingerprint(fs_resultdb_handle(src), "B-1"));
	fs_resultdb_close(src);

	db = fs_resultdb_open(a, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);
	max_run = query_int(sql, "SELECT MAX(runId) FROM run");

	g_assert_true(fs_resultdb_merge(db, b, &added, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(added, ==, 2);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM run"), ==, 5);
	/* remapped past a's own ids, and followed by their rows */
	g_assert_cmpint(query_int(sql, "SELECT MIN(runId) FROM run WHERE runName LIKE 'B-%%'"),
			>, max_run);
	{
		g_autofree char *p0 = run_fingerprint(sql, "B-0");
		g_autofree char *p1 = run_fingerprint(sql, "B-1");

		g_assert_cmpstr(p0, ==, prints->pdata[0]);
		g_assert_cmpstr(p1, ==, prints->pdata[1]);
	}
	g_assert_cmpfloat(scalar_of(sql, "B-1", "fault", "pgmajfault"), ==, 2001);
	g_assert_cmpfloat(scalar_of(sql, "A-1", "fault", "pgmajfault"), ==, 1001);

	/* twice: nothing new */
	before = total_rows(sql);
	g_assert_true(fs_resultdb_merge(db, b, &added, &error));
	g_assert_cmpuint(added, ==, 0);
	g_assert_cmpint(total_rows(sql), ==, before);

	/* c: A-2 under another name is the same run; A-3 is new */
	g_assert_true(fs_resultdb_merge(db, c, &added, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(added, ==, 1);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM run WHERE runName = 'renamed'"),
			==, 0);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM run WHERE runName = 'A-3'"),
			==, 1);
	/* the database into itself: nothing new */
	g_assert_true(fs_resultdb_merge(db, a, &added, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(added, ==, 0);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM run"), ==, 6);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runSummary "
				  "WHERE status = 'done'"), ==, 6);

	/* bad sources: clean errors, no file created, nothing changed */
	before = total_rows(sql);
	g_assert_false(fs_resultdb_merge(db, missing, &added, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
	g_clear_error(&error);
	g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));
	{
		sqlite3 *bs;

		g_assert_cmpint(sqlite3_open(bogus, &bs), ==, SQLITE_OK);
		g_assert_cmpint(sqlite3_exec(bs, "CREATE TABLE run (x)", NULL, NULL,
					     NULL), ==, SQLITE_OK);
		sqlite3_close(bs);
	}
	g_assert_false(fs_resultdb_merge(db, bogus, &added, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
	g_clear_error(&error);
	g_assert_cmpint(total_rows(sql), ==, before);
	/* the connection is still usable after the failed merges */
	g_assert_true(fs_resultdb_merge(db, b, &added, &error));
	g_assert_cmpuint(added, ==, 0);

	fs_resultdb_close(db);
	check_integrity(a);
	check_integrity(b);
	check_integrity(c);
	rig_tmpdir_free(dir);
}

/* ---- claims, batches, measurements, files ---------------------------------- */

/* A claim row as another process would have made it, @age_s seconds ago. */
static void put_claim(sqlite3 *sql, const char *hash, guint runnumber, const char *host,
		      gint64 pid, const char *start, int age_s)
{
	g_autofree char *q = g_strdup_printf(
		"INSERT OR REPLACE INTO runClaim VALUES ('%s', %u, '%s', %" G_GINT64_FORMAT ", '%s', "
		"strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-%d seconds'))",
		hash, runnumber, host, pid, start, age_s);

	g_assert_cmpint(sqlite3_exec(sql, q, NULL, NULL, NULL), ==, SQLITE_OK);
}

/* New, ours, done, held by another host, taken over when its process is
 * gone or it is too old; given back one by one or all at once. */
static void test_claims(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_run_record rec = record("A-0", "A", 0, 0, "hash-0", st);
	g_autofree char *holder = NULL;
	struct fs_resultdb *db;
	enum fs_claim what;
	sqlite3 *sql;
	pid_t dead;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);

	g_assert_true(fs_resultdb_claim(db, "hash-0", 0, &what, &holder, &error));
	g_assert_cmpint(what, ==, FS_CLAIM_NEW);
	g_assert_null(holder);
	g_assert_true(fs_resultdb_claim(db, "hash-0", 0, &what, NULL, &error));
	g_assert_cmpint(what, ==, FS_CLAIM_NEW);	/* ours already */
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runClaim"), ==, 1);
	g_assert_cmpint(query_int(sql, "SELECT pid FROM runClaim"), ==, getpid());
	/* the run's rows take the claim away with them */
	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runClaim"), ==, 0);
	g_assert_true(fs_resultdb_claim(db, "hash-0", 0, &what, NULL, &error));
	g_assert_cmpint(what, ==, FS_CLAIM_DONE);
	/* the same configuration as another run number is another run */
	g_assert_true(fs_resultdb_claim(db, "hash-0", 7, &what, NULL, &error));
	g_assert_cmpint(what, ==, FS_CLAIM_NEW);
	g_assert_true(fs_resultdb_unclaim(db, "hash-0", 7, &error));
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runClaim"), ==, 0);

	/* another machine's claim: held, whatever its pid */
	put_claim(sql, "hash-1", 1, "elsewhere.example", 1, "", 10);
	g_assert_true(fs_resultdb_claim(db, "hash-1", 1, &what, &holder, &error));
	g_assert_cmpint(what, ==, FS_CLAIM_HELD);
	g_assert_nonnull(strstr(holder, "elsewhere.example pid 1"));
	g_clear_pointer(&holder, g_free);
	/* ... until it is older than the limit */
	fs_resultdb_set_claim_limit(db, 5);
	g_assert_true(fs_resultdb_claim(db, "hash-1", 1, &what, &holder, &error));
	g_assert_cmpint(what, ==, FS_CLAIM_TAKEN_OVER);
	g_assert_nonnull(strstr(holder, "older than the claim time limit"));
	g_clear_pointer(&holder, g_free);
	fs_resultdb_set_claim_limit(db, FS_RESULTDB_CLAIM_LIMIT_S);

	/* a claim of this host by a process that is gone */
	dead = fork();
	g_assert_cmpint(dead, >=, 0);
	if (dead == 0)
		_exit(0);
	g_assert_cmpint(waitpid(dead, NULL, 0), ==, dead);
	put_claim(sql, "hash-2", 2, g_get_host_name(), dead, "", 10);
	g_assert_true(fs_resultdb_claim(db, "hash-2", 2, &what, &holder, &error));
	g_assert_cmpint(what, ==, FS_CLAIM_TAKEN_OVER);
	g_assert_nonnull(strstr(holder, "process gone"));
	g_clear_pointer(&holder, g_free);
	/* a live process of this host (our parent) that started at another
	 * time than the claim says: its pid was reused */
	if (g_file_test("/proc/self/stat", G_FILE_TEST_EXISTS)) {
		g_autofree char *boot = NULL;

		g_assert_true(g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot,
						  NULL, NULL));
		g_strstrip(boot);
		{
			g_autofree char *start = g_strdup_printf("%s/1", boot);

			put_claim(sql, "hash-3", 3, g_get_host_name(), getppid(), start, 10);
		}
		g_assert_true(fs_resultdb_claim(db, "hash-3", 3, &what, &holder, &error));
		g_assert_cmpint(what, ==, FS_CLAIM_TAKEN_OVER);
		g_assert_nonnull(strstr(holder, "pid reused"));
		g_clear_pointer(&holder, g_free);
		/* the same, claimed before the last boot */
		put_claim(sql, "hash-4", 4, g_get_host_name(), getppid(), "another-boot/1", 10);
		g_assert_true(fs_resultdb_claim(db, "hash-4", 4, &what, &holder, &error));
		g_assert_cmpint(what, ==, FS_CLAIM_TAKEN_OVER);
		g_assert_nonnull(strstr(holder, "before a reboot"));
		g_clear_pointer(&holder, g_free);
	}

	/* all of ours go back at once; the other host's stays */
	put_claim(sql, "hash-5", 5, "elsewhere.example", 1, "", 10);
	g_assert_true(fs_resultdb_unclaim_all(db, &error));
	g_assert_no_error(error);
	g_assert_cmpint(query_int(sql, "SELECT COUNT(*) FROM runClaim"), ==, 1);

	fs_resultdb_close(db);
	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* Batches written with checkpoints on their own thread: the -wal starts
 * over instead of growing with everything written (the writer waits for a
 * checkpoint once the -wal holds 32 MiB), and every run is in the file. */
static void test_checkpoint_thread(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autofree char *wal = g_strconcat(path, "-wal", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_resultdb *db;
	gint64 most = 0, written;
	GStatBuf sb;
	guint n = 0;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	g_assert_true(fs_resultdb_checkpoint_thread(db, &error));
	g_assert_no_error(error);
	/* Until some 100 MiB went through the -wal. */
	do {
		g_assert_true(fs_resultdb_begin(db, &error));
		for (guint i = 0; i < 200; i++, n++) {
			g_autofree char *name = g_strdup_printf("C-%u", n);
			g_autofree char *hash = g_strdup_printf("hash-%u", n);
			struct fs_run_record rec = record(name, "C", n, n, hash, st);

			g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
			g_assert_no_error(error);
		}
		g_assert_true(fs_resultdb_commit(db, &error));
		g_assert_no_error(error);
		g_assert_cmpint(g_stat(wal, &sb), ==, 0);
		most = MAX(most, (gint64)sb.st_size);
		written = (gint64)query_int(fs_resultdb_handle(db), "PRAGMA page_count") *
			  query_int(fs_resultdb_handle(db), "PRAGMA page_size");
	} while (written < (100 << 20));
	g_test_message("%u runs, %" G_GINT64_FORMAT " MiB in the file, the -wal at most %"
		       G_GINT64_FORMAT " MiB", n, written >> 20, most >> 20);
	g_assert_cmpint(most, <, 64 << 20);
	g_assert_cmpint(query_int(fs_resultdb_handle(db), "SELECT COUNT(*) FROM runStatus"),
			==, n);
	fs_resultdb_close(db);
	g_assert_false(g_file_test(wal, G_FILE_TEST_EXISTS));
	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* Several runs in one transaction; a run that fails rolls the batch back,
 * which is then written again without it. */
static void test_batch(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *path = g_build_filename(dir, "results.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_resultdb *db, *other;
	guint64 k = 1;
	sqlite3 *sql;

	db = fs_resultdb_open(path, &error);
	g_assert_no_error(error);
	sql = fs_resultdb_handle(db);
	other = fs_resultdb_open(path, &error);
	g_assert_no_error(error);

	g_assert_true(fs_resultdb_begin(db, &error));
	g_assert_true(fs_resultdb_in_batch(db));
	for (guint i = 0; i < 3; i++) {
		g_autofree char *name = g_strdup_printf("B-%u", i);
		g_autofree char *hash = g_strdup_printf("hash-%u", i);
		struct fs_run_record rec = record(name, "B", i, i, hash, st);

		if (i == 2)
			fs_resultdb_set_row_hook(db, fail_at, &k);
		if (i < 2) {
			g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
			g_assert_no_error(error);
			/* nothing visible to another connection before the commit */
			g_assert_cmpint(query_int(fs_resultdb_handle(other),
						  "SELECT COUNT(*) FROM run"), ==, 0);
		} else {
			g_assert_false(fs_resultdb_write_run(db, &rec, NULL, &error));
			g_clear_error(&error);
		}
	}
	fs_resultdb_set_row_hook(db, NULL, NULL);
	/* the failure ended the batch: nothing of it is left */
	g_assert_false(fs_resultdb_in_batch(db));
	g_assert_true(sqlite3_get_autocommit(sql));
	g_assert_cmpint(total_rows(sql), ==, 0);

	/* again, without the run that failed */
	g_assert_true(fs_resultdb_begin(db, &error));
	for (guint i = 0; i < 2; i++) {
		g_autofree char *name = g_strdup_printf("B-%u", i);
		g_autofree char *hash = g_strdup_printf("hash-%u", i);
		struct fs_run_record rec = record(name, "B", i, i, hash, st);

		g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	}
	g_assert_true(fs_resultdb_commit(db, &error));
	g_assert_no_error(error);
	g_assert_false(fs_resultdb_in_batch(db));
	g_assert_cmpint(query_int(fs_resultdb_handle(other), "SELECT COUNT(*) FROM runStatus"),
			==, 2);
	/* A write outside a batch checks the foreign keys again (a batch
	 * turns them off until then). */
	{
		struct fs_run_record rec = record("B-2", "B", 2, 2, "hash-2", st);

		g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpint(query_int(sql, "PRAGMA foreign_keys"), ==, 1);

	fs_resultdb_close(other);
	fs_resultdb_close(db);
	check_integrity(path);
	rig_tmpdir_free(dir);
}

/* Measurements packed and unpacked (as a child process sends them) write
 * the same rows as the statistics they came from; damaged bytes are
 * refused. */
static void test_measurements(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *a = g_build_filename(dir, "a.db", NULL);
	g_autofree char *b = g_build_filename(dir, "b.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_run_record rec = record("M-0", "M", 0, 0, "hash-0", st);
	struct fs_measurements *m, *back;
	g_autoptr(GBytes) bytes = NULL;
	g_autofree char *fa = NULL, *fb = NULL;
	struct fs_resultdb *da, *db;
	const guint8 *data;
	gsize len;

	da = fs_resultdb_open(a, &error);
	g_assert_no_error(error);
	db = fs_resultdb_open(b, &error);
	g_assert_no_error(error);
	g_assert_true(fs_resultdb_write_run(da, &rec, NULL, &error));

	m = fs_measurements_new(st, lockstat_rows, G_N_ELEMENTS(lockstat_rows));
	g_assert_cmpuint(fs_measurements_size(m), >, 0);
	bytes = fs_measurements_pack(m);
	fs_measurements_free(m);
	data = g_bytes_get_data(bytes, &len);
	back = fs_measurements_unpack(data, len, &error);
	g_assert_no_error(error);
	rec.stats = NULL;
	rec.lockstat = NULL;
	rec.n_lockstat = 0;
	rec.measurements = back;
	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	g_assert_no_error(error);
	fs_measurements_free(back);

	fa = run_fingerprint(fs_resultdb_handle(da), "M-0");
	fb = run_fingerprint(fs_resultdb_handle(db), "M-0");
	g_assert_cmpstr(fa, ==, fb);
	g_assert_cmpint(total_rows(fs_resultdb_handle(da)), ==,
			total_rows(fs_resultdb_handle(db)));

	/* cut short, one byte more, a string past the pool: refused */
	g_assert_null(fs_measurements_unpack(data, len - 1, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
	g_clear_error(&error);
	{
		g_autofree guint8 *longer = g_malloc0(len + 1);

		memcpy(longer, data, len);
		g_assert_null(fs_measurements_unpack(longer, len + 1, &error));
		g_clear_error(&error);
	}
	{
		g_autofree guint8 *bad = g_memdup2(data, len);

		/* the first item's name offset (after a 24-byte header and
		 * its kind and module) */
		memset(bad + 24 + 8, 0xff, 4);
		g_assert_null(fs_measurements_unpack(bad, len, &error));
		g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
		g_clear_error(&error);
	}

	fs_resultdb_close(da);
	fs_resultdb_close(db);
	check_integrity(a);
	check_integrity(b);
	rig_tmpdir_free(dir);
}

static char *file_md5(const char *path)
{
	g_autofree char *data = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	return g_compute_checksum_for_data(G_CHECKSUM_MD5, (const guchar *)data, len);
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in @dir, sorted, as one string. */
static char *dir_list(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_names);
	g_ptr_array_add(names, NULL);
	return g_strjoinv(" ", (char **)names->pdata);
}

/* Foreign files are refused and left as they were; paths that cannot be
 * a database are refused as such; reading leaves no file behind. */
static void test_files(void)
{
	char *dir = rig_tmpdir_new("faultsim-resultdb");
	g_autofree char *rb = g_build_filename(dir, "rollback.db", NULL);
	g_autofree char *wal = g_build_filename(dir, "wal.db", NULL);
	g_autofree char *ours = g_build_filename(dir, "ours.db", NULL);
	g_autofree char *nodir = g_build_filename(dir, "missing", "x.db", NULL);
	g_autofree char *md5_rb = NULL, *md5_wal = NULL, *before = NULL, *after = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_stats) st = make_stats(SEED);
	struct fs_run_record rec = record("F-0", "F", 0, 0, "hash-0", st);
	struct fs_resultdb *db;
	sqlite3 *sql;
	gboolean exists;

	g_assert_cmpint(sqlite3_open(rb, &sql), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(sql, "CREATE TABLE t (x); INSERT INTO t VALUES (1)",
				     NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(sql);
	g_assert_cmpint(sqlite3_open(wal, &sql), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(sql, "PRAGMA journal_mode = WAL; CREATE TABLE t (x); "
				     "INSERT INTO t VALUES (1)", NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(sql);
	md5_rb = file_md5(rb);
	md5_wal = file_md5(wal);
	before = dir_list(dir);
	g_assert_cmpstr(before, ==, "rollback.db wal.db");

	for (int i = 0; i < 2; i++) {
		db = fs_resultdb_open(i ? wal : rb, &error);
		g_assert_null(db);
		g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
		g_assert_nonnull(strstr(error->message, "not a faultsim results database"));
		g_clear_error(&error);
		db = fs_resultdb_open_readonly(i ? wal : rb, &error);
		g_assert_null(db);
		g_clear_error(&error);
	}
	{
		g_autofree char *now_rb = file_md5(rb);
		g_autofree char *now_wal = file_md5(wal);

		g_assert_cmpstr(now_rb, ==, md5_rb);
		g_assert_cmpstr(now_wal, ==, md5_wal);
	}
	after = dir_list(dir);
	g_assert_cmpstr(after, ==, before);

	/* paths */
	g_assert_false(fs_resultdb_check_path("file:x.db", FALSE, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
	g_clear_error(&error);
	g_assert_false(fs_resultdb_check_path(":memory:", FALSE, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
	g_clear_error(&error);
	g_assert_false(fs_resultdb_check_path(dir, FALSE, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
	g_assert_nonnull(strstr(error->message, "a directory"));
	g_clear_error(&error);
	g_assert_false(fs_resultdb_check_path("/dev/null", FALSE, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
	g_assert_nonnull(strstr(error->message, "a character device"));
	g_clear_error(&error);
	g_assert_false(fs_resultdb_check_path(nodir, FALSE, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
	g_assert_nonnull(strstr(error->message, "no such directory"));
	g_clear_error(&error);
	g_assert_true(fs_resultdb_check_path(ours, FALSE, &exists, &error));
	g_assert_false(exists);
	g_assert_false(fs_resultdb_check_path(ours, TRUE, NULL, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
	g_clear_error(&error);
	g_assert_true(fs_resultdb_check_path(rb, TRUE, &exists, &error));
	g_assert_true(exists);
	g_assert_null(fs_resultdb_open(nodir, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
	g_clear_error(&error);

	/* ours, closed: in WAL mode with no -wal; reading it makes none */
	db = fs_resultdb_open(ours, &error);
	g_assert_no_error(error);
	g_assert_true(fs_resultdb_write_run(db, &rec, NULL, &error));
	fs_resultdb_close(db);
	g_free(before);
	before = dir_list(dir);
	g_assert_cmpstr(before, ==, "ours.db rollback.db wal.db");
	db = fs_resultdb_open_readonly(ours, &error);
	g_assert_no_error(error);
	g_assert_cmpint(query_int(fs_resultdb_handle(db), "SELECT COUNT(*) FROM run"), ==, 1);
	/* it cannot write */
	g_assert_cmpint(sqlite3_exec(fs_resultdb_handle(db), "DELETE FROM run", NULL, NULL, NULL),
			!=, SQLITE_OK);
	fs_resultdb_close(db);
	g_free(after);
	after = dir_list(dir);
	g_assert_cmpstr(after, ==, before);

	check_integrity(ours);
	rig_tmpdir_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/analysis/resultdb/schema", test_schema);
	g_test_add_func("/analysis/resultdb/write-read", test_write_read);
	g_test_add_func("/analysis/resultdb/atomic/injected-failure",
			test_atomic_injected);
	g_test_add_func("/analysis/resultdb/atomic/constraint",
			test_atomic_constraint);
	g_test_add_func("/analysis/resultdb/atomic/killed-writer",
			test_atomic_kill);
	g_test_add_func("/analysis/resultdb/run-done", test_run_done);
	g_test_add_func("/analysis/resultdb/two-writers", test_concurrent);
	g_test_add_func("/analysis/resultdb/two-processes", test_two_processes);
	g_test_add_func("/analysis/resultdb/merge", test_merge);
	g_test_add_func("/analysis/resultdb/claims", test_claims);
	g_test_add_func("/analysis/resultdb/batch", test_batch);
	g_test_add_func("/analysis/resultdb/checkpoint-thread", test_checkpoint_thread);
	g_test_add_func("/analysis/resultdb/measurements", test_measurements);
	g_test_add_func("/analysis/resultdb/files", test_files);

	return g_test_run();
}
