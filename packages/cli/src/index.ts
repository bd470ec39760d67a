// @k/cli: the `k` command.
import { createRequire } from 'node:module';
import { check } from './internal/check';
import { litmus } from './internal/litmus';
import { processIo, UsageError, type Io } from './internal/io';

const HELP = `k: run and check executable models of Linux kernel changes

usage: k <command> [options]

commands:
  check [PACKAGE...] [--json]   explore every registered scenario and print a summary
  litmus [--check] FILE|DIR...  decide C litmus tests under the Linux-kernel memory model (herd7 output; --json, --explain)

options:
  -h, --help       this help
  -V, --version    the version of k
`;

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}

/** Runs the k command line; returns the process exit code (0 ok, 1 failed check, 2 usage error). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(HELP.trimEnd());
        return cmd === undefined ? 2 : 0;
      case '-V':
      case '--version':
        io.out(version());
        return 0;
      case 'check':
        return await check(rest, io);
      case 'litmus':
        return await litmus(rest, io);
      default:
        throw new UsageError(`k: unknown command '${cmd}' (see 'k --help')`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
}

export type { Io };
export { UsageError };
