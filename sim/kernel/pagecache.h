/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page cache and page reclaim: address spaces of pages (files, and
 * anonymous memory modelled as swap-backed address spaces), a memory limit,
 * the active and inactive LRU lists, kswapd and direct reclaim, after
 * mm/filemap.c, mm/swap.c and mm/vmscan.c.
 *
 * Memory.  A page cache has a size in pages (the memory limit): every page
 * of every address space takes one page frame from it, and
 * add_to_page_cache_lru() never exceeds it.  Free frames are measured
 * against three watermarks, min <= low <= high, the way
 * zone_watermark_ok() does (a mark is met when free > mark):
 *	- an allocation that finds free <= low wakes kswapd, which reclaims
 *	  until free > high, then sleeps;
 *	- an allocation that finds free <= min (with min = 0: no frame free)
 *	  reclaims directly in the calling task ("allocstall"), and, if that
 *	  frees nothing, waits for frames to be freed or for writeback to
 *	  complete (at most PC_RECLAIM_THROTTLE ns at a time, as
 *	  reclaim_throttle()), then tries again.  A caller that cannot sleep
 *	  (PC_GFP_NOWAIT, or no task) gets -ENOMEM instead.
 *
 * The LRU.  One inactive and one active list (no anon/file split).  New
 * pages go to the inactive head.  mark_page_accessed() sets PG_referenced,
 * and a second access moves an inactive page to the active list.  Reclaim
 * scans the inactive tail one page at a time (priority 12 down to 0, the
 * list size >> priority per pass, in batches of SWAP_CLUSTER_MAX), as
 * shrink_page_list():
 *	- a locked page, or one under writeback, is kept (inactive head);
 *	- page_check_references(): a page with young ptes (pc_rmap_ops
 *	  ->referenced) is kept once with PG_referenced set, and activated if
 *	  referenced again or mapped young more than once; an unmapped file
 *	  page with only PG_referenced is reclaimed if clean (use-once);
 *	- a mapped page is unmapped through its address space's
 *	  pc_rmap_ops->unmap, and activated if it stays mapped;
 *	- a dirty page is written through pc_backing_ops->writepage (PG_dirty
 *	  cleared, PG_writeback and PG_reclaim set) and kept; when the write
 *	  completes, end_page_writeback() rotates it to the inactive tail so
 *	  the next scan frees it (kswapd and direct reclaim both write here;
 *	  the kernel leaves most dirty file pages to the flusher threads);
 *	- otherwise, if nobody but the cache and reclaim holds a reference,
 *	  the page is freed.
 * When the inactive list is small next to the active one
 * (inactive_is_low(), the kernel's sqrt(10 * GiB) ratio), the active tail
 * is deactivated onto the inactive head.
 *
 * Reclaim takes no simulated time unless pc_params.scan_cost is set; then
 * each page scanned costs that much CPU time, spent with
 * pc_params.cpu_work (e.g. cpu_work() once the reclaiming task is attached
 * to the CPUs), in one step per batch of pages scanned from a list (up to
 * SWAP_CLUSTER_MAX), before the batch is scanned.  kswapd is a task of its own ("kswapd", not attached to
 * any CPU: see pc_kswapd_task()); it sleeps blocked on "kswapd sleep".
 *
 * Measurements: module "reclaim" counters named as in /proc/vmstat
 * (pgscan_kswapd, pgscan_direct, pgsteal_kswapd, pgsteal_direct,
 * pgactivate, pgdeactivate, pgrefill, pgrotated, allocstall, pageoutrun,
 * nr_vmscan_write); module "pagecache" counters pgalloc and pgfree.
 *
 * No global state: everything hangs off a struct page_cache, which lives
 * in one engine.
 */
#ifndef FAULTSIM_SIM_PAGECACHE_H
#define FAULTSIM_SIM_PAGECACHE_H

#include <errno.h>
#include <stdbool.h>
#include "sim/core/engine.h"
#include "sim/kernel/page.h"
#include "sim/kernel/pagelock.h"
#include "sim/core/task.h"

struct page_cache;
struct address_space;

/* Pages per chunk of an address space's page array (allocated on first
 * use, freed when its last page goes). */
#define PC_CHUNK_SHIFT		9
#define PC_CHUNK_PAGES		(1u << PC_CHUNK_SHIFT)
/* Largest address space, in pages (page->index is 32 bits). */
#define PC_MAX_PAGES		(UINT64_C(1) << 32)

/* Reclaim batch, and the number of priorities, as in mm/vmscan.c. */
#define SWAP_CLUSTER_MAX	32
#define DEF_PRIORITY		12
/* Longest a throttled reclaimer sleeps before it tries again (HZ/10). */
#define PC_RECLAIM_THROTTLE	(100 * NSEC_PER_MSEC)
/* kswapd gives up after this many fruitless runs, until a reclaim
 * somewhere makes progress again. */
#define MAX_RECLAIM_RETRIES	16

enum lru_list {
	LRU_INACTIVE,
	LRU_ACTIVE,
	NR_LRU_LISTS
};

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK
};

/* Address-space flags (pc_mapping_new). */
#define AS_SWAPBACKED		0x1u	/* anonymous memory: pages get PG_swapbacked */

/* The allocation flags of add_to_page_cache_lru(), PC_GFP_KERNEL and
 * PC_GFP_NOWAIT, are faultsim/mm.h's; the kernel's own readahead also uses
 * PC_GFP_NORETRY (readahead_gfp_mask()'s __GFP_NORETRY): short of memory,
 * one round of direct reclaim, then -ENOMEM without retrying or
 * throttling (__alloc_pages_slowpath()'s "goto nopage"). */
#define PC_GFP_NORETRY		0x2u

struct pc_params {
	uint64_t nr_pages;		/* memory size in pages (>= 1) */
	/* Watermarks in free pages, min <= low <= high < nr_pages.  All
	 * zero (the default): derived as the kernel does, min from
	 * min_free_kbytes = sqrt(16 * memory in KiB) clamped to 128 KiB ..
	 * 256 MiB, then low = min + d and high = min + 2d with d = max(min /
	 * 4, memory * watermark_scale_factor (10) / 10000); below a few MiB,
	 * min = d = memory / 16 instead.  Set min = 0 to reclaim directly
	 * only when no frame at all is free. */
	uint64_t wmark[NR_WMARK];
	/* The page lock's policy (required: sim/model picks it) and
	 * vm.page_lock_unfairness (<= PAGE_LOCK_UNFAIRNESS_MAX). */
	const struct fs_page_lock_policy *page_lock_ops;
	unsigned int page_lock_unfairness;
	bool kswapd;			/* run kswapd (default true) */
	sim_time_t scan_cost;		/* CPU time per page scanned (0) */
	/* How a reclaiming task spends CPU time; NULL: sim_sleep_oncpu(). */
	void (*cpu_work)(struct sim_task *t, sim_time_t ns);
};

/* Defaults: 262144 pages (1 GiB), derived watermarks, no page lock policy
 * (the caller's to set), page_lock_unfairness 5, kswapd on, reclaim free
 * of cost. */
void pc_params_init(struct pc_params *p);

/*
 * Backing store of an address space (the disk model's, or swap's).  Both
 * operations start I/O and return without blocking; completion is
 * reported later, from any context, with page_endio().  Either may be
 * NULL: readpage then completes at once; without writepage, reclaim
 * cannot clean a dirty page and activates it.
 */
struct pc_backing_ops {
	/* @page is locked and not uptodate; @t is the reader (may be NULL). */
	void (*readpage)(struct sim_task *t, struct address_space *mapping,
			 struct page *page, void *data);
	/* @page has PG_writeback set and is not locked; @t is the reclaimer. */
	void (*writepage)(struct sim_task *t, struct address_space *mapping,
			  struct page *page, void *data);
};

/*
 * Reverse map of an address space, registered by its owner (the mm
 * module).  Reclaim calls these with the page locked.
 *   unmap       remove every pte mapping @page (page_remove_rmap() and
 *               put_page() for each); returns how many were removed.  May
 *               block.  If the page is still mapped after it, reclaim
 *               activates the page instead of freeing it.
 *   referenced  optional: count the ptes mapping @page that are young and
 *               clear their young bits (page_referenced()).  Must not block.
 */
struct pc_rmap_ops {
	unsigned long (*unmap)(struct page *page, void *data);
	int (*referenced)(struct page *page, void *data);
	/* optional: page_mkclean(): write-protect and clean every pte
	 * mapping @page (shared mappings); returns how many were dirty or
	 * writable.  Must not block. */
	int (*mkclean)(struct page *page, void *data);
};

/*
 * An address space, private to pagecache.c but for the slot lookup below,
 * inline for the fault path and readahead (which look up every page of a
 * window).  The layout is pagecache.c's to explain.
 */
struct pc_chunk {
	uint32_t nr_used;		/* slots with _refcount > 0 */
	uint32_t nr_dirty;		/* cached PG_dirty pages (dirty-accounted spaces) */
	uint32_t id;			/* in the page cache's chunk table */
	/* Line-aligned (and so is the chunk): two pages a line. */
	struct page pages[PC_CHUNK_PAGES] __attribute__((aligned(64)));
};

struct address_space {
	/* First: page_wait_table() (page.h) reads it from a page's owner. */
	struct page_wait_table *waits;	/* &pc->waits */
	struct page_cache *pc;
	struct list_head node;		/* pc->mappings */
	char *name;
	unsigned int id;		/* for the wait-table hash */
	unsigned int flags;		/* AS_* */
	pgoff_t size;			/* in pages */
	pgoff_t max_folio;		/* mapping_max_folio_size(), in pages */
	struct pc_chunk **chunks;
	size_t nr_chunks;		/* length of @chunks */
	uint64_t nrpages;		/* pages in the cache */
	const struct pc_backing_ops *a_ops;
	void *a_data;
	const struct pc_rmap_ops *rmap_ops;
	void *rmap_data;
	/* Dirty accounting (spaces that are not AS_SWAPBACKED): PG_dirty
	 * pages in the cache, when the space went from clean to dirty
	 * (inode->dirtied_when), its place on pc->dirty_mappings (the
	 * flusher's b_dirty list, oldest first) and where the flusher's
	 * cyclic writeback goes on (mapping->writeback_index). */
	uint64_t nr_dirty;
	sim_time_t dirtied_when;
	struct list_head dirty_node;
	pgoff_t writeback_index;
};

/* The slot for @index, or NULL if its chunk does not exist. */
static inline struct page *pc_mapping_slot(const struct address_space *mapping,
					   pgoff_t index)
{
	size_t c = index >> PC_CHUNK_SHIFT;

	if (c >= mapping->nr_chunks || !mapping->chunks[c])
		return NULL;
	return &mapping->chunks[c]->pages[index & (PC_CHUNK_PAGES - 1)];
}

/* Create a page cache in @eng (and its kswapd task); NULL and an error on
 * bad parameters. */
struct page_cache *pc_new(struct sim_engine *eng, const struct pc_params *p,
			  GError **error);
/* Free @pc, its address spaces and pages, whatever their state.  Call it
 * after the last sim_run() (before or after sim_engine_free()). */
void pc_free(struct page_cache *pc);

/* g_bit_nth_msf(@x, -1) without GLib's loop over the bits: the index of
 * the highest bit set in @x, -1 if none. */
static inline int pc_msb_index(uint64_t x)
{
	return x ? 63 - __builtin_clzll(x) : -1;
}

struct sim_engine *pc_engine(const struct page_cache *pc);
/* NR_PC_MODULE_COUNTERS slots another module of the kernel model may use
 * to keep the counters it makes on first use (readahead.c: "readahead"),
 * NULL until then: a lookup by name once, not on every count. */
#define NR_PC_MODULE_COUNTERS	4
uint64_t **pc_module_counters(struct page_cache *pc);
/* The kswapd task (NULL if disabled), e.g. to attach it to the CPUs. */
struct sim_task *pc_kswapd_task(const struct page_cache *pc);
/* Memory size, resident pages (every allocated frame), free frames. */
uint64_t pc_nr_pages(const struct page_cache *pc);
uint64_t pc_nr_resident(const struct page_cache *pc);
uint64_t pc_nr_free(const struct page_cache *pc);
/* Pages on an LRU list; pages under writeback. */
uint64_t pc_nr_lru(const struct page_cache *pc, enum lru_list lru);
uint64_t pc_nr_writeback(const struct page_cache *pc);
uint64_t pc_watermark(const struct page_cache *pc, enum zone_watermarks w);
/* Whether kswapd is reclaiming now (not asleep). */
bool pc_kswapd_running(const struct page_cache *pc);

/* A new, empty address space of @nr_pages pages (<= PC_MAX_PAGES) named
 * @name (copied); @flags: AS_SWAPBACKED.  An error on bad input. */
struct address_space *pc_mapping_new(struct page_cache *pc, const char *name,
				     pgoff_t nr_pages, unsigned int flags,
				     GError **error);
/* Drop every page of @mapping and free it.  Its pages must be idle:
 * unlocked, unmapped, not under writeback, referenced by the cache only. */
void pc_mapping_free(struct address_space *mapping);
void pc_mapping_set_backing(struct address_space *mapping,
			    const struct pc_backing_ops *ops, void *data);
/* The largest folio @mapping's page cache may use, in pages (a power of
 * two, 1 .. PC_MAX_FOLIO_PAGES): what mapping_set_large_folios() (or
 * mapping_set_folio_order_range()) gives a filesystem's mapping; 1, the
 * default, is a filesystem without large folios.  pc_add_folio() caps
 * its folios at it; generic_perform_write()'s chunk (sim/kernel/write.h)
 * reads it too. */
#define PC_MAX_FOLIO_PAGES	512u	/* PAGE_SIZE << MAX_PAGECACHE_ORDER: 2 MiB */
void pc_mapping_set_max_folio(struct address_space *mapping, pgoff_t pages);
/* mapping_max_folio_size(): bytes (include/linux/pagemap.h, 6.10+). */
size_t mapping_max_folio_size(const struct address_space *mapping);
/*
 * __filemap_get_folio(FGP_CREAT) with an order (fgf_set_order(), 6.6+):
 * add a folio of 2^@order pages at @index to the cache, all locked, not
 * uptodate, on the inactive LRU, each with the cache's and the caller's
 * reference; *@pagep is its first page (at @index; the others are
 * pc_page_at()'s).  The order is capped at the mapping's largest folio
 * and lowered to the alignment of @index; an order > 0 allocates with
 * PC_GFP_NORETRY, and if a page of the range is cached or the frames
 * cannot be had, the next order down is tried, down to
 * add_to_page_cache_lru() of one page (its return values).  Order 0 on a
 * mapping without large folios is add_to_page_cache_lru().
 */
int pc_add_folio(struct sim_task *t, struct address_space *mapping, pgoff_t index,
		 unsigned int order, unsigned int gfp, struct page **pagep);
/* filemap_alloc_folio() + filemap_add_folio() of readahead's
 * ra_alloc_folio(): a folio of exactly 2^@order pages at @index (aligned
 * to it; @order at most the mapping's largest), added as pc_add_folio()
 * adds one, or -EEXIST (a page of the range is cached) or -ENOMEM. */
int pc_add_folio_order(struct sim_task *t, struct address_space *mapping, pgoff_t index,
		       unsigned int order, unsigned int gfp, struct page **pagep);
/* mapping_max_folio_order(): log2 of the largest folio, in pages. */
unsigned int pc_mapping_max_folio_order(const struct address_space *mapping);
/* The page cached at @index (no reference taken), or NULL. */
static inline struct page *pc_page_at(struct address_space *mapping, pgoff_t index)
{
	struct page *page = pc_mapping_slot(mapping, index);

	return page && page->mapping == mapping ? page : NULL;
}
/* The @data of @mapping's backing if its ops are @ops, else NULL. */
void *pc_mapping_backing(const struct address_space *mapping,
			 const struct pc_backing_ops *ops);
void pc_mapping_set_rmap(struct address_space *mapping,
			 const struct pc_rmap_ops *ops, void *data);
struct page_cache *pc_mapping_cache(const struct address_space *mapping);
/* pc_mapping_name() and pc_mapping_size(): faultsim/mm.h. */
/* Pages of @mapping in the cache. */
uint64_t pc_mapping_nrpages(const struct address_space *mapping);
bool mapping_swapbacked(const struct address_space *mapping);

/* find_get_page() (O(1)) and find_lock_page() (which retries if the page
 * was deleted while it slept): faultsim/mm.h. */
/* Whether a page is cached at @index (no reference taken). */
static inline bool pc_page_cached(struct address_space *mapping, pgoff_t index)
{
	struct page *page = pc_mapping_slot(mapping, index);

	return page && page->mapping == mapping;
}

/*
 * add_to_page_cache_lru(t, mapping, index, gfp, pagep), in faultsim/mm.h:
 * allocate a frame (which may wake kswapd, reclaim directly and sleep: see
 * above; @t may be NULL only with PC_GFP_NOWAIT semantics) and add a new
 * page at @index: locked, not uptodate, on the inactive LRU, with two
 * references (the cache's and the caller's) in *@pagep.  Returns 0,
 * -EEXIST if a page is cached at @index (perhaps added while we slept),
 * -EBUSY if a deleted page still held by someone occupies the slot, or
 * -ENOMEM if no frame was free and we could not wait.
 */
/*
 * Remove @page from the cache (truncation).  The caller holds the page lock
 * and a reference; the page must be unmapped and not under writeback.
 * Afterwards page->mapping is NULL and the slot is freed with the last
 * put_page().
 */
void delete_from_page_cache(struct page *page);
/* put_page() (inline in page.h: the last reference frees a deleted page's
 * frame, put_page_free()), mark_page_accessed() and set_page_dirty():
 * faultsim/mm.h. */
/*
 * Dirty accounting, as mm/page-writeback.c (the throttling and the flusher
 * built on it are sim/kernel/writeback.h's).  The address spaces that are
 * not AS_SWAPBACKED (files: mapping_can_writeback()) count their PG_dirty
 * pages: per space, per page cache (NR_FILE_DIRTY), and per chunk (so
 * that the flusher's lookup skips clean chunks).  set_page_dirty()
 * (faultsim/mm.h) accounts a page that was clean; a space that goes from
 * clean to dirty goes to the tail of the page cache's list of dirty spaces
 * (the flusher's b_dirty: __mark_inode_dirty()) with its dirtied_when.  The dirty bit is cleared (and accounted) only by
 * clear_page_dirty_for_io() and by truncation (delete_from_page_cache(),
 * as cancel_dirty_page()).
 */
bool mapping_can_writeback(const struct address_space *mapping);
/* For writeback: @page locked.  page_mkclean() through the space's rmap
 * (its ptes are made clean and read-only, so the next write through them
 * faults), then clear PG_dirty; true if it was dirty (the caller writes
 * it). */
bool clear_page_dirty_for_io(struct page *page);
/* NR_FILE_DIRTY; the pages of dirty-accounted spaces in the cache (the
 * file LRU pages of global_dirtyable_memory(): O(spaces)). */
uint64_t pc_nr_dirty(const struct page_cache *pc);
uint64_t pc_nr_file_pages(const struct page_cache *pc);
uint64_t pc_mapping_nr_dirty(const struct address_space *mapping);
/* The @n-th space of b_dirty (0: the oldest), or NULL. */
struct address_space *pc_dirty_mapping(const struct page_cache *pc, unsigned int n);
sim_time_t pc_mapping_dirtied_when(const struct address_space *mapping);
/* requeue_io(): a dirty space goes to the tail of b_dirty, keeping its
 * dirtied_when (so b_dirty is in queueing order, not strictly by age). */
void pc_mapping_requeue(struct address_space *mapping);
/* The space's writeback_index (the cyclic writeback's next page). */
pgoff_t *pc_mapping_writeback_index(struct address_space *mapping);
/* The first dirty cached page at an index >= *@index, with a reference,
 * its index in *@index; NULL if none (find_get_pages_range_tag(DIRTY)).
 * O(pages scanned), clean chunks skipped. */
struct page *find_get_dirty_page(struct address_space *mapping, pgoff_t *index);

/* Writeback of @page (PG_writeback set, unlocked, PG_dirty cleared by
 * clear_page_dirty_for_io()) through its space's writepage, by @t (may
 * sleep in the disk model); false if the space cannot write (the page is
 * dirty again, its writeback ended). */
bool pc_writepage(struct sim_task *t, struct page *page);
/* NR_WRITTEN: pages of dirty-accounted spaces whose writeback ended. */
uint64_t pc_nr_written(const struct page_cache *pc);

/* Start writeback (the caller writes the page; PG_dirty already
 * cleared): PG_writeback set and counted. */
void set_page_writeback(struct page *page);
/* Writeback done: clear PG_writeback, wake its waiters, and rotate the
 * page to the inactive tail if reclaim asked for the write. */
void end_page_writeback(struct page *page);
/* I/O completion: a read sets PG_uptodate (or PG_error) and unlocks the
 * page; a write ends writeback (setting PG_error on failure). */
void page_endio(struct page *page, bool is_write, int err);
/* pc_readpage(), in faultsim/mm.h: start reading locked @page through its
 * backing store. */

/*
 * Reclaim directly in task @t (counted as direct reclaim, without
 * allocstall) until @nr pages are freed or a scan at every priority is
 * done; returns the number freed.
 */
unsigned long pc_try_to_free_pages(struct page_cache *pc, struct sim_task *t,
				   unsigned long nr);
/* Wake kswapd if free frames are below the high watermark. */
void wakeup_kswapd(struct page_cache *pc);

/* page_wait_table() and page_waitqueue(), the page lock's view of the
 * cache: sim/kernel/pagelock.h. */

/* Check every invariant of the LRU lists, the flags and the counts
 * (O(pages)); aborts naming the broken rule (SIM_CHECK), returns true.
 * Runs after each reclaim pass while sim_engine_checks() is on, and may be
 * called at any time. */
bool pc_check(const struct page_cache *pc);

#endif /* FAULTSIM_SIM_PAGECACHE_H */
