/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rwsem v5.3: Waiman Long's rwsem rework, as in Linux 5.3
 * (kernel/locking/rwsem.c).
 *
 * Thread it models: Waiman Long's rwsem rework series, April-June 2019,
 * merged for 5.3, in particular
 *	"locking/rwsem: Implement lock handoff to prevent lock starvation"
 *	(4f23dbc1e657);
 *	"locking/rwsem: Wake up almost all readers in wait queue"
 *	(d3681e269fff);
 *	"locking/rwsem: Enable readers spinning on writer" and "Enable
 *	time-based spinning on reader-owned rwsem", with the adaptive
 *	disabling of reader spinning.
 *
 * What it does:
 *  - readers spin too, and can then join a reader-owned lock past a
 *    queued writer (rwsem_try_read_lock_unqueued() ignores the waiters
 *    bit) until a writer's timed-out spin marks the lock nonspinnable for
 *    readers, or handoff is set.  KERNEL.md's "readers line up behind a
 *    waiting writer" holds for 5.3 only in that adaptive sense: a writer
 *    that queued without spinning on the readers can starve under a
 *    stream of spinning readers (the scenario of 2f06f702925b);
 *  - writers spin on a running writer, and for 10 us + 0.5 us per reader
 *    (at most 25 us) on a reader-owned lock;
 *  - a reader wake-up walks the whole queue, skips writers, and grants up
 *    to 256 readers (MAX_READERS_WAKEUP);
 *  - handoff: a waiter that has waited 4 ms (RWSEM_WAIT_TIMEOUT) sets the
 *    handoff bit when it is woken and fails to take the lock; then only
 *    the first waiter may take it.
 *
 * 5.4 added the handoff writer's spin on the owner (91d2a812dfb9): that is
 * the v5.4 policy (policies/rwsem-v5.4.c), which uses the operations
 * below; so v5.3 is 5.3 alone, and linux-5.4 / linux-5.10 use v5.4.
 */
#include "config.h"

#include "policies/builtin.h"

#define RWSEM_WAIT_TIMEOUT	(4 * NSEC_PER_MSEC)
#define MAX_READERS_WAKEUP	256

/*
 * rwsem_down_read_slowpath(): spin unless readers were told not to; if
 * the spin fails, join a new reader phase; else queue (the bias given
 * back by the spin: no fast take of an empty queue).
 */
int rwsem_v5_3_down_read_slowpath(struct rw_semaphore *sem,
				  struct rwsem_waiter *waiter)
{
	/* The current read owner, if any, and the reader nonspinnable bit. */
	rwsem_save_last_rowner(sem, waiter);

	if (!rwsem_can_spin_on_owner(sem, false))
		return rwsem_down_read_queue(sem, waiter, false);

	if (rwsem_optimistic_spin(sem, waiter, false)) {
		/* Wake the other readers if the front waiter is a reader. */
		if (rwsem_count(sem) & RWSEM_FLAG_WAITERS)
			rwsem_mark_wake(sem, RWSEM_WAKE_READ_OWNED);
		return 0;
	}
	if (rwsem_reader_phase_trylock(sem, waiter))
		return 0;
	return rwsem_down_read_queue(sem, waiter, true);
}

/*
 * rwsem_down_write_slowpath(): spin; if the lock was seen nonspinnable on
 * the way in, readers may not spin once we own it.
 */
int rwsem_v5_3_down_write_slowpath(struct rw_semaphore *sem,
				   struct rwsem_waiter *waiter)
{
	bool disable_rspin;
	int ret;

	if (rwsem_can_spin_on_owner(sem, true) && rwsem_optimistic_spin(sem, waiter, true))
		return 0;

	disable_rspin = rwsem_owner_flags(sem) & RWSEM_NONSPINNABLE;
	ret = rwsem_down_write_queue(sem, waiter);
	if (ret == 0 && disable_rspin)
		rwsem_disable_reader_optspin(sem);
	return ret;
}

/* rwsem_mark_wake(): grant up to MAX_READERS_WAKEUP readers, skipping the
 * writers queued among them (a phase-fair reader phase). */
unsigned int rwsem_v5_3_wake_readers(struct rw_semaphore *sem)
{
	struct rwsem_waiter *waiter, *next;
	unsigned int woken = 0;

	for (waiter = rwsem_first_waiter(sem); waiter; waiter = next) {
		next = rwsem_next_waiter(sem, waiter);
		if (rwsem_waiter_type(waiter) == RWSEM_WAITING_FOR_WRITE)
			continue;
		rwsem_grant_reader(sem, waiter);
		if (++woken >= MAX_READERS_WAKEUP)
			break;
	}
	return woken;
}

/* time_after(jiffies, waiter->timeout) */
bool rwsem_v5_3_handoff(const struct rw_semaphore *sem,
			const struct rwsem_waiter *waiter)
{
	return rwsem_waited(sem, waiter) > RWSEM_WAIT_TIMEOUT;
}

/* rwsem_rspin_threshold(): 10 us + 0.5 us per reader, up to 30 readers. */
sim_time_t rwsem_v5_3_rspin_threshold(const struct rw_semaphore *sem)
{
	unsigned long readers = MIN(rwsem_nr_readers(sem), 30);

	return (sim_time_t)(20 + readers) * NSEC_PER_USEC / 2;
}

const struct fs_rwsem_policy fs_rwsem_v5_3 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.3",
	.summary = "5.3: handoff after 4 ms, wake up to 256 readers past writers, "
		   "readers spin",
	.thread = "\"locking/rwsem: Implement lock handoff to prevent lock starvation\", "
		  "Waiman Long, May 2019, 4f23dbc1e657; \"locking/rwsem: Wake up "
		  "almost all readers in wait queue\", Waiman Long, May 2019, "
		  "d3681e269fff",
	.down_read_slowpath = rwsem_v5_3_down_read_slowpath,
	.down_write_slowpath = rwsem_v5_3_down_write_slowpath,
	.wake_readers = rwsem_v5_3_wake_readers,
	.handoff = rwsem_v5_3_handoff,
	.rspin_threshold = rwsem_v5_3_rspin_threshold,
	/*
	 * Readers and writers have a nonspinnable bit each: a new read owner
	 * keeps only the readers' (__rwsem_set_reader_owned()), and a lock
	 * found free clears only the writers' (clear_wr_nonspinnable()).
	 */
	.nonspinnable_kept = RWSEM_RD_NONSPINNABLE,
	.nonspinnable_cleared = RWSEM_WR_NONSPINNABLE,
	.spin_poll = 1 * NSEC_PER_USEC,
};
