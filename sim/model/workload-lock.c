/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmap_sem workload groups (kind = lock): threads of one process taking
 * its mmap_sem (struct sim_workloads.mmap_sem, shared by every lock group)
 * in a loop.  Each operation: compute (work), down_write() with
 * probability write_fraction (an mmap or mprotect) else down_read() (a
 * fault, a /proc reader), compute while holding it (hold), release, sleep
 * (think).  "latency" is from asking for the lock to releasing it;
 * "readOps" and "writeOps" count the two modes.
 */
#include "config.h"

#include "sim/core/rng.h"
#include "sim/kernel/cpu.h"
#include "sim/model/workload-kind.h"

struct lock_group {
	uint64_t ops_per_thread;
	double write_fraction;
	struct sim_dist *work, *hold, *think;
};

static void lock_thread(struct sim_task *t, void *arg)
{
	struct group *g = arg;
	struct lock_group *lg = g->priv;
	struct rw_semaphore *sem = &g->w->mmap_sem;
	struct sim_engine *eng = g->w->eng;

	for (uint64_t i = 0; !lg->ops_per_thread || i < lg->ops_per_thread; i++) {
		bool write = lg->write_fraction > 0 && sim_rng_uniform(g->rng) < lg->write_fraction;

		cpu_work(t, sim_dist_sample_ns(lg->work, g->rng));

		sim_time_t start = sim_now(eng);

		if (write)
			down_write(sem, t);
		else
			down_read(sem, t);
		cpu_work(t, sim_dist_sample_ns(lg->hold, g->rng));
		if (write)
			up_write(sem, t);
		else
			up_read(sem, t);
		sim_hist_record(g->latency, (uint64_t)(sim_now(eng) - start));
		(*g->ops)++;
		(*(write ? g->write_ops : g->read_ops))++;
		sim_sleep(t, sim_dist_sample_ns(lg->think, g->rng));
	}
}

static gboolean lock_group_start(struct group *g, const struct sim_run_config *cfg,
				 GError **error)
{
	struct lock_group *lg = g_new0(struct lock_group, 1);

	g->priv = lg;
	lg->write_fraction = group_double(g, cfg, "write_fraction");
	lg->ops_per_thread = group_uint(g, cfg, "ops");
	lg->work = group_dist(g, cfg, "work");
	lg->hold = group_dist(g, cfg, "hold");
	lg->think = group_dist(g, cfg, "think");
	for (uint64_t i = 0; i < g->threads; i++) {
		g_autofree char *tname = g_strdup_printf("%s/%" G_GUINT64_FORMAT, g->name, i);

		group_spawn(g, tname, lock_thread, g, false);
	}
	return TRUE;
}

static void lock_group_free(struct group *g)
{
	struct lock_group *lg = g->priv;

	if (!lg)
		return;
	sim_dist_free(lg->work);
	sim_dist_free(lg->hold);
	sim_dist_free(lg->think);
	g_free(lg);
	g->priv = NULL;
}

static const struct sim_key_def *const lock_shared_keys[] = {
	&workload_key_write_fraction, &workload_key_work, &workload_key_hold,
	&workload_key_think, &workload_key_ops, NULL,
};

const struct workload_kind workload_lock = {
	.name = "lock",
	.op_unit = "locks",
	.op_what = "a thread's down_read() or down_write() of mmap_sem, hold and release",
	.shared = lock_shared_keys,
	.machine = 0,
	.start = lock_group_start,
	.free = lock_group_free,
};
