/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault_lock spf: speculative page faults (never merged).
 *
 * Thread it models: "Speculative page faults" (Laurent Dufour, 2017-2019,
 * after Peter Zijlstra's 2010/2014 RFCs; not merged: per-VMA locks went
 * in instead).  The fault looks the VMA up without mmap_sem, remembers a
 * sequence count, does its work, and checks the count again under the
 * page-table lock before installing the pte; on a change it aborts to the
 * classic path (the work is lost).
 *
 * This model, kept simple:
 *	sequence  the mm's mm_lock_seq when the fault starts; the VMA is
 *	          unchanged at the end if the VMA found again at the address
 *	          has vm_lock_seq older than that (a VMA changed or created
 *	          meanwhile was write-locked at a later sequence).  Reading
 *	          the sequences is no atomic: no lock word's line moves
 *	          (sim/kernel/cacheline.h), which is where SPF scales.
 *	reference v11 pins the VMA with vm_ref_count: get_vma() at the
 *	          start, put_vma() at the end, two atomics per fault on a
 *	          line every fault of the VMA shares (vma_ref_atomic()); the
 *	          new page's shared lines as every anonymous fault
 *	          (mm_anon_fault_lines()).
 *	handled   anonymous VMAs whose pte is none (do_anonymous_page():
 *	          the pft case).  File VMAs, swap ptes, a VMA write-locked at
 *	          the start, an access error: the classic path at once
 *	          ("spfFallback"), as are allocations that would sleep (the
 *	          page is allocated at commit time without reclaim: no task
 *	          may block between the check and the pte).
 *	costs     those of do_anonymous_page() (fault.vma_lookup, .alloc,
 *	          .zero, .pte_install), spent before the check.
 * Counters (module "fault"): "spfSuccess", "spfAbort" (the sequence
 * changed: the fault retries under mmap_sem), "spfFallback".
 */
#include "config.h"

#include <errno.h>

#include "policies/builtin.h"

/* Not written since @seq (and not write-locked now). */
static bool spf_vma_unchanged(const struct vm_area_struct *vma, unsigned int seq)
{
	return vma && (int)(seq - vma_vm_lock_seq(vma)) > 0;
}

static bool spf_fault(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
		      uint64_t addr, unsigned int flags)
{
	unsigned int seq = mm_lock_seq(mm);
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct page *page;
	int err;

	if (!vma || !vma_is_anonymous(vma) || !spf_vma_unchanged(vma, seq) ||
	    !(vma_vm_flags(vma) & ((flags & FAULT_FLAG_WRITE) ? VM_WRITE : VM_ACCESS_FLAGS)) ||
	    !pte_none(mm_pte(mm, addr))) {
		count_fault_event(fs, SPF_FALLBACK);
		return false;
	}
	/* Speculatively: nothing held, @vma not to be used after a block.
	 * v11's get_vma(): an atomic on the VMA's reference count, whose
	 * line all faults of the VMA share; then the lines of the new page
	 * (zone, memcg, PTL, RSS, LRU). */
	vma_ref_atomic(t, vma);
	mm_anon_fault_lines(t, mm, addr);
	cpu_work(t, fault_cost(fs, FAULT_COST_VMA_LOOKUP) + fault_cost(fs, FAULT_COST_ALLOC) +
		    fault_cost(fs, FAULT_COST_ZERO) + fault_cost(fs, FAULT_COST_PTE_INSTALL));
	vma = vma_lookup(mm, addr);
	if (!spf_vma_unchanged(vma, seq)) {
		count_fault_event(fs, SPF_ABORT);
		return false;
	}
	/* Commit: from here to the pte nothing blocks. */
	page = mm_alloc_anon_page(NULL, mm, vma, addr, &err);
	if (!page) {
		if (err == -EEXIST) {		/* someone mapped it: done */
			count_fault_event(fs, SPF_SUCCESS);
			return true;
		}
		count_fault_event(fs, SPF_FALLBACK);
		return false;
	}
	mm_map_page(mm, vma, addr, page);
	/* put_vma(): the reference's second atomic, the pte installed. */
	vma_ref_atomic(t, vma);
	unlock_page(page);
	put_page(page);
	count_fault_event(fs, SPF_SUCCESS);
	return true;
}

const struct fs_fault_lock_policy fs_fault_lock_spf = {
	.version = FS_FAULT_LOCK_POLICY_VERSION,
	.name = "spf",
	.summary = "speculative faults (not merged): no lock, sequence check, abort on change",
	.thread = "Speculative page faults, Laurent Dufour, 2017-2019 (not merged)",
	.lock_vma = NULL,
	.speculative_fault = spf_fault,
};
