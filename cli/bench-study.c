/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim bench study: whole studies through `faultsim run`, as "NAME
 * VALUE" lines (cli/bench.h: rounds, medians, spreads).  Each study runs in
 * a child process (this program, run as `faultsim run`), into a database
 * in a temporary directory; its CPU time is the child's, all its threads
 * (the writer and the workers) together.
 *
 *   study.tiny.runs_per_s      a study of 4000 tiny runs (one thread,
 *                              1 us of simulated time) at -j 2: runs
 *                              written per wall second and per CPU second
 *                              (_per_cpu_s); the single writer bounds it
 *   study.million.max_rss_mb   a study of 1,000,000 such runs, stopped
 *                              after 30 s: the most resident memory of the
 *                              process over those 30 s (VmHWM), and the
 *                              runs written meanwhile per wall second
 *
 * --quick: 400 tiny runs, and 3 s of the million.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cli/bench.h"

/* A tiny run: one thread of the default workload for 1 us. */
static const char tiny_ini[] =
	"[General]\n"
	"workload.a.threads = 1\n"
	"sim-time-limit = 1us\n"
	"repeat = %u\n";

/* A million of them: ten values of a key, each repeated 100000 times. */
static const char million_ini[] =
	"[General]\n"
	"workload.a.threads = 1\n"
	"workload.a.ops = ${i=1..10}\n"
	"sim-time-limit = 1us\n"
	"repeat = 100000\n";

/* Start `faultsim run INI -j 2 --quiet --db DB` (this program); -1 if it
 * cannot be started. */
static pid_t start_run(const char *ini, const char *db)
{
	char *argv[] = { (char *)"faultsim", (char *)"run", (char *)ini, (char *)"-j",
			 (char *)"2", (char *)"--quiet", (char *)"--db", (char *)db, NULL };
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	return pid;
}

/* Wait for @pid; its CPU time (user and system, all threads) in ns, -1 if
 * it failed. */
static int64_t wait_run(pid_t pid, gboolean interrupted)
{
	struct rusage ru;
	int status;

	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	/* Interrupted: exit 130, or killed by the signal if it came before
	 * the runs started. */
	if (!(WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
				    (interrupted && WEXITSTATUS(status) == 130))) &&
	    !(interrupted && WIFSIGNALED(status) && WTERMSIG(status) == SIGINT))
		return -1;
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* "VmHWM" (peak resident memory) of @pid, in KiB; 0 if unknown. */
static guint64 peak_rss_kib(pid_t pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	p = strstr(text, "VmHWM:");
	return p ? g_ascii_strtoull(p + 6, NULL, 10) : 0;
}

/* Finished runs in the database at @db, read by the sqlite3 command if
 * there is one; -1 if not known. */
static int64_t runs_in(const char *db)
{
	g_autofree char *out = NULL;
	g_autofree char *cmd = NULL;
	g_autofree char *sqlite3 = g_find_program_in_path("sqlite3");
	g_autofree char *quoted = g_shell_quote(db);
	int status;

	if (!sqlite3)
		return -1;
	cmd = g_strdup_printf("%s %s 'SELECT count(*) FROM runStatus'", sqlite3, quoted);
	if (!g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL) || status != 0)
		return -1;
	return g_ascii_strtoll(out, NULL, 10);
}

static void remove_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		g_unlink(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

static void study_tiny(struct bench_out *out, const char *dir, gboolean quick)
{
	guint runs = quick ? 400 : 4000;
	g_autofree char *ini = g_build_filename(dir, "tiny.ini", NULL);
	g_autofree char *db = g_build_filename(dir, "tiny.db", NULL);
	g_autofree char *text = g_strdup_printf(tiny_ini, runs);
	struct bench_clock c;
	pid_t pid;

	if (!g_file_set_contents(ini, text, -1, NULL))
		return;
	c.wall = bench_clock_read(CLOCK_MONOTONIC);
	pid = start_run(ini, db);
	if (pid < 0)
		return;
	c.cpu = wait_run(pid, FALSE);
	c.wall = bench_clock_read(CLOCK_MONOTONIC) - c.wall;
	if (c.cpu < 0) {
		fprintf(stderr, "faultsim bench: study.tiny: faultsim run failed\n");
		return;
	}
	bench_rate(out, "study.tiny.runs", runs, &c);
}

static void study_million(struct bench_out *out, const char *dir, gboolean quick)
{
	gint64 window = (quick ? 3 : 30) * G_USEC_PER_SEC;
	g_autofree char *ini = g_build_filename(dir, "million.ini", NULL);
	g_autofree char *db = g_build_filename(dir, "million.db", NULL);
	guint64 peak = 0;
	gint64 start, end;
	int64_t written;
	pid_t pid;

	if (!g_file_set_contents(ini, million_ini, -1, NULL))
		return;
	start = g_get_monotonic_time();
	pid = start_run(ini, db);
	if (pid < 0)
		return;
	/* The peak as the child sees it, read until the end of the window
	 * (VmHWM never goes down: the last reading is the peak). */
	do {
		g_usleep(100000);
		peak = MAX(peak, peak_rss_kib(pid));
		end = g_get_monotonic_time();
	} while (end - start < window && waitpid(pid, NULL, WNOHANG) == 0);
	/* Two signals: the running runs stop at once. */
	kill(pid, SIGINT);
	g_usleep(200000);
	kill(pid, SIGINT);
	if (wait_run(pid, TRUE) < 0) {
		fprintf(stderr, "faultsim bench: study.million: faultsim run failed\n");
		return;
	}
	written = g_file_test(db, G_FILE_TEST_EXISTS) ? runs_in(db) : 0;
	bench_timed(out, "study.million.max_rss_mb", (double)peak / 1024, 1);
	if (written >= 0)
		bench_timed(out, "study.million.runs_per_s",
			    (double)written * 1e6 / (double)(end - start), 0);
}

void bench_study(struct bench_out *out, gboolean quick)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("faultsim-bench-XXXXXX", &error);

	if (!dir) {
		fprintf(stderr, "faultsim bench: study: %s\n", error->message);
		return;
	}
	study_tiny(out, dir, quick);
	study_million(out, dir, quick);
	remove_dir(dir);
}
