// The decoded form of the A64 instructions k's core implements (issue 5, the
// instructions dynamic ftrace needs; seed 004). Field names follow the Arm ARM
// (DDI 0487, C4 "A64 Instruction Set Encoding"): rd, rn, rm, rt, rt2, sf, hw, imm.
// Register numbers are the 5-bit fields: whether 31 means SP or the zero register
// depends on the operand, exactly as in the architecture (see `regIsSp` in ./decode).

/** Loads and stores of one register, by their base mnemonic (LDUR/STUR are `mode: 'unscaled'`). */
export type LdStOp = 'str' | 'strb' | 'strh' | 'ldr' | 'ldrb' | 'ldrh' | 'ldrsb' | 'ldrsh' | 'ldrsw';
/** Shift of the second operand of ADD/SUB (shifted register). */
export type ShiftType = 'lsl' | 'lsr' | 'asr';
/** Extension of the second operand of ADD/SUB (extended register). */
export type ExtendType = 'uxtb' | 'uxth' | 'uxtw' | 'uxtx' | 'sxtb' | 'sxth' | 'sxtw' | 'sxtx';

/** The condition names in the order of their encodings (llvm prints `hs`/`lo` for 2/3). */
export const COND_NAMES = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'] as const;
/** A condition name. */
export type CondName = (typeof COND_NAMES)[number];

/** The extend names in the order of their `option` encodings. */
export const EXTEND_NAMES: readonly ExtendType[] = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];
/** The shift names in the order of their encodings (3 is reserved). */
export const SHIFT_NAMES: readonly ShiftType[] = ['lsl', 'lsr', 'asr'];

/** The fields of ADD/SUB with a register second operand (shifted or extended). */
export interface AddSubRegFields {
  readonly sf: boolean;
  readonly sub: boolean;
  readonly setFlags: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
}

/**
 * One decoded instruction of the subset. PC-relative `offset`s are in bytes from the
 * instruction's own address (for ADRP: from its 4 KiB page, a multiple of 4096).
 */
export type A64Insn =
  /** HINT #imm (NOP is hint 0; YIELD, WFE, WFI, SEV, SEVL, BTI, PACIASP... are hints too). */
  | { readonly kind: 'hint'; readonly imm: number }
  /** ISB with its CRm option (15 is SY). */
  | { readonly kind: 'isb'; readonly crm: number }
  /** UDF #imm16: permanently undefined (executes as an undefined instruction). */
  | { readonly kind: 'udf'; readonly imm: number }
  | { readonly kind: 'brk'; readonly imm: number }
  | { readonly kind: 'hlt'; readonly imm: number }
  /** MOVN / MOVZ / MOVK: `imm16 << (16 * hw)`. */
  | {
      readonly kind: 'movWide';
      readonly op: 'movn' | 'movz' | 'movk';
      readonly sf: boolean;
      readonly rd: number;
      readonly imm16: number;
      readonly hw: number;
    }
  /** MOV (register): the ORR (shifted register) alias `ORR Rd, ZR, Rm`. */
  | { readonly kind: 'movReg'; readonly sf: boolean; readonly rd: number; readonly rm: number }
  | {
      readonly kind: 'addSubImm';
      readonly sf: boolean;
      readonly sub: boolean;
      readonly setFlags: boolean;
      readonly rd: number;
      readonly rn: number;
      readonly imm12: number;
      /** `lsl #12` applied to imm12. */
      readonly lsl12: boolean;
    }
  | (AddSubRegFields & { readonly kind: 'addSubShifted'; readonly shift: ShiftType; readonly amount: number })
  | (AddSubRegFields & { readonly kind: 'addSubExtended'; readonly extend: ExtendType; readonly amount: number })
  /** ADR (`page: false`) and ADRP (`page: true`). */
  | { readonly kind: 'adr'; readonly page: boolean; readonly rd: number; readonly offset: number }
  /** LDR/STR and friends with an immediate offset (scaled unsigned, unscaled LDUR/STUR, pre- or post-indexed). */
  | {
      readonly kind: 'ldst';
      readonly op: LdStOp;
      /** Rt is an X register (else W). */
      readonly rt64: boolean;
      readonly mode: 'offset' | 'unscaled' | 'pre' | 'post';
      readonly rt: number;
      readonly rn: number;
      readonly offset: number;
    }
  /** LDR (literal) and LDRSW (literal). */
  | { readonly kind: 'ldrLiteral'; readonly op: 'ldr' | 'ldrsw'; readonly rt64: boolean; readonly rt: number; readonly offset: number }
  /** LDP/STP of W or X registers. */
  | {
      readonly kind: 'ldstPair';
      readonly load: boolean;
      readonly sf: boolean;
      readonly mode: 'offset' | 'pre' | 'post';
      readonly rt: number;
      readonly rt2: number;
      readonly rn: number;
      readonly offset: number;
    }
  /** B and BL. */
  | { readonly kind: 'branch'; readonly link: boolean; readonly offset: number }
  | { readonly kind: 'bcond'; readonly cond: number; readonly offset: number }
  /** CBZ and CBNZ. */
  | { readonly kind: 'cbz'; readonly nz: boolean; readonly sf: boolean; readonly rt: number; readonly offset: number }
  /** BR, BLR, RET. */
  | { readonly kind: 'branchReg'; readonly op: 'br' | 'blr' | 'ret'; readonly rn: number };

/** The instruction kinds of the subset. */
export type A64InsnKind = A64Insn['kind'];

/** Bytes accessed by one register of a load/store. */
export function ldstSize(op: LdStOp, rt64: boolean): 1 | 2 | 4 | 8 {
  switch (op) {
    case 'strb':
    case 'ldrb':
    case 'ldrsb':
      return 1;
    case 'strh':
    case 'ldrh':
    case 'ldrsh':
      return 2;
    case 'ldrsw':
      return 4;
    default:
      return rt64 ? 8 : 4;
  }
}
