/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rwsem v5.11: Linux 5.11 and later (the default, through linux-6.1 and
 * the later presets).
 *
 * Thread it models: Waiman Long's rwsem series of November 2020, merged
 * for 5.11:
 *	"locking/rwsem: Prevent potential lock starvation" (2f06f702925b);
 *	"locking/rwsem: Enable reader optimistic lock stealing"
 *	(1a728dff855a);
 *	"locking/rwsem: Remove reader optimistic spinning" (617f3ef95177);
 * on top of 5.5's "locking/rwsem: Make handoff writer optimistically spin
 * on owner", Waiman Long, 2019 (91d2a812dfb9).
 *
 * What it does, against v5.3:
 *  - readers no longer spin;
 *  - a slow-path reader takes a lock that neither a writer nor handoff
 *    holds, even with waiters queued, unless another reader holds it, and
 *    then wakes the queued readers (KERNEL.md: "if held by several
 *    readers, queue"; the code queues as soon as one other reader holds
 *    it);
 *  - the writer that set the handoff bit spins on its owner instead of
 *    sleeping.
 */
#include "config.h"

#include "policies/builtin.h"

const struct fs_rwsem_policy fs_rwsem_v5_11 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.11",
	.summary = "5.11: as 5.3, readers no longer spin but steal a free lock; "
		   "handoff writer spins",
	.thread = "\"locking/rwsem: Prevent potential lock starvation\", Waiman Long, "
		  "Nov 2020, 2f06f702925b; \"locking/rwsem: Enable reader optimistic "
		  "lock stealing\", 1a728dff855a; \"locking/rwsem: Remove reader "
		  "optimistic spinning\", 617f3ef95177",
	.variant = {
		.name = "v5.11",
		.flags = RWSEM_V_HANDOFF | RWSEM_V_WAKE_ALL_READERS |
			 RWSEM_V_WRITER_SPIN | RWSEM_V_WRITER_RSPIN |
			 RWSEM_V_READER_STEAL | RWSEM_V_HANDOFF_SPIN,
		.handoff_timeout = 4 * NSEC_PER_MSEC,
		.max_readers_wakeup = 256,
		.rspin_base = 10 * NSEC_PER_USEC,
		.rspin_per_reader = 500,
		.rspin_max = 25 * NSEC_PER_USEC,
		.spin_poll = 1 * NSEC_PER_USEC,
	},
};
