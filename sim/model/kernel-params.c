/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel model's keys and their params structs (see kernel-params.h).
 */
#include "config.h"

#include "sim/model/kernel-params.h"

static const struct sim_key_def kernel_keys[] = {
	/* the fault path (sim/kernel/fault.h) */
	{ .name = "fault.entry", .type = SIM_KEY_TIME, .defval = "150ns",
	  .help = "fault: exception entry and exit" },
	{ .name = "fault.vma_lookup", .type = SIM_KEY_TIME, .defval = "50ns",
	  .help = "fault: find_vma() and the access check" },
	{ .name = "fault.alloc", .type = SIM_KEY_TIME, .defval = "100ns",
	  .help = "fault: page allocation (anonymous, copy-on-write)" },
	{ .name = "fault.zero", .type = SIM_KEY_TIME, .defval = "700ns",
	  .help = "fault: zeroing a new anonymous page" },
	{ .name = "fault.copy", .type = SIM_KEY_TIME, .defval = "500ns",
	  .help = "fault: copying a page (copy-on-write)" },
	{ .name = "fault.pte_install", .type = SIM_KEY_TIME, .defval = "100ns",
	  .help = "fault: finish_fault(), page-table lock, set_pte, rmap" },
	{ .name = "fault.filemap", .type = SIM_KEY_TIME, .defval = "150ns",
	  .help = "fault: filemap_fault() lookup and checks" },
	{ .name = "fault.map_page", .type = SIM_KEY_TIME, .defval = "40ns",
	  .help = "fault-around: per page mapped" },
	{ .name = "fault.swapin", .type = SIM_KEY_TIME, .defval = "300ns",
	  .help = "fault: do_swap_page() bookkeeping" },
	{ .name = "fault.touch", .type = SIM_KEY_TIME, .defval = "5ns",
	  .help = "an access through a present pte" },
	/* khugepaged (sim/kernel/khugepaged.h) */
	{ .name = "khugepaged.scan_sleep", .type = SIM_KEY_TIME, .defval = "100ms", .min = "1us",
	  .help = "khugepaged: sleep between passes (the kernel's default is 10 s)" },
	{ .name = "khugepaged.pages_to_scan", .type = SIM_KEY_UINT, .defval = "4096", .min = "512",
	  .max = "1048576", .help = "khugepaged: pages scanned per pass" },
	{ .name = "khugepaged.max_ptes_swap", .type = SIM_KEY_UINT, .defval = "64", .max = "512",
	  .help = "khugepaged: most swapped ptes in a range it collapses" },
	{ .name = "khugepaged.max_ptes_none", .type = SIM_KEY_UINT, .defval = "511", .max = "511",
	  .help = "khugepaged: most none ptes in a range it collapses" },
	{ .name = "khugepaged.min_young", .type = SIM_KEY_UINT, .defval = "256", .max = "512",
	  .help = "khugepaged: young ptes needed before swapping in" },
	{ .name = "khugepaged.scan_pte", .type = SIM_KEY_TIME, .defval = "5ns",
	  .help = "khugepaged: CPU time per pte scanned" },
	{ .name = "khugepaged.alloc_huge", .type = SIM_KEY_TIME, .defval = "2us",
	  .help = "khugepaged: allocating a huge page" },
	{ .name = "khugepaged.copy_page", .type = SIM_KEY_TIME, .defval = "250ns",
	  .help = "khugepaged: copying one small page into the huge page" },
	{ .name = "khugepaged.swapin", .type = SIM_KEY_TIME, .defval = "300ns",
	  .help = "khugepaged: bookkeeping per page swapped in" },
	{ .name = "khugepaged.pmd_seq_cost", .type = SIM_KEY_TIME, .defval = "20ns",
	  .help = "pmd-seq: the atomic every pmd_lock() pays on the pmd's count" },
	/* write(2) (sim/kernel/write.h) */
	{ .name = "write.syscall", .type = SIM_KEY_TIME, .defval = "1us",
	  .help = "write(2): entry and exit per call" },
	{ .name = "write.probe", .type = SIM_KEY_TIME, .defval = "1ns",
	  .help = "write(2): one probe of the user buffer while faulting it in" },
	{ .name = "write.copy_per_kib", .type = SIM_KEY_TIME, .defval = "680ns",
	  .help = "write(2): copying 1 KiB from the user buffer (680ns: ~1.5 GB/s)" },
	{ .name = "write.write_begin", .type = SIM_KEY_TIME, .defval = "1500ns",
	  .help = "write(2): write_begin (page lookup or allocation, lock)" },
	{ .name = "write.write_end", .type = SIM_KEY_TIME, .defval = "800ns",
	  .help = "write(2): write_end (dirtying, unlock)" },
};

void sim_kernel_register_keys(struct sim_keys *keys)
{
	sim_keys_add(keys, kernel_keys, G_N_ELEMENTS(kernel_keys));
}

void fault_params_from_config(struct fault_params *p, const struct sim_run_config *cfg)
{
	*p = (struct fault_params){
		.entry = sim_config_get_time(cfg, "fault.entry"),
		.vma_lookup = sim_config_get_time(cfg, "fault.vma_lookup"),
		.alloc = sim_config_get_time(cfg, "fault.alloc"),
		.zero = sim_config_get_time(cfg, "fault.zero"),
		.copy = sim_config_get_time(cfg, "fault.copy"),
		.pte_install = sim_config_get_time(cfg, "fault.pte_install"),
		.filemap = sim_config_get_time(cfg, "fault.filemap"),
		.map_page = sim_config_get_time(cfg, "fault.map_page"),
		.swapin = sim_config_get_time(cfg, "fault.swapin"),
		.touch = sim_config_get_time(cfg, "fault.touch"),
	};
}

void khugepaged_params_from_config(struct khugepaged_params *p,
				   const struct sim_run_config *cfg)
{
	*p = (struct khugepaged_params){
		.scan_sleep = sim_config_get_time(cfg, "khugepaged.scan_sleep"),
		.pages_to_scan = (unsigned int)sim_config_get_uint(cfg, "khugepaged.pages_to_scan"),
		.max_ptes_swap = (unsigned int)sim_config_get_uint(cfg, "khugepaged.max_ptes_swap"),
		.max_ptes_none = (unsigned int)sim_config_get_uint(cfg, "khugepaged.max_ptes_none"),
		.min_young = (unsigned int)sim_config_get_uint(cfg, "khugepaged.min_young"),
		.scan_pte = sim_config_get_time(cfg, "khugepaged.scan_pte"),
		.alloc_huge = sim_config_get_time(cfg, "khugepaged.alloc_huge"),
		.copy_page = sim_config_get_time(cfg, "khugepaged.copy_page"),
		.swapin = sim_config_get_time(cfg, "khugepaged.swapin"),
		.pmd_seq_cost = sim_config_get_time(cfg, "khugepaged.pmd_seq_cost"),
	};
}

void write_params_from_config(struct write_params *p, const struct sim_run_config *cfg)
{
	*p = (struct write_params){
		.syscall = sim_config_get_time(cfg, "write.syscall"),
		.probe = sim_config_get_time(cfg, "write.probe"),
		.copy_per_kib = sim_config_get_time(cfg, "write.copy_per_kib"),
		.write_begin = sim_config_get_time(cfg, "write.write_begin"),
		.write_end = sim_config_get_time(cfg, "write.write_end"),
	};
}
