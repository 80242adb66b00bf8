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
 * page ranks over the file (zipf(S): rank 0 hottest; uniform(A,B): any of pages A to B-1).
 */
#include "config.h"

#include "sim/kernel/cpu.h"
#include "sim/kernel/pagelock.h"
#include "sim/core/rng.h"
#include "sim/core/stats.h"
#include "sim/model/workload-kind.h"

struct file_group {
	struct group_file file;
	uint64_t ops_per_thread;
	struct sim_dist *work, *hold, *think;
	unsigned int read_pages;
	double lock_fraction;
	struct sim_dist *pattern;	/* NULL: sequential */
	struct file_thread *threads;
	uint64_t *errors;
};

struct file_thread {
	struct group *g;
	struct file_ra_state ra;
	pgoff_t cursor;
};

static pgoff_t next_index(struct file_thread *ft)
{
	struct group *g = ft->g;
	struct file_group *fg = g->priv;

	if (!fg->pattern) {
		pgoff_t i = ft->cursor;

		ft->cursor = (ft->cursor + fg->read_pages) % fg->file.pages;
		return i;
	}
	return (pgoff_t)sim_dist_sample_index(fg->pattern, g->rng);
}

static void file_thread(struct sim_task *t, void *arg)
{
	struct file_thread *ft = arg;
	struct group *g = ft->g;
	struct file_group *fg = g->priv;
	struct sim_engine *eng = g->w->eng;

	for (uint64_t i = 0; !fg->ops_per_thread || i < fg->ops_per_thread; i++) {
		pgoff_t index = next_index(ft);
		bool lock = fg->lock_fraction > 0 && sim_rng_uniform(g->rng) < fg->lock_fraction;
		sim_time_t start = sim_now(eng);
		int err = 0;

		cpu_work(t, sim_dist_sample_ns(fg->work, g->rng));
		struct page *page = filemap_read_page(t, fg->file.mapping, &ft->ra, index,
						      fg->read_pages, &err);

		if (!page) {
			(*fg->errors)++;
			continue;
		}
		if (lock) {
			lock_page(t, page);
			cpu_work(t, sim_dist_sample_ns(fg->hold, g->rng));
			unlock_page(page);
			(*g->write_ops)++;
		} else {
			(*g->read_ops)++;
		}
		put_page(page);
		sim_hist_record(g->latency, (uint64_t)(sim_now(eng) - start));
		(*g->ops)++;
		sim_sleep(t, sim_dist_sample_ns(fg->think, g->rng));
	}
}

static gboolean file_group_start(struct group *g, const struct sim_run_config *cfg,
				 GError **error)
{
	struct file_group *fg = g_new0(struct file_group, 1);
	g_autofree char *k_pattern = group_key(g->name, "pattern");

	g->priv = fg;
	fg->ops_per_thread = group_uint(g, cfg, "ops");
	fg->work = group_dist(g, cfg, "work");
	fg->hold = group_dist(g, cfg, "hold");
	fg->think = group_dist(g, cfg, "think");
	if (!group_file_create(g, &fg->file, group_size(g, cfg, "file_size"), error))
		return FALSE;
	fg->errors = sim_stats_counter_unit(sim_engine_stats(g->w->eng), g->name, "errors",
					    "reads", "reads that failed (no page: an I/O error)");
	fg->read_pages = (unsigned int)group_uint(g, cfg, "read_pages");
	fg->lock_fraction = group_double(g, cfg, "lock_fraction");
	fg->pattern = group_dist(g, cfg, "pattern");
	if (fg->pattern && !sim_dist_set_range(fg->pattern, fg->file.pages, error)) {
		g_prefix_error(error, "%s: ", k_pattern);
		return FALSE;
	}
	fg->threads = g_new0(struct file_thread, g->threads);
	for (uint64_t i = 0; i < g->threads; i++) {
		struct file_thread *ft = &fg->threads[i];
		g_autofree char *tname = g_strdup_printf("%s/%" G_GUINT64_FORMAT, g->name, i);

		ft->g = g;
		file_ra_state_init(&ft->ra, VM_READAHEAD_PAGES);
		/* Sequential readers start spread over the file. */
		ft->cursor = (pgoff_t)(fg->file.pages * i / g->threads);
		group_spawn(g, tname, file_thread, ft, false);
	}
	return TRUE;
}

static void file_group_free(struct group *g)
{
	struct file_group *fg = g->priv;

	if (!fg)
		return;
	group_file_free(&fg->file);
	sim_dist_free(fg->pattern);
	sim_dist_free(fg->work);
	sim_dist_free(fg->hold);
	sim_dist_free(fg->think);
	g_free(fg->threads);
	g_free(fg);
	g->priv = NULL;
}

static const struct sim_key_def file_keys[] = {
	{ .name = "workload.*.read_pages", .type = SIM_KEY_UINT, .defval = "1", .min = "1",
	  .max = "1024", .help = "pages per read(2), for readahead" },
	{ .name = "workload.*.lock_fraction", .type = SIM_KEY_DOUBLE, .defval = "0", .min = "0",
	  .max = "1", .help = "fraction of accesses that lock the page for hold (as a write)" },
};

static const struct sim_key_def *const file_shared_keys[] = {
	&workload_key_work, &workload_key_hold, &workload_key_think, &workload_key_ops,
	&workload_key_file_size, &workload_key_pattern, &workload_key_cgroup, NULL,
};

const struct workload_kind workload_file = {
	.name = "file",
	.op_unit = "reads",
	.op_what = "a thread's read of one page through the page cache, locking it for "
		   "hold with lock_fraction",
	.shared = file_shared_keys,
	.keys = file_keys,
	.nr_keys = G_N_ELEMENTS(file_keys),
	.machine = SIM_MACHINE_PAGE_CACHE,
	.start = file_group_start,
	.free = file_group_free,
};
