/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TLB shootdowns (x86: arch/x86/mm/tlb.c flush_tlb_mm_range() and
 * native_flush_tlb_others() / native_flush_tlb_multi(); docs/kernel.md
 * "TLB shootdowns").
 *
 * A change of present ptes (mprotect, munmap, mremap, MADV_DONTNEED) ends
 * in a flush of the range on every CPU that may cache the mm's
 * translations: the initiator flushes its own TLB (within the operation's
 * own cost) and sends an IPI to each other CPU of the mm's cpumask, then
 * waits on its CPU, preemption off, until every target has run the flush
 * function (smp_call_function_many() with wait).  Model: the targets are
 * the cores running a task of the mm other than the initiator's (running
 * or switching in, sim_cpus_core_mm()), and the idle cores still holding
 * it lazily when the kernel sends to those (every flush before 4.20; a
 * flush that freed page tables after).  Each IPI reaches its core
 * ipi_latency after the send; the core then runs a handler of ipi_cost
 * plus flush_page per page of the range (the cost of tlb_single_page_
 * flush_ceiling pages for a larger range, which the kernel flushes
 * whole), stolen from whatever runs there (sim_cpus_interrupt()); the
 * initiator waits, holding its core, until the last handler ends.  A lazy
 * core that took the flush leaves lazy mode (it switches to init_mm).
 *
 * No cost is charged when the mm has no tlb (NULL), the initiator is not
 * on a CPU (set-up code), or no other core runs the mm: a one-CPU run is
 * unchanged.
 *
 * Measurements (module "tlb", made at the first shootdown): counters
 * "shootdowns" (flushes that sent IPIs), "ipis", histogram "waitTime"
 * (ns the initiator waited for the acks).
 */
#ifndef FAULTSIM_SIM_TLB_H
#define FAULTSIM_SIM_TLB_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/core/engine.h"
#include "sim/core/task.h"

struct sim_cpus;
struct mm_struct;

struct tlb_params {
	sim_time_t ipi_latency;		/* send to the handler's start */
	sim_time_t ipi_cost;		/* a target's handler: entry, flush_tlb_func(), exit */
	sim_time_t flush_page;		/* one page flushed (INVLPG) */
	unsigned int flush_ceiling;	/* tlb_single_page_flush_ceiling */
	bool ipi_lazy;			/* every flush reaches lazy CPUs (before 4.20) */
};

/* Defaults: 500 ns latency, 1 us handler, 100 ns a page, ceiling 33, lazy
 * CPUs only for freed page tables. */
void tlb_params_init(struct tlb_params *p);

struct tlb_sys;
/* The machine's shootdowns on @cpus (a single-CPU machine never sends). */
struct tlb_sys *tlb_sys_new(struct sim_engine *eng, struct sim_cpus *cpus,
			    const struct tlb_params *p);
void tlb_sys_free(struct tlb_sys *tlb);

/*
 * Flush pages [@start, @end) of @mm everywhere, for @t (mmap_sem held as
 * the caller's operation needs), after it changed or removed present ptes
 * there; @freed_tables: page tables were freed too.  Returns the IPIs
 * sent.  @t blocks on its CPU until they are acknowledged.
 */
unsigned int flush_tlb_mm_range(struct sim_task *t, struct mm_struct *mm, uint64_t start,
				uint64_t end, bool freed_tables);

#endif /* FAULTSIM_SIM_TLB_H */
