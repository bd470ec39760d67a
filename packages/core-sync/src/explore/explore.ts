// explore(): runs a scenario variant many times under a strategy, stops at
// the first violation (or at the budget), and returns a report whose
// counterexample replays exactly. replay(): one schedule, traced.

import { ALL_DETECTORS, Execution, setCur, setRT, type ExecutionResult, type Persistent, type TraceStep, type WorldOptions } from '../internal/rt/kernel';
import { InternalBug, ModelUsageError, Violation, type ViolationKind } from '../internal/rt/violation';
import type { DetectorOptions, Expectation, Scenario, Verdict } from './scenario';
import { decodeSchedule, encodeSchedule } from './schedule';
import { DfsStrategy, RandomStrategy, ReplayStrategy, type RecordingChooser, type Strategy, type StrategyName } from './strategy';
import { renderTimeline } from './timeline';
import { DporStrategy } from './dpor';
import { World } from './world';

/** Options of explore(); each names the environment variable that sets its default. */
export interface ExploreOptions {
  /** the variant to explore (default: the first declared) */
  readonly variant?: string;
  /** `random` (default), `dfs`; `pct` and `dpor` come with the deep explorer */
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
}

/** An explore() call that cannot run (unknown variant, bad options): the user's mistake. */
export class ExploreError extends Error {
  override readonly name = 'ExploreError';
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ExploreError(`${name}=${v}: expected a non-negative integer`);
  return n;
}

function positiveInt(name: string, v: number | undefined, min = 1): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new ExploreError(`${name} must be an integer >= ${min}, got ${v}`);
}

export function resolveWorld(s: Scenario, o: ExploreOptions): WorldOptions {
  const d = s.defaults ?? {};
  const cpus = o.cpus ?? d.cpus ?? 2;
  const hz = o.hz ?? d.hz ?? 250;
  positiveInt('cpus', cpus);
  if (cpus > 64) throw new ExploreError(`cpus must be at most 64, got ${cpus}`);
  if (![24, 100, 250, 300, 1000, 1024].includes(hz) && (!Number.isInteger(hz) || hz < 1 || hz > 10000)) throw new ExploreError(`hz must be an integer in 1..10000, got ${hz}`);
  const maxSteps = o.maxSteps ?? envInt('K_MAX_STEPS') ?? d.maxSteps ?? 100_000;
  positiveInt('maxSteps', maxSteps);
  const maxTime = o.maxTime ?? d.maxTime ?? 60 * 1e9;
  if (!(maxTime >= 0)) throw new ExploreError(`maxTime must be >= 0 ns, got ${maxTime}`);
  const det = { ...ALL_DETECTORS, ...(d.detectors ?? {}), ...(o.detectors ?? {}) };
  return {
    cpus,
    hz,
    preempt: o.preempt ?? d.preempt ?? true,
    timing: o.timing ?? d.timing ?? 'free',
    maxSteps,
    maxTime,
    initialJiffies: d.initialJiffies ?? 0,
    detectors: det,
  };
}

export function variantOf(s: Scenario, v: string | undefined): string {
  const names = Object.keys(s.variants);
  if (names.length === 0) throw new ExploreError(`scenario '${s.name}' declares no variants`);
  const variant = v ?? names[0]!;
  if (!(variant in s.variants)) throw new ExploreError(`scenario '${s.name}' has no variant '${variant}' (it has: ${names.join(', ')})`);
  return variant;
}

/** Runs one execution of a scenario under a chooser. */
export function runOnce(s: Scenario, variant: string, world: WorldOptions, chooser: RecordingChooser, persistent: Persistent, trace: boolean, index = 0): { ex: Execution; res: ExecutionResult } {
  const ex = new Execution(world, chooser, persistent);
  ex.index = index;
  ex.observer = chooser.observer;
  if (trace) ex.trace = [];
  setRT(ex);
  setCur(null);
  try {
    try {
      s.setup(new World(ex), variant);
    } catch (e) {
      if (e instanceof Violation) return { ex, res: { end: 'violation', violation: e, steps: 0, time: 0, outcome: null } };
      const msg = e instanceof ModelUsageError ? e.message : `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
      return { ex, res: { end: 'violation', violation: new Violation('model-error', `setup of '${s.name}' failed: ${msg}`), steps: 0, time: 0, outcome: null } };
    }
    return { ex, res: ex.run() };
  } finally {
    setRT(null);
    setCur(null);
  }
}

function makeStrategy(name: StrategyName, seed: number): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(seed);
    case 'dfs':
      return new DfsStrategy();
    case 'dpor':
      return new DporStrategy();
    case 'pct':
      throw new ExploreError(`strategy '${name}' is not available yet (it comes with the deep explorer); use 'random' or 'dfs'`);
    case 'replay':
      throw new ExploreError(`strategy 'replay' needs a schedule: call replay(scenario, variant, schedule)`);
    default:
      throw new ExploreError(`unknown strategy '${String(name)}' (random, pct, dfs, dpor, replay)`);
  }
}

function matches(exp: Expectation, verdict: Verdict, kind: ViolationKind | null): boolean {
  if (exp.expect !== verdict) return false;
  if (verdict === 'fails' && exp.kinds && exp.kinds.length > 0) return kind !== null && exp.kinds.includes(kind);
  return true;
}

/** Explores a scenario variant; stops at the first violation unless told otherwise. */
export function explore<V extends string>(s: Scenario<V>, o: ExploreOptions = {}): ExploreReport {
  if (!s || typeof s.setup !== 'function' || typeof s.name !== 'string') throw new ExploreError('explore(): not a Scenario (it needs a name, variants and setup)');
  const variant = variantOf(s as Scenario, o.variant);
  const world = resolveWorld(s as Scenario, o);
  const seed = o.seed ?? envInt('K_SEED') ?? 1;
  const budget = o.budget ?? envInt('K_BUDGET') ?? s.defaults?.budget ?? 1000;
  positiveInt('budget', budget);
  if (o.timeMs !== undefined && !(o.timeMs > 0)) throw new ExploreError(`timeMs must be > 0, got ${o.timeMs}`);
  const strategyName = o.strategy ?? 'random';
  const strategy = makeStrategy(strategyName, seed);
  const persistent: Persistent = { lockdep: null };
  const outcomes = new Set<string>();
  const t0 = performance.now();
  const progressMs = o.progressMs ?? 1000;
  let lastProgress = t0;
  let executions = 0;
  let steps = 0;
  let bounded = 0;
  let violations = 0;
  let blocked = 0;
  const kinds = new Set<ViolationKind>();
  let first: { sched: number[][]; v: Violation } | null = null;
  // schedules of executions in which lockdep learned something: a lock-order or
  // IRQ-safety violation found later needs them to replay
  const learnedIn = new Map<number, number[]>();
  for (let i = 0; i < budget; i++) {
    const ch = strategy.next(i);
    if (!ch) break;
    const before = learnedCount(persistent);
    const { res } = runOnce(s as Scenario, variant, world, ch, persistent, false, i);
    strategy.done(ch, res);
    if (learnedCount(persistent) !== before) learnedIn.set(i, ch.recorded.slice());
    if (res.end === 'blocked') {
      blocked++;
      if (strategy.complete) break;
      continue;
    }
    executions++;
    steps += res.steps;
    if (res.end === 'steps' || res.end === 'time') bounded++;
    if (res.outcome !== null) outcomes.add(res.outcome);
    if (res.violation) {
      violations++;
      kinds.add(res.violation.kind);
      if (!first) {
        const parts = res.violation.related.map((r) => learnedIn.get(r)).filter((x): x is number[] => x !== undefined);
        first = { sched: [...parts, ch.recorded.slice()], v: res.violation };
      }
      if (!o.continueAfterViolation) break;
    }
    const now = performance.now();
    if (o.onProgress && now - lastProgress >= progressMs) {
      lastProgress = now;
      o.onProgress({ scenario: s.name, variant, executions, budget, elapsedMs: now - t0, violations });
    }
    if (o.timeMs !== undefined && now - t0 >= o.timeMs) break;
    if (strategy.complete) break;
  }
  const timeMs = Math.round(performance.now() - t0);
  let counterexample: Counterexample | null = null;
  if (first) counterexample = confirm(s as Scenario, variant, world, first.sched, first.v);
  const verdict: Verdict = first ? 'fails' : 'holds';
  const expected = (s.variants as Record<string, Expectation>)[variant]!;
  return {
    scenario: s.name,
    variant,
    strategy: strategyName,
    seed,
    expected,
    verdict,
    ok: matches(expected, verdict, first ? first.v.kind : null),
    executions,
    complete: strategy.complete,
    distinctOutcomes: outcomes.size,
    outcomes: [...outcomes].sort(),
    violations,
    violationKinds: [...kinds].sort(),
    blocked,
    bounded,
    steps,
    timeMs,
    counterexample,
  };
}

function learnedCount(p: Persistent): number {
  return (p.lockdep as { learned?: number } | null)?.learned ?? 0;
}

/** Replays the failing schedule with tracing on and checks it fails the same way. */
function confirm(s: Scenario, variant: string, world: WorldOptions, sched: number[][], v: Violation): Counterexample {
  const rep = replayWith(s, variant, world, sched);
  if (!rep.violation || rep.violation.kind !== v.kind || rep.violation.message !== v.message) {
    throw new InternalBug(`replay of a counterexample of '${s.name}/${variant}' diverged: first run '${v.kind}: ${v.message}', replay '${rep.violation ? rep.violation.kind + ': ' + rep.violation.message : 'no violation'}'`);
  }
  const schedule = sched.map(encodeSchedule).join(',');
  return {
    kind: v.kind,
    message: v.message,
    details: rep.violation.details,
    schedule,
    choices: sched.reduce((n, p) => n + p.length, 0),
    steps: rep.steps,
    time: rep.time,
    trace: rep.trace,
    timeline: rep.timeline,
    replay: `replay(${s.name.replace(/[^A-Za-z0-9_$]/g, '_')}, '${variant}', '${schedule}')`,
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
