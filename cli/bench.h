/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmarks of faultsim bench (cli/bench*.c) share: the clock
 * they are timed with and the table of figures they fill in.
 *
 * Each benchmark runs once per round and reports its figures with
 * bench_figure() and bench_rate(); cli/bench.c runs the rounds one after
 * the other (every selected benchmark in each round, so that a burst of
 * load on the shared machine hits all of them alike) and prints, per
 * figure, the median over the rounds as "NAME VALUE", and for a timed
 * figure "NAME.spread VALUE": (max - min) / median.
 *
 * A timed figure comes twice: per wall second (NAME_per_s, or .ns) and per
 * CPU second of the benchmarking thread (NAME_per_cpu_s, or .cpu_ns),
 * CLOCK_THREAD_CPUTIME_ID, which time spent waiting for a core on a busy
 * machine does not inflate.  Clocks are read here, and only here: they
 * measure the simulator, never the model.
 */
#ifndef FAULTSIM_CLI_BENCH_H
#define FAULTSIM_CLI_BENCH_H

#include <stdint.h>
#include <time.h>
#include <glib.h>

struct bench_out;

/* Wall and thread CPU time of one measured stretch, in ns. */
struct bench_clock {
	int64_t wall, cpu;
};

static inline int64_t bench_clock_read(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void bench_clock_start(struct bench_clock *c)
{
	c->wall = bench_clock_read(CLOCK_MONOTONIC);
	c->cpu = bench_clock_read(CLOCK_THREAD_CPUTIME_ID);
}

/* From the start to now: @c then holds the elapsed times (at least 1). */
static inline void bench_clock_stop(struct bench_clock *c)
{
	c->cpu = bench_clock_read(CLOCK_THREAD_CPUTIME_ID) - c->cpu;
	c->wall = bench_clock_read(CLOCK_MONOTONIC) - c->wall;
	if (c->cpu < 1)
		c->cpu = 1;
	if (c->wall < 1)
		c->wall = 1;
}

/* A figure that does not depend on the machine's speed (a count, a mean
 * of the model), printed with @decimals decimals. */
void bench_figure(struct bench_out *out, const char *name, double value, int decimals);
/* @count things in @c: "@name_per_s" and "@name_per_cpu_s". */
void bench_rate(struct bench_out *out, const char *name, double count,
		const struct bench_clock *c);
/* @c for @count things, in ns each: "@name.ns" and "@name.cpu_ns". */
void bench_time_each(struct bench_out *out, const char *name, double count,
		     const struct bench_clock *c);
/* A timed figure computed by the caller (no wall/CPU pair). */
void bench_timed(struct bench_out *out, const char *name, double value, int decimals);

/* The benchmarks outside bench.c; @quick: 100 times shorter. */
void bench_disk(struct bench_out *out, gboolean quick);
void bench_pagecache(struct bench_out *out, gboolean quick);
void bench_models(struct bench_out *out, gboolean quick);
void bench_study(struct bench_out *out, gboolean quick);

/* The disk as M/M/1 (depth 1, fifo, setup exp(1 ms), arrivals at
 * utilisation 0.9) for @n requests, figures under @prefix, counting
 * "@what" (requests, customers); bench-disk.c. */
void bench_disk_mm1(struct bench_out *out, const char *prefix, const char *what,
		    uint64_t n);

#endif /* FAULTSIM_CLI_BENCH_H */
