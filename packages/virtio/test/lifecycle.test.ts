import { describe, expect, it } from 'vitest';
import { A_SYNC, BLOCK_SLEEP, EINVAL, ENODEV, Op, msleep } from '@k/core-sync';
import { readl, writel } from '@k/hw-emu';
import {
  HostileDevice, VIRTIO_CONFIG_S_ACKNOWLEDGE, VIRTIO_CONFIG_S_DRIVER, VIRTIO_CONFIG_S_DRIVER_OK,
  VIRTIO_CONFIG_S_FAILED, VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_F_VERSION_1, VIRTIO_ID_CONSOLE, VIRTIO_ID_RNG,
  VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_SEL, VIRTIO_MMIO_SHM_LEN_LOW,
  VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_VENDOR_QEMU, VIRTIO_MMIO_VERSION, VIRTIO_RING_F_EVENT_IDX, VirtioConsoleLoopback,
  VirtioMmioDevice, VirtioMmioPlatform, VirtioRngDevice, VIRTRNG_DATA_SIZE, __virtio_unbreak_device,
  unregister_virtio_device, virtio_break_device, virtio_cread16, virtio_cread_bytes, virtio_device,
  virtio_mmio_probe, virtio_read, virtio_rng_driver, virtqueue_is_broken, type virtio_driver, type virtio_mmio_device,
  type VirtioHardening,
} from '../src/index';
import { runOnce } from './helpers/run';

const IRQ = 9;

/** A driver that records the status it sees at each step of probe. */
function recordingDriver(id: number, features: number[], seen: number[], probeErr = 0): virtio_driver {
  return {
    name: 'recorder',
    id_table: [id],
    feature_table: features,
    *probe(vdev) {
      seen.push(yield* vdev.config.get_status(vdev));
      return probeErr;
    },
    *remove(vdev) {
      yield* vdev.config.reset(vdev);
    },
  };
}

describe('the device lifecycle (virtio.c, spec 3.1.1)', () => {
  it('sets ACKNOWLEDGE, DRIVER, FEATURES_OK before probe and DRIVER_OK after, negotiating the common features', () => {
    let vm: unknown = 0;
    const seen: number[] = [];
    let dev!: VirtioRngDevice;
    const r = runOnce('lifecycle-order', (k) => {
      const plat = new VirtioMmioPlatform();
      dev = new VirtioRngDevice('rng', { irq: IRQ, mem: plat.mem, features: 1n << BigInt(VIRTIO_RING_F_EVENT_IDX) });
      dev.start(k);
      const drv = recordingDriver(VIRTIO_ID_RNG, [VIRTIO_RING_F_EVENT_IDX, 7], seen);
      return function* () {
        vm = yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { drivers: [drv] });
      };
    });
    expect(r.verdict).toBe('holds');
    expect(seen).toEqual([VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK]);
    expect(dev.status).toBe(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
    const vdev = (vm as virtio_mmio_device).vdev;
    // bit 7 is not offered; VERSION_1 is a transport feature and always kept.
    expect(vdev.features).toBe((1n << BigInt(VIRTIO_RING_F_EVENT_IDX)) | (1n << BigInt(VIRTIO_F_VERSION_1)));
    expect(dev.driver_features).toBe(vdev.features);
    expect(vdev.name).toBe('virtio0');
    expect(vdev.config_enabled.peek()).toBe(true);
  });

  it('sets FAILED and leaves the device unbound when probe fails', () => {
    let dev!: VirtioRngDevice;
    let vdev: virtio_device | null = null;
    const r = runOnce('lifecycle-failed', (k) => {
      const plat = new VirtioMmioPlatform();
      dev = new VirtioRngDevice('rng', { irq: IRQ, mem: plat.mem });
      dev.start(k);
      return function* () {
        const vm = yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { drivers: [recordingDriver(VIRTIO_ID_RNG, [], [], -EINVAL)] });
        vdev = (vm as virtio_mmio_device).vdev;
      };
    });
    expect(r.verdict).toBe('holds');
    expect(dev.status & VIRTIO_CONFIG_S_FAILED).toBe(VIRTIO_CONFIG_S_FAILED);
    expect(dev.status & VIRTIO_CONFIG_S_DRIVER_OK).toBe(0);
    expect(vdev!.driver).toBe(null);
  });

  it('fails virtio_features_ok with -ENODEV when the device does not keep FEATURES_OK', () => {
    class Picky extends VirtioMmioDevice {
      protected override acceptFeatures(): boolean {
        return false;
      }
    }
    let dev!: Picky;
    const r = runOnce('lifecycle-features-refused', () => {
      const plat = new VirtioMmioPlatform();
      dev = new Picky('picky', { deviceId: VIRTIO_ID_RNG, irq: IRQ, mem: plat.mem, queues: [2] });
      return function* () {
        yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { drivers: [recordingDriver(VIRTIO_ID_RNG, [], [])] });
      };
    });
    expect(r.verdict).toBe('holds');
    expect(dev.status).toBe(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FAILED);
  });

  it('refuses a confidential guest a device without VIRTIO_F_ACCESS_PLATFORM', () => {
    const logs: string[] = [];
    let dev!: VirtioRngDevice;
    runOnce('lifecycle-restricted', (k) => {
      const plat = new VirtioMmioPlatform();
      dev = new VirtioRngDevice('rng', { irq: IRQ, mem: plat.mem });
      dev.start(k);
      return function* () {
        yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, {
          drivers: [recordingDriver(VIRTIO_ID_RNG, [], [])], restricted_memory_access: true, log: (_l, m) => logs.push(m),
        });
      };
    });
    expect(logs).toContain('virtio0: device must provide VIRTIO_F_ACCESS_PLATFORM');
    expect(dev.status & VIRTIO_CONFIG_S_FAILED).toBe(VIRTIO_CONFIG_S_FAILED);
  });

  it('resets on remove and acknowledges the device again', () => {
    let dev!: VirtioRngDevice;
    let vm: virtio_mmio_device | null = null;
    const r = runOnce('lifecycle-remove', (k) => {
      const plat = new VirtioMmioPlatform();
      dev = new VirtioRngDevice('rng', { irq: IRQ, mem: plat.mem });
      dev.start(k);
      const drv = virtio_rng_driver({ dma: plat.dma, allocData: () => plat.dmaAlloc('virtrng.data', VIRTRNG_DATA_SIZE), local_len: true });
      return function* () {
        vm = (yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { drivers: [drv] })) as virtio_mmio_device;
        const got = yield* virtio_read(vm.vdev, 8, true);
        expect(got).toBeInstanceOf(Uint8Array);
        yield* unregister_virtio_device(vm.vdev);
        expect(vm.vdev.driver).toBe(null);
        expect(yield* virtio_read(vm.vdev, 8, true)).toBe(-ENODEV);
      };
    });
    expect(r.verdict).toBe('holds');
    expect(dev.status).toBe(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    expect(dev.resets).toBe(2);
  });

  it('defers a config change that comes during probe and delivers it once reporting is enabled', () => {
    const runs: number[][] = [];
    const r = runOnce('lifecycle-config', (k) => {
      const plat = new VirtioMmioPlatform();
      const dev = new VirtioConsoleLoopback('cons', { irq: IRQ, mem: plat.mem });
      const changes: number[] = [];
      runs.push(changes);
      // The device changes its config space once the driver is probing (DRIVER set).
      k.agent('config', function* () {
        yield new Op('wait for DRIVER', dev, BLOCK_SLEEP, A_SYNC, () => (dev.status & VIRTIO_CONFIG_S_DRIVER) !== 0);
        dev.configSpace[0] = 100;
        dev.config_generation++;
        dev.interrupt(VIRTIO_MMIO_INT_CONFIG);
      });
      const drv: virtio_driver = {
        name: 'cfg', id_table: [VIRTIO_ID_CONSOLE], feature_table: [],
        *probe(vdev) {
          const vqs = yield* vdev.config.find_vqs(vdev, [{ callback: null, name: 'rx' }]);
          return Array.isArray(vqs) ? 0 : vqs;
        },
        *config_changed(vdev) {
          changes.push(yield* virtio_cread16(vdev, 0));
        },
        *remove() {},
      };
      return function* () {
        const vm = (yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { drivers: [drv] })) as virtio_mmio_device;
        const bytes = yield* virtio_cread_bytes(vm.vdev, 0, 4);
        expect([...bytes]).toEqual([100, 0, 25, 0]);
        // wait for the interrupt if it is still on its way
        yield* msleep(10);
      };
    }, { budget: 40, timing: 'free' });
    expect(r.verdict).toBe('holds');
    expect(runs.length).toBe(40);
    // Before virtio_config_enable the change is kept pending; either way the driver hears of it exactly once.
    for (const c of runs) expect(c).toEqual([100]);
  });
});

describe('the virtio-mmio register layout (spec 4.2.2, version 2)', () => {
  it('answers magic, version, ids, queue sizes, an absent shared memory region and the generation', () => {
    const got: number[] = [];
    runOnce('mmio-registers', () => {
      const plat = new VirtioMmioPlatform();
      const dev = new VirtioRngDevice('rng', { irq: IRQ, mem: plat.mem, queueSize: 8 });
      return function* () {
        for (const off of [VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_VENDOR_ID]) got.push(yield* readl(dev.bank, off));
        yield* writel(0, dev.bank, VIRTIO_MMIO_QUEUE_SEL);
        got.push(yield* readl(dev.bank, VIRTIO_MMIO_QUEUE_NUM_MAX));
        yield* writel(1, dev.bank, VIRTIO_MMIO_QUEUE_SEL);
        got.push(yield* readl(dev.bank, VIRTIO_MMIO_QUEUE_NUM_MAX));
        got.push(yield* readl(dev.bank, VIRTIO_MMIO_SHM_LEN_LOW), yield* readl(dev.bank, VIRTIO_MMIO_CONFIG_GENERATION));
      };
    });
    expect(got).toEqual([VIRTIO_MMIO_MAGIC, 2, VIRTIO_ID_RNG, VIRTIO_MMIO_VENDOR_QEMU, 8, 0, 0xffffffff, 0]);
  });

  it('does not bind a placeholder device (DeviceID 0)', () => {
    let res: unknown;
    runOnce('mmio-placeholder', () => {
      const plat = new VirtioMmioPlatform();
      const dev = new VirtioMmioDevice('empty', { deviceId: 0, irq: IRQ, mem: plat.mem, queues: [] });
      return function* () {
        res = yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages);
      };
    });
    expect(res).toBe(-ENODEV);
  });

  it('validates its options', () => {
    const plat = () => new VirtioMmioPlatform();
    expect(() => new VirtioMmioPlatform({ ringBytes: 12 })).toThrow(/ringBytes/);
    expect(() => plat().dmaAlloc('x', 0)).toThrow(/size/);
    expect(() => new virtio_device({ device: 1, vendor: 0 }, {} as never, { hardening: 'maybe' as VirtioHardening })).toThrow(/unknown hardening/);
  });
});

describe('v5.19 hardening (CONFIG_VIRTIO_HARDEN_NOTIFICATION)', () => {
  it('virtio_device_ready unbreaks every queue, also one BAD_RING broke (what 8b4ec69d7e09 changed in vq->broken)', () => {
    const r = runOnce('merged-unbreak', (k) => {
      const plat = new VirtioMmioPlatform();
      const dev = new HostileDevice('h', { deviceId: 99, irq: IRQ, mem: plat.mem, strikes: 0 });
      dev.start(k);
      let vq: unknown = null;
      const drv: virtio_driver = {
        name: 'd', id_table: [99], feature_table: [],
        *probe(vdev) {
          const vqs = yield* vdev.config.find_vqs(vdev, [{ callback: null, name: 'q' }]);
          vq = (vqs as unknown[])[0];
          return 0;
        },
        *remove() {},
      };
      return function* () {
        const vm = (yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { hardening: 'merged', drivers: [drv] })) as virtio_mmio_device;
        const q = vq as Parameters<typeof virtqueue_is_broken>[0];
        expect(yield* virtqueue_is_broken(q)).toBe(false);
        yield* virtio_break_device(vm.vdev);
        q.broken_reason = 'id 4 out of range';
        expect(yield* virtqueue_is_broken(q)).toBe(true);
        yield* __virtio_unbreak_device(vm.vdev);
        // The queue the device corrupted works again: the flag meant "broken" and "not ready" at once.
        expect(yield* virtqueue_is_broken(q)).toBe(false);
      };
    });
    expect(r.verdict).toBe('holds');
  });
});
