/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The registry of configuration keys (see keys.h), value checking against
 * a key's type and bounds, "did you mean" suggestions, and reading a
 * value by its key's type (for the run config's getters, runconfig.c).
 *
 * Lookup: exact names live in a hash table (O(1)); names with a wildcard
 * segment are tried one by one after that (O(patterns x length); there are
 * a few dozen).  Suggestions compute the edit distance to every registered
 * key (O(keys x length^2)): they are made only on the way to an error.
 *
 * A registry is filled, then only read: nothing here caches on read, so
 * lookups and parses are safe from several threads at once.
 */
#include <string.h>
#include "sim/config/keys.h"
#include "sim/core/units.h"

struct sim_keys {
	GPtrArray *defs;	/* const struct sim_key_def *, in order */
	GHashTable *exact;	/* name -> def, names without a wildcard */
	GPtrArray *patterns;	/* defs whose name has a "*" segment */
	GArray *adopted;	/* struct adopted: freed with the registry */
};

struct adopted {
	gpointer data;
	GDestroyNotify destroy;
};

static const char *const bool_true[] = { "true", "yes", "on", "1", NULL };
static const char *const bool_false[] = { "false", "no", "off", "0", NULL };

/*
 * The keys every scenario may use, whatever the model.  The study (see
 * scenario.c) consumes description, extends, repeat, seed-set and
 * constraint itself; the others reach the run like model keys.
 */
static const struct sim_key_def general_keys[] = {
	{ .name = "description", .type = SIM_KEY_STRING,
	  .help = "one line saying what the config is for (not inherited)" },
	{ .name = "extends", .type = SIM_KEY_STRING,
	  .help = "the config this one inherits from (one name)" },
	{ .name = "repeat", .type = SIM_KEY_UINT, .defval = "1",
	  .min = "1", .max = "100000",
	  .help = "repetitions of every combination of iteration variables" },
	{ .name = "seed-set", .type = SIM_KEY_STRING,
	  .defval = "${repetition}",
	  .help = "what selects a run's seed: ${repetition} (common random "
		  "numbers across variants) or ${runnumber}" },
	{ .name = "constraint", .type = SIM_KEY_STRING,
	  .help = "expression over iteration variables; runs that fail it "
		  "are skipped" },
	{ .name = "seed", .type = SIM_KEY_UINT, .defval = "0",
	  .help = "base seed; a run's seed is a hash of it and the seed-set" },
	{ .name = "sim-time-limit", .type = SIM_KEY_TIME, .defval = "1s",
	  .min = "1ns", .help = "simulated time at which a run stops" },
	{ .name = "warmup-period", .type = SIM_KEY_TIME, .defval = "0",
	  .help = "simulated time before measurements start" },
	{ .name = "plugin", .type = SIM_KEY_STRING,
	  .help = "policy plugin(s) to load, comma-separated .so paths" },
};

/* ---------------------------------------------------------------------- */
/* Names */

static gboolean name_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '-';
}

/* Dotted segments of name characters; "*" segments if @wild. */
static gboolean name_valid(const char *name, gboolean wild, int *n_wild)
{
	const char *p = name;

	*n_wild = 0;
	for (;;) {
		const char *seg = p;

		if (wild && p[0] == '*' && (p[1] == '.' || p[1] == '\0')) {
			(*n_wild)++;
			p++;
		} else {
			while (name_char(*p))
				p++;
		}
		if (p == seg)
			return FALSE;
		if (*p == '\0')
			return TRUE;
		if (*p != '.')
			return FALSE;
		p++;
	}
}

gboolean sim_key_name_valid(const char *name)
{
	int n_wild;

	return name != NULL && name_valid(name, FALSE, &n_wild);
}

/* Does pattern @pat (with a "*" segment) match the concrete key @key? */
static gboolean pattern_match(const char *pat, const char *key)
{
	for (;;) {
		if (pat[0] == '*' && (pat[1] == '.' || pat[1] == '\0')) {
			const char *seg = key;

			while (*key != '.' && *key != '\0')
				key++;
			if (key == seg)
				return FALSE;
			pat++;
		} else {
			while (*pat != '.' && *pat != '\0' && *pat == *key) {
				pat++;
				key++;
			}
			if ((*pat != '.' && *pat != '\0') || *pat != *key)
				return FALSE;
		}
		if (*pat == '\0' || *key == '\0')
			return *pat == *key;
		pat++;
		key++;
	}
}

/* Could two patterns match one key?  Same number of segments, and every
 * pair of segments equal or one of them "*". */
static gboolean patterns_overlap(const char *a, const char *b)
{
	g_auto(GStrv) sa = g_strsplit(a, ".", -1);
	g_auto(GStrv) sb = g_strsplit(b, ".", -1);
	guint i, n = g_strv_length(sa);

	if (n != g_strv_length(sb))
		return FALSE;
	for (i = 0; i < n; i++) {
		if (strcmp(sa[i], "*") != 0 && strcmp(sb[i], "*") != 0 &&
		    strcmp(sa[i], sb[i]) != 0)
			return FALSE;
	}
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The registry */

struct sim_keys *sim_keys_new(void)
{
	struct sim_keys *keys = g_new0(struct sim_keys, 1);

	keys->defs = g_ptr_array_new();
	keys->exact = g_hash_table_new(g_str_hash, g_str_equal);
	keys->patterns = g_ptr_array_new();
	sim_keys_add(keys, general_keys, G_N_ELEMENTS(general_keys));
	return keys;
}

void sim_keys_free(struct sim_keys *keys)
{
	if (keys == NULL)
		return;
	g_ptr_array_unref(keys->defs);
	g_hash_table_unref(keys->exact);
	g_ptr_array_unref(keys->patterns);
	if (keys->adopted) {
		for (guint i = keys->adopted->len; i-- > 0;) {
			struct adopted *a = &g_array_index(keys->adopted, struct adopted, i);

			a->destroy(a->data);
		}
		g_array_unref(keys->adopted);
	}
	g_free(keys);
}

void sim_keys_adopt(struct sim_keys *keys, gpointer data, GDestroyNotify destroy)
{
	struct adopted a = { data, destroy };

	g_assert(destroy != NULL);
	if (!keys->adopted)
		keys->adopted = g_array_new(FALSE, FALSE, sizeof(struct adopted));
	g_array_append_val(keys->adopted, a);
}

static gboolean is_number_type(enum sim_key_type type)
{
	return type == SIM_KEY_INT || type == SIM_KEY_UINT ||
	       type == SIM_KEY_DOUBLE || type == SIM_KEY_TIME ||
	       type == SIM_KEY_SIZE;
}

/* Preconditions of one definition; each failure is a programming error. */
static void check_def(const struct sim_keys *keys, const struct sim_key_def *def)
{
	g_autoptr(GError) error = NULL;
	int n_wild;

	if (def->name == NULL || !name_valid(def->name, TRUE, &n_wild) ||
	    n_wild > 1)
		g_error("sim_keys_add: malformed key name '%s'",
			def->name ? def->name : "(null)");
	if (g_hash_table_contains(keys->exact, def->name))
		g_error("sim_keys_add: key '%s' registered twice", def->name);
	for (guint i = 0; i < keys->patterns->len; i++) {
		const struct sim_key_def *p = keys->patterns->pdata[i];

		if (n_wild > 0 && patterns_overlap(p->name, def->name))
			g_error("sim_keys_add: key '%s' overlaps '%s'",
				def->name, p->name);
	}
	if (def->type == SIM_KEY_ENUM &&
	    (def->choices == NULL || def->choices[0] == NULL))
		g_error("sim_keys_add: enum key '%s' without choices",
			def->name);
	if (!is_number_type(def->type) && (def->min != NULL || def->max != NULL))
		g_error("sim_keys_add: key '%s': bounds on a non-number",
			def->name);
	if (def->defval == NULL && def->type != SIM_KEY_STRING &&
	    def->type != SIM_KEY_DIST)
		g_error("sim_keys_add: key '%s' needs a default", def->name);
	if (def->defval != NULL && !sim_keys_check_value(def, def->defval, &error))
		g_error("sim_keys_add: key '%s': bad default: %s", def->name,
			error->message);
}

void sim_keys_add(struct sim_keys *keys, const struct sim_key_def *defs,
		  size_t n)
{
	g_return_if_fail(keys != NULL);
	g_return_if_fail(defs != NULL || n == 0);

	for (size_t i = 0; i < n; i++) {
		const struct sim_key_def *def = &defs[i];

		check_def(keys, def);
		g_ptr_array_add(keys->defs, (gpointer)def);
		if (strchr(def->name, '*') != NULL)
			g_ptr_array_add(keys->patterns, (gpointer)def);
		else
			g_hash_table_insert(keys->exact, (gpointer)def->name,
					    (gpointer)def);
	}
}

const struct sim_key_def *sim_keys_lookup(const struct sim_keys *keys,
					  const char *name)
{
	const struct sim_key_def *def;

	g_return_val_if_fail(keys != NULL && name != NULL, NULL);

	def = g_hash_table_lookup(keys->exact, name);
	if (def != NULL)
		return def;
	if (!sim_key_name_valid(name))
		return NULL;
	for (guint i = 0; i < keys->patterns->len; i++) {
		def = keys->patterns->pdata[i];
		if (pattern_match(def->name, name))
			return def;
	}
	return NULL;
}

void sim_keys_foreach(const struct sim_keys *keys, sim_keys_foreach_fn *fn,
		      void *data)
{
	for (guint i = 0; i < keys->defs->len; i++)
		fn(keys->defs->pdata[i], data);
}

/* ---------------------------------------------------------------------- */
/* Suggestions */

/* Levenshtein distance over bytes, two rows: O(|a| |b|) time. */
static guint edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	g_autofree guint *prev = g_new(guint, lb + 1);
	g_autofree guint *cur = g_new(guint, lb + 1);

	for (size_t j = 0; j <= lb; j++)
		prev[j] = (guint)j;
	for (size_t i = 1; i <= la; i++) {
		guint *tmp;

		cur[0] = (guint)i;
		for (size_t j = 1; j <= lb; j++) {
			guint sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			guint del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = MIN(sub, MIN(del, ins));
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

/* The concrete name @def would have for @bad: its wildcard segment filled
 * with @bad's segment at that position when both have as many segments. */
static char *candidate_for(const struct sim_key_def *def, char **bad_segs)
{
	g_auto(GStrv) segs = g_strsplit(def->name, ".", -1);
	guint n = g_strv_length(segs);

	if (strchr(def->name, '*') == NULL || n != g_strv_length(bad_segs))
		return g_strdup(def->name);
	for (guint i = 0; i < n; i++) {
		if (strcmp(segs[i], "*") == 0) {
			g_free(segs[i]);
			segs[i] = g_strdup(bad_segs[i]);
		}
	}
	return g_strjoinv(".", segs);
}

char *sim_keys_suggest(const struct sim_keys *keys, const char *bad)
{
	g_auto(GStrv) bad_segs = g_strsplit(bad, ".", -1);
	g_autofree char *suffix = g_strconcat(".", bad, NULL);
	char *best = NULL, *tail = NULL;
	guint best_d = G_MAXUINT, limit, n_tail = 0;

	/* Up to a third of the name may be wrong, at most 3 edits. */
	limit = CLAMP((guint)strlen(bad) / 3, 1, 3);
	for (guint i = 0; i < keys->defs->len; i++) {
		char *cand = candidate_for(keys->defs->pdata[i], bad_segs);
		guint d = edit_distance(bad, cand);

		if (d <= limit && d < best_d) {
			g_free(best);
			best = g_strdup(cand);
			best_d = d;
		}
		/* "cpus" for "machine.cpus": the user left out the path. */
		if (g_str_has_suffix(cand, suffix)) {
			n_tail++;
			g_free(tail);
			tail = g_strdup(cand);
		}
		g_free(cand);
	}
	if (best == NULL && n_tail == 1)
		return tail;
	g_free(tail);
	return best;
}

/* ---------------------------------------------------------------------- */
/* Values */

const char *sim_key_type_name(const struct sim_key_def *def)
{
	switch (def->type) {
	case SIM_KEY_INT:
		return "int";
	case SIM_KEY_UINT:
		return "uint";
	case SIM_KEY_DOUBLE:
		return "double";
	case SIM_KEY_BOOL:
		return "bool";
	case SIM_KEY_TIME:
		return "time";
	case SIM_KEY_SIZE:
		return "size";
	case SIM_KEY_DIST:
		switch (def->unit) {
		case SIM_UNIT_TIME:
			return "dist(time)";
		case SIM_UNIT_SIZE:
			return "dist(size)";
		case SIM_UNIT_NONE:
		default:
			return "dist";
		}
	case SIM_KEY_STRING:
		return "string";
	case SIM_KEY_ENUM:
		return "enum";
	}
	g_assert_not_reached();
}

/* "once, first-drop, unlimited" */
static char *choices_list(const char *const *choices)
{
	return g_strjoinv(", ", (char **)choices);
}

char *sim_key_describe(const struct sim_key_def *def)
{
	g_autofree char *list = NULL;
	const char *what = NULL;

	switch (def->type) {
	case SIM_KEY_INT:
		what = "a whole number";
		break;
	case SIM_KEY_UINT:
		what = "a non-negative whole number";
		break;
	case SIM_KEY_DOUBLE:
		what = "a number";
		break;
	case SIM_KEY_TIME:
		what = "a time such as 80us";
		break;
	case SIM_KEY_SIZE:
		what = "a size such as 4KiB";
		break;
	case SIM_KEY_BOOL:
		return g_strdup("true or false");
	case SIM_KEY_STRING:
		return g_strdup("text");
	case SIM_KEY_ENUM:
		list = choices_list(def->choices);
		return g_strdup_printf("one of %s", list);
	case SIM_KEY_DIST:
		switch (def->unit) {
		case SIM_UNIT_TIME:
			return g_strdup("a distribution of times such as "
					"exp(5us)");
		case SIM_UNIT_SIZE:
			return g_strdup("a distribution of sizes such as "
					"exp(4KiB)");
		case SIM_UNIT_NONE:
		default:
			return g_strdup("a distribution such as zipf(1.1)");
		}
	}
	if (def->min != NULL && def->max != NULL)
		return g_strdup_printf("%s from %s to %s", what, def->min,
				       def->max);
	if (def->min != NULL)
		return g_strdup_printf("%s, at least %s", what, def->min);
	if (def->max != NULL)
		return g_strdup_printf("%s, at most %s", what, def->max);
	return g_strdup(what);
}

/* A whole number with an optional sign, on top of sim_parse_uint(). */
static gboolean parse_int(const char *text, int64_t *out, GError **error)
{
	const char *p = text;
	gboolean neg = FALSE;
	uint64_t u;

	while (g_ascii_isspace(*p))
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!g_ascii_isdigit(*p) && *p != '.')
		goto bad;
	if (!sim_parse_uint(p, &u, NULL))
		goto bad;
	if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "bad integer '%s': too large; expected a whole "
			    "number from %" G_GINT64_FORMAT " to %"
			    G_GINT64_FORMAT, text, INT64_MIN, INT64_MAX);
		return FALSE;
	}
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return TRUE;
bad:
	g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
		    "bad integer '%s': expected a whole number, optionally "
		    "signed (e.g. -3, 1000)", text);
	return FALSE;
}

static gboolean parse_bool(const char *text, gboolean *out)
{
	g_autofree char *s = g_strstrip(g_ascii_strdown(text, -1));

	if (g_strv_contains(bool_true, s)) {
		*out = TRUE;
		return TRUE;
	}
	if (g_strv_contains(bool_false, s)) {
		*out = FALSE;
		return TRUE;
	}
	return FALSE;
}

static int enum_index(const struct sim_key_def *def, const char *text)
{
	g_autofree char *s = g_strstrip(g_strdup(text));

	for (int i = 0; def->choices[i] != NULL; i++) {
		if (strcmp(def->choices[i], s) == 0)
			return i;
	}
	return -1;
}

/* A number of a numeric key, as a comparable value: the integer types
 * compare exactly (int64 or uint64), double as double. */
struct num {
	enum { NUM_S, NUM_U, NUM_D } kind;
	int64_t s;
	uint64_t u;
	double d;
};

static gboolean parse_num(const struct sim_key_def *def, const char *text,
			  struct num *out, GError **error)
{
	sim_time_t ns;

	switch (def->type) {
	case SIM_KEY_INT:
		out->kind = NUM_S;
		return parse_int(text, &out->s, error);
	case SIM_KEY_TIME:
		if (!sim_parse_time(text, &ns, error))
			return FALSE;
		out->kind = NUM_S;
		out->s = ns;
		return TRUE;
	case SIM_KEY_UINT:
		out->kind = NUM_U;
		return sim_parse_uint(text, &out->u, error);
	case SIM_KEY_SIZE:
		out->kind = NUM_U;
		return sim_parse_size(text, &out->u, error);
	case SIM_KEY_DOUBLE:
		out->kind = NUM_D;
		return sim_parse_double(text, &out->d, error);
	default:
		g_assert_not_reached();
	}
}

/* <0, 0, >0 as a < b, a == b, a > b (both of one kind). */
static int num_cmp(const struct num *a, const struct num *b)
{
	switch (a->kind) {
	case NUM_S:
		return (a->s > b->s) - (a->s < b->s);
	case NUM_U:
		return (a->u > b->u) - (a->u < b->u);
	case NUM_D:
	default:
		return (a->d > b->d) - (a->d < b->d);
	}
}

static gboolean check_bounds(const struct sim_key_def *def, const char *text,
			     const struct num *v, GError **error)
{
	struct num bound;
	gboolean low = FALSE, high = FALSE;

	if (def->min != NULL) {
		if (!parse_num(def, def->min, &bound, NULL))
			g_error("key '%s': bad min '%s'", def->name, def->min);
		low = num_cmp(v, &bound) < 0;
	}
	if (def->max != NULL) {
		if (!parse_num(def, def->max, &bound, NULL))
			g_error("key '%s': bad max '%s'", def->name, def->max);
		high = num_cmp(v, &bound) > 0;
	}
	if (!low && !high)
		return TRUE;

	if (def->min != NULL && def->max != NULL)
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "out of range '%s': accepted are %s .. %s", text,
			    def->min, def->max);
	else if (def->min != NULL)
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "out of range '%s': accepted are %s or more", text,
			    def->min);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "out of range '%s': accepted are %s or less", text,
			    def->max);
	return FALSE;
}

gboolean sim_keys_check_value(const struct sim_key_def *def,
			      const char *value, GError **error)
{
	g_autofree char *list = NULL;
	struct sim_dist *d;
	struct num v;
	gboolean b;

	g_return_val_if_fail(def != NULL && value != NULL, FALSE);

	switch (def->type) {
	case SIM_KEY_INT:
	case SIM_KEY_UINT:
	case SIM_KEY_DOUBLE:
	case SIM_KEY_TIME:
	case SIM_KEY_SIZE:
		if (!parse_num(def, value, &v, error))
			return FALSE;
		return check_bounds(def, value, &v, error);
	case SIM_KEY_BOOL:
		if (parse_bool(value, &b))
			return TRUE;
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad value '%s': accepted are true, false, yes, "
			    "no, on, off, 1, 0", value);
		return FALSE;
	case SIM_KEY_DIST:
		d = sim_dist_parse(value, def->unit, error);
		if (d == NULL)
			return FALSE;
		sim_dist_free(d);
		return TRUE;
	case SIM_KEY_STRING:
		return TRUE;
	case SIM_KEY_ENUM:
		if (enum_index(def, value) >= 0)
			return TRUE;
		list = choices_list(def->choices);
		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "bad value '%s': accepted are %s", value, list);
		return FALSE;
	}
	g_assert_not_reached();
}

gboolean sim_keys_check(const struct sim_keys *keys, const char *name,
			const char *value, const struct sim_key_def **def_out,
			GError **error)
{
	const struct sim_key_def *def = sim_keys_lookup(keys, name);
	g_autofree char *hint = NULL;

	if (def_out != NULL)
		*def_out = def;
	if (def != NULL)
		return value == NULL || sim_keys_check_value(def, value, error);

	hint = sim_keys_suggest(keys, name);
	if (hint != NULL)
		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "unknown key; did you mean '%s'?", hint);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "unknown key; see 'faultsim list keys'");
	return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Typed values */

gboolean sim_key_parse_value(const struct sim_key_def *def, const char *text,
			     struct sim_key_value *out, GError **error)
{
	struct num v;
	int i;

	g_return_val_if_fail(def != NULL && text != NULL && out != NULL, FALSE);

	switch (def->type) {
	case SIM_KEY_INT:
	case SIM_KEY_UINT:
	case SIM_KEY_DOUBLE:
	case SIM_KEY_TIME:
	case SIM_KEY_SIZE:
		if (!parse_num(def, text, &v, error))
			return FALSE;
		if (v.kind == NUM_S)
			out->s = v.s;
		else if (v.kind == NUM_U)
			out->u = v.u;
		else
			out->d = v.d;
		return TRUE;
	case SIM_KEY_BOOL:
		if (parse_bool(text, &out->b))
			return TRUE;
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad value '%s': not a bool", text);
		return FALSE;
	case SIM_KEY_ENUM:
		i = enum_index(def, text);
		if (i >= 0) {
			out->choice = (guint)i;
			return TRUE;
		}
		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "bad value '%s': not one of its choices", text);
		return FALSE;
	case SIM_KEY_DIST:
	case SIM_KEY_STRING:
		return TRUE;
	}
	g_assert_not_reached();
}
