/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault_lock per-vma-6.6: per-VMA locks as Linux 6.6 has them.
 *
 * Thread it models: two series of the 6.6 merge window ("[GIT PULL] MM
 * updates for 6.6-rc1"; docs/kernel.md section 8):
 *	"Per-VMA lock support for swap and userfaults" (Suren Baghdasaryan):
 *	do_swap_page() no longer bails out under the VMA lock, userfaultfd
 *	VMAs are accepted (not modelled), and a handler that waits releases
 *	whichever lock the fault holds itself (__folio_lock_or_retry() takes
 *	the vm_fault; release_fault_lock());
 *	"Handle most file-backed faults under the VMA lock" (Matthew Wilcox):
 *	lock_vma_under_rcu() accepts file VMAs; fault-around
 *	(do_fault_around(), ->map_pages) and faults that only set the
 *	accessed bit run under the VMA lock, but do_read_fault() after
 *	fault-around, do_cow_fault() and do_shared_fault() end the VMA lock
 *	and return VM_FAULT_RETRY when ->fault is needed: filemap_fault()
 *	runs under mmap_lock ("vmaLockNotCovered").
 * The x86 handler adds no FAULT_FLAG_TRIED after a VMA-lock RETRY (that
 * is 6.8's 46e714c729c8), so the VMA-lock attempt and the first mmap_sem
 * attempt are both first attempts: under first-drop a swap fault that
 * waits for a locked page under the VMA lock, then for a page lock or
 * I/O under mmap_sem, drops twice.
 */
#include "config.h"

#include "policies/builtin.h"

static struct vm_area_struct *per_vma_6_6_lock_vma(struct fault_sys *fs, struct sim_task *t,
						   struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma = lock_vma_under_rcu(t, mm, addr);

	if (!vma)
		count_fault_event(fs, VMA_LOCK_ABORT);
	return vma;
}

const struct fs_fault_lock_policy fs_fault_lock_per_vma_6_6 = {
	.version = FS_FAULT_LOCK_POLICY_VERSION,
	.name = "per-vma-6.6",
	.summary = "6.6: per-VMA locks for anonymous and swap faults and file fault-around; "
		   "->fault takes mmap_sem",
	.thread = "\"Per-VMA lock support for swap and userfaults\", Suren Baghdasaryan, and "
		  "\"Handle most file-backed faults under the VMA lock\", Matthew Wilcox, "
		  "2023 (6.6)",
	.lock_vma = per_vma_6_6_lock_vma,
	.vma_lock_covers = VMA_LOCK_ANON | VMA_LOCK_SWAP | VMA_LOCK_FAULT_AROUND,
	.major_retry_tried = false,
};
