/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * retry first-drop: the fault retry rule since Linux 5.7, with 5.9's
 * fault accounting.
 *
 * Thread it models: "mm: allow VM_FAULT_RETRY for multiple times", Peter
 * Xu, 2019 (v3 onwards; merged for 5.7 as 4064b9827063).  The arch
 * handlers keep FAULT_FLAG_ALLOW_RETRY on a retry and add
 * FAULT_FLAG_TRIED, so a fault may retry any number of times; to answer
 * the starvation objection raised in the thread, only the first attempt
 * (fault_flag_allow_retry_first()) may release mmap_sem to wait:
 * __lock_page_or_retry() and maybe_unlock_mmap_for_io() test that, and a
 * later attempt takes the page lock and waits for I/O holding mmap_sem.
 *
 * Checked against the merged patch ("[PATCH RESEND v6 13/16] mm: Allow
 * VM_FAULT_RETRY for multiple times", Feb 2020): it changes both
 * __lock_page_or_retry() (mm/filemap.c) and maybe_unlock_mmap_for_io()
 * (mm/internal.h) from testing ALLOW_RETRY to
 * fault_flag_allow_retry_first(), so neither the page-lock wait nor the
 * I/O waits of filemap_fault() (sync/async readahead, readpage,
 * lock_page_maybe_drop_mmap()) drop mmap_sem on a later attempt; and
 * x86's do_user_addr_fault() just stops clearing ALLOW_RETRY at its
 * retry: label.  So on the paths modelled here (filemap_fault,
 * do_swap_page) an attempt after the first never returns VM_FAULT_RETRY.
 * Under mmap_sem alone a fault therefore drops and retries at most once,
 * exactly as with `once`: the two policies follow the same trajectories
 * (experiment 2); only the accounting below differs.  What the extra
 * retries are for in the kernel is handle_userfault(), which tests
 * ALLOW_RETRY only and so drops and retries on every attempt
 * (userfaultfd write-protect), and fatal signals with
 * FAULT_FLAG_KILLABLE: neither is modelled.
 *
 * Per-VMA locks (6.4+) add a first attempt: the VMA-lock attempt carries
 * no FAULT_FLAG_TRIED, so it may drop (from 6.6, where it can wait:
 * __folio_lock_or_retry() releases the VMA lock), and the mmap_sem
 * attempt after it carries TRIED only from 6.8 and only if the VMA-lock
 * attempt was major (46e714c729c8; the fault_lock policy's
 * major_retry_tried).  So with per-vma-6.6, or with per-vma after a
 * minor VMA-lock attempt, a fault can drop twice: once under the VMA
 * lock, once under mmap_sem.  "At most once" holds for mmap-only kernels.
 *
 * Accounting: "mm: do page fault accounting in handle_mm_fault" (Peter
 * Xu, 2020, bce617edecad, 5.9) counts a fault once, when its final
 * attempt completes, as major if that attempt returned VM_FAULT_MAJOR or
 * carries FAULT_FLAG_TRIED (mm_account_fault()): every retried fault is
 * major, even one that only waited for a page lock on a cached page.
 * This policy does that (mm_account_fault), as the presets that use it
 * (linux-5.10 onwards) do; 5.7 and 5.8 still counted as x86 had (major if
 * any attempt returned VM_FAULT_MAJOR, as `once`), which no preset is.
 */
#include "config.h"

#include "policies/builtin.h"

static unsigned int retry_first_drop_flags(const struct fs_fault_retry_state *st)
{
	return st->flags | FAULT_FLAG_TRIED;
}

static bool retry_first_drop_may_drop(const struct fs_fault_retry_state *st)
{
	return fault_flag_allow_retry_first(st->flags);
}

const struct fs_fault_retry_policy fs_fault_retry_first_drop = {
	.version = FS_FAULT_RETRY_POLICY_VERSION,
	.name = "first-drop",
	.summary = "5.7+ (4064b9827063): retries unlimited, only the first attempt "
		   "drops mmap_sem; 5.9 accounting: a retried fault is major",
	.thread = "\"mm: allow VM_FAULT_RETRY for multiple times\", Peter Xu, 2019, "
		  "4064b9827063",
	.retry_flags = retry_first_drop_flags,
	.may_drop = retry_first_drop_may_drop,
	.mm_account_fault = true,
};
