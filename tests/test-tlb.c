/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TLB shootdowns (sim/kernel/tlb.h) and the CPU model's interrupts
 * (sim_cpus_interrupt()): which cores an mm's flush reaches, what the
 * interrupted task loses, how long the initiator waits, lazy cores by
 * kernel version, and a one-CPU machine that sends nothing.
 *
 * Context switch 0, so that the times are the work and the IPIs alone.
 */
#include "config.h"

#include "sim/kernel/cpu.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/tlb.h"
#include "sim/core/stats.h"

#define US NSEC_PER_USEC
#define LAT 500			/* ipi_latency */
#define COST 2000		/* ipi_cost */
#define PAGE 100		/* flush_page */

struct worker {
	sim_time_t start;	/* begin the work at */
	sim_time_t work;
	sim_time_t done;	/* when the work ended */
};

struct initiator {
	struct mm_struct *mm;
	sim_time_t at;		/* flush at */
	uint64_t pages;
	bool freed_tables;
	unsigned int sent;
	sim_time_t waited;
};

static void worker_fn(struct sim_task *t, void *arg)
{
	struct worker *w = arg;

	if (w->start)
		sim_sleep(t, w->start);
	cpu_work(t, w->work);
	w->done = sim_now(sim_task_engine(t));
}

static void initiator_fn(struct sim_task *t, void *arg)
{
	struct initiator *in = arg;
	sim_time_t t0;

	cpu_work(t, in->at);
	t0 = sim_now(sim_task_engine(t));
	in->sent = flush_tlb_mm_range(t, in->mm, 100, 100 + in->pages, in->freed_tables);
	in->waited = sim_now(sim_task_engine(t)) - t0;
}

struct rig {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	struct tlb_sys *tlb;
	struct mm_struct mm, other;
};

static void rig_init(struct rig *r, unsigned int nr_cpus, bool ipi_lazy)
{
	struct sim_cpus_params cp;
	struct tlb_params tp;

	memset(r, 0, sizeof(*r));
	r->eng = sim_engine_new(1);
	sim_cpus_params_init(&cp);
	cp.nr_cpus = nr_cpus;
	cp.ctx_switch = 0;
	cp.slice = 0;
	r->cpus = sim_cpus_new(r->eng, &cp);
	tlb_params_init(&tp);
	tp.ipi_latency = LAT;
	tp.ipi_cost = COST;
	tp.flush_page = PAGE;
	tp.ipi_lazy = ipi_lazy;
	r->tlb = tlb_sys_new(r->eng, r->cpus, &tp);
	r->mm.tlb = r->tlb;
	r->other.tlb = r->tlb;
}

static void rig_free(struct rig *r)
{
	sim_engine_free(r->eng);
	sim_cpus_free(r->cpus);
	tlb_sys_free(r->tlb);
}

static struct sim_task *spawn(struct rig *r, unsigned int cpu, const void *mm, sim_task_fn *fn,
			      void *arg)
{
	struct sim_task *t = sim_task_spawn(r->eng, "t", fn, arg);
	uint64_t mask = UINT64_C(1) << cpu;

	sim_cpus_attach_mask(r->cpus, t, &mask);
	sim_cpus_task_set_mm(t, mm);
	return t;
}

static uint64_t counter(struct rig *r, const char *module, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(r->eng), module, name);
}

/* 4 cores: the initiator on 0, a thread of its mm on 1 and on 2, a task
 * of another mm on 3.  The IPIs reach 1 and 2 only; each loses the
 * handler (ipi_cost + 4 pages); the initiator waits latency + handler. */
static void test_targets(void)
{
	struct rig r;
	struct worker same1 = { .work = 100 * US }, same2 = { .work = 100 * US },
		      other = { .work = 100 * US };
	struct initiator in = { .at = 10 * US, .pages = 4 };
	sim_time_t handler = COST + 4 * PAGE;

	rig_init(&r, 4, false);
	in.mm = &r.mm;
	spawn(&r, 0, &r.mm, initiator_fn, &in);
	spawn(&r, 1, &r.mm, worker_fn, &same1);
	spawn(&r, 2, &r.mm, worker_fn, &same2);
	spawn(&r, 3, &r.other, worker_fn, &other);
	sim_run(r.eng);
	g_assert_cmpuint(in.sent, ==, 2);
	g_assert_cmpuint(counter(&r, "tlb", "ipis"), ==, 2);
	g_assert_cmpuint(counter(&r, "cpu", "interrupts"), ==, 2);
	g_assert_cmpint(in.waited, ==, LAT + handler);
	g_assert_cmpint(same1.done, ==, 100 * US + handler);
	g_assert_cmpint(same2.done, ==, 100 * US + handler);
	g_assert_cmpint(other.done, ==, 100 * US);
	g_assert_cmpint(sim_cpus_irq_time(r.cpus, 1), ==, handler);
	g_assert_cmpint(sim_cpus_irq_time(r.cpus, 3), ==, 0);
	/* The handler is busy time of its core; the initiator's wait of its. */
	g_assert_cmpint(sim_cpus_busy(r.cpus, 1), ==, 100 * US + handler);
	g_assert_cmpint(sim_cpus_busy(r.cpus, 0), ==, 10 * US + LAT + handler);
	rig_free(&r);
}

/* A range above tlb_single_page_flush_ceiling costs the ceiling's pages. */
static void test_ceiling(void)
{
	struct rig r;
	struct worker w = { .work = 50 * US };
	struct initiator in = { .at = 1 * US, .pages = 512 };

	rig_init(&r, 2, false);
	in.mm = &r.mm;
	spawn(&r, 0, &r.mm, initiator_fn, &in);
	spawn(&r, 1, &r.mm, worker_fn, &w);
	sim_run(r.eng);
	g_assert_cmpuint(in.sent, ==, 1);
	g_assert_cmpint(w.done, ==, 50 * US + COST + 33 * PAGE);
	rig_free(&r);
}

/* Two initiators flushing at once: the target takes the handlers one
 * after the other and loses both; the second initiator waits for the
 * first's handler too. */
static void test_two_initiators(void)
{
	struct rig r;
	struct worker w = { .work = 100 * US };
	struct initiator a = { .at = 10 * US, .pages = 1 }, b = { .at = 10 * US, .pages = 1 };
	sim_time_t handler = COST + PAGE;

	rig_init(&r, 3, false);
	a.mm = b.mm = &r.mm;
	spawn(&r, 0, &r.mm, initiator_fn, &a);
	spawn(&r, 1, &r.mm, initiator_fn, &b);
	spawn(&r, 2, &r.mm, worker_fn, &w);
	sim_run(r.eng);
	/* Each initiator also interrupts the other, which waits on its CPU. */
	g_assert_cmpuint(a.sent, ==, 2);
	g_assert_cmpuint(b.sent, ==, 2);
	g_assert_cmpint(w.done, ==, 100 * US + 2 * handler);
	g_assert_cmpint(MAX(a.waited, b.waited), ==, LAT + 2 * handler);
	rig_free(&r);
}

/* An idle core that last ran the mm holds it lazily: 6.x skips it unless
 * page tables were freed; 4.19 (ipi_lazy) sends to it, and it then leaves
 * lazy mode.  Its handler costs nobody. */
static void test_lazy(void)
{
	for (int v = 0; v < 3; v++) {
		struct rig r;
		struct worker early = { .work = 5 * US };
		struct initiator in = { .at = 20 * US, .pages = 1, .freed_tables = v == 1 };
		struct initiator again = { .at = 40 * US, .pages = 1 };

		rig_init(&r, 2, v == 2);
		in.mm = again.mm = &r.mm;
		spawn(&r, 0, &r.mm, initiator_fn, &in);
		spawn(&r, 1, &r.mm, worker_fn, &early);
		spawn(&r, 0, &r.mm, initiator_fn, &again);
		sim_run(r.eng);
		g_assert_cmpint(early.done, ==, 5 * US);
		g_assert_cmpuint(in.sent, ==, v == 0 ? 0 : 1);
		g_assert_cmpint(in.waited, ==, v == 0 ? 0 : LAT + COST + PAGE);
		/* After a flush the core is no longer lazy; without one it
		 * still is, and 6.x still skips it. */
		g_assert_cmpuint(again.sent, ==, 0);
		rig_free(&r);
	}
}

/* A spinner on the target (cpu_spin) woken while the handler runs goes on
 * when the handler ends. */
struct spinner {
	struct sim_task *t;
	sim_time_t woke;
};

static void spinner_fn(struct sim_task *t, void *arg)
{
	struct spinner *s = arg;

	s->t = t;
	g_assert_true(cpu_spin(t, -1));
	s->woke = sim_now(sim_task_engine(t));
}

static void wake_event(struct sim_engine *eng, void *data)
{
	(void)eng;
	sim_wake(((struct spinner *)data)->t);
}

static void test_spinner(void)
{
	struct rig r;
	struct spinner s = { 0 };
	struct initiator in = { .at = 10 * US, .pages = 1 };

	rig_init(&r, 2, false);
	in.mm = &r.mm;
	spawn(&r, 0, &r.mm, initiator_fn, &in);
	spawn(&r, 1, &r.mm, spinner_fn, &s);
	/* the handler runs from 10.5 us to 12.6 us: wake at 11 us */
	sim_schedule(r.eng, 11 * US, wake_event, &s);
	sim_run(r.eng);
	g_assert_cmpint(s.woke, ==, 10 * US + LAT + COST + PAGE);
	rig_free(&r);
}

/* One CPU: nothing to send, nothing charged; a task not on a CPU (set-up
 * code) sends nothing either. */
static void test_one_cpu(void)
{
	struct rig r;
	struct initiator in = { .at = 10 * US, .pages = 1 };
	struct worker w = { .work = 30 * US };

	rig_init(&r, 1, true);
	in.mm = &r.mm;
	spawn(&r, 0, &r.mm, initiator_fn, &in);
	spawn(&r, 0, &r.mm, worker_fn, &w);
	sim_run(r.eng);
	g_assert_cmpuint(in.sent, ==, 0);
	g_assert_cmpint(in.waited, ==, 0);
	g_assert_cmpint(w.done, ==, 40 * US);
	g_assert_cmpuint(flush_tlb_mm_range(NULL, &r.mm, 0, 1, true), ==, 0);
	rig_free(&r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tlb/targets", test_targets);
	g_test_add_func("/tlb/ceiling", test_ceiling);
	g_test_add_func("/tlb/two-initiators", test_two_initiators);
	g_test_add_func("/tlb/lazy", test_lazy);
	g_test_add_func("/tlb/spinner", test_spinner);
	g_test_add_func("/tlb/one-cpu", test_one_cpu);
	return g_test_run();
}
