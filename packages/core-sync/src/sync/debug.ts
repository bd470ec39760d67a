// BUG_ON / WARN_ON (include/asm-generic/bug.h), assertions of the model and
// data choices for fault injection.

import { CUR, RT, noteCheck } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';

/** BUG_ON(cond): a kernel BUG is an assertion failure of the model. */
export function BUG_ON(cond: unknown, what = 'BUG_ON'): void {
  noteCheck();
  if (cond) throw new Violation('assertion', `kernel BUG: ${what} in ${CUR ? CUR.name : 'setup'}`);
}
export function BUG(what = 'BUG()'): never {
  throw new Violation('assertion', `kernel BUG: ${what} in ${CUR ? CUR.name : 'setup'}`);
}
/** WARN_ON(cond): a violation when the world reports warnings; returns the condition. */
export function WARN_ON(cond: unknown, what = 'WARN_ON'): boolean {
  noteCheck();
  if (cond) {
    if (RT.det.warnings) throw new Violation('warning', `WARNING: ${what} in ${CUR ? CUR.name : 'setup'}`);
    RT.note(`WARNING: ${what}`);
  }
  return Boolean(cond);
}
export const WARN_ON_ONCE = WARN_ON;
export function WARN(cond: unknown, message: string): boolean {
  return WARN_ON(cond, message);
}
/** assert(cond, message): a property of the model that must hold where it is written. */
export function kassert(cond: unknown, message: string): asserts cond {
  noteCheck();
  if (!cond) throw new Violation('assertion', `assertion failed: ${message}${CUR ? ` (in ${CUR.name})` : ''}`);
}
/**
 * A nondeterministic choice of the model among `n` options (fault injection,
 * random input): the explorer makes it, a schedule records it, replay repeats it.
 */
export function choose(n: number, label = 'choice'): number {
  return RT.choose(n, label);
}
/** A nondeterministic boolean (for example: does the device drop this frame?). */
export function chance(label: string): boolean {
  return RT.choose(2, label) === 1;
}
/** trace_printk(): a note on the current step of a traced execution (free when not tracing). */
export function trace_printk(message: string): void {
  RT.note(message);
}
