/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim bench disk: the speed of the disk model alone, as "NAME VALUE"
 * lines (cli/bench.h: rounds, medians, wall and CPU clocks).  Each rate is
 * simulated requests (arrival, queueing, service, completion: two events
 * each) per second, wall (_per_s) and CPU of the benchmarking thread
 * (_per_cpu_s).
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

#include "cli/bench.h"
#include "sim/kernel/disk.h"
#include "sim/core/engine.h"
#include "sim/core/stats.h"

struct disk_bench {
	const char *prefix;
	const char *profile;
	bool fifo_mm1;			/* the M/M/1 set-up instead of the profile */
	bool merge;
	double mean_interarrival;	/* ns */
	double read_fraction;
	uint64_t requests;
};

static void run_disk_bench(struct bench_out *out, const struct disk_bench *b,
			   const char *what, uint64_t n)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	g_autoptr(sim_dist) setup = sim_dist_new_exp(1e6);
	g_autoptr(sim_dist) ia = sim_dist_new_exp(b->mean_interarrival);
	g_autoptr(GError) error = NULL;
	struct sim_disk_params p;
	struct sim_disk_load_params lp;
	struct sim_disk_load *load;
	struct sim_stats *st = sim_engine_stats(eng);
	struct bench_clock c;
	char name[128];

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

	bench_clock_start(&c);
	sim_run(eng);
	bench_clock_stop(&c);
	sim_disk_finish(disk);

	g_snprintf(name, sizeof(name), "%s.%s", b->prefix, what);
	bench_rate(out, name, (double)sim_disk_load_completed(load), &c);
	g_snprintf(name, sizeof(name), "%s.mean_response_ns", b->prefix);
	bench_figure(out, name, sim_hist_mean(sim_stats_hist(st, "disk", "responseTime")), 0);
	g_snprintf(name, sizeof(name), "%s.queue_length_mean", b->prefix);
	bench_figure(out, name, *sim_stats_scalar(st, "disk", "queueLength:mean"), 4);
	g_snprintf(name, sizeof(name), "%s.utilization", b->prefix);
	bench_figure(out, name, *sim_stats_scalar(st, "disk", "utilization"), 4);
	if (b->merge) {
		g_snprintf(name, sizeof(name), "%s.merges", b->prefix);
		bench_figure(out, name, (double)*sim_stats_counter(st, "disk", "merges"), 0);
	}
	sim_disk_load_free(load);
}

void bench_disk_mm1(struct bench_out *out, const char *prefix, const char *what,
		    uint64_t n)
{
	/* rho = 0.9: mean service 1 ms, mean interarrival 1/0.9 ms */
	const struct disk_bench mm1 = { prefix, "ssd", true, false, 1e6 / 0.9, 1.0, n };

	run_disk_bench(out, &mm1, what, n);
}

void bench_disk(struct bench_out *out, gboolean quick)
{
	static const struct disk_bench benches[] = {
		{ "disk.deadline", "ssd", true, true, 1e6 / 0.9, 0.7, 5000000 },
		/* ssd: ~82 us per slot, 32 slots: 0.8 * 32 / 82 us */
		{ "disk.ssd", "ssd", false, true, 82e3 / (0.8 * 32), 0.7, 5000000 },
		/* hdd: ~12.7 ms per random request */
		{ "disk.hdd", "hdd", false, true, 12.7e6 / 0.8, 0.7, 2000000 },
	};
	uint64_t scale = quick ? 100 : 1;

	bench_disk_mm1(out, "disk", "requests", 10000000 / scale);
	for (size_t i = 0; i < G_N_ELEMENTS(benches); i++)
		run_disk_bench(out, &benches[i], "requests", benches[i].requests / scale);
}
