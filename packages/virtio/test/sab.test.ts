// The real ring: the same driver and device code over a SharedArrayBuffer, between threads.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KernelError } from '@k/core-sync';
import { SabRingDevice, SabRingDriver, createSabRing, parseSplitRing, vring_init } from '../src/index';

interface DeviceReport {
  n: number;
  bad: number;
  bytes: number;
  stats: { messages: number; notifies: number; arms: number; sleeps: number };
}

/** Starts the device worker (TypeScript, through tsx) and waits until it serves the ring. */
async function startDevice(sab: SharedArrayBuffer, spin?: number): Promise<{ worker: Worker; report: Promise<DeviceReport> }> {
  const file = JSON.stringify(pathToFileURL(join(import.meta.dirname, 'helpers', 'sab-device.worker.ts')).href);
  const worker = new Worker(`import('tsx/esm/api').then((m) => m.tsImport(${file}, ${file}))`, {
    eval: true,
    workerData: { sab, spin },
    execArgv: ['--conditions=@k/source'],
  });
  const messages: unknown[] = [];
  let wake: (() => void) | null = null;
  worker.on('message', (m) => {
    messages.push(m);
    wake?.();
  });
  const nextMessage = async (): Promise<unknown> => {
    while (messages.length === 0) await new Promise<void>((r) => (wake = r));
    return messages.shift();
  };
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  expect(await Promise.race([nextMessage(), failed])).toBe('ready');
  return { worker, report: Promise.race([nextMessage() as Promise<DeviceReport>, failed]) };
}

function message(seq: number, size: number): Uint8Array {
  const m = new Uint8Array(size);
  new DataView(m.buffer).setUint32(0, seq, true);
  for (let i = 4; i < size; i++) m[i] = (seq + i) & 0xff;
  return m;
}

describe('the split ring over a SharedArrayBuffer between worker threads', () => {
  it('delivers every message once, in order and intact, kicking the device far less than once per message', async () => {
    const sab = createSabRing({ num: 64, slotSize: 128 });
    const { worker, report } = await startDevice(sab);
    const drv = SabRingDriver.attach(sab);
    const N = 20_000;
    let bytes = 0;
    for (let s = 0; s < N; s++) {
      const m = message(s, 4 + (s % 120));
      bytes += m.length;
      expect(drv.send(m, 10_000)).toBe(true);
    }
    expect(drv.flush(10_000)).toBe(true);
    expect(drv.inFlight).toBe(0);
    drv.close();
    const r = await report;
    await worker.terminate();
    expect(r).toMatchObject({ n: N, bad: 0, bytes });
    expect(drv.stats.messages).toBe(N);
    // Event-idx suppression: one kick at most per time the device armed avail_event before
    // sleeping, one interrupt at most per time the driver armed used_event (plus the first
    // notification each way, before any arm: the event indexes start at 0).
    expect(drv.stats.notifies).toBeLessThanOrEqual(r.stats.arms + 1);
    expect(r.stats.notifies).toBeLessThanOrEqual(drv.stats.arms + 1);
    expect(drv.stats.notifies).toBeLessThan(N);
    expect(drv.vq.broken.peek()).toBe(false);
  }, 60_000);

  it('works without VIRTIO_RING_F_EVENT_IDX, sleeping at once on both sides (flags-based suppression)', async () => {
    const sab = createSabRing({ num: 4, slotSize: 16, eventIdx: false });
    const { worker, report } = await startDevice(sab, 0);
    const drv = SabRingDriver.attach(sab, { spinUs: 0 });
    expect(drv.vq.event).toBe(false);
    for (let s = 0; s < 2000; s++) expect(drv.send(message(s, 16), 10_000)).toBe(true);
    expect(drv.flush(10_000)).toBe(true);
    drv.close();
    expect(await report).toMatchObject({ n: 2000, bad: 0 });
    await worker.terminate();
  }, 60_000);

  it('lays the ring out in the buffer exactly as vring_init does, after a 64-byte header', () => {
    const sab = createSabRing({ num: 8, slotSize: 32 });
    const drv = SabRingDriver.attach(sab);
    const dev = SabRingDevice.attach(sab);
    drv.send(message(7, 32));
    const snap = parseSplitRing(new Uint8Array(sab), vring_init(8, 64, 64));
    expect(snap.avail.idx).toBe(1);
    expect(snap.desc[snap.avail.ring[0]!]!.len).toBe(32);
    let got: number[] = [];
    expect(dev.poll((m) => (got = Array.from(m.subarray(0, 4))))).toBe(1);
    expect(got).toEqual([7, 0, 0, 0]);
    expect(drv.reclaim()).toBe(1);
  });

  it('refuses oversize messages, foreign buffers and sends after close, with typed errors', () => {
    const sab = createSabRing({ num: 2, slotSize: 8 });
    const drv = SabRingDriver.attach(sab);
    expect(() => drv.send(new Uint8Array(9))).toThrow(/EMSGSIZE/);
    expect(() => SabRingDriver.attach(new SharedArrayBuffer(4096))).toThrow(KernelError);
    expect(() => SabRingDevice.attach(new ArrayBuffer(64) as unknown as SharedArrayBuffer)).toThrow(/EINVAL/);
    expect(() => createSabRing({ num: 3 })).toThrow(/InvalidQueueSize/);
    expect(() => createSabRing({ slotSize: 0 })).toThrow(/EINVAL/);
    drv.close();
    expect(() => drv.send(new Uint8Array(1))).toThrow(/ESHUTDOWN/);
  });

  it('times out instead of hanging when nobody serves the ring', () => {
    const drv = SabRingDriver.attach(createSabRing({ num: 1, slotSize: 8 }), { spinUs: 10 });
    expect(drv.send(new Uint8Array(1), 50)).toBe(true);
    expect(drv.send(new Uint8Array(1), 50)).toBe(false);
    expect(drv.flush(50)).toBe(false);
  });
});
