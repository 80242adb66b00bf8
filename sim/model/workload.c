/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload thread groups (see workload.h): the table of kinds, their keys,
 * and the groups of a run.
 *
 * Keys.  Each kind lists its keys (struct workload_kind: the shared ones
 * it reads and its own); a definition several kinds share is registered
 * once.  What is registered
 * is a copy of each definition whose help starts with the kinds that read
 * it ("lock, file, fault: CPU time before each operation"), as `faultsim
 * list keys` shows it, and whose check_run refuses it on a group of
 * another kind: "not a key of kind 'fault'; its keys are ...".  The
 * copies live in a struct workload_keys that the key registry adopts.
 */
#include "config.h"

#include <string.h>

#include "sim/core/stats.h"
#include "sim/kernel/cpu.h"
#include "sim/model/policy.h"
#include "sim/model/workload.h"
#include "sim/model/workload-kind.h"

/* The kinds, in the order of workload.*.kind's choices. */
static const struct workload_kind *const workload_kinds[] = {
	&workload_lock, &workload_file, &workload_fault, &workload_write,
};

#define NR_WORKLOAD_KINDS	G_N_ELEMENTS(workload_kinds)

/* The keys every kind has (kind's choices are filled in at registration). */
static const struct sim_key_def key_kind = {
	.name = "workload.*.kind", .type = SIM_KEY_ENUM, .defval = "lock",
	.help = "what the group's threads do",
};

static const struct sim_key_def key_threads = {
	.name = "workload.*.threads", .type = SIM_KEY_UINT, .defval = "1", .min = "0",
	.max = "100000", .help = "threads in the group",
};

static const char *const pin_choices[] = { "none", "spread", NULL };

static const struct sim_key_def key_cpus = {
	.name = "workload.*.cpus", .type = SIM_KEY_STRING, .defval = "",
	.help = "CPUs the group's threads may run on, a CPU list as taskset -c takes "
		"(\"0-3,8\", \"0-15:2/4\", \"all\"; empty: every CPU)",
	.check_run = workload_cpulist_check,
};

static const struct sim_key_def key_pin = {
	.name = "workload.*.pin", .type = SIM_KEY_ENUM, .defval = "none", .choices = pin_choices,
	.help = "none: each thread on any CPU of cpus; spread: thread i pinned to the "
		"(i mod n)-th of the n CPUs of cpus, as a benchmark's sched_setaffinity() "
		"(will-it-scale)",
};

static const struct sim_key_def *const common_keys[] = {
	&key_kind, &key_threads, &key_cpus, &key_pin,
};

/* ------------------------------------------------------------------ */
/* Registering the keys, and refusing those of another kind */

/* One registered workload key; @def stays first (the registry hands it to
 * check_run, which finds @kinds behind it). */
struct workload_key {
	struct sim_key_def def;
	unsigned int kinds;		/* bit i: workload_kinds[i] reads it */
	/* the key's own check of its value, run once its kind is checked */
	gboolean (*check_value)(const struct sim_key_def *def, const struct sim_run_config *cfg,
				const char *key, GError **error);
};

struct workload_keys {
	const char *kind_names[NR_WORKLOAD_KINDS + 1];
	GPtrArray *keys;		/* struct workload_key *, owned */
	GPtrArray *help;		/* char *: the labelled help texts */
};

static void workload_keys_free(gpointer data)
{
	struct workload_keys *wk = data;

	g_ptr_array_unref(wk->keys);
	g_ptr_array_unref(wk->help);
	g_free(wk);
}

/* "write_fraction" of "workload.*.write_fraction". */
static const char *key_what(const struct sim_key_def *def)
{
	return strrchr(def->name, '.') + 1;
}

/* "kind, threads, ops, ...": every key of @kind. */
static char *kind_key_list(const struct workload_kind *kind)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < G_N_ELEMENTS(common_keys); i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", key_what(common_keys[i]));
	for (const struct sim_key_def *const *k = kind->shared; *k; k++)
		g_string_append_printf(s, ", %s", key_what(*k));
	for (size_t i = 0; i < kind->nr_keys; i++)
		g_string_append_printf(s, ", %s", key_what(&kind->keys[i]));
	return g_string_free(s, FALSE);
}

/* check_run of a key some kinds read: the kind of the group it names. */
static gboolean workload_key_check(const struct sim_key_def *def,
				   const struct sim_run_config *cfg, const char *key,
				   GError **error)
{
	const struct workload_key *k = (const struct workload_key *)def;
	const char *name = strchr(key, '.') + 1;
	g_autofree char *group = g_strndup(name, (gsize)(strrchr(key, '.') - name));
	g_autofree char *k_kind = group_key(group, "kind");
	guint kind = sim_config_get_enum(cfg, k_kind);
	g_autofree char *list = NULL;

	if (k->kinds & (1u << kind))
		return !k->check_value || k->check_value(def, cfg, key, error);
	list = kind_key_list(workload_kinds[kind]);
	g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN, "not a key of kind '%s'; its keys are %s",
		    workload_kinds[kind]->name, list);
	return FALSE;
}

static void register_key(struct sim_keys *keys, struct workload_keys *wk,
			 const struct sim_key_def *def, unsigned int kinds)
{
	struct workload_key *k = g_new0(struct workload_key, 1);

	k->def = *def;
	k->kinds = kinds;
	k->check_value = def->check_run;
	if (def->check_run)
		k->def.check_run = workload_key_check;
	if (def == &key_kind)
		k->def.choices = wk->kind_names;
	if (kinds != (1u << NR_WORKLOAD_KINDS) - 1) {
		GString *help = g_string_new(NULL);

		for (guint i = 0; i < NR_WORKLOAD_KINDS; i++)
			if (kinds & (1u << i))
				g_string_append_printf(help, "%s%s", help->len ? ", " : "",
						       workload_kinds[i]->name);
		g_string_append_printf(help, ": %s", def->help);
		k->def.help = g_string_free(help, FALSE);
		g_ptr_array_add(wk->help, (char *)k->def.help);
		k->def.check_run = workload_key_check;
	}
	g_ptr_array_add(wk->keys, k);
	sim_keys_add(keys, &k->def, 1);
}

/* The kinds that read the shared key @def. */
static unsigned int shared_key_kinds(const struct sim_key_def *def)
{
	unsigned int kinds = 0;

	for (guint i = 0; i < NR_WORKLOAD_KINDS; i++)
		for (const struct sim_key_def *const *k = workload_kinds[i]->shared; *k; k++)
			if (*k == def)
				kinds |= 1u << i;
	return kinds;
}

void sim_workload_register_keys(struct sim_keys *keys)
{
	struct workload_keys *wk = g_new0(struct workload_keys, 1);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

	wk->keys = g_ptr_array_new_with_free_func(g_free);
	wk->help = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < NR_WORKLOAD_KINDS; i++)
		wk->kind_names[i] = workload_kinds[i]->name;
	for (guint i = 0; i < G_N_ELEMENTS(common_keys); i++)
		register_key(keys, wk, common_keys[i], (1u << NR_WORKLOAD_KINDS) - 1);
	/* Then each kind's, in the order of the kinds: the shared ones it is
	 * the first to read, and its own. */
	for (guint i = 0; i < NR_WORKLOAD_KINDS; i++) {
		const struct workload_kind *kind = workload_kinds[i];

		for (const struct sim_key_def *const *k = kind->shared; *k; k++)
			if (g_hash_table_add(seen, (gpointer)*k))
				register_key(keys, wk, *k, shared_key_kinds(*k));
		for (size_t k = 0; k < kind->nr_keys; k++)
			register_key(keys, wk, &kind->keys[k], 1u << i);
	}
	sim_keys_adopt(keys, wk, workload_keys_free);
}

/* ------------------------------------------------------------------ */
/* The groups */

static void group_free(gpointer p)
{
	struct group *g = p;

	g->kind->free(g);
	g_free(g->cpus);
	g_free(g->name);
	g_free(g);
}

/* The measurements every group has, in the kind's words. */
static void group_stats_init(struct group *g, struct sim_stats *st)
{
	const struct workload_kind *k = g->kind;
	g_autofree char *rate = g_strdup_printf("%s/s", k->op_unit);
	g_autofree char *latency = g_strdup_printf("latency of one operation (%s)", k->op_what);
	g_autofree char *ops = g_strdup_printf("operations done (%s)", k->op_what);
	g_autofree char *throughput = g_strdup_printf(
		"%s per simulated second since the warm-up (ops / time)", k->op_unit);

	g->latency = sim_stats_hist_unit(st, g->name, "latency", "ns", latency);
	g->ops = sim_stats_counter_unit(st, g->name, "ops", k->op_unit, ops);
	g->read_ops = sim_stats_counter_unit(st, g->name, "readOps", k->op_unit,
					     "operations that read (the rest of ops write)");
	g->write_ops = sim_stats_counter_unit(st, g->name, "writeOps", k->op_unit,
					      "operations that write");
	g->throughput = sim_stats_scalar_unit(st, g->name, "throughput", rate, throughput);
}

struct sim_workloads *sim_workloads_start(struct sim_engine *eng, struct sim_machine *machine,
					  const struct sim_run_config *cfg, GError **error)
{
	g_auto(GStrv) names = sim_config_names(cfg, "workload");
	struct sim_stats *st = sim_engine_stats(eng);
	struct sim_workloads *w;

	if (!names || !names[0])
		return NULL;
	w = g_new0(struct sim_workloads, 1);
	w->eng = eng;
	w->machine = machine;
	w->groups = g_ptr_array_new_with_free_func(group_free);
	w->start = sim_now(eng);
	rwsem_init(&w->mmap_sem, eng, "mmap_sem", sim_policy_rwsem(cfg));

	for (char **n = names; *n; n++) {
		struct group *g = g_new0(struct group, 1);
		g_autofree char *stream = g_strdup_printf("workload.%s", *n);

		g->w = w;
		g->name = g_strdup(*n);
		g->kind = workload_kinds[group_enum(g, cfg, "kind")];
		g->threads = group_uint(g, cfg, "threads");
		g->cpus = group_cpulist(g, cfg, "cpus", &g->nr_cpus);
		if (!g->cpus)
			g->nr_cpus = sim_cpus_nr(machine->cpus);
		g->pin_spread = group_enum(g, cfg, "pin") == 1;
		g->rng = sim_rng(eng, stream);
		group_stats_init(g, st);
		g_ptr_array_add(w->groups, g);
		if (!sim_machine_provide(machine, g->kind->machine, error) ||
		    !g->kind->start(g, cfg, error)) {
			g_prefix_error(error, "workload.%s: ", g->name);
			sim_workloads_free(w);
			return NULL;
		}
	}
	return w;
}

uint64_t sim_workloads_nr_tasks(const struct sim_run_config *cfg)
{
	g_auto(GStrv) names = sim_config_names(cfg, "workload");
	uint64_t tasks = 0;

	for (char **n = names; n && *n; n++) {
		const struct group g = { .name = *n };
		const struct workload_kind *kind = workload_kinds[group_enum(&g, cfg, "kind")];

		tasks += kind->nr_tasks ? kind->nr_tasks(*n, cfg) : group_uint(&g, cfg, "threads");
	}
	return tasks;
}

struct rw_semaphore *sim_workloads_lock_sem(struct sim_workloads *w)
{
	if (!w)
		return NULL;
	for (guint i = 0; i < w->groups->len; i++) {
		const struct group *g = w->groups->pdata[i];

		if (g->kind == &workload_lock)
			return &w->mmap_sem;
	}
	return NULL;
}

void sim_workloads_reset(struct sim_workloads *w)
{
	if (w)
		w->start = sim_now(w->eng);
}

void sim_workloads_finish(struct sim_workloads *w)
{
	if (!w)
		return;
	double secs = (double)(sim_now(w->eng) - w->start) / 1e9;

	for (guint i = 0; i < w->groups->len; i++) {
		struct group *g = w->groups->pdata[i];

		*g->throughput = secs > 0 ? (double)*g->ops / secs : 0;
		if (g->kind->finish)
			g->kind->finish(g);
	}
}

void sim_workloads_free(struct sim_workloads *w)
{
	if (!w)
		return;
	g_ptr_array_unref(w->groups);
	rwsem_destroy(&w->mmap_sem);
	g_free(w);
}
