/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim list: what the simulator knows about, from the code itself.
 *
 *   policies    every policy slot and its values (with --plugin PATH: the
 *               plugin's too), with the thread each models
 *   presets     the kernel presets and the policy set each stands for
 *   keys        every key a scenario may set, with its type, default and help
 *               (--markdown: a table per section, as docs/keys.md holds them)
 *   scenarios   the scenario files in the scenario directory and their configs
 *   metrics     every measurement a run records, found by running a short
 *               simulation of a scenario (default: scenarios/default.ini)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/config/keys.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"

static void print_key(const struct sim_key_def *def, void *data)
{
	g_autofree char *what = sim_key_describe(def);

	printf("%-32s %s%s%s\n", def->name, def->help ? def->help : "",
	       def->defval ? "; default " : "", def->defval ? def->defval : "");
	printf("%-32s   %s\n", "", what);
}

/* The built-in policies and those of the --plugin files; NULL after
 * printing why not. */
static struct sim_policies *list_policy_registry(char **plugins, const char *scenario)
{
	g_autoptr(GError) error = NULL;
	struct sim_policies *reg = cli_policies_new(plugins, scenario, NULL, &error);

	if (!reg)
		fprintf(stderr, "faultsim list: %s\n", error->message);
	return reg;
}

/* ------------------------------------------------------------------ */
/* list keys --markdown: docs/keys.md, one table per section */

/* Text for a table cell: '|' would end the cell, and '*', '_' (where it
 * could start emphasis), '`', '<', '>', '[', ']' and a backslash would be read
 * as markup. */
static void md_text(GString *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		gboolean opens_emphasis = *p == '_' && (p == s || !g_ascii_isalnum(p[-1]));

		if (strchr("|*`<>[]\\", *p) || opens_emphasis)
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
}

/* A value as a code span ('|' still ends a cell inside one). */
static void md_code(GString *out, const char *s)
{
	g_string_append_c(out, '`');
	for (const char *p = s; *p; p++) {
		if (*p == '|')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '`');
}

static const char *md_type(const struct sim_key_def *def)
{
	switch (def->type) {
	case SIM_KEY_INT:
		return "integer";
	case SIM_KEY_UINT:
		return "unsigned integer";
	case SIM_KEY_DOUBLE:
		return "number";
	case SIM_KEY_BOOL:
		return "bool";
	case SIM_KEY_TIME:
		return "time";
	case SIM_KEY_SIZE:
		return "size";
	case SIM_KEY_DIST:
		return def->unit == SIM_UNIT_TIME ? "distribution of times" :
		       def->unit == SIM_UNIT_SIZE ? "distribution of sizes" : "distribution";
	case SIM_KEY_STRING:
		return "text";
	case SIM_KEY_ENUM:
		return "one of";
	}
	return "";
}

/* The range or the choices of @def. */
static void md_accepts(GString *out, const struct sim_key_def *def)
{
	if (def->type == SIM_KEY_ENUM) {
		for (const char *const *c = def->choices; c && *c; c++) {
			if (c != def->choices)
				g_string_append(out, ", ");
			md_code(out, *c);
		}
	} else if (def->min && def->max) {
		md_code(out, def->min);
		g_string_append(out, " .. ");
		md_code(out, def->max);
	} else if (def->min) {
		g_string_append(out, "at least ");
		md_code(out, def->min);
	} else if (def->max) {
		g_string_append(out, "at most ");
		md_code(out, def->max);
	}
}

/* What each section's keys set, for the sections there are. */
static const struct {
	const char *section, *what;
} md_sections[] = {
	{ "general", "The study itself: what a config is, its repetitions, seeds, run "
	  "length and plugins (keys without a dot)." },
	{ "machine", "The CPUs and the scheduler, and the cost of moving a lock's cache line." },
	{ "disk", "The block device: a profile (`ssd`, `hdd`) and the keys that override it." },
	{ "memory", "The page cache, reclaim and swap." },
	{ "load", "Open-loop background load: Poisson disk requests (`load.disk.*`) and "
	  "CPU jobs (`load.cpu.*`)." },
	{ "workload", "Thread groups: `workload.NAME.KEY`, where NAME is a group name "
	  "of the scenario's choosing and `workload.NAME.kind` says what its threads do. "
	  "A key of another kind set on a group is an error before anything runs." },
	{ "fault", "Costs of the fault path (`do_user_addr_fault()` down to `finish_fault()`)." },
	{ "khugepaged", "khugepaged's scan and collapse (its costs and sysfs knobs)." },
	{ "write", "Costs of `write(2)` (`generic_perform_write()`)." },
	{ "policy", "Policy slots and kernel presets (`faultsim list policies`, "
	  "`faultsim list presets`): a slot set here wins over the preset's value." },
	{ "debug", "Checks and diagnostics; they never change a run's trajectory." },
};

/* The section of key @name: its first segment, "general" for none. */
static char *md_section_of(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? g_strndup(name, (gsize)(dot - name)) : g_strdup("general");
}

struct md_keys {
	GPtrArray *defs;			/* every definition, in order */
	const char *const *kinds;		/* workload.*.kind's choices */
};

static void md_collect(const struct sim_key_def *def, void *data)
{
	g_ptr_array_add(((struct md_keys *)data)->defs, (gpointer)def);
}

/* A workload key's kinds: its help starts "lock, fault: ..." when only
 * some kinds read it (sim/model/workload.c labels them so); *@help is
 * what follows.  Without that label every kind reads it: NULL. */
static char **md_workload_kinds(const struct md_keys *mk, const struct sim_key_def *def,
				const char **help)
{
	const char *h = def->help ? def->help : "";
	const char *colon = strstr(h, ": ");
	g_autofree char *label = colon ? g_strndup(h, (gsize)(colon - h)) : NULL;
	g_auto(GStrv) kinds = label ? g_strsplit(label, ", ", -1) : NULL;

	*help = h;
	if (!kinds || !mk->kinds)
		return NULL;
	for (char **k = kinds; *k; k++)
		if (!g_strv_contains(mk->kinds, *k))
			return NULL;
	*help = colon + 2;
	return g_steal_pointer(&kinds);
}

static void md_table_head(GString *out, gboolean with_kinds)
{
	g_string_append(out, with_kinds
			? "| key | type | default | accepts | kinds | help |\n"
			  "|---|---|---|---|---|---|\n"
			: "| key | type | default | accepts | help |\n"
			  "|---|---|---|---|---|\n");
}

static void md_row(GString *out, const struct sim_key_def *def, const char *help,
		   const char *kinds)
{
	g_string_append(out, "| ");
	md_code(out, def->name);
	g_string_append_printf(out, " | %s | ", md_type(def));
	if (def->defval)
		md_code(out, def->defval);
	g_string_append(out, " | ");
	md_accepts(out, def);
	g_string_append(out, " | ");
	if (kinds) {
		md_text(out, kinds);
		g_string_append(out, " | ");
	}
	md_text(out, help);
	g_string_append(out, " |\n");
}

/* The workload section: the keys every kind reads, then per kind the
 * keys it reads with the kinds that share each. */
static void md_workload(GString *out, const struct md_keys *mk)
{
	g_string_append(out, "### Every kind\n\n");
	md_table_head(out, FALSE);
	for (guint i = 0; i < mk->defs->len; i++) {
		const struct sim_key_def *def = mk->defs->pdata[i];
		g_autofree char *sec = md_section_of(def->name);
		const char *help;
		g_auto(GStrv) kinds = NULL;

		if (!g_str_equal(sec, "workload"))
			continue;
		kinds = md_workload_kinds(mk, def, &help);
		if (!kinds)
			md_row(out, def, help, NULL);
	}
	for (const char *const *kind = mk->kinds; kind && *kind; kind++) {
		g_string_append_printf(out, "\n### Kind `%s`\n\n", *kind);
		md_table_head(out, TRUE);
		for (guint i = 0; i < mk->defs->len; i++) {
			const struct sim_key_def *def = mk->defs->pdata[i];
			g_autofree char *sec = md_section_of(def->name);
			const char *help;
			g_auto(GStrv) kinds = NULL;
			g_autofree char *list = NULL;

			if (!g_str_equal(sec, "workload"))
				continue;
			kinds = md_workload_kinds(mk, def, &help);
			if (!kinds || !g_strv_contains((const char *const *)kinds, *kind))
				continue;
			list = g_strjoinv(", ", kinds);
			md_row(out, def, help, list);
		}
	}
}

static void print_keys_markdown(const struct sim_keys *keys)
{
	const struct sim_key_def *kind = sim_keys_lookup(keys, "workload.NAME.kind");
	struct md_keys mk = { g_ptr_array_new(), kind ? kind->choices : NULL };
	g_autoptr(GPtrArray) sections = g_ptr_array_new_with_free_func(g_free);
	GString *out = g_string_new(NULL);

	sim_keys_foreach(keys, md_collect, &mk);
	for (guint i = 0; i < mk.defs->len; i++) {
		g_autofree char *sec = md_section_of(((const struct sim_key_def *)mk.defs->pdata[i])->name);

		if (!g_ptr_array_find_with_equal_func(sections, sec, g_str_equal, NULL))
			g_ptr_array_add(sections, g_steal_pointer(&sec));
	}

	g_string_append(out,
		"<!-- Generated by `faultsim list keys --markdown`: do not edit.\n"
		"     Regenerate: faultsim list keys --markdown > docs/keys.md\n"
		"     (tests/docs.tap fails when this file differs from the command's output.) -->\n"
		"# Scenario keys\n\n"
		"Every key a scenario file may set, from the key registry the scenario is\n"
		"checked against (`faultsim list keys` prints the same as plain text). A\n"
		"key that is not set takes its default. Values are checked before anything\n"
		"runs: a bad key or value names the file, the line and what is accepted.\n\n"
		"Types: a *time* is a number with a unit (`ns`, `us`, `ms`, `s`; kept in\n"
		"ns); a *size* has one too (`B`, `KiB`, `MiB`, `GiB`, `TiB`, or `kB`, `MB`,\n"
		"`GB`, `TB`; kept in bytes); a *distribution* is written `const(1us)`,\n"
		"`exp(5us)`, `lognormal(80us,0.3)`, `uniform(1us,3us)`, `normal(10us,2us)`,\n"
		"`zipf(1.1)` or `zipf(1.1,1000)`, and a bare value means a constant; a\n"
		"*bool* is `true`/`false`, `yes`/`no`, `on`/`off` or `1`/`0`. Bounds are\n"
		"inclusive. Any value may be a parameter study (`${x=1,2,4}`, see\n"
		"[the README](../README.md) and [the design](design.md)).\n\n"
		"Sections:");
	for (guint i = 0; i < sections->len; i++)
		g_string_append_printf(out, "%s [%s](#%s)", i ? "," : "",
				       (char *)sections->pdata[i], (char *)sections->pdata[i]);
	g_string_append(out, ".\n");

	for (guint s = 0; s < sections->len; s++) {
		const char *sec = sections->pdata[s];

		g_string_append_printf(out, "\n## %s\n\n", sec);
		for (guint i = 0; i < G_N_ELEMENTS(md_sections); i++)
			if (g_str_equal(md_sections[i].section, sec))
				g_string_append_printf(out, "%s\n\n", md_sections[i].what);
		if (g_str_equal(sec, "workload")) {
			md_workload(out, &mk);
			continue;
		}
		md_table_head(out, FALSE);
		for (guint i = 0; i < mk.defs->len; i++) {
			const struct sim_key_def *def = mk.defs->pdata[i];
			g_autofree char *dsec = md_section_of(def->name);

			if (g_str_equal(dsec, sec))
				md_row(out, def, def->help ? def->help : "", NULL);
		}
	}
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	g_ptr_array_unref(mk.defs);
}

static int list_keys(char **plugins, gboolean markdown)
{
	struct sim_policies *reg = list_policy_registry(plugins, NULL);

	if (!reg)
		return EXIT_USAGE;
	g_autoptr(sim_keys) keys = cli_keys_new_with(reg);

	if (markdown)
		print_keys_markdown(keys);
	else
		sim_keys_foreach(keys, print_key, NULL);
	return 0;
}

static int list_policies(char **plugins)
{
	g_autoptr(sim_policies) reg = list_policy_registry(plugins, NULL);

	if (!reg)
		return EXIT_USAGE;
	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++) {
		const struct sim_policy_slot_info *s = sim_policy_slot((enum sim_policy_slot)i);

		printf("%s (%s): %s\n", s->name, s->key, s->help);
		for (guint v = 0; v < sim_policies_count(reg, (enum sim_policy_slot)i); v++) {
			const struct sim_policy *p = sim_policies_get(reg, (enum sim_policy_slot)i, v);

			printf("  %-14s %s\n", p->name, p->summary);
			if (*p->thread)
				printf("  %-14s   from: %s\n", "", p->thread);
			if (strcmp(p->origin, "built-in") != 0)
				printf("  %-14s   plugin: %s\n", "", p->origin);
		}
	}
	return 0;
}

static int list_presets(void)
{
	const struct sim_preset *p;

	for (unsigned int i = 0; (p = sim_preset_get(i)); i++) {
		printf("%-12s %s\n", p->name, p->summary);
		printf("%-12s", "");
		for (unsigned int s = 0; s < SIM_NR_POLICY_SLOTS; s++)
			printf(" %s=%s", sim_policy_slot((enum sim_policy_slot)s)->name, p->values[s]);
		printf("\n");
	}
	return 0;
}

/* Where scenario files live: $FAULTSIM_SCENARIOS, ./scenarios, or the
 * installed data directory. */
const char *cli_scenario_dir(void)
{
	const char *env = g_getenv("FAULTSIM_SCENARIOS");

	if (env && *env)
		return env;
	if (g_file_test("scenarios/default.ini", G_FILE_TEST_EXISTS))
		return "scenarios";
	return FAULTSIM_SCENARIO_DIR;
}

/* g_ptr_array_sort() passes pointers to the elements. */
static int compare_paths(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static int list_scenarios(void)
{
	const char *dir = cli_scenario_dir();
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!d) {
		fprintf(stderr, "faultsim list: %s\n", error->message);
		return 1;
	}
	while ((name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".ini"))
			g_ptr_array_add(files, g_build_filename(dir, name, NULL));
	g_ptr_array_sort(files, compare_paths);
	for (guint i = 0; i < files->len; i++) {
		const char *path = files->pdata[i];
		g_autoptr(GPtrArray) configs = sim_scenario_list_configs(path, &error);

		printf("%s\n", path);
		if (!configs) {
			printf("  (unreadable: %s)\n", error->message);
			g_clear_error(&error);
			continue;
		}
		for (guint c = 0; c < configs->len; c++) {
			const struct sim_scenario_config *sc = configs->pdata[c];

			printf("  %-24s %s\n", sc->name, sc->description ? sc->description : "");
		}
	}
	return 0;
}

/* The measurements of a run, one row each: module, name, kind, unit,
 * description (as the registry declares them). */
struct metric_list {
	const struct sim_stats *st;
	GPtrArray *cells;		/* 5 strings per row */
};

static void metric_row(struct metric_list *ml, enum sim_stat_kind kind, const char *module,
		       const char *name)
{
	static const char *const kinds[] = {
		[SIM_STAT_COUNTER] = "counter", [SIM_STAT_HIST] = "histogram",
		[SIM_STAT_SCALAR] = "scalar", [SIM_STAT_VECTOR] = "vector",
	};
	const char *desc = NULL;
	const char *unit = sim_stats_unit(ml->st, kind, module, name, &desc);

	g_ptr_array_add(ml->cells, g_strdup(module));
	g_ptr_array_add(ml->cells, g_strdup(name));
	g_ptr_array_add(ml->cells, g_strdup(kinds[kind]));
	g_ptr_array_add(ml->cells, g_strdup(unit ? unit : "-"));
	g_ptr_array_add(ml->cells, g_strdup(desc ? desc : "-"));
}

static void metric_counter(const char *module, const char *name, uint64_t v, void *data)
{
	metric_row(data, SIM_STAT_COUNTER, module, name);
}

static void metric_scalar(const char *module, const char *name, double v, void *data)
{
	metric_row(data, SIM_STAT_SCALAR, module, name);
}

static void metric_hist(const char *module, const char *name, const struct sim_hist *h,
			void *data)
{
	metric_row(data, SIM_STAT_HIST, module, name);
}

static void metric_vector(const char *module, const char *name, const struct sim_vector *v,
			  void *data)
{
	metric_row(data, SIM_STAT_VECTOR, module, name);
}

/* The rows of @ml as an aligned table, the last column unpadded. */
static void metric_print(const struct metric_list *ml)
{
	enum { NR = 5 };
	size_t width[NR] = { 0 };

	for (guint i = 0; i < ml->cells->len; i++)
		width[i % NR] = MAX(width[i % NR], strlen(ml->cells->pdata[i]));
	for (guint i = 0; i < ml->cells->len; i++) {
		const char *s = ml->cells->pdata[i];

		if (i % NR == NR - 1)
			printf("%s\n", s);
		else
			printf("%-*s  ", (int)width[i % NR], s);
	}
}

static int list_metrics(const char *scenario, char **plugins)
{
	g_autofree char *path = scenario ? g_strdup(scenario)
					 : g_build_filename(cli_scenario_dir(), "default.ini", NULL);
	struct sim_policies *reg = list_policy_registry(plugins, path);

	if (!reg)
		return EXIT_USAGE;
	g_autoptr(sim_keys) keys = cli_keys_new_with(reg);
	g_autoptr(GError) error = NULL;
	/* With every vector, to list them too. */
	char *set[] = { (char *)"sim-time-limit=20ms", (char *)"repeat=1",
			(char *)"record.interval=1ms", (char *)"record.vectors=all", NULL };
	g_autoptr(sim_study) study = sim_study_new(path, NULL, set, keys, &error);

	if (!study) {
		fprintf(stderr, "faultsim list: %s\n", error->message);
		return EXIT_USAGE;
	}
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	g_autoptr(sim_engine) eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);
	struct metric_list ml = { sim_engine_stats(eng), g_ptr_array_new_with_free_func(g_free) };

	if (!m) {
		fprintf(stderr, "faultsim list: %s\n", error->message);
		return EXIT_USAGE;
	}
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	sim_model_finish(m);
	sim_model_free(m);
	printf("Measurements of a run of %s, as recorded in the results database:\n"
	       "a counter or scalar is a scalar row, a histogram NAME a statistic row with\n"
	       "its bins and the scalars NAME:count (samples) and NAME:mean, :stddev, :min,\n"
	       ":p50, :p90, :p99, :p999, :max (in its unit), a vector (recorded when\n"
	       "record.interval is set) a vector row and its vectorData.  Units and\n"
	       "descriptions are the scalarAttr/statisticAttr/vectorAttr 'unit' and\n"
	       "'description'.\n\n", path);
	for (const char *h = "module\0name\0kind\0unit\0description\0"; *h; h += strlen(h) + 1)
		g_ptr_array_insert(ml.cells, -1, g_strdup(h));
	sim_stats_foreach_counter(sim_engine_stats(eng), metric_counter, &ml);
	sim_stats_foreach_scalar(sim_engine_stats(eng), metric_scalar, &ml);
	sim_stats_foreach_hist(sim_engine_stats(eng), metric_hist, &ml);
	sim_stats_foreach_vector(sim_engine_stats(eng), metric_vector, &ml);
	metric_print(&ml);
	g_ptr_array_unref(ml.cells);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const char *const what[] = { "policies", "presets", "keys", "scenarios", "metrics" };
	g_auto(GStrv) plugins = NULL;
	gboolean markdown = FALSE;
	GOptionEntry entries[] = {
		{ "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugins,
		  "load a policy plugin first (repeatable)", "PATH" },
		{ "markdown", 0, 0, G_OPTION_ARG_NONE, &markdown,
		  "keys: Markdown tables, one per section (docs/keys.md)", NULL },
		{ NULL }
	};

	if (!cli_parse("list", "policies|presets|keys|scenarios|metrics [SCENARIO]",
		       "List what faultsim knows about: policy slots, kernel presets, scenario keys, "
		       "scenario files, measurements.", entries, &argc, &argv))
		return EXIT_USAGE;
	if (markdown && !(argc == 2 && g_str_equal(argv[1], "keys"))) {
		fprintf(stderr, "faultsim list: --markdown lists keys only: faultsim list keys --markdown\n");
		return EXIT_USAGE;
	}
	if (argc == 2 && g_str_equal(argv[1], "policies"))
		return list_policies(plugins);
	if (argc == 2 && g_str_equal(argv[1], "presets"))
		return list_presets();
	if (argc >= 2 && g_str_equal(argv[1], "keys") && argc == 2)
		return list_keys(plugins, markdown);
	if (argc >= 2 && g_str_equal(argv[1], "scenarios") && argc == 2)
		return list_scenarios();
	if (argc >= 2 && g_str_equal(argv[1], "metrics") && argc <= 3)
		return list_metrics(argc == 3 ? argv[2] : NULL, plugins);
	fprintf(stderr, "faultsim list: say what to list; accepted:");
	for (guint i = 0; i < G_N_ELEMENTS(what); i++)
		fprintf(stderr, " %s", what[i]);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}
