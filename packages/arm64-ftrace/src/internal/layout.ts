// The numbers the emulated kernel is laid out with: arm64's virtual memory map
// with 48-bit VAs (arch/arm64/include/asm/memory.h, v5.5), struct pt_regs as
// asm-offsets.c exports it in v5.5 (the seed's ftrace_regs_entry indexes it),
// struct ftrace_regs of v6.2+ (DYNAMIC_FTRACE_WITH_ARGS), and the BRK immediates
// this model reserves for calls into TypeScript.
import { HOSTCALL_BRK_BASE } from '@k/hw-emu';

/** KIMAGE_VADDR with VA_BITS=48 (v5.5): the kernel image sits right above the module area. */
export const KIMAGE_VADDR = 0xffff800010000000n;
/** TEXT_OFFSET: _text = KIMAGE_VADDR + TEXT_OFFSET. */
export const TEXT_OFFSET = 0x80000n;
/** MODULES_VSIZE: 128 MiB, so that modules reach the kernel with a BL by default. */
export const MODULES_VSIZE = 0x8000000n;
/** MODULES_VADDR = KIMAGE_VADDR - MODULES_VSIZE (MODULES_END = KIMAGE_VADDR). */
export const MODULES_VADDR = KIMAGE_VADDR - MODULES_VSIZE;
/** Where the model maps its kernel data (function_trace_op, ftrace_ops, __mcount_loc, buffers). */
export const KERNEL_DATA = 0xffff800011000000n;
/** Where the model maps its per-CPU kernel stacks (THREAD_SIZE each). */
export const KERNEL_STACKS = 0xffff800012000000n;
/** THREAD_SIZE: 16 KiB kernel stacks. */
export const THREAD_SIZE = 0x4000;

// struct pt_regs (v5.5): regs[31], sp, pc, pstate, orig_x0, syscallno + unused2,
// orig_addr_limit, pmr_save, stackframe[2]. The S_* offsets of asm-offsets.c.
export const S_X0 = 0;
/** S_Xn for n in 0..28 (regs[n]). */
export function S_X(n: number): number {
  return n * 8;
}
export const S_FP = 29 * 8;
export const S_LR = 30 * 8;
export const S_SP = 31 * 8;
export const S_PC = 32 * 8;
export const S_PSTATE = 33 * 8;
export const S_ORIG_X0 = 34 * 8;
export const S_SYSCALLNO = 35 * 8;
export const S_ORIG_ADDR_LIMIT = 36 * 8;
export const S_PMR_SAVE = 37 * 8;
export const S_STACKFRAME = 38 * 8;
/** sizeof(struct pt_regs) in v5.5: 320 (a multiple of 16, for the stack alignment). */
export const S_FRAME_SIZE = 40 * 8;

// struct ftrace_regs (v6.2+, DYNAMIC_FTRACE_WITH_ARGS): regs[9], __unused, fp, lr, sp, pc.
export const FREGS_X0 = 0;
export const FREGS_X2 = 16;
export const FREGS_X4 = 32;
export const FREGS_X6 = 48;
export const FREGS_X8 = 64;
export const FREGS_FP = 80;
export const FREGS_LR = 88;
export const FREGS_SP = 96;
export const FREGS_PC = 104;
/** sizeof(struct ftrace_regs): 112. */
export const FREGS_SIZE = 112;

// struct ftrace_ops as far as the trampolines read it: `func` is its first member.
export const FTRACE_OPS_FUNC = 0;
/** ops->private (where the function tracer keeps its trace_array). */
export const FTRACE_OPS_PRIVATE = 24;
/** The bytes the model gives each emulated struct ftrace_ops. */
export const FTRACE_OPS_SIZE = 64;

/**
 * `brk #0x6b43` ('C'): a call into a C function of the model (ftrace_ops_list_func,
 * an ops callback, prepare_ftrace_return, ftrace_return_to_handler...), written in
 * TypeScript. The function is the one whose address holds the BRK; arguments are in
 * x0-x7 and the result goes to x0, as the AAPCS has it; a `ret` follows the BRK.
 */
export const HOSTCALL_KERNEL_C = 0x43;
/** `brk #0x6b52` ('R'): the return address of {@link Kernel.call}: the called function has returned. */
export const HOSTCALL_CALL_RETURN = 0x52;
/** The BRK immediates of the two host calls. */
export const BRK_KERNEL_C = HOSTCALL_BRK_BASE + HOSTCALL_KERNEL_C;
export const BRK_CALL_RETURN = HOSTCALL_BRK_BASE + HOSTCALL_CALL_RETURN;
