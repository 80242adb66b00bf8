/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slots retry, io, map_pages and fault_lock: the page-fault path
 * (sim/kernel/fault.h in the source tree says what it models), the fault
 * flags and vm_fault_t, struct vm_fault, and the helpers the built-in
 * filemap_fault() and filemap_map_pages() versions are made of.
 *
 * struct vm_fault is opaque: a policy reads the fault through vmf_*()
 * and gives ->fault's result with vmf_set_page().  The fault path's CPU
 * costs (the keys fault.*) are read with fault_cost(): a policy spends
 * them with cpu_work() where the kernel path it models does the work.
 */
#ifndef FAULTSIM_FAULT_H
#define FAULTSIM_FAULT_H

#include "faultsim/types.h"
#include "faultsim/mm.h"
#include "faultsim/task.h"

G_BEGIN_DECLS

struct fs_plugin_registrar;
/* The fault machinery of one machine (its costs, policies, counters). */
struct fault_sys;
/* One attempt at one fault (include/linux/mm.h struct vm_fault). */
struct vm_fault;

/* ------------------------------------------------------------------ */
/* Fault flags and results */

/* enum fault_flag */
#define FAULT_FLAG_WRITE		0x01u
#define FAULT_FLAG_ALLOW_RETRY		0x04u
#define FAULT_FLAG_RETRY_NOWAIT		0x08u
#define FAULT_FLAG_KILLABLE		0x10u
#define FAULT_FLAG_TRIED		0x20u
#define FAULT_FLAG_USER			0x40u
#define FAULT_FLAG_DEFAULT		(FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE)

/* The first attempt of a fault that may retry (5.7+). */
static inline bool fault_flag_allow_retry_first(unsigned int flags)
{
	return (flags & FAULT_FLAG_ALLOW_RETRY) && !(flags & FAULT_FLAG_TRIED);
}

/* vm_fault_t */
typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM		0x0001u
#define VM_FAULT_SIGBUS		0x0002u
#define VM_FAULT_MAJOR		0x0004u
#define VM_FAULT_SIGSEGV	0x0040u
#define VM_FAULT_NOPAGE		0x0100u
#define VM_FAULT_LOCKED		0x0200u
#define VM_FAULT_RETRY		0x0400u
#define VM_FAULT_ERROR		(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)

/* ------------------------------------------------------------------ */
/* The fault machinery: costs and counters */

/* The CPU costs of the fault path (keys fault.*, ns). */
enum fault_cost {
	FAULT_COST_ENTRY,		/* exception entry and exit */
	FAULT_COST_VMA_LOOKUP,		/* find_vma() and the access check */
	FAULT_COST_ALLOC,		/* a page allocation */
	FAULT_COST_ZERO,		/* clear_page() */
	FAULT_COST_COPY,		/* copy_user_highpage() */
	FAULT_COST_PTE_INSTALL,		/* finish_fault(): ptl, set_pte, rmap */
	FAULT_COST_FILEMAP,		/* filemap_fault()'s lookup and checks */
	FAULT_COST_MAP_PAGE,		/* fault-around, per page mapped */
	FAULT_COST_SWAPIN,		/* do_swap_page()'s bookkeeping */
	FAULT_COST_TOUCH,		/* an access through a present pte */
};
FS_API sim_time_t fault_cost(const struct fault_sys *fs, enum fault_cost which);

/* The events the fault_lock policies count (module "fault"), as the
 * kernel's count_vm_vma_lock_event(). */
enum fault_event {
	VMA_LOCK_ABORT,		/* "vmaLockAbort": no VMA lock taken */
	SPF_SUCCESS,		/* "spfSuccess": a speculative fault done */
	SPF_ABORT,		/* "spfAbort": its sequence check failed */
	SPF_FALLBACK,		/* "spfFallback": not tried speculatively */
	VMA_LOCK_NOT_COVERED,	/* "vmaLockNotCovered": a VMA or a fault this
				 * kernel does not handle under the VMA lock */
};
FS_API void count_fault_event(struct fault_sys *fs, enum fault_event event);

/* ------------------------------------------------------------------ */
/* struct vm_fault */

/* The fault machinery and the task of the fault. */
FS_API struct fault_sys *vmf_fault_sys(const struct vm_fault *vmf);
FS_API struct sim_task *vmf_task(const struct vm_fault *vmf);
FS_API struct mm_struct *vmf_mm(const struct vm_fault *vmf);
/* The VMA; NULL once this attempt released mmap_sem (a writer may have
 * changed or freed it). */
FS_API struct vm_area_struct *vmf_vma(const struct vm_fault *vmf);
/* The VMA's file (pinned: usable after a drop), NULL if anonymous. */
FS_API struct address_space *vmf_mapping(const struct vm_fault *vmf);
/* FAULT_FLAG_* of this attempt. */
FS_API unsigned int vmf_flags(const struct vm_fault *vmf);
/* The faulting address (a page number) and its page in the file. */
FS_API uint64_t vmf_address(const struct vm_fault *vmf);
FS_API pgoff_t vmf_pgoff(const struct vm_fault *vmf);
/* Whether this attempt released mmap_sem (or its VMA lock): it must then
 * return VM_FAULT_RETRY. */
FS_API bool vmf_dropped(const struct vm_fault *vmf);
/* ->fault's result: @page, locked and referenced, with VM_FAULT_LOCKED. */
FS_API void vmf_set_page(struct vm_fault *vmf, struct page *page);

/* ------------------------------------------------------------------ */
/* Helpers of the fault path (mm/filemap.c, mm/internal.h) */

/* Release mmap_sem for a blocking step if this attempt may (the retry
 * policy; not with FAULT_FLAG_RETRY_NOWAIT), pinning the file and its
 * readahead state; true if mmap_sem is released now (before or here).
 * Counted as "ioDrop". */
FS_API bool maybe_unlock_mmap_for_io(struct vm_fault *vmf);
/* The same before waiting for a locked page ("lockPageOrRetryDrop"). */
FS_API bool maybe_unlock_mmap_for_lock(struct vm_fault *vmf);
/* Release mmap_sem unconditionally (the caller decided). */
FS_API void fault_drop_mmap(struct vm_fault *vmf);
/* lock_page_or_retry(): true with the page locked; false when it returned
 * without the lock (mmap_sem released and the page waited for, or
 * RETRY_NOWAIT with mmap_sem held). */
FS_API bool lock_page_or_retry(struct vm_fault *vmf, struct page *page);
/* do_sync_mmap_readahead()'s test: whether it reads (not for VM_RAND_READ,
 * nor with readahead off, nor after MMAP_LOTSAMISS misses; counts the
 * miss); ask before deciding to drop mmap_sem.  Then its I/O: sync
 * readahead (VM_SEQ_READ) or the read-around window of the fault. */
FS_API bool fault_sync_readahead_wanted(struct vm_fault *vmf);
FS_API void fault_sync_readahead(struct vm_fault *vmf);
/* do_async_mmap_readahead(): counts the hit and says whether @page is a
 * PG_readahead marker to read ahead from; then the readahead. */
FS_API bool fault_async_readahead_wanted(struct vm_fault *vmf, struct page *page);
FS_API void fault_async_readahead(struct vm_fault *vmf, struct page *page);
/* page_cache_read(): add page vmf_pgoff() (locked, not uptodate) and
 * start its read; 0, -EEXIST (look again) or -ENOMEM. */
FS_API int fault_page_cache_read(struct vm_fault *vmf);
/* A page fault-around found cached: the file's mmap_miss count goes down
 * (filemap_map_pages()). */
FS_API void fault_around_hit(struct vm_fault *vmf);
/* Fault-around installs uptodate @page (locked by the caller) at @addr:
 * FAULT_COST_MAP_PAGE and mm_map_page(); true if it mapped it. */
FS_API bool fault_around_set_pte(struct vm_fault *vmf, uint64_t addr, struct page *page);

/* ------------------------------------------------------------------ */
/* The slots */

#define FS_FAULT_RETRY_POLICY_VERSION		3
#define FS_FAULT_IO_POLICY_VERSION		1
#define FS_FAULT_MAP_PAGES_POLICY_VERSION	1
#define FS_FAULT_LOCK_POLICY_VERSION		3
#define FS_DIRTY_THROTTLE_POLICY_VERSION	1

/* Where a fault stands, for the retry policy: the flags of the attempt,
 * which attempt it is (1: the first; a per-VMA lock attempt counts), and
 * how many times the fault released mmap_sem (or a VMA lock) so far, in
 * every attempt including this one. */
struct fs_fault_retry_state {
	unsigned int flags;
	unsigned int attempt;
	unsigned int drops;
};

/* Slot retry: what the arch fault handler does with the flags on a
 * VM_FAULT_RETRY, whether an attempt may release mmap_sem to wait, and how
 * the finished fault is accounted (major or minor).  Version 2 (plugin
 * ABI 2) gives both operations the fault's state, where version 1 gave
 * them the flags alone; version 3 (plugin ABI 4) adds mm_account_fault. */
struct fs_fault_retry_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	/* The flags of the next attempt, after attempt @st->attempt (whose
	 * flags were @st->flags) returned VM_FAULT_RETRY. */
	unsigned int (*retry_flags)(const struct fs_fault_retry_state *st);
	/* Whether the attempt may release mmap_sem to wait
	 * (lock_page_or_retry(), maybe_unlock_mmap_for_io()). */
	bool (*may_drop)(const struct fs_fault_retry_state *st);
	/*
	 * Version 3.  true: a fault is major if its final attempt returned
	 * VM_FAULT_MAJOR or carries FAULT_FLAG_TRIED, i.e. every retried fault
	 * is (mm_account_fault() in handle_mm_fault(), 5.9: bce617edecad).
	 * false (and tables of version < 3): major if any attempt returned
	 * VM_FAULT_MAJOR, as x86's do_user_addr_fault() counted up to 5.8.
	 */
	bool mm_account_fault;
};

/* Slot io: the ->fault of file VMAs (filemap_fault()).  Called with
 * mmap_sem (or the VMA's lock) held; returns VM_FAULT_LOCKED having set
 * the page (vmf_set_page()), or VM_FAULT_RETRY having released mmap_sem
 * (vmf_dropped()), or an error; VM_FAULT_MAJOR if it read the page. */
struct fs_fault_io_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	vm_fault_t (*fault)(struct vm_fault *vmf);
};

/* Slot map_pages: map the cached pages [@start_pgoff, @end_pgoff] of the
 * file around the fault, mmap_sem held (NULL op: no fault-around).
 * Returns the ptes installed. */
struct fs_fault_map_pages_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	unsigned long (*map_pages)(struct vm_fault *vmf, pgoff_t start_pgoff,
				   pgoff_t end_pgoff);
};

/*
 * What a kernel version handles under the per-VMA lock
 * (fs_fault_lock_policy.vma_lock_covers), by fault kind.  A VMA whose
 * faults are not covered at all is refused by lock_vma (the policy's
 * business: count VMA_LOCK_ABORT and VMA_LOCK_NOT_COVERED); a fault of a
 * kind not covered returns VM_FAULT_RETRY from the VMA-lock attempt
 * without waiting (the arch handler releases the VMA lock) and goes on
 * under mmap_sem, counted "vmaLockRetry" and "vmaLockNotCovered".
 * userfaultfd (refused by 6.4's lock_vma_under_rcu(), handled from 6.6)
 * is not modelled, nor is the anon_vma test of lock_vma_under_rcu() (an
 * anonymous VMA's first fault, which sets up its anon_vma, takes
 * mmap_sem in the kernel; here every anonymous VMA is taken as having
 * one).
 */
#define VMA_LOCK_ANON		0x01u	/* anonymous VMAs: do_anonymous_page(), and
					 * faults on a present pte (6.4) */
#define VMA_LOCK_SWAP		0x02u	/* do_swap_page() (6.6; 6.4 returns RETRY) */
#define VMA_LOCK_FAULT_AROUND	0x04u	/* file VMAs: fault-around (->map_pages) and
					 * faults on a present pte (6.6) */
#define VMA_LOCK_FILE_FAULT	0x08u	/* file VMAs: ->fault for read, COW and
					 * shared faults (6.7: vmf_can_call_fault()) */
#define VMA_LOCK_COVERS_ALL	(VMA_LOCK_ANON | VMA_LOCK_SWAP | VMA_LOCK_FAULT_AROUND | \
				 VMA_LOCK_FILE_FAULT)

/* Slot fault_lock.  @lock_vma: find and read-lock the VMA of the fault
 * without mmap_sem (a per-VMA read lock, released with vma_end_read()),
 * NULL to take the mmap_sem path (NULL op: always).  Version 2 adds
 * @speculative_fault: try the whole fault without any lock first; true
 * if it is done, false to go on with @lock_vma / mmap_sem (NULL op:
 * never; read only from version 2 tables).  Version 3 adds what the
 * per-VMA lock path of a kernel version does (read when @lock_vma is
 * set; a table of version < 3 gets VMA_LOCK_COVERS_ALL and
 * @major_retry_tried true). */
struct fs_fault_lock_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	struct vm_area_struct *(*lock_vma)(struct fault_sys *fs, struct sim_task *t,
					   struct mm_struct *mm, uint64_t addr);
	/* version 2 */
	bool (*speculative_fault)(struct fault_sys *fs, struct sim_task *t,
				  struct mm_struct *mm, uint64_t addr, unsigned int flags);
	/* version 3 */
	/* VMA_LOCK_*: the fault kinds handled under the VMA lock. */
	unsigned int vma_lock_covers;
	/* After a VMA-lock attempt that returned VM_FAULT_RETRY with
	 * VM_FAULT_MAJOR, the mmap_sem attempt carries FAULT_FLAG_TRIED
	 * (46e714c729c8, 6.8): it may not drop again (first-drop) and is
	 * accounted major.  false: no TRIED (6.4 - 6.7), so with first-drop
	 * that attempt may drop mmap_sem too: two drops in one fault. */
	bool major_retry_tried;
};

/*
 * Slot dirty_throttle: the end of a write fault that dirtied a shared file
 * page (fault_dirty_shared_page() of mm/memory.c, called by
 * do_shared_fault() and wp_page_shared() with the page dirtied and
 * unlocked, mmap_sem or the VMA lock held): throttle the dirtier with
 * fault_balance_dirty_pages(), holding the lock or having dropped it
 * (maybe_unlock_mmap_for_io()).  Returns 0, or VM_FAULT_RETRY if it
 * dropped it (the pte is installed: the retried attempt finds it).
 */
struct fs_dirty_throttle_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	vm_fault_t (*throttle)(struct vm_fault *vmf);
};

/* balance_dirty_pages_ratelimited() of the fault's task for the pages
 * this attempt dirtied (none: the machine has no writeback, or the page
 * was dirty already, as after page_mkwrite; the task is throttled all the
 * same if its count is due).  May sleep. */
FS_API void fault_balance_dirty_pages(struct vm_fault *vmf);

/* Register @ops (kept by pointer) in its slot. */
FS_API gboolean fs_register_fault_retry_policy(struct fs_plugin_registrar *r,
					       const struct fs_fault_retry_policy *ops,
					       GError **error);
FS_API gboolean fs_register_fault_io_policy(struct fs_plugin_registrar *r,
					    const struct fs_fault_io_policy *ops, GError **error);
FS_API gboolean fs_register_fault_map_pages_policy(struct fs_plugin_registrar *r,
						   const struct fs_fault_map_pages_policy *ops,
						   GError **error);
FS_API gboolean fs_register_fault_lock_policy(struct fs_plugin_registrar *r,
					      const struct fs_fault_lock_policy *ops,
					      GError **error);
FS_API gboolean fs_register_dirty_throttle_policy(struct fs_plugin_registrar *r,
						  const struct fs_dirty_throttle_policy *ops,
						  GError **error);

G_END_DECLS

#endif /* FAULTSIM_FAULT_H */
