/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim: a discrete-event simulator of the Linux page-fault path.
 * Entry point and subcommand dispatch.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct fs_command commands[] = {
	{ "run", "run a scenario's study into the results database", cmd_run },
	{ "report", "compare configurations: means and confidence intervals", cmd_report },
	{ "merge", "join results databases from several machines", cmd_merge },
	{ "export", "write measurements as CSV or JSON, one row per run and metric", cmd_export },
	{ "trace", "run one run and write a trace for Perfetto (Chrome JSON)", cmd_trace },
	{ "plot", "draw a metric against an iteration variable (gnuplot)", cmd_plot },
	{ "slurm", "run a study as a Slurm job array, then merge", cmd_slurm },
	{ "list", "list scenario keys, scenario files, measurements", cmd_list },
	{ "demo", "run a tiny simulation and print what it simulated", cmd_demo },
	{ "bench", "measure the simulator's own speed (engine, disk)", cmd_bench },
	{ "calibrate", "measure this host's kernel into a machine profile; --check: predict it",
	  cmd_calibrate },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: faultsim [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"A discrete-event simulator of the Linux page-fault path.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'faultsim COMMAND --help' describes each command.\n");
}

/*
 * GOption does not take a value glued to a short option ("-j2", "-r17"),
 * which every make and perf user types: split those into two arguments.
 * The new vector stays reachable for the life of the process.
 */
static GPtrArray *split_argv;

static void split_short_options(const GOptionEntry *entries, int *argc, char ***argv)
{
	GPtrArray *out = g_ptr_array_new();
	gboolean changed = FALSE;

	for (int i = 0; i < *argc; i++) {
		const char *a = (*argv)[i];
		const GOptionEntry *e = NULL;

		if (g_str_equal(a, "--")) {
			for (; i < *argc; i++)
				g_ptr_array_add(out, (*argv)[i]);
			break;
		}
		if (entries && a[0] == '-' && a[1] && a[1] != '-' && a[2])
			for (e = entries; e->long_name; e++)
				if (e->short_name == a[1] && e->arg != G_OPTION_ARG_NONE)
					break;
		if (e && e->long_name) {
			g_ptr_array_add(out, g_strndup(a, 2));
			g_ptr_array_add(out, (char *)a + 2);
			changed = TRUE;
		} else {
			g_ptr_array_add(out, (*argv)[i]);
		}
	}
	g_ptr_array_add(out, NULL);
	if (!changed) {
		g_ptr_array_unref(out);
		return;
	}
	split_argv = out;
	*argc = (int)out->len - 1;
	*argv = (char **)out->pdata;
}

gboolean cli_parse(const char *name, const char *params, const char *summary,
		   GOptionEntry *entries, int *argc, char ***argv)
{
	g_autofree char *prog = g_strdup_printf("faultsim %s", name);
	g_autoptr(GOptionContext) ctx = g_option_context_new(params);
	g_autoptr(GError) error = NULL;

	g_set_prgname(prog);
	split_short_options(entries, argc, argv);
	g_option_context_set_summary(ctx, summary);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		fprintf(stderr, "faultsim %s: %s\n(try 'faultsim %s --help')\n",
			name, error->message, name);
		return FALSE;
	}
	return TRUE;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");	/* numbers in files and output use '.' */

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("faultsim %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			char *sub[] = { argv[2], (char *)"--help", NULL };

			for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
				if (!strcmp(argv[2], commands[i].name))
					return commands[i].main(2, sub);
		}
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);

	fprintf(stderr, "faultsim: '%s' is not a command; accepted:", argv[1]);
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, "\n(try 'faultsim --help')\n");
	return EXIT_USAGE;
}
