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
 *  file.*	one thread reading a 32 MiB file once, sequentially, from the
 *		cache, the file written as the host wrote it (file_written =
 *		1MiB: folios of up to a write's 1 MiB where the host's
 *		filesystem has large folios, max_folio = file.max_folio; the
 *		profile's fault.around_folio says whether fault-around maps
 *		them whole): pages touched per fault, fault.minorLatency p50.
 *  major	one thread touching 256 random pages of a 64 MiB cold file
 *		mapped with file_advice = random (MADV_RANDOM, as measured):
 *		fault.majorLatency p50.
 *  wakeup	a thread sleeping exp(50 us) between operations: every
 *		return is a wake-up, cpu.wakeupLatency p50 and p90 (latency,
 *		run-queue wait, context switch).
 *  writer.*	4 threads touching random pages of one 1 GiB anonymous VMA
 *		(so that nearly every touch faults), pinned as they were on
 *		the host (pin = spread over the CPUs they were spread over),
 *		alone and with an mmap_sem writer that holds it for the
 *		measured mprotect() time every measured interval: "other"
 *		toggles PROT_WRITE on a page of a VMA of its own (writer_op =
 *		mprotect), "same" on 16 pages inside the faulting VMA
 *		(writer_op = mprotect-range: the VMA split in three and merged
 *		back, write-locked each time); fault.faultsPerSec over the CPU
 *		time used (cpu.utilization x machine.cpus), as faults per
 *		CPU-second; fault.latency p50.
 *  smaps	a process of smaps.vmas one-page VMAs (a thread each, which
 *		touches its page once) and a /proc/PID/smaps reader (proc_file
 *		= smaps, a page-sized seq_file buffer: one mmap_read_lock()
 *		hold per fill) on a CPU of its own, reading the file five
 *		times, 100 ms apart: the CPU's busy time per read (smaps.read: the read, and
 *		the one context switch of its wake-up), fills per read
 *		(procFills / procReads) and busy time per fill (smaps.fill.p50:
 *		a mean, every full fill costing the same in the model).
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
static gboolean sim_file_around(const char *profile, const char *preset,
				const struct cal_values *measured, struct cal_values *pred,
				GError **error)
{
	double max_folio = 1;
	g_autofree char *body = NULL;
	static const struct sim_read reads[] = {
		{ "file.around", "fault", "minorLatency", 0.5 },
		{ "file.faults", "fault", "faults", READ_COUNTER },
	};
	double faults;

	/* As the host: the file written with 1 MiB writes, read from the
	 * cache, on a filesystem with the host's largest folio. */
	cal_get(measured, "file.max_folio", &max_folio);
	body = g_strdup_printf("workload.f.kind = fault\nworkload.f.mapping = file\n"
			       "workload.f.file_size = 32MiB\nworkload.f.ops = 8192\n"
			       "workload.f.file_written = 1MiB\n"
			       "workload.f.max_folio = %.0fKiB\n"
			       "workload.f.think = 0\nworkload.f.work = 0\nsim-time-limit = 10s\n",
			       CLAMP(max_folio, 1, 512) * 4);
	if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error))
		return FALSE;
	if (cal_get(pred, "file.faults", &faults) && faults > 0)
		cal_set(pred, "file.pages", 8192.0 / faults);
	return TRUE;
}

/* One /proc/PID/smaps reader on a CPU of its own (CPU 1; machine.cpus
 * at least 2 for it) against a process of smaps.vmas one-page VMAs: its
 * CPU's busy time per read and per fill, and fills per read. */
static gboolean sim_smaps(const char *profile, const char *preset,
			  const struct cal_values *measured, struct cal_values *pred,
			  GError **error)
{
	static const struct sim_read reads[] = {
		{ "sim.busy", "cpu[1]", "busyTime", READ_SCALAR },
		{ "sim.reads", "t", "procReads", READ_COUNTER },
		{ "sim.fills", "t", "procFills", READ_COUNTER },
	};
	double vmas, busy, nreads, nfills;
	g_autofree char *body = NULL;

	if (!cal_get(measured, "smaps.vmas", &vmas) || vmas < 2) {
		cal_skip(pred, "smaps", "the VMAs of the smaps read were not measured");
		return TRUE;
	}
	if (measured->cpus < 2) {
		cal_skip(pred, "smaps", "one CPU: the reader cannot be timed on a CPU of its own");
		return TRUE;
	}
	/* vma_per_thread: the threads' VMAs, and the process's one-page
	 * VMA of the mprotect writers (jit): smaps.vmas in all.  Five reads,
	 * 100 ms apart, each done well before the next (and before the end
	 * at 550 ms) for up to 5000 VMAs at a few us each. */
	vmas = MIN(vmas, 5000);
	body = g_strdup_printf(
		"workload.t.kind = fault\nworkload.t.mapping = anon\n"
		"workload.t.threads = %.0f\nworkload.t.vma_per_thread = true\n"
		"workload.t.anon_size = %.0fKiB\nworkload.t.ops = 1\n"
		"workload.t.write_fraction = 1\nworkload.t.think = 0\nworkload.t.work = 0\n"
		"workload.t.cpus = 0\n"
		"workload.t.proc_readers = 1\nworkload.t.proc_file = smaps\n"
		"workload.t.proc_buffer = 4KiB\nworkload.t.proc_interval = const(100ms)\n"
		"workload.t.proc_cpus = 1\nsim-time-limit = 550ms\n", vmas - 1, (vmas - 1) * 4);
	if (!simulate(profile, preset, body, reads, G_N_ELEMENTS(reads), pred, error))
		return FALSE;
	if (cal_get(pred, "sim.busy", &busy) && cal_get(pred, "sim.reads", &nreads) &&
	    cal_get(pred, "sim.fills", &nfills) && nreads > 0 && nfills > 0) {
		cal_set(pred, "smaps.read", busy / nreads);
		cal_set(pred, "smaps.fills", nfills / nreads);
		cal_set(pred, "smaps.fill.p50", busy / nfills);
	} else {
		cal_skip(pred, "smaps", "the simulated reader finished no read");
	}
	return TRUE;
}

gboolean cal_simulate(const char *profile, const struct cal_values *measured,
		      struct cal_values *pred, bool progress, GError **error)
{
	const char *preset = cal_preset_for(measured->kernel);
	double hold = 0, interval = 0, alone, rate, pinned = 0;
	double ncpu = measured->cpus ? measured->cpus : 1;
	g_autofree char *pin = NULL;

	cal_progress(progress, "simulating minor faults (1/6)");
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
	cal_progress(progress, "simulating file faults (2/6)");
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
		    !sim_file_around(profile, preset, measured, pred, error))
			return FALSE;
	}
	cal_progress(progress, "simulating major faults (3/6)");
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
	cal_progress(progress, "simulating wake-ups (4/6)");
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
	cal_progress(progress, "simulating the writer (5/6)");
	cal_get(measured, "writer.hold", &hold);
	cal_get(measured, "writer.interval", &interval);
	/* The faulting threads pinned as on the host: thread i on the (i mod
	 * n)-th CPU. */
	if (cal_get(measured, "writer.pinned", &pinned) && pinned >= 2)
		pin = g_strdup_printf("workload.t.cpus = 0-%u\nworkload.t.pin = spread\n",
				      (unsigned int)MIN(pinned, MAX(ncpu, 1)) - 1);
	else
		pin = g_strdup("");
	for (int c = 0; c < 3; c++) {
		static const char *const cases[] = { "none", "other", "same" };
		static const char *const ops[] = { NULL, "mprotect", "mprotect-range" };
		g_autofree char *k_rate = g_strdup_printf("writer.%s.rate", cases[c]);
		g_autofree char *k_p50 = g_strdup_printf("writer.%s.p50", cases[c]);
		g_autofree char *writers = c == 0 ? g_strdup("") :
			g_strdup_printf("workload.t.mmap_writers = 1\n"
					"workload.t.writer_op = %s\n"
					"workload.t.writer_pages = 16\n"
					"workload.t.writer_interval = const(%.0fns)\n"
					"workload.t.writer_hold = %.0fns\n",
					ops[c], MAX(interval, 1.0), MAX(hold, 1.0));
		g_autofree char *body = g_strdup_printf(
			"workload.t.kind = fault\nworkload.t.mapping = anon\n"
			"workload.t.threads = 4\nworkload.t.anon_size = 1GiB\n"
			"workload.t.pattern = uniform(0,262144)\nworkload.t.write_fraction = 1\n"
			"workload.t.think = 0\nworkload.t.work = 0\n%s%s"
			"sim-time-limit = 20ms\n", writers, pin);
		const struct sim_read reads[] = {
			{ k_rate, "fault", "faultsPerSec", READ_SCALAR },
			{ k_p50, "fault", "latency", 0.5 },
			{ "sim.utilization", "cpu", "utilization", READ_SCALAR },
		};
		double util;

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
	cal_progress(progress, "simulating the smaps reader (6/6)");
	return sim_smaps(profile, preset, measured, pred, error);
}
