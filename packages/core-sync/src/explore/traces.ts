// Brute-force counting of Mazurkiewicz traces, to check a reduction against:
// every interleaving (dfs) is run, and each execution is reduced to a
// canonical form that equivalent executions share. The dependence is the
// textbook one, taken from the operations alone: two steps of different
// contexts depend on each other when they operate on the same object and not
// both only read it; a step on no object (start, cond_resched) depends on
// nothing; an operation the runtime cannot describe (an object-less blocking
// operation, an IRQ, a softirq, time) depends on everything.

import { A_READ, C_THREAD, OP_START, OP_YIELD, type Execution, type ExecutionResult, type Op, type StepObserver, type Thread } from '../internal/rt/kernel';
import type { ExploreOptions } from './explore';
import { ExploreError, resolveWorld, runOnce, variantOf } from './run';
import type { Scenario } from './scenario';
import { DfsStrategy } from './strategy';
import type { Persistent } from '../internal/rt/kernel';

/** The result of countTraces(). */
export interface TraceCount {
  /** distinct Mazurkiewicz traces among the executions */
  readonly traces: number;
  /** executions run (every interleaving, when complete) */
  readonly executions: number;
  /** every interleaving was run within the budget */
  readonly complete: boolean;
  /** the canonical forms (for comparing explorations) */
  readonly canonical: ReadonlySet<string>;
}

interface Step {
  readonly actor: string;
  readonly label: string;
  readonly obj: string | null;
  readonly read: boolean;
  /** depends on everything */
  readonly all: boolean;
}

/** Records the steps of one execution with stable names for contexts and objects. */
export class StepRecorder implements StepObserver {
  readonly steps: Step[] = [];
  private readonly names = new Map<Thread, string>();
  private readonly objs = new WeakMap<object, string>();
  private readonly counts = new Map<string, number>();
  private readonly ops = new Map<Thread, Op>();
  private current: string | null = null;
  private data: number[] = [];
  private setupThreads = 0;
  private setupObjs = 0;
  private ext = 0;

  private count(key: string): number {
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    return n;
  }

  before(ex: Execution, n: number): boolean {
    this.ops.clear();
    for (let i = 0; i < n; i++) {
      const c = ex.cands[i]!;
      if (c.type === C_THREAD) this.ops.set(c.thread!, c.thread!.op);
    }
    this.current = n === 0 ? 'time' : '?';
    this.data = [];
    return true;
  }

  after(ex: Execution): void {
    const c = ex.lastPicked;
    const th = ex.lastThread;
    if (this.current === 'time' || c === null || c.type !== C_THREAD || th === null) {
      this.steps.push({ actor: this.current === 'time' ? 'time' : `special${c?.type ?? ''}:${c?.cpu?.id ?? ''}:${c?.line ?? ''}`, label: 'special', obj: null, read: false, all: true });
    } else {
      const op = this.ops.get(th) ?? th.op;
      const actor = this.names.get(th) ?? `?${th.name}`;
      const label = `${op.name}${this.data.length ? `(${this.data.join(',')})` : ''}`;
      if (op === OP_START || op === OP_YIELD) this.steps.push({ actor, label, obj: null, read: true, all: false });
      else if (op.obj === null) this.steps.push({ actor, label, obj: null, read: false, all: true });
      else this.steps.push({ actor, label, obj: this.objName(op.obj), read: op.access === A_READ, all: false });
    }
    this.current = null;
  }

  /** a data choice made by the current step */
  noteData(v: number): void {
    this.data.push(v);
  }

  private objName(o: object): string {
    let n = this.objs.get(o);
    if (n === undefined) {
      n = `x${this.ext++}`;
      this.objs.set(o, n);
    }
    return n;
  }

  created(obj: object): void {
    if (this.objs.has(obj)) return;
    // objects of the setup are named in creation order; later ones by how many came before
    this.objs.set(obj, this.current === null ? `o${this.setupObjs++}` : `d${this.count('d')}`);
  }

  spawned(th: Thread): void {
    this.names.set(th, `s${this.setupThreads++}`);
  }

  access(): void {}
  pseudo(): void {}
  global(): void {}

  /** The canonical form of the recorded execution: per context its steps, per object its accesses with reads grouped. */
  canonical(): string {
    const perActor = new Map<string, string[]>();
    const perObj = new Map<string, string[][]>();
    const touch = (obj: string, id: string, read: boolean) => {
      let seq = perObj.get(obj);
      if (!seq) {
        seq = [];
        perObj.set(obj, seq);
      }
      const last = seq[seq.length - 1];
      if (read && last && last[0] === 'r') last.push(id);
      else seq.push(read ? ['r', id] : ['w', id]);
    };
    for (const s of this.steps) {
      let list = perActor.get(s.actor);
      if (!list) {
        list = [];
        perActor.set(s.actor, list);
      }
      const id = `${s.actor}.${list.length}`;
      list.push(s.label);
      // an all-conflicting step writes a pseudo-object every other step reads
      touch('*', id, !s.all);
      if (s.obj !== null) touch(s.obj, id, s.read);
    }
    const parts: string[] = [];
    for (const [a, l] of [...perActor].sort(([x], [y]) => (x < y ? -1 : 1))) parts.push(`${a}:${l.join(';')}`);
    for (const [o, seq] of [...perObj].sort(([x], [y]) => (x < y ? -1 : 1))) {
      parts.push(`${o}=${seq.map((g) => (g[0] === 'r' ? `{${g.slice(1).sort().join(',')}}` : g[1])).join(' ')}`);
    }
    return parts.join('|');
  }
}

/**
 * Counts the Mazurkiewicz traces of a scenario variant by brute force (every
 * interleaving, canonicalised by the order of its dependent steps), for
 * checking that a reduction explores each trace once. Exponential: for small
 * models only.
 */
export function countTraces<V extends string>(s: Scenario<V>, o: ExploreOptions = {}): TraceCount {
  if (!s || typeof s.setup !== 'function') throw new ExploreError('countTraces(): not a Scenario');
  const variant = variantOf(s as Scenario, o.variant);
  const world = resolveWorld(s as Scenario, o);
  const budget = o.budget ?? 100_000;
  const dfs = new DfsStrategy();
  const canonical = new Set<string>();
  let executions = 0;
  const persistent: Persistent = { lockdep: null };
  for (let i = 0; i < budget; i++) {
    const ch = dfs.next();
    if (!ch) break;
    const rec = new StepRecorder();
    ch.observer = rec;
    ch.onData = (v) => rec.noteData(v);
    const { res, ex } = runOnce(s as Scenario, variant, world, ch, persistent, false, i);
    // the step that raised a violation ended without after(): record it too
    if (res.end === 'violation' && res.steps > 0 && rec.steps.length < ex.steps) rec.after(ex);
    dfs.done(ch);
    record(res, rec, canonical);
    executions++;
    if (dfs.complete) break;
  }
  return { traces: canonical.size, executions, complete: dfs.complete, canonical };
}

function record(res: ExecutionResult, rec: StepRecorder, out: Set<string>): void {
  void res;
  out.add(rec.canonical());
}
