/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stack switching for simulated tasks.
 *
 * A context is a saved stack pointer (the assembly versions push the
 * callee-saved registers on the stack being left, so nothing else needs
 * saving) or a ucontext_t where configure chose the portable fallback.
 *
 * sim_context_switch(from, to) saves the running context into @from and
 * resumes @to; it returns when something switches back to @from.
 * sim_context_make() prepares @ctx so that the first switch to it calls
 * @entry(@arg) on the given stack.  @entry must never return: a finished
 * task switches away for the last time instead.
 */
#ifndef FAULTSIM_SIM_CONTEXT_H
#define FAULTSIM_SIM_CONTEXT_H

#include <stddef.h>
#include "config.h"

#ifdef SIM_CONTEXT_UCONTEXT
#include <ucontext.h>
struct sim_context {
	ucontext_t uc;
};
#else
struct sim_context {
	void *sp;
};
#endif

typedef void sim_context_entry_fn(void *arg);

void sim_context_make(struct sim_context *ctx, void *stack, size_t size,
		      sim_context_entry_fn *entry, void *arg);
void sim_context_switch(struct sim_context *from, struct sim_context *to);

#endif /* FAULTSIM_SIM_CONTEXT_H */
