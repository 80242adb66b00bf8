/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree map_pages policy: fault-around over 16 KiB instead of
 * 64 KiB.
 *
 * What it changes.  do_fault_around() hands ->map_pages() the window of
 * fault_around_bytes (64 KiB: 16 pages) aligned around the fault, clamped
 * to the VMA, the pte table and the file.  This policy narrows it to the
 * 16 KiB (4 pages) aligned block holding the fault, as writing 16384 to
 * the fault_around_bytes debugfs knob would, and maps what is cached
 * there as the merged filemap_map_pages() does (built-in `trylock`): skip
 * a page that is not uptodate or is a readahead marker, trylock it, check
 * its mapping, install the pte.
 *
 * Why try it.  Fault-around trades faults for ptes: a wider window maps
 * pages the process may never touch (each costs a pte install, a
 * reference and rmap work, and keeps the page looking used to reclaim),
 * a narrower one takes more faults.  The knob is per system; this shows
 * the trade on a given workload: fault.faults and fault.faultAroundMapped
 * against `trylock`.
 *
 * Build and use:
 *
 *	cc -shared -fPIC -o map-pages-16k.so map-pages-16k.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./map-pages-16k.so \
 *		--set 'policy.map_pages=${fa=trylock,fault-around-16k}' study.ini
 */
#include <faultsim/plugin.h>

const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

/* fault_around_bytes = 16 KiB */
#define WINDOW_PAGES	4u

static unsigned long filemap_map_pages_16k(struct vm_fault *vmf, pgoff_t start_pgoff,
					   pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf_vma(vmf);
	struct address_space *mapping = vmf_mapping(vmf);
	struct mm_struct *mm = vmf_mm(vmf);
	/* The aligned block of the faulting address, as file pages. */
	uint64_t block = vmf_address(vmf) & ~(uint64_t)(WINDOW_PAGES - 1);
	unsigned long mapped = 0;

	if (block > vma_vm_start(vma) && linear_page_index(vma, block) > start_pgoff)
		start_pgoff = linear_page_index(vma, block);
	if (linear_page_index(vma, block + WINDOW_PAGES - 1) < end_pgoff)
		end_pgoff = linear_page_index(vma, block + WINDOW_PAGES - 1);
	for (pgoff_t pgoff = start_pgoff; pgoff <= end_pgoff; pgoff++) {
		uint64_t addr = vma_vm_start(vma) + (pgoff - vma_vm_pgoff(vma));
		struct page *page = find_get_page(mapping, pgoff);

		if (!page)
			continue;
		if (!PageUptodate(page) || PageReadahead(page) || !trylock_page(page)) {
			put_page(page);
			continue;
		}
		if (page_mapping(page) == mapping && PageUptodate(page)) {
			fault_around_hit(vmf);
			if (pte_none(mm_pte(mm, addr)) && fault_around_set_pte(vmf, addr, page))
				mapped++;
		}
		unlock_page(page);
		put_page(page);
	}
	return mapped;
}

static const struct fs_fault_map_pages_policy map_pages_16k = {
	.version = FS_FAULT_MAP_PAGES_POLICY_VERSION,
	.name = "fault-around-16k",
	.summary = "example plugin: fault-around over 16 KiB (fault_around_bytes = 16384)",
	.thread = "\"mm: introduce vm_ops->map_pages()\", Kirill A. Shutemov, 2014 "
		  "(fault_around_bytes, its debugfs knob)",
	.map_pages = filemap_map_pages_16k,
};

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_fault_map_pages_policy(r, &map_pages_16k, error);
}
