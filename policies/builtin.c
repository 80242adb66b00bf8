/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The built-in policies, registered as a plugin registers its own (see
 * builtin.h).  The order of each list is the order of `faultsim list
 * policies` and of the accepted values in messages.
 */
#include "config.h"

#include "policies/builtin.h"

const struct fs_rwsem_policy *const fs_builtin_rwsem_policies[] = {
	&fs_rwsem_v4_19,
	&fs_rwsem_v5_3,
	&fs_rwsem_v5_11,
	&fs_rwsem_reader_pref,
	NULL,
};

const struct fs_page_lock_policy *const fs_builtin_page_lock_policies[] = {
	&fs_page_lock_steal,
	&fs_page_lock_fair,
	&fs_page_lock_bounded_steal,
	NULL,
};

gboolean fs_builtin_policies_register(struct fs_plugin_registrar *r, GError **error)
{
	for (const struct fs_rwsem_policy *const *p = fs_builtin_rwsem_policies; *p; p++)
		if (!fs_register_rwsem_policy(r, *p, error))
			return FALSE;
	for (const struct fs_page_lock_policy *const *p = fs_builtin_page_lock_policies; *p; p++)
		if (!fs_register_page_lock_policy(r, *p, error))
			return FALSE;
	return TRUE;
}
