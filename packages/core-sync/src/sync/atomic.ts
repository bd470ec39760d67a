// atomic_t and friends (include/linux/atomic, Documentation/atomic_t.txt),
// bitops (Documentation/atomic_bitops.txt), refcount_t (lib/refcount.c) and
// kref. Orderings follow atomic_t.txt: non-value-returning RMWs are relaxed,
// value-returning ones fully ordered unless suffixed _relaxed/_acquire/_release.

import { CUR, RT, type KGen } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';
import { Cell, rmwAcquire, rmwRelease, smp_mb } from './cell';
import { here } from './context';

type Order = 'relaxed' | 'acquire' | 'release' | 'full';

/** atomic_t: a 32-bit signed counter. */
export class Atomic extends Cell<number> {}
export type atomic_t = Atomic;
/** atomic64_t / atomic_long_t: kept as a JS number (exact to 2^53). */
export class Atomic64 extends Cell<number> {}
export type atomic64_t = Atomic64;
export type atomic_long_t = Atomic64;

export function ATOMIC_INIT(v: number, name = 'atomic_t'): Atomic {
  return new Atomic(v | 0, name);
}
export function ATOMIC64_INIT(v: number, name = 'atomic64_t'): Atomic64 {
  return new Atomic64(v, name);
}

const wrap = (x: Cell<number>, v: number): number => (x instanceof Atomic ? v | 0 : v);

/** One atomic read-modify-write with the given ordering; returns the old value. */
function* rmw(x: Cell<number>, f: (old: number) => number, order: Order): KGen<number> {
  here();
  if (order === 'full') yield* smp_mb();
  yield x.opRmw;
  const old = x.load(true);
  x.store(wrap(x, f(old)), true);
  if (RT.det.races) {
    if (order === 'acquire' || order === 'full') rmwAcquire(x);
    if (order === 'release' || order === 'full') rmwRelease(x);
  }
  if (order === 'full') yield* smp_mb();
  return old;
}

/** A compare-and-exchange: the store happens only when the old value matches. */
function* cmpxchgOp(x: Cell<number>, expected: number, v: number, order: Order): KGen<number> {
  here();
  if (order === 'full') yield* smp_mb();
  yield x.opRmw;
  const old = x.load(true);
  if (old === expected) {
    x.store(wrap(x, v), true);
    if (RT.det.races) {
      if (order === 'acquire' || order === 'full') rmwAcquire(x);
      if (order === 'release' || order === 'full') rmwRelease(x);
    }
    if (order === 'full') yield* smp_mb();
  }
  // a failed cmpxchg is unordered (atomic_t.txt)
  return old;
}

export function* atomic_read(x: Cell<number>): KGen<number> {
  here();
  yield x.opRead;
  return x.load(true);
}
export function* atomic_set(x: Cell<number>, v: number): KGen {
  here();
  yield x.opWrite;
  x.store(wrap(x, v), true);
}
export function* atomic_set_release(x: Cell<number>, v: number): KGen {
  here();
  yield x.opWrite;
  x.store(wrap(x, v), true);
  if (RT.det.races) {
    x.sync = null;
    rmwRelease(x);
  }
}
export function* atomic_read_acquire(x: Cell<number>): KGen<number> {
  here();
  yield x.opRead;
  const v = x.load(true);
  if (RT.det.races) rmwAcquire(x);
  return v;
}

export function* atomic_add(i: number, x: Cell<number>): KGen {
  yield* rmw(x, (o) => o + i, 'relaxed');
}
export function* atomic_sub(i: number, x: Cell<number>): KGen {
  yield* rmw(x, (o) => o - i, 'relaxed');
}
export function* atomic_inc(x: Cell<number>): KGen {
  yield* rmw(x, (o) => o + 1, 'relaxed');
}
export function* atomic_dec(x: Cell<number>): KGen {
  yield* rmw(x, (o) => o - 1, 'relaxed');
}
export function* atomic_or(i: number, x: Cell<number>): KGen {
  yield* rmw(x, (o) => o | i, 'relaxed');
}
export function* atomic_and(i: number, x: Cell<number>): KGen {
  yield* rmw(x, (o) => o & i, 'relaxed');
}
export function* atomic_add_return(i: number, x: Cell<number>): KGen<number> {
  return wrap(x, (yield* rmw(x, (o) => o + i, 'full')) + i);
}
export function* atomic_add_return_relaxed(i: number, x: Cell<number>): KGen<number> {
  return wrap(x, (yield* rmw(x, (o) => o + i, 'relaxed')) + i);
}
export function* atomic_add_return_acquire(i: number, x: Cell<number>): KGen<number> {
  return wrap(x, (yield* rmw(x, (o) => o + i, 'acquire')) + i);
}
export function* atomic_add_return_release(i: number, x: Cell<number>): KGen<number> {
  return wrap(x, (yield* rmw(x, (o) => o + i, 'release')) + i);
}
export function* atomic_sub_return(i: number, x: Cell<number>): KGen<number> {
  return wrap(x, (yield* rmw(x, (o) => o - i, 'full')) - i);
}
export function* atomic_inc_return(x: Cell<number>): KGen<number> {
  return yield* atomic_add_return(1, x);
}
export function* atomic_dec_return(x: Cell<number>): KGen<number> {
  return yield* atomic_sub_return(1, x);
}
export function* atomic_fetch_add(i: number, x: Cell<number>): KGen<number> {
  return yield* rmw(x, (o) => o + i, 'full');
}
export function* atomic_fetch_add_relaxed(i: number, x: Cell<number>): KGen<number> {
  return yield* rmw(x, (o) => o + i, 'relaxed');
}
export function* atomic_fetch_add_acquire(i: number, x: Cell<number>): KGen<number> {
  return yield* rmw(x, (o) => o + i, 'acquire');
}
export function* atomic_fetch_add_release(i: number, x: Cell<number>): KGen<number> {
  return yield* rmw(x, (o) => o + i, 'release');
}
export function* atomic_fetch_sub(i: number, x: Cell<number>): KGen<number> {
  return yield* rmw(x, (o) => o - i, 'full');
}
export function* atomic_fetch_or(i: number, x: Cell<number>): KGen<number> {
  return yield* rmw(x, (o) => o | i, 'full');
}
export function* atomic_fetch_and(i: number, x: Cell<number>): KGen<number> {
  return yield* rmw(x, (o) => o & i, 'full');
}
export function* atomic_inc_and_test(x: Cell<number>): KGen<boolean> {
  return (yield* atomic_add_return(1, x)) === 0;
}
export function* atomic_dec_and_test(x: Cell<number>): KGen<boolean> {
  return (yield* atomic_sub_return(1, x)) === 0;
}
export function* atomic_sub_and_test(i: number, x: Cell<number>): KGen<boolean> {
  return (yield* atomic_sub_return(i, x)) === 0;
}
export function* atomic_add_negative(i: number, x: Cell<number>): KGen<boolean> {
  return (yield* atomic_add_return(i, x)) < 0;
}
export function* atomic_xchg(x: Cell<number>, v: number): KGen<number> {
  return yield* rmw(x, () => v, 'full');
}
export function* atomic_xchg_relaxed(x: Cell<number>, v: number): KGen<number> {
  return yield* rmw(x, () => v, 'relaxed');
}
export function* atomic_cmpxchg(x: Cell<number>, old: number, v: number): KGen<number> {
  return yield* cmpxchgOp(x, old, v, 'full');
}
export function* atomic_cmpxchg_relaxed(x: Cell<number>, old: number, v: number): KGen<number> {
  return yield* cmpxchgOp(x, old, v, 'relaxed');
}
export function* atomic_cmpxchg_acquire(x: Cell<number>, old: number, v: number): KGen<number> {
  return yield* cmpxchgOp(x, old, v, 'acquire');
}
export function* atomic_cmpxchg_release(x: Cell<number>, old: number, v: number): KGen<number> {
  return yield* cmpxchgOp(x, old, v, 'release');
}
/** atomic_add_unless(v, a, u): adds a unless the value is u; true if it added. */
export function* atomic_add_unless(x: Cell<number>, a: number, u: number): KGen<boolean> {
  here();
  yield x.opRmw;
  const old = x.load(true);
  if (old === u) return false;
  x.store(wrap(x, old + a), true);
  if (RT.det.races) {
    rmwAcquire(x);
    rmwRelease(x);
  }
  return true;
}
export function* atomic_inc_not_zero(x: Cell<number>): KGen<boolean> {
  return yield* atomic_add_unless(x, 1, 0);
}
export function* atomic_dec_if_positive(x: Cell<number>): KGen<number> {
  here();
  yield x.opRmw;
  const old = x.load(true);
  const dec = old - 1;
  if (dec >= 0) {
    x.store(wrap(x, dec), true);
    if (RT.det.races) {
      rmwAcquire(x);
      rmwRelease(x);
    }
  }
  return dec;
}

/** xchg()/cmpxchg() on any cell (pointers included): fully ordered. */
export function* xchg<T>(x: Cell<T>, v: T): KGen<T> {
  here();
  yield* smp_mb();
  yield x.opRmw;
  const old = x.load(true);
  x.store(v, true);
  if (RT.det.races) {
    rmwAcquire(x as Cell<unknown>);
    rmwRelease(x as Cell<unknown>);
  }
  yield* smp_mb();
  return old;
}
export function* cmpxchg<T>(x: Cell<T>, old: T, v: T): KGen<T> {
  here();
  yield* smp_mb();
  yield x.opRmw;
  const cur = x.load(true);
  if (cur === old) {
    x.store(v, true);
    if (RT.det.races) {
      rmwAcquire(x as Cell<unknown>);
      rmwRelease(x as Cell<unknown>);
    }
    yield* smp_mb();
  }
  return cur;
}

// ---- bitops -----------------------------------------------------------------
// An `unsigned long` bitmap word as a Cell<number>; bits 0..52 are exact.

/** BIT(nr) */
export function BIT(nr: number): number {
  return nr < 31 ? 1 << nr : 2 ** nr;
}

function checkNr(nr: number): void {
  if (!Number.isInteger(nr) || nr < 0 || nr > 52) throw new Violation('model-error', `bit number ${nr} outside 0..52 (a bitmap word here is exact to 53 bits)`);
}

export function bitIsSet(word: number, nr: number): boolean {
  return nr < 31 ? (word & (1 << nr)) !== 0 : Math.floor(word / 2 ** nr) % 2 === 1;
}
function withBit(word: number, nr: number, on: boolean): number {
  const set = bitIsSet(word, nr);
  if (set === on) return word;
  return on ? word + BIT(nr) : word - BIT(nr);
}

function* bitRmw(x: Cell<number>, nr: number, f: (old: boolean) => boolean, order: Order, marked = true): KGen<boolean> {
  checkNr(nr);
  here();
  if (order === 'full') yield* smp_mb();
  yield x.opRmw;
  const word = x.load(marked);
  const old = bitIsSet(word, nr);
  x.store(withBit(word, nr, f(old)), marked);
  if (RT.det.races && marked) {
    if (order === 'acquire' || order === 'full') rmwAcquire(x);
    if (order === 'release' || order === 'full') rmwRelease(x);
  }
  if (order === 'full') yield* smp_mb();
  return old;
}

export function* set_bit(nr: number, x: Cell<number>): KGen {
  yield* bitRmw(x, nr, () => true, 'relaxed');
}
export function* clear_bit(nr: number, x: Cell<number>): KGen {
  yield* bitRmw(x, nr, () => false, 'relaxed');
}
export function* change_bit(nr: number, x: Cell<number>): KGen {
  yield* bitRmw(x, nr, (o) => !o, 'relaxed');
}
export function* test_bit(nr: number, x: Cell<number>): KGen<boolean> {
  checkNr(nr);
  here();
  yield x.opRead;
  return bitIsSet(x.load(true), nr);
}
export function* test_and_set_bit(nr: number, x: Cell<number>): KGen<boolean> {
  return yield* bitRmw(x, nr, () => true, 'full');
}
export function* test_and_clear_bit(nr: number, x: Cell<number>): KGen<boolean> {
  return yield* bitRmw(x, nr, () => false, 'full');
}
export function* test_and_change_bit(nr: number, x: Cell<number>): KGen<boolean> {
  return yield* bitRmw(x, nr, (o) => !o, 'full');
}
/** test_and_set_bit_lock: acquire ordering. */
export function* test_and_set_bit_lock(nr: number, x: Cell<number>): KGen<boolean> {
  return yield* bitRmw(x, nr, () => true, 'acquire');
}
/** clear_bit_unlock: release ordering. */
export function* clear_bit_unlock(nr: number, x: Cell<number>): KGen {
  yield* bitRmw(x, nr, () => false, 'release');
}
/** __set_bit / __clear_bit: the non-atomic forms (plain read-modify-write). */
export function* __set_bit(nr: number, x: Cell<number>): KGen {
  yield* bitRmw(x, nr, () => true, 'relaxed', false);
}
export function* __clear_bit(nr: number, x: Cell<number>): KGen {
  yield* bitRmw(x, nr, () => false, 'relaxed', false);
}

/**
 * find_next_bit(addr, size, offset): the index of the next set bit at or after
 * `offset`, or `size` when there is none (lib/find_bit.c). Pure: pass the word.
 */
export function find_next_bit(word: number | bigint, size: number, offset: number): number {
  for (let i = Math.max(0, offset); i < size; i++) {
    const set = typeof word === 'bigint' ? ((word >> BigInt(i)) & 1n) === 1n : i <= 52 && bitIsSet(word, i);
    if (set) return i;
  }
  return size;
}
export function find_first_bit(word: number | bigint, size: number): number {
  return find_next_bit(word, size, 0);
}

// ---- refcount_t and kref -----------------------------------------------------

/** refcount_t: a saturating reference count that reports misuse (lib/refcount.c). */
export class Refcount extends Cell<number> {}
export type refcount_t = Refcount;

export const REFCOUNT_SATURATED = -(2 ** 30);

export function REFCOUNT_INIT(v: number, name = 'refcount_t'): Refcount {
  return new Refcount(v, name);
}

function refWarn(x: Refcount, what: string): never {
  x.v = REFCOUNT_SATURATED;
  throw new Violation('refcount', `refcount_t: ${what} (${x.name}, ${CUR.name})`);
}

export function* refcount_set(x: Refcount, v: number): KGen {
  yield* atomic_set(x, v);
}
export function* refcount_read(x: Refcount): KGen<number> {
  return yield* atomic_read(x);
}
export function* refcount_inc(x: Refcount): KGen {
  const old = yield* rmw(x, (o) => (o === 0 ? 0 : o + 1), 'relaxed');
  if (old === 0) refWarn(x, 'addition on 0; use-after-free');
}
export function* refcount_add(i: number, x: Refcount): KGen {
  const old = yield* rmw(x, (o) => (o === 0 ? 0 : o + i), 'relaxed');
  if (old === 0) refWarn(x, 'addition on 0; use-after-free');
}
export function* refcount_inc_not_zero(x: Refcount): KGen<boolean> {
  const old = yield* rmw(x, (o) => (o === 0 ? 0 : o + 1), 'relaxed');
  if (old !== 0 && RT.det.races) rmwAcquire(x);
  return old !== 0;
}
/** Release ordering, and acquire ordering when it returns true. */
export function* refcount_dec_and_test(x: Refcount): KGen<boolean> {
  const old = yield* rmw(x, (o) => (o <= 0 ? o : o - 1), 'release');
  if (old <= 0) refWarn(x, 'underflow; use-after-free');
  if (old === 1) {
    if (RT.det.races) rmwAcquire(x);
    return true;
  }
  return false;
}
export function* refcount_sub_and_test(i: number, x: Refcount): KGen<boolean> {
  const old = yield* rmw(x, (o) => (o - i < 0 ? o : o - i), 'release');
  if (old - i < 0) refWarn(x, 'underflow; use-after-free');
  if (old === i) {
    if (RT.det.races) rmwAcquire(x);
    return true;
  }
  return false;
}
export function* refcount_dec(x: Refcount): KGen {
  const old = yield* rmw(x, (o) => (o <= 1 ? o : o - 1), 'release');
  if (old <= 1) refWarn(x, old === 1 ? 'decrement hit 0; leaking memory' : 'underflow; use-after-free');
}

/** struct kref */
export class Kref {
  readonly refcount: Refcount;
  constructor(name = 'kref') {
    this.refcount = new Refcount(1, `${name}.refcount`);
  }
}
export type kref = Kref;

export function* kref_init(k: Kref): KGen {
  yield* refcount_set(k.refcount, 1);
}
export function* kref_get(k: Kref): KGen {
  yield* refcount_inc(k.refcount);
}
export function* kref_get_unless_zero(k: Kref): KGen<boolean> {
  return yield* refcount_inc_not_zero(k.refcount);
}
export function* kref_read(k: Kref): KGen<number> {
  return yield* refcount_read(k.refcount);
}
/** Calls `release` when the count drops to zero; returns 1 then, else 0. */
export function* kref_put(k: Kref, release: (k: Kref) => KGen<unknown>): KGen<number> {
  if (yield* refcount_dec_and_test(k.refcount)) {
    yield* release(k);
    return 1;
  }
  return 0;
}
