// The explorer on the classic DPOR programs: executions explored by dpor
// against the number of Mazurkiewicz traces (counted by brute force where
// every interleaving can be run) and against dfs, with times; then the
// parallel explorer on 1 and 2 worker threads.
import { countTraces, explore, exploreParallel, type Scenario } from '@k/core-sync';
import { philosophers, programs, readers } from './programs';

const DFS_BUDGET = 200_000;
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
for (const s of programs) {
  const d = explore(s, { strategy: 'dpor', budget: DPOR_BUDGET, continueAfterViolation: true, shrink: false });
  if (!d.complete) throw new Error(`${s.name}: dpor did not finish within ${DPOR_BUDGET} executions`);
  const t = countTraces(s, { budget: DFS_BUDGET });
  const f = t.complete ? explore(s, { strategy: 'dfs', budget: DFS_BUDGET, continueAfterViolation: true, shrink: false }) : null;
  const row: Row = {
    program: s.name, dpor: d.executions, blocked: d.blocked, dporMs: d.timeMs,
    traces: t.complete ? t.traces : null, dfs: f ? f.executions : null, dfsMs: f ? f.timeMs : null,
  };
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
console.log('program              dpor   blocked  traces(brute force)   dfs        dpor ms   dfs ms');
for (const r of rows) {
  const traces = r.traces === null ? `> dfs budget` : String(r.traces);
  const dfs = r.dfs === null ? `> ${DFS_BUDGET}` : String(r.dfs);
  console.log(`${r.program.padEnd(20)} ${String(r.dpor).padStart(6)} ${String(r.blocked).padStart(8)}  ${traces.padStart(19)}   ${dfs.padStart(8)} ${String(r.dporMs).padStart(9)} ${String(r.dfsMs ?? '-').padStart(8)}`);
}
console.log('');

// scaling of the parallel explorer from 1 to 2 worker threads
const module = new URL('./programs.ts', import.meta.url).href;
async function scaling(s: Scenario<'run'>, strategy: 'random' | 'dpor', budget: number): Promise<void> {
  const times: number[] = [];
  for (const workers of [1, 2]) {
    const r = await exploreParallel(s, { strategy, budget, workers, scenarioRef: { module, scenario: s.name }, continueAfterViolation: true, shrink: false });
    times.push(r.timeMs);
    bench(`${strategy}-${s.name}-${workers}-workers-executions-per-sec`, Math.round(r.executions / (r.timeMs / 1000)), 'exec/s');
  }
  bench(`${strategy}-${s.name}-speedup-2-workers`, Math.round((times[0]! / times[1]!) * 100) / 100, 'x');
}
await scaling(philosophers(5), 'random', 40_000);
await scaling(readers(11), 'dpor', 1_000_000);
