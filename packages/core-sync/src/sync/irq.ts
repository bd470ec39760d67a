// Interrupts (kernel/irq/manage.c, chip.c, spurious.c): an interrupt
// controller with edge and level lines, masking through disable_irq depth,
// delivery to a CPU where local interrupts are enabled, request_irq /
// free_irq / synchronize_irq, threaded handlers, and the device side that
// hw-emu's devices use to raise a line.

import { VClock } from '../internal/rt/clock';
import { A_SYNC, BLOCK_NONE, BLOCK_SLEEP, CUR, Op, RT, touchIrqLine, type Cpu, type IrqSource, type KGen, type Thread } from '../internal/rt/kernel';
import { ModelUsageError, Violation } from '../internal/rt/violation';
import { EBUSY, EINVAL } from '../errno';
import { here, might_sleep } from './context';

export type irqreturn_t = number;
export const IRQ_NONE = 0;
export const IRQ_HANDLED = 1;
export const IRQ_WAKE_THREAD = 2;

export const IRQF_SHARED = 0x00000080;
export const IRQF_ONESHOT = 0x00002000;
export const IRQF_NO_AUTOEN = 0x00080000;
export const IRQF_TRIGGER_RISING = 0x00000001;
export const IRQF_TRIGGER_FALLING = 0x00000002;
export const IRQF_TRIGGER_HIGH = 0x00000004;
export const IRQF_TRIGGER_LOW = 0x00000008;

export type IrqHandler = (irq: number, dev_id: unknown) => KGen<irqreturn_t>;

interface IrqAction {
  readonly handler: IrqHandler;
  readonly thread_fn: IrqHandler | null;
  readonly flags: number;
  readonly name: string;
  readonly dev_id: unknown;
  thread: Thread | null;
  threadPending: boolean;
  threadRunning: boolean;
  clock: VClock | null;
}

/** Consecutive unhandled interrupts after which a line is disabled ("nobody cared"); the kernel uses 99,900 of 100,000. */
export const IRQ_SPURIOUS_LIMIT = 1000;

/** struct irq_desc */
export class IrqDesc {
  readonly actions: IrqAction[] = [];
  depth = 0;
  /** edge latch */
  pending = false;
  /** level line asserted */
  level = false;
  inProgress = false;
  trigger: 'edge' | 'level' = 'edge';
  affinity: number[] = [0];
  raiseClock: VClock | null = null;
  raiserDaemon = true;
  unhandledRun = 0;
  count = 0;
  unhandled = 0;
  nobodyCared = false;
  oneshotMasked = false;
  /** desc->lock: what synchronize_irq and (de)registration published, joined by handlers at entry */
  lockClock: VClock | null = null;
  /** handlers' exits, joined by synchronize_irq when it returns */
  exitClock: VClock | null = null;
  readonly op: Op;
  readonly opSync: Op;
  constructor(readonly irq: number) {
    this.op = new Op(`irq${irq}`, this, BLOCK_NONE, A_SYNC);
    this.opSync = new Op(`synchronize_irq(${irq})`, this, BLOCK_SLEEP, A_SYNC, () => !this.inProgress && this.actions.every((a) => !a.threadRunning && !a.threadPending));
  }
  get asserted(): boolean {
    return this.trigger === 'edge' ? this.pending : this.level;
  }
}

class IrqController implements IrqSource {
  readonly descs = new Map<number, IrqDesc>();
  desc(irq: number): IrqDesc {
    if (!Number.isInteger(irq) || irq < 0 || irq > 1023) throw new ModelUsageError(`irq ${irq}: not a valid interrupt number (0..1023)`);
    let d = this.descs.get(irq);
    if (!d) {
      d = new IrqDesc(irq);
      this.descs.set(irq, d);
    }
    return d;
  }
  deliverable(cpu: Cpu, out: number[]): void {
    for (const d of this.descs.values()) {
      if (d.actions.length > 0 && d.depth === 0 && !d.oneshotMasked && !d.inProgress && d.asserted && d.affinity.includes(cpu.id)) out.push(d.irq);
    }
  }
  deliver(line: number, _cpu: Cpu) {
    const d = this.descs.get(line)!;
    d.inProgress = true;
    if (d.trigger === 'edge') d.pending = false;
    d.count++;
    const daemon = d.raiserDaemon;
    let clock = d.raiseClock;
    if (RT.det.races && d.lockClock) {
      clock = clock ? clock.copy() : new VClock();
      clock.join(d.lockClock);
    }
    return {
      name: `irq${line}`,
      gen: handle_irq(d),
      clock,
      daemon,
      onExit: (th: Thread) => {
        d.inProgress = false;
        if (RT.det.races) {
          d.exitClock = d.exitClock ?? new VClock();
          d.exitClock.join(th.clock);
        }
      },
    };
  }
  get hasNonDaemonPending(): boolean {
    for (const d of this.descs.values()) {
      if (!d.raiserDaemon && d.asserted && d.actions.length > 0 && d.depth === 0 && !d.nobodyCared) return true;
    }
    return false;
  }
}

function controller(): IrqController {
  let c = RT.ext.get('irq') as IrqController | undefined;
  if (!c) {
    c = new IrqController();
    RT.ext.set('irq', c);
    RT.irqSources.push(c);
  }
  return c;
}

/** The descriptor of an interrupt line (for tests and device models). */
export function irq_to_desc(irq: number): IrqDesc {
  return controller().desc(irq);
}

function* handle_irq(d: IrqDesc): KGen<irqreturn_t> {
  let ret = IRQ_NONE;
  for (const a of [...d.actions]) {
    const r = yield* a.handler(d.irq, a.dev_id);
    if (r !== IRQ_NONE && r !== IRQ_HANDLED && r !== IRQ_WAKE_THREAD) {
      throw new Violation('warning', `irq ${d.irq} handler ${a.name} returned ${r}, not an irqreturn_t`);
    }
    if (r === IRQ_WAKE_THREAD) {
      if (!a.thread_fn) throw new Violation('warning', `irq ${d.irq}: ${a.name} returned IRQ_WAKE_THREAD without a thread function`);
      a.threadPending = true;
      if (a.flags & IRQF_ONESHOT) d.oneshotMasked = true;
      if (RT.det.races) a.clock = CUR.clock.copy();
    }
    ret |= r;
  }
  // note_interrupt(): a line nobody handles is disabled after a storm
  if (ret === IRQ_NONE) {
    d.unhandled++;
    d.unhandledRun++;
    if (d.unhandledRun >= IRQ_SPURIOUS_LIMIT) {
      d.nobodyCared = true;
      d.depth++;
      RT.note(`irq ${d.irq}: nobody cared, disabling`);
    }
  } else d.unhandledRun = 0;
  return ret;
}

function* irq_thread(d: IrqDesc, a: IrqAction): KGen {
  const opWait = new Op(`irq/${d.irq}-${a.name}`, a, BLOCK_SLEEP, A_SYNC, () => a.threadPending);
  for (;;) {
    yield opWait;
    a.threadPending = false;
    a.threadRunning = true;
    if (RT.det.races && a.clock) CUR.clock.join(a.clock);
    yield* a.thread_fn!(d.irq, a.dev_id);
    a.threadRunning = false;
    if (a.flags & IRQF_ONESHOT) d.oneshotMasked = false;
  }
}

/** request_threaded_irq(): 0, -EBUSY when the line is taken and not shared, -EINVAL on bad arguments. */
export function* request_threaded_irq(irq: number, handler: IrqHandler | null, thread_fn: IrqHandler | null, flags: number, name: string, dev_id: unknown): KGen<number> {
  here();
  might_sleep(`request_irq(${irq})`);
  const d = controller().desc(irq);
  yield d.op;
  if (!handler && !thread_fn) return -EINVAL;
  if ((flags & IRQF_SHARED) && dev_id == null) return -EINVAL;
  if (!handler && !(flags & IRQF_ONESHOT)) return -EINVAL;
  if (d.actions.length > 0) {
    const shared = d.actions.every((a) => a.flags & IRQF_SHARED) && flags & IRQF_SHARED;
    if (!shared) return -EBUSY;
  }
  const a: IrqAction = {
    handler: handler ?? (function* () {
      return IRQ_WAKE_THREAD;
    }),
    thread_fn,
    flags,
    name,
    dev_id,
    thread: null,
    threadPending: false,
    threadRunning: false,
    clock: null,
  };
  if (thread_fn) a.thread = RT.spawn(`irq/${irq}-${name}`, () => irq_thread(d, a), d.affinity[0] ?? 0, true);
  if (flags & (IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW)) d.trigger = 'level';
  if (flags & (IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING)) d.trigger = 'edge';
  d.actions.push(a);
  descLock(d);
  if (d.actions.length === 1) {
    d.nobodyCared = false;
    d.unhandledRun = 0;
    if (flags & IRQF_NO_AUTOEN) d.depth = 1;
  }
  return 0;
}
/** request_irq(irq, handler, flags, name, dev) */
export function* request_irq(irq: number, handler: IrqHandler, flags: number, name: string, dev_id: unknown): KGen<number> {
  return yield* request_threaded_irq(irq, handler, null, flags, name, dev_id);
}

/** synchronize_irq(): waits for running handlers (hard and threaded) of the line to finish. */
export function* synchronize_irq(irq: number): KGen {
  here();
  might_sleep(`synchronize_irq(${irq})`);
  const d = controller().desc(irq);
  if (CUR.kind === 'hardirq' && d.inProgress) throw new Violation('deadlock', `synchronize_irq(${irq}) from its own handler waits forever`);
  if (d.inProgress) CUR.blockedOn = `synchronize_irq(${irq}): waiting for the running handler`;
  yield d.opSync;
  descLock(d);
}

/** raw_spin_lock(&desc->lock) and unlock: ordered with handler entries and exits (handle_*_irq take it). */
function descLock(d: IrqDesc): void {
  if (!RT.det.races) return;
  const th = CUR;
  th.clock.join(d.exitClock);
  d.lockClock = d.lockClock ?? new VClock();
  d.lockClock.join(th.clock);
  th.clock.tick(th.id);
}

/** free_irq(): removes the action of `dev_id`, waits for running handlers; returns the name it was requested with. */
export function* free_irq(irq: number, dev_id: unknown): KGen<string | null> {
  here();
  might_sleep(`free_irq(${irq})`);
  const d = controller().desc(irq);
  yield d.op;
  const i = d.actions.findIndex((a) => a.dev_id === dev_id);
  if (i < 0) throw new Violation('warning', `Trying to free already-free IRQ ${irq}`);
  const [a] = d.actions.splice(i, 1);
  yield d.opSync;
  descLock(d);
  return a!.name;
}

/** disable_irq_nosync(): masks the line (nesting depth) without waiting. */
export function* disable_irq_nosync(irq: number): KGen {
  here();
  const d = controller().desc(irq);
  yield d.op;
  d.depth++;
  descLock(d);
}
/** disable_irq(): masks the line and waits for running handlers. */
export function* disable_irq(irq: number): KGen {
  yield* disable_irq_nosync(irq);
  yield* synchronize_irq(irq);
}
/** enable_irq(): undoes one disable; an unbalanced enable is a WARN. */
export function* enable_irq(irq: number): KGen {
  here();
  const d = controller().desc(irq);
  yield d.op;
  if (d.depth === 0) throw new Violation('warning', `Unbalanced enable for IRQ ${irq}`);
  d.depth--;
  descLock(d);
}

/** irq_set_affinity(): the CPUs the line may be delivered to (each a choice of the explorer). */
export function irq_set_affinity(irq: number, cpus: readonly number[]): void {
  if (cpus.length === 0) throw new ModelUsageError(`irq_set_affinity(${irq}): empty CPU list`);
  for (const c of cpus) if (!RT.cpus[c]) throw new ModelUsageError(`irq_set_affinity(${irq}): no CPU ${c}`);
  controller().desc(irq).affinity = [...cpus];
}
/** irq_set_irq_type(): 'edge' or 'level' triggering. */
export function irq_set_irq_type(irq: number, trigger: 'edge' | 'level'): void {
  controller().desc(irq).trigger = trigger;
}

// ---- the device side ---------------------------------------------------------------

function noteRaise(d: IrqDesc): void {
  const th = CUR;
  d.raiserDaemon = th ? th.daemon && (th.kind === 'agent' || th.kind === 'task') : false;
  if (RT.det.races && th) {
    d.raiseClock = d.raiseClock ?? new VClock();
    d.raiseClock.join(th.clock);
    th.clock.tick(th.id);
  }
}

/** A device raises an edge-triggered interrupt (latched until delivered). */
export function irq_raise(irq: number): void {
  touchIrqLine(irq);
  const d = controller().desc(irq);
  noteRaise(d);
  if (d.trigger === 'edge') d.pending = true;
  else d.level = true;
  if (RT.trace) RT.note(`raises irq ${irq}`);
}
/** A device drives a level-triggered line high or low. */
export function irq_set_level(irq: number, high: boolean): void {
  touchIrqLine(irq);
  const d = controller().desc(irq);
  if (high) noteRaise(d);
  d.level = high;
  if (RT.trace) RT.note(`irq ${irq} line ${high ? 'high' : 'low'}`);
}
