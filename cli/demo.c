/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim demo: a tiny simulation that exercises the engine, tasks, wait
 * queues, random streams, distributions and histograms, and prints what it
 * simulated.  Simulated threads take a sleeping mutex (a wait queue with
 * exclusive waiters, woken one at a time), hold it for a while and think.
 * It stands in for the default study until the fault path exists.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "sim/core/dist.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"
#include "sim/core/units.h"
#include "sim/core/waitqueue.h"

struct demo {
	struct sim_engine *eng;
	struct sim_dist *hold, *think;
	int iterations;
	bool locked;
	struct sim_waitqueue wq;
	struct sim_hist *wait_hist, *hold_hist;
	uint64_t *acquisitions, *contended;
};

static void demo_thread(struct sim_task *t, void *arg)
{
	struct demo *d = arg;
	g_autofree char *stream = g_strdup_printf("thread%u", sim_task_id(t));
	gsl_rng *r = sim_rng(d->eng, stream);

	for (int i = 0; i < d->iterations; i++) {
		sim_time_t start = sim_now(d->eng);

		if (d->locked)
			(*d->contended)++;
		while (d->locked)
			sim_wait(&d->wq, t, WQ_FLAG_EXCLUSIVE, "demo mutex");
		d->locked = true;
		(*d->acquisitions)++;
		sim_hist_record(d->wait_hist, (uint64_t)(sim_now(d->eng) - start));

		sim_time_t hold = sim_dist_sample_ns(d->hold, r);

		sim_sleep(t, hold);
		sim_hist_record(d->hold_hist, (uint64_t)hold);
		d->locked = false;
		sim_wake_up_one(&d->wq);
		sim_sleep(t, sim_dist_sample_ns(d->think, r));
	}
}

int cmd_demo(int argc, char **argv)
{
	int threads = 8, iterations = 2000;
	gint64 seed = 1;
	/* GOption replaces, never frees, a default: NULL means the default. */
	g_autofree char *hold_opt = NULL, *think_opt = NULL;
	GOptionEntry entries[] = {
		{ "threads", 't', 0, G_OPTION_ARG_INT, &threads, "simulated threads (default 8)", "N" },
		{ "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations,
		  "lock acquisitions per thread (default 2000)", "N" },
		{ "hold", 0, 0, G_OPTION_ARG_STRING, &hold_opt,
		  "lock hold time distribution (default exp(10us))", "DIST" },
		{ "think", 0, 0, G_OPTION_ARG_STRING, &think_opt,
		  "think time distribution (default exp(60us))", "DIST" },
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "run seed (default 1)", "N" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;
	struct demo d = { 0 };

	if (!cli_parse("demo", "", "Run a tiny simulation of threads sharing a sleeping mutex.",
		       entries, &argc, &argv))
		return EXIT_USAGE;
	if (threads < 1 || iterations < 1) {
		fprintf(stderr, "faultsim demo: --threads and --iterations must be at least 1\n");
		return EXIT_USAGE;
	}
	const char *hold_spec = hold_opt ? hold_opt : "exp(10us)";
	const char *think_spec = think_opt ? think_opt : "exp(60us)";

	d.hold = sim_dist_parse(hold_spec, SIM_UNIT_TIME, &error);
	if (!d.hold) {
		fprintf(stderr, "faultsim demo: --hold: %s\n", error->message);
		return EXIT_USAGE;
	}
	d.think = sim_dist_parse(think_spec, SIM_UNIT_TIME, &error);
	if (!d.think) {
		fprintf(stderr, "faultsim demo: --think: %s\n", error->message);
		sim_dist_free(d.hold);
		return EXIT_USAGE;
	}

	d.eng = sim_engine_new((uint64_t)seed);
	d.iterations = iterations;
	sim_waitqueue_init(&d.wq);
	struct sim_stats *st = sim_engine_stats(d.eng);

	d.wait_hist = sim_stats_hist(st, "mutex", "waitTime");
	d.hold_hist = sim_stats_hist(st, "mutex", "holdTime");
	d.acquisitions = sim_stats_counter(st, "mutex", "acquisitions");
	d.contended = sim_stats_counter(st, "mutex", "contentions");
	for (int i = 0; i < threads; i++) {
		g_autofree char *name = g_strdup_printf("thread%d", i);

		sim_task_spawn(d.eng, name, demo_thread, &d);
	}

	gint64 wall = g_get_monotonic_time();
	enum sim_stop_reason why = sim_run(d.eng);

	wall = g_get_monotonic_time() - wall;

	sim_time_t end = sim_now(d.eng);
	g_autofree char *end_s = sim_format_time(end);
	g_autofree char *h_s = sim_dist_to_string(d.hold);
	g_autofree char *t_s = sim_dist_to_string(d.think);
	double busy = sim_hist_sum(d.hold_hist) / (double)(end ? end : 1);

	printf("faultsim %s demo: %d simulated threads share one sleeping mutex\n",
	       PACKAGE_VERSION, threads);
	printf("  each takes it %d times, holds it %s, then thinks %s (seed %" G_GINT64_FORMAT ")\n",
	       iterations, h_s, t_s, seed);
	printf("  simulated %s in %.3f s of wall time: %" G_GUINT64_FORMAT " events, stopped: %s\n",
	       end_s, (double)wall / 1e6, sim_events_dispatched(d.eng), sim_stop_reason_name(why));
	printf("  acquisitions %" G_GUINT64_FORMAT ", contended %" G_GUINT64_FORMAT
	       " (%.1f%%), mutex busy %.1f%% of the time\n",
	       *d.acquisitions, *d.contended, 100.0 * (double)*d.contended / (double)*d.acquisitions,
	       100.0 * busy);
	printf("  wait for the mutex: mean %.2f us, p50 %.2f us, p99 %.2f us, max %.2f us\n",
	       sim_hist_mean(d.wait_hist) / 1e3, (double)sim_hist_quantile(d.wait_hist, 0.5) / 1e3,
	       (double)sim_hist_quantile(d.wait_hist, 0.99) / 1e3,
	       (double)sim_hist_max(d.wait_hist) / 1e3);
	printf("  throughput %.0f acquisitions per simulated second\n",
	       (double)*d.acquisitions * 1e9 / (double)(end ? end : 1));

	sim_engine_free(d.eng);
	sim_dist_free(d.hold);
	sim_dist_free(d.think);
	return 0;
}
