/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree rwsem policy: 5.3's rwsem, with writers that do not spin
 * on a reader-owned lock.
 *
 * The question it answers: what keeps a writer from starving under a
 * stream of readers in 5.3 .. 5.10, where readers spin too?  The thread
 * that answered it: "locking/rwsem: Prevent potential lock starvation",
 * Waiman Long, 17 November 2020 (merged for 5.11 as 2f06f702925b).  Its
 * argument, in three steps:
 *
 *  - a spinning reader joins a lock that readers hold even when a writer
 *    is queued (rwsem_try_read_lock_unqueued() ignores the waiters bit);
 *  - the handoff bit of 4f23dbc1e657 is only set by a waiter that has
 *    been woken, and up_read() wakes the queue only when the reader count
 *    drops to zero;
 *  - so under a continuous stream of spinning readers the count never
 *    drops to zero, the writer is never woken, and handoff never comes.
 *
 * In 5.3 what breaks the stream is the writer's own optimistic spin on
 * the readers ("Enable time-based spinning on reader-owned rwsem"): when
 * it times out (10 us + 0.5 us per reader, at most 25 us) it marks the
 * lock nonspinnable for readers, and new readers queue behind the writer.
 * This policy takes that spin away (RWSEM_V_WRITER_RSPIN) and keeps the
 * rest of 5.3, handoff included: the writer now waits until the readers
 * happen to pause, without bound.  5.11 closed the hole for good by
 * removing reader spinning (617f3ef95177).
 *
 * Build and use (see README.md, "Writing a policy plugin"):
 *
 *	cc -shared -fPIC -o rwsem-no-rspin.so rwsem-no-rspin.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./rwsem-no-rspin.so \
 *		--set 'policy.rwsem=${v=v5.3,v5.3-no-rspin}' study.ini
 *
 * and compare the writer's mmap_sem.writeWaitTime (its max above all) and
 * its throughput between the two values.
 */
#include <faultsim/plugin.h>

/* The plugin ABI this file was compiled against: faultsim refuses to load
 * a plugin built for another. */
const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

static const struct fs_rwsem_policy rwsem_no_rspin = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.3-no-rspin",
	.summary = "example plugin: 5.3 whose writers do not spin on readers "
		   "(a stream of spinning readers starves them)",
	.thread = "\"locking/rwsem: Prevent potential lock starvation\", Waiman Long, "
		  "Nov 2020, 2f06f702925b (the scenario it describes)",
	.variant = {
		/* 5.3 (policies/rwsem-v5.3.c) without RWSEM_V_WRITER_RSPIN:
		 * writers still spin on a running writer, readers still
		 * spin, handoff is still there. */
		.flags = RWSEM_V_HANDOFF | RWSEM_V_WAKE_ALL_READERS |
			 RWSEM_V_WRITER_SPIN | RWSEM_V_READER_SPIN,
		.handoff_timeout = 4 * NSEC_PER_MSEC,
		.max_readers_wakeup = 256,
		.rspin_base = 10 * NSEC_PER_USEC,	/* unused: no spin on readers */
		.rspin_per_reader = 500,
		.rspin_max = 25 * NSEC_PER_USEC,
		.spin_poll = 1 * NSEC_PER_USEC,
	},
};

/* Called once, when faultsim loads the plugin: register every table. */
gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error);

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_rwsem_policy(r, &rwsem_no_rspin, error);
}
