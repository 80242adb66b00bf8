/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building one run from its configuration (see model.h): the machine
 * (machine.c), the open-loop loads (here) and the workload groups
 * (workload.c).
 */
#include "config.h"

#include <string.h>

#include "sim/core/stats.h"
#include "sim/model/kernel-params.h"
#include "sim/model/machine.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"
#include "sim/model/record.h"
#include "sim/model/workload.h"

struct sim_model {
	struct sim_engine *eng;
	struct sim_machine machine;
	struct sim_disk_load *disk_load;
	struct sim_cpu_load *cpu_load;
	struct sim_workloads *workloads;
	struct sim_record *record;	/* NULL: no vectors */
};

static const char *const disk_patterns[] = { "random", "sequential", NULL };

static const struct sim_key_def load_keys[] = {
	/* open-loop disk load */
	{ .name = "load.disk.interarrival", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .help = "time between disk requests (unset: no disk load unless load.disk.utilization)" },
	{ .name = "load.disk.utilization", .type = SIM_KEY_DOUBLE, .defval = "0", .min = "0",
	  .max = "0.999", .help = "Poisson disk load at this utilisation (needs a non-rotational disk)" },
	{ .name = "load.disk.size", .type = SIM_KEY_SIZE, .defval = "4KiB", .min = "1B",
	  .help = "size of each request" },
	{ .name = "load.disk.pattern", .type = SIM_KEY_ENUM, .defval = "random",
	  .choices = disk_patterns, .help = "offsets of successive requests" },
	{ .name = "load.disk.read_fraction", .type = SIM_KEY_DOUBLE, .defval = "1", .min = "0",
	  .max = "1", .help = "fraction of requests that are reads" },
	{ .name = "load.disk.requests", .type = SIM_KEY_UINT, .defval = "0",
	  .help = "stop after this many requests (0: no limit)" },
	{ .name = "load.disk.cgroup", .type = SIM_KEY_STRING, .defval = "",
	  .help = "the block cgroup of the load's requests (empty: the root)",
	  .check_run = sim_blkcg_name_check },
	{ .name = "load.disk.max_backlog", .type = SIM_KEY_UINT, .defval = "100000", .min = "1",
	  .max = "10000000",
	  .help = "requests in the disk past which the run stops and fails (arrivals faster "
		  "than service)" },
	/* open-loop CPU load */
	{ .name = "load.cpu.interarrival", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .help = "time between CPU jobs (unset: no CPU load unless load.cpu.utilization)" },
	{ .name = "load.cpu.utilization", .type = SIM_KEY_DOUBLE, .defval = "0", .min = "0",
	  .max = "0.999", .help = "Poisson CPU load at this utilisation of all cores" },
	{ .name = "load.cpu.service", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(100us)", .help = "CPU time of each job" },
	{ .name = "load.cpu.jobs", .type = SIM_KEY_UINT, .defval = "0",
	  .help = "stop after this many jobs (0: no limit)" },
	{ .name = "load.cpu.max_backlog", .type = SIM_KEY_UINT, .defval = "2048", .min = "1",
	  .max = "100000",
	  .help = "jobs in the system past which the run stops and fails (arrivals faster "
		  "than service; each job is a task)" },
};

/* The engine's switch for the invariant checkers (sim_engine_checks());
 * the test suite turns it on for every run (FAULTSIM_CHECKS). */
static const struct sim_key_def debug_keys[] = {
	{ .name = "debug.checks", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "run the models' invariant checkers after every state change (slow)" },
	/* The generator of every random stream (sim_engine_set_rng()). */
	{ .name = "rng", .type = SIM_KEY_ENUM, .defval = "mt19937", .choices = sim_rng_names,
	  .help = "random generator of every stream: mt19937, or taus2 (2.2x faster a draw)" },
};

void sim_model_register_keys_with(struct sim_keys *keys, struct sim_policies *policies)
{
	sim_machine_register_keys(keys);
	sim_keys_add(keys, load_keys, G_N_ELEMENTS(load_keys));
	sim_keys_add(keys, debug_keys, G_N_ELEMENTS(debug_keys));
	sim_workload_register_keys(keys);
	sim_record_register_keys(keys);
	sim_kernel_register_keys(keys);
	sim_policy_register_keys(keys, policies);
}

void sim_model_register_keys(struct sim_keys *keys)
{
	sim_model_register_keys_with(keys, NULL);
}

/*
 * Utilisation to a Poisson arrival stream: with c servers and mean
 * service E[S], rho = lambda E[S] / c, so the mean inter-arrival time is
 * E[S] / (c rho).
 */
static struct sim_dist *poisson_for(double mean_service, unsigned int servers, double rho)
{
	struct sim_dist *d = sim_dist_new_exp(mean_service / (servers * rho));

	sim_dist_set_unit(d, SIM_UNIT_TIME);
	return d;
}

static gboolean build_disk_load(struct sim_model *m, const struct sim_run_config *cfg,
				GError **error)
{
	struct sim_disk_load_params p;
	g_autoptr(sim_dist) ia = sim_config_get_dist(cfg, "load.disk.interarrival");
	double rho = sim_config_get_double(cfg, "load.disk.utilization");

	if (!ia && rho == 0)
		return TRUE;
	sim_disk_load_params_init(&p);
	p.fixed_size = sim_config_get_size(cfg, "load.disk.size");
	p.pattern = sim_config_get_enum(cfg, "load.disk.pattern") == 0 ?
		SIM_DISK_PATTERN_RANDOM : SIM_DISK_PATTERN_SEQUENTIAL;
	p.read_fraction = sim_config_get_double(cfg, "load.disk.read_fraction");
	p.max_requests = sim_config_get_uint(cfg, "load.disk.requests");
	p.max_backlog = sim_config_get_uint(cfg, "load.disk.max_backlog");
	p.blkcg = sim_machine_blkcg(&m->machine, sim_config_get_string(cfg, "load.disk.cgroup"));
	if (!ia) {
		double mean;

		if (!sim_machine_disk_service(&m->machine, p.fixed_size, &mean, error))
			return FALSE;
		ia = poisson_for(mean, sim_disk_depth(m->machine.disk), rho);
	}
	p.interarrival = ia;
	m->disk_load = sim_disk_load_start(m->eng, m->machine.disk, &p, error);
	if (!m->disk_load) {
		g_prefix_error(error, "load.disk: ");
		return FALSE;
	}
	return TRUE;
}

static gboolean build_cpu_load(struct sim_model *m, const struct sim_run_config *cfg,
			       GError **error)
{
	g_autoptr(sim_dist) ia = sim_config_get_dist(cfg, "load.cpu.interarrival");
	g_autoptr(sim_dist) service = sim_config_get_dist(cfg, "load.cpu.service");
	double rho = sim_config_get_double(cfg, "load.cpu.utilization");

	if (!ia && rho == 0)
		return TRUE;
	if (!ia)
		ia = poisson_for(sim_dist_mean(service), sim_cpus_nr(m->machine.cpus), rho);
	m->cpu_load = sim_cpu_load_start(m->eng, m->machine.cpus, ia, service,
					 sim_config_get_uint(cfg, "load.cpu.jobs"));
	sim_cpu_load_set_max_backlog(m->cpu_load, sim_config_get_uint(cfg, "load.cpu.max_backlog"));
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* What a run takes of the process, before it is built */

/* Whether @cfg has an open-loop load of @what ("load.disk", "load.cpu"). */
static gboolean has_load(const struct sim_run_config *cfg, const char *what)
{
	g_autofree char *ia = g_strdup_printf("%s.interarrival", what);
	g_autofree char *rho = g_strdup_printf("%s.utilization", what);

	return sim_config_is_set(cfg, ia) || sim_config_get_double(cfg, rho) > 0;
}

void sim_model_needs(const struct sim_run_config *cfg, struct sim_model_needs *needs)
{
	uint64_t disk_backlog = has_load(cfg, "load.disk") ?
		sim_config_get_uint(cfg, "load.disk.max_backlog") : 0;

	/* The groups' threads, kswapd, the flusher, and the CPU load's jobs
	 * at most. */
	needs->tasks = sim_workloads_nr_tasks(cfg) + 2;
	if (has_load(cfg, "load.cpu"))
		needs->tasks += sim_config_get_uint(cfg, "load.cpu.max_backlog");
	needs->bytes = needs->tasks * SIM_MODEL_TASK_BYTES +
		       disk_backlog * SIM_MODEL_DISK_REQUEST_BYTES;
}

/* The first number on the line of /proc file @path that starts with
 * @prefix ("" for the first line); FALSE if there is none. */
static gboolean read_proc_number(const char *path, const char *prefix, uint64_t *out)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return FALSE;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		const char *p = *l;

		if (!g_str_has_prefix(p, prefix))
			continue;
		p += strlen(prefix);
		while (*p == ' ' || *p == '\t' || *p == ':')
			p++;
		if (!g_ascii_isdigit(*p))
			return FALSE;
		*out = g_ascii_strtoull(p, NULL, 10);
		return TRUE;
	}
	return FALSE;
}

/* Lines of @path (the maps of this process), or 0 if unreadable. */
static uint64_t count_lines(const char *path)
{
	g_autofree char *text = NULL;
	uint64_t n = 0;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

/* The memory limit of this process's cgroup (v2) less what it uses, if
 * it has one. */
static gboolean cgroup_room(uint64_t *out)
{
	g_autofree char *self = NULL, *max_path = NULL, *cur_path = NULL, *max = NULL;
	uint64_t limit, used = 0;
	const char *dir;

	if (!g_file_get_contents("/proc/self/cgroup", &self, NULL, NULL) ||
	    !g_str_has_prefix(self, "0::"))
		return FALSE;
	g_strchomp(self);
	dir = self + 3;
	max_path = g_strdup_printf("/sys/fs/cgroup%s/memory.max", dir);
	cur_path = g_strdup_printf("/sys/fs/cgroup%s/memory.current", dir);
	if (!g_file_get_contents(max_path, &max, NULL, NULL))
		return FALSE;
	g_strchomp(max);
	if (!g_ascii_string_to_unsigned(max, 10, 0, G_MAXUINT64, &limit, NULL))
		return FALSE;		/* "max": no limit */
	read_proc_number(cur_path, "", &used);
	*out = limit > used ? limit - used : 0;
	return TRUE;
}

void sim_model_room(struct sim_model_room *room)
{
	uint64_t avail_kib, cg;

	*room = (struct sim_model_room){ .tasks = UINT64_MAX, .bytes = UINT64_MAX };
	if (read_proc_number("/proc/sys/vm/max_map_count", "", &room->max_map_count)) {
		uint64_t spare = SIM_MODEL_SPARE_MAPS + room->max_map_count / 16;

		room->maps_in_use = count_lines("/proc/self/maps");
		room->tasks = room->max_map_count > room->maps_in_use + spare ?
			(room->max_map_count - room->maps_in_use - spare) / 2 : 0;
	}
	if (read_proc_number("/proc/meminfo", "MemAvailable", &avail_kib))
		room->bytes = avail_kib * 1024;
	if (cgroup_room(&cg))
		room->bytes = MIN(room->bytes, cg);
	/* What the rest of the process may yet take. */
	if (room->bytes != UINT64_MAX)
		room->bytes -= room->bytes / 8;
}

uint64_t sim_model_fit(const struct sim_model_needs *needs, const struct sim_model_room *room)
{
	uint64_t by_tasks = needs->tasks ? room->tasks / needs->tasks : UINT64_MAX;
	uint64_t by_bytes = needs->bytes ? room->bytes / needs->bytes : UINT64_MAX;

	return MIN(by_tasks, by_bytes);
}

void sim_model_room_error(const struct sim_model_needs *needs, const struct sim_model_room *room,
			  GError **error)
{
	if (needs->tasks > room->tasks)
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "needs %" G_GUINT64_FORMAT " tasks (each a stack and its guard page: "
			    "%" G_GUINT64_FORMAT " memory maps), more than this process can map: "
			    "room for %" G_GUINT64_FORMAT " (vm.max_map_count = %" G_GUINT64_FORMAT
			    ", %" G_GUINT64_FORMAT " maps in use, a margin kept); use fewer threads "
			    "or raise vm.max_map_count", needs->tasks, 2 * needs->tasks,
			    room->tasks, room->max_map_count, room->maps_in_use);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "needs about %" G_GUINT64_FORMAT " MiB (%" G_GUINT64_FORMAT " tasks, "
			    "queued disk requests), more than the %" G_GUINT64_FORMAT " MiB of "
			    "memory available", needs->bytes >> 20, needs->tasks,
			    room->bytes >> 20);
}

const char *sim_model_error(const struct sim_model *m)
{
	const char *e = m->disk_load ? sim_disk_load_error(m->disk_load) : NULL;

	if (!e && m->cpu_load)
		e = sim_cpu_load_error(m->cpu_load);
	return e;
}

struct sim_model *sim_model_build(struct sim_engine *eng,
				  const struct sim_run_config *cfg, GError **error)
{
	struct sim_model *m = g_new0(struct sim_model, 1);

	m->eng = eng;
	sim_engine_set_rng(eng, sim_rng_names[sim_config_get_enum(cfg, "rng")]);
	if (sim_config_get_bool(cfg, "debug.checks"))
		sim_engine_set_checks(eng, true);
	if (!sim_machine_init(&m->machine, eng, cfg, error) ||
	    !build_disk_load(m, cfg, error) || !build_cpu_load(m, cfg, error))
		goto fail;
	m->workloads = sim_workloads_start(eng, &m->machine, cfg, error);
	if (!m->workloads && error && *error)
		goto fail;
	m->record = sim_record_start(eng, &m->machine, m->workloads, cfg, error);
	if (!m->record && error && *error)
		goto fail;
	return m;
fail:
	sim_model_free(m);
	return NULL;
}

void sim_model_reset_stats(struct sim_model *m)
{
	sim_stats_reset(sim_engine_stats(m->eng));
	if (m->machine.disk)
		sim_disk_reset_stats(m->machine.disk);
	sim_workloads_reset(m->workloads);
	sim_record_reset(m->record);
}

void sim_model_finish(struct sim_model *m)
{
	/* The samples up to the end, before anything writes end-of-run
	 * values. */
	sim_record_finish(m->record);
	if (m->machine.cpus)
		sim_cpus_finish(m->machine.cpus);
	if (m->cpu_load)
		sim_cpu_load_finish(m->cpu_load);
	if (m->machine.disk)
		sim_disk_finish(m->machine.disk);
	if (m->machine.wb)
		wb_stats_finish(m->machine.wb);
	sim_workloads_finish(m->workloads);
}

void sim_model_free(struct sim_model *m)
{
	if (!m)
		return;
	sim_record_free(m->record);
	sim_workloads_free(m->workloads);
	/* The groups' mms and files are gone: their memory can go. */
	sim_machine_free_memory(&m->machine);
	sim_cpu_load_free(m->cpu_load);
	sim_disk_load_free(m->disk_load);
	sim_machine_destroy(&m->machine);
	g_free(m);
}
