/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzing harness: a scenario file, as `faultsim run FILE` reads it,
 * through the study and the model's preflight to building each run's
 * machine (nothing is run).
 *
 * The input is the file.  Comment lines at its start may say, as in
 * tests/scenarios/bad/:
 *
 *	# config: NAME		expand this config (else General and up to
 *				three [Config] sections of the file)
 *	# set: KEY=VALUE	an override, as --set (repeatable)
 *	# runs: SPEC		the runs to build, as -r (else the first and
 *				the last)
 *
 * Per study, runs are built the way `faultsim run` checks them before
 * running: sim_model_needs() first, and only a run that fits a small
 * budget (FUZZ_MAX_TASKS tasks, FUZZ_MAX_BYTES) is built, so that a run
 * the preflight would refuse does not spend the fuzzer's memory.  Plugins
 * named by the file are listed (sim_scenario_plugins()), never loaded.
 *
 * The input is read from a memfd through /proc/self/fd/N, so an
 * "include = FILE" in it names a file relative to /proc/self/fd (another
 * of the fuzzer's descriptors, its standard input) or anywhere else: the
 * reader opens it without blocking and refuses what is not a regular file
 * (a FIFO, a terminal, a device would wait or never end), reads at most
 * 16 MiB of it, and refuses a file that includes itself (the memfd
 * included by its own number is a cycle: files are compared by inode).
 *
 * Any outcome but an error or a success is a finding: a crash, an abort
 * (a failed assertion), a GLib warning or critical (made fatal here), a
 * leak (LeakSanitizer) or memory beyond libFuzzer's -rss_limit_mb.
 */
#define _GNU_SOURCE		/* memfd_create() */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/config/keys.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/model/model.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_MAX_TASKS		4096
#define FUZZ_MAX_BYTES		(256ull << 20)
#define FUZZ_MAX_CONFIGS	4

const char fuzz_harness_name[] = "scenario";

/* The key registry and the file the input is written to, made once. */
struct harness {
	struct sim_keys *keys;
	int fd;
	char *path;
};

static struct harness *harness(void)
{
	static struct harness *h;

	if (h)
		return h;
	h = g_new0(struct harness, 1);
	fuzz_fatal_logs();
	h->keys = sim_keys_new();
	sim_model_register_keys(h->keys);
	h->fd = memfd_create("fuzz-scenario.ini", 0);
	g_assert(h->fd >= 0);
	h->path = g_strdup_printf("/proc/self/fd/%d", h->fd);
	return h;
}

static void put_input(struct harness *h, const uint8_t *data, size_t size)
{
	size_t done = 0;

	g_assert(ftruncate(h->fd, 0) == 0);
	while (done < size) {
		ssize_t n = pwrite(h->fd, data + done, size - done, (off_t)done);

		g_assert(n > 0);
		done += (size_t)n;
	}
}

/* Build run @r of @study as the preflight of `faultsim run` would. */
static void build_run(const struct sim_study *study, guint r)
{
	const struct sim_run_config *cfg = sim_study_run(study, r);
	struct sim_model_room room = { .tasks = FUZZ_MAX_TASKS, .bytes = FUZZ_MAX_BYTES };
	struct sim_model_needs needs;
	g_autoptr(GError) error = NULL;
	struct sim_engine *eng;
	struct sim_model *m;

	sim_run_config_hash(cfg);
	sim_model_needs(cfg, &needs);
	if (!sim_model_fit(&needs, &room)) {
		sim_model_room_error(&needs, &room, &error);
		g_assert(error != NULL);
		return;
	}
	eng = sim_engine_new(cfg->seed);
	m = sim_model_build(eng, cfg, &error);
	g_assert((m == NULL) == (error != NULL));
	sim_model_free(m);
	sim_engine_free(eng);
}

static void expand(struct harness *h, const char *config, char **set, const char *runs_spec)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = sim_study_new(h->path, config, set, h->keys, &error);
	GArray *runs;
	guint n;

	if (!study) {
		g_assert(error != NULL && error->domain == SIM_ERROR);
		return;
	}
	n = sim_study_nr_runs(study);
	g_assert(n >= 1);
	if (runs_spec) {
		runs = sim_study_parse_runs(runs_spec, n, &error);
		if (!runs)
			return;
		for (guint i = 0; i < runs->len && i < 4; i++)
			build_run(study, g_array_index(runs, guint, i));
		g_array_unref(runs);
		return;
	}
	build_run(study, 0);
	if (n > 1)
		build_run(study, n - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct harness *h = harness();
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autoptr(GPtrArray) set = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *config = NULL, *runs = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) configs = NULL;
	g_auto(GStrv) plugins = NULL;

	/* The directives: comment lines at the start. */
	for (const char *l = text; *l == '#';) {
		const char *end = l + strcspn(l, "\n");
		g_autofree char *line = g_strndup(l, (gsize)(end - l));

		if (g_str_has_prefix(line, "# config: ") && !config)
			config = g_strdup(line + strlen("# config: "));
		else if (g_str_has_prefix(line, "# set: ") && set->len < 16)
			g_ptr_array_add(set, g_strdup(line + strlen("# set: ")));
		else if (g_str_has_prefix(line, "# runs: ") && !runs)
			runs = g_strdup(line + strlen("# runs: "));
		l = *end ? end + 1 : end;
	}
	g_ptr_array_add(set, NULL);
	put_input(h, data, size);

	plugins = sim_scenario_plugins(h->path, (char **)set->pdata, &error);
	g_assert((plugins == NULL) == (error != NULL));
	g_clear_error(&error);

	if (config) {
		expand(h, config, (char **)set->pdata, runs);
		return 0;
	}
	configs = sim_scenario_list_configs(h->path, &error);
	if (!configs) {
		g_assert(error != NULL);
		/* The same error through the study. */
		expand(h, NULL, (char **)set->pdata, runs);
		return 0;
	}
	for (guint i = 0; i < configs->len && i < FUZZ_MAX_CONFIGS; i++) {
		const struct sim_scenario_config *c = configs->pdata[i];

		expand(h, c->name, (char **)set->pdata, runs);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Inputs too big for the tree (the replay makes them) */

int fuzz_generated_input(unsigned int i, char **name, char **input, size_t *size)
{
	GString *s;

	switch (i) {
	case 0:
		/* The joined line was checked for UTF-8 again at each piece:
		 * 30 s. */
		*name = g_strdup("continued-lines-200k");
		s = g_string_new("[General]\ndescription = x");
		for (guint k = 0; k < 200000; k++)
			g_string_append(s, " \\\n x");
		g_string_append(s, "\nworkload.a.threads = 1\n");
		*input = g_string_free(s, FALSE);
		break;
	case 1:
		/* A section was looked up linearly per header: 31 s. */
		*name = g_strdup("configs-100k");
		s = g_string_new("[General]\nworkload.a.threads = 1\n");
		for (guint k = 0; k < 100000; k++)
			g_string_append_printf(s, "[Config C%u]\n", k);
		*input = g_string_free(s, FALSE);
		break;
	case 2:
		*name = g_strdup("extends-chain-100k");
		s = g_string_new("# config: C99999\n[General]\nworkload.a.threads = 1\n"
				 "[Config C0]\n");
		for (guint k = 1; k < 100000; k++)
			g_string_append_printf(s, "[Config C%u]\nextends = C%u\n", k, k - 1);
		*input = g_string_free(s, FALSE);
		break;
	case 3:
		*name = g_strdup("extends-cycle-100k");
		s = g_string_new("[General]\n");
		for (guint k = 0; k < 100000; k++)
			g_string_append_printf(s, "[Config C%u]\nextends = C%u\n", k,
					       (k + 1) % 100000);
		*input = g_string_free(s, FALSE);
		break;
	case 4:
		/* eval() recursed once per term: SIGSEGV. */
		*name = g_strdup("constraint-sum-100k");
		s = g_string_new("[General]\nworkload.a.threads = ${n=1,2}\nconstraint = $n");
		for (guint k = 0; k < 100000; k++)
			g_string_append(s, " + $n");
		g_string_append(s, " > 3\n");
		*input = g_string_free(s, FALSE);
		break;
	case 5:
		/* The parser recursed once per parenthesis: SIGSEGV. */
		*name = g_strdup("constraint-nest-200k");
		s = g_string_new("[General]\nworkload.a.threads = ${n=1,2}\nconstraint = ");
		for (guint k = 0; k < 200000; k++)
			g_string_append_c(s, '(');
		g_string_append(s, "$n");
		for (guint k = 0; k < 200000; k++)
			g_string_append_c(s, ')');
		g_string_append(s, " == 1\n");
		*input = g_string_free(s, FALSE);
		break;
	case 6:
		/* 20000 variables, 2^20000 combinations: refused as too many
		 * runs, after the variables are defined. */
		*name = g_strdup("iteration-variables-20k");
		s = g_string_new("[General]\n");
		for (guint k = 0; k < 20000; k++)
			g_string_append_printf(s, "workload.g%u.ops = ${v%u=1,2}\n", k, k);
		g_string_append(s, "constraint = $v0 == 1 && $v19999 == 2\n");
		*input = g_string_free(s, FALSE);
		break;
	case 7:
		/* 20000 groups of one value each: one run of 20000 tasks,
		 * beyond the harness's budget (the preflight's error). */
		*name = g_strdup("groups-20k");
		s = g_string_new("[General]\n");
		for (guint k = 0; k < 20000; k++)
			g_string_append_printf(s, "workload.g%u.ops = ${v%u=1}\n", k, k);
		*input = g_string_free(s, FALSE);
		break;
	case 8:
		/* A million runs: the study is made (300 MB, seconds), the
		 * runs are not built here.  Too slow a seed for the fuzzer. */
		*name = g_strdup("study-1m-runs");
		*input = g_strdup("# runs: 0,999999\n[General]\nworkload.a.threads = 1\n"
				  "sim-time-limit = 1us\nworkload.a.ops = ${n=1..10}\n"
				  "repeat = 100000\n");
		break;
	case 9:
		*name = g_strdup("line-1MiB");
		s = g_string_new("[General]\nworkload.a.threads = 1\ndescription = ");
		for (guint k = 0; k < (1u << 20); k++)
			g_string_append_c(s, 'x');
		g_string_append(s, "\n");
		*input = g_string_free(s, FALSE);
		break;
	default:
		return FALSE;
	}
	*size = strlen(*input);
	return TRUE;
}
