/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmap_sem (rwsem) tests: scripted scenarios asserting what the kernel
 * does with each built-in policy (readers behind a queued writer, bulk
 * reader wake-up, handoff against stealers, spinning, downgrade, trylock,
 * killable waits, the lock-event counters), and a randomized stress of
 * every policy with the invariant checker on (as in every test here).
 *
 * Times in the scripted scenarios are exact: tasks not attached to the CPU
 * model run as soon as they are woken, and those attached run with a
 * constant wake-up latency and a 1 us context switch.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "policies/builtin.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/rwsem.h"
#include "sim/core/stats.h"

#define US NSEC_PER_USEC
#define MS NSEC_PER_MSEC

static const char *const kernel_variants[] = { "v4.19", "v5.3", "v5.11" };
static const char *const all_variants[] = { "v4.19", "v5.3", "v5.11", "reader-pref" };

/* ------------------------------------------------------------------ */
/* Harness */

struct rwt {
	struct sim_engine *eng;
	struct sim_cpus *cpus;		/* NULL: tasks not attached */
	struct rw_semaphore sem;
	const char *variant;
};

/* @latency < 0: no CPU model. */
static void rwt_init_v(struct rwt *w, const struct fs_rwsem_policy *v, unsigned int nr_cpus,
		       sim_time_t latency)
{
	w->eng = sim_engine_new(42);
	sim_engine_set_checks(w->eng, true);
	w->cpus = NULL;
	w->variant = v->name;
	if (latency >= 0) {
		struct sim_cpus_params p;
		g_autoptr(sim_dist) lat = sim_dist_new_const((double)latency);

		sim_cpus_params_init(&p);
		p.nr_cpus = nr_cpus;
		p.ctx_switch = 1 * US;
		p.wake_latency = latency ? lat : NULL;
		w->cpus = sim_cpus_new(w->eng, &p);
	}
	rwsem_init(&w->sem, w->eng, "mmap_sem", v);
}

/* The built-in rwsem policy called @name. */
static const struct fs_rwsem_policy *builtin(const char *name)
{
	for (unsigned int i = 0; fs_builtin_rwsem_policies[i]; i++)
		if (strcmp(fs_builtin_rwsem_policies[i]->name, name) == 0)
			return fs_builtin_rwsem_policies[i];
	g_error("no built-in rwsem policy %s", name);
}

static void rwt_init(struct rwt *w, const char *variant, unsigned int nr_cpus,
		     sim_time_t latency)
{
	rwt_init_v(w, builtin(variant), nr_cpus, latency);
}

static void rwt_fini(struct rwt *w)
{
	rwsem_destroy(&w->sem);
	sim_engine_free(w->eng);
	sim_cpus_free(w->cpus);
}

static uint64_t ev(struct rwt *w, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(w->eng), "mmap_sem", name);
}

static struct sim_hist *hist(struct rwt *w, const char *name)
{
	return sim_stats_hist(sim_engine_stats(w->eng), "mmap_sem", name);
}

static struct sim_task *spawn(struct rwt *w, const char *name, sim_task_fn *fn, void *arg)
{
	struct sim_task *t = sim_task_spawn(w->eng, name, fn, arg);

	if (w->cpus)
		sim_cpus_attach(w->cpus, t);
	return t;
}

/*
 * An actor takes the lock once: arrives at @arrive, takes it as @op says,
 * holds it for @hold (computing on its CPU if @oncpu, else sleeping) and
 * then computes for @cpu, and releases it.  'd' is a writer that
 * downgrades after that and then holds the read lock for @hold2.
 */
struct actor {
	struct rwt *w;
	const char *name;
	char op;		/* r, w, R (killable read), W (killable write), d */
	sim_time_t arrive;
	sim_time_t hold;
	sim_time_t hold2;
	sim_time_t cpu;
	bool oncpu;
	/* results */
	struct sim_task *task;
	sim_time_t called, acquired, released;
	int ret;
	bool done;
};

static void actor_hold(struct actor *a, struct sim_task *t, sim_time_t ns)
{
	if (a->oncpu)
		cpu_work(t, ns);
	else if (ns)
		sim_sleep(t, ns);
	if (a->cpu)
		cpu_work(t, a->cpu);
}

static void actor_fn(struct sim_task *t, void *arg)
{
	struct actor *a = arg;
	struct rw_semaphore *sem = &a->w->sem;

	if (a->arrive > sim_now(a->w->eng))
		sim_sleep(t, a->arrive - sim_now(a->w->eng));
	a->called = sim_now(a->w->eng);
	switch (a->op) {
	case 'r':
		down_read(sem, t);
		break;
	case 'R':
		a->ret = down_read_killable(sem, t);
		break;
	case 'w':
	case 'd':
		down_write(sem, t);
		break;
	case 'W':
		a->ret = down_write_killable(sem, t);
		break;
	default:
		g_assert_not_reached();
	}
	a->acquired = sim_now(a->w->eng);
	if (a->ret == 0) {
		actor_hold(a, t, a->hold);
		if (a->op == 'd') {
			downgrade_write(sem, t);
			actor_hold(a, t, a->hold2);
		}
		if (a->op == 'r' || a->op == 'R' || a->op == 'd')
			up_read(sem, t);
		else
			up_write(sem, t);
	}
	a->released = sim_now(a->w->eng);
	a->done = true;
}

static void spawn_actors(struct rwt *w, struct actor *as, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		as[i].w = w;
		as[i].task = spawn(w, as[i].name, actor_fn, &as[i]);
	}
}

static void run_all(struct rwt *w, struct actor *as, size_t n)
{
	g_assert_cmpint(sim_run(w->eng), ==, SIM_STOP_EMPTY);
	for (size_t i = 0; i < n; i++) {
		if (!as[i].done)
			g_error("%s: actor %s never finished", w->variant, as[i].name);
		g_test_message("%-6s %-4s called %8.1f acquired %8.1f released %8.1f us, ret %d",
			       w->variant, as[i].name, as[i].called / 1e3,
			       as[i].acquired / 1e3, as[i].released / 1e3, as[i].ret);
	}
	g_assert_false(rwsem_is_locked(&w->sem));
	g_assert_false(rwsem_is_contended(&w->sem));
	g_assert_cmpuint(rwsem_count(&w->sem), ==, 0);
	rwsem_check(&w->sem);
}

/* Kill @target at @at. */
struct killer {
	struct rwt *w;
	struct actor *target;
	sim_time_t at;
	bool result;
};

static void killer_fn(struct sim_task *t, void *arg)
{
	struct killer *k = arg;

	sim_sleep(t, k->at - sim_now(k->w->eng));
	k->result = rwsem_kill(&k->w->sem, k->target->task);
}

/* ------------------------------------------------------------------ */
/* Variants */

static int fake_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return 0;
}

static unsigned int fake_wake_readers(struct rw_semaphore *sem)
{
	return 0;
}

static bool fake_handoff_spin(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return false;
}

/* What each built-in policy does, as far as its table shows it, and what
 * rwsem_policy_check() refuses. */
static void test_policies(void)
{
	static const struct {
		const char *field;
		struct fs_rwsem_policy ops;
	} bad[] = {
		{ "down_read_slowpath", { .name = "x", .down_write_slowpath = fake_slowpath,
					  .wake_readers = fake_wake_readers, .spin_poll = 1 } },
		{ "down_write_slowpath", { .name = "x", .down_read_slowpath = fake_slowpath,
					   .wake_readers = fake_wake_readers, .spin_poll = 1 } },
		{ "wake_readers", { .name = "x", .down_read_slowpath = fake_slowpath,
				    .down_write_slowpath = fake_slowpath, .spin_poll = 1 } },
		{ "spin_poll", { .name = "x", .down_read_slowpath = fake_slowpath,
				 .down_write_slowpath = fake_slowpath,
				 .wake_readers = fake_wake_readers } },
		{ "nonspinnable_kept", { .name = "x", .down_read_slowpath = fake_slowpath,
					 .down_write_slowpath = fake_slowpath,
					 .wake_readers = fake_wake_readers, .spin_poll = 1,
					 .nonspinnable_kept = RWSEM_READER_OWNED } },
		{ "handoff_spin needs handoff", { .name = "x", .down_read_slowpath = fake_slowpath,
				    .down_write_slowpath = fake_slowpath,
				    .wake_readers = fake_wake_readers, .spin_poll = 1,
				    .handoff_spin = fake_handoff_spin } },
	};
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	struct rw_semaphore sem;
	unsigned int i;

	/* The built-ins in listing order: all_variants, and v5.4 (5.3 and
	 * the handoff writer's spin, tested on its own below). */
	static const char *const builtins[] = { "v4.19", "v5.3", "v5.4", "v5.11", "reader-pref" };

	for (i = 0; i < G_N_ELEMENTS(builtins); i++) {
		g_assert_nonnull(fs_builtin_rwsem_policies[i]);
		g_assert_cmpstr(fs_builtin_rwsem_policies[i]->name, ==, builtins[i]);
		g_assert_true(rwsem_policy_check(fs_builtin_rwsem_policies[i], NULL));
	}
	g_assert_null(fs_builtin_rwsem_policies[i]);

	/* 4.19: no handoff, writers do not spin on readers. */
	g_assert_null(fs_rwsem_v4_19.handoff);
	g_assert_null(fs_rwsem_v4_19.rspin_threshold);
	/* 5.3 and 5.11: handoff, writers spin on readers 10 us + 0.5 us a
	 * reader, at most 25 us; the 5.11 handoff writer spins. */
	rwsem_init(&sem, eng, "mmap_sem", &fs_rwsem_v5_3);
	g_assert_nonnull(fs_rwsem_v5_3.handoff);
	g_assert_null(fs_rwsem_v5_3.handoff_spin);
	g_assert_cmpint(fs_rwsem_v5_3.rspin_threshold(&sem), ==, 10 * US);
	g_assert_cmpint(fs_rwsem_v5_11.rspin_threshold(&sem), ==, 10 * US);
	g_assert_nonnull(fs_rwsem_v5_11.handoff_spin);
	g_assert_nonnull(fs_rwsem_v5_4.handoff_spin);
	g_assert_true(fs_rwsem_v5_4.down_write_slowpath == fs_rwsem_v5_3.down_write_slowpath);
	g_assert_cmpint(fs_rwsem_v5_3.nonspinnable_kept, ==, RWSEM_RD_NONSPINNABLE);
	g_assert_cmpint(fs_rwsem_v5_11.nonspinnable_kept, ==, RWSEM_NONSPINNABLE);
	rwsem_destroy(&sem);
	/* reader-pref: its own fast paths, readers lead the wake-ups. */
	g_assert_nonnull(fs_rwsem_reader_pref.read_fastpath);
	g_assert_nonnull(fs_rwsem_reader_pref.wake_first);
	g_assert_null(fs_rwsem_reader_pref.handoff);

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;

		g_assert_false(rwsem_policy_check(&bad[i].ops, &error));
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, "'x'"));
		g_assert_nonnull(strstr(error->message, bad[i].field));
	}

	g_assert_cmpstr(rwsem_event_name(LOCKEVENT_rwsem_sleep_reader), ==,
			"rwsem_sleep_reader");
	g_assert_cmpstr(rwsem_event_name(LOCKEVENT_rwsem_wlock_handoff), ==,
			"rwsem_wlock_handoff");
}

/* ------------------------------------------------------------------ */
/* A newly arriving reader queues behind a queued writer */

/*
 * R1 and R2 hold the lock until 1000 and 1010 us; W arrives at 100 us
 * (in 5.x it first spins 11 us on the two readers, then marks them
 * nonspinnable and queues); R3 and R4 arrive at 300 and 400 us.  Kernel:
 * R3 and R4 queue behind W, W gets the lock when the readers drain
 * (1010 us), and R3 and R4 together when W releases it (1110 us).
 * reader-pref: R3 and R4 take it at once, W waits for every reader.
 */
static void test_reader_behind_writer(gconstpointer data)
{
	const char *variant = data;
	struct rwt w;
	struct actor as[] = {
		{ .name = "R1", .op = 'r', .arrive = 0, .hold = 1000 * US },
		{ .name = "R2", .op = 'r', .arrive = 10 * US, .hold = 1000 * US },
		{ .name = "W", .op = 'w', .arrive = 100 * US, .hold = 100 * US },
		{ .name = "R3", .op = 'r', .arrive = 300 * US, .hold = 100 * US },
		{ .name = "R4", .op = 'r', .arrive = 400 * US, .hold = 100 * US },
	};

	rwt_init(&w, variant, 0, -1);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	run_all(&w, as, G_N_ELEMENTS(as));

	if (strcmp(variant, "reader-pref") == 0) {
		g_assert_cmpint(as[3].acquired, ==, 300 * US);
		g_assert_cmpint(as[4].acquired, ==, 400 * US);
		g_assert_cmpint(as[2].acquired, ==, 1010 * US);
	} else {
		g_assert_cmpint(as[2].acquired, ==, 1010 * US);
		g_assert_cmpint(as[3].acquired, ==, 1110 * US);
		g_assert_cmpint(as[4].acquired, ==, 1110 * US);
		g_assert_cmpuint(ev(&w, "rwsem_sleep_reader"), ==, 2);
		g_assert_cmpuint(ev(&w, "rwsem_wake_reader"), ==, 1);
	}
	if (strcmp(variant, "v5.3") == 0 || strcmp(variant, "v5.11") == 0) {
		/* The writer's spin on two readers: 10 + 2 x 0.5 us. */
		g_assert_cmpuint(ev(&w, "rwsem_opt_nospin"), ==, 1);
		g_assert_cmpuint(sim_hist_max(hist(&w, "writeSpinTime")), ==, 11 * US);
	}
	rwt_fini(&w);
}

/* ------------------------------------------------------------------ */
/* The reader wake-up: R W R R queued at an up_write */

/*
 * W0 holds the lock (asleep, so nobody spins on it) until 1000 us; R1, W2,
 * R3, R4 queue at 100, 200, 300, 400 us; readers hold 500 us, W2 100 us.
 * 5.3+: the wake-up grants R1, R3 and R4 (skipping W2), W2 gets the lock
 * at 1500 us.  4.19: only R1; W2 at 1500 us, R3 and R4 after it at
 * 1600 us.  reader-pref grants every reader too.
 */
static void test_reader_wake_batch(gconstpointer data)
{
	const char *variant = data;
	bool bulk = strcmp(variant, "v4.19") != 0;
	struct rwt w;
	struct actor as[] = {
		{ .name = "W0", .op = 'w', .arrive = 0, .hold = 1000 * US },
		{ .name = "R1", .op = 'r', .arrive = 100 * US, .hold = 500 * US },
		{ .name = "W2", .op = 'w', .arrive = 200 * US, .hold = 100 * US },
		{ .name = "R3", .op = 'r', .arrive = 300 * US, .hold = 500 * US },
		{ .name = "R4", .op = 'r', .arrive = 400 * US, .hold = 500 * US },
	};
	struct sim_hist *batch;

	rwt_init(&w, variant, 0, -1);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	run_all(&w, as, G_N_ELEMENTS(as));

	batch = hist(&w, "readerWakeBatch");
	g_assert_cmpint(as[1].acquired, ==, 1000 * US);
	g_assert_cmpint(as[2].acquired, ==, 1500 * US);
	if (bulk) {
		g_assert_cmpint(as[3].acquired, ==, 1000 * US);
		g_assert_cmpint(as[4].acquired, ==, 1000 * US);
		g_assert_cmpuint(sim_hist_count(batch), ==, 1);
		g_assert_cmpuint(sim_hist_max(batch), ==, 3);
	} else {
		g_assert_cmpint(as[3].acquired, ==, 1600 * US);
		g_assert_cmpint(as[4].acquired, ==, 1600 * US);
		g_assert_cmpuint(sim_hist_count(batch), ==, 2);
		g_assert_cmpuint(sim_hist_max(batch), ==, 2);
		g_assert_cmpuint(sim_hist_min(batch), ==, 1);
	}
	rwt_fini(&w);
}

/* More than max_readers_wakeup queued readers: one wake-up grants 256. */
static void test_reader_wake_limit(void)
{
	enum { NR = 300 };
	struct rwt w;
	struct actor *as = g_new0(struct actor, NR + 1);
	struct sim_hist *batch;

	rwt_init(&w, "v5.3", 0, -1);
	as[0] = (struct actor){ .name = "W0", .op = 'w', .arrive = 0, .hold = 1000 * US };
	for (int i = 1; i <= NR; i++)
		as[i] = (struct actor){ .name = "R", .op = 'r', .arrive = 10 * US + i,
					.hold = 100 * US };
	spawn_actors(&w, as, NR + 1);
	run_all(&w, as, NR + 1);
	batch = hist(&w, "readerWakeBatch");
	/* 256 at the up_write; the other 44 stay queued (nobody wakes them
	 * while readers hold the lock) until the last of the 256 leaves. */
	g_assert_cmpuint(sim_hist_count(batch), ==, 2);
	g_assert_cmpuint(sim_hist_max(batch), ==, 256);
	g_assert_cmpuint(sim_hist_min(batch), ==, NR - 256);
	g_assert_cmpint(as[256].acquired, ==, 1000 * US);
	g_assert_cmpint(as[257].acquired, ==, 1100 * US);
	g_assert_cmpint(as[NR].acquired, ==, 1100 * US);
	g_test_message("wake batches: %" G_GUINT64_FORMAT " (min %" G_GUINT64_FORMAT
		       ", max %" G_GUINT64_FORMAT ")", sim_hist_count(batch),
		       sim_hist_min(batch), sim_hist_max(batch));
	rwt_fini(&w);
	g_free(as);
}

/* ------------------------------------------------------------------ */
/* A writer against a continuous stream of overlapping readers */

/*
 * 200 readers arrive every 50 us from 0 and each holds 200 us (about four
 * overlap at any time; the stream ends at 10.15 ms).  A writer arrives at
 * 1 ms.  Kernel variants: once the writer is queued, new readers queue
 * behind it, so it waits for the readers already in (at most one hold
 * time) plus its spin on them (at most rspin_max): far below the handoff
 * bound of 4 ms + hold times.  reader-pref: new readers keep joining, the
 * writer gets the lock only when the stream has ended.
 */
static void test_reader_stream(gconstpointer data)
{
	const char *variant = data;
	enum { NR = 200 };
	const sim_time_t period = 50 * US, hold = 200 * US;
	struct rwt w;
	struct actor *as = g_new0(struct actor, NR + 1);
	sim_time_t wait, stream_end = 0;

	rwt_init(&w, variant, 0, -1);
	as[0] = (struct actor){ .name = "W", .op = 'w', .arrive = 1 * MS + 1, .hold = 100 * US };
	for (int i = 1; i <= NR; i++)
		as[i] = (struct actor){ .name = "R", .op = 'r', .arrive = (i - 1) * period,
					.hold = hold };
	spawn_actors(&w, as, NR + 1);
	g_assert_cmpint(sim_run(w.eng), ==, SIM_STOP_EMPTY);
	for (int i = 0; i <= NR; i++) {
		g_assert_true(as[i].done);
		if (i && as[i].released > stream_end)
			stream_end = as[i].released;
	}
	wait = as[0].acquired - as[0].arrive;
	g_test_message("%s: writer waited %.1f us; stream ended at %.1f us", variant,
		       wait / 1e3, stream_end / 1e3);
	if (strcmp(variant, "reader-pref") == 0) {
		/* Starved: every reader of the stream went first. */
		g_assert_cmpint(as[0].acquired, >=, stream_end);
	} else {
		/* RWSEM_WAIT_TIMEOUT is 4 ms, the longest spin on readers 25 us. */
		g_assert_cmpint(wait, <=, 4 * MS + 2 * hold);
		g_assert_cmpint(wait, <=, hold + 25 * US);
	}
	rwt_fini(&w);
	g_free(as);
}

/*
 * The starvation 2f06f702925b fixed: in 5.3 a reader that finds waiters
 * queued spins, and joins a reader-owned lock past the queued writer
 * unless a writer's spin on these readers timed out and marked them
 * nonspinnable.  With writers not spinning on readers (a copy of the
 * policy without rspin_threshold), nobody does: the stream of readers above keeps the count
 * above zero, the writer is never woken, so never asks for handoff, and
 * waits until the stream ends.  The same edit of 5.11 is harmless: a
 * reader queues when other readers hold the lock.
 */
static void test_reader_spin_starvation(gconstpointer data)
{
	const char *variant = data;
	enum { NR = 200 };
	struct fs_rwsem_policy v = *builtin(variant);
	struct rwt w;
	struct actor *as = g_new0(struct actor, NR + 1);
	sim_time_t stream_end = 0;

	v.rspin_threshold = NULL;
	rwt_init_v(&w, &v, 0, -1);
	as[0] = (struct actor){ .name = "W", .op = 'w', .arrive = 1 * MS + 1, .hold = 100 * US };
	for (int i = 1; i <= NR; i++)
		as[i] = (struct actor){ .name = "R", .op = 'r', .arrive = (i - 1) * 50 * US,
					.hold = 200 * US };
	spawn_actors(&w, as, NR + 1);
	g_assert_cmpint(sim_run(w.eng), ==, SIM_STOP_EMPTY);
	for (int i = 1; i <= NR; i++)
		stream_end = MAX(stream_end, as[i].released);
	g_test_message("%s without writer spinning on readers: writer waited %.1f us, "
		       "%" G_GUINT64_FORMAT " readers joined by spinning", variant,
		       (as[0].acquired - as[0].arrive) / 1e3, ev(&w, "rwsem_opt_rlock"));
	if (strcmp(variant, "v5.3") == 0) {
		g_assert_cmpint(as[0].acquired, >=, stream_end);
		g_assert_cmpuint(ev(&w, "rwsem_opt_rlock"), >, 150);
		g_assert_cmpuint(ev(&w, "rwsem_wlock_handoff"), ==, 0);
	} else {
		g_assert_cmpint(as[0].acquired - as[0].arrive, <=, 200 * US);
	}
	rwt_fini(&w);
	g_free(as);
}

/* ------------------------------------------------------------------ */
/* Spinning writers steal from a woken writer; handoff ends it */

struct spinner {
	struct rwt *w;
	sim_time_t start, until, hold, think;
	unsigned long taken;
};

static void spinner_fn(struct sim_task *t, void *arg)
{
	struct spinner *s = arg;

	cpu_work(t, s->start);		/* stay on the CPU: no wake-up latency */
	while (sim_now(s->w->eng) < s->until) {
		down_write(&s->w->sem, t);
		s->taken++;
		cpu_work(t, s->hold);
		up_write(&s->w->sem, t);
		cpu_work(t, s->think);
	}
}

/*
 * Four CPUs, wake-up latency 50 us, context switch 1 us.  H takes the lock
 * at 1 us and holds it 100 us asleep (nobody spins on a sleeping owner),
 * then 20 us on its CPU (it is back at 152 us: 50 us of wake-up latency).
 * W arrives at 10 us (runs at 61 us), queues and sleeps.  From 161 us two
 * writers S1, S2 loop on their CPUs until 20 ms: down_write, 30 us of
 * work, up_write, 5 us.  They spin on the running owner and take the lock
 * the moment it is released, while W, woken by each up_write, needs 51 us
 * to run and finds it taken again: a writer at the head is only woken, and
 * spinners steal the lock from it.  5.3 / 5.11: the first attempt of W
 * after 4 ms in the queue sets the handoff bit, spinners are refused, and W
 * gets the lock within a hold and a wake-up or two.  4.19: no handoff, W
 * waits until the spinners stop.
 */
/* Returns how long W waited; *@acquired (may be NULL): when it got the lock. */
static sim_time_t run_steal_handoff(struct rwt *w, const char *variant, struct spinner *sp,
				    sim_time_t *acquired)
{
	struct actor as[] = {
		{ .name = "H", .op = 'w', .arrive = 0, .hold = 100 * US, .cpu = 20 * US },
		{ .name = "W", .op = 'w', .arrive = 10 * US, .hold = 30 * US, .oncpu = true },
	};

	rwt_init(w, variant, 4, 50 * US);
	spawn_actors(w, as, G_N_ELEMENTS(as));
	for (int i = 0; i < 2; i++) {
		sp[i] = (struct spinner){ .w = w, .start = 160 * US + i, .until = 20 * MS,
					  .hold = 30 * US, .think = 5 * US };
		spawn(w, i ? "S2" : "S1", spinner_fn, &sp[i]);
	}
	run_all(w, as, G_N_ELEMENTS(as));
	if (acquired)
		*acquired = as[1].acquired;
	return as[1].acquired - as[1].called;
}

static void test_writer_steal_handoff(gconstpointer data)
{
	const char *variant = data;
	bool handoff = strcmp(variant, "v4.19") != 0;
	struct rwt w;
	struct spinner sp[2];
	sim_time_t acquired;
	sim_time_t wait = run_steal_handoff(&w, variant, sp, &acquired);

	g_test_message("%s: woken writer waited %.1f us; spinners took the lock %lu + %lu "
		       "times; opt_wlock %" G_GUINT64_FORMAT ", sleep_writer %" G_GUINT64_FORMAT
		       ", wake_writer %" G_GUINT64_FORMAT, variant, wait / 1e3,
		       sp[0].taken, sp[1].taken, ev(&w, "rwsem_opt_wlock"),
		       ev(&w, "rwsem_sleep_writer"), ev(&w, "rwsem_wake_writer"));
	/* The spinners took it by spinning, W was woken many times. */
	g_assert_cmpuint(ev(&w, "rwsem_opt_wlock"), >, 50);
	g_assert_cmpuint(ev(&w, "rwsem_wake_writer"), >, 10);
	if (handoff) {
		/* Bound: 4 ms, then W's next run (an up_write within 35 us and
		 * its wake-up, 51 us) sets handoff; the current hold ends (<= 30
		 * us) and W, woken once more (51 us; 5.4's and 5.11's handoff
		 * writer spins on the owner instead), takes it: 4 ms + 167 us
		 * at most. */
		g_assert_cmpint(wait, >=, 4 * MS);
		g_assert_cmpint(wait, <=, 4 * MS + 170 * US);
		g_assert_cmpuint(ev(&w, "rwsem_wlock_handoff"), ==, 1);
	} else {
		g_assert_cmpint(acquired, >=, 20 * MS);
		g_assert_cmpuint(ev(&w, "rwsem_wlock_handoff"), ==, 0);
	}
	rwt_fini(&w);
}

/*
 * The handoff writer's spin (91d2a812dfb9, 5.4): the machine above.  Once
 * W has set the handoff bit, the spinner holding the lock runs on its CPU;
 * 5.3's W sleeps and needs a wake-up (51 us) after that hold ends, 5.4's
 * spins on the owner and takes the lock as it is released, one sleep
 * fewer.  5.4 and 5.11 differ only for readers: with writers alone they
 * follow the same trajectory.
 */
static void test_handoff_writer_spin(void)
{
	struct rwt w;
	struct spinner sp[2];
	sim_time_t w53, w54, w511;
	uint64_t s53, s54;

	w53 = run_steal_handoff(&w, "v5.3", sp, NULL);
	s53 = ev(&w, "rwsem_sleep_writer");
	rwt_fini(&w);
	w54 = run_steal_handoff(&w, "v5.4", sp, NULL);
	s54 = ev(&w, "rwsem_sleep_writer");
	rwt_fini(&w);
	w511 = run_steal_handoff(&w, "v5.11", sp, NULL);
	rwt_fini(&w);
	g_test_message("handoff writer's wait: v5.3 %.1f us, v5.4 %.1f us, v5.11 %.1f us; "
		       "writer sleeps v5.3 %" G_GUINT64_FORMAT ", v5.4 %" G_GUINT64_FORMAT,
		       w53 / 1e3, w54 / 1e3, w511 / 1e3, s53, s54);
	g_assert_cmpint(w54, <=, w53 - 40 * US);
	g_assert_cmpuint(s54, <, s53);
	g_assert_cmpint(w54, ==, w511);
}

/* ------------------------------------------------------------------ */
/* A slow-path reader and a woken writer */

/*
 * Two CPUs, wake-up latency 50 us, context switch 1 us.  W0 takes the
 * lock at 1 us and sleeps 100 us holding it (it releases it at 152 us,
 * after its own wake-up); W1 queues at 61 us; R calls down_read at 161 us,
 * while W1, woken at 152 us, waits out its latency (it runs at 203 us).
 * 5.11: R steals the free lock (rlock_steal); 5.3: R spins on the free
 * lock and takes it (opt_rlock); 4.19: R queues behind W1 and gets the
 * lock after it.
 */
static void test_reader_steal(gconstpointer data)
{
	const char *variant = data;
	struct rwt w;
	struct actor as[] = {
		{ .name = "W0", .op = 'w', .arrive = 0, .hold = 100 * US },
		{ .name = "W1", .op = 'w', .arrive = 10 * US, .hold = 100 * US },
		{ .name = "R", .op = 'r', .arrive = 110 * US, .hold = 100 * US },
	};

	rwt_init(&w, variant, 2, 50 * US);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	run_all(&w, as, G_N_ELEMENTS(as));
	g_assert_cmpint(as[2].called, >, as[0].released);
	g_assert_cmpint(as[2].called, <, as[1].acquired);
	if (strcmp(variant, "v4.19") == 0) {
		g_assert_cmpint(as[2].acquired, >=, as[1].released);
		g_assert_cmpuint(ev(&w, "rwsem_rlock"), ==, 1);
	} else {
		g_assert_cmpint(as[2].acquired, ==, as[2].called);
		g_assert_cmpint(as[1].acquired, >=, as[2].released);
		g_assert_cmpuint(ev(&w, strcmp(variant, "v5.3") == 0 ? "rwsem_opt_rlock"
						: "rwsem_rlock_steal"), ==, 1);
	}
	rwt_fini(&w);
}

/* ------------------------------------------------------------------ */
/* Readers spin on a running writer before 5.11 */

/*
 * Two CPUs, wake-up latency 50 us.  W computes on its CPU holding the lock
 * for 100 us; R calls down_read meanwhile.  5.3: R spins on the running
 * owner and takes the lock the moment W releases it, without sleeping.
 * 4.19 and 5.11: R sleeps, is granted the lock at W's release and runs
 * 50 us + a context switch later.
 */
static void test_reader_spin(gconstpointer data)
{
	const char *variant = data;
	bool spins = strcmp(variant, "v5.3") == 0;
	struct rwt w;
	struct actor as[] = {
		{ .name = "W", .op = 'w', .arrive = 0, .hold = 100 * US, .oncpu = true },
		{ .name = "R", .op = 'r', .arrive = 10 * US, .hold = 10 * US },
	};

	rwt_init(&w, variant, 2, 50 * US);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	run_all(&w, as, G_N_ELEMENTS(as));
	if (spins) {
		g_assert_cmpint(as[1].acquired, ==, as[0].released);
		g_assert_cmpuint(ev(&w, "rwsem_opt_rlock"), ==, 1);
		g_assert_cmpuint(ev(&w, "rwsem_sleep_reader"), ==, 0);
		g_assert_cmpuint(sim_hist_count(hist(&w, "readSpinTime")), ==, 1);
	} else {
		g_assert_cmpint(as[1].acquired, ==, as[0].released + 50 * US + 1 * US);
		g_assert_cmpuint(ev(&w, "rwsem_opt_rlock"), ==, 0);
		g_assert_cmpuint(ev(&w, "rwsem_sleep_reader"), ==, 1);
	}
	rwt_fini(&w);
}

/* ------------------------------------------------------------------ */
/* A writer spins on readers for 10 us + 0.5 us per reader, 25 us at most */

static void run_rspin(const char *variant, int nr_readers, sim_time_t expect)
{
	struct rwt w;
	struct actor *as = g_new0(struct actor, nr_readers + 1);
	struct sim_hist *spin;

	rwt_init(&w, variant, 0, -1);
	for (int i = 0; i < nr_readers; i++)
		as[i] = (struct actor){ .name = "R", .op = 'r', .arrive = 0, .hold = 1 * MS };
	as[nr_readers] = (struct actor){ .name = "W", .op = 'w', .arrive = 100 * US,
					 .hold = 10 * US };
	spawn_actors(&w, as, nr_readers + 1);
	run_all(&w, as, nr_readers + 1);
	spin = hist(&w, "writeSpinTime");
	if (expect < 0) {
		/* 4.19: a reader-owned lock is not spinnable at all. */
		g_assert_cmpuint(sim_hist_count(spin), ==, 0);
		g_assert_cmpuint(ev(&w, "rwsem_opt_fail"), ==, 1);
		g_assert_cmpuint(ev(&w, "rwsem_opt_nospin"), ==, 0);
	} else {
		g_assert_cmpuint(sim_hist_count(spin), ==, 1);
		g_assert_cmpuint(sim_hist_max(spin), ==, (uint64_t)expect);
		g_assert_cmpuint(ev(&w, "rwsem_opt_nospin"), ==, 1);
	}
	g_assert_cmpint(as[nr_readers].acquired, ==, 1 * MS);
	rwt_fini(&w);
	g_free(as);
}

static void test_writer_rspin(void)
{
	run_rspin("v5.3", 1, 10500);
	run_rspin("v5.3", 2, 11 * US);
	run_rspin("v5.11", 10, 15 * US);
	run_rspin("v5.11", 30, 25 * US);
	run_rspin("v5.11", 40, 25 * US);
	run_rspin("v4.19", 4, -1);
}

/* ------------------------------------------------------------------ */
/* downgrade_write */

/*
 * W holds from 0, queue R1 (100 us), W2 (200 us), R3 (300 us); W
 * downgrades at 1000 us and keeps the read lock 500 us.  5.3+: the
 * downgrade grants R1 and R3 (skipping W2); 4.19: R1 only, R3 after W2.
 * A writer at the head is not woken by a downgrade: W2 waits for every
 * reader.
 */
static void test_downgrade(gconstpointer data)
{
	const char *variant = data;
	bool bulk = strcmp(variant, "v4.19") != 0;
	struct rwt w;
	struct actor as[] = {
		{ .name = "W", .op = 'd', .arrive = 0, .hold = 1000 * US, .hold2 = 500 * US },
		{ .name = "R1", .op = 'r', .arrive = 100 * US, .hold = 200 * US },
		{ .name = "W2", .op = 'w', .arrive = 200 * US, .hold = 100 * US },
		{ .name = "R3", .op = 'r', .arrive = 300 * US, .hold = 200 * US },
	};

	rwt_init(&w, variant, 0, -1);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	run_all(&w, as, G_N_ELEMENTS(as));
	g_assert_cmpint(as[1].acquired, ==, 1000 * US);
	g_assert_cmpint(as[2].acquired, ==, 1500 * US);
	g_assert_cmpint(as[3].acquired, ==, bulk ? 1000 * US : 1600 * US);

	/* Downgrade with only a writer queued: nobody is woken. */
	rwt_fini(&w);
	{
		struct actor bs[] = {
			{ .name = "W", .op = 'd', .arrive = 0, .hold = 100 * US,
			  .hold2 = 100 * US },
			{ .name = "W2", .op = 'w', .arrive = 50 * US, .hold = 10 * US },
		};

		rwt_init(&w, variant, 0, -1);
		spawn_actors(&w, bs, G_N_ELEMENTS(bs));
		run_all(&w, bs, G_N_ELEMENTS(bs));
		g_assert_cmpint(bs[1].acquired, ==, 200 * US);
		g_assert_cmpuint(ev(&w, "rwsem_wake_writer"), ==, 1);
		g_assert_cmpuint(ev(&w, "rwsem_sleep_writer"), ==, 1);
		rwt_fini(&w);
	}
}

/* ------------------------------------------------------------------ */
/* Trylocks */

struct try_script {
	struct rwt *w;
	bool pref;
};

/* A holder task that takes the lock as told and waits for a signal. */
struct holder {
	struct rwt *w;
	char op;
	sim_time_t at, hold;
};

static void holder_fn(struct sim_task *t, void *arg)
{
	struct holder *h = arg;

	sim_sleep(t, h->at);
	if (h->op == 'r')
		down_read(&h->w->sem, t);
	else
		down_write(&h->w->sem, t);
	sim_sleep(t, h->hold);
	if (h->op == 'r')
		up_read(&h->w->sem, t);
	else
		up_write(&h->w->sem, t);
}

static void try_fn(struct sim_task *t, void *arg)
{
	struct try_script *s = arg;
	struct rw_semaphore *sem = &s->w->sem;

	/* 0: free. */
	g_assert_cmpint(down_read_trylock(sem, t), ==, 1);
	g_assert_cmpint(down_write_trylock(sem, t), ==, 0);	/* we read-hold it */
	up_read(sem, t);
	g_assert_cmpint(down_write_trylock(sem, t), ==, 1);
	g_assert_cmpint(down_read_trylock(sem, t), ==, 0);
	up_write(sem, t);

	/* 100 us: another reader holds it, nobody waits. */
	sim_sleep(t, 100 * US);
	g_assert_cmpuint(rwsem_nr_readers(sem), ==, 1);
	g_assert_cmpint(down_read_trylock(sem, t), ==, 1);
	g_assert_cmpint(down_write_trylock(sem, t), ==, 0);
	up_read(sem, t);

	/* 200 us: a reader holds it and a writer is queued: the kernel
	 * refuses new readers (RWSEM_FLAG_WAITERS); reader-pref does not. */
	sim_sleep(t, 100 * US);
	g_assert_true(rwsem_is_contended(sem));
	if (s->pref) {
		g_assert_cmpint(down_read_trylock(sem, t), ==, 1);
		up_read(sem, t);
	} else {
		g_assert_cmpint(down_read_trylock(sem, t), ==, 0);
	}
	g_assert_cmpint(down_write_trylock(sem, t), ==, 0);

	/* 1100 us: the writer holds it. */
	sim_sleep(t, 900 * US);
	g_assert_nonnull(rwsem_write_owner(sem));
	g_assert_cmpint(down_read_trylock(sem, t), ==, 0);
	g_assert_cmpint(down_write_trylock(sem, t), ==, 0);
}

static void test_trylock(gconstpointer data)
{
	const char *variant = data;
	struct rwt w;
	struct try_script s = { &w, strcmp(variant, "reader-pref") == 0 };
	struct holder r = { &w, 'r', 50 * US, 1000 * US };	/* 50 .. 1050 us */
	struct holder wr = { &w, 'w', 150 * US, 100 * US };	/* queued at 150 us */

	rwt_init(&w, variant, 0, -1);
	spawn(&w, "try", try_fn, &s);
	spawn(&w, "reader", holder_fn, &r);
	spawn(&w, "writer", holder_fn, &wr);
	g_assert_cmpint(sim_run(w.eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(rwsem_count(&w.sem), ==, 0);
	rwt_fini(&w);
}

/* ------------------------------------------------------------------ */
/* Killable waits */

/* A killed reader leaves the queue; the others are unaffected. */
static void test_kill_reader(gconstpointer data)
{
	const char *variant = data;
	struct rwt w;
	struct actor as[] = {
		{ .name = "W0", .op = 'w', .arrive = 0, .hold = 1000 * US },
		{ .name = "R1", .op = 'R', .arrive = 100 * US, .hold = 100 * US },
		{ .name = "R2", .op = 'r', .arrive = 200 * US, .hold = 100 * US },
	};
	struct killer k1 = { &w, &as[1], 500 * US, false };
	struct killer k2 = { &w, &as[2], 600 * US, false };

	rwt_init(&w, variant, 0, -1);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	spawn(&w, "kill1", killer_fn, &k1);
	spawn(&w, "kill2", killer_fn, &k2);
	run_all(&w, as, G_N_ELEMENTS(as));
	g_assert_true(k1.result);
	g_assert_false(k2.result);		/* not a killable wait */
	g_assert_cmpint(as[1].ret, ==, -EINTR);
	g_assert_cmpint(as[1].acquired, ==, 500 * US);
	g_assert_cmpint(as[2].ret, ==, 0);
	g_assert_cmpint(as[2].acquired, ==, 1000 * US);
	g_assert_cmpuint(ev(&w, "rwsem_rlock_fail"), ==, 1);
	g_assert_cmpuint(ev(&w, "readAcquisitions"), ==, 1);
	rwt_fini(&w);
}

/*
 * Readers hold the lock; W (killable) queues, R2 queues behind it.  When W
 * is killed, its out_nolock path wakes the waiters: R2 joins the readers at
 * once.  reader-pref: R2 never waited.
 */
static void test_kill_writer_wakes_readers(gconstpointer data)
{
	const char *variant = data;
	struct rwt w;
	struct actor as[] = {
		{ .name = "R0", .op = 'r', .arrive = 0, .hold = 1000 * US },
		{ .name = "W", .op = 'W', .arrive = 100 * US, .hold = 100 * US },
		{ .name = "R2", .op = 'r', .arrive = 200 * US, .hold = 100 * US },
	};
	struct killer k = { &w, &as[1], 500 * US, false };

	rwt_init(&w, variant, 0, -1);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	spawn(&w, "kill", killer_fn, &k);
	run_all(&w, as, G_N_ELEMENTS(as));
	g_assert_true(k.result);
	g_assert_cmpint(as[1].ret, ==, -EINTR);
	g_assert_cmpint(as[1].acquired, ==, 500 * US);
	g_assert_cmpint(as[2].acquired, ==,
			strcmp(variant, "reader-pref") == 0 ? 200 * US : 500 * US);
	g_assert_cmpuint(ev(&w, "rwsem_wlock_fail"), ==, 1);
	rwt_fini(&w);
}

/*
 * W0 holds the lock 10 ms.  W2 (killable) queues at 100 us, R1 behind it at
 * 500 us.  W2 is killed at 5 ms: woken, it tries the lock once more and,
 * having waited past 4 ms at the head, sets the handoff bit; then it sees
 * the signal, drops its handoff and leaves, waking the waiters: R1, now at
 * the head, has waited 4.5 ms and, the lock being write-held, sets the
 * handoff bit in turn (rwsem_rlock_handoff).  4.19: no handoff at all.
 */
static void test_kill_handoff(gconstpointer data)
{
	const char *variant = data;
	bool handoff = strcmp(variant, "v4.19") != 0;
	struct rwt w;
	struct actor as[] = {
		{ .name = "W0", .op = 'w', .arrive = 0, .hold = 10 * MS },
		{ .name = "W2", .op = 'W', .arrive = 100 * US, .hold = 100 * US },
		{ .name = "R1", .op = 'r', .arrive = 500 * US, .hold = 100 * US },
	};
	struct killer k = { &w, &as[1], 5 * MS, false };

	rwt_init(&w, variant, 0, -1);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	spawn(&w, "kill", killer_fn, &k);
	sim_set_time_limit(w.eng, 6 * MS);
	g_assert_cmpint(sim_run(w.eng), ==, SIM_STOP_TIME);
	g_assert_true(as[1].done);
	g_assert_cmpint(as[1].ret, ==, -EINTR);
	g_assert_cmpuint(rwsem_nr_waiters(&w.sem), ==, 1);
	g_assert_cmpuint(ev(&w, "rwsem_wlock_handoff"), ==, handoff);
	g_assert_cmpuint(ev(&w, "rwsem_rlock_handoff"), ==, handoff);
	g_assert_cmpuint(!!(rwsem_count(&w.sem) & RWSEM_FLAG_HANDOFF), ==, handoff);
	g_assert_true(rwsem_count(&w.sem) & RWSEM_FLAG_WAITERS);
	rwsem_check(&w.sem);
	/* W0's release grants R1 and clears everything. */
	sim_set_time_limit(w.eng, SIM_TIME_MAX);
	run_all(&w, as, G_N_ELEMENTS(as));
	g_assert_cmpint(as[2].acquired, ==, 10 * MS);
	rwt_fini(&w);
}

/* ------------------------------------------------------------------ */
/* Lock-event counters in a scripted scenario */

/*
 * W0 holds until 1000 us (asleep); R1, R2, W3, R4 queue at 100 .. 400 us;
 * readers hold 100 us, W3 50 us.  Every number below follows from
 * rwsem.c's paths (see the comments).
 */
static void test_counters(gconstpointer data)
{
	const char *variant = data;
	bool v419 = strcmp(variant, "v4.19") == 0;
	struct rwt w;
	struct actor as[] = {
		{ .name = "W0", .op = 'w', .arrive = 0, .hold = 1000 * US },
		{ .name = "R1", .op = 'r', .arrive = 100 * US, .hold = 100 * US },
		{ .name = "R2", .op = 'r', .arrive = 200 * US, .hold = 100 * US },
		{ .name = "W3", .op = 'w', .arrive = 300 * US, .hold = 50 * US },
		{ .name = "R4", .op = 'r', .arrive = 400 * US, .hold = 100 * US },
	};

	rwt_init(&w, variant, 0, -1);
	spawn_actors(&w, as, G_N_ELEMENTS(as));
	run_all(&w, as, G_N_ELEMENTS(as));

	/* Everyone but W0 slept exactly once. */
	g_assert_cmpuint(ev(&w, "rwsem_sleep_reader"), ==, 3);
	g_assert_cmpuint(ev(&w, "rwsem_sleep_writer"), ==, 1);
	g_assert_cmpuint(ev(&w, "rwsem_rlock"), ==, 3);
	g_assert_cmpuint(ev(&w, "rwsem_wlock"), ==, 1);
	g_assert_cmpuint(ev(&w, "rwsem_rlock_fast"), ==, 0);
	g_assert_cmpuint(ev(&w, "rwsem_rlock_steal"), ==, 0);
	/* W3 could not spin on a sleeping owner; in 5.3 neither could the
	 * readers (three refusals more). */
	g_assert_cmpuint(ev(&w, "rwsem_opt_fail"), ==, strcmp(variant, "v5.3") == 0 ? 4 : 1);
	g_assert_cmpuint(ev(&w, "rwsem_opt_lock"), ==, 0);
	/* 5.3+: one wake-up grants R1, R2, R4; when they leave W3 is woken.
	 * 4.19: R1, R2; then W3; then R4 at W3's release. */
	g_assert_cmpuint(ev(&w, "rwsem_wake_reader"), ==, v419 ? 2 : 1);
	g_assert_cmpuint(ev(&w, "rwsem_wake_writer"), ==, 1);
	g_assert_cmpuint(ev(&w, "readContentions"), ==, 3);
	g_assert_cmpuint(ev(&w, "readAcquisitions"), ==, 3);
	g_assert_cmpuint(ev(&w, "writeContentions"), ==, 1);
	g_assert_cmpuint(ev(&w, "writeAcquisitions"), ==, 2);
	g_assert_cmpuint(sim_hist_count(hist(&w, "readWaitTime")), ==, 3);
	g_assert_cmpuint(sim_hist_count(hist(&w, "readHoldTime")), ==, 3);
	g_assert_cmpuint(sim_hist_max(hist(&w, "readHoldTime")), ==, 100 * US);
	g_assert_cmpuint(sim_hist_count(hist(&w, "writeHoldTime")), ==, 2);
	g_assert_cmpuint(sim_hist_max(hist(&w, "writeHoldTime")), ==, 1000 * US);
	/* Only the contended W3 has a wait time: from 300 us to 1100 us. */
	g_assert_cmpuint(sim_hist_count(hist(&w, "writeWaitTime")), ==, 1);
	g_assert_cmpuint(sim_hist_max(hist(&w, "writeWaitTime")), ==, 800 * US);
	/* R1 900 us, R2 800 us, R4 600 us (4.19: 750 us, 400 -> 1150 us). */
	g_assert_cmpuint(sim_hist_max(hist(&w, "readWaitTime")), ==, 900 * US);
	g_assert_cmpfloat(sim_hist_sum(hist(&w, "readWaitTime")), ==,
			  (v419 ? 2450 : 2300) * US);
	rwt_fini(&w);
}

/* ------------------------------------------------------------------ */
/* The invariant checker catches a corrupt lock */

static void test_checker(void)
{
	if (g_test_subprocess()) {
		g_autoptr(sim_engine) eng = sim_engine_new(1);
		struct rw_semaphore sem;

		rwsem_init(&sem, eng, "mmap_sem", &fs_rwsem_v5_11);
		rwsem_check(&sem);
		sem.count |= RWSEM_FLAG_WAITERS;	/* with an empty wait list */
		rwsem_check(&sem);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*RWSEM_FLAG_WAITERS*");
}

/* ------------------------------------------------------------------ */
/* Randomized stress */

struct stress {
	struct rwt w;
	gsl_rng *rng;
	unsigned int nr_tasks, nr_ops, done;
	struct sim_task **tasks;
	bool *alive;
	int readers_in, writers_in;	/* shadow of who is inside */
	uint64_t reads, writes, killed, try_fail;
};

struct stress_arg {
	struct stress *s;
	unsigned int idx;
};

static sim_time_t stress_exp(struct stress *s, double mean)
{
	return (sim_time_t)gsl_ran_exponential(s->rng, mean);
}

static void stress_hold(struct stress *s, struct sim_task *t)
{
	sim_time_t ns = stress_exp(s, 20 * US);

	if (s->w.cpus && gsl_rng_uniform(s->rng) < 0.5)
		cpu_work(t, ns);
	else if (ns)
		sim_sleep(t, ns);
}

static void enter_read(struct stress *s)
{
	g_assert_cmpint(s->writers_in, ==, 0);
	s->readers_in++;
	s->reads++;
}

static void enter_write(struct stress *s)
{
	g_assert_cmpint(s->writers_in, ==, 0);
	g_assert_cmpint(s->readers_in, ==, 0);
	s->writers_in++;
	s->writes++;
}

static void stress_fn(struct sim_task *t, void *arg)
{
	struct stress_arg *a = arg;
	struct stress *s = a->s;
	struct rw_semaphore *sem = &s->w.sem;

	for (unsigned int i = 0; i < s->nr_ops; i++) {
		double u = gsl_rng_uniform(s->rng);
		bool write, ok = true;

		sim_sleep(t, stress_exp(s, 30 * US) + 1);
		if (u < 0.45) {
			write = false;
			down_read(sem, t);
		} else if (u < 0.60) {
			write = true;
			down_write(sem, t);
		} else if (u < 0.72) {
			write = false;
			ok = down_read_killable(sem, t) == 0;
		} else if (u < 0.84) {
			write = true;
			ok = down_write_killable(sem, t) == 0;
		} else if (u < 0.92) {
			write = false;
			ok = down_read_trylock(sem, t);
		} else {
			write = true;
			ok = down_write_trylock(sem, t);
		}
		if (!ok) {
			if (u < 0.84)
				s->killed++;
			else
				s->try_fail++;
			continue;
		}
		if (write)
			enter_write(s);
		else
			enter_read(s);
		g_assert_true(write ? rwsem_is_write_holder(sem, t) : rwsem_is_read_holder(sem, t));
		stress_hold(s, t);
		if (write && gsl_rng_uniform(s->rng) < 0.25) {
			downgrade_write(sem, t);
			s->writers_in--;
			s->readers_in++;
			write = false;
			stress_hold(s, t);
		}
		if (write) {
			s->writers_in--;
			up_write(sem, t);
		} else {
			s->readers_in--;
			up_read(sem, t);
		}
	}
	s->alive[a->idx] = false;
	s->done++;
}

static void stress_killer_fn(struct sim_task *t, void *arg)
{
	struct stress *s = arg;

	while (s->done < s->nr_tasks) {
		unsigned int i;

		sim_sleep(t, stress_exp(s, 100 * US) + 1);
		i = (unsigned int)gsl_rng_uniform_int(s->rng, s->nr_tasks);
		if (s->alive[i])
			rwsem_kill(&s->w.sem, s->tasks[i]);
	}
}

struct stress_case {
	const char *variant;
	bool cpus;
	bool tight;		/* handoff after 30 us instead of 4 ms */
};

static bool handoff_after_30us(const struct rw_semaphore *sem,
			       const struct rwsem_waiter *waiter)
{
	return rwsem_waited(sem, waiter) > 30 * US;
}

static void test_stress(gconstpointer data)
{
	const struct stress_case *c = data;
	struct stress s = { .nr_tasks = 24, .nr_ops = 300 };
	struct stress_arg *args = g_new0(struct stress_arg, s.nr_tasks);
	struct fs_rwsem_policy v = *builtin(c->variant);
	uint64_t acq;

	if (c->tight && v.handoff)
		v.handoff = handoff_after_30us;
	rwt_init_v(&s.w, &v, 4, c->cpus ? 10 * US : -1);
	s.rng = sim_rng(s.w.eng, "stress");
	s.tasks = g_new0(struct sim_task *, s.nr_tasks);
	s.alive = g_new0(bool, s.nr_tasks);
	for (unsigned int i = 0; i < s.nr_tasks; i++) {
		args[i] = (struct stress_arg){ &s, i };
		s.alive[i] = true;
		s.tasks[i] = spawn(&s.w, "stress", stress_fn, &args[i]);
	}
	sim_task_spawn(s.w.eng, "killer", stress_killer_fn, &s);
	g_assert_cmpint(sim_run(s.w.eng), ==, SIM_STOP_EMPTY);

	/* No lost wake-up: every task finished; the lock is back to zero. */
	g_assert_cmpuint(s.done, ==, s.nr_tasks);
	g_assert_cmpuint(sim_engine_nr_tasks(s.w.eng), ==, 0);
	g_assert_cmpuint(rwsem_count(&s.w.sem), ==, 0);
	g_assert_cmpuint(rwsem_nr_waiters(&s.w.sem), ==, 0);
	g_assert_cmpuint(rwsem_nr_spinners(&s.w.sem), ==, 0);
	rwsem_check(&s.w.sem);
	acq = ev(&s.w, "readAcquisitions") + ev(&s.w, "writeAcquisitions");
	g_assert_cmpuint(acq, ==, s.reads + s.writes);
	g_assert_cmpuint(ev(&s.w, "rwsem_rlock_fail") + ev(&s.w, "rwsem_wlock_fail"), ==,
			 s.killed);
	g_assert_cmpuint(s.reads + s.writes + s.killed + s.try_fail, ==,
			 (uint64_t)s.nr_tasks * s.nr_ops);
	g_test_message("%s%s: %" G_GUINT64_FORMAT " reads, %" G_GUINT64_FORMAT
		       " writes, %" G_GUINT64_FORMAT " killed, %" G_GUINT64_FORMAT
		       " trylock failures, %" G_GUINT64_FORMAT " opt locks, %"
		       G_GUINT64_FORMAT " handoffs, %" G_GUINT64_FORMAT " steals, end %.3f ms",
		       c->variant, c->tight ? " (cpus, tight)" : c->cpus ? " (cpus)" : "",
		       s.reads, s.writes, s.killed, s.try_fail, ev(&s.w, "rwsem_opt_lock"),
		       ev(&s.w, "rwsem_wlock_handoff") + ev(&s.w, "rwsem_rlock_handoff"),
		       ev(&s.w, "rwsem_rlock_steal"), sim_now(s.w.eng) / 1e6);
	/* The killer did hit waiters, and the variants' features were used. */
	g_assert_cmpuint(s.killed, >, 0);
	rwt_fini(&s.w);
	g_free(s.tasks);
	g_free(s.alive);
	g_free(args);
}

/* ------------------------------------------------------------------ */

static void add_per_variant(const char *path, const char *const *variants, size_t n,
			    GTestDataFunc fn)
{
	for (size_t i = 0; i < n; i++) {
		g_autofree char *p = g_strdup_printf("%s/%s", path, variants[i]);

		g_test_add_data_func(p, variants[i], fn);
	}
}

int main(int argc, char **argv)
{
	static struct stress_case stress_cases[G_N_ELEMENTS(all_variants) * 3];
	static const char *const stress_kinds[] = { "", "/cpus", "/cpus-tight" };

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/rwsem/policies", test_policies);
	add_per_variant("/sim/rwsem/reader-behind-queued-writer", all_variants,
			G_N_ELEMENTS(all_variants), test_reader_behind_writer);
	add_per_variant("/sim/rwsem/reader-wake-batch", all_variants,
			G_N_ELEMENTS(all_variants), test_reader_wake_batch);
	g_test_add_func("/sim/rwsem/reader-wake-limit", test_reader_wake_limit);
	add_per_variant("/sim/rwsem/reader-stream", all_variants,
			G_N_ELEMENTS(all_variants), test_reader_stream);
	add_per_variant("/sim/rwsem/reader-spin-starvation", kernel_variants + 1, 2,
			test_reader_spin_starvation);
	add_per_variant("/sim/rwsem/writer-steal-handoff", kernel_variants,
			G_N_ELEMENTS(kernel_variants), test_writer_steal_handoff);
	g_test_add_data_func("/sim/rwsem/writer-steal-handoff/v5.4", "v5.4",
			     test_writer_steal_handoff);
	g_test_add_func("/sim/rwsem/handoff-writer-spin", test_handoff_writer_spin);
	add_per_variant("/sim/rwsem/reader-steal", kernel_variants,
			G_N_ELEMENTS(kernel_variants), test_reader_steal);
	add_per_variant("/sim/rwsem/reader-spin", kernel_variants,
			G_N_ELEMENTS(kernel_variants), test_reader_spin);
	g_test_add_func("/sim/rwsem/writer-rspin", test_writer_rspin);
	add_per_variant("/sim/rwsem/downgrade", kernel_variants,
			G_N_ELEMENTS(kernel_variants), test_downgrade);
	add_per_variant("/sim/rwsem/trylock", all_variants,
			G_N_ELEMENTS(all_variants), test_trylock);
	add_per_variant("/sim/rwsem/kill-reader", all_variants,
			G_N_ELEMENTS(all_variants), test_kill_reader);
	add_per_variant("/sim/rwsem/kill-writer-wakes-readers", all_variants,
			G_N_ELEMENTS(all_variants), test_kill_writer_wakes_readers);
	add_per_variant("/sim/rwsem/kill-handoff", kernel_variants,
			G_N_ELEMENTS(kernel_variants), test_kill_handoff);
	add_per_variant("/sim/rwsem/counters", kernel_variants,
			G_N_ELEMENTS(kernel_variants), test_counters);
	g_test_add_func("/sim/rwsem/checker", test_checker);
	for (size_t i = 0; i < G_N_ELEMENTS(stress_cases); i++) {
		g_autofree char *p = NULL;

		stress_cases[i] = (struct stress_case){ all_variants[i / 3], i % 3 != 0,
							i % 3 == 2 };
		p = g_strdup_printf("/sim/rwsem/stress/%s%s", all_variants[i / 3],
				    stress_kinds[i % 3]);
		g_test_add_data_func(p, &stress_cases[i], test_stress);
	}
	return g_test_run();
}
