/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim plot: a picture of a results database, drawn by gnuplot.
 *
 * Three kinds, chosen by what -p names:
 *
 *   a scalar    its mean over the repetitions against the iteration
 *               variable -x, with error bars of the confidence interval
 *               report prints (Student t, fs_report_ci()), one line per
 *               value of --by.  A numeric -x (plain numbers, or all times,
 *               or all sizes) is sorted and spaced by value; anything else
 *               is a category axis in the order of the study.  Runs that
 *               differ in something other than -x and --by are refused,
 *               not pooled: --where picks one of them.
 *   --cdf       the distribution of a histogram (statistic), pooled over
 *               the repetitions of each configuration (or of each value of
 *               --by): the fraction of samples below each bin edge.
 *   a vector    its values over simulated time, one line per run.
 *
 * gnuplot reads two files this command writes: NAME.dat, the numbers
 * plotted, in the database's units (ns, bytes; the script scales them to
 * the unit it prints), and NAME.gp, the script.  They live in a temporary
 * directory, or where --keep-script says; --dry-run writes them (next to
 * -o unless --keep-script) and does not run gnuplot, which is how the
 * tests read what gnuplot is fed.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "analysis/report.h"
#include "cli/cli.h"
#include "cli/runs.h"
#include "sim/core/types.h"

enum plot_kind { PLOT_SCALAR, PLOT_CDF, PLOT_VECTOR };

struct plot {
	struct fs_resultdb *db;
	struct cli_runs *runs;
	const char *pattern;		/* -p */
	const char *xvar, *byvar;	/* -x, --by; without '$' */
	const char *out;		/* -o */
	gboolean svg;
	const char *title;
	const char *log;		/* "x", "y", "xy" or NULL */
	double confidence;
	enum plot_kind kind;
	char *module, *name;		/* what -p resolved to */
	char *unit;			/* its unit, NULL if none recorded */
	GString *data;			/* NAME.dat */
	GString *plots;			/* the plot command's parts */
	guint nr_lines;
};

static gboolean query_failed(struct plot *p, GError **error)
{
	g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot query: %s",
		    fs_resultdb_path(p->db),
		    sqlite3_errmsg(fs_resultdb_handle(p->db)));
	return FALSE;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

/* @s as a gnuplot single-quoted string (no escapes but '' for '). */
static void gp_string(GString *out, const char *s)
{
	g_string_append_c(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			g_string_append_c(out, '\'');
		g_string_append_c(out, *s == '\n' ? ' ' : *s);
	}
	g_string_append_c(out, '\'');
}

/* @s as a string in a data file: in double quotes, which it cannot hold. */
static void dat_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++)
		g_string_append_c(out, *s == '"' || *s == '\n' ? '\'' : *s);
	g_string_append_c(out, '"');
}

/* gnuplot's "using" expression for column @col divided by @scale, plus
 * @shift: "1" when there is nothing to do. */
static char *column_expr(int col, double scale, double shift)
{
	char sc[32], sh[32];

	if (scale == 1 && shift == 0)
		return g_strdup_printf("%d", col);
	cli_format_double(sc, scale);
	cli_format_double(sh, shift);
	if (shift == 0)
		return g_strdup_printf("($%d/%s)", col, sc);
	return g_strdup_printf("($%d/%s%s%s)", col, sc, shift > 0 ? "+" : "", sh);
}

static void put_number(GString *out, double v)
{
	char buf[32];

	cli_format_double(buf, v);
	g_string_append(out, buf);
}

/* ---- what -p names -------------------------------------------------------- */

/* The (module, name) pairs of @sql that @p->pattern matches, appended to
 * @matches as "module\x1fname"; every pair to @all as "module.name" or
 * "name" (as the pattern is written), for suggestions. */
static gboolean match_names(struct plot *p, const char *sql, GPtrArray *matches,
			    GPtrArray *all, GError **error)
{
	gboolean full = strchr(p->pattern, '.') != NULL;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(fs_resultdb_handle(p->db), sql, -1, &st, NULL) != SQLITE_OK)
		return query_failed(p, error);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *module = column_text(st, 0), *name = column_text(st, 1);

		if (cli_glob_match1(p->pattern, module, name))
			g_ptr_array_add(matches, g_strconcat(module, "\x1f", name, NULL));
		if (all)
			g_ptr_array_add(all, full ? g_strconcat(module, ".", name, NULL)
						  : g_strdup(name));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(p, error);
	return TRUE;
}

/* Resolve -p to one scalar, histogram (--cdf) or vector. */
static gboolean resolve_metric(struct plot *p, gboolean cdf, GError **error)
{
	static const char sql_scalars[] =
		"SELECT DISTINCT moduleName, scalarName FROM scalar ORDER BY moduleName, scalarName";
	static const char sql_hists[] =
		"SELECT DISTINCT moduleName, statName FROM statistic WHERE isHistogram "
		"ORDER BY moduleName, statName";
	static const char sql_vectors[] =
		"SELECT DISTINCT moduleName, vectorName FROM vector ORDER BY moduleName, vectorName";
	g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
	const char *what = cdf ? "histogram" : "scalar or vector";

	if (cdf) {
		p->kind = PLOT_CDF;
		if (!match_names(p, sql_hists, matches, all, error))
			return FALSE;
	} else {
		p->kind = PLOT_SCALAR;
		if (!match_names(p, sql_scalars, matches, all, error))
			return FALSE;
		if (!matches->len) {
			p->kind = PLOT_VECTOR;
			if (!match_names(p, sql_vectors, matches, all, error))
				return FALSE;
		}
	}
	if (!matches->len) {
		g_autofree char *closest = cli_closest_names(p->pattern, all, 5);

		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "-p '%s' names no %s in %s%s%s", p->pattern, what,
			    fs_resultdb_path(p->db), *closest ? "; closest: " : "", closest);
		return FALSE;
	}
	if (matches->len > 1) {
		g_autoptr(GString) list = g_string_new(NULL);

		for (guint i = 0; i < matches->len && i < 8; i++) {
			char *m = matches->pdata[i];

			g_string_append_printf(list, "%s%.*s.%s", i ? ", " : "",
					       (int)(strchr(m, '\x1f') - m), m,
					       strchr(m, '\x1f') + 1);
		}
		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "-p '%s' names %u %ss (%s%s); name one, as MODULE.NAME",
			    p->pattern, matches->len, cdf ? "histogram" : "scalar", list->str,
			    matches->len > 8 ? ", ..." : "");
		return FALSE;
	}
	{
		const char *m = matches->pdata[0];
		const char *sep = strchr(m, '\x1f');

		p->module = g_strndup(m, sep - m);
		p->name = g_strdup(sep + 1);
	}
	return TRUE;
}

/* The unit the database records for the metric: its attribute 'unit', or
 * for a statistic's field (NAME:mean, not :count) the statistic's. */
static gboolean find_unit(struct plot *p, GError **error)
{
	static const char *const sql[] = {
		[PLOT_SCALAR] = "SELECT a.attrValue FROM scalar s JOIN scalarAttr a USING (scalarId) "
				"WHERE s.moduleName = ?1 AND s.scalarName = ?2 "
				"AND a.attrName = 'unit' LIMIT 1",
		[PLOT_CDF] = "SELECT a.attrValue FROM statistic s JOIN statisticAttr a USING (statId) "
			     "WHERE s.moduleName = ?1 AND s.statName = ?2 "
			     "AND a.attrName = 'unit' LIMIT 1",
		[PLOT_VECTOR] = "SELECT a.attrValue FROM vector v JOIN vectorAttr a USING (vectorId) "
				"WHERE v.moduleName = ?1 AND v.vectorName = ?2 "
				"AND a.attrName = 'unit' LIMIT 1",
	};
	const char *colon = strrchr(p->name, ':');
	sqlite3 *h = fs_resultdb_handle(p->db);
	sqlite3_stmt *st;
	int rc;

	for (int pass = 0; pass < 2 && !p->unit; pass++) {
		g_autofree char *stat = NULL;

		if (pass == 1) {
			/* A statistic's field. */
			if (p->kind != PLOT_SCALAR || !colon || !strcmp(colon + 1, "count"))
				break;
			stat = g_strndup(p->name, colon - p->name);
		}
		if (sqlite3_prepare_v2(h, sql[pass ? PLOT_CDF : p->kind], -1, &st,
				       NULL) != SQLITE_OK)
			return query_failed(p, error);
		sqlite3_bind_text(st, 1, p->module, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, pass ? stat : p->name, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) && *sqlite3_column_text(st, 0))
			p->unit = g_strdup(column_text(st, 0));
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return query_failed(p, error);
	}
	return TRUE;
}

/* ---- grouping runs -------------------------------------------------------- */

/* The distinct values of @name over @runs, in order of first appearance,
 * sorted numerically if they all read as numbers of one kind (then *@kind
 * is 'n', 't' or 's'; else 0). */
static GPtrArray *distinct_values(GPtrArray *runs, const char *name, char *kind)
{
	GPtrArray *values = g_ptr_array_new();
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	char k = 0;

	for (guint i = 0; i < runs->len; i++) {
		const char *v = cli_run_value(runs->pdata[i], name);

		if (!v)
			v = "";
		if (g_hash_table_add(seen, (gpointer)v))
			g_ptr_array_add(values, (gpointer)v);
	}
	/* Numeric: every value plain, or every value a time, or a size. */
	for (const char *kinds = "nts"; *kinds && !k; kinds++) {
		guint i;

		for (i = 0; i < values->len; i++) {
			double d;
			char vk;

			if (!cli_parse_number(values->pdata[i], &d, &vk))
				break;
			if (vk != *kinds && !(*kinds != 'n' && vk == 'n' && d == 0))
				break;
		}
		if (i == values->len && values->len)
			k = *kinds;
	}
	if (k) {
		/* Insertion sort: a handful of values. */
		for (guint i = 1; i < values->len; i++) {
			for (guint j = i; j > 0; j--) {
				double a, b;

				cli_parse_number(values->pdata[j - 1], &a, NULL);
				cli_parse_number(values->pdata[j], &b, NULL);
				if (a <= b)
					break;
				gpointer t = values->pdata[j];

				values->pdata[j] = values->pdata[j - 1];
				values->pdata[j - 1] = t;
			}
		}
	}
	if (kind)
		*kind = k;
	return values;
}

/* Refuse to pool runs that differ in more than @a and @b (@b may be NULL):
 * configname and every other iteration variable must be one value.
 * @suggest_by: the message may suggest --by. */
static gboolean check_pooling(struct plot *p, const char *a, const char *b,
			      gboolean suggest_by, GError **error)
{
	GPtrArray *runs = p->runs->runs;
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GString) varying = g_string_new(NULL);
	const char *first = NULL;

	g_ptr_array_add(names, (gpointer)"configname");
	for (guint i = 0; i < p->runs->var_names->len; i++)
		g_ptr_array_add(names, p->runs->var_names->pdata[i]);
	for (guint i = 0; i < names->len; i++) {
		const char *n = names->pdata[i];
		g_autoptr(GPtrArray) values = NULL;

		if ((a && !strcmp(n, a)) || (b && !strcmp(n, b)))
			continue;
		values = distinct_values(runs, n, NULL);
		if (values->len < 2)
			continue;
		if (!first)
			first = n;
		g_string_append_printf(varying, "%s%s (", varying->len ? "; " : "", n);
		for (guint j = 0; j < values->len && j < 6; j++)
			g_string_append_printf(varying, "%s%s", j ? ", " : "",
					       (const char *)values->pdata[j]);
		g_string_append(varying, values->len > 6 ? ", ...)" : ")");
	}
	if (!first)
		return TRUE;
	{
		g_autoptr(GPtrArray) values = distinct_values(runs, first, NULL);

		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "the runs differ in more than %s%s%s: %s; pick one with "
			    "--where '$%s=%s'%s%s", a, b ? " and " : "", b ? b : "",
			    varying->str, first, (const char *)values->pdata[0],
			    suggest_by ? " or draw a line for each with --by " : "",
			    suggest_by ? first : "");
	}
	return FALSE;
}

/* @run's configuration, named by what differs between the runs drawn:
 * the configname if several, the iteration variables that take more than
 * one value ("lock=spf, threads=8"). */
static char *config_label(struct plot *p, const struct cli_run *run)
{
	GString *s = g_string_new(NULL);
	g_autoptr(GPtrArray) names = distinct_values(p->runs->runs, "configname", NULL);

	if (names->len > 1)
		g_string_append(s, run->configname);
	for (guint i = 0; i < run->var_order->len; i++) {
		const char *n = run->var_order->pdata[i];
		g_autoptr(GPtrArray) values = distinct_values(p->runs->runs, n, NULL);

		if (values->len > 1)
			g_string_append_printf(s, "%s%s=%s", s->len ? (i ? ", " : " ") : "", n,
					       cli_run_value(run, n));
	}
	if (!s->len)
		g_string_append(s, run->configname);
	return g_string_free(s, FALSE);
}

static gboolean need_name(struct plot *p, const char *opt, const char *name,
			  GError **error)
{
	g_autofree char *known = NULL;

	if (cli_runs_have(p->runs, name))
		return TRUE;
	known = cli_runs_describe_names(p->runs);
	g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
		    "%s %s: no run has it (%s)", opt, name, known);
	return FALSE;
}

/* ---- scalar against -x ---------------------------------------------------- */

struct point {
	double x;		/* the value, or the category's index */
	const char *xlabel;
	GArray *values;		/* double, one per run */
};

static void point_free(gpointer data)
{
	struct point *pt = data;

	g_array_unref(pt->values);
	g_free(pt);
}

/* Axis label text for @name with @unit (NULL: none). */
static char *axis_label(const char *name, const char *unit)
{
	return unit && *unit ? g_strdup_printf("%s (%s)", name, unit) : g_strdup(name);
}

/*
 * A logarithmic time axis from @lo to @hi ns drawn in units of @scale ns:
 * a tic a decade, each labelled in its own unit (1 ns, 10 ns, ... 1 µs,
 * ... 100 ms), where gnuplot's labels, all in the unit of the largest
 * value, read 0.0000010 for a nanosecond.
 */
static void log_time_tics(GString *script, double lo, double hi, double scale)
{
	int first = (int)floor(log10(lo)), last = (int)ceil(log10(hi));

	if (!(lo > 0) || !isfinite(hi) || last - first > 40)
		return;
	g_string_append(script, "set xtics (");
	for (int e = first; e <= last; e++) {
		double v = pow(10, e), s;
		const char *unit = cli_unit_scale("ns", v, &s);
		char pos[32];

		cli_format_double(pos, v / scale);
		g_string_append_printf(script, "%s'%g %s' %s", e > first ? ", " : "", v / s,
				       unit, pos);
	}
	g_string_append(script, ")\n");
}

static gboolean plot_scalar(struct plot *p, GString *script, GError **error)
{
	GPtrArray *runs = p->runs->runs;
	g_autoptr(GHashTable) value_of = g_hash_table_new_full(g_int64_hash, g_int64_equal,
							       NULL, g_free);
	g_autoptr(GPtrArray) xs = NULL, lines = NULL;
	g_autoptr(GPtrArray) line_points = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_ptr_array_unref);
	char xkind, bykind;
	double ymax = 0, ymin = INFINITY, xscale = 1, yscale = 1;
	const char *xunit = NULL, *yunit;
	guint nmin = G_MAXUINT, nmax = 0;
	sqlite3_stmt *st;
	int rc;

	if (!p->xvar) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "-p %s.%s is a scalar: give the variable to draw it against "
			    "with -x", p->module, p->name);
		return FALSE;
	}
	if (!need_name(p, "-x", p->xvar, error) ||
	    (p->byvar && !need_name(p, "--by", p->byvar, error)) ||
	    !check_pooling(p, p->xvar, p->byvar, !p->byvar, error))
		return FALSE;

	if (sqlite3_prepare_v2(fs_resultdb_handle(p->db),
			       "SELECT runId, scalarValue FROM scalar WHERE moduleName = ?1 "
			       "AND scalarName = ?2 AND scalarValue IS NOT NULL", -1, &st,
			       NULL) != SQLITE_OK)
		return query_failed(p, error);
	sqlite3_bind_text(st, 1, p->module, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, p->name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		struct cli_run *r = g_hash_table_lookup(p->runs->by_id, &id);
		double *v;

		if (!r)
			continue;
		v = g_new(double, 1);
		*v = sqlite3_column_double(st, 1);
		g_hash_table_insert(value_of, &r->id, v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(p, error);
	if (!g_hash_table_size(value_of)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "none of the %u runs selected records a value of %s.%s",
			    runs->len, p->module, p->name);
		return FALSE;
	}

	xs = distinct_values(runs, p->xvar, &xkind);
	lines = p->byvar ? distinct_values(runs, p->byvar, &bykind)
			 : g_ptr_array_new();
	if (!p->byvar)
		g_ptr_array_add(lines, (gpointer)"");

	/* Each line: its points, one per x with a value, x in order. */
	for (guint l = 0; l < lines->len; l++) {
		GPtrArray *points = g_ptr_array_new_with_free_func(point_free);

		for (guint i = 0; i < xs->len; i++) {
			struct point *pt = g_new0(struct point, 1);

			pt->xlabel = xs->pdata[i];
			if (!xkind || !cli_parse_number(pt->xlabel, &pt->x, NULL))
				pt->x = i;
			pt->values = g_array_new(FALSE, FALSE, sizeof(double));
			g_ptr_array_add(points, pt);
		}
		g_ptr_array_add(line_points, points);
	}
	for (guint i = 0; i < runs->len; i++) {
		const struct cli_run *r = runs->pdata[i];
		const double *v = g_hash_table_lookup(value_of, &r->id);
		const char *xv = cli_run_value(r, p->xvar);
		const char *bv = p->byvar ? cli_run_value(r, p->byvar) : "";
		guint l, x;

		if (!v)
			continue;
		for (l = 0; l < lines->len && g_strcmp0(lines->pdata[l], bv ? bv : ""); l++)
			;
		for (x = 0; x < xs->len && g_strcmp0(xs->pdata[x], xv ? xv : ""); x++)
			;
		g_array_append_val(((struct point *)((GPtrArray *)
			line_points->pdata[l])->pdata[x])->values, *v);
	}

	/* The data: per line a block of x, mean, CI half-width, n, stddev. */
	g_string_append_printf(p->data,
			       "# %s.%s against %s%s%s: mean over the runs of each point, the "
			       "half-width of its %g%% confidence interval (Student t; 0 when "
			       "n < 2), n, the sample standard deviation\n"
			       "# columns: x mean ci_half n stddev xlabel   (x: %s)\n",
			       p->module, p->name, p->xvar, p->byvar ? ", one line per " : "",
			       p->byvar ? p->byvar : "", 100 * p->confidence,
			       xkind == 't' ? "in ns" : xkind == 's' ? "in bytes"
			       : xkind ? "the value" : "the category's index");
	for (guint l = 0; l < lines->len; l++) {
		GPtrArray *points = line_points->pdata[l];

		g_string_append_printf(p->data, "%s# line %u: %s%s%s\n", l ? "\n\n" : "", l,
				       p->byvar ? p->byvar : "", p->byvar ? "=" : "",
				       (const char *)lines->pdata[l]);
		for (guint i = 0; i < points->len; i++) {
			struct point *pt = points->pdata[i];
			double mean, sd, ci;
			guint n = pt->values->len;

			if (!n)
				continue;
			fs_report_ci((const double *)(void *)pt->values->data, n,
				     p->confidence, &mean, &sd, &ci);
			if (n < 2)
				ci = 0;
			nmin = MIN(nmin, n);
			nmax = MAX(nmax, n);
			ymax = MAX(ymax, fabs(mean) + ci);
			ymin = MIN(ymin, mean - ci);
			put_number(p->data, pt->x);
			g_string_append_c(p->data, ' ');
			put_number(p->data, mean);
			g_string_append_c(p->data, ' ');
			put_number(p->data, ci);
			g_string_append_printf(p->data, " %u ", n);
			put_number(p->data, n < 2 ? 0 : sd);
			g_string_append_c(p->data, ' ');
			dat_string(p->data, pt->xlabel);
			g_string_append_c(p->data, '\n');
		}
	}

	/* The script. */
	yunit = cli_unit_scale(p->unit, ymax, &yscale);
	if (xkind == 't' || xkind == 's') {
		double xmax = 0, d;

		for (guint i = 0; i < xs->len; i++)
			if (cli_parse_number(xs->pdata[i], &d, NULL))
				xmax = MAX(xmax, fabs(d));
		xunit = cli_unit_scale(xkind == 't' ? "ns" : "B", xmax, &xscale);
	}
	{
		g_autofree char *name = g_strdup_printf("%s.%s", p->module, p->name);
		g_autofree char *xl = axis_label(p->xvar, xunit);
		g_autofree char *yl = axis_label(name, yunit);
		g_autofree char *n = nmin == nmax ? g_strdup_printf("%u", nmin)
						  : g_strdup_printf("%u to %u", nmin, nmax);
		g_autofree char *title = p->title ? g_strdup(p->title) : g_strdup_printf(
			"%s: mean and %g%% CI over %s runs per point", name,
			100 * p->confidence, n);

		g_string_append(script, "set title ");
		gp_string(script, title);
		g_string_append(script, "\nset xlabel ");
		gp_string(script, xl);
		g_string_append(script, "\nset ylabel ");
		gp_string(script, yl);
		g_string_append(script, "\n");
	}
	if (!xkind) {
		g_string_append(script, "set xtics (");
		for (guint i = 0; i < xs->len; i++) {
			g_string_append(script, i ? ", " : "");
			gp_string(script, xs->pdata[i]);
			g_string_append_printf(script, " %u", i);
		}
		g_string_append_printf(script, ")\nset xrange [-0.5:%g]\n", xs->len - 0.5);
	} else {
		/* The range of the data with a margin, tics at the values
		 * when there are few. */
		g_string_append(script, "set autoscale xfix\n"
				"set offsets graph 0.05, graph 0.05, 0, 0\n");
		if (xs->len <= 12) {
			g_string_append(script, "set xtics (");
			for (guint i = 0; i < xs->len; i++) {
				char v[32];
				double d;

				cli_parse_number(xs->pdata[i], &d, NULL);
				cli_format_double(v, d / xscale);
				g_string_append_printf(script, "%s%s", i ? ", " : "", v);
			}
			g_string_append(script, ")\n");
		}
	}
	if (ymin >= 0 && !(p->log && strchr(p->log, 'y')))
		g_string_append(script, "set yrange [0:*]\n");
	if (p->byvar) {
		g_string_append(script, "set key outside right top Left reverse title ");
		gp_string(script, p->byvar);
		g_string_append(script, "\n");
	} else {
		g_string_append(script, "set key top left\n");
	}
	for (guint l = 0; l < lines->len; l++) {
		/* Categories: lines side by side so the bars do not hide each other. */
		double dx = xkind ? 0 : (l - (lines->len - 1) / 2.0) *
					MIN(0.08, 0.4 / lines->len);
		g_autofree char *label = p->byvar ? g_strdup(lines->pdata[l])
			: g_strdup_printf("mean ± %g%% CI", 100 * p->confidence);
		g_autofree char *xcol = column_expr(1, xscale, dx);
		g_autofree char *ycol = column_expr(2, yscale, 0);
		g_autofree char *ecol = column_expr(3, yscale, 0);

		/* Point types and sizes differ, so that lines on top of
		 * each other still show. */
		static const int pt[] = { 7, 5, 9, 11, 13, 15 };

		g_string_append_printf(p->plots,
				       "%sDATA index %u using %s:%s:%s "
				       "with yerrorlines lw 2 pt %d ps %.2f title ",
				       l ? ", \\\n     " : "", l, xcol, ycol, ecol,
				       pt[l % G_N_ELEMENTS(pt)], 1.6 - 0.3 * (l % 3));
		gp_string(p->plots, label);
	}
	p->nr_lines = lines->len;
	return TRUE;
}

/* ---- distribution (--cdf) ------------------------------------------------- */

/* Bins pooled over the runs of one line. */
struct pooled {
	const char *label;
	GHashTable *by_upper;	/* upper edge (double *) -> count (double *) */
	double below;		/* samples below the first edge (-inf bin) */
	double above;		/* samples in the open last bin */
	double first_edge;	/* lowest lower edge of a finite, non-empty bin */
	double total;
	guint nr_runs;
};

static void pooled_free(gpointer data)
{
	struct pooled *pl = data;

	g_hash_table_unref(pl->by_upper);
	g_free(pl);
}

static gint double_cmp(gconstpointer a, gconstpointer b)
{
	double x = **(double *const *)a, y = **(double *const *)b;

	return x < y ? -1 : x > y;
}

/* Add run @r's bins (@lower, @count; ascending) to @pl. */
static void pool_bins(struct pooled *pl, GArray *lower, GArray *count)
{
	for (guint i = 0; i < lower->len; i++) {
		double lo = g_array_index(lower, double, i);
		double c = g_array_index(count, double, i);
		double hi = i + 1 < lower->len ? g_array_index(lower, double, i + 1) : INFINITY;
		double *slot;

		pl->total += c;
		if (c == 0)
			continue;
		if (isinf(lo)) {
			pl->below += c;
			continue;
		}
		if (isinf(hi)) {
			pl->above += c;
			continue;
		}
		pl->first_edge = MIN(pl->first_edge, lo);
		slot = g_hash_table_lookup(pl->by_upper, &hi);
		if (!slot) {
			double *key = g_new(double, 1);

			*key = hi;
			slot = g_new0(double, 1);
			g_hash_table_insert(pl->by_upper, key, slot);
		}
		*slot += c;
	}
	pl->nr_runs++;
}

static gboolean plot_cdf(struct plot *p, GString *script, GError **error)
{
	GPtrArray *runs = p->runs->runs;
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(pooled_free);
	g_autoptr(GHashTable) line_of = g_hash_table_new_full(g_str_hash, g_str_equal,
							      g_free, NULL);
	g_autoptr(GHashTable) line_of_run = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) lower = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) count = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GPtrArray) drawn = g_ptr_array_new();	/* labels of the blocks */
	double xmin = INFINITY, xmax = 0, xscale = 1;
	gint64 cur = -1;
	const char *xunit;
	gboolean logx, time_tics;
	sqlite3_stmt *st;
	int rc;

	if (p->xvar) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "--cdf draws one distribution per configuration (or per value of "
			    "--by): -x has no place in it");
		return FALSE;
	}
	if (p->byvar && (!need_name(p, "--by", p->byvar, error) ||
			 !check_pooling(p, p->byvar, NULL, FALSE, error)))
		return FALSE;

	/* Lines: the values of --by, else the configurations. */
	if (p->byvar) {
		g_autoptr(GPtrArray) values = distinct_values(runs, p->byvar, NULL);

		for (guint i = 0; i < values->len; i++) {
			struct pooled *pl = g_new0(struct pooled, 1);

			pl->by_upper = g_hash_table_new_full(g_double_hash, g_double_equal,
							     g_free, g_free);
			pl->first_edge = INFINITY;
			g_ptr_array_add(labels, g_strdup_printf("%s=%s", p->byvar,
								(const char *)values->pdata[i]));
			pl->label = labels->pdata[labels->len - 1];
			g_hash_table_insert(line_of, g_strdup(values->pdata[i]),
					    GUINT_TO_POINTER(i));
			g_ptr_array_add(lines, pl);
		}
	}
	for (guint i = 0; i < runs->len; i++) {
		struct cli_run *r = runs->pdata[i];
		g_autofree char *key = NULL;
		gpointer l;

		if (p->byvar) {
			const char *v = cli_run_value(r, p->byvar);

			key = g_strdup(v ? v : "");
		} else {
			key = g_strconcat(r->configname, "\x1f", r->iterationvars, NULL);
		}
		if (!g_hash_table_lookup_extended(line_of, key, NULL, &l)) {
			struct pooled *pl = g_new0(struct pooled, 1);

			pl->by_upper = g_hash_table_new_full(g_double_hash, g_double_equal,
							     g_free, g_free);
			pl->first_edge = INFINITY;
			g_ptr_array_add(labels, config_label(p, r));
			pl->label = labels->pdata[labels->len - 1];
			l = GUINT_TO_POINTER(lines->len);
			g_hash_table_insert(line_of, g_steal_pointer(&key), l);
			g_ptr_array_add(lines, pl);
		}
		g_hash_table_insert(line_of_run, &r->id, l);
	}

	if (sqlite3_prepare_v2(fs_resultdb_handle(p->db),
			       "SELECT t.runId, b.lowerEdge, b.binValue FROM statistic t "
			       "JOIN histogramBin b USING (statId) WHERE t.moduleName = ?1 "
			       "AND t.statName = ?2 AND t.isHistogram "
			       "ORDER BY t.runId, b.lowerEdge", -1, &st, NULL) != SQLITE_OK)
		return query_failed(p, error);
	sqlite3_bind_text(st, 1, p->module, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, p->name, -1, SQLITE_TRANSIENT);
	for (;;) {
		gint64 id;
		double lo, c;

		rc = sqlite3_step(st);
		id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
		if (id != cur && lower->len) {
			gpointer l;

			if (g_hash_table_lookup_extended(line_of_run, &cur, NULL, &l))
				pool_bins(lines->pdata[GPOINTER_TO_UINT(l)], lower, count);
			g_array_set_size(lower, 0);
			g_array_set_size(count, 0);
		}
		if (rc != SQLITE_ROW)
			break;
		cur = id;
		lo = sqlite3_column_double(st, 1);
		c = sqlite3_column_double(st, 2);
		g_array_append_val(lower, lo);
		g_array_append_val(count, c);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(p, error);

	g_string_append_printf(p->data,
			       "# the distribution of %s.%s: per line, the histogram bins of its "
			       "runs added up; x a bin edge (the first: the lowest edge of a "
			       "non-empty bin), fraction the share of samples below x\n"
			       "# columns: x fraction cumulative_count\n", p->module, p->name);
	for (guint l = 0, block = 0; l < lines->len; l++) {
		struct pooled *pl = lines->pdata[l];
		g_autoptr(GList) uppers = NULL;
		g_autoptr(GPtrArray) sorted = g_ptr_array_new();
		double cum = pl->below;

		if (!pl->nr_runs || pl->total == 0)
			continue;	/* no samples: nothing to draw */
		uppers = g_hash_table_get_keys(pl->by_upper);
		for (GList *u = uppers; u; u = u->next)
			g_ptr_array_add(sorted, u->data);
		g_ptr_array_sort(sorted, double_cmp);
		g_string_append_printf(p->data, "%s# line %u: %s (%u runs, %.17g samples, "
				       "%.17g below the first edge, %.17g in the open last bin)\n",
				       block ? "\n\n" : "", block, pl->label, pl->nr_runs,
				       pl->total, pl->below, pl->above);
		if (isfinite(pl->first_edge)) {
			put_number(p->data, pl->first_edge);
			g_string_append_c(p->data, ' ');
			put_number(p->data, cum / pl->total);
			g_string_append_c(p->data, ' ');
			put_number(p->data, cum);
			g_string_append_c(p->data, '\n');
			if (pl->first_edge > 0)
				xmin = MIN(xmin, pl->first_edge);
		}
		for (guint i = 0; i < sorted->len; i++) {
			double x = *(double *)sorted->pdata[i];

			cum += *(double *)g_hash_table_lookup(pl->by_upper, &x);
			put_number(p->data, x);
			g_string_append_c(p->data, ' ');
			put_number(p->data, cum / pl->total);
			g_string_append_c(p->data, ' ');
			put_number(p->data, cum);
			g_string_append_c(p->data, '\n');
			xmax = MAX(xmax, x);
			if (x > 0)
				xmin = MIN(xmin, x);
		}
		g_ptr_array_add(drawn, (gpointer)pl->label);
		block++;
	}
	p->nr_lines = drawn->len;
	if (!p->nr_lines) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "none of the %u runs selected has a sample in histogram %s.%s",
			    runs->len, p->module, p->name);
		return FALSE;
	}

	xunit = cli_unit_scale(p->unit, xmax, &xscale);
	logx = p->log ? strchr(p->log, 'x') != NULL : xmax >= 100 * xmin;
	/* A log time axis labels each decade in its own unit. */
	time_tics = logx && p->unit && !strcmp(p->unit, "ns");
	{
		g_autofree char *name = g_strdup_printf("%s.%s", p->module, p->name);
		g_autofree char *xl = axis_label(name, time_tics ? NULL : xunit);
		g_autofree char *title = p->title ? g_strdup(p->title) : g_strdup_printf(
			"%s: distribution, repetitions pooled", name);
		g_autofree char *yl = g_strdup_printf("fraction of samples below x");
		g_autofree char *xcol = column_expr(1, xscale, 0);

		for (guint b = 0; b < drawn->len; b++) {
			g_string_append_printf(p->plots, "%sDATA index %u using %s:2 "
					       "with lines lw 2 title ", b ? ", \\\n     " : "",
					       b, xcol);
			gp_string(p->plots, drawn->pdata[b]);
		}
		g_string_append(script, "set title ");
		gp_string(script, title);
		g_string_append(script, "\nset xlabel ");
		gp_string(script, xl);
		g_string_append(script, "\nset ylabel ");
		gp_string(script, yl);
		g_string_append(script, "\nset yrange [0:1]\nset ytics 0.1\n"
				"set autoscale xfix\nset key bottom right\n");
		if (logx)
			g_string_append(script, "set logscale x\n");
		if (time_tics)
			log_time_tics(script, xmin, xmax, xscale);
	}
	return TRUE;
}

/* ---- vectors over simulated time ------------------------------------------ */

static gboolean plot_vector(struct plot *p, GString *script, GError **error)
{
	GPtrArray *runs = p->runs->runs;
	sqlite3 *h = fs_resultdb_handle(p->db);
	sqlite3_stmt *vs, *ds;
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	double tmax = 0, tscale = 1;
	const char *style = "lines";
	int exp = -9, rc;

	if (p->xvar || p->byvar) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "-p %s.%s is a vector: it is drawn over simulated time, one line per "
			    "run, without -x or --by", p->module, p->name);
		return FALSE;
	}
	if (sqlite3_prepare_v2(h, "SELECT v.vectorId, r.simtimeExp, (SELECT attrValue FROM "
			       "vectorAttr a WHERE a.vectorId = v.vectorId AND a.attrName = "
			       "'interpolationmode') FROM vector v JOIN run r USING (runId) "
			       "WHERE v.runId = ?1 AND v.moduleName = ?2 AND v.vectorName = ?3",
			       -1, &vs, NULL) != SQLITE_OK)
		return query_failed(p, error);
	if (sqlite3_prepare_v2(h, "SELECT simtimeRaw, value FROM vectorData WHERE vectorId = ?1 "
			       "ORDER BY eventNumber, simtimeRaw", -1, &ds, NULL) != SQLITE_OK) {
		sqlite3_finalize(vs);
		return query_failed(p, error);
	}
	g_string_append_printf(p->data,
			       "# %s.%s over simulated time, one line per run\n"
			       "# columns: simtimeRaw value   (simtimeRaw x 10^simtimeExp = "
			       "seconds)\n", p->module, p->name);
	rc = SQLITE_DONE;
	for (guint i = 0; i < runs->len && rc == SQLITE_DONE; i++) {
		const struct cli_run *r = runs->pdata[i];
		g_autofree char *config = NULL;
		char *label;

		sqlite3_reset(vs);
		sqlite3_bind_int64(vs, 1, r->id);
		sqlite3_bind_text(vs, 2, p->module, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(vs, 3, p->name, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(vs);
		if (rc != SQLITE_ROW) {
			if (rc == SQLITE_DONE)
				continue;	/* this run has no such vector */
			break;
		}
		exp = sqlite3_column_int(vs, 1);
		if (sqlite3_column_text(vs, 2)) {
			const char *mode = column_text(vs, 2);

			style = !strcmp(mode, "sample-hold") ? "steps"
				: !strcmp(mode, "backward-sample-hold") ? "fsteps"
				: !strcmp(mode, "none") ? "points" : "lines";
		}
		config = config_label(p, r);
		label = g_strdup_printf("%s #%u", config, r->repetition);
		g_ptr_array_add(labels, label);
		g_string_append_printf(p->data, "%s# line %u: %s (runId %" G_GINT64_FORMAT
				       ", simtimeExp %d)\n", p->nr_lines ? "\n\n" : "",
				       p->nr_lines, label, r->id, exp);
		sqlite3_reset(ds);
		sqlite3_bind_int64(ds, 1, sqlite3_column_int64(vs, 0));
		while ((rc = sqlite3_step(ds)) == SQLITE_ROW) {
			gint64 t = sqlite3_column_int64(ds, 0);

			g_string_append_printf(p->data, "%" G_GINT64_FORMAT " ", t);
			if (sqlite3_column_type(ds, 1) == SQLITE_NULL)
				g_string_append(p->data, "NaN");
			else
				put_number(p->data, sqlite3_column_double(ds, 1));
			g_string_append_c(p->data, '\n');
			tmax = MAX(tmax, t * pow(10, exp + 9));
		}
		p->nr_lines++;
	}
	sqlite3_finalize(vs);
	sqlite3_finalize(ds);
	if (rc != SQLITE_DONE)
		return query_failed(p, error);
	if (!p->nr_lines) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "none of the %u runs selected records vector %s.%s", runs->len,
			    p->module, p->name);
		return FALSE;
	}
	{
		const char *tunit = cli_unit_scale("ns", tmax, &tscale);
		g_autofree char *name = g_strdup_printf("%s.%s", p->module, p->name);
		g_autofree char *xl = g_strdup_printf("simulated time (%s)", tunit);
		g_autofree char *yl = axis_label(name, p->unit);
		g_autofree char *title = p->title ? g_strdup(p->title) : g_strdup_printf(
			"%s over simulated time", name);
		char f[32];

		/* raw x 10^exp s = raw x 10^(exp + 9) ns; shown in tunit. */
		cli_format_double(f, pow(10, exp + 9) / tscale);
		for (guint b = 0; b < labels->len; b++) {
			g_string_append_printf(p->plots, "%sDATA index %u using ($1*%s):2 with "
					       "%s lw 2 title ", b ? ", \\\n     " : "", b, f,
					       style);
			gp_string(p->plots, labels->pdata[b]);
		}
		g_string_append(script, "set title ");
		gp_string(script, title);
		g_string_append(script, "\nset xlabel ");
		gp_string(script, xl);
		g_string_append(script, "\nset ylabel ");
		gp_string(script, yl);
		g_string_append(script, "\nset key outside right top\n");
	}
	return TRUE;
}

/* ---- the command ---------------------------------------------------------- */

static gboolean write_file(const char *path, const char *text, GError **error)
{
	GError *e = NULL;

	if (g_file_set_contents(path, text, -1, &e))
		return TRUE;
	g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s", e->message);
	g_error_free(e);
	return FALSE;
}

/* Run gnuplot on @script; its complaints go to standard error. */
static gboolean run_gnuplot(const char *gnuplot, const char *script, GError **error)
{
	const char *argv[] = { gnuplot, script, NULL };
	g_autofree char *err_text = NULL;
	GError *e = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
			  NULL, &err_text, &status, &e)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "cannot run %s: %s", gnuplot,
			    e->message);
		g_error_free(e);
		return FALSE;
	}
	if (err_text && *err_text) {
		g_auto(GStrv) lines = g_strsplit(g_strchomp(err_text), "\n", -1);

		for (char **l = lines; *l; l++)
			fprintf(stderr, "faultsim plot: gnuplot: %s\n", *l);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "gnuplot failed on %s (%s %d)",
			    script, WIFEXITED(status) ? "exit status" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return FALSE;
	}
	return TRUE;
}

static int plot_fail(GError *error)
{
	fprintf(stderr, "faultsim plot: %s\n", error->message);
	return cli_exit_status(error);
}

int cmd_plot(int argc, char **argv)
{
	g_autofree char *db_opt = NULL, *metric = NULL, *xvar = NULL, *byvar = NULL;
	g_autofree char *out_opt = NULL, *title = NULL, *keep = NULL, *log = NULL;
	g_auto(GStrv) where = NULL;
	gboolean cdf = FALSE, dry_run = FALSE, all = FALSE;
	double confidence = 0.95;
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &db_opt,
		  "results database (default results.db), opened read-only", "FILE" },
		{ "metric", 'p', 0, G_OPTION_ARG_STRING, &metric,
		  "what to draw: a scalar (NAME or MODULE.NAME; globs allowed if they name one), "
		  "a histogram with --cdf, or a vector", "METRIC" },
		{ "x", 'x', 0, G_OPTION_ARG_STRING, &xvar,
		  "the iteration variable (or run attribute, e.g. configname) on the x axis",
		  "VAR" },
		{ "by", 0, 0, G_OPTION_ARG_STRING, &byvar,
		  "one line per value of VAR", "VAR" },
		{ "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &where,
		  "only runs where EXPR holds, as export's (repeatable)", "EXPR" },
		{ "cdf", 0, 0, G_OPTION_ARG_NONE, &cdf,
		  "the distribution of histogram METRIC, per configuration or --by value", NULL },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out_opt,
		  "the picture: FILE.png or FILE.svg", "FILE" },
		{ "title", 0, 0, G_OPTION_ARG_STRING, &title, "the plot's title", "TEXT" },
		{ "log", 0, 0, G_OPTION_ARG_STRING, &log,
		  "logarithmic axes: x, y, xy or none (default none; --cdf: x when the "
		  "values span two decades)", "AXES" },
		{ "confidence", 0, 0, G_OPTION_ARG_DOUBLE, &confidence,
		  "confidence level of the error bars (default 0.95)", "P" },
		{ "all", 'a', 0, G_OPTION_ARG_NONE, &all,
		  "include runs whose status is not done", NULL },
		{ "keep-script", 0, 0, G_OPTION_ARG_FILENAME, &keep,
		  "keep the gnuplot script and its data as DIR/NAME.gp and DIR/NAME.dat", "DIR" },
		{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
		  "write the script and data (next to FILE unless --keep-script), do not "
		  "run gnuplot", NULL },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(fs_resultdb) db = NULL;
	g_autoptr(cli_runs) runs = NULL;
	g_autoptr(GString) script = g_string_new(NULL);
	g_autoptr(GString) data = g_string_new(NULL);
	g_autoptr(GString) plots = g_string_new(NULL);
	g_autofree char *gnuplot = NULL, *dir = NULL, *tmpdir = NULL, *base = NULL;
	g_autofree char *out_abs = NULL, *gp_path = NULL, *dat_path = NULL;
	g_autofree char *module = NULL, *name = NULL, *unit = NULL;
	const char *db_path;
	struct plot p = { 0 };
	gboolean ok;
	char *dot;

	if (!cli_parse("plot", "",
		       "Draw METRIC from a results database with gnuplot: a scalar's mean and "
		       "confidence interval against -x, one line per --by value; with --cdf a "
		       "histogram's distribution per configuration; a vector over simulated "
		       "time.  Needs gnuplot (Debian: apt-get install gnuplot-nox).",
		       entries, &argc, &argv))
		return EXIT_USAGE;
	if (argc != 1) {
		fprintf(stderr, "faultsim plot: takes no arguments ('%s')\n", argv[1]);
		return EXIT_USAGE;
	}
	if (!metric || !out_opt) {
		fprintf(stderr, "faultsim plot: give %s\n(try 'faultsim plot --help')\n",
			!metric ? "the metric to draw with -p" : "the picture's file with -o");
		return EXIT_USAGE;
	}
	dot = strrchr(out_opt, '.');
	if (!dot || (g_ascii_strcasecmp(dot, ".png") && g_ascii_strcasecmp(dot, ".svg")) ||
	    dot == out_opt || dot[-1] == '/') {
		fprintf(stderr, "faultsim plot: -o %s: the name must end in .png or .svg\n",
			out_opt);
		return EXIT_USAGE;
	}
	if (log && !strcmp(log, "none"))
		g_clear_pointer(&log, g_free);
	if (log && strcmp(log, "x") && strcmp(log, "y") && strcmp(log, "xy") &&
	    strcmp(log, "yx")) {
		fprintf(stderr, "faultsim plot: --log '%s': accepted: x, y, xy, none\n", log);
		return EXIT_USAGE;
	}
	if (!(confidence > 0 && confidence < 1)) {
		fprintf(stderr, "faultsim plot: --confidence must be between 0 and 1\n");
		return EXIT_USAGE;
	}
	if (!dry_run) {
		gnuplot = g_find_program_in_path("gnuplot");
		if (!gnuplot) {
			fprintf(stderr, "faultsim plot: gnuplot is not on PATH; install it "
				"(Debian, Ubuntu: apt-get install gnuplot-nox), or write the "
				"script and data with --dry-run\n");
			return EXIT_USAGE;
		}
	}

	db_path = db_opt ? db_opt : "results.db";
	db = fs_resultdb_open_readonly(db_path, &error);
	if (!db) {
		fprintf(stderr, "faultsim plot: %s\n", error->message);
		return EXIT_USAGE;
	}
	runs = cli_runs_load(db, (const char *const *)where, all, &error);
	if (!runs)
		return plot_fail(error);
	if (!runs->runs->len) {
		fprintf(stderr, "faultsim plot: %s: %s\n", db_path,
			runs->nr_candidates ? "no run matches --where" : "no finished run");
		return EXIT_USAGE;
	}

	p.db = db;
	p.runs = runs;
	p.pattern = metric;
	p.xvar = xvar && xvar[0] == '$' ? xvar + 1 : xvar;
	p.byvar = byvar && byvar[0] == '$' ? byvar + 1 : byvar;
	p.svg = !g_ascii_strcasecmp(dot, ".svg");
	p.title = title;
	p.log = log;
	p.confidence = confidence;
	p.data = data;
	p.plots = plots;
	ok = resolve_metric(&p, cdf, &error) && find_unit(&p, &error);
	module = p.module;
	name = p.name;
	unit = p.unit;
	if (!ok)
		return plot_fail(error);

	/* The script's head: terminal, output; then the kind's own settings. */
	out_abs = g_canonicalize_filename(out_opt, NULL);
	g_string_append(script, "set encoding utf8\n");
	if (p.svg)
		g_string_append(script, "set terminal svg size 1000,640 font 'sans,12' "
				"noenhanced background rgb 'white'\n");
	else
		g_string_append(script,
				"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
				"    set terminal pngcairo size 1000,640 font 'sans,11' noenhanced\n"
				"} else {\n"
				"    set terminal png size 1000,640 noenhanced\n"
				"}\n");
	g_string_append(script, "set output ");
	gp_string(script, out_abs);
	g_string_append(script, "\nset grid\nset border 3\nset tics nomirror\n");
	if (p.log && strchr(p.log, 'y'))
		g_string_append(script, "set logscale y\n");
	if (p.log && strchr(p.log, 'x') && p.kind != PLOT_CDF)
		g_string_append(script, "set logscale x\n");

	switch (p.kind) {
	case PLOT_SCALAR:
		ok = plot_scalar(&p, script, &error);
		break;
	case PLOT_CDF:
		ok = plot_cdf(&p, script, &error);
		break;
	default:
		ok = plot_vector(&p, script, &error);
		break;
	}
	if (!ok)
		return plot_fail(error);

	/* Where the script and data go. */
	base = g_path_get_basename(out_opt);
	base[strlen(base) - strlen(dot)] = '\0';
	if (keep) {
		if (g_mkdir_with_parents(keep, 0777) != 0) {
			fprintf(stderr, "faultsim plot: --keep-script %s: %s\n", keep,
				g_strerror(errno));
			return 1;
		}
		dir = g_canonicalize_filename(keep, NULL);
	} else if (dry_run) {
		dir = g_path_get_dirname(out_abs);
	} else {
		tmpdir = g_dir_make_tmp("faultsim-plot-XXXXXX", &error);
		if (!tmpdir)
			return plot_fail(error);
		dir = g_strdup(tmpdir);
	}
	gp_path = g_strdup_printf("%s/%s.gp", dir, base);
	dat_path = g_strdup_printf("%s/%s.dat", dir, base);
	{
		g_autoptr(GString) head = g_string_new(NULL);

		g_string_append_printf(head, "# faultsim %s: %s.%s from %s\n# gnuplot %s\n",
				       PACKAGE_VERSION, p.module, p.name, db_path, gp_path);
		g_string_append(head, "DATA = ");
		gp_string(head, dat_path);
		g_string_append_c(head, '\n');
		g_string_prepend(script, head->str);
	}
	g_string_append_printf(script, "plot %s\nunset output\n", plots->str);

	ok = write_file(dat_path, data->str, &error) && write_file(gp_path, script->str, &error);
	if (ok && !dry_run) {
		ok = run_gnuplot(gnuplot, gp_path, &error);
		if (!ok)
			g_unlink(out_abs);
	}
	if (tmpdir) {
		g_unlink(gp_path);
		g_unlink(dat_path);
		g_rmdir(tmpdir);
	}
	if (!ok)
		return plot_fail(error);
	if (dry_run || keep)
		fprintf(stderr, "faultsim plot: %s and %s%s\n", gp_path, dat_path,
			dry_run ? " written (not run: --dry-run)" : " kept");
	if (!dry_run)
		printf("%s\n", out_opt);
	return 0;
}
