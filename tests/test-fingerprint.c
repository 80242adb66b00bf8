/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trajectory pins: every run of every config of every shipped scenario,
 * cut at a fixed number of events, must follow the same trajectory as when
 * tests/fingerprints.txt was written: the same run fingerprint over (time,
 * seq), the same event count and clock, and the same digest of every
 * statistic.  A refactor that changes a trajectory fails here; a change
 * that is meant to (an issue says so) rewrites the file in its own commit:
 *
 *	FAULTSIM_WRITE_FINGERPRINTS=1 tests/test-fingerprint
 *
 * (from the build directory; it writes $top_srcdir/tests/fingerprints.txt).
 *
 * Each run is also made with every step dispatched as an event (the engine
 * advancing nothing in place, sim_engine_set_in_place()): the fingerprint,
 * the clock and every statistic must be the same bit for bit, and the
 * events it dispatches as many as the steps of the first.
 */
#include "config.h"

#include <string.h>

#include "tests/rig.h"

/* Events each pinned run may dispatch: enough to reach every workload's
 * steady state in the shipped scenarios, small enough for make check. */
#define PIN_EVENTS	500000

struct digest_ctx {
	GPtrArray *lines;
};

static void digest_counter(const char *module, const char *name, uint64_t v, void *data)
{
	struct digest_ctx *d = data;

	g_ptr_array_add(d->lines, g_strdup_printf("c %s.%s %" G_GUINT64_FORMAT, module, name, v));
}

static void digest_scalar(const char *module, const char *name, double v, void *data)
{
	struct digest_ctx *d = data;

	g_ptr_array_add(d->lines, g_strdup_printf("s %s.%s %.17g", module, name, v));
}

static void digest_bin(uint64_t lower, uint64_t upper, uint64_t count, void *data)
{
	g_string_append_printf(data, " %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT "=%"
			       G_GUINT64_FORMAT, lower, upper, count);
}

static void digest_hist(const char *module, const char *name, const struct sim_hist *h,
			void *data)
{
	struct digest_ctx *d = data;
	GString *s = g_string_new(NULL);

	g_string_printf(s, "h %s.%s", module, name);
	sim_hist_foreach_bin(h, digest_bin, s);
	g_ptr_array_add(d->lines, g_string_free(s, FALSE));
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A SHA-256 over every measurement, sorted by name (so that the order in
 * which modules register them does not matter), first 16 hex digits. */
static char *stats_digest(struct sim_stats *st)
{
	struct digest_ctx d = { g_ptr_array_new_with_free_func(g_free) };
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	sim_stats_foreach_counter(st, digest_counter, &d);
	sim_stats_foreach_scalar(st, digest_scalar, &d);
	sim_stats_foreach_hist(st, digest_hist, &d);
	g_ptr_array_sort(d.lines, cmp_str);
	for (guint i = 0; i < d.lines->len; i++) {
		g_checksum_update(sum, (const guchar *)d.lines->pdata[i], -1);
		g_checksum_update(sum, (const guchar *)"\n", 1);
	}
	g_ptr_array_free(d.lines, TRUE);
	return g_strndup(g_checksum_get_string(sum), 16);
}

struct pin {
	uint64_t fingerprint, events, steps;
	sim_time_t now;
	char *digest;
	uint64_t samples;		/* of the vectors (record.interval) */
	uint64_t sample_hash;		/* over their (event, time, value) */
};

static void count_samples(const char *module, const char *name, const struct sim_vector *v,
			  void *data)
{
	struct pin *p = data;
	size_t n;
	const struct sim_vector_sample *smp = sim_vector_samples(v, &n);

	(void)module;
	(void)name;
	p->samples += n;
	for (size_t i = 0; i < n; i++)
		p->sample_hash = g_str_hash(name) ^ (p->sample_hash * 1000003 + smp[i].event * 31 +
						      (uint64_t)smp[i].time * 7 +
						      (uint64_t)(smp[i].value * 1024));
}

static void pin_one(const struct sim_run_config *cfg, bool in_place, struct pin *p)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_engine) eng = sim_engine_new(cfg->seed);
	struct sim_model *m;

	sim_engine_set_in_place(eng, in_place);
	m = sim_model_build(eng, cfg, &error);
	g_assert_no_error(error);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_set_event_limit(eng, PIN_EVENTS);
	sim_run(eng);
	sim_model_finish(m);
	sim_model_free(m);
	*p = (struct pin){
		.fingerprint = sim_fingerprint(eng),
		.events = sim_events_dispatched(eng),
		.steps = sim_events_dispatched(eng) + sim_events_in_place(eng),
		.now = sim_now(eng),
		.digest = stats_digest(sim_engine_stats(eng)),
	};
	sim_stats_foreach_vector(sim_engine_stats(eng), count_samples, p);
}

/* One pinned run: "FILE CONFIG RUN fingerprint events now digest". */
static char *pin_run(const struct sim_run_config *cfg, const char *file)
{
	struct pin p, all;
	char *line;

	pin_one(cfg, true, &p);
	pin_one(cfg, false, &all);
	g_assert_cmpuint(all.fingerprint, ==, p.fingerprint);
	g_assert_cmpint(all.now, ==, p.now);
	g_assert_cmpstr(all.digest, ==, p.digest);
	g_assert_cmpuint(all.events, ==, p.steps);
	line = g_strdup_printf("%s %s %u %016" G_GINT64_MODIFIER "x %" G_GUINT64_FORMAT
			       " %" G_GINT64_FORMAT " %s", file, cfg->config_name,
			       cfg->runnumber, p.fingerprint, p.events, (gint64)p.now, p.digest);
	g_free(p.digest);
	g_free(all.digest);
	return line;
}

/* Every run of every config of every file in scenarios/, in order. */
static GPtrArray *pin_all(void)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autofree char *dir = rig_srcdir_path("scenarios", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *pins = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".ini"))
			g_ptr_array_add(files, g_strdup(name));
	g_ptr_array_sort(files, cmp_str);
	for (guint f = 0; f < files->len; f++) {
		const char *file = files->pdata[f];
		g_autofree char *path = g_build_filename(dir, file, NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) configs = sim_scenario_list_configs(path, &error);

		g_assert_no_error(error);
		for (guint c = 0; c < configs->len; c++) {
			const struct sim_scenario_config *sc = configs->pdata[c];
			g_autoptr(sim_study) study = sim_study_new(path, sc->name, NULL, keys, &error);

			g_assert_no_error(error);
			for (guint r = 0; r < sim_study_nr_runs(study); r++)
				g_ptr_array_add(pins, pin_run(sim_study_run(study, r), file));
		}
	}
	g_ptr_array_free(files, TRUE);
	return pins;
}

static void test_pinned_trajectories(void)
{
	g_autofree char *path = rig_srcdir_path("tests", "fingerprints.txt");
	g_autoptr(GPtrArray) pins = pin_all();
	GString *now = g_string_new(NULL);

	for (guint i = 0; i < pins->len; i++)
		g_string_append_printf(now, "%s\n", (char *)pins->pdata[i]);
	if (g_getenv("FAULTSIM_WRITE_FINGERPRINTS")) {
		g_autoptr(GError) error = NULL;

		g_file_set_contents(path, now->str, -1, &error);
		g_assert_no_error(error);
		g_test_message("wrote %s (%u runs)", path, pins->len);
	} else {
		g_autofree char *want = NULL;
		g_autoptr(GError) error = NULL;

		g_file_get_contents(path, &want, NULL, &error);
		g_assert_no_error(error);
		g_auto(GStrv) wl = g_strsplit(want, "\n", -1);
		g_auto(GStrv) nl = g_strsplit(now->str, "\n", -1);

		/* Line by line, so that a failure names the run. */
		for (guint i = 0; wl[i] || nl[i]; i++) {
			g_assert_nonnull(wl[i]);
			g_assert_nonnull(nl[i]);
			g_assert_cmpstr(nl[i], ==, wl[i]);
		}
	}
	g_string_free(now, TRUE);
}

/*
 * Vectors sample the state without changing the trajectory: run 0 of
 * every config of every shipped scenario, with record.interval at a
 * 2000th of its sim-time-limit and every series, follows the trajectory of
 * the same run without (fingerprint, events, clock, every statistic), with
 * steps advanced in place or all dispatched, and records samples, the
 * same either way.
 */
static void test_vectors_same_trajectory(void)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autofree char *dir = rig_srcdir_path("scenarios", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint nr = 0;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) configs = NULL;

		if (!g_str_has_suffix(name, ".ini"))
			continue;
		path = g_build_filename(dir, name, NULL);
		configs = sim_scenario_list_configs(path, &error);
		g_assert_no_error(error);
		for (guint c = 0; c < configs->len; c++) {
			const struct sim_scenario_config *sc = configs->pdata[c];
			g_autoptr(sim_study) plain = sim_study_new(path, sc->name, NULL, keys, &error);
			g_autoptr(sim_study) with = NULL;
			g_autofree char *set = NULL;
			char *sets[3] = { NULL, "record.vectors=all", NULL };
			const struct sim_run_config *cfg;
			struct pin off, on, on_all;

			g_assert_no_error(error);
			cfg = sim_study_run(plain, 0);
			set = g_strdup_printf("record.interval=%" G_GINT64_FORMAT "ns",
					      (gint64)MAX(sim_config_get_time(cfg, "sim-time-limit") /
							  2000, 1));
			sets[0] = set;
			with = sim_study_new(path, sc->name, sets, keys, &error);
			g_assert_no_error(error);
			pin_one(cfg, true, &off);
			pin_one(sim_study_run(with, 0), true, &on);
			pin_one(sim_study_run(with, 0), false, &on_all);
			g_assert_cmpuint(off.samples, ==, 0);
			g_assert_cmpuint(on.samples, >, 0);
			g_assert_cmpuint(on.samples, ==, on_all.samples);
			g_assert_cmpuint(on.sample_hash, ==, on_all.sample_hash);
			g_assert_cmpuint(on.fingerprint, ==, off.fingerprint);
			g_assert_cmpuint(on.events, ==, off.events);
			g_assert_cmpint(on.now, ==, off.now);
			g_assert_cmpstr(on.digest, ==, off.digest);
			g_assert_cmpuint(on_all.fingerprint, ==, off.fingerprint);
			g_assert_cmpstr(on_all.digest, ==, off.digest);
			g_free(off.digest);
			g_free(on.digest);
			g_free(on_all.digest);
			nr++;
		}
	}
	g_assert_cmpuint(nr, >, 10);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/fingerprint/shipped-scenarios", test_pinned_trajectories);
	g_test_add_func("/fingerprint/vectors-same-trajectory", test_vectors_same_trajectory);
	return g_test_run();
}
