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
 * What a woken exclusive waiter finds depends on the policy (struct
 * fs_page_lock_policy, include/faultsim/page-lock.h; the built-in ones
 * are policies/page-lock-*.c): each time it queues, the policy says
 * whether it asks for a handoff.  If it did, the waker sets the bit on its
 * behalf inside the wake-up walk, and ownership passes at unlock: the lock
 * sits idle until the waiter actually runs (its wake-up latency through
 * the CPU model).  If not, the waker only wakes it; when it runs it tries
 * the bit, and if someone took the lock in between (a newcomer's trylock
 * fast path, another woken waiter) it has lost, and queues again at the
 * tail.  steal (before 5.9) never asks, fair (2a9127fcf229) always asks,
 * bounded-steal (5ef64cc8987a) asks once it has lost
 * vm.page_lock_unfairness times.
 *
 * Shared waiters: the policy says whether a woken shared waiter that finds
 * the bit set again is done: since 5.9 it is (the bit was clear when it
 * was woken); before 5.9 (steal) it went back to sleep, at the tail.
 *
 * Measurements (module "page_lock"): histograms "waitTime" (exclusive
 * waits, slow path entry to acquisition, ns), "sharedWaitTime" (ns) and
 * "lossesPerAcquire" (races lost by one exclusive waiter before it got the
 * lock); counters "contentions" (lock_page() slow paths), "handoffs"
 * (locks handed to a waiter by its waker) and "steals" (a woken exclusive
 * waiter found the lock taken again when it ran); for lock_stat
 * (sim/kernel/lockstat.h), counter "acquisitions" (every time PG_locked
 * is set: trylock_page(), lock_page(), a new page locked for its read) and
 * histogram "holdTime" (until unlock_page()).  The page lock has no cache
 * line in the model: no bounces.
 *
 * Callers must hold a reference on the page they wait on.  The waits block
 * the calling simulated task; trylock_page() and unlock_page() never block
 * and may be called from event handlers (an I/O completion).
 */
#ifndef FAULTSIM_SIM_PAGELOCK_H
#define FAULTSIM_SIM_PAGELOCK_H

#include <stdbool.h>
#include "faultsim/page-lock.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/kernel/page.h"
#include "sim/core/task.h"
#include "sim/core/waitqueue.h"

#define PAGE_WAIT_TABLE_BITS	8
#define PAGE_WAIT_TABLE_SIZE	(1u << PAGE_WAIT_TABLE_BITS)

/* vm.page_lock_unfairness: its default, and the largest accepted. */
#define PAGE_LOCK_UNFAIRNESS_DEFAULT	5
#define PAGE_LOCK_UNFAIRNESS_MAX	1000000

/* Whether @ops is a complete page lock policy; otherwise an error naming
 * the policy and the missing operation. */
gboolean page_lock_policy_check(const struct fs_page_lock_policy *ops, GError **error);

/* The wait table of one page cache, and the page lock's measurements. */
struct page_wait_table {
	struct sim_engine *eng;
	const struct fs_page_lock_policy *ops;
	unsigned int unfairness;	/* vm.page_lock_unfairness */
	struct sim_waitqueue queue[PAGE_WAIT_TABLE_SIZE];
	uint64_t *contentions, *handoffs, *steals;
	struct sim_hist *wait_time, *shared_wait_time, *losses;
	/* lock_stat (sim/kernel/lockstat.h): acquisitions and, per page
	 * locked now, since when. */
	uint64_t *acquisitions;
	struct sim_hist *hold_time;
	struct lock_holds *holds;
	/* Tracing (sim/core/trace.h): the sink or NULL; the track of the
	 * holds, which a completion may end with no task running. */
	struct sim_trace *trace;
	unsigned int trace_holds;
};

/* Set up @tbl (empty queues, measurements looked up in @eng's registry)
 * for the policy @ops (a complete one, asserted; kept by pointer) with
 * vm.page_lock_unfairness = @unfairness (<= PAGE_LOCK_UNFAIRNESS_MAX). */
void page_wait_table_init(struct page_wait_table *tbl, struct sim_engine *eng,
			  const struct fs_page_lock_policy *ops, unsigned int unfairness);
/* Free what page_wait_table_init() allocated. */
void page_wait_table_destroy(struct page_wait_table *tbl);

/* For lock_stat: PG_locked of @page was just set for a holder (a task, or
 * the I/O a new page is locked for), or is about to be cleared. */
void page_lock_acquired(struct page *page);
void page_lock_released(struct page *page);

/* Provided by the page cache that holds the page (sim/kernel/pagecache.c):
 * its wait table, and the queue that @page hashes to (a hash of the
 * address space and index). */
struct page_wait_table *page_wait_table(const struct page *page);
struct sim_waitqueue *page_waitqueue(const struct page *page);

/* Take the page lock if it is free; never blocks.  (TestSetPageLocked(),
 * spelled out: an FS_INLINE body may not call a static function.) */
FS_INLINE bool trylock_page(struct page *page)
{
	if (page->flags & (1u << PG_locked))
		return false;
	page->flags |= 1u << PG_locked;
	page_lock_acquired(page);
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
