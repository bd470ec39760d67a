// Benchmark of the LKMM litmus checker: per-test and whole-suite times on the
// kernel's 47 litmus tests (../shared/lkmm, when present), herdtools7's 79
// catalogue tests, the package's own suite, and generated chains of 8 to 19
// processes. Each figure is a line `BENCH @k/core-sync <figure> <value> <unit>`.
// herd7 is not installed here: its figures, measured for issue 4 (herd7 7.58,
// process start included), are printed as `lkmm-herd7-*` lines for comparison.
//
// Run: npx tsx bench/lkmm.ts  (from packages/core-sync)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedLitmusChainVerdict, generateLitmusChain, runLitmus, type LitmusChainOptions, type LitmusChainShape } from '../src/lkmm/index';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.K_LKMM_DIR ?? resolve(here, '../../../../shared/lkmm');
const PKG = 'BENCH @k/core-sync';

function bench(figure: string, value: number, unit: string): void {
  console.log(`${PKG} ${figure} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

function litmusFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.litmus'))
    .map((f) => join(dir, f))
    .sort();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs every file once (cold for the first suite), then `reps` more times; per-file medians. */
function suite(label: string, files: string[], reps: number, perTest: boolean): void {
  const sources = files.map((f) => [f, readFileSync(f, 'utf8')] as const);
  const t0 = performance.now();
  for (const [f, s] of sources) runLitmus(s, { file: f });
  const first = performance.now() - t0;
  const per = new Map<string, number[]>();
  const totals: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t1 = performance.now();
    for (const [f, s] of sources) {
      const a = performance.now();
      runLitmus(s, { file: f });
      const name = f.split('/').pop()!.replace(/\.litmus$/, '');
      (per.get(name) ?? per.set(name, []).get(name)!).push(performance.now() - a);
    }
    totals.push(performance.now() - t1);
  }
  bench(`lkmm-${label}-suite-first-run`, first, 'ms');
  bench(`lkmm-${label}-suite`, median(totals), 'ms');
  bench(`lkmm-${label}-tests`, files.length, 'tests');
  if (perTest) for (const [name, ts] of per) bench(`lkmm-${label}-test-${name}`, median(ts), 'ms');
}

function chain(shape: LitmusChainShape, o: LitmusChainOptions): void {
  const src = generateLitmusChain(shape, o);
  const t0 = performance.now();
  const r = runLitmus(src);
  const ms = performance.now() - t0;
  const name = `${shape}-${o.n}-${shape === 'rcu' ? `gp${o.gps}` : o.order}`;
  if (r.observation !== expectedLitmusChainVerdict(shape, o)) throw new Error(`bench: wrong verdict on ${name}: ${r.observation}`);
  bench(`lkmm-chain-${name}`, ms, 'ms');
  bench(`lkmm-chain-${name}-executions`, r.positive + r.negative, 'executions');
}

console.log('# LKMM litmus checker (k litmus); herd7 figures are issue 4\'s measurements, herd7 is not installed here');
bench('lkmm-herd7-kernel47-suite', 670, 'ms');
bench('lkmm-herd7-per-test-min', 10, 'ms');
bench('lkmm-herd7-per-test-max', 56, 'ms');
bench('lkmm-herd7-5proc-median', 45, 'ms');
bench('lkmm-herd7-8proc', 560, 'ms');
bench('lkmm-herd7-10proc', 3300, 'ms');
bench('lkmm-herd7-11to19proc-rcu', 60000, 'ms');

const haveShared = existsSync(join(SHARED, 'kernel'));
if (haveShared) {
  const kernel = litmusFiles(join(SHARED, 'kernel'));
  suite('kernel47', kernel, 9, true);
  suite('catalogue79', litmusFiles(join(SHARED, 'herdtools7-catalogue')), 5, false);
  // One `k litmus` process over the 47 kernel tests, process start included (needs the built CLI).
  const bin = resolve(here, '../../cli/dist/bin.js');
  if (existsSync(bin)) {
    const walls: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [bin, 'litmus', ...kernel], { encoding: 'utf8' });
      walls.push(performance.now() - t0);
      if (p.status !== 0) throw new Error(`k litmus failed: ${p.stderr}`);
    }
    bench('lkmm-k-litmus-kernel47-process', median(walls), 'ms');
  } else console.log(`# ${bin} is not built: skipping the whole-process figure (npx nx run @k/cli:build)`);
} else console.log(`# ${SHARED} is absent: skipping the kernel and catalogue figures`);
suite('own-suite', litmusFiles(resolve(here, '../litmus')), 5, false);

for (const n of [8, 10, 12, 16, 19]) chain('rcu', { n, gps: Math.ceil(n / 2) });
for (const n of [8, 12, 19]) chain('isa2', { n, order: 'relacq' });
for (const n of [8, 12, 19]) chain('sb', { n, order: 'mb' });
for (const n of [8, 19]) chain('lb', { n, order: 'ctrl' });
for (const n of [8, 16]) chain('wrc', { n, order: 'once' });
for (const n of [8, 12, 16]) chain('2+2w', { n, order: 'mb' });
