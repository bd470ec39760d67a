// A64 disassembler for k's subset, printing exactly what `llvm-mc -triple=aarch64
// --disassemble` (LLVM 14) prints, aliases included (mov, cmp, cmn, neg, negs,
// ret; the MOVZ/MOVN `mov` rule of AArch64InstPrinter's isMOVZMovAlias and
// isMOVNMovAlias). Issue 5. One difference on request: with a pc, PC-relative
// operands print as absolute targets the way llvm-objdump prints them (`bl 0x2000`),
// for ADR too.
import { COND_NAMES, type A64Insn } from './insn';
import { decode } from './decode';

/** Disassembler options. */
export interface DisassembleOptions {
  /**
   * How to print hint-space instructions. `'plain'` (default) prints what
   * `llvm-mc -triple=aarch64` prints with no extra features (`hint #34`, `hint #25`);
   * `'v8.5a'` prints the names `llvm-mc -mattr=+v8.5a` uses (`bti c`, `paciasp`, `esb`...).
   */
  readonly hints?: 'plain' | 'v8.5a';
}

const HINTS_PLAIN: Readonly<Record<number, string>> = { 0: 'nop', 1: 'yield', 2: 'wfe', 3: 'wfi', 4: 'sev', 5: 'sevl', 6: 'dgh', 20: 'csdb' };
const HINTS_V85: Readonly<Record<number, string>> = {
  ...HINTS_PLAIN,
  7: 'xpaclri',
  8: 'pacia1716',
  10: 'pacib1716',
  12: 'autia1716',
  14: 'autib1716',
  16: 'esb',
  18: 'tsb\tcsync',
  24: 'paciaz',
  25: 'paciasp',
  26: 'pacibz',
  27: 'pacibsp',
  28: 'autiaz',
  29: 'autiasp',
  30: 'autibz',
  31: 'autibsp',
  32: 'bti',
  34: 'bti\tc',
  36: 'bti\tj',
  38: 'bti\tjc',
};

/**
 * @internal every hint name the assembler accepts, to its number: those llvm-mc
 * accepts with no extra feature (it refuses esb, psb csync and tsb csync without
 * +ras, +spe, +tracev8.4: write `hint #16`, `#17`, `#18`).
 */
export const HINT_NUMBERS: ReadonlyMap<string, number> = new Map(
  Object.entries(HINTS_V85)
    .filter(([k]) => k !== '16' && k !== '18')
    .map(([k, v]) => [v.replace('\t', ' '), Number(k)] as const),
);

/** X register name; 31 is SP or XZR as the operand says. */
export function xreg(n: number, sp: boolean): string {
  return n === 31 ? (sp ? 'sp' : 'xzr') : `x${n}`;
}
/** W register name; 31 is WSP or WZR as the operand says. */
export function wreg(n: number, sp: boolean): string {
  return n === 31 ? (sp ? 'wsp' : 'wzr') : `w${n}`;
}
function reg(sf: boolean, n: number, sp: boolean): string {
  return sf ? xreg(n, sp) : wreg(n, sp);
}

function hex16(v: number): string {
  return v === 0 ? '#0' : `#0x${v.toString(16)}`;
}

const MASK64 = (1n << 64n) - 1n;

function target(pc: bigint | null, offset: number, page = false): string {
  if (pc === null) return `#${offset}`;
  const base = page ? pc & ~0xfffn : pc;
  return `0x${((base + BigInt(offset)) & MASK64).toString(16)}`;
}

function isMovzAlias(value: bigint, shift: number, width: number): boolean {
  let v = value;
  if (width === 32) v &= 0xffffffffn;
  if (v === 0n && shift !== 0) return false;
  return (v & ~(0xffffn << BigInt(shift)) & MASK64) === 0n;
}
function isAnyMovzAlias(value: bigint, width: number): boolean {
  for (let s = 0; s <= width - 16; s += 16) if (isMovzAlias(value, s, width)) return true;
  return false;
}
function signedImm(value: bigint, width: number): string {
  return `#${BigInt.asIntN(width, value).toString()}`;
}

/** The text of a decoded instruction, with a tab between mnemonic and operands as llvm-mc prints it. */
export function formatInsn(insn: A64Insn, pc: bigint | null = null, options: DisassembleOptions = {}): string {
  if (typeof insn !== 'object' || insn === null) throw new A64Error(`formatInsn: ${String(insn)} is not a decoded instruction`);
  if (pc !== null) checkPc(pc, 'formatInsn');
  if (options.hints !== undefined && options.hints !== 'plain' && options.hints !== 'v8.5a') {
    throw new A64Error(`formatInsn: hints must be 'plain' or 'v8.5a', not '${String(options.hints)}'`);
  }
  switch (insn.kind) {
    case 'hint': {
      const name = (options.hints === 'v8.5a' ? HINTS_V85 : HINTS_PLAIN)[insn.imm];
      return name ?? `hint\t#${insn.imm}`;
    }
    case 'isb':
      return insn.crm === 15 ? 'isb' : `isb\t#${insn.crm}`;
    case 'udf':
      return `udf\t#${insn.imm}`;
    case 'brk':
    case 'hlt':
      return `${insn.kind}\t${hex16(insn.imm)}`;
    case 'movWide': {
      const width = insn.sf ? 64 : 32;
      const shift = insn.hw * 16;
      const rd = reg(insn.sf, insn.rd, false);
      const plain = `${insn.op}\t${rd}, #${insn.imm16}${shift ? `, lsl #${shift}` : ''}`;
      if (insn.op === 'movz') {
        const v = BigInt(insn.imm16) << BigInt(shift);
        return isMovzAlias(v, shift, width) ? `mov\t${rd}, ${signedImm(v, width)}` : plain;
      }
      if (insn.op === 'movn') {
        let v = ~(BigInt(insn.imm16) << BigInt(shift)) & MASK64;
        if (width === 32) v &= 0xffffffffn;
        if (isAnyMovzAlias(v, width)) return plain;
        let nv = ~v & MASK64;
        if (width === 32) nv &= 0xffffffffn;
        return isMovzAlias(nv, shift, width) ? `mov\t${rd}, ${signedImm(v, width)}` : plain;
      }
      return plain;
    }
    case 'movReg':
      return `mov\t${reg(insn.sf, insn.rd, false)}, ${reg(insn.sf, insn.rm, false)}`;
    case 'addSubImm': {
      const { sf, sub, setFlags } = insn;
      const imm = `#${insn.imm12}${insn.lsl12 ? ', lsl #12' : ''}`;
      const rn = reg(sf, insn.rn, true);
      if (!sub && !setFlags && !insn.lsl12 && insn.imm12 === 0 && (insn.rd === 31 || insn.rn === 31)) {
        return `mov\t${reg(sf, insn.rd, true)}, ${rn}`;
      }
      if (setFlags && insn.rd === 31) return `${sub ? 'cmp' : 'cmn'}\t${rn}, ${imm}`;
      return `${sub ? 'sub' : 'add'}${setFlags ? 's' : ''}\t${reg(sf, insn.rd, !setFlags)}, ${rn}, ${imm}`;
    }
    case 'addSubShifted': {
      const { sf, sub, setFlags } = insn;
      const sh = insn.shift === 'lsl' && insn.amount === 0 ? '' : `, ${insn.shift} #${insn.amount}`;
      const rm = reg(sf, insn.rm, false);
      if (setFlags && insn.rd === 31) return `${sub ? 'cmp' : 'cmn'}\t${reg(sf, insn.rn, false)}, ${rm}${sh}`;
      if (sub && insn.rn === 31) return `neg${setFlags ? 's' : ''}\t${reg(sf, insn.rd, false)}, ${rm}${sh}`;
      return `${sub ? 'sub' : 'add'}${setFlags ? 's' : ''}\t${reg(sf, insn.rd, false)}, ${reg(sf, insn.rn, false)}, ${rm}${sh}`;
    }
    case 'addSubExtended': {
      const { sf, sub, setFlags } = insn;
      const rmIsX = sf && (insn.extend === 'uxtx' || insn.extend === 'sxtx');
      const rm = rmIsX ? xreg(insn.rm, false) : wreg(insn.rm, false);
      const spInvolved = insn.rn === 31 || (!setFlags && insn.rd === 31);
      let ext: string;
      if (spInvolved && ((sf && insn.extend === 'uxtx') || (!sf && insn.extend === 'uxtw'))) {
        ext = insn.amount ? `, lsl #${insn.amount}` : '';
      } else {
        ext = `, ${insn.extend}${insn.amount ? ` #${insn.amount}` : ''}`;
      }
      const rn = reg(sf, insn.rn, true);
      if (setFlags && insn.rd === 31) return `${sub ? 'cmp' : 'cmn'}\t${rn}, ${rm}${ext}`;
      return `${sub ? 'sub' : 'add'}${setFlags ? 's' : ''}\t${reg(sf, insn.rd, !setFlags)}, ${rn}, ${rm}${ext}`;
    }
    case 'adr':
      return `${insn.page ? 'adrp' : 'adr'}\t${xreg(insn.rd, false)}, ${target(pc, insn.offset, insn.page)}`;
    case 'ldst': {
      const name = insn.mode === 'unscaled' ? insn.op.replace(/^(ld|st)/, '$1u') : insn.op;
      const rt = insn.rt64 ? xreg(insn.rt, false) : wreg(insn.rt, false);
      const rn = xreg(insn.rn, true);
      return `${name}\t${rt}, ${address(rn, insn.mode, insn.offset)}`;
    }
    case 'ldrLiteral':
      return `${insn.op}\t${insn.rt64 ? xreg(insn.rt, false) : wreg(insn.rt, false)}, ${target(pc, insn.offset)}`;
    case 'ldstPair': {
      const r = (n: number) => reg(insn.sf, n, false);
      return `${insn.load ? 'ldp' : 'stp'}\t${r(insn.rt)}, ${r(insn.rt2)}, ${address(xreg(insn.rn, true), insn.mode, insn.offset)}`;
    }
    case 'branch':
      return `${insn.link ? 'bl' : 'b'}\t${target(pc, insn.offset)}`;
    case 'bcond':
      return `b.${COND_NAMES[insn.cond]}\t${target(pc, insn.offset)}`;
    case 'cbz':
      return `${insn.nz ? 'cbnz' : 'cbz'}\t${reg(insn.sf, insn.rt, false)}, ${target(pc, insn.offset)}`;
    case 'branchReg':
      if (insn.op === 'ret' && insn.rn === 30) return 'ret';
      return `${insn.op}\t${xreg(insn.rn, false)}`;
  }
  throw new A64Error(`formatInsn: unknown instruction kind '${String((insn as { kind?: unknown }).kind)}'`);
}

function address(rn: string, mode: 'offset' | 'unscaled' | 'pre' | 'post', offset: number): string {
  switch (mode) {
    case 'pre':
      return `[${rn}, #${offset}]!`;
    case 'post':
      return `[${rn}], #${offset}`;
    default:
      return offset === 0 ? `[${rn}]` : `[${rn}, #${offset}]`;
  }
}

/** @internal validates a word argument of the public API */
export function checkWord(word: unknown, fn: string): number {
  if (typeof word !== 'number' || !Number.isInteger(word) || word < -0x80000000 || word > 0xffffffff) {
    throw new A64Error(`${fn}: ${String(word)} is not a 32-bit instruction word`);
  }
  return word >>> 0;
}

/** @internal validates a pc argument of the public API */
export function checkPc(pc: unknown, fn: string): bigint {
  if (typeof pc === 'number' && Number.isSafeInteger(pc) && pc >= 0) return BigInt(pc);
  if (typeof pc === 'bigint' && pc >= 0n && pc <= MASK64) return pc;
  throw new A64Error(`${fn}: pc ${String(pc)} is not an address in [0, 2^64)`);
}

/** A bad argument to the a64 API (a word that is not 32 bits, a pc out of range): errno EINVAL. */
export class A64Error extends Error {
  override readonly name: string = 'A64Error';
  readonly errno = 'EINVAL' as const;
}

/**
 * Disassembles one instruction word in llvm-mc's syntax, with a single space after the
 * mnemonic (`bl #4096`, `stp x29, x30, [sp, #-16]!`). Without `pc`, PC-relative operands
 * print as offsets (as llvm-mc does); with `pc`, as absolute hex targets (as llvm-objdump
 * does: `bl 0x2000`). A word outside the subset prints as `.inst 0x12345678`.
 */
export function disassemble(word: number, pc?: number | bigint, options?: DisassembleOptions): string {
  const w = checkWord(word, 'disassemble');
  const at = pc === undefined ? null : checkPc(pc, 'disassemble');
  if (options?.hints !== undefined && options.hints !== 'plain' && options.hints !== 'v8.5a') {
    throw new A64Error(`disassemble: hints must be 'plain' or 'v8.5a', not '${String(options.hints)}'`);
  }
  const insn = decode(w);
  if (!insn) return `.inst 0x${w.toString(16).padStart(8, '0')}`;
  return formatInsn(insn, at, options).replace('\t', ' ');
}
