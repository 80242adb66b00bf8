/* SPDX-License-Identifier: GPL-2.0-only */
/* Policy slot page_lock: the page lock's fairness (see plugin.h). */
#ifndef FAULTSIM_PAGE_LOCK_H
#define FAULTSIM_PAGE_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "faultsim/types.h"

G_BEGIN_DECLS

struct fs_plugin_registrar;

/* ------------------------------------------------------------------ */
/* Slot page_lock: the page lock's fairness (sim/kernel/pagelock.h) */

#define FS_PAGE_LOCK_POLICY_VERSION	1

/* unfairness() result: the waiter never asks for a handoff. */
#define FS_PAGE_LOCK_NO_HANDOFF		(-1)

/*
 * A page lock policy.  Each time an exclusive waiter (lock_page()) queues,
 * it spends one unit of its unfairness; once that is spent it queues asking
 * the unlocker to hand it the lock (the waker sets the bit on its behalf).
 *
 * @unfairness: how many queueings a waiter gets before it asks for a
 * handoff, given @budget (the scenario's policy.page_lock_budget): 0 is
 * strictly fair, FS_PAGE_LOCK_NO_HANDOFF never asks.  Optional: NULL never
 * asks (unbounded stealing).  The result must be FS_PAGE_LOCK_NO_HANDOFF
 * or 0 .. PAGE_LOCK_UNFAIRNESS_MAX (1000000), else the run fails to build.
 * @shared_recheck: a woken shared waiter (wait_on_page_locked()) checks the
 * bit again and waits again if it was taken meanwhile (before 5.9).
 */
struct fs_page_lock_policy {
	unsigned int version;		/* FS_PAGE_LOCK_POLICY_VERSION */
	const char *name;
	const char *summary;
	const char *thread;
	int (*unfairness)(unsigned int budget);
	bool shared_recheck;
};

/* Register @ops (kept by pointer) in the page_lock slot. */
FS_API gboolean fs_register_page_lock_policy(struct fs_plugin_registrar *r,
				      const struct fs_page_lock_policy *ops,
				      GError **error);


G_END_DECLS

#endif /* FAULTSIM_PAGE_LOCK_H */
