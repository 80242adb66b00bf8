/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rwsem v4.19: mmap_sem as kernel/locking/rwsem-xadd.c had it from 3.16
 * to 5.2.
 *
 * Threads it models:
 *	"rwsem: implement support for write lock stealing on the fastpath",
 *	Michel Lespinasse, 2013 (Linux 3.10, fe6e674c6187), extending Alex
 *	Shi's slow-path write lock stealing;
 *	"locking/rwsem: Support optimistic spinning", Davidlohr Bueso and
 *	Tim Chen, May 2014 (Linux 3.16, 4fc828e24cd9).
 *
 * rwsem-xadd.c's active/waiting-bias count is written in the later
 * layout (the mechanism's), with the same behaviour.  What it does:
 *  - a reader that fails the fast path queues at once
 *    (__rwsem_down_read_failed_common()): readers never spin, as
 *    rwsem-xadd.c spins only in the write slow path (KERNEL.md's preset
 *    table says "reader spin", the code does not);
 *  - writers spin while a writer owner runs on a CPU, or on a free lock;
 *    never on readers: a reader-owned lock's owner is "anonymous"
 *    (rwsem_can_spin_on_owner(), no rspin_threshold);
 *  - a wake-up with a reader at the head grants the run of readers at the
 *    head, up to the first writer (__rwsem_mark_wake());
 *  - no handoff: a woken writer can lose the lock to spinning writers
 *    without bound.
 */
#include "config.h"

#include "policies/builtin.h"

/* __rwsem_down_read_failed_common(): no spinning, queue. */
static int rwsem_v4_19_down_read_slowpath(struct rw_semaphore *sem,
					  struct rwsem_waiter *waiter)
{
	return rwsem_down_read_queue(sem, waiter, false);
}

/* rwsem_down_write_failed(): rwsem_optimistic_spin(), then queue. */
static int rwsem_v4_19_down_write_slowpath(struct rw_semaphore *sem,
					   struct rwsem_waiter *waiter)
{
	if (rwsem_can_spin_on_owner(sem, true) && rwsem_optimistic_spin(sem, waiter, true))
		return 0;
	return rwsem_down_write_queue(sem, waiter);
}

/* __rwsem_mark_wake(): grant the readers at the head of the queue, up to
 * the first writer. */
static unsigned int rwsem_v4_19_wake_readers(struct rw_semaphore *sem)
{
	struct rwsem_waiter *waiter, *next;
	unsigned int woken = 0;

	for (waiter = rwsem_first_waiter(sem); waiter; waiter = next) {
		next = rwsem_next_waiter(sem, waiter);
		if (rwsem_waiter_type(waiter) == RWSEM_WAITING_FOR_WRITE)
			break;
		rwsem_grant_reader(sem, waiter);
		woken++;
	}
	return woken;
}

const struct fs_rwsem_policy fs_rwsem_v4_19 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v4.19",
	.summary = "4.19: wake the readers at the head up to the first writer; "
		   "writers spin on writers only",
	.thread = "\"locking/rwsem: Support optimistic spinning\", Davidlohr Bueso, "
		  "Tim Chen, May 2014, 4fc828e24cd9; \"rwsem: implement support for "
		  "write lock stealing on the fastpath\", Michel Lespinasse, 2013, "
		  "fe6e674c6187",
	.down_read_slowpath = rwsem_v4_19_down_read_slowpath,
	.down_write_slowpath = rwsem_v4_19_down_write_slowpath,
	.wake_readers = rwsem_v4_19_wake_readers,
	/* No nonspinnable bits in 4.19: nothing ever sets them. */
	.nonspinnable_kept = RWSEM_NONSPINNABLE,
	.nonspinnable_cleared = RWSEM_NONSPINNABLE,
	.spin_poll = 1 * NSEC_PER_USEC,
};
