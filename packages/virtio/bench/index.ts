// Benchmark of the real ring: the split virtqueue model over a SharedArrayBuffer between two
// Node threads (driver here, device in a worker), against Node's MessageChannel/postMessage
// between the same two threads, in the same run. Small messages (64 bytes).
//   throughput: N messages sent back to back; the clock stops when the receiver has consumed
//               them all (ring: every buffer returned; MessageChannel: the worker's "done").
//   latency:    one message at a time, round trip until the receiver acknowledged it
//               (ring: the used buffer is back; MessageChannel: the worker's reply).
// Also the single-thread cost of one driver+device round trip through the generator code, and
// the explorer's rate on the seed-002 scenarios (executions of the checked world per second).
// Every figure is one `BENCH @k/virtio <figure> <value> <unit>` line.
import { MessageChannel, Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import {
  ArrayBufferVringMemory,
  SabRingDevice,
  SabRingDriver,
  VIRTIO_RING_F_EVENT_IDX,
  VhostIov,
  createSabRing,
  runSync,
  vhost_add_used,
  vhost_get_vq_desc,
  vhost_signal,
  vhost_vq_init_access,
  virtqueue_add_outbuf,
  virtqueue_get_buf,
  virtqueue_kick,
  vring_init,
  vring_new_virtqueue,
} from '@k/virtio';
import { explore } from '@k/core-sync';
import { consoleLoopbackExchange, probeVsHostileDevice } from '@k/virtio/scenarios';

const MSG_BYTES = 64;
const THROUGHPUT_MSGS = 1_000_000;
const LATENCY_MSGS = 20_000;
const WARMUP_MSGS = 50_000;

/** Busy-poll budget of the second latency run (the first uses the default, no spinning). */
const BUSY_POLL_US = 100;

type Job = { role: 'sab'; sab: SharedArrayBuffer; spinUs: number } | { role: 'mc'; port: MessagePort };

function bench(figure: string, value: number, unit: string): void {
  console.log(`BENCH @k/virtio ${figure} ${String(value)} ${unit}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function message(seq: number): Uint8Array {
  const m = new Uint8Array(MSG_BYTES);
  new DataView(m.buffer).setUint32(0, seq, true);
  return m;
}

// ---- worker side ----

function workerMain(job: Job): void {
  parentPort!.postMessage('ready');
  if (job.role === 'sab') {
    const dev = SabRingDevice.attach(job.sab, { spinUs: job.spinUs });
    let sum = 0;
    const n = dev.run((msg) => {
      sum = (sum + msg[0]! + msg[MSG_BYTES - 1]!) | 0;
    });
    parentPort!.postMessage({ n, sum, stats: dev.stats });
    return;
  }
  const port = job.port;
  let count = 0;
  let target = -1;
  port.on('message', (m: Uint8Array | { expect: number } | { echo: Uint8Array } | 'close') => {
    if (m === 'close') {
      port.close();
      return;
    }
    if (m instanceof Uint8Array) {
      if (++count === target) port.postMessage('done');
      return;
    }
    if ('expect' in m) {
      count = 0;
      target = m.expect;
      port.postMessage('ready');
      return;
    }
    port.postMessage('ack');
  });
}

// ---- main side ----

/** Runs this file in a worker through tsx's loader (workers do not inherit it), once it said ready. */
async function spawn(job: Job, transfer: MessagePort[] = []): Promise<Worker> {
  const self = JSON.stringify(import.meta.url);
  const worker = new Worker(`import('tsx/esm/api').then((m) => m.tsImport(${self}, ${self}))`, {
    eval: true,
    workerData: job,
    transferList: transfer,
  });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return worker;
}

async function sabRing(spinUs = 0): Promise<{ mps: number; lat: number[]; kicksPerMsg: number; irqsPerMsg: number }> {
  const sab = createSabRing({ num: 256, slotSize: MSG_BYTES });
  const worker = await spawn({ role: 'sab', sab, spinUs });
  const done = new Promise<{ n: number; stats: { notifies: number } }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const drv = SabRingDriver.attach(sab, { spinUs });
  const msgs = Array.from({ length: 1024 }, (_, i) => message(i));

  for (let i = 0; i < WARMUP_MSGS; i++) drv.send(msgs[i & 1023]!);
  drv.flush();

  const kicks0 = drv.stats.notifies;
  const t0 = performance.now();
  for (let i = 0; i < THROUGHPUT_MSGS; i++) drv.send(msgs[i & 1023]!);
  drv.flush();
  const t = performance.now() - t0;
  const kicks = drv.stats.notifies - kicks0;

  const lat: number[] = [];
  for (let i = 0; i < LATENCY_MSGS; i++) {
    const s = performance.now();
    drv.send(msgs[i & 1023]!);
    drv.flush();
    lat.push((performance.now() - s) * 1000);
  }
  drv.close();
  const res = await done;
  await worker.terminate();
  const total = WARMUP_MSGS + THROUGHPUT_MSGS + LATENCY_MSGS;
  if (res.n !== total) throw new Error(`sab ring: the device consumed ${String(res.n)} of ${String(total)} messages`);
  return {
    mps: THROUGHPUT_MSGS / (t / 1000),
    lat,
    kicksPerMsg: kicks / THROUGHPUT_MSGS,
    irqsPerMsg: res.stats.notifies / total,
  };
}

function once(port: MessagePort): Promise<unknown> {
  return new Promise((resolve) => port.once('message', resolve));
}

async function messageChannel(): Promise<{ mps: number; lat: number[] }> {
  const { port1, port2 } = new MessageChannel();
  const worker = await spawn({ role: 'mc', port: port2 }, [port2]);
  const msgs = Array.from({ length: 1024 }, (_, i) => message(i));

  const run = async (n: number): Promise<number> => {
    port1.postMessage({ expect: n });
    await once(port1);
    const t0 = performance.now();
    const done = once(port1);
    for (let i = 0; i < n; i++) port1.postMessage(msgs[i & 1023]);
    await done;
    return performance.now() - t0;
  };
  await run(WARMUP_MSGS);
  const t = await run(THROUGHPUT_MSGS);

  const lat: number[] = [];
  for (let i = 0; i < LATENCY_MSGS; i++) {
    const s = performance.now();
    const reply = once(port1);
    port1.postMessage({ echo: msgs[i & 1023] });
    await reply;
    lat.push((performance.now() - s) * 1000);
  }
  port1.postMessage('close');
  port1.close();
  await worker.terminate();
  return { mps: THROUGHPUT_MSGS / (t / 1000), lat };
}

/** One driver add+kick, device pop+used+signal, driver get_buf, all in this thread. */
function singleThreadRoundTripNs(): number {
  const features = 1n << BigInt(VIRTIO_RING_F_EVENT_IDX);
  const mem = new ArrayBufferVringMemory(1 << 16);
  const vq = runSync(vring_new_virtqueue(0, 256, 64, mem, 0, { features, callback: function* () {} }));
  const dev = runSync(vhost_vq_init_access(vring_init(256, 0, 64), mem, { features }));
  const iov = new VhostIov();
  const sg = [{ addr: 60_000, length: MSG_BYTES }];
  const n = 1_000_000;
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let k = 0; k < n; k++) {
      runSync(virtqueue_add_outbuf(vq, sg, 1));
      runSync(virtqueue_kick(vq));
      runSync(vhost_add_used(dev, runSync(vhost_get_vq_desc(dev, iov)), 0));
      runSync(vhost_signal(dev));
      if (runSync(virtqueue_get_buf(vq)) !== 1) throw new Error('single-thread round trip lost a buffer');
    }
    best = Math.min(best, ((performance.now() - t0) * 1e6) / n);
  }
  return best;
}

async function main(): Promise<void> {
  const sab = await sabRing();
  const mc = await messageChannel();
  const busy = await sabRing(BUSY_POLL_US);
  const sabLat = [...sab.lat].sort((a, b) => a - b);
  const mcLat = [...mc.lat].sort((a, b) => a - b);
  const busyLat = [...busy.lat].sort((a, b) => a - b);

  bench('sab-ring-msgs-per-sec', Math.round(sab.mps), 'msg/s');
  bench('messagechannel-msgs-per-sec', Math.round(mc.mps), 'msg/s');
  bench('sab-ring-vs-messagechannel-throughput-ratio', round(sab.mps / mc.mps, 2), 'x');
  bench('sab-ring-latency-p50', round(percentile(sabLat, 50), 1), 'us');
  bench('sab-ring-latency-p99', round(percentile(sabLat, 99), 1), 'us');
  bench('messagechannel-latency-p50', round(percentile(mcLat, 50), 1), 'us');
  bench('messagechannel-latency-p99', round(percentile(mcLat, 99), 1), 'us');
  bench('messagechannel-vs-sab-ring-latency-p50-ratio', round(percentile(mcLat, 50) / percentile(sabLat, 50), 2), 'x');
  bench(`sab-ring-busypoll${String(BUSY_POLL_US)}us-msgs-per-sec`, Math.round(busy.mps), 'msg/s');
  bench(`sab-ring-busypoll${String(BUSY_POLL_US)}us-latency-p50`, round(percentile(busyLat, 50), 1), 'us');
  bench(`sab-ring-busypoll${String(BUSY_POLL_US)}us-latency-p99`, round(percentile(busyLat, 99), 1), 'us');
  bench('sab-ring-kicks-per-msg', round(sab.kicksPerMsg, 4), 'kick/msg');
  bench('sab-ring-interrupts-per-msg', round(sab.irqsPerMsg, 4), 'irq/msg');
  bench('ring-round-trip-single-thread', Math.round(singleThreadRoundTripNs()), 'ns');
  for (const [figure, s, variant] of [
    ['explore-probe-vs-hostile-seed', probeVsHostileDevice, 'seed'],
    ['explore-console-exchange-none', consoleLoopbackExchange, 'none'],
  ] as const) {
    const r = explore(s, { variant, budget: 200, seed: 1 });
    bench(`${figure}-executions-per-sec`, Math.round((r.executions * 1000) / Math.max(1, r.timeMs)), 'exec/s');
    bench(`${figure}-steps-per-sec`, Math.round((r.steps * 1000) / Math.max(1, r.timeMs)), 'step/s');
  }
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
} else {
  workerMain(workerData as Job);
}
