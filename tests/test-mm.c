/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Address-space tests: VMAs split and merged by munmap, mprotect and mmap;
 * zapping drops references and swap slots; a file page mapped by two
 * processes is unmapped from both by reclaim and read again on the next
 * touch; an anonymous page goes to swap and comes back (the disk sees the
 * write and the read, the slot's identity token matches), or comes back
 * from the swap cache; without swap, mapped anonymous pages stay; a mixed
 * file + anonymous workload larger than memory stays under the limit with
 * every invariant holding, then exits cleanly; bad input; determinism;
 * the checkers run after a change exactly when the engine's switch (or the
 * scenario's debug.checks) says so.
 *
 * The tests fault pages in with a small stand-in for the fault path
 * (touch()): the real one is built on these building blocks.
 */
#include "config.h"

#include <errno.h>
#include <gsl/gsl_rng.h>

#include "policies/builtin.h"
#include "sim/kernel/disk.h"
#include "sim/core/engine.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/readahead.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"
#include "tests/rig.h"

#define US ((sim_time_t)NSEC_PER_USEC)
#define MS ((sim_time_t)NSEC_PER_MSEC)

struct fx {
	struct sim_engine *eng;
	struct page_cache *pc;
	struct sim_disk *disk;
	struct mm_sys *sys;
	struct address_space *file;
	struct file_backing *fb;
	struct mm_struct *mm[4];
	unsigned int nr_mm;
	bool done;
};

/* @mem pages of memory; kswapd on or off (off: explicit watermarks 0, 0, 1,
 * so that only an empty memory stalls an allocation); a file of
 * @file_pages at byte 0 of the disk; @swap_pages of swap at 1 GiB (0: no
 * swap). */
static void fx_init(struct fx *fx, uint64_t seed, uint64_t mem, bool kswapd,
		    pgoff_t file_pages, uint64_t swap_pages)
{
	g_autoptr(GError) error = NULL;
	struct sim_disk_params dp;
	struct pc_params p;

	*fx = (struct fx){ 0 };
	fx->eng = sim_engine_new(seed);
	pc_params_init(&p);
	p.page_lock_ops = &fs_page_lock_bounded_steal;
	p.nr_pages = mem;
	p.kswapd = kswapd;
	if (!kswapd) {
		p.wmark[WMARK_MIN] = 0;
		p.wmark[WMARK_LOW] = 0;
		p.wmark[WMARK_HIGH] = 1;
	}
	sim_engine_set_checks(fx->eng, true);
	fx->pc = pc_new(fx->eng, &p, &error);
	g_assert_no_error(error);
	g_assert_true(sim_disk_params_init(&dp, "ssd", &error));
	fx->disk = sim_disk_new(fx->eng, &dp, &error);
	g_assert_no_error(error);
	fx->sys = mm_sys_new(fx->pc);
	if (swap_pages) {
		g_assert_true(swapon(fx->sys, fx->disk, UINT64_C(1) << 30, swap_pages, &error));
		g_assert_no_error(error);
	}
	fx->file = pc_mapping_new(fx->pc, "file", file_pages, 0, &error);
	g_assert_no_error(error);
	fx->fb = file_backing_new(fx->file, fx->disk, 0);
}

static struct mm_struct *fx_mm(struct fx *fx, const char *name)
{
	g_autoptr(GError) error = NULL;
	struct mm_struct *mm = mm_new(fx->sys, name, &fs_rwsem_v5_11, 0, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(fx->nr_mm, <, G_N_ELEMENTS(fx->mm));
	fx->mm[fx->nr_mm++] = mm;
	return mm;
}

static void fx_destroy(struct fx *fx)
{
	for (unsigned int i = 0; i < fx->nr_mm; i++)
		mm_free(fx->mm[i]);
	mm_sys_free(fx->sys);
	file_backing_free(fx->fb);
	pc_free(fx->pc);
	sim_disk_free(fx->disk);
	sim_engine_free(fx->eng);
}

static uint64_t counter(struct fx *fx, const char *module, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(fx->eng), module, name);
}

static void fx_run(struct fx *fx, sim_task_fn *fn)
{
	fx->done = false;
	sim_task_spawn(fx->eng, "test", fn, fx);
	sim_run(fx->eng);
	g_assert_true(fx->done);
}

static struct vm_area_struct *map(struct sim_task *t, struct mm_struct *mm, uint64_t addr,
				  uint64_t nr, unsigned long flags,
				  struct address_space *file, pgoff_t pgoff)
{
	g_autoptr(GError) error = NULL;
	struct vm_area_struct *vma = mmap_region(t, mm, addr, nr, flags, file, pgoff, &error);

	g_assert_no_error(error);
	g_assert_nonnull(vma);
	return vma;
}

/*
 * A stand-in for the fault path: make @addr present (reading the file
 * page, swapping in, or allocating a zero page), then touch it.  The
 * caller holds mmap_sem for read (or is alone).  Returns whether it
 * faulted.
 */
static bool touch(struct sim_task *t, struct mm_struct *mm, uint64_t addr, bool write)
{
	bool faulted = false;

	while (!mm_touch(mm, addr, write)) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		struct page *page;
		int err;

		g_assert_nonnull(vma);
		faulted = true;
		page = mm_pte_page(mm, addr);
		if (page) {
			/* A write through a read-only pte: do_wp_page()'s
			 * reuse (the shared file page dirtied first, as
			 * page_mkwrite does). */
			g_assert_true(write && (vma->vm_flags & VM_WRITE));
			if (vma->vm_file) {
				g_assert_true(vma->vm_flags & VM_SHARED);
				set_page_dirty(page);
			}
			g_assert_true(mm_pte_mkwrite(mm, vma, addr, page));
			continue;
		}
		if (vma->vm_file) {
			page = filemap_read_page(t, vma->vm_file, &vma->vm_ra,
						 linear_page_index(vma, addr), 1, &err);
			g_assert_nonnull(page);
			err = mm_map_page(mm, vma, addr, page);
			g_assert_true(err == 0 || err == -EEXIST);
			put_page(page);
		} else if (mm_swap_entry_at(mm, addr, NULL)) {
			page = swapin_page(t, mm, vma, addr, NULL, &err);
			if (!page) {
				g_assert_cmpint(err, ==, -EAGAIN);
				continue;
			}
			lock_page(t, page);
			g_assert_true(PageUptodate(page));
			err = mm_map_swap_page(mm, vma, addr, page);
			g_assert_true(err == 0 || err == -EAGAIN);
			unlock_page(page);
			put_page(page);
		} else {
			page = mm_alloc_anon_page(t, mm, vma, addr, &err);
			if (!page) {
				g_assert_true(err == -EEXIST || err == -EAGAIN);
				if (err == -EAGAIN)
					sim_sleep(t, US);
				continue;
			}
			g_assert_cmpint(mm_map_page(mm, vma, addr, page), ==, 0);
			unlock_page(page);
			put_page(page);
		}
	}
	return faulted;
}

/* Reclaim directly until @page_gone() holds, letting writeback finish in
 * between; at most @tries passes. */
static void reclaim_until(struct sim_task *t, struct fx *fx,
			  bool (*page_gone)(struct fx *fx), int tries)
{
	for (int i = 0; i < tries && !page_gone(fx); i++) {
		pc_try_to_free_pages(fx->pc, t, pc_nr_pages(fx->pc));
		sim_sleep(t, 10 * MS);
	}
	g_assert_true(page_gone(fx));
}

/* ------------------------------------------------------------------ */
/* VMAs */

static void vma_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];
	g_autoptr(GError) error = NULL;
	struct vm_area_struct *vma;

	mmap_write_lock(mm, t);
	map(t, mm, 100, 64, VM_READ, fx->file, 0);
	map(t, mm, 200, 64, VM_READ | VM_WRITE, NULL, 0);
	g_assert_cmpuint(mm_map_count(mm), ==, 2);

	/* A hole in the middle of each. */
	g_assert_true(do_munmap(t, mm, 116, 16, &error));
	g_assert_true(do_munmap(t, mm, 216, 16, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(mm_map_count(mm), ==, 4);
	vma = mm_vma(mm, 0);
	g_assert_cmpuint(vma->vm_start, ==, 100);
	g_assert_cmpuint(vma->vm_end, ==, 116);
	g_assert_cmpuint(vma->vm_pgoff, ==, 0);
	vma = mm_vma(mm, 1);
	g_assert_cmpuint(vma->vm_start, ==, 132);
	g_assert_cmpuint(vma->vm_end, ==, 164);
	g_assert_cmpuint(vma->vm_pgoff, ==, 32);
	g_assert_true(vma_write_locked(vma));
	g_assert_null(vma_lookup(mm, 120));
	g_assert_true(find_vma(mm, 120) == vma);
	g_assert_cmpuint(mm_vma(mm, 3)->vm_start, ==, 232);
	g_assert_cmpuint(mm_vma(mm, 3)->vm_pgoff, ==, 232);

	/* mprotect the middle of a file VMA: three VMAs, offsets kept. */
	g_assert_true(do_mprotect(t, mm, 140, 10, VM_READ | VM_WRITE, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(mm_map_count(mm), ==, 6);
	vma = vma_lookup(mm, 145);
	g_assert_cmpuint(vma->vm_start, ==, 140);
	g_assert_cmpuint(vma->vm_end, ==, 150);
	g_assert_cmpuint(vma->vm_pgoff, ==, 40);
	g_assert_cmpuint(vma->vm_flags, ==, VM_READ | VM_WRITE);
	g_assert_cmpuint(vma_lookup(mm, 139)->vm_flags, ==, VM_READ);
	g_assert_cmpuint(vma_lookup(mm, 150)->vm_pgoff, ==, 50);
	mm_check(mm);
	/* ... and back: merged again. */
	g_assert_true(do_mprotect(t, mm, 140, 10, VM_READ, &error));
	g_assert_cmpuint(mm_map_count(mm), ==, 4);
	vma = vma_lookup(mm, 145);
	g_assert_cmpuint(vma->vm_start, ==, 132);
	g_assert_cmpuint(vma->vm_end, ==, 164);
	g_assert_cmpuint(vma->vm_pgoff, ==, 32);

	/* mprotect over a hole: refused, nothing changed. */
	g_assert_false(do_mprotect(t, mm, 110, 30, VM_NONE, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_cmpuint(mm_map_count(mm), ==, 4);
	g_assert_cmpuint(vma_lookup(mm, 110)->vm_flags, ==, VM_READ);

	/* Refill the holes: the pieces merge back. */
	map(t, mm, 216, 16, VM_READ | VM_WRITE, NULL, 0);
	g_assert_cmpuint(mm_map_count(mm), ==, 3);
	vma = map(t, mm, 116, 16, VM_READ, fx->file, 16);
	g_assert_cmpuint(mm_map_count(mm), ==, 2);
	g_assert_cmpuint(vma->vm_start, ==, 100);
	g_assert_cmpuint(vma->vm_end, ==, 164);
	g_assert_cmpuint(vma->vm_pgoff, ==, 0);
	vma = vma_lookup(mm, 216);
	g_assert_cmpuint(vma->vm_start, ==, 200);
	g_assert_cmpuint(vma->vm_end, ==, 264);

	/* Adjacent, but not contiguous in the file: no merge. */
	map(t, mm, 164, 6, VM_READ, fx->file, 100);
	g_assert_cmpuint(mm_map_count(mm), ==, 3);
	/* Adjacent with other flags: no merge either. */
	map(t, mm, 264, 6, VM_READ, NULL, 0);
	g_assert_cmpuint(mm_map_count(mm), ==, 4);

	/* An mmap over existing mappings replaces them (MAP_FIXED): it cuts
	 * [100, 164) at 150, removes [164, 170) and [200, 264), and merges
	 * with the anonymous [264, 270) of the same flags. */
	vma = map(t, mm, 150, 114, VM_READ, NULL, 0);
	g_assert_cmpuint(vma->vm_start, ==, 150);
	g_assert_cmpuint(vma->vm_end, ==, 270);
	g_assert_cmpuint(vma_lookup(mm, 149)->vm_end, ==, 150);
	g_assert_cmpuint(mm_map_count(mm), ==, 2);

	/* Free ranges: first fit from 1. */
	g_assert_cmpuint(get_unmapped_area(mm, 99), ==, 1);
	g_assert_cmpuint(get_unmapped_area(mm, 100), ==, 270);
	mm_check(mm);
	mmap_write_unlock(mm, t);
	g_assert_false(vma_write_locked(vma));
	fx->done = true;
}

static void test_vma_split_merge(void)
{
	struct fx fx;

	fx_init(&fx, 1, 1024, false, 1024, 0);
	fx_mm(&fx, "p0");
	fx_run(&fx, vma_body);
	mm_sys_check(fx.sys);
	fx_destroy(&fx);
}

/* ------------------------------------------------------------------ */
/* munmap and zap */

static void munmap_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];
	g_autoptr(GError) error = NULL;

	mmap_write_lock(mm, t);
	/* Readahead off: the faults read exactly the pages touched. */
	map(t, mm, 100, 64, VM_READ, fx->file, 0)->vm_ra.ra_pages = 0;
	map(t, mm, 200, 64, VM_READ | VM_WRITE, NULL, 0);
	for (uint64_t i = 0; i < 64; i++) {
		g_assert_true(touch(t, mm, 100 + i, false));
		g_assert_true(touch(t, mm, 200 + i, true));
		g_assert_false(touch(t, mm, 200 + i, true));	/* now present */
	}
	g_assert_cmpuint(get_mm_counter(mm, MM_FILEPAGES), ==, 64);
	g_assert_cmpuint(get_mm_counter(mm, MM_ANONPAGES), ==, 64);
	g_assert_cmpuint(pc_mapping_nrpages(mm->anon), ==, 64);
	for (pgoff_t i = 0; i < 64; i++) {
		struct page *page = mm_pte_page(mm, 100 + i);

		g_assert_true(page && page->mapping == fx->file && page->index == i);
		g_assert_cmpint(page_mapcount(page), ==, 1);
		g_assert_cmpint(page_count(page), ==, 2);	/* cache + pte */
	}
	mm_sys_check(fx->sys);
	pc_check(fx->pc);

	g_assert_true(do_munmap(t, mm, 116, 16, &error));
	g_assert_true(do_munmap(t, mm, 216, 16, &error));
	g_assert_no_error(error);
	for (pgoff_t i = 0; i < 64; i++) {
		bool gone = i >= 16 && i < 32;
		struct page *page = find_get_page(fx->file, i);

		g_assert_cmpint(mm_pte_present(mm, 100 + i), ==, !gone);
		g_assert_cmpint(mm_pte_present(mm, 200 + i), ==, !gone);
		/* File pages stay cached, without the pte's reference;
		 * anonymous pages are freed with their last pte. */
		g_assert_nonnull(page);
		g_assert_cmpint(page_mapcount(page), ==, gone ? 0 : 1);
		g_assert_cmpint(page_count(page), ==, gone ? 2 : 3);	/* + ours */
		put_page(page);
		g_assert_cmpint(pc_page_cached(mm->anon, 200 + i), ==, !gone);
	}
	g_assert_cmpuint(get_mm_counter(mm, MM_FILEPAGES), ==, 48);
	g_assert_cmpuint(get_mm_counter(mm, MM_ANONPAGES), ==, 48);
	g_assert_cmpuint(counter(fx, "mm", "ptesZapped"), ==, 32);
	mm_sys_check(fx->sys);
	pc_check(fx->pc);

	/* A fresh mapping of the hole starts empty: new zero pages. */
	map(t, mm, 216, 16, VM_READ | VM_WRITE, NULL, 0);
	g_assert_cmpuint(mm_map_count(mm), ==, 3);
	g_assert_false(mm_pte_present(mm, 216));
	g_assert_true(touch(t, mm, 216, false));

	/* Zap without unmapping (MADV_DONTNEED): the VMA stays. */
	g_assert_cmpuint(zap_page_range(vma_lookup(mm, 200), 200, 8), ==, 8);
	g_assert_cmpuint(mm_map_count(mm), ==, 3);
	g_assert_false(mm_pte_present(mm, 200));
	g_assert_true(mm_pte_present(mm, 208));
	mm_sys_check(fx->sys);
	mmap_write_unlock(mm, t);

	exit_mmap(t, mm);
	g_assert_cmpuint(mm_map_count(mm), ==, 0);
	g_assert_cmpuint(pc_mapping_nrpages(mm->anon), ==, 0);
	for (int c = 0; c < NR_MM_COUNTERS; c++)
		g_assert_cmpuint(get_mm_counter(mm, c), ==, 0);
	/* Every file page is back to the cache's reference alone. */
	for (pgoff_t i = 0; i < 64; i++) {
		struct page *page = find_get_page(fx->file, i);

		g_assert_cmpint(page_count(page), ==, 2);
		g_assert_false(page_mapped(page));
		put_page(page);
	}
	pc_check(fx->pc);
	fx->done = true;
}

static void test_munmap_zap(void)
{
	struct fx fx;

	fx_init(&fx, 2, 1024, false, 1024, 0);
	fx_mm(&fx, "p0");
	fx_run(&fx, munmap_body);
	g_assert_cmpuint(pc_nr_resident(fx.pc), ==, 64);	/* the file pages */
	fx_destroy(&fx);
}

/* The whole 16 TiB space in one VMA: page tables only where touched, and
 * a zap that skips the holes. */
static void huge_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];
	const uint64_t top = PC_MAX_PAGES - 1;

	map(NULL, mm, 1, top - 1, VM_READ | VM_WRITE, NULL, 0);
	g_assert_cmpuint(get_unmapped_area(mm, 1), ==, top);
	g_assert_cmpuint(get_unmapped_area(mm, 2), ==, 0);
	touch(t, mm, 1, true);
	touch(t, mm, top - 1, true);
	touch(t, mm, UINT64_C(1) << 31, true);
	g_assert_cmpuint(mm->nr_pte_tables, ==, 3);
	mm_check(mm);
	g_assert_true(do_munmap(NULL, mm, 1, top - 1, NULL));
	g_assert_cmpuint(mm->nr_pte_tables, ==, 0);
	g_assert_cmpuint(pc_mapping_nrpages(mm->anon), ==, 0);
	g_assert_cmpuint(counter(fx, "mm", "ptesZapped"), ==, 3);
	mm_check(mm);
	fx->done = true;
}

static void test_huge_space(void)
{
	struct fx fx;

	fx_init(&fx, 11, 256, false, 64, 0);
	fx_mm(&fx, "p0");
	fx_run(&fx, huge_body);
	fx_destroy(&fx);
}

/* ------------------------------------------------------------------ */
/* A shared file page reclaimed from two processes */

#define SHARED_INDEX	3

static bool shared_page_gone(struct fx *fx)
{
	return !pc_page_cached(fx->file, SHARED_INDEX);
}

static void shared_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *a = fx->mm[0], *b = fx->mm[1];
	struct page *page;
	uint64_t reads;

	/* The same 16 file pages at different addresses. */
	map(NULL, a, 100, 16, VM_READ, fx->file, 0);
	map(NULL, b, 500, 16, VM_READ, fx->file, 0);
	/* One touch each; the fault reads page 3 once (readahead would read
	 * more: the VMAs' readahead is off here). */
	vma_lookup(a, 100)->vm_ra.ra_pages = 0;
	vma_lookup(b, 500)->vm_ra.ra_pages = 0;
	g_assert_true(touch(t, a, 100 + SHARED_INDEX, false));
	g_assert_true(touch(t, b, 500 + SHARED_INDEX, false));
	g_assert_cmpuint(counter(fx, "filemap", "readPages"), ==, 1);
	page = mm_pte_page(a, 100 + SHARED_INDEX);
	g_assert_true(page == mm_pte_page(b, 500 + SHARED_INDEX));
	g_assert_cmpint(page_mapcount(page), ==, 2);
	g_assert_cmpint(page_count(page), ==, 3);
	mm_sys_check(fx->sys);

	/* Reclaim: two young ptes activate it first (page_check_references),
	 * later passes deactivate and free it.  The rmap finds both ptes in
	 * the same pass: never one without the other. */
	for (int i = 0; i < 20 && !shared_page_gone(fx); i++) {
		pc_try_to_free_pages(fx->pc, t, pc_nr_pages(fx->pc));
		g_assert_cmpint(mm_pte_present(a, 100 + SHARED_INDEX), ==,
				mm_pte_present(b, 500 + SHARED_INDEX));
		sim_sleep(t, 10 * MS);
	}
	g_assert_true(shared_page_gone(fx));
	g_assert_false(mm_pte_present(a, 100 + SHARED_INDEX));
	g_assert_false(mm_pte_present(b, 500 + SHARED_INDEX));
	g_assert_true(pte_none(mm_pte(a, 100 + SHARED_INDEX)));
	g_assert_cmpuint(get_mm_counter(a, MM_FILEPAGES), ==, 0);
	g_assert_cmpuint(get_mm_counter(b, MM_FILEPAGES), ==, 0);
	g_assert_cmpuint(counter(fx, "rmap", "ptesUnmapped"), ==, 2);
	mm_sys_check(fx->sys);
	pc_check(fx->pc);

	/* The next touch faults and reads it again; the other process then
	 * finds it cached. */
	reads = counter(fx, "filemap", "readPages");
	g_assert_true(touch(t, a, 100 + SHARED_INDEX, false));
	g_assert_cmpuint(counter(fx, "filemap", "readPages"), ==, reads + 1);
	g_assert_true(touch(t, b, 500 + SHARED_INDEX, false));
	g_assert_cmpuint(counter(fx, "filemap", "readPages"), ==, reads + 1);
	g_assert_cmpint(page_mapcount(mm_pte_page(a, 100 + SHARED_INDEX)), ==, 2);
	g_assert_cmpuint(counter(fx, "disk", "reads"), ==, 2);
	mm_sys_check(fx->sys);
	fx->done = true;
}

static void test_shared_file_reclaim(void)
{
	struct fx fx;

	fx_init(&fx, 3, 256, false, 64, 0);
	fx_mm(&fx, "a");
	fx_mm(&fx, "b");
	fx_run(&fx, shared_body);
	fx_destroy(&fx);
}

/* ------------------------------------------------------------------ */
/* Swap */

#define ANON_ADDR	300

static bool anon_page_gone(struct fx *fx)
{
	return !pc_page_cached(fx->mm[0]->anon, ANON_ADDR);
}

static void swap_round_trip_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];
	struct vm_area_struct *vma;
	swp_entry_t entry;
	struct page *page;
	bool major;
	int err;

	vma = map(NULL, mm, ANON_ADDR, 4, VM_READ | VM_WRITE, NULL, 0);
	g_assert_true(touch(t, mm, ANON_ADDR, true));
	page = mm_pte_page(mm, ANON_ADDR);
	g_assert_true(PageSwapBacked(page) && PageDirty(page));
	g_assert_true(page->mapping == mm->anon && page->index == ANON_ADDR);

	/* Out: unmapped to a swap entry, written, freed. */
	reclaim_until(t, fx, anon_page_gone, 10);
	g_assert_cmpuint(counter(fx, "swap", "pswpout"), ==, 1);
	g_assert_cmpuint(counter(fx, "disk", "writes"), ==, 1);
	g_assert_cmpuint(counter(fx, "disk", "bytesWritten"), ==, PAGE_SIZE);
	g_assert_false(mm_pte_present(mm, ANON_ADDR));
	g_assert_true(mm_swap_entry_at(mm, ANON_ADDR, &entry));
	g_assert_cmpuint(swp_offset(entry), ==, 1);	/* the first slot after the header */
	g_assert_cmpuint(swap_count(fx->sys, entry), ==, 1);
	g_assert_cmpuint(swap_slot_token(fx->sys, entry), ==, mm_page_token(mm, ANON_ADDR));
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys) - 1);
	g_assert_cmpuint(get_mm_counter(mm, MM_SWAPENTS), ==, 1);
	g_assert_cmpuint(get_mm_counter(mm, MM_ANONPAGES), ==, 0);
	mm_sys_check(fx->sys);

	/* In: a new page, locked while the slot is read. */
	page = swapin_page(t, mm, vma, ANON_ADDR, &major, &err);
	g_assert_nonnull(page);
	g_assert_true(major);
	g_assert_true(PageLocked(page));
	g_assert_false(PageUptodate(page));
	g_assert_cmpuint(counter(fx, "swap", "pswpin"), ==, 1);
	lock_page(t, page);		/* sleeps until the read completes */
	g_assert_cmpuint(counter(fx, "disk", "reads"), ==, 1);
	g_assert_true(PageUptodate(page));
	/* The same page identity: its address in the same mm (the model
	 * checked the slot's token against it when the read completed). */
	g_assert_true(page->mapping == mm->anon && page->index == ANON_ADDR);
	g_assert_cmpint(mm_map_swap_page(mm, vma, ANON_ADDR, page), ==, 0);
	unlock_page(page);
	put_page(page);
	g_assert_true(mm_pte_present(mm, ANON_ADDR));
	g_assert_true(PageDirty(mm_pte_page(mm, ANON_ADDR)));
	g_assert_cmpuint(swap_count(fx->sys, entry), ==, 0);	/* slot freed */
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys));
	g_assert_cmpuint(get_mm_counter(mm, MM_SWAPENTS), ==, 0);
	g_assert_cmpuint(get_mm_counter(mm, MM_ANONPAGES), ==, 1);
	mm_sys_check(fx->sys);
	pc_check(fx->pc);

	/* Out again, then munmap the swap entry: the slot is freed. */
	reclaim_until(t, fx, anon_page_gone, 10);
	g_assert_cmpuint(counter(fx, "swap", "pswpout"), ==, 2);
	g_assert_true(mm_swap_entry_at(mm, ANON_ADDR, &entry));
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys) - 1);
	g_assert_true(do_munmap(NULL, mm, ANON_ADDR, 4, NULL));
	g_assert_false(mm_swap_entry_at(mm, ANON_ADDR, NULL));
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys));
	g_assert_cmpuint(get_mm_counter(mm, MM_SWAPENTS), ==, 0);
	mm_sys_check(fx->sys);
	fx->done = true;
}

static void test_swap_round_trip(void)
{
	struct fx fx;

	fx_init(&fx, 4, 256, false, 64, 1024);
	fx_mm(&fx, "p0");
	fx_run(&fx, swap_round_trip_body);
	fx_destroy(&fx);
}

/* Unmapped and under writeback: a fault finds the page in the swap cache
 * (no read), and the slot is freed once the write is done. */
static void swapcache_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];
	struct vm_area_struct *vma;
	swp_entry_t entry;
	struct page *page;
	bool major;

	vma = map(NULL, mm, ANON_ADDR, 1, VM_READ | VM_WRITE, NULL, 0);
	g_assert_true(touch(t, mm, ANON_ADDR, true));
	/* First pass: young, kept; second: unmapped and written. */
	pc_try_to_free_pages(fx->pc, t, 1);
	g_assert_true(mm_pte_present(mm, ANON_ADDR));
	pc_try_to_free_pages(fx->pc, t, 1);
	g_assert_true(mm_swap_entry_at(mm, ANON_ADDR, &entry));
	page = find_get_page(mm->anon, ANON_ADDR);
	g_assert_true(page && PageWriteback(page));
	put_page(page);
	g_assert_cmpuint(swap_count(fx->sys, entry), ==, 2);	/* pte + write */
	mm_sys_check(fx->sys);

	page = swapin_page(t, mm, vma, ANON_ADDR, &major, NULL);
	g_assert_nonnull(page);
	g_assert_false(major);
	g_assert_cmpuint(counter(fx, "swap", "swapcacheHit"), ==, 1);
	lock_page(t, page);
	g_assert_cmpint(mm_map_swap_page(mm, vma, ANON_ADDR, page), ==, 0);
	unlock_page(page);
	g_assert_cmpuint(swap_count(fx->sys, entry), ==, 1);	/* the write's */
	mm_sys_check(fx->sys);
	wait_on_page_writeback(t, page);
	put_page(page);
	g_assert_cmpuint(swap_count(fx->sys, entry), ==, 0);
	g_assert_cmpuint(counter(fx, "disk", "reads"), ==, 0);
	g_assert_cmpuint(counter(fx, "swap", "pswpin"), ==, 0);
	mm_sys_check(fx->sys);
	fx->done = true;
}

static void test_swapcache_hit(void)
{
	struct fx fx;

	fx_init(&fx, 5, 256, false, 64, 64);
	fx_mm(&fx, "p0");
	fx_run(&fx, swapcache_body);
	fx_destroy(&fx);
}

/* Without swap, or with swap full, reclaim cannot unmap an anonymous page:
 * it stays mapped (and is activated), as when add_to_swap() fails. */
static void noswap_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];
	uint64_t slots = swap_nr_slots(fx->sys);
	unsigned int mapped = 0;

	map(NULL, mm, ANON_ADDR, 8, VM_READ | VM_WRITE, NULL, 0);
	for (int i = 0; i < 8; i++)
		touch(t, mm, ANON_ADDR + i, true);
	for (int i = 0; i < 5; i++) {
		pc_try_to_free_pages(fx->pc, t, 8);
		sim_sleep(t, 10 * MS);
	}
	for (int i = 0; i < 8; i++)
		mapped += mm_pte_present(mm, ANON_ADDR + i);
	/* As many went out as there are slots; the others stayed. */
	g_assert_cmpuint(mapped, ==, 8 - slots);
	g_assert_cmpuint(get_mm_counter(mm, MM_SWAPENTS), ==, slots);
	g_assert_cmpuint(counter(fx, "swap", "pswpout"), ==, slots);
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, 0);
	g_assert_cmpuint(counter(fx, "swap", "swapFull"), >=, 8 - slots);
	g_assert_cmpuint(counter(fx, "reclaim", "pgactivate"), >=, 8 - slots);
	g_assert_cmpuint(get_mm_counter(mm, MM_ANONPAGES), ==, 8 - slots);
	mm_sys_check(fx->sys);
	fx->done = true;
}

static void test_noswap(gconstpointer data)
{
	uint64_t swap_pages = GPOINTER_TO_UINT(data);
	struct fx fx;

	fx_init(&fx, 6, 256, false, 64, swap_pages);
	fx_mm(&fx, "p0");
	fx_run(&fx, noswap_body);
	fx_destroy(&fx);
}

/*
 * Orphans: anonymous pages whose last pte is zapped while they are under
 * I/O stay in the swap cache, unmapped, and are cleaned up later.
 *  1. a swap pte zapped while its page is being written: the page stays;
 *     a new mapping at the address deletes it (after the write) before
 *     allocating a zero page;
 *  2. a present page mapped back from the swap cache while its write is
 *     in flight, then zapped: a dirty orphan; reclaim frees it later
 *     without writing it (its pte is gone);
 *  3. a swap pte zapped while its page is being read in: the page read
 *     can be mapped nowhere else (-EAGAIN), and exit_mmap() deletes it;
 *  4. a hundred at once (the orphan list is pruned as it grows), all
 *     waited for and deleted by exit_mmap().
 */
static void orphans_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];
	struct vm_area_struct *vma;
	swp_entry_t entry;
	struct page *page, *orphan;
	uint64_t writes;

	/* 1. */
	map(NULL, mm, ANON_ADDR, 1, VM_READ | VM_WRITE, NULL, 0);
	touch(t, mm, ANON_ADDR, true);
	pc_try_to_free_pages(fx->pc, t, 1);		/* young: kept */
	pc_try_to_free_pages(fx->pc, t, 1);		/* unmapped, written */
	g_assert_true(mm_swap_entry_at(mm, ANON_ADDR, &entry));
	orphan = find_get_page(mm->anon, ANON_ADDR);
	g_assert_true(orphan && PageWriteback(orphan));
	put_page(orphan);
	g_assert_true(do_munmap(NULL, mm, ANON_ADDR, 1, NULL));
	g_assert_true(pc_page_cached(mm->anon, ANON_ADDR));	/* the orphan */
	g_assert_cmpuint(swap_count(fx->sys, entry), ==, 1);	/* the write's */
	mm_sys_check(fx->sys);
	map(NULL, mm, ANON_ADDR, 1, VM_READ | VM_WRITE, NULL, 0);
	g_assert_true(touch(t, mm, ANON_ADDR, false));	/* waits for the write */
	page = mm_pte_page(mm, ANON_ADDR);
	g_assert_true(page && !PageWriteback(page) && page_mapcount(page) == 1);
	g_assert_cmpuint(swap_count(fx->sys, entry), ==, 0);
	g_assert_cmpuint(pc_mapping_nrpages(mm->anon), ==, 1);
	mm_sys_check(fx->sys);
	pc_check(fx->pc);

	/* 2. */
	vma = vma_lookup(mm, ANON_ADDR);
	pc_try_to_free_pages(fx->pc, t, 1);
	pc_try_to_free_pages(fx->pc, t, 1);
	g_assert_true(mm_swap_entry_at(mm, ANON_ADDR, &entry));
	page = swapin_page(t, mm, vma, ANON_ADDR, NULL, NULL);	/* swap cache */
	lock_page(t, page);
	g_assert_cmpint(mm_map_swap_page(mm, vma, ANON_ADDR, page), ==, 0);
	unlock_page(page);
	put_page(page);
	g_assert_true(PageWriteback(page) && PageDirty(page));
	g_assert_true(do_munmap(NULL, mm, ANON_ADDR, 1, NULL));
	g_assert_true(pc_page_cached(mm->anon, ANON_ADDR));
	mm_sys_check(fx->sys);
	writes = counter(fx, "disk", "writes");
	sim_sleep(t, 10 * MS);				/* the write completes */
	pc_try_to_free_pages(fx->pc, t, 1);
	g_assert_false(pc_page_cached(mm->anon, ANON_ADDR));
	g_assert_cmpuint(counter(fx, "disk", "writes"), ==, writes);
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys));

	/* 3. */
	vma = map(NULL, mm, ANON_ADDR, 1, VM_READ | VM_WRITE, NULL, 0);
	touch(t, mm, ANON_ADDR, true);
	pc_try_to_free_pages(fx->pc, t, 1);
	pc_try_to_free_pages(fx->pc, t, 1);
	sim_sleep(t, 10 * MS);
	pc_try_to_free_pages(fx->pc, t, 1);
	g_assert_false(pc_page_cached(mm->anon, ANON_ADDR));
	page = swapin_page(t, mm, vma, ANON_ADDR, NULL, NULL);
	g_assert_true(page && PageLocked(page));		/* being read */
	g_assert_true(do_munmap(NULL, mm, ANON_ADDR, 1, NULL));
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys) - 1);
	mm_sys_check(fx->sys);
	lock_page(t, page);
	g_assert_true(PageUptodate(page));
	vma = map(NULL, mm, ANON_ADDR + 1, 1, VM_READ, NULL, 0);	/* elsewhere */
	g_assert_cmpint(mm_map_swap_page(mm, vma_lookup(mm, ANON_ADDR + 1), ANON_ADDR + 1,
					 page), ==, -EAGAIN);
	unlock_page(page);
	put_page(page);
	g_assert_true(pc_page_cached(mm->anon, ANON_ADDR));
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys));

	/* 4. */
	map(NULL, mm, 1000, 100, VM_READ | VM_WRITE, NULL, 0);
	for (int i = 0; i < 100; i++)
		touch(t, mm, 1000 + i, true);
	pc_try_to_free_pages(fx->pc, t, 100);
	pc_try_to_free_pages(fx->pc, t, 100);
	g_assert_cmpuint(get_mm_counter(mm, MM_SWAPENTS), ==, 100);
	g_assert_cmpuint(pc_nr_writeback(fx->pc), ==, 100);
	g_assert_true(do_munmap(NULL, mm, 1000, 100, NULL));
	/* (3.'s orphan, clean and idle, went in the reclaim passes.) */
	g_assert_false(pc_page_cached(mm->anon, ANON_ADDR));
	g_assert_cmpuint(pc_mapping_nrpages(mm->anon), ==, 100);
	mm_sys_check(fx->sys);
	exit_mmap(t, mm);
	g_assert_cmpuint(pc_nr_writeback(fx->pc), ==, 0);
	g_assert_cmpuint(pc_mapping_nrpages(mm->anon), ==, 0);
	pc_check(fx->pc);
	fx->done = true;
}

static void test_orphans(void)
{
	struct fx fx;

	fx_init(&fx, 9, 256, false, 64, 256);
	fx_mm(&fx, "p0");
	fx_run(&fx, orphans_body);
	fx_destroy(&fx);
}

/* A write to a shared file mapping faults on the read-only pte and
 * dirties the page then (page_mkwrite: dirty accounting), the pte
 * writable and dirty; reclaim unmaps it and writes it back to the file,
 * then frees it. */
static bool file_page0_gone(struct fx *fx)
{
	return !pc_page_cached(fx->file, 0);
}

static void dirty_file_body(struct sim_task *t, void *arg)
{
	struct fx *fx = arg;
	struct mm_struct *mm = fx->mm[0];

	map(NULL, mm, 100, 1, VM_READ | VM_WRITE | VM_SHARED, fx->file, 0)->vm_ra.ra_pages = 0;
	touch(t, mm, 100, true);
	g_assert_true(pte_dirty(mm_pte(mm, 100)) && pte_write(mm_pte(mm, 100)));
	g_assert_true(PageDirty(mm_pte_page(mm, 100)));
	g_assert_cmpuint(pc_nr_dirty(fx->pc), ==, 1);
	reclaim_until(t, fx, file_page0_gone, 10);
	g_assert_cmpuint(counter(fx, "filemap", "writeRequests"), ==, 1);
	g_assert_cmpuint(counter(fx, "disk", "bytesWritten"), ==, PAGE_SIZE);
	g_assert_cmpuint(counter(fx, "reclaim", "nr_vmscan_write"), ==, 1);
	/* A read touch leaves the page clean: freed without a write. */
	touch(t, mm, 100, false);
	reclaim_until(t, fx, file_page0_gone, 10);
	g_assert_cmpuint(counter(fx, "filemap", "writeRequests"), ==, 1);
	fx->done = true;
}

static void test_dirty_shared_file(void)
{
	struct fx fx;

	fx_init(&fx, 10, 256, false, 64, 0);
	fx_mm(&fx, "p0");
	fx_run(&fx, dirty_file_body);
	fx_destroy(&fx);
}

/* ------------------------------------------------------------------ */
/* A workload larger than memory */

#define WL_MEM		512
#define WL_FILE		600	/* pages, mapped by both processes */
#define WL_ANON		320	/* pages per process */
#define WL_TOUCHES	2500	/* per thread */
#define FILE_BASE	1000
#define ANON_BASE	4000
/* Swap: room for both anonymous regions and some slack, small enough for
 * the slot allocator to wrap around many times. */
#define WL_SWAP		1024

struct wl_thread {
	struct fx *fx;
	struct mm_struct *mm;
	unsigned int id;
	bool remapper;			/* also munmaps and remaps anon ranges */
	uint64_t faults;
};

struct wl {
	struct fx fx;
	struct wl_thread th[4];
	unsigned int running;
	uint64_t max_resident;
};

static void wl_check_limit(struct fx *fx, struct wl *wl)
{
	uint64_t resident = pc_nr_resident(fx->pc);

	g_assert_cmpuint(resident, <=, WL_MEM);
	wl->max_resident = MAX(wl->max_resident, resident);
}

static void wl_thread_fn(struct sim_task *t, void *arg)
{
	struct wl_thread *th = arg;
	struct fx *fx = th->fx;
	struct wl *wl = container_of(fx, struct wl, fx);
	g_autofree char *stream = g_strdup_printf("wl%u", th->id);
	gsl_rng *rng = sim_rng(fx->eng, stream);

	for (int i = 0; i < WL_TOUCHES; i++) {
		bool anon = gsl_rng_uniform(rng) < 0.5;
		bool write = anon && gsl_rng_uniform(rng) < 0.7;
		uint64_t addr = anon ? ANON_BASE + gsl_rng_uniform_int(rng, WL_ANON)
				     : FILE_BASE + gsl_rng_uniform_int(rng, WL_FILE);

		if (th->remapper && i % 250 == 249) {
			/* munmap + mmap a random 16-page anon range: zaps
			 * present, swapped and in-flight pages alike. */
			uint64_t start = ANON_BASE + 16 * gsl_rng_uniform_int(rng, WL_ANON / 16);

			mmap_write_lock(th->mm, t);
			g_assert_true(do_munmap(t, th->mm, start, 16, NULL));
			map(t, th->mm, start, 16, VM_READ | VM_WRITE, NULL, 0);
			mm_check(th->mm);
			mmap_write_unlock(th->mm, t);
		}
		mmap_read_lock(th->mm, t);
		th->faults += touch(t, th->mm, addr, write);
		mmap_read_unlock(th->mm, t);
		wl_check_limit(fx, wl);
		if (i % 500 == 0) {
			pc_check(fx->pc);
			mm_sys_check(fx->sys);
		}
		sim_sleep(t, (sim_time_t)(1 + gsl_rng_uniform_int(rng, 20)) * US);
	}
	if (--wl->running == 0) {
		/* The last thread out tears both processes down. */
		for (unsigned int m = 0; m < fx->nr_mm; m++) {
			exit_mmap(t, fx->mm[m]);
			wl_check_limit(fx, wl);
		}
		fx->done = true;
	}
}

static void wl_setup(struct wl *wl, uint64_t seed)
{
	struct fx *fx = &wl->fx;

	*wl = (struct wl){ 0 };
	fx_init(fx, seed, WL_MEM, true, WL_FILE, WL_SWAP);
	for (unsigned int m = 0; m < 2; m++) {
		struct mm_struct *mm = fx_mm(fx, m ? "p1" : "p0");

		map(NULL, mm, FILE_BASE, WL_FILE, VM_READ, fx->file, 0);
		map(NULL, mm, ANON_BASE, WL_ANON, VM_READ | VM_WRITE, NULL, 0);
	}
	for (unsigned int i = 0; i < 4; i++) {
		struct wl_thread *th = &wl->th[i];
		g_autofree char *name = g_strdup_printf("t%u", i);

		*th = (struct wl_thread){ fx, fx->mm[i / 2], i, i % 2 == 1, 0 };
		sim_task_spawn(fx->eng, name, wl_thread_fn, th);
	}
	wl->running = 4;
}

struct wl_result {
	uint64_t fingerprint;
	sim_time_t end;
	uint64_t pswpin, pswpout, file_reads, steals, faults, allocs;
};

static void wl_run(uint64_t seed, struct wl_result *r)
{
	struct wl *wl = g_new(struct wl, 1);
	struct fx *fx = &wl->fx;

	wl_setup(wl, seed);
	sim_run(fx->eng);
	g_assert_true(fx->done);
	*r = (struct wl_result){
		.fingerprint = sim_fingerprint(fx->eng),
		.end = sim_now(fx->eng),
		.pswpin = counter(fx, "swap", "pswpin"),
		.pswpout = counter(fx, "swap", "pswpout"),
		.file_reads = counter(fx, "filemap", "readPages"),
		.steals = counter(fx, "reclaim", "pgsteal_kswapd") +
			  counter(fx, "reclaim", "pgsteal_direct"),
		.allocs = counter(fx, "pagecache", "pgalloc"),
	};
	for (unsigned int i = 0; i < 4; i++)
		r->faults += wl->th[i].faults;

	/* After the exits: no anonymous page, no slot, no pte left. */
	for (unsigned int m = 0; m < fx->nr_mm; m++) {
		g_assert_cmpuint(pc_mapping_nrpages(fx->mm[m]->anon), ==, 0);
		g_assert_cmpuint(mm_map_count(fx->mm[m]), ==, 0);
	}
	g_assert_cmpuint(swap_nr_free(fx->sys), ==, swap_nr_slots(fx->sys));
	mm_sys_check(fx->sys);
	pc_check(fx->pc);
	g_assert_cmpuint(wl->max_resident, <=, WL_MEM);
	fx_destroy(fx);
	g_free(wl);
}

static void test_workload_limit(void)
{
	struct wl_result r;

	wl_run(21, &r);
	/*
	 * The working set (600 file + 640 anon pages) is 2.4 times memory.
	 * Each process sees 920 pages and at most 512 can be present, so a
	 * uniform touch finds its pte present with probability <= 512/920:
	 * at least 44% of the 10000 touches fault (4400; 4000 leaves room
	 * for the luck of the draw).  Once memory is full every new frame
	 * is paid by a free: all but 512 frames, the 2 x 320 anonymous
	 * pages freed by the exits and the 2 x 10 x 16 freed by the remaps
	 * were freed by reclaim.  Swap traffic: half the touches are
	 * anonymous and most anonymous pages cannot stay, so swap-outs and
	 * swap-ins run in the thousands (1000 is a floor); file pages are
	 * read again after reclaim (more reads than file pages).
	 */
	g_assert_cmpuint(r.faults, >, 4000);
	g_assert_cmpuint(r.steals, >=, r.allocs - WL_MEM - 2 * WL_ANON -
					2 * (WL_TOUCHES / 250) * 16);
	g_assert_cmpuint(r.pswpout, >, 1000);
	g_assert_cmpuint(r.pswpin, >, 1000);
	g_assert_cmpuint(r.file_reads, >, WL_FILE);
	if (g_test_verbose())
		g_test_message("faults %" G_GUINT64_FORMAT ", allocs %" G_GUINT64_FORMAT
			       ", steals %" G_GUINT64_FORMAT
			       ", pswpout %" G_GUINT64_FORMAT ", pswpin %" G_GUINT64_FORMAT
			       ", file reads %" G_GUINT64_FORMAT ", end %.3f ms",
			       r.faults, r.allocs, r.steals, r.pswpout, r.pswpin, r.file_reads,
			       (double)r.end / MS);
}

static void test_determinism(void)
{
	struct wl_result a, b, c;

	wl_run(31, &a);
	wl_run(31, &b);
	wl_run(32, &c);
	g_assert_cmpuint(a.fingerprint, ==, b.fingerprint);
	g_assert_cmpint(a.end, ==, b.end);
	g_assert_cmpuint(a.pswpin, ==, b.pswpin);
	g_assert_cmpuint(a.pswpout, ==, b.pswpout);
	g_assert_cmpuint(a.file_reads, ==, b.file_reads);
	g_assert_cmpuint(a.faults, ==, b.faults);
	g_assert_cmpuint(a.fingerprint, !=, c.fingerprint);
}

/* ------------------------------------------------------------------ */
/* Bad input */

static void test_bad_input(void)
{
	g_autoptr(GError) error = NULL;
	struct address_space *other;
	struct page_cache *pc2;
	struct mm_struct *mm;
	struct pc_params p;
	struct fx fx;

	fx_init(&fx, 7, 256, false, 64, 16);
	mm = fx_mm(&fx, "p0");

	g_assert_null(mm_new(fx.sys, "huge", &fs_rwsem_v5_11, PC_MAX_PAGES + 1, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_false(swapon(fx.sys, fx.disk, 0, 16, &error));	/* on already */
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);

	g_assert_null(mmap_region(NULL, mm, 10, 0, VM_READ, NULL, 0, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_null(mmap_region(NULL, mm, PC_MAX_PAGES - 1, 2, VM_READ, NULL, 0, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_null(mmap_region(NULL, mm, 10, 1, 0x100000ul, NULL, 0, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_null(mmap_region(NULL, mm, 10, 1, VM_READ | VM_SHARED, NULL, 0, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_null(mmap_region(NULL, mm, 10, 2, VM_READ, fx.file, PC_MAX_PAGES - 1, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	pc_params_init(&p);
	p.page_lock_ops = &fs_page_lock_bounded_steal;
	p.nr_pages = 16;
	p.kswapd = false;
	pc2 = pc_new(fx.eng, &p, &error);
	g_assert_no_error(error);
	other = pc_mapping_new(pc2, "elsewhere", 16, 0, &error);
	g_assert_null(mmap_region(NULL, mm, 10, 2, VM_READ, other, 0, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_false(do_munmap(NULL, mm, PC_MAX_PAGES, 1, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	g_assert_false(do_mprotect(NULL, mm, 10, 1, VM_READ, &error));	/* not mapped */
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	map(NULL, mm, 10, 1, VM_READ, NULL, 0);
	g_assert_false(do_mprotect(NULL, mm, 10, 1, VM_SHARED, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	/* Nothing changed by the failures. */
	g_assert_cmpuint(mm_map_count(mm), ==, 1);
	mm_check(mm);
	pc_free(pc2);
	fx_destroy(&fx);

	{
		struct fx fx2;

		fx_init(&fx2, 8, 256, false, 64, 0);
		g_assert_false(swapon(fx2.sys, fx2.disk, 0, 1, &error));
		g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
		g_clear_error(&error);
		g_assert_cmpuint(swap_nr_slots(fx2.sys), ==, 0);
		fx_destroy(&fx2);
	}
}

/* ------------------------------------------------------------------ */
/* The checkers' switch */

/* Break a rule of the VMA array behind mm.c's back (an anonymous VMA's
 * pgoff is its start), then change another VMA: with the switch on, the
 * check after the change finds the broken rule; off, nothing is checked. */
static void break_vma_rule(bool checks)
{
	g_autoptr(GError) error = NULL;
	struct mm_struct *mm;
	struct fx fx;

	fx_init(&fx, 3, 64, false, 16, 0);
	sim_engine_set_checks(fx.eng, checks);
	mm = fx_mm(&fx, "p0");
	map(NULL, mm, 10, 4, VM_READ | VM_WRITE, NULL, 0);
	map(NULL, mm, 20, 4, VM_READ, NULL, 0);
	mm_vma(mm, 0)->vm_pgoff = 11;
	g_assert_true(do_mprotect(NULL, mm, 20, 4, VM_READ | VM_WRITE, &error));
	g_assert_no_error(error);
	fx_destroy(&fx);
}

static void test_checks_switch(gconstpointer data)
{
	bool checks = GPOINTER_TO_UINT(data);

	if (g_test_subprocess()) {
		break_vma_rule(checks);
		return;
	}
	g_test_trap_subprocess(NULL, 0, 0);
	if (checks) {
		g_test_trap_assert_failed();
		g_test_trap_assert_stderr("*check_vmas: invariant broken: "
					  "!vma->i_mmap && vma->vm_pgoff == vma->vm_start*");
	} else {
		g_test_trap_assert_passed();
	}
}

/* The scenario key debug.checks turns the switch on when a run's model is
 * built; without it (and without FAULTSIM_CHECKS) it stays off. */
static void test_checks_key(void)
{
	g_autofree char *env = g_strdup(g_getenv("FAULTSIM_CHECKS"));
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autofree char *path = rig_scenario_path("default.ini");

	g_unsetenv("FAULTSIM_CHECKS");
	for (int on = 0; on <= 1; on++) {
		char *set[] = { on ? "debug.checks=true" : NULL, NULL };
		g_autoptr(GError) error = NULL;
		g_autoptr(sim_study) study = sim_study_new(path, NULL, set, keys, &error);
		const struct sim_run_config *cfg;
		struct sim_engine *eng;
		struct sim_model *m;

		g_assert_no_error(error);
		cfg = sim_study_run(study, 0);
		eng = sim_engine_new(cfg->seed);
		g_assert_false(sim_engine_checks(eng));
		m = sim_model_build(eng, cfg, &error);
		g_assert_no_error(error);
		g_assert_true(sim_engine_checks(eng) == on);
		sim_model_free(m);
		sim_engine_free(eng);
	}
	if (env)
		g_setenv("FAULTSIM_CHECKS", env, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/mm/vma/split-merge", test_vma_split_merge);
	g_test_add_func("/sim/mm/munmap-zap", test_munmap_zap);
	g_test_add_func("/sim/mm/huge-space", test_huge_space);
	g_test_add_func("/sim/mm/rmap/shared-file-reclaim", test_shared_file_reclaim);
	g_test_add_func("/sim/mm/swap/round-trip", test_swap_round_trip);
	g_test_add_func("/sim/mm/swap/swapcache-hit", test_swapcache_hit);
	g_test_add_data_func("/sim/mm/swap/none", GUINT_TO_POINTER(0), test_noswap);
	g_test_add_data_func("/sim/mm/swap/full", GUINT_TO_POINTER(3), test_noswap);
	g_test_add_func("/sim/mm/swap/orphans", test_orphans);
	g_test_add_func("/sim/mm/rmap/dirty-shared-file", test_dirty_shared_file);
	g_test_add_func("/sim/mm/reclaim/workload-limit", test_workload_limit);
	g_test_add_func("/sim/mm/determinism", test_determinism);
	g_test_add_func("/sim/mm/bad-input", test_bad_input);
	g_test_add_data_func("/sim/mm/checks/switch-on", GUINT_TO_POINTER(1), test_checks_switch);
	g_test_add_data_func("/sim/mm/checks/switch-off", GUINT_TO_POINTER(0), test_checks_switch);
	g_test_add_func("/sim/mm/checks/debug-key", test_checks_key);
	return g_test_run();
}
