/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rwsem v5.4: Linux 5.4 to 5.10 (kernel/locking/rwsem.c): 5.3's rwsem
 * with the handoff writer spinning on the owner.
 *
 * Thread it models: "locking/rwsem: Make handoff writer optimistically
 * spin on owner", Waiman Long, 2019 (91d2a812dfb9, in the locking pull
 * for v5.4; docs/kernel.md section 1).  In rwsem_down_write_slowpath(),
 * the writer that set the handoff bit (wstate == WRITER_HANDOFF) and
 * still failed rwsem_try_write_lock() spins with rwsem_spin_on_owner()
 * before sleeping; if the owner was a writer on a CPU that has just
 * released the lock (OWNER_NULL) it tries again at once, so the lock is
 * handed over without a wake-up.
 *
 * The nonspinnable mask: 91d2a812dfb9 passed 0 (spin whatever the owner
 * flags say); "locking/rwsem: Fix kernel crash when spinning on
 * RWSEM_OWNER_UNKNOWN" (Waiman Long, January 2020, Fixes: 91d2a812dfb9,
 * queued for 5.4.y stable) made it RWSEM_NONSPINNABLE, which 5.5 to 5.10
 * and late 5.4.y have: that is what is modelled.
 *
 * Everything else is v5.3's (policies/rwsem-v5.3.c: reader spinning,
 * the 256-reader wake-up, handoff after 4 ms, writers spinning on
 * readers, two nonspinnable bits); this table uses its operations.
 */
#include "config.h"

#include "policies/builtin.h"

/* The handoff writer failed to take the lock: spin on its owner, and try
 * again without sleeping if a writer on a CPU released it meanwhile. */
static bool rwsem_v5_4_handoff_spin(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return rwsem_spin_on_owner(sem, waiter, true, RWSEM_NONSPINNABLE) == OWNER_NULL;
}

const struct fs_rwsem_policy fs_rwsem_v5_4 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.4",
	.summary = "5.4-5.10: as 5.3, and the handoff writer spins on the owner "
		   "(91d2a812dfb9)",
	.thread = "\"locking/rwsem: Make handoff writer optimistically spin on owner\", "
		  "Waiman Long, 2019, 91d2a812dfb9 (v5.4), on top of 5.3's rework",
	.down_read_slowpath = rwsem_v5_3_down_read_slowpath,
	.down_write_slowpath = rwsem_v5_3_down_write_slowpath,
	.wake_readers = rwsem_v5_3_wake_readers,
	.handoff = rwsem_v5_3_handoff,
	.handoff_spin = rwsem_v5_4_handoff_spin,
	.rspin_threshold = rwsem_v5_3_rspin_threshold,
	/* 5.3's two bits (the crash fix's RWSEM_NONSPINNABLE is both). */
	.nonspinnable_kept = RWSEM_RD_NONSPINNABLE,
	.nonspinnable_cleared = RWSEM_WR_NONSPINNABLE,
	.spin_poll = 1 * NSEC_PER_USEC,
};
