/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Simulated threads on coroutine stacks.  See task.h for the states.
 *
 * Control flow: the engine dispatches a task's resume event, whose handler
 * (task_run_event) switches from the engine's stack to the task's.  The task
 * runs until it blocks, sleeps, yields or returns, each of which switches
 * back to the engine's stack, into the same handler, which then returns to
 * the dispatch loop.  A sleep or a block timeout that would end before any
 * other pending event does not switch: the engine advances the clock in
 * place and the task goes on (task_advance()).  So a task never switches directly to another task;
 * one task "switch" in the benchmark's sense is one of these two jumps.
 *
 * Sanitizers: AddressSanitizer must be told about every stack switch
 * (__sanitizer_start/finish_switch_fiber), and valgrind about every stack
 * (VALGRIND_STACK_REGISTER), or both report nonsense.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/core/context.h"
#include "sim/core/engine-private.h"
#include "sim/core/task.h"
#include "sim/core/trace.h"

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

/* Task stacks: 64 KiB; AddressSanitizer's redzones make frames several
 * times bigger, so give it room. */
#if defined(__SANITIZE_ADDRESS__)
#define SIM_DEFAULT_STACK_SIZE (512 * 1024)
#else
#define SIM_DEFAULT_STACK_SIZE (64 * 1024)
#endif

/* An engine's tasks (eng->tasks): made by the first call that needs them,
 * freed by sim_engine_free() through eng->tasks_free. */
struct sim_tasks {
	struct sim_context main_ctx;	/* the engine's own stack */
	struct list_head list;		/* every live task, in spawn order */
	size_t nr;
	unsigned int next_id;
	size_t stack_size;
	GPtrArray *free_stacks;		/* cached stack mappings of stack_size */
	const void *main_stack_bottom;	/* for ASan's fiber switch */
	size_t main_stack_size;
	/* task_wait(): handlers a waiting task may run itself, and while
	 * it does, the task sim_task_run_now() defers to. */
	sim_event_fn *direct_fns[8];
	unsigned int nr_direct_fns;
	bool in_direct;
	struct sim_task *direct_next;
};

struct sim_task {
	struct sim_task_head h;		/* eng, sched_ops, sched, sched_data (task.h) */
	struct sim_context ctx;
	enum sim_task_state state;
	bool woken;			/* sim_block_timeout: woken, not timed out */
	bool oncpu;			/* blocked or sleeping without releasing the CPU */
	bool timed_out;			/* block timeout expired, not yet running */
	sim_task_fn *fn;
	void *arg;
	void *map;			/* stack mapping, guard page first */
	size_t map_size;
	struct sim_timer resume;	/* pending resume (spawn, wake, sleep, timeout) */
	sim_time_t resume_at;		/* when a pending timer resume is due */
	unsigned int id;
	char *name;
	struct list_head node;		/* eng->tasks->list */
	const char *blocked_what;
	const void *blocked_obj;
	struct sim_task *waits_for;	/* holder of what it waits for, if known */
	bool daemon;			/* may sleep forever (kswapd) */
	void *private;
	/* Tracing: who woke it and when (trace.h), until it runs; -1. */
	int trace_waker;
	sim_time_t trace_woken_at;
#ifdef SIM_ASAN
	void *fake_stack;
#endif
#ifdef HAVE_VALGRIND_VALGRIND_H
	unsigned int vg_stack_id;
#endif
};

/* The inline accessors of task.h read the head as the first member. */
G_STATIC_ASSERT(offsetof(struct sim_task, h) == 0);

/* ------------------------------------------------------------------ */
/* Stacks */

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void tasks_free(struct sim_engine *eng);

/* The task state of @eng, made on first use. */
static struct sim_tasks *tasks_of(struct sim_engine *eng)
{
	struct sim_tasks *ts = eng->tasks;

	if (G_LIKELY(ts))
		return ts;
	ts = g_new0(struct sim_tasks, 1);
	INIT_LIST_HEAD(&ts->list);
	ts->stack_size = SIM_DEFAULT_STACK_SIZE;
	ts->free_stacks = g_ptr_array_new();
	eng->tasks = ts;
	eng->tasks_free = tasks_free;
	return ts;
}

static void *stack_map(struct sim_tasks *ts, size_t *map_size)
{
	size_t guard = page_size();
	void *map;

	*map_size = ts->stack_size + guard;
	if (ts->free_stacks->len) {
		map = g_ptr_array_steal_index_fast(ts->free_stacks,
						   ts->free_stacks->len - 1);
	} else {
		map = mmap(NULL, *map_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (map == MAP_FAILED)
			g_error("cannot map a %zu-byte task stack: %s", *map_size,
				g_strerror(errno));
		if (mprotect(map, guard, PROT_NONE) != 0)
			g_error("cannot protect a task stack guard page: %s",
				g_strerror(errno));
	}
#ifdef SIM_ASAN
	/* Frames of the task that used these addresses last -- from the
	 * cache, or a stack of an engine since freed that mmap() handed back
	 * -- may still be poisoned in ASan's shadow. */
	ASAN_UNPOISON_MEMORY_REGION((char *)map + guard, ts->stack_size);
#endif
	return map;
}

static void stack_unmap(struct sim_tasks *ts, void *map, size_t map_size)
{
	if (map_size == ts->stack_size + page_size())
		g_ptr_array_add(ts->free_stacks, map);
	else
		munmap(map, map_size);
}

void sim_engine_set_stack_size(struct sim_engine *eng, size_t bytes)
{
	struct sim_tasks *ts = tasks_of(eng);
	size_t pg = page_size();
	size_t size = (bytes + pg - 1) / pg * pg;

	if (size == ts->stack_size)
		return;
	for (guint i = 0; i < ts->free_stacks->len; i++)
		munmap(ts->free_stacks->pdata[i], ts->stack_size + pg);
	g_ptr_array_set_size(ts->free_stacks, 0);
	ts->stack_size = size;
}

/* ------------------------------------------------------------------ */
/* Switching, with the sanitizer annotations */

static inline void *task_stack_bottom(const struct sim_task *t)
{
	return (char *)t->map + page_size();
}

/* Engine -> task.  Returns when the task switches back. */
static void switch_to_task(struct sim_engine *eng, struct sim_task *t)
{
	struct sim_tasks *ts = eng->tasks;

#ifdef SIM_ASAN
	void *fake = NULL;

	__sanitizer_start_switch_fiber(&fake, task_stack_bottom(t),
				       t->map_size - page_size());
	sim_context_switch(&ts->main_ctx, &t->ctx);
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
	sim_context_switch(&ts->main_ctx, &t->ctx);
#endif
}

/* Task -> engine.  Returns when the engine resumes the task (never, once
 * the task is dead). */
static void switch_to_engine(struct sim_task *t)
{
	struct sim_tasks *ts = t->h.eng->tasks;

#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(t->state == SIM_TASK_DEAD ? NULL : &t->fake_stack,
				       ts->main_stack_bottom, ts->main_stack_size);
	sim_context_switch(&t->ctx, &ts->main_ctx);
	__sanitizer_finish_switch_fiber(t->fake_stack, &ts->main_stack_bottom,
					&ts->main_stack_size);
#else
	sim_context_switch(&t->ctx, &ts->main_ctx);
#endif
}

static void task_free(struct sim_engine *eng, struct sim_task *t)
{
#ifdef HAVE_VALGRIND_VALGRIND_H
	VALGRIND_STACK_DEREGISTER(t->vg_stack_id);
#endif
	list_del_init(&t->node);
	eng->tasks->nr--;
	stack_unmap(eng->tasks, t->map, t->map_size);
	g_free(t->name);
	g_free(t);
}

static void task_entry(void *arg)
{
	struct sim_task *t = arg;

#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, &t->h.eng->tasks->main_stack_bottom,
					&t->h.eng->tasks->main_stack_size);
#endif
	t->fn(t, t->arg);
	t->state = SIM_TASK_DEAD;
	if (t->h.sched_ops)
		t->h.sched_ops->release(t, t->h.sched);
	switch_to_engine(t);
	g_assert_not_reached();
}

/* @t, waiting, runs again: no resume pending, nothing waited on; the
 * engine's current task. */
static inline __attribute__((always_inline)) void task_set_running(struct sim_engine *eng,
								   struct sim_task *t)
{
	g_assert(t->state != SIM_TASK_RUNNING && t->state != SIM_TASK_DEAD);
	t->resume = (struct sim_timer){ 0 };
	t->state = SIM_TASK_RUNNING;
	t->timed_out = false;
	t->blocked_what = NULL;
	t->blocked_obj = NULL;
	t->waits_for = NULL;
	eng->current = t;
}

/* Resume @t (task_run_event(), and task_timer_event() without a detour
 * through a second call). */
static inline __attribute__((always_inline)) void task_resume(struct sim_engine *eng, struct sim_task *t)
{
	task_set_running(eng, t);
	if (G_UNLIKELY(eng->trace) && t->trace_waker >= 0) {
		sim_trace_flow(eng->trace, (unsigned int)t->trace_waker, t->trace_woken_at,
			       sim_trace_task_track(eng->trace, t), eng->now);
		t->trace_waker = -1;
	}
	switch_to_task(eng, t);
	/* Whoever switched back: @t, or a task resumed straight from another
	 * (task_wait()). */
	t = eng->current;
	eng->current = NULL;
	if (t->state == SIM_TASK_DEAD)
		task_free(eng, t);
}

/* The resume event: run @data's code until it blocks, sleeps or ends. */
static void task_run_event(struct sim_engine *eng, void *data)
{
	task_resume(eng, data);
}

/*
 * The end of a sleep or of a block timeout.  A task attached to a
 * scheduler that waited off its CPU must get a CPU back first.
 */
static void task_timer_event(struct sim_engine *eng, void *data)
{
	struct sim_task *t = data;

	t->resume = (struct sim_timer){ 0 };
	t->timed_out = t->state == SIM_TASK_BLOCKED;
	if (t->h.sched_ops && !t->oncpu) {
		t->state = SIM_TASK_RUNNABLE;
		t->h.sched_ops->wakeup(t, t->h.sched);
		return;
	}
	task_resume(eng, t);
}

/* Whether a waiting task may run @fn's events itself (task_wait()). */
static inline bool task_direct_fn(const struct sim_tasks *ts, sim_event_fn *fn)
{
	for (unsigned int i = 0; i < ts->nr_direct_fns; i++)
		if (ts->direct_fns[i] == fn)
			return true;
	return false;
}

/*
 * @t waits (it has scheduled what resumes it, or will be woken): back to
 * the engine -- or it runs the next events itself (engine-private.h:
 * sim_engine_peek(); the engine's own steps, so the same trajectory) as
 * long as they only resume a task or are handlers registered by
 * sim_task_direct_handler(), and switches to the task resumed directly.
 * A handler runs as in the engine (no current task); if it resumes a task
 * by sim_task_run_now(), as its last action, the switch to that task is
 * made when it has returned.  A task that needs its scheduler's wake-up
 * hook, any other handler, tracing (flows and slices are written on
 * resumes) and ASan's fiber annotations take the engine's way.
 */
static void task_wait(struct sim_task *t)
{
#ifndef SIM_ASAN
	struct sim_engine *eng = t->h.eng;
	struct sim_tasks *ts = eng->tasks;
	struct sim_task *u;

	if (G_UNLIKELY(eng->trace))
		goto engine;
	for (;;) {
		struct sim_event *ev;
		sim_event_fn *fn;
		void *data;

		sim_engine_handler_done(eng);
		ev = sim_engine_peek(eng);
		if (!ev)
			goto engine;
		fn = ev->fn;
		data = ev->data;
		if (fn == task_timer_event) {
			u = data;
			if (u->h.sched_ops && !u->oncpu)
				goto engine;
			sim_engine_take(eng, ev);
			break;
		}
		if (fn == task_run_event) {
			u = data;
			sim_engine_take(eng, ev);
			break;
		}
		if (!task_direct_fn(ts, fn))
			goto engine;
		sim_engine_take(eng, ev);
		eng->current = NULL;
		ts->in_direct = true;
		fn(eng, data);
		ts->in_direct = false;
		u = ts->direct_next;
		if (u) {
			ts->direct_next = NULL;
			break;
		}
	}
	task_set_running(eng, u);
	if (u != t)
		sim_context_switch(&t->ctx, &u->ctx);
	return;
engine:
	eng->current = t;	/* a handler run here may have cleared it */
#endif
	switch_to_engine(t);
}

void sim_task_direct_handler(struct sim_engine *eng, sim_event_fn *fn)
{
	struct sim_tasks *ts = tasks_of(eng);

	if (task_direct_fn(ts, fn))
		return;
	g_assert(ts->nr_direct_fns < G_N_ELEMENTS(ts->direct_fns));
	ts->direct_fns[ts->nr_direct_fns++] = fn;
}

/* Leave the CPU, unless the wait keeps it. */
static inline void task_release_cpu(struct sim_task *t)
{
	if (t->h.sched_ops && !t->oncpu)
		t->h.sched_ops->release(t, t->h.sched);
}

/* ------------------------------------------------------------------ */
/* The task API */

struct sim_task *sim_task_spawn(struct sim_engine *eng, const char *name,
				sim_task_fn *fn, void *arg)
{
	struct sim_tasks *ts = tasks_of(eng);
	struct sim_task *t = g_new0(struct sim_task, 1);

	t->h.eng = eng;
	t->fn = fn;
	t->arg = arg;
	t->id = ts->next_id++;
	t->name = g_strdup(name);
	t->trace_waker = -1;
	t->map = stack_map(ts, &t->map_size);
#ifdef HAVE_VALGRIND_VALGRIND_H
	t->vg_stack_id = VALGRIND_STACK_REGISTER(task_stack_bottom(t),
						 (char *)t->map + t->map_size);
#endif
	sim_context_make(&t->ctx, task_stack_bottom(t), t->map_size - page_size(),
			 task_entry, t);
	list_add_tail(&t->node, &ts->list);
	ts->nr++;
	t->state = SIM_TASK_RUNNABLE;
	t->resume = sim_schedule(eng, 0, task_run_event, t);
	return t;
}

struct sim_task *sim_current(const struct sim_engine *eng)
{
	return eng->current;
}

static inline void assert_running(const struct sim_task *t)
{
	g_assert(t->state == SIM_TASK_RUNNING && t->h.eng->current == t);
}

/*
 * The step ends before anything else can happen: go on in place (see
 * sim_engine_advance()).  Only for a wait that resumes the task straight
 * from its timer event -- on the CPU, or with no scheduler -- since an
 * off-CPU wait of a task attached to a CPU model goes through the
 * scheduler's hooks.  What task_run_event() would do on resuming it is
 * done here: the task never stopped running.
 */
static inline bool task_advance(struct sim_task *t, sim_time_t ns, bool oncpu)
{
	if (!(oncpu || !t->h.sched_ops) || !sim_engine_advance(t->h.eng, t->h.eng->now + ns))
		return false;
	t->blocked_what = NULL;
	t->blocked_obj = NULL;
	t->waits_for = NULL;
	return true;
}

static void task_sleep(struct sim_task *t, sim_time_t ns, bool oncpu)
{
	assert_running(t);
	if (task_advance(t, ns, oncpu))
		return;
	t->state = SIM_TASK_SLEEPING;
	t->oncpu = oncpu;
	t->resume = sim_schedule(t->h.eng, ns, task_timer_event, t);
	t->resume_at = t->h.eng->now + ns;
	task_release_cpu(t);
	task_wait(t);
	t->oncpu = false;
}

void sim_sleep(struct sim_task *t, sim_time_t ns)
{
	task_sleep(t, ns, false);
}

void sim_sleep_oncpu(struct sim_task *t, sim_time_t ns)
{
	task_sleep(t, ns, true);
}

void sim_yield(struct sim_task *t)
{
	assert_running(t);
	t->state = SIM_TASK_RUNNABLE;
	t->resume = sim_schedule(t->h.eng, 0, task_run_event, t);
	task_wait(t);
}

static bool task_block(struct sim_task *t, sim_time_t timeout, bool oncpu)
{
	assert_running(t);
	/* A timeout before every pending event: nothing can wake the task
	 * first, so the block times out in place. */
	if (timeout >= 0 && task_advance(t, timeout, oncpu))
		return false;
	/* Tracing: the block as a slice, named for what it waits on. */
	const char *what = t->blocked_what ? t->blocked_what : "blocked";
	sim_time_t since = t->h.eng->now;

	t->state = SIM_TASK_BLOCKED;
	t->woken = false;
	t->oncpu = oncpu;
	if (timeout >= 0) {
		t->resume = sim_schedule(t->h.eng, timeout, task_timer_event, t);
		t->resume_at = t->h.eng->now + timeout;
	}
	task_release_cpu(t);
	task_wait(t);
	t->oncpu = false;
	if (G_UNLIKELY(t->h.eng->trace))
		sim_trace_slice(t->h.eng->trace, sim_trace_task_track(t->h.eng->trace, t), "blocked",
				what, since, t->h.eng->now, NULL, 0);
	return t->woken;
}

void sim_block(struct sim_task *t)
{
	task_block(t, -1, false);
}

bool sim_block_timeout(struct sim_task *t, sim_time_t timeout)
{
	g_assert(timeout >= 0);
	return task_block(t, timeout, false);
}

bool sim_block_timeout_oncpu(struct sim_task *t, sim_time_t timeout)
{
	return task_block(t, timeout, true);
}

/* The task's side of the trace sink (trace.h). */
unsigned int sim_trace_task_track(struct sim_trace *tr, const struct sim_task *t)
{
	return sim_trace_task_track_id(tr, t->id, t->name);
}

void sim_trace_task_slice(struct sim_trace *tr, const struct sim_task *t, const char *cat,
			  const char *name, sim_time_t start, sim_time_t end,
			  const struct sim_trace_arg *args, unsigned int nr_args)
{
	sim_trace_slice(tr, sim_trace_task_track_id(tr, t->id, t->name), cat, name, start, end,
			args, nr_args);
}

/* The flow of a wake-up starts: from the running task, or the handler's
 * waker track (sim_trace_set_waker()). */
static void task_trace_wake(struct sim_task *t)
{
	struct sim_engine *eng = t->h.eng;

	t->trace_waker = eng->current ? (int)sim_trace_task_track(eng->trace, eng->current)
				      : sim_trace_waker(eng->trace);
	t->trace_woken_at = eng->now;
}

void sim_wake(struct sim_task *t)
{
	/*
	 * A task whose block timed out is runnable but may not have run yet
	 * (it waits for a CPU), and a waker can still find it where it
	 * queued itself.  As try_to_wake_up() on a runnable task, this only
	 * records the wake-up: the block then reports "woken".
	 */
	if (t->state == SIM_TASK_RUNNABLE && t->timed_out) {
		t->woken = true;
		return;
	}
	g_assert(t->state == SIM_TASK_BLOCKED);
	sim_cancel(t->h.eng, &t->resume);		/* a pending timeout */
	if (G_UNLIKELY(t->h.eng->trace))
		task_trace_wake(t);
	t->woken = true;
	t->state = SIM_TASK_RUNNABLE;
	if (t->h.sched_ops && !t->oncpu)
		t->h.sched_ops->wakeup(t, t->h.sched);
	else
		t->resume = sim_schedule(t->h.eng, 0, task_run_event, t);
}

bool sim_task_postpone_oncpu(struct sim_task *t, sim_time_t ns)
{
	struct sim_engine *eng = t->h.eng;

	g_assert(ns >= 0);
	if (!sim_timer_pending(&t->resume) || ns == 0)
		return false;
	if (t->state == SIM_TASK_RUNNABLE) {
		/* About to run (task_run_event() due now): run @ns later. */
		sim_cancel(eng, &t->resume);
		t->resume = sim_schedule(eng, ns, task_run_event, t);
		return true;
	}
	if (!t->oncpu)
		return false;
	sim_cancel(eng, &t->resume);
	t->resume_at += ns;
	t->resume = sim_schedule_at(eng, t->resume_at, task_timer_event, t);
	return true;
}

void sim_task_run(struct sim_task *t)
{
	g_assert(t->state == SIM_TASK_RUNNABLE && !sim_timer_pending(&t->resume));
	t->resume = sim_schedule(t->h.eng, 0, task_run_event, t);
}

void sim_task_run_now(struct sim_task *t)
{
	g_assert(t->state == SIM_TASK_RUNNABLE && !sim_timer_pending(&t->resume));
	g_assert(!t->h.eng->current);
	if (t->h.eng->tasks->in_direct) {
		/* A handler run by a waiting task: it switches when the
		 * handler has returned (task_wait()). */
		g_assert(!t->h.eng->tasks->direct_next);
		t->h.eng->tasks->direct_next = t;
		return;
	}
	task_run_event(t->h.eng, t);
}

void sim_task_set_sched(struct sim_task *t, const struct sim_sched_ops *ops, void *sched)
{
	g_assert(t->state != SIM_TASK_RUNNING);
	t->h.sched_ops = ops;
	t->h.sched = sched;
	if (ops && t->state == SIM_TASK_RUNNABLE && sim_cancel(t->h.eng, &t->resume))
		ops->wakeup(t, sched);
}

void sim_task_set_sched_data(struct sim_task *t, void *data)
{
	t->h.sched_data = data;
}

const char *sim_task_name(const struct sim_task *t)
{
	return t->name;
}

unsigned int sim_task_id(const struct sim_task *t)
{
	return t->id;
}

enum sim_task_state sim_task_state(const struct sim_task *t)
{
	return t->state;
}

void sim_task_set_blocked_on(struct sim_task *t, const char *what, const void *obj)
{
	t->blocked_what = what;
	t->blocked_obj = obj;
}

const char *sim_task_blocked_what(const struct sim_task *t)
{
	return t->blocked_what;
}

const void *sim_task_blocked_obj(const struct sim_task *t)
{
	return t->blocked_obj;
}

void sim_task_set_private(struct sim_task *t, void *data)
{
	t->private = data;
}

void *sim_task_private(const struct sim_task *t)
{
	return t->private;
}

size_t sim_engine_nr_tasks(const struct sim_engine *eng)
{
	return eng->tasks ? eng->tasks->nr : 0;
}

void sim_engine_foreach_task(struct sim_engine *eng, sim_task_visit_fn *fn, void *data)
{
	struct sim_task *t, *n;

	if (!eng->tasks)
		return;
	list_for_each_entry_safe(t, n, &eng->tasks->list, node)
		fn(t, data);
}

/* eng->tasks_free, from sim_engine_free(). */
static void tasks_free(struct sim_engine *eng)
{
	struct sim_tasks *ts = eng->tasks;
	struct sim_task *t, *n;

	/* Tasks still blocked at the end are discarded without unwinding:
	 * their stacks hold nothing the engine needs to release. */
	list_for_each_entry_safe(t, n, &ts->list, node)
		task_free(eng, t);
	for (guint i = 0; i < ts->free_stacks->len; i++)
		munmap(ts->free_stacks->pdata[i], ts->stack_size + page_size());
	g_ptr_array_unref(ts->free_stacks);
	g_free(ts);
	eng->tasks = NULL;
	eng->tasks_free = NULL;
}

void sim_task_set_waits_for(struct sim_task *t, struct sim_task *holder)
{
	t->waits_for = holder;
}

struct sim_task *sim_task_waits_for(const struct sim_task *t)
{
	return t->waits_for;
}

void sim_task_set_daemon(struct sim_task *t, bool daemon)
{
	t->daemon = daemon;
}

static bool task_stuck(const struct sim_task *t)
{
	return !t->daemon && (t->state == SIM_TASK_BLOCKED || t->state == SIM_TASK_SLEEPING);
}

size_t sim_engine_nr_stuck(struct sim_engine *eng)
{
	struct sim_task *t;
	size_t n = 0;

	if (!eng->tasks)
		return 0;
	list_for_each_entry(t, &eng->tasks->list, node)
		n += task_stuck(t);
	return n;
}

char *sim_deadlock_report(struct sim_engine *eng)
{
	struct sim_task *t;
	GString *out;

	if (!sim_engine_nr_stuck(eng))
		return NULL;
	out = g_string_new(NULL);
	g_string_append_printf(out, "deadlock at %" G_GINT64_FORMAT " ns: %zu tasks blocked "
			       "with nothing left to wake them\n", eng->now, sim_engine_nr_stuck(eng));
	list_for_each_entry(t, &eng->tasks->list, node) {
		if (!task_stuck(t))
			continue;
		g_string_append_printf(out, "  %s waits for %s", t->name,
				       t->blocked_what ? t->blocked_what : "(unknown)");
		if (t->waits_for)
			g_string_append_printf(out, " held by %s", t->waits_for->name);
		g_string_append_c(out, '\n');
	}
	/* A cycle: walk the waits-for edges from each stuck task; within
	 * nr_tasks steps a walk either ends or loops. */
	list_for_each_entry(t, &eng->tasks->list, node) {
		struct sim_task *slow = t, *fast = t;

		if (!task_stuck(t))
			continue;
		while (fast && fast->waits_for) {
			slow = slow->waits_for;
			fast = fast->waits_for->waits_for;
			if (slow == fast)
				break;
		}
		if (!fast || !fast->waits_for)
			continue;
		/* slow is on the cycle: print it once round. */
		g_string_append_printf(out, "  cycle: %s", slow->name);
		for (struct sim_task *c = slow->waits_for; c != slow; c = c->waits_for)
			g_string_append_printf(out, " -> %s", c->name);
		g_string_append_printf(out, " -> %s\n", slow->name);
		break;
	}
	return g_string_free(out, FALSE);
}
