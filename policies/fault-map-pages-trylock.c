/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * map_pages trylock: filemap_map_pages() as merged (fault-around since
 * 3.15, "mm: introduce vm_ops->map_pages()", Kirill A. Shutemov, 2014;
 * as of 5.8).
 *
 * Thread it models: "Some more lock_page work", Linus Torvalds, Oct
 * 2020, which describes this behaviour as the problem: every cached page
 * of the window is skipped if it is not uptodate or is a PG_readahead
 * marker, then trylock_page()d and skipped if that fails; its mapping is
 * checked under the lock, the pte installed, the page unlocked.  Under
 * contention (many address spaces faulting the same pages) the trylocks
 * collide, the faulting page itself gets skipped, and the fault falls out
 * of the fast path into filemap_fault(), which takes the page lock: the
 * "faultAroundFallback" counter.  The pte is installed while the page is
 * locked (the fault.map_page cost).
 */
#include "config.h"

#include "policies/builtin.h"

static unsigned long filemap_map_pages_trylock(struct vm_fault *vmf, pgoff_t start_pgoff,
					       pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf_vma(vmf);
	struct address_space *mapping = vmf_mapping(vmf);
	struct mm_struct *mm = vmf_mm(vmf);
	unsigned long mapped = 0;
	/* vm_start - vm_pgoff: read again after each step that may sleep,
	 * not at every page of the window. */
	uint64_t delta = vma_vm_start(vma) - vma_vm_pgoff(vma);

	for (pgoff_t pgoff = start_pgoff; pgoff <= end_pgoff; pgoff++) {
		uint64_t addr = pgoff + delta;
		struct page *page = find_get_page(mapping, pgoff);

		if (!page)
			continue;
		if (!PageUptodate(page) || PageReadahead(page))
			goto skip;
		if (!trylock_page(page))
			goto skip;
		if (page_mapping(page) != mapping || !PageUptodate(page))
			goto unlock;
		fault_around_hit(vmf);
		if (!pte_none(mm_pte(mm, addr)))
			goto unlock;
		if (fault_around_set_pte(vmf, addr, page))
			mapped++;
		delta = vma_vm_start(vma) - vma_vm_pgoff(vma);
unlock:
		unlock_page(page);
skip:
		put_page(page);
	}
	return mapped;
}

const struct fs_fault_map_pages_policy fs_fault_map_pages_trylock = {
	.version = FS_FAULT_MAP_PAGES_POLICY_VERSION,
	.name = "trylock",
	.summary = "fault-around trylocks each page and skips it on failure (as merged)",
	.thread = "\"Some more lock_page work\", Linus Torvalds, Oct 2020 (the code it "
		  "criticises: filemap_map_pages())",
	.map_pages = filemap_map_pages_trylock,
};
