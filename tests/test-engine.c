/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Engine tests: event order and tie order, cancellation, stop conditions,
 * determinism of the trajectory, random streams, and the heap and the
 * ladder against a reference model under random schedule/cancel.
 */
#include "config.h"

#include <string.h>
#include <gsl/gsl_randist.h>
#include "sim/core/engine.h"

struct rec {
	struct sim_engine *eng;
	GArray *log;		/* of struct hit */
};

struct hit {
	sim_time_t time;
	int id;
};

struct ev_arg {
	struct rec *rec;
	int id;
};

static void record_event(struct sim_engine *eng, void *data)
{
	struct ev_arg *a = data;
	struct hit h = { sim_now(eng), a->id };

	g_array_append_val(a->rec->log, h);
}

static void test_order(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct rec rec = { eng, g_array_new(FALSE, FALSE, sizeof(struct hit)) };
	gsl_rng *r = sim_rng(eng, "test");
	enum { N = 5000 };
	struct ev_arg args[N];

	for (int i = 0; i < N; i++) {
		args[i] = (struct ev_arg){ &rec, i };
		/* Few distinct times, so most events tie with others. */
		sim_schedule(eng, (sim_time_t)gsl_rng_uniform_int(r, 50), record_event, &args[i]);
	}
	g_assert_cmpint(sim_events_pending(eng), ==, N);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(rec.log->len, ==, N);
	for (guint i = 1; i < rec.log->len; i++) {
		struct hit *a = &g_array_index(rec.log, struct hit, i - 1);
		struct hit *b = &g_array_index(rec.log, struct hit, i);

		g_assert_cmpint(a->time, <=, b->time);
		/* Same time: scheduled earlier runs earlier. */
		if (a->time == b->time)
			g_assert_cmpint(a->id, <, b->id);
	}
	g_assert_cmpuint(sim_events_dispatched(eng), ==, N);
	g_array_unref(rec.log);
}

/* Events scheduled by a handler for "now" run after those already
 * scheduled for now, and before later times. */
struct chain {
	struct rec *rec;
	int depth;
	struct ev_arg arg[4];
};

static void chain_event(struct sim_engine *eng, void *data)
{
	struct chain *c = data;

	record_event(eng, &c->arg[c->depth]);
	if (++c->depth < 3)
		sim_schedule(eng, 0, chain_event, c);
}

static void test_tie_order_from_handlers(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct rec rec = { eng, g_array_new(FALSE, FALSE, sizeof(struct hit)) };
	struct chain c = { &rec, 0, { { &rec, 10 }, { &rec, 11 }, { &rec, 12 } } };
	struct ev_arg other = { &rec, 20 }, later = { &rec, 30 };

	sim_schedule(eng, 5, chain_event, &c);
	sim_schedule(eng, 5, record_event, &other);
	sim_schedule(eng, 6, record_event, &later);
	sim_run(eng);
	static const struct hit want[] = { { 5, 10 }, { 5, 20 }, { 5, 11 }, { 5, 12 }, { 6, 30 } };

	g_assert_cmpuint(rec.log->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		g_assert_cmpint(g_array_index(rec.log, struct hit, i).time, ==, want[i].time);
		g_assert_cmpint(g_array_index(rec.log, struct hit, i).id, ==, want[i].id);
	}
	g_array_unref(rec.log);
}

static void test_cancel(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct rec rec = { eng, g_array_new(FALSE, FALSE, sizeof(struct hit)) };
	struct ev_arg a[4] = { { &rec, 0 }, { &rec, 1 }, { &rec, 2 }, { &rec, 3 } };
	struct sim_timer t0 = sim_schedule(eng, 10, record_event, &a[0]);
	struct sim_timer t1 = sim_schedule(eng, 20, record_event, &a[1]);
	struct sim_timer t2 = sim_schedule(eng, 30, record_event, &a[2]);

	g_assert_true(sim_timer_pending(&t1));
	g_assert_true(sim_cancel(eng, &t1));
	g_assert_false(sim_timer_pending(&t1));
	g_assert_false(sim_cancel(eng, &t1));	/* cleared handle */
	g_assert_cmpint(sim_events_pending(eng), ==, 2);

	sim_set_time_limit(eng, 15);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_TIME);
	g_assert_cmpint(sim_now(eng), ==, 15);
	/* t0 ran: its handle is stale now, and stays stale even when its
	 * record is recycled for a new event. */
	struct sim_timer stale = t0;
	struct sim_timer t3 = sim_schedule(eng, 1, record_event, &a[3]);

	g_assert_false(sim_timer_pending(&stale));
	g_assert_false(sim_cancel(eng, &stale));
	g_assert_true(sim_timer_pending(&t3));
	g_assert_true(sim_timer_pending(&t2));

	sim_set_time_limit(eng, SIM_TIME_MAX);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(rec.log->len, ==, 3);
	g_assert_cmpint(g_array_index(rec.log, struct hit, 0).id, ==, 0);
	g_assert_cmpint(g_array_index(rec.log, struct hit, 1).id, ==, 3);
	g_assert_cmpint(g_array_index(rec.log, struct hit, 2).id, ==, 2);
	g_assert_cmpint(sim_events_pending(eng), ==, 0);
	g_array_unref(rec.log);
}

/* A handler cancels events, including one for the same instant and the
 * event it is itself running as (a no-op). */
struct canceller {
	struct sim_timer victims[3];
	struct sim_timer self;
	int cancelled;
};

static void cancel_event(struct sim_engine *eng, void *data)
{
	struct canceller *c = data;

	g_assert_false(sim_cancel(eng, &c->self));
	for (int i = 0; i < 3; i++)
		c->cancelled += sim_cancel(eng, &c->victims[i]);
}

static void test_cancel_during_dispatch(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct rec rec = { eng, g_array_new(FALSE, FALSE, sizeof(struct hit)) };
	struct ev_arg a[4] = { { &rec, 0 }, { &rec, 1 }, { &rec, 2 }, { &rec, 3 } };
	struct canceller c = { 0 };

	c.self = sim_schedule(eng, 10, cancel_event, &c);
	c.victims[0] = sim_schedule(eng, 10, record_event, &a[0]);	/* same time */
	c.victims[1] = sim_schedule(eng, 5, record_event, &a[1]);	/* runs first */
	c.victims[2] = sim_schedule(eng, 99, record_event, &a[2]);
	sim_schedule(eng, 50, record_event, &a[3]);
	sim_run(eng);
	g_assert_cmpint(c.cancelled, ==, 2);
	g_assert_cmpuint(rec.log->len, ==, 2);
	g_assert_cmpint(g_array_index(rec.log, struct hit, 0).id, ==, 1);
	g_assert_cmpint(g_array_index(rec.log, struct hit, 1).id, ==, 3);
	g_assert_cmpuint(sim_events_dispatched(eng), ==, 3);
	g_array_unref(rec.log);
}

static void forever_event(struct sim_engine *eng, void *data)
{
	int *n = data;

	(*n)++;
	sim_schedule(eng, 7, forever_event, data);
	if (*n == 1000)
		sim_stop(eng);
}

static void test_limits(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	int n = 0;

	sim_schedule(eng, 0, forever_event, &n);
	sim_set_event_limit(eng, 10);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EVENTS);
	g_assert_cmpint(n, ==, 10);
	g_assert_cmpint(sim_now(eng), ==, 63);

	/* Time limit: the event at exactly 140 runs, the one at 147 doesn't. */
	sim_set_event_limit(eng, UINT64_MAX);
	sim_set_time_limit(eng, 140);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_TIME);
	g_assert_cmpint(n, ==, 21);
	g_assert_cmpint(sim_now(eng), ==, 140);

	sim_set_time_limit(eng, SIM_TIME_MAX);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_REQUESTED);
	g_assert_cmpint(n, ==, 1000);
	g_assert_cmpint(sim_now(eng), ==, 999 * 7);
	g_assert_cmpstr(sim_stop_reason_name(SIM_STOP_TIME), ==, "time-limit");
}

/*
 * A random model: customers that each reschedule themselves after an
 * exponential time drawn from their own stream and now and then cancel a
 * neighbour's pending event.  Its fingerprint depends on every draw and
 * every tie.
 */
struct model {
	struct sim_engine *eng;
	struct cust {
		struct model *m;
		int id;
		struct sim_timer next;
		gsl_rng *r;
	} c[64];
	uint64_t sum;
};

static void cust_event(struct sim_engine *eng, void *data)
{
	struct cust *c = data;
	struct model *m = c->m;

	m->sum += (uint64_t)sim_now(eng) * (uint64_t)(c->id + 1);
	c->next = sim_schedule(eng, (sim_time_t)gsl_ran_exponential(c->r, 1000.0), cust_event, c);
	if (gsl_rng_uniform(c->r) < 0.1) {
		struct cust *v = &m->c[gsl_rng_uniform_int(c->r, 64)];

		if (v != c && sim_cancel(eng, &v->next))
			v->next = sim_schedule(eng, (sim_time_t)gsl_ran_exponential(v->r, 500.0),
					       cust_event, v);
	}
}

static uint64_t run_model(uint64_t seed, uint64_t *dispatched)
{
	struct model *m = g_new0(struct model, 1);
	uint64_t fp;

	m->eng = sim_engine_new(seed);
	for (int i = 0; i < 64; i++) {
		g_autofree char *name = g_strdup_printf("cust%d", i);

		m->c[i] = (struct cust){ m, i, { 0 }, sim_rng(m->eng, name) };
		m->c[i].next = sim_schedule(m->eng, 0, cust_event, &m->c[i]);
	}
	sim_set_time_limit(m->eng, 2 * NSEC_PER_MSEC);
	sim_run(m->eng);
	fp = sim_fingerprint(m->eng) ^ m->sum;
	*dispatched = sim_events_dispatched(m->eng);
	sim_engine_free(m->eng);
	g_free(m);
	return fp;
}

static void test_determinism(void)
{
	uint64_t d1, d2, d3;
	uint64_t a = run_model(42, &d1), b = run_model(42, &d2), c = run_model(43, &d3);

	g_assert_cmpuint(d1, >, 100000);
	g_assert_cmpuint(a, ==, b);
	g_assert_cmpuint(d1, ==, d2);
	g_assert_cmpuint(a, !=, c);
}

static void test_rng_streams(void)
{
	g_autoptr(sim_engine) e1 = sim_engine_new(7);
	g_autoptr(sim_engine) e2 = sim_engine_new(7);
	g_autoptr(sim_engine) e3 = sim_engine_new(8);
	gsl_rng *a1 = sim_rng(e1, "disk");
	unsigned long x[3][5];

	g_assert_true(sim_rng(e1, "disk") == a1);
	for (int i = 0; i < 5; i++)
		x[0][i] = gsl_rng_get(a1);
	/* In e2 another stream is created and drawn from first: "disk" must
	 * not shift. */
	gsl_rng *other = sim_rng(e2, "cpu");

	for (int i = 0; i < 100; i++)
		gsl_rng_get(other);
	gsl_rng *a2 = sim_rng(e2, "disk");

	for (int i = 0; i < 5; i++)
		x[1][i] = gsl_rng_get(a2);
	for (int i = 0; i < 5; i++)
		x[2][i] = gsl_rng_get(sim_rng(e3, "disk"));
	g_assert_cmpmem(x[0], sizeof(x[0]), x[1], sizeof(x[1]));
	g_assert_true(memcmp(x[0], x[2], sizeof(x[0])) != 0);
	/* Different names, different streams. */
	g_assert_cmpuint(gsl_rng_get(sim_rng(e1, "a")), !=, gsl_rng_get(sim_rng(e1, "b")));
}

/* The heap against a sorted reference under random schedule and cancel,
 * with many ties and deep heaps. */
struct ref_ev {
	sim_time_t time;
	uint64_t order;
	struct sim_timer timer;
	bool cancelled, ran;
};

struct heap_check {
	GArray *ran;	/* of guint: index into refs */
	struct ref_ev *refs;
};

struct heap_arg {
	struct heap_check *hc;
	guint idx;
};

static void heap_event(struct sim_engine *eng, void *data)
{
	struct heap_arg *a = data;

	g_assert_false(a->hc->refs[a->idx].cancelled);
	g_assert_cmpint(a->hc->refs[a->idx].time, ==, sim_now(eng));
	a->hc->refs[a->idx].ran = true;
	g_array_append_val(a->hc->ran, a->idx);
}

static int ref_cmp(gconstpointer pa, gconstpointer pb, gpointer refs)
{
	const struct ref_ev *a = &((struct ref_ev *)refs)[*(const guint *)pa];
	const struct ref_ev *b = &((struct ref_ev *)refs)[*(const guint *)pb];

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void heap_reference_buckets(size_t heap_limit, size_t bucket)
{
	enum { N = 60000 };
	g_autoptr(sim_engine) eng = sim_engine_new(3);

	if (heap_limit)
		sim_engine_set_heap_limit(eng, heap_limit);
	if (bucket)
		sim_engine_set_ladder_bucket(eng, bucket);
	gsl_rng *r = sim_rng(eng, "heap");
	struct heap_check hc = { g_array_new(FALSE, FALSE, sizeof(guint)), g_new0(struct ref_ev, N) };
	struct heap_arg *args = g_new(struct heap_arg, N);
	GArray *expect = g_array_new(FALSE, FALSE, sizeof(guint));

	for (guint i = 0; i < N; i++) {
		args[i] = (struct heap_arg){ &hc, i };
		hc.refs[i].time = (sim_time_t)gsl_rng_uniform_int(r, N / 4);
		hc.refs[i].order = i;
		hc.refs[i].timer = sim_schedule_at(eng, hc.refs[i].time, heap_event, &args[i]);
		/* Cancel a random earlier one now and then. */
		if (i > 0 && gsl_rng_uniform(r) < 0.3) {
			guint v = (guint)gsl_rng_uniform_int(r, i);
			bool was = !hc.refs[v].cancelled;

			g_assert_true(sim_cancel(eng, &hc.refs[v].timer) == was);
			hc.refs[v].cancelled = true;
		}
	}
	for (guint i = 0; i < N; i++)
		if (!hc.refs[i].cancelled)
			g_array_append_val(expect, i);
	g_array_sort_with_data(expect, ref_cmp, hc.refs);
	g_assert_cmpuint(sim_events_pending(eng), ==, expect->len);
	sim_run(eng);
	g_assert_cmpuint(hc.ran->len, ==, expect->len);
	g_assert_cmpmem(hc.ran->data, hc.ran->len * sizeof(guint),
			expect->data, expect->len * sizeof(guint));
	g_array_unref(hc.ran);
	g_array_unref(expect);
	g_free(hc.refs);
	g_free(args);
}

static void heap_reference(size_t heap_limit)
{
	heap_reference_buckets(heap_limit, 0);
}

static void test_heap_reference(void)
{
	heap_reference(0);
}

/* The same with a tiny heap limit, so that the heap spills into the ladder
 * and refills from it thousands of times, ties and cancellations
 * included. */
static void test_heap_far_set(void)
{
	heap_reference(64);
	heap_reference(7);
}

/*
 * The ladder under a running model: handlers schedule new events (many at
 * the spill time, many ties) while it is in use; the trajectory must be
 * the same whatever the heap limit.
 */
struct far_model {
	gsl_rng *r;
	uint64_t sum;
	int left;
};

static void far_event(struct sim_engine *eng, void *data)
{
	struct far_model *m = data;

	m->sum = m->sum * 31 + (uint64_t)sim_now(eng);
	if (m->left-- > 0) {
		sim_schedule(eng, (sim_time_t)gsl_rng_uniform_int(m->r, 50), far_event, m);
		if (gsl_rng_uniform(m->r) < 0.5)
			sim_schedule(eng, (sim_time_t)gsl_rng_uniform_int(m->r, 5000), far_event, m);
	}
}

static uint64_t run_far_model(size_t limit, uint64_t *fp, uint64_t *n)
{
	g_autoptr(sim_engine) eng = sim_engine_new(9);
	struct far_model m = { sim_rng(eng, "far"), 0, 200000 };

	sim_engine_set_heap_limit(eng, limit);
	for (int i = 0; i < 3000; i++)
		sim_schedule(eng, (sim_time_t)gsl_rng_uniform_int(m.r, 100000), far_event, &m);
	sim_run(eng);
	*fp = sim_fingerprint(eng);
	*n = sim_events_dispatched(eng);
	return m.sum;
}

static void test_far_set_trajectory(void)
{
	uint64_t fp0, fp1, fp2, n0, n1, n2;
	uint64_t a = run_far_model(1 << 20, &fp0, &n0);
	uint64_t b = run_far_model(16, &fp1, &n1);
	uint64_t c = run_far_model(200, &fp2, &n2);

	g_assert_cmpuint(n0, >, 200000);
	g_assert_cmpuint(a, ==, b);
	g_assert_cmpuint(a, ==, c);
	g_assert_cmpuint(fp0, ==, fp1);
	g_assert_cmpuint(fp0, ==, fp2);
	g_assert_cmpuint(n0, ==, n1);
}

/*
 * The ladder under a running model, against a reference: handlers
 * schedule events at delays from none (ties with the running event) to
 * 10^15 ns, a few go to the end of time, and pending events are cancelled
 * at random; each dispatch must be the first of the reference set of
 * pending events ordered by (time, order of scheduling).  Run with the
 * ladder off, at its defaults and with tiny heaps and buckets (deep rungs,
 * spills into rungs, buckets of one nanosecond).
 */
struct ladder_ev {
	sim_time_t time;
	uint64_t order;
	struct sim_timer timer;
	struct ladder_model *m;
	guint idx;
};

struct ladder_model {
	struct sim_engine *eng;
	gsl_rng *r;
	GTree *pending;		/* struct ladder_ev * -> itself */
	GPtrArray *evs;		/* every struct ladder_ev, owned */
	GPtrArray *live;	/* pending ones, for picking a victim */
	uint64_t next_order;
	uint64_t left, dispatched;
	uint64_t sum;
	sim_time_t last;	/* time of the last event run */
};

static gint ladder_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct ladder_ev *a = pa, *b = pb;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static gboolean first_key(gpointer key, gpointer value, gpointer data)
{
	*(gpointer *)data = key;
	return TRUE;
}

static void ladder_event(struct sim_engine *eng, void *data);

static void ladder_add(struct ladder_model *m, sim_time_t when)
{
	struct ladder_ev *e = g_new0(struct ladder_ev, 1);

	e->time = when;
	e->order = m->next_order++;
	e->m = m;
	e->idx = m->live->len;
	e->timer = sim_schedule_at(m->eng, when, ladder_event, e);
	g_ptr_array_add(m->evs, e);
	g_ptr_array_add(m->live, e);
	g_tree_insert(m->pending, e, e);
}

static void ladder_forget(struct ladder_model *m, struct ladder_ev *e)
{
	struct ladder_ev *last = m->live->pdata[m->live->len - 1];

	m->live->pdata[e->idx] = last;
	last->idx = e->idx;
	g_ptr_array_set_size(m->live, m->live->len - 1);
	g_tree_remove(m->pending, e);
}

static sim_time_t ladder_delay(gsl_rng *r)
{
	double u = gsl_rng_uniform(r);

	if (u < 0.2)
		return 0;
	if (u < 0.5)
		return (sim_time_t)gsl_rng_uniform_int(r, 50);
	if (u < 0.8)
		return (sim_time_t)gsl_rng_uniform_int(r, 100000);
	if (u < 0.99)
		return (sim_time_t)gsl_ran_exponential(r, 1e7);
	return (sim_time_t)gsl_rng_uniform_int(r, 1000000000) * 1000000;
}

static void ladder_event(struct sim_engine *eng, void *data)
{
	struct ladder_ev *e = data;
	struct ladder_model *m = e->m;
	struct ladder_ev *first = NULL;

	g_tree_foreach(m->pending, first_key, &first);
	g_assert_true(first == e);
	g_assert_cmpint(sim_now(eng), ==, e->time);
	ladder_forget(m, e);
	m->dispatched++;
	m->last = e->time;
	m->sum = m->sum * 31 + (uint64_t)e->time + e->order;
	if (m->left > 0) {
		unsigned int n = (unsigned int)gsl_rng_uniform_int(m->r, 3);

		for (unsigned int i = 0; i < n && m->left > 0; i++, m->left--)
			if (sim_now(eng) <= SIM_TIME_MAX - 2000000000000000)
				ladder_add(m, sim_now(eng) + ladder_delay(m->r));
		if (m->live->len && gsl_rng_uniform(m->r) < 0.2) {
			struct ladder_ev *v = m->live->pdata[gsl_rng_uniform_int(m->r, m->live->len)];

			g_assert_true(sim_cancel(eng, &v->timer));
			ladder_forget(m, v);
		}
	}
	g_assert_cmpuint(sim_events_pending(eng), ==, m->live->len);
}

static uint64_t run_ladder_model(size_t heap_limit, size_t bucket, uint64_t *fp)
{
	struct ladder_model m = { .eng = sim_engine_new(17) };

	if (heap_limit)
		sim_engine_set_heap_limit(m.eng, heap_limit);
	if (bucket)
		sim_engine_set_ladder_bucket(m.eng, bucket);
	m.r = sim_rng(m.eng, "ladder");
	m.pending = g_tree_new(ladder_cmp);
	m.evs = g_ptr_array_new_with_free_func(g_free);
	m.live = g_ptr_array_new();
	m.left = 120000;
	/* A crowd at the start, and a few at the end of time. */
	for (int i = 0; i < 20000; i++)
		ladder_add(&m, ladder_delay(m.r));
	ladder_add(&m, SIM_TIME_MAX);
	ladder_add(&m, SIM_TIME_MAX - 1);
	ladder_add(&m, SIM_TIME_MAX);
	ladder_add(&m, SIM_TIME_MAX / 2);
	g_assert_cmpint(sim_run(m.eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpint(g_tree_nnodes(m.pending), ==, 0);
	g_assert_cmpint(sim_now(m.eng), ==, m.last);
	g_assert_cmpuint(m.dispatched, ==, sim_events_dispatched(m.eng));
	*fp = sim_fingerprint(m.eng);
	g_tree_unref(m.pending);
	g_ptr_array_unref(m.evs);
	g_ptr_array_unref(m.live);
	sim_engine_free(m.eng);
	return m.sum;
}

static void test_ladder_reference(void)
{
	static const struct {
		size_t heap_limit, bucket;
	} params[] = {
		{ SIZE_MAX, 0 },	/* all in the heap */
		{ 0, 0 },		/* defaults */
		{ 64, 16 },
		{ 7, 2 },
		{ 3, 1 },
		{ 1000, 3 },
	};
	uint64_t sum0 = 0, fp0 = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(params); i++) {
		uint64_t fp, sum = run_ladder_model(params[i].heap_limit, params[i].bucket, &fp);

		if (i == 0) {
			sum0 = sum;
			fp0 = fp;
		}
		g_assert_cmpuint(sum, ==, sum0);
		g_assert_cmpuint(fp, ==, fp0);
	}
}

/* heap_reference() with small ladder buckets: rungs within rungs. */
static void test_ladder_small_buckets(void)
{
	heap_reference_buckets(16, 2);
	heap_reference_buckets(5, 1);
}

/* The sampler: called once per boundary, before any step at or after it,
 * with the clock still at the last step; no event of its own. */
struct sampler_ctx {
	int ran;			/* events run */
	GArray *seen;			/* per call: boundary, ran, now */
};

static void count_event(struct sim_engine *eng, void *data)
{
	(void)eng;
	((struct sampler_ctx *)data)->ran++;
}

static sim_time_t sample_fn(struct sim_engine *eng, sim_time_t at, void *data)
{
	struct sampler_ctx *c = data;
	gint64 row[3] = { at, c->ran, sim_now(eng) };

	g_array_append_vals(c->seen, row, 3);
	return at + 10;
}

static void test_sampler(void)
{
	struct sampler_ctx c = { 0, g_array_new(FALSE, FALSE, sizeof(gint64)) };
	struct sim_engine *eng = sim_engine_new(1);
	/* Events at 5, 10, 35 (the boundaries 20 and 30 pass with none). */
	static const gint64 want[] = {
		10, 1, 5,	/* before the event at 10 */
		20, 2, 10, 30, 2, 10,
		40, 3, 35,	/* sim_engine_sample_until(40) at the end */
	};

	sim_schedule_at(eng, 5, count_event, &c);
	sim_schedule_at(eng, 10, count_event, &c);
	sim_schedule_at(eng, 35, count_event, &c);
	sim_engine_set_sampler(eng, 10, sample_fn, &c);
	sim_set_time_limit(eng, 40);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(sim_events_dispatched(eng), ==, 3);
	g_assert_cmpuint(c.seen->len, ==, 9);
	sim_engine_sample_until(eng, 40);
	g_assert_cmpuint(c.seen->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++)
		g_assert_cmpint(g_array_index(c.seen, gint64, i), ==, want[i]);
	g_assert_cmpuint(sim_events_pending(eng), ==, 0);
	sim_engine_free(eng);
	g_array_unref(c.seen);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/engine/order", test_order);
	g_test_add_func("/sim/engine/sampler", test_sampler);
	g_test_add_func("/sim/engine/tie-order-from-handlers", test_tie_order_from_handlers);
	g_test_add_func("/sim/engine/cancel", test_cancel);
	g_test_add_func("/sim/engine/cancel-during-dispatch", test_cancel_during_dispatch);
	g_test_add_func("/sim/engine/limits", test_limits);
	g_test_add_func("/sim/engine/determinism", test_determinism);
	g_test_add_func("/sim/engine/rng-streams", test_rng_streams);
	g_test_add_func("/sim/engine/heap-reference", test_heap_reference);
	g_test_add_func("/sim/engine/far-set/reference", test_heap_far_set);
	g_test_add_func("/sim/engine/far-set/trajectory", test_far_set_trajectory);
	g_test_add_func("/sim/engine/ladder/reference", test_ladder_reference);
	g_test_add_func("/sim/engine/ladder/small-buckets", test_ladder_small_buckets);
	return g_test_run();
}
