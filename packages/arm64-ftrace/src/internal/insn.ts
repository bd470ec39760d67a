// The kernel's A64 instruction generators: arch/arm64/kernel/insn.c and
// arch/arm64/include/asm/insn.h as of v5.5 (the tree seed 004, "arm64: implement
// ftrace with regs", PATCHv2 7/8, was merged into), reduced to the generators
// dynamic ftrace, its trampolines and the module PLTs use. Every generator
// returns AARCH64_BREAK_FAULT for an argument it cannot encode, as the kernel
// does (its pr_err() messages are kept in `insnErrors` for tests and reports).
// Addresses are unsigned 64-bit bigints; `long` arithmetic wraps as C's does.

/** Size of one A64 instruction (AARCH64_INSN_SIZE). */
export const AARCH64_INSN_SIZE = 4;
/** BRK #0 (AARCH64_BREAK_MON), the base of the kernel's BRK encodings. */
export const AARCH64_BREAK_MON = 0xd4200000;
/** The BRK immediate the kernel reserves for faulting instructions (FAULT_BRK_IMM). */
export const FAULT_BRK_IMM = 0x100;
/** `brk #0x100`: what a generator returns for an argument it cannot encode (AARCH64_BREAK_FAULT). */
export const AARCH64_BREAK_FAULT = (AARCH64_BREAK_MON | (FAULT_BRK_IMM << 5)) >>> 0;

export const SZ_4K = 0x1000;
export const SZ_64K = 0x10000;
export const SZ_1M = 0x100000;
export const SZ_128M = 0x8000000;

// enum aarch64_insn_register: 0..30, and 31 that is SP or ZR by operand.
export const AARCH64_INSN_REG_0 = 0;
export const AARCH64_INSN_REG_9 = 9;
export const AARCH64_INSN_REG_16 = 16;
export const AARCH64_INSN_REG_FP = 29;
export const AARCH64_INSN_REG_LR = 30;
export const AARCH64_INSN_REG_ZR = 31;
export const AARCH64_INSN_REG_SP = 31;

// enum aarch64_insn_variant
export const AARCH64_INSN_VARIANT_32BIT = 0;
export const AARCH64_INSN_VARIANT_64BIT = 1;

// enum aarch64_insn_branch_type
export const AARCH64_INSN_BRANCH_NOLINK = 0;
export const AARCH64_INSN_BRANCH_LINK = 1;
export const AARCH64_INSN_BRANCH_RETURN = 2;

// enum aarch64_insn_adr_type
export const AARCH64_INSN_ADR_TYPE_ADRP = 0;
export const AARCH64_INSN_ADR_TYPE_ADR = 1;

// enum aarch64_insn_movewide_type
export const AARCH64_INSN_MOVEWIDE_ZERO = 0;
export const AARCH64_INSN_MOVEWIDE_KEEP = 1;
export const AARCH64_INSN_MOVEWIDE_INVERSE = 2;

// enum aarch64_insn_adsb_type
export const AARCH64_INSN_ADSB_ADD = 0;
export const AARCH64_INSN_ADSB_SUB = 1;
export const AARCH64_INSN_ADSB_ADD_SETFLAGS = 2;
export const AARCH64_INSN_ADSB_SUB_SETFLAGS = 3;

// enum aarch64_insn_logic_type (only ORR is generated: MOV (register) is its alias)
export const AARCH64_INSN_LOGIC_ORR = 2;

/** enum aarch64_insn_hint_op: NOP is hint #0. */
export const AARCH64_INSN_HINT_NOP = 0x0 << 5;

const AARCH64_INSN_SF_BIT = 0x80000000;
const AARCH64_INSN_LSL_12 = 1 << 22;

/** The pr_err() lines the generators printed, newest last (bounded; for reports and tests). */
export const insnErrors: string[] = [];
function pr_err(msg: string): void {
  insnErrors.push(msg);
  if (insnErrors.length > 64) insnErrors.shift();
}

const MASK64 = (1n << 64n) - 1n;
/** Reduces to an unsigned 64-bit value (C's unsigned long). */
export function u64(v: bigint | number): bigint {
  return BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));
}
/** C's `(long)x`: the signed view of an unsigned long. */
export function s64(v: bigint): bigint {
  return BigInt.asIntN(64, v & MASK64);
}

// aarch64_insn_encode_register: RT/RD at bit 0, RN at 5, RT2/RA at 10, RM/RS at 16.
type RegType = 'rt' | 'rd' | 'rn' | 'rt2' | 'rm';
const REG_SHIFT: Record<RegType, number> = { rt: 0, rd: 0, rn: 5, rt2: 10, rm: 16 };

function aarch64_insn_encode_register(type: RegType, insn: number, reg: number): number {
  if (!Number.isInteger(reg) || reg < AARCH64_INSN_REG_0 || reg > AARCH64_INSN_REG_SP) {
    pr_err(`aarch64_insn_encode_register: unknown register encoding ${reg}`);
    return AARCH64_BREAK_FAULT;
  }
  const shift = REG_SHIFT[type];
  return ((insn & ~(0x1f << shift)) | (reg << shift)) >>> 0;
}

type ImmType = 'imm26' | 'imm16' | 'imm12' | 'imm6' | 'adr';
const IMM_FIELD: Record<Exclude<ImmType, 'adr'>, readonly [mask: number, shift: number]> = {
  imm26: [0x3ffffff, 0],
  imm16: [0xffff, 5],
  imm12: [0xfff, 10],
  imm6: [0x3f, 10],
};

function aarch64_insn_encode_immediate(type: ImmType, insn: number, imm: bigint): number {
  if (insn === AARCH64_BREAK_FAULT) return AARCH64_BREAK_FAULT;
  let mask: number;
  let shift: number;
  let value: number;
  if (type === 'adr') {
    // immlo (2 bits) at 29, immhi (19 bits) at 5
    const u = u64(imm);
    const immlo = Number(u & 3n);
    const immhi = Number((u >> 2n) & 0x7ffffn);
    mask = (0x3 << 24) | 0x7ffff;
    value = (immlo << 24) | immhi;
    shift = 5;
  } else {
    [mask, shift] = IMM_FIELD[type];
    value = Number(u64(imm) & BigInt(mask));
  }
  return ((insn & ~(mask << shift)) | (value << shift)) >>> 0;
}

/** aarch64_insn_gen_hint(op): the HINT space (NOP, YIELD, ...). */
export function aarch64_insn_gen_hint(op: number): number {
  return (0xd503201f | op) >>> 0;
}

/** aarch64_insn_gen_nop(): `nop` (0xd503201f). */
export function aarch64_insn_gen_nop(): number {
  return aarch64_insn_gen_hint(AARCH64_INSN_HINT_NOP);
}

// branch_imm_common(): the byte offset, or `range` when the branch cannot be encoded.
function branch_imm_common(pc: bigint, addr: bigint, range: bigint): bigint {
  if ((pc & 3n) !== 0n || (addr & 3n) !== 0n) {
    pr_err('branch_imm_common: A64 instructions must be word aligned');
    return range;
  }
  const offset = s64(u64(addr) - u64(pc));
  if (offset < -range || offset >= range) {
    pr_err('branch_imm_common: offset out of range');
    return range;
  }
  return offset;
}

/**
 * aarch64_insn_gen_branch_imm(pc, addr, type): `b`/`bl` from `pc` to `addr`.
 * B/BL reach [-128M, 128M); out of range or misaligned gives AARCH64_BREAK_FAULT.
 */
export function aarch64_insn_gen_branch_imm(pc: bigint, addr: bigint, type: number): number {
  const offset = branch_imm_common(u64(pc), u64(addr), BigInt(SZ_128M));
  if (offset >= BigInt(SZ_128M)) return AARCH64_BREAK_FAULT;
  let insn: number;
  switch (type) {
    case AARCH64_INSN_BRANCH_LINK:
      insn = 0x94000000;
      break;
    case AARCH64_INSN_BRANCH_NOLINK:
      insn = 0x14000000;
      break;
    default:
      pr_err(`aarch64_insn_gen_branch_imm: unknown branch encoding ${type}`);
      return AARCH64_BREAK_FAULT;
  }
  return aarch64_insn_encode_immediate('imm26', insn, offset >> 2n);
}

/** aarch64_insn_gen_branch_reg(reg, type): `br`, `blr` or `ret` through `reg`. */
export function aarch64_insn_gen_branch_reg(reg: number, type: number): number {
  let insn: number;
  switch (type) {
    case AARCH64_INSN_BRANCH_NOLINK:
      insn = 0xd61f0000;
      break;
    case AARCH64_INSN_BRANCH_LINK:
      insn = 0xd63f0000;
      break;
    case AARCH64_INSN_BRANCH_RETURN:
      insn = 0xd65f0000;
      break;
    default:
      pr_err(`aarch64_insn_gen_branch_reg: unknown branch encoding ${type}`);
      return AARCH64_BREAK_FAULT;
  }
  return aarch64_insn_encode_register('rn', insn, reg);
}

/** aarch64_insn_gen_logical_shifted_reg() for ORR: `orr dst, src, reg, lsl #shift`. */
export function aarch64_insn_gen_logical_shifted_reg(dst: number, src: number, reg: number, shift: number, variant: number, type: number): number {
  if (type !== AARCH64_INSN_LOGIC_ORR) {
    pr_err(`aarch64_insn_gen_logical_shifted_reg: unknown logical encoding ${type}`);
    return AARCH64_BREAK_FAULT;
  }
  let insn = 0x2a000000;
  switch (variant) {
    case AARCH64_INSN_VARIANT_32BIT:
      if (shift & ~31) {
        pr_err(`aarch64_insn_gen_logical_shifted_reg: invalid shift encoding ${shift}`);
        return AARCH64_BREAK_FAULT;
      }
      break;
    case AARCH64_INSN_VARIANT_64BIT:
      insn = (insn | AARCH64_INSN_SF_BIT) >>> 0;
      if (shift & ~63) {
        pr_err(`aarch64_insn_gen_logical_shifted_reg: invalid shift encoding ${shift}`);
        return AARCH64_BREAK_FAULT;
      }
      break;
    default:
      pr_err(`aarch64_insn_gen_logical_shifted_reg: unknown variant encoding ${variant}`);
      return AARCH64_BREAK_FAULT;
  }
  insn = aarch64_insn_encode_register('rd', insn, dst);
  insn = aarch64_insn_encode_register('rn', insn, src);
  insn = aarch64_insn_encode_register('rm', insn, reg);
  return aarch64_insn_encode_immediate('imm6', insn, BigInt(shift));
}

/** aarch64_insn_gen_move_reg(dst, src, variant): `mov dst, src` (ORR dst, ZR, src). Seed 004 adds it for MOV X9, LR. */
export function aarch64_insn_gen_move_reg(dst: number, src: number, variant: number): number {
  return aarch64_insn_gen_logical_shifted_reg(dst, AARCH64_INSN_REG_ZR, src, 0, variant, AARCH64_INSN_LOGIC_ORR);
}

/** aarch64_insn_gen_movewide(dst, imm, shift, variant, type): MOVZ, MOVK or MOVN with `lsl #shift`. */
export function aarch64_insn_gen_movewide(dst: number, imm: number, shift: number, variant: number, type: number): number {
  let insn: number;
  switch (type) {
    case AARCH64_INSN_MOVEWIDE_ZERO:
      insn = 0x52800000;
      break;
    case AARCH64_INSN_MOVEWIDE_KEEP:
      insn = 0x72800000;
      break;
    case AARCH64_INSN_MOVEWIDE_INVERSE:
      insn = 0x12800000;
      break;
    default:
      pr_err(`aarch64_insn_gen_movewide: unknown movewide encoding ${type}`);
      return AARCH64_BREAK_FAULT;
  }
  if (!Number.isInteger(imm) || imm & ~(SZ_64K - 1)) {
    pr_err(`aarch64_insn_gen_movewide: invalid immediate encoding ${imm}`);
    return AARCH64_BREAK_FAULT;
  }
  switch (variant) {
    case AARCH64_INSN_VARIANT_32BIT:
      if (shift !== 0 && shift !== 16) {
        pr_err(`aarch64_insn_gen_movewide: invalid shift encoding ${shift}`);
        return AARCH64_BREAK_FAULT;
      }
      break;
    case AARCH64_INSN_VARIANT_64BIT:
      insn = (insn | AARCH64_INSN_SF_BIT) >>> 0;
      if (shift !== 0 && shift !== 16 && shift !== 32 && shift !== 48) {
        pr_err(`aarch64_insn_gen_movewide: invalid shift encoding ${shift}`);
        return AARCH64_BREAK_FAULT;
      }
      break;
    default:
      pr_err(`aarch64_insn_gen_movewide: unknown variant encoding ${variant}`);
      return AARCH64_BREAK_FAULT;
  }
  insn = (insn | ((shift >> 4) << 21)) >>> 0;
  insn = aarch64_insn_encode_register('rd', insn, dst);
  return aarch64_insn_encode_immediate('imm16', insn, BigInt(imm));
}

/** aarch64_insn_gen_add_sub_imm(dst, src, imm, variant, type): ADD/SUB/ADDS/SUBS with a 12-bit immediate, optionally `lsl #12`. */
export function aarch64_insn_gen_add_sub_imm(dst: number, src: number, imm: number, variant: number, type: number): number {
  let insn: number;
  switch (type) {
    case AARCH64_INSN_ADSB_ADD:
      insn = 0x11000000;
      break;
    case AARCH64_INSN_ADSB_SUB:
      insn = 0x51000000;
      break;
    case AARCH64_INSN_ADSB_ADD_SETFLAGS:
      insn = 0x31000000;
      break;
    case AARCH64_INSN_ADSB_SUB_SETFLAGS:
      insn = 0x71000000;
      break;
    default:
      pr_err(`aarch64_insn_gen_add_sub_imm: unknown add/sub encoding ${type}`);
      return AARCH64_BREAK_FAULT;
  }
  switch (variant) {
    case AARCH64_INSN_VARIANT_32BIT:
      break;
    case AARCH64_INSN_VARIANT_64BIT:
      insn = (insn | AARCH64_INSN_SF_BIT) >>> 0;
      break;
    default:
      pr_err(`aarch64_insn_gen_add_sub_imm: unknown variant encoding ${variant}`);
      return AARCH64_BREAK_FAULT;
  }
  let v = imm | 0;
  if (!Number.isInteger(imm) || imm !== v || v & ~((1 << 24) - 1)) {
    // we can't encode more than a 24-bit value (12 bits + a 12-bit shift)
    pr_err(`aarch64_insn_gen_add_sub_imm: invalid immediate encoding ${imm}`);
    return AARCH64_BREAK_FAULT;
  }
  if (v & ~(SZ_4K - 1)) {
    // something in the top 12 bits and in the low 12 bits: no encoding
    if (v & (SZ_4K - 1)) {
      pr_err(`aarch64_insn_gen_add_sub_imm: invalid immediate encoding ${imm}`);
      return AARCH64_BREAK_FAULT;
    }
    v >>= 12;
    insn = (insn | AARCH64_INSN_LSL_12) >>> 0;
  }
  insn = aarch64_insn_encode_register('rd', insn, dst);
  insn = aarch64_insn_encode_register('rn', insn, src);
  return aarch64_insn_encode_immediate('imm12', insn, BigInt(v));
}

/**
 * aarch64_insn_gen_adr(pc, addr, reg, type): ADR (±1 MiB) or ADRP (±4 GiB in pages) of `addr`.
 * The kernel keeps the offset in an `s32`: the C truncation is kept.
 */
export function aarch64_insn_gen_adr(pc: bigint, addr: bigint, reg: number, type: number): number {
  let insn: number;
  let offset: bigint;
  switch (type) {
    case AARCH64_INSN_ADR_TYPE_ADR:
      insn = 0x10000000;
      offset = BigInt.asIntN(32, u64(addr) - u64(pc));
      break;
    case AARCH64_INSN_ADR_TYPE_ADRP:
      insn = 0x90000000;
      // (addr - ALIGN_DOWN(pc, SZ_4K)) >> 12 on unsigned longs, then stored in an s32
      offset = BigInt.asIntN(32, u64(u64(addr) - (u64(pc) & ~0xfffn)) >> 12n);
      break;
    default:
      pr_err(`aarch64_insn_gen_adr: unknown adr encoding ${type}`);
      return AARCH64_BREAK_FAULT;
  }
  if (offset < -BigInt(SZ_1M) || offset >= BigInt(SZ_1M)) return AARCH64_BREAK_FAULT;
  insn = aarch64_insn_encode_register('rd', insn, reg);
  return aarch64_insn_encode_immediate('adr', insn, offset);
}

/** aarch64_insn_is_bl(insn). */
export function aarch64_insn_is_bl(insn: number): boolean {
  return ((insn >>> 0) & 0xfc000000) >>> 0 === 0x94000000;
}
/** aarch64_insn_is_nop(insn): only the NOP encoding (the kernel also accepts other hints). */
export function aarch64_insn_is_nop(insn: number): boolean {
  return insn >>> 0 === 0xd503201f;
}

/** aarch64_get_branch_offset(insn): the signed byte offset of B/BL/B.cond/CBZ/TBZ (B and BL here). */
export function aarch64_get_branch_offset(insn: number): bigint {
  const w = insn >>> 0;
  if ((w & 0x7c000000) >>> 0 === 0x14000000) {
    const imm26 = w & 0x3ffffff;
    return BigInt(((imm26 << 6) >> 6) * 4);
  }
  // the kernel BUG()s on anything else
  throw new Error(`aarch64_get_branch_offset: 0x${w.toString(16)} is not a branch`);
}
