/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged=pmd-seq: the 2016 thread's option 2 (Rik van Riel, with
 * Kirill A. Shutemov's reply), never merged: no mmap_sem write lock for
 * the collapse, a sequence count per pmd instead.
 *
 * The swap-in is swapin-read's (read lock, FAULT_FLAG_ALLOW_RETRY: the
 * lock released for each read's wait, the pte left a swap entry, so such
 * a range fails this pass).  Then, still under the read lock, the
 * collapse takes pmd_lock() and makes the pmd's count odd, isolates,
 * copies and installs, and takes pmd_lock() again to make it even.  The
 * collapse wins: a fault that (re-)takes a pte lock of the range compares
 * the count with the one it read when it started and, if it changed,
 * backs out and faults again ("pmdSeqRetries"); a fault that starts
 * while the count is odd waits for the collapse ("pmdSeqWaits").  The
 * price is one atomic on every pmd_lock() (khugepaged.pmd_seq_cost, on
 * the pmd lock's cache line): here the collapse's two and a fault's
 * first pte of a range (__pte_alloc()); a pte install pays nothing more.
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
	if (!khugepaged_revalidate(cc) || !khugepaged_swapin(cc, FAULT_FLAG_ALLOW_RETRY))
		goto out;
	khugepaged_pmd_seq_begin(cc);
	if (khugepaged_isolate_ok(cc)) {
		khugepaged_copy(cc);
		khugepaged_install(cc);
		ok = true;
	}
	khugepaged_pmd_seq_end(cc);
out:
	mmap_read_unlock(mm, t);
	return ok;
}

const struct fs_khugepaged_policy fs_khugepaged_pmd_seq = {
	.version = FS_KHUGEPAGED_POLICY_VERSION,
	.name = "pmd-seq",
	.summary = "no write lock: a pmd sequence count bumped under pmd_lock(); faults "
		   "that re-take a pte lock back out (2016 proposal, not merged)",
	.thread = "Re: [PATCH] mm, thp: swapin readahead under down_read of mmap_sem "
		  "(2016 thread; the pmd-level sequence count alternative, not merged)",
	.collapse_huge_page = pmd_seq_collapse,
	.pmd_lock_atomics = 1,
};
