// BUG_ON and WARN_ON_ONCE for the ring model. Source: include/asm-generic/bug.h (BUG_ON
// crashes the kernel; WARN_ON_ONCE logs a backtrace once and carries on). Seed 002.

/**
 * Thrown where the kernel would hit `BUG_ON()`: the model stops exactly where the kernel would
 * oops. Either the caller broke an API contract (`data == NULL`, no scatterlist) or the ring
 * reached a state the kernel assumes impossible; the message names the condition.
 */
export class KernelBug extends Error {
  override readonly name = 'KernelBug';
  constructor(
    readonly func: string,
    readonly condition: string,
  ) {
    super(`kernel BUG in ${func}: BUG_ON(${condition})`);
  }
}

/** `BUG_ON(cond)` in `func`. */
export function BUG_ON(cond: boolean, func: string, condition: string): void {
  if (cond) throw new KernelBug(func, condition);
}
