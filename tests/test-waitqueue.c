/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wait-queue tests: FIFO order, wake-one / wake-all / wake-a-batch,
 * exclusive and shared waiters in one queue, wake functions that refuse or
 * stop the walk, head insertion, timeouts, and wait_event.
 */
#include "config.h"

#include "sim/kernel/cpu.h"
#include "sim/core/engine.h"
#include "sim/core/task.h"
#include "sim/core/waitqueue.h"

struct wq_test {
	struct sim_engine *eng;
	struct sim_waitqueue wq;
	GString *log;
	int flag;
};

struct waiter {
	struct wq_test *w;
	const char *name;
	unsigned int flags;
	sim_time_t arrive;
};

static void waiter_fn(struct sim_task *t, void *arg)
{
	struct waiter *me = arg;

	sim_sleep(t, me->arrive);
	sim_wait(&me->w->wq, t, me->flags, "test");
	g_string_append_printf(me->w->log, "%s@%" G_GINT64_FORMAT " ", me->name,
			       sim_now(me->w->eng));
}

/* Spawn waiters arriving at 1, 2, 3, ... in the order given. */
static void spawn_waiters(struct wq_test *w, struct waiter *ws, int n)
{
	for (int i = 0; i < n; i++) {
		ws[i].w = w;
		ws[i].arrive = i + 1;
		sim_task_spawn(w->eng, ws[i].name, waiter_fn, &ws[i]);
	}
}

struct waker_step {
	sim_time_t at;
	int nr;		/* nr_exclusive; -1: wake_up_all */
	int expect;	/* how many the call should wake */
};

struct waker {
	struct wq_test *w;
	const struct waker_step *steps;
	int n;
};

static void waker_fn(struct sim_task *t, void *arg)
{
	struct waker *wk = arg;

	for (int i = 0; i < wk->n; i++) {
		sim_sleep(t, wk->steps[i].at - sim_now(wk->w->eng));
		int got = wk->steps[i].nr < 0 ? sim_wake_up_all(&wk->w->wq)
					      : sim_wake_up(&wk->w->wq, wk->steps[i].nr, NULL);

		g_assert_cmpint(got, ==, wk->steps[i].expect);
	}
}

static char *run_case(struct waiter *ws, int nw, const struct waker_step *steps, int ns)
{
	struct wq_test w = { sim_engine_new(1), { { 0 } }, g_string_new(NULL), 0 };
	struct waker wk = { &w, steps, ns };

	sim_waitqueue_init(&w.wq);
	spawn_waiters(&w, ws, nw);
	sim_task_spawn(w.eng, "waker", waker_fn, &wk);
	sim_run(w.eng);
	g_assert_false(sim_waitqueue_active(&w.wq));
	sim_engine_free(w.eng);
	return g_strchomp(g_string_free(w.log, FALSE));
}

static void test_fifo_wake_one(void)
{
	struct waiter ws[] = {
		{ .name = "a", .flags = WQ_FLAG_EXCLUSIVE },
		{ .name = "b", .flags = WQ_FLAG_EXCLUSIVE },
		{ .name = "c", .flags = WQ_FLAG_EXCLUSIVE },
	};
	static const struct waker_step steps[] = {
		{ 10, 1, 1 }, { 20, 1, 1 }, { 30, 1, 1 }, { 40, 1, 0 },
	};
	g_autofree char *log = run_case(ws, 3, steps, 4);

	g_assert_cmpstr(log, ==, "a@10 b@20 c@30");
}

static void test_wake_all(void)
{
	struct waiter ws[] = {
		{ .name = "a", .flags = WQ_FLAG_EXCLUSIVE },
		{ .name = "b" },
		{ .name = "c", .flags = WQ_FLAG_EXCLUSIVE },
	};
	static const struct waker_step steps[] = { { 10, -1, 3 } };
	g_autofree char *log = run_case(ws, 3, steps, 1);

	g_assert_cmpstr(log, ==, "a@10 b@10 c@10");
}

/* Shared waiters are all woken on the way; the walk stops after
 * nr_exclusive exclusive ones. */
static void test_exclusive_and_shared(void)
{
	struct waiter ws[] = {
		{ .name = "s1" },
		{ .name = "e1", .flags = WQ_FLAG_EXCLUSIVE },
		{ .name = "s2" },
		{ .name = "e2", .flags = WQ_FLAG_EXCLUSIVE },
		{ .name = "s3" },
		{ .name = "e3", .flags = WQ_FLAG_EXCLUSIVE },
		{ .name = "e4", .flags = WQ_FLAG_EXCLUSIVE },
	};
	static const struct waker_step steps[] = {
		{ 10, 1, 2 },	/* s1 e1 */
		{ 20, 2, 4 },	/* s2 e2 s3 e3 */
		{ 30, 1, 1 },	/* e4 */
	};
	g_autofree char *log = run_case(ws, 7, steps, 3);

	g_assert_cmpstr(log, ==, "s1@10 e1@10 s2@20 e2@20 s3@20 e3@20 e4@30");
}

static void test_wake_batch(void)
{
	struct waiter ws[6];

	for (int i = 0; i < 6; i++)
		ws[i] = (struct waiter){ .name = (const char *[]){ "a", "b", "c", "d", "e", "f" }[i],
					 .flags = WQ_FLAG_EXCLUSIVE };
	static const struct waker_step steps[] = { { 10, 4, 4 }, { 20, 4, 2 } };
	g_autofree char *log = run_case(ws, 6, steps, 2);

	g_assert_cmpstr(log, ==, "a@10 b@10 c@10 d@10 e@20 f@20");
}

/*
 * A wake function that grants to readers only and stops at the first
 * writer, like the pre-5.3 rwsem wake of the run of readers at the head.
 */
static int reader_run_wake(struct sim_wait_entry *we, void *key)
{
	int *granted = key;

	if (we->private)	/* a writer: end the walk */
		return -1;
	(*granted)++;
	return sim_default_wake_function(we, key);
}

/* A wake function that skips writers and wakes every reader (5.3+). */
static int reader_skip_wake(struct sim_wait_entry *we, void *key)
{
	if (we->private)
		return 0;
	return sim_default_wake_function(we, key);
}

struct rw_waiter {
	struct sim_waitqueue *wq;
	GString *log;
	bool writer;
	const char *name;
};

static void rw_waiter_fn(struct sim_task *t, void *arg)
{
	struct rw_waiter *me = arg;
	struct sim_wait_entry we;

	sim_wait_entry_init(&we, t, 0);
	we.private = me->writer ? me : NULL;
	sim_add_wait_queue(me->wq, &we);
	sim_block(t);
	g_string_append_printf(me->log, "%s ", me->name);
}

static void test_wake_function_walk(void)
{
	for (int variant = 0; variant < 2; variant++) {
		g_autoptr(sim_engine) eng = sim_engine_new(1);
		struct sim_waitqueue wq;
		GString *log = g_string_new(NULL);
		struct rw_waiter ws[] = {
			{ &wq, log, false, "r1" }, { &wq, log, false, "r2" },
			{ &wq, log, true, "w1" }, { &wq, log, false, "r3" },
		};
		int granted = 0;

		sim_waitqueue_init(&wq);
		for (int i = 0; i < 4; i++)
			sim_task_spawn(eng, ws[i].name, rw_waiter_fn, &ws[i]);
		sim_run(eng);
		/* Walk with a wake function standing in for each entry's own. */
		struct sim_wait_entry *we;

		list_for_each_entry(we, &wq.head, entry)
			we->func = variant == 0 ? reader_run_wake : reader_skip_wake;
		sim_wake_up(&wq, 0, &granted);
		sim_run(eng);
		if (variant == 0) {
			g_assert_cmpstr(log->str, ==, "r1 r2 ");
			g_assert_cmpint(granted, ==, 2);
		} else {
			g_assert_cmpstr(log->str, ==, "r1 r2 r3 ");
		}
		/* The writer is still queued, at the head. */
		we = sim_waitqueue_first(&wq);
		g_assert_nonnull(we);
		g_assert_true(we->private == &ws[2]);
		list_for_each_entry(we, &wq.head, entry)
			we->func = sim_default_wake_function;
		sim_wake_up_all(&wq);
		sim_run(eng);
		g_assert_cmpstr(log->str, ==, variant == 0 ? "r1 r2 w1 r3 " : "r1 r2 r3 w1 ");
		g_string_free(log, TRUE);
	}
}

/* A waiter put back at the head keeps its place ahead of later arrivals. */
static void head_fn(struct sim_task *t, void *arg)
{
	struct wq_test *w = arg;
	struct sim_wait_entry we;

	sim_sleep(t, 5);
	sim_wait_entry_init(&we, t, WQ_FLAG_EXCLUSIVE);
	sim_add_wait_queue_head(&w->wq, &we);
	sim_block(t);
	g_string_append(w->log, "head ");
}

static void test_add_head(void)
{
	struct wq_test w = { sim_engine_new(1), { { 0 } }, g_string_new(NULL), 0 };
	struct waiter ws[] = {
		{ .name = "a", .flags = WQ_FLAG_EXCLUSIVE },
		{ .name = "b", .flags = WQ_FLAG_EXCLUSIVE },
	};
	static const struct waker_step steps[] = { { 10, 1, 1 }, { 20, 1, 1 }, { 30, 1, 1 } };
	struct waker wk = { &w, steps, 3 };

	sim_waitqueue_init(&w.wq);
	spawn_waiters(&w, ws, 2);
	sim_task_spawn(w.eng, "head", head_fn, &w);
	sim_task_spawn(w.eng, "waker", waker_fn, &wk);
	sim_run(w.eng);
	g_assert_cmpstr(w.log->str, ==, "head a@20 b@30 ");
	sim_engine_free(w.eng);
	g_string_free(w.log, TRUE);
}

/* Timeouts dequeue the waiter; a later wake-up does not see it. */
static void timeout_fn(struct sim_task *t, void *arg)
{
	struct wq_test *w = arg;

	g_assert_false(sim_wait_timeout(&w->wq, t, WQ_FLAG_EXCLUSIVE, "test", 50));
	g_assert_cmpint(sim_now(w->eng), ==, 50);
	g_assert_true(sim_wait_timeout(&w->wq, t, WQ_FLAG_EXCLUSIVE, "test", 500));
	g_assert_cmpint(sim_now(w->eng), ==, 100);
	w->flag++;
}

static void timeout_waker_fn(struct sim_task *t, void *arg)
{
	struct wq_test *w = arg;

	sim_sleep(t, 60);	/* the first wait timed out at 50 and re-queued */
	sim_sleep(t, 40);
	g_assert_cmpint(sim_wake_up_one(&w->wq), ==, 1);
	g_assert_cmpint(sim_wake_up_one(&w->wq), ==, 0);
}

static void test_timeout(void)
{
	struct wq_test w = { sim_engine_new(1), { { 0 } }, g_string_new(NULL), 0 };

	sim_waitqueue_init(&w.wq);
	sim_task_spawn(w.eng, "waiter", timeout_fn, &w);
	sim_task_spawn(w.eng, "waker", timeout_waker_fn, &w);
	sim_run(w.eng);
	g_assert_cmpint(w.flag, ==, 1);
	/* The cancelled timeout at 550 does not advance the clock. */
	g_assert_cmpint(sim_now(w.eng), ==, 100);
	sim_engine_free(w.eng);
	g_string_free(w.log, TRUE);
}

/*
 * With a CPU model, a timed-out waiter becomes runnable but runs only
 * after its wake-up latency; a wake-up in that window still dequeues it
 * and counts as a wake-up.
 */
static void late_waiter_fn(struct sim_task *t, void *arg)
{
	struct wq_test *w = arg;

	g_assert_true(sim_wait_timeout(&w->wq, t, WQ_FLAG_EXCLUSIVE, "test", 100));
	g_assert_cmpint(sim_now(w->eng), ==, 150);	/* timeout 100 + latency 50 */
	g_assert_false(sim_waitqueue_active(&w->wq));
	w->flag++;
}

static void late_waker_fn(struct sim_task *t, void *arg)
{
	struct wq_test *w = arg;

	sim_sleep(t, 120);
	g_assert_cmpint(sim_wake_up_one(&w->wq), ==, 1);
}

static void test_wake_after_timeout(void)
{
	struct wq_test w = { sim_engine_new(1), { { 0 } }, g_string_new(NULL), 0 };
	struct sim_cpus_params p;
	g_autoptr(sim_dist) lat = sim_dist_parse("50ns", SIM_UNIT_TIME, NULL);

	sim_cpus_params_init(&p);
	p.ctx_switch = 0;
	p.wake_latency = lat;
	struct sim_cpus *cpus = sim_cpus_new(w.eng, &p);

	sim_waitqueue_init(&w.wq);
	sim_cpus_attach(cpus, sim_task_spawn(w.eng, "waiter", late_waiter_fn, &w));
	sim_task_spawn(w.eng, "waker", late_waker_fn, &w);
	sim_run(w.eng);
	g_assert_cmpint(w.flag, ==, 1);
	sim_engine_free(w.eng);
	sim_cpus_free(cpus);
	g_string_free(w.log, TRUE);
}

/* wait_event re-checks its condition after each wake-up. */
static void cond_waiter_fn(struct sim_task *t, void *arg)
{
	struct wq_test *w = arg;

	sim_wait_event(&w->wq, t, w->flag >= 3);
	g_string_append_printf(w->log, "done@%" G_GINT64_FORMAT, sim_now(w->eng));
}

static void cond_setter_fn(struct sim_task *t, void *arg)
{
	struct wq_test *w = arg;

	for (int i = 0; i < 3; i++) {
		sim_sleep(t, 10);
		w->flag++;
		sim_wake_up_all(&w->wq);
	}
}

static void test_wait_event(void)
{
	struct wq_test w = { sim_engine_new(1), { { 0 } }, g_string_new(NULL), 0 };

	sim_waitqueue_init(&w.wq);
	sim_task_spawn(w.eng, "waiter", cond_waiter_fn, &w);
	sim_task_spawn(w.eng, "setter", cond_setter_fn, &w);
	sim_run(w.eng);
	g_assert_cmpstr(w.log->str, ==, "done@30");
	sim_engine_free(w.eng);
	g_string_free(w.log, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/waitqueue/fifo-wake-one", test_fifo_wake_one);
	g_test_add_func("/sim/waitqueue/wake-all", test_wake_all);
	g_test_add_func("/sim/waitqueue/exclusive-and-shared", test_exclusive_and_shared);
	g_test_add_func("/sim/waitqueue/wake-batch", test_wake_batch);
	g_test_add_func("/sim/waitqueue/wake-function-walk", test_wake_function_walk);
	g_test_add_func("/sim/waitqueue/add-head", test_add_head);
	g_test_add_func("/sim/waitqueue/timeout", test_timeout);
	g_test_add_func("/sim/waitqueue/wait-event", test_wait_event);
	g_test_add_func("/sim/waitqueue/wake-after-timeout", test_wake_after_timeout);
	return g_test_run();
}
