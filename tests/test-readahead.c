/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readahead tests: the initial window for each request size, the window
 * ramp of a sequential scan with its PG_readahead markers and async
 * readahead, one disk request per window (the file backing's plug), the
 * end of the file, a random scan that never grows a window, and
 * determinism.
 */
#include "config.h"

#include <errno.h>
#include <gsl/gsl_rng.h>

#include "policies/builtin.h"
#include "sim/kernel/disk.h"
#include "sim/core/engine.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/readahead.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"

struct window {
	pgoff_t at;			/* the access that moved the window */
	pgoff_t start;
	unsigned int size, async_size;
};

struct rt {
	struct sim_engine *eng;
	struct page_cache *pc;
	struct sim_disk *disk;
	struct address_space *file;
	struct file_backing *fb;
	struct file_ra_state ra;
	struct window seen[64];		/* the windows a scan went through */
	unsigned int nr_seen;
	bool done;
};

static void rt_init(struct rt *rt, uint64_t seed, pgoff_t file_pages)
{
	g_autoptr(GError) error = NULL;
	struct sim_disk_params dp;
	struct pc_params p;

	*rt = (struct rt){ 0 };
	rt->eng = sim_engine_new(seed);
	pc_params_init(&p);
	p.page_lock_ops = &fs_page_lock_bounded_steal;
	p.nr_pages = 16384;
	sim_engine_set_checks(rt->eng, true);
	rt->pc = pc_new(rt->eng, &p, &error);
	g_assert_no_error(error);
	g_assert_true(sim_disk_params_init(&dp, "ssd", &error));
	rt->disk = sim_disk_new(rt->eng, &dp, &error);
	g_assert_no_error(error);
	rt->file = pc_mapping_new(rt->pc, "data", file_pages, 0, &error);
	g_assert_no_error(error);
	/* The file at 1 GiB into the disk. */
	rt->fb = file_backing_new(rt->file, rt->disk, UINT64_C(1) << 30);
	file_ra_state_init(&rt->ra, VM_READAHEAD_PAGES);
	rt->done = false;
}

static void rt_destroy(struct rt *rt)
{
	g_assert_cmpuint(file_backing_nr_inflight(rt->fb), ==, 0);
	file_backing_free(rt->fb);
	pc_check(rt->pc);
	pc_free(rt->pc);
	sim_disk_free(rt->disk);
	sim_engine_free(rt->eng);
}

static uint64_t counter(struct rt *rt, const char *module, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(rt->eng), module, name);
}

static void rt_run(struct rt *rt, sim_task_fn *fn)
{
	sim_task_spawn(rt->eng, "reader", fn, rt);
	sim_run(rt->eng);
	g_assert_true(rt->done);
}

/* ------------------------------------------------------------------ */

struct init_case {
	unsigned long req;
	unsigned int size, async_size;
};

/*
 * The first window at index 0 for a request of @req pages, limit 32, from
 * get_init_ra_size() and ondemand_readahead():
 *	req 1:  roundup 1 <= 32/32  -> 4x = 4, async 4 - 1 = 3
 *	req 2:  2 <= 8              -> 2x = 4, async 2
 *	req 3:  roundup 4 <= 8      -> 2x = 8, async 5
 *	req 8:  8 <= 8              -> 2x = 16, async 8
 *	req 16: 16 > 8              -> max 32, async 16
 *	req 32: max 32, async = size (size > req fails); the read starts at
 *	        its own marker, so the next window (32) is merged in, which
 *	        overflows the limit: size 32, async 16
 *	req 64: oversize, same as 32 (the window never exceeds the limit)
 */
static const struct init_case init_cases[] = {
	{ 1, 4, 3 }, { 2, 4, 2 }, { 3, 8, 5 }, { 8, 16, 8 },
	{ 16, 32, 16 }, { 32, 32, 16 }, { 64, 32, 16 },
};

static void test_initial_window(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(init_cases); i++) {
		const struct init_case *c = &init_cases[i];
		struct rt rt;
		unsigned long added;

		rt_init(&rt, 1, 1024);
		added = page_cache_sync_readahead(NULL, rt.file, &rt.ra, 0, c->req);
		g_assert_cmpuint(rt.ra.start, ==, 0);
		g_assert_cmpuint(rt.ra.size, ==, c->size);
		g_assert_cmpuint(rt.ra.async_size, ==, c->async_size);
		g_assert_cmpuint(added, ==, c->size);
		/* The marker sits at size - async_size, and only there. */
		for (pgoff_t idx = 0; idx < c->size; idx++) {
			struct page *page = find_get_page(rt.file, idx);

			g_assert_nonnull(page);
			g_assert_true(PageLocked(page));
			g_assert_cmpint(PageReadahead(page), ==, idx == c->size - c->async_size);
			put_page(page);
		}
		g_assert_false(pc_page_cached(rt.file, c->size));
		/* One plugged batch: one request once the instant ends. */
		sim_run(rt.eng);
		g_assert_cmpuint(counter(&rt, "filemap", "readRequests"), ==, 1);
		g_assert_cmpuint(counter(&rt, "disk", "bytesRead"), ==,
				 (uint64_t)c->size * PAGE_SIZE);
		rt_destroy(&rt);
	}
}

/* ------------------------------------------------------------------ */

#define SEQ_FILE_PAGES	256

static void sequential_reader(struct sim_task *t, void *arg)
{
	struct rt *rt = arg;
	struct file_ra_state last = rt->ra;

	for (pgoff_t idx = 0; idx < SEQ_FILE_PAGES; idx++) {
		struct page *page;
		int err;

		page = filemap_read_page(t, rt->file, &rt->ra, idx, 1, &err);
		g_assert_nonnull(page);
		g_assert_cmpint(err, ==, 0);
		g_assert_true(PageUptodate(page));
		g_assert_cmpuint(page->index, ==, idx);
		put_page(page);
		if (rt->ra.start != last.start || rt->ra.size != last.size ||
		    rt->ra.async_size != last.async_size) {
			g_assert_cmpuint(rt->nr_seen, <, G_N_ELEMENTS(rt->seen));
			rt->seen[rt->nr_seen++] = (struct window){
				idx, rt->ra.start, rt->ra.size, rt->ra.async_size };
		}
		last = rt->ra;
		/* Some think time, so that readahead runs ahead. */
		sim_sleep(t, 20 * NSEC_PER_USEC);
	}
	rt->done = true;
}

/*
 * A one-page-at-a-time scan of a 256-page file, limit 32 pages.  From
 * ondemand_readahead() with req_size 1:
 *	idx 0:   start of file, initial window: start 0, size 4, async 3;
 *	         the marker goes on page 4 - 3 = 1
 *	idx 1:   the marker (1 == 0 + 4 - 3): start 4, get_next_ra_size(4)
 *	         = 8 (4 is not below 32/16 = 2, but <= 16: 2x), async 8,
 *	         marker on page 4
 *	idx 4:   start 12, size 16, async 16, marker on 12
 *	idx 12:  start 28, size 32 (16 <= 16: 2x), marker on 28
 *	idx 28, 60, 92, ... 220: start +32, size 32 (32 > 16: max)
 * The last window (start 252) is clamped to the 4 pages left; its marker
 * would lie before its start and is not set.  So 11 windows, 1 sync and
 * 10 async readaheads, 256 pages, one disk request each.
 */
static const struct window seq_expected[] = {
	{ 0, 0, 4, 3 },
	{ 1, 4, 8, 8 },
	{ 4, 12, 16, 16 },
	{ 12, 28, 32, 32 },
	{ 28, 60, 32, 32 },
	{ 60, 92, 32, 32 },
	{ 92, 124, 32, 32 },
	{ 124, 156, 32, 32 },
	{ 156, 188, 32, 32 },
	{ 188, 220, 32, 32 },
	{ 220, 252, 32, 32 },
};

static void test_sequential_window(void)
{
	struct rt rt;

	rt_init(&rt, 2, SEQ_FILE_PAGES);
	rt_run(&rt, sequential_reader);

	g_assert_cmpuint(rt.nr_seen, ==, G_N_ELEMENTS(seq_expected));
	for (unsigned int i = 0; i < rt.nr_seen; i++) {
		const struct window *e = &seq_expected[i], *s = &rt.seen[i];

		g_assert_cmpuint(s->at, ==, e->at);
		g_assert_cmpuint(s->start, ==, e->start);
		g_assert_cmpuint(s->size, ==, e->size);
		g_assert_cmpuint(s->async_size, ==, e->async_size);
		/* Every later window was started at the previous marker. */
		if (i > 0) {
			const struct window *p = &rt.seen[i - 1];

			g_assert_cmpuint(s->at, ==, p->start + p->size - p->async_size);
		}
	}
	g_assert_cmpuint(counter(&rt, "readahead", "sync"), ==, 1);
	g_assert_cmpuint(counter(&rt, "readahead", "async"), ==, 10);
	g_assert_cmpuint(counter(&rt, "readahead", "pages"), ==, SEQ_FILE_PAGES);
	/* One disk request per window: the plug gathered each batch. */
	g_assert_cmpuint(counter(&rt, "filemap", "readRequests"), ==, 11);
	g_assert_cmpuint(counter(&rt, "filemap", "readPages"), ==, SEQ_FILE_PAGES);
	g_assert_cmpuint(counter(&rt, "disk", "reads"), ==, 11);
	g_assert_cmpuint(counter(&rt, "disk", "bytesRead"), ==,
			 (uint64_t)SEQ_FILE_PAGES * PAGE_SIZE);
	/* Every marker set was met and consumed. */
	for (pgoff_t idx = 0; idx < SEQ_FILE_PAGES; idx++) {
		struct page *page = find_get_page(rt.file, idx);

		g_assert_nonnull(page);
		g_assert_false(PageReadahead(page));
		put_page(page);
	}
	rt_destroy(&rt);
}

/*
 * The same scan on a mapping with large folios (page_cache_ra_order()):
 * each folio is aligned to its index and at most ilog2(window) (32 pages);
 * the order grows by two a readahead (4 pages at the sync readahead, then
 * 16, then 32 asked for), but the windows after the first ones start at
 * 28 + 32k, so the largest aligned folio in them is 16 pages: 28 +4, 32
 * +16, 48 +8, 56 +4 each.  Every marker, set on a whole folio, is met and
 * cleared on all its pages.
 */
static void test_sequential_folios(void)
{
	struct rt rt;
	unsigned int max_order = 0;

	rt_init(&rt, 2, SEQ_FILE_PAGES);
	pc_mapping_set_max_folio(rt.file, 512);
	rt_run(&rt, sequential_reader);
	g_assert_cmpuint(counter(&rt, "readahead", "pages"), ==, SEQ_FILE_PAGES);
	for (pgoff_t idx = 0; idx < SEQ_FILE_PAGES; ) {
		struct page *page = find_get_page(rt.file, idx);
		pgoff_t n;

		g_assert_nonnull(page);
		n = folio_nr_pages(page);
		if (g_test_verbose())
			g_printerr("folio %" G_GUINT64_FORMAT " +%" G_GUINT64_FORMAT "\n", idx, n);
		g_assert_cmpuint(folio_index(page), ==, idx);
		g_assert_cmpuint(n, <=, 32);
		max_order = MAX(max_order, folio_order(page));
		for (pgoff_t i = idx; i < idx + n; i++) {
			struct page *q = find_get_page(rt.file, i);

			g_assert_true(PageUptodate(q));
			g_assert_false(PageReadahead(q));
			g_assert_cmpuint(folio_nr_pages(q), ==, n);
			put_page(q);
		}
		put_page(page);
		idx += n;
	}
	g_assert_cmpuint(max_order, ==, 4);
	if (g_test_verbose())
		for (unsigned int i = 0; i < rt.nr_seen; i++)
			g_printerr("window at %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT " +%u async %u\n",
				   rt.seen[i].at, rt.seen[i].start, rt.seen[i].size,
				   rt.seen[i].async_size);
	rt_destroy(&rt);
}

/* ------------------------------------------------------------------ */

#define RAND_FILE_PAGES	8192
#define RAND_READS	400

static void random_reader(struct sim_task *t, void *arg)
{
	struct rt *rt = arg;
	gsl_rng *rng = sim_rng(rt->eng, "reader");
	uint64_t misses = 0;

	for (int i = 0; i < RAND_READS; i++) {
		/* Multiples of 4 from 4 on: never the first page, never next
		 * to a page read before, so neither the sequential test nor
		 * the context readahead can fire. */
		pgoff_t idx = 4 * (1 + gsl_rng_uniform_int(rng, RAND_FILE_PAGES / 4 - 1));
		bool cached = pc_page_cached(rt->file, idx);
		uint64_t before = counter(rt, "readahead", "pages");
		struct page *page;

		page = filemap_read_page(t, rt->file, &rt->ra, idx, 1, NULL);
		g_assert_nonnull(page);
		put_page(page);
		misses += !cached;
		/* A miss reads exactly its page; a hit reads nothing. */
		g_assert_cmpuint(counter(rt, "readahead", "pages") - before, ==, cached ? 0 : 1);
		/* And the window never opens. */
		g_assert_cmpuint(rt->ra.size, ==, 0);
		g_assert_cmpuint(rt->ra.async_size, ==, 0);
		sim_sleep(t, 10 * NSEC_PER_USEC);
	}
	g_assert_cmpuint(counter(rt, "filemap", "readPages"), ==, misses);
	g_assert_cmpuint(counter(rt, "readahead", "async"), ==, 0);
	g_assert_cmpuint(misses, >, RAND_READS / 2);
	rt->done = true;
}

static void test_random_no_growth(void)
{
	struct rt rt;

	rt_init(&rt, 3, RAND_FILE_PAGES);
	rt_run(&rt, random_reader);
	rt_destroy(&rt);
}

/* A miss right after the previous read (index - prev <= 1) is sequential
 * even without a window: the initial window opens there. */
static void seq_miss_reader(struct sim_task *t, void *arg)
{
	struct rt *rt = arg;
	struct page *page;

	page = filemap_read_page(t, rt->file, &rt->ra, 100, 1, NULL);
	put_page(page);
	g_assert_cmpuint(rt->ra.size, ==, 0);		/* random: no window */
	page = filemap_read_page(t, rt->file, &rt->ra, 101, 1, NULL);
	put_page(page);
	g_assert_cmpuint(rt->ra.start, ==, 101);	/* sequential miss */
	g_assert_cmpuint(rt->ra.size, ==, 4);
	g_assert_cmpuint(rt->ra.async_size, ==, 3);
	rt->done = true;
}

static void test_sequential_miss(void)
{
	struct rt rt;

	rt_init(&rt, 4, 1024);
	rt_run(&rt, seq_miss_reader);
	rt_destroy(&rt);
}

/* ------------------------------------------------------------------ */

/* A random scan, then a sequential one through the pages it left. */
static void both_readers(struct sim_task *t, void *arg)
{
	struct rt *rt = arg;

	random_reader(t, rt);
	rt->done = false;
	file_ra_state_init(&rt->ra, VM_READAHEAD_PAGES);
	sequential_reader(t, rt);
}

static uint64_t run_once(uint64_t seed, sim_time_t *end)
{
	struct rt rt;
	uint64_t fp;

	rt_init(&rt, seed, RAND_FILE_PAGES);
	rt_run(&rt, both_readers);
	fp = sim_fingerprint(rt.eng);
	*end = sim_now(rt.eng);
	rt_destroy(&rt);
	return fp;
}

static void test_determinism(void)
{
	sim_time_t end1, end2, end3;
	uint64_t a = run_once(11, &end1), b = run_once(11, &end2), c = run_once(12, &end3);

	g_assert_cmpuint(a, ==, b);
	g_assert_cmpint(end1, ==, end2);
	/* Another seed draws other disk latencies and offsets. */
	g_assert_cmpuint(a, !=, c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/readahead/initial-window", test_initial_window);
	g_test_add_func("/sim/readahead/sequential-window", test_sequential_window);
	g_test_add_func("/sim/readahead/sequential-folios", test_sequential_folios);
	g_test_add_func("/sim/readahead/sequential-miss", test_sequential_miss);
	g_test_add_func("/sim/readahead/random-no-growth", test_random_no_growth);
	g_test_add_func("/sim/readahead/determinism", test_determinism);
	return g_test_run();
}
