/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload thread groups (see workload.h).
 */
#include "config.h"

#include "sim/core/histogram.h"
#include "sim/kernel/mm.h"
#include "sim/model/policy.h"
#include "sim/kernel/rwsem.h"
#include "sim/core/stats.h"
#include "sim/model/workload.h"
#include "sim/model/workload-private.h"
#include "sim/kernel/readahead.h"

static const char *const workload_kinds[] = { "lock", "file", "fault", "write", NULL };

static const struct sim_key_def workload_keys[] = {
	{ .name = "workload.*.kind", .type = SIM_KEY_ENUM, .defval = "lock",
	  .choices = workload_kinds, .help = "what the group's threads do" },
	{ .name = "workload.*.threads", .type = SIM_KEY_UINT, .defval = "1", .min = "0",
	  .max = "100000", .help = "threads in the group" },
	{ .name = "workload.*.write_fraction", .type = SIM_KEY_DOUBLE, .defval = "0",
	  .min = "0", .max = "1", .help = "lock: fraction of operations taking mmap_sem for write" },
	{ .name = "workload.*.work", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "0", .help = "lock: CPU time before taking the lock" },
	{ .name = "workload.*.hold", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(2us)", .help = "lock: CPU time while holding the lock" },
	{ .name = "workload.*.think", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(20us)", .help = "lock: sleep after releasing the lock" },
	{ .name = "workload.*.ops", .type = SIM_KEY_UINT, .defval = "0",
	  .help = "operations per thread (0: until the time limit)" },
	{ .name = "workload.*.file_size", .type = SIM_KEY_SIZE, .defval = "256MiB", .min = "4KiB",
	  .max = "16TiB", .help = "file: size of the group's file" },
	{ .name = "workload.*.pattern", .type = SIM_KEY_DIST, .unit = SIM_UNIT_NONE,
	  .help = "file: page ranks, zipf(S) or uniform(0,1) (unset: sequential)" },
	{ .name = "workload.*.read_pages", .type = SIM_KEY_UINT, .defval = "1", .min = "1",
	  .max = "1024", .help = "file: pages per read(2), for readahead" },
	{ .name = "workload.*.lock_fraction", .type = SIM_KEY_DOUBLE, .defval = "0", .min = "0",
	  .max = "1", .help = "file: fraction of accesses that lock the page for hold (as a write)" },
	{ .name = "memory.limit", .type = SIM_KEY_SIZE, .defval = "1GiB", .min = "64KiB",
	  .max = "16TiB", .help = "memory for the page cache; reclaim keeps within it" },
	{ .name = "memory.kswapd", .type = SIM_KEY_BOOL, .defval = "true",
	  .help = "run kswapd (else only direct reclaim)" },
	{ .name = "memory.scan_cost", .type = SIM_KEY_TIME, .defval = "50ns",
	  .help = "CPU time reclaim spends per page scanned" },
};

void sim_workload_register_keys(struct sim_keys *keys)
{
	sim_keys_add(keys, workload_keys, G_N_ELEMENTS(workload_keys));
	fault_workload_register_keys(keys);
	write_workload_register_keys(keys);
}

static void lock_thread(struct sim_task *t, void *arg)
{
	struct group *g = arg;
	struct rw_semaphore *sem = &g->w->mmap_sem;
	struct sim_engine *eng = g->w->eng;

	for (uint64_t i = 0; !g->ops_per_thread || i < g->ops_per_thread; i++) {
		bool write = g->write_fraction > 0 && gsl_rng_uniform(g->rng) < g->write_fraction;

		cpu_work(t, sim_dist_sample_ns(g->work, g->rng));

		sim_time_t start = sim_now(eng);

		if (write)
			down_write(sem, t);
		else
			down_read(sem, t);
		cpu_work(t, sim_dist_sample_ns(g->hold, g->rng));
		if (write)
			up_write(sem, t);
		else
			up_read(sem, t);
		sim_hist_record(g->latency, (uint64_t)(sim_now(eng) - start));
		(*g->ops)++;
		(*(write ? g->write_ops : g->read_ops))++;
		sim_sleep(t, sim_dist_sample_ns(g->think, g->rng));
	}
}

static void group_free(gpointer p)
{
	struct group *g = p;

	fault_group_free(g);
	write_group_free(g);
	file_group_free(g);
	sim_dist_free(g->work);
	sim_dist_free(g->hold);
	sim_dist_free(g->think);
	g_free(g->name);
	g_free(g);
}

char *group_key(const char *name, const char *what)
{
	return g_strdup_printf("workload.%s.%s", name, what);
}

/* The page cache every file group shares, sized by memory.*, with the
 * page_lock policy of the run; kswapd competes for the CPUs. */
gboolean workloads_page_cache(struct sim_workloads *w, const struct sim_run_config *cfg,
			      GError **error)
{
	struct pc_params p;

	if (w->pc)
		return TRUE;
	pc_params_init(&p);
	p.nr_pages = sim_config_get_size(cfg, "memory.limit") / PAGE_SIZE;
	p.page_lock = sim_policy_value(cfg, SIM_POLICY_PAGE_LOCK);
	p.page_lock_ops = sim_policy_page_lock(cfg);
	p.page_lock_unfairness = (unsigned int)sim_config_get_uint(cfg, "policy.page_lock_budget");
	p.kswapd = sim_config_get_bool(cfg, "memory.kswapd");
	p.scan_cost = sim_config_get_time(cfg, "memory.scan_cost");
	p.cpu_work = cpu_work;
	w->pc = pc_new(w->eng, &p, error);
	if (!w->pc)
		return FALSE;
	if (pc_kswapd_task(w->pc)) {
		/* kswapd sleeps until memory runs low: not a deadlock. */
		sim_task_set_daemon(pc_kswapd_task(w->pc), true);
		sim_cpus_attach(w->cpus, pc_kswapd_task(w->pc));
	}
	return TRUE;
}

/* The group's file: an address space of @bytes, on its own extent of the
 * disk (after the files and swap areas made before it). */
gboolean group_file_create(struct group *g, uint64_t bytes, GError **error)
{
	struct sim_workloads *w = g->w;

	g->file_pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	g->mapping = pc_mapping_new(w->pc, g->name, g->file_pages, 0, error);
	if (!g->mapping)
		return FALSE;
	g->backing = file_backing_new(g->mapping, w->disk, w->next_file_base);
	w->next_file_base += g->file_pages * PAGE_SIZE;
	g->errors = sim_stats_counter(sim_engine_stats(w->eng), g->name, "errors");
	return TRUE;
}

struct sim_workloads *sim_workloads_start(struct sim_engine *eng, struct sim_cpus *cpus,
					  struct sim_disk *disk,
					  const struct sim_run_config *cfg, GError **error)
{
	g_auto(GStrv) names = sim_config_names(cfg, "workload");
	struct sim_workloads *w;
	const struct rwsem_variant *v;

	if (!names || !names[0])
		return NULL;
	v = &sim_policy_rwsem(cfg)->variant;
	w = g_new0(struct sim_workloads, 1);
	w->eng = eng;
	w->cpus = cpus;
	w->disk = disk;
	w->groups = g_ptr_array_new_with_free_func(group_free);
	w->start = sim_now(eng);
	rwsem_init(&w->mmap_sem, eng, "mmap_sem", v);

	struct sim_stats *st = sim_engine_stats(eng);

	for (char **n = names; *n; n++) {
		struct group *g = g_new0(struct group, 1);
		g_autofree char *k_kind = group_key(*n, "kind");
		g_autofree char *k_threads = group_key(*n, "threads");
		g_autofree char *k_wf = group_key(*n, "write_fraction");
		g_autofree char *k_work = group_key(*n, "work");
		g_autofree char *k_hold = group_key(*n, "hold");
		g_autofree char *k_think = group_key(*n, "think");
		g_autofree char *k_ops = group_key(*n, "ops");
		g_autofree char *stream = g_strdup_printf("workload.%s", *n);
		uint64_t threads = sim_config_get_uint(cfg, k_threads);

		g->w = w;
		g->name = g_strdup(*n);
		g->write_fraction = sim_config_get_double(cfg, k_wf);
		g->ops_per_thread = sim_config_get_uint(cfg, k_ops);
		g->work = sim_config_get_dist(cfg, k_work);
		g->hold = sim_config_get_dist(cfg, k_hold);
		g->think = sim_config_get_dist(cfg, k_think);
		g->rng = sim_rng(eng, stream);
		g->latency = sim_stats_hist(st, g->name, "latency");
		g->ops = sim_stats_counter(st, g->name, "ops");
		g->read_ops = sim_stats_counter(st, g->name, "readOps");
		g->write_ops = sim_stats_counter(st, g->name, "writeOps");
		g->throughput = sim_stats_scalar(st, g->name, "throughput");
		g_ptr_array_add(w->groups, g);
		if (g_str_equal(workload_kinds[sim_config_get_enum(cfg, k_kind)], "file")) {
			if (!file_group_start(g, cfg, threads, error)) {
				g_prefix_error(error, "workload.%s: ", g->name);
				sim_workloads_free(w);
				return NULL;
			}
			continue;
		}
		if (g_str_equal(workload_kinds[sim_config_get_enum(cfg, k_kind)], "write")) {
			if (!write_group_start(g, cfg, threads, error)) {
				g_prefix_error(error, "workload.%s: ", g->name);
				sim_workloads_free(w);
				return NULL;
			}
			continue;
		}
		if (g_str_equal(workload_kinds[sim_config_get_enum(cfg, k_kind)], "fault")) {
			if (!fault_group_start(g, cfg, threads, error)) {
				g_prefix_error(error, "workload.%s: ", g->name);
				sim_workloads_free(w);
				return NULL;
			}
			continue;
		}
		for (uint64_t i = 0; i < threads; i++) {
			g_autofree char *tname = g_strdup_printf("%s/%" G_GUINT64_FORMAT, *n, i);

			sim_cpus_attach(cpus, sim_task_spawn(eng, tname, lock_thread, g));
		}
	}
	return w;
}

void sim_workloads_reset(struct sim_workloads *w)
{
	if (w)
		w->start = sim_now(w->eng);
}

void sim_workloads_finish(struct sim_workloads *w)
{
	if (!w)
		return;
	double secs = (double)(sim_now(w->eng) - w->start) / 1e9;

	for (guint i = 0; i < w->groups->len; i++) {
		struct group *g = w->groups->pdata[i];

		*g->throughput = secs > 0 ? (double)*g->ops / secs : 0;
	}
}

void sim_workloads_free(struct sim_workloads *w)
{
	if (!w)
		return;
	g_ptr_array_unref(w->groups);
	mm_sys_free(w->mm_sys);		/* after the groups' mms, before the cache */
	pc_free(w->pc);
	rwsem_destroy(&w->mmap_sem);
	g_free(w);
}
