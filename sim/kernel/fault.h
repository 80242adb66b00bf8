/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page-fault path, after arch/x86/mm/fault.c, mm/memory.c and
 * mm/filemap.c, as simulated-thread code:
 *
 *	do_user_addr_fault()          entry cost, mmap_read_lock(), find_vma(),
 *	                              access check, the retry loop
 *	  handle_mm_fault()           the pte: none, swap entry or present
 *	    do_anonymous_page()       allocate + zero a page, install the pte
 *	    do_swap_page()            swapin_page(), lock_page_or_retry()
 *	    do_read_fault()           fault-around (map_pages slot), then ->fault
 *	      filemap_fault()         the io slot's version (hold: 4.19, drop: 5.1+)
 *	    do_shared_fault()         ->fault, page_mkwrite, map writable,
 *	                              fault_dirty_shared_page()
 *	    do_cow_fault()            ->fault, copy into an anonymous page
 *	    do_wp_page()              a write through a read-only pte:
 *	      wp_page_reuse()         the mm's own anonymous page: make the
 *	                              pte writable (no fork: always reused)
 *	      wp_page_shared()        a shared file page: page_mkwrite, pte
 *	                              writable, fault_dirty_shared_page()
 *	      wp_page_copy()          a private file page: allocate, copy,
 *	                              install the copy under the pte lock
 *	    finish_fault()            install the pte
 *
 * Write faults and dirty pages (mm/memory.c, 4.19 to 6.x).  A file page
 * is mapped read-only (read faults, fault-around): the first write
 * through a shared mapping faults (do_wp_page() -> wp_page_shared()),
 * and so does the first write after writeback cleaned the page (its
 * page_mkclean() write-protects the ptes).  ->page_mkwrite is
 * filemap_page_mkwrite() (ext4_page_mkwrite() does the same for a page
 * with blocks): cost fault.page_mkwrite, lock_page(), re-check the
 * mapping (truncated: VM_FAULT_NOPAGE), set_page_dirty(), and with stable
 * writes wait for the page's writeback (wait_for_stable_page()).  Then
 * fault_dirty_shared_page() unlocks the page and hands the throttling to
 * the dirty_throttle slot (struct fs_dirty_throttle_policy): hold (before
 * 5.5) calls balance_dirty_pages_ratelimited() under mmap_sem; drop
 * (89b15332af7c, 5.5 and 5.4.9+) releases it first and returns
 * VM_FAULT_RETRY.  Under the VMA lock, do_shared_fault() and
 * wp_page_shared() are file faults (VMA_LOCK_FILE_FAULT coverage).  The
 * zero page is not modelled: an anonymous read fault allocates, as with
 * mm_forbids_zeropage(), so anonymous pages never need a copy (no fork).
 * Throttling needs a writeback (fault_sys_set_writeback(),
 * sim/kernel/writeback.h); without one, nothing sleeps there.
 *
 * Fault flags.  FAULT_FLAG_ALLOW_RETRY lets the handler release mmap_sem
 * to wait (the page lock, I/O) and return VM_FAULT_RETRY, mmap_sem
 * already released; FAULT_FLAG_TRIED marks an attempt after a retry;
 * FAULT_FLAG_RETRY_NOWAIT asks to return VM_FAULT_RETRY without waiting
 * (with mmap_sem still held).  What the arch handler does with the flags
 * on a retry, and whether an attempt may drop mmap_sem, is the retry
 * slot (struct fs_fault_retry_policy):
 *	once        (<= 5.6) the retry clears ALLOW_RETRY and sets TRIED: at
 *	            most one retry, the second attempt blocks holding mmap_sem
 *	first-drop  (5.7+, 4064b9827063) ALLOW_RETRY kept, TRIED added: retries
 *	            are unlimited but only the first attempt may drop mmap_sem
 *	            (fault_flag_allow_retry_first())
 *	unlimited   (the 2019 RFC as posted) every attempt may drop and retry
 *
 * Policy slots called from here (each an ops table, version first):
 *	retry       struct fs_fault_retry_policy (above)
 *	io          struct fs_fault_io_policy: the ->fault of file VMAs
 *	            (filemap_fault as before 5.1, or as 5.1+ with
 *	            maybe_unlock_mmap_for_io())
 *	map_pages   struct fs_fault_map_pages_policy: the ->map_pages of
 *	            file VMAs (fault-around), NULL op: no fault-around
 *	fault_lock  struct fs_fault_lock_policy: how the VMA is found and
 *	            held: mmap (mmap_sem), per-vma-6.4, per-vma-6.6, per-vma
 *	            (6.7 coverage, 6.8 retry rule): lock_vma_under_rcu() first,
 *	            sim/kernel/vma-lock.h; spf (speculative, never merged)
 *
 * The per-VMA lock path (arch/x86/mm/fault.c, 6.4+).  Before mmap_sem, the
 * policy's lock_vma() read-locks the VMA of the address without mmap_sem;
 * on failure (counted by the policy: "vmaLockAbort") or an access error,
 * the fault takes mmap_sem as before.  Otherwise handle_mm_fault() runs
 * with vmf->vma_locked: a handler that drops "mmap_sem" releases the VMA
 * lock instead (fault_drop_mmap()).  What runs under the VMA lock is
 * the policy's coverage (VMA_LOCK_* in vma_lock_covers, by kernel
 * version): a handler reached by a fault of a kind not covered returns
 * VM_FAULT_RETRY at once without waiting (vma_lock_not_covered();
 * "vmaLockNotCovered", which the policy also counts for a VMA it refuses
 * for its type).  Done without VM_FAULT_RETRY: "vmaLockSuccess"; with
 * it: "vmaLockRetry", and the fault goes on under mmap_sem, with
 * FAULT_FLAG_TRIED added if the attempt was major and the policy has
 * major_retry_tried (6.8, 46e714c729c8).  The VMA-lock attempt itself
 * never carries TRIED, so it is a first attempt and may drop; without
 * major_retry_tried so is the mmap_sem attempt after it: with first-drop
 * a fault can drop twice (6.6 and 6.7; 6.4 covers nothing that waits).
 * "vmaLockFallback" counts every fault that went on to mmap_sem after
 * trying the VMA lock.  A speculative policy (version 2 op
 * speculative_fault) is tried before all that; policies/fault-lock-spf.c
 * says what it handles and counts ("spfSuccess", "spfAbort",
 * "spfFallback").
 *
 * Costs.  Every CPU cost is a parameter (struct fault_params, which the
 * model reads from the keys fault.*), spent with cpu_work() on the
 * faulting task.  The defaults split KERNEL.md's ~1.1 us minor anonymous
 * fault (pft on an Ice Lake core): entry/exit 150 ns, VMA lookup 50 ns,
 * allocation 100 ns (40 ns from the CPU's page list, 60 ns a page of
 * the zone lock's refills), zeroing 700 ns, pte install 100 ns (80 ns,
 * and 20 ns a page of the LRU batch's move under the lruvec lock): the
 * refills and the LRU moves are critical sections on shared lines,
 * sim/kernel/mm-lines.h, paid by the fault that finds its CPU's batch
 * empty or full.  (With the
 * pmd-seq khugepaged policy a pte lock also checks the pmd's sequence
 * count, a plain load, and the first pte of a pmd pays pmd_lock()'s
 * atomic: sim/kernel/khugepaged.h.)  The page-table lock of an anonymous
 * fault is a line (split PTL, one per pte table: mm_anon_fault_lines()),
 * not a sleeping lock: it is held for the pte install only; a racing
 * fault that finds the pte filled backs off as pte_same() failing does
 * (-EEXIST from mm_map_page).
 *
 * The file readahead state.  The kernel keeps it in struct file, pinned
 * across a drop of mmap_sem; here it is the VMA's (vma->vm_ra), which a
 * writer may free while mmap_sem is dropped.  So a fault that drops
 * mmap_sem works on a copy (vmf->ra_pinned) and the next attempt writes
 * it back into the VMA it finds if it maps the same file: a racy update,
 * as the kernel's unlocked f_ra updates are.
 *
 * Minor and major faults, as the retry policy's mm_account_fault says:
 * up to 5.8 (once, unlimited) a fault is major if any of its attempts
 * returned VM_FAULT_MAJOR (the page was not cached, or swap I/O was
 * started), as x86's do_user_addr_fault() ORed it over the attempts;
 * from 5.9 (first-drop; mm_account_fault(), bce617edecad) if its final
 * attempt returned VM_FAULT_MAJOR or carries FAULT_FLAG_TRIED, so every
 * retried fault is major, even one that only waited for a page lock.
 *
 * Measurements (module "fault"): counters "faults", "majfault",
 * "minfault", "retry" (VM_FAULT_RETRY returns), "mmapSemDrop" (attempts
 * that released mmap_sem to wait), "lockPageOrRetryDrop" (drops to wait
 * for a locked page), "ioDrop" (drops before readahead or readpage),
 * "faultAroundMapped" (ptes installed by fault-around),
 * "faultAroundFallback" (fault-around ran, the faulting page was cached
 * but not mapped by it, and ->fault had to run), "sigsegv", "oom", the
 * fault_lock ones above ("vmaLock*", "spf*"), "wpReuse", "wpCopy",
 * "wpShared" (do_wp_page() outcomes), "pageMkwrite", "dirtyThrottleDrop"
 * (mmap_sem drops before balance_dirty_pages()); histograms "latency" (every
 * fault), "minorLatency", "majorLatency" (ns), "spfLatency",
 * "vmaLockLatency", "mmapLockLatency" (ns, by the lock that finished the
 * fault), "retries" (per fault), "drops" (mmap_sem drops per fault),
 * "attempts"; scalars "faultsPerSec", "minfaultPerSec", "majfaultPerSec"
 * (faults/s over the measured time, fault_stats_finish()).  Each declares
 * its unit and description (`faultsim list metrics`).
 */
#ifndef FAULTSIM_SIM_FAULT_H
#define FAULTSIM_SIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>
#include "faultsim/fault.h"
#include "sim/core/dist.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/writeback.h"

/* The fault flags, vm_fault_t and VM_FAULT_*, the policy tables and the
 * helpers the policies build on are the plugin interface's:
 * include/faultsim/fault.h. */

/* ------------------------------------------------------------------ */
/* The fault machinery of one machine */

/* The costs of enum fault_cost (include/faultsim/fault.h). */
#define FAULT_NR_COSTS		(FAULT_COST_TOUCH + 1)

/* CPU costs, ns (keys fault.*). */
struct fault_params {
	sim_time_t entry;		/* exception entry/exit, flag set-up */
	sim_time_t vma_lookup;		/* find_vma() + access check */
	sim_time_t alloc;		/* page allocation (anon, cow) */
	sim_time_t zero;		/* clear_page() */
	sim_time_t copy;		/* copy_user_highpage() (cow) */
	sim_time_t pte_install;		/* finish_fault(): ptl, set_pte, rmap */
	sim_time_t filemap;		/* filemap_fault() lookup and checks */
	sim_time_t map_page;		/* fault-around, per page mapped */
	sim_time_t fault_around;	/* fault-around, once a call */
	/* 6.18+ (357b92761d94, 19773df031bc): fault-around maps each large
	 * folio of its window whole, and a read fault's finish_fault() its
	 * folio, when the folio lies in the VMA, in one page table and
	 * within i_size. */
	bool around_folio;
	sim_time_t swapin;		/* do_swap_page() bookkeeping */
	sim_time_t touch;		/* an access through a present pte */
	sim_time_t page_mkwrite;	/* ->page_mkwrite: file_update_time(), fs checks */
	struct sim_dist *page_mkwrite_dist;	/* its distribution, or NULL */
	/* A cost the scenario gave as a distribution, by enum fault_cost
	 * (NULL: the constant above, nothing drawn); the params' maker owns
	 * them (fault_params_clear()), alive as long as a fault_sys uses
	 * them.  fault_cost() draws. */
	struct sim_dist *dist[FAULT_NR_COSTS];
};

struct fault_stats {
	uint64_t *faults, *majfault, *minfault, *retry, *mmap_drop, *lock_page_drop,
		 *io_drop, *fa_mapped, *fa_fallback, *sigsegv, *oom;
	uint64_t *vma_lock_success, *vma_lock_retry, *vma_lock_abort, *vma_lock_fallback,
		 *vma_lock_not_covered, *spf_success, *spf_abort, *spf_fallback;
	uint64_t *wp_reuse, *wp_copy, *wp_shared, *page_mkwrite, *dirty_drop;
	struct sim_hist *latency, *minor_latency, *major_latency, *retries, *drops, *attempts;
	/* Latency by the lock that finished the fault (fault_lock slot). */
	struct sim_hist *spf_latency, *vma_latency, *mmap_latency;
	/* Rates over the measured time (fault_stats_finish()). */
	double *faults_per_s, *minfault_per_s, *majfault_per_s;
};

struct fault_sys {
	struct sim_engine *eng;
	struct fault_params p;
	const struct fs_fault_retry_policy *retry;
	const struct fs_fault_io_policy *io;
	const struct fs_fault_map_pages_policy *map_pages;
	const struct fs_fault_lock_policy *fault_lock;
	/* Dirty throttling of write faults on shared file pages
	 * (fault_sys_set_writeback(); NULL: none). */
	struct bdi_writeback *wb;
	const struct fs_dirty_throttle_policy *dirty_throttle;
	struct fault_stats st;
	struct sim_trace *trace;	/* sim/core/trace.h; NULL: not tracing */
	gsl_rng *rng;			/* "fault.costs": draws of p.dist[] */
};

/*
 * What one attempt of a fault carries down the path (struct vm_fault;
 * opaque to the policies, which read it through vmf_*()).  @ra points at
 * the VMA's readahead state while mmap_sem is held, at @ra_pinned once a
 * handler dropped it (fault_drop_mmap()).  @attempt and @fault_drops are
 * the retry policy's struct fs_fault_retry_state, with @flags and @drops.
 */
struct vm_fault {
	struct fault_sys *fs;
	struct sim_task *t;
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* NULL once mmap_sem is released */
	struct address_space *mapping;	/* vma->vm_file, pinned */
	struct file_ra_state *ra;
	struct file_ra_state ra_pinned;
	unsigned int flags;
	uint64_t address;
	pgoff_t pgoff;
	struct page *page;		/* ->fault's result */
	bool seq_read, rand_read;	/* VM_SEQ_READ, VM_RAND_READ */
	bool dropped;			/* mmap_sem released in this attempt */
	bool vma_locked;		/* under the VMA's lock, not mmap_sem */
	unsigned int attempt;		/* 1 for the fault's first */
	unsigned int fault_drops;	/* the fault's drops before this attempt */
	unsigned int drops;		/* this attempt's drops */
	unsigned int pmd_seq;		/* the pmd's count when the pte was read */
	unsigned int nr_dirtied;	/* pages this attempt dirtied (set_page_dirty()) */
	bool dirtying;			/* in the dirty_throttle policy */
};

/* The costs above (the defaults of the model's keys fault.*), all
 * constant. */
void fault_params_init(struct fault_params *p);
/* Free @p's distributions (the constants stay). */
void fault_params_clear(struct fault_params *p);
/* Set @fs up on @eng with the costs @p (NULL: fault_params_init()'s) and
 * one policy of each slot, all required (an incomplete table is a
 * programming error); measurements from the engine's registry. */
void fault_sys_init(struct fault_sys *fs, struct sim_engine *eng, const struct fault_params *p,
		    const struct fs_fault_retry_policy *retry,
		    const struct fs_fault_io_policy *io,
		    const struct fs_fault_map_pages_policy *map_pages,
		    const struct fs_fault_lock_policy *fault_lock);
/* Throttle write faults that dirty shared file pages through @wb, with
 * the dirty_throttle policy @dirty_throttle (both required). */
void fault_sys_set_writeback(struct fault_sys *fs, struct bdi_writeback *wb,
			     const struct fs_dirty_throttle_policy *dirty_throttle);
/* At the end of a run: the fault rates over the time since @since (the
 * end of the warm-up).  The counters are the machine's (module "fault"),
 * so any fault_sys of the engine sets the same values. */
void fault_stats_finish(struct fault_sys *fs, sim_time_t since);

/*
 * A user access to page @addr of @mm that found no usable pte: the x86
 * fault handler.  Takes mmap_sem for read (releases it before returning)
 * and retries as the retry policy says.  Returns 0, or -EFAULT (no VMA,
 * or no access: SIGSEGV), -ENOMEM, -EIO.  @major (may be NULL) tells
 * whether it was a major fault.
 */
int do_user_addr_fault(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
		       uint64_t addr, bool write, bool *major);
/* One access: a present pte costs fault.touch (mm_touch()), else a fault.
 * Returns as do_user_addr_fault(). */
int fault_touch(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
		uint64_t addr, bool write, bool *faulted, bool *major);
/*
 * The same for a task that goes on computing: the access is made at once
 * and its cost is left in *@owed for the caller's next step (its next
 * cpu_work(), or the next access's, which pays *@owed first: with the
 * fault's entry cost if it faults), so that an access and the work after
 * it are one step.  *@owed is what the caller owed on entry.
 */
int fault_touch_owed(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
		     uint64_t addr, bool write, bool *faulted, bool *major, sim_time_t *owed);

/* One attempt on @vma, mmap_sem held for read; with VM_FAULT_RETRY it
 * returns with mmap_sem released. */
vm_fault_t handle_mm_fault(struct vm_fault *vmf);

/* ------------------------------------------------------------------ */
/* For the policies: the helpers of include/faultsim/fault.h
 * (maybe_unlock_mmap_for_io(), lock_page_or_retry(), the fault's
 * readahead, fault-around's pte install) are defined in fault.c, the
 * accessors (vmf_*(), fault_cost(), count_fault_event()) in
 * plugin-api.c. */

/* MMAP_LOTSAMISS */
#define MMAP_LOTSAMISS		100

#endif /* FAULTSIM_SIM_FAULT_H */
