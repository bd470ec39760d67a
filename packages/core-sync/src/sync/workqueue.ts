// Workqueues (kernel/workqueue.c): work items with the PENDING bit (queueing
// pending work is a no-op returning false), per-CPU pools whose workers run
// one item at a time unless the running one sleeps (concurrency-managed
// workqueues), ordered and unbound workqueues, delayed work on timers,
// flush and cancel with the kernel's return values, and the lockdep maps
// that make "flush while holding a lock the work takes" a reported cycle.

import { VClock } from '../internal/rt/clock';
import { A_SYNC, BLOCK_NONE, BLOCK_SLEEP, CUR, Op, RT, type KGen, type LockLike, type Thread, type TimeEvent } from '../internal/rt/kernel';
import { ModelUsageError, Violation } from '../internal/rt/violation';
import { here, might_sleep } from './context';
import { lockdep_acquire } from './lockdep';
import { jiffies, jiffiesToNs } from './time';

export type WorkFn = (work: WorkStruct) => KGen<unknown>;

export const WQ_UNBOUND = 1 << 1;
export const WQ_FREEZABLE = 1 << 2;
export const WQ_MEM_RECLAIM = 1 << 3;
export const WQ_HIGHPRI = 1 << 4;
export const WQ_CPU_INTENSIVE = 1 << 5;
export const __WQ_ORDERED = 1 << 17;
export const WQ_MAX_ACTIVE = 512;
export const WQ_DFL_ACTIVE = WQ_MAX_ACTIVE / 2;
/** WORK_CPU_UNBOUND: queue on the local CPU */
export const WORK_CPU_UNBOUND = -1;

/** A lockdep map: a pseudo-lock that lets lockdep see waits on work and workqueues. */
class LockMap implements LockLike {
  readonly sleeping = true;
  constructor(
    readonly name: string,
    readonly cls: string,
  ) {}
}

/** struct work_struct */
export class WorkStruct {
  pending = false;
  running: Thread | null = null;
  pool: Pool | null = null;
  startGen = 0;
  doneGen = 0;
  clock: VClock | null = null;
  doneClock: VClock | null = null;
  daemon = false;
  /** what the work is embedded in (container_of) */
  container: unknown;
  /** the delayed_work this work belongs to, if any (to_delayed_work) */
  dwork: DelayedWork | null = null;
  readonly map: LockMap;
  readonly op: Op;
  constructor(
    readonly fn: WorkFn,
    readonly name: string,
    container: unknown,
  ) {
    this.container = container;
    this.map = new LockMap(`(work_completion)(${name})`, `work:${name}`);
    this.op = new Op(`work(${name})`, this, BLOCK_NONE, A_SYNC);
  }
}
export type work_struct = WorkStruct;

/** struct delayed_work */
export class DelayedWork {
  ev: TimeEvent | null = null;
  wq: Workqueue | null = null;
  cpu = WORK_CPU_UNBOUND;
  constructor(readonly work: WorkStruct) {
    work.dwork = this;
  }
}
export type delayed_work = DelayedWork;

class Pool {
  readonly worklist: WorkStruct[] = [];
  readonly workers: Thread[] = [];
  readonly busy = new Set<Thread>();
  readonly opIdle: Op;
  constructor(
    readonly wq: Workqueue,
    readonly cpu: number,
  ) {
    this.opIdle = new Op(`worker_thread(${wq.name})`, this, BLOCK_SLEEP, A_SYNC, () => this.worklist.length > 0 && this.canStart());
  }
  /** may a worker of this pool start the next item now? */
  canStart(): boolean {
    const wq = this.wq;
    if (wq.ordered) return wq.active === 0;
    if (this.busy.size >= wq.max_active) return false;
    if (wq.flags & WQ_UNBOUND) return true;
    // concurrency management: a bound pool runs one item at a time unless the running one sleeps
    for (const w of this.busy) {
      if (w.op.block !== BLOCK_SLEEP) return false;
      if (w.op.canProceed === null || w.op.canProceed(w)) return false;
    }
    return true;
  }
  idleWorkers(): number {
    return this.workers.length - this.busy.size;
  }
}

/** struct workqueue_struct */
export class Workqueue {
  readonly pools = new Map<number, Pool>();
  active = 0;
  readonly ordered: boolean;
  readonly map: LockMap;
  destroyed = false;
  constructor(
    readonly name: string,
    readonly flags: number,
    readonly max_active: number,
  ) {
    this.ordered = (flags & __WQ_ORDERED) !== 0;
    this.map = new LockMap(`(wq_completion)${name}`, `wq:${name}`);
  }
}
export type workqueue_struct = Workqueue;

const MAX_WORKERS = 4;

/** alloc_workqueue(name, flags, max_active) */
export function alloc_workqueue(name: string, flags = 0, max_active = 0): Workqueue {
  const ma = max_active === 0 ? WQ_DFL_ACTIVE : Math.min(max_active, WQ_MAX_ACTIVE);
  return new Workqueue(name, flags, (flags & __WQ_ORDERED) !== 0 ? 1 : ma);
}
/** alloc_ordered_workqueue(): one item at a time, in queueing order. */
export function alloc_ordered_workqueue(name: string, flags = 0): Workqueue {
  return alloc_workqueue(name, WQ_UNBOUND | __WQ_ORDERED | flags, 1);
}
/** create_singlethread_workqueue(): an ordered workqueue (include/linux/workqueue.h). */
export function create_singlethread_workqueue(name: string): Workqueue {
  return alloc_ordered_workqueue(name, WQ_MEM_RECLAIM);
}

function systemWq(key: string, flags: number): Workqueue {
  let wq = RT.ext.get(key) as Workqueue | undefined;
  if (!wq) {
    wq = alloc_workqueue(key, flags, 0);
    RT.ext.set(key, wq);
  }
  return wq;
}
export function system_wq(): Workqueue {
  return systemWq('events', 0);
}
export function system_highpri_wq(): Workqueue {
  return systemWq('events_highpri', WQ_HIGHPRI);
}
export function system_long_wq(): Workqueue {
  return systemWq('events_long', 0);
}
export function system_unbound_wq(): Workqueue {
  return systemWq('events_unbound', WQ_UNBOUND);
}
export function system_freezable_wq(): Workqueue {
  return systemWq('events_freezable', WQ_FREEZABLE);
}

/** INIT_WORK(work, fn): here it returns the work; `container` is what container_of() gives back. */
export function INIT_WORK(fn: WorkFn, container: unknown = null, name = fn.name || 'work'): WorkStruct {
  return new WorkStruct(fn, name, container);
}
/** INIT_DELAYED_WORK(dwork, fn) */
export function INIT_DELAYED_WORK(fn: WorkFn, container: unknown = null, name = fn.name || 'delayed_work'): DelayedWork {
  return new DelayedWork(new WorkStruct(fn, name, container));
}
/** container_of(work, type, member): the object given to INIT_WORK. */
export function container_of<T>(work: WorkStruct): T {
  return work.container as T;
}
/** to_delayed_work(work) */
export function to_delayed_work(work: WorkStruct): DelayedWork {
  if (!work.dwork) throw new ModelUsageError(`to_delayed_work(${work.name}): not a delayed work`);
  return work.dwork;
}

function poolFor(wq: Workqueue, cpu: number): Pool {
  const key = wq.ordered || wq.flags & WQ_UNBOUND ? -1 : cpu;
  let p = wq.pools.get(key);
  if (!p) {
    p = new Pool(wq, key < 0 ? cpu : key);
    wq.pools.set(key, p);
  }
  return p;
}

function localCpu(): number {
  return CUR && CUR.cpu ? CUR.cpu.id : 0;
}

/** __queue_work: put a pending work on its pool and make sure a worker will run it. */
function enqueue(wq: Workqueue, cpu: number, work: WorkStruct, from: Thread | null): void {
  if (wq.destroyed) throw new Violation('warning', `queueing ${work.name} on destroyed workqueue ${wq.name}`);
  // non-reentrancy: a work still running somewhere goes to the pool where it runs
  const pool = work.running && work.pool && work.pool.wq === wq ? work.pool : poolFor(wq, cpu === WORK_CPU_UNBOUND ? localCpu() : cpu);
  work.pool = pool;
  pool.worklist.push(work);
  work.daemon = from !== null && from.daemon && (from.kind === 'agent' || from.kind === 'task');
  if (!work.daemon) RT.pendingWork++;
  if (RT.det.races && from) {
    work.clock = from.clock.copy();
    from.clock.tick(from.id);
  }
  if (RT.trace) RT.note(`queued ${work.name} on ${wq.name}`);
  if (pool.idleWorkers() === 0 && pool.workers.length < (wq.ordered ? 1 : Math.min(wq.max_active, MAX_WORKERS))) {
    const n = pool.workers.length;
    const name = wq.ordered || wq.flags & WQ_UNBOUND ? `kworker/u:${wq.name}:${n}` : `kworker/${pool.cpu}:${wq.name}:${n}`;
    const th = RT.spawn(name, () => worker_thread(pool), pool.cpu, true, 'kworker');
    pool.workers.push(th);
  }
}

function* worker_thread(pool: Pool): KGen {
  const wq = pool.wq;
  for (;;) {
    yield pool.opIdle;
    const work = pool.worklist.shift()!;
    const th = CUR;
    // process_one_work: clear PENDING before calling the function, so it may requeue itself
    work.pending = false;
    work.running = th;
    th.ctx = work;
    work.startGen++;
    pool.busy.add(th);
    wq.active++;
    // non-reentrant: a run of a work is ordered after its previous run (pool->lock)
    if (RT.det.races) {
      th.clock.join(work.clock);
      th.clock.join(work.doneClock);
    }
    if (RT.trace) RT.note(`runs ${work.name}`);
    lockdep_acquire(wq.map, 'process_one_work', false);
    th.held.push({ lock: wq.map, how: 'process_one_work', at: RT.steps, loc: null });
    lockdep_acquire(work.map, 'process_one_work', false);
    th.held.push({ lock: work.map, how: 'process_one_work', at: RT.steps, loc: null });
    try {
      yield* work.fn(work);
    } finally {
      th.held = th.held.filter((h) => h.lock !== work.map && h.lock !== wq.map);
    }
    if (th.held.length > 0) {
      throw new Violation('lock-misuse', `BUG: workqueue leaked lock: ${work.name} returned holding ${th.held.map((h) => h.lock.name).join(', ')}`);
    }
    if (th.preempt > 0 || th.irqsOff > 0 || th.bhOff > 0 || th.rcuNesting > 0) {
      throw new Violation('lock-misuse', `BUG: workqueue leaked atomic or RCU state: ${work.name} returned with preempt_count ${th.preempt}, irqs off ${th.irqsOff}, bh off ${th.bhOff}, rcu nesting ${th.rcuNesting}`);
    }
    if (RT.det.races) {
      work.doneClock = work.doneClock ?? new VClock();
      work.doneClock.join(th.clock);
      const key = `wqdone:${wq.name}`;
      const wqDone = (RT.ext.get(key) as VClock | undefined) ?? new VClock();
      wqDone.join(th.clock);
      RT.ext.set(key, wqDone);
      th.clock.tick(th.id);
    }
    work.running = null;
    th.ctx = null;
    work.doneGen++;
    pool.busy.delete(th);
    wq.active--;
    if (!work.daemon) RT.pendingWork--;
  }
}

/** queue_work_on(): false if the work was already pending. */
export function* queue_work_on(cpu: number, wq: Workqueue, work: WorkStruct): KGen<boolean> {
  here();
  yield work.op;
  if (work.pending) return false;
  work.pending = true;
  enqueue(wq, cpu, work, CUR);
  return true;
}
/** queue_work(): queueing a pending work is a no-op returning false. */
export function* queue_work(wq: Workqueue, work: WorkStruct): KGen<boolean> {
  return yield* queue_work_on(WORK_CPU_UNBOUND, wq, work);
}
export function* schedule_work(work: WorkStruct): KGen<boolean> {
  return yield* queue_work(system_wq(), work);
}

function armDelayed(wq: Workqueue, cpu: number, dw: DelayedWork, delay: number): void {
  const work = dw.work;
  dw.wq = wq;
  dw.cpu = cpu;
  if (delay <= 0) {
    enqueue(wq, cpu, work, CUR);
    return;
  }
  const from = CUR;
  const daemon = from !== null && from.daemon && (from.kind === 'agent' || from.kind === 'task');
  const clock = RT.det.races && from ? from.clock.copy() : null;
  if (clock && from) from.clock.tick(from.id);
  // delayed_work_timer_fn queues the work when the timer expires
  dw.ev = RT.at(jiffiesToNs(jiffies() + delay), () => {
    dw.ev = null;
    enqueue(wq, cpu, work, null);
    if (clock) work.clock = clock;
    work.daemon = daemon;
    if (daemon) RT.pendingWork--;
  }, daemon);
}

/** queue_delayed_work_on() */
export function* queue_delayed_work_on(cpu: number, wq: Workqueue, dw: DelayedWork, delay: number): KGen<boolean> {
  here();
  yield dw.work.op;
  if (dw.work.pending) return false;
  dw.work.pending = true;
  armDelayed(wq, cpu, dw, delay);
  return true;
}
/** queue_delayed_work(wq, dwork, delay): delay in jiffies; false if already pending. */
export function* queue_delayed_work(wq: Workqueue, dw: DelayedWork, delay: number): KGen<boolean> {
  return yield* queue_delayed_work_on(WORK_CPU_UNBOUND, wq, dw, delay);
}
export function* schedule_delayed_work(dw: DelayedWork, delay: number): KGen<boolean> {
  return yield* queue_delayed_work(system_wq(), dw, delay);
}

/** try_to_grab_pending: takes the PENDING bit off a queued or timer-armed work; true if it was pending. */
function grab(work: WorkStruct): boolean {
  if (!work.pending) return false;
  const dw = work.dwork;
  if (dw && dw.ev) {
    RT.cancel(dw.ev);
    dw.ev = null;
    work.pending = false;
    return true;
  }
  const pool = work.pool;
  if (pool) {
    const i = pool.worklist.indexOf(work);
    if (i >= 0) {
      pool.worklist.splice(i, 1);
      if (!work.daemon) RT.pendingWork--;
    }
  }
  work.pending = false;
  return true;
}

/** mod_delayed_work_on(): modify the delay of a pending work or queue it; true if it was pending. */
export function* mod_delayed_work_on(cpu: number, wq: Workqueue, dw: DelayedWork, delay: number): KGen<boolean> {
  here();
  yield dw.work.op;
  const was = grab(dw.work);
  dw.work.pending = true;
  armDelayed(wq, cpu, dw, delay);
  return was;
}
export function* mod_delayed_work(wq: Workqueue, dw: DelayedWork, delay: number): KGen<boolean> {
  return yield* mod_delayed_work_on(WORK_CPU_UNBOUND, wq, dw, delay);
}

/** cancel_delayed_work(): true if it was pending; does not wait for a running callback. */
export function* cancel_delayed_work(dw: DelayedWork): KGen<boolean> {
  here();
  yield dw.work.op;
  return grab(dw.work);
}
/** cancel_work(): as cancel_delayed_work for a plain work. */
export function* cancel_work(work: WorkStruct): KGen<boolean> {
  here();
  yield work.op;
  return grab(work);
}

function waitOp(work: WorkStruct, target: number): Op {
  return new Op(`flush_work(${work.name})`, work, BLOCK_SLEEP, A_SYNC, () => work.doneGen >= target);
}

function* waitFor(work: WorkStruct, target: number, what: string): KGen {
  const th = CUR;
  if (work.running === th) {
    throw new Violation('deadlock', `${what}(${work.name}) called from ${work.name} itself: it waits for itself forever`);
  }
  th.blockedOn = `${what}: waiting for ${work.name} to finish`;
  yield waitOp(work, target);
  if (RT.det.races) th.clock.join(work.doneClock);
}

function lockdepWait(work: WorkStruct, how: string): void {
  // lock_map_acquire(&work->lockdep_map); lock_map_release(...)
  if (work.pool) lockdep_acquire(work.pool.wq.map, how, false);
  lockdep_acquire(work.map, how, false);
}

/** cancel_work_sync(): cancels and waits for a running instance; true if it was pending. */
export function* cancel_work_sync(work: WorkStruct): KGen<boolean> {
  here();
  might_sleep(`cancel_work_sync(${work.name})`);
  lockdepWait(work, 'cancel_work_sync');
  yield work.op;
  const was = grab(work);
  if (work.running) yield* waitFor(work, work.doneGen + 1, 'cancel_work_sync');
  // the kernel looks the work up under its pool's lock: ordered after a completed run
  else if (RT.det.races) CUR.clock.join(work.doneClock);
  return was;
}
/** cancel_delayed_work_sync() */
export function* cancel_delayed_work_sync(dw: DelayedWork): KGen<boolean> {
  return yield* cancel_work_sync(dw.work);
}

/** flush_work(): waits for the last queued instance to finish; true if it waited. */
export function* flush_work(work: WorkStruct): KGen<boolean> {
  here();
  might_sleep(`flush_work(${work.name})`);
  lockdepWait(work, 'flush_work');
  yield work.op;
  let target: number;
  if (work.pending) target = work.startGen + 1;
  else if (work.running) target = work.doneGen + 1;
  else {
    // already gone: start_flush_work took the pool lock the worker released
    if (RT.det.races) CUR.clock.join(work.doneClock);
    return false;
  }
  yield* waitFor(work, target, 'flush_work');
  return true;
}
/** flush_delayed_work(): queues a timer-armed work now, then flushes it. */
export function* flush_delayed_work(dw: DelayedWork): KGen<boolean> {
  here();
  yield dw.work.op;
  if (dw.ev && dw.wq) {
    RT.cancel(dw.ev);
    dw.ev = null;
    enqueue(dw.wq, dw.cpu, dw.work, CUR);
  }
  return yield* flush_work(dw.work);
}

const wqOps = new WeakMap<Workqueue, Op>();

/** flush_workqueue(): waits for every work queued before the call to finish. */
export function* flush_workqueue(wq: Workqueue): KGen {
  here();
  might_sleep(`flush_workqueue(${wq.name})`);
  lockdep_acquire(wq.map, 'flush_workqueue', false);
  let op = wqOps.get(wq);
  if (!op) {
    op = new Op(`flush_workqueue(${wq.name})`, wq, BLOCK_NONE, A_SYNC);
    wqOps.set(wq, op);
  }
  yield op;
  const targets: [WorkStruct, number][] = [];
  for (const pool of wq.pools.values()) {
    for (const w of pool.worklist) targets.push([w, w.startGen + 1]);
  }
  for (const pool of wq.pools.values()) {
    for (const w of allRunning(pool)) if (!targets.some(([x]) => x === w)) targets.push([w, w.doneGen + 1]);
  }
  for (const [w, target] of targets) {
    if (w.doneGen < target) yield* waitFor(w, target, 'flush_workqueue');
  }
  if (RT.det.races) {
    for (const pool of wq.pools.values()) for (const w of pool.worklist) CUR.clock.join(w.doneClock);
    const done = RT.ext.get(`wqdone:${wq.name}`) as VClock | undefined;
    if (done) CUR.clock.join(done);
  }
}

function allRunning(pool: Pool): WorkStruct[] {
  const out: WorkStruct[] = [];
  for (const t of pool.busy) {
    const w = (t.ctx as WorkStruct | null) ?? null;
    if (w) out.push(w);
  }
  return out;
}

/** drain_workqueue(): flushes until the workqueue is empty (requeued work included). */
export function* drain_workqueue(wq: Workqueue): KGen {
  for (let i = 0; i < 1000; i++) {
    yield* flush_workqueue(wq);
    let empty = true;
    for (const p of wq.pools.values()) if (p.worklist.length > 0 || p.busy.size > 0) empty = false;
    if (empty) return;
  }
  throw new Violation('warning', `drain_workqueue(${wq.name}) isn't complete after 1000 tries`);
}
/** destroy_workqueue(): drains, then any later queueing is a bug. */
export function* destroy_workqueue(wq: Workqueue): KGen {
  yield* drain_workqueue(wq);
  wq.destroyed = true;
}

export function work_pending(work: WorkStruct): boolean {
  return work.pending;
}
export function delayed_work_pending(dw: DelayedWork): boolean {
  return dw.work.pending;
}
/** work_busy-like: is the work running right now? */
export function work_running(work: WorkStruct): boolean {
  return work.running !== null;
}

