/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * page_lock steal: the page lock before 5.9, wait_on_page_bit_common() of
 * mm/filemap.c from 4.10 to 5.8.
 *
 * Thread it models: "mm: add PageWaiters indicating tasks are waiting for
 * a page bit", Nicholas Piggin, December 2016 (Linux 4.10, 62906027091f),
 * the shape of the page-bit wait that 5.9 rewrote.
 *
 * What it does: unlock_page() clears the bit and wakes the first
 * exclusive waiter; the waiter tries the bit when it runs
 * (test_and_set_bit_lock()), and if anyone took the lock in between (a
 * newcomer's trylock fast path, another woken waiter) it queues again at
 * the tail.  It never asks for a handoff, so stealing is unbounded.  A
 * woken shared waiter (wait_on_page_locked()) checks the bit again and
 * goes back to sleep if it was taken meanwhile.
 */
#include "config.h"

#include "policies/builtin.h"

/* The waker never takes the bit for anyone. */
static bool page_lock_steal_want_handoff(unsigned int lost, unsigned int unfairness)
{
	return false;
}

/* "if (!test_bit(bit_nr, &page->flags)) break;" */
static bool page_lock_steal_shared_woken(bool bit_set)
{
	return !bit_set;
}

const struct fs_page_lock_policy fs_page_lock_steal = {
	.version = FS_PAGE_LOCK_POLICY_VERSION,
	.name = "steal",
	.summary = "before 5.9: woken waiters race for the bit; newcomers can take it "
		   "first, without bound",
	.thread = "\"mm: add PageWaiters indicating tasks are waiting for a page bit\", "
		  "Nicholas Piggin, Dec 2016, 62906027091f (behaviour up to 5.8)",
	.want_handoff = page_lock_steal_want_handoff,
	.shared_woken = page_lock_steal_shared_woken,
};
