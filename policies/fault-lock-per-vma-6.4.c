/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault_lock per-vma-6.4: per-VMA locks as merged, Linux 6.4 and 6.5.
 *
 * Thread it models: "Per-VMA locks" (Suren Baghdasaryan, 2022-2023;
 * merged for 6.4: "mm: introduce lock_vma_under_rcu to be used from
 * arch-specific code", arch/x86 "mm: try VMA lock-based page fault
 * handling first"; docs/kernel.md section 8).
 *
 * What 6.4 handles under the VMA lock: anonymous VMAs only.
 *	lock_vma_under_rcu()  refuses a file VMA before taking its lock
 *	                      (VMA_LOCK_ABORT; here also "vmaLockNotCovered"),
 *	                      an anonymous VMA without an anon_vma (not
 *	                      modelled: see faultsim/fault.h) and a
 *	                      userfaultfd-armed VMA (not modelled)
 *	do_swap_page()        returns VM_FAULT_RETRY at once under the VMA
 *	                      lock: swap faults take mmap_sem
 *	                      ("vmaLockNotCovered")
 * The x86 handler ends the VMA read lock itself and, on RETRY, goes on
 * under mmap_lock with the same flags: no FAULT_FLAG_TRIED.  Nothing
 * covered here blocks on a page lock or I/O, so no fault drops under the
 * VMA lock in 6.4 and 6.5 (6.5 changed no coverage).
 */
#include "config.h"

#include "policies/builtin.h"

static struct vm_area_struct *per_vma_6_4_lock_vma(struct fault_sys *fs, struct sim_task *t,
						   struct mm_struct *mm, uint64_t addr)
{
	/* The lookup under RCU: nothing blocks before the trylock, so the
	 * VMA found is the one lock_vma_under_rcu() finds. */
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	/* "Only anonymous vmas are supported for now". */
	if (vma && !vma_is_anonymous(vma)) {
		count_fault_event(fs, VMA_LOCK_ABORT);
		count_fault_event(fs, VMA_LOCK_NOT_COVERED);
		return NULL;
	}
	vma = lock_vma_under_rcu(t, mm, addr);
	if (!vma)
		count_fault_event(fs, VMA_LOCK_ABORT);
	return vma;
}

const struct fs_fault_lock_policy fs_fault_lock_per_vma_6_4 = {
	.version = FS_FAULT_LOCK_POLICY_VERSION,
	.name = "per-vma-6.4",
	.summary = "6.4-6.5: per-VMA locks for anonymous VMAs only; swap and file faults "
		   "take mmap_sem",
	.thread = "Per-VMA locks, Suren Baghdasaryan, 2023 (as merged for 6.4: "
		  "lock_vma_under_rcu() refuses file VMAs, do_swap_page() retries)",
	.lock_vma = per_vma_6_4_lock_vma,
	.vma_lock_covers = VMA_LOCK_ANON,
	.major_retry_tried = false,
};
