/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the test programs share: the full key registry, paths to the
 * source tree's data (scenarios/, tests/scenarios/), and a whole run of a
 * scenario built as `faultsim run` builds it.
 */
#ifndef FAULTSIM_TESTS_RIG_H
#define FAULTSIM_TESTS_RIG_H

#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/config/keys.h"
#include "sim/model/model.h"
#include "sim/config/scenario.h"
#include "sim/core/stats.h"

/* Every model key, with the built-in policies. */
struct sim_keys *rig_all_keys(void);

/* A path under the source tree: $top_srcdir when make check sets it, else
 * the tree the tests were configured from (so a test binary also runs by
 * hand from the build root or from tests/).  @sub may be NULL. */
char *rig_srcdir_path(const char *dir, const char *sub);
/* scenarios/@name of the source tree. */
char *rig_scenario_path(const char *name);

/* Build run @runnumber of config @config (NULL: General) of the shipped
 * scenario @name with the NULL-terminated "key=value" @set, run it to its
 * sim-time-limit and finish it; returns its engine (statistics inside). */
struct sim_engine *rig_run_scenario(const char *name, const char *config, char **set,
				    guint runnumber);

#endif /* FAULTSIM_TESTS_RIG_H */
