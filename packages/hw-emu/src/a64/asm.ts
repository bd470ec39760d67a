// A64 assembler for k's subset: the syntax llvm-mc accepts and prints (and most of
// GNU as for the same instructions), so that model code is written as readable
// assembly (issue 5; seed 004's entry-ftrace.S is the main customer). Two passes:
// addresses first, then encodings, so labels may be used before they are defined.
//
// Branch-like operands (B, BL, B.cond, CBZ/CBNZ, ADR, ADRP, LDR literal):
//   `#expr`      an offset from the instruction (llvm-mc: `bl #4096`);
//   `expr`       an absolute target: a label, a symbol, or a number (llvm-objdump: `bl 0x2000`).
import { decode, unpredictableChoice } from './decode';
import { encode } from './encode';
import { A64Error, checkPc, HINT_NUMBERS } from './format';
import { COND_NAMES, EXTEND_NAMES, type A64Insn, type ExtendType, type LdStOp, type ShiftType } from './insn';

/** Options of {@link assemble}. */
export interface AssembleOptions {
  /** Symbols defined outside the text (addresses of other code, constants such as S_FRAME_SIZE). */
  readonly symbols?: Readonly<Record<string, number | bigint>>;
}

/** The result of {@link assembleProgram}. */
export interface AssembledProgram {
  /** The words, in address order from `pc` (unsigned 32-bit numbers). */
  readonly words: number[];
  /** Every label and `.equ`/`.set` symbol defined by the text, with its value. */
  readonly symbols: ReadonlyMap<string, bigint>;
  /** The address of the first byte. */
  readonly pc: bigint;
}

/** An assembly error: where (1-based line) and why. errno EINVAL. */
export class A64AsmError extends A64Error {
  override readonly name: string = 'A64AsmError';
  constructor(
    readonly line: number,
    readonly source: string,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}${source ? `: ${source.trim()}` : ''}`);
  }
}

/** A failure inside one statement; becomes an A64AsmError carrying the line. */
class Bad extends Error {}

const MASK64 = (1n << 64n) - 1n;

// ---- expressions -------------------------------------------------------------

type Lookup = (name: string) => bigint | undefined;

const TOKEN = /\s*(:lo12:|0x[0-9a-f]+|0b[01]+(?![\w$])|\d+[bf](?![\w$])|\d+|[A-Za-z_.$][\w.$]*|<<|>>|[-+*/%&|^~()])/iy;

function evalExpr(src: string, lookup: Lookup): bigint {
  const toks: string[] = [];
  TOKEN.lastIndex = 0;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new Bad(`cannot read the expression '${src.trim()}'`);
    toks.push(m[1] as string);
    i = TOKEN.lastIndex;
  }
  if (toks.length === 0) throw new Bad('an expression is missing');
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const primary = (): bigint => {
    const t = next();
    if (t === undefined) throw new Bad(`the expression '${src.trim()}' ends too early`);
    if (t === '(') {
      const v = binary(0);
      if (next() !== ')') throw new Bad(`a ')' is missing in '${src.trim()}'`);
      return v;
    }
    // :lo12:expr is the low 12 bits of the whole expression (the kernel's adr_l/ldr_l: adrp + :lo12:)
    if (t === ':lo12:') return binary(1) & 0xfffn;
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '~') return ~primary();
    if (/^0x/i.test(t)) return BigInt(t);
    if (/^0b[01]+$/i.test(t)) return BigInt(t);
    if (/^\d+$/.test(t)) return BigInt(t);
    const v = lookup(t);
    if (v === undefined) throw new Bad(`undefined symbol '${t}'`);
    return v;
  };
  const PREC: Record<string, number> = { '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };
  const binary = (min: number): bigint => {
    let lhs = primary();
    for (;;) {
      const op = peek();
      const prec = op === undefined ? undefined : PREC[op];
      if (op === undefined || prec === undefined || prec < min) return lhs;
      next();
      const rhs = binary(prec + 1);
      switch (op) {
        case '|': lhs |= rhs; break;
        case '^': lhs ^= rhs; break;
        case '&': lhs &= rhs; break;
        case '<<': lhs <<= rhs; break;
        case '>>': lhs >>= rhs; break;
        case '+': lhs += rhs; break;
        case '-': lhs -= rhs; break;
        case '*': lhs *= rhs; break;
        default:
          if (rhs === 0n) throw new Bad(`division by zero in '${src.trim()}'`);
          lhs = op === '/' ? lhs / rhs : lhs % rhs;
      }
    }
  };
  const v = binary(1);
  if (p !== toks.length) throw new Bad(`unexpected '${toks[p] ?? ''}' in '${src.trim()}'`);
  return v;
}

// ---- operands ------------------------------------------------------------------

interface RegOp {
  readonly t: 'reg';
  readonly n: number;
  /** a W register (w0..w30, wzr, wsp) */
  readonly w: boolean;
  /** SP or WSP */
  readonly sp: boolean;
  /** XZR or WZR */
  readonly zr: boolean;
  readonly text: string;
}
interface ImmOp {
  readonly t: 'imm';
  readonly v: bigint;
  /** written with '#' (an offset for branch-like operands) */
  readonly hash: boolean;
  readonly text: string;
}
interface MemOp {
  readonly t: 'mem';
  readonly base: RegOp;
  readonly offset: bigint | null;
  readonly pre: boolean;
  readonly text: string;
}
interface ShiftOp {
  readonly t: 'shift';
  readonly kind: ShiftType | ExtendType | 'ror' | 'msl';
  readonly amount: bigint | null;
  readonly text: string;
}
interface WordOp {
  readonly t: 'word';
  readonly text: string;
}
type Operand = RegOp | ImmOp | MemOp | ShiftOp | WordOp;

function parseReg(s: string): RegOp | null {
  const t = s.trim().toLowerCase();
  const m = /^([xw])([0-9]|[12][0-9]|30)$/.exec(t);
  if (m) return { t: 'reg', n: Number(m[2]), w: m[1] === 'w', sp: false, zr: false, text: t };
  switch (t) {
    case 'sp':
      return { t: 'reg', n: 31, w: false, sp: true, zr: false, text: t };
    case 'wsp':
      return { t: 'reg', n: 31, w: true, sp: true, zr: false, text: t };
    case 'xzr':
      return { t: 'reg', n: 31, w: false, sp: false, zr: true, text: t };
    case 'wzr':
      return { t: 'reg', n: 31, w: true, sp: false, zr: true, text: t };
    case 'fp':
      return { t: 'reg', n: 29, w: false, sp: false, zr: false, text: t };
    case 'lr':
      return { t: 'reg', n: 30, w: false, sp: false, zr: false, text: t };
  }
  return null;
}

const SHIFT_OR_EXTEND = new Set<string>(['lsl', 'lsr', 'asr', 'ror', 'msl', ...EXTEND_NAMES]);

function parseOperand(raw: string, lookup: Lookup): Operand {
  const s = raw.trim();
  if (s === '') throw new Bad('an operand is missing');
  const reg = parseReg(s);
  if (reg) return reg;
  if (s.startsWith('[')) {
    const m = /^\[([^\],]+)(?:,([^\]]*))?\](!?)$/.exec(s);
    if (!m) throw new Bad(`cannot read the address '${s}'`);
    const base = parseReg(m[1] as string);
    if (!base || base.w || base.zr) throw new Bad(`the base register must be an X register or sp, not '${(m[1] as string).trim()}'`);
    let offset: bigint | null = null;
    if (m[2] !== undefined) {
      let o = (m[2] as string).trim();
      if (o.startsWith(':lo12:')) o = `#${o}`;
      if (!o.startsWith('#')) {
        if (parseReg(o)) throw new Bad(`register offsets are outside the subset: '${s}'`);
        throw new Bad(`the offset must be an immediate '#imm': '${s}'`);
      }
      offset = evalExpr(o.slice(1), lookup);
    }
    return { t: 'mem', base, offset, pre: m[3] === '!', text: s };
  }
  if (s.startsWith('#')) return { t: 'imm', v: evalExpr(s.slice(1), lookup), hash: true, text: s };
  const sh = /^([a-z]+)(?:\s+#?(.+))?$/i.exec(s);
  if (sh && SHIFT_OR_EXTEND.has((sh[1] as string).toLowerCase())) {
    const kind = (sh[1] as string).toLowerCase() as ShiftOp['kind'];
    return { t: 'shift', kind, amount: sh[2] === undefined ? null : evalExpr(sh[2], lookup), text: s };
  }
  if (/^[A-Za-z_.$][\w.$]*$/.test(s) && lookup(s) === undefined) return { t: 'word', text: s };
  return { t: 'imm', v: evalExpr(s, lookup), hash: false, text: s };
}

// ---- helpers for the instruction forms -------------------------------------------

function want<T extends Operand['t']>(ops: readonly Operand[], i: number, t: T, what: string): Extract<Operand, { t: T }> {
  const o = ops[i];
  if (!o) throw new Bad(`${what} is missing`);
  if (o.t !== t) {
    if (o.t === 'word' && t === 'imm') throw new Bad(`undefined symbol '${o.text}'`);
    throw new Bad(`expected ${what}, found '${o.text}'`);
  }
  return o as Extract<Operand, { t: T }>;
}
function count(ops: readonly Operand[], min: number, max: number, mn: string): void {
  if (ops.length < min || ops.length > max) {
    throw new Bad(`${mn} takes ${min === max ? min : `${min} to ${max}`} operand${max === 1 ? '' : 's'}, not ${ops.length}`);
  }
}
/** A register of the given width; `sp` whether 31 must be SP (else the zero register). */
function regOf(o: RegOp, w: boolean, sp: boolean, what: string): number {
  if (o.w !== w) throw new Bad(`${what} must be a ${w ? 'W' : 'X'} register, not '${o.text}'`);
  if (o.n === 31) {
    if (sp && o.zr) throw new Bad(`${what} cannot be the zero register here ('${o.text}')`);
    if (!sp && o.sp) throw new Bad(`${what} cannot be the stack pointer here ('${o.text}')`);
  }
  return o.n;
}
function immNum(v: bigint, lo: number, hi: number, what: string): number {
  if (v < BigInt(lo) || v > BigInt(hi)) throw new Bad(`${what} ${v} is out of range [${lo}, ${hi}]`);
  return Number(v);
}
/** Byte offset of a branch-like target from `pc` (`page` for ADRP). */
function offsetTo(o: Operand | undefined, pc: bigint, page: boolean, what: string): number {
  if (o?.t === 'word') throw new Bad(`undefined symbol '${o.text}'`);
  if (!o || o.t !== 'imm') throw new Bad(`${what} must be a label, an address or '#offset'`);
  let off: bigint;
  if (o.hash) off = o.v;
  else {
    const t = o.v & MASK64;
    off = page ? (t & ~0xfffn) - (pc & ~0xfffn) : t - pc;
    off = BigInt.asIntN(64, off);
  }
  if (off < -(1n << 40n) || off > 1n << 40n) throw new Bad(`${what} is out of range (offset ${off})`);
  return Number(off);
}

// ---- one instruction ------------------------------------------------------------

const LDST_NAMES: Readonly<Record<string, readonly [LdStOp, boolean]>> = {
  ldr: ['ldr', false], str: ['str', false], ldrb: ['ldrb', false], strb: ['strb', false], ldrh: ['ldrh', false], strh: ['strh', false],
  ldrsb: ['ldrsb', false], ldrsh: ['ldrsh', false], ldrsw: ['ldrsw', false],
  ldur: ['ldr', true], stur: ['str', true], ldurb: ['ldrb', true], sturb: ['strb', true], ldurh: ['ldrh', true], sturh: ['strh', true],
  ldursb: ['ldrsb', true], ldursh: ['ldrsh', true], ldursw: ['ldrsw', true],
};

function movImmediate(rd: RegOp, v: bigint): A64Insn {
  const sf = !rd.w;
  const width = sf ? 64 : 32;
  if (rd.sp) throw new Bad(`'mov ${rd.text}, #imm' is a logical-immediate ORR, outside the subset`);
  if (v < -(1n << BigInt(width - 1)) || v >= 1n << BigInt(width)) throw new Bad(`immediate ${v} does not fit a ${width}-bit register`);
  const u = BigInt.asUintN(width, v);
  const chunk = (x: bigint): number | null => {
    if (x === 0n) return 0;
    for (let hw = 0; hw < width / 16; hw++) if ((x & ~(0xffffn << BigInt(16 * hw))) === 0n) return hw;
    return null;
  };
  const z = chunk(u);
  if (z !== null) return { kind: 'movWide', op: 'movz', sf, rd: rd.n, imm16: Number((u >> BigInt(16 * z)) & 0xffffn), hw: z };
  const nu = BigInt.asUintN(width, ~u);
  const n = chunk(nu);
  if (n !== null) return { kind: 'movWide', op: 'movn', sf, rd: rd.n, imm16: Number((nu >> BigInt(16 * n)) & 0xffffn), hw: n };
  throw new Bad(`#${v} cannot be built by one MOVZ or MOVN (a logical-immediate MOV is outside the subset)`);
}

function addSub(mn: string, ops: readonly Operand[]): A64Insn {
  // canonical: add/adds/sub/subs rd, rn, op2 ; aliases cmp/cmn (rd = zr), neg/negs (rn = zr)
  let sub = mn.startsWith('sub') || mn.startsWith('cmp') || mn.startsWith('neg');
  const setFlags = mn.endsWith('s') || mn === 'cmp' || mn === 'cmn';
  let rdOp: RegOp;
  let rnOp: RegOp;
  let rest: readonly Operand[];
  if (mn === 'cmp' || mn === 'cmn') {
    count(ops, 2, 3, mn);
    rnOp = want(ops, 0, 'reg', 'the first operand');
    rdOp = { t: 'reg', n: 31, w: rnOp.w, sp: false, zr: true, text: rnOp.w ? 'wzr' : 'xzr' };
    rest = ops.slice(1);
  } else if (mn === 'neg' || mn === 'negs') {
    count(ops, 2, 3, mn);
    rdOp = want(ops, 0, 'reg', 'the destination');
    rnOp = { t: 'reg', n: 31, w: rdOp.w, sp: false, zr: true, text: rdOp.w ? 'wzr' : 'xzr' };
    rest = ops.slice(1);
    if (rest[0]?.t !== 'reg') throw new Bad(`${mn} takes a register operand`);
  } else {
    count(ops, 3, 4, mn);
    rdOp = want(ops, 0, 'reg', 'the destination');
    rnOp = want(ops, 1, 'reg', 'the first source');
    rest = ops.slice(2);
  }
  const sf = !rdOp.w;
  const op2 = rest[0] as Operand;
  const mod = rest[1];
  if (op2.t === 'imm') {
    let v = op2.v;
    let lsl12 = false;
    if (mod) {
      if (mod.t !== 'shift' || mod.kind !== 'lsl' || (mod.amount !== 0n && mod.amount !== 12n)) {
        throw new Bad(`the immediate may only be shifted by 'lsl #0' or 'lsl #12', not '${mod.text}'`);
      }
      lsl12 = mod.amount === 12n;
    }
    if (v < 0n && !lsl12) {
      // llvm-mc turns `add x0, x1, #-8` into `sub x0, x1, #8` (and cmp #-1 into cmn #1)
      v = -v;
      sub = !sub;
    }
    let imm12: number;
    if (lsl12) imm12 = immNum(v, 0, 4095, 'the immediate');
    else if (v <= 4095n) imm12 = Number(v);
    else if ((v & 0xfffn) === 0n && v >> 12n <= 4095n) {
      imm12 = Number(v >> 12n);
      lsl12 = true;
    } else throw new Bad(`immediate ${op2.v} cannot be encoded (12 bits, optionally shifted left by 12)`);
    const rd = regOf(rdOp, !sf, !setFlags, 'the destination');
    const rn = regOf(rnOp, !sf, true, 'the first source');
    return { kind: 'addSubImm', sf, sub, setFlags, rd, rn, imm12, lsl12 };
  }
  if (op2.t !== 'reg') throw new Bad(`expected a register or an immediate, found '${op2.text}'`);
  if (mod && mod.t !== 'shift') throw new Bad(`expected a shift or an extend, found '${mod.text}'`);
  const isExtend = mod !== undefined && EXTEND_NAMES.includes(mod.kind as ExtendType);
  const spInvolved = rdOp.sp || rnOp.sp;
  if (mod && (mod.kind === 'ror' || mod.kind === 'msl')) throw new Bad(`ADD/SUB take a shift or an extend, not '${mod.text}'`);
  if (!isExtend && !spInvolved) {
    const shift = (mod?.kind ?? 'lsl') as ShiftType;
    const amount = mod ? immNum(mod.amount ?? -1n, 0, sf ? 63 : 31, `the ${shift} amount`) : 0;
    return {
      kind: 'addSubShifted',
      sf,
      sub,
      setFlags,
      rd: regOf(rdOp, !sf, false, 'the destination'),
      rn: regOf(rnOp, !sf, false, 'the first source'),
      rm: regOf(op2, !sf, false, 'the second source'),
      shift,
      amount,
    };
  }
  let extend: ExtendType;
  if (isExtend) extend = (mod as ShiftOp).kind as ExtendType;
  else {
    if (mod && mod.kind !== 'lsl') throw new Bad(`with sp, the second source takes 'lsl #n' or an extend, not '${mod.text}'`);
    extend = sf ? 'uxtx' : 'uxtw';
  }
  const amount = mod?.amount === null || mod?.amount === undefined ? 0 : immNum(mod.amount, 0, 4, 'the extend amount');
  const rmX = sf && (extend === 'uxtx' || extend === 'sxtx');
  return {
    kind: 'addSubExtended',
    sf,
    sub,
    setFlags,
    rd: regOf(rdOp, !sf, !setFlags, 'the destination'),
    rn: regOf(rnOp, !sf, true, 'the first source'),
    rm: regOf(op2, !rmX, false, 'the second source'),
    extend,
    amount,
  };
}

function loadStore(mn: string, ops: readonly Operand[], pc: bigint): A64Insn {
  const [op, unscaledName] = LDST_NAMES[mn] as readonly [LdStOp, boolean];
  count(ops, 2, 3, mn);
  const rtOp = want(ops, 0, 'reg', 'the data register');
  if (rtOp.sp) throw new Bad(`the data register cannot be '${rtOp.text}'`);
  const rt64 = !rtOp.w;
  if ((op === 'ldrb' || op === 'strb' || op === 'ldrh' || op === 'strh') && rt64) throw new Bad(`${mn} takes a W register`);
  if (op === 'ldrsw' && !rt64) throw new Bad(`${mn} takes an X register`);
  const size = op === 'ldrsw' ? 4 : op.endsWith('b') ? 1 : op.endsWith('h') ? 2 : rt64 ? 8 : 4;
  const second = ops[1] as Operand;
  if (second.t !== 'mem') {
    if ((op === 'ldr' || op === 'ldrsw') && !unscaledName && ops.length === 2) {
      return { kind: 'ldrLiteral', op, rt64, rt: rtOp.n, offset: offsetTo(second, pc, false, 'the literal') };
    }
    throw new Bad(`expected an address '[xN, #imm]', found '${second.text}'`);
  }
  const rn = second.base.n;
  const post = ops[2];
  if (post !== undefined) {
    if (post.t !== 'imm' || !post.hash) throw new Bad(`the post-index must be '#imm', not '${post.text}'`);
    if (second.offset !== null || second.pre || unscaledName) throw new Bad(`cannot read the post-indexed address of ${mn}`);
    return { kind: 'ldst', op, rt64, mode: 'post', rt: rtOp.n, rn, offset: immNum(post.v, -256, 255, 'the post-index') };
  }
  const off = second.offset ?? 0n;
  if (second.pre) {
    if (unscaledName) throw new Bad(`${mn} has no pre-indexed form`);
    return { kind: 'ldst', op, rt64, mode: 'pre', rt: rtOp.n, rn, offset: immNum(off, -256, 255, 'the pre-index') };
  }
  if (!unscaledName && off >= 0n && off % BigInt(size) === 0n && off / BigInt(size) <= 4095n) {
    return { kind: 'ldst', op, rt64, mode: 'offset', rt: rtOp.n, rn, offset: Number(off) };
  }
  return { kind: 'ldst', op, rt64, mode: 'unscaled', rt: rtOp.n, rn, offset: immNum(off, -256, 255, 'the offset') };
}

function pair(mn: 'ldp' | 'stp', ops: readonly Operand[]): A64Insn {
  count(ops, 3, 4, mn);
  const a = want(ops, 0, 'reg', 'the first register');
  const b = want(ops, 1, 'reg', 'the second register');
  const m = want(ops, 2, 'mem', 'the address');
  const sf = !a.w;
  const rt = regOf(a, !sf, false, 'the first register');
  const rt2 = regOf(b, !sf, false, 'the second register');
  const scale = sf ? 8 : 4;
  const range = (v: bigint) => {
    if (v % BigInt(scale) !== 0n || v < BigInt(-64 * scale) || v > BigInt(63 * scale)) {
      throw new Bad(`the offset ${v} must be a multiple of ${scale} in [${-64 * scale}, ${63 * scale}]`);
    }
    return Number(v);
  };
  const post = ops[3];
  if (post !== undefined) {
    if (post.t !== 'imm' || !post.hash || m.offset !== null || m.pre) throw new Bad(`cannot read the post-indexed address of ${mn}`);
    return { kind: 'ldstPair', load: mn === 'ldp', sf, mode: 'post', rt, rt2, rn: m.base.n, offset: range(post.v) };
  }
  return { kind: 'ldstPair', load: mn === 'ldp', sf, mode: m.pre ? 'pre' : 'offset', rt, rt2, rn: m.base.n, offset: range(m.offset ?? 0n) };
}

const COND_ALIASES: Readonly<Record<string, number>> = { cs: 2, cc: 3 };

function instruction(mnRaw: string, ops: readonly Operand[], pc: bigint): A64Insn {
  const mn = mnRaw.toLowerCase();
  // hints, by name (with their operand: bti c, psb csync)
  const hintKey = ops.length === 1 && ops[0]?.t === 'word' ? `${mn} ${ops[0].text.toLowerCase()}` : ops.length === 0 ? mn : null;
  if (hintKey !== null && HINT_NUMBERS.has(hintKey)) return { kind: 'hint', imm: HINT_NUMBERS.get(hintKey) as number };
  switch (mn) {
    case 'hint':
      count(ops, 1, 1, mn);
      return { kind: 'hint', imm: immNum(want(ops, 0, 'imm', 'the hint number').v, 0, 127, 'the hint number') };
    case 'isb': {
      count(ops, 0, 1, mn);
      const o = ops[0];
      if (o === undefined || (o.t === 'word' && o.text.toLowerCase() === 'sy')) return { kind: 'isb', crm: 15 };
      return { kind: 'isb', crm: immNum(want(ops, 0, 'imm', 'the option').v, 0, 15, 'the option') };
    }
    case 'udf':
    case 'brk':
    case 'hlt':
      count(ops, 1, 1, mn);
      return { kind: mn, imm: immNum(want(ops, 0, 'imm', 'the immediate').v, 0, 0xffff, 'the immediate') };
    case 'mov': {
      count(ops, 2, 2, mn);
      const rd = want(ops, 0, 'reg', 'the destination');
      const src = ops[1] as Operand;
      if (src.t === 'imm') return movImmediate(rd, src.v);
      if (src.t !== 'reg') throw new Bad(`expected a register or '#imm', found '${src.text}'`);
      const sf = !rd.w;
      if (rd.sp || src.sp) {
        return { kind: 'addSubImm', sf, sub: false, setFlags: false, rd: regOf(rd, !sf, true, 'the destination'), rn: regOf(src, !sf, true, 'the source'), imm12: 0, lsl12: false };
      }
      return { kind: 'movReg', sf, rd: regOf(rd, !sf, false, 'the destination'), rm: regOf(src, !sf, false, 'the source') };
    }
    case 'movz':
    case 'movn':
    case 'movk': {
      count(ops, 2, 3, mn);
      const rd = want(ops, 0, 'reg', 'the destination');
      const sf = !rd.w;
      const v = want(ops, 1, 'imm', 'the immediate').v;
      let hw = 0;
      const sh = ops[2];
      if (sh !== undefined) {
        if (sh.t !== 'shift' || sh.kind !== 'lsl' || sh.amount === null || sh.amount % 16n !== 0n) {
          throw new Bad(`the shift must be 'lsl #0', '#16', '#32' or '#48', not '${sh.text}'`);
        }
        hw = immNum(sh.amount / 16n, 0, sf ? 3 : 1, 'the shift / 16');
      }
      return { kind: 'movWide', op: mn, sf, rd: regOf(rd, !sf, false, 'the destination'), imm16: immNum(v, 0, 0xffff, 'the immediate'), hw };
    }
    case 'add':
    case 'adds':
    case 'sub':
    case 'subs':
    case 'cmp':
    case 'cmn':
    case 'neg':
    case 'negs':
      return addSub(mn, ops);
    case 'adr':
    case 'adrp': {
      count(ops, 2, 2, mn);
      const rd = want(ops, 0, 'reg', 'the destination');
      return { kind: 'adr', page: mn === 'adrp', rd: regOf(rd, false, false, 'the destination'), offset: offsetTo(ops[1], pc, mn === 'adrp', 'the target') };
    }
    case 'ldp':
    case 'stp':
      return pair(mn, ops);
    case 'b':
    case 'bl':
      count(ops, 1, 1, mn);
      return { kind: 'branch', link: mn === 'bl', offset: offsetTo(ops[0], pc, false, 'the target') };
    case 'cbz':
    case 'cbnz': {
      count(ops, 2, 2, mn);
      const rt = want(ops, 0, 'reg', 'the register');
      return { kind: 'cbz', nz: mn === 'cbnz', sf: !rt.w, rt: regOf(rt, rt.w, false, 'the register'), offset: offsetTo(ops[1], pc, false, 'the target') };
    }
    case 'br':
    case 'blr':
    case 'ret': {
      count(ops, mn === 'ret' ? 0 : 1, 1, mn);
      const rn = ops[0] === undefined ? 30 : regOf(want(ops, 0, 'reg', 'the register'), false, false, 'the register');
      return { kind: 'branchReg', op: mn, rn };
    }
  }
  if (mn in LDST_NAMES) return loadStore(mn, ops, pc);
  const bc = /^b\.([a-z]{2})$/.exec(mn);
  if (bc) {
    const c = COND_NAMES.indexOf(bc[1] as (typeof COND_NAMES)[number]);
    const cond = c >= 0 ? c : COND_ALIASES[bc[1] as string];
    if (cond === undefined) throw new Bad(`unknown condition '${bc[1]}'`);
    count(ops, 1, 1, mn);
    return { kind: 'bcond', cond, offset: offsetTo(ops[0], pc, false, 'the target') };
  }
  throw new Bad(`'${mnRaw}' is not an instruction of the subset`);
}

// ---- statements and passes --------------------------------------------------------

interface Stmt {
  readonly line: number;
  readonly source: string;
  readonly mn: string;
  readonly args: string;
  addr: bigint;
  /** index among statements, for local labels */
  readonly index: number;
}

function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || out.length) out.push(cur);
  return out.map((x) => x.trim());
}

const LABEL = /^\s*([A-Za-z_.$][\w.$]*|\d+)\s*:/;
const IGNORED = new Set(['.text', '.globl', '.global', '.type', '.size', '.local', '.weak', '.hidden', '.cfi_startproc', '.cfi_endproc']);

/**
 * Assembles `text` placed at `pc` (default 0) and returns the words and the symbols.
 * Throws A64AsmError (with the line) on any error.
 */
export function assembleProgram(text: string, pc: number | bigint = 0, options: AssembleOptions = {}): AssembledProgram {
  if (typeof text !== 'string') throw new A64Error('assemble: text must be a string');
  const origin = checkPc(pc, 'assemble');
  const external = new Map<string, bigint>();
  for (const [k, v] of Object.entries(options.symbols ?? {})) {
    if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isSafeInteger(v))) throw new A64Error(`assemble: symbol '${k}' is not an integer`);
    external.set(k, BigInt(v));
  }
  const labels = new Map<string, bigint>();
  const equs = new Map<string, { expr: string; line: number; source: string }>();
  const locals = new Map<string, { index: number; addr: bigint }[]>();
  const stmts: Stmt[] = [];

  // split into statements, collecting labels
  const lines = text.split(/\r?\n/);
  let index = 0;
  lines.forEach((rawLine, i) => {
    const noComment = rawLine.replace(/\/\/.*$/, '');
    for (let piece of noComment.split(';')) {
      for (;;) {
        const m = LABEL.exec(piece);
        if (!m) break;
        stmts.push({ line: i + 1, source: rawLine, mn: ':', args: m[1] as string, addr: 0n, index: index++ });
        piece = piece.slice(m[0].length);
      }
      const t = piece.trim();
      if (t === '') continue;
      const sp = /^(\S+)\s*(.*)$/.exec(t) as RegExpExecArray;
      stmts.push({ line: i + 1, source: rawLine, mn: sp[1] as string, args: sp[2] as string, addr: 0n, index: index++ });
    }
  });

  const fail = (st: Stmt, e: unknown): never => {
    if (e instanceof Bad) throw new A64AsmError(st.line, st.source, e.message);
    throw e;
  };
  const resolving = new Set<string>();
  const lookupAt =
    (st: Stmt, dot: bigint): Lookup =>
    (name) => {
      if (name === '.') return dot;
      const local = /^(\d+)([bf])$/.exec(name);
      if (local) {
        const defs = locals.get(local[1] as string) ?? [];
        const hit = local[2] === 'b' ? [...defs].reverse().find((d) => d.index < st.index) : defs.find((d) => d.index > st.index);
        return hit?.addr;
      }
      const l = labels.get(name);
      if (l !== undefined) return l;
      const e = equs.get(name);
      if (e !== undefined) {
        if (resolving.has(name)) throw new Bad(`the symbol '${name}' is defined in terms of itself`);
        resolving.add(name);
        try {
          return evalExpr(e.expr, lookupAt(st, dot));
        } finally {
          resolving.delete(name);
        }
      }
      return external.get(name);
    };

  // pass 1: addresses
  let addr = origin;
  for (const st of stmts) {
    st.addr = addr;
    try {
      if (st.mn === ':') {
        const name = st.args;
        if (/^\d+$/.test(name)) {
          const list = locals.get(name) ?? [];
          list.push({ index: st.index, addr });
          locals.set(name, list);
        } else {
          if (labels.has(name) || equs.has(name)) throw new Bad(`the label '${name}' is defined twice`);
          labels.set(name, addr);
        }
        continue;
      }
      const d = st.mn.toLowerCase();
      if (!d.startsWith('.')) {
        if ((addr - origin) % 4n !== 0n) throw new Bad('an instruction must start on a 4-byte boundary (add .balign 4)');
        addr += 4n;
        continue;
      }
      const args = splitOperands(st.args);
      switch (d) {
        case '.word':
        case '.inst':
        case '.long':
        case '.4byte':
          addr += 4n * BigInt(args.length);
          break;
        case '.quad':
        case '.xword':
        case '.dword':
        case '.8byte':
          addr += 8n * BigInt(args.length);
          break;
        case '.hword':
        case '.short':
        case '.2byte':
          addr += 2n * BigInt(args.length);
          break;
        case '.byte':
          addr += BigInt(args.length);
          break;
        case '.space':
        case '.skip':
        case '.zero': {
          const n = evalExpr(args[0] ?? '', lookupAt(st, addr));
          if (n < 0n || n > 1n << 28n) throw new Bad(`bad size ${n}`);
          addr += n;
          break;
        }
        case '.align':
        case '.p2align':
        case '.balign': {
          const v = evalExpr(args[0] ?? '', lookupAt(st, addr));
          const align = d === '.balign' ? v : 1n << v;
          if (v < 0n || align <= 0n || align > 1n << 16n || (align & (align - 1n)) !== 0n) throw new Bad(`bad alignment ${v}`);
          addr = (addr + align - 1n) & ~(align - 1n);
          break;
        }
        case '.equ':
        case '.set': {
          const [name, ...expr] = args;
          if (!name || !/^[A-Za-z_.$][\w.$]*$/.test(name) || expr.length !== 1) throw new Bad(`${d} takes a name and an expression`);
          if (labels.has(name)) throw new Bad(`the symbol '${name}' is already a label`);
          equs.set(name, { expr: expr[0] as string, line: st.line, source: st.source });
          break;
        }
        default:
          if (!IGNORED.has(d)) throw new Bad(`unknown directive '${st.mn}'`);
      }
    } catch (e) {
      fail(st, e);
    }
  }

  // pass 2: bytes
  const size = Number(addr - origin);
  const bytes = new Uint8Array((size + 3) & ~3);
  const dv = new DataView(bytes.buffer);
  for (const st of stmts) {
    if (st.mn === ':') continue;
    const at = Number(st.addr - origin);
    const lookup = lookupAt(st, st.addr);
    try {
      const d = st.mn.toLowerCase();
      if (d.startsWith('.')) {
        const args = splitOperands(st.args);
        const put = (width: number, signedMin: bigint) => {
          args.forEach((a, k) => {
            const v = evalExpr(a, lookup);
            if (v < signedMin || v >= 1n << BigInt(width * 8)) throw new Bad(`${v} does not fit ${width} byte${width > 1 ? 's' : ''}`);
            const u = BigInt.asUintN(width * 8, v);
            for (let b = 0; b < width; b++) bytes[at + k * width + b] = Number((u >> BigInt(8 * b)) & 0xffn);
          });
        };
        if (d === '.word' || d === '.inst' || d === '.long' || d === '.4byte') put(4, -(1n << 31n));
        else if (d === '.quad' || d === '.xword' || d === '.dword' || d === '.8byte') put(8, -(1n << 63n));
        else if (d === '.hword' || d === '.short' || d === '.2byte') put(2, -(1n << 15n));
        else if (d === '.byte') put(1, -128n);
        else if (d === '.align' || d === '.p2align' || d === '.balign') {
          // code alignment pads with NOPs (as GNU as does in .text)
          const end = Number((stmts[stmts.indexOf(st) + 1]?.addr ?? addr) - origin);
          for (let o = at; o + 4 <= end; o += 4) if ((o & 3) === 0) dv.setUint32(o, 0xd503201f, true);
        }
        continue;
      }
      const ops = splitOperands(st.args).map((o) => parseOperand(o, lookup));
      const insn = instruction(st.mn, ops, st.addr);
      // llvm-mc refuses the CONSTRAINED UNPREDICTABLE register overlaps; so do we
      if (unpredictableChoice(insn) !== null) throw new Bad('unpredictable: the writeback base is also a data register, or LDP loads one register twice');
      const word = encode(insn);
      if (decode(word) === null) throw new Bad('the operands give an encoding outside the subset');
      dv.setUint32(at, word, true);
    } catch (e) {
      if (e instanceof A64Error && !(e instanceof A64AsmError)) fail(st, new Bad(e.message.replace(/^encode: /, '')));
      fail(st, e);
    }
  }
  const words: number[] = [];
  for (let o = 0; o < bytes.length; o += 4) words.push(dv.getUint32(o, true));
  const symbols = new Map<string, bigint>(labels);
  for (const [name, e] of equs) {
    try {
      symbols.set(name, evalExpr(e.expr, lookupAt({ line: e.line, source: e.source, mn: '.equ', args: '', addr: origin, index: Infinity }, origin)));
    } catch (err) {
      if (err instanceof Bad) throw new A64AsmError(e.line, e.source, err.message);
      throw err;
    }
  }
  return { words, symbols, pc: origin };
}

/**
 * Assembles `text` (one or more lines; labels, `//` comments, `;` separators,
 * `.word`/`.quad`/`.align`/`.equ` directives) placed at `pc` (default 0) and returns
 * its 32-bit words. Throws A64AsmError with the line number on an error.
 *
 * @example
 * assemble('mov x9, x30\nbl #4096');   // => [0xaa1e03e9, 0x94000400]
 * assemble('b 0x2000', 0x1000);         // => [0x14000400] (an absolute target)
 */
export function assemble(text: string, pc?: number | bigint, options?: AssembleOptions): number[] {
  return assembleProgram(text, pc, options).words;
}
