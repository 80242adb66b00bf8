/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests for the key registry (sim/config/keys.c), the scenario reader
 * (sim/config/ini.c), constraint expressions (sim/config/expr.c) and parameter studies
 * (sim/config/scenario.c).
 *
 * The corpus tests/scenarios/bad/ holds malformed scenarios, one mistake
 * each.  Each file starts with directives in comments:
 *
 *	# expect: @FILE@:LINE: key 'KEY': MESSAGE	the exact error
 *	# config: NAME					the config to ask for
 *	# set: KEY=VALUE				an override (repeatable)
 *	# keys: model					check against the model's
 *							keys (tests/rig.h), not
 *							the test keys below
 *
 * @FILE@ stands for the path the file was opened with.  Each file is one
 * test case (/sim/scenario/bad/NAME) that asserts the exact message.  To
 * print the messages the code gives now (after changing one on purpose),
 * run with FAULTSIM_PRINT_ERRORS=1.
 *
 * tests/scenarios/good/ holds the scenarios the other tests expand: their
 * run numbering is compared with lists written out by hand.
 *
 * Nothing here is random or timed: every assertion is exact.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim/config/keys.h"
#include "sim/config/scenario.h"
#include "sim/config/expr.h"
#include "tests/rig.h"

/* ---------------------------------------------------------------------- */
/* The keys the tests use (the model registers its own later). */

static const char *const retry_choices[] = {
	"once", "first-drop", "unlimited", NULL
};

static const struct sim_key_def test_keys[] = {
	{ .name = "machine.cpus", .type = SIM_KEY_UINT, .defval = "4",
	  .min = "1", .max = "1024", .help = "number of CPUs" },
	{ .name = "machine.ctx_switch", .type = SIM_KEY_TIME, .defval = "2us",
	  .min = "0", .max = "1ms", .help = "cost of a context switch" },
	{ .name = "disk.latency", .type = SIM_KEY_DIST, .defval = "exp(80us)",
	  .unit = SIM_UNIT_TIME, .help = "disk setup latency" },
	{ .name = "policy.retry", .type = SIM_KEY_ENUM, .defval = "once",
	  .choices = retry_choices, .help = "VM_FAULT_RETRY policy" },
	{ .name = "workload.*.threads", .type = SIM_KEY_UINT, .defval = "1",
	  .min = "1", .max = "4096", .help = "threads of a group" },
	{ .name = "workload.*.pattern", .type = SIM_KEY_DIST,
	  .unit = SIM_UNIT_NONE, .help = "which page an access goes to" },
	{ .name = "workload.*.write_ratio", .type = SIM_KEY_DOUBLE,
	  .defval = "0", .min = "0", .max = "1",
	  .help = "fraction of accesses that write" },
	{ .name = "mm.memory_limit", .type = SIM_KEY_SIZE, .defval = "1GiB",
	  .min = "1MiB", .help = "memory before reclaim" },
	{ .name = "sched.nice", .type = SIM_KEY_INT, .defval = "0",
	  .min = "-20", .max = "19", .help = "nice level" },
	{ .name = "trace.enabled", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "record a trace" },
	{ .name = "sim.label", .type = SIM_KEY_STRING,
	  .help = "free text" },
};

/* An exact name that a pattern also matches: the exact one wins. */
static const struct sim_key_def special_keys[] = {
	{ .name = "workload.kswapd.threads", .type = SIM_KEY_UINT,
	  .defval = "1", .min = "1", .max = "1", .help = "always one" },
};

static struct sim_keys *test_registry(void)
{
	struct sim_keys *keys = sim_keys_new();

	sim_keys_add(keys, test_keys, G_N_ELEMENTS(test_keys));
	sim_keys_add(keys, special_keys, G_N_ELEMENTS(special_keys));
	return keys;
}

/* tests/scenarios/@sub/@name (@name may be NULL) of the source tree, from
 * wherever the program runs (rig_srcdir_path()). */
static char *scenario_path(const char *sub, const char *name)
{
	g_autofree char *dir = g_build_filename("tests", "scenarios", sub, NULL);

	return rig_srcdir_path(dir, name);
}

static struct sim_study *study_ok(const char *file, const char *config,
				  char **set, const struct sim_keys *keys)
{
	g_autofree char *path = file ? scenario_path("good", file) : NULL;
	g_autoptr(GError) error = NULL;
	struct sim_study *study;

	study = sim_study_new(path, config, set, keys, &error);
	g_assert_no_error(error);
	g_assert_nonnull(study);
	return study;
}

static const char *itervar(const struct sim_run_config *r, const char *name)
{
	for (guint i = 0; i < r->n_itervars; i++) {
		if (strcmp(r->itervars[i].name, name) == 0)
			return r->itervars[i].value;
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* The corpus of malformed scenarios */

static void test_bad(gconstpointer data)
{
	const char *name = data;
	g_autofree char *path = scenario_path("bad", name);
	g_autofree char *text = NULL, *expect = NULL, *config = NULL;
	g_autoptr(GPtrArray) set = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_keys) keys = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(sim_study) study = NULL;
	g_autoptr(GString) want = NULL;
	gboolean model_keys = FALSE;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL && lines[i][0] == '#'; i++) {
		const char *l = lines[i];

		if (g_str_has_prefix(l, "# expect: "))
			expect = g_strdup(l + strlen("# expect: "));
		else if (g_str_has_prefix(l, "# config: "))
			config = g_strdup(l + strlen("# config: "));
		else if (g_str_has_prefix(l, "# set: "))
			g_ptr_array_add(set, g_strdup(l + strlen("# set: ")));
		else if (g_str_equal(l, "# keys: model"))
			model_keys = TRUE;
	}
	g_ptr_array_add(set, NULL);
	g_assert_nonnull(expect);
	keys = model_keys ? rig_all_keys() : test_registry();

	study = sim_study_new(path, config, (char **)set->pdata, keys, &error);
	g_assert_null(study);
	g_assert_nonnull(error);
	g_assert_true(error->domain == SIM_ERROR);
	if (g_getenv("FAULTSIM_PRINT_ERRORS") != NULL) {
		g_autoptr(GString) got = g_string_new(error->message);

		g_string_replace(got, path, "@FILE@", 0);
		printf("%s\t# expect: %s\n", name, got->str);
	}
	want = g_string_new(expect);
	g_string_replace(want, "@FILE@", path, 0);
	g_assert_cmpstr(error->message, ==, want->str);
}

/* The corpus must keep covering every kind of mistake. */
static void test_bad_corpus_size(gconstpointer data)
{
	g_assert_cmpuint(GPOINTER_TO_UINT(data), >=, 30);
}

/* ---------------------------------------------------------------------- */
/* Keys */

static void test_keys_lookup(void)
{
	g_autoptr(sim_keys) keys = test_registry();
	const struct sim_key_def *def;

	def = sim_keys_lookup(keys, "machine.cpus");
	g_assert_nonnull(def);
	g_assert_cmpstr(def->name, ==, "machine.cpus");
	def = sim_keys_lookup(keys, "workload.app.threads");
	g_assert_nonnull(def);
	g_assert_cmpstr(def->name, ==, "workload.*.threads");
	def = sim_keys_lookup(keys, "workload.kswapd.threads");
	g_assert_cmpstr(def->name, ==, "workload.kswapd.threads");
	g_assert_cmpstr(sim_keys_lookup(keys, "seed-set")->name, ==,
			"seed-set");
	g_assert_null(sim_keys_lookup(keys, "workload.threads"));
	g_assert_null(sim_keys_lookup(keys, "workload..threads"));
	g_assert_null(sim_keys_lookup(keys, "workload.a.b.threads"));
	g_assert_null(sim_keys_lookup(keys, "workload.*.threads"));
	g_assert_null(sim_keys_lookup(keys, "machine.cpus.x"));

	g_assert_true(sim_key_name_valid("a.b-c.d_e9"));
	g_assert_false(sim_key_name_valid("a..b"));
	g_assert_false(sim_key_name_valid(".a"));
	g_assert_false(sim_key_name_valid("a."));
	g_assert_false(sim_key_name_valid("a b"));
	g_assert_false(sim_key_name_valid("a.*"));
	g_assert_false(sim_key_name_valid(""));
}

struct suggest_case {
	const char *bad;
	const char *hint;	/* NULL: none */
};

static const struct suggest_case suggest_cases[] = {
	{ "machine.cpu", "machine.cpus" },
	{ "machine.cpuss", "machine.cpus" },
	{ "Machine.cpus", "machine.cpus" },
	{ "policy.rety", "policy.retry" },
	{ "workload.app.thread", "workload.app.threads" },
	{ "workload.writer.pattren", "workload.writer.pattern" },
	{ "seed-st", "seed-set" },
	{ "cpus", "machine.cpus" },
	{ "memory_limit", "mm.memory_limit" },
	{ "threads", NULL },	/* two keys end so: no guess */
	{ "frobnicate.level", NULL },
	{ "x", NULL },
};

static void test_keys_suggest(void)
{
	g_autoptr(sim_keys) keys = test_registry();

	for (guint i = 0; i < G_N_ELEMENTS(suggest_cases); i++) {
		g_autofree char *hint = sim_keys_suggest(keys,
							 suggest_cases[i].bad);

		g_test_message("%s", suggest_cases[i].bad);
		g_assert_cmpstr(hint, ==, suggest_cases[i].hint);
	}
}

struct value_case {
	const char *key;
	const char *value;
	const char *error;	/* NULL: accepted */
};

static const struct value_case value_cases[] = {
	{ "machine.cpus", "1", NULL },
	{ "machine.cpus", "1024", NULL },
	{ "machine.cpus", "1e3", NULL },
	{ "machine.cpus", "0", "out of range '0': accepted are 1 .. 1024" },
	{ "machine.cpus", "1025",
	  "out of range '1025': accepted are 1 .. 1024" },
	{ "mm.memory_limit", "1MiB", NULL },
	{ "mm.memory_limit", "16EiB",
	  "bad size '16EiB': unknown unit 'EiB'; expected a number and a unit "
	  "B, KiB, MiB, GiB, TiB (powers of 1024) or kB, MB, GB, TB (powers "
	  "of 1000) (e.g. 4KiB, 1.5GiB, 100MB)" },
	{ "mm.memory_limit", "1048575B",
	  "out of range '1048575B': accepted are 1MiB or more" },
	{ "machine.ctx_switch", "1ms", NULL },
	{ "machine.ctx_switch", "1000001ns",
	  "out of range '1000001ns': accepted are 0 .. 1ms" },
	{ "sched.nice", "-20", NULL },
	{ "sched.nice", "+19", NULL },
	{ "sched.nice", "-1e1", NULL },
	{ "sched.nice", "20", "out of range '20': accepted are -20 .. 19" },
	{ "sched.nice", "--1",
	  "bad integer '--1': expected a whole number, optionally signed "
	  "(e.g. -3, 1000)" },
	{ "workload.x.write_ratio", "0.5", NULL },
	{ "workload.x.write_ratio", "1.0000001",
	  "out of range '1.0000001': accepted are 0 .. 1" },
	{ "trace.enabled", "YES", NULL },
	{ "trace.enabled", " off ", NULL },
	{ "trace.enabled", "2",
	  "bad value '2': accepted are true, false, yes, no, on, off, 1, 0" },
	{ "policy.retry", "unlimited", NULL },
	{ "policy.retry", "Once",
	  "bad value 'Once': accepted are once, first-drop, unlimited" },
	{ "disk.latency", "lognormal(80us,0.3)", NULL },
	{ "disk.latency", "80", "bad distribution '80': bad time '80': "
	  "missing unit; expected a number and a unit ns, us, ms or s "
	  "(e.g. 80us, 1.5ms)" },
	{ "workload.a.pattern", "zipf(1.1)", NULL },
	{ "sim.label", "", NULL },
	{ "sim-time-limit", "0",
	  "out of range '0': accepted are 1ns or more" },
	{ "repeat", "100001",
	  "out of range '100001': accepted are 1 .. 100000" },
};

static void test_keys_check_value(void)
{
	g_autoptr(sim_keys) keys = test_registry();

	for (guint i = 0; i < G_N_ELEMENTS(value_cases); i++) {
		const struct value_case *c = &value_cases[i];
		const struct sim_key_def *def = sim_keys_lookup(keys, c->key);
		g_autoptr(GError) error = NULL;
		gboolean ok;

		g_test_message("%s = '%s'", c->key, c->value);
		g_assert_nonnull(def);
		ok = sim_keys_check_value(def, c->value, &error);
		if (c->error == NULL) {
			g_assert_no_error(error);
			g_assert_true(ok);
		} else {
			g_assert_false(ok);
			g_assert_nonnull(error);
			g_assert_cmpstr(error->message, ==, c->error);
		}
	}
}

static void test_keys_check(void)
{
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(GError) e1 = NULL, e2 = NULL;
	const struct sim_key_def *def = NULL;

	g_assert_true(sim_keys_check(keys, "workload.a.threads", "3", &def,
				     NULL));
	g_assert_cmpstr(def->name, ==, "workload.*.threads");
	g_assert_false(sim_keys_check(keys, "machine.cpu", "3", &def, &e1));
	g_assert_null(def);
	g_assert_error(e1, SIM_ERROR, SIM_ERROR_UNKNOWN);
	g_assert_cmpstr(e1->message, ==,
			"unknown key; did you mean 'machine.cpus'?");
	g_assert_false(sim_keys_check(keys, "zz.top", "3", NULL, &e2));
	g_assert_cmpstr(e2->message, ==,
			"unknown key; see 'faultsim list keys'");
}

struct describe_case {
	const char *key;
	const char *type;
	const char *text;
};

static const struct describe_case describe_cases[] = {
	{ "machine.cpus", "uint", "a non-negative whole number from 1 to 1024" },
	{ "mm.memory_limit", "size", "a size such as 4KiB, at least 1MiB" },
	{ "sched.nice", "int", "a whole number from -20 to 19" },
	{ "seed", "uint", "a non-negative whole number" },
	{ "disk.latency", "dist(time)",
	  "a distribution of times such as exp(5us)" },
	{ "workload.a.pattern", "dist", "a distribution such as zipf(1.1)" },
	{ "policy.retry", "enum", "one of once, first-drop, unlimited" },
	{ "trace.enabled", "bool", "true or false" },
	{ "sim.label", "string", "text" },
};

static void count_def(const struct sim_key_def *def, void *data)
{
	guint *n = data;

	(*n)++;
	g_assert_nonnull(def->help);
}

static void test_keys_describe(void)
{
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_keys) general = sim_keys_new();
	guint n_all = 0, n_general = 0;

	for (guint i = 0; i < G_N_ELEMENTS(describe_cases); i++) {
		const struct describe_case *c = &describe_cases[i];
		const struct sim_key_def *def = sim_keys_lookup(keys, c->key);
		g_autofree char *text = sim_key_describe(def);

		g_assert_cmpstr(sim_key_type_name(def), ==, c->type);
		g_assert_cmpstr(text, ==, c->text);
	}
	sim_keys_foreach(keys, count_def, &n_all);
	sim_keys_foreach(general, count_def, &n_general);
	g_assert_cmpuint(n_general, ==, 9);
	g_assert_cmpuint(n_all, ==, 9 + G_N_ELEMENTS(test_keys) +
			 G_N_ELEMENTS(special_keys));
}

/* ---------------------------------------------------------------------- */
/* Expressions */

struct expr_case {
	const char *text;
	const char *vars;	/* "a=1;p=once" */
	int result;		/* 0, 1; -1: an error */
	const char *error;	/* parse or evaluation message */
};

static const struct expr_case expr_cases[] = {
	{ "1 < 2", "", 1, NULL },
	{ "2 <= 1", "", 0, NULL },
	{ "$a * 2 <= $n", "a=2;n=4", 1, NULL },
	{ "${a} * 2 <= ${ n }", "a=3;n=4", 0, NULL },
	{ "1 + 2 * 3 == 7", "", 1, NULL },
	{ "(1 + 2) * 3 == 9", "", 1, NULL },
	{ "10 - 2 - 3 == 5", "", 1, NULL },
	{ "8 / 2 / 2 == 2", "", 1, NULL },
	{ "-$a + 1 == -1", "a=2", 1, NULL },
	{ "!($a > 1) || $a == 2", "a=2", 1, NULL },
	{ "!0 && !!1", "", 1, NULL },
	{ "$lat < 1ms", "lat=999us", 1, NULL },
	{ "$lat == 0.01ms", "lat=10us", 1, NULL },
	{ "$mem >= 1MiB && $mem != 1MB", "mem=1048576B", 1, NULL },
	{ "$p == \"once\"", "p=once", 1, NULL },
	{ "$p != 'once' && $p != \"unlimited\"", "p=first-drop", 1, NULL },
	{ "1e3 == 1000 && .5 == 0.5", "", 1, NULL },
	{ "$x", "x=0", 0, NULL },
	/* && and || do not evaluate what they do not need */
	{ "0 && $p + 1", "p=once", 0, NULL },
	{ "1 || 1 / 0", "", 1, NULL },
	/* errors */
	{ "$a <=", "a=1", -1,
	  "bad constraint '$a <=': at the end: expected a value" },
	{ "$a = 1", "a=1", -1,
	  "bad constraint '$a = 1': at column 4: '=' is not an operator; "
	  "compare with '=='" },
	{ "1 < 2 < 3", "", -1,
	  "bad constraint '1 < 2 < 3': at column 7: comparisons do not chain; "
	  "join them with '&&'" },
	{ "a < 2", "", -1,
	  "bad constraint 'a < 2': at column 1: 'a' is not a value; write "
	  "variables as $a and text in quotes" },
	{ "(1 < 2", "", -1,
	  "bad constraint '(1 < 2': at the end: expected ')'" },
	{ "1 < 2)", "", -1,
	  "bad constraint '1 < 2)': at column 6: unbalanced ')'" },
	{ "1 & 2", "", -1,
	  "bad constraint '1 & 2': at column 3: expected '&&'" },
	{ "$ x", "", -1,
	  "bad constraint '$ x': at column 2: expected a variable name after "
	  "'$'" },
	{ "${x", "", -1, "bad constraint '${x': at the end: expected '}'" },
	{ "'abc", "", -1,
	  "bad constraint ''abc': at column 1: unterminated text" },
	{ "3xs > 1", "", -1,
	  "bad constraint '3xs > 1': at column 1: bad number '3xs'" },
	{ "1 < 2 #", "", -1,
	  "bad constraint '1 < 2 #': at column 7: unexpected '#'" },
	{ "", "", -1, "bad constraint '': at the end: expected a value" },
	{ "$p + 1 > 0", "p=once", -1,
	  "text 'once' cannot be used in arithmetic" },
	{ "$p < \"z\"", "p=once", -1,
	  "text 'once' can only be compared with == and !=" },
	{ "$p == 1", "p=once", -1, "cannot compare text 'once' with a number" },
	{ "$p", "p=once", -1, "text 'once' is not a truth value" },
	{ "1 / ($a - 1)", "a=1", -1, "division by zero" },
	{ "$q > 1", "a=1", -1, "unknown variable $q" },
};

static const char *expr_lookup(const char *name, void *data)
{
	GHashTable *vars = data;

	return g_hash_table_lookup(vars, name);
}

static void test_expr(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(expr_cases); i++) {
		const struct expr_case *c = &expr_cases[i];
		g_autoptr(GHashTable) vars = g_hash_table_new_full(
			g_str_hash, g_str_equal, g_free, g_free);
		g_auto(GStrv) pairs = g_strsplit(c->vars, ";", -1);
		g_autoptr(GError) error = NULL;
		struct sim_expr *e;
		gboolean result = FALSE, ok;

		g_test_message("'%s'", c->text);
		for (guint j = 0; pairs[j] != NULL; j++) {
			char *eq = strchr(pairs[j], '=');

			if (eq == NULL)
				continue;
			g_hash_table_insert(vars,
					    g_strndup(pairs[j],
						      (gsize)(eq - pairs[j])),
					    g_strdup(eq + 1));
		}
		e = sim_expr_parse(c->text, &error);
		if (e == NULL) {
			g_assert_cmpint(c->result, ==, -1);
			g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
			g_assert_cmpstr(error->message, ==, c->error);
			continue;
		}
		ok = sim_expr_eval(e, expr_lookup, vars, &result, &error);
		if (c->result < 0) {
			g_assert_false(ok);
			g_assert_nonnull(error);
			g_assert_cmpstr(error->message, ==, c->error);
		} else {
			g_assert_no_error(error);
			g_assert_true(ok);
			g_assert_cmpint(result, ==, c->result);
		}
		sim_expr_free(e);
	}
}

static void test_expr_vars(void)
{
	g_autoptr(GError) error = NULL;
	struct sim_expr *e = sim_expr_parse("$b < $a && ${b} != $c_1", &error);
	const char *const *vars;

	g_assert_no_error(error);
	vars = sim_expr_vars(e);
	g_assert_cmpstr(vars[0], ==, "b");
	g_assert_cmpstr(vars[1], ==, "a");
	g_assert_cmpstr(vars[2], ==, "c_1");
	g_assert_null(vars[3]);
	sim_expr_free(e);
}

/* ---------------------------------------------------------------------- */
/* Numbering */

/* Grid: ${a=1,2} x ${b=x,y,z} x repeat 2; b is innermost of the
 * variables (it comes later in the file), the repetition innermost of all. */
static void test_numbering_grid(void)
{
	static const struct {
		const char *a, *b;
		guint rep;
	} want[] = {
		{ "1", "x", 0 }, { "1", "x", 1 }, { "1", "y", 0 },
		{ "1", "y", 1 }, { "1", "z", 0 }, { "1", "z", 1 },
		{ "2", "x", 0 }, { "2", "x", 1 }, { "2", "y", 0 },
		{ "2", "y", 1 }, { "2", "z", 0 }, { "2", "z", 1 },
	};
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) study = study_ok("sweep.ini", "Grid", NULL, keys);

	g_assert_cmpuint(sim_study_nr_runs(study), ==, G_N_ELEMENTS(want));
	g_assert_cmpstr(sim_study_config_name(study), ==, "Grid");
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct sim_run_config *r = sim_study_run(study, i);
		g_autofree char *iv = g_strdup_printf("$a=%s, $b=%s",
						      want[i].a, want[i].b);

		g_assert_cmpuint(r->runnumber, ==, i);
		g_assert_cmpuint(r->repetition, ==, want[i].rep);
		g_assert_cmpstr(r->config_name, ==, "Grid");
		g_assert_cmpstr(r->description, ==,
				"two variables and two repetitions: 2 x 3 x 2 "
				"= 12 runs");
		g_assert_true(g_str_has_suffix(r->ini_path, "sweep.ini"));
		g_assert_cmpuint(r->n_itervars, ==, 2);
		g_assert_cmpstr(r->itervars[0].name, ==, "a");
		g_assert_cmpstr(r->itervars[0].value, ==, want[i].a);
		g_assert_cmpstr(r->itervars[1].name, ==, "b");
		g_assert_cmpstr(r->itervars[1].value, ==, want[i].b);
		g_assert_cmpstr(r->iterationvars, ==, iv);
		/* Grid's own keys first, then [General]'s. */
		g_assert_cmpuint(r->n_entries, ==, 3);
		g_assert_cmpstr(r->entries[0].name, ==, "workload.app.threads");
		g_assert_cmpstr(r->entries[0].value, ==, want[i].a);
		g_assert_cmpstr(r->entries[1].name, ==, "sim.label");
		g_assert_cmpstr(r->entries[1].value, ==, want[i].b);
		g_assert_cmpstr(r->entries[2].name, ==, "machine.cpus");
		g_assert_cmpstr(r->entries[2].value, ==, "4");
		g_assert_cmpuint(sim_config_get_uint(r, "workload.app.threads"),
				 ==, g_ascii_strtoull(want[i].a, NULL, 10));
	}
}

/* Triangle: 16 combinations, the 6 with a < b kept and numbered densely,
 * in nested-loop order. */
static void test_numbering_constraint(void)
{
	static const char *const want[][2] = {
		{ "1", "2" }, { "1", "3" }, { "1", "4" },
		{ "2", "3" }, { "2", "4" }, { "3", "4" },
	};
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) study = study_ok("sweep.ini", "Triangle", NULL,
					      keys);

	g_assert_cmpuint(sim_study_nr_runs(study), ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct sim_run_config *r = sim_study_run(study, i);

		g_assert_cmpuint(r->runnumber, ==, i);
		g_assert_cmpstr(itervar(r, "a"), ==, want[i][0]);
		g_assert_cmpstr(itervar(r, "b"), ==, want[i][1]);
		g_assert_cmpuint(sim_config_get_uint(r, "machine.cpus"), ==,
				 g_ascii_strtoull(want[i][1], NULL, 10));
	}
}

/* Lock: lat advances with n (3 steps, not 9), p loops inside n; values
 * refer to variables and to the predefined ones. */
static void test_numbering_lockstep(void)
{
	static const char *const want[][4] = {
		{ "1", "10us", "once", "n1-once-rep0-run0" },
		{ "1", "10us", "first-drop", "n1-first-drop-rep0-run1" },
		{ "2", "20us", "once", "n2-once-rep0-run2" },
		{ "2", "20us", "first-drop", "n2-first-drop-rep0-run3" },
		{ "4", "40us", "once", "n4-once-rep0-run4" },
		{ "4", "40us", "first-drop", "n4-first-drop-rep0-run5" },
	};
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) study = study_ok("sweep.ini", "Lock", NULL, keys);

	g_assert_cmpuint(sim_study_nr_runs(study), ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct sim_run_config *r = sim_study_run(study, i);
		g_autofree char *iv = g_strdup_printf(
			"$n=%s, $lat=%s, $p=%s", want[i][0], want[i][1],
			want[i][2]);
		g_autoptr(sim_dist) lat = sim_config_get_dist(r,
							      "disk.latency");

		g_assert_cmpstr(r->iterationvars, ==, iv);
		g_assert_cmpstr(sim_run_config_lookup(r, "sim.label"), ==,
				want[i][3]);
		g_assert_cmpfloat(sim_dist_mean(lat), ==,
				  g_ascii_strtod(want[i][1], NULL) * 1000);
		g_assert_cmpuint(sim_config_get_enum(r, "policy.retry"), ==,
				 strcmp(want[i][2], "once") == 0 ? 0 : 1);
	}
}

/* Anonymous variables are $0, $1 in order of appearance, and may be
 * locked to a named one defined later in the file. */
static void test_numbering_anonymous(void)
{
	static const char *const want[][3] = {
		{ "1", "a", "8" }, { "1", "b", "16" },
		{ "2", "a", "8" }, { "2", "b", "16" },
	};
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) study = study_ok("sweep.ini", "Anonymous", NULL,
					      keys);

	g_assert_cmpuint(sim_study_nr_runs(study), ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct sim_run_config *r = sim_study_run(study, i);
		g_autofree char *iv = g_strdup_printf("$0=%s, $1=%s, $x=%s",
						      want[i][0], want[i][2],
						      want[i][1]);

		g_assert_cmpstr(r->iterationvars, ==, iv);
		g_assert_cmpstr(sim_run_config_lookup(r, "machine.cpus"), ==,
				want[i][2]);
	}
}

/* Values with units inside lists and ranges, additive and multiplying;
 * decimal steps land on their decimal values. */
static void test_units_in_iterations(void)
{
	static const char *const lat[] = { "10us", "100us", "1ms" };
	static const char *const mem[] = { "1MiB", "2MiB", "4MiB", "8MiB" };
	static const char *const cs[] = { "250ns", "500ns", "750ns", "1000ns" };
	static const char *const w[] = { "0.1", "0.2", "0.3", "0.4", "0.5" };
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) study = study_ok("units.ini", NULL, NULL, keys);
	guint i = 0;

	g_assert_cmpuint(sim_study_nr_runs(study), ==, 60);
	for (guint l = 0; l < 3; l++) {
		for (guint m = 0; m < 4; m++) {
			for (guint k = 0; k < 5; k++, i++) {
				const struct sim_run_config *r =
					sim_study_run(study, i);
				g_autoptr(sim_dist) d = NULL;

				g_assert_cmpstr(itervar(r, "lat"), ==, lat[l]);
				g_assert_cmpstr(itervar(r, "mem"), ==, mem[m]);
				g_assert_cmpstr(itervar(r, "cs"), ==, cs[m]);
				g_assert_cmpstr(itervar(r, "w"), ==, w[k]);
				d = sim_config_get_dist(r, "disk.latency");
				g_assert_cmpfloat(sim_dist_mean(d), ==,
						  1e4 * pow(10, l));
				g_assert_cmpuint(
					sim_config_get_size(r, "mm.memory_limit"),
					==, (uint64_t)1 << (20 + m));
				g_assert_cmpint(
					sim_config_get_time(r,
							    "machine.ctx_switch"),
					==, 250 * (m + 1));
				g_assert_cmpfloat(
					sim_config_get_double(
						r, "workload.app.write_ratio"),
					==, g_ascii_strtod(w[k], NULL));
			}
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Seeds and hashes */

static void test_seeds_common_random_numbers(void)
{
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) grid = study_ok("sweep.ini", "Grid", NULL, keys);
	g_autoptr(sim_study) per_run = study_ok("sweep.ini", "PerRun", NULL,
						keys);
	g_autoptr(sim_study) seeded = study_ok("sweep.ini", "Seeded", NULL,
					       keys);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash,
						      g_int64_equal);
	guint n = sim_study_nr_runs(grid);

	g_assert_cmpuint(sim_study_nr_runs(per_run), ==, n);
	for (guint i = 0; i < n; i++) {
		const struct sim_run_config *g = sim_study_run(grid, i);
		const struct sim_run_config *g0 = sim_study_run(grid,
								g->repetition);
		const struct sim_run_config *p = sim_study_run(per_run, i);
		const struct sim_run_config *s = sim_study_run(seeded, i);
		const struct sim_run_config *s0 = sim_study_run(seeded,
								s->repetition);

		/* Default seed-set ${repetition}: every variant's k-th
		 * repetition has the first variant's k-th seed. */
		g_autofree char *rep = g_strdup_printf("%u", g->repetition);
		g_assert_cmpstr(g->seedset, ==, rep);
		g_assert_cmpuint(g->seed, ==, g0->seed);
		g_assert_cmpuint(s->seed, ==, s0->seed);
		/* Another base seed moves every seed. */
		g_assert_cmpuint(s->seed, !=, g->seed);
		/* ${runnumber}: all different. */
		g_autofree char *rn = g_strdup_printf("%u", i);
		g_assert_cmpstr(p->seedset, ==, rn);
		g_assert_false(g_hash_table_contains(seen, &p->seed));
		g_hash_table_add(seen, (gpointer)&p->seed);
	}
	g_assert_cmpuint(sim_study_run(grid, 0)->seed, !=,
			 sim_study_run(grid, 1)->seed);
	/*
	 * Golden seeds: the hash of (base seed, seed-set) must never change,
	 * or every stored result stops being reproducible from its scenario.
	 */
	g_assert_cmphex(sim_study_run(grid, 0)->seed, ==,
			G_GUINT64_CONSTANT(0xb0d57ecdc3bdeb72));
	g_assert_cmphex(sim_study_run(grid, 1)->seed, ==,
			G_GUINT64_CONSTANT(0x6a22952f4e5e5da7));
}

static void test_hash(void)
{
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) a = study_ok("sweep.ini", "Grid", NULL, keys);
	g_autoptr(sim_study) b = study_ok("sweep.ini", "Grid", NULL, keys);
	g_autoptr(sim_study) same = study_ok("sweep.ini", "Same", NULL, keys);
	char *set_cpus[] = { "machine.cpus=5", NULL };
	char *set_four[] = { "machine.cpus=4", NULL };
	g_autoptr(sim_study) cpus = study_ok("sweep.ini", "Grid", set_cpus,
					     keys);
	g_autoptr(sim_study) four = study_ok("sweep.ini", "Grid", set_four,
					     keys);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < sim_study_nr_runs(a); i++) {
		const struct sim_run_config *r = sim_study_run(a, i);
		const char *h = sim_run_config_hash(r);

		g_assert_cmpuint(strlen(h), ==, 64);
		g_assert_true(h[strspn(h, "0123456789abcdef")] == '\0');
		/* Stable across parses... */
		g_assert_cmpstr(h, ==, sim_run_config_hash(sim_study_run(b, i)));
		/* ... independent of config name and description ... */
		g_assert_cmpstr(h, ==,
				sim_run_config_hash(sim_study_run(same, i)));
		/* ... and of the order the keys come in (--set moves
		 * machine.cpus to the front, with the same value) ... */
		g_assert_cmpstr(sim_study_run(four, i)->entries[0].name, ==,
				"machine.cpus");
		g_assert_cmpstr(h, ==,
				sim_run_config_hash(sim_study_run(four, i)));
		/* ... but not of a value. */
		g_assert_cmpstr(h, !=,
				sim_run_config_hash(sim_study_run(cpus, i)));
		/* Every run of a study differs (values or seed). */
		g_assert_false(g_hash_table_contains(seen, h));
		g_hash_table_add(seen, (gpointer)h);
	}
}

/* ---------------------------------------------------------------------- */
/* Inheritance and overrides */

static void assert_entries(const struct sim_run_config *r,
			   const char *const *want)
{
	guint n = g_strv_length((char **)want);

	g_assert_cmpuint(r->n_entries, ==, n);
	for (guint i = 0; i < n; i++) {
		g_autofree char *got = g_strdup_printf(
			"%s=%s", r->entries[i].name, r->entries[i].value);

		g_assert_cmpstr(got, ==, want[i]);
	}
}

static void test_extends(void)
{
	static const char *const derived[] = {
		"sim.label=derived", "workload.writer.threads=1",
		"trace.enabled=yes", "sched.nice=-5",
		"workload.writer.write_ratio=0.25",
		"policy.retry=first-drop", "workload.app.threads=8",
		"machine.cpus=2", "disk.latency=exp(80us)", NULL
	};
	static const char *const general[] = {
		"machine.cpus=2", "policy.retry=once", "disk.latency=exp(80us)",
		"sim.label=general", NULL
	};
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) d = study_ok("extends.ini", "Derived", NULL, keys);
	g_autoptr(sim_study) g = study_ok("extends.ini", NULL, NULL, keys);
	g_autoptr(sim_study) x = study_ok("extends.ini", "Explicit", NULL, keys);
	const struct sim_run_config *r = sim_study_run(d, 0);

	g_assert_cmpuint(sim_study_nr_runs(d), ==, 1);
	assert_entries(r, derived);
	g_assert_cmpstr(r->description, ==, "the derived one");
	g_assert_cmpstr(r->iterationvars, ==, "");
	g_assert_cmpuint(r->n_itervars, ==, 0);
	g_assert_cmpuint(r->repetition, ==, 0);
	assert_entries(sim_study_run(g, 0), general);
	g_assert_cmpstr(sim_study_run(g, 0)->description, ==, "the defaults");
	g_assert_cmpstr(sim_study_run(g, 0)->config_name, ==, "General");
	/* "extends = General" is the same as no extends; description is
	 * not inherited. */
	assert_entries(sim_study_run(x, 0), general);
	g_assert_null(sim_study_run(x, 0)->description);
}

static void test_set_overrides(void)
{
	static const char *const want[] = {
		"policy.retry=unlimited", "machine.cpus=16",
		"sim.label=derived", "workload.writer.threads=1",
		"trace.enabled=yes", "sched.nice=-5",
		"workload.writer.write_ratio=0.25", "workload.app.threads=8",
		"disk.latency=exp(80us)", NULL
	};
	/* The later of two --set of one key wins, in the first's place. */
	char *set[] = { "policy.retry=once", " machine.cpus = 16 ",
			"policy.retry=unlimited", NULL };
	char *sweep[] = { "workload.app.threads=${1,2}", "repeat=3", NULL };
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) d = study_ok("extends.ini", "Derived", set, keys);
	g_autoptr(sim_study) s = study_ok("extends.ini", "Derived", sweep,
					  keys);
	g_autoptr(sim_study) none = study_ok(NULL, NULL, sweep, keys);

	assert_entries(sim_study_run(d, 0), want);
	g_assert_cmpuint(sim_config_get_enum(sim_study_run(d, 0),
					     "policy.retry"), ==, 2);
	/* --set may sweep, and may set the study's own keys. */
	g_assert_cmpuint(sim_study_nr_runs(s), ==, 6);
	g_assert_cmpstr(sim_study_run(s, 5)->iterationvars, ==, "$0=2");
	g_assert_cmpuint(sim_study_run(s, 5)->repetition, ==, 2);
	/* No scenario file at all. */
	g_assert_cmpuint(sim_study_nr_runs(none), ==, 6);
	g_assert_null(sim_study_run(none, 0)->ini_path);
	g_assert_cmpstr(sim_study_run(none, 0)->config_name, ==, "General");
}

/* Runs are built when asked for: sim_study_run_new() gives what
 * sim_study_run() keeps, run for run; values that use $repetition are
 * still checked in every run before the study is made, others once per
 * combination. */
static void test_lazy_runs(void)
{
	char *sweep[] = { "workload.app.threads=${1,2,4}", "sched.nice=$repetition",
			  "repeat=4", NULL };
	char *per_rep[] = { "sched.nice=$repetition", "repeat=25", NULL };
	char *per_combo[] = { "sched.nice=${n=0,5,30}", "repeat=1000", NULL };
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) s = study_ok(NULL, NULL, sweep, keys);
	g_autoptr(GError) error = NULL;
	struct sim_study *bad;

	g_assert_cmpuint(sim_study_nr_runs(s), ==, 12);
	for (guint i = 0; i < 12; i++) {
		g_autoptr(sim_run_config) a = sim_study_run_new(s, i);
		const struct sim_run_config *b = sim_study_run(s, i);

		g_assert_true(b == sim_study_run(s, i));
		g_assert_cmpuint(a->runnumber, ==, i);
		g_assert_cmpuint(a->repetition, ==, i % 4);
		g_assert_cmpuint(a->seed, ==, b->seed);
		g_assert_cmpstr(a->hash, ==, b->hash);
		g_assert_cmpstr(a->seedset, ==, b->seedset);
		g_assert_cmpstr(a->iterationvars, ==, b->iterationvars);
		g_assert_cmpuint(a->n_entries, ==, b->n_entries);
		for (guint k = 0; k < a->n_entries; k++) {
			g_assert_cmpstr(a->entries[k].name, ==, b->entries[k].name);
			g_assert_cmpstr(a->entries[k].value, ==, b->entries[k].value);
		}
		g_assert_cmpint(sim_config_get_int(a, "sched.nice"), ==, (gint64)(i % 4));
		if (i % 4)
			g_assert_cmpstr(a->hash, !=, sim_study_run(s, i - 1)->hash);
	}

	bad = sim_study_new(NULL, NULL, per_rep, keys, &error);
	g_assert_null(bad);
	g_assert_nonnull(strstr(error->message, "(with $repetition=20)"));
	g_clear_error(&error);
	bad = sim_study_new(NULL, NULL, per_combo, keys, &error);
	g_assert_null(bad);
	g_assert_nonnull(strstr(error->message, "(with $n=30)"));
}

static void test_getters(void)
{
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) d = study_ok("extends.ini", "Derived", NULL, keys);
	const struct sim_run_config *r = sim_study_run(d, 0);
	g_autoptr(sim_dist) lat = sim_config_get_dist(r, "disk.latency");
	g_auto(GStrv) names = sim_config_names(r, "workload");
	g_auto(GStrv) none = sim_config_names(r, "machine");

	g_assert_cmpuint(sim_config_get_uint(r, "machine.cpus"), ==, 2);
	g_assert_cmpuint(sim_config_get_uint(r, "workload.app.threads"), ==, 8);
	/* Unset: the default. */
	g_assert_cmpuint(sim_config_get_uint(r, "workload.other.threads"), ==,
			 1);
	g_assert_false(sim_config_is_set(r, "workload.other.threads"));
	g_assert_true(sim_config_is_set(r, "workload.app.threads"));
	g_assert_cmpuint(sim_config_get_size(r, "mm.memory_limit"), ==,
			 G_GUINT64_CONSTANT(1) << 30);
	g_assert_cmpint(sim_config_get_time(r, "machine.ctx_switch"), ==,
			2000);
	g_assert_cmpint(sim_config_get_time(r, "sim-time-limit"), ==,
			NSEC_PER_SEC);
	g_assert_cmpint(sim_config_get_time(r, "warmup-period"), ==, 0);
	g_assert_cmpuint(sim_config_get_uint(r, "seed"), ==, 0);
	g_assert_cmpint(sim_config_get_int(r, "sched.nice"), ==, -5);
	g_assert_true(sim_config_get_bool(r, "trace.enabled"));
	g_assert_cmpfloat(sim_config_get_double(r,
						"workload.writer.write_ratio"),
			  ==, 0.25);
	g_assert_cmpfloat(sim_config_get_double(r, "workload.app.write_ratio"),
			  ==, 0);
	g_assert_cmpuint(sim_config_get_enum(r, "policy.retry"), ==, 1);
	g_assert_cmpstr(sim_config_get_string(r, "policy.retry"), ==,
			"first-drop");
	g_assert_cmpstr(sim_config_get_string(r, "sim.label"), ==, "derived");
	g_assert_null(sim_config_get_string(r, "plugin"));
	g_assert_cmpfloat(sim_dist_mean(lat), ==, 80000);
	g_assert_null(sim_config_get_dist(r, "workload.app.pattern"));
	g_assert_cmpuint(g_strv_length(names), ==, 2);
	g_assert_cmpstr(names[0], ==, "writer");
	g_assert_cmpstr(names[1], ==, "app");
	g_assert_cmpuint(g_strv_length(none), ==, 0);
}

/* Comments, CRLF, continuations, "$$", quotes in a constraint. */
static void test_syntax(void)
{
	static const char *const want[] = {
		"machine.cpus=8", "sim.label=costs $5;no comment here",
		"policy.retry=once", NULL
	};
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(sim_study) g = study_ok("syntax.ini", NULL, NULL, keys);
	g_autoptr(sim_study) s = study_ok("syntax.ini", "Spaced", NULL, keys);

	g_assert_cmpuint(sim_study_nr_runs(g), ==, 2);
	assert_entries(sim_study_run(g, 0), want);
	g_assert_cmpstr(sim_study_run(g, 1)->iterationvars, ==,
			"$p=first-drop");
	g_assert_cmpuint(sim_config_get_uint(sim_study_run(s, 0),
					     "workload.app.threads"), ==, 3);
}

static void test_list_configs(void)
{
	g_autofree char *path = scenario_path("good", "extends.ini");
	g_autofree char *bad = scenario_path("bad", "extends-cycle-2.ini");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = sim_scenario_list_configs(path, &error);
	const struct sim_scenario_config *c;

	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 4);
	c = list->pdata[0];
	g_assert_cmpstr(c->name, ==, "General");
	g_assert_cmpstr(c->description, ==, "the defaults");
	g_assert_null(c->extends);
	g_assert_cmpuint(c->line, ==, 2);
	c = list->pdata[1];
	g_assert_cmpstr(c->name, ==, "Base");
	g_assert_cmpstr(c->description, ==, "the base");
	g_assert_null(c->extends);
	c = list->pdata[2];
	g_assert_cmpstr(c->name, ==, "Derived");
	g_assert_cmpstr(c->extends, ==, "Base");
	c = list->pdata[3];
	g_assert_cmpstr(c->name, ==, "Explicit");
	g_assert_null(c->description);
	g_assert_cmpstr(c->extends, ==, "General");

	g_assert_null(sim_scenario_list_configs(bad, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_PARSE);
}

/* ---------------------------------------------------------------------- */
/* include = FILE */

/* Write @text to @dir/@name. */
static void put_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

/* The study of @dir/@name's @config, which must fail; its message with
 * @dir replaced by "@D@". */
static char *include_error(const char *dir, const char *name,
			   const char *config, const struct sim_keys *keys,
			   gint *code)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) msg = NULL;
	struct sim_study *study = sim_study_new(path, config, NULL, keys,
						&error);

	g_assert_null(study);
	g_assert_nonnull(error);
	g_assert_true(error->domain == SIM_ERROR);
	*code = error->code;
	msg = g_string_new(error->message);
	g_string_replace(msg, dir, "@D@", 0);
	return g_string_free(g_steal_pointer(&msg), FALSE);
}

static void rm_tree(const char *dir)
{
	const char *name;
	GDir *d = g_dir_open(dir, 0, NULL);

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			rm_tree(p);
		else
			g_assert_cmpint(remove(p), ==, 0);
	}
	if (d != NULL)
		g_dir_close(d);
	g_assert_cmpint(rmdir(dir), ==, 0);
}

static void test_include(void)
{
	/* General: the included keys in place of the include line; a
	 * later line of the including file replaces an included key. */
	static const char *const general[] = {
		"sched.nice=-5", "disk.latency=exp(1ms)", "machine.cpus=8",
		NULL
	};
	/* X: included in a config; Y: a section the included file opens,
	 * continued by the including file after it. */
	static const char *const x[] = {
		"machine.cpus=2", "sched.nice=-5", "disk.latency=exp(1ms)",
		"sim.label=x", "policy.retry=once", NULL
	};
	static const char *const y[] = {
		"sim.label=y", "policy.retry=first-drop", "sched.nice=-5",
		"disk.latency=exp(1ms)", "machine.cpus=8", NULL
	};
	g_autoptr(sim_keys) keys = test_registry();
	g_autofree char *dir = g_dir_make_tmp("test-scenario-XXXXXX", NULL);
	g_autofree char *main_ini = g_build_filename(dir, "main.ini", NULL);
	g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) g = NULL, sx = NULL, sy = NULL;
	g_autofree char *sub = NULL;
	char *msg;
	gint code;

	g_assert_nonnull(dir);
	sub = g_build_filename(dir, "sub", NULL);
	g_assert_cmpint(mkdir(sub, 0700), ==, 0);
	put_file(dir, "sub/host.ini",
		 "# a host profile: no section of its own\n"
		 "machine.cpus = 2\nsched.nice = -5\n"
		 "include = lat.ini   # relative to sub/\n");
	put_file(dir, "sub/lat.ini", "disk.latency = exp(1ms)\n");
	put_file(dir, "sub/opens.ini",
		 "sim.label = x\n[Config Y]\nsim.label = y\n");
	put_file(dir, "main.ini",
		 "[General]\ninclude = sub/host.ini\nmachine.cpus = 8\n"
		 "[Config X]\ninclude = sub/host.ini\ninclude = sub/opens.ini\n"
		 "policy.retry = once\n"
		 "[Config Y]\npolicy.retry = first-drop\n");
	g = sim_study_new(main_ini, NULL, NULL, keys, &error);
	g_assert_no_error(error);
	assert_entries(sim_study_run(g, 0), general);
	sx = sim_study_new(main_ini, "X", NULL, keys, &error);
	g_assert_no_error(error);
	assert_entries(sim_study_run(sx, 0), x);
	sy = sim_study_new(main_ini, "Y", NULL, keys, &error);
	g_assert_no_error(error);
	assert_entries(sim_study_run(sy, 0), y);

	/* Errors name the included file and its line, and the chain. */
	put_file(dir, "sub/bad.ini", "machine.cpus = 2\nmachine.cpus = many\n");
	put_file(dir, "bad.ini", "[General]\ninclude = sub/bad.ini\n");
	msg = include_error(dir, "bad.ini", NULL, keys, &code);
	g_assert_cmpstr(msg, ==, "@D@/sub/bad.ini:2: key 'machine.cpus': "
			"duplicate key; first set at line 1 (included from "
			"@D@/bad.ini:2)");
	g_free(msg);
	put_file(dir, "sub/badval.ini", "sched.nice = 40\n");
	put_file(dir, "badval.ini", "[General]\ninclude = sub/badval.ini\n");
	msg = include_error(dir, "badval.ini", NULL, keys, &code);
	g_assert_true(g_str_has_prefix(msg, "@D@/sub/badval.ini:1: key "
				       "'sched.nice': "));
	g_assert_cmpint(code, ==, SIM_ERROR_RANGE);
	g_free(msg);
	/* A missing file, a cycle, a FIFO (refused without blocking). */
	put_file(dir, "missing.ini", "[General]\ninclude = nothere.ini\n");
	msg = include_error(dir, "missing.ini", NULL, keys, &code);
	g_assert_cmpstr(msg, ==, "@D@/missing.ini:2: include 'nothere.ini': "
			"@D@/nothere.ini: No such file or directory");
	g_assert_cmpint(code, ==, SIM_ERROR_IO);
	g_free(msg);
	put_file(dir, "self.ini", "[General]\ninclude = self.ini\n");
	msg = include_error(dir, "self.ini", NULL, keys, &code);
	g_assert_cmpstr(msg, ==, "@D@/self.ini:2: include 'self.ini': include "
			"cycle: @D@/self.ini -> @D@/self.ini");
	g_assert_cmpint(code, ==, SIM_ERROR_PARSE);
	g_free(msg);
	g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
	put_file(dir, "fifo.ini", "[General]\ninclude = fifo\n");
	msg = include_error(dir, "fifo.ini", NULL, keys, &code);
	g_assert_cmpstr(msg, ==, "@D@/fifo.ini:2: include 'fifo': @D@/fifo: "
			"not a regular file");
	g_free(msg);
	put_file(dir, "empty.ini", "[General]\ninclude =\n");
	msg = include_error(dir, "empty.ini", NULL, keys, &code);
	g_assert_cmpstr(msg, ==, "@D@/empty.ini:2: key 'include': missing "
			"file name");
	g_free(msg);
	rm_tree(dir);
}

static void test_missing_file(void)
{
	g_autoptr(sim_keys) keys = test_registry();
	g_autoptr(GError) error = NULL;

	g_assert_null(sim_study_new("/nonexistent/x.ini", NULL, NULL, keys,
				    &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_IO);
	g_assert_true(g_str_has_prefix(error->message, "/nonexistent/x.ini: "));
}

/* ---------------------------------------------------------------------- */
/* Run filters */

struct runs_case {
	const char *spec;
	guint nr_runs;
	const char *want;	/* "1,2,3", or NULL for an error */
	const char *error;
};

static const struct runs_case runs_cases[] = {
	{ "3", 10, "3", NULL },
	{ "2..7", 10, "2,3,4,5,6,7", NULL },
	{ "1,4,9", 10, "1,4,9", NULL },
	{ " 9, 1,1 , 3..4 ", 10, "1,3,4,9", NULL },
	{ "all", 3, "0,1,2", NULL },
	{ NULL, 3, "0,1,2", NULL },
	{ "", 2, "0,1", NULL },
	{ "7..", 10, "7,8,9", NULL },
	{ "..2", 10, "0,1,2", NULL },
	{ "0", 1, "0", NULL },
	{ "10", 10, NULL,
	  "run 10 does not exist: the study has 10 runs (0..9)" },
	{ "0..1", 1, NULL, "run 1 does not exist: the study has 1 run (0..0)" },
	{ "x", 10, NULL,
	  "bad run filter 'x': 'x' is not a run number; expected e.g. 3, "
	  "2..7, 1,4,9 or all" },
	{ "-1", 10, NULL,
	  "bad run filter '-1': '-1' is not a run number; expected e.g. 3, "
	  "2..7, 1,4,9 or all" },
	{ "5..2", 10, NULL, "bad run filter '5..2': 5..2 runs backwards" },
	{ "1,,2", 10, NULL, "bad run filter '1,,2': empty item" },
};

static void test_parse_runs(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(runs_cases); i++) {
		const struct runs_case *c = &runs_cases[i];
		g_autoptr(GError) error = NULL;
		g_autoptr(GArray) runs = NULL;
		g_autoptr(GString) got = g_string_new(NULL);

		g_test_message("'%s'", c->spec ? c->spec : "(null)");
		runs = sim_study_parse_runs(c->spec, c->nr_runs, &error);
		if (c->want == NULL) {
			g_assert_null(runs);
			g_assert_nonnull(error);
			g_assert_cmpstr(error->message, ==, c->error);
			continue;
		}
		g_assert_no_error(error);
		for (guint j = 0; j < runs->len; j++)
			g_string_append_printf(got, "%s%u", j ? "," : "",
					       g_array_index(runs, guint, j));
		g_assert_cmpstr(got->str, ==, c->want);
	}
}

/* ---------------------------------------------------------------------- */

static gint cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *dir_path = NULL;
	g_autoptr(GDir) dir = NULL;
	const char *name;

	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/sim/keys/lookup", test_keys_lookup);
	g_test_add_func("/sim/keys/suggest", test_keys_suggest);
	g_test_add_func("/sim/keys/check-value", test_keys_check_value);
	g_test_add_func("/sim/keys/check", test_keys_check);
	g_test_add_func("/sim/keys/describe", test_keys_describe);
	g_test_add_func("/sim/scenario/expr/eval", test_expr);
	g_test_add_func("/sim/scenario/expr/vars", test_expr_vars);
	g_test_add_func("/sim/scenario/numbering/grid", test_numbering_grid);
	g_test_add_func("/sim/scenario/numbering/constraint",
			test_numbering_constraint);
	g_test_add_func("/sim/scenario/numbering/lockstep",
			test_numbering_lockstep);
	g_test_add_func("/sim/scenario/numbering/anonymous",
			test_numbering_anonymous);
	g_test_add_func("/sim/scenario/units-in-iterations",
			test_units_in_iterations);
	g_test_add_func("/sim/scenario/seeds/common-random-numbers",
			test_seeds_common_random_numbers);
	g_test_add_func("/sim/scenario/hash", test_hash);
	g_test_add_func("/sim/scenario/extends", test_extends);
	g_test_add_func("/sim/scenario/set-overrides", test_set_overrides);
	g_test_add_func("/sim/scenario/getters", test_getters);
	g_test_add_func("/sim/scenario/lazy-runs", test_lazy_runs);
	g_test_add_func("/sim/scenario/syntax", test_syntax);
	g_test_add_func("/sim/scenario/list-configs", test_list_configs);
	g_test_add_func("/sim/scenario/missing-file", test_missing_file);
	g_test_add_func("/sim/scenario/include", test_include);
	g_test_add_func("/sim/scenario/parse-runs", test_parse_runs);

	dir_path = scenario_path("bad", NULL);
	dir = g_dir_open(dir_path, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		if (g_str_has_suffix(name, ".ini"))
			g_ptr_array_add(bad, g_strdup(name));
	}
	g_ptr_array_sort(bad, cmp_names);
	g_test_add_data_func("/sim/scenario/bad/corpus-size",
			     GUINT_TO_POINTER(bad->len), test_bad_corpus_size);
	for (guint i = 0; i < bad->len; i++) {
		g_autofree char *base = g_strndup(bad->pdata[i],
						  strlen(bad->pdata[i]) - 4);
		g_autofree char *path = g_strdup_printf("/sim/scenario/bad/%s",
							base);

		g_test_add_data_func(path, bad->pdata[i], test_bad);
	}
	return g_test_run();
}
