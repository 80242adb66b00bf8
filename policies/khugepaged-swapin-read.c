/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged=swapin-read: collapse_huge_page() as of 4.8: revalidate and
 * swap in under mmap_sem for read, drop it, take it for write, revalidate
 * again, then copy and install the huge page.  Faults wait only for the
 * copy, not for swap I/O.
 */
#include "config.h"

#include "policies/builtin.h"

static bool swapin_read_collapse(struct khugepaged_collapse *cc)
{
	struct mm_struct *mm = khugepaged_cc_mm(cc);
	struct sim_task *t = khugepaged_cc_task(cc);
	bool ok = false;

	khugepaged_alloc(cc);
	mmap_read_lock(mm, t);
	if (!khugepaged_revalidate(cc) || !khugepaged_swapin(cc)) {
		mmap_read_unlock(mm, t);
		return false;
	}
	mmap_read_unlock(mm, t);

	khugepaged_write_lock(cc);
	/* Anything may have changed while no lock was held. */
	if (!khugepaged_revalidate(cc) || !khugepaged_isolate_ok(cc))
		goto out;
	khugepaged_copy(cc);
	khugepaged_install(cc);
	ok = true;
out:
	khugepaged_write_unlock(cc);
	return ok;
}

const struct fs_khugepaged_policy fs_khugepaged_swapin_read = {
	.version = FS_KHUGEPAGED_POLICY_VERSION,
	.name = "swapin-read",
	.summary = "swap in under mmap_sem for read, collapse under write (4.8+)",
	.thread = "[PATCH] mm, thp: swapin readahead under down_read of mmap_sem "
		  "(Ebru Akagunduz, Kirill A. Shutemov, 2016; merged for 4.8)",
	.collapse_huge_page = swapin_read_collapse,
};
