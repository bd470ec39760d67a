// Modules and their ftrace PLTs: arch/arm64/kernel/module-plts.c (v5.5)
// get_plt_entry() and __get_adrp_add_pair(), module_frob_arch_sections() sizing
// .text.ftrace_trampoline to NR_FTRACE_PLTS entries, and arch/arm64/kernel/
// module.c module_init_ftrace_plt() filling them (seed 004: one PLT for
// ftrace_caller at FTRACE_PLT_IDX, one for ftrace_regs_caller at
// FTRACE_REGS_PLT_IDX). A module far from the kernel (beyond +-128 MiB, as
// CONFIG_RANDOMIZE_MODULE_REGION_FULL allows) reaches the trampolines through
// these PLTs; one within range branches directly.
import {
  AARCH64_INSN_ADR_TYPE_ADRP, AARCH64_INSN_ADSB_ADD, AARCH64_INSN_BRANCH_NOLINK, AARCH64_INSN_REG_16, AARCH64_INSN_VARIANT_64BIT, SZ_4K,
  aarch64_insn_gen_add_sub_imm, aarch64_insn_gen_adr, aarch64_insn_gen_branch_reg,
} from './insn';
import type { KSym } from './image';
import type { dyn_ftrace } from './ftrace-core';

/** FTRACE_PLT_IDX: the PLT to ftrace_caller. */
export const FTRACE_PLT_IDX = 0;
/** FTRACE_REGS_PLT_IDX: the PLT to ftrace_regs_caller (seed 004). */
export const FTRACE_REGS_PLT_IDX = 1;
/** NR_FTRACE_PLTS of the seed (v5.5-v6.1); the call-ops design (v6.2+) has one. */
export const NR_FTRACE_PLTS = 2;
/** sizeof(struct plt_entry): ADRP, ADD, BR (three instructions). */
export const PLT_ENTRY_SIZE = 12;

/** struct plt_entry { __le32 adrp; __le32 add; __le32 br; } */
export interface plt_entry {
  readonly adrp: number;
  readonly add: number;
  readonly br: number;
}

/** __get_adrp_add_pair(dst, pc, reg): ADRP reg, dst; ADD reg, reg, :lo12:dst. */
export function __get_adrp_add_pair(dst: bigint, pc: bigint, reg: number): { adrp: number; add: number } {
  const adrp = aarch64_insn_gen_adr(pc, dst, reg, AARCH64_INSN_ADR_TYPE_ADRP);
  const add = aarch64_insn_gen_add_sub_imm(reg, reg, Number(BigInt.asUintN(64, dst) % BigInt(SZ_4K)), AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_ADD);
  return { adrp, add };
}

/** get_plt_entry(dst, pc): the PLT placed at `pc` that branches to `dst` through x16. */
export function get_plt_entry(dst: bigint, pc: bigint): plt_entry {
  const br = aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16, AARCH64_INSN_BRANCH_NOLINK);
  const { adrp, add } = __get_adrp_add_pair(dst, pc, AARCH64_INSN_REG_16);
  return { adrp, add, br };
}

/** MODULE_STATE_* of a loaded module. */
export type ModuleState = 'UNFORMED' | 'COMING' | 'LIVE' | 'GOING';

/** struct module, as far as ftrace and the PLTs need it. */
export interface module {
  readonly name: string;
  /** core_layout: the module's text (functions, then .text.ftrace_trampoline) */
  readonly core_layout: { readonly base: bigint; readonly size: number };
  /** mod->arch.ftrace_trampolines: the PLT array (0 until module_init_ftrace_plt) */
  readonly arch: { ftrace_trampolines: bigint };
  /** where .text.ftrace_trampoline was laid out (its section header's sh_addr) */
  readonly ftrace_trampoline_sh_addr: bigint;
  /** the module's functions */
  readonly syms: readonly KSym[];
  /** __mcount_loc of the module */
  readonly mcount_loc: readonly bigint[];
  /** its dyn_ftrace records, once ftrace_module_init() ran */
  recs: dyn_ftrace[];
  state: ModuleState;
  /** the address-space region holding it */
  readonly region: string;
}

/** within_module(addr, mod): addr lies in the module's core layout. */
export function within_module(addr: bigint, mod: module): boolean {
  return addr >= mod.core_layout.base && addr < mod.core_layout.base + BigInt(mod.core_layout.size);
}
