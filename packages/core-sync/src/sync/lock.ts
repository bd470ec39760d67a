// Spinlocks (include/linux/spinlock.h, the _bh/_irq/_irqsave forms) and
// mutexes (kernel/locking/mutex.c), validated by lockdep and measured in
// virtual time (acquisitions, contentions, wait and hold time).

import type { VClock } from '../internal/rt/clock';
import { A_SYNC, BLOCK_NONE, BLOCK_SLEEP, BLOCK_SPIN, CUR, Op, RT, touchObj, type KGen, type LockLike, type Thread } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';
import { here, local_bh_disable, local_bh_enable, local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save, maybeQuiescent, might_sleep, type irqflags_t } from './context';
import { lockdep_acquire, lockdep_check_held } from './lockdep';

/** Contention statistics of one lock, in virtual time (ns). */
export interface LockStat {
  readonly name: string;
  acquisitions: number;
  contentions: number;
  waitNs: number;
  holdNs: number;
  maxWaitNs: number;
}

abstract class KLock implements LockLike {
  owner: Thread | null = null;
  rel: VClock | null = null;
  readonly stat: LockStat;
  private since = 0;
  readonly opLock: Op;
  readonly opUnlock: Op;
  readonly opTry: Op;
  abstract readonly sleeping: boolean;
  constructor(
    readonly name: string,
    readonly cls: string,
    block: typeof BLOCK_SPIN | typeof BLOCK_SLEEP,
    kindName: string,
  ) {
    this.stat = { name, acquisitions: 0, contentions: 0, waitNs: 0, holdNs: 0, maxWaitNs: 0 };
    this.opLock = new Op(`${kindName}_lock(${name})`, this, block, A_SYNC, () => this.owner === null);
    this.opUnlock = new Op(`${kindName}_unlock(${name})`, this, BLOCK_NONE, A_SYNC);
    this.opTry = new Op(`${kindName}_trylock(${name})`, this, BLOCK_NONE, A_SYNC);
  }

  /** when each waiting thread started to wait (several CPUs may wait on one lock) */
  private readonly waitStart = new Map<Thread, number>();

  /** lock_acquire: what happens before the scheduling point (lockdep, contention) */
  pre(how: string, subclass: number): void {
    here();
    const th = CUR;
    lockdep_acquire(this, how, false, subclass);
    if (this.owner !== null) {
      this.stat.contentions++;
      this.waitStart.set(th, RT.now);
      th.blockedOn = `waiting for ${this.name}, held by ${this.owner.name}`;
    }
  }

  /** the acquisition, once the scheduler let the thread past the scheduling point */
  post(how: string): void {
    const th = CUR;
    this.take(th, how);
    const start = this.waitStart.get(th);
    if (start !== undefined) {
      this.waitStart.delete(th);
      const w = RT.now - start;
      this.stat.waitNs += w;
      if (w > this.stat.maxWaitNs) this.stat.maxWaitNs = w;
    }
  }

  take(th: Thread, how: string): void {
    if (this.owner !== null) throw new Violation('lock-misuse', `[core-sync internal bug] ${this.name} taken while owned`);
    this.owner = th;
    th.held.push({ lock: this, how, at: RT.steps, loc: th.loc });
    if (RT.det.races) th.clock.join(this.rel);
    this.stat.acquisitions++;
    this.since = RT.now;
    if (RT.trace) RT.note(`acquired ${this.name}`);
  }

  /** trylock after its scheduling point: true if it took the lock */
  tryPost(how: string): boolean {
    if (this.owner !== null) return false;
    lockdep_acquire(this, how, true);
    this.take(CUR, how);
    return true;
  }

  /** the release, after the scheduling point */
  releasePost(how: string): void {
    const th = CUR;
    if (this.owner !== th) {
      throw new Violation('lock-misuse', `${how}: ${th.name} releases ${this.name}, which it does not hold${this.owner ? ` (held by ${this.owner.name})` : ' (not locked)'}`);
    }
    const held = th.held;
    let i = held.length - 1;
    while (i >= 0 && held[i]!.lock !== this) i--;
    if (i === held.length - 1) held.pop();
    else held.splice(i, 1);
    this.owner = null;
    this.stat.holdNs += RT.now - this.since;
    if (RT.det.races) {
      this.rel = th.clock.copy();
      th.clock.tick(th.id);
    }
  }
}

/** spinlock_t */
export class SpinLock extends KLock {
  readonly sleeping = false;
  constructor(name: string, cls = name) {
    super(name, cls, BLOCK_SPIN, 'spin');
  }
}
export type spinlock_t = SpinLock;

/** DEFINE_SPINLOCK / spin_lock_init: `cls` is the lockdep class (defaults to the name). */
export function spin_lock_init(name: string, cls?: string): SpinLock {
  return new SpinLock(name, cls);
}
export const DEFINE_SPINLOCK = spin_lock_init;

// Each primitive has a single scheduling point (one level of generator
// delegation): the hot path of every model.

function* lockSpin(l: SpinLock, how: string, subclass = 0): KGen {
  CUR.preempt++;
  l.pre(how, subclass);
  yield l.opLock;
  l.post(how);
}
function* unlockSpin(l: SpinLock, how: string): KGen {
  here();
  yield l.opUnlock;
  l.releasePost(how);
  const th = CUR;
  th.preempt--;
  maybeQuiescent(th);
}
function* trySpin(l: SpinLock, how: string): KGen<boolean> {
  here();
  const th = CUR;
  th.preempt++;
  yield l.opTry;
  if (l.tryPost(how)) return true;
  th.preempt--;
  maybeQuiescent(th);
  return false;
}

export function spin_lock(l: SpinLock): KGen {
  return lockSpin(l, 'spin_lock');
}
export function spin_lock_nested(l: SpinLock, subclass: number): KGen {
  return lockSpin(l, 'spin_lock_nested', subclass);
}
export function spin_unlock(l: SpinLock): KGen {
  return unlockSpin(l, 'spin_unlock');
}
export function spin_trylock(l: SpinLock): KGen<boolean> {
  return trySpin(l, 'spin_trylock');
}
export function* spin_lock_bh(l: SpinLock): KGen {
  yield* local_bh_disable();
  yield* lockSpin(l, 'spin_lock_bh');
}
export function* spin_unlock_bh(l: SpinLock): KGen {
  yield* unlockSpin(l, 'spin_unlock_bh');
  yield* local_bh_enable();
}
export function* spin_trylock_bh(l: SpinLock): KGen<boolean> {
  yield* local_bh_disable();
  const ok = yield* trySpin(l, 'spin_trylock_bh');
  if (!ok) yield* local_bh_enable();
  return ok;
}
export function* spin_lock_irq(l: SpinLock): KGen {
  yield* local_irq_disable();
  yield* lockSpin(l, 'spin_lock_irq');
}
export function* spin_unlock_irq(l: SpinLock): KGen {
  yield* unlockSpin(l, 'spin_unlock_irq');
  yield* local_irq_enable();
}
export function* spin_lock_irqsave(l: SpinLock): KGen<irqflags_t> {
  const flags = yield* local_irq_save();
  yield* lockSpin(l, 'spin_lock_irqsave');
  return flags;
}
export function* spin_unlock_irqrestore(l: SpinLock, flags: irqflags_t): KGen {
  yield* unlockSpin(l, 'spin_unlock_irqrestore');
  yield* local_irq_restore(flags);
}
export function spin_is_locked(l: SpinLock): boolean {
  touchObj(l, false);
  return l.owner !== null;
}
export function assert_spin_locked(l: SpinLock): void {
  if (l.owner === null) throw new Violation('assertion', `assert_spin_locked(${l.name}): not locked`);
}

/** struct mutex */
export class Mutex extends KLock {
  readonly sleeping = true;
  constructor(name: string, cls = name) {
    super(name, cls, BLOCK_SLEEP, 'mutex');
  }
}
export type mutex = Mutex;

export function mutex_init(name: string, cls?: string): Mutex {
  return new Mutex(name, cls);
}
export const DEFINE_MUTEX = mutex_init;

function* lockMutex(m: Mutex, how: string, subclass = 0): KGen {
  might_sleep(`${how}(${m.name})`);
  m.pre(how, subclass);
  yield m.opLock;
  m.post(how);
}

export function mutex_lock(m: Mutex): KGen {
  return lockMutex(m, 'mutex_lock');
}
export function mutex_lock_nested(m: Mutex, subclass: number): KGen {
  return lockMutex(m, 'mutex_lock_nested', subclass);
}
/** No signals are modelled: always acquires and returns 0. */
export function* mutex_lock_interruptible(m: Mutex): KGen<number> {
  yield* lockMutex(m, 'mutex_lock_interruptible');
  return 0;
}
export function* mutex_unlock(m: Mutex): KGen {
  here();
  yield m.opUnlock;
  m.releasePost('mutex_unlock');
}
/** Returns 1 if the mutex was acquired, 0 if it is contended (as the kernel does). */
export function* mutex_trylock(m: Mutex): KGen<number> {
  here();
  yield m.opTry;
  return m.tryPost('mutex_trylock') ? 1 : 0;
}
export function mutex_is_locked(m: Mutex): boolean {
  touchObj(m, false);
  return m.owner !== null;
}

/** lockdep_assert_held(): the current context holds the lock. */
export function lockdep_assert_held(l: SpinLock | Mutex): void {
  lockdep_check_held(l, 'lockdep_assert_held');
}
/** lockdep_is_held(): for rcu_dereference_protected conditions. */
export function lockdep_is_held(l: SpinLock | Mutex): boolean {
  return l.owner === CUR;
}

/** Contention statistics of a lock (virtual time). */
export function lock_stat(l: SpinLock | Mutex): Readonly<LockStat> {
  return l.stat;
}
