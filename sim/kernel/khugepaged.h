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
 * helpers below.  In no policy does khugepaged hold mmap_sem while it
 * waits for a swap read:
 *	swapin-write  (mmotm 2016, never in a release) swap-in and collapse
 *	              under mmap_sem for write; do_swap_page() with
 *	              FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT submits
 *	              each read and returns VM_FAULT_RETRY with the lock still
 *	              held, so a range that needed I/O fails this pass
 *	              (its pages are in the swap cache for the next one)
 *	swapin-read   (4.8 - 5.19) swap-in under the read lock with
 *	              FAULT_FLAG_ALLOW_RETRY: lock_page_or_retry() drops
 *	              mmap_sem for each read's wait; khugepaged re-takes it,
 *	              revalidates and goes on; a pte whose fault returned
 *	              RETRY stays a swap entry, so the collapse fails at
 *	              isolation (under the write lock) this pass.  (From
 *	              about 6.0 the first RETRY ends the attempt instead,
 *	              SCAN_PAGE_LOCK: not modelled.)
 *	pmd-seq       (the 2016 thread's option 2, not merged) swap-in as
 *	              swapin-read, then the collapse under the read lock and
 *	              pmd_lock(), the pmd's sequence count odd meanwhile.
 *	              The collapse wins: a fault that (re-)takes a pte lock in
 *	              the range checks the count it read at entry and backs
 *	              out (re-faults) if it changed; one that finds a collapse
 *	              in progress waits for it.  The cost is an atomic on
 *	              every pmd_lock() (khugepaged.pmd_seq_cost, on the pmd
 *	              lock's cache line), not on every pte install.
 *
 * The pmd sequence counts (struct pmd_seq_table, mm->pmd_seq; NULL unless
 * the policy has pmd_lock_atomics): one count per pmd (a 2 MiB range) and
 * one lock word per pmd table (1 GiB: the split pmd ptlock), a cache line
 * (sim/kernel/cacheline.h).  pmd_lock() callers in the model: the
 * collapse, and a fault's first pte of a range (__pte_alloc()'s
 * pmd_populate; the model marks a range populated once and never frees
 * its table).  Reads of a count are plain loads, free (cacheline.h).  A
 * fault that finds a collapse in progress sleeps until it ends (the
 * kernel's fault would re-fault until the pmd is set: a spin).
 *
 * Simplifications (documented, on purpose):
 *	- no real huge pages: a collapsed range is its 512 small pages, all
 *	  mapped (none ptes get new zeroed anonymous pages at install), and
 *	  the range is remembered as collapsed until a scan finds one of its
 *	  ptes not present (reclaim split it);
 *	- no swap readahead: each swapped pte is its own read;
 *	- the huge page allocation is a CPU cost (alloc_huge) without
 *	  compaction; the copy is copy_page per page (512 of them).
 *
 * Measurements (module "khugepaged"): counters "collapses",
 * "collapseFailed" (collapses that failed: revalidation, a swap-in error,
 * a swap pte at isolation), "collapseFailedSwapin" (of those, the ones in
 * which a swap-in returned VM_FAULT_RETRY this pass), "swapins" (pages
 * swapped in and mapped), "swapinRetry" (do_swap_page() calls that
 * returned VM_FAULT_RETRY: page locked for its read), "swapinDrops"
 * (mmap_sem released to wait for a read, swapin-read and pmd-seq),
 * "scans" (ranges scanned), "scanSkipSwap", "scanSkipYoung"; histograms
 * "collapseTime" (ns from the decision to the end) and "writeHold" (ns
 * khugepaged held mmap_sem for write per collapse).  With a pmd sequence
 * count: "pmdLocks" (pmd_lock() calls, each paying the atomic),
 * "pmdSeqRetries" (faults that found the count changed at the pte lock
 * and backed out), "pmdSeqWaits" (faults that met a collapse in
 * progress), histogram "pmdSeqWaitTime" (ns they waited).
 */
#ifndef FAULTSIM_SIM_KHUGEPAGED_H
#define FAULTSIM_SIM_KHUGEPAGED_H

#include <stdbool.h>
#include <stdint.h>
#include "faultsim/khugepaged.h"
#include "sim/core/dist.h"
#include "sim/core/engine.h"
#include "sim/kernel/mm.h"

struct khugepaged;
struct sim_cpus;

/* Costs (ns) and page counts; the model reads them from the keys
 * khugepaged.*. */
/* The costs that may be distributions (keys khugepaged.*). */
enum khugepaged_cost {
	KHUGEPAGED_COST_SCAN_PTE,
	KHUGEPAGED_COST_ALLOC_HUGE,
	KHUGEPAGED_COST_COPY_PAGE,
	KHUGEPAGED_COST_SWAPIN,
	KHUGEPAGED_NR_COSTS
};

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
	sim_time_t pmd_seq_cost;	/* pmd-seq: the atomic per pmd_lock() */
	/* The costs the scenario gave as distributions, by enum
	 * khugepaged_cost (NULL: the constant above); the params' maker owns
	 * them (khugepaged_params_clear()).  A per-page cost is drawn once
	 * per collapse. */
	struct sim_dist *dist[KHUGEPAGED_NR_COSTS];
};

/* One collapse in progress, for the policies (opaque to them: they read
 * it through khugepaged_cc_*()). */
struct khugepaged_collapse {
	struct khugepaged *kh;
	struct sim_task *t;
	struct mm_struct *mm;
	uint64_t address;		/* first page of the range */
	unsigned int swapped;		/* at scan time */
	unsigned int swapin_retries;	/* VM_FAULT_RETRY from do_swap_page() */
	sim_time_t write_locked_at;
};

/* The values above (the defaults of the model's keys khugepaged.*). */
void khugepaged_params_init(struct khugepaged_params *p);
/* Free @p's distributions (the constants stay). */
void khugepaged_params_clear(struct khugepaged_params *p);

/* Start khugepaged (a daemon task, attached to @cpus if not NULL) on @mm
 * with @p (NULL: khugepaged_params_init()'s) and the policy @ops (required,
 * with its collapse_huge_page).  A policy with pmd_lock_atomics gives @mm
 * its pmd sequence counts (mm->pmd_seq, freed by khugepaged_free()). */
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

/* ---- the pmd sequence counts, fault side (mm->pmd_seq NULL: all free,
 * no wait, nothing counted) ---- */

/* Whether a collapse is replacing @addr's pmd (its count odd). */
bool pmd_seq_collapsing(struct mm_struct *mm, uint64_t addr);
/* Sleep until the collapse of @addr's pmd, if any, has ended (counted
 * "pmdSeqWaits", "pmdSeqWaitTime"). */
void pmd_seq_wait(struct sim_task *t, struct mm_struct *mm, uint64_t addr);
/* The count of @addr's pmd, read as a fault reads the pte (plain load). */
unsigned int pmd_seq_read(struct mm_struct *mm, uint64_t addr);
/* At the pte lock: whether the count changed since @seq (a collapse ran):
 * then the fault must back out and fault again (counted). */
bool pmd_seq_retry(struct mm_struct *mm, uint64_t addr, unsigned int seq);
/* __pte_alloc(): the first pte of @addr's pmd takes pmd_lock() once, and
 * pays the atomic on the pmd lock's line. */
void pmd_seq_pte_alloc(struct sim_task *t, struct mm_struct *mm, uint64_t addr);

#endif /* FAULTSIM_SIM_KHUGEPAGED_H */
