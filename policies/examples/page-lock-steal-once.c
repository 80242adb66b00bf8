/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree page_lock policy: a lock_page() waiter may lose one race
 * for the lock, then it is handed the lock.
 *
 * What it changes.  In 5.9 the page lock went from unbounded stealing
 * (a woken waiter races newcomers for PG_locked and, losing, queues again
 * at the tail) to strict handoff ("mm: rewrite wait_on_page_bit_common()
 * logic", 2a9127fcf229: the unlocker sets the bit for the first waiter,
 * and the lock sits idle until that waiter runs), and, after the
 * throughput regressions that caused, to a bounded amount of stealing
 * ("mm: allow a controlled amount of unfairness in the page lock",
 * 5ef64cc8987a, Linus Torvalds): a waiter asks for the handoff after
 * vm.page_lock_unfairness (5) lost races.  This policy fixes the bound at
 * one, whatever the sysctl says: a newcomer may take the lock from under
 * a woken waiter once, never twice.  (The built-in bounded-steal with
 * policy.page_lock_budget = 1 does the same; here it is written out as
 * the slot's two operations.)  Shared waiters are done once woken, as
 * since 5.9.
 *
 * Why try it.  The budget trades the fair lock's idle handoff time for
 * tail latency: each lost race is another trip to the tail of the queue.
 * One allowed steal keeps most of the lock's throughput if waiters
 * usually win their first race; compare page_lock.waitTime (its tail
 * above all), page_lock.lossesPerAcquire and the workload's throughput
 * with bounded-steal, fair and steal.
 *
 * Build and use:
 *
 *	cc -shared -fPIC -o page-lock-steal-once.so page-lock-steal-once.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./page-lock-steal-once.so \
 *		--set 'policy.page_lock=${pl=steal,steal-once,bounded-steal,fair}' \
 *		scenarios/page-lock.ini
 */
#include <faultsim/plugin.h>

const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

/* Queueing again after a lost race: ask for the lock this time. */
static bool steal_once_want_handoff(unsigned int lost, unsigned int unfairness)
{
	(void)unfairness;	/* vm.page_lock_unfairness: not ours to follow */
	return lost >= 1;
}

/* "If we were non-exclusive, we're done." */
static bool steal_once_shared_woken(bool bit_set)
{
	(void)bit_set;
	return true;
}

static const struct fs_page_lock_policy page_lock_steal_once = {
	.version = FS_PAGE_LOCK_POLICY_VERSION,
	.name = "steal-once",
	.summary = "example plugin: a lock_page() waiter loses at most one race, then the "
		   "lock is handed to it",
	.thread = "\"mm: allow a controlled amount of unfairness in the page lock\", "
		  "Linus Torvalds, Sep 2020, 5ef64cc8987a (its bound, fixed at one)",
	.want_handoff = steal_once_want_handoff,
	.shared_woken = steal_once_shared_woken,
};

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_page_lock_policy(r, &page_lock_steal_once, error);
}
