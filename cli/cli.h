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

struct fs_command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

int cmd_bench(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Every key a scenario may set (the general keys and the model's). */
struct sim_keys *cli_keys_new(void);
/* The directory of scenario files. */
const char *cli_scenario_dir(void);

/* Benchmarks of single components (cli/bench-*.c); @quick: 100x shorter. */
void bench_disk(gboolean quick);
void bench_pagecache(gboolean quick);

/* Parse @argv with @entries for subcommand @name; on error prints it and
 * the usage hint and returns FALSE. */
gboolean cli_parse(const char *name, const char *params, const char *summary,
		   GOptionEntry *entries, int *argc, char ***argv);

#endif /* FAULTSIM_CLI_H */
