/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Address spaces, VMAs, page tables, the reverse map, anonymous memory and
 * swap; see mm.h for the model.
 *
 * Where the state may change:
 *	- the VMA array and the i_mmap lists: only mmap_region(), do_munmap(),
 *	  do_mprotect() and the teardown, through vma_insert() / vma_remove()
 *	  / split_vma() / vma_merge_range();
 *	- ptes: mm_map_page() makes a none pte present, pte_clear() makes any
 *	  pte none (freeing the tables that empty), and the two in-place
 *	  changes are present -> swap (anon_rmap_unmap()) and swap -> present
 *	  (mm_map_swap_page()), plus the young and dirty bits;
 *	- the per-mm counters move with the ptes, in the same functions;
 *	- swap slots: allocated by the anonymous unmap, referenced by their pte
 *	  and by each I/O in flight (swap_dup() / swap_free()).
 *
 * Ordering rules: the rmap callbacks run with the page locked by reclaim,
 * which also holds a reference, so their put_page() never frees a page;
 * nothing here sleeps while it holds a pte pointer; a zap never sleeps
 * (an anonymous page it cannot delete at once becomes an orphan).
 *
 * Costs: find_vma() is O(log VMAs); VMA changes are O(VMAs) (array
 * insertion); a pte lookup is three indexings; a file page's rmap walk is
 * O(VMAs mapping the file); an anonymous page's is O(log VMAs) at most;
 * swap slot allocation scans a bitmap from the last slot allocated
 * (O(slots / 64) at worst).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sim/kernel/lockstat.h"
#include "sim/kernel/mm.h"
#include "sim/core/stats.h"
#include "sim/core/trace.h"

#define MM_EVENTS(X)								\
	X(PSWPIN, "swap", "pswpin", "pages", "pages read from swap")			\
	X(PSWPOUT, "swap", "pswpout", "pages", "pages written to swap")		\
	X(SWAP_FULL, "swap", "swapFull", "pages",					\
	  "unmaps refused for want of a swap slot")					\
	X(SWAPCACHE_HIT, "swap", "swapcacheHit", "faults",				\
	  "swap-ins that found the page in the swap cache")				\
	X(RMAP_UNMAP, "rmap", "ptesUnmapped", "ptes", "ptes reclaim removed")		\
	X(PTES_ZAPPED, "mm", "ptesZapped", "ptes", "present and swap ptes removed by zaps")

enum mm_event_item {
#define MM_EVENT_ENUM(item, module, name, unit, what) item,
	MM_EVENTS(MM_EVENT_ENUM)
#undef MM_EVENT_ENUM
	NR_MM_EVENTS
};

static const struct {
	const char *module, *name, *unit, *what;
} mm_event_names[NR_MM_EVENTS] = {
#define MM_EVENT_NAME(item, module, name, unit, what) [item] = { module, name, unit, what },
	MM_EVENTS(MM_EVENT_NAME)
#undef MM_EVENT_NAME
};

G_STATIC_ASSERT((1u << PTE_SHIFT) == PTRS_PER_PTE);
G_STATIC_ASSERT((1u << (PMD_SHIFT - PTE_SHIFT)) == PTRS_PER_PMD);
/* The low pte bits hold flags: a struct page must be 8-byte aligned. */
G_STATIC_ASSERT(G_ALIGNOF(struct page) >= 8);

/* The VMAs mapping one file (the kernel's mapping->i_mmap). */
struct i_mmap {
	struct address_space *mapping;
	struct list_head vmas;		/* vma->shared, in mmap order */
	struct mm_sys *sys;
};

/*
 * The swap map, in chunks of SWAP_CHUNK slots made when a slot of theirs
 * is first allocated: a 16 TiB area (2^32 slots) costs a table of 8 MiB
 * until it is used, not 13 bytes a slot.  A chunk not made yet is all
 * free; the first and the last are made at swapon, for the header slot
 * and the bits past the last slot.
 */
#define SWAP_CHUNK_SHIFT	12
#define SWAP_CHUNK		(UINT64_C(1) << SWAP_CHUNK_SHIFT)

struct swap_chunk {
	uint64_t used[SWAP_CHUNK / 64];	/* bitmap: map != 0, and slot 0 */
	uint8_t map[SWAP_CHUNK];	/* references per slot */
	uint64_t token[SWAP_CHUNK];	/* mm_page_token() of the slot's owner */
};

struct swap_info {
	struct sim_disk *disk;
	uint64_t offset;		/* bytes */
	uint64_t nr_slots;		/* slot 0 (the header) included */
	uint64_t nr_free;
	struct swap_chunk **chunks;	/* nr_slots / SWAP_CHUNK, rounded up */
	uint64_t cluster_next;		/* where the next search starts */
	struct list_head inflight;	/* struct swap_io */
	uint64_t nr_inflight;
	struct list_head free_ios;	/* struct swap_io, completed, for reuse */
};

struct swap_io {
	struct sim_disk_request rq;
	struct mm_sys *sys;
	struct page *page;
	uint64_t slot;
	uint64_t token;
	bool write;
	struct list_head node;
};

struct mm_sys {
	struct page_cache *pc;
	struct sim_engine *eng;
	GHashTable *i_mmaps;		/* struct address_space * -> struct i_mmap * */
	struct list_head mms;
	unsigned int next_mm_id;
	struct swap_info *swap;
	uint64_t *events[NR_MM_EVENTS];
	struct mm_lock_stats lock_stats;
};

static inline void count_mm_event(struct mm_sys *sys, enum mm_event_item item, uint64_t n)
{
	*sys->events[item] += n;
}

/* The invariant checkers (see "Invariants" at the end). */
static inline bool mm_checks(const struct mm_sys *sys)
{
	return G_UNLIKELY(sim_engine_checks(sys->eng));
}
static void check_pte(const struct mm_struct *mm, uint64_t addr, pte_t pte);
static void check_slot(const struct swap_info *si, uint64_t slot);
static void check_vmas(const struct mm_struct *mm);
static void check_zapped(const struct mm_struct *mm, uint64_t start, uint64_t end);

/* ------------------------------------------------------------------ */
/* Page tables */

static struct pte_table *pte_table_alloc(struct mm_struct *mm, uint64_t addr)
{
	size_t g = addr >> PMD_SHIFT;
	size_t i = (addr >> PTE_SHIFT) & (PTRS_PER_PMD - 1);
	struct pmd_table *pmd;

	g_assert(addr < mm->task_size);
	if (g >= mm->nr_pgd) {
		size_t max = (size_t)((mm->task_size + (UINT64_C(1) << PMD_SHIFT) - 1) >> PMD_SHIFT);
		size_t n = MIN(MAX(g + 1, 2 * mm->nr_pgd), max);

		mm->pgd = g_renew(struct pmd_table *, mm->pgd, n);
		memset(mm->pgd + mm->nr_pgd, 0, (n - mm->nr_pgd) * sizeof(*mm->pgd));
		mm->nr_pgd = n;
	}
	if (!mm->pgd[g])
		mm->pgd[g] = g_new0(struct pmd_table, 1);
	pmd = mm->pgd[g];
	if (!pmd->pte[i]) {
		pmd->pte[i] = g_new0(struct pte_table, 1);
		pmd->nr_used++;
		mm->nr_pte_tables++;
	}
	return pmd->pte[i];
}

/* Make the pte of @addr none; free the tables that empty. */
static void pte_clear(struct mm_struct *mm, uint64_t addr)
{
	size_t g = addr >> PMD_SHIFT;
	size_t i = (addr >> PTE_SHIFT) & (PTRS_PER_PMD - 1);
	struct pmd_table *pmd = mm->pgd[g];
	struct pte_table *pt = pmd->pte[i];
	pte_t *ptep = &pt->pte[addr & (PTRS_PER_PTE - 1)];

	g_assert(!pte_none(*ptep));
	*ptep = 0;
	if (--pt->nr_used)
		return;
	g_free(pt);
	pmd->pte[i] = NULL;
	mm->nr_pte_tables--;
	if (--pmd->nr_used)
		return;
	g_free(pmd);
	mm->pgd[g] = NULL;
}

static inline pte_t mk_pte(struct page *page, bool writable)
{
	g_assert(!((uintptr_t)page & _PAGE_FLAGS_MASK));
	return (pte_t)(uintptr_t)page | _PAGE_PRESENT | _PAGE_ACCESSED |
		(writable ? _PAGE_RW : 0);
}

static inline pte_t swp_entry_to_pte(uint64_t slot)
{
	return slot << PTE_SWP_SHIFT | _PAGE_SWP;
}

static inline bool pte_maps(pte_t pte, const struct page *page)
{
	return pte_present(pte) && pte_page(pte) == page;
}

bool mm_swap_entry_at(const struct mm_struct *mm, uint64_t addr, swp_entry_t *entry)
{
	pte_t pte = mm_pte(mm, addr);

	if (entry)
		*entry = pte_to_swp_entry(pte);
	return is_swap_pte(pte);
}

bool mm_pte_mkwrite(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		    struct page *page)
{
	pte_t *ptep = mm_pte_offset(mm, addr);

	g_assert(vma->vm_mm == mm && (vma->vm_flags & VM_WRITE));
	if (!ptep || !pte_maps(*ptep, page))
		return false;
	*ptep |= _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_RW;
	if (mm_checks(mm->sys))
		check_pte(mm, addr, *ptep);
	return true;
}

static bool page_is_anon_of(const struct mm_struct *mm, const struct page *page)
{
	return page->mapping == mm->anon;
}

/* ------------------------------------------------------------------ */
/* Swap slots */

static uint64_t swap_nr_chunks(const struct swap_info *si)
{
	return (si->nr_slots + SWAP_CHUNK - 1) >> SWAP_CHUNK_SHIFT;
}

/* The chunk of @slot, made if need be. */
static struct swap_chunk *swap_chunk(struct swap_info *si, uint64_t slot)
{
	struct swap_chunk **c = &si->chunks[slot >> SWAP_CHUNK_SHIFT];

	if (!*c)
		*c = g_new0(struct swap_chunk, 1);
	return *c;
}

/* The word of the used bitmap holding slot 64 * @w (0: a chunk not made). */
static uint64_t swap_used_word(const struct swap_info *si, uint64_t w)
{
	const struct swap_chunk *c = si->chunks[(w * 64) >> SWAP_CHUNK_SHIFT];

	return c ? c->used[w % (SWAP_CHUNK / 64)] : 0;
}

/* References on @slot (the kernel's swap_map[slot]). */
static unsigned int slot_refs(const struct swap_info *si, uint64_t slot)
{
	const struct swap_chunk *c = si->chunks[slot >> SWAP_CHUNK_SHIFT];

	return c ? c->map[slot % SWAP_CHUNK] : 0;
}

/* The token of the page @slot holds (token[slot]; 0 if never used). */
static uint64_t slot_token(const struct swap_info *si, uint64_t slot)
{
	const struct swap_chunk *c = si->chunks[slot >> SWAP_CHUNK_SHIFT];

	return c ? c->token[slot % SWAP_CHUNK] : 0;
}

static struct swap_info *swap_info_new(struct sim_disk *disk, uint64_t offset,
				       uint64_t nr_slots)
{
	struct swap_info *si = g_new0(struct swap_info, 1);
	uint64_t last = nr_slots - 1;

	si->disk = disk;
	si->offset = offset;
	si->nr_slots = nr_slots;
	si->nr_free = nr_slots - 1;
	si->chunks = g_new0(struct swap_chunk *, swap_nr_chunks(si));
	/* Slot 0 is the header; the bits past the last slot are never free. */
	swap_chunk(si, 0)->used[0] |= 1;
	if (nr_slots % 64)
		swap_chunk(si, last)->used[(last % SWAP_CHUNK) / 64] |=
			~UINT64_C(0) << (nr_slots % 64);
	si->cluster_next = 1;
	INIT_LIST_HEAD(&si->inflight);
	INIT_LIST_HEAD(&si->free_ios);
	return si;
}

static void swap_info_free(struct swap_info *si)
{
	struct swap_io *io, *next;

	if (!si)
		return;
	list_for_each_entry_safe(io, next, &si->inflight, node)
		g_free(io);
	list_for_each_entry_safe(io, next, &si->free_ios, node)
		g_free(io);
	for (uint64_t i = 0; i < swap_nr_chunks(si); i++)
		g_free(si->chunks[i]);
	g_free(si->chunks);
	g_free(si);
}

/* A free slot for the page @token (get_swap_page()), or 0. */
static uint64_t swap_alloc(struct swap_info *si, uint64_t token)
{
	uint64_t words = (si->nr_slots + 63) / 64;
	uint64_t w = si->cluster_next / 64;
	uint64_t bits = swap_used_word(si, w) | ((UINT64_C(1) << (si->cluster_next % 64)) - 1);
	uint64_t slot;
	struct swap_chunk *c;

	if (!si->nr_free)
		return 0;
	/* From the last allocation on, so that a run of swap-outs lands on
	 * consecutive slots; the search wraps, and finds one: nr_free > 0. */
	for (uint64_t n = 0; ~bits == 0; n++) {
		g_assert(n <= words);
		w = (w + 1) % words;
		bits = swap_used_word(si, w);
	}
	slot = w * 64 + (uint64_t)__builtin_ctzll(~bits);
	g_assert(slot > 0 && slot < si->nr_slots && !slot_refs(si, slot));
	c = swap_chunk(si, slot);
	c->used[(slot % SWAP_CHUNK) / 64] |= UINT64_C(1) << (slot % 64);
	c->map[slot % SWAP_CHUNK] = 1;
	c->token[slot % SWAP_CHUNK] = token;
	si->nr_free--;
	si->cluster_next = slot + 1 < si->nr_slots ? slot + 1 : 1;
	return slot;
}

/* One more reference on @slot (an I/O). */
static void swap_dup(struct swap_info *si, uint64_t slot)
{
	g_assert(slot > 0 && slot < si->nr_slots && slot_refs(si, slot) > 0);
	g_assert(slot_refs(si, slot) < UINT8_MAX);
	swap_chunk(si, slot)->map[slot % SWAP_CHUNK]++;
}

/* Drop a reference on @slot; the last one frees it (swap_free()). */
static void swap_free(struct swap_info *si, uint64_t slot)
{
	struct swap_chunk *c;

	g_assert(slot > 0 && slot < si->nr_slots && slot_refs(si, slot) > 0);
	c = swap_chunk(si, slot);
	if (--c->map[slot % SWAP_CHUNK])
		return;
	c->used[(slot % SWAP_CHUNK) / 64] &= ~(UINT64_C(1) << (slot % 64));
	si->nr_free++;
}

gboolean swapon(struct mm_sys *sys, struct sim_disk *disk, uint64_t offset,
		uint64_t nr_pages, GError **error)
{
	if (sys->swap) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "swap is on already");
		return FALSE;
	}
	if (nr_pages < 2 || nr_pages > PC_MAX_PAGES) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "a swap area needs 2 .. %" G_GUINT64_FORMAT " pages (got %"
			    G_GUINT64_FORMAT ")", PC_MAX_PAGES, nr_pages);
		return FALSE;
	}
	if (offset + (nr_pages << PAGE_SHIFT) < offset) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "swap area at byte %" G_GUINT64_FORMAT " overflows", offset);
		return FALSE;
	}
	sys->swap = swap_info_new(disk, offset, nr_pages);
	return TRUE;
}

uint64_t swap_nr_slots(const struct mm_sys *sys)
{
	return sys->swap ? sys->swap->nr_slots - 1 : 0;
}

uint64_t swap_nr_free(const struct mm_sys *sys)
{
	return sys->swap ? sys->swap->nr_free : 0;
}

unsigned int swap_count(const struct mm_sys *sys, swp_entry_t entry)
{
	uint64_t slot = swp_offset(entry);

	g_assert(sys->swap && slot < sys->swap->nr_slots);
	return slot_refs(sys->swap, slot);
}

uint64_t swap_slot_token(const struct mm_sys *sys, swp_entry_t entry)
{
	uint64_t slot = swp_offset(entry);

	g_assert(sys->swap && slot < sys->swap->nr_slots);
	return slot_token(sys->swap, slot);
}

/* ------------------------------------------------------------------ */
/* Swap I/O: the backing ops of every mm's anonymous address space */

static void swap_end_io(struct sim_disk_request *rq, void *data)
{
	struct swap_io *io = data;
	const struct mm_sys *sys = io->sys;
	struct swap_info *si = sys->swap;

	list_del_init(&io->node);
	si->nr_inflight--;
	/* The slot still holds what was written for this page: the I/O's
	 * reference kept it from being reused. */
	g_assert(slot_token(si, io->slot) == io->token);
	swap_free(si, io->slot);
	if (mm_checks(sys))
		check_slot(si, io->slot);
	page_endio(io->page, io->write, 0);
	list_add(&io->node, &si->free_ios);
}

static void swap_submit(struct mm_sys *sys, struct page *page, uint64_t slot,
			uint64_t token, bool write)
{
	struct swap_info *si = sys->swap;
	/* No allocation per request: completed ones are reused. */
	struct swap_io *io = list_first_entry_or_null(&si->free_ios, struct swap_io, node);

	if (io)
		list_del_init(&io->node);
	else
		io = g_new(struct swap_io, 1);
	swap_dup(si, slot);
	io->sys = sys;
	io->page = page;
	io->slot = slot;
	io->token = token;
	io->write = write;
	list_add_tail(&io->node, &si->inflight);
	si->nr_inflight++;
	sim_disk_request_init(&io->rq, write ? SIM_REQ_OP_WRITE : SIM_REQ_OP_READ,
			      si->offset + (slot << PAGE_SHIFT), PAGE_SIZE, swap_end_io, io);
	sim_disk_submit(si->disk, &io->rq);
	count_mm_event(sys, write ? PSWPOUT : PSWPIN, 1);
}

/* swap_writepage(): write the page to the slot its swap pte names. */
static void swap_writepage(struct sim_task *t, struct address_space *mapping,
			   struct page *page, void *data)
{
	struct mm_struct *mm = data;
	uint64_t addr = page->index;
	pte_t pte = mm_pte(mm, addr);

	if (!is_swap_pte(pte) || !mm->sys->swap) {
		/* An orphan (its pte is gone): nothing worth writing. */
		if (pte_present(pte))
			SetPageDirty(page);
		end_page_writeback(page);
		return;
	}
	swap_submit(mm->sys, page, swp_offset(pte_to_swp_entry(pte)),
		    mm_page_token(mm, addr), true);
}

/* swap_readpage(): read the slot of the swap pte (swapin_page() checked
 * that there is one). */
static void swap_readpage(struct sim_task *t, struct address_space *mapping,
			  struct page *page, void *data)
{
	struct mm_struct *mm = data;
	uint64_t addr = page->index;
	pte_t pte = mm_pte(mm, addr);

	g_assert(is_swap_pte(pte) && mm->sys->swap);
	swap_submit(mm->sys, page, swp_offset(pte_to_swp_entry(pte)),
		    mm_page_token(mm, addr), false);
}

static const struct pc_backing_ops swap_backing_ops = {
	.readpage = swap_readpage,
	.writepage = swap_writepage,
};

/* ------------------------------------------------------------------ */
/* The reverse map */

/* Remove a present pte mapping @page at @addr: none for a file page. */
static void unmap_file_pte(struct mm_struct *mm, uint64_t addr, struct page *page)
{
	if (pte_dirty(mm_pte(mm, addr)))
		set_page_dirty(page);
	pte_clear(mm, addr);
	mm->counters[MM_FILEPAGES]--;
	page_remove_rmap(page);
	put_page(page);
}

/* The address at which @vma would map file page @index, or UINT64_MAX. */
static uint64_t vma_address(const struct vm_area_struct *vma, pgoff_t index)
{
	if (index < vma->vm_pgoff || index - vma->vm_pgoff >= vma_pages(vma))
		return UINT64_MAX;
	return vma->vm_start + (index - vma->vm_pgoff);
}

static unsigned long file_rmap_unmap(struct page *page, void *data)
{
	struct i_mmap *im = data;
	struct vm_area_struct *vma, *next;
	unsigned long n = 0;

	list_for_each_entry_safe(vma, next, &im->vmas, shared) {
		uint64_t addr = vma_address(vma, page->index);

		if (addr == UINT64_MAX || !pte_maps(mm_pte(vma->vm_mm, addr), page))
			continue;
		unmap_file_pte(vma->vm_mm, addr, page);
		if (mm_checks(im->sys))
			check_zapped(vma->vm_mm, addr, addr + 1);
		n++;
		if (!page_mapped(page))
			break;
	}
	count_mm_event(im->sys, RMAP_UNMAP, n);
	return n;
}

static int file_rmap_referenced(struct page *page, void *data)
{
	struct i_mmap *im = data;
	struct vm_area_struct *vma;
	int young = 0;

	int left = page_mapcount(page);

	/* Every pte mapping @page is one VMA's of this list (each VMA of an
	 * mm maps its own addresses), and the map count counts them
	 * (mm_sys_check()): once that many are seen, the VMAs left map it
	 * nowhere, and the walk stops with the same count. */
	list_for_each_entry(vma, &im->vmas, shared) {
		uint64_t addr = vma_address(vma, page->index);
		pte_t *ptep;

		if (addr == UINT64_MAX)
			continue;
		ptep = mm_pte_offset(vma->vm_mm, addr);
		if (!ptep || !pte_maps(*ptep, page))
			continue;
		if (*ptep & _PAGE_ACCESSED) {
			*ptep &= ~_PAGE_ACCESSED;
			young++;
		}
		if (--left <= 0)
			break;
	}
	return young;
}

/* page_mkclean(): the ptes of shared mappings of @page become clean and
 * read-only (private mappings' are read-only already).  Returns those that
 * were dirty or writable. */
static int file_rmap_mkclean(struct page *page, void *data)
{
	struct i_mmap *im = data;
	struct vm_area_struct *vma;
	int cleaned = 0;

	list_for_each_entry(vma, &im->vmas, shared) {
		uint64_t addr = vma_address(vma, page->index);
		pte_t *ptep;

		if (addr == UINT64_MAX || !(vma->vm_flags & VM_SHARED))
			continue;
		ptep = mm_pte_offset(vma->vm_mm, addr);
		if (!ptep || !pte_maps(*ptep, page) || !(*ptep & (_PAGE_DIRTY | _PAGE_RW)))
			continue;
		*ptep &= ~(_PAGE_DIRTY | _PAGE_RW);
		cleaned++;
	}
	return cleaned;
}

static const struct pc_rmap_ops file_rmap_ops = {
	.unmap = file_rmap_unmap,
	.referenced = file_rmap_referenced,
	.mkclean = file_rmap_mkclean,
};

/* try_to_unmap() of an anonymous page: add_to_swap(), then the pte
 * becomes the swap entry. */
static unsigned long anon_rmap_unmap(struct page *page, void *data)
{
	struct mm_struct *mm = data;
	uint64_t addr = page->index;
	pte_t *ptep = mm_pte_offset(mm, addr);
	uint64_t slot;

	if (!ptep || !pte_maps(*ptep, page))
		return 0;
	slot = mm->sys->swap ? swap_alloc(mm->sys->swap, mm_page_token(mm, addr)) : 0;
	if (!slot) {
		count_mm_event(mm->sys, SWAP_FULL, 1);
		return 0;
	}
	/* add_to_swap() dirties the page: it must reach its slot. */
	SetPageDirty(page);
	*ptep = swp_entry_to_pte(slot);
	mm->counters[MM_ANONPAGES]--;
	mm->counters[MM_SWAPENTS]++;
	page_remove_rmap(page);
	put_page(page);
	count_mm_event(mm->sys, RMAP_UNMAP, 1);
	if (mm_checks(mm->sys))
		check_pte(mm, addr, *ptep);
	return 1;
}

static int anon_rmap_referenced(struct page *page, void *data)
{
	struct mm_struct *mm = data;
	pte_t *ptep = mm_pte_offset(mm, page->index);

	if (!ptep || !pte_maps(*ptep, page) || !(*ptep & _PAGE_ACCESSED))
		return 0;
	*ptep &= ~_PAGE_ACCESSED;
	return 1;
}

static const struct pc_rmap_ops anon_rmap_ops = {
	.unmap = anon_rmap_unmap,
	.referenced = anon_rmap_referenced,
};

/* ------------------------------------------------------------------ */
/* The machine */

static void mm_lock_stats_init(struct mm_lock_stats *ls, struct sim_stats *st,
			       struct sim_trace *trace)
{
#define BOUNCES(what) "acquisitions whose lock word's cache line came from another CPU" what
	ls->read_acq_bounces = sim_stats_counter_unit(st, "mmap_sem", "readAcqBounces", "acquisitions",
						      BOUNCES(" (read)"));
	ls->read_con_bounces = sim_stats_counter_unit(st, "mmap_sem", "readConBounces", "acquisitions",
						      BOUNCES(" (read, contended)"));
	ls->write_acq_bounces = sim_stats_counter_unit(st, "mmap_sem", "writeAcqBounces",
						       "acquisitions", BOUNCES(" (write)"));
	ls->write_con_bounces = sim_stats_counter_unit(st, "mmap_sem", "writeConBounces",
						       "acquisitions", BOUNCES(" (write, contended)"));
#define COUNTER(name, what) sim_stats_counter_unit(st, "vma_lock", name, "acquisitions", what)
	ls->vma_read_acquisitions = COUNTER("readAcquisitions",
					    "per-VMA read locks taken (vma_start_read() succeeded)");
	ls->vma_read_acq_bounces = COUNTER("readAcqBounces", BOUNCES(" (read)"));
	ls->vma_write_acquisitions = COUNTER("writeAcquisitions",
					     "VMAs write-locked by a writer (vma_start_write())");
	ls->vma_write_contentions = COUNTER("writeContentions",
					    "VMA write locks that waited for readers");
	ls->vma_write_acq_bounces = COUNTER("writeAcqBounces", BOUNCES(" (write)"));
	ls->vma_write_con_bounces = COUNTER("writeConBounces", BOUNCES(" (write, contended)"));
#undef COUNTER
#undef BOUNCES
	ls->vma_read_hold = sim_stats_hist_unit(st, "vma_lock", "readHoldTime", "ns",
						"per-VMA read lock held, vma_start_read() to vma_end_read()");
	ls->vma_write_wait = sim_stats_hist_unit(st, "vma_lock", "writeWaitTime", "ns",
						 "VMA write lock: waiting for its readers to leave");
	ls->vma_write_hold = sim_stats_hist_unit(st, "vma_lock", "writeHoldTime", "ns",
						 "vm_lock held for write (0: taken and dropped at once)");
	ls->vma_read_holds = lock_holds_new();
	ls->trace = trace;
}

struct mm_sys *mm_sys_new(struct page_cache *pc)
{
	struct mm_sys *sys = g_new0(struct mm_sys, 1);

	sys->pc = pc;
	sys->eng = pc_engine(pc);
	sys->i_mmaps = g_hash_table_new(g_direct_hash, g_direct_equal);
	INIT_LIST_HEAD(&sys->mms);
	sys->next_mm_id = 1;
	for (int i = 0; i < NR_MM_EVENTS; i++)
		sys->events[i] = sim_stats_counter_unit(sim_engine_stats(sys->eng),
							mm_event_names[i].module,
							mm_event_names[i].name,
							mm_event_names[i].unit,
							mm_event_names[i].what);
	mm_lock_stats_init(&sys->lock_stats, sim_engine_stats(sys->eng), sim_engine_trace(sys->eng));
	return sys;
}

void mm_sys_foreach_mm(const struct mm_sys *sys, void (*fn)(struct mm_struct *mm, void *data),
		       void *data)
{
	struct mm_struct *mm;

	list_for_each_entry(mm, &sys->mms, node)
		fn(mm, data);
}

void mm_sys_free(struct mm_sys *sys)
{
	GHashTableIter iter;
	gpointer im;

	if (!sys)
		return;
	g_assert(list_empty(&sys->mms));
	g_hash_table_iter_init(&iter, sys->i_mmaps);
	while (g_hash_table_iter_next(&iter, NULL, &im))
		g_free(im);
	g_hash_table_destroy(sys->i_mmaps);
	swap_info_free(sys->swap);
	lock_holds_free(sys->lock_stats.vma_read_holds);
	g_free(sys);
}

struct page_cache *mm_sys_cache(const struct mm_sys *sys)
{
	return sys->pc;
}

/* ------------------------------------------------------------------ */
/* VMAs */

/* The index of the first VMA ending above @addr (the count if none). */
static guint find_vma_index(const struct mm_struct *mm, uint64_t addr)
{
	guint lo = 0, hi = mm->vmas->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		const struct vm_area_struct *vma = g_ptr_array_index(mm->vmas, mid);

		if (vma->vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static inline struct vm_area_struct *vma_at(const struct mm_struct *mm, guint i)
{
	return g_ptr_array_index(mm->vmas, i);
}

struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr)
{
	guint i = find_vma_index(mm, addr);

	return i < mm->vmas->len ? vma_at(mm, i) : NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

unsigned int mm_map_count(const struct mm_struct *mm)
{
	return mm->vmas->len;
}

unsigned int mm_nr_vma_lock_waiters(const struct mm_struct *mm)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < mm->vmas->len; i++)
		n += vma_at(mm, i)->vm_lock_waiter != NULL;
	return n;
}

struct vm_area_struct *mm_vma(const struct mm_struct *mm, unsigned int i)
{
	g_assert(i < mm->vmas->len);
	return vma_at(mm, i);
}

uint64_t get_unmapped_area(struct mm_struct *mm, uint64_t nr_pages)
{
	uint64_t start = 1;

	if (!nr_pages)
		return 0;
	for (guint i = 0; i < mm->vmas->len; i++) {
		const struct vm_area_struct *vma = vma_at(mm, i);

		if (vma->vm_start >= start && vma->vm_start - start >= nr_pages)
			return start;
		start = MAX(start, vma->vm_end);
	}
	if (start < mm->task_size && mm->task_size - start >= nr_pages)
		return start;
	return 0;
}

/* Put @vma on its file's i_mmap list, right after @after if given (a
 * split keeps the halves together), else at the tail. */
static void vma_link_file(struct vm_area_struct *vma, struct vm_area_struct *after)
{
	struct mm_sys *sys = vma->vm_mm->sys;
	struct i_mmap *im;

	if (!vma->vm_file)
		return;
	im = g_hash_table_lookup(sys->i_mmaps, vma->vm_file);
	if (!im) {
		im = g_new0(struct i_mmap, 1);
		im->mapping = vma->vm_file;
		im->sys = sys;
		INIT_LIST_HEAD(&im->vmas);
		g_hash_table_insert(sys->i_mmaps, vma->vm_file, im);
		pc_mapping_set_rmap(vma->vm_file, &file_rmap_ops, im);
	}
	vma->i_mmap = im;
	if (after)
		list_add(&vma->shared, &after->shared);
	else
		list_add_tail(&vma->shared, &im->vmas);
}

static void vma_unlink_file(struct vm_area_struct *vma)
{
	struct i_mmap *im = vma->i_mmap;

	if (!im)
		return;
	list_del_init(&vma->shared);
	vma->i_mmap = NULL;
	if (list_empty(&im->vmas)) {
		pc_mapping_set_rmap(im->mapping, NULL, NULL);
		g_hash_table_remove(im->sys->i_mmaps, im->mapping);
		g_free(im);
	}
}

static struct vm_area_struct *vma_new(struct mm_struct *mm, uint64_t start, uint64_t end,
				      unsigned long vm_flags, struct address_space *file,
				      pgoff_t pgoff)
{
	struct vm_area_struct *vma = g_new0(struct vm_area_struct, 1);

	vma->vm_mm = mm;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = vm_flags;
	vma->vm_file = file;
	vma->vm_pgoff = file ? pgoff : start;
	vma->fault_around_pages = FAULT_AROUND_PAGES;
	file_ra_state_init(&vma->vm_ra, VM_READAHEAD_PAGES);
	INIT_LIST_HEAD(&vma->shared);
	vma_start_write(vma);
	return vma;
}

/* Take the VMA at @i out of the array and the i_mmap list and free it
 * (its ptes must have been zapped, or the run be over). */
static void vma_remove(struct mm_struct *mm, guint i)
{
	struct vm_area_struct *vma = vma_at(mm, i);

	g_ptr_array_remove_index(mm->vmas, i);
	vma_unlink_file(vma);
	g_free(vma);
}

/* Split the VMA at @i at @addr (inside it): it keeps [start, addr), a new
 * VMA at @i + 1 takes [addr, end) (__split_vma()). */
static void split_vma(struct mm_struct *mm, guint i, uint64_t addr)
{
	struct vm_area_struct *vma = vma_at(mm, i);
	struct vm_area_struct *new = g_new(struct vm_area_struct, 1);

	g_assert(addr > vma->vm_start && addr < vma->vm_end);
	*new = *vma;
	INIT_LIST_HEAD(&new->shared);
	new->i_mmap = NULL;
	new->vm_start = addr;
	new->vm_pgoff = linear_page_index(vma, addr);
	vma->vm_end = addr;
	vma_start_write(vma);
	vma_start_write(new);
	g_ptr_array_insert(mm->vmas, (gint)i + 1, new);
	vma_link_file(new, vma);
}

/* is_mergeable_vma() and the pgoff check of can_vma_merge_*(). */
static bool can_merge(const struct vm_area_struct *prev, const struct vm_area_struct *next)
{
	return prev->vm_end == next->vm_start && prev->vm_flags == next->vm_flags &&
	       prev->vm_file == next->vm_file &&
	       linear_page_index(prev, prev->vm_end) == next->vm_pgoff &&
	       prev->fault_around_pages == next->fault_around_pages;
}

/* Merge each pair (i - 1, i) for i in [lo, hi] that agrees. */
static void vma_merge_range(struct mm_struct *mm, guint lo, guint hi)
{
	guint i = MAX(lo, 1);

	while (i <= hi && i < mm->vmas->len) {
		struct vm_area_struct *prev = vma_at(mm, i - 1), *vma = vma_at(mm, i);

		if (!can_merge(prev, vma)) {
			i++;
			continue;
		}
		prev->vm_end = vma->vm_end;
		vma_start_write(prev);
		vma_remove(mm, i);
		hi--;
	}
}

/*
 * Per-VMA locks, the writer side (the reader side is vma-lock.c's).  A
 * writer holds mmap_sem for write, so the VMA array does not change while
 * it waits for a VMA's readers.
 */
void vma_start_write_wait(struct sim_task *t, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	bool was_locked = vma_write_locked(vma);

	vma_start_write(vma);
	if (!t) {
		g_assert(vma->vm_lock_readers == 0);
		return;
	}
	g_assert(rwsem_is_write_holder(&mm->mmap_sem, t));
	/* lock_stat: a write acquisition of vm_lock, released at once (a
	 * kernel without per-VMA locks has none). */
	if (!was_locked && mm->has_vma_locks) {
		(*mm->lock_stats->vma_write_acquisitions)++;
		sim_hist_record(mm->lock_stats->vma_write_hold, 0);
	}
	if (!vma->vm_lock_readers)
		return;
	/* down_write(&vm_lock): the atomic, then sleep until the readers
	 * are gone. */
	sim_time_t start = sim_now(mm->sys->eng);
	bool moved = cacheline_access(&vma->vm_lock_line, mm->line_cost, t);

	while (vma->vm_lock_readers) {
		g_assert(!vma->vm_lock_waiter);
		vma->vm_lock_waiter = t;
		sim_block(t);
	}
	/* Readers exist only where faults take VMA locks. */
	(*mm->lock_stats->vma_write_contentions)++;
	sim_hist_record(mm->lock_stats->vma_write_wait, (uint64_t)(sim_now(mm->sys->eng) - start));
	if (G_UNLIKELY(mm->lock_stats->trace))
		sim_trace_task_slice(mm->lock_stats->trace, t, "lock", "vma_lock write wait", start,
				     sim_now(mm->sys->eng), NULL, 0);
	if (moved) {
		(*mm->lock_stats->vma_write_acq_bounces)++;
		(*mm->lock_stats->vma_write_con_bounces)++;
	}
}

void vma_start_write_range(struct sim_task *t, struct mm_struct *mm, uint64_t start,
			   uint64_t nr_pages)
{
	uint64_t end = start + nr_pages;

	for (guint i = 0; i < mm->vmas->len; i++) {
		struct vm_area_struct *vma = vma_at(mm, i);

		if (vma->vm_end < start)
			continue;
		if (vma->vm_start > end)
			break;
		vma_start_write_wait(t, vma);
	}
}

static void assert_mmap_write_locked(struct mm_struct *mm, struct sim_task *t)
{
	if (t)
		g_assert(rwsem_is_write_holder(&mm->mmap_sem, t));
}

/* Without a task (set-up), an operation is its own write-lock section. */
static void mm_op_done(struct mm_struct *mm, struct sim_task *t)
{
	if (!t)
		mm->mm_lock_seq++;
}

static gboolean check_range(const struct mm_struct *mm, uint64_t start, uint64_t nr_pages,
			    const char *what, GError **error)
{
	if (!nr_pages || start >= mm->task_size || nr_pages > mm->task_size - start) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "%s of %" G_GUINT64_FORMAT " pages at page %" G_GUINT64_FORMAT
			    " does not fit the %" G_GUINT64_FORMAT "-page address space of '%s'",
			    what, nr_pages, start, mm->task_size, mm->name);
		return FALSE;
	}
	return TRUE;
}

static void orphan_add(struct mm_struct *mm, uint64_t addr);
static void anon_page_release(struct mm_struct *mm, uint64_t addr, struct page *page);

/* The first address past the hole at @addr, which has no pte table: the
 * end of its pmd table's range if that is missing too, else of the pte
 * table's. */
static uint64_t pte_hole_end(const struct mm_struct *mm, uint64_t addr)
{
	size_t g = addr >> PMD_SHIFT;

	if (g >= mm->nr_pgd || !mm->pgd[g])
		return (addr | ((UINT64_C(1) << PMD_SHIFT) - 1)) + 1;
	return (addr | (PTRS_PER_PTE - 1)) + 1;
}

unsigned long zap_page_range(struct vm_area_struct *vma, uint64_t start, uint64_t nr_pages)
{
	struct mm_struct *mm = vma->vm_mm;
	uint64_t end = start + nr_pages;
	unsigned long n = 0;

	g_assert(start >= vma->vm_start && end <= vma->vm_end && end >= start);
	for (uint64_t addr = start; addr < end;) {
		struct pte_table *pt = mm_pte_table(mm, addr);
		pte_t pte;

		if (!pt) {
			addr = pte_hole_end(mm, addr);
			continue;
		}
		pte = pt->pte[addr & (PTRS_PER_PTE - 1)];
		if (pte_present(pte)) {
			struct page *page = pte_page(pte);
			bool anon = page_is_anon_of(mm, page);

			if (pte_dirty(pte))
				set_page_dirty(page);
			pte_clear(mm, addr);
			mm->counters[anon ? MM_ANONPAGES : MM_FILEPAGES]--;
			page_remove_rmap(page);
			if (anon)
				anon_page_release(mm, addr, page);
			put_page(page);
			n++;
		} else if (is_swap_pte(pte)) {
			struct page *page;

			pte_clear(mm, addr);
			mm->counters[MM_SWAPENTS]--;
			swap_free(mm->sys->swap, swp_offset(pte_to_swp_entry(pte)));
			/* free_swap_and_cache(): drop the swap cache page too. */
			page = find_get_page(mm->anon, addr);
			if (page) {
				anon_page_release(mm, addr, page);
				put_page(page);
			}
			n++;
		}
		addr++;
	}
	count_mm_event(mm->sys, PTES_ZAPPED, n);
	if (mm_checks(mm->sys))
		check_zapped(mm, start, end);
	return n;
}

/* Whether [@start, @end) of @mm maps a present pte (holes skipped). */
static bool range_has_present(const struct mm_struct *mm, uint64_t start, uint64_t end)
{
	for (uint64_t addr = start; addr < end;) {
		const struct pte_table *pt = mm_pte_table(mm, addr);

		if (!pt) {
			addr = pte_hole_end(mm, addr);
			continue;
		}
		if (pte_present(pt->pte[addr & (PTRS_PER_PTE - 1)]))
			return true;
		addr++;
	}
	return false;
}

gboolean do_munmap(struct sim_task *t, struct mm_struct *mm, uint64_t start,
		   uint64_t nr_pages, GError **error)
{
	uint64_t end = start + nr_pages, tables;
	bool present = false;
	guint i;

	if (!check_range(mm, start, nr_pages, "munmap", error))
		return FALSE;
	assert_mmap_write_locked(mm, t);
	/* Wait for the per-VMA readers of what may change (also
	 * mmap_region()'s merge candidates: the neighbours). */
	vma_start_write_range(t, mm, start, nr_pages);
	/* unmap_region(): one mmu_gather for the range, flushed at its end
	 * (tlb_finish_mmu()) if it cleared present ptes, with freed_tables
	 * if page tables went too. */
	if (mm->tlb && t)
		present = range_has_present(mm, start, end);
	tables = mm->nr_pte_tables;
	i = find_vma_index(mm, start);
	if (i < mm->vmas->len && vma_at(mm, i)->vm_start < start) {
		split_vma(mm, i, start);
		i++;
	}
	while (i < mm->vmas->len && vma_at(mm, i)->vm_start < end) {
		struct vm_area_struct *vma = vma_at(mm, i);

		if (vma->vm_end > end)
			split_vma(mm, i, end);
		zap_page_range(vma, vma->vm_start, vma_pages(vma));
		vma_remove(mm, i);
	}
	if (present)
		flush_tlb_mm_range(t, mm, start, end, mm->nr_pte_tables < tables);
	mm_op_done(mm, t);
	if (mm_checks(mm->sys))
		check_vmas(mm);
	return TRUE;
}

struct vm_area_struct *mmap_region(struct sim_task *t, struct mm_struct *mm, uint64_t addr,
				   uint64_t nr_pages, unsigned long vm_flags,
				   struct address_space *file, pgoff_t pgoff,
				   GError **error)
{
	struct vm_area_struct *vma;
	guint i;

	if (!check_range(mm, addr, nr_pages, "mmap", error))
		return NULL;
	if (vm_flags & ~VM_KNOWN_FLAGS) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "unknown VMA flags %#lx", vm_flags & ~VM_KNOWN_FLAGS);
		return NULL;
	}
	if (!file && (vm_flags & VM_SHARED)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "shared anonymous mappings are not modelled");
		return NULL;
	}
	if (file && pc_mapping_cache(file) != mm->sys->pc) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "file '%s' belongs to another page cache", pc_mapping_name(file));
		return NULL;
	}
	if (file && (pgoff >= PC_MAX_PAGES || nr_pages > PC_MAX_PAGES - pgoff)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "file pages %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT
			    " exceed the largest file", pgoff, nr_pages);
		return NULL;
	}
	assert_mmap_write_locked(mm, t);
	if (!do_munmap(t, mm, addr, nr_pages, error))
		return NULL;
	mm->exited = false;
	vma = vma_new(mm, addr, addr + nr_pages, vm_flags, file, pgoff);
	i = find_vma_index(mm, addr);
	g_ptr_array_insert(mm->vmas, (gint)i, vma);
	vma_link_file(vma, NULL);
	vma_merge_range(mm, i, i + 1);
	mm_op_done(mm, t);
	if (mm_checks(mm->sys))
		check_vmas(mm);
	return vma_lookup(mm, addr);
}

/* change_protection() losing VM_WRITE: the present ptes of [@start,
 * @end) become read-only (their dirty bits stay). */
static void change_protection_wrprotect(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	for (uint64_t addr = start; addr < end; addr++) {
		pte_t *ptep = mm_pte_offset(mm, addr);

		if (ptep && pte_present(*ptep))
			*ptep &= ~_PAGE_RW;
	}
}

gboolean do_mprotect(struct sim_task *t, struct mm_struct *mm, uint64_t start,
		     uint64_t nr_pages, unsigned long prot, GError **error)
{
	uint64_t end = start + nr_pages, pos = start;
	guint i, first;

	if (!check_range(mm, start, nr_pages, "mprotect", error))
		return FALSE;
	if (prot & ~VM_ACCESS_FLAGS) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "mprotect flags %#lx are not access flags", prot);
		return FALSE;
	}
	assert_mmap_write_locked(mm, t);
	/* The whole range must be mapped (-ENOMEM in the kernel). */
	for (i = find_vma_index(mm, start); pos < end; i++) {
		if (i >= mm->vmas->len || vma_at(mm, i)->vm_start > pos) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
				    "mprotect: page %" G_GUINT64_FORMAT " of '%s' is not mapped",
				    pos, mm->name);
			return FALSE;
		}
		pos = vma_at(mm, i)->vm_end;
	}
	vma_start_write_range(t, mm, start, nr_pages);

	i = find_vma_index(mm, start);
	if (vma_at(mm, i)->vm_start < start) {
		split_vma(mm, i, start);
		i++;
	}
	first = i;
	while (i < mm->vmas->len && vma_at(mm, i)->vm_start < end) {
		struct vm_area_struct *vma = vma_at(mm, i);

		if (vma->vm_end > end)
			split_vma(mm, i, end);
		if ((vma->vm_flags & VM_WRITE) && !(prot & VM_WRITE))
			change_protection_wrprotect(mm, vma->vm_start, vma->vm_end);
		vma->vm_flags = (vma->vm_flags & ~VM_ACCESS_FLAGS) | prot;
		vma_start_write(vma);
		i++;
	}
	/* Merge the changed VMAs with each other and their neighbours. */
	vma_merge_range(mm, first, i);
	/* change_protection() on present ptes ends in a flush of the range
	 * (flush_tlb_range(); from 6.0 the mmu_gather's, one for the call),
	 * whichever way the protection went: the ptes were rewritten. */
	if (mm->tlb && t && range_has_present(mm, start, end))
		flush_tlb_mm_range(t, mm, start, end, false);
	mm_op_done(mm, t);
	if (mm_checks(mm->sys))
		check_vmas(mm);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Address spaces */

struct mm_struct *mm_new(struct mm_sys *sys, const char *name,
			 const struct fs_rwsem_policy *rwsem_ops, uint64_t task_size,
			 GError **error)
{
	g_autofree char *anon_name = NULL;
	struct address_space *anon;
	struct mm_struct *mm;

	if (!task_size)
		task_size = PC_MAX_PAGES;
	if (task_size > PC_MAX_PAGES) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "address space '%s' of %" G_GUINT64_FORMAT " pages is larger than "
			    "the %" G_GUINT64_FORMAT " pages supported", name, task_size,
			    PC_MAX_PAGES);
		return NULL;
	}
	anon_name = g_strdup_printf("anon:%s", name);
	anon = pc_mapping_new(sys->pc, anon_name, task_size, AS_SWAPBACKED, error);
	if (!anon)
		return NULL;
	mm = g_new0(struct mm_struct, 1);
	mm->name = g_strdup(name);
	mm->id = sys->next_mm_id++;
	mm->sys = sys;
	mm->lock_stats = &sys->lock_stats;
	mm->task_size = task_size;
	mm->anon = anon;
	rwsem_init(&mm->mmap_sem, sys->eng, "mmap_sem", rwsem_ops);
	mm->vmas = g_ptr_array_new();
	mm->orphans = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	pc_mapping_set_backing(anon, &swap_backing_ops, mm);
	pc_mapping_set_rmap(anon, &anon_rmap_ops, mm);
	list_add_tail(&mm->node, &sys->mms);
	return mm;
}

/* Whether @page, the anonymous page at @addr, belongs to nobody: in the
 * cache, unmapped, its pte none. */
static bool anon_orphan(const struct mm_struct *mm, uint64_t addr, const struct page *page)
{
	return page->mapping == mm->anon && !page_mapped(page) && pte_none(mm_pte(mm, addr));
}

/*
 * Delete the orphan at @addr if it still is one, once its I/O is done:
 * take the page lock and wait for writeback first.  Drops the reference
 * of @page (from find_get_page()).  May sleep.
 */
static void orphan_reap(struct sim_task *t, struct mm_struct *mm, uint64_t addr,
			struct page *page)
{
	lock_page(t, page);
	wait_on_page_writeback(t, page);
	if (anon_orphan(mm, addr, page))
		delete_from_page_cache(page);
	unlock_page(page);
	put_page(page);
}

/* Forget the orphans that are gone (freed by reclaim or reused). */
static void orphans_prune(struct mm_struct *mm)
{
	guint j = 0;

	for (guint i = 0; i < mm->orphans->len; i++) {
		uint32_t addr = g_array_index(mm->orphans, uint32_t, i);

		if (pc_page_cached(mm->anon, addr) && pte_none(mm_pte(mm, addr)))
			g_array_index(mm->orphans, uint32_t, j++) = addr;
	}
	g_array_set_size(mm->orphans, j);
	mm->orphans_pruned = j;
}

static void orphan_add(struct mm_struct *mm, uint64_t addr)
{
	uint32_t a = (uint32_t)addr;

	g_array_append_val(mm->orphans, a);
	if (mm->orphans->len > MAX(64u, 2 * mm->orphans_pruned))
		orphans_prune(mm);
}

/*
 * The last pte of anonymous page @page (at @addr) is gone and we hold a
 * reference: delete it from the swap cache if we can without sleeping,
 * else leave it as an orphan.
 */
static void anon_page_release(struct mm_struct *mm, uint64_t addr, struct page *page)
{
	if (!anon_orphan(mm, addr, page))
		return;
	if (PageWriteback(page) || !trylock_page(page)) {
		orphan_add(mm, addr);
		return;
	}
	if (!PageWriteback(page) && anon_orphan(mm, addr, page))
		delete_from_page_cache(page);
	else
		orphan_add(mm, addr);
	unlock_page(page);
}

void exit_mmap(struct sim_task *t, struct mm_struct *mm)
{
	g_assert(t);
	while (mm->vmas->len) {
		struct vm_area_struct *vma = vma_at(mm, mm->vmas->len - 1);

		zap_page_range(vma, vma->vm_start, vma_pages(vma));
		vma_remove(mm, mm->vmas->len - 1);
	}
	/* The orphans: wait for their I/O, then delete them. */
	for (guint i = 0; i < mm->orphans->len; i++) {
		uint32_t addr = g_array_index(mm->orphans, uint32_t, i);
		struct page *page = find_get_page(mm->anon, addr);

		if (page)
			orphan_reap(t, mm, addr, page);
	}
	g_array_set_size(mm->orphans, 0);
	mm->orphans_pruned = 0;
	g_assert(pc_mapping_nrpages(mm->anon) == 0);
	g_assert(mm->nr_pte_tables == 0);
	mm->exited = true;
	mm->mm_lock_seq++;
	/* Rare and the end of an address space: check every mm. */
	if (mm_checks(mm->sys))
		mm_sys_check(mm->sys);
}

void mm_free(struct mm_struct *mm)
{
	if (!mm)
		return;
	for (guint i = 0; i < mm->vmas->len; i++) {
		struct vm_area_struct *vma = vma_at(mm, i);

		vma_unlink_file(vma);
		g_free(vma);
	}
	g_ptr_array_free(mm->vmas, TRUE);
	for (size_t g = 0; g < mm->nr_pgd; g++) {
		struct pmd_table *pmd = mm->pgd[g];

		for (unsigned int i = 0; pmd && i < PTRS_PER_PMD; i++)
			g_free(pmd->pte[i]);
		g_free(pmd);
	}
	g_free(mm->pgd);
	if (mm->exited && !pc_mapping_nrpages(mm->anon) && !mm->nr_pte_tables) {
		pc_mapping_free(mm->anon);
	} else {
		/* After the run: the pages stay for pc_free(). */
		pc_mapping_set_backing(mm->anon, NULL, NULL);
		pc_mapping_set_rmap(mm->anon, NULL, NULL);
	}
	g_array_free(mm->orphans, TRUE);
	rwsem_destroy(&mm->mmap_sem);
	list_del_init(&mm->node);
	g_free(mm->name);
	g_free(mm);
}

/* ------------------------------------------------------------------ */
/* Mapping pages */

int mm_map_page(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		struct page *page)
{
	bool anon = page_is_anon_of(mm, page);
	struct pte_table *pt;
	pte_t *ptep;

	g_assert(vma->vm_mm == mm && addr >= vma->vm_start && addr < vma->vm_end);
	if (anon)
		g_assert(page->index == addr);
	else
		g_assert(page->mapping && page->mapping == vma->vm_file &&
			 page->index == linear_page_index(vma, addr));
	/* One walk of the tables: a pte that is not none has its table, so
	 * only a none pte's table may have to be made. */
	pt = mm_pte_table(mm, addr);
	if (!pt)
		pt = pte_table_alloc(mm, addr);
	else if (!pte_none(pt->pte[addr & (PTRS_PER_PTE - 1)]))
		return -EEXIST;
	ptep = &pt->pte[addr & (PTRS_PER_PTE - 1)];
	*ptep = mk_pte(page, anon && (vma->vm_flags & VM_WRITE));
	pt->nr_used++;
	get_page(page);
	page_add_rmap(page);
	mm->counters[anon ? MM_ANONPAGES : MM_FILEPAGES]++;
	if (mm_checks(mm->sys))
		check_pte(mm, addr, *ptep);
	return 0;
}

struct page *mm_alloc_anon_page(struct sim_task *t, struct mm_struct *mm,
				struct vm_area_struct *vma, uint64_t addr, int *err)
{
	unsigned int gfp = t ? PC_GFP_KERNEL : PC_GFP_NOWAIT;
	struct page *page;
	int dummy, e;

	if (!err)
		err = &dummy;
	g_assert(vma->vm_mm == mm && addr >= vma->vm_start && addr < vma->vm_end);
	/* anon_vma_prepare(): the VMA's first anonymous page gives it an
	 * anon_vma, linked under that anon_vma's lock (the line moves if
	 * another CPU did the same on this VMA first).  The VMA is held by
	 * the caller across the stall. */
	if (!vma->anon_vma && t) {
		vma->anon_vma = true;
		if (mm->lines)
			cacheline_lock(&vma->anon_vma_line, mm->line_cost, t, 0);
	}
	for (;;) {
		if (!pte_none(mm_pte(mm, addr))) {
			*err = -EEXIST;
			return NULL;
		}
		e = add_to_page_cache_lru(t, mm->anon, addr, gfp, &page);
		if (!e)
			break;
		if (e == -ENOMEM) {
			*err = -ENOMEM;
			return NULL;
		}
		if (e == -EBUSY || !t) {
			*err = -EAGAIN;
			return NULL;
		}
		/* -EEXIST: an orphan, or another thread's new page. */
		page = find_get_page(mm->anon, addr);
		if (page)
			orphan_reap(t, mm, addr, page);
	}
	/* We may have slept in reclaim, but the slot was free: nobody can
	 * have mapped this address since. */
	g_assert(pte_none(mm_pte(mm, addr)));
	SetPageUptodate(page);
	SetPageDirty(page);
	*err = 0;
	if (mm_checks(mm->sys))
		SIM_CHECK(page->mapping == mm->anon && page->index == addr &&
			  PageLocked(page) && PageSwapBacked(page));
	return page;
}

struct page *mm_alloc_cow_page(struct sim_task *t, struct mm_struct *mm,
			       struct vm_area_struct *vma, uint64_t addr, int *err)
{
	struct page *page;
	int e;

	g_assert(vma->vm_mm == mm && addr >= vma->vm_start && addr < vma->vm_end);
	g_assert(vma->vm_file && !(vma->vm_flags & VM_SHARED));
	for (;;) {
		e = add_to_page_cache_lru(t, mm->anon, addr, t ? PC_GFP_KERNEL : PC_GFP_NOWAIT,
					  &page);
		if (!e)
			break;
		if (e == -ENOMEM || e == -EBUSY || !t) {
			*err = e == -ENOMEM ? -ENOMEM : -EAGAIN;
			return NULL;
		}
		/* -EEXIST: an orphan left at this address. */
		page = find_get_page(mm->anon, addr);
		if (page)
			orphan_reap(t, mm, addr, page);
	}
	SetPageUptodate(page);
	SetPageDirty(page);
	*err = 0;
	return page;
}

bool mm_cow_replace(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		    struct page *old_page, struct page *new_page)
{
	pte_t *ptep = mm_pte_offset(mm, addr);

	g_assert(page_is_anon_of(mm, new_page) && new_page->index == addr);
	if (!ptep || !pte_maps(*ptep, old_page))
		return false;
	/* ptep_clear_flush(), then the new pte; the file page's rmap goes
	 * after (its pte dirty bit, if any, dirties it: a private mapping's
	 * ptes are never dirty here, they are read-only). */
	*ptep = mk_pte(new_page, true) | _PAGE_DIRTY;
	mm->counters[MM_FILEPAGES]--;
	mm->counters[MM_ANONPAGES]++;
	get_page(new_page);
	page_add_rmap(new_page);
	page_remove_rmap(old_page);
	put_page(old_page);
	if (mm_checks(mm->sys))
		check_pte(mm, addr, *ptep);
	return true;
}

void mm_cow_abort(struct mm_struct *mm, struct page *page)
{
	g_assert(page_is_anon_of(mm, page) && PageLocked(page) && !page_mapped(page));
	delete_from_page_cache(page);
	unlock_page(page);
	put_page(page);
}

struct page *swapin_page(struct sim_task *t, struct mm_struct *mm,
			 struct vm_area_struct *vma, uint64_t addr, bool *major, int *err)
{
	unsigned int gfp = t ? PC_GFP_KERNEL : PC_GFP_NOWAIT;
	bool dummy_major;
	int dummy_err;

	if (!major)
		major = &dummy_major;
	if (!err)
		err = &dummy_err;
	*major = false;
	*err = 0;
	g_assert(vma->vm_mm == mm && addr >= vma->vm_start && addr < vma->vm_end);
	for (;;) {
		struct page *page;
		int e;

		if (!is_swap_pte(mm_pte(mm, addr))) {
			*err = -EAGAIN;
			return NULL;
		}
		page = find_get_page(mm->anon, addr);
		if (page) {
			count_mm_event(mm->sys, SWAPCACHE_HIT, 1);
			return page;
		}
		e = add_to_page_cache_lru(t, mm->anon, addr, gfp, &page);
		if (e == -EEXIST)
			continue;
		if (e) {
			*err = e == -EBUSY ? -EAGAIN : e;
			return NULL;
		}
		if (!is_swap_pte(mm_pte(mm, addr))) {
			/* Zapped while we slept in reclaim. */
			delete_from_page_cache(page);
			unlock_page(page);
			put_page(page);
			*err = -EAGAIN;
			return NULL;
		}
		pc_readpage(t, page);
		*major = true;
		if (mm_checks(mm->sys))
			SIM_CHECK(page->mapping == mm->anon && page->index == addr &&
				  is_swap_pte(mm_pte(mm, addr)));
		return page;
	}
}

int mm_map_swap_page(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr,
		     struct page *page)
{
	pte_t *ptep = mm_pte_offset(mm, addr);
	uint64_t slot;

	g_assert(vma->vm_mm == mm && addr >= vma->vm_start && addr < vma->vm_end);
	g_assert(PageLocked(page));
	if (!ptep || !is_swap_pte(*ptep) || page->mapping != mm->anon || page->index != addr)
		return -EAGAIN;
	if (!PageUptodate(page))
		return -EIO;
	slot = swp_offset(pte_to_swp_entry(*ptep));
	/* Read-only: do_swap_page() makes it writable for a write fault. */
	*ptep = mk_pte(page, false);
	swap_free(mm->sys->swap, slot);
	mm->counters[MM_SWAPENTS]--;
	mm->counters[MM_ANONPAGES]++;
	get_page(page);
	page_add_rmap(page);
	/* Its slot is gone: the page is the only copy. */
	SetPageDirty(page);
	if (mm_checks(mm->sys)) {
		check_pte(mm, addr, *ptep);
		check_slot(mm->sys->swap, slot);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Invariants
 *
 * Two kinds of checker.  mm_check() and mm_sys_check() walk the whole
 * state (O(ptes)); tests call them, and exit_mmap() runs mm_sys_check()
 * when checks are on.  Every other change checks, when checks are on,
 * what it touched -- the pte, the swap slot, the VMA array, the range it
 * zapped -- at no more than the change's own cost, so that a run with
 * checks on stays within a small factor of one without.
 */

/* The rules of the present or swap pte @pte at @addr of @mm (none is
 * fine). */
static void check_pte(const struct mm_struct *mm, uint64_t addr, pte_t pte)
{
	const struct swap_info *si = mm->sys->swap;
	const struct vm_area_struct *vma;

	if (pte_none(pte))
		return;
	vma = vma_lookup((struct mm_struct *)mm, addr);
	SIM_CHECK(vma);
	if (pte_present(pte)) {
		const struct page *page = pte_page(pte);

		SIM_CHECK(page->mapping);
		SIM_CHECK(page_mapcount(page) >= 1);
		SIM_CHECK(page_count(page) >= 1 + page_mapcount(page));
		SIM_CHECK(!pte_write(pte) || (vma->vm_flags & VM_WRITE));
		if (page_is_anon_of(mm, page)) {
			SIM_CHECK(page->index == addr);
			SIM_CHECK(PageSwapBacked(page));
		} else {
			SIM_CHECK(page->mapping == vma->vm_file);
			SIM_CHECK(page->index == linear_page_index(vma, addr));
			/* Dirty accounting: a file page is writable only
			 * through shared mappings, and only while dirty
			 * (writeback write-protects it first). */
			SIM_CHECK(!pte_write(pte) || (vma->vm_flags & VM_SHARED));
			SIM_CHECK(!pte_write(pte) || PageDirty(page));
		}
	} else {
		uint64_t slot = swp_offset(pte_to_swp_entry(pte));

		SIM_CHECK(is_swap_pte(pte) && si);
		SIM_CHECK(slot > 0 && slot < si->nr_slots);
		SIM_CHECK(slot_refs(si, slot) >= 1);
		SIM_CHECK(slot_token(si, slot) == mm_page_token(mm, addr));
	}
}

/* A slot is marked used exactly while something references it. */
static void check_slot(const struct swap_info *si, uint64_t slot)
{
	bool used = swap_used_word(si, slot / 64) & (UINT64_C(1) << (slot % 64));

	SIM_CHECK(slot > 0 && slot < si->nr_slots);
	SIM_CHECK(used == (slot_refs(si, slot) > 0));
	SIM_CHECK(si->nr_free < si->nr_slots);
}

/* The VMA array: sorted, disjoint, in the space, each file VMA on its
 * file's i_mmap list. */
static void check_vmas(const struct mm_struct *mm)
{
	uint64_t prev_end = 0;

	for (guint i = 0; i < mm->vmas->len; i++) {
		const struct vm_area_struct *vma = vma_at(mm, i);

		SIM_CHECK(vma->vm_mm == mm);
		SIM_CHECK(vma->vm_start < vma->vm_end && vma->vm_end <= mm->task_size);
		SIM_CHECK(vma->vm_start >= prev_end);
		prev_end = vma->vm_end;
		if (vma->vm_file) {
			const struct vm_area_struct *v;
			bool found = false;

			SIM_CHECK(vma->i_mmap && vma->i_mmap->mapping == vma->vm_file);
			SIM_CHECK(g_hash_table_lookup(mm->sys->i_mmaps, vma->vm_file) == vma->i_mmap);
			list_for_each_entry(v, &vma->i_mmap->vmas, shared)
				found |= v == vma;
			SIM_CHECK(found);
		} else {
			SIM_CHECK(!vma->i_mmap && vma->vm_pgoff == vma->vm_start);
		}
	}
}

/* Every pte of [@start, @end) is none (absent tables are). */
static void check_zapped(const struct mm_struct *mm, uint64_t start, uint64_t end)
{
	for (uint64_t addr = start; addr < end;) {
		const struct pte_table *pt = mm_pte_table(mm, addr);

		if (!pt) {
			addr = (addr | (PTRS_PER_PTE - 1)) + 1;
			continue;
		}
		SIM_CHECK(pte_none(pt->pte[addr & (PTRS_PER_PTE - 1)]));
		addr++;
	}
}

bool mm_check(const struct mm_struct *mm)
{
	uint64_t counters[NR_MM_COUNTERS] = { 0 };
	uint64_t tables = 0;

	check_vmas(mm);

	for (size_t g = 0; g < mm->nr_pgd; g++) {
		const struct pmd_table *pmd = mm->pgd[g];
		uint32_t nr_tables = 0;

		if (!pmd)
			continue;
		for (unsigned int i = 0; i < PTRS_PER_PMD; i++) {
			const struct pte_table *pt = pmd->pte[i];
			uint32_t used = 0;

			if (!pt)
				continue;
			nr_tables++;
			for (unsigned int j = 0; j < PTRS_PER_PTE; j++) {
				uint64_t addr = ((uint64_t)g << PMD_SHIFT) |
						((uint64_t)i << PTE_SHIFT) | j;
				pte_t pte = pt->pte[j];

				if (pte_none(pte))
					continue;
				used++;
				check_pte(mm, addr, pte);
				if (!pte_present(pte))
					counters[MM_SWAPENTS]++;
				else if (page_is_anon_of(mm, pte_page(pte)))
					counters[MM_ANONPAGES]++;
				else
					counters[MM_FILEPAGES]++;
			}
			SIM_CHECK(used == pt->nr_used);
			SIM_CHECK(used > 0);
		}
		SIM_CHECK(nr_tables == pmd->nr_used);
		SIM_CHECK(nr_tables > 0);
		tables += nr_tables;
	}
	SIM_CHECK(tables == mm->nr_pte_tables);
	for (int c = 0; c < NR_MM_COUNTERS; c++)
		SIM_CHECK(counters[c] == mm->counters[c]);
	return true;
}

bool mm_sys_check(const struct mm_sys *sys)
{
	g_autoptr(GHashTable) maps = g_hash_table_new(g_direct_hash, g_direct_equal);
	const struct swap_info *si = sys->swap;
	const struct mm_struct *mm;
	uint64_t swap_refs = 0, map_refs = 0, nr_free = 0;
	GHashTableIter iter;
	gpointer key, value;

	list_for_each_entry(mm, &sys->mms, node) {
		mm_check(mm);
		swap_refs += mm->counters[MM_SWAPENTS];
		for (size_t g = 0; g < mm->nr_pgd; g++) {
			const struct pmd_table *pmd = mm->pgd[g];

			for (unsigned int i = 0; pmd && i < PTRS_PER_PMD; i++) {
				const struct pte_table *pt = pmd->pte[i];

				for (unsigned int j = 0; pt && j < PTRS_PER_PTE; j++) {
					struct page *page = pte_page(pt->pte[j]);

					if (!page)
						continue;
					value = g_hash_table_lookup(maps, page);
					g_hash_table_insert(maps, page,
							    GUINT_TO_POINTER(GPOINTER_TO_UINT(value) + 1));
				}
			}
		}
	}
	g_hash_table_iter_init(&iter, maps);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const struct page *page = key;

		SIM_CHECK(page_mapcount(page) == (int)GPOINTER_TO_UINT(value));
	}
	if (!si) {
		SIM_CHECK(swap_refs == 0);
		return true;
	}
	/* Slots of chunks not made yet are free. */
	for (uint64_t s = 1; s < si->nr_slots; s++) {
		if (!si->chunks[s >> SWAP_CHUNK_SHIFT]) {
			uint64_t end = MIN((s | (SWAP_CHUNK - 1)) + 1, si->nr_slots);

			nr_free += end - s;
			s = end - 1;
			continue;
		}
		check_slot(si, s);
		map_refs += slot_refs(si, s);
		nr_free += !slot_refs(si, s);
	}
	SIM_CHECK(nr_free == si->nr_free);
	SIM_CHECK(map_refs == swap_refs + si->nr_inflight);
	SIM_CHECK(list_count(&si->inflight) == si->nr_inflight);
	return true;
}
