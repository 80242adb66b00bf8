/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged=swapin-read: collapse_huge_page() as of 4.8 - 5.19
 * (mm/khugepaged.c, __collapse_huge_page_swapin()).  Revalidate and swap
 * in under mmap_sem for read with FAULT_FLAG_ALLOW_RETRY: for a page under
 * its read, lock_page_or_retry() releases mmap_sem, waits for the read
 * without it and returns VM_FAULT_RETRY; khugepaged takes the read lock
 * again, revalidates the VMA and goes on to the next swap pte.  A pte
 * whose fault returned RETRY stays a swap entry, so after dropping the
 * read lock and taking the write lock, __collapse_huge_page_isolate()
 * fails (SCAN_PTE_NON_PRESENT): a range that needed swap I/O is not
 * collapsed this pass ("collapseFailedSwapin"); its pages are in the swap
 * cache for the next one.  The write lock is held for the revalidation,
 * the isolation and, when it goes ahead, the copy.
 *
 * Not modelled: from about 6.0 (Miaohe Lin, "mm/khugepaged: stop swapping
 * in page when VM_FAULT_RETRY occurs") the first RETRY ends the attempt
 * with the lock released (SCAN_PAGE_LOCK), so one pass waits for one read
 * instead of all of them.
 */
#include "config.h"

#include "policies/builtin.h"

static bool swapin_read_collapse(struct khugepaged_collapse *cc)
{
	struct mm_struct *mm = khugepaged_cc_mm(cc);
	struct sim_task *t = khugepaged_cc_task(cc);
	bool ok = false;

	khugepaged_alloc(cc);
	mmap_read_lock(mm, t);
	if (!khugepaged_revalidate(cc) || !khugepaged_swapin(cc, FAULT_FLAG_ALLOW_RETRY)) {
		mmap_read_unlock(mm, t);
		return false;
	}
	mmap_read_unlock(mm, t);

	khugepaged_write_lock(cc);
	/* Anything may have changed while no lock was held. */
	if (!khugepaged_revalidate(cc) || !khugepaged_isolate_ok(cc))
		goto out;
	khugepaged_copy(cc);
	khugepaged_install(cc);
	ok = true;
out:
	khugepaged_write_unlock(cc);
	return ok;
}

const struct fs_khugepaged_policy fs_khugepaged_swapin_read = {
	.version = FS_KHUGEPAGED_POLICY_VERSION,
	.name = "swapin-read",
	.summary = "swap-in under mmap_sem for read, dropped for each read's wait "
		   "(ALLOW_RETRY), collapse under write; 4.8 - 5.19",
	.thread = "[PATCH] mm, thp: swapin readahead under down_read of mmap_sem "
		  "(Ebru Akagunduz, Kirill A. Shutemov, 2016; merged for 4.8)",
	.collapse_huge_page = swapin_read_collapse,
};
