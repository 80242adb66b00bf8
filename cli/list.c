/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim list: what the simulator knows about, from the code itself.
 *
 *   policies    every policy slot and its values (with --plugin PATH: the
 *               plugin's too), with the thread each models
 *   presets     the kernel presets and the policy set each stands for
 *   keys        every key a scenario may set, with its type, default and help
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

static int list_keys(char **plugins)
{
	struct sim_policies *reg = list_policy_registry(plugins, NULL);

	if (!reg)
		return EXIT_USAGE;
	g_autoptr(sim_keys) keys = cli_keys_new_with(reg);

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

struct metric_list {
	GString *out;
};

static void metric_counter(const char *module, const char *name, uint64_t v, void *data)
{
	g_string_append_printf(((struct metric_list *)data)->out, "%-12s %-36s counter\n",
				module, name);
}

static void metric_scalar(const char *module, const char *name, double v, void *data)
{
	g_string_append_printf(((struct metric_list *)data)->out, "%-12s %-36s scalar\n",
			       module, name);
}

static void metric_hist(const char *module, const char *name, const struct sim_hist *h,
			void *data)
{
	g_string_append_printf(((struct metric_list *)data)->out,
			       "%-12s %-36s statistic (histogram); scalars %s:count :mean :stddev "
			       ":min :p50 :p90 :p99 :p999 :max\n", module, name, name);
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
	char *set[] = { (char *)"sim-time-limit=20ms", (char *)"repeat=1", NULL };
	g_autoptr(sim_study) study = sim_study_new(path, NULL, set, keys, &error);

	if (!study) {
		fprintf(stderr, "faultsim list: %s\n", error->message);
		return EXIT_USAGE;
	}
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	g_autoptr(sim_engine) eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);
	struct metric_list ml = { g_string_new(NULL) };

	if (!m) {
		fprintf(stderr, "faultsim list: %s\n", error->message);
		return EXIT_USAGE;
	}
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	sim_model_finish(m);
	sim_model_free(m);
	printf("Measurements of a run of %s (module, name, kind), as recorded in the\n"
	       "scalar and statistic tables of the results database:\n", path);
	sim_stats_foreach_counter(sim_engine_stats(eng), metric_counter, &ml);
	sim_stats_foreach_scalar(sim_engine_stats(eng), metric_scalar, &ml);
	sim_stats_foreach_hist(sim_engine_stats(eng), metric_hist, &ml);
	fputs(ml.out->str, stdout);
	g_string_free(ml.out, TRUE);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const char *const what[] = { "policies", "presets", "keys", "scenarios", "metrics" };
	g_auto(GStrv) plugins = NULL;
	GOptionEntry entries[] = {
		{ "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugins,
		  "load a policy plugin first (repeatable)", "PATH" },
		{ NULL }
	};

	if (!cli_parse("list", "policies|presets|keys|scenarios|metrics [SCENARIO]",
		       "List what faultsim knows about: policy slots, kernel presets, scenario keys, "
		       "scenario files, measurements.", entries, &argc, &argv))
		return EXIT_USAGE;
	if (argc == 2 && g_str_equal(argv[1], "policies"))
		return list_policies(plugins);
	if (argc == 2 && g_str_equal(argv[1], "presets"))
		return list_presets();
	if (argc >= 2 && g_str_equal(argv[1], "keys") && argc == 2)
		return list_keys(plugins);
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
