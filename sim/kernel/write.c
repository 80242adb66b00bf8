/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * write(2) through generic_perform_write() (see write.h).
 *
 * Lock ordering: the page-cache pages' locks are taken by write_begin, in
 * index order, and released by write_end; nothing else is taken under
 * them except, with a
 * non-atomic copy (prefault=none), whatever a fault on the user buffer
 * takes: mmap_sem for read and the page lock of the buffer's page -- the
 * inversion the gfs2 thread is about.
 */
#include "config.h"

#include <errno.h>

#include "sim/kernel/cpu.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/pagelock.h"
#include "sim/core/stats.h"
#include "sim/kernel/write.h"

/* A chunk whose copy keeps making no progress gives up (the kernel would
 * loop, or fail with -EFAULT once fault-in fails). */
#define WRITE_RETRY_MAX		1000
/* How often a faulting copy under a page lock checks for a self-wait. */
#define WRITE_SELF_CHECK_NS	(1000 * 1000)

void write_params_init(struct write_params *p)
{
	*p = (struct write_params){
		.syscall = 1000, .probe_line = 5, .copy_per_kib = 680, .write_begin = 1500,
		.write_end = 800, .folio_chunks = false,
	};
}

void write_params_clear(struct write_params *p)
{
	for (unsigned int i = 0; i < WRITE_NR_COSTS; i++) {
		sim_dist_free(p->dist[i]);
		p->dist[i] = NULL;
	}
}

/* A cost of enum write_cost: its constant, or a draw. */
static sim_time_t write_cost(const struct write_sys *ws, enum write_cost which,
			     sim_time_t constant)
{
	return sim_dist_cost(ws->p.dist[which], ws->rng, constant);
}

void write_sys_init(struct write_sys *ws, struct sim_engine *eng, const struct write_params *p,
		    const struct fs_prefault_policy *prefault, struct fault_sys *fs)
{
	struct sim_stats *st = sim_engine_stats(eng);

	/* The policy is the caller's: an incomplete one is a programming
	 * error. */
	g_assert(prefault && (!prefault->prefault || prefault->fault_in_readable));
	g_assert(fs != NULL);
	ws->eng = eng;
	ws->wb = NULL;
	if (p)
		ws->p = *p;
	else
		write_params_init(&ws->p);
	ws->rng = NULL;
	for (unsigned int i = 0; i < WRITE_NR_COSTS; i++)
		if (ws->p.dist[i])
			ws->rng = sim_rng(eng, "write.costs");
	ws->prefault = prefault;
	ws->fs = fs;
	ws->writes = sim_stats_counter_unit(st, "write", "writes", "writes",
					    "generic_perform_write() calls");
	ws->chunks = sim_stats_counter_unit(st, "write", "chunks", "chunks",
					    "chunks copied (a page each, or a folio with folio_chunks)");
	ws->short_copies = sim_stats_counter_unit(st, "write", "shortCopies", "chunks",
						  "atomic copies that stopped at a page not present");
	ws->probes = sim_stats_counter_unit(st, "write", "probes", "probes",
					    "bytes probed by fault_in_readable()");
	ws->probed_lines = sim_stats_counter_unit(st, "write", "probedLines", "lines",
						  "cache lines the probes touched (write.probe_line each)");
	ws->prefault_faults = sim_stats_counter_unit(st, "write", "prefaultFaults", "faults",
						     "faults taken by the prefault (fault-in)");
	ws->copy_faults = sim_stats_counter_unit(st, "write", "copyFaults", "faults",
						 "faults taken by a copy with faults enabled");
	ws->self_deadlocks = sim_stats_counter_unit(st, "write", "selfDeadlocks", "writes",
						    "copies that waited on the page they hold locked");
	ws->latency = sim_stats_hist_unit(st, "write", "latency", "ns",
					  "latency of one write(2) call");
}

static inline uint64_t upage(uint64_t uaddr)
{
	return uaddr >> PAGE_SHIFT;
}

bool write_fault_in_probe(struct write_iter *wi, uint64_t uaddr, size_t len, unsigned int stride)
{
	struct write_sys *ws = wi->ws;
	uint64_t probes, last, lines;

	g_assert(len >= 1 && stride >= 1);
	g_assert(upage(uaddr) == upage(uaddr + len - 1));	/* one page */
	probes = 1 + (len - 1) / stride;
	last = uaddr + (probes - 1) * stride;
	/* Probes closer than a line cover every line from the first to the
	 * last; further apart, each is in a line of its own. */
	lines = stride < WRITE_CACHELINE ? last / WRITE_CACHELINE - uaddr / WRITE_CACHELINE + 1
					 : probes;
	*ws->probes += probes;
	*ws->probed_lines += lines;
	cpu_work(wi->t, write_cost(ws, WRITE_COST_PROBE_LINE, ws->p.probe_line) * (sim_time_t)lines);
	if (mm_touch(wi->mm, upage(uaddr), false))
		return true;
	(*ws->prefault_faults)++;
	return fault_touch(ws->fs, wi->t, wi->mm, upage(uaddr), false, NULL, NULL) == 0;
}

/* The check armed by a faulting copy under a page lock (see write.h). */
static void self_wait_check(struct sim_engine *eng, void *data)
{
	struct write_iter *wi = data;

	for (unsigned int i = 0; sim_task_state(wi->t) == SIM_TASK_BLOCKED && i < wi->nr_locked;
	     i++) {
		if (sim_task_blocked_obj(wi->t) != wi->locked[i])
			continue;
		/* Waiting for a page it holds: nobody else will unlock it. */
		sim_task_set_waits_for(wi->t, wi->t);
		(*wi->ws->self_deadlocks)++;
		return;
	}
	wi->check = sim_schedule(eng, WRITE_SELF_CHECK_NS, self_wait_check, wi);
}

/* Copy @bytes from @uaddr into the locked page-cache pages: the bytes
 * copied.  Atomic: stop at a source page that is not present. */
static size_t copy_from_user_page(struct write_iter *wi, uint64_t uaddr, size_t bytes,
				  bool atomic)
{
	struct write_sys *ws = wi->ws;
	size_t copied = 0;

	if (!atomic)
		wi->check = sim_schedule(ws->eng, WRITE_SELF_CHECK_NS, self_wait_check, wi);
	while (copied < bytes) {
		uint64_t a = uaddr + copied;
		size_t n = MIN(bytes - copied, PAGE_SIZE - (a & (PAGE_SIZE - 1)));

		if (!mm_touch(wi->mm, upage(a), false)) {
			if (atomic)
				break;
			(*ws->copy_faults)++;
			if (fault_touch(ws->fs, wi->t, wi->mm, upage(a), false, NULL, NULL))
				break;
		}
		cpu_work(wi->t, (sim_time_t)((uint64_t)write_cost(ws, WRITE_COST_COPY_PER_KIB,
								  ws->p.copy_per_kib) * n / 1024));
		copied += n;
	}
	if (!atomic)
		sim_cancel(ws->eng, &wi->check);
	return copied;
}

/* Lock the page at @index, with a reference, reading the rest of it first
 * unless the write covers it @whole; NULL with *@err on failure. */
static struct page *write_begin_read(struct write_iter *wi, struct page *page, bool whole,
				     int *err);

static struct page *write_begin_page(struct write_iter *wi, struct address_space *mapping,
				     pgoff_t index, bool whole, int *err)
{
	struct page *page;

	for (;;) {
		page = find_lock_page(wi->t, mapping, index);
		if (page)
			break;
		*err = add_to_page_cache_lru(wi->t, mapping, index, PC_GFP_KERNEL, &page);
		if (!*err)
			break;
		if (*err == -EBUSY) {
			sim_sleep(wi->t, 1000);	/* a truncated page still held */
			continue;
		}
		if (*err != -EEXIST)
			return NULL;
	}
	return write_begin_read(wi, page, whole, err);
}

/* A page written in part must be read first (__block_write_begin()). */
static struct page *write_begin_read(struct write_iter *wi, struct page *page, bool whole,
				     int *err)
{
	if (!whole && !PageUptodate(page)) {
		/* Read the rest of the page first; the read unlocks it. */
		pc_readpage(wi->t, page);
		lock_page(wi->t, page);
		if (!PageUptodate(page)) {
			unlock_page(page);
			put_page(page);
			*err = -EIO;
			return NULL;
		}
	}
	return page;
}

static void write_unlock_pages(struct write_iter *wi)
{
	for (unsigned int i = 0; i < wi->nr_locked; i++) {
		unlock_page(wi->locked[i]);
		put_page(wi->locked[i]);
	}
	wi->nr_locked = 0;
}

/* Whether the page @index of [@pos, @pos + @bytes) is written whole. */
static bool page_whole(pgoff_t index, uint64_t pos, size_t bytes)
{
	uint64_t start = MAX(pos, (uint64_t)index << PAGE_SHIFT);
	uint64_t end = MIN(pos + bytes, (uint64_t)(index + 1) << PAGE_SHIFT);

	return end - start == PAGE_SIZE;
}

unsigned int write_folio_order(size_t bytes)
{
	return bytes > PAGE_SIZE ? (unsigned int)g_bit_nth_msf(bytes, -1) - PAGE_SHIFT : 0;
}

int filemap_prefill_written(struct address_space *mapping, size_t block)
{
	pgoff_t size = pc_mapping_size(mapping);
	uint64_t bytes = (uint64_t)size << PAGE_SHIFT;

	g_assert(block > 0);
	for (uint64_t pos = 0; pos < bytes; pos += block) {
		uint64_t end = MIN(pos + block, bytes);

		/* One write: folio after folio, each as write_begin asks. */
		for (uint64_t p = pos; p < end; ) {
			pgoff_t index = p >> PAGE_SHIFT;
			struct page *page;
			pgoff_t n;
			int err;

			if (pc_page_cached(mapping, index)) {
				p = ((uint64_t)index + 1) << PAGE_SHIFT;
				continue;
			}
			err = pc_add_folio(NULL, mapping, index, write_folio_order(end - p),
					   PC_GFP_NOWAIT, &page);
			if (err)
				return err;
			n = folio_nr_pages(page);
			for (pgoff_t i = 0; i < n; i++) {
				struct page *q = i ? pc_page_at(mapping, index + i) : page;

				SetPageUptodate(q);
				unlock_page(q);
				put_page(q);
			}
			p = ((uint64_t)index + n) << PAGE_SHIFT;
		}
	}
	return 0;
}

/*
 * write_begin on a mapping with large folios: write_begin_get_folio()
 * (ext4 6.16+; iomap_get_folio() likewise): the folio at @pos, found, or
 * created with the order fgf_set_order(*@bytes) asks -- ilog2 of the
 * bytes, in pages, capped at the mapping's largest folio and the
 * alignment of the index (pc_add_folio()).  *@bytes is then cut at the
 * folio's end, as generic_perform_write() does (6.11+), and the folio's
 * pages in the range are locked into wi->locked.
 */
static bool write_begin_folio(struct write_iter *wi, struct address_space *mapping,
			      uint64_t pos, size_t *bytes, int *err)
{
	pgoff_t index = pos >> PAGE_SHIFT, last, end;
	unsigned int order;
	struct page *page;
	bool created = false;

	order = write_folio_order(*bytes);
	for (;;) {
		page = find_lock_page(wi->t, mapping, index);
		if (page)
			break;
		*err = pc_add_folio(wi->t, mapping, index, order, PC_GFP_KERNEL, &page);
		if (!*err) {
			created = true;
			break;
		}
		if (*err == -EBUSY) {
			sim_sleep(wi->t, 1000);	/* a truncated page still held */
			continue;
		}
		if (*err != -EEXIST)
			return false;
	}
	end = folio_index(page) + folio_nr_pages(page);
	*bytes = (size_t)MIN((uint64_t)*bytes, ((uint64_t)end << PAGE_SHIFT) - pos);
	last = (pos + *bytes - 1) >> PAGE_SHIFT;
	for (pgoff_t i = index; i <= last; i++) {
		bool whole = page_whole(i, pos, *bytes);
		struct page *p;

		if (i == index || created) {
			p = i == index ? page : pc_page_at(mapping, i);
			g_assert(p && PageLocked(p));
			p = write_begin_read(wi, p, whole, err);
		} else {
			p = write_begin_page(wi, mapping, i, whole, err);
		}
		if (!p)
			goto fail;
		wi->locked[wi->nr_locked++] = p;
	}
	return true;
fail:
	/* A created folio's pages not yet taken over hold our reference. */
	if (created)
		for (pgoff_t i = index + wi->nr_locked + 1; i <= last; i++) {
			struct page *p = pc_page_at(mapping, i);

			unlock_page(p);
			put_page(p);
		}
	write_unlock_pages(wi);
	return false;
}

/* write_begin: lock the pages of [@pos, @pos + *@bytes) -- one folio in
 * the kernel, one write_begin cost -- into wi->locked; false with *@err.
 * With large folios, *@bytes may be cut at the folio's end. */
static bool write_begin(struct write_iter *wi, struct address_space *mapping, uint64_t pos,
			size_t *bytes_p, int *err)
{
	size_t bytes = *bytes_p;
	pgoff_t first = pos >> PAGE_SHIFT, last = (pos + bytes - 1) >> PAGE_SHIFT;

	cpu_work(wi->t, write_cost(wi->ws, WRITE_COST_WRITE_BEGIN, wi->ws->p.write_begin));
	if (mapping_max_folio_size(mapping) > PAGE_SIZE)
		return write_begin_folio(wi, mapping, pos, bytes_p, err);
	for (pgoff_t index = first; index <= last; index++) {
		uint64_t start = MAX(pos, (uint64_t)index << PAGE_SHIFT);
		uint64_t end = MIN(pos + bytes, (uint64_t)(index + 1) << PAGE_SHIFT);
		struct page *page = write_begin_page(wi, mapping, index,
						     end - start == PAGE_SIZE, err);

		if (!page) {
			write_unlock_pages(wi);
			return false;
		}
		wi->locked[wi->nr_locked++] = page;
	}
	return true;
}

/* write_end: the bytes that count (all @copied, or none after a short copy
 * into a page that is not uptodate). */
static size_t write_end(struct write_iter *wi, uint64_t pos, size_t bytes, size_t copied)
{
	cpu_work(wi->t, write_cost(wi->ws, WRITE_COST_WRITE_END, wi->ws->p.write_end));
	for (unsigned int i = 0; copied < bytes && i < wi->nr_locked; i++)
		if (!PageUptodate(wi->locked[i]))
			copied = 0;
	for (unsigned int i = 0; copied && i < wi->nr_locked; i++) {
		struct page *page = wi->locked[i];
		uint64_t start = MAX(pos, (uint64_t)page_index(page) << PAGE_SHIFT);
		uint64_t end = MIN(pos + copied, (uint64_t)(page_index(page) + 1) << PAGE_SHIFT);

		if (end <= start)
			break;
		if (end - start == PAGE_SIZE)
			SetPageUptodate(page);
		if (set_page_dirty(page))
			wi->nr_dirtied++;
	}
	write_unlock_pages(wi);
	return copied;
}

ssize_t generic_perform_write(struct write_sys *ws, struct sim_task *t, struct mm_struct *mm,
			      uint64_t buf, struct address_space *mapping, uint64_t pos,
			      size_t len)
{
	const struct fs_prefault_policy *pf = ws->prefault;
	size_t chunk = ws->p.folio_chunks ? mapping_max_folio_size(mapping) : PAGE_SIZE;
	/* The pages of a chunk: one, or a folio's (on the heap: a task's
	 * stack is small). */
	struct page *one_page[1];
	struct write_iter wi = {
		.ws = ws, .t = t, .mm = mm,
		.locked = chunk > PAGE_SIZE ? g_new(struct page *, chunk >> PAGE_SHIFT) : one_page,
	};
	sim_time_t start = sim_now(ws->eng);
	ssize_t written = 0;
	int status = 0;

	cpu_work(t, write_cost(ws, WRITE_COST_SYSCALL, ws->p.syscall));
	(*ws->writes)++;
	if ((pos + len + PAGE_SIZE - 1) >> PAGE_SHIFT > pc_mapping_size(mapping)) {
		status = -ENOSPC;
		goto out;
	}
	while (len) {
		size_t bytes = len;
		unsigned int tries = 0;
		size_t copied;

		for (;;) {
			size_t raw;

			bytes = MIN(chunk - (pos & (chunk - 1)), bytes);
			(*ws->chunks)++;
			if (pf->prefault && pf->fault_in_readable(&wi, buf, bytes) == bytes) {
				status = -EFAULT;
				goto out;
			}
			if (!write_begin(&wi, mapping, pos, &bytes, &status))
				goto out;
			raw = copy_from_user_page(&wi, buf, bytes, pf->atomic_copy);
			copied = write_end(&wi, pos, bytes, raw);
			if (copied)
				break;
			/* A short copy: nothing was written.  Halve a folio
			 * chunk; retry with what the copy reached, or (it
			 * reached nothing) fault in and retry the same bytes. */
			(*ws->short_copies)++;
			if (chunk > PAGE_SIZE)
				chunk /= 2;
			if (++tries >= WRITE_RETRY_MAX || !pf->fault_in_readable) {
				status = -EFAULT;
				goto out;
			}
			if (raw) {
				bytes = raw;
				continue;
			}
			if (!pf->prefault && pf->fault_in_readable(&wi, buf, bytes) == bytes) {
				status = -EFAULT;
				goto out;
			}
		}
		pos += copied;
		buf += copied;
		len -= copied;
		written += (ssize_t)copied;
		/* generic_perform_write(): balance_dirty_pages_ratelimited()
		 * after every chunk (sim/kernel/writeback.h). */
		if (ws->wb)
			balance_dirty_pages_ratelimited(ws->wb, t, wi.nr_dirtied);
		wi.nr_dirtied = 0;
	}
out:
	if (wi.locked != one_page)
		g_free(wi.locked);
	sim_hist_record(ws->latency, (uint64_t)(sim_now(ws->eng) - start));
	return written ? written : status;
}
