/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree retry policy: a fault may release mmap_sem to wait at
 * most twice.
 *
 * What it changes.  Since 5.7 (4064b9827063, "mm: allow VM_FAULT_RETRY for
 * multiple times", Peter Xu) a fault may retry any number of times, but
 * only its first attempt may drop mmap_sem to wait for a page lock or for
 * I/O (fault_flag_allow_retry_first()); the RFC as first posted let every
 * attempt drop, and the thread's objection was starvation: a fault that
 * keeps finding its page locked gives up mmap_sem, waits and comes back,
 * without bound.  This policy sits between the two: every attempt keeps
 * FAULT_FLAG_ALLOW_RETRY, and an attempt may drop while the fault has
 * dropped fewer than two times so far.  The per-fault state the retry
 * slot gets (struct fs_fault_retry_state: attempt, drops) is what makes
 * such a budget expressible; flag bits alone cannot count.
 *
 * Why try it.  To see what a small budget buys over first-drop (mmap_sem
 * writers wait less behind faults blocked on a locked page) and what it
 * costs (a second round trip through the retry loop), and whether the
 * tail of the unlimited rule is really starvation or just a long wait:
 * compare the histograms fault.drops and fault.retries, and
 * mmap_sem.writeWaitTime, against first-drop and unlimited.
 *
 * Build and use (see README.md, "Writing a policy plugin"):
 *
 *	cc -shared -fPIC -o retry-drop-twice.so retry-drop-twice.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./retry-drop-twice.so \
 *		--set 'policy.retry=${r=first-drop,drop-twice,unlimited}' \
 *		scenarios/exp2-retry.ini
 */
#include <faultsim/plugin.h>

const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

/* Drops a fault may make, over all its attempts. */
#define DROP_BUDGET	2u

/* The x86 handler's retry: keep ALLOW_RETRY, mark the attempt TRIED. */
static unsigned int drop_twice_retry_flags(const struct fs_fault_retry_state *st)
{
	return st->flags | FAULT_FLAG_TRIED;
}

static bool drop_twice_may_drop(const struct fs_fault_retry_state *st)
{
	return (st->flags & FAULT_FLAG_ALLOW_RETRY) && st->drops < DROP_BUDGET;
}

static const struct fs_fault_retry_policy retry_drop_twice = {
	.version = FS_FAULT_RETRY_POLICY_VERSION,
	.name = "drop-twice",
	.summary = "example plugin: retries unlimited, a fault drops mmap_sem at most twice",
	.thread = "\"mm: allow VM_FAULT_RETRY for multiple times\", Peter Xu, 2019-2020 "
		  "(a budget between its RFC and 4064b9827063)",
	.retry_flags = drop_twice_retry_flags,
	.may_drop = drop_twice_may_drop,
};

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_fault_retry_policy(r, &retry_drop_twice, error);
}
