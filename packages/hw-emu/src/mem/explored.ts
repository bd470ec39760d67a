// Explored DMA memory: an AddressSpace seen by kernel code and device agents
// running on @k/core-sync's explorer. Every access is a scheduling point and
// goes through core-sync's happens-before race detection, as the LKMM defines
// a data race (tools/memory-model/Documentation/explanation.txt, "PLAIN
// ACCESSES AND DATA RACES"): the same primitives as a kernel variable
// (plain, READ_ONCE/WRITE_ONCE, smp_load_acquire/smp_store_release, the
// barriers), on one core-sync Cell per accessed location, created lazily.
// A refused access (unmapped, past a region's end, not writable) is a
// Violation of kind 'out-of-bounds' carrying the address space's fault.
// Used by @k/virtio to run its split ring in DMA memory (seed 002).

import {
  Cell, READ_ONCE, Violation, WRITE_ONCE, current, smp_load_acquire, smp_mb, smp_rmb, smp_store_release, smp_wmb, type KGen,
} from '@k/core-sync';
import type { AccessOptions, Addr, AddressSpace } from './address-space';
import type { MemFault, MemResult, MemStatus } from './fault';

/**
 * How an access is ordered, in the LKMM's vocabulary:
 * `plain` (a C access: races are reported), `once` (READ_ONCE/WRITE_ONCE: marked, relaxed;
 * with smp_rmb/smp_wmb they order as the LKMM's fences do), `acquire` (smp_load_acquire, reads
 * only) and `release` (smp_store_release, writes only).
 */
export type MemOrder = 'plain' | 'once' | 'acquire' | 'release';

/** Options of an explored memory. */
export interface ExploredMemoryOptions {
  /** Ordering of accesses that do not say (default `once`: device memory is marked). */
  readonly order?: MemOrder;
  /** Carried into faults: who makes the accesses (default: the running thread's name). */
  readonly initiator?: string;
}

type Width = 1 | 2 | 4 | 8;

/** One accessed location: a core-sync Cell whose value is the memory itself. */
class MemCell extends Cell<number | bigint | Uint8Array> {
  constructor(mem: ExploredMemory, addr: Addr, width: Width | 0, length: number, name: string) {
    super(0, name);
    // The Cell's value is read and written by core-sync's primitives after their
    // scheduling point: make it the memory, so the access happens exactly there.
    Object.defineProperty(this, 'v', {
      get: () => mem.load(addr, width, length),
      set: (v: number | bigint | Uint8Array) => mem.store(addr, width, v),
    });
  }
}

function hex(a: Addr): string {
  return '0x' + a.toString(16);
}

/**
 * An {@link AddressSpace} under the explorer: accessors are generators (`yield*` them from
 * kernel code or a device agent), each one a scheduling point of core-sync with race
 * detection on its location (address and width: accesses of another width or start are a
 * different location). A fault throws a core-sync `Violation` of kind `out-of-bounds`.
 * Create one per execution (in a scenario's setup): it holds per-execution race state.
 *
 * @example
 * const space = new AddressSpace();
 * space.ram('vring', 0, 0x1000);
 * const mem = new ExploredMemory(space);
 * // in a task: yield* mem.write16(0x2, 1, 'release'); const idx = yield* mem.read16(0x2, 'acquire');
 */
export class ExploredMemory {
  readonly order: MemOrder;
  readonly initiator: string | null;
  private readonly cells = new Map<string, MemCell>();

  constructor(
    readonly space: AddressSpace,
    options: ExploredMemoryOptions = {},
  ) {
    const order = options.order ?? 'once';
    if (order !== 'plain' && order !== 'once') throw new RangeError(`ExploredMemory: default order must be 'plain' or 'once', got '${String(order)}'`);
    this.order = order;
    this.initiator = options.initiator ?? null;
  }

  /** First address after the highest mapped region (regions mapped later count too). */
  get size(): number {
    let end = 0n;
    for (const r of this.space.regions()) if (r.end > end) end = r.end;
    return end > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(end);
  }

  /** Locations touched so far (for tests and reports). */
  get locations(): number {
    return this.cells.size;
  }

  private cell(addr: Addr, width: Width | 0, length: number): MemCell {
    if (!((typeof addr === 'number' && Number.isSafeInteger(addr) && addr >= 0) || (typeof addr === 'bigint' && addr >= 0n))) {
      throw new Violation('out-of-bounds', `access of ${String(width || length)} byte(s) at ${String(addr)} by ${this.who()}: not a guest-physical address`);
    }
    const key = `${addr.toString(16)}/${width === 0 ? 'b' + String(length) : String(width)}`;
    let c = this.cells.get(key);
    if (!c) {
      const r = this.space.regionAt(addr);
      const where = r ? `${r.name}+${hex(BigInt(addr) - r.base)}` : hex(addr);
      c = new MemCell(this, addr, width, length, width === 0 ? `${where}[${String(length)}]` : `${where}/u${String(width * 8)}`);
      this.cells.set(key, c);
    }
    return c;
  }

  private who(): string {
    return this.initiator ?? (current() as { name?: string } | null)?.name ?? 'setup';
  }

  private access(): AccessOptions {
    return { initiator: this.who() };
  }

  private fault(f: MemFault): never {
    throw new Violation('out-of-bounds', f.message, [`fault kind: ${f.kind}${f.region ? `, region ${f.region}` : ''}`]);
  }

  /** @internal the effect of a read, run by core-sync after the scheduling point */
  load(addr: Addr, width: Width | 0, length: number): number | bigint | Uint8Array {
    const o = this.access();
    let r: MemResult<number | bigint | Uint8Array>;
    switch (width) {
      case 1: r = this.space.read8(addr, o); break;
      case 2: r = this.space.read16(addr, o); break;
      case 4: r = this.space.read32(addr, o); break;
      case 8: r = this.space.read64(addr, o); break;
      default: r = this.space.readBytes(addr, length, o);
    }
    if (!r.ok) this.fault(r.fault);
    return r.value;
  }

  /** @internal the effect of a write */
  store(addr: Addr, width: Width | 0, v: number | bigint | Uint8Array): void {
    const o = this.access();
    let s: MemStatus;
    switch (width) {
      case 1: s = this.space.write8(addr, v as number, o); break;
      case 2: s = this.space.write16(addr, v as number, o); break;
      case 4: s = this.space.write32(addr, v as number, o); break;
      case 8: s = this.space.write64(addr, v as bigint | number, o); break;
      default: s = this.space.writeBytes(addr, v as Uint8Array, o);
    }
    if (!s.ok) this.fault(s.fault);
  }

  private *rd(addr: Addr, width: Width | 0, length: number, order: MemOrder | undefined): KGen<number | bigint | Uint8Array> {
    const c = this.cell(addr, width, length);
    switch (order ?? this.order) {
      case 'plain': return yield* c.read();
      case 'once': return yield* READ_ONCE(c);
      case 'acquire': return yield* smp_load_acquire(c);
      default: throw new RangeError(`ExploredMemory: a read cannot be '${String(order)}'`);
    }
  }

  private *wr(addr: Addr, width: Width | 0, v: number | bigint | Uint8Array, order: MemOrder | undefined): KGen {
    const c = this.cell(addr, width, width === 0 ? (v as Uint8Array).length : 0);
    switch (order ?? this.order) {
      case 'plain': return yield* c.write(v);
      case 'once': return yield* WRITE_ONCE(c, v);
      case 'release': return yield* smp_store_release(c, v);
      default: throw new RangeError(`ExploredMemory: a write cannot be '${String(order)}'`);
    }
  }

  /** Reads a byte. */
  *read8(addr: Addr, order?: MemOrder): KGen<number> {
    return (yield* this.rd(addr, 1, 1, order)) as number;
  }
  /** Reads a little-endian u16. */
  *read16(addr: Addr, order?: MemOrder): KGen<number> {
    return (yield* this.rd(addr, 2, 2, order)) as number;
  }
  /** Reads a little-endian u32. */
  *read32(addr: Addr, order?: MemOrder): KGen<number> {
    return (yield* this.rd(addr, 4, 4, order)) as number;
  }
  /** Reads a little-endian u64. */
  *read64(addr: Addr, order?: MemOrder): KGen<bigint> {
    return (yield* this.rd(addr, 8, 8, order)) as bigint;
  }
  /** Reads `length` bytes as one access (a copy). */
  *readBytes(addr: Addr, length: number, order?: MemOrder): KGen<Uint8Array> {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`ExploredMemory.readBytes: bad length ${String(length)}`);
    return (yield* this.rd(addr, 0, length, order)) as Uint8Array;
  }
  *write8(addr: Addr, v: number, order?: MemOrder): KGen {
    yield* this.wr(addr, 1, v, order);
  }
  *write16(addr: Addr, v: number, order?: MemOrder): KGen {
    yield* this.wr(addr, 2, v, order);
  }
  *write32(addr: Addr, v: number, order?: MemOrder): KGen {
    yield* this.wr(addr, 4, v, order);
  }
  *write64(addr: Addr, v: bigint | number, order?: MemOrder): KGen {
    yield* this.wr(addr, 8, v, order);
  }
  /** Writes `data` as one access. */
  *writeBytes(addr: Addr, data: Uint8Array, order?: MemOrder): KGen {
    if (!(data instanceof Uint8Array)) throw new RangeError('ExploredMemory.writeBytes: data must be a Uint8Array');
    yield* this.wr(addr, 0, data, order);
  }

  /** smp_mb() / mb(): full barrier. */
  mb(): KGen {
    return smp_mb();
  }
  /** smp_rmb() / rmb(): orders earlier marked loads before later loads. */
  rmb(): KGen {
    return smp_rmb();
  }
  /** smp_wmb() / wmb(): orders earlier stores before later marked stores. */
  wmb(): KGen {
    return smp_wmb();
  }
}
