// Object lifetime: kmalloc/kzalloc/kfree (mm/slab_common.c) with the checks of
// KASAN and kmemleak: use after free, double free, free of an RCU-protected
// object while a reader may still hold it, and leaks at the end of an execution.

import { A_WRITE, CUR, Op, RT, type KGen } from '../internal/rt/kernel';
import { ModelUsageError, Violation } from '../internal/rt/violation';
import { here, might_sleep } from './context';

export type gfp_t = number;
/** may sleep */
export const GFP_KERNEL: gfp_t = 0xcc0;
/** may not sleep (interrupt context, under spinlocks) */
export const GFP_ATOMIC: gfp_t = 0x820;
export const GFP_NOWAIT: gfp_t = 0x800;
export const __GFP_ZERO: gfp_t = 0x100;
/** may enter direct reclaim, hence sleep */
export const __GFP_DIRECT_RECLAIM: gfp_t = 0x400;

/** Bookkeeping of one allocation. */
export class Alloc {
  freed = false;
  freedBy: string | null = null;
  freedStep = -1;
  notLeak: boolean;
  readonly op: Op;
  constructor(
    readonly name: string,
    readonly id: number,
    readonly byThread: string,
    isStatic: boolean,
  ) {
    this.notLeak = isStatic;
    this.op = new Op(`kfree(${name})`, this, 0, A_WRITE);
  }
  /** throws a use-after-free violation when the object is freed */
  check(what: string): void {
    if (this.freed) {
      throw new Violation('use-after-free', `BUG: KASAN: use-after-free: ${what} of ${this.name}#${this.id} by ${CUR ? CUR.name : '?'}`, [
        `freed by ${this.freedBy} at step ${this.freedStep}`,
      ]);
    }
  }
}

interface Registry {
  all: Alloc[];
  byObj: WeakMap<object, Alloc>;
}

function registry(): Registry {
  let r = RT.ext.get('alloc') as Registry | undefined;
  if (!r) {
    r = { all: [], byObj: new WeakMap() };
    RT.ext.set('alloc', r);
    RT.quiescenceChecks.push(checkLeaks);
  }
  return r;
}

/** the allocation whose initialiser is running: cells created now belong to it */
export let constructing: Alloc | null = null;

function wrap<T extends object>(obj: T, a: Alloc): T {
  if (!RT.det.lifetime) return obj;
  return new Proxy(obj, {
    get(target, key, receiver) {
      if (a.freed && key !== 'then') a.check(`read of .${String(key)}`);
      return Reflect.get(target, key, receiver);
    },
    set(target, key, value, receiver) {
      if (a.freed) a.check(`write of .${String(key)}`);
      return Reflect.set(target, key, value, receiver);
    },
  });
}

function allocate<T extends object>(init: () => T, name: string): T {
  const r = registry();
  const a = new Alloc(name, r.all.length, CUR && !RT.inSetup ? CUR.name : 'setup', RT.inSetup);
  const prev = constructing;
  constructing = a;
  let obj: T;
  try {
    obj = init();
  } finally {
    constructing = prev;
  }
  if (typeof obj !== 'object' || obj === null) throw new ModelUsageError(`kmalloc(${name}): the initialiser must return an object`);
  const p = wrap(obj, a);
  r.all.push(a);
  r.byObj.set(p, a);
  r.byObj.set(obj, a);
  return p;
}

/**
 * kmalloc(): allocates an object built by `init`. Returns null when the
 * scenario injects allocation failures (`failslab`) and the explorer chose to fail.
 * GFP_KERNEL may sleep (checked by might_sleep).
 */
export function* kmalloc<T extends object>(init: () => T, flags: gfp_t, name = 'object'): KGen<T | null> {
  here();
  if ((flags & __GFP_DIRECT_RECLAIM) !== 0) might_sleep(`kmalloc(${name}, GFP_KERNEL)`);
  if (RT.ext.get('failslab') === true && RT.choose(2, `kmalloc(${name}) fails`) === 1) {
    RT.note(`kmalloc(${name}) returns NULL (injected)`);
    return null;
  }
  return allocate(init, name);
}

/** kzalloc(): as kmalloc; our objects are always initialised by `init`. */
export const kzalloc = kmalloc;

/** Allocation at setup time or by test code outside any thread: never a leak. */
export function kmalloc_static<T extends object>(init: () => T, name = 'object'): T {
  return allocate(init, name);
}

export function allocOf(obj: object): Alloc | undefined {
  return (RT.ext.get('alloc') as Registry | undefined)?.byObj.get(obj);
}

/** kfree(): frees an object from kmalloc; NULL is a no-op. */
export function* kfree(obj: object | null | undefined): KGen {
  if (obj === null || obj === undefined) return;
  here();
  const a = allocOf(obj);
  if (!a) throw new ModelUsageError('kfree() of an object that kmalloc() did not return');
  yield a.op;
  freeNow(a);
}

/** Frees without a scheduling point (used by RCU callbacks and kfree_skb-like helpers). */
export function freeNow(a: Alloc): void {
  if (a.freed) {
    throw new Violation('double-free', `BUG: KASAN: double-free of ${a.name}#${a.id} by ${CUR.name}`, [`first freed by ${a.freedBy} at step ${a.freedStep}`]);
  }
  if (RT.det.lifetime) {
    for (const t of RT.threads) {
      if (t.done || t === CUR || !t.rcuRefs) continue;
      if (t.rcuRefs.some((o) => allocOf(o) === a)) {
        throw new Violation('use-after-free', `${a.name}#${a.id} freed by ${CUR.name} while ${t.name} is inside an RCU read-side critical section that dereferenced it (freed before a grace period ended)`);
      }
    }
  }
  a.freed = true;
  a.freedBy = CUR ? CUR.name : 'setup';
  a.freedStep = RT.steps;
}

/** kmemleak_not_leak(): this object is meant to outlive the execution. */
export function kmemleak_not_leak(obj: object): void {
  const a = allocOf(obj);
  if (a) a.notLeak = true;
}

function checkLeaks(): void {
  if (!RT.det.leaks) return;
  const r = RT.ext.get('alloc') as Registry;
  const leaked = r.all.filter((a) => !a.freed && !a.notLeak);
  if (leaked.length > 0) {
    throw new Violation('leak', `kmemleak: ${leaked.length} unreferenced object(s) at the end of the execution: ${leaked.slice(0, 5).map((a) => `${a.name}#${a.id}`).join(', ')}${leaked.length > 5 ? ' ...' : ''}`,
      leaked.slice(0, 10).map((a) => `${a.name}#${a.id} allocated by ${a.byThread}`));
  }
}

/** Number of live (allocated, not freed) objects, optionally of one name. */
export function kmalloc_live(name?: string): number {
  const r = RT.ext.get('alloc') as Registry | undefined;
  if (!r) return 0;
  return r.all.filter((a) => !a.freed && (name === undefined || a.name === name)).length;
}

/** Turns allocation-failure injection on for this execution (CONFIG_FAILSLAB). */
export function failslab(on = true): void {
  RT.ext.set('failslab', on);
}
