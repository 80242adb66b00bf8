/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The faultsim command: one binary, subcommands git/perf style.  Each
 * subcommand is a main-like function; exit status 0 on success, 1 when the
 * work failed, 2 on bad usage or bad input.
 */
#ifndef FAULTSIM_CLI_H
#define FAULTSIM_CLI_H

#include <glib.h>

#define EXIT_USAGE 2

/* Steps a run takes between two looks at the signals (some ms): faultsim
 * run's slices of sim_run_for(), which bench faults runs the same way. */
#define CLI_RUN_SLICE 65536

struct fs_command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

int cmd_bench(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_slurm(int argc, char **argv);
int cmd_trace(int argc, char **argv);

struct sim_policies;
struct sim_study;

/* Every key a scenario may set (the general keys and the model's). */
struct sim_keys *cli_keys_new(void);
/* The same with the policies of @policies (NULL: built-ins), which the
 * keys take over. */
struct sim_keys *cli_keys_new_with(struct sim_policies *policies);
/* A policy registry with the built-ins, the plugins @plugins (--plugin,
 * NULL-terminated, may be NULL, loaded) and those the scenario @ini_path
 * with overrides @sets names (sim_scenario_plugins(); both may be NULL). */
struct sim_policies *cli_policies_new(char **plugins, const char *ini_path, char **sets,
				      GError **error);
/* The same; the plugins the scenario names are only named, not loaded
 * (sim_policies_name_plugin()), unless @load_named: cli_policies_new() is
 * for what only reads a study (list, slurm), this with TRUE for a run. */
struct sim_policies *cli_policies_new_loading(char **plugins, const char *ini_path, char **sets,
					      gboolean load_named, GError **error);
/* The study @path (configuration @config, overrides @sets) with the
 * policies of cli_policies_new_loading(); *@keys (set, NULL on a policy
 * error) is the registry it reads through, which owns the policies: free
 * it after the study.  On error prints "faultsim @cmd: " and the message
 * and returns NULL. */
struct sim_study *cli_study_open(const char *cmd, char **plugins, const char *path,
				 const char *config, char **sets, gboolean load_named,
				 struct sim_keys **keys);
/* The directory of scenario files. */
const char *cli_scenario_dir(void);

/* Parse @argv with @entries for subcommand @name; on error prints it and
 * the usage hint and returns FALSE. */
gboolean cli_parse(const char *name, const char *params, const char *summary,
		   GOptionEntry *entries, int *argc, char ***argv);

#endif /* FAULTSIM_CLI_H */
