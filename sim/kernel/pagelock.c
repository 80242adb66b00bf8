/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page lock and page-bit waits; see pagelock.h for the semantics.
 * What the policies decide (include/faultsim/page-lock.h) is asked here:
 * want_handoff() each time an exclusive waiter queues, shared_woken()
 * when a woken shared waiter runs.
 *
 * A waiter is a struct wait_page_queue on its task's stack, queued in the
 * hashed queue of its page.  Its life:
 *
 *	repeat:  decide whether this queueing asks for a handoff (the
 *	         policy's want_handoff()); set PG_waiters; try the bit once
 *	         more; if that fails, queue at the tail and sleep
 *	woken:   the wake function has dequeued the entry.  A shared waiter
 *	         is done if the policy's shared_woken() says so, else back to
 *	         repeat.  An exclusive waiter is done if the waker handed it
 *	         the lock (@done); otherwise it tries the bit, and on failure
 *	         counts a loss and goes back to repeat (at the tail).
 *
 * Ordering rules: the bit is always cleared before the wake-up walk, and a
 * handoff sets it inside the walk, so no newcomer can slip in between a
 * handoff and the waiter's return.  PG_waiters is cleared by the waker when
 * no entry for the page is left in its queue (more precise than the
 * kernel's page_match heuristic, which is only an optimisation there; the
 * model spends no simulated time on the walk either way).
 *
 * Costs: queueing is O(1); a wake-up walks its queue up to the first
 * exclusive waiter of the page, then scans the rest of the queue for a
 * remaining waiter of the page (PG_waiters): O(queue length).
 */
#include "config.h"

#include "sim/core/stats.h"
#include "sim/kernel/lockstat.h"
#include "sim/kernel/pagelock.h"
#include "sim/core/trace.h"

gboolean page_lock_policy_check(const struct fs_page_lock_policy *ops, GError **error)
{
	const char *missing;

	if (!ops) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED, "page lock policy: no ops table");
		return FALSE;
	}
	missing = !ops->want_handoff ? "want_handoff" : !ops->shared_woken ? "shared_woken" : NULL;
	if (missing) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "page_lock policy '%s': %s is required",
			    ops->name ? ops->name : "(null)", missing);
		return FALSE;
	}
	return TRUE;
}

void page_wait_table_init(struct page_wait_table *tbl, struct sim_engine *eng,
			  const struct fs_page_lock_policy *ops, unsigned int unfairness)
{
	struct sim_stats *st = sim_engine_stats(eng);
	g_autoptr(GError) error = NULL;

	if (!page_lock_policy_check(ops, &error))
		g_error("page_wait_table_init: %s", error->message);
	g_assert(unfairness <= PAGE_LOCK_UNFAIRNESS_MAX);
	tbl->eng = eng;
	tbl->trace = sim_engine_trace(eng);
	if (tbl->trace)
		tbl->trace_holds = sim_trace_track(tbl->trace, SIM_TRACE_DEVICE, 0, "page_lock");
	tbl->ops = ops;
	tbl->unfairness = unfairness;
	for (unsigned int i = 0; i < PAGE_WAIT_TABLE_SIZE; i++)
		sim_waitqueue_init(&tbl->queue[i]);
#define COUNTER(name, unit, what) sim_stats_counter_unit(st, "page_lock", name, unit, what)
#define HIST(name, unit, what) sim_stats_hist_unit(st, "page_lock", name, unit, what)
	tbl->contentions = COUNTER("contentions", "acquisitions",
				   "lock_page() calls that found the page locked (slow path)");
	tbl->handoffs = COUNTER("handoffs", "acquisitions",
				"locks handed by the unlocker to a waiter");
	tbl->steals = COUNTER("steals", "races",
			      "woken lock_page() waiters that found the lock taken again");
	tbl->wait_time = HIST("waitTime", "ns", "lock_page() slow path: entry to holding the lock");
	tbl->shared_wait_time = HIST("sharedWaitTime", "ns",
				     "waits for PG_locked or PG_writeback to clear");
	tbl->losses = HIST("lossesPerAcquire", "races",
			   "races one lock_page() waiter lost before it got the lock");
	tbl->acquisitions = COUNTER("acquisitions", "acquisitions",
				    "page locks taken (trylock, lock_page, a new page for its read)");
	tbl->hold_time = HIST("holdTime", "ns", "page lock held, acquisition to unlock_page()");
#undef COUNTER
#undef HIST
	tbl->holds = lock_holds_new();
}

void page_wait_table_destroy(struct page_wait_table *tbl)
{
	lock_holds_free(tbl->holds);
	tbl->holds = NULL;
}

void page_lock_acquired(struct page *page)
{
	struct page_wait_table *tbl = page_wait_table(page);

	(*tbl->acquisitions)++;
	lock_holds_start(tbl->holds, page, NULL, sim_now(tbl->eng));
}

/* The hold of @page in @tbl ends now: its time into holdTime. */
static inline void page_hold_end(struct page_wait_table *tbl, struct page *page)
{
	sim_time_t held = lock_holds_end(tbl->holds, page, NULL, sim_now(tbl->eng));

	/* Most holds end at the time they started (fault-around trylocks
	 * and unlocks each page of its window in one step): a 0 only
	 * counts. */
	if (held == 0)
		sim_hist_record_zero(tbl->hold_time);
	else if (held > 0)
		sim_hist_record(tbl->hold_time, (uint64_t)held);
	if (G_UNLIKELY(tbl->trace) && held >= 0)
		sim_trace_slice(tbl->trace, tbl->trace_holds, "lock", "page_lock",
				sim_now(tbl->eng) - held, sim_now(tbl->eng), NULL, 0);
}

void page_lock_released(struct page *page)
{
	page_hold_end(page_wait_table(page), page);
}

/* One waiter, as the kernel's struct wait_page_queue. */
struct wait_page_queue {
	struct sim_wait_entry wait;
	struct page *page;
	int bit_nr;
	bool handoff;		/* WQ_FLAG_CUSTOM: the waker takes the bit for us */
	bool done;		/* WQ_FLAG_DONE: we own the bit */
};

/* The key of a wake-up walk. */
struct wait_page_key {
	struct page_wait_table *tbl;
	struct page *page;
	int bit_nr;
};

static int wake_page_function(struct sim_wait_entry *we, void *arg)
{
	struct wait_page_queue *wait = container_of(we, struct wait_page_queue, wait);
	struct wait_page_key *key = arg;

	if (wait->page != key->page || wait->bit_nr != key->bit_nr)
		return 0;		/* another page hashed here: walk past */
	if (we->flags & WQ_FLAG_EXCLUSIVE) {
		/* Taken again (a handoff earlier in this walk): stop. */
		if (test_page_bit(key->page, key->bit_nr))
			return -1;
		if (wait->handoff) {
			set_page_bit(key->page, key->bit_nr);
			wait->done = true;
			(*key->tbl->handoffs)++;
		}
	}
	list_del_init(&we->entry);
	we->flags |= WQ_FLAG_WOKEN;
	sim_wake(we->task);
	return 1;
}

static bool page_has_waiters_in(struct sim_waitqueue *q, const struct page *page)
{
	struct sim_wait_entry *we;

	list_for_each_entry(we, &q->head, entry) {
		if (we->func == wake_page_function &&
		    container_of(we, struct wait_page_queue, wait)->page == page)
			return true;
	}
	return false;
}

/* wake_up_page() of a page with waiters, whose wait table is @tbl. */
static void wake_up_page_waiters(struct page_wait_table *tbl, struct page *page, int bit_nr)
{
	struct sim_waitqueue *q = page_waitqueue(page);
	struct wait_page_key key = { tbl, page, bit_nr };

	sim_wake_up(q, 1, &key);
	if (!page_has_waiters_in(q, page))
		ClearPageWaiters(page);
}

void wake_up_page(struct page *page, int bit_nr)
{
	if (PageWaiters(page))
		wake_up_page_waiters(page_wait_table(page), page, bit_nr);
}

/* page_lock_released(), the bit cleared and wake_up_page() in one: one
 * look-up of the wait table, and no call for a page nobody waits on. */
void unlock_page(struct page *page)
{
	struct page_wait_table *tbl;

	g_assert(PageLocked(page));
	tbl = page_wait_table(page);
	page_hold_end(tbl, page);
	ClearPageLocked(page);
	if (PageWaiters(page))
		wake_up_page_waiters(tbl, page, PG_locked);
}

/* Under the (notional) queue lock: try for the bit before queueing. */
static bool trylock_page_bit(struct page *page, int bit_nr, bool exclusive)
{
	if (exclusive)
		return !test_and_set_page_bit(page, bit_nr);
	return !test_page_bit(page, bit_nr);
}

static void wait_on_page_bit_common(struct sim_task *t, struct page *page,
				    int bit_nr, bool exclusive)
{
	struct page_wait_table *tbl = page_wait_table(page);
	struct sim_waitqueue *q = page_waitqueue(page);
	struct sim_engine *eng = tbl->eng;
	sim_time_t start = sim_now(eng);
	unsigned int losses = 0;
	struct wait_page_queue wait;

	g_assert(t == sim_current(eng));
	g_assert(page_count(page) > 0);
	sim_wait_entry_init(&wait.wait, t, exclusive ? WQ_FLAG_EXCLUSIVE : 0);
	wait.wait.func = wake_page_function;
	wait.page = page;
	wait.bit_nr = bit_nr;

	for (;;) {
		wait.wait.flags = exclusive ? WQ_FLAG_EXCLUSIVE : 0;
		wait.done = false;
		wait.handoff = exclusive && tbl->ops->want_handoff(losses, tbl->unfairness);

		if (trylock_page_bit(page, bit_nr, exclusive))
			break;
		SetPageWaiters(page);
		sim_add_wait_queue(q, &wait.wait);
		sim_task_set_blocked_on(t, bit_nr == PG_locked ?
					(exclusive ? "page lock" : "page unlock") :
					"page writeback", page);
		sim_block(t);
		g_assert(wait.wait.flags & WQ_FLAG_WOKEN);
		g_assert(!sim_wait_entry_queued(&wait.wait));

		if (!exclusive) {
			if (tbl->ops->shared_woken(test_page_bit(page, bit_nr)))
				break;
			continue;	/* before 5.9: set again, wait again */
		}
		if (wait.done || !test_and_set_page_bit(page, bit_nr))
			break;
		/* Someone took it between our wake-up and now. */
		losses++;
		(*tbl->steals)++;
	}

	if (exclusive) {
		g_assert(test_page_bit(page, bit_nr));
		page_lock_acquired(page);
		sim_hist_record(tbl->wait_time, (uint64_t)(sim_now(eng) - start));
		sim_hist_record(tbl->losses, losses);
	} else {
		sim_hist_record(tbl->shared_wait_time, (uint64_t)(sim_now(eng) - start));
	}
	if (G_UNLIKELY(tbl->trace))
		sim_trace_task_slice(tbl->trace, t, "lock",
				     exclusive ? "page_lock wait" : "page bit wait", start,
				     sim_now(eng), NULL, 0);
}

void __lock_page(struct sim_task *t, struct page *page)
{
	(*page_wait_table(page)->contentions)++;
	wait_on_page_bit_common(t, page, PG_locked, true);
}

void wait_on_page_bit(struct sim_task *t, struct page *page, int bit_nr)
{
	if (!test_page_bit(page, bit_nr))
		return;
	wait_on_page_bit_common(t, page, bit_nr, false);
}
