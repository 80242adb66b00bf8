/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * page_lock fair: the first step of 5.9, strict handoff.
 *
 * Thread it models: "mm: rewrite wait_on_page_bit_common() logic", Linus
 * Torvalds, July 2020 (2a9127fcf229).  Measured in the thread:
 * vm-scalability +130%, but hackbench -69% and large drops on some web
 * workloads: a lock handed to a sleeping task sits idle until that task
 * runs.
 *
 * What it does: every exclusive waiter queues asking for a handoff: the
 * unlocker's wake function sets the bit on the first waiter's behalf, so
 * ownership passes at unlock_page() and nobody can steal it.  A woken
 * shared waiter returns at once (the bit was clear when it was woken).
 */
#include "config.h"

#include "policies/builtin.h"

/* Always: the waker takes the bit for us (WQ_FLAG_DONE when woken). */
static bool page_lock_fair_want_handoff(unsigned int lost, unsigned int unfairness)
{
	return true;
}

/* "If we were non-exclusive, we're done." */
static bool page_lock_fair_shared_woken(bool bit_set)
{
	return true;
}

const struct fs_page_lock_policy fs_page_lock_fair = {
	.version = FS_PAGE_LOCK_POLICY_VERSION,
	.name = "fair",
	.summary = "5.9 first step (2a9127fcf229): the unlocker hands the lock to the "
		   "first waiter",
	.thread = "\"mm: rewrite wait_on_page_bit_common() logic\", Linus Torvalds, "
		  "Jul 2020, 2a9127fcf229",
	.want_handoff = page_lock_fair_want_handoff,
	.shared_woken = page_lock_fair_shared_woken,
};
