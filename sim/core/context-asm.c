/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fresh contexts for the assembly stack switch (context-x86_64.S,
 * context-aarch64.S): lay out a new stack as if it had switched out, so
 * that the first sim_context_switch() to it "returns" into
 * sim_context_start, which calls the entry function.  No glib here, so
 * that the switch can be tested alone on a foreign architecture.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include "sim/core/context.h"

void sim_context_start(void);

void sim_context_make(struct sim_context *ctx, void *stack, size_t size,
		      sim_context_entry_fn *entry, void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
#if defined(__x86_64__)
	/* Six callee-saved slots and the return address, popped in the
	 * order r15 r14 r13 r12 rbx rbp, then ret; %rsp ends 16-aligned. */
	uint64_t *s = (uint64_t *)(top - 16);

	s[-1] = (uintptr_t)sim_context_start;
	s[-2] = 0;			/* rbp: end of the frame chain */
	s[-3] = 0;			/* rbx */
	s[-4] = (uintptr_t)entry;	/* r12 */
	s[-5] = (uintptr_t)arg;		/* r13 */
	s[-6] = 0;			/* r14 */
	s[-7] = 0;			/* r15 */
	ctx->sp = &s[-7];
#elif defined(__aarch64__)
	/* The 160-byte frame of context-aarch64.S at the top of the stack. */
	uint64_t *f = (uint64_t *)(top - 160);

	memset(f, 0, 160);
	f[0] = (uintptr_t)entry;		/* x19 */
	f[1] = (uintptr_t)arg;			/* x20 */
	f[10] = 0;				/* x29 */
	f[11] = (uintptr_t)sim_context_start;	/* x30 */
	ctx->sp = f;
#else
#error "no assembly context switch for this architecture: configure --with-context=ucontext"
#endif
}
