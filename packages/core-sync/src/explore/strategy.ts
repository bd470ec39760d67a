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
  /** the last execution belongs to another shard's part of the search (not counted) */
  readonly lastSkipped?: boolean;
}

/** The split of a dfs or dpor search between shards: the first `top` branch points, then subtrees by prefix. */
export interface SplitRule {
  readonly top: number;
  owns(prefix: string): boolean;
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
  /** which options switch away from a context that could go on (null: data choice, none do) */
  pre: boolean[] | null;
  /** preemptions made before this choice */
  used: number;
}

/**
 * Depth-first search over every sequence of choices (no reduction), with an
 * optional preemption bound (CHESS) and an optional split between shards.
 */
export class DfsStrategy implements Strategy {
  readonly name: StrategyName = 'dfs';
  private stack: Frame[] = [];
  private started = false;
  complete = false;
  lastSkipped = false;
  private abort = false;
  constructor(
    private readonly maxPreemptions: number | null = null,
    private readonly split: SplitRule | null = null,
  ) {}

  private allowed(f: Frame, i: number): boolean {
    return this.maxPreemptions === null || f.pre === null || f.used + (f.pre[i] ? 1 : 0) <= this.maxPreemptions;
  }

  next(): RecordingChooser | null {
    if (this.complete) return null;
    if (this.started && this.stack.length === 0) {
      this.complete = true;
      return null;
    }
    this.started = true;
    this.abort = false;
    let pos = 0;
    const reached = (): void => {
      // the split point: is the subtree below this prefix ours?
      if (this.split !== null && pos === this.split.top && !this.split.owns(this.key(pos))) this.abort = true;
    };
    const ch = new RecordingChooser((n, kind, _label, ex) => {
      const f = this.stack[pos];
      if (f) {
        if (f.n !== n) throw new InternalBug(`dfs: choice point ${pos} had ${f.n} options and now has ${n}: the model is not deterministic (does it read the wall clock, Math.random or global state?)`);
        pos++;
        reached();
        return f.chosen;
      }
      const prev = this.stack[pos - 1];
      const used = prev ? prev.used + (prev.pre !== null && prev.pre[prev.chosen] ? 1 : 0) : 0;
      let pre: boolean[] | null = null;
      if (kind === 't' && this.maxPreemptions !== null) {
        // an option preempts when it switches away from the context that ran last while it could go on
        const last = ex.lastThread;
        let lastRuns = false;
        for (let i = 0; i < n; i++) if (ex.cands[i]!.thread === last && last !== null) lastRuns = true;
        pre = [];
        for (let i = 0; i < n; i++) pre.push(lastRuns && ex.cands[i]!.thread !== last);
      }
      const frame: Frame = { n, chosen: 0, pre, used };
      while (frame.chosen < n && !this.allowed(frame, frame.chosen)) frame.chosen++;
      if (frame.chosen >= n) frame.chosen = 0;
      this.stack.push(frame);
      pos++;
      reached();
      return frame.chosen;
    });
    if (this.split !== null) {
      ch.observer = {
        before: () => !this.abort,
        after: () => {}, created: () => {}, spawned: () => {}, access: () => {}, pseudo: () => {}, global: () => {},
      };
    }
    return ch;
  }

  private key(n: number): string {
    return this.stack.slice(0, n).map((f) => f.chosen).join(',');
  }

  done(ch: RecordingChooser): void {
    // drop frames the execution did not reach (it ended earlier), then backtrack
    this.stack.length = Math.min(this.stack.length, ch.recorded.length);
    this.lastSkipped = false;
    if (this.split !== null) {
      if (this.abort) {
        // not ours: skip the whole subtree below the split point
        this.stack.length = Math.min(this.stack.length, this.split.top);
        this.lastSkipped = true;
      } else if (this.stack.length < this.split.top && !this.split.owns(this.key(this.stack.length))) this.lastSkipped = true;
    }
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1]!;
      let next = top.chosen + 1;
      while (next < top.n && !this.allowed(top, next)) next++;
      if (next < top.n) {
        top.chosen = next;
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
