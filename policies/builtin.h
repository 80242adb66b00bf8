/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The built-in policies: one small file per policy (policies/SLOT-NAME.c),
 * each an ops table of include/faultsim/plugin.h.  They reach the policy
 * registry through fs_builtin_policies_register(), the same kind of
 * registration function a plugin exports; the lists below serve the few
 * places that need a built-in by name without a registry (rwsem_init()'s
 * default, page_lock_policy_init(), tests).
 */
#ifndef FAULTSIM_POLICIES_BUILTIN_H
#define FAULTSIM_POLICIES_BUILTIN_H

#include "include/faultsim/plugin.h"

extern const struct fs_rwsem_policy fs_rwsem_v4_19;
extern const struct fs_rwsem_policy fs_rwsem_v5_3;
extern const struct fs_rwsem_policy fs_rwsem_v5_11;
extern const struct fs_rwsem_policy fs_rwsem_reader_pref;

extern const struct fs_page_lock_policy fs_page_lock_steal;
extern const struct fs_page_lock_policy fs_page_lock_fair;
extern const struct fs_page_lock_policy fs_page_lock_bounded_steal;

/* Each slot's built-ins in listing order, NULL-terminated. */
extern const struct fs_rwsem_policy *const fs_builtin_rwsem_policies[];
extern const struct fs_page_lock_policy *const fs_builtin_page_lock_policies[];

/* Register every built-in policy, slot by slot, in listing order. */
gboolean fs_builtin_policies_register(struct fs_plugin_registrar *r, GError **error);

#endif /* FAULTSIM_POLICIES_BUILTIN_H */
