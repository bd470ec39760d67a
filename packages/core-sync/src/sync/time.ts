// Virtual time: jiffies and their conversions (include/linux/jiffies.h,
// kernel/time/time.c), timer_list (kernel/time/timer.c), hrtimers
// (kernel/time/hrtimer.c), delays (ndelay/udelay/mdelay) and sleeps
// (msleep, usleep_range). Time is integer nanoseconds since boot; HZ is a
// per-world setting.

import type { VClock } from '../internal/rt/clock';
import { A_SYNC, BLOCK_NONE, BLOCK_SLEEP, BLOCK_SPIN, CUR, Op, RT, type KGen, type Thread, type TimeEvent } from '../internal/rt/kernel';
import { ModelUsageError, Violation } from '../internal/rt/violation';
import { here, might_sleep } from './context';

export const NSEC_PER_USEC = 1000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;
export const USEC_PER_SEC = 1_000_000;
export const MSEC_PER_SEC = 1000;
/** On 64-bit: ((LONG_MAX >> 1) - 1), here the largest exact JS integer below it. */
export const MAX_JIFFY_OFFSET = Number.MAX_SAFE_INTEGER;

/** CONFIG_HZ of the running world. */
export function HZ(): number {
  return RT.opts.hz;
}

/** TICK_NSEC: the length of a jiffy in ns, rounded as the kernel does. */
export function TICK_NSEC(): number {
  const hz = RT.opts.hz;
  return Math.floor((NSEC_PER_SEC + Math.floor(hz / 2)) / hz);
}

/** The current value of jiffies. */
export function jiffies(): number {
  return RT.opts.initialJiffies + Math.floor(RT.now / TICK_NSEC());
}

/** The virtual time (ns) at which jiffies reaches `j`. */
export function jiffiesToNs(j: number): number {
  return (j - RT.opts.initialJiffies) * TICK_NSEC();
}

const u32 = (x: number | bigint): number => (typeof x === 'bigint' ? Number(BigInt.asUintN(32, x)) : Number(BigInt.asUintN(32, BigInt(Math.trunc(x)))));

/**
 * msecs_to_jiffies(const unsigned int m): rounds up; the argument is an
 * unsigned int, so a wider value is truncated to 32 bits as in C.
 */
export function msecs_to_jiffies(m: number | bigint, hz = RT.opts.hz): number {
  const v = u32(m);
  if (v > 0x7fffffff) return MAX_JIFFY_OFFSET; // (int)m < 0
  return Math.floor((v * hz + MSEC_PER_SEC - 1) / MSEC_PER_SEC);
}

/** usecs_to_jiffies(const unsigned int u): rounds up; truncates the argument to 32 bits. */
export function usecs_to_jiffies(u: number | bigint, hz = RT.opts.hz): number {
  const v = u32(u);
  if (v > 0x7fffffff) return MAX_JIFFY_OFFSET;
  return Math.floor((v * hz + USEC_PER_SEC - 1) / USEC_PER_SEC);
}

/** nsecs_to_jiffies(u64 n): rounds down (kernel/time/time.c). */
export function nsecs_to_jiffies(n: number, hz = RT.opts.hz): number {
  return Math.floor((n * hz) / NSEC_PER_SEC);
}

/** jiffies_to_msecs(const unsigned long j) */
export function jiffies_to_msecs(j: number, hz = RT.opts.hz): number {
  if (MSEC_PER_SEC % hz === 0) return (MSEC_PER_SEC / hz) * j;
  return Math.floor((j * MSEC_PER_SEC) / hz);
}
/** jiffies_to_usecs(const unsigned long j) */
export function jiffies_to_usecs(j: number, hz = RT.opts.hz): number {
  if (USEC_PER_SEC % hz === 0) return (USEC_PER_SEC / hz) * j;
  return Math.floor((j * USEC_PER_SEC) / hz);
}

/** time_after(a, b): a is after b (wrap-safe in C; exact here). */
export function time_after(a: number, b: number): boolean {
  return b - a < 0;
}
export function time_before(a: number, b: number): boolean {
  return time_after(b, a);
}
export function time_after_eq(a: number, b: number): boolean {
  return a - b >= 0;
}
export function time_before_eq(a: number, b: number): boolean {
  return time_after_eq(b, a);
}

/** ktime_get(): monotonic time in ns. */
export function ktime_get(): number {
  return RT.now;
}
export function ktime_get_ns(): number {
  return RT.now;
}

// ---- delays and sleeps --------------------------------------------------------

const OP_DELAY = new Op('ndelay', null, BLOCK_SPIN, A_SYNC, (th) => RT.now >= th.wakeAt);
const OP_SLEEP = new Op('sleep', null, BLOCK_SLEEP, A_SYNC, (th) => RT.now >= th.wakeAt);

function* busy(ns: number, what: string): KGen {
  if (!Number.isFinite(ns) || ns < 0) throw new ModelUsageError(`${what}: bad duration ${ns}`);
  here();
  const th = CUR;
  th.wakeAt = RT.now + Math.trunc(ns);
  RT.at(th.wakeAt, null, th.daemon);
  yield OP_DELAY;
}

/** ndelay(ns): busy-waits, consuming virtual CPU time (the cost model's unit). */
export function* ndelay(ns: number): KGen {
  yield* busy(ns, 'ndelay');
}
export function* udelay(us: number): KGen {
  yield* busy(us * NSEC_PER_USEC, 'udelay');
}
export function* mdelay(ms: number): KGen {
  yield* busy(ms * NSEC_PER_MSEC, 'mdelay');
}

function* sleepUntil(at: number, what: string): KGen {
  here();
  might_sleep(what);
  const th = CUR;
  th.wakeAt = at;
  th.blockedOn = `${what} until ${at} ns`;
  RT.at(at, null, th.daemon);
  yield OP_SLEEP;
}

/** msleep(): schedule_timeout_uninterruptible(msecs_to_jiffies(m) + 1), to a jiffy boundary. */
export function* msleep(ms: number): KGen {
  const timeout = msecs_to_jiffies(ms) + 1;
  yield* sleepUntil(jiffiesToNs(jiffies() + timeout), `msleep(${ms})`);
}
/** ssleep(s) */
export function* ssleep(s: number): KGen {
  yield* msleep(s * 1000);
}
/** usleep_range(min, max): an hrtimer sleep; here it sleeps exactly `min` us. */
export function* usleep_range(min: number, max: number): KGen {
  if (max < min) throw new ModelUsageError(`usleep_range(${min}, ${max}): max below min`);
  yield* sleepUntil(RT.now + min * NSEC_PER_USEC, `usleep_range(${min}, ${max})`);
}
/** fsleep(us) */
export const fsleep = (us: number): KGen => usleep_range(us, us);

// ---- timer_list ------------------------------------------------------------------

export type TimerFn = (t: TimerList) => KGen<unknown>;

/** struct timer_list */
export class TimerList {
  expires = 0;
  /** expired and handed to the timer softirq, callback not finished (base->running_timer) */
  inflight = false;
  /** clock of the last callback run, joined by del_timer_sync */
  doneClock: VClock | null = null;
  ev: TimeEvent | null = null;
  running: Thread | null = null;
  cpu = 0;
  clock: VClock | null = null;
  daemon = false;
  readonly op: Op;
  readonly opSync: Op;
  /** what the timer belongs to (container_of) */
  container: unknown = null;
  constructor(
    readonly fn: TimerFn,
    readonly flags: number,
    readonly name: string,
  ) {
    this.op = new Op(`timer(${name})`, this, BLOCK_NONE, A_SYNC);
    this.opSync = new Op(`del_timer_sync(${name})`, this, BLOCK_SPIN, A_SYNC, () => !this.inflight);
  }
}
export type timer_list = TimerList;

export const TIMER_DEFERRABLE = 0x00080000;
export const TIMER_PINNED = 0x00200000;
export const TIMER_IRQSAFE = 0x00400000;

/** timer_setup(timer, callback, flags): here it returns the timer. */
export function timer_setup(fn: TimerFn, flags = 0, name = fn.name || 'timer', container: unknown = null): TimerList {
  const t = new TimerList(fn, flags, name);
  t.container = container;
  return t;
}

function arm(t: TimerList, expires: number): void {
  const th = CUR;
  t.expires = expires;
  t.cpu = th && th.cpu ? th.cpu.id : 0;
  t.daemon = th ? th.daemon : false;
  if (RT.det.races && th) {
    t.clock = th.clock.copy();
    th.clock.tick(th.id);
  }
  // a timer already due fires on the next tick
  const tick = TICK_NSEC();
  const at = Math.max(jiffiesToNs(expires), Math.ceil(RT.now / tick) * tick);
  t.ev = RT.at(at, () => fire(t), t.daemon);
}

function fire(t: TimerList): void {
  t.ev = null;
  t.inflight = true;
  const cpu = RT.cpus[t.cpu] ?? RT.cpus[0]!;
  RT.raiseItem(cpu, {
    name: `timer:${t.name}`,
    hard: false,
    daemon: t.daemon,
    clock: t.clock,
    run: function* () {
      t.running = CUR;
      yield* t.fn(t);
      if (RT.det.races) t.doneClock = CUR.clock.copy();
    },
    onDone: () => {
      t.running = null;
      t.inflight = false;
    },
  });
}

function detach(t: TimerList): boolean {
  if (!t.ev) return false;
  RT.cancel(t.ev);
  t.ev = null;
  return true;
}

/** add_timer(): BUG if already pending. */
export function* add_timer(t: TimerList): KGen {
  here();
  yield t.op;
  if (t.ev) throw new Violation('assertion', `BUG_ON(timer_pending(${t.name})) in add_timer`);
  arm(t, t.expires);
}
/** mod_timer(): returns 1 if the timer was pending, 0 otherwise. */
export function* mod_timer(t: TimerList, expires: number): KGen<number> {
  here();
  yield t.op;
  const was = detach(t);
  arm(t, expires);
  return was ? 1 : 0;
}
/** timer_reduce(): only moves an armed timer earlier. */
export function* timer_reduce(t: TimerList, expires: number): KGen<number> {
  here();
  yield t.op;
  if (t.ev && time_before_eq(t.expires, expires)) return 1;
  const was = detach(t);
  arm(t, expires);
  return was ? 1 : 0;
}
/** del_timer() / timer_delete(): returns 1 if it deactivated a pending timer. */
export function* del_timer(t: TimerList): KGen<number> {
  here();
  yield t.op;
  return detach(t) ? 1 : 0;
}
export const timer_delete = del_timer;
/** del_timer_sync() / timer_delete_sync(): also waits for a running callback to finish. */
export function* del_timer_sync(t: TimerList): KGen<number> {
  here();
  const th = CUR;
  if (t.running === th) throw new Violation('deadlock', `del_timer_sync(${t.name}) called from its own callback: it waits for itself forever`);
  if (th.kind === 'hardirq' && !(t.flags & TIMER_IRQSAFE)) {
    throw new Violation('warning', `del_timer_sync(${t.name}) in hardirq context on a timer that is not TIMER_IRQSAFE`);
  }
  yield t.op;
  const was = detach(t);
  if (t.inflight) th.blockedOn = `waiting for the callback of ${t.name} to finish`;
  yield t.opSync;
  if (RT.det.races) th.clock.join(t.doneClock);
  return was ? 1 : 0;
}
export const timer_delete_sync = del_timer_sync;
export function timer_pending(t: TimerList): boolean {
  return t.ev !== null;
}

// ---- hrtimers ---------------------------------------------------------------------

export const HRTIMER_NORESTART = 0;
export const HRTIMER_RESTART = 1;
export const HRTIMER_MODE_ABS = 0x00;
export const HRTIMER_MODE_REL = 0x01;
export const HRTIMER_MODE_SOFT = 0x04;
export const HRTIMER_MODE_REL_SOFT = HRTIMER_MODE_REL | HRTIMER_MODE_SOFT;
export const HRTIMER_MODE_ABS_SOFT = HRTIMER_MODE_ABS | HRTIMER_MODE_SOFT;
export const CLOCK_MONOTONIC = 1;

export type HrtimerFn = (t: Hrtimer) => KGen<number>;

/** struct hrtimer */
export class Hrtimer {
  expires = 0;
  inflight = false;
  doneClock: VClock | null = null;
  ev: TimeEvent | null = null;
  running: Thread | null = null;
  soft = false;
  cpu = 0;
  clock: VClock | null = null;
  daemon = false;
  readonly op: Op;
  readonly opSync: Op;
  container: unknown = null;
  constructor(
    readonly fn: HrtimerFn,
    readonly name: string,
  ) {
    this.op = new Op(`hrtimer(${name})`, this, BLOCK_NONE, A_SYNC);
    this.opSync = new Op(`hrtimer_cancel(${name})`, this, BLOCK_SPIN, A_SYNC, () => !this.inflight);
  }
}
export type hrtimer = Hrtimer;

/** hrtimer_setup(timer, function, clock, mode): here it returns the timer. */
export function hrtimer_setup(fn: HrtimerFn, _clock = CLOCK_MONOTONIC, mode = HRTIMER_MODE_REL, name = fn.name || 'hrtimer', container: unknown = null): Hrtimer {
  const t = new Hrtimer(fn, name);
  t.soft = (mode & HRTIMER_MODE_SOFT) !== 0;
  t.container = container;
  return t;
}

function armHr(t: Hrtimer, at: number): void {
  const th = CUR;
  t.expires = at;
  t.cpu = th && th.cpu ? th.cpu.id : 0;
  t.daemon = th ? th.daemon : false;
  if (RT.det.races && th) {
    t.clock = th.clock.copy();
    th.clock.tick(th.id);
  }
  t.ev = RT.at(at, () => fireHr(t), t.daemon);
}

function fireHr(t: Hrtimer): void {
  t.ev = null;
  t.inflight = true;
  const cpu = RT.cpus[t.cpu] ?? RT.cpus[0]!;
  RT.raiseItem(cpu, {
    name: `hrtimer:${t.name}`,
    hard: !t.soft,
    daemon: t.daemon,
    clock: t.clock,
    run: function* () {
      t.running = CUR;
      const r = yield* t.fn(t);
      if (RT.det.races) t.doneClock = CUR.clock.copy();
      if (r === HRTIMER_RESTART && !t.ev) {
        t.ev = RT.at(t.expires, () => fireHr(t), t.daemon);
      }
    },
    onDone: () => {
      t.running = null;
      t.inflight = false;
    },
  });
}

/** hrtimer_start(timer, tim, mode): `tim` in ns, relative or absolute. */
export function* hrtimer_start(t: Hrtimer, tim: number, mode = HRTIMER_MODE_REL): KGen {
  here();
  yield t.op;
  if (t.ev) {
    RT.cancel(t.ev);
    t.ev = null;
  }
  armHr(t, (mode & HRTIMER_MODE_REL) !== 0 ? RT.now + tim : tim);
}
/** hrtimer_forward_now(timer, interval): moves the expiry past now; returns the overruns. */
export function hrtimer_forward_now(t: Hrtimer, interval: number): number {
  if (interval <= 0) throw new ModelUsageError('hrtimer_forward_now: interval must be positive');
  if (t.expires > RT.now) return 0;
  const n = Math.floor((RT.now - t.expires) / interval) + 1;
  t.expires += n * interval;
  return n;
}
/** hrtimer_try_to_cancel(): 1 if it was active, 0 if not, -1 if the callback is running. */
export function* hrtimer_try_to_cancel(t: Hrtimer): KGen<number> {
  here();
  yield t.op;
  if (t.inflight) return -1;
  if (!t.ev) return 0;
  RT.cancel(t.ev);
  t.ev = null;
  return 1;
}
/** hrtimer_cancel(): cancels and waits for a running callback; 1 if it was active. */
export function* hrtimer_cancel(t: Hrtimer): KGen<number> {
  here();
  if (t.running === CUR) throw new Violation('deadlock', `hrtimer_cancel(${t.name}) from its own callback waits for itself forever`);
  yield t.op;
  let was = 0;
  if (t.ev) {
    RT.cancel(t.ev);
    t.ev = null;
    was = 1;
  }
  yield t.opSync;
  if (RT.det.races) CUR.clock.join(t.doneClock);
  return was;
}
export function hrtimer_active(t: Hrtimer): boolean {
  return t.ev !== null || t.inflight;
}
