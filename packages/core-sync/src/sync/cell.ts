// Shared memory: a `Cell` is one kernel variable (a field, a global, a
// pointer). Plain accesses, READ_ONCE/WRITE_ONCE, acquire/release and the
// barriers of include/asm-generic/barrier.h, with happens-before race
// detection as the LKMM defines a data race (tools/memory-model: two accesses
// to the same location, at least one a write and one plain, unordered).
// The runtime is sequentially consistent; ordering questions beyond SC go to
// the LKMM litmus checker.

import { VClock } from '../internal/rt/clock';
import { A_READ, A_RMW, A_WRITE, CUR, Op, RT, touchObj, type KGen, type Thread } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';
import { allocOf, constructing, type Alloc } from './alloc';
import { here } from './context';

const MAX_READERS = 64;

/** One shared kernel variable. */
export class Cell<T> {
  v: T;
  readonly name: string;
  /** the allocation this cell belongs to (use-after-free checks) */
  readonly owner: Alloc | null;
  readonly opRead: Op;
  readonly opWrite: Op;
  readonly opRmw: Op;
  // race detection: last write epoch and the reads since
  private wTid = -1;
  private wClk = 0;
  private wMarked = true;
  private wStep = 0;
  private wName = '';
  private rTid: number[] = [];
  private rClk: number[] = [];
  private rMarked: boolean[] = [];
  private rStep: number[] = [];
  private rName: string[] = [];
  /** release clock of the last release store (and its release sequence) */
  sync: VClock | null = null;

  constructor(init: T, name = 'cell') {
    this.v = init;
    this.name = name;
    this.owner = constructing;
    this.opRead = new Op(`read ${name}`, this, 0, A_READ);
    this.opWrite = new Op(`write ${name}`, this, 0, A_WRITE);
    this.opRmw = new Op(`rmw ${name}`, this, 0, A_RMW);
  }

  /** plain load: `x` in C */
  *read(): KGen<T> {
    here();
    yield this.opRead;
    return this.load(false);
  }

  /** plain store: `x = v` in C */
  *write(v: T): KGen {
    here();
    yield this.opWrite;
    this.store(v, false);
    this.sync = null;
  }

  /** Reads the value without a scheduling point or any check (for properties and invariants). */
  peek(): T {
    touchObj(this, false); // a read outside a scheduling point: the partial-order reduction must see it
    return this.v;
  }

  /** Sets the value without a scheduling point or any check (setup code only). */
  init(v: T): void {
    this.v = v;
  }

  // ---- effects, used by the primitives after their scheduling point ----

  load(marked: boolean): T {
    if (this.owner !== null && this.owner.freed) this.owner.check(`read of ${this.name}`);
    if (RT.det.races) this.onRead(CUR, marked);
    if (RT.trace) RT.note(`${this.name} -> ${show(this.v)}`);
    return this.v;
  }

  store(v: T, marked: boolean): void {
    if (this.owner !== null && this.owner.freed) this.owner.check(`write of ${this.name}`);
    if (RT.det.races) this.onWrite(CUR, marked);
    if (RT.trace) RT.note(`${this.name} <- ${show(v)}`);
    this.v = v;
  }

  private race(th: Thread, kind: string, otherTid: number, otherKind: string, otherStep: number, otherName: string): never {
    void otherTid;
    throw new Violation('data-race', `data race on ${this.name}: ${kind} by ${th.name} is concurrent with ${otherKind} by ${otherName} (step ${otherStep})`, [
      'the two accesses are not ordered by happens-before (no common lock, no release/acquire, no barrier pairing),',
      'and at least one of them is a plain access (LKMM: a data race; KCSAN would report it)',
    ]);
  }

  onRead(th: Thread, marked: boolean): void {
    const c = th.clock;
    if (this.wTid >= 0 && this.wTid !== th.id && !(marked && this.wMarked) && !c.covers(this.wTid, this.wClk)) {
      this.race(th, marked ? 'marked read' : 'plain read', this.wTid, this.wMarked ? 'marked write' : 'plain write', this.wStep, this.wName);
    }
    const tid = th.id;
    const ids = this.rTid;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === tid) {
        this.rClk[i] = c.get(tid);
        this.rMarked[i] = this.rMarked[i]! && marked;
        this.rStep[i] = RT.steps;
        return;
      }
    }
    if (ids.length < MAX_READERS) {
      ids.push(tid);
      this.rClk.push(c.get(tid));
      this.rMarked.push(marked);
      this.rStep.push(RT.steps);
      this.rName.push(th.name);
    }
  }

  onWrite(th: Thread, marked: boolean): void {
    const c = th.clock;
    const tid = th.id;
    if (this.wTid >= 0 && this.wTid !== tid && !(marked && this.wMarked) && !c.covers(this.wTid, this.wClk)) {
      this.race(th, marked ? 'marked write' : 'plain write', this.wTid, this.wMarked ? 'marked write' : 'plain write', this.wStep, this.wName);
    }
    const ids = this.rTid;
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i]!;
      if (r !== tid && !(marked && this.rMarked[i]) && !c.covers(r, this.rClk[i]!)) {
        this.race(th, marked ? 'marked write' : 'plain write', r, this.rMarked[i] ? 'marked read' : 'plain read', this.rStep[i]!, this.rName[i]!);
      }
    }
    if (ids.length > 0) {
      this.rTid = [];
      this.rClk = [];
      this.rMarked = [];
      this.rStep = [];
      this.rName = [];
    }
    this.wTid = tid;
    this.wClk = c.get(tid);
    this.wMarked = marked;
    this.wStep = RT.steps;
    this.wName = th.name;
  }
}

function show(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'object') {
    // never read through the object: it may be freed, and a read would be a use after free of the tracer's own
    const a = allocOf(v as object);
    return a ? `${a.name}#${a.id}` : '{...}';
  }
  if (typeof v === 'bigint') return `${v}n`;
  return String(v);
}

// ---- marked accesses -----------------------------------------------------

/** READ_ONCE(x): a marked load (no tearing, no fusing; relaxed ordering). */
export function* READ_ONCE<T>(x: Cell<T>): KGen<T> {
  here();
  yield x.opRead;
  const v = x.load(true);
  if (RT.det.races && x.sync) acquirePending(CUR, x.sync);
  return v;
}

/** WRITE_ONCE(x, v): a marked store. */
export function* WRITE_ONCE<T>(x: Cell<T>, v: T): KGen {
  here();
  yield x.opWrite;
  x.store(v, true);
  if (RT.det.races) x.sync = CUR.fenceRel ? CUR.fenceRel.copy() : null;
}

/** smp_store_release(p, v): everything before it is visible to an acquire that reads v. */
export function* smp_store_release<T>(x: Cell<T>, v: T): KGen {
  here();
  yield x.opWrite;
  x.store(v, true);
  if (RT.det.races) release(x);
}

/** smp_load_acquire(p): nothing after it is reordered before it. */
export function* smp_load_acquire<T>(x: Cell<T>): KGen<T> {
  here();
  yield x.opRead;
  const v = x.load(true);
  if (RT.det.races && x.sync) CUR.clock.join(x.sync);
  return v;
}

function release(x: Cell<unknown>): void {
  const th = CUR;
  x.sync = th.clock.copy();
  th.clock.tick(th.id);
}

function acquirePending(th: Thread, sync: VClock): void {
  if (!th.pendingAcq) th.pendingAcq = new VClock();
  th.pendingAcq.join(sync);
}

/** Release side of a fully ordered or release RMW (atomics, xchg, cmpxchg). */
export function rmwRelease(x: Cell<unknown>): void {
  const th = CUR;
  if (!x.sync) x.sync = th.clock.copy();
  else x.sync.join(th.clock);
  th.clock.tick(th.id);
}

/** Acquire side of a fully ordered or acquire RMW. */
export function rmwAcquire(x: Cell<unknown>): void {
  if (x.sync) CUR.clock.join(x.sync);
}

// ---- barriers ------------------------------------------------------------
// Under the runtime's SC interleavings barriers change no value; they give
// happens-before edges to the race detector, as C11 fences do: a write
// barrier makes later marked stores carry the thread's clock, a read barrier
// acquires what earlier marked loads read.

/** smp_mb(): full memory barrier. */
export function* smp_mb(): KGen {
  fenceRelease();
  fenceAcquire();
}
/** smp_wmb(): orders stores before it with stores after it. */
export function* smp_wmb(): KGen {
  fenceRelease();
}
/** smp_rmb(): orders loads before it with loads after it. */
export function* smp_rmb(): KGen {
  fenceAcquire();
}
export const smp_mb__before_atomic = smp_mb;
export const smp_mb__after_atomic = smp_mb;
export const smp_mb__after_spinlock = smp_mb;
/** mb()/wmb()/rmb(): the mandatory barriers (also order device memory). */
export const mb = smp_mb;
export const wmb = smp_wmb;
export const rmb = smp_rmb;
/** barrier(): a compiler barrier, no CPU ordering. */
export function* barrier(): KGen {}

function fenceRelease(): void {
  if (!RT.det.races) return;
  const th = CUR;
  th.fenceRel = th.clock.copy();
  th.clock.tick(th.id);
}

function fenceAcquire(): void {
  if (!RT.det.races) return;
  const th = CUR;
  if (th.pendingAcq) {
    th.clock.join(th.pendingAcq);
    th.pendingAcq = null;
  }
}
