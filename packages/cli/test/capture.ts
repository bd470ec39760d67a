import type { Io } from '../src/index';

/** An Io that keeps what a command printed. */
export function capture(): Io & { lines: string[]; errors: string[]; text: () => string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, tty: false, out: (l) => void lines.push(l), err: (l) => void errors.push(l), text: () => lines.join('\n') };
}
