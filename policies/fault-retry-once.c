/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * retry once: the fault retry rule up to Linux 5.6.
 *
 * Thread it models: the behaviour "mm: allow VM_FAULT_RETRY for multiple
 * times" (Peter Xu, 2019, merged in 5.7 as 4064b9827063) replaced: the
 * x86 handler (arch/x86/mm/fault.c, __do_page_fault) clears
 * FAULT_FLAG_ALLOW_RETRY and sets FAULT_FLAG_TRIED when it retries, so a
 * fault retries at most once, and the second attempt may not drop
 * mmap_sem: it blocks on the page lock and on I/O holding it.
 *
 * What it does: retry_flags() clears ALLOW_RETRY and adds TRIED; an
 * attempt may drop mmap_sem while ALLOW_RETRY is set (the first only).
 */
#include "config.h"

#include "policies/builtin.h"

static unsigned int retry_once_flags(const struct fs_fault_retry_state *st)
{
	return (st->flags & ~FAULT_FLAG_ALLOW_RETRY) | FAULT_FLAG_TRIED;
}

static bool retry_once_may_drop(const struct fs_fault_retry_state *st)
{
	return st->flags & FAULT_FLAG_ALLOW_RETRY;
}

const struct fs_fault_retry_policy fs_fault_retry_once = {
	.version = FS_FAULT_RETRY_POLICY_VERSION,
	.name = "once",
	.summary = "<= 5.6: one retry; the second attempt blocks holding mmap_sem",
	.thread = "arch/x86/mm/fault.c before \"mm: allow VM_FAULT_RETRY for multiple "
		  "times\" (4064b9827063, 5.7)",
	.retry_flags = retry_once_flags,
	.may_drop = retry_once_may_drop,
	/* major if any attempt returned VM_FAULT_MAJOR (x86 before 5.9) */
	.mm_account_fault = false,
};
