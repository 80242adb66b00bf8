/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page cache and reclaim tests: insertion, lookup, deletion and reference
 * counts; flags and I/O completion; bad input; a 4 M-page (16 GiB) file
 * and its memory; the memory limit, kswapd between the low and high
 * watermarks, direct reclaim, locked pages skipped, dirty pages written
 * back before they are freed, mapped pages unmapped through the rmap
 * callback, referenced pages given a second chance; and the LRU
 * invariants through a random stress.
 */
#include "config.h"

#include <malloc.h>
#include <gsl/gsl_rng.h>

#include "policies/builtin.h"
#include "sim/core/engine.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/write.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"

#define US ((sim_time_t)NSEC_PER_USEC)
#define MS ((sim_time_t)NSEC_PER_MSEC)

struct ct {
	struct sim_engine *eng;
	struct page_cache *pc;
	struct address_space *file;
};

/* pc_params_init(), with the page lock policy a caller must choose: the
 * built-in @name. */
static void params_init_policy(struct pc_params *p, const char *name)
{
	pc_params_init(p);
	for (unsigned int i = 0; fs_builtin_page_lock_policies[i]; i++)
		if (strcmp(fs_builtin_page_lock_policies[i]->name, name) == 0)
			p->page_lock_ops = fs_builtin_page_lock_policies[i];
	g_assert_nonnull(p->page_lock_ops);
}

static void params_init(struct pc_params *p)
{
	params_init_policy(p, "bounded-steal");
}

static void ct_init_params(struct ct *ct, const struct pc_params *p)
{
	g_autoptr(GError) error = NULL;

	ct->eng = sim_engine_new(7);
	ct->pc = pc_new(ct->eng, p, &error);
	g_assert_no_error(error);
	ct->file = pc_mapping_new(ct->pc, "file", 1 << 20, 0, &error);
	g_assert_no_error(error);
}

/* @nr_pages of memory, explicit watermarks, kswapd on or off. */
static void ct_init(struct ct *ct, uint64_t nr_pages, uint64_t min, uint64_t low,
		    uint64_t high, bool kswapd)
{
	struct pc_params p;

	params_init(&p);
	p.nr_pages = nr_pages;
	p.wmark[WMARK_MIN] = min;
	p.wmark[WMARK_LOW] = low;
	p.wmark[WMARK_HIGH] = high;
	p.kswapd = kswapd;
	ct_init_params(ct, &p);
	sim_engine_set_checks(ct->eng, true);	/* pc_check() after each reclaim pass */
}

static void ct_destroy(struct ct *ct)
{
	pc_free(ct->pc);
	sim_engine_free(ct->eng);
}

static uint64_t vmstat(struct ct *ct, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(ct->eng), "reclaim", name);
}

/* Add a page at @index, read it (completes at once without a backing
 * store), and drop our reference: the cache holds the only one. */
static struct page *add_page(struct sim_task *t, struct address_space *m, pgoff_t index)
{
	struct page *page;

	g_assert_cmpint(add_to_page_cache_lru(t, m, index, t ? PC_GFP_KERNEL : PC_GFP_NOWAIT,
					      &page), ==, 0);
	pc_readpage(t, page);
	g_assert_true(PageUptodate(page));
	g_assert_false(PageLocked(page));
	put_page(page);
	return page;
}

/* Run @fn as a task to completion. */
static void run_task(struct ct *ct, sim_task_fn *fn, void *arg)
{
	sim_task_spawn(ct->eng, "test", fn, arg);
	sim_run(ct->eng);
}

/* ------------------------------------------------------------------ */
/* Insertion, lookup, deletion, references, flags */

static void test_insert_lookup_delete(void)
{
	struct ct ct;
	struct page *page, *again;
	g_autoptr(GError) error = NULL;
	struct address_space *anon;

	ct_init(&ct, 1024, 0, 16, 32, false);

	g_assert_cmpint(add_to_page_cache_lru(NULL, ct.file, 5, PC_GFP_NOWAIT, &page), ==, 0);
	g_assert_true(page_mapping(page) == ct.file);
	g_assert_cmpuint(page_index(page), ==, 5);
	g_assert_cmpint(page_count(page), ==, 2);
	g_assert_true(PageLocked(page) && PageLRU(page));
	g_assert_false(PageActive(page) || PageUptodate(page) || PageSwapBacked(page));
	g_assert_cmpuint(pc_nr_resident(ct.pc), ==, 1);
	g_assert_cmpuint(pc_mapping_nrpages(ct.file), ==, 1);
	g_assert_cmpuint(pc_nr_lru(ct.pc, LRU_INACTIVE), ==, 1);
	g_assert_cmpint(add_to_page_cache_lru(NULL, ct.file, 5, PC_GFP_NOWAIT, &again), ==, -EEXIST);

	pc_readpage(NULL, page);
	g_assert_true(PageUptodate(page));
	g_assert_false(PageLocked(page));
	put_page(page);
	g_assert_cmpint(page_count(page), ==, 1);

	again = find_get_page(ct.file, 5);
	g_assert_true(again == page);
	g_assert_cmpint(page_count(page), ==, 2);
	g_assert_null(find_get_page(ct.file, 6));
	g_assert_null(find_get_page(ct.file, 5 + PC_CHUNK_PAGES));
	g_assert_true(pc_page_cached(ct.file, 5));
	g_assert_false(pc_page_cached(ct.file, 4));
	g_assert_true(pc_check(ct.pc));

	/* Truncate it while we hold a reference. */
	g_assert_true(trylock_page(page));
	delete_from_page_cache(page);
	g_assert_null(page_mapping(page));
	g_assert_cmpint(page_count(page), ==, 1);
	g_assert_false(PageLRU(page));
	g_assert_null(find_get_page(ct.file, 5));
	g_assert_cmpuint(pc_mapping_nrpages(ct.file), ==, 0);
	g_assert_cmpuint(pc_nr_resident(ct.pc), ==, 1);	/* still ours */
	g_assert_cmpint(add_to_page_cache_lru(NULL, ct.file, 5, PC_GFP_NOWAIT, &again), ==, -EBUSY);
	g_assert_true(pc_check(ct.pc));
	unlock_page(page);
	put_page(page);
	g_assert_cmpuint(pc_nr_resident(ct.pc), ==, 0);
	g_assert_cmpuint(*sim_stats_counter(sim_engine_stats(ct.eng), "pagecache", "pgfree"), ==, 1);
	g_assert_true(pc_check(ct.pc));

	/* The slot is free again. */
	again = add_page(NULL, ct.file, 5);
	g_assert_cmpint(page_count(again), ==, 1);

	/* Swap-backed address spaces. */
	anon = pc_mapping_new(ct.pc, "anon", 1024, AS_SWAPBACKED, &error);
	g_assert_no_error(error);
	g_assert_true(mapping_swapbacked(anon));
	page = add_page(NULL, anon, 0);
	g_assert_true(PageSwapBacked(page));
	g_assert_cmpuint(pc_nr_resident(ct.pc), ==, 2);
	g_assert_true(pc_check(ct.pc));
	pc_mapping_free(anon);
	g_assert_cmpuint(pc_nr_resident(ct.pc), ==, 1);
	g_assert_true(pc_check(ct.pc));
	ct_destroy(&ct);
}

/* mark_page_accessed(): referenced, then active; flags of I/O completion. */
static void test_flags(void)
{
	struct ct ct;
	struct page *page, *p2;

	ct_init(&ct, 1024, 0, 16, 32, false);
	page = add_page(NULL, ct.file, 0);
	mark_page_accessed(page);
	g_assert_true(PageReferenced(page));
	g_assert_false(PageActive(page));
	mark_page_accessed(page);
	g_assert_true(PageActive(page) && PageLRU(page));
	g_assert_false(PageReferenced(page));
	g_assert_cmpuint(pc_nr_lru(ct.pc, LRU_ACTIVE), ==, 1);
	g_assert_cmpuint(pc_nr_lru(ct.pc, LRU_INACTIVE), ==, 0);
	g_assert_cmpuint(vmstat(&ct, "pgactivate"), ==, 1);
	mark_page_accessed(page);
	mark_page_accessed(page);
	g_assert_true(PageActive(page) && PageReferenced(page));
	g_assert_cmpuint(vmstat(&ct, "pgactivate"), ==, 1);

	/* A failed read: error, not uptodate, unlocked. */
	g_assert_cmpint(add_to_page_cache_lru(NULL, ct.file, 1, PC_GFP_NOWAIT, &p2), ==, 0);
	page_endio(p2, false, -EIO);
	g_assert_true(PageError(p2));
	g_assert_false(PageUptodate(p2) || PageLocked(p2));

	/* Dirty, then written back. */
	g_assert_true(set_page_dirty(p2));
	g_assert_false(set_page_dirty(p2));
	g_assert_cmpuint(pc_nr_dirty(ct.pc), ==, 1);
	g_assert_true(pc_check(ct.pc));
	g_assert_true(trylock_page(p2));
	g_assert_true(clear_page_dirty_for_io(p2));
	unlock_page(p2);
	g_assert_cmpuint(pc_nr_dirty(ct.pc), ==, 0);
	set_page_writeback(p2);
	g_assert_cmpuint(pc_nr_writeback(ct.pc), ==, 1);
	g_assert_true(pc_check(ct.pc));
	page_endio(p2, true, 0);
	g_assert_false(PageWriteback(p2));
	g_assert_cmpuint(pc_nr_writeback(ct.pc), ==, 0);
	put_page(p2);
	g_assert_true(pc_check(ct.pc));
	ct_destroy(&ct);
}

static void test_bad_input(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct page_cache *pc;
	struct pc_params p;
	GError *error = NULL;

	params_init(&p);
	p.nr_pages = 0;
	g_assert_null(pc_new(eng, &p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);

	params_init(&p);
	p.nr_pages = 100;
	p.wmark[WMARK_MIN] = 10;
	p.wmark[WMARK_LOW] = 5;
	p.wmark[WMARK_HIGH] = 20;
	g_assert_null(pc_new(eng, &p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	p.wmark[WMARK_LOW] = 15;
	p.wmark[WMARK_HIGH] = 100;
	g_assert_null(pc_new(eng, &p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);

	/* Derived watermarks for 1 GiB, as the kernel: min_free_kbytes =
	 * sqrt(1048576 * 16) = 4096 KiB = 1024 pages; d = max(256, 262). */
	params_init(&p);
	pc = pc_new(eng, &p, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pc_watermark(pc, WMARK_MIN), ==, 1024);
	g_assert_cmpuint(pc_watermark(pc, WMARK_LOW), ==, 1024 + 262);
	g_assert_cmpuint(pc_watermark(pc, WMARK_HIGH), ==, 1024 + 2 * 262);

	/* Tiny memories: scaled-down derived watermarks, still valid. */
	{
		struct page_cache *tiny;

		params_init(&p);
		p.nr_pages = 64;
		tiny = pc_new(eng, &p, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(pc_watermark(tiny, WMARK_MIN), ==, 4);
		g_assert_cmpuint(pc_watermark(tiny, WMARK_HIGH), ==, 12);
		pc_free(tiny);
	}

	g_assert_null(pc_mapping_new(pc, "huge", PC_MAX_PAGES + 1, 0, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_null(pc_mapping_new(pc, "flags", 10, 0x80, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	pc_free(pc);
}

/* ------------------------------------------------------------------ */
/* A 16 GiB file */

#define BIG_PAGES (UINT64_C(4) << 20)	/* 4 Mi pages: 16 GiB */

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Every page of a 16 GiB file cached: lookups find each one, and the
 * allocator's in-use bytes grow by at most 40 bytes per page (the budget;
 * a struct page is 32 bytes and a chunk's header, its chunk table and
 * directory entries add well under one byte per page).  A second 16 GiB address space with a
 * single page costs one chunk plus its directory, not 16 GiB worth.
 * mallinfo2() does not see allocations under AddressSanitizer, so the
 * memory checks are skipped there.
 */
static void test_big_file(void)
{
	struct ct ct;
	struct pc_params p;
	g_autoptr(GError) error = NULL;
	struct address_space *big, *sparse;
	size_t before, after;

	params_init(&p);
	p.nr_pages = BIG_PAGES + (BIG_PAGES >> 2);
	p.kswapd = false;
	ct_init_params(&ct, &p);
	big = pc_mapping_new(ct.pc, "big", BIG_PAGES, 0, &error);
	g_assert_no_error(error);

	before = heap_in_use();
	for (pgoff_t i = 0; i < BIG_PAGES; i++) {
		struct page *page;

		g_assert_cmpint(add_to_page_cache_lru(NULL, big, i, PC_GFP_NOWAIT, &page), ==, 0);
		unlock_page(page);
		put_page(page);
	}
	after = heap_in_use();
	g_assert_cmpuint(pc_mapping_nrpages(big), ==, BIG_PAGES);
	g_assert_cmpuint(pc_nr_resident(ct.pc), ==, BIG_PAGES);
#ifndef __SANITIZE_ADDRESS__
	{
		double per_page = (double)(after - before) / (double)BIG_PAGES;

		if (g_test_verbose())
			g_test_message("%.2f bytes per cached page", per_page);
		g_assert_cmpfloat(per_page, <=, 40.0);
		g_assert_cmpfloat(per_page, >=, 32.0);
	}
#endif
	for (pgoff_t i = 0; i < BIG_PAGES; i += 4099) {
		struct page *page = find_get_page(big, i);

		g_assert_nonnull(page);
		g_assert_cmpuint(page_index(page), ==, i);
		g_assert_true(page_mapping(page) == big);
		put_page(page);
	}
	g_assert_true(pc_check(ct.pc));

	sparse = pc_mapping_new(ct.pc, "sparse", BIG_PAGES, 0, &error);
	g_assert_no_error(error);
	before = heap_in_use();
	add_page(NULL, sparse, BIG_PAGES - 1);
	after = heap_in_use();
#ifndef __SANITIZE_ADDRESS__
	/* One chunk (~20 KiB) and 8192 directory pointers (64 KiB). */
	g_assert_cmpuint(after - before, <, 100 * 1024);
#endif
	(void)before;
	(void)after;
	ct_destroy(&ct);
}

/* ------------------------------------------------------------------ */
/* kswapd and the watermarks */

struct kswapd_test {
	struct ct ct;
	int woken_at;		/* the allocation that first found free <= low */
};

static void kswapd_alloc_fn(struct sim_task *t, void *arg)
{
	struct kswapd_test *k = arg;
	struct ct *ct = &k->ct;
	uint64_t low = pc_watermark(ct->pc, WMARK_LOW);
	uint64_t high = pc_watermark(ct->pc, WMARK_HIGH);

	for (int i = 0; i < 2000; i++) {
		uint64_t free_before = pc_nr_free(ct->pc);

		add_page(t, ct->file, (pgoff_t)i);
		g_assert_cmpuint(pc_nr_resident(ct->pc), <=, pc_nr_pages(ct->pc));
		if (k->woken_at < 0) {
			if (free_before > low) {
				/* Above low: kswapd not woken yet. */
				g_assert_cmpuint(vmstat(ct, "pageoutrun"), ==, 0);
				g_assert_cmpuint(vmstat(ct, "pgscan_kswapd"), ==, 0);
			} else {
				k->woken_at = i;
				sim_sleep(t, 1 * US);
				/* kswapd ran (free of cost), reclaimed to just
				 * above high, and went back to sleep. */
				g_assert_cmpuint(vmstat(ct, "pageoutrun"), ==, 1);
				g_assert_cmpuint(pc_nr_free(ct->pc), ==, high + 1);
				g_assert_false(pc_kswapd_running(ct->pc));
				continue;
			}
		}
		sim_sleep(t, 1 * US);
		/* From then on kswapd keeps free between low and high + 1. */
		if (k->woken_at >= 0) {
			g_assert_cmpuint(pc_nr_free(ct->pc), >=, low);
			g_assert_cmpuint(pc_nr_free(ct->pc), <=, high + 1);
		}
	}
}

static void test_kswapd_watermarks(void)
{
	struct kswapd_test k = { .woken_at = -1 };

	ct_init(&k.ct, 256, 8, 32, 64, true);
	g_assert_nonnull(pc_kswapd_task(k.ct.pc));
	run_task(&k.ct, kswapd_alloc_fn, &k);
	/* 256 frames, free <= 32 first when 224 are used: the 225th add. */
	g_assert_cmpint(k.woken_at, ==, 256 - 32);
	g_assert_cmpuint(vmstat(&k.ct, "allocstall"), ==, 0);
	g_assert_cmpuint(vmstat(&k.ct, "pgscan_direct"), ==, 0);
	g_assert_cmpuint(vmstat(&k.ct, "pgsteal_kswapd"), ==, 2000 - pc_nr_resident(k.ct.pc));
	g_assert_true(pc_check(k.ct.pc));
	ct_destroy(&k.ct);
}

/* ------------------------------------------------------------------ */
/* Direct reclaim */

static void direct_fn(struct sim_task *t, void *arg)
{
	struct ct *ct = arg;

	for (pgoff_t i = 0; i < 64; i++)
		add_page(t, ct->file, i);
	g_assert_cmpuint(pc_nr_free(ct->pc), ==, 0);
	g_assert_cmpuint(vmstat(ct, "allocstall"), ==, 0);
	/* None free: this allocation reclaims in this task. */
	add_page(t, ct->file, 64);
	g_assert_cmpuint(vmstat(ct, "allocstall"), ==, 1);
	g_assert_cmpuint(vmstat(ct, "pgsteal_direct"), ==, SWAP_CLUSTER_MAX);
	g_assert_cmpuint(vmstat(ct, "pgscan_direct"), ==, SWAP_CLUSTER_MAX);
	g_assert_cmpuint(vmstat(ct, "pgscan_kswapd"), ==, 0);
	g_assert_cmpuint(pc_nr_resident(ct->pc), ==, 64 - SWAP_CLUSTER_MAX + 1);
	/* The oldest pages went first. */
	g_assert_false(pc_page_cached(ct->file, 0));
	g_assert_false(pc_page_cached(ct->file, SWAP_CLUSTER_MAX - 1));
	g_assert_true(pc_page_cached(ct->file, SWAP_CLUSTER_MAX));
	/* Without a task to sleep in, the caller gets -ENOMEM instead. */
	for (pgoff_t i = 100; pc_nr_free(ct->pc) > 0; i++)
		add_page(t, ct->file, i);
	{
		struct page *page;

		g_assert_cmpint(add_to_page_cache_lru(t, ct->file, 1000, PC_GFP_NOWAIT, &page),
				==, -ENOMEM);
	}
	g_assert_cmpuint(vmstat(ct, "allocstall"), ==, 1);
}

static void test_direct_reclaim(void)
{
	struct ct ct;

	ct_init(&ct, 64, 0, 1, 2, false);
	run_task(&ct, direct_fn, &ct);
	g_assert_true(pc_check(ct.pc));
	ct_destroy(&ct);
}

/* ------------------------------------------------------------------ */
/* Locked pages are skipped */

static void locked_fn(struct sim_task *t, void *arg)
{
	struct ct *ct = arg;
	struct page *oldest, *second;

	for (pgoff_t i = 0; i < 64; i++)
		add_page(t, ct->file, i);
	oldest = find_get_page(ct->file, 0);
	second = find_get_page(ct->file, 1);
	put_page(oldest);
	put_page(second);
	/* Lock them without holding a reference: only the lock stops
	 * reclaim from freeing them. */
	g_assert_true(trylock_page(oldest));
	g_assert_true(trylock_page(second));
	g_assert_cmpuint(pc_try_to_free_pages(ct->pc, t, 8), ==, 8);
	g_assert_true(pc_page_cached(ct->file, 0));
	g_assert_true(pc_page_cached(ct->file, 1));
	for (pgoff_t i = 2; i < 10; i++)
		g_assert_false(pc_page_cached(ct->file, i));
	g_assert_true(pc_page_cached(ct->file, 10));
	/* Kept: back at the inactive head, still locked, not activated. */
	g_assert_true(PageLRU(oldest) && !PageActive(oldest) && PageLocked(oldest));
	g_assert_cmpuint(vmstat(ct, "pgscan_direct"), ==, 10);
	unlock_page(oldest);
	unlock_page(second);
}

static void test_locked_skipped(void)
{
	struct ct ct;

	ct_init(&ct, 64, 0, 1, 2, false);
	run_task(&ct, locked_fn, &ct);
	g_assert_true(pc_check(ct.pc));
	ct_destroy(&ct);
}

/* ------------------------------------------------------------------ */
/* Dirty pages are written back before they are freed */

struct wb_test {
	struct ct ct;
	GHashTable *written;		/* index -> write count */
	unsigned int nr_writes;
	sim_time_t latency;
};

static void write_done(struct sim_engine *eng, void *data)
{
	page_endio(data, true, 0);
}

static void wb_writepage(struct sim_task *t, struct address_space *mapping,
			 struct page *page, void *data)
{
	struct wb_test *w = data;
	gpointer key = GSIZE_TO_POINTER(page_index(page) + 1);

	g_assert_true(PageWriteback(page));
	g_assert_false(PageDirty(page) || PageLocked(page));
	g_hash_table_insert(w->written, key,
			    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(w->written, key)) + 1));
	w->nr_writes++;
	sim_schedule(w->ct.eng, w->latency, write_done, page);
}

static const struct pc_backing_ops wb_ops = { .writepage = wb_writepage };

/* pgfree counts pages freed: check each freed page was written first. */
static void wb_fn(struct sim_task *t, void *arg)
{
	struct wb_test *w = arg;
	struct ct *ct = &w->ct;

	for (pgoff_t i = 0; i < 64; i++)
		set_page_dirty(add_page(t, ct->file, i));
	/* Every page is dirty: a full scan starts their writes and frees
	 * nothing. */
	g_assert_cmpuint(pc_try_to_free_pages(ct->pc, t, 4), ==, 0);
	g_assert_cmpuint(w->nr_writes, ==, 64);
	g_assert_cmpuint(pc_nr_writeback(ct->pc), ==, 64);
	g_assert_cmpuint(pc_nr_resident(ct->pc), ==, 64);
	g_assert_cmpuint(vmstat(ct, "nr_vmscan_write"), ==, 64);

	/* The writes complete and rotate the pages to the inactive tail;
	 * now they go. */
	sim_sleep(t, 2 * w->latency);
	g_assert_cmpuint(pc_nr_writeback(ct->pc), ==, 0);
	g_assert_cmpuint(vmstat(ct, "pgrotated"), ==, 64);
	g_assert_cmpuint(pc_try_to_free_pages(ct->pc, t, 4), ==, 4);
	for (pgoff_t i = 0; i < 64; i++) {
		gpointer key = GSIZE_TO_POINTER(i + 1);

		if (!pc_page_cached(ct->file, i))
			g_assert_cmpuint(GPOINTER_TO_SIZE(g_hash_table_lookup(w->written, key)), ==, 1);
	}
	g_assert_cmpuint(w->nr_writes, ==, 64);

	/* An allocation with memory full of dirty pages: direct reclaim
	 * starts their writes, waits for them, then frees. */
	for (pgoff_t i = 64; pc_nr_free(ct->pc) > 0; i++)
		set_page_dirty(add_page(t, ct->file, i));
	for (pgoff_t i = 0; i < 1000; i++) {
		struct page *page = find_get_page(ct->file, i);

		if (page) {
			set_page_dirty(page);
			put_page(page);
		}
	}
	{
		sim_time_t start = sim_now(ct->eng);
		uint64_t stalls = vmstat(ct, "allocstall");

		add_page(t, ct->file, 500);
		g_assert_cmpint(sim_now(ct->eng) - start, >=, w->latency);
		g_assert_cmpuint(vmstat(ct, "allocstall"), >, stalls);
	}
}

static void test_dirty_writeback(void)
{
	struct wb_test w = { .latency = 1 * MS };

	ct_init(&w.ct, 64, 0, 1, 2, false);
	w.written = g_hash_table_new(NULL, NULL);
	pc_mapping_set_backing(w.ct.file, &wb_ops, &w);
	run_task(&w.ct, wb_fn, &w);
	g_assert_true(pc_check(w.ct.pc));
	g_hash_table_destroy(w.written);
	ct_destroy(&w.ct);
}

/* A write that completes at once (a RAM disk): reclaim frees the page in
 * the same pass, having written it first. */
static void sync_writepage(struct sim_task *t, struct address_space *mapping,
			   struct page *page, void *data)
{
	unsigned int *writes = data;

	(*writes)++;
	page_endio(page, true, 0);
}

static const struct pc_backing_ops sync_ops = { .writepage = sync_writepage };

static void sync_wb_fn(struct sim_task *t, void *arg)
{
	struct ct *ct = arg;

	for (pgoff_t i = 0; i < 64; i++)
		set_page_dirty(add_page(t, ct->file, i));
	g_assert_cmpuint(pc_try_to_free_pages(ct->pc, t, 8), ==, 8);
	g_assert_cmpuint(vmstat(ct, "nr_vmscan_write"), ==, 8);
	g_assert_cmpuint(vmstat(ct, "pgscan_direct"), ==, 8);
	g_assert_cmpuint(vmstat(ct, "pgrotated"), ==, 0);
	g_assert_cmpuint(pc_nr_writeback(ct->pc), ==, 0);
	for (pgoff_t i = 0; i < 8; i++)
		g_assert_false(pc_page_cached(ct->file, i));
}

static void test_dirty_sync_write(void)
{
	struct ct ct;
	unsigned int writes = 0;

	ct_init(&ct, 64, 0, 1, 2, false);
	pc_mapping_set_backing(ct.file, &sync_ops, &writes);
	run_task(&ct, sync_wb_fn, &ct);
	g_assert_cmpuint(writes, ==, 8);
	g_assert_true(pc_check(ct.pc));
	ct_destroy(&ct);
}

/* ------------------------------------------------------------------ */
/* Mapped pages: unmapped through the rmap callback; second chances */

struct rmap_test {
	struct ct ct;
	unsigned int unmaps;
	bool refuse;		/* unmap leaves the ptes */
	int young;		/* what ->referenced reports */
};

static unsigned long test_unmap(struct page *page, void *data)
{
	struct rmap_test *r = data;
	unsigned long n = 0;

	g_assert_true(PageLocked(page));
	r->unmaps++;
	if (r->refuse)
		return 0;
	while (page_mapped(page)) {
		page_remove_rmap(page);
		put_page(page);
		n++;
	}
	return n;
}

static int test_referenced(struct page *page, void *data)
{
	struct rmap_test *r = data;

	return r->young;
}

static const struct pc_rmap_ops test_rmap_ops = {
	.unmap = test_unmap,
	.referenced = test_referenced,
};

static void map_page(struct page *page)
{
	get_page(page);
	page_add_rmap(page);
}

static void rmap_init(struct rmap_test *r)
{
	ct_init(&r->ct, 64, 0, 1, 2, false);
	pc_mapping_set_rmap(r->ct.file, &test_rmap_ops, r);
	for (pgoff_t i = 0; i < 64; i++)
		add_page(NULL, r->ct.file, i);
}

static void rmap_unmap_fn(struct sim_task *t, void *arg)
{
	struct rmap_test *r = arg;
	struct page *page = find_get_page(r->ct.file, 0);

	map_page(page);
	map_page(page);
	put_page(page);
	g_assert_cmpint(page_count(page), ==, 3);
	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, 1), ==, 1);
	g_assert_cmpuint(r->unmaps, ==, 1);
	g_assert_false(pc_page_cached(r->ct.file, 0));

	/* An unmap that fails: the page is activated, not freed. */
	r->refuse = true;
	page = find_get_page(r->ct.file, 1);
	map_page(page);
	put_page(page);
	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, 1), ==, 1);
	g_assert_cmpuint(r->unmaps, ==, 2);
	g_assert_true(pc_page_cached(r->ct.file, 1));
	g_assert_true(PageActive(page) && page_mapped(page));
	g_assert_false(pc_page_cached(r->ct.file, 2));
}

static void test_rmap_unmap(void)
{
	struct rmap_test r = { 0 };

	rmap_init(&r);
	run_task(&r.ct, rmap_unmap_fn, &r);
	g_assert_true(pc_check(r.ct.pc));
	ct_destroy(&r.ct);
}

/* A page accessed twice is active and survives a reclaim that frees the
 * 32 oldest inactive pages; the same run without the accesses frees it
 * first.  A page accessed once only is reclaimed (use-once, as the
 * kernel's page_check_references() for an unmapped file page). */
static void second_chance_fn(struct sim_task *t, void *arg)
{
	struct rmap_test *r = arg;
	struct page *page = find_get_page(r->ct.file, 0);
	struct page *once = find_get_page(r->ct.file, 1);

	mark_page_accessed(page);
	mark_page_accessed(page);
	mark_page_accessed(once);
	put_page(page);
	put_page(once);
	g_assert_true(PageActive(page));
	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, SWAP_CLUSTER_MAX), ==, SWAP_CLUSTER_MAX);
	g_assert_true(pc_page_cached(r->ct.file, 0));
	g_assert_false(pc_page_cached(r->ct.file, 1));
	g_assert_false(pc_page_cached(r->ct.file, SWAP_CLUSTER_MAX));
	g_assert_true(pc_page_cached(r->ct.file, SWAP_CLUSTER_MAX + 1));
}

static void control_fn(struct sim_task *t, void *arg)
{
	struct rmap_test *r = arg;

	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, SWAP_CLUSTER_MAX), ==, SWAP_CLUSTER_MAX);
	g_assert_false(pc_page_cached(r->ct.file, 0));
	g_assert_true(pc_page_cached(r->ct.file, SWAP_CLUSTER_MAX));
}

static void test_second_chance_accessed(void)
{
	struct rmap_test r = { 0 };

	rmap_init(&r);
	run_task(&r.ct, second_chance_fn, &r);
	g_assert_true(pc_check(r.ct.pc));
	ct_destroy(&r.ct);

	memset(&r, 0, sizeof(r));
	rmap_init(&r);
	run_task(&r.ct, control_fn, &r);
	ct_destroy(&r.ct);
}

/*
 * A mapped page whose pte is young: the first scan keeps it (rotated to
 * the inactive head, PG_referenced set), the next activates it; it is not
 * unmapped meanwhile.  Once its pte is old it is deactivated, unmapped and
 * freed.  To bring it back to the tail while other pages stay, those are
 * locked (reclaim skips them).
 */
static void young_fn(struct sim_task *t, void *arg)
{
	struct rmap_test *r = arg;
	struct page *page = find_get_page(r->ct.file, 0);
	uint64_t activations;

	map_page(page);
	put_page(page);
	r->young = 1;
	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, 1), ==, 1);
	g_assert_true(pc_page_cached(r->ct.file, 0));
	g_assert_false(pc_page_cached(r->ct.file, 1));
	g_assert_true(PageReferenced(page) && !PageActive(page));
	activations = vmstat(&r->ct, "pgactivate");

	for (pgoff_t i = 2; i < 64; i++)
		g_assert_true(trylock_page(find_get_page(r->ct.file, i)));
	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, 1), ==, 0);
	g_assert_true(PageActive(page) && PageLRU(page));
	g_assert_cmpuint(vmstat(&r->ct, "pgactivate"), ==, activations + 1);
	g_assert_cmpuint(r->unmaps, ==, 0);
	for (pgoff_t i = 2; i < 64; i++) {
		struct page *other = find_get_page(r->ct.file, i);

		unlock_page(other);
		put_page(other);	/* this lookup's */
		put_page(other);	/* the locking loop's */
	}

	/* Old now.  The other 62 go first; with the inactive list empty the
	 * page is deactivated, and the next scan unmaps and frees it. */
	r->young = 0;
	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, 62), ==, 62);
	g_assert_false(PageActive(page));
	g_assert_cmpuint(vmstat(&r->ct, "pgdeactivate"), >=, 1);
	g_assert_cmpuint(r->unmaps, ==, 0);
	g_assert_cmpuint(pc_try_to_free_pages(r->ct.pc, t, 1), ==, 1);
	g_assert_cmpuint(r->unmaps, ==, 1);
	g_assert_cmpuint(pc_nr_resident(r->ct.pc), ==, 0);
}

static void test_second_chance_young(void)
{
	struct rmap_test r = { 0 };

	rmap_init(&r);
	run_task(&r.ct, young_fn, &r);
	g_assert_true(pc_check(r.ct.pc));
	ct_destroy(&r.ct);
}

/* ------------------------------------------------------------------ */
/* Random stress */

#define STRESS_TASKS	8
#define STRESS_OPS	10000
#define STRESS_SPACE	600

struct stress {
	struct ct ct;
	struct address_space *anon;
	unsigned int done;
	uint64_t max_resident;
};

static void stress_write_done(struct sim_engine *eng, void *data)
{
	page_endio(data, true, 0);
}

static void stress_writepage(struct sim_task *t, struct address_space *mapping,
			     struct page *page, void *data)
{
	struct stress *s = data;
	gsl_rng *r = sim_rng(s->ct.eng, "stress-disk");

	sim_schedule(s->ct.eng, (sim_time_t)gsl_rng_uniform_int(r, 200) * US,
		     stress_write_done, page);
}

static const struct pc_backing_ops stress_backing = { .writepage = stress_writepage };

static unsigned long stress_unmap(struct page *page, void *data)
{
	unsigned long n = 0;

	while (page_mapped(page)) {
		page_remove_rmap(page);
		put_page(page);
		n++;
	}
	return n;
}

static int stress_referenced(struct page *page, void *data)
{
	struct stress *s = data;

	return gsl_rng_uniform_int(sim_rng(s->ct.eng, "stress-young"), 4) == 0;
}

static const struct pc_rmap_ops stress_rmap = {
	.unmap = stress_unmap,
	.referenced = stress_referenced,
};

static void stress_check(struct stress *s)
{
	g_assert_cmpuint(pc_nr_resident(s->ct.pc), <=, pc_nr_pages(s->ct.pc));
	s->max_resident = MAX(s->max_resident, pc_nr_resident(s->ct.pc));
}

static void stress_fn(struct sim_task *t, void *arg)
{
	struct stress *s = arg;
	gsl_rng *r = sim_rng(s->ct.eng, sim_task_name(t));

	for (int op = 0; op < STRESS_OPS; op++) {
		struct address_space *m = gsl_rng_uniform_int(r, 3) ? s->ct.file : s->anon;
		pgoff_t index = gsl_rng_uniform_int(r, STRESS_SPACE);
		struct page *page = find_get_page(m, index);

		if (!page) {
			int err = add_to_page_cache_lru(t, m, index, PC_GFP_KERNEL, &page);

			stress_check(s);
			if (err) {
				/* Added while we slept, or a truncated page
				 * another task still holds. */
				g_assert_true(err == -EEXIST || err == -EBUSY);
				continue;
			}
			sim_sleep(t, (sim_time_t)gsl_rng_uniform_int(r, 50) * US);
			page_endio(page, false, 0);
		}
		switch (gsl_rng_uniform_int(r, 7)) {
		case 0:		/* read it */
			mark_page_accessed(page);
			break;
		case 1:		/* write it */
			lock_page(t, page);
			if (page->mapping) {
				set_page_dirty(page);
				mark_page_accessed(page);
			}
			sim_sleep(t, (sim_time_t)gsl_rng_uniform_int(r, 20) * US);
			unlock_page(page);
			break;
		case 2:		/* map it */
			lock_page(t, page);
			if (page->mapping)
				map_page(page);
			unlock_page(page);
			break;
		case 3:		/* unmap it */
			lock_page(t, page);
			if (page_mapped(page)) {
				page_remove_rmap(page);
				put_page(page);
			}
			unlock_page(page);
			break;
		case 4:		/* truncate it */
			lock_page(t, page);
			if (page->mapping && !page_mapped(page)) {
				wait_on_page_writeback(t, page);
				if (page->mapping && !PageWriteback(page))
					delete_from_page_cache(page);
			}
			sim_sleep(t, (sim_time_t)gsl_rng_uniform_int(r, 20) * US);
			unlock_page(page);
			break;
		case 5:		/* wait for it */
			wait_on_page_locked(t, page);
			wait_on_page_writeback(t, page);
			break;
		default:	/* hold it a while */
			sim_sleep(t, (sim_time_t)gsl_rng_uniform_int(r, 100) * US);
			break;
		}
		put_page(page);
		stress_check(s);
		if (op % 500 == 0)
			pc_check(s->ct.pc);
		sim_sleep(t, (sim_time_t)gsl_rng_uniform_int(r, 30) * US);
	}
	s->done++;
}

/*
 * Eight tasks do 10000 random operations each on 600-page ranges of a file
 * and of a swap-backed space (up to 1200 pages) with only 256 page
 * frames: reads, writes (dirty pages written back by a disk with random
 * latency), maps and unmaps, truncations, waits.  kswapd and direct
 * reclaim both run, each page scanned costs 20 us of the reclaimer's time
 * (so that kswapd falls behind and tasks reclaim directly too),
 * and pc_check() runs after every reclaim pass (the engine's checks) and every
 * 500 operations.  Asserts the memory limit after every operation, that
 * every task finishes, and that kswapd, direct reclaim and writeback all
 * happened.  Once per page lock policy.
 */
static void test_stress(gconstpointer policy)
{
	struct stress s = { 0 };
	struct pc_params p;
	g_autoptr(GError) error = NULL;

	params_init_policy(&p, policy);
	p.nr_pages = 256;
	p.wmark[WMARK_MIN] = 4;
	p.wmark[WMARK_LOW] = 16;
	p.wmark[WMARK_HIGH] = 32;
	p.scan_cost = 20 * US;
	ct_init_params(&s.ct, &p);
	sim_engine_set_checks(s.ct.eng, true);
	s.anon = pc_mapping_new(s.ct.pc, "anon", STRESS_SPACE, AS_SWAPBACKED, &error);
	g_assert_no_error(error);
	pc_mapping_set_backing(s.ct.file, &stress_backing, &s);
	pc_mapping_set_backing(s.anon, &stress_backing, &s);
	pc_mapping_set_rmap(s.ct.file, &stress_rmap, &s);
	pc_mapping_set_rmap(s.anon, &stress_rmap, &s);
	for (int i = 0; i < STRESS_TASKS; i++) {
		g_autofree char *name = g_strdup_printf("stress-%d", i);

		sim_task_spawn(s.ct.eng, name, stress_fn, &s);
	}
	sim_run(s.ct.eng);
	g_assert_cmpuint(s.done, ==, STRESS_TASKS);
	g_assert_true(pc_check(s.ct.pc));
	g_assert_cmpuint(pc_nr_lru(s.ct.pc, LRU_INACTIVE) + pc_nr_lru(s.ct.pc, LRU_ACTIVE), ==,
			 pc_mapping_nrpages(s.ct.file) + pc_mapping_nrpages(s.anon));
	g_assert_cmpuint(s.max_resident, >=, 256 - 16);	/* below low */
	g_assert_cmpuint(vmstat(&s.ct, "pgsteal_kswapd"), >, 0);
	g_assert_cmpuint(vmstat(&s.ct, "pgsteal_direct"), >, 0);
	g_assert_cmpuint(vmstat(&s.ct, "allocstall"), >, 0);
	g_assert_cmpuint(vmstat(&s.ct, "nr_vmscan_write"), >, 0);
	g_assert_cmpuint(vmstat(&s.ct, "pgactivate"), >, 0);
	g_assert_cmpuint(vmstat(&s.ct, "pgdeactivate"), >, 0);
	if (g_test_verbose()) {
		static const char *const names[] = {
			"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
			"pgactivate", "pgdeactivate", "pgrefill", "pgrotated", "allocstall",
			"pageoutrun", "nr_vmscan_write",
		};

		for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
			g_test_message("%s %" G_GUINT64_FORMAT, names[i], vmstat(&s.ct, names[i]));
		g_test_message("simulated %.3f ms", (double)sim_now(s.ct.eng) / 1e6);
	}
	ct_destroy(&s.ct);
}

/*
 * pc_add_folio(): the order asked for, capped at the mapping's largest
 * folio, lowered to the alignment of the index, and lowered again while
 * a page of the range is cached; every page of a folio locked with the
 * caller's reference and the folio's order; a folio that loses a page
 * (truncation) is split into pages.
 */
static void test_folio_alloc(void)
{
	struct ct ct;
	struct page *page;

	ct_init(&ct, 4096, 0, 0, 0, false);
	/* No large folios: one page whatever the order. */
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 0, 8, PC_GFP_NOWAIT, &page), ==, 0);
	g_assert_cmpuint(folio_order(page), ==, 0);
	g_assert_cmpuint(pc_mapping_nrpages(ct.file), ==, 1);
	unlock_page(page);
	put_page(page);

	pc_mapping_set_max_folio(ct.file, 64);
	/* Capped at 64 pages (order 6), at an aligned index. */
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 256, 8, PC_GFP_NOWAIT, &page), ==, 0);
	g_assert_cmpuint(folio_order(page), ==, 6);
	g_assert_cmpuint(pc_mapping_nrpages(ct.file), ==, 1 + 64);
	for (pgoff_t i = 256; i < 256 + 64; i++) {
		struct page *q = pc_page_at(ct.file, i);

		g_assert_nonnull(q);
		g_assert_true(PageLocked(q));
		g_assert_cmpint(page_count(q), ==, 2);
		g_assert_cmpuint(folio_index(q), ==, 256);
		g_assert_cmpuint(folio_nr_pages(q), ==, 64);
		unlock_page(q);
		put_page(q);
	}
	g_assert_null(pc_page_at(ct.file, 256 + 64));
	/* Index 72 = 8 x 9: at most order 3 there. */
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 72, 6, PC_GFP_NOWAIT, &page), ==, 0);
	g_assert_cmpuint(folio_nr_pages(page), ==, 8);
	for (pgoff_t i = 72; i < 80; i++) {
		unlock_page(pc_page_at(ct.file, i));
		put_page(pc_page_at(ct.file, i));
	}
	/* Page 0 is cached: order 4 at 0 cannot be, nor any order > 0;
	 * at 0 only the page itself, which is cached: -EEXIST. */
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 0, 4, PC_GFP_NOWAIT, &page), ==, -EEXIST);
	/* At 16, order 4 (16..31) is free. */
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 16, 4, PC_GFP_NOWAIT, &page), ==, 0);
	g_assert_cmpuint(folio_nr_pages(page), ==, 16);
	for (pgoff_t i = 16; i < 32; i++) {
		unlock_page(pc_page_at(ct.file, i));
		put_page(pc_page_at(ct.file, i));
	}
	/* A page cached at 36: order 3 at 32 (32..39) falls back to order 2
	 * (32..35). */
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 36, 0, PC_GFP_NOWAIT, &page), ==, 0);
	unlock_page(page);
	put_page(page);
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 32, 3, PC_GFP_NOWAIT, &page), ==, 0);
	g_assert_cmpuint(folio_nr_pages(page), ==, 4);
	for (pgoff_t i = 32; i < 36; i++) {
		unlock_page(pc_page_at(ct.file, i));
		put_page(pc_page_at(ct.file, i));
	}

	/* Truncating one page of the 64-page folio splits the rest. */
	page = find_lock_page(NULL, ct.file, 300);
	g_assert_nonnull(page);
	delete_from_page_cache(page);
	unlock_page(page);
	put_page(page);
	g_assert_null(pc_page_at(ct.file, 300));
	for (pgoff_t i = 256; i < 256 + 64; i++)
		if (i != 300)
			g_assert_cmpuint(folio_order(pc_page_at(ct.file, i)), ==, 0);
	/* The 16-page folio is whole. */
	g_assert_cmpuint(folio_nr_pages(pc_page_at(ct.file, 20)), ==, 16);
	ct_destroy(&ct);
}

/* Not enough free frames for the order: the next order down. */
static void test_folio_alloc_nomem(void)
{
	struct ct ct;
	struct page *page;

	ct_init(&ct, 64, 0, 0, 0, false);
	pc_mapping_set_max_folio(ct.file, 512);
	g_assert_cmpint(pc_add_folio(NULL, ct.file, 0, 9, PC_GFP_NOWAIT, &page), ==, 0);
	g_assert_cmpuint(folio_nr_pages(page), ==, 32);	/* 64 frames: not 512, nor 64 (min 0 free) */
	for (pgoff_t i = 0; i < 32; i++) {
		unlock_page(pc_page_at(ct.file, i));
		put_page(pc_page_at(ct.file, i));
	}
	g_assert_cmpuint(pc_nr_resident(ct.pc), ==, 32);
	ct_destroy(&ct);
}

/* The cache a dd of 1 MiB writes leaves on a filesystem with 2 MiB
 * folios: 1 MiB folios, then, for the last, shorter write, the largest
 * power of two of what is left, each aligned. */
static void test_folio_prefill_written(void)
{
	g_autoptr(GError) error = NULL;
	static const pgoff_t want[][2] = {
		{ 0, 256 }, { 256, 256 }, { 512, 256 }, { 768, 128 }, { 896, 64 },
		{ 960, 32 }, { 992, 8 },
	};
	struct address_space *file;
	struct ct ct;

	ct_init(&ct, 4096, 0, 0, 0, false);
	file = pc_mapping_new(ct.pc, "written", 1000, 0, &error);
	g_assert_no_error(error);
	pc_mapping_set_max_folio(file, 512);
	g_assert_cmpint(filemap_prefill_written(file, 1 << 20), ==, 0);
	g_assert_cmpuint(pc_mapping_nrpages(file), ==, 1000);
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		struct page *page = pc_page_at(file, want[i][0]);

		g_assert_cmpuint(folio_index(page), ==, want[i][0]);
		g_assert_cmpuint(folio_nr_pages(page), ==, want[i][1]);
		g_assert_true(PageUptodate(page) && !PageLocked(page) && !PageDirty(page));
		g_assert_cmpint(page_count(page), ==, 1);
	}
	/* Without large folios: pages. */
	file = pc_mapping_new(ct.pc, "small", 1000, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpint(filemap_prefill_written(file, 1 << 20), ==, 0);
	g_assert_cmpuint(pc_mapping_nrpages(file), ==, 1000);
	for (pgoff_t i = 0; i < 1000; i++)
		g_assert_cmpuint(folio_order(pc_page_at(file, i)), ==, 0);
	/* No room: -ENOMEM (4096 frames, 2000 in use). */
	file = pc_mapping_new(ct.pc, "big", 4096, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpint(filemap_prefill_written(file, 1 << 20), ==, -ENOMEM);
	ct_destroy(&ct);
}

/*
 * Reclaim of a large folio as one: the page reclaim picks from the
 * inactive tail goes with the folio's other pages when they are all
 * idle, clean, unmapped and inactive (16 pages freed for one scanned);
 * a folio one of whose pages is dirty is split, and its pages go one by
 * one (the dirty one is kept: no writepage here).
 */
static void folio_reclaim_fn(struct sim_task *t, void *arg)
{
	struct ct *ct = arg;
	struct page *page;

	pc_mapping_set_max_folio(ct->file, 16);
	/* Folio A [0, 16), then folio B [16, 32), B's page 20 dirty. */
	for (pgoff_t first = 0; first < 32; first += 16) {
		g_assert_cmpint(pc_add_folio(t, ct->file, first, 4, PC_GFP_KERNEL, &page), ==, 0);
		for (pgoff_t i = first; i < first + 16; i++) {
			struct page *q = pc_page_at(ct->file, i);

			SetPageUptodate(q);
			unlock_page(q);
			put_page(q);
		}
	}
	set_page_dirty(pc_page_at(ct->file, 20));
	/* The inactive tail is page 0: one page asked for, folio A goes. */
	g_assert_cmpuint(pc_try_to_free_pages(ct->pc, t, 1), ==, 16);
	for (pgoff_t i = 0; i < 16; i++)
		g_assert_false(pc_page_cached(ct->file, i));
	g_assert_cmpuint(pc_nr_resident(ct->pc), ==, 16);
	g_assert_cmpuint(vmstat(ct, "pgscan_direct"), ==, 1);
	g_assert_cmpuint(vmstat(ct, "pgsteal_direct"), ==, 16);
	/* Folio B: page 16 goes alone, the rest become pages. */
	g_assert_cmpuint(pc_try_to_free_pages(ct->pc, t, 1), ==, 1);
	g_assert_false(pc_page_cached(ct->file, 16));
	for (pgoff_t i = 17; i < 32; i++)
		g_assert_cmpuint(folio_order(pc_page_at(ct->file, i)), ==, 0);
	g_assert_true(PageDirty(pc_page_at(ct->file, 20)));
}

static void test_folio_reclaim(void)
{
	struct ct ct;

	ct_init(&ct, 4096, 0, 0, 0, false);
	run_task(&ct, folio_reclaim_fn, &ct);
	ct_destroy(&ct);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/pagecache/insert-lookup-delete", test_insert_lookup_delete);
	g_test_add_func("/sim/pagecache/folio-alloc", test_folio_alloc);
	g_test_add_func("/sim/pagecache/folio-alloc-nomem", test_folio_alloc_nomem);
	g_test_add_func("/sim/pagecache/folio-prefill-written", test_folio_prefill_written);
	g_test_add_func("/sim/pagecache/folio-reclaim", test_folio_reclaim);
	g_test_add_func("/sim/pagecache/flags", test_flags);
	g_test_add_func("/sim/pagecache/bad-input", test_bad_input);
	g_test_add_func("/sim/pagecache/big-file", test_big_file);
	g_test_add_func("/sim/pagecache/reclaim/kswapd-watermarks", test_kswapd_watermarks);
	g_test_add_func("/sim/pagecache/reclaim/direct", test_direct_reclaim);
	g_test_add_func("/sim/pagecache/reclaim/locked-skipped", test_locked_skipped);
	g_test_add_func("/sim/pagecache/reclaim/dirty-writeback", test_dirty_writeback);
	g_test_add_func("/sim/pagecache/reclaim/dirty-sync-write", test_dirty_sync_write);
	g_test_add_func("/sim/pagecache/reclaim/rmap-unmap", test_rmap_unmap);
	g_test_add_func("/sim/pagecache/reclaim/second-chance-accessed", test_second_chance_accessed);
	g_test_add_func("/sim/pagecache/reclaim/second-chance-young", test_second_chance_young);
	g_test_add_data_func("/sim/pagecache/reclaim/stress/steal", "steal", test_stress);
	g_test_add_data_func("/sim/pagecache/reclaim/stress/fair", "fair", test_stress);
	g_test_add_data_func("/sim/pagecache/reclaim/stress/bounded-steal", "bounded-steal",
			     test_stress);
	return g_test_run();
}
