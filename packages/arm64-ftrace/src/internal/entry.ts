// arch/arm64/kernel/entry-ftrace.S as the emulated core runs it.
//  - `regs` (seed 004, PATCHv2 7/8, merged as v5.5's 3b23e4991fb6): the
//    ftrace_regs_entry macro (x0-x9 always; x10-x29 for ftrace_regs_caller, else
//    only the FP; the callsite's SP, LR and PC; a frame record for the callsite
//    above pt_regs and one for the trampoline inside it), ftrace_common with its
//    ftrace_call and ftrace_graph_call patch sites, ftrace_common_return,
//    ftrace_graph_caller, ftrace_stub and return_to_handler.
//  - `call-ops` (v6.3: "ftrace: arm64: move from REGS to ARGS" and
//    "arm64: ftrace: implement DYNAMIC_FTRACE_WITH_CALL_OPS"): one ftrace_caller
//    saving a struct ftrace_regs and calling the ops whose pointer sits in the
//    literal before the callsite.
// The macro is expanded here in TypeScript (hw-emu's assembler has no .macro).
import { AARCH64_INSN_SIZE } from './insn';
import {
  FREGS_FP, FREGS_LR, FREGS_PC, FREGS_SIZE, FREGS_SP, FREGS_X0, FREGS_X2, FREGS_X4, FREGS_X6, FREGS_X8, FTRACE_OPS_FUNC, S_FP, S_FRAME_SIZE,
  S_LR, S_PC, S_STACKFRAME, S_X,
} from './layout';

/** The two trampoline designs the model runs. */
export type FtraceDesign = 'regs' | 'call-ops';

/** The assembler constants entry-ftrace.S uses (asm-offsets.c and asm/insn.h). */
export function entryConstants(): Record<string, number> {
  const c: Record<string, number> = {
    AARCH64_INSN_SIZE,
    S_FRAME_SIZE,
    S_FP,
    S_LR,
    S_PC,
    S_STACKFRAME,
    FREGS_SIZE,
    FREGS_X0,
    FREGS_X2,
    FREGS_X4,
    FREGS_X6,
    FREGS_X8,
    FREGS_FP,
    FREGS_LR,
    FREGS_SP,
    FREGS_PC,
    FTRACE_OPS_FUNC,
  };
  for (let n = 0; n <= 28; n += 2) c[`S_X${n}`] = S_X(n);
  return c;
}

// .macro ftrace_regs_entry, allregs=0
function ftrace_regs_entry(allregs: 0 | 1): string {
  const saveAll =
    allregs === 1
      ? `
        stp     x10, x11, [sp, #S_X10]
        stp     x12, x13, [sp, #S_X12]
        stp     x14, x15, [sp, #S_X14]
        stp     x16, x17, [sp, #S_X16]
        stp     x18, x19, [sp, #S_X18]
        stp     x20, x21, [sp, #S_X20]
        stp     x22, x23, [sp, #S_X22]
        stp     x24, x25, [sp, #S_X24]
        stp     x26, x27, [sp, #S_X26]
        stp     x28, x29, [sp, #S_X28]`
      : `
        str     x29, [sp, #S_FP]`;
  return `
        // Make room for pt_regs, plus a callee frame
        sub     sp, sp, #(S_FRAME_SIZE + 16)
        // Save function arguments (and x9 for simplicity)
        stp     x0, x1, [sp, #S_X0]
        stp     x2, x3, [sp, #S_X2]
        stp     x4, x5, [sp, #S_X4]
        stp     x6, x7, [sp, #S_X6]
        stp     x8, x9, [sp, #S_X8]
        // Optionally save the callee-saved registers, always save the FP${saveAll}
        // Save the callsite's SP and LR
        add     x10, sp, #(S_FRAME_SIZE + 16)
        stp     x9, x10, [sp, #S_LR]
        // Save the PC after the ftrace callsite
        str     x30, [sp, #S_PC]
        // Create a frame record for the callsite above pt_regs
        stp     x29, x9, [sp, #S_FRAME_SIZE]
        add     x29, sp, #S_FRAME_SIZE
        // Create our frame record within pt_regs.
        stp     x29, x30, [sp, #S_STACKFRAME]
        add     x29, sp, #S_STACKFRAME`;
}

const RETURN_TO_HANDLER = `
return_to_handler:
        // save return value regs
        sub     sp, sp, #64
        stp     x0, x1, [sp]
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        mov     x0, x29                 // parent's fp
        bl      ftrace_return_to_handler // addr = ftrace_return_to_hander(fp);
        mov     x30, x0                 // restore the original return address
        // restore return value regs
        ldp     x0, x1, [sp]
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        add     sp, sp, #64
        ret`;

/** entry-ftrace.S of the seed (CONFIG_DYNAMIC_FTRACE_WITH_REGS, v5.5). */
export const ENTRY_FTRACE_REGS = `
ftrace_regs_caller:${ftrace_regs_entry(1)}
        b       ftrace_common
ftrace_caller:${ftrace_regs_entry(0)}
        b       ftrace_common
ftrace_common:
        sub     x0, x30, #AARCH64_INSN_SIZE     // ip (callsite's BL insn)
        mov     x1, x9                          // parent_ip (callsite's LR)
        adrp    x2, function_trace_op           // ldr_l x2, function_trace_op: op
        ldr     x2, [x2, :lo12:function_trace_op]
        mov     x3, sp                          // regs
ftrace_call:
        bl      ftrace_stub
ftrace_graph_call:                              // ftrace_graph_caller();
        nop                                     // If enabled, this will be replaced
                                                // "b ftrace_graph_caller"
ftrace_common_return:
        // Restore function arguments
        ldp     x0, x1, [sp]
        ldp     x2, x3, [sp, #S_X2]
        ldp     x4, x5, [sp, #S_X4]
        ldp     x6, x7, [sp, #S_X6]
        ldr     x8, [sp, #S_X8]
        // Restore the callsite's FP, LR, PC
        ldr     x29, [sp, #S_FP]
        ldr     x30, [sp, #S_LR]
        ldr     x9, [sp, #S_PC]
        // Restore the callsite's SP
        add     sp, sp, #S_FRAME_SIZE + 16
        ret     x9
ftrace_graph_caller:
        ldr     x0, [sp, #S_PC]
        sub     x0, x0, #AARCH64_INSN_SIZE      // ip (callsite's BL insn)
        add     x1, sp, #S_LR                   // parent_ip (callsite's LR)
        ldr     x2, [sp, #S_FRAME_SIZE]         // parent fp (callsite's FP)
        bl      prepare_ftrace_return
        b       ftrace_common_return
ftrace_stub:
        ret
${RETURN_TO_HANDLER}
`;

/**
 * entry-ftrace.S of v6.3 (DYNAMIC_FTRACE_WITH_ARGS + DYNAMIC_FTRACE_WITH_CALL_OPS,
 * before direct calls). The kernel finds the ops literal with `bic x2, x30, 0x7`
 * (an AND immediate, outside hw-emu's subset); the model's kernel has no BTI, so
 * LR is 8-byte aligned here and `mov x2, x30` gives the same value in as many
 * instructions.
 */
export const ENTRY_FTRACE_CALL_OPS = `
ftrace_caller:
        bti     c
        // Save original SP
        mov     x10, sp
        // Make room for ftrace regs, plus two frame records
        sub     sp, sp, #(FREGS_SIZE + 32)
        // Save function arguments
        stp     x0, x1, [sp, #FREGS_X0]
        stp     x2, x3, [sp, #FREGS_X2]
        stp     x4, x5, [sp, #FREGS_X4]
        stp     x6, x7, [sp, #FREGS_X6]
        str     x8, [sp, #FREGS_X8]
        // Save the callsite's FP, LR, SP
        str     x29, [sp, #FREGS_FP]
        str     x9, [sp, #FREGS_LR]
        str     x10, [sp, #FREGS_SP]
        // Save the PC after the ftrace callsite
        str     x30, [sp, #FREGS_PC]
        // Create a frame record for the callsite above the ftrace regs
        stp     x29, x9, [sp, #FREGS_SIZE + 16]
        add     x29, sp, #FREGS_SIZE + 16
        // Create our frame record above the ftrace regs
        stp     x29, x30, [sp, #FREGS_SIZE]
        add     x29, sp, #FREGS_SIZE
        // Prepare arguments for the the tracer func
        sub     x0, x30, #AARCH64_INSN_SIZE     // ip (callsite's BL insn)
        mov     x1, x9                          // parent_ip (callsite's LR)
        mov     x3, sp                          // regs
        mov     x2, x30                         // bic x2, x30, 0x7 (LR is 8-byte aligned: no BTI)
        ldr     x2, [x2, #-16]                  // op
        ldr     x4, [x2, #FTRACE_OPS_FUNC]      // op->func
        blr     x4                              // op->func(ip, parent_ip, op, regs)
        // Restore function arguments
        ldp     x0, x1, [sp, #FREGS_X0]
        ldp     x2, x3, [sp, #FREGS_X2]
        ldp     x4, x5, [sp, #FREGS_X4]
        ldp     x6, x7, [sp, #FREGS_X6]
        ldr     x8, [sp, #FREGS_X8]
        // Restore the callsite's FP, LR, PC
        ldr     x29, [sp, #FREGS_FP]
        ldr     x30, [sp, #FREGS_LR]
        ldr     x9, [sp, #FREGS_PC]
        // Restore the callsite's SP
        add     sp, sp, #FREGS_SIZE + 32
        ret     x9
ftrace_stub:
        ret
${RETURN_TO_HANDLER}
`;

/** The symbols of entry-ftrace.S that kallsyms lists, per design. */
export const ENTRY_SYMBOLS: Record<FtraceDesign, readonly string[]> = {
  regs: [
    'ftrace_regs_caller',
    'ftrace_caller',
    'ftrace_common',
    'ftrace_call',
    'ftrace_graph_call',
    'ftrace_common_return',
    'ftrace_graph_caller',
    'ftrace_stub',
    'return_to_handler',
  ],
  'call-ops': ['ftrace_caller', 'ftrace_stub', 'return_to_handler'],
};
