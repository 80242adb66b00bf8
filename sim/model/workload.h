/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workloads: groups of simulated threads of one process, described by
 * `workload.NAME.*` keys.  Every group shares the process's mm, and so its
 * mmap_sem, whose behaviour is the rwsem policy slot (sim/model/policy.h).
 *
 *   kind = lock    each thread loops: compute (work), take mmap_sem for
 *                  write (with probability write_fraction: mmap/mprotect)
 *                  or read (a fault, a /proc reader), compute while
 *                  holding it (hold), release, sleep (think).
 *   kind = file    each thread reads pages of the group's own file through
 *                  the page cache (readahead, the disk, reclaim within
 *                  memory.limit), locking a fraction of them for hold as a
 *                  write would: contention for the page lock (the
 *                  page_lock policy slot).  See workload-file.c.
 *
 * Per group (module = NAME): histogram "latency" (from asking for the lock
 * to releasing it), counters "ops", "readOps", "writeOps"; scalar
 * "throughput" (operations per simulated second) at the end.
 */
#ifndef FAULTSIM_SIM_WORKLOAD_H
#define FAULTSIM_SIM_WORKLOAD_H

#include "sim/kernel/cpu.h"
#include "sim/kernel/disk.h"
#include "sim/config/keys.h"
#include "sim/config/scenario.h"

struct sim_workloads;

void sim_workload_register_keys(struct sim_keys *keys);
/* Start every workload group of @cfg on @cpus; NULL workloads is not an
 * error (none configured) — check *error. */
struct sim_workloads *sim_workloads_start(struct sim_engine *eng, struct sim_cpus *cpus,
					  struct sim_disk *disk,
					  const struct sim_run_config *cfg, GError **error);
/* The end of the warm-up: throughput is counted from now. */
void sim_workloads_reset(struct sim_workloads *w);
/* End-of-run scalars; call once, after the last sim_run(). */
void sim_workloads_finish(struct sim_workloads *w);
/* Free; call before sim_engine_free(). */
void sim_workloads_free(struct sim_workloads *w);

#endif /* FAULTSIM_SIM_WORKLOAD_H */
