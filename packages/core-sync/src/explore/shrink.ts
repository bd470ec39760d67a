// Shrinking a counterexample: the failing execution is rewritten as runs of
// steps per context ("A 3 steps, then B 2 steps, ...") plus its data choices,
// and followed leniently (a run whose context cannot run is skipped, past the
// last run the running context goes on). Runs are dropped and injected data
// choices reset to their first option, one at a time, keeping each change
// that still fails with the same kind of violation and has fewer preemptions,
// injected faults, context switches or steps. The result is an ordinary
// schedule: the explorer replays it to confirm.

import { C_IRQ, C_ITEM, C_THREAD, type Execution, type ExecutionResult, type Persistent, type StepObserver, type Thread, type WorldOptions } from '../internal/rt/kernel';
import type { ViolationKind } from '../internal/rt/violation';
import { runOnce } from './run';
import type { Scenario } from './scenario';
import { RecordingChooser } from './strategy';

/** The size of an execution's schedule. */
export interface ScheduleShape {
  readonly steps: number;
  /** recorded choices (the length of the schedule) */
  readonly choices: number;
  /** switches to another context while the one running could go on */
  readonly preemptions: number;
  /** all changes of the running context */
  readonly switches: number;
  /** data choices other than the first option (injected faults, unusual inputs) */
  readonly injected: number;
}

export interface ShrinkResult {
  readonly schedule: readonly number[];
  readonly from: ScheduleShape;
  readonly to: ScheduleShape;
  /** executions the shrinker ran */
  readonly runs: number;
}

interface Run {
  readonly actor: string;
  readonly count: number;
}

/** Names contexts stably across executions and measures an execution's shape; steers it by runs or replays a schedule. */
class Follower implements StepObserver {
  readonly actors: string[] = [];
  readonly data: number[] = [];
  private readonly names = new Map<Thread, string>();
  private readonly seen = new Map<string, number>();
  chosen = 0;
  preemptions = 0;
  switches = 0;
  private pos = 0;
  private left: number;
  private prev: string | null = null;
  private cursor = 0;

  constructor(
    private readonly runs: readonly Run[] | null,
    private readonly givenData: readonly number[] | null,
    private readonly replay: readonly number[] | null,
  ) {
    this.left = runs?.[0]?.count ?? 0;
  }

  spawned(th: Thread): void {
    const n = this.seen.get(th.name) ?? 0;
    this.seen.set(th.name, n + 1);
    this.names.set(th, n === 0 ? th.name : `${th.name}#${n}`);
  }

  private key(ex: Execution, i: number): string {
    const c = ex.cands[i]!;
    if (c.type === C_THREAD) return this.names.get(c.thread!) ?? c.thread!.name;
    if (c.type === C_IRQ) return `irq:${c.cpu!.id}:${c.line}`;
    if (c.type === C_ITEM) return `item:${c.cpu!.id}:${ex.cpus[c.cpu!.id]!.items[c.line]!.hard ? 'h' : 's'}`;
    return 'time';
  }

  before(ex: Execution, n: number): boolean {
    const keys: string[] = [];
    if (n === 0) keys.push('time');
    else for (let i = 0; i < n; i++) keys.push(this.key(ex, i));
    let pick = 0;
    if (this.replay !== null) {
      const v = n >= 2 ? this.replay[this.cursor] ?? 0 : 0;
      pick = v < keys.length ? v : 0;
    } else if (this.runs !== null) {
      pick = -1;
      while (this.pos < this.runs.length) {
        const r = this.runs[this.pos]!;
        const i = keys.indexOf(r.actor);
        if (this.left > 0 && i >= 0) {
          pick = i;
          this.left--;
          break;
        }
        this.pos++;
        this.left = this.runs[this.pos]?.count ?? 0;
      }
      // past the last run: the running context goes on, else the first that can run
      if (pick < 0) pick = this.prev !== null && keys.includes(this.prev) ? keys.indexOf(this.prev) : 0;
    }
    const actor = keys[pick]!;
    if (this.prev !== null && actor !== this.prev) {
      this.switches++;
      if (keys.includes(this.prev)) this.preemptions++;
    }
    this.prev = actor;
    this.actors.push(actor);
    this.chosen = pick;
    return true;
  }

  takeThread(): number {
    if (this.replay !== null) this.cursor++;
    return this.chosen;
  }

  pickData(n: number): number {
    let v: number;
    if (this.replay !== null) v = this.replay[this.cursor++] ?? 0;
    else v = this.givenData?.[this.data.length] ?? 0;
    const out = v < n ? v : 0;
    this.data.push(out);
    return out;
  }

  after(): void {}
  created(): void {}
  access(): void {}
  pseudo(): void {}
  global(): void {}
}

function shapeOf(f: Follower, choices: number): ScheduleShape {
  return { steps: f.actors.length, choices, preemptions: f.preemptions, switches: f.switches, injected: f.data.filter((d) => d !== 0).length };
}

function better(a: ScheduleShape, b: ScheduleShape): boolean {
  if (a.preemptions !== b.preemptions) return a.preemptions < b.preemptions;
  if (a.injected !== b.injected) return a.injected < b.injected;
  if (a.switches !== b.switches) return a.switches < b.switches;
  return a.steps < b.steps;
}

function runsOf(actors: readonly string[]): Run[] {
  const out: Run[] = [];
  for (const a of actors) {
    const last = out[out.length - 1];
    if (last && last.actor === a) out[out.length - 1] = { actor: a, count: last.count + 1 };
    else out.push({ actor: a, count: 1 });
  }
  return out;
}

function follow(s: Scenario, variant: string, world: WorldOptions, runs: Run[] | null, data: number[] | null, replay: readonly number[] | null): { res: ExecutionResult; f: Follower; shape: ScheduleShape; recorded: number[] } {
  const f = new Follower(runs, data, replay);
  const ch = new RecordingChooser((n, kind) => (kind === 't' ? f.takeThread() : f.pickData(n)));
  ch.observer = f;
  const persistent: Persistent = { lockdep: null };
  const { res } = runOnce(s, variant, world, ch, persistent, false, 0);
  return { res, f, shape: shapeOf(f, ch.recorded.length), recorded: ch.recorded.slice() };
}

/** The shape of the execution a schedule replays. */
export function measureSchedule(s: Scenario, variant: string, world: WorldOptions, schedule: readonly number[]): ScheduleShape {
  return follow(s, variant, world, null, null, schedule).shape;
}

/**
 * Shrinks a failing schedule to fewer preemptions, injected data choices,
 * context switches and steps, keeping the kind of violation. Null when the
 * schedule does not fail that way on its own.
 */
export function shrinkSchedule(s: Scenario, variant: string, world: WorldOptions, schedule: readonly number[], kind: ViolationKind, maxRuns = 300, deadline = Infinity): ShrinkResult | null {
  const base = follow(s, variant, world, null, null, schedule);
  if (base.res.violation?.kind !== kind) return null;
  let best = base;
  let runs = runsOf(base.f.actors);
  let data = base.f.data.slice();
  let count = 1;
  const attempt = (r: Run[], d: number[]): boolean => {
    if (count >= maxRuns || performance.now() > deadline) return false;
    count++;
    const t = follow(s, variant, world, r, d, null);
    if (t.res.violation?.kind !== kind || !better(t.shape, best.shape)) return false;
    best = t;
    runs = runsOf(t.f.actors);
    data = t.f.data.slice();
    return true;
  };
  for (let improved = true; improved && count < maxRuns;) {
    improved = false;
    // reset injected choices to their first option
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0) continue;
      const d = data.slice();
      d[i] = 0;
      if (attempt(runs, d)) improved = true;
    }
    // drop a run of steps: its context runs later, where the schedule lets it
    for (let i = runs.length - 1; i >= 1; i--) {
      if (i >= runs.length) continue;
      if (attempt(runsOf([...runs.slice(0, i), ...runs.slice(i + 1)].flatMap((r) => new Array<string>(r.count).fill(r.actor))), data)) improved = true;
    }
  }
  return { schedule: best.recorded, from: base.shape, to: best.shape, runs: count };
}
