/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What protects a run from input that would exhaust the process, at the
 * level of the library (tests/hostile.tap does it end to end):
 *
 *   the preflight's count of a run's tasks (sim_model_needs()) against
 *   the tasks a built run really has, for every config of every shipped
 *   scenario and for a fault group with every kind of thread;
 *   its verdict against a given room (sim_model_fit());
 *   open-loop loads that outrun their service: the run stops at the
 *   backlog limit with a message (sim_model_error()), early, and a run
 *   that stays below the limit is not touched;
 *   additive ranges counted exactly, and constraints at the nesting
 *   limit.
 */
#include <string.h>

#include "sim/config/expr.h"
#include "sim/core/task.h"
#include "tests/rig.h"

static struct sim_study *study_of(const char *path, const char *config, char **set,
				  const struct sim_keys *keys)
{
	g_autoptr(GError) error = NULL;
	struct sim_study *study = sim_study_new(path, config, set, keys, &error);

	g_assert_no_error(error);
	return study;
}

/* Tasks of run @r once built (nothing run). */
static size_t built_tasks(const struct sim_run_config *cfg)
{
	g_autoptr(GError) error = NULL;
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);
	size_t n;

	g_assert_no_error(error);
	n = sim_engine_nr_tasks(eng);
	sim_model_free(m);
	sim_engine_free(eng);
	return n;
}

/* The CPU load's part of the needs: its backlog limit, if it has one. */
static uint64_t cpu_load_reserve(const struct sim_run_config *cfg)
{
	if (!sim_config_is_set(cfg, "load.cpu.interarrival") &&
	    sim_config_get_double(cfg, "load.cpu.utilization") == 0)
		return 0;
	return sim_config_get_uint(cfg, "load.cpu.max_backlog");
}

/* Needs count every task a built run has, and at most kswapd and the
 * flusher more. */
static void check_needs(const struct sim_run_config *cfg)
{
	struct sim_model_needs needs;
	size_t built = built_tasks(cfg);
	uint64_t counted;

	sim_model_needs(cfg, &needs);
	counted = needs.tasks - cpu_load_reserve(cfg);
	g_test_message("%s run %u: %zu tasks built, %" G_GUINT64_FORMAT " counted",
		       cfg->config_name, cfg->runnumber, built, counted);
	g_assert_cmpuint(counted, >=, built);
	g_assert_cmpuint(counted - built, <=, 2);
	g_assert_cmpuint(needs.bytes, >=, needs.tasks * SIM_MODEL_TASK_BYTES);
}

static void test_needs_shipped(void)
{
	static const char *const names[] = {
		"default.ini", "page-lock.ini", "exp1-drop-mmap-sem.ini", "exp2-retry.ini",
		"exp3-khugepaged.ini", "exp4-fault-around.ini", "exp5-prefault.ini",
		"exp-per-vma.ini", "writeseek.ini", "wfault.ini", "validate-disk.ini",
		"validate-cpus.ini",
	};
	g_autoptr(sim_keys) keys = rig_all_keys();

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *path = rig_scenario_path(names[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) configs = sim_scenario_list_configs(path, &error);

		g_assert_no_error(error);
		for (guint c = 0; c < configs->len; c++) {
			const struct sim_scenario_config *sc = configs->pdata[c];
			g_autoptr(sim_study) study = study_of(path, sc->name, NULL, keys);
			guint last = sim_study_nr_runs(study) - 1;

			check_needs(sim_study_run(study, 0));
			check_needs(sim_study_run(study, last));
		}
	}
}

/* A fault group with threads, mmap writers, /proc readers, lockers and
 * khugepaged: 3 x (5 + 2 + 1 + 1) + 4, kswapd and the flusher. */
static void test_needs_fault_group(void)
{
	char *set[] = {
		"workload.f.kind=fault", "workload.f.processes=3", "workload.f.threads=5",
		"workload.f.mmap_writers=2", "workload.f.proc_readers=1",
		"workload.f.lockers=4", "workload.f.mapping=file", "workload.f.khugepaged=true",
		"workload.l.threads=7", NULL,
	};
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autoptr(sim_study) study = study_of(NULL, NULL, set, keys);
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	struct sim_model_needs needs;

	sim_model_needs(cfg, &needs);
	g_assert_cmpuint(needs.tasks, ==, 3 * (5 + 2 + 1 + 1) + 4 + 7 + 2);
	check_needs(cfg);
}

/* A room of so many tasks and bytes holds how many runs. */
static void test_fit(void)
{
	const struct sim_model_needs needs = { .tasks = 1000, .bytes = 100 << 20 };
	struct sim_model_room room = { .tasks = 30000, .bytes = UINT64_MAX,
				       .max_map_count = 65530, .maps_in_use = 100 };
	g_autoptr(GError) error = NULL;

	g_assert_cmpuint(sim_model_fit(&needs, &room), ==, 30);
	room.bytes = 250 << 20;
	g_assert_cmpuint(sim_model_fit(&needs, &room), ==, 2);
	room.tasks = 999;
	g_assert_cmpuint(sim_model_fit(&needs, &room), ==, 0);
	sim_model_room_error(&needs, &room, &error);
	g_assert_cmpstr(error->message, ==,
			"needs 1000 tasks (each a stack and its guard page: 2000 memory maps), "
			"more than this process can map: room for 999 (vm.max_map_count = 65530, "
			"100 maps in use, a margin kept); use fewer threads or raise "
			"vm.max_map_count");
	g_clear_error(&error);
	room.tasks = 5000;
	room.bytes = 50 << 20;
	sim_model_room_error(&needs, &room, &error);
	g_assert_cmpstr(error->message, ==,
			"needs about 100 MiB (1000 tasks, queued disk requests), more than the "
			"50 MiB of memory available");

	/* This machine: some room, and the maps in use counted. */
	sim_model_room(&room);
	g_assert_cmpuint(room.tasks, >, 0);
	g_assert_cmpuint(room.bytes, >, 0);
	if (room.max_map_count)
		g_assert_cmpuint(room.maps_in_use, >, 0);
}

/* Run @set to its time limit; returns the engine, the error in *@why. */
static struct sim_engine *run_set(char **set, char **why)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autoptr(sim_study) study = study_of(NULL, NULL, set, keys);
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	g_autoptr(GError) error = NULL;
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);

	g_assert_no_error(error);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	*why = g_strdup(sim_model_error(m));
	sim_model_finish(m);
	sim_model_free(m);
	return eng;
}

static void test_disk_backlog(void)
{
	char *set[] = { "load.disk.interarrival=const(1ns)", "sim-time-limit=10s",
			"load.disk.max_backlog=5000", NULL };
	g_autofree char *why = NULL;
	g_autoptr(sim_engine) eng = run_set(set, &why);

	/* 5000 arrivals 1 ns apart, then the one that finds them all. */
	g_assert_cmpstr(why, ==, "open-loop disk load on 'disk': backlog exceeded 5000 "
			"requests at 0.005 ms of simulated time (arrival rate above service "
			"rate?)");
	g_assert_cmpint(sim_now(eng), <, 10 * NSEC_PER_USEC);
}

static void test_cpu_backlog(void)
{
	char *set[] = { "load.cpu.interarrival=const(1ns)", "load.cpu.service=const(1s)",
			"sim-time-limit=10s", "load.cpu.max_backlog=100", NULL };
	g_autofree char *why = NULL;
	g_autoptr(sim_engine) eng = run_set(set, &why);

	g_assert_cmpstr(why, ==, "open-loop CPU load: backlog exceeded 100 jobs at 0.000 ms "
			"of simulated time (arrival rate above service rate?)");
	g_assert_cmpuint(*sim_stats_counter(sim_engine_stats(eng), "cpu_load", "arrivals"),
			 ==, 100);
}

/* A load the service keeps up with never meets the limit. */
static void test_backlog_untouched(void)
{
	char *set[] = { "load.disk.utilization=0.5", "load.cpu.utilization=0.5",
			"sim-time-limit=200ms", NULL };
	g_autofree char *why = NULL;
	g_autoptr(sim_engine) eng = run_set(set, &why);

	g_assert_null(why);
	g_assert_cmpint(sim_now(eng), ==, 200 * NSEC_PER_MSEC);
}

/* The values of "${x=RANGE}" as -q itervars would list them. */
static char *range_values(const char *range)
{
	g_autofree char *set0 = g_strdup_printf("sim.label=${x=%s}", range);
	char *set[] = { set0, NULL };
	g_autoptr(sim_keys) keys = sim_keys_new();
	static const struct sim_key_def label = {
		.name = "sim.label", .type = SIM_KEY_STRING, .help = "free text",
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = NULL;
	GString *s = g_string_new(NULL);

	sim_keys_add(keys, &label, 1);
	study = sim_study_new(NULL, NULL, set, keys, &error);
	if (!study) {
		g_string_free(s, TRUE);
		return g_strdup(error->message);
	}
	for (guint i = 0; i < sim_study_nr_runs(study); i++)
		g_string_append_printf(s, "%s%s", i ? " " : "",
				       sim_study_run(study, i)->itervars[0].value);
	return g_string_free(s, FALSE);
}

static void test_ranges(void)
{
	static const char *const cases[][2] = {
		{ "1e17..1e17", "1e+17" },
		{ "0.1..0.3 step 0.1", "0.1 0.2 0.3" },
		{ "0..1 step 0.25", "0 0.25 0.5 0.75 1" },
		{ "1..64 step 2", NULL },
		{ "10us..1000us x10", "10us 100us 1000us" },
		{ "-3..3 step 3", "-3 0 3" },
		{ "1..100000", NULL },
		{ "1..100001", "--set:1: key 'sim.label': bad range '1..100001': more than "
		  "100000 values" },
		{ "-1e308..1e308", "--set:1: key 'sim.label': bad range '-1e308..1e308': more "
		  "than 100000 values" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = range_values(cases[i][0]);

		g_test_message("%s: %.200s", cases[i][0], got);
		if (cases[i][1])
			g_assert_cmpstr(got, ==, cases[i][1]);
		else
			g_assert_null(strstr(got, "bad range"));
	}
}

static const char *no_vars(const char *name, void *data)
{
	return NULL;
}

/* SIM_EXPR_MAX_DEPTH levels parse and evaluate; one more does not. */
static void test_expr_depth(void)
{
	for (guint depth = SIM_EXPR_MAX_DEPTH; depth <= SIM_EXPR_MAX_DEPTH + 1; depth++) {
		/* Half prefix operators, half parentheses: -(-(...(1)...)) */
		guint minus = depth / 2, parens = depth - minus;
		g_autoptr(GString) s = g_string_new(NULL);
		g_autoptr(GError) error = NULL;
		struct sim_expr *e;
		gboolean t = FALSE;

		for (guint i = 0; i < minus; i++)
			g_string_append_c(s, '-');
		for (guint i = 0; i < parens; i++)
			g_string_append_c(s, '(');
		g_string_append_c(s, '1');
		for (guint i = 0; i < parens; i++)
			g_string_append_c(s, ')');
		e = sim_expr_parse(s->str, &error);
		if (depth > SIM_EXPR_MAX_DEPTH) {
			g_assert_null(e);
			g_assert_nonnull(strstr(error->message, ": at column 257: nested more "
						"than 256 deep"));
			continue;
		}
		g_assert_no_error(error);
		g_assert_true(sim_expr_eval(e, no_vars, NULL, &t, &error));
		g_assert_true(t);
		sim_expr_free(e);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hostile/needs/shipped-scenarios", test_needs_shipped);
	g_test_add_func("/hostile/needs/fault-group", test_needs_fault_group);
	g_test_add_func("/hostile/fit", test_fit);
	g_test_add_func("/hostile/backlog/disk", test_disk_backlog);
	g_test_add_func("/hostile/backlog/cpu", test_cpu_backlog);
	g_test_add_func("/hostile/backlog/untouched", test_backlog_untouched);
	g_test_add_func("/hostile/ranges", test_ranges);
	g_test_add_func("/hostile/expr-depth", test_expr_depth);
	return g_test_run();
}
