// A console driver for port 0 (no VIRTIO_CONSOLE_F_MULTIPORT), in the shape of
// drivers/char/virtio_console.c v5.18: init_vqs (receiveq "input", transmitq "output"),
// virtio_device_ready before the receive queue is filled (since 2014, "virtio_console: enable
// VQs early"), fill_queue, in_intr taking buffers under inbuf_lock and giving them back,
// __send_to_port adding one outbuf under outvq_lock after reclaim_consumed_buffers, out_intr.
// Not the tty layer: received bytes are collected for the scenario's properties. Seed 002.

import {
  Cell, DEFINE_SPINLOCK, ENOSPC, complete, init_completion, kassert, wait_for_completion, spin_lock_irqsave, spin_unlock_irqrestore,
  type Completion, type KGen, type SpinLock,
} from '@k/core-sync';
import type { ExploredMemory } from '@k/hw-emu';
import { virtio_device_ready, virtio_find_vqs, virtio_reset_device, type virtio_device, type virtio_driver } from '../core/virtio';
import {
  virtqueue_add_inbuf, virtqueue_add_outbuf, virtqueue_get_buf, virtqueue_kick, type LenOut, type vring_virtqueue,
} from '../ring/virtio_ring';
import { VIRTIO_ID_CONSOLE } from '../devices/models';

/** A DMA buffer of the driver. */
interface PortBuffer {
  readonly addr: number;
  readonly size: number;
}

/** `struct port` (the fields port 0 needs). */
export interface port {
  readonly in_vq: Cell<vring_virtqueue | null>;
  readonly out_vq: Cell<vring_virtqueue | null>;
  readonly inbuf_lock: SpinLock;
  readonly outvq_lock: SpinLock;
  /** messages received, in order */
  readonly received: Uint8Array[];
  /** completed when `expect` messages have arrived */
  readonly all_received: Completion;
  readonly expect: number;
  readonly dma: ExploredMemory;
  readonly txbufs: PortBuffer[];
  /** transmit buffers mapped so far */
  txAllocated: number;
  /** completed by out_intr (the kernel wakes port->waitqueue) */
  readonly tx_done: Completion;
}

/** Options of the driver model. */
export interface VirtioConsoleDriverOptions {
  readonly dma: ExploredMemory;
  /** maps a DMA buffer of `size` bytes, returns its address */
  readonly alloc: (name: string, size: number) => number;
  /** receive buffers to keep in the queue (default 2) and their size (default 16) */
  readonly rxBuffers?: number;
  readonly bufSize?: number;
  /** messages the port waits for (completes `all_received`) */
  readonly expect: number;
}

/** The driver (`virtio_console`, port 0): register it on the virtio bus of a device. */
export function virtio_console_driver(opts: VirtioConsoleDriverOptions): virtio_driver {
  const bufSize = opts.bufSize ?? 16;
  return {
    name: 'virtio_console',
    id_table: [VIRTIO_ID_CONSOLE],
    feature_table: [],
    *probe(vdev: virtio_device): KGen<number> {
      const p: port = {
        in_vq: new Cell<vring_virtqueue | null>(null, 'port->in_vq'),
        out_vq: new Cell<vring_virtqueue | null>(null, 'port->out_vq'),
        inbuf_lock: DEFINE_SPINLOCK('port->inbuf_lock'),
        outvq_lock: DEFINE_SPINLOCK('port->outvq_lock'),
        received: [],
        all_received: init_completion('all_received'),
        expect: opts.expect,
        dma: opts.dma,
        txbufs: [],
        txAllocated: 0,
        tx_done: init_completion('port->waitqueue'),
      };
      vdev.priv = p;
      const vqs = yield* virtio_find_vqs(vdev, [
        { callback: function* in_intr(vq) { yield* port_in_intr(p, vq); }, name: 'input' },
        { callback: function* out_intr() { yield* complete(p.tx_done); }, name: 'output' },
      ]);
      if (typeof vqs === 'number') return vqs;
      yield* p.in_vq.write(vqs[0]!);
      yield* p.out_vq.write(vqs[1]!);
      // Enable the queues before filling them (virtio_console does so since 2014).
      yield* virtio_device_ready(vdev);
      // fill_queue(port->in_vq, &port->inbuf_lock)
      const flags = yield* spin_lock_irqsave(p.inbuf_lock);
      for (let i = 0; i < (opts.rxBuffers ?? 2); i++) {
        const buf: PortBuffer = { addr: opts.alloc(`port.rx${String(i)}`, bufSize), size: bufSize };
        const err = yield* virtqueue_add_inbuf(vqs[0]!, [{ addr: buf.addr, length: buf.size }], buf);
        if (err < 0) break;
      }
      yield* virtqueue_kick(vqs[0]!);
      yield* spin_unlock_irqrestore(p.inbuf_lock, flags);
      return 0;
    },
    *remove(vdev: virtio_device): KGen {
      yield* virtio_reset_device(vdev);
      yield* vdev.config.del_vqs(vdev);
    },
  };
}

/** `in_intr`: take every received buffer, record its bytes and give it back to the device. */
function* port_in_intr(p: port, vq: vring_virtqueue): KGen {
  const in_vq = yield* p.in_vq.read();
  kassert(in_vq !== null, 'in_intr ran before probe set port->in_vq');
  const flags = yield* spin_lock_irqsave(p.inbuf_lock);
  for (;;) {
    const len: LenOut = { value: 0 };
    const buf = (yield* virtqueue_get_buf(vq, len)) as PortBuffer | null;
    if (buf === null) break;
    p.received.push(yield* p.dma.readBytes(buf.addr, Math.min(len.value, buf.size), 'plain'));
    // add_inbuf: the buffer goes back to the device.
    yield* virtqueue_add_inbuf(vq, [{ addr: buf.addr, length: buf.size }], buf);
    if (p.received.length === p.expect) yield* complete(p.all_received);
  }
  yield* virtqueue_kick(vq);
  yield* spin_unlock_irqrestore(p.inbuf_lock, flags);
}

/**
 * `__send_to_port` for port 0: reclaim what the device consumed, copy `msg` into a DMA buffer,
 * add it and kick, under outvq_lock. Returns the bytes queued or a negative errno (-ENOSPC when
 * the transmit queue is full).
 */
export function* send_to_port(vdev: virtio_device, msg: Uint8Array, alloc: (name: string, size: number) => number): KGen<number> {
  const p = vdev.priv as port;
  // port_fops_write: a full transmit queue makes the writer wait for out_intr.
  for (;;) {
    const r = yield* __send_to_port(p, msg, alloc);
    if (r !== -ENOSPC) return r;
    yield* wait_for_completion(p.tx_done);
  }
}

function* __send_to_port(p: port, msg: Uint8Array, alloc: (name: string, size: number) => number): KGen<number> {
  const out_vq = yield* p.out_vq.read();
  kassert(out_vq !== null, 'send_to_port before probe set port->out_vq');
  const flags = yield* spin_lock_irqsave(p.outvq_lock);
  // reclaim_consumed_buffers
  for (;;) {
    const done = (yield* virtqueue_get_buf(out_vq, null)) as PortBuffer | null;
    if (done === null) break;
    p.txbufs.push(done);
  }
  let buf = p.txbufs.find((b) => b.size >= msg.length) ?? null;
  if (buf) p.txbufs.splice(p.txbufs.indexOf(buf), 1);
  else {
    const size = Math.max(msg.length, 1);
    buf = { addr: alloc(`port.tx${String(p.txAllocated++)}`, size), size };
  }
  yield* p.dma.writeBytes(buf.addr, msg, 'plain');
  const err = yield* virtqueue_add_outbuf(out_vq, [{ addr: buf.addr, length: msg.length }], buf);
  if (err === 0) yield* virtqueue_kick(out_vq);
  yield* spin_unlock_irqrestore(p.outvq_lock, flags);
  if (err === -ENOSPC) p.txbufs.push(buf);
  return err < 0 ? err : msg.length;
}
