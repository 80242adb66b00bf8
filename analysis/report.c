/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim report (see report.h): reads runScalars, groups the values by
 * (configname, iterationvars, moduleName, scalarName) and summarises each
 * group over its repetitions.
 *
 * Costs: one pass over the selected scalars, O(rows) with a hash lookup per
 * row; memory O(selected values).
 */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include "analysis/report.h"
#include "sim/core/types.h"

static const char *const default_patterns[] = {
	FS_REPORT_DEFAULT_PATTERNS, NULL
};

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

static void row_free(gpointer p)
{
	struct fs_report_row *r = p;

	g_free(r->configname);
	g_free(r->iterationvars);
	g_free(r->module);
	g_free(r->name);
	g_free(r);
}

/* Values gathered for one report line, before summarising. */
struct group {
	struct fs_report_row *row;
	guint config_index;		/* first-seen order of the configuration */
	guint order;			/* first-seen order of the line */
	GArray *values;			/* double */
};

static void group_free(gpointer p)
{
	struct group *g = p;

	if (g->row)
		row_free(g->row);
	g_array_free(g->values, TRUE);
	g_free(g);
}

static gint group_cmp(gconstpointer a, gconstpointer b)
{
	const struct group *ga = *(struct group *const *)a;
	const struct group *gb = *(struct group *const *)b;

	if (ga->config_index != gb->config_index)
		return ga->config_index < gb->config_index ? -1 : 1;
	return ga->order < gb->order ? -1 : ga->order > gb->order;
}

static gboolean selected(const char *const *patterns, const char *module,
			 const char *name, gboolean is_counter,
			 gboolean counters)
{
	g_autofree char *full = NULL;

	if (is_counter && counters)
		return TRUE;
	for (; *patterns; patterns++) {
		if (strchr(*patterns, '.')) {
			if (!full)
				full = g_strconcat(module, ".", name, NULL);
			if (fnmatch(*patterns, full, 0) == 0)
				return TRUE;
		} else if (fnmatch(*patterns, name, 0) == 0) {
			return TRUE;
		}
	}
	return FALSE;
}

static const char report_sql[] =
	"SELECT s.configname, s.iterationvars, s.moduleName, s.scalarName, "
	"s.scalarValue, EXISTS (SELECT 1 FROM scalarAttr a WHERE "
	"a.scalarId = s.scalarId AND a.attrName = 'kind' AND a.attrValue = 'counter') "
	"FROM runScalars s WHERE s.status IS NOT NULL AND (?1 OR s.status = 'done') "
	"ORDER BY s.runnumber, s.runId, s.scalarId";

static const char *column_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

GPtrArray *fs_report_compute(struct fs_resultdb *db,
			     const struct fs_report_options *opts,
			     GError **error)
{
	const char *const *patterns = default_patterns;
	gboolean counters = TRUE, all_statuses = FALSE;
	double confidence = 0.95;
	g_autoptr(GHashTable) groups = NULL;	/* key -> struct group */
	g_autoptr(GHashTable) configs = NULL;	/* config key -> index + 1 */
	g_autoptr(GPtrArray) order = NULL;	/* struct group, owns */
	GPtrArray *rows;
	sqlite3 *sql = fs_resultdb_handle(db);
	sqlite3_stmt *st;
	int rc;

	if (opts) {
		if (opts->patterns) {
			patterns = opts->patterns;
			counters = opts->counters;
		}
		all_statuses = opts->all_statuses;
		if (opts->confidence != 0)
			confidence = opts->confidence;
	}
	if (!(confidence > 0 && confidence < 1)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "confidence level %g is not in (0, 1)", confidence);
		return NULL;
	}

	if (sqlite3_prepare_v2(sql, report_sql, -1, &st, NULL) != SQLITE_OK) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot query: %s",
			    fs_resultdb_path(db), sqlite3_errmsg(sql));
		return NULL;
	}
	sqlite3_bind_int(st, 1, all_statuses);

	groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	configs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	order = g_ptr_array_new_with_free_func(group_free);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *config = column_text(st, 0);
		const char *itervars = column_text(st, 1);
		const char *module = column_text(st, 2);
		const char *name = column_text(st, 3);
		gboolean is_counter = sqlite3_column_int(st, 5);
		g_autofree char *ckey = NULL;
		char *key;
		struct group *g;
		double v;

		if (sqlite3_column_type(st, 4) == SQLITE_NULL ||
		    !selected(patterns, module, name, is_counter, counters))
			continue;
		v = sqlite3_column_double(st, 4);

		/* \x1f (unit separator) cannot occur in our names. */
		ckey = g_strconcat(config, "\x1f", itervars, NULL);
		key = g_strconcat(ckey, "\x1f", module, "\x1f", name, NULL);
		g = g_hash_table_lookup(groups, key);
		if (!g) {
			guint ci = GPOINTER_TO_UINT(g_hash_table_lookup(configs, ckey));

			if (!ci) {
				ci = g_hash_table_size(configs) + 1;
				g_hash_table_insert(configs, g_strdup(ckey),
						    GUINT_TO_POINTER(ci));
			}
			g = g_new0(struct group, 1);
			g->row = g_new0(struct fs_report_row, 1);
			g->row->configname = g_strdup(config);
			g->row->iterationvars = g_strdup(itervars);
			g->row->module = g_strdup(module);
			g->row->name = g_strdup(name);
			g->config_index = ci;
			g->order = order->len;
			g->values = g_array_new(FALSE, FALSE, sizeof(double));
			g_hash_table_insert(groups, key, g);
			g_ptr_array_add(order, g);
		} else {
			g_free(key);
		}
		g_array_append_val(g->values, v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot query: %s",
			    fs_resultdb_path(db), sqlite3_errmsg(sql));
		return NULL;
	}

	g_ptr_array_sort(order, group_cmp);
	rows = g_ptr_array_new_with_free_func(row_free);
	for (guint i = 0; i < order->len; i++) {
		struct group *g = order->pdata[i];
		struct fs_report_row *r = g->row;

		r->n = g->values->len;
		fs_report_ci((const double *)(void *)g->values->data, r->n,
			     confidence, &r->mean, &r->stddev, &r->ci_half);
		g_ptr_array_add(rows, r);
		g->row = NULL;
	}
	return rows;
}

/* ---- output -------------------------------------------------------------- */

/* Numbers use '.' whatever the locale. */
static char *format_number(double v, int digits)
{
	char fmt[8], buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (isnan(v))
		return g_strdup("-");
	g_snprintf(fmt, sizeof(fmt), "%%.%dg", digits);
	return g_strdup(g_ascii_formatd(buf, sizeof(buf), fmt, v));
}

enum { COL_CONFIG, COL_ITERVARS, COL_MODULE, COL_NAME, COL_N, COL_MEAN,
       COL_CI, COL_SD, NR_COLS };

char *fs_report_format_table(const GPtrArray *rows, double confidence)
{
	g_autofree char *ci_label = NULL;
	const char *header[NR_COLS] = {
		"config", "iterationvars", "module", "scalar", "n", "mean",
		NULL, "stddev",
	};
	/* Numbers are right-aligned. */
	static const gboolean right[NR_COLS] = {
		[COL_N] = TRUE, [COL_MEAN] = TRUE, [COL_CI] = TRUE,
		[COL_SD] = TRUE,
	};
	g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);
	size_t width[NR_COLS];
	GString *out = g_string_new(NULL);
	guint nr_lines = rows->len + 1;

	if (confidence == 0)
		confidence = 0.95;
	ci_label = g_strdup_printf("+-%g%%", 100 * confidence);
	header[COL_CI] = ci_label;

	for (int c = 0; c < NR_COLS; c++)
		g_ptr_array_add(cells, g_strdup(header[c]));
	for (guint i = 0; i < rows->len; i++) {
		const struct fs_report_row *r = rows->pdata[i];
		const struct fs_report_row *prev = i ? rows->pdata[i - 1] : NULL;
		gboolean same = prev && !strcmp(prev->configname, r->configname) &&
				!strcmp(prev->iterationvars, r->iterationvars);

		g_ptr_array_add(cells, g_strdup(same ? "" : r->configname));
		g_ptr_array_add(cells, g_strdup(same ? "" : r->iterationvars));
		g_ptr_array_add(cells, g_strdup(r->module));
		g_ptr_array_add(cells, g_strdup(r->name));
		g_ptr_array_add(cells, g_strdup_printf("%u", r->n));
		g_ptr_array_add(cells, format_number(r->mean, 6));
		g_ptr_array_add(cells, format_number(r->ci_half, 3));
		g_ptr_array_add(cells, format_number(r->stddev, 3));
	}

	for (int c = 0; c < NR_COLS; c++) {
		width[c] = 0;
		for (guint l = 0; l < nr_lines; l++)
			width[c] = MAX(width[c],
				       strlen(cells->pdata[l * NR_COLS + c]));
	}
	for (guint l = 0; l < nr_lines; l++) {
		for (int c = 0; c < NR_COLS; c++) {
			const char *s = cells->pdata[l * NR_COLS + c];
			int w = (int)width[c];

			if (c)
				g_string_append(out, "  ");
			if (right[c])
				g_string_append_printf(out, "%*s", w, s);
			else if (c == NR_COLS - 1)
				g_string_append(out, s);
			else
				g_string_append_printf(out, "%-*s", w, s);
		}
		/* no trailing blanks */
		while (out->len && out->str[out->len - 1] == ' ')
			g_string_truncate(out, out->len - 1);
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

/* A CSV field, quoted if it holds a comma, a quote or a line break. */
static void csv_field(GString *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		g_string_append(out, s);
		return;
	}
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

static void csv_number(GString *out, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	/* The shortest text that reads back as the same double. */
	if (!isnan(v))
		g_string_append(out, g_ascii_dtostr(buf, sizeof(buf), v));
}

char *fs_report_format_csv(const GPtrArray *rows)
{
	GString *out = g_string_new(
		"configname,iterationvars,module,scalar,n,mean,ci_half,stddev\n");

	for (guint i = 0; i < rows->len; i++) {
		const struct fs_report_row *r = rows->pdata[i];

		csv_field(out, r->configname);
		g_string_append_c(out, ',');
		csv_field(out, r->iterationvars);
		g_string_append_c(out, ',');
		csv_field(out, r->module);
		g_string_append_c(out, ',');
		csv_field(out, r->name);
		g_string_append_printf(out, ",%u,", r->n);
		csv_number(out, r->mean);
		g_string_append_c(out, ',');
		csv_number(out, r->ci_half);
		g_string_append_c(out, ',');
		csv_number(out, r->stddev);
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}
