/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim report and faultsim merge: reading and joining results
 * databases.
 */
#include "config.h"

#include <stdio.h>

#include "analysis/report.h"
#include "analysis/resultdb.h"
#include "cli/cli.h"
#include "sim/core/types.h"

int cmd_report(int argc, char **argv)
{
	g_autofree char *db_opt = NULL;	/* GOption replaces, never frees, a default */
	g_auto(GStrv) patterns = NULL;
	gboolean csv = FALSE, all = FALSE;
	double confidence = 0.95;
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &db_opt,
		  "results database (default results.db)", "FILE" },
		{ "scalar", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &patterns,
		  "scalars to show, as globs on NAME or MODULE.NAME (repeatable; default: "
		  "*:mean, *:p99, *utilization and counters)", "GLOB" },
		{ "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "CSV instead of a table", NULL },
		{ "all", 'a', 0, G_OPTION_ARG_NONE, &all,
		  "include runs whose status is not done (deadlock, failed)", NULL },
		{ "confidence", 0, 0, G_OPTION_ARG_DOUBLE, &confidence,
		  "confidence level of the intervals (default 0.95)", "P" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;

	if (!cli_parse("report", "",
		       "Per configuration, the key scalars: mean and confidence interval over "
		       "repetitions (Student t).", entries, &argc, &argv))
		return EXIT_USAGE;
	if (argc != 1 || !(confidence > 0 && confidence < 1)) {
		fprintf(stderr, "faultsim report: %s\n", argc != 1 ? "takes no arguments"
			: "--confidence must be between 0 and 1");
		return EXIT_USAGE;
	}
	g_autoptr(fs_resultdb) db = fs_resultdb_open_readonly(db_opt ? db_opt : "results.db", &error);

	if (!db) {
		fprintf(stderr, "faultsim report: %s\n", error->message);
		return 1;
	}
	struct fs_report_options opts = {
		.patterns = (const char *const *)patterns,
		.counters = FALSE,
		.all_statuses = all,
		.confidence = confidence,
	};
	g_autoptr(GPtrArray) rows = fs_report_compute(db, &opts, &error);

	if (!rows) {
		fprintf(stderr, "faultsim report: %s\n", error->message);
		return 1;
	}
	g_autofree char *text = csv ? fs_report_format_csv(rows)
				    : fs_report_format_table(rows, confidence);

	fputs(text, stdout);
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;

	if (!cli_parse("merge", "DEST.db SOURCE.db...",
		       "Copy into DEST the runs of each SOURCE that DEST lacks (one transaction "
		       "per source).", NULL, &argc, &argv))
		return EXIT_USAGE;
	if (argc < 3) {
		fprintf(stderr, "faultsim merge: give a destination and at least one source\n");
		return EXIT_USAGE;
	}
	/* Paths that cannot be results databases are usage errors, found
	 * before the destination is opened (or made). */
	for (int i = 1; i < argc; i++) {
		if (!fs_resultdb_check_path(argv[i], i > 1, NULL, &error)) {
			fprintf(stderr, "faultsim merge: %s\n", error->message);
			return error->code == SIM_ERROR_PARSE ? EXIT_USAGE : 1;
		}
	}
	g_autoptr(fs_resultdb) dst = fs_resultdb_open(argv[1], &error);

	if (!dst) {
		fprintf(stderr, "faultsim merge: %s\n", error->message);
		return error->code == SIM_ERROR_PARSE ? EXIT_USAGE : 1;
	}
	for (int i = 2; i < argc; i++) {
		guint added = 0;

		if (!fs_resultdb_merge(dst, argv[i], &added, &error)) {
			fprintf(stderr, "faultsim merge: %s%s%s\n",
				g_str_has_prefix(error->message, argv[i]) ? "" : argv[i],
				g_str_has_prefix(error->message, argv[i]) ? "" : ": ", error->message);
			return 1;
		}
		printf("%s: %u runs added\n", argv[i], added);
	}
	return 0;
}
