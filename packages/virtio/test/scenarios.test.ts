import { describe, expect, it } from 'vitest';
import { defineScenario, explore, irq_set_affinity, replay, type Scenario } from '@k/core-sync';
import {
  HostileDevice, VIRTIO_ID_SCSI, VIRTRNG_DATA_SIZE, VirtioMmioPlatform, VirtioRngDevice, virtio_mmio_probe, virtio_read,
  virtio_rng_driver, virtio_scsi_driver, type virtio_mmio_device,
} from '../src/index';
import {
  consoleLoopbackExchange, probeVsHostileDevice, rngEarlyRequest, rngHostileLengths, scenarios,
} from '../src/scenarios';

describe('the checked scenarios (k check @k/virtio)', () => {
  for (const s of scenarios as readonly Scenario[]) {
    for (const v of Object.keys(s.variants)) {
      it(`${s.name} / ${v}: the default exploration ends as the variant expects, and a counterexample replays`, () => {
        const r = explore(s, { variant: v });
        expect(r.ok, r.counterexample ? `${r.counterexample.kind}: ${r.counterexample.message}\n${r.counterexample.timeline}` : 'no counterexample').toBe(true);
        if (r.counterexample) {
          const rep = replay(s, v, r.counterexample.schedule);
          expect(rep.diverged).toBe(null);
          expect(rep.violation?.message).toBe(r.counterexample.message);
        }
      });
    }
  }
});

describe('probe against a hostile device, per hardening', () => {
  it('none: the callback reads vscsi->event_vq before probe wrote it (races off: the NULL pointer or a callback outside the ready window)', () => {
    const r = explore(probeVsHostileDevice, { variant: 'none', detectors: { races: false }, budget: 2000, seed: 3 });
    expect(r.verdict).toBe('fails');
    expect(r.counterexample?.kind).toBe('assertion');
    expect(r.counterexample?.message).toMatch(
      /virtscsi_vq->vq is NULL \(the callback ran on uninitialised driver state\)|a vring callback ran before virtio_device_ready|a vring callback ran after virtio_reset_device returned/,
    );
  });

  it('none: across seeds it breaks both ways: a callback before virtio_device_ready and one after virtio_reset_device', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 12 && seen.size < 3; seed++) {
      const r = explore(probeVsHostileDevice, { variant: 'none', detectors: { races: false }, budget: 3000, seed });
      const m = r.counterexample?.message ?? '';
      if (m.includes('is NULL')) seen.add('null');
      if (m.includes('before virtio_device_ready')) seen.add('before-ready');
      if (m.includes('after virtio_reset_device')) seen.add('after-reset');
    }
    expect(seen).toEqual(new Set(['before-ready', 'after-reset']));
  });

  it('none: without the window check, the callback reads the NULL vscsi->event_vq.vq', () => {
    const noCheck = defineScenario<'none'>({
      ...probeVsHostileDevice,
      name: 'probe-without-window-check',
      variants: { none: probeVsHostileDevice.variants.none },
      setup(k) {
        const plat = new VirtioMmioPlatform();
        const dev = new HostileDevice('virtio-mmio@a000', { deviceId: VIRTIO_ID_SCSI, irq: 5, mem: plat.mem, queueSize: 2, strikes: 3, actions: ['spurious-irq', 'fake-used'] });
        irq_set_affinity(5, [0, 1]);
        const drv = virtio_scsi_driver({ alloc: (n, s) => plat.dmaAlloc(n, s) });
        dev.start(k);
        k.spawn('probe', function* () {
          yield* virtio_mmio_probe(dev.bank, 5, plat.mem, plat.pages, { hardening: 'none', drivers: [drv] });
        }, { cpu: 0 });
      },
    });
    let msg = '';
    for (let seed = 1; seed <= 20 && !msg.includes('is NULL'); seed++) {
      msg = explore(noCheck, { variant: 'none', detectors: { races: false }, budget: 2000, seed }).counterexample?.message ?? '';
    }
    expect(msg).toBe('assertion failed: virtscsi_vq_done: virtscsi_vq->vq is NULL (the callback ran on uninitialised driver state) (in irq5)');
  });

  it('seed: holds over more executions and other seeds', () => {
    for (const seed of [11, 12]) {
      const r = explore(probeVsHostileDevice, { variant: 'seed', budget: 400, seed });
      expect(r.verdict, r.counterexample?.message).toBe('holds');
    }
  });

  it('merged: the only failure is the data race on vq->broken; without race detection the callbacks stay inside the ready window', () => {
    const r = explore(probeVsHostileDevice, { variant: 'merged' });
    expect(r.counterexample?.kind).toBe('data-race');
    expect(r.counterexample?.message).toMatch(/^data race on event->broken: /);
    const quiet = explore(probeVsHostileDevice, { variant: 'merged', detectors: { races: false }, budget: 600, seed: 5 });
    expect(quiet.verdict, quiet.counterexample?.message).toBe('holds');
  });
});

describe('the other scenarios', () => {
  it('the loopback console returns every message once, in order, under every hardening', () => {
    for (const v of ['none', 'seed', 'merged'] as const) {
      const r = explore(consoleLoopbackExchange, { variant: v, budget: 40, seed: 9 });
      expect(r.verdict, r.counterexample?.message).toBe('holds');
      expect(r.outcomes).toEqual(['3']);
    }
  });

  it('merged makes v5.18 virtio-rng lose its first request: no entropy ever arrives', () => {
    const r = explore(rngEarlyRequest, { variant: 'merged' });
    expect(r.counterexample?.message).toBe(
      "final check 'the reader got 32 bytes of the device's entropy' does not hold: virtio_read returned -512: no entropy ever arrived",
    );
  });

  it('a lying device makes v5.18 virtio-rng read past vi->data, with or without the used-length check', () => {
    for (const v of ['v5.18', 'validated'] as const) {
      const r = explore(rngHostileLengths, { variant: v });
      expect(r.counterexample?.kind).toBe('out-of-bounds');
      expect(r.counterexample?.message).toMatch(/^read of \d+ bytes at 0x1000(40|[4-7][0-9a-f]) by hwrng: /);
    }
  });
});

describe('v5.18 virtio-rng on a well-behaved device', () => {
  const reader = (local_len: boolean) => defineScenario({
    name: `rng-reader-${String(local_len)}`,
    description: 'two reads of 64 bytes: the second finds the request the first one made',
    variants: { only: { expect: 'holds' } },
    defaults: { budget: 150, maxSteps: 20_000, timing: 'strict' },
    setup(k) {
      const plat = new VirtioMmioPlatform();
      const dev = new VirtioRngDevice('rng', { irq: 5, mem: plat.mem, queueSize: 2 });
      const drv = virtio_rng_driver({ dma: plat.dma, allocData: () => plat.dmaAlloc('virtrng.data', VIRTRNG_DATA_SIZE), local_len });
      dev.start(k);
      k.spawn('hwrng', function* () {
        const vm = (yield* virtio_mmio_probe(dev.bank, 5, plat.mem, plat.pages, { hardening: 'seed', drivers: [drv] })) as virtio_mmio_device;
        for (let i = 0; i < 2; i++) yield* virtio_read(vm.vdev, VIRTRNG_DATA_SIZE, true);
      });
    },
  });

  it('races with random_recv_done on vi->data_avail (the bug syzbot found, fixed by ac52578d6e8d)', () => {
    const r = explore(reader(false), { seed: 2 });
    expect(r.counterexample?.kind).toBe('data-race');
    expect(r.counterexample?.message).toMatch(/^data race on vi->data_(avail|idx): /);
  });

  it('does not with the fix: the length published with smp_store_release, read with smp_load_acquire', () => {
    const r = explore(reader(true), { seed: 2 });
    expect(r.verdict, r.counterexample?.message).toBe('holds');
  });
});
