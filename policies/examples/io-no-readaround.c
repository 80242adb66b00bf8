/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree io policy: filemap_fault() without read-around.
 *
 * What it changes.  The built-in `drop` is filemap_fault() as of 5.1+:
 * on a page-cache miss do_sync_mmap_readahead() reads a window around the
 * fault (ra_pages, 128 KiB by default, unless MMAP_LOTSAMISS misses say
 * the mapping is random), and a PG_readahead page starts asynchronous
 * readahead.  This version does neither, for every mapping, as
 * madvise(MADV_RANDOM) (VM_RAND_READ) does for one: a miss reads the
 * faulting page alone (page_cache_read()).  The rest is 5.1's: mmap_sem
 * is released (when the retry policy allows) before the read and before
 * waiting for a locked page, and the fault then returns VM_FAULT_RETRY
 * holding nothing.
 *
 * Why try it.  To measure what read-around is worth to a workload: the
 * major faults it saves (fault.majfault) against the pages it reads that
 * nobody touches, which under memory pressure push out pages somebody
 * would have (reclaim.pgsteal_*); and to see how a workload behaves on a
 * device for which readahead is pure waste.
 *
 * Build and use:
 *
 *	cc -shared -fPIC -o io-no-readaround.so io-no-readaround.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./io-no-readaround.so \
 *		--set 'policy.io=${io=drop,no-readaround}' study.ini
 */
#include <errno.h>
#include <faultsim/plugin.h>

const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

static vm_fault_t filemap_fault_no_readaround(struct vm_fault *vmf)
{
	struct address_space *mapping = vmf_mapping(vmf);
	struct sim_task *t = vmf_task(vmf);
	pgoff_t pgoff = vmf_pgoff(vmf);
	vm_fault_t ret = 0;
	struct page *page;
	int err;

	cpu_work(t, fault_cost(vmf_fault_sys(vmf), FAULT_COST_FILEMAP));
	if (pgoff >= pc_mapping_size(mapping))
		return VM_FAULT_SIGBUS;
retry_find:
	page = find_get_page(mapping, pgoff);
	if (!page) {
		/* page_cache_read() of the faulting page only. */
		ret = VM_FAULT_MAJOR;
		maybe_unlock_mmap_for_io(vmf);
		err = fault_page_cache_read(vmf);
		if (err && err != -EEXIST)
			return vmf_dropped(vmf) ? ret | VM_FAULT_RETRY : VM_FAULT_OOM;
		goto retry_find;
	}
	/* lock_page_maybe_drop_mmap() */
	if (!trylock_page(page)) {
		maybe_unlock_mmap_for_lock(vmf);
		lock_page(t, page);
	}
	/* Truncated meanwhile? */
	if (page_mapping(page) != mapping) {
		unlock_page(page);
		put_page(page);
		goto retry_find;
	}
	if (!PageUptodate(page)) {
		/* The read failed or has not been started: read it again. */
		ClearPageError(page);
		maybe_unlock_mmap_for_io(vmf);
		pc_readpage(t, page);
		wait_on_page_locked(t, page);
		if (!PageUptodate(page)) {
			put_page(page);
			return vmf_dropped(vmf) ? ret | VM_FAULT_RETRY : VM_FAULT_SIGBUS;
		}
		put_page(page);
		goto retry_find;
	}
	/* Having dropped mmap_sem, let the caller find the VMA again: the
	 * next attempt finds the page cached. */
	if (vmf_dropped(vmf)) {
		unlock_page(page);
		put_page(page);
		return ret | VM_FAULT_RETRY;
	}
	vmf_set_page(vmf, page);
	return ret | VM_FAULT_LOCKED;
}

static const struct fs_fault_io_policy io_no_readaround = {
	.version = FS_FAULT_IO_POLICY_VERSION,
	.name = "no-readaround",
	.summary = "example plugin: 5.1+ filemap_fault() reading the faulting page only "
		   "(MADV_RANDOM for every mapping)",
	.thread = "mm/filemap.c do_sync_mmap_readahead()'s VM_RAND_READ case, for all mappings",
	.fault = filemap_fault_no_readaround,
};

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_fault_io_policy(r, &io_no_readaround, error);
}
