/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page-fault path (see fault.h): the x86 handler's retry loop,
 * handle_mm_fault() and the anonymous, swap and file fault handlers, with
 * the helpers the io and map_pages policies build filemap_fault() and
 * filemap_map_pages() from.
 *
 * Rules: a handler runs with mmap_sem held for read and either returns
 * with it held, or returns VM_FAULT_RETRY having released it
 * (vmf->dropped); once released, vmf->vma must not be used (a writer may
 * have changed or freed it): only the pinned mapping and readahead copy.
 * Every step that takes time is a cpu_work() of a fault.* cost or a block
 * on a model (mmap_sem, the page lock, reclaim, the disk).
 */
#include "config.h"

#include <errno.h>

#include "sim/kernel/cpu.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/readahead.h"
#include "sim/core/stats.h"
#include "sim/core/trace.h"
#include "sim/kernel/vma-lock.h"

/* A fault that keeps finding its pte gone gives up after this many
 * attempts at the access (the kernel would loop forever). */
#define FAULT_TOUCH_MAX		100000

/* ------------------------------------------------------------------ */
/* Parameters */

void fault_params_init(struct fault_params *p)
{
	*p = (struct fault_params){
		.entry = 150, .vma_lookup = 50, .alloc = 40, .zero = 700, .copy = 500,
		.pte_install = 80, .filemap = 150, .map_page = 40, .swapin = 300,
		.touch = 5, .page_mkwrite = 300,
	};
}

void fault_params_clear(struct fault_params *p)
{
	for (unsigned int i = 0; i < FAULT_NR_COSTS; i++) {
		sim_dist_free(p->dist[i]);
		p->dist[i] = NULL;
	}
	sim_dist_free(p->page_mkwrite_dist);
	p->page_mkwrite_dist = NULL;
}

static void fault_stats_init(struct fault_stats *s, struct sim_engine *eng)
{
	struct sim_stats *st = sim_engine_stats(eng);

#define COUNTER(name, unit, what) sim_stats_counter_unit(st, "fault", name, unit, what)
#define HIST(name, unit, what) sim_stats_hist_unit(st, "fault", name, unit, what)
	s->faults = COUNTER("faults", "faults",
			    "page faults taken (do_user_addr_fault() calls, all attempts in one)");
	s->majfault = COUNTER("majfault", "faults",
			      "major faults: an attempt returned VM_FAULT_MAJOR (I/O started), "
			      "or (5.9+ accounting) the fault was retried");
	s->minfault = COUNTER("minfault", "faults", "minor faults: the others");
	s->retry = COUNTER("retry", "retries", "VM_FAULT_RETRY returns (attempts retried)");
	s->mmap_drop = COUNTER("mmapSemDrop", "drops",
			       "attempts that released mmap_sem (or the VMA lock) to wait");
	s->lock_page_drop = COUNTER("lockPageOrRetryDrop", "drops",
				    "drops of mmap_sem to wait for a locked page");
	s->io_drop = COUNTER("ioDrop", "drops", "drops of mmap_sem before readahead or readpage");
	s->fa_mapped = COUNTER("faultAroundMapped", "ptes", "ptes installed by fault-around");
	s->fa_fallback = COUNTER("faultAroundFallback", "faults",
				 "faults whose page was cached but not mapped by fault-around");
	s->sigsegv = COUNTER("sigsegv", "faults", "faults on no VMA or a forbidden access");
	s->oom = COUNTER("oom", "faults", "faults that returned VM_FAULT_OOM");
	s->vma_lock_success = COUNTER("vmaLockSuccess", "faults",
				      "faults done under the per-VMA lock without a retry");
	s->vma_lock_retry = COUNTER("vmaLockRetry", "faults",
				    "faults under the per-VMA lock that returned VM_FAULT_RETRY");
	s->vma_lock_abort = COUNTER("vmaLockAbort", "faults",
				    "per-VMA lock not taken (no VMA, write-locked, or refused)");
	s->vma_lock_fallback = COUNTER("vmaLockFallback", "faults",
				       "faults that went on to mmap_sem after trying the VMA lock");
	s->vma_lock_not_covered = COUNTER("vmaLockNotCovered", "faults",
					  "faults that took mmap_sem because this kernel does not "
					  "handle their VMA or kind under the VMA lock");
	s->spf_success = COUNTER("spfSuccess", "faults", "faults done speculatively");
	s->spf_abort = COUNTER("spfAbort", "faults", "speculative attempts abandoned");
	s->spf_fallback = COUNTER("spfFallback", "faults",
				  "faults that went on to a lock after a speculative try");
	s->wp_reuse = COUNTER("wpReuse", "faults",
			      "write-protect faults that made the pte writable (wp_page_reuse)");
	s->wp_copy = COUNTER("wpCopy", "faults",
			     "write-protect faults that copied a private page (wp_page_copy)");
	s->wp_shared = COUNTER("wpShared", "faults",
			       "write-protect faults on shared file pages (wp_page_shared)");
	s->page_mkwrite = COUNTER("pageMkwrite", "calls", "->page_mkwrite calls");
	s->dirty_drop = COUNTER("dirtyThrottleDrop", "drops",
				"drops of mmap_sem before balance_dirty_pages()");
	s->spf_latency = HIST("spfLatency", "ns", "latency of faults finished speculatively");
	s->vma_latency = HIST("vmaLockLatency", "ns",
			      "latency of faults finished under the per-VMA lock");
	s->mmap_latency = HIST("mmapLockLatency", "ns",
			       "latency of faults finished under mmap_sem");
	s->latency = HIST("latency", "ns",
			  "latency of every fault, minor and major, entry to return");
	s->minor_latency = HIST("minorLatency", "ns", "latency of minor faults");
	s->major_latency = HIST("majorLatency", "ns", "latency of major faults");
	s->retries = HIST("retries", "retries", "VM_FAULT_RETRY returns per fault");
	s->drops = HIST("drops", "drops", "mmap_sem drops per fault");
	s->attempts = HIST("attempts", "attempts", "handle_mm_fault() calls per fault");
#undef COUNTER
#undef HIST
#define RATE(name, unit, what) sim_stats_scalar_unit(st, "fault", name, unit, what)
	s->faults_per_s = RATE("faultsPerSec", "faults/s",
			       "page faults per simulated second since the warm-up");
	s->minfault_per_s = RATE("minfaultPerSec", "faults/s",
				 "minor faults per simulated second since the warm-up");
	s->majfault_per_s = RATE("majfaultPerSec", "faults/s",
				 "major faults per simulated second since the warm-up");
#undef RATE
}

void fault_stats_finish(struct fault_sys *fs, sim_time_t since)
{
	struct fault_stats *s = &fs->st;
	double secs = (double)(sim_now(fs->eng) - since) / 1e9;

	*s->faults_per_s = secs > 0 ? (double)*s->faults / secs : 0;
	*s->minfault_per_s = secs > 0 ? (double)*s->minfault / secs : 0;
	*s->majfault_per_s = secs > 0 ? (double)*s->majfault / secs : 0;
}

void fault_sys_init(struct fault_sys *fs, struct sim_engine *eng, const struct fault_params *p,
		    const struct fs_fault_retry_policy *retry,
		    const struct fs_fault_io_policy *io,
		    const struct fs_fault_map_pages_policy *map_pages,
		    const struct fs_fault_lock_policy *fault_lock)
{
	/* The tables are the caller's (the model's choice, or a test's):
	 * one without its required ops is a programming error. */
	g_assert(retry && retry->retry_flags && retry->may_drop);
	g_assert(io && io->fault);
	g_assert(map_pages && fault_lock);
	fs->eng = eng;
	fs->trace = sim_engine_trace(eng);
	if (p)
		fs->p = *p;
	else
		fault_params_init(&fs->p);
	fs->retry = retry;
	fs->io = io;
	fs->map_pages = map_pages;
	fs->fault_lock = fault_lock;
	fs->rng = NULL;
	for (unsigned int i = 0; i < FAULT_NR_COSTS; i++)
		if (fs->p.dist[i])
			fs->rng = sim_rng(eng, "fault.costs");
	if (fs->p.page_mkwrite_dist)
		fs->rng = sim_rng(eng, "fault.costs");
	fs->wb = NULL;
	fs->dirty_throttle = NULL;
	fault_stats_init(&fs->st, eng);
}

void fault_sys_set_writeback(struct fault_sys *fs, struct bdi_writeback *wb,
			     const struct fs_dirty_throttle_policy *dirty_throttle)
{
	g_assert(wb && dirty_throttle && dirty_throttle->throttle);
	fs->wb = wb;
	fs->dirty_throttle = dirty_throttle;
}

/* ------------------------------------------------------------------ */
/* Dropping mmap_sem, the page lock */

void fault_drop_mmap(struct vm_fault *vmf)
{
	struct fault_sys *fs = vmf->fs;
	struct vm_area_struct *vma = vmf->vma;

	g_assert(!vmf->dropped);
	/* Pin the file: its mapping stays, its readahead state is copied. */
	if (vmf->ra) {
		vmf->ra_pinned = *vmf->ra;
		vmf->ra = &vmf->ra_pinned;
	}
	vmf->vma = NULL;
	vmf->dropped = true;
	vmf->drops++;
	(*fs->st.mmap_drop)++;
	/* release_fault_lock() */
	if (vmf->vma_locked)
		vma_end_read(vmf->t, vma);
	else
		mmap_read_unlock(vmf->mm, vmf->t);
}

/* The retry policy: may this attempt release mmap_sem to wait? */
static bool fault_may_drop(const struct vm_fault *vmf)
{
	const struct fs_fault_retry_state st = {
		.flags = vmf->flags,
		.attempt = vmf->attempt,
		.drops = vmf->fault_drops + vmf->drops,
	};

	return vmf->fs->retry->may_drop(&st);
}

static bool maybe_unlock_mmap(struct vm_fault *vmf, uint64_t *counter)
{
	if (vmf->dropped)
		return true;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return false;
	if (!fault_may_drop(vmf))
		return false;
	fault_drop_mmap(vmf);
	(*counter)++;
	return true;
}

bool maybe_unlock_mmap_for_io(struct vm_fault *vmf)
{
	return maybe_unlock_mmap(vmf, vmf->dirtying ? vmf->fs->st.dirty_drop :
				 vmf->fs->st.io_drop);
}

void fault_balance_dirty_pages(struct vm_fault *vmf)
{
	struct fault_sys *fs = vmf->fs;

	if (fs->wb)
		balance_dirty_pages_ratelimited(fs->wb, vmf->t, vmf->nr_dirtied);
	vmf->nr_dirtied = 0;
}

bool maybe_unlock_mmap_for_lock(struct vm_fault *vmf)
{
	return maybe_unlock_mmap(vmf, vmf->fs->st.lock_page_drop);
}

bool lock_page_or_retry(struct vm_fault *vmf, struct page *page)
{
	if (trylock_page(page))
		return true;
	if (fault_may_drop(vmf)) {
		if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
			return false;
		fault_drop_mmap(vmf);
		(*vmf->fs->st.lock_page_drop)++;
		wait_on_page_locked(vmf->t, page);
		return false;
	}
	lock_page(vmf->t, page);
	return true;
}

/* ------------------------------------------------------------------ */
/* Readahead for faults (do_sync_mmap_readahead, do_async_mmap_readahead) */

bool fault_sync_readahead_wanted(struct vm_fault *vmf)
{
	struct file_ra_state *ra = vmf->ra;

	if (!ra || vmf->rand_read || !ra->ra_pages)
		return false;
	if (vmf->seq_read)
		return true;
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	return ra->mmap_miss <= MMAP_LOTSAMISS;
}

void fault_sync_readahead(struct vm_fault *vmf)
{
	struct file_ra_state *ra = vmf->ra;

	if (vmf->seq_read) {
		page_cache_sync_readahead(vmf->t, vmf->mapping, ra, vmf->pgoff, ra->ra_pages);
		return;
	}
	/* mmap read-around */
	ra->start = vmf->pgoff > ra->ra_pages / 2 ? vmf->pgoff - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	page_cache_ra_order(vmf->t, vmf->mapping, ra, 0);
}

bool fault_async_readahead_wanted(struct vm_fault *vmf, struct page *page)
{
	struct file_ra_state *ra = vmf->ra;

	if (!ra || vmf->rand_read)
		return false;
	if (ra->mmap_miss > 0)
		ra->mmap_miss--;
	return PageReadahead(page) && ra->ra_pages;
}

void fault_async_readahead(struct vm_fault *vmf, struct page *page)
{
	page_cache_async_readahead(vmf->t, vmf->mapping, vmf->ra, page, vmf->pgoff,
				   vmf->ra->ra_pages);
}

int fault_page_cache_read(struct vm_fault *vmf)
{
	struct page *page;
	int err = add_to_page_cache_lru(vmf->t, vmf->mapping, vmf->pgoff, PC_GFP_KERNEL, &page);

	if (err == -EBUSY) {
		/* A truncated page still held occupies the slot: let it go. */
		sim_sleep(vmf->t, 1000);
		return -EEXIST;
	}
	if (err)
		return err;
	pc_readpage(vmf->t, page);
	put_page(page);
	return 0;
}

void fault_around_hit(struct vm_fault *vmf)
{
	if (vmf->ra && vmf->ra->mmap_miss > 0)
		vmf->ra->mmap_miss--;
}

bool fault_around_set_pte(struct vm_fault *vmf, uint64_t addr, struct page *page)
{
	cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_MAP_PAGE));
	return mm_map_page(vmf->mm, vmf->vma, addr, page) == 0;
}

/* ------------------------------------------------------------------ */
/* The handlers */

/*
 * Under the VMA lock, a fault of a kind this kernel version handles only
 * under mmap_sem (the fault_lock policy's vma_lock_covers): the handler
 * gives up before doing anything and returns VM_FAULT_RETRY, the VMA lock
 * still held (6.4's do_swap_page(); 6.6's do_read_fault() after
 * fault-around, do_cow_fault() and do_shared_fault(), which release it
 * themselves: the same here, vma_lock_fault() releases it at once).
 */
static bool vma_lock_not_covered(struct vm_fault *vmf, unsigned int kind)
{
	const struct fs_fault_lock_policy *fl = vmf->fs->fault_lock;
	unsigned int covers = fl->version >= 3 ? fl->vma_lock_covers : VMA_LOCK_COVERS_ALL;

	if (!vmf->vma_locked || (covers & kind))
		return false;
	(*vmf->fs->st.vma_lock_not_covered)++;
	return true;
}

/* Install vmf->page (locked, uptodate) for the fault, after @before ns
 * of work on it that changes nothing anyone sees (zeroing or copying the
 * new page): one step. */
static vm_fault_t finish_fault(struct vm_fault *vmf, sim_time_t before)
{
	cpu_work(vmf->t, before + fault_cost(vmf->fs, FAULT_COST_PTE_INSTALL));
	/* Under the pte lock.  pmd-seq: a collapse replaced the pmd since the
	 * pte was read: back out, the access faults again. */
	if (pmd_seq_retry(vmf->mm, vmf->address, vmf->pmd_seq))
		return 0;
	/* -EEXIST: someone mapped it meanwhile (pte_same() failed). */
	mm_map_page(vmf->mm, vmf->vma, vmf->address, vmf->page);
	return 0;
}

static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct fault_sys *fs = vmf->fs;
	struct page *page;
	sim_time_t alloc;
	int err;

	if (vma_lock_not_covered(vmf, VMA_LOCK_ANON))
		return VM_FAULT_RETRY;
	/* The shared lines of the allocation, charge and install (zone,
	 * memcg, PTL, RSS, LRU: sim/kernel/mm-lines.h). */
	mm_anon_fault_lines(vmf->t, vmf->mm, vmf->address);
	/* alloc_anon_folio() (6.x; alloc_zeroed_user_highpage_movable()
	 * before): the page is taken, then allocated, zeroed and installed
	 * in one step. */
	page = mm_alloc_anon_page(vmf->t, vmf->mm, vmf->vma, vmf->address, &err);
	if (!page) {
		cpu_work(vmf->t, fault_cost(fs, FAULT_COST_ALLOC));
		return err == -ENOMEM ? VM_FAULT_OOM : 0;	/* raced: fault again */
	}
	vmf->page = page;
	/* The draws in their order: allocation, then zeroing. */
	alloc = fault_cost(fs, FAULT_COST_ALLOC);
	finish_fault(vmf, alloc + fault_cost(fs, FAULT_COST_ZERO));
	unlock_page(page);
	put_page(page);
	return 0;
}

static vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	vm_fault_t ret = 0;
	struct page *page;
	bool major;
	int err;

	if (vma_lock_not_covered(vmf, VMA_LOCK_SWAP))
		return VM_FAULT_RETRY;
	cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_SWAPIN));
	page = swapin_page(vmf->t, vmf->mm, vmf->vma, vmf->address, &major, &err);
	if (!page)
		return err == -ENOMEM ? VM_FAULT_OOM : 0;
	if (major)
		ret = VM_FAULT_MAJOR;
	if (!lock_page_or_retry(vmf, page)) {
		put_page(page);
		return ret | VM_FAULT_RETRY;
	}
	if (!PageUptodate(page)) {
		unlock_page(page);
		put_page(page);
		return ret | VM_FAULT_SIGBUS;
	}
	cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_PTE_INSTALL));
	/* pmd-seq: as finish_fault(); the page stays in the swap cache.  A
	 * write fault maps it writable (the mm's own page: reused). */
	if (!pmd_seq_retry(vmf->mm, vmf->address, vmf->pmd_seq) &&
	    !mm_map_swap_page(vmf->mm, vmf->vma, vmf->address, page) &&	/* -EAGAIN: raced */
	    (vmf->flags & FAULT_FLAG_WRITE))
		mm_pte_mkwrite(vmf->mm, vmf->vma, vmf->address, page);
	unlock_page(page);
	put_page(page);
	return ret;
}

/*
 * 6.18's filemap_map_folio_range() (357b92761d94, with 74207de2ba10's
 * i_size check): a large folio that the window [@start, @end) reaches is
 * mapped whole if it lies in the VMA, in one page table (the same PMD)
 * and within the file.  The folios inside the window are mapped whole
 * anyway; those at its two ends widen it.  Addresses in pages.
 */
static void fault_around_folios(struct vm_fault *vmf, uint64_t *start, uint64_t *end)
{
	struct vm_area_struct *vma = vmf->vma;
	pgoff_t size = pc_mapping_size(vmf->mapping);
	uint64_t ends[2] = { *start, *end - 1 };

	for (int i = 0; i < 2; i++) {
		pgoff_t pgoff = linear_page_index(vma, ends[i]);
		struct page *page = pc_page_at(vmf->mapping, pgoff);
		uint64_t first, last;

		if (!page || !folio_order(page))
			continue;
		first = ends[i] - (pgoff - folio_index(page));
		last = first + folio_nr_pages(page) - 1;
		/* Within the file as 6.18 compares it: the index of the
		 * file's last page >= the folio's next index, so a folio
		 * that ends where the file ends is not mapped whole (a
		 * 32 MiB file of 1 MiB folios: 31 faults of 256 pages, then
		 * 16 of the window's 16, as measured on 6.18). */
		if (first < vma->vm_start || last >= vma->vm_end ||
		    first / PTRS_PER_PTE != last / PTRS_PER_PTE ||
		    folio_index(page) + folio_nr_pages(page) > size - 1)
			continue;
		*start = MIN(*start, first);
		*end = MAX(*end, last + 1);
	}
}

/* The fault-around window: fault_around_pages aligned, clamped to the
 * VMA, the pte table and the file; with fault.around_folio, widened to
 * the whole large folios at its ends. */
static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t n = vma->fault_around_pages;
	uint64_t addr = vmf->address;
	uint64_t start = addr & ~(n - 1), end = start + n;
	uint64_t tbl = addr & ~(uint64_t)(PTRS_PER_PTE - 1);
	pgoff_t size = pc_mapping_size(vmf->mapping);
	unsigned long mapped;

	if (vma_lock_not_covered(vmf, VMA_LOCK_FAULT_AROUND))
		return VM_FAULT_RETRY;
	if (start < vma->vm_start)
		start = vma->vm_start;
	if (start < tbl)
		start = tbl;
	if (end > vma->vm_end)
		end = vma->vm_end;
	if (end > tbl + PTRS_PER_PTE)
		end = tbl + PTRS_PER_PTE;
	if (linear_page_index(vma, end - 1) >= size)
		end = vma->vm_start + (size - vma->vm_pgoff);
	if (end <= start)
		return 0;
	if (vmf->fs->p.around_folio)
		fault_around_folios(vmf, &start, &end);
	/* filemap_map_pages()' fixed part: rcu_read_lock(), the first
	 * next_uptodate_folio() of the xarray walk, the pte lock. */
	if (vmf->fs->p.fault_around)
		cpu_work(vmf->t, vmf->fs->p.fault_around);
	mapped = vmf->fs->map_pages->map_pages(vmf, linear_page_index(vma, start),
					       linear_page_index(vma, end - 1));
	*vmf->fs->st.fa_mapped += mapped;
	if (mm_pte_present(vmf->mm, addr))
		return VM_FAULT_NOPAGE;
	if (pc_page_cached(vmf->mapping, vmf->pgoff))
		(*vmf->fs->st.fa_fallback)++;
	return 0;
}

static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;

	if (vma_lock_not_covered(vmf, VMA_LOCK_FILE_FAULT))
		return VM_FAULT_RETRY;
	ret = vmf->fs->io->fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	g_assert((ret & VM_FAULT_LOCKED) && vmf->page && PageLocked(vmf->page));
	g_assert(!vmf->dropped);
	return ret;
}

/*
 * 6.18's finish_fault() (19773df031bc, with 74207de2ba10's i_size test):
 * a read fault's large folio is mapped whole, not only its faulting page,
 * when the folio lies in the VMA and in one page table and ends within
 * the file (here the test is against the file's page count: a folio that
 * ends at EOF qualifies).  The kernel maps the folio, uptodate as one;
 * the model's pages are read one by one, so only the folio's pages that
 * are uptodate and unlocked are mapped, fault.map_page each.  Called with
 * the faulting page mapped and locked.
 */
static void finish_fault_folio(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct page *page = vmf->page;
	pgoff_t first = folio_index(page), n = folio_nr_pages(page);
	uint64_t addr0 = vmf->address - (page_index(page) - first);
	unsigned long mapped = 0;

	if (n == 1 || addr0 < vma->vm_start || addr0 + n > vma->vm_end ||
	    addr0 / PTRS_PER_PTE != (addr0 + n - 1) / PTRS_PER_PTE ||
	    pc_mapping_size(vmf->mapping) < first + n)
		return;
	for (pgoff_t i = 0; i < n; i++) {
		struct page *p = pc_page_at(vmf->mapping, first + i);

		if (p == page || !p || folio_nr_pages(p) != n || PageLocked(p) ||
		    !PageUptodate(p) || !pte_none(mm_pte(vmf->mm, addr0 + i)))
			continue;
		cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_MAP_PAGE));
		if (mm_map_page(vmf->mm, vma, addr0 + i, p) == 0)
			mapped++;
	}
	*vmf->fs->st.fa_mapped += mapped;
}

static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;

	if (vmf->fs->map_pages->map_pages && vmf->vma->fault_around_pages > 1) {
		ret = do_fault_around(vmf);
		if (ret)
			return ret;
	}
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	ret |= finish_fault(vmf, 0);
	if (vmf->fs->p.around_folio && mm_pte_page(vmf->mm, vmf->address) == vmf->page)
		finish_fault_folio(vmf);
	unlock_page(vmf->page);
	put_page(vmf->page);
	return ret;
}

/* A write to a private file mapping: copy the file page into an
 * anonymous one. */
static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct fault_sys *fs = vmf->fs;
	struct page *file_page, *page;
	vm_fault_t ret;
	int err;

	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	file_page = vmf->page;
	mm_anon_fault_lines(vmf->t, vmf->mm, vmf->address);
	/* The new page is taken, then allocated, copied and installed in
	 * one step. */
	page = mm_alloc_anon_page(vmf->t, vmf->mm, vmf->vma, vmf->address, &err);
	if (page) {
		sim_time_t alloc = fault_cost(fs, FAULT_COST_ALLOC);

		vmf->page = page;
		finish_fault(vmf, alloc + fault_cost(fs, FAULT_COST_COPY));
		unlock_page(page);
		put_page(page);
	} else {
		cpu_work(vmf->t, fault_cost(fs, FAULT_COST_ALLOC));
		if (err == -ENOMEM)
			ret |= VM_FAULT_OOM;
	}
	unlock_page(file_page);
	put_page(file_page);
	return ret;
}

/* set_page_dirty() counted for the dirtier (current->nr_dirtied). */
static bool fault_set_page_dirty(struct vm_fault *vmf, struct page *page)
{
	if (!set_page_dirty(page))
		return false;
	vmf->nr_dirtied++;
	return true;
}

/*
 * ->page_mkwrite: filemap_page_mkwrite() (mm/filemap.c).  Returns
 * VM_FAULT_LOCKED with @page locked and dirty, or VM_FAULT_NOPAGE if it
 * was truncated meanwhile (unlocked).
 */
static vm_fault_t do_page_mkwrite(struct vm_fault *vmf, struct page *page)
{
	struct fault_sys *fs = vmf->fs;

	(*fs->st.page_mkwrite)++;
	/* sb_start_pagefault, file_update_time */
	cpu_work(vmf->t, fs->p.page_mkwrite_dist ?
		 sim_dist_cost(fs->p.page_mkwrite_dist, fs->rng, 0) : fs->p.page_mkwrite);
	lock_page(vmf->t, page);
	if (page_mapping(page) != vmf->mapping) {
		unlock_page(page);
		return VM_FAULT_NOPAGE;
	}
	fault_set_page_dirty(vmf, page);
	/* wait_for_stable_page() */
	if (fs->wb)
		wb_wait_for_stable_page(fs->wb, vmf->t, page);
	return VM_FAULT_LOCKED;
}

/*
 * fault_dirty_shared_page(): @page is locked and mapped writable; dirty
 * it (page_mkwrite did), unlock it, and throttle the dirtier as the
 * dirty_throttle policy does.  Returns 0 or VM_FAULT_RETRY (mmap_sem
 * released).
 */
static vm_fault_t fault_dirty_shared_page(struct vm_fault *vmf, struct page *page)
{
	vm_fault_t ret = 0;

	fault_set_page_dirty(vmf, page);
	unlock_page(page);
	/* Every file VMA has page_mkwrite: throttle even when the page was
	 * dirty already. */
	if (vmf->fs->dirty_throttle) {
		vmf->dirtying = true;
		ret = vmf->fs->dirty_throttle->throttle(vmf);
		vmf->dirtying = false;
	}
	g_assert(!(ret & VM_FAULT_RETRY) || vmf->dropped);
	return ret;
}

static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = __do_fault(vmf), tmp;
	struct page *page;

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	page = vmf->page;
	/* page_mkwrite takes the page lock itself. */
	unlock_page(page);
	tmp = do_page_mkwrite(vmf, page);
	if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		put_page(page);
		return tmp;
	}
	ret |= finish_fault(vmf, 0);
	/* finish_fault() maps it read-only: a shared write fault's pte is
	 * writable and dirty (maybe_mkwrite(pte_mkdirty())).  Raced: the
	 * access faults again. */
	mm_pte_mkwrite(vmf->mm, vmf->vma, vmf->address, page);
	ret |= fault_dirty_shared_page(vmf, page);
	put_page(page);
	return ret;
}

/* wp_page_reuse(): the pte becomes writable, dirty and young. */
static vm_fault_t wp_page_reuse(struct vm_fault *vmf, struct page *page)
{
	cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_PTE_INSTALL));
	if (pmd_seq_retry(vmf->mm, vmf->address, vmf->pmd_seq))
		return 0;
	mm_pte_mkwrite(vmf->mm, vmf->vma, vmf->address, page);
	return 0;
}

/* wp_page_shared(): page_mkwrite, then finish_mkwrite_fault() (the pte
 * re-checked under its lock), then fault_dirty_shared_page(). */
static vm_fault_t wp_page_shared(struct vm_fault *vmf, struct page *page)
{
	vm_fault_t ret, tmp;

	if (vma_lock_not_covered(vmf, VMA_LOCK_FILE_FAULT))
		return VM_FAULT_RETRY;
	(*vmf->fs->st.wp_shared)++;
	get_page(page);
	tmp = do_page_mkwrite(vmf, page);
	if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		put_page(page);
		return tmp;
	}
	/* finish_mkwrite_fault(): the pte may have changed while we slept
	 * for the page lock (reclaimed, zapped): VM_FAULT_NOPAGE. */
	cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_PTE_INSTALL));
	if (pmd_seq_retry(vmf->mm, vmf->address, vmf->pmd_seq) ||
	    !mm_pte_mkwrite(vmf->mm, vmf->vma, vmf->address, page)) {
		unlock_page(page);
		put_page(page);
		return VM_FAULT_NOPAGE;
	}
	ret = fault_dirty_shared_page(vmf, page);
	put_page(page);
	return ret;
}

/* wp_page_copy() of a private file page: a new anonymous page, the copy,
 * and the pte switched to it under its lock. */
static vm_fault_t wp_page_copy(struct vm_fault *vmf, struct page *old_page)
{
	struct page *new_page;
	int err;

	(*vmf->fs->st.wp_copy)++;
	get_page(old_page);
	cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_ALLOC));
	new_page = mm_alloc_cow_page(vmf->t, vmf->mm, vmf->vma, vmf->address, &err);
	if (!new_page) {
		put_page(old_page);
		return err == -ENOMEM ? VM_FAULT_OOM : 0;
	}
	/* cow_user_page(), the ptl */
	cpu_work(vmf->t, fault_cost(vmf->fs, FAULT_COST_COPY) +
		 fault_cost(vmf->fs, FAULT_COST_PTE_INSTALL));
	if (pmd_seq_retry(vmf->mm, vmf->address, vmf->pmd_seq) ||
	    !mm_cow_replace(vmf->mm, vmf->vma, vmf->address, old_page, new_page)) {
		mm_cow_abort(vmf->mm, new_page);	/* pte_same() failed */
	} else {
		unlock_page(new_page);
		put_page(new_page);
	}
	put_page(old_page);
	return 0;
}

/*
 * do_wp_page(): a write through a present, read-only pte.  The mm's own
 * anonymous page is reused (fork and KSM are not modelled, so it is
 * always exclusive: reuse_swap_page() in 4.19-5.7, the page_count() test
 * of 5.8+ and PageAnonExclusive of 5.19+ all say reuse); a shared file
 * page goes to wp_page_shared(); a private file page is copied.
 */
static vm_fault_t do_wp_page(struct vm_fault *vmf, pte_t pte)
{
	struct page *page = pte_page(pte);

	if (page_mapping(page) == vmf->mm->anon) {
		if (vma_lock_not_covered(vmf, VMA_LOCK_ANON))
			return VM_FAULT_RETRY;
		(*vmf->fs->st.wp_reuse)++;
		return wp_page_reuse(vmf, page);
	}
	if ((vmf->vma->vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
		return wp_page_shared(vmf, page);
	if (vma_lock_not_covered(vmf, VMA_LOCK_ANON))
		return VM_FAULT_RETRY;
	return wp_page_copy(vmf, page);
}

static vm_fault_t do_fault(struct vm_fault *vmf)
{
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vmf->vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

vm_fault_t handle_mm_fault(struct vm_fault *vmf)
{
	pte_t pte;

	/* pmd-seq (khugepaged): a collapse is replacing the pmd.  The
	 * kernel's fault would back out and fault again until the huge pmd
	 * is set, releasing mmap_sem between tries; here one such try:
	 * release it, sleep until the collapse ends, take it again and
	 * return 0 (the access faults again).  Under the VMA lock the wait
	 * keeps it (only that VMA's writers could wait for it). */
	if (pmd_seq_collapsing(vmf->mm, vmf->address)) {
		if (!vmf->vma_locked)
			mmap_read_unlock(vmf->mm, vmf->t);
		pmd_seq_wait(vmf->t, vmf->mm, vmf->address);
		if (!vmf->vma_locked)
			mmap_read_lock(vmf->mm, vmf->t);
		return 0;
	}
	/* pmd-seq: the pmd's count as the pte is read. */
	vmf->pmd_seq = pmd_seq_read(vmf->mm, vmf->address);
	pte = mm_pte(vmf->mm, vmf->address);
	if (pte_none(pte)) {
		/* __pte_alloc(): pmd_lock() for a pmd's first pte table. */
		pmd_seq_pte_alloc(vmf->t, vmf->mm, vmf->address);
		if (vma_is_anonymous(vmf->vma))
			return do_anonymous_page(vmf);
		return do_fault(vmf);
	}
	if (is_swap_pte(pte))
		return do_swap_page(vmf);
	/* Present and read-only, for a write: copy-on-write, reuse or
	 * page_mkwrite. */
	if ((vmf->flags & FAULT_FLAG_WRITE) && !pte_write(pte))
		return do_wp_page(vmf, pte);
	/* Present: spurious (someone else faulted it in), or only the
	 * accessed bit to set. */
	if (vma_lock_not_covered(vmf, vma_is_anonymous(vmf->vma) ? VMA_LOCK_ANON :
				 VMA_LOCK_FAULT_AROUND))
		return VM_FAULT_RETRY;
	mm_touch(vmf->mm, vmf->address, vmf->flags & FAULT_FLAG_WRITE);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The arch handler */

static bool access_error(unsigned int flags, const struct vm_area_struct *vma)
{
	if (flags & FAULT_FLAG_WRITE)
		return !(vma->vm_flags & VM_WRITE);
	return !(vma->vm_flags & (VM_READ | VM_EXEC | VM_WRITE));
}

/*
 * The per-VMA lock attempt (6.4+: the x86 handler before
 * mmap_read_lock()).  False if lock_vma() found no VMA it could lock, or
 * the access is not allowed: go on with mmap_sem.  Else one attempt ran on
 * the read-locked VMA, its result in *@fault, its state in *@vmf; the VMA
 * lock is released either way.
 */
static bool vma_lock_fault(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
			   uint64_t addr, unsigned int flags, struct vm_fault *vmf,
			   vm_fault_t *fault)
{
	struct vm_area_struct *vma;

	cpu_work(t, fault_cost(fs, FAULT_COST_VMA_LOOKUP));		/* the lookup under RCU */
	vma = fs->fault_lock->lock_vma(fs, t, mm, addr);
	if (vma && access_error(flags, vma)) {
		vma_end_read(t, vma);
		vma = NULL;
	}
	if (!vma) {
		(*fs->st.vma_lock_fallback)++;
		return false;
	}
	*vmf = (struct vm_fault){
		.fs = fs, .t = t, .mm = mm, .vma = vma, .mapping = vma->vm_file,
		.ra = vma->vm_file ? &vma->vm_ra : NULL, .flags = flags, .address = addr,
		.pgoff = linear_page_index(vma, addr),
		.seq_read = vma->vm_flags & VM_SEQ_READ,
		.rand_read = vma->vm_flags & VM_RAND_READ,
		.vma_locked = true,
		.attempt = 1,
	};
	*fault = handle_mm_fault(vmf);
	if (!(*fault & VM_FAULT_RETRY)) {
		g_assert(!vmf->dropped);
		vma_end_read(t, vma);
		(*fs->st.vma_lock_success)++;
		return true;
	}
	/* The handler released the VMA lock to wait, or gave up at once
	 * on a fault this kernel does not handle under it (release it). */
	if (!vmf->dropped) {
		vmf->vma = NULL;
		vma_end_read(t, vma);
	}
	(*fs->st.retry)++;
	(*fs->st.vma_lock_retry)++;
	(*fs->st.vma_lock_fallback)++;
	return true;
}

/* Whether the mmap_sem attempt after a major VMA-lock RETRY is TRIED. */
static bool fault_lock_major_retry_tried(const struct fs_fault_lock_policy *fl)
{
	return fl->version < 3 || fl->major_retry_tried;
}

/* The fault as a slice of the task's trace: what the latency histograms
 * record, with its kind, the path that finished it, its retries and
 * drops. */
static void fault_trace(struct fault_sys *fs, struct sim_task *t, sim_time_t start,
			const struct sim_hist *path, bool major, unsigned int retries,
			unsigned int drops)
{
	const struct sim_trace_arg args[] = {
		{ .key = "kind", .str = major ? "major" : "minor" },
		{ .key = "path", .str = path == fs->st.spf_latency ? "speculative" :
				       path == fs->st.vma_latency ? "vma_lock" : "mmap_sem" },
		{ .key = "retries", .value = retries },
		{ .key = "drops", .value = drops },
	};

	sim_trace_task_slice(fs->trace, t, "fault", major ? "major fault" : "minor fault",
			     start, sim_now(fs->eng), args, G_N_ELEMENTS(args));
}

/* do_user_addr_fault(), after @owed ns the task still owes for its last
 * access (paid with the entry cost, in one step; not fault latency). */
static int user_addr_fault(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
			   uint64_t addr, bool write, bool *major_out, sim_time_t owed)
{
	unsigned int flags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER;
	sim_time_t start = sim_now(fs->eng) + owed;
	struct file_ra_state pinned;
	struct address_space *pinned_file = NULL;
	unsigned int retries = 0, drops = 0, attempts = 0;
	vm_fault_t fault;
	sim_time_t prefetched;
	bool major = false;
	int ret = 0;
	/* The path that finished the fault, for the latency split. */
	struct sim_hist *path = fs->st.mmap_latency;

	if (write)
		flags |= FAULT_FLAG_WRITE;
	/* exc_page_fault() (x86, every version read): prefetchw() of
	 * current->mm->mmap_lock before anything else, whatever path the
	 * fault then takes; the entry code runs while the line comes, and
	 * the fault waits for it at its first access to the line (the
	 * mmap_sem trylock, or a field read on that line by the VMA-lock
	 * path: docs/kernel.md, section 12). */
	prefetched = cacheline_prefetchw(&mm->mmap_sem_line, mm->line_cost, t, owed);
	cpu_work(t, owed + fault_cost(fs, FAULT_COST_ENTRY));
	cacheline_wait(mm->line_cost, t, prefetched);
	/* fault_lock: speculative first, then the VMA lock, then mmap_sem. */
	if (fs->fault_lock->version >= 2 && fs->fault_lock->speculative_fault &&
	    fs->fault_lock->speculative_fault(fs, t, mm, addr, flags)) {
		attempts++;
		path = fs->st.spf_latency;
		goto out;
	}
	if (fs->fault_lock->lock_vma) {
		struct vm_fault lvmf;

		if (vma_lock_fault(fs, t, mm, addr, flags, &lvmf, &fault)) {
			attempts++;
			drops += lvmf.drops;
			if (fault & VM_FAULT_MAJOR)
				major = true;
			if (!(fault & VM_FAULT_RETRY)) {
				path = fs->st.vma_latency;
				goto done;
			}
			retries++;
			if (lvmf.mapping && lvmf.ra == &lvmf.ra_pinned) {
				pinned = lvmf.ra_pinned;
				pinned_file = lvmf.mapping;
			}
			/* 46e714c729c8 (6.8): a major VMA-lock attempt makes
			 * the mmap_sem attempt TRIED.  Before it, that attempt
			 * is a first one too, and may drop again. */
			if (major && fault_lock_major_retry_tried(fs->fault_lock))
				flags |= FAULT_FLAG_TRIED;
		}
	}
retry:
	mmap_read_lock(mm, t);
	cpu_work(t, fault_cost(fs, FAULT_COST_VMA_LOOKUP));
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (!vma || vma->vm_start > addr || access_error(flags, vma)) {
		mmap_read_unlock(mm, t);
		(*fs->st.sigsegv)++;
		ret = -EFAULT;
		goto out;
	}
	/* The pinned file's readahead state goes back to its VMA. */
	if (pinned_file && vma->vm_file == pinned_file)
		vma->vm_ra = pinned;
	pinned_file = NULL;

	struct vm_fault vmf = {
		.fs = fs, .t = t, .mm = mm, .vma = vma, .mapping = vma->vm_file,
		.ra = vma->vm_file ? &vma->vm_ra : NULL, .flags = flags, .address = addr,
		.pgoff = linear_page_index(vma, addr),
		.seq_read = vma->vm_flags & VM_SEQ_READ,
		.rand_read = vma->vm_flags & VM_RAND_READ,
		.attempt = attempts + 1,
		.fault_drops = drops,
	};

	fault = handle_mm_fault(&vmf);
	attempts++;
	drops += vmf.drops;
	if (fault & VM_FAULT_MAJOR)
		major = true;
	if (fault & VM_FAULT_RETRY) {
		/* mmap_sem was released by the handler. */
		g_assert(vmf.dropped);
		retries++;
		(*fs->st.retry)++;
		if (vmf.mapping && vmf.ra == &vmf.ra_pinned) {
			pinned = vmf.ra_pinned;
			pinned_file = vmf.mapping;
		}
		g_assert(flags & FAULT_FLAG_ALLOW_RETRY);
		flags = fs->retry->retry_flags(&(const struct fs_fault_retry_state){
			.flags = flags, .attempt = attempts, .drops = drops,
		});
		goto retry;
	}
	g_assert(!vmf.dropped);
	mmap_read_unlock(mm, t);
done:
	/* mm_account_fault() (5.9+): the final attempt decides, and a retried
	 * fault (TRIED) is major.  Before, major if any attempt was. */
	if (fs->retry->version >= 3 && fs->retry->mm_account_fault)
		major = (fault & VM_FAULT_MAJOR) || (flags & FAULT_FLAG_TRIED);
	if (fault & VM_FAULT_OOM) {
		(*fs->st.oom)++;
		ret = -ENOMEM;
	} else if (fault & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) {
		ret = -EIO;
	}
out:
	(*fs->st.faults)++;
	sim_hist_record(fs->st.latency, (uint64_t)(sim_now(fs->eng) - start));
	if (major) {
		(*fs->st.majfault)++;
		sim_hist_record(fs->st.major_latency, (uint64_t)(sim_now(fs->eng) - start));
	} else {
		(*fs->st.minfault)++;
		sim_hist_record(fs->st.minor_latency, (uint64_t)(sim_now(fs->eng) - start));
	}
	sim_hist_record(path, (uint64_t)(sim_now(fs->eng) - start));
	sim_hist_record(fs->st.retries, retries);
	sim_hist_record(fs->st.drops, drops);
	sim_hist_record(fs->st.attempts, attempts);
	if (G_UNLIKELY(fs->trace))
		fault_trace(fs, t, start, path, major, retries, drops);
	if (major_out)
		*major_out = major;
	return ret;
}

int do_user_addr_fault(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
		       uint64_t addr, bool write, bool *major_out)
{
	return user_addr_fault(fs, t, mm, addr, write, major_out, 0);
}

int fault_touch_owed(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
		     uint64_t addr, bool write, bool *faulted, bool *major, sim_time_t *owed)
{
	bool any = false, maj = false;

	for (unsigned int n = 0; n < FAULT_TOUCH_MAX; n++) {
		bool m = false;
		int ret;

		if (mm_touch(mm, addr, write)) {
			/* The access is made; its cost is paid with the
			 * task's next step, after what it owed so far. */
			if (*owed > 0)
				cpu_work(t, *owed);
			*owed = fault_cost(fs, FAULT_COST_TOUCH);
			if (faulted)
				*faulted = any;
			if (major)
				*major = maj;
			return 0;
		}
		any = true;
		ret = user_addr_fault(fs, t, mm, addr, write, &m, *owed);
		*owed = 0;
		maj |= m;
		if (ret) {
			if (faulted)
				*faulted = true;
			if (major)
				*major = maj;
			return ret;
		}
	}
	return -EAGAIN;
}

int fault_touch(struct fault_sys *fs, struct sim_task *t, struct mm_struct *mm,
		uint64_t addr, bool write, bool *faulted, bool *major)
{
	sim_time_t owed = 0;
	int ret = fault_touch_owed(fs, t, mm, addr, write, faulted, major, &owed);

	if (owed > 0)
		cpu_work(t, owed);
	return ret;
}
