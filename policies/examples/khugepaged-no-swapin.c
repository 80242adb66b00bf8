/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree khugepaged policy: never swap in to collapse.
 *
 * What it changes.  The built-in policies differ in which lock the
 * swap-in of a range's swapped pages runs under (swapin-write: mmap_sem
 * for write, every fault of the process waiting for swap I/O;
 * swapin-read, 4.8+: for read; pmd-seq: read, with a sequence check).
 * This one does no swap-in at all: a range with a swapped page is left
 * alone, as max_ptes_swap = 0 (/sys/kernel/mm/transparent_hugepage/
 * khugepaged/max_ptes_swap) makes the scan do; a range without one is
 * collapsed under mmap_sem for write, as swapin-read's second half.
 *
 * Why try it.  The 2016 series ("mm, thp: add swapin readahead to
 * khugepaged", Ebru Akagunduz) argued that collapsing swapped ranges is
 * worth their swap-in; this is the baseline it was argued against.  It
 * shows what the swap-in costs the faulting threads (mmap_sem
 * .writeWaitTime, khugepaged.writeHold) and what it buys (collapses).
 *
 * Build and use:
 *
 *	cc -shared -fPIC -o khugepaged-no-swapin.so khugepaged-no-swapin.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./khugepaged-no-swapin.so \
 *		--set 'policy.khugepaged=${k=swapin-read,no-swapin}' \
 *		scenarios/exp3-khugepaged.ini
 */
#include <faultsim/plugin.h>

const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

static bool no_swapin_collapse(struct khugepaged_collapse *cc)
{
	bool ok = false;

	/* SCAN_EXCEED_SWAP_PTE with max_ptes_swap = 0. */
	if (khugepaged_cc_swapped(cc))
		return false;
	khugepaged_alloc(cc);
	khugepaged_write_lock(cc);
	/* Swapped since the scan?  Then not now either. */
	if (!khugepaged_revalidate(cc) || !khugepaged_isolate_ok(cc))
		goto out;
	khugepaged_copy(cc);
	khugepaged_install(cc);
	ok = true;
out:
	khugepaged_write_unlock(cc);
	return ok;
}

static const struct fs_khugepaged_policy khugepaged_no_swapin = {
	.version = FS_KHUGEPAGED_POLICY_VERSION,
	.name = "no-swapin",
	.summary = "example plugin: collapse only ranges with no swapped page "
		   "(max_ptes_swap = 0), under mmap_sem for write",
	.thread = "\"mm, thp: add swapin readahead to khugepaged\", Ebru Akagunduz, 2016 "
		  "(the baseline it argued against)",
	.collapse_huge_page = no_swapin_collapse,
	.pmd_lock_atomics = 0,
};

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_khugepaged_policy(r, &khugepaged_no_swapin, error);
}
