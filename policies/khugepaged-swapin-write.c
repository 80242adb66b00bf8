/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged=swapin-write: collapse_huge_page() as "mm, thp: add swapin
 * readahead to khugepaged" (Ebru Akagunduz) had it in mmotm/linux-next in
 * 2016, before "make swapin readahead under down_read of mmap_sem"
 * reworked it.  Never in a release: the first release with khugepaged
 * swap-in, 4.8, already had swapin-read.
 *
 * Everything runs under mmap_sem for write.  The swap-in calls
 * do_swap_page() with FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT:
 * a page not in the swap cache gets its read submitted, and
 * lock_page_or_retry() returns VM_FAULT_RETRY at once with mmap_sem still
 * held -- no wait for the disk.  The pte stays a swap entry, so the
 * isolation then fails: a range that needed swap I/O is not collapsed
 * this pass (counted "collapseFailedSwapin"); its pages are in the swap
 * cache for the next pass.  Faults wait for the write lock's hold: the
 * scan of the range's swap ptes, the submissions, and the copy when the
 * collapse goes ahead.
 */
#include "config.h"

#include "policies/builtin.h"

static bool swapin_write_collapse(struct khugepaged_collapse *cc)
{
	bool ok = false;

	khugepaged_alloc(cc);
	khugepaged_write_lock(cc);
	if (!khugepaged_revalidate(cc) ||
	    !khugepaged_swapin(cc, FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT) ||
	    !khugepaged_isolate_ok(cc))
		goto out;
	khugepaged_copy(cc);
	khugepaged_install(cc);
	ok = true;
out:
	khugepaged_write_unlock(cc);
	return ok;
}

const struct fs_khugepaged_policy fs_khugepaged_swapin_write = {
	.version = FS_KHUGEPAGED_POLICY_VERSION,
	.name = "swapin-write",
	.summary = "swap-in submitted under mmap_sem for write, not waited for "
		   "(RETRY_NOWAIT); never in a release: mmotm 2016",
	.thread = "[PATCH] mm, thp: swapin readahead under down_read of mmap_sem "
		  "(Ebru Akagunduz, 2016): the mmotm code it replaced",
	.collapse_huge_page = swapin_write_collapse,
};
