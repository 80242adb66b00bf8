/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU model tests: queueing theory (M/M/1, M/M/c and Little's law with the
 * open-loop load), time slices and preemption, blocking, wake-up latency,
 * spinning, the choice of core, end-of-run scalars and determinism.
 *
 * The exact-timing tests use a context switch of C = 1 us so that every
 * switch shows in the expected times.
 */
#include "config.h"

#include <math.h>
#include "sim/kernel/cpu.h"
#include "sim/core/stats.h"

#define US NSEC_PER_USEC
#define MS NSEC_PER_MSEC
#define C (1 * US)			/* context switch in the timing tests */

static struct sim_cpus *cpus_new(struct sim_engine *eng, unsigned int nr,
				 sim_time_t slice, sim_time_t ctx,
				 const struct sim_dist *lat)
{
	struct sim_cpus_params p;

	sim_cpus_params_init(&p);
	p.nr_cpus = nr;
	p.slice = slice;
	p.ctx_switch = ctx;
	p.wake_latency = lat;
	return sim_cpus_new(eng, &p);
}

static struct sim_task *spawn_on(struct sim_engine *eng, struct sim_cpus *cpus,
				 const char *name, sim_task_fn *fn, void *arg)
{
	struct sim_task *t = sim_task_spawn(eng, name, fn, arg);

	if (cpus)
		sim_cpus_attach(cpus, t);
	return t;
}

static uint64_t counter(struct sim_engine *eng, const char *module, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(eng), module, name);
}

static struct sim_hist *hist(struct sim_engine *eng, const char *module, const char *name)
{
	return sim_stats_hist(sim_engine_stats(eng), module, name);
}

static double scalar(struct sim_engine *eng, const char *module, const char *name)
{
	return *sim_stats_scalar(sim_engine_stats(eng), module, name);
}

/* ------------------------------------------------------------------ */
/* Parameters */

static void test_params(void)
{
	struct sim_cpus_params p;
	GError *error = NULL;

	sim_cpus_params_init(&p);
	g_assert_cmpuint(p.nr_cpus, ==, 4);
	g_assert_cmpint(p.slice, ==, 3 * MS);
	g_assert_cmpint(p.ctx_switch, ==, 1 * US);
	g_assert_null(p.wake_latency);
	g_assert_true(sim_cpus_params_check(&p, &error));

	p.nr_cpus = 0;
	g_assert_false(sim_cpus_params_check(&p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	p.nr_cpus = SIM_CPUS_MAX + 1;
	g_assert_false(sim_cpus_params_check(&p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	p.nr_cpus = 2;
	p.ctx_switch = -1;
	g_assert_false(sim_cpus_params_check(&p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
}

/* ------------------------------------------------------------------ */
/* Queueing theory */

/*
 * Erlang C: the probability that an arrival waits in an M/M/c queue with
 * offered load @a = lambda / mu (erlangs), through the Erlang B recursion
 * B(k) = a B(k-1) / (k + a B(k-1)).
 */
static double erlang_c(unsigned int c, double a)
{
	double b = 1, rho = a / c;

	for (unsigned int k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	return b / (1 - rho * (1 - b));
}

struct mm_case {
	unsigned int c;
	double rho;
	double jobs;		/* expected arrivals in the run */
	double tol;		/* relative tolerance on W and L */
};

#define NR_BATCHES 20

/* Batch means over equal time windows: snapshots at each window's end. */
struct batches {
	struct sim_engine *eng;
	struct sim_cpu_load *load;
	struct sim_hist *resp;
	sim_time_t width;
	int n;
	double sum[NR_BATCHES + 1], count[NR_BATCHES + 1], area[NR_BATCHES + 1];
};

static void batch_event(struct sim_engine *eng, void *data)
{
	struct batches *b = data;

	b->n++;
	b->sum[b->n] = sim_hist_sum(b->resp);
	b->count[b->n] = (double)sim_hist_count(b->resp);
	b->area[b->n] = sim_cpu_load_mean_in_system(b->load) * (double)sim_now(eng);
	if (b->n < NR_BATCHES)
		sim_schedule(eng, b->width, batch_event, b);
}

/* Standard error of the mean of @k values. */
static double std_error(const double *v, int k)
{
	double m = 0, ss = 0;

	for (int i = 0; i < k; i++)
		m += v[i];
	m /= k;
	for (int i = 0; i < k; i++)
		ss += (v[i] - m) * (v[i] - m);
	return sqrt(ss / (k - 1) / k);
}

/*
 * M/M/c, FCFS (no slice), no switch cost, no wake latency: the CPU model
 * with the open-loop load must give the textbook mean response time
 *	W = S + C(c, a) S / (c - a),	a = lambda S = c rho,
 * and the mean number in system L = lambda W.
 *
 * Run length and tolerance.  For M/M/1 the time-average number in system
 * over a run of t service times has relative variance about
 * 2(1 + rho) / (rho (1 - rho)^2 t) (the asymptotic variance 2 rho (1 + rho)
 * / (1 - rho)^4 of the queue-length process, Whitt 1989, over L^2), and the
 * customer-average response time about the same.  With n jobs
 * (t = n / rho):
 *	rho = 0.5, n = 500 000:   sigma = 0.49%, tolerance 2.5% = 5.1 sigma
 *	rho = 0.8, n = 2 000 000: sigma = 0.67%, tolerance 3% = 4.5 sigma
 * Over 30 seeds (these lengths, c = 1, 2, 4) the relative errors of W and
 * L had means within +-0.16% (no bias) and standard deviations of 0.17% to
 * 0.46% at rho = 0.5 and 0.45% to 0.67% at rho = 0.8, the largest |error|
 * being 1.47%: M/M/c is no more variable than M/M/1 at the same rho.  The
 * test also estimates the standard error itself by batch means (20 time
 * windows; noisy, but it would catch a model far more variable than the
 * theory) and checks that the tolerance is at least 3 of them.  Little's
 * law from the measured quantities (time-average L against arrival rate
 * times mean W) differs only by edge effects (the jobs still in the system
 * at the end), far below 1%.
 */
static void test_mmc(const void *data)
{
	const struct mm_case *mc = data;
	const double S = 100 * US;
	double a = mc->c * mc->rho, lambda = a / S;
	double w_theory = S + erlang_c(mc->c, a) * S / (mc->c - a);
	double l_theory = lambda * w_theory;
	sim_time_t T = (sim_time_t)(mc->jobs / lambda);
	struct sim_engine *eng = sim_engine_new(20240601 + mc->c);
	struct sim_cpus *cpus = cpus_new(eng, mc->c, 0, 0, NULL);
	g_autoptr(sim_dist) ia = sim_dist_new_exp(1 / lambda);
	g_autoptr(sim_dist) svc = sim_dist_new_exp(S);
	struct sim_cpu_load *load = sim_cpu_load_start(eng, cpus, ia, svc, 0);
	struct batches *b = g_new0(struct batches, 1);
	double wb[NR_BATCHES], lb[NR_BATCHES], se_w, se_l;
	double w, l, arrivals, completions, rate;

	b->eng = eng;
	b->load = load;
	b->resp = hist(eng, "cpu_load", "responseTime");
	b->width = T / NR_BATCHES;
	sim_schedule(eng, b->width, batch_event, b);
	sim_set_time_limit(eng, b->width * NR_BATCHES);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_TIME);
	g_assert_cmpint(b->n, ==, NR_BATCHES);

	for (int i = 0; i < NR_BATCHES; i++) {
		wb[i] = (b->sum[i + 1] - b->sum[i]) / (b->count[i + 1] - b->count[i]);
		lb[i] = (b->area[i + 1] - b->area[i]) / (double)b->width;
	}
	se_w = std_error(wb, NR_BATCHES) / w_theory;
	se_l = std_error(lb, NR_BATCHES) / l_theory;

	w = sim_hist_mean(b->resp);
	l = sim_cpu_load_mean_in_system(load);
	arrivals = (double)counter(eng, "cpu_load", "arrivals");
	completions = (double)counter(eng, "cpu_load", "completions");
	rate = arrivals / ((double)sim_now(eng) / NSEC_PER_SEC);
	sim_cpu_load_finish(load);
	sim_cpus_finish(cpus);

	g_test_message("M/M/%u rho %.2f: %.0f jobs; W %.1f us (theory %.1f, %+.2f%%, "
		       "batch s.e. %.2f%%); L %.4f (theory %.4f, %+.2f%%, s.e. %.2f%%); "
		       "utilization %.4f",
		       mc->c, mc->rho, arrivals, w / US, w_theory / US,
		       100 * (w / w_theory - 1), 100 * se_w, l, l_theory,
		       100 * (l / l_theory - 1), 100 * se_l,
		       scalar(eng, "cpu", "utilization"));

	/* The run is long enough for the tolerance. */
	g_assert_cmpfloat(mc->tol, >=, 3 * se_w);
	g_assert_cmpfloat(mc->tol, >=, 3 * se_l);
	/* Theory. */
	g_assert_cmpfloat(fabs(w / w_theory - 1), <, mc->tol);
	g_assert_cmpfloat(fabs(l / l_theory - 1), <, mc->tol);
	/* Utilization is rho: its relative error is smaller than W's. */
	g_assert_cmpfloat(fabs(scalar(eng, "cpu", "utilization") / mc->rho - 1), <, mc->tol);
	/* Little's law from measured quantities. */
	g_assert_cmpfloat(fabs(l / (rate * w / NSEC_PER_SEC) - 1), <, 0.01);
	g_assert_cmpfloat(scalar(eng, "cpu_load", "meanJobsInSystem"), ==, l);
	g_assert_cmpfloat(fabs(scalar(eng, "cpu_load", "arrivalRate") / rate - 1), <, 1e-12);
	/* Book-keeping: every arrival has completed or is still in. */
	g_assert_cmpfloat(arrivals, ==,
			  completions + (double)sim_cpu_load_in_system(load));
	g_assert_cmpuint(counter(eng, "cpu", "preemptions"), ==, 0);
	/* FCFS with free cores taken at once: every job's wait is its
	 * run-queue wait, recorded once per job. */
	g_assert_cmpfloat((double)sim_hist_count(hist(eng, "cpu", "runqueueWait")), ==,
			  completions + (double)sim_cpu_load_in_system(load) -
			  (double)sim_cpus_nr_queued(cpus));

	g_free(b);
	sim_cpu_load_free(load);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* A bounded load (max_jobs) stops arriving and drains: L = lambda W holds
 * exactly (each job adds its response time to the area). */
static void test_load_drains(void)
{
	struct sim_engine *eng = sim_engine_new(7);
	struct sim_cpus *cpus = cpus_new(eng, 2, 0, 0, NULL);
	g_autoptr(sim_dist) ia = sim_dist_new_exp(60 * US);
	g_autoptr(sim_dist) svc = sim_dist_new_exp(100 * US);
	struct sim_cpu_load *load = sim_cpu_load_start(eng, cpus, ia, svc, 5000);
	double w, l, lambda;

	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(counter(eng, "cpu_load", "arrivals"), ==, 5000);
	g_assert_cmpuint(counter(eng, "cpu_load", "completions"), ==, 5000);
	g_assert_cmpuint(sim_cpu_load_in_system(load), ==, 0);
	g_assert_cmpuint(sim_engine_nr_tasks(eng), ==, 0);
	w = sim_hist_mean(hist(eng, "cpu_load", "responseTime"));
	l = sim_cpu_load_mean_in_system(load);
	lambda = 5000.0 / (double)sim_now(eng);
	g_assert_cmpfloat(fabs(l / (lambda * w) - 1), <, 1e-9);
	sim_cpu_load_free(load);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* ------------------------------------------------------------------ */
/* Preemption */

struct worker {
	struct sim_engine *eng;
	sim_time_t work;
	sim_time_t done;
};

static void worker_fn(struct sim_task *t, void *arg)
{
	struct worker *w = arg;

	cpu_work(t, w->work);
	w->done = sim_now(w->eng);
}

/*
 * Two tasks of 10 ms on one core with a 1 ms slice run in turns: A's 10th
 * slice is the 19th turn and B's the 20th, each turn after a switch, so
 * they finish at 19 ms + 19 C and 20 ms + 20 C; 18 preemptions (none when
 * A ends and none for B alone).  With no slice: 10 ms + C and 20 ms + 2 C.
 */
static void test_preempt(const void *data)
{
	sim_time_t slice = GPOINTER_TO_INT(data) * MS;
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 1, slice, C, NULL);
	struct worker a = { eng, 10 * MS, 0 }, b = { eng, 10 * MS, 0 };

	spawn_on(eng, cpus, "a", worker_fn, &a);
	spawn_on(eng, cpus, "b", worker_fn, &b);
	sim_run(eng);
	if (slice) {
		g_assert_cmpint(a.done, ==, 19 * MS + 19 * C);
		g_assert_cmpint(b.done, ==, 20 * MS + 20 * C);
		g_assert_cmpuint(counter(eng, "cpu", "preemptions"), ==, 18);
		g_assert_cmpuint(counter(eng, "cpu", "contextSwitches"), ==, 20);
		/* One wait per pickup: A's first is 0, every other one is
		 * a slice plus the switch of the task ahead. */
		g_assert_cmpuint(sim_hist_count(hist(eng, "cpu", "runqueueWait")), ==, 20);
		g_assert_cmpuint(sim_hist_max(hist(eng, "cpu", "runqueueWait")), ==, 1 * MS + C);
	} else {
		g_assert_cmpint(a.done, ==, 10 * MS + C);
		g_assert_cmpint(b.done, ==, 20 * MS + 2 * C);
		g_assert_cmpuint(counter(eng, "cpu", "preemptions"), ==, 0);
		g_assert_cmpuint(counter(eng, "cpu", "contextSwitches"), ==, 2);
	}
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, sim_now(eng));
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, 20 * MS +
			(sim_time_t)counter(eng, "cpu", "contextSwitches") * C);
	g_assert_cmpuint(counter(eng, "cpu", "spins"), ==, 0);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* Alone on its core a task is never preempted: the slice is renewed. */
static void test_preempt_alone(void)
{
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 2, 1 * MS, C, NULL);
	struct worker a = { eng, 10 * MS, 0 }, b = { eng, 7500 * US, 0 };

	spawn_on(eng, cpus, "a", worker_fn, &a);
	spawn_on(eng, cpus, "b", worker_fn, &b);
	sim_run(eng);
	g_assert_cmpint(a.done, ==, 10 * MS + C);
	g_assert_cmpint(b.done, ==, 7500 * US + C);
	g_assert_cmpuint(counter(eng, "cpu", "preemptions"), ==, 0);
	g_assert_cmpint(sim_cpus_busy(cpus, 0) + sim_cpus_busy(cpus, 1), ==,
			17500 * US + 2 * C);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* Three tasks round-robin in FIFO order on one core. */
struct rr {
	struct sim_engine *eng;
	GString *log;
};

static void rr_fn(struct sim_task *t, void *arg)
{
	struct rr *r = arg;

	for (int i = 0; i < 3; i++) {
		g_string_append_printf(r->log, "%s%d@%" G_GINT64_FORMAT " ",
				       sim_task_name(t), i, (gint64)(sim_now(r->eng) / MS));
		cpu_work(t, 1 * MS);
	}
}

static void test_round_robin(void)
{
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 1, 1 * MS, 0, NULL);
	struct rr r = { eng, g_string_new(NULL) };

	spawn_on(eng, cpus, "a", rr_fn, &r);
	spawn_on(eng, cpus, "b", rr_fn, &r);
	spawn_on(eng, cpus, "c", rr_fn, &r);
	sim_run(eng);
	/*
	 * Each cpu_work(1 ms) fills a slice exactly and returns at its end
	 * (code between calls takes no time, so "a1" is logged at 1 ms); the
	 * next cpu_work() finds the slice over with others queued and is
	 * preempted before computing.  FIFO: a b c, then a b c again.
	 */
	g_assert_cmpstr(r.log->str, ==, "a0@0 a1@1 b0@1 b1@2 c0@2 c1@3 a2@4 b2@5 c2@6 ");
	g_assert_cmpint(sim_now(eng), ==, 9 * MS);
	g_assert_cmpuint(counter(eng, "cpu", "preemptions"), ==, 6);
	g_string_free(r.log, TRUE);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* ------------------------------------------------------------------ */
/* Blocking */

struct blockers {
	struct sim_engine *eng;
	struct sim_task *a;
	bool sleep;		/* A sleeps 5 ms instead of waiting for B */
	sim_time_t a_done, b_done;
	int a_cpu_seen_by_b;
};

static void block_a_fn(struct sim_task *t, void *arg)
{
	struct blockers *x = arg;

	cpu_work(t, 1 * MS);
	g_assert_cmpint(sim_task_cpu(t), ==, 0);
	if (x->sleep) {
		sim_sleep(t, 5 * MS);
	} else {
		sim_task_set_blocked_on(t, "test", x);
		sim_block(t);
	}
	g_assert_cmpint(sim_task_cpu(t), ==, 0);
	cpu_work(t, 1 * MS);
	x->a_done = sim_now(x->eng);
}

static void block_b_fn(struct sim_task *t, void *arg)
{
	struct blockers *x = arg;

	x->a_cpu_seen_by_b = sim_task_cpu(x->a);
	cpu_work(t, 2 * MS);
	if (!x->sleep)
		sim_wake(x->a);
	cpu_work(t, 1 * MS);
	x->b_done = sim_now(x->eng);
}

/*
 * One core.  A computes 1 ms and blocks; B, queued behind it, runs at once
 * (after a switch).
 *  - sleep: A sleeps 5 ms off the CPU; B (3 ms) runs from 1 ms + 2C to
 *    4 ms + 2C; the core idles until A's sleep ends at 6 ms + C; A runs
 *    again from 6 ms + 2C.  Busy = 5 ms of work + 3 switches.
 *  - block: B wakes A after 2 ms of work; A waits in the run queue until B
 *    exits at 4 ms + 2C, then runs from 4 ms + 3C.  The core never idles.
 */
static void test_block_frees_core(const void *data)
{
	bool sleep = GPOINTER_TO_INT(data);
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 1, 0, C, NULL);
	struct blockers x = { .eng = eng, .sleep = sleep };
	struct sim_hist *rq = hist(eng, "cpu", "runqueueWait");
	struct sim_hist *wl = hist(eng, "cpu", "wakeupLatency");

	x.a = spawn_on(eng, cpus, "a", block_a_fn, &x);
	spawn_on(eng, cpus, "b", block_b_fn, &x);
	sim_run(eng);
	g_assert_cmpint(x.a_cpu_seen_by_b, ==, -1);
	g_assert_cmpuint(counter(eng, "cpu", "contextSwitches"), ==, 3);
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, 5 * MS + 3 * C);
	g_assert_cmpuint(sim_hist_count(wl), ==, 1);
	g_assert_cmpuint(sim_hist_count(rq), ==, 3);
	if (sleep) {
		g_assert_cmpint(x.b_done, ==, 4 * MS + 2 * C);
		g_assert_cmpint(x.a_done, ==, 7 * MS + 2 * C);
		g_assert_cmpuint(sim_hist_max(wl), ==, C);
		g_assert_cmpuint(sim_hist_max(rq), ==, 1 * MS + C);	/* B's */
	} else {
		g_assert_cmpint(x.b_done, ==, 4 * MS + 2 * C);
		g_assert_cmpint(x.a_done, ==, 5 * MS + 3 * C);
		g_assert_cmpuint(sim_hist_max(wl), ==, 1 * MS + C);
		g_assert_cmpuint(sim_hist_min(rq), ==, 0);		/* A's first */
		g_assert_cmpuint(sim_hist_sum(rq), ==, 1 * MS + C + 1 * MS);
	}
	/* Idle only while A sleeps with B gone: 4 ms + 2C to 6 ms + C. */
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, sleep ? sim_now(eng) - (2 * MS - C)
			: sim_now(eng));

	sim_cpus_finish(cpus);
	g_assert_cmpfloat(scalar(eng, "cpu[0]", "busyTime"), ==, 5 * MS + 3 * C);
	g_assert_cmpfloat(fabs(scalar(eng, "cpu", "utilization") -
			       (5.0 * MS + 3 * C) / (double)sim_now(eng)), <, 1e-12);
	g_assert_cmpfloat(scalar(eng, "cpu[0]", "utilization"), ==,
			  scalar(eng, "cpu", "utilization"));
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* cpu_work() on a task that is not attached only lets time pass. */
static void test_unattached(void)
{
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 1, 1 * MS, C, NULL);
	struct worker a = { eng, 10 * MS, 0 }, b = { eng, 10 * MS, 0 };
	struct sim_task *t = spawn_on(eng, NULL, "a", worker_fn, &a);

	g_assert_cmpint(sim_task_cpu(t), ==, -1);
	spawn_on(eng, NULL, "b", worker_fn, &b);
	sim_run(eng);
	g_assert_cmpint(a.done, ==, 10 * MS);
	g_assert_cmpint(b.done, ==, 10 * MS);
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, 0);
	g_assert_cmpuint(counter(eng, "cpu", "contextSwitches"), ==, 0);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* ------------------------------------------------------------------ */
/* Wake-up latency */

struct waker {
	struct sim_engine *eng;
	struct sim_task *sleeper;
	sim_time_t when;
	int rounds;
	sim_time_t resumed;
};

static void sleeper_fn(struct sim_task *t, void *arg)
{
	struct waker *w = arg;

	for (int i = 0; i < w->rounds; i++) {
		sim_task_set_blocked_on(t, "test", w);
		sim_block(t);
		w->resumed = sim_now(w->eng);
	}
}

/* Unattached: wakes the sleeper every @when ns. */
static void waker_fn(struct sim_task *t, void *arg)
{
	struct waker *w = arg;

	for (int i = 0; i < w->rounds; i++) {
		sim_sleep(t, w->when);
		sim_wake(w->sleeper);
	}
}

/*
 * const(50us) latency, two idle cores: woken at 1 ms, the task runs at
 * 1 ms + 50 us + C.  With its one core busy until 3 ms + 2C (B computes
 * 3 ms after A's first switch), it waits in the run queue from
 * 1 ms + 50 us to then, and runs at 3 ms + 3C.
 */
static void test_wake_latency_const(const void *data)
{
	bool busy = GPOINTER_TO_INT(data);
	struct sim_engine *eng = sim_engine_new(1);
	g_autoptr(sim_dist) lat = sim_dist_new_const(50 * US);
	struct sim_cpus *cpus = cpus_new(eng, busy ? 1 : 2, 0, C, lat);
	struct waker w = { eng, NULL, 1 * MS, 1, 0 };
	struct worker b = { eng, 3 * MS, 0 };
	struct sim_hist *wl = hist(eng, "cpu", "wakeupLatency");
	struct sim_hist *rq = hist(eng, "cpu", "runqueueWait");

	w.sleeper = spawn_on(eng, cpus, "a", sleeper_fn, &w);
	if (busy)
		spawn_on(eng, cpus, "b", worker_fn, &b);
	spawn_on(eng, NULL, "waker", waker_fn, &w);
	sim_run(eng);
	g_assert_cmpuint(sim_hist_count(wl), ==, 1);
	if (busy) {
		g_assert_cmpint(b.done, ==, 3 * MS + 2 * C);
		g_assert_cmpint(w.resumed, ==, 3 * MS + 3 * C);
		g_assert_cmpuint(sim_hist_max(wl), ==, 2 * MS + 3 * C);
		g_assert_cmpuint(sim_hist_max(rq), ==, 3 * MS + 2 * C - 1050 * US);
	} else {
		g_assert_cmpint(w.resumed, ==, 1050 * US + C);
		g_assert_cmpuint(sim_hist_max(wl), ==, 50 * US + C);
		g_assert_cmpuint(sim_hist_max(rq), ==, 0);
	}
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/*
 * exp(50us) latency, no contention, no switch cost: 20 000 wake-ups, so
 * the mean wake-up latency is 50 us with a standard error of
 * 50 / sqrt(20000) = 0.35 us (0.71%); 3% is 4.2 standard errors.  The
 * draws come from stream "cpu": the same seed gives the same sum.
 */
static double run_wake_latency_exp(uint64_t seed)
{
	struct sim_engine *eng = sim_engine_new(seed);
	g_autoptr(sim_dist) lat = sim_dist_new_exp(50 * US);
	struct sim_cpus *cpus = cpus_new(eng, 2, 0, 0, lat);
	struct waker w = { eng, NULL, 1 * MS, 20000, 0 };
	struct sim_hist *wl = hist(eng, "cpu", "wakeupLatency");
	double mean;

	w.sleeper = spawn_on(eng, cpus, "a", sleeper_fn, &w);
	spawn_on(eng, NULL, "waker", waker_fn, &w);
	sim_run(eng);
	g_assert_cmpuint(sim_hist_count(wl), ==, 20000);
	g_assert_cmpuint(sim_hist_max(hist(eng, "cpu", "runqueueWait")), ==, 0);
	mean = sim_hist_mean(wl);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
	return mean;
}

static void test_wake_latency_exp(void)
{
	double m = run_wake_latency_exp(3);

	g_test_message("mean wake-up latency %.3f us", m / US);
	g_assert_cmpfloat(fabs(m / (50 * US) - 1), <, 0.03);
	g_assert_cmpfloat(run_wake_latency_exp(3), ==, m);
	g_assert_cmpfloat(run_wake_latency_exp(4), !=, m);
}

/* ------------------------------------------------------------------ */
/* Spinning */

struct spinner {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	struct sim_task *task;
	sim_time_t max;
	bool resched;		/* call cpu_cond_resched() after the spin */
	bool ret;
	sim_time_t spun_until, done;
};

static void spinner_fn(struct sim_task *t, void *arg)
{
	struct spinner *s = arg;

	s->ret = cpu_spin(t, s->max);
	s->spun_until = sim_now(s->eng);
	if (s->resched)
		cpu_cond_resched(t);
	s->done = sim_now(s->eng);
}

struct observer {
	struct spinner *s;
	sim_time_t at;
	bool wake;
	sim_time_t busy;
	int cpu;
	unsigned int queued;
};

static void observer_fn(struct sim_task *t, void *arg)
{
	struct observer *o = arg;

	sim_sleep(t, o->at);
	o->busy = sim_cpus_busy(o->s->cpus, 0);
	o->cpu = sim_task_cpu(o->s->task);
	o->queued = sim_cpus_nr_queued(o->s->cpus);
	if (o->wake)
		sim_wake(o->s->task);
}

/*
 * One core, no slice.  A spins for at most 1 ms, nobody wakes it: it
 * burns the core (busy 500 us + C at 500 us, B still queued), returns false
 * at 1 ms + C, and B runs after it.
 */
static void test_spin_burns(void)
{
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 1, 0, C, NULL);
	struct spinner s = { eng, cpus, NULL, 1 * MS, false, true, 0, 0 };
	struct worker b = { eng, 1 * MS, 0 };
	struct observer o = { &s, 500 * US, false, 0, 0, 0 };

	s.task = spawn_on(eng, cpus, "spinner", spinner_fn, &s);
	spawn_on(eng, cpus, "b", worker_fn, &b);
	spawn_on(eng, NULL, "observer", observer_fn, &o);
	sim_run(eng);
	g_assert_false(s.ret);
	g_assert_cmpint(s.spun_until, ==, 1 * MS + C);
	g_assert_cmpint(o.busy, ==, 500 * US);
	g_assert_cmpint(o.cpu, ==, 0);
	g_assert_true(sim_cpus_need_resched(cpus) == false);
	g_assert_cmpuint(o.queued, ==, 1);
	g_assert_cmpint(b.done, ==, 2 * MS + 2 * C);
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, 2 * MS + 2 * C);
	g_assert_cmpuint(counter(eng, "cpu", "spins"), ==, 1);
	g_assert_cmpuint(counter(eng, "cpu", "spinNeedResched"), ==, 0);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* Woken at 300 us while spinning: back at once (it kept its core, so no
 * latency and no switch), true. */
static void test_spin_woken(void)
{
	struct sim_engine *eng = sim_engine_new(1);
	g_autoptr(sim_dist) lat = sim_dist_new_const(50 * US);
	struct sim_cpus *cpus = cpus_new(eng, 1, 1 * MS, C, lat);
	struct spinner s = { eng, cpus, NULL, 1 * MS, false, false, 0, 0 };
	struct observer o = { &s, 300 * US, true, 0, 0, 0 };

	s.task = spawn_on(eng, cpus, "spinner", spinner_fn, &s);
	spawn_on(eng, NULL, "observer", observer_fn, &o);
	sim_run(eng);
	g_assert_true(s.ret);
	g_assert_cmpint(s.spun_until, ==, 300 * US);
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, 300 * US);
	g_assert_cmpuint(sim_hist_count(hist(eng, "cpu", "wakeupLatency")), ==, 0);
	g_assert_cmpuint(counter(eng, "cpu", "contextSwitches"), ==, 1);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/*
 * Slice 100 us: with B queued the spin ends at the slice end (C + 100 us),
 * false, with the core still held; cpu_cond_resched() then hands the core
 * to B (50 us) and A comes back after it.  Without B the spinner renews its
 * slice and spins its whole 1 ms.
 */
static void test_spin_need_resched(const void *data)
{
	bool queued = GPOINTER_TO_INT(data);
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 1, 100 * US, C, NULL);
	struct spinner s = { eng, cpus, NULL, 1 * MS, true, true, 0, 0 };
	struct worker b = { eng, 50 * US, 0 };

	s.task = spawn_on(eng, cpus, "spinner", spinner_fn, &s);
	if (queued)
		spawn_on(eng, cpus, "b", worker_fn, &b);
	sim_run(eng);
	g_assert_false(s.ret);
	if (queued) {
		g_assert_cmpint(s.spun_until, ==, 100 * US + C);
		g_assert_cmpint(b.done, ==, 150 * US + 2 * C);
		g_assert_cmpint(s.done, ==, 150 * US + 3 * C);
		g_assert_cmpuint(counter(eng, "cpu", "spinNeedResched"), ==, 1);
		g_assert_cmpuint(counter(eng, "cpu", "preemptions"), ==, 1);
	} else {
		g_assert_cmpint(s.spun_until, ==, 1 * MS + C);
		g_assert_cmpint(s.done, ==, 1 * MS + C);
		g_assert_cmpuint(counter(eng, "cpu", "spinNeedResched"), ==, 0);
		g_assert_cmpuint(counter(eng, "cpu", "preemptions"), ==, 0);
	}
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* A task that is not attached "spins" as sim_block_timeout(). */
static void test_spin_unattached(void)
{
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 1, 0, C, NULL);
	struct spinner s1 = { eng, cpus, NULL, 1 * MS, false, true, 0, 0 };
	struct spinner s2 = { eng, cpus, NULL, 1 * MS, false, false, 0, 0 };
	struct observer o = { &s2, 200 * US, true, 0, 0, 0 };

	s1.task = spawn_on(eng, NULL, "s1", spinner_fn, &s1);
	s2.task = spawn_on(eng, NULL, "s2", spinner_fn, &s2);
	spawn_on(eng, NULL, "observer", observer_fn, &o);
	sim_run(eng);
	g_assert_false(s1.ret);
	g_assert_cmpint(s1.spun_until, ==, 1 * MS);
	g_assert_true(s2.ret);
	g_assert_cmpint(s2.spun_until, ==, 200 * US);
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, 0);
	g_assert_cmpuint(counter(eng, "cpu", "spins"), ==, 0);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* ------------------------------------------------------------------ */
/* Choice of core */

struct affinity {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	sim_time_t sleep, work;
	int cpu_before, cpu_after;
};

static void affinity_fn(struct sim_task *t, void *arg)
{
	struct affinity *a = arg;

	a->cpu_before = sim_task_cpu(t);
	sim_sleep(t, a->sleep);
	a->cpu_after = sim_task_cpu(t);
	cpu_work(t, a->work);
}

static void late_fn(struct sim_task *t, void *arg)
{
	struct affinity *c = arg;

	sim_sleep(t, c->sleep);
	sim_cpus_attach(c->cpus, sim_task_spawn(c->eng, "c", affinity_fn, c + 1));
}

/*
 * Two cores, no switch cost.  A takes core 0 and B core 1 (lowest idle).
 * Both sleep; B wakes first with both cores idle and goes back to its core
 * 1.  C, new at 600 us, takes the lowest idle core, 0, and keeps it until
 * 3.6 ms.  A wakes at 1 ms with both busy; B frees core 1 at 2.5 ms and A,
 * the run-queue head, takes it although it last ran on core 0.
 */
static void test_core_choice(void)
{
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 2, 0, 0, NULL);
	struct affinity a = { eng, cpus, 1 * MS, 1 * MS, 0, 0 };
	struct affinity b = { eng, cpus, 500 * US, 2 * MS, 0, 0 };
	struct affinity c[2] = { { eng, cpus, 600 * US, 0, 0, 0 },
				 { eng, cpus, 0, 3 * MS, 0, 0 } };

	spawn_on(eng, cpus, "a", affinity_fn, &a);
	spawn_on(eng, cpus, "b", affinity_fn, &b);
	spawn_on(eng, NULL, "spawner", late_fn, c);
	sim_run(eng);
	g_assert_cmpint(a.cpu_before, ==, 0);
	g_assert_cmpint(b.cpu_before, ==, 1);
	g_assert_cmpint(b.cpu_after, ==, 1);
	g_assert_cmpint(c[1].cpu_before, ==, 0);
	g_assert_cmpint(c[1].cpu_after, ==, 0);
	g_assert_cmpint(a.cpu_after, ==, 1);
	g_assert_cmpint(sim_now(eng), ==, 3600 * US);
	g_assert_cmpint(sim_cpus_busy(cpus, 0), ==, 3 * MS);
	g_assert_cmpint(sim_cpus_busy(cpus, 1), ==, 3 * MS);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* ------------------------------------------------------------------ */
/* Affinity */

static void test_cpulist(void)
{
	static const struct { const char *list; unsigned int nr; uint64_t mask; unsigned int set; }
	good[] = {
		{ "0", 4, 0x1, 1 }, { "1,3", 4, 0xa, 2 }, { "0-3", 4, 0xf, 4 },
		{ "all", 3, 0x7, 3 }, { "N", 8, 0x80, 1 }, { "2-N", 4, 0xc, 2 },
		{ "0-7:2/4", 8, 0x33, 4 }, { "0-3,8", 16, 0x10f, 5 }, { " 1 , 2 ", 4, 0x6, 2 },
		{ "3,3,1-3", 4, 0xe, 3 },
	};
	static const struct { const char *list; unsigned int nr; int code; } bad[] = {
		{ "", 4, SIM_ERROR_RANGE }, { "4", 4, SIM_ERROR_RANGE }, { "0-4", 4, SIM_ERROR_RANGE },
		{ "x", 4, SIM_ERROR_PARSE }, { "1-", 4, SIM_ERROR_PARSE }, { "3-1", 4, SIM_ERROR_PARSE },
		{ "0-3:3/2", 4, SIM_ERROR_PARSE }, { "0-3:0/2", 4, SIM_ERROR_PARSE },
		{ "1,,2", 4, SIM_ERROR_PARSE }, { "1;2", 4, SIM_ERROR_PARSE },
		{ "99999999999999999999999", 4, SIM_ERROR_RANGE }, { "all,1", 4, SIM_ERROR_PARSE },
	};
	GError *error = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		unsigned int set = 0;
		g_autofree uint64_t *m = sim_cpulist_parse(good[i].list, good[i].nr, &set, &error);

		g_assert_no_error(error);
		g_assert_cmphex(m[0], ==, good[i].mask);
		g_assert_cmpuint(set, ==, good[i].set);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_null(sim_cpulist_parse(bad[i].list, bad[i].nr, NULL, &error));
		g_assert_error(error, SIM_ERROR, bad[i].code);
		g_clear_error(&error);
	}
	/* Beyond a word: CPU 100 of 128. */
	{
		g_autofree uint64_t *m = sim_cpulist_parse("100", 128, NULL, &error);

		g_assert_no_error(error);
		g_assert_cmphex(m[0], ==, 0);
		g_assert_cmphex(m[1], ==, UINT64_C(1) << 36);
	}
}

/* A task that computes and sleeps at random, checking after each step
 * that the core it holds is one of its mask. */
struct pinned {
	uint64_t mask;			/* 0: unpinned */
	int steps;
	uint64_t seen;			/* cores it ran on */
};

static void pinned_fn(struct sim_task *t, void *arg)
{
	struct pinned *p = arg;
	gsl_rng *r = sim_rng(sim_task_engine(t), "test");

	for (int i = 0; i < p->steps; i++) {
		int cpu;

		cpu_work(t, (sim_time_t)(gsl_rng_uniform(r) * 3 * MS));
		cpu = sim_task_cpu(t);
		g_assert_cmpint(cpu, >=, 0);
		p->seen |= UINT64_C(1) << cpu;
		if (p->mask)
			g_assert_true(p->mask & (UINT64_C(1) << cpu));
		if (gsl_rng_uniform(r) < 0.3)
			sim_sleep(t, (sim_time_t)(gsl_rng_uniform(r) * 2 * MS));
	}
}

/*
 * Twelve tasks on four cores with a 1 ms slice: four pinned to core 0,
 * two to cores 2-3, six unpinned.  A pinned task runs only on its cores
 * (checked at every step), the unpinned ones on all of them, and core 0,
 * whose four tasks nobody else may help, stays busy to the end.
 */
static void test_affinity_mask(void)
{
	struct sim_engine *eng = sim_engine_new(7);
	struct sim_cpus *cpus = cpus_new(eng, 4, 1 * MS, C, NULL);
	struct pinned p[12];
	uint64_t any = 0;

	for (int i = 0; i < 12; i++) {
		struct sim_task *t = sim_task_spawn(eng, "p", pinned_fn, &p[i]);

		p[i] = (struct pinned){ .mask = i < 4 ? 0x1 : i < 6 ? 0xc : 0, .steps = 200 };
		sim_cpus_attach_mask(cpus, t, p[i].mask ? &p[i].mask : NULL);
	}
	sim_run(eng);
	for (int i = 0; i < 12; i++) {
		if (p[i].mask)
			g_assert_cmphex(p[i].seen & ~p[i].mask, ==, 0);
		else
			any |= p[i].seen;
	}
	g_assert_cmphex(p[0].seen, ==, 0x1);
	g_assert_cmphex(any, ==, 0xf);
	sim_cpus_finish(cpus);
	/* Core 0 ran four tasks' work alone: the last to finish. */
	g_assert_cmpfloat(scalar(eng, "cpu[0]", "utilization"), >, 0.99);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

struct burner {
	sim_time_t work;
	sim_time_t done;
};

static void burner_fn(struct sim_task *t, void *arg)
{
	struct burner *b = arg;

	cpu_work(t, b->work);
	b->done = sim_now(sim_task_engine(t));
}

/*
 * Two tasks of 10 ms of work on four cores with a 1 ms slice.  Unpinned,
 * or pinned to two cores: both finish at 10 ms + C.  Both pinned to core
 * 1: they share it, round-robin, and finish after twice the time (20 ms
 * and the switches).  A pinned task waiting for its busy core does not
 * hold up a task behind it that may run elsewhere: a third, unpinned one
 * queued after them runs on an idle core at once.  Every core in the mask
 * is no mask at all: the same times as unpinned.
 */
static void test_affinity_share(gconstpointer data)
{
	int how = GPOINTER_TO_INT(data);	/* 0 none, 1 spread, 2 one core, 3 all */
	struct sim_engine *eng = sim_engine_new(1);
	struct sim_cpus *cpus = cpus_new(eng, 4, 1 * MS, C, NULL);
	struct burner b[3] = { { 10 * MS, 0 }, { 10 * MS, 0 }, { 1 * MS, 0 } };
	uint64_t masks[4][2] = { { 0, 0 }, { 0x2, 0x4 }, { 0x2, 0x2 }, { 0xf, 0xf } };

	for (int i = 0; i < 3; i++) {
		struct sim_task *t = sim_task_spawn(eng, "b", burner_fn, &b[i]);

		sim_cpus_attach_mask(cpus, t, i < 2 && masks[how][i] ? &masks[how][i] : NULL);
	}
	sim_run(eng);
	g_assert_cmpint(b[2].done, ==, 1 * MS + C);
	if (how != 2) {
		g_assert_cmpint(b[0].done, ==, 10 * MS + C);
		g_assert_cmpint(b[1].done, ==, 10 * MS + C);
	} else {
		/* 20 slices of 1 ms on one core, a switch before each */
		g_assert_cmpint(MAX(b[0].done, b[1].done), ==, 20 * MS + 20 * C);
		g_assert_cmpint(sim_cpus_busy(cpus, 1), ==, 20 * MS + 20 * C);
		g_assert_cmpint(sim_cpus_busy(cpus, 0) + sim_cpus_busy(cpus, 2) +
				sim_cpus_busy(cpus, 3), ==, 1 * MS + C);
	}
	sim_engine_free(eng);
	sim_cpus_free(cpus);
}

/* ------------------------------------------------------------------ */
/* Determinism */

struct pinger {
	struct pinger *other;
	struct sim_task *task;
	bool waiting;		/* in cpu_spin() or sim_block_timeout() below */
};

/*
 * Two attached tasks that compute, wake each other and wait for each other
 * by spinning, then sleeping.  A task is woken only while it waits and is
 * blocked (never while preempted in cpu_work(), nor once its timeout has
 * fired and it waits for a core).
 */
static void pinger_fn(struct sim_task *t, void *arg)
{
	struct pinger *p = arg;
	gsl_rng *r = sim_rng(sim_task_engine(t), "test");

	for (int i = 0; i < 300; i++) {
		cpu_work(t, (sim_time_t)(gsl_rng_uniform(r) * 200 * US));
		/* A waiter whose timeout has fired stays "waiting" until a
		 * core runs it, but is no longer BLOCKED: sim_wake() would be
		 * wrong then. */
		if (p->other->waiting &&
		    sim_task_state(p->other->task) == SIM_TASK_BLOCKED) {
			p->other->waiting = false;
			sim_wake(p->other->task);
		}
		p->waiting = true;
		if (!cpu_spin(t, 20 * US))
			sim_block_timeout(t, 300 * US);
		p->waiting = false;
	}
}

static uint64_t run_mixed(uint64_t seed, double *mean_resp, uint64_t *switches)
{
	struct sim_engine *eng = sim_engine_new(seed);
	g_autoptr(sim_dist) lat = sim_dist_new_exp(5 * US);
	g_autoptr(sim_dist) ia = sim_dist_new_exp(70 * US);
	g_autoptr(sim_dist) svc = sim_dist_new_exp(100 * US);
	struct sim_cpus *cpus = cpus_new(eng, 2, 50 * US, 1 * US, lat);
	struct sim_cpu_load *load = sim_cpu_load_start(eng, cpus, ia, svc, 20000);
	struct pinger p[2] = { { &p[1], NULL, false }, { &p[0], NULL, false } };
	uint64_t fp;

	p[0].task = spawn_on(eng, cpus, "ping", pinger_fn, &p[0]);
	p[1].task = spawn_on(eng, cpus, "pong", pinger_fn, &p[1]);
	sim_run(eng);
	fp = sim_fingerprint(eng);
	*mean_resp = sim_hist_mean(hist(eng, "cpu_load", "responseTime"));
	*switches = counter(eng, "cpu", "contextSwitches");
	g_assert_cmpuint(counter(eng, "cpu_load", "completions"), ==, 20000);
	g_assert_cmpuint(counter(eng, "cpu", "preemptions"), >, 0);
	g_assert_cmpuint(counter(eng, "cpu", "spins"), ==, 600);
	g_assert_cmpuint(sim_engine_nr_tasks(eng), ==, 0);
	sim_cpu_load_free(load);
	sim_engine_free(eng);
	sim_cpus_free(cpus);
	return fp;
}

static void test_determinism(void)
{
	double m1, m2, m3;
	uint64_t s1, s2, s3;
	uint64_t f1 = run_mixed(11, &m1, &s1);
	uint64_t f2 = run_mixed(11, &m2, &s2);
	uint64_t f3 = run_mixed(12, &m3, &s3);

	g_assert_cmpuint(f1, ==, f2);
	g_assert_cmpfloat(m1, ==, m2);
	g_assert_cmpuint(s1, ==, s2);
	g_assert_cmpuint(f1, !=, f3);
	g_assert_cmpfloat(m1, !=, m3);
}

/* ------------------------------------------------------------------ */

static const struct mm_case mm_cases[] = {
	{ 1, 0.5, 500000, 0.025 },
	{ 1, 0.8, 2000000, 0.03 },
	{ 2, 0.5, 500000, 0.025 },
	{ 2, 0.8, 2000000, 0.03 },
	{ 4, 0.5, 500000, 0.025 },
	{ 4, 0.8, 2000000, 0.03 },
};

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/cpu/params", test_params);
	for (size_t i = 0; i < G_N_ELEMENTS(mm_cases); i++) {
		g_autofree char *path = g_strdup_printf("/sim/cpu/queueing/mm%u-rho%.1f",
							mm_cases[i].c, mm_cases[i].rho);

		g_test_add_data_func(path, &mm_cases[i], test_mmc);
	}
	g_test_add_func("/sim/cpu/queueing/load-drains", test_load_drains);
	g_test_add_data_func("/sim/cpu/preempt/slice", GINT_TO_POINTER(1), test_preempt);
	g_test_add_data_func("/sim/cpu/preempt/no-slice", GINT_TO_POINTER(0), test_preempt);
	g_test_add_func("/sim/cpu/preempt/alone", test_preempt_alone);
	g_test_add_func("/sim/cpu/preempt/round-robin", test_round_robin);
	g_test_add_data_func("/sim/cpu/block/sleep-frees-core", GINT_TO_POINTER(1),
			     test_block_frees_core);
	g_test_add_data_func("/sim/cpu/block/wait-frees-core", GINT_TO_POINTER(0),
			     test_block_frees_core);
	g_test_add_func("/sim/cpu/unattached-work", test_unattached);
	g_test_add_data_func("/sim/cpu/wake-latency/const-idle", GINT_TO_POINTER(0),
			     test_wake_latency_const);
	g_test_add_data_func("/sim/cpu/wake-latency/const-busy", GINT_TO_POINTER(1),
			     test_wake_latency_const);
	g_test_add_func("/sim/cpu/wake-latency/exp", test_wake_latency_exp);
	g_test_add_func("/sim/cpu/spin/burns-core", test_spin_burns);
	g_test_add_func("/sim/cpu/spin/woken", test_spin_woken);
	g_test_add_data_func("/sim/cpu/spin/need-resched", GINT_TO_POINTER(1),
			     test_spin_need_resched);
	g_test_add_data_func("/sim/cpu/spin/alone", GINT_TO_POINTER(0),
			     test_spin_need_resched);
	g_test_add_func("/sim/cpu/spin/unattached", test_spin_unattached);
	g_test_add_func("/sim/cpu/core-choice", test_core_choice);
	g_test_add_func("/sim/cpu/affinity/cpulist", test_cpulist);
	g_test_add_func("/sim/cpu/affinity/mask", test_affinity_mask);
	g_test_add_data_func("/sim/cpu/affinity/share/none", GINT_TO_POINTER(0),
			     test_affinity_share);
	g_test_add_data_func("/sim/cpu/affinity/share/spread", GINT_TO_POINTER(1),
			     test_affinity_share);
	g_test_add_data_func("/sim/cpu/affinity/share/one-core", GINT_TO_POINTER(2),
			     test_affinity_share);
	g_test_add_data_func("/sim/cpu/affinity/share/all-cores", GINT_TO_POINTER(3),
			     test_affinity_share);
	g_test_add_func("/sim/cpu/determinism", test_determinism);
	return g_test_run();
}
