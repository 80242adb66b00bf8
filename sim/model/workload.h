/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workloads: groups of simulated threads, described by `workload.NAME.*`
 * keys, each of a kind (workload.NAME.kind) that says what its threads do:
 *
 *   lock    each thread loops: compute (work), take mmap_sem for write
 *           (with probability write_fraction: mmap/mprotect) or read (a
 *           fault, a /proc reader), compute while holding it (hold),
 *           release, sleep (think).  The lock groups are the threads of
 *           one process and share its mmap_sem, whose behaviour is the
 *           rwsem policy slot (sim/model/policy.h).  See workload-lock.c.
 *   file    each thread reads pages of the group's own file through the
 *           page cache (readahead, the disk, reclaim within
 *           memory.limit), locking a fraction of them for hold as a write
 *           would: contention for the page lock (the page_lock policy
 *           slot).  See workload-file.c.
 *   fault   processes whose threads touch the pages of their mappings,
 *           faulting, with mmap_sem writers, /proc readers, page lockers
 *           and khugepaged.  See workload-fault.c.
 *   write   dd: write(2) of the group's file from a user buffer.  See
 *           workload-write.c.
 *
 * A key of one kind set on a group of another is an error before anything
 * runs; `faultsim list keys` labels each workload key with its kinds.
 *
 * Per group (module = NAME): histogram "latency", counters "ops",
 * "readOps", "writeOps"; scalar "throughput" (operations per simulated
 * second) at the end; each kind says what an operation is, and adds its
 * own.
 */
#ifndef FAULTSIM_SIM_WORKLOAD_H
#define FAULTSIM_SIM_WORKLOAD_H

#include "sim/config/keys.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"

struct sim_machine;
struct sim_workloads;

/* Register the workload.*.* keys of every kind. */
void sim_workload_register_keys(struct sim_keys *keys);
/* Start every workload group of @cfg on @machine, in the order of the
 * groups in @cfg, making the parts of the machine each kind needs as
 * its first group starts; NULL workloads is not an error (none
 * configured) -- check *error. */
struct sim_workloads *sim_workloads_start(struct sim_engine *eng, struct sim_machine *machine,
					  const struct sim_run_config *cfg, GError **error);
/* The tasks the groups of @cfg spawn, counted from the keys alone. */
uint64_t sim_workloads_nr_tasks(const struct sim_run_config *cfg);
/* The mmap_sem of the process the lock groups' threads share, NULL if
 * @w (may be NULL) has no lock group. */
struct rw_semaphore *sim_workloads_lock_sem(struct sim_workloads *w);
/* The end of the warm-up: throughput is counted from now. */
void sim_workloads_reset(struct sim_workloads *w);
/* End-of-run scalars; call once, after the last sim_run(). */
void sim_workloads_finish(struct sim_workloads *w);
/* Free; call before sim_engine_free(). */
void sim_workloads_free(struct sim_workloads *w);

#endif /* FAULTSIM_SIM_WORKLOAD_H */
