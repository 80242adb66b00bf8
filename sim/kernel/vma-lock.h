/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-VMA locks (Linux 6.4+: include/linux/mm.h vma_start_read(),
 * vma_end_read(), vma_start_write(); mm/memory.c lock_vma_under_rcu()).
 *
 * Each VMA has a small reader/writer lock and a sequence number
 * (vm_lock_seq); the mm has one too (mm_lock_seq).  A VMA is write-locked
 * while vm_lock_seq == mm_lock_seq; mmap_write_unlock() bumps mm_lock_seq
 * and so releases every VMA write-locked under that hold at once
 * (vma_end_write_all()).
 *
 *	readers   a fault finds the VMA without mmap_sem ("under RCU") and
 *	          read-trylocks it: never sleeps; fails if the VMA is
 *	          write-locked or a writer waits for it (down_read_trylock()
 *	          failing on a contended rw_semaphore).  The read lock is an
 *	          atomic on the lock word's cache line (sim/kernel/cacheline.h):
 *	          one VMA per thread keeps each line on its thread's CPU,
 *	          one shared VMA moves it as mmap_sem's moves.
 *	writers   hold mmap_sem for write; vma_start_write_wait()
 *	          (sim/kernel/mm.h: every writer is an mm operation) marks
 *	          the VMA write-locked (new readers fail from then on) and
 *	          sleeps until its readers are gone (the kernel's down_write
 *	          of vm_lock).  mm.c's do_munmap(), do_mprotect() and
 *	          mmap_region() call vma_start_write_range() first, for every
 *	          VMA they may change: those overlapping the range and the
 *	          adjacent neighbours they may merge with.
 *
 * Representation (fields of struct vm_area_struct): vm_lock_readers, the
 * readers holding it; vm_lock_waiter, the one writer waiting for them
 * (there is at most one: it holds mmap_sem for write); vm_lock_line.
 * Memory safety: a reader's count pins the VMA (a writer waits for it
 * before changing or freeing it), so the count is raised before the
 * atomic's stall and checked again after, as the kernel rechecks
 * vm_lock_seq after down_read_trylock().
 *
 * This is the reader side, above mm.c: it uses the mm's VMAs, and mm.c
 * never calls it.
 */
#ifndef FAULTSIM_SIM_VMA_LOCK_H
#define FAULTSIM_SIM_VMA_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/kernel/mm.h"

/* Read-trylock @vma as @t (may stall on the lock word, never sleeps):
 * true with the lock held. */
bool vma_start_read(struct sim_task *t, struct vm_area_struct *vma);
/* vma_end_read(), in faultsim/mm.h: release @t's read lock of @vma,
 * waking a writer waiting for the last reader. */
/* lock_vma_under_rcu(), in faultsim/mm.h: the VMA containing @addr,
 * read-locked for @t, without mmap_sem; NULL if none or the trylock failed
 * (VMA_LOCK_ABORT: the caller counts it and falls back to mmap_sem). */

#endif /* FAULTSIM_SIM_VMA_LOCK_H */
