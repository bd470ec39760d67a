// The virtio-mmio transport, driver side. Source: drivers/virtio/virtio_mmio.c as of v5.18
// (vm_get_features, vm_finalize_features, vm_get, vm_set, vm_generation, vm_get_status,
// vm_set_status, vm_reset, vm_notify, vm_interrupt, vm_del_vq, vm_del_vqs, vm_setup_vq,
// vm_find_vqs, vm_bus_name, virtio_mmio_probe), with v5.19's vm_synchronize_cbs
// (synchronize_irq on the device's line) for the `merged` hardening. Version 2 (modern) only.
// Registers are reached with hw-emu's readl/writel (scheduling points); the rings live in the
// explored DMA memory shared with the device. Seed 002.

import {
  BUG_ON, EINVAL, ENODEV, ENOENT, ENOMEM, ENXIO, IRQF_SHARED, IRQ_HANDLED, IRQ_NONE, WARN_ON, free_irq, request_irq,
  spin_lock_init, spin_lock_irqsave, spin_unlock_irqrestore, synchronize_irq, type KGen, type SpinLock,
} from '@k/core-sync';
import { readl, writel, type RegisterBank } from '@k/hw-emu';
import {
  VIRTIO_F_VERSION_1, VIRTIO_MMIO_CONFIG, VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_DEVICE_FEATURES,
  VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_MMIO_DRIVER_FEATURES_SEL,
  VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_VRING, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INTERRUPT_STATUS,
  VIRTIO_MMIO_MAGIC, VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
  VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_QUEUE_NUM,
  VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_READY, VIRTIO_MMIO_QUEUE_SEL, VIRTIO_MMIO_QUEUE_USED_HIGH,
  VIRTIO_MMIO_QUEUE_USED_LOW, VIRTIO_MMIO_STATUS, VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_VERSION,
  VIRTIO_MMIO_VERSION_MODERN, VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_TRANSPORT_F_END,
  VIRTIO_TRANSPORT_F_START,
} from '../uapi';
import { vring_size } from '../ring/layout';
import type { ExploredVringMemory } from '../ring/explored';
import {
  vring_interrupt, vring_new_virtqueue, type VirtqueueCallback, type vring_virtqueue,
} from '../ring/virtio_ring';
import {
  __virtio_clear_bit, __virtio_test_bit, register_virtio_device, virtio_config_changed, virtio_device,
  type VirtioDeviceOptions, type VirtqueueRequest, type virtio_config_ops,
} from '../core/virtio';

/** VIRTIO_MMIO_VRING_ALIGN: the used ring starts on a page, as for legacy devices. */
export const VIRTIO_MMIO_VRING_ALIGN = 4096;

/** `struct virtio_mmio_vq_info`. */
interface virtio_mmio_vq_info {
  readonly vq: vring_virtqueue;
}

/** Where vring_create_virtqueue gets ring pages: a bump allocator over the DMA memory. */
export interface VringPages {
  /** `size` bytes aligned to `align`, or null when the memory is exhausted */
  alloc(size: number, align: number): number | null;
}

/** A bump allocator over `[base, end)`. */
export function vringPages(base: number, end: number): VringPages {
  let next = base;
  return {
    alloc(size: number, align: number): number | null {
      const at = Math.ceil(next / align) * align;
      if (at + size > end) return null;
      next = at + size;
      return at;
    },
  };
}

/** `struct virtio_mmio_device`. */
export class virtio_mmio_device {
  readonly vdev: virtio_device;
  /** the register window (`vm_dev->base`) */
  readonly base: RegisterBank;
  /** platform_get_irq(vm_dev->pdev, 0) */
  readonly irq: number;
  version = 0;
  vendor = 0;
  /** a list of queues so we can dispatch IRQs */
  readonly lock: SpinLock;
  readonly virtqueues: virtio_mmio_vq_info[] = [];
  readonly mem: ExploredVringMemory;
  readonly pages: VringPages;

  constructor(base: RegisterBank, irq: number, mem: ExploredVringMemory, pages: VringPages, opts: VirtioDeviceOptions) {
    this.base = base;
    this.irq = irq;
    this.mem = mem;
    this.pages = pages;
    this.lock = spin_lock_init('vm_dev->lock');
    this.vdev = new virtio_device({ device: 0, vendor: 0 }, virtio_mmio_config_ops, opts);
    mmio.set(this.vdev, this);
  }
}

const mmio = new WeakMap<virtio_device, virtio_mmio_device>();

/** `to_virtio_mmio_device`. */
export function to_virtio_mmio_device(vdev: virtio_device): virtio_mmio_device {
  const vm = mmio.get(vdev);
  if (!vm) throw new Error(`${vdev.name} is not a virtio-mmio device`);
  return vm;
}

// ---- configuration interface ----------------------------------------------------------------

function* vm_get_features(vdev: virtio_device): KGen<bigint> {
  const vm_dev = to_virtio_mmio_device(vdev);
  yield* writel(1, vm_dev.base, VIRTIO_MMIO_DEVICE_FEATURES_SEL);
  let features = BigInt(yield* readl(vm_dev.base, VIRTIO_MMIO_DEVICE_FEATURES));
  features <<= 32n;
  yield* writel(0, vm_dev.base, VIRTIO_MMIO_DEVICE_FEATURES_SEL);
  features |= BigInt(yield* readl(vm_dev.base, VIRTIO_MMIO_DEVICE_FEATURES));
  return features;
}

/** `vring_transport_features`: the ring features the ring code supports survive. */
function vring_transport_features(vdev: virtio_device): void {
  for (let i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++) {
    if (i === VIRTIO_RING_F_INDIRECT_DESC || i === VIRTIO_RING_F_EVENT_IDX || i === VIRTIO_F_VERSION_1) continue;
    // We don't understand this bit (the packed ring and the rest are not modelled).
    __virtio_clear_bit(vdev, i);
  }
}

function* vm_finalize_features(vdev: virtio_device): KGen<number> {
  const vm_dev = to_virtio_mmio_device(vdev);
  // Give virtio_ring a chance to accept features.
  vring_transport_features(vdev);
  // Make sure there are no mixed devices.
  if (vm_dev.version === 2 && !__virtio_test_bit(vdev, VIRTIO_F_VERSION_1)) {
    vdev.log('err', `${vdev.name}: New virtio-mmio devices (version 2) must provide VIRTIO_F_VERSION_1 feature!`);
    return -EINVAL;
  }
  yield* writel(1, vm_dev.base, VIRTIO_MMIO_DRIVER_FEATURES_SEL);
  yield* writel(Number(vdev.features >> 32n) >>> 0, vm_dev.base, VIRTIO_MMIO_DRIVER_FEATURES);
  yield* writel(0, vm_dev.base, VIRTIO_MMIO_DRIVER_FEATURES_SEL);
  yield* writel(Number(vdev.features & 0xffffffffn) >>> 0, vm_dev.base, VIRTIO_MMIO_DRIVER_FEATURES);
  return 0;
}

function* vm_get(vdev: virtio_device, offset: number, len: number): KGen<Uint8Array> {
  const vm_dev = to_virtio_mmio_device(vdev);
  const out = new Uint8Array(len);
  // Version 2: naturally aligned 32-bit reads (the kernel uses readb/readw/readl by size; k's
  // config registers accept narrow accesses, so reading whole words gives the same bytes).
  for (let i = 0; i < len; i += 4) {
    const w = yield* readl(vm_dev.base, VIRTIO_MMIO_CONFIG + ((offset + i) & ~3));
    for (let b = 0; b < 4 && i + b < len; b++) out[i + b] = (w >>> (8 * ((offset + i + b) & 3))) & 0xff;
  }
  return out;
}

function* vm_set(vdev: virtio_device, offset: number, buf: Uint8Array): KGen {
  const vm_dev = to_virtio_mmio_device(vdev);
  BUG_ON(offset % 4 !== 0 || buf.length % 4 !== 0, 'BUG_ON(unaligned config write) at vm_set');
  for (let i = 0; i < buf.length; i += 4) {
    const w = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) >>> 0;
    yield* writel(w, vm_dev.base, VIRTIO_MMIO_CONFIG + offset + i);
  }
}

function* vm_generation(vdev: virtio_device): KGen<number> {
  const vm_dev = to_virtio_mmio_device(vdev);
  if (vm_dev.version === 1) return 0;
  return yield* readl(vm_dev.base, VIRTIO_MMIO_CONFIG_GENERATION);
}

function* vm_get_status(vdev: virtio_device): KGen<number> {
  const vm_dev = to_virtio_mmio_device(vdev);
  return (yield* readl(vm_dev.base, VIRTIO_MMIO_STATUS)) & 0xff;
}

function* vm_set_status(vdev: virtio_device, status: number): KGen {
  const vm_dev = to_virtio_mmio_device(vdev);
  // We should never be setting status to 0.
  BUG_ON(status === 0, 'BUG_ON(status == 0) at vm_set_status');
  // Per memory-barriers.txt, wmb() is not needed to guarantee that the cache coherent memory
  // writes have completed before writing to the MMIO region (v5.19's comment).
  yield* writel(status, vm_dev.base, VIRTIO_MMIO_STATUS);
}

function* vm_reset(vdev: virtio_device): KGen {
  const vm_dev = to_virtio_mmio_device(vdev);
  // 0 status means a reset.
  yield* writel(0, vm_dev.base, VIRTIO_MMIO_STATUS);
}

/** `vm_notify`: write the queue's selector into the notification register. */
function vm_notify_for(vm_dev: virtio_mmio_device): (vq: vring_virtqueue) => KGen<boolean> {
  return function* vm_notify(vq: vring_virtqueue): KGen<boolean> {
    yield* writel(vq.index, vm_dev.base, VIRTIO_MMIO_QUEUE_NOTIFY);
    return true;
  };
}

/** `vm_interrupt`: read and acknowledge InterruptStatus, then config change and every vring. */
export function* vm_interrupt(irq: number, opaque: unknown): KGen<number> {
  const vm_dev = opaque as virtio_mmio_device;
  let ret = IRQ_NONE;
  // Read and acknowledge interrupts.
  const status = yield* readl(vm_dev.base, VIRTIO_MMIO_INTERRUPT_STATUS);
  yield* writel(status, vm_dev.base, VIRTIO_MMIO_INTERRUPT_ACK);
  if ((status & VIRTIO_MMIO_INT_CONFIG) !== 0) {
    yield* virtio_config_changed(vm_dev.vdev);
    ret = IRQ_HANDLED;
  }
  if ((status & VIRTIO_MMIO_INT_VRING) !== 0) {
    const flags = yield* spin_lock_irqsave(vm_dev.lock);
    for (const info of [...vm_dev.virtqueues]) ret |= yield* vring_interrupt(irq, info.vq);
    yield* spin_unlock_irqrestore(vm_dev.lock, flags);
  }
  return ret;
}

function* vm_del_vq(vm_dev: virtio_mmio_device, vq: vring_virtqueue): KGen {
  const vdev = vm_dev.vdev;
  const flags = yield* spin_lock_irqsave(vm_dev.lock);
  const i = vm_dev.virtqueues.findIndex((x) => x.vq === vq);
  if (i >= 0) vm_dev.virtqueues.splice(i, 1);
  yield* spin_unlock_irqrestore(vm_dev.lock, flags);
  // Select and deactivate the queue.
  yield* writel(vq.index, vm_dev.base, VIRTIO_MMIO_QUEUE_SEL);
  yield* writel(0, vm_dev.base, VIRTIO_MMIO_QUEUE_READY);
  WARN_ON((yield* readl(vm_dev.base, VIRTIO_MMIO_QUEUE_READY)) !== 0, 'WARN_ON(readl(QUEUE_READY)) at vm_del_vq');
  // vring_del_virtqueue: off the device's list.
  const j = vdev.vqs.indexOf(vq);
  if (j >= 0) vdev.vqs.splice(j, 1);
}

function* vm_del_vqs(vdev: virtio_device): KGen {
  const vm_dev = to_virtio_mmio_device(vdev);
  for (const info of [...vm_dev.virtqueues]) yield* vm_del_vq(vm_dev, info.vq);
  yield* free_irq(vm_dev.irq, vm_dev);
}

/** `vm_synchronize_cbs` (v5.19): wait for the running handlers of the device's interrupt. */
function* vm_synchronize_cbs(vdev: virtio_device): KGen {
  const vm_dev = to_virtio_mmio_device(vdev);
  yield* synchronize_irq(vm_dev.irq);
}

function* vm_setup_vq(vdev: virtio_device, index: number, callback: VirtqueueCallback | null, name: string, ctx: boolean): KGen<vring_virtqueue | number> {
  const vm_dev = to_virtio_mmio_device(vdev);
  // Select the queue we're interested in.
  yield* writel(index, vm_dev.base, VIRTIO_MMIO_QUEUE_SEL);
  // Queue shouldn't already be set up.
  if ((yield* readl(vm_dev.base, VIRTIO_MMIO_QUEUE_READY)) !== 0) return -ENOENT;
  const num = yield* readl(vm_dev.base, VIRTIO_MMIO_QUEUE_NUM_MAX);
  if (num === 0) return -ENOENT;
  // Create the vring (vring_create_virtqueue: the ring pages in DMA memory).
  let size: number;
  try {
    size = vring_size(num, VIRTIO_MMIO_VRING_ALIGN);
  } catch {
    return -EINVAL;
  }
  const pages = vm_dev.pages.alloc(size, VIRTIO_MMIO_VRING_ALIGN);
  if (pages === null) return -ENOMEM;
  const vq = yield* vring_new_virtqueue(index, num, VIRTIO_MMIO_VRING_ALIGN, vm_dev.mem, pages, {
    features: vdev.features, weak_barriers: true, context: ctx, notify: vm_notify_for(vm_dev), callback, name,
    vdev, harden_notification: vdev.hardening === 'merged', suppress_used_validation: vdev.driver?.suppress_used_validation === true, log: (level, m) => vdev.log(level, `${vdev.name}: ${m}`),
  });
  // __vring_new_virtqueue: onto the device's list.
  vdev.vqs.push(vq);
  // Activate the queue.
  const vring = vq.split.vring;
  yield* writel(vring.num, vm_dev.base, VIRTIO_MMIO_QUEUE_NUM);
  yield* writel(vring.desc >>> 0, vm_dev.base, VIRTIO_MMIO_QUEUE_DESC_LOW);
  yield* writel(Math.floor(vring.desc / 2 ** 32), vm_dev.base, VIRTIO_MMIO_QUEUE_DESC_HIGH);
  yield* writel(vring.avail >>> 0, vm_dev.base, VIRTIO_MMIO_QUEUE_AVAIL_LOW);
  yield* writel(Math.floor(vring.avail / 2 ** 32), vm_dev.base, VIRTIO_MMIO_QUEUE_AVAIL_HIGH);
  yield* writel(vring.used >>> 0, vm_dev.base, VIRTIO_MMIO_QUEUE_USED_LOW);
  yield* writel(Math.floor(vring.used / 2 ** 32), vm_dev.base, VIRTIO_MMIO_QUEUE_USED_HIGH);
  yield* writel(1, vm_dev.base, VIRTIO_MMIO_QUEUE_READY);
  const flags = yield* spin_lock_irqsave(vm_dev.lock);
  vm_dev.virtqueues.push({ vq });
  yield* spin_unlock_irqrestore(vm_dev.lock, flags);
  return vq;
}

/**
 * `vm_find_vqs`: request the (shared) interrupt first, then set every queue up; on a failure,
 * delete what was set up (and free the interrupt) and return the error.
 */
function* vm_find_vqs(vdev: virtio_device, reqs: readonly VirtqueueRequest[]): KGen<(vring_virtqueue | null)[] | number> {
  const vm_dev = to_virtio_mmio_device(vdev);
  const err = yield* request_irq(vm_dev.irq, vm_interrupt, IRQF_SHARED, vdev.name, vm_dev);
  if (err) return err;
  const vqs: (vring_virtqueue | null)[] = [];
  let queue_idx = 0;
  for (const r of reqs) {
    if (!r.name) {
      vqs.push(null);
      continue;
    }
    const vq = yield* vm_setup_vq(vdev, queue_idx++, r.callback, r.name, r.ctx ?? false);
    if (typeof vq === 'number') {
      yield* vm_del_vqs(vdev);
      return vq;
    }
    vqs.push(vq);
  }
  return vqs;
}

function vm_bus_name(vdev: virtio_device): string {
  return `virtio-mmio@${to_virtio_mmio_device(vdev).base.name}`;
}

/** `virtio_mmio_config_ops` (with v5.19's synchronize_cbs; no enable_cbs, as in every version). */
export const virtio_mmio_config_ops: virtio_config_ops = {
  get: vm_get,
  set: vm_set,
  generation: vm_generation,
  get_status: vm_get_status,
  set_status: vm_set_status,
  reset: vm_reset,
  find_vqs: vm_find_vqs,
  del_vqs: vm_del_vqs,
  synchronize_cbs: vm_synchronize_cbs,
  get_features: vm_get_features,
  finalize_features: vm_finalize_features,
  bus_name: vm_bus_name,
};

/**
 * `virtio_mmio_probe`: check MagicValue ("virt"), Version (2 here; 1 is legacy, which k does
 * not model) and DeviceID (0 is a placeholder), then register_virtio_device. Returns the
 * device, or a negative errno.
 */
export function* virtio_mmio_probe(
  base: RegisterBank,
  irq: number,
  mem: ExploredVringMemory,
  pages: VringPages,
  opts: VirtioDeviceOptions = {},
): KGen<virtio_mmio_device | number> {
  const vm_dev = new virtio_mmio_device(base, irq, mem, pages, opts);
  // Check magic value.
  const magic = yield* readl(base, VIRTIO_MMIO_MAGIC_VALUE);
  if (magic !== VIRTIO_MMIO_MAGIC) {
    vm_dev.vdev.log('warn', `Wrong magic value 0x${magic.toString(16)}!`);
    return -ENODEV;
  }
  // Check device version.
  vm_dev.version = yield* readl(base, VIRTIO_MMIO_VERSION);
  if (vm_dev.version < 1 || vm_dev.version > 2) {
    vm_dev.vdev.log('err', `Version ${String(vm_dev.version)} not supported!`);
    return -ENXIO;
  }
  if (vm_dev.version !== VIRTIO_MMIO_VERSION_MODERN) {
    vm_dev.vdev.log('err', 'k models the version 2 (virtio 1.x) register layout only');
    return -ENXIO;
  }
  const device = yield* readl(base, VIRTIO_MMIO_DEVICE_ID);
  if (device === 0) {
    // virtio-mmio device with an ID 0 is a (dummy) placeholder with no function.
    return -ENODEV;
  }
  vm_dev.vendor = yield* readl(base, VIRTIO_MMIO_VENDOR_ID);
  vm_dev.vdev.id = { device, vendor: vm_dev.vendor };
  const rc = yield* register_virtio_device(vm_dev.vdev);
  if (rc) return rc;
  return vm_dev;
}
