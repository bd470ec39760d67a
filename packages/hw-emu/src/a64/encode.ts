// A64 encoder for k's subset: the inverse of ./decode (Arm ARM DDI 0487, C4.1).
// encode(decode(w)) === w for every word decode accepts; a field out of range is
// an A64Error, never a silently truncated encoding. Issue 5.
import { A64Error } from './format';
import { EXTEND_NAMES, SHIFT_NAMES, type A64Insn, type LdStOp } from './insn';

function field(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new A64Error(`encode: ${name} ${String(v)} is out of range [${lo}, ${hi}]`);
  return v;
}
function r5(name: string, v: number): number {
  return field(name, v, 0, 31);
}
function scaled(name: string, v: number, scale: number, bits: number, signed: boolean): number {
  if (!Number.isInteger(v) || v % scale !== 0) throw new A64Error(`encode: ${name} ${String(v)} is not a multiple of ${scale}`);
  const q = v / scale;
  const lo = signed ? -(2 ** (bits - 1)) : 0;
  const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (q < lo || q > hi) {
    throw new A64Error(`encode: ${name} ${v} is out of range [${lo * scale}, ${hi * scale}]`);
  }
  return q & (2 ** bits - 1);
}

const LDST_ENC: Readonly<Record<LdStOp, readonly [size: number, opc: number, opc64?: number]>> = {
  strb: [0, 0],
  ldrb: [0, 1],
  ldrsb: [0, 3, 2],
  strh: [1, 0],
  ldrh: [1, 1],
  ldrsh: [1, 3, 2],
  str: [2, 0],
  ldr: [2, 1],
  ldrsw: [2, 2, 2],
};

/** Encodes a decoded instruction to its 32-bit word (unsigned). Throws A64Error on a field out of range. */
export function encode(insn: A64Insn): number {
  if (typeof insn !== 'object' || insn === null) throw new A64Error(`encode: ${String(insn)} is not a decoded instruction`);
  switch (insn.kind) {
    case 'hint':
      return (0xd503201f | (field('hint', insn.imm, 0, 127) << 5)) >>> 0;
    case 'isb':
      return (0xd50330df | (field('isb option', insn.crm, 0, 15) << 8)) >>> 0;
    case 'udf':
      return field('udf immediate', insn.imm, 0, 0xffff);
    case 'brk':
      return (0xd4200000 | (field('brk immediate', insn.imm, 0, 0xffff) << 5)) >>> 0;
    case 'hlt':
      return (0xd4400000 | (field('hlt immediate', insn.imm, 0, 0xffff) << 5)) >>> 0;
    case 'movWide': {
      const opc = insn.op === 'movn' ? 0 : insn.op === 'movz' ? 2 : 3;
      const hw = field('hw', insn.hw, 0, insn.sf ? 3 : 1);
      return (
        ((insn.sf ? 1 << 31 : 0) | (opc << 29) | 0x12800000 | (hw << 21) | (field('imm16', insn.imm16, 0, 0xffff) << 5) | r5('rd', insn.rd)) >>> 0
      );
    }
    case 'movReg':
      return ((insn.sf ? 1 << 31 : 0) | 0x2a0003e0 | (r5('rm', insn.rm) << 16) | r5('rd', insn.rd)) >>> 0;
    case 'addSubImm':
      return (
        ((insn.sf ? 1 << 31 : 0) |
          (insn.sub ? 1 << 30 : 0) |
          (insn.setFlags ? 1 << 29 : 0) |
          0x11000000 |
          (insn.lsl12 ? 1 << 22 : 0) |
          (field('imm12', insn.imm12, 0, 4095) << 10) |
          (r5('rn', insn.rn) << 5) |
          r5('rd', insn.rd)) >>>
        0
      );
    case 'addSubShifted': {
      const shift = SHIFT_NAMES.indexOf(insn.shift);
      if (shift < 0) throw new A64Error(`encode: unknown shift '${String(insn.shift)}'`);
      return (
        ((insn.sf ? 1 << 31 : 0) |
          (insn.sub ? 1 << 30 : 0) |
          (insn.setFlags ? 1 << 29 : 0) |
          0x0b000000 |
          (shift << 22) |
          (r5('rm', insn.rm) << 16) |
          (field('shift amount', insn.amount, 0, insn.sf ? 63 : 31) << 10) |
          (r5('rn', insn.rn) << 5) |
          r5('rd', insn.rd)) >>>
        0
      );
    }
    case 'addSubExtended': {
      const option = EXTEND_NAMES.indexOf(insn.extend);
      if (option < 0) throw new A64Error(`encode: unknown extend '${String(insn.extend)}'`);
      return (
        ((insn.sf ? 1 << 31 : 0) |
          (insn.sub ? 1 << 30 : 0) |
          (insn.setFlags ? 1 << 29 : 0) |
          0x0b200000 |
          (r5('rm', insn.rm) << 16) |
          (option << 13) |
          (field('extend amount', insn.amount, 0, 4) << 10) |
          (r5('rn', insn.rn) << 5) |
          r5('rd', insn.rd)) >>>
        0
      );
    }
    case 'adr': {
      const imm = scaled(insn.page ? 'adrp offset' : 'adr offset', insn.offset, insn.page ? 4096 : 1, 21, true);
      return ((insn.page ? 1 << 31 : 0) | ((imm & 3) << 29) | 0x10000000 | ((imm >>> 2) << 5) | r5('rd', insn.rd)) >>> 0;
    }
    case 'ldst': {
      const enc = LDST_ENC[insn.op];
      if (!enc) throw new A64Error(`encode: unknown load/store '${String(insn.op)}'`);
      let [size, opc] = enc;
      const opc64 = enc[2];
      if (insn.op === 'str' || insn.op === 'ldr') size = insn.rt64 ? 3 : 2;
      else if (opc64 !== undefined && insn.rt64) opc = opc64;
      else if (insn.rt64) throw new A64Error(`encode: ${insn.op} takes a W register`);
      if (insn.op === 'ldrsw' && !insn.rt64) throw new A64Error('encode: ldrsw takes an X register');
      const regs = (r5('rn', insn.rn) << 5) | r5('rt', insn.rt);
      if (insn.mode === 'offset') {
        const imm12 = scaled('offset', insn.offset, 1 << size, 12, false);
        return ((size << 30) | 0x39000000 | (opc << 22) | (imm12 << 10) | regs) >>> 0;
      }
      const idx = insn.mode === 'unscaled' ? 0 : insn.mode === 'post' ? 1 : 3;
      if (insn.mode !== 'unscaled' && insn.mode !== 'post' && insn.mode !== 'pre') throw new A64Error(`encode: unknown mode '${String(insn.mode)}'`);
      const imm9 = scaled('offset', insn.offset, 1, 9, true);
      return ((size << 30) | 0x38000000 | (opc << 22) | (imm9 << 12) | (idx << 10) | regs) >>> 0;
    }
    case 'ldrLiteral': {
      const opc = insn.op === 'ldrsw' ? 2 : insn.rt64 ? 1 : 0;
      if (insn.op === 'ldrsw' && !insn.rt64) throw new A64Error('encode: ldrsw takes an X register');
      return ((opc << 30) | 0x18000000 | (scaled('literal offset', insn.offset, 4, 19, true) << 5) | r5('rt', insn.rt)) >>> 0;
    }
    case 'ldstPair': {
      const idx = insn.mode === 'post' ? 1 : insn.mode === 'offset' ? 2 : 3;
      const imm7 = scaled('pair offset', insn.offset, insn.sf ? 8 : 4, 7, true);
      return (
        ((insn.sf ? 2 << 30 : 0) |
          0x28000000 |
          (idx << 23) |
          (insn.load ? 1 << 22 : 0) |
          (imm7 << 15) |
          (r5('rt2', insn.rt2) << 10) |
          (r5('rn', insn.rn) << 5) |
          r5('rt', insn.rt)) >>>
        0
      );
    }
    case 'branch':
      return ((insn.link ? 0x94000000 : 0x14000000) | scaled('branch offset', insn.offset, 4, 26, true)) >>> 0;
    case 'bcond':
      return (0x54000000 | (scaled('branch offset', insn.offset, 4, 19, true) << 5) | field('cond', insn.cond, 0, 15)) >>> 0;
    case 'cbz':
      return (
        ((insn.sf ? 1 << 31 : 0) | 0x34000000 | (insn.nz ? 1 << 24 : 0) | (scaled('branch offset', insn.offset, 4, 19, true) << 5) | r5('rt', insn.rt)) >>>
        0
      );
    case 'branchReg': {
      const base = insn.op === 'br' ? 0xd61f0000 : insn.op === 'blr' ? 0xd63f0000 : 0xd65f0000;
      return (base | (r5('rn', insn.rn) << 5)) >>> 0;
    }
  }
  throw new A64Error(`encode: unknown instruction kind '${String((insn as { kind?: unknown }).kind)}'`);
}
