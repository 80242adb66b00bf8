/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-VMA locks, the reader side (see vma-lock.h); the writer side is
 * mm.c's (vma_start_write_wait()).
 *
 * Rules: vm_lock_readers changes only here; a writer sets vm_lock_seq
 * before it waits, so a reader that raised the count meanwhile sees the
 * VMA write-locked when it checks again, drops the count and wakes the
 * writer if it was the last.
 */
#include "config.h"

#include "sim/kernel/cacheline.h"
#include "sim/kernel/lockstat.h"
#include "sim/kernel/vma-lock.h"
#include "sim/core/trace.h"

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
	struct mm_lock_stats *ls = mm->lock_stats;
	bool moved;

	/* A plain read of both sequences: no atomic, no transfer. */
	if (vma_write_locked(vma))
		return false;
	/* down_read_trylock(): the atomic pins the VMA, then stalls. */
	vma->vm_lock_readers++;
	moved = cacheline_access(&vma->vm_lock_line, mm->line_cost, t);
	if (vma_write_locked(vma)) {
		/* A writer came while the line moved: it waits for us. */
		vma_read_release(vma);
		return false;
	}
	/* lock_stat (struct mm_lock_stats): the hold starts now. */
	if (ls) {
		(*ls->vma_read_acquisitions)++;
		if (moved)
			(*ls->vma_read_acq_bounces)++;
		lock_holds_start(ls->vma_read_holds, vma, t, sim_now(sim_task_engine(t)));
	}
	return true;
}

void vma_end_read(struct sim_task *t, struct vm_area_struct *vma)
{
	struct mm_lock_stats *ls = vma->vm_mm->lock_stats;

	if (ls) {
		sim_time_t held = lock_holds_end(ls->vma_read_holds, vma, t,
						 sim_now(sim_task_engine(t)));

		if (held >= 0)
			sim_hist_record(ls->vma_read_hold, (uint64_t)held);
		if (G_UNLIKELY(ls->trace) && held >= 0)
			sim_trace_task_slice(ls->trace, t, "lock", "vma_lock read",
					     sim_now(sim_task_engine(t)) - held,
					     sim_now(sim_task_engine(t)), NULL, 0);
	}
	cacheline_access(&vma->vm_lock_line, vma->vm_mm->line_cost, t);
	vma_read_release(vma);
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
