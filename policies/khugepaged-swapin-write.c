/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged=swapin-write: collapse_huge_page() with the swap-in under
 * mmap_sem held for write, as "mm, thp: add swapin readahead to khugepaged"
 * had it before it was reworked (Ebru Akagunduz, 2016): every fault of the
 * process waits while khugepaged reads up to max_ptes_swap pages from
 * swap.
 */
#include "config.h"

#include "policies/builtin.h"

static bool swapin_write_collapse(struct khugepaged_collapse *cc)
{
	bool ok = false;

	khugepaged_alloc(cc);
	khugepaged_write_lock(cc);
	if (!khugepaged_revalidate(cc) || !khugepaged_swapin(cc) || !khugepaged_isolate_ok(cc))
		goto out;
	khugepaged_copy(cc);
	khugepaged_install(cc);
	ok = true;
out:
	khugepaged_write_unlock(cc);
	return ok;
}

const struct fs_khugepaged_policy fs_khugepaged_swapin_write = {
	.version = FS_KHUGEPAGED_POLICY_VERSION,
	.name = "swapin-write",
	.summary = "swap-in and collapse under mmap_sem for write (before 4.8)",
	.thread = "[PATCH] mm, thp: swapin readahead under down_read of mmap_sem "
		  "(Ebru Akagunduz, 2016): the behaviour it replaced",
	.collapse_huge_page = swapin_write_collapse,
};
