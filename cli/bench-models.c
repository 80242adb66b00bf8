/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim bench models: two textbook models run through faultsim's own
 * kernel models, for comparison with other simulators (the same models
 * written for SimPy, Cimba or as a plain C state machine).  Figures are
 * "NAME VALUE" lines (cli/bench.h: rounds, medians, wall and CPU clocks).
 *
 *   models.mm1.customers_per_cpu_s
 *	M/M/1 with lambda 0.9 and mu 1, one server: the disk model with
 *	depth 1, the fifo scheduler, no merging, setup exp(1 ms) and no
 *	transfer term, fed by Poisson arrivals at 0.9 per ms.  Customers
 *	served per CPU second (and _per_s, per wall second).  Also its mean
 *	response time (theory 1 / (mu - lambda) = 10 ms) and mean number in
 *	system (theory 9), to show the model is the one meant.
 *
 *   models.rwlock.acquisitions_per_cpu_s
 *	A reader/writer lock, through the rwsem model: 32 readers that
 *	think exp(5 us) then hold the lock for read exp(1 us), and 2 writers
 *	that think exp(200 us) then hold it for write exp(10 us).  The lock
 *	is FIFO and writer-fair: a reader that finds a writer holding it or
 *	anyone queued queues; a writer takes only a free lock with nobody
 *	queued; a wake-up grants the readers at the head of the queue up to
 *	the first writer.  Nobody spins and there is no CPU model: tasks
 *	think and hold by sleeping.  Acquisitions (read and write) per CPU
 *	second, and the fraction of acquisitions that waited.
 */
#include "config.h"

#include <stdio.h>

#include "cli/bench.h"
#include "faultsim/rwsem.h"
#include "sim/core/dist.h"
#include "sim/core/engine.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"
#include "sim/kernel/rwsem.h"

/* ------------------------------------------------------------------ */
/* The FIFO writer-fair lock, as an rwsem policy */

/* Slow paths: queue at once, no spinning, no stealing. */
static int fifo_down_read_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return rwsem_down_read_queue(sem, waiter, false);
}

static int fifo_down_write_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return rwsem_down_write_queue(sem, waiter);
}

/* Grant the readers at the head of the queue, up to the first writer. */
static unsigned int fifo_wake_readers(struct rw_semaphore *sem)
{
	struct rwsem_waiter *waiter, *next;
	unsigned int woken = 0;

	for (waiter = rwsem_first_waiter(sem); waiter; waiter = next) {
		next = rwsem_next_waiter(sem, waiter);
		if (rwsem_waiter_type(waiter) == RWSEM_WAITING_FOR_WRITE)
			break;
		rwsem_grant_reader(sem, waiter);
		woken++;
	}
	return woken;
}

/* The default fast paths (NULL) are already writer-fair: a reader backs
 * off from a writer, from waiters and from handoff; a writer takes only a
 * lock in its initial state. */
static const struct fs_rwsem_policy bench_rwsem_fifo = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "bench-fifo",
	.summary = "FIFO, writer-fair, no spinning (faultsim bench models)",
	.thread = "none: the textbook lock of the comparison",
	.down_read_slowpath = fifo_down_read_slowpath,
	.down_write_slowpath = fifo_down_write_slowpath,
	.wake_readers = fifo_wake_readers,
	.nonspinnable_kept = RWSEM_NONSPINNABLE,
	.nonspinnable_cleared = RWSEM_NONSPINNABLE,
	.spin_poll = 1 * NSEC_PER_USEC,
};

struct rwlock_model {
	struct rw_semaphore sem;
	struct sim_dist *read_think, *read_hold, *write_think, *write_hold;
	gsl_rng *read_rng, *write_rng;
	uint64_t acquisitions;
};

static void rwlock_reader(struct sim_task *t, void *arg)
{
	struct rwlock_model *m = arg;

	for (;;) {
		sim_sleep(t, sim_dist_sample_ns(m->read_think, m->read_rng));
		down_read(&m->sem, t);
		m->acquisitions++;
		sim_sleep(t, sim_dist_sample_ns(m->read_hold, m->read_rng));
		up_read(&m->sem, t);
	}
}

static void rwlock_writer(struct sim_task *t, void *arg)
{
	struct rwlock_model *m = arg;

	for (;;) {
		sim_sleep(t, sim_dist_sample_ns(m->write_think, m->write_rng));
		down_write(&m->sem, t);
		m->acquisitions++;
		sim_sleep(t, sim_dist_sample_ns(m->write_hold, m->write_rng));
		up_write(&m->sem, t);
	}
}

static void bench_rwlock(struct bench_out *out, sim_time_t sim_time)
{
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct sim_stats *st = sim_engine_stats(eng);
	struct rwlock_model m = {
		.read_think = sim_dist_new_exp(5e3),
		.read_hold = sim_dist_new_exp(1e3),
		.write_think = sim_dist_new_exp(200e3),
		.write_hold = sim_dist_new_exp(10e3),
		.read_rng = sim_rng(eng, "rwlock.read"),
		.write_rng = sim_rng(eng, "rwlock.write"),
	};
	struct bench_clock c;
	uint64_t contended;

	rwsem_init(&m.sem, eng, "rwlock", &bench_rwsem_fifo);
	for (int i = 0; i < 32; i++)
		sim_task_spawn(eng, "reader", rwlock_reader, &m);
	for (int i = 0; i < 2; i++)
		sim_task_spawn(eng, "writer", rwlock_writer, &m);
	sim_set_time_limit(eng, sim_time);

	bench_clock_start(&c);
	sim_run(eng);
	bench_clock_stop(&c);

	contended = *sim_stats_counter(st, "rwlock", "readContentions") +
		    *sim_stats_counter(st, "rwlock", "writeContentions");
	bench_rate(out, "models.rwlock.acquisitions", (double)m.acquisitions, &c);
	bench_figure(out, "models.rwlock.acquisitions", (double)m.acquisitions, 0);
	bench_figure(out, "models.rwlock.contended_fraction",
		     m.acquisitions ? (double)contended / (double)m.acquisitions : 0.0, 4);
	bench_figure(out, "models.rwlock.events_per_acquisition",
		     m.acquisitions ? (double)sim_events_dispatched(eng) /
				      (double)m.acquisitions : 0.0, 2);
	/* The tasks are blocked or sleeping forever: free them before the
	 * lock they may be queued on. */
	sim_engine_free(g_steal_pointer(&eng));
	rwsem_destroy(&m.sem);
	sim_dist_free(m.read_think);
	sim_dist_free(m.read_hold);
	sim_dist_free(m.write_think);
	sim_dist_free(m.write_hold);
}

void bench_models(struct bench_out *out, gboolean quick)
{
	uint64_t scale = quick ? 100 : 1;

	bench_disk_mm1(out, "models.mm1", "customers", 20000000 / scale);
	bench_rwlock(out, 2 * NSEC_PER_SEC / (sim_time_t)scale);
}
