/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPUs: N cores, one FIFO run queue, a time slice and a context-switch
 * cost, and the wake-up latency of a sleeping task.
 *
 * A task attached to the CPUs (sim_cpus_attach) runs only while it holds a
 * core: from the moment a core picks it up until it blocks, sleeps or
 * exits.  Code between two blocking calls takes no simulated time;
 * cpu_work() is what makes computation take time, on the core the task
 * holds, preempted at slice ends when others wait.  A woken task first
 * waits out a scheduling latency drawn from a distribution, then for a
 * free core (the run queue), then pays the context-switch cost, and only
 * then continues: so a lock handed to a sleeping task sits idle meanwhile.
 * A spinning task (sim_block_timeout_oncpu, cpu_spin) keeps its core and
 * burns it.
 *
 * Tasks not attached (devices, load generators, test harnesses) never
 * wait for a core, and cpu_work() on them just lets time pass.
 *
 * Measurements (module "cpu"): per-core busy time, utilization, run-queue
 * wait and wake-up latency histograms, context switches, preemptions.
 */
#ifndef FAULTSIM_SIM_CPU_H
#define FAULTSIM_SIM_CPU_H

#include <stdbool.h>
#include "sim/core/dist.h"
#include "sim/core/engine.h"
#include "sim/core/task.h"

struct sim_cpus;

struct sim_cpus_params {
	unsigned int nr_cpus;			/* >= 1 */
	sim_time_t slice;			/* time slice; <= 0: no preemption */
	sim_time_t ctx_switch;			/* cost of putting a task on a core */
	const struct sim_dist *wake_latency;	/* copied; NULL: no latency */
};

/* Defaults: 4 CPUs, 3 ms slice, 1 us context switch, no wake latency. */
void sim_cpus_params_init(struct sim_cpus_params *p);
/* SIM_ERROR_RANGE unless 1 <= nr_cpus <= SIM_CPUS_MAX and ctx_switch >= 0
 * (sim_cpus_new() asserts it: check user input here first). */
#define SIM_CPUS_MAX 4096
gboolean sim_cpus_params_check(const struct sim_cpus_params *p, GError **error);

struct sim_cpus *sim_cpus_new(struct sim_engine *eng, const struct sim_cpus_params *p);
/* Free @cpus (NULL allowed); it never touches the engine, so before or after
 * sim_engine_free(), but the engine must not run again with tasks attached. */
void sim_cpus_free(struct sim_cpus *cpus);

/* @t competes for cores from now on (call right after sim_task_spawn). */
void sim_cpus_attach(struct sim_cpus *cpus, struct sim_task *t);
/* The same, @t allowed only on the cores whose bits are set in @mask
 * (bit c of word c / 64; copied; bits at or above the machine's cores are
 * ignored, at least one core must be left; NULL: every core), as
 * sched_setaffinity() before the thread runs: it waits for a core of its
 * mask and never runs on another. */
void sim_cpus_attach_mask(struct sim_cpus *cpus, struct sim_task *t, const uint64_t *mask);

/*
 * A CPU list as the kernel reads one (taskset -c, cpuset.cpus, the
 * isolcpus= parameter: lib/bitmap.c bitmap_parselist()): comma-separated
 * "N", "A-B" and "A-B:U/G" (of each group of G CPUs from A, the first U),
 * "N" alone meaning the last CPU, and "all".  Every CPU must be below
 * @nr_cpus (<= SIM_CPUS_MAX).  Returns a bitmap of (nr_cpus + 63) / 64
 * words (g_free() it) with at least one bit set, or NULL with
 * SIM_ERROR_PARSE (the syntax) or SIM_ERROR_RANGE (a CPU beyond the
 * machine, an empty list).  @nr_set, if not NULL, gets the CPUs set.
 */
uint64_t *sim_cpulist_parse(const char *list, unsigned int nr_cpus, unsigned int *nr_set,
			    GError **error);

/* cpu_work(t, ns), in faultsim/task.h: compute for @ns of CPU time (wall
 * time is longer when preempted). */

/*
 * Spin on the core for at most @max ns, until woken by sim_wake() (the
 * caller queued itself where a waker finds it first).  Burns the core; a
 * pending preemption ends the spin early.  Returns true if woken.
 * @max < 0: no limit.  The spin ends at the end of the task's slice if tasks
 * queue for a core (then false, the core still held: the caller dequeues
 * itself, then blocks or calls cpu_cond_resched()).
 */
bool cpu_spin(struct sim_task *t, sim_time_t max);

/* Give up the core now if a preemption is pending (slice over, tasks
 * queued): the task goes to the run-queue tail, as cond_resched(). */
void cpu_cond_resched(struct sim_task *t);

/*
 * Interrupts (IPIs).  sim_cpus_interrupt() runs a handler of @cost ns on
 * core @cpu now, after the handlers already running there: the core is
 * busy for it, and whatever holds the core loses that time -- a piece of
 * cpu_work() ends @cost later, a context switch under way too, a spinner
 * woken meanwhile goes on when the handler ends; an idle core is busy.
 * Returns when the handler ends.  Counter "cpu" interrupts (made at the
 * first one, so that a run without interrupts keeps its statistics).
 */
sim_time_t sim_cpus_interrupt(struct sim_cpus *cpus, unsigned int cpu, sim_time_t cost);
/* Handler time core @cpu has taken so far. */
sim_time_t sim_cpus_irq_time(const struct sim_cpus *cpus, unsigned int cpu);

/*
 * The address space a task runs in (the kernel's task->mm; an opaque
 * pointer, NULL for a kernel thread), for sim_cpus_core_mm(): a core runs
 * @mm while a task of it holds the core or switches in, and holds it
 * lazily once idle after one (enter_lazy_tlb(): the idle task borrows the
 * last mm) until it picks another task or sim_cpus_core_leave_lazy().
 */
void sim_cpus_task_set_mm(struct sim_task *t, const void *mm);
enum sim_core_mm {
	SIM_CORE_MM_NONE,
	SIM_CORE_MM_RUNNING,
	SIM_CORE_MM_LAZY,
};
enum sim_core_mm sim_cpus_core_mm(const struct sim_cpus *cpus, unsigned int cpu, const void *mm);
void sim_cpus_core_leave_lazy(struct sim_cpus *cpus, unsigned int cpu);

/* The core running @t, or -1 (not attached, or not on a core now). */
int sim_task_cpu(const struct sim_task *t);
static inline bool sim_task_on_cpu(const struct sim_task *t)
{
	return sim_task_cpu(t) >= 0;
}

unsigned int sim_cpus_nr(const struct sim_cpus *cpus);
/* Tasks waiting in the run queue now. */
unsigned int sim_cpus_nr_queued(const struct sim_cpus *cpus);
/* Whether a task waits for a core (a spinner should stop: need_resched). */
bool sim_cpus_need_resched(const struct sim_cpus *cpus);
/* Busy time of core @cpu so far (computing, spinning, switching). */
sim_time_t sim_cpus_busy(const struct sim_cpus *cpus, unsigned int cpu);

/* Write end-of-run scalars (utilization, busy time per core) to the
 * engine's statistics: "cpu" utilization = busy / (N x time since
 * sim_cpus_new()); per core, module "cpu[K]": busyTime (ns), utilization. */
void sim_cpus_finish(struct sim_cpus *cpus);

/*
 * Open-loop load: jobs arrive with inter-arrival times from @interarrival,
 * each a task attached to @cpus that computes for a time drawn from
 * @service and exits.  Stops after @max_jobs arrivals (0: never).  Response
 * times go to the histogram ("cpu_load", "responseTime"); arrivals and
 * completions to counters.  Distributions are copied.
 */
struct sim_cpu_load;
struct sim_cpu_load *sim_cpu_load_start(struct sim_engine *eng, struct sim_cpus *cpus,
					const struct sim_dist *interarrival,
					const struct sim_dist *service, uint64_t max_jobs);
/* Stop the arrivals and free @load; call it before sim_engine_free() (it
 * cancels the pending arrival), and only once no job task is alive or the
 * engine will not run again. */
void sim_cpu_load_free(struct sim_cpu_load *load);
/* Jobs arrived but not completed, now. */
uint64_t sim_cpu_load_in_system(const struct sim_cpu_load *load);
/* At most @jobs in the system (0: no limit, the default): an arrival that
 * finds that many ends the arrivals and stops the engine (sim_stop()),
 * and sim_cpu_load_error() says why, so that a load the CPUs cannot keep
 * up with fails instead of spawning tasks until memory runs out. */
void sim_cpu_load_set_max_backlog(struct sim_cpu_load *load, uint64_t jobs);
/* Why the load stopped the run, or NULL. */
const char *sim_cpu_load_error(const struct sim_cpu_load *load);
/* Time-average number of jobs in the system since the start (L of
 * Little's law); 0 if no time has passed. */
double sim_cpu_load_mean_in_system(const struct sim_cpu_load *load);
/* Write end-of-run scalars ("cpu_load": meanJobsInSystem, arrivalRate in
 * jobs/s) to the engine's statistics. */
void sim_cpu_load_finish(struct sim_cpu_load *load);

#endif /* FAULTSIM_SIM_CPU_H */
