// A device thread for test/sab.test.ts: serves a SAB ring, checking that messages arrive in
// order (a u32 sequence number at offset 0) and intact (byte i of message s is (s + i) & 0xff).
import { parentPort, workerData } from 'node:worker_threads';
import { SabRingDevice } from '../../src/index';

const { sab, spin } = workerData as { sab: SharedArrayBuffer; spin?: number };
const dev = SabRingDevice.attach(sab, { spinUs: spin });
let next = 0;
let bad = 0;
let bytes = 0;
parentPort!.postMessage('ready');
const n = dev.run((msg) => {
  const seq = msg.length >= 4 ? new DataView(msg.buffer, msg.byteOffset, msg.byteLength).getUint32(0, true) : -1;
  if (seq !== next) bad++;
  for (let i = 4; i < msg.length; i++) if (msg[i] !== ((seq + i) & 0xff)) bad++;
  bytes += msg.length;
  next++;
});
parentPort!.postMessage({ n, bad, bytes, stats: dev.stats });
