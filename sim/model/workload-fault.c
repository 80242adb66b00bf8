/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page-faulting workload groups (kind = fault): processes (address
 * spaces) whose threads touch the pages of their mappings, faulting
 * through sim/kernel/fault.c, with the mmap_sem writers and /proc readers that
 * compete with the faults.
 *
 * A group has workload.NAME.processes processes, each with its own mm and
 * these VMAs, in this order from address 1:
 *	file   a shared mapping (read/write) of the group's file
 *	       (file_size), one file for the whole group on the disk, so
 *	       every process maps the same page-cache pages (mapping =
 *	       file or both);
 *	anon   anon_size bytes of private anonymous memory (mapping = anon
 *	       or both; swapped out under pressure when memory.swap > 0);
 *	       with vma_per_thread (mapping = anon), one VMA per thread of
 *	       anon_size / threads bytes each, a hole between two, and each
 *	       thread touches only its own (pft's layout);
 *	jit    one anonymous page the writers mprotect (writer_op =
 *	       mprotect); nobody touches it.
 * Each process runs:
 *	threads        touching pages: a page of [file, anon) chosen by
 *	               pattern (sequential per thread if unset), written with
 *	               write_fraction; work before each touch, think after; a
 *	               present pte costs fault.touch, else do_user_addr_fault
 *	mmap_writers   every writer_interval: mmap_write_lock(), then either
 *	               remap (munmap + mmap of writer_pages of the file
 *	               mapping: the range is zapped and faults again) or
 *	               mprotect (toggle PROT_WRITE on the jit page), computing
 *	               writer_hold, mmap_write_unlock()
 *	proc_readers   every proc_interval: mmap_read_lock(), proc_cost per
 *	               VMA (a /proc/PID/maps walk), unlock
 * and the group has lockers threads that lock pages of the file chosen
 * by pattern for hold each (a truncation- or write(2)-like locker), with
 * locker_think between.
 *
 * The mms' lock words are cache lines (sim/kernel/cacheline.h) that cost
 * machine.cacheline_transfer to move between CPUs.
 *
 * Measurements (module = group name): "ops" (touches), "latency" (touch,
 * ns), "readOps", "writeOps", "throughput" (touches per simulated second),
 * "faults" (touches that faulted), "errors" (touches that failed),
 * histograms "writerWait" and "procWait" (ns from asking for mmap_sem to
 * holding it), counters "writerOps", "procReads", "lockerOps"; the fault
 * path's own under module "fault" (sim/kernel/fault.h).
 */
#include "config.h"

#include <errno.h>

#include "sim/kernel/cacheline.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/fault.h"
#include "sim/core/histogram.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/pagelock.h"
#include "sim/model/policy.h"
#include "sim/kernel/readahead.h"
#include "sim/core/stats.h"
#include "sim/model/workload-private.h"

static const char *const mapping_kinds[] = { "file", "anon", "both", NULL };
static const char *const writer_ops[] = { "remap", "mprotect", NULL };

static const struct sim_key_def fault_workload_keys[] = {
	{ .name = "workload.*.processes", .type = SIM_KEY_UINT, .defval = "1", .min = "1",
	  .max = "4096", .help = "fault: address spaces, each running the group's threads" },
	{ .name = "workload.*.mapping", .type = SIM_KEY_ENUM, .defval = "file",
	  .choices = mapping_kinds, .help = "fault: what each process maps and touches" },
	{ .name = "workload.*.anon_size", .type = SIM_KEY_SIZE, .defval = "16MiB", .min = "4KiB",
	  .max = "1TiB", .help = "fault: anonymous memory per process" },
	{ .name = "workload.*.mmap_writers", .type = SIM_KEY_UINT, .defval = "0", .max = "1000",
	  .help = "fault: threads per process taking mmap_sem for write" },
	{ .name = "workload.*.writer_op", .type = SIM_KEY_ENUM, .defval = "remap",
	  .choices = writer_ops, .help = "fault: remap (munmap+mmap, zaps) or mprotect" },
	{ .name = "workload.*.writer_interval", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(5ms)", .help = "fault: sleep between mmap_sem writes" },
	{ .name = "workload.*.writer_pages", .type = SIM_KEY_UINT, .defval = "16", .min = "1",
	  .help = "fault: pages a remap unmaps and maps again" },
	{ .name = "workload.*.writer_hold", .type = SIM_KEY_TIME, .defval = "2us",
	  .help = "fault: CPU time a writer holds mmap_sem" },
	{ .name = "workload.*.proc_readers", .type = SIM_KEY_UINT, .defval = "0", .max = "1000",
	  .help = "fault: /proc/PID readers per process (mmap_sem for read)" },
	{ .name = "workload.*.proc_interval", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(5ms)", .help = "fault: sleep between /proc reads" },
	{ .name = "workload.*.proc_cost", .type = SIM_KEY_TIME, .defval = "1us",
	  .help = "fault: CPU time of a /proc read per VMA" },
	{ .name = "workload.*.lockers", .type = SIM_KEY_UINT, .defval = "0", .max = "1000",
	  .help = "fault: threads locking file pages (pattern) for hold" },
	{ .name = "workload.*.locker_think", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(20us)", .help = "fault: lockers' sleep between locks" },
	{ .name = "memory.swap", .type = SIM_KEY_SIZE, .defval = "0",
	  .help = "swap space on the disk for anonymous memory (0: none)" },
	{ .name = "workload.*.vma_per_thread", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "fault: one anonymous VMA per thread (mapping = anon), else one shared" },
	{ .name = "machine.cacheline_transfer", .type = SIM_KEY_TIME, .defval = "100ns",
	  .help = "moving a lock word's cache line to another CPU (0: not modelled)" },
};

void fault_workload_register_keys(struct sim_keys *keys)
{
	sim_keys_add(keys, fault_workload_keys, G_N_ELEMENTS(fault_workload_keys));
	fault_register_keys(keys);
	khugepaged_register_keys(keys);
}

struct fault_proc {
	struct fault_group *fg;
	struct mm_struct *mm;
	uint64_t start, nr_pages;	/* touched range: file then anon */
	uint64_t file_start, file_pages;
	uint64_t jit;
};

struct fault_thread {
	struct fault_proc *proc;
	uint64_t cursor;
	uint64_t base, pages;		/* vma_per_thread: its own VMA; else 0 */
};

struct fault_group {
	struct group *g;
	struct fault_sys fs;
	struct fault_proc *procs;
	uint64_t nr_procs;
	struct fault_thread *threads;
	bool vma_per_thread;
	struct sim_cacheline_cost line_cost;
	struct sim_dist *writer_interval, *proc_interval, *locker_think;
	const char *writer_op;
	uint64_t writer_pages;
	sim_time_t writer_hold, proc_cost;
	uint64_t *faults, *writer_ops, *proc_reads, *locker_ops;
	struct sim_hist *writer_wait, *proc_wait;
	struct khugepaged **khugepaged;	/* per process, if workload.NAME.khugepaged */
};

static uint64_t next_addr(struct fault_thread *ft)
{
	struct fault_proc *p = ft->proc;
	struct group *g = p->fg->g;

	uint64_t base = ft->pages ? ft->base : p->start;
	uint64_t n = ft->pages ? ft->pages : p->nr_pages;

	if (!g->pattern) {
		uint64_t a = ft->cursor;

		ft->cursor = ft->cursor + 1 < n ? ft->cursor + 1 : 0;
		return base + a;
	}
	return base + sim_dist_sample_index(g->pattern, g->rng);
}

static void fault_thread(struct sim_task *t, void *arg)
{
	struct fault_thread *ft = arg;
	struct fault_proc *p = ft->proc;
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	struct sim_engine *eng = g->w->eng;

	for (uint64_t i = 0; !g->ops_per_thread || i < g->ops_per_thread; i++) {
		uint64_t addr = next_addr(ft);
		bool write = g->write_fraction > 0 && gsl_rng_uniform(g->rng) < g->write_fraction;
		bool faulted = false;
		sim_time_t start;

		cpu_work(t, sim_dist_sample_ns(g->work, g->rng));
		start = sim_now(eng);
		if (fault_touch(&fg->fs, t, p->mm, addr, write, &faulted, NULL))
			(*g->errors)++;
		sim_hist_record(g->latency, (uint64_t)(sim_now(eng) - start));
		if (faulted)
			(*fg->faults)++;
		(*g->ops)++;
		(*(write ? g->write_ops : g->read_ops))++;
		sim_time_t think = sim_dist_sample_ns(g->think, g->rng);

		if (think > 0)
			sim_sleep(t, think);
	}
}

static void writer_thread(struct sim_task *t, void *arg)
{
	struct fault_proc *p = arg;
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	struct sim_engine *eng = g->w->eng;
	bool ro = false;

	for (;;) {
		sim_sleep(t, sim_dist_sample_ns(fg->writer_interval, g->rng));
		sim_time_t start = sim_now(eng);

		mmap_write_lock(p->mm, t);
		sim_hist_record(fg->writer_wait, (uint64_t)(sim_now(eng) - start));
		if (g_str_equal(fg->writer_op, "mprotect")) {
			ro = !ro;
			do_mprotect(t, p->mm, p->jit, 1, ro ? VM_READ : VM_READ | VM_WRITE, NULL);
		} else if (p->file_pages) {
			uint64_t n = MIN(fg->writer_pages, p->file_pages);
			uint64_t off = gsl_rng_uniform_int(g->rng, p->file_pages - n + 1);

			do_munmap(t, p->mm, p->file_start + off, n, NULL);
			mmap_region(t, p->mm, p->file_start + off, n, VM_READ | VM_WRITE | VM_SHARED,
				    g->mapping, off, NULL);
		}
		cpu_work(t, fg->writer_hold);
		mmap_write_unlock(p->mm, t);
		(*fg->writer_ops)++;
	}
}

static void proc_thread(struct sim_task *t, void *arg)
{
	struct fault_proc *p = arg;
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	struct sim_engine *eng = g->w->eng;

	for (;;) {
		sim_sleep(t, sim_dist_sample_ns(fg->proc_interval, g->rng));
		sim_time_t start = sim_now(eng);

		mmap_read_lock(p->mm, t);
		sim_hist_record(fg->proc_wait, (uint64_t)(sim_now(eng) - start));
		cpu_work(t, fg->proc_cost * mm_map_count(p->mm));
		mmap_read_unlock(p->mm, t);
		(*fg->proc_reads)++;
	}
}

static void locker_thread(struct sim_task *t, void *arg)
{
	struct fault_group *fg = arg;
	struct group *g = fg->g;

	for (;;) {
		sim_sleep(t, sim_dist_sample_ns(fg->locker_think, g->rng));
		pgoff_t index = g->pattern ? sim_dist_sample_index(g->pattern, g->rng) :
			gsl_rng_uniform_int(g->rng, g->file_pages);
		if (index >= g->file_pages)
			continue;
		struct page *page = find_get_page(g->mapping, index);

		if (!page)
			continue;
		lock_page(t, page);
		cpu_work(t, sim_dist_sample_ns(g->hold, g->rng));
		unlock_page(page);
		put_page(page);
		(*fg->locker_ops)++;
	}
}

/* The machine's mm_sys (and swap), made by the first fault group. */
static gboolean fault_mm_sys(struct sim_workloads *w, const struct sim_run_config *cfg,
			     GError **error)
{
	uint64_t swap = sim_config_get_size(cfg, "memory.swap") / PAGE_SIZE;

	if (w->mm_sys)
		return TRUE;
	w->mm_sys = mm_sys_new(w->pc);
	if (swap) {
		if (!swapon(w->mm_sys, w->disk, w->next_file_base, swap, error))
			return FALSE;
		w->next_file_base += swap * PAGE_SIZE;
	}
	return TRUE;
}

/* vma_per_thread: pages of each thread's VMA (anon split evenly). */
static uint64_t fault_thread_pages(const struct fault_group *fg, uint64_t anon, uint64_t threads)
{
	return fg->vma_per_thread && threads ? anon / threads : 0;
}

static gboolean fault_proc_init(struct fault_group *fg, struct fault_proc *p, unsigned int i,
				uint64_t threads, const struct sim_run_config *cfg, GError **error)
{
	struct group *g = fg->g;
	g_autofree char *k_map = group_key(g->name, "mapping");
	g_autofree char *k_anon = group_key(g->name, "anon_size");
	g_autofree char *name = g_strdup_printf("%s[%u]", g->name, i);
	const char *map = mapping_kinds[sim_config_get_enum(cfg, k_map)];
	uint64_t anon = g_str_equal(map, "file") ? 0 :
		(sim_config_get_size(cfg, k_anon) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t file = g_str_equal(map, "anon") ? 0 : g->file_pages;
	uint64_t per = fault_thread_pages(fg, anon, threads);
	/* vma_per_thread: one VMA per thread, a hole after each */
	uint64_t span = per ? threads * (per + 1) : anon;

	p->fg = fg;
	p->mm = mm_new(g->w->mm_sys, name, &sim_policy_rwsem(cfg)->variant,
		       1 + file + span + 2, error);
	if (!p->mm)
		return FALSE;
	p->mm->line_cost = &fg->line_cost;
	p->start = 1;
	p->nr_pages = file + anon;
	p->file_start = 1;
	p->file_pages = file;
	if (file && !mmap_region(NULL, p->mm, 1, file, VM_READ | VM_WRITE | VM_SHARED,
				 g->mapping, 0, error))
		return FALSE;
	for (uint64_t k = 0; per && k < threads; k++)
		if (!mmap_region(NULL, p->mm, 1 + k * (per + 1), per, VM_READ | VM_WRITE, NULL, 0,
				 error))
			return FALSE;
	if (!per && anon &&
	    !mmap_region(NULL, p->mm, 1 + file, anon, VM_READ | VM_WRITE, NULL, 0, error))
		return FALSE;
	p->jit = 1 + file + span + 1;	/* a hole before it: never merged */
	return mmap_region(NULL, p->mm, p->jit, 1, VM_READ | VM_WRITE, NULL, 0, error) != NULL;
}

gboolean fault_group_start(struct group *g, const struct sim_run_config *cfg,
			   uint64_t threads, GError **error)
{
	struct sim_workloads *w = g->w;
	struct sim_stats *st = sim_engine_stats(w->eng);
	struct fault_group *fg = g_new0(struct fault_group, 1);
	g_autofree char *k_size = group_key(g->name, "file_size");
	g_autofree char *k_pattern = group_key(g->name, "pattern");
	g_autofree char *k_procs = group_key(g->name, "processes");
	g_autofree char *k_map = group_key(g->name, "mapping");
	g_autofree char *k_anon = group_key(g->name, "anon_size");
	g_autofree char *k_writers = group_key(g->name, "mmap_writers");
	g_autofree char *k_wop = group_key(g->name, "writer_op");
	g_autofree char *k_wint = group_key(g->name, "writer_interval");
	g_autofree char *k_wpages = group_key(g->name, "writer_pages");
	g_autofree char *k_whold = group_key(g->name, "writer_hold");
	g_autofree char *k_readers = group_key(g->name, "proc_readers");
	g_autofree char *k_pint = group_key(g->name, "proc_interval");
	g_autofree char *k_pcost = group_key(g->name, "proc_cost");
	g_autofree char *k_lockers = group_key(g->name, "lockers");
	g_autofree char *k_lthink = group_key(g->name, "locker_think");
	g_autofree char *k_vpt = group_key(g->name, "vma_per_thread");
	const char *map;
	uint64_t writers, readers, lockers, touched;

	g->fault = fg;
	fg->g = g;
	if (!workloads_page_cache(w, cfg, error) || !fault_mm_sys(w, cfg, error))
		return FALSE;
	fault_sys_init_config(&fg->fs, w->eng, cfg);
	cacheline_cost_init(&fg->line_cost, w->eng,
			    sim_config_get_time(cfg, "machine.cacheline_transfer"));
	map = mapping_kinds[sim_config_get_enum(cfg, k_map)];
	if (!group_file_create(g, sim_config_get_size(cfg, k_size), error))
		return FALSE;
	fg->faults = sim_stats_counter(st, g->name, "faults");
	fg->writer_ops = sim_stats_counter(st, g->name, "writerOps");
	fg->proc_reads = sim_stats_counter(st, g->name, "procReads");
	fg->locker_ops = sim_stats_counter(st, g->name, "lockerOps");
	fg->writer_wait = sim_stats_hist(st, g->name, "writerWait");
	fg->proc_wait = sim_stats_hist(st, g->name, "procWait");
	fg->writer_interval = sim_config_get_dist(cfg, k_wint);
	fg->proc_interval = sim_config_get_dist(cfg, k_pint);
	fg->locker_think = sim_config_get_dist(cfg, k_lthink);
	fg->writer_op = writer_ops[sim_config_get_enum(cfg, k_wop)];
	fg->writer_pages = sim_config_get_uint(cfg, k_wpages);
	fg->writer_hold = sim_config_get_time(cfg, k_whold);
	fg->proc_cost = sim_config_get_time(cfg, k_pcost);
	writers = sim_config_get_uint(cfg, k_writers);
	readers = sim_config_get_uint(cfg, k_readers);
	lockers = sim_config_get_uint(cfg, k_lockers);

	/* The pattern ranges over the touched pages of a process. */
	touched = (g_str_equal(map, "anon") ? 0 : g->file_pages) +
		(g_str_equal(map, "file") ? 0 :
		 (sim_config_get_size(cfg, k_anon) + PAGE_SIZE - 1) / PAGE_SIZE);
	fg->vma_per_thread = sim_config_get_bool(cfg, k_vpt);
	if (fg->vma_per_thread) {
		touched = fault_thread_pages(fg, touched, threads);
		if (!g_str_equal(map, "anon") || (threads && !touched)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
				    "%s: needs mapping = anon and a page of anon_size per thread",
				    k_vpt);
			return FALSE;
		}
	}
	g->pattern = sim_config_get_dist(cfg, k_pattern);
	if (g->pattern && !sim_dist_set_range(g->pattern, touched, error)) {
		g_prefix_error(error, "%s: ", k_pattern);
		return FALSE;
	}
	if (lockers && g->pattern && touched != g->file_pages) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "%s: lockers need mapping = file (their pattern ranges over the file)",
			    k_lockers);
		return FALSE;
	}

	fg->nr_procs = sim_config_get_uint(cfg, k_procs);
	fg->procs = g_new0(struct fault_proc, fg->nr_procs);
	fg->threads = g_new0(struct fault_thread, fg->nr_procs * threads);
	for (uint64_t i = 0; i < fg->nr_procs; i++) {
		struct fault_proc *p = &fg->procs[i];

		if (!fault_proc_init(fg, p, (unsigned int)i, threads, cfg, error))
			return FALSE;
		for (uint64_t k = 0; k < threads; k++) {
			struct fault_thread *ft = &fg->threads[i * threads + k];
			g_autofree char *tname = g_strdup_printf("%s[%" G_GUINT64_FORMAT "]/%"
								 G_GUINT64_FORMAT, g->name, i, k);

			ft->proc = p;
			ft->pages = fault_thread_pages(fg, p->nr_pages, threads);
			ft->base = p->start + k * (ft->pages + 1);
			ft->cursor = ft->pages ? 0 : p->nr_pages * k / threads;
			sim_cpus_attach(w->cpus, sim_task_spawn(w->eng, tname, fault_thread, ft));
		}
		for (uint64_t k = 0; k < writers; k++) {
			g_autofree char *tname = g_strdup_printf("%s[%" G_GUINT64_FORMAT "]/writer%"
								 G_GUINT64_FORMAT, g->name, i, k);
			struct sim_task *t = sim_task_spawn(w->eng, tname, writer_thread, p);

			sim_task_set_daemon(t, true);
			sim_cpus_attach(w->cpus, t);
		}
		for (uint64_t k = 0; k < readers; k++) {
			g_autofree char *tname = g_strdup_printf("%s[%" G_GUINT64_FORMAT "]/proc%"
								 G_GUINT64_FORMAT, g->name, i, k);
			struct sim_task *t = sim_task_spawn(w->eng, tname, proc_thread, p);

			sim_task_set_daemon(t, true);
			sim_cpus_attach(w->cpus, t);
		}
	}
	for (uint64_t k = 0; k < lockers; k++) {
		g_autofree char *tname = g_strdup_printf("%s/locker%" G_GUINT64_FORMAT, g->name, k);
		struct sim_task *t = sim_task_spawn(w->eng, tname, locker_thread, fg);

		sim_task_set_daemon(t, true);
		sim_cpus_attach(w->cpus, t);
	}
	/* khugepaged on each process (sim/kernel/khugepaged.h); the fault path's
	 * cost is adjusted once. */
	g_autofree char *k_khp = group_key(g->name, "khugepaged");

	if (sim_config_get_bool(cfg, k_khp)) {
		fg->khugepaged = g_new0(struct khugepaged *, fg->nr_procs);
		for (uint64_t i = 0; i < fg->nr_procs; i++)
			fg->khugepaged[i] = khugepaged_start_config(w->eng, w->cpus, fg->procs[i].mm,
								    cfg, i ? NULL : &fg->fs);
	}
	return TRUE;
}

void fault_group_free(struct group *g)
{
	struct fault_group *fg = g->fault;

	if (!fg)
		return;
	for (uint64_t i = 0; fg->khugepaged && i < fg->nr_procs; i++)
		khugepaged_free(fg->khugepaged[i]);
	g_free(fg->khugepaged);
	for (uint64_t i = 0; i < fg->nr_procs; i++)
		mm_free(fg->procs[i].mm);
	sim_dist_free(fg->writer_interval);
	sim_dist_free(fg->proc_interval);
	sim_dist_free(fg->locker_think);
	g_free(fg->procs);
	g_free(fg->threads);
	g_free(fg);
	g->fault = NULL;
}
