/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine of one run: what every workload group shares.  The run
 * (sim/model/model.c) makes it from its keys:
 *
 *	cpus        machine.cpus, .slice, .context_switch, .wakeup_latency
 *	disk        disk.* (a profile, and the keys that override it)
 *	page cache  memory.limit, .kswapd, .scan_cost and the page_lock
 *	            policy; kswapd competes for the CPUs; with it the
 *	            writeback (dirty limits and flusher, vm.*)
 *	mm system   the system of the processes' address spaces, with a swap
 *	            area of memory.swap on the disk (0: none)
 *	cache lines what moving a lock word's line between CPUs costs
 *	            (machine.cacheline_transfer)
 *
 * The CPUs and the disk exist in every run.  The page cache, the mm system
 * and the cache-line cost exist only in a run whose workload kinds use them
 * (struct workload_kind.machine): a run of lock groups has no kswapd and
 * no reclaim statistics.  They are made when the first group that needs
 * them is started, so that what runs before them (its threads, kswapd's
 * place among the tasks) and where each file and swap area lies on the
 * disk follow the order of the groups in the scenario.
 *
 * The disk is laid out in extents, one after the other in the order they
 * are asked for: each group's file, and the swap area.
 */
#ifndef FAULTSIM_SIM_MODEL_MACHINE_H
#define FAULTSIM_SIM_MODEL_MACHINE_H

#include "sim/config/keys.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/kernel/cacheline.h"
#include "sim/kernel/cpu.h"
#include "sim/kernel/disk.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/mm-lines.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/tlb.h"
#include "sim/kernel/writeback.h"

/* Parts of the machine made on demand. */
enum sim_machine_part {
	SIM_MACHINE_PAGE_CACHE	= 1u << 0,
	SIM_MACHINE_MM		= 1u << 1,	/* implies the page cache */
	SIM_MACHINE_CACHELINES	= 1u << 2,
};

struct sim_machine {
	struct sim_engine *eng;
	const struct sim_run_config *cfg;
	struct sim_cpus *cpus;
	struct sim_disk *disk;
	struct page_cache *pc;			/* SIM_MACHINE_PAGE_CACHE */
	struct bdi_writeback *wb;		/* with the page cache: vm.* */
	struct mm_sys *mm_sys;			/* SIM_MACHINE_MM */
	struct sim_cacheline_cost *line_cost;	/* SIM_MACHINE_CACHELINES */
	struct mm_lines *lines;			/* MM and CACHELINES: a fault's */
	struct tlb_sys *tlb;			/* MM: TLB shootdowns; NULL: none */
	uint64_t disk_next;			/* where the next extent starts */
	GHashTable *blkcgs;			/* name -> struct sim_blkcg (the disk's) */
};

/* Register the machine.*, disk.* and memory.* keys. */
void sim_machine_register_keys(struct sim_keys *keys);
/* Make @m's CPUs and disk for run @cfg on @eng.  Fails (SIM_ERROR) on
 * settings that are valid one by one but not together; then
 * sim_machine_destroy() what was made. */
gboolean sim_machine_init(struct sim_machine *m, struct sim_engine *eng,
			  const struct sim_run_config *cfg, GError **error);
/* Make the @parts (enum sim_machine_part) @m does not have yet. */
gboolean sim_machine_provide(struct sim_machine *m, unsigned int parts, GError **error);
/* The disk's block cgroup @name (cgroup.NAME.* keys), made on first use;
 * NULL for the root ("", "/" or "root"), which has no limits. */
struct sim_blkcg *sim_machine_blkcg(struct sim_machine *m, const char *name);
/* check_run of a key naming a block cgroup: empty, "/", "root" or one name
 * segment (letters, digits, '_', '-'), since it becomes cgroup.NAME.* keys. */
gboolean sim_blkcg_name_check(const struct sim_key_def *def, const struct sim_run_config *cfg,
			      const char *key, GError **error);
/* The next @bytes of the disk: their offset. */
uint64_t sim_machine_disk_extent(struct sim_machine *m, uint64_t bytes);
/* The mean service time of a request of @bytes on the disk as configured
 * (the ssd profile: setup latency and transfer), for load.disk.utilization;
 * FALSE with an error for a profile whose service time depends on seeks. */
gboolean sim_machine_disk_service(const struct sim_machine *m, uint64_t bytes, double *mean,
				  GError **error);
/* Free the page cache and the mm system, after every user of them (the
 * groups' mms and files); the CPUs and the disk stay. */
void sim_machine_free_memory(struct sim_machine *m);
/* Free the rest, after sim_machine_free_memory() and the loads. */
void sim_machine_destroy(struct sim_machine *m);

#endif /* FAULTSIM_SIM_MODEL_MACHINE_H */
