/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim bench disk: the speed of the disk model alone, as "NAME VALUE"
 * lines.  Entry point, for cli.h and the bench table:
 *
 *	void bench_disk(gboolean quick);	-- quick: 100 times shorter
 *
 * Wall-clock time is read here, and only here: it measures the simulator,
 * never the model.  Each figure is simulated requests (arrival, queueing,
 * service, completion: two events each) per wall second.
 *
 *   disk.requests_per_s        M/M/1: depth 1, fifo, no merging, setup
 *                              exp(1ms), no transfer term, Poisson arrivals
 *                              at utilisation 0.9 (target >= 5e6)
 *   disk.mean_response_ns      its mean response time (theory: 1/(mu -
 *                              lambda) = 10 ms), and its time-average
 *                              number in system (theory 9)
 *   disk.deadline.*            the same queue under the deadline scheduler
 *                              with merging on (sort lists maintained)
 *   disk.ssd.*, disk.hdd.*     the default profiles under random 4 KiB
 *                              requests (70% reads) at about 0.8 of their
 *                              capacity
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "sim/kernel/disk.h"
#include "sim/core/engine.h"
#include "sim/core/stats.h"

void bench_disk(gboolean quick);

struct disk_bench {
	const char *prefix;
	const char *profile;
	bool fifo_mm1;			/* the M/M/1 set-up instead of the profile */
	bool merge;
	double mean_interarrival;	/* ns */
	double read_fraction;
	uint64_t requests;
};

static void run_disk_bench(const struct disk_bench *b, uint64_t scale)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	g_autoptr(sim_dist) setup = sim_dist_new_exp(1e6);
	g_autoptr(sim_dist) ia = sim_dist_new_exp(b->mean_interarrival);
	g_autoptr(GError) error = NULL;
	struct sim_disk_params p;
	struct sim_disk_load_params lp;
	struct sim_disk_load *load;
	struct sim_stats *st = sim_engine_stats(eng);
	uint64_t n = b->requests / scale;
	gint64 start, us;

	if (!sim_disk_params_init(&p, b->profile, &error))
		g_error("%s", error->message);
	if (b->fifo_mm1) {
		p.depth = 1;
		p.setup = setup;
		p.bandwidth = 0;
		p.merge = b->merge;
		p.sched = b->merge ? SIM_DISK_SCHED_DEADLINE : SIM_DISK_SCHED_FIFO;
	}
	g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
	if (!disk)
		g_error("%s", error->message);

	sim_disk_load_params_init(&lp);
	lp.interarrival = ia;
	lp.read_fraction = b->read_fraction;
	lp.max_requests = n;
	load = sim_disk_load_start(eng, disk, &lp, &error);
	if (!load)
		g_error("%s", error->message);

	start = g_get_monotonic_time();
	sim_run(eng);
	us = g_get_monotonic_time() - start;
	sim_disk_finish(disk);

	printf("%s.requests_per_s %.0f\n", b->prefix,
	       (double)sim_disk_load_completed(load) * 1e6 / (double)(us ? us : 1));
	printf("%s.mean_response_ns %.0f\n", b->prefix,
	       sim_hist_mean(sim_stats_hist(st, "disk", "responseTime")));
	printf("%s.queue_length_mean %.4f\n", b->prefix,
	       *sim_stats_scalar(st, "disk", "queueLength:mean"));
	printf("%s.utilization %.4f\n", b->prefix,
	       *sim_stats_scalar(st, "disk", "utilization"));
	if (b->merge)
		printf("%s.merges %" G_GUINT64_FORMAT "\n", b->prefix,
		       *sim_stats_counter(st, "disk", "merges"));
	fflush(stdout);
	sim_disk_load_free(load);
}

void bench_disk(gboolean quick)
{
	static const struct disk_bench benches[] = {
		/* rho = 0.9: mean service 1 ms, mean interarrival 1/0.9 ms */
		{ "disk", "ssd", true, false, 1e6 / 0.9, 1.0, 10000000 },
		{ "disk.deadline", "ssd", true, true, 1e6 / 0.9, 0.7, 5000000 },
		/* ssd: ~82 us per slot, 32 slots: 0.8 * 32 / 82 us */
		{ "disk.ssd", "ssd", false, true, 82e3 / (0.8 * 32), 0.7, 5000000 },
		/* hdd: ~12.7 ms per random request */
		{ "disk.hdd", "hdd", false, true, 12.7e6 / 0.8, 0.7, 2000000 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
		run_disk_bench(&benches[i], quick ? 100 : 1);
}
