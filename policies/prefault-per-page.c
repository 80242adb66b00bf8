/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * prefault=per-page: fault_in_readable() as of 5.16 (and
 * fault_in_pages_readable() before it): one probe per page of each chunk's
 * source before write_begin, then a copy with page faults disabled.
 * Thread: "gfs2: fix mmap + page fault deadlocks" (Andreas Gruenbacher,
 * 2021; fault_in_readable() returning the bytes not faulted in, 5.16).
 */
#include "config.h"

#include "policies/builtin.h"

static size_t per_page_fault_in(struct write_iter *wi, uint64_t uaddr, size_t len)
{
	uint64_t end = uaddr + len;

	for (uint64_t a = uaddr; a < end; a = (a | (PAGE_SIZE - 1)) + 1)
		if (!write_fault_in_probe(wi, a, 1, 1))
			return end - a;
	return 0;
}

const struct fs_prefault_policy fs_prefault_per_page = {
	.version = FS_PREFAULT_POLICY_VERSION,
	.name = "per-page",
	.summary = "probe one byte per page before each chunk (5.16 fault_in_readable)",
	.thread = "gfs2: fix mmap + page fault deadlocks (Andreas Gruenbacher, 2021; "
		  "fault_in_readable(), 5.16)",
	.fault_in_readable = per_page_fault_in,
	.prefault = true,
	.atomic_copy = true,
};
