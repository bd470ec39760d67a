// The generator calls checked against llvm-mc: each case is one call of a kernel
// generator (arch/arm64/kernel/insn.c, seed 004's tree) and the instruction it must
// produce, written in llvm-mc syntax. `fault: true` marks a request the
// architecture cannot encode: llvm-mc must reject the text, and the kernel's
// generator must return AARCH64_BREAK_FAULT (brk #0x100).
import {
  AARCH64_INSN_ADR_TYPE_ADR, AARCH64_INSN_ADR_TYPE_ADRP, AARCH64_INSN_ADSB_ADD, AARCH64_INSN_ADSB_SUB, AARCH64_INSN_ADSB_SUB_SETFLAGS,
  AARCH64_INSN_ADSB_ADD_SETFLAGS, AARCH64_INSN_BRANCH_LINK, AARCH64_INSN_BRANCH_NOLINK, AARCH64_INSN_BRANCH_RETURN, AARCH64_INSN_MOVEWIDE_INVERSE,
  AARCH64_INSN_MOVEWIDE_KEEP, AARCH64_INSN_MOVEWIDE_ZERO, AARCH64_INSN_REG_16, AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR, AARCH64_INSN_VARIANT_32BIT,
  AARCH64_INSN_VARIANT_64BIT, aarch64_insn_gen_add_sub_imm, aarch64_insn_gen_adr, aarch64_insn_gen_branch_imm, aarch64_insn_gen_branch_reg,
  aarch64_insn_gen_move_reg, aarch64_insn_gen_movewide, aarch64_insn_gen_nop,
} from '../../src/internal/insn';

export interface GenCase {
  readonly name: string;
  /** the instruction in llvm-mc syntax (PC-relative operands as `#offset`) */
  readonly asm: string;
  readonly gen: () => number;
  /** the architecture cannot encode it: the kernel returns AARCH64_BREAK_FAULT */
  readonly fault?: boolean;
}

const PC = 0xffff800010081000n;
const MB128 = 0x8000000n;

function branch(name: string, link: boolean, offset: bigint, fault = false): GenCase {
  return {
    name,
    asm: `${link ? 'bl' : 'b'} #${offset}`,
    gen: () => aarch64_insn_gen_branch_imm(PC, PC + offset, link ? AARCH64_INSN_BRANCH_LINK : AARCH64_INSN_BRANCH_NOLINK),
    fault,
  };
}

export const CASES: readonly GenCase[] = [
  { name: 'nop', asm: 'nop', gen: () => aarch64_insn_gen_nop() },
  { name: 'ftrace_init_nop: MOV X9, LR', asm: 'mov x9, x30', gen: () => aarch64_insn_gen_move_reg(AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR, AARCH64_INSN_VARIANT_64BIT) },
  { name: 'move_reg 32-bit', asm: 'mov w9, w30', gen: () => aarch64_insn_gen_move_reg(9, 30, AARCH64_INSN_VARIANT_32BIT) },
  { name: 'move_reg from zr', asm: 'mov x0, xzr', gen: () => aarch64_insn_gen_move_reg(0, 31, AARCH64_INSN_VARIANT_64BIT) },
  branch('bl forward', true, 0x1000n),
  branch('bl backward', true, -0x2468n),
  branch('bl to itself', true, 0n),
  branch('bl at the top of the range', true, MB128 - 4n),
  branch('bl at the bottom of the range', true, -MB128),
  branch('bl exactly 128M forward', true, MB128, true),
  branch('bl beyond 128M backward', true, -MB128 - 4n, true),
  branch('b forward', false, 0x40n),
  branch('b backward', false, -0x10n),
  branch('b exactly 128M forward', false, MB128, true),
  { name: 'br x16 (PLT)', asm: 'br x16', gen: () => aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16, AARCH64_INSN_BRANCH_NOLINK) },
  { name: 'blr x4', asm: 'blr x4', gen: () => aarch64_insn_gen_branch_reg(4, AARCH64_INSN_BRANCH_LINK) },
  { name: 'ret x9', asm: 'ret x9', gen: () => aarch64_insn_gen_branch_reg(9, AARCH64_INSN_BRANCH_RETURN) },
  { name: 'ret', asm: 'ret', gen: () => aarch64_insn_gen_branch_reg(30, AARCH64_INSN_BRANCH_RETURN) },
  { name: 'movz x16, lsl 48', asm: 'movz x16, #0xffff, lsl #48', gen: () => aarch64_insn_gen_movewide(16, 0xffff, 48, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_MOVEWIDE_ZERO) },
  { name: 'movz w0', asm: 'movz w0, #0x1234', gen: () => aarch64_insn_gen_movewide(0, 0x1234, 0, AARCH64_INSN_VARIANT_32BIT, AARCH64_INSN_MOVEWIDE_ZERO) },
  { name: 'movk x16, lsl 16', asm: 'movk x16, #0xbeef, lsl #16', gen: () => aarch64_insn_gen_movewide(16, 0xbeef, 16, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_MOVEWIDE_KEEP) },
  { name: 'movk x16, lsl 32', asm: 'movk x16, #0x8000, lsl #32', gen: () => aarch64_insn_gen_movewide(16, 0x8000, 32, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_MOVEWIDE_KEEP) },
  { name: 'movk w3, lsl 16', asm: 'movk w3, #1, lsl #16', gen: () => aarch64_insn_gen_movewide(3, 1, 16, AARCH64_INSN_VARIANT_32BIT, AARCH64_INSN_MOVEWIDE_KEEP) },
  { name: 'movn x16 (old PLT)', asm: 'movn x16, #0x1234', gen: () => aarch64_insn_gen_movewide(16, 0x1234, 0, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_MOVEWIDE_INVERSE) },
  { name: 'movz w0 with shift 32', asm: 'movz w0, #1, lsl #32', gen: () => aarch64_insn_gen_movewide(0, 1, 32, AARCH64_INSN_VARIANT_32BIT, AARCH64_INSN_MOVEWIDE_ZERO), fault: true },
  { name: 'movk x0 with shift 8', asm: 'movk x0, #1, lsl #8', gen: () => aarch64_insn_gen_movewide(0, 1, 8, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_MOVEWIDE_KEEP), fault: true },
  { name: 'movz x0 with a 17-bit immediate', asm: 'movz x0, #0x10000', gen: () => aarch64_insn_gen_movewide(0, 0x10000, 0, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_MOVEWIDE_ZERO), fault: true },
  { name: 'add x16, x16, lo12 (PLT)', asm: 'add x16, x16, #0xabc', gen: () => aarch64_insn_gen_add_sub_imm(16, 16, 0xabc, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_ADD) },
  { name: 'add sp', asm: 'add sp, sp, #336', gen: () => aarch64_insn_gen_add_sub_imm(31, 31, 336, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_ADD) },
  { name: 'sub x0, x30, #4', asm: 'sub x0, x30, #4', gen: () => aarch64_insn_gen_add_sub_imm(0, 30, 4, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_SUB) },
  { name: 'add lsl 12', asm: 'add x0, x1, #1, lsl #12', gen: () => aarch64_insn_gen_add_sub_imm(0, 1, 0x1000, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_ADD) },
  { name: 'subs w (cmp-like)', asm: 'subs w1, w2, #4095', gen: () => aarch64_insn_gen_add_sub_imm(1, 2, 4095, AARCH64_INSN_VARIANT_32BIT, AARCH64_INSN_ADSB_SUB_SETFLAGS) },
  { name: 'adds x3, x4, lsl 12', asm: 'adds x3, x4, #0xfff, lsl #12', gen: () => aarch64_insn_gen_add_sub_imm(3, 4, 0xfff000, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_ADD_SETFLAGS) },
  { name: 'add with bits in both halves', asm: 'add x0, x1, #0x1001', gen: () => aarch64_insn_gen_add_sub_imm(0, 1, 0x1001, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_ADD), fault: true },
  { name: 'add with a 25-bit immediate', asm: 'add x0, x1, #0x1000000', gen: () => aarch64_insn_gen_add_sub_imm(0, 1, 0x1000000, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_ADSB_ADD), fault: true },
  { name: 'adrp x16 forward (PLT)', asm: 'adrp x16, #8192', gen: () => aarch64_insn_gen_adr(PC + 0x10n, PC + 0x2abcn, 16, AARCH64_INSN_ADR_TYPE_ADRP) },
  { name: 'adrp x16 1 GiB back (PLT of a far module)', asm: 'adrp x16, #-1073741824', gen: () => aarch64_insn_gen_adr(PC, PC - 0x40000000n + 0x123n, 16, AARCH64_INSN_ADR_TYPE_ADRP) },
  { name: 'adrp at -4 GiB', asm: 'adrp x16, #-4294967296', gen: () => aarch64_insn_gen_adr(PC, PC - 0x100000000n, 16, AARCH64_INSN_ADR_TYPE_ADRP) },
  { name: 'adrp beyond 4 GiB', asm: 'adrp x16, #4294967296', gen: () => aarch64_insn_gen_adr(PC, PC + 0x100000000n, 16, AARCH64_INSN_ADR_TYPE_ADRP), fault: true },
  { name: 'adr back 1M', asm: 'adr x0, #-1048576', gen: () => aarch64_insn_gen_adr(PC, PC - 0x100000n, 0, AARCH64_INSN_ADR_TYPE_ADR) },
  { name: 'adr forward', asm: 'adr x2, #1234', gen: () => aarch64_insn_gen_adr(PC, PC + 1234n, 2, AARCH64_INSN_ADR_TYPE_ADR) },
  { name: 'adr 1M forward', asm: 'adr x0, #1048576', gen: () => aarch64_insn_gen_adr(PC, PC + 0x100000n, 0, AARCH64_INSN_ADR_TYPE_ADR), fault: true },
];
