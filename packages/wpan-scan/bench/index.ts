// Benchmarks of @k/wpan-scan (run with `npx nx run @k/wpan-scan:bench`, which
// builds first: the package is imported by name, from dist/).
//  - simulated full 16-channel 2.4 GHz passive scans per second over a
//    50-coordinator network of k coordinators (the fixed model, detectors off),
//    and the radio frames per second the medium carries meanwhile;
//  - explorer executions per second on each checked scan scenario (its
//    `fixed` variant, the default detectors, seed 1).
import { explore } from '@k/core-sync';
import { scanNetwork, type NetworkInput } from '@k/wpan-scan';
import { scenarios } from '@k/wpan-scan/scenarios';

const PKG = '@k/wpan-scan';
const line = (figure: string, value: number, unit: string) => console.log(`BENCH ${PKG} ${figure} ${Number(value.toPrecision(4))} ${unit}`);

/** 50 coordinators on channels 11-26, on a 70 m x 70 m grid around the scanner, BO 3-4. */
function network50(): NetworkInput {
  const coordinators = Array.from({ length: 50 }, (_, i) => ({
    name: `c${i}`,
    panId: 0x1000 + i,
    shortAddr: i,
    extendedAddr: `0x00124b00000${(0x10000 + i).toString(16)}`,
    channel: 11 + (i % 16),
    position: { x: ((i % 10) - 4.5) * 7, y: (Math.floor(i / 10) - 2) * 7 },
    beaconOrder: 3 + (i % 2),
    startMs: (i * 7) % 120,
  }));
  return { coordinators };
}

function timeIt<T>(seconds: number, f: () => T): { n: number; secs: number; last: T } {
  const t0 = performance.now();
  let n = 0;
  let last!: T;
  do {
    last = f();
    n++;
  } while ((performance.now() - t0) / 1000 < seconds);
  return { n, secs: (performance.now() - t0) / 1000, last };
}

const net = network50();
const channels = Array.from({ length: 16 }, (_, i) => 11 + i);
scanNetwork(net, { channels, duration: 4 }); // warm-up
const scans = timeIt(5, () => scanNetwork(net, { channels, duration: 4 }));
line('passive-scans-per-sec-16ch-50coord', scans.n / scans.secs, 'scans/s');
line('radio-frames-per-sec-in-scans', (scans.n * scans.last.frames.length) / scans.secs, 'frames/s');
line('coordinators-found-per-scan', scans.last.coordinators.length, 'coordinators');
line('virtual-seconds-per-scan', (scans.last.scanNs ?? 0) / 1e9, 's');
const seed = timeIt(3, () => scanNetwork(net, { channels, duration: 4, model: 'seed' }));
line('seed-model-passive-scans-per-sec-16ch-50coord', seed.n / seed.secs, 'scans/s');

let all = 0;
let allMs = 0;
for (const s of scenarios) {
  const r = explore(s, { variant: 'fixed', seed: 1, budget: s.defaults?.budget, timeMs: 3000 });
  all += r.executions;
  allMs += r.timeMs;
  line(`explore-execs-per-sec-${s.name}`, r.executions / Math.max(r.timeMs / 1000, 1e-3), 'execs/s');
}
line('explore-execs-per-sec-all-scan-scenarios', all / (allMs / 1000), 'execs/s');
