/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault_lock per-vma: per-VMA locks as Linux 6.8 and later have them
 * (6.7's coverage, 6.8's retry rule).
 *
 * Thread it models: "Per-VMA locks" (Suren Baghdasaryan, 2022-2023;
 * merged for 6.4: mm/memory.c lock_vma_under_rcu(), arch/x86 "mm: try
 * VMA lock-based page fault handling first"), and what later releases
 * brought under the VMA lock (docs/kernel.md section 8):
 *	6.6  swap faults, userfaultfd, file VMAs: fault-around and
 *	     accessed-bit faults ("Per-VMA lock support for swap and
 *	     userfaults", Suren Baghdasaryan; "Handle most file-backed faults
 *	     under the VMA lock", Matthew Wilcox); policies/fault-lock-per-vma-6.6.c
 *	6.7  ->fault for read, COW and shared faults on VMAs with ->map_pages
 *	     (12214eba1992 "mm: handle read faults under the VMA lock" and its
 *	     series; vmf_can_call_fault()): every file VMA of the model has
 *	     one (filemap-based filesystems), so everything is covered
 *	6.8  46e714c729c8 "arch/mm/fault: fix major fault accounting when
 *	     retrying under per-VMA lock": after a VMA-lock attempt that
 *	     returned VM_FAULT_RETRY with VM_FAULT_MAJOR, the mmap_lock
 *	     attempt carries FAULT_FLAG_TRIED (queued for 6.7.y too)
 *
 * A fault looks the VMA up under RCU and read-trylocks it
 * (lock_vma_under_rcu()); on failure it counts VMA_LOCK_ABORT and takes
 * mmap_sem as before.  A handler that waits releases the VMA lock
 * (__folio_lock_or_retry(), release_fault_lock()) and returns
 * VM_FAULT_RETRY; the VMA-lock attempt carries no FAULT_FLAG_TRIED, so
 * with first-drop it may drop, and the mmap_sem attempt after it may
 * drop too unless the VMA-lock attempt was major (then TRIED).
 *
 * This was faultsim's only per-VMA policy before the per-version ones;
 * scenarios naming `per-vma` keep this newest behaviour.
 */
#include "config.h"

#include "policies/builtin.h"

static struct vm_area_struct *per_vma_lock_vma(struct fault_sys *fs, struct sim_task *t,
					       struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma = lock_vma_under_rcu(t, mm, addr);

	if (!vma)
		count_fault_event(fs, VMA_LOCK_ABORT);
	return vma;
}

const struct fs_fault_lock_policy fs_fault_lock_per_vma = {
	.version = FS_FAULT_LOCK_POLICY_VERSION,
	.name = "per-vma",
	.summary = "6.8+: per-VMA locks for every fault (6.7 coverage), TRIED after a "
		   "major VMA-lock retry",
	.thread = "Per-VMA locks, Suren Baghdasaryan, 2023 (6.4), file faults (6.6, 6.7), "
		  "46e714c729c8 (6.8)",
	.lock_vma = per_vma_lock_vma,
	.vma_lock_covers = VMA_LOCK_COVERS_ALL,
	.major_retry_tried = true,
};
