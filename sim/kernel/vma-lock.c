/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-VMA locks (see vma-lock.h).
 *
 * Rules: vm_lock_readers changes only here; a writer sets vm_lock_seq
 * before it waits, so a reader that raised the count meanwhile sees the
 * VMA write-locked when it checks again, drops the count and wakes the
 * writer if it was the last.  The VMA array does not change while a
 * writer waits: every change needs mmap_sem for write, which the waiter
 * holds.
 */
#include "config.h"

#include "sim/kernel/cacheline.h"
#include "sim/kernel/vma-lock.h"

static void vma_read_release(struct vm_area_struct *vma)
{
	struct sim_task *w;

	g_assert(vma->vm_lock_readers > 0);
	if (--vma->vm_lock_readers || !vma->vm_lock_waiter)
		return;
	w = vma->vm_lock_waiter;
	vma->vm_lock_waiter = NULL;
	sim_wake(w);
}

bool vma_start_read(struct sim_task *t, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	/* A plain read of both sequences: no atomic, no transfer. */
	if (vma_write_locked(vma))
		return false;
	/* down_read_trylock(): the atomic pins the VMA, then stalls. */
	vma->vm_lock_readers++;
	cacheline_access(&vma->vm_lock_line, mm->line_cost, t);
	if (vma_write_locked(vma)) {
		/* A writer came while the line moved: it waits for us. */
		vma_read_release(vma);
		return false;
	}
	return true;
}

void vma_end_read(struct sim_task *t, struct vm_area_struct *vma)
{
	cacheline_access(&vma->vm_lock_line, vma->vm_mm->line_cost, t);
	vma_read_release(vma);
}

void vma_start_write_wait(struct sim_task *t, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	vma_start_write(vma);
	if (!t) {
		g_assert(vma->vm_lock_readers == 0);
		return;
	}
	g_assert(rwsem_is_write_holder(&mm->mmap_sem, t));
	if (!vma->vm_lock_readers)
		return;
	/* down_write(&vm_lock): the atomic, then sleep until the readers
	 * are gone. */
	cacheline_access(&vma->vm_lock_line, mm->line_cost, t);
	while (vma->vm_lock_readers) {
		g_assert(!vma->vm_lock_waiter);
		vma->vm_lock_waiter = t;
		sim_block(t);
	}
}

void vma_start_write_range(struct sim_task *t, struct mm_struct *mm, uint64_t start,
			   uint64_t nr_pages)
{
	uint64_t end = start + nr_pages;

	for (unsigned int i = 0; i < mm_map_count(mm); i++) {
		struct vm_area_struct *vma = mm_vma(mm, i);

		if (vma->vm_end < start)
			continue;
		if (vma->vm_start > end)
			break;
		vma_start_write_wait(t, vma);
	}
}

struct vm_area_struct *lock_vma_under_rcu(struct sim_task *t, struct mm_struct *mm,
					  uint64_t addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);	/* mas_walk() */

	if (!vma || !vma_start_read(t, vma))
		return NULL;
	/* Pinned and not write-locked: it cannot have changed since the
	 * lookup, but check the range as the kernel does. */
	if (addr < vma->vm_start || addr >= vma->vm_end) {
		vma_end_read(t, vma);
		return NULL;
	}
	return vma;
}
