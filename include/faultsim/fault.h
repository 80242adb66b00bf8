/* SPDX-License-Identifier: GPL-2.0-only */
/* Policy slots retry, io, map_pages and fault_lock: the fault path (see plugin.h). */
#ifndef FAULTSIM_FAULT_H
#define FAULTSIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

struct fs_plugin_registrar;

/* ------------------------------------------------------------------ */
/* Slots retry, io, map_pages, fault_lock: the fault path (sim/kernel/fault.h)
 *
 * The retry slot needs only the flags below.  The io, map_pages and
 * fault_lock operations work on the fault path's struct vm_fault, whose
 * helpers (sim/kernel/fault.h, sim/kernel/mm.h) are not installed yet: plugins for
 * those slots must be built inside the source tree for now. */

/* enum fault_flag */
#define FAULT_FLAG_WRITE		0x01u
#define FAULT_FLAG_ALLOW_RETRY		0x04u
#define FAULT_FLAG_RETRY_NOWAIT		0x08u
#define FAULT_FLAG_KILLABLE		0x10u
#define FAULT_FLAG_TRIED		0x20u
#define FAULT_FLAG_USER			0x40u
#define FAULT_FLAG_DEFAULT		(FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE)

/* The first attempt of a fault that may retry (5.7+). */
static inline bool fault_flag_allow_retry_first(unsigned int flags)
{
	return (flags & FAULT_FLAG_ALLOW_RETRY) && !(flags & FAULT_FLAG_TRIED);
}

struct vm_fault;
struct fault_sys;
struct vm_area_struct;
struct mm_struct;
struct sim_task;

#define FS_FAULT_RETRY_POLICY_VERSION		1
#define FS_FAULT_IO_POLICY_VERSION		1
#define FS_FAULT_MAP_PAGES_POLICY_VERSION	1
#define FS_FAULT_LOCK_POLICY_VERSION		2

/* Slot retry. */
struct fs_fault_retry_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	/* The flags of the next attempt after a VM_FAULT_RETRY. */
	unsigned int (*retry_flags)(unsigned int flags);
	/* Whether an attempt with @flags may release mmap_sem to wait
	 * (lock_page_or_retry(), maybe_unlock_mmap_for_io()). */
	bool (*may_drop)(unsigned int flags);
};

/* Slot io: the ->fault of file VMAs (filemap_fault()).  Returns a
 * vm_fault_t: VM_FAULT_LOCKED with vmf->page locked and referenced, or
 * VM_FAULT_RETRY (mmap_sem released), or an error. */
struct fs_fault_io_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	unsigned int (*fault)(struct vm_fault *vmf);
};

/* Slot map_pages: map the cached pages [@start_pgoff, @end_pgoff] of the
 * file around the fault (NULL op: no fault-around).  Returns the ptes
 * installed. */
struct fs_fault_map_pages_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	unsigned long (*map_pages)(struct vm_fault *vmf, uint64_t start_pgoff,
				   uint64_t end_pgoff);
};

/* Slot fault_lock.  @lock_vma: find and read-lock the VMA of the fault
 * without mmap_sem (a per-VMA read lock, released with vma_end_read()),
 * NULL to take the mmap_sem path (NULL op: always).  Version 2 adds
 * @speculative_fault: try the whole fault without any lock first; true
 * if it is done, false to go on with @lock_vma / mmap_sem (NULL op:
 * never; read only from version 2 tables). */
struct fs_fault_lock_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	struct vm_area_struct *(*lock_vma)(struct fault_sys *fs, struct sim_task *t,
					   struct mm_struct *mm, uint64_t addr);
	/* version 2 */
	bool (*speculative_fault)(struct fault_sys *fs, struct sim_task *t,
				  struct mm_struct *mm, uint64_t addr, unsigned int flags);
};

/* Register @ops (kept by pointer) in its slot. */
gboolean fs_register_fault_retry_policy(struct fs_plugin_registrar *r,
					const struct fs_fault_retry_policy *ops, GError **error);
gboolean fs_register_fault_io_policy(struct fs_plugin_registrar *r,
				     const struct fs_fault_io_policy *ops, GError **error);
gboolean fs_register_fault_map_pages_policy(struct fs_plugin_registrar *r,
					    const struct fs_fault_map_pages_policy *ops,
					    GError **error);
gboolean fs_register_fault_lock_policy(struct fs_plugin_registrar *r,
				       const struct fs_fault_lock_policy *ops, GError **error);


G_END_DECLS

#endif /* FAULTSIM_FAULT_H */
