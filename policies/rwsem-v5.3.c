/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rwsem v5.3: Waiman Long's rwsem rework, as in Linux 5.3 to 5.10.
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
 *  - handoff: a waiter that has waited 4 ms (RWSEM_WAIT_TIMEOUT) sets the
 *    handoff bit when it is woken and fails to take the lock; then only
 *    the first waiter may take it;
 *  - a reader wake-up walks the whole queue, skips writers, and grants up
 *    to 256 readers (MAX_READERS_WAKEUP);
 *  - writers spin on a running writer, and for 10 us + 0.5 us per reader
 *    (at most 25 us) on a reader-owned lock;
 *  - readers spin too, and can join a reader-owned lock past a queued
 *    writer until a writer's timed-out spin marks it nonspinnable.
 */
#include "config.h"

#include "policies/builtin.h"

const struct fs_rwsem_policy fs_rwsem_v5_3 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.3",
	.summary = "5.3: handoff after 4 ms, wake up to 256 readers past writers, "
		   "readers spin",
	.thread = "\"locking/rwsem: Implement lock handoff to prevent lock starvation\", "
		  "Waiman Long, May 2019, 4f23dbc1e657; \"locking/rwsem: Wake up "
		  "almost all readers in wait queue\", Waiman Long, May 2019, "
		  "d3681e269fff",
	.variant = {
		.name = "v5.3",
		.flags = RWSEM_V_HANDOFF | RWSEM_V_WAKE_ALL_READERS |
			 RWSEM_V_WRITER_SPIN | RWSEM_V_WRITER_RSPIN |
			 RWSEM_V_READER_SPIN,
		.handoff_timeout = 4 * NSEC_PER_MSEC,
		.max_readers_wakeup = 256,
		.rspin_base = 10 * NSEC_PER_USEC,
		.rspin_per_reader = 500,
		.rspin_max = 25 * NSEC_PER_USEC,
		.spin_poll = 1 * NSEC_PER_USEC,
	},
};
