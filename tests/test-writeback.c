/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Write faults and dirty writeback (sim/kernel/fault.c's do_wp_page() and
 * page_mkwrite, sim/kernel/writeback.c): the thresholds, the outcomes of a
 * write through a read-only pte, and the flusher and the throttling on a
 * rig machine.
 */
#include "config.h"

#include "policies/builtin.h"
#include "sim/core/engine.h"
#include "sim/core/stats.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/writeback.h"
#include "tests/rig.h"

#define FILE_PAGES	512
#define FILE_START	1
#define PRIV_START	(FILE_START + FILE_PAGES + 1)	/* a private mapping of the file */
#define ANON_START	(PRIV_START + 16 + 1)
#define MEM_PAGES	2048

static void machine_init(struct rig *r)
{
	const struct rig_params p = {
		.seed = 1, .mem_pages = MEM_PAGES, .file_pages = FILE_PAGES, .task_size = 2048,
		.maps = { { FILE_START, FILE_PAGES, true }, { ANON_START, 16, false } },
		.retry = &fs_fault_retry_first_drop, .io = &fs_fault_io_drop,
		.map_pages = &fs_fault_map_pages_off, .fault_lock = &fs_fault_lock_mmap,
	};

	rig_init(r, &p);
	g_assert_nonnull(mmap_region(NULL, r->mm, PRIV_START, 16, VM_READ | VM_WRITE, r->file, 0,
				     NULL));
}

/* domain_dirty_limits(): % of free + file pages, or bytes; a background
 * threshold not below the limit is cut to half of it. */
static void test_limits(void)
{
	struct rig r;
	struct writeback_params p;
	struct bdi_writeback *wb;
	uint64_t thresh, bg;

	machine_init(&r);
	writeback_params_init(&p);
	g_assert_cmpuint(p.dirty_ratio, ==, 20);
	g_assert_cmpuint(p.dirty_background_ratio, ==, 10);
	wb = wb_new(r.eng, r.pc, &p);
	wb_dirty_limits(wb, &thresh, &bg);
	g_assert_cmpuint(thresh, ==, (pc_nr_free(r.pc) + pc_nr_file_pages(r.pc)) * 20 / 100);
	g_assert_cmpuint(bg, ==, (pc_nr_free(r.pc) + pc_nr_file_pages(r.pc)) * 10 / 100);
	wb_free(wb);
	p.dirty_bytes = 400 * 1024;
	p.dirty_background_bytes = 800 * 1024;
	wb = wb_new(r.eng, r.pc, &p);
	wb_dirty_limits(wb, &thresh, &bg);
	g_assert_cmpuint(thresh, ==, 100);
	g_assert_cmpuint(bg, ==, 50);
	wb_free(wb);
	rig_free(&r);
}

static bool touch(struct rig *r, struct sim_task *t, uint64_t addr, bool write)
{
	return fault_touch(&r->fs, t, r->mm, addr, write, NULL, NULL) == 0;
}

/* do_wp_page(): a shared file page goes through page_mkwrite (dirtied,
 * counted, pte writable); a private file page is copied into an anonymous
 * page; the mm's own anonymous page made read-only by mprotect is reused. */
static void wp_body(struct sim_task *t, void *arg)
{
	struct rig *r = arg;
	struct page *file_page;

	g_assert_true(touch(r, t, FILE_START + 3, false));
	g_assert_false(pte_write(mm_pte(r->mm, FILE_START + 3)));
	g_assert_cmpuint(pc_nr_dirty(r->pc), ==, 0);
	g_assert_true(touch(r, t, FILE_START + 3, true));
	g_assert_cmpuint(rig_counter(r, "fault", "wpShared"), ==, 1);
	g_assert_cmpuint(rig_counter(r, "fault", "pageMkwrite"), ==, 1);
	g_assert_true(pte_write(mm_pte(r->mm, FILE_START + 3)));
	g_assert_true(PageDirty(mm_pte_page(r->mm, FILE_START + 3)));
	g_assert_cmpuint(pc_nr_dirty(r->pc), ==, 1);
	/* A first write with no pte: do_shared_fault(), page_mkwrite too. */
	g_assert_true(touch(r, t, FILE_START + 9, true));
	g_assert_cmpuint(rig_counter(r, "fault", "pageMkwrite"), ==, 2);
	g_assert_cmpuint(rig_counter(r, "fault", "wpShared"), ==, 1);
	g_assert_cmpuint(pc_nr_dirty(r->pc), ==, 2);

	/* Private: read maps the file page read-only, the write copies it. */
	g_assert_true(touch(r, t, PRIV_START + 5, false));
	file_page = mm_pte_page(r->mm, PRIV_START + 5);
	g_assert_true(page_mapping(file_page) == r->file);
	g_assert_true(touch(r, t, PRIV_START + 5, true));
	g_assert_cmpuint(rig_counter(r, "fault", "wpCopy"), ==, 1);
	g_assert_true(page_mapping(mm_pte_page(r->mm, PRIV_START + 5)) == r->mm->anon);
	g_assert_true(pte_write(mm_pte(r->mm, PRIV_START + 5)));
	g_assert_false(PageDirty(file_page));
	g_assert_cmpuint(pc_nr_dirty(r->pc), ==, 2);

	/* Anonymous: write-protected by mprotect, reused by the write. */
	g_assert_true(touch(r, t, ANON_START, true));
	mmap_write_lock(r->mm, t);
	g_assert_true(do_mprotect(t, r->mm, ANON_START, 16, VM_READ, NULL));
	g_assert_true(do_mprotect(t, r->mm, ANON_START, 16, VM_READ | VM_WRITE, NULL));
	mmap_write_unlock(r->mm, t);
	g_assert_false(pte_write(mm_pte(r->mm, ANON_START)));
	g_assert_true(touch(r, t, ANON_START, true));
	g_assert_cmpuint(rig_counter(r, "fault", "wpReuse"), ==, 1);
	g_assert_true(pte_write(mm_pte(r->mm, ANON_START)));
	g_assert_cmpuint(rig_counter(r, "fault", "wpCopy"), ==, 1);
	g_assert_true(mm_check(r->mm));
	g_assert_true(pc_check(r->pc));
}

static void test_wp_outcomes(void)
{
	struct rig r;

	machine_init(&r);
	sim_task_spawn(r.eng, "t", wp_body, &r);
	g_assert_cmpint(sim_run(r.eng), ==, SIM_STOP_EMPTY);
	rig_free(&r);
}

/* A dirtier over the file: throttled above the freerun ceiling, the
 * flusher writes in the background until under bg_thresh, and kupdate
 * writes the rest; written pages are write-protected again, so the next
 * write faults (page_mkwrite) once more. */
struct dirty_run {
	struct rig r;
	struct bdi_writeback *wb;
	sim_time_t slept;
};

static void dirtier_body(struct sim_task *t, void *arg)
{
	struct dirty_run *d = arg;
	struct rig *r = &d->r;
	uint64_t mkwrite;

	/* Twice over: the second pass finds pages the flusher cleaned (or
	 * is writing) read-only again. */
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t i = 0; i < FILE_PAGES; i++)
			g_assert_true(touch(r, t, FILE_START + i, true));
	/* Let kupdate (5 s, 30 s expiry) clean everything. */
	sim_sleep(t, 40 * NSEC_PER_SEC);
	g_assert_cmpuint(pc_nr_dirty(r->pc), ==, 0);
	g_assert_cmpuint(pc_nr_writeback(r->pc), ==, 0);
	g_assert_false(pte_write(mm_pte(r->mm, FILE_START)));
	g_assert_false(pte_dirty(mm_pte(r->mm, FILE_START)));
	mkwrite = rig_counter(r, "fault", "pageMkwrite");
	g_assert_true(touch(r, t, FILE_START, true));
	g_assert_cmpuint(rig_counter(r, "fault", "pageMkwrite"), ==, mkwrite + 1);
	g_assert_cmpuint(rig_counter(r, "fault", "wpShared"), >=, 1);
	g_assert_true(pc_check(r->pc));
	g_assert_true(mm_check(r->mm));
}

static void dirty_run(struct dirty_run *d, const struct fs_dirty_throttle_policy *pol,
		      bool stable)
{
	struct writeback_params p;

	machine_init(&d->r);
	writeback_params_init(&p);
	/* 512 dirty pages against limits of 128 (bg 64): freerun ceiling 96. */
	p.dirty_bytes = 128 * PAGE_SIZE;
	p.dirty_background_bytes = 64 * PAGE_SIZE;
	p.stable_writes = stable;
	d->wb = wb_new(d->r.eng, d->r.pc, &p);
	fault_sys_set_writeback(&d->r.fs, d->wb, pol);
	sim_task_spawn(d->r.eng, "dirtier", dirtier_body, d);
	g_assert_cmpint(sim_run(d->r.eng), ==, SIM_STOP_EMPTY);
}

static void dirty_run_free(struct dirty_run *d)
{
	rig_free(&d->r);
	wb_free(d->wb);
}

static void test_throttle_and_flusher(void)
{
	struct dirty_run hold = { 0 }, drop = { 0 };

	dirty_run(&hold, &fs_dirty_throttle_hold, false);
	dirty_run(&drop, &fs_dirty_throttle_drop, false);
	for (struct dirty_run *d = &hold; d; d = d == &hold ? &drop : NULL) {
		g_assert_cmpuint(rig_counter(&d->r, "writeback", "throttled"), >, 0);
		g_assert_cmpuint(rig_counter(&d->r, "writeback", "pauses"), >, 0);
		g_assert_cmpuint(rig_counter(&d->r, "writeback", "bgRuns"), >, 0);
		g_assert_cmpuint(rig_counter(&d->r, "writeback", "kupdateRuns"), >, 0);
		/* Every page was written at least once (the file by the
		 * flusher, none by reclaim: memory holds it), and the second
		 * pass re-dirtied cleaned pages through write faults. */
		g_assert_cmpuint(rig_counter(&d->r, "fault", "wpShared"), >, 0);
		g_assert_cmpuint(rig_counter(&d->r, "writeback", "pagesWritten"), >=, FILE_PAGES);
		g_assert_cmpuint(rig_counter(&d->r, "reclaim", "nr_vmscan_write"), ==, 0);
		g_assert_cmpuint(rig_counter(&d->r, "writeback", "stableWaits"), ==, 0);
		/* A pause is bounded by MAX_PAUSE. */
		g_assert_cmpuint(sim_hist_max(sim_stats_hist(sim_engine_stats(d->r.eng),
							     "writeback", "pause")), <=, WB_MAX_PAUSE);
	}
	/* hold throttles under mmap_sem; drop releases it and retries. */
	g_assert_cmpuint(rig_counter(&hold.r, "fault", "dirtyThrottleDrop"), ==, 0);
	g_assert_cmpuint(rig_counter(&drop.r, "fault", "dirtyThrottleDrop"), >, 0);
	g_assert_cmpuint(rig_counter(&drop.r, "fault", "retry"), >=,
			 rig_counter(&drop.r, "fault", "dirtyThrottleDrop"));
	dirty_run_free(&hold);
	dirty_run_free(&drop);
}

/* With stable writes, page_mkwrite waits for a page under writeback. */
static void test_stable_pages(void)
{
	struct dirty_run d = { 0 };

	dirty_run(&d, &fs_dirty_throttle_drop, true);
	g_assert_cmpuint(rig_counter(&d.r, "writeback", "stableWaits"), >, 0);
	dirty_run_free(&d);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/writeback/limits", test_limits);
	g_test_add_func("/writeback/wp-outcomes", test_wp_outcomes);
	g_test_add_func("/writeback/throttle-and-flusher", test_throttle_and_flusher);
	g_test_add_func("/writeback/stable-pages", test_stable_pages);
	return g_test_run();
}
