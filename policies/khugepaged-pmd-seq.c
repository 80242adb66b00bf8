/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged=pmd-seq: the alternative argued in the 2016 thread, not
 * merged: a sequence count per pmd that every pte-lock user bumps.
 * khugepaged never takes mmap_sem for write: it swaps in and copies under
 * the read lock, reads the count before copying and checks it under the
 * pmd lock; if a fault changed a pte of the range meanwhile, the collapse
 * is aborted (the copy is wasted).  The price is an atomic on every pmd
 * lock (pmd_lock_atomics: khugepaged.pmd_seq_cost per pte install).
 */
#include "config.h"

#include "policies/builtin.h"

static bool pmd_seq_collapse(struct khugepaged_collapse *cc)
{
	struct mm_struct *mm = khugepaged_cc_mm(cc);
	struct sim_task *t = khugepaged_cc_task(cc);
	bool ok = false;

	khugepaged_alloc(cc);
	mmap_read_lock(mm, t);
	if (!khugepaged_revalidate(cc) || !khugepaged_swapin(cc) || !khugepaged_isolate_ok(cc))
		goto out;
	khugepaged_pmd_seq_read(cc);
	khugepaged_copy(cc);
	if (!khugepaged_pmd_seq_same(cc)) {
		khugepaged_count_abort(cc);
		goto out;
	}
	khugepaged_install(cc);
	ok = true;
out:
	mmap_read_unlock(mm, t);
	return ok;
}

const struct fs_khugepaged_policy fs_khugepaged_pmd_seq = {
	.version = FS_KHUGEPAGED_POLICY_VERSION,
	.name = "pmd-seq",
	.summary = "no write lock: a pmd sequence count aborts a collapse a fault raced",
	.thread = "Re: [PATCH] mm, thp: swapin readahead under down_read of mmap_sem "
		  "(2016 thread; the pmd-level sequence count alternative, not merged)",
	.collapse_huge_page = pmd_seq_collapse,
	.pmd_lock_atomics = 1,
};
