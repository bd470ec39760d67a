// Raw speed of the runtime: scheduled operations per second and executions
// per second on a fixed model in random mode, with detectors off and on,
// beside the bare limit (plain generators stepped under a random choice).
import { Cell, READ_ONCE, WRITE_ONCE, defineScenario, explore, spin_lock, spin_lock_init, spin_unlock, type KGen } from '@k/core-sync';

const THREADS = 4;
const ITERS = 200;

function bare(steps: number): number {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  let shared = 0;
  function* g(): Generator<number, void, unknown> {
    for (let i = 0; i < ITERS * 5; i++) {
      shared++;
      yield shared;
    }
  }
  const t0 = performance.now();
  let done = 0;
  while (done < steps) {
    const gens = Array.from({ length: THREADS }, g);
    const live = gens.slice();
    while (live.length > 0) {
      const i = rnd() % live.length;
      if (live[i]!.next().done) live.splice(i, 1);
      done++;
    }
  }
  return done / ((performance.now() - t0) / 1000);
}

const model = defineScenario({
  name: 'bench-model',
  description: 'four CPUs: marked accesses and a spinlock-protected counter',
  variants: { only: { expect: 'holds' } },
  defaults: { cpus: THREADS, maxSteps: 1_000_000 },
  setup(k) {
    const l = spin_lock_init('l');
    const counter = new Cell(0, 'counter');
    const flags = Array.from({ length: THREADS }, (_, i) => new Cell(0, `flag${i}`));
    for (let t = 0; t < THREADS; t++) {
      k.spawn(`t${t}`, function* (): KGen {
        for (let i = 0; i < ITERS; i++) {
          yield* WRITE_ONCE(flags[t]!, i);
          yield* READ_ONCE(flags[(t + 1) % THREADS]!);
          yield* spin_lock(l);
          yield* counter.write((yield* counter.read()) + 1);
          yield* spin_unlock(l);
        }
      }, { cpu: t });
    }
  },
});

function measure(label: string, detectorsOn: boolean, seconds = 2): { ops: number; execs: number } {
  const detectors = detectorsOn
    ? { races: true, lockdep: true, lifetime: true, leaks: true, atomicSleep: true, warnings: true }
    : { races: false, lockdep: false, lifetime: false, leaks: false, atomicSleep: false, warnings: false };
  // warm-up
  explore(model, { budget: 5, seed: 1, detectors });
  const t0 = performance.now();
  let steps = 0;
  let execs = 0;
  let seed = 1;
  while (performance.now() - t0 < seconds * 1000) {
    const r = explore(model, { budget: 20, seed: seed++, detectors });
    if (r.verdict !== 'holds') throw new Error(`bench model failed: ${r.counterexample?.message}`);
    steps += r.steps;
    execs += r.executions;
  }
  const dt = (performance.now() - t0) / 1000;
  void label;
  return { ops: steps / dt, execs: execs / dt };
}

const b = bare(20_000_000);
const off = measure('off', false);
const on = measure('on', true);
const fmt = (n: number) => String(Math.round(n));
console.log(`BENCH @k/core-sync bare-generator-steps-per-sec ${fmt(b)} steps/s`);
console.log(`BENCH @k/core-sync runtime-ops-per-sec-detectors-off ${fmt(off.ops)} ops/s`);
console.log(`BENCH @k/core-sync runtime-ops-per-sec-detectors-on ${fmt(on.ops)} ops/s`);
console.log(`BENCH @k/core-sync executions-per-sec-detectors-off ${fmt(off.execs)} exec/s`);
console.log(`BENCH @k/core-sync executions-per-sec-detectors-on ${fmt(on.execs)} exec/s`);
console.log(`BENCH @k/core-sync slowdown-vs-bare-detectors-off ${(b / off.ops).toFixed(2)} x`);
console.log(`BENCH @k/core-sync slowdown-vs-bare-detectors-on ${(b / on.ops).toFixed(2)} x`);
