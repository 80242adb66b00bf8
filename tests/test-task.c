/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Task tests: spawn order, sleep, block and wake, timeouts, reaping and
 * stack reuse, deep stacks and the guard page, determinism of a task model,
 * and two engines running on two threads at once.
 */
#include "config.h"

#include <string.h>
#include <gsl/gsl_randist.h>
#include "sim/core/engine.h"
#include "sim/core/task.h"
#include "sim/core/waitqueue.h"

/* A log of "name@time" tokens. */
struct tlog {
	struct sim_engine *eng;
	GString *s;
};

static void note(struct tlog *l, const char *what)
{
	if (l->s->len)
		g_string_append_c(l->s, ' ');
	g_string_append_printf(l->s, "%s@%" G_GINT64_FORMAT, what, sim_now(l->eng));
}

struct sleeper {
	struct tlog *log;
	const char *name;
	sim_time_t naps[3];
};

static void sleeper_fn(struct sim_task *t, void *arg)
{
	struct sleeper *s = arg;

	g_assert_true(sim_current(sim_task_engine(t)) == t);
	g_assert_cmpint(sim_task_state(t), ==, SIM_TASK_RUNNING);
	note(s->log, s->name);
	for (int i = 0; i < 3 && s->naps[i]; i++) {
		sim_sleep(t, s->naps[i]);
		note(s->log, s->name);
	}
}

static void test_spawn_and_sleep(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct tlog log = { eng, g_string_new(NULL) };
	struct sleeper a = { &log, "a", { 10, 10 } };
	struct sleeper b = { &log, "b", { 5, 15 } };
	struct sleeper c = { &log, "c", { 0 } };

	sim_task_spawn(eng, "a", sleeper_fn, &a);
	sim_task_spawn(eng, "b", sleeper_fn, &b);
	sim_task_spawn(eng, "c", sleeper_fn, &c);
	g_assert_cmpuint(sim_engine_nr_tasks(eng), ==, 3);
	g_assert_null(sim_current(eng));
	sim_run(eng);
	/* Same-time resumptions in scheduling order: b's second nap and a's
	 * second nap both end at 20; b scheduled its sleep first (at 5). */
	g_assert_cmpstr(log.s->str, ==, "a@0 b@0 c@0 b@5 a@10 b@20 a@20");
	g_assert_cmpuint(sim_engine_nr_tasks(eng), ==, 0);
	g_string_free(log.s, TRUE);
}

struct pingpong {
	struct tlog *log;
	struct sim_task *sleeper;
	bool timed_out_once;
};

static void blocker_fn(struct sim_task *t, void *arg)
{
	struct pingpong *p = arg;

	note(p->log, "block");
	sim_block(t);
	note(p->log, "woken");
	/* Timeout before anyone wakes us. */
	g_assert_false(sim_block_timeout(t, 100));
	note(p->log, "timeout");
	/* Woken before the timeout: the timeout must not fire later. */
	g_assert_true(sim_block_timeout(t, 1000));
	note(p->log, "woken-early");
	sim_sleep(t, 5000);
	note(p->log, "done");
}

static void waker_fn(struct sim_task *t, void *arg)
{
	struct pingpong *p = arg;

	sim_sleep(t, 30);
	g_assert_cmpint(sim_task_state(p->sleeper), ==, SIM_TASK_BLOCKED);
	note(p->log, "wake");
	sim_wake(p->sleeper);
	g_assert_cmpint(sim_task_state(p->sleeper), ==, SIM_TASK_RUNNABLE);
	sim_sleep(t, 200);	/* 230: blocker timed out at 130, blocks again */
	note(p->log, "wake");
	sim_wake(p->sleeper);
}

static void test_block_wake(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct tlog log = { eng, g_string_new(NULL) };
	struct pingpong p = { &log, NULL, false };

	p.sleeper = sim_task_spawn(eng, "blocker", blocker_fn, &p);
	sim_task_spawn(eng, "waker", waker_fn, &p);
	sim_run(eng);
	g_assert_cmpstr(log.s->str, ==,
			"block@0 wake@30 woken@30 timeout@130 wake@230 woken-early@230 done@5230");
	g_string_free(log.s, TRUE);
}

/* Wake from an event handler (not a task), and sim_yield ordering. */
static void wake_handler(struct sim_engine *eng, void *data)
{
	sim_wake(data);
}

static void yield_fn(struct sim_task *t, void *arg)
{
	struct tlog *l = arg;

	note(l, sim_task_name(t));
	sim_yield(t);
	note(l, sim_task_name(t));
	if (g_str_equal(sim_task_name(t), "x")) {
		sim_schedule(sim_task_engine(t), 9, wake_handler, t);
		sim_block(t);
		note(l, "x-woken");
	}
}

static void test_yield_and_handler_wake(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct tlog log = { eng, g_string_new(NULL) };

	sim_task_spawn(eng, "x", yield_fn, &log);
	sim_task_spawn(eng, "y", yield_fn, &log);
	sim_run(eng);
	g_assert_cmpstr(log.s->str, ==, "x@0 y@0 x@0 y@0 x-woken@9");
	g_string_free(log.s, TRUE);
}

/* Many short-lived tasks, spawned by tasks: all reaped, stacks reused. */
static void leaf_fn(struct sim_task *t, void *arg)
{
	int *done = arg;

	sim_sleep(t, 3);
	(*done)++;
}

static void spawner_fn(struct sim_task *t, void *arg)
{
	for (int i = 0; i < 20000; i++) {
		sim_task_spawn(sim_task_engine(t), "leaf", leaf_fn, arg);
		if (i % 100 == 99)
			sim_sleep(t, 1);
	}
}

static void test_reap(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	int done = 0;

	sim_task_spawn(eng, "spawner", spawner_fn, &done);
	sim_run(eng);
	g_assert_cmpint(done, ==, 20000);
	g_assert_cmpuint(sim_engine_nr_tasks(eng), ==, 0);
}

/* Tasks still blocked at teardown are discarded cleanly. */
static void forever_fn(struct sim_task *t, void *arg)
{
	sim_block(t);
	g_assert_not_reached();
}

static void test_teardown_blocked(void)
{
	struct sim_engine *eng = sim_engine_new(1);

	for (int i = 0; i < 10; i++)
		sim_task_spawn(eng, "stuck", forever_fn, NULL);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(sim_engine_nr_tasks(eng), ==, 10);
	sim_engine_free(eng);
}

/* Use most of a 64 KiB stack. */
static __attribute__((noinline)) unsigned int burn_stack(int depth, volatile char *prev)
{
	volatile char buf[1024];

	buf[0] = (char)depth;
	buf[1023] = prev ? prev[0] : 0;
	if (depth == 0)
		return buf[0] + buf[1023];
	return burn_stack(depth - 1, buf) + buf[0];
}

static void deep_fn(struct sim_task *t, void *arg)
{
	unsigned int *out = arg;

	sim_sleep(t, 1);
	*out = burn_stack(*out, NULL);
}

static void test_deep_stack(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	unsigned int depth = 40;

	sim_task_spawn(eng, "deep", deep_fn, &depth);
	sim_run(eng);
	g_assert_cmpuint(depth, ==, 40 * 41 / 2 + 1);
}

/* Overflowing the stack hits the guard page: the process dies by signal
 * instead of silently corrupting memory. */
static void test_guard_page(void)
{
	if (g_test_subprocess()) {
		g_autoptr(sim_engine) eng = sim_engine_new(1);
		unsigned int depth = 1000;	/* ~1 MiB of frames */

		sim_task_spawn(eng, "overflow", deep_fn, &depth);
		sim_run(eng);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
}

/*
 * A task model with queueing: workers contend for a mutex made of a wait
 * queue, with exponential hold and think times from per-worker streams.
 */
struct mutex_model {
	struct sim_engine *eng;
	bool locked;
	struct sim_waitqueue wq;
	uint64_t acquisitions;
	uint64_t total_wait;
};

struct worker {
	struct mutex_model *m;
	gsl_rng *r;
};

static void worker_fn(struct sim_task *t, void *arg)
{
	struct worker *w = arg;
	struct mutex_model *m = w->m;

	for (int i = 0; i < 300; i++) {
		sim_time_t start = sim_now(m->eng);

		while (m->locked)
			sim_wait(&m->wq, t, WQ_FLAG_EXCLUSIVE, "mutex");
		m->locked = true;
		m->total_wait += (uint64_t)(sim_now(m->eng) - start);
		m->acquisitions++;
		sim_sleep(t, (sim_time_t)gsl_ran_exponential(w->r, 1000));
		m->locked = false;
		sim_wake_up_one(&m->wq);
		sim_sleep(t, (sim_time_t)gsl_ran_exponential(w->r, 8000));
	}
}

struct model_result {
	uint64_t seed;
	uint64_t slice;		/* run in sim_run_for() slices of this many steps */
	uint64_t fingerprint, dispatched, in_place, acquisitions, total_wait;
	uint64_t slices;
};

static void run_mutex_model(struct model_result *res)
{
	struct mutex_model m = { sim_engine_new(res->seed), false, { { 0 } }, 0, 0 };
	struct worker w[16];

	sim_waitqueue_init(&m.wq);
	for (int i = 0; i < 16; i++) {
		g_autofree char *name = g_strdup_printf("worker%d", i);

		w[i] = (struct worker){ &m, sim_rng(m.eng, name) };
		sim_task_spawn(m.eng, name, worker_fn, &w[i]);
	}
	if (!res->slice)
		sim_run(m.eng);
	else
		while (sim_run_for(m.eng, res->slice) == SIM_STOP_EVENTS)
			res->slices++;
	res->fingerprint = sim_fingerprint(m.eng);
	res->dispatched = sim_events_dispatched(m.eng);
	res->in_place = sim_events_in_place(m.eng);
	res->acquisitions = m.acquisitions;
	res->total_wait = m.total_wait;
	sim_engine_free(m.eng);
}

static void test_task_determinism(void)
{
	struct model_result a = { .seed = 5 }, b = { .seed = 5 }, c = { .seed = 6 };

	run_mutex_model(&a);
	run_mutex_model(&b);
	run_mutex_model(&c);
	g_assert_cmpuint(a.acquisitions, ==, 16 * 300);
	g_assert_cmpuint(a.total_wait, >, 0);	/* there was contention */
	g_assert_cmpuint(a.fingerprint, ==, b.fingerprint);
	g_assert_cmpuint(a.dispatched, ==, b.dispatched);
	g_assert_cmpuint(a.total_wait, ==, b.total_wait);
	g_assert_cmpuint(a.fingerprint, !=, c.fingerprint);
}

/*
 * A run in slices of a few steps (as faultsim run looks at the signals
 * between two) is the same run: every step is counted against the slice,
 * so the steps advanced in place go on in every slice, not only until
 * there have been a slice's worth of them (with the dispatched count alone,
 * the first slice would end them).
 */
static void test_run_for_slices(void)
{
	struct model_result whole = { .seed = 5 }, sliced = { .seed = 5, .slice = 64 };

	run_mutex_model(&whole);
	run_mutex_model(&sliced);
	g_assert_cmpuint(whole.in_place, >, 10 * sliced.slice);
	g_assert_cmpuint(sliced.fingerprint, ==, whole.fingerprint);
	g_assert_cmpuint(sliced.dispatched + sliced.in_place, ==,
			 whole.dispatched + whole.in_place);
	/* At most the step that meets a slice's end is an event instead. */
	g_assert_cmpuint(sliced.dispatched, >=, whole.dispatched);
	g_assert_cmpuint(sliced.dispatched, <=, whole.dispatched + sliced.slices);
	g_assert_cmpuint(sliced.total_wait, ==, whole.total_wait);
	/* Each slice but the last took exactly its steps. */
	g_assert_cmpuint(sliced.slices, ==,
			 (whole.dispatched + whole.in_place - 1) / sliced.slice);
}

/*
 * Timeouts cancelled while they are the earliest pending event: sleepers
 * block with timeouts, wakers wake them before most expire.  A task that
 * waits then finds the dead timeout at the top and drops it itself
 * (sim_engine_peek()), as the engine's loop would: the run must be the
 * one it is with every step dispatched through the loop.
 */
struct timeout_model {
	struct sim_engine *eng;
	struct sim_task *sleeper[4];	/* NULL once it has ended */
	unsigned int live;
	gsl_rng *r;
	uint64_t woken, timed_out;
};

struct timeout_sleeper {
	struct timeout_model *m;
	unsigned int idx;
};

static void timeout_sleeper_fn(struct sim_task *t, void *arg)
{
	struct timeout_sleeper *ts = arg;
	struct timeout_model *m = ts->m;

	for (int i = 0; i < 2000; i++) {
		if (sim_block_timeout(t, 200 + (sim_time_t)gsl_rng_uniform_int(m->r, 800)))
			m->woken++;
		else
			m->timed_out++;
		sim_sleep(t, (sim_time_t)gsl_rng_uniform_int(m->r, 50));
	}
	m->sleeper[ts->idx] = NULL;
	m->live--;
}

static void timeout_waker_fn(struct sim_task *t, void *arg)
{
	struct timeout_model *m = arg;

	while (m->live) {
		unsigned long i = gsl_rng_uniform_int(m->r, 4);
		struct sim_task *s;

		sim_sleep(t, 1 + (sim_time_t)gsl_rng_uniform_int(m->r, 300));
		s = m->sleeper[i];
		if (s && sim_task_state(s) == SIM_TASK_BLOCKED)
			sim_wake(s);
	}
}

static void run_timeout_model(bool in_place, uint64_t *fp, uint64_t *steps,
			      uint64_t *dispatched, uint64_t *woken, uint64_t *timed_out)
{
	struct timeout_model m = { .eng = sim_engine_new(11), .live = 4 };
	struct timeout_sleeper ts[4];

	sim_engine_set_in_place(m.eng, in_place);
	m.r = sim_rng(m.eng, "timeouts");
	for (unsigned int i = 0; i < 4; i++) {
		g_autofree char *name = g_strdup_printf("sleeper%u", i);

		ts[i] = (struct timeout_sleeper){ &m, i };
		m.sleeper[i] = sim_task_spawn(m.eng, name, timeout_sleeper_fn, &ts[i]);
	}
	sim_task_spawn(m.eng, "waker", timeout_waker_fn, &m);
	sim_run(m.eng);
	*fp = sim_fingerprint(m.eng);
	*steps = sim_events_dispatched(m.eng) + sim_events_in_place(m.eng);
	*dispatched = sim_events_dispatched(m.eng);
	*woken = m.woken;
	*timed_out = m.timed_out;
	sim_engine_free(m.eng);
}

static void test_cancelled_timeouts(void)
{
	uint64_t fp[2], steps[2], dispatched[2], woken[2], timed_out[2];

	run_timeout_model(true, &fp[0], &steps[0], &dispatched[0], &woken[0], &timed_out[0]);
	run_timeout_model(false, &fp[1], &steps[1], &dispatched[1], &woken[1], &timed_out[1]);
	g_assert_cmpuint(woken[0] + timed_out[0], ==, 4 * 2000);
	g_assert_cmpuint(woken[0], >, 1000);
	g_assert_cmpuint(timed_out[0], >, 1000);
	g_assert_cmpuint(fp[0], ==, fp[1]);
	g_assert_cmpuint(steps[0], ==, steps[1]);
	g_assert_cmpuint(dispatched[1], ==, steps[1]);
	g_assert_cmpuint(dispatched[0], <, dispatched[1]);
	g_assert_cmpuint(woken[0], ==, woken[1]);
	g_assert_cmpuint(timed_out[0], ==, timed_out[1]);
}

static gpointer model_thread(gpointer data)
{
	struct model_result *res = data;

	for (int i = 0; i < 3; i++)
		run_mutex_model(&res[i]);
	return NULL;
}

/* Two engines with coroutine tasks on two host threads at once give the
 * same results as the same runs done one after the other. */
static void test_two_threads(void)
{
	struct model_result seq[2][3], par[2][3];

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 3; i++) {
			seq[k][i] = (struct model_result){ .seed = 100 + 10 * k + i };
			par[k][i] = seq[k][i];
			run_mutex_model(&seq[k][i]);
		}
	GThread *th0 = g_thread_new("engine0", model_thread, par[0]);
	GThread *th1 = g_thread_new("engine1", model_thread, par[1]);

	g_thread_join(th0);
	g_thread_join(th1);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 3; i++) {
			g_assert_cmpuint(seq[k][i].fingerprint, ==, par[k][i].fingerprint);
			g_assert_cmpuint(seq[k][i].total_wait, ==, par[k][i].total_wait);
			g_assert_cmpuint(seq[k][i].dispatched, ==, par[k][i].dispatched);
		}
}

/*
 * Deadlock report: two tasks each holding what the other waits for, a
 * third blocked behind one of them, a daemon asleep forever (not counted).
 */
struct ab {
	struct sim_task *a, *b;
};

static void stuck_fn(struct sim_task *t, void *arg)
{
	struct ab *ab = arg;
	struct sim_task *other = t == ab->a ? ab->b : ab->a;

	sim_task_set_blocked_on(t, "lock", other);
	if (t == ab->a || t == ab->b)
		sim_task_set_waits_for(t, other);
	else
		sim_task_set_waits_for(t, ab->a);
	sim_block(t);
}

static void daemon_fn(struct sim_task *t, void *arg)
{
	sim_task_set_daemon(t, true);
	sim_task_set_blocked_on(t, "work", NULL);
	sim_block(t);
}

static void test_deadlock_report(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct ab ab = { 0 };

	ab.a = sim_task_spawn(eng, "A", stuck_fn, &ab);
	ab.b = sim_task_spawn(eng, "B", stuck_fn, &ab);
	sim_task_spawn(eng, "C", stuck_fn, &ab);
	sim_task_spawn(eng, "kswapd", daemon_fn, NULL);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(sim_engine_nr_stuck(eng), ==, 3);

	g_autofree char *report = sim_deadlock_report(eng);

	g_assert_nonnull(strstr(report, "3 tasks blocked"));
	g_assert_nonnull(strstr(report, "C waits for lock held by A"));
	g_assert_nonnull(strstr(report, "cycle: A -> B -> A") ? report : strstr(report, "cycle: B -> A -> B"));
	g_assert_null(strstr(report, "kswapd"));
}

/* A task waiting for itself (a fault on a page it has locked). */
static void self_fn(struct sim_task *t, void *arg)
{
	sim_task_set_blocked_on(t, "page lock", arg);
	sim_task_set_waits_for(t, t);
	sim_block(t);
}

static void test_deadlock_self(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);

	sim_task_spawn(eng, "dd", self_fn, NULL);
	sim_run(eng);

	g_autofree char *report = sim_deadlock_report(eng);

	g_assert_nonnull(strstr(report, "cycle: dd -> dd"));
}

static void test_no_deadlock(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);

	sim_task_spawn(eng, "kswapd", daemon_fn, NULL);
	sim_run(eng);
	g_assert_null(sim_deadlock_report(eng));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/task/spawn-and-sleep", test_spawn_and_sleep);
	g_test_add_func("/sim/task/block-wake-timeout", test_block_wake);
	g_test_add_func("/sim/task/yield-and-handler-wake", test_yield_and_handler_wake);
	g_test_add_func("/sim/task/reap", test_reap);
	g_test_add_func("/sim/task/teardown-blocked", test_teardown_blocked);
	g_test_add_func("/sim/task/deep-stack", test_deep_stack);
	g_test_add_func("/sim/task/guard-page", test_guard_page);
	g_test_add_func("/sim/task/determinism", test_task_determinism);
	g_test_add_func("/sim/task/run-for-slices", test_run_for_slices);
	g_test_add_func("/sim/task/cancelled-timeouts", test_cancelled_timeouts);
	g_test_add_func("/sim/task/two-engines-two-threads", test_two_threads);
	g_test_add_func("/sim/task/deadlock/cycle", test_deadlock_report);
	g_test_add_func("/sim/task/deadlock/self", test_deadlock_self);
	g_test_add_func("/sim/task/deadlock/none", test_no_deadlock);
	return g_test_run();
}
