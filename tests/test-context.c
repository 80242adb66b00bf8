/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bare stack switch, without the engine and without glib, so that it
 * can be cross-compiled and run under qemu-user for another architecture:
 *
 *   aarch64-linux-gnu-gcc -O2 -I. -Itests/cross tests/test-context.c \
 *       sim/core/context-asm.c sim/core/context-aarch64.S -o /tmp/tc &&
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu /tmp/tc
 *
 * Speaks TAP.  Checks: a fresh context starts in its entry with its
 * argument; control ping-pongs; callee-saved integer and floating-point
 * values live across switches on both sides; the new stack is 16-byte
 * aligned at the entry; two coroutines interleave correctly.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/core/context.h"

static struct sim_context main_ctx, co_ctx[2];
static volatile int trace[64];
static volatile int ntrace;
static int failures, checks;

static void ok(int cond, const char *what)
{
	checks++;
	printf("%s %d %s\n", cond ? "ok" : "not ok", checks, what);
	if (!cond)
		failures++;
}

struct co_arg {
	int id;
	int rounds;
	uintptr_t stack_align;
	double fsum;
	long isum;
};

static void co_entry(void *p)
{
	struct co_arg *a = p;
	_Alignas(16) volatile char probe[16];
	double f = 1.5 * (a->id + 1);	/* kept in callee-saved FP registers */
	long x = 1000 * (a->id + 1);

	a->stack_align = (uintptr_t)probe % 16;
	for (int i = 0; i < a->rounds; i++) {
		trace[ntrace++] = a->id * 100 + i;
		f = f * 1.0001 + 0.5;
		x += i;
		sim_context_switch(&co_ctx[a->id], &main_ctx);
	}
	a->fsum = f;
	a->isum = x;
	for (;;)
		sim_context_switch(&co_ctx[a->id], &main_ctx);
}

int main(void)
{
	enum { SIZE = 64 * 1024 };
	struct co_arg args[2] = { { 0, 3, 1, 0, 0 }, { 1, 3, 1, 0, 0 } };
	void *stacks[2] = { malloc(SIZE), malloc(SIZE) };
	double mf = 2.25;
	long mx = 77;

	printf("1..6\n");
	for (int i = 0; i < 2; i++)
		sim_context_make(&co_ctx[i], stacks[i], SIZE, co_entry, &args[i]);
	/* Interleave: main -> 0 -> main -> 1 -> main -> 0 ... */
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < 2; i++) {
			mf = mf * 1.5 + r;
			mx = mx * 3 + i;
			sim_context_switch(&main_ctx, &co_ctx[i]);
		}

	static const int want[] = { 0, 100, 1, 101, 2, 102 };
	int order_ok = ntrace == 6;

	for (int i = 0; order_ok && i < 6; i++)
		order_ok = trace[i] == want[i];
	ok(order_ok, "entries run with their argument and interleave in order");
	ok(args[0].stack_align == 0 && args[1].stack_align == 0,
	   "new stacks are 16-byte aligned in the entry");

	/* Recompute what each side should have computed. */
	double ef = 1.5;
	long ex = 1000;
	for (int i = 0; i < 3; i++) {
		ef = ef * 1.0001 + 0.5;
		ex += i;
	}
	ok(args[0].fsum == ef, "floating-point locals survive switches (coroutine)");
	ok(args[0].isum == ex, "integer locals survive switches (coroutine)");

	double cf = 2.25;
	long cx = 77;
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < 2; i++) {
			cf = cf * 1.5 + r;
			cx = cx * 3 + i;
		}
	ok(mf == cf, "floating-point locals survive switches (main)");
	ok(mx == cx, "integer locals survive switches (main)");
	free(stacks[0]);
	free(stacks[1]);
	return failures ? 1 : 0;
}
