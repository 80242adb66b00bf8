/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy slots, the registry, plugins and kernel presets (see policy.h and
 * include/faultsim/plugin.h).
 *
 * The registry.  One array of struct sim_policy per slot, in registration
 * order; built-ins first (sim_policies_new() runs
 * fs_builtin_policies_register() like any plugin's function), then each
 * plugin's in load order.  A registration function runs inside a
 * transaction: if it fails, every slot is cut back to its length before
 * the call.  Plugins stay loaded (their tables are used by pointer) until
 * the registry is freed.
 *
 * Keys.  sim_policy_register_keys() makes one enum key per slot whose
 * choices are the slot's names, in a struct policy_slot that embeds the
 * key definition: the keys registry hands that definition back for
 * "policy.rwsem", and container_of() leads from it to the slot and its
 * policies.  So a run configuration (which knows its keys registry)
 * resolves its slot values without a global and without a new argument
 * to the model.  The keys registry owns the policy registry from then on;
 * both are only read afterwards.
 *
 * The presets follow docs/kernel.md (written from the kernel sources),
 * slot by slot:
 *
 *   preset       rwsem   page_lock
 *   linux-4.19   v4.19   steal
 *   linux-5.4    v5.4    steal          (handoff and the 256-reader wake
 *                                        arrived in 5.3, the handoff
 *                                        writer's spin in 5.4: 91d2a812dfb9)
 *   linux-5.10   v5.4    bounded-steal  (5.9: 5ef64cc8987a)
 *   linux-6.1    v5.11   bounded-steal  (readers stopped spinning in 5.11)
 *   linux-6.4 .. linux-6.15  v5.11   bounded-steal
 *
 * and for the fault path (retry, io, map_pages, fault_lock): 4.19 once,
 * hold; 5.4 once, drop (6b4c9f446981 is 5.1); 5.10 onwards first-drop
 * (4064b9827063 is 5.7; its table also counts a retried fault as major,
 * mm_account_fault() of 5.9), drop; trylock everywhere (the lockless
 * proposal was not merged); fault_lock mmap up to 6.1, then per-VMA locks
 * by what each version covers: linux-6.4 per-vma-6.4 (anonymous VMAs
 * only; 6.5 is the same), linux-6.6 per-vma-6.6 (swap and file
 * fault-around too, ->fault under mmap_sem, no TRIED after a VMA-lock
 * retry), linux-6.8 and linux-6.15 per-vma (->fault too, 6.7; TRIED after
 * a major VMA-lock retry, 6.8).  khugepaged: swapin-read everywhere (4.8
 * onwards); prefault: per-page up to 6.8 (fault_in_pages_readable(), then
 * fault_in_readable() of 5.16, probe one byte per page), on-failure in
 * 6.15 (665575cff098, 6.14).  Outside the slots, generic_perform_write()'s
 * chunk (write.chunk): a page up to 6.8, the mapping's largest folio in
 * 6.15 (9aac777aaf94, 6.11).  dirty_throttle: hold in 4.19 and 5.4 (5.4.0;
 * 89b15332af7c reached 5.4.y in 5.4.9), drop from 5.10 (5.5).
 */
#include "config.h"

#include <errno.h>
#include <gmodule.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policies/builtin.h"
#include "sim/core/list.h"
#include "sim/kernel/pagelock.h"
#include "sim/kernel/rwsem.h"
#include "sim/model/policy.h"

#define POLICY_NAME_MAX		64

/* ------------------------------------------------------------------ */
/* Slots */

/* Slot-specific checks of a table at registration, after the common ones. */
typedef gboolean policy_check_fn(const void *ops, GError **error);

struct slot_desc {
	struct sim_policy_slot_info info;
	policy_check_fn *check;
};

/* The rwsem and page lock tables are checked by the kernel model that
 * runs them; here, besides, what the model only asserts while it runs. */
#define RWSEM_SPIN_POLL_MAX	NSEC_PER_MSEC

static gboolean rwsem_check_ops(const void *p, GError **error)
{
	const struct fs_rwsem_policy *ops = p;

	if (!rwsem_policy_check(ops, error))
		return FALSE;
	/* A spinner re-checks the owner every spin_poll ns while it burns its
	 * CPU: more than a millisecond is no spin (and near the top of
	 * sim_time_t, now + spin_poll overflows). */
	if (ops->spin_poll > RWSEM_SPIN_POLL_MAX) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "rwsem policy '%s': spin_poll must be at most %" G_GINT64_FORMAT
			    " ns (got %" G_GINT64_FORMAT " ns)", ops->name,
			    (gint64)RWSEM_SPIN_POLL_MAX, (gint64)ops->spin_poll);
		return FALSE;
	}
	return TRUE;
}

static gboolean page_lock_check_ops(const void *p, GError **error)
{
	return page_lock_policy_check(p, error);
}

static gboolean fault_retry_check_ops(const void *p, GError **error)
{
	const struct fs_fault_retry_policy *ops = p;

	if (!ops->retry_flags || !ops->may_drop) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "retry policy '%s': retry_flags and may_drop are required", ops->name);
		return FALSE;
	}
	return TRUE;
}

static gboolean fault_io_check_ops(const void *p, GError **error)
{
	const struct fs_fault_io_policy *ops = p;

	if (!ops->fault) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "io policy '%s': fault is required", ops->name);
		return FALSE;
	}
	return TRUE;
}

/* Version 3: a per-VMA lock policy says what it covers, with known bits. */
static gboolean fault_lock_check_ops(const void *p, GError **error)
{
	const struct fs_fault_lock_policy *ops = p;

	if (ops->version < 3 || !ops->lock_vma)
		return TRUE;
	if (!ops->vma_lock_covers || (ops->vma_lock_covers & ~VMA_LOCK_COVERS_ALL)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "fault_lock policy '%s': vma_lock_covers 0x%x: a lock_vma policy "
			    "covers some of VMA_LOCK_* (0x%x) and nothing else", ops->name,
			    ops->vma_lock_covers, VMA_LOCK_COVERS_ALL);
		return FALSE;
	}
	return TRUE;
}

static gboolean khugepaged_check_ops(const void *p, GError **error)
{
	const struct fs_khugepaged_policy *ops = p;

	if (!ops->collapse_huge_page || ops->pmd_lock_atomics > 1) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "khugepaged policy '%s': collapse_huge_page is required and "
			    "pmd_lock_atomics is 0 or 1", ops->name);
		return FALSE;
	}
	return TRUE;
}

static gboolean prefault_check_ops(const void *p, GError **error)
{
	const struct fs_prefault_policy *ops = p;

	if (ops->prefault && !ops->fault_in_readable) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "prefault policy '%s': prefault needs fault_in_readable", ops->name);
		return FALSE;
	}
	return TRUE;
}

static gboolean dirty_throttle_check_ops(const void *p, GError **error)
{
	const struct fs_dirty_throttle_policy *ops = p;

	if (!ops->throttle) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "dirty_throttle policy '%s': throttle is required", ops->name);
		return FALSE;
	}
	return TRUE;
}

static const struct slot_desc slots[SIM_NR_POLICY_SLOTS] = {
	[SIM_POLICY_RWSEM] = {
		{ "rwsem", "policy.rwsem", "v5.11",
		  "mmap_sem behaviour (default: the preset's)", FS_RWSEM_POLICY_VERSION },
		rwsem_check_ops,
	},
	[SIM_POLICY_PAGE_LOCK] = {
		{ "page_lock", "policy.page_lock", "bounded-steal",
		  "page lock fairness (default: the preset's)", FS_PAGE_LOCK_POLICY_VERSION },
		page_lock_check_ops,
	},
	[SIM_POLICY_RETRY] = {
		{ "retry", "policy.retry", "first-drop",
		  "fault retries after VM_FAULT_RETRY (default: the preset's)",
		  FS_FAULT_RETRY_POLICY_VERSION },
		fault_retry_check_ops,
	},
	[SIM_POLICY_IO] = {
		{ "io", "policy.io", "drop",
		  "filemap_fault: I/O under mmap_sem or dropped (default: the preset's)",
		  FS_FAULT_IO_POLICY_VERSION },
		fault_io_check_ops,
	},
	[SIM_POLICY_MAP_PAGES] = {
		{ "map_pages", "policy.map_pages", "trylock",
		  "fault-around page locking (default: the preset's)",
		  FS_FAULT_MAP_PAGES_POLICY_VERSION },
		NULL,
	},
	[SIM_POLICY_FAULT_LOCK] = {
		{ "fault_lock", "policy.fault_lock", "mmap",
		  "how a fault holds its VMA (default: the preset's)",
		  FS_FAULT_LOCK_POLICY_VERSION },
		fault_lock_check_ops,
	},
	[SIM_POLICY_KHUGEPAGED] = {
		{ "khugepaged", "policy.khugepaged", "swapin-read",
		  "khugepaged: swap-in and collapse locking (default: the preset's)",
		  FS_KHUGEPAGED_POLICY_VERSION },
		khugepaged_check_ops,
	},
	[SIM_POLICY_PREFAULT] = {
		{ "prefault", "policy.prefault", "per-page",
		  "write(2): faulting in the user buffer (default: the preset's)",
		  FS_PREFAULT_POLICY_VERSION },
		prefault_check_ops,
	},
	[SIM_POLICY_DIRTY_THROTTLE] = {
		{ "dirty_throttle", "policy.dirty_throttle", "drop",
		  "write faults: dirty throttling under mmap_sem or after dropping it "
		  "(default: the preset's)", FS_DIRTY_THROTTLE_POLICY_VERSION },
		dirty_throttle_check_ops,
	},
};

const struct sim_policy_slot_info *sim_policy_slot(enum sim_policy_slot slot)
{
	g_assert(slot < SIM_NR_POLICY_SLOTS);
	return &slots[slot].info;
}

/* ------------------------------------------------------------------ */
/* The registry */

/* One slot of a registry; @key must stay first (see the file comment). */
struct policy_slot {
	struct sim_key_def key;		/* policy.SLOT, choices = @names */
	struct sim_policies *reg;
	GPtrArray *policies;		/* struct sim_policy *, owned */
	GPtrArray *names;		/* const char *, NULL-terminated, made with the keys */
};

struct sim_policies {
	struct policy_slot slot[SIM_NR_POLICY_SLOTS];
	GPtrArray *origins;		/* char *: the strings policies point to */
	GPtrArray *modules;		/* GModule *, loaded plugins */
	GPtrArray *real_paths;		/* char *: their canonical paths */
	GPtrArray *unloaded;		/* char *: plugins named, not loaded */
	gboolean frozen;		/* keys made: read-only */
};

struct fs_plugin_registrar {
	struct sim_policies *reg;
	const char *origin;
};

struct sim_policies *sim_policies_new(void)
{
	struct sim_policies *reg = g_new0(struct sim_policies, 1);
	g_autoptr(GError) error = NULL;

	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++) {
		reg->slot[i].reg = reg;
		reg->slot[i].policies = g_ptr_array_new_with_free_func(g_free);
	}
	reg->origins = g_ptr_array_new_with_free_func(g_free);
	reg->modules = g_ptr_array_new();
	reg->real_paths = g_ptr_array_new_with_free_func(g_free);
	reg->unloaded = g_ptr_array_new_with_free_func(g_free);
	if (!sim_policies_register(reg, "built-in", fs_builtin_policies_register, &error))
		g_error("built-in policies: %s", error->message);
	return reg;
}

void sim_policies_free(struct sim_policies *reg)
{
	if (!reg)
		return;
	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++) {
		g_ptr_array_unref(reg->slot[i].policies);
		if (reg->slot[i].names)
			g_ptr_array_unref(reg->slot[i].names);
	}
	/* The tables live in the modules: drop them last. */
	for (guint i = 0; i < reg->modules->len; i++)
		g_module_close(reg->modules->pdata[i]);
	g_ptr_array_unref(reg->modules);
	g_ptr_array_unref(reg->real_paths);
	g_ptr_array_unref(reg->unloaded);
	g_ptr_array_unref(reg->origins);
	g_free(reg);
}

guint sim_policies_count(const struct sim_policies *reg, enum sim_policy_slot slot)
{
	g_assert(slot < SIM_NR_POLICY_SLOTS);
	return reg->slot[slot].policies->len;
}

const struct sim_policy *sim_policies_get(const struct sim_policies *reg,
					  enum sim_policy_slot slot, guint i)
{
	g_assert(slot < SIM_NR_POLICY_SLOTS);
	return i < reg->slot[slot].policies->len ? reg->slot[slot].policies->pdata[i] : NULL;
}

static const struct sim_policy *slot_lookup(const struct policy_slot *s, const char *name)
{
	for (guint i = 0; i < s->policies->len; i++) {
		const struct sim_policy *p = s->policies->pdata[i];

		if (strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

const struct sim_policy *sim_policies_lookup(const struct sim_policies *reg,
					     enum sim_policy_slot slot, const char *name)
{
	g_assert(slot < SIM_NR_POLICY_SLOTS);
	return name ? slot_lookup(&reg->slot[slot], name) : NULL;
}

static gboolean name_valid(const char *name)
{
	size_t n = 0;

	for (const char *c = name; *c; c++, n++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != '_' && *c != '-')
			return FALSE;
	return n > 0 && n <= POLICY_NAME_MAX;
}

/*
 * The common part of every fs_register_*_policy(): the version (read
 * before anything else), the header fields, the slot's own check, then a
 * unique name.
 */
static gboolean policy_register(struct fs_plugin_registrar *r, enum sim_policy_slot slot,
				const void *ops, const unsigned int *version,
				const char *const *name, const char *const *summary,
				const char *const *thread, GError **error)
{
	const struct slot_desc *d = &slots[slot];
	struct policy_slot *s;
	const struct sim_policy *dup;
	struct sim_policy *p;

	g_return_val_if_fail(r != NULL, FALSE);
	g_assert(!r->reg->frozen);
	s = &r->reg->slot[slot];
	if (!ops) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s policy: the ops table is NULL", d->info.name);
		return FALSE;
	}
	if (*version == 0 || *version > d->info.version) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "%s policy ops version %u: this faultsim knows versions 1 .. %u%s",
			    d->info.name, *version, d->info.version,
			    *version == 0 ? " (version not set)" : "");
		return FALSE;
	}
	if (!*name || !name_valid(*name)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s policy name '%s': use 1 to %d letters, digits, '.', '_' or '-'",
			    d->info.name, *name ? *name : "(null)", POLICY_NAME_MAX);
		return FALSE;
	}
	if (d->check && !d->check(ops, error))
		return FALSE;
	dup = slot_lookup(s, *name);
	if (dup) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "duplicate %s policy '%s': already registered by %s",
			    d->info.name, *name, dup->origin);
		return FALSE;
	}
	p = g_new0(struct sim_policy, 1);
	p->slot = slot;
	p->name = *name;
	p->summary = *summary ? *summary : "";
	p->thread = *thread ? *thread : "";
	p->origin = r->origin;
	p->ops = ops;
	g_ptr_array_add(s->policies, p);
	return TRUE;
}

gboolean fs_register_rwsem_policy(struct fs_plugin_registrar *r,
				  const struct fs_rwsem_policy *ops, GError **error)
{
	return policy_register(r, SIM_POLICY_RWSEM, ops, ops ? &ops->version : NULL,
			       ops ? &ops->name : NULL, ops ? &ops->summary : NULL,
			       ops ? &ops->thread : NULL, error);
}

gboolean fs_register_page_lock_policy(struct fs_plugin_registrar *r,
				      const struct fs_page_lock_policy *ops, GError **error)
{
	return policy_register(r, SIM_POLICY_PAGE_LOCK, ops, ops ? &ops->version : NULL,
			       ops ? &ops->name : NULL, ops ? &ops->summary : NULL,
			       ops ? &ops->thread : NULL, error);
}

#define FAULT_REGISTER(fn, type, slot)							\
gboolean fn(struct fs_plugin_registrar *r, const struct type *ops, GError **error)	\
{											\
	return policy_register(r, slot, ops, ops ? &ops->version : NULL,		\
			       ops ? &ops->name : NULL, ops ? &ops->summary : NULL,	\
			       ops ? &ops->thread : NULL, error);			\
}
FAULT_REGISTER(fs_register_fault_retry_policy, fs_fault_retry_policy, SIM_POLICY_RETRY)
FAULT_REGISTER(fs_register_fault_io_policy, fs_fault_io_policy, SIM_POLICY_IO)
FAULT_REGISTER(fs_register_fault_map_pages_policy, fs_fault_map_pages_policy,
	       SIM_POLICY_MAP_PAGES)
FAULT_REGISTER(fs_register_fault_lock_policy, fs_fault_lock_policy, SIM_POLICY_FAULT_LOCK)
FAULT_REGISTER(fs_register_khugepaged_policy, fs_khugepaged_policy, SIM_POLICY_KHUGEPAGED)
FAULT_REGISTER(fs_register_prefault_policy, fs_prefault_policy, SIM_POLICY_PREFAULT)
FAULT_REGISTER(fs_register_dirty_throttle_policy, fs_dirty_throttle_policy,
	       SIM_POLICY_DIRTY_THROTTLE)
#undef FAULT_REGISTER

const char *fs_plugin_registrar_origin(const struct fs_plugin_registrar *r)
{
	return r->origin;
}

gboolean sim_policies_register(struct sim_policies *reg, const char *origin,
			       fs_plugin_register_fn *fn, GError **error)
{
	struct fs_plugin_registrar r = { reg, NULL };
	guint before[SIM_NR_POLICY_SLOTS];
	GError *local = NULL;
	gboolean ok;

	g_assert(!reg->frozen);
	r.origin = g_strdup(origin);
	g_ptr_array_add(reg->origins, (char *)r.origin);
	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++)
		before[i] = reg->slot[i].policies->len;
	ok = fn(&r, &local);
	if (ok && !local)
		return TRUE;
	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++)
		g_ptr_array_set_size(reg->slot[i].policies, before[i]);
	if (local)
		g_propagate_error(error, local);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "registration failed (no reason given)");
	return FALSE;
}

/*
 * Code that anyone but this user (or root) could have written is not
 * loaded: a plugin file writable by its group or by others, or owned by
 * another user, would run whatever they put there, with our rights, the
 * moment it is loaded (its constructors run before any check).
 */
static gboolean plugin_trusted(const char *path, const char *real, GError **error)
{
	struct stat sb;

	if (stat(real, &sb) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "plugin '%s': %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "plugin '%s': writable by %s (mode %04o): not loaded "
			    "(chmod go-w it if you trust it)", path,
			    (sb.st_mode & S_IWOTH) ? "others" : "its group",
			    (unsigned int)(sb.st_mode & 07777));
		return FALSE;
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "plugin '%s': owned by uid %u, neither this user (uid %u) nor root: "
			    "not loaded", path, (unsigned int)sb.st_uid, (unsigned int)geteuid());
		return FALSE;
	}
	return TRUE;
}

/* The plugin's absolute path, checked to be a regular file. */
static char *plugin_path(const char *path, GError **error)
{
	g_autofree char *abs = NULL;

	if (!path || !*path) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "plugin '': empty path");
		return NULL;
	}
	/* An absolute path, so that GModule never searches the library path. */
	abs = g_canonicalize_filename(path, NULL);
	if (!g_file_test(abs, G_FILE_TEST_EXISTS)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "plugin '%s': no such file", path);
		return NULL;
	}
	if (!g_file_test(abs, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "plugin '%s': not a regular file",
			    path);
		return NULL;
	}
	return g_steal_pointer(&abs);
}

gboolean sim_policies_name_plugin(struct sim_policies *reg, const char *path,
				  GError **error)
{
	g_autofree char *abs = plugin_path(path, error);

	g_assert(!reg->frozen);
	if (!abs)
		return FALSE;
	g_ptr_array_add(reg->unloaded, g_steal_pointer(&abs));
	return TRUE;
}

guint sim_policies_unloaded(const struct sim_policies *reg)
{
	return reg->unloaded->len;
}

guint sim_policies_plugins(const struct sim_policies *reg)
{
	return reg->modules->len;
}

gboolean sim_policies_load_plugin(struct sim_policies *reg, const char *path,
				  GError **error)
{
	g_autofree char *abs = NULL;
	g_autofree char *real = NULL;
	GModule *mod;
	gpointer sym = NULL;
	unsigned int abi;

	g_assert(!reg->frozen);
	abs = plugin_path(path, error);
	if (!abs)
		return FALSE;
	real = realpath(abs, NULL);
	if (!real)
		real = g_strdup(abs);
	for (guint i = 0; i < reg->real_paths->len; i++)
		if (strcmp(reg->real_paths->pdata[i], real) == 0)
			return TRUE;	/* loaded already */
	if (!plugin_trusted(path, real, error))
		return FALSE;
	if (!g_module_supported()) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "plugin '%s': this platform cannot load modules", path);
		return FALSE;
	}
	mod = g_module_open(abs, G_MODULE_BIND_LOCAL);
	if (!mod) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED, "plugin '%s': cannot load it: %s",
			    path, g_module_error());
		return FALSE;
	}
	if (!g_module_symbol(mod, FAULTSIM_PLUGIN_ABI_SYMBOL, &sym) || !sym) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "plugin '%s': missing symbol '%s': not a faultsim plugin (a plugin "
			    "exports %s and %s, see <faultsim/plugin.h>)", path,
			    FAULTSIM_PLUGIN_ABI_SYMBOL, FAULTSIM_PLUGIN_ABI_SYMBOL,
			    FAULTSIM_PLUGIN_REGISTER_SYMBOL);
		goto fail;
	}
	abi = *(const unsigned int *)sym;
	if (abi != FAULTSIM_PLUGIN_ABI) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "plugin '%s': built for plugin ABI version %u, but this faultsim "
			    "has ABI version %u: rebuild it against this faultsim's "
			    "<faultsim/plugin.h>", path, abi, FAULTSIM_PLUGIN_ABI);
		goto fail;
	}
	if (!g_module_symbol(mod, FAULTSIM_PLUGIN_REGISTER_SYMBOL, &sym) || !sym) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "plugin '%s': missing symbol '%s' (its registration function)",
			    path, FAULTSIM_PLUGIN_REGISTER_SYMBOL);
		goto fail;
	}
	if (!sim_policies_register(reg, path, (fs_plugin_register_fn *)sym, error)) {
		g_prefix_error(error, "plugin '%s': ", path);
		goto fail;
	}
	g_ptr_array_add(reg->modules, mod);
	g_ptr_array_add(reg->real_paths, g_steal_pointer(&real));
	return TRUE;
fail:
	g_module_close(mod);
	return FALSE;
}

/* ------------------------------------------------------------------ */
/* Presets and keys */

static const struct sim_preset presets[] = {
	{ "linux-4.19", "Linux 4.19",
	  { "v4.19", "steal", "once", "hold", "trylock", "mmap",
	    "swapin-read", "per-page",
	    "hold" },
	  "page" },
	{ "linux-5.4", "Linux 5.4: rwsem handoff (and its writer's spin) and bulk reader wake",
	  { "v5.4", "steal", "once", "drop", "trylock", "mmap",
	    "swapin-read", "per-page",
	    "hold" },
	  "page" },
	{ "linux-5.10", "Linux 5.10: page lock bounded stealing, retried faults major",
	  { "v5.4", "bounded-steal", "first-drop", "drop", "trylock", "mmap",
	    "swapin-read", "per-page",
	    "drop" },
	  "page" },
	{ "linux-6.1", "Linux 6.1: readers no longer spin",
	  { "v5.11", "bounded-steal", "first-drop", "drop", "trylock", "mmap",
	    "swapin-read", "per-page",
	    "drop" },
	  "page" },
	{ "linux-6.4", "Linux 6.4: per-VMA locks for anonymous VMAs",
	  { "v5.11", "bounded-steal", "first-drop", "drop", "trylock", "per-vma-6.4",
	    "swapin-read", "per-page",
	    "drop" },
	  "page" },
	{ "linux-6.6", "Linux 6.6: per-VMA locks for swap and file fault-around, not ->fault",
	  { "v5.11", "bounded-steal", "first-drop", "drop", "trylock", "per-vma-6.6",
	    "swapin-read", "per-page",
	    "drop" },
	  "page" },
	{ "linux-6.8", "Linux 6.8: per-VMA locks for file ->fault (6.7), TRIED after a major "
	  "VMA-lock retry",
	  { "v5.11", "bounded-steal", "first-drop", "drop", "trylock", "per-vma",
	    "swapin-read", "per-page",
	    "drop" },
	  "page" },
	{ "linux-6.15", "Linux 6.15: write(2) chunks of a folio (6.11) and no prefault on its "
	  "fast path (6.14)",
	  { "v5.11", "bounded-steal", "first-drop", "drop", "trylock", "per-vma",
	    "swapin-read", "on-failure",
	    "drop" },
	  "folio" },
};

static const char *const preset_names[] = {
	"linux-4.19", "linux-5.4", "linux-5.10", "linux-6.1", "linux-6.4", "linux-6.6",
	"linux-6.8", "linux-6.15", NULL,
};

static const struct sim_key_def preset_key = {
	.name = "policy.preset", .type = SIM_KEY_ENUM, .choices = preset_names,
	.defval = "linux-6.1",
	.help = "kernel version whose policy set to use; policy.SLOT keys override it",
};

static const struct sim_key_def budget_key = {
	.name = "policy.page_lock_budget", .type = SIM_KEY_UINT, .defval = "5", .min = "0",
	.max = "1000", .help = "bounded-steal: lost races before a handoff (vm.page_lock_unfairness)",
};

static gboolean unloaded_policy_check(const struct sim_key_def *def,
				      const struct sim_run_config *cfg, const char *key,
				      GError **error)
{
	const char *v = sim_run_config_lookup(cfg, key);

	(void)def;
	if (v && !name_valid(v)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad policy name '%s': use 1 to %d letters, digits, '.', '_' or '-'",
			    v, POLICY_NAME_MAX);
		return FALSE;
	}
	return TRUE;
}

void sim_policy_register_keys(struct sim_keys *keys, struct sim_policies *reg)
{
	if (!reg)
		reg = sim_policies_new();
	g_assert(!reg->frozen);
	reg->frozen = TRUE;
	sim_keys_add(keys, &preset_key, 1);
	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++) {
		struct policy_slot *s = &reg->slot[i];
		const struct sim_policy_slot_info *info = &slots[i].info;

		s->names = g_ptr_array_new();
		for (guint k = 0; k < s->policies->len; k++)
			g_ptr_array_add(s->names, (gpointer)((struct sim_policy *)
							    s->policies->pdata[k])->name);
		g_ptr_array_add(s->names, NULL);
		s->key = (struct sim_key_def){
			.name = info->key, .type = SIM_KEY_ENUM, .defval = info->defval,
			.choices = (const char *const *)s->names->pdata, .help = info->help,
		};
		/* Policies of plugins named but not loaded have names nobody
		 * knows yet: any well-formed name is taken. */
		if (reg->unloaded->len) {
			char *help = g_strdup_printf("%s; plugins not loaded: any policy "
						     "name", info->help);

			g_ptr_array_add(reg->origins, help);
			s->key.type = SIM_KEY_STRING;
			s->key.choices = NULL;
			s->key.help = help;
			s->key.check_run = unloaded_policy_check;
		}
		sim_keys_add(keys, &s->key, 1);
	}
	sim_keys_add(keys, &budget_key, 1);
	sim_keys_adopt(keys, reg, (GDestroyNotify)sim_policies_free);
}

const char *const sim_write_chunks[] = { "page", "folio", NULL };

const char *sim_write_chunk(const struct sim_run_config *cfg)
{
	if (sim_config_is_set(cfg, "write.chunk"))
		return sim_write_chunks[sim_config_get_enum(cfg, "write.chunk")];
	if (sim_config_is_set(cfg, "policy.preset"))
		return presets[sim_config_get_enum(cfg, "policy.preset")].write_chunk;
	/* The default preset's (the key's default; tests/test-model.c). */
	for (unsigned int i = 0; i < G_N_ELEMENTS(presets); i++)
		if (g_str_equal(presets[i].name, preset_key.defval))
			return presets[i].write_chunk;
	g_assert_not_reached();
}

const struct sim_preset *sim_preset_get(unsigned int i)
{
	return i < G_N_ELEMENTS(presets) ? &presets[i] : NULL;
}

/* The registry slot behind @cfg's key for @slot. */
static const struct policy_slot *cfg_slot(const struct sim_run_config *cfg,
					  enum sim_policy_slot slot)
{
	const struct sim_key_def *def = sim_keys_lookup(cfg->keys, sim_policy_slot(slot)->key);
	const struct policy_slot *s;

	g_assert(def != NULL);
	s = container_of(def, struct policy_slot, key);
	g_assert(s->reg && &s->reg->slot[slot] == s && s->reg->frozen);
	return s;
}

const char *sim_policy_value(const struct sim_run_config *cfg, enum sim_policy_slot slot)
{
	const struct sim_policy_slot_info *info = sim_policy_slot(slot);

	if (sim_config_is_set(cfg, info->key)) {
		const struct policy_slot *s = cfg_slot(cfg, slot);

		if (s->key.type == SIM_KEY_STRING)	/* plugins not loaded */
			return sim_config_get_string(cfg, info->key);
		return s->key.choices[sim_config_get_enum(cfg, info->key)];
	}
	if (sim_config_is_set(cfg, "policy.preset"))
		return presets[sim_config_get_enum(cfg, "policy.preset")].values[slot];
	/* The default preset's value (tests/test-model.c holds them equal). */
	return info->defval;
}

const struct sim_policy *sim_policy_of(const struct sim_run_config *cfg,
				       enum sim_policy_slot slot)
{
	const struct sim_policy *p = slot_lookup(cfg_slot(cfg, slot), sim_policy_value(cfg, slot));

	g_assert(p != NULL);	/* values were checked; presets name built-ins */
	return p;
}

const struct fs_rwsem_policy *sim_policy_rwsem(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_RWSEM)->ops;
}

const struct fs_page_lock_policy *sim_policy_page_lock(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_PAGE_LOCK)->ops;
}

const struct fs_fault_retry_policy *sim_policy_fault_retry(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_RETRY)->ops;
}

const struct fs_fault_io_policy *sim_policy_fault_io(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_IO)->ops;
}

const struct fs_fault_map_pages_policy *sim_policy_fault_map_pages(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_MAP_PAGES)->ops;
}

const struct fs_fault_lock_policy *sim_policy_fault_lock(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_FAULT_LOCK)->ops;
}

const struct fs_khugepaged_policy *sim_policy_khugepaged(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_KHUGEPAGED)->ops;
}

const struct fs_prefault_policy *sim_policy_prefault(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_PREFAULT)->ops;
}

const struct fs_dirty_throttle_policy *sim_policy_dirty_throttle(const struct sim_run_config *cfg)
{
	return sim_policy_of(cfg, SIM_POLICY_DIRTY_THROTTLE)->ops;
}

char *sim_policy_set_string(const struct sim_run_config *cfg)
{
	GString *str = g_string_new(NULL);

	for (unsigned int i = 0; i < SIM_NR_POLICY_SLOTS; i++)
		g_string_append_printf(str, "%s%s=%s", i ? " " : "", slots[i].info.name,
				       sim_policy_value(cfg, (enum sim_policy_slot)i));
	return g_string_free(str, FALSE);
}
