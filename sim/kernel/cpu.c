/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPUs: N cores fed from one FIFO run queue, with a time slice, a
 * context-switch cost and a wake-up latency (see cpu.h for the contract).
 *
 * The model plugs into task.c through struct sim_sched_ops.  Each attached
 * task has a struct cpu_task (its sched_data) that moves through:
 *
 *	OFF       blocked or sleeping off-CPU, or not yet runnable
 *	WAKING    woken; its wake-up latency (stream "cpu") runs out
 *	QUEUED    on the run queue, waiting for a core
 *	SWITCHING a core is reserved for it; the context switch is under way
 *	ONCPU     holds the core: running, computing (cpu_work), spinning or
 *	          otherwise waiting on the CPU; until it blocks, sleeps or exits
 *
 * Rules:
 *  - The run queue is strict FIFO.  A task that becomes runnable goes to
 *    the tail; a core that falls free takes the head.
 *  - Only a wake-up pays the latency (sim_wake, the end of an off-CPU sleep
 *    or block timeout); attaching a freshly spawned task queues it at once.
 *  - Choice of core for a runnable task when several are idle: the core it
 *    ran on last if idle (cache affinity, as select_idle_sibling() prefers
 *    prev_cpu), else the idle core of lowest index.  A core freed while
 *    tasks queue takes the head, whatever core that one ran on before.
 *  - Affinity (sim_cpus_attach_mask): a task with a CPU mask runs only on
 *    the cores of its mask, as the kernel's select_task_rq() keeps a task
 *    within its cpus_mask.  It takes an idle core of its mask (its last
 *    one first), else waits in the run queue; a core falling free takes
 *    the first queued task that may run on it, so a pinned task is passed
 *    over by cores outside its mask and never migrates out of it.  A
 *    slice ends in a preemption only if a queued task may run on that
 *    core.  Without a mask (or with every core in it) nothing changes:
 *    the run queue is the strict FIFO above.
 *  - Every pickup pays the context-switch cost, the switch from the idle
 *    task included: the core is busy and the task resumes after it.
 *  - Slices: a task's slice starts when it starts running on a core and is
 *    wall time on that core (computing, spinning, waiting on the CPU).  It
 *    is checked only where the task could be preempted: before each piece of
 *    cpu_work() and in cpu_spin()/cpu_cond_resched().  At a slice end with
 *    the run queue empty the slice is renewed (nobody to give the core to);
 *    with tasks queued the task is preempted to the tail.  cpu_work() never
 *    preempts a task whose work is done (it returns at the slice end).  A
 *    slice <= 0 disables preemption: FCFS until the task blocks.
 *  - Spinning (cpu_spin) ends early only at the end of the spinner's slice
 *    with tasks queued (need_resched in the kernel's spin loops): it then
 *    returns false still holding the core, so that the caller can take
 *    itself off the list its waker walks before anything else happens; the
 *    preemption itself comes at the caller's next cpu_work() or
 *    cpu_cond_resched(), or the core is freed when it blocks.  The spin
 *    cannot be ended by an enqueue mid-slice (there is no wake-up
 *    preemption in this model); a slice <= 0 therefore lets a spinner spin
 *    for its whole @max.
 *  - A preempted task waits in the run queue as a BLOCKED task (sim_block):
 *    task.c then releases its core through the release hook, and the core
 *    that later picks it up resumes it with sim_wake(), which comes back
 *    into the wakeup hook.  Nothing else may wake it meanwhile (it is on no
 *    wait list of the model: cpu_work and cpu_cond_resched are not called
 *    with the task queued where a waker finds it).
 *
 * Measurements (module "cpu"):
 *	runqueueWait	histogram, ns from entering the run queue (after the
 *			wake-up latency, or on preemption) to getting a core
 *	wakeupLatency	histogram, ns from becoming runnable (sim_wake or the
 *			end of an off-CPU sleep) to running again: latency +
 *			run-queue wait + context switch
 *	contextSwitches	counter, pickups of a task by a core
 *	preemptions	counter, slice-end preemptions
 *	spins		counter, cpu_spin() calls by attached tasks
 *	spinNeedResched	counter, spins ended by a pending preemption
 *	utilization	scalar (sim_cpus_finish): busy / (N * elapsed), elapsed
 *			since sim_cpus_new()
 * and per core, module "cpu[K]": scalars busyTime (ns) and utilization.
 *
 * Costs: block, wake, cpu_work and a pickup are O(1) with no allocation
 * (events come from the engine's pool), except that finding an idle core
 * for a task whose last core is busy scans a bitmap: O(N/64) words, and
 * that while tasks with a CPU mask are queued a core falling free or a
 * slice end walks the run queue to the first task allowed on that core
 * (O(queued) at worst, when the queue holds only tasks pinned elsewhere).
 * Attaching takes a struct cpu_task from a free list (one allocation the
 * first time; and a copy of the mask, N/64 words, for a task with one).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "sim/kernel/cpu.h"
#include "sim/core/list.h"
#include "sim/core/stats.h"
#include "sim/core/trace.h"

enum cpu_task_state {
	CPU_TASK_OFF,
	CPU_TASK_WAKING,
	CPU_TASK_QUEUED,
	CPU_TASK_SWITCHING,
	CPU_TASK_ONCPU,
};

struct cpu_task {
	struct sim_cpus *cpus;
	struct sim_task *task;
	enum cpu_task_state state;
	bool attaching;			/* first wakeup: queue without latency */
	bool preempted;			/* queued by a preemption (task BLOCKED) */
	bool wakeup_pending;		/* record wakeupLatency when it runs */
	bool run_now;			/* preempted, resumed from its switch's event */
	int cpu;			/* core held or reserved; -1 */
	int last_cpu;			/* core it last ran on; -1 */
	uint64_t *mask;			/* cores it may run on; NULL: all */
	const void *mm;			/* the address space it runs in; NULL */
	struct sim_timer switch_timer;	/* SWITCHING: the switch's end */
	sim_time_t switch_end;
	sim_time_t runnable_at;		/* when woken */
	sim_time_t queued_at;		/* when put on the run queue */
	sim_time_t slice_end;
	struct list_head rq_node;	/* cpus->runqueue */
	struct list_head node;		/* cpus->tasks or cpus->free_tasks */
};

struct cpu_core {
	struct cpu_task *curr;		/* holding or switching in; NULL: idle */
	sim_time_t since;		/* when curr got the core */
	sim_time_t busy;		/* busy time of finished holds */
	const void *lazy_mm;		/* idle, holding this mm lazily; NULL */
	sim_time_t irq_end;		/* the interrupts' handlers end */
	sim_time_t irq_time;		/* handler time so far */
};

struct sim_cpus {
	struct sim_engine *eng;
	unsigned int nr_cpus;
	sim_time_t slice;
	sim_time_t ctx_switch;
	struct sim_dist *wake_latency;	/* NULL: none */
	gsl_rng *rng;			/* stream "cpu" */
	sim_time_t start;

	struct cpu_core *cores;
	uint64_t *idle;			/* bitmap of idle cores */
	unsigned int nr_idle_words;

	struct list_head runqueue;
	unsigned int nr_queued;
	unsigned int nr_queued_masked;	/* of them, tasks with a CPU mask */

	struct list_head tasks;		/* attached cpu_tasks */
	struct list_head free_tasks;	/* recycled cpu_tasks */

	struct sim_hist *runqueue_wait;
	struct sim_hist *wakeup_latency;
	uint64_t *nr_switches;
	uint64_t *nr_preemptions;
	uint64_t *nr_spins;
	uint64_t *nr_spin_resched;
	uint64_t *nr_irqs;		/* NULL until the first interrupt */
	struct sim_trace *trace;	/* sim/core/trace.h; NULL: not tracing */
	unsigned int *trace_core;	/* each core's track */
};

/* ------------------------------------------------------------------ */
/* Parameters */

void sim_cpus_params_init(struct sim_cpus_params *p)
{
	*p = (struct sim_cpus_params){
		.nr_cpus = 4,
		.slice = 3 * NSEC_PER_MSEC,
		.ctx_switch = 1 * NSEC_PER_USEC,
		.wake_latency = NULL,
	};
}

gboolean sim_cpus_params_check(const struct sim_cpus_params *p, GError **error)
{
	if (p->nr_cpus < 1 || p->nr_cpus > SIM_CPUS_MAX) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "cpus: %u CPUs: the number of CPUs must be 1 to %u",
			    p->nr_cpus, SIM_CPUS_MAX);
		return FALSE;
	}
	if (p->ctx_switch < 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "cpus: context switch %" G_GINT64_FORMAT
			    " ns: must not be negative", p->ctx_switch);
		return FALSE;
	}
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Idle cores */

static inline void core_set_idle(struct sim_cpus *cpus, unsigned int cpu)
{
	cpus->idle[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

static inline void core_clear_idle(struct sim_cpus *cpus, unsigned int cpu)
{
	cpus->idle[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

static inline bool core_is_idle(const struct sim_cpus *cpus, unsigned int cpu)
{
	return cpus->idle[cpu / 64] & (UINT64_C(1) << (cpu % 64));
}

static inline bool task_allowed(const struct cpu_task *ct, unsigned int cpu)
{
	return !ct->mask || (ct->mask[cpu / 64] & (UINT64_C(1) << (cpu % 64)));
}

/* The core for @ct if one of its mask is idle: its last core, else the
 * lowest; -1. */
static int select_idle_core(const struct sim_cpus *cpus, const struct cpu_task *ct)
{
	if (ct->last_cpu >= 0 && core_is_idle(cpus, (unsigned int)ct->last_cpu) &&
	    task_allowed(ct, (unsigned int)ct->last_cpu))
		return ct->last_cpu;
	for (unsigned int w = 0; w < cpus->nr_idle_words; w++) {
		uint64_t idle = cpus->idle[w] & (ct->mask ? ct->mask[w] : ~UINT64_C(0));

		if (idle)
			return (int)(w * 64 + (unsigned int)__builtin_ctzll(idle));
	}
	return -1;
}

/* The first queued task that may run on @cpu, or NULL: the head unless a
 * queued task has a mask. */
static struct cpu_task *runqueue_first_for(const struct sim_cpus *cpus, unsigned int cpu)
{
	struct cpu_task *ct;

	if (!cpus->nr_queued_masked)
		return list_first_entry_or_null(&cpus->runqueue, struct cpu_task, rq_node);
	list_for_each_entry(ct, &cpus->runqueue, rq_node)
		if (task_allowed(ct, cpu))
			return ct;
	return NULL;
}

static void runqueue_add(struct sim_cpus *cpus, struct cpu_task *ct)
{
	list_add_tail(&ct->rq_node, &cpus->runqueue);
	cpus->nr_queued++;
	if (ct->mask)
		cpus->nr_queued_masked++;
}

static void runqueue_del(struct sim_cpus *cpus, struct cpu_task *ct)
{
	list_del_init(&ct->rq_node);
	cpus->nr_queued--;
	if (ct->mask)
		cpus->nr_queued_masked--;
}

/* ------------------------------------------------------------------ */
/* Dispatch */

static inline struct cpu_task *cpu_task_of(const struct sim_task *t)
{
	struct cpu_task *ct = sim_task_sched_data(t);

	/* Another scheduler's data is never a cpu_task of ours. */
	if (ct && sim_task_sched(t) == ct->cpus)
		return ct;
	return NULL;
}

/*
 * @ct starts running on its core: the context switch is over.  From the
 * switch's own event (@in_event), the task runs within that event, as the
 * kernel's context switch ends in the task; otherwise (a switch of no
 * cost, inside another task's code or handler) it resumes after this
 * instant's events.  @ct may be gone when this returns.
 */
static void task_start(struct cpu_task *ct, bool in_event)
{
	struct sim_cpus *cpus = ct->cpus;
	sim_time_t now = sim_now(cpus->eng);

	g_assert(ct->state == CPU_TASK_SWITCHING);
	ct->state = CPU_TASK_ONCPU;
	ct->last_cpu = ct->cpu;
	ct->slice_end = now + cpus->slice;
	if (ct->wakeup_pending) {
		ct->wakeup_pending = false;
		sim_hist_record(cpus->wakeup_latency, (uint64_t)(now - ct->runnable_at));
	}
	if (ct->preempted) {
		/* Back into cpu_wakeup(), which sees ONCPU and runs it. */
		ct->preempted = false;
		ct->run_now = in_event;
		sim_wake(ct->task);
	} else if (in_event) {
		sim_task_run_now(ct->task);
	} else {
		sim_task_run(ct->task);
	}
}

static void switch_done_event(struct sim_engine *eng, void *data)
{
	task_start(data, true);
}

/* Tracing: @ct waited on the run-queue from @since to now (a slice of its
 * thread); or it ran on core @cpu from @since to now (a slice of the
 * core, named as the thread, the context switch in). */
static void cpu_trace_wait(struct sim_cpus *cpus, const struct cpu_task *ct, sim_time_t since)
{
	sim_trace_task_slice(cpus->trace, ct->task, "sched", "runqueue", since,
			     sim_now(cpus->eng), NULL, 0);
}

static void cpu_trace_ran(struct sim_cpus *cpus, unsigned int cpu, const struct cpu_task *ct,
			  sim_time_t since)
{
	struct sim_trace *tr = cpus->trace;
	const char *name = sim_trace_get_track(tr, sim_trace_task_track(tr, ct->task))->name;

	sim_trace_slice(tr, cpus->trace_core[cpu], "sched", name, since, sim_now(cpus->eng),
			NULL, 0);
}

/* Give idle or freed core @cpu to @ct and begin the context switch. */
static void core_pick(struct sim_cpus *cpus, unsigned int cpu, struct cpu_task *ct)
{
	struct cpu_core *core = &cpus->cores[cpu];
	sim_time_t now = sim_now(cpus->eng);

	g_assert(!core->curr && task_allowed(ct, cpu));
	core->curr = ct;
	core->since = now;
	core->lazy_mm = NULL;
	ct->cpu = (int)cpu;
	ct->state = CPU_TASK_SWITCHING;
	sim_hist_record(cpus->runqueue_wait, (uint64_t)(now - ct->queued_at));
	if (G_UNLIKELY(cpus->trace) && now > ct->queued_at)
		cpu_trace_wait(cpus, ct, ct->queued_at);
	(*cpus->nr_switches)++;
	if (G_UNLIKELY(core->irq_end > now)) {
		/* An idle core's handler still runs: the switch follows it
		 * (that time counted busy once, from now on as this hold). */
		core->busy -= core->irq_end - now;
		ct->switch_end = core->irq_end + cpus->ctx_switch;
		ct->switch_timer = sim_schedule_at(cpus->eng, ct->switch_end, switch_done_event, ct);
	} else if (cpus->ctx_switch > 0) {
		ct->switch_end = now + cpus->ctx_switch;
		ct->switch_timer = sim_schedule(cpus->eng, cpus->ctx_switch, switch_done_event, ct);
	} else {
		task_start(ct, false);
	}
}

/* @ct wants a core: take an idle one or join the run-queue tail. */
static void enqueue_task(struct sim_cpus *cpus, struct cpu_task *ct)
{
	int cpu = select_idle_core(cpus, ct);

	ct->queued_at = sim_now(cpus->eng);
	if (cpu >= 0) {
		core_clear_idle(cpus, (unsigned int)cpu);
		core_pick(cpus, (unsigned int)cpu, ct);
		return;
	}
	ct->state = CPU_TASK_QUEUED;
	runqueue_add(cpus, ct);
}

static void wake_latency_event(struct sim_engine *eng, void *data)
{
	struct cpu_task *ct = data;

	g_assert(ct->state == CPU_TASK_WAKING);
	enqueue_task(ct->cpus, ct);
}

/* Core @cpu falls free: to the run-queue head, or idle. */
static void core_release(struct sim_cpus *cpus, unsigned int cpu)
{
	struct cpu_core *core = &cpus->cores[cpu];
	struct cpu_task *next;

	core->busy += sim_now(cpus->eng) - core->since;
	if (G_UNLIKELY(cpus->trace))
		cpu_trace_ran(cpus, cpu, core->curr, core->since);
	/* enter_lazy_tlb(): the idle task keeps the last mm loaded. */
	core->lazy_mm = core->curr->mm;
	core->curr = NULL;
	next = runqueue_first_for(cpus, cpu);
	if (!next) {
		core_set_idle(cpus, cpu);
		return;
	}
	runqueue_del(cpus, next);
	core_pick(cpus, cpu, next);
}

static void cpu_task_put(struct sim_cpus *cpus, struct cpu_task *ct)
{
	g_free(ct->mask);
	ct->mask = NULL;
	list_del_init(&ct->node);
	list_add(&ct->node, &cpus->free_tasks);
}

/* ------------------------------------------------------------------ */
/* Scheduler hooks */

static void cpu_wakeup(struct sim_task *t, void *sched)
{
	struct sim_cpus *cpus = sched;
	struct cpu_task *ct = sim_task_sched_data(t);
	sim_time_t lat = 0;

	switch (ct->state) {
	case CPU_TASK_ONCPU:
		/* A preempted task resumed by task_start(). */
		if (ct->run_now) {
			ct->run_now = false;
			sim_task_run_now(t);
		} else {
			sim_task_run(t);
		}
		return;
	case CPU_TASK_OFF:
		break;
	default:
		g_error("cpu: task %s woken while %s", sim_task_name(t),
			ct->preempted ? "preempted" : "already runnable");
	}
	if (ct->attaching) {
		ct->attaching = false;
		enqueue_task(cpus, ct);
		return;
	}
	ct->runnable_at = sim_now(cpus->eng);
	ct->wakeup_pending = true;
	if (cpus->wake_latency)
		lat = sim_dist_sample_ns(cpus->wake_latency, cpus->rng);
	if (lat > 0) {
		ct->state = CPU_TASK_WAKING;
		sim_schedule(cpus->eng, lat, wake_latency_event, ct);
	} else {
		enqueue_task(cpus, ct);
	}
}

static void cpu_release(struct sim_task *t, void *sched)
{
	struct sim_cpus *cpus = sched;
	struct cpu_task *ct = sim_task_sched_data(t);
	unsigned int cpu = (unsigned int)ct->cpu;

	g_assert(ct->cpu >= 0 && cpus->cores[cpu].curr == ct);
	g_assert(ct->state == CPU_TASK_ONCPU ||
		 (ct->state == CPU_TASK_QUEUED && ct->preempted));
	if (ct->state == CPU_TASK_ONCPU)
		ct->state = CPU_TASK_OFF;
	ct->cpu = -1;
	if (sim_task_state(t) == SIM_TASK_DEAD) {
		/* task.c frees @t once we return: forget it. */
		sim_task_set_sched_data(t, NULL);
		cpu_task_put(cpus, ct);
	}
	core_release(cpus, cpu);
}

static const struct sim_sched_ops cpu_sched_ops = {
	.wakeup = cpu_wakeup,
	.release = cpu_release,
};

/* ------------------------------------------------------------------ */
/* Setup */

struct sim_cpus *sim_cpus_new(struct sim_engine *eng, const struct sim_cpus_params *p)
{
	struct sim_stats *st = sim_engine_stats(eng);
	struct sim_cpus *cpus;

	g_assert(sim_cpus_params_check(p, NULL));
	cpus = g_new0(struct sim_cpus, 1);
	cpus->eng = eng;
	cpus->trace = sim_engine_trace(eng);
	cpus->nr_cpus = p->nr_cpus;
	if (cpus->trace) {
		cpus->trace_core = g_new(unsigned int, p->nr_cpus);
		for (unsigned int i = 0; i < p->nr_cpus; i++) {
			g_autofree char *n = g_strdup_printf("cpu %u", i);

			cpus->trace_core[i] = sim_trace_track(cpus->trace, SIM_TRACE_CPU, i, n);
		}
	}
	cpus->slice = p->slice > 0 ? p->slice : 0;
	cpus->ctx_switch = p->ctx_switch;
	if (p->wake_latency) {
		cpus->wake_latency = sim_dist_copy(p->wake_latency);
		cpus->rng = sim_rng(eng, "cpu");
	}
	cpus->start = sim_now(eng);
	/* The end of a context switch resumes the task as its last action,
	 * the end of a wake-up latency queues it for a core: a task that
	 * waits may run them itself (and switch to the task resumed). */
	sim_task_direct_handler(eng, switch_done_event);
	sim_task_direct_handler(eng, wake_latency_event);
	cpus->cores = g_new0(struct cpu_core, p->nr_cpus);
	cpus->nr_idle_words = (p->nr_cpus + 63) / 64;
	cpus->idle = g_new0(uint64_t, cpus->nr_idle_words);
	for (unsigned int i = 0; i < p->nr_cpus; i++)
		core_set_idle(cpus, i);
	INIT_LIST_HEAD(&cpus->runqueue);
	INIT_LIST_HEAD(&cpus->tasks);
	INIT_LIST_HEAD(&cpus->free_tasks);

	cpus->runqueue_wait = sim_stats_hist_unit(st, "cpu", "runqueueWait", "ns",
						  "runnable to picked by a core, per pick");
	cpus->wakeup_latency = sim_stats_hist_unit(st, "cpu", "wakeupLatency", "ns",
						   "woken to running on a core");
	cpus->nr_switches = sim_stats_counter_unit(st, "cpu", "contextSwitches", "switches",
						   "tasks put on a core");
	cpus->nr_preemptions = sim_stats_counter_unit(st, "cpu", "preemptions", "preemptions",
						      "tasks taken off a core at the slice end");
	cpus->nr_spins = sim_stats_counter_unit(st, "cpu", "spins", "spins",
						"optimistic spins begun on a core");
	cpus->nr_spin_resched = sim_stats_counter_unit(st, "cpu", "spinNeedResched", "spins",
						       "spins cut short by need_resched()");
	return cpus;
}

static void free_cpu_tasks(struct list_head *head)
{
	struct cpu_task *ct, *n;

	list_for_each_entry_safe(ct, n, head, node) {
		g_free(ct->mask);
		g_free(ct);
	}
}

/* Never touches the engine: may be called before or after sim_engine_free()
 * (but the engine must not run again with tasks still attached). */
void sim_cpus_free(struct sim_cpus *cpus)
{
	if (!cpus)
		return;
	free_cpu_tasks(&cpus->tasks);
	free_cpu_tasks(&cpus->free_tasks);
	sim_dist_free(cpus->wake_latency);
	g_free(cpus->idle);
	g_free(cpus->cores);
	g_free(cpus->trace_core);
	g_free(cpus);
}

void sim_cpus_attach(struct sim_cpus *cpus, struct sim_task *t)
{
	sim_cpus_attach_mask(cpus, t, NULL);
}

void sim_cpus_attach_mask(struct sim_cpus *cpus, struct sim_task *t, const uint64_t *mask)
{
	struct cpu_task *ct;
	enum sim_task_state state = sim_task_state(t);
	uint64_t *copy = NULL;

	g_assert(state != SIM_TASK_RUNNING && state != SIM_TASK_DEAD);
	g_assert(!sim_task_sched(t));
	if (mask) {
		/* Only the machine's cores; every one of them: no mask. */
		bool all = true, any = false;

		copy = g_new0(uint64_t, cpus->nr_idle_words);
		for (unsigned int c = 0; c < cpus->nr_cpus; c++) {
			if (mask[c / 64] & (UINT64_C(1) << (c % 64))) {
				copy[c / 64] |= UINT64_C(1) << (c % 64);
				any = true;
			} else {
				all = false;
			}
		}
		g_assert(any);
		if (all)
			g_clear_pointer(&copy, g_free);
	}
	ct = list_first_entry_or_null(&cpus->free_tasks, struct cpu_task, node);
	if (ct)
		list_del_init(&ct->node);
	else
		ct = g_new(struct cpu_task, 1);
	*ct = (struct cpu_task){
		.cpus = cpus,
		.task = t,
		.state = CPU_TASK_OFF,
		.attaching = true,
		.cpu = -1,
		.last_cpu = -1,
		.mask = copy,
	};
	INIT_LIST_HEAD(&ct->rq_node);
	list_add_tail(&ct->node, &cpus->tasks);
	sim_task_set_sched_data(t, ct);
	/* A runnable task comes straight back through cpu_wakeup(). */
	sim_task_set_sched(t, &cpu_sched_ops, cpus);
	ct->attaching = false;
}

/* ------------------------------------------------------------------ */
/* Computing, spinning, preemption */

/* Whether @ct's slice is over with others waiting for its core; renews it
 * otherwise. */
static bool slice_expired(struct cpu_task *ct)
{
	struct sim_cpus *cpus = ct->cpus;
	sim_time_t now = sim_now(cpus->eng);

	if (!cpus->slice || now < ct->slice_end)
		return false;
	if (runqueue_first_for(cpus, (unsigned int)ct->cpu))
		return true;
	ct->slice_end = now + cpus->slice;
	return false;
}

/* To the run-queue tail; returns when a core has picked @ct up again. */
static void preempt_task(struct cpu_task *ct)
{
	struct sim_cpus *cpus = ct->cpus;

	(*cpus->nr_preemptions)++;
	ct->preempted = true;
	ct->state = CPU_TASK_QUEUED;
	ct->queued_at = sim_now(cpus->eng);
	runqueue_add(cpus, ct);
	sim_task_set_blocked_on(ct->task, "cpu", cpus);
	sim_block(ct->task);		/* cpu_release() hands the core on */
	g_assert(ct->state == CPU_TASK_ONCPU);
}

static inline struct cpu_task *cpu_task_running(struct sim_task *t)
{
	struct cpu_task *ct = cpu_task_of(t);

	g_assert(!ct || (ct->state == CPU_TASK_ONCPU && ct->cpu >= 0));
	return ct;
}

void cpu_work(struct sim_task *t, sim_time_t ns)
{
	struct cpu_task *ct = cpu_task_running(t);

	g_assert(ns >= 0);
	if (!ct) {
		if (ns > 0)
			sim_sleep(t, ns);
		return;
	}
	while (ns > 0) {
		sim_time_t piece = ns;

		if (slice_expired(ct))
			preempt_task(ct);
		if (ct->cpus->slice)
			piece = MIN(ns, ct->slice_end - sim_now(ct->cpus->eng));
		sim_sleep_oncpu(t, piece);
		ns -= piece;
	}
}

void cpu_cond_resched(struct sim_task *t)
{
	struct cpu_task *ct = cpu_task_running(t);

	if (ct && slice_expired(ct))
		preempt_task(ct);
}

/* A spinner woken while an interrupt's handler runs on its core goes on
 * when the handler ends. */
static void spin_after_irq(struct cpu_task *ct)
{
	const struct cpu_core *core = &ct->cpus->cores[ct->cpu];
	sim_time_t now = sim_now(ct->cpus->eng);

	if (G_UNLIKELY(core->irq_end > now))
		sim_sleep_oncpu(ct->task, core->irq_end - now);
}

bool cpu_spin(struct sim_task *t, sim_time_t max)
{
	struct cpu_task *ct = cpu_task_running(t);
	struct sim_cpus *cpus;
	sim_time_t end;

	if (!ct) {
		if (max < 0) {
			sim_block(t);
			return true;
		}
		return sim_block_timeout(t, max);
	}
	cpus = ct->cpus;
	(*cpus->nr_spins)++;
	end = max < 0 ? -1 : sim_now(cpus->eng) + max;
	for (;;) {
		sim_time_t now = sim_now(cpus->eng);
		sim_time_t piece = max < 0 ? -1 : end - now;	/* -1: no limit */

		if (max >= 0 && piece <= 0)
			return false;
		if (slice_expired(ct)) {
			(*cpus->nr_spin_resched)++;
			return false;
		}
		if (cpus->slice && (piece < 0 || piece > ct->slice_end - now))
			piece = ct->slice_end - now;
		if (sim_block_timeout_oncpu(t, piece)) {
			spin_after_irq(ct);
			return true;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Interrupts and the address space a core runs */

void sim_cpus_task_set_mm(struct sim_task *t, const void *mm)
{
	struct cpu_task *ct = cpu_task_of(t);

	g_assert(ct);
	ct->mm = mm;
}

enum sim_core_mm sim_cpus_core_mm(const struct sim_cpus *cpus, unsigned int cpu, const void *mm)
{
	const struct cpu_core *core;

	g_assert(cpu < cpus->nr_cpus);
	core = &cpus->cores[cpu];
	if (!mm)
		return SIM_CORE_MM_NONE;
	if (core->curr)
		return core->curr->mm == mm ? SIM_CORE_MM_RUNNING : SIM_CORE_MM_NONE;
	return core->lazy_mm == mm ? SIM_CORE_MM_LAZY : SIM_CORE_MM_NONE;
}

void sim_cpus_core_leave_lazy(struct sim_cpus *cpus, unsigned int cpu)
{
	g_assert(cpu < cpus->nr_cpus);
	cpus->cores[cpu].lazy_mm = NULL;
}

sim_time_t sim_cpus_interrupt(struct sim_cpus *cpus, unsigned int cpu, sim_time_t cost)
{
	struct cpu_core *core;
	struct cpu_task *ct;
	sim_time_t now = sim_now(cpus->eng);

	g_assert(cpu < cpus->nr_cpus && cost >= 0);
	if (!cpus->nr_irqs)
		cpus->nr_irqs = sim_stats_counter_unit(sim_engine_stats(cpus->eng), "cpu",
						       "interrupts", "interrupts",
						       "interrupts taken (IPIs)");
	(*cpus->nr_irqs)++;
	core = &cpus->cores[cpu];
	core->irq_end = MAX(now, core->irq_end) + cost;
	core->irq_time += cost;
	ct = core->curr;
	if (!ct) {
		/* An idle core: the handler is its only work. */
		core->busy += cost;
		return core->irq_end;
	}
	if (ct->state == CPU_TASK_SWITCHING) {
		if (sim_cancel(cpus->eng, &ct->switch_timer)) {
			ct->switch_end += cost;
			ct->switch_timer = sim_schedule_at(cpus->eng, ct->switch_end,
							   switch_done_event, ct);
		}
		return core->irq_end;
	}
	/* Whatever the task waits for on its core (a piece of cpu_work(), a
	 * spin's timeout, its resumption) comes @cost later. */
	sim_task_postpone_oncpu(ct->task, cost);
	return core->irq_end;
}

sim_time_t sim_cpus_irq_time(const struct sim_cpus *cpus, unsigned int cpu)
{
	g_assert(cpu < cpus->nr_cpus);
	return cpus->cores[cpu].irq_time;
}

/* ------------------------------------------------------------------ */
/* CPU lists */

static const char cpulist_accepted[] =
	"accepted: comma-separated CPUs \"N\", ranges \"A-B\" and \"A-B:U/G\" (the first U "
	"of each G from A), N meaning the last CPU, or \"all\", as taskset -c";

/* A CPU number or "N" (the last) at *@s; false if none. */
static bool cpulist_number(const char **s, unsigned int nr_cpus, unsigned long *v)
{
	char *end;

	if (**s == 'N') {
		(*s)++;
		*v = nr_cpus - 1;
		return true;
	}
	if (!g_ascii_isdigit(**s))
		return false;
	errno = 0;
	*v = strtoul(*s, &end, 10);
	if (errno)
		*v = ULONG_MAX;
	*s = end;
	return true;
}

uint64_t *sim_cpulist_parse(const char *list, unsigned int nr_cpus, unsigned int *nr_set,
			    GError **error)
{
	g_autofree uint64_t *mask = NULL;
	unsigned int n = 0;
	const char *s = list;

	g_assert(nr_cpus >= 1 && nr_cpus <= SIM_CPUS_MAX);
	mask = g_new0(uint64_t, (nr_cpus + 63) / 64);
	while (*s == ' ')
		s++;
	if (g_str_equal(s, "all")) {
		for (unsigned int c = 0; c < nr_cpus; c++)
			mask[c / 64] |= UINT64_C(1) << (c % 64);
		n = nr_cpus;
		s += 3;
	}
	while (*s) {
		unsigned long a, b, used = 1, group = 1;

		if (!cpulist_number(&s, nr_cpus, &a))
			goto syntax;
		b = a;
		if (*s == '-') {
			s++;
			if (!cpulist_number(&s, nr_cpus, &b))
				goto syntax;
			if (*s == ':') {
				s++;
				if (!cpulist_number(&s, nr_cpus, &used) || *s++ != '/' ||
				    !cpulist_number(&s, nr_cpus, &group))
					goto syntax;
				if (!used || !group || used > group) {
					g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
						    "'%s': in A-B:U/G, 1 <= U <= G; %s", list,
						    cpulist_accepted);
					return NULL;
				}
			}
		}
		if (a > b) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "'%s': range %lu-%lu goes down; %s", list, a, b, cpulist_accepted);
			return NULL;
		}
		if (b >= nr_cpus) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
				    "'%s': CPU %lu, but the machine has CPUs 0-%u (machine.cpus = %u)",
				    list, b, nr_cpus - 1, nr_cpus);
			return NULL;
		}
		for (unsigned long c = a; c <= b; c++) {
			if ((c - a) % group >= used)
				continue;
			if (!(mask[c / 64] & (UINT64_C(1) << (c % 64))))
				n++;
			mask[c / 64] |= UINT64_C(1) << (c % 64);
		}
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (*s++ != ',')
			goto syntax;
		while (*s == ' ')
			s++;
	}
	if (!n) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "'%s': no CPU; %s", list,
			    cpulist_accepted);
		return NULL;
	}
	if (nr_set)
		*nr_set = n;
	return g_steal_pointer(&mask);
syntax:
	g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "'%s' is not a CPU list; %s", list,
		    cpulist_accepted);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Queries and results */

int sim_task_cpu(const struct sim_task *t)
{
	const struct cpu_task *ct = cpu_task_of(t);

	return ct && ct->state == CPU_TASK_ONCPU ? ct->cpu : -1;
}

unsigned int sim_cpus_nr(const struct sim_cpus *cpus)
{
	return cpus->nr_cpus;
}

unsigned int sim_cpus_nr_queued(const struct sim_cpus *cpus)
{
	return cpus->nr_queued;
}

bool sim_cpus_need_resched(const struct sim_cpus *cpus)
{
	return cpus->nr_queued > 0;
}

sim_time_t sim_cpus_busy(const struct sim_cpus *cpus, unsigned int cpu)
{
	const struct cpu_core *core;

	g_assert(cpu < cpus->nr_cpus);
	core = &cpus->cores[cpu];
	return core->busy + (core->curr ? sim_now(cpus->eng) - core->since : 0);
}

void sim_cpus_finish(struct sim_cpus *cpus)
{
	struct sim_stats *st = sim_engine_stats(cpus->eng);
	double elapsed = (double)(sim_now(cpus->eng) - cpus->start);
	double total = 0;

	for (unsigned int i = 0; i < cpus->nr_cpus; i++) {
		char module[32];
		double busy = (double)sim_cpus_busy(cpus, i);

		g_snprintf(module, sizeof(module), "cpu[%u]", i);
		*sim_stats_scalar_unit(st, module, "busyTime", "ns",
				       "time the core ran a task since the warm-up") = busy;
		*sim_stats_scalar_unit(st, module, "utilization", "ratio",
				       "busyTime / measured time (0..1)") =
			elapsed > 0 ? busy / elapsed : 0;
		total += busy;
	}
	*sim_stats_scalar_unit(st, "cpu", "utilization", "ratio",
			       "mean of the cores' utilization (0..1)") =
		elapsed > 0 ? total / (cpus->nr_cpus * elapsed) : 0;
}

/* ------------------------------------------------------------------ */
/*
 * Open-loop load: a chain of arrival events (no task of its own).  Each
 * arrival draws its service time (stream "cpu_load.service") and the next
 * inter-arrival time (stream "cpu_load.arrival"), and spawns a job task
 * attached to the CPUs.  A job's response time runs from its arrival to
 * the end of its cpu_work().  The number in system is integrated over time
 * at every arrival and completion, for the time average L.  Job records
 * are recycled through a free list.
 */

struct cpu_job {
	struct sim_cpu_load *load;
	sim_time_t arrival;
	sim_time_t service;
	struct list_head node;		/* load->jobs or load->free_jobs */
};

struct sim_cpu_load {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	struct sim_dist *interarrival;
	struct sim_dist *service;
	gsl_rng *arrival_rng;		/* stream "cpu_load.arrival" */
	gsl_rng *service_rng;		/* stream "cpu_load.service" */
	uint64_t max_jobs;
	uint64_t nr_arrived;
	uint64_t max_backlog;		/* jobs in system; 0: no limit */
	char *error;			/* set when max_backlog stopped the run */
	struct sim_timer arrival;

	/* Number in system, integrated over time for the mean. */
	uint64_t in_system;
	double area;			/* jobs x ns up to last_change */
	sim_time_t last_change;
	sim_time_t start;

	struct list_head jobs;		/* live */
	struct list_head free_jobs;

	struct sim_hist *response_time;
	uint64_t *nr_arrivals;
	uint64_t *nr_completions;
};

static void load_account(struct sim_cpu_load *load)
{
	sim_time_t now = sim_now(load->eng);

	load->area += (double)load->in_system * (double)(now - load->last_change);
	load->last_change = now;
}

static void cpu_job_fn(struct sim_task *t, void *arg)
{
	struct cpu_job *job = arg;
	struct sim_cpu_load *load = job->load;

	cpu_work(t, job->service);
	sim_hist_record(load->response_time,
			(uint64_t)(sim_now(load->eng) - job->arrival));
	(*load->nr_completions)++;
	load_account(load);
	load->in_system--;
	list_del_init(&job->node);
	list_add(&job->node, &load->free_jobs);
}

static void load_arrival_event(struct sim_engine *eng, void *data)
{
	struct sim_cpu_load *load = data;
	struct cpu_job *job;
	struct sim_task *t;

	load->arrival = (struct sim_timer){ 0 };
	if (load->max_backlog && load->in_system >= load->max_backlog) {
		/* Before any draw: a run that never gets here is unchanged. */
		load->error = g_strdup_printf(
			"open-loop CPU load: backlog exceeded %" G_GUINT64_FORMAT
			" jobs at %.3f ms of simulated time (arrival rate above "
			"service rate?)", load->max_backlog, (double)sim_now(eng) / 1e6);
		sim_stop(eng);
		return;
	}
	job = list_first_entry_or_null(&load->free_jobs, struct cpu_job, node);
	if (job)
		list_del_init(&job->node);
	else
		job = g_new(struct cpu_job, 1);
	job->load = load;
	job->arrival = sim_now(eng);
	job->service = sim_dist_sample_ns(load->service, load->service_rng);
	list_add_tail(&job->node, &load->jobs);

	(*load->nr_arrivals)++;
	load->nr_arrived++;
	load_account(load);
	load->in_system++;

	t = sim_task_spawn(eng, "cpu_load", cpu_job_fn, job);
	sim_cpus_attach(load->cpus, t);

	if (!load->max_jobs || load->nr_arrived < load->max_jobs)
		load->arrival = sim_schedule(eng,
			sim_dist_sample_ns(load->interarrival, load->arrival_rng),
			load_arrival_event, load);
}

struct sim_cpu_load *sim_cpu_load_start(struct sim_engine *eng, struct sim_cpus *cpus,
					const struct sim_dist *interarrival,
					const struct sim_dist *service, uint64_t max_jobs)
{
	struct sim_stats *st = sim_engine_stats(eng);
	struct sim_cpu_load *load = g_new0(struct sim_cpu_load, 1);

	g_assert(cpus->eng == eng);
	load->eng = eng;
	load->cpus = cpus;
	load->interarrival = sim_dist_copy(interarrival);
	load->service = sim_dist_copy(service);
	load->arrival_rng = sim_rng(eng, "cpu_load.arrival");
	load->service_rng = sim_rng(eng, "cpu_load.service");
	load->max_jobs = max_jobs;
	load->start = load->last_change = sim_now(eng);
	INIT_LIST_HEAD(&load->jobs);
	INIT_LIST_HEAD(&load->free_jobs);
	load->response_time = sim_stats_hist_unit(st, "cpu_load", "responseTime", "ns",
						  "open-loop CPU job: arrival to completion");
	load->nr_arrivals = sim_stats_counter_unit(st, "cpu_load", "arrivals", "jobs",
						   "open-loop CPU jobs arrived");
	load->nr_completions = sim_stats_counter_unit(st, "cpu_load", "completions", "jobs",
						      "open-loop CPU jobs completed");
	load->arrival = sim_schedule(eng,
		sim_dist_sample_ns(load->interarrival, load->arrival_rng),
		load_arrival_event, load);
	return load;
}

static void free_jobs(struct list_head *head)
{
	struct cpu_job *job, *n;

	list_for_each_entry_safe(job, n, head, node)
		g_free(job);
}

void sim_cpu_load_free(struct sim_cpu_load *load)
{
	if (!load)
		return;
	sim_cancel(load->eng, &load->arrival);
	free_jobs(&load->jobs);
	free_jobs(&load->free_jobs);
	sim_dist_free(load->interarrival);
	sim_dist_free(load->service);
	g_free(load->error);
	g_free(load);
}

void sim_cpu_load_set_max_backlog(struct sim_cpu_load *load, uint64_t jobs)
{
	load->max_backlog = jobs;
}

const char *sim_cpu_load_error(const struct sim_cpu_load *load)
{
	return load->error;
}

uint64_t sim_cpu_load_in_system(const struct sim_cpu_load *load)
{
	return load->in_system;
}

double sim_cpu_load_mean_in_system(const struct sim_cpu_load *load)
{
	sim_time_t now = sim_now(load->eng);
	double area = load->area +
		      (double)load->in_system * (double)(now - load->last_change);

	return now > load->start ? area / (double)(now - load->start) : 0;
}

void sim_cpu_load_finish(struct sim_cpu_load *load)
{
	struct sim_stats *st = sim_engine_stats(load->eng);
	sim_time_t elapsed = sim_now(load->eng) - load->start;

	*sim_stats_scalar_unit(st, "cpu_load", "meanJobsInSystem", "jobs",
			       "time average of the jobs queued or running") =
		sim_cpu_load_mean_in_system(load);
	*sim_stats_scalar_unit(st, "cpu_load", "arrivalRate", "jobs/s",
			       "jobs arrived per simulated second") = elapsed > 0 ?
		(double)load->nr_arrived * NSEC_PER_SEC / (double)elapsed : 0;
}
