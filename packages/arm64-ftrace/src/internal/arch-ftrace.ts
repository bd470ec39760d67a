// arch/arm64/kernel/ftrace.c, three versions:
//  - `seed`: v5.5 with seed 004 ("arm64: implement ftrace with regs", PATCHv2
//    7/8) applied: ftrace_init_nop (NOP -> MOV X9, LR), ftrace_make_call with
//    get_ftrace_plt() (IS_ENABLED(CONFIG_FTRACE_WITH_REGS), a Kconfig symbol
//    that does not exist), ftrace_modify_call without PLT handling, and the
//    branch range check computed from the target to the branch (e71a4e1bebaf);
//  - `v5.8`: the seed with the Kconfig typo fixed (2020: "arm64: ftrace: Change
//    CONFIG_FTRACE_WITH_REGS to CONFIG_DYNAMIC_FTRACE_WITH_REGS"), as v5.8-v5.18;
//  - `fixed`: the same design with the 2022 fixes too, as in v5.19: "arm64: ftrace:
//    fix branch range checks" and "arm64: ftrace: consistently
//    handle PLTs." (2022, ftrace_find_callable_addr);
//  - `call-ops`: v6.3, DYNAMIC_FTRACE_WITH_ARGS + DYNAMIC_FTRACE_WITH_CALL_OPS:
//    one ftrace_caller, the ops pointer in a literal before each callsite.
// Each function returns what the kernel returns (0 or -errno); those that patch
// text are generators whose every text write is a scheduling point.
import { EFAULT, EINVAL, EPERM, type KGen } from '@k/core-sync';
import {
  AARCH64_INSN_BRANCH_LINK, AARCH64_INSN_BRANCH_NOLINK, AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR, AARCH64_INSN_SIZE, AARCH64_INSN_VARIANT_64BIT,
  SZ_128M, aarch64_get_branch_offset, aarch64_insn_gen_branch_imm, aarch64_insn_gen_move_reg, aarch64_insn_gen_nop, aarch64_insn_is_bl, s64, u64,
} from './insn';
import type { dyn_ftrace, ftrace_ops } from './ftrace-core';
import type { Kernel } from './kernel';
import { FTRACE_PLT_IDX, FTRACE_REGS_PLT_IDX, PLT_ENTRY_SIZE, within_module, type module } from './module';
import { aarch64_insn_patch_text_nosync, aarch64_insn_read, aarch64_insn_write_literal_u64 } from './patching';

/** The seed's branch range checks and PLT handling (before the 2022 fixes). */
function seedBranches(k: Kernel): boolean {
  return k.config.variant === 'seed' || k.config.variant === 'v5.8';
}

/**
 * ftrace_call_adjust(addr): from the __mcount_loc entry (the first patchable NOP)
 * to the NOP that becomes `BL <entry>`: +4 with -fpatchable-function-entry=2,
 * +12 with =4,2 (two pre-function NOPs for the ops literal, no BTI).
 */
export function ftrace_call_adjust(k: Kernel, addr: bigint): bigint {
  return k.config.design === 'call-ops' ? addr + 12n : addr + BigInt(AARCH64_INSN_SIZE);
}

/**
 * ftrace_modify_code(pc, old, new, validate): replaces one instruction, a branch
 * or a NOP. With `validate`, the instruction there must be `old` (-EFAULT when it
 * cannot be read, -EINVAL when it differs); -EPERM when the patch write fails.
 */
export function* ftrace_modify_code(k: Kernel, pc: bigint, old: number, nw: number, validate: boolean): KGen<number> {
  if (validate) {
    const { ret, insn: replaced } = aarch64_insn_read(k, pc);
    if (ret) return -EFAULT;
    if (replaced !== old >>> 0) {
      k.ftrace.ftrace_expected = old >>> 0;
      return -EINVAL;
    }
  }
  if (yield* aarch64_insn_patch_text_nosync(k, pc, nw)) return -EPERM;
  return 0;
}

/** ftrace_update_ftrace_func(func): points `ftrace_call` at `func` (BL -> BL). The call-ops design has no ftrace_call: 0. */
export function* ftrace_update_ftrace_func(k: Kernel, func: bigint): KGen<number> {
  // When using CALL_OPS, the function to call is associated with the call site.
  if (k.config.design === 'call-ops') return 0;
  const pc = k.sym('ftrace_call');
  const nw = aarch64_insn_gen_branch_imm(pc, func, AARCH64_INSN_BRANCH_LINK);
  return yield* ftrace_modify_code(k, pc, 0, nw, false);
}

/** get_ftrace_plt(mod, addr): the module PLT that leads to `addr`, or null. */
export function get_ftrace_plt(k: Kernel, mod: module, addr: bigint): bigint | null {
  const plt = mod.arch.ftrace_trampolines;
  if (addr === k.FTRACE_ADDR) return plt + BigInt(FTRACE_PLT_IDX * PLT_ENTRY_SIZE);
  // The seed tests IS_ENABLED(CONFIG_FTRACE_WITH_REGS): no such Kconfig symbol, so
  // the test is always false and ftrace_regs_caller never gets its PLT.
  const withRegs = k.config.variant === 'seed' ? false : k.config.CONFIG_DYNAMIC_FTRACE_WITH_REGS;
  if (addr === k.FTRACE_REGS_ADDR && withRegs) return plt + BigInt(FTRACE_REGS_PLT_IDX * PLT_ENTRY_SIZE);
  return null;
}

/**
 * ftrace_find_callable_addr(rec, mod, &addr) (v5.19, "consistently handle PLTs"):
 * the address the callsite must branch to in order to reach `addr`: itself when
 * a BL reaches it, else the module's PLT. Null when there is none.
 */
export function ftrace_find_callable_addr(k: Kernel, rec: dyn_ftrace, mod: module | null, addr: bigint): bigint | null {
  const pc = rec.ip;
  const offset = s64(u64(addr) - u64(pc));
  // When the target is within range of the 'BL' instruction, use 'addr' as-is.
  if (offset >= -BigInt(SZ_128M) && offset < BigInt(SZ_128M)) return addr;
  // 'mod' is only set at module load time; an out-of-range callsite is in a module far away.
  if (!mod) mod = k.__module_text_address(pc);
  if (k.WARN_ON(!mod, 'ftrace_find_callable_addr: no module for an out-of-range callsite')) return null;
  const plt = get_ftrace_plt(k, mod as module, addr);
  if (plt === null) {
    k.pr_err(`ftrace: no module PLT for ${k.kallsyms.ps(addr)}`);
    return null;
  }
  return plt;
}

// ---- the call-ops literal (v6.3) -----------------------------------------------

/** arm64_rec_get_ops(rec): the one ops tracing rec, else ftrace_list_ops. */
function arm64_rec_get_ops(k: Kernel, rec: dyn_ftrace): bigint {
  const ops: ftrace_ops | null = k.ftrace.ftrace_find_unique_ops(rec);
  return ops ? ops.addr : k.ftrace.ftrace_list_ops.addr;
}

/** ftrace_rec_set_ops(rec, ops): writes the literal at ALIGN_DOWN(rec->ip - 12, 8). */
function* ftrace_rec_set_ops(k: Kernel, rec: dyn_ftrace, ops: bigint): KGen<number> {
  const literal = (rec.ip - 12n) & ~7n;
  const ret = yield* aarch64_insn_write_literal_u64(k, literal, ops);
  if (!ret) rec.literal = ops;
  return ret;
}

/** ftrace_rec_set_nop_ops(rec): the literal points at ftrace_nop_ops. */
export function ftrace_rec_set_nop_ops(k: Kernel, rec: dyn_ftrace): KGen<number> {
  return ftrace_rec_set_ops(k, rec, k.ftrace.ftrace_nop_ops.addr);
}

/** ftrace_rec_update_ops(rec): the literal points at the ops rec should call. */
export function ftrace_rec_update_ops(k: Kernel, rec: dyn_ftrace): KGen<number> {
  return ftrace_rec_set_ops(k, rec, arm64_rec_get_ops(k, rec));
}

// ---- the callsite ----------------------------------------------------------------

/** ftrace_make_call(rec, addr): turns the callsite's NOP into `BL addr` (or `BL <plt>`). */
export function* ftrace_make_call(k: Kernel, rec: dyn_ftrace, addr: bigint): KGen<number> {
  const pc = rec.ip;
  if (seedBranches(k)) {
    // computed from the target to the branch: a forward branch of exactly 128M passes
    const offset = s64(u64(pc) - u64(addr));
    if (offset < -BigInt(SZ_128M) || offset >= BigInt(SZ_128M)) {
      // On kernels that support module PLTs, the offset between the branch
      // instruction and its target may legally exceed the range of a 'bl':
      // branch via a trampoline in the module.
      const mod = k.__module_text_address(pc);
      if (k.WARN_ON(!mod, 'ftrace_make_call: no module for an out-of-range callsite')) return -EINVAL;
      const plt = get_ftrace_plt(k, mod as module, addr);
      if (plt === null) {
        k.pr_err(`ftrace: no module PLT for ${k.kallsyms.ps(addr)}`);
        return -EINVAL;
      }
      addr = plt;
    }
  } else {
    if (k.config.design === 'call-ops') {
      const ret = yield* ftrace_rec_update_ops(k, rec);
      if (ret) return ret;
    }
    const target = ftrace_find_callable_addr(k, rec, null, addr);
    if (target === null) return -EINVAL;
    addr = target;
  }
  const old = aarch64_insn_gen_nop();
  const nw = aarch64_insn_gen_branch_imm(pc, addr, AARCH64_INSN_BRANCH_LINK);
  return yield* ftrace_modify_code(k, pc, old, nw, true);
}

/** ftrace_modify_call(rec, old_addr, addr): `BL old_addr` -> `BL addr` (ftrace_caller <-> ftrace_regs_caller). */
export function* ftrace_modify_call(k: Kernel, rec: dyn_ftrace, old_addr: bigint, addr: bigint): KGen<number> {
  const pc = rec.ip;
  if (k.config.design === 'call-ops') {
    if (k.WARN_ON(old_addr !== k.FTRACE_ADDR, 'ftrace_modify_call: old_addr is not ftrace_caller')) return -EINVAL;
    if (k.WARN_ON(addr !== k.FTRACE_ADDR, 'ftrace_modify_call: addr is not ftrace_caller')) return -EINVAL;
    return yield* ftrace_rec_update_ops(k, rec);
  }
  if (!seedBranches(k)) {
    const o = ftrace_find_callable_addr(k, rec, null, old_addr);
    if (o === null) return -EINVAL;
    const n = ftrace_find_callable_addr(k, rec, null, addr);
    if (n === null) return -EINVAL;
    old_addr = o;
    addr = n;
  }
  // the seed generates both BLs directly: out of range, both are AARCH64_BREAK_FAULT
  const old = aarch64_insn_gen_branch_imm(pc, old_addr, AARCH64_INSN_BRANCH_LINK);
  const nw = aarch64_insn_gen_branch_imm(pc, addr, AARCH64_INSN_BRANCH_LINK);
  return yield* ftrace_modify_code(k, pc, old, nw, true);
}

/**
 * ftrace_init_nop(mod, rec): the boot-time (or module-load-time) `NOP -> MOV X9, LR`
 * over the first patchable NOP, so that the second can later swing NOP <-> BL.
 */
export function* ftrace_init_nop(k: Kernel, _mod: module | null, rec: dyn_ftrace): KGen<number> {
  const pc = rec.ip - BigInt(AARCH64_INSN_SIZE);
  if (k.config.design === 'call-ops') {
    const ret = yield* ftrace_rec_set_nop_ops(k, rec);
    if (ret) return ret;
  }
  const old = aarch64_insn_gen_nop();
  const nw = aarch64_insn_gen_move_reg(AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR, AARCH64_INSN_VARIANT_64BIT);
  return yield* ftrace_modify_code(k, pc, old, nw, true);
}

/** ftrace_make_nop(mod, rec, addr): `BL addr` (or `BL <plt>`) back to NOP. */
export function* ftrace_make_nop(k: Kernel, mod: module | null, rec: dyn_ftrace, addr: bigint): KGen<number> {
  const pc = rec.ip;
  const nw = aarch64_insn_gen_nop();
  if (seedBranches(k)) {
    let validate = true;
    let old = 0;
    const offset = s64(u64(pc) - u64(addr));
    if (offset < -BigInt(SZ_128M) || offset >= BigInt(SZ_128M)) {
      // 'mod' is only set at module load time
      if (!mod) {
        mod = k.__module_text_address(pc);
        if (k.WARN_ON(!mod, 'ftrace_make_nop: no module for an out-of-range callsite')) return -EINVAL;
      }
      // The instruction may be a BL redirected via a PLT: check it is a BL into the right module.
      const { ret, insn: replaced } = aarch64_insn_read(k, pc);
      if (ret) return -EFAULT;
      if (!aarch64_insn_is_bl(replaced) || !within_module(pc + aarch64_get_branch_offset(replaced), mod as module)) return -EINVAL;
      validate = false;
    } else {
      old = aarch64_insn_gen_branch_imm(pc, addr, AARCH64_INSN_BRANCH_LINK);
    }
    return yield* ftrace_modify_code(k, pc, old, nw, validate);
  }
  if (k.config.design === 'call-ops') {
    const ret = yield* ftrace_rec_set_nop_ops(k, rec);
    if (ret) return ret;
  }
  const target = ftrace_find_callable_addr(k, rec, mod, addr);
  if (target === null) return -EINVAL;
  const old = aarch64_insn_gen_branch_imm(pc, target, AARCH64_INSN_BRANCH_LINK);
  return yield* ftrace_modify_code(k, pc, old, nw, true);
}

// ---- the graph caller (regs design) -------------------------------------------------

/** ftrace_modify_graph_caller(enable): `ftrace_graph_call` NOP <-> `B ftrace_graph_caller`. */
function* ftrace_modify_graph_caller(k: Kernel, enable: boolean): KGen<number> {
  const pc = k.sym('ftrace_graph_call');
  const branch = aarch64_insn_gen_branch_imm(pc, k.sym('ftrace_graph_caller'), AARCH64_INSN_BRANCH_NOLINK);
  const nop = aarch64_insn_gen_nop();
  return enable ? yield* ftrace_modify_code(k, pc, nop, branch, true) : yield* ftrace_modify_code(k, pc, branch, nop, true);
}

/** ftrace_enable_ftrace_graph_caller(): the call-ops design has none (the graph tracer is an ops): 0. */
export function* ftrace_enable_ftrace_graph_caller(k: Kernel): KGen<number> {
  if (k.config.design === 'call-ops') return 0;
  return yield* ftrace_modify_graph_caller(k, true);
}

/** ftrace_disable_ftrace_graph_caller(). */
export function* ftrace_disable_ftrace_graph_caller(k: Kernel): KGen<number> {
  if (k.config.design === 'call-ops') return 0;
  return yield* ftrace_modify_graph_caller(k, false);
}

