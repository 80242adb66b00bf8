/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Task stack switch for x86_64 (System V ABI).
 *
 * void sim_context_switch(struct sim_context *from, struct sim_context *to)
 *	%rdi = from, %rsi = to; struct sim_context is { void *sp; }.
 *
 * The callee-saved registers (rbp, rbx, r12-r15) are pushed on the stack
 * being left and its stack pointer stored in from->sp; then to->sp is
 * loaded and the same registers popped from the stack being entered, and
 * `ret` returns to wherever that context last called sim_context_switch.
 * The caller-saved registers need no saving: the C caller assumes they are
 * clobbered by the call.  MXCSR and the x87 control word are not switched;
 * nothing in the simulator changes them.
 *
 * A fresh context (see sim_context_make in task.c) is a stack laid out as
 * if it had switched out: six register slots, with the entry function in
 * the r12 slot and its argument in the r13 slot, and sim_context_start as
 * the return address.
 */
	.text
	/* Hidden, as everything outside the plugin interface (FS_API). */
	.globl	sim_context_switch
	.hidden	sim_context_switch
	.type	sim_context_switch, @function
	.p2align 4
sim_context_switch:
	.cfi_startproc
	endbr64
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	sim_context_switch, .-sim_context_switch

/* First code run on a new stack: call entry(arg); entry never returns. */
	.globl	sim_context_start
	.hidden	sim_context_start
	.type	sim_context_start, @function
	.p2align 4
sim_context_start:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r13, %rdi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	sim_context_start, .-sim_context_start

	.section .note.GNU-stack,"",@progbits
