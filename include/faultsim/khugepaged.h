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
/* __collapse_huge_page_swapin(): swap in every swapped pte of the range,
 * waiting for each read with mmap_sem held as the caller holds it; false
 * if one failed (then the collapse fails). */
FS_API bool khugepaged_swapin(struct khugepaged_collapse *cc);
/* __collapse_huge_page_isolate()'s check: no swap pte left in the range. */
FS_API bool khugepaged_isolate_ok(struct khugepaged_collapse *cc);
/* mmap_sem for write, measuring the hold ("writeHold"). */
FS_API void khugepaged_write_lock(struct khugepaged_collapse *cc);
FS_API void khugepaged_write_unlock(struct khugepaged_collapse *cc);
/* A pmd sequence count (pmd-seq): read it before the copy, check at the
 * pmd lock that no pte of the range changed since; an abort is counted
 * with khugepaged_count_abort() ("collapseAborts"). */
FS_API void khugepaged_pmd_seq_read(struct khugepaged_collapse *cc);
FS_API bool khugepaged_pmd_seq_same(struct khugepaged_collapse *cc);
FS_API void khugepaged_count_abort(struct khugepaged_collapse *cc);
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
	/* CPU cost added to every pte install of a fault (an atomic on the
	 * pmd lock): multiplies the key khugepaged.pmd_seq_cost (0 or 1). */
	unsigned int pmd_lock_atomics;
};

FS_API gboolean fs_register_khugepaged_policy(struct fs_plugin_registrar *r,
					      const struct fs_khugepaged_policy *ops,
					      GError **error);

G_END_DECLS

#endif /* FAULTSIM_KHUGEPAGED_H */
