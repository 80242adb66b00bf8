/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged (see khugepaged.h): the scanning thread and the helpers the
 * khugepaged policies build collapse_huge_page() from.
 *
 * Lock ordering: mmap_sem (read or write, as the policy takes it), then
 * the page lock of a page being swapped in (trylock only: a page locked
 * for its read is waited for with mmap_sem released, or not at all), then
 * pmd_lock().  The scan holds mmap_sem for read only while it reads a
 * range's ptes; collapse_huge_page() is called without it.  A pte pointer
 * is never kept across a block.
 */
#include "config.h"

#include <errno.h>

#include "sim/kernel/cacheline.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/vma-lock.h"
#include "sim/kernel/pagelock.h"
#include "sim/core/stats.h"
#include "sim/core/trace.h"
#include "sim/core/waitqueue.h"

struct khugepaged {
	struct sim_engine *eng;
	struct sim_trace *trace;	/* sim/core/trace.h; NULL: not tracing */
	struct mm_struct *mm;
	struct khugepaged_params p;
	const struct fs_khugepaged_policy *ops;
	struct sim_task *task;
	uint64_t cursor;		/* next address to scan */
	GHashTable *collapsed;		/* range index -> present: collapsed */
	uint64_t *collapses, *failed, *failed_swapin, *swapins, *swapin_retry, *swapin_drops;
	uint64_t *scans, *skip_swap, *skip_young;
	struct sim_hist *collapse_time, *write_hold;
	struct pmd_seq_table *pmd_seq;	/* mm->pmd_seq, ours (pmd-seq) */
	gsl_rng *rng;			/* "khugepaged.costs": p.dist[] draws */
};

/* A cost of enum khugepaged_cost: its constant, or a draw. */
static sim_time_t kh_cost(const struct khugepaged *kh, enum khugepaged_cost which,
			  sim_time_t constant)
{
	return sim_dist_cost(kh->p.dist[which], kh->rng, constant);
}

/* ------------------------------------------------------------------ */
/* The pmd sequence counts (pmd-seq) */

/* One pmd: its count (odd while a collapse replaces it) and the faults
 * waiting for that collapse. */
struct pmd_seq_entry {
	unsigned int seq;
	bool populated;			/* __pte_alloc() done once */
	struct sim_waitqueue wq;
};

struct pmd_seq_table {
	struct sim_engine *eng;
	sim_time_t atomic;		/* khugepaged.pmd_seq_cost */
	GHashTable *pmds;		/* pmd index + 1 -> struct pmd_seq_entry */
	GHashTable *lines;		/* pmd table index + 1 -> struct sim_cacheline */
	uint64_t *pmd_locks, *retries, *waits;
	struct sim_hist *wait_time;
};

#define PMD_TABLE_PAGES		((uint64_t)HPAGE_PMD_NR * PTRS_PER_PMD)

static struct pmd_seq_table *pmd_seq_table_new(struct sim_engine *eng, sim_time_t atomic)
{
	struct pmd_seq_table *ps = g_new0(struct pmd_seq_table, 1);
	struct sim_stats *st = sim_engine_stats(eng);

	ps->eng = eng;
	ps->atomic = atomic;
	ps->pmds = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	ps->lines = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	ps->pmd_locks = sim_stats_counter_unit(st, "khugepaged", "pmdLocks", "locks",
					       "pmd_lock() calls, each an atomic on the pmd count");
	ps->retries = sim_stats_counter_unit(st, "khugepaged", "pmdSeqRetries", "faults",
					     "faults that found the pmd count changed at the pte "
					     "lock and backed out");
	ps->waits = sim_stats_counter_unit(st, "khugepaged", "pmdSeqWaits", "faults",
					   "faults that met a collapse in progress and waited");
	ps->wait_time = sim_stats_hist_unit(st, "khugepaged", "pmdSeqWaitTime", "ns",
					    "time a fault waited for a collapse in progress");
	return ps;
}

static void pmd_seq_table_free(struct pmd_seq_table *ps)
{
	if (!ps)
		return;
	g_hash_table_destroy(ps->pmds);
	g_hash_table_destroy(ps->lines);
	g_free(ps);
}

static struct pmd_seq_entry *pmd_seq_entry(struct pmd_seq_table *ps, uint64_t addr, bool create)
{
	gpointer key = GSIZE_TO_POINTER(addr / HPAGE_PMD_NR + 1);
	struct pmd_seq_entry *e = g_hash_table_lookup(ps->pmds, key);

	if (!e && create) {
		e = g_new0(struct pmd_seq_entry, 1);
		sim_waitqueue_init(&e->wq);
		g_hash_table_insert(ps->pmds, key, e);
	}
	return e;
}

/* pmd_lock() as the pmd-seq kernel has it: the spinlock and the count's
 * atomic on the line of the pmd table's lock word.  It is held for
 * nanoseconds (a pmd update), so it is a cost, not a lock. */
static void pmd_lock_atomic(struct sim_task *t, struct mm_struct *mm, uint64_t addr)
{
	struct pmd_seq_table *ps = mm->pmd_seq;
	gpointer key = GSIZE_TO_POINTER(addr / PMD_TABLE_PAGES + 1);
	struct sim_cacheline *line = g_hash_table_lookup(ps->lines, key);

	if (!line) {
		line = g_new0(struct sim_cacheline, 1);
		g_hash_table_insert(ps->lines, key, line);
	}
	(*ps->pmd_locks)++;
	cacheline_access(line, mm->line_cost, t);
	cpu_work(t, ps->atomic);
}

bool pmd_seq_collapsing(struct mm_struct *mm, uint64_t addr)
{
	struct pmd_seq_entry *e;

	return mm->pmd_seq && (e = pmd_seq_entry(mm->pmd_seq, addr, false)) && (e->seq & 1);
}

void pmd_seq_wait(struct sim_task *t, struct mm_struct *mm, uint64_t addr)
{
	struct pmd_seq_table *ps = mm->pmd_seq;
	struct pmd_seq_entry *e;
	sim_time_t start;

	if (!ps || !(e = pmd_seq_entry(ps, addr, false)) || !(e->seq & 1))
		return;
	start = sim_now(ps->eng);
	(*ps->waits)++;
	sim_wait_event(&e->wq, t, !(e->seq & 1));
	sim_hist_record(ps->wait_time, (uint64_t)(sim_now(ps->eng) - start));
}

unsigned int pmd_seq_read(struct mm_struct *mm, uint64_t addr)
{
	struct pmd_seq_entry *e;

	if (!mm->pmd_seq || !(e = pmd_seq_entry(mm->pmd_seq, addr, false)))
		return 0;
	return e->seq;
}

bool pmd_seq_retry(struct mm_struct *mm, uint64_t addr, unsigned int seq)
{
	struct pmd_seq_entry *e;

	if (!mm->pmd_seq || !(e = pmd_seq_entry(mm->pmd_seq, addr, false)) || e->seq == seq)
		return false;
	(*mm->pmd_seq->retries)++;
	return true;
}

void pmd_seq_pte_alloc(struct sim_task *t, struct mm_struct *mm, uint64_t addr)
{
	struct pmd_seq_entry *e;

	if (!mm->pmd_seq)
		return;
	e = pmd_seq_entry(mm->pmd_seq, addr, true);
	if (e->populated)
		return;
	e->populated = true;
	pmd_lock_atomic(t, mm, addr);
}

void khugepaged_params_init(struct khugepaged_params *p)
{
	*p = (struct khugepaged_params){
		.scan_sleep = 100 * 1000 * 1000, .pages_to_scan = 4096, .max_ptes_swap = 64,
		.max_ptes_none = HPAGE_PMD_NR - 1, .min_young = HPAGE_PMD_NR / 2,
		.scan_pte = 5, .alloc_huge = 2000, .copy_page = 250, .swapin = 300,
		.pmd_seq_cost = 20,
	};
}

void khugepaged_params_clear(struct khugepaged_params *p)
{
	for (unsigned int i = 0; i < KHUGEPAGED_NR_COSTS; i++) {
		sim_dist_free(p->dist[i]);
		p->dist[i] = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* Helpers for the policies */

bool khugepaged_revalidate(struct khugepaged_collapse *cc)
{
	struct vm_area_struct *vma = vma_lookup(cc->mm, cc->address);

	return vma && vma_is_anonymous(vma) && vma->vm_end >= cc->address + HPAGE_PMD_NR;
}

bool khugepaged_swapin(struct khugepaged_collapse *cc, unsigned int fault_flags)
{
	struct khugepaged *kh = cc->kh;

	g_assert(fault_flags & FAULT_FLAG_ALLOW_RETRY);
	for (uint64_t a = cc->address; a < cc->address + HPAGE_PMD_NR; a++) {
		struct vm_area_struct *vma;
		struct page *page;
		int err;

		if (!mm_swap_entry_at(cc->mm, a, NULL))
			continue;
		/* do_swap_page() */
		vma = vma_lookup(cc->mm, a);
		cpu_work(cc->t, kh_cost(kh, KHUGEPAGED_COST_SWAPIN, kh->p.swapin));
		page = swapin_page(cc->t, cc->mm, vma, a, NULL, &err);
		if (!page) {
			if (err == -EAGAIN)
				continue;	/* someone else faulted it in */
			return false;		/* VM_FAULT_OOM */
		}
		if (!trylock_page(page)) {
			/* lock_page_or_retry() fails: VM_FAULT_RETRY, the pte
			 * stays a swap entry. */
			cc->swapin_retries++;
			(*kh->swapin_retry)++;
			if (fault_flags & FAULT_FLAG_RETRY_NOWAIT) {
				/* mmap_sem still held; the read goes on. */
				put_page(page);
				continue;
			}
			/* Released for the wait, taken again for read after
			 * it, and the VMA revalidated (4.8 - 5.19). */
			mmap_read_unlock(cc->mm, cc->t);
			(*kh->swapin_drops)++;
			wait_on_page_locked(cc->t, page);
			put_page(page);
			mmap_read_lock(cc->mm, cc->t);
			if (!khugepaged_revalidate(cc))
				return false;
			continue;
		}
		if (!PageUptodate(page)) {
			unlock_page(page);
			put_page(page);
			return false;		/* VM_FAULT_SIGBUS */
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

void khugepaged_pmd_seq_begin(struct khugepaged_collapse *cc)
{
	struct pmd_seq_entry *e;

	g_assert(cc->mm->pmd_seq);
	e = pmd_seq_entry(cc->mm->pmd_seq, cc->address, true);
	pmd_lock_atomic(cc->t, cc->mm, cc->address);
	g_assert(!(e->seq & 1));
	e->seq++;			/* odd: the pmd is being replaced */
}

void khugepaged_pmd_seq_end(struct khugepaged_collapse *cc)
{
	struct pmd_seq_entry *e = pmd_seq_entry(cc->mm->pmd_seq, cc->address, false);

	g_assert(e && (e->seq & 1));
	pmd_lock_atomic(cc->t, cc->mm, cc->address);
	e->seq++;			/* even: the huge pmd is set */
	sim_wake_up_all(&e->wq);
}

void khugepaged_alloc(struct khugepaged_collapse *cc)
{
	cpu_work(cc->t, kh_cost(cc->kh, KHUGEPAGED_COST_ALLOC_HUGE, cc->kh->p.alloc_huge));
}

void khugepaged_copy(struct khugepaged_collapse *cc)
{
	cpu_work(cc->t, kh_cost(cc->kh, KHUGEPAGED_COST_COPY_PAGE, cc->kh->p.copy_page) *
		 HPAGE_PMD_NR);
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

	cpu_work(t, kh_cost(kh, KHUGEPAGED_COST_SCAN_PTE, kh->p.scan_pte) * HPAGE_PMD_NR);
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
	/* On the task's stack: a run that ends while khugepaged sleeps inside
	 * a collapse discards the task without running it, and must find no
	 * heap memory owned by it. */
	struct khugepaged_collapse cc = {
		.kh = kh,
		.t = t,
		.mm = kh->mm,
		.address = addr,
		.swapped = swapped,
	};
	sim_time_t start = sim_now(kh->eng);

	bool ok = kh->ops->collapse_huge_page(&cc);

	if (ok) {
		(*kh->collapses)++;
	} else {
		(*kh->failed)++;
		if (cc.swapin_retries)
			(*kh->failed_swapin)++;
	}
	sim_hist_record(kh->collapse_time, (uint64_t)(sim_now(kh->eng) - start));
	if (G_UNLIKELY(kh->trace)) {
		const struct sim_trace_arg args[] = {
			{ .key = "address", .value = (int64_t)addr },
			{ .key = "swapped", .value = swapped },
			{ .key = "result", .str = ok ? "collapsed" : "failed" },
		};

		sim_trace_task_slice(kh->trace, t, "khugepaged", "collapse_huge_page", start,
				     sim_now(kh->eng), args, G_N_ELEMENTS(args));
	}
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
	kh->trace = sim_engine_trace(eng);
	kh->mm = mm;
	if (p)
		kh->p = *p;
	else
		khugepaged_params_init(&kh->p);
	for (unsigned int i = 0; i < KHUGEPAGED_NR_COSTS; i++)
		if (kh->p.dist[i])
			kh->rng = sim_rng(eng, "khugepaged.costs");
	kh->ops = ops;
	kh->collapsed = g_hash_table_new(g_direct_hash, g_direct_equal);
#define COUNTER(name, unit, what) sim_stats_counter_unit(st, "khugepaged", name, unit, what)
	kh->collapses = COUNTER("collapses", "collapses", "ranges collapsed into a huge page");
	kh->failed = COUNTER("collapseFailed", "collapses",
			     "collapses that failed: revalidation, a swap-in error, a swap pte "
			     "at isolation");
	kh->failed_swapin = COUNTER("collapseFailedSwapin", "collapses",
				    "failed collapses in which a swap-in returned VM_FAULT_RETRY");
	kh->swapins = COUNTER("swapins", "pages", "pages swapped in for a collapse");
	kh->swapin_retry = COUNTER("swapinRetry", "faults",
				   "khugepaged's do_swap_page() calls that returned VM_FAULT_RETRY");
	kh->swapin_drops = COUNTER("swapinDrops", "drops",
				   "mmap_sem released by khugepaged to wait for a swap read");
	kh->scans = COUNTER("scans", "ranges", "PMD ranges scanned");
	kh->skip_swap = COUNTER("scanSkipSwap", "ranges",
				"ranges skipped: more swapped ptes than max_ptes_swap");
	kh->skip_young = COUNTER("scanSkipYoung", "ranges", "ranges skipped: no young pte");
#undef COUNTER
	kh->collapse_time = sim_stats_hist_unit(st, "khugepaged", "collapseTime", "ns",
						"one collapse, from the decision to the end");
	kh->write_hold = sim_stats_hist_unit(st, "khugepaged", "writeHold", "ns",
					     "mmap_sem held for write per collapse");
	if (ops->pmd_lock_atomics) {
		g_assert(!mm->pmd_seq);
		kh->pmd_seq = pmd_seq_table_new(eng, kh->p.pmd_seq_cost * ops->pmd_lock_atomics);
		mm->pmd_seq = kh->pmd_seq;
	}
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
	/* The mm outlives its khugepaged (it is freed after). */
	if (kh->pmd_seq)
		kh->mm->pmd_seq = NULL;
	pmd_seq_table_free(kh->pmd_seq);
	g_free(kh);
}

struct sim_task *khugepaged_task(const struct khugepaged *kh)
{
	return kh->task;
}
