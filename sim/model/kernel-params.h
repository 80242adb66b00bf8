/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel model's parameters from a run's configuration: the keys of
 * the fault path (fault.*), khugepaged (khugepaged.*), write(2)
 * (write.*) and dirty writeback (vm.*, disk.stable_writes), and the params structs sim/kernel takes, read from them.
 * The kernel never sees a key; its *_params_init() give the same values
 * as these keys' defaults (tests/test-model.c holds the two together).
 */
#ifndef FAULTSIM_SIM_MODEL_KERNEL_PARAMS_H
#define FAULTSIM_SIM_MODEL_KERNEL_PARAMS_H

#include "sim/config/keys.h"
#include "sim/config/scenario.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/mm-lines.h"
#include "sim/kernel/tlb.h"
#include "sim/kernel/write.h"
#include "sim/kernel/writeback.h"

/* Register the fault.*, mm.*, khugepaged.* and write.* keys. */
void sim_kernel_register_keys(struct sim_keys *keys);

/* Each cost key may be a distribution: the params then hold it in their
 * dist[] (free with *_params_clear()) and its mean in the field; a
 * constant is the field alone. */
void fault_params_from_config(struct fault_params *p, const struct sim_run_config *cfg);
void khugepaged_params_from_config(struct khugepaged_params *p,
				   const struct sim_run_config *cfg);
void write_params_from_config(struct write_params *p, const struct sim_run_config *cfg);
/* The mm.* keys, with the preset's kernel version where a key says 0 or
 * auto (MEMCG_CHARGE_BATCH, the RSS counters). */
void mm_lines_params_from_config(struct mm_lines_params *p, const struct sim_run_config *cfg);
/* The machine.ipi_* and machine.tlb_flush_page keys, and the preset's
 * kernel version (which CPUs a flush reaches). */
void tlb_params_from_config(struct tlb_params *p, const struct sim_run_config *cfg);
void writeback_params_from_config(struct writeback_params *p, const struct sim_run_config *cfg);

#endif /* FAULTSIM_SIM_MODEL_KERNEL_PARAMS_H */
