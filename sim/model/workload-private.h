/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The insides of the workload groups, shared by workload.c (the groups,
 * kind lock) and workload-file.c (kind file).
 */
#ifndef FAULTSIM_SIM_WORKLOAD_PRIVATE_H
#define FAULTSIM_SIM_WORKLOAD_PRIVATE_H

#include "sim/kernel/disk.h"
#include "sim/kernel/page.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/rwsem.h"
#include "sim/model/workload.h"

struct file_backing;
struct fault_group;
struct write_group;
struct mm_sys;

struct group {
	struct sim_workloads *w;
	char *name;
	uint64_t ops_per_thread;
	struct sim_dist *work, *hold, *think;
	gsl_rng *rng;
	struct sim_hist *latency;
	uint64_t *ops, *read_ops, *write_ops;
	double *throughput;

	/* kind lock */
	double write_fraction;

	/* kind file */
	struct address_space *mapping;
	struct file_backing *backing;
	pgoff_t file_pages;
	unsigned int read_pages;
	double lock_fraction;
	struct sim_dist *pattern;	/* NULL: sequential */
	void *file_threads;		/* struct file_thread[threads] */
	uint64_t *errors;

	/* kind fault (workload-fault.c) */
	struct fault_group *fault;

	/* kind write (workload-write.c) */
	struct write_group *write;
};

struct sim_workloads {
	struct sim_engine *eng;
	struct sim_cpus *cpus;
	struct sim_disk *disk;
	struct rw_semaphore mmap_sem;
	struct page_cache *pc;		/* created by the first file group */
	struct mm_sys *mm_sys;		/* created by the first fault group */
	uint64_t next_file_base;	/* where the next file starts on the disk */
	GPtrArray *groups;
	sim_time_t start;
};

/* "workload.NAME.WHAT"; g_free() it. */
char *group_key(const char *name, const char *what);
/* The group's file of @bytes on its own extent of the disk (needs the page
 * cache: workloads_page_cache() first). */
gboolean group_file_create(struct group *g, uint64_t bytes, GError **error);
/* Create the page cache of memory.* and the page_lock policy, once. */
gboolean workloads_page_cache(struct sim_workloads *w, const struct sim_run_config *cfg,
			      GError **error);
/* workload-file.c */
gboolean file_group_start(struct group *g, const struct sim_run_config *cfg,
			  uint64_t threads, GError **error);
void file_group_free(struct group *g);
/* workload-fault.c */
void fault_workload_register_keys(struct sim_keys *keys);
gboolean fault_group_start(struct group *g, const struct sim_run_config *cfg,
			   uint64_t threads, GError **error);
void fault_group_free(struct group *g);
/* workload-write.c */
void write_workload_register_keys(struct sim_keys *keys);
gboolean write_group_start(struct group *g, const struct sim_run_config *cfg,
			   uint64_t threads, GError **error);
void write_group_free(struct group *g);

#endif /* FAULTSIM_SIM_WORKLOAD_PRIVATE_H */
