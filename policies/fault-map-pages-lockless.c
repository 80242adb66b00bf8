/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * map_pages lockless: fault-around without the page lock.
 *
 * Thread it models: "Some more lock_page work", Linus Torvalds, Oct 2020
 * (the proposal, not merged in this form): filemap_map_pages() does not
 * take the page lock at all.  Under the page-table lock it checks that
 * the page is not locked (and is uptodate and no readahead marker), raises
 * the map count, checks the lock bit again (whoever locks the page to
 * truncate or migrate it will then see the mapping and unmap it), and
 * installs the pte.  Nothing collides on the page lock, so a cached
 * faulting page is mapped here unless someone really holds its lock.
 *
 * In the simulator the pte install cost is spent first; the checks, the
 * map count and the pte then happen at one instant, so the second check
 * can only fail if the page was locked during the first part.
 */
#include "config.h"

#include "policies/builtin.h"

static unsigned long filemap_map_pages_lockless(struct vm_fault *vmf, pgoff_t start_pgoff,
						pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf_vma(vmf);
	struct address_space *mapping = vmf_mapping(vmf);
	struct mm_struct *mm = vmf_mm(vmf);
	sim_time_t map_page = fault_cost(vmf_fault_sys(vmf), FAULT_COST_MAP_PAGE);
	unsigned long mapped = 0;
	/* vm_start - vm_pgoff: read again after each step that may sleep,
	 * not at every page of the window. */
	uint64_t delta = vma_vm_start(vma) - vma_vm_pgoff(vma);

	for (pgoff_t pgoff = start_pgoff; pgoff <= end_pgoff; pgoff++) {
		uint64_t addr = pgoff + delta;
		struct page *page = find_get_page(mapping, pgoff);

		if (!page)
			continue;
		if (PageLocked(page) || !PageUptodate(page) || PageReadahead(page))
			goto skip;
		if (!pte_none(mm_pte(mm, addr)))
			goto skip;
		/* The page-table lock and the install. */
		cpu_work(vmf_task(vmf), map_page);
		delta = vma_vm_start(vma) - vma_vm_pgoff(vma);
		/* Check again: locked meanwhile (truncation, migration)? */
		if (PageLocked(page) || page_mapping(page) != mapping)
			goto skip;
		fault_around_hit(vmf);
		if (mm_map_page(mm, vma, addr, page) == 0)
			mapped++;
skip:
		put_page(page);
	}
	return mapped;
}

const struct fs_fault_map_pages_policy fs_fault_map_pages_lockless = {
	.version = FS_FAULT_MAP_PAGES_POLICY_VERSION,
	.name = "lockless",
	.summary = "2020 proposal: fault-around maps pages without the page lock",
	.thread = "\"Some more lock_page work\", Linus Torvalds, Oct 2020 (proposal, not "
		  "merged in this form)",
	.map_pages = filemap_map_pages_lockless,
};
