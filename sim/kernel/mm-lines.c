/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shared lines of a minor anonymous fault (see mm-lines.h).
 */
#include "config.h"

#include "sim/core/stats.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/mm-lines.h"
#include "sim/kernel/mm.h"

void mm_lines_params_init(struct mm_lines_params *p)
{
	*p = (struct mm_lines_params){
		.pcp_batch = 63, .zone_lock_page = 60, .memcg_batch = 64, .memcg_levels = 2,
		.lru_batch = 15, .lru_lock_page = 20, .rss = RSS_TASK_CACHE,
	};
}

struct mm_lines *mm_lines_new(struct sim_engine *eng, const struct sim_cacheline_cost *cost,
			      unsigned int nr_cpus, const struct mm_lines_params *p)
{
	struct sim_stats *st = sim_engine_stats(eng);
	struct mm_lines *l = g_new0(struct mm_lines, 1);

	g_assert(nr_cpus > 0);
	l->cost = cost;
	if (p)
		l->p = *p;
	else
		mm_lines_params_init(&l->p);
	l->nr_cpus = nr_cpus;
	l->cpu = g_new0(struct mm_lines_cpu, nr_cpus);
	l->memcg_usage = g_new0(struct sim_cacheline, MAX(l->p.memcg_levels, 1));
	l->zone_refills = sim_stats_counter_unit(st, "lines", "zoneRefills", "refills",
						 "rmqueue_bulk() refills of a CPU's page list under "
						 "zone->lock");
	l->memcg_refills = sim_stats_counter_unit(st, "lines", "memcgRefills", "refills",
						  "memcg charge stock refills (page_counter_try_charge())");
	l->lru_drains = sim_stats_counter_unit(st, "lines", "lruDrains", "drains",
					       "LRU add batches moved under the lruvec lock");
	l->rss_syncs = sim_stats_counter_unit(st, "lines", "rssSyncs", "syncs",
					      "RSS counter updates that reached the mm's shared "
					      "count");
	return l;
}

void mm_lines_free(struct mm_lines *l)
{
	if (!l)
		return;
	g_free(l->cpu);
	g_free(l->memcg_usage);
	g_free(l);
}

/* The RSS update of one new page (inc_mm_counter()). */
static void rss_stat_add(struct mm_lines *l, struct mm_lines_cpu *c, struct mm_struct *mm,
			 struct sim_task *t)
{
	if (l->p.rss == RSS_TASK_CACHE) {
		/* check_sync_rss_stat(): events++ > TASK_RSS_EVENTS_THRESH,
		 * then sync_mm_rss(): an atomic_long_add() on the mm's count. */
		if (c->rss_events++ <= 64)
			return;
		c->rss_events = 0;
		(*l->rss_syncs)++;
		cacheline_access(&mm->rss_line, l->cost, t);
		return;
	}
	/* percpu_counter_add(): past the batch, fbc->lock and fbc->count. */
	if (++c->rss_events < (long)MAX(32u, 2 * l->nr_cpus))
		return;
	c->rss_events = 0;
	(*l->rss_syncs)++;
	cacheline_lock(&mm->rss_line, l->cost, t, 0);
}

/* The caches of the CPU @t runs on (NULL: not on a CPU). */
static struct mm_lines_cpu *lines_cpu(struct mm_lines *l, struct sim_task *t)
{
	int cpu = sim_task_cpu(t);

	return cpu < 0 ? NULL : &l->cpu[(unsigned int)cpu % l->nr_cpus];
}

void mm_anon_fault_lines(struct sim_task *t, struct mm_struct *mm, uint64_t addr)
{
	struct mm_lines *l = mm->lines;
	struct mm_lines_cpu *c;
	struct sim_cacheline *ptl;

	if (!l || !t || !(c = lines_cpu(l, t)))
		return;
	/* __rmqueue_pcplist(): an empty list is refilled from the zone. */
	if (l->p.pcp_batch) {
		if (!c->pcp_count) {
			c->pcp_count = l->p.pcp_batch;
			(*l->zone_refills)++;
			cacheline_lock(&l->zone_lock, l->cost, t,
				       l->p.zone_lock_page * l->p.pcp_batch);
			if (!(c = lines_cpu(l, t)))
				return;
		}
		c->pcp_count--;
	}
	/* try_charge_memcg(): consume_stock(), else charge a batch. */
	if (l->p.memcg_batch) {
		if (!c->memcg_stock) {
			c->memcg_stock = l->p.memcg_batch;
			(*l->memcg_refills)++;
			for (unsigned int i = 0; i < l->p.memcg_levels; i++)
				cacheline_access(&l->memcg_usage[i], l->cost, t);
			if (!(c = lines_cpu(l, t)))
				return;
		}
		c->memcg_stock--;
	}
	/* The pte under the split page-table lock of its table (none yet:
	 * the table's first pte, whose lock nobody else can hold). */
	ptl = mm_ptl_line(mm, addr);
	if (ptl)
		cacheline_lock(ptl, l->cost, t, 0);
	if (!(c = lines_cpu(l, t)))
		return;
	rss_stat_add(l, c, mm, t);
	/* folio_add_lru_vma(): a full batch goes to the LRU. */
	if (!(c = lines_cpu(l, t)))
		return;
	if (l->p.lru_batch && ++c->lru_batch >= l->p.lru_batch) {
		c->lru_batch = 0;
		(*l->lru_drains)++;
		cacheline_lock(&l->lru_lock, l->cost, t, l->p.lru_lock_page * l->p.lru_batch);
	}
}

void vma_ref_atomic(struct sim_task *t, struct vm_area_struct *vma)
{
	cacheline_access(&vma->vm_ref_line, vma->vm_mm->line_cost, t);
}
