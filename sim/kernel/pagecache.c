/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page cache, the LRU lists and reclaim; see pagecache.h for the model
 * and page.h for the page states and flags.
 *
 * Layout.  An address space keeps a directory of chunk pointers, grown on
 * demand up to its size; a chunk holds PC_CHUNK_PAGES page slots and a count
 * of the slots in use, and is freed when that count drops to zero.  So an
 * uncached region costs one NULL pointer per chunk, and a cached page 32
 * bytes plus its share of its chunk's header (a line).
 *
 * The LRU lists link their pages by page number, 32 bits where a
 * list_head takes two pointers (which made a page 40 bytes, so that half
 * of them straddled two cache lines, and the scans, lookups and
 * readahead of a random load met a second miss there).  A page's number
 * (pfn) is its chunk's id in the page cache's chunk table, shifted by
 * PC_CHUNK_SHIFT, plus its slot: as the kernel's sparse memory model
 * finds a struct page from a pfn through its section's mem_map.  (A
 * chunk aligned to a power of two above its size, for page_to_pfn() from
 * a page's address alone, put every chunk's pages in the same half of
 * the host cache's sets: 10% more misses in all than line-aligned
 * chunks, in callgrind's model of a 1 MiB cache.)  Chunk 0 is the page
 * cache's own, never an address space's: its first NR_LRU_LISTS slots
 * are the lists' heads, pages of which only the links are used, so that
 * a walk needs no test for the head.  Chunk ids are reused once their
 * chunk is freed; at most PC_MAX_CHUNKS - 1 chunks of address spaces
 * exist at once (each holds a page: 2^23 - 1 of them is 32 GiB of cache
 * with one page a chunk).
 *
 * Where the LRU state may change: lru_add() and lru_del() are the only
 * places that put a page on a list or take it off, and that touch PG_lru
 * and the list counts (rotate_reclaimable_page() only moves a page within
 * the inactive list); PG_active changes only while the page is off the
 * lists.  A page is off
 * the lists while reclaim has it isolated (one page at a time: reclaim
 * holds an extra reference and counts it in nr_isolated), or once it has
 * been deleted from the cache.
 *
 * Ordering rules: reclaim takes the page lock with trylock only, never
 * sleeps for it, and keeps the page locked while it unmaps it; the write
 * for a dirty page is started with the page unlocked (as ->writepage
 * unlocks it), and the page is only freed if it can be locked again,
 * clean, with no reference but the cache's and reclaim's and no waiter.
 *
 * Costs: lookup and insertion are O(1) (insertion may reclaim); reclaim is
 * O(pages scanned); pc_check() is O(pages), and reclaim runs it (under
 * checks) once per cache's worth of pages scanned.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/stats.h"
#include "sim/core/trace.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/pagelock.h"

/* The counters: one list makes the enum and the (module, name, unit,
 * description) table; names as in /proc/vmstat. */
#define PC_VM_EVENTS(X)							\
	X(PGALLOC, "pagecache", "pgalloc", "pages", "page frames allocated")		\
	X(PGFREE, "pagecache", "pgfree", "pages", "page frames freed")			\
	X(PGACTIVATE, "reclaim", "pgactivate", "pages", "pages moved to an active list") \
	X(PGDEACTIVATE, "reclaim", "pgdeactivate", "pages",				\
	  "pages moved to an inactive list")						\
	X(PGREFILL, "reclaim", "pgrefill", "pages", "active pages scanned")		\
	X(PGSCAN_KSWAPD, "reclaim", "pgscan_kswapd", "pages",				\
	  "inactive pages scanned by kswapd")						\
	X(PGSCAN_DIRECT, "reclaim", "pgscan_direct", "pages",				\
	  "inactive pages scanned by direct reclaim")					\
	X(PGSTEAL_KSWAPD, "reclaim", "pgsteal_kswapd", "pages", "pages kswapd freed")	\
	X(PGSTEAL_DIRECT, "reclaim", "pgsteal_direct", "pages",			\
	  "pages direct reclaim freed")							\
	X(PGROTATED, "reclaim", "pgrotated", "pages",					\
	  "pages put back at the inactive tail after writeback")			\
	X(ALLOCSTALL, "reclaim", "allocstall", "stalls",				\
	  "allocations that entered direct reclaim")					\
	X(PAGEOUTRUN, "reclaim", "pageoutrun", "runs", "kswapd reclaim runs")		\
	X(NR_VMSCAN_WRITE, "reclaim", "nr_vmscan_write", "pages",			\
	  "dirty pages reclaim wrote out")

enum vm_event_item {
#define PC_EVENT_ENUM(item, module, name, unit, what) item,
	PC_VM_EVENTS(PC_EVENT_ENUM)
#undef PC_EVENT_ENUM
	NR_VM_EVENT_ITEMS
};

static const struct {
	const char *module, *name, *unit, *what;
} vm_event_names[NR_VM_EVENT_ITEMS] = {
#define PC_EVENT_NAME(item, module, name, unit, what) [item] = { module, name, unit, what },
	PC_VM_EVENTS(PC_EVENT_NAME)
#undef PC_EVENT_NAME
};

/* Page numbers are 32 bits: chunk id << PC_CHUNK_SHIFT | slot. */
#define PC_MAX_CHUNKS		(1u << (32 - PC_CHUNK_SHIFT))

G_STATIC_ASSERT(sizeof(struct page) == 32 && offsetof(struct pc_chunk, pages) % 64 == 0);

struct page_cache {
	struct sim_engine *eng;
	struct sim_trace *trace;	/* sim/core/trace.h; NULL: not tracing */
	struct pc_params params;
	uint64_t wmark[NR_WMARK];
	uint64_t nr_resident;		/* frames in use */
	uint64_t nr_detached;		/* deleted pages still referenced */
	uint64_t nr_isolated;		/* pages reclaim holds off the lists */
	uint64_t nr_writeback;
	uint64_t nr_dirty;		/* NR_FILE_DIRTY */
	uint64_t nr_written;		/* NR_WRITTEN: file pages written back */
	struct list_head dirty_mappings;	/* b_dirty: dirty spaces, oldest first */
	/* Chunk 0: pages 0 .. NR_LRU_LISTS - 1 are the lists' heads. */
	struct pc_chunk *lru_heads;
	uint64_t nr_lru[NR_LRU_LISTS];
	/* The chunks by id (0: lru_heads; NULL: a free id), and the free
	 * ids. */
	struct pc_chunk **chunk_table;
	uint32_t chunk_table_size;
	uint32_t next_chunk_id;		/* never given out yet */
	GArray *free_chunk_ids;		/* uint32_t */
	struct list_head mappings;
	unsigned int next_mapping_id;
	struct page_wait_table waits;
	struct sim_waitqueue reclaim_wait;	/* throttled reclaimers */
	struct sim_waitqueue kswapd_wait;
	struct sim_task *kswapd;
	bool kswapd_wakeup;		/* a wake-up is pending */
	bool kswapd_running;
	unsigned int kswapd_failures;
	uint64_t check_scanned;		/* pages handed to reclaim since pc_check() */
	uint64_t *vm_events[NR_VM_EVENT_ITEMS];
	uint64_t *module_counters[NR_PC_MODULE_COUNTERS];
};

G_STATIC_ASSERT(offsetof(struct address_space, waits) == 0);

static inline void count_vm_event(struct page_cache *pc, enum vm_event_item item)
{
	(*pc->vm_events[item])++;
}

static inline void count_vm_events(struct page_cache *pc, enum vm_event_item item,
				   uint64_t n)
{
	*pc->vm_events[item] += n;
}

/* The address space whose slot @page is (cached or detached). */
static inline struct address_space *page_space(const struct page *page)
{
	return page->mapping ? page->mapping : page->owner;
}

static inline struct page_cache *page_cache_of(const struct page *page)
{
	return page_space(page)->pc;
}

/* ------------------------------------------------------------------ */
/* Parameters and set-up */

void pc_params_init(struct pc_params *p)
{
	*p = (struct pc_params){
		.nr_pages = 262144,
		.page_lock_unfairness = PAGE_LOCK_UNFAIRNESS_DEFAULT,
		.kswapd = true,
	};
}

/* init_per_zone_wmark_min() and __setup_per_zone_wmarks(). */
static void derive_watermarks(uint64_t nr_pages, uint64_t wmark[NR_WMARK])
{
	uint64_t kbytes = nr_pages * (PAGE_SIZE / 1024);
	uint64_t min_kbytes = (uint64_t)sqrt((double)kbytes * 16);
	uint64_t min, delta;

	min_kbytes = CLAMP(min_kbytes, 128, 262144);
	min = min_kbytes / (PAGE_SIZE / 1024);
	delta = MAX(min / 4, nr_pages * 10 / 10000);
	/* Below a few MiB the kernel's floor would eat the memory: keep
	 * high within a quarter of it. */
	if (min + 2 * delta > nr_pages / 4) {
		min = nr_pages / 16;
		delta = nr_pages / 16;
	}
	wmark[WMARK_MIN] = min;
	wmark[WMARK_LOW] = min + delta;
	wmark[WMARK_HIGH] = min + 2 * delta;
}

static void kswapd_fn(struct sim_task *t, void *arg);
static void account_page_cleaned(struct page *page);
static struct pc_chunk *chunk_alloc(struct page_cache *pc);
static void chunk_free(struct page_cache *pc, struct pc_chunk *chunk);

struct page_cache *pc_new(struct sim_engine *eng, const struct pc_params *p,
			  GError **error)
{
	struct page_cache *pc;
	uint64_t wmark[NR_WMARK];

	if (p->nr_pages < 1) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "page cache size must be at least one page");
		return NULL;
	}
	if (!p->wmark[WMARK_MIN] && !p->wmark[WMARK_LOW] && !p->wmark[WMARK_HIGH])
		derive_watermarks(p->nr_pages, wmark);
	else
		memcpy(wmark, p->wmark, sizeof(wmark));
	if (wmark[WMARK_MIN] > wmark[WMARK_LOW] || wmark[WMARK_LOW] > wmark[WMARK_HIGH] ||
	    wmark[WMARK_HIGH] >= p->nr_pages) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "watermarks must satisfy min <= low <= high < %" G_GUINT64_FORMAT
			    " pages (got %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %"
			    G_GUINT64_FORMAT ")", p->nr_pages, wmark[WMARK_MIN],
			    wmark[WMARK_LOW], wmark[WMARK_HIGH]);
		return NULL;
	}
	if (p->scan_cost < 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "reclaim scan cost must not be negative");
		return NULL;
	}
	if (p->page_lock_unfairness > PAGE_LOCK_UNFAIRNESS_MAX) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "page_lock_unfairness %u out of range (0 .. %u)",
			    p->page_lock_unfairness, PAGE_LOCK_UNFAIRNESS_MAX);
		return NULL;
	}

	pc = g_new0(struct page_cache, 1);
	pc->eng = eng;
	pc->trace = sim_engine_trace(eng);
	pc->params = *p;
	memcpy(pc->wmark, wmark, sizeof(wmark));
	pc->chunk_table_size = 64;
	pc->chunk_table = g_new0(struct pc_chunk *, pc->chunk_table_size);
	pc->free_chunk_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	pc->lru_heads = chunk_alloc(pc);
	g_assert(pc->lru_heads->id == 0);
	for (uint32_t lru = 0; lru < NR_LRU_LISTS; lru++)
		pc->lru_heads->pages[lru].lru = (struct page_lru){ .next = lru, .prev = lru };
	INIT_LIST_HEAD(&pc->mappings);
	INIT_LIST_HEAD(&pc->dirty_mappings);
	pc->next_mapping_id = 1;
	page_wait_table_init(&pc->waits, eng, p->page_lock_ops, p->page_lock_unfairness);
	sim_waitqueue_init(&pc->reclaim_wait);
	sim_waitqueue_init(&pc->kswapd_wait);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		pc->vm_events[i] = sim_stats_counter_unit(sim_engine_stats(eng),
							  vm_event_names[i].module,
							  vm_event_names[i].name,
							  vm_event_names[i].unit,
							  vm_event_names[i].what);
	if (p->kswapd)
		pc->kswapd = sim_task_spawn(eng, "kswapd", kswapd_fn, pc);
	return pc;
}

static void mapping_destroy(struct address_space *mapping)
{
	list_del_init(&mapping->dirty_node);
	for (size_t c = 0; c < mapping->nr_chunks; c++)
		if (mapping->chunks[c])
			chunk_free(mapping->pc, mapping->chunks[c]);
	g_free(mapping->chunks);
	g_free(mapping->name);
	list_del_init(&mapping->node);
	g_free(mapping);
}

void pc_free(struct page_cache *pc)
{
	struct address_space *mapping, *next;

	if (!pc)
		return;
	list_for_each_entry_safe(mapping, next, &pc->mappings, node)
		mapping_destroy(mapping);
	page_wait_table_destroy(&pc->waits);
	chunk_free(pc, pc->lru_heads);
	g_free(pc->chunk_table);
	g_array_free(pc->free_chunk_ids, TRUE);
	g_free(pc);
}

struct sim_engine *pc_engine(const struct page_cache *pc)
{
	return pc->eng;
}

uint64_t **pc_module_counters(struct page_cache *pc)
{
	return pc->module_counters;
}

struct sim_task *pc_kswapd_task(const struct page_cache *pc)
{
	return pc->kswapd;
}

uint64_t pc_nr_pages(const struct page_cache *pc)
{
	return pc->params.nr_pages;
}

uint64_t pc_nr_resident(const struct page_cache *pc)
{
	return pc->nr_resident;
}

uint64_t pc_nr_free(const struct page_cache *pc)
{
	return pc->params.nr_pages - pc->nr_resident;
}

uint64_t pc_nr_lru(const struct page_cache *pc, enum lru_list lru)
{
	return pc->nr_lru[lru];
}

uint64_t pc_nr_writeback(const struct page_cache *pc)
{
	return pc->nr_writeback;
}

uint64_t pc_watermark(const struct page_cache *pc, enum zone_watermarks w)
{
	return pc->wmark[w];
}

bool pc_kswapd_running(const struct page_cache *pc)
{
	return pc->kswapd_running;
}

/* ------------------------------------------------------------------ */
/* Address spaces and their slots */

struct address_space *pc_mapping_new(struct page_cache *pc, const char *name,
				     pgoff_t nr_pages, unsigned int flags,
				     GError **error)
{
	struct address_space *mapping;

	if (nr_pages > PC_MAX_PAGES) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "address space '%s' of %" G_GUINT64_FORMAT " pages is larger "
			    "than the %" G_GUINT64_FORMAT " pages supported", name,
			    nr_pages, PC_MAX_PAGES);
		return NULL;
	}
	if (flags & ~AS_SWAPBACKED) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "unknown address space flags %#x", flags);
		return NULL;
	}
	mapping = g_new0(struct address_space, 1);
	mapping->pc = pc;
	mapping->waits = &pc->waits;
	mapping->name = g_strdup(name);
	mapping->id = pc->next_mapping_id++;
	mapping->flags = flags;
	mapping->size = nr_pages;
	mapping->max_folio = 1;
	INIT_LIST_HEAD(&mapping->dirty_node);
	list_add_tail(&mapping->node, &pc->mappings);
	return mapping;
}

void pc_mapping_set_max_folio(struct address_space *mapping, pgoff_t pages)
{
	g_assert(pages >= 1 && pages <= PC_MAX_FOLIO_PAGES && !(pages & (pages - 1)));
	mapping->max_folio = pages;
}

size_t mapping_max_folio_size(const struct address_space *mapping)
{
	return (size_t)mapping->max_folio << PAGE_SHIFT;
}

void *pc_mapping_backing(const struct address_space *mapping,
			 const struct pc_backing_ops *ops)
{
	return mapping->a_ops == ops ? mapping->a_data : NULL;
}

void pc_mapping_set_backing(struct address_space *mapping,
			    const struct pc_backing_ops *ops, void *data)
{
	mapping->a_ops = ops;
	mapping->a_data = data;
}

void pc_mapping_set_rmap(struct address_space *mapping,
			 const struct pc_rmap_ops *ops, void *data)
{
	mapping->rmap_ops = ops;
	mapping->rmap_data = data;
}

struct page_cache *pc_mapping_cache(const struct address_space *mapping)
{
	return mapping->pc;
}

const char *pc_mapping_name(const struct address_space *mapping)
{
	return mapping->name;
}

pgoff_t pc_mapping_size(const struct address_space *mapping)
{
	return mapping->size;
}

uint64_t pc_mapping_nrpages(const struct address_space *mapping)
{
	return mapping->nrpages;
}

bool mapping_swapbacked(const struct address_space *mapping)
{
	return mapping->flags & AS_SWAPBACKED;
}

/* The slot for @index, or NULL if its chunk does not exist. */
static inline struct page *mapping_slot(const struct address_space *mapping,
					pgoff_t index)
{
	return pc_mapping_slot(mapping, index);
}

/* A new chunk, all slots free, with an id of the chunk table. */
static struct pc_chunk *chunk_alloc(struct page_cache *pc)
{
	void *mem = NULL;
	struct pc_chunk *chunk;
	uint32_t id;

	/* Line-aligned, for the pages (posix_memalign(): C11's
	 * aligned_alloc() wants a size that is a multiple of the alignment). */
	if (posix_memalign(&mem, 64, sizeof(*chunk)))
		g_error("page cache: out of memory for a chunk of pages");
	chunk = mem;
	memset(chunk, 0, sizeof(*chunk));
	if (pc->free_chunk_ids->len) {
		id = g_array_index(pc->free_chunk_ids, uint32_t, pc->free_chunk_ids->len - 1);
		g_array_set_size(pc->free_chunk_ids, pc->free_chunk_ids->len - 1);
	} else {
		if (pc->next_chunk_id >= PC_MAX_CHUNKS)
			g_error("page cache: more than %u chunks of pages", PC_MAX_CHUNKS - 1);
		id = pc->next_chunk_id++;
		if (id >= pc->chunk_table_size) {
			uint32_t n = MIN(2 * pc->chunk_table_size, PC_MAX_CHUNKS);

			pc->chunk_table = g_renew(struct pc_chunk *, pc->chunk_table, n);
			memset(pc->chunk_table + pc->chunk_table_size, 0,
			       (n - pc->chunk_table_size) * sizeof(*pc->chunk_table));
			pc->chunk_table_size = n;
		}
	}
	chunk->id = id;
	pc->chunk_table[id] = chunk;
	return chunk;
}

static void chunk_free(struct page_cache *pc, struct pc_chunk *chunk)
{
	g_assert(pc->chunk_table[chunk->id] == chunk);
	pc->chunk_table[chunk->id] = NULL;
	g_array_append_val(pc->free_chunk_ids, chunk->id);
	free(chunk);
}

/* The chunk for @index, created (and the directory grown) if needed. */
static G_GNUC_NO_INLINE struct pc_chunk *mapping_chunk_make(struct address_space *mapping,
							    pgoff_t index)
{
	size_t c = index >> PC_CHUNK_SHIFT;

	if (c >= mapping->nr_chunks) {
		size_t max = (size_t)((mapping->size + PC_CHUNK_PAGES - 1) >> PC_CHUNK_SHIFT);
		size_t n = MIN(MAX(c + 1, 2 * mapping->nr_chunks), max);

		mapping->chunks = g_renew(struct pc_chunk *, mapping->chunks, n);
		memset(mapping->chunks + mapping->nr_chunks, 0,
		       (n - mapping->nr_chunks) * sizeof(*mapping->chunks));
		mapping->nr_chunks = n;
	}
	if (!mapping->chunks[c])
		mapping->chunks[c] = chunk_alloc(mapping->pc);
	return mapping->chunks[c];
}

/* The same, inline where the chunk exists (nearly every insertion). */
static inline struct pc_chunk *mapping_chunk_create(struct address_space *mapping,
						    pgoff_t index)
{
	size_t c = index >> PC_CHUNK_SHIFT;

	if (G_LIKELY(c < mapping->nr_chunks && mapping->chunks[c]))
		return mapping->chunks[c];
	return mapping_chunk_make(mapping, index);
}

/* Return the frame of @page (no reference left) and clear its slot. */
static inline void free_page_slot(struct page_cache *pc, struct address_space *owner,
			   struct page *page)
{
	size_t c = page->index >> PC_CHUNK_SHIFT;
	struct pc_chunk *chunk = owner->chunks[c];

	/* Two checks, not one: merged, they are one 8-byte load of both
	 * counts, which reclaim_folio()'s 4-byte store of _refcount just
	 * before cannot forward to (a stall of ~25 cycles a freed page). */
	g_assert(page->_refcount == 0);
	g_assert(page->_mapcount == 0);
	g_assert(!(page->flags & (1u << PG_locked | 1u << PG_writeback |
				  1u << PG_lru | 1u << PG_waiters)));
	memset(page, 0, sizeof(*page));
	if (--chunk->nr_used == 0) {
		chunk_free(pc, chunk);
		owner->chunks[c] = NULL;
	}
	pc->nr_resident--;
	count_vm_event(pc, PGFREE);
	if (sim_waitqueue_active(&pc->reclaim_wait))
		sim_wake_up_all(&pc->reclaim_wait);
}

/* ------------------------------------------------------------------ */
/* The LRU lists */

static inline enum lru_list page_lru(const struct page *page)
{
	return PageActive(page) ? LRU_ACTIVE : LRU_INACTIVE;
}

/* The page numbered @pfn (a list head is a page of chunk 0). */
static inline struct page *pfn_to_page(const struct page_cache *pc, uint32_t pfn)
{
	return &pc->chunk_table[pfn >> PC_CHUNK_SHIFT]->pages[pfn & (PC_CHUNK_PAGES - 1)];
}

/* The number of cached @page. */
static inline uint32_t page_to_pfn(const struct page *page)
{
	const struct pc_chunk *chunk = page->mapping->chunks[page->index >> PC_CHUNK_SHIFT];

	return chunk->id << PC_CHUNK_SHIFT | (page->index & (PC_CHUNK_PAGES - 1));
}

/* The links of node @pfn: a page's, or a list head's. */
static inline struct page_lru *lru_links(struct page_cache *pc, uint32_t pfn)
{
	return &pfn_to_page(pc, pfn)->lru;
}

/* list_add() and list_del() of the numbered lists.  A page off the lists
 * keeps stale links, which nothing reads. */
static inline void lru_link(struct page_cache *pc, struct page *page, uint32_t prev,
			    uint32_t next)
{
	uint32_t pfn = page_to_pfn(page);

	page->lru = (struct page_lru){ .next = next, .prev = prev };
	lru_links(pc, prev)->next = pfn;
	lru_links(pc, next)->prev = pfn;
}

static inline void lru_unlink(struct page_cache *pc, struct page *page)
{
	lru_links(pc, page->lru.prev)->next = page->lru.next;
	lru_links(pc, page->lru.next)->prev = page->lru.prev;
}

static inline bool lru_empty(const struct page_cache *pc, enum lru_list lru)
{
	return pc->lru_heads->pages[lru].lru.next == lru;
}

/* The tail of a list that is not empty: where reclaim scans. */
static inline struct page *lru_tail(const struct page_cache *pc, enum lru_list lru)
{
	return pfn_to_page(pc, pc->lru_heads->pages[lru].lru.prev);
}

/* Link @page at the head of the list its PG_active names.  (Both are a
 * few stores, on every page added, scanned and put back: inlined.) */
static inline __attribute__((always_inline)) void lru_add(struct page_cache *pc, struct page *page)
{
	enum lru_list lru = page_lru(page);

	g_assert(!PageLRU(page) && page->mapping);
	SetPageLRU(page);
	lru_link(pc, page, lru, pc->lru_heads->pages[lru].lru.next);
	pc->nr_lru[lru]++;
}

static inline __attribute__((always_inline)) void lru_del(struct page_cache *pc,
							   struct page *page)
{
	enum lru_list lru = page_lru(page);

	g_assert(PageLRU(page) && pc->nr_lru[lru] > 0);
	ClearPageLRU(page);
	lru_unlink(pc, page);
	pc->nr_lru[lru]--;
}

void mark_page_accessed(struct page *page)
{
	if (!PageReferenced(page)) {
		SetPageReferenced(page);
		return;
	}
	if (PageActive(page))
		return;
	/* Second access on the inactive list: activate.  A page off the
	 * lists (isolated by reclaim) keeps its place, as in the kernel. */
	if (PageLRU(page)) {
		struct page_cache *pc = page->mapping->pc;

		lru_del(pc, page);
		SetPageActive(page);
		lru_add(pc, page);
		count_vm_event(pc, PGACTIVATE);
	}
	ClearPageReferenced(page);
}

/* Writeback that reclaim asked for is done: move the page to the inactive
 * tail so the next scan frees it. */
static void rotate_reclaimable_page(struct page_cache *pc, struct page *page)
{
	if (PageLocked(page) || PageDirty(page) || !PageLRU(page) || PageActive(page))
		return;
	lru_unlink(pc, page);
	lru_link(pc, page, pc->lru_heads->pages[LRU_INACTIVE].lru.prev, LRU_INACTIVE);
	count_vm_event(pc, PGROTATED);
}

void pc_mapping_free(struct address_space *mapping)
{
	struct page_cache *pc = mapping->pc;

	for (size_t c = 0; c < mapping->nr_chunks; c++) {
		struct pc_chunk *chunk = mapping->chunks[c];

		for (unsigned int i = 0; chunk && i < PC_CHUNK_PAGES; i++) {
			struct page *page = &chunk->pages[i];

			if (!page->_refcount)
				continue;
			/* Idle: referenced by the cache only, so nobody waits. */
			g_assert(page->mapping == mapping && page->_refcount == 1);
			g_assert(!PageLocked(page) && !PageWriteback(page) &&
				 !page_mapped(page));
			if (PageLRU(page))
				lru_del(pc, page);
			if (PageDirty(page))
				account_page_cleaned(page);
			mapping->nrpages--;
			pc->nr_resident--;
			count_vm_event(pc, PGFREE);
		}
	}
	g_assert(mapping->nrpages == 0);
	mapping_destroy(mapping);
	if (sim_waitqueue_active(&pc->reclaim_wait))
		sim_wake_up_all(&pc->reclaim_wait);
}

/* ------------------------------------------------------------------ */
/* Lookup, insertion, deletion, references */

struct page *find_get_page(struct address_space *mapping, pgoff_t index)
{
	struct page *page = mapping_slot(mapping, index);

	if (!page || page->mapping != mapping)
		return NULL;
	page->_refcount++;
	return page;
}

struct page *find_lock_page(struct sim_task *t, struct address_space *mapping,
			    pgoff_t index)
{
	struct page *page;

	while ((page = find_get_page(mapping, index))) {
		lock_page(t, page);
		if (page->mapping == mapping)
			return page;
		/* Deleted while we slept. */
		unlock_page(page);
		put_page(page);
	}
	return NULL;
}

void put_page_free(struct page *page)
{
	struct address_space *owner;

	/* The cache holds a reference on every cached page. */
	g_assert(!page->_refcount && !page->mapping);
	owner = page->owner;
	owner->pc->nr_detached--;
	free_page_slot(owner->pc, owner, page);
}

static void reclaim_throttle(struct page_cache *pc, struct sim_task *t,
			     const char *what)
{
	sim_wait_timeout(&pc->reclaim_wait, t, 0, what, PC_RECLAIM_THROTTLE);
}

static unsigned long do_try_to_free_pages(struct page_cache *pc, struct sim_task *t,
					  unsigned long nr_to_reclaim);

/* Take one frame (__alloc_pages, order 0): the slow path, once free
 * frames are at or below the low watermark. */
static G_GNUC_NO_INLINE int alloc_page_frame_slow(struct page_cache *pc, struct sim_task *t,
						  unsigned int gfp)
{
	bool can_sleep = t && !(gfp & PC_GFP_NOWAIT);
	bool reclaimed = false;

	for (;;) {
		uint64_t nr_free = pc_nr_free(pc);

		if (nr_free <= pc->wmark[WMARK_LOW])
			wakeup_kswapd(pc);
		if (nr_free > pc->wmark[WMARK_MIN]) {
			pc->nr_resident++;
			count_vm_event(pc, PGALLOC);
			return 0;
		}
		/* __GFP_NORETRY: __alloc_pages_slowpath() gives up after one
		 * direct reclaim, without retrying or throttling. */
		if (!can_sleep || reclaimed)
			return -ENOMEM;
		count_vm_event(pc, ALLOCSTALL);
		if (gfp & PC_GFP_NORETRY) {
			do_try_to_free_pages(pc, t, SWAP_CLUSTER_MAX);
			reclaimed = true;
			continue;
		}
		if (!do_try_to_free_pages(pc, t, SWAP_CLUSTER_MAX) &&
		    pc_nr_free(pc) <= pc->wmark[WMARK_MIN])
			reclaim_throttle(pc, t, "page allocation");
	}
}

/* Take one frame: above the low watermark (min <= low), the frame is
 * taken at once and kswapd is left alone, as the slow path's first
 * round would do. */
static inline int alloc_page_frame(struct page_cache *pc, struct sim_task *t,
				   unsigned int gfp)
{
	if (G_UNLIKELY(pc_nr_free(pc) <= pc->wmark[WMARK_LOW]))
		return alloc_page_frame_slow(pc, t, gfp);
	pc->nr_resident++;
	count_vm_event(pc, PGALLOC);
	return 0;
}

int add_to_page_cache_lru(struct sim_task *t, struct address_space *mapping,
			  pgoff_t index, unsigned int gfp, struct page **pagep)
{
	struct page_cache *pc = mapping->pc;
	struct pc_chunk *chunk;
	struct page *page;
	int err;

	g_assert(index < mapping->size);
	g_assert(!t || t == sim_current(pc->eng));
	page = mapping_slot(mapping, index);
	if (page && page->_refcount)
		return page->mapping ? -EEXIST : -EBUSY;
	if (G_LIKELY(page && pc_nr_free(pc) > pc->wmark[WMARK_LOW])) {
		/* alloc_page_frame() at once, without a chance to sleep: the
		 * slot just found free is still free, its chunk there. */
		pc->nr_resident++;
		count_vm_event(pc, PGALLOC);
		chunk = mapping->chunks[index >> PC_CHUNK_SHIFT];
	} else {
		err = alloc_page_frame(pc, t, gfp);
		if (err)
			return err;
		/* We may have slept: look again. */
		chunk = mapping_chunk_create(mapping, index);
		page = &chunk->pages[index & (PC_CHUNK_PAGES - 1)];
		if (page->_refcount) {
			pc->nr_resident--;
			count_vm_event(pc, PGFREE);
			return page->mapping ? -EEXIST : -EBUSY;
		}
	}
	chunk->nr_used++;
	page->mapping = mapping;
	page->index = (uint32_t)index;
	page->_refcount = 2;
	page->_mapcount = 0;
	page->flags = 1u << PG_locked |
		      (mapping->flags & AS_SWAPBACKED ? 1u << PG_swapbacked : 0);
	page_lock_acquired(page);
	lru_add(pc, page);
	mapping->nrpages++;
	*pagep = page;
	return 0;
}

/* The largest order pc_add_folio() tries for @order pages at @index:
 * capped at the mapping's largest folio, then lowered to the alignment of
 * @index (__filemap_get_folio()'s "if we're not aligned, allocate a
 * smaller folio"). */
static unsigned int folio_order_for(const struct address_space *mapping, pgoff_t index,
				    unsigned int order)
{
	unsigned int max = (unsigned int)pc_msb_index(mapping->max_folio);

	order = MIN(order, max);
	if (order && (index & (((pgoff_t)1 << order) - 1)))
		order = (unsigned int)__builtin_ctzll(index);
	return order;
}

/* Whether the slots [@index, @index + @n) hold no page. */
static bool slots_free(const struct address_space *mapping, pgoff_t index, pgoff_t n)
{
	for (pgoff_t i = index; i < index + n; i++) {
		const struct page *page = mapping_slot(mapping, i);

		if (page && page->_refcount)
			return false;
	}
	return true;
}

/* Add a folio of 2^@order (> 0) pages at @index, or, if @fallback, of the
 * largest order below that can be had, down to 1; -EEXIST or -ENOMEM if
 * none. */
static int add_folio(struct sim_task *t, struct address_space *mapping, pgoff_t index,
		     unsigned int order, unsigned int gfp, bool fallback, struct page **pagep)
{
	struct page_cache *pc = mapping->pc;
	int err = -ENOMEM;

	g_assert(!t || t == sim_current(pc->eng));
	g_assert(order && !(index & (((pgoff_t)1 << order) - 1)));
	for (; order; order = fallback ? order - 1 : 0) {
		pgoff_t n = (pgoff_t)1 << order, got = 0;

		/* filemap_add_folio() finds a page in the range: -EEXIST,
		 * and __filemap_get_folio() tries the next order down. */
		if (index + n > mapping->size || !slots_free(mapping, index, n)) {
			err = -EEXIST;
			continue;
		}
		/* filemap_alloc_folio(): an order > 0 allocates with
		 * __GFP_NORETRY | __GFP_NOWARN. */
		while (got < n && alloc_page_frame(pc, t, gfp | PC_GFP_NORETRY) == 0)
			got++;
		/* We may have slept: look again. */
		if (got < n || !slots_free(mapping, index, n)) {
			err = got < n ? -ENOMEM : -EEXIST;
			pc->nr_resident -= got;
			count_vm_events(pc, PGFREE, got);
			continue;
		}
		for (pgoff_t i = 0; i < n; i++) {
			struct pc_chunk *chunk = mapping_chunk_create(mapping, index + i);
			struct page *page = &chunk->pages[(index + i) & (PC_CHUNK_PAGES - 1)];

			chunk->nr_used++;
			page->mapping = mapping;
			page->index = (uint32_t)(index + i);
			page->_refcount = 2;
			page->_mapcount = 0;
			page->flags = 1u << PG_locked;
			set_folio_order(page, order);
			page_lock_acquired(page);
			if (mapping->flags & AS_SWAPBACKED)
				SetPageSwapBacked(page);
			lru_add(pc, page);
			mapping->nrpages++;
			if (!i)
				*pagep = page;
		}
		return 0;
	}
	return err;
}

int pc_add_folio(struct sim_task *t, struct address_space *mapping, pgoff_t index,
		 unsigned int order, unsigned int gfp, struct page **pagep)
{
	order = folio_order_for(mapping, index, order);
	if (order && add_folio(t, mapping, index, order, gfp, true, pagep) == 0)
		return 0;
	/* Order 0, with the caller's gfp as given; -EEXIST from above
	 * only if the page at @index itself is taken. */
	return add_to_page_cache_lru(t, mapping, index, gfp, pagep);
}

int pc_add_folio_order(struct sim_task *t, struct address_space *mapping, pgoff_t index,
		       unsigned int order, unsigned int gfp, struct page **pagep)
{
	g_assert(order <= (unsigned int)pc_msb_index(mapping->max_folio));
	if (!order)
		return add_to_page_cache_lru(t, mapping, index, gfp, pagep);
	return add_folio(t, mapping, index, order, gfp, false, pagep);
}

unsigned int pc_mapping_max_folio_order(const struct address_space *mapping)
{
	return (unsigned int)pc_msb_index(mapping->max_folio);
}

/* A large folio loses @page: the rest become pages (split_folio()). */
static G_GNUC_NO_INLINE void folio_split_large(struct address_space *mapping,
					       struct page *page)
{
	unsigned int order = folio_order(page);
	pgoff_t first = folio_index(page), n = folio_nr_pages(page);

	for (pgoff_t i = first; i < first + n; i++) {
		struct page *p = mapping_slot(mapping, i);

		if (p && p->mapping == mapping && folio_order(p) == order)
			set_folio_order(p, 0);
	}
}

static inline void folio_split(struct address_space *mapping, struct page *page)
{
	if (folio_order(page))
		folio_split_large(mapping, page);
}

void delete_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;
	struct page_cache *pc;

	g_assert(mapping);
	g_assert(PageLocked(page) && !page_mapped(page) && !PageWriteback(page));
	g_assert(page->_refcount >= 2);		/* the cache's and the caller's */
	pc = mapping->pc;
	folio_split(mapping, page);
	if (PageLRU(page))
		lru_del(pc, page);
	/* cancel_dirty_page(): truncated, never to be written. */
	if (PageDirty(page) && mapping_can_writeback(mapping)) {
		account_page_cleaned(page);
		ClearPageDirty(page);
	}
	mapping->nrpages--;
	page->mapping = NULL;
	page->owner = mapping;
	page->_refcount--;
	pc->nr_detached++;
}

/* ------------------------------------------------------------------ */
/* Dirty accounting (mm/page-writeback.c) */

bool mapping_can_writeback(const struct address_space *mapping)
{
	return mapping && !(mapping->flags & AS_SWAPBACKED);
}

static struct pc_chunk *page_chunk(const struct page *page)
{
	return page->mapping->chunks[page->index >> PC_CHUNK_SHIFT];
}

/* account_page_dirtied(): NR_FILE_DIRTY, and __mark_inode_dirty() of a
 * space that was clean (to the tail of b_dirty, dirtied now). */
static void account_page_dirtied(struct page *page)
{
	struct address_space *mapping = page->mapping;
	struct page_cache *pc = mapping->pc;

	if (!mapping->nr_dirty++) {
		mapping->dirtied_when = sim_now(pc->eng);
		list_add_tail(&mapping->dirty_node, &pc->dirty_mappings);
	}
	page_chunk(page)->nr_dirty++;
	pc->nr_dirty++;
}

/* account_page_cleaned(): the page's PG_dirty is going (written, or
 * truncated); a space with no dirty page left leaves b_dirty. */
static void account_page_cleaned(struct page *page)
{
	struct address_space *mapping = page->mapping;
	struct page_cache *pc = mapping->pc;

	if (!mapping_can_writeback(mapping))
		return;
	g_assert(mapping->nr_dirty > 0 && pc->nr_dirty > 0 && page_chunk(page)->nr_dirty > 0);
	page_chunk(page)->nr_dirty--;
	pc->nr_dirty--;
	if (!--mapping->nr_dirty)
		list_del_init(&mapping->dirty_node);
}

bool set_page_dirty(struct page *page)
{
	if (TestSetPageDirty(page))
		return false;
	if (mapping_can_writeback(page->mapping))
		account_page_dirtied(page);
	return true;
}

bool clear_page_dirty_for_io(struct page *page)
{
	struct address_space *mapping = page->mapping;

	g_assert(PageLocked(page));
	/* page_mkclean(): write-protect and clean every pte mapping it, so
	 * that the next write faults (page_mkwrite) and dirties it again;
	 * a dirty pte means the page was written meanwhile: still dirty. */
	if (mapping && mapping_can_writeback(mapping) && page_mapped(page) &&
	    mapping->rmap_ops && mapping->rmap_ops->mkclean &&
	    mapping->rmap_ops->mkclean(page, mapping->rmap_data))
		set_page_dirty(page);
	if (!TestClearPageDirty(page))
		return false;
	if (mapping)
		account_page_cleaned(page);
	return true;
}

uint64_t pc_nr_dirty(const struct page_cache *pc)
{
	return pc->nr_dirty;
}

uint64_t pc_nr_file_pages(const struct page_cache *pc)
{
	const struct address_space *mapping;
	uint64_t n = 0;

	list_for_each_entry(mapping, &pc->mappings, node)
		if (mapping_can_writeback(mapping))
			n += mapping->nrpages;
	return n;
}

uint64_t pc_mapping_nr_dirty(const struct address_space *mapping)
{
	return mapping->nr_dirty;
}

struct address_space *pc_dirty_mapping(const struct page_cache *pc, unsigned int n)
{
	struct address_space *mapping;

	list_for_each_entry(mapping, &pc->dirty_mappings, dirty_node)
		if (!n--)
			return mapping;
	return NULL;
}

sim_time_t pc_mapping_dirtied_when(const struct address_space *mapping)
{
	return mapping->dirtied_when;
}

void pc_mapping_requeue(struct address_space *mapping)
{
	if (list_empty(&mapping->dirty_node))
		return;
	list_del_init(&mapping->dirty_node);
	list_add_tail(&mapping->dirty_node, &mapping->pc->dirty_mappings);
}

pgoff_t *pc_mapping_writeback_index(struct address_space *mapping)
{
	return &mapping->writeback_index;
}

struct page *find_get_dirty_page(struct address_space *mapping, pgoff_t *index)
{
	for (size_t c = *index >> PC_CHUNK_SHIFT; c < mapping->nr_chunks; c++) {
		struct pc_chunk *chunk = mapping->chunks[c];
		unsigned int i = c == (*index >> PC_CHUNK_SHIFT) ? *index & (PC_CHUNK_PAGES - 1) : 0;

		if (!chunk || !chunk->nr_dirty)
			continue;
		for (; i < PC_CHUNK_PAGES; i++) {
			struct page *page = &chunk->pages[i];

			if (page->mapping == mapping && PageDirty(page)) {
				page->_refcount++;
				*index = page->index;
				return page;
			}
		}
	}
	return NULL;
}

void set_page_writeback(struct page *page)
{
	g_assert(!PageWriteback(page));
	SetPageWriteback(page);
	page_cache_of(page)->nr_writeback++;
}

void end_page_writeback(struct page *page)
{
	struct page_cache *pc = page_cache_of(page);

	if (TestClearPageReclaim(page))
		rotate_reclaimable_page(pc, page);
	g_assert(PageWriteback(page) && pc->nr_writeback > 0);
	ClearPageWriteback(page);
	pc->nr_writeback--;
	if (page->mapping && mapping_can_writeback(page->mapping))
		pc->nr_written++;
	wake_up_page(page, PG_writeback);
	if (sim_waitqueue_active(&pc->reclaim_wait))
		sim_wake_up_all(&pc->reclaim_wait);
}

void page_endio(struct page *page, bool is_write, int err)
{
	if (!is_write) {
		if (!err) {
			SetPageUptodate(page);
		} else {
			ClearPageUptodate(page);
			SetPageError(page);
		}
		unlock_page(page);
	} else {
		if (err)
			SetPageError(page);
		end_page_writeback(page);
	}
}

void pc_readpage(struct sim_task *t, struct page *page)
{
	struct address_space *mapping = page->mapping;

	g_assert(mapping && PageLocked(page));
	if (mapping->a_ops && mapping->a_ops->readpage)
		mapping->a_ops->readpage(t, mapping, page, mapping->a_data);
	else
		page_endio(page, false, 0);
}

bool pc_writepage(struct sim_task *t, struct page *page)
{
	struct address_space *mapping = page->mapping;

	g_assert(mapping && PageWriteback(page) && !PageLocked(page));
	if (mapping->a_ops && mapping->a_ops->writepage) {
		mapping->a_ops->writepage(t, mapping, page, mapping->a_data);
		return true;
	}
	/* Nowhere to write it: dirty again (redirty_page_for_writepage()). */
	set_page_dirty(page);
	end_page_writeback(page);
	return false;
}

uint64_t pc_nr_written(const struct page_cache *pc)
{
	return pc->nr_written;
}

/* ------------------------------------------------------------------ */
/* The page wait table */

#define GOLDEN_RATIO_64 UINT64_C(0x61C8864680B583EB)

struct page_wait_table *page_wait_table(const struct page *page)
{
	return &page_cache_of(page)->waits;
}

struct sim_waitqueue *page_waitqueue(const struct page *page)
{
	const struct address_space *space = page_space(page);
	uint64_t key = (uint64_t)space->id << 32 | page->index;
	unsigned int h = (unsigned int)((key * GOLDEN_RATIO_64) >> (64 - PAGE_WAIT_TABLE_BITS));

	return &space->pc->waits.queue[h];
}

/* ------------------------------------------------------------------ */
/* Reclaim */

struct scan_control {
	struct sim_task *t;		/* the reclaiming task */
	bool kswapd;
	int priority;
	unsigned long nr_to_reclaim;
	unsigned long nr_reclaimed;
};

enum page_references {
	PAGEREF_RECLAIM,
	PAGEREF_RECLAIM_CLEAN,
	PAGEREF_KEEP,
	PAGEREF_ACTIVATE,
};

/* Scanning @nr pages of an LRU list: one step for the batch (the kernel
 * isolates up to SWAP_CLUSTER_MAX pages under the LRU lock at once). */
static void reclaim_cost(struct page_cache *pc, struct scan_control *sc, unsigned long nr)
{
	sim_time_t cost = pc->params.scan_cost * (sim_time_t)nr;

	if (!cost || !sc->t)
		return;
	if (pc->params.cpu_work)
		pc->params.cpu_work(sc->t, cost);
	else
		sim_sleep_oncpu(sc->t, cost);
}

/* Young ptes mapping @page, their young bits cleared (page_referenced()). */
static int page_referenced(struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (!page_mapped(page) || !mapping->rmap_ops || !mapping->rmap_ops->referenced)
		return 0;
	return mapping->rmap_ops->referenced(page, mapping->rmap_data);
}

static enum page_references page_check_references(struct page *page)
{
	int referenced_ptes = page_referenced(page);
	bool referenced_page = TestClearPageReferenced(page);

	if (referenced_ptes) {
		/* Mapped pages start with a young pte from the fault that
		 * mapped them: look twice before activating. */
		SetPageReferenced(page);
		if (referenced_page || referenced_ptes > 1)
			return PAGEREF_ACTIVATE;
		return PAGEREF_KEEP;
	}
	/* Use-once: a file page accessed once is reclaimed if clean. */
	if (referenced_page && !PageSwapBacked(page))
		return PAGEREF_RECLAIM_CLEAN;
	return PAGEREF_RECLAIM;
}

static void isolate_lru_page(struct page_cache *pc, struct page *page)
{
	lru_del(pc, page);
	get_page(page);
	pc->nr_isolated++;
}

static void putback_lru_page(struct page_cache *pc, struct page *page)
{
	g_assert(pc->nr_isolated > 0);
	pc->nr_isolated--;
	if (page->mapping)
		lru_add(pc, page);
	put_page(page);		/* the isolation reference */
}

/* Whether @s, a page of the large folio of a page reclaim frees, may go
 * with it: on the inactive list (not isolated), idle, clean, unmapped,
 * referenced by the cache only -- what __remove_mapping() asks of the
 * folio, the model's pages keeping their own state. */
static bool folio_sibling_freeable(const struct page *s, const struct address_space *mapping,
				   unsigned int order, pgoff_t first)
{
	return s && s->mapping == mapping && folio_order(s) == order && folio_index(s) == first &&
	       PageLRU(s) && !PageActive(s) &&
	       !(s->flags & (1u << PG_locked | 1u << PG_writeback | 1u << PG_dirty |
			     1u << PG_waiters)) &&
	       !page_mapped(s) && page_count(s) == 1;
}

/* Free @page's slot and, if it is a large folio's page, the folio's other
 * pages with it when they all may go (the folio reclaimed as one, as
 * shrink_folio_list() does); else the folio is split and only @page goes.
 * Returns the pages freed. */
static unsigned long reclaim_folio(struct page_cache *pc, struct scan_control *sc,
				   struct address_space *mapping, struct page *page)
{
	unsigned int order = folio_order(page);
	pgoff_t first = 0, n = 0, index = page->index;
	unsigned long freed = 1;
	bool whole = false;

	/* A page (order 0, nearly every one) has no folio to look at. */
	if (order) {
		first = folio_index(page);
		n = folio_nr_pages(page);
		whole = true;
		for (pgoff_t i = first; whole && i < first + n; i++)
			if (i != index && !folio_sibling_freeable(mapping_slot(mapping, i),
								  mapping, order, first))
				whole = false;
		if (!whole)
			folio_split_large(mapping, page);
	}
	mapping->nrpages--;
	page->mapping = NULL;
	page->_refcount = 0;
	pc->nr_isolated--;
	free_page_slot(pc, mapping, page);
	for (pgoff_t i = first; whole && i < first + n; i++) {
		struct page *s = mapping_slot(mapping, i);

		if (i == index)
			continue;
		lru_del(pc, s);
		mapping->nrpages--;
		s->mapping = NULL;
		s->_refcount = 0;
		free_page_slot(pc, mapping, s);
		freed++;
	}
	count_vm_events(pc, sc->kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, freed);
	return freed;
}

/* shrink_page_list() for one isolated page; the pages freed (0: kept). */
static unsigned long shrink_page(struct page_cache *pc, struct scan_control *sc,
				 struct page *page)
{
	struct address_space *mapping = page->mapping;
	enum page_references references;

	if (!trylock_page(page))
		goto keep;
	if (PageWriteback(page)) {
		SetPageReclaim(page);
		goto keep_locked;
	}
	references = page_check_references(page);
	if (references == PAGEREF_ACTIVATE)
		goto activate_locked;
	if (references == PAGEREF_KEEP)
		goto keep_locked;

	if (page_mapped(page)) {
		if (!mapping->rmap_ops || !mapping->rmap_ops->unmap)
			goto activate_locked;
		mapping->rmap_ops->unmap(page, mapping->rmap_data);
		if (page_mapped(page))
			goto activate_locked;
	}

	if (PageDirty(page)) {
		if (references == PAGEREF_RECLAIM_CLEAN)
			goto keep_locked;
		if (!mapping->a_ops || !mapping->a_ops->writepage)
			goto activate_locked;
		/* pageout(): the write completes later, from the I/O model. */
		clear_page_dirty_for_io(page);
		SetPageReclaim(page);
		set_page_writeback(page);
		count_vm_event(pc, NR_VMSCAN_WRITE);
		unlock_page(page);
		mapping->a_ops->writepage(sc->t, mapping, page, mapping->a_data);
		if (PageWriteback(page) || PageDirty(page))
			goto keep;
		/* Written at once: free it if we can still have it. */
		if (!trylock_page(page))
			goto keep;
		if (PageDirty(page) || PageWriteback(page) || page->mapping != mapping)
			goto keep_locked;
	}

	/* __remove_mapping(): nobody but the cache and us may hold it. */
	if (page_count(page) != 2 || PageDirty(page) || PageWaiters(page))
		goto keep_locked;
	page_lock_released(page);
	ClearPageLocked(page);
	return reclaim_folio(pc, sc, mapping, page);

activate_locked:
	if (!PageActive(page)) {
		SetPageActive(page);
		count_vm_event(pc, PGACTIVATE);
	}
keep_locked:
	unlock_page(page);
keep:
	putback_lru_page(pc, page);
	return false;
}

static void shrink_inactive_list(struct page_cache *pc, struct scan_control *sc,
				 unsigned long nr_to_scan)
{
	if (sc->nr_reclaimed >= sc->nr_to_reclaim)
		return;
	reclaim_cost(pc, sc, MIN(nr_to_scan, pc->nr_lru[LRU_INACTIVE]));
	for (unsigned long i = 0; i < nr_to_scan; i++) {
		struct page *page;

		if (sc->nr_reclaimed >= sc->nr_to_reclaim || lru_empty(pc, LRU_INACTIVE))
			break;
		page = lru_tail(pc, LRU_INACTIVE);
		isolate_lru_page(pc, page);
		count_vm_event(pc, sc->kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT);
		sc->nr_reclaimed += shrink_page(pc, sc, page);
	}
}

/* Deactivate pages from the active tail onto the inactive head. */
static void shrink_active_list(struct page_cache *pc, struct scan_control *sc,
			       unsigned long nr_to_scan)
{
	reclaim_cost(pc, sc, MIN(nr_to_scan, pc->nr_lru[LRU_ACTIVE]));
	for (unsigned long i = 0; i < nr_to_scan; i++) {
		struct page *page;

		if (lru_empty(pc, LRU_ACTIVE))
			break;
		page = lru_tail(pc, LRU_ACTIVE);
		count_vm_event(pc, PGREFILL);
		/* Young ptes are consumed (the kernel keeps only executable
		 * file pages active for them: not modelled). */
		page_referenced(page);
		lru_del(pc, page);
		ClearPageActive(page);
		SetPageWorkingset(page);
		lru_add(pc, page);
		count_vm_event(pc, PGDEACTIVATE);
	}
}

/* inactive_list_is_low(): the inactive list should hold at least
 * 1/sqrt(10 * GiB) of the pages on the LRU (all of them below 1 GiB). */
static bool inactive_is_low(const struct page_cache *pc)
{
	uint64_t inactive = pc->nr_lru[LRU_INACTIVE], active = pc->nr_lru[LRU_ACTIVE];
	uint64_t gb = (inactive + active) >> (30 - PAGE_SHIFT);
	uint64_t ratio = gb ? (uint64_t)sqrt(10.0 * (double)gb) : 1;

	return inactive * ratio < active;
}

static void shrink_node(struct page_cache *pc, struct scan_control *sc)
{
	unsigned long before = sc->nr_reclaimed, scanned = 0;
	uint64_t nr[NR_LRU_LISTS];

	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		nr[lru] = pc->nr_lru[lru] >> sc->priority;
	while ((nr[LRU_INACTIVE] || nr[LRU_ACTIVE]) &&
	       sc->nr_reclaimed < sc->nr_to_reclaim) {
		if (nr[LRU_ACTIVE]) {
			unsigned long n = MIN(nr[LRU_ACTIVE], SWAP_CLUSTER_MAX);

			nr[LRU_ACTIVE] -= n;
			scanned += n;
			if (inactive_is_low(pc))
				shrink_active_list(pc, sc, n);
		}
		if (nr[LRU_INACTIVE]) {
			unsigned long n = MIN(nr[LRU_INACTIVE], SWAP_CLUSTER_MAX);

			nr[LRU_INACTIVE] -= n;
			scanned += n;
			shrink_inactive_list(pc, sc, n);
		}
	}
	/* Keep enough on the inactive list for the next pass. */
	if (inactive_is_low(pc)) {
		shrink_active_list(pc, sc, SWAP_CLUSTER_MAX);
		scanned += SWAP_CLUSTER_MAX;
	}
	if (sc->nr_reclaimed > before)
		pc->kswapd_failures = 0;
	/* The whole-cache check once per cache's worth of pages handed to
	 * reclaim: O(1) per page scanned, not O(pages) per pass. */
	if (sim_engine_checks(pc->eng) &&
	    (pc->check_scanned += scanned) >= pc->nr_resident) {
		pc->check_scanned = 0;
		pc_check(pc);
	}
}

/* A reclaim pass, from @start to now, as a slice of @t's trace. */
static void reclaim_trace(struct page_cache *pc, struct sim_task *t, const char *name,
			  sim_time_t start, const struct scan_control *sc)
{
	const struct sim_trace_arg args[] = {
		{ .key = "reclaimed", .value = (int64_t)sc->nr_reclaimed },
		{ .key = "priority", .value = sc->priority },
	};

	if (!t)
		return;

	sim_trace_task_slice(pc->trace, t, "reclaim", name, start, sim_now(pc->eng), args,
			     G_N_ELEMENTS(args));
}

static unsigned long do_try_to_free_pages(struct page_cache *pc, struct sim_task *t,
					  unsigned long nr_to_reclaim)
{
	struct scan_control sc = { .t = t, .nr_to_reclaim = nr_to_reclaim };
	sim_time_t start = sim_now(pc->eng);

	for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
		shrink_node(pc, &sc);
		if (sc.nr_reclaimed >= sc.nr_to_reclaim)
			break;
	}
	if (G_UNLIKELY(pc->trace))
		reclaim_trace(pc, t, "direct reclaim", start, &sc);
	return sc.nr_reclaimed;
}

unsigned long pc_try_to_free_pages(struct page_cache *pc, struct sim_task *t,
				   unsigned long nr)
{
	g_assert(t == sim_current(pc->eng));
	return do_try_to_free_pages(pc, t, nr);
}

/* kswapd's work: reclaim until free > high, raising the priority while
 * a pass frees nothing; throttle while writeback is in flight; give up
 * when nothing at all can be freed. */
static void balance_pgdat(struct page_cache *pc, struct sim_task *t)
{
	struct scan_control sc = { .t = t, .kswapd = true, .priority = DEF_PRIORITY };
	sim_time_t start = sim_now(pc->eng);
	unsigned long reclaimed = 0;

	count_vm_event(pc, PAGEOUTRUN);
	while (pc_nr_free(pc) <= pc->wmark[WMARK_HIGH]) {
		sc.nr_to_reclaim = pc->wmark[WMARK_HIGH] + 1 - pc_nr_free(pc);
		sc.nr_reclaimed = 0;
		shrink_node(pc, &sc);
		reclaimed += sc.nr_reclaimed;
		if (sc.nr_reclaimed)
			continue;
		if (sc.priority > 0) {
			sc.priority--;
			continue;
		}
		if (pc->nr_writeback) {
			reclaim_throttle(pc, t, "kswapd throttle");
			sc.priority = DEF_PRIORITY;
			continue;
		}
		pc->kswapd_failures++;
		break;
	}
	if (G_UNLIKELY(pc->trace)) {
		sc.nr_reclaimed = reclaimed;
		reclaim_trace(pc, t, "balance_pgdat", start, &sc);
	}
}

static void kswapd_fn(struct sim_task *t, void *arg)
{
	struct page_cache *pc = arg;

	for (;;) {
		while (!pc->kswapd_wakeup)
			sim_wait(&pc->kswapd_wait, t, 0, "kswapd sleep");
		pc->kswapd_wakeup = false;
		pc->kswapd_running = true;
		balance_pgdat(pc, t);
		pc->kswapd_running = false;
	}
}

void wakeup_kswapd(struct page_cache *pc)
{
	if (!pc->kswapd || pc->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return;
	if (pc_nr_free(pc) > pc->wmark[WMARK_HIGH])
		return;
	pc->kswapd_wakeup = true;
	if (sim_waitqueue_active(&pc->kswapd_wait))
		sim_wake_up_all(&pc->kswapd_wait);
}

/* ------------------------------------------------------------------ */
/* Invariants */

bool pc_check(const struct page_cache *pc)
{
	uint64_t on_list[NR_LRU_LISTS] = { 0 };
	uint64_t used = 0, detached = 0, lru_flagged = 0, off_lru = 0, writeback = 0;
	const struct address_space *mapping;

	for (uint32_t lru = 0; lru < NR_LRU_LISTS; lru++) {
		const struct page_lru *head = &pc->lru_heads->pages[lru].lru;
		uint32_t prev = lru;

		for (uint32_t pfn = head->next; pfn != lru; pfn = pfn_to_page(pc, pfn)->lru.next) {
			const struct page *page;

			SIM_CHECK(pfn >= PC_CHUNK_PAGES && pfn >> PC_CHUNK_SHIFT < pc->next_chunk_id &&
				  pc->chunk_table[pfn >> PC_CHUNK_SHIFT]);
			page = pfn_to_page(pc, pfn);
			SIM_CHECK(PageLRU(page));
			SIM_CHECK(PageActive(page) == (lru == LRU_ACTIVE));
			SIM_CHECK(page->mapping && page->mapping->pc == pc);
			SIM_CHECK(page_to_pfn(page) == pfn && page->lru.prev == prev);
			SIM_CHECK(page->_refcount >= 1);
			SIM_CHECK(++on_list[lru] <= pc->nr_lru[lru]);
			prev = pfn;
		}
		SIM_CHECK(head->prev == prev);
		SIM_CHECK(on_list[lru] == pc->nr_lru[lru]);
	}

	uint64_t dirty_total = 0;

	list_for_each_entry(mapping, &pc->mappings, node) {
		uint64_t cached = 0, dirty = 0;

		SIM_CHECK(mapping->pc == pc);
		for (size_t c = 0; c < mapping->nr_chunks; c++) {
			const struct pc_chunk *chunk = mapping->chunks[c];
			uint32_t in_chunk = 0;

			if (!chunk)
				continue;
			SIM_CHECK(chunk->id && chunk->id < pc->next_chunk_id &&
				  pc->chunk_table[chunk->id] == chunk);
			uint32_t dirty_in_chunk = 0;

			for (unsigned int i = 0; i < PC_CHUNK_PAGES; i++) {
				const struct page *page = &chunk->pages[i];

				if (page->_refcount && page->mapping && PageDirty(page) &&
				    mapping_can_writeback(mapping))
					dirty_in_chunk++;
				if (!page->_refcount) {
					SIM_CHECK(!page->flags && !page->mapping && !page->_mapcount);
					continue;
				}
				in_chunk++;
				SIM_CHECK(page->_mapcount >= 0);
				SIM_CHECK(page->index == (c << PC_CHUNK_SHIFT) + i);
				if (PageWriteback(page))
					writeback++;
				if (page->mapping) {
					SIM_CHECK(page->mapping == mapping);
					SIM_CHECK(page->_refcount >= 1 + page->_mapcount);
					SIM_CHECK(PageSwapBacked(page) == mapping_swapbacked(mapping));
					cached++;
					if (PageLRU(page))
						lru_flagged++;
					else
						off_lru++;
				} else {
					SIM_CHECK(page->owner == mapping && !PageLRU(page));
					detached++;
				}
			}
			SIM_CHECK(in_chunk > 0 && in_chunk == chunk->nr_used);
			SIM_CHECK(dirty_in_chunk == chunk->nr_dirty);
			dirty += dirty_in_chunk;
			used += in_chunk;
		}
		SIM_CHECK(cached == mapping->nrpages);
		/* A space is on b_dirty exactly when it has dirty pages. */
		SIM_CHECK(dirty == mapping->nr_dirty);
		SIM_CHECK(list_empty(&mapping->dirty_node) == !dirty);
		dirty_total += dirty;
	}
	SIM_CHECK(dirty_total == pc->nr_dirty);
	SIM_CHECK(lru_flagged == pc->nr_lru[LRU_INACTIVE] + pc->nr_lru[LRU_ACTIVE]);
	SIM_CHECK(off_lru <= pc->nr_isolated);
	SIM_CHECK(used == pc->nr_resident);
	SIM_CHECK(detached == pc->nr_detached);
	SIM_CHECK(writeback == pc->nr_writeback);
	SIM_CHECK(pc->nr_resident <= pc->params.nr_pages);
	return true;
}
