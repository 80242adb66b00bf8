/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parameter studies: value templates with iteration variables, the
 * expansion of a config into densely numbered runs, and each run's
 * resolved configuration (see scenario.h for the rules users see); and
 * what a file says before any study is made: its configs, for listings,
 * and its plugins, to load first.
 *
 * Order of checks, so that the first error reported is the first a reader
 * of the file would meet:
 *
 *  1. the file's structure (ini.c): syntax, duplicates, extends;
 *  2. every entry of every section, in file order: the key is registered,
 *     the template parses, a value without variables is valid;
 *  3. the --set overrides, in order, likewise;
 *  4. the chosen config: iteration variables (unique names, not
 *     predefined), references, lock-steps, the constraint's variables;
 *  5. every combination in numbering order: the constraint;
 *  6. every run in order: each value that has variables (a value seen
 *     before for the same entry is not checked again).  When no value
 *     uses $repetition or $runnumber, the repetitions of a combination
 *     have the same values and only its first is checked.
 *
 * Memory: a study keeps only its combinations that pass the constraint (8
 * bytes each), never its runs: a run is built when it is asked for
 * (sim_study_run_new(): its pairs and strings in one allocation, values
 * that have no variables shared with the study), so a study of a million
 * repetitions costs what one of a few runs does.  sim_study_run() keeps
 * what it built, for callers that look at a few runs.  A study has at
 * most SIM_STUDY_MAX_RUNS runs.
 *
 * Once made, a study is only read: sim_study_run(), sim_study_run_new()
 * and the getters may be called from several threads at once.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "sim/config/expr.h"
#include "sim/config/ini.h"
#include "sim/config/scenario.h"
#include "sim/core/units.h"

#ifndef SIM_STUDY_MAX_RUNS		/* the fuzzing build makes it small */
#define SIM_STUDY_MAX_RUNS 1000000
#endif
#define SIM_RANGE_MAX_VALUES 100000

/* Predefined variables, as negative variable indices. */
enum {
	PREDEF_REPETITION = -1,
	PREDEF_RUNNUMBER = -2,
	PREDEF_CONFIGNAME = -3,
};

static const char *const predefined[] = {
	"repetition", "runnumber", "configname", NULL
};

/* ---------------------------------------------------------------------- */
/* Templates */

enum part_kind {
	PART_TEXT,		/* literal text, "$$" already turned into "$" */
	PART_ITER,		/* ${...}: defines an iteration variable */
	PART_REF,		/* $x or ${x} */
};

struct iter {
	char *name;		/* NULL: anonymous */
	char *lock;		/* the variable it advances with, or NULL */
	char *spec;		/* "${...}" as written, for messages */
	GPtrArray *values;	/* char * */
};

struct part {
	enum part_kind kind;
	char *text;		/* PART_TEXT: the text; PART_REF: the name */
	struct iter iter;	/* PART_ITER */
	int var;		/* the study's variable index, or PREDEF_* */
};

struct sim_tmpl {
	GPtrArray *parts;	/* struct part * */
	gboolean has_vars;	/* any PART_ITER or PART_REF */
	char *plain;		/* !has_vars: the value, "$$" undone */
};

static void part_free(struct part *p)
{
	g_free(p->text);
	g_free(p->iter.name);
	g_free(p->iter.lock);
	g_free(p->iter.spec);
	if (p->iter.values != NULL)
		g_ptr_array_unref(p->iter.values);
	g_free(p);
}

static void sim_tmpl_free(struct sim_tmpl *t)
{
	if (t == NULL)
		return;
	g_ptr_array_unref(t->parts);
	g_free(t->plain);
	g_free(t);
}

static gboolean ident_start(char c)
{
	return g_ascii_isalpha(c) || c == '_';
}

static gboolean ident_char(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

static gboolean is_ident(const char *s)
{
	if (!ident_start(*s))
		return FALSE;
	while (ident_char(*s))
		s++;
	return *s == '\0';
}

static int predefined_index(const char *name)
{
	for (int i = 0; predefined[i] != NULL; i++) {
		if (strcmp(predefined[i], name) == 0)
			return -1 - i;
	}
	return 0;
}

/* The first @c in @s outside parentheses (the last one if @last). */
static char *find_top(char *s, char c, gboolean last)
{
	char *found = NULL;
	int depth = 0;

	for (char *p = s; *p != '\0'; p++) {
		if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth--;
		} else if (*p == c && depth == 0) {
			found = p;
			if (!last)
				break;
		}
	}
	return found;
}

/* Items of a list, split at commas outside parentheses; not trimmed. */
static GPtrArray *split_top(const char *s)
{
	GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
	const char *start = s;
	int depth = 0;

	for (const char *p = s;; p++) {
		if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth--;
		} else if ((*p == ',' && depth == 0) || *p == '\0') {
			g_ptr_array_add(items,
					g_strndup(start, (gsize)(p - start)));
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	return items;
}

/*
 * A number with an optional unit, for range ends: "64", "10us", "1.5 GiB".
 * The number part follows units.h's grammar (no hex, inf or nan); the unit
 * is letters (or "µ").  Returns FALSE if @text is not that.
 */
static gboolean parse_qty(const char *text, double *v, char **unit)
{
	const char *p = text, *num;
	g_autofree char *digits = NULL;
	gboolean any = FALSE;

	while (g_ascii_isspace(*p))
		p++;
	num = p;
	if (*p == '+' || *p == '-')
		p++;
	for (; g_ascii_isdigit(*p); p++)
		any = TRUE;
	if (*p == '.') {
		for (p++; g_ascii_isdigit(*p); p++)
			any = TRUE;
	}
	if (!any)
		return FALSE;
	if ((*p == 'e' || *p == 'E') &&
	    (g_ascii_isdigit(p[1]) ||
	     ((p[1] == '+' || p[1] == '-') && g_ascii_isdigit(p[2])))) {
		for (p += 2; g_ascii_isdigit(*p); p++)
			;
	}
	digits = g_strndup(num, (gsize)(p - num));
	*v = g_ascii_strtod(digits, NULL);
	if (!isfinite(*v))
		return FALSE;
	while (g_ascii_isspace(*p))
		p++;
	for (const char *u = p; *u != '\0'; u++) {
		if (!g_ascii_isalpha(*u) && (guchar)*u < 0x80)
			return FALSE;
	}
	*unit = g_strdup(p);
	return TRUE;
}

/* @v in the shortest usual form, then @unit: "64", "0.3", "10us". */
static char *format_qty(double v, const char *unit)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (v == 0)
		v = 0;			/* no "-0" */
	if (v == floor(v) && fabs(v) < 1e15)
		g_snprintf(buf, sizeof(buf), "%.0f", v);
	else
		g_ascii_formatd(buf, sizeof(buf), "%.15g", v);
	return g_strconcat(buf, unit, NULL);
}

/*
 * "A..B", "A..B step S" or "A..B xF" (also "x F") into @values.
 * Additive ranges take A, A+S, ... (S defaults to 1 in A's unit);
 * multiplicative ones A, A*F, A*F^2, ...; both stop at the last value
 * not beyond B (with a relative slack of 1e-9 for decimal steps).
 */
static gboolean parse_range(const char *body, GPtrArray *values,
			    GError **error)
{
	g_autofree char *left = NULL, *ua = NULL, *ub = NULL, *us = NULL;
	g_autofree char *bstr = NULL;
	g_auto(GStrv) words = NULL;
	const char *dots = strstr(body, ".."), *what = NULL, *bad = NULL;
	double a, b, s = 1, slack, steps;
	gboolean mul = FALSE;
	GPtrArray *w;
	guint n;

	us = g_strdup("");
	left = g_strstrip(g_strndup(body, (gsize)(dots - body)));
	words = g_strsplit_set(dots + 2, " \t", -1);
	w = g_ptr_array_new();
	for (guint i = 0; words[i] != NULL; i++) {
		if (words[i][0] != '\0')
			g_ptr_array_add(w, words[i]);
	}
	n = w->len;
	if (n >= 3 && strcmp(w->pdata[n - 2], "step") == 0) {
		g_clear_pointer(&us, g_free);
		if (!parse_qty(w->pdata[n - 1], &s, &us))
			bad = w->pdata[n - 1], what = "step";
		n -= 2;
	} else if (n >= 3 && strcmp(w->pdata[n - 2], "x") == 0) {
		mul = TRUE;
		g_clear_pointer(&us, g_free);
		if (!parse_qty(w->pdata[n - 1], &s, &us) || us[0] != '\0')
			bad = w->pdata[n - 1], what = "factor";
		n -= 2;
	} else if (n >= 2 && ((char *)w->pdata[n - 1])[0] == 'x') {
		mul = TRUE;
		g_clear_pointer(&us, g_free);
		if (!parse_qty((char *)w->pdata[n - 1] + 1, &s, &us) ||
		    us[0] != '\0')
			bad = w->pdata[n - 1], what = "factor";
		n -= 1;
	}
	g_ptr_array_add(w, NULL);
	if (n > 0) {
		((char **)w->pdata)[n] = NULL;
		bstr = g_strjoinv(" ", (char **)w->pdata);
	} else {
		bstr = g_strdup("");
	}
	g_ptr_array_unref(w);

	if (bad == NULL && !parse_qty(left, &a, &ua))
		bad = left, what = "start";
	if (bad == NULL && !parse_qty(bstr, &b, &ub))
		bad = bstr, what = "end";
	if (bad != NULL && *bad == '\0') {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad range '%s': missing the %s; expected A..B, "
			    "A..B step S or A..B xF", body, what);
		return FALSE;
	}
	if (bad != NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad range '%s': the %s '%s' is not a number; "
			    "expected A..B, A..B step S or A..B xF", body,
			    what, bad);
		return FALSE;
	}
	if (strcmp(ua, ub) != 0 || (!mul && us[0] != '\0' &&
				    strcmp(us, ua) != 0)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad range '%s': the ends%s must have the same "
			    "unit", body, mul ? "" : " and the step");
		return FALSE;
	}
	if (a > b) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "bad range '%s': the start is above the end",
			    body);
		return FALSE;
	}
	if (mul && !(s > 1)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "bad range '%s': the factor must be greater than 1",
			    body);
		return FALSE;
	}
	if (mul && !(a > 0)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "bad range '%s': a multiplying range must start "
			    "above 0", body);
		return FALSE;
	}
	if (!mul && !(s > 0)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "bad range '%s': the step must be greater than 0",
			    body);
		return FALSE;
	}

	if (mul) {
		slack = 1e-9 * MAX(fabs(a), fabs(b));
		for (guint k = 0;; k++) {
			double v = a * pow(s, k);

			if (v > b + slack)
				break;
			if (k == SIM_RANGE_MAX_VALUES)
				goto too_many;
			g_ptr_array_add(values, format_qty(v, ua));
		}
		return TRUE;
	}

	/*
	 * Additive: the number of values is counted first, from the width
	 * in steps, (b - a) / s, with a slack of 1e-9 of a step for decimal
	 * steps (0.1..0.3 step 0.1 is 1.9999999999999998 steps wide) --
	 * exact however large the ends, so that 1e17..1e17 is one value.
	 */
	steps = floor((b - a) / s + 1e-9);
	if (!(steps < SIM_RANGE_MAX_VALUES))
		goto too_many;
	for (guint k = 0; k <= (guint)steps; k++) {
		g_autofree char *v = format_qty(a + k * s, ua);

		/* A step too small for the ends' precision gives the same
		 * value (as written) twice. */
		if (k > 0 && strcmp(v, values->pdata[values->len - 1]) == 0) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
				    "bad range '%s': the step is too small for "
				    "numbers this large (%s twice)", body, v);
			return FALSE;
		}
		g_ptr_array_add(values, g_steal_pointer(&v));
	}
	return TRUE;
too_many:
	g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
		    "bad range '%s': more than %d values", body,
		    SIM_RANGE_MAX_VALUES);
	return FALSE;
}

/* The inside of "${...}" (@content, as written in @spec) into @part. */
static gboolean parse_brace(char *content, const char *spec,
			    gboolean allow_iter, struct part *part,
			    GError **error)
{
	char *c = g_strstrip(content), *eq, *bang, *body;
	g_autoptr(GPtrArray) items = NULL;

	if (*c == '\0') {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "empty iteration '%s'", spec);
		return FALSE;
	}
	if (is_ident(c)) {
		part->kind = PART_REF;
		part->text = g_strdup(c);
		return TRUE;
	}
	if (!allow_iter) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "iterations are not allowed here: '%s'; this key "
			    "takes variables such as ${repetition}", spec);
		return FALSE;
	}
	if (strchr(c, '$') != NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "variables are not allowed inside an iteration: "
			    "'%s'", spec);
		return FALSE;
	}

	part->kind = PART_ITER;
	part->iter.spec = g_strdup(spec);
	body = c;
	eq = find_top(c, '=', FALSE);
	if (eq != NULL) {
		*eq = '\0';
		if (strchr(c, ',') == NULL) {
			g_strstrip(c);
			if (!is_ident(c)) {
				g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
					    "bad variable name '%s' in '%s'; "
					    "expected letters, digits and '_'",
					    c, spec);
				return FALSE;
			}
			part->iter.name = g_strdup(c);
			body = eq + 1;
		} else {
			*eq = '=';
		}
	}

	bang = find_top(body, '!', TRUE);
	if (bang != NULL) {
		char *lock = g_strstrip(bang + 1);

		if (!is_ident(lock)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "expected a variable name after '!' in "
				    "'%s'", spec);
			return FALSE;
		}
		part->iter.lock = g_strdup(lock);
		*bang = '\0';
	}

	body = g_strstrip(body);
	part->iter.values = g_ptr_array_new_with_free_func(g_free);
	if (*body == '\0') {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "empty iteration list in '%s'", spec);
		return FALSE;
	}
	items = split_top(body);
	if (items->len == 1 && strstr(body, "..") != NULL)
		return parse_range(body, part->iter.values, error);
	for (guint i = 0; i < items->len; i++) {
		char *item = g_strstrip((char *)items->pdata[i]);

		if (*item == '\0') {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "empty value in iteration '%s'", spec);
			return FALSE;
		}
		g_ptr_array_add(part->iter.values, g_strdup(item));
	}
	return TRUE;
}

static void flush_text(struct sim_tmpl *t, GString *lit)
{
	struct part *p;

	if (lit->len == 0)
		return;
	p = g_new0(struct part, 1);
	p->kind = PART_TEXT;
	p->text = g_strdup(lit->str);
	g_ptr_array_add(t->parts, p);
	g_string_truncate(lit, 0);
}

/* Parse @raw into parts.  @allow_iter: whether ${...} lists may appear
 * (FALSE for seed-set, which only takes references). */
static struct sim_tmpl *tmpl_parse(const char *raw, gboolean allow_iter,
				   GError **error)
{
	struct sim_tmpl *t = g_new0(struct sim_tmpl, 1);
	g_autoptr(GString) lit = g_string_new(NULL);
	g_autoptr(GString) plain = g_string_new(NULL);
	const char *p = raw;

	t->parts = g_ptr_array_new_with_free_func((GDestroyNotify)part_free);
	while (*p != '\0') {
		struct part *part;

		if (*p != '$') {
			g_string_append_c(lit, *p);
			g_string_append_c(plain, *p++);
			continue;
		}
		if (p[1] == '$') {
			g_string_append_c(lit, '$');
			g_string_append_c(plain, '$');
			p += 2;
			continue;
		}
		flush_text(t, lit);
		part = g_new0(struct part, 1);
		g_ptr_array_add(t->parts, part);
		t->has_vars = TRUE;
		if (p[1] == '{') {
			const char *close = strchr(p + 2, '}');
			g_autofree char *content = NULL, *spec = NULL;

			if (close == NULL) {
				g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
					    "unterminated '${' in '%s': "
					    "expected '}'", raw);
				goto fail;
			}
			content = g_strndup(p + 2, (gsize)(close - p - 2));
			spec = g_strndup(p, (gsize)(close + 1 - p));
			if (!parse_brace(content, spec, allow_iter, part,
					 error))
				goto fail;
			p = close + 1;
		} else if (ident_start(p[1])) {
			const char *s = ++p;

			while (ident_char(*p))
				p++;
			part->kind = PART_REF;
			part->text = g_strndup(s, (gsize)(p - s));
		} else {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "stray '$' in '%s': write $NAME or ${NAME} "
				    "for a variable, ${...} for an iteration, "
				    "$$ for a dollar sign", raw);
			goto fail;
		}
	}
	flush_text(t, lit);
	if (!t->has_vars)
		t->plain = g_strdup(plain->str);
	return t;
fail:
	sim_tmpl_free(t);
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Studies */

struct var {
	char *name;			/* "x", or "0", "1" if anonymous */
	gboolean anonymous;
	const struct iter *iter;
	const struct sim_entry *entry;	/* where it is defined */
	int lock;			/* variable it advances with, or -1 */
	int root;			/* the loop variable it follows */
	int loop;			/* its position among loops, or -1 */
};

struct sim_study {
	const struct sim_keys *keys;
	struct ini_file *ini;
	char *config_name;
	const char *description;	/* in ini */
	GPtrArray *set_entries;		/* struct sim_entry *, owned */
	GPtrArray *tmpls;		/* the entries' templates, owned */
	GPtrArray *chain;		/* winning entries, resolved order */
	GPtrArray *vars;		/* struct var * */
	GHashTable *var_index;		/* named variable -> index + 1 */
	GArray *loops;			/* int: variable indices */
	struct sim_expr *constraint;
	const struct sim_entry *constraint_entry;
	struct sim_tmpl *default_seedset;
	const struct sim_tmpl *seedset;
	guint repeat;
	/* Runs with the same values: repeat of them in a row, or 1 (a value
	 * uses $repetition or $runnumber). */
	guint same_values;
	GPtrArray *out;			/* entries that go into runs */
	GHashTable *out_index;		/* key -> index + 1 in out */
	GArray *sorted;			/* guint: out indices sorted by key */
	GArray *pass;			/* guint64: combinations that pass */
	guint nr_runs;
	/* sim_study_run()'s runs, built once: runnumber + 1 -> struct
	 * run_block *. */
	GMutex memo_lock;
	GHashTable *memo;
};

/* A run built on demand: the config, its pairs (entries, then iteration
 * variables) and the strings that are its own. */
struct run_block {
	struct sim_run_config cfg;
	GStringChunk *strings;
	struct sim_run_pair pairs[];
};

/* Variables and loop positions of one combination, while expanding. */
struct combo {
	const struct sim_study *study;
	guint *value;			/* per variable: index of its value */
	guint repetition;
	guint runnumber;
};

static void var_free(struct var *v)
{
	g_free(v->name);
	g_free(v);
}

/* Prefix @inner with "ORIGIN:LINE: key 'KEY': " into @error. */
static void entry_error(const struct sim_entry *e, GError **error,
			GError *inner)
{
	g_propagate_prefixed_error(error, inner, "%s:%u: key '%s': ",
				   e->origin, e->line, e->key);
}

static void G_GNUC_PRINTF(4, 5)
entry_set_error(const struct sim_entry *e, GError **error, int code,
		const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, SIM_ERROR, code, "%s:%u: key '%s': %s", e->origin,
		    e->line, e->key, msg);
}

/* Step 2 and 3: the key, the template, and a value without variables. */
static gboolean check_entry(struct sim_study *study, struct sim_entry *e,
			    GError **error)
{
	GError *inner = NULL;
	struct sim_expr *expr;

	if (!sim_keys_check(study->keys, e->key, NULL, &e->def, &inner))
		goto fail;
	if (strcmp(e->key, "extends") == 0 ||
	    strcmp(e->key, "description") == 0)
		return TRUE;
	if (strcmp(e->key, "constraint") == 0) {
		expr = sim_expr_parse(e->value, &inner);
		if (expr == NULL)
			goto fail;
		sim_expr_free(expr);
		return TRUE;
	}
	if (strcmp(e->key, "repeat") == 0 && strchr(e->value, '$') != NULL) {
		entry_set_error(e, error, SIM_ERROR_PARSE,
				"variables and iterations are not allowed "
				"here: '%s'", e->value);
		return FALSE;
	}
	e->tmpl = tmpl_parse(e->value, strcmp(e->key, "seed-set") != 0,
			     &inner);
	if (e->tmpl == NULL)
		goto fail;
	g_ptr_array_add(study->tmpls, e->tmpl);
	if (!e->tmpl->has_vars &&
	    !sim_keys_check_value(e->def, e->tmpl->plain, &inner))
		goto fail;
	return TRUE;
fail:
	entry_error(e, error, inner);
	return FALSE;
}

/* Parse the --set overrides into entries; a key given twice keeps its
 * first place and its last value. */
static gboolean parse_overrides(struct sim_study *study, char **set,
				GError **error)
{
	for (guint i = 0; set != NULL && set[i] != NULL; i++) {
		const char *eq = strchr(set[i], '=');
		g_autofree char *key = NULL, *value = NULL;
		struct sim_entry *e = NULL;

		if (eq != NULL)
			key = g_strstrip(g_strndup(set[i],
						   (gsize)(eq - set[i])));
		if (eq == NULL || *key == '\0') {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "--set:%u: malformed override '%s': "
				    "expected KEY=VALUE", i + 1, set[i]);
			return FALSE;
		}
		if (!sim_key_name_valid(key)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "--set:%u: malformed key '%s': expected a "
				    "dotted name such as machine.cpus", i + 1,
				    key);
			return FALSE;
		}
		value = g_strstrip(g_strdup(eq + 1));
		if (strcmp(key, "extends") == 0 ||
		    strcmp(key, "description") == 0) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "--set:%u: key '%s': cannot be set with "
				    "--set", i + 1, key);
			return FALSE;
		}
		for (guint j = 0; j < study->set_entries->len; j++) {
			struct sim_entry *old = study->set_entries->pdata[j];

			if (strcmp(old->key, key) == 0) {
				e = old;
				break;
			}
		}
		if (e != NULL) {
			if (e->tmpl != NULL)
				g_ptr_array_remove_fast(study->tmpls, e->tmpl);
			e->tmpl = NULL;
			g_free(e->value);
			e->value = g_steal_pointer(&value);
			e->line = i + 1;
		} else {
			e = sim_entry_new("--set", i + 1, key, value);
			g_ptr_array_add(study->set_entries, e);
		}
		if (!check_entry(study, e, error))
			return FALSE;
	}
	return TRUE;
}

/* Step 4: the winning entries of the chosen config, in resolved order. */
static void resolve_chain(struct sim_study *study,
			  const struct ini_section *sec)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	const struct ini_section *s;

	for (guint i = 0; i < study->set_entries->len; i++) {
		struct sim_entry *e = study->set_entries->pdata[i];

		g_hash_table_add(seen, e->key);
		g_ptr_array_add(study->chain, e);
	}
	for (s = sec; s != NULL; s = s->base) {
		for (guint i = 0; i < s->entries->len; i++) {
			struct sim_entry *e = s->entries->pdata[i];

			if (strcmp(e->key, "extends") == 0 ||
			    strcmp(e->key, "description") == 0 ||
			    g_hash_table_contains(seen, e->key))
				continue;
			g_hash_table_add(seen, e->key);
			g_ptr_array_add(study->chain, e);
		}
	}
}

static int find_var(const struct sim_study *study, const char *name)
{
	return GPOINTER_TO_INT(g_hash_table_lookup(study->var_index, name)) - 1;
}

/* "$x, $n" or NULL: the named variables, for messages.  g_free() it. */
static char *named_vars(const struct sim_study *study)
{
	GString *s = g_string_new(NULL);
	guint shown = 0, named = 0;

	for (guint i = 0; i < study->vars->len; i++) {
		const struct var *v = study->vars->pdata[i];

		if (v->anonymous)
			continue;
		named++;
		if (shown == 20)
			continue;
		g_string_append_printf(s, "%s$%s", s->len ? ", " : "",
				       v->name);
		shown++;
	}
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	if (named > shown)
		g_string_append_printf(s, " and %u more", named - shown);
	return g_string_free(s, FALSE);
}

static void undefined_var(const struct sim_study *study,
			  const struct sim_entry *e, const char *name,
			  GError **error)
{
	g_autofree char *known = named_vars(study);

	if (known != NULL)
		entry_set_error(e, error, SIM_ERROR_UNKNOWN,
				"undefined variable $%s; iteration variables "
				"here are %s", name, known);
	else
		entry_set_error(e, error, SIM_ERROR_UNKNOWN,
				"undefined variable $%s; there are no "
				"iteration variables here", name);
}

/* Define the iteration variables of the chain, in order of appearance. */
static gboolean define_vars(struct sim_study *study, GError **error)
{
	guint n_anon = 0;

	for (guint i = 0; i < study->chain->len; i++) {
		const struct sim_entry *e = study->chain->pdata[i];

		if (e->tmpl == NULL)
			continue;
		for (guint j = 0; j < e->tmpl->parts->len; j++) {
			struct part *p = e->tmpl->parts->pdata[j];
			struct var *v;
			int old;

			if (p->kind != PART_ITER)
				continue;
			if (p->iter.name != NULL &&
			    predefined_index(p->iter.name) != 0) {
				entry_set_error(e, error, SIM_ERROR_PARSE,
						"$%s is predefined; choose "
						"another name",
						p->iter.name);
				return FALSE;
			}
			if (p->iter.name != NULL &&
			    (old = find_var(study, p->iter.name)) >= 0) {
				const struct var *o = study->vars->pdata[old];

				if (o->entry->origin == e->origin)
					entry_set_error(e, error,
							SIM_ERROR_PARSE,
							"variable $%s is "
							"already defined at "
							"line %u",
							p->iter.name,
							o->entry->line);
				else
					entry_set_error(e, error,
							SIM_ERROR_PARSE,
							"variable $%s is "
							"already defined at "
							"%s:%u", p->iter.name,
							o->entry->origin,
							o->entry->line);
				return FALSE;
			}
			v = g_new0(struct var, 1);
			v->anonymous = p->iter.name == NULL;
			v->name = v->anonymous ?
				  g_strdup_printf("%u", n_anon++) :
				  g_strdup(p->iter.name);
			v->iter = &p->iter;
			v->entry = e;
			v->lock = -1;
			v->loop = -1;
			p->var = (int)study->vars->len;
			g_ptr_array_add(study->vars, v);
			if (!v->anonymous)
				g_hash_table_insert(study->var_index, v->name,
						    GINT_TO_POINTER(p->var + 1));
		}
	}
	return TRUE;
}

static int var_lock(const struct sim_study *study, int i)
{
	return ((const struct var *)study->vars->pdata[i])->lock;
}

/* References, lock-steps and loops. */
static gboolean link_vars(struct sim_study *study, GError **error)
{
	guint n = study->vars->len;

	for (guint i = 0; i < study->chain->len; i++) {
		const struct sim_entry *e = study->chain->pdata[i];

		if (e->tmpl == NULL)
			continue;
		for (guint j = 0; j < e->tmpl->parts->len; j++) {
			struct part *p = e->tmpl->parts->pdata[j];

			if (p->kind != PART_REF)
				continue;
			p->var = find_var(study, p->text);
			if (p->var >= 0)
				continue;
			p->var = predefined_index(p->text);
			if (p->var == 0) {
				undefined_var(study, e, p->text, error);
				return FALSE;
			}
		}
	}

	for (guint i = 0; i < n; i++) {
		struct var *v = study->vars->pdata[i];
		const struct var *t;

		if (v->iter->lock == NULL)
			continue;
		v->lock = find_var(study, v->iter->lock);
		if (v->lock < 0) {
			entry_set_error(v->entry, error, SIM_ERROR_UNKNOWN,
					"$%s advances with $%s, which is not an "
					"iteration variable", v->name,
					v->iter->lock);
			return FALSE;
		}
		if (v->lock == (int)i) {
			entry_set_error(v->entry, error, SIM_ERROR_PARSE,
					"$%s cannot advance with itself",
					v->name);
			return FALSE;
		}
		t = study->vars->pdata[v->lock];
		if (t->iter->values->len != v->iter->values->len) {
			entry_set_error(v->entry, error, SIM_ERROR_RANGE,
					"$%s has %u values but $%s, which it "
					"advances with, has %u", v->name,
					v->iter->values->len, t->name,
					t->iter->values->len);
			return FALSE;
		}
	}

	/* Follow each lock to its root; n steps without one is a cycle. */
	for (guint i = 0; i < n; i++) {
		struct var *v = study->vars->pdata[i];
		int r = (int)i;
		guint steps = 0;

		while (var_lock(study, r) >= 0 && steps++ <= n)
			r = var_lock(study, r);
		if (steps > n) {
			/* r is on the cycle: name it from its first member. */
			const struct var *first;
			GString *path;
			int m, lo = r;

			for (m = var_lock(study, r); m != r;
			     m = var_lock(study, m))
				lo = MIN(lo, m);
			first = study->vars->pdata[lo];
			path = g_string_new(NULL);
			g_string_append_printf(path, "$%s", first->name);
			m = lo;
			do {
				m = var_lock(study, m);
				g_string_append_printf(path, " -> $%s",
					((struct var *)
					 study->vars->pdata[m])->name);
			} while (m != lo);
			entry_set_error(first->entry, error, SIM_ERROR_PARSE,
					"lock-step cycle: %s", path->str);
			g_string_free(path, TRUE);
			return FALSE;
		}
		v->root = r;
	}
	for (guint i = 0; i < n; i++) {
		struct var *v = study->vars->pdata[i];

		if (v->root == (int)i) {
			v->loop = (int)study->loops->len;
			g_array_append_val(study->loops, i);
		}
	}
	return TRUE;
}

/* The study keys of the chain: constraint, seed-set, repeat. */
static gboolean study_settings(struct sim_study *study, GError **error)
{
	const struct sim_entry *repeat = NULL, *seedset = NULL;

	for (guint i = 0; i < study->chain->len; i++) {
		const struct sim_entry *e = study->chain->pdata[i];

		if (strcmp(e->key, "constraint") == 0)
			study->constraint_entry = e;
		else if (strcmp(e->key, "seed-set") == 0)
			seedset = e;
		else if (strcmp(e->key, "repeat") == 0)
			repeat = e;
		else
			g_ptr_array_add(study->out, (gpointer)e);
	}

	study->repeat = 1;
	if (repeat != NULL) {
		uint64_t r;

		if (!sim_parse_uint(repeat->value, &r, NULL))
			g_assert_not_reached();	/* checked in step 2 */
		study->repeat = (guint)r;
	}

	if (seedset != NULL) {
		study->seedset = seedset->tmpl;
	} else {
		struct part *p;

		study->default_seedset = tmpl_parse("${repetition}", FALSE,
						    NULL);
		p = study->default_seedset->parts->pdata[0];
		p->var = PREDEF_REPETITION;
		study->seedset = study->default_seedset;
	}

	if (study->constraint_entry != NULL) {
		const struct sim_entry *e = study->constraint_entry;
		const char *const *names;

		study->constraint = sim_expr_parse(e->value, NULL);
		g_assert(study->constraint != NULL);	/* step 2 */
		names = sim_expr_vars(study->constraint);
		for (guint i = 0; names[i] != NULL; i++) {
			int pre = predefined_index(names[i]);

			if (pre == PREDEF_CONFIGNAME)
				continue;
			if (pre != 0) {
				entry_set_error(e, error, SIM_ERROR_PARSE,
						"$%s cannot be used in a "
						"constraint", names[i]);
				return FALSE;
			}
			if (find_var(study, names[i]) < 0) {
				undefined_var(study, e, names[i], error);
				return FALSE;
			}
		}
	}
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Expansion */

static const char *var_value(const struct combo *c, int var)
{
	const struct var *v = c->study->vars->pdata[var];

	return v->iter->values->pdata[c->value[var]];
}

/* The text of a predefined variable, or of variable @var. */
static const char *ref_value(const struct combo *c, int var, char *buf,
			     size_t size)
{
	switch (var) {
	case PREDEF_REPETITION:
		g_snprintf(buf, size, "%u", c->repetition);
		return buf;
	case PREDEF_RUNNUMBER:
		g_snprintf(buf, size, "%u", c->runnumber);
		return buf;
	case PREDEF_CONFIGNAME:
		return c->study->config_name;
	default:
		return var_value(c, var);
	}
}

/* @t with every variable replaced by its value in combination @c. */
static char *tmpl_subst(const struct sim_tmpl *t, const struct combo *c)
{
	GString *s = g_string_new(NULL);
	char buf[16];

	for (guint i = 0; i < t->parts->len; i++) {
		const struct part *p = t->parts->pdata[i];

		if (p->kind == PART_TEXT)
			g_string_append(s, p->text);
		else
			g_string_append(s, ref_value(c, p->var, buf,
						     sizeof(buf)));
	}
	return g_string_free(s, FALSE);
}

/* " (with $x=1, $n=4)": the variables @t uses, for messages. */
static char *tmpl_context(const struct sim_tmpl *t, const struct combo *c)
{
	GString *s = g_string_new(" (with ");
	gboolean first = TRUE;
	char buf[16];

	for (guint i = 0; i < t->parts->len; i++) {
		const struct part *p = t->parts->pdata[i];
		const char *name;

		if (p->kind == PART_TEXT)
			continue;
		name = p->var < 0 ? predefined[-1 - p->var] :
			((const struct var *)c->study->vars->pdata[p->var])->name;
		g_string_append_printf(s, "%s$%s=%s", first ? "" : ", ", name,
				       ref_value(c, p->var, buf, sizeof(buf)));
		first = FALSE;
	}
	g_string_append_c(s, ')');
	return g_string_free(s, FALSE);
}

/* Fill c->value for combination number @k (the last loop fastest). */
static void combo_decode(struct combo *c, guint64 k)
{
	const struct sim_study *study = c->study;

	for (guint i = study->loops->len; i-- > 0;) {
		int var = g_array_index(study->loops, int, i);
		const struct var *v = study->vars->pdata[var];
		guint n = v->iter->values->len;

		c->value[var] = (guint)(k % n);
		k /= n;
	}
	for (guint i = 0; i < study->vars->len; i++) {
		const struct var *v = study->vars->pdata[i];

		c->value[i] = c->value[v->root];
	}
}

static const char *constraint_lookup(const char *name, void *data)
{
	const struct combo *c = data;
	int var = find_var(c->study, name);

	if (var >= 0)
		return var_value(c, var);
	if (predefined_index(name) == PREDEF_CONFIGNAME)
		return c->study->config_name;
	return NULL;
}

/* " (with $x=1, $n=4)" for the constraint's variables. */
static char *constraint_context(const struct combo *c)
{
	const char *const *names = sim_expr_vars(c->study->constraint);
	GString *s;

	if (names[0] == NULL)
		return g_strdup("");
	s = g_string_new(" (with ");
	for (guint i = 0; names[i] != NULL; i++)
		g_string_append_printf(s, "%s$%s=%s", i ? ", " : "", names[i],
				       constraint_lookup(names[i], (void *)c));
	g_string_append_c(s, ')');
	return g_string_free(s, FALSE);
}

/* Step 5: the combinations that pass the constraint. */
static GArray *passing_combos(struct sim_study *study, struct combo *c,
			      GError **error)
{
	GArray *pass = g_array_new(FALSE, FALSE, sizeof(guint64));
	const char *path = study->ini->path ? study->ini->path : "--set";
	guint64 total = 1;

	for (guint i = 0; i < study->loops->len; i++) {
		const struct var *v = study->vars->pdata[
			g_array_index(study->loops, int, i)];

		total *= v->iter->values->len;
		if (total > SIM_STUDY_MAX_RUNS)
			break;
	}
	if (total * study->repeat > SIM_STUDY_MAX_RUNS) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "%s: config '%s' has more than %d runs", path,
			    study->config_name, SIM_STUDY_MAX_RUNS);
		g_array_unref(pass);
		return NULL;
	}

	for (guint64 k = 0; k < total; k++) {
		GError *inner = NULL;
		gboolean ok = TRUE;

		combo_decode(c, k);
		if (study->constraint != NULL &&
		    !sim_expr_eval(study->constraint, constraint_lookup, c,
				   &ok, &inner)) {
			const struct sim_entry *e = study->constraint_entry;
			g_autofree char *ctx = constraint_context(c);

			g_set_error(error, SIM_ERROR, inner->code,
				    "%s:%u: key 'constraint': %s%s", e->origin,
				    e->line, inner->message, ctx);
			g_error_free(inner);
			g_array_unref(pass);
			return NULL;
		}
		if (ok)
			g_array_append_val(pass, k);
	}
	if (pass->len == 0) {
		g_autofree char *text =
			sim_expr_excerpt(study->constraint_entry->value);

		entry_set_error(study->constraint_entry, error,
				SIM_ERROR_RANGE, "no run satisfies '%s'", text);
		g_array_unref(pass);
		return NULL;
	}
	return pass;
}

/* Seeds: a hash of (base seed, seed-set text), fixed for good. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t run_seed(uint64_t base, const char *seedset)
{
	uint64_t h = 0xcbf29ce484222325ULL;		/* FNV-1a 64 */

	for (const char *p = seedset; *p != '\0'; p++)
		h = (h ^ (guchar)*p) * 0x100000001b3ULL;
	return mix64(mix64(base + 0x9e3779b97f4a7c15ULL) ^ h);
}

static int cmp_out_keys(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct sim_study *study = data;
	const struct sim_entry *ea = study->out->pdata[*(const guint *)a];
	const struct sim_entry *eb = study->out->pdata[*(const guint *)b];

	return strcmp(ea->key, eb->key);
}

static void run_hash(const struct sim_study *study, struct run_block *rb)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	const struct sim_run_pair *entries = rb->cfg.entries;
	char buf[32];

	g_snprintf(buf, sizeof(buf), "seed=%" G_GUINT64_FORMAT "\n", rb->cfg.seed);
	g_checksum_update(sum, (const guchar *)buf, -1);
	for (guint i = 0; i < study->out->len; i++) {
		const struct sim_run_pair *p =
			&entries[g_array_index(study->sorted, guint, i)];

		g_checksum_update(sum, (const guchar *)p->name, -1);
		g_checksum_update(sum, (const guchar *)"=", 1);
		g_checksum_update(sum, (const guchar *)p->value, -1);
		g_checksum_update(sum, (const guchar *)"\n", 1);
	}
	rb->cfg.hash = g_string_chunk_insert(rb->strings,
					     g_checksum_get_string(sum));
}

void sim_run_config_free(struct sim_run_config *cfg)
{
	struct run_block *rb;

	if (cfg == NULL)
		return;
	rb = (struct run_block *)cfg;
	g_string_chunk_free(rb->strings);
	g_free(rb);
}

/* Run @c->runnumber, built; with @checked (step 6), its values checked
 * (those in @checked, "index\x1fvalue", were checked before).  NULL on
 * an error (only when checking). */
static struct sim_run_config *build_run(const struct sim_study *study,
					const struct combo *c,
					GHashTable *checked, GError **error)
{
	guint n_entries = study->out->len, n_vars = study->vars->len;
	struct run_block *rb = g_malloc0(sizeof(*rb) + (n_entries + n_vars) *
					 sizeof(struct sim_run_pair));
	struct sim_run_config *r = &rb->cfg;
	struct sim_run_pair *entries = rb->pairs, *itervars = rb->pairs + n_entries;
	g_autoptr(GString) iv = g_string_new(NULL);
	g_autofree char *seedset = NULL;
	uint64_t base = 0;

	rb->strings = g_string_chunk_new(256);
	r->config_name = study->config_name;
	r->ini_path = study->ini->path;
	r->description = study->description;
	r->runnumber = c->runnumber;
	r->repetition = c->repetition;
	r->keys = study->keys;
	r->study = study;
	r->entries = entries;
	r->n_entries = n_entries;

	for (guint i = 0; i < n_entries; i++) {
		const struct sim_entry *e = study->out->pdata[i];
		g_autofree char *v = NULL, *tag = NULL;
		GError *inner = NULL;

		entries[i].name = e->key;
		if (e->tmpl == NULL || !e->tmpl->has_vars) {
			/* The study's, checked when the entry was. */
			entries[i].value = e->tmpl ? e->tmpl->plain : e->value;
			continue;
		}
		v = tmpl_subst(e->tmpl, c);
		entries[i].value = g_string_chunk_insert(rb->strings, v);
		if (checked == NULL)
			continue;
		tag = g_strdup_printf("%u\x1f%s", i, v);
		if (g_hash_table_contains(checked, tag))
			continue;
		if (!sim_keys_check_value(e->def, v, &inner)) {
			g_autofree char *ctx = tmpl_context(e->tmpl, c);

			g_set_error(error, SIM_ERROR, inner->code,
				    "%s:%u: key '%s': %s%s", e->origin, e->line,
				    e->key, inner->message, ctx);
			g_error_free(inner);
			sim_run_config_free(r);
			return NULL;
		}
		g_hash_table_add(checked, g_steal_pointer(&tag));
	}
	for (guint i = 0; i < n_entries; i++) {
		if (strcmp(entries[i].name, "seed") == 0 &&
		    !sim_parse_uint(entries[i].value, &base, NULL))
			g_assert_not_reached();
	}

	seedset = tmpl_subst(study->seedset, c);
	r->seedset = g_string_chunk_insert(rb->strings, seedset);
	r->seed = run_seed(base, r->seedset);

	r->itervars = itervars;
	r->n_itervars = n_vars;
	for (guint i = 0; i < n_vars; i++) {
		const struct var *v = study->vars->pdata[i];

		/* Both the study's. */
		itervars[i].name = v->name;
		itervars[i].value = var_value(c, (int)i);
		g_string_append_printf(iv, "%s$%s=%s", i ? ", " : "", v->name,
				       itervars[i].value);
	}
	r->iterationvars = g_string_chunk_insert(rb->strings, iv->str);
	run_hash(study, rb);
	if (checked == NULL)
		return r;
	/* Keys that depend on the run's other values (check_run). */
	for (guint i = 0; i < n_entries; i++) {
		const struct sim_entry *e = study->out->pdata[i];
		GError *inner = NULL;

		if (e->def && e->def->check_run &&
		    !e->def->check_run(e->def, r, e->key, &inner)) {
			entry_error(e, error, inner);
			sim_run_config_free(r);
			return NULL;
		}
	}
	return r;
}

/* Whether a value of the runs uses $repetition or $runnumber: if not, the
 * repetitions of a combination differ only in their seed-set, seed and
 * hash. */
static gboolean values_per_run(const struct sim_study *study)
{
	for (guint i = 0; i < study->out->len; i++) {
		const struct sim_entry *e = study->out->pdata[i];

		if (e->tmpl == NULL || !e->tmpl->has_vars)
			continue;
		for (guint j = 0; j < e->tmpl->parts->len; j++) {
			const struct part *p = e->tmpl->parts->pdata[j];

			if (p->kind != PART_TEXT && (p->var == PREDEF_REPETITION ||
						     p->var == PREDEF_RUNNUMBER))
				return TRUE;
		}
	}
	return FALSE;
}

/* Check values (once per distinct value), at most this many remembered. */
#define CHECKED_MAX	65536

static gboolean expand(struct sim_study *study, GError **error)
{
	g_autoptr(GHashTable) checked = NULL;
	g_autofree guint *value = g_new0(guint, MAX(study->vars->len, 1));
	struct combo c = { .study = study, .value = value };
	guint step;

	study->pass = passing_combos(study, &c, error);
	if (study->pass == NULL)
		return FALSE;

	study->out_index = g_hash_table_new(g_str_hash, g_str_equal);
	study->sorted = g_array_sized_new(FALSE, FALSE, sizeof(guint),
					  study->out->len);
	for (guint i = 0; i < study->out->len; i++) {
		const struct sim_entry *e = study->out->pdata[i];

		g_hash_table_insert(study->out_index, e->key,
				    GUINT_TO_POINTER(i + 1));
		g_array_append_val(study->sorted, i);
	}
	g_array_sort_with_data(study->sorted, cmp_out_keys, study);

	study->nr_runs = study->pass->len * study->repeat;
	/* Step 6: every run, or the first repetition of each combination
	 * when the others have the same values. */
	step = study->same_values = values_per_run(study) ? 1 : study->repeat;
	checked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint r = 0; r < study->nr_runs; r += step) {
		struct sim_run_config *cfg;

		combo_decode(&c, g_array_index(study->pass, guint64,
					       r / study->repeat));
		c.repetition = r % study->repeat;
		c.runnumber = r;
		cfg = build_run(study, &c, checked, error);
		if (cfg == NULL)
			return FALSE;
		sim_run_config_free(cfg);
		if (g_hash_table_size(checked) > CHECKED_MAX)
			g_hash_table_remove_all(checked);
	}
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Entry points */

struct sim_study *sim_study_new(const char *ini_path, const char *config_name,
				char **set_overrides,
				const struct sim_keys *keys, GError **error)
{
	g_autoptr(sim_study) study = g_new0(struct sim_study, 1);
	const struct ini_section *sec;

	g_return_val_if_fail(keys != NULL, NULL);

	study->keys = keys;
	study->config_name = g_strdup(config_name ? config_name : "General");
	study->set_entries = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_entry_free);
	study->tmpls = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_tmpl_free);
	study->chain = g_ptr_array_new();
	study->vars = g_ptr_array_new_with_free_func((GDestroyNotify)var_free);
	study->var_index = g_hash_table_new(g_str_hash, g_str_equal);
	study->loops = g_array_new(FALSE, FALSE, sizeof(int));
	study->out = g_ptr_array_new();
	g_mutex_init(&study->memo_lock);
	study->memo = g_hash_table_new_full(NULL, NULL, NULL,
					    (GDestroyNotify)sim_run_config_free);

	/* 1 */
	study->ini = ini_path ? ini_file_read(ini_path, error) :
				ini_file_new_empty();
	if (study->ini == NULL)
		return NULL;

	/* 2 */
	for (guint i = 0; i < study->ini->sections->len; i++) {
		struct ini_section *s = study->ini->sections->pdata[i];

		for (guint j = 0; j < s->entries->len; j++) {
			if (!check_entry(study, s->entries->pdata[j], error))
				return NULL;
		}
	}

	/* 3 */
	if (!parse_overrides(study, set_overrides, error))
		return NULL;

	/* 4 */
	sec = ini_file_find(study->ini, study->config_name);
	if (sec == NULL) {
		g_autofree char *names = ini_file_config_names(study->ini);

		if (ini_path != NULL)
			g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
				    "%s: no config '%s'; configs in this file "
				    "are %s", ini_path, study->config_name,
				    names);
		else
			g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
				    "no config '%s': there is no scenario file",
				    study->config_name);
		return NULL;
	}
	if (sec->description != NULL)
		study->description = sec->description->value;
	resolve_chain(study, sec);
	if (!define_vars(study, error) || !link_vars(study, error) ||
	    !study_settings(study, error))
		return NULL;

	/* 5, 6 */
	if (!expand(study, error))
		return NULL;
	return g_steal_pointer(&study);
}

void sim_study_free(struct sim_study *study)
{
	if (study == NULL)
		return;
	if (study->memo != NULL) {
		g_hash_table_unref(study->memo);
		g_mutex_clear(&study->memo_lock);
	}
	if (study->pass != NULL)
		g_array_unref(study->pass);
	if (study->sorted != NULL)
		g_array_unref(study->sorted);
	if (study->out_index != NULL)
		g_hash_table_unref(study->out_index);
	if (study->out != NULL)
		g_ptr_array_unref(study->out);
	sim_expr_free(study->constraint);
	sim_tmpl_free(study->default_seedset);
	if (study->loops != NULL)
		g_array_unref(study->loops);
	if (study->var_index != NULL)
		g_hash_table_unref(study->var_index);
	if (study->vars != NULL)
		g_ptr_array_unref(study->vars);
	if (study->chain != NULL)
		g_ptr_array_unref(study->chain);
	if (study->set_entries != NULL)
		g_ptr_array_unref(study->set_entries);
	if (study->tmpls != NULL)
		g_ptr_array_unref(study->tmpls);
	ini_file_free(study->ini);
	g_free(study->config_name);
	g_free(study);
}

guint sim_study_nr_runs(const struct sim_study *study)
{
	return study->nr_runs;
}

struct sim_run_config *sim_study_run_new(const struct sim_study *study,
					 guint runnumber)
{
	guint *value = g_newa(guint, MAX(study->vars->len, 1));
	struct combo c = { .study = study, .value = value };

	g_return_val_if_fail(runnumber < study->nr_runs, NULL);
	combo_decode(&c, g_array_index(study->pass, guint64,
				       runnumber / study->repeat));
	c.repetition = runnumber % study->repeat;
	c.runnumber = runnumber;
	return build_run(study, &c, NULL, NULL);
}

const struct sim_run_config *sim_study_run(const struct sim_study *study,
					   guint runnumber)
{
	/* The memo is the only part of a study that changes once made. */
	struct sim_study *s = (struct sim_study *)study;
	gpointer key = GUINT_TO_POINTER(runnumber + 1);
	struct sim_run_config *cfg;

	g_return_val_if_fail(runnumber < study->nr_runs, NULL);
	g_mutex_lock(&s->memo_lock);
	cfg = g_hash_table_lookup(s->memo, key);
	if (cfg == NULL) {
		cfg = sim_study_run_new(study, runnumber);
		g_hash_table_insert(s->memo, key, cfg);
	}
	g_mutex_unlock(&s->memo_lock);
	return cfg;
}

guint sim_study_values_of(const struct sim_study *study, guint runnumber)
{
	return runnumber / MAX(study->same_values, 1);
}

const char *sim_study_config_name(const struct sim_study *study)
{
	return study->config_name;
}

const char *sim_run_config_lookup(const struct sim_run_config *cfg,
				  const char *key)
{
	guint i = GPOINTER_TO_UINT(g_hash_table_lookup(cfg->study->out_index,
						       key));

	return i == 0 ? NULL : cfg->entries[i - 1].value;
}

const char *sim_run_config_hash(const struct sim_run_config *cfg)
{
	return cfg->hash;
}

/* ---------------------------------------------------------------------- */
/* Run filters */

static gboolean parse_run_number(const char *spec, const char *text,
				 guint *out, GError **error)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT, &v, NULL)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad run filter '%s': '%s' is not a run number; "
			    "expected e.g. 3, 2..7, 1,4,9 or all", spec, text);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

GArray *sim_study_parse_runs(const char *spec, guint nr_runs, GError **error)
{
	g_autofree char *s = g_strstrip(g_strdup(spec ? spec : ""));
	g_autofree gboolean *want = g_new0(gboolean, MAX(nr_runs, 1));
	g_auto(GStrv) items = NULL;
	GArray *out = g_array_new(FALSE, FALSE, sizeof(guint));
	gboolean all = *s == '\0' || strcmp(s, "all") == 0;

	if (all) {
		for (guint i = 0; i < nr_runs; i++)
			g_array_append_val(out, i);
		return out;
	}
	items = g_strsplit(s, ",", -1);
	for (guint i = 0; items[i] != NULL; i++) {
		char *item = g_strstrip(items[i]);
		char *dots = strstr(item, "..");
		guint lo, hi;

		if (*item == '\0') {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "bad run filter '%s': empty item", spec);
			goto fail;
		}
		if (dots != NULL) {
			char *a = item, *b = dots + 2;

			*dots = '\0';
			g_strstrip(a);
			g_strstrip(b);
			if (*a == '\0')
				lo = 0;
			else if (!parse_run_number(spec, a, &lo, error))
				goto fail;
			if (*b == '\0')
				hi = nr_runs ? nr_runs - 1 : 0;
			else if (!parse_run_number(spec, b, &hi, error))
				goto fail;
			if (lo > hi) {
				g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
					    "bad run filter '%s': %u..%u runs "
					    "backwards", spec, lo, hi);
				goto fail;
			}
		} else {
			if (!parse_run_number(spec, item, &lo, error))
				goto fail;
			hi = lo;
		}
		if (hi >= nr_runs) {
			if (nr_runs == 0)
				g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
					    "run %u does not exist: the study "
					    "has no runs", hi);
			else
				g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
					    "run %u does not exist: the study "
					    "has %u run%s (0..%u)", hi, nr_runs,
					    nr_runs == 1 ? "" : "s",
					    nr_runs - 1);
			goto fail;
		}
		for (guint r = lo; r <= hi; r++)
			want[r] = TRUE;
	}
	for (guint r = 0; r < nr_runs; r++) {
		if (want[r])
			g_array_append_val(out, r);
	}
	return out;
fail:
	g_array_unref(out);
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Listing */

static void config_info_free(struct sim_scenario_config *c)
{
	g_free(c->name);
	g_free(c->description);
	g_free(c->extends);
	g_free(c);
}

GPtrArray *sim_scenario_list_configs(const char *path, GError **error)
{
	struct ini_file *ini = ini_file_read(path, error);
	GPtrArray *out;

	if (ini == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)config_info_free);
	for (guint i = 0; i < ini->sections->len; i++) {
		const struct ini_section *s = ini->sections->pdata[i];
		struct sim_scenario_config *c = g_new0(struct sim_scenario_config,
						       1);

		c->name = g_strdup(s->name);
		c->line = s->line;
		if (s->description != NULL)
			c->description = g_strdup(s->description->value);
		if (s->extends != NULL)
			c->extends = g_strdup(s->extends->value);
		g_ptr_array_add(out, c);
	}
	ini_file_free(ini);
	return out;
}

/* ---------------------------------------------------------------------- */
/* Plugins */

/* Add the comma-separated paths of @value, relative to @base (NULL: as
 * written), to @out without duplicates. */
static gboolean add_plugins(GPtrArray *out, const char *value, const char *base,
			    const char *where, GError **error)
{
	g_auto(GStrv) items = NULL;

	if (strchr(value, '$') != NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: key 'plugin': plugin paths cannot use iteration "
			    "variables (plugins are loaded before the study is "
			    "expanded)", where);
		return FALSE;
	}
	items = g_strsplit(value, ",", -1);
	for (guint i = 0; items[i] != NULL; i++) {
		const char *item = g_strstrip(items[i]);
		char *path;
		gboolean dup = FALSE;

		if (*item == '\0') {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s: key 'plugin': empty path in '%s'", where,
				    value);
			return FALSE;
		}
		path = base == NULL || g_path_is_absolute(item) ?
			g_strdup(item) : g_build_filename(base, item, NULL);
		for (guint j = 0; j < out->len && !dup; j++)
			dup = strcmp(out->pdata[j], path) == 0;
		if (dup)
			g_free(path);
		else
			g_ptr_array_add(out, path);
	}
	return TRUE;
}

char **sim_scenario_plugins(const char *ini_path, char **set_overrides,
			    GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	if (ini_path != NULL) {
		struct ini_file *ini = ini_file_read(ini_path, error);

		if (ini == NULL)
			return NULL;
		for (guint i = 0; i < ini->sections->len; i++) {
			const struct ini_section *s = ini->sections->pdata[i];

			for (guint k = 0; k < s->entries->len; k++) {
				const struct sim_entry *e = s->entries->pdata[k];
				g_autofree char *where = NULL;
				g_autofree char *base = NULL;

				if (strcmp(e->key, "plugin") != 0)
					continue;
				/* Relative to the file of the line, which
				 * may be an included one. */
				base = g_path_get_dirname(e->origin);
				where = g_strdup_printf("%s:%u", e->origin, e->line);
				if (!add_plugins(out, e->value, base, where, error)) {
					ini_file_free(ini);
					return NULL;
				}
			}
		}
		ini_file_free(ini);
	}
	for (guint i = 0; set_overrides != NULL && set_overrides[i] != NULL; i++) {
		const char *eq = strchr(set_overrides[i], '=');
		g_autofree char *key = NULL;
		g_autofree char *where = NULL;

		if (eq == NULL)
			continue;	/* reported by sim_study_new() */
		key = g_strstrip(g_strndup(set_overrides[i],
					   (gsize)(eq - set_overrides[i])));
		if (strcmp(key, "plugin") != 0)
			continue;
		where = g_strdup_printf("--set:%u", i + 1);
		if (!add_plugins(out, eq + 1, NULL, where, error))
			return NULL;
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}
