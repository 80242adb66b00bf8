/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building one run's machine from its configuration (see model.h).
 *
 * Keys that override a profile's default (disk.depth, disk.latency, ...)
 * are applied only when the scenario sets them: their registered default is
 * the ssd profile's value, shown by `faultsim list keys`.
 */
#include "config.h"

#include "sim/kernel/cpu.h"
#include "sim/kernel/disk.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"
#include "sim/core/stats.h"
#include "sim/model/workload.h"

struct sim_model {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	struct sim_disk *disk;
	struct sim_disk_load *disk_load;
	struct sim_cpu_load *cpu_load;
	struct sim_workloads *workloads;
};

static const char *const disk_profiles[] = { "ssd", "hdd", NULL };
static const char *const disk_schedulers[] = { "fifo", "deadline", NULL };
static const char *const disk_patterns[] = { "random", "sequential", NULL };

static const struct sim_key_def model_keys[] = {
	/* machine */
	{ .name = "machine.cpus", .type = SIM_KEY_UINT, .defval = "4", .min = "1", .max = "1024",
	  .help = "number of CPU cores" },
	{ .name = "machine.slice", .type = SIM_KEY_TIME, .defval = "3ms",
	  .help = "scheduler time slice (0: no preemption)" },
	{ .name = "machine.context_switch", .type = SIM_KEY_TIME, .defval = "1us",
	  .help = "cost of putting a task on a core" },
	{ .name = "machine.wakeup_latency", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "0", .help = "scheduling latency of a woken task before it queues for a core" },
	/* disk */
	{ .name = "disk.profile", .type = SIM_KEY_ENUM, .defval = "ssd", .choices = disk_profiles,
	  .help = "device profile; the other disk.* keys override its values" },
	{ .name = "disk.depth", .type = SIM_KEY_UINT, .defval = "32", .min = "1", .max = "4096",
	  .help = "requests in service at once (hdd: 1)" },
	{ .name = "disk.scheduler", .type = SIM_KEY_ENUM, .defval = "deadline",
	  .choices = disk_schedulers, .help = "I/O scheduler" },
	{ .name = "disk.latency", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "lognormal(80us,0.3)", .help = "setup latency of a request (ssd default)" },
	{ .name = "disk.bandwidth", .type = SIM_KEY_SIZE, .defval = "2GB",
	  .help = "transfer rate per second (0: no transfer term)" },
	{ .name = "disk.capacity", .type = SIM_KEY_SIZE, .defval = "1TiB", .min = "4KiB",
	  .help = "device size (scales hdd seeks and load offsets)" },
	{ .name = "disk.merge", .type = SIM_KEY_BOOL, .defval = "true",
	  .help = "merge contiguous queued requests" },
	{ .name = "disk.read_expire", .type = SIM_KEY_TIME, .defval = "500ms", .min = "1ns",
	  .help = "deadline scheduler: read expiry" },
	{ .name = "disk.write_expire", .type = SIM_KEY_TIME, .defval = "5s", .min = "1ns",
	  .help = "deadline scheduler: write expiry" },
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
	/* open-loop CPU load */
	{ .name = "load.cpu.interarrival", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .help = "time between CPU jobs (unset: no CPU load unless load.cpu.utilization)" },
	{ .name = "load.cpu.utilization", .type = SIM_KEY_DOUBLE, .defval = "0", .min = "0",
	  .max = "0.999", .help = "Poisson CPU load at this utilisation of all cores" },
	{ .name = "load.cpu.service", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(100us)", .help = "CPU time of each job" },
	{ .name = "load.cpu.jobs", .type = SIM_KEY_UINT, .defval = "0",
	  .help = "stop after this many jobs (0: no limit)" },
};

void sim_model_register_keys_with(struct sim_keys *keys, struct sim_policies *policies)
{
	sim_keys_add(keys, model_keys, G_N_ELEMENTS(model_keys));
	sim_workload_register_keys(keys);
	sim_policy_register_keys(keys, policies);
}

void sim_model_register_keys(struct sim_keys *keys)
{
	sim_model_register_keys_with(keys, NULL);
}

static gboolean build_cpus(struct sim_model *m, const struct sim_run_config *cfg,
			   GError **error)
{
	struct sim_cpus_params p;
	g_autoptr(sim_dist) lat = sim_config_get_dist(cfg, "machine.wakeup_latency");

	sim_cpus_params_init(&p);
	p.nr_cpus = (unsigned int)sim_config_get_uint(cfg, "machine.cpus");
	p.slice = sim_config_get_time(cfg, "machine.slice");
	p.ctx_switch = sim_config_get_time(cfg, "machine.context_switch");
	p.wake_latency = lat;
	if (!sim_cpus_params_check(&p, error))
		return FALSE;
	m->cpus = sim_cpus_new(m->eng, &p);
	return TRUE;
}

static gboolean build_disk(struct sim_model *m, const struct sim_run_config *cfg,
			   GError **error)
{
	struct sim_disk_params p;
	g_autoptr(sim_dist) setup = NULL;
	const char *profile = disk_profiles[sim_config_get_enum(cfg, "disk.profile")];

	if (!sim_disk_params_init(&p, profile, error))
		return FALSE;
	if (sim_config_is_set(cfg, "disk.depth"))
		p.depth = (unsigned int)sim_config_get_uint(cfg, "disk.depth");
	if (sim_config_is_set(cfg, "disk.scheduler"))
		p.sched = sim_config_get_enum(cfg, "disk.scheduler") == 0 ?
			SIM_DISK_SCHED_FIFO : SIM_DISK_SCHED_DEADLINE;
	if (sim_config_is_set(cfg, "disk.latency")) {
		setup = sim_config_get_dist(cfg, "disk.latency");
		p.setup = setup;
	}
	if (sim_config_is_set(cfg, "disk.bandwidth"))
		p.bandwidth = (double)sim_config_get_size(cfg, "disk.bandwidth");
	if (sim_config_is_set(cfg, "disk.capacity"))
		p.capacity = sim_config_get_size(cfg, "disk.capacity");
	if (sim_config_is_set(cfg, "disk.merge"))
		p.merge = sim_config_get_bool(cfg, "disk.merge");
	if (sim_config_is_set(cfg, "disk.read_expire"))
		p.read_expire = sim_config_get_time(cfg, "disk.read_expire");
	if (sim_config_is_set(cfg, "disk.write_expire"))
		p.write_expire = sim_config_get_time(cfg, "disk.write_expire");
	m->disk = sim_disk_new(m->eng, &p, error);
	if (!m->disk) {
		g_prefix_error(error, "disk: ");
		return FALSE;
	}
	return TRUE;
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
	if (!ia) {
		g_autoptr(sim_dist) setup = sim_config_get_dist(cfg, "disk.latency");
		const char *profile = disk_profiles[sim_config_get_enum(cfg, "disk.profile")];
		double bw = sim_config_is_set(cfg, "disk.bandwidth") ?
			(double)sim_config_get_size(cfg, "disk.bandwidth") : 2e9;

		if (!g_str_equal(profile, "ssd")) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
				    "load.disk.utilization needs disk.profile = ssd (an hdd's "
				    "service time depends on seeks); set load.disk.interarrival instead");
			return FALSE;
		}
		double mean = sim_dist_mean(setup) + (bw > 0 ? (double)p.fixed_size * 1e9 / bw : 0);

		ia = poisson_for(mean, sim_disk_depth(m->disk), rho);
	}
	p.interarrival = ia;
	m->disk_load = sim_disk_load_start(m->eng, m->disk, &p, error);
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
		ia = poisson_for(sim_dist_mean(service), sim_cpus_nr(m->cpus), rho);
	m->cpu_load = sim_cpu_load_start(m->eng, m->cpus, ia, service,
					 sim_config_get_uint(cfg, "load.cpu.jobs"));
	return TRUE;
}

struct sim_model *sim_model_build(struct sim_engine *eng,
				  const struct sim_run_config *cfg, GError **error)
{
	struct sim_model *m = g_new0(struct sim_model, 1);

	m->eng = eng;
	if (!build_cpus(m, cfg, error) || !build_disk(m, cfg, error) ||
	    !build_disk_load(m, cfg, error) || !build_cpu_load(m, cfg, error))
		goto fail;
	m->workloads = sim_workloads_start(eng, m->cpus, m->disk, cfg, error);
	if (!m->workloads && error && *error)
		goto fail;
	return m;
fail:
	sim_model_free(m);
	return NULL;
}

void sim_model_reset_stats(struct sim_model *m)
{
	sim_stats_reset(sim_engine_stats(m->eng));
	if (m->disk)
		sim_disk_reset_stats(m->disk);
	sim_workloads_reset(m->workloads);
}

void sim_model_finish(struct sim_model *m)
{
	if (m->cpus)
		sim_cpus_finish(m->cpus);
	if (m->cpu_load)
		sim_cpu_load_finish(m->cpu_load);
	if (m->disk)
		sim_disk_finish(m->disk);
	sim_workloads_finish(m->workloads);
}

void sim_model_free(struct sim_model *m)
{
	if (!m)
		return;
	sim_workloads_free(m->workloads);
	sim_cpu_load_free(m->cpu_load);
	sim_disk_load_free(m->disk_load);
	sim_disk_free(m->disk);
	sim_cpus_free(m->cpus);
	g_free(m);
}
