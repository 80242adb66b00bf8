/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dirty_throttle hold: fault_dirty_shared_page() before Linux 5.5 (4.19,
 * 5.4.0 to 5.4.8): balance_dirty_pages_ratelimited() runs with mmap_sem
 * (or, under per-VMA locks, the VMA lock) held, so a write fault that the
 * dirty limits put to sleep keeps every mmap_sem writer of the process
 * waiting, and every reader queued behind that writer (ps, top reading
 * /proc/PID/cmdline): the priority inversion that 89b15332af7c reports.
 *
 * Thread it models: the code that "mm: drop mmap_sem before calling
 * balance_dirty_pages() in write fault" (Johannes Weiner, 2019-09-24)
 * changed.
 */
#include "config.h"

#include "policies/builtin.h"

static vm_fault_t dirty_throttle_hold(struct vm_fault *vmf)
{
	fault_balance_dirty_pages(vmf);
	return 0;
}

const struct fs_dirty_throttle_policy fs_dirty_throttle_hold = {
	.version = FS_DIRTY_THROTTLE_POLICY_VERSION,
	.name = "hold",
	.summary = "write faults sleep in balance_dirty_pages() holding mmap_sem (<= 5.4.8)",
	.thread = "before 89b15332af7c (Johannes Weiner, 2019)",
	.throttle = dirty_throttle_hold,
};
