/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Vectors: time series of the machine's state, sampled every
 * record.interval of simulated time (0, the default: none), the series
 * record.vectors names ("all" by default).  Each is a vector of the run's
 * statistics (sim_stats_vector_unit()), which the results database writes
 * into OMNeT++'s vector, vectorAttr and vectorData tables.
 *
 * Sampling never changes the trajectory: the engine calls the recorder as
 * its clock passes each boundary k x interval (sim_engine_set_sampler()),
 * no event is scheduled and nothing is drawn, so a run with vectors has
 * the fingerprint, events and statistics of the same run without.
 *
 * Series (vectorName, moduleName, unit, interpolation mode):
 *
 *	runQueue		cpu		tasks	sample-hold
 *	diskQueue		DISK		requests sample-hold
 *	mmapSemWaiters		PROCESS		tasks	sample-hold
 *	vmaLockWaiters		PROCESS		tasks	sample-hold
 *	faultsPerInterval	fault		faults	backward-sample-hold
 *	majorFaultsPerInterval	fault		faults	backward-sample-hold
 *	dirtyPages		memory		pages	sample-hold
 *	freePages		memory		pages	sample-hold
 *	cachePages		memory		pages	sample-hold
 *
 * A level (sample-hold) is the state just before the boundary: every
 * step before it taken, none at or after it.  A count per interval
 * (backward-sample-hold) is what happened in the interval that ends at
 * the sample, [previous boundary, boundary).  The last sample, at the end
 * of the run, includes the steps at that very time.  A series whose part
 * of the machine the run does not have (no page cache in a run of lock
 * groups, no fault counters without a fault group, no vmaLockWaiters in
 * a kernel without per-VMA locks) is not recorded.
 *
 * Samples start after warmup-period: the first boundary is the first
 * multiple of the interval past it.  A vector holds at most
 * SIM_RECORD_MAX_SAMPLES samples (record.interval is refused, naming the
 * limit, when (sim-time-limit - warmup-period) / interval is more) and a
 * run at most SIM_RECORD_MAX_VALUES samples over all its vectors (the run
 * is refused when it is built).
 */
#ifndef FAULTSIM_SIM_MODEL_RECORD_H
#define FAULTSIM_SIM_MODEL_RECORD_H

#include "sim/config/keys.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"

#define SIM_RECORD_MAX_SAMPLES	100000
#define SIM_RECORD_MAX_VALUES	4000000

struct sim_machine;
struct sim_workloads;
struct sim_record;

/* Register record.interval and record.vectors. */
void sim_record_register_keys(struct sim_keys *keys);
/* The names record.vectors accepts besides "all", NULL-terminated. */
extern const char *const sim_record_series_names[];

/* Start recording the series of @cfg on the machine and groups of a built
 * run; NULL (and no error) when record.interval is 0. */
struct sim_record *sim_record_start(struct sim_engine *eng, struct sim_machine *m,
				    struct sim_workloads *w, const struct sim_run_config *cfg,
				    GError **error);
/* The end of the warm-up (the statistics, vectors included, were just
 * reset): counts per interval start again from here. */
void sim_record_reset(struct sim_record *r);
/* The end of the run: the samples of the boundaries up to sim_now(). */
void sim_record_finish(struct sim_record *r);
void sim_record_free(struct sim_record *r);

#endif /* FAULTSIM_SIM_MODEL_RECORD_H */
