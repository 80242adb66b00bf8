/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io hold: filemap_fault() before Linux 5.1, readahead and readpage I/O
 * under mmap_sem.
 *
 * Thread it models: the code that "filemap: drop the mmap_sem for all
 * blocking operations" (Josef Bacik, 2018; merged for 5.1 as
 * 6b4c9f446981) changed.  Here mmap_sem is only ever released by
 * lock_page_or_retry(), when the page is found locked (and the attempt
 * may drop: the retry policy).  Synchronous read-around, asynchronous
 * readahead on a PG_readahead page, the allocation and readpage of the
 * no-cached-page path (which may reclaim and sleep), and the readpage and
 * wait of a not-uptodate page all run holding mmap_sem.  A retried attempt
 * (FAULT_FLAG_TRIED) skips the async readahead.
 */
#include "config.h"

#include <errno.h>

#include "policies/builtin.h"

static vm_fault_t filemap_fault_hold(struct vm_fault *vmf)
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
	page = find_get_page(mapping, pgoff);
	if (page && !(vmf_flags(vmf) & FAULT_FLAG_TRIED)) {
		if (fault_async_readahead_wanted(vmf, page))
			fault_async_readahead(vmf, page);
	} else if (!page) {
		if (fault_sync_readahead_wanted(vmf))
			fault_sync_readahead(vmf);
		ret = VM_FAULT_MAJOR;
retry_find:
		page = find_get_page(mapping, pgoff);
		if (!page)
			goto no_cached_page;
	}
	if (!lock_page_or_retry(vmf, page)) {
		put_page(page);
		return ret | VM_FAULT_RETRY;
	}
	/* Did it get truncated? */
	if (page_mapping(page) != mapping) {
		unlock_page(page);
		put_page(page);
		goto retry_find;
	}
	if (!PageUptodate(page))
		goto page_not_uptodate;
	vmf_set_page(vmf, page);
	return ret | VM_FAULT_LOCKED;

no_cached_page:
	/* page_cache_read(): allocate (perhaps reclaiming) and read. */
	err = fault_page_cache_read(vmf);
	if (!err || err == -EEXIST)
		goto retry_find;
	return VM_FAULT_OOM;

page_not_uptodate:
	/* Read it again and wait, holding mmap_sem. */
	ClearPageError(page);
	pc_readpage(t, page);
	wait_on_page_locked(t, page);
	if (!PageUptodate(page)) {
		put_page(page);
		return VM_FAULT_SIGBUS;
	}
	put_page(page);
	goto retry_find;
}

const struct fs_fault_io_policy fs_fault_io_hold = {
	.version = FS_FAULT_IO_POLICY_VERSION,
	.name = "hold",
	.summary = "< 5.1: readahead and readpage I/O under mmap_sem; drop only for a "
		   "locked page",
	.thread = "filemap_fault() before \"filemap: drop the mmap_sem for all blocking "
		  "operations\" (6b4c9f446981, 5.1)",
	.fault = filemap_fault_hold,
};
