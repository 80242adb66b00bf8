/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Vectors of the machine's state over simulated time (see record.h).  The
 * probes read the kernel model through its own functions
 * (sim_cpus_nr_queued(), sim_disk_nr_in_system(), rwsem_nr_waiters(),
 * pc_nr_dirty(), ...) and the fault counters the kernel model registers;
 * they never change the model's state.
 */
#include "config.h"

#include <string.h>

#include "sim/core/stats.h"
#include "sim/core/units.h"
#include "sim/kernel/rwsem.h"
#include "sim/model/machine.h"
#include "sim/model/record.h"
#include "sim/model/workload.h"

enum series {
	SERIES_RUN_QUEUE,
	SERIES_DISK_QUEUE,
	SERIES_MMAP_SEM_WAITERS,
	SERIES_VMA_LOCK_WAITERS,
	SERIES_FAULTS,
	SERIES_MAJOR_FAULTS,
	SERIES_DIRTY,
	SERIES_FREE,
	SERIES_CACHE,
	NR_SERIES
};

static const struct {
	const char *unit;
	const char *interpolation;
	const char *what;
} series_info[NR_SERIES] = {
	[SERIES_RUN_QUEUE] = { "tasks", "sample-hold",
			       "runnable tasks waiting in the run queue for a CPU (not running)" },
	[SERIES_DISK_QUEUE] = { "requests", "sample-hold",
				"requests in the disk: queued in the scheduler and in flight" },
	[SERIES_MMAP_SEM_WAITERS] = { "tasks", "sample-hold",
				      "tasks asleep waiting for the process's mmap_sem (readers "
				      "and writers; optimistic spinners not counted)" },
	[SERIES_VMA_LOCK_WAITERS] = { "tasks", "sample-hold",
				      "tasks asleep in vma_start_write() waiting for the per-VMA "
				      "readers of a VMA of the process to leave (kernels with "
				      "per-VMA locks)" },
	[SERIES_FAULTS] = { "faults", "backward-sample-hold",
			    "page faults taken in the interval that ends at the sample "
			    "(fault.faults counted per interval)" },
	[SERIES_MAJOR_FAULTS] = { "faults", "backward-sample-hold",
				  "major faults in the interval that ends at the sample "
				  "(fault.majfault counted per interval)" },
	[SERIES_DIRTY] = { "pages", "sample-hold", "dirty page-cache pages (NR_FILE_DIRTY)" },
	[SERIES_FREE] = { "pages", "sample-hold", "free page frames of memory.limit" },
	[SERIES_CACHE] = { "pages", "sample-hold",
			   "file pages in the page cache (not swap-backed)" },
};

const char *const sim_record_series_names[] = {
	[SERIES_RUN_QUEUE] = "runQueue",
	[SERIES_DISK_QUEUE] = "diskQueue",
	[SERIES_MMAP_SEM_WAITERS] = "mmapSemWaiters",
	[SERIES_VMA_LOCK_WAITERS] = "vmaLockWaiters",
	[SERIES_FAULTS] = "faultsPerInterval",
	[SERIES_MAJOR_FAULTS] = "majorFaultsPerInterval",
	[SERIES_DIRTY] = "dirtyPages",
	[SERIES_FREE] = "freePages",
	[SERIES_CACHE] = "cachePages",
	[NR_SERIES] = NULL,
};

/* One vector and what it reads. */
struct probe {
	enum series series;
	const void *obj;		/* cpus, disk, rwsem, page cache */
	const uint64_t *counter;	/* SERIES_FAULTS, SERIES_MAJOR_FAULTS */
	uint64_t last;			/* the counter at the last boundary */
	struct sim_vector *vec;
};

struct sim_record {
	struct sim_engine *eng;
	sim_time_t interval;
	GArray *probes;			/* struct probe */
};

/* ---- keys ------------------------------------------------------------------ */

/* The series record.vectors names: a bit per series; FALSE with the bad
 * name in *@bad. */
static gboolean parse_series(const char *text, unsigned int *mask, char **bad)
{
	g_auto(GStrv) names = g_strsplit_set(text, ", \t", -1);

	*mask = 0;
	for (char **n = names; *n; n++) {
		unsigned int i;

		if (!**n)
			continue;
		if (!strcmp(*n, "all")) {
			*mask |= (1u << NR_SERIES) - 1;
			continue;
		}
		for (i = 0; i < NR_SERIES; i++)
			if (!strcmp(*n, sim_record_series_names[i]))
				break;
		if (i == NR_SERIES) {
			*bad = g_strdup(*n);
			return FALSE;
		}
		*mask |= 1u << i;
	}
	return TRUE;
}

static char *series_list(void)
{
	g_autoptr(GString) s = g_string_new("all");

	for (unsigned int i = 0; i < NR_SERIES; i++)
		g_string_append_printf(s, ", %s", sim_record_series_names[i]);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static gboolean check_vectors(const struct sim_key_def *def, const struct sim_run_config *cfg,
			      const char *key, GError **error)
{
	g_autofree char *bad = NULL;
	g_autofree char *list = NULL;
	unsigned int mask;

	(void)def;
	if (parse_series(sim_config_get_string(cfg, key), &mask, &bad))
		return TRUE;
	list = series_list();
	g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
		    "bad series '%s': accepted are a list (commas or spaces) of %s", bad, list);
	return FALSE;
}

/* Samples a vector gets: the boundaries in (warm-up, limit]. */
static uint64_t samples_of(const struct sim_run_config *cfg, sim_time_t interval)
{
	sim_time_t limit = sim_config_get_time(cfg, "sim-time-limit");
	sim_time_t warmup = sim_config_get_time(cfg, "warmup-period");

	if (interval <= 0 || warmup >= limit)
		return 0;
	return (uint64_t)(limit / interval - warmup / interval);
}

static gboolean check_interval(const struct sim_key_def *def, const struct sim_run_config *cfg,
			       const char *key, GError **error)
{
	sim_time_t interval = sim_config_get_time(cfg, key);
	sim_time_t span = sim_config_get_time(cfg, "sim-time-limit") -
			  sim_config_get_time(cfg, "warmup-period");
	uint64_t n = samples_of(cfg, interval);
	g_autofree char *iv = NULL, *sp = NULL, *least = NULL;

	(void)def;
	if (n <= SIM_RECORD_MAX_SAMPLES)
		return TRUE;
	iv = sim_format_time(interval);
	sp = sim_format_time(span);
	least = sim_format_time(span / SIM_RECORD_MAX_SAMPLES + 1);
	g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
		    "%s makes %" G_GUINT64_FORMAT " samples a vector over the %s the run "
		    "measures (sim-time-limit less warmup-period); accepted are 0 (no vectors) "
		    "or an interval that makes at most %d: here at least %s", iv, n, sp,
		    SIM_RECORD_MAX_SAMPLES, least);
	return FALSE;
}

static const struct sim_key_def record_keys[] = {
	{ .name = "record.interval", .type = SIM_KEY_TIME, .defval = "0", .min = "0",
	  .help = "sample the vectors every this much simulated time (0: no vectors; at most "
		  "100000 samples a vector over the run)",
	  .check_run = check_interval },
	{ .name = "record.vectors", .type = SIM_KEY_STRING, .defval = "all",
	  .help = "the vectors to record: all, or a list of runQueue, diskQueue, mmapSemWaiters, "
		  "vmaLockWaiters, faultsPerInterval, majorFaultsPerInterval, dirtyPages, "
		  "freePages, cachePages",
	  .check_run = check_vectors },
};

void sim_record_register_keys(struct sim_keys *keys)
{
	sim_keys_add(keys, record_keys, G_N_ELEMENTS(record_keys));
}

/* ---- probes ---------------------------------------------------------------- */

static double probe_value(struct probe *p)
{
	uint64_t now, delta;

	switch (p->series) {
	case SERIES_RUN_QUEUE:
		return sim_cpus_nr_queued(p->obj);
	case SERIES_DISK_QUEUE:
		return sim_disk_nr_in_system(p->obj);
	case SERIES_MMAP_SEM_WAITERS:
		return (double)rwsem_nr_waiters(p->obj);
	case SERIES_VMA_LOCK_WAITERS:
		return mm_nr_vma_lock_waiters(p->obj);
	case SERIES_FAULTS:
	case SERIES_MAJOR_FAULTS:
		now = *p->counter;
		delta = now - p->last;
		p->last = now;
		return (double)delta;
	case SERIES_DIRTY:
		return (double)pc_nr_dirty(p->obj);
	case SERIES_FREE:
		return (double)pc_nr_free(p->obj);
	case SERIES_CACHE:
		return (double)pc_nr_file_pages(p->obj);
	case NR_SERIES:
		break;
	}
	g_return_val_if_reached(0);
}

static sim_time_t sample(struct sim_engine *eng, sim_time_t at, void *data)
{
	struct sim_record *r = data;
	uint64_t steps = sim_events_dispatched(eng) + sim_events_in_place(eng);

	for (guint i = 0; i < r->probes->len; i++) {
		struct probe *p = &g_array_index(r->probes, struct probe, i);

		sim_vector_record(p->vec, steps, at, probe_value(p));
	}
	return at + r->interval;
}

static void add_probe(struct sim_record *r, enum series s, const char *module, const void *obj,
		      const uint64_t *counter)
{
	struct probe p = { .series = s, .obj = obj, .counter = counter };

	p.last = counter ? *counter : 0;
	p.vec = sim_stats_vector_unit(sim_engine_stats(r->eng), module, sim_record_series_names[s],
				      series_info[s].unit, series_info[s].what,
				      series_info[s].interpolation);
	g_array_append_val(r->probes, p);
}

struct mm_probes {
	struct sim_record *r;
	unsigned int mask;
};

static void add_mm_probes(struct mm_struct *mm, void *data)
{
	struct mm_probes *mp = data;

	if (mp->mask & (1u << SERIES_MMAP_SEM_WAITERS))
		add_probe(mp->r, SERIES_MMAP_SEM_WAITERS, mm->name, &mm->mmap_sem, NULL);
	if (mp->mask & (1u << SERIES_VMA_LOCK_WAITERS) && mm->has_vma_locks)
		add_probe(mp->r, SERIES_VMA_LOCK_WAITERS, mm->name, mm, NULL);
}

struct sim_record *sim_record_start(struct sim_engine *eng, struct sim_machine *m,
				    struct sim_workloads *w, const struct sim_run_config *cfg,
				    GError **error)
{
	sim_time_t interval = sim_config_get_time(cfg, "record.interval");
	sim_time_t warmup = sim_config_get_time(cfg, "warmup-period");
	struct sim_stats *st = sim_engine_stats(eng);
	g_autofree char *bad = NULL;
	struct sim_record *r;
	unsigned int mask;
	uint64_t values;

	if (interval <= 0)
		return NULL;
	if (!parse_series(sim_config_get_string(cfg, "record.vectors"), &mask, &bad)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "record.vectors: bad series '%s'",
			    bad);
		return NULL;
	}
	r = g_new0(struct sim_record, 1);
	r->eng = eng;
	r->interval = interval;
	r->probes = g_array_new(FALSE, TRUE, sizeof(struct probe));
	if (mask & (1u << SERIES_RUN_QUEUE) && m->cpus)
		add_probe(r, SERIES_RUN_QUEUE, "cpu", m->cpus, NULL);
	if (mask & (1u << SERIES_DISK_QUEUE) && m->disk)
		add_probe(r, SERIES_DISK_QUEUE, sim_disk_name(m->disk), m->disk, NULL);
	if (mask & (1u << SERIES_MMAP_SEM_WAITERS)) {
		struct rw_semaphore *sem = sim_workloads_lock_sem(w);

		/* The process of the lock groups, then every mm. */
		if (sem)
			add_probe(r, SERIES_MMAP_SEM_WAITERS, "lock", sem, NULL);
	}
	if (m->mm_sys) {
		struct mm_probes mp = { r, mask };

		mm_sys_foreach_mm(m->mm_sys, add_mm_probes, &mp);
	}
	if (mask & (1u << SERIES_FAULTS)) {
		const uint64_t *c = sim_stats_counter_find(st, "fault", "faults");

		if (c)
			add_probe(r, SERIES_FAULTS, "fault", NULL, c);
	}
	if (mask & (1u << SERIES_MAJOR_FAULTS)) {
		const uint64_t *c = sim_stats_counter_find(st, "fault", "majfault");

		if (c)
			add_probe(r, SERIES_MAJOR_FAULTS, "fault", NULL, c);
	}
	if (m->pc) {
		if (mask & (1u << SERIES_DIRTY))
			add_probe(r, SERIES_DIRTY, "memory", m->pc, NULL);
		if (mask & (1u << SERIES_FREE))
			add_probe(r, SERIES_FREE, "memory", m->pc, NULL);
		if (mask & (1u << SERIES_CACHE))
			add_probe(r, SERIES_CACHE, "memory", m->pc, NULL);
	}
	values = samples_of(cfg, interval) * r->probes->len;
	if (values > SIM_RECORD_MAX_VALUES) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "record.interval: %u vectors of %" G_GUINT64_FORMAT " samples each make "
			    "%" G_GUINT64_FORMAT " samples, more than the %d a run may record: "
			    "a longer record.interval or fewer record.vectors", r->probes->len,
			    samples_of(cfg, interval), values, SIM_RECORD_MAX_VALUES);
		sim_record_free(r);
		return NULL;
	}
	/* The first boundary past the warm-up. */
	sim_engine_set_sampler(eng, (MAX(warmup, sim_now(eng)) / interval + 1) * interval, sample, r);
	return r;
}

void sim_record_reset(struct sim_record *r)
{
	if (!r)
		return;
	for (guint i = 0; i < r->probes->len; i++) {
		struct probe *p = &g_array_index(r->probes, struct probe, i);

		if (p->counter)
			p->last = *p->counter;
	}
}

void sim_record_finish(struct sim_record *r)
{
	if (r)
		sim_engine_sample_until(r->eng, sim_now(r->eng));
}

void sim_record_free(struct sim_record *r)
{
	if (!r)
		return;
	sim_engine_set_sampler(r->eng, SIM_TIME_MAX, NULL, NULL);
	g_array_unref(r->probes);
	g_free(r);
}
