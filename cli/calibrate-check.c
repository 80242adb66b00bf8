/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim calibrate --check: the host microbenchmarks (calibrate-host.c)
 * as simulations, each a scenario that includes the profile and runs
 * through the normal model (study, sim_model_build(), the engine), with
 * the kernel version's preset.  What each simulates:
 *
 *  minor	one thread writing 8192 pages of an anonymous mapping:
 *		fault.minorLatency p50, p90, p99.
 *  file.fault1	256 processes mapping a one-page file (one-page VMAs:
 *		fault-around maps one page); the first reads it, the others
 *		fault it from the cache: fault.minorLatency p50.
 *  file.*	one thread reading a 32 MiB file once, sequentially, from a cold
 *		cache: readahead keeps ahead, so most faults are minor and map
 *		a window: pages touched per fault, fault.minorLatency p50.
 *  major	one thread touching 256 random pages of a 64 MiB cold file
 *		mapped with file_advice = random (MADV_RANDOM, as measured):
 *		fault.majorLatency p50.
 *  wakeup	a thread sleeping exp(50 us) between operations: every
 *		return is a wake-up, cpu.wakeupLatency p50 and p90 (latency,
 *		run-queue wait, context switch).
 *  writer.*	4 threads touching random pages of one 1 GiB anonymous VMA
 *		(so that nearly every touch faults), alone and with an
 *		mmap_sem writer doing mprotect for the measured time every
 *		measured interval: fault.faultsPerSec over the CPU time used
 *		(cpu.utilization x machine.cpus), as faults per CPU-second;
 *		fault.latency p50.  The
 *		model's mprotect writer changes a page of its own VMA, so the
 *		"same VMA" case is simulated as the "other VMA" one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/calibrate.h"
#include "cli/cli.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/core/stats.h"
#include "sim/model/model.h"

/* One figure read from a finished simulation. */
#define READ_SCALAR	(-1.0)
#define READ_COUNTER	(-2.0)
struct sim_read {
	const char *figure;
	const char *module, *name;
	double q;		/* a histogram's quantile, or READ_* */
};

const char *cal_preset_for(const char *kernel)
{
	static const struct { int major, minor; const char *preset; } presets[] = {
		{ 6, 15, "linux-6.15" }, { 6, 8, "linux-6.8" }, { 6, 6, "linux-6.6" },
		{ 6, 4, "linux-6.4" }, { 6, 1, "linux-6.1" }, { 5, 10, "linux-5.10" },
		{ 5, 4, "linux-5.4" },
	};
	int major = 0, minor = 0;

	if (kernel)
		sscanf(kernel, "%d.%d", &major, &minor);
	for (size_t i = 0; i < G_N_ELEMENTS(presets); i++)
		if (major > presets[i].major ||
		    (major == presets[i].major && minor >= presets[i].minor))
			return presets[i].preset;
	return "linux-4.19";
}

/*
 * Run the scenario "[General] include = @profile, policy.preset, @body"
 * and read @reads into @pred.  The scenario is a file next to nothing:
 * the include names the profile by its absolute path.
 */
static gboolean simulate(const char *profile, const char *preset, const char *body,
			 const struct sim_read *reads, size_t nr_reads,
			 struct cal_values *pred, GError **error)
{
	g_autofree char *abs = g_canonicalize_filename(profile, NULL);
	g_autofree char *text = g_strdup_printf("[General]\ninclude = %s\npolicy.preset = %s\n%s",
						abs, preset, body);
	g_autofree char *path = NULL;
	g_autoptr(sim_keys) keys = cli_keys_new();
	g_autoptr(sim_study) study = NULL;
	const struct sim_run_config *cfg;
	struct sim_engine *eng;
	struct sim_model *m;
	struct sim_stats *st;
	int fd = g_file_open_tmp("faultsim-check-XXXXXX.ini", &path, error);

	if (fd < 0)
		return FALSE;
	close(fd);
	if (!g_file_set_contents(path, text, -1, error)) {
		unlink(path);
		return FALSE;
	}
	study = sim_study_new(path, NULL, NULL, keys, error);
	unlink(path);
	if (!study)
		return FALSE;
	cfg = sim_study_run(study, 0);
	eng = sim_engine_new(cfg->seed);
	m = sim_model_build(eng, cfg, error);
	if (!m) {
		sim_engine_free(eng);
		return FALSE;
	}
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	sim_model_finish(m);
	st = sim_engine_stats(eng);
	for (size_t i = 0; i < nr_reads; i++) {
		const struct sim_read *r = &reads[i];

		if (r->q >= 0) {
			struct sim_hist *h = sim_stats_hist(st, r->module, r->name);

			if (sim_hist_count(h) > 0)
				cal_set(pred, r->figure, (double)sim_hist_quantile(h, r->q));
			else
				cal_skip(pred, r->figure, "the simulation recorded no %s.%s",
					 r->module, r->name);
		} else if (r->q == READ_COUNTER) {
			cal_set(pred, r->figure, (double)*sim_stats_counter(st, r->module, r->name));
		} else {
			cal_set(pred, r->figure, *sim_stats_scalar(st, r->module, r->name));
		}
	}
	sim_model_free(m);
	sim_engine_free(eng);
	return TRUE;
}

/* A one-pass sequential read of a cold 32 MiB file: the cost of the minor
 * faults (fault-around over what readahead brought in) and the pages
 * touched per fault (file.pages). */
static gboolean sim_file_around(const char *profile, const char *preset, struct cal_values *pred,
				GError **error)
{
	static const char body[] =
		"workload.f.kind = fault\nworkload.f.mapping = file\n"
		"workload.f.file_size = 32MiB\nworkload.f.ops = 8192\n"
		"workload.f.think = 0\nworkload.f.work = 0\nsim-time-limit = 10s\n";
	static const struct sim_read reads[] = {
		{ "file.around", "fault", "minorLatency", 0.5 },
		{ "file.faults", "fault", "faults", READ_COUNTER },
	};
	double faults;

	if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error))
		return FALSE;
	if (cal_get(pred, "file.faults", &faults) && faults > 0)
		cal_set(pred, "file.pages", 8192.0 / faults);
	return TRUE;
}

gboolean cal_simulate(const char *profile, const struct cal_values *measured,
		      struct cal_values *pred, bool progress, GError **error)
{
	const char *preset = cal_preset_for(measured->kernel);
	double hold = 0, interval = 0, alone, rate;

	cal_progress(progress, "simulating minor faults (1/5)");
	{
		static const char body[] =
			"workload.m.kind = fault\nworkload.m.mapping = anon\n"
			"workload.m.anon_size = 64MiB\nworkload.m.ops = 8192\n"
			"workload.m.write_fraction = 1\n"
			"workload.m.think = 0\nworkload.m.work = 0\nsim-time-limit = 10s\n";
		static const struct sim_read reads[] = {
			{ "minor.p50", "fault", "minorLatency", 0.50 },
			{ "minor.p90", "fault", "minorLatency", 0.90 },
			{ "minor.p99", "fault", "minorLatency", 0.99 },
		};

		if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error))
			return FALSE;
	}
	cal_progress(progress, "simulating file faults (2/5)");
	{
		static const char body[] =
			"workload.f.kind = fault\nworkload.f.mapping = file\n"
			"workload.f.file_size = 4KiB\nworkload.f.processes = 256\n"
			"workload.f.ops = 1\nworkload.f.think = 0\nworkload.f.work = 0\n"
			"sim-time-limit = 10s\n";
		static const struct sim_read reads[] = {
			{ "file.fault1", "fault", "minorLatency", 0.5 },
		};

		if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error) ||
		    !sim_file_around(profile, preset, pred, error))
			return FALSE;
	}
	cal_progress(progress, "simulating major faults (3/5)");
	{
		static const char body[] =
			"workload.f.kind = fault\nworkload.f.mapping = file\n"
			"workload.f.file_size = 64MiB\nworkload.f.pattern = uniform(0,16384)\n"
			"workload.f.file_advice = random\n"
			"workload.f.ops = 256\nworkload.f.think = 0\nworkload.f.work = 0\n"
			"sim-time-limit = 10s\n";
		static const struct sim_read reads[] = {
			{ "major.p50", "fault", "majorLatency", 0.5 },
		};

		if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error))
			return FALSE;
	}
	cal_progress(progress, "simulating wake-ups (4/5)");
	{
		static const char body[] =
			"workload.w.kind = lock\nworkload.w.threads = 1\n"
			"workload.w.think = exp(50us)\nsim-time-limit = 200ms\n";
		static const struct sim_read reads[] = {
			{ "wakeup.p50", "cpu", "wakeupLatency", 0.5 },
			{ "wakeup.p90", "cpu", "wakeupLatency", 0.9 },
		};

		if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error))
			return FALSE;
	}
	cal_progress(progress, "simulating the writer (5/5)");
	cal_get(measured, "writer.hold", &hold);
	cal_get(measured, "writer.interval", &interval);
	for (int c = 0; c < 3; c++) {
		static const char *const cases[] = { "none", "other", "same" };
		g_autofree char *k_rate = g_strdup_printf("writer.%s.rate", cases[c]);
		g_autofree char *k_p50 = g_strdup_printf("writer.%s.p50", cases[c]);
		g_autofree char *writers = c == 0 ? g_strdup("") :
			g_strdup_printf("workload.t.mmap_writers = 1\n"
					"workload.t.writer_op = mprotect\n"
					"workload.t.writer_interval = const(%.0fns)\n"
					"workload.t.writer_hold = %.0fns\n",
					MAX(interval, 1.0), MAX(hold, 1.0));
		g_autofree char *body = g_strdup_printf(
			"workload.t.kind = fault\nworkload.t.mapping = anon\n"
			"workload.t.threads = 4\nworkload.t.anon_size = 1GiB\n"
			"workload.t.pattern = uniform(0,262144)\nworkload.t.write_fraction = 1\n"
			"workload.t.think = 0\nworkload.t.work = 0\n%s"
			"sim-time-limit = 20ms\n", writers);
		const struct sim_read reads[] = {
			{ k_rate, "fault", "faultsPerSec", READ_SCALAR },
			{ k_p50, "fault", "latency", 0.5 },
			{ "sim.utilization", "cpu", "utilization", READ_SCALAR },
		};
		double util, ncpu = measured->cpus ? measured->cpus : 1;

		if (c > 0 && (hold <= 0 || interval <= 0)) {
			cal_skip(pred, k_rate, "the writer's hold and interval were not measured");
			continue;
		}
		if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error))
			return FALSE;
		/* Faults per CPU-second, as measured. */
		if (cal_get(pred, k_rate, &rate) && cal_get(pred, "sim.utilization", &util) &&
		    util > 0)
			cal_set(pred, k_rate, rate / (ncpu * util));
		if (c > 0 && cal_get(pred, "writer.none.rate", &alone) && alone > 0 &&
		    cal_get(pred, k_rate, &rate)) {
			g_autofree char *k_ratio = g_strdup_printf("writer.%s.ratio", cases[c]);

			cal_set(pred, k_ratio, rate / alone);
		}
	}
	return TRUE;
}
