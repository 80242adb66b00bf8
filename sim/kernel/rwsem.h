/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmap_sem: the kernel's reader/writer semaphore (kernel/locking/rwsem.c),
 * as it behaved in 4.19, 5.3 and 5.11, plus a reader-preferring lock for
 * contrast.  One implementation; a variant is a set of behaviour flags and
 * timing parameters (struct rwsem_variant), selected by name.
 *
 * State, as in the kernel:
 *
 *	count	RWSEM_WRITER_LOCKED | RWSEM_FLAG_WAITERS | RWSEM_FLAG_HANDOFF |
 *		(number of readers << RWSEM_READER_SHIFT)
 *	owner	the writer, or the last reader to take the lock, with flags
 *		RWSEM_READER_OWNED and the NONSPINNABLE bits in owner_flags
 *	wait	a FIFO list of waiters (reader or writer, task, handoff
 *		timeout); readers are granted the lock by their waker, a
 *		writer is only woken and takes the lock itself
 *
 * Unlike the kernel's count, ours never holds transient biases: the reader
 * count is exactly the number of readers holding the lock (granted ones
 * included), because nothing happens between two blocking points of a
 * simulated task.
 *
 * Every operation takes the running task; those that may block must be
 * called from that task's code.  sim/kernel/rwsem.c explains each variant against
 * the kernel source.
 *
 * Measurements (module = the name given to rwsem_init(), e.g. "mmap_sem"):
 * the counters of RWSEM_EVENTS() under the kernel's lock-event names, and
 * lock_stat-style figures per mode: counters readContentions,
 * readAcquisitions, writeContentions, writeAcquisitions; histograms
 * readWaitTime, writeWaitTime (contended acquisitions only, until the task
 * runs again), readHoldTime, writeHoldTime, readSpinTime, writeSpinTime
 * (each optimistic spin) and readerWakeBatch (readers granted by one
 * reader wake-up).  Locks initialised with the same name share them.
 */
#ifndef FAULTSIM_SIM_RWSEM_H
#define FAULTSIM_SIM_RWSEM_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/core/list.h"
#include "sim/core/task.h"

/* The count word. */
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

/* Behaviour flags of a variant. */
#define RWSEM_V_HANDOFF		(1u << 0)  /* handoff bit after handoff_timeout (5.3) */
#define RWSEM_V_WAKE_ALL_READERS (1u << 1) /* reader wake-up takes every queued reader,
					    * skipping writers (5.3); else the run of
					    * readers at the head (4.19) */
#define RWSEM_V_WRITER_SPIN	(1u << 2)  /* writers spin on a running writer owner */
#define RWSEM_V_WRITER_RSPIN	(1u << 3)  /* ... and, for a while, on readers (5.3) */
#define RWSEM_V_READER_SPIN	(1u << 4)  /* readers spin too (5.3 .. 5.10) */
#define RWSEM_V_READER_STEAL	(1u << 5)  /* slow-path reader takes a free lock (5.11) */
#define RWSEM_V_HANDOFF_SPIN	(1u << 6)  /* the handoff writer spins on its owner (5.11) */
#define RWSEM_V_READER_PREF	(1u << 7)  /* readers ignore queued writers (not Linux) */
#define RWSEM_V_SPIN_MASK	(RWSEM_V_WRITER_SPIN | RWSEM_V_WRITER_RSPIN | \
				 RWSEM_V_READER_SPIN | RWSEM_V_HANDOFF_SPIN)

/*
 * A variant.  The built-in ones are immutable; to change a parameter, copy
 * one, edit the copy and pass it to rwsem_init() (which copies it again).
 * Clearing RWSEM_V_SPIN_MASK turns optimistic spinning off entirely.
 */
struct rwsem_variant {
	const char *name;
	const char *summary;
	unsigned int flags;			/* RWSEM_V_* */
	sim_time_t handoff_timeout;		/* RWSEM_WAIT_TIMEOUT: 4 ms */
	unsigned int max_readers_wakeup;	/* 256; 0: no limit */
	sim_time_t rspin_base;			/* writer spin on readers: 10 us */
	sim_time_t rspin_per_reader;		/* + 0.5 us per reader */
	sim_time_t rspin_max;			/* at most 25 us */
	sim_time_t spin_poll;			/* how often a spinner re-checks
						 * that a writer owner is still
						 * on a CPU: 1 us */
};

/* The built-in variant called @name ("v4.19", "v5.3", "v5.11",
 * "reader-pref": policies/rwsem-*.c), or NULL with a SIM_ERROR_UNKNOWN
 * error listing the accepted names.  Plugins' variants are reached through
 * the policy registry (sim/model/policy.h). */
const struct rwsem_variant *rwsem_variant_lookup(const char *name, GError **error);
/* The @i-th built-in variant, or NULL past the last (for listings). */
const struct rwsem_variant *rwsem_variant_get(unsigned int i);

/*
 * The lock events, declared once: the enum, the name table and the
 * counter names in the statistics all come from this list.  The names are
 * those of kernel/locking/lock_events_list.h (rwsem_opt_lock is 5.11's
 * name for opt-acquired write locks; here it counts every opt-acquired
 * lock, reads and writes).
 */
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
const char *rwsem_event_name(enum rwsem_event ev);

/*
 * The semaphore.  Public only so that it can be embedded (in an mm); every
 * field is private to rwsem.c.
 */
struct rw_semaphore {
	unsigned long count;
	struct sim_task *owner;
	unsigned long owner_flags;
	struct list_head wait_list;	/* struct rwsem_waiter, FIFO */
	struct list_head osq;		/* spinners, FIFO; the head spins on the lock */
	struct rwsem_variant v;
	struct sim_engine *eng;
	char *name;
	GArray *holders;		/* struct rwsem_holder: readers and the writer */
	bool debug;			/* run the invariant checker */
	uint64_t *events[RWSEM_NR_EVENTS];
	uint64_t *read_contentions, *read_acquisitions;
	uint64_t *write_contentions, *write_acquisitions;
	struct sim_hist *read_wait, *write_wait, *read_hold, *write_hold;
	struct sim_hist *read_spin, *write_spin, *wake_batch;
};

/* Initialise @sem, unlocked, on @eng, with measurements under module
 * @name (copied), behaving as @variant (copied; NULL: v5.11). */
void rwsem_init(struct rw_semaphore *sem, struct sim_engine *eng, const char *name,
		const struct rwsem_variant *variant);
/* Free what rwsem_init() allocated.  @sem may still be held or waited on
 * by tasks the engine discards. */
void rwsem_destroy(struct rw_semaphore *sem);

/* Take @sem for read as the running task @t, sleeping as long as needed. */
void down_read(struct rw_semaphore *sem, struct sim_task *t);
/* Same, but a fatal signal (rwsem_kill) ends the wait: 0 or -EINTR. */
int down_read_killable(struct rw_semaphore *sem, struct sim_task *t);
/* Take @sem for read if that needs no wait: 1 on success, 0 otherwise. */
int down_read_trylock(struct rw_semaphore *sem, struct sim_task *t);
/* Release a read hold of @t. */
void up_read(struct rw_semaphore *sem, struct sim_task *t);

/* Take @sem for write as the running task @t (may spin, then sleep). */
void down_write(struct rw_semaphore *sem, struct sim_task *t);
/* Same, but a fatal signal ends the wait: 0 or -EINTR. */
int down_write_killable(struct rw_semaphore *sem, struct sim_task *t);
/* Take @sem for write if it is free: 1 on success, 0 otherwise. */
int down_write_trylock(struct rw_semaphore *sem, struct sim_task *t);
/* Release the write hold of @t. */
void up_write(struct rw_semaphore *sem, struct sim_task *t);
/* Turn @t's write hold into a read hold, waking the readers it can. */
void downgrade_write(struct rw_semaphore *sem, struct sim_task *t);

/*
 * Deliver a fatal signal to @t as it waits for @sem: if @t is in a
 * killable down_*() of @sem, that call returns -EINTR as soon as it looks
 * (at once if asleep; a spinning task looks once it has queued; a reader
 * already granted the lock keeps it).  Returns whether @t was found in a
 * killable wait.  The signal does not outlive the wait.
 */
bool rwsem_kill(struct rw_semaphore *sem, struct sim_task *t);

/* Queries. */
static inline unsigned long rwsem_count(const struct rw_semaphore *sem)
{
	return sem->count;
}
static inline bool rwsem_is_locked(const struct rw_semaphore *sem)
{
	return (sem->count & RWSEM_LOCK_MASK) != 0;
}
static inline bool rwsem_is_contended(const struct rw_semaphore *sem)
{
	return !list_empty(&sem->wait_list);
}
static inline unsigned long rwsem_nr_readers(const struct rw_semaphore *sem)
{
	return sem->count >> RWSEM_READER_SHIFT;
}
/* The write owner, or NULL (readers are not tracked through this). */
static inline struct sim_task *rwsem_write_owner(const struct rw_semaphore *sem)
{
	return (sem->count & RWSEM_WRITER_LOCKED) ? sem->owner : NULL;
}
size_t rwsem_nr_waiters(const struct rw_semaphore *sem);
size_t rwsem_nr_spinners(const struct rw_semaphore *sem);
/* Whether @t holds @sem for read (any depth) or for write. */
bool rwsem_is_read_holder(const struct rw_semaphore *sem, const struct sim_task *t);
bool rwsem_is_write_holder(const struct rw_semaphore *sem, const struct sim_task *t);

/*
 * The invariant checker: count, owner, holders, wait list and spinners
 * agree (see rwsem.c).  It runs after every transition in builds without
 * NDEBUG while @sem's debug switch is on (the default), and may be called
 * at any time; it fails with an assertion.  O(waiters + holders).
 */
void rwsem_check(const struct rw_semaphore *sem);
void rwsem_set_debug(struct rw_semaphore *sem, bool on);

#endif /* FAULTSIM_SIM_RWSEM_H */
