// `k check`: gather every package's registered scenarios (its `./scenarios`
// export), explore each variant, and print one row per scenario and variant.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { explore, exploreParallel, parseShard, type ExploreOptions, type ExploreReport, type Scenario, type Shard, type StrategyName } from '@k/core-sync';
import type { Io } from './io';
import { parseCommandArgs, table, UsageError } from './io';
import { PACKAGES, resolvePackageName, type PackageName } from './packages';
import { renderReport, type ReportEntry } from './report';

const require = createRequire(import.meta.url);

export interface ScenarioModule {
  readonly scenarios?: readonly Scenario[];
  readonly default?: readonly Scenario[];
}

export interface CheckRow {
  readonly package: string;
  readonly scenario: string;
  readonly variant: string;
  readonly expected: 'holds' | 'fails' | null;
  readonly verdict: 'holds' | 'fails' | 'no scenarios' | 'error';
  readonly ok: boolean;
  readonly executions: number;
  readonly timeMs: number;
  readonly kind?: string | null;
  readonly message?: string | null;
  readonly schedule?: string | null;
  readonly complete?: boolean;
  /** pct: the probability that the executions run found a bug of the depth searched, if one exists */
  readonly pct?: { readonly depth: number; readonly perRun: number; readonly runsFor95: number; readonly confidence: number } | null;
}

/** Loads `<pkg>/scenarios`; null when the package exports none. */
export async function loadScenarios(pkg: PackageName): Promise<readonly Scenario[] | null> {
  const manifest = require(`${pkg}/package.json`) as { exports?: Record<string, unknown> };
  if (!manifest.exports?.['./scenarios']) return null;
  const mod = (await import(`${pkg}/scenarios`)) as ScenarioModule;
  const list = mod.scenarios ?? mod.default;
  return Array.isArray(list) ? list : null;
}

/** Default wall-clock cap per variant when no --budget/--time is given: keeps `npm start` near a minute. */
const DEFAULT_TIME_MS = 2500;
const DEFAULT_BUDGET = 300;
const STRATEGIES: readonly StrategyName[] = ['random', 'pct', 'dfs', 'dpor'];

export interface CheckOptions {
  readonly packages: PackageName[];
  readonly json: boolean;
  readonly strategy: StrategyName;
  readonly budget: number | undefined;
  readonly timeMs: number | undefined;
  readonly seed: number;
  readonly filter: string | undefined;
  /** write the HTML report here */
  readonly report: string | undefined;
  /** write each counterexample as JSON into this folder (for `k replay FILE`) */
  readonly save: string | undefined;
  /** this part of each search (`--shard i/n`) */
  readonly shard: Shard | undefined;
  /** worker threads per search (`--workers N`) */
  readonly workers: number;
  /** pct's bug depth (`--pct-depth D`) */
  readonly pctDepth: number | undefined;
}

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`k check: ${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export function parseCheckArgs(args: readonly string[]): CheckOptions {
  const parsed = parseCommandArgs('check', args, {
        json: { type: 'boolean', default: false },
        strategy: { type: 'string' },
        budget: { type: 'string' },
        time: { type: 'string' },
        seed: { type: 'string' },
        scenario: { type: 'string' },
        report: { type: 'string' },
        save: { type: 'string' },
        shard: { type: 'string' },
        workers: { type: 'string' },
        'pct-depth': { type: 'string' },
      });
  const v = parsed.values;
  const packages: PackageName[] = [];
  for (const a of parsed.positionals) {
    const p = resolvePackageName(a);
    if (!p) throw new UsageError(`k check: unknown package '${a}' (known: ${PACKAGES.join(', ')})`);
    packages.push(p);
  }
  const strategy = (v.strategy ?? 'random') as StrategyName;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`k check: --strategy must be one of ${STRATEGIES.join(', ')}, got '${v.strategy}'`);
  const time = v.time === undefined ? undefined : Number(v.time);
  if (time !== undefined && !(time > 0)) throw new UsageError(`k check: --time must be a positive number of seconds, got '${v.time}'`);
  return {
    packages: packages.length ? packages : [...PACKAGES],
    json: v.json ?? false,
    strategy,
    budget: int('--budget', v.budget, 1),
    timeMs: time === undefined ? undefined : time * 1000,
    seed: int('--seed', v.seed, 0) ?? 1,
    filter: v.scenario,
    report: v.report,
    save: v.save,
    shard: v.shard === undefined ? undefined : shardOf(v.shard),
    workers: int('--workers', v.workers, 1) ?? 1,
    pctDepth: int('--pct-depth', v['pct-depth'], 1),
  };
}

function shardOf(text: string): Shard {
  try {
    return parseShard(text);
  } catch (e) {
    throw new UsageError(`k check: --${(e as Error).message}`);
  }
}

function rowOf(pkg: string, r: ExploreReport): CheckRow {
  const cx = r.counterexample;
  return {
    package: pkg,
    scenario: r.scenario,
    variant: r.variant,
    expected: r.expected.expect,
    verdict: r.verdict,
    ok: r.ok,
    executions: r.executions,
    timeMs: r.timeMs,
    kind: cx ? cx.kind : null,
    message: cx ? cx.message : null,
    schedule: cx ? cx.schedule : null,
    complete: r.complete,
    pct: r.pct ? { depth: r.pct.depth, perRun: r.pct.perRun, runsFor95: r.pct.runsFor95, confidence: r.pct.confidence } : null,
  };
}

/** One search: in this thread, or on `workers` threads that import the package's scenarios again. */
async function search(pkg: PackageName, s: Scenario, o: ExploreOptions & { readonly workers: number }): Promise<ExploreReport> {
  if (o.workers <= 1) return explore(s, { ...o, workers: undefined });
  return exploreParallel(s, { ...o, scenarioRef: { module: `${pkg}/scenarios`, scenario: s.name } });
}

export async function check(args: readonly string[], io: Io): Promise<number> {
  const o = parseCheckArgs(args);
  const rows: CheckRow[] = [];
  const entries: ReportEntry[] = [];
  const emit = (r: CheckRow) => {
    rows.push(r);
    if (o.json) io.out(JSON.stringify(r));
  };
  for (const pkg of o.packages) {
    const list = await loadScenarios(pkg);
    if (!list || list.length === 0) {
      emit({ package: pkg, scenario: '-', variant: '-', expected: null, verdict: 'no scenarios', ok: true, executions: 0, timeMs: 0 });
      continue;
    }
    for (const s of list) {
      if (o.filter && !s.name.includes(o.filter)) continue;
      for (const variant of Object.keys(s.variants)) {
        if (!o.json && io.tty) io.err(`\u001b[2K\r${pkg} ${s.name} [${variant}] ...`);
        else if (!o.json) io.err(`checking ${pkg} ${s.name} [${variant}]`);
        try {
          const r = await search(pkg, s, {
            variant,
            strategy: o.strategy,
            seed: o.seed,
            shard: o.shard,
            workers: o.workers,
            pctDepth: o.pctDepth,
            budget: o.budget ?? (o.timeMs ? Number.MAX_SAFE_INTEGER : s.defaults?.budget ?? DEFAULT_BUDGET),
            timeMs: o.timeMs ?? (o.budget ? undefined : DEFAULT_TIME_MS),
            onProgress: io.tty && !o.json ? (p) => io.err(`\u001b[2K\r${pkg} ${s.name} [${variant}] ${p.executions} executions, ${(p.elapsedMs / 1000).toFixed(1)} s`) : undefined,
          });
          // a shard holds only part of a search: a bug expected elsewhere is not missing here
          const row = o.shard && r.expected.expect === 'fails' && r.verdict === 'holds' ? { ...rowOf(pkg, r), ok: true } : rowOf(pkg, r);
          emit(row);
          entries.push({ ...row, counterexample: r.counterexample });
          if (o.save && r.counterexample) saveCounterexample(o.save, pkg, r);
        } catch (e) {
          emit({ package: pkg, scenario: s.name, variant, expected: s.variants[variant]?.expect ?? null, verdict: 'error', ok: false, executions: 0, timeMs: 0, kind: 'error', message: (e as Error).message });
        }
      }
    }
  }
  if (o.report) {
    writeFileSync(o.report, renderReport(entries));
    if (!o.json) io.err(`report written to ${o.report}`);
  }
  if (!o.json) {
    if (io.tty) io.err('\u001b[2K\r');
    const lines = table(
      ['package', 'scenario', 'variant', 'expected', 'verdict', 'ok', 'executions', 'time'],
      rows.map((r) => [
        r.package, r.scenario, r.variant, r.expected ?? '-',
        r.verdict === 'fails' && r.kind ? `fails (${r.kind})` : r.verdict,
        r.verdict === 'no scenarios' ? '-' : r.ok ? 'yes' : 'NO',
        String(r.executions) + (r.complete ? ' (all)' : ''), `${r.timeMs} ms`,
      ]),
    );
    for (const l of lines) io.out(l);
    const bad = rows.filter((r) => !r.ok);
    io.out('');
    io.out(bad.length === 0 ? `all ${rows.filter((r) => r.verdict !== 'no scenarios').length} expectations hold` : `${bad.length} expectation(s) do not hold:`);
    for (const r of rows) {
      if (r.pct) io.out(`  pct ${r.package} ${r.scenario} [${r.variant}]: depth ${r.pct.depth}, each execution finds a given bug of that depth with probability >= ${r.pct.perRun.toExponential(2)}; these ${r.executions} executions found it with probability >= ${(r.pct.confidence * 100).toFixed(1)}% (${r.pct.runsFor95} executions for 95%)`);
    }
    if (o.shard) io.out(`shard ${o.shard.index}/${o.shard.count}: the other shards' parts of each search were not run`);
    for (const r of bad) {
      io.out(`  ${r.package} ${r.scenario} [${r.variant}]: expected ${r.expected}, got ${r.verdict}${r.kind ? ` (${r.kind}: ${r.message})` : ''}`);
      if (r.schedule) io.out(`    replay: k replay --package ${r.package} --scenario ${r.scenario} --variant ${r.variant} '${r.schedule}'`);
    }
  }
  return rows.every((r) => r.ok) ? 0 : 1;
}

/** The file `k replay FILE` reads. */
export interface SavedCounterexample {
  readonly format: 'k-counterexample/1';
  readonly package: string;
  readonly scenario: string;
  readonly variant: string;
  readonly schedule: string;
  readonly kind: string;
  readonly message: string;
}

function saveCounterexample(dir: string, pkg: string, r: ExploreReport): string {
  mkdirSync(dir, { recursive: true });
  const cx = r.counterexample!;
  const file = join(dir, `${pkg.replace('@k/', '')}--${r.scenario}--${r.variant}.json`);
  const saved: SavedCounterexample = { format: 'k-counterexample/1', package: pkg, scenario: r.scenario, variant: r.variant, schedule: cx.schedule, kind: cx.kind, message: cx.message };
  writeFileSync(file, JSON.stringify({ ...saved, trace: cx.trace }, null, 2) + '\n');
  return file;
}
