// Errors of @k/arm64-ftrace: a user's mistake (FtraceError, with the errno name
// the kernel would give), and what the emulated kernel itself hits (KernelOops:
// an oops, a panic or a WARN, with the message the kernel would print).
import { KernelError, type ErrnoName } from '@k/core-sync';
import type { KGen } from '@k/core-sync';

/** A call of the public API that the kernel would refuse; carries the errno name. */
export class FtraceError extends KernelError {
  constructor(errno: ErrnoName, message: string) {
    super(errno, message);
  }
}

/** What the emulated kernel hit: `oops` (the CPU took a fatal exception), `panic`, or `warning` (WARN_ON). */
export class KernelOops extends Error {
  override readonly name = 'KernelOops';
  constructor(
    readonly kind: 'oops' | 'panic' | 'warning',
    message: string,
    /** the CPU that hit it, or null for kernel code run from TypeScript */
    readonly cpu: number | null = null,
    /** where, when an instruction caused it */
    readonly pc: bigint | null = null,
  ) {
    super(message);
  }
}

/** Drives kernel code written as a generator to its end, ignoring its scheduling points. */
export function runSync<T>(g: KGen<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}
