// Parallel search on worker threads. Scenarios are plain modules without
// captured state (ARCHITECTURE.md), so a worker imports the scenario's module
// again by specifier and finds the scenario by name. random and pct split
// the executions by index (worker w of N takes every N-th index), so the
// first counterexample is the one the sequential search finds; dfs and dpor
// split the search tree below its first branching steps by a hash of the
// prefix, as shards do. Workers share their progress and a stop signal
// through a SharedArrayBuffer; the main thread merges their results, shrinks
// and confirms the counterexample.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ViolationKind } from '../internal/rt/violation';
import { ExploreError, finishReport, orderLess, plan, search, type ExploreOptions, type ExploreReport, type Found, type ScenarioRef, type SearchResult, explore } from './explore';
import { envInt } from './run';
import type { Scenario } from './scenario';

interface WorkerInput {
  readonly kExplore: true;
  readonly ref: ScenarioRef;
  readonly options: ExploreOptions;
  readonly worker: number;
  readonly workers: number;
  /** [0]: stop (1 when a worker found a violation and the search stops); [1]: the lowest violating execution index (random, pct); then executions and violations per worker */
  readonly shared: SharedArrayBuffer;
}

interface WireResult {
  readonly executions: number;
  readonly steps: number;
  readonly bounded: number;
  readonly violations: number;
  readonly blocked: number;
  readonly kinds: ViolationKind[];
  readonly outcomes: string[];
  readonly first: Found | null;
  readonly complete: boolean;
  readonly dpor: SearchResult['dpor'];
}

type WorkerMessage = { readonly type: 'done'; readonly result: WireResult } | { readonly type: 'error'; readonly message: string };

const NO_LIMIT = 0x7fffffff;

function wire(r: SearchResult): WireResult {
  return { ...r, kinds: [...r.kinds], outcomes: [...r.outcomes] };
}

/** The options a worker receives: plain data only (no callbacks). */
function plainOptions(o: ExploreOptions): ExploreOptions {
  const { onProgress: _p, scenarioRef: _r, ...rest } = o;
  void _p;
  void _r;
  return JSON.parse(JSON.stringify(rest)) as ExploreOptions;
}

/** Finds a scenario by name among a module's exports (scenario objects or arrays of them). */
export function findScenario(mod: Record<string, unknown>, name: string): Scenario | null {
  const isScenario = (x: unknown): x is Scenario => typeof x === 'object' && x !== null && typeof (x as Scenario).setup === 'function' && typeof (x as Scenario).name === 'string';
  for (const v of Object.values(mod)) {
    if (isScenario(v) && v.name === name) return v;
    if (Array.isArray(v)) for (const s of v) if (isScenario(s) && s.name === name) return s;
  }
  return null;
}

function startWorker(input: WorkerInput): Worker {
  const self = import.meta.url;
  const fromSources = self.endsWith('.ts');
  if (fromSources || /\.[cm]?ts$/.test(input.ref.module)) {
    // TypeScript (our sources in tests, or a scenario module): the worker loads it through tsx;
    // from sources, packages resolve to their sources too
    const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(self)}); }).catch((e) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', message: 'cannot start a worker (TypeScript modules need tsx): ' + String(e && e.message || e) }); });`;
    return new Worker(code, { eval: true, workerData: input, execArgv: fromSources ? ['--conditions=@k/source'] : undefined });
  }
  return new Worker(new URL(self), { workerData: input });
}

/**
 * Explores a scenario on `workers` worker threads (K_WORKERS). Each worker
 * imports `scenarioRef.module` and takes the scenario named
 * `scenarioRef.scenario`; the scenario object passed here is used to check
 * the options and to shrink and confirm the counterexample. With one
 * worker this is explore().
 */
export async function exploreParallel<V extends string>(s: Scenario<V>, o: ExploreOptions = {}): Promise<ExploreReport> {
  const workers = o.workers ?? envInt('K_WORKERS') ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new ExploreError(`workers must be an integer in 1..256, got ${workers}`);
  if (workers === 1) return explore(s, { ...o, workers: undefined });
  const ref = o.scenarioRef;
  if (!ref || typeof ref.module !== 'string' || typeof ref.scenario !== 'string') {
    throw new ExploreError('exploreParallel(): workers need `scenarioRef: { module, scenario }` to import the scenario again');
  }
  if (ref.scenario !== s.name) throw new ExploreError(`scenarioRef names '${ref.scenario}' but the scenario is '${s.name}'`);
  const p = plan(s as Scenario, { ...o, workers: undefined });
  const shared = new SharedArrayBuffer(4 * (2 + 2 * workers));
  const view = new Int32Array(shared);
  view[1] = NO_LIMIT;
  const t0 = performance.now();
  const options = plainOptions({ ...o, variant: p.variant, seed: p.seed, budget: p.budget, shard: p.shard ?? undefined, workers: undefined });
  const results: WireResult[] = [];
  const running = new Set<Worker>();
  let timer: ReturnType<typeof setInterval> | null = null;
  if (o.onProgress) {
    const onProgress = o.onProgress;
    timer = setInterval(() => {
      let executions = 0;
      let violations = 0;
      for (let w = 0; w < workers; w++) {
        executions += Atomics.load(view, 2 + 2 * w);
        violations += Atomics.load(view, 3 + 2 * w);
      }
      onProgress({ scenario: s.name, variant: p.variant, executions, budget: p.budget, elapsedMs: performance.now() - t0, violations });
    }, p.progressMs);
  }
  try {
    await Promise.all(Array.from({ length: workers }, (_, w) => new Promise<void>((resolve, reject) => {
      const wk = startWorker({ kExplore: true, ref, options, worker: w, workers, shared });
      running.add(wk);
      wk.on('message', (m: WorkerMessage) => {
        if (m.type === 'done') results.push(m.result);
        else reject(new ExploreError(`worker ${w}: ${m.message}`));
      });
      wk.on('error', (e) => reject(e));
      wk.on('exit', () => {
        running.delete(wk);
        resolve();
      });
    })));
  } finally {
    if (timer !== null) clearInterval(timer);
    for (const wk of running) void wk.terminate();
  }
  if (results.length !== workers) throw new ExploreError(`only ${results.length} of ${workers} workers reported`);
  const merged: SearchResult = { executions: 0, steps: 0, bounded: 0, violations: 0, blocked: 0, kinds: new Set(), outcomes: new Set(), first: null, complete: true, dpor: null };
  for (const r of results) {
    merged.executions += r.executions;
    merged.steps += r.steps;
    merged.bounded += r.bounded;
    merged.violations += r.violations;
    merged.blocked += r.blocked;
    for (const k of r.kinds) merged.kinds.add(k);
    for (const x of r.outcomes) merged.outcomes.add(x);
    if (r.first && (!merged.first || orderLess(r.first.order, merged.first.order))) merged.first = r.first;
    merged.complete &&= r.complete;
    if (r.dpor) {
      const d = merged.dpor ?? { blocked: 0, infeasible: 0, races: 0, pruned: 0 };
      merged.dpor = { blocked: d.blocked + r.dpor.blocked, infeasible: d.infeasible + r.dpor.infeasible, races: d.races + r.dpor.races, pruned: d.pruned + r.dpor.pruned };
    }
  }
  // a violation stops the search early: the others' parts are not complete
  if (merged.first && !p.continueAfterViolation) merged.complete = false;
  return finishReport(p, merged, Math.round(performance.now() - t0), workers);
}

async function workerMain(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  try {
    const mod = (await import(input.ref.module)) as Record<string, unknown>;
    const s = findScenario(mod, input.ref.scenario);
    if (!s) throw new ExploreError(`module '${input.ref.module}' exports no scenario named '${input.ref.scenario}'`);
    const view = new Int32Array(input.shared);
    const o = input.options;
    const byIndex = o.strategy === 'random' || o.strategy === 'pct';
    // dfs and dpor: this worker is one more part of the (possibly sharded) search
    const shard = o.shard ?? { index: 1, count: 1 };
    const opts: ExploreOptions = byIndex
      ? { ...o, shrink: false }
      : { ...o, shrink: false, budget: Math.ceil((o.budget ?? 1000) / input.workers), shard: { index: shard.index + shard.count * input.worker, count: shard.count * input.workers } };
    const p = plan(s, opts);
    const w = input.worker;
    const r = search(p, {
      stride: byIndex ? { index: w, count: input.workers } : undefined,
      limit: () => {
        if (o.continueAfterViolation) return null;
        if (byIndex) {
          const l = Atomics.load(view, 1);
          return l === NO_LIMIT ? null : [l];
        }
        return Atomics.load(view, 0) === 1 ? [] : null;
      },
      progress: (x) => {
        Atomics.store(view, 2 + 2 * w, x.executions);
        Atomics.store(view, 3 + 2 * w, x.violations);
      },
      found: (f) => {
        if (o.continueAfterViolation) return;
        if (byIndex) {
          // the lowest violating index wins, as in the sequential search
          const i = f.order[0]!;
          for (let cur = Atomics.load(view, 1); i < cur; cur = Atomics.load(view, 1)) Atomics.compareExchange(view, 1, cur, i);
        } else Atomics.store(view, 0, 1);
      },
    });
    Atomics.store(view, 2 + 2 * w, r.executions);
    Atomics.store(view, 3 + 2 * w, r.violations);
    port.postMessage({ type: 'done', result: wire(r) } satisfies WorkerMessage);
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage);
  }
}

if (!isMainThread && (workerData as { kExplore?: boolean } | null)?.kExplore === true) void workerMain(workerData as WorkerInput);
