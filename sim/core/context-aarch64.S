/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Task stack switch for aarch64 (AAPCS64).
 *
 * void sim_context_switch(struct sim_context *from, struct sim_context *to)
 *	x0 = from, x1 = to; struct sim_context is { void *sp; }.
 *
 * The callee-saved registers x19-x28, the frame pointer x29, the link
 * register x30 and the low halves of v8-v15 (d8-d15) are stored in a
 * 160-byte frame on the stack being left; its sp goes to from->sp.  The
 * frame on the stack being entered is loaded back and `ret` jumps to the
 * restored x30.
 *
 * A fresh context (sim_context_make in task.c) holds such a frame with the
 * entry function in x19, its argument in x20, x29 = 0 and
 * x30 = sim_context_start.
 */
	.text
	/* Hidden, as everything outside the plugin interface (FS_API). */
	.globl	sim_context_switch
	.hidden	sim_context_switch
	.type	sim_context_switch, %function
	.p2align 4
sim_context_switch:
	.cfi_startproc
	sub	sp, sp, #160
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x2, sp
	str	x2, [x0]
	ldr	x2, [x1]
	mov	sp, x2
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #160
	ret
	.cfi_endproc
	.size	sim_context_switch, .-sim_context_switch

/* First code run on a new stack: call entry(arg); entry never returns. */
	.globl	sim_context_start
	.hidden	sim_context_start
	.type	sim_context_start, %function
	.p2align 4
sim_context_start:
	.cfi_startproc
	.cfi_undefined x30
	mov	x0, x20
	blr	x19
	brk	#0
	.cfi_endproc
	.size	sim_context_start, .-sim_context_start

	.section .note.GNU-stack,"",%progbits
