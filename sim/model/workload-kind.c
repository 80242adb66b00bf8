/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the workload kinds share (see workload-kind.h): the keys several
 * kinds read, a group's keys by their last segment, its threads, its file.
 */
#include "config.h"

#include "sim/kernel/cpu.h"
#include "sim/model/workload-kind.h"

const struct sim_key_def workload_key_write_fraction = {
	.name = "workload.*.write_fraction", .type = SIM_KEY_DOUBLE, .defval = "0",
	.min = "0", .max = "1",
	.help = "fraction of operations that write (lock: take mmap_sem for write; "
		"fault: a write access)",
};

const struct sim_key_def workload_key_work = {
	.name = "workload.*.work", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	.defval = "0", .help = "CPU time before each operation",
};

const struct sim_key_def workload_key_hold = {
	.name = "workload.*.hold", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	.defval = "exp(2us)",
	.help = "CPU time holding the lock (lock: mmap_sem; file, fault: a page lock)",
};

const struct sim_key_def workload_key_think = {
	.name = "workload.*.think", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	.defval = "exp(20us)", .help = "sleep after each operation",
};

const struct sim_key_def workload_key_ops = {
	.name = "workload.*.ops", .type = SIM_KEY_UINT, .defval = "0",
	.help = "operations per thread (0: until the time limit)",
};

const struct sim_key_def workload_key_max_folio = {
	.name = "workload.*.max_folio", .type = SIM_KEY_SIZE, .defval = "4KiB", .min = "4KiB",
	.max = "2MiB", .help = "the largest page-cache folio of the file's filesystem "
	"(mapping_max_folio_size(): 4KiB without large folios; 2MiB: ext4 6.16+, xfs 5.18+)",
};

gboolean group_file_max_folio(struct group *g, const struct sim_run_config *cfg,
			      struct group_file *f, GError **error)
{
	uint64_t max = group_size(g, cfg, "max_folio");

	if (max & (max - 1)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "workload.%s.max_folio = %" G_GUINT64_FORMAT " B: not a power of two "
			    "(accepted: 4KiB, 8KiB, .. 2MiB)", g->name, max);
		return FALSE;
	}
	pc_mapping_set_max_folio(f->mapping, max / PAGE_SIZE);
	return TRUE;
}

const struct sim_key_def workload_key_file_size = {
	.name = "workload.*.file_size", .type = SIM_KEY_SIZE, .defval = "256MiB", .min = "4KiB",
	.max = "16TiB", .help = "size of the group's file",
};

const struct sim_key_def workload_key_cgroup = {
	.name = "workload.*.cgroup", .type = SIM_KEY_STRING, .defval = "",
	.help = "the block cgroup of the I/O of the group's file (cgroup.NAME.* keys; "
		"empty: the root cgroup, no limits)",
	.check_run = sim_blkcg_name_check,
};

const struct sim_key_def workload_key_pattern = {
	.name = "workload.*.pattern", .type = SIM_KEY_DIST, .unit = SIM_UNIT_NONE,
	.help = "page ranks: zipf(S) (rank 0 hottest) or uniform(A,B) (pages A to B-1) (unset: sequential)",
};

char *group_key(const char *name, const char *what)
{
	return g_strdup_printf("workload.%s.%s", name, what);
}

#define GROUP_GETTER(fn, type, getter)							\
type fn(const struct group *g, const struct sim_run_config *cfg, const char *what)	\
{											\
	g_autofree char *key = group_key(g->name, what);				\
											\
	return getter(cfg, key);							\
}
GROUP_GETTER(group_uint, uint64_t, sim_config_get_uint)
GROUP_GETTER(group_double, double, sim_config_get_double)
GROUP_GETTER(group_bool, gboolean, sim_config_get_bool)
GROUP_GETTER(group_time, sim_time_t, sim_config_get_time)
GROUP_GETTER(group_size, uint64_t, sim_config_get_size)
GROUP_GETTER(group_enum, guint, sim_config_get_enum)
GROUP_GETTER(group_dist, struct sim_dist *, sim_config_get_dist)
#undef GROUP_GETTER

gboolean workload_cpulist_check(const struct sim_key_def *def, const struct sim_run_config *cfg,
				const char *key, GError **error)
{
	const char *list = sim_config_get_string(cfg, key);
	unsigned int cpus = (unsigned int)sim_config_get_uint(cfg, "machine.cpus");
	g_autofree uint64_t *mask = NULL;

	(void)def;
	if (!list || !*list)
		return TRUE;
	mask = sim_cpulist_parse(list, MIN(MAX(cpus, 1u), SIM_CPUS_MAX), NULL, error);
	return mask != NULL;
}

uint64_t *group_cpulist(const struct group *g, const struct sim_run_config *cfg,
			const char *what, unsigned int *nr_set)
{
	g_autofree char *key = group_key(g->name, what);
	const char *list = sim_config_get_string(cfg, key);
	unsigned int cpus = sim_cpus_nr(g->w->machine->cpus);

	if (!list || !*list)
		return NULL;
	return sim_cpulist_parse(list, cpus, nr_set, NULL);
}

struct sim_task *group_spawn_on(struct group *g, const char *name, sim_task_fn *fn, void *arg,
				bool daemon, const uint64_t *mask)
{
	struct sim_task *t = sim_task_spawn(g->w->eng, name, fn, arg);
	struct sim_cpus *cpus = g->w->machine->cpus;
	g_autofree uint64_t *one = NULL;

	if (daemon)
		sim_task_set_daemon(t, true);
	if (!mask)
		mask = g->cpus;
	if (!daemon && g->pin_spread) {
		/* the (n mod CPUs)-th CPU of the group's */
		unsigned int k = (unsigned int)(g->nr_spawned++ % g->nr_cpus);
		unsigned int nr = sim_cpus_nr(cpus);

		one = g_new0(uint64_t, (nr + 63) / 64);
		for (unsigned int c = 0; c < nr; c++) {
			if (g->cpus && !(g->cpus[c / 64] & (UINT64_C(1) << (c % 64))))
				continue;
			if (!k--) {
				one[c / 64] |= UINT64_C(1) << (c % 64);
				break;
			}
		}
		mask = one;
	}
	sim_cpus_attach_mask(cpus, t, mask);
	return t;
}

struct sim_task *group_spawn(struct group *g, const char *name, sim_task_fn *fn, void *arg,
			     bool daemon)
{
	return group_spawn_on(g, name, fn, arg, daemon, NULL);
}

gboolean group_file_create(struct group *g, struct group_file *f, uint64_t bytes,
			   GError **error)
{
	struct sim_machine *m = g->w->machine;
	g_autofree char *k_cgroup = group_key(g->name, "cgroup");

	f->pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	f->mapping = pc_mapping_new(m->pc, g->name, f->pages, 0, error);
	if (!f->mapping)
		return FALSE;
	f->backing = file_backing_new(f->mapping, m->disk,
				      sim_machine_disk_extent(m, f->pages * PAGE_SIZE));
	file_backing_set_blkcg(f->backing,
			       sim_machine_blkcg(m, sim_config_get_string(m->cfg, k_cgroup)));
	return TRUE;
}

void group_file_free(struct group_file *f)
{
	if (f->backing)
		file_backing_free(f->backing);
	f->backing = NULL;
}
