/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim bench pagecache: the page cache's memory and speed, as
 * "NAME VALUE" lines.
 *
 *   pagecache.bytes_per_page  heap bytes per cached page, measured from
 *                             the allocator (mallinfo2(): in-use arena
 *                             plus mmap'd bytes, before and after caching
 *                             every page of a 16 GiB file, 4 Mi pages)
 *   pagecache.insert_per_s    add_to_page_cache_lru() + unlock_page() +
 *                             put_page() of each page of that file, in
 *                             order, per second (and _per_cpu_s)
 *   pagecache.lookup_per_s    find_get_page() + put_page() at uniformly
 *                             random indices of the cached file, per
 *                             second (and _per_cpu_s)
 *
 * With @quick the file is 64 times smaller (64 Ki pages) and the lookups
 * fewer, to check that the benchmark works.  Clocks: cli/bench.h.
 */
#include "config.h"

#include <stdio.h>
#include <malloc.h>

#include "cli/bench.h"
#include "sim/core/engine.h"
#include "sim/kernel/pagecache.h"
#include "sim/kernel/pagelock.h"
#include "sim/model/policy.h"


static double heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();

	return (double)mi.uordblks + (double)mi.hblkhd;
#else
	return -1;		/* no allocator statistics here */
#endif
}

/* A cheap, deterministic index generator (xorshift64*), so that the
 * lookup loop measures the lookups and not a library RNG. */
static inline uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

void bench_pagecache(struct bench_out *out, gboolean quick)
{
	uint64_t nr = quick ? UINT64_C(1) << 16 : UINT64_C(4) << 20;
	uint64_t lookups = quick ? 200000 : 20000000;
	g_autoptr(sim_engine) eng = sim_engine_new(1);
	g_autoptr(GError) error = NULL;
	/* The page lock policy: the slot's default, from the registry. */
	g_autoptr(sim_policies) reg = sim_policies_new();
	const struct sim_policy *page_lock =
		sim_policies_lookup(reg, SIM_POLICY_PAGE_LOCK,
				    sim_policy_slot(SIM_POLICY_PAGE_LOCK)->defval);
	struct address_space *file;
	struct page_cache *pc;
	struct pc_params p;
	double before, after;
	uint64_t state = UINT64_C(0x9E3779B97F4A7C15), hits = 0;
	struct bench_clock c;

	pc_params_init(&p);
	p.page_lock_ops = page_lock->ops;
	p.nr_pages = nr + nr / 4;	/* room above the watermarks */
	p.kswapd = false;
	pc = pc_new(eng, &p, &error);
	g_assert_no_error(error);
	file = pc_mapping_new(pc, "bench", nr, 0, &error);
	g_assert_no_error(error);

	before = heap_in_use();
	bench_clock_start(&c);
	for (pgoff_t i = 0; i < nr; i++) {
		struct page *page;
		int err = add_to_page_cache_lru(NULL, file, i, PC_GFP_NOWAIT, &page);

		g_assert(err == 0);
		unlock_page(page);
		put_page(page);
	}
	bench_clock_stop(&c);
	after = heap_in_use();
	bench_figure(out, "pagecache.bytes_per_page",
		     before < 0 ? -1.0 : (after - before) / (double)nr, 2);
	bench_rate(out, "pagecache.insert", (double)nr, &c);

	bench_clock_start(&c);
	for (uint64_t i = 0; i < lookups; i++) {
		struct page *page = find_get_page(file, next_random(&state) % nr);

		if (page) {
			hits++;
			put_page(page);
		}
	}
	bench_clock_stop(&c);
	g_assert(hits == lookups);
	bench_rate(out, "pagecache.lookup", (double)lookups, &c);
	pc_free(pc);
}
