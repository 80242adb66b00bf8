/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the test programs share: the full key registry, paths to the
 * source tree's data (scenarios/, tests/scenarios/), a whole run of a
 * scenario built as `faultsim run` builds it, and a small machine built by
 * hand for the kernel model's tests.
 */
#ifndef FAULTSIM_TESTS_RIG_H
#define FAULTSIM_TESTS_RIG_H

#include "sim/core/engine.h"
#include "sim/core/histogram.h"
#include "sim/config/keys.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/disk.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/readahead.h"
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

/* A new temporary directory named from @prefix ("faultsim-report"); an
 * assertion when it cannot be made.  rig_tmpdir_free() removes it, the
 * files in it, and frees @dir. */
char *rig_tmpdir_new(const char *prefix);
void rig_tmpdir_free(char *dir);

/* Build run @runnumber of config @config (NULL: General) of the shipped
 * scenario @name with the NULL-terminated "key=value" @set, run it to its
 * sim-time-limit and finish it; returns its engine (statistics inside). */
struct sim_engine *rig_run_scenario(const char *name, const char *config, char **set,
				    guint runnumber);

/*
 * A machine built by hand, without a scenario: an engine, the CPUs
 * (default parameters), an SSD, a page cache whose page lock is
 * bounded-steal, one file ("file") at byte 0 of the disk, one mm ("mm",
 * mmap_sem v5.11) with the mappings asked for, and the fault path with
 * the policies asked for (default costs).  Things are made in that order,
 * always: the tests' trajectories depend on it.
 */
struct rig_map {
	uint64_t start;		/* first page */
	uint64_t pages;		/* 0 ends the list */
	bool file;		/* the rig's file from its page 0, shared; else anonymous */
};

#define RIG_MAX_MAPS 4

struct rig_params {
	uint64_t seed;
	uint64_t mem_pages;		/* of the page cache */
	pgoff_t file_pages;
	uint64_t task_size;		/* pages of the mm's space */
	struct rig_map maps[RIG_MAX_MAPS];	/* read and write, in this order */
	const struct fs_fault_retry_policy *retry;
	const struct fs_fault_io_policy *io;
	const struct fs_fault_map_pages_policy *map_pages;
	const struct fs_fault_lock_policy *fault_lock;
};

struct rig {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	struct sim_disk *disk;
	struct page_cache *pc;
	struct mm_sys *sys;
	struct address_space *file;
	struct file_backing *fb;
	struct mm_struct *mm;
	struct fault_sys fs;
};

void rig_init(struct rig *r, const struct rig_params *p);
void rig_free(struct rig *r);
/* Counter @name of module @module of the rig's engine. */
uint64_t rig_counter(const struct rig *r, const char *module, const char *name);

#endif /* FAULTSIM_TESTS_RIG_H */
