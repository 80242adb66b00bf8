/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File readahead and the disk backing of files; see readahead.h for the
 * windows and the rules.
 *
 * Where the readahead state may change: only ondemand_readahead() (and
 * file_ra_state_init()) write start, size and async_size; filemap_read_page()
 * writes prev_pos after a read, as the kernel's read path does; the fault
 * path may write a read-around window itself before page_cache_ra_submit().
 *
 * The plug of a file backing: at most one batch is being gathered; it is
 * submitted when a page does not extend it (another direction, not the
 * next index, or full) or by the unplug event, scheduled with zero delay
 * when the batch was started, so it runs at the same instant once the
 * submitting task blocks or yields.  A batch in flight is on @inflight
 * until its completion.
 *
 * Costs: a readahead of n pages is O(n) lookups and insertions (the
 * history and next-miss scans are O(ra_pages)); a batch costs one disk
 * request (its record is reused from completed ones, allocated only when
 * more are in flight than ever before).
 */
#include "config.h"

#include <errno.h>

#include "sim/kernel/readahead.h"
#include "sim/core/stats.h"

/* ------------------------------------------------------------------ */
/* Window arithmetic, as mm/readahead.c */

void file_ra_state_init(struct file_ra_state *ra, unsigned int ra_pages)
{
	*ra = (struct file_ra_state){ .ra_pages = ra_pages, .prev_pos = -1 };
}

static unsigned long roundup_pow_of_two(unsigned long n)
{
	unsigned long r = 1;

	while (r < n)
		r <<= 1;
	return r;
}

/* The first window: 4x a small request, 2x a medium one, max otherwise. */
static unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow_of_two(size);

	if (newsize <= max / 32)
		return newsize * 4;
	if (newsize <= max / 4)
		return newsize * 2;
	return max;
}

/* The next window: ramp up fast while small, then double, up to max. */
static unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* The counters of module "readahead", made on first use. */
enum ra_counter { RA_PAGES, RA_SYNC, RA_ASYNC };

static const struct {
	const char *name, *unit, *what;
} ra_counters[] = {
	[RA_PAGES] = { "pages", "pages", "pages added to the page cache by readahead" },
	[RA_SYNC] = { "sync", "calls", "synchronous readahead calls (a cache miss)" },
	[RA_ASYNC] = { "async", "calls", "asynchronous readahead calls (a PG_readahead hit)" },
};

G_STATIC_ASSERT(G_N_ELEMENTS(ra_counters) <= NR_PC_MODULE_COUNTERS);

static void ra_count(struct address_space *mapping, enum ra_counter c, uint64_t n)
{
	struct page_cache *pc = pc_mapping_cache(mapping);
	uint64_t **slot = &pc_module_counters(pc)[c];

	if (G_UNLIKELY(!*slot))
		*slot = sim_stats_counter_unit(sim_engine_stats(pc_engine(pc)), "readahead",
					       ra_counters[c].name, ra_counters[c].unit,
					       ra_counters[c].what);
	**slot += n;
}

pgoff_t page_cache_next_miss(struct address_space *mapping, pgoff_t index,
			     unsigned long max_scan)
{
	for (unsigned long i = 0; i < max_scan; i++) {
		if (!pc_page_cached(mapping, index))
			return index;
		if (++index == 0)
			return 0;
	}
	return index;
}

pgoff_t page_cache_prev_miss(struct address_space *mapping, pgoff_t index,
			     unsigned long max_scan)
{
	for (unsigned long i = 0; i < max_scan; i++) {
		if (!pc_page_cached(mapping, index))
			return index;
		if (index-- == 0)
			return UINT64_MAX;
	}
	return index;
}

/* The cached run right before @index: a sequential stream leaves one. */
static pgoff_t count_history_pages(struct address_space *mapping, pgoff_t index,
				   unsigned long max)
{
	pgoff_t head = page_cache_prev_miss(mapping, index - 1, max);

	return index - 1 - head;
}

/* Context readahead: a stream without readahead state of its own (e.g.
 * several readers of one file) is recognised by its history. */
static bool try_context_readahead(struct address_space *mapping, struct file_ra_state *ra,
				  pgoff_t index, unsigned long req_size, unsigned long max)
{
	pgoff_t size = count_history_pages(mapping, index, max);

	/* Not enough history: perhaps a random read. */
	if (size <= req_size)
		return false;
	/* History back to the start of the file: a long stream. */
	if (size >= index)
		size *= 2;
	ra->start = index;
	ra->size = (unsigned int)MIN(size + req_size, max);
	ra->async_size = 1;
	return true;
}

/* ------------------------------------------------------------------ */
/* Allocating and reading */

/*
 * New pages gathered for reading, on the task's stack: a task discarded at
 * the end of a run while it sleeps in here (reclaim) must not own heap
 * memory.  A full batch is submitted as it stands; the file backing's plug
 * joins contiguous pages queued in one instant anyway.
 */
#define RA_BATCH_MAX 64

struct ra_batch {
	struct page *pages[RA_BATCH_MAX];
	unsigned long nr;
};

/* Submit the run of new pages gathered so far and drop our references. */
static void read_pages(struct sim_task *t, struct ra_batch *batch)
{
	for (unsigned long i = 0; i < batch->nr; i++) {
		pc_readpage(t, batch->pages[i]);
		put_page(batch->pages[i]);
	}
	batch->nr = 0;
}

static const struct pc_backing_ops file_backing_ops;
static void fb_start_plug(struct file_backing *fb, struct sim_task *t,
			  struct sim_task **old);
static void fb_finish_plug(struct file_backing *fb, struct sim_task *t,
			   struct sim_task *old);

/*
 * page_cache_ra_unbounded(): add what is missing, then read it.  The pages
 * are allocated with readahead_gfp_mask(): __GFP_NORETRY, so a short
 * memory costs one round of direct reclaim and then ends the readahead
 * (PC_GFP_NORETRY), instead of reclaiming and throttling until a page is
 * free.  The reads go out under a block plug (read_pages()).
 */
static unsigned long ra_unbounded(struct sim_task *t, struct address_space *mapping,
				  pgoff_t index, unsigned long nr_to_read,
				  unsigned long lookahead_size)
{
	unsigned int gfp = t ? PC_GFP_NORETRY : PC_GFP_NOWAIT;
	struct file_backing *fb = pc_mapping_backing(mapping, &file_backing_ops);
	struct ra_batch batch;	/* pages[] read below nr only: not cleared */
	struct sim_task *old_plug = NULL;
	unsigned long added = 0;

	batch.nr = 0;
	if (fb && t)
		fb_start_plug(fb, t, &old_plug);

	for (unsigned long i = 0; i < nr_to_read; i++) {
		struct page *page;
		int err;

		if (pc_page_cached(mapping, index + i)) {
			/* Already there: submit the run before it. */
			read_pages(t, &batch);
			continue;
		}
		err = add_to_page_cache_lru(t, mapping, index + i, gfp, &page);
		if (err == -ENOMEM)
			break;
		if (err) {
			/* Added by someone else meanwhile, or a deleted page
			 * still holds the slot. */
			read_pages(t, &batch);
			continue;
		}
		/* Unsigned, as the kernel's: no marker if the lookahead
		 * reaches before the (clamped) start. */
		if (i == nr_to_read - lookahead_size)
			SetPageReadahead(page);
		batch.pages[batch.nr++] = page;
		added++;
		if (batch.nr == RA_BATCH_MAX)
			read_pages(t, &batch);
	}
	read_pages(t, &batch);
	if (fb && t)
		fb_finish_plug(fb, t, old_plug);
	if (added)
		ra_count(mapping, RA_PAGES, added);
	return added;
}

unsigned long do_page_cache_ra(struct sim_task *t, struct address_space *mapping,
			       pgoff_t index, unsigned long nr_to_read,
			       unsigned long lookahead_size)
{
	pgoff_t isize = pc_mapping_size(mapping);
	pgoff_t end_index;

	if (!isize || !nr_to_read)
		return 0;
	end_index = isize - 1;
	if (index > end_index)
		return 0;
	/* Not past the last page of the file. */
	if (nr_to_read > end_index - index)
		nr_to_read = end_index - index + 1;
	return ra_unbounded(t, mapping, index, nr_to_read, lookahead_size);
}

unsigned long page_cache_ra_submit(struct sim_task *t, struct address_space *mapping,
				   struct file_ra_state *ra)
{
	return do_page_cache_ra(t, mapping, ra->start, ra->size, ra->async_size);
}

unsigned long page_cache_ra_order(struct sim_task *t, struct address_space *mapping,
				  struct file_ra_state *ra, unsigned int new_order)
{
	unsigned int gfp = t ? PC_GFP_NORETRY : PC_GFP_NOWAIT;
	unsigned int max_order = pc_mapping_max_folio_order(mapping);
	struct file_backing *fb = pc_mapping_backing(mapping, &file_backing_ops);
	pgoff_t isize = pc_mapping_size(mapping);
	pgoff_t start = ra->start, index = start, limit, mark;
	struct ra_batch batch;	/* pages[] read below nr only: not cleared */
	struct sim_task *old_plug = NULL;
	unsigned long added = 0;
	int err = 0;

	if (!max_order || ra->size < 4 || !isize || start > isize - 1)
		return page_cache_ra_submit(t, mapping, ra);
	limit = MIN(isize - 1, start + ra->size - 1);
	mark = start + ra->size - ra->async_size;
	if (new_order < max_order)
		new_order += 2;
	new_order = MIN(new_order, max_order);
	new_order = MIN(new_order, (unsigned int)pc_msb_index(ra->size));
	batch.nr = 0;
	if (fb && t)
		fb_start_plug(fb, t, &old_plug);
	while (index <= limit) {
		unsigned int order = new_order;
		pgoff_t n;
		struct page *page;

		if (index & (((pgoff_t)1 << order) - 1))
			order = (unsigned int)__builtin_ctzll(index);
		/* Not past the end of the window (and the file). */
		while (index + ((pgoff_t)1 << order) - 1 > limit)
			order--;
		n = (pgoff_t)1 << order;
		/* ra_alloc_folio(): one try at this order; a cached page in
		 * the range (-EEXIST) or no memory ends the loop. */
		err = pc_add_folio_order(t, mapping, index, order, gfp, &page);
		if (err)
			break;
		/* The marker, rounded down to the folio: on every page
		 * (the folio's flag). */
		for (pgoff_t i = 0; i < n; i++) {
			struct page *q = i ? pc_page_at(mapping, index + i) : page;

			if (index == (mark & ~(n - 1)))
				SetPageReadahead(q);
			if (batch.nr == RA_BATCH_MAX)
				read_pages(t, &batch);
			batch.pages[batch.nr++] = q;
		}
		added += n;
		index += n;
	}
	read_pages(t, &batch);
	if (fb && t)
		fb_finish_plug(fb, t, old_plug);
	if (added)
		ra_count(mapping, RA_PAGES, added);
	if (!err)
		return added;
	/* The rest a page at a time (do_page_cache_ra() of the fallback). */
	return added + do_page_cache_ra(t, mapping, index, ra->size - (index - start),
					ra->async_size);
}

/* force_page_cache_ra(): the request as is, in 2 MiB chunks, at most the
 * device's largest I/O (or the readahead limit if larger). */
static unsigned long force_page_cache_ra(struct sim_task *t, struct address_space *mapping,
					 struct file_ra_state *ra, pgoff_t index,
					 unsigned long nr_to_read)
{
	unsigned long max_pages = MAX(FILE_BACKING_MAX_IO_PAGES, ra->ra_pages);
	unsigned long done = 0;

	nr_to_read = MIN(nr_to_read, max_pages);
	while (nr_to_read) {
		unsigned long this_chunk = MIN((2UL << 20) / PAGE_SIZE, nr_to_read);

		done += do_page_cache_ra(t, mapping, index, this_chunk, 0);
		index += this_chunk;
		nr_to_read -= this_chunk;
	}
	return done;
}

static unsigned long ondemand_readahead(struct sim_task *t, struct address_space *mapping,
					struct file_ra_state *ra, bool hit_readahead_marker,
					pgoff_t index, unsigned long req_size, unsigned int order)
{
	unsigned long max_pages = ra->ra_pages;
	pgoff_t prev_index;

	if (!req_size)
		req_size = 1;
	/* The start of the file: assume a whole-file read. */
	if (!index)
		goto initial_readahead;

	/* At the marker, or just past the window: the stream goes on.  The
	 * marker is on the folio that holds it: its first page, for a folio
	 * of @order (6.x page_cache_async_ra()'s round_down()). */
	if (index == ((ra->start + ra->size - ra->async_size) & ~(((pgoff_t)1 << order) - 1)) ||
	    index == ra->start + ra->size) {
		ra->start += ra->size;
		ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
		ra->async_size = ra->size;
		goto readit;
	}

	/* A marker without matching state (interleaved streams): size the
	 * next window from the cached run ahead of us. */
	if (hit_readahead_marker) {
		pgoff_t start = page_cache_next_miss(mapping, index + 1, max_pages);

		if (!start || start - index > max_pages)
			return 0;
		ra->start = start;
		ra->size = (unsigned int)(start - index);	/* the old async_size */
		ra->size += (unsigned int)req_size;
		ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
		ra->async_size = ra->size;
		goto readit;
	}

	/* Oversize read. */
	if (req_size > max_pages)
		goto initial_readahead;

	/* Sequential cache miss: the next page, or the same one again. */
	prev_index = (uint64_t)ra->prev_pos >> PAGE_SHIFT;
	if (index - prev_index <= 1)
		goto initial_readahead;

	if (try_context_readahead(mapping, ra, index, req_size, max_pages))
		goto readit;

	/* A small random read: read it as is, leave the state alone. */
	return do_page_cache_ra(t, mapping, index, req_size, 0);

initial_readahead:
	ra->start = index;
	ra->size = (unsigned int)get_init_ra_size(req_size, max_pages);
	ra->async_size = ra->size > req_size ? ra->size - (unsigned int)req_size : ra->size;

readit:
	/* Would this read hit its own marker at once?  Then merge the next
	 * window into this one. */
	if (index == ra->start && ra->size == ra->async_size) {
		unsigned long add_pages = get_next_ra_size(ra, max_pages);

		if (ra->size + add_pages <= max_pages) {
			ra->async_size = (unsigned int)add_pages;
			ra->size += (unsigned int)add_pages;
		} else {
			ra->size = (unsigned int)max_pages;
			ra->async_size = (unsigned int)(max_pages >> 1);
		}
	}
	return page_cache_ra_order(t, mapping, ra, order);
}

unsigned long page_cache_sync_readahead(struct sim_task *t, struct address_space *mapping,
					struct file_ra_state *ra, pgoff_t index,
					unsigned long req_count)
{
	/* Readahead off: still read what was asked for, one page. */
	if (!ra->ra_pages)
		return force_page_cache_ra(t, mapping, ra, index, 1);
	ra_count(mapping, RA_SYNC, 1);
	return ondemand_readahead(t, mapping, ra, false, index, req_count, 0);
}

unsigned long page_cache_async_readahead(struct sim_task *t, struct address_space *mapping,
					 struct file_ra_state *ra, struct page *page,
					 pgoff_t index, unsigned long req_count)
{
	if (!ra->ra_pages)
		return 0;
	if (PageWriteback(page))
		return 0;
	/* folio_clear_readahead(): the flag of the page's folio. */
	for (pgoff_t i = 0; i < folio_nr_pages(page); i++) {
		struct page *q = pc_page_at(mapping, folio_index(page) + i);

		if (q)
			ClearPageReadahead(q);
	}
	ClearPageReadahead(page);
	ra_count(mapping, RA_ASYNC, 1);
	return ondemand_readahead(t, mapping, ra, true, index, req_count, folio_order(page));
}

/* ------------------------------------------------------------------ */
/* Reading one page */

/* A deleted page still referenced holds the slot: let its holder go. */
#define FILEMAP_BUSY_RETRY	NSEC_PER_USEC

struct page *filemap_read_page(struct sim_task *t, struct address_space *mapping,
			       struct file_ra_state *ra, pgoff_t index,
			       unsigned long req_count, int *err)
{
	struct page *page;
	int dummy;

	if (!err)
		err = &dummy;
	*err = 0;
	if (!req_count)
		req_count = 1;
	g_assert(index < pc_mapping_size(mapping));
retry:
	page = find_get_page(mapping, index);
	if (!page) {
		if (ra)
			page_cache_sync_readahead(t, mapping, ra, index, req_count);
		page = find_get_page(mapping, index);
	}
	if (!page) {
		/* no_cached_page: read it alone. */
		int e = add_to_page_cache_lru(t, mapping, index,
					      t ? PC_GFP_KERNEL : PC_GFP_NOWAIT, &page);

		if (e == -EEXIST)
			goto retry;
		if (e == -EBUSY) {
			g_assert(t);
			sim_sleep(t, FILEMAP_BUSY_RETRY);
			goto retry;
		}
		if (e) {
			*err = e;
			return NULL;
		}
		pc_readpage(t, page);
	} else if (ra && PageReadahead(page)) {
		page_cache_async_readahead(t, mapping, ra, page, index, req_count);
	}

	if (!PageUptodate(page)) {
		g_assert(t);
		wait_on_page_locked(t, page);
		if (!PageUptodate(page)) {
			lock_page(t, page);
			if (!page->mapping) {
				/* Truncated while we slept. */
				unlock_page(page);
				put_page(page);
				goto retry;
			}
			if (PageUptodate(page)) {
				unlock_page(page);
			} else {
				/* The read failed: try once more ourselves. */
				ClearPageError(page);
				pc_readpage(t, page);
				wait_on_page_locked(t, page);
				if (!PageUptodate(page)) {
					put_page(page);
					*err = -EIO;
					return NULL;
				}
			}
		}
	}
	mark_page_accessed(page);
	if (ra)
		ra->prev_pos = (int64_t)((index << PAGE_SHIFT) | (PAGE_SIZE - 1));
	return page;
}

/* ------------------------------------------------------------------ */
/* The disk backing of a file */

struct file_backing {
	struct address_space *mapping;
	struct sim_disk *disk;
	struct sim_engine *eng;
	uint64_t base;
	struct page_io *plug;		/* the batch being gathered */
	struct sim_timer unplug;	/* submits it at the end of the instant */
	struct list_head inflight;	/* struct page_io, submitted */
	unsigned int nr_inflight;
	struct list_head free_ios;	/* struct page_io, completed, for reuse */
	uint64_t *read_requests, *read_pages, *write_requests, *write_pages;
	struct sim_blkcg *blkcg;	/* the bios' cgroup; NULL: root */
	struct sim_task *plug_task;	/* a reader inside its readahead plug */
};

/* One disk request: a run of contiguous pages in one direction. */
struct page_io {
	struct sim_disk_request rq;
	struct file_backing *fb;
	struct list_head node;
	enum sim_req_op op;
	pgoff_t first;
	unsigned int nr;
	struct page *pages[FILE_BACKING_MAX_IO_PAGES];
};

static void fb_end_io(struct sim_disk_request *rq, void *data)
{
	struct page_io *io = data;
	bool is_write = io->op == SIM_REQ_OP_WRITE;

	list_del_init(&io->node);
	io->fb->nr_inflight--;
	for (unsigned int i = 0; i < io->nr; i++)
		page_endio(io->pages[i], is_write, 0);
	list_add(&io->node, &io->fb->free_ios);
}

/*
 * Submit the plugged batch, if any.  From a task @t (NULL: an event), if
 * the disk would make the request wait for a tag or an io.latency slot,
 * @t submits it and sleeps there, as the kernel's submitter does in
 * blk_mq_get_tag() or rq_qos_throttle(); otherwise nothing waits, and
 * the moment of submission is that of the plug (this instant).
 */
static void fb_flush_plug(struct file_backing *fb, struct sim_task *t)
{
	struct page_io *io = fb->plug;

	if (!io)
		return;
	fb->plug = NULL;
	sim_cancel(fb->eng, &fb->unplug);
	if (io->op == SIM_REQ_OP_READ) {
		(*fb->read_requests)++;
		*fb->read_pages += io->nr;
	} else {
		(*fb->write_requests)++;
		*fb->write_pages += io->nr;
	}
	list_add_tail(&io->node, &fb->inflight);
	sim_disk_request_init(&io->rq, io->op, fb->base + (io->first << PAGE_SHIFT),
			      (uint64_t)io->nr << PAGE_SHIFT, fb_end_io, io);
	io->rq.blkcg = fb->blkcg;
	if (t && sim_disk_submit_would_wait(fb->disk, fb->blkcg))
		sim_disk_submit_task(t, fb->disk, &io->rq);
	else
		sim_disk_submit(fb->disk, &io->rq);
}

/*
 * The batch is complete (blk_finish_plug(), or a read outside any plug,
 * which submit_bio() issues at once): if its submitter would wait, it
 * submits now and sleeps; else the end-of-instant event submits it.
 */
static void fb_submit_if_waiting(struct file_backing *fb, struct sim_task *t)
{
	if (fb->plug && sim_disk_submit_would_wait(fb->disk, fb->blkcg))
		fb_flush_plug(fb, t);
}

static void fb_start_plug(struct file_backing *fb, struct sim_task *t,
			  struct sim_task **old)
{
	*old = fb->plug_task;
	fb->plug_task = t;
}

static void fb_finish_plug(struct file_backing *fb, struct sim_task *t,
			   struct sim_task *old)
{
	fb->plug_task = old;
	fb_submit_if_waiting(fb, t);
}

static void fb_unplug_event(struct sim_engine *eng, void *data)
{
	struct file_backing *fb = data;

	fb->unplug = (struct sim_timer){ 0 };
	fb_flush_plug(fb, NULL);
}

static void fb_queue_page(struct file_backing *fb, enum sim_req_op op, struct page *page,
			  struct sim_task *t)
{
	struct page_io *io = fb->plug;

	/* A flush from a task may sleep: look at the plug again after it. */
	while (io && (io->op != op || io->first + io->nr != page->index ||
		      io->nr == FILE_BACKING_MAX_IO_PAGES)) {
		fb_flush_plug(fb, t);
		io = fb->plug;
	}
	if (!io) {
		/* No allocation per request: completed ones are reused. */
		io = list_first_entry_or_null(&fb->free_ios, struct page_io, node);
		if (io)
			list_del_init(&io->node);
		else
			io = g_new(struct page_io, 1);
		io->fb = fb;
		io->op = op;
		io->first = page->index;
		io->nr = 0;
		INIT_LIST_HEAD(&io->node);
		fb->plug = io;
		fb->nr_inflight++;
		fb->unplug = sim_schedule(fb->eng, 0, fb_unplug_event, fb);
	}
	io->pages[io->nr++] = page;
}

static void fb_readpage(struct sim_task *t, struct address_space *mapping,
			struct page *page, void *data)
{
	struct file_backing *fb = data;

	fb_queue_page(fb, SIM_REQ_OP_READ, page, t);
	if (t && fb->plug_task != t)
		fb_submit_if_waiting(fb, t);
}

static void fb_writepage(struct sim_task *t, struct address_space *mapping,
			 struct page *page, void *data)
{
	fb_queue_page(data, SIM_REQ_OP_WRITE, page, t);
}

static const struct pc_backing_ops file_backing_ops = {
	.readpage = fb_readpage,
	.writepage = fb_writepage,
};

struct file_backing *file_backing_new(struct address_space *mapping,
				      struct sim_disk *disk, uint64_t base)
{
	struct file_backing *fb = g_new0(struct file_backing, 1);
	struct sim_stats *st;

	fb->mapping = mapping;
	fb->disk = disk;
	fb->eng = pc_engine(pc_mapping_cache(mapping));
	fb->base = base;
	INIT_LIST_HEAD(&fb->inflight);
	INIT_LIST_HEAD(&fb->free_ios);
	st = sim_engine_stats(fb->eng);
	fb->read_requests = sim_stats_counter_unit(st, "filemap", "readRequests", "requests",
						   "disk reads of file pages");
	fb->read_pages = sim_stats_counter_unit(st, "filemap", "readPages", "pages",
						"file pages the reads carried");
	fb->write_requests = sim_stats_counter_unit(st, "filemap", "writeRequests", "requests",
						    "disk writes of file pages (writeback)");
	fb->write_pages = sim_stats_counter_unit(st, "filemap", "writePages", "pages",
						 "file pages the writes carried");
	pc_mapping_set_backing(mapping, &file_backing_ops, fb);
	return fb;
}

void file_backing_free(struct file_backing *fb)
{
	struct page_io *io, *next;

	if (!fb)
		return;
	pc_mapping_set_backing(fb->mapping, NULL, NULL);
	sim_cancel(fb->eng, &fb->unplug);
	g_free(fb->plug);
	list_for_each_entry_safe(io, next, &fb->inflight, node)
		g_free(io);
	list_for_each_entry_safe(io, next, &fb->free_ios, node)
		g_free(io);
	g_free(fb);
}

void file_backing_set_blkcg(struct file_backing *fb, struct sim_blkcg *blkcg)
{
	fb->blkcg = blkcg;
}

unsigned int file_backing_nr_inflight(const struct file_backing *fb)
{
	return fb->nr_inflight;
}
