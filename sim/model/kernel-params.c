/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel model's keys and their params structs (see kernel-params.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "sim/model/kernel-params.h"
#include "sim/model/policy.h"

static const char *const rss_stats[] = { "auto", "task-cache", "percpu", NULL };

static const struct sim_key_def kernel_keys[] = {
	/* the fault path (sim/kernel/fault.h) */
	{ .name = "fault.entry", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "150ns",
	  .help = "fault: exception entry and exit" },
	{ .name = "fault.vma_lookup", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "50ns",
	  .help = "fault: find_vma() and the access check" },
	{ .name = "fault.alloc", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "40ns",
	  .help = "fault: page allocation from the CPU's page list (anonymous, copy-on-write; "
		  "the zone lock's refills are mm.zone_lock_page)" },
	{ .name = "fault.zero", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "700ns",
	  .help = "fault: zeroing a new anonymous page" },
	{ .name = "fault.copy", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "500ns",
	  .help = "fault: copying a page (copy-on-write)" },
	{ .name = "fault.pte_install", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "80ns",
	  .help = "fault: finish_fault(), page-table lock, set_pte, rmap (an anonymous page's "
		  "LRU add is mm.lru_lock_page)" },
	{ .name = "fault.filemap", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "150ns",
	  .help = "fault: filemap_fault() lookup and checks" },
	{ .name = "fault.map_page", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "40ns",
	  .help = "fault-around: per page mapped" },
	{ .name = "fault.fault_around", .type = SIM_KEY_TIME, .defval = "0",
	  .help = "fault-around: once a fault, do_fault_around() and filemap_map_pages() "
		  "set-up (RCU, the xarray walk's start, the pte lock) before fault.map_page "
		  "per page (a constant)" },
	{ .name = "fault.around_folio", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "fault-around maps each large page-cache folio of its window whole when "
		  "the folio lies in the VMA, in one page table and within the file, and so "
		  "does a read fault's finish_fault() (Linux 6.18+, 357b92761d94, "
		  "19773df031bc); false: the window's pages, the faulting page (up to 6.17)" },
	{ .name = "fault.swapin", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "300ns",
	  .help = "fault: do_swap_page() bookkeeping" },
	{ .name = "fault.touch", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "5ns",
	  .help = "an access through a present pte" },
	/* the shared lines of a fault (sim/kernel/mm-lines.h) */
	{ .name = "mm.pcp_batch", .type = SIM_KEY_UINT, .defval = "63", .max = "4096",
	  .help = "pages a CPU's page list takes from the zone per refill under zone->lock "
		  "(pcp->batch; 0: no zone lock)" },
	{ .name = "mm.zone_lock_page", .type = SIM_KEY_TIME, .defval = "60ns",
	  .help = "rmqueue_bulk(): CPU time per page taken off the buddy lists under zone->lock "
		  "(a cold struct page)" },
	{ .name = "mm.memcg_charge_batch", .type = SIM_KEY_UINT, .defval = "0", .max = "4096",
	  .help = "pages a CPU's memcg stock charges at once (MEMCG_CHARGE_BATCH; 0: the "
		  "preset's, 32 before 6.1, 64 from 6.1)" },
	{ .name = "mm.memcg_levels", .type = SIM_KEY_UINT, .defval = "2", .max = "16",
	  .help = "page counters a memcg charge updates (the cgroup and its ancestors; "
		  "0: no memcg)" },
	{ .name = "mm.lru_batch", .type = SIM_KEY_UINT, .defval = "15", .max = "4096",
	  .help = "pages a CPU's LRU add batch holds before the lruvec lock (PAGEVEC_SIZE; "
		  "0: no LRU lock)" },
	{ .name = "mm.lru_lock_page", .type = SIM_KEY_TIME, .defval = "20ns",
	  .help = "CPU time per page moved onto the LRU under the lruvec lock" },
	{ .name = "mm.rss_stat", .type = SIM_KEY_ENUM, .defval = "auto", .choices = rss_stats,
	  .help = "the mm's RSS counters: task-cache (SPLIT_RSS_COUNTING, up to 6.1), percpu "
		  "(percpu_counter, 6.2+), auto: the preset's" },
	{ .name = "fault.page_mkwrite", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME,
	  .defval = "300ns",
	  .help = "fault: ->page_mkwrite (file_update_time(), filesystem checks), without "
		  "the page lock and the stable-page wait" },
	/* dirty writeback (sim/kernel/writeback.h): the vm.* sysctls */
	{ .name = "vm.dirty_ratio", .type = SIM_KEY_UINT, .defval = "20", .max = "100",
	  .help = "dirty threshold, % of dirtyable memory (free + file pages)" },
	{ .name = "vm.dirty_background_ratio", .type = SIM_KEY_UINT, .defval = "10", .max = "100",
	  .help = "background writeback threshold, % of dirtyable memory" },
	{ .name = "vm.dirty_bytes", .type = SIM_KEY_SIZE, .defval = "0",
	  .help = "dirty threshold in bytes (0: vm.dirty_ratio)" },
	{ .name = "vm.dirty_background_bytes", .type = SIM_KEY_SIZE, .defval = "0",
	  .help = "background threshold in bytes (0: vm.dirty_background_ratio)" },
	{ .name = "vm.dirty_writeback_centisecs", .type = SIM_KEY_TIME, .defval = "5s",
	  .help = "period of the flusher's kupdate writeback (0: none)" },
	{ .name = "vm.dirty_expire_centisecs", .type = SIM_KEY_TIME, .defval = "30s",
	  .help = "kupdate writes files dirty for longer than this" },
	{ .name = "disk.stable_writes", .type = SIM_KEY_BOOL, .defval = "false",
	  .help = "the disk needs stable pages: page_mkwrite waits for writeback "
		  "(queue/stable_writes)" },
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
	{ .name = "khugepaged.scan_pte", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "5ns",
	  .help = "khugepaged: CPU time per pte scanned" },
	{ .name = "khugepaged.alloc_huge", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "2us",
	  .help = "khugepaged: allocating a huge page" },
	{ .name = "khugepaged.copy_page", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "250ns",
	  .help = "khugepaged: copying one small page into the huge page" },
	{ .name = "khugepaged.swapin", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "300ns",
	  .help = "khugepaged: bookkeeping per page swapped in" },
	{ .name = "khugepaged.pmd_seq_cost", .type = SIM_KEY_TIME, .defval = "20ns",
	  .help = "pmd-seq: the atomic every pmd_lock() pays on the pmd's count" },
	/* write(2) (sim/kernel/write.h) */
	{ .name = "write.syscall", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "1us",
	  .help = "write(2): entry and exit per call" },
	{ .name = "write.probe_line", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "5ns",
	  .help = "write(2): probing one 64-byte cache line of the user buffer while faulting "
		  "it in (5ns: four 16-byte probes at two cycles each, 1.5 GHz Cortex-A72)" },
	{ .name = "write.copy_per_kib", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "680ns",
	  .help = "write(2): copying 1 KiB from the user buffer (680ns: ~1.5 GB/s)" },
	{ .name = "write.write_begin", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "1500ns",
	  .help = "write(2): write_begin per chunk (page or folio lookup or allocation, lock)" },
	{ .name = "write.write_end", .type = SIM_KEY_DIST, .unit = SIM_UNIT_TIME, .defval = "800ns",
	  .help = "write(2): write_end per chunk (dirtying, unlock)" },
	{ .name = "write.chunk", .type = SIM_KEY_ENUM, .defval = "page",
	  .choices = sim_write_chunks,
	  .help = "write(2): generic_perform_write()'s chunk: page (up to 6.10) or folio "
		  "(6.11+: the file's largest folio, workload.NAME.max_folio) (default: the "
		  "preset's)" },
};

void sim_kernel_register_keys(struct sim_keys *keys)
{
	sim_keys_add(keys, kernel_keys, G_N_ELEMENTS(kernel_keys));
}

/*
 * A cost key: a constant (a plain time or const()) gives its value and no
 * distribution, so that the run draws nothing for it; any other
 * distribution is kept in *@dist (the caller's) and its mean given.
 */
static sim_time_t cost_key(const struct sim_run_config *cfg, const char *key,
			   struct sim_dist **dist)
{
	struct sim_dist *d = sim_config_get_dist(cfg, key);
	double mean = sim_dist_mean(d);

	if (sim_dist_kind(d) == SIM_DIST_CONST) {
		sim_time_t ns = sim_dist_sample_ns(d, NULL);

		sim_dist_free(d);
		*dist = NULL;
		return ns;
	}
	*dist = d;
	return mean > 0 ? (sim_time_t)llround(mean) : 0;
}

void fault_params_from_config(struct fault_params *p, const struct sim_run_config *cfg)
{
	struct sim_dist **d = p->dist;

	*p = (struct fault_params){ 0 };
	p->entry = cost_key(cfg, "fault.entry", &d[FAULT_COST_ENTRY]);
	p->vma_lookup = cost_key(cfg, "fault.vma_lookup", &d[FAULT_COST_VMA_LOOKUP]);
	p->alloc = cost_key(cfg, "fault.alloc", &d[FAULT_COST_ALLOC]);
	p->zero = cost_key(cfg, "fault.zero", &d[FAULT_COST_ZERO]);
	p->copy = cost_key(cfg, "fault.copy", &d[FAULT_COST_COPY]);
	p->pte_install = cost_key(cfg, "fault.pte_install", &d[FAULT_COST_PTE_INSTALL]);
	p->filemap = cost_key(cfg, "fault.filemap", &d[FAULT_COST_FILEMAP]);
	p->map_page = cost_key(cfg, "fault.map_page", &d[FAULT_COST_MAP_PAGE]);
	p->fault_around = sim_config_get_time(cfg, "fault.fault_around");
	p->around_folio = sim_config_get_bool(cfg, "fault.around_folio");
	p->swapin = cost_key(cfg, "fault.swapin", &d[FAULT_COST_SWAPIN]);
	p->touch = cost_key(cfg, "fault.touch", &d[FAULT_COST_TOUCH]);
	p->page_mkwrite = cost_key(cfg, "fault.page_mkwrite", &p->page_mkwrite_dist);
}

void writeback_params_from_config(struct writeback_params *p, const struct sim_run_config *cfg)
{
	*p = (struct writeback_params){
		.dirty_ratio = (unsigned int)sim_config_get_uint(cfg, "vm.dirty_ratio"),
		.dirty_background_ratio =
			(unsigned int)sim_config_get_uint(cfg, "vm.dirty_background_ratio"),
		.dirty_bytes = sim_config_get_size(cfg, "vm.dirty_bytes"),
		.dirty_background_bytes = sim_config_get_size(cfg, "vm.dirty_background_bytes"),
		.dirty_writeback_interval = sim_config_get_time(cfg, "vm.dirty_writeback_centisecs"),
		.dirty_expire_interval = sim_config_get_time(cfg, "vm.dirty_expire_centisecs"),
		.stable_writes = sim_config_get_bool(cfg, "disk.stable_writes"),
	};
}

void khugepaged_params_from_config(struct khugepaged_params *p,
				   const struct sim_run_config *cfg)
{
	struct sim_dist **d = p->dist;

	*p = (struct khugepaged_params){
		.scan_sleep = sim_config_get_time(cfg, "khugepaged.scan_sleep"),
		.pages_to_scan = (unsigned int)sim_config_get_uint(cfg, "khugepaged.pages_to_scan"),
		.max_ptes_swap = (unsigned int)sim_config_get_uint(cfg, "khugepaged.max_ptes_swap"),
		.max_ptes_none = (unsigned int)sim_config_get_uint(cfg, "khugepaged.max_ptes_none"),
		.min_young = (unsigned int)sim_config_get_uint(cfg, "khugepaged.min_young"),
		.pmd_seq_cost = sim_config_get_time(cfg, "khugepaged.pmd_seq_cost"),
	};
	p->scan_pte = cost_key(cfg, "khugepaged.scan_pte", &d[KHUGEPAGED_COST_SCAN_PTE]);
	p->alloc_huge = cost_key(cfg, "khugepaged.alloc_huge", &d[KHUGEPAGED_COST_ALLOC_HUGE]);
	p->copy_page = cost_key(cfg, "khugepaged.copy_page", &d[KHUGEPAGED_COST_COPY_PAGE]);
	p->swapin = cost_key(cfg, "khugepaged.swapin", &d[KHUGEPAGED_COST_SWAPIN]);
}

void write_params_from_config(struct write_params *p, const struct sim_run_config *cfg)
{
	struct sim_dist **d = p->dist;

	*p = (struct write_params){ .folio_chunks = g_str_equal(sim_write_chunk(cfg), "folio") };
	p->syscall = cost_key(cfg, "write.syscall", &d[WRITE_COST_SYSCALL]);
	p->probe_line = cost_key(cfg, "write.probe_line", &d[WRITE_COST_PROBE_LINE]);
	p->copy_per_kib = cost_key(cfg, "write.copy_per_kib", &d[WRITE_COST_COPY_PER_KIB]);
	p->write_begin = cost_key(cfg, "write.write_begin", &d[WRITE_COST_WRITE_BEGIN]);
	p->write_end = cost_key(cfg, "write.write_end", &d[WRITE_COST_WRITE_END]);
}

/* The kernel version of the run's preset (policy.preset, or its
 * default), as 100 x major + minor: linux-6.4 is 604. */
static unsigned int preset_version(const struct sim_run_config *cfg)
{
	const struct sim_preset *pr = sim_preset_get(sim_config_get_enum(cfg, "policy.preset"));
	unsigned int major = 0, minor = 0;

	if (!pr || sscanf(pr->name, "linux-%u.%u", &major, &minor) != 2)
		g_assert_not_reached();
	return major * 100 + minor;
}

void mm_lines_params_from_config(struct mm_lines_params *p, const struct sim_run_config *cfg)
{
	unsigned int version = preset_version(cfg);
	guint rss = sim_config_get_enum(cfg, "mm.rss_stat");

	mm_lines_params_init(p);
	p->pcp_batch = (unsigned int)sim_config_get_uint(cfg, "mm.pcp_batch");
	p->zone_lock_page = sim_config_get_time(cfg, "mm.zone_lock_page");
	/* 1813e51eece0 (6.1): MEMCG_CHARGE_BATCH 32 -> 64. */
	p->memcg_batch = (unsigned int)sim_config_get_uint(cfg, "mm.memcg_charge_batch");
	if (!p->memcg_batch)
		p->memcg_batch = version >= 601 ? 64 : 32;
	p->memcg_levels = (unsigned int)sim_config_get_uint(cfg, "mm.memcg_levels");
	if (!p->memcg_levels)
		p->memcg_batch = 0;
	p->lru_batch = (unsigned int)sim_config_get_uint(cfg, "mm.lru_batch");
	p->lru_lock_page = sim_config_get_time(cfg, "mm.lru_lock_page");
	/* f1a7941243c1 (6.2): the mm's RSS counters become percpu_counters. */
	if (rss == 0)
		p->rss = version >= 602 ? RSS_PERCPU : RSS_TASK_CACHE;
	else
		p->rss = rss == 1 ? RSS_TASK_CACHE : RSS_PERCPU;
}

void tlb_params_from_config(struct tlb_params *p, const struct sim_run_config *cfg)
{
	tlb_params_init(p);
	p->ipi_latency = sim_config_get_time(cfg, "machine.ipi_latency");
	p->ipi_cost = sim_config_get_time(cfg, "machine.ipi_cost");
	p->flush_page = sim_config_get_time(cfg, "machine.tlb_flush_page");
	/* Before 4.20 native_flush_tlb_others() sends to the whole
	 * mm_cpumask, lazy CPUs too; after, to lazy CPUs only when page
	 * tables were freed (tlb_is_not_lazy(), should_flush_tlb()). */
	p->ipi_lazy = preset_version(cfg) < 420;
}
