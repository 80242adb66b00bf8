/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * prefault=none: no fault-in and no atomic copy: the copy from the user
 * buffer faults while write_begin's page lock is held.  If the buffer is
 * mapped from the very file region being written, the fault's page lock
 * waits for the writer itself: the deadlock "gfs2: fix mmap + page fault
 * deadlocks" (Andreas Gruenbacher, 2021) fixes, and the reason the kernel
 * copies atomically.  Not a kernel version: a counter-example.
 */
#include "config.h"

#include "policies/builtin.h"

const struct fs_prefault_policy fs_prefault_none = {
	.version = FS_PREFAULT_POLICY_VERSION,
	.name = "none",
	.summary = "no prefault, copy faults under the page lock (deadlocks on a same-file mmap)",
	.thread = "gfs2: fix mmap + page fault deadlocks (Andreas Gruenbacher, 2021): "
		  "what happens without the atomic copy",
	.fault_in_readable = NULL,
	.prefault = false,
	.atomic_copy = false,
};
