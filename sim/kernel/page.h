/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct page: one page of an address space (a file's page cache, or the
 * anonymous memory of a process), with the kernel's page flags, reference
 * count and map count.
 *
 * Where a page lives.  Pages are not allocated one by one: each address
 * space keeps a dense array of page slots, cut in chunks of
 * PC_CHUNK_PAGES allocated on first use (sim/kernel/pagecache.c), so a page costs
 * 32 bytes and lookup by (mapping, index) is two array indexings.  Two
 * pages share a 64-byte cache line and none straddles two: the chunks are
 * line-aligned, and the LRU links are 32-bit page numbers (pagecache.c),
 * half a list_head.  A slot is in one of three states:
 *
 *	free      _refcount == 0: no page here (all fields zero)
 *	cached    page->mapping is the owning address space; the cache holds
 *	          one reference
 *	detached  deleted from the cache (page->mapping == NULL, as the kernel
 *	          leaves a truncated page) while someone still holds a
 *	          reference; @owner says whose slot it is until the last
 *	          put_page() frees it.  Lookups miss a detached page, and a new
 *	          page cannot take its slot until it is freed.
 *
 * The flags.  The same bits as the kernel's enum pageflags, with the same
 * rules for who may change them:
 *
 *	PG_locked     the page lock (sim/kernel/pagelock.c); set by trylock_page(),
 *	              by add_to_page_cache_lru() on a new page, or by the waker
 *	              when it hands the lock over; cleared by unlock_page()
 *	PG_waiters    some task waits on this page in the page wait table;
 *	              set by the waiter before it queues, cleared by the waker
 *	              when no waiter for the page is left
 *	PG_uptodate   the contents are valid (set by the read completion)
 *	PG_error      the last I/O failed
 *	PG_dirty      must be written back before the page can be freed
 *	PG_writeback  a write is in flight; cleared by end_page_writeback()
 *	PG_reclaim    reclaim started the write: rotate to the inactive tail
 *	              when it completes
 *	PG_readahead  the async readahead marker (the readahead module's)
 *	PG_lru        on one of the LRU lists (not while isolated by reclaim)
 *	PG_active     on the active list (meaningful with PG_lru)
 *	PG_referenced accessed once since the last aging (mark_page_accessed)
 *	PG_workingset was deactivated from the active list once
 *	PG_swapbacked backed by swap, not a file (pages of an AS_SWAPBACKED
 *	              address space)
 *
 * Unlike the kernel, PG_readahead and PG_reclaim are separate bits: we have
 * room, and it makes traces easier to read.
 *
 * The reference count counts the cache's reference, every pte mapping the
 * page (get_page() + page_add_rmap()), reclaim's isolation reference and
 * every holder found by find_get_page().  The map count counts ptes only;
 * it is a plain count here (0 when unmapped), not the kernel's -1 biased
 * _mapcount.
 *
 * Nothing here blocks or takes simulated time.
 */
#ifndef FAULTSIM_SIM_PAGE_H
#define FAULTSIM_SIM_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "faultsim/mm.h"
#include "sim/core/list.h"
#include "sim/core/types.h"

/* pgoff_t and PAGE_SIZE are faultsim/types.h's.  Page indices are stored
 * in 32 bits: an address space holds at most 2^32 pages (16 TiB). */

enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_waiters,
	PG_error,
	PG_writeback,
	PG_reclaim,
	PG_readahead,
	PG_swapbacked,
	__NR_PAGEFLAGS
};

struct address_space;

/* The LRU links of a page: the page numbers of its neighbours (see
 * pagecache.c's "The LRU lists"). */
struct page_lru {
	uint32_t next, prev;
};

struct page {
	union {
		/* On an LRU list (PG_lru); meaningless off the lists. */
		struct page_lru lru;
		/* Detached pages only (mapping == NULL, _refcount > 0). */
		struct address_space *owner;
	};
	struct address_space *mapping;	/* NULL unless in the cache */
	uint32_t index;			/* slot index in the owner */
	uint32_t flags;			/* 1 << PG_* */
	int32_t _refcount;
	int32_t _mapcount;		/* ptes mapping the page (0: none) */
};

G_STATIC_ASSERT(__NR_PAGEFLAGS <= 24);
G_STATIC_ASSERT(sizeof(struct page) == 32);

/*
 * Large folios.  A folio of order N is 2^N pages of one address space at
 * an index aligned to 2^N (the page cache's xarray stores a folio at its
 * natural alignment), added to the cache together (pc_add_folio()).  Each
 * of its pages carries the order in the top bits of its flags, so that
 * the folio of a page is [index & ~(2^N - 1), + 2^N) without a lookup.
 * Order 0 (every page of a mapping without large folios) is a page.  The
 * pages keep their own lock, uptodate, dirty and LRU state in the model.
 * Reclaim frees a folio as one when all its pages may go with the one it
 * picked; a folio that loses one page alone (truncation, or reclaim when
 * the others may not go) is split into pages, as split_folio() does on
 * truncation.
 */
#define PG_FOLIO_ORDER_SHIFT	24
#define PG_FOLIO_ORDER_MASK	(0xfu << PG_FOLIO_ORDER_SHIFT)

static inline unsigned int folio_order(const struct page *page)
{
	return (page->flags & PG_FOLIO_ORDER_MASK) >> PG_FOLIO_ORDER_SHIFT;
}

static inline pgoff_t folio_nr_pages(const struct page *page)
{
	return (pgoff_t)1 << folio_order(page);
}

/* The index of the first page of @page's folio (folio->index). */
static inline pgoff_t folio_index(const struct page *page)
{
	return page->index & ~(folio_nr_pages(page) - 1);
}

static inline void set_folio_order(struct page *page, unsigned int order)
{
	page->flags = (page->flags & ~PG_FOLIO_ORDER_MASK) | (order << PG_FOLIO_ORDER_SHIFT);
}

static inline bool test_page_bit(const struct page *page, int nr)
{
	return page->flags & (1u << nr);
}

static inline void set_page_bit(struct page *page, int nr)
{
	page->flags |= 1u << nr;
}

static inline void clear_page_bit(struct page *page, int nr)
{
	page->flags &= ~(1u << nr);
}

/* Returns the old value of the bit. */
static inline bool test_and_set_page_bit(struct page *page, int nr)
{
	bool old = test_page_bit(page, nr);

	set_page_bit(page, nr);
	return old;
}

static inline bool test_and_clear_page_bit(struct page *page, int nr)
{
	bool old = test_page_bit(page, nr);

	clear_page_bit(page, nr);
	return old;
}

/* PageFoo(), SetPageFoo(), ClearPageFoo(), TestSetPageFoo(),
 * TestClearPageFoo() for every flag, as include/linux/page-flags.h.  The
 * tests are the plugin interface's too (faultsim/mm.h), and so is
 * ClearPageError(): @clear is ClearPageFoo()'s storage class.  (An
 * FS_INLINE body may not call a static function: those two spell the bit
 * operation out.) */
#define PAGEFLAG(uname, lname, clear)					\
FS_INLINE bool Page##uname(const struct page *page)			\
{ return page->flags & (1u << PG_##lname); }				\
static inline void SetPage##uname(struct page *page)			\
{ set_page_bit(page, PG_##lname); }					\
clear void ClearPage##uname(struct page *page)				\
{ page->flags &= ~(1u << PG_##lname); }				\
static inline bool TestSetPage##uname(struct page *page)		\
{ return test_and_set_page_bit(page, PG_##lname); }			\
static inline bool TestClearPage##uname(struct page *page)		\
{ return test_and_clear_page_bit(page, PG_##lname); }

PAGEFLAG(Locked, locked, static inline)
PAGEFLAG(Referenced, referenced, static inline)
PAGEFLAG(Uptodate, uptodate, static inline)
PAGEFLAG(Dirty, dirty, static inline)
PAGEFLAG(LRU, lru, static inline)
PAGEFLAG(Active, active, static inline)
PAGEFLAG(Workingset, workingset, static inline)
PAGEFLAG(Waiters, waiters, static inline)
PAGEFLAG(Error, error, FS_INLINE)
PAGEFLAG(Writeback, writeback, static inline)
PAGEFLAG(Reclaim, reclaim, static inline)
PAGEFLAG(Readahead, readahead, static inline)
PAGEFLAG(SwapBacked, swapbacked, static inline)

#undef PAGEFLAG

/* References held on @page. */
FS_INLINE int page_count(const struct page *page)
{
	return page->_refcount;
}

/* Take a reference: the caller already holds one (or the cache does). */
FS_INLINE void get_page(struct page *page)
{
	g_assert(page->_refcount > 0);
	page->_refcount++;
}

/* The last reference to a page deleted from the cache is gone: free its
 * slot (sim/kernel/pagecache.c). */
void put_page_free(struct page *page);

/* Drop a reference (inline: the fault path drops several a fault); the
 * last one goes only once the cache's own is gone, with the page. */
FS_INLINE void put_page(struct page *page)
{
	g_assert(page->_refcount > 0);
	if (--page->_refcount > 0)
		return;
	put_page_free(page);
}

/* Number of ptes mapping @page. */
FS_INLINE int page_mapcount(const struct page *page)
{
	return page->_mapcount;
}

static inline bool page_mapped(const struct page *page)
{
	return page->_mapcount > 0;
}

/* A pte now maps @page (the mapper also holds a reference: get_page()). */
static inline void page_add_rmap(struct page *page)
{
	g_assert(page->_refcount > 0);
	page->_mapcount++;
}

/* A pte no longer maps @page (the unmapper then drops its reference). */
static inline void page_remove_rmap(struct page *page)
{
	g_assert(page->_mapcount > 0);
	page->_mapcount--;
}

/* The address space of a cached page, NULL once deleted (truncated). */
FS_INLINE struct address_space *page_mapping(const struct page *page)
{
	return page->mapping;
}

FS_INLINE pgoff_t page_index(const struct page *page)
{
	return page->index;
}

/*
 * The page lock's wait table of @page's page cache (declared with the page
 * lock, sim/kernel/pagelock.h), inline because every lock, unlock and
 * wake-up asks for it: every struct address_space (pagecache.c, which
 * asserts it) begins with a pointer to its cache's table, so the slot's
 * owner leads there in two loads.  pagecache.c has the out-of-line copy
 * (gnu_inline: this body is only ever inlined).
 */
struct page_wait_table;
struct page_wait_table *page_wait_table(const struct page *page);
extern inline __attribute__((gnu_inline)) struct page_wait_table *
page_wait_table(const struct page *page)
{
	const void *space = page->mapping ? (const void *)page->mapping :
					    (const void *)page->owner;
	struct page_wait_table *tbl;

	memcpy(&tbl, space, sizeof(tbl));
	return tbl;
}

#endif /* FAULTSIM_SIM_PAGE_H */
