/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slot prefault: how generic_perform_write() (mm/filemap.c) faults
 * in the user buffer of a write(2).  sim/kernel/write.h in the source tree
 * says what a chunk goes through.  Addresses here are byte addresses,
 * unlike faultsim/mm.h's page numbers.
 */
#ifndef FAULTSIM_WRITE_H
#define FAULTSIM_WRITE_H

#include "faultsim/types.h"
#include "faultsim/task.h"

G_BEGIN_DECLS

struct fs_plugin_registrar;

/* One write(2) call in progress. */
struct write_iter;

/* The writer's task. */
FS_API struct sim_task *write_iter_task(const struct write_iter *wi);
/* Probe the bytes [@uaddr, @uaddr + @len), which lie in one page, every
 * @stride bytes from @uaddr (@len 1: @uaddr alone; @stride PAGE_SIZE: one
 * probe), faulting the page in for read if it is not present; false if
 * the fault failed.  The cost is the key write.probe_line per cache line
 * the probes touch. */
FS_API bool write_fault_in_probe(struct write_iter *wi, uint64_t uaddr, size_t len,
				 unsigned int stride);

/* ------------------------------------------------------------------ */
/* The slot */

#define FS_PREFAULT_POLICY_VERSION	1

/* @fault_in_readable: probe [@uaddr, @uaddr + @len) (byte addresses) with
 * write_fault_in_probe(), returning the bytes NOT faulted in (NULL: never
 * faults in).  @prefault: call it before each chunk's copy (else only
 * after a copy that made no progress).  @atomic_copy: copy with page
 * faults disabled (a short copy shrinks the chunk and retries); false
 * copies with faults enabled while holding the page-cache page's lock. */
struct fs_prefault_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	size_t (*fault_in_readable)(struct write_iter *wi, uint64_t uaddr, size_t len);
	bool prefault;
	bool atomic_copy;
};

FS_API gboolean fs_register_prefault_policy(struct fs_plugin_registrar *r,
					    const struct fs_prefault_policy *ops, GError **error);

G_END_DECLS

#endif /* FAULTSIM_WRITE_H */
