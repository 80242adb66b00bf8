/* SPDX-License-Identifier: GPL-2.0-only */
#include "sim/core/types.h"

G_DEFINE_QUARK(faultsim-error-quark, sim_error)
