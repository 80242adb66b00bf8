/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy registry: the built-in policies arrive through the plugin
 * interface, names are unique per slot, bad tables and failed
 * registrations leave the registry as it was, the enum keys follow the
 * registry, a run resolves its slot values to ops, and plugin loading
 * fails cleanly on files that are not plugins.  (Real plugins, built
 * against the installed header, are tests/plugin.tap's.)
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "policies/builtin.h"
#include "sim/config/keys.h"
#include "sim/model/model.h"
#include "sim/kernel/pagelock.h"
#include "sim/model/policy.h"
#include "sim/kernel/rwsem.h"
#include "sim/config/scenario.h"

/* A test policy: readers and writers queue at once, a wake-up grants
 * every queued reader, no handoff. */
static int test_down_read_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return rwsem_down_read_queue(sem, waiter, false);
}

static int test_down_write_slowpath(struct rw_semaphore *sem, struct rwsem_waiter *waiter)
{
	return rwsem_down_write_queue(sem, waiter);
}

static unsigned int test_wake_readers(struct rw_semaphore *sem)
{
	struct rwsem_waiter *w, *next;
	unsigned int woken = 0;

	for (w = rwsem_first_waiter(sem); w; w = next) {
		next = rwsem_next_waiter(sem, w);
		if (rwsem_waiter_type(w) == RWSEM_WAITING_FOR_READ) {
			rwsem_grant_reader(sem, w);
			woken++;
		}
	}
	return woken;
}

#define TEST_RWSEM_OPS							\
	.down_read_slowpath = test_down_read_slowpath,			\
	.down_write_slowpath = test_down_write_slowpath,		\
	.wake_readers = test_wake_readers,				\
	.spin_poll = 1000

static const struct fs_rwsem_policy test_rwsem = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "test-rwsem",
	.summary = "a test policy",
	.thread = "tests/test-policy.c",
	TEST_RWSEM_OPS,
};

static gboolean register_test_rwsem(struct fs_plugin_registrar *r, GError **error)
{
	g_assert_nonnull(fs_plugin_registrar_origin(r));
	return fs_register_rwsem_policy(r, &test_rwsem, error);
}

/* The built-ins are registered through fs_register_*_policy(), in the
 * order of policies/builtin.c, under the origin "built-in", by pointer:
 * the registry holds the very tables rwsem.c and pagelock.c use. */
static void test_builtins(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	guint n;

	for (n = 0; fs_builtin_rwsem_policies[n]; n++) {
		const struct sim_policy *p = sim_policies_get(reg, SIM_POLICY_RWSEM, n);

		g_assert_true(p->ops == fs_builtin_rwsem_policies[n]);
		g_assert_cmpint(p->slot, ==, SIM_POLICY_RWSEM);
		g_assert_cmpstr(p->name, ==, fs_builtin_rwsem_policies[n]->name);
		g_assert_cmpstr(p->origin, ==, "built-in");
		/* Every policy file credits its thread. */
		g_assert_cmpuint(strlen(p->thread), >, 20);
		g_assert_cmpuint(strlen(p->summary), >, 10);
	}
	g_assert_cmpuint(n, ==, 5);
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_RWSEM), ==, n);
	g_assert_null(sim_policies_get(reg, SIM_POLICY_RWSEM, n));
	for (n = 0; fs_builtin_page_lock_policies[n]; n++) {
		const struct sim_policy *p = sim_policies_get(reg, SIM_POLICY_PAGE_LOCK, n);

		g_assert_true(p->ops == fs_builtin_page_lock_policies[n]);
		g_assert_cmpstr(p->name, ==, fs_builtin_page_lock_policies[n]->name);
		g_assert_cmpuint(strlen(p->thread), >, 20);
	}
	g_assert_cmpuint(n, ==, 3);
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_PAGE_LOCK), ==, n);
	g_assert_cmpstr(sim_policies_get(reg, SIM_POLICY_RWSEM, 3)->name, ==, "v5.11");
	g_assert_cmpstr(sim_policies_get(reg, SIM_POLICY_PAGE_LOCK, 2)->name, ==, "bounded-steal");
}

/* Lookup is by slot and name. */
static void test_lookup(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();

	g_assert_true(sim_policies_lookup(reg, SIM_POLICY_RWSEM, "v5.3")->ops == &fs_rwsem_v5_3);
	g_assert_true(sim_policies_lookup(reg, SIM_POLICY_PAGE_LOCK, "fair")->ops ==
		      &fs_page_lock_fair);
	g_assert_null(sim_policies_lookup(reg, SIM_POLICY_RWSEM, "fair"));
	g_assert_null(sim_policies_lookup(reg, SIM_POLICY_PAGE_LOCK, "v5.3"));
	g_assert_null(sim_policies_lookup(reg, SIM_POLICY_RWSEM, "V5.3"));
	g_assert_null(sim_policies_lookup(reg, SIM_POLICY_RWSEM, NULL));
	g_assert_true(sim_policies_register(reg, "test", register_test_rwsem, NULL));
	g_assert_cmpstr(sim_policies_lookup(reg, SIM_POLICY_RWSEM, "test-rwsem")->origin, ==,
			"test");
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_RWSEM), ==, 6);
}

static const struct fs_rwsem_policy dup_v5_11 = {
	.version = FS_RWSEM_POLICY_VERSION,
	.name = "v5.11",
	TEST_RWSEM_OPS,
};

static bool test_want_handoff(unsigned int lost, unsigned int unfairness)
{
	return false;
}

static bool test_shared_woken(bool bit_set)
{
	return true;
}

/* A page_lock policy may share a name with an rwsem one: names are per slot. */
static const struct fs_page_lock_policy page_lock_named_v5_11 = {
	.version = FS_PAGE_LOCK_POLICY_VERSION,
	.name = "v5.11",
	.want_handoff = test_want_handoff,
	.shared_woken = test_shared_woken,
};

static gboolean register_dup(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_rwsem_policy(r, &dup_v5_11, error);
}

static gboolean register_new_then_dup(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_page_lock_policy(r, &page_lock_named_v5_11, error) &&
	       fs_register_rwsem_policy(r, &test_rwsem, error) &&
	       fs_register_rwsem_policy(r, &dup_v5_11, error);
}

static gboolean register_twice(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_rwsem_policy(r, &test_rwsem, error) &&
	       fs_register_rwsem_policy(r, &test_rwsem, error);
}

/* A duplicate name is refused with a message naming who had it; the
 * registration function's earlier policies are rolled back. */
static void test_duplicate(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	g_autoptr(GError) error = NULL;

	g_assert_false(sim_policies_register(reg, "dup.so", register_dup, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_FAILED);
	g_assert_cmpstr(error->message, ==,
			"duplicate rwsem policy 'v5.11': already registered by built-in");
	g_clear_error(&error);
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_RWSEM), ==, 5);

	g_assert_false(sim_policies_register(reg, "partial.so", register_new_then_dup, &error));
	g_assert_nonnull(strstr(error->message, "'v5.11'"));
	g_clear_error(&error);
	g_assert_null(sim_policies_lookup(reg, SIM_POLICY_RWSEM, "test-rwsem"));
	g_assert_null(sim_policies_lookup(reg, SIM_POLICY_PAGE_LOCK, "v5.11"));
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_PAGE_LOCK), ==, 3);

	g_assert_false(sim_policies_register(reg, "twice.so", register_twice, &error));
	g_assert_cmpstr(error->message, ==,
			"duplicate rwsem policy 'test-rwsem': already registered by twice.so");
	g_clear_error(&error);
	g_assert_null(sim_policies_lookup(reg, SIM_POLICY_RWSEM, "test-rwsem"));

	/* Another origin after a clean registration: named in the message. */
	g_assert_true(sim_policies_register(reg, "first.so", register_test_rwsem, NULL));
	g_assert_false(sim_policies_register(reg, "second.so", register_test_rwsem, &error));
	g_assert_cmpstr(error->message, ==,
			"duplicate rwsem policy 'test-rwsem': already registered by first.so");
}

/* Tables faultsim cannot take, each refused with its reason. */
static const struct fs_rwsem_policy bad_version0 = { .version = 0, .name = "x" };
static const struct fs_rwsem_policy bad_version_new = {
	.version = FS_RWSEM_POLICY_VERSION + 1, .name = "x", TEST_RWSEM_OPS,
};
static const struct fs_rwsem_policy bad_name_space = {
	.version = FS_RWSEM_POLICY_VERSION, .name = "my policy", TEST_RWSEM_OPS,
};
static const struct fs_rwsem_policy bad_name_null = {
	.version = FS_RWSEM_POLICY_VERSION, TEST_RWSEM_OPS,
};
static const struct fs_rwsem_policy bad_name_empty = {
	.version = FS_RWSEM_POLICY_VERSION, .name = "", TEST_RWSEM_OPS,
};
static const struct fs_rwsem_policy bad_no_slowpath = {
	.version = FS_RWSEM_POLICY_VERSION, .name = "x",
	.down_write_slowpath = test_down_write_slowpath, .wake_readers = test_wake_readers,
	.spin_poll = 1000,
};
static const struct fs_rwsem_policy bad_no_wake = {
	.version = FS_RWSEM_POLICY_VERSION, .name = "x",
	.down_read_slowpath = test_down_read_slowpath,
	.down_write_slowpath = test_down_write_slowpath, .spin_poll = 1000,
};
static const struct fs_rwsem_policy bad_spin_poll = {
	.version = FS_RWSEM_POLICY_VERSION, .name = "x",
	.down_read_slowpath = test_down_read_slowpath,
	.down_write_slowpath = test_down_write_slowpath, .wake_readers = test_wake_readers,
};
static const struct fs_rwsem_policy bad_nonspinnable = {
	.version = FS_RWSEM_POLICY_VERSION, .name = "x", TEST_RWSEM_OPS,
	.nonspinnable_cleared = 1ul << 5,
};

struct bad_case {
	const struct fs_rwsem_policy *ops;	/* NULL: a NULL table */
	const char *message;			/* a part of the error */
};

static const struct bad_case bad_cases[] = {
	{ &bad_version0, "rwsem policy ops version 0: this faultsim knows versions 1 .. 2 "
			 "(version not set)" },
	{ &bad_version_new, "rwsem policy ops version 3: this faultsim knows versions 1 .. 2" },
	{ &bad_name_space, "rwsem policy name 'my policy': use 1 to 64 letters" },
	{ &bad_name_null, "rwsem policy name '(null)'" },
	{ &bad_name_empty, "rwsem policy name ''" },
	{ &bad_no_slowpath, "rwsem policy 'x': down_read_slowpath is required" },
	{ &bad_no_wake, "rwsem policy 'x': wake_readers is required" },
	{ &bad_spin_poll, "rwsem policy 'x': spin_poll must be positive (got 0 ns)" },
	{ &bad_nonspinnable, "rwsem policy 'x': nonspinnable_cleared has bits outside "
			     "RWSEM_NONSPINNABLE" },
	{ NULL, "rwsem policy: the ops table is NULL" },
};

/* Inside a registration: every bad table is refused, with its reason. */
static gboolean register_bad_tables(struct fs_plugin_registrar *r, GError **error)
{
	for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		GError *e = NULL;

		g_assert_false(fs_register_rwsem_policy(r, bad_cases[i].ops, &e));
		g_assert_nonnull(e);
		if (!strstr(e->message, bad_cases[i].message))
			g_error("case %u: '%s' lacks '%s'", i, e->message, bad_cases[i].message);
		g_error_free(e);
	}
	return TRUE;
}

static gboolean register_false_silently(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_rwsem_policy(r, &test_rwsem, error) && FALSE;
}

static gboolean register_true_with_error(struct fs_plugin_registrar *r, GError **error)
{
	fs_register_rwsem_policy(r, &test_rwsem, error);
	g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED, "said yes, meant no");
	return TRUE;
}

static void test_bad_tables(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(sim_policies_register(reg, "bad", register_bad_tables, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_RWSEM), ==, 5);

	/* A registration that fails without saying why, or says why but
	 * returns TRUE, fails as a whole. */
	g_assert_false(sim_policies_register(reg, "silent", register_false_silently, &error));
	g_assert_cmpstr(error->message, ==, "registration failed (no reason given)");
	g_clear_error(&error);
	g_assert_false(sim_policies_register(reg, "liar", register_true_with_error, &error));
	g_assert_cmpstr(error->message, ==, "said yes, meant no");
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_RWSEM), ==, 5);
}

/* A per-VMA fault_lock table (version 3) says what it covers under the
 * VMA lock, with VMA_LOCK_* bits only; a version 2 table is taken as
 * covering everything, as faultsim did before version 3. */
static struct vm_area_struct *test_lock_vma(struct fault_sys *fs, struct sim_task *t,
					    struct mm_struct *mm, uint64_t addr)
{
	return NULL;
}

static const struct fs_fault_lock_policy lock_covers_nothing = {
	.version = 3, .name = "nothing", .lock_vma = test_lock_vma,
};
static const struct fs_fault_lock_policy lock_covers_unknown = {
	.version = 3, .name = "unknown", .lock_vma = test_lock_vma,
	.vma_lock_covers = VMA_LOCK_ANON | 0x100,
};
static const struct fs_fault_lock_policy lock_v2 = {
	.version = 2, .name = "v2", .lock_vma = test_lock_vma,
};
static const struct fs_fault_lock_policy lock_anon = {
	.version = 3, .name = "anon", .lock_vma = test_lock_vma,
	.vma_lock_covers = VMA_LOCK_ANON,
};

static gboolean register_fault_lock_tables(struct fs_plugin_registrar *r, GError **error)
{
	GError *e = NULL;

	g_assert_false(fs_register_fault_lock_policy(r, &lock_covers_nothing, &e));
	g_assert_nonnull(strstr(e->message, "fault_lock policy 'nothing': vma_lock_covers 0x0"));
	g_clear_error(&e);
	g_assert_false(fs_register_fault_lock_policy(r, &lock_covers_unknown, &e));
	g_assert_nonnull(strstr(e->message, "vma_lock_covers 0x101"));
	g_clear_error(&e);
	return fs_register_fault_lock_policy(r, &lock_v2, error) &&
	       fs_register_fault_lock_policy(r, &lock_anon, error);
}

static void test_fault_lock_ops(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	g_autoptr(GError) error = NULL;

	/* mmap, per-vma, per-vma-6.4, per-vma-6.6, spf */
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_FAULT_LOCK), ==, 5);
	g_assert_true(sim_policies_register(reg, "fl", register_fault_lock_tables, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_FAULT_LOCK), ==, 7);
	/* The built-ins by version: 6.4 anonymous only, 6.6 not ->fault,
	 * per-vma (6.8) everything and TRIED after a major retry. */
	g_assert_cmphex(fs_fault_lock_per_vma_6_4.vma_lock_covers, ==, VMA_LOCK_ANON);
	g_assert_cmphex(fs_fault_lock_per_vma_6_6.vma_lock_covers, ==,
			VMA_LOCK_COVERS_ALL & ~VMA_LOCK_FILE_FAULT);
	g_assert_cmphex(fs_fault_lock_per_vma.vma_lock_covers, ==, VMA_LOCK_COVERS_ALL);
	g_assert_false(fs_fault_lock_per_vma_6_4.major_retry_tried);
	g_assert_false(fs_fault_lock_per_vma_6_6.major_retry_tried);
	g_assert_true(fs_fault_lock_per_vma.major_retry_tried);
	/* 5.9's accounting with first-drop only. */
	g_assert_false(fs_fault_retry_once.mm_account_fault);
	g_assert_true(fs_fault_retry_first_drop.mm_account_fault);
	g_assert_false(fs_fault_retry_unlimited.mm_account_fault);
}

/* A page_lock table needs both operations; registration names the one
 * missing. */
static const struct fs_page_lock_policy page_lock_no_handoff_op = {
	.version = FS_PAGE_LOCK_POLICY_VERSION, .name = "half",
	.shared_woken = test_shared_woken,
};
static const struct fs_page_lock_policy page_lock_no_shared_op = {
	.version = FS_PAGE_LOCK_POLICY_VERSION, .name = "other-half",
	.want_handoff = test_want_handoff,
};

static gboolean register_half_page_lock(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_page_lock_policy(r, &page_lock_no_handoff_op, error);
}

static gboolean register_other_half_page_lock(struct fs_plugin_registrar *r, GError **error)
{
	return fs_register_page_lock_policy(r, &page_lock_no_shared_op, error);
}

static void test_page_lock_ops(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	GError *error = NULL;

	g_assert_false(sim_policies_register(reg, "half.so", register_half_page_lock, &error));
	g_assert_cmpstr(error->message, ==, "page_lock policy 'half': want_handoff is required");
	g_clear_error(&error);
	g_assert_false(sim_policies_register(reg, "half.so", register_other_half_page_lock,
					     &error));
	g_assert_cmpstr(error->message, ==,
			"page_lock policy 'other-half': shared_woken is required");
	g_clear_error(&error);
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_PAGE_LOCK), ==, 3);
}

static const struct sim_run_config *first_run(struct sim_study **study, struct sim_keys *keys,
					      char **set, GError **error)
{
	*study = sim_study_new(NULL, NULL, set, keys, error);
	return *study ? sim_study_run(*study, 0) : NULL;
}

/* The policy.SLOT keys accept what the registry holds: a registered test
 * policy is a valid value and a run resolves to its very table; the
 * built-ins still resolve through the preset. */
static void test_keys_follow_registry(void)
{
	struct sim_policies *reg = sim_policies_new();
	g_autoptr(sim_keys) keys = sim_keys_new();
	g_autoptr(GError) error = NULL;
	struct sim_study *study;
	const struct sim_run_config *cfg;

	g_assert_true(sim_policies_register(reg, "test", register_test_rwsem, NULL));
	sim_model_register_keys_with(keys, reg);	/* keys own reg now */

	char *set1[] = { (char *)"policy.rwsem=test-rwsem", NULL };

	cfg = first_run(&study, keys, set1, &error);
	g_assert_no_error(error);
	g_assert_true(sim_policy_rwsem(cfg) == &test_rwsem);
	g_assert_cmpstr(sim_policy_of(cfg, SIM_POLICY_RWSEM)->origin, ==, "test");
	g_assert_true(sim_policy_page_lock(cfg) == &fs_page_lock_bounded_steal);
	{
		g_autofree char *set = sim_policy_set_string(cfg);

		g_assert_cmpstr(set, ==, "rwsem=test-rwsem page_lock=bounded-steal "
				"retry=first-drop io=drop map_pages=trylock fault_lock=mmap "
				"khugepaged=swapin-read prefault=per-page dirty_throttle=drop");
	}
	sim_study_free(study);

	char *set2[] = { (char *)"policy.preset=linux-4.19", NULL };

	cfg = first_run(&study, keys, set2, &error);
	g_assert_no_error(error);
	g_assert_true(sim_policy_rwsem(cfg) == &fs_rwsem_v4_19);
	g_assert_true(sim_policy_page_lock(cfg) == &fs_page_lock_steal);
	sim_study_free(study);

	char *set3[] = { (char *)"policy.rwsem=test-rwsen", NULL };

	g_assert_null(first_run(&study, keys, set3, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN);
	g_assert_nonnull(strstr(error->message, "bad value 'test-rwsen': accepted are v4.19, "
				"v5.3, v5.4, v5.11, reader-pref, test-rwsem"));
}

/* Without the plugin's registration the name is refused. */
static void test_keys_builtins_only(void)
{
	g_autoptr(sim_keys) keys = sim_keys_new();
	g_autoptr(GError) error = NULL;
	struct sim_study *study;
	char *set[] = { (char *)"policy.rwsem=test-rwsem", NULL };

	sim_model_register_keys(keys);
	g_assert_null(first_run(&study, keys, set, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN);
	g_assert_nonnull(strstr(error->message,
				"accepted are v4.19, v5.3, v5.4, v5.11, reader-pref"));
}

/* Files that are not plugins: each a clear error naming the path, the
 * registry unchanged. */
static void test_load_errors(void)
{
	g_autoptr(sim_policies) reg = sim_policies_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("test-policy-XXXXXX", NULL);
	g_autofree char *missing = g_build_filename(dir, "missing.so", NULL);
	g_autofree char *text = g_build_filename(dir, "text.so", NULL);
	g_autofree char *want = NULL;

	g_assert_nonnull(dir);
	g_assert_false(sim_policies_load_plugin(reg, missing, &error));
	want = g_strdup_printf("plugin '%s': no such file", missing);
	g_assert_cmpstr(error->message, ==, want);
	g_clear_error(&error);

	g_assert_false(sim_policies_load_plugin(reg, dir, &error));
	g_assert_nonnull(strstr(error->message, "not a regular file"));
	g_clear_error(&error);

	g_assert_true(g_file_set_contents(text, "not a shared object\n", -1, NULL));
	g_assert_false(sim_policies_load_plugin(reg, text, &error));
	g_assert_nonnull(strstr(error->message, "cannot load it"));
	g_assert_nonnull(strstr(error->message, text));
	g_clear_error(&error);

	g_assert_false(sim_policies_load_plugin(reg, "", &error));
	g_clear_error(&error);
	g_assert_cmpuint(sim_policies_count(reg, SIM_POLICY_RWSEM), ==, 5);
	g_unlink(text);
	g_rmdir(dir);
}

/* plugin = lines of every section, relative to the scenario's directory,
 * then --set plugin=, without duplicates; variables are refused. */
static void test_scenario_plugins(void)
{
	g_autofree char *dir = g_dir_make_tmp("test-policy-XXXXXX", NULL);
	g_autofree char *ini = g_build_filename(dir, "s.ini", NULL);
	g_autofree char *a = g_build_filename(dir, "a.so", NULL);
	g_autofree char *b = g_build_filename(dir, "sub", "b.so", NULL);
	g_autoptr(GError) error = NULL;
	char *set[] = { (char *)"machine.cpus=2", (char *)" plugin = c.so ", NULL };
	g_auto(GStrv) got = NULL;

	g_assert_true(g_file_set_contents(ini,
		"[General]\n"
		"plugin = a.so\n"
		"[Config X]\n"
		"plugin = sub/b.so, a.so, /abs/d.so\n", -1, NULL));
	got = sim_scenario_plugins(ini, set, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(got), ==, 4);
	g_assert_cmpstr(got[0], ==, a);
	g_assert_cmpstr(got[1], ==, b);
	g_assert_cmpstr(got[2], ==, "/abs/d.so");
	g_assert_cmpstr(got[3], ==, "c.so");
	g_clear_pointer(&got, g_strfreev);

	got = sim_scenario_plugins(NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(got), ==, 0);
	g_clear_pointer(&got, g_strfreev);

	g_assert_true(g_file_set_contents(ini, "[General]\nplugin = ${p=a.so,b.so}\n", -1, NULL));
	g_assert_null(sim_scenario_plugins(ini, NULL, &error));
	g_assert_nonnull(strstr(error->message, "cannot use iteration variables"));
	g_clear_error(&error);

	char *empty[] = { (char *)"plugin=a.so,,b.so", NULL };

	g_assert_null(sim_scenario_plugins(NULL, empty, &error));
	g_assert_nonnull(strstr(error->message, "--set:1: key 'plugin': empty path"));
	g_unlink(ini);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/policy/registry/builtins", test_builtins);
	g_test_add_func("/policy/registry/lookup", test_lookup);
	g_test_add_func("/policy/registry/duplicate", test_duplicate);
	g_test_add_func("/policy/registry/bad-tables", test_bad_tables);
	g_test_add_func("/policy/page-lock/ops", test_page_lock_ops);
	g_test_add_func("/policy/fault-lock/ops", test_fault_lock_ops);
	g_test_add_func("/policy/keys/follow-registry", test_keys_follow_registry);
	g_test_add_func("/policy/keys/builtins-only", test_keys_builtins_only);
	g_test_add_func("/policy/plugin/load-errors", test_load_errors);
	g_test_add_func("/policy/plugin/scenario-paths", test_scenario_plugins);
	return g_test_run();
}
