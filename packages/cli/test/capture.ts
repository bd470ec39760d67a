import { main, type Io } from '../src/index';

/** An Io that keeps what a command printed. */
export function capture(): Io & { lines: string[]; errors: string[]; text: () => string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, tty: false, out: (l) => void lines.push(l), err: (l) => void errors.push(l), text: () => lines.join('\n') };
}

/** Runs `k ARGS...`: its exit code, the lines it printed and its error output. */
export async function k(...args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.lines, err: io.errors.join('\n') };
}
