/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Address spaces of processes: struct mm_struct with its mmap_sem and its
 * VMAs, page tables, the reverse map, anonymous memory and swap, after
 * mm/mmap.c, mm/memory.c, mm/rmap.c and mm/swap_state.c.
 *
 * Addresses.  An mm has a flat virtual space of @task_size pages
 * (PC_MAX_PAGES at most: page indices are 32 bits); every address in this
 * interface is a virtual page number ("addr"), not a byte address, and
 * every length a number of pages.  Keep the space compact: the page
 * directory grows with the highest address used (get_unmapped_area()
 * hands out the lowest free range, from 1 up).
 *
 * VMAs.  An array sorted by start; a VMA is [vm_start, vm_end) and either
 * maps a file (an address space of the page cache, from page vm_pgoff) or
 * is anonymous (then vm_pgoff = vm_start, as the kernel's).  mmap_region(),
 * do_munmap() and do_mprotect() change them; the caller holds mmap_sem for
 * write (checked when a task is given; no task means set-up before the
 * run).  Neighbours that agree (flags, file, contiguous pgoff, fault-around
 * size) are merged, as vma_merge().  Every VMA they create or change is
 * write-locked for per-VMA locking (vm_lock_seq = mm_lock_seq) until
 * mmap_write_unlock() bumps mm_lock_seq; do_munmap() and do_mprotect()
 * first wait for the per-VMA readers of the VMAs they may change
 * (vma_start_write_range(); the readers are sim/kernel/vma-lock.h's).
 * mprotect changes the flags, and write-protects the ptes of a range that
 * loses VM_WRITE (change_protection()); a range that gains it keeps its
 * ptes read-only, the next write faults (do_wp_page()).  Access checks go
 * against the VMA.
 *
 * Page tables.  Three levels as on x86 (a directory of pmd tables of 512
 * pte tables of 512 ptes), allocated on first use and freed when empty: 8
 * bytes per mapped page.  A pte is one of
 *	none      0
 *	present   the struct page, with the young (accessed), dirty and
 *	          write bits
 *	swap      a swap entry: the slot holding the page's contents
 * A present pte holds a page reference and a map count (get_page() +
 * page_add_rmap(); undone by page_remove_rmap() + put_page()).  The young
 * bit is set by mm_map_page() and by mm_touch() (the hardware's accessed
 * bit) and cleared by reclaim's referenced check; a dirty pte marks its
 * page dirty when it is unmapped.  The write bit: mm_map_page() makes an
 * anonymous page's pte writable if the VMA is (the page is the mm's own:
 * fork is not modelled), a file page's read-only, as a shared mapping
 * with dirty accounting (vma_wants_writenotify()) and a private one
 * (copy-on-write) both have them; mm_pte_mkwrite() makes a pte writable
 * and dirty (wp_page_reuse(), do_shared_fault()); writeback's
 * page_mkclean() (the file rmap's mkclean) makes a shared file page's
 * ptes clean and read-only again.  A write through a read-only pte is a
 * fault (mm_touch() refuses it).  Do not keep a pte pointer across
 * anything that may block: tables are freed when they empty.
 *
 * The reverse map, registered as the page cache's rmap ops:
 *	file pages   the file's VMAs (its i_mmap list, in mmap order) are
 *	             walked, each in its own mm: a file mapped by many
 *	             processes is unmapped from all of them;
 *	anon pages   belong to one mm (fork is not modelled): the page's
 *	             index is its address.
 * Reclaim unmaps a mapped page through it, so that the mappers fault
 * again, and counts young ptes through it.
 *
 * Anonymous memory and swap.  Anonymous pages (and copies of file pages,
 * for the fault path's copy-on-write) live in the mm's swap-backed address
 * space at index = address; that address space is also the swap cache.
 * The swap area (swapon()) is a range of the disk, in 4 KiB slots; slot 0
 * is the header, as in the kernel.  Reclaim of an anonymous page:
 *	unmap       allocates a slot (add_to_swap(); none free: the page stays
 *	            mapped and reclaim activates it), marks the page dirty and
 *	            turns its pte into a swap entry for that slot;
 *	writepage   writes the page to its slot (pswpout);
 *	free        once written and clean, reclaim frees the page; the pte
 *	            keeps the swap entry.
 * Swap-in (swapin_page()): a page still in the swap cache is found there
 * (a minor fault); otherwise a new page is added, locked, and its slot is
 * read (pswpin); the read unlocks it.  mm_map_swap_page() maps it and
 * frees the slot (the page is dirty again: there is no swap cache copy
 * to reuse, as when vm_swap_full() holds).  A slot is referenced by its
 * swap pte and by each I/O in flight on it; it is free when both are
 * gone.  Swap readahead is not modelled.
 *
 * Orphans.  Zapping a pte does not sleep: an anonymous page that is
 * locked or under writeback when its last pte goes cannot be deleted
 * then.  It stays in the swap cache, unmapped; reclaim frees it later,
 * mm_alloc_anon_page() deletes it if its address is mapped again, and
 * exit_mmap() waits for it.
 *
 * mmap_sem: every mm's lock reports under the module "mmap_sem" (see
 * sim/kernel/rwsem.h), so the measurements of all processes add up.
 *
 * Measurements: module "swap" counters "pswpin", "pswpout" (pages read
 * from and written to swap), "swapFull" (unmaps refused for want of a
 * slot), "swapcacheHit" (swap-ins that found the page cached); module
 * "rmap" counter "ptesUnmapped" (ptes reclaim removed); module "mm"
 * counter "ptesZapped" (present and swap ptes removed by zaps).
 *
 * No global state: the mms of one machine share a struct mm_sys.
 */
#ifndef FAULTSIM_SIM_MM_H
#define FAULTSIM_SIM_MM_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/kernel/cacheline.h"
#include "sim/kernel/disk.h"
#include "sim/core/list.h"
#include "sim/kernel/page.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/readahead.h"
#include "sim/kernel/rwsem.h"
#include "sim/kernel/tlb.h"
#include "sim/core/task.h"

/* vm_flags: VM_READ .. VM_RAND_READ are faultsim/mm.h's. */
#define VM_KNOWN_FLAGS	(VM_ACCESS_FLAGS | VM_SHARED | VM_SEQ_READ | VM_RAND_READ)

/* fault_around_bytes = 64 KiB */
#define FAULT_AROUND_PAGES	16u

#define PTRS_PER_PTE		512u
#define PTRS_PER_PMD		512u

/* A pte (see above; pte_t is faultsim/mm.h's).  A present pte is the page
 * pointer (8-byte aligned) with the low bits; a swap pte is the slot
 * shifted past them. */
#define _PAGE_PRESENT		0x1ull
#define _PAGE_ACCESSED		0x2ull	/* present: young */
#define _PAGE_DIRTY		0x4ull	/* present: written through this pte */
#define _PAGE_SWP		0x2ull	/* not present: a swap entry */
/* present: writable.  The page pointer's low bits are taken, so this is a
 * high bit (user-space pointers never set it; mk_pte() checks). */
#define _PAGE_RW		(1ull << 62)
#define _PAGE_FLAGS_MASK	(0x7ull | _PAGE_RW)
#define PTE_SWP_SHIFT		3

/* A swap entry: a slot of the (one) swap area; 0 is never a valid slot. */
typedef struct {
	uint64_t val;
} swp_entry_t;

FS_INLINE bool pte_none(pte_t pte) { return pte == 0; }
FS_INLINE bool pte_present(pte_t pte) { return pte & _PAGE_PRESENT; }
FS_INLINE bool is_swap_pte(pte_t pte) { return !pte_present(pte) && (pte & _PAGE_SWP); }
static inline bool pte_young(pte_t pte) { return pte_present(pte) && (pte & _PAGE_ACCESSED); }
static inline bool pte_dirty(pte_t pte) { return pte_present(pte) && (pte & _PAGE_DIRTY); }
static inline bool pte_write(pte_t pte) { return pte_present(pte) && (pte & _PAGE_RW); }
static inline struct page *pte_page(pte_t pte)
{
	return pte_present(pte) ? (struct page *)(uintptr_t)(pte & ~_PAGE_FLAGS_MASK) : NULL;
}
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	return (swp_entry_t){ is_swap_pte(pte) ? pte >> PTE_SWP_SHIFT : 0 };
}
static inline uint64_t swp_offset(swp_entry_t entry) { return entry.val; }

/* The per-mm counters (get_mm_counter()). */
enum {
	MM_FILEPAGES,		/* present ptes mapping file pages */
	MM_ANONPAGES,		/* present ptes mapping anonymous pages */
	MM_SWAPENTS,		/* swap ptes */
	NR_MM_COUNTERS
};

struct mm_sys;
struct mm_struct;
struct pmd_seq_table;
struct i_mmap;
struct pmd_table;
struct lock_holds;

/*
 * lock_stat figures of the machine's mmap_sems and per-VMA locks that the
 * rwsem model cannot count itself (sim/kernel/lockstat.h has the
 * convention).  Module "mmap_sem" (beside the rwsem's own counts):
 * readAcqBounces, readConBounces, writeAcqBounces, writeConBounces --
 * acquisitions (and contended ones) whose count word's line came from
 * another CPU.  Module "vma_lock", every VMA's lock as one class:
 * readAcquisitions (vma_start_read() that got it), readAcqBounces,
 * readHoldTime (until vma_end_read()); a read is a trylock, never a
 * contention.  writeAcquisitions (vma_start_write_wait() of a VMA not yet
 * write-locked in this mmap_sem hold), writeContentions (readers held
 * it: the writer slept), writeWaitTime, writeAcqBounces, writeConBounces,
 * writeHoldTime (0: as vma_start_write() does, the model takes and drops
 * vm_lock at once; the VMA stays write-locked by its sequence until
 * mmap_write_unlock()).
 */
struct mm_lock_stats {
	uint64_t *read_acq_bounces, *read_con_bounces;
	uint64_t *write_acq_bounces, *write_con_bounces;
	uint64_t *vma_read_acquisitions, *vma_read_acq_bounces;
	uint64_t *vma_write_acquisitions, *vma_write_contentions;
	uint64_t *vma_write_acq_bounces, *vma_write_con_bounces;
	struct sim_hist *vma_read_hold, *vma_write_wait, *vma_write_hold;
	struct lock_holds *vma_read_holds;	/* (VMA, task) -> since */
	struct sim_trace *trace;		/* sim/core/trace.h; NULL: off */
};

struct vm_area_struct {
	uint64_t vm_start;		/* first page */
	uint64_t vm_end;		/* first page after */
	struct mm_struct *vm_mm;
	unsigned long vm_flags;		/* VM_* */
	struct address_space *vm_file;	/* NULL: anonymous */
	pgoff_t vm_pgoff;		/* file page at vm_start (anon: vm_start) */
	unsigned int fault_around_pages;	/* FAULT_AROUND_PAGES; 0 or 1: off */
	unsigned int vm_lock_seq;	/* == mm_lock_seq: write-locked */
	/* The per-VMA lock (sim/kernel/vma-lock.h): readers holding it, the
	 * writer waiting for them, its lock word's cache line. */
	unsigned int vm_lock_readers;
	struct sim_task *vm_lock_waiter;
	struct sim_cacheline vm_lock_line;
	/* anon_vma_prepare() done (the first anonymous page of the VMA), and
	 * the line of its anon_vma's lock; SPF's reference count's line
	 * (sim/kernel/mm-lines.h). */
	bool anon_vma;
	struct sim_cacheline anon_vma_line;
	struct sim_cacheline vm_ref_line;
	struct file_ra_state vm_ra;	/* the file's readahead (struct file's f_ra) */
	/* Private to mm.c. */
	struct list_head shared;	/* on the file's i_mmap list */
	struct i_mmap *i_mmap;
};

struct mm_struct {
	char *name;
	unsigned int id;		/* in the page tokens (mm_page_token()) */
	struct rw_semaphore mmap_sem;
	unsigned int mm_lock_seq;	/* per-VMA locks: bumped at write unlock */
	/* mmap_sem's count word as a cache line (sim/kernel/cacheline.h), and
	 * what a transfer of it or of a VMA lock's line costs (NULL: free;
	 * set by the machine, e.g. the fault workload). */
	struct sim_cacheline mmap_sem_line;
	const struct sim_cacheline_cost *line_cost;
	/* The machine's other shared lines of a fault (NULL: none) and this
	 * mm's RSS counters' line (sim/kernel/mm-lines.h). */
	struct mm_lines *lines;
	struct sim_cacheline rss_line;
	struct mm_lock_stats *lock_stats;	/* the machine's (struct mm_sys) */
	/* The kernel has per-VMA locks (the fault_lock policy takes them):
	 * writers' vma_start_write() count in lock_stat.  Set by the model. */
	bool has_vma_locks;
	/* TLB shootdowns of changed ptes (sim/kernel/tlb.h); NULL: not
	 * modelled.  Set by the model. */
	struct tlb_sys *tlb;
	/* pmd sequence counts (khugepaged pmd-seq, sim/kernel/khugepaged.h);
	 * NULL: none, the fault path checks nothing.  khugepaged's. */
	struct pmd_seq_table *pmd_seq;
	uint64_t task_size;		/* pages of virtual space */
	struct address_space *anon;	/* anonymous pages and swap cache */
	uint64_t counters[NR_MM_COUNTERS];
	/* Private to mm.c (the page-table lookups below read pgd and
	 * nr_pgd). */
	struct mm_sys *sys;
	GPtrArray *vmas;		/* struct vm_area_struct *, sorted */
	struct pmd_table **pgd;
	size_t nr_pgd;
	uint64_t nr_pte_tables;
	GArray *orphans;		/* uint32_t addresses (see above) */
	guint orphans_pruned;		/* length after the last pruning */
	bool exited;			/* exit_mmap() done, nothing mapped since */
	struct list_head node;		/* sys->mms */
};

static inline uint64_t vma_pages(const struct vm_area_struct *vma)
{
	return vma->vm_end - vma->vm_start;
}
FS_INLINE bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_file;
}
/* The file page that @addr of @vma maps. */
FS_INLINE pgoff_t linear_page_index(const struct vm_area_struct *vma, uint64_t addr)
{
	return vma->vm_pgoff + (addr - vma->vm_start);
}
static inline uint64_t get_mm_counter(const struct mm_struct *mm, int member)
{
	return mm->counters[member];
}

/* ------------------------------------------------------------------ */
/* The machine: shared state, swap */

/* The state the mms of one machine share, on @pc. */
struct mm_sys *mm_sys_new(struct page_cache *pc);
/* Free @sys (NULL allowed) and its swap area, after every mm of it and
 * before the page cache. */
void mm_sys_free(struct mm_sys *sys);
struct page_cache *mm_sys_cache(const struct mm_sys *sys);
/* Call @fn on every mm of @sys, in the order they were made (for probes
 * that only read). */
void mm_sys_foreach_mm(const struct mm_sys *sys, void (*fn)(struct mm_struct *mm, void *data),
		       void *data);

/* Use @nr_pages 4 KiB slots of @disk from byte @offset as swap (slot 0 is
 * the header: nr_pages - 1 usable).  Once per sys; an error if swap is on
 * already or @nr_pages < 2. */
gboolean swapon(struct mm_sys *sys, struct sim_disk *disk, uint64_t offset,
		uint64_t nr_pages, GError **error);
/* Usable slots, and free ones (0 without swap). */
uint64_t swap_nr_slots(const struct mm_sys *sys);
uint64_t swap_nr_free(const struct mm_sys *sys);
/* References on a slot: its swap pte and the I/O in flight on it. */
unsigned int swap_count(const struct mm_sys *sys, swp_entry_t entry);
/* The identity of the slot's contents: the mm_page_token() of the
 * anonymous page it was allocated for (checked again when a read of the
 * slot completes). */
uint64_t swap_slot_token(const struct mm_sys *sys, swp_entry_t entry);

/* ------------------------------------------------------------------ */
/* Address spaces */

/* A new, empty mm named @name (copied), whose mmap_sem behaves as the
 * rwsem policy @rwsem_ops (required), with a virtual space of @task_size
 * pages (0: the largest, PC_MAX_PAGES).  An error on bad input. */
struct mm_struct *mm_new(struct mm_sys *sys, const char *name,
			 const struct fs_rwsem_policy *rwsem_ops, uint64_t task_size,
			 GError **error);
/*
 * Tear the address space down as a process exit does: unmap every VMA
 * (dropping page references and swap slots), then delete every anonymous
 * page left, sleeping in @t for the locked ones and those under writeback.
 * No other task may use @mm or hold references on its anonymous pages.
 */
void exit_mmap(struct sim_task *t, struct mm_struct *mm);
/* Free @mm (NULL allowed): after exit_mmap() (its anonymous address space
 * goes too), or after the last sim_run() (its pages are then left as they
 * are, for pc_free()).  Before pc_free() and mm_sys_free(). */
void mm_free(struct mm_struct *mm);
/* The unique identity of anonymous page @addr of @mm. */
static inline uint64_t mm_page_token(const struct mm_struct *mm, uint64_t addr)
{
	return (uint64_t)mm->id << 32 | addr;
}

/*
 * mmap_sem, with the per-VMA lock sequence of 6.4.  Each operation is
 * first an atomic on the count word's cache line (mm_lock_word(): may
 * burn the task's core, see sim/kernel/cacheline.h; true if the line
 * moved), then the rwsem operation.  An acquisition whose line moved is
 * a bounce (struct mm_lock_stats); a contended one if the rwsem counted a
 * contention meanwhile (its fast path does not yield, so the count can
 * only have moved under us if we waited too).
 */
#define mm_lock_word(mm, t)	cacheline_access(&(mm)->mmap_sem_line, (mm)->line_cost, (t))
FS_INLINE void mmap_read_lock(struct mm_struct *mm, struct sim_task *t)
{
	bool moved = mm_lock_word(mm, t);
	uint64_t before = *mm->mmap_sem.read_contentions;

	down_read(&mm->mmap_sem, t);
	if (moved && mm->lock_stats) {
		(*mm->lock_stats->read_acq_bounces)++;
		if (*mm->mmap_sem.read_contentions != before)
			(*mm->lock_stats->read_con_bounces)++;
	}
}
FS_INLINE int mmap_read_trylock(struct mm_struct *mm, struct sim_task *t)
{
	bool moved = mm_lock_word(mm, t);
	int got = down_read_trylock(&mm->mmap_sem, t);

	if (got && moved && mm->lock_stats)
		(*mm->lock_stats->read_acq_bounces)++;
	return got;
}
FS_INLINE void mmap_read_unlock(struct mm_struct *mm, struct sim_task *t)
{
	mm_lock_word(mm, t);
	up_read(&mm->mmap_sem, t);
}
FS_INLINE void mmap_write_lock(struct mm_struct *mm, struct sim_task *t)
{
	bool moved = mm_lock_word(mm, t);
	uint64_t before = *mm->mmap_sem.write_contentions;

	down_write(&mm->mmap_sem, t);
	if (moved && mm->lock_stats) {
		(*mm->lock_stats->write_acq_bounces)++;
		if (*mm->mmap_sem.write_contentions != before)
			(*mm->lock_stats->write_con_bounces)++;
	}
}
/* Releases the VMAs write-locked under this hold (vma_end_write_all()). */
FS_INLINE void mmap_write_unlock(struct mm_struct *mm, struct sim_task *t)
{
	mm_lock_word(mm, t);
	mm->mm_lock_seq++;
	up_write(&mm->mmap_sem, t);
}
static inline void mmap_write_downgrade(struct mm_struct *mm, struct sim_task *t)
{
	mm_lock_word(mm, t);
	mm->mm_lock_seq++;
	downgrade_write(&mm->mmap_sem, t);
}
/* Mark @vma changed under the write lock (vma_start_write() without the
 * wait for its readers: vma_start_write_wait() is the waiting one). */
static inline void vma_start_write(struct vm_area_struct *vma)
{
	vma->vm_lock_seq = vma->vm_mm->mm_lock_seq;
}
static inline bool vma_write_locked(const struct vm_area_struct *vma)
{
	return vma->vm_lock_seq == vma->vm_mm->mm_lock_seq;
}
/* vma_start_write(): write-lock @vma and wait for its per-VMA readers
 * (sim/kernel/vma-lock.h); @t holds mmap_sem for write (NULL: set-up, no
 * reader may exist). */
void vma_start_write_wait(struct sim_task *t, struct vm_area_struct *vma);
/* Write-lock every VMA an operation on [@start, @start + @nr_pages) may
 * change: the overlapping ones and the adjacent neighbours. */
void vma_start_write_range(struct sim_task *t, struct mm_struct *mm, uint64_t start,
			   uint64_t nr_pages);

/* ------------------------------------------------------------------ */
/* VMAs */

/* find_vma() and vma_lookup(): faultsim/mm.h. */
/* Number of VMAs, and the @i-th in address order. */
unsigned int mm_map_count(const struct mm_struct *mm);
/* Tasks asleep in vma_start_write_wait() for the per-VMA readers of one
 * of @mm's VMAs to leave (O(VMAs); readers never sleep). */
unsigned int mm_nr_vma_lock_waiters(const struct mm_struct *mm);
struct vm_area_struct *mm_vma(const struct mm_struct *mm, unsigned int i);
/* The lowest free range of @nr_pages pages (from address 1), or 0. */
uint64_t get_unmapped_area(struct mm_struct *mm, uint64_t nr_pages);

/*
 * Map [@addr, @addr + @nr_pages) with @vm_flags: @file from page @pgoff,
 * or anonymous memory (@file NULL, @pgoff ignored).  Whatever was mapped
 * there is unmapped first (MAP_FIXED).  Returns the VMA now covering the
 * range (perhaps merged with a neighbour), or NULL and an error on bad
 * input (empty or out-of-range, unknown flags, shared anonymous memory, a
 * file of another page cache).
 */
struct vm_area_struct *mmap_region(struct sim_task *t, struct mm_struct *mm, uint64_t addr,
				   uint64_t nr_pages, unsigned long vm_flags,
				   struct address_space *file, pgoff_t pgoff,
				   GError **error);
/* Unmap [@start, @start + @nr_pages): split the VMAs at the ends, zap and
 * remove what is inside.  A hole is no error; a range out of the space is. */
gboolean do_munmap(struct sim_task *t, struct mm_struct *mm, uint64_t start,
		   uint64_t nr_pages, GError **error);
/* Set the access flags of [@start, @start + @nr_pages) to @prot
 * (VM_ACCESS_FLAGS bits), splitting and merging VMAs (mprotect_fixup()).
 * The range must be mapped without holes (else an error, nothing
 * changed). */
gboolean do_mprotect(struct sim_task *t, struct mm_struct *mm, uint64_t start,
		     uint64_t nr_pages, unsigned long prot, GError **error);

/* ------------------------------------------------------------------ */
/* Page tables */

/*
 * The tables, for the inline lookups below (every fault walks them a few
 * times; only mm.c changes them): mm->pgd holds mm->nr_pgd pmd tables
 * (NULL: none yet), each PTRS_PER_PMD pte tables, each PTRS_PER_PTE ptes.
 */
#define PTE_SHIFT	9
#define PMD_SHIFT	18

struct pte_table {
	uint32_t nr_used;		/* ptes that are not none */
	/* Its split page-table lock's line (USE_SPLIT_PTE_PTLOCKS: the
	 * ptlock of the table's struct page; sim/kernel/mm-lines.h). */
	struct sim_cacheline ptl;
	pte_t pte[PTRS_PER_PTE];
};

struct pmd_table {
	uint32_t nr_used;		/* pte tables */
	struct pte_table *pte[PTRS_PER_PMD];
};

/* The pte table of @addr, or NULL. */
static inline struct pte_table *mm_pte_table(const struct mm_struct *mm, uint64_t addr)
{
	size_t g = addr >> PMD_SHIFT;
	struct pmd_table *pmd;

	if (g >= mm->nr_pgd || !(pmd = mm->pgd[g]))
		return NULL;
	return pmd->pte[(addr >> PTE_SHIFT) & (PTRS_PER_PMD - 1)];
}

/* The pte of @addr, or NULL if no table covers it. */
static inline pte_t *mm_pte_offset(const struct mm_struct *mm, uint64_t addr)
{
	struct pte_table *pt = mm_pte_table(mm, addr);

	return pt ? &pt->pte[addr & (PTRS_PER_PTE - 1)] : NULL;
}

/* mm_pte(), faultsim/mm.h's: the pte of @addr (0 if no table covers
 * it); the plugins' copy is in plugin-api.c.  (An FS_INLINE body may not
 * call a static function: the walk is spelt out.) */
FS_INLINE pte_t mm_pte(const struct mm_struct *mm, uint64_t addr)
{
	size_t g = addr >> PMD_SHIFT;
	struct pmd_table *pmd;
	struct pte_table *pt;

	if (g >= mm->nr_pgd || !(pmd = mm->pgd[g]) ||
	    !(pt = pmd->pte[(addr >> PTE_SHIFT) & (PTRS_PER_PMD - 1)]))
		return 0;
	return pt->pte[addr & (PTRS_PER_PTE - 1)];
}

/* The split page-table lock's line of the pte table of @addr (NULL: no
 * table yet). */
static inline struct sim_cacheline *mm_ptl_line(const struct mm_struct *mm, uint64_t addr)
{
	struct pte_table *pt = mm_pte_table(mm, addr);

	return pt ? &pt->ptl : NULL;
}

/* Whether @addr is mapped by a present pte. */
static inline bool mm_pte_present(const struct mm_struct *mm, uint64_t addr)
{
	return pte_present(mm_pte(mm, addr));
}

/* The page a present pte of @addr maps (no reference taken), or NULL. */
static inline struct page *mm_pte_page(const struct mm_struct *mm, uint64_t addr)
{
	return pte_page(mm_pte(mm, addr));
}
/* Whether the pte of @addr is a swap entry; its entry in *@entry (may be
 * NULL). */
bool mm_swap_entry_at(const struct mm_struct *mm, uint64_t addr, swp_entry_t *entry);
/* An access to @addr that needs no fault: if the pte is present (and
 * writable, for a write), set its young bit (and dirty bit for a write)
 * and return true.  Permissions are the caller's to check against the
 * VMA. */
static inline bool mm_touch(struct mm_struct *mm, uint64_t addr, bool write)
{
	pte_t *ptep = mm_pte_offset(mm, addr);

	if (!ptep || !pte_present(*ptep) || (write && !pte_write(*ptep)))
		return false;
	*ptep |= _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
	return true;
}
/* wp_page_reuse(): make the present pte of @addr mapping @page young,
 * dirty and writable (@vma must be VM_WRITE).  False if the pte no longer
 * maps @page (pte_same() failed). */
bool mm_pte_mkwrite(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		    struct page *page);
/* wp_page_copy() of a present pte mapping @old_page (a file page of a
 * private mapping): a new anonymous page for @addr, filled by the caller
 * (the copy), uptodate, dirty and locked with the caller's reference;
 * then mm_cow_replace() installs it.  May reclaim and sleep.  NULL with
 * *@err = -ENOMEM or -EAGAIN (the slot is held: fault again). */
struct page *mm_alloc_cow_page(struct sim_task *t, struct mm_struct *mm,
			       struct vm_area_struct *vma, uint64_t addr, int *err);
/* Under the pte lock: if the pte of @addr still maps @old_page, replace it
 * by a writable, dirty pte of @new_page (the file page's rmap and
 * reference go) and return true; else false (the caller frees @new_page
 * with mm_cow_abort()). */
bool mm_cow_replace(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		    struct page *old_page, struct page *new_page);
/* Drop an unused page of mm_alloc_cow_page() (locked, referenced). */
void mm_cow_abort(struct mm_struct *mm, struct page *page);
/*
 * mm_map_page(mm, vma, addr, page), in faultsim/mm.h: map @page at @addr
 * of @vma with a young pte, taking a reference and a map count.  @page is
 * the file page linear_page_index(vma, addr) of the VMA's file, or the
 * anonymous page @addr of the mm.  Returns 0, or -EEXIST if the pte is not
 * none (someone mapped it first: drop @page).
 */
/* Remove the ptes of [@start, @start + @nr_pages) within @vma, dropping
 * their references and swap slots, and deleting the anonymous pages that
 * nobody holds (the others become orphans); never sleeps.  Returns the
 * ptes removed. */
unsigned long zap_page_range(struct vm_area_struct *vma, uint64_t start, uint64_t nr_pages);

/* ------------------------------------------------------------------ */
/* Anonymous memory and swap-in */

/*
 * mm_alloc_anon_page(t, mm, vma, addr, err), in faultsim/mm.h: a new
 * anonymous page for @addr of @vma (do_anonymous_page()'s allocation),
 * zero-filled: uptodate, dirty, locked, with the caller's reference, not
 * yet mapped; map it with mm_map_page(), then unlock_page() and
 * put_page().  May reclaim and sleep.  An orphan at @addr is deleted
 * first.  NULL with *@err = -ENOMEM (no frame and @t NULL), -EEXIST (the
 * pte is no longer none: someone else faulted it in) or -EAGAIN (a page
 * still held by someone occupies the slot: retry later).
 */
/*
 * The page for the swap pte at @addr (do_swap_page()'s lookup and read):
 * from the swap cache, or a new page whose slot read has been started
 * (locked until it completes).  Returns it with a reference, not waited
 * for: lock it (or wait for it), check PageUptodate(), then
 * mm_map_swap_page().  *@major (may be NULL) says whether I/O was started.
 * NULL with *@err = -EAGAIN (the pte changed: fault again) or -ENOMEM.
 */
struct page *swapin_page(struct sim_task *t, struct mm_struct *mm,
			 struct vm_area_struct *vma, uint64_t addr, bool *major, int *err);
/* Map swapped-in @page (locked, uptodate) at @addr, whose pte is still its
 * swap entry: the slot is freed and the page marked dirty.  Returns 0, or
 * -EAGAIN if the pte or the page changed meanwhile (pte_same() failed). */
int mm_map_swap_page(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		     struct page *page);

/* ------------------------------------------------------------------ */
/* Invariants */

/*
 * The invariant checkers.  When the engine's switch is on
 * (sim_engine_checks(): debug.checks, or the test suite's
 * FAULTSIM_CHECKS), mm.c checks after every change of the mms' state what
 * the change touched (the pte, the swap slot, the VMAs, the zapped range)
 * and runs mm_sys_check() at exit_mmap(); tests may call these at any
 * time.  They only read.  A broken rule aborts naming it (SIM_CHECK);
 * they return true.
 */
/* Check @mm: VMAs sorted and disjoint, i_mmap membership, every pte (page
 * identity, references, swap slots) and the counters.  O(VMAs + ptes). */
bool mm_check(const struct mm_struct *mm);
/* mm_check() on every mm, plus: each mapped page's map count equals the
 * ptes mapping it across all mms, and the swap slot counts equal the swap
 * ptes plus the I/O in flight.  O(ptes + swap slots). */
bool mm_sys_check(const struct mm_sys *sys);

#endif /* FAULTSIM_SIM_MM_H */
