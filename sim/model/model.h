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
/* End of the warm-up period: forget what was measured so far. */
void sim_model_reset_stats(struct sim_model *m);
/* End of the run: write end-of-run scalars to the engine's statistics. */
void sim_model_finish(struct sim_model *m);
/* Free the model; call before sim_engine_free(). */
void sim_model_free(struct sim_model *m);

#endif /* FAULTSIM_SIM_MODEL_H */
