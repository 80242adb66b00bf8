/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slot rwsem: mmap_sem's behaviour (see plugin.h), and the rwsem
 * mechanism a policy is written with.
 *
 * The split follows kernel/locking/rwsem.c.  The mechanism is faultsim's
 * (sim/kernel/rwsem.c): the count word, the owner word, the FIFO wait
 * list, granting and waking (rwsem_mark_wake()), the handoff bit, the OSQ
 * and optimistic spinning, the lock events and lock_stat.  A policy is
 * what changed from one kernel version to the next, written as the
 * kernel's functions with the mechanism's helpers below: the slow paths
 * (what a reader or a writer does before it queues: spin, steal), which
 * queued readers a wake-up grants, when a waiter asks for handoff, how
 * long a writer spins on readers.  policies/rwsem-v4.19.c, -v5.3.c,
 * -v5.11.c and -reader-pref.c are the built-in ones.
 *
 * State, as in the kernel:
 *
 *	count	RWSEM_WRITER_LOCKED | RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF |
 *		(number of readers << RWSEM_READER_SHIFT)
 *	owner	the writer, or the last reader to take the lock, with
 *		RWSEM_READER_OWNED and the nonspinnable bits in the owner flags
 *	wait	a FIFO list of waiters; readers are granted the lock by their
 *		waker, a writer is only woken and takes the lock itself
 *
 * The count never holds transient biases: the reader count is exactly the
 * number of readers holding the lock (granted ones included), because
 * nothing happens between two blocking points of a simulated task.  So a
 * slow path starts with the reader's bias not in the count, and "taking"
 * the lock is one helper call.
 *
 * Every helper is called from the running task's code, inside an
 * operation of the table (the task is the waiter's); none may be kept
 * past the operation that received the handles.
 */
#ifndef FAULTSIM_RWSEM_H
#define FAULTSIM_RWSEM_H

#include "faultsim/types.h"

G_BEGIN_DECLS

struct fs_plugin_registrar;
struct rw_semaphore;		/* opaque: the lock */
struct rwsem_waiter;		/* opaque: a task in a slow path */

/* ------------------------------------------------------------------ */
/* The count and owner words */

#define RWSEM_WRITER_LOCKED	(1UL << 0)
#define RWSEM_FLAG_WAITERS	(1UL << 1)
#define RWSEM_FLAG_HANDOFF	(1UL << 2)
#define RWSEM_READER_SHIFT	8
#define RWSEM_READER_BIAS	(1UL << RWSEM_READER_SHIFT)
#define RWSEM_READER_MASK	(~(RWSEM_READER_BIAS - 1))
#define RWSEM_WRITER_MASK	RWSEM_WRITER_LOCKED
#define RWSEM_LOCK_MASK		(RWSEM_WRITER_MASK | RWSEM_READER_MASK)
#define RWSEM_READ_FAILED_MASK	(RWSEM_WRITER_MASK | RWSEM_FLAG_WAITERS | \
				 RWSEM_FLAG_HANDOFF)

/* Owner flags (the low bits of the kernel's owner word). */
#define RWSEM_READER_OWNED	(1UL << 0)
#define RWSEM_RD_NONSPINNABLE	(1UL << 1)	/* readers may not spin */
#define RWSEM_WR_NONSPINNABLE	(1UL << 2)	/* writers may not spin */
#define RWSEM_NONSPINNABLE	(RWSEM_RD_NONSPINNABLE | RWSEM_WR_NONSPINNABLE)

FS_API unsigned long rwsem_count(const struct rw_semaphore *sem);
FS_API unsigned long rwsem_owner_flags(const struct rw_semaphore *sem);
/* count >> RWSEM_READER_SHIFT */
FS_API unsigned long rwsem_nr_readers(const struct rw_semaphore *sem);
/* The simulated time now. */
FS_API sim_time_t rwsem_now(const struct rw_semaphore *sem);

/* ------------------------------------------------------------------ */
/* Lock events (kernel/locking/lock_events_list.h's names), counted in
 * the run's statistics under the lock's name */

#define RWSEM_EVENTS(X)							\
	X(rwsem_sleep_reader)	/* reader sleeps */			\
	X(rwsem_sleep_writer)	/* writer sleeps */			\
	X(rwsem_wake_reader)	/* wake-ups that granted readers */	\
	X(rwsem_wake_writer)	/* wake-ups of a writer */		\
	X(rwsem_opt_rlock)	/* read locks taken by spinning */	\
	X(rwsem_opt_wlock)	/* write locks taken by spinning */	\
	X(rwsem_opt_lock)	/* locks taken by spinning */		\
	X(rwsem_opt_fail)	/* spins refused or given up */		\
	X(rwsem_opt_nospin)	/* writer spins on readers timed out */	\
	X(rwsem_opt_norspin)	/* reader spinning disabled */		\
	X(rwsem_opt_rlock2)	/* read locks by reader-phase trylock */ \
	X(rwsem_rlock)		/* read locks granted after sleeping */	\
	X(rwsem_rlock_steal)	/* read locks by slow-path stealing */	\
	X(rwsem_rlock_fast)	/* read locks in the slow path, queue empty */ \
	X(rwsem_rlock_fail)	/* killed read lock attempts */		\
	X(rwsem_rlock_handoff)	/* handoff bits set for a reader */	\
	X(rwsem_wlock)		/* write locks taken in the slow path */ \
	X(rwsem_wlock_fail)	/* killed write lock attempts */	\
	X(rwsem_wlock_handoff)	/* handoff bits set by a writer */

enum rwsem_event {
#define RWSEM_EVENT_ENUM(name) LOCKEVENT_##name,
	RWSEM_EVENTS(RWSEM_EVENT_ENUM)
#undef RWSEM_EVENT_ENUM
	RWSEM_NR_EVENTS
};

/* "rwsem_sleep_reader" ... */
FS_API const char *rwsem_event_name(enum rwsem_event ev);
/* lockevent_inc() */
FS_API void rwsem_lockevent_inc(struct rw_semaphore *sem, enum rwsem_event ev);

/* ------------------------------------------------------------------ */
/* Waiters */

enum rwsem_waiter_type {
	RWSEM_WAITING_FOR_WRITE,
	RWSEM_WAITING_FOR_READ,
};

FS_API enum rwsem_waiter_type rwsem_waiter_type(const struct rwsem_waiter *waiter);
FS_API struct sim_task *rwsem_waiter_task(const struct rwsem_waiter *waiter);
/* How long @waiter has been queued (0 if it is not). */
FS_API sim_time_t rwsem_waited(const struct rw_semaphore *sem,
			     const struct rwsem_waiter *waiter);
/* The wait list, head first: NULL when empty, or past the tail. */
FS_API struct rwsem_waiter *rwsem_first_waiter(struct rw_semaphore *sem);
FS_API struct rwsem_waiter *rwsem_next_waiter(struct rw_semaphore *sem,
					      struct rwsem_waiter *waiter);

/* ------------------------------------------------------------------ */
/* Taking, granting, waking */

/* Add a reader to the count and make @t the read owner (the 5.11 reader
 * that steals the lock). */
FS_API void rwsem_take_read(struct rw_semaphore *sem, struct sim_task *t);
/* Grant queued reader @waiter the lock and wake it (rwsem_mark_wake()'s
 * second pass): it leaves the wait list. */
FS_API void rwsem_grant_reader(struct rw_semaphore *sem, struct rwsem_waiter *waiter);

enum rwsem_wake_type {
	RWSEM_WAKE_ANY,		/* wake whatever is at the head */
	RWSEM_WAKE_READERS,	/* wake readers only */
	RWSEM_WAKE_READ_OWNED,	/* the waker holds the read lock */
};

/*
 * rwsem_mark_wake(): the wait list is not empty and the lock was released
 * or is read-owned by the waker.  A writer that leads (the head, or the
 * policy's wake_first()) is woken (RWSEM_WAKE_ANY), never granted.  A
 * reader: unless the waker holds a read lock, give up if a writer holds
 * the lock (setting the handoff bit if the policy's handoff() says the
 * reader waited too long), else make it the read owner; then the policy's
 * wake_readers() grants; WAITERS and HANDOFF are cleared when the queue
 * empties, HANDOFF when readers were granted.
 */
FS_API void rwsem_mark_wake(struct rw_semaphore *sem, enum rwsem_wake_type wake_type);

/*
 * The end of rwsem_down_read_slowpath(), from its "queue:" label: queue
 * at the tail (a reader that finds the queue empty and neither a writer
 * nor handoff takes the lock, unless it @spun and so gave its reader bias
 * back), wake the head if the lock is free or join other readers if first,
 * and sleep until granted.  0, or -EINTR for a killable wait killed first.
 */
FS_API int rwsem_down_read_queue(struct rw_semaphore *sem, struct rwsem_waiter *waiter,
				 bool spun);
/*
 * rwsem_down_write_slowpath() from the point where the writer queues:
 * queue (waking the readers ahead if readers own the lock, or the head if
 * nobody holds it and the policy has handoff), then loop: try the lock
 * (rwsem_try_write_lock(), which sets the handoff bit for a first waiter
 * the policy's handoff() allows), let the handoff writer spin (the
 * policy's handoff_spin()), sleep.  0, or -EINTR (dequeued, its handoff
 * bit dropped, the next waiters woken).
 */
FS_API int rwsem_down_write_queue(struct rw_semaphore *sem, struct rwsem_waiter *waiter);

/* ------------------------------------------------------------------ */
/* Optimistic spinning: the OSQ, whose head spins on the owner; a spinner
 * burns its CPU (sim/kernel/cpu.h) and gives up on need_resched(). */

enum owner_state {
	OWNER_NULL		= 1 << 0,
	OWNER_WRITER		= 1 << 1,
	OWNER_READER		= 1 << 2,
	OWNER_NONSPINNABLE	= 1 << 3,
};
#define OWNER_SPINNABLE	(OWNER_NULL | OWNER_WRITER | OWNER_READER)

/* Whether spinning is worth it: the owner flags allow it (@wlock: as a
 * writer), and a writer owner runs on a CPU; a reader-owned lock is
 * spinnable for readers, and for writers if the policy has
 * rspin_threshold().  Counts rwsem_opt_fail when not. */
FS_API bool rwsem_can_spin_on_owner(struct rw_semaphore *sem, bool wlock);
/* Join the OSQ and, at its head, spin on the owner, taking the lock
 * (unqueued: waiters or not, unless handoff is set) as soon as it can.  A
 * writer spins on readers for the policy's rspin_threshold() at most, then
 * marks them nonspinnable.  Returns whether the lock was taken. */
FS_API bool rwsem_optimistic_spin(struct rw_semaphore *sem, struct rwsem_waiter *waiter,
				  bool wlock);
/* While a writer owns the lock and runs on a CPU, spin; return the state
 * of whatever owns it next (@nonspinnable: the owner flags that forbid). */
FS_API enum owner_state rwsem_spin_on_owner(struct rw_semaphore *sem,
					    struct rwsem_waiter *waiter, bool wlock,
					    unsigned long nonspinnable);
/* 5.3: remember the read owner (and the reader nonspinnable bit) seen as
 * the reader enters the slow path, for the two helpers below. */
FS_API void rwsem_save_last_rowner(struct rw_semaphore *sem, struct rwsem_waiter *waiter);
/* 5.3: the spin failed, but readers own the lock in a phase other than
 * the one seen at entry: join them. */
FS_API bool rwsem_reader_phase_trylock(struct rw_semaphore *sem, struct rwsem_waiter *waiter);
/* 5.3: the writer saw the lock nonspinnable on its way in: keep readers
 * from spinning now that it owns the lock (counts rwsem_opt_norspin). */
FS_API void rwsem_disable_reader_optspin(struct rw_semaphore *sem);

/* ------------------------------------------------------------------ */
/* Slot rwsem */

#define FS_RWSEM_POLICY_VERSION		2

/*
 * An rwsem policy: kernel/locking/rwsem.c as one kernel version has it.
 * Required: down_read_slowpath, down_write_slowpath, wake_readers and a
 * positive spin_poll; the other operations may be NULL (the meaning of
 * NULL is given with each).  Registration checks that, and that the
 * nonspinnable masks are within RWSEM_NONSPINNABLE.
 */
struct fs_rwsem_policy {
	unsigned int version;		/* FS_RWSEM_POLICY_VERSION */
	const char *name;
	const char *summary;
	const char *thread;

	/*
	 * The fast paths (down_read(), down_write() and their trylocks):
	 * whether the lock may be taken at once.  NULL: as Linux, a reader
	 * unless the count has a bit of RWSEM_READ_FAILED_MASK, a writer
	 * only a lock in its initial state (count 0).
	 */
	bool (*read_fastpath)(const struct rw_semaphore *sem);
	bool (*write_fastpath)(const struct rw_semaphore *sem);

	/*
	 * rwsem_down_read_slowpath(): the fast path failed.  Whatever this
	 * version does before queueing, then rwsem_down_read_queue().
	 * Returns 0 holding the lock, or -EINTR (killed).
	 */
	int (*down_read_slowpath)(struct rw_semaphore *sem, struct rwsem_waiter *waiter);
	/* rwsem_down_write_slowpath(): likewise, rwsem_down_write_queue(). */
	int (*down_write_slowpath)(struct rw_semaphore *sem, struct rwsem_waiter *waiter);

	/*
	 * rwsem_mark_wake(), the lock going to readers: grant the queued
	 * readers this version wakes together (rwsem_grant_reader(), walking
	 * from rwsem_first_waiter()); return how many.
	 */
	unsigned int (*wake_readers)(struct rw_semaphore *sem);
	/* rwsem_mark_wake(): the waiter that leads the wake-up.  NULL: the
	 * head of the queue. */
	struct rwsem_waiter *(*wake_first)(struct rw_semaphore *sem);

	/*
	 * Handoff: whether the first waiter, which found the lock taken,
	 * asks for it to be handed over (RWSEM_FLAG_HANDOFF: then only it
	 * may take the lock).  Asked by rwsem_try_write_lock() for a woken
	 * writer and by rwsem_mark_wake() for a reader.  NULL: never.
	 */
	bool (*handoff)(const struct rw_semaphore *sem, const struct rwsem_waiter *waiter);
	/* The writer that set the handoff bit failed to take the lock:
	 * true to try again at once rather than sleep.  NULL: sleep. */
	bool (*handoff_spin)(struct rw_semaphore *sem, struct rwsem_waiter *waiter);

	/* How long a writer spins on a reader-owned lock once a reader
	 * phase starts.  NULL: writers never spin on readers. */
	sim_time_t (*rspin_threshold)(const struct rw_semaphore *sem);
	/*
	 * The owner word's nonspinnable bits: those that survive a change
	 * of read owner (__rwsem_set_reader_owned()), and those cleared when
	 * a task finds the lock free with waiters (clear_nonspinnable()).
	 */
	unsigned long nonspinnable_kept;
	unsigned long nonspinnable_cleared;
	/* How often a spinner re-checks that a writer owner is still on a
	 * CPU (there is no notification for "went off CPU"), > 0. */
	sim_time_t spin_poll;
};

/* Register @ops (kept by pointer) in the rwsem slot. */
FS_API gboolean fs_register_rwsem_policy(struct fs_plugin_registrar *r,
					 const struct fs_rwsem_policy *ops, GError **error);

G_END_DECLS

#endif /* FAULTSIM_RWSEM_H */
