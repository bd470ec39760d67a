// Violations: what a detector reports. A detector throws `Violation` from the
// step in which it sees the problem; the scheduler catches it and ends the
// execution with a counterexample.

/** The kinds of violation the runtime reports. */
export type ViolationKind =
  | 'assertion' // assert(), BUG_ON(), a property of the scenario
  | 'invariant' // an invariant checked after every step
  | 'warning' // WARN_ON() fired
  | 'deadlock' // no thread can run and some are blocked
  | 'hung-task' // a thread blocked forever while the rest finished (lost wake-up)
  | 'lock-misuse' // unlock of an unheld lock, recursive locking, unlock by non-owner
  | 'sleep-in-atomic' // might_sleep() in atomic context, mutex in IRQ context
  | 'lockdep-assert' // lockdep_assert_held() failed, suspicious RCU usage
  | 'lock-order' // lockdep: circular lock dependency (possible ABBA deadlock)
  | 'irq-safety' // lockdep: inconsistent IRQ/softirq usage of a lock class
  | 'data-race' // plain access racing with another access
  | 'use-after-free' // access to freed memory (RCU object freed early included)
  | 'double-free'
  | 'leak' // allocated by the execution and never freed
  | 'refcount' // refcount_t saturation / underflow / increment on zero
  | 'liveness' // queued work that never ran within the bound
  | 'out-of-bounds' // memory access outside a buffer (hw-emu DMA, rings)
  | 'model-error'; // the model itself threw a JavaScript error

export const VIOLATION_KINDS: readonly ViolationKind[] = [
  'assertion', 'invariant', 'warning', 'deadlock', 'hung-task', 'lock-misuse', 'sleep-in-atomic',
  'lockdep-assert', 'lock-order', 'irq-safety', 'data-race', 'use-after-free', 'double-free', 'leak',
  'refcount', 'liveness', 'out-of-bounds', 'model-error',
];

export class Violation extends Error {
  override readonly name = 'Violation';
  constructor(
    readonly kind: ViolationKind,
    message: string,
    /** extra lines for the report (held locks, the other access, the cycle ...) */
    readonly details: readonly string[] = [],
    /** earlier executions (by index) whose learned state this violation needs (lockdep) */
    readonly related: readonly number[] = [],
  ) {
    super(message);
  }
}

/** A bug in k itself, not in the model: "[core-sync internal bug] ...". */
export class InternalBug extends Error {
  override readonly name = 'InternalBug';
  constructor(message: string) {
    super(`[core-sync internal bug] ${message}`);
  }
}

/** The user's mistake in using the runtime (a diagnosis, not a kernel bug). */
export class ModelUsageError extends Error {
  override readonly name = 'ModelUsageError';
}
