/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <glib/gstdio.h>

#include "policies/builtin.h"
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

char *rig_tmpdir_new(const char *prefix)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *tmpl = g_strdup_printf("%s-XXXXXX", prefix);
	char *dir = g_dir_make_tmp(tmpl, &error);

	g_assert_no_error(error);
	return dir;
}

void rig_tmpdir_free(char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		g_unlink(p);
	}
	g_dir_close(d);
	g_rmdir(dir);
	g_free(dir);
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

void rig_init(struct rig *r, const struct rig_params *p)
{
	struct sim_cpus_params cp;
	struct sim_disk_params dp;
	struct pc_params pp;
	GError *error = NULL;

	*r = (struct rig){ 0 };
	r->eng = sim_engine_new(p->seed);
	sim_cpus_params_init(&cp);
	r->cpus = sim_cpus_new(r->eng, &cp);
	g_assert_true(sim_disk_params_init(&dp, "ssd", &error));
	r->disk = sim_disk_new(r->eng, &dp, &error);
	g_assert_no_error(error);
	pc_params_init(&pp);
	pp.page_lock_ops = &fs_page_lock_bounded_steal;
	pp.nr_pages = p->mem_pages;
	r->pc = pc_new(r->eng, &pp, &error);
	g_assert_no_error(error);
	r->sys = mm_sys_new(r->pc);
	r->file = pc_mapping_new(r->pc, "file", p->file_pages, 0, &error);
	g_assert_no_error(error);
	r->fb = file_backing_new(r->file, r->disk, 0);
	r->mm = mm_new(r->sys, "mm", &fs_rwsem_v5_11, p->task_size, &error);
	g_assert_no_error(error);
	for (unsigned int i = 0; i < RIG_MAX_MAPS && p->maps[i].pages; i++) {
		const struct rig_map *m = &p->maps[i];

		g_assert_nonnull(mmap_region(NULL, r->mm, m->start, m->pages,
					     VM_READ | VM_WRITE | (m->file ? VM_SHARED : 0),
					     m->file ? r->file : NULL, 0, &error));
		g_assert_no_error(error);
	}
	fault_sys_init(&r->fs, r->eng, NULL, p->retry, p->io, p->map_pages, p->fault_lock);
}

void rig_free(struct rig *r)
{
	mm_free(r->mm);
	file_backing_free(r->fb);
	mm_sys_free(r->sys);
	pc_free(r->pc);
	sim_disk_free(r->disk);
	sim_cpus_free(r->cpus);
	sim_engine_free(r->eng);
}

uint64_t rig_counter(const struct rig *r, const char *module, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(r->eng), module, name);
}
