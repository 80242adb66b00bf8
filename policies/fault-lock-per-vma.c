/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault_lock per-vma: per-VMA locks, Linux 6.4.
 *
 * Thread it models: "Per-VMA locks" (Suren Baghdasaryan, 2022-2023;
 * merged for 6.4: mm/memory.c lock_vma_under_rcu(), arch/x86 "mm: try
 * VMA lock-based page fault handling first").  A fault looks the VMA up
 * under RCU and read-trylocks it (lock_vma_under_rcu()); on failure it counts
 * VMA_LOCK_ABORT and takes mmap_sem as before.  6.4 itself took only
 * anonymous VMAs; later kernels handle file faults under the VMA lock
 * too, and so does this model (every VMA).
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
	.summary = "6.4+: read-trylock the VMA without mmap_sem, fall back to mmap_sem",
	.thread = "Per-VMA locks, Suren Baghdasaryan, 2023 (Linux 6.4)",
	.lock_vma = per_vma_lock_vma,
};
