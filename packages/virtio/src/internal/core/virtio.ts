// The virtio device lifecycle. Source: drivers/virtio/virtio.c and include/linux/virtio.h,
// include/linux/virtio_config.h as of v5.18-rc (the tree the seed-002 thread reviews):
// register_virtio_device, virtio_dev_probe, virtio_dev_remove, virtio_add_status,
// virtio_features_ok, virtio_reset_device, virtio_device_ready, virtio_config_changed,
// __virtio_config_changed, virtio_config_enable/disable, virtio_find_vqs and the config
// space accessors; the virtio 1.x spec 3.1.1 (driver initialisation) and 2.1 (device status).
//
// Three hardening variants (seed 002), chosen per device:
//  - `none`: v5.18 as it is;
//  - `seed`: the patch under review ("virtio: harden vring IRQ", the thread's version):
//    irq_soft_check from the irq_hardening module parameter (on), smp_store_release of
//    irq_soft_enabled in virtio_device_ready, WRITE_ONCE + synchronize_rcu in
//    virtio_reset_device, smp_load_acquire in vring_interrupt (virtio_irq_soft_enabled);
//  - `merged`: v5.19 with CONFIG_VIRTIO_HARDEN_NOTIFICATION=y (8b4ec69d7e09, c346dae4f3fb):
//    queues start broken, virtio_device_ready runs virtio_synchronize_cbs then
//    __virtio_unbreak_device, virtio_reset_device runs virtio_break_device then
//    virtio_synchronize_cbs, and vring_interrupt returns IRQ_NONE on a broken queue.

import {
  BUG_ON, Cell, EINVAL, ENODEV, KernelError, WARN_ON, WRITE_ONCE, might_sleep, smp_store_release, spin_lock_init,
  spin_lock_irq, spin_lock_irqsave, spin_unlock_irq, spin_unlock_irqrestore, synchronize_rcu, type KGen, type SpinLock,
} from '@k/core-sync';
import {
  VIRTIO_CONFIG_S_ACKNOWLEDGE, VIRTIO_CONFIG_S_DRIVER, VIRTIO_CONFIG_S_DRIVER_OK, VIRTIO_CONFIG_S_FAILED,
  VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_VERSION_1, VIRTIO_TRANSPORT_F_END,
  VIRTIO_TRANSPORT_F_START,
} from '../uapi';
import {
  __virtio_unbreak_device, virtio_break_device, virtio_has_feature as has_bit, type VirtioIrqSoftState,
  type VirtqueueCallback, type VirtqueueList, type vring_virtqueue,
} from '../ring/virtio_ring';

/** Which vring IRQ hardening the kernel has: see the file header. */
export type VirtioHardening = 'none' | 'seed' | 'merged';

/** The hardening variants, in the order the scenarios list them. */
export const VIRTIO_HARDENINGS: readonly VirtioHardening[] = ['none', 'seed', 'merged'];

/** One virtqueue asked of `find_vqs`: its callback and name (a null name skips the slot). */
export interface VirtqueueRequest {
  readonly callback: VirtqueueCallback | null;
  readonly name: string | null;
  readonly ctx?: boolean;
}

/** `struct virtio_config_ops`: what a transport implements. Every operation is kernel code. */
export interface virtio_config_ops {
  /** read `len` bytes of config space at `offset` */
  get(vdev: virtio_device, offset: number, len: number): KGen<Uint8Array>;
  /** write config space */
  set(vdev: virtio_device, offset: number, buf: Uint8Array): KGen;
  /** config generation counter (optional in the kernel) */
  generation?(vdev: virtio_device): KGen<number>;
  get_status(vdev: virtio_device): KGen<number>;
  /** status must not be 0 (BUG_ON) */
  set_status(vdev: virtio_device, status: number): KGen;
  /** reset the device: status 0 */
  reset(vdev: virtio_device): KGen;
  /** find `reqs.length` queues: the queues (null where the name is null), or a negative errno */
  find_vqs(vdev: virtio_device, reqs: readonly VirtqueueRequest[]): KGen<(vring_virtqueue | null)[] | number>;
  del_vqs(vdev: virtio_device): KGen;
  /** v5.19: wait for running vring callbacks (synchronize_irq for mmio); optional */
  synchronize_cbs?(vdev: virtio_device): KGen;
  /** v5.16-v5.18: enable callbacks (virtio-pci's IRQF_NO_AUTOEN era; NULL for mmio) */
  enable_cbs?(vdev: virtio_device): KGen;
  get_features(vdev: virtio_device): KGen<bigint>;
  /** write the driver features; 0 or a negative errno */
  finalize_features(vdev: virtio_device): KGen<number>;
  bus_name(vdev: virtio_device): string;
}

/** `struct virtio_driver`. */
export interface virtio_driver {
  readonly name: string;
  /** device ids it drives (`id_table`) */
  readonly id_table: readonly number[];
  readonly feature_table: readonly number[];
  readonly feature_table_legacy?: readonly number[];
  validate?(vdev: virtio_device): KGen<number>;
  probe(vdev: virtio_device): KGen<number>;
  scan?(vdev: virtio_device): KGen;
  remove(vdev: virtio_device): KGen;
  /** called with config_lock held and interrupts off */
  config_changed?(vdev: virtio_device): KGen;
  /**
   * 939779f5152d's driver flag: the ring does not check used lengths against the buffer. k's
   * ring checks by default; set it to get v5.18, where that check had been reverted (f124034faa91).
   */
  readonly suppress_used_validation?: boolean;
}

/** Options of a {@link virtio_device}. */
export interface VirtioDeviceOptions {
  /** the kernel's hardening (default `none`) */
  readonly hardening?: VirtioHardening;
  /** arch_has_restricted_virtio_memory_access(): a confidential guest (default false) */
  readonly restricted_memory_access?: boolean;
  /** position on the virtio bus, `virtio%u` (ida_simple_get; default 0) */
  readonly index?: number;
  /** drivers registered on the bus; device_add binds the first whose id_table matches */
  readonly drivers?: readonly virtio_driver[];
  /** dev_err/dev_warn/dev_info output */
  readonly log?: (level: 'err' | 'warn' | 'info', message: string) => void;
}

/** `struct virtio_device`. */
export class virtio_device implements VirtioIrqSoftState, VirtqueueList {
  /** unique position on the virtio bus */
  index = -1;
  /** dev_name(): "virtio%u" */
  name = 'virtio?';
  /** saved value for VIRTIO_CONFIG_S_FAILED bit (for restore) */
  failed = false;
  /** configuration change reporting enabled (under config_lock) */
  readonly config_enabled: Cell<boolean>;
  /** configuration change reported while disabled (under config_lock) */
  readonly config_change_pending: Cell<boolean>;
  /** the seed: whether or not to check irq_soft_enabled */
  irq_soft_check = false;
  /** the seed: callbacks enabled */
  readonly irq_soft_enabled: Cell<boolean>;
  /** protects configuration change reporting */
  readonly config_lock: SpinLock;
  /** protects the vqs list */
  readonly vqs_list_lock: SpinLock;
  readonly vqs: vring_virtqueue[] = [];
  /** the negotiated features */
  features = 0n;
  /** the bound driver, null when none */
  driver: virtio_driver | null = null;
  /** driver data (`vdev->priv`) */
  priv: unknown = null;
  readonly hardening: VirtioHardening;
  /**
   * k's instrumentation, not a kernel field: `init` until virtio_device_ready is entered,
   * `ready` from then, `reset` once a virtio_reset_device that followed it has returned. The
   * scenarios check that no vring callback runs outside `ready`.
   */
  k_phase: 'init' | 'ready' | 'reset' = 'init';
  readonly restricted_memory_access: boolean;
  readonly drivers: readonly virtio_driver[];
  /** @internal the index register_virtio_device assigns */
  readonly bus_index: number;
  readonly log: (level: 'err' | 'warn' | 'info', message: string) => void;

  constructor(
    /** `id.device` and `id.vendor` (the transport's probe fills them in) */
    public id: { readonly device: number; readonly vendor: number },
    readonly config: virtio_config_ops,
    opts: VirtioDeviceOptions = {},
  ) {
    const h = opts.hardening ?? 'none';
    if (!VIRTIO_HARDENINGS.includes(h)) throw new KernelError('EINVAL', `virtio_device: unknown hardening '${String(h)}' (none, seed, merged)`);
    this.hardening = h;
    this.restricted_memory_access = opts.restricted_memory_access ?? false;
    this.drivers = opts.drivers ?? [];
    this.bus_index = opts.index ?? 0;
    if (!Number.isInteger(this.bus_index) || this.bus_index < 0) throw new KernelError('EINVAL', `virtio_device: index ${String(opts.index)} is not a non-negative integer`);
    this.log = opts.log ?? (() => undefined);
    this.config_enabled = new Cell(false, 'dev->config_enabled');
    this.config_change_pending = new Cell(false, 'dev->config_change_pending');
    this.irq_soft_enabled = new Cell(false, 'dev->irq_soft_enabled');
    this.config_lock = spin_lock_init('dev->config_lock');
    this.vqs_list_lock = spin_lock_init('dev->vqs_list_lock');
  }
}

/** `__virtio_test_bit` / `virtio_has_feature(vdev, fbit)` on the negotiated features. */
export function __virtio_test_bit(vdev: virtio_device, fbit: number): boolean {
  return has_bit(vdev.features, fbit);
}

/** `__virtio_set_bit`. */
export function __virtio_set_bit(vdev: virtio_device, fbit: number): void {
  vdev.features |= 1n << BigInt(fbit);
}

/** `__virtio_clear_bit`. */
export function __virtio_clear_bit(vdev: virtio_device, fbit: number): void {
  vdev.features &= ~(1n << BigInt(fbit));
}

// ---- config change notification (22b7050a024d7, "virtio: defer config changed notifications")

/** `__virtio_config_changed`: call the driver, or remember the change while reporting is off. Needs config_lock. */
export function* __virtio_config_changed(dev: virtio_device): KGen {
  const drv = dev.driver;
  if (!(yield* dev.config_enabled.read())) yield* dev.config_change_pending.write(true);
  else if (drv?.config_changed) yield* drv.config_changed(dev);
}

/** `virtio_config_changed`: a configuration change interrupt (transport's IRQ handler). */
export function* virtio_config_changed(dev: virtio_device): KGen {
  const flags = yield* spin_lock_irqsave(dev.config_lock);
  yield* __virtio_config_changed(dev);
  yield* spin_unlock_irqrestore(dev.config_lock, flags);
}

/** `virtio_config_disable`. */
export function* virtio_config_disable(dev: virtio_device): KGen {
  yield* spin_lock_irq(dev.config_lock);
  yield* dev.config_enabled.write(false);
  yield* spin_unlock_irq(dev.config_lock);
}

/** `virtio_config_enable`: turn reporting on and deliver a change that came while it was off. */
export function* virtio_config_enable(dev: virtio_device): KGen {
  yield* spin_lock_irq(dev.config_lock);
  yield* dev.config_enabled.write(true);
  if (yield* dev.config_change_pending.read()) yield* __virtio_config_changed(dev);
  yield* dev.config_change_pending.write(false);
  yield* spin_unlock_irq(dev.config_lock);
}

// ---- status and features ---------------------------------------------------------------------

/** `virtio_add_status`: set bits in the device status (the spec forbids clearing any). */
export function* virtio_add_status(dev: virtio_device, status: number): KGen {
  might_sleep('virtio_add_status()');
  yield* dev.config.set_status(dev, (yield* dev.config.get_status(dev)) | status);
}

/** `virtio_features_ok`: validate, then set FEATURES_OK and check the device kept it (spec 3.1.1 steps 5-6). */
export function* virtio_features_ok(dev: virtio_device): KGen<number> {
  might_sleep('virtio_features_ok()');
  if (dev.restricted_memory_access) {
    if (!__virtio_test_bit(dev, VIRTIO_F_VERSION_1)) {
      dev.log('warn', `${dev.name}: device must provide VIRTIO_F_VERSION_1`);
      return -ENODEV;
    }
    if (!__virtio_test_bit(dev, VIRTIO_F_ACCESS_PLATFORM)) {
      dev.log('warn', `${dev.name}: device must provide VIRTIO_F_ACCESS_PLATFORM`);
      return -ENODEV;
    }
  }
  if (!__virtio_test_bit(dev, VIRTIO_F_VERSION_1)) return 0;
  yield* virtio_add_status(dev, VIRTIO_CONFIG_S_FEATURES_OK);
  const status = yield* dev.config.get_status(dev);
  if ((status & VIRTIO_CONFIG_S_FEATURES_OK) === 0) {
    dev.log('err', `${dev.name}: virtio: device refuses features: ${status.toString(16)}`);
    return -ENODEV;
  }
  return 0;
}

/** `virtio_synchronize_cbs` (v5.19): the transport's synchronize_cbs, else synchronize_rcu(). */
export function* virtio_synchronize_cbs(dev: virtio_device): KGen {
  if (dev.config.synchronize_cbs) yield* dev.config.synchronize_cbs(dev);
  // A best effort fallback to synchronize with interrupts, preemption and softirq disabled regions.
  else yield* synchronize_rcu();
}

/**
 * `virtio_reset_device`: reset the device. After it returns, no vring callback runs under
 * `seed` and `merged`; under `none` nothing stops a device that keeps interrupting.
 */
export function* virtio_reset_device(dev: virtio_device): KGen {
  if (dev.hardening === 'seed') {
    // The below synchronize_rcu() guarantees that any interrupt for this line arriving after
    // synchronize_rcu() has completed is guaranteed to see irq_soft_enabled == false.
    yield* WRITE_ONCE(dev.irq_soft_enabled, false);
    yield* synchronize_rcu();
  } else if (dev.hardening === 'merged') {
    // virtio_synchronize_cbs() guarantees that any interrupt for this line arriving after it
    // has completed is guaranteed to see vq->broken as true.
    yield* virtio_break_device(dev);
    yield* virtio_synchronize_cbs(dev);
  }
  yield* dev.config.reset(dev);
  if (dev.k_phase === 'ready') dev.k_phase = 'reset';
}

/**
 * `virtio_device_ready` (virtio_config.h): enable vq use in probe (spec 3.1.1 step 8, DRIVER_OK).
 * The callbacks are enabled first, so that a callback that sees them enabled sees the driver's
 * setup: with a release store (`seed`) or after synchronize_cbs (`merged`).
 */
export function* virtio_device_ready(dev: virtio_device): KGen {
  dev.k_phase = 'ready';
  const status = yield* dev.config.get_status(dev);
  if (dev.hardening === 'merged') {
    WARN_ON(status & VIRTIO_CONFIG_S_DRIVER_OK, 'WARN_ON(status & VIRTIO_CONFIG_S_DRIVER_OK) at virtio_device_ready');
    // virtio_synchronize_cbs() makes sure vring_interrupt() will see the driver specific setup
    // if it sees vq->broken as false (even if the notifications come before DRIVER_OK).
    yield* virtio_synchronize_cbs(dev);
    yield* __virtio_unbreak_device(dev);
  } else {
    if (dev.config.enable_cbs) yield* dev.config.enable_cbs(dev);
    if (dev.hardening === 'seed') {
      // Commit the driver setup before enabling the virtqueue callbacks. Paired with
      // smp_load_acquire() in virtio_irq_soft_enabled().
      yield* smp_store_release(dev.irq_soft_enabled, true);
    }
    BUG_ON(status & VIRTIO_CONFIG_S_DRIVER_OK, 'BUG_ON(status & VIRTIO_CONFIG_S_DRIVER_OK) at virtio_device_ready');
  }
  yield* dev.config.set_status(dev, status | VIRTIO_CONFIG_S_DRIVER_OK);
}

// ---- probe, remove, register -----------------------------------------------------------------

function featureBits(table: readonly number[]): bigint {
  let f = 0n;
  for (const bit of table) {
    BUG_ON(!Number.isInteger(bit) || bit < 0 || bit >= 64, 'BUG_ON(f >= 64) at virtio_dev_probe');
    f |= 1n << BigInt(bit);
  }
  return f;
}

/**
 * `virtio_dev_probe`: DRIVER, feature negotiation (finalize_features, validate,
 * virtio_features_ok), the driver's probe, DRIVER_OK if the driver did not set it, scan, and
 * config change reporting on. On error: FAILED, and the error.
 */
export function* virtio_dev_probe(dev: virtio_device, drv: virtio_driver): KGen<number> {
  dev.driver = drv;
  // We have a driver!
  yield* virtio_add_status(dev, VIRTIO_CONFIG_S_DRIVER);
  // Figure out what features the device supports.
  const device_features = yield* dev.config.get_features(dev);
  // Figure out what features the driver supports.
  const driver_features = featureBits(drv.feature_table);
  // Some drivers have a separate feature table for virtio v1.0.
  const driver_features_legacy = drv.feature_table_legacy ? featureBits(drv.feature_table_legacy) : driver_features;
  if (has_bit(device_features, VIRTIO_F_VERSION_1)) dev.features = driver_features & device_features;
  else dev.features = driver_features_legacy & device_features;
  // Transport features always preserved to pass to finalize_features.
  for (let i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++) {
    if (has_bit(device_features, i)) __virtio_set_bit(dev, i);
  }
  let err = yield* dev.config.finalize_features(dev);
  if (err === 0 && drv.validate) {
    const features = dev.features;
    err = yield* drv.validate(dev);
    // Did validation change any features? Then write them again.
    if (err === 0 && features !== dev.features) err = yield* dev.config.finalize_features(dev);
  }
  if (err === 0) err = yield* virtio_features_ok(dev);
  if (err === 0) err = yield* drv.probe(dev);
  if (err !== 0) {
    yield* virtio_add_status(dev, VIRTIO_CONFIG_S_FAILED);
    dev.driver = null;
    return err;
  }
  // If probe didn't do it, mark device DRIVER_OK ourselves.
  if (((yield* dev.config.get_status(dev)) & VIRTIO_CONFIG_S_DRIVER_OK) === 0) yield* virtio_device_ready(dev);
  if (drv.scan) yield* drv.scan(dev);
  yield* virtio_config_enable(dev);
  return 0;
}

/** `virtio_dev_remove`: reporting off, the driver's remove (which must reset), ACKNOWLEDGE again. */
export function* virtio_dev_remove(dev: virtio_device): KGen {
  const drv = dev.driver;
  if (drv === null) return;
  yield* virtio_config_disable(dev);
  yield* drv.remove(dev);
  // Driver should have reset device.
  WARN_ON((yield* dev.config.get_status(dev)) !== 0, 'WARN_ON_ONCE(dev->config->get_status(dev)) at virtio_dev_remove');
  // Acknowledge the device's existence again.
  yield* virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
  dev.driver = null;
}

/**
 * `register_virtio_device`: index and name, config reporting off, the seed's irq_soft_check,
 * reset, ACKNOWLEDGE, then device_add binds the first matching driver (virtio_dev_probe).
 * Returns 0 (a failing probe leaves the device unbound, as device_add does).
 */
export function* register_virtio_device(dev: virtio_device): KGen<number> {
  // ida_simple_get(&virtio_index_ida): unique per bus; k takes it from the device's options.
  dev.index = dev.bus_index;
  dev.name = `virtio${String(dev.index)}`;
  dev.config_enabled.init(false);
  dev.config_change_pending.init(false);
  // The seed patch: the irq_hardening module parameter (k turns it on for the `seed` variant).
  dev.irq_soft_check = dev.hardening === 'seed';
  if (dev.irq_soft_check) dev.log('info', `${dev.name}: IRQ hardening is enabled`);
  // We always start by resetting the device, in case a previous driver messed it up.
  yield* virtio_reset_device(dev);
  // Acknowledge that we've seen the device.
  yield* virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
  // device_add() causes the bus infrastructure to look for a matching driver.
  const drv = dev.drivers.find((d) => d.id_table.includes(dev.id.device));
  if (drv) yield* virtio_dev_probe(dev, drv);
  return 0;
}

/** `unregister_virtio_device`: device_unregister, which removes the bound driver. */
export function* unregister_virtio_device(dev: virtio_device): KGen {
  yield* virtio_dev_remove(dev);
}

// ---- virtqueues and config space (virtio_config.h) -------------------------------------------

/**
 * `virtio_find_vqs`: the transport requests its interrupt and sets the queues up. Returns the
 * queues or a negative errno.
 */
export function* virtio_find_vqs(vdev: virtio_device, reqs: readonly VirtqueueRequest[]): KGen<(vring_virtqueue | null)[] | number> {
  if (!Array.isArray(reqs) || reqs.length === 0) return -EINVAL;
  return yield* vdev.config.find_vqs(vdev, reqs);
}

/** `virtio_find_single_vq`: one queue, or a negative errno. */
export function* virtio_find_single_vq(vdev: virtio_device, callback: VirtqueueCallback | null, name: string): KGen<vring_virtqueue | number> {
  const r = yield* virtio_find_vqs(vdev, [{ callback, name }]);
  if (typeof r === 'number') return r;
  return r[0] ?? -ENODEV;
}

/** `virtio_cread8`. */
export function* virtio_cread8(vdev: virtio_device, offset: number): KGen<number> {
  const b = yield* vdev.config.get(vdev, offset, 1);
  return b[0]!;
}
/** `virtio_cread16` (little-endian for VIRTIO_F_VERSION_1 devices, as every device here). */
export function* virtio_cread16(vdev: virtio_device, offset: number): KGen<number> {
  const b = yield* vdev.config.get(vdev, offset, 2);
  return b[0]! | (b[1]! << 8);
}
/** `virtio_cread32`. */
export function* virtio_cread32(vdev: virtio_device, offset: number): KGen<number> {
  const b = yield* vdev.config.get(vdev, offset, 4);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}
/** `virtio_cread_bytes` / `__virtio_cread_many`: retried until config generation is stable. */
export function* virtio_cread_bytes(vdev: virtio_device, offset: number, len: number): KGen<Uint8Array> {
  might_sleep('virtio_cread_bytes()');
  const gen_of = vdev.config.generation;
  let gen = gen_of ? yield* gen_of(vdev) : 0;
  let old: number;
  let buf: Uint8Array;
  do {
    old = gen;
    buf = yield* vdev.config.get(vdev, offset, len);
    gen = gen_of ? yield* gen_of(vdev) : 0;
  } while (gen !== old);
  return buf;
}
/** `virtio_cwrite8`. */
export function* virtio_cwrite8(vdev: virtio_device, offset: number, v: number): KGen {
  yield* vdev.config.set(vdev, offset, new Uint8Array([v & 0xff]));
}
/** `virtio_cwrite32`. */
export function* virtio_cwrite32(vdev: virtio_device, offset: number, v: number): KGen {
  yield* vdev.config.set(vdev, offset, new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]));
}
