// A real split virtqueue between Node worker threads: the driver side (virtio_ring.ts) in one
// thread, the device side (vhost.ts) in another, over one SharedArrayBuffer, with kicks and
// interrupts as futex-style Atomics.wait/Atomics.notify on two counters, suppressed by
// VIRTIO_RING_F_EVENT_IDX exactly as the kernel and vhost suppress them.
// Sources: drivers/virtio/virtio_ring.c and drivers/vhost/vhost.c (the ring code is the model's,
// run by runSync); the kick/interrupt wait protocol follows vhost_enable_notify and
// virtqueue_enable_cb_prepare + virtqueue_poll (publish the event index, full barrier, re-check,
// then sleep). Seed 002 ("Beyond: a real ring").

import { KernelError } from '@k/core-sync';
import { VIRTIO_F_VERSION_1, VIRTIO_RING_F_EVENT_IDX } from '../uapi';
import { VRING_AVAIL_LAYOUT, VRING_USED_LAYOUT, checkQueueSize, vring_init, vring_size, type Vring } from '../ring/layout';
import { SharedVringMemory, runSync, type KGen } from '../ring/memory';
import {
  __vring_new_virtqueue,
  more_used,
  virtqueue_add_outbuf,
  virtqueue_disable_cb,
  virtqueue_enable_cb_delayed,
  virtqueue_enable_cb_prepare,
  virtqueue_get_buf,
  virtqueue_kick,
  virtqueue_poll,
  type Scatterlist,
  type vring_virtqueue,
} from '../ring/virtio_ring';
import {
  VhostIov,
  vhost_add_used_n,
  vhost_disable_notify,
  vhost_enable_notify,
  vhost_get_vq_desc,
  vhost_signal,
  vhost_vq_avail_empty,
  vhost_vq_init_access,
  type VhostUsedElem,
  type vhost_virtqueue,
} from '../ring/vhost';

// Header words (Int32 indexes) at the start of the buffer.
const MAGIC = 0x6b767267; // "grvk": a k virtio ring
const H_MAGIC = 0;
const H_NUM = 1;
const H_SLOT = 2;
const H_FEATURES = 3;
const H_KICK = 4; // doorbell counter: the driver's notify
const H_IRQ = 5; // interrupt counter: the device's call
const H_CLOSED = 6;
const HEADER_BYTES = 64;
/**
 * Default busy-poll before sleeping: none. Spinning wins only with a core per end; on a shared
 * or oversubscribed machine it delays the very peer it waits for (see the README's figures).
 */
const DEFAULT_SPIN_US = 0;
const RING_ALIGN = 64;

/** Options of {@link createSabRing}. */
export interface SabRingOptions {
  /** Queue size: a power of 2 up to 32768. Default 256. */
  num?: number;
  /** Bytes per message slot (the largest message). Default 256. */
  slotSize?: number;
  /** Negotiate VIRTIO_RING_F_EVENT_IDX (kick/interrupt suppression by index). Default true. */
  eventIdx?: boolean;
}

/** Options of either end. */
export interface SabEndpointOptions {
  /**
   * Microseconds to busy-poll the ring before sleeping in Atomics.wait (like the kernel's
   * net.core.busy_poll). 0 (the default) sleeps at once: no CPU burnt while idle, a futex wake-up
   * per idle-to-busy transition. With a free core for each end, 50 to 200 brings the round trip
   * down to a few microseconds; the budget must outlast the peer's futex wake-up, or both ends
   * keep falling asleep.
   */
  spinUs?: number;
}

/** Counters of one end, to see notification suppression at work. */
export interface SabRingStats {
  /** Messages sent (driver) or consumed (device). */
  messages: number;
  /** Notifications sent to the other side (kicks by the driver, interrupts by the device). */
  notifies: number;
  /**
   * Times this end asked the other for a notification (published used_event / avail_event
   * before sleeping). With event idx the other end notifies at most once per arm.
   */
  arms: number;
  /** Times this end slept in Atomics.wait. */
  sleeps: number;
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

interface Geometry {
  num: number;
  slotSize: number;
  vring: Vring;
  slots: number;
  bytes: number;
}

function geometry(num: number, slotSize: number): Geometry {
  const vring = vring_init(num, HEADER_BYTES, RING_ALIGN);
  const slots = alignUp(HEADER_BYTES + vring_size(num, RING_ALIGN), RING_ALIGN);
  return { num, slotSize, vring, slots, bytes: slots + num * slotSize };
}

/**
 * Allocates and lays out a SharedArrayBuffer holding one split virtqueue (vring_init with
 * 64-byte alignment) and `num` message slots. Hand it to a worker and attach one
 * {@link SabRingDriver} and one {@link SabRingDevice}.
 * @throws KernelError EINVAL on a bad size.
 */
export function createSabRing(opts: SabRingOptions = {}): SharedArrayBuffer {
  const num = opts.num ?? 256;
  const slotSize = opts.slotSize ?? 256;
  try {
    checkQueueSize(num);
  } catch (e) {
    throw new KernelError('EINVAL', `createSabRing: ${(e as Error).message}`);
  }
  if (!Number.isInteger(slotSize) || slotSize < 1 || slotSize > 1 << 24) {
    throw new KernelError('EINVAL', `createSabRing: slotSize ${String(slotSize)} is not in [1, 2^24]`);
  }
  const g = geometry(num, slotSize);
  const sab = new SharedArrayBuffer(g.bytes);
  const h = new Int32Array(sab, 0, HEADER_BYTES >> 2);
  h[H_NUM] = num;
  h[H_SLOT] = slotSize;
  h[H_FEATURES] = opts.eventIdx === false ? 0 : 1 << VIRTIO_RING_F_EVENT_IDX;
  Atomics.store(h, H_MAGIC, MAGIC);
  return sab;
}

function attach(sab: SharedArrayBuffer, who: string): { g: Geometry; h: Int32Array; features: bigint } {
  if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < HEADER_BYTES) {
    throw new KernelError('EINVAL', `${who}: expected a SharedArrayBuffer made by createSabRing`);
  }
  const h = new Int32Array(sab, 0, HEADER_BYTES >> 2);
  if (Atomics.load(h, H_MAGIC) !== MAGIC) throw new KernelError('EINVAL', `${who}: not a ring made by createSabRing`);
  const g = geometry(h[H_NUM]!, h[H_SLOT]!);
  if (g.bytes !== sab.byteLength) throw new KernelError('EINVAL', `${who}: the buffer size does not match its header`);
  const features = BigInt(h[H_FEATURES]!) | (1n << BigInt(VIRTIO_F_VERSION_1));
  return { g, h, features };
}

function spinBudgetMs(opts: SabEndpointOptions): number {
  const us = opts.spinUs ?? DEFAULT_SPIN_US;
  if (!(us >= 0) || !Number.isFinite(us)) throw new KernelError('EINVAL', `spinUs ${String(us)} is not a finite number >= 0`);
  return us / 1000;
}

/**
 * What both ends share: the checked header, the ring memory, the futex words, the busy-poll.
 */
abstract class SabEndpoint {
  readonly stats: SabRingStats = { messages: 0, notifies: 0, arms: 0, sleeps: 0 };
  protected readonly h: Int32Array;
  protected readonly g: Geometry;
  protected readonly mem: SharedVringMemory;
  protected readonly bytes: Uint8Array;
  protected readonly features: bigint;
  private readonly u16: Uint16Array;
  private readonly spinMs: number;

  protected constructor(sab: SharedArrayBuffer, opts: SabEndpointOptions, who: string) {
    const { g, h, features } = attach(sab, who);
    this.g = g;
    this.h = h;
    this.features = features;
    this.spinMs = spinBudgetMs(opts);
    this.mem = new SharedVringMemory(sab);
    this.bytes = this.mem.bytes;
    this.u16 = new Uint16Array(sab, 0, sab.byteLength >> 1);
  }

  /** A kick (H_KICK) or an interrupt (H_IRQ): bump the futex word and wake its sleeper. */
  protected signal(word: number): void {
    this.stats.notifies++;
    Atomics.add(this.h, word, 1);
    Atomics.notify(this.h, word, 1);
  }

  /**
   * Busy-polls the ring index at byte `addr` until it differs from `seen` (a hint only: the
   * model's get_buf / vhost_get_vq_desc decide), for at most the spin budget.
   */
  protected spinUntilMoved(addr: number, seen: number): boolean {
    if (this.spinMs <= 0) return false;
    const i = addr >> 1;
    const end = performance.now() + this.spinMs;
    for (let k = 1; ; k++) {
      if (Atomics.load(this.u16, i) !== seen) return true;
      if ((k & 63) === 0 && performance.now() > end) return false;
    }
  }

  /** Sleeps until futex word `word` moves from `seen`, or `ms` pass. False on timeout. */
  protected sleep(word: number, seen: number, ms: number): boolean {
    this.stats.sleeps++;
    return Atomics.wait(this.h, word, seen, ms) !== 'timed-out';
  }
}

/**
 * The driver end: posts messages as device-readable buffers (virtqueue_add_outbuf + kick) and
 * reclaims them when the device has used them (virtqueue_get_buf). Single-threaded: one
 * driver per ring.
 */
export class SabRingDriver extends SabEndpoint {
  /** The model's queue: its fields are the kernel's (num_free, last_used_idx, broken...). */
  readonly vq: vring_virtqueue;
  private readonly free: number[] = [];

  private constructor(sab: SharedArrayBuffer, opts: SabEndpointOptions) {
    super(sab, opts, 'SabRingDriver');
    const notify = (): KGen<boolean> => {
      this.signal(H_KICK);
      return done(true);
    };
    // The "callback" is this thread waking from Atomics.wait; interrupts start disabled.
    this.vq = runSync(
      __vring_new_virtqueue(0, this.g.vring, this.mem, { features: this.features, notify, callback: noCallback, name: 'sab-tx' }),
    );
    runSync(virtqueue_disable_cb(this.vq));
    for (let s = this.g.num - 1; s >= 0; s--) this.free.push(s);
  }

  /** Attaches the driver end to a ring made by {@link createSabRing}. */
  static attach(sab: SharedArrayBuffer, opts: SabEndpointOptions = {}): SabRingDriver {
    return new SabRingDriver(sab, opts);
  }

  /** Buffers posted and not yet returned by the device. */
  get inFlight(): number {
    return this.g.num - this.free.length;
  }

  /** Collects every buffer the device has used; returns how many. */
  reclaim(): number {
    let n = 0;
    for (;;) {
      const slot = runSync(virtqueue_get_buf(this.vq));
      if (slot === null) break;
      this.free.push(slot as number);
      n++;
    }
    if (this.vq.broken.peek()) throw new KernelError('EIO', `SabRingDriver: the ring is broken: ${String(this.vq.broken_reason)}`);
    return n;
  }

  /**
   * Posts one message (copied into a slot), waiting for a free slot if all are in flight, and
   * kicks the device if it asked for it (event idx). Returns false on timeout.
   * @throws KernelError EMSGSIZE when the message is larger than a slot, EIO when the ring broke,
   * ESHUTDOWN when the ring was closed.
   */
  send(msg: Uint8Array, timeoutMs = Infinity): boolean {
    if (!this.post(msg, timeoutMs)) return false;
    runSync(virtqueue_kick(this.vq));
    return true;
  }

  /** Posts several messages and kicks once. Returns how many were posted before a timeout. */
  sendMany(msgs: readonly Uint8Array[], timeoutMs = Infinity): number {
    let n = 0;
    for (const m of msgs) {
      if (!this.post(m, timeoutMs)) break;
      n++;
    }
    runSync(virtqueue_kick(this.vq));
    return n;
  }

  private post(msg: Uint8Array, timeoutMs: number): boolean {
    if (!(msg instanceof Uint8Array)) throw new KernelError('EINVAL', 'SabRingDriver.send: expected a Uint8Array');
    if (msg.byteLength > this.g.slotSize) {
      throw new KernelError('EMSGSIZE', `SabRingDriver.send: ${String(msg.byteLength)} bytes > slot size ${String(this.g.slotSize)}`);
    }
    if (Atomics.load(this.h, H_CLOSED) !== 0) throw new KernelError('ESHUTDOWN', 'SabRingDriver.send: the ring is closed');
    if (this.free.length === 0) this.reclaim();
    while (this.free.length === 0) {
      if (!this.waitUsed(timeoutMs, true)) return false;
      this.reclaim();
    }
    const slot = this.free.pop()!;
    const addr = this.g.slots + slot * this.g.slotSize;
    this.bytes.set(msg, addr);
    const sg: Scatterlist[] = [{ addr, length: msg.byteLength }];
    const ret = runSync(virtqueue_add_outbuf(this.vq, sg, slot));
    if (ret < 0) {
      this.free.push(slot);
      throw new KernelError(-ret, `SabRingDriver.send: virtqueue_add_outbuf returned ${String(ret)}`);
    }
    this.stats.messages++;
    return true;
  }

  /**
   * Waits until the device has returned every posted buffer: when it returns true, every
   * message sent before it has been consumed. False when `timeoutMs` passed first.
   */
  flush(timeoutMs = Infinity): boolean {
    const deadline = performance.now() + timeoutMs;
    this.reclaim();
    while (this.free.length < this.g.num) {
      const left = deadline - performance.now();
      if (left <= 0 || !this.waitUsed(left, false)) return false;
      this.reclaim();
    }
    return true;
  }

  /** Sleeps until the device used a buffer: spin, then enable callbacks, re-check, Atomics.wait. */
  private waitUsed(timeoutMs: number, delayed: boolean): boolean {
    if (this.spinUntilMoved(this.g.vring.used + VRING_USED_LAYOUT.idx, this.vq.last_used_idx)) return true;
    const seen = Atomics.load(this.h, H_IRQ);
    this.stats.arms++;
    let pending: boolean;
    if (delayed) pending = !runSync(virtqueue_enable_cb_delayed(this.vq));
    else pending = runSync(virtqueue_poll(this.vq, runSync(virtqueue_enable_cb_prepare(this.vq))));
    let woke = true;
    if (!pending) {
      if (Atomics.load(this.h, H_CLOSED) !== 0) throw new KernelError('ESHUTDOWN', 'SabRingDriver: the ring is closed');
      woke = this.sleep(H_IRQ, seen, timeoutMs);
    }
    runSync(virtqueue_disable_cb(this.vq));
    return woke || runSync(more_used(this.vq));
  }

  /** Closes the ring: the device's run() returns once it has drained what was posted. */
  close(): void {
    Atomics.store(this.h, H_CLOSED, 1);
    for (const word of [H_KICK, H_IRQ]) {
      Atomics.add(this.h, word, 1);
      Atomics.notify(this.h, word);
    }
  }
}

function* noCallback(): KGen<void> {
  return;
}

/** A finished ring operation returning `v` (the hooks here never yield). */
function* done<T>(v: T): KGen<T> {
  return v;
}

/**
 * The device end: pops messages (vhost_get_vq_desc), hands each to a handler as a view of its
 * slot (valid only during the call), returns the buffer (vhost_add_used) and interrupts the
 * driver when it asked (vhost_signal).
 */
export class SabRingDevice extends SabEndpoint {
  /** The model's device-side queue (last_avail_idx, used_flags, broken...). */
  readonly vq: vhost_virtqueue;
  private readonly iov = new VhostIov();
  /** Used elements of the current batch, returned with one vhost_add_used_n (as vhost-net does). */
  private readonly heads: VhostUsedElem[];
  private readonly batch: number;

  private constructor(sab: SharedArrayBuffer, opts: SabEndpointOptions) {
    super(sab, opts, 'SabRingDevice');
    const call = (): KGen<void> => {
      this.signal(H_IRQ);
      return done(undefined);
    };
    this.vq = runSync(vhost_vq_init_access(this.g.vring, this.mem, { features: this.features, call }));
    runSync(vhost_disable_notify(this.vq));
    this.batch = Math.max(1, Math.min(64, this.g.num >> 1));
    this.heads = Array.from({ length: this.batch }, () => ({ id: 0, len: 0 }));
  }

  /** Attaches the device end to a ring made by {@link createSabRing}. */
  static attach(sab: SharedArrayBuffer, opts: SabEndpointOptions = {}): SabRingDevice {
    return new SabRingDevice(sab, opts);
  }

  /**
   * Consumes every message available now (up to `max`), then interrupts the driver if it asked.
   * Returns how many were consumed.
   * @throws KernelError EIO when the driver broke a ring rule (the message says which).
   */
  poll(handler: (msg: Uint8Array) => void, max = Infinity): number {
    let n = 0;
    let batch = 0;
    try {
      while (n < max) {
        const head = runSync(vhost_get_vq_desc(this.vq, this.iov));
        if (head < 0) throw new KernelError('EIO', `SabRingDevice: ${String(this.vq.error)}`);
        if (head === this.g.num) break;
        this.deliver(handler);
        this.heads[batch]!.id = head;
        n++;
        // One used->idx store per batch (vhost-net batches 64), small enough to keep the driver busy.
        if (++batch === this.batch) {
          runSync(vhost_add_used_n(this.vq, this.heads, batch));
          batch = 0;
        }
      }
    } finally {
      if (batch > 0) runSync(vhost_add_used_n(this.vq, this.heads, batch));
      if (n > 0) {
        this.stats.messages += n;
        runSync(vhost_signal(this.vq));
      }
    }
    return n;
  }

  private deliver(handler: (msg: Uint8Array) => void): void {
    const iov = this.iov;
    if (iov.out_num === 1 && iov.in_num === 0) {
      const a = iov.addr[0]!;
      handler(this.bytes.subarray(a, a + iov.len[0]!));
      return;
    }
    const msg = new Uint8Array(iov.outBytes());
    let at = 0;
    for (let k = 0; k < iov.out_num; k++) {
      msg.set(this.bytes.subarray(iov.addr[k]!, iov.addr[k]! + iov.len[k]!), at);
      at += iov.len[k]!;
    }
    handler(msg);
  }

  /**
   * Serves the ring until the driver closes it (and it is drained) or `timeoutMs` passes with
   * nothing to do: poll, spin, then re-enable kicks and sleep in Atomics.wait.
   * Returns the number of messages consumed.
   */
  run(handler: (msg: Uint8Array) => void, timeoutMs = Infinity): number {
    let total = 0;
    for (;;) {
      total += this.poll(handler);
      if (this.spinUntilMoved(this.g.vring.avail + VRING_AVAIL_LAYOUT.idx, this.vq.last_avail_idx)) continue;
      const seen = Atomics.load(this.h, H_KICK);
      this.stats.arms++;
      if (runSync(vhost_enable_notify(this.vq))) {
        runSync(vhost_disable_notify(this.vq));
        continue;
      }
      if (Atomics.load(this.h, H_CLOSED) !== 0) {
        runSync(vhost_disable_notify(this.vq));
        if (runSync(vhost_vq_avail_empty(this.vq))) return total;
        continue;
      }
      const woke = this.sleep(H_KICK, seen, timeoutMs);
      runSync(vhost_disable_notify(this.vq));
      if (!woke && runSync(vhost_vq_avail_empty(this.vq))) return total;
    }
  }
}
