/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * page_lock bounded-steal: 5.9 as released, and every kernel since.
 *
 * Thread it models: "mm: allow a controlled amount of unfairness in the
 * page lock", Linus Torvalds, September 2020 (5ef64cc8987a), the answer
 * to the regressions of the strictly fair 2a9127fcf229.
 *
 * What it does: a woken exclusive waiter that loses the race re-queues at
 * the tail, as before 5.9, but each queueing spends one unit of a budget
 * (vm.page_lock_unfairness, default 5: the scenario's
 * policy.page_lock_budget); once it is spent the waiter queues asking for
 * a handoff, as "fair".  So a waiter loses at most "budget" times.  A
 * woken shared waiter returns at once.
 */
#include "config.h"

#include "policies/builtin.h"

/*
 * "if (--unfairness < 0) wait->flags |= WQ_FLAG_CUSTOM;" at each repeat:
 * after @unfairness lost races, ask for the lock.
 */
static bool page_lock_bounded_steal_want_handoff(unsigned int lost, unsigned int unfairness)
{
	return lost >= unfairness;
}

/* "If we were non-exclusive, we're done." */
static bool page_lock_bounded_steal_shared_woken(bool bit_set)
{
	return true;
}

const struct fs_page_lock_policy fs_page_lock_bounded_steal = {
	.version = FS_PAGE_LOCK_POLICY_VERSION,
	.name = "bounded-steal",
	.summary = "5.9 final (5ef64cc8987a): after policy.page_lock_budget lost races "
		   "the lock is handed over",
	.thread = "\"mm: allow a controlled amount of unfairness in the page lock\", "
		  "Linus Torvalds, Sep 2020, 5ef64cc8987a",
	.want_handoff = page_lock_bounded_steal_want_handoff,
	.shared_woken = page_lock_bounded_steal_shared_woken,
};
