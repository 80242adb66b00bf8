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

const struct fs_rwsem_policy fs_rwsem_reader_pref = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "reader-pref",
	.summary = "not Linux: readers ignore queued writers (writers can starve)",
	.thread = "Courtois, Heymans, Parnas, \"Concurrent Control with 'Readers' and "
		  "'Writers'\", CACM, Oct 1971 (not a kernel patch)",
	.variant = {
		.name = "reader-pref",
		.flags = RWSEM_V_READER_PREF,
		.handoff_timeout = 4 * NSEC_PER_MSEC,	/* unused */
		.max_readers_wakeup = 0,
		.rspin_base = 10 * NSEC_PER_USEC,	/* unused: no spinning */
		.rspin_per_reader = 500,
		.rspin_max = 25 * NSEC_PER_USEC,
		.spin_poll = 1 * NSEC_PER_USEC,
	},
};
