/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault_lock mmap: the classic fault path, every fault under mmap_sem.
 *
 * Thread it models: none, the baseline every kernel before 6.4 has (and
 * later ones for VMAs without per-VMA locking): do_user_addr_fault()
 * takes mmap_read_lock() and finds the VMA under it.
 */
#include "config.h"

#include "policies/builtin.h"

const struct fs_fault_lock_policy fs_fault_lock_mmap = {
	.version = FS_FAULT_LOCK_POLICY_VERSION,
	.name = "mmap",
	.summary = "classic: every fault takes mmap_sem for read",
	.thread = "arch/x86/mm/fault.c do_user_addr_fault() (before 6.4)",
	.lock_vma = NULL,
};
