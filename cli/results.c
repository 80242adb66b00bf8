/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim report and faultsim merge: reading and joining results
 * databases.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/report.h"
#include "analysis/resultdb.h"
#include "cli/cli.h"
#include "sim/core/types.h"
#include "cli/runs.h"

/* ---- report: numbers in human units --------------------------------------- */

/*
 * How the numbers of a row with @unit are shown (struct human): times and
 * sizes in the unit that suits the row's largest magnitude @max (ns -> µs,
 * ms, s; B -> KiB, MiB, GiB: cli_unit_scale()), a ratio (0..1) as a
 * percentage, all numbers of the row in that unit; any other unit (a
 * count, a rate) as it is, each number with its own SI suffix (k, M, G).
 */
struct human {
	const char *unit;		/* shown */
	double scale;			/* divide by */
	gboolean si;			/* each number its own suffix */
};

static struct human human_unit(const char *unit, double max)
{
	struct human h = { unit ? unit : "", 1, FALSE };

	if (unit && (!strcmp(unit, "ns") || !strcmp(unit, "B")))
		h.unit = cli_unit_scale(unit, fabs(max), &h.scale);
	else if (unit && !strcmp(unit, "ratio"))
		h = (struct human){ "%", 0.01, FALSE };
	else
		h.si = TRUE;
	return h;
}

/* @v in @h's unit with 4 significant digits ('.' whatever the locale), "-"
 * for NaN; @sign: a '+' on positive values. */
static char *human_number(double v, const struct human *h, gboolean sign)
{
	static const struct { const char *suffix; double scale; } si[] = {
		{ "G", 1e9 }, { "M", 1e6 }, { "k", 1e3 },
	};
	const char *suffix = "";
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (isnan(v))
		return g_strdup("-");
	v /= h->scale;
	for (guint i = 0; h->si && i < G_N_ELEMENTS(si); i++)
		if (fabs(v) >= 10 * si[i].scale) {
			v /= si[i].scale;
			suffix = si[i].suffix;
			break;
		}
	g_ascii_formatd(buf, sizeof(buf), fabs(v) >= 1e4 ? "%.0f" : "%.4g", v);
	return g_strdup_printf("%s%s%s", sign && v > 0 ? "+" : "", buf, suffix);
}

/* A change in percent, 3 significant digits. */
static char *human_percent(double v, gboolean sign)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (isnan(v))
		return g_strdup("-");
	g_ascii_formatd(buf, sizeof(buf), fabs(v) >= 1e3 ? "%.0f" : "%.3g", v);
	return g_strdup_printf("%s%s%%", sign && v > 0 ? "+" : "", buf);
}

/* An aligned text table of @cells (@nr_cols per line; right-aligned where
 * @right says), no trailing blanks. */
static void print_table(GPtrArray *cells, guint nr_cols, const gboolean *right)
{
	g_autofree size_t *width = g_new0(size_t, nr_cols);
	guint nr_lines = cells->len / nr_cols;

	for (guint i = 0; i < cells->len; i++)
		width[i % nr_cols] = MAX(width[i % nr_cols],
					 (size_t)g_utf8_strlen(cells->pdata[i], -1));
	for (guint l = 0; l < nr_lines; l++) {
		GString *line = g_string_new(NULL);

		for (guint c = 0; c < nr_cols; c++) {
			const char *s = cells->pdata[l * nr_cols + c];
			size_t pad = width[c] - (size_t)g_utf8_strlen(s, -1);

			if (c)
				g_string_append(line, "  ");
			if (right[c])
				g_string_append_printf(line, "%*s%s", (int)pad, "", s);
			else
				g_string_append_printf(line, "%s%*s", s, (int)pad, "");
		}
		while (line->len && line->str[line->len - 1] == ' ')
			g_string_truncate(line, line->len - 1);
		printf("%s\n", line->str);
		g_string_free(line, TRUE);
	}
}

/* "linux-6.6" for a configuration's variable, "" if it has none. */
static const char *var_of(const struct fs_report_config *c, const char *name)
{
	const char *v = g_hash_table_lookup(c->vars, name);

	return v ? v : "";
}

/* The configuration's name with its version when it has several. */
static char *config_label(const struct fs_report_config *c)
{
	if (c->split)
		return g_strdup_printf("%s@%.8s", c->configname, c->version);
	return g_strdup(c->configname);
}

/* A configuration's variables as "$a=1, $b=2" (its iterationvars). */
static const char *config_vars(const struct fs_report_config *c)
{
	return *c->iterationvars ? c->iterationvars : "(no variables)";
}

static void print_split_notes(const struct fs_report *rep)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < rep->configs->len; i++) {
		const struct fs_report_config *c = rep->configs->pdata[i];
		g_autofree char *key = g_strconcat(c->configname, " ", c->iterationvars, NULL);

		if (c->split && c->shown && g_hash_table_add(seen, g_steal_pointer(&key)))
			printf("note: %s %s has runs of different versions of its configuration "
			       "(their runConfig differs): shown apart as %s@VERSION, never "
			       "pooled\n", c->configname, config_vars(c), c->configname);
	}
}

static void print_report_table(const struct fs_report *rep)
{
	g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) right = g_array_new(FALSE, TRUE, sizeof(gboolean));
	g_autofree char *ci_label = g_strdup_printf("±%g%%", 100 * rep->confidence);
	guint nr_cols = 0;
	const struct fs_report_config *prev = NULL;

#define HEAD(text, r) do {						\
		gboolean r_ = (r);					\
		g_ptr_array_add(cells, g_strdup(text));			\
		g_array_append_val(right, r_);				\
		nr_cols++;						\
	} while (0)
	HEAD("config", FALSE);
	for (guint v = 0; v < rep->var_names->len; v++) {
		g_autofree char *h = g_strconcat("$", (char *)rep->var_names->pdata[v], NULL);

		HEAD(h, FALSE);
	}
	HEAD("runs", FALSE);
	HEAD("metric", FALSE);
	HEAD("n", TRUE);
	HEAD("mean", TRUE);
	HEAD(ci_label, TRUE);
	HEAD("unit", FALSE);
	if (rep->compared) {
		HEAD("vs base", TRUE);
		HEAD(ci_label, TRUE);
		HEAD("diff", TRUE);
		HEAD(ci_label, TRUE);
	}
#undef HEAD

	for (guint i = 0; i < rep->rows->len; i++) {
		const struct fs_report_row *r = rep->rows->pdata[i];
		const struct fs_report_config *c = r->config;
		gboolean first = c != prev;
		struct human h = human_unit(r->unit, r->base_n ? MAX(fabs(r->mean),
								     fabs(r->base_mean))
							   : r->mean);

		prev = c;
		g_ptr_array_add(cells, first ? config_label(c) : g_strdup(""));
		for (guint v = 0; v < rep->var_names->len; v++)
			g_ptr_array_add(cells, g_strdup(first ? var_of(c, rep->var_names->pdata[v])
						       : ""));
		g_ptr_array_add(cells, g_strdup(first ? c->statuses : ""));
		g_ptr_array_add(cells, g_strconcat(r->module, ".", r->name, NULL));
		g_ptr_array_add(cells, g_strdup_printf("%u", r->n));
		g_ptr_array_add(cells, human_number(r->mean, &h, FALSE));
		g_ptr_array_add(cells, human_number(r->ci_half, &h, FALSE));
		g_ptr_array_add(cells, g_strdup(h.unit));
		if (!rep->compared)
			continue;
		if (c->base == c) {
			g_ptr_array_add(cells, g_strdup("base"));
			for (int k = 0; k < 3; k++)
				g_ptr_array_add(cells, g_strdup(""));
		} else if (!r->base_n) {
			for (int k = 0; k < 4; k++)
				g_ptr_array_add(cells, g_strdup("-"));
		} else {
			g_ptr_array_add(cells, human_percent((r->cmp.ratio - 1) * 100, TRUE));
			g_ptr_array_add(cells, human_percent(r->cmp.ratio_half * 100, FALSE));
			g_ptr_array_add(cells, human_number(r->cmp.diff, &h, TRUE));
			g_ptr_array_add(cells, human_number(r->cmp.diff_half, &h, FALSE));
		}
	}
	print_table(cells, nr_cols, (const gboolean *)(void *)right->data);
}

/* ---- report --wide ---------------------------------------------------------- */

/*
 * The wide layout: a line per configuration and a column per metric (in
 * the order of -p), each cell "mean ± half-width" in the column's unit
 * (chosen by the column's largest mean).  With --compare, under each
 * configuration that is not its own baseline, a line "change" with each
 * mean's change against the baseline's in percent, ± its Welch interval.
 * Metric columns that do not fit in @width characters go to a further
 * block that repeats the configuration's columns, as R prints a wide data
 * frame; @width 0: one block.
 */
struct wide_col {
	const char *module, *name;	/* the first row's */
	const char *unit;
	size_t width;
};

/* @v with @decimals decimals (a negative number rounds to tens, hundreds,
 * ...); 4 significant digits when @decimals is INT_MIN. */
static char *fixed_number(double v, int decimals)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE], fmt[16];

	if (decimals == INT_MIN) {
		g_ascii_formatd(buf, sizeof(buf), fabs(v) >= 1e4 ? "%.0f" : "%.4g", v);
		return g_strdup(buf);
	}
	if (decimals < 0) {
		double unit = pow(10, -decimals);

		v = round(v / unit) * unit;
		decimals = 0;
	}
	g_snprintf(fmt, sizeof(fmt), "%%.%df", MIN(decimals, 9));
	g_ascii_formatd(buf, sizeof(buf), fmt, v);
	return g_strdup(buf);
}

/* The decimals that show @half to two significant digits; INT_MIN when
 * there is no interval (NaN) or no spread (0). */
static int half_decimals(double half)
{
	if (!(half > 0) || isinf(half))
		return INT_MIN;
	return 1 - (int)floor(log10(half));
}

/*
 * A wide cell: "mean ± half" with the half-width to two significant
 * digits and the mean to the same decimal place; a time or a size in the
 * unit that suits the mean, written after both ("71.5 ± 1.5 µs"); a count
 * or a rate with the SI suffix that suits the mean on both ("130.6k ±
 * 1.2k"; the unit is the column's); a ratio in %.
 */
static char *wide_pm(double mean, double half, const char *unit, gboolean sign)
{
	static const struct { const char *suffix; double scale; } si[] = {
		{ "G", 1e9 }, { "M", 1e6 }, { "k", 1e3 },
	};
	const char *suffix = "", *after = "";
	double scale = 1;
	int d, hd;

	if (isnan(mean))
		return g_strdup("-");
	if (unit && (!strcmp(unit, "ns") || !strcmp(unit, "B")))
		after = cli_unit_scale(unit, isnan(half) ? fabs(mean) : MAX(fabs(mean), half),
				       &scale);
	else if (unit && (!strcmp(unit, "ratio") || !strcmp(unit, "%"))) {
		if (!strcmp(unit, "ratio"))
			scale = 0.01;
		after = "%";
	} else {
		for (guint i = 0; i < G_N_ELEMENTS(si); i++)
			if (fabs(mean) >= 10 * si[i].scale) {
				scale = si[i].scale;
				suffix = si[i].suffix;
				break;
			}
	}
	mean /= scale;
	half /= scale;
	d = half_decimals(half);
	hd = d == INT_MIN ? 0 : d;
	/* no more than 4 significant digits of the mean */
	if (d != INT_MIN && mean != 0 && d > 3 - (int)floor(log10(fabs(mean))))
		d = MAX(0, 3 - (int)floor(log10(fabs(mean))));

	g_autofree char *m = fixed_number(mean, d);

	if (m[0] == '-' && strspn(m + 1, "0.") == strlen(m + 1))
		memmove(m, m + 1, strlen(m));	/* "-0.0": 0.0 */
	const char *plus = sign && mean > 0 && strspn(m, "0.") != strlen(m) ? "+" : "";

	if (isnan(half))
		return g_strdup_printf("%s%s%s%s%s", plus, m, suffix,
				       *after && strcmp(after, "%") ? " " : "", after);
	g_autofree char *h = fixed_number(half, hd);

	return g_strdup_printf("%s%s%s ± %s%s%s%s", plus, m, suffix, h, suffix,
			       *after && strcmp(after, "%") ? " " : "", after);
}

/* "mean ± half unit", and " (n=K)" when fewer than the configuration's
 * runs recorded it. */
static char *wide_value(const struct fs_report_row *r)
{
	g_autofree char *v = wide_pm(r->mean, r->ci_half, r->unit, FALSE);

	if (r->n != r->config->nr_runs)
		return g_strdup_printf("%s (n=%u)", v, r->n);
	return g_steal_pointer(&v);
}

/* The unit a wide column's header shows: none where the cells show it. */
static const char *wide_unit(const char *unit)
{
	if (!unit || !strcmp(unit, "ns") || !strcmp(unit, "B") || !strcmp(unit, "ratio") ||
	    !strcmp(unit, "%"))
		return "";
	return unit;
}

/* "+4.8% ± 1.5%": the change of @r's mean against its baseline's. */
static char *wide_change(const struct fs_report_row *r)
{
	if (!r->base_n || isnan(r->cmp.ratio))
		return g_strdup("-");
	return wide_pm((r->cmp.ratio - 1) * 100, r->cmp.ratio_half * 100, "%", TRUE);
}

static void print_report_wide(const struct fs_report *rep, guint width)
{
	g_autoptr(GPtrArray) cols = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) configs = g_ptr_array_new();
	g_autoptr(GHashTable) col_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							     NULL);
	g_autofree const struct fs_report_row **cell = NULL;
	g_autoptr(GPtrArray) left_head = g_ptr_array_new_with_free_func(g_free);
	gboolean one_name = TRUE;
	size_t left_width = 0;

	/* The columns, in the order the rows name them, and the configurations. */
	for (guint i = 0; i < rep->rows->len; i++) {
		const struct fs_report_row *r = rep->rows->pdata[i];
		g_autofree char *full = g_strconcat(r->module, ".", r->name, NULL);
		struct wide_col *col = g_hash_table_lookup(col_of, full);

		if (!col) {
			col = g_new0(struct wide_col, 1);
			col->module = r->module;
			col->name = r->name;
			col->unit = r->unit;
			g_ptr_array_add(cols, col);
			g_hash_table_insert(col_of, g_steal_pointer(&full), col);
		}
		if (!configs->len || configs->pdata[configs->len - 1] != r->config)
			g_ptr_array_add(configs, (gpointer)r->config);
	}
	cell = g_new0(const struct fs_report_row *, (gsize)configs->len * cols->len);
	for (guint i = 0, ci = 0; i < rep->rows->len; i++) {
		const struct fs_report_row *r = rep->rows->pdata[i];
		g_autofree char *full = g_strconcat(r->module, ".", r->name, NULL);
		struct wide_col *col = g_hash_table_lookup(col_of, full);
		guint k;

		while (configs->pdata[ci] != r->config)
			ci++;
		g_ptr_array_find(cols, col, &k);
		cell[ci * cols->len + k] = r;
	}
	for (guint i = 0; i < configs->len; i++) {
		const struct fs_report_config *c = configs->pdata[i];
		const struct fs_report_config *c0 = configs->pdata[0];

		if (strcmp(c->configname, c0->configname) || c->split)
			one_name = FALSE;
	}

	/* The configuration's columns: its name unless every one has the
	 * same, its variables, its runs. */
	if (!one_name || !rep->var_names->len)
		g_ptr_array_add(left_head, g_strdup("config"));
	for (guint v = 0; v < rep->var_names->len; v++)
		g_ptr_array_add(left_head, g_strconcat("$", (char *)rep->var_names->pdata[v], NULL));
	g_ptr_array_add(left_head, g_strdup("runs"));

	/* Every cell's text, to size the columns and pack the blocks. */
	guint nr_left = left_head->len;
	guint nr_lines = 2 + configs->len * (rep->compared ? 2 : 1);
	guint nr_all = nr_left + cols->len;
	g_autoptr(GPtrArray) text = g_ptr_array_new_with_free_func(g_free);
	g_autofree gboolean *line_used = g_new0(gboolean, nr_lines);

	g_ptr_array_set_size(text, (gint)(nr_lines * nr_all));
	for (guint l = 0; l < 2; l++)
		line_used[l] = TRUE;
	for (guint k = 0; k < nr_left; k++) {
		text->pdata[k] = g_strdup("");
		text->pdata[nr_all + k] = g_strdup(left_head->pdata[k]);
	}
	for (guint k = 0; k < cols->len; k++) {
		struct wide_col *col = cols->pdata[k];

		text->pdata[nr_left + k] = g_strconcat(col->module, ".", col->name, NULL);
		text->pdata[nr_all + nr_left + k] = g_strdup(wide_unit(col->unit));
	}
	for (guint i = 0; i < configs->len; i++) {
		const struct fs_report_config *c = configs->pdata[i];
		guint la = 2 + i * (rep->compared ? 2 : 1), lb = la + 1;
		guint k = 0;

		line_used[la] = TRUE;
		if (!one_name || !rep->var_names->len)
			text->pdata[la * nr_all + k++] = config_label(c);
		for (guint v = 0; v < rep->var_names->len; v++)
			text->pdata[la * nr_all + k++] = g_strdup(var_of(c, rep->var_names->pdata[v]));
		text->pdata[la * nr_all + k] = g_strdup(c->statuses);
		for (guint m = 0; m < cols->len; m++) {
			const struct fs_report_row *r = cell[i * cols->len + m];
			text->pdata[la * nr_all + nr_left + m] = r ? wide_value(r) : g_strdup("-");
		}
		if (!rep->compared)
			continue;
		for (k = 0; k < nr_left; k++)
			text->pdata[lb * nr_all + k] = g_strdup(k + 1 == nr_left &&
							       c->base != c ? "change" : "");
		for (guint m = 0; m < cols->len; m++) {
			const struct fs_report_row *r = cell[i * cols->len + m];

			text->pdata[lb * nr_all + nr_left + m] = c->base == c ? g_strdup("") :
				r ? wide_change(r) : g_strdup("-");
		}
		line_used[lb] = c->base != c;
	}
	for (guint k = 0; k < nr_all; k++) {
		size_t w = 0;

		for (guint l = 0; l < nr_lines; l++)
			if (line_used[l])
				w = MAX(w, (size_t)g_utf8_strlen(text->pdata[l * nr_all + k], -1));
		if (k < nr_left)
			left_width += w + (k ? 2 : 0);
		else
			((struct wide_col *)cols->pdata[k - nr_left])->width = w;
	}

	/* Blocks of metric columns that fit in @width. */
	for (guint first = 0; first < cols->len;) {
		guint last = first + 1;
		size_t used = left_width + 2 + ((struct wide_col *)cols->pdata[first])->width;
		g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GArray) right = g_array_new(FALSE, TRUE, sizeof(gboolean));

		while (last < cols->len && (!width || used + 2 +
					    ((struct wide_col *)cols->pdata[last])->width <= width))
			used += 2 + ((struct wide_col *)cols->pdata[last++])->width;
		for (guint k = 0; k < nr_left + last - first; k++) {
			gboolean r = k >= nr_left;

			g_array_append_val(right, r);
		}
		for (guint l = 0; l < nr_lines; l++) {
			if (!line_used[l])
				continue;
			for (guint k = 0; k < nr_left; k++)
				g_ptr_array_add(cells, g_strdup(text->pdata[l * nr_all + k]));
			for (guint m = first; m < last; m++)
				g_ptr_array_add(cells, g_strdup(text->pdata[l * nr_all + nr_left + m]));
		}
		if (first)
			printf("\n");
		print_table(cells, nr_left + last - first, (const gboolean *)(void *)right->data);
		first = last;
	}
}

/* ",VALUE" with the shortest text that reads back as @v; empty for NaN. */
static void csv_number(GString *out, double v)
{
	char buf[32];

	g_string_append_c(out, ',');
	if (isnan(v))
		return;
	cli_format_double(buf, v);
	g_string_append(out, buf);
}

/* configname, one column per variable, version: the configuration part of
 * a CSV line or header. */
static void csv_config(GString *out, const struct fs_report *rep,
		       const struct fs_report_config *c)
{
	cli_csv_field(out, c ? c->configname : "configname");
	for (guint v = 0; v < rep->var_names->len; v++) {
		const char *name = rep->var_names->pdata[v];

		g_string_append_c(out, ',');
		cli_csv_field(out, c ? var_of(c, name) : name);
	}
	g_string_append_c(out, ',');
	cli_csv_field(out, c ? c->version : "version");
}

static void print_report_csv(const struct fs_report *rep)
{
	GString *out = g_string_new(NULL);

	csv_config(out, rep, NULL);
	g_string_append(out, ",module,name,unit,n,mean,ci_half,stddev");
	if (rep->compared)
		g_string_append(out, ",base,ratio,ratio_ci_half,diff,diff_ci_half");
	g_string_append_c(out, '\n');
	for (guint i = 0; i < rep->rows->len; i++) {
		const struct fs_report_row *r = rep->rows->pdata[i];

		csv_config(out, rep, r->config);
		g_string_append_c(out, ',');
		cli_csv_field(out, r->module);
		g_string_append_c(out, ',');
		cli_csv_field(out, r->name);
		g_string_append_c(out, ',');
		cli_csv_field(out, r->unit ? r->unit : "");
		g_string_append_printf(out, ",%u", r->n);
		csv_number(out, r->mean);
		csv_number(out, r->ci_half);
		csv_number(out, r->stddev);
		if (rep->compared) {
			g_string_append_c(out, ',');
			cli_csv_field(out, r->config->base ? r->config->base->iterationvars : "");
			csv_number(out, r->base_n ? r->cmp.ratio : NAN);
			csv_number(out, r->base_n ? r->cmp.ratio_half : NAN);
			csv_number(out, r->base_n ? r->cmp.diff : NAN);
			csv_number(out, r->base_n ? r->cmp.diff_half : NAN);
		}
		g_string_append_c(out, '\n');
	}
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
}

/* ---- report --lock-stat ------------------------------------------------------ */

static const char *const lock_columns[] = {
	"con-bounces", "contentions", "waittime-min", "waittime-max", "waittime-total",
	"waittime-avg", "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max",
	"holdtime-total", "holdtime-avg",
};

/* "mmap_sem-W", as lock_stat names a read or write side. */
static char *lock_class(const struct fs_lockstat_mean *l)
{
	return g_strconcat(l->lock_name, !strcmp(l->mode, "read") ? "-R" :
			   !strcmp(l->mode, "write") ? "-W" : *l->mode ? "-" : "",
			   !strcmp(l->mode, "read") || !strcmp(l->mode, "write") ? "" : l->mode,
			   NULL);
}

static void print_lockstat(const struct fs_report *rep, const char *db_path)
{
	g_autoptr(GHashTable) no_bounces = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) unknown = g_ptr_array_new();
	const struct fs_report_config *prev = NULL;
	guint width = 40 + 1 + 15 * G_N_ELEMENTS(lock_columns);
	g_autofree char *rule = g_strnfill(width, '-');

	printf("lock_stat of %s: per configuration, counts and totals are means per run,\n"
	       "min and max are over its runs; times in us, as /proc/lock_stat prints them.\n",
	       db_path);
	for (guint i = 0; i < rep->locks->len; i++) {
		const struct fs_lockstat_mean *l = rep->locks->pdata[i];
		g_autofree char *name = lock_class(l);
		const double v[] = {
			l->con_bounces, l->contentions, l->wait_min / 1e3, l->wait_max / 1e3,
			l->wait_total / 1e3, l->wait_avg / 1e3, l->acq_bounces, l->acquisitions,
			l->hold_min / 1e3, l->hold_max / 1e3, l->hold_total / 1e3,
			l->hold_avg / 1e3,
		};

		if (l->config != prev) {
			g_autofree char *label = config_label(l->config);

			printf("\n%s %s (%s)\n%s\n%40s ", label, config_vars(l->config),
			       l->config->statuses, rule, "class name");
			for (guint c = 0; c < G_N_ELEMENTS(lock_columns); c++)
				printf("%15s", lock_columns[c]);
			printf("\n%s\n", rule);
			prev = l->config;
		}
		printf("%40s:", name);
		for (guint c = 0; c < G_N_ELEMENTS(v); c++)
			/* counts as integers, times with two decimals */
			printf(c == 0 || c == 1 || c == 6 || c == 7 ? "%15.0f" : "%15.2f", v[c]);
		printf("\n");
		if (!l->bounces_known && g_hash_table_add(no_bounces, l->lock_name))
			g_ptr_array_add(unknown, l->lock_name);
	}
	if (!rep->locks->len)
		printf("\n(no lockStat rows: no run took a lock the models report)\n");
	printf("\nbounces: acquisitions (and contended ones) whose lock word's cache line came "
	       "from another CPU\n(sim/kernel/cacheline.h: machine.cacheline_transfer; 0 "
	       "when it is 0)");
	for (guint i = 0; i < unknown->len; i++)
		printf("%s%s", i ? ", " : "; no cache line in the model, so always 0: ",
		       (const char *)unknown->pdata[i]);
	printf(".\n");
}

static void print_lockstat_csv(const struct fs_report *rep)
{
	GString *out = g_string_new(NULL);

	csv_config(out, rep, NULL);
	g_string_append(out, ",class,mode,con_bounces,contentions,waittime_min_ns,"
			"waittime_max_ns,waittime_total_ns,waittime_avg_ns,acq_bounces,"
			"acquisitions,holdtime_min_ns,holdtime_max_ns,holdtime_total_ns,"
			"holdtime_avg_ns,bounces_modelled\n");
	for (guint i = 0; i < rep->locks->len; i++) {
		const struct fs_lockstat_mean *l = rep->locks->pdata[i];
		const double v[] = {
			l->con_bounces, l->contentions, l->wait_min, l->wait_max, l->wait_total,
			l->wait_avg, l->acq_bounces, l->acquisitions, l->hold_min, l->hold_max,
			l->hold_total, l->hold_avg,
		};

		csv_config(out, rep, l->config);
		g_string_append_c(out, ',');
		cli_csv_field(out, l->lock_name);
		g_string_append_c(out, ',');
		cli_csv_field(out, l->mode);
		for (guint c = 0; c < G_N_ELEMENTS(v); c++)
			csv_number(out, v[c]);
		g_string_append(out, l->bounces_known ? ",1\n" : ",0\n");
	}
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
}

/* runId set of @runs (pointing into it). */
static GHashTable *run_ids(const struct cli_runs *runs)
{
	GHashTable *ids = g_hash_table_new(g_int64_hash, g_int64_equal);

	for (guint i = 0; i < runs->runs->len; i++) {
		struct cli_run *r = runs->runs->pdata[i];

		g_hash_table_add(ids, &r->id);
	}
	return ids;
}

/*
 * --compare BASE: an expression as --where's, or a value alone
 * ("linux-4.19"), which names the runs where the one iteration variable
 * that takes that value has it.  Returns the expression (g_free()), or
 * NULL with exit status 2's message in @error.
 */
static char *compare_expr(struct fs_resultdb *db, const char *base, gboolean all,
			  GError **error)
{
	g_autoptr(cli_runs) every = NULL;
	g_autoptr(GPtrArray) takes = g_ptr_array_new();
	g_autoptr(GString) values = g_string_new(NULL);

	if (strpbrk(base, "=<>!&|,$'\""))
		return g_strdup(base);
	every = cli_runs_load(db, NULL, all, error);
	if (!every)
		return NULL;
	for (guint v = 0; v < every->var_names->len; v++) {
		const char *name = every->var_names->pdata[v];

		for (guint i = 0; i < every->runs->len; i++) {
			const char *val = g_hash_table_lookup(
				((struct cli_run *)every->runs->pdata[i])->vars, name);

			if (val && !strcmp(val, base)) {
				g_ptr_array_add(takes, (gpointer)name);
				break;
			}
		}
	}
	if (takes->len == 1)
		return g_strdup_printf("$%s=%s", (const char *)takes->pdata[0], base);
	for (guint i = 0; i < takes->len; i++)
		g_string_append_printf(values, "%s$%s", i ? ", " : "",
				       (const char *)takes->pdata[i]);
	if (takes->len)
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "--compare '%s': the variables %s "
			    "take this value; name one, e.g. '$%s=%s'", base, values->str,
			    (const char *)takes->pdata[0], base);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "--compare '%s': no iteration "
			    "variable of the runs takes this value (give an expression, e.g. "
			    "'$VAR=%s')", base, base);
	return NULL;
}

static int report_fail(const GError *error)
{
	fprintf(stderr, "faultsim report: %s\n", error->message);
	return cli_exit_status(error);
}

int cmd_report(int argc, char **argv)
{
	g_autofree char *db_opt = NULL;	/* GOption replaces, never frees, a default */
	g_autofree char *compare = NULL;
	g_auto(GStrv) patterns = NULL, where = NULL;
	gboolean csv = FALSE, all = FALSE, lock_stat = FALSE, wide = FALSE;
	double confidence = 0.95;
	gint width = -1;
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &db_opt,
		  "results database (default results.db)", "FILE" },
		{ "scalar", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &patterns,
		  "scalars to show, in this order, as globs on NAME or MODULE.NAME "
		  "(repeatable; default: a summary per configuration)", "GLOB" },
		{ "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &where,
		  "only runs where EXPR holds, e.g. '$kernel=linux-6.6', '$threads>=4 && "
		  "$io=drop|hold' (as export's; repeatable: all must hold)", "EXPR" },
		{ "compare", 0, 0, G_OPTION_ARG_STRING, &compare,
		  "compare each configuration with the baseline BASE selects (an EXPR, e.g. "
		  "'$kernel=linux-4.19', or a value alone: 'linux-4.19') that agrees with it "
		  "on the other variables: change in % and difference, with Welch intervals",
		  "BASE" },
		{ "wide", 0, 0, G_OPTION_ARG_NONE, &wide,
		  "a line per configuration and a column per metric, \"mean ± CI\"; with "
		  "--compare a line under it with the change in % ± its interval", NULL },
		{ "width", 0, 0, G_OPTION_ARG_INT, &width,
		  "--wide: columns that do not fit in N characters go to a further block "
		  "(default: $COLUMNS, else 100; 0: never)", "N" },
		{ "lock-stat", 0, 0, G_OPTION_ARG_NONE, &lock_stat,
		  "/proc/lock_stat's columns per lock class and configuration instead", NULL },
		{ "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
		  "CSV instead of a table (a column per iteration variable, values in the "
		  "recorded units)", NULL },
		{ "all", 'a', 0, G_OPTION_ARG_NONE, &all,
		  "include runs whose status is not done (deadlock, failed)", NULL },
		{ "confidence", 0, 0, G_OPTION_ARG_DOUBLE, &confidence,
		  "confidence level of the intervals (default 0.95)", "P" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(cli_runs) runs = NULL, base = NULL;
	g_autoptr(GHashTable) ids = NULL, base_ids = NULL;
	g_autoptr(fs_report) rep = NULL;
	const char *db_path;

	if (!cli_parse("report", "",
		       "Per configuration, chosen scalars with their unit: mean and confidence "
		       "interval over repetitions (Student t); without -p a summary.  Runs of "
		       "different versions of a configuration are shown apart.", entries,
		       &argc, &argv))
		return EXIT_USAGE;
	if (argc != 1 || !(confidence > 0 && confidence < 1)) {
		fprintf(stderr, "faultsim report: %s\n", argc != 1 ? "takes no arguments"
			: "--confidence must be between 0 and 1");
		return EXIT_USAGE;
	}
	if (lock_stat && (patterns || compare || wide)) {
		fprintf(stderr, "faultsim report: --lock-stat takes no -p, --compare nor --wide\n");
		return EXIT_USAGE;
	}
	if (wide && csv) {
		fprintf(stderr, "faultsim report: --wide is a text layout; --csv gives a line per "
			"configuration and metric\n");
		return EXIT_USAGE;
	}
	if (width != -1 && (!wide || width < 0)) {
		fprintf(stderr, "faultsim report: --width %s\n", !wide ? "needs --wide" :
			"must be 0 (never wrap) or more");
		return EXIT_USAGE;
	}
	if (wide && width == -1) {
		const char *env = g_getenv("COLUMNS");
		guint64 cols = 0;

		width = env && g_ascii_string_to_unsigned(env, 10, 1, 100000, &cols, NULL) ?
			(gint)cols : 100;
	}
	db_path = db_opt ? db_opt : "results.db";
	g_autoptr(fs_resultdb) db = fs_resultdb_open_readonly(db_path, &error);

	if (!db)
		return report_fail(error);
	runs = cli_runs_load(db, (const char *const *)where, all, &error);
	if (!runs)
		return report_fail(error);
	if (!runs->runs->len) {
		if (where)
			fprintf(stderr, "faultsim report: none of the %u runs of %s matches "
				"--where\n", runs->nr_candidates, db_path);
		else
			fprintf(stderr, "faultsim report: %s holds no run%s\n", db_path,
				all ? "" : " with status done (--all for every run)");
		return where ? EXIT_USAGE : 1;
	}
	ids = run_ids(runs);
	if (compare) {
		g_autofree char *expr = compare_expr(db, compare, all, &error);
		const char *base_where[] = { expr, NULL };

		if (!expr)
			return report_fail(error);
		g_free(compare);
		compare = g_steal_pointer(&expr);
		base_where[0] = compare;
		base = cli_runs_load(db, base_where, all, &error);
		if (!base) {
			g_prefix_error(&error, "--compare: ");
			return report_fail(error);
		}
		if (!base->runs->len) {
			fprintf(stderr, "faultsim report: --compare '%s' matches none of the %u "
				"runs of %s\n", compare, base->nr_candidates, db_path);
			return EXIT_USAGE;
		}
		base_ids = run_ids(base);
	}

	struct fs_report_options opts = {
		.patterns = (const char *const *)patterns,
		.all_statuses = all,
		.confidence = confidence,
		.runs = ids,
		.base_runs = base_ids,
		.lock_stat = lock_stat,
	};

	rep = fs_report_compute(db, &opts, &error);
	if (!rep)
		return report_fail(error);
	if (rep->unmatched->len) {
		for (guint i = 0; i < rep->unmatched->len; i++) {
			const char *p = rep->unmatched->pdata[i];
			g_autofree char *close = cli_closest_names(p, rep->metric_names, 5);

			fprintf(stderr, "faultsim report: -p '%s' matches no scalar of the runs%s%s\n",
				p, *close ? "; closest: " : "", close);
		}
		fprintf(stderr, "faultsim report: 'faultsim list metrics' lists them; a pattern "
			"with a '.' matches MODULE.NAME, one without NAME\n");
		return EXIT_USAGE;
	}
	if (lock_stat) {
		if (csv)
			print_lockstat_csv(rep);
		else
			print_lockstat(rep, db_path);
		return 0;
	}
	if (csv) {
		print_report_csv(rep);
		return 0;
	}
	print_split_notes(rep);
	if (wide) {
		printf("mean ± %g%% CI over each configuration's runs%s%s%s\n",
		       100 * confidence, compare ? "; change: vs " : "",
		       compare ? compare : "", compare ? " in % of its mean ± Welch CI" : "");
		print_report_wide(rep, (guint)width);
		return 0;
	}
	if (compare)
		printf("compared with %s: change of the mean and difference, each with a Welch "
		       "%g%% interval\n", compare, 100 * confidence);
	print_report_table(rep);
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;

	if (!cli_parse("merge", "DEST.db SOURCE.db...",
		       "Copy into DEST the runs of each SOURCE that DEST lacks (one transaction "
		       "per source).", NULL, &argc, &argv))
		return EXIT_USAGE;
	if (argc < 3) {
		fprintf(stderr, "faultsim merge: give a destination and at least one source\n");
		return EXIT_USAGE;
	}
	/* Paths that cannot be results databases are usage errors, found
	 * before the destination is opened (or made). */
	for (int i = 1; i < argc; i++) {
		if (!fs_resultdb_check_path(argv[i], i > 1, NULL, &error)) {
			fprintf(stderr, "faultsim merge: %s\n", error->message);
			return error->code == SIM_ERROR_PARSE ? EXIT_USAGE : 1;
		}
	}
	g_autoptr(fs_resultdb) dst = fs_resultdb_open(argv[1], &error);

	if (!dst) {
		fprintf(stderr, "faultsim merge: %s\n", error->message);
		return error->code == SIM_ERROR_PARSE ? EXIT_USAGE : 1;
	}
	for (int i = 2; i < argc; i++) {
		guint added = 0;

		if (!fs_resultdb_merge(dst, argv[i], &added, &error)) {
			fprintf(stderr, "faultsim merge: %s%s%s\n",
				g_str_has_prefix(error->message, argv[i]) ? "" : argv[i],
				g_str_has_prefix(error->message, argv[i]) ? "" : ": ", error->message);
			return 1;
		}
		printf("%s: %u runs added\n", argv[i], added);
	}
	return 0;
}
