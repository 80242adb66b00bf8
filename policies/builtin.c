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
	&fs_rwsem_v5_4,
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

/* The fault path's slots (faultsim/fault.h), registered in this order. */
static gboolean fault_policies_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_fault_retry_policy(r, &fs_fault_retry_once, error) &&
	       fs_register_fault_retry_policy(r, &fs_fault_retry_first_drop, error) &&
	       fs_register_fault_retry_policy(r, &fs_fault_retry_unlimited, error) &&
	       fs_register_fault_io_policy(r, &fs_fault_io_hold, error) &&
	       fs_register_fault_io_policy(r, &fs_fault_io_drop, error) &&
	       fs_register_fault_map_pages_policy(r, &fs_fault_map_pages_trylock, error) &&
	       fs_register_fault_map_pages_policy(r, &fs_fault_map_pages_lockless, error) &&
	       fs_register_fault_map_pages_policy(r, &fs_fault_map_pages_off, error) &&
	       fs_register_fault_lock_policy(r, &fs_fault_lock_mmap, error) &&
	       fs_register_fault_lock_policy(r, &fs_fault_lock_per_vma, error) &&
	       fs_register_fault_lock_policy(r, &fs_fault_lock_per_vma_6_4, error) &&
	       fs_register_fault_lock_policy(r, &fs_fault_lock_per_vma_6_6, error) &&
	       fs_register_fault_lock_policy(r, &fs_fault_lock_spf, error);
}

/* khugepaged (faultsim/khugepaged.h), write(2)'s prefault (faultsim/write.h)
 * and the write fault's dirty throttling (faultsim/fault.h). */
static gboolean write_policies_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_khugepaged_policy(r, &fs_khugepaged_swapin_write, error) &&
	       fs_register_khugepaged_policy(r, &fs_khugepaged_swapin_read, error) &&
	       fs_register_khugepaged_policy(r, &fs_khugepaged_pmd_seq, error) &&
	       fs_register_prefault_policy(r, &fs_prefault_every_16b, error) &&
	       fs_register_prefault_policy(r, &fs_prefault_per_page, error) &&
	       fs_register_prefault_policy(r, &fs_prefault_first_byte, error) &&
	       fs_register_prefault_policy(r, &fs_prefault_on_failure, error) &&
	       fs_register_prefault_policy(r, &fs_prefault_none, error) &&
	       fs_register_dirty_throttle_policy(r, &fs_dirty_throttle_hold, error) &&
	       fs_register_dirty_throttle_policy(r, &fs_dirty_throttle_drop, error);
}

gboolean fs_builtin_policies_register(struct fs_plugin_registrar *r, GError **error)
{
	for (const struct fs_rwsem_policy *const *p = fs_builtin_rwsem_policies; *p; p++)
		if (!fs_register_rwsem_policy(r, *p, error))
			return FALSE;
	for (const struct fs_page_lock_policy *const *p = fs_builtin_page_lock_policies; *p; p++)
		if (!fs_register_page_lock_policy(r, *p, error))
			return FALSE;
	return fault_policies_register(r, error) && write_policies_register(r, error);
}
