/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slot page_lock: the page lock's fairness (see plugin.h).
 *
 * The mechanism is faultsim's (sim/kernel/pagelock.c, after mm/filemap.c):
 * PG_locked, the hashed page wait queues, wake_page_function() and the
 * wait loop of wait_on_page_bit_common().  A policy decides the two things
 * that changed in 5.9:
 *
 *  - each time a lock_page() waiter queues, whether it asks the unlocker
 *    to hand it the lock (WQ_FLAG_CUSTOM: the wake function sets PG_locked
 *    on the waiter's behalf, so nobody can take the lock before the waiter
 *    runs).  A waiter that did not ask races for the bit when it runs; if
 *    someone took the lock in between, it has lost, and queues again at
 *    the tail;
 *  - what a woken shared waiter (wait_on_page_locked(),
 *    wait_on_page_writeback()) does if the bit was set again before it
 *    ran.
 */
#ifndef FAULTSIM_PAGE_LOCK_H
#define FAULTSIM_PAGE_LOCK_H

#include "faultsim/types.h"

G_BEGIN_DECLS

struct fs_plugin_registrar;

/* ------------------------------------------------------------------ */
/* Slot page_lock */

#define FS_PAGE_LOCK_POLICY_VERSION	2

/*
 * A page lock policy.  Both operations are required.
 *
 * @want_handoff: an exclusive waiter (__lock_page()) is about to queue,
 * having lost @lost races for the bit so far in this wait; whether it
 * asks to be handed the lock.  @unfairness is vm.page_lock_unfairness
 * (the scenario's policy.page_lock_budget, at most 1000000).
 *
 * @shared_woken: a woken shared waiter runs and finds the bit @bit_set
 * (it was clear when it was woken); whether its wait is over.  false: it
 * waits again, at the tail.
 */
struct fs_page_lock_policy {
	unsigned int version;		/* FS_PAGE_LOCK_POLICY_VERSION */
	const char *name;
	const char *summary;
	const char *thread;
	bool (*want_handoff)(unsigned int lost, unsigned int unfairness);
	bool (*shared_woken)(bool bit_set);
};

/* Register @ops (kept by pointer) in the page_lock slot. */
FS_API gboolean fs_register_page_lock_policy(struct fs_plugin_registrar *r,
					     const struct fs_page_lock_policy *ops,
					     GError **error);

G_END_DECLS

#endif /* FAULTSIM_PAGE_LOCK_H */
