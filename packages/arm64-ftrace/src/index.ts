// @k/arm64-ftrace: seed 004, "arm64: implement ftrace with regs" (PATCHv2 7/8),
// as an emulated kernel whose patched text runs on @k/hw-emu's AArch64 core.
// The one public door of the package.

// The emulated kernel
export { Kernel, FTRACE_VARIANTS, C_FUNC_NS } from './internal/kernel';
export type {
  CallOptions, CallResult, FtraceOpsSpec, FtraceVariant, KernelConfig, KernelOptions, ModulePlacement, ModuleSpec, task_struct,
} from './internal/kernel';
export { FtraceError, KernelOops, runSync } from './internal/errors';
export { SAMPLE_FUNCTIONS, LIVEPATCH_FUNCTIONS } from './internal/kfuncs';
export type { KFunc } from './internal/kfuncs';
export { Kallsyms, buildKernelText, buildModuleText, functionAsm, kernelTextSource, mcountLoc } from './internal/image';
export type { BuiltText, KSym } from './internal/image';

// arch/arm64/kernel/insn.c: the instruction generators
export {
  AARCH64_INSN_SIZE, AARCH64_BREAK_MON, AARCH64_BREAK_FAULT, FAULT_BRK_IMM, SZ_4K, SZ_64K, SZ_1M, SZ_128M,
  AARCH64_INSN_REG_0, AARCH64_INSN_REG_9, AARCH64_INSN_REG_16, AARCH64_INSN_REG_FP, AARCH64_INSN_REG_LR, AARCH64_INSN_REG_ZR, AARCH64_INSN_REG_SP,
  AARCH64_INSN_VARIANT_32BIT, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_BRANCH_NOLINK, AARCH64_INSN_BRANCH_LINK, AARCH64_INSN_BRANCH_RETURN,
  AARCH64_INSN_ADR_TYPE_ADRP, AARCH64_INSN_ADR_TYPE_ADR, AARCH64_INSN_MOVEWIDE_ZERO, AARCH64_INSN_MOVEWIDE_KEEP, AARCH64_INSN_MOVEWIDE_INVERSE,
  AARCH64_INSN_ADSB_ADD, AARCH64_INSN_ADSB_SUB, AARCH64_INSN_ADSB_ADD_SETFLAGS, AARCH64_INSN_ADSB_SUB_SETFLAGS, AARCH64_INSN_LOGIC_ORR,
  AARCH64_INSN_HINT_NOP, insnErrors,
  aarch64_insn_gen_hint, aarch64_insn_gen_nop, aarch64_insn_gen_branch_imm, aarch64_insn_gen_branch_reg, aarch64_insn_gen_logical_shifted_reg,
  aarch64_insn_gen_move_reg, aarch64_insn_gen_movewide, aarch64_insn_gen_add_sub_imm, aarch64_insn_gen_adr, aarch64_insn_is_bl, aarch64_insn_is_nop,
  aarch64_get_branch_offset,
} from './internal/insn';

// arch/arm64/kernel/ftrace.c, patching, module PLTs
export {
  ftrace_call_adjust, ftrace_modify_code, ftrace_update_ftrace_func, get_ftrace_plt, ftrace_find_callable_addr, ftrace_make_call,
  ftrace_modify_call, ftrace_init_nop, ftrace_make_nop, ftrace_enable_ftrace_graph_caller, ftrace_disable_ftrace_graph_caller,
  ftrace_rec_set_nop_ops, ftrace_rec_update_ops,
} from './internal/arch-ftrace';
export { aarch64_insn_read, aarch64_insn_write, aarch64_insn_patch_text_nosync, aarch64_insn_write_literal_u64 } from './internal/patching';
export {
  FTRACE_PLT_IDX, FTRACE_REGS_PLT_IDX, NR_FTRACE_PLTS, PLT_ENTRY_SIZE, get_plt_entry, __get_adrp_add_pair, within_module,
} from './internal/module';
export type { module, plt_entry, ModuleState } from './internal/module';

// arch/arm64/kernel/entry-ftrace.S and the layouts it uses
export { ENTRY_FTRACE_REGS, ENTRY_FTRACE_CALL_OPS, ENTRY_SYMBOLS, entryConstants } from './internal/entry';
export type { FtraceDesign } from './internal/entry';
export {
  KIMAGE_VADDR, TEXT_OFFSET, MODULES_VSIZE, MODULES_VADDR, KERNEL_DATA, KERNEL_STACKS, THREAD_SIZE,
  S_X0, S_X, S_FP, S_LR, S_SP, S_PC, S_PSTATE, S_ORIG_X0, S_SYSCALLNO, S_ORIG_ADDR_LIMIT, S_PMR_SAVE, S_STACKFRAME, S_FRAME_SIZE,
  FREGS_X0, FREGS_X2, FREGS_X4, FREGS_X6, FREGS_X8, FREGS_FP, FREGS_LR, FREGS_SP, FREGS_PC, FREGS_SIZE,
  FTRACE_OPS_FUNC, FTRACE_OPS_PRIVATE, FTRACE_OPS_SIZE, HOSTCALL_KERNEL_C, HOSTCALL_CALL_RETURN, BRK_KERNEL_C, BRK_CALL_RETURN,
} from './internal/layout';
export { pt_regs, ftrace_regs } from './internal/regs';
export type { FtraceRegs } from './internal/regs';

// kernel/trace: the ftrace core, fgraph, the tracers, the trace file
export {
  FtraceCore, ftrace_rec_count,
  FTRACE_OPS_FL_ENABLED, FTRACE_OPS_FL_DYNAMIC, FTRACE_OPS_FL_SAVE_REGS, FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED, FTRACE_OPS_FL_RECURSION_SAFE,
  FTRACE_OPS_FL_STUB, FTRACE_OPS_FL_INITIALIZED, FTRACE_OPS_FL_DELETED, FTRACE_OPS_FL_ADDING, FTRACE_OPS_FL_REMOVING, FTRACE_OPS_FL_IPMODIFY,
  FTRACE_OPS_FL_PID, FTRACE_OPS_FL_RCU,
  FTRACE_FL_ENABLED, FTRACE_FL_REGS, FTRACE_FL_REGS_EN, FTRACE_FL_TRAMP, FTRACE_FL_TRAMP_EN, FTRACE_FL_IPMODIFY, FTRACE_FL_DISABLED,
  FTRACE_FL_CALL_OPS, FTRACE_FL_CALL_OPS_EN,
  FTRACE_UPDATE_CALLS, FTRACE_DISABLE_CALLS, FTRACE_UPDATE_TRACE_FUNC, FTRACE_START_FUNC_RET, FTRACE_STOP_FUNC_RET, FTRACE_MAY_SLEEP,
  FTRACE_UPDATE_IGNORE, FTRACE_UPDATE_MAKE_CALL, FTRACE_UPDATE_MODIFY_CALL, FTRACE_UPDATE_MAKE_NOP,
} from './internal/ftrace-core';
export type { dyn_ftrace, ftrace_ops, FtraceFunc, CallContext } from './internal/ftrace-core';
export { Fgraph, FTRACE_RETFUNC_DEPTH, function_trace_call, graphTracer } from './internal/tracers';
export type { TraceEntry, trace_array, fgraph_ops, ftrace_graph_ent, ftrace_graph_ret, ftrace_ret_stack } from './internal/tracers';
export { formatTrace } from './internal/trace-output';
export type { TracerName } from './internal/trace-output';

// Several CPUs under the explorer
export { smpChecker, executedWords, cpuCall, kernelCode } from './internal/smp';
export type { ShareOptions } from './internal/smp';

// What `k ftrace` runs
export { runTraceDemo } from './internal/demo';
export type { TraceDemoOptions, TraceDemoResult, DemoCall } from './internal/demo';
