/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * retry unlimited: the RFC as first posted.
 *
 * Thread it models: "[RFC PATCH] mm: allow VM_FAULT_RETRY for multiple
 * times", Peter Xu, 2019 (the early revisions).  ALLOW_RETRY stays set
 * and every attempt may release mmap_sem and wait, then retry: a fault
 * that keeps finding its page locked (hot page-lock contention) can retry
 * without bound, which is the starvation objection of the thread.  Not
 * merged in this form (see first-drop).
 */
#include "config.h"

#include "policies/builtin.h"

static unsigned int retry_unlimited_flags(const struct fs_fault_retry_state *st)
{
	return st->flags | FAULT_FLAG_TRIED;
}

static bool retry_unlimited_may_drop(const struct fs_fault_retry_state *st)
{
	return st->flags & FAULT_FLAG_ALLOW_RETRY;
}

const struct fs_fault_retry_policy fs_fault_retry_unlimited = {
	.version = FS_FAULT_RETRY_POLICY_VERSION,
	.name = "unlimited",
	.summary = "2019 RFC: every attempt may drop mmap_sem and retry (starvation)",
	.thread = "\"[RFC] mm: allow VM_FAULT_RETRY for multiple times\", Peter Xu, 2019 "
		  "(not merged in this form)",
	.retry_flags = retry_unlimited_flags,
	.may_drop = retry_unlimited_may_drop,
	/* major if any attempt returned VM_FAULT_MAJOR (x86 before 5.9) */
	.mm_account_fault = false,
};
