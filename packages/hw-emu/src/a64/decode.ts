// A64 decoder for k's subset (Arm ARM DDI 0487, C4.1 "A64 instruction set
// encoding": Branches, exception generating and system instructions; Data
// processing -- immediate; Data processing -- register; Loads and stores).
// Anything outside the subset decodes to null, which the core executes as an
// undefined instruction. Issue 5; the subset is what seed 004's ftrace code runs.
import { EXTEND_NAMES, SHIFT_NAMES, type A64Insn, type AddSubRegFields, type LdStOp } from './insn';

function sext(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

/** The fields ADD/SUB (shifted and extended register) share: sf, op, S, Rm, Rn, Rd. */
function addSubRegs(w: number): AddSubRegFields {
  return {
    sf: w >>> 31 === 1,
    sub: ((w >>> 30) & 1) === 1,
    setFlags: ((w >>> 29) & 1) === 1,
    rd: w & 31,
    rn: (w >>> 5) & 31,
    rm: (w >>> 16) & 31,
  };
}

const LDST_OPS: readonly (readonly [LdStOp, boolean] | null)[][] = [
  // size 0 (byte): opc 0..3
  [['strb', false], ['ldrb', false], ['ldrsb', true], ['ldrsb', false]],
  // size 1 (halfword)
  [['strh', false], ['ldrh', false], ['ldrsh', true], ['ldrsh', false]],
  // size 2 (word): opc 3 is unallocated
  [['str', false], ['ldr', false], ['ldrsw', true], null],
  // size 3 (doubleword): opc 2 is PRFM (outside the subset), 3 unallocated
  [['str', true], ['ldr', true], null, null],
];

/**
 * Decodes one 32-bit instruction word; null when the word is not an instruction of
 * the subset (unallocated, or an instruction k does not implement).
 */
export function decode(word: number): A64Insn | null {
  const w = word >>> 0;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  const sf = w >>> 31 === 1;

  // Reserved: UDF (permanently undefined).
  if ((w & 0xffff0000) === 0) return { kind: 'udf', imm: w & 0xffff };
  // System: HINT, ISB; exception generation: BRK, HLT.
  if (((w & 0xfffff01f) >>> 0) === 0xd503201f) return { kind: 'hint', imm: (w >>> 5) & 0x7f };
  if (((w & 0xfffff0ff) >>> 0) === 0xd50330df) return { kind: 'isb', crm: (w >>> 8) & 15 };
  if (((w & 0xffe0001f) >>> 0) === 0xd4200000) return { kind: 'brk', imm: (w >>> 5) & 0xffff };
  if (((w & 0xffe0001f) >>> 0) === 0xd4400000) return { kind: 'hlt', imm: (w >>> 5) & 0xffff };

  // Unconditional branch (register): BR, BLR, RET.
  const br = (w & 0xfffffc1f) >>> 0;
  if (br === 0xd61f0000) return { kind: 'branchReg', op: 'br', rn };
  if (br === 0xd63f0000) return { kind: 'branchReg', op: 'blr', rn };
  if (br === 0xd65f0000) return { kind: 'branchReg', op: 'ret', rn };

  // Unconditional branch (immediate): B, BL.
  if (((w & 0x7c000000) >>> 0) === 0x14000000) return { kind: 'branch', link: sf, offset: sext(w & 0x3ffffff, 26) * 4 };
  // Conditional branch (immediate): B.cond (o1 = 0, o0 = 0; o0 = 1 is BC.cond of v8.8).
  if (((w & 0xff000010) >>> 0) === 0x54000000) return { kind: 'bcond', cond: w & 15, offset: sext((w >>> 5) & 0x7ffff, 19) * 4 };
  // Compare and branch (immediate): CBZ, CBNZ.
  if (((w & 0x7e000000) >>> 0) === 0x34000000) {
    return { kind: 'cbz', nz: ((w >>> 24) & 1) === 1, sf, rt: rd, offset: sext((w >>> 5) & 0x7ffff, 19) * 4 };
  }

  // PC-rel. addressing: ADR, ADRP.
  if (((w & 0x1f000000) >>> 0) === 0x10000000) {
    const imm = sext((((w >>> 5) & 0x7ffff) << 2) | ((w >>> 29) & 3), 21);
    const page = sf;
    return { kind: 'adr', page, rd, offset: page ? imm * 4096 : imm };
  }
  // Add/subtract (immediate); bit 23 set is ADDG/SUBG (MTE), outside the subset.
  if (((w & 0x1f800000) >>> 0) === 0x11000000) {
    return {
      kind: 'addSubImm',
      sf,
      sub: ((w >>> 30) & 1) === 1,
      setFlags: ((w >>> 29) & 1) === 1,
      rd,
      rn,
      imm12: (w >>> 10) & 0xfff,
      lsl12: ((w >>> 22) & 1) === 1,
    };
  }
  // Move wide (immediate): MOVN, MOVZ, MOVK (opc 01 unallocated; hw >= 2 needs sf).
  if (((w & 0x1f800000) >>> 0) === 0x12800000) {
    const opc = (w >>> 29) & 3;
    const hw = (w >>> 21) & 3;
    if (opc === 1 || (!sf && hw >= 2)) return null;
    return { kind: 'movWide', op: opc === 0 ? 'movn' : opc === 2 ? 'movz' : 'movk', sf, rd, imm16: (w >>> 5) & 0xffff, hw };
  }

  // Logical (shifted register): only ORR Rd, ZR, Rm (no shift) = MOV (register).
  if (((w & 0x7fe0ffe0) >>> 0) === 0x2a0003e0) return { kind: 'movReg', sf, rd, rm: (w >>> 16) & 31 };
  // Add/subtract (shifted register).
  if (((w & 0x1f200000) >>> 0) === 0x0b000000) {
    const shift = (w >>> 22) & 3;
    const amount = (w >>> 10) & 63;
    if (shift === 3 || (!sf && amount >= 32)) return null;
    return { kind: 'addSubShifted', ...addSubRegs(w), shift: SHIFT_NAMES[shift] as 'lsl', amount };
  }
  // Add/subtract (extended register); opt (bits 23:22) must be 0, imm3 at most 4.
  if (((w & 0x1fe00000) >>> 0) === 0x0b200000) {
    const amount = (w >>> 10) & 7;
    if (amount > 4) return null;
    return { kind: 'addSubExtended', ...addSubRegs(w), extend: EXTEND_NAMES[(w >>> 13) & 7] as 'uxtb', amount };
  }

  // Load/store register (unsigned immediate), general registers (V = 0).
  if (((w & 0x3f000000) >>> 0) === 0x39000000) {
    const size = w >>> 30;
    const d = LDST_OPS[size]?.[(w >>> 22) & 3];
    if (!d) return null;
    return { kind: 'ldst', op: d[0], rt64: d[1], mode: 'offset', rt: rd, rn, offset: ((w >>> 10) & 0xfff) << size };
  }
  // Load/store register (unscaled immediate, post-indexed, pre-indexed); idx 10 is LDTR/STTR.
  if (((w & 0x3f200000) >>> 0) === 0x38000000) {
    const idx = (w >>> 10) & 3;
    if (idx === 2) return null;
    const d = LDST_OPS[w >>> 30]?.[(w >>> 22) & 3];
    if (!d) return null;
    const mode = idx === 0 ? 'unscaled' : idx === 1 ? 'post' : 'pre';
    return { kind: 'ldst', op: d[0], rt64: d[1], mode, rt: rd, rn, offset: sext((w >>> 12) & 0x1ff, 9) };
  }
  // Load register (literal): LDR W/X, LDRSW (opc 11 is PRFM).
  if (((w & 0x3f000000) >>> 0) === 0x18000000) {
    const opc = w >>> 30;
    if (opc === 3) return null;
    return {
      kind: 'ldrLiteral',
      op: opc === 2 ? 'ldrsw' : 'ldr',
      rt64: opc !== 0,
      rt: rd,
      offset: sext((w >>> 5) & 0x7ffff, 19) * 4,
    };
  }
  // Load/store register pair (post-indexed, offset, pre-indexed) of W or X registers.
  if (((w & 0x3e000000) >>> 0) === 0x28000000) {
    const opc = w >>> 30;
    const idx = (w >>> 23) & 3;
    if ((opc !== 0 && opc !== 2) || idx === 0) return null;
    const is64 = opc === 2;
    return {
      kind: 'ldstPair',
      load: ((w >>> 22) & 1) === 1,
      sf: is64,
      mode: idx === 1 ? 'post' : idx === 2 ? 'offset' : 'pre',
      rt: rd,
      rt2: (w >>> 10) & 31,
      rn,
      offset: sext((w >>> 15) & 0x7f, 7) * (is64 ? 8 : 4),
    };
  }
  return null;
}

/**
 * What the architecture says about a decoded word whose registers overlap in a way
 * it leaves CONSTRAINED UNPREDICTABLE (Arm ARM K1.2): a load with writeback into its
 * own base, LDP into one register twice, a pair store with writeback into a source.
 * - `undefined`: k takes the UNDEFINED choice (the core stops with `undefined`, `unpredictable: true`).
 * - `store-old`: k stores the register's value from before the writeback (Constraint_NONE).
 * - null: no overlap.
 */
export function unpredictableChoice(insn: A64Insn): 'undefined' | 'store-old' | null {
  if (insn.kind === 'ldst') {
    const load = insn.op.startsWith('ld');
    if ((insn.mode === 'pre' || insn.mode === 'post') && insn.rn === insn.rt && insn.rn !== 31) return load ? 'undefined' : 'store-old';
    return null;
  }
  if (insn.kind === 'ldstPair') {
    if (insn.load && insn.rt === insn.rt2) return 'undefined';
    if (insn.mode !== 'offset' && insn.rn !== 31 && (insn.rn === insn.rt || insn.rn === insn.rt2)) return insn.load ? 'undefined' : 'store-old';
  }
  return null;
}
