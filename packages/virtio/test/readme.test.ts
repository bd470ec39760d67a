// The README's quick start, run as written (the `// =>` results are asserted here).
import { describe, expect, it } from 'vitest';
import {
  ArrayBufferVringMemory,
  VIRTIO_RING_F_EVENT_IDX,
  VhostIov,
  runSync,
  vhost_add_used,
  vhost_get_vq_desc,
  vhost_signal,
  vhost_vq_init_access,
  virtqueue_add_inbuf,
  virtqueue_get_buf,
  virtqueue_kick,
  vring_init,
  vring_need_event,
  vring_new_virtqueue,
  vring_size,
} from '../src/index';

describe('the README quick start', () => {
  it('runs with the results it shows', () => {
    const mem = new ArrayBufferVringMemory(64 * 1024);
    const features = 1n << BigInt(VIRTIO_RING_F_EVENT_IDX);
    // Driver side (drivers/virtio/virtio_ring.c) and device side (drivers/vhost/vhost.c).
    const vq = runSync(vring_new_virtqueue(0, 8, 4096, mem, 0, { features, callback: function* () {} }));
    const dev = runSync(vhost_vq_init_access(vring_init(8, 0, 4096), mem, { features }));

    expect(runSync(virtqueue_add_inbuf(vq, [{ addr: 0x8000, length: 64 }], 'rx0'))).toBe(0); // => 0
    expect(runSync(virtqueue_kick(vq))).toBe(true); // => true: the device asked for this kick

    const iov = new VhostIov();
    const head = runSync(vhost_get_vq_desc(dev, iov));
    expect([head, iov.in_num, iov.addr[0], iov.len[0]]).toEqual([0, 1, 0x8000, 64]); // => [0, 1, 32768, 64]
    runSync(vhost_add_used(dev, head, 16));
    expect(runSync(vhost_signal(dev))).toBe(true); // => true: raise the interrupt

    const len = { value: 0 };
    expect(runSync(virtqueue_get_buf(vq, len))).toBe('rx0'); // => 'rx0'
    expect(len.value).toBe(16); // => 16
    expect(vring_size(256, 4096)).toBe(10246); // => 10246
    expect(vring_need_event(0xffff, 1, 0xfffe)).toBe(true); // => true (16-bit wrap)
  });
});

describe('README: checking the hardening', () => {
  it('runs as written', async () => {
    const { explore, replay } = await import('@k/core-sync');
    const { probeVsHostileDevice } = await import('../src/scenarios');
    const none = explore(probeVsHostileDevice, { variant: 'none', detectors: { races: false }, budget: 2000, seed: 3 });
    expect(none.counterexample?.message).toBe(
      'assertion failed: a vring callback ran before virtio_device_ready (the driver was still setting up) (in irq5)',
    );
    expect(replay(probeVsHostileDevice, 'none', none.counterexample!.schedule).violation?.kind).toBe('assertion');
    expect(explore(probeVsHostileDevice, { variant: 'seed' }).verdict).toBe('holds');
    expect(explore(probeVsHostileDevice, { variant: 'merged' }).counterexample?.message).toBe(
      'data race on event->broken: marked write by probe+remove is concurrent with plain read by irq5 (step 51)',
    );
  });
});
