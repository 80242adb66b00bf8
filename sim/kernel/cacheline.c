/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cache-line contention on lock words (see cacheline.h): a FIFO server
 * per line whose service time is the transfer latency.
 */
#include "config.h"

#include "sim/kernel/cacheline.h"
#include "sim/kernel/cpu.h"
#include "sim/core/stats.h"

void cacheline_cost_init(struct sim_cacheline_cost *c, struct sim_engine *eng,
			 sim_time_t transfer)
{
	struct sim_stats *st = sim_engine_stats(eng);

	g_assert(transfer >= 0);
	c->transfer = transfer;
	c->transfers = sim_stats_counter_unit(st, "cacheline", "transfers", "transfers",
					      "lock-word cache lines pulled from another CPU");
	c->stall = sim_stats_counter_unit(st, "cacheline", "stallTime", "ns",
					  "time atomics stalled for lines, all lines together");
}

bool cacheline_access(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
		      struct sim_task *t)
{
	sim_time_t now, start, done;
	int cpu;

	if (!c || c->transfer <= 0 || !t)
		return false;
	cpu = sim_task_cpu(t);
	if (cpu < 0 || cl->cpu == cpu + 1)
		return false;
	now = sim_now(sim_task_engine(t));
	start = cl->busy_until > now ? cl->busy_until : now;
	done = start + c->transfer;
	/* The line is ours from @done on; later requests queue behind. */
	cl->busy_until = done;
	cl->cpu = cpu + 1;
	(*c->transfers)++;
	*c->stall += (uint64_t)(done - now);
	cpu_work(t, done - now);
	return true;
}
