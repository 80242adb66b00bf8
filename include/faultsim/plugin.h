/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy plugin interface: what a policy module, built in or loaded
 * from a shared object, hands to faultsim.
 *
 * Each policy slot has an ops table, version first (as SQLite's
 * sqlite3_pcache_methods2 starts with iVersion): struct fs_rwsem_policy for
 * mmap_sem, struct fs_page_lock_policy for the page lock.  Every table
 * starts with the same four fields:
 *
 *	version   the slot's FS_*_POLICY_VERSION the table was written for;
 *	          faultsim reads only the fields that version has
 *	name      the value that selects it: `policy.rwsem = NAME`; letters,
 *	          digits, '.', '_' and '-'; unique within the slot
 *	summary   one line for `faultsim list policies`
 *	thread    the credit line: the mailing-list thread or patch it models
 *	          (subject, author, date, commit if merged)
 *
 * and then the behaviour, as fields or as operations (optional operations
 * are left NULL).  The built-in policies (policies/ in the source tree)
 * are registered through exactly this interface.
 *
 * A plugin is a shared object (GModule) that exports two symbols:
 *
 *	const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;
 *	gboolean faultsim_plugin_register(struct fs_plugin_registrar *r,
 *					  GError **error);
 *
 * faultsim refuses a plugin whose faultsim_plugin_abi differs from its own
 * FAULTSIM_PLUGIN_ABI, then calls faultsim_plugin_register() once, which
 * registers its tables with fs_register_*_policy().  The tables must stay
 * valid while the plugin is loaded (static const storage is the rule) and
 * are only read, from any thread.  If registration fails, nothing the
 * plugin registered is kept.
 *
 * Build a plugin against an installed faultsim:
 *	cc -shared -fPIC -o my-policy.so my-policy.c \
 *		$(pkg-config --cflags --libs faultsim)
 * and load it with `faultsim run --plugin ./my-policy.so` or `plugin =
 * my-policy.so` in a scenario.  README.md ("Writing a policy plugin") walks
 * through policies/examples/rwsem-no-rspin.c.
 */
#ifndef FAULTSIM_PLUGIN_H
#define FAULTSIM_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/kernel/rwsem.h"

G_BEGIN_DECLS

/* Bumped when anything below changes incompatibly. */
#define FAULTSIM_PLUGIN_ABI		1

/* The symbols a plugin exports. */
#define FAULTSIM_PLUGIN_ABI_SYMBOL	"faultsim_plugin_abi"
#define FAULTSIM_PLUGIN_REGISTER_SYMBOL	"faultsim_plugin_register"

/* Handed to the registration function; opaque. */
struct fs_plugin_registrar;

/* The registration function's type. */
typedef gboolean fs_plugin_register_fn(struct fs_plugin_registrar *r, GError **error);

/* ------------------------------------------------------------------ */
/* Slot rwsem: mmap_sem's behaviour (sim/kernel/rwsem.h) */

#define FS_RWSEM_POLICY_VERSION		1

/*
 * An rwsem policy is a variant of the one rwsem implementation: behaviour
 * flags (RWSEM_V_*) and timings.  @variant.name may be left NULL (else it
 * must equal @name); @variant.summary is not used.  Registration checks
 * that the flags are known and the timings sane.
 */
struct fs_rwsem_policy {
	unsigned int version;		/* FS_RWSEM_POLICY_VERSION */
	const char *name;
	const char *summary;
	const char *thread;
	struct rwsem_variant variant;
};

/* Register @ops (kept by pointer) in the rwsem slot. */
gboolean fs_register_rwsem_policy(struct fs_plugin_registrar *r,
				  const struct fs_rwsem_policy *ops, GError **error);

/* ------------------------------------------------------------------ */
/* Slot page_lock: the page lock's fairness (sim/kernel/pagelock.h) */

#define FS_PAGE_LOCK_POLICY_VERSION	1

/* unfairness() result: the waiter never asks for a handoff. */
#define FS_PAGE_LOCK_NO_HANDOFF		(-1)

/*
 * A page lock policy.  Each time an exclusive waiter (lock_page()) queues,
 * it spends one unit of its unfairness; once that is spent it queues asking
 * the unlocker to hand it the lock (the waker sets the bit on its behalf).
 *
 * @unfairness: how many queueings a waiter gets before it asks for a
 * handoff, given @budget (the scenario's policy.page_lock_budget): 0 is
 * strictly fair, FS_PAGE_LOCK_NO_HANDOFF never asks.  Optional: NULL never
 * asks (unbounded stealing).  The result must be FS_PAGE_LOCK_NO_HANDOFF
 * or 0 .. PAGE_LOCK_UNFAIRNESS_MAX (1000000), else the run fails to build.
 * @shared_recheck: a woken shared waiter (wait_on_page_locked()) checks the
 * bit again and waits again if it was taken meanwhile (before 5.9).
 */
struct fs_page_lock_policy {
	unsigned int version;		/* FS_PAGE_LOCK_POLICY_VERSION */
	const char *name;
	const char *summary;
	const char *thread;
	int (*unfairness)(unsigned int budget);
	bool shared_recheck;
};

/* Register @ops (kept by pointer) in the page_lock slot. */
gboolean fs_register_page_lock_policy(struct fs_plugin_registrar *r,
				      const struct fs_page_lock_policy *ops,
				      GError **error);

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

/* ------------------------------------------------------------------ */
/* Slots khugepaged and prefault (sim/kernel/khugepaged.h, sim/kernel/write.h); like
 * the fault path's, their operations use model structures that are not
 * installed: build such plugins inside the source tree. */

struct khugepaged_collapse;
struct write_iter;

#define FS_KHUGEPAGED_POLICY_VERSION	1
#define FS_PREFAULT_POLICY_VERSION	1

/* Slot khugepaged: collapse_huge_page() of one 512-page range, whose
 * scan found it worth collapsing (mmap_sem not held).  Returns true if
 * the range was collapsed.  Builds on the helpers of sim/kernel/khugepaged.h. */
struct fs_khugepaged_policy {
	unsigned int version;
	const char *name;
	const char *summary;
	const char *thread;
	bool (*collapse_huge_page)(struct khugepaged_collapse *cc);
	/* CPU cost added to every pte install of a fault (an atomic on the
	 * pmd lock): multiplies the key khugepaged.pmd_seq_cost (0 or 1). */
	unsigned int pmd_lock_atomics;
};

/* Slot prefault: how generic_perform_write() faults in the user buffer.
 * @fault_in_readable: probe [@uaddr, @uaddr + @len) (byte addresses)
 * with write_fault_in_probe(), returning the bytes NOT faulted in (NULL:
 * never faults in).  @prefault: call it before each chunk's copy (else
 * only after a copy that made no progress).  @atomic_copy: copy with page
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

gboolean fs_register_khugepaged_policy(struct fs_plugin_registrar *r,
				       const struct fs_khugepaged_policy *ops, GError **error);
gboolean fs_register_prefault_policy(struct fs_plugin_registrar *r,
				     const struct fs_prefault_policy *ops, GError **error);

/* ------------------------------------------------------------------ */

/* Where @r registers for: the plugin's path, or "built-in". */
const char *fs_plugin_registrar_origin(const struct fs_plugin_registrar *r);

G_END_DECLS

#endif /* FAULTSIM_PLUGIN_H */
