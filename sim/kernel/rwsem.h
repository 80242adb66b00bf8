/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmap_sem: the kernel's reader/writer semaphore (kernel/locking/rwsem.c).
 * The mechanism is here (sim/kernel/rwsem.c); what differs between kernel
 * versions is the policy's ops table (struct fs_rwsem_policy, with the
 * count and owner words, the lock events and the helpers policies use:
 * include/faultsim/rwsem.h).  A lock is initialised with its policy's
 * table; sim/model picks the table.
 *
 * Every operation takes the running task; those that may block must be
 * called from that task's code.
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
#include "faultsim/rwsem.h"
#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/core/list.h"
#include "sim/core/task.h"

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
	const struct fs_rwsem_policy *ops;
	struct sim_engine *eng;
	char *name;
	/* struct rwsem_holder (rwsem.c): readers and the writer, unordered */
	struct rwsem_holder *holders;
	unsigned int nr_holders, holders_cap;
	uint64_t *events[RWSEM_NR_EVENTS];
	uint64_t *read_contentions, *read_acquisitions;
	uint64_t *write_contentions, *write_acquisitions;
	struct sim_hist *read_wait, *write_wait, *read_hold, *write_hold;
	struct sim_hist *read_spin, *write_spin, *wake_batch;
	/* Tracing (sim/core/trace.h): the sink or NULL, and the slice names
	 * "NAME read wait", "NAME write wait", "NAME read", "NAME write". */
	struct sim_trace *trace;
	const char *trace_name[4];
};

/*
 * Whether @ops is a complete rwsem policy: the required operations are
 * there and the fields in range.  Otherwise an error naming the policy
 * and the field (registration reports it; rwsem_init() asserts it).
 */
gboolean rwsem_policy_check(const struct fs_rwsem_policy *ops, GError **error);

/* Initialise @sem, unlocked, on @eng, with measurements under module
 * @name (copied), behaving as @ops (kept by pointer; a complete policy,
 * asserted). */
void rwsem_init(struct rw_semaphore *sem, struct sim_engine *eng, const char *name,
		const struct fs_rwsem_policy *ops);
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

/* Queries (rwsem_count() and rwsem_nr_readers(): faultsim/rwsem.h). */
static inline bool rwsem_is_locked(const struct rw_semaphore *sem)
{
	return (sem->count & RWSEM_LOCK_MASK) != 0;
}
static inline bool rwsem_is_contended(const struct rw_semaphore *sem)
{
	return !list_empty(&sem->wait_list);
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
 * agree (see rwsem.c).  It runs after every transition while
 * sim_engine_checks() is on, and may be called at any time; a broken rule
 * aborts naming it (SIM_CHECK).  O(waiters + holders).
 */
void rwsem_check(const struct rw_semaphore *sem);

#endif /* FAULTSIM_SIM_RWSEM_H */
