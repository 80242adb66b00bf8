/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slots and kernel presets.
 *
 * A policy slot is one strategy the kernel threads argue about; a policy
 * set is one value per slot.  Scenarios choose values with
 * `policy.SLOT = VALUE`, or a whole set at once with
 * `policy.preset = linux-5.4` (what that kernel version does), where a slot
 * set explicitly overrides the preset's value.
 *
 * Slots so far (more come with the fault path):
 *	rwsem      mmap_sem's rwsem.c: v4.19, v5.3, v5.11, reader-pref
 *	page_lock  the page lock's fairness: steal, fair, bounded-steal
 */
#ifndef FAULTSIM_SIM_POLICY_H
#define FAULTSIM_SIM_POLICY_H

#include "sim/keys.h"
#include "sim/scenario.h"

enum sim_policy_slot {
	SIM_POLICY_RWSEM,
	SIM_POLICY_PAGE_LOCK,
	SIM_NR_POLICY_SLOTS,
};

struct sim_policy_slot_info {
	const char *name;			/* "rwsem" */
	const char *key;			/* "policy.rwsem" */
	const char *const *values;		/* NULL-terminated */
	const char *const *summaries;		/* one line per value */
	const char *help;
};

struct sim_preset {
	const char *name;			/* "linux-5.4" */
	const char *summary;
	const char *values[SIM_NR_POLICY_SLOTS];
};

void sim_policy_register_keys(struct sim_keys *keys);
const struct sim_policy_slot_info *sim_policy_slot(enum sim_policy_slot slot);
/* The @i-th preset, NULL past the last. */
const struct sim_preset *sim_preset_get(unsigned int i);

/* The value of @slot in run @cfg: the slot's key if set, else the preset's
 * value if a preset is set, else the slot's default. */
const char *sim_policy_value(const struct sim_run_config *cfg, enum sim_policy_slot slot);
/* "rwsem=v5.11 page_lock=bounded-steal": the run's whole policy set. */
char *sim_policy_set_string(const struct sim_run_config *cfg);

#endif /* FAULTSIM_SIM_POLICY_H */
