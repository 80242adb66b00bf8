/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include "tests/rig.h"

struct sim_keys *rig_all_keys(void)
{
	struct sim_keys *keys = sim_keys_new();

	sim_model_register_keys(keys);
	return keys;
}

char *rig_srcdir_path(const char *dir, const char *sub)
{
	const char *top = g_getenv("top_srcdir");

	if (!top || !*top)
		top = FAULTSIM_TOP_SRCDIR;
	return g_build_filename(top, dir, sub, NULL);
}

char *rig_scenario_path(const char *name)
{
	return rig_srcdir_path("scenarios", name);
}

struct sim_engine *rig_run_scenario(const char *name, const char *config, char **set,
				    guint runnumber)
{
	g_autoptr(sim_keys) keys = rig_all_keys();
	g_autofree char *path = rig_scenario_path(name);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_study) study = sim_study_new(path, config, set, keys, &error);

	g_assert_no_error(error);
	const struct sim_run_config *cfg = sim_study_run(study, runnumber);
	struct sim_engine *eng = sim_engine_new(cfg->seed);
	struct sim_model *m = sim_model_build(eng, cfg, &error);

	g_assert_no_error(error);
	sim_set_time_limit(eng, sim_config_get_time(cfg, "sim-time-limit"));
	sim_run(eng);
	sim_model_finish(m);
	sim_model_free(m);
	return eng;
}
