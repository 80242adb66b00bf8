/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim bench: the simulator's own speed, as "NAME VALUE" lines that
 * scripts can read (see cli/bench.h for rounds, medians, spreads and the
 * two clocks).
 *
 *   engine  the classic hold model (pop the earliest event, push one at
 *           now + exp(1 s)) with 1e3, 1e5 and 1e6 pending events, in events
 *           per second, as the engine runs it and with every event kept in
 *           its 4-ary heap (hold.N.heap_only.*); and the cost of one task stack switch in ns
 *           (half a round trip between two contexts), plus the cost of a
 *           whole sim_yield() through the engine (two switches, one event).
 *   faults  whole runs of the model on one core: a minor-fault-dominated
 *           one (threads touching fresh anonymous memory) and one with
 *           contention and I/O (random major faults on a file four times
 *           larger than memory, an mmap_sem writer and a /proc reader):
 *           simulated page faults and events per second, events per
 *           simulated fault (and steps per fault: events plus the steps
 *           the engine advanced in place), peak RSS.
 *   models, disk, pagecache, study: see cli/bench-models.c,
 *           cli/bench-disk.c, cli/bench-pagecache.c and cli/bench-study.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "cli/bench.h"
#include "sim/core/context.h"
#include "sim/model/model.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"
#include "sim/core/engine.h"
#include "sim/core/task.h"

static gboolean opt_quick;
/* --set: keys added to the model runs of bench faults. */
static char **opt_set;

/* ------------------------------------------------------------------ */
/* Figures over the rounds */

struct bench_fig {
	char *name;
	GArray *values;		/* double, one per round that reported it */
	int decimals;
	bool timed;		/* depends on the machine: report its spread */
};

struct bench_out {
	GPtrArray *figs;	/* struct bench_fig, in order of first report */
	GHashTable *by_name;	/* name -> struct bench_fig */
};

static void bench_fig_free(gpointer p)
{
	struct bench_fig *f = p;

	g_free(f->name);
	g_array_unref(f->values);
	g_free(f);
}

static struct bench_out *bench_out_new(void)
{
	struct bench_out *out = g_new0(struct bench_out, 1);

	out->figs = g_ptr_array_new_with_free_func(bench_fig_free);
	out->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	return out;
}

static void bench_out_free(struct bench_out *out)
{
	g_hash_table_unref(out->by_name);
	g_ptr_array_unref(out->figs);
	g_free(out);
}

static void bench_add(struct bench_out *out, const char *name, double value,
		      int decimals, bool timed)
{
	struct bench_fig *f = g_hash_table_lookup(out->by_name, name);

	if (!f) {
		f = g_new0(struct bench_fig, 1);
		f->name = g_strdup(name);
		f->values = g_array_new(FALSE, FALSE, sizeof(double));
		f->decimals = decimals;
		f->timed = timed;
		g_ptr_array_add(out->figs, f);
		g_hash_table_insert(out->by_name, f->name, f);
	}
	g_array_append_val(f->values, value);
}

void bench_figure(struct bench_out *out, const char *name, double value, int decimals)
{
	bench_add(out, name, value, decimals, false);
}

void bench_timed(struct bench_out *out, const char *name, double value, int decimals)
{
	bench_add(out, name, value, decimals, true);
}

void bench_rate(struct bench_out *out, const char *name, double count,
		const struct bench_clock *c)
{
	g_autofree char *wall = g_strdup_printf("%s_per_s", name);
	g_autofree char *cpu = g_strdup_printf("%s_per_cpu_s", name);

	bench_timed(out, wall, count * 1e9 / (double)c->wall, 0);
	bench_timed(out, cpu, count * 1e9 / (double)c->cpu, 0);
}

void bench_time_each(struct bench_out *out, const char *name, double count,
		     const struct bench_clock *c)
{
	g_autofree char *wall = g_strdup_printf("%s.ns", name);
	g_autofree char *cpu = g_strdup_printf("%s.cpu_ns", name);

	bench_timed(out, wall, (double)c->wall / count, 2);
	bench_timed(out, cpu, (double)c->cpu / count, 2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median (the mean of the middle two for an even count) of @v. */
static double median(GArray *v)
{
	size_t n = v->len;
	g_autofree double *s = g_new(double, n);

	memcpy(s, v->data, n * sizeof(double));

	qsort(s, n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void bench_out_print(const struct bench_out *out)
{
	for (guint i = 0; i < out->figs->len; i++) {
		const struct bench_fig *f = out->figs->pdata[i];
		double med = median(f->values);

		printf("%s %.*f\n", f->name, f->decimals, med);
		if (f->timed) {
			double lo = HUGE_VAL, hi = -HUGE_VAL;

			for (guint k = 0; k < f->values->len; k++) {
				lo = MIN(lo, g_array_index(f->values, double, k));
				hi = MAX(hi, g_array_index(f->values, double, k));
			}
			printf("%s.spread %.3f\n", f->name, med > 0 ? (hi - lo) / med : 0.0);
		}
	}
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* engine */

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

/* The hold model with @pending events; @heap_only: with every event in
 * the engine's 4-ary heap (no ladder), for comparison. */
static void bench_hold(struct bench_out *out, size_t pending, uint64_t events, bool heap_only)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct hold h = { sim_rng(eng, "hold"), 1e9 };	/* exp(1 s) in ns */
	g_autofree char *name = g_strdup_printf(heap_only ? "hold.%zu.heap_only.events" :
						"hold.%zu.events", pending);
	struct bench_clock c;
	uint64_t before;

	if (heap_only)
		sim_engine_set_heap_limit(eng, SIZE_MAX);

	for (size_t i = 0; i < pending; i++)
		hold_event(eng, &h);
	/* Warm up: let the event set reach its steady shape. */
	sim_set_event_limit(eng, pending);
	sim_run(eng);
	before = sim_events_dispatched(eng);
	sim_set_event_limit(eng, before + events);
	bench_clock_start(&c);
	sim_run(eng);
	bench_clock_stop(&c);

	g_assert(sim_events_pending(eng) == pending);
	bench_rate(out, name, (double)(sim_events_dispatched(eng) - before), &c);
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

static void bench_switch(struct bench_out *out, uint64_t rounds)
{
	struct pingpong p = { .n = rounds };
	size_t size = 64 * 1024;
	void *stack = g_malloc(size);
	struct bench_clock c;

	sim_context_make(&p.co, stack, size, pingpong_entry, &p);
	sim_context_switch(&p.main, &p.co);	/* warm */
	bench_clock_start(&c);
	for (uint64_t i = 0; i < rounds; i++)
		sim_context_switch(&p.main, &p.co);
	bench_clock_stop(&c);

	g_free(stack);
	/* Each round is two switches. */
	bench_time_each(out, "switch", (double)(2 * rounds), &c);
}

static void yielder(struct sim_task *t, void *arg)
{
	uint64_t n = *(uint64_t *)arg;

	for (uint64_t i = 0; i < n; i++)
		sim_yield(t);
}

static void bench_yield(struct bench_out *out, uint64_t rounds)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct bench_clock c;

	sim_task_spawn(eng, "yielder", yielder, &rounds);
	bench_clock_start(&c);
	sim_run(eng);
	bench_clock_stop(&c);
	bench_time_each(out, "task.yield", (double)rounds, &c);
}

static void bench_engine(struct bench_out *out)
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
		bench_hold(out, holds[i].pending, holds[i].events / scale, false);
		bench_hold(out, holds[i].pending, holds[i].events / scale, true);
	}
	bench_switch(out, 50000000 / scale);
	bench_yield(out, 10000000 / scale);
}

/* ------------------------------------------------------------------ */
/* faults */

/*
 * One run of the model, configured by key=value overrides alone:
 * simulated faults and events per second, events per simulated fault.
 */
static void bench_model_run(struct bench_out *out, const char *name, char **set)
{
	g_autoptr(sim_keys) keys = cli_keys_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = g_ptr_array_new();
	g_autoptr(sim_study) study = NULL;
	struct bench_clock c;

	for (char **k = set; *k; k++)
		g_ptr_array_add(all, *k);
	for (char **k = opt_set; k && *k; k++)
		g_ptr_array_add(all, *k);
	g_ptr_array_add(all, NULL);
	study = sim_study_new(NULL, NULL, (char **)all->pdata, keys, &error);

	if (!study)
		g_error("bench %s: %s", name, error->message);
	const struct sim_run_config *cfg = sim_study_run(study, 0);
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);

	if (!m)
		g_error("bench %s: %s", name, error->message);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));

	/* In faultsim run's slices, as a user's run goes. */
	bench_clock_start(&c);
	while (sim_run_for(eng, CLI_RUN_SLICE) == SIM_STOP_EVENTS)
		;
	bench_clock_stop(&c);

	uint64_t faults = *sim_stats_counter(sim_engine_stats(eng), "fault", "faults");
	uint64_t major = *sim_stats_counter(sim_engine_stats(eng), "fault", "majfault");
	uint64_t events = sim_events_dispatched(eng);
	g_autofree char *prefix = g_strdup_printf("faults.%s", name);
	g_autofree char *n_faults = g_strdup_printf("%s.faults", prefix);
	g_autofree char *n_events = g_strdup_printf("%s.events", prefix);
	g_autofree char *n_epf = g_strdup_printf("%s.events_per_fault", prefix);
	g_autofree char *n_spf = g_strdup_printf("%s.steps_per_fault", prefix);
	g_autofree char *n_major = g_strdup_printf("%s.major_fraction", prefix);
	g_autofree char *n_rss = g_strdup_printf("%s.peak_rss_kib", prefix);
	struct rusage ru;

	sim_model_free(m);
	bench_rate(out, n_faults, (double)faults, &c);
	bench_rate(out, n_events, (double)events, &c);
	bench_figure(out, n_faults, (double)faults, 0);
	bench_figure(out, n_epf, faults ? (double)events / (double)faults : 0.0, 2);
	bench_figure(out, n_spf, faults ? (double)(events + sim_events_in_place(eng)) /
					  (double)faults : 0.0, 2);
	bench_figure(out, n_major, faults ? (double)major / (double)faults : 0.0, 3);
	getrusage(RUSAGE_SELF, &ru);
	bench_timed(out, n_rss, (double)ru.ru_maxrss, 0);
	sim_engine_free(eng);
}

static void bench_faults(struct bench_out *out)
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

	bench_model_run(out, "minor", minor);
	bench_model_run(out, "contended", contended);
}

/* ------------------------------------------------------------------ */

static void run_models(struct bench_out *out)
{
	bench_models(out, opt_quick);
}

static void run_disk(struct bench_out *out)
{
	bench_disk(out, opt_quick);
}

static void run_pagecache(struct bench_out *out)
{
	bench_pagecache(out, opt_quick);
}

static void run_study(struct bench_out *out)
{
	bench_study(out, opt_quick);
}

static const struct {
	const char *name;
	void (*fn)(struct bench_out *out);
	const char *summary;
} benches[] = {
	{ "engine", bench_engine, "event set (hold model) and task switch" },
	{ "faults", bench_faults, "whole model runs: simulated page faults per second, "
				  "events per fault, peak RSS" },
	{ "models", run_models, "M/M/1 through the disk model, a reader/writer lock "
				"through the rwsem model" },
	{ "disk", run_disk, "the disk alone under Poisson arrivals (M/M/1 at utilisation 0.9)" },
	{ "pagecache", run_pagecache, "bytes per cached page, lookups and inserts in a 4 M-page file" },
	{ "study", run_study, "faultsim run: tiny runs per second at -j 2, peak memory of a "
			      "million-run study" },
};

int cmd_bench(int argc, char **argv)
{
	gint opt_repeat = 3;
	GOptionEntry entries[] = {
		{ "quick", 'q', 0, G_OPTION_ARG_NONE, &opt_quick,
		  "run each measurement 100 times shorter (to check that it works)", NULL },
		{ "repeat", 'r', 0, G_OPTION_ARG_INT, &opt_repeat,
		  "rounds of every selected benchmark; the median is printed (default 3)", "N" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &opt_set,
		  "add a key to the model runs of bench faults, e.g. record.interval=1ms "
		  "(repeatable)", "KEY=VALUE" },
		{ NULL }
	};
	g_autoptr(GString) desc = g_string_new("Benchmarks (default: all):\n");
	struct bench_out *out;

	for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
		g_string_append_printf(desc, "  %-10s %s\n", benches[i].name, benches[i].summary);
	g_string_append(desc, "\nOutput: one 'NAME VALUE' line per figure, the median over "
			"the rounds; a figure\nthat depends on the machine's speed comes per "
			"wall second (_per_s, .ns) and per\nCPU second of the benchmarking "
			"thread (_per_cpu_s, .cpu_ns), each with\nNAME.spread, (max - min) / "
			"median.  Rounds are interleaved: each runs every\nselected benchmark "
			"once.");
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
	if (opt_repeat < 1) {
		fprintf(stderr, "faultsim bench: --repeat %d: must be at least 1\n", opt_repeat);
		return EXIT_USAGE;
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
	if (opt_set) {
		/* Bad keys: exit 2 before anything runs. */
		g_autoptr(sim_keys) keys = cli_keys_new();
		g_autoptr(GError) error = NULL;
		g_autoptr(sim_study) study = sim_study_new(NULL, NULL, opt_set, keys, &error);

		if (!study) {
			fprintf(stderr, "faultsim bench: %s\n", error->message);
			g_clear_pointer(&opt_set, g_strfreev);
			return EXIT_USAGE;
		}
	}
	out = bench_out_new();
	for (int round = 0; round < opt_repeat; round++) {
		for (size_t i = 0; i < G_N_ELEMENTS(benches); i++) {
			bool run = argc < 2;

			for (int a = 1; a < argc; a++)
				run |= !strcmp(argv[a], benches[i].name);
			if (run)
				benches[i].fn(out);
		}
	}
	bench_out_print(out);
	bench_out_free(out);
	g_clear_pointer(&opt_set, g_strfreev);
	return 0;
}
