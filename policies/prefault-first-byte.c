/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * prefault=first-byte: probe only the first byte of each chunk's source;
 * the rest is left to the atomic copy (a short copy then shrinks the
 * chunk to that first page and retries).  The baseline the 16-byte
 * probing was measured against.
 * Thread: "gfs2: fix mmap + page fault deadlocks" (Andreas Gruenbacher,
 * 2021).
 */
#include "config.h"

#include "policies/builtin.h"

static size_t first_byte_fault_in(struct write_iter *wi, uint64_t uaddr, size_t len)
{
	uint64_t first = MIN(len, PAGE_SIZE - (uaddr & (PAGE_SIZE - 1)));

	if (!write_fault_in_probe(wi, uaddr, 1, 1))
		return len;
	return len - first;
}

const struct fs_prefault_policy fs_prefault_first_byte = {
	.version = FS_PREFAULT_POLICY_VERSION,
	.name = "first-byte",
	.summary = "probe only the first byte of each chunk's source",
	.thread = "gfs2: fix mmap + page fault deadlocks (Andreas Gruenbacher, 2021)",
	.fault_in_readable = first_byte_fault_in,
	.prefault = true,
	.atomic_copy = true,
};
