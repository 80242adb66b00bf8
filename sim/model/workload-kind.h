/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a workload kind is written with: its ops table, the common part of
 * a group, and what the kinds share (workload-kind.c).  Each kind is one
 * file:
 *
 *	workload-lock.c    lock    mmap_sem readers and writers
 *	workload-file.c    file    read(2) through the page cache
 *	workload-fault.c   fault   page faults, mmap_sem writers, /proc readers
 *	workload-write.c   write   write(2) from a user buffer (dd)
 *
 * workload.c keeps the table of kinds, their keys and a run's groups: it
 * uses the kinds, which use only this.
 */
#ifndef FAULTSIM_SIM_WORKLOAD_KIND_H
#define FAULTSIM_SIM_WORKLOAD_KIND_H

#include "sim/core/histogram.h"
#include "sim/kernel/page.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/readahead.h"
#include "sim/kernel/rwsem.h"
#include "sim/model/machine.h"

struct group;

/*
 * A kind of workload group (workload.NAME.kind).  Its keys are those
 * every group has (kind, threads), the @shared ones it reads (some of the
 * workload_key_* below) and its own @keys, all "workload.*.WHAT".  A
 * scenario that sets a key of another kind on a group is refused before
 * anything runs.
 */
struct workload_kind {
	const char *name;
	/* What one operation of its threads is, for the units and
	 * descriptions of the group's "ops", "latency" and "throughput":
	 * @op_unit the plural noun ("touches"), @op_what one line
	 * ("a thread's access to one page, faulting or not"). */
	const char *op_unit;
	const char *op_what;
	const struct sim_key_def *const *shared;	/* NULL-terminated */
	const struct sim_key_def *keys;			/* its own */
	size_t nr_keys;
	/* The parts of the machine its groups use (enum sim_machine_part):
	 * the run makes them, if it has not yet, before starting the group. */
	unsigned int machine;
	/* Read the group's keys, set g->priv up and spawn the threads.  On
	 * failure the group is freed (->free) with the rest. */
	gboolean (*start)(struct group *g, const struct sim_run_config *cfg, GError **error);
	/* End-of-run scalars besides the common ones; may be NULL. */
	void (*finish)(struct group *g);
	/* The tasks group @name of @cfg spawns, for the check before
	 * anything is built; NULL: workload.NAME.threads. */
	uint64_t (*nr_tasks)(const char *name, const struct sim_run_config *cfg);
	/* Free g->priv (which may be NULL, or half made). */
	void (*free)(struct group *g);
};

extern const struct workload_kind workload_lock;
extern const struct workload_kind workload_file;
extern const struct workload_kind workload_fault;
extern const struct workload_kind workload_write;

/* Keys several kinds read (see their help for which, `faultsim list keys`
 * for the kinds). */
extern const struct sim_key_def workload_key_write_fraction;
extern const struct sim_key_def workload_key_work;
extern const struct sim_key_def workload_key_hold;
extern const struct sim_key_def workload_key_think;
extern const struct sim_key_def workload_key_ops;
extern const struct sim_key_def workload_key_file_size;
extern const struct sim_key_def workload_key_max_folio;
extern const struct sim_key_def workload_key_pattern;
extern const struct sim_key_def workload_key_cgroup;	/* kinds with a file */

/*
 * A group: what every kind has.  Per group (module = NAME): histogram
 * "latency" and counters "ops", "readOps", "writeOps", as each kind
 * counts an operation; scalar "throughput" (operations per simulated
 * second since the end of the warm-up) at the end, in the kind's
 * op_unit per second ("touches/s" for a fault group).
 */
struct group {
	struct sim_workloads *w;
	const struct workload_kind *kind;
	char *name;
	uint64_t threads;			/* workload.NAME.threads */
	uint64_t *cpus;				/* workload.NAME.cpus; NULL: all */
	unsigned int nr_cpus;			/* CPUs in it (the machine's if all) */
	bool pin_spread;			/* workload.NAME.pin = spread */
	uint64_t nr_spawned;			/* threads spawned (pin = spread) */
	gsl_rng *rng;				/* stream "workload.NAME" */
	struct sim_hist *latency;
	uint64_t *ops, *read_ops, *write_ops;
	double *throughput;
	void *priv;				/* the kind's */
};

struct sim_workloads {
	struct sim_engine *eng;
	struct sim_machine *machine;
	/* The process the lock groups' threads share (kind lock). */
	struct rw_semaphore mmap_sem;
	GPtrArray *groups;
	sim_time_t start;
};

/* "workload.NAME.WHAT"; g_free() it. */
char *group_key(const char *name, const char *what);
/* The group's value of workload.NAME.@what. */
uint64_t group_uint(const struct group *g, const struct sim_run_config *cfg, const char *what);
double group_double(const struct group *g, const struct sim_run_config *cfg, const char *what);
gboolean group_bool(const struct group *g, const struct sim_run_config *cfg, const char *what);
sim_time_t group_time(const struct group *g, const struct sim_run_config *cfg, const char *what);
uint64_t group_size(const struct group *g, const struct sim_run_config *cfg, const char *what);
guint group_enum(const struct group *g, const struct sim_run_config *cfg, const char *what);
/* A new distribution, NULL if unset without a default. */
struct sim_dist *group_dist(const struct group *g, const struct sim_run_config *cfg,
			    const char *what);

/* Spawn thread @name of the group running @fn(@arg) on the CPUs; a
 * daemon's end is not waited for (nor is it a deadlock to block forever).
 * A thread (not a daemon) runs on the group's CPUs (workload.NAME.cpus),
 * with pin = spread the n-th spawned on the (n mod CPUs)-th of them only;
 * a daemon (a writer, a reader, a locker) on the group's CPUs. */
struct sim_task *group_spawn(struct group *g, const char *name, sim_task_fn *fn, void *arg,
			     bool daemon);
/* The same on the CPUs of @mask (sim_cpus_attach_mask(); NULL: the
 * group's). */
struct sim_task *group_spawn_on(struct group *g, const char *name, sim_task_fn *fn, void *arg,
				bool daemon, const uint64_t *mask);
/* check_run of a CPU-list key (workload.NAME.cpus, writer_cpus,
 * proc_cpus): empty, or a list sim_cpulist_parse() takes within
 * machine.cpus. */
gboolean workload_cpulist_check(const struct sim_key_def *def, const struct sim_run_config *cfg,
				const char *key, GError **error);
/* The CPU list of key workload.NAME.@what for @g: NULL if empty (or
 * wrong: the scenario check refused it already). */
uint64_t *group_cpulist(const struct group *g, const struct sim_run_config *cfg,
			const char *what, unsigned int *nr_set);

/* A group's file: an address space of the page cache on its own extent of
 * the disk. */
struct group_file {
	struct address_space *mapping;
	struct file_backing *backing;
	pgoff_t pages;
};

/* Make @f of @bytes for @g (the machine's page cache must exist). */
/* workload.NAME.max_folio onto @f's mapping (pc_mapping_set_max_folio()). */
gboolean group_file_max_folio(struct group *g, const struct sim_run_config *cfg,
			      struct group_file *f, GError **error);
gboolean group_file_create(struct group *g, struct group_file *f, uint64_t bytes,
			   GError **error);
/* Free its backing; the page cache frees the address space. */
void group_file_free(struct group_file *f);

#endif /* FAULTSIM_SIM_WORKLOAD_KIND_H */
