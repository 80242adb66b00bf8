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
 * What it does:
 *  - a wake-up with a reader at the head grants the run of readers at the
 *    head, up to the first writer (no RWSEM_V_WAKE_ALL_READERS);
 *  - writers spin while a writer owner runs on a CPU, or on a free lock;
 *    never on readers (the owner is anonymous when readers hold it);
 *  - readers never spin (rwsem-xadd.c spins only in the write slow path;
 *    KERNEL.md's preset table says "reader spin", the code does not);
 *  - no handoff: a woken writer can lose the lock to spinning writers
 *    without bound.
 */
#include "config.h"

#include "policies/builtin.h"

const struct fs_rwsem_policy fs_rwsem_v4_19 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v4.19",
	.summary = "4.19: wake the readers at the head up to the first writer; "
		   "writers spin on writers only",
	.thread = "\"locking/rwsem: Support optimistic spinning\", Davidlohr Bueso, "
		  "Tim Chen, May 2014, 4fc828e24cd9; \"rwsem: implement support for "
		  "write lock stealing on the fastpath\", Michel Lespinasse, 2013, "
		  "fe6e674c6187",
	.variant = {
		.name = "v4.19",
		.flags = RWSEM_V_WRITER_SPIN,
		.handoff_timeout = 4 * NSEC_PER_MSEC,	/* unused: no handoff */
		.max_readers_wakeup = 0,
		.rspin_base = 10 * NSEC_PER_USEC,	/* unused: no reader spin */
		.rspin_per_reader = 500,
		.rspin_max = 25 * NSEC_PER_USEC,
		.spin_poll = 1 * NSEC_PER_USEC,
	},
};
