// The device side of virtio-mmio: a hw-emu Device with the version-2 register layout on a
// RegisterBank, its queues run by vhost's ring code over the shared explored DMA memory.
// Source: virtio 1.x spec 4.2.2 (MMIO Device Register Layout), 4.2.2.1 (device requirements:
// magic, version, feature banks, reset clears InterruptStatus and QueueReady), 2.1 (device
// status: no used buffer notification before DRIVER_OK), 2.5 (config generation); QEMU's
// hw/virtio/virtio-mmio.c where the spec leaves a choice open. Seed 002.

import { A_SYNC, BLOCK_SLEEP, KernelError, Op, type KGen } from '@k/core-sync';
import { Device, RegisterBank, type RegisterSpec } from '@k/hw-emu';
import {
  VIRTIO_CONFIG_S_DRIVER_OK, VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_F_VERSION_1, VIRTIO_MMIO_CONFIG,
  VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DEVICE_ID,
  VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_VRING,
  VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_MAGIC, VIRTIO_MMIO_MAGIC_VALUE,
  VIRTIO_MMIO_QUEUE_AVAIL_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_DESC_LOW,
  VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_READY,
  VIRTIO_MMIO_QUEUE_SEL, VIRTIO_MMIO_QUEUE_USED_HIGH, VIRTIO_MMIO_QUEUE_USED_LOW, VIRTIO_MMIO_SHM_BASE_HIGH,
  VIRTIO_MMIO_SHM_BASE_LOW, VIRTIO_MMIO_SHM_LEN_HIGH, VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_SEL, VIRTIO_MMIO_STATUS,
  VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_VERSION_MODERN,
} from '../uapi';
import { checkQueueSize, vringFromParts } from '../ring/layout';
import type { ExploredVringMemory } from '../ring/explored';
import { vhost_vq_init_access, type vhost_virtqueue } from '../ring/vhost';
import { virtio_has_feature } from '../ring/virtio_ring';

/** The register window of one virtio-mmio device: registers up to 0x0fc, config space from 0x100. */
export const VIRTIO_MMIO_WINDOW = 0x200;
/** QEMU's vendor id ("QEMU" little-endian). */
export const VIRTIO_MMIO_VENDOR_QEMU = 0x554d4551;

/** A queue as the device sees it through the queue registers. */
export interface VirtioMmioQueue {
  /** QueueNumMax */
  readonly num_max: number;
  /** QueueNum */
  num: number;
  /** QueueReady */
  ready: boolean;
  /** QueueDesc, QueueDriver (avail), QueueDevice (used) */
  desc: bigint;
  driver: bigint;
  device: bigint;
  /** the device-side ring, once the device started using the queue */
  vhost: vhost_virtqueue | null;
}

/** Options of a virtio-mmio device model. */
export interface VirtioMmioDeviceOptions {
  /** DeviceID (virtio 1.x spec 5: 4 is the entropy device, 3 the console, 1 network) */
  readonly deviceId: number;
  readonly vendorId?: number;
  /** the core-sync IRQ line it raises */
  readonly irq: number;
  /** device feature bits (VIRTIO_F_VERSION_1 is added: this is a version-2 device) */
  readonly features?: bigint;
  /** QueueNumMax of each queue */
  readonly queues: readonly number[];
  /** initial config space bytes */
  readonly config?: Uint8Array;
  /** the DMA memory the rings live in (shared with the driver) */
  readonly mem: ExploredVringMemory;
}

/**
 * A virtio-mmio device (version 2). Device models extend it and run their queues from an agent:
 * `waitForWork()`, then `startQueue(i)` and vhost's ring functions, then `interrupt()`.
 */
export class VirtioMmioDevice extends Device {
  readonly bank: RegisterBank;
  readonly deviceId: number;
  readonly device_features: bigint;
  readonly mem: ExploredVringMemory;
  readonly queues: VirtioMmioQueue[];
  readonly configSpace: Uint8Array;
  /** Status register */
  status = 0;
  /** InterruptStatus */
  interrupt_status = 0;
  device_features_sel = 0;
  driver_features_sel = 0;
  /** what the driver wrote to DriverFeatures */
  driver_features = 0n;
  queue_sel = 0;
  config_generation = 0;
  /** queues notified since the agent last looked (bit per queue), and a status change */
  notified = 0;
  statusChanged = false;
  /** counts resets: work started before a reset is dropped */
  generation = 0;
  readonly opWait: Op;

  constructor(name: string, opts: VirtioMmioDeviceOptions) {
    super(name, { irq: opts.irq, trigger: 'edge' });
    if (!Number.isInteger(opts.deviceId) || opts.deviceId < 0 || opts.deviceId > 0xffffffff) {
      throw new KernelError('EINVAL', `${name}: DeviceID ${String(opts.deviceId)} is not a u32`);
    }
    for (const n of opts.queues) checkQueueSize(n);
    this.deviceId = opts.deviceId;
    this.device_features = (opts.features ?? 0n) | (1n << BigInt(VIRTIO_F_VERSION_1));
    this.mem = opts.mem;
    this.queues = opts.queues.map((num_max) => ({ num_max, num: 0, ready: false, desc: 0n, driver: 0n, device: 0n, vhost: null }));
    const cfg = opts.config ?? new Uint8Array(0);
    this.configSpace = new Uint8Array(Math.ceil(cfg.length / 4) * 4);
    this.configSpace.set(cfg);
    this.opWait = new Op(`${name}: wait for a notification`, this, BLOCK_SLEEP, A_SYNC, () => this.notified !== 0 || this.statusChanged);
    this.bank = this.addBank(new RegisterBank(name, VIRTIO_MMIO_WINDOW, this.registers(opts.vendorId ?? VIRTIO_MMIO_VENDOR_QEMU)));
    this.probe();
  }

  private q(): VirtioMmioQueue | undefined {
    return this.queues[this.queue_sel];
  }

  private addrReg(name: string, offset: number, field: 'desc' | 'driver' | 'device', high: boolean): RegisterSpec {
    return {
      name, offset, width: 4, access: 'wo',
      onWrite: (_r, v) => {
        const q = this.q();
        if (!q) return;
        const x = BigInt(v);
        q[field] = high ? (q[field] & 0xffffffffn) | (x << 32n) : (q[field] & ~0xffffffffn) | x;
      },
    };
  }

  private registers(vendor: number): RegisterSpec[] {
    const regs: RegisterSpec[] = [
      { name: 'MagicValue', offset: VIRTIO_MMIO_MAGIC_VALUE, width: 4, access: 'ro', reset: VIRTIO_MMIO_MAGIC },
      { name: 'Version', offset: VIRTIO_MMIO_VERSION, width: 4, access: 'ro', reset: VIRTIO_MMIO_VERSION_MODERN },
      { name: 'DeviceID', offset: VIRTIO_MMIO_DEVICE_ID, width: 4, access: 'ro', reset: this.deviceId },
      { name: 'VendorID', offset: VIRTIO_MMIO_VENDOR_ID, width: 4, access: 'ro', reset: vendor },
      {
        name: 'DeviceFeatures', offset: VIRTIO_MMIO_DEVICE_FEATURES, width: 4, access: 'ro',
        // 4.2.2.1: bits 32 * DeviceFeaturesSel ... 32 * DeviceFeaturesSel + 31.
        onRead: () => this.device_features_sel > 1 ? 0 : Number((this.device_features >> BigInt(32 * this.device_features_sel)) & 0xffffffffn),
      },
      { name: 'DeviceFeaturesSel', offset: VIRTIO_MMIO_DEVICE_FEATURES_SEL, width: 4, access: 'wo', onWrite: (_r, v) => void (this.device_features_sel = Number(v)) },
      {
        name: 'DriverFeatures', offset: VIRTIO_MMIO_DRIVER_FEATURES, width: 4, access: 'wo',
        onWrite: (_r, v) => {
          if (this.driver_features_sel > 1) return;
          const shift = BigInt(32 * this.driver_features_sel);
          this.driver_features = (this.driver_features & ~(0xffffffffn << shift)) | (BigInt(v) << shift);
        },
      },
      { name: 'DriverFeaturesSel', offset: VIRTIO_MMIO_DRIVER_FEATURES_SEL, width: 4, access: 'wo', onWrite: (_r, v) => void (this.driver_features_sel = Number(v)) },
      { name: 'QueueSel', offset: VIRTIO_MMIO_QUEUE_SEL, width: 4, access: 'wo', onWrite: (_r, v) => void (this.queue_sel = Number(v)) },
      { name: 'QueueNumMax', offset: VIRTIO_MMIO_QUEUE_NUM_MAX, width: 4, access: 'ro', onRead: () => this.q()?.num_max ?? 0 },
      { name: 'QueueNum', offset: VIRTIO_MMIO_QUEUE_NUM, width: 4, access: 'wo', onWrite: (_r, v) => { const q = this.q(); if (q) q.num = Number(v); } },
      {
        name: 'QueueReady', offset: VIRTIO_MMIO_QUEUE_READY, width: 4, access: 'rw',
        onRead: () => (this.q()?.ready ? 1 : 0),
        onWrite: (_r, v) => {
          const q = this.q();
          if (!q) return;
          q.ready = (Number(v) & 1) === 1;
          if (!q.ready) q.vhost = null;
        },
      },
      {
        name: 'QueueNotify', offset: VIRTIO_MMIO_QUEUE_NOTIFY, width: 4, access: 'wo',
        onWrite: (_r, v) => {
          const i = Number(v) & 0xffff;
          if (i < this.queues.length) this.notified |= 1 << i;
        },
      },
      { name: 'InterruptStatus', offset: VIRTIO_MMIO_INTERRUPT_STATUS, width: 4, access: 'ro', onRead: () => this.interrupt_status },
      { name: 'InterruptACK', offset: VIRTIO_MMIO_INTERRUPT_ACK, width: 4, access: 'wo', onWrite: (_r, v) => void (this.interrupt_status &= ~Number(v)) },
      {
        name: 'Status', offset: VIRTIO_MMIO_STATUS, width: 4, access: 'rw',
        onRead: () => this.status,
        onWrite: (_r, v) => this.writeStatus(Number(v) & 0xff),
      },
      this.addrReg('QueueDescLow', VIRTIO_MMIO_QUEUE_DESC_LOW, 'desc', false),
      this.addrReg('QueueDescHigh', VIRTIO_MMIO_QUEUE_DESC_HIGH, 'desc', true),
      this.addrReg('QueueDriverLow', VIRTIO_MMIO_QUEUE_AVAIL_LOW, 'driver', false),
      this.addrReg('QueueDriverHigh', VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 'driver', true),
      this.addrReg('QueueDeviceLow', VIRTIO_MMIO_QUEUE_USED_LOW, 'device', false),
      this.addrReg('QueueDeviceHigh', VIRTIO_MMIO_QUEUE_USED_HIGH, 'device', true),
      { name: 'SHMSel', offset: VIRTIO_MMIO_SHM_SEL, width: 4, access: 'wo' },
      // No shared memory region: a length of all ones says "not present" (4.2.2).
      { name: 'SHMLenLow', offset: VIRTIO_MMIO_SHM_LEN_LOW, width: 4, access: 'ro', reset: 0xffffffff },
      { name: 'SHMLenHigh', offset: VIRTIO_MMIO_SHM_LEN_HIGH, width: 4, access: 'ro', reset: 0xffffffff },
      { name: 'SHMBaseLow', offset: VIRTIO_MMIO_SHM_BASE_LOW, width: 4, access: 'ro', reset: 0xffffffff },
      { name: 'SHMBaseHigh', offset: VIRTIO_MMIO_SHM_BASE_HIGH, width: 4, access: 'ro', reset: 0xffffffff },
      { name: 'ConfigGeneration', offset: VIRTIO_MMIO_CONFIG_GENERATION, width: 4, access: 'ro', onRead: () => this.config_generation },
    ];
    for (let off = 0; off < this.configSpace.length; off += 4) {
      regs.push({
        name: `Config+${off.toString(16)}`, offset: VIRTIO_MMIO_CONFIG + off, width: 4, access: 'rw', allowNarrow: true,
        onRead: () => new DataView(this.configSpace.buffer).getUint32(off, true),
        onWrite: (_r, v) => {
          new DataView(this.configSpace.buffer).setUint32(off, Number(v), true);
          this.onConfigWrite(off);
        },
      });
    }
    return regs;
  }

  /** Status writes: 0 resets (4.2.2.1); FEATURES_OK only sticks for a feature set the device accepts. */
  private writeStatus(v: number): void {
    if (v === 0) {
      this.reset();
      return;
    }
    let s = v;
    if ((s & VIRTIO_CONFIG_S_FEATURES_OK) !== 0 && (this.status & VIRTIO_CONFIG_S_FEATURES_OK) === 0 && !this.acceptFeatures(this.driver_features)) {
      s &= ~VIRTIO_CONFIG_S_FEATURES_OK;
    }
    if ((s & VIRTIO_CONFIG_S_DRIVER_OK) !== 0 && (this.status & VIRTIO_CONFIG_S_DRIVER_OK) === 0) this.statusChanged = true;
    this.status = s;
  }

  /** A device accepts a subset of its features that includes VIRTIO_F_VERSION_1. */
  protected acceptFeatures(f: bigint): boolean {
    return (f & ~this.device_features) === 0n && virtio_has_feature(f, VIRTIO_F_VERSION_1);
  }

  /** Config space write by the driver (a hook for device models). */
  protected onConfigWrite(_offset: number): void {}

  protected override onReset(): void {
    this.status = 0;
    this.interrupt_status = 0;
    this.device_features_sel = 0;
    this.driver_features_sel = 0;
    this.driver_features = 0n;
    this.queue_sel = 0;
    this.notified = 0;
    this.statusChanged = false;
    this.generation++;
    for (const q of this.queues) {
      q.num = 0;
      q.ready = false;
      q.desc = q.driver = q.device = 0n;
      q.vhost = null;
    }
  }

  /** DRIVER_OK is set: the device is live (2.1.2: no used buffer notification before it). */
  get live(): boolean {
    return (this.status & VIRTIO_CONFIG_S_DRIVER_OK) !== 0;
  }

  /** Agent: sleeps until the driver notifies a queue or sets DRIVER_OK; returns the notified queues. */
  *waitForWork(): KGen<number> {
    yield this.opWait;
    const n = this.notified;
    this.notified = 0;
    this.statusChanged = false;
    return n;
  }

  /**
   * The device-side ring of queue `i` once the driver made it ready: vhost's view over the
   * addresses the driver wrote, or null (not ready, or laid out outside the memory).
   */
  *startQueue(i: number): KGen<vhost_virtqueue | null> {
    const q = this.queues[i];
    if (!q || !q.ready) return null;
    if (q.vhost) return q.vhost;
    let vring;
    try {
      vring = vringFromParts(q.num, Number(q.desc), Number(q.driver), Number(q.device), this.mem.size);
    } catch {
      return null;
    }
    const gen = this.generation;
    const features = this.driver_features;
    const vq = yield* vhost_vq_init_access(vring, this.mem, { features });
    if (gen !== this.generation) return null;
    q.vhost = vq;
    return vq;
  }

  /** Raises the interrupt with InterruptStatus bits `why` (VIRTIO_MMIO_INT_VRING / _CONFIG). */
  interrupt(why: number): void {
    this.interrupt_status |= why;
    this.raiseIrq();
  }

  /** A used buffer notification for queue work (only when live: a well-behaved device). */
  notifyUsed(): void {
    if (this.live) this.interrupt(VIRTIO_MMIO_INT_VRING);
  }

  /** The device changes its config space: generation bump and a configuration change notification. */
  configChanged(offset: number, bytes: Uint8Array): void {
    this.configSpace.set(bytes, offset);
    this.config_generation = (this.config_generation + 1) >>> 0;
    if (this.live) this.interrupt(VIRTIO_MMIO_INT_CONFIG);
  }
}
