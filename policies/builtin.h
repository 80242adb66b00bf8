/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The built-in policies: one small file per policy (policies/SLOT-NAME.c),
 * each an ops table of include/faultsim/plugin.h, written against the
 * public headers only (include/faultsim/), as a plugin is.  They reach the policy
 * registry through fs_builtin_policies_register(), the same kind of
 * registration function a plugin exports; the lists below serve the few
 * places that need a built-in without a registry (tests).
 */
#ifndef FAULTSIM_POLICIES_BUILTIN_H
#define FAULTSIM_POLICIES_BUILTIN_H

#include <faultsim/plugin.h>

extern const struct fs_rwsem_policy fs_rwsem_v4_19;
extern const struct fs_rwsem_policy fs_rwsem_v5_3;
extern const struct fs_rwsem_policy fs_rwsem_v5_4;
extern const struct fs_rwsem_policy fs_rwsem_v5_11;
extern const struct fs_rwsem_policy fs_rwsem_reader_pref;

extern const struct fs_page_lock_policy fs_page_lock_steal;
extern const struct fs_page_lock_policy fs_page_lock_fair;
extern const struct fs_page_lock_policy fs_page_lock_bounded_steal;

extern const struct fs_fault_retry_policy fs_fault_retry_once;
extern const struct fs_fault_retry_policy fs_fault_retry_first_drop;
extern const struct fs_fault_retry_policy fs_fault_retry_unlimited;
extern const struct fs_fault_io_policy fs_fault_io_hold;
extern const struct fs_fault_io_policy fs_fault_io_drop;
extern const struct fs_fault_map_pages_policy fs_fault_map_pages_trylock;
extern const struct fs_fault_map_pages_policy fs_fault_map_pages_lockless;
extern const struct fs_fault_map_pages_policy fs_fault_map_pages_off;
extern const struct fs_fault_lock_policy fs_fault_lock_mmap;
extern const struct fs_fault_lock_policy fs_fault_lock_per_vma_6_4;
extern const struct fs_fault_lock_policy fs_fault_lock_per_vma_6_6;
extern const struct fs_fault_lock_policy fs_fault_lock_per_vma;
extern const struct fs_fault_lock_policy fs_fault_lock_spf;
extern const struct fs_khugepaged_policy fs_khugepaged_swapin_write;
extern const struct fs_khugepaged_policy fs_khugepaged_swapin_read;
extern const struct fs_khugepaged_policy fs_khugepaged_pmd_seq;
extern const struct fs_prefault_policy fs_prefault_every_16b;
extern const struct fs_prefault_policy fs_prefault_per_page;
extern const struct fs_prefault_policy fs_prefault_first_byte;
extern const struct fs_prefault_policy fs_prefault_on_failure;
extern const struct fs_prefault_policy fs_prefault_none;
extern const struct fs_dirty_throttle_policy fs_dirty_throttle_hold;
extern const struct fs_dirty_throttle_policy fs_dirty_throttle_drop;

/* v5.3's operations, which v5.4 (= v5.3 + the handoff writer's spin)
 * uses too (policies/rwsem-v5.3.c). */
int rwsem_v5_3_down_read_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter);
int rwsem_v5_3_down_write_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter);
unsigned int rwsem_v5_3_wake_readers(struct rw_semaphore *sem);
bool rwsem_v5_3_handoff(const struct rw_semaphore *sem, const struct rwsem_waiter *waiter);
sim_time_t rwsem_v5_3_rspin_threshold(const struct rw_semaphore *sem);

/* Each slot's built-ins in listing order, NULL-terminated. */
extern const struct fs_rwsem_policy *const fs_builtin_rwsem_policies[];
extern const struct fs_page_lock_policy *const fs_builtin_page_lock_policies[];

/* Register every built-in policy, slot by slot, in listing order. */
gboolean fs_builtin_policies_register(struct fs_plugin_registrar *r, GError **error);

#endif /* FAULTSIM_POLICIES_BUILTIN_H */
