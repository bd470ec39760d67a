// @k/virtio/scenarios: the checked scenarios of seed 002 ("virtio: harden vring IRQ") for
// `k check`. Each runs a virtio-mmio device model and a driver on the explored runtime: the
// rings in hw-emu DMA memory (every access a scheduling point with race detection), registers
// through readl/writel, the device's interrupt on a core-sync IRQ line, the device as an agent.
// The variants are the three hardenings of the vring interrupt (none, seed, merged), except
// where a scenario is about something else (the driver's memory safety).
import { defineScenario, irq_set_affinity, kassert, wait_for_completion, type Scenario } from '@k/core-sync';
import { unregister_virtio_device, type VirtioHardening, type virtio_device } from './internal/core/virtio';
import { virtio_mmio_probe, type virtio_mmio_device } from './internal/mmio/virtio_mmio';
import { VirtioMmioPlatform } from './internal/mmio/platform';
import { HostileDevice, VIRTIO_ID_RNG, VirtioConsoleLoopback, VirtioRngDevice } from './internal/devices/models';
import { VIRTRNG_DATA_SIZE, virtio_read, virtio_rng_driver } from './internal/drivers/virtio_rng';
import { VIRTIO_ID_SCSI, virtio_scsi_driver } from './internal/drivers/virtio_scsi';
import { send_to_port, virtio_console_driver, type port } from './internal/drivers/virtio_console';

const IRQ = 5;

function probed(r: virtio_mmio_device | number): virtio_mmio_device {
  kassert(typeof r !== 'number', `virtio_mmio_probe failed with ${String(r)}`);
  return r;
}

/** The callback ran only between virtio_device_ready and the virtio_reset_device that followed. */
function checkPhase(vdev: virtio_device): void {
  kassert(vdev.k_phase !== 'init', 'a vring callback ran before virtio_device_ready (the driver was still setting up)');
  kassert(vdev.k_phase !== 'reset', 'a vring callback ran after virtio_reset_device returned');
}

/**
 * The seed thread's race: virtio-scsi's probe (find_vqs requests the interrupt, the driver
 * sets vscsi->event_vq up, then virtio_device_ready) and remove (virtio_reset_device, del_vqs,
 * free) against a device that raises its interrupt whenever it likes and completes buffers it
 * was never given.
 */
export const probeVsHostileDevice = defineScenario<VirtioHardening>({
  name: 'virtio-probe-vs-hostile-device',
  description: 'virtio-scsi probe and remove against a device that interrupts at any moment: callbacks only between virtio_device_ready and virtio_reset_device, on initialised driver state',
  variants: {
    none: {
      expect: 'fails', kinds: ['assertion', 'data-race', 'use-after-free'],
      why: 'v5.18: the interrupt is live from request_irq in find_vqs, so the callback can run before the driver set vscsi->event_vq up, and after virtio_reset_device',
    },
    seed: { expect: 'holds', why: 'irq_soft_enabled: release in virtio_device_ready, acquire in vring_interrupt, WRITE_ONCE + synchronize_rcu in virtio_reset_device' },
    merged: {
      expect: 'fails', kinds: ['data-race'],
      why: 'v5.19 reads vq->broken with a plain load in vring_interrupt while __virtio_unbreak_device and virtio_break_device WRITE_ONCE it: a data race (the callbacks themselves stay inside the ready window)',
    },
  },
  defaults: { budget: 120, maxSteps: 20_000 },
  setup(k, hardening) {
    const plat = new VirtioMmioPlatform();
    const dev = new HostileDevice('virtio-mmio@a000', { deviceId: VIRTIO_ID_SCSI, irq: IRQ, mem: plat.mem, queueSize: 2, strikes: 3, actions: ['spurious-irq', 'fake-used'] });
    irq_set_affinity(IRQ, [0, 1]);
    const drv = virtio_scsi_driver({ alloc: (n, s) => plat.dmaAlloc(n, s), onCallback: checkPhase });
    dev.start(k);
    k.spawn('probe+remove', function* () {
      const vm = probed(yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { hardening, drivers: [drv] }));
      kassert(vm.vdev.driver !== null, 'virtio_scsi did not bind');
      yield* unregister_virtio_device(vm.vdev);
    }, { cpu: 0 });
  },
});

/**
 * A well-behaved console that loops back: the driver transmits N messages, the device echoes
 * each into a receive buffer, the driver's in_intr collects them. Nothing lost, nothing twice,
 * in order, under every hardening.
 */
export const consoleLoopbackExchange = defineScenario<VirtioHardening>({
  name: 'virtio-console-loopback-exchange',
  description: 'a driver and a well-behaved loopback console exchange 3 messages through 2 receive buffers: each comes back once, in order',
  variants: { none: { expect: 'holds' }, seed: { expect: 'holds' }, merged: { expect: 'holds' } },
  defaults: { budget: 60, maxSteps: 40_000 },
  setup(k, hardening) {
    const N = 3;
    const plat = new VirtioMmioPlatform();
    const dev = new VirtioConsoleLoopback('virtio-mmio@b000', { irq: IRQ, mem: plat.mem, queueSize: 2 });
    const alloc = (n: string, s: number) => plat.dmaAlloc(n, s);
    const drv = virtio_console_driver({ dma: plat.dma, alloc, expect: N, rxBuffers: 2, bufSize: 8 });
    dev.start(k);
    const sent: string[] = [];
    let vdev: virtio_device | null = null;
    k.spawn('console', function* () {
      const vm = probed(yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { hardening, drivers: [drv] }));
      vdev = vm.vdev;
      for (let i = 0; i < N; i++) {
        const msg = `msg${String(i)}`;
        const r = yield* send_to_port(vm.vdev, new TextEncoder().encode(msg), alloc);
        kassert(r === msg.length, `send_to_port returned ${String(r)}`);
        sent.push(msg);
      }
      yield* wait_for_completion((vm.vdev.priv as port).all_received);
    });
    k.atEnd('every message came back once, in order', () => {
      const p = vdev?.priv as port | undefined;
      const got = (p?.received ?? []).map((b) => new TextDecoder().decode(b));
      return JSON.stringify(got) === JSON.stringify(sent) || `sent ${JSON.stringify(sent)}, received ${JSON.stringify(got)}`;
    });
    k.outcome(() => String((vdev?.priv as port | undefined)?.received.length ?? 0));
  },
});

/**
 * Why CONFIG_VIRTIO_HARDEN_NOTIFICATION was switched off: v5.18's virtio-rng makes its first
 * entropy request in probe, before DRIVER_OK. Under `merged` the queue is still broken then, the
 * add fails with -EIO (ignored, as the driver does), and the reader waits for entropy that
 * never comes. A well-behaved device, which only starts serving at DRIVER_OK.
 */
export const rngEarlyRequest = defineScenario<VirtioHardening>({
  name: 'virtio-rng-request-before-driver-ok',
  description: 'v5.18 virtio-rng queues its first request in probe, before DRIVER_OK; a reader then asks for 32 bytes',
  variants: {
    none: { expect: 'holds' },
    seed: { expect: 'holds', why: 'the seed only filters interrupts: the request queued before DRIVER_OK is served after it' },
    merged: {
      expect: 'fails', kinds: ['assertion'],
      why: 'the queue is broken until virtio_device_ready, so the request made in probe fails with -EIO and no entropy ever comes (fixed in the driver by 228432551bd8)',
    },
  },
  defaults: { budget: 60, maxSteps: 20_000, timing: 'strict' },
  setup(k, hardening) {
    const plat = new VirtioMmioPlatform();
    const dev = new VirtioRngDevice('virtio-mmio@c000', { irq: IRQ, mem: plat.mem, queueSize: 2 });
    // The reader's data path as fixed by ac52578d6e8d (v5.18's races with the callback, see the
    // README), so that the race detector looks at the hardening only.
    const drv = virtio_rng_driver({ dma: plat.dma, allocData: () => plat.dmaAlloc('virtrng.data', VIRTRNG_DATA_SIZE), local_len: true });
    dev.start(k);
    let got: Uint8Array | number = 0;
    k.spawn('hwrng', function* () {
      const vm = probed(yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { hardening, drivers: [drv] }));
      got = yield* virtio_read(vm.vdev, 32, true);
      yield* unregister_virtio_device(vm.vdev);
    });
    k.atEnd('the reader got 32 bytes of the device\'s entropy', () => {
      if (typeof got === 'number') return `virtio_read returned ${String(got)}: no entropy ever arrived`;
      return got.length === 32 || `virtio_read returned ${String(got.length)} bytes`;
    });
  },
});

/**
 * A hostile device against virtio-rng's reader: it completes buffers with ids and lengths of its
 * choosing. The property is memory safety only (races with such a device are expected, so race
 * detection is off): the driver must never read outside vi->data. Variants are driver and ring
 * versions, not hardenings (the hardening does not look at lengths).
 */
export const rngHostileLengths = defineScenario<'v5.18' | 'validated' | 'validated-local-len'>({
  name: 'virtio-rng-vs-lying-device',
  description: 'a device lies about used ids and lengths; virtio-rng copies entropy out of vi->data[64] by the length it was told',
  variants: {
    'v5.18': {
      expect: 'fails', kinds: ['out-of-bounds'],
      why: 'no used-length check in the ring (reverted in v5.16): a length of 65 on a real buffer makes copy_data read past vi->data',
    },
    validated: {
      expect: 'fails', kinds: ['out-of-bounds'],
      why: 'with 939779f5152d\'s check the buffer is refused, but virtqueue_get_buf has already stored the length in vi->data_avail (passed as &vi->data_avail)',
    },
    'validated-local-len': { expect: 'holds', why: 'the ring checks lengths and the driver publishes a length only for a buffer the ring accepted' },
  },
  defaults: { budget: 250, maxSteps: 20_000, detectors: { races: false } },
  setup(k, variant) {
    const plat = new VirtioMmioPlatform();
    const dev = new HostileDevice('virtio-mmio@d000', { deviceId: VIRTIO_ID_RNG, irq: IRQ, mem: plat.mem, queueSize: 2, strikes: 2, actions: ['fake-used'] });
    irq_set_affinity(IRQ, [0, 1]);
    const drv = virtio_rng_driver({
      dma: plat.dma, allocData: () => plat.dmaAlloc('virtrng.data', VIRTRNG_DATA_SIZE),
      suppress_used_validation: variant === 'v5.18', local_len: variant === 'validated-local-len',
    });
    dev.start(k);
    k.spawn('hwrng', function* () {
      // With the seed's hardening, so that interrupts before DRIVER_OK are filtered and lengths are what is tested.
      const vm = probed(yield* virtio_mmio_probe(dev.bank, IRQ, plat.mem, plat.pages, { hardening: 'seed', drivers: [drv] }));
      // rng_dev_read / hwrng_fillfn: reads of rng_buffer_size() bytes.
      for (let i = 0; i < 3; i++) yield* virtio_read(vm.vdev, VIRTRNG_DATA_SIZE, true);
    });
  },
});

export const scenarios: readonly Scenario[] = [probeVsHostileDevice, consoleLoopbackExchange, rngEarlyRequest, rngHostileLengths];
