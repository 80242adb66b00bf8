/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim slurm: a study as a Slurm job array.
 *
 * The study is expanded exactly as `faultsim run` expands it (same keys,
 * plugins, --set and -r), every selected run's machine is built once so
 * that settings that clash are reported here rather than on the cluster,
 * and the runs not yet in the results folder are cut into batches, one per
 * array task.  The folder RESULTS then holds:
 *
 *   batches        one line per array task: "ID RUNS", RUNS in -r syntax
 *   array.sbatch   the job array: task ID runs `faultsim run -r RUNS` of
 *                  its line into task-ID.db (it reads the file, so the
 *                  script stays small however many tasks there are)
 *   merge.sbatch   the merge job: `faultsim merge merged.db task-*.db`,
 *                  submitted with --dependency=afterok:ARRAY, so it runs
 *                  only once every task succeeded (and is cancelled, not
 *                  left pending, if one failed)
 *   jobs           the job ids of the last --submit
 *   logs/          the jobs' output
 *
 * Done runs are found in the folder's task-*.db and merged.db (read-only:
 * every run a database records, whatever its status, matched by config
 * hash and run number, as `faultsim run` resumes).  So after a partial
 * failure the same command again submits only the runs still missing, into
 * task databases numbered from 0 again (a task adds its runs to a database
 * already there); when no run is missing but merged.db lacks some, only
 * the merge is submitted.  Rewriting batches under tasks still waiting to
 * read it would change what they run, so while the jobs of the last
 * submission are in squeue nothing is rewritten.
 *
 * Exit status: 2 for bad input (scenario, options, --submit without
 * sbatch), nothing written; 1 when reading the folder, writing it or
 * sbatch failed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "analysis/resultdb.h"
#include "cli/cli.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"

/* Slurm's default MaxArraySize is 1001: task ids 0..1000. */
#define SLURM_DEFAULT_MAX_TASKS 1000

/* The present-run key of one run: its config hash and run number. */
static char *run_key(const char *hash, guint runnumber)
{
	return g_strdup_printf("%s %u", hash, runnumber);
}

/*
 * Add to @present the runs @path records (and to @merged, when non-NULL,
 * too).  Opened read-only: a file that is not a results database is an
 * error, and nothing in it changes.
 */
static gboolean scan_db(const char *path, GHashTable *present, GHashTable *merged,
			GError **error)
{
	g_autoptr(fs_resultdb) db = fs_resultdb_open_readonly(path, error);
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return FALSE;
	if (sqlite3_prepare_v2(fs_resultdb_handle(db),
			       "SELECT configHash, runnumber FROM runStatus", -1, &st,
			       NULL) != SQLITE_OK) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot read: %s", path,
			    sqlite3_errmsg(fs_resultdb_handle(db)));
		return FALSE;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(st, 0);
		guint runnumber = (guint)sqlite3_column_int64(st, 1);

		if (!hash)
			continue;
		g_hash_table_add(present, run_key(hash, runnumber));
		if (merged)
			g_hash_table_add(merged, run_key(hash, runnumber));
	}
	if (rc != SQLITE_DONE) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot read: %s", path,
			    sqlite3_errmsg(fs_resultdb_handle(db)));
		sqlite3_finalize(st);
		return FALSE;
	}
	sqlite3_finalize(st);
	return TRUE;
}

/* The runs recorded in @dir's task-*.db and merged.db (a missing @dir
 * records none). */
static gboolean scan_results(const char *dir, GHashTable *present, GHashTable *merged,
			     GError **error)
{
	g_autoptr(GDir) d = NULL;
	const char *name;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return TRUE;
	d = g_dir_open(dir, 0, error);
	if (!d)
		return FALSE;
	while ((name = g_dir_read_name(d))) {
		gboolean is_merged = g_str_equal(name, "merged.db");
		g_autofree char *path = NULL;

		if (!is_merged && !(g_str_has_prefix(name, "task-") && g_str_has_suffix(name, ".db")))
			continue;
		path = g_build_filename(dir, name, NULL);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			continue;
		if (!scan_db(path, present, is_merged ? merged : NULL, error))
			return FALSE;
	}
	return TRUE;
}

/* @runs[0..@n) (ascending) in -r syntax: "0..2,7,9..11". */
static char *runs_spec(const guint *runs, guint n)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < n;) {
		guint j = i;

		while (j + 1 < n && runs[j + 1] == runs[j] + 1)
			j++;
		if (s->len)
			g_string_append_c(s, ',');
		if (j == i)
			g_string_append_printf(s, "%u", runs[i]);
		else
			g_string_append_printf(s, "%u..%u", runs[i], runs[j]);
		i = j + 1;
	}
	return g_string_free(s, FALSE);
}

/*
 * This program's absolute path, for the job scripts.  In the build tree
 * the program runs under libtool's wrapper script (DIR/faultsim runs
 * DIR/.libs/faultsim or lt-faultsim with the uninstalled library on
 * LD_LIBRARY_PATH): the scripts must call the wrapper.
 */
static char *self_path(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = NULL, *base = NULL, *wrapper = NULL;

	if (!exe)
		return NULL;
	dir = g_path_get_dirname(exe);
	base = g_path_get_basename(exe);
	if (g_str_has_suffix(dir, "/.libs")) {
		g_autofree char *top = g_path_get_dirname(dir);
		const char *name = g_str_has_prefix(base, "lt-") ? base + 3 : base;

		wrapper = g_build_filename(top, name, NULL);
		if (g_file_test(wrapper, G_FILE_TEST_IS_EXECUTABLE))
			return g_steal_pointer(&wrapper);
	}
	return g_steal_pointer(&exe);
}

/*
 * sbatch reads "#SBATCH" lines itself, not through a shell: a value there
 * may be put in double quotes but cannot hold one, nor a newline (and in
 * an output pattern '%' is Slurm's).
 */
static gboolean sbatch_value_ok(const char *what, const char *value, const char *bad)
{
	if (!*value) {
		fprintf(stderr, "faultsim slurm: %s is empty\n", what);
		return FALSE;
	}
	for (const char *p = value; *p; p++)
		if (strchr(bad, *p) || *p == '\n') {
			fprintf(stderr, "faultsim slurm: %s '%s': a character Slurm's #SBATCH "
				"lines cannot hold ('%c')\n", what, value, *p == '\n' ? ' ' : *p);
			return FALSE;
		}
	return TRUE;
}

struct slurm_job {
	const char *faultsim;		/* absolute */
	const char *scenario;		/* absolute */
	const char *config;		/* NULL: none given */
	const char *workdir;		/* where `faultsim slurm` ran */
	const char *dir;		/* RESULTS, absolute */
	const char *name;		/* job name stem */
	const char *partition, *time;	/* NULL: the cluster's default */
	int cpus;			/* per task, and -j */
	char **sets, **plugins;
};

/* The #SBATCH lines both scripts share. */
static void common_lines(GString *s, const struct slurm_job *job)
{
	if (job->partition)
		g_string_append_printf(s, "#SBATCH --partition=%s\n", job->partition);
	if (job->time)
		g_string_append_printf(s, "#SBATCH --time=%s\n", job->time);
}

static char *array_script(const struct slurm_job *job, guint nr_runs, guint nr_tasks)
{
	GString *s = g_string_new("#!/bin/bash\n");
	g_autofree char *q_fs = g_shell_quote(job->faultsim);
	g_autofree char *q_ini = g_shell_quote(job->scenario);
	g_autofree char *q_dir = g_shell_quote(job->dir);

	g_string_append_printf(s,
		"# Written by faultsim slurm: %u runs of %s in %u array tasks.\n"
		"# Task ID runs the run numbers on the line \"ID RUNS\" of batches into\n"
		"# task-ID.db; merge.sbatch joins the task databases once all succeeded.\n",
		nr_runs, job->scenario, nr_tasks);
	g_string_append_printf(s, "#SBATCH --job-name=%s\n", job->name);
	g_string_append_printf(s, "#SBATCH --array=0-%u\n", nr_tasks - 1);
	g_string_append_printf(s, "#SBATCH --chdir=\"%s\"\n", job->workdir);
	g_string_append_printf(s, "#SBATCH --output=\"%s/logs/task-%%a-%%A.out\"\n", job->dir);
	g_string_append_printf(s, "#SBATCH --cpus-per-task=%d\n", job->cpus);
	common_lines(s, job);
	g_string_append_printf(s,
		"set -eu\n"
		"runs=$(awk -v id=\"$SLURM_ARRAY_TASK_ID\" '$1 == id { print $2 }' %s/batches)\n"
		"if [ -z \"$runs\" ]; then\n"
		"\techo \"faultsim slurm: no batch $SLURM_ARRAY_TASK_ID in \"%s/batches >&2\n"
		"\texit 1\n"
		"fi\n", q_dir, q_dir);
	g_string_append_printf(s, "exec %s run %s", q_fs, q_ini);
	if (job->config) {
		g_autofree char *q = g_shell_quote(job->config);

		g_string_append_printf(s, " -c %s", q);
	}
	g_string_append_printf(s, " -r \"$runs\" -j %d --db %s/task-\"$SLURM_ARRAY_TASK_ID\".db",
			       job->cpus, q_dir);
	for (guint i = 0; job->sets && job->sets[i]; i++) {
		g_autofree char *q = g_shell_quote(job->sets[i]);

		g_string_append_printf(s, " \\\n\t--set %s", q);
	}
	for (guint i = 0; job->plugins && job->plugins[i]; i++) {
		g_autofree char *q = g_shell_quote(job->plugins[i]);

		g_string_append_printf(s, " \\\n\t--plugin %s", q);
	}
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static char *merge_script(const struct slurm_job *job)
{
	GString *s = g_string_new("#!/bin/bash\n");
	g_autofree char *q_fs = g_shell_quote(job->faultsim);
	g_autofree char *q_dir = g_shell_quote(job->dir);

	g_string_append(s,
		"# Written by faultsim slurm: joins the task databases into merged.db.\n"
		"# Submitted with --dependency=afterok:ARRAY; cancelled if a task failed.\n");
	g_string_append_printf(s, "#SBATCH --job-name=%s-merge\n", job->name);
	g_string_append_printf(s, "#SBATCH --chdir=\"%s\"\n", job->dir);
	g_string_append_printf(s, "#SBATCH --output=\"%s/logs/merge-%%j.out\"\n", job->dir);
	g_string_append(s, "#SBATCH --kill-on-invalid-dep=yes\n");
	common_lines(s, job);
	g_string_append_printf(s, "set -eu\ncd %s\nexec %s merge merged.db task-*.db\n",
			       q_dir, q_fs);
	return g_string_free(s, FALSE);
}

/* Write @contents to @dir/@name atomically; @mode for the file. */
static gboolean write_file(const char *dir, const char *name, const char *contents,
			   int mode, GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(path, contents, -1, error))
		return FALSE;
	if (g_chmod(path, mode) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: cannot chmod: %s", path, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/*
 * Run @argv (argv[0] an absolute path), its output in *@out (may be NULL).
 * FALSE with @error holding what it printed when it fails.
 */
static gboolean run_tool(char **argv, char **out, GError **error)
{
	g_autofree char *o = NULL, *e = NULL;
	int wait_status;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e,
			  &wait_status, error))
		return FALSE;
	if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s failed (%s %d): %s", argv[0],
			    WIFEXITED(wait_status) ? "exit status" : "signal",
			    WIFEXITED(wait_status) ? WEXITSTATUS(wait_status)
						   : WTERMSIG(wait_status),
			    g_strstrip(e));
		return FALSE;
	}
	if (out)
		*out = g_steal_pointer(&o);
	return TRUE;
}

/* Submit with `sbatch --parsable EXTRA SCRIPT`; *@id gets the job id. */
static gboolean sbatch(const char *sbatch_path, const char *extra, const char *script,
		       char **id, GError **error)
{
	const char *argv[5] = { sbatch_path, "--parsable" };
	g_autofree char *out = NULL;
	int n = 2;

	if (extra)
		argv[n++] = extra;
	argv[n++] = script;
	argv[n] = NULL;
	if (!run_tool((char **)argv, &out, error))
		return FALSE;
	/* "ID" or "ID;CLUSTER" */
	g_strstrip(out);
	out[strcspn(out, ";")] = '\0';
	if (!*out || strspn(out, "0123456789") != strlen(out)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: no job id in its output '%s'",
			    sbatch_path, out);
		return FALSE;
	}
	*id = g_steal_pointer(&out);
	return TRUE;
}

/*
 * The job ids of the last submission (@dir/jobs) that squeue still lists,
 * comma-separated, or NULL: none, or no squeue to ask.
 */
static char *jobs_still_queued(const char *dir)
{
	g_autofree char *path = g_build_filename(dir, "jobs", NULL);
	g_autofree char *text = NULL, *squeue = g_find_program_in_path("squeue");
	g_autofree char *out = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	GString *queued = g_string_new(NULL);

	if (!squeue || !g_file_get_contents(path, &text, NULL, NULL))
		return g_string_free(queued, TRUE);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		const char *id = strchr(lines[i], ' ');

		if (id && id[1])
			g_ptr_array_add(ids, g_strdup(id + 1));
	}
	/* One squeue per job: squeue fails on an id slurmctld has forgotten. */
	for (guint i = 0; i < ids->len; i++) {
		g_autofree char *job = g_strdup_printf("--jobs=%s", (char *)ids->pdata[i]);
		const char *argv[] = { squeue, "--noheader", "--format=%i", job, NULL };

		g_clear_pointer(&out, g_free);
		if (run_tool((char **)argv, &out, NULL) && *g_strstrip(out))
			g_string_append_printf(queued, "%s%s", queued->len ? ", " : "",
					       (char *)ids->pdata[i]);
	}
	return g_string_free(queued, queued->len == 0);
}

int cmd_slurm(int argc, char **argv)
{
	g_autofree char *config = NULL, *runs_opt = NULL, *dir_opt = NULL;
	g_autofree char *partition = NULL, *time_limit = NULL;
	g_auto(GStrv) sets = NULL;
	g_auto(GStrv) plugins = NULL;
	int tasks = -1, per_task = -1, cpus = 1;	/* -1: not given */
	gboolean submit = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_STRING, &config,
		  "the [Config NAME] to run (default: General)", "NAME" },
		{ "runs", 'r', 0, G_OPTION_ARG_STRING, &runs_opt,
		  "runs to do: N, A..B, a comma list, or all (default)", "RUNS" },
		{ "tasks", 0, 0, G_OPTION_ARG_INT, &tasks,
		  "array tasks to cut the missing runs into (default: one run per task, at most "
		  G_STRINGIFY(SLURM_DEFAULT_MAX_TASKS) " tasks)", "N" },
		{ "runs-per-task", 0, 0, G_OPTION_ARG_INT, &per_task,
		  "runs per array task, instead of --tasks", "K" },
		{ "cpus-per-task", 0, 0, G_OPTION_ARG_INT, &cpus,
		  "CPUs per task, and the task's -j (default 1)", "N" },
		{ "partition", 0, 0, G_OPTION_ARG_STRING, &partition,
		  "Slurm partition (default: the cluster's)", "P" },
		{ "time", 0, 0, G_OPTION_ARG_STRING, &time_limit,
		  "time limit of each job, in sbatch's syntax (default: the partition's)", "T" },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_opt,
		  "results folder (default slurm-SCENARIO-CONFIG)", "RESULTS" },
		{ "submit", 0, 0, G_OPTION_ARG_NONE, &submit,
		  "submit the array and the merge job with sbatch and print their ids", NULL },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "override a key (repeatable)", "KEY=VALUE" },
		{ "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugins,
		  "load a policy plugin (repeatable)", "PATH" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;

	if (!cli_parse("slurm", "SCENARIO.ini",
		       "Write (and with --submit, submit) a Slurm job array that runs the study's "
		       "missing runs into RESULTS/task-ID.db, and a merge job into "
		       "RESULTS/merged.db that runs once every task succeeded.",
		       entries, &argc, &argv))
		return EXIT_USAGE;
	if (argc != 2) {
		fprintf(stderr, "faultsim slurm: give one scenario file (try 'faultsim slurm --help')\n");
		return EXIT_USAGE;
	}
	if ((tasks != -1 && tasks < 1) || (per_task != -1 && per_task < 1) || cpus < 1) {
		fprintf(stderr, "faultsim slurm: --%s must be at least 1\n",
			tasks != -1 && tasks < 1 ? "tasks" :
			per_task != -1 && per_task < 1 ? "runs-per-task" : "cpus-per-task");
		return EXIT_USAGE;
	}
	if (tasks != -1 && per_task != -1) {
		fprintf(stderr, "faultsim slurm: give --tasks or --runs-per-task, not both\n");
		return EXIT_USAGE;
	}
	if ((partition && !sbatch_value_ok("--partition", partition, " \t\"%")) ||
	    (time_limit && !sbatch_value_ok("--time", time_limit, " \t\"%")))
		return EXIT_USAGE;

	g_autofree char *sbatch_path = NULL;

	if (submit) {
		sbatch_path = g_find_program_in_path("sbatch");
		if (!sbatch_path) {
			fprintf(stderr, "faultsim slurm: --submit needs sbatch (Slurm's client), "
				"which is not in PATH; without --submit the scripts are written "
				"for you to submit where sbatch is\n");
			return EXIT_USAGE;
		}
	}

	/* The study, as `faultsim run` expands it. */
	g_autoptr(sim_keys) keys = NULL;
	g_autoptr(sim_study) study = cli_study_open("slurm", plugins, argv[1], config, sets, FALSE,
						    &keys);

	if (!study)
		return EXIT_USAGE;
	g_autoptr(GArray) runs = sim_study_parse_runs(runs_opt, sim_study_nr_runs(study), &error);

	if (!runs) {
		fprintf(stderr, "faultsim slurm: -r: %s\n", error->message);
		return EXIT_USAGE;
	}

	/* Paths the jobs will use, whatever their working directory. */
	g_autofree char *workdir = g_get_current_dir();
	g_autofree char *scenario = g_canonicalize_filename(argv[1], workdir);
	g_autofree char *stem = g_path_get_basename(scenario);
	const char *config_name = sim_study_run(study, 0)->config_name;

	if (g_str_has_suffix(stem, ".ini"))
		stem[strlen(stem) - 4] = '\0';

	g_autofree char *default_dir = g_strdup_printf("slurm-%s-%s", stem, config_name);
	g_autofree char *dir = g_canonicalize_filename(dir_opt ? dir_opt : default_dir, workdir);
	g_autofree char *self = self_path();
	g_autofree char *job_name = g_strdup_printf("faultsim-%s-%s", stem, config_name);

	/* squeue shows the job name: keep it one plain word. */
	g_strcanon(job_name, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "._-", '_');

	if (!self) {
		fprintf(stderr, "faultsim slurm: cannot find this program's path in /proc/self/exe\n");
		return 1;
	}
	if (!sbatch_value_ok("the results folder", dir, "\"%") ||
	    !sbatch_value_ok("the working directory", workdir, "\""))
		return EXIT_USAGE;
	for (guint i = 0; plugins && plugins[i]; i++) {
		char *abs = g_canonicalize_filename(plugins[i], workdir);

		g_free(plugins[i]);
		plugins[i] = abs;
	}

	/* The runs already done, and those merged. */
	g_autoptr(GHashTable) present = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) merged = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (!scan_results(dir, present, merged, &error)) {
		fprintf(stderr, "faultsim slurm: %s\n", error->message);
		return 1;
	}
	g_autoptr(GArray) missing = g_array_new(FALSE, FALSE, sizeof(guint));
	guint not_merged = 0;

	for (guint i = 0; i < runs->len; i++) {
		guint r = g_array_index(runs, guint, i);
		g_autoptr(sim_run_config) cfg = sim_study_run_new(study, r);
		g_autofree char *key = run_key(cfg->hash, cfg->runnumber);

		if (!g_hash_table_contains(present, key))
			g_array_append_val(missing, r);
		if (!g_hash_table_contains(merged, key))
			not_merged++;
	}

	/* Every missing run's machine must build before anything is submitted. */
	for (guint i = 0; i < missing->len; i++) {
		g_autoptr(sim_run_config) cfg = sim_study_run_new(study,
								  g_array_index(missing, guint, i));
		struct sim_engine *eng = sim_engine_new(cfg->seed);
		struct sim_model *m = sim_model_build(eng, cfg, &error);

		sim_model_free(m);
		sim_engine_free(eng);
		if (!m) {
			fprintf(stderr, "faultsim slurm: %s: run %u (%s): %s\n", argv[1], cfg->runnumber,
				cfg->iterationvars && *cfg->iterationvars ? cfg->iterationvars : "no variables",
				error->message);
			return EXIT_USAGE;
		}
	}

	if (!not_merged) {
		fprintf(stderr, "faultsim slurm: all %u runs are in %s/merged.db; nothing to do\n",
			runs->len, dir);
		return 0;
	}

	g_autofree char *queued = jobs_still_queued(dir);

	if (queued) {
		fprintf(stderr, "faultsim slurm: jobs %s of the last submission from %s are still "
			"in squeue; wait for them (or scancel them) before writing new batches\n",
			queued, dir);
		return 1;
	}

	/* Cut the missing runs into batches, in run order. */
	guint nr_tasks = 0;

	if (missing->len) {
		if (per_task > 0)
			nr_tasks = (missing->len + (guint)per_task - 1) / (guint)per_task;
		else if (tasks > 0)
			nr_tasks = MIN((guint)tasks, missing->len);
		else
			nr_tasks = MIN(missing->len, SLURM_DEFAULT_MAX_TASKS);
	}
	GString *batches = g_string_new(NULL);
	const guint *m = (const guint *)missing->data;

	for (guint t = 0, first = 0; t < nr_tasks; t++) {
		/* --runs-per-task: K each, the rest last; otherwise as even as
		 * can be, the larger batches first. */
		guint n = per_task > 0 ? MIN((guint)per_task, missing->len - first)
				   : missing->len / nr_tasks + (t < missing->len % nr_tasks);
		g_autofree char *spec = runs_spec(m + first, n);

		g_string_append_printf(batches, "%u %s\n", t, spec);
		first += n;
	}

	struct slurm_job job = {
		.faultsim = self, .scenario = scenario, .config = config, .workdir = workdir,
		.dir = dir, .name = job_name, .partition = partition, .time = time_limit,
		.cpus = cpus, .sets = sets, .plugins = plugins,
	};
	g_autofree char *logs = g_build_filename(dir, "logs", NULL);
	g_autofree char *array_text = nr_tasks ? array_script(&job, missing->len, nr_tasks) : NULL;
	g_autofree char *merge_text = merge_script(&job);
	g_autofree char *array_path = g_build_filename(dir, "array.sbatch", NULL);
	g_autofree char *merge_path = g_build_filename(dir, "merge.sbatch", NULL);
	g_autofree char *batch_text = g_string_free(batches, FALSE);

	if (g_mkdir_with_parents(logs, 0755) != 0) {
		fprintf(stderr, "faultsim slurm: %s: cannot create: %s\n", logs, g_strerror(errno));
		return 1;
	}
	if (!write_file(dir, "batches", batch_text, 0644, &error) ||
	    (array_text && !write_file(dir, "array.sbatch", array_text, 0755, &error)) ||
	    !write_file(dir, "merge.sbatch", merge_text, 0755, &error)) {
		fprintf(stderr, "faultsim slurm: %s\n", error->message);
		return 1;
	}
	/* No runs to do: an array script of an earlier round would read the
	 * empty batches and fail; leave none. */
	if (!array_text && g_unlink(array_path) != 0 && errno != ENOENT) {
		fprintf(stderr, "faultsim slurm: %s: cannot remove: %s\n", array_path,
			g_strerror(errno));
		return 1;
	}

	if (nr_tasks)
		fprintf(stderr, "faultsim slurm: %u of %u runs to do, in %u array tasks; "
			"%s/{batches,array.sbatch,merge.sbatch}\n",
			missing->len, runs->len, nr_tasks, dir);
	else
		fprintf(stderr, "faultsim slurm: all %u runs are in %s, %u not in merged.db: "
			"only the merge to do; %s\n", runs->len, dir, not_merged, merge_path);

	if (!submit) {
		g_autofree char *q_array = g_shell_quote(array_path);
		g_autofree char *q_merge = g_shell_quote(merge_path);

		if (nr_tasks)
			printf("jid=$(sbatch --parsable %s) && sbatch --dependency=afterok:${jid%%%%;*} %s\n",
			       q_array, q_merge);
		else
			printf("sbatch %s\n", q_merge);
		return 0;
	}

	g_autofree char *array_id = NULL, *merge_id = NULL, *dep = NULL;
	GString *jobs = g_string_new(NULL);
	int status = 0;

	if (nr_tasks) {
		if (!sbatch(sbatch_path, NULL, array_path, &array_id, &error)) {
			fprintf(stderr, "faultsim slurm: %s\n", error->message);
			g_string_free(jobs, TRUE);
			return 1;
		}
		printf("array %s\n", array_id);
		g_string_append_printf(jobs, "array %s\n", array_id);
		dep = g_strdup_printf("--dependency=afterok:%s", array_id);
	}
	if (sbatch(sbatch_path, dep, merge_path, &merge_id, &error)) {
		printf("merge %s\n", merge_id);
		g_string_append_printf(jobs, "merge %s\n", merge_id);
	} else {
		fprintf(stderr, "faultsim slurm: %s\n", error->message);
		g_clear_error(&error);
		status = 1;
	}
	if (!write_file(dir, "jobs", jobs->str, 0644, &error)) {
		fprintf(stderr, "faultsim slurm: %s\n", error->message);
		status = 1;
	}
	g_string_free(jobs, TRUE);
	return status;
}
