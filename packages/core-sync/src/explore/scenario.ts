// The Scenario contract (ARCHITECTURE.md): a name, variants with what each is
// expected to show, defaults for exploring it, and a setup that builds one
// execution's world. A package's `./scenarios` export is an array of these.

import type { KGen, Timing } from '../internal/rt/kernel';
import type { ViolationKind } from '../internal/rt/violation';
import type { World } from './world';

export type Verdict = 'holds' | 'fails';

/** What the explorer should conclude for a variant. */
export interface Expectation {
  readonly expect: Verdict;
  /** for `fails`: the violation kinds that count as the documented failure */
  readonly kinds?: readonly ViolationKind[];
  /** one sentence: why it fails (the bug) or what it shows */
  readonly why?: string;
}

/** Exploration and world defaults a scenario may set. */
export interface ScenarioDefaults {
  readonly cpus?: number;
  readonly hz?: number;
  readonly preempt?: boolean;
  readonly timing?: Timing;
  readonly maxSteps?: number;
  /** bound on virtual time per execution, in ns */
  readonly maxTime?: number;
  readonly initialJiffies?: number;
  /** executions for the default random exploration of `k check` */
  readonly budget?: number;
  readonly detectors?: Partial<DetectorOptions>;
}

export interface DetectorOptions {
  readonly races: boolean;
  readonly lockdep: boolean;
  readonly lifetime: boolean;
  readonly leaks: boolean;
  readonly atomicSleep: boolean;
  readonly warnings: boolean;
  readonly liveness: boolean;
}

export interface Scenario<V extends string = string> {
  readonly name: string;
  readonly description: string;
  readonly variants: Readonly<Record<V, Expectation>>;
  readonly defaults?: ScenarioDefaults;
  /** builds one execution: kernel objects, devices, threads, properties */
  setup(k: World, variant: V): void;
}

/** Identity helper that checks a scenario's shape at compile time. */
export function defineScenario<V extends string>(s: Scenario<V>): Scenario<V> {
  return s;
}

export type { KGen };
