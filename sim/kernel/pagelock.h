/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page lock (PG_locked) and waits on page bits, after mm/filemap.c.
 *
 * Waits hash into a table of PAGE_WAIT_TABLE_SIZE wait queues per page
 * cache, as the kernel's page_wait_table: one queue holds waiters for many
 * pages, and a wake-up for page P, bit B walks the queue with a wake
 * function that wakes only the entries waiting for (P, B) — the others are
 * walked past, never woken.
 *
 * Three kinds of wait:
 *	exclusive   lock_page(): sleep until the bit is clear, then take it
 *	shared      wait_on_page_locked(), wait_on_page_writeback(): sleep
 *	            until the bit is clear; do not take it
 * A wake-up (unlock_page(), end_page_writeback()) clears the bit first,
 * then walks the queue from the head: it wakes every shared waiter of
 * (P, B) it meets and stops after the first exclusive one; it also stops
 * at an exclusive waiter if the bit has been taken again meanwhile.
 *
 * What a woken exclusive waiter finds depends on the policy (one
 * implementation, struct page_lock_policy, filled from an ops table of the
 * page_lock slot; the built-in ones are policies/page-lock-*.c):
 *
 *	steal          (before 5.9) the waker only wakes it; when the waiter
 *	               runs it tries the bit, and if someone took the lock in
 *	               between (a newcomer's trylock fast path, another woken
 *	               waiter) it queues again at the tail: stealing is
 *	               unbounded.
 *	fair           (5.9, 2a9127fcf229 "mm: rewrite
 *	               wait_on_page_bit_common() logic", Linus Torvalds,
 *	               2020) the waker takes the bit on the waiter's behalf:
 *	               ownership passes at unlock and the lock sits idle
 *	               until the waiter actually runs (its wake-up latency
 *	               through the CPU model).
 *	bounded-steal  (5.9 final, 5ef64cc8987a "mm: allow a controlled amount
 *	               of unfairness in the page lock", Linus Torvalds, Sep
 *	               2020) as steal, but each queueing spends one unit of a
 *	               budget (vm.page_lock_unfairness, default 5); once it is
 *	               spent the waiter queues asking for a handoff, as fair.
 *	               So a waiter loses at most "budget" times.
 *
 * Shared waiters: since 5.9 a woken shared waiter returns at once (the bit
 * was clear when it was woken), even if the lock was taken again before
 * it ran; before 5.9 (policy steal) it checked the bit again and went back
 * to sleep, at the tail, if it was set.
 *
 * Measurements (module "page_lock"): histograms "waitTime" (exclusive
 * waits, slow path entry to acquisition, ns), "sharedWaitTime" (ns) and
 * "lossesPerAcquire" (races lost by one exclusive waiter before it got the
 * lock); counters "contentions" (lock_page() slow paths), "handoffs"
 * (locks handed to a waiter by its waker) and "steals" (a woken exclusive
 * waiter found the lock taken again when it ran).
 *
 * Callers must hold a reference on the page they wait on.  The waits block
 * the calling simulated task; trylock_page() and unlock_page() never block
 * and may be called from event handlers (an I/O completion).
 */
#ifndef FAULTSIM_SIM_PAGELOCK_H
#define FAULTSIM_SIM_PAGELOCK_H

#include <stdbool.h>
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/kernel/page.h"
#include "sim/core/task.h"
#include "sim/core/waitqueue.h"

#define PAGE_WAIT_TABLE_BITS	8
#define PAGE_WAIT_TABLE_SIZE	(1u << PAGE_WAIT_TABLE_BITS)

/* vm.page_lock_unfairness: the default bounded-steal budget. */
#define PAGE_LOCK_UNFAIRNESS_DEFAULT	5
/* policy.unfairness for "steal": a waiter never asks for a handoff. */
#define PAGE_LOCK_NO_HANDOFF	(-1)
/* The largest accepted budget. */
#define PAGE_LOCK_UNFAIRNESS_MAX	1000000

/*
 * A page lock policy.  @unfairness is how many times a waiter may queue
 * without asking for a handoff: 0 is fair, N bounded-steal, and
 * PAGE_LOCK_NO_HANDOFF steal.  @shared_recheck: a woken shared waiter
 * checks the bit again and waits again if it is set (before 5.9; since
 * then it returns once woken).
 */
struct page_lock_policy {
	const char *name;		/* "steal", "fair", "bounded-steal" */
	int unfairness;
	bool shared_recheck;
};

struct fs_page_lock_policy;		/* include/faultsim/plugin.h */

/* Fill @policy from the ops table @ops (a policy of the page_lock slot)
 * and the scenario's @budget; SIM_ERROR_RANGE if the resulting
 * unfairness is out of range. */
gboolean page_lock_policy_init_ops(struct page_lock_policy *policy,
				   const struct fs_page_lock_policy *ops,
				   unsigned int budget, GError **error);
/* The same for the built-in policy @name ("steal", "fair",
 * "bounded-steal": policies/page-lock-*.c); @budget is the bounded-steal
 * budget (ignored by the others).  A SIM_ERROR_UNKNOWN or SIM_ERROR_RANGE
 * error on bad input. */
gboolean page_lock_policy_init(struct page_lock_policy *policy, const char *name,
			       unsigned int budget, GError **error);
/* The accepted policy names, NULL-terminated. */
const char *const *page_lock_policy_names(void);

/* The wait table of one page cache, and the page lock's measurements. */
struct page_wait_table {
	struct sim_engine *eng;
	struct page_lock_policy policy;
	struct sim_waitqueue queue[PAGE_WAIT_TABLE_SIZE];
	uint64_t *contentions, *handoffs, *steals;
	struct sim_hist *wait_time, *shared_wait_time, *losses;
};

/* Set up @tbl (empty queues, measurements looked up in @eng's registry). */
void page_wait_table_init(struct page_wait_table *tbl, struct sim_engine *eng,
			  const struct page_lock_policy *policy);

/* Take the page lock if it is free; never blocks.  (TestSetPageLocked(),
 * spelled out: an FS_INLINE body may not call a static function.) */
FS_INLINE bool trylock_page(struct page *page)
{
	if (page->flags & (1u << PG_locked))
		return false;
	page->flags |= 1u << PG_locked;
	return true;
}

/* The slow path of lock_page(): queue and sleep until the lock is ours. */
void __lock_page(struct sim_task *t, struct page *page);

/* Take the page lock, sleeping while another task holds it. */
FS_INLINE void lock_page(struct sim_task *t, struct page *page)
{
	if (!trylock_page(page))
		__lock_page(t, page);
}

/* unlock_page(page), in faultsim/mm.h: release the page lock and wake (or
 * hand the lock to) its waiters. */

/* Sleep until @bit_nr of @page is clear (a shared wait); returns at once if
 * it is clear already. */
void wait_on_page_bit(struct sim_task *t, struct page *page, int bit_nr);

/* Wait for the page lock to be released, without taking it. */
FS_INLINE void wait_on_page_locked(struct sim_task *t, struct page *page)
{
	wait_on_page_bit(t, page, PG_locked);
}

/* Wait for writeback of @page to complete. */
FS_INLINE void wait_on_page_writeback(struct sim_task *t, struct page *page)
{
	wait_on_page_bit(t, page, PG_writeback);
}

/* Wake the waiters of (@page, @bit_nr) after the bit was cleared. */
void wake_up_page(struct page *page, int bit_nr);

#endif /* FAULTSIM_SIM_PAGELOCK_H */
