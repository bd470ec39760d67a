// Register banks: a device's MMIO registers with their widths, access rules
// and read/write handlers. A bank is an MMIO handler: it maps into an
// AddressSpace as an `mmio` region, and drivers reach it through readl/writel
// (include/asm-generic/io.h), each access a scheduling point of the explorer.

import { A_RMW, A_READ, A_WRITE, Op, type KGen } from '@k/core-sync';

export type RegWidth = 1 | 2 | 4 | 8;

/**
 * How a register behaves for the driver:
 * `rw` read/write, `ro` read-only (writes are refused), `wo` write-only (every
 * read is refused: `bank.read` returns `{ reject }` and readl throws a
 * RegisterAccessError), `w1c` write-one-to-clear (interrupt status registers:
 * each 1 bit written clears that bit, a 0 leaves it; a narrow write touches
 * only its own byte lanes).
 */
export type RegAccess = 'rw' | 'ro' | 'wo' | 'w1c';

export interface RegisterSpec {
  readonly name: string;
  readonly offset: number;
  readonly width: RegWidth;
  readonly access?: RegAccess;
  /** value after reset */
  readonly reset?: number | bigint;
  /** computes the value a read returns (device state); default: the stored value */
  readonly onRead?: (reg: Register) => number | bigint;
  /**
   * side effect of a write, after the access rule has been applied to the stored
   * value; `written` is the new register value (a narrow write merged into the
   * other lanes), or for `w1c` the 1 bits written (the bits to clear), at their place in the register
   */
  readonly onWrite?: (reg: Register, written: number | bigint) => void;
  /** also accept narrower accesses inside the register (as virtio-mmio's config space does) */
  readonly allowNarrow?: boolean;
}

/** One register and its current value. */
export class Register {
  value: number | bigint;
  constructor(readonly spec: RegisterSpec) {
    this.value = spec.reset ?? (spec.width === 8 ? 0n : 0);
  }
  get name(): string {
    return this.spec.name;
  }
}

/** Why an access was refused; the address space turns it into an `mmio` fault. */
export interface RegReject {
  readonly reject: string;
}

/** A refused register access, for drivers that use readl/writel. */
export class RegisterAccessError extends Error {
  override readonly name = 'RegisterAccessError';
  constructor(
    readonly bank: string,
    readonly offset: number,
    readonly size: number,
    readonly reason: string,
  ) {
    super(`${bank}: ${reason} (offset 0x${offset.toString(16)}, ${size} byte${size === 1 ? '' : 's'})`);
  }
}

const mask = (w: RegWidth): bigint => (1n << BigInt(w * 8)) - 1n;

function fit(v: number | bigint, w: RegWidth): number | bigint {
  const b = BigInt.asUintN(w * 8, BigInt(v));
  return w === 8 ? b : Number(b);
}

/** A device's register file. */
export class RegisterBank {
  private readonly byOffset = new Map<number, Register>();
  readonly regs = new Map<string, Register>();
  /** accesses seen (for tests and traces) */
  readonly log: { op: 'read' | 'write'; name: string; value: number | bigint; initiator: string | null }[] = [];
  logAccesses = false;
  /** refused accesses counted (each also returned to the caller as `{ reject }`) */
  rejected = 0;
  readonly opRead: Op;
  readonly opWrite: Op;
  readonly opRmw: Op;

  constructor(
    readonly name: string,
    readonly size: number,
    specs: readonly RegisterSpec[],
  ) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`register bank ${name}: size ${size} must be a positive integer`);
    for (const s of specs) {
      if (![1, 2, 4, 8].includes(s.width)) throw new RangeError(`register ${name}.${s.name}: width ${s.width} is not 1, 2, 4 or 8`);
      if (s.offset % s.width !== 0) throw new RangeError(`register ${name}.${s.name}: offset 0x${s.offset.toString(16)} is not aligned to its width ${s.width}`);
      if (s.offset < 0 || s.offset + s.width > size) throw new RangeError(`register ${name}.${s.name}: outside the bank (size 0x${size.toString(16)})`);
      for (let i = 0; i < s.width; i++) {
        if (this.byOffset.has(s.offset + i)) throw new RangeError(`register ${name}.${s.name} overlaps ${this.byOffset.get(s.offset + i)!.name}`);
      }
      const r = new Register(s);
      for (let i = 0; i < s.width; i++) this.byOffset.set(s.offset + i, r);
      this.regs.set(s.name, r);
    }
    this.opRead = new Op(`mmio read ${name}`, this, 0, A_READ);
    this.opWrite = new Op(`mmio write ${name}`, this, 0, A_WRITE);
    this.opRmw = new Op(`mmio rmw ${name}`, this, 0, A_RMW);
  }

  reg(name: string): Register {
    const r = this.regs.get(name);
    if (!r) throw new RangeError(`register bank ${this.name} has no register '${name}'`);
    return r;
  }

  /** Resets every register to its reset value. */
  reset(): void {
    for (const r of this.regs.values()) r.value = r.spec.reset ?? (r.spec.width === 8 ? 0n : 0);
  }

  private locate(offset: number, size: number): Register | RegReject {
    if (![1, 2, 4, 8].includes(size)) return { reject: `access width ${size} is not 1, 2, 4 or 8` };
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.size) return { reject: `offset outside the register bank` };
    const r = this.byOffset.get(offset);
    if (!r) return { reject: `no register at this offset` };
    const s = r.spec;
    if (size !== s.width) {
      if (!(s.allowNarrow && size < s.width && (offset - s.offset) % size === 0)) {
        return { reject: `register ${s.name} is ${s.width} bytes wide: a ${size}-byte access is not allowed` };
      }
    } else if (offset !== s.offset) return { reject: `access not aligned to register ${s.name}` };
    return r;
  }

  /** MMIO read (the `MmioHandler` contract of the address space). */
  read(offset: number, size: RegWidth, initiator: string | null = null): number | bigint | RegReject {
    const r = this.locate(offset, size);
    if ('reject' in r) {
      this.rejected++;
      return r;
    }
    if (r.spec.access === 'wo') {
      this.rejected++;
      return { reject: `register ${r.name} is write-only` };
    }
    const full = r.spec.onRead ? r.spec.onRead(r) : r.value;
    let v: number | bigint = fit(full, r.spec.width);
    if (size < r.spec.width) {
      const shift = BigInt((offset - r.spec.offset) * 8);
      v = fit((BigInt(v) >> shift) & mask(size), size);
    }
    if (this.logAccesses) this.log.push({ op: 'read', name: r.name, value: v, initiator });
    return v;
  }

  /** MMIO write (the `MmioHandler` contract of the address space). */
  write(offset: number, size: RegWidth, value: number | bigint, initiator: string | null = null): void | RegReject {
    const r = this.locate(offset, size);
    if ('reject' in r) {
      this.rejected++;
      return r;
    }
    const s = r.spec;
    if (s.access === 'ro') {
      this.rejected++;
      return { reject: `register ${r.name} is read-only` };
    }
    let v = fit(value, size);
    const shift = BigInt((offset - s.offset) * 8);
    if (s.access === 'w1c') {
      // only the written byte lanes take part: their 1 bits clear, every other bit is left alone
      v = fit(BigInt(v) << shift, s.width);
      r.value = fit(BigInt(r.value) & ~BigInt(v), s.width);
    } else {
      // a narrow write replaces its byte lanes and keeps the others
      if (size < s.width) v = fit((BigInt(r.value) & ~(mask(size) << shift)) | (BigInt(v) << shift), s.width);
      r.value = v;
    }
    if (this.logAccesses) this.log.push({ op: 'write', name: r.name, value: v, initiator });
    s.onWrite?.(r, v);
  }
}

// ---- driver-side accessors: each is a scheduling point -------------------------------

function rd(bank: RegisterBank, off: number, size: RegWidth): number | bigint {
  const v = bank.read(off, size, 'driver');
  if (typeof v === 'object') throw new RegisterAccessError(bank.name, off, size, v.reject);
  return v;
}
function wr(bank: RegisterBank, off: number, size: RegWidth, v: number | bigint): void {
  const r = bank.write(off, size, v, 'driver');
  if (r) throw new RegisterAccessError(bank.name, off, size, r.reject);
}

/** readb/readw/readl: an MMIO load by the driver (a refused access throws RegisterAccessError, a model bug). */
export function* readb(bank: RegisterBank, off: number): KGen<number> {
  yield bank.opRead;
  return rd(bank, off, 1) as number;
}
export function* readw(bank: RegisterBank, off: number): KGen<number> {
  yield bank.opRead;
  return rd(bank, off, 2) as number;
}
export function* readl(bank: RegisterBank, off: number): KGen<number> {
  yield bank.opRead;
  return rd(bank, off, 4) as number;
}
export function* readq(bank: RegisterBank, off: number): KGen<bigint> {
  yield bank.opRead;
  return rd(bank, off, 8) as bigint;
}
export function* writeb(value: number, bank: RegisterBank, off: number): KGen {
  yield bank.opWrite;
  wr(bank, off, 1, value);
}
export function* writew(value: number, bank: RegisterBank, off: number): KGen {
  yield bank.opWrite;
  wr(bank, off, 2, value);
}
export function* writel(value: number, bank: RegisterBank, off: number): KGen {
  yield bank.opWrite;
  wr(bank, off, 4, value);
}
export function* writeq(value: bigint, bank: RegisterBank, off: number): KGen {
  yield bank.opWrite;
  wr(bank, off, 8, value);
}
export const ioread32 = readl;
export const iowrite32 = writel;
