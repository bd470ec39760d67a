import { parseArgs, type ParseArgsConfig } from 'node:util';
/** Where a command writes; tests pass their own sinks. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** true when progress may be redrawn in place (a terminal, not CI). */
  readonly tty: boolean;
}

export function processIo(): Io {
  return {
    out: (line) => void process.stdout.write(line + '\n'),
    err: (line) => void process.stderr.write(line + '\n'),
    tty: Boolean(process.stderr.isTTY) && !process.env.CI,
  };
}

/** A usage error: the command line was wrong (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Render rows as an aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/**
 * parseArgs for a k command: strict, positionals allowed, and any error of the
 * command line a UsageError naming the command (exit code 2).
 */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;
export type ParsedCommand<T extends CommandOptions> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: T }>>;

export function parseCommandArgs<const T extends CommandOptions>(command: string, args: readonly string[], options: T): ParsedCommand<T> {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options });
  } catch (e) {
    const msg = ((e as Error).message.split('\n')[0] ?? '').replace(/^Unknown option/, 'unknown option');
    throw new UsageError(`k ${command}: ${msg}`);
  }
}
