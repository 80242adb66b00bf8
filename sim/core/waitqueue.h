/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wait queues: the one sleeping primitive the lock models are built on.
 *
 * As in the kernel (include/linux/wait.h), a wait queue is a FIFO list of
 * entries, each naming a task, optionally exclusive, and carrying a wake
 * function.  A wake-up walks the list from the head: it wakes every
 * non-exclusive entry it meets and stops after waking @nr_exclusive
 * exclusive ones (0 means no limit).  This gives wake-one (1), wake-all (0)
 * and wake-a-batch (n).
 *
 * A wake function may refuse an entry (return 0: it stays queued and the
 * walk goes on), accept it (return 1) or end the walk (return -1).  Lock
 * models use this to grant the lock inside the waker, as rwsem_mark_wake()
 * and wake_page_function() do.  The default wake function removes the
 * entry, marks it woken and calls sim_wake() on its task.
 *
 * Entries usually live on the waiting task's stack (sim_wait() declares
 * one); an entry is on at most one queue.
 */
#ifndef FAULTSIM_SIM_WAITQUEUE_H
#define FAULTSIM_SIM_WAITQUEUE_H

#include <stdbool.h>
#include "sim/core/list.h"
#include "sim/core/task.h"

#define WQ_FLAG_EXCLUSIVE	0x01u
#define WQ_FLAG_WOKEN		0x02u

struct sim_wait_entry;
typedef int sim_wake_fn(struct sim_wait_entry *we, void *key);

struct sim_wait_entry {
	struct list_head entry;
	struct sim_task *task;
	unsigned int flags;
	sim_wake_fn *func;
	void *private;		/* for the wake function */
};

struct sim_waitqueue {
	struct list_head head;
};

static inline void sim_waitqueue_init(struct sim_waitqueue *wq)
{
	INIT_LIST_HEAD(&wq->head);
}

/* Whether any entry is queued. */
static inline bool sim_waitqueue_active(const struct sim_waitqueue *wq)
{
	return !list_empty(&wq->head);
}

/* The entry at the head, or NULL. */
static inline struct sim_wait_entry *sim_waitqueue_first(struct sim_waitqueue *wq)
{
	return list_first_entry_or_null(&wq->head, struct sim_wait_entry, entry);
}

/* Prepare @we for @task with the default wake function. */
void sim_wait_entry_init(struct sim_wait_entry *we, struct sim_task *task,
			 unsigned int flags);
/* The default wake function: dequeue, mark WOKEN, sim_wake(); returns 1. */
int sim_default_wake_function(struct sim_wait_entry *we, void *key);

/* Queue @we at the tail (FIFO); exclusive or not per its flags. */
void sim_add_wait_queue(struct sim_waitqueue *wq, struct sim_wait_entry *we);
/* Queue @we at the head (a waiter that lost a race and keeps its place). */
void sim_add_wait_queue_head(struct sim_waitqueue *wq, struct sim_wait_entry *we);
/* Dequeue @we if queued (no-op otherwise). */
void sim_remove_wait_queue(struct sim_wait_entry *we);
/* Whether @we is on a queue. */
static inline bool sim_wait_entry_queued(const struct sim_wait_entry *we)
{
	return !list_empty(&we->entry);
}

/*
 * Walk @wq from the head and wake as described above; returns the number of
 * entries whose wake function accepted them.  O(entries visited).
 */
int sim_wake_up(struct sim_waitqueue *wq, int nr_exclusive, void *key);
static inline int sim_wake_up_one(struct sim_waitqueue *wq)
{
	return sim_wake_up(wq, 1, NULL);
}
static inline int sim_wake_up_all(struct sim_waitqueue *wq)
{
	return sim_wake_up(wq, 0, NULL);
}
static inline int sim_wake_up_nr(struct sim_waitqueue *wq, int nr)
{
	return sim_wake_up(wq, nr, NULL);
}

/*
 * Queue the running task @t at the tail of @wq (exclusive if @flags has
 * WQ_FLAG_EXCLUSIVE) and block until a wake-up accepts it.  @what names the
 * wait for deadlock reports ("page lock", "mmap_sem write").
 */
void sim_wait(struct sim_waitqueue *wq, struct sim_task *t, unsigned int flags,
	      const char *what);
/* Same, giving up after @timeout ns: true if woken, false on timeout (the
 * entry is then dequeued). */
bool sim_wait_timeout(struct sim_waitqueue *wq, struct sim_task *t,
		      unsigned int flags, const char *what, sim_time_t timeout);

/* Wait until @cond holds, re-checking after each wake-up, as wait_event(). */
#define sim_wait_event(wq, t, cond)				\
	do {							\
		while (!(cond))					\
			sim_wait((wq), (t), 0, #cond);		\
	} while (0)

#endif /* FAULTSIM_SIM_WAITQUEUE_H */
