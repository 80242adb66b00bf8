/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim export: the measurements of a results database in long
 * ("tidy") form, one row per run and metric, for pandas, R or a
 * spreadsheet to read without reshaping.
 *
 * Columns, in this order:
 *
 *   configname
 *   one per iteration variable (the union over the runs exported, in the
 *     order first seen; empty where a run lacks it; "$NAME" if NAME is
 *     also a fixed column)
 *   runnumber, repetition, runId, configHash, status
 *   module, name, value, unit
 *
 * Metrics are the scalars of each run, and the fields of each statistic
 * (NAME:count, :mean, :stddev, :min, :max) that the run has not also
 * recorded as scalars -- faultsim records them, and the quantiles
 * NAME:p50 ... :p999, as scalars already.  unit is scalarAttr 'unit', else,
 * for a statistic's field other than count, statisticAttr 'unit'; empty if
 * the database records none.  An empty value is a NULL in the database
 * (e.g. the mean of an empty histogram).
 *
 * With --bins the rows are instead the histogram bins, one per run,
 * histogram and bin: module, name, binLowerBound, binUpperBound, value
 * (the number of samples in [lower, upper)), unit (of the bounds).  The
 * first bin starts at -inf and the last ends at +inf (null in JSON).
 *
 * With --vectors the rows are instead the samples of the vectors
 * (record.interval), one per run, vector and sample: module, name,
 * eventNumber, time (simulated seconds), value, unit (of the values).
 *
 * Runs are in the order of the study (runs.h); the metrics of a run in the
 * order it recorded them.  Runs whose status is not "done" are left out
 * unless --all.  The database is opened read-only.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cli/cli.h"
#include "cli/runs.h"
#include "sim/core/types.h"

enum format { FMT_CSV, FMT_JSON, FMT_JSONL };

/* A value as SQLite returned it. */
struct cell {
	int type;		/* SQLITE_NULL, SQLITE_INTEGER or SQLITE_FLOAT */
	gint64 i;
	double d;
};

static struct cell column_cell(sqlite3_stmt *st, int col)
{
	struct cell c = { .type = sqlite3_column_type(st, col) };

	if (c.type == SQLITE_INTEGER)
		c.i = sqlite3_column_int64(st, col);
	else if (c.type != SQLITE_NULL) {
		c.type = SQLITE_FLOAT;
		c.d = sqlite3_column_double(st, col);
	}
	return c;
}

static struct cell double_cell(double d)
{
	return (struct cell){ .type = SQLITE_FLOAT, .d = d };
}

/* One statistic of a run. */
struct stat_fields {
	char *module, *name, *unit;
	struct cell fields[5];
};

static const char *const stat_fields[] = { "count", "mean", "stddev", "min", "max" };

static void stat_free(gpointer p)
{
	struct stat_fields *s = p;

	g_free(s->module);
	g_free(s->name);
	g_free(s->unit);
	g_free(s);
}

struct export;
/* Called for each metric (or bin, with @lower/@upper) of a run. */
typedef gboolean row_fn(struct export *x, const struct cli_run *run,
			const char *module, const char *name,
			const struct cell *lower, const struct cell *upper,
			const struct cell *value, const char *unit, GError **error);

struct export {
	struct fs_resultdb *db;
	const struct cli_runs *runs;
	const char *const *patterns;	/* NULL: every metric */
	gboolean bins;
	gboolean vectors;
	enum format format;
	GPtrArray *var_columns;		/* column names of the iteration variables */
	GPtrArray *columns;		/* every column name, in order */
	FILE *out;
	guint64 rows;
	GHashTable *names;		/* pass 1: "module\x1fname" seen */
	GPtrArray *name_list;		/* the same, as "module.name" */
	sqlite3_stmt *st_stats, *st_scalars, *st_hists, *st_bins, *st_vectors, *st_vdata;
};

static gboolean query_failed(struct export *x, GError **error)
{
	g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot query: %s",
		    fs_resultdb_path(x->db),
		    sqlite3_errmsg(fs_resultdb_handle(x->db)));
	return FALSE;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

static const char sql_stats[] =
	"SELECT moduleName, statName, statCount, statMean, statStddev, statMin, statMax, "
	"(SELECT attrValue FROM statisticAttr a WHERE a.statId = t.statId "
	"AND a.attrName = 'unit') FROM statistic t WHERE runId = ?1 ORDER BY statId";
static const char sql_scalars[] =
	"SELECT moduleName, scalarName, scalarValue, "
	"(SELECT attrValue FROM scalarAttr a WHERE a.scalarId = s.scalarId "
	"AND a.attrName = 'unit') FROM scalar s WHERE runId = ?1 ORDER BY scalarId";
static const char sql_hists[] =
	"SELECT statId, moduleName, statName, "
	"(SELECT attrValue FROM statisticAttr a WHERE a.statId = t.statId "
	"AND a.attrName = 'unit') FROM statistic t WHERE runId = ?1 "
	"AND isHistogram ORDER BY statId";
static const char sql_bins[] =
	"SELECT lowerEdge, binValue FROM histogramBin WHERE statId = ?1 "
	"ORDER BY lowerEdge";

static const char sql_vectors[] =
	"SELECT v.vectorId, v.moduleName, v.vectorName, "
	"(SELECT attrValue FROM vectorAttr a WHERE a.vectorId = v.vectorId "
	"AND a.attrName = 'unit'), r.simtimeExp FROM vector v JOIN run r USING (runId) "
	"WHERE v.runId = ?1 ORDER BY v.vectorId";
static const char sql_vdata[] =
	"SELECT eventNumber, simtimeRaw, value FROM vectorData WHERE vectorId = ?1 "
	"ORDER BY eventNumber, simtimeRaw";

static gboolean wanted(struct export *x, const char *module, const char *name)
{
	return !x->patterns || cli_glob_match(x->patterns, module, name);
}

/* The metrics of @run: scalars, then statistic fields not recorded as
 * scalars. */
static gboolean run_metrics(struct export *x, const struct cli_run *run,
			    row_fn *fn, GError **error)
{
	g_autoptr(GPtrArray) stats = g_ptr_array_new_with_free_func(stat_free);
	g_autoptr(GHashTable) stat_by_name = g_hash_table_new_full(g_str_hash, g_str_equal,
								   g_free, NULL);
	g_autoptr(GHashTable) scalars = g_hash_table_new_full(g_str_hash, g_str_equal,
							      g_free, NULL);
	sqlite3_stmt *st = x->st_stats;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct stat_fields *s = g_new0(struct stat_fields, 1);
		const char *unit = (const char *)sqlite3_column_text(st, 7);

		s->module = g_strdup(column_text(st, 0));
		s->name = g_strdup(column_text(st, 1));
		s->unit = g_strdup(unit);
		for (int f = 0; f < 5; f++)
			s->fields[f] = column_cell(st, 2 + f);
		g_hash_table_insert(stat_by_name,
				    g_strconcat(s->module, "\x1f", s->name, NULL), s);
		g_ptr_array_add(stats, s);
	}
	if (rc != SQLITE_DONE)
		return query_failed(x, error);

	st = x->st_scalars;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *module = column_text(st, 0);
		const char *name = column_text(st, 1);
		const char *unit = (const char *)sqlite3_column_text(st, 3);
		const char *colon = strrchr(name, ':');
		struct cell value = column_cell(st, 2);

		g_hash_table_add(scalars, g_strconcat(module, "\x1f", name, NULL));
		/* A statistic's field has the statistic's unit, but a count. */
		if (!unit && colon && strcmp(colon + 1, "count") != 0) {
			g_autofree char *key = g_strdup_printf("%s\x1f%.*s", module,
							       (int)(colon - name), name);
			const struct stat_fields *s = g_hash_table_lookup(stat_by_name, key);

			if (s)
				unit = s->unit;
		}
		if (wanted(x, module, name) &&
		    !fn(x, run, module, name, NULL, NULL, &value, unit, error)) {
			sqlite3_reset(st);
			return FALSE;
		}
	}
	if (rc != SQLITE_DONE)
		return query_failed(x, error);

	for (guint i = 0; i < stats->len; i++) {
		const struct stat_fields *s = stats->pdata[i];

		for (int f = 0; f < 5; f++) {
			g_autofree char *name = g_strconcat(s->name, ":", stat_fields[f], NULL);
			g_autofree char *key = g_strconcat(s->module, "\x1f", name, NULL);

			if (g_hash_table_contains(scalars, key) || !wanted(x, s->module, name))
				continue;
			if (!fn(x, run, s->module, name, NULL, NULL, &s->fields[f],
				f ? s->unit : NULL, error))
				return FALSE;
		}
	}
	return TRUE;
}

/* The histogram bins of @run. */
static gboolean run_bins(struct export *x, const struct cli_run *run,
			 row_fn *fn, GError **error)
{
	sqlite3_stmt *st = x->st_hists;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *module = column_text(st, 1);
		const char *name = column_text(st, 2);
		const char *unit = (const char *)sqlite3_column_text(st, 3);
		g_autoptr(GArray) lower = NULL, value = NULL;
		sqlite3_stmt *bt = x->st_bins;
		int brc;

		if (!wanted(x, module, name))
			continue;
		if (x->names) {		/* pass 1: names only */
			if (!fn(x, run, module, name, NULL, NULL, NULL, NULL, error))
				return FALSE;
			continue;
		}
		lower = g_array_new(FALSE, FALSE, sizeof(double));
		value = g_array_new(FALSE, FALSE, sizeof(struct cell));
		sqlite3_reset(bt);
		sqlite3_bind_int64(bt, 1, sqlite3_column_int64(st, 0));
		while ((brc = sqlite3_step(bt)) == SQLITE_ROW) {
			double l = sqlite3_column_double(bt, 0);
			struct cell v = column_cell(bt, 1);

			g_array_append_val(lower, l);
			g_array_append_val(value, v);
		}
		if (brc != SQLITE_DONE)
			return query_failed(x, error);
		for (guint b = 0; b < lower->len; b++) {
			struct cell lo = double_cell(g_array_index(lower, double, b));
			struct cell hi = double_cell(b + 1 < lower->len
						     ? g_array_index(lower, double, b + 1)
						     : INFINITY);

			if (!fn(x, run, module, name, &lo, &hi,
				&g_array_index(value, struct cell, b), unit, error)) {
				sqlite3_reset(st);
				return FALSE;
			}
		}
	}
	if (rc != SQLITE_DONE)
		return query_failed(x, error);
	return TRUE;
}

/* The vectors of @run, sample by sample (@lower: the event number,
 * @upper: the time in seconds). */
static gboolean run_vectors(struct export *x, const struct cli_run *run,
			    row_fn *fn, GError **error)
{
	sqlite3_stmt *st = x->st_vectors;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *module = column_text(st, 1);
		const char *name = column_text(st, 2);
		const char *unit = (const char *)sqlite3_column_text(st, 3);
		int exp = sqlite3_column_int(st, 4);
		/* Divided, not multiplied by 1e-9: 1000000 ns is 0.001 exactly. */
		double div = exp < 0 ? pow(10, -exp) : 1, mul = exp < 0 ? 1 : pow(10, exp);
		sqlite3_stmt *dt = x->st_vdata;
		int drc;

		if (!wanted(x, module, name))
			continue;
		if (x->names) {		/* pass 1: names only */
			if (!fn(x, run, module, name, NULL, NULL, NULL, NULL, error))
				return FALSE;
			continue;
		}
		sqlite3_reset(dt);
		sqlite3_bind_int64(dt, 1, sqlite3_column_int64(st, 0));
		while ((drc = sqlite3_step(dt)) == SQLITE_ROW) {
			struct cell ev = column_cell(dt, 0);
			struct cell t = double_cell((double)sqlite3_column_int64(dt, 1) * mul / div);
			struct cell v = column_cell(dt, 2);

			if (!fn(x, run, module, name, &ev, &t, &v, unit, error)) {
				sqlite3_reset(dt);
				sqlite3_reset(st);
				return FALSE;
			}
		}
		if (drc != SQLITE_DONE)
			return query_failed(x, error);
	}
	if (rc != SQLITE_DONE)
		return query_failed(x, error);
	return TRUE;
}

/* The rows of @run the options ask for. */
static gboolean run_rows(struct export *x, const struct cli_run *run, row_fn *fn,
			 GError **error)
{
	return x->bins ? run_bins(x, run, fn, error)
	       : x->vectors ? run_vectors(x, run, fn, error)
	       : run_metrics(x, run, fn, error);
}

/* ---- pass 1: do the patterns name anything? ------------------------------- */

static gboolean note_name(struct export *x, const struct cli_run *run,
			  const char *module, const char *name,
			  const struct cell *lower, const struct cell *upper,
			  const struct cell *value, const char *unit, GError **error)
{
	char *key = g_strconcat(module, "\x1f", name, NULL);

	(void)run; (void)lower; (void)upper; (void)value; (void)unit; (void)error;
	if (g_hash_table_contains(x->names, key)) {
		g_free(key);
		return TRUE;
	}
	g_hash_table_add(x->names, key);
	g_ptr_array_add(x->name_list, key);
	return TRUE;
}

/* Exit 2 (FALSE and @error) if a pattern matches no metric of the runs. */
static gboolean check_patterns(struct export *x, GError **error)
{
	const char *const *patterns = x->patterns;
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal,
							    g_free, NULL);
	g_autoptr(GPtrArray) list = g_ptr_array_new();
	gboolean ok = TRUE;

	x->patterns = NULL;
	x->names = names;
	x->name_list = list;
	for (guint i = 0; i < x->runs->runs->len && ok; i++) {
		const struct cli_run *r = x->runs->runs->pdata[i];

		ok = run_rows(x, r, note_name, error);
	}
	x->patterns = patterns;
	x->names = NULL;
	x->name_list = NULL;
	if (!ok)
		return FALSE;

	for (; *patterns; patterns++) {
		gboolean full = strchr(*patterns, '.') != NULL;
		g_autoptr(GPtrArray) cands = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
		g_autofree char *closest = NULL;
		guint i;

		for (i = 0; i < list->len; i++) {
			const char *key = list->pdata[i];
			const char *sep = strchr(key, '\x1f');
			g_autofree char *module = g_strndup(key, sep - key);

			if (cli_glob_match1(*patterns, module, sep + 1))
				break;
		}
		if (i < list->len)
			continue;
		for (i = 0; i < list->len; i++) {
			const char *key = list->pdata[i];
			const char *sep = strchr(key, '\x1f');
			char *c = full ? g_strdup_printf("%.*s.%s", (int)(sep - key), key, sep + 1)
				       : g_strdup(sep + 1);

			if (g_hash_table_contains(seen, c)) {
				g_free(c);
				continue;
			}
			g_hash_table_add(seen, c);
			g_ptr_array_add(cands, c);
		}
		closest = cli_closest_names(*patterns, cands, 5);
		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "-p '%s' matches no %s of the %u runs exported%s%s", *patterns,
			    x->bins ? "histogram" : x->vectors ? "vector" : "metric",
			    x->runs->runs->len,
			    *closest ? "; closest: " : "", closest);
		return FALSE;
	}
	return TRUE;
}

/* ---- writing -------------------------------------------------------------- */

static void json_string(GString *out, const char *s)
{
	g_autofree char *valid = g_utf8_make_valid(s, -1);

	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)valid; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

/* A text field: CSV as is, JSON a string or (@s NULL) null. */
static void put_text(struct export *x, GString *out, const char *s)
{
	if (x->format == FMT_CSV)
		cli_csv_field(out, s ? s : "");
	else if (s)
		json_string(out, s);
	else
		g_string_append(out, "null");
}

static void put_cell(struct export *x, GString *out, const struct cell *c)
{
	char buf[32];

	if (c->type == SQLITE_INTEGER) {
		g_string_append_printf(out, "%" G_GINT64_FORMAT, c->i);
		return;
	}
	if (c->type == SQLITE_NULL || (x->format != FMT_CSV && !isfinite(c->d))) {
		if (x->format != FMT_CSV)
			g_string_append(out, "null");
		return;
	}
	cli_format_double(buf, c->d);
	g_string_append(out, buf);
}

/* The fixed columns before module, name, ... */
static const char *const run_columns[] = {
	"configname", "runnumber", "repetition", "runId", "configHash", "status",
};

static GPtrArray *header(struct export *x)
{
	static const char *const metric_cols[] = { "module", "name", "value", "unit" };
	static const char *const bin_cols[] = { "module", "name", "binLowerBound",
						"binUpperBound", "value", "unit" };
	static const char *const vector_cols[] = { "module", "name", "eventNumber", "time",
						   "value", "unit" };
	GPtrArray *cols = g_ptr_array_new();

	g_ptr_array_add(cols, (gpointer)run_columns[0]);
	for (guint i = 0; i < x->var_columns->len; i++)
		g_ptr_array_add(cols, x->var_columns->pdata[i]);
	for (guint i = 1; i < G_N_ELEMENTS(run_columns); i++)
		g_ptr_array_add(cols, (gpointer)run_columns[i]);
	if (x->bins)
		for (guint i = 0; i < G_N_ELEMENTS(bin_cols); i++)
			g_ptr_array_add(cols, (gpointer)bin_cols[i]);
	else if (x->vectors)
		for (guint i = 0; i < G_N_ELEMENTS(vector_cols); i++)
			g_ptr_array_add(cols, (gpointer)vector_cols[i]);
	else
		for (guint i = 0; i < G_N_ELEMENTS(metric_cols); i++)
			g_ptr_array_add(cols, (gpointer)metric_cols[i]);
	return cols;
}

static gboolean write_row(struct export *x, const struct cli_run *run,
			  const char *module, const char *name,
			  const struct cell *lower, const struct cell *upper,
			  const struct cell *value, const char *unit, GError **error)
{
	const GPtrArray *cols = x->columns;
	g_autoptr(GString) out = g_string_new(NULL);
	guint c = 0;
	struct cell runnumber = { .type = SQLITE_INTEGER, .i = run->runnumber };
	struct cell repetition = { .type = SQLITE_INTEGER, .i = run->repetition };
	struct cell run_id = { .type = SQLITE_INTEGER, .i = run->id };

	(void)error;
#define SEP() do {							\
		if (x->format == FMT_CSV) {				\
			if (c++)					\
				g_string_append_c(out, ',');		\
		} else {						\
			g_string_append(out, c++ ? ", " : "{");	\
			json_string(out, cols->pdata[c - 1]);		\
			g_string_append(out, ": ");			\
		}							\
	} while (0)

	if (x->format == FMT_JSON)
		g_string_append(out, x->rows ? ",\n" : "[\n");
	SEP(); put_text(x, out, run->configname);
	for (guint i = 0; i < x->runs->var_names->len; i++) {
		SEP();
		put_text(x, out, g_hash_table_lookup(run->vars,
						     x->runs->var_names->pdata[i]));
	}
	SEP(); put_cell(x, out, &runnumber);
	SEP(); put_cell(x, out, &repetition);
	SEP(); put_cell(x, out, &run_id);
	SEP(); put_text(x, out, run->config_hash);
	SEP(); put_text(x, out, run->status);
	SEP(); put_text(x, out, module);
	SEP(); put_text(x, out, name);
	if (x->bins || x->vectors) {
		SEP(); put_cell(x, out, lower);
		SEP(); put_cell(x, out, upper);
	}
	SEP(); put_cell(x, out, value);
	SEP(); put_text(x, out, unit);
#undef SEP
	if (x->format != FMT_CSV)
		g_string_append_c(out, '}');
	if (x->format != FMT_JSON)
		g_string_append_c(out, '\n');
	fputs(out->str, x->out);
	x->rows++;
	return TRUE;
}

static void write_header(struct export *x)
{
	const GPtrArray *cols = x->columns;
	g_autoptr(GString) out = g_string_new(NULL);

	if (x->format != FMT_CSV)
		return;
	for (guint i = 0; i < cols->len; i++) {
		if (i)
			g_string_append_c(out, ',');
		cli_csv_field(out, cols->pdata[i]);
	}
	g_string_append_c(out, '\n');
	fputs(out->str, x->out);
}

static void write_trailer(struct export *x)
{
	if (x->format == FMT_JSON)
		fputs(x->rows ? "\n]\n" : "[]\n", x->out);
}

/* ---- the command ---------------------------------------------------------- */

/* Whether @a and @b are the same file. */
static gboolean same_file(const char *a, const char *b)
{
	GStatBuf sa, sb;

	return g_stat(a, &sa) == 0 && g_stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Open a temporary file next to @path for writing; *@tmp gets its name. */
static FILE *open_output(const char *path, char **tmp, GError **error)
{
	mode_t mask = umask(0);
	int fd;
	FILE *f;

	umask(mask);
	*tmp = g_strdup_printf("%s.XXXXXX", path);
	fd = g_mkstemp(*tmp);
	if (fd < 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot create: %s",
			    path, g_strerror(errno));
		g_clear_pointer(tmp, g_free);
		return NULL;
	}
	/* Permissions as for any new file, not mkstemp's 0600. */
	if (fchmod(fd, 0666 & ~mask) != 0 || !(f = fdopen(fd, "w"))) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot create: %s",
			    path, g_strerror(errno));
		close(fd);
		g_unlink(*tmp);
		g_clear_pointer(tmp, g_free);
		return NULL;
	}
	return f;
}

static gboolean prepare(struct export *x, GError **error)
{
	sqlite3 *sql = fs_resultdb_handle(x->db);

	if (sqlite3_prepare_v2(sql, sql_stats, -1, &x->st_stats, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sql, sql_scalars, -1, &x->st_scalars, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sql, sql_hists, -1, &x->st_hists, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sql, sql_bins, -1, &x->st_bins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sql, sql_vectors, -1, &x->st_vectors, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sql, sql_vdata, -1, &x->st_vdata, NULL) != SQLITE_OK)
		return query_failed(x, error);
	return TRUE;
}

static void finalize(struct export *x)
{
	sqlite3_finalize(x->st_stats);
	sqlite3_finalize(x->st_scalars);
	sqlite3_finalize(x->st_hists);
	sqlite3_finalize(x->st_bins);
	sqlite3_finalize(x->st_vectors);
	sqlite3_finalize(x->st_vdata);
}

static int export_fail(const char *what, GError *error)
{
	fprintf(stderr, "faultsim export: %s%s%s\n", what ? what : "", what ? ": " : "",
		error->message);
	return cli_exit_status(error);
}

int cmd_export(int argc, char **argv)
{
	g_autofree char *db_opt = NULL, *format_opt = NULL, *out_opt = NULL;
	g_auto(GStrv) patterns = NULL, where = NULL;
	gboolean bins = FALSE, vectors = FALSE, all = FALSE;
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &db_opt,
		  "results database (default results.db), opened read-only", "FILE" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format_opt,
		  "csv (default; RFC 4180 quoting, a header line), json (one JSON array of "
		  "objects) or jsonl (JSON lines: one object per line)", "FORMAT" },
		{ "metric", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &patterns,
		  "metrics to export, as globs on NAME or MODULE.NAME like report's "
		  "(repeatable; default: all)", "GLOB" },
		{ "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &where,
		  "only runs where EXPR holds, e.g. '$rho=0.5', '$threads>=4 && "
		  "$kernel=linux-6.6|linux-6.15' (repeatable: all must hold)", "EXPR" },
		{ "bins", 0, 0, G_OPTION_ARG_NONE, &bins,
		  "histogram bins instead: one row per run, histogram and bin", NULL },
		{ "vectors", 0, 0, G_OPTION_ARG_NONE, &vectors,
		  "vectors instead (record.interval): one row per run, vector and sample, "
		  "with eventNumber and time (simulated seconds)", NULL },
		{ "all", 'a', 0, G_OPTION_ARG_NONE, &all,
		  "include runs whose status is not done (deadlock, failed)", NULL },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out_opt,
		  "write to FILE (replaced whole when done) instead of standard output",
		  "FILE" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(fs_resultdb) db = NULL;
	g_autoptr(cli_runs) runs = NULL;
	g_autoptr(GPtrArray) var_columns = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) columns = NULL;
	g_autofree char *tmp = NULL;
	const char *db_path;
	struct export x = { 0 };
	gboolean ok = TRUE;

	if (!cli_parse("export", "",
		       "The measurements of a results database in long form: one row per run "
		       "and metric (configname, one column per iteration variable, runnumber, "
		       "repetition, runId, configHash, status, module, name, value, unit), for "
		       "pandas or R to read as they are.  Statistics give NAME:count, :mean, "
		       "... as metrics; --bins gives their histogram bins instead "
		       "(binLowerBound, binUpperBound, value); --vectors the samples of the "
		       "vectors (eventNumber, time, value).", entries, &argc, &argv))
		return EXIT_USAGE;
	if (bins && vectors) {
		fprintf(stderr, "faultsim export: --bins and --vectors: one or the other\n");
		return EXIT_USAGE;
	}
	if (argc != 1) {
		fprintf(stderr, "faultsim export: takes no arguments ('%s')\n", argv[1]);
		return EXIT_USAGE;
	}
	if (!format_opt || !strcmp(format_opt, "csv"))
		x.format = FMT_CSV;
	else if (!strcmp(format_opt, "json"))
		x.format = FMT_JSON;
	else if (!strcmp(format_opt, "jsonl"))
		x.format = FMT_JSONL;
	else {
		fprintf(stderr, "faultsim export: --format '%s': accepted: csv, json, jsonl\n",
			format_opt);
		return EXIT_USAGE;
	}
	db_path = db_opt ? db_opt : "results.db";
	if (out_opt && !strcmp(out_opt, "-"))
		g_clear_pointer(&out_opt, g_free);
	if (out_opt && same_file(out_opt, db_path)) {
		fprintf(stderr, "faultsim export: -o %s is the database itself\n", out_opt);
		return EXIT_USAGE;
	}

	db = fs_resultdb_open_readonly(db_path, &error);
	if (!db) {
		fprintf(stderr, "faultsim export: %s\n", error->message);
		return EXIT_USAGE;
	}
	runs = cli_runs_load(db, (const char *const *)where, all, &error);
	if (!runs)
		return export_fail(NULL, error);
	if (where && !runs->runs->len) {
		fprintf(stderr, "faultsim export: none of the %u runs of %s matches --where\n",
			runs->nr_candidates, db_path);
		return EXIT_USAGE;
	}

	/* Iteration variables named like a fixed column get a '$'. */
	for (guint i = 0; i < runs->var_names->len; i++) {
		const char *v = runs->var_names->pdata[i];
		gboolean clash = !strcmp(v, "module") || !strcmp(v, "name") ||
				 !strcmp(v, "value") || !strcmp(v, "unit") ||
				 !strcmp(v, "eventNumber") || !strcmp(v, "time") ||
				 g_str_has_prefix(v, "bin");

		for (guint j = 0; j < G_N_ELEMENTS(run_columns); j++)
			clash |= !strcmp(v, run_columns[j]);
		g_ptr_array_add(var_columns, clash ? g_strconcat("$", v, NULL) : g_strdup(v));
	}

	x.db = db;
	x.runs = runs;
	x.patterns = (const char *const *)patterns;
	x.bins = bins;
	x.vectors = vectors;
	x.var_columns = var_columns;
	columns = header(&x);
	x.columns = columns;
	if (!prepare(&x, &error)) {
		finalize(&x);
		return export_fail(NULL, error);
	}
	if (patterns && !check_patterns(&x, &error)) {
		finalize(&x);
		return export_fail(NULL, error);
	}

	if (out_opt) {
		x.out = open_output(out_opt, &tmp, &error);
		if (!x.out) {
			finalize(&x);
			return export_fail(NULL, error);
		}
	} else {
		x.out = stdout;
	}
	write_header(&x);
	for (guint i = 0; i < runs->runs->len && ok; i++) {
		const struct cli_run *r = runs->runs->pdata[i];

		ok = run_rows(&x, r, write_row, &error);
	}
	finalize(&x);
	if (ok)
		write_trailer(&x);
	if (ok && (fflush(x.out) != 0 || ferror(x.out))) {
		g_set_error(&error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot write: %s",
			    out_opt ? out_opt : "standard output", g_strerror(errno));
		ok = FALSE;
	}
	if (out_opt) {
		if (fclose(x.out) != 0 && ok) {
			g_set_error(&error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot write: %s",
				    out_opt, g_strerror(errno));
			ok = FALSE;
		}
		if (ok && g_rename(tmp, out_opt) != 0) {
			g_set_error(&error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot rename %s: %s",
				    out_opt, tmp, g_strerror(errno));
			ok = FALSE;
		}
		if (!ok)
			g_unlink(tmp);
	}
	if (!ok)
		return export_fail(NULL, error);
	return 0;
}
