/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * map_pages off: no fault-around (fault_around_bytes = PAGE_SIZE).
 *
 * Thread it models: the baseline of "mm: introduce vm_ops->map_pages()"
 * (Kirill A. Shutemov, 2014, 8c6e50b0290c): every file fault goes
 * through ->fault for its one page.
 */
#include "config.h"

#include "policies/builtin.h"

const struct fs_fault_map_pages_policy fs_fault_map_pages_off = {
	.version = FS_FAULT_MAP_PAGES_POLICY_VERSION,
	.name = "off",
	.summary = "no fault-around: every file fault runs ->fault",
	.thread = "before \"mm: introduce vm_ops->map_pages()\", Kirill A. Shutemov, 2014",
	.map_pages = NULL,
};
