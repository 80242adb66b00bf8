/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim report (see report.h): reads the runs (runStatus, runAttr,
 * runItervar, runConfig) and their scalars, groups the values by
 * configuration and scalar and summarises each group over its
 * repetitions; or averages lockStat per configuration.
 *
 * Costs: one pass over the runs' attributes and configuration rows and one
 * over the scalars, O(rows) with a hash lookup per row; memory O(selected
 * values).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include "analysis/report.h"
#include "sim/core/types.h"

static const char *const summary_patterns[] = {
	FS_REPORT_SUMMARY_PATTERNS, NULL
};

/* ---- statistics ------------------------------------------------------------ */

void fs_report_ci(const double *v, guint n, double confidence, double *mean,
		  double *stddev, double *ci_half)
{
	g_return_if_fail(confidence > 0 && confidence < 1);

	*mean = n ? gsl_stats_mean(v, 1, n) : NAN;
	if (n < 2) {
		*stddev = NAN;
		*ci_half = NAN;
		return;
	}
	*stddev = gsl_stats_sd_m(v, 1, n, *mean);
	*ci_half = gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, n - 1) *
		   *stddev / sqrt(n);
}

/* Welch-Satterthwaite over two variance components and their sample
 * sizes, and the half-width t(df) * sqrt(u1 + u0). */
static double welch_half(double u1, guint n1, double u0, guint n0,
			 double confidence, double *df)
{
	double se2 = u1 + u0;
	double den = u1 * u1 / (n1 - 1) + u0 * u0 / (n0 - 1);

	if (se2 <= 0) {
		*df = n1 + n0 - 2;
		return 0;
	}
	*df = den > 0 ? se2 * se2 / den : n1 + n0 - 2;
	return gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, *df) * sqrt(se2);
}

void fs_report_welch(double m1, double s1, guint n1, double m0, double s0, guint n0,
		     double confidence, struct fs_report_welch *out)
{
	g_return_if_fail(confidence > 0 && confidence < 1);

	out->diff = m1 - m0;
	out->ratio = m0 != 0 ? m1 / m0 : NAN;
	out->diff_half = out->ratio_half = out->df = out->ratio_df = NAN;
	if (n1 < 2 || n0 < 2 || isnan(s1) || isnan(s0))
		return;
	out->diff_half = welch_half(s1 * s1 / n1, n1, s0 * s0 / n0, n0, confidence,
				    &out->df);
	if (m0 != 0)
		out->ratio_half = welch_half(s1 * s1 / n1 / (m0 * m0), n1,
					     m1 * m1 * (s0 * s0 / n0) / (m0 * m0 * m0 * m0),
					     n0, confidence, &out->ratio_df);
}

char *fs_report_config_version(const char *const *keys, const char *const *values,
			       guint n)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	for (guint i = 0; i < n; i++) {
		g_checksum_update(sum, (const guchar *)keys[i], -1);
		g_checksum_update(sum, (const guchar *)"=", 1);
		g_checksum_update(sum, (const guchar *)values[i], -1);
		g_checksum_update(sum, (const guchar *)"\n", 1);
	}
	return g_strdup(g_checksum_get_string(sum));
}

/* ---- the runs ---------------------------------------------------------------- */

struct run {
	gint64 id;
	guint runnumber;
	char *configname, *iterationvars, *status;
	GPtrArray *var_names;		/* char *, recorded order */
	GHashTable *vars;		/* name -> value */
	GChecksum *version;		/* over its runConfig rows */
	gboolean selected, base;
	struct fs_report_config *config;
};

static void run_free(gpointer p)
{
	struct run *r = p;

	g_free(r->configname);
	g_free(r->iterationvars);
	g_free(r->status);
	g_ptr_array_unref(r->var_names);
	g_hash_table_unref(r->vars);
	if (r->version)
		g_checksum_free(r->version);
	g_free(r);
}

static void config_free(gpointer p)
{
	struct fs_report_config *c = p;

	g_free(c->configname);
	g_free(c->iterationvars);
	g_ptr_array_unref(c->var_names);
	g_hash_table_unref(c->vars);
	g_free(c->version);
	g_free(c->statuses);
	g_free(c);
}

static void row_free(gpointer p)
{
	struct fs_report_row *r = p;

	g_free(r->module);
	g_free(r->name);
	g_free(r);
}

static void lock_free(gpointer p)
{
	struct fs_lockstat_mean *l = p;

	g_free(l->lock_name);
	g_free(l->mode);
	g_free(l);
}

void fs_report_free(struct fs_report *report)
{
	if (!report)
		return;
	/* Rows and locks point at configurations: free them first. */
	g_ptr_array_unref(report->rows);
	if (report->locks)
		g_ptr_array_unref(report->locks);
	g_ptr_array_unref(report->configs);
	g_ptr_array_unref(report->var_names);
	g_ptr_array_unref(report->unmatched);
	g_ptr_array_unref(report->metric_names);
	g_ptr_array_unref(report->strings);
	g_free(report);
}

static gboolean query_failed(struct fs_resultdb *db, GError **error)
{
	g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot query: %s",
		    fs_resultdb_path(db), sqlite3_errmsg(fs_resultdb_handle(db)));
	return FALSE;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

static gint run_cmp(gconstpointer a, gconstpointer b)
{
	const struct run *ra = *(struct run *const *)a;
	const struct run *rb = *(struct run *const *)b;

	if (ra->runnumber != rb->runnumber)
		return ra->runnumber < rb->runnumber ? -1 : 1;
	return ra->id < rb->id ? -1 : ra->id > rb->id;
}

/* Every run with a status (a "done" one unless @all_statuses), in study
 * order, indexed by id in @by_id; with attributes, variables and the
 * checksum of its configuration. */
static GPtrArray *read_runs(struct fs_resultdb *db, gboolean all_statuses,
			    GHashTable *by_id, GError **error)
{
	sqlite3 *sql = fs_resultdb_handle(db);
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func(run_free);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sql, "SELECT runId, status, runnumber FROM runStatus "
			       "WHERE ?1 OR status = 'done'", -1, &st, NULL) != SQLITE_OK) {
		query_failed(db, error);
		return NULL;
	}
	sqlite3_bind_int(st, 1, all_statuses);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct run *r = g_new0(struct run, 1);

		r->id = sqlite3_column_int64(st, 0);
		r->status = g_strdup(column_text(st, 1));
		r->runnumber = (guint)sqlite3_column_int64(st, 2);
		r->configname = g_strdup("");
		r->iterationvars = g_strdup("");
		r->var_names = g_ptr_array_new();
		r->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		r->version = g_checksum_new(G_CHECKSUM_SHA256);
		g_ptr_array_add(runs, r);
		g_hash_table_insert(by_id, &r->id, r);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		query_failed(db, error);
		return NULL;
	}

	if (sqlite3_prepare_v2(sql, "SELECT runId, attrName, attrValue FROM runAttr "
			       "WHERE attrName IN ('configname', 'iterationvars')",
			       -1, &st, NULL) != SQLITE_OK) {
		query_failed(db, error);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		struct run *r = g_hash_table_lookup(by_id, &id);
		char **field;

		if (!r)
			continue;
		field = !strcmp(column_text(st, 1), "configname") ? &r->configname
								  : &r->iterationvars;
		g_free(*field);
		*field = g_strdup(column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		query_failed(db, error);
		return NULL;
	}

	if (sqlite3_prepare_v2(sql, "SELECT runId, itervarName, itervarValue FROM runItervar "
			       "ORDER BY runId, rowid", -1, &st, NULL) != SQLITE_OK) {
		query_failed(db, error);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		struct run *r = g_hash_table_lookup(by_id, &id);
		char *name;

		if (!r)
			continue;
		name = g_strdup(column_text(st, 1));
		g_hash_table_insert(r->vars, name, g_strdup(column_text(st, 2)));
		g_ptr_array_add(r->var_names, name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		query_failed(db, error);
		return NULL;
	}

	/* As fs_report_config_version() hashes them. */
	if (sqlite3_prepare_v2(sql, "SELECT runId, configKey, configValue FROM runConfig "
			       "ORDER BY runId, configOrder", -1, &st, NULL) != SQLITE_OK) {
		query_failed(db, error);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		struct run *r = g_hash_table_lookup(by_id, &id);

		if (!r)
			continue;
		g_checksum_update(r->version, (const guchar *)column_text(st, 1), -1);
		g_checksum_update(r->version, (const guchar *)"=", 1);
		g_checksum_update(r->version, (const guchar *)column_text(st, 2), -1);
		g_checksum_update(r->version, (const guchar *)"\n", 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		query_failed(db, error);
		return NULL;
	}
	g_ptr_array_sort(runs, run_cmp);
	return g_steal_pointer(&runs);
}

/* Status counts as text: "3 done", "2 done, 1 deadlock". */
static char *status_text(GHashTable *counts, GPtrArray *order)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < order->len; i++)
		g_string_append_printf(s, "%s%u %s", i ? ", " : "",
				       GPOINTER_TO_UINT(g_hash_table_lookup(counts,
									    order->pdata[i])),
				       (const char *)order->pdata[i]);
	return g_string_free(s, FALSE);
}

/*
 * The configurations of the selected and base runs, in the order of their
 * first run; each run points at its own.  Configurations whose configname
 * and variables have several versions are marked split.
 */
static GPtrArray *make_configs(GPtrArray *runs, GPtrArray *var_names)
{
	GPtrArray *configs = g_ptr_array_new_with_free_func(config_free);
	g_autoptr(GHashTable) by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							     NULL);
	g_autoptr(GHashTable) versions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							       NULL);
	g_autoptr(GHashTable) seen_vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) status_counts = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_hash_table_unref);
	g_autoptr(GPtrArray) status_orders = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_ptr_array_unref);

	for (guint i = 0; i < runs->len; i++) {
		struct run *r = runs->pdata[i];
		const char *version;
		g_autofree char *key = NULL, *ident = NULL;
		struct fs_report_config *c;

		if (!r->selected && !r->base)
			continue;
		version = g_checksum_get_string(r->version);
		/* \x1f (unit separator) cannot occur in our names. */
		ident = g_strconcat(r->configname, "\x1f", r->iterationvars, NULL);
		key = g_strconcat(ident, "\x1f", version, NULL);
		c = g_hash_table_lookup(by_key, key);
		if (!c) {
			guint nv = GPOINTER_TO_UINT(g_hash_table_lookup(versions, ident));

			c = g_new0(struct fs_report_config, 1);
			c->configname = g_strdup(r->configname);
			c->iterationvars = g_strdup(r->iterationvars);
			c->var_names = g_ptr_array_new_with_free_func(g_free);
			c->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
			for (guint j = 0; j < r->var_names->len; j++) {
				const char *n = r->var_names->pdata[j];

				g_ptr_array_add(c->var_names, g_strdup(n));
				g_hash_table_insert(c->vars, g_strdup(n),
						    g_strdup(g_hash_table_lookup(r->vars, n)));
			}
			c->version = g_strdup(version);
			c->index = configs->len;
			g_ptr_array_add(configs, c);
			g_ptr_array_add(status_counts,
					g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL));
			g_ptr_array_add(status_orders, g_ptr_array_new_with_free_func(g_free));
			g_hash_table_insert(by_key, g_steal_pointer(&key), c);
			g_hash_table_insert(versions, g_strdup(ident), GUINT_TO_POINTER(nv + 1));
		}
		r->config = c;
		if (r->base)
			c->is_base = TRUE;
		if (r->selected) {
			GHashTable *counts = status_counts->pdata[c->index];
			guint n = GPOINTER_TO_UINT(g_hash_table_lookup(counts, r->status));

			c->shown = TRUE;
			c->nr_runs++;
			if (!n)
				g_ptr_array_add(status_orders->pdata[c->index], g_strdup(r->status));
			g_hash_table_insert(counts, g_strdup(r->status), GUINT_TO_POINTER(n + 1));
			for (guint j = 0; j < r->var_names->len; j++)
				if (g_hash_table_add(seen_vars, r->var_names->pdata[j]))
					g_ptr_array_add(var_names, g_strdup(r->var_names->pdata[j]));
		}
	}
	for (guint i = 0; i < configs->len; i++) {
		struct fs_report_config *c = configs->pdata[i];
		g_autofree char *ident = g_strconcat(c->configname, "\x1f", c->iterationvars, NULL);

		c->split = GPOINTER_TO_UINT(g_hash_table_lookup(versions, ident)) > 1;
		c->statuses = status_text(status_counts->pdata[i], status_orders->pdata[i]);
	}
	return configs;
}

/* The value of @name in @c: an iteration variable, or "configname". */
static const char *config_value(const struct fs_report_config *c, const char *name)
{
	const char *v;

	if (!strcmp(name, "\x1f" "configname"))
		return c->configname;
	v = g_hash_table_lookup(c->vars, name);
	return v ? v : "";
}

/*
 * Each shown configuration's baseline: a base configuration that agrees
 * with it on every variable the base runs do not fix.  A variable is fixed
 * when the base runs give it one value and some other run another; the
 * configname counts as a variable.  Among several, one of the same version
 * first, else the first.
 */
static void match_bases(GPtrArray *runs, GPtrArray *configs)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) fixed = g_hash_table_new(g_str_hash, g_str_equal);

	g_ptr_array_add(names, g_strdup("\x1f" "configname"));
	for (guint i = 0; i < configs->len; i++) {
		const struct fs_report_config *c = configs->pdata[i];

		for (guint j = 0; j < c->var_names->len; j++)
			if (g_hash_table_add(seen, c->var_names->pdata[j]))
				g_ptr_array_add(names, g_strdup(c->var_names->pdata[j]));
	}
	for (guint k = 0; k < names->len; k++) {
		const char *name = names->pdata[k];
		const char *base_value = NULL;
		gboolean one = TRUE, differs = FALSE;

		for (guint i = 0; i < runs->len && one; i++) {
			const struct run *r = runs->pdata[i];
			const char *v;

			if (!r->base)
				continue;
			v = config_value(r->config, name);
			if (!base_value)
				base_value = v;
			else if (strcmp(v, base_value))
				one = FALSE;
		}
		for (guint i = 0; i < configs->len && one && base_value && !differs; i++)
			differs = strcmp(config_value(configs->pdata[i], name), base_value) != 0;
		if (one && base_value && differs)
			g_hash_table_add(fixed, (gpointer)name);
	}

	for (guint i = 0; i < configs->len; i++) {
		struct fs_report_config *c = configs->pdata[i];

		if (!c->shown)
			continue;
		for (guint b = 0; b < configs->len; b++) {
			const struct fs_report_config *base = configs->pdata[b];
			gboolean agree = base->is_base;

			for (guint k = 0; k < names->len && agree; k++) {
				const char *name = names->pdata[k];

				if (!g_hash_table_contains(fixed, name))
					agree = !strcmp(config_value(c, name),
							config_value(base, name));
			}
			if (!agree)
				continue;
			if (!c->base || (strcmp(c->base->version, c->version) &&
					 !strcmp(base->version, c->version)))
				c->base = base;
		}
	}
}

/* ---- the scalars ------------------------------------------------------------- */

struct metric {
	char *module, *name;
	guint order;			/* first-recorded order */
	gint chosen;			/* row order + 1; 0: not reported */
	char *unit, *description;
};

static void metric_free(gpointer p)
{
	struct metric *m = p;

	g_free(m->module);
	g_free(m->name);
	g_free(m->unit);
	g_free(m->description);
	g_free(m);
}

static gboolean glob_match(const char *pattern, const struct metric *m)
{
	if (strchr(pattern, '.')) {
		g_autofree char *full = g_strconcat(m->module, ".", m->name, NULL);

		return g_pattern_match_simple(pattern, full);
	}
	return g_pattern_match_simple(pattern, m->name);
}

/* The unit and description recorded for @m: its scalar's attributes, else
 * (NAME:field, not :count) the statistic NAME's. */
static gboolean metric_describe(struct fs_resultdb *db, struct metric *m, GError **error)
{
	static const char scalar_sql[] =
		"SELECT (SELECT attrValue FROM scalarAttr a WHERE a.scalarId = s.scalarId "
		"AND a.attrName = 'unit'), (SELECT attrValue FROM scalarAttr a WHERE "
		"a.scalarId = s.scalarId AND a.attrName = 'description') FROM scalar s "
		"WHERE s.moduleName = ?1 AND s.scalarName = ?2 ORDER BY 1 IS NULL LIMIT 1";
	static const char stat_sql[] =
		"SELECT (SELECT attrValue FROM statisticAttr a WHERE a.statId = t.statId "
		"AND a.attrName = 'unit'), (SELECT attrValue FROM statisticAttr a WHERE "
		"a.statId = t.statId AND a.attrName = 'description') FROM statistic t "
		"WHERE t.moduleName = ?1 AND t.statName = ?2 ORDER BY 1 IS NULL LIMIT 1";
	sqlite3 *sql = fs_resultdb_handle(db);
	const char *colon = strrchr(m->name, ':');

	for (int pass = 0; pass < 2 && !m->unit; pass++) {
		g_autofree char *stat = NULL;
		sqlite3_stmt *st;
		int rc;

		if (pass == 1) {
			if (!colon || !strcmp(colon + 1, "count"))
				break;
			stat = g_strndup(m->name, colon - m->name);
		}
		if (sqlite3_prepare_v2(sql, pass ? stat_sql : scalar_sql, -1, &st,
				       NULL) != SQLITE_OK)
			return query_failed(db, error);
		sqlite3_bind_text(st, 1, m->module, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, pass ? stat : m->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				m->unit = g_strdup(column_text(st, 0));
			if (!m->description && sqlite3_column_type(st, 1) != SQLITE_NULL)
				m->description = g_strdup(column_text(st, 1));
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return query_failed(db, error);
	}
	if (!m->unit && colon && !strcmp(colon + 1, "count"))
		m->unit = g_strdup("count");
	return TRUE;
}

/* Values of one (configuration, metric). */
struct cell {
	GArray *values;			/* double */
};

static void cell_free(gpointer p)
{
	struct cell *c = p;

	g_array_free(c->values, TRUE);
	g_free(c);
}

static guint64 cell_key(guint config, guint metric)
{
	return (guint64)config << 32 | metric;
}

static gint metric_row_cmp(gconstpointer a, gconstpointer b)
{
	const struct metric *ma = *(struct metric *const *)a;
	const struct metric *mb = *(struct metric *const *)b;

	return ma->chosen < mb->chosen ? -1 : ma->chosen > mb->chosen;
}

static gboolean compute_rows(struct fs_resultdb *db, struct fs_report *rep,
			     GHashTable *by_id, const char *const *patterns,
			     gboolean report_unmatched, GError **error)
{
	sqlite3 *sql = fs_resultdb_handle(db);
	g_autoptr(GPtrArray) metrics = g_ptr_array_new_with_free_func(metric_free);
	g_autoptr(GHashTable) by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							      NULL);
	g_autoptr(GHashTable) cells = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
							    cell_free);
	g_autoptr(GPtrArray) chosen = g_ptr_array_new();
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sql, "SELECT runId, moduleName, scalarName, scalarValue "
			       "FROM scalar ORDER BY runId, scalarId", -1, &st,
			       NULL) != SQLITE_OK)
		return query_failed(db, error);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		const struct run *r = g_hash_table_lookup(by_id, &id);
		const char *module = column_text(st, 1), *name = column_text(st, 2);
		g_autofree char *full = NULL;
		struct metric *m;
		struct cell *c;
		guint64 key;
		double v;

		if (!r || !r->config)
			continue;
		full = g_strconcat(module, ".", name, NULL);
		m = g_hash_table_lookup(by_name, full);
		if (!m) {
			m = g_new0(struct metric, 1);
			m->module = g_strdup(module);
			m->name = g_strdup(name);
			m->order = metrics->len;
			g_ptr_array_add(metrics, m);
			g_hash_table_insert(by_name, g_strdup(full), m);
			g_ptr_array_add(rep->metric_names, g_steal_pointer(&full));
		}
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			continue;
		v = sqlite3_column_double(st, 3);
		key = cell_key(r->config->index, m->order);
		c = g_hash_table_lookup(cells, &key);
		if (!c) {
			c = g_new0(struct cell, 1);
			c->values = g_array_new(FALSE, FALSE, sizeof(double));
			g_hash_table_insert(cells, g_memdup2(&key, sizeof(key)), c);
		}
		g_array_append_val(c->values, v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(db, error);

	/* The metrics in the order of the patterns. */
	for (const char *const *p = patterns; *p; p++) {
		gboolean any = FALSE;

		for (guint i = 0; i < metrics->len; i++) {
			struct metric *m = metrics->pdata[i];

			if (!glob_match(*p, m))
				continue;
			any = TRUE;
			if (!m->chosen) {
				g_ptr_array_add(chosen, m);
				m->chosen = (gint)chosen->len;
			}
		}
		if (!any && report_unmatched)
			g_ptr_array_add(rep->unmatched, g_strdup(*p));
	}
	g_ptr_array_sort(chosen, metric_row_cmp);
	for (guint i = 0; i < chosen->len; i++)
		if (!metric_describe(db, chosen->pdata[i], error))
			return FALSE;

	for (guint ci = 0; ci < rep->configs->len; ci++) {
		const struct fs_report_config *c = rep->configs->pdata[ci];

		if (!c->shown)
			continue;
		for (guint i = 0; i < chosen->len; i++) {
			const struct metric *m = chosen->pdata[i];
			guint64 key = cell_key(c->index, m->order);
			const struct cell *cell = g_hash_table_lookup(cells, &key);
			struct fs_report_row *row;

			if (!cell)
				continue;
			row = g_new0(struct fs_report_row, 1);
			row->config = c;
			row->module = g_strdup(m->module);
			row->name = g_strdup(m->name);
			/* The strings live as long as the report. */
			if (m->unit) {
				g_ptr_array_add(rep->strings, g_strdup(m->unit));
				row->unit = rep->strings->pdata[rep->strings->len - 1];
			}
			if (m->description) {
				g_ptr_array_add(rep->strings, g_strdup(m->description));
				row->description = rep->strings->pdata[rep->strings->len - 1];
			}
			row->n = cell->values->len;
			fs_report_ci((const double *)(void *)cell->values->data, row->n,
				     rep->confidence, &row->mean, &row->stddev, &row->ci_half);
			row->cmp = (struct fs_report_welch){ NAN, NAN, NAN, NAN, NAN, NAN };
			row->base_mean = NAN;
			if (c->base) {
				guint64 bkey = cell_key(c->base->index, m->order);
				const struct cell *bc = g_hash_table_lookup(cells, &bkey);

				if (bc) {
					double bsd, bhalf;

					row->base_n = bc->values->len;
					fs_report_ci((const double *)(void *)bc->values->data,
						     row->base_n, rep->confidence,
						     &row->base_mean, &bsd, &bhalf);
					fs_report_welch(row->mean, row->stddev, row->n,
							row->base_mean, bsd, row->base_n,
							rep->confidence, &row->cmp);
				}
			}
			g_ptr_array_add(rep->rows, row);
		}
	}
	return TRUE;
}

/* ---- lockStat ---------------------------------------------------------------- */

/* Whether lockStat has the bounce columns (files made before they were). */
static gboolean lockstat_has_bounces(sqlite3 *sql)
{
	sqlite3_stmt *st;
	gboolean found = FALSE;

	if (sqlite3_prepare_v2(sql, "SELECT 1 FROM pragma_table_info('lockStat') "
			       "WHERE name = 'conBounces'", -1, &st, NULL) != SQLITE_OK)
		return FALSE;
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* *@found = whether a run recorded bounce counters for @lock (the model
 * has its cache line). */
static gboolean bounces_known(struct fs_resultdb *db, const char *lock, gboolean *found,
			      GError **error)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(fs_resultdb_handle(db), "SELECT 1 FROM scalar WHERE "
			       "moduleName = ?1 AND scalarName IN ('readAcqBounces', "
			       "'writeAcqBounces', 'acqBounces') LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return query_failed(db, error);
	sqlite3_bind_text(st, 1, lock, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return query_failed(db, error);
	return TRUE;
}

static gboolean compute_locks(struct fs_resultdb *db, struct fs_report *rep,
			      GHashTable *by_id, GError **error)
{
	sqlite3 *sql = fs_resultdb_handle(db);
	g_autoptr(GHashTable) by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							     NULL);
	g_autoptr(GHashTable) known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							    NULL);
	g_autofree char *query = g_strdup_printf(
		"SELECT runId, lockName, mode, contentions, acquisitions, waitTimeMin, "
		"waitTimeMax, waitTimeTotal, holdTimeMin, holdTimeMax, holdTimeTotal, %s "
		"FROM lockStat ORDER BY runId, rowid",
		lockstat_has_bounces(sql) ? "conBounces, acqBounces" : "0, 0");
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sql, query, -1, &st, NULL) != SQLITE_OK)
		return query_failed(db, error);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		const struct run *r = g_hash_table_lookup(by_id, &id);
		g_autofree char *key = NULL;
		struct fs_lockstat_mean *l;
		double cont, acq;

		if (!r || !r->selected)
			continue;
		key = g_strdup_printf("%u\x1f%s\x1f%s", r->config->index, column_text(st, 1),
				      column_text(st, 2));
		l = g_hash_table_lookup(by_key, key);
		if (!l) {
			l = g_new0(struct fs_lockstat_mean, 1);
			l->config = r->config;
			l->lock_name = g_strdup(column_text(st, 1));
			l->mode = g_strdup(column_text(st, 2));
			l->wait_min = l->hold_min = INFINITY;
			l->wait_max = l->hold_max = -INFINITY;
			g_ptr_array_add(rep->locks, l);
			g_hash_table_insert(by_key, g_steal_pointer(&key), l);
		}
		l->n++;
		cont = sqlite3_column_double(st, 3);
		acq = sqlite3_column_double(st, 4);
		l->contentions += cont;
		l->acquisitions += acq;
		/* A minimum of 0 with no sample is no minimum. */
		if (cont > 0) {
			l->wait_min = MIN(l->wait_min, sqlite3_column_double(st, 5));
			l->wait_max = MAX(l->wait_max, sqlite3_column_double(st, 6));
		}
		l->wait_total += sqlite3_column_double(st, 7);
		if (acq > 0) {
			l->hold_min = MIN(l->hold_min, sqlite3_column_double(st, 8));
			l->hold_max = MAX(l->hold_max, sqlite3_column_double(st, 9));
		}
		l->hold_total += sqlite3_column_double(st, 10);
		l->con_bounces += sqlite3_column_double(st, 11);
		l->acq_bounces += sqlite3_column_double(st, 12);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(db, error);

	for (guint i = 0; i < rep->locks->len; i++) {
		struct fs_lockstat_mean *l = rep->locks->pdata[i];
		double runs = l->config->nr_runs ? l->config->nr_runs : 1;
		gpointer k;

		l->wait_avg = l->contentions > 0 ? l->wait_total / l->contentions : 0;
		l->hold_avg = l->acquisitions > 0 ? l->hold_total / l->acquisitions : 0;
		l->con_bounces /= runs;
		l->contentions /= runs;
		l->acq_bounces /= runs;
		l->acquisitions /= runs;
		l->wait_total /= runs;
		l->hold_total /= runs;
		if (isinf(l->wait_min))
			l->wait_min = l->wait_max = 0;
		if (isinf(l->hold_min))
			l->hold_min = l->hold_max = 0;
		if (!g_hash_table_lookup_extended(known, l->lock_name, NULL, &k)) {
			gboolean found;

			if (!bounces_known(db, l->lock_name, &found, error))
				return FALSE;
			k = GINT_TO_POINTER(found);
			g_hash_table_insert(known, g_strdup(l->lock_name), k);
		}
		l->bounces_known = GPOINTER_TO_INT(k);
	}
	return TRUE;
}

/* ---- the report ---------------------------------------------------------------- */

struct fs_report *fs_report_compute(struct fs_resultdb *db,
				    const struct fs_report_options *opts,
				    GError **error)
{
	const struct fs_report_options defaults = { 0 };
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(GPtrArray) runs = NULL;
	g_autoptr(fs_report) rep = g_new0(struct fs_report, 1);

	if (!opts)
		opts = &defaults;
	rep->confidence = opts->confidence != 0 ? opts->confidence : 0.95;
	rep->rows = g_ptr_array_new_with_free_func(row_free);
	rep->var_names = g_ptr_array_new_with_free_func(g_free);
	rep->unmatched = g_ptr_array_new_with_free_func(g_free);
	rep->metric_names = g_ptr_array_new_with_free_func(g_free);
	rep->strings = g_ptr_array_new_with_free_func(g_free);
	rep->configs = g_ptr_array_new_with_free_func(config_free);
	rep->compared = opts->base_runs != NULL;
	if (!(rep->confidence > 0 && rep->confidence < 1)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "confidence level %g is not in (0, 1)", rep->confidence);
		return NULL;
	}

	runs = read_runs(db, opts->all_statuses, by_id, error);
	if (!runs)
		return NULL;
	for (guint i = 0; i < runs->len; i++) {
		struct run *r = runs->pdata[i];

		r->selected = !opts->runs || g_hash_table_contains(opts->runs, &r->id);
		r->base = opts->base_runs && g_hash_table_contains(opts->base_runs, &r->id);
	}
	g_ptr_array_unref(rep->configs);
	rep->configs = make_configs(runs, rep->var_names);
	if (opts->base_runs)
		match_bases(runs, rep->configs);

	if (opts->lock_stat) {
		rep->locks = g_ptr_array_new_with_free_func(lock_free);
		if (!compute_locks(db, rep, by_id, error))
			return NULL;
	} else if (!compute_rows(db, rep, by_id,
				 opts->patterns ? opts->patterns : summary_patterns,
				 opts->patterns != NULL, error)) {
		return NULL;
	}
	return g_steal_pointer(&rep);
}

/* "KEY: A here, B there" for the keys whose values differ between @here
 * and @there (key -> value), up to three, then "...". */
static char *config_differences(const char *const *keys, const char *const *values, guint n,
				GHashTable *there)
{
	GString *s = g_string_new(NULL);
	guint shown = 0, more = 0;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < n; i++) {
		const char *t = g_hash_table_lookup(there, keys[i]);

		g_hash_table_add(seen, (gpointer)keys[i]);
		if (t && !strcmp(t, values[i]))
			continue;
		if (shown++ >= 3) {
			more++;
			continue;
		}
		g_string_append_printf(s, "%s%s: %s here, %s there", s->len ? "; " : "", keys[i],
				       values[i], t ? t : "unset");
	}
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, there);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (g_hash_table_contains(seen, k))
			continue;
		if (shown++ >= 3) {
			more++;
			continue;
		}
		g_string_append_printf(s, "%s%s: unset here, %s there", s->len ? "; " : "",
				       (const char *)k, (const char *)v);
	}
	if (more)
		g_string_append_printf(s, "; %u more", more);
	return g_string_free(s, FALSE);
}

gboolean fs_report_other_versions(struct fs_resultdb *db, const char *configname,
				  const char *iterationvars, const char *const *keys,
				  const char *const *values, guint n, guint *n_runs,
				  char **differs, GError **error)
{
	static const char query[] =
		"SELECT c.runId, c.configKey, c.configValue FROM runConfig c "
		"WHERE c.runId IN (SELECT a.runId FROM runAttr a JOIN runAttr b "
		"USING (runId) JOIN runStatus s USING (runId) "
		"WHERE a.attrName = 'configname' AND a.attrValue = ?1 "
		"AND b.attrName = 'iterationvars' AND b.attrValue = ?2) "
		"ORDER BY c.runId, c.configOrder";
	g_autofree char *version = fs_report_config_version(keys, values, n);
	g_autoptr(GHashTable) there = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							    g_free);
	sqlite3_stmt *st;
	GChecksum *sum = NULL;
	gint64 current = -1;
	int rc;

	*n_runs = 0;
	if (differs)
		*differs = NULL;
	if (sqlite3_prepare_v2(fs_resultdb_handle(db), query, -1, &st, NULL) != SQLITE_OK)
		return query_failed(db, error);
	sqlite3_bind_text(st, 1, configname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, iterationvars ? iterationvars : "", -1, SQLITE_STATIC);
	for (;;) {
		gint64 id = -1;

		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		/* The end of a run's rows: compare its version. */
		if (sum && id != current) {
			if (strcmp(g_checksum_get_string(sum), version)) {
				(*n_runs)++;
				if (differs && !*differs)
					*differs = config_differences(keys, values, n, there);
			}
			g_checksum_free(sum);
			sum = NULL;
			g_hash_table_remove_all(there);
		}
		if (rc != SQLITE_ROW)
			break;
		if (!sum) {
			sum = g_checksum_new(G_CHECKSUM_SHA256);
			current = id;
		}
		g_checksum_update(sum, (const guchar *)column_text(st, 1), -1);
		g_checksum_update(sum, (const guchar *)"=", 1);
		g_checksum_update(sum, (const guchar *)column_text(st, 2), -1);
		g_checksum_update(sum, (const guchar *)"\n", 1);
		g_hash_table_insert(there, g_strdup(column_text(st, 1)),
				    g_strdup(column_text(st, 2)));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(db, error);
	return TRUE;
}
