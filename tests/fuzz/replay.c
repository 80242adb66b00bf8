/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The regression corpus of a fuzzing harness, replayed under `make check`
 * with any compiler: every file of tests/fuzz/corpus/NAME/ (every input
 * that ever crashed the harness, or that once cost minutes, and the seeds
 * the fuzzer starts from), and the inputs the harness makes because they
 * are too big to keep (fuzz_generated_input()), each a test case
 * /fuzz/NAME/FILE that feeds it to LLVMFuzzerTestOneInput().  A case
 * passes if the harness returns: the input ended in an error or a
 * success.  A crash, an abort or a GLib critical fails it.
 *
 *	tests/fuzz/replay-NAME [DIR|FILE...]	other folders or files
 *						(a fuzzer's findings)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tests/rig.h"

struct input {
	char *path;		/* a file, or NULL */
	char *data;		/* a generated input */
	size_t size;
};

static void input_free(gpointer p)
{
	struct input *in = p;

	g_free(in->path);
	g_free(in->data);
	g_free(in);
}

static void replay(gconstpointer p)
{
	const struct input *in = p;
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();
	gsize size;

	if (in->path) {
		g_assert_true(g_file_get_contents(in->path, &text, &size, &error));
		LLVMFuzzerTestOneInput((const uint8_t *)text, size);
	} else {
		LLVMFuzzerTestOneInput((const uint8_t *)in->data, in->size);
	}
	g_test_message("%.2f s", (double)(g_get_monotonic_time() - start) / 1e6);
}

static void add_file(GPtrArray *inputs, const char *path)
{
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *test = g_strdup_printf("/fuzz/%s/%s", fuzz_harness_name, base);
	struct input *in = g_new0(struct input, 1);

	in->path = g_strdup(path);
	g_ptr_array_add(inputs, in);
	g_test_add_data_func(test, in, replay);
}

static int cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_dir(GPtrArray *inputs, const char *dir_path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!dir)
		g_error("%s", error->message);
	while ((name = g_dir_read_name(dir)))
		if (name[0] != '.')
			g_ptr_array_add(names, g_build_filename(dir_path, name, NULL));
	g_ptr_array_sort(names, cmp_names);
	for (guint i = 0; i < names->len; i++)
		add_file(inputs, names->pdata[i]);
}

int main(int argc, char **argv)
{
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(input_free);
	g_autofree char *corpus = NULL;
	char *name, *data;
	size_t size;

	g_test_init(&argc, &argv, NULL);
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			if (g_file_test(argv[i], G_FILE_TEST_IS_DIR))
				add_dir(inputs, argv[i]);
			else
				add_file(inputs, argv[i]);
		}
		return g_test_run();
	}
	corpus = rig_srcdir_path("tests/fuzz/corpus", fuzz_harness_name);
	add_dir(inputs, corpus);
	for (unsigned int i = 0; fuzz_generated_input(i, &name, &data, &size); i++) {
		g_autofree char *test = g_strdup_printf("/fuzz/%s/generated/%s",
							fuzz_harness_name, name);
		struct input *in = g_new0(struct input, 1);

		in->data = data;
		in->size = size;
		g_ptr_array_add(inputs, in);
		g_test_add_data_func(test, in, replay);
		g_free(name);
	}
	return g_test_run();
}
