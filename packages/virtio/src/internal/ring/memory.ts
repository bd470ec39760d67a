// The memory the split ring lives in, seen through generator accessors.
// Source: the accessors the kernel uses on ring memory in drivers/virtio/virtio_ring.c
// (plain loads/stores of __virtio16/32/64 fields, virtio_mb/virtio_rmb/virtio_wmb and
// virtio_store_mb from include/linux/virtio_ring.h). Seed 002.
//
// The ring code (virtio_ring.ts, vhost.ts) is written once, as generator functions that
// reach memory only through `yield* mem.readNN(addr)` and friends. On the explored runtime
// every accessor yields (each access is a scheduling point); over an ArrayBuffer or a
// SharedArrayBuffer the accessors never yield and `runSync` runs a whole ring operation in
// one `next()`.

import type { KGen } from '@k/core-sync';

/**
 * A ring operation, or one memory access: core-sync's `KGen<T>`, a generator that returns `T`.
 * Over synchronous memories it completes on its first `next()`; on the explored runtime it
 * yields at every shared access and the runtime decides who runs next.
 */
export type { KGen };

/**
 * The memory a split virtqueue lives in (guest-physical addresses are byte offsets into it).
 * Little-endian, as virtio 1.x is. Every accessor is a generator (a yield point on the
 * explored runtime). Addresses outside `[0, size)` must fail with {@link VringMemoryFault},
 * never wrap or read garbage.
 */
export interface VringMemory {
  /** Size in bytes: valid addresses are `0 <= addr && addr + width <= size`. */
  readonly size: number;
  /**
   * True when the accessors are scheduling points of core-sync's explorer: the ring then also
   * reaches its shared fields (`vq->broken`) through core-sync primitives. Default false.
   */
  readonly explored?: boolean;
  read16(addr: number): KGen<number>;
  read32(addr: number): KGen<number>;
  /** A u64 as a JS number: exact below 2^53, rounded above (still above every memory size). */
  read64(addr: number): KGen<number>;
  write16(addr: number, val: number): KGen<void>;
  write32(addr: number, val: number): KGen<void>;
  write64(addr: number, val: number): KGen<void>;
  /** `virtio_mb(weak_barriers)`: smp_mb() when weak, mb() otherwise. */
  virtio_mb(weak_barriers: boolean): KGen<void>;
  /** `virtio_rmb(weak_barriers)`: order earlier loads before later loads. */
  virtio_rmb(weak_barriers: boolean): KGen<void>;
  /** `virtio_wmb(weak_barriers)`: order earlier stores before later stores. */
  virtio_wmb(weak_barriers: boolean): KGen<void>;
}

/** An access outside the memory (or with a non-integer address): a bug in whoever made it. */
export class VringMemoryFault extends Error {
  override readonly name = 'VringMemoryFault';
  constructor(
    readonly op: 'read' | 'write',
    readonly addr: number,
    readonly width: number,
    readonly size: number,
  ) {
    super(`${op}${String(width * 8)} at ${String(addr)} is outside the ${String(size)}-byte memory`);
  }
}

/** A generator-shaped accessor result that is already complete: no allocation per access. */
class Done<T> implements Generator<never, T, unknown> {
  private readonly res: IteratorReturnResult<T>;
  constructor(value: T) {
    this.res = { done: true, value };
  }
  set(value: T): this {
    this.res.value = value;
    return this;
  }
  next(): IteratorReturnResult<T> {
    return this.res;
  }
  return(value: T): IteratorReturnResult<T> {
    return { done: true, value };
  }
  throw(e: unknown): never {
    throw e;
  }
  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * Runs a ring operation over a memory that never yields (ArrayBuffer, SharedArrayBuffer) to
 * completion and returns its result.
 * @throws Error when the operation yields: it needs the explored runtime, not this driver.
 */
export function runSync<T>(op: KGen<T>): T {
  const r = op.next();
  if (r.done === true) return r.value;
  throw new Error(
    'runSync: the ring operation yielded, so its memory is not synchronous; run it on the explored runtime (@k/core-sync) instead',
  );
}

const U32 = 0x1_0000_0000;

function checkRange(op: 'read' | 'write', addr: number, width: number, size: number): void {
  // `!(x >= 0)` also rejects NaN.
  if (!(addr >= 0) || addr + width > size || !Number.isInteger(addr)) {
    throw new VringMemoryFault(op, addr, width, size);
  }
}

/**
 * What both synchronous memories share: accessors that never yield, and barriers with nothing
 * to do (single-threaded, or every access already a sequentially consistent Atomics operation).
 */
abstract class SyncVringMemory {
  protected readonly num = new Done<number>(0);
  protected readonly none = new Done<undefined>(undefined);
  virtio_mb(_weak_barriers: boolean): KGen<void> {
    return this.none;
  }
  virtio_rmb(_weak_barriers: boolean): KGen<void> {
    return this.none;
  }
  virtio_wmb(_weak_barriers: boolean): KGen<void> {
    return this.none;
  }
}

/**
 * Plain (non-shared) memory over an ArrayBuffer: the model's memory for single-threaded
 * tests. Accesses never yield; out-of-range accesses throw {@link VringMemoryFault}.
 */
export class ArrayBufferVringMemory extends SyncVringMemory implements VringMemory {
  readonly size: number;
  readonly bytes: Uint8Array;
  private readonly dv: DataView;

  constructor(bufferOrSize: ArrayBuffer | number) {
    super();
    const buf = typeof bufferOrSize === 'number' ? new ArrayBuffer(checkedSize(bufferOrSize)) : bufferOrSize;
    this.size = buf.byteLength;
    this.bytes = new Uint8Array(buf);
    this.dv = new DataView(buf);
  }
  read16(addr: number): KGen<number> {
    checkRange('read', addr, 2, this.size);
    return this.num.set(this.dv.getUint16(addr, true));
  }
  read32(addr: number): KGen<number> {
    checkRange('read', addr, 4, this.size);
    return this.num.set(this.dv.getUint32(addr, true));
  }
  read64(addr: number): KGen<number> {
    checkRange('read', addr, 8, this.size);
    return this.num.set(this.dv.getUint32(addr, true) + this.dv.getUint32(addr + 4, true) * U32);
  }
  write16(addr: number, val: number): KGen<void> {
    checkRange('write', addr, 2, this.size);
    this.dv.setUint16(addr, val, true);
    return this.none;
  }
  write32(addr: number, val: number): KGen<void> {
    checkRange('write', addr, 4, this.size);
    this.dv.setUint32(addr, val, true);
    return this.none;
  }
  write64(addr: number, val: number): KGen<void> {
    checkRange('write', addr, 8, this.size);
    this.dv.setUint32(addr, val % U32, true);
    this.dv.setUint32(addr + 4, Math.floor(val / U32) % U32, true);
    return this.none;
  }
}

/**
 * Memory over a SharedArrayBuffer shared between worker threads. Every ring access is an
 * `Atomics` load or store, which are sequentially consistent, so the virtio barriers need no
 * instruction of their own; data copied with plain stores before a ring store is visible to
 * the thread that reads that ring field with `Atomics` (JS memory model: synchronizes-with).
 * Misaligned accesses (only a hostile peer's addresses produce them) go through a DataView.
 */
export class SharedVringMemory extends SyncVringMemory implements VringMemory {
  readonly size: number;
  readonly bytes: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly u32: Uint32Array;
  private readonly dv: DataView;

  constructor(readonly sab: SharedArrayBuffer) {
    super();
    if (!(sab instanceof SharedArrayBuffer)) {
      throw new TypeError('SharedVringMemory: expected a SharedArrayBuffer');
    }
    // Atomics use the platform's byte order; virtio 1.x rings are little-endian.
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
      throw new Error('SharedVringMemory: needs a little-endian platform');
    }
    this.size = sab.byteLength;
    this.bytes = new Uint8Array(sab);
    this.u16 = new Uint16Array(sab, 0, sab.byteLength >> 1);
    this.u32 = new Uint32Array(sab, 0, sab.byteLength >> 2);
    this.dv = new DataView(sab);
  }
  read16(addr: number): KGen<number> {
    checkRange('read', addr, 2, this.size);
    return this.num.set((addr & 1) === 0 ? Atomics.load(this.u16, addr >> 1) : this.dv.getUint16(addr, true));
  }
  read32(addr: number): KGen<number> {
    checkRange('read', addr, 4, this.size);
    return this.num.set((addr & 3) === 0 ? Atomics.load(this.u32, addr >> 2) : this.dv.getUint32(addr, true));
  }
  read64(addr: number): KGen<number> {
    checkRange('read', addr, 8, this.size);
    if ((addr & 3) === 0) {
      const i = addr >> 2;
      return this.num.set(Atomics.load(this.u32, i) + Atomics.load(this.u32, i + 1) * U32);
    }
    return this.num.set(this.dv.getUint32(addr, true) + this.dv.getUint32(addr + 4, true) * U32);
  }
  write16(addr: number, val: number): KGen<void> {
    checkRange('write', addr, 2, this.size);
    if ((addr & 1) === 0) Atomics.store(this.u16, addr >> 1, val);
    else this.dv.setUint16(addr, val, true);
    return this.none;
  }
  write32(addr: number, val: number): KGen<void> {
    checkRange('write', addr, 4, this.size);
    if ((addr & 3) === 0) Atomics.store(this.u32, addr >> 2, val);
    else this.dv.setUint32(addr, val, true);
    return this.none;
  }
  write64(addr: number, val: number): KGen<void> {
    checkRange('write', addr, 8, this.size);
    const lo = val % U32;
    const hi = Math.floor(val / U32) % U32;
    if ((addr & 3) === 0) {
      const i = addr >> 2;
      Atomics.store(this.u32, i, lo);
      Atomics.store(this.u32, i + 1, hi);
    } else {
      this.dv.setUint32(addr, lo, true);
      this.dv.setUint32(addr + 4, hi, true);
    }
    return this.none;
  }
}

function checkedSize(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32) {
    throw new RangeError(`memory size must be an integer in [0, 2^32], got ${String(n)}`);
  }
  return n;
}
