/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim calibrate: the microbenchmarks run on this host's kernel.
 *
 * Each benchmark measures one thing the model has a key or a prediction
 * for, with the kernel path it goes through (what is named is the 6.x
 * path: mm/memory.c handle_mm_fault() and below):
 *
 *  minor	a write to each page of a fresh private anonymous mapping
 *		(MADV_NOHUGEPAGE: one 4 KiB page per fault): do_anonymous_page(),
 *		timed per access; p50, p90, p99.  A first round of the same
 *		size is not timed: on a virtual machine a page the guest has
 *		not touched for a while may cost the host a fault of its own
 *		(10 us at p90 of a first round here, 1.4 us after it), which
 *		is the hypervisor's, not this kernel's fault path.
 *  file	read faults on a cached file (MAP_SHARED, PROT_READ) in DIR:
 *		one pass over every page counts the faults (getrusage minflt)
 *		to give the pages fault-around maps per fault
 *		(do_fault_around() -> filemap_map_pages()); a second pass on a
 *		fresh mapping times each touch, and those that faulted (minflt
 *		moved) are faults that mapped a window; one-page mappings
 *		(separate VMAs: fault-around clamps to the VMA) time a fault
 *		that maps one page.  The cost of an extra page is the
 *		difference over the extra pages.
 *  disk	4 KiB and 128 KiB O_DIRECT reads at queue depth 1 at random
 *		offsets of a file in DIR, p50 and p90; then the file's page
 *		cache dropped (fsync, POSIX_FADV_DONTNEED, checked with
 *		mincore()) and touched through a MADV_RANDOM mapping (no
 *		read-around: do_sync_mmap_readahead() returns at VM_RAND_READ,
 *		so a fault reads its page, not read_ahead_kb around it) at
 *		random pages: the touches that were major faults (getrusage
 *		majflt), p50.
 *  wakeup	a thread sleeping in FUTEX_WAIT woken by FUTEX_WAKE from
 *		another CPU every 50 us: from the waker's clock read before
 *		the wake to the sleeper's first clock read; p50, p90.
 *  cacheline	two threads pinned to two CPUs (sched_setaffinity) passing a
 *		counter through one atomic word: a round trip moves the line
 *		twice; timed in batches of 1000 round trips, the 10th
 *		percentile of the batches (the others include time a thread
 *		was not running).
 *  ipi		mprotect() toggling PROT_WRITE on one present page, pinned to
 *		a CPU, alone and with a thread of the same mm spinning on a
 *		second CPU and reading the clock: every call then sends that
 *		CPU a TLB-flush IPI and waits for it.  ipi.wait: the call's
 *		time with the sibling less alone; ipi.target: the sibling's
 *		clock steps longer than 4 pairs of reads during the calls,
 *		less its steps over 20 ms without calls (ticks, neighbours)
 *		scaled to the same time, per call.  Medians of 3 (--quick)
 *		or 7 rounds.
 *  writer	4 threads writing each page of their own part of one shared
 *		anonymous VMA (MADV_DONTNEED on their part when done, that time
 *		left out of the rate; thread i pinned to the (i mod n)-th
 *		CPU the process may use, if it may use more than one), alone,
 *		then with a thread that
 *		mprotect()s 16 pages of another VMA, then 16 pages in the
 *		middle of the faulting VMA (splitting it in three and merging
 *		it back: vma_start_write() on it), sleeping 20 us between calls;
 *		faults per CPU-second (faults over the process's CPU time,
 *		zapping left out: on a shared machine neighbours change how
 *		many CPUs it gets, not the CPU time a fault takes), the p50 of
 *		the timed touches and the CPUs the process got (CPU time over
 *		wall time).  The three cases
 *		run in turn, round after round, each figure the median round,
 *		so that a neighbour's load falls on all alike.  The writer's
 *		mprotect() alone, its achieved interval and its own CPU time
 *		per call (RUSAGE_THREAD: the call, the sleep, the wake-up)
 *		are kept for the
 *		simulation.
 *  smaps	one read of /proc/self/smaps (64 KiB read() calls) with about
 *		250 VMAs: its duration, the read() calls it took and the p50
 *		of their durations.  Each read() is one seq_file buffer fill
 *		(seq_read_iter() stops at the first record that overflows the
 *		page-sized buffer): m_start() takes mmap_lock, m_stop() drops
 *		it, so a read() call bounds one hold of the lock (6.17 and
 *		later read maps under per-VMA locks, smaps still under
 *		mmap_lock: it walks page tables).
 *
 * Nothing here is made up: a benchmark that cannot run (no O_DIRECT on
 * the file system, one CPU, not permitted, the page cache not dropped)
 * records why, and its figures are skipped.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli/calibrate.h"

#define PAGE		4096ul

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @q quantile of @n values (sorted in place). */
static double quantile(double *v, size_t n, double q)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[MIN(i, n - 1)];
}

static size_t scaled(const struct cal_options *o, size_t quick, size_t full)
{
	double n = (double)(o->quick ? quick : full) * o->scale;

	return n < 8 ? 8 : (size_t)n;
}

static long rusage_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

static long rusage_majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_majflt;
}

/* ------------------------------------------------------------------ */
/* minor: anonymous faults */

static void bench_minor(const struct cal_options *o, struct cal_values *v, double ovh)
{
	size_t pages = scaled(o, 8192, 32768), rounds = o->quick ? 2 : 4, k = 0;
	g_autofree double *lat = g_new(double, pages * rounds);

	/* Round 0 is not timed: it warms the memory the next rounds get. */
	for (size_t r = 0; r <= rounds; r++) {
		volatile char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			cal_skip(v, "minor", "mmap of %zu KiB: %s", pages * 4, g_strerror(errno));
			return;
		}
		madvise((void *)p, pages * PAGE, MADV_NOHUGEPAGE);
		for (size_t i = 0; i < pages; i++) {
			uint64_t t0 = now_ns();

			p[i * PAGE] = 1;
			if (r > 0)
				lat[k++] = (double)(now_ns() - t0) - ovh;
		}
		munmap((void *)p, pages * PAGE);
	}
	cal_set(v, "minor.p50", quantile(lat, k, 0.50));
	cal_set(v, "minor.p90", quantile(lat, k, 0.90));
	cal_set(v, "minor.p99", quantile(lat, k, 0.99));
}

/* ------------------------------------------------------------------ */
/* Files in DIR */

/* A file of @size bytes in @dir, written through the page cache; its
 * path in @path (the caller unlinks it).  -1 and a reason on failure. */
static int make_file(const char *dir, size_t size, char **path, char **why)
{
	g_autofree char *buf = g_malloc(1 << 20);
	int fd;

	*path = g_build_filename(dir, "faultsim-calibrate-XXXXXX", NULL);
	fd = g_mkstemp(*path);
	if (fd < 0) {
		*why = g_strdup_printf("cannot make a file in %s: %s", dir, g_strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < (1 << 20); i++)
		buf[i] = (char)(i * 7 + 1);
	for (size_t off = 0; off < size; off += 1 << 20) {
		size_t n = MIN((size_t)1 << 20, size - off);

		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) {
			*why = g_strdup_printf("cannot write %s: %s", *path, g_strerror(errno));
			close(fd);
			unlink(*path);
			return -1;
		}
	}
	return fd;
}

/*
 * The largest page-cache folio, in pages, of the filesystem of @dir on
 * this kernel: MAX_PAGECACHE_ORDER (a PMD, 512 pages on x86-64) where
 * the filesystem calls mapping_set_large_folios() -- ext4 since 6.16
 * (7ac67301e82f), xfs since 5.18 (6795801366da) -- else 1.  Another
 * filesystem counts as one with large folios if fault-around mapped more
 * than its 16-page window a fault (@pages_per_fault).
 */
static double fs_max_folio(const char *dir, double pages_per_fault)
{
	struct statfs sf;
	struct utsname u;
	int major = 0, minor = 0;
	bool large = false;

	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &major, &minor);
	if (statfs(dir, &sf) == 0) {
		if (sf.f_type == 0xEF53)		/* EXT4_SUPER_MAGIC */
			large = major > 6 || (major == 6 && minor >= 16);
		else if (sf.f_type == 0x58465342)	/* XFS_SUPER_MAGIC */
			large = major > 5 || (major == 5 && minor >= 18);
	}
	if (pages_per_fault > 24)
		large = true;
	return large ? 512 : 1;
}

static void bench_file(const struct cal_options *o, struct cal_values *v, double ovh)
{
	size_t pages = scaled(o, 2048, 8192), singles = MIN(pages / 2, scaled(o, 512, 2048));
	g_autofree char *path = NULL, *why = NULL;
	g_autofree double *lat = g_new(double, pages);
	g_autofree double *run = g_new(double, pages);
	g_autoptr(GPtrArray) maps = g_ptr_array_new();
	volatile char *p;
	size_t k = 0, last = 0;
	double run50 = NAN;
	double per;
	long f0, faults;
	double around, one;
	int fd = make_file(o->dir, pages * PAGE, &path, &why);

	if (fd < 0) {
		cal_skip(v, "file", "%s", why);
		return;
	}
	unlink(path);
	/* Every page once: how many pages a fault maps. */
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		cal_skip(v, "file", "mmap of the file: %s", g_strerror(errno));
		close(fd);
		return;
	}
	f0 = rusage_minflt();
	for (size_t i = 0; i < pages; i++)
		(void)p[i * PAGE];
	faults = rusage_minflt() - f0;
	munmap((void *)p, pages * PAGE);
	if (faults <= 0) {
		cal_skip(v, "file", "no fault counted over %zu pages", pages);
		close(fd);
		return;
	}
	cal_set(v, "file.pages", (double)pages / (double)faults);
	/* Again on a fresh mapping, each touch timed: the touches that
	 * faulted (minflt moved) are faults that mapped a window. */
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		for (size_t i = 0; i < pages; i++) {
			long m0 = rusage_minflt();
			uint64_t t0 = now_ns();
			double t;

			(void)p[i * PAGE];
			t = (double)(now_ns() - t0) - ovh;
			if (rusage_minflt() > m0) {
				/* The previous fault mapped the pages touched
				 * since it (a sequential pass). */
				if (k)
					run[k - 1] = (double)(i - last);
				last = i;
				lat[k++] = t;
			}
		}
		munmap((void *)p, pages * PAGE);
		if (k) {
			run[k - 1] = (double)(pages - last);
			run50 = quantile(run, k, 0.5);
		}
	}
	around = k ? quantile(lat, k, 0.5) : NAN;
	/* One-page VMAs of every other page: no two merge. */
	k = 0;
	for (size_t i = 0; i < singles; i++) {
		void *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)(2 * i * PAGE));

		if (m == MAP_FAILED)
			break;
		g_ptr_array_add(maps, m);
	}
	for (guint i = 0; i < maps->len; i++) {
		volatile char *m = maps->pdata[i];
		uint64_t t0 = now_ns();

		(void)m[0];
		lat[k++] = (double)(now_ns() - t0) - ovh;
	}
	for (guint i = 0; i < maps->len; i++)
		munmap(maps->pdata[i], PAGE);
	close(fd);
	if (k < 8 || isnan(around)) {
		cal_skip(v, "file.fault1", "could not map one-page VMAs of the file");
		return;
	}
	one = quantile(lat, k, 0.5);
	cal_set(v, "file.fault1", one);
	cal_set(v, "file.around", around);
	per = (double)pages / (double)faults;
	cal_set(v, "file.max_folio", fs_max_folio(o->dir, per));
	/* The p50 fault against the p50 of the pages a fault mapped (with
	 * large folios mapped whole, faults differ: 256 pages, or a
	 * window's 16). */
	if (!isnan(run50) && run50 > 1.5)
		per = run50;
	if (per > 1.5)
		cal_set(v, "file.per_page", MAX(0.0, (around - one) / (per - 1)));
	else
		cal_skip(v, "file.per_page", "fault-around maps one page a fault here");
}

/* ------------------------------------------------------------------ */
/* disk: O_DIRECT reads and major faults */

static void bench_direct(int dfd, size_t pages, size_t bytes, size_t n, double *p50, double *p90)
{
	g_autofree double *lat = g_new(double, n);
	void *buf = NULL;
	GRand *rng = g_rand_new_with_seed(1);
	size_t k = 0;

	if (posix_memalign(&buf, PAGE, bytes) != 0) {
		g_rand_free(rng);
		*p50 = *p90 = NAN;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t slots = pages / (bytes / PAGE);
		off_t off = (off_t)((size_t)g_rand_int_range(rng, 0, (gint32)slots) * bytes);
		uint64_t t0 = now_ns();

		if (pread(dfd, buf, bytes, off) == (ssize_t)bytes)
			lat[k++] = (double)(now_ns() - t0);
	}
	free(buf);
	g_rand_free(rng);
	*p50 = k ? quantile(lat, k, 0.5) : NAN;
	*p90 = k ? quantile(lat, k, 0.9) : NAN;
}

static void bench_disk(const struct cal_options *o, struct cal_values *v, double ovh)
{
	size_t pages = scaled(o, 4096, 16384), n4 = scaled(o, 300, 1500), n128 = scaled(o, 60, 300);
	g_autofree char *path = NULL, *why = NULL;
	g_autofree double *lat = NULL;
	g_autofree unsigned char *vec = NULL;
	volatile char *p;
	size_t resident = 0, k = 0, touches;
	double p50, p90;
	int dfd, fd = make_file(o->dir, pages * PAGE, &path, &why);

	if (fd < 0) {
		cal_skip(v, "disk", "%s", why);
		cal_skip(v, "major", "%s", why);
		return;
	}
	if (fsync(fd) != 0) {
		cal_skip(v, "disk", "fsync of %s: %s", path, g_strerror(errno));
		cal_skip(v, "major", "fsync of %s: %s", path, g_strerror(errno));
		close(fd);
		unlink(path);
		return;
	}
	dfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	unlink(path);
	if (dfd < 0) {
		cal_skip(v, "disk", "O_DIRECT open of a file in %s: %s", o->dir, g_strerror(errno));
	} else {
		bench_direct(dfd, pages, 4096, n4, &p50, &p90);
		if (isnan(p50)) {
			cal_skip(v, "disk", "O_DIRECT reads in %s failed", o->dir);
		} else {
			cal_set(v, "disk.read4k.p50", p50);
			cal_set(v, "disk.read4k.p90", p90);
			bench_direct(dfd, pages, 128 * 1024, n128, &p50, &p90);
			if (!isnan(p50))
				cal_set(v, "disk.read128k.p50", p50);
		}
		close(dfd);
	}

	/* Major faults: the file out of the page cache, checked. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		cal_skip(v, "major", "mmap of the file: %s", g_strerror(errno));
		close(fd);
		return;
	}
	vec = g_malloc(pages);
	if (mincore((void *)p, pages * PAGE, vec) == 0)
		for (size_t i = 0; i < pages; i++)
			resident += vec[i] & 1;
	if (resident > pages / 100) {
		cal_skip(v, "major", "POSIX_FADV_DONTNEED left %zu of %zu pages cached in %s",
			 resident, pages, o->dir);
	} else {
		/* One touch per 4 pages, in a shuffled order. */
		madvise((void *)p, pages * PAGE, MADV_RANDOM);
		touches = MIN(pages / 4, scaled(o, 200, 1000));
		lat = g_new(double, touches);
		for (size_t i = 0; i < touches; i++) {
			size_t page = ((i * 7919) % (pages / 4)) * 4 + 1;
			long m0 = rusage_majflt();
			uint64_t t0 = now_ns();

			(void)p[page * PAGE];
			double t = (double)(now_ns() - t0) - ovh;

			if (rusage_majflt() > m0)
				lat[k++] = t;
		}
		if (k < 8)
			cal_skip(v, "major", "only %zu of %zu touches were major faults", k, touches);
		else
			cal_set(v, "major.p50", quantile(lat, k, 0.5));
	}
	munmap((void *)p, pages * PAGE);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* wakeup: futex ping-pong */

struct wake_ctx {
	_Atomic int word;
	_Atomic uint64_t stamp;
	size_t n;
	double *lat;
};

static void futex_wait(_Atomic int *w, int val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic int *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *wake_sleeper(void *arg)
{
	struct wake_ctx *c = arg;

	for (size_t i = 0; i < c->n; i++) {
		while (atomic_load(&c->word) == 0)
			futex_wait(&c->word, 0);
		c->lat[i] = (double)(now_ns() - atomic_load(&c->stamp));
		atomic_store(&c->word, 0);
		futex_wake(&c->word);
	}
	return NULL;
}

static void bench_wakeup(const struct cal_options *o, struct cal_values *v)
{
	struct wake_ctx c = { .n = scaled(o, 4000, 20000) };
	struct timespec gap = { 0, 50000 };
	pthread_t t;

	c.lat = g_new(double, c.n);
	if (pthread_create(&t, NULL, wake_sleeper, &c) != 0) {
		cal_skip(v, "wakeup", "cannot start a thread");
		g_free(c.lat);
		return;
	}
	for (size_t i = 0; i < c.n; i++) {
		nanosleep(&gap, NULL);	/* the sleeper is asleep by now */
		atomic_store(&c.stamp, now_ns());
		atomic_store(&c.word, 1);
		futex_wake(&c.word);
		while (atomic_load(&c.word) == 1)
			futex_wait(&c.word, 1);
	}
	pthread_join(t, NULL);
	cal_set(v, "wakeup.p50", quantile(c.lat, c.n, 0.5));
	cal_set(v, "wakeup.p90", quantile(c.lat, c.n, 0.9));
	g_free(c.lat);
}

/* ------------------------------------------------------------------ */
/* cacheline: atomic ping-pong between two pinned CPUs */

#define CACHELINE_BATCH	1000

struct pingpong {
	_Alignas(64) _Atomic uint64_t word;
	uint64_t rounds;
	int cpu;
	int failed;
};

static bool pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

static void *pong(void *arg)
{
	struct pingpong *pp = arg;

	if (!pin(pp->cpu)) {
		pp->failed = errno;
		atomic_store(&pp->word, UINT64_MAX);
		return NULL;
	}
	for (uint64_t i = 0; i < pp->rounds; i++) {
		while (atomic_load_explicit(&pp->word, memory_order_acquire) != 2 * i + 1)
			if (atomic_load(&pp->word) == UINT64_MAX)
				return NULL;
		atomic_store_explicit(&pp->word, 2 * i + 2, memory_order_release);
	}
	return NULL;
}

static void bench_cacheline(const struct cal_options *o, struct cal_values *v)
{
	struct pingpong pp;
	cpu_set_t old, set;
	int cpus[2], n = 0;
	pthread_t t;
	uint64_t t0, t1, batches;
	g_autofree double *batch = NULL;

	if (sched_getaffinity(0, sizeof(old), &old) != 0) {
		cal_skip(v, "cacheline", "sched_getaffinity: %s", g_strerror(errno));
		return;
	}
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &old))
			cpus[n++] = c;
	if (n < 2) {
		cal_skip(v, "cacheline", "only one CPU to run on");
		return;
	}
	pp = (struct pingpong){ .rounds = scaled(o, 200000, 1000000), .cpu = cpus[1] };
	pp.rounds = MAX(pp.rounds / CACHELINE_BATCH, 10) * CACHELINE_BATCH;
	if (!pin(cpus[0])) {
		cal_skip(v, "cacheline", "sched_setaffinity: %s", g_strerror(errno));
		return;
	}
	if (pthread_create(&t, NULL, pong, &pp) != 0) {
		cal_skip(v, "cacheline", "cannot start a thread");
		sched_setaffinity(0, sizeof(old), &old);
		return;
	}
	batches = pp.rounds / CACHELINE_BATCH;
	batch = g_new(double, batches);
	for (uint64_t b = 0, i = 0; b < batches; b++) {
		t0 = now_ns();
		for (uint64_t end = i + CACHELINE_BATCH; i < end; i++) {
			atomic_store_explicit(&pp.word, 2 * i + 1, memory_order_release);
			while (atomic_load_explicit(&pp.word, memory_order_acquire) != 2 * i + 2)
				if (atomic_load(&pp.word) == UINT64_MAX)
					break;
			if (atomic_load(&pp.word) == UINT64_MAX)
				break;
		}
		t1 = now_ns();
		batch[b] = (double)(t1 - t0) / (2.0 * CACHELINE_BATCH);
	}
	pthread_join(t, NULL);
	set = old;
	sched_setaffinity(0, sizeof(set), &set);
	if (pp.failed) {
		cal_skip(v, "cacheline", "sched_setaffinity: %s", g_strerror(pp.failed));
		return;
	}
	/* The 10th percentile: a batch during which either thread lost its
	 * CPU (to a neighbour on a shared machine) measures that instead. */
	cal_set(v, "cacheline", quantile(batch, batches, 0.1));
}

/* ------------------------------------------------------------------ */
/* ipi: the TLB-flush IPI of an mprotect(), as user space sees it */

struct ipi_sibling {
	int cpu;
	uint64_t thresh;		/* a clock step longer than this is a gap */
	_Atomic int stop, counting, ready, failed;
	_Atomic uint64_t gap_ns;	/* gaps while counting */
};

/* A thread of the same mm spinning on another CPU, reading the clock:
 * the time it loses (to the flush IPIs, and to anything else) shows as
 * steps of the clock longer than its loop. */
static void *ipi_spin(void *arg)
{
	struct ipi_sibling *s = arg;
	uint64_t prev;

	if (!pin(s->cpu)) {
		atomic_store(&s->failed, errno);
		atomic_store(&s->ready, 1);
		return NULL;
	}
	prev = now_ns();
	atomic_store(&s->ready, 1);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		uint64_t t = now_ns();

		if (t - prev > s->thresh &&
		    atomic_load_explicit(&s->counting, memory_order_relaxed))
			atomic_fetch_add_explicit(&s->gap_ns, t - prev, memory_order_relaxed);
		prev = t;
	}
	return NULL;
}

/* @n mprotect()s of @page, toggling PROT_WRITE: the time of one. */
static double ipi_toggles(char *page, size_t n)
{
	uint64_t t0 = now_ns();

	for (size_t i = 0; i < n; i++)
		mprotect(page, PAGE, i % 2 ? PROT_READ | PROT_WRITE : PROT_READ);
	mprotect(page, PAGE, PROT_READ | PROT_WRITE);
	return (double)(now_ns() - t0) / (double)(n + 1);
}

static void bench_ipi(const struct cal_options *o, struct cal_values *v, double ovh)
{
	size_t n = scaled(o, 2000, 10000);
	int rounds = o->quick ? 3 : 7, cpus[2], nc = 0;
	double alone[7], with[7], target[7];
	cpu_set_t old;
	char *page;

	if (sched_getaffinity(0, sizeof(old), &old) != 0) {
		cal_skip(v, "ipi", "sched_getaffinity: %s", g_strerror(errno));
		return;
	}
	for (int c = 0; c < CPU_SETSIZE && nc < 2; c++)
		if (CPU_ISSET(c, &old))
			cpus[nc++] = c;
	if (nc < 2) {
		cal_skip(v, "ipi", "only one CPU to run on");
		return;
	}
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		cal_skip(v, "ipi", "mmap: %s", g_strerror(errno));
		return;
	}
	page[0] = 1;			/* present: its mprotect() flushes it */
	if (!pin(cpus[0])) {
		cal_skip(v, "ipi", "sched_setaffinity: %s", g_strerror(errno));
		goto out;
	}
	for (int r = 0; r < rounds; r++) {
		struct ipi_sibling s = { .cpu = cpus[1] };
		uint64_t t0, base, g0, g1;
		pthread_t t;
		double dur;

		cal_progress(o->progress, "TLB-flush IPIs round %d/%d", r + 1, rounds);
		/* Alone: no other thread of this mm runs anywhere. */
		alone[r] = ipi_toggles(page, n);
		/* A clock step 4 pairs of reads long is a gap (at least 100 ns). */
		s.thresh = (uint64_t)MAX(100.0, 4 * ovh);
		if (pthread_create(&t, NULL, ipi_spin, &s) != 0) {
			cal_skip(v, "ipi", "cannot start a thread");
			goto out;
		}
		while (!atomic_load(&s.ready))
			;
		if (atomic_load(&s.failed)) {
			atomic_store(&s.stop, 1);
			pthread_join(t, NULL);
			cal_skip(v, "ipi", "sched_setaffinity: %s", g_strerror(atomic_load(&s.failed)));
			goto out;
		}
		/* The sibling's gaps without flushes: over the toggles' time. */
		atomic_store(&s.counting, 1);
		t0 = now_ns();
		g0 = atomic_load(&s.gap_ns);
		{
			struct timespec d = { 0, 20 * 1000000 };

			nanosleep(&d, NULL);
		}
		g1 = atomic_load(&s.gap_ns);
		dur = (double)(now_ns() - t0);
		base = g1 - g0;
		/* With the sibling running: every mprotect() sends it an IPI
		 * and waits for it. */
		g0 = atomic_load(&s.gap_ns);
		t0 = now_ns();
		with[r] = ipi_toggles(page, n);
		g1 = atomic_load(&s.gap_ns);
		target[r] = ((double)(g1 - g0) -
			     (double)base / dur * (double)(now_ns() - t0)) / (double)(n + 1);
		atomic_store(&s.stop, 1);
		pthread_join(t, NULL);
	}
	cal_set(v, "ipi.wait", MAX(0.0, quantile(with, (size_t)rounds, 0.5) -
				       quantile(alone, (size_t)rounds, 0.5)));
	cal_set(v, "ipi.target", MAX(0.0, quantile(target, (size_t)rounds, 0.5)));
out:
	sched_setaffinity(0, sizeof(old), &old);
	munmap(page, PAGE);
}

/* ------------------------------------------------------------------ */
/* writer: mprotect against 4 faulting threads */

#define WRITER_FAULTERS	4
#define WRITER_PAGES	16

struct writer_run {
	char *vma;			/* the faulting VMA */
	size_t slice;			/* pages per faulting thread */
	char *target;			/* what the writer mprotects, or NULL */
	_Atomic int stop;
	uint64_t duration;
	/* per faulting thread */
	uint64_t faults[WRITER_FAULTERS], zap_ns[WRITER_FAULTERS];
	double *lat[WRITER_FAULTERS];
	size_t nlat[WRITER_FAULTERS], maxlat;
	/* the writer */
	uint64_t ops, sleep_ns, cpu_ns;	/* cpu_ns: the writer thread's CPU time */
	double zap_fraction;		/* of the faulting threads' time */
	/* faulting thread i pinned to cpu[i % nr_cpus]; nr_cpus 0: unpinned */
	int cpu[CPU_SETSIZE], nr_cpus;
	_Atomic int pin_failed;		/* errno of a failed sched_setaffinity() */
};

struct faulter {
	struct writer_run *w;
	int id;
};

/* The page @i of thread @id's part: two parts, the writer's pages, two
 * parts. */
static volatile char *faulter_page(struct writer_run *w, int id, size_t i)
{
	size_t base = (size_t)id * w->slice + (id >= WRITER_FAULTERS / 2 ? WRITER_PAGES : 0);

	return (volatile char *)w->vma + (base + i) * PAGE;
}

static void *faulter(void *arg)
{
	struct faulter *f = arg;
	struct writer_run *w = f->w;
	int id = f->id;

	if (w->nr_cpus && !pin(w->cpu[id % w->nr_cpus]))
		atomic_store(&w->pin_failed, errno);

	while (!atomic_load(&w->stop)) {
		uint64_t z;

		for (size_t i = 0; i < w->slice && !atomic_load(&w->stop); i++) {
			uint64_t t0 = now_ns();

			*faulter_page(w, id, i) = 1;
			if (w->nlat[id] < w->maxlat)
				w->lat[id][w->nlat[id]++] = (double)(now_ns() - t0);
			w->faults[id]++;
		}
		z = now_ns();
		madvise((void *)faulter_page(w, id, 0), w->slice * PAGE, MADV_DONTNEED);
		w->zap_ns[id] += now_ns() - z;
	}
	return NULL;
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void *writer(void *arg)
{
	struct writer_run *w = arg;
	struct timespec gap = { 0, 20000 };
	bool ro = false;
	struct rusage r0, r1;

	getrusage(RUSAGE_THREAD, &r0);

	while (!atomic_load(&w->stop)) {
		uint64_t t0;

		ro = !ro;
		mprotect(w->target, WRITER_PAGES * PAGE, ro ? PROT_READ : PROT_READ | PROT_WRITE);
		w->ops++;
		t0 = now_ns();
		nanosleep(&gap, NULL);
		w->sleep_ns += now_ns() - t0;
	}
	if (ro)
		mprotect(w->target, WRITER_PAGES * PAGE, PROT_READ | PROT_WRITE);
	getrusage(RUSAGE_THREAD, &r1);
	w->cpu_ns = (uint64_t)((tv_s(&r1.ru_utime) + tv_s(&r1.ru_stime) - tv_s(&r0.ru_utime) -
				tv_s(&r0.ru_stime)) * 1e9);
	return NULL;
}

/* One run: faults/s and the touches' p50 into @rate, @p50. */
static bool writer_case(struct writer_run *w, double *rate, double *p50)
{
	struct faulter f[WRITER_FAULTERS];
	pthread_t t[WRITER_FAULTERS], wt;
	struct timespec d = { (time_t)(w->duration / 1000000000ull),
			      (long)(w->duration % 1000000000ull) };
	uint64_t faults = 0, zap = 0;
	size_t n = 0;
	g_autofree double *all = NULL;

	atomic_store(&w->stop, 0);
	w->ops = w->sleep_ns = w->cpu_ns = 0;
	for (int i = 0; i < WRITER_FAULTERS; i++) {
		f[i] = (struct faulter){ .w = w, .id = i };
		w->faults[i] = w->zap_ns[i] = 0;
		w->nlat[i] = 0;
		if (pthread_create(&t[i], NULL, faulter, &f[i]) != 0)
			return false;
	}
	if (w->target && pthread_create(&wt, NULL, writer, w) != 0)
		return false;
	nanosleep(&d, NULL);
	atomic_store(&w->stop, 1);
	for (int i = 0; i < WRITER_FAULTERS; i++) {
		pthread_join(t[i], NULL);
		faults += w->faults[i];
		zap += w->zap_ns[i];
		n += w->nlat[i];
	}
	if (w->target)
		pthread_join(wt, NULL);
	/* Faults per second the threads spent faulting (not zapping), for
	 * the caller to turn into faults per CPU-second. */
	*rate = (double)faults /
		(((double)w->duration - (double)zap / WRITER_FAULTERS) / 1e9);
	w->zap_fraction = (double)zap / WRITER_FAULTERS / (double)w->duration;
	all = g_new(double, n ? n : 1);
	n = 0;
	for (int i = 0; i < WRITER_FAULTERS; i++) {
		memcpy(all + n, w->lat[i], w->nlat[i] * sizeof(double));
		n += w->nlat[i];
	}
	*p50 = n ? quantile(all, n, 0.5) : NAN;
	return true;
}

static void bench_writer(const struct cal_options *o, struct cal_values *v)
{
	struct writer_run w = { .slice = scaled(o, 4096, 8192) };
	size_t len = (WRITER_FAULTERS * w.slice + WRITER_PAGES) * PAGE;
	static const char *const cases[] = { "none", "other", "same" };
	char *other;
	int reps = 200, rounds = o->quick ? 3 : 5;
	double rate, alone = 0, rates[3][5], p50s[3][5], cpus[3][5], interval[5] = { 0 };
	double wcpu[5] = { 0 };
	uint64_t t0, hold;

	w.duration = (uint64_t)((o->quick ? 0.25e9 : 0.6e9) * MIN(1.0, o->scale));
	/* The faulting threads spread over the CPUs this process may use,
	 * thread i on the (i mod n)-th, as will-it-scale binds its threads:
	 * the simulation pins them the same way (pin = spread). */
	{
		cpu_set_t allowed;

		if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0 && CPU_COUNT(&allowed) > 1)
			for (int c = 0; c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &allowed))
					w.cpu[w.nr_cpus++] = c;
	}
	w.maxlat = 400000;
	w.vma = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	other = mmap(NULL, WRITER_PAGES * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w.vma == MAP_FAILED || other == MAP_FAILED) {
		cal_skip(v, "writer", "mmap: %s", g_strerror(errno));
		return;
	}
	madvise(w.vma, len, MADV_NOHUGEPAGE);
	memset(other, 1, WRITER_PAGES * PAGE);
	for (int i = 0; i < WRITER_FAULTERS; i++)
		w.lat[i] = g_new(double, w.maxlat);
	/* The writer's call alone, on the other VMA. */
	t0 = now_ns();
	for (int i = 0; i < reps; i++)
		mprotect(other, WRITER_PAGES * PAGE, i % 2 ? PROT_READ | PROT_WRITE : PROT_READ);
	hold = (now_ns() - t0) / (uint64_t)reps;
	mprotect(other, WRITER_PAGES * PAGE, PROT_READ | PROT_WRITE);
	cal_set(v, "writer.hold", (double)hold);
	/* The cases interleaved, round after round, so that a neighbour's
	 * load on a shared machine falls on all three alike; per case the
	 * median round. */
	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < 3; c++) {
			struct rusage r0, r1;

			cal_progress(o->progress, "writer (%s) round %d/%d", cases[c], r + 1, rounds);
			w.target = c == 0 ? NULL : c == 1 ? other :
				   w.vma + (WRITER_FAULTERS / 2) * w.slice * PAGE;
			getrusage(RUSAGE_SELF, &r0);
			if (!writer_case(&w, &rates[c][r], &p50s[c][r])) {
				cal_skip(v, "writer", "cannot start the threads");
				goto out;
			}
			getrusage(RUSAGE_SELF, &r1);
			cpus[c][r] = (tv_s(&r1.ru_utime) + tv_s(&r1.ru_stime) -
				      tv_s(&r0.ru_utime) - tv_s(&r0.ru_stime)) /
				     ((double)w.duration / 1e9);
			/* Faults per CPU-second of the process, the zapping
			 * left out: a shared machine's neighbours change the
			 * CPUs it gets, not what a fault costs. */
			rates[c][r] = rates[c][r] * (1 - w.zap_fraction) /
				      MAX(cpus[c][r] * (1 - w.zap_fraction), 1e-3);
			if (c == 1 && w.ops) {
				interval[r] = (double)w.sleep_ns / (double)w.ops;
				wcpu[r] = (double)w.cpu_ns / (double)w.ops;
			}
		}
	}
	for (int c = 0; c < 3; c++) {
		g_autofree char *k_rate = g_strdup_printf("writer.%s.rate", cases[c]);
		g_autofree char *k_p50 = g_strdup_printf("writer.%s.p50", cases[c]);
		g_autofree char *k_ratio = g_strdup_printf("writer.%s.ratio", cases[c]);
		g_autofree char *k_cpus = g_strdup_printf("writer.%s.cpus", cases[c]);

		rate = quantile(rates[c], (size_t)rounds, 0.5);
		cal_set(v, k_rate, rate);
		cal_set(v, k_p50, quantile(p50s[c], (size_t)rounds, 0.5));
		cal_set(v, k_cpus, quantile(cpus[c], (size_t)rounds, 0.5));
		if (c == 0)
			alone = rate;
		else if (alone > 0)
			cal_set(v, k_ratio, rate / alone);
	}
	cal_set(v, "writer.interval", quantile(interval, (size_t)rounds, 0.5));
	cal_set(v, "writer.cpu", quantile(wcpu, (size_t)rounds, 0.5));
	if (atomic_load(&w.pin_failed))
		cal_skip(v, "writer.pinned", "sched_setaffinity: %s",
			 g_strerror(atomic_load(&w.pin_failed)));
	else
		cal_set(v, "writer.pinned", w.nr_cpus);
out:
	for (int i = 0; i < WRITER_FAULTERS; i++)
		g_free(w.lat[i]);
	munmap(w.vma, len);
	munmap(other, WRITER_PAGES * PAGE);
}

/* ------------------------------------------------------------------ */
/* smaps: one read of /proc/self/smaps */

static void bench_smaps(const struct cal_options *o, struct cal_values *v)
{
	size_t extra = 240, reps = scaled(o, 20, 100), vmas = 0, nfills = 0, maxfills = 0;
	g_autofree double *lat = g_new(double, reps);
	g_autofree double *fills = g_new(double, reps);
	g_autofree double *fill = NULL;
	g_autofree char *buf = g_malloc(65536);
	g_autoptr(GPtrArray) maps = g_ptr_array_new();
	g_autofree char *text = NULL;

	/* Many small VMAs: alternate protections never merge. */
	for (size_t i = 0; i < extra; i++) {
		char *m = mmap(NULL, PAGE, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			break;
		g_ptr_array_add(maps, m);
	}
	if (g_file_get_contents("/proc/self/maps", &text, NULL, NULL))
		for (const char *s = text; *s; s++)
			vmas += *s == '\n';
	/* Each read() is one seq_file buffer fill under one mmap_lock hold
	 * (seq_read_iter(): m_start() .. m_stop(), the buffer a page until a
	 * record does not fit): timed one by one, they bound the hold. */
	maxfills = reps * (vmas + 16);
	fill = g_new(double, maxfills);
	for (size_t r = 0; r < reps; r++) {
		int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
		uint64_t t0, f0;
		ssize_t n;

		if (fd < 0) {
			cal_skip(v, "smaps", "/proc/self/smaps: %s", g_strerror(errno));
			goto out;
		}
		fills[r] = 0;
		t0 = f0 = now_ns();
		while ((n = read(fd, buf, 65536)) > 0) {
			uint64_t f1 = now_ns();

			if (nfills < maxfills)
				fill[nfills++] = (double)(f1 - f0);
			fills[r]++;
			f0 = f1;
		}
		lat[r] = (double)(now_ns() - t0);
		close(fd);
	}
	cal_set(v, "smaps.read", quantile(lat, reps, 0.5));
	cal_set(v, "smaps.fills", quantile(fills, reps, 0.5));
	if (nfills)
		cal_set(v, "smaps.fill.p50", quantile(fill, nfills, 0.5));
	cal_set(v, "smaps.vmas", (double)vmas);
out:
	for (guint i = 0; i < maps->len; i++)
		munmap(maps->pdata[i], PAGE);
}

void cal_measure_host(const struct cal_options *o, struct cal_values *v)
{
	double ovh, pairs[256];

	/* The cost of a pair of clock reads, taken off each timed access. */
	for (int i = 0; i < 256; i++) {
		uint64_t a = now_ns(), b = now_ns();

		pairs[i] = (double)(b - a);
	}
	ovh = quantile(pairs, 256, 0.5);
	v->cpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	cal_progress(o->progress, "minor faults (1/8)");
	bench_minor(o, v, ovh);
	cal_progress(o->progress, "file faults and fault-around in %s (2/8)", o->dir);
	bench_file(o, v, ovh);
	cal_progress(o->progress, "O_DIRECT reads and major faults in %s (3/8)", o->dir);
	bench_disk(o, v, ovh);
	cal_progress(o->progress, "wake-ups (4/8)");
	bench_wakeup(o, v);
	cal_progress(o->progress, "cache-line transfers (5/8)");
	bench_cacheline(o, v);
	cal_progress(o->progress, "TLB-flush IPIs (6/8)");
	bench_ipi(o, v, ovh);
	cal_progress(o->progress, "writer against 4 faulting threads (7/8)");
	bench_writer(o, v);
	cal_progress(o->progress, "/proc/self/smaps (8/8)");
	bench_smaps(o, v);
}
