/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * retry first-drop: the fault retry rule since Linux 5.7.
 *
 * Thread it models: "mm: allow VM_FAULT_RETRY for multiple times", Peter
 * Xu, 2019 (v3 onwards; merged for 5.7 as 4064b9827063).  The arch
 * handlers keep FAULT_FLAG_ALLOW_RETRY on a retry and add
 * FAULT_FLAG_TRIED, so a fault may retry any number of times; to answer
 * the starvation objection raised in the thread, only the first attempt
 * (fault_flag_allow_retry_first()) may release mmap_sem to wait:
 * __lock_page_or_retry() and maybe_unlock_mmap_for_io() test that, and a
 * later attempt takes the page lock and waits for I/O holding mmap_sem.
 */
#include "config.h"

#include "policies/builtin.h"
#include "sim/fault.h"

static unsigned int retry_first_drop_flags(unsigned int flags)
{
	return flags | FAULT_FLAG_TRIED;
}

static bool retry_first_drop_may_drop(unsigned int flags)
{
	return fault_flag_allow_retry_first(flags);
}

const struct fs_fault_retry_policy fs_fault_retry_first_drop = {
	.version = FS_FAULT_RETRY_POLICY_VERSION,
	.name = "first-drop",
	.summary = "5.7+ (4064b9827063): retries unlimited, only the first attempt "
		   "drops mmap_sem",
	.thread = "\"mm: allow VM_FAULT_RETRY for multiple times\", Peter Xu, 2019, "
		  "4064b9827063",
	.retry_flags = retry_first_drop_flags,
	.may_drop = retry_first_drop_may_drop,
};
