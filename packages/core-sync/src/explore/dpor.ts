// `dpor`: exhaustive search with dynamic partial-order reduction, aiming at
// one execution per Mazurkiewicz trace: Optimal-DPOR with wakeup trees and
// sleep sets (Abdulla, Aronis, Jonsson, Sagonas: "Optimal dynamic partial
// order reduction", POPL 2014, and "Source sets: a foundation for optimal
// dynamic partial order reduction", JACM 2017), with the treatment of mutex
// races of Nidhugg (a lock acquire races with the previous acquire of the
// lock, through the release between them; a blocked acquire races with the
// acquire that holds the lock). The search is stateless: every execution runs
// from the start, replaying a prefix and then a wakeup sequence.
//
// What the reduction has to know comes from the runtime: each step's footprint
// (footprint.ts), the candidates that can run before each step (threads, IRQ
// deliveries, softirq items, time advance), the threads each step creates and
// the data choices (`choose()`) it makes. Where the runtime cannot describe a
// step exactly the footprint is global, which only costs executions:
// - a step that enables or disables another candidate without a declared
//   conflict with that candidate's next operation is made global;
// - time advance conflicts with every step that reads the time or arms a
//   timer, and is global when it fires a callback;
// - when the scenario has invariants (checked after every step), every step
//   that writes conflicts with every other one that writes, so that the
//   sequence of states an invariant sees is the same in every explored order;
// - the end of an execution (the last non-daemon activity finished) conflicts
//   with the next step of every context it cuts short;
// - data choices are branch points explored fully: each value of a choice is
//   a distinct step.

import { C_IRQ, C_ITEM, C_THREAD, C_TIME, type Candidate, type Execution, type ExecutionResult, type Op, type StepObserver, Thread } from '../internal/rt/kernel';
import { InternalBug } from '../internal/rt/violation';
import { Completion } from '../sync/wait';
import { Fp, K_ACQ, K_R, K_REL, K_TRY, K_TRY_OK, K_W, UNKNOWN_FP, addOpFootprint, conflicts, cpuState, isBlocking, isLockAcquire, lockOf } from './footprint';
import { RecordingChooser, type Strategy } from './strategy';

/** A step to take at a node of the search: a context and the values of the data choices it makes. */
interface Branch {
  readonly actor: number;
  readonly data: readonly number[];
  readonly fp: Fp;
}

/** A node of a wakeup tree: a branch and what follows it. */
interface WChild {
  readonly br: Branch;
  readonly kids: WChild[];
}

interface SleepEntry {
  readonly actor: number;
  readonly fp: Fp;
}

/** A node on the path of the current execution: the state before step `k`. */
interface PNode {
  cur: Branch;
  /** the wakeup subtree that follows `cur` */
  next: WChild[];
  /** branches still to explore at this node */
  pending: WChild[];
  /** sleep set inherited from the parent */
  sleep: SleepEntry[];
  /** contexts explored at this node already (they sleep in later branches) */
  done: SleepEntry[];
  /** footprint of the current context over its data variants explored at this node */
  variantFp: Fp | null;
  /** in the top of a split search: it branches on every context that does not sleep (no wakeup trees there) */
  top: boolean;
}

interface Ev {
  readonly idx: number;
  readonly actor: number;
  readonly aidx: number;
  readonly fp: Fp;
  readonly data: number[];
  readonly nopts: number[];
  readonly prescribed: number;
  /** contexts that could run before this step */
  readonly enabled: readonly number[];
  /** for the first step of a thread: the step that created it (-1: setup) */
  readonly creator: number;
  /** the step that made the operation performed here pending (-1: setup) */
  readonly createdAt: number;
  readonly blocking: boolean;
  readonly lockAcq: boolean;
  readonly thread: Thread | null;
  /** the operation performed (thread steps) */
  readonly op: Op | null;
  readonly cpuBefore: number;
  /** where the vector clock starts: the context's previous step or its creator (-1: none) */
  readonly base: number;
  clock: number[];
  /** contexts this step created */
  readonly spawned: number[];
  /** a prediction: the pending operation of a context at the end */
  readonly virtual: boolean;
}

interface Race {
  readonly first: number;
  /** the release between two acquires of a lock (Nidhugg's lock-success race), or -1 */
  readonly via: number;
}

/** Statistics of a dpor search (in the explore report). */
export interface DporStats {
  /** executions stopped because every continuation was covered (sleep-set blocked) */
  readonly blocked: number;
  /** wakeup sequences that could not be followed (an approximation of the runtime's dependencies) */
  readonly infeasible: number;
  /** races found and reversed */
  readonly races: number;
  /** wakeup sequences dropped by the preemption bound */
  readonly pruned: number;
}

/** How the search is split between shards or workers (`top` branching steps that every part explores, with sleep sets only). */
export interface SearchSplit {
  readonly top: number;
  owns(prefix: string): boolean;
}

/** A hash of a prefix key, for deterministic ownership (FNV-1a). */
export function prefixHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const ACTOR_TIME = 'time';
const DEBUG = typeof process !== 'undefined' && process.env.K_DPOR_DEBUG === '1';

export class DporStrategy implements Strategy {
  readonly name = 'dpor' as const;
  complete = false;
  /** executions skipped because another shard owns them */
  skipped = 0;
  private readonly path: PNode[] = [];
  private replayTo = 0;
  private started = false;
  private readonly actorIds = new Map<string, number>();
  readonly actorNames: string[] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly extKeys = new WeakMap<object, number>();
  private extCount = 0;
  private run: DporRun | null = null;
  private rootData: number[] = [];
  private readonly rootPending: number[][] = [];
  stats = { blocked: 0, infeasible: 0, races: 0, pruned: 0 };
  /** the run was cut at the split point (another shard owns it) */
  lastSkipped = false;

  constructor(
    readonly maxPreemptions: number | null = null,
    readonly split: SearchSplit | null = null,
  ) {}

  actor(name: string): number {
    let id = this.actorIds.get(name);
    if (id === undefined) {
      id = this.actorNames.length;
      this.actorIds.set(name, id);
      this.actorNames.push(name);
    }
    return id;
  }

  key(name: string): number {
    let id = this.keyIds.get(name);
    if (id === undefined) {
      id = this.keyIds.size;
      this.keyIds.set(name, id);
    }
    return id;
  }

  /** identity of an object that outlives executions (created at module load) */
  extKey(o: object): number {
    let k = this.extKeys.get(o);
    if (k === undefined) {
      k = this.key(`x${this.extCount++}`);
      this.extKeys.set(o, k);
    }
    return k;
  }

  next(): RecordingChooser | null {
    if (this.complete) return null;
    if (this.started && this.path.length === 0 && this.rootPending.length === 0) {
      this.complete = true;
      return null;
    }
    if (this.started && this.path.length === 0) this.rootData = this.rootPending.shift()!;
    this.started = true;
    const run = new DporRun(this, this.path, this.replayTo, this.rootData);
    this.run = run;
    const ch = new RecordingChooser((n, kind, label) => (kind === 't' ? run.pickThread(n) : run.pickData(n, label)));
    ch.observer = run;
    return ch;
  }

  done(_ch: RecordingChooser, res: ExecutionResult): void {
    const run = this.run;
    if (!run) return;
    this.run = null;
    run.end(res);
    this.lastSkipped = run.skipped;
    if (run.skipped) this.skipped++;
    else if (res.end === 'blocked') this.stats.blocked++;
    for (const alt of run.rootAlternatives) this.rootPending.push(alt);
    // backtrack: the deepest node with a branch left to explore
    const path = this.path;
    let i = path.length - 1;
    while (i >= 0 && path[i]!.pending.length === 0) i--;
    if (i < 0) {
      path.length = 0;
      this.replayTo = 0;
      if (this.rootPending.length === 0) this.complete = true;
      return;
    }
    const node = path[i]!;
    const old = node.cur;
    const nxt = node.pending.shift()!;
    if (DEBUG) console.log(`  backtrack to ${i}: ${nxt.br.actor}(${nxt.br.data.join(',')}) kids=${nxt.kids.length} rest=${node.pending.map((c) => `${c.br.actor}(${c.br.data.join(',')})`).join(' ')}`);
    const fp = node.variantFp !== null ? node.variantFp.union(old.fp) : old.fp;
    if (nxt.br.actor === old.actor) node.variantFp = fp;
    else {
      node.done.push({ actor: old.actor, fp });
      node.variantFp = null;
    }
    node.cur = nxt.br;
    node.next = nxt.kids;
    path.length = i + 1;
    this.replayTo = i;
  }
}

/** One execution of the dpor search: follows the path, records the steps, analyses the races at the end. */
class DporRun implements StepObserver {
  private readonly events: Ev[] = [];
  private readonly actorThread = new Map<number, Thread>();
  private readonly threadActor = new Map<Thread, number>();
  private readonly actorCreator = new Map<number, number>();
  private readonly actorMeta = new Map<number, { kind: 'irq' | 'item' | 'time' | 'thread'; cpu: number; line: number }>();
  private readonly childCount = new Map<number, number>();
  private readonly objKeys = new WeakMap<object, number>();
  private readonly objCount = new Map<number, number>();
  private readonly lastOf = new Map<number, number>();
  private readonly lastTake = new Map<number, number>();
  /** steps that a step disabled (or a lock acquire issued while the lock was held): they race with it */
  private readonly lockFails: { first: number; actor: number; at: number; fp: Fp | null }[] = [];
  private setupThreads = 0;
  private setupObjs = 0;
  private ex: Execution | null = null;
  /** the step being executed (between before() and after()/end()) */
  private open: Ev | null = null;
  /** the last step, until the next before() computes what it enabled and disabled */
  private last: Ev | null = null;
  private chosen = 0;
  private dataPos = 0;
  private blockedEnabled: number[] | null = null;
  private branching = 0;
  private topDone = false;
  skipped = false;
  readonly rootAlternatives: number[][] = [];
  private readonly timeActor: number;
  /** a detector watches the steps: what a step does where it lands can end the execution */
  private watched = true;

  constructor(
    private readonly st: DporStrategy,
    private readonly path: PNode[],
    private readonly replayTo: number,
    private readonly rootData: number[],
  ) {
    this.timeActor = st.actor(ACTOR_TIME);
    this.actorMeta.set(this.timeActor, { kind: 'time', cpu: -1, line: -1 });
  }

  // ---- identities ---------------------------------------------------------------

  private actorName(a: number): string {
    return this.st.actorNames[a] ?? `?${a}`;
  }

  private keyOf(o: object): number {
    if (o instanceof Thread) {
      const a = this.threadActor.get(o);
      return this.st.key(a === undefined ? `T?${o.name}` : `T${a}`);
    }
    return this.objKeys.get(o) ?? this.st.extKey(o);
  }

  private readonly keyFn = (o: object): number => this.keyOf(o);

  created(obj: object): void {
    if (obj instanceof Thread || this.objKeys.has(obj)) return;
    const ev = this.open;
    let name: string;
    if (ev === null) name = `o${this.setupObjs++}`;
    else {
      const c = this.objCount.get(ev.actor) ?? 0;
      this.objCount.set(ev.actor, c + 1);
      name = `${ev.actor}#${c}`;
    }
    this.objKeys.set(obj, this.st.key(name));
  }

  spawned(th: Thread): void {
    const ev = this.open;
    let name: string;
    let creator = -1;
    if (ev === null) name = `s${this.setupThreads++}`;
    else {
      const c = this.childCount.get(ev.actor) ?? 0;
      this.childCount.set(ev.actor, c + 1);
      name = `${this.actorName(ev.actor)}/${c}`;
      creator = ev.idx;
    }
    const a = this.st.actor(name);
    if (ev !== null) ev.spawned.push(a);
    this.actorThread.set(a, th);
    this.threadActor.set(th, a);
    this.actorCreator.set(a, creator);
    const parent = ev === null ? undefined : this.actorMeta.get(ev.actor);
    if (parent && (parent.kind === 'irq' || parent.kind === 'item')) this.actorMeta.set(a, { kind: 'thread', cpu: parent.cpu, line: parent.kind === 'irq' ? parent.line : -2 });
    else this.actorMeta.set(a, { kind: 'thread', cpu: th.cpu ? th.cpu.id : -1, line: -1 });
  }

  access(obj: object, write: boolean): void {
    const ev = this.open;
    if (ev === null) return;
    const l = obj instanceof Thread ? null : (obj as { opLock?: unknown }).opLock !== undefined ? obj : null;
    ev.fp.add(this.keyOf(obj), l !== null ? (write ? K_W : K_TRY) : write ? K_W : K_R);
  }

  pseudo(key: string, write: boolean): void {
    const ev = this.open;
    if (ev === null) return;
    ev.fp.add(this.st.key(key), write ? K_W : K_R);
  }

  global(): void {
    const ev = this.open;
    if (ev !== null) ev.fp.global = true;
  }

  private candActor(ex: Execution, c: Candidate): number {
    switch (c.type) {
      case C_THREAD: {
        const a = this.threadActor.get(c.thread!);
        if (a === undefined) throw new InternalBug(`dpor: thread ${c.thread!.name} was created without the observer`);
        return a;
      }
      case C_IRQ: {
        const name = `irq:${c.cpu!.id}:${c.line}`;
        const a = this.st.actor(name);
        if (!this.actorMeta.has(a)) this.actorMeta.set(a, { kind: 'irq', cpu: c.cpu!.id, line: c.line });
        return a;
      }
      case C_ITEM: {
        const hard = ex.cpus[c.cpu!.id]!.items[c.line]!.hard;
        const a = this.st.actor(`item:${c.cpu!.id}:${hard ? 'h' : 's'}`);
        if (!this.actorMeta.has(a)) this.actorMeta.set(a, { kind: 'item', cpu: c.cpu!.id, line: -1 });
        return a;
      }
      default:
        return this.timeActor;
    }
  }

  /** What the next step of context `a` will touch, as far as it can be told before running it. */
  private apriori(a: number): Fp {
    const m = this.actorMeta.get(a);
    if (!m || m.kind === 'item' || m.kind === 'time') return UNKNOWN_FP;
    const fp = new Fp();
    if (m.kind === 'irq') {
      fp.add(this.st.key(`irq${m.line}`), K_W);
      fp.add(this.st.key(`cpu${m.cpu}`), K_W);
      return fp;
    }
    const th = this.actorThread.get(a);
    if (!th || th.done) return UNKNOWN_FP;
    addOpFootprint(th.op, fp, this.keyFn);
    if (th.cpu) fp.add(this.st.key(`cpu${th.cpu.id}`), K_R);
    const l = lockOf(th.op);
    if (l !== null && th.op === l.opLock) fp.add(this.keyOf(l), K_ACQ);
    return fp;
  }

  // ---- stepping -------------------------------------------------------------

  before(ex: Execution, n: number): boolean {
    if (this.ex === null) {
      const d = ex.det;
      this.watched = d.races || d.lockdep || d.lifetime || d.atomicSleep || d.warnings;
    }
    this.ex = ex;
    const en: number[] = [];
    if (n === 0) en.push(this.timeActor);
    else for (let i = 0; i < n; i++) en.push(this.candActor(ex, ex.cands[i]!));
    const k = this.events.length;
    if (this.last !== null) this.settle(this.last, en, false);
    const path = this.path;
    // the top of a split search ends here: is this subtree ours?
    const split = this.st.split;
    if (split !== null && !this.topDone && this.branching >= split.top) {
      this.topDone = true;
      if (!split.owns(this.prefixKey(k))) {
        this.skipped = true;
        this.blockedEnabled = en;
        return false;
      }
    }
    const top = split !== null && !this.topDone;
    let node = path[k];
    // The top of a split search branches on every context that does not sleep (sleep sets alone
    // are a sound reduction); below it, each subtree is a fresh search of what is left, which
    // does not follow races into the top and so cannot lean on the top's sleep sets.
    const belowTop = k > 0 && !top && path[k - 1]!.top;
    const sleep = k === 0 || belowTop ? [] : this.sleepAfter(k - 1, en);
    if (node !== undefined) {
      node.sleep = sleep;
      while (!en.includes(node.cur.actor)) {
        if (k < this.replayTo) throw new InternalBug(`dpor: step ${k} of a replayed prefix cannot run ${this.actorName(node.cur.actor)} any more: the model is not deterministic (does it read the wall clock, Math.random or global state?)`);
        this.st.stats.infeasible++;
        const nx = node.pending.shift();
        if (nx === undefined) {
          const a = this.freeChoice(en, node, k);
          if (a < 0) return this.blocked(en);
          node.cur = { actor: a, data: [], fp: UNKNOWN_FP };
          node.next = [];
          break;
        }
        node.cur = nx.br;
        node.next = nx.kids;
      }
    } else {
      const parent = k > 0 ? path[k - 1]! : null;
      node = { cur: { actor: -1, data: [], fp: UNKNOWN_FP }, next: [], pending: [], sleep, done: [], variantFp: null, top };
      const kids = parent !== null ? parent.next : [];
      let picked = false;
      while (kids.length > 0) {
        const c = kids.shift()!;
        if (en.includes(c.br.actor)) {
          node.cur = c.br;
          node.next = c.kids;
          node.pending = kids.splice(0);
          picked = true;
          break;
        }
        this.st.stats.infeasible++;
      }
      if (!picked) {
        const a = this.freeChoice(en, node, k);
        if (a < 0) return this.blocked(en);
        node.cur = { actor: a, data: [], fp: UNKNOWN_FP };
        if (top) {
          // the top of a split search: every context that does not sleep is a branch
          const asleep = (x: number) => node!.sleep.some((e) => e.actor === x);
          for (const o of en) if (o !== a && !asleep(o)) node.pending.push({ br: { actor: o, data: [], fp: UNKNOWN_FP }, kids: [] });
        }
      }
      path.push(node);
    }
    if (node.top && (node.pending.length > 0 || node.done.length > 0)) this.branching++;
    const actor = node.cur.actor;
    this.chosen = Math.max(0, en.indexOf(actor));
    this.dataPos = 0;
    // the step, with what is known of it before it runs
    const fp = new Fp();
    let thread: Thread | null = null;
    let blocking = false;
    let lockAcq = false;
    let cpuBefore = 0;
    const c = n === 0 ? null : ex.cands[this.chosen]!;
    let op: Op | null = null;
    if (c === null || c.type === C_TIME) {
      fp.add(this.st.key('time'), K_W);
      fp.add(this.st.key('events'), K_W);
    } else if (c.type === C_THREAD) {
      thread = c.thread!;
      op = thread.op;
      addOpFootprint(thread.op, fp, this.keyFn);
      blocking = isBlocking(thread.op);
      lockAcq = isLockAcquire(thread.op);
      cpuBefore = cpuState(thread);
    } else if (c.type === C_IRQ) {
      fp.add(this.st.key(`irq${c.line}`), K_W);
      fp.add(this.st.key(`cpu${c.cpu!.id}`), K_W);
    } else fp.global = true;
    const aidx = this.nextIndex(actor);
    const prev = this.lastOf.get(actor);
    const creator = aidx === 0 ? this.actorCreator.get(actor) ?? -1 : -1;
    const ev: Ev = {
      idx: k, actor, aidx, fp, data: [], nopts: [], prescribed: node.cur.data.length, enabled: en,
      creator, createdAt: prev ?? creator, blocking, lockAcq, thread, op, cpuBefore, base: prev ?? creator, clock: [], spawned: [], virtual: false,
    };
    this.events.push(ev);
    this.lastOf.set(actor, k);
    this.open = ev;
    return true;
  }

  private nextIndex(actor: number): number {
    const p = this.lastOf.get(actor);
    return p === undefined ? 0 : this.events[p]!.aidx + 1;
  }

  private blocked(en: number[]): boolean {
    this.blockedEnabled = en;
    return false;
  }

  private freeChoice(en: readonly number[], node: PNode, k: number): number {
    const sleeping = (a: number) => node.sleep.some((s) => s.actor === a) || node.done.some((s) => s.actor === a);
    // prefer the context that ran last (fewer preemptions), then the first candidate
    const prev = k > 0 ? this.events[k - 1]!.actor : -1;
    if (prev >= 0 && en.includes(prev) && !sleeping(prev)) return prev;
    for (const a of en) if (!sleeping(a)) return a;
    return -1;
  }

  private prefixKey(k: number): string {
    const parts: string[] = [];
    for (let i = 0; i < k && i < this.events.length; i++) {
      const e = this.events[i]!;
      parts.push(e.data.length ? `${this.actorName(e.actor)}(${e.data.join(',')})` : this.actorName(e.actor));
    }
    return `${this.rootData.join(',')}|${parts.join(' ')}`;
  }

  pickThread(n: number): number {
    if (this.chosen >= n) throw new InternalBug(`dpor chose ${this.chosen} of ${n}`);
    return this.chosen;
  }

  pickData(n: number, _label: string): number {
    const ev = this.open;
    if (ev === null) {
      // a choice made in setup: explored as a root branch
      const pos = this.dataPos++;
      const given = this.rootData[pos];
      if (given !== undefined) return given < n ? given : 0;
      for (let alt = 1; alt < n; alt++) this.rootAlternatives.push([...this.rootData.slice(0, pos), ...this.padRoot(pos), alt]);
      this.rootData.push(0);
      return 0;
    }
    const pos = ev.data.length;
    const node = this.path[this.events.length - 1]!;
    const given = node.cur.data[pos];
    const v = given !== undefined && given < n ? given : 0;
    ev.data.push(v);
    ev.nopts.push(n);
    return v;
  }

  private padRoot(pos: number): number[] {
    return pos > this.rootData.length ? new Array<number>(pos - this.rootData.length).fill(0) : [];
  }

  after(ex: Execution): void {
    const ev = this.open;
    if (ev === null) return;
    this.open = null;
    const th = ev.thread ?? (this.actorMeta.get(ev.actor)?.kind === 'irq' || this.actorMeta.get(ev.actor)?.kind === 'item' ? ex.lastThread : null);
    if (th !== null) this.afterThread(ev, th, ev.thread === null);
    if (ex.invariants.length > 0 && ev.fp.writes) ev.fp.add(this.st.key('vis'), K_W);
    this.close(ev);
  }

  private afterThread(ev: Ev, th: Thread, handler: boolean): void {
    const cpu = th.cpu;
    if (cpu !== null && !handler) ev.fp.add(this.st.key(`cpu${cpu.id}`), cpuState(th) !== ev.cpuBefore ? K_W : K_R);
    const a = this.threadActor.get(th);
    const k = ev.idx;
    // a trylock that took the lock behaves as an acquire
    const x = ev.op;
    const xl = x === null ? null : lockOf(x);
    if (xl !== null && x === xl.opTry && xl.owner === th) ev.fp.add(this.keyOf(xl), K_TRY_OK);
    for (let i = 0; i < ev.fp.keys.length; i++) {
      const kind = ev.fp.kinds[i];
      if (kind === K_ACQ || kind === K_TRY_OK) this.lastTake.set(ev.fp.keys[i]!, k);
    }
    if (th.done) {
      if (a !== undefined) ev.fp.add(this.keyOf(th), K_W);
      const m = a === undefined ? undefined : this.actorMeta.get(a);
      if (m && m.line >= 0) ev.fp.add(this.st.key(`irq${m.line}`), K_W);
      else if (m && m.line === -2) ev.fp.global = true; // a softirq item's exit runs its owner's hooks
      return;
    }
    // the operation the thread waits on now: a completion wait reads the completion when it is
    // issued; a lock acquire issued while the lock is held is a blocked attempt
    const y = th.op;
    if (y.canProceed !== null && y.obj instanceof Completion) ev.fp.add(this.keyOf(y.obj), K_R);
    const l = lockOf(y);
    if (l !== null && y === l.opLock && l.owner !== null && l.owner !== th && a !== undefined) {
      const first = this.lastTake.get(this.keyOf(l));
      if (first !== undefined) this.lockFails.push({ first, actor: a, at: k, fp: null });
    }
  }

  /** data alternatives of a step: each further value of a free choice is a sibling branch */
  private close(ev: Ev): void {
    const node = this.path[ev.idx];
    if (!node) return;
    // they come before any other context's branch: a context goes into the sleep set of its
    // siblings only once all its variants here are explored
    let at = node.pending.findIndex((c) => c.br.actor !== ev.actor);
    if (at < 0) at = node.pending.length;
    for (let p = ev.prescribed; p < ev.data.length; p++) {
      for (let alt = 1; alt < ev.nopts[p]!; alt++) {
        const br: Branch = { actor: ev.actor, data: [...ev.data.slice(0, p), alt], fp: UNKNOWN_FP };
        if (!node.pending.some((c) => sameEvent(c.br, br))) node.pending.splice(at++, 0, { br, kids: [] });
      }
    }
    // a replay of this node makes the same choices (and does not branch on them again)
    node.cur = { actor: node.cur.actor, data: ev.data.slice(), fp: ev.fp };
    this.last = ev;
  }

  /**
   * What the last step enabled and disabled: a change the footprints do not
   * explain makes the step global; sleeping contexts it touches wake up.
   */
  private settle(ev: Ev, now: readonly number[], terminal: boolean): void {
    this.last = null;
    if (terminal) return;
    for (const a of toggledBy(ev, now)) {
      if (ev.spawned.includes(a)) continue;
      const fp = this.apriori(a);
      if (!conflicts(ev.fp, fp)) ev.fp.global = true;
      // a pending step this step disabled could have run before it: they race
      if (!now.includes(a)) this.lockFails.push({ first: ev.idx, actor: a, at: this.lastOf.get(a) ?? -1, fp });
    }
    const node = this.path[ev.idx];
    if (node) node.cur = { actor: node.cur.actor, data: node.cur.data, fp: ev.fp };
  }

  private sleepAfter(k: number, now: readonly number[]): SleepEntry[] {
    const node = this.path[k];
    const ev = this.events[k]!;
    if (!node) return [];
    const toggled = toggledBy(ev, now);
    const out: SleepEntry[] = [];
    for (const list of [node.sleep, node.done]) {
      for (const s of list) {
        if (s.actor === ev.actor || toggled.includes(s.actor) || conflicts(s.fp, ev.fp)) continue;
        if (!out.some((o) => o.actor === s.actor)) out.push(s);
      }
    }
    return out;
  }

  // ---- the end of an execution: races, wakeup trees -----------------------------

  end(res: ExecutionResult): void {
    const ex = this.ex;
    if (this.open !== null) {
      const ev = this.open;
      this.open = null;
      this.close(ev);
    }
    if (this.skipped) return;
    const events = this.events;
    const m = events.length;
    // the contexts that could still run, and those the end cut short
    let endEnabled: number[] = [];
    const term: number[] = [];
    // how the run ended: a violation found by the end-of-execution checks ends as the run would have
    const how = ex === null ? 'violation' : ex.endReason ?? res.end;
    if (ex !== null) {
      if (how === 'blocked') endEnabled = this.blockedEnabled ?? [];
      else if (how === 'quiescent' || how === 'steps') {
        const n = ex.collect();
        for (let i = 0; i < n; i++) endEnabled.push(this.candActor(ex, ex.cands[i]!));
      } else if (how === 'violation' && m > 0) {
        // the violation ends the execution: it cuts short every context that could have run instead
        for (const a of events[m - 1]!.enabled) if (a !== events[m - 1]!.actor) term.push(a);
      }
    }
    // what the last step enabled and disabled; at a quiescent end, what could still run is cut short by the end
    if (this.last !== null) this.settle(this.last, endEnabled, how === 'violation' || how === 'blocked');
    if (how === 'quiescent') {
      for (const a of endEnabled) term.push(a);
      endEnabled = [];
    }
    // A step that ends the execution cuts short every context that could still have run. Run
    // earlier, it would have cut the steps that came before it: a violation conflicts with every
    // other step; the last non-daemon step with every step of a daemon (which does not keep the
    // execution going). Both are made global, which also wakes them in sleep sets.
    if (m > 0) {
      const t = events[m - 1]!;
      if (how === 'violation') t.fp.global = true;
      else if (how === 'quiescent') {
        if (term.some((a) => a !== t.actor) || events.some((e) => e.actor !== t.actor && !this.keepsAlive(e.actor))) t.fp.global = true;
      }
    }
    // a split search whose execution ended inside the top
    const split = this.st.split;
    if (split !== null && !this.topDone && !split.owns(this.prefixKey(m))) {
      this.skipped = true;
      return;
    }
    // pending operations at the end, as predicted steps
    const virtuals: { ev: Ev; term: number; lockFirst: number }[] = [];
    if (how !== 'blocked') {
      const lastActor = m > 0 ? events[m - 1]!.actor : -1;
      const seen = new Set<number>();
      const addVirtual = (a: number, termFirst: number) => {
        if (seen.has(a) || (a === lastActor && termFirst >= 0)) return;
        seen.add(a);
        const th = this.actorThread.get(a);
        if (th && th.done) return;
        if (th && isLockAcquire(th.op) && termFirst < 0 && !endEnabled.includes(a)) return; // a blocked acquire: its lock-fail race covers it
        const prev = this.lastOf.get(a);
        const creator = prev === undefined ? this.actorCreator.get(a) ?? -1 : -1;
        const ev: Ev = {
          idx: m, actor: a, aidx: this.nextIndex(a), fp: this.apriori(a), data: [], nopts: [], prescribed: 0, enabled: [], creator,
          createdAt: prev ?? creator, blocking: th ? isBlocking(th.op) : false, lockAcq: th ? isLockAcquire(th.op) : false,
          thread: th ?? null, op: th ? th.op : null, cpuBefore: 0, base: prev ?? creator, clock: [], spawned: [], virtual: true,
        };
        virtuals.push({ ev, term: termFirst, lockFirst: -1 });
      };
      if ((how === 'quiescent' || how === 'violation') && m > 0) {
        const t = m - 1;
        for (const a of term) if (events[t]!.enabled.includes(a) && a !== events[t]!.actor) addVirtual(a, t);
      }
      for (const a of endEnabled) addVirtual(a, -1);
      for (const [a, th] of this.actorThread) if (!th.done) addVirtual(a, -1);
    }
    for (const f of this.lockFails) {
      const th = this.actorThread.get(f.actor) ?? null;
      // the pending step is the context's next step after its last step at that time
      let base = -1;
      for (let i = f.at; i >= 0; i--) if (events[i]!.actor === f.actor) {
        base = i;
        break;
      }
      const creator = base < 0 ? this.actorCreator.get(f.actor) ?? -1 : -1;
      let fp = f.fp;
      const lockAcq = fp === null || (th !== null && isLockAcquire(th.op) && fp.keys.some((_, i) => fp!.kinds[i] === K_ACQ));
      if (fp === null) {
        fp = new Fp();
        const l = th === null ? null : lockOf(th.op);
        if (l !== null) fp.add(this.keyOf(l), K_ACQ);
        if (th !== null && th.cpu) fp.add(this.st.key(`cpu${th.cpu.id}`), K_R);
      }
      const ev: Ev = {
        idx: m, actor: f.actor, aidx: base < 0 ? 0 : events[base]!.aidx + 1, fp, data: [], nopts: [], prescribed: 0, enabled: [], creator,
        createdAt: f.at, blocking: false, lockAcq, thread: th, op: th ? th.op : null, cpuBefore: 0, base: base < 0 ? creator : base, clock: [], spawned: [], virtual: true,
      };
      virtuals.push({ ev, term: -1, lockFirst: f.first });
    }
    if (DEBUG) {
      console.log(`--- execution (${res.end}${res.violation ? ' ' + res.violation.kind : ''})`);
      for (const e of events) console.log(`  ${e.idx}: ${this.actorName(e.actor)}.${e.aidx} ${e.op ? e.op.name : ''} fp=${e.fp.global ? 'G' : e.fp.keys.map((k, i) => `${k}:${e.fp.kinds[i]}`).join(',')} en=[${e.enabled.map((a) => this.actorName(a)).join(',')}] sleep=[${(this.path[e.idx]?.sleep ?? []).map((x) => this.actorName(x.actor)).join(',')}] done=[${(this.path[e.idx]?.done ?? []).map((x) => this.actorName(x.actor)).join(',')}]`);
      for (const v of virtuals) console.log(`  virtual ${this.actorName(v.ev.actor)} term=${v.term} lock=${v.lockFirst}`);
    }
    analyse(this, events, virtuals, endEnabled);
  }

  /** a context whose steps keep the execution going (a non-daemon thread) */
  private keepsAlive(a: number): boolean {
    const th = this.actorThread.get(a);
    return th !== undefined && !th.daemon;
  }

  // ---- used by the analysis -----------------------------------------------------

  get strategy(): DporStrategy {
    return this.st;
  }
  get pathNodes(): PNode[] {
    return this.path;
  }
  /**
   * The footprint of a racing step where it lands. It reads another value there, so what it
   * does after its access may differ; only when no violation can depend on that (every
   * detector off, no assertion evaluated by the step) is it predicted as its access alone.
   */
  predict(ev: Ev): Fp {
    if (ev.fp.global || !ev.fp.exact || this.watched || ev.fp.keys.includes(this.st.key('check'))) return UNKNOWN_FP;
    const fp = new Fp();
    if (ev.op !== null) addOpFootprint(ev.op, fp, this.keyFn);
    const l = ev.op === null ? null : lockOf(ev.op);
    if (l !== null && ev.op === l.opLock) fp.add(this.keyOf(l), K_ACQ);
    if (ev.thread !== null && ev.thread.cpu !== null) fp.add(this.st.key(`cpu${ev.thread.cpu.id}`), K_R);
    if (ev.op === null) return UNKNOWN_FP;
    return fp;
  }

  lockKeyOf(ev: Ev): number {
    const l = ev.op === null ? null : lockOf(ev.op);
    return l === null ? -1 : this.keyOf(l);
  }
  branchOf(ev: Ev): Branch {
    return { actor: ev.actor, data: ev.data.slice(), fp: ev.fp };
  }
}

function toggledBy(ev: Ev, now: readonly number[]): number[] {
  const out: number[] = [];
  for (const a of ev.enabled) if (a !== ev.actor && !now.includes(a)) out.push(a);
  for (const a of now) if (a !== ev.actor && !ev.enabled.includes(a)) out.push(a);
  return out;
}

// ---- the analysis of one execution --------------------------------------------------

interface KeyState {
  w: number;
  reads: Map<number, number>;
  lastLock: number;
  lastAccess: number;
  /** the last real lock operation (a global step is an access, not a release) */
  lastLockOp: number;
  isLock: boolean;
}

function analyse(run: DporRun, events: Ev[], virtuals: { ev: Ev; term: number; lockFirst: number }[], endEnabled: readonly number[]): void {
  const st = run.strategy;
  const m = events.length;
  // dense indices of the contexts of this execution for vector clocks
  const dense = new Map<number, number>();
  const di = (a: number) => {
    let d = dense.get(a);
    if (d === undefined) {
      d = dense.size;
      dense.set(a, d);
    }
    return d;
  };
  for (const e of events) di(e.actor);
  for (const v of virtuals) di(v.ev.actor);
  const width = dense.size;
  const join = (c: number[], o: readonly number[]) => {
    for (let i = 0; i < o.length; i++) if (o[i]! > (c[i] ?? 0)) c[i] = o[i]!;
  };
  const hb = (j: number, clock: readonly number[]) => {
    const e = events[j]!;
    return (clock[dense.get(e.actor)!] ?? 0) >= e.aidx + 1;
  };
  const keys = new Map<number, KeyState>();
  const ks = (key: number, lock: boolean): KeyState => {
    let s = keys.get(key);
    if (!s) {
      s = { w: -1, reads: new Map(), lastLock: -1, lastAccess: -1, lastLockOp: -1, isLock: lock };
      keys.set(key, s);
    }
    return s;
  };
  let lastGlobal = -1;
  let sinceGlobal = new Map<number, number>();
  const direct: Race[][] = [];

  // the conflicting earlier steps each step sees (as Nidhugg's `see_events`)
  const see = (fp: Fp, actor: number, k: number, update: boolean): { seen: number[]; suc: Race[] } => {
    const seen: number[] = [];
    const suc: Race[] = [];
    if (fp.global) {
      // a global step that acquires a lock still races with the previous acquire, through the release
      for (let i = 0; i < fp.keys.length; i++) {
        const s = keys.get(fp.keys[i]!);
        if (fp.kinds[i] === K_ACQ && s !== undefined && s.lastLock >= 0) suc.push({ first: s.lastLock, via: s.lastLockOp });
      }
      for (const s of keys.values()) {
        if (s.w >= 0) seen.push(s.w);
        for (const r of s.reads.values()) seen.push(r);
        if (s.lastAccess >= 0) seen.push(s.lastAccess);
      }
      for (const e of sinceGlobal.values()) seen.push(e);
      if (lastGlobal >= 0) seen.push(lastGlobal);
      if (update) {
        for (const [key, s] of keys) {
          if (s.isLock) s.lastAccess = k;
          else keys.delete(key);
        }
        for (let i = 0; i < fp.keys.length; i++) {
          const kind = fp.kinds[i]!;
          if (kind === K_ACQ || kind === K_TRY_OK || kind === K_REL || kind === K_TRY) {
            const s = ks(fp.keys[i]!, true);
            s.lastAccess = k;
            s.lastLockOp = k;
            if (kind === K_ACQ || kind === K_TRY_OK) s.lastLock = k;
          }
        }
        lastGlobal = k;
        sinceGlobal = new Map();
      }
    } else {
      if (lastGlobal >= 0) seen.push(lastGlobal);
      for (let i = 0; i < fp.keys.length; i++) {
        const kind = fp.kinds[i]!;
        const isLock = kind === K_ACQ || kind === K_REL || kind === K_TRY || kind === K_TRY_OK;
        const s = update ? ks(fp.keys[i]!, isLock) : keys.get(fp.keys[i]!) ?? { w: -1, reads: new Map<number, number>(), lastLock: -1, lastAccess: -1, lastLockOp: -1, isLock };
        if (s.isLock || isLock) {
          if (kind === K_ACQ && s.lastLock >= 0) {
            suc.push({ first: s.lastLock, via: s.lastLockOp });
            if (s.lastAccess !== s.lastLockOp && s.lastAccess >= 0) seen.push(s.lastAccess);
          } else if (s.lastAccess >= 0) seen.push(s.lastAccess);
          if (kind !== K_R && s.w >= 0) seen.push(s.w);
          if (update) {
            s.lastAccess = k;
            s.lastLockOp = k;
            if (kind === K_ACQ || kind === K_TRY_OK) s.lastLock = k;
          }
          continue;
        }
        if (s.w >= 0) seen.push(s.w);
        if (kind === K_R) {
          if (update) s.reads.set(actor, k);
        } else {
          for (const r of s.reads.values()) seen.push(r);
          if (update) {
            s.w = k;
            s.reads = new Map();
          }
        }
      }
      if (update) sinceGlobal.set(actor, k);
    }
    return { seen, suc };
  };

  const clockOf = (e: Ev): number[] => {
    let c: number[];
    if (e.base >= 0) c = events[e.base]!.clock.slice();
    else c = new Array<number>(width).fill(0);
    if (e.aidx === 0 && e.creator >= 0 && e.creator !== e.base) join(c, events[e.creator]!.clock);
    while (c.length < width) c.push(0);
    c[dense.get(e.actor)!] = e.aidx + 1;
    return c;
  };

  // happens-before and the direct races of `e` (Nidhugg's compute_vclocks)
  const settleRaces = (clock: number[], races: Race[]): Race[] => {
    let rs: Race[] = [];
    for (const r of races) if (r.first >= 0 && !rs.some((o) => o.first === r.first && o.via === r.via)) rs.push(r);
    for (;;) {
      let changed = false;
      const keep: Race[] = [];
      for (const r of rs) {
        if (hb(r.first, clock)) {
          if (r.via >= 0 && !hb(r.via, clock)) {
            join(clock, events[r.via]!.clock);
            changed = true;
          }
        } else keep.push(r);
      }
      rs = keep;
      if (!changed) break;
    }
    // a race is not direct when its first step happens before another race's step (Nidhugg's frontier filter)
    const se = (r: Race) => (r.via >= 0 ? r.via : r.first);
    const less = (f: Race, s: Race) => hb(f.first, events[se(s)]!.clock);
    const front: Race[] = [];
    for (const r of rs) {
      if (front.some((s) => less(r, s))) continue;
      for (let i = front.length - 1; i >= 0; i--) if (less(front[i]!, r)) front.splice(i, 1);
      front.push(r);
    }
    for (const r of front) join(clock, events[se(r)]!.clock);
    // a release always happens before the acquire that follows it
    for (const r of rs) if (r.via >= 0) join(clock, events[r.via]!.clock);
    return front;
  };

  for (let k = 0; k < m; k++) {
    const e = events[k]!;
    const clock = clockOf(e);
    const { seen, suc } = see(e.fp, e.actor, k, true);
    const races: Race[] = suc.slice();
    for (const j of seen) if (j !== k) races.push({ first: j, via: -1 });
    direct.push(settleRaces(clock, races));
    e.clock = clock;
  }

  // preemptions before each step (for the optional bound)
  const pre: number[] = [0];
  for (let x = 0; x < m; x++) {
    const e = events[x]!;
    const p = x > 0 && e.actor !== events[x - 1]!.actor && e.enabled.includes(events[x - 1]!.actor) ? 1 : 0;
    pre.push(pre[x]! + p);
  }
  // reversals
  const tryReverse = (j: number, second: Ev, k: number) => {
    if (events[j]!.actor === second.actor) return;
    if (!reversible(events, j, second, k, endEnabled, hb, second.lockAcq ? run.lockKeyOf(second) : -1)) return;
    const v: Branch[] = [];
    for (let x = j + 1; x < m; x++) {
      if (x === k) continue;
      if (!hb(j, events[x]!.clock)) v.push(run.branchOf(events[x]!));
    }
    // the racing step runs in another state: its data choices are explored afresh where it lands
    // (and what it does after its access, which reads something else there, is a prediction)
    v.push({ actor: second.actor, data: [], fp: run.predict(second) });
    st.stats.races++;
    if (DEBUG) console.log(`  race ${j} -> ${second.virtual ? 'virtual ' : ''}${k}: insert at ${j} [${v.map((b) => b.actor).join(' ')}]`);
    if (st.maxPreemptions !== null) {
      // preemptions of the prefix, plus every switch of the sequence (an upper bound)
      let n = pre[j]!;
      if (j > 0 && v[0]!.actor !== events[j - 1]!.actor && events[j]!.enabled.includes(events[j - 1]!.actor)) n++;
      for (let i = 1; i < v.length; i++) if (v[i]!.actor !== v[i - 1]!.actor) n++;
      if (n > st.maxPreemptions) {
        st.stats.pruned++;
        return;
      }
    }
    insert(run, j, v);
  };
  for (let k = 0; k < m; k++) for (const r of direct[k]!) tryReverse(r.first, events[k]!, k);
  for (const v of virtuals) {
    const e = v.ev;
    const clock = clockOf(e);
    let races: Race[];
    if (v.lockFirst >= 0) races = hb(v.lockFirst, clock) ? [] : [{ first: v.lockFirst, via: -1 }];
    else {
      const { seen, suc } = see(e.fp, e.actor, m, false);
      races = suc.slice();
      for (const j of seen) races.push({ first: j, via: -1 });
      if (v.term >= 0) races.push({ first: v.term, via: -1 });
      races = settleRaces(clock, races);
    }
    e.clock = clock;
    for (const r of races) tryReverse(r.first, e, m);
  }
}

/** Could `second` run in place of step `j` (after the steps that do not depend on `j`)? */
function reversible(events: Ev[], j: number, second: Ev, k: number, endEnabled: readonly number[], hb: (j: number, c: readonly number[]) => boolean, lockKey: number): boolean {
  if (second.lockAcq) {
    // a lock acquire can run there when the lock is free after the steps the reversal keeps
    let held = false;
    for (let x = 0; x < k && x < events.length; x++) {
      if (x === j || (x > j && hb(j, events[x]!.clock))) continue;
      const fp = events[x]!.fp;
      if (fp.has(lockKey, K_ACQ) || fp.has(lockKey, K_TRY_OK)) held = true;
      else if (fp.has(lockKey, K_REL)) held = false;
    }
    return !held;
  }
  if (!second.blocking) return true;
  const q = second.actor;
  const enabledAfter = (x: number): readonly number[] => (x + 1 < events.length ? events[x + 1]!.enabled : endEnabled);
  let s: boolean;
  let from: number;
  const c = second.createdAt;
  if (c < j) {
    s = events[j]!.enabled.includes(q);
    from = j + 1;
  } else {
    s = enabledAfter(c).includes(q);
    from = c + 1;
  }
  for (let x = from; x < k && x < events.length; x++) {
    const e = events[x]!;
    if (e.actor === q || hb(j, e.clock)) continue;
    const before = e.enabled.includes(q);
    const after = enabledAfter(x).includes(q);
    if (before !== after) s = after;
  }
  return s;
}

// ---- wakeup trees ------------------------------------------------------------------

/** The same step with the same prescribed data choices (choices past them are explored freely). */
function sameEvent(a: Branch, b: Branch): boolean {
  return a.actor === b.actor && a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i]);
}

/** `a` covers `b`: its prescribed choices are a prefix of b's (a explores b's choices among others). */
function covers(a: readonly number[], b: readonly number[]): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i]);
}

function dep(a: Branch, b: Branch): boolean {
  return a.actor === b.actor || conflicts(a.fp, b.fp);
}

/**
 * Is the step `p` (of a context) a weak initial of `v`: `v` could start with
 * it? Returns its index in `v`, -1 when `v` does not contain it but is
 * independent of it, -2 when it is not an initial.
 */
function weakInitial(p: Branch, v: readonly Branch[], sameData: boolean): number {
  for (let t = 0; t < v.length; t++) {
    const ve = v[t]!;
    if (ve.actor !== p.actor) continue;
    if (sameData && !covers(p.data, ve.data)) return -2;
    for (let s = 0; s < t; s++) if (dep(v[s]!, ve)) return -2;
    return t;
  }
  for (const ve of v) if (dep(p, ve)) return -2;
  return -1;
}

function insert(run: DporRun, j: number, v: Branch[]): void {
  const path = run.pathNodes;
  const node = path[j];
  if (!node || node.top) return;
  // the reversal was explored already if a sleeping context is an initial of it
  for (const list of [node.sleep, node.done]) {
    for (const s of list) {
      if (s.actor === node.cur.actor) continue;
      if (weakInitial({ actor: s.actor, data: [], fp: s.fp }, v, false) !== -2) {
        if (DEBUG) console.log(`    redundant: ${s.actor} sleeps at ${j}`);
        return;
      }
    }
  }
  let kids = node.pending;
  let w = v.slice();
  for (let guard = 0; guard < 1_000_000; guard++) {
    let descended = false;
    for (let ci = 0; ci < kids.length; ci++) {
      let child = kids[ci]!;
      // a branch not explored yet that prescribes only first options can explore every option instead
      const same = w.find((x) => x.actor === child.br.actor);
      if (same && !covers(child.br.data, same.data) && covers(same.data, child.br.data) && child.br.data.slice(same.data.length).every((x) => x === 0)) {
        child = { br: { actor: child.br.actor, data: same.data.slice(), fp: child.br.fp }, kids: child.kids };
        kids[ci] = child;
      }
      const t = weakInitial(child.br, w, true);
      if (t === -2) continue;
      if (t >= 0) {
        if (w.length === 1 && child.kids.length > 0) {
          if (DEBUG) console.log(`    covered below ${child.br.actor}`);
          return;
        }
        w = w.filter((_, i) => i !== t);
      }
      if (child.kids.length === 0 || w.length === 0) {
        if (DEBUG) console.log(`    covered by leaf ${child.br.actor}`);
        return;
      }
      kids = child.kids;
      descended = true;
      break;
    }
    if (!descended) {
      let list = kids;
      for (const br of w) {
        const c: WChild = { br, kids: [] };
        list.push(c);
        list = c.kids;
      }
      return;
    }
  }
}
