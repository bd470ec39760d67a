// RCU (include/linux/rcupdate.h, kernel/rcu/): read-side critical sections
// (explicit, and implied by disabled preemption, interrupts or bottom halves
// and by interrupt context, as with the consolidated RCU of v5.0), grace
// periods for synchronize_rcu(), callbacks for call_rcu()/kfree_rcu(), and
// lockdep-RCU's "suspicious RCU usage" checks. SRCU is here too.

import { VClock } from '../internal/rt/clock';
import { A_READ, A_SYNC, BLOCK_NONE, BLOCK_SLEEP, CUR, Op, RT, type KGen, type Thread } from '../internal/rt/kernel';
import { ModelUsageError, Violation } from '../internal/rt/violation';
import { allocOf, freeNow } from './alloc';
import type { Cell} from './cell';
import { rmwRelease } from './cell';
import { here, local_bh_disable, local_bh_enable, maybeQuiescent, might_sleep, preempt_disable, preempt_enable } from './context';

interface Snapshot {
  readonly readers: { th: Thread; gen: number }[];
}

interface Callback {
  readonly snap: Snapshot;
  readonly cpu: number;
  readonly name: string;
  readonly fn: () => KGen<unknown>;
  readonly daemon: boolean;
  readonly clock: VClock | null;
}

class RcuState {
  /** joined by every reader that starts: what completed grace periods published */
  gpClock: VClock | null = null;
  readonly callbacks: Callback[] = [];
  invoking = 0;
  readonly opGp: Op;
  constructor() {
    this.opGp = new Op('rcu_gp_kthread', this, BLOCK_SLEEP, A_SYNC, () => this.callbacks.some((c) => gpDone(c.snap)));
  }
}

function rcu(): RcuState {
  let s = RT.ext.get('rcu') as RcuState | undefined;
  if (!s) {
    s = new RcuState();
    RT.ext.set('rcu', s);
    RT.agent('rcu_gp_kthread', () => rcu_gp_kthread(s!), true);
  }
  return s;
}

function snapshot(): Snapshot {
  const readers: { th: Thread; gen: number }[] = [];
  for (const t of RT.threads) {
    if (!t.done && t !== CUR && t.inRcuReader) readers.push({ th: t, gen: t.rcuGen });
  }
  return { readers };
}

function gpDone(s: Snapshot): boolean {
  for (const r of s.readers) if (!r.th.done && r.th.rcuGen === r.gen) return false;
  return true;
}

function* rcu_gp_kthread(s: RcuState): KGen {
  for (;;) {
    yield s.opGp;
    const ready = s.callbacks.filter((c) => gpDone(c.snap));
    for (const c of ready) s.callbacks.splice(s.callbacks.indexOf(c), 1);
    for (const c of ready) {
      const cpu = RT.cpus[c.cpu] ?? RT.cpus[0]!;
      s.invoking++;
      RT.raiseItem(cpu, {
        name: `rcu:${c.name}`,
        hard: false,
        daemon: c.daemon,
        clock: c.clock,
        run: c.fn,
        onDone: () => {
          s.invoking--;
        },
      });
      if (!c.daemon) RT.pendingWork--;
    }
  }
}

export function* rcu_read_lock(): KGen {
  const th = CUR;
  th.rcuNesting++;
  if (RT.det.races && th.rcuNesting === 1) {
    const s = RT.ext.get('rcu') as RcuState | undefined;
    if (s?.gpClock) th.clock.join(s.gpClock);
  }
}
export function* rcu_read_unlock(): KGen {
  const th = CUR;
  if (th.rcuNesting === 0) throw new Violation('lock-misuse', `rcu_read_unlock() in ${th.name} without rcu_read_lock()`);
  th.rcuNesting--;
  maybeQuiescent(th);
}
export function* rcu_read_lock_bh(): KGen {
  yield* local_bh_disable();
  yield* rcu_read_lock();
}
export function* rcu_read_unlock_bh(): KGen {
  yield* rcu_read_unlock();
  yield* local_bh_enable();
}
export function* rcu_read_lock_sched(): KGen {
  yield* preempt_disable();
}
export function* rcu_read_unlock_sched(): KGen {
  yield* preempt_enable();
}
/** rcu_read_lock_held(): what lockdep-RCU accepts for rcu_dereference(). */
export function rcu_read_lock_held(): boolean {
  return CUR.rcuNesting > 0;
}
/** rcu_read_lock_bh_held(): also true in softirq context or with interrupts disabled. */
export function rcu_read_lock_bh_held(): boolean {
  const th = CUR;
  return th.rcuNesting > 0 || th.bhOff > 0 || th.kind === 'softirq' || th.irqsOff > 0 || th.kind === 'hardirq';
}

function suspicious(what: string): never {
  throw new Violation('lockdep-assert', `WARNING: suspicious RCU usage: ${what} by ${CUR.name}`, [
    'the pointer is read outside rcu_read_lock() and without the lock that protects it: it may be freed under the reader',
  ]);
}

function noteRef(th: Thread, v: unknown): void {
  if (v !== null && typeof v === 'object' && RT.det.lifetime && allocOf(v)) {
    (th.rcuRefs ??= []).push(v);
  }
}

/** rcu_dereference(p): a marked, dependency-ordered load inside an RCU reader. */
export function* rcu_dereference<T>(p: Cell<T>): KGen<T> {
  here();
  yield p.opRead;
  const th = CUR;
  if (RT.det.lockdep && th.rcuNesting === 0) suspicious(`rcu_dereference(${p.name}) outside rcu_read_lock()`);
  const v = p.load(true);
  if (RT.det.races && p.sync) th.clock.join(p.sync);
  noteRef(th, v);
  return v;
}
/** rcu_dereference_bh(p) */
export function* rcu_dereference_bh<T>(p: Cell<T>): KGen<T> {
  here();
  yield p.opRead;
  const th = CUR;
  if (RT.det.lockdep && !rcu_read_lock_bh_held()) suspicious(`rcu_dereference_bh(${p.name}) outside rcu_read_lock_bh()`);
  const v = p.load(true);
  if (RT.det.races && p.sync) th.clock.join(p.sync);
  noteRef(th, v);
  return v;
}
/** rcu_dereference_check(p, c): inside a reader or where `c` holds. */
export function* rcu_dereference_check<T>(p: Cell<T>, c: boolean): KGen<T> {
  here();
  yield p.opRead;
  const th = CUR;
  if (RT.det.lockdep && !c && th.rcuNesting === 0) suspicious(`rcu_dereference_check(${p.name})`);
  const v = p.load(true);
  if (RT.det.races && p.sync) th.clock.join(p.sync);
  noteRef(th, v);
  return v;
}
/** rcu_dereference_protected(p, c): the update side, `c` says why no reader lock is needed (a plain load). */
export function* rcu_dereference_protected<T>(p: Cell<T>, c: boolean): KGen<T> {
  here();
  yield p.opRead;
  if (RT.det.lockdep && !c) suspicious(`rcu_dereference_protected(${p.name}) without the protecting lock`);
  return p.load(false);
}
/** rcu_access_pointer(p): reads the pointer value only (no dereference allowed). */
export function* rcu_access_pointer<T>(p: Cell<T>): KGen<T> {
  here();
  yield p.opRead;
  return p.load(true);
}
/** rcu_assign_pointer(p, v): publishes with release ordering. */
export function* rcu_assign_pointer<T>(p: Cell<T>, v: T): KGen {
  here();
  yield p.opWrite;
  p.store(v, true);
  if (RT.det.races) {
    p.sync = null;
    rmwRelease(p as Cell<unknown>);
  }
}
/** RCU_INIT_POINTER(p, v): no ordering (NULL, or not yet visible to readers). */
export function* RCU_INIT_POINTER<T>(p: Cell<T>, v: T): KGen {
  here();
  yield p.opWrite;
  p.store(v, true);
}
/** rcu_replace_pointer(p, v, c): returns the old pointer. */
export function* rcu_replace_pointer<T>(p: Cell<T>, v: T, c: boolean): KGen<T> {
  const old = yield* rcu_dereference_protected(p, c);
  yield* rcu_assign_pointer(p, v);
  return old;
}

const OP_NONE = new Op('synchronize_rcu', null, BLOCK_NONE, A_READ);

/** synchronize_rcu(): waits until every reader that was running when it began has finished. */
export function* synchronize_rcu(): KGen {
  here();
  might_sleep('synchronize_rcu()');
  yield OP_NONE;
  const s = rcu();
  const snap = snapshot();
  const th = CUR;
  const start = RT.det.races ? th.clock.copy() : null;
  if (snap.readers.length > 0) {
    th.blockedOn = `synchronize_rcu: waiting for readers ${snap.readers.map((r) => r.th.name).join(', ')}`;
    yield new Op('synchronize_rcu(wait)', s, BLOCK_SLEEP, A_SYNC, () => gpDone(snap));
  }
  if (RT.det.races) {
    for (const r of snap.readers) th.clock.join(r.th.clock);
    s.gpClock = s.gpClock ?? new VClock();
    s.gpClock.join(start);
  }
}
export const synchronize_rcu_expedited = synchronize_rcu;
export const synchronize_net = synchronize_rcu;

/** struct rcu_head */
export interface RcuHead {
  readonly name?: string;
}

/** call_rcu(head, func): `func` runs in softirq context after a grace period. */
export function* call_rcu<H extends object>(head: H, func: (head: H) => KGen<unknown>, name = 'call_rcu'): KGen {
  here();
  const s = rcu();
  yield OP_NONE;
  const th = CUR;
  const daemon = th.daemon && (th.kind === 'agent' || th.kind === 'task');
  s.callbacks.push({
    snap: snapshot(),
    cpu: th.cpu ? th.cpu.id : 0,
    name,
    fn: () => func(head),
    daemon,
    clock: RT.det.races ? th.clock.copy() : null,
  });
  if (!daemon) RT.pendingWork++;
}

/** kfree_rcu(ptr): frees after a grace period. */
export function* kfree_rcu(obj: object): KGen {
  const a = allocOf(obj);
  if (!a) throw new ModelUsageError('kfree_rcu() of an object that kmalloc() did not return');
  yield* call_rcu(obj, function* () {
    freeNow(a);
  }, `kfree_rcu(${a.name})`);
}

const OP_BARRIER = new Op('rcu_barrier', null, BLOCK_SLEEP, A_SYNC, () => {
  const s = RT.ext.get('rcu') as RcuState | undefined;
  return !s || (s.callbacks.length === 0 && s.invoking === 0);
});

/** rcu_barrier(): waits until every queued callback has been invoked. */
export function* rcu_barrier(): KGen {
  here();
  might_sleep('rcu_barrier()');
  yield OP_BARRIER;
}

// ---- SRCU ---------------------------------------------------------------------------

/** struct srcu_struct: readers may sleep; grace periods are per structure. */
export class SrcuStruct {
  readonly readers = new Map<Thread, number>();
  readonly gens = new Map<Thread, number>();
  clock: VClock | null = null;
  readonly op: Op;
  constructor(readonly name = 'srcu') {
    this.op = new Op(`srcu(${name})`, this, BLOCK_NONE, A_SYNC);
  }
}
export type srcu_struct = SrcuStruct;
export function init_srcu_struct(name?: string): SrcuStruct {
  return new SrcuStruct(name);
}
/** srcu_read_lock(): returns the index to pass to srcu_read_unlock. */
export function* srcu_read_lock(sp: SrcuStruct): KGen<number> {
  here();
  yield sp.op;
  const th = CUR;
  sp.readers.set(th, (sp.readers.get(th) ?? 0) + 1);
  if (RT.det.races) th.clock.join(sp.clock);
  return 0;
}
export function* srcu_read_unlock(sp: SrcuStruct, idx: number): KGen {
  here();
  void idx;
  yield sp.op;
  const th = CUR;
  const n = sp.readers.get(th) ?? 0;
  if (n === 0) throw new Violation('lock-misuse', `srcu_read_unlock(${sp.name}) in ${th.name} without srcu_read_lock()`);
  if (n === 1) {
    sp.readers.delete(th);
    sp.gens.set(th, (sp.gens.get(th) ?? 0) + 1);
  } else sp.readers.set(th, n - 1);
}
export function* synchronize_srcu(sp: SrcuStruct): KGen {
  here();
  might_sleep(`synchronize_srcu(${sp.name})`);
  yield sp.op;
  const th = CUR;
  if (sp.readers.has(th)) throw new Violation('deadlock', `synchronize_srcu(${sp.name}) inside its own read-side critical section`);
  const snap = [...sp.readers.keys()].map((t) => ({ t, gen: sp.gens.get(t) ?? 0 }));
  const start = RT.det.races ? th.clock.copy() : null;
  if (snap.length > 0) {
    yield new Op(`synchronize_srcu(${sp.name})`, sp, BLOCK_SLEEP, A_SYNC, () => snap.every(({ t, gen }) => t.done || (sp.gens.get(t) ?? 0) !== gen));
  }
  if (RT.det.races) {
    for (const { t } of snap) th.clock.join(t.clock);
    sp.clock = sp.clock ?? new VClock();
    sp.clock.join(start);
  }
}
