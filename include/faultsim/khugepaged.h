/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slot khugepaged: collapse_huge_page() (mm/khugepaged.c), built
 * from the helpers below.  sim/kernel/khugepaged.h in the source tree says
 * what the scan decides and what is simplified (no real huge pages: a
 * collapsed range is its 512 small pages, all mapped).
 */
#ifndef FAULTSIM_KHUGEPAGED_H
#define FAULTSIM_KHUGEPAGED_H

#include "faultsim/types.h"
#include "faultsim/mm.h"
#include "faultsim/task.h"
#include "faultsim/fault.h"

G_BEGIN_DECLS

struct fs_plugin_registrar;

/* Pages in a huge page (a pmd's range). */
#define HPAGE_PMD_NR		512u

/* One collapse in progress: a 512-page range of an mm that the scan found
 * worth collapsing. */
struct khugepaged_collapse;

/* khugepaged's task, the mm, the range's first page, and how many of its
 * ptes were swap entries when it was scanned. */
FS_API struct sim_task *khugepaged_cc_task(const struct khugepaged_collapse *cc);
FS_API struct mm_struct *khugepaged_cc_mm(const struct khugepaged_collapse *cc);
FS_API uint64_t khugepaged_cc_address(const struct khugepaged_collapse *cc);
FS_API unsigned int khugepaged_cc_swapped(const struct khugepaged_collapse *cc);

/* ---- the steps of collapse_huge_page() ---- */

/* Allocate the huge page (cost khugepaged.alloc_huge), no lock needed. */
FS_API void khugepaged_alloc(struct khugepaged_collapse *cc);
/* hugepage_vma_revalidate(): the range is still inside one anonymous VMA
 * (mmap_sem held, for read or write). */
FS_API bool khugepaged_revalidate(struct khugepaged_collapse *cc);
/* __collapse_huge_page_swapin(): do_swap_page() on every swap pte of the
 * range with @fault_flags, mmap_sem held as the caller holds it:
 *  FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT (mmotm 2016, under the
 *	write lock): a page still locked for its read is not waited for:
 *	the read stays submitted, mmap_sem stays held, the pte stays a swap
 *	entry;
 *  FAULT_FLAG_ALLOW_RETRY (4.8+, under the read lock): lock_page_or_retry()
 *	releases mmap_sem and waits for the read without it; then mmap_sem
 *	is taken for read again and the range revalidated, and the loop goes
 *	on (4.8 - 5.19); the pte stays a swap entry.
 * Every VM_FAULT_RETRY is counted ("swapinRetry"), and the collapse then
 * fails at khugepaged_isolate_ok() this pass.  No flag waits for a read
 * holding mmap_sem.  Returns false if the collapse must stop (a revalidation
 * after a drop failed, no memory, a read error); mmap_sem is held on
 * return in every case. */
FS_API bool khugepaged_swapin(struct khugepaged_collapse *cc, unsigned int fault_flags);
/* __collapse_huge_page_isolate()'s check: no swap pte left in the range. */
FS_API bool khugepaged_isolate_ok(struct khugepaged_collapse *cc);
/* mmap_sem for write, measuring the hold ("writeHold"). */
FS_API void khugepaged_write_lock(struct khugepaged_collapse *cc);
FS_API void khugepaged_write_unlock(struct khugepaged_collapse *cc);
/* pmd-seq (the 2016 thread's option 2), around the collapse of the range:
 * begin takes pmd_lock(), makes the pmd's sequence count odd (the pmd is
 * being replaced) and releases it; end takes it again, makes the count
 * even (the huge pmd set) and wakes the faults that waited.  Each
 * pmd_lock() pays an atomic on the pmd lock's cache line
 * (khugepaged.pmd_seq_cost).  In between the collapse owns the range: a
 * fault that meets it waits, one that re-takes a pte lock of it finds the
 * count changed and backs out.  Only for policies with pmd_lock_atomics. */
FS_API void khugepaged_pmd_seq_begin(struct khugepaged_collapse *cc);
FS_API void khugepaged_pmd_seq_end(struct khugepaged_collapse *cc);
/* Copy the 512 pages into the huge page (khugepaged.copy_page each). */
FS_API void khugepaged_copy(struct khugepaged_collapse *cc);
/* Install the collapsed range (none ptes filled) and mark it collapsed. */
FS_API void khugepaged_install(struct khugepaged_collapse *cc);

/* ------------------------------------------------------------------ */
/* The slot */

#define FS_KHUGEPAGED_POLICY_VERSION	1

/* collapse_huge_page() of one range, called without mmap_sem; true if the
 * range was collapsed (counted "collapses"; false: "collapseFailed"). */
struct fs_khugepaged_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	bool (*collapse_huge_page)(struct khugepaged_collapse *cc);
	/* Atomics added to every pmd_lock() (0 or 1): 1 gives the mm a
	 * sequence count per pmd (pmd-seq), bumped under pmd_lock() at
	 * khugepaged.pmd_seq_cost each, and the fault path checks it when it
	 * takes a pte lock; pte installs pay nothing more. */
	unsigned int pmd_lock_atomics;
};

FS_API gboolean fs_register_khugepaged_policy(struct fs_plugin_registrar *r,
					      const struct fs_khugepaged_policy *ops,
					      GError **error);

G_END_DECLS

#endif /* FAULTSIM_KHUGEPAGED_H */
