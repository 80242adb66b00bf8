/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim run: one run or a whole parameter study, into the results
 * database.
 *
 * Order of work:
 *   0. load the policy plugins (--plugin, `plugin =` anywhere in the
 *      scenario, --set plugin=...), so that their names are valid values;
 *   1. parse and expand the study; check every run's values (scenario.c);
 *   2. build every selected run's machine once without running it, so that
 *      settings that clash are reported before anything runs;
 *   3. open the database and leave out the runs already done (same
 *      resolved configuration and seed: resume);
 *   4. run the rest on -j worker threads, one engine each; the main thread
 *      is the only writer, one transaction per run.
 * Any bad input stops at 0, 1 or 2 with exit status 2 and nothing written.
 * SIGINT or SIGTERM: no new run starts; the running ones finish and are
 * written; exit status 130.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/resultdb.h"
#include "cli/cli.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"

/* Set from the signal handler; read by workers and the writer. */
static volatile sig_atomic_t run_interrupted;

static void on_signal(int sig)
{
	run_interrupted = 1;
}

/* One finished (or skipped) run, passed from a worker to the writer. */
struct run_result {
	const struct sim_run_config *cfg;
	struct sim_engine *eng;		/* owns the statistics; NULL if skipped */
	const char *status;
	char *error;			/* a failed run's message */
	char *deadlock;			/* a deadlocked run's report */
	double wall_s;
};

struct run_ctx {
	const struct sim_study *study;
	GAsyncQueue *done;
	gint64 pid;
	/* Engines alive (running, or finished and not yet written and
	 * freed by the writer), at most max_engines: a writer slower than
	 * the workers must not let finished runs, with their tasks' stacks,
	 * pile up beyond what -j was checked for. */
	GMutex lock;
	GCond engine_freed;
	guint engines, max_engines;
};

/* Wait for room for one more engine. */
static void engine_slot_get(struct run_ctx *ctx)
{
	g_mutex_lock(&ctx->lock);
	while (ctx->engines >= ctx->max_engines)
		g_cond_wait(&ctx->engine_freed, &ctx->lock);
	ctx->engines++;
	g_mutex_unlock(&ctx->lock);
}

static void engine_slot_put(struct run_ctx *ctx)
{
	g_mutex_lock(&ctx->lock);
	ctx->engines--;
	g_cond_signal(&ctx->engine_freed);
	g_mutex_unlock(&ctx->lock);
}

/* Run one simulation: build, warm up, measure, finish. */
static void run_one(gpointer data, gpointer user)
{
	guint runnumber = GPOINTER_TO_UINT(data) - 1;
	struct run_ctx *ctx = user;
	struct run_result *res = g_new0(struct run_result, 1);
	const struct sim_run_config *cfg = sim_study_run(ctx->study, runnumber);
	g_autoptr(GError) error = NULL;

	res->cfg = cfg;
	if (run_interrupted) {
		res->status = "skipped";
		g_async_queue_push(ctx->done, res);
		return;
	}

	engine_slot_get(ctx);

	gint64 start = g_get_monotonic_time();
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);

	res->eng = eng;
	if (!m) {
		res->status = "failed";
		res->error = g_strdup(error->message);
	} else {
		sim_time_t limit = sim_config_get_time(cfg, "sim-time-limit");
		sim_time_t warmup = sim_config_get_time(cfg, "warmup-period");

		enum sim_stop_reason why = SIM_STOP_REQUESTED;

		if (warmup > 0 && warmup < limit) {
			sim_set_time_limit(eng, warmup);
			sim_run(eng);
			sim_model_reset_stats(m);
		}
		/* A load that overran its backlog stopped the engine. */
		if (!sim_model_error(m)) {
			sim_set_time_limit(eng, limit);
			why = sim_run(eng);
		}

		/* Events ran out before the time limit with tasks still
		 * blocked: nothing can ever wake them. */
		if (why == SIM_STOP_EMPTY)
			res->deadlock = sim_deadlock_report(eng);
		if (res->deadlock)
			(*sim_stats_counter(sim_engine_stats(eng), "sim", "deadlocks"))++;
		sim_model_finish(m);
		if (sim_model_error(m))
			res->error = g_strdup(sim_model_error(m));
		sim_model_free(m);
		res->status = res->error ? "failed" : res->deadlock ? "deadlock" : "done";
	}
	res->wall_s = (double)(g_get_monotonic_time() - start) / 1e6;
	g_async_queue_push(ctx->done, res);
}

/*
 * lock_stat rows, from the measurements every lock model records under its
 * module: counters MODEContentions and MODEAcquisitions and histograms
 * MODEWaitTime and MODEHoldTime, MODE "read" or "write"; or contentions,
 * acquisitions, waitTime and holdTime for a lock with one mode.
 */
struct lockstat_scan {
	const struct sim_stats *st;
	GHashTable *hists;		/* "module/name" -> struct sim_hist */
	GHashTable *counters;		/* "module/name" -> uint64_t value */
	GArray *rows;			/* struct fs_lockstat_row */
	GPtrArray *strings;		/* what the rows point to */
};

static void scan_hist(const char *module, const char *name, const struct sim_hist *h, void *data)
{
	struct lockstat_scan *ls = data;

	g_hash_table_insert(ls->hists, g_strdup_printf("%s/%s", module, name), (gpointer)h);
}

static void scan_counter(const char *module, const char *name, uint64_t v, void *data)
{
	struct lockstat_scan *ls = data;
	uint64_t *copy = g_new(uint64_t, 1);

	*copy = v;
	g_hash_table_insert(ls->counters, g_strdup_printf("%s/%s", module, name), copy);
}

static void lockstat_row(struct lockstat_scan *ls, const char *module, const char *mode,
			 const char *acq_name)
{
	struct fs_lockstat_row row = { 0 };

	g_autofree char *k_cont = *mode ? g_strdup_printf("%s/%sContentions", module, mode)
					: g_strdup_printf("%s/contentions", module);
	g_autofree char *k_wait = *mode ? g_strdup_printf("%s/%sWaitTime", module, mode)
					: g_strdup_printf("%s/waitTime", module);
	g_autofree char *k_hold = *mode ? g_strdup_printf("%s/%sHoldTime", module, mode)
					: g_strdup_printf("%s/holdTime", module);
	const uint64_t *acq = g_hash_table_lookup(ls->counters, acq_name);
	const uint64_t *cont = g_hash_table_lookup(ls->counters, k_cont);
	const struct sim_hist *wait = g_hash_table_lookup(ls->hists, k_wait);
	const struct sim_hist *hold = g_hash_table_lookup(ls->hists, k_hold);
	char *lock = g_strdup(module);

	g_ptr_array_add(ls->strings, lock);
	row.lock_name = lock;
	row.mode = mode;
	row.acquisitions = *acq;
	row.contentions = cont ? *cont : 0;
	if (wait && sim_hist_count(wait)) {
		row.wait_time_min_ns = (gint64)sim_hist_min(wait);
		row.wait_time_max_ns = (gint64)sim_hist_max(wait);
		row.wait_time_total_ns = (gint64)sim_hist_sum(wait);
	}
	if (hold && sim_hist_count(hold)) {
		row.hold_time_min_ns = (gint64)sim_hist_min(hold);
		row.hold_time_max_ns = (gint64)sim_hist_max(hold);
		row.hold_time_total_ns = (gint64)sim_hist_sum(hold);
	}
	g_array_append_val(ls->rows, row);
}

static void scan_lock(const char *module, const char *name, uint64_t v, void *data)
{
	struct lockstat_scan *ls = data;
	g_autofree char *key = g_strdup_printf("%s/%s", module, name);

	if (g_str_equal(name, "readAcquisitions"))
		lockstat_row(ls, module, "read", key);
	else if (g_str_equal(name, "writeAcquisitions"))
		lockstat_row(ls, module, "write", key);
	else if (g_str_equal(name, "acquisitions"))
		lockstat_row(ls, module, "", key);
}

static void lockstat_collect(struct lockstat_scan *ls, const struct sim_stats *st)
{
	ls->st = st;
	ls->hists = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ls->counters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	ls->rows = g_array_new(FALSE, TRUE, sizeof(struct fs_lockstat_row));
	ls->strings = g_ptr_array_new_with_free_func(g_free);
	sim_stats_foreach_hist(st, scan_hist, ls);
	sim_stats_foreach_counter(st, scan_counter, ls);
	sim_stats_foreach_counter(st, scan_lock, ls);
}

static void lockstat_clear(struct lockstat_scan *ls)
{
	g_hash_table_unref(ls->hists);
	g_hash_table_unref(ls->counters);
	g_array_unref(ls->rows);
	g_ptr_array_unref(ls->strings);
}

static gboolean write_result(struct fs_resultdb *db, const struct run_result *res,
			     gint64 pid, GError **error)
{
	const struct sim_run_config *cfg = res->cfg;
	g_autofree char *stamp = NULL;
	g_autofree char *name = NULL;
	g_autoptr(GPtrArray) ivn = g_ptr_array_new(), ivv = g_ptr_array_new();
	g_autoptr(GPtrArray) ck = g_ptr_array_new(), cv = g_ptr_array_new();
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *policy_set = sim_policy_set_string(cfg);
	const char *attr_names[4] = { "faultsimVersion", "policySet", "description" };
	const char *attr_values[4] = { PACKAGE_VERSION, policy_set,
				       cfg->description ? cfg->description : "" };
	struct fs_run_record rec = { 0 };

	stamp = g_date_time_format(now, "%Y%m%d-%H:%M:%S");
	name = g_strdup_printf("%s-%u-%s-%" G_GINT64_FORMAT, cfg->config_name,
			       cfg->runnumber, stamp, pid);
	for (guint i = 0; i < cfg->n_itervars; i++) {
		g_ptr_array_add(ivn, (gpointer)cfg->itervars[i].name);
		g_ptr_array_add(ivv, (gpointer)cfg->itervars[i].value);
	}
	for (guint i = 0; i < cfg->n_entries; i++) {
		g_ptr_array_add(ck, (gpointer)cfg->entries[i].name);
		g_ptr_array_add(cv, (gpointer)cfg->entries[i].value);
	}
	rec.run_name = name;
	rec.config_name = cfg->config_name;
	rec.ini_file = cfg->ini_path;
	rec.iterationvars = cfg->iterationvars;
	rec.config_hash = cfg->hash;
	rec.runnumber = cfg->runnumber;
	rec.repetition = cfg->repetition;
	rec.seed = cfg->seed;
	rec.seedset = cfg->seedset;
	rec.itervar_names = (const char *const *)ivn->pdata;
	rec.itervar_values = (const char *const *)ivv->pdata;
	rec.n_itervars = ivn->len;
	rec.config_keys = (const char *const *)ck->pdata;
	rec.config_values = (const char *const *)cv->pdata;
	rec.n_config = ck->len;
	rec.attr_names = attr_names;
	rec.attr_values = attr_values;
	rec.n_attrs = 3;
	if (res->error || res->deadlock) {
		attr_names[3] = res->error ? "error" : "deadlock";
		attr_values[3] = res->error ? res->error : res->deadlock;
		rec.n_attrs = 4;
	}
	rec.status = res->status;
	rec.wall_time_s = res->wall_s;
	rec.events = sim_events_dispatched(res->eng);
	rec.sim_time_ns = sim_now(res->eng);
	rec.stats = sim_engine_stats(res->eng);

	struct lockstat_scan ls;
	gboolean ok;

	lockstat_collect(&ls, rec.stats);
	rec.lockstat = (const struct fs_lockstat_row *)ls.rows->data;
	rec.n_lockstat = ls.rows->len;
	ok = fs_resultdb_write_run(db, &rec, NULL, error);
	lockstat_clear(&ls);
	return ok;
}

static void print_progress(guint done, guint total, guint64 events, gint64 start)
{
	double el = (double)(g_get_monotonic_time() - start) / 1e6;
	double eta = done ? el * (total - done) / done : 0;

	fprintf(stderr, "\r\033[K[%u/%u runs] %.1f M events/s, %.0f s elapsed, ETA %.0f s",
		done, total, el > 0 ? (double)events / el / 1e6 : 0.0, el, eta);
	fflush(stderr);
}

/*
 * Before anything is built: each selected run must fit in what this
 * process can still map and allocate (sim_model_needs(): a run of 40000
 * threads needs 80000 memory maps), else the error names the run and the
 * limit.  *@most gets the largest needs of any run, for -j.
 */
static gboolean preflight(const char *scenario, const struct sim_study *study, GArray *runs,
			  const struct sim_model_room *room, struct sim_model_needs *most,
			  GError **error)
{
	*most = (struct sim_model_needs){ 0 };
	for (guint i = 0; i < runs->len; i++) {
		const struct sim_run_config *cfg = sim_study_run(study, g_array_index(runs, guint, i));
		struct sim_model_needs needs;

		sim_model_needs(cfg, &needs);
		if (!sim_model_fit(&needs, room)) {
			sim_model_room_error(&needs, room, error);
			g_prefix_error(error, "%s: run %u (%s): ", scenario, cfg->runnumber,
				       cfg->iterationvars && *cfg->iterationvars ?
				       cfg->iterationvars : "no variables");
			return FALSE;
		}
		most->tasks = MAX(most->tasks, needs.tasks);
		most->bytes = MAX(most->bytes, needs.bytes);
	}
	return TRUE;
}

/* Runs at once: -j, but no more than the runs to do, 4 per CPU, and what
 * fits in the process's room; says so (unless @quiet) when it is fewer
 * than asked for another reason than the number of runs. */
static int cap_jobs(int jobs, guint todo, const struct sim_model_needs *most,
		    const struct sim_model_room *room, gboolean quiet)
{
	uint64_t fit = sim_model_fit(most, room), per_cpu = 4 * (uint64_t)g_get_num_processors();
	uint64_t n = MIN((uint64_t)jobs, MAX(todo, 1));

	if (n > per_cpu) {
		n = per_cpu;
		if (!quiet)
			fprintf(stderr, "faultsim run: -j %d: running %" G_GUINT64_FORMAT
				" runs at once (4 per CPU at most)\n", jobs, n);
	}
	if (n > fit) {
		n = MAX(fit, 1);
		if (!quiet)
			fprintf(stderr, "faultsim run: -j %d: running %" G_GUINT64_FORMAT " runs at "
				"once: each needs up to %" G_GUINT64_FORMAT " tasks (2 memory maps "
				"each) and %" G_GUINT64_FORMAT " MiB; this process has room for %"
				G_GUINT64_FORMAT " tasks (vm.max_map_count = %" G_GUINT64_FORMAT
				") and %" G_GUINT64_FORMAT " MiB\n", jobs, n, most->tasks,
				most->bytes >> 20, room->tasks, room->max_map_count,
				room->bytes >> 20);
	}
	return (int)n;
}

enum query { QUERY_NONE, QUERY_NUMRUNS, QUERY_RUNNUMBERS, QUERY_ITERVARS };

static gboolean parse_query(const char *q, enum query *out)
{
	static const char *const names[] = { "numruns", "runnumbers", "itervars" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_str_equal(q, names[i])) {
			*out = (enum query)(i + 1);
			return TRUE;
		}
	return FALSE;
}

/* The registry of every key a scenario may set. */
struct sim_keys *cli_keys_new(void)
{
	return cli_keys_new_with(NULL);
}

struct sim_keys *cli_keys_new_with(struct sim_policies *policies)
{
	struct sim_keys *keys = sim_keys_new();

	sim_model_register_keys_with(keys, policies);
	return keys;
}

struct sim_policies *cli_policies_new(char **plugins, const char *ini_path, char **sets,
				      GError **error)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	g_auto(GStrv) named = NULL;

	for (guint i = 0; plugins && plugins[i]; i++)
		if (!sim_policies_load_plugin(reg, plugins[i], error))
			return NULL;
	if (!ini_path && !sets)
		return g_steal_pointer(&reg);
	named = sim_scenario_plugins(ini_path, sets, error);
	if (!named)
		return NULL;
	for (guint i = 0; named[i]; i++)
		if (!sim_policies_load_plugin(reg, named[i], error))
			return NULL;
	return g_steal_pointer(&reg);
}

int cmd_run(int argc, char **argv)
{
	g_autofree char *config = NULL, *runs_spec = NULL, *query_s = NULL;
	g_autofree char *db_opt = NULL;	/* GOption replaces, never frees, a default */
	g_auto(GStrv) sets = NULL;
	g_auto(GStrv) plugins = NULL;
	int jobs = 1;
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_STRING, &config,
		  "the [Config NAME] to run (default: General)", "NAME" },
		{ "runs", 'r', 0, G_OPTION_ARG_STRING, &runs_spec,
		  "runs to do: N, A..B, a comma list, or all (default)", "RUNS" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "runs at once, on threads (default 1)", "N" },
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &db_opt,
		  "results database (default results.db)", "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "override a key (repeatable)", "KEY=VALUE" },
		{ "query", 'q', 0, G_OPTION_ARG_STRING, &query_s,
		  "print what would run, do nothing: numruns, runnumbers or itervars", "WHAT" },
		{ "quiet", 0, 0, G_OPTION_ARG_NONE, &quiet, "no progress line", NULL },
		{ "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugins,
		  "load a policy plugin (repeatable)", "PATH" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;
	enum query query = QUERY_NONE;

	if (!cli_parse("run", "SCENARIO.ini",
		       "Run one simulation or a whole parameter study into the results database.",
		       entries, &argc, &argv))
		return EXIT_USAGE;
	if (argc != 2) {
		fprintf(stderr, "faultsim run: give one scenario file (try 'faultsim run --help')\n");
		return EXIT_USAGE;
	}
	if (jobs < 1) {
		fprintf(stderr, "faultsim run: -j must be at least 1\n");
		return EXIT_USAGE;
	}
	if (query_s && !parse_query(query_s, &query)) {
		fprintf(stderr, "faultsim run: -q '%s': accepted are numruns, runnumbers, itervars\n",
			query_s);
		return EXIT_USAGE;
	}

	const char *db_path = db_opt ? db_opt : "results.db";
	struct sim_policies *policies = cli_policies_new(plugins, argv[1], sets, &error);

	if (!policies) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		return EXIT_USAGE;
	}
	g_autoptr(sim_keys) keys = cli_keys_new_with(policies);
	g_autoptr(sim_study) study = sim_study_new(argv[1], config, sets, keys, &error);

	if (!study) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		return EXIT_USAGE;
	}
	GArray *runs = sim_study_parse_runs(runs_spec, sim_study_nr_runs(study), &error);

	if (!runs) {
		fprintf(stderr, "faultsim run: -r: %s\n", error->message);
		return EXIT_USAGE;
	}

	switch (query) {
	case QUERY_NUMRUNS:
		printf("%u\n", runs->len);
		g_array_unref(runs);
		return 0;
	case QUERY_RUNNUMBERS:
		for (guint i = 0; i < runs->len; i++)
			printf("%s%u", i ? " " : "", g_array_index(runs, guint, i));
		printf("\n");
		g_array_unref(runs);
		return 0;
	case QUERY_ITERVARS:
		for (guint i = 0; i < runs->len; i++) {
			const struct sim_run_config *cfg =
				sim_study_run(study, g_array_index(runs, guint, i));

			printf("Run %u: %s, $repetition=%u\n", cfg->runnumber,
			       cfg->iterationvars && *cfg->iterationvars ? cfg->iterationvars : "(none)",
			       cfg->repetition);
		}
		g_array_unref(runs);
		return 0;
	case QUERY_NONE:
		break;
	}

	/* Every run must fit in the process, and its machine build, before
	 * anything runs. */
	struct sim_model_room room;
	struct sim_model_needs most;

	sim_model_room(&room);
	if (!preflight(argv[1], study, runs, &room, &most, &error)) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		g_array_unref(runs);
		return EXIT_USAGE;
	}
	for (guint i = 0; i < runs->len; i++) {
		const struct sim_run_config *cfg = sim_study_run(study, g_array_index(runs, guint, i));
		struct sim_engine *eng = sim_engine_new(cfg->seed);
		struct sim_model *m = sim_model_build(eng, cfg, &error);

		sim_model_free(m);
		sim_engine_free(eng);
		if (!m) {
			fprintf(stderr, "faultsim run: %s: run %u (%s): %s\n", argv[1], cfg->runnumber,
				cfg->iterationvars && *cfg->iterationvars ? cfg->iterationvars : "no variables",
				error->message);
			g_array_unref(runs);
			return EXIT_USAGE;
		}
	}

	g_autoptr(fs_resultdb) db = fs_resultdb_open(db_path, &error);

	if (!db) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		g_array_unref(runs);
		return 1;
	}
	g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(guint));

	for (guint i = 0; i < runs->len; i++) {
		guint r = g_array_index(runs, guint, i);
		gboolean done = FALSE;

		if (!fs_resultdb_run_done(db, sim_study_run(study, r)->hash, &done, &error)) {
			fprintf(stderr, "faultsim run: %s\n", error->message);
			g_array_unref(runs);
			return 1;
		}
		if (!done)
			g_array_append_val(todo, r);
	}
	guint skipped_done = runs->len - todo->len;

	g_array_unref(runs);
	if (skipped_done && !quiet)
		fprintf(stderr, "faultsim run: %u of %u runs already in %s; running %u\n",
			skipped_done, skipped_done + todo->len, db_path, todo->len);

	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;

	sigemptyset(&sa.sa_mask);
	run_interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	struct run_ctx ctx = { .study = study, .done = g_async_queue_new(), .pid = (gint64)getpid() };

	jobs = cap_jobs(jobs, todo->len, &most, &room, quiet);
	g_mutex_init(&ctx.lock);
	g_cond_init(&ctx.engine_freed);
	ctx.max_engines = (guint)jobs;
	GThreadPool *pool = g_thread_pool_new(run_one, &ctx, jobs, TRUE, NULL);
	gboolean progress = !quiet && isatty(STDERR_FILENO);
	gint64 start = g_get_monotonic_time();
	guint64 events = 0;
	guint written = 0, failed = 0, not_run = 0;
	int status = 0;

	/* Runs go in ascending order; the thread pool keeps it. */
	for (guint i = 0; i < todo->len; i++)
		g_thread_pool_push(pool, GUINT_TO_POINTER(g_array_index(todo, guint, i) + 1), NULL);
	for (guint i = 0; i < todo->len; i++) {
		struct run_result *res = g_async_queue_pop(ctx.done);

		if (!res->eng) {
			not_run++;
		} else {
			if (!write_result(db, res, ctx.pid, &error)) {
				fprintf(stderr, "%sfaultsim run: run %u not written: %s\n",
					progress ? "\n" : "", res->cfg->runnumber, error->message);
				g_clear_error(&error);
				status = 1;
			} else {
				written++;
			}
			if (res->deadlock)
				fprintf(stderr, "%sfaultsim run: run %u (%s) deadlocked; recorded with "
					"status deadlock:\n%s", progress ? "\n" : "", res->cfg->runnumber,
					res->cfg->iterationvars && *res->cfg->iterationvars ?
					res->cfg->iterationvars : "no variables", res->deadlock);
			if (res->error) {
				fprintf(stderr, "%sfaultsim run: run %u failed: %s\n", progress ? "\n" : "",
					res->cfg->runnumber, res->error);
				failed++;
			}
			events += sim_events_dispatched(res->eng);
			sim_engine_free(res->eng);
			engine_slot_put(&ctx);
		}
		g_free(res->error);
		g_free(res->deadlock);
		g_free(res);
		if (progress)
			print_progress(i + 1, todo->len, events, start);
	}
	g_thread_pool_free(pool, FALSE, TRUE);
	g_async_queue_unref(ctx.done);
	g_cond_clear(&ctx.engine_freed);
	g_mutex_clear(&ctx.lock);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (progress)
		fprintf(stderr, "\n");
	if (!quiet)
		fprintf(stderr, "faultsim run: %u runs written to %s%s\n", written, db_path,
			not_run ? " (interrupted: the rest was not started)" : "");
	if (failed)
		status = 1;
	if (run_interrupted)
		status = 130;
	return status;
}
