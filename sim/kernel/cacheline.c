/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cache-line contention on lock words and shared counters (see
 * cacheline.h): a FIFO server per line whose service time is the transfer
 * latency, plus the critical section of a spinlock in the line.
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

/* The line to the running task's CPU (if it is elsewhere), then kept
 * busy for @hold: @t burns until then.  True if it moved. */
static bool line_take(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
		      struct sim_task *t, sim_time_t hold)
{
	sim_time_t now, start, done;
	bool moved;
	int cpu;

	if (!c || c->transfer <= 0 || !t || (cpu = sim_task_cpu(t)) < 0) {
		if (t && hold > 0)
			cpu_work(t, hold);
		return false;
	}
	now = sim_now(sim_task_engine(t));
	moved = cl->cpu != cpu + 1;
	if (!moved && cl->busy_until <= now) {
		/* Already here and idle: only the critical section. */
		if (hold > 0) {
			cl->busy_until = now + hold;
			cpu_work(t, hold);
		}
		return false;
	}
	start = cl->busy_until > now ? cl->busy_until : now;
	done = start + (moved ? c->transfer : 0);
	/* The line is ours from @done on; later requests queue behind,
	 * and behind the critical section. */
	cl->busy_until = done + hold;
	cl->cpu = cpu + 1;
	if (moved)
		(*c->transfers)++;
	*c->stall += (uint64_t)(done - now);
	cpu_work(t, done + hold - now);
	return moved;
}

bool cacheline_access(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
		      struct sim_task *t)
{
	int cpu;

	/* An atomic on a line already here (and not still arriving from
	 * a prefetch) costs nothing more. */
	if (!c || c->transfer <= 0 || !t || (cpu = sim_task_cpu(t)) < 0 ||
	    (cl->cpu == cpu + 1 && cl->busy_until <= sim_now(sim_task_engine(t))))
		return false;
	return line_take(cl, c, t, 0);
}

sim_time_t cacheline_prefetchw(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
			       struct sim_task *t, sim_time_t delay)
{
	sim_time_t at, start;
	int cpu;

	g_assert(delay >= 0);
	if (!c || c->transfer <= 0 || !t || (cpu = sim_task_cpu(t)) < 0)
		return 0;
	/* Ours already (maybe still arriving): nothing to request. */
	if (cl->cpu == cpu + 1)
		return cl->busy_until;
	at = sim_now(sim_task_engine(t)) + delay;
	start = cl->busy_until > at ? cl->busy_until : at;
	cl->busy_until = start + c->transfer;
	cl->cpu = cpu + 1;
	(*c->transfers)++;
	return cl->busy_until;
}

void cacheline_wait(const struct sim_cacheline_cost *c, struct sim_task *t, sim_time_t until)
{
	sim_time_t now;

	if (!c || !t || until <= 0)
		return;
	now = sim_now(sim_task_engine(t));
	if (until <= now)
		return;
	*c->stall += (uint64_t)(until - now);
	cpu_work(t, until - now);
}

bool cacheline_lock(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
		    struct sim_task *t, sim_time_t hold)
{
	return line_take(cl, c, t, hold);
}
