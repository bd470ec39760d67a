// Test fixtures: a driver and a device sharing one ArrayBuffer memory, the driver's accesses
// guarded to the regions it owns (the ring and its indirect-table pool).
import {
  ArrayBufferVringMemory,
  VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC,
  VhostIov,
  VringMemoryFault,
  runSync,
  vhost_vq_init_access,
  vring_init,
  vring_new_virtqueue,
  vring_size,
  type KGen,
  type VringDmaPool,
  type VringMemory,
  type VringVirtqueueOptions,
  type vhost_virtqueue,
  type vring_virtqueue,
} from '../../src/index';

/** Forwards to `inner` but records (and throws on) any access outside `regions`. */
export class GuardedMemory implements VringMemory {
  readonly violations: string[] = [];
  constructor(
    readonly inner: VringMemory,
    readonly regions: readonly (readonly [number, number])[],
  ) {}
  get size(): number {
    return this.inner.size;
  }
  private check(op: string, addr: number, width: number): void {
    for (const [s, e] of this.regions) if (addr >= s && addr + width <= e) return;
    const v = `${op}${String(width * 8)} at ${String(addr)}`;
    this.violations.push(v);
    throw new VringMemoryFault(op.startsWith('r') ? 'read' : 'write', addr, width, this.inner.size);
  }
  read16(addr: number): KGen<number> {
    this.check('read', addr, 2);
    return this.inner.read16(addr);
  }
  read32(addr: number): KGen<number> {
    this.check('read', addr, 4);
    return this.inner.read32(addr);
  }
  read64(addr: number): KGen<number> {
    this.check('read', addr, 8);
    return this.inner.read64(addr);
  }
  write16(addr: number, val: number): KGen<void> {
    this.check('write', addr, 2);
    return this.inner.write16(addr, val);
  }
  write32(addr: number, val: number): KGen<void> {
    this.check('write', addr, 4);
    return this.inner.write32(addr, val);
  }
  write64(addr: number, val: number): KGen<void> {
    this.check('write', addr, 8);
    return this.inner.write64(addr, val);
  }
  virtio_mb(w: boolean): KGen<void> {
    return this.inner.virtio_mb(w);
  }
  virtio_rmb(w: boolean): KGen<void> {
    return this.inner.virtio_rmb(w);
  }
  virtio_wmb(w: boolean): KGen<void> {
    return this.inner.virtio_wmb(w);
  }
}

/** Fixed-size slots for indirect tables; throws on a free of something it did not hand out. */
export class TablePool implements VringDmaPool {
  private readonly freeSlots: number[] = [];
  private readonly live = new Map<number, number>();
  allocs = 0;
  constructor(
    readonly base: number,
    readonly slots: number,
    readonly slotBytes: number,
  ) {
    for (let i = slots - 1; i >= 0; i--) this.freeSlots.push(base + i * slotBytes);
  }
  alloc(size: number): number | null {
    if (size > this.slotBytes) return null;
    const a = this.freeSlots.pop();
    if (a === undefined) return null;
    this.live.set(a, size);
    this.allocs++;
    return a;
  }
  free(addr: number, size: number): void {
    if (this.live.get(addr) !== size) throw new Error(`TablePool: bad free of ${String(addr)} (${String(size)} bytes)`);
    this.live.delete(addr);
    this.freeSlots.push(addr);
  }
  get inUse(): number {
    return this.live.size;
  }
  get end(): number {
    return this.base + this.slots * this.slotBytes;
  }
}

export const RING_BASE = 0;
export const RING_ALIGN = 4096;
export const POOL_BASE = 0x20000;
export const BUF_BASE = 0x40000;
export const MEM_BYTES = 0x80000;
export const MAX_SG = 8;

export interface WorldOptions {
  num: number;
  eventIdx?: boolean;
  indirect?: boolean;
  callback?: boolean;
  hardenDetach?: boolean;
  suppress_used_validation?: boolean;
  notify?: VringVirtqueueOptions['notify'];
}

export interface World {
  raw: ArrayBufferVringMemory;
  drvMem: GuardedMemory;
  vq: vring_virtqueue;
  dev: vhost_virtqueue;
  iov: VhostIov;
  pool: TablePool;
  features: bigint;
  ringBytes: number;
  kicks: number;
  interrupts: number;
}

export function featuresOf(o: { eventIdx?: boolean; indirect?: boolean }): bigint {
  let f = 0n;
  if (o.eventIdx === true) f |= 1n << BigInt(VIRTIO_RING_F_EVENT_IDX);
  if (o.indirect === true) f |= 1n << BigInt(VIRTIO_RING_F_INDIRECT_DESC);
  return f;
}

/** A fresh driver/device pair on a ring of `num` entries at address 0. */
export function makeWorld(o: WorldOptions): World {
  const raw = new ArrayBufferVringMemory(MEM_BYTES);
  const ringBytes = vring_size(o.num, RING_ALIGN);
  const pool = new TablePool(POOL_BASE, o.num, MAX_SG * 16);
  const drvMem = new GuardedMemory(raw, [
    [RING_BASE, RING_BASE + ringBytes],
    [pool.base, pool.end],
  ]);
  const features = featuresOf(o);
  const world = { kicks: 0, interrupts: 0 } as World;
  function* notify(vq: vring_virtqueue): KGen<boolean> {
    world.kicks++;
    return o.notify ? yield* o.notify(vq) : true;
  }
  function* callback(): KGen<void> {
    world.interrupts++;
  }
  const vq = runSync(
    vring_new_virtqueue(0, o.num, RING_ALIGN, drvMem, RING_BASE, {
      features,
      notify,
      callback: o.callback === false ? null : callback,
      dmaPool: pool,
      hardenDetach: o.hardenDetach ?? false,
      suppress_used_validation: o.suppress_used_validation ?? false,
    }),
  );
  const dev = runSync(vhost_vq_init_access(vring_init(o.num, RING_BASE, RING_ALIGN), raw, { features }));
  return Object.assign(world, { raw, drvMem, vq, dev, iov: new VhostIov(), pool, features, ringBytes });
}

/** Scatterlist entries for buffer `token`: distinct addresses in the buffer area. */
export function sgFor(token: number, k: number, length: number): { addr: number; length: number } {
  return { addr: BUF_BASE + (token % 1000) * 0x100 + k * 0x20, length };
}

export const S = runSync;
