/* SPDX-License-Identifier: GPL-2.0-only */
/* Policy slot rwsem: mmap_sem's behaviour (see plugin.h). */
#ifndef FAULTSIM_RWSEM_H
#define FAULTSIM_RWSEM_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "faultsim/types.h"
#include "sim/kernel/rwsem.h"

G_BEGIN_DECLS

struct fs_plugin_registrar;

/* ------------------------------------------------------------------ */
/* Slot rwsem: mmap_sem's behaviour (sim/kernel/rwsem.h) */

#define FS_RWSEM_POLICY_VERSION		1

/*
 * An rwsem policy is a variant of the one rwsem implementation: behaviour
 * flags (RWSEM_V_*) and timings.  @variant.name may be left NULL (else it
 * must equal @name); @variant.summary is not used.  Registration checks
 * that the flags are known and the timings sane.
 */
struct fs_rwsem_policy {
	unsigned int version;		/* FS_RWSEM_POLICY_VERSION */
	const char *name;
	const char *summary;
	const char *thread;
	struct rwsem_variant variant;
};

/* Register @ops (kept by pointer) in the rwsem slot. */
FS_API gboolean fs_register_rwsem_policy(struct fs_plugin_registrar *r,
				  const struct fs_rwsem_policy *ops, GError **error);


G_END_DECLS

#endif /* FAULTSIM_RWSEM_H */
