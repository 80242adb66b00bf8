/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Simulated threads: processes in the discrete-event sense.
 *
 * Each task runs its own C function on its own stack (a coroutine), so that
 * model code reads like the kernel path it models:
 *
 *	mmap_read_lock(mm);		-- may block the simulated thread
 *	cpu_work(t, 1100);		-- takes simulated time
 *	mmap_read_unlock(mm);
 *
 * Blocking a task switches back to the engine, which goes on dispatching
 * events; waking a task schedules an event that switches into it.  Only
 * one task runs at a time and only when the engine dispatches it, so model
 * code never needs host locks.
 *
 * States:
 *	RUNNABLE  a resume event is scheduled (just spawned, woken, or its
 *	          sleep is due)
 *	RUNNING   its code is executing (sim_current() returns it)
 *	SLEEPING  blocked until a fixed time (sim_sleep)
 *	BLOCKED   blocked until someone calls sim_wake() (or a timeout)
 *	DEAD      its function returned; the engine reaps it at once
 *
 * Stacks are mmap'd with a PROT_NONE guard page below them, so an overflow
 * faults instead of corrupting a neighbour.  Freed stacks are cached by
 * the engine for the next spawn.
 */
#ifndef FAULTSIM_SIM_TASK_H
#define FAULTSIM_SIM_TASK_H

#include <stdbool.h>
#include "faultsim/task.h"
#include "sim/core/engine.h"
#include "sim/core/list.h"

struct sim_task;
typedef void sim_task_fn(struct sim_task *t, void *arg);

enum sim_task_state {
	SIM_TASK_RUNNABLE,
	SIM_TASK_RUNNING,
	SIM_TASK_SLEEPING,
	SIM_TASK_BLOCKED,
	SIM_TASK_DEAD,
};

/*
 * Create a task that starts running @fn(task, @arg) at the current time,
 * after the events already scheduled for this instant.  @name is copied.
 * The task is freed when @fn returns; a pointer to it must not be used
 * after that.
 */
struct sim_task *sim_task_spawn(struct sim_engine *eng, const char *name,
				sim_task_fn *fn, void *arg);

/* Stack size for tasks spawned from now on (default 64 KiB, rounded up to
 * pages).  Call before the first spawn to avoid mixing sizes in the cache. */
void sim_engine_set_stack_size(struct sim_engine *eng, size_t bytes);

/* The task whose code is executing, or NULL when the engine itself runs
 * (in an event handler). */
struct sim_task *sim_current(const struct sim_engine *eng);

/* sim_sleep(t, ns), in faultsim/task.h: let simulated time pass; the task
 * resumes @ns from now. */
/* Resume after every event already scheduled for the current instant. */
void sim_yield(struct sim_task *t);

/*
 * Block until sim_wake().  The caller must have arranged to be found by a
 * waker first (a wait queue, a lock's wait list): in a single-threaded
 * simulation nothing can happen between that and the block, so there is no
 * lost-wakeup window to guard.
 */
void sim_block(struct sim_task *t);
/* Block until sim_wake() or until @timeout ns pass; true if woken. */
bool sim_block_timeout(struct sim_task *t, sim_time_t timeout);
/*
 * Make a blocked task runnable: it resumes at the current time, after the
 * events already scheduled for this instant (or, attached to a CPU model,
 * when it gets a CPU).  Waking a task whose block timed out but which has
 * not run yet only records the wake-up (sim_block_timeout then returns
 * true).  Waking any other task that is not blocked is a programming
 * error.  Callable from a task or a handler.
 */
void sim_wake(struct sim_task *t);

/*
 * Scheduler hooks.  A CPU model (sim/kernel/cpu.c) attaches itself to the tasks
 * that compete for cores; it then decides when a runnable task actually
 * runs.  Tasks without a scheduler (test harnesses, load generators,
 * devices) resume as soon as they are runnable.
 *
 *   wakeup   @t became runnable (woken, its sleep or timeout ended, or it
 *            was just attached): the scheduler calls sim_task_run(@t)
 *            when @t has a CPU again.
 *   release  @t stops running (it blocks or sleeps off-CPU): its CPU is
 *            free for another task.
 */
struct sim_sched_ops {
	void (*wakeup)(struct sim_task *t, void *sched);
	void (*release)(struct sim_task *t, void *sched);
};

/* Attach @t to a scheduler (NULL ops: detach).  A task that is runnable
 * when attached is handed to ops->wakeup at once. */
void sim_task_set_sched(struct sim_task *t, const struct sim_sched_ops *ops, void *sched);
static inline void *sim_task_sched(const struct sim_task *t);
/* Per-task data of the scheduler attached to @t. */
void sim_task_set_sched_data(struct sim_task *t, void *data);
static inline void *sim_task_sched_data(const struct sim_task *t);
/* For schedulers: resume runnable @t now, after this instant's events. */
void sim_task_run(struct sim_task *t);
/* For schedulers, from an event handler as its last action: resume
 * runnable @t at once, within the handler's event (the end of a context
 * switch is the task running: one event, not two).  @t may be freed when
 * this returns. */
void sim_task_run_now(struct sim_task *t);
/*
 * Let a task that waits run the events of handler @fn itself, on its own
 * stack, instead of switching to the engine for them: the same trajectory,
 * one context switch less when the handler resumes a task.  Only for
 * small handlers (a task stack is small) that resume a task, if at all,
 * by sim_task_run_now() as their last action.  At most eight per engine.
 */
void sim_task_direct_handler(struct sim_engine *eng, sim_event_fn *fn);
/* Let @ns pass while @t keeps its CPU (computing: see cpu_work()). */
void sim_sleep_oncpu(struct sim_task *t, sim_time_t ns);
/*
 * Block while keeping the CPU (spinning): sim_wake() resumes @t at once,
 * without a trip through the scheduler.  @timeout < 0 means none; returns
 * true if woken, false on timeout.
 */
bool sim_block_timeout_oncpu(struct sim_task *t, sim_time_t timeout);

/*
 * For CPU models: an interrupt took @ns of @t's core.  If @t waits on its
 * CPU with a timer (a sleep on the CPU, a spin's timeout) or is about to
 * run, that resume comes @ns later; returns whether there was one.  A
 * task blocked off its CPU, or spinning without a timeout, is left alone.
 */
bool sim_task_postpone_oncpu(struct sim_task *t, sim_time_t ns);

/* Accessors (and sim_task_name(), in faultsim/task.h). */
unsigned int sim_task_id(const struct sim_task *t);
enum sim_task_state sim_task_state(const struct sim_task *t);
static inline struct sim_engine *sim_task_engine(const struct sim_task *t);
/* What a blocked task waits for, for deadlock reports: set by primitives
 * before they block (a static string and the object waited on). */
void sim_task_set_blocked_on(struct sim_task *t, const char *what, const void *obj);
const char *sim_task_blocked_what(const struct sim_task *t);
const void *sim_task_blocked_obj(const struct sim_task *t);

/*
 * Deadlock detection.  A primitive that knows who holds what a task waits
 * for says so (sim_task_set_waits_for); a daemon (kswapd) may sleep
 * forever without that being a deadlock.  When a run's events run out
 * while tasks other than daemons are still blocked, nothing can ever wake
 * them: sim_deadlock_report() describes them and, following the waits-for
 * edges, the cycle among them if there is one.
 */
void sim_task_set_waits_for(struct sim_task *t, struct sim_task *holder);
struct sim_task *sim_task_waits_for(const struct sim_task *t);
void sim_task_set_daemon(struct sim_task *t, bool daemon);
/* Tasks blocked or sleeping that are not daemons. */
size_t sim_engine_nr_stuck(struct sim_engine *eng);
/* NULL if no task is stuck; otherwise a report (g_free() it): each stuck
 * task with what it waits for and who holds it, then the wait-for cycle,
 * e.g. "cycle: writer/0 -> app/3 -> writer/0". */
char *sim_deadlock_report(struct sim_engine *eng);

/* A pointer the model may hang on a task (its mm, its thread state). */
void sim_task_set_private(struct sim_task *t, void *data);
void *sim_task_private(const struct sim_task *t);

/* Live tasks, and a walk over them in spawn order. */
size_t sim_engine_nr_tasks(const struct sim_engine *eng);
typedef void sim_task_visit_fn(struct sim_task *t, void *data);
void sim_engine_foreach_task(struct sim_engine *eng, sim_task_visit_fn *fn, void *data);

/*
 * The first members of struct sim_task (task.c; private otherwise), so
 * that the accessors the kernel model calls at every step are inline.
 */
struct sim_task_head {
	struct sim_engine *eng;
	const struct sim_sched_ops *sched_ops;
	void *sched;
	void *sched_data;
};

static inline const struct sim_task_head *sim_task_head(const struct sim_task *t)
{
	return (const struct sim_task_head *)(const void *)t;
}

static inline void *sim_task_sched(const struct sim_task *t)
{
	return sim_task_head(t)->sched;
}

static inline void *sim_task_sched_data(const struct sim_task *t)
{
	return sim_task_head(t)->sched_data;
}

static inline struct sim_engine *sim_task_engine(const struct sim_task *t)
{
	return sim_task_head(t)->eng;
}

#endif /* FAULTSIM_SIM_TASK_H */
