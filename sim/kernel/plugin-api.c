/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The plugin interface's view of the kernel model (include/faultsim/):
 * the accessors through which a policy reads the structures it gets as
 * opaque handles, and the out-of-line copies of the functions the
 * simulator keeps inline (FS_INLINE in sim/kernel/page.h, pagelock.h,
 * mm.h: page flag tests, the page lock's fast paths, mmap_sem), which is
 * what a plugin calls.  Every function here is FS_API, listed in
 * include/faultsim/faultsim.sym.
 */
#define FS_INLINE_EMIT
#include "config.h"

#include <stddef.h>

#include "sim/kernel/fault.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/page.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/write.h"

/* ------------------------------------------------------------------ */
/* VMAs and mms */

uint64_t vma_vm_start(const struct vm_area_struct *vma)
{
	return vma->vm_start;
}

uint64_t vma_vm_end(const struct vm_area_struct *vma)
{
	return vma->vm_end;
}

pgoff_t vma_vm_pgoff(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff;
}

unsigned long vma_vm_flags(const struct vm_area_struct *vma)
{
	return vma->vm_flags;
}

struct address_space *vma_vm_file(const struct vm_area_struct *vma)
{
	return vma->vm_file;
}

struct mm_struct *vma_vm_mm(const struct vm_area_struct *vma)
{
	return vma->vm_mm;
}

unsigned int vma_vm_lock_seq(const struct vm_area_struct *vma)
{
	return vma->vm_lock_seq;
}

unsigned int mm_lock_seq(const struct mm_struct *mm)
{
	return mm->mm_lock_seq;
}

/* ------------------------------------------------------------------ */
/* The fault path */

/* Where each enum fault_cost's constant lives in struct fault_params: a
 * load through this table, where a switch compiled to a jump table whose
 * indirect branch mispredicted at most calls (the fault path asks for a
 * different cost each time). */
static const size_t fault_cost_offset[FAULT_NR_COSTS] = {
	[FAULT_COST_ENTRY] = offsetof(struct fault_params, entry),
	[FAULT_COST_VMA_LOOKUP] = offsetof(struct fault_params, vma_lookup),
	[FAULT_COST_ALLOC] = offsetof(struct fault_params, alloc),
	[FAULT_COST_ZERO] = offsetof(struct fault_params, zero),
	[FAULT_COST_COPY] = offsetof(struct fault_params, copy),
	[FAULT_COST_PTE_INSTALL] = offsetof(struct fault_params, pte_install),
	[FAULT_COST_FILEMAP] = offsetof(struct fault_params, filemap),
	[FAULT_COST_MAP_PAGE] = offsetof(struct fault_params, map_page),
	[FAULT_COST_SWAPIN] = offsetof(struct fault_params, swapin),
	[FAULT_COST_TOUCH] = offsetof(struct fault_params, touch),
};

sim_time_t fault_cost(const struct fault_sys *fs, enum fault_cost which)
{
	const struct fault_params *p = &fs->p;

	if (G_UNLIKELY((unsigned int)which >= FAULT_NR_COSTS))
		g_error("fault_cost(): no cost %d", (int)which);
	if (p->dist[which])
		return sim_dist_cost(p->dist[which], fs->rng, 0);
	return *(const sim_time_t *)((const char *)p + fault_cost_offset[which]);
}

void count_fault_event(struct fault_sys *fs, enum fault_event event)
{
	switch (event) {
	case VMA_LOCK_ABORT:	(*fs->st.vma_lock_abort)++; return;
	case SPF_SUCCESS:	(*fs->st.spf_success)++; return;
	case SPF_ABORT:		(*fs->st.spf_abort)++; return;
	case SPF_FALLBACK:	(*fs->st.spf_fallback)++; return;
	case VMA_LOCK_NOT_COVERED: (*fs->st.vma_lock_not_covered)++; return;
	}
	g_error("count_fault_event(): no event %d", (int)event);
}

struct fault_sys *vmf_fault_sys(const struct vm_fault *vmf)
{
	return vmf->fs;
}

struct sim_task *vmf_task(const struct vm_fault *vmf)
{
	return vmf->t;
}

struct mm_struct *vmf_mm(const struct vm_fault *vmf)
{
	return vmf->mm;
}

struct vm_area_struct *vmf_vma(const struct vm_fault *vmf)
{
	return vmf->vma;
}

struct address_space *vmf_mapping(const struct vm_fault *vmf)
{
	return vmf->mapping;
}

unsigned int vmf_flags(const struct vm_fault *vmf)
{
	return vmf->flags;
}

uint64_t vmf_address(const struct vm_fault *vmf)
{
	return vmf->address;
}

pgoff_t vmf_pgoff(const struct vm_fault *vmf)
{
	return vmf->pgoff;
}

bool vmf_dropped(const struct vm_fault *vmf)
{
	return vmf->dropped;
}

void vmf_set_page(struct vm_fault *vmf, struct page *page)
{
	vmf->page = page;
}

/* ------------------------------------------------------------------ */
/* khugepaged, write(2) */

struct sim_task *khugepaged_cc_task(const struct khugepaged_collapse *cc)
{
	return cc->t;
}

struct mm_struct *khugepaged_cc_mm(const struct khugepaged_collapse *cc)
{
	return cc->mm;
}

uint64_t khugepaged_cc_address(const struct khugepaged_collapse *cc)
{
	return cc->address;
}

unsigned int khugepaged_cc_swapped(const struct khugepaged_collapse *cc)
{
	return cc->swapped;
}

struct sim_task *write_iter_task(const struct write_iter *wi)
{
	return wi->t;
}
