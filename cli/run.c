/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim run: one run or a whole parameter study, into the results
 * database.
 *
 * Order of work:
 *   0. the policy plugins: --plugin files are loaded; those the scenario
 *      names (`plugin =`, --set plugin=...) only by a run, after the file
 *      checks of sim_policies_load_plugin(), never by -q;
 *   1. parse and expand the study; check every run's values (scenario.c);
 *   2. build each selected run's machine once without running it (once per
 *      distinct configuration: repetitions differ only in their seed), so
 *      that settings that clash are reported before anything runs;
 *   3. open the database, checked to be ours and writable, and leave out
 *      the runs already done (same resolved configuration and seed:
 *      resume);
 *   4. claim runs (runClaim: other processes on the same database skip
 *      them), a few more than the workers can take, and run them on -j
 *      worker threads, or with --isolate in one child process each; the
 *      main thread is the only writer: the finished runs of up to
 *      FLUSH_MS, FLUSH_RUNS at most, go in one transaction with the next
 *      claims, each run all or nothing.
 * Any bad input stops at 0, 1 or 2 with exit status 2 and nothing written;
 * a database that is not ours or cannot be written, at 3 with status 1.
 *
 * Memory stays bounded whatever the number of runs: runs are handed to the
 * workers as they are claimed, a worker keeps only the flattened
 * measurements of a finished run (struct fs_measurements), and no more
 * runs are claimed while the finished ones wait for the writer.
 *
 * Signals.  The first SIGINT or SIGTERM: no new run starts; the running
 * ones finish and are written.  The second: the running ones stop at once
 * (a run looks at the signals every CLI_RUN_SLICE steps; with --isolate
 * its process is killed), nothing of them is written, their claims are
 * given back.  Exit status 130 either way.
 *
 * --isolate (the default when a plugin is loaded): each run in a child
 * process forked for it, from the state the study was made in, so that it
 * is the same run as on a thread; the child sends its results down a pipe.
 * A run whose process dies (a crash, an assertion) is recorded as failed
 * with the signal's name, and the study goes on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/report.h"
#include "analysis/resultdb.h"
#include "cli/cli.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"
#include "sim/core/units.h"

/* The writer's transactions: the finished runs of FLUSH_MS at most, and
 * no more than FLUSH_RUNS of them. */
#define FLUSH_MS	100
#define FLUSH_RUNS	256
/* Runs claimed ahead of the workers: enough for FLUSH_MS (or -j), at most
 * AHEAD_MAX. */
#define AHEAD_MAX	1024

/* SIGINT and SIGTERM, counted by the handler (a lock-free atomic, so safe
 * in a handler), read by the writer and the workers. */
static atomic_int run_signals;

static void on_signal(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&run_signals, 1, memory_order_relaxed);
}

static int signals_seen(void)
{
	return atomic_load_explicit(&run_signals, memory_order_relaxed);
}

/* One run, handed from a worker (or child process) to the writer. */
struct run_result {
	guint runnumber;
	struct sim_run_config *cfg;	/* built for it (sim_study_run_new()) */
	/* "done", "deadlock", "failed"; NULL: not run (interrupted before it
	 * started) or stopped by the second signal: nothing to write. */
	const char *status;
	char *error;			/* a failed run's message */
	char *deadlock;			/* a deadlocked run's report */
	double wall_s;
	guint64 events;			/* dispatched */
	gint64 sim_time_ns;		/* simulated time at the end */
	struct fs_measurements *meas;	/* NULL: none */
	/* The writer's: a write of it failed; another process wrote it. */
	gboolean unwritable, elsewhere;
};

static void run_result_free(struct run_result *res)
{
	sim_run_config_free(res->cfg);
	g_free(res->error);
	g_free(res->deadlock);
	fs_measurements_free(res->meas);
	g_free(res);
}

/*
 * lock_stat rows, from the measurements every lock model records under its
 * module (sim/kernel/lockstat.h): counters MODEContentions,
 * MODEAcquisitions, MODEConBounces and MODEAcqBounces, histograms
 * MODEWaitTime and MODEHoldTime, MODE "read" or "write"; or contentions,
 * acquisitions, conBounces, acqBounces, waitTime and holdTime for a lock
 * with one mode.  A mode nobody acquired has no row (as /proc/lock_stat
 * prints no -R or -W line for it): mmap_sem (the rwsem model), vma_lock
 * (every VMA's lock, one class), page_lock, DISK.tags (the block queue's
 * tags).
 */
struct lockstat_scan {
	struct sim_stats *st;
	GArray *rows;			/* struct fs_lockstat_row */
	GPtrArray *strings;		/* what the rows point to */
};

/* The counter or histogram MODE ## NAME (mode "read" -> readContentions) or
 * NAME of @module, looked up without creating it. */
static const char *lock_key(char *buf, gsize size, const char *mode, const char *name)
{
	if (!*mode)
		return name;
	g_snprintf(buf, size, "%s%c%s", mode, g_ascii_toupper(name[0]), name + 1);
	return buf;
}

static uint64_t lock_counter(struct lockstat_scan *ls, const char *module, const char *mode,
			     const char *name)
{
	char buf[64];
	const uint64_t *v = sim_stats_counter_find(ls->st, module,
						   lock_key(buf, sizeof(buf), mode, name));

	return v ? *v : 0;
}

static const struct sim_hist *lock_hist(struct lockstat_scan *ls, const char *module,
					const char *mode, const char *name)
{
	char buf[64];

	return sim_stats_hist_find(ls->st, module, lock_key(buf, sizeof(buf), mode, name));
}

static void lockstat_row(struct lockstat_scan *ls, const char *module, const char *mode,
			 uint64_t acquisitions)
{
	struct fs_lockstat_row row = { 0 };
	const struct sim_hist *wait = lock_hist(ls, module, mode, "waitTime");
	const struct sim_hist *hold = lock_hist(ls, module, mode, "holdTime");
	char *lock;

	if (!acquisitions)
		return;
	lock = g_strdup(module);
	g_ptr_array_add(ls->strings, lock);
	row.lock_name = lock;
	row.mode = mode;
	row.acquisitions = acquisitions;
	row.contentions = lock_counter(ls, module, mode, "contentions");
	row.con_bounces = lock_counter(ls, module, mode, "conBounces");
	row.acq_bounces = lock_counter(ls, module, mode, "acqBounces");
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

	if (g_str_equal(name, "readAcquisitions"))
		lockstat_row(ls, module, "read", v);
	else if (g_str_equal(name, "writeAcquisitions"))
		lockstat_row(ls, module, "write", v);
	else if (g_str_equal(name, "acquisitions"))
		lockstat_row(ls, module, "", v);
}

static void lockstat_collect(struct lockstat_scan *ls, struct sim_stats *st)
{
	ls->st = st;
	ls->rows = g_array_new(FALSE, TRUE, sizeof(struct fs_lockstat_row));
	ls->strings = g_ptr_array_new_with_free_func(g_free);
	sim_stats_foreach_counter(st, scan_lock, ls);
}

static void lockstat_clear(struct lockstat_scan *ls)
{
	g_array_unref(ls->rows);
	g_ptr_array_unref(ls->strings);
}

/* sim_run() in slices of CLI_RUN_SLICE steps; between two, a second signal
 * stops the run (*@stopped).  The slices change nothing of the run: the
 * engine stops before an event and goes on from there. */
static enum sim_stop_reason run_events(struct sim_engine *eng, gboolean *stopped)
{
	for (;;) {
		enum sim_stop_reason why;

		why = sim_run_for(eng, CLI_RUN_SLICE);
		if (why != SIM_STOP_EVENTS)
			return why;
		if (signals_seen() >= 2) {
			*stopped = TRUE;
			return why;
		}
	}
}

/*
 * Run one simulation: build, warm up, measure, finish.  The engine is freed
 * here: @res keeps only the measurements, flattened.  FALSE if a second
 * signal stopped it (nothing in @res then).
 */
static gboolean simulate(const struct sim_run_config *cfg, struct run_result *res)
{
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);
	gboolean stopped = FALSE;

	if (!m) {
		res->status = "failed";
		res->error = g_strdup(error->message);
	} else {
		sim_time_t limit = sim_config_get_time(cfg, "sim-time-limit");
		sim_time_t warmup = sim_config_get_time(cfg, "warmup-period");

		enum sim_stop_reason why = SIM_STOP_REQUESTED;

		if (warmup > 0 && warmup < limit) {
			sim_set_time_limit(eng, warmup);
			run_events(eng, &stopped);
			if (!stopped)
				sim_model_reset_stats(m);
		}
		/* A load that overran its backlog stopped the engine. */
		if (!stopped && !sim_model_error(m)) {
			sim_set_time_limit(eng, limit);
			why = run_events(eng, &stopped);
		}
		if (stopped) {
			sim_model_free(m);
			sim_engine_free(eng);
			return FALSE;
		}

		/* Events ran out before the time limit with tasks still
		 * blocked: nothing can ever wake them. */
		if (why == SIM_STOP_EMPTY)
			res->deadlock = sim_deadlock_report(eng);
		if (res->deadlock)
			(*sim_stats_counter_unit(sim_engine_stats(eng), "sim", "deadlocks", "runs",
						 "1: events ran out with tasks blocked for good"))++;
		sim_model_finish(m);
		if (sim_model_error(m))
			res->error = g_strdup(sim_model_error(m));
		sim_model_free(m);
		res->status = res->error ? "failed" : res->deadlock ? "deadlock" : "done";
	}
	res->wall_s = (double)(g_get_monotonic_time() - start) / 1e6;
	res->events = sim_events_dispatched(eng);
	res->sim_time_ns = sim_now(eng);

	struct lockstat_scan ls;

	lockstat_collect(&ls, sim_engine_stats(eng));
	res->meas = fs_measurements_new(sim_engine_stats(eng),
					(const struct fs_lockstat_row *)ls.rows->data,
					ls.rows->len);
	lockstat_clear(&ls);
	sim_engine_free(eng);
	return TRUE;
}

/* ---- running runs: on threads, or one child process each ---------------- */

struct run_ctx {
	const struct sim_study *study;
	/* Run attributes every run gets (name, value, ...): the plugins'
	 * provenance (plugin_provenance()). */
	const GPtrArray *attrs;
	gboolean isolate;
	/* threads */
	GThreadPool *pool;
	GAsyncQueue *done;		/* struct run_result *, from the workers */
	/* --isolate */
	GArray *children;		/* struct child */
	GQueue ready;			/* struct run_result *, from the children */
};

/* Run @data, a struct run_result with its run number and configuration
 * (built when the run was claimed). */
static void worker(gpointer data, gpointer user)
{
	struct run_ctx *ctx = user;
	struct run_result *res = data;

	if (signals_seen() == 0 && !simulate(res->cfg, res))
		res->status = NULL;
	g_async_queue_push(ctx->done, res);
}

/*
 * What a child sends down its pipe: a header, the error and deadlock
 * texts, the packed measurements.
 */
struct child_msg {
	guint32 magic;
	guint32 status;			/* index in child_status[] */
	guint32 error_len, deadlock_len, meas_len;
	guint32 pad;
	double wall_s;
	guint64 events;
	gint64 sim_time_ns;
};

#define CHILD_MSG_MAGIC	0x66737263U	/* "fsrc" */

static const char *const child_status[] = { "done", "deadlock", "failed" };

struct child {
	pid_t pid;
	int fd;				/* the pipe's read end */
	GByteArray *buf;
	guint runnumber;
	gint64 start;
};

static gboolean write_all(int fd, const void *data, gsize len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* In the child: run, send, exit (without atexit handlers and without
 * flushing what the parent had buffered). */
G_GNUC_NORETURN static void child_main(struct run_ctx *ctx, guint runnumber, int fd)
{
	struct run_result res = { .runnumber = runnumber };
	struct child_msg msg = { .magic = CHILD_MSG_MAGIC };
	g_autoptr(GBytes) meas = NULL;
	gsize meas_len = 0;
	const void *meas_data = NULL;

	/* Signals are the parent's to act on: it kills us on the second. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	res.cfg = sim_study_run_new(ctx->study, runnumber);
	simulate(res.cfg, &res);
	if (res.meas) {
		meas = fs_measurements_pack(res.meas);
		meas_data = g_bytes_get_data(meas, &meas_len);
	}
	for (guint i = 0; i < G_N_ELEMENTS(child_status); i++)
		if (g_strcmp0(res.status, child_status[i]) == 0)
			msg.status = i;
	msg.error_len = res.error ? (guint32)strlen(res.error) : 0;
	msg.deadlock_len = res.deadlock ? (guint32)strlen(res.deadlock) : 0;
	msg.meas_len = (guint32)meas_len;
	msg.wall_s = res.wall_s;
	msg.events = res.events;
	msg.sim_time_ns = res.sim_time_ns;
	if (!write_all(fd, &msg, sizeof(msg)) ||
	    !write_all(fd, res.error ? res.error : "", msg.error_len) ||
	    !write_all(fd, res.deadlock ? res.deadlock : "", msg.deadlock_len) ||
	    !write_all(fd, meas_data ? meas_data : "", meas_len))
		_exit(3);
	_exit(0);
}

static gboolean child_start(struct run_ctx *ctx, guint runnumber, GError **error)
{
	struct child c = { .runnumber = runnumber };
	int fds[2];

	if (pipe(fds) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "cannot make a pipe: %s",
			    g_strerror(errno));
		return FALSE;
	}
	fflush(stdout);
	fflush(stderr);
	c.start = g_get_monotonic_time();
	c.pid = fork();
	if (c.pid < 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "cannot fork: %s", g_strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return FALSE;
	}
	if (c.pid == 0) {
		close(fds[0]);
		child_main(ctx, runnumber, fds[1]);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	c.fd = fds[0];
	c.buf = g_byte_array_new();
	g_array_append_val(ctx->children, c);
	return TRUE;
}

static const char *signal_name(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {
		{ SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" }, { SIGABRT, "SIGABRT" },
		{ SIGFPE, "SIGFPE" }, { SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" },
		{ SIGKILL, "SIGKILL" }, { SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" },
		{ SIGSYS, "SIGSYS" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
		{ SIGPIPE, "SIGPIPE" }, { SIGHUP, "SIGHUP" }, { SIGQUIT, "SIGQUIT" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (names[i].sig == sig)
			return names[i].name;
	return NULL;
}

/* The result of a child that closed its pipe, from what it sent and how
 * it ended. */
static struct run_result *child_result(struct run_ctx *ctx, struct child *c, int wstatus)
{
	struct run_result *res = g_new0(struct run_result, 1);
	const guint8 *p = c->buf->data;
	struct child_msg msg;

	res->runnumber = c->runnumber;
	res->cfg = sim_study_run_new(ctx->study, c->runnumber);
	res->wall_s = (double)(g_get_monotonic_time() - c->start) / 1e6;
	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);
		const char *name = signal_name(sig);

		res->status = "failed";
		res->error = name ? g_strdup_printf("crashed: %s (%s)", name, g_strsignal(sig))
				  : g_strdup_printf("crashed: signal %d (%s)", sig, g_strsignal(sig));
		return res;
	}
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || c->buf->len < sizeof(msg)) {
		res->status = "failed";
		res->error = g_strdup_printf("its process exited with status %d, its results unsent",
					     WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
		return res;
	}
	memcpy(&msg, p, sizeof(msg));
	if (msg.magic != CHILD_MSG_MAGIC || msg.status >= G_N_ELEMENTS(child_status) ||
	    (guint64)sizeof(msg) + msg.error_len + msg.deadlock_len + msg.meas_len != c->buf->len) {
		res->status = "failed";
		res->error = g_strdup("its process sent malformed results");
		return res;
	}
	p += sizeof(msg);
	res->status = child_status[msg.status];
	res->wall_s = msg.wall_s;
	res->events = msg.events;
	res->sim_time_ns = msg.sim_time_ns;
	if (msg.error_len)
		res->error = g_strndup((const char *)p, msg.error_len);
	p += msg.error_len;
	if (msg.deadlock_len)
		res->deadlock = g_strndup((const char *)p, msg.deadlock_len);
	p += msg.deadlock_len;
	if (msg.meas_len) {
		g_autoptr(GError) error = NULL;

		res->meas = fs_measurements_unpack(p, msg.meas_len, &error);
		if (!res->meas) {
			g_free(res->error);
			res->status = "failed";
			res->error = g_strdup_printf("its process sent %s", error->message);
		}
	}
	return res;
}

/* Read what the children sent, for up to @timeout_ms; a child whose pipe
 * closed is reaped and its result queued. */
static void children_poll(struct run_ctx *ctx, int timeout_ms)
{
	GArray *cs = ctx->children;
	g_autofree struct pollfd *pfd = g_new0(struct pollfd, MAX(cs->len, 1));

	for (guint i = 0; i < cs->len; i++) {
		pfd[i].fd = g_array_index(cs, struct child, i).fd;
		pfd[i].events = POLLIN;
	}
	if (poll(pfd, cs->len, timeout_ms) <= 0)
		return;			/* a timeout, or a signal */
	for (guint i = cs->len; i-- > 0;) {
		struct child *c = &g_array_index(cs, struct child, i);
		gboolean eof = FALSE;
		guint8 chunk[65536];
		int wstatus = 0;

		if (!pfd[i].revents)
			continue;
		for (;;) {
			ssize_t n = read(c->fd, chunk, sizeof(chunk));

			if (n > 0) {
				g_byte_array_append(c->buf, chunk, (guint)n);
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			eof = n == 0 || errno != EAGAIN;
			break;
		}
		if (!eof)
			continue;
		close(c->fd);
		while (waitpid(c->pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		g_queue_push_tail(&ctx->ready, child_result(ctx, c, wstatus));
		g_byte_array_unref(c->buf);
		g_array_remove_index_fast(cs, i);
	}
}

/* The second signal with --isolate: kill the children; their runs count
 * as stopped. */
static void children_kill(struct run_ctx *ctx)
{
	GArray *cs = ctx->children;

	for (guint i = 0; i < cs->len; i++)
		kill(g_array_index(cs, struct child, i).pid, SIGKILL);
	for (guint i = 0; i < cs->len; i++) {
		struct child *c = &g_array_index(cs, struct child, i);
		struct run_result *res = g_new0(struct run_result, 1);
		int wstatus;

		while (waitpid(c->pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		close(c->fd);
		g_byte_array_unref(c->buf);
		res->runnumber = c->runnumber;
		res->cfg = sim_study_run_new(ctx->study, c->runnumber);
		g_queue_push_tail(&ctx->ready, res);	/* status NULL: stopped */
	}
	g_array_set_size(cs, 0);
}

/* Hand run @res (its number and configuration; taken) to a worker, or
 * to a new child process. */
static gboolean run_start(struct run_ctx *ctx, struct run_result *res, GError **error)
{
	gboolean ok;

	if (!ctx->isolate) {
		g_thread_pool_push(ctx->pool, res, NULL);
		return TRUE;
	}
	ok = child_start(ctx, res->runnumber, error);
	run_result_free(res);
	return ok;
}

/* The next finished run, waiting for up to @timeout_ms; NULL if none. */
static struct run_result *run_next(struct run_ctx *ctx, int timeout_ms)
{
	if (!ctx->isolate)
		return timeout_ms > 0 ? g_async_queue_timeout_pop(ctx->done, (guint64)timeout_ms * 1000)
				      : g_async_queue_try_pop(ctx->done);
	if (g_queue_is_empty(&ctx->ready) && ctx->children->len)
		children_poll(ctx, timeout_ms);
	else if (g_queue_is_empty(&ctx->ready) && timeout_ms > 0)
		g_usleep((gulong)timeout_ms * 1000);
	return g_queue_pop_head(&ctx->ready);
}

/* ---- provenance ---------------------------------------------------------- */

static void gstring_free(gpointer s)
{
	g_string_free(s, TRUE);
}

/*
 * Where the policies of @reg came from, as run attributes (name, value,
 * ...), one plugin after the other in the order its policies registered:
 * plugin.N.path (absolute), plugin.N.sha256 (of the file now, as loaded)
 * and plugin.N.policies ("retry=drop2 io=hold": what it provides).
 */
static GPtrArray *plugin_provenance(const struct sim_policies *reg, GError **error)
{
	g_autoptr(GPtrArray) origins = g_ptr_array_new();
	g_autoptr(GPtrArray) provided = g_ptr_array_new_with_free_func(gstring_free);
	GPtrArray *attrs = g_ptr_array_new_with_free_func(g_free);

	for (int slot = 0; slot < SIM_NR_POLICY_SLOTS; slot++) {
		for (guint i = 0; i < sim_policies_count(reg, slot); i++) {
			const struct sim_policy *p = sim_policies_get(reg, slot, i);
			guint k;

			if (!g_strcmp0(p->origin, "built-in"))
				continue;
			for (k = 0; k < origins->len; k++)
				if (!strcmp(origins->pdata[k], p->origin))
					break;
			if (k == origins->len) {
				g_ptr_array_add(origins, (gpointer)p->origin);
				g_ptr_array_add(provided, g_string_new(NULL));
			}
			g_string_append_printf(provided->pdata[k], "%s%s=%s",
					       ((GString *)provided->pdata[k])->len ? " " : "",
					       sim_policy_slot(slot)->name, p->name);
		}
	}
	for (guint k = 0; k < origins->len; k++) {
		g_autofree char *path = g_canonicalize_filename(origins->pdata[k], NULL);
		g_autofree char *data = NULL;
		gsize len;

		if (!g_file_get_contents(path, &data, &len, error)) {
			g_ptr_array_unref(attrs);
			return NULL;
		}
		g_ptr_array_add(attrs, g_strdup_printf("plugin.%u.path", k));
		g_ptr_array_add(attrs, g_strdup(path));
		g_ptr_array_add(attrs, g_strdup_printf("plugin.%u.sha256", k));
		g_ptr_array_add(attrs, g_compute_checksum_for_data(G_CHECKSUM_SHA256,
								   (const guchar *)data, len));
		g_ptr_array_add(attrs, g_strdup_printf("plugin.%u.policies", k));
		g_ptr_array_add(attrs, g_strdup(((GString *)provided->pdata[k])->str));
	}
	return attrs;
}

/*
 * For an error about a policy value this process does not know (@message):
 * the plugin a run of the database at @db_path recorded as providing it,
 * as "; provided by plugin PATH (recorded in DB); pass --plugin PATH", or
 * NULL.  A value the registry @reg has is not looked for.
 */
static char *plugin_hint(const char *db_path, const char *message,
			 const struct sim_policies *reg)
{
	static const char query[] =
		"SELECT a.attrValue, p.attrValue FROM runAttr a JOIN runAttr p "
		"ON p.runId = a.runId AND p.attrName = substr(a.attrName, 1, "
		"length(a.attrName) - length('policies')) || 'path' "
		"WHERE a.attrName LIKE 'plugin.%.policies' ORDER BY a.runId DESC";
	g_autoptr(GError) error = NULL;
	g_autoptr(fs_resultdb) db = NULL;
	sqlite3_stmt *st;
	char *hint = NULL;

	if (!strstr(message, "'policy.") || !g_file_test(db_path, G_FILE_TEST_IS_REGULAR))
		return NULL;
	db = fs_resultdb_open_readonly(db_path, &error);
	if (!db || sqlite3_prepare_v2(fs_resultdb_handle(db), query, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	while (!hint && sqlite3_step(st) == SQLITE_ROW) {
		g_auto(GStrv) provided = g_strsplit((const char *)sqlite3_column_text(st, 0), " ", -1);
		const char *path = (const char *)sqlite3_column_text(st, 1);

		for (char **p = provided; *p && !hint; p++) {
			const char *eq = strchr(*p, '=');
			g_autofree char *key = NULL, *value = NULL;

			if (!eq)
				continue;
			key = g_strdup_printf("'policy.%.*s'", (int)(eq - *p), *p);
			value = g_strdup_printf("'%s'", eq + 1);
			for (int slot = 0; slot < SIM_NR_POLICY_SLOTS; slot++)
				if (!strncmp(sim_policy_slot(slot)->name, *p, eq - *p) &&
				    !sim_policy_slot(slot)->name[eq - *p] &&
				    sim_policies_lookup(reg, slot, eq + 1))
					goto next;	/* known here: not this error */
			if (strstr(message, key) && strstr(message, value))
				hint = g_strdup_printf("; policy.%.*s=%s is provided by plugin %s "
						       "(recorded in %s); pass --plugin %s",
						       (int)(eq - *p), *p, eq + 1, path, db_path,
						       path);
next:
			;
		}
	}
	sqlite3_finalize(st);
	return hint;
}

/*
 * Warn when @db holds runs of a configuration of @firsts (the first run to
 * do of each configname and iteration variables) that ran another version
 * of it -- the scenario or a --set changed since: report shows them apart,
 * never pooled.
 */
static gboolean warn_other_versions(struct fs_resultdb *db, const char *db_path,
				    const struct sim_study *study, const GArray *firsts,
				    GError **error)
{
	for (guint i = 0; i < firsts->len; i++) {
		g_autoptr(sim_run_config) cfg = sim_study_run_new(study,
								  g_array_index(firsts, guint, i));
		const char *vars = cfg->iterationvars ? cfg->iterationvars : "";
		g_autoptr(GPtrArray) keys = g_ptr_array_new(), values = g_ptr_array_new();
		g_autofree char *differs = NULL;
		guint n = 0;

		for (guint k = 0; k < cfg->n_entries; k++) {
			g_ptr_array_add(keys, (gpointer)cfg->entries[k].name);
			g_ptr_array_add(values, (gpointer)cfg->entries[k].value);
		}
		if (!fs_report_other_versions(db, cfg->config_name, vars,
					      (const char *const *)keys->pdata,
					      (const char *const *)values->pdata, keys->len, &n,
					      &differs, error))
			return FALSE;
		if (n)
			fprintf(stderr, "faultsim run: warning: %s holds %u run%s of %s%s%s from "
				"another version of this configuration (%s); report shows the "
				"versions apart\n", db_path, n, n == 1 ? "" : "s", cfg->config_name,
				*vars ? " " : "", vars, differs ? differs : "");
	}
	return TRUE;
}

/* ---- writing ------------------------------------------------------------- */

/* @tz: the local time zone, for the run's name (read once: glib reads
 * /etc/localtime at each g_date_time_new_now_local()). */
static gboolean write_result(struct fs_resultdb *db, const struct run_result *res,
			     gint64 pid, GTimeZone *tz, const GPtrArray *extra, GError **error)
{
	const struct sim_run_config *cfg = res->cfg;
	g_autofree char *stamp = NULL;
	g_autofree char *name = NULL;
	g_autoptr(GPtrArray) ivn = g_ptr_array_new(), ivv = g_ptr_array_new();
	g_autoptr(GPtrArray) ck = g_ptr_array_new(), cv = g_ptr_array_new();
	g_autoptr(GDateTime) now = g_date_time_new_now(tz);
	g_autofree char *policy_set = sim_policy_set_string(cfg);
	g_autoptr(GPtrArray) attr_names = g_ptr_array_new(), attr_values = g_ptr_array_new();
	struct fs_run_record rec = { 0 };

	g_ptr_array_add(attr_names, (gpointer)"faultsimVersion");
	g_ptr_array_add(attr_values, (gpointer)PACKAGE_VERSION);
	g_ptr_array_add(attr_names, (gpointer)"policySet");
	g_ptr_array_add(attr_values, policy_set);
	g_ptr_array_add(attr_names, (gpointer)"description");
	g_ptr_array_add(attr_values, (gpointer)(cfg->description ? cfg->description : ""));
	if (res->error || res->deadlock) {
		g_ptr_array_add(attr_names, (gpointer)(res->error ? "error" : "deadlock"));
		g_ptr_array_add(attr_values, res->error ? res->error : res->deadlock);
	}
	for (guint i = 0; extra && i + 1 < extra->len; i += 2) {
		g_ptr_array_add(attr_names, extra->pdata[i]);
		g_ptr_array_add(attr_values, extra->pdata[i + 1]);
	}

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
	rec.attr_names = (const char *const *)attr_names->pdata;
	rec.attr_values = (const char *const *)attr_values->pdata;
	rec.n_attrs = attr_names->len;
	rec.status = res->status;
	rec.wall_time_s = res->wall_s;
	rec.events = res->events;
	rec.sim_time_ns = res->sim_time_ns;
	rec.measurements = res->meas;
	return fs_resultdb_write_run(db, &rec, NULL, error);
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
 * The study as the writer sees it: runs to claim, runs out with the
 * workers, finished runs waiting to be written.
 */
struct study_run {
	struct run_ctx *ctx;
	struct fs_resultdb *db;
	const char *db_path;
	gint64 pid;
	GTimeZone *tz;			/* local */
	int jobs;
	gboolean quiet, progress;

	GArray *todo;			/* guint: runs to claim, in order */
	guint next;			/* the next of them to look at */
	GArray *held;			/* guint: runs a live process held */
	gboolean second_look;		/* todo is now the held runs, once more */
	guint total;

	guint started, finished;	/* runs handed out, results back */
	GPtrArray *pending;		/* struct run_result *: not written yet */
	gint64 begun, last_flush;
	guint64 events;

	guint written, failed, not_run, done_elsewhere, left_to_others;
	gboolean broken;		/* the database failed: stop */
	int status;
};

/* Whether runs are left to claim. */
static gboolean more_to_claim(const struct study_run *sr)
{
	return sr->next < sr->todo->len || (!sr->second_look && sr->held->len);
}

/* Runs to claim for the workers to have enough until the next flush. */
static guint claim_target(const struct study_run *sr)
{
	double el = (double)(g_get_monotonic_time() - sr->begun) / 1e6;
	double rate = el > 0.05 ? sr->finished / el : 0;
	guint ahead = (guint)MIN(rate * FLUSH_MS / 1000.0 * 2, (double)AHEAD_MAX);

	return (guint)sr->jobs + MAX(ahead, (guint)sr->jobs);
}

/* Claim up to @n runs (inside the open batch) into @claimed (struct
 * run_result with the run's number and configuration). */
static gboolean claim_runs(struct study_run *sr, guint n, GPtrArray *claimed, GError **error)
{
	while (claimed->len < n) {
		g_autofree char *holder = NULL;
		struct sim_run_config *cfg;
		enum fs_claim what;
		gboolean ok;
		guint r;

		if (sr->next >= sr->todo->len) {
			if (sr->second_look || !sr->held->len)
				break;
			/* Once through: the runs held by others, once more,
			 * in case their processes died meanwhile. */
			g_array_set_size(sr->todo, 0);
			g_array_append_vals(sr->todo, sr->held->data, sr->held->len);
			g_array_set_size(sr->held, 0);
			sr->next = 0;
			sr->second_look = TRUE;
			continue;
		}
		r = g_array_index(sr->todo, guint, sr->next++);
		cfg = sim_study_run_new(sr->ctx->study, r);
		ok = fs_resultdb_claim(sr->db, cfg->hash, r, &what, &holder, error);
		if (!ok || (what != FS_CLAIM_NEW && what != FS_CLAIM_TAKEN_OVER))
			sim_run_config_free(cfg);
		if (!ok)
			return FALSE;
		switch (what) {
		case FS_CLAIM_TAKEN_OVER:
			if (!sr->quiet)
				fprintf(stderr, "%sfaultsim run: run %u: taking over the claim of %s\n",
					sr->progress ? "\n" : "", r, holder);
			/* fall through */
		case FS_CLAIM_NEW: {
			struct run_result *res = g_new0(struct run_result, 1);

			res->runnumber = r;
			res->cfg = cfg;
			g_ptr_array_add(claimed, res);
			break;
		}
		case FS_CLAIM_DONE:
			sr->done_elsewhere++;
			break;
		case FS_CLAIM_HELD:
			if (sr->second_look)
				sr->left_to_others++;
			else
				g_array_append_val(sr->held, r);
			break;
		}
	}
	return TRUE;
}

/*
 * Write the pending runs (if @write) and claim @claim more, in one
 * transaction; then start the runs claimed.  A run that cannot be written
 * rolls the transaction back: it is left out and the rest written again.
 */
static void flush(struct study_run *sr, gboolean write, guint claim)
{
	g_autoptr(GPtrArray) claimed =
		g_ptr_array_new_with_free_func((GDestroyNotify)run_result_free);
	g_autoptr(GError) error = NULL;
	guint ok, not_run;

	if (write)
		sr->last_flush = g_get_monotonic_time();
again:
	g_ptr_array_set_size(claimed, 0);
	ok = not_run = 0;
	if (!fs_resultdb_begin(sr->db, &error))
		goto broken;
	for (guint i = 0; write && i < sr->pending->len; i++) {
		struct run_result *res = sr->pending->pdata[i];
		gboolean done = FALSE;

		res->elsewhere = FALSE;
		if (!res->status || res->unwritable) {
			/* Not run, stopped, or not writable: its claim goes
			 * back. */
			not_run += !res->status;
			if (!fs_resultdb_unclaim(sr->db, res->cfg->hash, res->runnumber, &error))
				goto broken;
			continue;
		}
		/* Its claim outlived the claim limit and another process ran it
		 * too: the first one written stays. */
		if (!fs_resultdb_run_written(sr->db, res->cfg->hash, res->runnumber, &done, &error))
			goto broken;
		if (done) {
			res->elsewhere = TRUE;
			if (!fs_resultdb_unclaim(sr->db, res->cfg->hash, res->runnumber, &error))
				goto broken;
			continue;
		}
		if (!write_result(sr->db, res, sr->pid, sr->tz, sr->ctx->attrs, &error)) {
			fprintf(stderr, "%sfaultsim run: run %u not written: %s\n",
				sr->progress ? "\n" : "", res->runnumber, error->message);
			g_clear_error(&error);
			sr->status = 1;
			res->unwritable = TRUE;
			if (!fs_resultdb_in_batch(sr->db))
				goto again;
			continue;
		}
		ok++;
	}
	if (claim && !claim_runs(sr, claim, claimed, &error))
		goto broken;
	if (!fs_resultdb_commit(sr->db, &error))
		goto broken;
	sr->written += ok;
	sr->not_run += not_run;
	for (guint i = 0; write && i < sr->pending->len; i++) {
		const struct run_result *res = sr->pending->pdata[i];

		if (res->elsewhere)
			fprintf(stderr, "%sfaultsim run: run %u was written meanwhile by another "
				"process; not written again\n", sr->progress ? "\n" : "", res->runnumber);
	}
	if (write)
		g_ptr_array_set_size(sr->pending, 0);
	/* The runs go to the workers (run_start() takes them). */
	g_ptr_array_set_free_func(claimed, NULL);
	for (guint i = 0; i < claimed->len; i++) {
		struct run_result *res = claimed->pdata[i];
		guint r = res->runnumber;

		if (!run_start(sr->ctx, res, &error)) {
			fprintf(stderr, "%sfaultsim run: run %u not started: %s\n",
				sr->progress ? "\n" : "", r, error->message);
			g_clear_error(&error);
			sr->status = 1;
			sr->broken = TRUE;
			continue;
		}
		sr->started++;
	}
	if (sr->progress)
		print_progress(sr->finished, sr->total, sr->events, sr->begun);
	return;

broken:
	/* The database failed (locked for longer than the busy timeout, a
	 * full disk, an I/O error): what this batch held is not written, and
	 * nothing new starts. */
	fs_resultdb_rollback(sr->db);
	fprintf(stderr, "%sfaultsim run: %s\n", sr->progress ? "\n" : "", error->message);
	if (write && sr->pending->len)
		fprintf(stderr, "faultsim run: %u finished runs not written\n", sr->pending->len);
	if (write)
		g_ptr_array_set_size(sr->pending, 0);
	sr->status = 1;
	sr->broken = TRUE;
}

/* A finished run back from its worker: say what went wrong, keep it for
 * the next flush. */
static void run_finished(struct study_run *sr, struct run_result *res)
{
	const struct sim_run_config *cfg = res->cfg;

	sr->finished++;
	sr->events += res->events;
	if (res->deadlock)
		fprintf(stderr, "%sfaultsim run: run %u (%s) deadlocked; recorded with "
			"status deadlock:\n%s", sr->progress ? "\n" : "", cfg->runnumber,
			cfg->iterationvars && *cfg->iterationvars ? cfg->iterationvars :
			"no variables", res->deadlock);
	if (res->error) {
		fprintf(stderr, "%sfaultsim run: run %u failed: %s\n", sr->progress ? "\n" : "",
			cfg->runnumber, res->error);
		sr->failed++;
	}
	g_ptr_array_add(sr->pending, res);
}

/*
 * The writer's loop: claim, hand out, collect, write, until every run is
 * done, held by another process, or (after a signal) not to be started.
 */
static void study_loop(struct study_run *sr)
{
	gboolean stopping = FALSE, killed = FALSE;

	sr->begun = sr->last_flush = g_get_monotonic_time();
	for (;;) {
		int sig = signals_seen();
		gint64 now = g_get_monotonic_time();
		guint busy = sr->started - sr->finished, target;
		gboolean more, due;
		struct run_result *res;
		int wait_ms;

		if (sig >= 1 || sr->broken)
			stopping = TRUE;
		if (sig >= 2 && sr->ctx->isolate && !killed) {
			children_kill(sr->ctx);
			killed = TRUE;
		}
		more = !stopping && more_to_claim(sr);
		target = claim_target(sr);
		/* A commit costs a write of every page it changed: finished
		 * runs are written together, by time or number; claims for
		 * workers about to run dry go in a small transaction of
		 * their own. */
		due = sr->pending->len >= FLUSH_RUNS ||
		      (sr->pending->len && now - sr->last_flush >= FLUSH_MS * 1000) ||
		      (!more && busy == 0 && sr->pending->len);
		if (!sr->broken && (due || (more && busy <= target / 2))) {
			flush(sr, due, more && busy < target ? target - busy : 0);
			continue;
		}
		if (!more && busy == 0) {
			g_ptr_array_set_size(sr->pending, 0);	/* a broken database's */
			break;
		}
		wait_ms = FLUSH_MS;
		if (sr->pending->len)
			wait_ms = (int)CLAMP((sr->last_flush + FLUSH_MS * 1000 - now) / 1000, 1, FLUSH_MS);
		res = run_next(sr->ctx, busy ? wait_ms : 0);
		if (!res && !busy)
			g_usleep(1000);	/* only a flush to do, after a broken one */
		while (res) {
			run_finished(sr, res);
			res = run_next(sr->ctx, 0);
		}
	}
}

/* Runs with the same resolved keys build the same machine (repetitions
 * differ only in their seed): the machine check builds one of each. */
static guint entries_hash(gconstpointer p)
{
	const struct sim_run_config *cfg = p;
	guint h = cfg->n_entries;

	for (guint i = 0; i < cfg->n_entries; i++)
		h = h * 31 + g_str_hash(cfg->entries[i].name) * 17 + g_str_hash(cfg->entries[i].value);
	return h;
}

static gboolean entries_equal(gconstpointer pa, gconstpointer pb)
{
	const struct sim_run_config *a = pa, *b = pb;

	if (a->n_entries != b->n_entries)
		return FALSE;
	for (guint i = 0; i < a->n_entries; i++)
		if (strcmp(a->entries[i].name, b->entries[i].name) != 0 ||
		    strcmp(a->entries[i].value, b->entries[i].value) != 0)
			return FALSE;
	return TRUE;
}

/*
 * Before anything is built: each selected run must fit in what this
 * process can still map and allocate (sim_model_needs(): a run of 40000
 * threads needs 80000 memory maps), else the error names the run and the
 * limit.  *@most gets the largest needs of any run, for -j.  The runs are
 * built one at a time: the first of each distinct configuration goes into
 * @distinct (owned there), for the machine check; the needs are the
 * configuration's, so the others are let go unlooked at.
 */
static gboolean preflight(const char *scenario, const struct sim_study *study, GArray *runs,
			  const struct sim_model_room *room, struct sim_model_needs *most,
			  GPtrArray *distinct, GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(entries_hash, entries_equal);
	gboolean have_last = FALSE;
	guint last = 0;

	*most = (struct sim_model_needs){ 0 };
	for (guint i = 0; i < runs->len; i++) {
		guint values = sim_study_values_of(study, g_array_index(runs, guint, i));
		struct sim_run_config *cfg;
		struct sim_model_needs needs;

		/* The repetitions of a combination come in a row, with its
		 * values: one is built (a million-run study has ten). */
		if (have_last && values == last)
			continue;
		have_last = TRUE;
		last = values;
		cfg = sim_study_run_new(study, g_array_index(runs, guint, i));

		/* g_hash_table_add() of a key already there would put @cfg in
		 * its place: test first, so that the one kept is the one
		 * @distinct owns. */
		if (g_hash_table_contains(seen, cfg)) {
			sim_run_config_free(cfg);
			continue;
		}
		g_hash_table_add(seen, cfg);
		g_ptr_array_add(distinct, cfg);
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

struct sim_policies *cli_policies_new_loading(char **plugins, const char *ini_path, char **sets,
					      gboolean load_named, GError **error)
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
		if (!(load_named ? sim_policies_load_plugin(reg, named[i], error)
				 : sim_policies_name_plugin(reg, named[i], error)))
			return NULL;
	return g_steal_pointer(&reg);
}

struct sim_policies *cli_policies_new(char **plugins, const char *ini_path, char **sets,
				      GError **error)
{
	return cli_policies_new_loading(plugins, ini_path, sets, FALSE, error);
}

struct sim_study *cli_study_open(const char *cmd, char **plugins, const char *path,
				 const char *config, char **sets, gboolean load_named,
				 struct sim_keys **keys)
{
	g_autoptr(GError) error = NULL;
	struct sim_policies *policies = cli_policies_new_loading(plugins, path, sets, load_named,
								 &error);
	struct sim_study *study;

	*keys = NULL;
	if (!policies) {
		fprintf(stderr, "faultsim %s: %s\n", cmd, error->message);
		return NULL;
	}
	*keys = cli_keys_new_with(policies);
	study = sim_study_new(path, config, sets, *keys, &error);
	if (!study)
		fprintf(stderr, "faultsim %s: %s\n", cmd, error->message);
	return study;
}

/* A time from --claim-timeout or FAULTSIM_CLAIM_TIMEOUT, in seconds: a
 * time as keys take it, or a number of minutes, hours or days ("90min",
 * "24h", "2d"). */
static gboolean parse_claim_timeout(const char *text, const char *what, double *seconds)
{
	static const struct {
		const char *unit;
		double s;
	} long_units[] = { { "min", 60 }, { "h", 3600 }, { "d", 86400 } };
	g_autoptr(GError) error = NULL;
	sim_time_t ns;
	char *end;
	double v = g_ascii_strtod(text, &end);

	for (guint i = 0; i < G_N_ELEMENTS(long_units); i++)
		if (end != text && strcmp(end, long_units[i].unit) == 0 && v > 0 && v < 1e6) {
			*seconds = v * long_units[i].s;
			return TRUE;
		}
	if (!sim_parse_time(text, &ns, &error) || ns <= 0) {
		fprintf(stderr, "faultsim run: %s '%s': %s\n", what, text,
			error ? error->message : "must be positive");
		return FALSE;
	}
	*seconds = (double)ns / 1e9;
	return TRUE;
}

int cmd_run(int argc, char **argv)
{
	g_autofree char *config = NULL, *runs_spec = NULL, *query_s = NULL;
	g_autofree char *db_opt = NULL;	/* GOption replaces, never frees, a default */
	g_autofree char *claim_timeout = NULL;
	g_auto(GStrv) sets = NULL;
	g_auto(GStrv) plugins = NULL;
	int jobs = 1;
	gboolean quiet = FALSE, isolate = FALSE, no_isolate = FALSE;
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
		  "print what would run, do nothing (loads no plugin the scenario names): "
		  "numruns, runnumbers or itervars", "WHAT" },
		{ "quiet", 0, 0, G_OPTION_ARG_NONE, &quiet, "no progress line", NULL },
		{ "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugins,
		  "load a policy plugin (repeatable)", "PATH" },
		{ "isolate", 0, 0, G_OPTION_ARG_NONE, &isolate,
		  "each run in a process of its own: a crash fails that run only "
		  "(default when a plugin is loaded)", NULL },
		{ "no-isolate", 0, 0, G_OPTION_ARG_NONE, &no_isolate,
		  "runs on threads even with a plugin", NULL },
		{ "claim-timeout", 0, 0, G_OPTION_ARG_STRING, &claim_timeout,
		  "take over runs another process claimed longer ago than this (default 24h, "
		  "or FAULTSIM_CLAIM_TIMEOUT): 90s, 30min, 24h, 2d", "TIME" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;
	enum query query = QUERY_NONE;
	double claim_limit = FS_RESULTDB_CLAIM_LIMIT_S;
	const char *env_timeout = g_getenv("FAULTSIM_CLAIM_TIMEOUT");

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
	if (isolate && no_isolate) {
		fprintf(stderr, "faultsim run: --isolate and --no-isolate: choose one\n");
		return EXIT_USAGE;
	}
	if (claim_timeout ? !parse_claim_timeout(claim_timeout, "--claim-timeout", &claim_limit)
			  : env_timeout && !parse_claim_timeout(env_timeout, "FAULTSIM_CLAIM_TIMEOUT",
								&claim_limit))
		return EXIT_USAGE;

	const char *db_path = db_opt ? db_opt : "results.db";

	/* A --db that cannot be a results database (a URI, a device, a
	 * missing directory) is a usage error, found first. */
	if (query == QUERY_NONE && !fs_resultdb_check_path(db_path, FALSE, NULL, &error)) {
		fprintf(stderr, "faultsim run: --db %s\n", error->message);
		return EXIT_USAGE;
	}

	/* Only a run loads the plugins the scenario names. */
	struct sim_policies *policies = cli_policies_new_loading(plugins, argv[1], sets,
								 query == QUERY_NONE, &error);

	if (!policies) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		return EXIT_USAGE;
	}
	if (sim_policies_plugins(policies) && !no_isolate)
		isolate = TRUE;
	g_autoptr(GPtrArray) provenance = plugin_provenance(policies, &error);

	if (!provenance) {
		fprintf(stderr, "faultsim run: plugin: %s\n", error->message);
		sim_policies_free(policies);
		return EXIT_USAGE;
	}
	g_autoptr(sim_keys) keys = cli_keys_new_with(policies);
	g_autoptr(sim_study) study = sim_study_new(argv[1], config, sets, keys, &error);

	if (!study) {
		g_autofree char *hint = error->domain == SIM_ERROR &&
					error->code == SIM_ERROR_UNKNOWN ?
					plugin_hint(db_path, error->message, policies) : NULL;

		fprintf(stderr, "faultsim run: %s%s\n", error->message, hint ? hint : "");
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
			g_autoptr(sim_run_config) cfg =
				sim_study_run_new(study, g_array_index(runs, guint, i));

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
	{
		g_autoptr(GPtrArray) distinct =
			g_ptr_array_new_with_free_func((GDestroyNotify)sim_run_config_free);

		if (!preflight(argv[1], study, runs, &room, &most, distinct, &error)) {
			fprintf(stderr, "faultsim run: %s\n", error->message);
			g_array_unref(runs);
			return EXIT_USAGE;
		}
		for (guint i = 0; i < distinct->len; i++) {
			const struct sim_run_config *cfg = distinct->pdata[i];
			struct sim_engine *eng;
			struct sim_model *m;

			eng = sim_engine_new(cfg->seed);
			m = sim_model_build(eng, cfg, &error);
			sim_model_free(m);
			sim_engine_free(eng);
			if (!m) {
				fprintf(stderr, "faultsim run: %s: run %u (%s): %s\n", argv[1],
					cfg->runnumber, cfg->iterationvars && *cfg->iterationvars ?
					cfg->iterationvars : "no variables", error->message);
				g_array_unref(runs);
				return EXIT_USAGE;
			}
		}
	}

	/* The database: ours (or new) and writable, before anything runs. */
	g_autoptr(fs_resultdb) db = fs_resultdb_open(db_path, &error);

	if (!db) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		g_array_unref(runs);
		return error->code == SIM_ERROR_PARSE ? EXIT_USAGE : 1;
	}
	fs_resultdb_set_claim_limit(db, claim_limit);
	g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(guint));
	/* The first run to do of each configuration and iteration variables,
	 * to look for other versions of it. */
	g_autoptr(GArray) firsts = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GHashTable) versions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
								NULL);

	gboolean resume = FALSE;

	if (!fs_resultdb_any_run(db, &resume, &error)) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		g_array_unref(runs);
		return 1;
	}
	/* A file with no run: every run is to do, and there is no other
	 * version of a configuration to warn about. */
	if (!resume)
		g_array_append_vals(todo, runs->data, runs->len);
	for (guint i = 0; resume && i < runs->len; i++) {
		guint r = g_array_index(runs, guint, i);
		g_autoptr(sim_run_config) cfg = sim_study_run_new(study, r);
		gboolean done = FALSE;

		if (!fs_resultdb_run_done(db, cfg->hash, &done, &error)) {
			fprintf(stderr, "faultsim run: %s\n", error->message);
			g_array_unref(runs);
			return 1;
		}
		if (done)
			continue;
		g_array_append_val(todo, r);
		if (g_hash_table_add(versions, g_strconcat(cfg->config_name, "\x1f",
							   cfg->iterationvars ? cfg->iterationvars : "",
							   NULL)))
			g_array_append_val(firsts, r);
	}
	guint skipped_done = runs->len - todo->len;

	g_array_unref(runs);
	if (skipped_done && !quiet)
		fprintf(stderr, "faultsim run: %u of %u runs already in %s; running %u\n",
			skipped_done, skipped_done + todo->len, db_path, todo->len);
	if (!warn_other_versions(db, db_path, study, firsts, &error)) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		return 1;
	}

	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;

	sigemptyset(&sa.sa_mask);
	atomic_store(&run_signals, 0);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	struct run_ctx ctx = { .study = study, .attrs = provenance, .isolate = isolate };
	g_autoptr(GArray) held = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func((GDestroyNotify)run_result_free);
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	struct study_run sr = {
		.ctx = &ctx, .db = db, .db_path = db_path, .pid = (gint64)getpid(), .tz = tz,
		.quiet = quiet, .progress = !quiet && isatty(STDERR_FILENO),
		.todo = todo, .held = held, .total = todo->len, .pending = pending,
	};

	jobs = cap_jobs(jobs, todo->len, &most, &room, quiet);
	sr.jobs = jobs;
	g_queue_init(&ctx.ready);
	if (isolate) {
		ctx.children = g_array_new(FALSE, FALSE, sizeof(struct child));
	} else {
		/* The writer only appends to the -wal: copying it into the
		 * database is another thread's (a core the workers of short
		 * runs leave idle). */
		if (!fs_resultdb_checkpoint_thread(db, &error)) {
			fprintf(stderr, "faultsim run: %s\n", error->message);
			return 1;
		}
		ctx.done = g_async_queue_new();
		/* Runs go in ascending order; the thread pool keeps it. */
		ctx.pool = g_thread_pool_new(worker, &ctx, jobs, TRUE, NULL);
	}

	study_loop(&sr);

	if (ctx.pool)
		g_thread_pool_free(ctx.pool, FALSE, TRUE);
	if (ctx.done)
		g_async_queue_unref(ctx.done);
	if (ctx.children)
		g_array_unref(ctx.children);
	/* Claims not given back one by one (a broken database). */
	if (!fs_resultdb_unclaim_all(db, &error)) {
		fprintf(stderr, "faultsim run: %s\n", error->message);
		g_clear_error(&error);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (sr.progress)
		fprintf(stderr, "\n");
	if (!quiet) {
		fprintf(stderr, "faultsim run: %u runs written to %s%s\n", sr.written, db_path,
			signals_seen() ? " (interrupted: the rest was not started)" : "");
		if (sr.done_elsewhere || sr.left_to_others)
			fprintf(stderr, "faultsim run: %u runs done by other processes meanwhile, "
				"%u still running in other processes\n", sr.done_elsewhere,
				sr.left_to_others);
	}
	if (sr.failed)
		sr.status = 1;
	if (signals_seen())
		sr.status = 130;
	return sr.status;
}
