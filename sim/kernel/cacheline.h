/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cache-line contention on a lock word: the line holding mmap_sem's count
 * (and each per-VMA lock's, and with khugepaged pmd-seq each pmd table's
 * pmd lock and sequence counts, sim/kernel/khugepaged.h) as a serialising
 * resource.
 *
 * On many cores the count word of an rwsem is a bottleneck even without
 * writers: every down_read()/up_read() fast path is an atomic on that
 * word, and an atomic on a line last written by another CPU must first
 * pull the line over (pft stops scaling with threads).  Model: a line
 * remembers the CPU it sits at and until when it is busy moving.  An
 * atomic by a task on that same CPU costs nothing more; from another CPU
 * it costs one transfer latency (machine.cacheline_transfer), and
 * transfers of one line are served one at a time, FIFO: the line is busy
 * until max(now, busy) + latency, and the task burns its core until then
 * (an atomic stalls the core, it does not sleep).
 *
 * A prefetch for write (cacheline_prefetchw(): x86's page-fault entry
 * prefetches mmap_sem's line) queues a transfer as an atomic does, but its
 * issuer goes on and waits only when it needs the line (cacheline_wait()).
 *
 * Rules: no task (set-up code), or a task not on a CPU (not attached to
 * the CPU model), costs nothing and leaves the line where it is; latency
 * 0 turns the model off.
 * Plain reads (a sequence check) are not modelled: a line that only
 * readers share is not moved.  The caller must keep the line's memory
 * alive across the call (it may block).
 *
 * Measurements (module "cacheline"): counters "transfers" and
 * "stallTime" (ns the atomics waited for lines, all lines together).
 */
#ifndef FAULTSIM_SIM_CACHELINE_H
#define FAULTSIM_SIM_CACHELINE_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/core/engine.h"
#include "sim/core/task.h"

/* One line: plain data, copyable, zero is "nowhere, idle". */
struct sim_cacheline {
	sim_time_t busy_until;		/* in transfer until then */
	int cpu;			/* the CPU holding it, + 1; 0: none yet */
};

/* What a transfer costs, shared by the lines of a machine. */
struct sim_cacheline_cost {
	sim_time_t transfer;		/* ns per transfer; 0: not modelled */
	uint64_t *transfers;		/* counters, from the engine's registry */
	uint64_t *stall;
};

/* Default transfer latency (a cross-core/cross-socket pull of a line). */
#define CACHELINE_TRANSFER_DEFAULT	100

/* Set @c up on @eng with @transfer ns per transfer (0: off). */
void cacheline_cost_init(struct sim_cacheline_cost *c, struct sim_engine *eng,
			 sim_time_t transfer);
/* An atomic on @cl by the running task @t (may burn @t's core); @c NULL
 * or off: free.  True when the line came from another CPU (a transfer:
 * what lock_stat calls a bounce). */
bool cacheline_access(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
		      struct sim_task *t);
/*
 * A spinlock in @cl taken by the running task @t for @hold ns of work
 * (spin_lock(), the critical section, spin_unlock()): the line comes
 * over as for an atomic, then stays busy for @hold, so a later taker
 * queues (spins, burning its core) behind the whole critical section.
 * @t burns its core for the transfer, the wait and @hold.  With the model
 * off (@c NULL or latency 0) or no task on a CPU, only @hold is spent.
 * True when the line came from another CPU.
 */
bool cacheline_lock(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
		    struct sim_task *t, sim_time_t hold);
/*
 * A prefetchw of @cl by the running task @t, issued @delay ns from now
 * (x86's exc_page_fault() prefetches mmap_lock's line for write before it
 * does anything else): the line is requested for @t's CPU, queued as any
 * transfer, but @t does not stall for it.  Returns when the line will be
 * here (0: already here, or the model off); the task waits for it at its
 * first access that needs the line, cacheline_wait().  An access by
 * another CPU meanwhile queues behind the prefetch and takes the line
 * away, so under contention a prefetch costs the line a transfer and
 * saves its issuer nothing.
 */
sim_time_t cacheline_prefetchw(struct sim_cacheline *cl, const struct sim_cacheline_cost *c,
			       struct sim_task *t, sim_time_t delay);
/* The running task @t waits (burning its core) until @until, when a line
 * it prefetched arrives; counted as stall time.  0 or past: nothing. */
void cacheline_wait(const struct sim_cacheline_cost *c, struct sim_task *t, sim_time_t until);

#endif /* FAULTSIM_SIM_CACHELINE_H */
