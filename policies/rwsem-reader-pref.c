/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rwsem reader-pref: not a Linux lock, the textbook reader-preference
 * reader/writer lock, for contrast.
 *
 * Credit: the "first readers-writers problem" of P. J. Courtois, F.
 * Heymans and D. L. Parnas, "Concurrent Control with 'Readers' and
 * 'Writers'", Communications of the ACM 14(10), October 1971.  Not a
 * kernel thread, never merged.
 *
 * What it does: readers take the lock whenever no writer holds it, queued
 * writers or not; an unlocking writer grants every queued reader before it
 * wakes a writer.  No handoff, no spinning: under a steady stream of
 * readers a writer waits without bound.
 */
#include "config.h"

#include "policies/builtin.h"

/* A reader goes in unless a writer holds the lock. */
static bool rwsem_reader_pref_read_fastpath(const struct rw_semaphore *sem)
{
	return !(rwsem_count(sem) & RWSEM_WRITER_LOCKED);
}

/* A writer takes any free lock, waiters or not. */
static bool rwsem_reader_pref_write_fastpath(const struct rw_semaphore *sem)
{
	return !(rwsem_count(sem) & RWSEM_LOCK_MASK);
}

static int rwsem_reader_pref_down_read_slowpath(struct rw_semaphore *sem,
						struct rwsem_waiter *waiter)
{
	return rwsem_down_read_queue(sem, waiter, false);
}

static int rwsem_reader_pref_down_write_slowpath(struct rw_semaphore *sem,
						 struct rwsem_waiter *waiter)
{
	return rwsem_down_write_queue(sem, waiter);
}

/* Readers first: unless a writer holds the lock, a wake-up serves the
 * first queued reader, wherever it is. */
static struct rwsem_waiter *rwsem_reader_pref_wake_first(struct rw_semaphore *sem)
{
	struct rwsem_waiter *head = rwsem_first_waiter(sem), *waiter;

	if (rwsem_waiter_type(head) == RWSEM_WAITING_FOR_READ ||
	    (rwsem_count(sem) & RWSEM_WRITER_LOCKED))
		return head;
	for (waiter = head; waiter; waiter = rwsem_next_waiter(sem, waiter))
		if (rwsem_waiter_type(waiter) == RWSEM_WAITING_FOR_READ)
			return waiter;
	return head;
}

/* Every queued reader, past the writers, without limit. */
static unsigned int rwsem_reader_pref_wake_readers(struct rw_semaphore *sem)
{
	struct rwsem_waiter *waiter, *next;
	unsigned int woken = 0;

	for (waiter = rwsem_first_waiter(sem); waiter; waiter = next) {
		next = rwsem_next_waiter(sem, waiter);
		if (rwsem_waiter_type(waiter) == RWSEM_WAITING_FOR_READ) {
			rwsem_grant_reader(sem, waiter);
			woken++;
		}
	}
	return woken;
}

const struct fs_rwsem_policy fs_rwsem_reader_pref = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "reader-pref",
	.summary = "not Linux: readers ignore queued writers (writers can starve)",
	.thread = "Courtois, Heymans, Parnas, \"Concurrent Control with 'Readers' and "
		  "'Writers'\", CACM, Oct 1971 (not a kernel patch)",
	.read_fastpath = rwsem_reader_pref_read_fastpath,
	.write_fastpath = rwsem_reader_pref_write_fastpath,
	.down_read_slowpath = rwsem_reader_pref_down_read_slowpath,
	.down_write_slowpath = rwsem_reader_pref_down_write_slowpath,
	.wake_first = rwsem_reader_pref_wake_first,
	.wake_readers = rwsem_reader_pref_wake_readers,
	/* No spinning: the nonspinnable bits are never set. */
	.nonspinnable_kept = RWSEM_NONSPINNABLE,
	.nonspinnable_cleared = RWSEM_NONSPINNABLE,
	.spin_poll = 1 * NSEC_PER_USEC,
};
