/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dirty throttling (balance_dirty_pages()) and the flusher (wb_workfn());
 * see writeback.h for what is modelled and what is simplified.
 *
 * Ordering: the flusher takes page locks (lock_page(), may sleep) and
 * sleeps in ->writepage with no page locked; a dirtier sleeps in
 * balance_dirty_pages() with no page locked (the fault path unlocks the
 * page first, fault_dirty_shared_page(), and may or may not hold mmap_sem:
 * the dirty_throttle policy).
 */
#include "config.h"

#include <math.h>

#include "sim/core/stats.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/writeback.h"

/* INIT_BW: 100 MB/s in pages. */
#define WB_INIT_BW		(100.0 * 1024 * 1024 / PAGE_SIZE)
/* The write bandwidth's averaging period: roundup_pow_of_two(3 * HZ). */
#define WB_BW_PERIOD		(4096 * WB_JIFFY)
/* wb_min_pause()'s target pause, HZ/100 at HZ = 1000. */
#define WB_TARGET_PAUSE		(10 * WB_JIFFY)
/* A pass of background writeback that wrote nothing waits this long. */
#define WB_RETRY_SLEEP		WB_JIFFY

static void wb_wakeup(struct bdi_writeback *wb);

/* current->nr_dirtied, nr_dirtied_pause, dirty_paused_when. */
struct dirty_task {
	uint64_t nr_dirtied;
	uint64_t nr_dirtied_pause;
	sim_time_t dirty_paused_when;
	unsigned int window;		/* last window in which it was throttled */
};

void writeback_params_init(struct writeback_params *p)
{
	*p = (struct writeback_params){
		.dirty_ratio = 20,
		.dirty_background_ratio = 10,
		.dirty_writeback_interval = 5 * NSEC_PER_SEC,
		.dirty_expire_interval = 30 * NSEC_PER_SEC,
	};
}

/* ------------------------------------------------------------------ */
/* Thresholds */

/* global_dirtyable_memory(): free frames and file pages. */
static uint64_t global_dirtyable_memory(const struct bdi_writeback *wb)
{
	return pc_nr_free(wb->pc) + pc_nr_file_pages(wb->pc);
}

void wb_dirty_limits(const struct bdi_writeback *wb, uint64_t *thresh, uint64_t *bg_thresh)
{
	const struct writeback_params *p = &wb->p;
	uint64_t avail = global_dirtyable_memory(wb);
	uint64_t t, bg;

	t = p->dirty_bytes ? (p->dirty_bytes + PAGE_SIZE - 1) / PAGE_SIZE :
		avail * p->dirty_ratio / 100;
	bg = p->dirty_background_bytes ?
		(p->dirty_background_bytes + PAGE_SIZE - 1) / PAGE_SIZE :
		avail * p->dirty_background_ratio / 100;
	if (bg >= t)
		bg = t / 2;
	*thresh = t;
	*bg_thresh = bg;
}

uint64_t wb_nr_dirty(const struct bdi_writeback *wb)
{
	return pc_nr_dirty(wb->pc) + pc_nr_writeback(wb->pc);
}

static uint64_t dirty_freerun_ceiling(uint64_t thresh, uint64_t bg_thresh)
{
	return (thresh + bg_thresh) / 2;
}

/* 2^(ilog2(thresh - dirty) / 2) pages until the next check. */
static uint64_t dirty_poll_interval(uint64_t dirty, uint64_t thresh)
{
	if (thresh > dirty) {
		unsigned int log = 63 - (unsigned int)__builtin_clzll(thresh - dirty);

		return UINT64_C(1) << (log >> 1);
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* The write bandwidth and the dirtiers */

/* wb_update_write_bandwidth(), once per BANDWIDTH_INTERVAL of writeback. */
static void wb_update_bandwidth(struct bdi_writeback *wb)
{
	sim_time_t now = sim_now(wb->eng);
	sim_time_t elapsed = now - wb->bw_time_stamp;
	uint64_t written = pc_nr_written(wb->pc);
	double bw;

	if (elapsed < WB_BANDWIDTH_INTERVAL)
		return;
	/* Idle since the last stamp: start a new interval (the kernel skips
	 * bandwidth updates while the wb has nothing under writeback). */
	if (written != wb->written_stamp || pc_nr_writeback(wb->pc)) {
		if (elapsed > WB_BW_PERIOD)
			elapsed = WB_BW_PERIOD;
		bw = (double)(written - wb->written_stamp) * NSEC_PER_SEC / (double)elapsed;
		wb->write_bandwidth = (bw * (double)elapsed +
				       wb->write_bandwidth * (double)(WB_BW_PERIOD - elapsed)) /
			(double)WB_BW_PERIOD;
	}
	wb->bw_time_stamp = now;
	wb->written_stamp = written;
}

/* A throttled dirtier counts in this window (and the next). */
static unsigned int wb_dirtiers(struct bdi_writeback *wb, struct dirty_task *dt)
{
	sim_time_t now = sim_now(wb->eng);

	if (now - wb->window_start >= WB_BANDWIDTH_INTERVAL) {
		bool consecutive = now - wb->window_start < 2 * WB_BANDWIDTH_INTERVAL;

		wb->dirtiers_prev = consecutive ? wb->dirtiers : 0;
		wb->dirtiers = 0;
		wb->window_id++;
		wb->window_start = now;
	}
	if (dt->window != wb->window_id) {
		dt->window = wb->window_id;
		wb->dirtiers++;
	}
	return MAX(MAX(wb->dirtiers, wb->dirtiers_prev), 1u);
}

/* The global control line of wb_position_ratio(). */
static double pos_ratio_of(uint64_t dirty, uint64_t freerun, uint64_t limit)
{
	double setpoint = ((double)freerun + (double)limit) / 2;
	double x;

	if (dirty >= limit)
		return 0;
	x = (setpoint - (double)dirty) / ((double)limit - setpoint + 1);
	return CLAMP(1 + x * x * x, 0.0, 2.0);
}

/*
 * wb_max_pause(): meant as ~1/8 of the time to write @wb_dirty pages.
 * Known to differ from the kernel (docs/kernel.md section 5): the kernel
 * divides the bandwidth by 128 and reads the quotient in jiffies; this
 * divides it by 8 and reads seconds, ~64 times the kernel's bound, so the
 * pause is MAX_PAUSE once a fortieth of a second of writing is dirty.
 * Fixing it changes every dirty-throttled trajectory (and the README's
 * tables), which is left for a change of its own.
 */
static sim_time_t wb_max_pause(const struct bdi_writeback *wb, uint64_t wb_dirty)
{
	double t = (double)wb_dirty / (wb->write_bandwidth / 8 + 1) * NSEC_PER_SEC;

	return MIN((sim_time_t)t + WB_JIFFY, WB_MAX_PAUSE);
}

/* wb_min_pause(): the shortest pause worth taking, and the pages to
 * dirty before the next check (*@nr_dirtied_pause). */
static sim_time_t wb_min_pause(sim_time_t max_pause, double dirty_ratelimit,
			       uint64_t *nr_dirtied_pause)
{
	sim_time_t t = MIN(WB_TARGET_PAUSE, max_pause / 2);
	double pages = dirty_ratelimit * (double)t / NSEC_PER_SEC;

	if (t < WB_JIFFY)
		t = WB_JIFFY;
	if (pages < WB_DIRTY_POLL_THRESH) {
		t = max_pause;
		pages = dirty_ratelimit * (double)t / NSEC_PER_SEC;
		if (pages > WB_DIRTY_POLL_THRESH) {
			pages = WB_DIRTY_POLL_THRESH;
			t = (sim_time_t)(WB_DIRTY_POLL_THRESH * NSEC_PER_SEC / dirty_ratelimit);
		}
	}
	*nr_dirtied_pause = MAX((uint64_t)pages, UINT64_C(1));
	return pages >= WB_DIRTY_POLL_THRESH ? WB_JIFFY + t / 2 : t;
}

/* ------------------------------------------------------------------ */
/* balance_dirty_pages() */

static sim_time_t balance_dirty_pages(struct bdi_writeback *wb, struct sim_task *t,
				      struct dirty_task *dt, uint64_t pages_dirtied)
{
	sim_time_t start = sim_now(wb->eng), slept = 0;
	uint64_t thresh, bg_thresh, nr_reclaimable, nr_dirty;

	for (;;) {
		sim_time_t now = sim_now(wb->eng);
		sim_time_t max_pause, min_pause, period, pause;
		double dirty_ratelimit, task_ratelimit;
		uint64_t freerun, nr_dirtied_pause;

		nr_reclaimable = pc_nr_dirty(wb->pc);
		nr_dirty = wb_nr_dirty(wb);
		wb_dirty_limits(wb, &thresh, &bg_thresh);
		freerun = dirty_freerun_ceiling(thresh, bg_thresh);
		if (nr_dirty <= freerun) {
			dt->dirty_paused_when = now;
			dt->nr_dirtied = 0;
			dt->nr_dirtied_pause = dirty_poll_interval(nr_dirty, thresh);
			break;
		}
		(*wb->throttled)++;
		if (!wb->bg_work)
			wb_start_background_writeback(wb);
		wb->dirty_exceeded = nr_dirty > thresh;
		if (wb->dirty_exceeded)
			(*wb->dirty_exceeded_ctr)++;
		wb_update_bandwidth(wb);

		dirty_ratelimit = MAX(wb->write_bandwidth / wb_dirtiers(wb, dt), 1.0);
		task_ratelimit = dirty_ratelimit * pos_ratio_of(nr_dirty, freerun, thresh);
		max_pause = wb_max_pause(wb, nr_dirty);
		min_pause = wb_min_pause(max_pause, dirty_ratelimit, &nr_dirtied_pause);
		if (task_ratelimit <= 0) {
			period = max_pause;
			pause = max_pause;
			goto pause;
		}
		period = (sim_time_t)((double)pages_dirtied * NSEC_PER_SEC / task_ratelimit);
		pause = period;
		if (dt->dirty_paused_when)
			pause -= now - dt->dirty_paused_when;
		if (pause < min_pause) {
			/* Not worth a sleep: the think time paid for it, or
			 * the pages are carried to the next check. */
			if (pause < -NSEC_PER_SEC) {
				dt->dirty_paused_when = now;
				dt->nr_dirtied = 0;
			} else if (period) {
				dt->dirty_paused_when += period;
				dt->nr_dirtied = 0;
			} else if (dt->nr_dirtied_pause <= pages_dirtied) {
				dt->nr_dirtied_pause += pages_dirtied;
			}
			break;
		}
		if (pause > max_pause)
			pause = max_pause;
pause:
		(*wb->pauses)++;
		sim_hist_record(wb->pause, (uint64_t)pause);
		sim_sleep(t, pause);		/* io_schedule_timeout() */
		slept += pause;
		dt->dirty_paused_when = now + pause;
		dt->nr_dirtied = 0;
		dt->nr_dirtied_pause = nr_dirtied_pause;
		/* A task whose rate is not zero has paid for its pages. */
		if (task_ratelimit > 0)
			break;
	}
	if (wb->dirty_exceeded && nr_dirty <= thresh)
		wb->dirty_exceeded = false;
	if (!wb->bg_work && nr_reclaimable > bg_thresh)
		wb_start_background_writeback(wb);
	if (slept)
		sim_hist_record(wb->throttle_time, (uint64_t)(sim_now(wb->eng) - start));
	return slept;
}

static struct dirty_task *dirty_task_of(struct bdi_writeback *wb, struct sim_task *t)
{
	struct dirty_task *dt = g_hash_table_lookup(wb->tasks, t);

	if (!dt) {
		dt = g_new0(struct dirty_task, 1);
		/* init_task's nr_dirtied_pause: 128 KiB. */
		dt->nr_dirtied_pause = WB_DIRTY_POLL_THRESH;
		dt->window = UINT_MAX;
		g_hash_table_insert(wb->tasks, t, dt);
	}
	return dt;
}

sim_time_t balance_dirty_pages_ratelimited(struct bdi_writeback *wb, struct sim_task *t,
					   unsigned int nr_dirtied)
{
	struct dirty_task *dt = dirty_task_of(wb, t);
	uint64_t ratelimit = dt->nr_dirtied_pause;

	/* __mark_inode_dirty() of the first dirty space: wb_wakeup_delayed(),
	 * kupdate dirty_writeback_interval from now. */
	if (wb->flusher_parked && pc_nr_dirty(wb->pc)) {
		wb->next_kupdate = sim_now(wb->eng) + wb->p.dirty_writeback_interval;
		wb_wakeup(wb);
	}

	dt->nr_dirtied += nr_dirtied;	/* account_page_dirtied()'s share */
	if (wb->dirty_exceeded)
		ratelimit = MIN(ratelimit, UINT64_C(32) >> (PAGE_SHIFT - 10));
	if (dt->nr_dirtied < ratelimit)
		return 0;
	return balance_dirty_pages(wb, t, dt, dt->nr_dirtied);
}

void wb_wait_for_stable_page(struct bdi_writeback *wb, struct sim_task *t, struct page *page)
{
	if (!wb->p.stable_writes || !PageWriteback(page))
		return;
	(*wb->stable_waits)++;
	wait_on_page_writeback(t, page);
}

/* ------------------------------------------------------------------ */
/* The flusher */

static void wb_wakeup(struct bdi_writeback *wb)
{
	if (wb->flusher_idle) {
		wb->flusher_idle = false;
		sim_wake(wb->flusher);
	}
}

void wb_start_background_writeback(struct bdi_writeback *wb)
{
	wb->bg_work = true;
	wb_wakeup(wb);
}

/* wb_over_bg_thresh(). */
static bool wb_over_bg_thresh(const struct bdi_writeback *wb)
{
	uint64_t thresh, bg_thresh;

	wb_dirty_limits(wb, &thresh, &bg_thresh);
	return pc_nr_dirty(wb->pc) > bg_thresh;
}

/* writeback_chunk_size() of WB_SYNC_NONE work. */
static uint64_t writeback_chunk_size(const struct bdi_writeback *wb)
{
	uint64_t thresh, bg_thresh, pages;

	wb_dirty_limits(wb, &thresh, &bg_thresh);
	pages = MIN((uint64_t)(wb->write_bandwidth / 2), thresh / 8);
	return (pages + WB_MIN_WRITEBACK_PAGES) / WB_MIN_WRITEBACK_PAGES * WB_MIN_WRITEBACK_PAGES;
}

/* write_cache_pages() with WB_SYNC_NONE and range_cyclic: up to
 * @nr_to_write dirty pages of @mapping from its writeback_index. */
static uint64_t write_cache_pages(struct bdi_writeback *wb, struct sim_task *t,
				  struct address_space *mapping, uint64_t nr_to_write)
{
	pgoff_t *wb_index = pc_mapping_writeback_index(mapping);
	pgoff_t index = *wb_index, end = pc_mapping_size(mapping);
	bool wrapped = index == 0;
	uint64_t written = 0;

	while (written < nr_to_write) {
		struct page *page = find_get_dirty_page(mapping, &index);

		if (!page || index >= end) {
			if (page)
				put_page(page);
			if (wrapped)
				break;
			wrapped = true;
			end = *wb_index;
			index = 0;
			continue;
		}
		lock_page(t, page);
		/* Truncated, cleaned meanwhile, or under writeback already
		 * (WB_SYNC_NONE does not wait for it). */
		if (page_mapping(page) != mapping || !PageDirty(page) || PageWriteback(page) ||
		    !clear_page_dirty_for_io(page)) {
			unlock_page(page);
			put_page(page);
			index++;
			continue;
		}
		set_page_writeback(page);
		unlock_page(page);
		if (pc_writepage(t, page)) {
			written++;
			(*wb->pages_written)++;
		}
		put_page(page);
		index++;
	}
	*wb_index = index;
	return written;
}

/* One pass over b_dirty: each space (dirtied before @older_than, for
 * kupdate) gets a chunk; a space with pages left goes to the back
 * (requeue_io(), keeping its dirtied_when). */
static uint64_t writeback_pass(struct bdi_writeback *wb, struct sim_task *t,
			       sim_time_t older_than)
{
	g_autoptr(GPtrArray) io = g_ptr_array_new();
	uint64_t written = 0, chunk = writeback_chunk_size(wb);
	struct address_space *mapping;

	/* queue_io(): the spaces to write, in b_dirty order. */
	for (unsigned int n = 0; (mapping = pc_dirty_mapping(wb->pc, n)); n++)
		if (pc_mapping_dirtied_when(mapping) <= older_than)
			g_ptr_array_add(io, mapping);
	for (guint i = 0; i < io->len; i++) {
		mapping = io->pdata[i];
		/* Still dirty (the page cache keeps spaces while we sleep). */
		if (!pc_mapping_nr_dirty(mapping))
			continue;
		written += write_cache_pages(wb, t, mapping, chunk);
		if (pc_mapping_nr_dirty(mapping))
			pc_mapping_requeue(mapping);
	}
	return written;
}

/* wb_writeback() of background work: while over the background
 * threshold. */
static void wb_background(struct bdi_writeback *wb, struct sim_task *t)
{
	(*wb->bg_runs)++;
	while (wb_over_bg_thresh(wb)) {
		wb_update_bandwidth(wb);
		if (!writeback_pass(wb, t, INT64_MAX))
			sim_sleep(t, WB_RETRY_SLEEP);	/* inode_sleep_on_writeback() */
	}
	wb->bg_work = false;
}

/* wb_check_old_data_flush(): kupdate. */
static void wb_kupdate(struct bdi_writeback *wb, struct sim_task *t)
{
	sim_time_t now = sim_now(wb->eng);

	(*wb->kupdate_runs)++;
	if (now >= wb->p.dirty_expire_interval)
		writeback_pass(wb, t, now - wb->p.dirty_expire_interval);
	wb->next_kupdate = sim_now(wb->eng) + wb->p.dirty_writeback_interval;
}

static void wb_workfn(struct sim_task *t, void *arg)
{
	struct bdi_writeback *wb = arg;

	for (;;) {
		sim_time_t now = sim_now(wb->eng);

		if (wb->bg_work) {
			wb_background(wb, t);
			continue;
		}
		if (wb->p.dirty_writeback_interval && now >= wb->next_kupdate) {
			wb_kupdate(wb, t);
			continue;
		}
		wb->flusher_idle = true;
		if (wb->p.dirty_writeback_interval && pc_nr_dirty(wb->pc)) {
			sim_block_timeout(t, wb->next_kupdate - now);
		} else {
			/* Nothing dirty: asleep until a dirtier arms the
			 * delayed wake-up (wb_wakeup_delayed()). */
			wb->flusher_parked = true;
			sim_block(t);
			wb->flusher_parked = false;
		}
		wb->flusher_idle = false;
	}
}

/* ------------------------------------------------------------------ */
/* Set-up */

struct bdi_writeback *wb_new(struct sim_engine *eng, struct page_cache *pc,
			     const struct writeback_params *p)
{
	struct bdi_writeback *wb = g_new0(struct bdi_writeback, 1);
	struct sim_stats *st = sim_engine_stats(eng);

	wb->eng = eng;
	wb->pc = pc;
	if (p)
		wb->p = *p;
	else
		writeback_params_init(&wb->p);
	wb->write_bandwidth = WB_INIT_BW;
	wb->next_kupdate = wb->p.dirty_writeback_interval;
	wb->tasks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
#define COUNTER(name, unit, what) sim_stats_counter_unit(st, "writeback", name, unit, what)
	wb->throttled = COUNTER("throttled", "calls",
				"balance_dirty_pages() checks above the freerun ceiling");
	wb->pauses = COUNTER("pauses", "sleeps", "dirtier sleeps in balance_dirty_pages()");
	wb->dirty_exceeded_ctr = COUNTER("dirtyExceeded", "calls",
					 "balance_dirty_pages() checks over the dirty threshold");
	wb->bg_runs = COUNTER("bgRuns", "runs", "background writeback runs of the flusher");
	wb->kupdate_runs = COUNTER("kupdateRuns", "runs", "periodic (kupdate) flusher runs");
	wb->pages_written = COUNTER("pagesWritten", "pages",
				    "pages the flusher started writing");
	wb->stable_waits = COUNTER("stableWaits", "waits",
				   "page_mkwrite waits for a page under writeback (stable pages)");
#undef COUNTER
	wb->pause = sim_stats_hist_unit(st, "writeback", "pause", "ns",
					"one dirtier sleep in balance_dirty_pages()");
	wb->throttle_time = sim_stats_hist_unit(st, "writeback", "throttleTime", "ns",
						"balance_dirty_pages() calls that slept: time in it");
	wb->thresh_out = sim_stats_scalar_unit(st, "writeback", "dirtyThresh", "pages",
					       "dirty threshold at the end");
	wb->bg_thresh_out = sim_stats_scalar_unit(st, "writeback", "bgThresh", "pages",
						  "background threshold at the end");
	wb->bandwidth_out = sim_stats_scalar_unit(st, "writeback", "writeBandwidth", "pages/s",
						  "write bandwidth estimate at the end");
	wb->flusher = sim_task_spawn(eng, "flush", wb_workfn, wb);
	sim_task_set_daemon(wb->flusher, true);
	return wb;
}

void wb_free(struct bdi_writeback *wb)
{
	if (!wb)
		return;
	g_hash_table_destroy(wb->tasks);
	g_free(wb);
}

void wb_stats_finish(struct bdi_writeback *wb)
{
	uint64_t thresh, bg_thresh;

	wb_dirty_limits(wb, &thresh, &bg_thresh);
	*wb->thresh_out = (double)thresh;
	*wb->bg_thresh_out = (double)bg_thresh;
	*wb->bandwidth_out = wb->write_bandwidth;
}
