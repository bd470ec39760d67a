// Scheduling strategies. One `Strategy` hands out a chooser per execution;
// each chooser records every choice it makes, so any execution replays exactly.

import type { Chooser, Execution, ExecutionResult, StepObserver } from '../internal/rt/kernel';
import { InternalBug } from '../internal/rt/violation';
import { Rng } from '../internal/rt/rng';

export type StrategyName = 'random' | 'pct' | 'dfs' | 'dpor' | 'replay';

export class RecordingChooser implements Chooser {
  readonly recorded: number[] = [];
  /** watches the execution's steps (attached to the execution by runOnce) */
  observer: StepObserver | null = null;
  /** told every data choice made */
  onData: ((v: number) => void) | null = null;
  constructor(
    private readonly pick: (n: number, kind: 't' | 'd', label: string, ex: Execution) => number,
  ) {}
  pickThread(n: number, ex: Execution): number {
    const v = this.pick(n, 't', '', ex);
    this.recorded.push(v);
    return v;
  }
  pickData(n: number, label: string, ex: Execution): number {
    const v = this.pick(n, 'd', label, ex);
    this.recorded.push(v);
    if (this.onData !== null) this.onData(v);
    return v;
  }
}

export interface Strategy {
  readonly name: StrategyName;
  /** the chooser for the next execution, or null when the search is complete */
  next(index: number): RecordingChooser | null;
  done(ch: RecordingChooser, res: ExecutionResult): void;
  /** true once every execution of the (bounded) space has been explored */
  readonly complete: boolean;
}

/** Seeded random walk: each execution i uses its own stream (seed, i). */
export class RandomStrategy implements Strategy {
  readonly name = 'random' as const;
  readonly complete = false;
  constructor(private readonly seed: number) {}
  next(index: number): RecordingChooser {
    const rng = new Rng(this.seed, index);
    return new RecordingChooser((n) => rng.below(n));
  }
  done(): void {}
}

interface Frame {
  n: number;
  chosen: number;
}

/** Depth-first search over every sequence of choices (no reduction). */
export class DfsStrategy implements Strategy {
  readonly name: StrategyName = 'dfs';
  private stack: Frame[] = [];
  private started = false;
  complete = false;
  next(): RecordingChooser | null {
    if (this.complete) return null;
    if (this.started && this.stack.length === 0) {
      this.complete = true;
      return null;
    }
    this.started = true;
    let pos = 0;
    return new RecordingChooser((n) => {
      const f = this.stack[pos];
      if (f) {
        if (f.n !== n) throw new InternalBug(`dfs: choice point ${pos} had ${f.n} options and now has ${n}: the model is not deterministic (does it read the wall clock, Math.random or global state?)`);
        pos++;
        return f.chosen;
      }
      this.stack.push({ n, chosen: 0 });
      pos++;
      return 0;
    });
  }
  done(ch: RecordingChooser): void {
    // drop frames the execution did not reach (it ended earlier), then backtrack
    this.stack.length = Math.min(this.stack.length, ch.recorded.length);
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1]!;
      if (top.chosen + 1 < top.n) {
        top.chosen++;
        return;
      }
      this.stack.pop();
    }
    this.complete = true;
  }
}

/** Replays one recorded schedule; past its end, takes the first option. */
export class ReplayStrategy implements Strategy {
  readonly name = 'replay' as const;
  complete = false;
  diverged: string | null = null;
  private pos = 0;
  constructor(private readonly schedule: readonly number[]) {}
  next(): RecordingChooser | null {
    if (this.complete) return null;
    return new RecordingChooser((n, kind, label) => {
      const pos = this.pos++;
      const v = this.schedule[pos];
      if (v === undefined) {
        this.diverged ??= `the schedule ended after ${this.schedule.length} choices; later choices take the first option`;
        return 0;
      }
      if (v >= n) {
        this.diverged ??= `choice ${pos} (${kind === 't' ? 'which thread' : label}) is ${v} but only ${n} options exist here: the schedule belongs to another scenario, variant or version`;
        return 0;
      }
      return v;
    });
  }
  done(): void {
    this.complete = true;
    if (this.pos < this.schedule.length) {
      this.diverged ??= `the execution ended after ${this.pos} choices but the schedule has ${this.schedule.length}: it belongs to another scenario, variant or version`;
    }
  }
}
