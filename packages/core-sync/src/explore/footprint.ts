// Footprints: what one step of an execution touched, for the partial-order
// reduction. A step is everything a context does from its scheduling point to
// the next one: the effect of the operation it was waiting to perform (the
// `Op` it yielded: a cell access, a lock acquire or release ...) and whatever
// it does before its next yield. Two steps of different contexts are
// independent when their footprints do not conflict: they touch different
// objects, or both only read. A footprint is `global` when the step did
// something whose effects the runtime does not describe (wake-ups, timers,
// workqueues, RCU grace periods, allocation lifetime): it then conflicts with
// every other step, which is always sound.

import { A_READ, OP_START, OP_YIELD, type Op, type Thread } from '../internal/rt/kernel';
import { Cell } from '../sync/cell';
import { Mutex, SpinLock } from '../sync/lock';
import { Completion } from '../sync/wait';

/** plain read */
export const K_R = 1;
/** plain write (or read-modify-write) */
export const K_W = 2;
/** lock acquire (blocking) */
export const K_ACQ = 3;
/** lock release */
export const K_REL = 4;
/** a trylock that failed, or a look at the lock's state */
export const K_TRY = 5;
/** a trylock that took the lock */
export const K_TRY_OK = 6;

export class Fp {
  readonly keys: number[] = [];
  readonly kinds: number[] = [];
  /** conflicts with every other step */
  global = false;
  /** false for a prediction (a step not executed yet): treated as global when compared */
  exact = true;

  add(key: number, kind: number): void {
    const i = this.keys.indexOf(key);
    if (i < 0) {
      this.keys.push(key);
      this.kinds.push(kind);
      return;
    }
    const k = this.kinds[i]!;
    // a read is subsumed by anything; a failed trylock by a real lock operation
    if (k === K_R || (k === K_TRY && kind !== K_R)) this.kinds[i] = kind;
  }

  has(key: number, kind: number): boolean {
    const i = this.keys.indexOf(key);
    return i >= 0 && this.kinds[i] === kind;
  }

  get writes(): boolean {
    return this.global || this.kinds.some((k) => k !== K_R);
  }

  /** the union of two footprints (the data variants of one step) */
  union(o: Fp): Fp {
    const u = new Fp();
    u.global = this.global || o.global;
    u.exact = this.exact && o.exact;
    for (let i = 0; i < this.keys.length; i++) u.add(this.keys[i]!, this.kinds[i]!);
    for (let i = 0; i < o.keys.length; i++) u.add(o.keys[i]!, o.kinds[i]!);
    return u;
  }
}

/** A prediction that conflicts with everything. */
export const UNKNOWN_FP: Fp = (() => {
  const f = new Fp();
  f.global = true;
  f.exact = false;
  return f;
})();

/** Do two steps (of different contexts) conflict? */
export function conflicts(a: Fp, b: Fp): boolean {
  if (a.global || b.global || !a.exact || !b.exact) return true;
  const ak = a.keys;
  const bk = b.keys;
  for (let i = 0; i < ak.length; i++) {
    const key = ak[i]!;
    for (let j = 0; j < bk.length; j++) {
      if (bk[j] === key && !(a.kinds[i] === K_R && b.kinds[j] === K_R)) return true;
    }
  }
  return false;
}

/** The objects whose operations the reduction understands exactly; any other object's operations are global. */
export function lockOf(op: Op): SpinLock | Mutex | null {
  const o = op.obj;
  return o instanceof SpinLock || o instanceof Mutex ? o : null;
}

/** Adds what performing `op` touches (its scheduling point's effect) to `fp`. */
export function addOpFootprint(op: Op, fp: Fp, key: (o: object) => number): void {
  if (op === OP_START || op === OP_YIELD) return;
  const o = op.obj;
  if (o === null) {
    fp.global = true;
    return;
  }
  if (o instanceof Cell) {
    fp.add(key(o), op.access === A_READ ? K_R : K_W);
    return;
  }
  if (o instanceof SpinLock || o instanceof Mutex) {
    fp.add(key(o), op === o.opLock ? K_ACQ : op === o.opUnlock ? K_REL : K_TRY);
    return;
  }
  if (o instanceof Completion) {
    fp.add(key(o), K_W);
    return;
  }
  fp.global = true;
}

/** true when `op` is the acquire of a spinlock or mutex */
export function isLockAcquire(op: Op): boolean {
  const l = lockOf(op);
  return l !== null && op === l.opLock;
}

/** true when `op` may block (it waits for a condition) */
export function isBlocking(op: Op): boolean {
  return op.canProceed !== null;
}

/** The scheduling state of a thread as other contexts of its CPU see it. */
export function cpuState(th: Thread): number {
  const cpu = th.cpu;
  return (th.pinned ? 1 : 0) | (th.irqsOff > 0 ? 2 : 0) | (th.bhOff > 0 ? 4 : 0) | (th.done ? 8 : 0) |
    (cpu !== null && cpu.current === th ? 16 : 0) | ((cpu !== null ? cpu.irqStack.length : 0) << 5);
}
