// Running one execution of a scenario, and resolving the world a scenario
// and its options ask for: shared by explore(), replay(), the shrinker, the
// trace counter and the workers of a parallel search.

import { ALL_DETECTORS, Execution, setCur, setRT, type ExecutionResult, type Persistent, type WorldOptions } from '../internal/rt/kernel';
import { ModelUsageError, Violation } from '../internal/rt/violation';
import type { Scenario } from './scenario';
import type { RecordingChooser } from './strategy';
import type { ExploreOptions } from './explore';
import { World } from './world';

/** An explore() call that cannot run (unknown variant, bad options): the user's mistake. */
export class ExploreError extends Error {
  override readonly name = 'ExploreError';
}

export function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ExploreError(`${name}=${v}: expected a non-negative integer`);
  return n;
}

export function positiveInt(name: string, v: number | undefined, min = 1): void {
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

