/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io drop: filemap_fault() since Linux 5.1, mmap_sem released for every
 * blocking operation.
 *
 * Thread it models: "filemap: drop the mmap_sem for all blocking
 * operations", Josef Bacik, Dec 2018 (merged for 5.1 as 6b4c9f446981).
 * When the attempt may drop mmap_sem (maybe_unlock_mmap_for_io(): the
 * retry policy says so and RETRY_NOWAIT is not set) it is released, the
 * file pinned, before: synchronous readahead (read-around) on a miss,
 * asynchronous readahead on a PG_readahead page, waiting for the page
 * lock (then taken exclusively: lock_page_maybe_drop_mmap()), and the
 * readpage of a not-uptodate page.  Having dropped it, the fault returns
 * VM_FAULT_RETRY once it holds an uptodate page, so the next attempt
 * finds the page cached.  Nothing is dropped when readahead is off for
 * the VMA or after MMAP_LOTSAMISS misses (fault_sync_readahead_wanted()).
 * The no-cached-page path adds the page unlocked and not uptodate
 * (pagecache_get_page() with FGP_CREAT | FGP_FOR_MMAP), so it reads it
 * through the not-uptodate path.
 */
#include "config.h"

#include <errno.h>

#include "policies/builtin.h"

/* lock_page_maybe_drop_mmap() */
static bool lock_page_maybe_drop_mmap(struct vm_fault *vmf, struct page *page)
{
	if (trylock_page(page))
		return true;
	if (vmf_flags(vmf) & FAULT_FLAG_RETRY_NOWAIT)
		return false;
	maybe_unlock_mmap_for_lock(vmf);
	lock_page(vmf_task(vmf), page);
	return true;
}

static vm_fault_t filemap_fault_drop(struct vm_fault *vmf)
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
		if (fault_async_readahead_wanted(vmf, page)) {
			maybe_unlock_mmap_for_io(vmf);
			fault_async_readahead(vmf, page);
		}
	} else if (!page) {
		ret = VM_FAULT_MAJOR;
		if (fault_sync_readahead_wanted(vmf)) {
			maybe_unlock_mmap_for_io(vmf);
			fault_sync_readahead(vmf);
		}
retry_find:
		page = find_get_page(mapping, pgoff);
		if (!page) {
			/* pagecache_get_page(FGP_CREAT | FGP_FOR_MMAP) */
			err = add_to_page_cache_lru(t, mapping, pgoff, PC_GFP_KERNEL, &page);
			if (err == -EEXIST || err == -EBUSY) {
				if (err == -EBUSY)
					sim_sleep(t, 1000);
				goto retry_find;
			}
			if (err)
				return vmf_dropped(vmf) ? ret | VM_FAULT_RETRY : VM_FAULT_OOM;
			unlock_page(page);	/* FGP_FOR_MMAP: ours is a reference */
		}
	}
	if (!lock_page_maybe_drop_mmap(vmf, page))
		goto out_retry;
	/* Did it get truncated? */
	if (page_mapping(page) != mapping) {
		unlock_page(page);
		put_page(page);
		goto retry_find;
	}
	if (!PageUptodate(page))
		goto page_not_uptodate;
	/* We dropped mmap_sem: let the caller find the VMA again. */
	if (vmf_dropped(vmf)) {
		unlock_page(page);
		goto out_retry;
	}
	vmf_set_page(vmf, page);
	return ret | VM_FAULT_LOCKED;

page_not_uptodate:
	ClearPageError(page);
	maybe_unlock_mmap_for_io(vmf);
	pc_readpage(t, page);
	wait_on_page_locked(t, page);
	if (!PageUptodate(page)) {
		put_page(page);
		return vmf_dropped(vmf) ? ret | VM_FAULT_RETRY : VM_FAULT_SIGBUS;
	}
	if (vmf_dropped(vmf))
		goto out_retry;
	put_page(page);
	goto retry_find;

out_retry:
	put_page(page);
	return ret | VM_FAULT_RETRY;
}

const struct fs_fault_io_policy fs_fault_io_drop = {
	.version = FS_FAULT_IO_POLICY_VERSION,
	.name = "drop",
	.summary = "5.1+ (6b4c9f446981): drop mmap_sem before readahead, readpage and "
		   "page lock waits, then retry",
	.thread = "\"filemap: drop the mmap_sem for all blocking operations\", Josef Bacik, "
		  "Dec 2018, 6b4c9f446981",
	.fault = filemap_fault_drop,
};
