/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dirty throttling and the flusher, after mm/page-writeback.c and
 * fs/fs-writeback.c (read in 5.x trees: balance_dirty_pages(),
 * domain_dirty_limits(), wb_max_pause(), wb_min_pause(), wb_writeback(),
 * wb_workfn(); the shape is the same from 4.19 to 6.x).
 *
 * One struct bdi_writeback per page cache: the machine has one disk, so
 * one backing device, and the global dirty domain is its only domain
 * (no cgroup writeback domains).  The page cache does the accounting
 * (sim/kernel/pagecache.h: NR_FILE_DIRTY per space and in all, b_dirty);
 * this module decides when a dirtier sleeps and when the flusher writes.
 *
 * Thresholds (domain_dirty_limits()).  The dirtyable memory is the free
 * frames plus the pages of files in the cache (global_dirtyable_memory()
 * without the reserves: the model has no per-zone reserve).  thresh =
 * vm.dirty_ratio % of it (or vm.dirty_bytes), bg_thresh =
 * vm.dirty_background_ratio % (or vm.dirty_background_bytes), and bg_thresh
 * >= thresh is cut to thresh / 2.  nr_dirty counts NR_FILE_DIRTY and
 * NR_WRITEBACK (every page under writeback, as the kernel's counter).
 *
 * balance_dirty_pages_ratelimited(): every task counts the pages it
 * dirtied (current->nr_dirtied); once they reach its nr_dirtied_pause (32
 * at first; 8 while the limit is exceeded), balance_dirty_pages():
 *	- at or below the freerun ceiling (thresh + bg_thresh) / 2: no pause;
 *	  the next check comes after dirty_poll_interval() pages, 2^(log2
 *	  (thresh - dirty) / 2);
 *	- above it: the flusher is started if idle, and the task sleeps
 *	  pages_dirtied / task_ratelimit, minus the time since its last pause
 *	  (its think time), where task_ratelimit = dirty_ratelimit x
 *	  pos_ratio; a pause shorter than min_pause is not taken (the pages
 *	  are carried to the next check); a longer one is cut to max_pause;
 *	- over thresh (dirty_exceeded): pos_ratio is 0, the task sleeps
 *	  max_pause and checks again, until it is under.
 * pos_ratio is the global control line of wb_position_ratio(): 1 + ((setpoint
 * - dirty) / (limit - setpoint))^3, clamped to [0, 2], with setpoint midway
 * between the freerun ceiling and limit = thresh.  max_pause is
 * wb_max_pause(): about an eighth of the time the device needs to write
 * the dirty pages, at most MAX_PAUSE (200 ms).  min_pause and the next
 * nr_dirtied_pause are wb_min_pause()'s: aim at 10 ms pauses (HZ/100 with
 * HZ = 1000), at most 32 pages between checks.
 *
 * Simplified: dirty_ratelimit is not the kernel's feedback estimate
 * (wb_update_dirty_ratelimit() converging on write_bw x task_ratelimit /
 * dirty_rate) but its equilibrium, the device's write bandwidth shared by
 * the tasks that were throttled in the last 200 ms; the per-wb control
 * line, the per-CPU bdp_ratelimits and the dirty_throttle_leaks are not
 * modelled.  The write bandwidth is wb_update_write_bandwidth()'s
 * estimate: every 200 ms of writeback, pages written (NR_WRITTEN) per
 * second, averaged over a 4 s period (roundup_pow_of_two(3 HZ)); it starts
 * at 100 MB/s (INIT_BW).
 *
 * The flusher ("flush", wb_workfn()) sleeps until woken for background
 * writeback or until the next periodic (kupdate) run,
 * vm.dirty_writeback_centisecs after the last; with nothing dirty it
 * sleeps until a dirtier's balance_dirty_pages_ratelimited() finds dirty
 * pages (the wb_wakeup_delayed() of __mark_inode_dirty(): the next kupdate
 * is an interval from then), so an idle machine schedules no events.  Background writeback
 * (wb_writeback() with for_background) writes while NR_FILE_DIRTY is over
 * bg_thresh (wb_over_bg_thresh()); kupdate writes the spaces dirtied more
 * than vm.dirty_expire_centisecs ago.  Each space in b_dirty order gets a
 * chunk of writeback_chunk_size() pages (half a second of bandwidth, at
 * least MIN_WRITEBACK_PAGES = 4 MiB, at most dirty_limit / 8 rounded
 * up), written as write_cache_pages() does with WB_SYNC_NONE from its
 * writeback_index round the file: lock_page(), skip a page already under
 * writeback, clear_page_dirty_for_io() (its ptes become clean and
 * read-only: the next write through them is a write-protect fault),
 * set_page_writeback(), unlock, ->writepage (the disk model's; the
 * flusher sleeps there when the device has no free request), and a space
 * with pages left goes to the back of the queue (requeue_io()).  A pass
 * that wrote nothing waits a jiffy (1 ms) for writeback to progress
 * (inode_sleep_on_writeback()).  The writes complete through the disk
 * model (end_page_writeback()).  The flusher spends no CPU time.
 *
 * Stable pages: with stable_writes (the device's
 * queue/stable_writes, BDI_CAP_STABLE_WRITES), page_mkwrite waits for a
 * page under writeback before letting it be written again
 * (wait_for_stable_page()); without, it does not.
 *
 * Measurements (module "writeback"): counters "throttled"
 * (balance_dirty_pages() calls above the freerun ceiling), "pauses"
 * (sleeps taken), "dirtyExceeded" (checks over thresh), "bgRuns",
 * "kupdateRuns", "pagesWritten" (pages the flusher started writing),
 * "stableWaits" (page_mkwrite waits for writeback); histogram "pause"
 * (ns per sleep), "throttleTime" (ns per balance_dirty_pages() call that
 * slept); scalars "dirtyThresh", "bgThresh" (pages, at the end),
 * "writeBandwidth" (pages/s, the estimate at the end).
 */
#ifndef FAULTSIM_SIM_WRITEBACK_H
#define FAULTSIM_SIM_WRITEBACK_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/core/task.h"
#include "sim/kernel/pagecache.h"

/* MAX_PAUSE (HZ/5), BANDWIDTH_INTERVAL (HZ/5), a jiffy at HZ = 1000. */
#define WB_JIFFY			NSEC_PER_MSEC
#define WB_MAX_PAUSE			(200 * NSEC_PER_MSEC)
#define WB_BANDWIDTH_INTERVAL		(200 * NSEC_PER_MSEC)
/* DIRTY_POLL_THRESH (128 KiB), MIN_WRITEBACK_PAGES (4 MiB), in pages. */
#define WB_DIRTY_POLL_THRESH		32u
#define WB_MIN_WRITEBACK_PAGES		1024u

/* The vm.* sysctls of dirty writeback and the device's stable_writes
 * (the keys vm.*, disk.stable_writes). */
struct writeback_params {
	unsigned int dirty_ratio;		/* % of dirtyable memory (20) */
	unsigned int dirty_background_ratio;	/* (10) */
	uint64_t dirty_bytes;			/* instead of dirty_ratio if set (0) */
	uint64_t dirty_background_bytes;	/* (0) */
	sim_time_t dirty_writeback_interval;	/* kupdate period (5 s); 0: none */
	sim_time_t dirty_expire_interval;	/* kupdate: dirty for longer (30 s) */
	bool stable_writes;			/* page_mkwrite waits for writeback (false) */
};

/* The defaults above (the keys' defaults: tests/test-model.c). */
void writeback_params_init(struct writeback_params *p);

struct dirty_task;

struct bdi_writeback {
	struct sim_engine *eng;
	struct page_cache *pc;
	struct writeback_params p;
	struct sim_task *flusher;
	bool flusher_idle;		/* blocked in wb_workfn(), wakeable */
	bool flusher_parked;		/* blocked with nothing dirty, no timeout */
	bool bg_work;			/* background work queued or running */
	sim_time_t next_kupdate;
	/* wb_update_write_bandwidth() */
	double write_bandwidth;		/* pages/s */
	sim_time_t bw_time_stamp;
	uint64_t written_stamp;
	bool dirty_exceeded;
	/* Dirtiers throttled in this and the last BANDWIDTH_INTERVAL. */
	sim_time_t window_start;
	unsigned int window_id, dirtiers, dirtiers_prev;
	GHashTable *tasks;		/* struct sim_task * -> struct dirty_task */
	uint64_t *throttled, *pauses, *dirty_exceeded_ctr, *bg_runs, *kupdate_runs,
		 *pages_written, *stable_waits;
	struct sim_hist *pause, *throttle_time;
	double *thresh_out, *bg_thresh_out, *bandwidth_out;
};

/* The writeback of @pc on @eng with @p (NULL: the defaults): its flusher
 * task "flush" is made here (a daemon; attach it to CPUs if wanted). */
struct bdi_writeback *wb_new(struct sim_engine *eng, struct page_cache *pc,
			     const struct writeback_params *p);
/* Free @wb (NULL allowed), after the last sim_run(). */
void wb_free(struct bdi_writeback *wb);

/* domain_dirty_limits(): the thresholds now, in pages. */
void wb_dirty_limits(const struct bdi_writeback *wb, uint64_t *thresh, uint64_t *bg_thresh);
/* NR_FILE_DIRTY + NR_WRITEBACK. */
uint64_t wb_nr_dirty(const struct bdi_writeback *wb);

/*
 * The dirtier @t has dirtied @nr_dirtied more pages (0: a write to a page
 * that was dirty already, as page_mkwrite's): throttle it if its count
 * reached its ratelimit.  Sleeps.  Returns the ns it slept.
 */
sim_time_t balance_dirty_pages_ratelimited(struct bdi_writeback *wb, struct sim_task *t,
					   unsigned int nr_dirtied);
/* wait_for_stable_page(): with stable_writes, wait for @page's writeback. */
void wb_wait_for_stable_page(struct bdi_writeback *wb, struct sim_task *t, struct page *page);
/* wb_start_background_writeback(): wake the flusher for background work. */
void wb_start_background_writeback(struct bdi_writeback *wb);
/* At the end of a run: the threshold and bandwidth scalars. */
void wb_stats_finish(struct bdi_writeback *wb);

#endif /* FAULTSIM_SIM_WRITEBACK_H */
