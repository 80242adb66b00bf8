/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model built from scenario keys: every policy value names a real
 * implementation and each slot's default is the default preset's, the
 * kernel's parameter defaults are the keys', workload keys apply to their
 * kinds only, the machine has only the parts its groups use, the shipped
 * scenarios build and run, and the machine's measurements come out under
 * their documented names.
 */
#include "config.h"

#include <string.h>

#include "policies/builtin.h"
#include "sim/kernel/fault.h"
#include "sim/kernel/khugepaged.h"
#include "sim/kernel/write.h"
#include "sim/model/kernel-params.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/rwsem.h"
#include "sim/model/policy.h"
#include "tests/rig.h"

/* Each slot accepts exactly the built-in tables (policies/builtin.c), in
 * the same order, and every preset names one of them. */
static void test_policy_values(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	const struct sim_preset *pre;
	guint n;

	for (n = 0; fs_builtin_rwsem_policies[n]; n++)
		g_assert_true(sim_policies_get(reg, SIM_POLICY_RWSEM, n)->ops ==
			      fs_builtin_rwsem_policies[n]);
	g_assert_cmpuint(n, ==, sim_policies_count(reg, SIM_POLICY_RWSEM));
	for (n = 0; fs_builtin_page_lock_policies[n]; n++)
		g_assert_true(sim_policies_get(reg, SIM_POLICY_PAGE_LOCK, n)->ops ==
			      fs_builtin_page_lock_policies[n]);
	g_assert_cmpuint(n, ==, sim_policies_count(reg, SIM_POLICY_PAGE_LOCK));
	for (unsigned int i = 0; (pre = sim_preset_get(i)); i++)
		for (unsigned int s = 0; s < SIM_NR_POLICY_SLOTS; s++)
			g_assert_nonnull(sim_policies_lookup(reg, (enum sim_policy_slot)s,
							     pre->values[s]));
	for (unsigned int s = 0; s < SIM_NR_POLICY_SLOTS; s++)
		g_assert_nonnull(sim_policies_lookup(reg, (enum sim_policy_slot)s,
						     sim_policy_slot((enum sim_policy_slot)s)->defval));
}

static const struct sim_run_config *study_with(struct sim_study **study, struct sim_keys *keys,
					       char **set)
{
	g_autoptr(GError) error = NULL;

	*study = sim_study_new(NULL, NULL, set, keys, &error);
	g_assert_no_error(error);
	return sim_study_run(*study, 0);
}

/* Each preset expands to KERNEL.md's policy set; a slot set explicitly
 * overrides the preset. */
static void test_presets(void)
{
	static const struct {
		const char *preset, *set;
	} want[] = {
		{ "linux-4.19", "rwsem=v4.19 page_lock=steal"
		  " retry=once io=hold map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page dirty_throttle=hold" },
		{ "linux-5.4", "rwsem=v5.4 page_lock=steal"
		  " retry=once io=drop map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page dirty_throttle=hold" },
		{ "linux-5.10", "rwsem=v5.4 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page dirty_throttle=drop" },
		{ "linux-6.1", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=mmap"
		  " khugepaged=swapin-read prefault=per-page dirty_throttle=drop" },
		{ "linux-6.4", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=per-vma-6.4"
		  " khugepaged=swapin-read prefault=per-page dirty_throttle=drop" },
		{ "linux-6.6", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=per-vma-6.6"
		  " khugepaged=swapin-read prefault=per-page dirty_throttle=drop" },
		{ "linux-6.8", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=per-vma"
		  " khugepaged=swapin-read prefault=per-page dirty_throttle=drop" },
		{ "linux-6.15", "rwsem=v5.11 page_lock=bounded-steal"
		  " retry=first-drop io=drop map_pages=trylock fault_lock=per-vma"
		  " khugepaged=swapin-read prefault=on-failure dirty_throttle=drop" },
	};
	g_autoptr(sim_keys) keys = rig_all_keys();
	guint n;

	for (n = 0; sim_preset_get(n); n++)
		;
	g_assert_cmpuint(n, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		g_autofree char *kv = g_strdup_printf("policy.preset=%s", want[i].preset);
		char *set[] = { kv, NULL };
		struct sim_study *study;
		const struct sim_run_config *cfg = study_with(&study, keys, set);
		g_autofree char *got = sim_policy_set_string(cfg);

		g_assert_cmpstr(sim_preset_get(i)->name, ==, want[i].preset);
		g_assert_cmpstr(got, ==, want[i].set);
		sim_study_free(study);
	}
	char *set[] = { (char *)"policy.preset=linux-4.19", (char *)"policy.page_lock=fair", NULL };
	struct sim_study *study;
	const struct sim_run_config *cfg = study_with(&study, keys, set);
	g_autofree char *got = sim_policy_set_string(cfg);

	g_assert_cmpstr(got, ==, "rwsem=v4.19 page_lock=fair"
			" retry=once io=hold map_pages=trylock fault_lock=mmap"
			" khugepaged=swapin-read prefault=per-page dirty_throttle=hold");
	sim_study_free(study);
}

/* A slot's default is the default preset's value: a run that sets
 * neither gets the policy set that preset stands for. */
static void test_slot_defaults(void)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	const char *preset = sim_keys_lookup(keys, "policy.preset")->defval;
	const struct sim_preset *pre = NULL;
	struct sim_study *study;
	const struct sim_run_config *cfg = study_with(&study, keys, NULL);
	g_autofree char *got = sim_policy_set_string(cfg);

	for (guint i = 0; sim_preset_get(i); i++)
		if (g_str_equal(sim_preset_get(i)->name, preset))
			pre = sim_preset_get(i);
	g_assert_nonnull(pre);
	for (unsigned int s = 0; s < SIM_NR_POLICY_SLOTS; s++) {
		enum sim_policy_slot slot = (enum sim_policy_slot)s;

		g_assert_cmpstr(sim_policy_slot(slot)->defval, ==, pre->values[s]);
		g_assert_cmpstr(sim_policy_value(cfg, slot), ==, pre->values[s]);
		g_assert_cmpstr(sim_keys_lookup(keys, sim_policy_slot(slot)->key)->defval, ==,
				pre->values[s]);
	}
	g_assert_cmpstr(got, ==, "rwsem=v5.11 page_lock=bounded-steal retry=first-drop io=drop"
			" map_pages=trylock fault_lock=mmap khugepaged=swapin-read prefault=per-page"
			" dirty_throttle=drop");
	/* write.chunk, the one versioned behaviour outside the slots, too. */
	g_assert_cmpstr(sim_keys_lookup(keys, "write.chunk")->defval, ==, pre->write_chunk);
	g_assert_cmpstr(sim_write_chunk(cfg), ==, pre->write_chunk);
	sim_study_free(study);
}

/* The kernel's *_params_init() and the defaults of the keys the model
 * reads them from are the same numbers. */
static void test_kernel_param_defaults(void)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	struct sim_study *study;
	const struct sim_run_config *cfg = study_with(&study, keys, NULL);
	struct fault_params f, fk;
	struct khugepaged_params k, kk;
	struct write_params w, wk;
	struct writeback_params b, bk;

	fault_params_init(&f);
	fault_params_from_config(&fk, cfg);
	g_assert_cmpint(f.entry, ==, fk.entry);
	g_assert_cmpint(f.vma_lookup, ==, fk.vma_lookup);
	g_assert_cmpint(f.alloc, ==, fk.alloc);
	g_assert_cmpint(f.zero, ==, fk.zero);
	g_assert_cmpint(f.copy, ==, fk.copy);
	g_assert_cmpint(f.pte_install, ==, fk.pte_install);
	g_assert_cmpint(f.filemap, ==, fk.filemap);
	g_assert_cmpint(f.map_page, ==, fk.map_page);
	g_assert_cmpint(f.swapin, ==, fk.swapin);
	g_assert_cmpint(f.touch, ==, fk.touch);
	g_assert_cmpint(f.page_mkwrite, ==, fk.page_mkwrite);
	writeback_params_init(&b);
	writeback_params_from_config(&bk, cfg);
	g_assert_cmpuint(b.dirty_ratio, ==, bk.dirty_ratio);
	g_assert_cmpuint(b.dirty_background_ratio, ==, bk.dirty_background_ratio);
	g_assert_cmpuint(b.dirty_bytes, ==, bk.dirty_bytes);
	g_assert_cmpuint(b.dirty_background_bytes, ==, bk.dirty_background_bytes);
	g_assert_cmpint(b.dirty_writeback_interval, ==, bk.dirty_writeback_interval);
	g_assert_cmpint(b.dirty_expire_interval, ==, bk.dirty_expire_interval);
	g_assert_true(b.stable_writes == bk.stable_writes);
	khugepaged_params_init(&k);
	khugepaged_params_from_config(&kk, cfg);
	g_assert_cmpint(k.scan_sleep, ==, kk.scan_sleep);
	g_assert_cmpuint(k.pages_to_scan, ==, kk.pages_to_scan);
	g_assert_cmpuint(k.max_ptes_swap, ==, kk.max_ptes_swap);
	g_assert_cmpuint(k.max_ptes_none, ==, kk.max_ptes_none);
	g_assert_cmpuint(k.min_young, ==, kk.min_young);
	g_assert_cmpint(k.scan_pte, ==, kk.scan_pte);
	g_assert_cmpint(k.alloc_huge, ==, kk.alloc_huge);
	g_assert_cmpint(k.copy_page, ==, kk.copy_page);
	g_assert_cmpint(k.swapin, ==, kk.swapin);
	g_assert_cmpint(k.pmd_seq_cost, ==, kk.pmd_seq_cost);
	write_params_init(&w);
	write_params_from_config(&wk, cfg);
	g_assert_cmpint(w.syscall, ==, wk.syscall);
	g_assert_cmpint(w.probe_line, ==, wk.probe_line);
	g_assert_cmpint(w.copy_per_kib, ==, wk.copy_per_kib);
	g_assert_cmpint(w.write_begin, ==, wk.write_begin);
	g_assert_cmpint(w.write_end, ==, wk.write_end);
	g_assert_cmpint(w.folio_chunks, ==, wk.folio_chunks);
	sim_study_free(study);
}

/*
 * A cost key takes a distribution: its params field is then the mean and
 * the distribution is kept for draws; a constant, plain or const(), keeps
 * no distribution (nothing is drawn for it, so its trajectories stay).
 */
static void test_cost_distributions(void)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	char *set[] = { (char *)"fault.zero=lognormal(700ns,0.5)", (char *)"fault.entry=const(150ns)",
			(char *)"khugepaged.alloc_huge=exp(2us)", (char *)"write.syscall=uniform(1us,3us)",
			NULL };
	struct sim_study *study;
	const struct sim_run_config *cfg = study_with(&study, keys, set);
	struct fault_params f;
	struct khugepaged_params k;
	struct write_params w;

	fault_params_from_config(&f, cfg);
	g_assert_nonnull(f.dist[FAULT_COST_ZERO]);
	g_assert_cmpint(f.zero, ==, 700);
	g_assert_null(f.dist[FAULT_COST_ENTRY]);
	g_assert_cmpint(f.entry, ==, 150);
	g_assert_null(f.dist[FAULT_COST_ALLOC]);
	khugepaged_params_from_config(&k, cfg);
	g_assert_nonnull(k.dist[KHUGEPAGED_COST_ALLOC_HUGE]);
	g_assert_cmpint(k.alloc_huge, ==, 2000);
	g_assert_null(k.dist[KHUGEPAGED_COST_COPY_PAGE]);
	write_params_from_config(&w, cfg);
	g_assert_nonnull(w.dist[WRITE_COST_SYSCALL]);
	g_assert_cmpint(w.syscall, ==, 2000);
	fault_params_clear(&f);
	khugepaged_params_clear(&k);
	write_params_clear(&w);
	g_assert_null(f.dist[FAULT_COST_ZERO]);
	sim_study_free(study);
}

/* A fault cost with a tail gives the faults one: pft-like faults on one
 * thread, fault.zero lognormal with the constant's mean: p90 well above
 * p50, where the constant's p90 is p50 (its p99 is not: one fault in 63
 * refills the CPU's page list under the zone lock); the rate about the
 * same. */
static void test_cost_tail(void)
{
	char *cst[] = { (char *)"workload.pft.threads=1", (char *)"sim-time-limit=1ms", NULL };
	char *tail[] = { (char *)"workload.pft.threads=1", (char *)"sim-time-limit=1ms",
			 (char *)"fault.zero=lognormal(700ns,0.8)", NULL };
	struct sim_engine *a = rig_run_scenario("exp-per-vma.ini", NULL, cst, 0);
	struct sim_engine *b = rig_run_scenario("exp-per-vma.ini", NULL, tail, 0);
	struct sim_hist *ha = sim_stats_hist(sim_engine_stats(a), "fault", "minorLatency");
	struct sim_hist *hb = sim_stats_hist(sim_engine_stats(b), "fault", "minorLatency");
	double fa = (double)*sim_stats_counter(sim_engine_stats(a), "fault", "faults");
	double fb = (double)*sim_stats_counter(sim_engine_stats(b), "fault", "faults");

	g_assert_cmpfloat((double)sim_hist_quantile(ha, 0.9), <, 1.1 * (double)sim_hist_quantile(ha, 0.5));
	g_assert_cmpfloat((double)sim_hist_quantile(hb, 0.9), >, 1.5 * (double)sim_hist_quantile(hb, 0.5));
	g_assert_cmpfloat(fb, >, 0.85 * fa);
	g_assert_cmpfloat(fb, <, 1.15 * fa);
	sim_engine_free(a);
	sim_engine_free(b);
}

/* Threads pinned to CPUs (workload.NAME.cpus, pin, writer_cpus,
 * proc_cpus): pft's two threads, one VMA each, on 4 CPUs.  Pinned both to
 * CPU 1 they share it: half the faults of two CPUs, and CPUs 2 and 3 (0
 * runs kswapd's first switch) never run anything; spread over 1-2 they
 * fault as unpinned, on those two; the writer and the /proc reader run on
 * the CPUs they are given. */
static struct sim_engine *run_pinned(const char *cpus, const char *pin, const char *extra)
{
	g_autofree char *k_cpus = g_strdup_printf("workload.pft.cpus=%s", cpus);
	g_autofree char *k_pin = g_strdup_printf("workload.pft.pin=%s", pin);
	g_auto(GStrv) more = g_strsplit(extra, " ", -1);
	g_autoptr(GPtrArray) set = g_ptr_array_new();
	const char *fixed[] = { "machine.cpus=4", "workload.pft.threads=2",
				"workload.pft.vma_per_thread=true", "policy.fault_lock=per-vma",
				"sim-time-limit=1ms" };

	for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
		g_ptr_array_add(set, (char *)fixed[i]);
	g_ptr_array_add(set, k_cpus);
	g_ptr_array_add(set, k_pin);
	for (char **m = more; *m; m++)
		if (**m)
			g_ptr_array_add(set, *m);
	g_ptr_array_add(set, NULL);
	return rig_run_scenario("exp-per-vma.ini", NULL, (char **)set->pdata, 0);
}

static double busy(struct sim_engine *eng, unsigned int cpu)
{
	g_autofree char *module = g_strdup_printf("cpu[%u]", cpu);

	return *sim_stats_scalar(sim_engine_stats(eng), module, "busyTime");
}

static double faults(struct sim_engine *eng)
{
	return (double)*sim_stats_counter(sim_engine_stats(eng), "fault", "faults");
}

static void test_pinned_threads(void)
{
	struct sim_engine *free_ = run_pinned("", "none", "");
	struct sim_engine *one = run_pinned("1", "none", "");
	struct sim_engine *spread = run_pinned("1-2", "spread", "");
	struct sim_engine *writer = run_pinned("1", "spread",
		"workload.pft.mmap_writers=1 workload.pft.writer_op=mprotect "
		"workload.pft.writer_interval=exp(20us) workload.pft.writer_hold=5us "
		"workload.pft.writer_cpus=3 workload.pft.proc_readers=1 "
		"workload.pft.proc_interval=exp(50us) workload.pft.proc_cpus=2");
	double f = faults(free_);

	g_assert_cmpfloat(faults(one), >, 0.4 * f);
	g_assert_cmpfloat(faults(one), <, 0.55 * f);
	g_assert_cmpfloat(busy(one, 1), >, 0.99e6);
	g_assert_cmpfloat(busy(one, 2), ==, 0);
	g_assert_cmpfloat(busy(one, 3), ==, 0);
	g_assert_cmpfloat(faults(spread), >, 0.97 * f);
	g_assert_cmpfloat(faults(spread), <, 1.03 * f);
	g_assert_cmpfloat(busy(spread, 1), >, 0.99e6);
	g_assert_cmpfloat(busy(spread, 2), >, 0.99e6);
	g_assert_cmpfloat(busy(spread, 3), ==, 0);
	/* threads on 1, the writer on 3, the reader on 2 */
	g_assert_cmpfloat(busy(writer, 2), >, 0);
	g_assert_cmpfloat(busy(writer, 3), >, 0);
	g_assert_cmpuint(*sim_stats_counter(sim_engine_stats(writer), "pft", "writerOps"), >, 0);
	g_assert_cmpuint(*sim_stats_counter(sim_engine_stats(writer), "pft", "procReads"), >, 0);
	sim_engine_free(free_);
	sim_engine_free(one);
	sim_engine_free(spread);
	sim_engine_free(writer);
}

/* The /proc/PID/smaps reader's seq_file fills: 30 VMAs (29 threads' and
 * the jit page), 750-byte records in a 4 KiB buffer: 5 kept a fill, 6
 * fills, and each fill but the last also shows the record that overflows
 * it (shown again by the next fill: seq_read_iter()), 35 records a read;
 * a buffer that holds them all takes one fill of 30.  At proc_cost 1 us
 * and no pte walk, the reader's CPU (its own, CPU 1) is busy 35 us and
 * 30 us a read, plus the context switch of its wake-up (1 us). */
static struct sim_engine *run_smaps(const char *buffer)
{
	g_autofree char *k_buf = g_strdup_printf("workload.pft.proc_buffer=%s", buffer);
	char *set[] = { "machine.cpus=2", "policy.fault_lock=mmap", "workload.pft.threads=29",
			"workload.pft.vma_per_thread=true", "workload.pft.anon_size=116KiB",
			"workload.pft.ops=1", "workload.pft.cpus=0",
			"workload.pft.proc_readers=1", "workload.pft.proc_file=smaps",
			"workload.pft.proc_cost=const(1us)", "workload.pft.proc_pte=0",
			"workload.pft.proc_interval=const(100ms)", "workload.pft.proc_cpus=1",
			"sim-time-limit=350ms", k_buf, NULL };

	return rig_run_scenario("exp-per-vma.ini", NULL, set, 0);
}

static void test_smaps_overflow_record(void)
{
	struct sim_engine *small = run_smaps("4KiB"), *big = run_smaps("1MiB");
	struct sim_stats *ss = sim_engine_stats(small), *sb = sim_engine_stats(big);
	uint64_t reads = *sim_stats_counter(ss, "pft", "procReads");

	g_assert_cmpuint(reads, ==, 3);
	g_assert_cmpuint(*sim_stats_counter(sb, "pft", "procReads"), ==, 3);
	g_assert_cmpuint(*sim_stats_counter(ss, "pft", "procFills"), ==, 3 * 6);
	g_assert_cmpuint(*sim_stats_counter(sb, "pft", "procFills"), ==, 3 * 1);
	/* 36 us and 31 us a read (the first read moves mmap_sem's line and
	 * the like: a couple of us more); the difference is the 5 records
	 * shown twice a read */
	g_test_message("busy: small %.0f ns, big %.0f ns", busy(small, 1), busy(big, 1));
	g_assert_cmpfloat(busy(small, 1), >=, 3 * 36e3);
	g_assert_cmpfloat(busy(small, 1), <, 3 * 36e3 + 3e3);
	g_assert_cmpfloat(busy(big, 1), >=, 3 * 31e3);
	g_assert_cmpfloat(busy(big, 1), <, 3 * 31e3 + 3e3);
	g_assert_cmpfloat(busy(small, 1) - busy(big, 1), >=, 3 * 5e3);
	g_assert_cmpfloat(busy(small, 1) - busy(big, 1), <, 3 * 5e3 + 500);
	sim_engine_free(small);
	sim_engine_free(big);
}

/* `faultsim list keys` labels each workload key with the kinds that read
 * it; the keys every group has carry no label. */
static void test_workload_key_labels(void)
{
	static const struct {
		const char *key, *help;
	} want[] = {
		{ "workload.g.kind", "what the group's threads do" },
		{ "workload.g.threads", "threads in the group" },
		{ "workload.g.write_fraction", "lock, fault: " },
		{ "workload.g.work", "lock, file, fault: " },
		{ "workload.g.hold", "lock, file, fault: " },
		{ "workload.g.think", "lock, file, fault: " },
		{ "workload.g.ops", "operations per thread" },	/* every kind */
		{ "workload.g.file_size", "file, fault, write: " },
		{ "workload.g.pattern", "file, fault: " },
		{ "workload.g.read_pages", "file: " },
		{ "workload.g.lock_fraction", "file: " },
		{ "workload.g.mmap_writers", "fault: " },
		{ "workload.g.khugepaged", "fault: " },
		{ "workload.g.block_size", "write: " },
		{ "workload.g.source", "write: " },
		{ "workload.g.seek", "write: " },
		{ "workload.g.max_folio", "fault, write: " },
		{ "workload.g.file_written", "fault: " },
	};
	g_autoptr(sim_keys) keys = rig_all_keys();

	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct sim_key_def *def = sim_keys_lookup(keys, want[i].key);

		g_assert_nonnull(def);
		g_assert_true(g_str_has_prefix(def->help, want[i].help));
	}
	g_assert_cmpstr(sim_keys_lookup(keys, "workload.g.kind")->choices[2], ==, "fault");
}

/* A workload key applies to the kinds that read it: on a group of
 * another kind it is an error before anything runs, wherever the kind
 * comes from (a default, the file, --set). */
static void test_workload_key_kinds(void)
{
	static const struct {
		const char *kind, *set, *error;
	} cases[] = {
		{ "file", "workload.app.lock_fraction=0.9", NULL },
		{ "fault", "workload.app.lock_fraction=0.9",
		  "--set:2: key 'workload.app.lock_fraction': not a key of kind 'fault'; its keys "
		  "are kind, threads, cpus, pin, write_fraction, work, hold, think, ops, "
		  "file_size, pattern, cgroup, max_folio, processes, mapping, anon_size, "
		  "mmap_writers, "
		  "writer_op, writer_interval, writer_pages, writer_hold, writer_cpus, zap_page, "
		  "proc_readers, proc_interval, proc_cost, proc_file, proc_pte, proc_buffer, "
		  "proc_lock, proc_cpus, lockers, locker_think, vma_per_thread, khugepaged, "
		  "file_written, file_advice" },
		{ "lock", "workload.app.mmap_writers=3",
		  "--set:2: key 'workload.app.mmap_writers': not a key of kind 'lock'; its keys "
		  "are kind, threads, cpus, pin, write_fraction, work, hold, think, ops" },
		{ NULL, "workload.app.mmap_writers=3",
		  "--set:1: key 'workload.app.mmap_writers': not a key of kind 'lock'; its keys "
		  "are kind, threads, cpus, pin, write_fraction, work, hold, think, ops" },
		{ "fault", "workload.app.write_fraction=0.5", NULL },
		{ "file", "workload.app.write_fraction=0.5",
		  "--set:2: key 'workload.app.write_fraction': not a key of kind 'file'; its keys "
		  "are kind, threads, cpus, pin, work, hold, think, ops, file_size, pattern, cgroup, "
		  "read_pages, lock_fraction" },
		{ "write", "workload.app.file_size=1MiB", NULL },
		{ "write", "workload.app.ops=10", NULL },
		{ "write", "workload.app.think=1us",
		  "--set:2: key 'workload.app.think': not a key of kind 'write'; its keys are kind, "
		  "threads, cpus, pin, file_size, cgroup, ops, max_folio, block_size, source, "
		  "buffer_offset, seek, file_per_thread" },
		{ "write", "workload.app.threads=2", NULL },
	};
	g_autoptr(sim_keys) keys = rig_all_keys();

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *kind = cases[i].kind ?
			g_strdup_printf("workload.app.kind=%s", cases[i].kind) : NULL;
		char *set[] = { kind ? kind : (char *)cases[i].set, kind ? (char *)cases[i].set : NULL,
				NULL };
		g_autoptr(GError) error = NULL;
		g_autoptr(sim_study) study = sim_study_new(NULL, NULL, set, keys, &error);

		if (!cases[i].error) {
			g_assert_no_error(error);
			continue;
		}
		g_assert_null(study);
		g_assert_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN);
		g_assert_cmpstr(error->message, ==, cases[i].error);
	}
}

struct modules {
	bool reclaim, cacheline;
};

static void find_modules(const char *module, const char *name, uint64_t v, void *data)
{
	struct modules *m = data;

	m->reclaim |= strcmp(module, "reclaim") == 0;
	m->cacheline |= strcmp(module, "cacheline") == 0;
}

/* The machine has the parts its groups use, and no more: lock groups need
 * no page cache (no kswapd, no reclaim), file groups no cache-line cost. */
static void test_machine_parts(void)
{
	static const struct {
		const char *kind;
		struct modules want;
	} cases[] = {
		{ "lock", { false, false } },
		{ "file", { true, false } },
		{ "write", { true, false } },
		{ "fault", { true, true } },
	};
	g_autoptr(sim_keys) keys = rig_all_keys();

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *kind = g_strdup_printf("workload.app.kind=%s", cases[i].kind);
		char *set[] = { kind, (char *)"workload.app.threads=1", NULL };
		g_autoptr(GError) error = NULL;
		g_autoptr(sim_study) study = sim_study_new(NULL, NULL, set, keys, &error);
		const struct sim_run_config *cfg = sim_study_run(study, 0);
		g_autoptr(sim_engine) eng = sim_engine_new(cfg->seed);
		struct sim_model *m = sim_model_build(eng, cfg, &error);
		struct modules got = { false, false };

		g_assert_no_error(error);
		sim_stats_foreach_counter(sim_engine_stats(eng), find_modules, &got);
		g_assert_true(got.reclaim == cases[i].want.reclaim);
		g_assert_true(got.cacheline == cases[i].want.cacheline);
		sim_model_free(m);
	}
}

/* A fault group reading its 32 MiB file once, sequentially: faults taken
 * and ptes fault-around installed, with @extra settings. */
static void run_file_read(const char *const *extra, uint64_t *faults, uint64_t *mapped)
{
	g_autoptr(GPtrArray) set = g_ptr_array_new();
	static const char *const base[] = {
		"workload.f.kind=fault", "workload.f.mapping=file", "workload.f.file_size=32MiB",
		"workload.f.ops=8192", "workload.f.think=0", "workload.f.work=0",
		"policy.preset=linux-6.15", "sim-time-limit=10s",
	};
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autoptr(GError) error = NULL;
	struct sim_study *study;
	const struct sim_run_config *cfg;
	struct sim_engine *eng;
	struct sim_model *m;

	for (guint i = 0; i < G_N_ELEMENTS(base); i++)
		g_ptr_array_add(set, (char *)base[i]);
	for (const char *const *e = extra; *e; e++)
		g_ptr_array_add(set, (char *)*e);
	g_ptr_array_add(set, NULL);
	cfg = study_with(&study, keys, (char **)set->pdata);
	eng = sim_engine_new(cfg->seed);
	m = sim_model_build(eng, cfg, &error);
	g_assert_no_error(error);
	sim_run(eng);
	sim_model_finish(m);
	*faults = *sim_stats_counter(sim_engine_stats(eng), "fault", "faults");
	*mapped = *sim_stats_counter(sim_engine_stats(eng), "fault", "faultAroundMapped");
	sim_model_free(m);
	sim_engine_free(eng);
	sim_study_free(study);
}

/*
 * Large folios and fault-around.  The file written with 1 MiB writes on a
 * filesystem with large folios holds 32 folios of 256 pages; its mapping
 * starts at a PMD boundary (thp_get_unmapped_area()).  With
 * fault.around_folio (6.18) a fault maps its folio whole: one fault per
 * folio, but the last folio, which ends where the file ends, is not
 * mapped whole (6.18's i_size check), so it takes 256 / 16 faults of the
 * window: 31 + 16 = 47 faults, 174.3 pages a fault, as measured on 6.18.
 * Without it, or without large folios, the 16-page window: 512 faults
 * (513 when the mapping starts at page 1, off the window's alignment,
 * as it does without large folios).
 * A 64 KiB largest folio gives 16-page folios: the window again.
 */
static void test_fault_around_folios(void)
{
	static const char *const cold[] = { NULL };
	static const char *const small[] = {
		"workload.f.file_written=1MiB", "fault.around_folio=true", NULL,
	};
	static const char *const window[] = {
		"workload.f.file_written=1MiB", "workload.f.max_folio=2MiB", NULL,
	};
	static const char *const whole[] = {
		"workload.f.file_written=1MiB", "workload.f.max_folio=2MiB",
		"fault.around_folio=true", NULL,
	};
	static const char *const k64[] = {
		"workload.f.file_written=1MiB", "workload.f.max_folio=64KiB",
		"fault.around_folio=true", NULL,
	};
	static const char *const w64k[] = {
		"workload.f.file_written=64KiB", "workload.f.max_folio=2MiB",
		"fault.around_folio=true", NULL,
	};
	uint64_t faults, mapped;

	/* Cold: the reads' faults besides, fewer pages a fault. */
	run_file_read(cold, &faults, &mapped);
	g_assert_cmpuint(faults, >, 513);
	run_file_read(small, &faults, &mapped);
	g_assert_cmpuint(faults, ==, 513);
	g_assert_cmpuint(mapped, ==, 8192);
	run_file_read(window, &faults, &mapped);
	g_assert_cmpuint(faults, ==, 512);
	g_assert_cmpuint(mapped, ==, 8192);
	run_file_read(whole, &faults, &mapped);
	g_assert_cmpuint(faults, ==, 31 + 16);
	g_assert_cmpuint(mapped, ==, 8192);
	run_file_read(k64, &faults, &mapped);
	g_assert_cmpuint(faults, ==, 512);
	/* 64 KiB writes: 16-page folios whatever the filesystem allows. */
	run_file_read(w64k, &faults, &mapped);
	g_assert_cmpuint(faults, ==, 512);
}

/* Each shipped scenario's first run builds and runs briefly. */
static void test_shipped_scenarios(gconstpointer data)
{
	char *set[] = { (char *)"sim-time-limit=50ms", NULL };
	g_autoptr(sim_engine) eng = rig_run_scenario(data, NULL, set, 0);

	g_assert_cmpuint(sim_events_dispatched(eng), >, 100);
}

/* The default study goes through the fault path: its threads fault, the
 * mmap writer takes mmap_sem for write once per operation, the /proc
 * reader for read, and both record their waits; its working set is larger
 * than memory, so some faults are major and anonymous pages go to swap. */
static void test_default_workloads(void)
{
	char *set[] = { (char *)"sim-time-limit=50ms", NULL };
	g_autoptr(sim_engine) eng = rig_run_scenario("default.ini", NULL, set, 0);
	struct sim_stats *st = sim_engine_stats(eng);
	uint64_t writes = *sim_stats_counter(st, "app", "writerOps");
	uint64_t acq = *sim_stats_counter(st, "mmap_sem", "writeAcquisitions");

	g_assert_cmpuint(*sim_stats_counter(st, "fault", "faults"), >, 1000);
	g_assert_cmpuint(*sim_stats_counter(st, "fault", "majfault"), >, 100);
	g_assert_cmpuint(*sim_stats_counter(st, "fault", "minfault"), >, 100);
	g_assert_cmpuint(*sim_stats_counter(st, "swap", "pswpout"), >, 0);
	g_assert_cmpuint(writes, >, 10);
	g_assert_cmpuint(*sim_stats_counter(st, "app", "procReads"), >, 10);
	/* One writer: its acquisitions are its finished operations, plus one
	 * if it holds the lock when the run stops. */
	g_assert_cmpuint(acq, >=, writes);
	g_assert_cmpuint(acq, <=, writes + 1);
	g_assert_cmpuint(sim_hist_count(sim_stats_hist(st, "app", "writerWait")), >=, writes);
	g_assert_cmpuint(sim_hist_count(sim_stats_hist(st, "app", "procWait")), >=,
			 *sim_stats_counter(st, "app", "procReads"));
	g_assert_cmpuint(sim_hist_count(sim_stats_hist(st, "fault", "latency")), ==,
			 *sim_stats_counter(st, "fault", "faults"));
}

/* Run page-lock.ini's first configuration with @policy for 150 ms. */
static struct sim_engine *run_page_lock(const char *policy)
{
	g_autofree char *kv = g_strdup_printf("policy.page_lock=%s", policy);
	char *set[] = { (char *)"sim-time-limit=150ms", kv, NULL };

	return rig_run_scenario("page-lock.ini", NULL, set, 0);
}

/*
 * The page_lock slot reaches the page cache of file workloads: "fair"
 * hands every contended lock over and never lets a newcomer steal it,
 * "steal" never hands over, "bounded-steal" hands over only after the
 * budget of lost races.  The streaming group reads more than memory, so
 * reclaim ran.
 */
static void test_file_page_lock(void)
{
	static const char *const policies[] = { "steal", "fair", "bounded-steal" };
	double throughput[G_N_ELEMENTS(policies)];

	for (guint i = 0; i < G_N_ELEMENTS(policies); i++) {
		g_autoptr(sim_engine) eng = run_page_lock(policies[i]);
		struct sim_stats *st = sim_engine_stats(eng);
		uint64_t handoffs = *sim_stats_counter(st, "page_lock", "handoffs");
		uint64_t steals = *sim_stats_counter(st, "page_lock", "steals");
		uint64_t losses = sim_hist_max(sim_stats_hist(st, "page_lock", "lossesPerAcquire"));

		g_assert_cmpuint(*sim_stats_counter(st, "hot", "writeOps"), >, 1000);
		g_assert_cmpuint(*sim_stats_counter(st, "page_lock", "contentions"), >, 100);
		g_assert_cmpuint(*sim_stats_counter(st, "reclaim", "pgsteal_kswapd") +
				 *sim_stats_counter(st, "reclaim", "pgsteal_direct"), >, 0);
		g_assert_cmpuint(*sim_stats_counter(st, "readahead", "async"), >, 0);
		throughput[i] = *sim_stats_scalar(st, "hot", "throughput");
		switch (i) {
		case 0:
			g_assert_cmpuint(handoffs, ==, 0);
			g_assert_cmpuint(steals, >, 0);
			break;
		case 1:
			g_assert_cmpuint(handoffs, >, 0);
			g_assert_cmpuint(steals, ==, 0);
			g_assert_cmpuint(losses, ==, 0);
			break;
		case 2:
			g_assert_cmpuint(losses, <=, 5);
			break;
		}
	}
	/*
	 * The 5.9 trade-off, from the lock meeting the wake-up latency:
	 * strict handoff idles the lock until the woken waiter runs, and
	 * loses throughput (11% here: 828k vs 734k ops/s); bounded stealing
	 * keeps nearly all of steal's (825k).  Same seed for all three; the
	 * bounds leave room for changes in the model's details.
	 */
	g_assert_cmpfloat(throughput[1], <, 0.95 * throughput[0]);
	g_assert_cmpfloat(throughput[2], >, 0.98 * throughput[0]);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/policy/values", test_policy_values);
	g_test_add_func("/model/policy/presets", test_presets);
	g_test_add_func("/model/policy/slot-defaults", test_slot_defaults);
	g_test_add_func("/model/kernel-param-defaults", test_kernel_param_defaults);
	g_test_add_func("/model/cost-distributions", test_cost_distributions);
	g_test_add_func("/model/cost-tail", test_cost_tail);
	g_test_add_func("/model/pinned-threads", test_pinned_threads);
	g_test_add_func("/model/smaps-overflow-record", test_smaps_overflow_record);
	g_test_add_func("/model/workload/key-labels", test_workload_key_labels);
	g_test_add_func("/model/workload/key-kinds", test_workload_key_kinds);
	g_test_add_func("/model/machine/parts", test_machine_parts);
	g_test_add_func("/model/fault-around/large-folios", test_fault_around_folios);
	g_test_add_data_func("/model/scenario/default", "default.ini", test_shipped_scenarios);
	g_test_add_data_func("/model/scenario/validate-disk", "validate-disk.ini",
			     test_shipped_scenarios);
	g_test_add_data_func("/model/scenario/validate-cpus", "validate-cpus.ini",
			     test_shipped_scenarios);
	g_test_add_data_func("/model/scenario/page-lock", "page-lock.ini", test_shipped_scenarios);
	g_test_add_func("/model/default-workloads", test_default_workloads);
	g_test_add_func("/model/file-workload/page-lock-policy", test_file_page_lock);
	return g_test_run();
}
