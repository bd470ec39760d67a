// An AArch64 core for k's instruction subset (issue 5; seed 004 runs its
// patched kernel text on it). Architecture: Arm ARM DDI 0487 -- X0-X30, SP, PC,
// PSTATE.NZCV (B1.2), the SP/ZR meaning of register 31 per operand (C1.2.5),
// AddWithCarry for the flags (J1 shared pseudocode), little-endian data and
// instruction fetch from the shared guest-physical address space, so a store that
// patches text is seen by the next fetch of any core (decoded instructions are
// cached per address and revalidated against the fetched word every time).
//
// Speed: run(n) is one loop over a predecoded cache with the PC, the flags and
// the current code page in locals; loads and stores hit a "window" of the last
// region used, clipped so that it never covers an address the caller declared as
// shared (the core stops before those) or a range watched for writes.
import { AddressSpace, joinAddr } from '../mem/address-space';
import type { Addr, MemRegion } from '../mem/address-space';
import { makeFault, type MemFault } from '../mem/fault';
import { decode, unpredictableChoice } from './decode';
import { A64Error } from './format';

/**
 * BRK immediates reserved for host calls: `brk #0x6b00` to `brk #0x6bff` ("k" = 0x6b).
 * The low byte is the call number. Linux uses none of them (its BRK immediates are
 * 0x004-0x007, 0x100, 0x400-0x401, 0x800, 0x900-0x9ff, 0x5500-0x55ff, 0x8000-0x83ff).
 */
export const HOSTCALL_BRK_BASE = 0x6b00;

/** Why `run`/`step` returned. `pc` is the address of the instruction concerned. */
export type StopReason =
  /** The instruction budget is spent; the core is ready to continue. */
  | { readonly kind: 'budget' }
  /** BRK #imm (not a host call). The PC stays on the BRK, as the exception would report it. */
  | { readonly kind: 'brk'; readonly imm: number; readonly pc: bigint }
  /** BRK #(0x6b00 + nr) with no inline handler. The PC is already past the BRK. */
  | { readonly kind: 'hostcall'; readonly nr: number; readonly pc: bigint }
  /** An instruction outside the subset (or a CONSTRAINED UNPREDICTABLE form k makes UNDEFINED). The PC stays on it. */
  | { readonly kind: 'undefined'; readonly word: number; readonly pc: bigint; readonly unpredictable: boolean }
  /** A fetch, load or store the address space refused. The PC stays on the instruction; nothing was written. */
  | { readonly kind: 'fault'; readonly fault: MemFault; readonly pc: bigint }
  /** A misaligned PC (fetch) or a load/store based on a misaligned SP (SCTLR.SA checking). */
  | { readonly kind: 'alignment'; readonly what: 'pc' | 'sp'; readonly addr: bigint; readonly pc: bigint }
  /**
   * The instruction at `pc` is about to access a range declared shared ({@link A64Core.share}).
   * Nothing has happened yet; the next `run`/`step` performs this instruction without stopping again.
   */
  | { readonly kind: 'shared'; readonly access: 'read' | 'write' | 'execute'; readonly addr: bigint; readonly size: number; readonly pc: bigint }
  /** WFI (PC past it), HLT #imm (PC on it), or a halt requested by the host. */
  | { readonly kind: 'halt'; readonly cause: 'wfi' | 'hlt' | 'request'; readonly imm: number; readonly pc: bigint };

/** Kinds of {@link StopReason}. */
export type StopKind = StopReason['kind'];

/** An inline host-call handler. Returning `'stop'` ends `run` with a `hostcall` stop after it. */
export type HostCallHandler = (core: A64Core, nr: number) => void | 'stop';

/** Options of a core. */
export interface A64CoreOptions {
  /** A name for faults and write watchers ("cpu1"); default `cpu<n>`. */
  readonly id?: string;
  /** Check SP alignment for SP-based loads and stores (SCTLR_ELx.SA, set by Linux). Default true. */
  readonly spAlignmentCheck?: boolean;
}

/** Register snapshot. */
export interface A64Registers {
  /** X0..X30 as unsigned 64-bit values. */
  readonly x: readonly bigint[];
  readonly sp: bigint;
  readonly pc: bigint;
  /** N<<3 | Z<<2 | C<<1 | V. */
  readonly nzcv: number;
}

const BUDGET: StopReason = Object.freeze({ kind: 'budget' as const });

// register file slots (lo at 2n, hi at 2n+1)
const SP = 62;
const ZR_READ = 64;
const ZR_WRITE = 66;

// predecoded operations
const OP_UDF = 1;
const OP_NOP = 2;
const OP_WFI = 3;
const OP_BRK = 4;
const OP_HOSTCALL = 5;
const OP_HLT = 6;
const OP_MOVI = 7;
const OP_MOVK = 8;
const OP_MOV64 = 9;
const OP_MOV32 = 10;
const OP_ADDI64 = 11;
const OP_ADDI32 = 12;
const OP_ADDSI64 = 13;
const OP_ADDSI32 = 14;
const OP_ADDR64 = 15;
const OP_SUBR64 = 16;
const OP_ADDR32 = 17;
const OP_SUBR32 = 18;
const OP_ALU64 = 19;
const OP_ALU32 = 20;
const OP_LDR = 21;
const OP_STR = 22;
const OP_LDRLIT = 23;
const OP_LDP = 24;
const OP_STP = 25;
const OP_B = 26;
const OP_BL = 27;
const OP_BCOND = 28;
const OP_CBZ = 29;
const OP_BR = 30;
const OP_BLR = 31;

const CHUNK = 1 << 16;
const PAGE_SHIFT = 16;
const PAGE_BYTES = 1 << PAGE_SHIFT;
const PAGE_WORDS = PAGE_BYTES >> 2;

/** Decoded instructions of one 64 KiB page of a region; `w` holds the word each entry was decoded from. */
class CodePage {
  readonly w = new Int32Array(PAGE_WORDS);
  readonly op = new Int32Array(PAGE_WORDS);
  readonly a = new Int32Array(PAGE_WORDS);
  readonly b = new Int32Array(PAGE_WORDS);
  readonly c = new Int32Array(PAGE_WORDS);
  readonly d = new Int32Array(PAGE_WORDS);
  readonly e = new Int32Array(PAGE_WORDS);
}
const EMPTY_PAGE = new CodePage();

/** A code window: the part of one decode-cache page the fast path may fetch from. */
interface CodeWindow {
  readonly hi: number;
  readonly lo: number;
  readonly len: number;
  readonly base: number;
  readonly pb: number;
  readonly mem: Int32Array;
  readonly page: CodePage;
}
const RECENT_WINDOWS = 8;

function pagesOf(r: MemRegion): (CodePage | undefined)[] {
  let p = r.execCache as (CodePage | undefined)[] | undefined;
  if (!p) {
    p = [];
    r.execCache = p;
  }
  return p;
}

interface SharedRange {
  readonly start: bigint;
  readonly end: bigint;
  /** start and end as unsigned 32-bit halves, for the checks on the slow path */
  readonly sHi: number;
  readonly sLo: number;
  readonly eHi: number;
  readonly eLo: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

function slot(n: number, sp: boolean, dst: boolean): number {
  return n < 31 ? n << 1 : sp ? SP : dst ? ZR_WRITE : ZR_READ;
}

let coreCounter = 0;

/**
 * One AArch64 core. Several cores may share an {@link AddressSpace}; each has its own
 * registers. Drive it with {@link A64Core.run} (fast) or {@link A64Core.step}.
 *
 * @example
 * const space = new AddressSpace();
 * space.ram('text', 0x1000, 0x1000);
 * space.writeBytes(0x1000, new Uint8Array(new Uint32Array(a64.assemble('mov x0, #42\nbrk #1')).buffer));
 * const cpu = new A64Core(space);
 * cpu.pc = 0x1000n;
 * cpu.run(100);   // => { kind: 'brk', imm: 1, pc: 4100n }
 * cpu.getX(0);    // => 42n
 */
export class A64Core {
  readonly space: AddressSpace;
  readonly id: string;
  /** Instructions executed so far (completed ones). */
  insnCount = 0;

  /** @internal X0-X30, SP, then the zero register and a write sink. */
  readonly r = new Int32Array(68);
  private pcLo = 0;
  private pcHi = 0;
  private fn = 0;
  private fz = 0;
  private fc = 0;
  private fv = 0;
  private readonly spCheck: boolean;
  private running = false;
  private haltRequested = false;
  private ackPending = false;
  private allowShared = false;
  private cAckWindow = false;
  private readonly sharedRanges: SharedRange[] = [];
  private readonly hostCalls: (HostCallHandler | undefined)[] = [];
  private gen = -1;
  private dataGen = -1;

  // code window
  private cHi = 0;
  private cLo = 0;
  private cLen = 0;
  private cBase = 0;
  private cPB = 0;
  private cMem: Int32Array = new Int32Array(0);
  private cPage: CodePage = EMPTY_PAGE;
  /** the last code windows, so that calls between pages (a function and its trampoline) stay cheap */
  private readonly recent: CodeWindow[] = [];
  private recentNext = 0;
  // read window
  private rdHi = 0;
  private rdLo = 0;
  private rdLen = 0;
  private rdOff = 0;
  private rdI32: Int32Array = new Int32Array(0);
  private rdU8: Uint8Array = new Uint8Array(0);
  private rdDv: DataView = new DataView(new ArrayBuffer(0));
  // write window
  private wrHi = 0;
  private wrLo = 0;
  private wrLen = 0;
  private wrOff = 0;
  private wrI32: Int32Array = new Int32Array(0);
  private wrU8: Uint8Array = new Uint8Array(0);
  private wrDv: DataView = new DataView(new ArrayBuffer(0));
  // slow-path results
  private t0 = 0;
  private t1 = 0;
  private t2 = 0;
  private t3 = 0;
  private stopReason: StopReason = BUDGET;
  // generic ALU flags result
  private aN = 0;
  private aZ = 0;
  private aC = 0;
  private aV = 0;

  constructor(space: AddressSpace, options: A64CoreOptions = {}) {
    if (!(space instanceof AddressSpace)) throw new A64Error('A64Core: space must be an AddressSpace');
    if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) throw new A64Error('A64Core: id must be a non-empty string');
    if (options.spAlignmentCheck !== undefined && typeof options.spAlignmentCheck !== 'boolean') throw new A64Error('A64Core: spAlignmentCheck must be a boolean');
    this.space = space;
    this.id = options.id ?? `cpu${coreCounter++}`;
    this.spCheck = options.spAlignmentCheck ?? true;
  }

  // ---- registers -------------------------------------------------------------

  /** X register n (0..30) as an unsigned 64-bit bigint. */
  getX(n: number): bigint {
    const i = this.xIndex(n, 'getX');
    return joinAddr(this.r[i + 1] as number, this.r[i] as number);
  }
  /** Sets X register n (0..30); numbers must be safe integers, negative values are two's complement. */
  setX(n: number, value: bigint | number): void {
    const i = this.xIndex(n, 'setX');
    const [lo, hi] = split64(value, 'setX');
    this.r[i] = lo;
    this.r[i + 1] = hi;
  }
  /** W register n (0..30): the low 32 bits, unsigned. */
  getW(n: number): number {
    return (this.r[this.xIndex(n, 'getW')] as number) >>> 0;
  }
  /** Sets W register n (0..30), zeroing the upper 32 bits as a W write does. */
  setW(n: number, value: number): void {
    const i = this.xIndex(n, 'setW');
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) throw new A64Error(`setW: ${String(value)} is not a 32-bit value`);
    this.r[i] = value | 0;
    this.r[i + 1] = 0;
  }
  /** The stack pointer. */
  get sp(): bigint {
    return joinAddr(this.r[SP + 1] as number, this.r[SP] as number);
  }
  set sp(value: bigint | number) {
    const [lo, hi] = split64(value, 'sp');
    this.r[SP] = lo;
    this.r[SP + 1] = hi;
  }
  /** The program counter. */
  get pc(): bigint {
    return joinAddr(this.pcHi, this.pcLo);
  }
  set pc(value: bigint | number) {
    const [lo, hi] = split64(value, 'pc');
    this.pcLo = lo;
    this.pcHi = hi;
    // a misaligned PC must meet the fetch check of the slow path
    this.cLen = 0;
  }
  /** PSTATE.NZCV as N<<3 | Z<<2 | C<<1 | V. */
  get nzcv(): number {
    return (this.fn << 3) | (this.fz << 2) | (this.fc << 1) | this.fv;
  }
  set nzcv(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > 15) throw new A64Error(`nzcv: ${String(value)} is not in [0, 15]`);
    this.fn = (value >> 3) & 1;
    this.fz = (value >> 2) & 1;
    this.fc = (value >> 1) & 1;
    this.fv = value & 1;
  }
  /** A snapshot of X0-X30, SP, PC and NZCV. */
  registers(): A64Registers {
    const x: bigint[] = [];
    for (let n = 0; n < 31; n++) x.push(this.getX(n));
    return { x, sp: this.sp, pc: this.pc, nzcv: this.nzcv };
  }

  // ---- control ------------------------------------------------------------------

  /**
   * Declares [base, base + size) shared: the core stops (reason `shared`) before any
   * access of the given kinds to it (default: all three), so a caller can make each
   * such access a yield point. Returns the function that removes the declaration.
   */
  share(base: Addr, size: number, access: { readonly read?: boolean; readonly write?: boolean; readonly execute?: boolean } = {}): () => void {
    const start = typeof base === 'bigint' ? base : typeof base === 'number' && Number.isSafeInteger(base) && base >= 0 ? BigInt(base) : -1n;
    if (start < 0n || start >= 1n << 64n) throw new A64Error('share: base is not an address in [0, 2^64)');
    if (!Number.isSafeInteger(size) || size <= 0) throw new A64Error('share: size must be a positive integer');
    const all = access.read === undefined && access.write === undefined && access.execute === undefined;
    const end = start + BigInt(size);
    const range: SharedRange = {
      start,
      end,
      sHi: Number(start >> 32n),
      sLo: Number(start & 0xffffffffn),
      eHi: Number(end >> 32n),
      eLo: Number(end & 0xffffffffn),
      read: all || access.read === true,
      write: all || access.write === true,
      execute: all || access.execute === true,
    };
    this.sharedRanges.push(range);
    this.flushWindows();
    return () => {
      const i = this.sharedRanges.indexOf(range);
      if (i >= 0) {
        this.sharedRanges.splice(i, 1);
        this.flushWindows();
      }
    };
  }

  /** Installs (or removes, with undefined) an inline handler for host call `nr` (0..255). */
  setHostCall(nr: number, handler: HostCallHandler | undefined): void {
    if (!Number.isInteger(nr) || nr < 0 || nr > 255) throw new A64Error(`setHostCall: ${String(nr)} is not a host call number in [0, 255]`);
    if (handler !== undefined && typeof handler !== 'function') throw new A64Error('setHostCall: handler must be a function');
    this.hostCalls[nr] = handler;
  }

  /** Asks the core to stop: the next `run`/`step` returns a `halt` (cause `request`) until {@link A64Core.resume}. */
  requestHalt(): void {
    this.haltRequested = true;
  }
  /** Clears a requested halt. */
  resume(): void {
    this.haltRequested = false;
  }

  /** Executes one instruction (or reports why it cannot). */
  step(): StopReason {
    return this.run(1);
  }

  /**
   * Executes up to `maxInsns` instructions and returns why it stopped: `budget` when
   * all were executed, otherwise the first stop (the stopping instruction is not counted,
   * except WFI and host calls, which complete).
   */
  run(maxInsns: number): StopReason {
    if (!Number.isSafeInteger(maxInsns) || maxInsns < 0) throw new A64Error(`run: ${String(maxInsns)} is not a non-negative integer`);
    if (this.running) throw new A64Error('run: the core is already running (a host call may not re-enter it)');
    if (this.haltRequested) return { kind: 'halt', cause: 'request', imm: 0, pc: this.pc };
    if (maxInsns === 0) return BUDGET;
    if (this.space.generation !== this.gen) this.flushWindows();
    this.running = true;
    try {
      let budget = maxInsns;
      if (this.ackPending) {
        // the acknowledged instruction runs once past the shared check; the fast windows
        // never cover a shared range, so only a one-instruction code window needs dropping
        this.ackPending = false;
        this.allowShared = true;
        const s = this.exec(1);
        this.allowShared = false;
        if (this.cAckWindow) {
          this.cAckWindow = false;
          this.cLen = 0;
        }
        if (s !== BUDGET) return s;
        budget--;
        if (budget === 0) return BUDGET;
      }
      // Chunks keep exec() entered often, so V8 optimizes its entry and not only its
      // loop (on-stack replacement): step() then runs optimized code too.
      for (;;) {
        const chunk = budget > CHUNK ? CHUNK : budget;
        const s = this.exec(chunk);
        budget -= chunk;
        if (s !== BUDGET || budget === 0) return s;
      }
    } finally {
      this.running = false;
    }
  }

  // ---- internals ------------------------------------------------------------------

  private xIndex(n: number, fn: string): number {
    if (!Number.isInteger(n) || n < 0 || n > 30) throw new A64Error(`${fn}: ${String(n)} is not an X register number in [0, 30] (use sp for 31)`);
    return n << 1;
  }

  private flushWindows(): void {
    this.cLen = 0;
    this.recent.length = 0;
    this.gen = this.space.generation;
    this.flushDataWindows();
  }

  private flushDataWindows(): void {
    this.rdLen = 0;
    this.wrLen = 0;
    this.dataGen = this.space.generation;
  }

  private exec(max: number): StopReason {
    const r = this.r;
    const spCheck = this.spCheck;
    let pcLo = this.pcLo | 0;
    let pcHi = this.pcHi | 0;
    let fn = this.fn;
    let fz = this.fz;
    let fc = this.fc;
    let fv = this.fv;
    let cHi = this.cHi;
    let cLo = this.cLo;
    let cLen = this.cLen;
    let cBase = this.cBase;
    let cPB = this.cPB;
    let mem = this.cMem;
    let page = this.cPage;
    let pw = page.w;
    let pop = page.op;
    let pa = page.a;
    let pb = page.b;
    let pcc = page.c;
    let pd = page.d;
    let pe = page.e;
    let n = 0;
    let stop: StopReason = BUDGET;

    outer: while (n < max) {
      let off = (pcLo - cLo) >>> 0;
      if (pcHi !== cHi || off >= cLen) {
        this.pcLo = pcLo;
        this.pcHi = pcHi;
        if (this.codeWindow() !== 0) {
          stop = this.stopReason;
          break;
        }
        cHi = this.cHi;
        cLo = this.cLo;
        cLen = this.cLen;
        cBase = this.cBase;
        cPB = this.cPB;
        mem = this.cMem;
        page = this.cPage;
        pw = page.w;
        pop = page.op;
        pa = page.a;
        pb = page.b;
        pcc = page.c;
        pd = page.d;
        pe = page.e;
        off = (pcLo - cLo) >>> 0;
      }
      const wi = off >>> 2;
      const word = mem[cBase + wi] as number;
      const i = cPB + wi;
      let op = pop[i] as number;
      if (op === 0 || pw[i] !== word) op = fill(page, i, word, pcLo, pcHi);

      switch (op) {
        case OP_NOP:
          break;
        case OP_MOVI: {
          const a = pa[i] as number;
          r[a] = pd[i] as number;
          r[a + 1] = pe[i] as number;
          break;
        }
        case OP_MOVK: {
          const a = (pa[i] as number) + ((pcc[i] as number) === 2 ? 1 : 0);
          r[a] = ((r[a] as number) & (pb[i] as number)) | (pd[i] as number);
          if ((pcc[i] as number) === 1) r[a + 1] = 0;
          break;
        }
        case OP_MOV64: {
          const a = pa[i] as number;
          const b = pb[i] as number;
          r[a] = r[b] as number;
          r[a + 1] = r[b + 1] as number;
          break;
        }
        case OP_MOV32: {
          const a = pa[i] as number;
          r[a] = r[pb[i] as number] as number;
          r[a + 1] = 0;
          break;
        }
        case OP_ADDI64: {
          const a = pa[i] as number;
          const b = pb[i] as number;
          const lo = ((r[b] as number) >>> 0) + ((pd[i] as number) >>> 0);
          r[a + 1] = ((r[b + 1] as number) + (pe[i] as number) + (lo > 0xffffffff ? 1 : 0)) | 0;
          r[a] = lo | 0;
          break;
        }
        case OP_ADDI32: {
          const a = pa[i] as number;
          r[a] = ((r[pb[i] as number] as number) + (pd[i] as number)) | 0;
          r[a + 1] = 0;
          break;
        }
        case OP_ADDSI64: {
          const a = pa[i] as number;
          const b = pb[i] as number;
          const ahi = r[b + 1] as number;
          const bhi = pe[i] as number;
          const lo = ((r[b] as number) >>> 0) + ((pd[i] as number) >>> 0) + (pcc[i] as number);
          const hi = (ahi >>> 0) + (bhi >>> 0) + (lo > 0xffffffff ? 1 : 0);
          const rlo = lo | 0;
          const rhi = hi | 0;
          fn = rhi >>> 31;
          fz = (rlo | rhi) === 0 ? 1 : 0;
          fc = hi > 0xffffffff ? 1 : 0;
          fv = (~(ahi ^ bhi) & (ahi ^ rhi)) >>> 31;
          r[a] = rlo;
          r[a + 1] = rhi;
          break;
        }
        case OP_ADDSI32: {
          const a = pa[i] as number;
          const x = r[pb[i] as number] as number;
          const y = pd[i] as number;
          const s = (x >>> 0) + (y >>> 0) + (pcc[i] as number);
          const res = s | 0;
          fn = res >>> 31;
          fz = res === 0 ? 1 : 0;
          fc = s > 0xffffffff ? 1 : 0;
          fv = (~(x ^ y) & (x ^ res)) >>> 31;
          r[a] = res;
          r[a + 1] = 0;
          break;
        }
        case OP_ADDR64: {
          const a = pa[i] as number;
          const b = pb[i] as number;
          const m = pcc[i] as number;
          const lo = ((r[b] as number) >>> 0) + ((r[m] as number) >>> 0);
          r[a + 1] = ((r[b + 1] as number) + (r[m + 1] as number) + (lo > 0xffffffff ? 1 : 0)) | 0;
          r[a] = lo | 0;
          break;
        }
        case OP_SUBR64: {
          const a = pa[i] as number;
          const b = pb[i] as number;
          const m = pcc[i] as number;
          const xl = (r[b] as number) >>> 0;
          const yl = (r[m] as number) >>> 0;
          r[a + 1] = ((r[b + 1] as number) - (r[m + 1] as number) - (xl < yl ? 1 : 0)) | 0;
          r[a] = (xl - yl) | 0;
          break;
        }
        case OP_ADDR32: {
          const a = pa[i] as number;
          r[a] = ((r[pb[i] as number] as number) + (r[pcc[i] as number] as number)) | 0;
          r[a + 1] = 0;
          break;
        }
        case OP_SUBR32: {
          const a = pa[i] as number;
          r[a] = ((r[pb[i] as number] as number) - (r[pcc[i] as number] as number)) | 0;
          r[a + 1] = 0;
          break;
        }
        case OP_ALU64:
        case OP_ALU32: {
          const d = pd[i] as number;
          this.alu(op === OP_ALU64, pa[i] as number, pb[i] as number, pcc[i] as number, d);
          if ((d & 0x2000) !== 0) {
            fn = this.aN;
            fz = this.aZ;
            fc = this.aC;
            fv = this.aV;
          }
          break;
        }
        case OP_LDRLIT: {
          const k = pcc[i] as number;
          const size = (k & 3) === 3 ? 8 : 4;
          const elo = pd[i] as number;
          const ehi = pe[i] as number;
          let vlo: number;
          let vhi = 0;
          const o = (elo - this.rdLo) >>> 0;
          if (ehi === this.rdHi && o + size <= this.rdLen && ((this.rdOff + o) & 3) === 0) {
            const x = (this.rdOff + o) >>> 2;
            vlo = this.rdI32[x] as number;
            if (size === 8) vhi = this.rdI32[x + 1] as number;
          } else {
            if (this.slowLoad(elo, ehi, size, pcLo, pcHi) !== 0) {
              stop = this.stopReason;
              break outer;
            }
            vlo = this.t0;
            vhi = size === 8 ? this.t1 : 0;
          }
          if ((k & 4) !== 0) vhi = vlo >> 31;
          if ((k & 8) === 0) vhi = 0;
          const a = pa[i] as number;
          r[a] = vlo;
          r[a + 1] = vhi;
          break;
        }
        case OP_LDR:
        case OP_STR:
        case OP_LDP:
        case OP_STP: {
          // a: Rt, b: base, c: Rt2 (pairs) or size log2 | 4 signed | 8 X register (single),
          // d: offset, e: 0 offset / 1 pre / 2 post, | 4 for pairs of X registers
          const bs = pb[i] as number;
          const blo = r[bs] as number;
          const bhi = r[bs + 1] as number;
          if (bs === SP && spCheck && (blo & 15) !== 0) {
            stop = this.spFault(blo, bhi, pcLo, pcHi);
            break outer;
          }
          const e = pe[i] as number;
          const mode = e & 3;
          const s = (blo >>> 0) + (pd[i] as number);
          const nlo = s | 0;
          const nhi = s < 0 ? (bhi - 1) | 0 : s > 0xffffffff ? (bhi + 1) | 0 : bhi;
          const elo = mode === 2 ? blo : nlo;
          const ehi = mode === 2 ? bhi : nhi;
          const a = pa[i] as number;
          const c = pcc[i] as number;
          if (op === OP_LDR) {
            const size = 1 << (c & 3);
            let vlo: number;
            let vhi = 0;
            const o = (elo - this.rdLo) >>> 0;
            if (ehi === this.rdHi && o + size <= this.rdLen) {
              const x = this.rdOff + o;
              if (size === 8) {
                if ((x & 3) === 0) {
                  vlo = this.rdI32[x >>> 2] as number;
                  vhi = this.rdI32[(x >>> 2) + 1] as number;
                } else {
                  vlo = this.rdDv.getInt32(x, true);
                  vhi = this.rdDv.getInt32(x + 4, true);
                }
              } else if (size === 4) {
                vlo = (x & 3) === 0 ? (this.rdI32[x >>> 2] as number) : this.rdDv.getInt32(x, true);
              } else if (size === 2) {
                vlo = (this.rdU8[x] as number) | ((this.rdU8[x + 1] as number) << 8);
              } else {
                vlo = this.rdU8[x] as number;
              }
            } else {
              if (this.slowLoad(elo, ehi, size, pcLo, pcHi) !== 0) {
                stop = this.stopReason;
                break outer;
              }
              vlo = this.t0;
              vhi = size === 8 ? this.t1 : 0;
            }
            if ((c & 4) !== 0) {
              if (size === 1) vlo = (vlo << 24) >> 24;
              else if (size === 2) vlo = (vlo << 16) >> 16;
              vhi = vlo >> 31;
            }
            if ((c & 8) === 0) vhi = 0;
            r[a] = vlo;
            r[a + 1] = vhi;
          } else if (op === OP_STR) {
            const size = 1 << (c & 3);
            const vlo = r[a] as number;
            const vhi = r[a + 1] as number;
            const o = (elo - this.wrLo) >>> 0;
            if (ehi === this.wrHi && o + size <= this.wrLen) {
              const x = this.wrOff + o;
              if (size === 8) {
                if ((x & 3) === 0) {
                  this.wrI32[x >>> 2] = vlo;
                  this.wrI32[(x >>> 2) + 1] = vhi;
                } else {
                  this.wrDv.setInt32(x, vlo, true);
                  this.wrDv.setInt32(x + 4, vhi, true);
                }
              } else if (size === 4) {
                if ((x & 3) === 0) this.wrI32[x >>> 2] = vlo;
                else this.wrDv.setInt32(x, vlo, true);
              } else if (size === 2) {
                this.wrU8[x] = vlo;
                this.wrU8[x + 1] = vlo >> 8;
              } else {
                this.wrU8[x] = vlo;
              }
            } else if (this.slowStore(elo, ehi, size, vlo, vhi, 0, 0, pcLo, pcHi) !== 0) {
              stop = this.stopReason;
              break outer;
            }
          } else {
            const x64 = (e & 4) !== 0;
            const total = x64 ? 16 : 8;
            let v0: number;
            let v1: number;
            let v2 = 0;
            let v3 = 0;
            if (op === OP_LDP) {
              const o = (elo - this.rdLo) >>> 0;
              const x = this.rdOff + o;
              if (ehi === this.rdHi && o + total <= this.rdLen && (x & 3) === 0) {
                const q = x >>> 2;
                const m = this.rdI32;
                v0 = m[q] as number;
                v1 = m[q + 1] as number;
                if (x64) {
                  v2 = m[q + 2] as number;
                  v3 = m[q + 3] as number;
                }
              } else {
                if (this.slowLoad(elo, ehi, total, pcLo, pcHi) !== 0) {
                  stop = this.stopReason;
                  break outer;
                }
                v0 = this.t0;
                v1 = this.t1;
                v2 = this.t2;
                v3 = this.t3;
              }
              // W pairs: two words, each zero-extended
              r[a] = v0;
              r[a + 1] = x64 ? v1 : 0;
              r[c] = x64 ? v2 : v1;
              r[c + 1] = x64 ? v3 : 0;
            } else {
              v0 = r[a] as number;
              if (x64) {
                v1 = r[a + 1] as number;
                v2 = r[c] as number;
                v3 = r[c + 1] as number;
              } else {
                v1 = r[c] as number;
              }
              const o = (elo - this.wrLo) >>> 0;
              const x = this.wrOff + o;
              if (ehi === this.wrHi && o + total <= this.wrLen && (x & 3) === 0) {
                const q = x >>> 2;
                const m = this.wrI32;
                m[q] = v0;
                m[q + 1] = v1;
                if (x64) {
                  m[q + 2] = v2;
                  m[q + 3] = v3;
                }
              } else if (this.slowStore(elo, ehi, total, v0, v1, v2, v3, pcLo, pcHi) !== 0) {
                stop = this.stopReason;
                break outer;
              }
            }
          }
          if (mode !== 0) {
            r[bs] = nlo;
            r[bs + 1] = nhi;
          }
          break;
        }
        case OP_B:
          pcLo = pd[i] as number;
          pcHi = pe[i] as number;
          n++;
          continue;
        case OP_BL: {
          const lo = (pcLo + 4) | 0;
          r[60] = lo;
          r[61] = lo === 0 ? (pcHi + 1) | 0 : pcHi;
          pcLo = pd[i] as number;
          pcHi = pe[i] as number;
          n++;
          continue;
        }
        case OP_BCOND: {
          const cond = pa[i] as number;
          let t: number;
          switch (cond >> 1) {
            case 0:
              t = fz;
              break;
            case 1:
              t = fc;
              break;
            case 2:
              t = fn;
              break;
            case 3:
              t = fv;
              break;
            case 4:
              t = fc & (fz ^ 1);
              break;
            case 5:
              t = fn === fv ? 1 : 0;
              break;
            case 6:
              t = fz === 0 && fn === fv ? 1 : 0;
              break;
            default:
              t = 1;
          }
          if ((cond & 1) !== 0 && cond !== 15) t ^= 1;
          if (t !== 0) {
            pcLo = pd[i] as number;
            pcHi = pe[i] as number;
            n++;
            continue;
          }
          break;
        }
        case OP_CBZ: {
          const a = pa[i] as number;
          const k = pcc[i] as number;
          const zero = (k & 2) !== 0 ? ((r[a] as number) | (r[a + 1] as number)) === 0 : (r[a] as number) === 0;
          if (zero !== ((k & 1) !== 0)) {
            pcLo = pd[i] as number;
            pcHi = pe[i] as number;
            n++;
            continue;
          }
          break;
        }
        case OP_BR:
        case OP_BLR: {
          const b = pb[i] as number;
          const tlo = r[b] as number;
          const thi = r[b + 1] as number;
          if (op === OP_BLR) {
            const lo = (pcLo + 4) | 0;
            r[60] = lo;
            r[61] = lo === 0 ? (pcHi + 1) | 0 : pcHi;
          }
          pcLo = tlo;
          pcHi = thi;
          n++;
          if ((tlo & 3) !== 0) {
            // the PC alignment fault is taken on the fetch from the new PC
            const t = joinAddr(thi, tlo);
            stop = { kind: 'alignment', what: 'pc', addr: t, pc: t };
            break outer;
          }
          continue;
        }
        case OP_HOSTCALL: {
          const nr = pd[i] as number;
          const at = joinAddr(pcHi, pcLo);
          pcLo = (pcLo + 4) | 0;
          if (pcLo === 0) pcHi = (pcHi + 1) | 0;
          n++;
          const h = this.hostCalls[nr];
          if (h === undefined) {
            stop = { kind: 'hostcall', nr, pc: at };
            break outer;
          }
          this.pcLo = pcLo;
          this.pcHi = pcHi;
          this.fn = fn;
          this.fz = fz;
          this.fc = fc;
          this.fv = fv;
          this.insnCount += n;
          max -= n;
          n = 0;
          const res = h(this, nr);
          pcLo = this.pcLo;
          pcHi = this.pcHi;
          fn = this.fn;
          fz = this.fz;
          fc = this.fc;
          fv = this.fv;
          if (this.space.generation !== this.gen) this.flushWindows();
          cLen = this.cLen;
          if (res === 'stop') {
            stop = { kind: 'hostcall', nr, pc: at };
            break outer;
          }
          if (this.haltRequested) {
            stop = { kind: 'halt', cause: 'request', imm: 0, pc: joinAddr(pcHi, pcLo) };
            break outer;
          }
          continue;
        }
        case OP_WFI:
          stop = { kind: 'halt', cause: 'wfi', imm: 0, pc: joinAddr(pcHi, pcLo) };
          pcLo = (pcLo + 4) | 0;
          if (pcLo === 0) pcHi = (pcHi + 1) | 0;
          n++;
          break outer;
        case OP_BRK:
          stop = { kind: 'brk', imm: pd[i] as number, pc: joinAddr(pcHi, pcLo) };
          break outer;
        case OP_HLT:
          stop = { kind: 'halt', cause: 'hlt', imm: pd[i] as number, pc: joinAddr(pcHi, pcLo) };
          break outer;
        default:
          stop = { kind: 'undefined', word: word >>> 0, pc: joinAddr(pcHi, pcLo), unpredictable: (pd[i] as number) === 1 };
          break outer;
      }
      pcLo = (pcLo + 4) | 0;
      if (pcLo === 0) pcHi = (pcHi + 1) | 0;
      n++;
    }

    this.pcLo = pcLo;
    this.pcHi = pcHi;
    this.fn = fn;
    this.fz = fz;
    this.fc = fc;
    this.fv = fv;
    this.insnCount += n;
    return stop;
  }

  /** Generic ADD/SUB (shifted or extended register); d packs type | amount << 4 | sub << 12 | S << 13. */
  private alu(x64: boolean, a: number, b: number, m: number, d: number): void {
    const r = this.r;
    const type = d & 15;
    const amount = (d >> 4) & 63;
    let ylo = r[m] as number;
    let yhi = x64 ? (r[m + 1] as number) : 0;
    if (type >= 3) {
      // extend (uxtb..sxtx), then lsl #amount (0..4)
      switch (type - 3) {
        case 0:
          ylo &= 0xff;
          yhi = 0;
          break;
        case 1:
          ylo &= 0xffff;
          yhi = 0;
          break;
        case 2:
          yhi = 0;
          break;
        case 3:
          break;
        case 4:
          ylo = (ylo << 24) >> 24;
          yhi = ylo >> 31;
          break;
        case 5:
          ylo = (ylo << 16) >> 16;
          yhi = ylo >> 31;
          break;
        case 6:
          yhi = ylo >> 31;
          break;
        default:
          break;
      }
      if (amount !== 0) {
        yhi = (yhi << amount) | (ylo >>> (32 - amount));
        ylo <<= amount;
      }
    } else if (amount !== 0) {
      if (!x64) {
        ylo = type === 0 ? ylo << amount : type === 1 ? ylo >>> amount : ylo >> amount;
      } else if (type === 0) {
        if (amount < 32) {
          yhi = (yhi << amount) | (ylo >>> (32 - amount));
          ylo <<= amount;
        } else {
          yhi = ylo << (amount - 32);
          ylo = 0;
        }
      } else if (amount < 32) {
        ylo = (ylo >>> amount) | (yhi << (32 - amount));
        yhi = type === 1 ? yhi >>> amount : yhi >> amount;
      } else {
        ylo = type === 1 ? yhi >>> (amount - 32) : yhi >> (amount - 32);
        yhi = type === 1 ? 0 : yhi >> 31;
      }
    }
    let cin = 0;
    if ((d & 0x1000) !== 0) {
      ylo = ~ylo;
      yhi = ~yhi;
      cin = 1;
    }
    const xlo = r[b] as number;
    if (x64) {
      const xhi = r[b + 1] as number;
      const lo = (xlo >>> 0) + (ylo >>> 0) + cin;
      const hi = (xhi >>> 0) + (yhi >>> 0) + (lo > 0xffffffff ? 1 : 0);
      const rlo = lo | 0;
      const rhi = hi | 0;
      this.aN = rhi >>> 31;
      this.aZ = (rlo | rhi) === 0 ? 1 : 0;
      this.aC = hi > 0xffffffff ? 1 : 0;
      this.aV = (~(xhi ^ yhi) & (xhi ^ rhi)) >>> 31;
      r[a] = rlo;
      r[a + 1] = rhi;
    } else {
      const s = (xlo >>> 0) + (ylo >>> 0) + cin;
      const res = s | 0;
      this.aN = res >>> 31;
      this.aZ = res === 0 ? 1 : 0;
      this.aC = s > 0xffffffff ? 1 : 0;
      this.aV = (~(xlo ^ ylo) & (xlo ^ res)) >>> 31;
      r[a] = res;
      r[a + 1] = 0;
    }
  }

  private spFault(lo: number, hi: number, pcLo: number, pcHi: number): StopReason {
    return { kind: 'alignment', what: 'sp', addr: joinAddr(hi, lo), pc: joinAddr(pcHi, pcLo) };
  }

  /**
   * Shared-range check: 0 when [addr, addr + size) touches no shared range of this access
   * kind, 1 when the core must stop first (the stop is set), 2 when it touches one but the
   * access is the acknowledged one.
   */
  private sharedStop(lo: number, hi: number, size: number, access: 'read' | 'write' | 'execute', pcLo: number, pcHi: number): number {
    const list = this.sharedRanges;
    if (list.length === 0) return 0;
    const aHi = hi >>> 0;
    const aLo = lo >>> 0;
    let bLo = aLo + size;
    let bHi = aHi;
    if (bLo >= 0x100000000) {
      bLo -= 0x100000000;
      bHi++;
    }
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as SharedRange;
      if (!s[access]) continue;
      // overlap: access start < range end and range start < access end (unsigned 64-bit order)
      const startBeforeEnd = aHi < s.eHi || (aHi === s.eHi && aLo < s.eLo);
      const rangeBeforeEnd = s.sHi < bHi || (s.sHi === bHi && s.sLo < bLo);
      if (!startBeforeEnd || !rangeBeforeEnd) continue;
      if (this.allowShared) return 2;
      this.ackPending = true;
      this.stopReason = { kind: 'shared', access, addr: joinAddr(hi, lo), size, pc: joinAddr(pcHi, pcLo) };
      return 1;
    }
    return 0;
  }

  /** Sets up the code window for the current PC; 0, or 1 with `stopReason` set. */
  private codeWindow(): number {
    const lo = this.pcLo;
    const hi = this.pcHi;
    if ((lo & 3) !== 0) {
      const a = joinAddr(hi, lo);
      this.stopReason = { kind: 'alignment', what: 'pc', addr: a, pc: a };
      return 1;
    }
    const recent = this.recent;
    for (let k = 0; k < recent.length; k++) {
      const w = recent[k] as CodeWindow;
      if (w.hi === hi && ((lo - w.lo) >>> 0) < w.len) {
        this.cHi = w.hi;
        this.cLo = w.lo;
        this.cLen = w.len;
        this.cBase = w.base;
        this.cPB = w.pb;
        this.cMem = w.mem;
        this.cPage = w.page;
        return 0;
      }
    }
    if (this.sharedStop(lo, hi, 4, 'execute', lo, hi) === 1) return 1;
    const region = this.space.resolve(hi, lo >>> 0, 4, 'execute', this.id, false);
    if (region === null || region.kind === 'mmio') {
      const f = region === null ? (this.space.lastFault as MemFault) : makeFault('permission', 'execute', joinAddr(hi, lo), 4, region.name, this.id);
      this.stopReason = { kind: 'fault', fault: f, pc: joinAddr(hi, lo) };
      return 1;
    }
    const a = joinAddr(hi, lo);
    const off = Number(a - region.base);
    const pageIdx = Math.floor(off / PAGE_BYTES);
    const pageStart = pageIdx * PAGE_BYTES;
    let start = region.base + BigInt(pageStart);
    let end = region.base + BigInt(Math.min(pageStart + PAGE_BYTES, region.size - (region.size % 4)));
    const hiBase = BigInt(hi >>> 0) << 32n;
    if (start < hiBase) start = hiBase;
    if (end > hiBase + 0x100000000n) end = hiBase + 0x100000000n;
    for (const s of this.sharedRanges) {
      if (!s.execute || s.end <= start || s.start >= end) continue;
      if (s.end <= a) start = s.end;
      else if (s.start > a) end = s.start;
      else {
        // an acknowledged fetch from a shared range: a window of this one instruction
        start = a;
        end = a + 4n;
        this.cAckWindow = true;
      }
    }
    // keep the window word-aligned
    start = (start + 3n) & ~3n;
    const pages = pagesOf(region);
    let page = pages[pageIdx];
    if (page === undefined) {
      page = new CodePage();
      pages[pageIdx] = page;
    }
    const wOff = Number(start - region.base);
    this.cHi = hi;
    this.cLo = Number(start & 0xffffffffn);
    this.cLen = Number(end - start);
    this.cBase = wOff >>> 2;
    this.cPB = (wOff - pageStart) >>> 2;
    this.cMem = region.i32;
    this.cPage = page;
    if (!this.cAckWindow) {
      const w: CodeWindow = { hi, lo: this.cLo, len: this.cLen, base: this.cBase, pb: this.cPB, mem: region.i32, page };
      if (recent.length < RECENT_WINDOWS) recent.push(w);
      else recent[this.recentNext++ % RECENT_WINDOWS] = w;
    }
    return 0;
  }

  /** Sets up a data window around (hi, lo); false when the address sits in a shared or watched range. */
  private dataWindow(hi: number, lo: number, write: boolean): boolean {
    const a = joinAddr(hi, lo);
    let region: MemRegion | undefined;
    for (const c of this.space.regionList) {
      if (a >= c.base && a < c.end) {
        region = c;
        break;
      }
    }
    if (region === undefined || region.kind === 'mmio' || !(write ? region.writable : region.readable)) return false;
    let start = region.base;
    let end = region.end;
    const hiBase = BigInt(hi >>> 0) << 32n;
    if (start < hiBase) start = hiBase;
    if (end > hiBase + 0x100000000n) end = hiBase + 0x100000000n;
    // shared ranges (even while an access is acknowledged) and watched ranges stay outside
    const n = this.sharedRanges.length;
    const ws = write ? this.space.watches : [];
    for (let i = 0; i < n + ws.length; i++) {
      let rs: bigint;
      let re: bigint;
      if (i < n) {
        const sr = this.sharedRanges[i] as SharedRange;
        if (!(write ? sr.write : sr.read)) continue;
        rs = sr.start;
        re = sr.end;
      } else {
        const w = ws[i - n] as { start: bigint; end: bigint };
        rs = w.start;
        re = w.end;
      }
      if (re <= start || rs >= end) continue;
      if (re <= a) start = re;
      else if (rs > a) end = rs;
      else return false;
    }
    const off = Number(start - region.base);
    if (write) {
      this.wrHi = hi;
      this.wrLo = Number(start & 0xffffffffn);
      this.wrLen = Number(end - start);
      this.wrOff = off;
      this.wrI32 = region.i32;
      this.wrU8 = region.bytes;
      this.wrDv = region.dv;
    } else {
      this.rdHi = hi;
      this.rdLo = Number(start & 0xffffffffn);
      this.rdLen = Number(end - start);
      this.rdOff = off;
      this.rdI32 = region.i32;
      this.rdU8 = region.bytes;
      this.rdDv = region.dv;
    }
    return true;
  }

  /** Loads `size` (1..16) bytes into t0..t3 through the address space; 0, or 1 with `stopReason` set. */
  private slowLoad(lo: number, hi: number, size: number, pcLo: number, pcHi: number): number {
    const shared = this.sharedStop(lo, hi, size, 'read', pcLo, pcHi);
    if (shared === 1) return 1;
    if (shared === 0) this.dataWindow(hi, lo, false);
    const sp = this.space;
    if (size > 8 && sp.resolve(hi, lo, size, 'read', this.id, false) === null) return this.memFault(pcLo, pcHi);
    let clo = lo;
    let chi = hi;
    const out = [0, 0, 0, 0];
    for (let done = 0; done < size; ) {
      const step = Math.min(8, size - done) as 1 | 2 | 4 | 8;
      if (sp.readInternal(chi, clo >>> 0, step, 'read', this.id, false) !== 0) return this.memFault(pcLo, pcHi);
      out[done >> 2] = sp.vLo;
      if (step === 8) out[(done >> 2) + 1] = sp.vHi;
      done += step;
      const s = (clo >>> 0) + step;
      clo = s | 0;
      if (s > 0xffffffff) chi = (chi + 1) | 0;
    }
    this.t0 = out[0] as number;
    this.t1 = out[1] as number;
    this.t2 = out[2] as number;
    this.t3 = out[3] as number;
    // an MMIO handler may have mapped, unmapped or watched something
    if (sp.generation !== this.dataGen) this.flushDataWindows();
    return 0;
  }

  /** Stores `size` (1..16) bytes of v0..v3 through the address space, all or nothing. */
  private slowStore(lo: number, hi: number, size: number, v0: number, v1: number, v2: number, v3: number, pcLo: number, pcHi: number): number {
    const shared = this.sharedStop(lo, hi, size, 'write', pcLo, pcHi);
    if (shared === 1) return 1;
    if (shared === 0) this.dataWindow(hi, lo, true);
    const sp = this.space;
    // a pair is all or nothing: check the whole range before the first half is written
    if (size > 8 && sp.resolve(hi, lo, size, 'write', this.id, false) === null) return this.memFault(pcLo, pcHi);
    const vals = [v0, v1, v2, v3];
    let clo = lo;
    let chi = hi;
    for (let done = 0; done < size; ) {
      const step = Math.min(8, size - done) as 1 | 2 | 4 | 8;
      const q = done >> 2;
      if (sp.writeInternal(chi, clo >>> 0, step, vals[q] as number, step === 8 ? (vals[q + 1] as number) : 0, this.id, false) !== 0) {
        return this.memFault(pcLo, pcHi);
      }
      done += step;
      const s = (clo >>> 0) + step;
      clo = s | 0;
      if (s > 0xffffffff) chi = (chi + 1) | 0;
    }
    // a write watcher or an MMIO handler may have mapped, unmapped or watched something
    if (sp.generation !== this.dataGen) this.flushDataWindows();
    return 0;
  }

  private memFault(pcLo: number, pcHi: number): number {
    this.stopReason = { kind: 'fault', fault: this.space.lastFault as MemFault, pc: joinAddr(pcHi, pcLo) };
    return 1;
  }
}

/** Splits a 64-bit value into int32 (lo, hi). */
function split64(value: bigint | number, fn: string): [number, number] {
  let v: bigint;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
  else throw new A64Error(`${fn}: ${String(value)} is not an integer`);
  if (v < -(1n << 63n) || v >= 1n << 64n) throw new A64Error(`${fn}: ${v} does not fit 64 bits`);
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0];
}

/** Decodes `word` at (pcHi, pcLo) into entry i of a code page; returns the op. */
function fill(page: CodePage, i: number, word: number, pcLo: number, pcHi: number): number {
  const insn = decode(word);
  let op = OP_UDF;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let e = 0;
  const pc = joinAddr(pcHi, pcLo);
  const abs = (t: bigint) => {
    const u = BigInt.asUintN(64, t);
    d = Number(u & 0xffffffffn) | 0;
    e = Number(u >> 32n) | 0;
  };
  if (insn !== null && unpredictableChoice(insn) === 'undefined') {
    d = 1;
  } else if (insn !== null) {
    switch (insn.kind) {
      case 'hint':
        op = insn.imm === 3 ? OP_WFI : OP_NOP;
        break;
      case 'isb':
        op = OP_NOP;
        break;
      case 'brk':
        if ((insn.imm & 0xff00) === HOSTCALL_BRK_BASE) {
          op = OP_HOSTCALL;
          d = insn.imm & 0xff;
        } else {
          op = OP_BRK;
          d = insn.imm;
        }
        break;
      case 'hlt':
        op = OP_HLT;
        d = insn.imm;
        break;
      case 'udf':
        break; // OP_UDF: what UDF is for
      case 'movWide': {
        a = slot(insn.rd, false, true);
        const v = BigInt(insn.imm16) << BigInt(16 * insn.hw);
        if (insn.op === 'movk') {
          op = OP_MOVK;
          const sh = 16 * (insn.hw & 1);
          b = ~(0xffff << sh);
          d = insn.imm16 << sh;
          c = insn.hw >= 2 ? 2 : insn.sf ? 0 : 1;
        } else {
          op = OP_MOVI;
          abs(insn.op === 'movz' ? v : insn.sf ? ~v : ~v & 0xffffffffn);
        }
        break;
      }
      case 'movReg':
        op = insn.sf ? OP_MOV64 : OP_MOV32;
        a = slot(insn.rd, false, true);
        b = slot(insn.rm, false, false);
        break;
      case 'addSubImm': {
        const imm = insn.imm12 << (insn.lsl12 ? 12 : 0);
        b = slot(insn.rn, true, false);
        if (!insn.setFlags) {
          a = slot(insn.rd, true, true);
          if (imm === 0) op = insn.sf ? OP_MOV64 : OP_MOV32;
          else {
            op = insn.sf ? OP_ADDI64 : OP_ADDI32;
            abs(BigInt(insn.sub ? -imm : imm));
          }
        } else {
          a = slot(insn.rd, false, true);
          op = insn.sf ? OP_ADDSI64 : OP_ADDSI32;
          d = insn.sub ? ~imm : imm;
          e = insn.sub ? -1 : 0;
          c = insn.sub ? 1 : 0;
        }
        break;
      }
      case 'addSubShifted':
      case 'addSubExtended': {
        const ext = insn.kind === 'addSubExtended';
        a = slot(insn.rd, ext && !insn.setFlags, true);
        b = slot(insn.rn, ext, false);
        c = slot(insn.rm, false, false);
        if (!ext && !insn.setFlags && insn.shift === 'lsl' && insn.amount === 0) {
          op = insn.sf ? (insn.sub ? OP_SUBR64 : OP_ADDR64) : insn.sub ? OP_SUBR32 : OP_ADDR32;
        } else {
          op = insn.sf ? OP_ALU64 : OP_ALU32;
          const type = ext ? 3 + ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'].indexOf(insn.extend) : ['lsl', 'lsr', 'asr'].indexOf(insn.shift);
          d = type | (insn.amount << 4) | (insn.sub ? 0x1000 : 0) | (insn.setFlags ? 0x2000 : 0);
        }
        break;
      }
      case 'adr':
        op = OP_MOVI;
        a = slot(insn.rd, false, true);
        abs((insn.page ? pc & ~0xfffn : pc) + BigInt(insn.offset));
        break;
      case 'ldst': {
        const load = insn.op.startsWith('ld');
        op = load ? OP_LDR : OP_STR;
        a = slot(insn.rt, false, load);
        b = slot(insn.rn, true, false);
        const size = insn.op.endsWith('b') ? 0 : insn.op.endsWith('h') ? 1 : insn.op === 'ldrsw' || !insn.rt64 ? 2 : 3;
        c = size | (insn.op.startsWith('ldrs') ? 4 : 0) | (insn.rt64 ? 8 : 0);
        d = insn.offset;
        e = insn.mode === 'pre' ? 1 : insn.mode === 'post' ? 2 : 0;
        break;
      }
      case 'ldrLiteral':
        op = OP_LDRLIT;
        a = slot(insn.rt, false, true);
        c = (insn.op === 'ldr' && insn.rt64 ? 3 : 2) | (insn.op === 'ldrsw' ? 4 : 0) | (insn.rt64 ? 8 : 0);
        abs(pc + BigInt(insn.offset));
        break;
      case 'ldstPair':
        op = insn.load ? OP_LDP : OP_STP;
        a = slot(insn.rt, false, insn.load);
        c = slot(insn.rt2, false, insn.load);
        b = slot(insn.rn, true, false);
        d = insn.offset;
        e = (insn.mode === 'pre' ? 1 : insn.mode === 'post' ? 2 : 0) | (insn.sf ? 4 : 0);
        break;
      case 'branch':
        op = insn.link ? OP_BL : OP_B;
        abs(pc + BigInt(insn.offset));
        break;
      case 'bcond':
        op = OP_BCOND;
        a = insn.cond;
        abs(pc + BigInt(insn.offset));
        break;
      case 'cbz':
        op = OP_CBZ;
        a = slot(insn.rt, false, false);
        c = (insn.nz ? 1 : 0) | (insn.sf ? 2 : 0);
        abs(pc + BigInt(insn.offset));
        break;
      case 'branchReg':
        op = insn.op === 'blr' ? OP_BLR : OP_BR;
        b = slot(insn.rn, false, false);
        break;
    }
  }
  page.w[i] = word;
  page.op[i] = op;
  page.a[i] = a;
  page.b[i] = b;
  page.c[i] = c;
  page.d[i] = d;
  page.e[i] = e;
  return op;
}

/** @internal for tests: the page size of the decode cache. */
export const CODE_PAGE_BYTES = PAGE_BYTES;
