/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory-management vocabulary of the plugin interface: pages and
 * their flags, the page lock, the page cache, and the address spaces of
 * processes (VMAs, ptes, mmap_sem, per-VMA locks), named as in the kernel
 * (include/linux/page-flags.h, pagemap.h, mm.h, mmap_lock.h).
 *
 * Conventions, as in the simulator (sim/kernel/page.h, mm.h):
 *	- virtual addresses (uint64_t addr) are page numbers, lengths are
 *	  page counts;
 *	- whoever gets a page with a reference (find_get_page(),
 *	  add_to_page_cache_lru(), mm_alloc_anon_page()) drops it with
 *	  put_page(), and must hold one to wait on the page;
 *	- a function that takes a struct sim_task may block it (sleep,
 *	  wait for a lock, reclaim, I/O); the others never block.
 * Everything here is what the built-in policies (policies/ in the source
 * tree) use, and they use nothing else.
 */
#ifndef FAULTSIM_MM_H
#define FAULTSIM_MM_H

#include "faultsim/types.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* struct page */

/* The page flags (enum pageflags): PG_locked is the page lock, PG_uptodate
 * valid contents, PG_error a failed read, PG_readahead the asynchronous
 * readahead marker, PG_writeback a write in flight, PG_lru, PG_active,
 * PG_referenced, PG_workingset the LRU state, PG_waiters someone waits on
 * the page, PG_reclaim reclaim asked for the write, PG_swapbacked an
 * anonymous page. */
FS_API bool PageLocked(const struct page *page);
FS_API bool PageUptodate(const struct page *page);
FS_API bool PageError(const struct page *page);
FS_API bool PageReadahead(const struct page *page);
FS_API bool PageDirty(const struct page *page);
FS_API bool PageWriteback(const struct page *page);
FS_API bool PageLRU(const struct page *page);
FS_API bool PageActive(const struct page *page);
FS_API bool PageReferenced(const struct page *page);
FS_API bool PageWorkingset(const struct page *page);
FS_API bool PageWaiters(const struct page *page);
FS_API bool PageReclaim(const struct page *page);
FS_API bool PageSwapBacked(const struct page *page);
/* Before a new read of a page whose last read failed (filemap_fault()). */
FS_API void ClearPageError(struct page *page);

/* The address space of a cached page; NULL once deleted (truncated). */
FS_API struct address_space *page_mapping(const struct page *page);
FS_API pgoff_t page_index(const struct page *page);
/* References held, and ptes mapping it. */
FS_API int page_count(const struct page *page);
FS_API int page_mapcount(const struct page *page);
/* Take a reference (the caller holds one already), drop one. */
FS_API void get_page(struct page *page);
FS_API void put_page(struct page *page);
/* An access: referenced, then activated on the second (mm/swap.c). */
FS_API void mark_page_accessed(struct page *page);
/* Mark @page dirty; true if it was clean. */
FS_API bool set_page_dirty(struct page *page);

/* ------------------------------------------------------------------ */
/* The page lock (mm/filemap.c); how waiters are woken is the page_lock
 * slot's policy. */

/* Take the lock if it is free; never blocks. */
FS_API bool trylock_page(struct page *page);
/* Take the lock, sleeping while another task holds it. */
FS_API void lock_page(struct sim_task *t, struct page *page);
/* Release it and wake (or hand it to) its waiters; never blocks. */
FS_API void unlock_page(struct page *page);
/* Sleep until the page is unlocked (or its writeback done), without
 * taking the lock. */
FS_API void wait_on_page_locked(struct sim_task *t, struct page *page);
FS_API void wait_on_page_writeback(struct sim_task *t, struct page *page);

/* ------------------------------------------------------------------ */
/* The page cache */

/* Allocation flags of add_to_page_cache_lru(). */
#define PC_GFP_KERNEL		0x0u	/* may reclaim and sleep */
#define PC_GFP_NOWAIT		0x1u	/* neither: -ENOMEM when short */

/* The cached page at @index with a reference taken, or NULL. */
FS_API struct page *find_get_page(struct address_space *mapping, pgoff_t index);
/* The same, locked (sleeping for it); NULL if not cached. */
FS_API struct page *find_lock_page(struct sim_task *t, struct address_space *mapping,
				   pgoff_t index);
/*
 * A new page at @index, locked and not uptodate, on the LRU, with the
 * cache's reference and the caller's in *@pagep (may reclaim and sleep
 * unless PC_GFP_NOWAIT).  0, -EEXIST (a page is cached there, perhaps
 * added while we slept), -EBUSY (a truncated page still held occupies the
 * slot: sleep a little and look again) or -ENOMEM.
 */
FS_API int add_to_page_cache_lru(struct sim_task *t, struct address_space *mapping,
				 pgoff_t index, unsigned int gfp, struct page **pagep);
/* Start the read of locked, not uptodate @page (->readpage); the read's
 * completion sets PG_uptodate (or PG_error) and unlocks the page. */
FS_API void pc_readpage(struct sim_task *t, struct page *page);
/* Read @nr_to_read pages from @index (clamped to the file) that are not
 * cached, marking the one @lookahead_size from the end PG_readahead
 * (do_page_cache_ra()); returns the pages added. */
FS_API unsigned long do_page_cache_ra(struct sim_task *t, struct address_space *mapping,
				      pgoff_t index, unsigned long nr_to_read,
				      unsigned long lookahead_size);
/* The file's size in pages, and its name. */
FS_API pgoff_t pc_mapping_size(const struct address_space *mapping);
FS_API const char *pc_mapping_name(const struct address_space *mapping);

/* ------------------------------------------------------------------ */
/* Address spaces of processes: VMAs */

/* vm_flags */
#define VM_NONE		0x00000000ul
#define VM_READ		0x00000001ul
#define VM_WRITE	0x00000002ul
#define VM_EXEC		0x00000004ul
#define VM_SHARED	0x00000008ul
#define VM_SEQ_READ	0x00008000ul	/* madvise(MADV_SEQUENTIAL) */
#define VM_RAND_READ	0x00010000ul	/* madvise(MADV_RANDOM) */
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)

/* The fields of struct vm_area_struct a policy reads: [vm_start, vm_end)
 * (pages), the file page at vm_start (anonymous: vm_start itself), VM_*
 * flags, the file (NULL: anonymous), the mm, and the per-VMA lock
 * sequence (write-locked while it equals mm_lock_seq(vma's mm)). */
FS_API uint64_t vma_vm_start(const struct vm_area_struct *vma);
FS_API uint64_t vma_vm_end(const struct vm_area_struct *vma);
FS_API pgoff_t vma_vm_pgoff(const struct vm_area_struct *vma);
FS_API unsigned long vma_vm_flags(const struct vm_area_struct *vma);
FS_API struct address_space *vma_vm_file(const struct vm_area_struct *vma);
FS_API struct mm_struct *vma_vm_mm(const struct vm_area_struct *vma);
FS_API unsigned int vma_vm_lock_seq(const struct vm_area_struct *vma);
FS_API bool vma_is_anonymous(const struct vm_area_struct *vma);
/* The file page that @addr of @vma maps. */
FS_API pgoff_t linear_page_index(const struct vm_area_struct *vma, uint64_t addr);

/* The first VMA ending above @addr (it may start above it), or NULL. */
FS_API struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr);
/* The VMA containing @addr, or NULL. */
FS_API struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr);

/* ------------------------------------------------------------------ */
/* Page tables */

/* A pte's value: none, present (a page), or a swap entry. */
typedef uint64_t pte_t;
FS_API bool pte_none(pte_t pte);
FS_API bool pte_present(pte_t pte);
FS_API bool is_swap_pte(pte_t pte);
/* The pte of @addr (pte_none() if no table covers it).  Do not keep it
 * across anything that may block. */
FS_API pte_t mm_pte(const struct mm_struct *mm, uint64_t addr);
/*
 * Map @page at @addr of @vma with a young pte (a reference and a map
 * count taken): @page is the file page linear_page_index(vma, addr), or
 * the anonymous page of @addr.  0, or -EEXIST if the pte is not none
 * (someone mapped it first: drop @page).  Costs nothing: spend the pte
 * install's cost yourself.
 */
FS_API int mm_map_page(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		       struct page *page);
/*
 * A new zeroed anonymous page for @addr of @vma: uptodate, dirty, locked,
 * with the caller's reference, not mapped yet (mm_map_page(), then
 * unlock_page() and put_page()).  May reclaim and sleep unless @t is
 * NULL.  NULL with *@err = -ENOMEM, -EEXIST (the pte is no longer none)
 * or -EAGAIN (try again later).
 */
FS_API struct page *mm_alloc_anon_page(struct sim_task *t, struct mm_struct *mm,
				       struct vm_area_struct *vma, uint64_t addr, int *err);
/*
 * The shared cache lines a new anonymous page of @addr costs @t besides
 * its VMA's lock: the zone lock behind the per-CPU page lists, the memcg
 * charge behind the per-CPU stock, the pte table's lock, the RSS counter,
 * the LRU lock behind the per-CPU add batch (sim/kernel/mm-lines.h).
 * May stall @t's core (no sleep) while lines move: use nothing of a VMA
 * you do not hold after it.  Free when the machine has no such lines.
 */
FS_API void mm_anon_fault_lines(struct sim_task *t, struct mm_struct *mm, uint64_t addr);
/* An atomic on @vma's reference count (the speculative fault's
 * get_vma()/put_vma(), SPF v11): may stall @t while its line moves. */
FS_API void vma_ref_atomic(struct sim_task *t, struct vm_area_struct *vma);

/* ------------------------------------------------------------------ */
/* mmap_sem and per-VMA locks (include/linux/mmap_lock.h) */

/* Each is an atomic on the lock word's cache line (it may stall the task
 * while the line moves between CPUs), then the rwsem operation (the rwsem
 * slot's policy). */
FS_API void mmap_read_lock(struct mm_struct *mm, struct sim_task *t);
FS_API int mmap_read_trylock(struct mm_struct *mm, struct sim_task *t);
FS_API void mmap_read_unlock(struct mm_struct *mm, struct sim_task *t);
FS_API void mmap_write_lock(struct mm_struct *mm, struct sim_task *t);
/* Also ends the write lock of every VMA changed under it. */
FS_API void mmap_write_unlock(struct mm_struct *mm, struct sim_task *t);
/* The mm's lock sequence, bumped by every mmap_write_unlock(). */
FS_API unsigned int mm_lock_seq(const struct mm_struct *mm);

/* lock_vma_under_rcu() (6.4): the VMA containing @addr, read-locked for
 * @t without mmap_sem (never sleeps); NULL if there is none or its
 * trylock failed (write-locked, or a writer waits). */
FS_API struct vm_area_struct *lock_vma_under_rcu(struct sim_task *t, struct mm_struct *mm,
						 uint64_t addr);
/* Release @t's read lock of @vma. */
FS_API void vma_end_read(struct sim_task *t, struct vm_area_struct *vma);

G_END_DECLS

#endif /* FAULTSIM_MM_H */
