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
 * Costs: a start or an end is a hash lookup, O(1) on average; entries are
 * recycled, so a steady state allocates nothing.
 */
#ifndef FAULTSIM_SIM_KERNEL_LOCKSTAT_H
#define FAULTSIM_SIM_KERNEL_LOCKSTAT_H

#include "sim/core/types.h"

struct lock_holds;

struct lock_holds *lock_holds_new(void);
/* Free @h (NULL is allowed), holds still open included. */
void lock_holds_free(struct lock_holds *h);
/* Holder (@a, @b) acquired the lock at @now; it must not hold it yet. */
void lock_holds_start(struct lock_holds *h, const void *a, const void *b, sim_time_t now);
/* Holder (@a, @b) releases the lock at @now: how long it held it, or -1 if
 * its acquisition was not recorded (the hold is forgotten either way). */
sim_time_t lock_holds_end(struct lock_holds *h, const void *a, const void *b, sim_time_t now);
/* Holds open now. */
unsigned int lock_holds_count(const struct lock_holds *h);

#endif /* FAULTSIM_SIM_KERNEL_LOCKSTAT_H */
