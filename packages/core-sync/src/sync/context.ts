// Execution contexts: preemption, local interrupts and bottom halves as
// include/linux/preempt.h, irqflags.h and bottom_half.h define them, plus the
// context predicates (in_interrupt, in_softirq ...) and might_sleep().

import { CUR, OP_YIELD, RT, captureLoc, type KGen, type Thread } from '../internal/rt/kernel';
import { VClock } from '../internal/rt/clock';
import { Violation } from '../internal/rt/violation';

/** Notes the model's source location for the trace (only while tracing: it is costly). */
export function here(): void {
  if (RT.trace !== null && CUR !== null) CUR.loc = captureLoc();
}

/** Called whenever a context may have left an RCU read-side section (explicit or implied). */
export function maybeQuiescent(th: Thread): void {
  if (th.rcuNesting === 0 && th.preempt === 0 && th.irqsOff === 0 && th.bhOff === 0 && th.kind !== 'hardirq' && th.kind !== 'softirq') {
    th.rcuGen++;
    th.rcuRefs = null;
  }
}

export function* preempt_disable(): KGen {
  CUR.preempt++;
}

export function* preempt_enable(): KGen {
  const th = CUR;
  if (th.preempt === 0) throw new Violation('lock-misuse', `preempt_enable() in ${th.name} without a matching preempt_disable()`);
  th.preempt--;
  maybeQuiescent(th);
}

/** The saved interrupt state returned by local_irq_save (the kernel's `unsigned long flags`). */
export type irqflags_t = number;

export function* local_irq_save(): KGen<irqflags_t> {
  const th = CUR;
  const flags = th.irqsOff > 0 ? 1 : 0;
  th.irqsOff++;
  if (th.cpu && RT.det.races) th.clock.join(th.cpu.handlerExit);
  return flags;
}

export function* local_irq_restore(flags: irqflags_t): KGen {
  const th = CUR;
  if (th.irqsOff === 0) throw new Violation('lock-misuse', `local_irq_restore() in ${th.name} with interrupts already enabled`);
  th.irqsOff--;
  if (th.irqsOff === 0 && flags !== 0) {
    throw new Violation('lock-misuse', `local_irq_restore() in ${th.name}: flags say interrupts were disabled, but this restore re-enables them (save/restore out of order)`);
  }
  if (th.irqsOff === 0) publishIrq(th);
  maybeQuiescent(th);
}

export function* local_irq_disable(): KGen {
  const th = CUR;
  th.irqsOff++;
  if (th.cpu && RT.det.races) th.clock.join(th.cpu.handlerExit);
}

export function* local_irq_enable(): KGen {
  const th = CUR;
  if (th.irqsOff === 0) return;
  th.irqsOff = 0;
  publishIrq(th);
  maybeQuiescent(th);
}

function publishIrq(th: Thread): void {
  const cpu = th.cpu;
  if (!cpu || !RT.det.races) return;
  cpu.irqRel = cpu.irqRel ?? new VClock();
  cpu.irqRel.join(th.clock);
  th.clock.tick(th.id);
}

export function* local_bh_disable(): KGen {
  const th = CUR;
  th.bhOff++;
  if (th.cpu && RT.det.races) th.clock.join(th.cpu.handlerExit);
}

export function* local_bh_enable(): KGen {
  const th = CUR;
  if (th.bhOff === 0) throw new Violation('lock-misuse', `local_bh_enable() in ${th.name} without a matching local_bh_disable()`);
  if (th.kind === 'hardirq' || th.irqsOff > 0) {
    // kernel/softirq.c __local_bh_enable_ip: WARN_ON_ONCE(in_hardirq() || irqs_disabled())
    throw new Violation('warning', `local_bh_enable() in ${th.name} with interrupts disabled or in hardirq context`);
  }
  th.bhOff--;
  if (th.bhOff === 0 && th.cpu && RT.det.races) {
    th.cpu.bhRel = th.cpu.bhRel ?? new VClock();
    th.cpu.bhRel.join(th.clock);
    th.clock.tick(th.id);
  }
  maybeQuiescent(th);
}

/** cond_resched(): a voluntary preemption point. */
export function* cond_resched(): KGen {
  yield OP_YIELD;
}

export function in_interrupt(): boolean {
  return CUR.inInterrupt;
}
export function in_hardirq(): boolean {
  return CUR.kind === 'hardirq';
}
export function in_irq(): boolean {
  return CUR.kind === 'hardirq';
}
export function in_softirq(): boolean {
  return CUR.kind === 'softirq' || CUR.bhOff > 0;
}
export function in_serving_softirq(): boolean {
  return CUR.kind === 'softirq';
}
export function in_task(): boolean {
  const k = CUR.kind;
  return (k === 'task' || k === 'kworker' || k === 'agent') && CUR.bhOff === 0;
}
export function in_atomic(): boolean {
  return CUR.atomic;
}
export function irqs_disabled(): boolean {
  return CUR.irqsOff > 0 || CUR.kind === 'hardirq';
}
export function preemptible(): boolean {
  return !CUR.atomic;
}
export function smp_processor_id(): number {
  const cpu = CUR.cpu;
  if (!cpu) throw new Violation('model-error', `smp_processor_id() called by ${CUR.name}, which runs on no CPU (a device agent)`);
  return cpu.id;
}

/** The running context (the kernel's `current`). */
export function current(): Thread {
  return CUR;
}

/** Why the current context is atomic, for reports. */
export function atomicReasons(th: Thread): string[] {
  const out: string[] = [];
  if (th.kind === 'hardirq') out.push('in hardirq context');
  if (th.kind === 'softirq') out.push('in softirq context');
  if (th.irqsOff > 0) out.push('interrupts disabled');
  if (th.bhOff > 0) out.push('bottom halves disabled');
  if (th.preempt > 0) out.push(`preempt_count ${th.preempt}`);
  if (th.rcuNesting > 0) out.push('inside rcu_read_lock()');
  for (const h of th.held) if (!h.lock.sleeping) out.push(`holding ${h.lock.name} (${h.how})`);
  return out;
}

/** might_sleep(): a sleeping call in atomic context is a bug (kernel/sched/core.c __might_sleep). */
export function might_sleep(what: string): void {
  const th = CUR;
  if (!RT.det.atomicSleep) return;
  if (th.atomic || th.rcuNesting > 0) {
    throw new Violation('sleep-in-atomic', `BUG: sleeping function called from invalid context: ${what} in ${th.name}`, atomicReasons(th));
  }
  if (th.kind === 'agent') {
    throw new Violation('sleep-in-atomic', `${what} called by device agent ${th.name}: devices cannot sleep in kernel primitives`);
  }
}
