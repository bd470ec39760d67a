// The virtio entropy driver. Source: drivers/char/hw_random/virtio-rng.c as of v5.18
// (struct virtrng_info, random_recv_done, request_entropy, copy_data, virtio_read,
// probe_common, remove_common, virtrng_scan): one queue, one 64-byte buffer (vi->data,
// SMP_CACHE_BYTES) always offered to the device, the entropy request made in probe, before
// DRIVER_OK (fixed in v5.19 by 228432551bd8, "virtio-rng: make device ready before making
// request"). Seed 002.
//
// `random_recv_done` passes &vi->data_avail to virtqueue_get_buf as v5.18 does: the ring writes
// the device's length there before it validates the used id, and virtio_read reads it with a
// plain load (a data race with the callback). The `local_len` option is the later fix
// (ac52578d6e8d, "hwrng: virtio - Fix race on data_avail and actual data"): the length goes into
// a local and is published with smp_store_release only for a buffer the ring accepted, and
// virtio_read reads it with smp_load_acquire.
// wait_for_completion_killable is modelled as a wait the user kills after one second.

import {
  Cell, ENODEV, ERESTARTSYS, complete, init_completion, kassert, msecs_to_jiffies, reinit_completion, smp_load_acquire,
  smp_store_release,
  wait_for_completion_timeout, type Completion, type KGen,
} from '@k/core-sync';
import type { ExploredMemory } from '@k/hw-emu';
import { virtio_find_single_vq, virtio_reset_device, type virtio_device, type virtio_driver } from '../core/virtio';
import { virtqueue_add_inbuf, virtqueue_get_buf, virtqueue_kick, type LenOut, type vring_virtqueue } from '../ring/virtio_ring';
import { VIRTIO_ID_RNG, concat } from '../devices/models';

/** sizeof(vi->data): SMP_CACHE_BYTES on x86-64 and arm64. */
export const VIRTRNG_DATA_SIZE = 64;

/** `struct virtrng_info` (the fields the model needs). */
export interface virtrng_info {
  readonly index: number;
  /** vi->vq: NULL until virtio_find_single_vq returned */
  readonly vq: Cell<vring_virtqueue | null>;
  readonly have_data: Completion;
  readonly data_avail: Cell<number>;
  readonly data_idx: Cell<number>;
  readonly hwrng_removed: Cell<boolean>;
  hwrng_register_done: boolean;
  /** DMA address of vi->data[VIRTRNG_DATA_SIZE] */
  readonly data: number;
  /** the memory vi->data is in */
  readonly dma: ExploredMemory;
  /** ac52578d6e8d's data path (see the file header) */
  readonly local_len: boolean;
}

/** Options of the driver model. */
export interface VirtioRngDriverOptions {
  /** where vi->data lives: a buffer of VIRTRNG_DATA_SIZE bytes in DMA memory */
  readonly allocData: () => number;
  readonly dma: ExploredMemory;
  /** take the used length into a local (later kernels) instead of &vi->data_avail (v5.18) */
  readonly local_len?: boolean;
  /** the ring does not validate used lengths (v5.18: 939779f5152d was reverted); default false */
  readonly suppress_used_validation?: boolean;
}

function* request_entropy(vi: virtrng_info): KGen {
  reinit_completion(vi.have_data);
  // ac52578d6e8d drops this store: data_avail is already 0 when a new request is made.
  if (!vi.local_len) yield* vi.data_avail.write(0);
  yield* vi.data_idx.write(0);
  const vq = yield* vi.vq.read();
  kassert(vq !== null, 'request_entropy: vi->vq is NULL');
  // There should always be room for one buffer (the return value is ignored, as in the kernel).
  yield* virtqueue_add_inbuf(vq, [{ addr: vi.data, length: VIRTRNG_DATA_SIZE }], vi.data);
  yield* virtqueue_kick(vq);
}

/** `copy_data`: memcpy up to `size` bytes from vi->data + vi->data_idx; a new request when drained. */
function* copy_data(vi: virtrng_info, size: number): KGen<Uint8Array> {
  const n = Math.min(size, yield* vi.data_avail.read()) >>> 0;
  const idx = yield* vi.data_idx.read();
  const bytes = yield* vi.dma.readBytes(vi.data + idx, n, 'plain');
  yield* vi.data_idx.write((idx + n) >>> 0);
  const left = ((yield* vi.data_avail.read()) - n) >>> 0;
  yield* vi.data_avail.write(left);
  if (left === 0) yield* request_entropy(vi);
  return bytes;
}

/** The driver (`virtio_rng_driver`): register it on the virtio bus of a device. */
export function virtio_rng_driver(opts: VirtioRngDriverOptions): virtio_driver {
  return {
    name: 'virtio_rng',
    id_table: [VIRTIO_ID_RNG],
    feature_table: [],
    suppress_used_validation: opts.suppress_used_validation === true,
    *probe(vdev: virtio_device): KGen<number> {
      const vi: virtrng_info = {
        index: vdev.index,
        vq: new Cell<vring_virtqueue | null>(null, 'vi->vq'),
        have_data: init_completion('vi->have_data'),
        data_avail: new Cell(0, 'vi->data_avail'),
        data_idx: new Cell(0, 'vi->data_idx'),
        hwrng_removed: new Cell(false, 'vi->hwrng_removed'),
        hwrng_register_done: false,
        data: opts.allocData(),
        dma: opts.dma,
        local_len: opts.local_len === true,
      };
      vdev.priv = vi;
      // We expect a single virtqueue.
      const vq = yield* virtio_find_single_vq(vdev, function* random_recv_done(): KGen {
        const v = vdev.priv as virtrng_info;
        const q = yield* v.vq.read();
        // The kernel dereferences vi->vq here: NULL before probe stored it.
        kassert(q !== null, 'random_recv_done ran before probe set vi->vq (NULL pointer dereference)');
        // We can get spurious callbacks, e.g. shared IRQs + virtio_pci.
        if (opts.local_len === true) {
          const len: LenOut = { value: 0 };
          if ((yield* virtqueue_get_buf(q, len)) === null) return;
          yield* smp_store_release(v.data_avail, len.value);
          yield* complete(v.have_data);
          return;
        } else {
          // virtqueue_get_buf(vi->vq, &vi->data_avail): the ring stores the used length there
          // as soon as it reads it, before it checks the used id.
          const out: LenOut = { value: -1 };
          const got = yield* virtqueue_get_buf(q, out);
          if (out.value !== -1) yield* v.data_avail.write(out.value);
          if (got === null) return;
        }
        yield* v.data_idx.write(0);
        yield* complete(v.have_data);
      }, 'input');
      if (typeof vq === 'number') return vq;
      yield* vi.vq.write(vq);
      // We always have a pending entropy request (v5.18: before DRIVER_OK).
      yield* request_entropy(vi);
      return 0;
    },
    *scan(vdev: virtio_device): KGen {
      // hwrng_register(): the hwrng core may now call virtio_read.
      (vdev.priv as virtrng_info).hwrng_register_done = true;
    },
    *remove(vdev: virtio_device): KGen {
      const vi = vdev.priv as virtrng_info;
      yield* vi.hwrng_removed.write(true);
      yield* vi.data_avail.write(0);
      yield* vi.data_idx.write(0);
      yield* complete(vi.have_data);
      vi.hwrng_register_done = false;
      yield* virtio_reset_device(vdev);
      yield* vdev.config.del_vqs(vdev);
    },
  };
}

/**
 * `virtio_read(rng, buf, size, wait)`: up to `size` bytes of entropy, waiting for the device
 * when `wait`. Returns the bytes, or a negative errno (-ENODEV without a bound driver or after
 * removal, -ERESTARTSYS when the waiting reader was killed).
 */
export function* virtio_read(vdev: virtio_device, size: number, wait: boolean): KGen<Uint8Array | number> {
  const vi = vdev.priv as virtrng_info | null;
  if (vi === null || vdev.driver?.name !== 'virtio_rng') return -ENODEV;
  if (yield* vi.hwrng_removed.read()) return -ENODEV;
  const parts: Uint8Array[] = [];
  let left = size;
  // copy available data
  if ((vi.local_len ? yield* smp_load_acquire(vi.data_avail) : yield* vi.data_avail.read()) !== 0) {
    const chunk = yield* copy_data(vi, left);
    parts.push(chunk);
    left -= chunk.length;
  }
  if (!wait) return concat(parts);
  // We have already copied available entropy, so either size is 0 or data_avail is 0.
  while (left !== 0) {
    // data_avail is 0 but a request is pending
    const r = yield* wait_for_completion_timeout(vi.have_data, msecs_to_jiffies(1000));
    if (r === 0) return -ERESTARTSYS;
    // if vi->data_avail is 0, we have been interrupted by a cleanup, but buffer stays in the queue
    if ((vi.local_len ? yield* smp_load_acquire(vi.data_avail) : yield* vi.data_avail.read()) === 0) return concat(parts);
    const chunk = yield* copy_data(vi, left);
    parts.push(chunk);
    left -= chunk.length;
  }
  return concat(parts);
}
