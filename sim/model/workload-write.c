/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * write(2) workload groups (kind = write): dd and will-it-scale's
 * writeseek.  Each thread is a process (its own mm) that writes through
 * generic_perform_write() (sim/kernel/write.h):
 *	seek = false  the group's file (file_size) once, from the start, in
 *	              block_size write(2) calls, then exits (dd)
 *	seek = true   block_size bytes at offset 0, then lseek(fd, 0,
 *	              SEEK_SET), over and over: `ops` times, or until the run
 *	              ends (0) (writeseek; lseek is one more syscall, the key
 *	              write.syscall)
 * file_per_thread gives each thread a file of its own (writeseek1) instead
 * of the group's one.  max_folio is the largest folio the file's
 * filesystem lets the page cache use (mapping_max_folio_size()), which
 * sizes the chunks when write.chunk = folio and caps the folios write_begin
 * adds (sim/kernel/write.h).  Dirty pages are throttled
 * and written back as the machine's writeback says (vm.*: the dirty
 * limits and the flusher, sim/kernel/writeback.h).
 *
 * The source buffer (workload.NAME.source):
 *	anon       block_size bytes of anonymous memory, faulted in (present)
 *	           before the first write, starting buffer_offset bytes into
 *	           its first page: dd's buffer (a stack buffer, as
 *	           writeseek's, is rarely page-aligned)
 *	same-file  the file itself, mapped shared and not yet touched: block
 *	           K is written from the mapping of block K (the gfs2
 *	           thread's mmap'd-buffer write).  The file's pages are on the
 *	           disk; a fault reads them.
 *
 * Measurements (module = group name): "ops" (write calls), "latency",
 * "throughput" (write calls per second), "bytes", "errors", scalars
 * "elapsed" (ns from the first write to the last thread's end) and
 * "mbps" (10^6 bytes per simulated second over that time).
 */
#include "config.h"

#include <errno.h>

#include "sim/core/stats.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/write.h"
#include "sim/model/kernel-params.h"
#include "sim/model/policy.h"
#include "sim/model/workload-kind.h"

static const char *const write_sources[] = { "anon", "same-file", NULL };

struct write_group {
	struct group *g;
	struct group_file file;
	struct group_file *files;	/* file_per_thread: one per thread */
	uint64_t nr_files;
	bool seek;
	uint64_t ops;
	struct fault_sys fs;
	struct write_sys ws;
	bool same_file;
	uint64_t block;
	struct mm_struct **mms;
	struct write_thread *threads;
	uint64_t nr_mms, running;
	uint64_t *bytes, *errors;
	double *elapsed, *mbps;
	sim_time_t start;
};

struct write_thread {
	struct write_group *wg;
	struct group_file *file;	/* the one it writes */
	struct mm_struct *mm;
	uint64_t buf;			/* byte address of the buffer (anon) */
	uint64_t file_base;		/* byte address of the file mapping */
};

/* The end of a thread: the group's elapsed time and rate once all are. */
static void write_thread_done(struct write_group *wg)
{
	if (--wg->running == 0) {
		sim_time_t d = sim_now(wg->g->w->eng) - wg->start;

		*wg->elapsed = (double)d;
		*wg->mbps = d > 0 ? (double)*wg->bytes / ((double)d / 1e9) / 1e6 : 0;
	}
}

/* One write(2) of @len bytes at @pos; false if it failed. */
static bool write_one(struct write_thread *wt, struct sim_task *t, uint64_t buf, uint64_t pos,
		      size_t len)
{
	struct write_group *wg = wt->wg;
	struct group *g = wg->g;
	sim_time_t start = sim_now(g->w->eng);
	ssize_t ret = generic_perform_write(&wg->ws, t, wt->mm, buf, wt->file->mapping, pos, len);

	sim_hist_record(g->latency, (uint64_t)(sim_now(g->w->eng) - start));
	(*g->ops)++;
	(*g->write_ops)++;
	if (ret < 0) {
		(*wg->errors)++;
		return false;
	}
	*wg->bytes += (uint64_t)ret;
	return true;
}

/* dd's buffer (anon) is touched before the first write. */
static void touch_buffer(struct write_thread *wt, struct sim_task *t)
{
	struct write_group *wg = wt->wg;

	for (uint64_t a = wt->buf & ~(uint64_t)(PAGE_SIZE - 1); a < wt->buf + wg->block;
	     a += PAGE_SIZE)
		fault_touch(&wg->fs, t, wt->mm, a >> PAGE_SHIFT, true, NULL, NULL);
}

static void dd_thread(struct sim_task *t, void *arg)
{
	struct write_thread *wt = arg;
	struct write_group *wg = wt->wg;
	uint64_t size = wt->file->pages * PAGE_SIZE;

	if (!wg->same_file)
		touch_buffer(wt, t);
	for (uint64_t pos = 0; pos < size; pos += wg->block) {
		size_t len = (size_t)MIN(wg->block, size - pos);
		uint64_t buf = wg->same_file ? wt->file_base + pos : wt->buf;

		if (!write_one(wt, t, buf, pos, len))
			break;
	}
	write_thread_done(wg);
}

/* will-it-scale writeseek: lseek(fd, 0, SEEK_SET); write(fd, buf, len). */
static void writeseek_thread(struct sim_task *t, void *arg)
{
	struct write_thread *wt = arg;
	struct write_group *wg = wt->wg;
	size_t len = (size_t)MIN(wg->block, wt->file->pages * PAGE_SIZE);

	touch_buffer(wt, t);
	for (uint64_t i = 0; !wg->ops || i < wg->ops; i++) {
		cpu_work(t, wg->ws.p.syscall);		/* lseek */
		if (!write_one(wt, t, wt->buf, 0, len))
			break;
	}
	write_thread_done(wg);
}

static gboolean write_group_start(struct group *g, const struct sim_run_config *cfg,
				  GError **error)
{
	struct sim_workloads *w = g->w;
	struct sim_stats *st = sim_engine_stats(w->eng);
	struct write_group *wg = g_new0(struct write_group, 1);
	uint64_t threads = g->threads;
	struct fault_params fp;
	struct write_params wp;

	g->priv = wg;
	wg->g = g;
	fault_params_from_config(&fp, cfg);
	fault_sys_init(&wg->fs, w->eng, &fp, sim_policy_fault_retry(cfg), sim_policy_fault_io(cfg),
		       sim_policy_fault_map_pages(cfg), sim_policy_fault_lock(cfg));
	write_params_from_config(&wp, cfg);
	write_sys_init(&wg->ws, w->eng, &wp, sim_policy_prefault(cfg), &wg->fs);
	wg->ws.wb = w->machine->wb;
	fault_sys_set_writeback(&wg->fs, w->machine->wb, sim_policy_dirty_throttle(cfg));
	wg->same_file = g_str_equal(write_sources[group_enum(g, cfg, "source")], "same-file");
	wg->block = group_size(g, cfg, "block_size");
	wg->seek = group_bool(g, cfg, "seek");
	wg->ops = group_uint(g, cfg, "ops");
	if (wg->seek && wg->same_file) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "seek = true needs source = anon (writeseek writes from its buffer)");
		return FALSE;
	}
	if (!group_file_create(g, &wg->file, group_size(g, cfg, "file_size"), error) ||
	    !group_file_max_folio(g, cfg, &wg->file, error))
		return FALSE;
	if (group_bool(g, cfg, "file_per_thread")) {
		wg->files = g_new0(struct group_file, threads);
		for (uint64_t i = 0; i < threads; i++, wg->nr_files++) {
			if (!group_file_create(g, &wg->files[i], group_size(g, cfg, "file_size"),
					       error) ||
			    !group_file_max_folio(g, cfg, &wg->files[i], error))
				return FALSE;
		}
	}
	wg->errors = sim_stats_counter_unit(st, g->name, "errors", "writes",
					    "write(2) calls that failed");
	wg->bytes = sim_stats_counter_unit(st, g->name, "bytes", "B", "bytes written");
	wg->elapsed = sim_stats_scalar_unit(st, g->name, "elapsed", "ns",
					    "from the first write to the last thread's end");
	wg->mbps = sim_stats_scalar_unit(st, g->name, "mbps", "MB/s",
					 "10^6 bytes written per simulated second over elapsed");
	wg->start = sim_now(w->eng);

	uint64_t buf_offset = group_size(g, cfg, "buffer_offset");
	uint64_t buf_pages = (buf_offset + wg->block + PAGE_SIZE - 1) / PAGE_SIZE;

	wg->nr_mms = threads;
	wg->running = threads;
	wg->mms = g_new0(struct mm_struct *, threads);
	wg->threads = g_new0(struct write_thread, threads);
	for (uint64_t i = 0; i < threads; i++) {
		g_autofree char *name = g_strdup_printf("%s[%" G_GUINT64_FORMAT "]", g->name, i);
		g_autofree char *tname = g_strdup_printf("%s/%" G_GUINT64_FORMAT, g->name, i);
		struct write_thread *wt = &wg->threads[i];
		uint64_t pages;

		wt->wg = wg;
		wt->file = wg->files ? &wg->files[i] : &wg->file;
		pages = wg->same_file ? wt->file->pages : buf_pages;
		wt->mm = wg->mms[i] = mm_new(w->machine->mm_sys, name,
					     sim_policy_rwsem(cfg), 1 + pages + 1, error);
		if (!wt->mm)
			return FALSE;
		wt->mm->has_vma_locks = wg->fs.fault_lock->lock_vma != NULL;
		if (wg->same_file) {
			if (!mmap_region(NULL, wt->mm, 1, pages, VM_READ | VM_SHARED,
					 wt->file->mapping, 0, error))
				return FALSE;
			wt->file_base = (uint64_t)1 << PAGE_SHIFT;
		} else {
			if (!mmap_region(NULL, wt->mm, 1, pages, VM_READ | VM_WRITE, NULL, 0, error))
				return FALSE;
			wt->buf = ((uint64_t)1 << PAGE_SHIFT) + buf_offset;
		}
		group_spawn(g, tname, wg->seek ? writeseek_thread : dd_thread, wt, false);
	}
	return TRUE;
}

/* The fault rates of the buffer's and the source mapping's faults. */
static void write_group_finish(struct group *g)
{
	struct write_group *wg = g->priv;

	fault_stats_finish(&wg->fs, g->w->start);
}

static void write_group_free(struct group *g)
{
	struct write_group *wg = g->priv;

	if (!wg)
		return;
	for (uint64_t i = 0; i < wg->nr_mms; i++)
		mm_free(wg->mms[i]);
	g_free(wg->mms);
	g_free(wg->threads);
	for (uint64_t i = 0; i < wg->nr_files; i++)
		group_file_free(&wg->files[i]);
	g_free(wg->files);
	group_file_free(&wg->file);
	fault_params_clear(&wg->fs.p);
	write_params_clear(&wg->ws.p);
	g_free(wg);
	g->priv = NULL;
}

static const struct sim_key_def write_keys[] = {
	{ .name = "workload.*.block_size", .type = SIM_KEY_SIZE, .defval = "1MiB", .min = "1B",
	  .max = "1GiB", .help = "bytes per write(2) call (dd bs=)" },
	{ .name = "workload.*.source", .type = SIM_KEY_ENUM, .defval = "anon",
	  .choices = write_sources, .help = "the user buffer: anon or same-file (mmap)" },
	{ .name = "workload.*.buffer_offset", .type = SIM_KEY_SIZE, .defval = "0B",
	  .max = "4095B", .help = "where an anon buffer starts in its first page" },
	{ .name = "workload.*.seek", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "write block_size bytes at offset 0 and lseek back, over and over "
		  "(will-it-scale writeseek), instead of the file once (dd)" },
	{ .name = "workload.*.file_per_thread", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "each thread writes a file of its own (writeseek1)" },
};

static const struct sim_key_def *const write_shared_keys[] = {
	&workload_key_file_size, &workload_key_cgroup, &workload_key_ops, &workload_key_max_folio,
	NULL,
};

const struct workload_kind workload_write = {
	.name = "write",
	.op_unit = "writes",
	.op_what = "one write(2) call of block_size bytes (with seek: and its lseek)",
	.shared = write_shared_keys,
	.keys = write_keys,
	.nr_keys = G_N_ELEMENTS(write_keys),
	.machine = SIM_MACHINE_PAGE_CACHE | SIM_MACHINE_MM,
	.start = write_group_start,
	.finish = write_group_finish,
	.free = write_group_free,
};
