/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rwsem v5.11: Linux 5.11 and later (the default, through linux-6.1 and
 * the later presets), kernel/locking/rwsem.c.
 *
 * Thread it models: Waiman Long's rwsem series of November 2020, merged
 * for 5.11:
 *	"locking/rwsem: Prevent potential lock starvation" (2f06f702925b);
 *	"locking/rwsem: Enable reader optimistic lock stealing"
 *	(1a728dff855a);
 *	"locking/rwsem: Remove reader optimistic spinning" (617f3ef95177);
 * on top of 5.4's "locking/rwsem: Make handoff writer optimistically spin
 * on owner", Waiman Long, 2019 (91d2a812dfb9, which the v5.4 policy adds
 * to v5.3: policies/rwsem-v5.4.c).
 *
 * What it does, against v5.3:
 *  - readers no longer spin;
 *  - a slow-path reader takes a lock that neither a writer nor handoff
 *    holds, even with waiters queued, unless another reader holds it, and
 *    then wakes the queued readers (KERNEL.md: "if held by several
 *    readers, queue"; the code queues as soon as one other reader holds
 *    it: rcnt > 1 counts the arriving reader's own bias);
 *  - the writer that set the handoff bit spins on its owner instead of
 *    sleeping;
 *  - one nonspinnable bit, for writers (readers do not spin).
 * Writers' spinning, the 256-reader wake-up and the 4 ms handoff are
 * 5.3's.
 */
#include "config.h"

#include "policies/builtin.h"

#define RWSEM_WAIT_TIMEOUT	(4 * NSEC_PER_MSEC)
#define MAX_READERS_WAKEUP	256

/* rwsem_down_read_slowpath(): reader optimistic lock stealing, then queue. */
static int rwsem_v5_11_down_read_slowpath(struct rw_semaphore *sem,
					  struct rwsem_waiter *waiter)
{
	unsigned long count = rwsem_count(sem);
	unsigned long rcnt = (count >> RWSEM_READER_SHIFT) + 1;	/* our bias too */

	/*
	 * To keep a stream of readers from starving a sleeping waiter, do
	 * not steal a lock that other readers own.
	 */
	if ((rwsem_owner_flags(sem) & RWSEM_READER_OWNED) && rcnt > 1 &&
	    !(count & RWSEM_WRITER_LOCKED))
		return rwsem_down_read_queue(sem, waiter, false);

	/* Neither a writer nor handoff: take it, waiters or not. */
	if (!(count & (RWSEM_WRITER_LOCKED | RWSEM_FLAG_HANDOFF))) {
		rwsem_take_read(sem, rwsem_waiter_task(waiter));
		rwsem_lockevent_inc(sem, LOCKEVENT_rwsem_rlock_steal);
		/* The first reader wakes the readers queued. */
		if (rcnt == 1 && (rwsem_count(sem) & RWSEM_FLAG_WAITERS))
			rwsem_mark_wake(sem, RWSEM_WAKE_READ_OWNED);
		return 0;
	}
	return rwsem_down_read_queue(sem, waiter, false);
}

/* rwsem_down_write_slowpath(): spin, then queue. */
static int rwsem_v5_11_down_write_slowpath(struct rw_semaphore *sem,
					   struct rwsem_waiter *waiter)
{
	if (rwsem_can_spin_on_owner(sem, true) && rwsem_optimistic_spin(sem, waiter, true))
		return 0;
	return rwsem_down_write_queue(sem, waiter);
}

/* rwsem_mark_wake(): grant up to MAX_READERS_WAKEUP readers, skipping the
 * writers queued among them. */
static unsigned int rwsem_v5_11_wake_readers(struct rw_semaphore *sem)
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
static bool rwsem_v5_11_handoff(const struct rw_semaphore *sem,
				const struct rwsem_waiter *waiter)
{
	return rwsem_waited(sem, waiter) > RWSEM_WAIT_TIMEOUT;
}

/*
 * After setting the handoff bit and failing to take the lock, spin on
 * the owner: if it was a writer on a CPU that has just released the lock
 * (OWNER_NULL), try again without sleeping.
 */
static bool rwsem_v5_11_handoff_spin(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return rwsem_spin_on_owner(sem, waiter, true, RWSEM_NONSPINNABLE) == OWNER_NULL;
}

/* rwsem_rspin_threshold(): 10 us + 0.5 us per reader, up to 30 readers. */
static sim_time_t rwsem_v5_11_rspin_threshold(const struct rw_semaphore *sem)
{
	unsigned long readers = MIN(rwsem_nr_readers(sem), 30);

	return (sim_time_t)(20 + readers) * NSEC_PER_USEC / 2;
}

const struct fs_rwsem_policy fs_rwsem_v5_11 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.11",
	.summary = "5.11: as 5.3, readers no longer spin but steal a free lock; "
		   "handoff writer spins",
	.thread = "\"locking/rwsem: Prevent potential lock starvation\", Waiman Long, "
		  "Nov 2020, 2f06f702925b; \"locking/rwsem: Enable reader optimistic "
		  "lock stealing\", 1a728dff855a; \"locking/rwsem: Remove reader "
		  "optimistic spinning\", 617f3ef95177",
	.down_read_slowpath = rwsem_v5_11_down_read_slowpath,
	.down_write_slowpath = rwsem_v5_11_down_write_slowpath,
	.wake_readers = rwsem_v5_11_wake_readers,
	.handoff = rwsem_v5_11_handoff,
	.handoff_spin = rwsem_v5_11_handoff_spin,
	.rspin_threshold = rwsem_v5_11_rspin_threshold,
	/* One bit (RWSEM_NONSPINNABLE): kept by new read owners, cleared when
	 * the lock is found free (clear_nonspinnable()). */
	.nonspinnable_kept = RWSEM_NONSPINNABLE,
	.nonspinnable_cleared = RWSEM_NONSPINNABLE,
	.spin_poll = 1 * NSEC_PER_USEC,
};
