// explore(): runs a scenario variant many times under a strategy, stops at
// the first violation (or at the budget), and returns a report whose
// counterexample replays exactly. replay(): one schedule, traced.

import type { ExecutionResult, Persistent, TraceStep, WorldOptions } from '../internal/rt/kernel';
import { InternalBug, type ViolationKind } from '../internal/rt/violation';
import { DporStrategy, prefixHash, type DporStats } from './dpor';
import { PctStrategy, pctGuarantee, type PctGuarantee } from './pct';
import { ExploreError, envInt, positiveInt, resolveWorld, runOnce, variantOf } from './run';
import type { DetectorOptions, Expectation, Scenario, Verdict } from './scenario';
import { decodeSchedule, encodeSchedule } from './schedule';
import { shrinkSchedule, type ScheduleShape } from './shrink';
import { DfsStrategy, RandomStrategy, ReplayStrategy, type Strategy, type StrategyName } from './strategy';
import { renderTimeline } from './timeline';

export { ExploreError, resolveWorld, runOnce, variantOf };

/** Options of explore(); each names the environment variable that sets its default. */
export interface ExploreOptions {
  /** the variant to explore (default: the first declared) */
  readonly variant?: string;
  /**
   * `random` (default; seeded random walk), `pct` (probabilistic concurrency testing with
   * bug depth `pctDepth`), `dfs` (every interleaving), `dpor` (every interleaving up to
   * the order of independent steps: one execution per Mazurkiewicz trace)
   */
  readonly strategy?: StrategyName;
  /** executions at most (K_BUDGET; default the scenario's, else 1000) */
  readonly budget?: number;
  /** wall-clock milliseconds at most (the only place k reads real time) */
  readonly timeMs?: number;
  /** seed of the random strategy (K_SEED; default 1) */
  readonly seed?: number;
  /** steps per execution at most (K_MAX_STEPS; default the scenario's, else 100000) */
  readonly maxSteps?: number;
  /** virtual time per execution at most, ns */
  readonly maxTime?: number;
  readonly cpus?: number;
  readonly hz?: number;
  readonly preempt?: boolean;
  readonly timing?: 'free' | 'strict';
  readonly detectors?: Partial<DetectorOptions>;
  /** keep exploring after a violation (to count them); default false */
  readonly continueAfterViolation?: boolean;
  /** called about every `progressMs` of wall-clock time */
  readonly onProgress?: (p: Progress) => void;
  readonly progressMs?: number;
  /** pct: the bug depth d, the number of ordering constraints a bug needs (K_PCT_DEPTH; default 3) */
  readonly pctDepth?: number;
  /** dfs and dpor: at most this many preemptions per execution, as CHESS bounds them (K_MAX_PREEMPTIONS; the search is then incomplete) */
  readonly maxPreemptions?: number;
  /** shrink the counterexample to fewer preemptions and injected faults, then confirm it (default true) */
  readonly shrink?: boolean;
  /**
   * run part `index` of `count` (1-based) of the search (K_SHARD, `i/n`): random and pct
   * take every count-th execution, dfs and dpor explore the first branching steps in every shard
   * (dpor with sleep sets) and take the subtrees below them by a hash of their prefix. The
   * shards' executions together are the unsharded search (for dpor: its traces). A dpor
   * shard searches each of its subtrees afresh, without the sleep sets of the branches above
   * the split, so the shards overlap: together they run several times the executions of the
   * unsharded search (see the core-sync README's measured figures).
   */
  readonly shard?: Shard;
  /** worker threads (K_WORKERS) for exploreParallel(); explore() runs in the calling thread */
  readonly workers?: number;
  /** how a worker thread finds the scenario: the module to import and the scenario's name */
  readonly scenarioRef?: ScenarioRef;
}

/** A scenario a worker thread can import: a module specifier (package export or file URL) and the scenario's name. */
export interface ScenarioRef {
  readonly module: string;
  readonly scenario: string;
}

export interface Progress {
  readonly scenario: string;
  readonly variant: string;
  readonly executions: number;
  readonly budget: number;
  readonly elapsedMs: number;
  readonly violations: number;
}

/** A violation with the schedule that reproduces it and its traced timeline. */
export interface Counterexample {
  readonly kind: ViolationKind;
  readonly message: string;
  readonly details: readonly string[];
  /** `k1:...`: pass to replay() or `k replay` */
  readonly schedule: string;
  /** number of choices in the schedule */
  readonly choices: number;
  readonly steps: number;
  /** virtual time of the violation, ns */
  readonly time: number;
  readonly trace: readonly TraceStep[];
  readonly timeline: string;
  /** how to replay it from TypeScript */
  readonly replay: string;
  /** the shrinker's work: the failing schedule as found and as reported (null when not shrunk) */
  readonly shrunk: { readonly from: ScheduleShape; readonly to: ScheduleShape; readonly runs: number } | null;
}

export interface ExploreReport {
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: StrategyName;
  readonly seed: number;
  readonly expected: Expectation;
  readonly verdict: Verdict;
  /** the verdict (and for `fails`, the kind) matches the expectation */
  readonly ok: boolean;
  readonly executions: number;
  /** the search covered its whole (bounded) space */
  readonly complete: boolean;
  readonly distinctOutcomes: number;
  readonly outcomes: readonly string[];
  readonly violations: number;
  /** the distinct kinds of violation found (all of them with `continueAfterViolation`) */
  readonly violationKinds: readonly ViolationKind[];
  /** dpor: executions stopped early because their continuations were covered already (not counted in `executions`) */
  readonly blocked: number;
  /** executions cut by the step or time bound */
  readonly bounded: number;
  readonly steps: number;
  readonly timeMs: number;
  readonly counterexample: Counterexample | null;
  /** pct: the probabilistic guarantee of the executions run */
  readonly pct: PctGuarantee | null;
  /** dpor: statistics of the reduction */
  readonly dpor: DporStats | null;
  readonly shard: Shard | null;
  readonly workers: number;
  /** the preemption bound of a bounded dfs or dpor search */
  readonly maxPreemptions: number | null;
}

/** A part of the search: shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` (1 <= i <= n), as `--shard` and K_SHARD take it. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ExploreError(`shard '${text}': expected i/n, for example 1/4`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  checkShard(shard);
  return shard;
}

function checkShard(sh: Shard): void {
  if (!Number.isInteger(sh.count) || sh.count < 1 || !Number.isInteger(sh.index) || sh.index < 1 || sh.index > sh.count) {
    throw new ExploreError(`shard ${sh.index}/${sh.count}: the index must be an integer in 1..count`);
  }
}

/** Branching steps every part explores above the split of a sharded dfs or dpor search. */
export function splitDepth(count: number): number {
  return count <= 1 ? 0 : Math.ceil(Math.log2(count));
}

/** Everything explore() resolved from a scenario and its options. */
export interface Plan {
  readonly scenario: Scenario;
  readonly variant: string;
  readonly world: WorldOptions;
  readonly strategy: StrategyName;
  readonly seed: number;
  readonly budget: number;
  readonly timeMs: number | undefined;
  readonly continueAfterViolation: boolean;
  readonly maxPreemptions: number | null;
  readonly shard: Shard | null;
  readonly pct: PctGuarantee | null;
  readonly shrink: boolean;
  readonly progressMs: number;
}

export function plan(s: Scenario, o: ExploreOptions): Plan {
  if (!s || typeof s.setup !== 'function' || typeof s.name !== 'string') throw new ExploreError('explore(): not a Scenario (it needs a name, variants and setup)');
  const variant = variantOf(s, o.variant);
  const world = resolveWorld(s, o);
  const seed = o.seed ?? envInt('K_SEED') ?? 1;
  if (!Number.isInteger(seed)) throw new ExploreError(`seed must be an integer, got ${seed}`);
  const budget = o.budget ?? envInt('K_BUDGET') ?? s.defaults?.budget ?? 1000;
  positiveInt('budget', budget);
  if (o.timeMs !== undefined && !(o.timeMs > 0)) throw new ExploreError(`timeMs must be > 0, got ${o.timeMs}`);
  const strategy = o.strategy ?? 'random';
  if (!['random', 'pct', 'dfs', 'dpor'].includes(strategy)) {
    if (strategy === 'replay') throw new ExploreError(`strategy 'replay' needs a schedule: call replay(scenario, variant, schedule)`);
    throw new ExploreError(`unknown strategy '${String(strategy)}' (random, pct, dfs, dpor, replay)`);
  }
  const maxPreemptions = o.maxPreemptions ?? envInt('K_MAX_PREEMPTIONS') ?? null;
  if (maxPreemptions !== null) positiveInt('maxPreemptions', maxPreemptions, 0);
  let shard = o.shard ?? null;
  if (shard === null && process.env.K_SHARD) shard = parseShard(process.env.K_SHARD);
  if (shard !== null) checkShard(shard);
  if (shard !== null && shard.count === 1) shard = null;
  let pct: PctGuarantee | null = null;
  if (strategy === 'pct') {
    const depth = o.pctDepth ?? envInt('K_PCT_DEPTH') ?? 3;
    positiveInt('pctDepth', depth);
    const est = pctProbe(s, variant, world, seed);
    pct = pctGuarantee(depth, est.contexts, est.steps, 0);
  }
  const progressMs = o.progressMs ?? 1000;
  return { scenario: s, variant, world, strategy, seed, budget, timeMs: o.timeMs, continueAfterViolation: o.continueAfterViolation ?? false, maxPreemptions, shard, pct, shrink: o.shrink ?? true, progressMs };
}

/** Steps and contexts of a few random executions: PCT's k and n. */
function pctProbe(s: Scenario, variant: string, world: WorldOptions, seed: number): { steps: number; contexts: number } {
  const rnd = new RandomStrategy(seed ^ 0x2545f491);
  let steps = 1;
  let contexts = 1;
  for (let i = 0; i < 5; i++) {
    const ch = rnd.next(i);
    let n = 0;
    const keys = new Set<unknown>();
    ch.observer = {
      before: (ex, cands) => {
        n++;
        for (let c = 0; c < cands; c++) keys.add(ex.cands[c]!.thread ?? `${ex.cands[c]!.type}:${ex.cands[c]!.cpu?.id ?? ''}:${ex.cands[c]!.line}`);
        if (cands === 0) keys.add('time');
        return true;
      },
      after: () => {}, created: () => {}, spawned: () => {}, access: () => {}, pseudo: () => {}, global: () => {},
    };
    runOnce(s, variant, world, ch, { lockdep: null }, false, i);
    steps = Math.max(steps, n);
    contexts = Math.max(contexts, keys.size);
  }
  return { steps, contexts };
}

function makeStrategy(p: Plan): Strategy {
  const sh = p.shard;
  switch (p.strategy) {
    case 'random':
      return new RandomStrategy(p.seed);
    case 'pct':
      return new PctStrategy(p.seed, p.pct!.depth, p.pct!.steps);
    case 'dfs':
      return new DfsStrategy(p.maxPreemptions, sh === null ? null : { top: splitDepth(sh.count), owns: (key) => prefixHash(key) % sh.count === sh.index - 1 });
    case 'dpor':
      return new DporStrategy(p.maxPreemptions, sh === null ? null : { top: splitDepth(sh.count), owns: (key) => prefixHash(key) % sh.count === sh.index - 1 });
    default:
      throw new ExploreError(`unknown strategy '${String(p.strategy)}'`);
  }
}

function matches(exp: Expectation, verdict: Verdict, kind: ViolationKind | null): boolean {
  if (exp.expect !== verdict) return false;
  if (verdict === 'fails' && exp.kinds && exp.kinds.length > 0) return kind !== null && exp.kinds.includes(kind);
  return true;
}

/** The first violation of a search: the schedules that reproduce it, and its place in the search order. */
export interface Found {
  readonly sched: number[][];
  readonly kind: ViolationKind;
  readonly message: string;
  /** the execution's place in the search (execution index, or its choices for dfs and dpor) */
  readonly order: readonly number[];
}

/** What one (possibly partial) search ran, before its counterexample is shrunk and confirmed. */
export interface SearchResult {
  executions: number;
  steps: number;
  bounded: number;
  violations: number;
  blocked: number;
  kinds: Set<ViolationKind>;
  outcomes: Set<string>;
  first: Found | null;
  complete: boolean;
  dpor: DporStats | null;
}

/** Compares two places in a search order. */
export function orderLess(a: readonly number[], b: readonly number[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

export interface SearchHooks {
  /** told the running totals about every `progressMs` */
  readonly progress?: (r: SearchResult, elapsedMs: number) => void;
  /** a bound on the order of executions still worth running (set when another worker found a violation) */
  readonly limit?: () => readonly number[] | null;
  /** another worker's counterpart of this search: split workers by execution index for random and pct */
  readonly stride?: { readonly index: number; readonly count: number };
  /** told when the search finds its first violation (or an earlier one) */
  readonly found?: (f: Found) => void;
  /** told every execution the search counts, with its schedule */
  readonly executed?: (schedule: readonly number[], res: ExecutionResult) => void;
}

/** Runs the search a plan describes in the calling thread. */
export function search(p: Plan, hooks: SearchHooks = {}): SearchResult {
  const strategy = makeStrategy(p);
  const persistent: Persistent = { lockdep: null };
  const r: SearchResult = { executions: 0, steps: 0, bounded: 0, violations: 0, blocked: 0, kinds: new Set(), outcomes: new Set(), first: null, complete: false, dpor: null };
  const t0 = performance.now();
  let lastProgress = t0;
  // schedules of executions in which lockdep learned something: a lock-order or
  // IRQ-safety violation found later needs them to replay
  const learnedIn = new Map<number, number[]>();
  const byIndex = p.strategy === 'random' || p.strategy === 'pct';
  const stride = hooks.stride;
  for (let i = 0; i < p.budget; i++) {
    if (byIndex) {
      // random and pct executions are independent: shards and workers take every count-th index
      if (p.shard !== null && i % p.shard.count !== p.shard.index - 1) continue;
      if (stride && Math.floor(i / (p.shard?.count ?? 1)) % stride.count !== stride.index) continue;
    }
    const lim = hooks.limit?.() ?? null;
    if (lim !== null && byIndex && !orderLess([i], lim)) break;
    const ch = strategy.next(i);
    if (!ch) break;
    const before = learnedCount(persistent);
    const { res } = runOnce(p.scenario, p.variant, p.world, ch, persistent, false, i);
    strategy.done(ch, res);
    if (learnedCount(persistent) !== before) learnedIn.set(i, ch.recorded.slice());
    const skipped = strategy.lastSkipped === true;
    if (skipped) {
      // another shard's part of the search
    } else if (res.end === 'blocked') r.blocked++;
    else {
      r.executions++;
      hooks.executed?.(ch.recorded, res);
      r.steps += res.steps;
      if (res.end === 'steps' || res.end === 'time') r.bounded++;
      if (res.outcome !== null) r.outcomes.add(res.outcome);
      if (res.violation) {
        r.violations++;
        r.kinds.add(res.violation.kind);
        const order = byIndex ? [i] : ch.recorded.slice();
        if (!r.first || orderLess(order, r.first.order)) {
          const parts = res.violation.related.map((x) => learnedIn.get(x)).filter((x): x is number[] => x !== undefined);
          r.first = { sched: [...parts, ch.recorded.slice()], kind: res.violation.kind, message: res.violation.message, order };
          hooks.found?.(r.first);
        }
        if (!p.continueAfterViolation) break;
      }
    }
    const now = performance.now();
    if (hooks.progress && now - lastProgress >= p.progressMs) {
      lastProgress = now;
      hooks.progress(r, now - t0);
    }
    if (p.timeMs !== undefined && now - t0 >= p.timeMs) break;
    if (strategy.complete) break;
    // another worker found a violation: stop
    if (lim !== null && !byIndex) break;
  }
  r.complete = strategy.complete;
  if (strategy instanceof DporStrategy) r.dpor = { ...strategy.stats };
  return r;
}

/** Explores a scenario variant in the calling thread; stops at the first violation unless told otherwise. */
export function explore<V extends string>(s: Scenario<V>, o: ExploreOptions = {}): ExploreReport {
  const workers = o.workers ?? envInt('K_WORKERS') ?? 1;
  if (o.workers !== undefined && workers > 1) throw new ExploreError('explore() runs in the calling thread: use exploreParallel() for workers > 1');
  const p = plan(s as Scenario, o);
  const t0 = performance.now();
  const onProgress = o.onProgress;
  const r = search(p, onProgress ? {
    progress: (x, elapsedMs) => onProgress({ scenario: s.name, variant: p.variant, executions: x.executions, budget: p.budget, elapsedMs, violations: x.violations }),
  } : {});
  return finishReport(p, r, Math.round(performance.now() - t0), 1);
}

/** Turns a search result into a report: the counterexample is shrunk and replayed to confirm. */
export function finishReport(p: Plan, r: SearchResult, timeMs: number, workers: number): ExploreReport {
  const s = p.scenario;
  let counterexample: Counterexample | null = null;
  if (r.first) counterexample = confirm(s, p.variant, p.world, r.first, p.shrink, p.timeMs);
  const verdict: Verdict = r.first ? 'fails' : 'holds';
  const expected = (s.variants as Record<string, Expectation>)[p.variant]!;
  const dporStats = r.dpor;
  return {
    scenario: s.name,
    variant: p.variant,
    strategy: p.strategy,
    seed: p.seed,
    expected,
    verdict,
    ok: matches(expected, verdict, r.first ? r.first.kind : null),
    executions: r.executions,
    complete: r.complete && (dporStats === null || dporStats.pruned === 0) && p.maxPreemptions === null,
    distinctOutcomes: r.outcomes.size,
    outcomes: [...r.outcomes].sort(),
    violations: r.violations,
    violationKinds: [...r.kinds].sort(),
    blocked: r.blocked,
    bounded: r.bounded,
    steps: r.steps,
    timeMs,
    counterexample,
    pct: p.pct ? pctGuarantee(p.pct.depth, p.pct.contexts, p.pct.steps, r.executions) : null,
    dpor: dporStats,
    shard: p.shard,
    workers,
    maxPreemptions: p.maxPreemptions,
  };
}

function learnedCount(p: Persistent): number {
  return (p.lockdep as { learned?: number } | null)?.learned ?? 0;
}

/** Shrinks the failing schedule, then replays it traced and checks it fails the same way. */
function confirm(s: Scenario, variant: string, world: WorldOptions, f: Found, shrink: boolean, timeMs: number | undefined): Counterexample {
  let sched = f.sched;
  let shrunk: Counterexample['shrunk'] = null;
  if (shrink && sched.length === 1) {
    const deadline = performance.now() + Math.max(2000, (timeMs ?? 10_000) / 5);
    const r = shrinkSchedule(s, variant, world, sched[0]!, f.kind, 300, deadline);
    if (r) {
      shrunk = { from: r.from, to: r.to, runs: r.runs };
      if (r.to !== r.from) sched = [r.schedule.slice()];
    }
  }
  const rep = replayWith(s, variant, world, sched);
  if (!rep.violation || rep.violation.kind !== f.kind || (sched === f.sched && rep.violation.message !== f.message)) {
    throw new InternalBug(`replay of a counterexample of '${s.name}/${variant}' diverged: first run '${f.kind}: ${f.message}', replay '${rep.violation ? rep.violation.kind + ': ' + rep.violation.message : 'no violation'}'`);
  }
  const schedule = sched.map(encodeSchedule).join(',');
  return {
    kind: rep.violation.kind,
    message: rep.violation.message,
    details: rep.violation.details,
    schedule,
    choices: sched.reduce((n, x) => n + x.length, 0),
    steps: rep.steps,
    time: rep.time,
    trace: rep.trace,
    timeline: rep.timeline,
    replay: `replay(${s.name.replace(/[^A-Za-z0-9_$]/g, '_')}, '${variant}', '${schedule}')`,
    shrunk,
  };
}

export interface ReplayReport {
  readonly scenario: string;
  readonly variant: string;
  readonly violation: { readonly kind: ViolationKind; readonly message: string; readonly details: readonly string[] } | null;
  readonly steps: number;
  readonly time: number;
  readonly outcome: string | null;
  readonly trace: readonly TraceStep[];
  readonly timeline: string;
  /** the schedule did not fit (another scenario or version): what happened */
  readonly diverged: string | null;
}

function replayWith(s: Scenario, variant: string, world: WorldOptions, parts: readonly (readonly number[])[]): ReplayReport {
  // earlier parts rebuild what lockdep had learned; the last one is the failing execution
  const persistent: Persistent = { lockdep: null };
  for (let i = 0; i + 1 < parts.length; i++) {
    const st = new ReplayStrategy(parts[i]!);
    runOnce(s, variant, world, st.next()!, persistent, false, i);
  }
  const strat = new ReplayStrategy(parts[parts.length - 1] ?? []);
  const ch = strat.next()!;
  const { res, ex } = runOnce(s, variant, world, ch, persistent, true, parts.length - 1);
  strat.done();
  const trace = ex.trace ?? [];
  return {
    scenario: s.name,
    variant,
    violation: res.violation ? { kind: res.violation.kind, message: res.violation.message, details: res.violation.details } : null,
    steps: res.steps,
    time: res.time,
    outcome: res.outcome,
    trace,
    timeline: renderTimeline(trace, world.cpus),
    diverged: strat.diverged,
  };
}

/**
 * Replays a schedule (a `k1:...` string, several joined by ',' when lockdep
 * needs earlier executions, or the list of choices) of a scenario variant,
 * traced step by step.
 */
export function replay<V extends string>(s: Scenario<V>, variant: V, schedule: string | readonly number[], o: ExploreOptions = {}): ReplayReport {
  const v = variantOf(s as Scenario, variant);
  const world = resolveWorld(s as Scenario, o);
  const parts = typeof schedule === 'string' ? schedule.split(',').map(decodeSchedule) : [schedule];
  return replayWith(s as Scenario, v, world, parts);
}
