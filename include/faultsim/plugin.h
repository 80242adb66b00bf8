/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy plugin interface: what a policy module, built in or loaded
 * from a shared object, hands to faultsim, and everything it may use.
 *
 * Each policy slot has an ops table, version first (as SQLite's
 * sqlite3_pcache_methods2 starts with iVersion).  Every table starts with
 * the same four fields:
 *
 *	version   the slot's FS_*_POLICY_VERSION the table was written for;
 *	          faultsim reads only the fields that version has
 *	name      the value that selects it: `policy.SLOT = NAME`; letters,
 *	          digits, '.', '_' and '-'; unique within the slot
 *	summary   one line for `faultsim list policies`
 *	thread    the credit line: the mailing-list thread or patch it models
 *	          (subject, author, date, commit if merged)
 *
 * and then the behaviour, as fields or as operations (optional operations
 * are left NULL).  The slots, one header each:
 *
 *	rwsem        faultsim/rwsem.h       mmap_sem's behaviour
 *	page_lock    faultsim/page-lock.h   the page lock's hand-off rules
 *	retry        faultsim/fault.h       the fault flags on a retry
 *	io           faultsim/fault.h       filemap_fault()
 *	map_pages    faultsim/fault.h       fault-around
 *	fault_lock   faultsim/fault.h       mmap_sem, per-VMA locks, SPF
 *	khugepaged   faultsim/khugepaged.h  collapse_huge_page()
 *	prefault     faultsim/write.h       write(2)'s user-buffer fault-in
 *
 * and the kernel model the operations work on, through opaque handles
 * and functions named as in the kernel: faultsim/types.h (time, pages,
 * the handles), faultsim/task.h (CPU time, sleeping), faultsim/mm.h
 * (pages, the page lock and cache, VMAs, ptes, mmap_sem).  The built-in
 * policies (policies/ in the source tree) are written against exactly
 * these headers and registered through exactly this interface.
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
 * my-policy.so` in a scenario.  The functions a plugin calls are those of
 * the faultsim command that loads it: faultsim exports the FS_API
 * functions, and only those (so does libfaultsim.so, which a plugin links
 * only to have its references checked: -Wl,-z,defs -lfaultsim).
 * policies/examples/ has one small plugin per slot.
 */
#ifndef FAULTSIM_PLUGIN_H
#define FAULTSIM_PLUGIN_H

#include "faultsim/types.h"
#include "faultsim/task.h"
#include "faultsim/mm.h"
#include "faultsim/rwsem.h"
#include "faultsim/page-lock.h"
#include "faultsim/fault.h"
#include "faultsim/khugepaged.h"
#include "faultsim/write.h"

G_BEGIN_DECLS

/* Changed whenever anything a plugin sees in these headers changes
 * (tests/plugin-abi.tap holds faultsim to it). */
#define FAULTSIM_PLUGIN_ABI		8

/* The symbols a plugin exports. */
#define FAULTSIM_PLUGIN_ABI_SYMBOL	"faultsim_plugin_abi"
#define FAULTSIM_PLUGIN_REGISTER_SYMBOL	"faultsim_plugin_register"

/* Handed to the registration function; opaque. */
struct fs_plugin_registrar;

/* The registration function's type. */
typedef gboolean fs_plugin_register_fn(struct fs_plugin_registrar *r, GError **error);

/* What a plugin defines (declared here for it; faultsim defines neither).
 * A plugin built with -fvisibility=hidden keeps them visible. */
#define FAULTSIM_PLUGIN_EXPORT	__attribute__((visibility("default")))
FAULTSIM_PLUGIN_EXPORT extern const unsigned int faultsim_plugin_abi;
FAULTSIM_PLUGIN_EXPORT gboolean faultsim_plugin_register(struct fs_plugin_registrar *r,
							 GError **error);

/* ------------------------------------------------------------------ */

/* Where @r registers for: the plugin's path, or "built-in". */
FS_API const char *fs_plugin_registrar_origin(const struct fs_plugin_registrar *r);

G_END_DECLS

#endif /* FAULTSIM_PLUGIN_H */
