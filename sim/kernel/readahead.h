/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File readahead, after mm/readahead.c as of 5.10 (ondemand_readahead(),
 * page_cache_sync_ra(), page_cache_async_ra()), and a disk backing store
 * for files.
 *
 * The window.  struct file_ra_state holds the last readahead done for a
 * file (or, here, a VMA: see sim/kernel/mm.h):
 *
 *	|<------------------ size ----------------->|
 *	|===================#=======================|
 *	^start              ^ the page marked PG_readahead
 *	                    |<------ async_size ----->|
 *
 * A synchronous readahead starts on a cache miss; an asynchronous one
 * when a reader meets the PG_readahead page of the window, which is the
 * first page of the last @async_size pages read.  The sizes, in pages, for
 * a limit of @ra_pages (32 by default, 128 KiB):
 *
 *	initial   get_init_ra_size(req): r = roundup_pow_of_two(req);
 *	          4r if r <= max/32, 2r if r <= max/4, else max; async_size
 *	          is size - req (size if that is zero or less)
 *	next      get_next_ra_size(size): 4x below max/16, 2x up to max/2,
 *	          then max; async_size = size (the marker is the window's
 *	          first page)
 *
 * ondemand_readahead() picks, in this order: the initial window at index
 * 0; the next window when the access is at the marker or just past the
 * window; on a marker without matching state (interleaved streams), the
 * next window sized from the cached run ahead of the access; the initial
 * window for an oversized read or a sequential miss (index - prev <= 1,
 * prev from @prev_pos, which the reader maintains); the context readahead
 * (cached history pages right before the access, try_context_readahead());
 * and otherwise the request as is, with the state left alone: a random
 * reader never grows a window.  If the access is at the start of the new
 * window and the whole window is async (the marker would be hit at
 * once), the next window is merged into it.
 *
 * Reading.  do_page_cache_ra() clamps the request to the end of the file
 * (the address space's size is the file size), then adds the missing
 * pages to the cache, locked and not uptodate (add_to_page_cache_lru()
 * with readahead_gfp_mask()'s __GFP_NORETRY: short of memory, one round
 * of direct reclaim and no throttling; a page still not had ends the
 * readahead, which reads what it added), marks the one at @size -
 * @async_size PG_readahead, and submits each run of contiguous new pages through the
 * address space's readpage operation; a page found cached, or one that
 * cannot be added, ends a run.  No readahead on a page under writeback,
 * as the kernel (PG_readahead shares its bit with PG_reclaim there).
 * Congestion checks are not modelled, nor is the raise of the limit to
 * the device's optimal I/O size for oversized reads (bdi->io_pages: here
 * it equals ra_pages).  Large folios: page_cache_ra_order() below.
 *
 * The file backing.  file_backing_new() gives an address space
 * readpage/writepage operations on a disk: page @index lives at byte
 * base + index * PAGE_SIZE.  Pages queued in the same instant at
 * contiguous indices, in the same direction, are gathered into one disk
 * request of up to FILE_BACKING_MAX_IO_PAGES pages (a block plug: the
 * batch is submitted when a page does not extend it, or at the end of the
 * instant, by a zero-delay event).  The requests carry the backing's
 * block cgroup (file_backing_set_blkcg()).  A submitter that the disk
 * would make wait (no free tag, or its cgroup at its io.latency depth)
 * submits the batch itself when it ends (at the end of a readahead, as
 * blk_finish_plug(); at once for a read outside readahead, or when a page
 * does not extend the batch) and sleeps in the disk until the request
 * goes in, as the kernel's submitter does in blk_mq_get_tag() or
 * rq_qos_throttle(), holding whatever locks it holds.  On completion
 * every page of the request gets page_endio(): PG_uptodate and unlock_page() for a read,
 * end_page_writeback() for a write.  I/O errors are not modelled.
 *
 * Measurements: module "readahead" counters "sync" and "async" (readahead
 * calls that went to ondemand_readahead()), "pages" (pages added by
 * readahead); module "filemap" counters "readRequests", "readPages",
 * "writeRequests", "writePages" (disk requests of file backings and the
 * pages they carry).
 *
 * Every function that may sleep takes the running task @t.
 */
#ifndef FAULTSIM_SIM_READAHEAD_H
#define FAULTSIM_SIM_READAHEAD_H

#include <stdint.h>
#include "sim/kernel/disk.h"
#include "sim/kernel/page.h"
#include "sim/kernel/pagecache.h"
#include "sim/core/task.h"

/* VM_READAHEAD_PAGES: the default limit, 128 KiB. */
#define VM_READAHEAD_PAGES	(131072 / PAGE_SIZE)
/* The largest request of a file backing: 512 KiB (max_sectors_kb). */
#define FILE_BACKING_MAX_IO_PAGES	128u

struct file_ra_state {
	pgoff_t start;			/* first page of the last window */
	unsigned int size;		/* its pages */
	unsigned int async_size;	/* pages left when the marker is hit */
	unsigned int ra_pages;		/* the limit; 0: readahead off */
	unsigned int mmap_miss;		/* for the fault path (filemap_fault) */
	int64_t prev_pos;		/* last byte read before, -1: none */
};

/* Reset @ra: no window, limit @ra_pages (VM_READAHEAD_PAGES by default). */
void file_ra_state_init(struct file_ra_state *ra, unsigned int ra_pages);

/* A cache miss at @index for a read of @req_count pages: readahead as
 * page_cache_sync_ra().  Returns the pages added. */
unsigned long page_cache_sync_readahead(struct sim_task *t, struct address_space *mapping,
					struct file_ra_state *ra, pgoff_t index,
					unsigned long req_count);
/* A read met @page, at @index, with PG_readahead set: clear it and start
 * the next window, as page_cache_async_ra().  Returns the pages added. */
unsigned long page_cache_async_readahead(struct sim_task *t, struct address_space *mapping,
					 struct file_ra_state *ra, struct page *page,
					 pgoff_t index, unsigned long req_count);
/*
 * page_cache_ra_order() (mm/readahead.c, 5.18+): the window @ra in large
 * folios on a mapping that has them: the order grows by 2 from @new_order
 * (the order of the folio that carried the marker; 0 for a synchronous
 * readahead and mmap read-around), capped at the mapping's largest and at
 * ilog2(ra->size); each folio's order is lowered to the alignment of its
 * index and to end within the window and the file; the marker goes on the
 * folio holding it (every page of it here).  A folio that cannot be added
 * (a page of its range cached, no memory) ends the loop, and the rest of
 * the window is read a page at a time (do_page_cache_ra()).  Without
 * large folios, or a window under 4 pages: page_cache_ra_submit().
 */
unsigned long page_cache_ra_order(struct sim_task *t, struct address_space *mapping,
				  struct file_ra_state *ra, unsigned int new_order);
/* Read the window @ra describes (ra_submit(), for the fault path's
 * read-around, which sets start, size and async_size itself). */
unsigned long page_cache_ra_submit(struct sim_task *t, struct address_space *mapping,
				   struct file_ra_state *ra);
/* do_page_cache_ra(), in faultsim/mm.h: read @nr_to_read pages from @index
 * (clamped to the file), marking the one @lookahead_size from the end
 * PG_readahead. */

/*
 * Read page @index as a read(2) of @req_count pages starting there would
 * (filemap_get_pages()): look it up, readahead on a miss (@ra may be NULL:
 * no readahead) or at a PG_readahead page, read it alone if readahead did
 * not add it, wait until it is uptodate, mark it accessed and update
 * @ra->prev_pos.  Returns the page with a reference (put_page() it), or
 * NULL with *@err = -EIO (the read failed) or -ENOMEM (@t is NULL and no
 * frame was free).  @err may be NULL.
 */
struct page *filemap_read_page(struct sim_task *t, struct address_space *mapping,
			       struct file_ra_state *ra, pgoff_t index,
			       unsigned long req_count, int *err);

/* The first index in [@index, @index + @max_scan) not cached, @index +
 * @max_scan if none, 0 on wrap-around (page_cache_next_miss()). */
pgoff_t page_cache_next_miss(struct address_space *mapping, pgoff_t index,
			     unsigned long max_scan);
/* The last index in (@index - @max_scan, @index] not cached; @index -
 * @max_scan if none, UINT64_MAX on wrap-around (page_cache_prev_miss()). */
pgoff_t page_cache_prev_miss(struct address_space *mapping, pgoff_t index,
			     unsigned long max_scan);

struct file_backing;
/* Back @mapping by @disk from byte @base (installs its backing ops).  Free
 * it before the engine and before @mapping. */
struct file_backing *file_backing_new(struct address_space *mapping,
				      struct sim_disk *disk, uint64_t base);
/* Detach the backing from its mapping and free it; I/O still in flight is
 * abandoned (free it once the engine will not run again, or when idle). */
void file_backing_free(struct file_backing *fb);
/* The block cgroup of the backing's I/O (NULL: the root), as the cgroup
 * of the tasks that read and write the file. */
void file_backing_set_blkcg(struct file_backing *fb, struct sim_blkcg *blkcg);
/* Requests in flight or waiting in the plug. */
unsigned int file_backing_nr_inflight(const struct file_backing *fb);

#endif /* FAULTSIM_SIM_READAHEAD_H */
