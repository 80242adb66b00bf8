/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine of one run (see machine.h).
 *
 * Keys that override a profile's default (disk.depth, disk.latency, ...)
 * are applied only when the scenario sets them: their registered default is
 * the ssd profile's value, shown by `faultsim list keys`.
 */
#include "config.h"

#include "sim/model/kernel-params.h"
#include "sim/model/machine.h"
#include "sim/model/policy.h"

static const char *const disk_profiles[] = { "ssd", "hdd", NULL };
static const char *const disk_schedulers[] = { "fifo", "deadline", NULL };

static const struct sim_key_def machine_keys[] = {
	/* CPUs */
	{ .name = "machine.cpus", .type = SIM_KEY_UINT, .defval = "4", .min = "1", .max = "1024",
	  .help = "number of CPU cores" },
	{ .name = "machine.slice", .type = SIM_KEY_TIME, .defval = "3ms",
	  .help = "scheduler time slice (0: no preemption)" },
	{ .name = "machine.context_switch", .type = SIM_KEY_TIME, .defval = "1us",
	  .help = "cost of putting a task on a core" },
	{ .name = "machine.wakeup_latency", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "lognormal(550ns,0.45)",
	  .help = "scheduling latency of a woken task before it queues for a core (default: "
		  "measured, see docs/design.md)" },
	/* IPIs: TLB shootdowns (sim/kernel/tlb.h) */
	{ .name = "machine.ipi_latency", .type = SIM_KEY_TIME, .defval = "500ns",
	  .help = "an IPI from its send to its handler's start on the target CPU (default: a "
		  "bare-metal round trip of 1-2 us split, docs/kernel.md section 15; "
		  "faultsim calibrate measures the host's)" },
	{ .name = "machine.ipi_cost", .type = SIM_KEY_TIME, .defval = "1us",
	  .help = "a TLB-flush IPI's handler on the target CPU, stolen from what runs there "
		  "(0 with ipi_latency 0: no shootdowns)" },
	{ .name = "machine.tlb_flush_page", .type = SIM_KEY_TIME, .defval = "100ns",
	  .help = "flushing one page from a TLB (INVLPG; a range above 33 pages costs 33, "
		  "the full flush the kernel does then)" },
	/* cache lines */
	{ .name = "machine.cacheline_transfer", .type = SIM_KEY_TIME, .defval = "100ns",
	  .help = "moving a lock word's cache line to another CPU (0: not modelled)" },
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
	{ .name = "disk.nr_requests", .type = SIM_KEY_UINT, .defval = "0", .max = "65536",
	  .help = "tags of the block queue, each held by a request from submission to "
		  "completion; a submitter that finds none sleeps (0: max(2 x depth, 256))" },
	/* block cgroups, named by workload.NAME.cgroup and load.disk.cgroup */
	{ .name = "cgroup.*.io_max_bps", .type = SIM_KEY_SIZE, .defval = "0",
	  .help = "io.max: bytes per second, reads and writes each (0: max)" },
	{ .name = "cgroup.*.io_max_iops", .type = SIM_KEY_UINT, .defval = "0",
	  .help = "io.max: requests per second, reads and writes each (0: max)" },
	{ .name = "cgroup.*.io_latency_target", .type = SIM_KEY_TIME, .defval = "0",
	  .help = "io.latency: target mean completion latency; a miss halves the in-flight "
		  "depth of cgroups with a larger target or none (0: none)" },
	{ .name = "disk.write_expire", .type = SIM_KEY_TIME, .defval = "5s", .min = "1ns",
	  .help = "deadline scheduler: write expiry" },
	/* memory */
	{ .name = "memory.limit", .type = SIM_KEY_SIZE, .defval = "1GiB", .min = "64KiB",
	  .max = "16TiB", .help = "memory for the page cache; reclaim keeps within it" },
	{ .name = "memory.kswapd", .type = SIM_KEY_BOOL, .defval = "true",
	  .help = "run kswapd (else only direct reclaim)" },
	{ .name = "memory.scan_cost", .type = SIM_KEY_TIME, .defval = "50ns",
	  .help = "CPU time reclaim spends per page scanned" },
	{ .name = "memory.swap", .type = SIM_KEY_SIZE, .defval = "0",
	  .help = "swap space on the disk for anonymous memory (0: none)" },
};

void sim_machine_register_keys(struct sim_keys *keys)
{
	sim_keys_add(keys, machine_keys, G_N_ELEMENTS(machine_keys));
}

static gboolean build_cpus(struct sim_machine *m, GError **error)
{
	const struct sim_run_config *cfg = m->cfg;
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

static gboolean build_disk(struct sim_machine *m, GError **error)
{
	const struct sim_run_config *cfg = m->cfg;
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
	p.nr_requests = (unsigned int)sim_config_get_uint(cfg, "disk.nr_requests");
	m->disk = sim_disk_new(m->eng, &p, error);
	if (!m->disk) {
		g_prefix_error(error, "disk: ");
		return FALSE;
	}
	return TRUE;
}

gboolean sim_machine_init(struct sim_machine *m, struct sim_engine *eng,
			  const struct sim_run_config *cfg, GError **error)
{
	*m = (struct sim_machine){ .eng = eng, .cfg = cfg };
	return build_cpus(m, error) && build_disk(m, error);
}

gboolean sim_machine_disk_service(const struct sim_machine *m, uint64_t bytes, double *mean,
				  GError **error)
{
	const struct sim_run_config *cfg = m->cfg;
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
	*mean = sim_dist_mean(setup) + (bw > 0 ? (double)bytes * 1e9 / bw : 0);
	return TRUE;
}

uint64_t sim_machine_disk_extent(struct sim_machine *m, uint64_t bytes)
{
	uint64_t base = m->disk_next;

	m->disk_next += bytes;
	return base;
}

/* The page cache of memory.*, with the run's page_lock policy; kswapd
 * competes for the CPUs. */
static gboolean provide_page_cache(struct sim_machine *m, GError **error)
{
	const struct sim_run_config *cfg = m->cfg;
	struct writeback_params wp;
	struct pc_params p;

	pc_params_init(&p);
	p.nr_pages = sim_config_get_size(cfg, "memory.limit") / PAGE_SIZE;
	p.page_lock_ops = sim_policy_page_lock(cfg);
	p.page_lock_unfairness = (unsigned int)sim_config_get_uint(cfg, "policy.page_lock_budget");
	p.kswapd = sim_config_get_bool(cfg, "memory.kswapd");
	p.scan_cost = sim_config_get_time(cfg, "memory.scan_cost");
	p.cpu_work = cpu_work;
	m->pc = pc_new(m->eng, &p, error);
	if (!m->pc)
		return FALSE;
	if (pc_kswapd_task(m->pc)) {
		/* kswapd sleeps until memory runs low: not a deadlock. */
		sim_task_set_daemon(pc_kswapd_task(m->pc), true);
		sim_cpus_attach(m->cpus, pc_kswapd_task(m->pc));
	}
	writeback_params_from_config(&wp, cfg);
	m->wb = wb_new(m->eng, m->pc, &wp);
	return TRUE;
}

/* The mm system on the page cache, and its swap area (memory.swap) on the
 * disk's next extent. */
static gboolean provide_mm(struct sim_machine *m, GError **error)
{
	uint64_t swap = sim_config_get_size(m->cfg, "memory.swap") / PAGE_SIZE;

	m->mm_sys = mm_sys_new(m->pc);
	if (!swap)
		return TRUE;
	return swapon(m->mm_sys, m->disk, sim_machine_disk_extent(m, swap * PAGE_SIZE), swap,
		      error);
}

gboolean sim_machine_provide(struct sim_machine *m, unsigned int parts, GError **error)
{
	if (parts & SIM_MACHINE_MM)
		parts |= SIM_MACHINE_PAGE_CACHE;
	if ((parts & SIM_MACHINE_PAGE_CACHE) && !m->pc && !provide_page_cache(m, error))
		return FALSE;
	if ((parts & SIM_MACHINE_MM) && !m->mm_sys && !provide_mm(m, error))
		return FALSE;
	if ((parts & SIM_MACHINE_MM) && !m->tlb) {
		struct tlb_params p;

		tlb_params_from_config(&p, m->cfg);
		if (p.ipi_latency > 0 || p.ipi_cost > 0)
			m->tlb = tlb_sys_new(m->eng, m->cpus, &p);
	}
	if ((parts & SIM_MACHINE_CACHELINES) && !m->line_cost) {
		m->line_cost = g_new0(struct sim_cacheline_cost, 1);
		cacheline_cost_init(m->line_cost, m->eng,
				    sim_config_get_time(m->cfg, "machine.cacheline_transfer"));
	}
	/* The other shared lines of a fault, on the same transfer cost. */
	if ((parts & SIM_MACHINE_CACHELINES) && (parts & SIM_MACHINE_MM) && !m->lines) {
		struct mm_lines_params p;

		mm_lines_params_from_config(&p, m->cfg);
		m->lines = mm_lines_new(m->eng, m->line_cost,
					(unsigned int)sim_config_get_uint(m->cfg, "machine.cpus"), &p);
	}
	return TRUE;
}

static gboolean blkcg_is_root(const char *name)
{
	return !*name || g_str_equal(name, "/") || g_str_equal(name, "root");
}

gboolean sim_blkcg_name_check(const struct sim_key_def *def, const struct sim_run_config *cfg,
			      const char *key, GError **error)
{
	const char *name = sim_config_get_string(cfg, key);

	(void)def;
	if (blkcg_is_root(name) || (sim_key_name_valid(name) && !strchr(name, '.')))
		return TRUE;
	g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
		    "'%s' is not a cgroup name: accepted are empty, '/' or 'root' (the root "
		    "cgroup) and one name of letters, digits, '_' and '-' (its limits are "
		    "cgroup.NAME.* keys)", name);
	return FALSE;
}

struct sim_blkcg *sim_machine_blkcg(struct sim_machine *m, const char *name)
{
	struct sim_blkcg *cg;

	if (!name || blkcg_is_root(name))
		return NULL;
	if (!m->blkcgs)
		m->blkcgs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	cg = g_hash_table_lookup(m->blkcgs, name);
	if (!cg) {
		g_autofree char *bps = g_strdup_printf("cgroup.%s.io_max_bps", name);
		g_autofree char *iops = g_strdup_printf("cgroup.%s.io_max_iops", name);
		g_autofree char *lat = g_strdup_printf("cgroup.%s.io_latency_target", name);

		cg = sim_disk_blkcg_new(m->disk, name, (double)sim_config_get_size(m->cfg, bps),
					(double)sim_config_get_uint(m->cfg, iops),
					sim_config_get_time(m->cfg, lat));
		g_hash_table_insert(m->blkcgs, g_strdup(name), cg);
	}
	return cg;
}

void sim_machine_free_memory(struct sim_machine *m)
{
	mm_sys_free(m->mm_sys);		/* before the cache */
	m->mm_sys = NULL;
	wb_free(m->wb);
	m->wb = NULL;
	pc_free(m->pc);
	m->pc = NULL;
}

void sim_machine_destroy(struct sim_machine *m)
{
	sim_machine_free_memory(m);
	mm_lines_free(m->lines);
	m->lines = NULL;
	tlb_sys_free(m->tlb);
	m->tlb = NULL;
	g_free(m->line_cost);
	m->line_cost = NULL;
	if (m->blkcgs)
		g_hash_table_destroy(m->blkcgs);	/* the disk frees them */
	m->blkcgs = NULL;
	sim_disk_free(m->disk);
	m->disk = NULL;
	sim_cpus_free(m->cpus);
	m->cpus = NULL;
}
