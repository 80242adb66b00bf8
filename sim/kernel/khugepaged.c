/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged (see khugepaged.h): the scanning thread and the helpers the
 * khugepaged policies build collapse_huge_page() from.
 *
 * Lock ordering: mmap_sem (read or write, as the policy takes it), then
 * the page lock of a page being swapped in.  The scan holds mmap_sem for
 * read only while it reads a range's ptes; collapse_huge_page() is
 * called without it.  A pte pointer is never kept across a block.
 */
#include "config.h"

#include <errno.h>

#include "sim/kernel/cpu.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/vma-lock.h"
#include "sim/kernel/pagelock.h"
#include "sim/core/stats.h"

struct khugepaged {
	struct sim_engine *eng;
	struct mm_struct *mm;
	struct khugepaged_params p;
	const struct fs_khugepaged_policy *ops;
	struct sim_task *task;
	uint64_t cursor;		/* next address to scan */
	GHashTable *collapsed;		/* range index -> present: collapsed */
	uint64_t *collapses, *aborts, *failed, *swapins, *scans, *skip_swap, *skip_young;
	struct sim_hist *collapse_time, *write_hold;
	bool aborted;			/* the current collapse counted an abort */
};

void khugepaged_params_init(struct khugepaged_params *p)
{
	*p = (struct khugepaged_params){
		.scan_sleep = 100 * 1000 * 1000, .pages_to_scan = 4096, .max_ptes_swap = 64,
		.max_ptes_none = HPAGE_PMD_NR - 1, .min_young = HPAGE_PMD_NR / 2,
		.scan_pte = 5, .alloc_huge = 2000, .copy_page = 250, .swapin = 300,
		.pmd_seq_cost = 20,
	};
}

/* ------------------------------------------------------------------ */
/* Helpers for the policies */

bool khugepaged_revalidate(struct khugepaged_collapse *cc)
{
	struct vm_area_struct *vma = vma_lookup(cc->mm, cc->address);

	return vma && vma_is_anonymous(vma) && vma->vm_end >= cc->address + HPAGE_PMD_NR;
}

bool khugepaged_swapin(struct khugepaged_collapse *cc)
{
	struct khugepaged *kh = cc->kh;

	for (uint64_t a = cc->address; a < cc->address + HPAGE_PMD_NR; a++) {
		struct vm_area_struct *vma;
		struct page *page;
		int err;

		if (!mm_swap_entry_at(cc->mm, a, NULL))
			continue;
		vma = vma_lookup(cc->mm, a);
		cpu_work(cc->t, kh->p.swapin);
		page = swapin_page(cc->t, cc->mm, vma, a, NULL, &err);
		if (!page) {
			if (err == -EAGAIN)
				continue;	/* someone else faulted it in */
			return false;
		}
		lock_page(cc->t, page);		/* waits for the read */
		if (!PageUptodate(page)) {
			unlock_page(page);
			put_page(page);
			return false;
		}
		if (mm_map_swap_page(cc->mm, vma, a, page) == 0)
			(*kh->swapins)++;
		unlock_page(page);
		put_page(page);
	}
	return true;
}

bool khugepaged_isolate_ok(struct khugepaged_collapse *cc)
{
	for (uint64_t a = cc->address; a < cc->address + HPAGE_PMD_NR; a++)
		if (mm_swap_entry_at(cc->mm, a, NULL))
			return false;
	return true;
}

/* A pte as the pmd's count sees it: what it maps, not the bits the
 * hardware sets without the pte lock. */
static pte_t pte_seq_value(pte_t pte)
{
	return pte_present(pte) ? pte & ~(_PAGE_ACCESSED | _PAGE_DIRTY) : pte;
}

void khugepaged_pmd_seq_read(struct khugepaged_collapse *cc)
{
	for (unsigned int i = 0; i < HPAGE_PMD_NR; i++)
		cc->snap[i] = pte_seq_value(mm_pte(cc->mm, cc->address + i));
}

bool khugepaged_pmd_seq_same(struct khugepaged_collapse *cc)
{
	cpu_work(cc->t, cc->kh->p.pmd_seq_cost);
	for (unsigned int i = 0; i < HPAGE_PMD_NR; i++)
		if (cc->snap[i] != pte_seq_value(mm_pte(cc->mm, cc->address + i)))
			return false;
	return true;
}

void khugepaged_alloc(struct khugepaged_collapse *cc)
{
	cpu_work(cc->t, cc->kh->p.alloc_huge);
}

void khugepaged_copy(struct khugepaged_collapse *cc)
{
	cpu_work(cc->t, cc->kh->p.copy_page * HPAGE_PMD_NR);
}

void khugepaged_install(struct khugepaged_collapse *cc)
{
	struct khugepaged *kh = cc->kh;

	for (uint64_t a = cc->address; a < cc->address + HPAGE_PMD_NR; a++) {
		struct vm_area_struct *vma;
		struct page *page;
		int err;

		if (!pte_none(mm_pte(cc->mm, a)))
			continue;
		vma = vma_lookup(cc->mm, a);
		page = mm_alloc_anon_page(cc->t, cc->mm, vma, a, &err);
		if (!page)
			continue;	/* raced with a fault, or no memory */
		mm_map_page(cc->mm, vma, a, page);
		unlock_page(page);
		put_page(page);
	}
	g_hash_table_add(kh->collapsed, GSIZE_TO_POINTER(cc->address / HPAGE_PMD_NR + 1));
}

void khugepaged_write_lock(struct khugepaged_collapse *cc)
{
	mmap_write_lock(cc->mm, cc->t);
	/* As collapse_huge_page() since 6.4: write-lock the VMA, so that
	 * faults under the per-VMA lock do not run through the collapse. */
	vma_start_write_range(cc->t, cc->mm, cc->address, HPAGE_PMD_NR);
	cc->write_locked_at = sim_now(cc->kh->eng);
}

void khugepaged_write_unlock(struct khugepaged_collapse *cc)
{
	sim_hist_record(cc->kh->write_hold, (uint64_t)(sim_now(cc->kh->eng) - cc->write_locked_at));
	mmap_write_unlock(cc->mm, cc->t);
}

void khugepaged_count_abort(struct khugepaged_collapse *cc)
{
	(*cc->kh->aborts)++;
	cc->kh->aborted = true;
}

/* ------------------------------------------------------------------ */
/* The scan */

/* The next pmd-aligned range wholly inside an anonymous VMA, at or after
 * @from; 0 if none (address 0 is never mapped).  mmap_sem held. */
static uint64_t next_range(struct mm_struct *mm, uint64_t from)
{
	for (unsigned int i = 0; i < mm_map_count(mm); i++) {
		struct vm_area_struct *vma = mm_vma(mm, i);
		uint64_t a = MAX(vma->vm_start, from);

		if (!vma_is_anonymous(vma))
			continue;
		a = (a + HPAGE_PMD_NR - 1) & ~(uint64_t)(HPAGE_PMD_NR - 1);
		if (a && a + HPAGE_PMD_NR <= vma->vm_end)
			return a;
	}
	return 0;
}

/* khugepaged_scan_pmd(): whether the range at @addr is worth collapsing
 * (mmap_sem held for read). */
static bool scan_pmd(struct khugepaged *kh, struct sim_task *t, uint64_t addr,
		     unsigned int *swapped)
{
	unsigned int none = 0, swap = 0, young = 0;
	gpointer key = GSIZE_TO_POINTER(addr / HPAGE_PMD_NR + 1);

	cpu_work(t, kh->p.scan_pte * HPAGE_PMD_NR);
	(*kh->scans)++;
	for (uint64_t a = addr; a < addr + HPAGE_PMD_NR; a++) {
		pte_t pte = mm_pte(kh->mm, a);

		if (pte_none(pte))
			none++;
		else if (is_swap_pte(pte))
			swap++;
		else if (pte_young(pte))
			young++;
	}
	if (g_hash_table_contains(kh->collapsed, key)) {
		if (!none && !swap)
			return false;		/* still pmd-mapped */
		g_hash_table_remove(kh->collapsed, key);	/* split by reclaim */
	}
	if (swap > kh->p.max_ptes_swap || none > kh->p.max_ptes_none) {
		(*kh->skip_swap)++;
		return false;
	}
	if (swap && young < kh->p.min_young) {
		(*kh->skip_young)++;
		return false;
	}
	*swapped = swap;
	return true;
}

static void collapse(struct khugepaged *kh, struct sim_task *t, uint64_t addr,
		     unsigned int swapped)
{
	struct khugepaged_collapse *cc = g_new0(struct khugepaged_collapse, 1);
	sim_time_t start = sim_now(kh->eng);

	cc->kh = kh;
	cc->t = t;
	cc->mm = kh->mm;
	cc->address = addr;
	cc->swapped = swapped;
	kh->aborted = false;
	if (kh->ops->collapse_huge_page(cc))
		(*kh->collapses)++;
	else if (!kh->aborted)
		(*kh->failed)++;
	sim_hist_record(kh->collapse_time, (uint64_t)(sim_now(kh->eng) - start));
	g_free(cc);
}

static void khugepaged_thread(struct sim_task *t, void *arg)
{
	struct khugepaged *kh = arg;

	for (;;) {
		unsigned int scanned = 0;
		bool wrapped = false;

		sim_sleep(t, kh->p.scan_sleep);
		while (scanned < kh->p.pages_to_scan) {
			unsigned int swapped = 0;
			uint64_t addr;
			bool worth;

			mmap_read_lock(kh->mm, t);
			addr = next_range(kh->mm, kh->cursor);
			if (!addr) {
				mmap_read_unlock(kh->mm, t);
				kh->cursor = 0;
				if (wrapped)
					break;	/* no range at all */
				wrapped = true;
				continue;
			}
			worth = scan_pmd(kh, t, addr, &swapped);
			mmap_read_unlock(kh->mm, t);
			kh->cursor = addr + HPAGE_PMD_NR;
			scanned += HPAGE_PMD_NR;
			if (worth)
				collapse(kh, t, addr, swapped);
		}
	}
}

struct khugepaged *khugepaged_start(struct sim_engine *eng, struct sim_cpus *cpus,
				    struct mm_struct *mm, const struct khugepaged_params *p,
				    const struct fs_khugepaged_policy *ops)
{
	struct khugepaged *kh;
	struct sim_stats *st = sim_engine_stats(eng);
	g_autofree char *name = NULL;

	/* The policy is the caller's: one without collapse_huge_page is a
	 * programming error. */
	g_assert(ops && ops->collapse_huge_page);
	kh = g_new0(struct khugepaged, 1);
	name = g_strdup_printf("khugepaged[%s]", mm->name);

	kh->eng = eng;
	kh->mm = mm;
	if (p)
		kh->p = *p;
	else
		khugepaged_params_init(&kh->p);
	kh->ops = ops;
	kh->collapsed = g_hash_table_new(g_direct_hash, g_direct_equal);
	kh->collapses = sim_stats_counter(st, "khugepaged", "collapses");
	kh->aborts = sim_stats_counter(st, "khugepaged", "collapseAborts");
	kh->failed = sim_stats_counter(st, "khugepaged", "collapseFailed");
	kh->swapins = sim_stats_counter(st, "khugepaged", "swapins");
	kh->scans = sim_stats_counter(st, "khugepaged", "scans");
	kh->skip_swap = sim_stats_counter(st, "khugepaged", "scanSkipSwap");
	kh->skip_young = sim_stats_counter(st, "khugepaged", "scanSkipYoung");
	kh->collapse_time = sim_stats_hist(st, "khugepaged", "collapseTime");
	kh->write_hold = sim_stats_hist(st, "khugepaged", "writeHold");
	kh->task = sim_task_spawn(eng, name, khugepaged_thread, kh);
	sim_task_set_daemon(kh->task, true);
	if (cpus)
		sim_cpus_attach(cpus, kh->task);
	return kh;
}

void khugepaged_free(struct khugepaged *kh)
{
	if (!kh)
		return;
	g_hash_table_destroy(kh->collapsed);
	g_free(kh);
}

struct sim_task *khugepaged_task(const struct khugepaged *kh)
{
	return kh->task;
}
