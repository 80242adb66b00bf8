/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Portable task stack switch on ucontext, for hosts without an assembly
 * version (or --with-context=ucontext).  swapcontext() also saves and
 * restores the signal mask with a system call, so a switch costs a few
 * hundred ns instead of a few: correct, but slow.
 */
#include "config.h"

#include <stdint.h>
#include <glib.h>
#include "sim/core/context.h"

/* makecontext() passes int arguments only: split the two pointers. */
static void context_start(unsigned int e_hi, unsigned int e_lo,
			  unsigned int a_hi, unsigned int a_lo)
{
	uintptr_t e = ((uintptr_t)e_hi << 32) | e_lo;
	uintptr_t a = ((uintptr_t)a_hi << 32) | a_lo;
	sim_context_entry_fn *entry = (sim_context_entry_fn *)e;

	entry((void *)a);
	g_assert_not_reached();
}

void sim_context_make(struct sim_context *ctx, void *stack, size_t size,
		      sim_context_entry_fn *entry, void *arg)
{
	uint64_t e = (uintptr_t)entry, a = (uintptr_t)arg;

	if (getcontext(&ctx->uc) != 0)
		g_error("getcontext failed");
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, (void (*)(void))context_start, 4,
		    (unsigned int)(e >> 32), (unsigned int)e,
		    (unsigned int)(a >> 32), (unsigned int)a);
}

void sim_context_switch(struct sim_context *from, struct sim_context *to)
{
	swapcontext(&from->uc, &to->uc);
}
