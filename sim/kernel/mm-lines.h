/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shared cache lines a minor anonymous fault touches besides the lock
 * word that holds its VMA (mmap_sem's or the VMA lock's): each is a line
 * of sim/kernel/cacheline.h, moved between CPUs at the machine's
 * transfer latency, most of them behind a per-CPU cache that only goes
 * to the shared line once per batch.  After do_anonymous_page() in
 * mm/memory.c (docs/kernel.md, "The shared lines of a fault", has the
 * versions and functions read):
 *
 *	anon_vma     the first fault of a VMA: anon_vma_prepare() takes
 *	             the new anon_vma's lock (and mm->page_table_lock); once
 *	             per VMA (a split keeps it)
 *	zone lock    the page allocator: each CPU's per-CPU list (pcp)
 *	             hands out pages; an empty list is refilled by
 *	             rmqueue_bulk() with pcp->batch pages under zone->lock,
 *	             a spinlock held for the batch (per page: a cold struct
 *	             page taken off the buddy list, @zone_lock_page)
 *	memcg        mem_cgroup_charge(): each CPU's charge stock
 *	             (consume_stock()) covers a page; an empty stock is
 *	             refilled with MEMCG_CHARGE_BATCH pages by
 *	             page_counter_try_charge(), an atomic on the counter's
 *	             usage line at each level of the hierarchy
 *	PTL          the page-table lock of the pte table (split PTL: one per
 *	             table of 512 ptes, 2 MiB of address space), taken to
 *	             install the pte: faults of one table share it
 *	RSS          inc_mm_counter(MM_ANONPAGES): up to 6.1 a per-task cache
 *	             (SPLIT_RSS_COUNTING) synced into the mm's atomic
 *	             counters once more than TASK_RSS_EVENTS_THRESH (64)
 *	             faults of the task went by (check_sync_rss_stat()); from
 *	             6.2 a percpu_counter that folds into the mm's shared
 *	             count under its spinlock every percpu_counter_batch
 *	             (max(32, 2 x CPUs)) pages
 *	LRU lock     folio_add_lru_vma(): each CPU's LRU add batch
 *	             (pagevec/folio_batch of PAGEVEC_SIZE, 15 pages) is moved
 *	             onto the LRU under the lruvec lock when full (per page:
 *	             @lru_lock_page)
 *
 * Per-CPU state (what each CPU has left in its pcp list, its memcg stock,
 * its LRU batch; its RSS events) is kept by the CPU the task runs on: the
 * kernel's RSS cache is per task, the same while a thread stays on its
 * CPU.  The zone, the memcg and the lruvec are one each (one node, one
 * memory cgroup).  The costs of the work done in the critical sections
 * are CPU time of the faulting task, as its other fault costs.
 */
#ifndef FAULTSIM_SIM_MM_LINES_H
#define FAULTSIM_SIM_MM_LINES_H

#include <stdint.h>
#include "sim/core/engine.h"
#include "sim/kernel/cacheline.h"

/* How the mm keeps its RSS counters (by kernel version). */
enum mm_rss_stat {
	RSS_TASK_CACHE,		/* <= 6.1: SPLIT_RSS_COUNTING, per-task cache */
	RSS_PERCPU,		/* 6.2+: percpu_counter (f1a7941243c1) */
};

struct mm_lines_params {
	unsigned int pcp_batch;		/* pages per rmqueue_bulk() refill; 0: off */
	sim_time_t zone_lock_page;	/* ns per page under zone->lock */
	unsigned int memcg_batch;	/* MEMCG_CHARGE_BATCH; 0: no memcg */
	unsigned int memcg_levels;	/* page counters charged per refill */
	unsigned int lru_batch;		/* PAGEVEC_SIZE; 0: off */
	sim_time_t lru_lock_page;	/* ns per page under the lruvec lock */
	enum mm_rss_stat rss;
};

/* One CPU's caches in front of the shared lines. */
struct mm_lines_cpu {
	unsigned int pcp_count;		/* pages left in its pcp list */
	unsigned int memcg_stock;	/* pages charged ahead */
	unsigned int lru_batch;		/* pages waiting in its LRU add batch */
	long rss_events;		/* RSS updates not yet in the mm's count */
};

/* The shared lines of one machine (the mms' own are in struct mm_struct). */
struct mm_lines {
	const struct sim_cacheline_cost *cost;
	struct mm_lines_params p;
	unsigned int nr_cpus;
	struct mm_lines_cpu *cpu;
	struct sim_cacheline zone_lock;
	struct sim_cacheline *memcg_usage;	/* memcg_levels of them */
	struct sim_cacheline lru_lock;
	uint64_t *zone_refills, *memcg_refills, *lru_drains, *rss_syncs;
};

/* Defaults: the linux-6.1 values (docs/kernel.md). */
void mm_lines_params_init(struct mm_lines_params *p);
/* The lines of a machine of @nr_cpus CPUs on @eng, moved at @cost
 * (NULL: no transfers, only the critical sections' CPU time).
 * Measurements (module "lines"): counters "zoneRefills",
 * "memcgRefills", "lruDrains", "rssSyncs". */
struct mm_lines *mm_lines_new(struct sim_engine *eng, const struct sim_cacheline_cost *cost,
			      unsigned int nr_cpus, const struct mm_lines_params *p);
void mm_lines_free(struct mm_lines *l);

#endif /* FAULTSIM_SIM_MM_LINES_H */
