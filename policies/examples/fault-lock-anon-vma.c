/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An out-of-tree fault_lock policy: per-VMA locks for anonymous VMAs
 * only, as Linux 6.4 merged them.
 *
 * What it changes.  The built-in `per-vma` tries the VMA lock for every
 * VMA, as later kernels do for file mappings too.  The first version
 * merged ("Per-VMA locks", Suren Baghdasaryan, 6.4) handled anonymous
 * VMAs only: lock_vma_under_rcu() gave up on a file VMA before taking its
 * lock (counted as VMA_LOCK_ABORT), and the fault went on under mmap_sem
 * as before.  This policy does that: it looks the VMA up without locks
 * and takes its read lock only if it is anonymous.
 *
 * Why try it.  To see what extending per-VMA locking to file-backed
 * faults was worth on a workload that mixes them with mmap_sem writers
 * (mmap, munmap, mprotect): the file faults of this policy still queue
 * behind the writers on mmap_sem (fault.mmapLockLatency), those of
 * `per-vma` do not (fault.vmaLockLatency).
 *
 * Build and use:
 *
 *	cc -shared -fPIC -o fault-lock-anon-vma.so fault-lock-anon-vma.c \
 *		$(pkg-config --cflags --libs faultsim)
 *	faultsim run --plugin ./fault-lock-anon-vma.so \
 *		--set 'policy.fault_lock=${lock=per-vma,per-vma-anon}' \
 *		scenarios/exp1-drop-mmap-sem.ini
 */
#include <faultsim/plugin.h>

const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;

static struct vm_area_struct *anon_vma_lock_vma(struct fault_sys *fs, struct sim_task *t,
						struct mm_struct *mm, uint64_t addr)
{
	/* The lookup under RCU: nothing blocks before the trylock, so the
	 * VMA found is the one lock_vma_under_rcu() finds. */
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	if (vma && !vma_is_anonymous(vma)) {
		count_fault_event(fs, VMA_LOCK_ABORT);
		return NULL;
	}
	vma = lock_vma_under_rcu(t, mm, addr);
	if (!vma)
		count_fault_event(fs, VMA_LOCK_ABORT);
	return vma;
}

static const struct fs_fault_lock_policy fault_lock_anon_vma = {
	.version = FS_FAULT_LOCK_POLICY_VERSION,
	.name = "per-vma-anon",
	.summary = "example plugin: 6.4's per-VMA locks, anonymous VMAs only; file faults "
		   "take mmap_sem",
	.thread = "Per-VMA locks, Suren Baghdasaryan, 2023 (as merged for 6.4: "
		  "lock_vma_under_rcu() refuses file VMAs)",
	.lock_vma = anon_vma_lock_vma,
	.speculative_fault = NULL,
	/* What runs under the VMA lock once taken (faultsim/fault.h); 6.4
	 * also sent swap faults to mmap_sem, which this example leaves
	 * under the VMA lock (the built-in per-vma-6.4 does not). */
	.vma_lock_covers = VMA_LOCK_ANON | VMA_LOCK_SWAP,
	.major_retry_tried = false,
};

gboolean faultsim_plugin_register(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_fault_lock_policy(r, &fault_lock_anon_vma, error);
}
