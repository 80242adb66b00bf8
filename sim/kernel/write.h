/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * write(2) to a page-cache file: generic_perform_write() of mm/filemap.c,
 * with the prefault policy deciding how the user buffer is faulted in.
 *
 * Per chunk (at most a page, as the kernel's chunk is before large
 * folios):
 *	prefault     the policy's fault_in_readable() on the source bytes,
 *	             if policy->prefault: every-16b (one probe per 16 bytes),
 *	             per-page (fault_in_readable(), 5.16+: one per page),
 *	             first-byte (the first byte only)
 *	write_begin  find or add the page-cache page and lock it (a partial
 *	             write of a page that is not uptodate reads it first)
 *	copy         policy->atomic_copy: with page faults disabled, stopping
 *	             at the first source page that is not present (a short
 *	             copy); otherwise faulting as it goes, holding the page
 *	             lock (prefault=none)
 *	write_end    a short copy into a page that is not uptodate copies
 *	             nothing (block_write_end()); else mark it uptodate (whole
 *	             page), dirty it, unlock it
 * A copy that made no progress shrinks the chunk to the first source page
 * and retries, after fault_in_readable() for on-failure (6.15,
 * 665575cff098: no prefault on the fast path) -- so with every policy but
 * none the copy never faults while the page is locked.
 *
 * Addresses here are byte addresses (page number << PAGE_SHIFT | offset),
 * unlike sim/kernel/mm.h's page numbers.  The page lock has no owner in the
 * model, so a copy that faults while holding one (prefault=none) arms a
 * check: if the writer ends up waiting on the very page it holds, it is
 * marked as waiting for itself (sim_task_set_waits_for()), which is the
 * cycle sim_deadlock_report() prints once the run's events run out.
 *
 * Costs (struct write_params, which the model reads from the keys
 * write.*): syscall (entry/exit per write call), probe (per
 * byte probed), copy_per_kib (the copy, per KiB), write_begin, write_end.
 *
 * Measurements (module "write"): counters "writes", "chunks",
 * "shortCopies", "probes", "prefaultFaults" (faults taken by fault-in),
 * "copyFaults" (faults taken by a non-atomic copy), "selfDeadlocks";
 * histogram "latency" (ns per write call).
 */
#ifndef FAULTSIM_SIM_WRITE_H
#define FAULTSIM_SIM_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "faultsim/write.h"
#include "sim/core/engine.h"
#include "sim/kernel/mm.h"

struct fault_sys;

struct write_params {
	sim_time_t syscall;		/* per write(2) call */
	sim_time_t probe;		/* per probed byte */
	sim_time_t copy_per_kib;	/* copy_from_user, per KiB */
	sim_time_t write_begin;		/* lookup/allocation, lock */
	sim_time_t write_end;		/* dirtying, unlock */
};

struct write_sys {
	struct sim_engine *eng;
	struct write_params p;
	const struct fs_prefault_policy *prefault;
	struct fault_sys *fs;		/* faults on the user buffer */
	uint64_t *writes, *chunks, *short_copies, *probes, *prefault_faults, *copy_faults,
		 *self_deadlocks;
	struct sim_hist *latency;
};

/* One write call in progress, for the prefault policies (opaque to them:
 * write_iter_task(), write_fault_in_probe()). */
struct write_iter {
	struct write_sys *ws;
	struct sim_task *t;
	struct mm_struct *mm;
	struct page *locked;		/* the page-cache page held, if any */
	struct sim_timer check;		/* the self-deadlock check */
};

/* The costs above (the defaults of the model's keys write.*). */
void write_params_init(struct write_params *p);
/* Set @ws up: costs @p (NULL: write_params_init()'s), the prefault policy
 * @prefault (required; with prefault set, fault_in_readable too), faults
 * on the user buffer through @fs (required). */
void write_sys_init(struct write_sys *ws, struct sim_engine *eng, const struct write_params *p,
		    const struct fs_prefault_policy *prefault, struct fault_sys *fs);

/* write_fault_in_probe(wi, uaddr, probes), in faultsim/write.h: probe the
 * page holding byte @uaddr with @probes probes (probe cost each), faulting
 * it in for read if it is not present; false if the fault failed. */

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
