/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the lock models share to report as /proc/lock_stat does (the
 * results' lockStat table, `faultsim report --lock-stat`).
 *
 * A lock class records, under its module, by this convention (cli/run.c
 * turns it into lockStat rows): counters MODEAcquisitions and
 * MODEContentions, histograms MODEWaitTime (contended acquisitions: from
 * asking to holding) and MODEHoldTime (acquisition to release), counters
 * MODEAcqBounces and MODEConBounces (acquisitions, and contended ones,
 * whose lock word's cache line came from another CPU:
 * sim/kernel/cacheline.h) -- MODE "read" or "write" -- or the same names
 * without a mode, lower-cased (acquisitions, contentions, waitTime,
 * holdTime, acqBounces, conBounces), for a lock with one mode.  A class
 * that lacks one of them has 0 there.
 *
 * struct lock_holds keeps, for a lock whose holders the model does not
 * otherwise track (a page has no room for a time stamp; a VMA lock has
 * any number of readers), since when each holder has held it, so that the
 * release can record its hold time.  A holder is a pair of pointers (the
 * page; or the VMA and the task).
 *
 * Costs: a start or an end is O(1) on average (an open-addressing table at
 * most half full); the table only grows, so a steady state allocates
 * nothing.
 */
#ifndef FAULTSIM_SIM_KERNEL_LOCKSTAT_H
#define FAULTSIM_SIM_KERNEL_LOCKSTAT_H

#include "sim/core/types.h"

/* One open hold; a == NULL: none. */
struct lock_hold {
	const void *a, *b;
	sim_time_t since;
};

/* Private to lockstat.c but for the inline fast paths below: the newest
 * hold, and a table of the older open ones. */
struct lock_holds {
	struct lock_hold last;
	struct lock_hold *slot;
	unsigned int mask;		/* table size - 1 */
	unsigned int shift;		/* 64 - log2(table size) */
	unsigned int count;		/* holds in the table */
};

struct lock_holds *lock_holds_new(void);
/* Free @h (NULL is allowed), holds still open included. */
void lock_holds_free(struct lock_holds *h);
/* Holds open now. */
unsigned int lock_holds_count(const struct lock_holds *h);

/* The slow paths of the two below: lock_holds_start() when the newest
 * hold is still open (it moves into the table), lock_holds_end() of an
 * older hold. */
void lock_holds_start_table(struct lock_holds *h, const void *a, const void *b,
			    sim_time_t now);
sim_time_t lock_holds_end_table(struct lock_holds *h, const void *a, const void *b,
				sim_time_t now);

/* Holder (@a, @b) acquired the lock at @now; it must not hold it yet. */
static inline void lock_holds_start(struct lock_holds *h, const void *a, const void *b,
				    sim_time_t now)
{
	if (h->last.a)
		lock_holds_start_table(h, a, b, now);
	else
		h->last = (struct lock_hold){ .a = a, .b = b, .since = now };
}

/* Holder (@a, @b) releases the lock at @now: how long it held it, or -1 if
 * its acquisition was not recorded (the hold is forgotten either way). */
static inline sim_time_t lock_holds_end(struct lock_holds *h, const void *a, const void *b,
					sim_time_t now)
{
	if (h->last.a == a && h->last.b == b) {
		h->last.a = NULL;
		return now - h->last.since;
	}
	return lock_holds_end_table(h, a, b, now);
}

#endif /* FAULTSIM_SIM_KERNEL_LOCKSTAT_H */
