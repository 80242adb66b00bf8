/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The runs export and plot read, --where, metric names, units (runs.h).
 *
 * Costs: loading reads runStatus, runAttr and runItervar once each,
 * O(runs x attributes) with a hash lookup per row.
 */
#include "config.h"

#include <fnmatch.h>
#include <math.h>
#include <string.h>

#include "cli/runs.h"
#include "sim/core/types.h"
#include "sim/core/units.h"

/* ---- numbers and units ---------------------------------------------------- */

gboolean cli_parse_number(const char *text, double *out, char *kind)
{
	char k = 0;

	if (sim_parse_double(text, out, NULL))
		k = 'n';
	else if (sim_parse_time_double(text, out, NULL))
		k = 't';
	else if (sim_parse_size_double(text, out, NULL))
		k = 's';
	if (kind)
		*kind = k;
	return k != 0;
}

void cli_format_double(char buf[static 32], double v)
{
	if (isnan(v)) {
		strcpy(buf, "nan");
		return;
	}
	if (isinf(v)) {
		strcpy(buf, v > 0 ? "inf" : "-inf");
		return;
	}
	/* The fewest digits that read back as the same double. */
	for (int digits = 15; digits <= 17; digits++) {
		char fmt[8];

		g_snprintf(fmt, sizeof(fmt), "%%.%dg", digits);
		g_ascii_formatd(buf, 32, fmt, v);
		if (g_ascii_strtod(buf, NULL) == v)
			return;
	}
}

const char *cli_unit_scale(const char *unit, double max, double *scale)
{
	static const struct { const char *unit; double scale; } times[] = {
		{ "s", 1e9 }, { "ms", 1e6 }, { "µs", 1e3 }, { "ns", 1 },
	}, sizes[] = {
		{ "GiB", 1073741824.0 }, { "MiB", 1048576.0 }, { "KiB", 1024.0 },
		{ "B", 1 },
	};

	*scale = 1;
	if (!unit)
		return NULL;
	max = fabs(max);
	if (!strcmp(unit, "ns")) {
		for (guint i = 0; i < G_N_ELEMENTS(times); i++)
			if (max >= times[i].scale || i + 1 == G_N_ELEMENTS(times)) {
				*scale = times[i].scale;
				return times[i].unit;
			}
	}
	if (!strcmp(unit, "B")) {
		for (guint i = 0; i < G_N_ELEMENTS(sizes); i++)
			if (max >= sizes[i].scale || i + 1 == G_N_ELEMENTS(sizes)) {
				*scale = sizes[i].scale;
				return sizes[i].unit;
			}
	}
	return unit;
}

int cli_exit_status(const GError *error)
{
	return error && g_error_matches(error, SIM_ERROR, SIM_ERROR_IO) ? 1 : 2;
}

/* ---- names ---------------------------------------------------------------- */

/*
 * A pattern matches a name it spells exactly, as well as the names it
 * matches as a glob: module names such as app[0] hold brackets, which a
 * glob reads as a character class.
 */
gboolean cli_glob_match1(const char *pattern, const char *module,
			 const char *name)
{
	if (strchr(pattern, '.')) {
		g_autofree char *full = g_strconcat(module, ".", name, NULL);

		return strcmp(pattern, full) == 0 || fnmatch(pattern, full, 0) == 0;
	}
	return strcmp(pattern, name) == 0 || fnmatch(pattern, name, 0) == 0;
}

gboolean cli_glob_match(const char *const *patterns, const char *module,
			const char *name)
{
	for (; *patterns; patterns++)
		if (cli_glob_match1(*patterns, module, name))
			return TRUE;
	return FALSE;
}

/* Levenshtein distance, case-insensitive, two rows: O(|a| |b|). */
static guint edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	g_autofree guint *prev = g_new(guint, lb + 1);
	g_autofree guint *cur = g_new(guint, lb + 1);

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			guint sub = prev[j - 1] +
				    (g_ascii_tolower(a[i - 1]) != g_ascii_tolower(b[j - 1]));

			cur[j] = MIN(MIN(prev[j] + 1, cur[j - 1] + 1), sub);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(*prev));
	}
	return prev[lb];
}

struct scored {
	const char *name;
	guint score;
	guint order;
};

static gint scored_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct scored *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

char *cli_closest_names(const char *pattern, const GPtrArray *candidates,
			guint max)
{
	g_autoptr(GString) literal = g_string_new(NULL);
	g_autofree char *lit_lower = NULL;
	g_autoptr(GArray) scores = g_array_new(FALSE, FALSE, sizeof(struct scored));
	GString *out = g_string_new(NULL);

	/* The pattern without its wildcards is what the user meant to say. */
	for (const char *p = pattern; *p; p++)
		if (*p != '*' && *p != '?' && *p != '[' && *p != ']')
			g_string_append_c(literal, *p);
	lit_lower = g_ascii_strdown(literal->str, -1);

	for (guint i = 0; i < candidates->len; i++) {
		const char *c = candidates->pdata[i];
		g_autofree char *c_lower = g_ascii_strdown(c, -1);
		struct scored s = { c, 0, i };

		/* A name that holds the text ranks before any misspelling. */
		if (literal->len && strstr(c_lower, lit_lower))
			s.score = strlen(c) - literal->len;
		else
			s.score = 1000 + edit_distance(literal->str, c);
		g_array_append_val(scores, s);
	}
	g_array_sort(scores, scored_cmp);
	for (guint i = 0; i < scores->len && i < max; i++)
		g_string_append_printf(out, "%s%s", i ? ", " : "",
				       g_array_index(scores, struct scored, i).name);
	return g_string_free(out, FALSE);
}

/* ---- runs ----------------------------------------------------------------- */

static void run_free(gpointer p)
{
	struct cli_run *r = p;

	if (!r)
		return;
	g_hash_table_unref(r->vars);
	g_ptr_array_unref(r->var_order);
	g_hash_table_unref(r->attrs);
	g_free(r);
}

void cli_runs_free(struct cli_runs *runs)
{
	if (!runs)
		return;
	g_ptr_array_unref(runs->runs);
	g_ptr_array_unref(runs->var_names);
	g_hash_table_unref(runs->by_id);
	g_free(runs);
}

const char *cli_run_value(const struct cli_run *run, const char *name)
{
	const char *v;

	if (name[0] == '$')
		name++;
	v = g_hash_table_lookup(run->vars, name);
	return v ? v : g_hash_table_lookup(run->attrs, name);
}

static gboolean runs_have(GPtrArray *runs, const char *name)
{
	for (guint i = 0; i < runs->len; i++)
		if (cli_run_value(runs->pdata[i], name))
			return TRUE;
	return FALSE;
}

gboolean cli_runs_have(const struct cli_runs *runs, const char *name)
{
	return runs_have(runs->runs, name);
}

/* "iteration variables: ...; run attributes: ..." of @runs. */
static char *describe_names(GPtrArray *runs)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) vars = g_string_new(NULL);
	g_autoptr(GString) attrs = g_string_new(NULL);
	g_autoptr(GList) names = NULL;

	for (guint i = 0; i < runs->len; i++) {
		const struct cli_run *r = runs->pdata[i];

		for (guint j = 0; j < r->var_order->len; j++) {
			const char *n = r->var_order->pdata[j];

			if (g_hash_table_add(seen, (gpointer)n))
				g_string_append_printf(vars, "%s%s", vars->len ? ", " : "", n);
		}
	}
	for (guint i = 0; i < runs->len; i++) {
		const struct cli_run *r = runs->pdata[i];
		g_autoptr(GList) keys = g_hash_table_get_keys(r->attrs);

		for (GList *l = keys; l; l = l->next)
			if (g_hash_table_add(seen, l->data))
				names = g_list_prepend(names, l->data);
	}
	names = g_list_sort(names, (GCompareFunc)strcmp);
	for (GList *l = names; l; l = l->next)
		g_string_append_printf(attrs, "%s%s", attrs->len ? ", " : "",
				       (const char *)l->data);
	return g_strdup_printf("iteration variables: %s; run attributes: %s",
			       vars->len ? vars->str : "(none)",
			       attrs->len ? attrs->str : "(none)");
}

char *cli_runs_describe_names(const struct cli_runs *runs)
{
	return describe_names(runs->runs);
}

char *cli_run_label(const struct cli_run *run, gboolean with_config)
{
	GString *s = g_string_new(with_config ? run->configname : "");

	for (guint i = 0; i < run->var_order->len; i++) {
		const char *n = run->var_order->pdata[i];

		g_string_append_printf(s, "%s%s=%s",
				       s->len ? (i ? ", " : " ") : "", n,
				       (const char *)g_hash_table_lookup(run->vars, n));
	}
	if (!s->len)
		g_string_append(s, run->configname);
	return g_string_free(s, FALSE);
}

/* ---- --where -------------------------------------------------------------- */

enum where_op { W_EQ, W_NE, W_LT, W_LE, W_GT, W_GE };

struct where_term {
	char *name;
	enum where_op op;
	GPtrArray *values;		/* char *: alternatives */
	const char *expr;		/* the --where text, for messages */
};

static void term_free(gpointer p)
{
	struct where_term *t = p;

	g_free(t->name);
	g_ptr_array_unref(t->values);
	g_free(t);
}

static void G_GNUC_PRINTF(4, 5)
where_error(GError **error, const char *expr, const char *at, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (*at)
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad --where '%s': at column %d: %s", expr,
			    (int)(at - expr) + 1, msg);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad --where '%s': at the end: %s", expr, msg);
}

static const char *skip_blanks(const char *p)
{
	while (g_ascii_isspace(*p))
		p++;
	return p;
}

/* One VALUE at *@pp; NULL after setting @error. */
static char *parse_value(const char *expr, const char **pp, GError **error)
{
	const char *p = *pp, *start;

	if (*p == '\'' || *p == '"') {
		const char *end = strchr(p + 1, *p);

		if (!end) {
			where_error(error, expr, p, "unterminated quote");
			return NULL;
		}
		*pp = end + 1;
		return g_strndup(p + 1, end - p - 1);
	}
	for (start = p; *p && !g_ascii_isspace(*p) && !strchr("|,&", *p); p++)
		;
	if (p == start) {
		where_error(error, expr, p, "expected a value");
		return NULL;
	}
	*pp = p;
	return g_strndup(start, p - start);
}

static gboolean parse_where(const char *expr, GPtrArray *terms, GError **error)
{
	static const struct { const char *text; enum where_op op; } ops[] = {
		{ "==", W_EQ }, { "!=", W_NE }, { "<=", W_LE }, { ">=", W_GE },
		{ "=", W_EQ }, { "<", W_LT }, { ">", W_GT },
	};
	const char *p = expr;

	for (;;) {
		struct where_term *t;
		const char *start;
		guint i;

		p = skip_blanks(p);
		if (*p == '$')
			p++;
		for (start = p; g_ascii_isalnum(*p) || *p == '_' || *p == '.'; p++)
			;
		if (p == start) {
			where_error(error, expr, p, "expected a variable or attribute name");
			return FALSE;
		}
		t = g_new0(struct where_term, 1);
		t->name = g_strndup(start, p - start);
		t->values = g_ptr_array_new_with_free_func(g_free);
		t->expr = expr;
		g_ptr_array_add(terms, t);

		p = skip_blanks(p);
		for (i = 0; i < G_N_ELEMENTS(ops); i++)
			if (g_str_has_prefix(p, ops[i].text))
				break;
		if (i == G_N_ELEMENTS(ops)) {
			where_error(error, expr, p, "expected =, !=, <, <=, > or >=");
			return FALSE;
		}
		t->op = ops[i].op;
		p = skip_blanks(p + strlen(ops[i].text));
		for (;;) {
			char *v = parse_value(expr, &p, error);

			if (!v)
				return FALSE;
			g_ptr_array_add(t->values, v);
			if (*p != '|')
				break;
			if (t->op != W_EQ && t->op != W_NE) {
				where_error(error, expr, p,
					    "alternatives ('|') only with = and !=");
				return FALSE;
			}
			p++;
		}
		p = skip_blanks(p);
		if (!*p)
			return TRUE;
		if (g_str_has_prefix(p, "&&"))
			p += 2;
		else if (*p == ',')
			p++;
		else {
			where_error(error, expr, p, "expected '&&', ',' or the end");
			return FALSE;
		}
	}
}

static gboolean values_equal(const char *a, const char *b)
{
	double x, y;

	if (cli_parse_number(a, &x, NULL) && cli_parse_number(b, &y, NULL))
		return x == y;
	return strcmp(a, b) == 0;
}

static gboolean term_holds(const struct where_term *t, const struct cli_run *run,
			   gboolean *holds, GError **error)
{
	const char *v = cli_run_value(run, t->name);
	const char *w = t->values->pdata[0];
	double x, y;

	if (t->op == W_EQ || t->op == W_NE) {
		gboolean eq = FALSE;

		for (guint i = 0; i < t->values->len && !eq; i++)
			eq = values_equal(v ? v : "", t->values->pdata[i]);
		*holds = t->op == W_EQ ? eq : !eq;
		return TRUE;
	}
	if (!v) {
		*holds = FALSE;
		return TRUE;
	}
	if (!cli_parse_number(w, &y, NULL) || !cli_parse_number(v, &x, NULL)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "--where '%s': %s is '%s' in run %" G_GINT64_FORMAT
			    ", compared with '%s': <, <=, >, >= need numbers",
			    t->expr, t->name, v, run->id, w);
		return FALSE;
	}
	switch (t->op) {
	case W_LT: *holds = x < y; break;
	case W_LE: *holds = x <= y; break;
	case W_GT: *holds = x > y; break;
	default: *holds = x >= y; break;
	}
	return TRUE;
}

/* ---- loading -------------------------------------------------------------- */

static gboolean query_failed(struct fs_resultdb *db, GError **error)
{
	g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot query: %s",
		    fs_resultdb_path(db), sqlite3_errmsg(fs_resultdb_handle(db)));
	return FALSE;
}

/* Fill @runs (runId -> struct cli_run) with every run that has a status
 * (any, or "done"), with its attributes and iteration variables. */
static gboolean read_runs(struct fs_resultdb *db, gboolean all_statuses,
			  GHashTable *runs, GError **error)
{
	sqlite3 *sql = fs_resultdb_handle(db);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sql, "SELECT runId, status, configHash FROM runStatus "
			       "WHERE ?1 OR status = 'done'", -1, &st, NULL) != SQLITE_OK)
		return query_failed(db, error);
	sqlite3_bind_int(st, 1, all_statuses);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cli_run *r = g_new0(struct cli_run, 1);
		gint64 *key = g_new(gint64, 1);
		const char *hash = (const char *)sqlite3_column_text(st, 2);

		r->id = *key = sqlite3_column_int64(st, 0);
		r->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		r->var_order = g_ptr_array_new();
		r->attrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		g_hash_table_insert(r->attrs, g_strdup("status"),
				    g_strdup((const char *)sqlite3_column_text(st, 1)));
		if (hash)
			g_hash_table_insert(r->attrs, g_strdup("configHash"), g_strdup(hash));
		g_hash_table_insert(runs, key, r);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(db, error);

	if (sqlite3_prepare_v2(sql, "SELECT runId, attrName, attrValue FROM runAttr",
			       -1, &st, NULL) != SQLITE_OK)
		return query_failed(db, error);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		struct cli_run *r = g_hash_table_lookup(runs, &id);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *value = (const char *)sqlite3_column_text(st, 2);

		if (r && name)
			g_hash_table_insert(r->attrs, g_strdup(name),
					    g_strdup(value ? value : ""));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(db, error);

	if (sqlite3_prepare_v2(sql, "SELECT runId, itervarName, itervarValue "
			       "FROM runItervar ORDER BY runId, rowid", -1, &st,
			       NULL) != SQLITE_OK)
		return query_failed(db, error);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		struct cli_run *r = g_hash_table_lookup(runs, &id);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *value = (const char *)sqlite3_column_text(st, 2);
		char *key;

		if (!r || !name)
			continue;
		key = g_strdup(name);
		g_hash_table_insert(r->vars, key, g_strdup(value ? value : ""));
		g_ptr_array_add(r->var_order, key);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return query_failed(db, error);
	return TRUE;
}

static gint run_id_cmp(gconstpointer a, gconstpointer b)
{
	const struct cli_run *ra = *(struct cli_run *const *)a;
	const struct cli_run *rb = *(struct cli_run *const *)b;

	return ra->id < rb->id ? -1 : ra->id > rb->id;
}

static gint run_study_cmp(gconstpointer a, gconstpointer b)
{
	const struct cli_run *ra = *(struct cli_run *const *)a;
	const struct cli_run *rb = *(struct cli_run *const *)b;

	if (ra->config_index != rb->config_index)
		return ra->config_index < rb->config_index ? -1 : 1;
	if (ra->runnumber != rb->runnumber)
		return ra->runnumber < rb->runnumber ? -1 : 1;
	return run_id_cmp(a, b);
}

static guint attr_uint(const struct cli_run *r, const char *name)
{
	const char *v = g_hash_table_lookup(r->attrs, name);

	return v ? (guint)g_ascii_strtoull(v, NULL, 10) : 0;
}

static const char *attr_text(const struct cli_run *r, const char *name)
{
	const char *v = g_hash_table_lookup(r->attrs, name);

	return v ? v : "";
}

struct cli_runs *cli_runs_load(struct fs_resultdb *db, const char *const *where,
			       gboolean all_statuses, GError **error)
{
	g_autoptr(GHashTable) by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal,
							    g_free, NULL);
	g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(run_free);
	g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func(term_free);
	g_autoptr(GHashTable) configs = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) seen_vars = g_hash_table_new(g_str_hash, g_str_equal);
	struct cli_runs *runs;
	GHashTableIter it;
	gpointer value;
	gboolean ok;

	for (; where && *where; where++)
		if (!parse_where(*where, terms, error))
			return NULL;
	/* @all owns the runs read, @by_id only indexes them. */
	ok = read_runs(db, all_statuses, by_id, error);
	g_hash_table_iter_init(&it, by_id);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct cli_run *r = value;

		g_ptr_array_add(all, r);
		if (!ok)
			continue;
		r->configname = attr_text(r, "configname");
		r->iterationvars = attr_text(r, "iterationvars");
		r->config_hash = attr_text(r, "configHash");
		r->status = attr_text(r, "status");
		r->runnumber = attr_uint(r, "runnumber");
		r->repetition = attr_uint(r, "repetition");
	}
	if (!ok)
		return NULL;
	/* Configurations in the order of their first run. */
	g_ptr_array_sort(all, run_id_cmp);
	for (guint i = 0; i < all->len; i++) {
		struct cli_run *r = all->pdata[i];
		gpointer ci;

		if (!g_hash_table_lookup_extended(configs, r->configname, NULL, &ci)) {
			ci = GUINT_TO_POINTER(g_hash_table_size(configs));
			g_hash_table_insert(configs, (gpointer)r->configname, ci);
		}
		r->config_index = GPOINTER_TO_UINT(ci);
	}
	g_ptr_array_sort(all, run_study_cmp);

	/* Every name --where uses must be known to some run. */
	for (guint i = 0; i < terms->len; i++) {
		const struct where_term *t = terms->pdata[i];

		if (all->len && !runs_have(all, t->name)) {
			g_autofree char *known = describe_names(all);

			g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
				    "--where '%s': no run has '%s' (%s)", t->expr,
				    t->name, known);
			return NULL;
		}
	}

	runs = g_new0(struct cli_runs, 1);
	runs->runs = g_ptr_array_new_with_free_func(run_free);
	runs->var_names = g_ptr_array_new_with_free_func(g_free);
	runs->by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, NULL);
	runs->nr_candidates = all->len;
	for (guint i = 0; i < all->len; i++) {
		struct cli_run *r = all->pdata[i];
		gboolean keep = TRUE;

		for (guint j = 0; j < terms->len && keep; j++)
			if (!term_holds(terms->pdata[j], r, &keep, error)) {
				cli_runs_free(runs);
				return NULL;
			}
		if (!keep)
			continue;
		all->pdata[i] = NULL;
		g_ptr_array_add(runs->runs, r);
		g_hash_table_insert(runs->by_id, &r->id, r);
		for (guint j = 0; j < r->var_order->len; j++) {
			const char *n = r->var_order->pdata[j];

			if (g_hash_table_add(seen_vars, (gpointer)n))
				g_ptr_array_add(runs->var_names, g_strdup(n));
		}
	}
	/* Runs not kept are freed with @all; kept ones are NULL there. */
	return runs;
}

void cli_csv_field(GString *out, const char *s)
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
