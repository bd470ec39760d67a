// Device models on the virtio-mmio device side: an entropy device (virtio 1.x spec 5.4,
// "Entropy Device"), a console that loops what the driver transmits back to its receive queue
// (spec 5.3, "Console Device", port 0 without VIRTIO_CONSOLE_F_MULTIPORT), and a hostile device
// that interrupts at any moment, completes buffers with made-up ids and lengths and rewrites the
// rings under the driver, each misbehaviour a choice of the explorer. Seed 002.

import { A_SYNC, BLOCK_SLEEP, Op, choose, type KGen, type World } from '@k/core-sync';
import { VRING_DESC_F_NEXT, VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_VRING } from '../uapi';
import { VRING_DESC_LAYOUT, VRING_USED_LAYOUT } from '../ring/layout';
import {
  VhostIov, vhost_add_used, vhost_get_vq_desc, vhost_signal, type vhost_virtqueue,
} from '../ring/vhost';
import { VirtioMmioDevice, type VirtioMmioDeviceOptions } from '../mmio/device';

/** Virtio device ids (spec 5). */
export const VIRTIO_ID_NET = 1;
export const VIRTIO_ID_CONSOLE = 3;
export const VIRTIO_ID_RNG = 4;

type ModelOptions = Omit<VirtioMmioDeviceOptions, 'deviceId' | 'queues'> & { readonly queueSize?: number };

/** Pops every available buffer of `vq`; `serve` fills it and returns the used length (or null to stop). */
function* serveQueue(dev: VirtioMmioDevice, vq: vhost_virtqueue, iov: VhostIov, serve: (iov: VhostIov) => KGen<number | null>): KGen<number> {
  const gen = dev.generation;
  let served = 0;
  for (;;) {
    if (gen !== dev.generation || !dev.live) return served;
    const head = yield* vhost_get_vq_desc(vq, iov);
    if (head < 0 || head === vq.num) return served;
    const len = yield* serve(iov);
    if (len === null || gen !== dev.generation) return served;
    yield* vhost_add_used(vq, head, len);
    served++;
    if (yield* vhost_signal(vq)) dev.notifyUsed();
  }
}

/**
 * virtio-rng: one queue ("requestq") of device-writable buffers, each filled with entropy. The
 * bytes come from a seeded counter (the model reads no real randomness), so runs replay.
 */
export class VirtioRngDevice extends VirtioMmioDevice {
  private counter: number;
  /** bytes handed out */
  produced = 0;

  constructor(name: string, opts: ModelOptions & { readonly seed?: number }) {
    super(name, { ...opts, deviceId: 4, queues: [opts.queueSize ?? 4] });
    this.counter = opts.seed ?? 1;
  }

  /** The next `n` entropy bytes. */
  entropy(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      this.counter = (Math.imul(this.counter, 1103515245) + 12345) >>> 0;
      out[i] = this.counter >>> 24;
    }
    return out;
  }

  /** Starts the device's agent in world `k`. */
  start(k: World): void {
    this.agent(k, 'requestq', () => this.requestq());
  }

  private *requestq(): KGen {
    const iov = new VhostIov();
    for (;;) {
      yield* this.waitForWork();
      const vq = yield* this.startQueue(0);
      if (!vq) continue;
      yield* serveQueue(this, vq, iov, (b) => this.fill(b));
    }
  }

  private *fill(b: VhostIov): KGen<number> {
    let written = 0;
    for (let s = b.out_num; s < b.out_num + b.in_num; s++) {
      const len = b.len[s]!;
      yield* this.mem.dma.writeBytes(b.addr[s]!, this.entropy(len), 'plain');
      written += len;
    }
    this.produced += written;
    return written;
  }
}

/**
 * A console that echoes: every buffer the driver transmits on transmitq (queue 1) comes back, in
 * order, in the next buffer of receiveq (queue 0). A message waits in the device while no receive
 * buffer is available; it is truncated to the receive buffer's size.
 */
export class VirtioConsoleLoopback extends VirtioMmioDevice {
  /** messages read from transmitq and not yet delivered */
  readonly pending: Uint8Array[] = [];
  /** messages transmitted, and delivered */
  transmitted = 0;
  delivered = 0;

  constructor(name: string, opts: ModelOptions) {
    // struct virtio_console_config: cols u16, rows u16, max_nr_ports u32, emerg_wr u32.
    super(name, { ...opts, deviceId: 3, queues: [opts.queueSize ?? 4, opts.queueSize ?? 4], config: new Uint8Array([80, 0, 25, 0, 1, 0, 0, 0, 0, 0, 0, 0]) });
  }

  /** Starts the device's agent in world `k`. */
  start(k: World): void {
    this.agent(k, 'console', () => this.loop());
  }

  private *loop(): KGen {
    const iov = new VhostIov();
    for (;;) {
      yield* this.waitForWork();
      const rx = yield* this.startQueue(0);
      const tx = yield* this.startQueue(1);
      if (tx) yield* serveQueue(this, tx, iov, (b) => this.transmit(b));
      if (rx && this.pending.length > 0) yield* serveQueue(this, rx, iov, (b) => this.receive(b));
    }
  }

  /** A transmitq buffer: its readable bytes become a pending message. */
  private *transmit(b: VhostIov): KGen<number> {
    const parts: Uint8Array[] = [];
    for (let s = 0; s < b.out_num; s++) parts.push(yield* this.mem.dma.readBytes(b.addr[s]!, b.len[s]!, 'plain'));
    this.pending.push(concat(parts));
    this.transmitted++;
    return 0;
  }

  /** A receiveq buffer: the oldest pending message goes in, truncated to the buffer. */
  private *receive(b: VhostIov): KGen<number | null> {
    const msg = this.pending[0];
    if (msg === undefined) return null;
    let off = 0;
    for (let s = b.out_num; s < b.out_num + b.in_num && off < msg.length; s++) {
      const n = Math.min(b.len[s]!, msg.length - off);
      yield* this.mem.dma.writeBytes(b.addr[s]!, msg.subarray(off, off + n), 'plain');
      off += n;
    }
    this.pending.shift();
    this.delivered++;
    return off;
  }
}

/** The bytes of `parts`, one after the other. @internal */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** What a hostile device did, for traces and properties. */
export type HostileAction = 'quiet' | 'spurious-irq' | 'fake-used' | 'rewrite-desc' | 'config-irq';

/** Options of the hostile device. */
export interface HostileDeviceOptions extends ModelOptions {
  /** the DeviceID it claims (the driver it attacks) */
  readonly deviceId: number;
  /** queues it offers (QueueNumMax each; default one queue of 4) */
  readonly queues?: readonly number[];
  /** misbehaviours at most per execution (default 4) */
  readonly strikes?: number;
  /** the misbehaviours the explorer may choose from (default all) */
  readonly actions?: readonly Exclude<HostileAction, 'quiet'>[];
}

/**
 * A device that ignores the rules: once the driver has made a queue ready, after each register
 * access of the driver it may (the explorer chooses) raise its interrupt whatever the status (before DRIVER_OK, after a reset),
 * complete a buffer it was never given or with a length it did not write (the used id and length
 * are choices too), rewrite a descriptor's NEXT flag and link under the driver, or change its
 * config space and raise a configuration interrupt. It remembers ring addresses across resets.
 */
export class HostileDevice extends VirtioMmioDevice {
  readonly log: HostileAction[] = [];
  private accesses = 0;
  private seen = 0;
  private readonly strikes: number;
  private readonly actions: readonly Exclude<HostileAction, 'quiet'>[];
  /** ring addresses of queue 0 as the driver last programmed them */
  private ring: { num: number; desc: number; used: number } | null = null;
  private usedIdx = 0;
  private readonly opAccess: Op;

  constructor(name: string, opts: HostileDeviceOptions) {
    super(name, { ...opts, queues: opts.queues ?? [opts.queueSize ?? 4] });
    this.strikes = opts.strikes ?? 4;
    this.actions = opts.actions ?? ['spurious-irq', 'fake-used', 'rewrite-desc', 'config-irq'];
    this.opAccess = new Op(`${name}: watch the driver`, this, BLOCK_SLEEP, A_SYNC, () => this.accesses !== this.seen);
    // Every register access of the driver wakes the device (its chance to strike).
    const bank = this.bank;
    const read = bank.read.bind(bank);
    const write = bank.write.bind(bank);
    bank.read = (o, s, i) => {
      this.accesses++;
      return read(o, s, i);
    };
    bank.write = (o, s, v, i) => {
      this.accesses++;
      const r = write(o, s, v, i);
      const q = this.queues[0];
      if (q && q.ready && q.num > 0) this.ring = { num: q.num, desc: Number(q.desc), used: Number(q.device) };
      return r;
    };
  }

  /** Starts the device's agent in world `k`. */
  start(k: World): void {
    this.agent(k, 'hostile', () => this.attack());
  }

  private *attack(): KGen {
    let left = this.strikes;
    while (left > 0) {
      yield this.opAccess;
      this.seen = this.accesses;
      // It attacks once the driver has shown it a ring (and remembers it across resets).
      if (this.ring === null || choose(2, 'hostile device strikes') === 0) continue;
      const act = this.actions[choose(this.actions.length, 'hostile action')]!;
      left--;
      yield* this.strike(act);
    }
  }

  private *strike(act: Exclude<HostileAction, 'quiet'>): KGen {
    const ring = this.ring;
    const dma = this.mem.dma;
    switch (act) {
      case 'spurious-irq':
        break;
      case 'fake-used': {
        if (!ring) break;
        // A used element with an id and a length of the explorer's choosing.
        const ids = [0, 1, ring.num - 1, ring.num];
        const lens = [0, 1, 64, 65, 0xffffffff];
        const id = ids[choose(ids.length, 'hostile used id')]!;
        const len = lens[choose(lens.length, 'hostile used len')]!;
        const elem = ring.used + VRING_USED_LAYOUT.ring + (this.usedIdx % ring.num) * VRING_USED_LAYOUT.entry;
        yield* dma.write32(elem, id >>> 0);
        yield* dma.write32(elem + 4, len >>> 0);
        this.usedIdx = (this.usedIdx + 1) & 0xffff;
        yield* dma.write16(ring.used + VRING_USED_LAYOUT.idx, this.usedIdx);
        break;
      }
      case 'rewrite-desc': {
        if (!ring) break;
        const i = choose(ring.num, 'hostile rewrites descriptor');
        const d = ring.desc + i * VRING_DESC_LAYOUT.size;
        yield* dma.write16(d + VRING_DESC_LAYOUT.flags, VRING_DESC_F_NEXT);
        yield* dma.write16(d + VRING_DESC_LAYOUT.next, choose(ring.num, 'hostile next'));
        break;
      }
      case 'config-irq':
        this.configSpace[0] = (this.configSpace[0]! + 1) & 0xff;
        this.config_generation = (this.config_generation + 1) >>> 0;
        this.log.push(act);
        this.interrupt(VIRTIO_MMIO_INT_CONFIG);
        return;
    }
    this.log.push(act);
    this.interrupt(VIRTIO_MMIO_INT_VRING);
  }
}
