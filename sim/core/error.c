/* SPDX-License-Identifier: GPL-2.0-only */
#include "sim/core/types.h"

G_DEFINE_QUARK(faultsim-error-quark, sim_error)

void sim_check_failed(const char *file, int line, const char *func, const char *rule)
{
	g_error("%s:%d: %s: invariant broken: %s", file, line, func, rule);
}
