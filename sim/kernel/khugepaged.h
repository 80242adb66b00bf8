/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged: the kernel thread that collapses 512 small anonymous pages
 * into a huge page, after mm/khugepaged.c (khugepaged_scan_pmd(),
 * collapse_huge_page(), __collapse_huge_page_swapin()).
 *
 * One khugepaged task per address space (the kernel has one for all mms;
 * one per mm keeps the processes independent).  Every scan_sleep it scans
 * up to pages_to_scan pages of the mm's anonymous VMAs, 512-page (2 MiB)
 * ranges aligned on a pmd (address % 512 == 0) and wholly inside one VMA,
 * from where the last pass stopped.  A range is scanned under mmap_sem
 * for read (scan_pte per pte) and is worth collapsing when
 *	- it is not collapsed already (see below),
 *	- at most max_ptes_swap (64) of its ptes are swap entries,
 *	- at most max_ptes_none (511) are none,
 *	- and, if any is swapped, at least min_young (256) present ptes
 *	  are young (the kernel's referenced >= HPAGE_PMD_NR / 2 check
 *	  before swapping in).
 * Then the khugepaged policy's collapse_huge_page() runs, built from the
 * helpers below:
 *	swapin-write  (the 2016 series as first posted) everything under
 *	              mmap_sem for write: swap-in I/O included, so every
 *	              fault of the process waits for it
 *	swapin-read   (4.8+) swap in under the read lock, then take the
 *	              write lock, revalidate, copy and install
 *	pmd-seq       (argued in the thread, not merged) swap in, copy and
 *	              install under the read lock; a sequence count on the
 *	              pmd, bumped by every pte change in the range, is read
 *	              before the copy and checked at install: a change aborts
 *	              the collapse (counter collapseAborts).  Every pmd lock
 *	              pays an atomic: the fault path's pte install costs
 *	              khugepaged.pmd_seq_cost more (the model adds it to the
 *	              fault path's pte_install when it starts khugepaged).
 *
 * Simplifications (documented, on purpose):
 *	- no real huge pages: a collapsed range is its 512 small pages, all
 *	  mapped (none ptes get new zeroed anonymous pages at install), and
 *	  the range is remembered as collapsed until a scan finds one of its
 *	  ptes not present (reclaim split it);
 *	- the pmd sequence count is modelled by comparing the range's ptes
 *	  (their page or swap slot, not the hardware young and dirty bits)
 *	  at the check against a snapshot taken when the count was read: any
 *	  pte change is what a bump would record;
 *	- the huge page allocation is a CPU cost (alloc_huge) without
 *	  compaction; the copy is copy_page per page (512 of them).
 *
 * Measurements (module "khugepaged"): counters "collapses",
 * "collapseAborts" (pmd-seq checks that failed), "collapseFailed"
 * (revalidation or a swap-in that failed), "swapins" (pages swapped in),
 * "scans" (ranges scanned), "scanSkipSwap", "scanSkipYoung"; histograms
 * "collapseTime" (ns from the decision to the end) and "writeHold" (ns
 * khugepaged held mmap_sem for write per collapse).
 */
#ifndef FAULTSIM_SIM_KHUGEPAGED_H
#define FAULTSIM_SIM_KHUGEPAGED_H

#include <stdbool.h>
#include <stdint.h>
#include "faultsim/khugepaged.h"
#include "sim/core/engine.h"
#include "sim/kernel/mm.h"

struct khugepaged;
struct sim_cpus;

/* Costs (ns) and page counts; the model reads them from the keys
 * khugepaged.*. */
struct khugepaged_params {
	sim_time_t scan_sleep;		/* between passes (kernel: 10 s) */
	unsigned int pages_to_scan;	/* per pass (4096) */
	unsigned int max_ptes_swap;	/* 64 */
	unsigned int max_ptes_none;	/* 511 */
	unsigned int min_young;		/* 256 */
	sim_time_t scan_pte;		/* per pte scanned */
	sim_time_t alloc_huge;		/* allocating the huge page */
	sim_time_t copy_page;		/* per small page copied */
	sim_time_t swapin;		/* per page swapped in (bookkeeping) */
	sim_time_t pmd_seq_cost;	/* pmd-seq: atomic per pmd lock */
};

/* One collapse in progress, for the policies (opaque to them: they read
 * it through khugepaged_cc_*()). */
struct khugepaged_collapse {
	struct khugepaged *kh;
	struct sim_task *t;
	struct mm_struct *mm;
	uint64_t address;		/* first page of the range */
	unsigned int swapped;		/* at scan time */
	pte_t snap[HPAGE_PMD_NR];	/* pmd-seq: ptes when the count was read */
	sim_time_t write_locked_at;
};

/* The values above (the defaults of the model's keys khugepaged.*). */
void khugepaged_params_init(struct khugepaged_params *p);

/* Start khugepaged (a daemon task, attached to @cpus if not NULL) on @mm
 * with @p (NULL: khugepaged_params_init()'s) and the policy @ops (required,
 * with its collapse_huge_page).  What a policy's pmd lock atomics cost the
 * fault path of @mm's threads (ops->pmd_lock_atomics * p->pmd_seq_cost
 * more per pte install) is for whoever sets that fault path up. */
struct khugepaged *khugepaged_start(struct sim_engine *eng, struct sim_cpus *cpus,
				    struct mm_struct *mm, const struct khugepaged_params *p,
				    const struct fs_khugepaged_policy *ops);
/* Free @kh (NULL allowed) after the last sim_run(); its task is left to
 * the engine. */
void khugepaged_free(struct khugepaged *kh);
struct sim_task *khugepaged_task(const struct khugepaged *kh);

/* The helpers collapse_huge_page() is built from (khugepaged_revalidate(),
 * khugepaged_swapin(), khugepaged_copy(), ...; HPAGE_PMD_NR) are the
 * plugin interface's: include/faultsim/khugepaged.h.  They are defined in
 * khugepaged.c, the accessors khugepaged_cc_*() in plugin-api.c. */

#endif /* FAULTSIM_SIM_KHUGEPAGED_H */
