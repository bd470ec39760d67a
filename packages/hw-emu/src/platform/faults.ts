// Fault injection: drop, delay, duplicate, corrupt, spurious interrupt. Each
// fault is a choice of the explorer (core-sync `choose`), so a failing fault
// pattern is part of the schedule and replays exactly. A per-execution budget
// bounds how many faults one execution may inject.

import { choose, cond_resched, irq_raise, trace_printk, type KGen } from '@k/core-sync';

export type FaultKind = 'drop' | 'delay' | 'duplicate' | 'corrupt' | 'spurious-irq';

export interface FaultPlan {
  readonly drop?: boolean;
  /** delays (ns) the explorer may pick from, besides no delay */
  readonly delays?: readonly number[];
  readonly duplicate?: boolean;
  readonly corrupt?: boolean;
  readonly spuriousIrq?: boolean;
  /** faults at most per execution (default 1) */
  readonly max?: number;
}

export interface InjectedFault {
  readonly kind: FaultKind;
  readonly label: string;
  readonly detail: string;
}

/** Create one per execution (in the scenario's setup): it keeps the faults injected so far. */
export class FaultInjector {
  readonly injected: InjectedFault[] = [];
  private readonly max: number;
  constructor(readonly plan: FaultPlan = {}) {
    this.max = plan.max ?? 1;
    if (!Number.isInteger(this.max) || this.max < 0) throw new RangeError(`fault budget must be a non-negative integer, got ${plan.max}`);
    for (const d of plan.delays ?? []) if (!Number.isInteger(d) || d <= 0) throw new RangeError(`fault delay ${d} must be a positive integer of ns`);
  }

  get budgetLeft(): number {
    return this.max - this.injected.length;
  }

  private take(kind: FaultKind, label: string, detail: string): void {
    this.injected.push({ kind, label, detail });
    trace_printk(`fault: ${kind} ${label}${detail ? ' ' + detail : ''}`);
  }

  /** Does the device drop this frame/request? */
  drop(label: string): boolean {
    if (!this.plan.drop || this.budgetLeft <= 0) return false;
    if (choose(2, `drop ${label}`) === 0) return false;
    this.take('drop', label, '');
    return true;
  }

  /** Does it deliver this one twice? */
  duplicate(label: string): boolean {
    if (!this.plan.duplicate || this.budgetLeft <= 0) return false;
    if (choose(2, `duplicate ${label}`) === 0) return false;
    this.take('duplicate', label, '');
    return true;
  }

  /** Extra delay (ns) before it happens: 0, or one of the plan's delays. */
  delayNs(label: string): number {
    const ds = this.plan.delays ?? [];
    if (ds.length === 0 || this.budgetLeft <= 0) return 0;
    const i = choose(ds.length + 1, `delay ${label}`);
    if (i === 0) return 0;
    const d = ds[i - 1]!;
    this.take('delay', label, `${d} ns`);
    return d;
  }

  /** Returns the bytes with one bit flipped (the explorer picks byte and bit), or the bytes unchanged. */
  corrupt(bytes: Uint8Array, label: string): Uint8Array {
    if (!this.plan.corrupt || this.budgetLeft <= 0 || bytes.length === 0) return bytes;
    if (choose(2, `corrupt ${label}`) === 0) return bytes;
    const at = choose(bytes.length, `corrupt ${label}: byte`);
    const bit = choose(8, `corrupt ${label}: bit`);
    const out = bytes.slice();
    out[at] = out[at]! ^ (1 << bit);
    this.take('corrupt', label, `byte ${at} bit ${bit}`);
    return out;
  }

  /**
   * A device agent body that may raise a spurious interrupt on `irq` at any
   * moment (the explorer chooses when, and whether), `times` at most.
   */
  *spuriousIrq(irq: number, times = 1): KGen {
    if (!Number.isInteger(times) || times < 0) throw new RangeError(`spuriousIrq: times must be a non-negative integer, got ${times}`);
    if (!this.plan.spuriousIrq) return;
    for (let i = 0; i < times && this.budgetLeft > 0; i++) {
      yield* cond_resched();
      // another hook may have spent the budget while this agent waited: check again, with no scheduling point before take()
      if (this.budgetLeft <= 0) return;
      if (choose(2, `spurious irq ${irq}`) === 0) continue;
      this.take('spurious-irq', `irq ${irq}`, '');
      irq_raise(irq);
    }
  }
}
