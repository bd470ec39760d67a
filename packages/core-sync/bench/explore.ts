// The explorer on the classic DPOR programs: executions explored by dpor
// against the number of Mazurkiewicz traces (counted by brute force where
// every interleaving can be run) and against dfs, with times; then the
// parallel explorer on 1 and 2 worker threads.
import { countTraces, explore, exploreParallel, type Scenario } from '@k/core-sync';
import { programs, scaling } from './programs';

const DPOR_BUDGET = 2_000_000;

function bench(figure: string, value: number, unit: string): void {
  console.log(`BENCH @k/core-sync ${figure} ${value} ${unit}`);
}

interface Row {
  program: string;
  dpor: number;
  blocked: number;
  dporMs: number;
  traces: number | null;
  dfs: number | null;
  dfsMs: number | null;
}

const rows: Row[] = [];
for (const { scenario: s, bruteForce, known } of programs) {
  const d = explore(s, { strategy: 'dpor', budget: DPOR_BUDGET, continueAfterViolation: true, shrink: false });
  if (!d.complete) throw new Error(`${s.name}: dpor did not finish within ${DPOR_BUDGET} executions`);
  const t = bruteForce > 0 ? countTraces(s, { budget: bruteForce }) : null;
  const f = t !== null && t.complete ? explore(s, { strategy: 'dfs', budget: bruteForce, continueAfterViolation: true, shrink: false }) : null;
  const traces = t !== null && t.complete ? t.traces : known ?? null;
  const row: Row = { program: s.name, dpor: d.executions, blocked: d.blocked, dporMs: d.timeMs, traces, dfs: f ? f.executions : null, dfsMs: f ? f.timeMs : null };
  rows.push(row);
  bench(`dpor-${s.name}-executions`, row.dpor, 'executions');
  if (row.blocked > 0) bench(`dpor-${s.name}-blocked`, row.blocked, 'executions');
  bench(`dpor-${s.name}-time`, row.dporMs, 'ms');
  if (row.traces !== null) bench(`mazurkiewicz-${s.name}-traces`, row.traces, 'traces');
  if (row.dfs !== null) {
    bench(`dfs-${s.name}-executions`, row.dfs, 'executions');
    bench(`dfs-${s.name}-time`, row.dfsMs!, 'ms');
  }
}

console.log('');
console.log('program             dpor executions  blocked  Mazurkiewicz traces  dfs executions  dpor ms  dfs ms');
for (const r of rows) {
  const traces = r.traces === null ? '-' : String(r.traces);
  const dfs = r.dfs === null ? '-' : String(r.dfs);
  console.log(`${r.program.padEnd(19)} ${String(r.dpor).padStart(15)} ${String(r.blocked).padStart(8)} ${traces.padStart(20)} ${dfs.padStart(15)} ${String(r.dporMs).padStart(8)} ${String(r.dfsMs ?? '-').padStart(7)}`);
}
console.log('(traces: brute force over every interleaving where it fits in the budget, 2^N for readers(N); - : too many interleavings)');
console.log('');

// dpor shards overlap (each searches its subtrees afresh): executions of the whole and of n shards
for (const { scenario: s } of programs.slice(0, 8)) {
  const whole = explore(s, { strategy: 'dpor', budget: DPOR_BUDGET, continueAfterViolation: true, shrink: false }).executions;
  for (const count of [2, 4]) {
    let sum = 0;
    let max = 0;
    for (let index = 1; index <= count; index++) {
      const r = explore(s, { strategy: 'dpor', budget: DPOR_BUDGET, continueAfterViolation: true, shrink: false, shard: { index, count } });
      sum += r.executions;
      max = Math.max(max, r.executions);
    }
    bench(`dpor-${s.name}-${count}-shards-executions-total-vs-whole`, Math.round((sum / whole) * 100) / 100, 'x');
    bench(`dpor-${s.name}-${count}-shards-largest-shard-vs-whole`, Math.round((max / whole) * 100) / 100, 'x');
  }
}

// scaling of the parallel explorer from 1 to 2 worker threads
const module = new URL('./programs.ts', import.meta.url).href;
async function scale(s: Scenario<'run'>, strategy: 'random' | 'dpor', budget: number): Promise<void> {
  const times: number[] = [];
  for (const workers of [1, 2]) {
    const r = await exploreParallel(s, { strategy, budget, workers, scenarioRef: { module, scenario: s.name }, continueAfterViolation: true, shrink: false });
    times.push(r.timeMs);
    bench(`${strategy}-${s.name}-${workers}-workers-executions-per-sec`, Math.round(r.executions / (r.timeMs / 1000)), 'exec/s');
  }
  bench(`${strategy}-${s.name}-speedup-2-workers`, Math.round((times[0]! / times[1]!) * 100) / 100, 'x');
}
await scale(scaling.random, 'random', 60_000);
await scale(scaling.dpor, 'dpor', 100_000);
