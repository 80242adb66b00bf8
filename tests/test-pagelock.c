/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page lock tests: the three policies (steal, fair, bounded-steal) against
 * a holder that re-takes the lock at once and against a random stream of
 * newcomers; FIFO handoff and the idle handed-over lock under fair; shared
 * waits (lock and writeback) that wake together and take nothing; waiters
 * of different pages in one hashed queue; what each built-in policy
 * decides, and incomplete tables and budgets refused; lock_stat's open
 * holds (struct lock_holds) against a plain list.
 *
 * Wake-up latency: there is no CPU model here, so tests that need a woken
 * task to run later than its waker attach it to a tiny scheduler that
 * resumes it a fixed time after each wake-up (sim_sched_ops).
 */
#include "config.h"

#include <gsl/gsl_randist.h>

#include "policies/builtin.h"
#include "sim/core/engine.h"
#include "sim/kernel/lockstat.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/pagelock.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"

#define US ((sim_time_t)NSEC_PER_USEC)

/* ------------------------------------------------------------------ */
/* Harness */

struct lt {
	struct sim_engine *eng;
	struct page_cache *pc;
	struct address_space *mapping;
	struct page *pages[8];
	GString *log;
	/* the latency scheduler */
	sim_time_t latency;
	const struct sim_sched_ops *sched_ops;
};

static void latency_run(struct sim_engine *eng, void *data)
{
	sim_task_run(data);
}

static void latency_wakeup(struct sim_task *t, void *sched)
{
	struct lt *lt = sched;

	sim_schedule(lt->eng, lt->latency, latency_run, t);
}

static void latency_release(struct sim_task *t, void *sched)
{
}

static const struct sim_sched_ops latency_ops = {
	.wakeup = latency_wakeup,
	.release = latency_release,
};

/* The built-in page lock policy called @name. */
static const struct fs_page_lock_policy *builtin(const char *name)
{
	for (unsigned int i = 0; fs_builtin_page_lock_policies[i]; i++)
		if (strcmp(fs_builtin_page_lock_policies[i]->name, name) == 0)
			return fs_builtin_page_lock_policies[i];
	g_error("no built-in page lock policy %s", name);
}

/* An engine (invariant checks on), a page cache with the built-in
 * @policy, and 8 cached, unlocked pages we hold a reference on. */
static void lt_init(struct lt *lt, const char *policy, unsigned int budget,
		    sim_time_t latency)
{
	struct pc_params p;
	g_autoptr(GError) error = NULL;

	lt->eng = sim_engine_new(42);
	sim_engine_set_checks(lt->eng, true);
	pc_params_init(&p);
	p.nr_pages = 8192;
	p.page_lock_ops = builtin(policy);
	p.page_lock_unfairness = budget;
	p.kswapd = false;
	lt->pc = pc_new(lt->eng, &p, &error);
	g_assert_no_error(error);
	lt->mapping = pc_mapping_new(lt->pc, "file", 8192, 0, &error);
	g_assert_no_error(error);
	for (unsigned int i = 0; i < G_N_ELEMENTS(lt->pages); i++) {
		g_assert_cmpint(add_to_page_cache_lru(NULL, lt->mapping, i, PC_GFP_NOWAIT,
						      &lt->pages[i]), ==, 0);
		unlock_page(lt->pages[i]);
	}
	lt->log = g_string_new(NULL);
	lt->latency = latency;
	lt->sched_ops = &latency_ops;
}

static void lt_destroy(struct lt *lt)
{
	pc_free(lt->pc);
	sim_engine_free(lt->eng);
	g_string_free(lt->log, TRUE);
}

static struct sim_task *lt_spawn(struct lt *lt, const char *name, sim_task_fn *fn,
				 void *arg, bool slow_wakeup)
{
	struct sim_task *t = sim_task_spawn(lt->eng, name, fn, arg);

	if (slow_wakeup)
		sim_task_set_sched(t, lt->sched_ops, lt);
	return t;
}

static uint64_t counter(struct lt *lt, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(lt->eng), "page_lock", name);
}

static struct sim_hist *hist(struct lt *lt, const char *name)
{
	return sim_stats_hist(sim_engine_stats(lt->eng), "page_lock", name);
}

/* A task that sleeps without leaving its "CPU", so that the latency
 * scheduler delays only its wake-ups, not the end of its sleeps. */
static void hold(struct sim_task *t, sim_time_t ns)
{
	sim_sleep_oncpu(t, ns);
}

/* ------------------------------------------------------------------ */
/* A holder that re-takes the lock at once, and one waiter */

#define RELOCKS 20
#define HOLD (10 * US)

struct relock_case {
	const char *policy;
	unsigned int budget;
	unsigned int expect_losses;	/* of the waiter */
	uint64_t expect_handoffs;
};

static void relocker_fn(struct sim_task *t, void *arg)
{
	struct lt *lt = arg;
	struct page *page = lt->pages[0];

	lock_page(t, page);
	for (int i = 0; i < RELOCKS; i++) {
		hold(t, HOLD);
		unlock_page(page);
		/* The woken waiter has not run yet: try at once. */
		lock_page(t, page);
	}
	hold(t, HOLD);
	unlock_page(page);
}

static void relock_victim_fn(struct sim_task *t, void *arg)
{
	struct lt *lt = arg;

	sim_sleep(t, 5 * US);
	lock_page(t, lt->pages[0]);
	g_string_append_printf(lt->log, "%" G_GINT64_FORMAT, sim_now(lt->eng) / US);
	hold(t, HOLD);
	unlock_page(lt->pages[0]);
}

/*
 * steal: every unlock is followed by the holder's own trylock before the
 * woken waiter runs, so the waiter loses all RELOCKS times and gets the
 * lock only when the holder stops (at (RELOCKS + 1) * HOLD).
 * fair: the first unlock hands the lock over: no loss, acquired at HOLD.
 * bounded-steal N: N losses, then the (N + 1)th unlock hands it over.
 */
static void test_relock(gconstpointer data)
{
	const struct relock_case *c = data;
	struct lt lt;
	struct sim_hist *losses;

	lt_init(&lt, c->policy, c->budget, 0);
	lt_spawn(&lt, "holder", relocker_fn, &lt, false);
	lt_spawn(&lt, "victim", relock_victim_fn, &lt, false);
	sim_run(lt.eng);

	losses = hist(&lt, "lossesPerAcquire");
	g_assert_cmpuint(sim_hist_max(losses), ==, c->expect_losses);
	g_assert_cmpuint(counter(&lt, "steals"), ==, c->expect_losses);
	g_assert_cmpuint(counter(&lt, "handoffs"), ==, c->expect_handoffs);
	{
		g_autofree char *when = g_strdup_printf("%" G_GINT64_FORMAT,
							(sim_time_t)(c->expect_losses + 1) * HOLD / US);

		g_assert_cmpstr(lt.log->str, ==, when);
	}
	g_assert_false(PageLocked(lt.pages[0]));
	g_assert_false(PageWaiters(lt.pages[0]));
	g_assert_true(pc_check(lt.pc));
	lt_destroy(&lt);
}

static const struct relock_case relock_steal = { "steal", 0, RELOCKS, 0 };
/* fair: the victim is handed the lock, then the holder, which queued
 * behind it, is handed it back. */
static const struct relock_case relock_fair = { "fair", 0, 0, 2 };
static const struct relock_case relock_bounded5 = { "bounded-steal", 5, 5, 1 };
static const struct relock_case relock_bounded2 = { "bounded-steal", 2, 2, 1 };

/* ------------------------------------------------------------------ */
/* FIFO handoff, and the lock idle while handed to a sleeping task */

struct fifo_waiter {
	struct lt *lt;
	char name[8];
	sim_time_t arrive;
};

static void fifo_holder_fn(struct sim_task *t, void *arg)
{
	struct lt *lt = arg;
	struct page *page = lt->pages[0];

	lock_page(t, page);
	hold(t, 100 * US);
	unlock_page(page);
	lock_page(t, page);		/* at once, before any waiter ran */
	g_string_append(lt->log, "H ");
	hold(t, HOLD);
	unlock_page(page);
}

static void fifo_waiter_fn(struct sim_task *t, void *arg)
{
	struct fifo_waiter *w = arg;
	struct page *page = w->lt->pages[0];

	sim_sleep_oncpu(t, w->arrive);
	lock_page(t, page);
	g_string_append_printf(w->lt->log, "%s ", w->name);
	hold(t, HOLD);
	unlock_page(page);
}

struct probe {
	struct lt *lt;
	bool got;
};

/* At 102 us, while W1 (woken at 100 us, latency 5 us) has not run. */
static void fifo_probe_fn(struct sim_task *t, void *arg)
{
	struct probe *pr = arg;
	struct page *page = pr->lt->pages[0];

	sim_sleep(t, 102 * US);
	pr->got = trylock_page(page);
	if (pr->got) {
		g_string_append(pr->lt->log, "P ");
		unlock_page(page);
	}
}

static void run_fifo(struct lt *lt, struct probe *pr)
{
	struct fifo_waiter w[5];

	pr->lt = lt;
	pr->got = false;
	lt_spawn(lt, "holder", fifo_holder_fn, lt, false);
	for (int i = 0; i < 5; i++) {
		w[i].lt = lt;
		g_snprintf(w[i].name, sizeof(w[i].name), "W%d", i + 1);
		w[i].arrive = (i + 1) * 10 * US;
		lt_spawn(lt, w[i].name, fifo_waiter_fn, &w[i], true);
	}
	lt_spawn(lt, "probe", fifo_probe_fn, pr, false);
	sim_run(lt->eng);
	g_assert_true(pc_check(lt->pc));
}

/*
 * fair: the waiters get the lock in arrival order and the holder, which
 * asked again right after unlocking, comes last; a trylock while the lock
 * is handed to a waiter not yet running fails (the lock sits idle).
 */
static void test_fair_fifo(void)
{
	struct lt lt;
	struct probe pr;

	lt_init(&lt, "fair", 0, 5 * US);
	run_fifo(&lt, &pr);
	g_assert_cmpstr(lt.log->str, ==, "W1 W2 W3 W4 W5 H ");
	g_assert_false(pr.got);
	g_assert_cmpuint(sim_hist_max(hist(&lt, "lossesPerAcquire")), ==, 0);
	g_assert_cmpuint(counter(&lt, "steals"), ==, 0);
	/* Each waiter is handed the lock: 5 waiters and the holder. */
	g_assert_cmpuint(counter(&lt, "handoffs"), ==, 6);
	/* W1 waited from 10 us to 105 us (100 us unlock + 5 us latency). */
	g_assert_cmpuint(sim_hist_max(hist(&lt, "waitTime")), >=, 95 * US);
	lt_destroy(&lt);
}

/*
 * steal, same scenario: the holder re-takes the lock before W1 runs; W1
 * loses and queues again at the tail, behind W2..W5, which then get the
 * lock in order, each with no newcomer to race.
 */
static void test_steal_no_fifo(void)
{
	struct lt lt;
	struct probe pr;

	lt_init(&lt, "steal", 0, 5 * US);
	run_fifo(&lt, &pr);
	g_assert_cmpstr(lt.log->str, ==, "H W2 W3 W4 W5 W1 ");
	g_assert_false(pr.got);		/* the holder has it again */
	g_assert_cmpuint(counter(&lt, "handoffs"), ==, 0);
	g_assert_cmpuint(counter(&lt, "steals"), ==, 1);
	g_assert_cmpuint(sim_hist_max(hist(&lt, "lossesPerAcquire")), ==, 1);
	lt_destroy(&lt);
}

/* ------------------------------------------------------------------ */
/* A random stream of newcomers and slow-waking waiters */

struct stream {
	struct lt *lt;
	double rate_per_us;		/* newcomer arrivals */
	sim_time_t until;
	int nr_victims;
};

static void newcomer_fn(struct sim_task *t, void *arg)
{
	struct lt *lt = arg;

	lock_page(t, lt->pages[0]);
	sim_sleep(t, 2 * US);
	unlock_page(lt->pages[0]);
}

static void arrivals_fn(struct sim_task *t, void *arg)
{
	struct stream *s = arg;
	gsl_rng *r = sim_rng(s->lt->eng, "arrivals");

	for (;;) {
		sim_time_t gap = (sim_time_t)(gsl_ran_exponential(r, 1.0 / s->rate_per_us) * US) + 1;

		if (sim_now(s->lt->eng) + gap >= s->until)
			break;
		sim_sleep(t, gap);
		sim_task_spawn(s->lt->eng, "newcomer", newcomer_fn, s->lt);
	}
}

static void victim_fn(struct sim_task *t, void *arg)
{
	struct lt *lt = arg;

	lock_page(t, lt->pages[0]);
	hold(t, 2 * US);
	unlock_page(lt->pages[0]);
}

static void victims_fn(struct sim_task *t, void *arg)
{
	struct stream *s = arg;

	for (int i = 0; i < s->nr_victims; i++) {
		sim_sleep(t, 50 * US);
		lt_spawn(s->lt, "victim", victim_fn, s->lt, true);
	}
}

struct stream_result {
	uint64_t max_losses;
	uint64_t max_wait;
	uint64_t steals;
};

static struct stream_result run_stream(const char *policy, double rate_per_us)
{
	struct lt lt;
	struct stream s;
	struct stream_result res;

	/* Victims wake 5 us after their waker; newcomers at once. */
	lt_init(&lt, policy, PAGE_LOCK_UNFAIRNESS_DEFAULT, 5 * US);
	s = (struct stream){ &lt, rate_per_us, 2000 * US, 30 };
	sim_task_spawn(lt.eng, "arrivals", arrivals_fn, &s);
	sim_task_spawn(lt.eng, "victims", victims_fn, &s);
	sim_run(lt.eng);
	g_assert_false(PageLocked(lt.pages[0]));
	g_assert_true(pc_check(lt.pc));
	res.max_losses = sim_hist_max(hist(&lt, "lossesPerAcquire"));
	res.max_wait = sim_hist_max(hist(&lt, "waitTime"));
	res.steals = counter(&lt, "steals");
	lt_destroy(&lt);
	return res;
}

/*
 * Newcomers hold the lock 2 us and arrive at 0.02, 0.1 and 0.4 per us
 * (lock busy 4%, 20%, 80% of the time from them alone).  A victim loses
 * whenever a newcomer (or a waiter woken at once) takes the lock in the
 * 5 us between its wake-up and its run, which gets more likely as the
 * load grows: under steal, the worst victim's losses and wait grow with
 * the load; the lightest load is set so that a victim rarely loses.  The
 * seed is fixed, and the comparison is between loads 20 times apart, far
 * beyond the run-to-run noise of 30 victims.  Under fair no acquisition
 * ever loses; under bounded-steal none loses more than its budget of 5.
 */
static void test_steal_grows_with_load(void)
{
	static const double rates[] = { 0.02, 0.1, 0.4 };
	struct stream_result res[G_N_ELEMENTS(rates)];

	for (size_t i = 0; i < G_N_ELEMENTS(rates); i++) {
		res[i] = run_stream("steal", rates[i]);
		if (g_test_verbose())
			g_test_message("steal rate %.2f/us: max losses %" G_GUINT64_FORMAT
				       ", max wait %" G_GUINT64_FORMAT " ns, steals %"
				       G_GUINT64_FORMAT, rates[i], res[i].max_losses,
				       res[i].max_wait, res[i].steals);
	}
	g_assert_cmpuint(res[0].max_losses, <, res[2].max_losses);
	g_assert_cmpuint(res[0].max_losses, <=, res[1].max_losses);
	g_assert_cmpuint(res[1].max_losses, <=, res[2].max_losses);
	g_assert_cmpuint(res[0].max_wait, <, res[2].max_wait);
	g_assert_cmpuint(res[0].steals, <, res[2].steals);
	/* Well beyond the bounded-steal budget at the top load. */
	g_assert_cmpuint(res[2].max_losses, >, PAGE_LOCK_UNFAIRNESS_DEFAULT);

	for (size_t i = 0; i < G_N_ELEMENTS(rates); i++) {
		struct stream_result fair = run_stream("fair", rates[i]);
		struct stream_result bounded = run_stream("bounded-steal", rates[i]);

		g_assert_cmpuint(fair.max_losses, ==, 0);
		g_assert_cmpuint(fair.steals, ==, 0);
		g_assert_cmpuint(bounded.max_losses, <=, PAGE_LOCK_UNFAIRNESS_DEFAULT);
	}
}

/* ------------------------------------------------------------------ */
/* Shared waiters */

struct shared_waiter {
	struct lt *lt;
	int bit;
	sim_time_t woke;
};

static void shared_waiter_fn(struct sim_task *t, void *arg)
{
	struct shared_waiter *w = arg;

	if (w->bit == PG_locked)
		wait_on_page_locked(t, w->lt->pages[0]);
	else
		wait_on_page_writeback(t, w->lt->pages[0]);
	w->woke = sim_now(w->lt->eng);
	g_assert_false(test_page_bit(w->lt->pages[0], w->bit));
}

static void shared_holder_fn(struct sim_task *t, void *arg)
{
	struct lt *lt = arg;

	lock_page(t, lt->pages[0]);
	sim_sleep(t, 100 * US);
	unlock_page(lt->pages[0]);
}

/* Every shared waiter is woken by the one unlock, and none takes the lock:
 * the page is unlocked afterwards. */
static void test_shared_lock_waiters(void)
{
	struct lt lt;
	struct shared_waiter w[3];

	lt_init(&lt, "fair", 0, 0);
	sim_task_spawn(lt.eng, "holder", shared_holder_fn, &lt);
	for (int i = 0; i < 3; i++) {
		w[i] = (struct shared_waiter){ &lt, PG_locked, -1 };
		sim_task_spawn(lt.eng, "shared", shared_waiter_fn, &w[i]);
	}
	sim_run(lt.eng);
	for (int i = 0; i < 3; i++)
		g_assert_cmpint(w[i].woke, ==, 100 * US);
	g_assert_false(PageLocked(lt.pages[0]));
	g_assert_false(PageWaiters(lt.pages[0]));
	g_assert_cmpuint(sim_hist_count(hist(&lt, "sharedWaitTime")), ==, 3);
	g_assert_cmpuint(sim_hist_count(hist(&lt, "waitTime")), ==, 0);
	g_assert_cmpuint(counter(&lt, "handoffs"), ==, 0);
	g_assert_cmpuint(counter(&lt, "contentions"), ==, 0);
	lt_destroy(&lt);
}

/*
 * A holder that unlocks and re-locks at once, and one shared waiter: the
 * unlock wakes the waiter, which runs only after the holder has the lock
 * again.  Since 5.9 (fair, bounded-steal) it returns anyway, at the first
 * unlock (HOLD); before 5.9 (steal) it waits again each time and returns
 * only after the last unlock ((RELOCKS + 1) * HOLD).
 */
static void shared_relock_waiter_fn(struct sim_task *t, void *arg)
{
	struct shared_waiter *w = arg;

	sim_sleep(t, 5 * US);
	wait_on_page_locked(t, w->lt->pages[0]);
	w->woke = sim_now(w->lt->eng);
}

static void test_shared_recheck(void)
{
	static const struct {
		const char *policy;
		sim_time_t woke;
	} cases[] = {
		{ "steal", (RELOCKS + 1) * HOLD },
		{ "fair", HOLD },
		{ "bounded-steal", HOLD },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct lt lt;
		struct shared_waiter w;

		lt_init(&lt, cases[i].policy, PAGE_LOCK_UNFAIRNESS_DEFAULT, 0);
		w = (struct shared_waiter){ &lt, PG_locked, -1 };
		lt_spawn(&lt, "holder", relocker_fn, &lt, false);
		lt_spawn(&lt, "shared", shared_relock_waiter_fn, &w, false);
		sim_run(lt.eng);
		g_assert_cmpint(w.woke, ==, cases[i].woke);
		g_assert_cmpuint(counter(&lt, "steals"), ==, 0);
		g_assert_false(PageWaiters(lt.pages[0]));
		lt_destroy(&lt);
	}
}

static void end_writeback_event(struct sim_engine *eng, void *data)
{
	end_page_writeback(data);
}

/* wait_on_page_writeback: all waiters woken by end_page_writeback (from an
 * I/O completion event), the page lock untouched. */
static void test_shared_writeback_waiters(void)
{
	struct lt lt;
	struct shared_waiter w[2];

	lt_init(&lt, "bounded-steal", 5, 0);
	set_page_writeback(lt.pages[0]);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct shared_waiter){ &lt, PG_writeback, -1 };
		sim_task_spawn(lt.eng, "wb-waiter", shared_waiter_fn, &w[i]);
	}
	sim_schedule(lt.eng, 70 * US, end_writeback_event, lt.pages[0]);
	sim_run(lt.eng);
	for (int i = 0; i < 2; i++)
		g_assert_cmpint(w[i].woke, ==, 70 * US);
	g_assert_false(PageWriteback(lt.pages[0]));
	g_assert_false(PageLocked(lt.pages[0]));
	g_assert_cmpuint(pc_nr_writeback(lt.pc), ==, 0);
	lt_destroy(&lt);
}

/* ------------------------------------------------------------------ */
/* Two pages in one hashed queue */

struct hash_test {
	struct lt lt;
	struct page *a, *b;
	sim_time_t a_locked, b_woke;
};

static void hash_holder_fn(struct sim_task *t, void *arg)
{
	struct hash_test *h = arg;

	lock_page(t, h->a);
	lock_page(t, h->b);
	sim_sleep(t, 100 * US);
	unlock_page(h->b);
	/* A's waiter was walked past, not woken. */
	g_assert_true(PageLocked(h->a));
	g_assert_true(PageWaiters(h->a));
	g_assert_false(PageWaiters(h->b));
	sim_sleep(t, 100 * US);
	g_assert_cmpint(h->a_locked, <, 0);
	unlock_page(h->a);
}

static void hash_waiter_a_fn(struct sim_task *t, void *arg)
{
	struct hash_test *h = arg;

	sim_sleep(t, 1 * US);
	lock_page(t, h->a);
	h->a_locked = sim_now(h->lt.eng);
	unlock_page(h->a);
}

static void hash_waiter_b_fn(struct sim_task *t, void *arg)
{
	struct hash_test *h = arg;

	sim_sleep(t, 2 * US);		/* queued behind A's exclusive waiter */
	wait_on_page_locked(t, h->b);
	h->b_woke = sim_now(h->lt.eng);
}

static void test_hash_collision(void)
{
	struct hash_test h = { .a_locked = -1, .b_woke = -1 };
	struct page *b = NULL;

	lt_init(&h.lt, "steal", 0, 0);
	h.a = h.lt.pages[0];
	/* Find a page of the file that shares A's queue. */
	for (pgoff_t i = 8; i < 8192 && !b; i++) {
		struct page *p;

		g_assert_cmpint(add_to_page_cache_lru(NULL, h.lt.mapping, i, PC_GFP_NOWAIT,
						      &p), ==, 0);
		unlock_page(p);
		if (page_waitqueue(p) == page_waitqueue(h.a))
			b = p;
		else
			put_page(p);
	}
	g_assert_nonnull(b);
	h.b = b;
	sim_task_spawn(h.lt.eng, "holder", hash_holder_fn, &h);
	sim_task_spawn(h.lt.eng, "waiter-a", hash_waiter_a_fn, &h);
	sim_task_spawn(h.lt.eng, "waiter-b", hash_waiter_b_fn, &h);
	sim_run(h.lt.eng);
	g_assert_cmpint(h.b_woke, ==, 100 * US);
	g_assert_cmpint(h.a_locked, ==, 200 * US);
	g_assert_false(PageWaiters(h.a));
	put_page(b);
	g_assert_true(pc_check(h.lt.pc));
	lt_destroy(&h.lt);
}

/* ------------------------------------------------------------------ */
/* Trylock and policy names */

static void test_trylock(void)
{
	struct lt lt;
	struct page *page;

	lt_init(&lt, "steal", 0, 0);
	page = lt.pages[1];
	g_assert_true(trylock_page(page));
	g_assert_false(trylock_page(page));
	g_assert_true(PageLocked(page));
	unlock_page(page);
	g_assert_false(PageLocked(page));
	g_assert_true(trylock_page(page));
	unlock_page(page);
	lt_destroy(&lt);
}

static bool no_handoff(unsigned int lost, unsigned int unfairness)
{
	return false;
}

/* What each built-in policy decides; what the mechanism refuses. */
static void test_policies(void)
{
	const struct fs_page_lock_policy no_shared = {
		.version = FS_PAGE_LOCK_POLICY_VERSION, .name = "half", .want_handoff = no_handoff,
	};
	GError *error = NULL;

	g_assert_true(fs_builtin_page_lock_policies[0] == &fs_page_lock_steal);
	g_assert_true(fs_builtin_page_lock_policies[1] == &fs_page_lock_fair);
	g_assert_true(fs_builtin_page_lock_policies[2] == &fs_page_lock_bounded_steal);
	g_assert_null(fs_builtin_page_lock_policies[3]);
	for (unsigned int i = 0; i < 3; i++)
		g_assert_true(page_lock_policy_check(fs_builtin_page_lock_policies[i], NULL));

	/* steal: never asks for the lock; a woken shared waiter looks again. */
	g_assert_false(fs_page_lock_steal.want_handoff(0, 5));
	g_assert_false(fs_page_lock_steal.want_handoff(1000, 5));
	g_assert_false(fs_page_lock_steal.shared_woken(true));
	g_assert_true(fs_page_lock_steal.shared_woken(false));
	/* fair: always asks; shared waiters are done once woken. */
	g_assert_true(fs_page_lock_fair.want_handoff(0, 5));
	g_assert_true(fs_page_lock_fair.shared_woken(true));
	/* bounded-steal: asks after @unfairness losses. */
	g_assert_false(fs_page_lock_bounded_steal.want_handoff(6, 7));
	g_assert_true(fs_page_lock_bounded_steal.want_handoff(7, 7));
	g_assert_true(fs_page_lock_bounded_steal.want_handoff(0, 0));
	g_assert_true(fs_page_lock_bounded_steal.shared_woken(true));

	g_assert_false(page_lock_policy_check(&no_shared, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "'half'"));
	g_assert_nonnull(strstr(error->message, "shared_woken"));
	g_clear_error(&error);

	{
		g_autoptr(sim_engine) eng = sim_engine_new(1);
		struct pc_params params;

		pc_params_init(&params);
		params.page_lock_ops = &fs_page_lock_bounded_steal;
		params.page_lock_unfairness = PAGE_LOCK_UNFAIRNESS_MAX + 1;
		g_assert_null(pc_new(eng, &params, &error));
		g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
		g_clear_error(&error);
	}
}

/* ------------------------------------------------------------------ */
/* lock_stat's open holds */

/*
 * Random starts and ends of holds by up to 600 holders at once (the table
 * grows to 2048 slots and sees long runs to shift back), each a page-like
 * pointer 40 bytes from the next (struct page was 40 bytes when this was
 * written; any stride will do), alone or paired with one of 4 others
 * (a VMA lock's task): every end returns what a plain list of (holder,
 * since) says, -1 for a holder with no hold, and the count follows.
 */
static void test_lock_holds(void)
{
	enum { HOLDERS = 1000, STEPS = 200000 };
	static char arena[HOLDERS * 40];
	static const char others[4];
	struct lock_holds *h = lock_holds_new();
	sim_time_t since[HOLDERS][G_N_ELEMENTS(others) + 1];
	unsigned int open = 0, max_open = 0;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	for (unsigned int i = 0; i < HOLDERS; i++)
		for (unsigned int k = 0; k <= G_N_ELEMENTS(others); k++)
			since[i][k] = -1;
	gsl_rng_set(r, 20);
	for (sim_time_t now = 0; now < STEPS; now++) {
		unsigned int i = (unsigned int)gsl_rng_uniform_int(r, HOLDERS);
		unsigned int k = (unsigned int)gsl_rng_uniform_int(r, G_N_ELEMENTS(others) + 1);
		const void *a = &arena[40 * i], *b = k ? &others[k - 1] : NULL;
		/* Start more than end while fewer than ~600 are open. */
		bool start = gsl_rng_uniform(r) < (open < 600 ? 0.7 : 0.3);

		if (start && since[i][k] < 0) {
			lock_holds_start(h, a, b, now);
			since[i][k] = now;
			open++;
		} else {
			sim_time_t held = lock_holds_end(h, a, b, now + 3);

			g_assert_cmpint(held, ==, since[i][k] < 0 ? -1 : now + 3 - since[i][k]);
			if (since[i][k] >= 0)
				open--;
			since[i][k] = -1;
		}
		g_assert_cmpuint(lock_holds_count(h), ==, open);
		max_open = MAX(max_open, open);
	}
	g_assert_cmpuint(max_open, >, 512);
	gsl_rng_free(r);
	lock_holds_free(h);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/sim/pagelock/relock/steal-unbounded", &relock_steal, test_relock);
	g_test_add_data_func("/sim/pagelock/relock/fair-handoff", &relock_fair, test_relock);
	g_test_add_data_func("/sim/pagelock/relock/bounded-steal-5", &relock_bounded5, test_relock);
	g_test_add_data_func("/sim/pagelock/relock/bounded-steal-2", &relock_bounded2, test_relock);
	g_test_add_func("/sim/pagelock/fair/fifo-and-idle-handoff", test_fair_fifo);
	g_test_add_func("/sim/pagelock/steal/holder-relocks-first", test_steal_no_fifo);
	g_test_add_func("/sim/pagelock/steal/losses-grow-with-load", test_steal_grows_with_load);
	g_test_add_func("/sim/pagelock/shared/unlock-wakes-all", test_shared_lock_waiters);
	g_test_add_func("/sim/pagelock/shared/writeback", test_shared_writeback_waiters);
	g_test_add_func("/sim/pagelock/shared/recheck-before-5.9", test_shared_recheck);
	g_test_add_func("/sim/pagelock/hash/other-page-not-woken", test_hash_collision);
	g_test_add_func("/sim/pagelock/trylock", test_trylock);
	g_test_add_func("/sim/pagelock/policies", test_policies);
	g_test_add_func("/sim/lockstat/holds", test_lock_holds);
	return g_test_run();
}
