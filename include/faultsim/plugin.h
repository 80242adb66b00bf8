/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy plugin interface: what a policy module, built in or loaded
 * from a shared object, hands to faultsim.
 *
 * Each policy slot has an ops table, version first (as SQLite's
 * sqlite3_pcache_methods2 starts with iVersion): struct fs_rwsem_policy for
 * mmap_sem, struct fs_page_lock_policy for the page lock.  Every table
 * starts with the same four fields:
 *
 *	version   the slot's FS_*_POLICY_VERSION the table was written for;
 *	          faultsim reads only the fields that version has
 *	name      the value that selects it: `policy.rwsem = NAME`; letters,
 *	          digits, '.', '_' and '-'; unique within the slot
 *	summary   one line for `faultsim list policies`
 *	thread    the credit line: the mailing-list thread or patch it models
 *	          (subject, author, date, commit if merged)
 *
 * and then the behaviour, as fields or as operations (optional operations
 * are left NULL).  The built-in policies (policies/ in the source tree)
 * are registered through exactly this interface.
 *
 * A plugin is a shared object (GModule) that exports two symbols:
 *
 *	const unsigned int faultsim_plugin_abi = FAULTSIM_PLUGIN_ABI;
 *	gboolean faultsim_plugin_register(struct fs_plugin_registrar *r,
 *					  GError **error);
 *
 * faultsim refuses a plugin whose faultsim_plugin_abi differs from its own
 * FAULTSIM_PLUGIN_ABI, then calls faultsim_plugin_register() once, which
 * registers its tables with fs_register_*_policy().  The tables must stay
 * valid while the plugin is loaded (static const storage is the rule) and
 * are only read, from any thread.  If registration fails, nothing the
 * plugin registered is kept.
 *
 * Build a plugin against an installed faultsim:
 *	cc -shared -fPIC -o my-policy.so my-policy.c \
 *		$(pkg-config --cflags --libs faultsim)
 * and load it with `faultsim run --plugin ./my-policy.so` or `plugin =
 * my-policy.so` in a scenario.  README.md ("Writing a policy plugin") walks
 * through policies/examples/rwsem-no-rspin.c.
 */
#ifndef FAULTSIM_PLUGIN_H
#define FAULTSIM_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "faultsim/rwsem.h"
#include "faultsim/page-lock.h"
#include "faultsim/fault.h"
#include "faultsim/khugepaged.h"

G_BEGIN_DECLS

/* Bumped when anything below changes incompatibly. */
#define FAULTSIM_PLUGIN_ABI		1

/* The symbols a plugin exports. */
#define FAULTSIM_PLUGIN_ABI_SYMBOL	"faultsim_plugin_abi"
#define FAULTSIM_PLUGIN_REGISTER_SYMBOL	"faultsim_plugin_register"

/* Handed to the registration function; opaque. */
struct fs_plugin_registrar;

/* The registration function's type. */
typedef gboolean fs_plugin_register_fn(struct fs_plugin_registrar *r, GError **error);

/* ------------------------------------------------------------------ */

/* Where @r registers for: the plugin's path, or "built-in". */
const char *fs_plugin_registrar_origin(const struct fs_plugin_registrar *r);

G_END_DECLS

#endif /* FAULTSIM_PLUGIN_H */
