/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File-reading workload groups (kind = file): threads reading the pages of
 * one file through the page cache, as read(2) does (filemap_read_page():
 * lookup, readahead on a miss or at the PG_readahead marker, wait for the
 * page to be uptodate).  A fraction of the accesses also lock the page and
 * hold it while computing, as a write's write_begin does, so that threads
 * meeting on hot pages contend for the page lock (the page_lock policy).
 *
 * Access pattern: sequential (each thread its own cursor, wrapping at the
 * end of the file) unless workload.NAME.pattern gives a distribution of
 * page ranks over the file (zipf(S): rank 0 hottest; uniform(0,1): any).
 */
#include "config.h"

#include "sim/core/histogram.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/readahead.h"
#include "sim/core/stats.h"
#include "sim/model/workload-private.h"

struct file_thread {
	struct group *g;
	struct file_ra_state ra;
	pgoff_t cursor;
};

static pgoff_t next_index(struct file_thread *ft)
{
	struct group *g = ft->g;

	if (!g->pattern) {
		pgoff_t i = ft->cursor;

		ft->cursor = (ft->cursor + g->read_pages) % g->file_pages;
		return i;
	}
	return (pgoff_t)sim_dist_sample_index(g->pattern, g->rng);
}

static void file_thread(struct sim_task *t, void *arg)
{
	struct file_thread *ft = arg;
	struct group *g = ft->g;
	struct sim_engine *eng = g->w->eng;

	for (uint64_t i = 0; !g->ops_per_thread || i < g->ops_per_thread; i++) {
		pgoff_t index = next_index(ft);
		bool lock = g->lock_fraction > 0 && gsl_rng_uniform(g->rng) < g->lock_fraction;
		sim_time_t start = sim_now(eng);
		int err = 0;

		cpu_work(t, sim_dist_sample_ns(g->work, g->rng));
		struct page *page = filemap_read_page(t, g->mapping, &ft->ra, index,
						      g->read_pages, &err);

		if (!page) {
			(*g->errors)++;
			continue;
		}
		if (lock) {
			lock_page(t, page);
			cpu_work(t, sim_dist_sample_ns(g->hold, g->rng));
			unlock_page(page);
			(*g->write_ops)++;
		} else {
			(*g->read_ops)++;
		}
		put_page(page);
		sim_hist_record(g->latency, (uint64_t)(sim_now(eng) - start));
		(*g->ops)++;
		sim_sleep(t, sim_dist_sample_ns(g->think, g->rng));
	}
}

gboolean file_group_start(struct group *g, const struct sim_run_config *cfg,
			  uint64_t threads, GError **error)
{
	struct sim_workloads *w = g->w;
	g_autofree char *k_size = group_key(g->name, "file_size");
	g_autofree char *k_pattern = group_key(g->name, "pattern");
	g_autofree char *k_pages = group_key(g->name, "read_pages");
	g_autofree char *k_lock = group_key(g->name, "lock_fraction");
	uint64_t bytes = sim_config_get_size(cfg, k_size);

	if (!workloads_page_cache(w, cfg, error))
		return FALSE;
	if (!group_file_create(g, bytes, error))
		return FALSE;
	g->read_pages = (unsigned int)sim_config_get_uint(cfg, k_pages);
	g->lock_fraction = sim_config_get_double(cfg, k_lock);
	g->pattern = sim_config_get_dist(cfg, k_pattern);
	if (g->pattern && !sim_dist_set_range(g->pattern, g->file_pages, error)) {
		g_prefix_error(error, "%s: ", k_pattern);
		return FALSE;
	}
	g->file_threads = g_new0(struct file_thread, threads);
	for (uint64_t i = 0; i < threads; i++) {
		struct file_thread *ft = &((struct file_thread *)g->file_threads)[i];
		g_autofree char *tname = g_strdup_printf("%s/%" G_GUINT64_FORMAT, g->name, i);

		ft->g = g;
		file_ra_state_init(&ft->ra, VM_READAHEAD_PAGES);
		/* Sequential readers start spread over the file. */
		ft->cursor = (pgoff_t)(g->file_pages * i / threads);
		sim_cpus_attach(w->cpus, sim_task_spawn(w->eng, tname, file_thread, ft));
	}
	return TRUE;
}

void file_group_free(struct group *g)
{
	if (g->backing)
		file_backing_free(g->backing);
	sim_dist_free(g->pattern);
	g_free(g->file_threads);
}
