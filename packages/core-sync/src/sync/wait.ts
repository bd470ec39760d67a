// Sleeping and waking: task states, schedule(), wake_up_process()
// (kernel/sched/core.c), wait queues and wait_event() (include/linux/wait.h,
// kernel/sched/wait.c) and completions (kernel/sched/completion.c).
// A lost wake-up shows up as a task that sleeps forever: the explorer
// reports it as a hung task at the end of the execution.

import { VClock } from '../internal/rt/clock';
import { A_SYNC, BLOCK_NONE, BLOCK_SLEEP, CUR, Op, RT, TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE, touchObj, type KGen, type Thread } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';
import { here, might_sleep } from './context';
import { jiffies, jiffiesToNs } from './time';

export { TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE };
export type task_struct = Thread;

const OP_SCHEDULE = new Op('schedule', null, BLOCK_SLEEP, A_SYNC, (th) => th.taskState === TASK_RUNNING);

const stateOps = new WeakMap<Thread, Op>();
function stateOp(th: Thread): Op {
  let op = stateOps.get(th);
  if (!op) {
    op = new Op(`set_current_state(${th.name})`, th, BLOCK_NONE, A_SYNC);
    stateOps.set(th, op);
  }
  return op;
}

/**
 * set_current_state(): a store to current->__state that wakers read, hence a
 * scheduling point; includes a full barrier, as the kernel's does.
 */
export function* set_current_state(state: number): KGen {
  here();
  yield stateOp(CUR);
  CUR.taskState = state;
}
/** __set_current_state(): without the barrier. */
export function* __set_current_state(state: number): KGen {
  here();
  yield stateOp(CUR);
  CUR.taskState = state;
}

/** schedule(): sleeps unless the task state is TASK_RUNNING (it was woken already). */
export function* schedule(): KGen {
  here();
  const th = CUR;
  if (th.taskState !== TASK_RUNNING) {
    might_sleep('schedule()');
    th.blockedOn = 'sleeping in schedule() until woken';
  }
  yield OP_SCHEDULE;
  if (th.wakeClock) {
    th.clock.join(th.wakeClock);
    th.wakeClock = null;
  }
}

/** wake_up_process(): returns true if the task was sleeping and is now runnable. */
export function* wake_up_process(th: Thread): KGen<boolean> {
  here();
  yield stateOp(th);
  return tryToWakeUp(th);
}

function tryToWakeUp(th: Thread): boolean {
  if (th.done || th.taskState === TASK_RUNNING) return false;
  th.taskState = TASK_RUNNING;
  if (RT.det.races) {
    th.wakeClock = th.wakeClock ?? new VClock();
    th.wakeClock.join(CUR.clock);
  }
  if (RT.trace) RT.note(`woke ${th.name}`);
  return true;
}

/** wait_queue_head_t */
export class WaitQueueHead {
  readonly waiters: { th: Thread; exclusive: boolean }[] = [];
  readonly op: Op;
  constructor(readonly name = 'wait_queue') {
    this.op = new Op(`wake_up(${name})`, this, BLOCK_NONE, A_SYNC);
  }
}
export type wait_queue_head_t = WaitQueueHead;

export function init_waitqueue_head(name?: string): WaitQueueHead {
  return new WaitQueueHead(name);
}
export const DECLARE_WAIT_QUEUE_HEAD = init_waitqueue_head;

export function* prepare_to_wait(wq: WaitQueueHead, state: number): KGen {
  here();
  yield wq.op;
  const th = CUR;
  if (!wq.waiters.some((w) => w.th === th)) wq.waiters.push({ th, exclusive: false });
  th.taskState = state;
}
export function* prepare_to_wait_exclusive(wq: WaitQueueHead, state: number): KGen {
  here();
  yield wq.op;
  const th = CUR;
  if (!wq.waiters.some((w) => w.th === th)) wq.waiters.push({ th, exclusive: true });
  th.taskState = state;
}
export function* finish_wait(wq: WaitQueueHead): KGen {
  const th = CUR;
  th.taskState = TASK_RUNNING;
  const i = wq.waiters.findIndex((w) => w.th === th);
  if (i >= 0) {
    yield wq.op;
    wq.waiters.splice(i, 1);
  }
}

function wakeQueue(wq: WaitQueueHead, nrExclusive: number): number {
  let woken = 0;
  let excl = nrExclusive;
  for (const w of [...wq.waiters]) {
    if (tryToWakeUp(w.th)) woken++;
    // autoremove_wake_function: a woken entry leaves the queue
    wq.waiters.splice(wq.waiters.indexOf(w), 1);
    if (w.exclusive && --excl === 0) break;
  }
  return woken;
}

/** wake_up(): wakes every non-exclusive waiter and one exclusive waiter. */
export function* wake_up(wq: WaitQueueHead): KGen {
  here();
  yield wq.op;
  wakeQueue(wq, 1);
}
export function* wake_up_all(wq: WaitQueueHead): KGen {
  here();
  yield wq.op;
  wakeQueue(wq, 0);
}
export const wake_up_interruptible = wake_up;
export const wake_up_interruptible_all = wake_up_all;

/** A wait_event() condition: a plain predicate or kernel code returning a boolean. */
export type WaitCondition = () => boolean | KGen<boolean>;

function* evalCond(cond: WaitCondition): KGen<boolean> {
  const r = cond();
  if (typeof r === 'boolean') return r;
  return yield* r;
}

/** wait_event(wq, condition): sleeps until the condition holds, re-checking after each wake-up. */
export function* wait_event(wq: WaitQueueHead, cond: WaitCondition): KGen {
  might_sleep(`wait_event(${wq.name})`);
  if (yield* evalCond(cond)) return;
  for (;;) {
    yield* prepare_to_wait(wq, TASK_UNINTERRUPTIBLE);
    if (yield* evalCond(cond)) break;
    CUR.blockedOn = `wait_event(${wq.name})`;
    yield* schedule();
  }
  yield* finish_wait(wq);
}
/** No signals are modelled: as wait_event, returning 0. */
export function* wait_event_interruptible(wq: WaitQueueHead, cond: WaitCondition): KGen<number> {
  yield* wait_event(wq, cond);
  return 0;
}

/** wait_event_timeout(): the remaining jiffies (at least 1) if the condition held, else 0. */
export function* wait_event_timeout(wq: WaitQueueHead, cond: WaitCondition, timeout: number): KGen<number> {
  might_sleep(`wait_event_timeout(${wq.name})`);
  if (yield* evalCond(cond)) return Math.max(timeout, 1);
  let remaining = timeout;
  for (;;) {
    yield* prepare_to_wait(wq, TASK_UNINTERRUPTIBLE);
    const ok = yield* evalCond(cond);
    if (ok) break;
    if (remaining <= 0) break;
    remaining = yield* schedule_timeout(remaining);
  }
  yield* finish_wait(wq);
  const ok = yield* evalCond(cond);
  if (ok) return Math.max(remaining, 1);
  return 0;
}

/** MAX_SCHEDULE_TIMEOUT */
export const MAX_SCHEDULE_TIMEOUT = Number.MAX_SAFE_INTEGER;

/**
 * schedule_timeout(): sleeps until woken or until `timeout` jiffies pass
 * (kernel/time/sleep_timeout.c); returns the jiffies left (0 on timeout).
 */
export function* schedule_timeout(timeout: number): KGen<number> {
  const th = CUR;
  if (timeout === MAX_SCHEDULE_TIMEOUT) {
    yield* schedule();
    return MAX_SCHEDULE_TIMEOUT;
  }
  if (timeout < 0) throw new Violation('warning', `schedule_timeout: wrong timeout value ${timeout}`);
  const expire = jiffies() + timeout;
  const ev = RT.at(jiffiesToNs(expire), () => {
    if (th.taskState !== TASK_RUNNING && !th.done) th.taskState = TASK_RUNNING;
  }, th.daemon);
  yield* schedule();
  RT.cancel(ev);
  const left = expire - jiffies();
  return left < 0 ? 0 : left;
}
export function* schedule_timeout_uninterruptible(timeout: number): KGen<number> {
  CUR.taskState = TASK_UNINTERRUPTIBLE;
  return yield* schedule_timeout(timeout);
}

// ---- completions ---------------------------------------------------------------

const UINT_MAX = 4294967295;

/** struct completion */
export class Completion {
  done = 0;
  clock: VClock | null = null;
  readonly opWait: Op;
  readonly opComplete: Op;
  constructor(readonly name = 'completion') {
    this.opWait = new Op(`wait_for_completion(${name})`, this, BLOCK_SLEEP, A_SYNC, () => this.done > 0);
    this.opComplete = new Op(`complete(${name})`, this, BLOCK_NONE, A_SYNC);
  }
}
export type completion = Completion;

export function init_completion(name?: string): Completion {
  return new Completion(name);
}
export const DECLARE_COMPLETION = init_completion;

export function reinit_completion(x: Completion): void {
  x.done = 0;
}

function publish(x: Completion): void {
  if (!RT.det.races) return;
  x.clock = x.clock ?? new VClock();
  x.clock.join(CUR.clock);
  CUR.clock.tick(CUR.id);
}

export function* complete(x: Completion): KGen {
  here();
  yield x.opComplete;
  if (x.done !== UINT_MAX) x.done++;
  publish(x);
}
export function* complete_all(x: Completion): KGen {
  here();
  yield x.opComplete;
  x.done = UINT_MAX;
  publish(x);
}
export function* wait_for_completion(x: Completion): KGen {
  here();
  might_sleep(`wait_for_completion(${x.name})`);
  if (x.done === 0) CUR.blockedOn = `waiting for ${x.name}`;
  yield x.opWait;
  if (x.done !== UINT_MAX) x.done--;
  if (RT.det.races) CUR.clock.join(x.clock);
}
/** Returns the jiffies left (at least 1) on success, 0 on timeout. */
export function* wait_for_completion_timeout(x: Completion, timeout: number): KGen<number> {
  here();
  might_sleep(`wait_for_completion_timeout(${x.name})`);
  const th = CUR;
  const deadline = jiffies() + timeout;
  const deadlineNs = jiffiesToNs(deadline);
  const op = new Op(`wait_for_completion_timeout(${x.name})`, x, BLOCK_SLEEP, A_SYNC, () => x.done > 0 || RT.now >= deadlineNs);
  const ev = RT.at(deadlineNs, null, th.daemon);
  yield op;
  RT.cancel(ev);
  if (x.done > 0) {
    if (x.done !== UINT_MAX) x.done--;
    if (RT.det.races) th.clock.join(x.clock);
    return Math.max(deadline - jiffies(), 1);
  }
  return 0;
}
export function* try_wait_for_completion(x: Completion): KGen<boolean> {
  here();
  yield x.opComplete;
  if (x.done === 0) return false;
  if (x.done !== UINT_MAX) x.done--;
  if (RT.det.races) CUR.clock.join(x.clock);
  return true;
}
export function completion_done(x: Completion): boolean {
  touchObj(x, false);
  return x.done > 0;
}
