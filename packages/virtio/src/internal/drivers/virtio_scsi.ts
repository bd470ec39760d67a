// The driver of the seed thread's example: virtio-scsi's event queue. Source:
// drivers/scsi/virtio_scsi.c v5.18 (virtscsi_probe, virtscsi_init, virtscsi_init_vq,
// virtscsi_kick_event_all, virtscsi_event_done, virtscsi_vq_done, virtscsi_remove,
// virtscsi_remove_vqs), reduced to the event queue: probe runs find_vqs (the interrupt is
// requested there), then the driver-specific setup virtscsi_init_vq(&vscsi->event_vq, vqs[0]),
// then virtio_device_ready and only then fills the event queue; the callback reads
// vscsi->event_vq.vq. Jason Wang's point in the thread: "We need to make sure the event_done
// reads driver_ok before read vscsi->event_vq." Not the SCSI midlayer. Seed 002.

import {
  Cell, ENOMEM, GFP_KERNEL, kassert, kfree, kzalloc, spin_lock_init, spin_lock_irqsave, spin_unlock_irqrestore,
  type KGen, type SpinLock,
} from '@k/core-sync';
import { virtio_device_ready, virtio_find_vqs, virtio_reset_device, type virtio_device, type virtio_driver } from '../core/virtio';
import {
  virtqueue_add_inbuf, virtqueue_disable_cb, virtqueue_enable_cb, virtqueue_get_buf, virtqueue_kick, type LenOut,
  type vring_virtqueue,
} from '../ring/virtio_ring';

/** VIRTIO_ID_SCSI (spec 5.6). */
export const VIRTIO_ID_SCSI = 8;
/** Event buffers the driver keeps queued (VIRTIO_SCSI_EVENT_LEN is 8 in the kernel). */
export const VIRTSCSI_EVENTS = 2;
/** sizeof(struct virtio_scsi_event) */
export const VIRTSCSI_EVENT_SIZE = 16;

/** `struct virtio_scsi_vq`. */
export interface virtio_scsi_vq {
  /** protects vq */
  readonly vq_lock: SpinLock;
  readonly vq: Cell<vring_virtqueue | null>;
}

/** `struct virtio_scsi` (the event queue part). */
export interface virtio_scsi {
  readonly event_vq: virtio_scsi_vq;
  /** DMA addresses of the event buffers (vscsi->event_list[i].event) */
  readonly events: readonly number[];
  /** events handled (virtscsi_complete_event) */
  readonly handled: Cell<number>;
}

/** Options of the driver model. */
export interface VirtioScsiDriverOptions {
  /** maps a DMA buffer of `size` bytes, returns its address */
  readonly alloc: (name: string, size: number) => number;
  /** called first in every event callback, with the device (the scenario's properties) */
  readonly onCallback?: (vdev: virtio_device) => void;
}

/** `virtscsi_init_vq`: the driver-specific setup the callback depends on. */
function* virtscsi_init_vq(virtscsi_vq: virtio_scsi_vq, vq: vring_virtqueue): KGen {
  yield* virtscsi_vq.vq.write(vq);
}

/** `virtscsi_kick_event_all` (virtscsi_kick_event for each buffer). */
function* virtscsi_kick_event_all(vscsi: virtio_scsi): KGen {
  const vq = yield* vscsi.event_vq.vq.read();
  kassert(vq !== null, 'virtscsi_kick_event_all: event_vq.vq is NULL');
  const flags = yield* spin_lock_irqsave(vscsi.event_vq.vq_lock);
  for (const ev of vscsi.events) yield* virtqueue_add_inbuf(vq, [{ addr: ev, length: VIRTSCSI_EVENT_SIZE }], ev);
  yield* virtqueue_kick(vq);
  yield* spin_unlock_irqrestore(vscsi.event_vq.vq_lock, flags);
}

/** `virtscsi_vq_done`: drain the queue with callbacks off, until enable_cb finds nothing new. */
function* virtscsi_vq_done(vscsi: virtio_scsi, virtscsi_vq: virtio_scsi_vq): KGen {
  // struct virtqueue *vq = virtscsi_vq->vq; -- the driver state the thread is about.
  const vq = yield* virtscsi_vq.vq.read();
  kassert(vq !== null, 'virtscsi_vq_done: virtscsi_vq->vq is NULL (the callback ran on uninitialised driver state)');
  const flags = yield* spin_lock_irqsave(virtscsi_vq.vq_lock);
  do {
    yield* virtqueue_disable_cb(vq);
    const len: LenOut = { value: 0 };
    while ((yield* virtqueue_get_buf(vq, len)) !== null) {
      // virtscsi_complete_event: queue the event work (counted here).
      yield* vscsi.handled.write((yield* vscsi.handled.read()) + 1);
    }
  } while (!(yield* virtqueue_enable_cb(vq)));
  yield* spin_unlock_irqrestore(virtscsi_vq.vq_lock, flags);
}

/** The driver (`virtio_scsi_driver`, event queue only). */
export function virtio_scsi_driver(opts: VirtioScsiDriverOptions): virtio_driver {
  return {
    name: 'virtio_scsi',
    id_table: [VIRTIO_ID_SCSI],
    feature_table: [],
    *probe(vdev: virtio_device): KGen<number> {
      const events = Array.from({ length: VIRTSCSI_EVENTS }, (_, i) => opts.alloc(`vscsi.event${String(i)}`, VIRTSCSI_EVENT_SIZE));
      const vscsi = yield* kzalloc<virtio_scsi>(() => ({
        event_vq: { vq_lock: spin_lock_init('event_vq.vq_lock'), vq: new Cell<vring_virtqueue | null>(null, 'vscsi->event_vq.vq') },
        events,
        handled: new Cell(0, 'vscsi->handled'),
      }), GFP_KERNEL, 'vscsi');
      if (vscsi === null) return -ENOMEM;
      vdev.priv = vscsi;
      // virtscsi_init: virtio_find_vqs requests the interrupt and sets the queues up.
      const vqs = yield* virtio_find_vqs(vdev, [{
        callback: function* virtscsi_event_done(): KGen {
          opts.onCallback?.(vdev);
          const v = vdev.priv as virtio_scsi;
          yield* virtscsi_vq_done(v, v.event_vq);
        },
        name: 'event',
      }]);
      if (typeof vqs === 'number') {
        yield* kfree(vscsi);
        return vqs;
      }
      // Driver specific setup, between request_irq and virtio_device_ready.
      yield* virtscsi_init_vq(vscsi.event_vq, vqs[0]!);
      yield* virtio_device_ready(vdev);
      yield* virtscsi_kick_event_all(vscsi);
      return 0;
    },
    *remove(vdev: virtio_device): KGen {
      const vscsi = vdev.priv as virtio_scsi;
      // virtscsi_remove_vqs: stop all the virtqueues, then delete them.
      yield* virtio_reset_device(vdev);
      yield* vdev.config.del_vqs(vdev);
      // scsi_host_put: the last reference frees the host and vscsi with it.
      yield* kfree(vscsi);
    },
  };
}
