/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmap_sem: the mechanism of the kernel's reader/writer semaphore
 * (kernel/locking/rwsem.c, and rwsem-xadd.c before 5.3).  What changed
 * from one kernel version to the next is not here but in the policy's ops
 * table (include/faultsim/rwsem.h; the built-in ones are
 * policies/rwsem-*.c): the slow paths, the wake rule, handoff, the
 * writers' spin on readers.
 *
 * Credits.  David Howells' rwsem; Michel Lespinasse's and Alex Shi's
 * writer lock stealing; Tim Chen's and Davidlohr Bueso's optimistic
 * spinning; Waiman Long's rework of 2019 (5.3) and 2020 (5.11).  Each
 * policy file credits the threads it models.
 *
 * The model.  A simulated task never races with another between two of
 * its blocking points, so each kernel atomic sequence is one step here and
 * the count holds no transient biases.  What the kernel's races decide is
 * decided by simulated time: a writer the unlocker woke runs only after
 * its wake-up latency (sim/kernel/cpu.h), and a task spinning on its CPU
 * reacts at once, so spinners and slow-path readers can take the lock
 * first.  Waking a writer never grants it the lock; granting readers is
 * done by the waker, inside rwsem_mark_wake(), as in the kernel.
 *
 * Where the count changes (the only places):
 *	fast paths and trylocks	down_*(), down_*_trylock()
 *	slow paths		the policy's, through rwsem_take_read(),
 *				rwsem_down_{read,write}_queue(),
 *				rwsem_try_write_lock(), rwsem_try_*_unqueued()
 *	wake-up			rwsem_mark_wake(): reader grants, WAITERS and
 *				HANDOFF cleared when the queue empties, HANDOFF
 *				set for a reader that waited too long
 *	unlock			up_read(), up_write(), downgrade_write()
 *	kill			the out_nolock paths
 * Every operation that may change the lock ends with rwsem_changed(): it
 * pokes the spinner at the head of the OSQ (it re-reads the lock as a real
 * spinner would) and runs the invariant checker if the engine's checks
 * are on.
 *
 * Spinning.  The OSQ is a FIFO of spinners; only its head looks at the
 * lock, the others burn their CPU until they become the head.  A spinner
 * waits in cpu_spin(): poked on every change of the lock, and re-checking
 * every spin_poll that a writer owner still runs on a CPU (there is no
 * notification for "went off CPU").  cpu_spin() returning early without a
 * poke means a preemption is pending: need_resched(), the spinner gives up.
 *
 * Handoff: a waiting writer only looks at its timeout when it is woken,
 * so handoff bounds the losses of a woken writer to stealers; it does not
 * help a writer that is never woken (a reader-owned lock that never
 * drains).  Handoff is set by the first waiter only, as 5.3 .. 5.15 do
 * (5.16 let any waiter set it for the first).
 *
 * Not modelled: the wait_lock and the cost of the atomics, the reader
 * count overflow guard, the rwsem_has_spinner() wake-up skip of 4.19,
 * real-time tasks (immediate handoff), jiffy granularity of the timeout.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sim/core/stats.h"
#include "sim/core/types.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/rwsem.h"
#include "sim/core/trace.h"

/*
 * A task in a slow path: on the wait list (queued), on the OSQ (spinning
 * before it queues), or on neither.  Lives on the task's stack.
 */
struct rwsem_waiter {
	struct list_head list;
	struct sim_task *task;
	enum rwsem_waiter_type type;
	sim_time_t queued_at;		/* when it joined the wait list */
	struct sim_task *last_rowner;	/* 5.3 reader spin: the read owner seen at entry */
	unsigned long last_rowner_flags;
	bool queued;			/* on sem->wait_list */
	bool handoff_set;		/* this waiter set RWSEM_FLAG_HANDOFF */
	bool granted;			/* reader: its waker gave it the lock */
	bool killable;
	bool killed;			/* rwsem_kill() */
	bool sleeping;			/* blocked in the wait loop */
	bool spinning;			/* blocked in spin_wait() */
	bool wake_pending;		/* woken while queued but not asleep */
	bool need_resched;		/* a spin ended on a pending preemption */
};

/* A task holding the lock: the writer, or a reader (depth: recursion). */
struct rwsem_holder {
	struct sim_task *task;
	sim_time_t since;
	unsigned int depth;
	bool write;
};

/* How long a spinner with nothing to time waits for a poke before it
 * looks again anyway. */
#define RWSEM_SPIN_IDLE		(1 * NSEC_PER_MSEC)

/* ------------------------------------------------------------------ */
/* The policy */

#define RWSEM_POLICY_REQUIRE(field)						\
	do {									\
		if (!ops->field) {						\
			g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,		\
				    "rwsem policy '%s': " #field " is required",	\
				    name);					\
			return FALSE;						\
		}								\
	} while (0)

gboolean rwsem_policy_check(const struct fs_rwsem_policy *ops, GError **error)
{
	const char *name;

	if (!ops) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED, "rwsem policy: no ops table");
		return FALSE;
	}
	name = ops->name ? ops->name : "(null)";
	RWSEM_POLICY_REQUIRE(down_read_slowpath);
	RWSEM_POLICY_REQUIRE(down_write_slowpath);
	RWSEM_POLICY_REQUIRE(wake_readers);
	if (ops->handoff_spin && !ops->handoff) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "rwsem policy '%s': handoff_spin needs handoff (only a writer "
			    "that set the handoff bit spins)", name);
		return FALSE;
	}
	if ((ops->nonspinnable_kept | ops->nonspinnable_cleared) & ~RWSEM_NONSPINNABLE) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "rwsem policy '%s': nonspinnable_%s has bits outside "
			    "RWSEM_NONSPINNABLE (0x%lx)", name,
			    ops->nonspinnable_kept & ~RWSEM_NONSPINNABLE ? "kept" : "cleared",
			    RWSEM_NONSPINNABLE);
		return FALSE;
	}
	if (ops->spin_poll <= 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "rwsem policy '%s': spin_poll must be positive (got %" G_GINT64_FORMAT
			    " ns)", name, (gint64)ops->spin_poll);
		return FALSE;
	}
	return TRUE;
}

#undef RWSEM_POLICY_REQUIRE

/* ------------------------------------------------------------------ */
/* Events and queries */

static const char *const rwsem_event_names[RWSEM_NR_EVENTS] = {
#define RWSEM_EVENT_NAME(name) #name,
	RWSEM_EVENTS(RWSEM_EVENT_NAME)
#undef RWSEM_EVENT_NAME
};

/* What each counts, for its description (RWSEM_EVENTS() has the list). */
static const char *const rwsem_event_what[RWSEM_NR_EVENTS] = {
	[LOCKEVENT_rwsem_sleep_reader] = "readers that slept",
	[LOCKEVENT_rwsem_sleep_writer] = "writers that slept",
	[LOCKEVENT_rwsem_wake_reader] = "wake-ups that granted readers",
	[LOCKEVENT_rwsem_wake_writer] = "wake-ups of a writer",
	[LOCKEVENT_rwsem_opt_rlock] = "read locks taken by optimistic spinning",
	[LOCKEVENT_rwsem_opt_wlock] = "write locks taken by optimistic spinning",
	[LOCKEVENT_rwsem_opt_lock] = "locks taken by optimistic spinning",
	[LOCKEVENT_rwsem_opt_fail] = "optimistic spins refused or given up",
	[LOCKEVENT_rwsem_opt_nospin] = "writer spins on readers that timed out",
	[LOCKEVENT_rwsem_opt_norspin] = "reader spinning disabled",
	[LOCKEVENT_rwsem_opt_rlock2] = "read locks by the reader-phase trylock",
	[LOCKEVENT_rwsem_rlock] = "read locks granted after sleeping",
	[LOCKEVENT_rwsem_rlock_steal] = "read locks taken by slow-path stealing",
	[LOCKEVENT_rwsem_rlock_fast] = "read locks in the slow path with the queue empty",
	[LOCKEVENT_rwsem_rlock_fail] = "killed read lock attempts",
	[LOCKEVENT_rwsem_rlock_handoff] = "handoff bits set for a reader",
	[LOCKEVENT_rwsem_wlock] = "write locks taken in the slow path",
	[LOCKEVENT_rwsem_wlock_fail] = "killed write lock attempts",
	[LOCKEVENT_rwsem_wlock_handoff] = "handoff bits set by a writer",
};

const char *rwsem_event_name(enum rwsem_event ev)
{
	g_assert((unsigned int)ev < RWSEM_NR_EVENTS);
	return rwsem_event_names[ev];
}

#define lockevent_inc(sem, ev)	((*(sem)->events[LOCKEVENT_##ev])++)

void rwsem_lockevent_inc(struct rw_semaphore *sem, enum rwsem_event ev)
{
	g_assert((unsigned int)ev < RWSEM_NR_EVENTS);
	(*sem->events[ev])++;
}

unsigned long rwsem_count(const struct rw_semaphore *sem)
{
	return sem->count;
}

unsigned long rwsem_owner_flags(const struct rw_semaphore *sem)
{
	return sem->owner_flags;
}

unsigned long rwsem_nr_readers(const struct rw_semaphore *sem)
{
	return sem->count >> RWSEM_READER_SHIFT;
}

sim_time_t rwsem_now(const struct rw_semaphore *sem)
{
	return sim_now(sem->eng);
}

enum rwsem_waiter_type rwsem_waiter_type(const struct rwsem_waiter *waiter)
{
	return waiter->type;
}

struct sim_task *rwsem_waiter_task(const struct rwsem_waiter *waiter)
{
	return waiter->task;
}

sim_time_t rwsem_waited(const struct rw_semaphore *sem, const struct rwsem_waiter *waiter)
{
	return waiter->queued ? sim_now(sem->eng) - waiter->queued_at : 0;
}

struct rwsem_waiter *rwsem_first_waiter(struct rw_semaphore *sem)
{
	return list_first_entry_or_null(&sem->wait_list, struct rwsem_waiter, list);
}

struct rwsem_waiter *rwsem_next_waiter(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	g_assert(waiter->queued);
	if (waiter->list.next == &sem->wait_list)
		return NULL;
	return list_entry(waiter->list.next, struct rwsem_waiter, list);
}

/* ------------------------------------------------------------------ */
/* Holders: who holds the lock since when, for hold times and checks.
 * A linear array (a release moves the last entry into the hole):
 * O(readers holding) per lookup, no call into a library per hold. */

static int holder_index(const struct rw_semaphore *sem, const struct sim_task *t)
{
	for (unsigned int i = 0; i < sem->nr_holders; i++)
		if (sem->holders[i].task == t)
			return (int)i;
	return -1;
}

static struct rwsem_holder *holder_find(const struct rw_semaphore *sem,
					const struct sim_task *t)
{
	int i = holder_index(sem, t);

	return i < 0 ? NULL : &sem->holders[i];
}

static void holder_add(struct rw_semaphore *sem, struct sim_task *t, bool write)
{
	struct rwsem_holder *h = holder_find(sem, t);

	if (h) {
		/* Recursive read (deadlock-prone, as in the kernel). */
		g_assert(!write && !h->write);
		h->depth++;
		return;
	}
	if (G_UNLIKELY(sem->nr_holders == sem->holders_cap)) {
		sem->holders_cap = sem->holders_cap ? 2 * sem->holders_cap : 8;
		sem->holders = g_renew(struct rwsem_holder, sem->holders, sem->holders_cap);
	}
	sem->holders[sem->nr_holders++] = (struct rwsem_holder){
		.task = t, .since = rwsem_now(sem), .depth = 1, .write = write };
}

/* The task's own return from down_*(): the hold starts (lock_stat). */
static void holder_acquired(struct rw_semaphore *sem, struct sim_task *t)
{
	struct rwsem_holder *h = holder_find(sem, t);

	g_assert(h);
	if (h->depth == 1)
		h->since = rwsem_now(sem);
}

/* Drop one hold of @t; returns how long it was held. */
static sim_time_t holder_del(struct rw_semaphore *sem, struct sim_task *t, bool write)
{
	int i = holder_index(sem, t);
	struct rwsem_holder *h;
	sim_time_t held;

	if (i < 0 || sem->holders[i].write != write)
		g_error("%s: task %s releases a %s hold it does not have", sem->name,
			sim_task_name(t), write ? "write" : "read");
	h = &sem->holders[i];
	held = rwsem_now(sem) - h->since;
	if (--h->depth == 0)
		*h = sem->holders[--sem->nr_holders];
	return held;
}

/* ------------------------------------------------------------------ */
/* Owner */

static inline void rwsem_set_owner(struct rw_semaphore *sem, struct sim_task *t)
{
	sem->owner = t;
	sem->owner_flags = 0;
}

static inline void rwsem_clear_owner(struct rw_semaphore *sem)
{
	sem->owner = NULL;
	sem->owner_flags = 0;
}

/*
 * __rwsem_set_reader_owned(): mark the lock reader-owned by @t.  The
 * nonspinnable bits the policy keeps survive; @extra: flags the reader
 * brings along.
 */
static void rwsem_set_reader_owned(struct rw_semaphore *sem, struct sim_task *t,
				   unsigned long extra)
{
	sem->owner = t;
	sem->owner_flags = RWSEM_READER_OWNED | extra |
			   (sem->owner_flags & sem->ops->nonspinnable_kept);
}

/* A writer's spin on readers timed out: nobody spins on these readers. */
static void rwsem_set_nonspinnable(struct rw_semaphore *sem)
{
	if ((sem->owner_flags & RWSEM_READER_OWNED) &&
	    !(sem->owner_flags & RWSEM_NONSPINNABLE))
		sem->owner_flags |= RWSEM_NONSPINNABLE;
}

/* The lock was found free with waiters: spinning may start again, as far
 * as the policy clears the nonspinnable bits. */
static void rwsem_clear_nonspinnable(struct rw_semaphore *sem)
{
	sem->owner_flags &= ~sem->ops->nonspinnable_cleared;
}

/* ------------------------------------------------------------------ */
/* Waking and poking tasks */

/*
 * Wake a waiter's task if it is blocked in one of our waits (sleeping or
 * spinning); a task already woken is left alone, like wake_q_add().  A
 * queued waiter woken while it spins (the 5.11 handoff writer) keeps the
 * wake-up for its next sleep: in the kernel it set TASK_UNINTERRUPTIBLE
 * before spinning, so the wake-up makes its schedule() return at once.
 */
static void rwsem_wake_task(struct rwsem_waiter *w)
{
	if (w->queued && !w->sleeping)
		w->wake_pending = true;
	if ((w->sleeping || w->spinning) &&
	    sim_task_state(w->task) == SIM_TASK_BLOCKED)
		sim_wake(w->task);
}

/* The lock changed: the spinner at the head of the OSQ takes a look. */
static void rwsem_kick_spinner(struct rw_semaphore *sem)
{
	struct rwsem_waiter *w = list_first_entry_or_null(&sem->osq,
							  struct rwsem_waiter, list);

	if (w && w->spinning && sim_task_state(w->task) == SIM_TASK_BLOCKED)
		sim_wake(w->task);
}

static void rwsem_changed(struct rw_semaphore *sem)
{
	rwsem_kick_spinner(sem);
	if (sim_engine_checks(sem->eng))
		rwsem_check(sem);
}

enum spin_result {
	SPIN_POKED,		/* the lock changed */
	SPIN_TIMEOUT,		/* @max passed */
	SPIN_RESCHED,		/* need_resched(): a preemption is pending */
};

/* Burn the CPU for at most @max ns or until poked. */
static enum spin_result spin_wait(struct rw_semaphore *sem, struct rwsem_waiter *w,
				  sim_time_t max)
{
	sim_time_t start = rwsem_now(sem);
	bool poked;

	g_assert(max > 0);
	sim_task_set_blocked_on(w->task, "rwsem spin", sem);
	w->spinning = true;
	poked = cpu_spin(w->task, max);
	w->spinning = false;
	if (poked)
		return SPIN_POKED;
	if (rwsem_now(sem) - start < max) {
		w->need_resched = true;
		return SPIN_RESCHED;
	}
	return SPIN_TIMEOUT;
}

/* ------------------------------------------------------------------ */
/* Taking the lock */

void rwsem_take_read(struct rw_semaphore *sem, struct sim_task *t)
{
	sem->count += RWSEM_READER_BIAS;
	rwsem_set_reader_owned(sem, t, 0);
	holder_add(sem, t, false);
}

static void rwsem_take_write(struct rw_semaphore *sem, struct sim_task *t)
{
	g_assert(!(sem->count & RWSEM_LOCK_MASK));
	sem->count |= RWSEM_WRITER_LOCKED;
	rwsem_set_owner(sem, t);
	holder_add(sem, t, true);
}

static inline struct rwsem_waiter *rwsem_head(struct rw_semaphore *sem)
{
	return list_first_entry(&sem->wait_list, struct rwsem_waiter, list);
}

static void rwsem_del_waiter_list(struct rwsem_waiter *w)
{
	list_del_init(&w->list);
	w->queued = false;
}

void rwsem_grant_reader(struct rw_semaphore *sem, struct rwsem_waiter *w)
{
	g_assert(w->queued && w->type == RWSEM_WAITING_FOR_READ);
	rwsem_del_waiter_list(w);
	w->granted = true;
	sem->count += RWSEM_READER_BIAS;
	holder_add(sem, w->task, false);
	rwsem_wake_task(w);
}

/* O(waiters) through the policy's wake_readers(). */
void rwsem_mark_wake(struct rw_semaphore *sem, enum rwsem_wake_type wake_type)
{
	const struct fs_rwsem_policy *ops = sem->ops;
	struct rwsem_waiter *waiter;
	unsigned int woken;

	g_assert(!list_empty(&sem->wait_list));
	waiter = ops->wake_first ? ops->wake_first(sem) : rwsem_head(sem);
	g_assert(waiter && waiter->queued);

	if (waiter->type == RWSEM_WAITING_FOR_WRITE) {
		if (wake_type == RWSEM_WAKE_ANY) {
			rwsem_wake_task(waiter);
			lockevent_inc(sem, rwsem_wake_writer);
		}
		return;
	}

	if (wake_type != RWSEM_WAKE_READ_OWNED) {
		unsigned long extra = 0;

		if (sem->count & RWSEM_WRITER_LOCKED) {
			/* Initiate handoff to the reader, if it waited too long. */
			if (ops->handoff && ops->handoff(sem, waiter)) {
				if (!(sem->count & RWSEM_FLAG_HANDOFF)) {
					sem->count |= RWSEM_FLAG_HANDOFF;
					lockevent_inc(sem, rwsem_rlock_handoff);
				}
				waiter->handoff_set = true;
			}
			return;
		}
		if (waiter->last_rowner_flags & RWSEM_RD_NONSPINNABLE) {
			extra = RWSEM_RD_NONSPINNABLE;
			lockevent_inc(sem, rwsem_opt_norspin);
		}
		rwsem_set_reader_owned(sem, waiter->task, extra);
	}

	woken = ops->wake_readers(sem);

	if (list_empty(&sem->wait_list))
		sem->count &= ~(RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF);
	else if (woken)
		sem->count &= ~RWSEM_FLAG_HANDOFF;
	if (woken) {
		lockevent_inc(sem, rwsem_wake_reader);
		sim_hist_record(sem->wake_batch, woken);
	}
}

/* rwsem_wake(): an unlock left waiters behind. */
static void rwsem_wake(struct rw_semaphore *sem)
{
	if (!list_empty(&sem->wait_list))
		rwsem_mark_wake(sem, RWSEM_WAKE_ANY);
}

/*
 * rwsem_try_write_lock(): a queued writer takes a free lock unless another
 * waiter asked for handoff; the first waiter asks for handoff (the lock
 * being held) when the policy's handoff() says so.  Dequeues on success.
 */
static bool rwsem_try_write_lock(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	const struct fs_rwsem_policy *ops = sem->ops;
	struct rwsem_waiter *first = rwsem_head(sem);

	if ((sem->count & RWSEM_FLAG_HANDOFF) && waiter != first)
		return false;
	if (sem->count & RWSEM_LOCK_MASK) {
		if (ops->handoff && waiter == first &&
		    !(sem->count & RWSEM_FLAG_HANDOFF) && ops->handoff(sem, waiter)) {
			sem->count |= RWSEM_FLAG_HANDOFF;
			waiter->handoff_set = true;
			lockevent_inc(sem, rwsem_wlock_handoff);
		}
		return false;
	}
	sem->count &= ~RWSEM_FLAG_HANDOFF;
	if (list_is_singular(&sem->wait_list))
		sem->count &= ~RWSEM_FLAG_WAITERS;
	rwsem_del_waiter_list(waiter);
	rwsem_take_write(sem, waiter->task);
	return true;
}

/* ------------------------------------------------------------------ */
/* Optimistic spinning */

/* Whether a spinner of this kind may spin on a reader-owned lock. */
static inline bool rwsem_reader_owned_spinnable(const struct rw_semaphore *sem,
						bool wlock)
{
	return wlock ? sem->ops->rspin_threshold != NULL : true;
}

bool rwsem_can_spin_on_owner(struct rw_semaphore *sem, bool wlock)
{
	unsigned long nonspinnable = wlock ? RWSEM_WR_NONSPINNABLE : RWSEM_RD_NONSPINNABLE;
	bool ret = true;

	if (sem->owner_flags & nonspinnable)
		ret = false;
	else if (sem->owner_flags & RWSEM_READER_OWNED)
		ret = rwsem_reader_owned_spinnable(sem, wlock);
	else if (sem->owner && !sim_task_on_cpu(sem->owner))
		ret = false;
	if (!ret)
		lockevent_inc(sem, rwsem_opt_fail);
	return ret;
}

static enum owner_state rwsem_owner_state(const struct rw_semaphore *sem, bool wlock,
					  unsigned long nonspinnable)
{
	if (sem->owner_flags & nonspinnable)
		return OWNER_NONSPINNABLE;
	if (sem->owner_flags & RWSEM_READER_OWNED)
		return rwsem_reader_owned_spinnable(sem, wlock) ? OWNER_READER
								: OWNER_NONSPINNABLE;
	return sem->owner ? OWNER_WRITER : OWNER_NULL;
}

enum owner_state rwsem_spin_on_owner(struct rw_semaphore *sem, struct rwsem_waiter *w,
				     bool wlock, unsigned long nonspinnable)
{
	struct sim_task *owner = sem->owner;
	unsigned long flags = sem->owner_flags;
	enum owner_state state = rwsem_owner_state(sem, wlock, nonspinnable);

	if (state != OWNER_WRITER)
		return state;
	for (;;) {
		if (sem->owner != owner || sem->owner_flags != flags)
			return rwsem_owner_state(sem, wlock, nonspinnable);
		if (!sim_task_on_cpu(owner))
			return OWNER_NONSPINNABLE;
		if (spin_wait(sem, w, sem->ops->spin_poll) == SPIN_RESCHED)
			return OWNER_NONSPINNABLE;
	}
}

/* rwsem_try_write_lock_unqueued(): a spinner takes a free lock (waiters
 * or not) unless handoff is set. */
static bool rwsem_try_write_lock_unqueued(struct rw_semaphore *sem, struct sim_task *t)
{
	if (sem->count & (RWSEM_LOCK_MASK | RWSEM_FLAG_HANDOFF))
		return false;
	rwsem_take_write(sem, t);
	lockevent_inc(sem, rwsem_opt_wlock);
	lockevent_inc(sem, rwsem_opt_lock);
	return true;
}

/* rwsem_try_read_lock_unqueued(): a spinning reader joins any lock no
 * writer holds, unless handoff is set (5.3). */
static bool rwsem_try_read_lock_unqueued(struct rw_semaphore *sem, struct sim_task *t)
{
	if (sem->count & (RWSEM_WRITER_LOCKED | RWSEM_FLAG_HANDOFF))
		return false;
	rwsem_take_read(sem, t);
	lockevent_inc(sem, rwsem_opt_rlock);
	lockevent_inc(sem, rwsem_opt_lock);
	return true;
}

bool rwsem_optimistic_spin(struct rw_semaphore *sem, struct rwsem_waiter *w, bool wlock)
{
	unsigned long nonspinnable = wlock ? RWSEM_WR_NONSPINNABLE : RWSEM_RD_NONSPINNABLE;
	enum owner_state prev_state = OWNER_NULL;
	sim_time_t start = rwsem_now(sem), rspin_deadline = 0;
	bool taken = false;

	/* osq_lock(): wait for our turn; a pending preemption gives up. */
	list_add_tail(&w->list, &sem->osq);
	while (list_first_entry(&sem->osq, struct rwsem_waiter, list) != w)
		if (spin_wait(sem, w, RWSEM_SPIN_IDLE) == SPIN_RESCHED)
			goto unqueue;

	for (;;) {
		enum owner_state state;
		sim_time_t max = RWSEM_SPIN_IDLE;

		state = rwsem_spin_on_owner(sem, w, wlock, nonspinnable);
		if (!(state & OWNER_SPINNABLE))
			break;
		taken = wlock ? rwsem_try_write_lock_unqueued(sem, w->task)
			      : rwsem_try_read_lock_unqueued(sem, w->task);
		if (taken)
			break;
		if (wlock && state == OWNER_READER) {
			/* A new reader phase restarts the clock. */
			if (prev_state != OWNER_READER) {
				if (sem->owner_flags & nonspinnable)
					break;
				rspin_deadline = rwsem_now(sem) + sem->ops->rspin_threshold(sem);
			} else if (rwsem_now(sem) >= rspin_deadline) {
				rwsem_set_nonspinnable(sem);
				lockevent_inc(sem, rwsem_opt_nospin);
				break;
			}
			max = rspin_deadline - rwsem_now(sem);
		}
		prev_state = state;
		if (state == OWNER_WRITER)
			continue;	/* a new writer: spin on it */
		/* cpu_relax() until the lock changes. */
		if (spin_wait(sem, w, max) == SPIN_RESCHED)
			break;
	}
unqueue:
	list_del_init(&w->list);
	sim_hist_record(wlock ? sem->write_spin : sem->read_spin,
			(uint64_t)(rwsem_now(sem) - start));
	if (!taken)
		lockevent_inc(sem, rwsem_opt_fail);
	rwsem_changed(sem);	/* the next spinner's turn */
	/* preempt_enable(): a preemption that ended the spin happens now. */
	if (w->need_resched) {
		w->need_resched = false;
		cpu_cond_resched(w->task);
	}
	return taken;
}

void rwsem_save_last_rowner(struct rw_semaphore *sem, struct rwsem_waiter *w)
{
	if (sem->owner_flags & RWSEM_READER_OWNED) {
		w->last_rowner = sem->owner;
		w->last_rowner_flags = sem->owner_flags;
	} else {
		w->last_rowner_flags = sem->owner_flags & RWSEM_RD_NONSPINNABLE;
	}
}

bool rwsem_reader_phase_trylock(struct rw_semaphore *sem, struct rwsem_waiter *w)
{
	if (!(sem->owner_flags & RWSEM_READER_OWNED))
		return false;
	if (sem->owner != w->last_rowner && rwsem_try_read_lock_unqueued(sem, w->task)) {
		lockevent_inc(sem, rwsem_opt_rlock2);
		if (*sem->events[LOCKEVENT_rwsem_opt_fail])
			(*sem->events[LOCKEVENT_rwsem_opt_fail])--;
		return true;
	}
	return false;
}

void rwsem_disable_reader_optspin(struct rw_semaphore *sem)
{
	sem->owner_flags |= RWSEM_RD_NONSPINNABLE;
	lockevent_inc(sem, rwsem_opt_norspin);
}

/* ------------------------------------------------------------------ */
/* Slow paths: the queue and the wait loops */

static void rwsem_waiter_init(struct rwsem_waiter *w, struct sim_task *t,
			      enum rwsem_waiter_type type, bool killable)
{
	memset(w, 0, sizeof(*w));
	INIT_LIST_HEAD(&w->list);
	w->task = t;
	w->type = type;
	w->killable = killable;
}

/* schedule() in a wait loop: returns at once if woken meanwhile. */
static void rwsem_sleep(struct rw_semaphore *sem, struct rwsem_waiter *w)
{
	if (w->wake_pending) {
		w->wake_pending = false;
		return;
	}
	sim_task_set_blocked_on(w->task, w->type == RWSEM_WAITING_FOR_READ ?
				"rwsem read" : "rwsem write", sem);
	w->sleeping = true;
	sim_block(w->task);
	w->sleeping = false;
	w->wake_pending = false;
}

/* A wait or a hold, from @start to now, as a slice of @t's trace. */
enum { RWSEM_TRACE_READ_WAIT, RWSEM_TRACE_WRITE_WAIT, RWSEM_TRACE_READ, RWSEM_TRACE_WRITE };

static void rwsem_trace(struct rw_semaphore *sem, struct sim_task *t, unsigned int what,
			sim_time_t start)
{
	sim_trace_task_slice(sem->trace, t, "lock", sem->trace_name[what], start,
			     rwsem_now(sem), NULL, 0);
}

static void rwsem_read_acquired(struct rw_semaphore *sem, struct sim_task *t,
				sim_time_t start)
{
	holder_acquired(sem, t);
	sim_hist_record(sem->read_wait, (uint64_t)(rwsem_now(sem) - start));
	if (G_UNLIKELY(sem->trace))
		rwsem_trace(sem, t, RWSEM_TRACE_READ_WAIT, start);
	(*sem->read_acquisitions)++;
	rwsem_changed(sem);
}

static void rwsem_write_acquired(struct rw_semaphore *sem, struct sim_task *t,
				 sim_time_t start)
{
	holder_acquired(sem, t);
	sim_hist_record(sem->write_wait, (uint64_t)(rwsem_now(sem) - start));
	if (G_UNLIKELY(sem->trace))
		rwsem_trace(sem, t, RWSEM_TRACE_WRITE_WAIT, start);
	(*sem->write_acquisitions)++;
	rwsem_changed(sem);
}

/* Killable: a kill not yet overtaken by a grant dequeues and returns
 * -EINTR. */
int rwsem_down_read_queue(struct rw_semaphore *sem, struct rwsem_waiter *waiter, bool spun)
{
	struct sim_task *t = waiter->task;
	bool first = false, wake = false;

	g_assert(!waiter->queued && waiter->type == RWSEM_WAITING_FOR_READ);
	waiter->queued_at = rwsem_now(sem);
	if (list_empty(&sem->wait_list)) {
		if (!spun && !(sem->count & (RWSEM_WRITER_LOCKED | RWSEM_FLAG_HANDOFF))) {
			rwsem_take_read(sem, t);
			lockevent_inc(sem, rwsem_rlock_fast);
			return 0;
		}
		first = true;
		sem->count |= RWSEM_FLAG_WAITERS;
	}
	list_add_tail(&waiter->list, &sem->wait_list);
	waiter->queued = true;

	/* No lock held: wake the head; no writer and we are first: join. */
	if (!(sem->count & RWSEM_LOCK_MASK)) {
		rwsem_clear_nonspinnable(sem);
		wake = true;
	}
	if (wake || (!(sem->count & RWSEM_WRITER_LOCKED) && first))
		rwsem_mark_wake(sem, RWSEM_WAKE_ANY);
	rwsem_changed(sem);

	for (;;) {
		if (waiter->granted)
			break;
		if (waiter->killable && waiter->killed) {
			rwsem_del_waiter_list(waiter);
			if (list_empty(&sem->wait_list))
				sem->count &= ~(RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF);
			lockevent_inc(sem, rwsem_rlock_fail);
			rwsem_changed(sem);
			return -EINTR;
		}
		rwsem_sleep(sem, waiter);
		lockevent_inc(sem, rwsem_sleep_reader);
	}
	lockevent_inc(sem, rwsem_rlock);
	return 0;
}

/* A writer queued behind others wakes the readers ahead of it if readers
 * own the lock, and the head waiter if nobody holds it (with handoff: the
 * handoff bit may be set).  Killed: dequeue, drop our handoff, wake the
 * next waiters. */
int rwsem_down_write_queue(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	const struct fs_rwsem_policy *ops = sem->ops;

	g_assert(!waiter->queued && waiter->type == RWSEM_WAITING_FOR_WRITE);
	waiter->queued_at = rwsem_now(sem);
	if (!list_empty(&sem->wait_list)) {
		list_add_tail(&waiter->list, &sem->wait_list);
		waiter->queued = true;
		if (sem->count & RWSEM_WRITER_LOCKED)
			;
		else if (sem->count & RWSEM_READER_MASK)
			rwsem_mark_wake(sem, RWSEM_WAKE_READERS);
		else if (ops->handoff)
			rwsem_mark_wake(sem, RWSEM_WAKE_ANY);
	} else {
		list_add_tail(&waiter->list, &sem->wait_list);
		waiter->queued = true;
		sem->count |= RWSEM_FLAG_WAITERS;
	}

	for (;;) {
		if (rwsem_try_write_lock(sem, waiter))
			break;
		if (waiter->killable && waiter->killed)
			goto out_nolock;
		rwsem_changed(sem);
		if (ops->handoff_spin && waiter->handoff_set && ops->handoff_spin(sem, waiter))
			continue;
		rwsem_sleep(sem, waiter);
		lockevent_inc(sem, rwsem_sleep_writer);
	}
	lockevent_inc(sem, rwsem_wlock);
	return 0;

out_nolock:
	rwsem_del_waiter_list(waiter);
	if (waiter->handoff_set)
		sem->count &= ~RWSEM_FLAG_HANDOFF;
	if (list_empty(&sem->wait_list))
		sem->count &= ~(RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF);
	else
		rwsem_mark_wake(sem, RWSEM_WAKE_ANY);
	lockevent_inc(sem, rwsem_wlock_fail);
	rwsem_changed(sem);
	return -EINTR;
}

/* ------------------------------------------------------------------ */
/* The API */

static inline void rwsem_assert_running(const struct rw_semaphore *sem,
					const struct sim_task *t)
{
	g_assert(t && sim_current(sem->eng) == t);
}

/* The reader fast path: refused while a writer holds the lock, a waiter
 * is queued or handoff is set (or as the policy says). */
static inline bool rwsem_read_trylock(struct rw_semaphore *sem, struct sim_task *t)
{
	const struct fs_rwsem_policy *ops = sem->ops;

	if (ops->read_fastpath ? !ops->read_fastpath(sem) : (sem->count & RWSEM_READ_FAILED_MASK))
		return false;
	rwsem_take_read(sem, t);
	(*sem->read_acquisitions)++;
	rwsem_changed(sem);
	return true;
}

static int __down_read_common(struct rw_semaphore *sem, struct sim_task *t, bool killable)
{
	struct rwsem_waiter waiter;
	sim_time_t start;
	int ret;

	rwsem_assert_running(sem, t);
	if (rwsem_read_trylock(sem, t))
		return 0;
	(*sem->read_contentions)++;
	start = rwsem_now(sem);
	rwsem_waiter_init(&waiter, t, RWSEM_WAITING_FOR_READ, killable);
	ret = sem->ops->down_read_slowpath(sem, &waiter);
	g_assert(!waiter.queued && (ret == 0 || ret == -EINTR));
	if (ret == 0)
		rwsem_read_acquired(sem, t, start);
	return ret;
}

void down_read(struct rw_semaphore *sem, struct sim_task *t)
{
	/* Not killable: cannot fail. */
	(void)__down_read_common(sem, t, false);
}

int down_read_killable(struct rw_semaphore *sem, struct sim_task *t)
{
	return __down_read_common(sem, t, true);
}

int down_read_trylock(struct rw_semaphore *sem, struct sim_task *t)
{
	rwsem_assert_running(sem, t);
	return rwsem_read_trylock(sem, t);
}

void up_read(struct rw_semaphore *sem, struct sim_task *t)
{
	g_assert(rwsem_nr_readers(sem) > 0 && (sem->owner_flags & RWSEM_READER_OWNED));
	sim_time_t held = holder_del(sem, t, false);

	sim_hist_record(sem->read_hold, (uint64_t)held);
	if (G_UNLIKELY(sem->trace))
		rwsem_trace(sem, t, RWSEM_TRACE_READ, rwsem_now(sem) - held);
	sem->count -= RWSEM_READER_BIAS;
	/* The owner field keeps the last reader, as in the kernel. */
	if ((sem->count & (RWSEM_LOCK_MASK | RWSEM_FLAG_WAITERS)) == RWSEM_FLAG_WAITERS) {
		rwsem_clear_nonspinnable(sem);
		rwsem_wake(sem);
	}
	rwsem_changed(sem);
}

/* The writer fast path takes only a lock in its initial state: any waiter
 * sends it to the slow path (or as the policy says). */
static inline bool rwsem_write_trylock(struct rw_semaphore *sem, struct sim_task *t)
{
	const struct fs_rwsem_policy *ops = sem->ops;

	if (ops->write_fastpath ? !ops->write_fastpath(sem) : sem->count != 0)
		return false;
	rwsem_take_write(sem, t);
	return true;
}

static int __down_write_common(struct rw_semaphore *sem, struct sim_task *t, bool killable)
{
	struct rwsem_waiter waiter;
	sim_time_t start;
	int ret;

	rwsem_assert_running(sem, t);
	if (rwsem_write_trylock(sem, t)) {
		(*sem->write_acquisitions)++;
		rwsem_changed(sem);
		return 0;
	}
	(*sem->write_contentions)++;
	start = rwsem_now(sem);
	rwsem_waiter_init(&waiter, t, RWSEM_WAITING_FOR_WRITE, killable);
	ret = sem->ops->down_write_slowpath(sem, &waiter);
	g_assert(!waiter.queued && (ret == 0 || ret == -EINTR));
	if (ret == 0)
		rwsem_write_acquired(sem, t, start);
	return ret;
}

void down_write(struct rw_semaphore *sem, struct sim_task *t)
{
	/* Not killable: cannot fail. */
	(void)__down_write_common(sem, t, false);
}

int down_write_killable(struct rw_semaphore *sem, struct sim_task *t)
{
	return __down_write_common(sem, t, true);
}

int down_write_trylock(struct rw_semaphore *sem, struct sim_task *t)
{
	rwsem_assert_running(sem, t);
	if (!rwsem_write_trylock(sem, t))
		return 0;
	(*sem->write_acquisitions)++;
	rwsem_changed(sem);
	return 1;
}

void up_write(struct rw_semaphore *sem, struct sim_task *t)
{
	g_assert((sem->count & RWSEM_WRITER_LOCKED) && sem->owner == t);
	sim_time_t held = holder_del(sem, t, true);

	sim_hist_record(sem->write_hold, (uint64_t)held);
	if (G_UNLIKELY(sem->trace))
		rwsem_trace(sem, t, RWSEM_TRACE_WRITE, rwsem_now(sem) - held);
	rwsem_clear_owner(sem);
	sem->count &= ~RWSEM_WRITER_LOCKED;
	if (sem->count & RWSEM_FLAG_WAITERS)
		rwsem_wake(sem);
	rwsem_changed(sem);
}

void downgrade_write(struct rw_semaphore *sem, struct sim_task *t)
{
	g_assert((sem->count & RWSEM_WRITER_LOCKED) && sem->owner == t);
	sim_time_t held = holder_del(sem, t, true);

	sim_hist_record(sem->write_hold, (uint64_t)held);
	if (G_UNLIKELY(sem->trace))
		rwsem_trace(sem, t, RWSEM_TRACE_WRITE, rwsem_now(sem) - held);
	sem->count &= ~RWSEM_WRITER_LOCKED;
	rwsem_take_read(sem, t);
	if (sem->count & RWSEM_FLAG_WAITERS)
		rwsem_mark_wake(sem, RWSEM_WAKE_READ_OWNED);
	rwsem_changed(sem);
}

static struct rwsem_waiter *rwsem_find_waiter(struct list_head *head,
					      const struct sim_task *t)
{
	struct rwsem_waiter *w;

	list_for_each_entry(w, head, list)
		if (w->task == t)
			return w;
	return NULL;
}

bool rwsem_kill(struct rw_semaphore *sem, struct sim_task *t)
{
	struct rwsem_waiter *w = rwsem_find_waiter(&sem->wait_list, t);

	if (!w)
		w = rwsem_find_waiter(&sem->osq, t);
	if (!w || !w->killable)
		return false;
	w->killed = true;
	if (w->queued)
		rwsem_wake_task(w);
	return true;
}

size_t rwsem_nr_waiters(const struct rw_semaphore *sem)
{
	return list_count(&sem->wait_list);
}

size_t rwsem_nr_spinners(const struct rw_semaphore *sem)
{
	return list_count(&sem->osq);
}

bool rwsem_is_read_holder(const struct rw_semaphore *sem, const struct sim_task *t)
{
	const struct rwsem_holder *h = holder_find(sem, t);

	return h && !h->write;
}

bool rwsem_is_write_holder(const struct rw_semaphore *sem, const struct sim_task *t)
{
	const struct rwsem_holder *h = holder_find(sem, t);

	return h && h->write;
}

/* ------------------------------------------------------------------ */
/* Set-up */

void rwsem_init(struct rw_semaphore *sem, struct sim_engine *eng, const char *name,
		const struct fs_rwsem_policy *ops)
{
	struct sim_stats *st = sim_engine_stats(eng);
	g_autoptr(GError) error = NULL;

	g_assert(name);
	if (!rwsem_policy_check(ops, &error))
		g_error("rwsem_init(%s): %s", name, error->message);
	memset(sem, 0, sizeof(*sem));
	INIT_LIST_HEAD(&sem->wait_list);
	INIT_LIST_HEAD(&sem->osq);
	sem->ops = ops;
	sem->eng = eng;
	sem->name = g_strdup(name);
	sem->trace = sim_engine_trace(eng);
	if (sem->trace) {
		static const char *const what[] = { "read wait", "write wait", "read", "write" };

		for (unsigned int i = 0; i < G_N_ELEMENTS(what); i++) {
			g_autofree char *n = g_strdup_printf("%s %s", name, what[i]);

			sem->trace_name[i] = sim_trace_intern(sem->trace, n);
		}
	}
	for (unsigned int i = 0; i < RWSEM_NR_EVENTS; i++)
		sem->events[i] = sim_stats_counter_unit(st, name, rwsem_event_names[i], "events",
							rwsem_event_what[i]);
#define COUNTER(what, unit, desc) sim_stats_counter_unit(st, name, what, unit, desc)
#define HIST(what, unit, desc) sim_stats_hist_unit(st, name, what, unit, desc)
	sem->read_contentions = COUNTER("readContentions", "acquisitions",
					"read acquisitions that had to wait (spin or sleep)");
	sem->read_acquisitions = COUNTER("readAcquisitions", "acquisitions",
					 "read locks taken");
	sem->write_contentions = COUNTER("writeContentions", "acquisitions",
					 "write acquisitions that had to wait (spin or sleep)");
	sem->write_acquisitions = COUNTER("writeAcquisitions", "acquisitions",
					  "write locks taken");
	sem->read_wait = HIST("readWaitTime", "ns",
			      "contended read acquisition: asking to running with the lock");
	sem->write_wait = HIST("writeWaitTime", "ns",
			       "contended write acquisition: asking to running with the lock");
	sem->read_hold = HIST("readHoldTime", "ns", "read lock held, acquisition to release");
	sem->write_hold = HIST("writeHoldTime", "ns", "write lock held, acquisition to release");
	sem->read_spin = HIST("readSpinTime", "ns", "one optimistic spin of a reader");
	sem->write_spin = HIST("writeSpinTime", "ns", "one optimistic spin of a writer");
	sem->wake_batch = HIST("readerWakeBatch", "readers", "readers granted by one wake-up");
#undef COUNTER
#undef HIST
}

void rwsem_destroy(struct rw_semaphore *sem)
{
	/* Waiters may still be linked from the stacks of discarded tasks:
	 * the lists are not walked. */
	g_clear_pointer(&sem->holders, g_free);
	sem->nr_holders = sem->holders_cap = 0;
	g_free(sem->name);
	sem->name = NULL;
}

/* ------------------------------------------------------------------ */
/* The invariant checker */

/*
 *  - Reserved count bits are clear.
 *  - Writer-locked: no reader, one holder (the writer), owner is that
 *    writer and not marked reader-owned.  Else no write holder.
 *  - Readers: the owner is marked reader-owned; the read holds (granted
 *    readers included) add up to the reader count.
 *  - WAITERS is set iff the wait list is non-empty; HANDOFF only with
 *    waiters, and only with a policy that has handoff.
 *  - Every queued waiter is marked queued and not granted; the write owner
 *    is not waiting; spinners are not queued.
 *  - No lost wake-up: a free lock with waiters has a writer at the head,
 *    and that writer is not asleep (it was woken and will try again).
 */
void rwsem_check(const struct rw_semaphore *sem)
{
	unsigned long c = sem->count, readers = c >> RWSEM_READER_SHIFT;
	unsigned long depth = 0;
	unsigned int writers = 0;
	const struct rwsem_waiter *w;

	SIM_CHECK((c & (RWSEM_READER_BIAS - 1) &
		   ~(RWSEM_WRITER_LOCKED | RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF)) == 0);

	for (unsigned int i = 0; i < sem->nr_holders; i++) {
		const struct rwsem_holder *h = &sem->holders[i];

		SIM_CHECK(h->task != NULL);
		SIM_CHECK(h->depth > 0);
		if (h->write) {
			writers++;
			SIM_CHECK(h->task == sem->owner);
			SIM_CHECK(h->depth == 1);
		} else {
			depth += h->depth;
		}
	}
	if (c & RWSEM_WRITER_LOCKED) {
		SIM_CHECK(readers == 0);
		SIM_CHECK(sem->owner != NULL);
		SIM_CHECK(!(sem->owner_flags & RWSEM_READER_OWNED));
		SIM_CHECK(writers == 1);
	} else {
		SIM_CHECK(writers == 0);
	}
	if (readers)
		SIM_CHECK(sem->owner_flags & RWSEM_READER_OWNED);
	SIM_CHECK(depth == readers);

	SIM_CHECK(!!(c & RWSEM_FLAG_WAITERS) == !list_empty(&sem->wait_list));
	if (c & RWSEM_FLAG_HANDOFF) {
		SIM_CHECK(!list_empty(&sem->wait_list));
		SIM_CHECK(sem->ops->handoff != NULL);
	}
	list_for_each_entry(w, &sem->wait_list, list) {
		SIM_CHECK(w->queued);
		SIM_CHECK(!w->granted);
		SIM_CHECK(w->type == RWSEM_WAITING_FOR_READ || w->type == RWSEM_WAITING_FOR_WRITE);
		SIM_CHECK(sim_task_state(w->task) != SIM_TASK_DEAD);
		if (c & RWSEM_WRITER_LOCKED)
			SIM_CHECK(w->task != sem->owner);
	}
	list_for_each_entry(w, &sem->osq, list) {
		SIM_CHECK(!w->queued);
		SIM_CHECK(sim_task_state(w->task) != SIM_TASK_DEAD);
	}

	if (!(c & RWSEM_LOCK_MASK) && !list_empty(&sem->wait_list)) {
		w = list_first_entry(&sem->wait_list, struct rwsem_waiter, list);
		SIM_CHECK(w->type == RWSEM_WAITING_FOR_WRITE);
		SIM_CHECK(!(w->sleeping && !w->spinning &&
			    sim_task_state(w->task) == SIM_TASK_BLOCKED));
	}
}
