/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wait queues; see waitqueue.h.  Every operation is O(1) except the
 * wake-up walk, which is O(entries visited).
 */
#include "config.h"

#include "sim/core/waitqueue.h"

void sim_wait_entry_init(struct sim_wait_entry *we, struct sim_task *task,
			 unsigned int flags)
{
	INIT_LIST_HEAD(&we->entry);
	we->task = task;
	we->flags = flags & WQ_FLAG_EXCLUSIVE;
	we->func = sim_default_wake_function;
	we->private = NULL;
}

int sim_default_wake_function(struct sim_wait_entry *we, void *key)
{
	list_del_init(&we->entry);
	we->flags |= WQ_FLAG_WOKEN;
	sim_wake(we->task);
	return 1;
}

void sim_add_wait_queue(struct sim_waitqueue *wq, struct sim_wait_entry *we)
{
	g_assert(!sim_wait_entry_queued(we));
	list_add_tail(&we->entry, &wq->head);
}

void sim_add_wait_queue_head(struct sim_waitqueue *wq, struct sim_wait_entry *we)
{
	g_assert(!sim_wait_entry_queued(we));
	list_add(&we->entry, &wq->head);
}

void sim_remove_wait_queue(struct sim_wait_entry *we)
{
	list_del_init(&we->entry);
}

int sim_wake_up(struct sim_waitqueue *wq, int nr_exclusive, void *key)
{
	struct sim_wait_entry *we, *next;
	int woken = 0;

	list_for_each_entry_safe(we, next, &wq->head, entry) {
		unsigned int flags = we->flags;
		int ret = we->func(we, key);

		if (ret < 0)
			break;
		if (ret == 0)
			continue;
		woken++;
		if ((flags & WQ_FLAG_EXCLUSIVE) && --nr_exclusive == 0)
			break;
	}
	return woken;
}

void sim_wait(struct sim_waitqueue *wq, struct sim_task *t, unsigned int flags,
	      const char *what)
{
	struct sim_wait_entry we;

	sim_wait_entry_init(&we, t, flags);
	sim_add_wait_queue(wq, &we);
	sim_task_set_blocked_on(t, what, wq);
	sim_block(t);
	g_assert(!sim_wait_entry_queued(&we));
}

bool sim_wait_timeout(struct sim_waitqueue *wq, struct sim_task *t,
		      unsigned int flags, const char *what, sim_time_t timeout)
{
	struct sim_wait_entry we;
	bool woken;

	sim_wait_entry_init(&we, t, flags);
	sim_add_wait_queue(wq, &we);
	sim_task_set_blocked_on(t, what, wq);
	woken = sim_block_timeout(t, timeout);
	/* A wake-up that came after the timeout fired but before the task ran
	 * still dequeued the entry and counts (a lock may have been granted
	 * to it inside the waker). */
	woken |= (we.flags & WQ_FLAG_WOKEN) != 0;
	if (!woken)
		sim_remove_wait_queue(&we);
	return woken;
}
