/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmap_sem: the kernel's reader/writer semaphore, function by function
 * after kernel/locking/rwsem.c (5.3 and later) and rwsem-xadd.c (4.19).
 *
 * Credits.  4.19 is David Howells' rwsem with Michel Lespinasse's and Alex
 * Shi's writer lock stealing and Tim Chen's and Davidlohr Bueso's writer
 * optimistic spinning (rwsem-xadd.c; its active/waiting-bias count is
 * written here in the later layout, with the same behaviour).  5.3 is
 * Waiman Long's rwsem rework (May-June 2019): "locking/rwsem: Implement
 * lock handoff to prevent lock starvation" (4f23dbc1e657), "Wake up almost
 * all readers in wait queue" (d3681e269fff), "Enable readers spinning on
 * writer", "Enable time-based spinning on reader-owned rwsem" and the
 * adaptive disabling of reader spinning.  5.11 adds, from Waiman Long's
 * Nov 2020 series, "locking/rwsem: Prevent potential lock starvation"
 * (2f06f702925b), "Enable reader optimistic lock stealing" (1a728dff855a)
 * and "Remove reader optimistic spinning" (617f3ef95177), and has 5.5's
 * "Make handoff writer optimistically spin on owner" (91d2a812dfb9).
 *
 * The model.  A simulated task never races with another between two of
 * its blocking points, so each kernel atomic sequence is one step here and
 * the count holds no transient biases.  What the kernel's races decide is
 * decided by simulated time: a writer the unlocker woke runs only after
 * its wake-up latency (sim/kernel/cpu.h), and a task spinning on its CPU reacts
 * at once, so spinners and slow-path readers can take the lock first.
 * Waking a writer never grants it the lock; granting readers is done by
 * the waker, inside rwsem_mark_wake(), as in the kernel.
 *
 * Where the count changes (the only places):
 *	fast paths and trylocks	down_*(), down_*_trylock()
 *	slow paths		rwsem_down_{read,write}_slowpath(), through
 *				rwsem_try_write_lock(), rwsem_try_*_unqueued()
 *	wake-up			rwsem_mark_wake(): reader grants, WAITERS and
 *				HANDOFF cleared when the queue empties, HANDOFF
 *				set for a reader that waited too long
 *	unlock			up_read(), up_write(), downgrade_write()
 *	kill			the out_nolock paths
 * Every operation that may change the lock ends with rwsem_changed(): it
 * pokes the spinner at the head of the OSQ (it re-reads the lock as a real
 * spinner would) and runs the invariant checker.
 *
 * Spinning.  The OSQ is a FIFO of spinners; only its head looks at the
 * lock, the others burn their CPU until they become the head.  A spinner
 * waits in cpu_spin(): poked on every change of the lock, and re-checking
 * every spin_poll that a writer owner still runs on a CPU (there is no
 * notification for "went off CPU").  cpu_spin() returning early without a
 * poke means a preemption is pending: need_resched(), the spinner gives up.
 *
 * Variants (their tables: policies/rwsem-*.c, one file each, registered as
 * policies of the rwsem slot) and where KERNEL.md and the code differ:
 *  - 4.19 readers never spin (rwsem-xadd.c spins only in
 *    rwsem_down_write_failed); KERNEL.md's preset table says "reader spin".
 *    4.19 writers spin only on a running writer or a free lock, never on
 *    readers (the owner is "anonymous").
 *  - 5.11 reader stealing: KERNEL.md says "if held by several readers,
 *    queue"; the code queues as soon as one other reader holds it
 *    (rcnt > 1 counts the arriving reader's own bias), and otherwise takes
 *    a lock that no writer and no handoff hold even with waiters queued.
 *  - 5.3 readers spin and can then join a reader-owned lock past a queued
 *    writer (rwsem_try_read_lock_unqueued ignores the waiters bit) until a
 *    writer's timed-out spin marks the lock nonspinnable for readers, or
 *    handoff is set.  KERNEL.md's "readers line up behind a waiting
 *    writer" holds for 5.3 only in that adaptive sense: a writer that
 *    queued without spinning on the readers can starve under a stream of
 *    spinning readers (the scenario of 2f06f702925b).
 *  - Handoff: a waiting writer only looks at its timeout when it is woken,
 *    so handoff bounds the losses of a woken writer to stealers; it does
 *    not help a writer that is never woken (a reader-owned lock that never
 *    drains).  Handoff is set by the first waiter only, as 5.3 .. 5.15 do
 *    (5.16 let any waiter set it for the first).
 *  - reader-pref is not a Linux lock: readers take the lock whenever no
 *    writer holds it, and an unlocking writer grants every queued reader
 *    before it wakes a writer.  No handoff, no spinning.
 * Not modelled: the wait_lock and the cost of the atomics, the reader
 * count overflow guard, the rwsem_has_spinner() wake-up skip of 4.19,
 * real-time tasks (immediate handoff), jiffy granularity of the timeout.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "policies/builtin.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/rwsem.h"
#include "sim/core/stats.h"

enum rwsem_waiter_type {
	RWSEM_WAITING_FOR_WRITE,
	RWSEM_WAITING_FOR_READ,
};

enum rwsem_wake_type {
	RWSEM_WAKE_ANY,		/* wake whatever is at the head */
	RWSEM_WAKE_READERS,	/* wake readers only */
	RWSEM_WAKE_READ_OWNED,	/* the waker holds the read lock */
};

enum owner_state {
	OWNER_NULL		= 1 << 0,
	OWNER_WRITER		= 1 << 1,
	OWNER_READER		= 1 << 2,
	OWNER_NONSPINNABLE	= 1 << 3,
};
#define OWNER_SPINNABLE	(OWNER_NULL | OWNER_WRITER | OWNER_READER)

/*
 * A task in a slow path: on the wait list (queued), on the OSQ (spinning
 * before it queues), or on neither.  Lives on the task's stack.
 */
struct rwsem_waiter {
	struct list_head list;
	struct sim_task *task;
	enum rwsem_waiter_type type;
	sim_time_t timeout;		/* handoff may be asked for after this */
	struct sim_task *last_rowner;	/* reader spin: the read owner seen at entry */
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
/* Variants: the built-in rwsem policies (policies/rwsem-*.c) */

const struct rwsem_variant *rwsem_variant_get(unsigned int i)
{
	for (unsigned int k = 0; fs_builtin_rwsem_policies[k]; k++)
		if (k == i)
			return &fs_builtin_rwsem_policies[k]->variant;
	return NULL;
}

const struct rwsem_variant *rwsem_variant_lookup(const char *name, GError **error)
{
	g_autoptr(GString) names = g_string_new(NULL);

	for (unsigned int i = 0; fs_builtin_rwsem_policies[i]; i++) {
		const struct fs_rwsem_policy *p = fs_builtin_rwsem_policies[i];

		if (name && strcmp(name, p->name) == 0)
			return &p->variant;
		g_string_append_printf(names, "%s%s", i ? ", " : "", p->name);
	}
	g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
		    "unknown rwsem variant \"%s\" (accepted: %s)",
		    name ? name : "(null)", names->str);
	return NULL;
}

static const char *const rwsem_event_names[RWSEM_NR_EVENTS] = {
#define RWSEM_EVENT_NAME(name) #name,
	RWSEM_EVENTS(RWSEM_EVENT_NAME)
#undef RWSEM_EVENT_NAME
};

const char *rwsem_event_name(enum rwsem_event ev)
{
	g_assert((unsigned int)ev < RWSEM_NR_EVENTS);
	return rwsem_event_names[ev];
}

#define lockevent_inc(sem, ev)	((*(sem)->events[LOCKEVENT_##ev])++)

static inline bool rwsem_has(const struct rw_semaphore *sem, unsigned int flag)
{
	return (sem->v.flags & flag) != 0;
}

static inline sim_time_t rwsem_now(const struct rw_semaphore *sem)
{
	return sim_now(sem->eng);
}

/* ------------------------------------------------------------------ */
/* Holders: who holds the lock since when, for hold times and checks.
 * A linear array: O(readers holding) per lookup. */

static int holder_index(const struct rw_semaphore *sem, const struct sim_task *t)
{
	for (guint i = 0; i < sem->holders->len; i++)
		if (g_array_index(sem->holders, struct rwsem_holder, i).task == t)
			return (int)i;
	return -1;
}

static struct rwsem_holder *holder_find(const struct rw_semaphore *sem,
					const struct sim_task *t)
{
	int i = holder_index(sem, t);

	return i < 0 ? NULL : &g_array_index(sem->holders, struct rwsem_holder, i);
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
	g_array_append_val(sem->holders, ((struct rwsem_holder){
		.task = t, .since = rwsem_now(sem), .depth = 1, .write = write }));
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

	if (i < 0 || g_array_index(sem->holders, struct rwsem_holder, i).write != write)
		g_error("%s: task %s releases a %s hold it does not have", sem->name,
			sim_task_name(t), write ? "write" : "read");
	h = &g_array_index(sem->holders, struct rwsem_holder, i);
	held = rwsem_now(sem) - h->since;
	if (--h->depth == 0)
		g_array_remove_index_fast(sem->holders, (guint)i);
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
 * Mark the lock reader-owned by @t.  The reader-nonspinnable bit survives
 * (5.3); without reader spinning there is one nonspinnable state and it
 * survives whole (5.11).  @extra: flags the reader brings along.
 */
static void rwsem_set_reader_owned(struct rw_semaphore *sem, struct sim_task *t,
				   unsigned long extra)
{
	unsigned long keep = rwsem_has(sem, RWSEM_V_READER_SPIN) ?
			     RWSEM_RD_NONSPINNABLE : RWSEM_NONSPINNABLE;

	sem->owner = t;
	sem->owner_flags = RWSEM_READER_OWNED | extra | (sem->owner_flags & keep);
}

/* A writer's spin on readers timed out: nobody spins on these readers. */
static void rwsem_set_nonspinnable(struct rw_semaphore *sem)
{
	if ((sem->owner_flags & RWSEM_READER_OWNED) &&
	    !(sem->owner_flags & RWSEM_NONSPINNABLE))
		sem->owner_flags |= RWSEM_NONSPINNABLE;
}

/* The readers are gone: writers may spin again (5.3: writers only). */
static void rwsem_clear_nonspinnable(struct rw_semaphore *sem)
{
	sem->owner_flags &= rwsem_has(sem, RWSEM_V_READER_SPIN) ?
			    ~RWSEM_WR_NONSPINNABLE : ~RWSEM_NONSPINNABLE;
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
#ifndef NDEBUG
	if (sem->debug)
		rwsem_check(sem);
#endif
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

static void rwsem_take_read(struct rw_semaphore *sem, struct sim_task *t,
			    unsigned long extra)
{
	sem->count += RWSEM_READER_BIAS;
	rwsem_set_reader_owned(sem, t, extra);
	holder_add(sem, t, false);
}

static void rwsem_take_write(struct rw_semaphore *sem, struct sim_task *t)
{
	g_assert(!(sem->count & RWSEM_LOCK_MASK));
	sem->count |= RWSEM_WRITER_LOCKED;
	rwsem_set_owner(sem, t);
	holder_add(sem, t, true);
}

static inline struct rwsem_waiter *rwsem_first_waiter(struct rw_semaphore *sem)
{
	return list_first_entry(&sem->wait_list, struct rwsem_waiter, list);
}

static void rwsem_del_waiter_list(struct rwsem_waiter *w)
{
	list_del_init(&w->list);
	w->queued = false;
}

/* Grant @w (a queued reader) the lock: the kernel's second pass. */
static void rwsem_grant_reader(struct rw_semaphore *sem, struct rwsem_waiter *w)
{
	rwsem_del_waiter_list(w);
	w->granted = true;
	sem->count += RWSEM_READER_BIAS;
	holder_add(sem, w->task, false);
	rwsem_wake_task(w);
}

/*
 * rwsem_mark_wake(): the lock was released or is read-owned by the waker;
 * wake the waiters that can now run.
 *  - A writer at the head is only woken (RWSEM_WAKE_ANY), never granted:
 *    it takes the lock itself when it runs, so others may get it first.
 *  - A reader at the head: unless the waker holds a read lock, give up if
 *    a writer holds the lock (asking for handoff if the reader waited too
 *    long); otherwise grant every queued reader, skipping writers, up to
 *    max_readers_wakeup (5.3), or the readers up to the first writer
 *    (4.19).  An emptied queue clears WAITERS and HANDOFF; a reader grant
 *    clears HANDOFF.
 *  - reader-pref: any queued reader goes first; writers only when no
 *    reader waits.
 * O(waiters).
 */
static void rwsem_mark_wake(struct rw_semaphore *sem, enum rwsem_wake_type wake_type)
{
	struct rwsem_waiter *waiter, *tmp;
	unsigned int woken = 0, max = 0;
	bool all_readers = rwsem_has(sem, RWSEM_V_WAKE_ALL_READERS | RWSEM_V_READER_PREF);

	g_assert(!list_empty(&sem->wait_list));
	waiter = rwsem_first_waiter(sem);

	if (rwsem_has(sem, RWSEM_V_READER_PREF) && waiter->type == RWSEM_WAITING_FOR_WRITE) {
		struct rwsem_waiter *w;
		bool reader_queued = false;

		list_for_each_entry(w, &sem->wait_list, list)
			if (w->type == RWSEM_WAITING_FOR_READ) {
				reader_queued = true;
				break;
			}
		if (reader_queued && !(sem->count & RWSEM_WRITER_LOCKED))
			waiter = w;		/* readers first */
	}

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
			if (rwsem_has(sem, RWSEM_V_HANDOFF) &&
			    rwsem_now(sem) > waiter->timeout) {
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

	if (rwsem_has(sem, RWSEM_V_WAKE_ALL_READERS))
		max = sem->v.max_readers_wakeup;
	list_for_each_entry_safe(waiter, tmp, &sem->wait_list, list) {
		if (waiter->type == RWSEM_WAITING_FOR_WRITE) {
			if (all_readers)
				continue;
			break;
		}
		rwsem_grant_reader(sem, waiter);
		if (++woken == max)
			break;
	}

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
 * being held) once it has waited past its timeout.  Dequeues on success.
 */
static bool rwsem_try_write_lock(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	struct rwsem_waiter *first = rwsem_first_waiter(sem);

	if ((sem->count & RWSEM_FLAG_HANDOFF) && waiter != first)
		return false;
	if (sem->count & RWSEM_LOCK_MASK) {
		if (rwsem_has(sem, RWSEM_V_HANDOFF) && waiter == first &&
		    !(sem->count & RWSEM_FLAG_HANDOFF) &&
		    rwsem_now(sem) > waiter->timeout) {
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
	return wlock ? rwsem_has(sem, RWSEM_V_WRITER_RSPIN) : true;
}

/* rwsem_can_spin_on_owner(): worth spinning at all? */
static bool rwsem_can_spin_on_owner(struct rw_semaphore *sem, bool wlock)
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

/*
 * rwsem_spin_on_owner(): while a writer owns the lock and runs on a CPU,
 * spin; return the state of whatever owns it next.
 */
static enum owner_state rwsem_spin_on_owner(struct rw_semaphore *sem,
					    struct rwsem_waiter *w, bool wlock,
					    unsigned long nonspinnable)
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
		if (spin_wait(sem, w, sem->v.spin_poll) == SPIN_RESCHED)
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
	rwsem_take_read(sem, t, 0);
	lockevent_inc(sem, rwsem_opt_rlock);
	lockevent_inc(sem, rwsem_opt_lock);
	return true;
}

/* rwsem_rspin_threshold(): how long a writer spins on readers. */
static sim_time_t rwsem_rspin_threshold(const struct rw_semaphore *sem)
{
	sim_time_t d = sem->v.rspin_base +
		       sem->v.rspin_per_reader * (sim_time_t)rwsem_nr_readers(sem);

	return d < sem->v.rspin_max ? d : sem->v.rspin_max;
}

/*
 * rwsem_optimistic_spin(): queue on the OSQ, and once at its head spin on
 * the owner, taking the lock as soon as it can be taken.  A writer spins
 * on readers for rwsem_rspin_threshold() at most, then marks the lock
 * nonspinnable.  Returns whether the lock was taken.
 */
static bool rwsem_optimistic_spin(struct rw_semaphore *sem, struct rwsem_waiter *w,
				  bool wlock)
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
				rspin_deadline = rwsem_now(sem) + rwsem_rspin_threshold(sem);
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

/*
 * rwsem_reader_phase_trylock(): the spin failed, but if readers own the
 * lock and it is not the reader phase we saw at entry, join it (5.3).
 */
static bool rwsem_reader_phase_trylock(struct rw_semaphore *sem, struct rwsem_waiter *w)
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

/* ------------------------------------------------------------------ */
/* Slow paths */

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

static void rwsem_read_acquired(struct rw_semaphore *sem, struct sim_task *t,
				sim_time_t start)
{
	holder_acquired(sem, t);
	sim_hist_record(sem->read_wait, (uint64_t)(rwsem_now(sem) - start));
	(*sem->read_acquisitions)++;
	rwsem_changed(sem);
}

static void rwsem_write_acquired(struct rw_semaphore *sem, struct sim_task *t,
				 sim_time_t start)
{
	holder_acquired(sem, t);
	sim_hist_record(sem->write_wait, (uint64_t)(rwsem_now(sem) - start));
	(*sem->write_acquisitions)++;
	rwsem_changed(sem);
}

/*
 * rwsem_down_read_slowpath(): the fast path failed (a writer holds the
 * lock, or waiters are queued, or handoff is set).
 *   5.11: steal the lock if no reader holds it and neither a writer nor
 *         handoff does; waking the queued readers if first.
 *   5.3:  spin (unless readers were told not to), then try the reader
 *         phase.
 *   all:  queue at the tail; a reader that finds the queue empty and no
 *         writer takes the lock; a queued reader is granted the lock by
 *         rwsem_mark_wake() (possibly its own call here).
 * Killable: a kill not yet overtaken by a grant dequeues and returns
 * -EINTR.
 */
static int rwsem_down_read_slowpath(struct rw_semaphore *sem, struct sim_task *t,
				    bool killable)
{
	struct rwsem_waiter waiter;
	sim_time_t start = rwsem_now(sem);
	bool first = false, wake = false, spun = false;

	rwsem_waiter_init(&waiter, t, RWSEM_WAITING_FOR_READ, killable);

	if (rwsem_has(sem, RWSEM_V_READER_STEAL)) {
		unsigned long rcnt = rwsem_nr_readers(sem) + 1;	/* our bias too */

		if ((sem->owner_flags & RWSEM_READER_OWNED) && rcnt > 1 &&
		    !(sem->count & RWSEM_WRITER_LOCKED))
			goto queue;
		if (!(sem->count & (RWSEM_WRITER_LOCKED | RWSEM_FLAG_HANDOFF))) {
			rwsem_take_read(sem, t, 0);
			lockevent_inc(sem, rwsem_rlock_steal);
			if (rcnt == 1 && (sem->count & RWSEM_FLAG_WAITERS))
				rwsem_mark_wake(sem, RWSEM_WAKE_READ_OWNED);
			rwsem_read_acquired(sem, t, start);
			return 0;
		}
		goto queue;
	}

	if (rwsem_has(sem, RWSEM_V_READER_SPIN)) {
		if (sem->owner_flags & RWSEM_READER_OWNED) {
			waiter.last_rowner = sem->owner;
			waiter.last_rowner_flags = sem->owner_flags;
		} else {
			waiter.last_rowner_flags = sem->owner_flags & RWSEM_RD_NONSPINNABLE;
		}
		if (rwsem_can_spin_on_owner(sem, false)) {
			spun = true;
			if (rwsem_optimistic_spin(sem, &waiter, false)) {
				if (sem->count & RWSEM_FLAG_WAITERS)
					rwsem_mark_wake(sem, RWSEM_WAKE_READ_OWNED);
				rwsem_read_acquired(sem, t, start);
				return 0;
			}
			if (rwsem_reader_phase_trylock(sem, &waiter)) {
				rwsem_read_acquired(sem, t, start);
				return 0;
			}
		}
	}

queue:
	waiter.timeout = rwsem_now(sem) + sem->v.handoff_timeout;
	if (list_empty(&sem->wait_list)) {
		if (!spun && !(sem->count & (RWSEM_WRITER_LOCKED | RWSEM_FLAG_HANDOFF))) {
			rwsem_take_read(sem, t, 0);
			lockevent_inc(sem, rwsem_rlock_fast);
			rwsem_read_acquired(sem, t, start);
			return 0;
		}
		first = true;
		sem->count |= RWSEM_FLAG_WAITERS;
	}
	list_add_tail(&waiter.list, &sem->wait_list);
	waiter.queued = true;

	/* No lock held: wake the head; no writer and we are first: join. */
	if (!(sem->count & RWSEM_LOCK_MASK)) {
		rwsem_clear_nonspinnable(sem);
		wake = true;
	}
	if (wake || (!(sem->count & RWSEM_WRITER_LOCKED) && first))
		rwsem_mark_wake(sem, RWSEM_WAKE_ANY);
	rwsem_changed(sem);

	for (;;) {
		if (waiter.granted)
			break;
		if (waiter.killable && waiter.killed) {
			rwsem_del_waiter_list(&waiter);
			if (list_empty(&sem->wait_list))
				sem->count &= ~(RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF);
			lockevent_inc(sem, rwsem_rlock_fail);
			rwsem_changed(sem);
			return -EINTR;
		}
		rwsem_sleep(sem, &waiter);
		lockevent_inc(sem, rwsem_sleep_reader);
	}
	lockevent_inc(sem, rwsem_rlock);
	rwsem_read_acquired(sem, t, start);
	return 0;
}

/*
 * rwsem_down_write_slowpath(): spin if the owner is worth it, then queue
 * and loop: try the lock, sleep until woken, try again.  A writer queued
 * behind others wakes the readers ahead of it if readers own the lock
 * (and, 5.3+, the head waiter if nobody holds it).
 * The 5.11 handoff writer spins on a running writer owner instead of
 * sleeping.  Killed: dequeue, drop our handoff, wake the next waiters.
 */
static int rwsem_down_write_slowpath(struct rw_semaphore *sem, struct sim_task *t,
				     bool killable)
{
	struct rwsem_waiter waiter;
	sim_time_t start = rwsem_now(sem);
	bool disable_rspin;

	rwsem_waiter_init(&waiter, t, RWSEM_WAITING_FOR_WRITE, killable);

	if (rwsem_has(sem, RWSEM_V_WRITER_SPIN) && rwsem_can_spin_on_owner(sem, true) &&
	    rwsem_optimistic_spin(sem, &waiter, true)) {
		rwsem_write_acquired(sem, t, start);
		return 0;
	}

	/* Readers were told not to spin: keep it so once we own the lock. */
	disable_rspin = rwsem_has(sem, RWSEM_V_READER_SPIN) &&
			(sem->owner_flags & RWSEM_NONSPINNABLE);

	waiter.timeout = rwsem_now(sem) + sem->v.handoff_timeout;
	if (!list_empty(&sem->wait_list)) {
		list_add_tail(&waiter.list, &sem->wait_list);
		waiter.queued = true;
		/* Readers own it: wake the readers ahead of us.  Nobody holds
		 * it: wake the head, the handoff bit may be set (came with
		 * handoff in 5.3). */
		if (sem->count & RWSEM_WRITER_LOCKED)
			;
		else if (sem->count & RWSEM_READER_MASK)
			rwsem_mark_wake(sem, RWSEM_WAKE_READERS);
		else if (rwsem_has(sem, RWSEM_V_HANDOFF))
			rwsem_mark_wake(sem, RWSEM_WAKE_ANY);
	} else {
		list_add_tail(&waiter.list, &sem->wait_list);
		waiter.queued = true;
		sem->count |= RWSEM_FLAG_WAITERS;
	}

	for (;;) {
		if (rwsem_try_write_lock(sem, &waiter))
			break;
		if (waiter.killable && waiter.killed)
			goto out_nolock;
		rwsem_changed(sem);
		if (rwsem_has(sem, RWSEM_V_HANDOFF_SPIN) && waiter.handoff_set &&
		    rwsem_spin_on_owner(sem, &waiter, true, RWSEM_NONSPINNABLE) == OWNER_NULL)
			continue;
		rwsem_sleep(sem, &waiter);
		lockevent_inc(sem, rwsem_sleep_writer);
	}
	lockevent_inc(sem, rwsem_wlock);
	if (disable_rspin) {
		sem->owner_flags |= RWSEM_RD_NONSPINNABLE;
		lockevent_inc(sem, rwsem_opt_norspin);
	}
	rwsem_write_acquired(sem, t, start);
	return 0;

out_nolock:
	rwsem_del_waiter_list(&waiter);
	if (waiter.handoff_set)
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
 * is queued or handoff is set (reader-pref: only while a writer holds it). */
static inline bool rwsem_read_trylock(struct rw_semaphore *sem, struct sim_task *t)
{
	unsigned long fail = rwsem_has(sem, RWSEM_V_READER_PREF) ?
			     RWSEM_WRITER_LOCKED : RWSEM_READ_FAILED_MASK;

	if (sem->count & fail)
		return false;
	rwsem_take_read(sem, t, 0);
	(*sem->read_acquisitions)++;
	rwsem_changed(sem);
	return true;
}

static int __down_read_common(struct rw_semaphore *sem, struct sim_task *t, bool killable)
{
	rwsem_assert_running(sem, t);
	if (rwsem_read_trylock(sem, t))
		return 0;
	(*sem->read_contentions)++;
	return rwsem_down_read_slowpath(sem, t, killable);
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
	sim_hist_record(sem->read_hold, (uint64_t)holder_del(sem, t, false));
	sem->count -= RWSEM_READER_BIAS;
	/* The owner field keeps the last reader, as in the kernel. */
	if ((sem->count & (RWSEM_LOCK_MASK | RWSEM_FLAG_WAITERS)) == RWSEM_FLAG_WAITERS) {
		rwsem_clear_nonspinnable(sem);
		rwsem_wake(sem);
	}
	rwsem_changed(sem);
}

/* The writer fast path takes only a lock in its initial state: any waiter
 * sends it to the slow path (reader-pref: any free lock). */
static inline bool rwsem_write_trylock(struct rw_semaphore *sem, struct sim_task *t)
{
	bool free = rwsem_has(sem, RWSEM_V_READER_PREF) ?
		    !(sem->count & RWSEM_LOCK_MASK) : sem->count == 0;

	if (!free)
		return false;
	rwsem_take_write(sem, t);
	return true;
}

static int __down_write_common(struct rw_semaphore *sem, struct sim_task *t, bool killable)
{
	rwsem_assert_running(sem, t);
	if (rwsem_write_trylock(sem, t)) {
		(*sem->write_acquisitions)++;
		rwsem_changed(sem);
		return 0;
	}
	(*sem->write_contentions)++;
	return rwsem_down_write_slowpath(sem, t, killable);
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
	sim_hist_record(sem->write_hold, (uint64_t)holder_del(sem, t, true));
	rwsem_clear_owner(sem);
	sem->count &= ~RWSEM_WRITER_LOCKED;
	if (sem->count & RWSEM_FLAG_WAITERS)
		rwsem_wake(sem);
	rwsem_changed(sem);
}

void downgrade_write(struct rw_semaphore *sem, struct sim_task *t)
{
	g_assert((sem->count & RWSEM_WRITER_LOCKED) && sem->owner == t);
	sim_hist_record(sem->write_hold, (uint64_t)holder_del(sem, t, true));
	sem->count &= ~RWSEM_WRITER_LOCKED;
	rwsem_take_read(sem, t, 0);
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
		const struct rwsem_variant *variant)
{
	struct sim_stats *st = sim_engine_stats(eng);

	g_assert(name);
	memset(sem, 0, sizeof(*sem));
	INIT_LIST_HEAD(&sem->wait_list);
	INIT_LIST_HEAD(&sem->osq);
	sem->v = variant ? *variant : *rwsem_variant_lookup("v5.11", NULL);
	g_assert(sem->v.spin_poll > 0 && sem->v.handoff_timeout >= 0);
	sem->eng = eng;
	sem->name = g_strdup(name);
	sem->holders = g_array_new(FALSE, FALSE, sizeof(struct rwsem_holder));
	sem->debug = true;
	for (unsigned int i = 0; i < RWSEM_NR_EVENTS; i++)
		sem->events[i] = sim_stats_counter(st, name, rwsem_event_names[i]);
	sem->read_contentions = sim_stats_counter(st, name, "readContentions");
	sem->read_acquisitions = sim_stats_counter(st, name, "readAcquisitions");
	sem->write_contentions = sim_stats_counter(st, name, "writeContentions");
	sem->write_acquisitions = sim_stats_counter(st, name, "writeAcquisitions");
	sem->read_wait = sim_stats_hist(st, name, "readWaitTime");
	sem->write_wait = sim_stats_hist(st, name, "writeWaitTime");
	sem->read_hold = sim_stats_hist(st, name, "readHoldTime");
	sem->write_hold = sim_stats_hist(st, name, "writeHoldTime");
	sem->read_spin = sim_stats_hist(st, name, "readSpinTime");
	sem->write_spin = sim_stats_hist(st, name, "writeSpinTime");
	sem->wake_batch = sim_stats_hist(st, name, "readerWakeBatch");
}

void rwsem_destroy(struct rw_semaphore *sem)
{
	/* Waiters may still be linked from the stacks of discarded tasks:
	 * the lists are not walked. */
	g_array_free(sem->holders, TRUE);
	sem->holders = NULL;
	g_free(sem->name);
	sem->name = NULL;
}

void rwsem_set_debug(struct rw_semaphore *sem, bool on)
{
	sem->debug = on;
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
 *    waiters, and only in a variant with handoff.
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

	g_assert_cmphex(c & (RWSEM_READER_BIAS - 1) &
			~(RWSEM_WRITER_LOCKED | RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF), ==, 0);

	for (guint i = 0; i < sem->holders->len; i++) {
		const struct rwsem_holder *h = &g_array_index(sem->holders,
							      struct rwsem_holder, i);

		g_assert_nonnull(h->task);
		g_assert_cmpuint(h->depth, >, 0);
		if (h->write) {
			writers++;
			g_assert_true(h->task == sem->owner);
			g_assert_cmpuint(h->depth, ==, 1);
		} else {
			depth += h->depth;
		}
	}
	if (c & RWSEM_WRITER_LOCKED) {
		g_assert_cmpuint(readers, ==, 0);
		g_assert_nonnull(sem->owner);
		g_assert_false(sem->owner_flags & RWSEM_READER_OWNED);
		g_assert_cmpuint(writers, ==, 1);
	} else {
		g_assert_cmpuint(writers, ==, 0);
	}
	if (readers)
		g_assert_true(sem->owner_flags & RWSEM_READER_OWNED);
	g_assert_cmpuint(depth, ==, readers);

	g_assert_cmpint(!!(c & RWSEM_FLAG_WAITERS), ==, !list_empty(&sem->wait_list));
	if (c & RWSEM_FLAG_HANDOFF) {
		g_assert_false(list_empty(&sem->wait_list));
		g_assert_true(sem->v.flags & RWSEM_V_HANDOFF);
	}
	list_for_each_entry(w, &sem->wait_list, list) {
		g_assert_true(w->queued);
		g_assert_false(w->granted);
		g_assert_true(w->type == RWSEM_WAITING_FOR_READ ||
			      w->type == RWSEM_WAITING_FOR_WRITE);
		g_assert_cmpint(sim_task_state(w->task), !=, SIM_TASK_DEAD);
		if ((c & RWSEM_WRITER_LOCKED))
			g_assert_true(w->task != sem->owner);
	}
	list_for_each_entry(w, &sem->osq, list) {
		g_assert_false(w->queued);
		g_assert_cmpint(sim_task_state(w->task), !=, SIM_TASK_DEAD);
	}

	if (!(c & RWSEM_LOCK_MASK) && !list_empty(&sem->wait_list)) {
		w = list_first_entry(&sem->wait_list, struct rwsem_waiter, list);
		g_assert_cmpint(w->type, ==, RWSEM_WAITING_FOR_WRITE);
		g_assert_false(w->sleeping && !w->spinning &&
			       sim_task_state(w->task) == SIM_TASK_BLOCKED);
	}
}
