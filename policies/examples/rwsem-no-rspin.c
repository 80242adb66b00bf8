/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree rwsem policy: 5.3's rwsem, with writers that do not spin
 * on a reader-owned lock.
 *
 * The question it answers: what keeps a writer from starving under a
 * stream of readers in 5.3 .. 5.10, where readers spin too?  The thread
 * that answered it: "locking/rwsem: Prevent potential lock starvation",
 * Waiman Long, 17 November 2020 (merged for 5.11 as 2f06f702925b).  Its
 * argument, in three steps:
 *
 *  - a spinning reader joins a lock that readers hold even when a writer
 *    is queued (rwsem_try_read_lock_unqueued() ignores the waiters bit);
 *  - the handoff bit of 4f23dbc1e657 is only set by a waiter that has
 *    been woken, and up_read() wakes the queue only when the reader count
 *    drops to zero;
 *  - so under a continuous stream of spinning readers the count never
 *    drops to zero, the writer is never woken, and handoff never comes.
 *
 * In 5.3 what breaks the stream is the writer's own optimistic spin on
 * the readers ("Enable time-based spinning on reader-owned rwsem"): when
 * it times out (10 us + 0.5 us per reader, at most 25 us) it marks the
 * lock nonspinnable for readers, and new readers queue behind the writer.
 * This policy takes that spin away (it has no rspin_threshold) and keeps
 * the rest of 5.3, handoff included: the writer now waits until the
 * readers happen to pause, without bound.  5.11 closed the hole for good
 * by removing reader spinning (617f3ef95177).
 *
 * Build and use (see README.md, "Writing a policy plugin"):
 *
 *	cc -shared -fPIC -o rwsem-no-rspin.so rwsem-no-rspin.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./rwsem-no-rspin.so \
 *		--set 'policy.rwsem=${v=v5.3,v5.3-no-rspin}' study.ini
 *
 * and compare the writer's mmap_sem.writeWaitTime (its max above all) and
 * its throughput between the two values.
 */
#include <faultsim/plugin.h>

/* The plugin ABI this file was compiled against: faultsim refuses to load
 * a plugin built for another. */
const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

#define RWSEM_WAIT_TIMEOUT	(4 * NSEC_PER_MSEC)
#define MAX_READERS_WAKEUP	256

/* 5.3's rwsem_down_read_slowpath(): readers spin, then join a new reader
 * phase, then queue. */
static int no_rspin_down_read_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	rwsem_save_last_rowner(sem, waiter);
	if (!rwsem_can_spin_on_owner(sem, false))
		return rwsem_down_read_queue(sem, waiter, false);
	if (rwsem_optimistic_spin(sem, waiter, false)) {
		if (rwsem_count(sem) & RWSEM_FLAG_WAITERS)
			rwsem_mark_wake(sem, RWSEM_WAKE_READ_OWNED);
		return 0;
	}
	if (rwsem_reader_phase_trylock(sem, waiter))
		return 0;
	return rwsem_down_read_queue(sem, waiter, true);
}

/* 5.3's rwsem_down_write_slowpath(): the writer still spins on a running
 * writer owner; with no rspin_threshold, never on readers. */
static int no_rspin_down_write_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
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

/* 5.3's wake-up: up to 256 readers, past the writers. */
static unsigned int no_rspin_wake_readers(struct rw_semaphore *sem)
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

/* 5.3's handoff, after 4 ms. */
static bool no_rspin_handoff(const struct rw_semaphore *sem, const struct rwsem_waiter *waiter)
{
	return rwsem_waited(sem, waiter) > RWSEM_WAIT_TIMEOUT;
}

static const struct fs_rwsem_policy rwsem_no_rspin = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.3-no-rspin",
	.summary = "example plugin: 5.3 whose writers do not spin on readers "
		   "(a stream of spinning readers starves them)",
	.thread = "\"locking/rwsem: Prevent potential lock starvation\", Waiman Long, "
		  "Nov 2020, 2f06f702925b (the scenario it describes)",
	.down_read_slowpath = no_rspin_down_read_slowpath,
	.down_write_slowpath = no_rspin_down_write_slowpath,
	.wake_readers = no_rspin_wake_readers,
	.handoff = no_rspin_handoff,
	/* .rspin_threshold left NULL: what this policy is about. */
	.nonspinnable_kept = RWSEM_RD_NONSPINNABLE,
	.nonspinnable_cleared = RWSEM_WR_NONSPINNABLE,
	.spin_poll = 1 * NSEC_PER_USEC,
};

/* Called once, when faultsim loads the plugin: register every table. */
gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error);

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_rwsem_policy(r, &rwsem_no_rspin, error);
}
