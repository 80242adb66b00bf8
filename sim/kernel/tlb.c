/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TLB shootdowns: see tlb.h.  One event per IPI, at its delivery: the
 * target core takes the handler (sim_cpus_interrupt()), and a second
 * event at the handler's end acknowledges it; the last acknowledgement
 * wakes the initiator, which waits blocked on its CPU as
 * csd_lock_wait() spins with preemption off.
 */
#include "config.h"

#include "sim/kernel/tlb.h"
#include "sim/core/list.h"
#include "sim/core/stats.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/mm.h"

struct tlb_sys {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	struct tlb_params p;
	struct list_head batches;	/* every struct tlb_batch made */
	struct list_head free_batches;	/* of them, not in use */
	uint64_t *nr_shootdowns;	/* NULL until the first */
	uint64_t *nr_ipis;
	struct sim_hist *wait_time;
};

/* One shootdown, on the initiator's stack while it waits. */
struct tlb_wait {
	struct sim_task *t;
	unsigned int pending;
};

/* One IPI. */
struct tlb_ipi {
	struct tlb_sys *tlb;
	struct tlb_wait *w;
	unsigned int cpu;
	sim_time_t cost;
};

/* The IPIs of one shootdown, one per core at most; owned by the tlb_sys
 * (a run may end with an initiator still waiting: its events and its
 * batch are freed with the machine). */
struct tlb_batch {
	struct list_head node;		/* tlb->batches */
	struct list_head free_node;	/* tlb->free_batches while unused */
	struct tlb_ipi ipis[];
};

void tlb_params_init(struct tlb_params *p)
{
	*p = (struct tlb_params){
		.ipi_latency = 500,
		.ipi_cost = 1000,
		.flush_page = 100,
		.flush_ceiling = 33,
		.ipi_lazy = false,
	};
}

struct tlb_sys *tlb_sys_new(struct sim_engine *eng, struct sim_cpus *cpus,
			    const struct tlb_params *p)
{
	struct tlb_sys *tlb = g_new0(struct tlb_sys, 1);

	g_assert(p->ipi_latency >= 0 && p->ipi_cost >= 0 && p->flush_page >= 0);
	tlb->eng = eng;
	tlb->cpus = cpus;
	tlb->p = *p;
	INIT_LIST_HEAD(&tlb->batches);
	INIT_LIST_HEAD(&tlb->free_batches);
	return tlb;
}

void tlb_sys_free(struct tlb_sys *tlb)
{
	struct tlb_batch *b, *n;

	if (!tlb)
		return;
	list_for_each_entry_safe(b, n, &tlb->batches, node)
		g_free(b);
	g_free(tlb);
}

static struct tlb_batch *batch_get(struct tlb_sys *tlb)
{
	struct tlb_batch *b = list_first_entry_or_null(&tlb->free_batches, struct tlb_batch,
						       free_node);

	if (b) {
		list_del_init(&b->free_node);
		return b;
	}
	b = g_malloc(sizeof(*b) + sim_cpus_nr(tlb->cpus) * sizeof(b->ipis[0]));
	list_add_tail(&b->node, &tlb->batches);
	INIT_LIST_HEAD(&b->free_node);
	return b;
}

static void tlb_ack_event(struct sim_engine *eng, void *data)
{
	struct tlb_ipi *ipi = data;
	struct tlb_wait *w = ipi->w;

	(void)eng;
	g_assert(w->pending > 0);
	if (!--w->pending)
		sim_wake(w->t);
}

static void tlb_ipi_event(struct sim_engine *eng, void *data)
{
	struct tlb_ipi *ipi = data;
	sim_time_t end = sim_cpus_interrupt(ipi->tlb->cpus, ipi->cpu, ipi->cost);

	sim_schedule_at(eng, end, tlb_ack_event, ipi);
}

unsigned int flush_tlb_mm_range(struct sim_task *t, struct mm_struct *mm, uint64_t start,
				uint64_t end, bool freed_tables)
{
	struct tlb_sys *tlb = mm->tlb;
	struct tlb_wait w = { .t = t };
	struct tlb_batch *batch = NULL;
	unsigned int nr_cpus, self, n = 0;
	uint64_t pages = end > start ? end - start : 0;
	sim_time_t cost, since;
	int cpu;

	if (!tlb || !t || (cpu = sim_task_cpu(t)) < 0)
		return 0;
	nr_cpus = sim_cpus_nr(tlb->cpus);
	if (nr_cpus < 2)
		return 0;
	self = (unsigned int)cpu;
	/* flush_tlb_func(): INVLPG per page up to the ceiling, else the
	 * whole TLB, which the ceiling prices (Documentation/x86/tlb.rst). */
	cost = tlb->p.ipi_cost +
	       tlb->p.flush_page * (sim_time_t)MIN(pages, (uint64_t)tlb->p.flush_ceiling);
	for (unsigned int c = 0; c < nr_cpus; c++) {
		enum sim_core_mm s;

		if (c == self)
			continue;
		s = sim_cpus_core_mm(tlb->cpus, c, mm);
		if (s == SIM_CORE_MM_NONE ||
		    (s == SIM_CORE_MM_LAZY && !tlb->p.ipi_lazy && !freed_tables))
			continue;
		if (!batch)
			batch = batch_get(tlb);
		if (s == SIM_CORE_MM_LAZY)
			sim_cpus_core_leave_lazy(tlb->cpus, c);
		batch->ipis[n] = (struct tlb_ipi){ .tlb = tlb, .w = &w, .cpu = c, .cost = cost };
		n++;
	}
	if (!n)
		return 0;
	if (!tlb->nr_shootdowns) {
		struct sim_stats *st = sim_engine_stats(tlb->eng);

		tlb->nr_shootdowns = sim_stats_counter_unit(st, "tlb", "shootdowns", "flushes",
							    "TLB flushes that sent IPIs");
		tlb->nr_ipis = sim_stats_counter_unit(st, "tlb", "ipis", "IPIs",
						      "TLB flush IPIs sent");
		tlb->wait_time = sim_stats_hist_unit(st, "tlb", "waitTime", "ns",
						     "initiator: from the IPIs sent to the last "
						     "acknowledgement");
	}
	(*tlb->nr_shootdowns)++;
	*tlb->nr_ipis += n;
	w.pending = n;
	for (unsigned int i = 0; i < n; i++)
		sim_schedule(tlb->eng, tlb->p.ipi_latency, tlb_ipi_event, &batch->ipis[i]);
	since = sim_now(tlb->eng);
	sim_task_set_blocked_on(t, "tlb shootdown", mm);
	while (w.pending)
		sim_block_timeout_oncpu(t, -1);
	sim_hist_record(tlb->wait_time, (uint64_t)(sim_now(tlb->eng) - since));
	list_add(&batch->free_node, &tlb->free_batches);
	return n;
}
