/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One run: the simulated machine, the load on it and its workload groups,
 * built from the run's resolved configuration.  This is where
 * configuration keys meet the models: the model layer declares every key
 * (the kernel model never sees one), so that scenarios are validated
 * against them before anything runs.
 *
 * Keys (see sim_model_register_keys(); `faultsim list keys` prints them):
 *	machine.*	CPUs, cache-line transfers (machine.h)
 *	disk.*		the block device: profile, depth, scheduler, latency, ...
 *	memory.*	the page cache, reclaim, swap (machine.h)
 *	load.disk.*	open-loop disk requests (Poisson by default)
 *	load.cpu.*	open-loop CPU jobs
 *	workload.*	thread groups, by kind (workload.h)
 *	fault.*, khugepaged.*, write.*
 *			the kernel model's costs (kernel-params.h)
 *	policy.*	policy slots and kernel presets (policy.h)
 */
#ifndef FAULTSIM_SIM_MODEL_H
#define FAULTSIM_SIM_MODEL_H

#include "sim/core/engine.h"
#include "sim/config/keys.h"
#include "sim/config/scenario.h"

struct sim_model;
struct sim_policies;

/* Register every model key in @keys, with the built-in policies. */
void sim_model_register_keys(struct sim_keys *keys);
/* The same with the policies of @policies (built-ins and loaded plugins;
 * NULL: the built-ins), which @keys takes over.  A run of a study made
 * with @keys reaches its policies through them (sim_policy_of()). */
void sim_model_register_keys_with(struct sim_keys *keys, struct sim_policies *policies);

/* Build run @cfg on @eng: its machine, loads and workload groups.  Fails
 * (SIM_ERROR) on settings that are valid one by one but not together. */
struct sim_model *sim_model_build(struct sim_engine *eng,
				  const struct sim_run_config *cfg, GError **error);
/* Why the run cannot go on, or NULL: an open-loop load whose backlog
 * passed load.disk.max_backlog or load.cpu.max_backlog stopped the engine
 * (sim_run() returned SIM_STOP_REQUESTED); the run has failed. */
const char *sim_model_error(const struct sim_model *m);

/*
 * What one run takes of the process, known from its configuration before
 * it is built, so that a run that cannot fit is refused before anything
 * runs (and not killed by the kernel, or by an allocation that fails,
 * half way through a study): its tasks at most (each is a stack mapping
 * and a guard page, two of the process's memory maps; the CPU load's jobs
 * count up to load.cpu.max_backlog) and a rough bound on the memory that
 * grows with its settings (SIM_MODEL_TASK_BYTES a task, and queued disk
 * requests up to load.disk.max_backlog).
 */
#define SIM_MODEL_TASK_BYTES		(16 * 1024)
#define SIM_MODEL_DISK_REQUEST_BYTES	256
#define SIM_MODEL_SPARE_MAPS		1024

struct sim_model_needs {
	uint64_t tasks;
	uint64_t bytes;
};

void sim_model_needs(const struct sim_run_config *cfg, struct sim_model_needs *needs);

/* What this process has room for now: tasks from vm.max_map_count less
 * the maps in use and a margin (SIM_MODEL_SPARE_MAPS and a sixteenth),
 * bytes from MemAvailable or the cgroup's memory.max, less an eighth;
 * UINT64_MAX where the system does not say. */
struct sim_model_room {
	uint64_t tasks;
	uint64_t bytes;
	uint64_t max_map_count;		/* for messages; 0 if unknown */
	uint64_t maps_in_use;
};

void sim_model_room(struct sim_model_room *room);
/* How many runs of @needs fit in @room at once; 0 if not one. */
uint64_t sim_model_fit(const struct sim_model_needs *needs, const struct sim_model_room *room);
/* Why a run of @needs does not fit in @room (the limit named). */
void sim_model_room_error(const struct sim_model_needs *needs, const struct sim_model_room *room,
			  GError **error);

/* End of the warm-up period: forget what was measured so far. */
void sim_model_reset_stats(struct sim_model *m);
/* End of the run: write end-of-run scalars to the engine's statistics. */
void sim_model_finish(struct sim_model *m);
/* Free the model; call before sim_engine_free(). */
void sim_model_free(struct sim_model *m);

#endif /* FAULTSIM_SIM_MODEL_H */
