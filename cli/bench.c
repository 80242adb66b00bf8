/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim bench: the simulator's own speed, as "NAME VALUE" lines that
 * scripts can read.  Wall-clock time is read here, and only here: it
 * measures the simulator, never the model.
 *
 *   engine  the classic hold model (pop the earliest event, push one at
 *           now + exp(1 s)) with 1e3, 1e5 and 1e6 pending events, in events
 *           per wall second; and the cost of one task stack switch in ns
 *           (half a round trip between two contexts), plus the cost of a
 *           whole sim_yield() through the engine (two switches, one event).
 *   faults  whole runs of the model on one core: a minor-fault-dominated
 *           one (threads touching fresh anonymous memory) and one with
 *           contention and I/O (random major faults on a file four times
 *           larger than memory, an mmap_sem writer and a /proc reader):
 *           simulated page faults and events per wall second, peak RSS.
 *   disk, pagecache: see cli/bench-disk.c and cli/bench-pagecache.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <math.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "sim/core/context.h"
#include "sim/model/model.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"
#include "sim/core/engine.h"
#include "sim/core/task.h"

static gboolean opt_quick;

struct hold {
	gsl_rng *r;
	double mean;
};

static void hold_event(struct sim_engine *eng, void *data)
{
	struct hold *h = data;

	/* exp(1 s), drawn as -mean ln U (log() is much cheaper than the
	 * log1p() gsl_ran_exponential uses; the law is the same). */
	sim_schedule(eng, (sim_time_t)(-h->mean * log(gsl_rng_uniform_pos(h->r))) + 1,
		     hold_event, h);
}

static double bench_hold(size_t pending, uint64_t events)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct hold h = { sim_rng(eng, "hold"), 1e9 };	/* exp(1 s) in ns */
	gint64 start;
	uint64_t before;

	for (size_t i = 0; i < pending; i++)
		hold_event(eng, &h);
	/* Warm up: let the heap reach its steady shape. */
	sim_set_event_limit(eng, pending);
	sim_run(eng);
	before = sim_events_dispatched(eng);
	sim_set_event_limit(eng, before + events);
	start = g_get_monotonic_time();
	sim_run(eng);
	gint64 us = g_get_monotonic_time() - start;

	g_assert(sim_events_pending(eng) == pending);
	return (double)(sim_events_dispatched(eng) - before) * 1e6 / (double)(us ? us : 1);
}

/* Raw context switch: ping-pong between the bench's stack and a
 * coroutine that switches straight back. */
struct pingpong {
	struct sim_context main, co;
	uint64_t n;
};

static void pingpong_entry(void *arg)
{
	struct pingpong *p = arg;

	for (;;)
		sim_context_switch(&p->co, &p->main);
}

static double bench_switch(uint64_t rounds)
{
	struct pingpong p = { .n = rounds };
	size_t size = 64 * 1024;
	void *stack = g_malloc(size);
	gint64 start;

	sim_context_make(&p.co, stack, size, pingpong_entry, &p);
	sim_context_switch(&p.main, &p.co);	/* warm */
	start = g_get_monotonic_time();
	for (uint64_t i = 0; i < rounds; i++)
		sim_context_switch(&p.main, &p.co);
	gint64 us = g_get_monotonic_time() - start;

	g_free(stack);
	/* Each round is two switches. */
	return (double)us * 1e3 / (double)(2 * rounds);
}

static void yielder(struct sim_task *t, void *arg)
{
	uint64_t n = *(uint64_t *)arg;

	for (uint64_t i = 0; i < n; i++)
		sim_yield(t);
}

static double bench_yield(uint64_t rounds)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	gint64 start;

	sim_task_spawn(eng, "yielder", yielder, &rounds);
	start = g_get_monotonic_time();
	sim_run(eng);
	return (double)(g_get_monotonic_time() - start) * 1e3 / (double)rounds;
}

static void bench_engine(void)
{
	uint64_t scale = opt_quick ? 100 : 1;
	static const struct {
		size_t pending;
		uint64_t events;
	} holds[] = {
		{ 1000, 30000000 },
		{ 100000, 15000000 },
		{ 1000000, 8000000 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(holds); i++) {
		double eps = bench_hold(holds[i].pending, holds[i].events / scale);

		printf("hold.%zu.events_per_s %.0f\n", holds[i].pending, eps);
		fflush(stdout);
	}
	printf("switch.ns %.2f\n", bench_switch(50000000 / scale));
	printf("task.yield.ns %.2f\n", bench_yield(10000000 / scale));
	fflush(stdout);
}

/*
 * One run of the model, configured by key=value overrides alone: simulated
 * faults per wall second and events per wall second.
 */
static void bench_model_run(const char *name, char **set)
{
	g_autoptr(sim_keys) keys = cli_keys_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = sim_study_new(NULL, NULL, set, keys, &error);

	if (!study)
		g_error("bench %s: %s", name, error->message);
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);

	if (!m)
		g_error("bench %s: %s", name, error->message);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));

	gint64 start = g_get_monotonic_time();

	sim_run(eng);

	double secs = (double)(g_get_monotonic_time() - start) / 1e6;
	uint64_t faults = *sim_stats_counter(sim_engine_stats(eng), "fault", "faults");
	uint64_t major = *sim_stats_counter(sim_engine_stats(eng), "fault", "majfault");
	struct rusage ru;

	sim_model_free(m);
	printf("faults.%s.faults_per_s %.0f\n", name, (double)faults / secs);
	printf("faults.%s.events_per_s %.0f\n", name, (double)sim_events_dispatched(eng) / secs);
	printf("faults.%s.faults %" G_GUINT64_FORMAT "\n", name, faults);
	printf("faults.%s.major_fraction %.3f\n", name, faults ? (double)major / (double)faults : 0.0);
	getrusage(RUSAGE_SELF, &ru);
	printf("faults.%s.peak_rss_kib %ld\n", name, ru.ru_maxrss);
	fflush(stdout);
	sim_engine_free(eng);
}

static void bench_faults(void)
{
	/* Minor faults: every touch is a first touch of anonymous memory. */
	char *minor[] = {
		(char *)"machine.cpus=4",
		(char *)"memory.limit=16GiB",
		(char *)"workload.app.kind=fault",
		(char *)"workload.app.mapping=anon",
		(char *)"workload.app.anon_size=8GiB",
		(char *)"workload.app.threads=4",
		(char *)"workload.app.work=0",
		(char *)"workload.app.think=0",
		opt_quick ? (char *)"sim-time-limit=20ms" : (char *)"sim-time-limit=500ms",
		NULL,
	};
	/* Contention and I/O: random reads of a file larger than memory. */
	char *contended[] = {
		(char *)"machine.cpus=8",
		(char *)"memory.limit=96MiB",
		(char *)"disk.latency=exp(100us)",
		(char *)"workload.app.kind=fault",
		(char *)"workload.app.threads=16",
		(char *)"workload.app.file_size=128MiB",
		(char *)"workload.app.pattern=zipf(0.9)",
		(char *)"workload.app.work=exp(1us)",
		(char *)"workload.app.think=0",
		(char *)"workload.app.write_fraction=0.2",
		(char *)"workload.app.mmap_writers=1",
		(char *)"workload.app.writer_interval=exp(200us)",
		(char *)"workload.app.proc_readers=1",
		(char *)"workload.app.proc_interval=exp(500us)",
		opt_quick ? (char *)"sim-time-limit=20ms" : (char *)"sim-time-limit=1s",
		NULL,
	};

	bench_model_run("minor", minor);
	bench_model_run("contended", contended);
}

static void run_disk(void)
{
	bench_disk(opt_quick);
}

static void run_pagecache(void)
{
	bench_pagecache(opt_quick);
}

static const struct {
	const char *name;
	void (*fn)(void);
	const char *summary;
} benches[] = {
	{ "engine", bench_engine, "event set (hold model) and task switch" },
	{ "faults", bench_faults, "whole model runs: simulated page faults per wall second, peak RSS" },
	{ "disk", run_disk, "the disk alone under Poisson arrivals (M/M/1 at utilisation 0.9)" },
	{ "pagecache", run_pagecache, "bytes per cached page, lookups and inserts in a 4 M-page file" },
};

int cmd_bench(int argc, char **argv)
{
	GOptionEntry entries[] = {
		{ "quick", 'q', 0, G_OPTION_ARG_NONE, &opt_quick,
		  "run each measurement 100 times shorter (to check that it works)", NULL },
		{ NULL }
	};
	g_autoptr(GString) desc = g_string_new("Benchmarks (default: all):\n");

	for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
		g_string_append_printf(desc, "  %-10s %s\n", benches[i].name, benches[i].summary);
	g_string_append(desc, "\nOutput: one 'NAME VALUE' line per figure.");
	opt_quick = FALSE;
	{
		g_autoptr(GOptionContext) ctx = g_option_context_new("[BENCHMARK...]");
		g_autoptr(GError) error = NULL;

		g_set_prgname("faultsim bench");
		g_option_context_set_summary(ctx, "Measure the simulator's own speed.");
		g_option_context_set_description(ctx, desc->str);
		g_option_context_add_main_entries(ctx, entries, NULL);
		if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
			fprintf(stderr, "faultsim bench: %s\n", error->message);
			return EXIT_USAGE;
		}
	}
	for (int a = 1; a < argc; a++) {
		bool found = false;

		for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
			found |= !strcmp(argv[a], benches[i].name);
		if (!found) {
			fprintf(stderr, "faultsim bench: unknown benchmark '%s'; accepted:", argv[a]);
			for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
				fprintf(stderr, " %s", benches[i].name);
			fprintf(stderr, "\n");
			return EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(benches); i++) {
		bool run = argc < 2;

		for (int a = 1; a < argc; a++)
			run |= !strcmp(argv[a], benches[i].name);
		if (run)
			benches[i].fn();
	}
	return 0;
}
