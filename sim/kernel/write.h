/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * write(2) to a page-cache file: generic_perform_write() of mm/filemap.c,
 * with the prefault policy deciding how the user buffer is faulted in.
 *
 * The chunk.  Up to 6.10 a chunk is at most one page.  From 6.11
 * (9aac777aaf94, "filemap: Convert generic_perform_write() to support
 * large folios") it is at most mapping_max_folio_size(mapping): the largest
 * folio the filesystem lets the page cache use -- one page on a filesystem
 * without large folios (ext4 before 6.16, 7ac67301e82f), up to 2 MiB where
 * it has them (nfs from 6.11, tmpfs with huge=, ext4 from 6.16).  iomap's
 * own write loop (xfs) did the same from 6.6 (5d8edfb900d5), and from 6.10
 * by mapping_max_folio_size() (4e527d5841e2).  write_params.folio_chunks
 * says which rule; the mapping says how large (pc_mapping_set_max_folio()).
 * A chunk is aligned to its size in the file and the chunk size halves
 * after a copy that wrote nothing (6.11+).
 *
 * Per chunk:
 *	prefault     the policy's fault_in_readable() on the source bytes,
 *	             if policy->prefault: every-16b (a probe per 16 bytes),
 *	             per-page (fault_in_readable(), 5.16+: one per page),
 *	             first-byte (the first byte only)
 *	write_begin  find or add the page-cache pages of the chunk and lock
 *	             them (one folio in the kernel; the model locks the
 *	             folio's pages in index order).  On a mapping with large
 *	             folios, the folio at the chunk's start, found or added
 *	             with the order fgf_set_order() asks for the chunk's bytes
 *	             (pc_add_folio()), and the chunk cut at the folio's end;
 *	             otherwise a page at a time.  A partial write of a page
 *	             that is not uptodate reads it first
 *	copy         policy->atomic_copy: with page faults disabled, stopping
 *	             at the first source page that is not present (a short
 *	             copy); otherwise faulting as it goes, holding the page
 *	             locks (prefault=none)
 *	write_end    a short copy into a page that is not uptodate copies
 *	             nothing (block_write_end()); else mark the pages written
 *	             whole uptodate, dirty them, unlock them
 *	throttle     balance_dirty_pages_ratelimited() with the pages the
 *	             chunk dirtied, if the write_sys has a writeback (wb)
 * A copy that wrote nothing retries: with the bytes it did copy if it
 * copied some (they are present), else the same bytes, after
 * fault_in_readable() for on-failure (6.14, 665575cff098: no prefault on
 * the fast path) -- so with every policy but none the copy never faults
 * while a page is locked.
 *
 * Addresses here are byte addresses (page number << PAGE_SHIFT | offset),
 * unlike sim/kernel/mm.h's page numbers.  The page lock has no owner in the
 * model, so a copy that faults while holding one (prefault=none) arms a
 * check: if the writer ends up waiting on the very page it holds, it is
 * marked as waiting for itself (sim_task_set_waits_for()), which is the
 * cycle sim_deadlock_report() prints once the run's events run out.
 *
 * Costs (struct write_params, which the model reads from the keys
 * write.*): syscall (entry/exit per write call), probe_line (per cache
 * line the fault-in probes touch: a probe loop's loads of one 64-byte
 * line, however many of them fall in it), copy_per_kib (the copy, per
 * KiB), write_begin and write_end (per chunk: per folio).
 *
 * Measurements (module "write"): counters "writes", "chunks",
 * "shortCopies", "probes", "probedLines", "prefaultFaults" (faults taken by fault-in),
 * "copyFaults" (faults taken by a non-atomic copy), "selfDeadlocks";
 * histogram "latency" (ns per write call).
 */
#ifndef FAULTSIM_SIM_WRITE_H
#define FAULTSIM_SIM_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "faultsim/write.h"
#include "sim/core/dist.h"
#include "sim/core/engine.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/writeback.h"

struct fault_sys;

#define WRITE_CACHELINE		64	/* bytes in a cache line */

/* The costs (keys write.*), each of which may be a distribution. */
enum write_cost {
	WRITE_COST_SYSCALL,
	WRITE_COST_PROBE_LINE,
	WRITE_COST_COPY_PER_KIB,
	WRITE_COST_WRITE_BEGIN,
	WRITE_COST_WRITE_END,
	WRITE_NR_COSTS
};

struct write_params {
	sim_time_t syscall;		/* per write(2) call */
	sim_time_t probe_line;		/* per cache line probed */
	sim_time_t copy_per_kib;	/* copy_from_user, per KiB */
	sim_time_t write_begin;		/* lookup/allocation, lock (per chunk) */
	sim_time_t write_end;		/* dirtying, unlock (per chunk) */
	bool folio_chunks;		/* chunk = mapping_max_folio_size() (6.11+) */
	/* The costs the scenario gave as distributions, by enum write_cost
	 * (NULL: the constant above); the params' maker owns them
	 * (write_params_clear()).  A per-line or per-KiB cost is drawn once
	 * per probe run or copy. */
	struct sim_dist *dist[WRITE_NR_COSTS];
};

struct write_sys {
	struct sim_engine *eng;
	struct write_params p;
	const struct fs_prefault_policy *prefault;
	struct fault_sys *fs;		/* faults on the user buffer */
	/* Dirty throttling after each chunk (NULL: none; set by the
	 * caller after write_sys_init()). */
	struct bdi_writeback *wb;
	uint64_t *writes, *chunks, *short_copies, *probes, *probed_lines, *prefault_faults,
		 *copy_faults, *self_deadlocks;
	struct sim_hist *latency;
	gsl_rng *rng;			/* "write.costs": p.dist[] draws */
};

/* One write call in progress, for the prefault policies (opaque to them:
 * write_iter_task(), write_fault_in_probe()). */
struct write_iter {
	struct write_sys *ws;
	struct sim_task *t;
	struct mm_struct *mm;
	struct page **locked;		/* the page-cache pages held (a chunk's) */
	unsigned int nr_locked;
	unsigned int nr_dirtied;	/* pages this chunk dirtied */
	struct sim_timer check;		/* the self-deadlock check */
};

/* The costs above (the defaults of the model's keys write.*). */
void write_params_init(struct write_params *p);
/* Free @p's distributions (the constants stay). */
void write_params_clear(struct write_params *p);
/* Set @ws up: costs @p (NULL: write_params_init()'s), the prefault policy
 * @prefault (required; with prefault set, fault_in_readable too), faults
 * on the user buffer through @fs (required). */
void write_sys_init(struct write_sys *ws, struct sim_engine *eng, const struct write_params *p,
		    const struct fs_prefault_policy *prefault, struct fault_sys *fs);

/* write_fault_in_probe(wi, uaddr, len, stride), in faultsim/write.h: probe
 * [@uaddr, @uaddr + @len) of one page every @stride bytes (probe_line per
 * cache line touched), faulting the page in for read if it is not
 * present; false if the fault failed. */

/* The order of the folio a write of @bytes asks write_begin for
 * (fgf_set_order(): ilog2 of the bytes, in pages; 0 up to a page). */
unsigned int write_folio_order(size_t bytes);
/*
 * The page cache as write(2) calls of @block bytes each, from offset 0 to
 * the end of @mapping, leave it and writeback then cleans it: every page
 * cached, uptodate, clean, unlocked, in folios of write_folio_order() of
 * what is left of each write, capped and aligned as pc_add_folio() does.
 * Set-up only (no task, no time, no reclaim): -ENOMEM if the free memory
 * runs out.
 */
int filemap_prefill_written(struct address_space *mapping, size_t block);
/*
 * write(2) of @len bytes from byte address @buf of @mm to @mapping at
 * byte offset @pos: generic_perform_write() with the syscall cost.
 * Returns the bytes written, or -EFAULT if nothing could be (a bad
 * buffer), -ENOMEM, -ENOSPC (past the mapping's size).
 */
ssize_t generic_perform_write(struct write_sys *ws, struct sim_task *t, struct mm_struct *mm,
			      uint64_t buf, struct address_space *mapping, uint64_t pos,
			      size_t len);

#endif /* FAULTSIM_SIM_WRITE_H */
