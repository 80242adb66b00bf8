/* SPDX-License-Identifier: GPL-2.0-only */
/* Policy slots khugepaged and prefault (see plugin.h). */
#ifndef FAULTSIM_KHUGEPAGED_H
#define FAULTSIM_KHUGEPAGED_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

struct fs_plugin_registrar;

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


G_END_DECLS

#endif /* FAULTSIM_KHUGEPAGED_H */
