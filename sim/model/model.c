/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building one run from its configuration (see model.h): the machine
 * (machine.c), the open-loop loads (here) and the workload groups
 * (workload.c).
 */
#include "config.h"

#include "sim/core/stats.h"
#include "sim/model/kernel-params.h"
#include "sim/model/machine.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"
#include "sim/model/workload.h"

struct sim_model {
	struct sim_engine *eng;
	struct sim_machine machine;
	struct sim_disk_load *disk_load;
	struct sim_cpu_load *cpu_load;
	struct sim_workloads *workloads;
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

/* The engine's switch for the invariant checkers (sim_engine_checks());
 * the test suite turns it on for every run (FAULTSIM_CHECKS). */
static const struct sim_key_def debug_keys[] = {
	{ .name = "debug.checks", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "run the models' invariant checkers after every state change (slow)" },
};

void sim_model_register_keys_with(struct sim_keys *keys, struct sim_policies *policies)
{
	sim_machine_register_keys(keys);
	sim_keys_add(keys, load_keys, G_N_ELEMENTS(load_keys));
	sim_keys_add(keys, debug_keys, G_N_ELEMENTS(debug_keys));
	sim_workload_register_keys(keys);
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
	return TRUE;
}

struct sim_model *sim_model_build(struct sim_engine *eng,
				  const struct sim_run_config *cfg, GError **error)
{
	struct sim_model *m = g_new0(struct sim_model, 1);

	m->eng = eng;
	if (sim_config_get_bool(cfg, "debug.checks"))
		sim_engine_set_checks(eng, true);
	if (!sim_machine_init(&m->machine, eng, cfg, error) ||
	    !build_disk_load(m, cfg, error) || !build_cpu_load(m, cfg, error))
		goto fail;
	m->workloads = sim_workloads_start(eng, &m->machine, cfg, error);
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
	if (m->machine.disk)
		sim_disk_reset_stats(m->machine.disk);
	sim_workloads_reset(m->workloads);
}

void sim_model_finish(struct sim_model *m)
{
	if (m->machine.cpus)
		sim_cpus_finish(m->machine.cpus);
	if (m->cpu_load)
		sim_cpu_load_finish(m->cpu_load);
	if (m->machine.disk)
		sim_disk_finish(m->machine.disk);
	sim_workloads_finish(m->workloads);
}

void sim_model_free(struct sim_model *m)
{
	if (!m)
		return;
	sim_workloads_free(m->workloads);
	/* The groups' mms and files are gone: their memory can go. */
	sim_machine_free_memory(&m->machine);
	sim_cpu_load_free(m->cpu_load);
	sim_disk_load_free(m->disk_load);
	sim_machine_destroy(&m->machine);
	g_free(m);
}
