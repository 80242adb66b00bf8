/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dirty_throttle drop: fault_dirty_shared_page() from Linux 5.5 (and 5.4.9
 * on): when the page was newly dirtied or the VMA has page_mkwrite (every
 * file VMA here), pin the file and release mmap_sem with
 * maybe_unlock_mmap_for_io() -- if this attempt may (FAULT_FLAG_ALLOW_RETRY
 * without RETRY_NOWAIT, as the retry policy says) -- then
 * balance_dirty_pages_ratelimited(), and return VM_FAULT_RETRY: the pte is
 * already writable and dirty, so the retried attempt finds it and only
 * takes mmap_sem again.  An attempt that may not drop (the retry after
 * one under `once`) throttles holding it, as hold does.
 *
 * From 5.17 the fault returns VM_FAULT_COMPLETED instead of RETRY (no
 * second attempt); not modelled: the retried attempt here costs one more
 * mmap_sem acquisition and a pte check.
 *
 * Thread it models: "mm: drop mmap_sem before calling balance_dirty_pages()
 * in write fault" (Johannes Weiner, 2019-09-24; 89b15332af7c, merged for
 * 5.5, backported to 5.4.9).
 */
#include "config.h"

#include "policies/builtin.h"

static vm_fault_t dirty_throttle_drop(struct vm_fault *vmf)
{
	bool dropped = maybe_unlock_mmap_for_io(vmf);

	fault_balance_dirty_pages(vmf);
	return dropped ? VM_FAULT_RETRY : 0;
}

const struct fs_dirty_throttle_policy fs_dirty_throttle_drop = {
	.version = FS_DIRTY_THROTTLE_POLICY_VERSION,
	.name = "drop",
	.summary = "write faults drop mmap_sem before balance_dirty_pages(), return RETRY (5.5+)",
	.thread = "mm: drop mmap_sem before calling balance_dirty_pages() in write fault "
		  "(Johannes Weiner, 2019; 89b15332af7c)",
	.throttle = dirty_throttle_drop,
};
