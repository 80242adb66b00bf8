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
 *	       file or both), with file_advice's madvise() flags
 *	       (random: VM_RAND_READ, no read-around);
 *	anon   anon_size bytes of private anonymous memory (mapping = anon
 *	       or both; swapped out under pressure when memory.swap > 0);
 *	       with vma_per_thread (mapping = anon), one VMA per thread of
 *	       anon_size / threads bytes each, a hole between two, and each
 *	       thread touches only its own (pft's layout);
 *	jit    one anonymous page; with writer_op = mprotect and mmap_writers,
 *	       writer_pages pages, which the writers mprotect: written at
 *	       set-up (a JIT's code, present), never touched by the threads.
 * Each process runs:
 *	threads        touching pages: a page of [file, anon) chosen by
 *	               pattern (sequential per thread if unset), written with
 *	               write_fraction; work before each touch, think after; a
 *	               present pte costs fault.touch, else do_user_addr_fault
 *	mmap_writers   every writer_interval (0: without sleeping):
 *	               mmap_write_lock(), writer_op, writer_hold of CPU,
 *	               mmap_write_unlock(); writer_op is remap (munmap + mmap
 *	               of writer_pages of the file mapping), mprotect (toggle
 *	               PROT_WRITE on the jit page), mprotect-range /
 *	               munmap-range / mremap (writer_pages of a faulting VMA:
 *	               split and merged, or zapped and mapped again), mmap-own
 *	               (a VMA of its own, mapped and unmapped in turn), or
 *	               dontneed (MADV_DONTNEED: under mmap_sem for read, the
 *	               range's ptes zapped at zap_page each)
 *	proc_readers   every proc_interval: a read of /proc/PID/maps or smaps
 *	               (proc_file) to its end, one seq_file buffer fill
 *	               (proc_buffer) per mmap_read_lock() hold, proc_cost per
 *	               VMA and for smaps proc_pte per pte walked; proc_lock =
 *	               per-vma: each VMA under its own lock (6.17's maps)
 * and the group has lockers threads that lock pages of the file chosen
 * by pattern for hold each (a truncation- or write(2)-like locker), with
 * locker_think between.  The threads run on the group's cpus (pin =
 * spread: each on one of them, workload-kind.h group_spawn()), the mmap
 * writers on writer_cpus and the /proc readers on proc_cpus if set.
 *
 * The mms' lock words are cache lines (sim/kernel/cacheline.h) that cost
 * machine.cacheline_transfer to move between CPUs (the machine's cache-line
 * cost).  With workload.NAME.khugepaged, each process has a khugepaged
 * (sim/kernel/khugepaged.h) running the khugepaged policy; a policy whose
 * pmd locks pay an atomic (pmd-seq) gives the mm pmd sequence counts, which
 * the fault path checks at its pte locks (khugepaged_start()).
 *
 * Measurements (module = group name): "ops" (touches), "latency" (touch,
 * ns), "readOps", "writeOps", "throughput" (touches per simulated second),
 * "faults" (touches that faulted), "errors" (touches that failed),
 * histograms "writerWait" and "procWait" (ns from asking for mmap_sem to
 * holding it), counters "writerOps", "procReads", "procFills" (lock
 * holds of the readers), "zapped" (dontneed), "lockerOps"; the fault
 * path's own under module "fault" (sim/kernel/fault.h), whose rates
 * (faultsPerSec, minfaultPerSec, majfaultPerSec) the group sets at the
 * end.
 */
#include "config.h"

#include <errno.h>

#include "sim/core/rng.h"
#include "sim/core/stats.h"
#include "sim/kernel/cacheline.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/vma-lock.h"
#include "sim/model/kernel-params.h"
#include "sim/model/policy.h"
#include "sim/model/workload-kind.h"

static const char *const mapping_kinds[] = { "file", "anon", "both", NULL };
/* What an mmap writer does each time (workload.NAME.writer_op). */
enum writer_op_kind {
	WRITER_REMAP,
	WRITER_MPROTECT,
	WRITER_MPROTECT_RANGE,
	WRITER_MUNMAP_RANGE,
	WRITER_MREMAP,
	WRITER_MMAP_OWN,
	WRITER_DONTNEED,
	NR_WRITER_OPS
};
static const char *const writer_ops[NR_WRITER_OPS + 1] = {
	[WRITER_REMAP] = "remap",
	[WRITER_MPROTECT] = "mprotect",
	[WRITER_MPROTECT_RANGE] = "mprotect-range",
	[WRITER_MUNMAP_RANGE] = "munmap-range",
	[WRITER_MREMAP] = "mremap",
	[WRITER_MMAP_OWN] = "mmap-own",
	[WRITER_DONTNEED] = "dontneed",
};
static const char *const proc_files[] = { "maps", "smaps", NULL };
static const char *const proc_locks[] = { "mmap", "per-vma", NULL };

/* seq_file: the buffer a read(2) fills under one mmap_lock hold is a page
 * (seq_read_iter()); a /proc/PID/maps line is ~80 bytes, a smaps record
 * ~25 lines of ~30 bytes. */
#define PROC_MAPS_RECORD	80
#define PROC_SMAPS_RECORD	750
/* madvise() advice on the file mapping: the vm_flags it sets
 * (mm/madvise.c madvise_update_vma(): MADV_RANDOM sets VM_RAND_READ, which
 * filemap_fault()'s do_sync_mmap_readahead() takes as "no read-around"). */
static const char *const file_advices[] = { "normal", "random", "sequential", NULL };
static const unsigned long file_advice_flags[] = { 0, VM_RAND_READ, VM_SEQ_READ };

struct fault_proc {
	struct fault_group *fg;
	struct mm_struct *mm;
	uint64_t start, nr_pages;	/* touched range: file then anon */
	uint64_t file_start, file_pages;
	uint64_t jit;
	uint64_t own;			/* writer_op = mmap-own: its range */
	uint64_t jit_pages;		/* the jit VMA's pages */
	uint64_t wr_addr, wr_pages;	/* mprotect-range: the range made read-only */
};

struct fault_thread {
	struct fault_proc *proc;
	uint64_t cursor;
	uint64_t base, pages;		/* vma_per_thread: its own VMA; else 0 */
};

struct fault_group {
	struct group *g;
	struct group_file file;
	struct fault_sys fs;
	struct fault_proc *procs;
	uint64_t nr_procs;
	struct fault_thread *threads;
	bool vma_per_thread;
	uint64_t ops_per_thread;
	double write_fraction;
	struct sim_dist *work, *hold, *think;
	struct sim_dist *pattern;	/* NULL: sequential */
	struct sim_dist *writer_interval, *proc_interval, *locker_think;
	enum writer_op_kind writer_op;
	unsigned long file_flags;	/* vm_flags of the file mapping */
	uint64_t writer_pages;
	struct sim_dist *writer_hold, *proc_cost;
	sim_time_t proc_pte, zap_page;
	bool proc_smaps, proc_per_vma;
	uint64_t proc_buffer;
	uint64_t *proc_fills, *zapped;
	uint64_t *faults, *errors, *writer_ops, *proc_reads, *locker_ops;
	struct sim_hist *writer_wait, *proc_wait;
	struct khugepaged **khugepaged;	/* per process, if workload.NAME.khugepaged */
	struct khugepaged_params kp;	/* theirs (its distributions ours) */
};

static uint64_t next_addr(struct fault_thread *ft)
{
	struct fault_proc *p = ft->proc;
	struct fault_group *fg = p->fg;

	uint64_t base = ft->pages ? ft->base : p->start;
	uint64_t n = ft->pages ? ft->pages : p->nr_pages;

	if (!fg->pattern) {
		uint64_t a = ft->cursor;

		ft->cursor = ft->cursor + 1 < n ? ft->cursor + 1 : 0;
		return base + a;
	}
	return base + sim_dist_sample_index(fg->pattern, fg->g->rng);
}

static void fault_thread(struct sim_task *t, void *arg)
{
	struct fault_thread *ft = arg;
	struct fault_proc *p = ft->proc;
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	struct sim_engine *eng = g->w->eng;
	/* An access's own cost is paid with the thread's next step: the work
	 * before the next access, or that access (fault_touch_owed()). */
	sim_time_t owed = 0;

	for (uint64_t i = 0; !fg->ops_per_thread || i < fg->ops_per_thread; i++) {
		uint64_t addr = next_addr(ft);
		bool write = fg->write_fraction > 0 && sim_rng_uniform(g->rng) < fg->write_fraction;
		bool faulted = false;
		sim_time_t work = sim_dist_sample_ns(fg->work, g->rng);
		sim_time_t start;

		if (work > 0) {
			cpu_work(t, owed + work);
			owed = 0;
		}
		start = sim_now(eng) + owed;
		if (fault_touch_owed(&fg->fs, t, p->mm, addr, write, &faulted, NULL, &owed))
			(*fg->errors)++;
		sim_hist_record(g->latency, (uint64_t)(sim_now(eng) + owed - start));
		if (faulted)
			(*fg->faults)++;
		(*g->ops)++;
		(*(write ? g->write_ops : g->read_ops))++;
		sim_time_t think = sim_dist_sample_ns(fg->think, g->rng);

		if (think > 0) {
			cpu_work(t, owed);
			owed = 0;
			sim_sleep(t, think);
		}
	}
	cpu_work(t, owed);
}

/* A range of writer_pages at a random place of the touched pages (for a
 * VMA per thread: of one thread's VMA), for the writers that change part
 * of a faulting VMA. */
static uint64_t writer_range(struct fault_proc *p, uint64_t *n)
{
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	uint64_t base = p->start, len = p->nr_pages;

	if (fg->vma_per_thread && g->threads) {
		const struct fault_thread *ft =
			&fg->threads[(p - fg->procs) * g->threads +
				     sim_rng_uniform_int(g->rng, g->threads)];

		base = ft->base;
		len = ft->pages;
	}
	struct vm_area_struct *vma;
	uint64_t addr;

	*n = MIN(fg->writer_pages, len);
	addr = base + sim_rng_uniform_int(g->rng, len - *n + 1);
	/* within the one VMA there (a writer may have split it) */
	vma = vma_lookup(p->mm, addr);
	if (vma)
		*n = MIN(*n, vma->vm_end - addr);
	return addr;
}

/* What the range's pages are mapped as: the shared file, or anonymous. */
static bool writer_range_file(const struct fault_proc *p, uint64_t addr)
{
	return addr < p->file_start + p->file_pages;
}

/*
 * One operation of an mmap writer, mmap_sem held for write (the VMAs it
 * changes are write-locked by mm.c, waiting for their per-VMA readers:
 * vma_start_write()).  @state alternates the two halves of the toggling
 * operations.
 */
static void writer_op(struct sim_task *t, struct fault_proc *p, bool *state)
{
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	uint64_t addr, n;

	*state = !*state;
	switch (fg->writer_op) {
	case WRITER_MPROTECT:
		/* a JIT's pages, present, that the threads do not touch */
		do_mprotect(t, p->mm, p->jit, p->jit_pages, *state ? VM_READ : VM_READ | VM_WRITE,
			    NULL);
		break;
	case WRITER_REMAP:
		if (!p->file_pages)
			return;
		n = MIN(fg->writer_pages, p->file_pages);
		addr = p->file_start + sim_rng_uniform_int(g->rng, p->file_pages - n + 1);
		do_munmap(t, p->mm, addr, n, NULL);
		mmap_region(t, p->mm, addr, n, fg->file_flags, fg->file.mapping,
			    addr - p->file_start, NULL);
		break;
	case WRITER_MPROTECT_RANGE:
		/* read-only then writable again: the faulting VMA splits in
		 * three, then merges back (mprotect_fixup()) */
		if (*state) {
			p->wr_addr = writer_range(p, &p->wr_pages);
			do_mprotect(t, p->mm, p->wr_addr, p->wr_pages, VM_READ, NULL);
		} else if (p->wr_pages) {
			do_mprotect(t, p->mm, p->wr_addr, p->wr_pages, VM_READ | VM_WRITE, NULL);
		}
		break;
	case WRITER_MUNMAP_RANGE:
		/* a hole punched in the faulting VMA and mapped again: its
		 * pages zapped, faulted in again */
		addr = writer_range(p, &n);
		do_munmap(t, p->mm, addr, n, NULL);
		if (writer_range_file(p, addr))
			mmap_region(t, p->mm, addr, n, fg->file_flags,
				    fg->file.mapping, addr - p->file_start, NULL);
		else
			mmap_region(t, p->mm, addr, n, VM_READ | VM_WRITE, NULL, 0, NULL);
		break;
	case WRITER_MREMAP: {
		/* mremap() without MREMAP_MAYMOVE: the faulting VMA shrunk by
		 * writer_pages at its end, then grown back in place */
		struct vm_area_struct *vma;

		addr = writer_range(p, &n);
		vma = vma_lookup(p->mm, addr);
		if (!vma)
			return;
		n = MIN(n, vma_pages(vma) - 1);
		if (!n)
			return;
		addr = vma->vm_end - n;
		if (vma_is_anonymous(vma)) {
			do_munmap(t, p->mm, addr, n, NULL);
			mmap_region(t, p->mm, addr, n, VM_READ | VM_WRITE, NULL, 0, NULL);
		} else {
			pgoff_t pgoff = linear_page_index(vma, addr);
			struct address_space *file = vma->vm_file;

			do_munmap(t, p->mm, addr, n, NULL);
			mmap_region(t, p->mm, addr, n, fg->file_flags, file, pgoff,
				    NULL);
		}
		break;
	}
	case WRITER_MMAP_OWN:
		/* a VMA of the writer's own, mapped and unmapped in turn */
		if (*state)
			mmap_region(t, p->mm, p->own, fg->writer_pages, VM_READ | VM_WRITE, NULL, 0,
				    NULL);
		else
			do_munmap(t, p->mm, p->own, fg->writer_pages, NULL);
		break;
	case WRITER_DONTNEED:		/* writer_dontneed(), without mmap_sem for write */
	case NR_WRITER_OPS:
		g_assert_not_reached();
	}
}

/* MADV_DONTNEED of a range of a faulting VMA: madvise() takes mmap_sem
 * for read (madvise_need_mmap_write() is false for it) and zaps the
 * range's ptes (zap_page_range_single()), zap_page a pte removed; the
 * threads fault them in again. */
static void writer_dontneed(struct sim_task *t, struct fault_proc *p)
{
	struct fault_group *fg = p->fg;
	uint64_t addr, n;
	struct vm_area_struct *vma;
	unsigned long zapped = 0;

	mmap_read_lock(p->mm, t);
	addr = writer_range(p, &n);
	vma = vma_lookup(p->mm, addr);
	if (vma) {
		n = MIN(n, vma->vm_end - addr);
		zapped = zap_page_range(vma, addr, n);
		*fg->zapped += zapped;
	}
	cpu_work(t, fg->zap_page * (sim_time_t)zapped);
	/* zap_page_range_single()'s mmu_gather: the flush at its end. */
	if (zapped)
		flush_tlb_mm_range(t, p->mm, addr, addr + n, false);
	mmap_read_unlock(p->mm, t);
}

static void writer_thread(struct sim_task *t, void *arg)
{
	struct fault_proc *p = arg;
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	struct sim_engine *eng = g->w->eng;
	bool state = false;

	for (;;) {
		/* An interval of 0: the writer loops without sleeping. */
		sim_time_t gap = sim_dist_sample_ns(fg->writer_interval, g->rng);
		sim_time_t start;

		if (gap > 0)
			sim_sleep(t, gap);
		start = sim_now(eng);
		if (fg->writer_op == WRITER_DONTNEED) {
			writer_dontneed(t, p);
			cpu_work(t, sim_dist_sample_ns(fg->writer_hold, g->rng));
			sim_hist_record(fg->writer_wait, 0);
			(*fg->writer_ops)++;
			continue;
		}
		mmap_write_lock(p->mm, t);
		sim_hist_record(fg->writer_wait, (uint64_t)(sim_now(eng) - start));
		writer_op(t, p, &state);
		cpu_work(t, sim_dist_sample_ns(fg->writer_hold, g->rng));
		mmap_write_unlock(p->mm, t);
		(*fg->writer_ops)++;
	}
}

/* The records of one VMA: its line (proc_cost) and for smaps the walk of
 * its page table (smap_gather_stats(): proc_pte a pte). */
static sim_time_t proc_vma_cost(struct fault_group *fg, const struct vm_area_struct *vma)
{
	sim_time_t c = sim_dist_sample_ns(fg->proc_cost, fg->g->rng);

	if (fg->proc_smaps)
		c += fg->proc_pte * (sim_time_t)vma_pages(vma);
	return c;
}

/*
 * A /proc/PID/maps or smaps reader: cat reads the file to its end, each
 * read(2) one seq_file buffer fill (seq_read_iter()): m_start() takes
 * mmap_read_lock() and finds the VMA after the last one shown, records go
 * into the buffer until one overflows it (shown, its walk done, then
 * thrown away and shown again by the next fill: fs/seq_file.c
 * seq_read_iter(), seq_read() before 5.10 alike), m_stop() releases the
 * lock; the next fill takes it again (fs/proc/task_mmu.c, all versions
 * read).  With proc_lock = per-vma (maps under per-VMA locks, 6.17:
 * lock_next_vma()) each VMA is read-locked in turn instead, mmap_sem only
 * when that fails.
 */
static void proc_thread(struct sim_task *t, void *arg)
{
	struct fault_proc *p = arg;
	struct fault_group *fg = p->fg;
	struct group *g = fg->g;
	struct sim_engine *eng = g->w->eng;
	uint64_t rec = fg->proc_smaps ? PROC_SMAPS_RECORD : PROC_MAPS_RECORD;

	for (;;) {
		uint64_t addr = 0;
		bool more = true;

		sim_sleep(t, sim_dist_sample_ns(fg->proc_interval, g->rng));
		while (more) {
			sim_time_t start = sim_now(eng);
			uint64_t bytes = 0;

			if (!fg->proc_per_vma)
				mmap_read_lock(p->mm, t);
			sim_hist_record(fg->proc_wait, (uint64_t)(sim_now(eng) - start));
			(*fg->proc_fills)++;
			for (;;) {
				struct vm_area_struct *vma = find_vma(p->mm, addr);
				bool locked = false, keep;

				if (!vma) {
					more = false;
					break;
				}
				/* A record that overflows the buffer is shown all
				 * the same (its walk done), then thrown away; the
				 * next fill starts with it (seq_read_iter()). */
				keep = !bytes || bytes + rec <= fg->proc_buffer;
				if (fg->proc_per_vma && !(locked = vma_start_read(t, vma))) {
					/* write-locked: under mmap_sem */
					mmap_read_lock(p->mm, t);
					vma = find_vma(p->mm, addr);
					if (!vma) {
						mmap_read_unlock(p->mm, t);
						more = false;
						break;
					}
				}
				if (keep)
					addr = vma->vm_end;
				cpu_work(t, proc_vma_cost(fg, vma));
				if (locked)
					vma_end_read(t, vma);
				else if (fg->proc_per_vma)
					mmap_read_unlock(p->mm, t);
				if (!keep)
					break;
				bytes += rec;
			}
			if (!fg->proc_per_vma)
				mmap_read_unlock(p->mm, t);
		}
		(*fg->proc_reads)++;
	}
}

static void locker_thread(struct sim_task *t, void *arg)
{
	struct fault_group *fg = arg;
	struct group *g = fg->g;

	for (;;) {
		sim_sleep(t, sim_dist_sample_ns(fg->locker_think, g->rng));
		pgoff_t index = fg->pattern ? sim_dist_sample_index(fg->pattern, g->rng) :
			sim_rng_uniform_int(g->rng, fg->file.pages);
		if (index >= fg->file.pages)
			continue;
		struct page *page = find_get_page(fg->file.mapping, index);

		if (!page)
			continue;
		lock_page(t, page);
		cpu_work(t, sim_dist_sample_ns(fg->hold, g->rng));
		unlock_page(page);
		put_page(page);
		(*fg->locker_ops)++;
	}
}

/* vma_per_thread: pages of each thread's VMA (anon split evenly). */
static uint64_t fault_thread_pages(const struct fault_group *fg, uint64_t anon, uint64_t threads)
{
	return fg->vma_per_thread && threads ? anon / threads : 0;
}

static gboolean fault_proc_init(struct fault_group *fg, struct fault_proc *p, unsigned int i,
				const struct sim_run_config *cfg, GError **error)
{
	struct group *g = fg->g;
	struct sim_machine *m = g->w->machine;
	uint64_t threads = g->threads;
	g_autofree char *name = g_strdup_printf("%s[%u]", g->name, i);
	const char *map = mapping_kinds[group_enum(g, cfg, "mapping")];
	uint64_t anon = g_str_equal(map, "file") ? 0 :
		(group_size(g, cfg, "anon_size") + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t file = g_str_equal(map, "anon") ? 0 : fg->file.pages;
	uint64_t per = fault_thread_pages(fg, anon, threads);
	/* vma_per_thread: one VMA per thread, a hole after each */
	uint64_t span = per ? threads * (per + 1) : anon;

	p->fg = fg;
	/* mmap-own: the writer's VMA after the jit page and a hole */
	uint64_t own = fg->writer_op == WRITER_MMAP_OWN ? 1 + fg->writer_pages : 0;
	struct vm_area_struct *jit;

	/* thp_get_unmapped_area() (the get_unmapped_area of ext4, xfs and
	 * the other filesystems with large folios): a file mapping of a PMD
	 * or more starts at a PMD boundary; the model's layout otherwise
	 * starts at page 1. */
	uint64_t base = file >= PTRS_PER_PTE &&
		mapping_max_folio_size(fg->file.mapping) > PAGE_SIZE ? PTRS_PER_PTE : 1;

	/* mprotect writers: their JIT's pages (none without a writer) */
	bool jit_code = fg->writer_op == WRITER_MPROTECT && group_uint(g, cfg, "mmap_writers");

	p->jit_pages = jit_code ? fg->writer_pages : 1;
	p->mm = mm_new(m->mm_sys, name, sim_policy_rwsem(cfg),
		       base + file + span + 1 + p->jit_pages + own, error);
	if (!p->mm)
		return FALSE;
	p->mm->line_cost = m->line_cost;
	p->mm->tlb = m->tlb;
	p->mm->lines = m->lines;
	p->mm->has_vma_locks = fg->fs.fault_lock->lock_vma != NULL;
	p->start = base;
	p->nr_pages = file + anon;
	p->file_start = base;
	p->file_pages = file;
	if (file &&
	    !mmap_region(NULL, p->mm, base, file, fg->file_flags, fg->file.mapping, 0, error))
		return FALSE;
	for (uint64_t k = 0; per && k < threads; k++)
		if (!mmap_region(NULL, p->mm, base + k * (per + 1), per, VM_READ | VM_WRITE, NULL,
				 0, error))
			return FALSE;
	if (!per && anon &&
	    !mmap_region(NULL, p->mm, base + file, anon, VM_READ | VM_WRITE, NULL, 0, error))
		return FALSE;
	p->jit = base + file + span + 1;	/* a hole before it: never merged */
	p->own = p->jit + 2;
	jit = mmap_region(NULL, p->mm, p->jit, p->jit_pages, VM_READ | VM_WRITE, NULL, 0, error);
	if (!jit)
		return FALSE;
	/* The JIT wrote its code: the mprotect writers' pages are present
	 * (their mprotect() flushes them from the TLBs, sim/kernel/tlb.h). */
	for (uint64_t a = p->jit; jit_code && a < p->jit + p->jit_pages; a++) {
		struct page *page = mm_alloc_anon_page(NULL, p->mm, jit, a, NULL);

		if (!page)
			break;
		mm_map_page(p->mm, jit, a, page);
		unlock_page(page);
		put_page(page);
	}
	return TRUE;
}

/*
 * The group's fault path: the fault.* costs and the run's retry, io,
 * map_pages and fault_lock policies, and the machine's writeback with the
 * dirty_throttle policy for write faults on the shared file.  (A khugepaged policy's pmd_lock()
 * atomics are paid where pmd_lock() is taken, sim/kernel/khugepaged.h.)
 */
static void fault_group_fault_sys(struct fault_group *fg, const struct sim_run_config *cfg)
{
	struct fault_params p;

	fault_params_from_config(&p, cfg);
	fault_sys_init(&fg->fs, fg->g->w->eng, &p, sim_policy_fault_retry(cfg),
		       sim_policy_fault_io(cfg), sim_policy_fault_map_pages(cfg),
		       sim_policy_fault_lock(cfg));
	fault_sys_set_writeback(&fg->fs, fg->g->w->machine->wb, sim_policy_dirty_throttle(cfg));
}

static gboolean fault_group_start(struct group *g, const struct sim_run_config *cfg,
				  GError **error)
{
	struct sim_workloads *w = g->w;
	struct sim_stats *st = sim_engine_stats(w->eng);
	struct fault_group *fg = g_new0(struct fault_group, 1);
	g_autofree char *k_pattern = group_key(g->name, "pattern");
	g_autofree char *k_lockers = group_key(g->name, "lockers");
	g_autofree char *k_vpt = group_key(g->name, "vma_per_thread");
	const struct fs_khugepaged_policy *khugepaged = NULL;
	uint64_t threads = g->threads;
	uint64_t writers, readers, lockers, touched;
	g_autofree uint64_t *writer_cpus = group_cpulist(g, cfg, "writer_cpus", NULL);
	g_autofree uint64_t *proc_cpus = group_cpulist(g, cfg, "proc_cpus", NULL);
	const char *map;

	g->priv = fg;
	fg->g = g;
	if (group_bool(g, cfg, "khugepaged")) {
		khugepaged = sim_policy_khugepaged(cfg);
		khugepaged_params_from_config(&fg->kp, cfg);
	}
	fault_group_fault_sys(fg, cfg);
	fg->ops_per_thread = group_uint(g, cfg, "ops");
	fg->write_fraction = group_double(g, cfg, "write_fraction");
	fg->work = group_dist(g, cfg, "work");
	fg->hold = group_dist(g, cfg, "hold");
	fg->think = group_dist(g, cfg, "think");
	map = mapping_kinds[group_enum(g, cfg, "mapping")];
	if (!group_file_create(g, &fg->file, group_size(g, cfg, "file_size"), error) ||
	    !group_file_max_folio(g, cfg, &fg->file, error))
		return FALSE;
	if (group_size(g, cfg, "file_written") &&
	    filemap_prefill_written(fg->file.mapping, group_size(g, cfg, "file_written")) < 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "file_written: the group's file (%" G_GUINT64_FORMAT " pages) does not "
			    "fit in the page cache's free memory", fg->file.pages);
		return FALSE;
	}
	fg->errors = sim_stats_counter_unit(st, g->name, "errors", "touches",
					    "touches that failed (SIGSEGV, OOM, I/O error)");
	fg->faults = sim_stats_counter_unit(st, g->name, "faults", "touches",
					    "touches that faulted (once or more)");
	fg->writer_ops = sim_stats_counter_unit(st, g->name, "writerOps", "ops",
						"mmap writers' operations (remap or mprotect)");
	fg->proc_reads = sim_stats_counter_unit(st, g->name, "procReads", "reads",
						"/proc readers' reads of the whole file");
	fg->proc_fills = sim_stats_counter_unit(st, g->name, "procFills", "fills",
						"/proc readers' seq_file buffer fills (one lock hold each)");
	fg->zapped = sim_stats_counter_unit(st, g->name, "zapped", "ptes",
					    "ptes zapped by MADV_DONTNEED writers");
	fg->locker_ops = sim_stats_counter_unit(st, g->name, "lockerOps", "locks",
						"lockers' lock_page() holds");
	fg->writer_wait = sim_stats_hist_unit(st, g->name, "writerWait", "ns",
					      "mmap writer: from asking for mmap_sem for write "
					      "to holding it");
	fg->proc_wait = sim_stats_hist_unit(st, g->name, "procWait", "ns",
					    "/proc reader: from asking for mmap_sem for read "
					    "to holding it");
	fg->writer_interval = group_dist(g, cfg, "writer_interval");
	fg->proc_interval = group_dist(g, cfg, "proc_interval");
	fg->locker_think = group_dist(g, cfg, "locker_think");
	fg->writer_op = (enum writer_op_kind)group_enum(g, cfg, "writer_op");
	fg->file_flags = VM_READ | VM_WRITE | VM_SHARED |
			 file_advice_flags[group_enum(g, cfg, "file_advice")];
	fg->writer_pages = group_uint(g, cfg, "writer_pages");
	fg->writer_hold = group_dist(g, cfg, "writer_hold");
	fg->proc_cost = group_dist(g, cfg, "proc_cost");
	fg->proc_pte = group_time(g, cfg, "proc_pte");
	fg->zap_page = group_time(g, cfg, "zap_page");
	fg->proc_buffer = group_size(g, cfg, "proc_buffer");
	fg->proc_smaps = g_str_equal(proc_files[group_enum(g, cfg, "proc_file")], "smaps");
	fg->proc_per_vma = g_str_equal(proc_locks[group_enum(g, cfg, "proc_lock")], "per-vma") &&
			   fg->fs.fault_lock->lock_vma != NULL;
	writers = group_uint(g, cfg, "mmap_writers");
	if (writers && sim_dist_mean(fg->writer_interval) <= 0 &&
	    sim_dist_mean(fg->writer_hold) <= 0) {
		g_autofree char *k_hold = group_key(g->name, "writer_hold");

		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "%s: a writer that loops without sleeping (writer_interval 0) needs "
			    "a writer_hold above 0", k_hold);
		return FALSE;
	}
	readers = group_uint(g, cfg, "proc_readers");
	lockers = group_uint(g, cfg, "lockers");

	/* The pattern ranges over the touched pages of a process. */
	touched = (g_str_equal(map, "anon") ? 0 : fg->file.pages) +
		(g_str_equal(map, "file") ? 0 :
		 (group_size(g, cfg, "anon_size") + PAGE_SIZE - 1) / PAGE_SIZE);
	fg->vma_per_thread = group_bool(g, cfg, "vma_per_thread");
	if (fg->vma_per_thread) {
		touched = fault_thread_pages(fg, touched, threads);
		if (!g_str_equal(map, "anon") || (threads && !touched)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
				    "%s: needs mapping = anon and a page of anon_size per thread",
				    k_vpt);
			return FALSE;
		}
	}
	fg->pattern = group_dist(g, cfg, "pattern");
	if (fg->pattern && !sim_dist_set_range(fg->pattern, touched, error)) {
		g_prefix_error(error, "%s: ", k_pattern);
		return FALSE;
	}
	if (lockers && fg->pattern && touched != fg->file.pages) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "%s: lockers need mapping = file (their pattern ranges over the file)",
			    k_lockers);
		return FALSE;
	}

	fg->nr_procs = group_uint(g, cfg, "processes");
	fg->procs = g_new0(struct fault_proc, fg->nr_procs);
	fg->threads = g_new0(struct fault_thread, fg->nr_procs * threads);
	for (uint64_t i = 0; i < fg->nr_procs; i++) {
		struct fault_proc *p = &fg->procs[i];

		if (!fault_proc_init(fg, p, (unsigned int)i, cfg, error))
			return FALSE;
		for (uint64_t k = 0; k < threads; k++) {
			struct fault_thread *ft = &fg->threads[i * threads + k];
			g_autofree char *tname = g_strdup_printf("%s[%" G_GUINT64_FORMAT "]/%"
								 G_GUINT64_FORMAT, g->name, i, k);

			ft->proc = p;
			ft->pages = fault_thread_pages(fg, p->nr_pages, threads);
			ft->base = p->start + k * (ft->pages + 1);
			ft->cursor = ft->pages ? 0 : p->nr_pages * k / threads;
			sim_cpus_task_set_mm(group_spawn(g, tname, fault_thread, ft, false), p->mm);
		}
		for (uint64_t k = 0; k < writers; k++) {
			g_autofree char *tname = g_strdup_printf("%s[%" G_GUINT64_FORMAT "]/writer%"
								 G_GUINT64_FORMAT, g->name, i, k);

			sim_cpus_task_set_mm(group_spawn_on(g, tname, writer_thread, p, true,
							    writer_cpus), p->mm);
		}
		for (uint64_t k = 0; k < readers; k++) {
			g_autofree char *tname = g_strdup_printf("%s[%" G_GUINT64_FORMAT "]/proc%"
								 G_GUINT64_FORMAT, g->name, i, k);

			sim_cpus_task_set_mm(group_spawn_on(g, tname, proc_thread, p, true,
							    proc_cpus), p->mm);
		}
	}
	for (uint64_t k = 0; k < lockers; k++) {
		g_autofree char *tname = g_strdup_printf("%s/locker%" G_GUINT64_FORMAT, g->name, k);

		group_spawn(g, tname, locker_thread, fg, true);
	}
	/* khugepaged on each process (sim/kernel/khugepaged.h). */
	if (khugepaged) {
		fg->khugepaged = g_new0(struct khugepaged *, fg->nr_procs);
		for (uint64_t i = 0; i < fg->nr_procs; i++)
			fg->khugepaged[i] = khugepaged_start(w->eng, w->machine->cpus,
							     fg->procs[i].mm, &fg->kp, khugepaged);
	}
	return TRUE;
}

/* Per process: its threads, mmap writers, /proc readers and khugepaged;
 * and the group's lockers. */
static uint64_t fault_group_nr_tasks(const char *name, const struct sim_run_config *cfg)
{
	const struct group g = { .name = (char *)name };
	uint64_t per_proc = group_uint(&g, cfg, "threads") + group_uint(&g, cfg, "mmap_writers") +
			    group_uint(&g, cfg, "proc_readers") + group_bool(&g, cfg, "khugepaged");

	return group_uint(&g, cfg, "processes") * per_proc + group_uint(&g, cfg, "lockers");
}

/* The machine's fault rates (module "fault") over the measured time. */
static void fault_group_finish(struct group *g)
{
	struct fault_group *fg = g->priv;

	fault_stats_finish(&fg->fs, g->w->start);
}

static void fault_group_free(struct group *g)
{
	struct fault_group *fg = g->priv;

	if (!fg)
		return;
	for (uint64_t i = 0; fg->khugepaged && i < fg->nr_procs; i++)
		khugepaged_free(fg->khugepaged[i]);
	g_free(fg->khugepaged);
	khugepaged_params_clear(&fg->kp);
	fault_params_clear(&fg->fs.p);
	for (uint64_t i = 0; fg->procs && i < fg->nr_procs; i++)
		mm_free(fg->procs[i].mm);
	group_file_free(&fg->file);
	sim_dist_free(fg->work);
	sim_dist_free(fg->hold);
	sim_dist_free(fg->think);
	sim_dist_free(fg->pattern);
	sim_dist_free(fg->writer_interval);
	sim_dist_free(fg->proc_interval);
	sim_dist_free(fg->locker_think);
	sim_dist_free(fg->writer_hold);
	sim_dist_free(fg->proc_cost);
	g_free(fg->procs);
	g_free(fg->threads);
	g_free(fg);
	g->priv = NULL;
}

static const struct sim_key_def fault_keys[] = {
	{ .name = "workload.*.processes", .type = SIM_KEY_UINT, .defval = "1", .min = "1",
	  .max = "4096", .help = "address spaces, each running the group's threads" },
	{ .name = "workload.*.mapping", .type = SIM_KEY_ENUM, .defval = "file",
	  .choices = mapping_kinds, .help = "what each process maps and touches" },
	{ .name = "workload.*.anon_size", .type = SIM_KEY_SIZE, .defval = "16MiB", .min = "4KiB",
	  .max = "1TiB", .help = "anonymous memory per process" },
	{ .name = "workload.*.mmap_writers", .type = SIM_KEY_UINT, .defval = "0", .max = "1000",
	  .help = "threads per process taking mmap_sem for write" },
	{ .name = "workload.*.writer_op", .type = SIM_KEY_ENUM, .defval = "remap",
	  .choices = writer_ops,
	  .help = "remap (munmap+mmap of file pages), mprotect (a page nobody touches), "
		  "mprotect-range / munmap-range / mremap (part of a faulting VMA: split, "
		  "zap, merge), mmap-own (a VMA of its own), dontneed (MADV_DONTNEED under "
		  "mmap_sem for read)" },
	{ .name = "workload.*.writer_interval", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(5ms)", .help = "sleep between mmap_sem writes (0: loop without sleeping)" },
	{ .name = "workload.*.writer_pages", .type = SIM_KEY_UINT, .defval = "16", .min = "1",
	  .help = "pages a writer's operation covers" },
	{ .name = "workload.*.writer_hold", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "2us", .help = "CPU time a writer holds mmap_sem after its operation" },
	{ .name = "workload.*.writer_cpus", .type = SIM_KEY_STRING, .defval = "",
	  .help = "CPUs the mmap writers may run on, a CPU list as cpus (empty: the group's cpus)",
	  .check_run = workload_cpulist_check },
	{ .name = "workload.*.zap_page", .type = SIM_KEY_TIME, .defval = "30ns",
	  .help = "dontneed: CPU time per pte zapped" },
	{ .name = "workload.*.proc_readers", .type = SIM_KEY_UINT, .defval = "0", .max = "1000",
	  .help = "/proc/PID readers per process (mmap_sem for read)" },
	{ .name = "workload.*.proc_interval", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(5ms)", .help = "sleep between /proc reads" },
	{ .name = "workload.*.proc_cost", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "1us", .help = "CPU time of a /proc read per VMA (its record)" },
	{ .name = "workload.*.proc_file", .type = SIM_KEY_ENUM, .defval = "maps",
	  .choices = proc_files,
	  .help = "what the /proc readers read: maps, or smaps (walks each VMA's ptes)" },
	{ .name = "workload.*.proc_pte", .type = SIM_KEY_TIME, .defval = "5ns",
	  .help = "smaps: CPU time per pte of a VMA walked" },
	{ .name = "workload.*.proc_buffer", .type = SIM_KEY_SIZE, .defval = "4KiB", .min = "64B",
	  .help = "seq_file buffer a read(2) fills under one mmap_sem hold" },
	{ .name = "workload.*.proc_lock", .type = SIM_KEY_ENUM, .defval = "mmap",
	  .choices = proc_locks,
	  .help = "maps under mmap_sem per buffer fill, or per-vma (6.17: each VMA read-locked; "
		  "needs a fault_lock with VMA locks)" },
	{ .name = "workload.*.proc_cpus", .type = SIM_KEY_STRING, .defval = "",
	  .help = "CPUs the /proc readers may run on, a CPU list as cpus (empty: the group's "
		  "cpus)", .check_run = workload_cpulist_check },
	{ .name = "workload.*.lockers", .type = SIM_KEY_UINT, .defval = "0", .max = "1000",
	  .help = "threads locking file pages (pattern) for hold" },
	{ .name = "workload.*.locker_think", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "exp(20us)", .help = "lockers' sleep between locks" },
	{ .name = "workload.*.vma_per_thread", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "one anonymous VMA per thread (mapping = anon), else one shared" },
	{ .name = "workload.*.khugepaged", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "run khugepaged on each process's anonymous memory" },
	{ .name = "workload.*.file_written", .type = SIM_KEY_SIZE, .defval = "0B", .max = "1GiB",
	  .help = "the file starts in the page cache as write(2) calls of this many bytes "
		  "left it, each folio of the order the write asks (up to max_folio), "
		  "uptodate and clean; 0B: the file starts uncached" },
	{ .name = "workload.*.file_advice", .type = SIM_KEY_ENUM, .defval = "normal",
	  .choices = file_advices,
	  .help = "madvise() advice on the file mapping: random (MADV_RANDOM: a major fault "
		  "reads only its page, no read-around) or sequential" },
};

static const struct sim_key_def *const fault_shared_keys[] = {
	&workload_key_write_fraction, &workload_key_work, &workload_key_hold,
	&workload_key_think, &workload_key_ops, &workload_key_file_size,
	&workload_key_pattern, &workload_key_cgroup, &workload_key_max_folio, NULL,
};

const struct workload_kind workload_fault = {
	.name = "fault",
	.op_unit = "touches",
	.op_what = "a thread's access to one page of its mappings, faulting or not",
	.shared = fault_shared_keys,
	.keys = fault_keys,
	.nr_keys = G_N_ELEMENTS(fault_keys),
	.machine = SIM_MACHINE_PAGE_CACHE | SIM_MACHINE_MM | SIM_MACHINE_CACHELINES,
	.start = fault_group_start,
	.finish = fault_group_finish,
	.free = fault_group_free,
	.nr_tasks = fault_group_nr_tasks,
};
