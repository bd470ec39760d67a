// @k/cli: the `k` command.
import { createRequire } from 'node:module';
import { a64Command } from './internal/a64';
import { ftraceCommand } from './internal/ftrace';
import { check } from './internal/check';
import { conntrack } from './internal/conntrack';
import { replayCommand } from './internal/replay';
import { traceCommand } from './internal/trace';
import { wpan } from './internal/wpan';
import { litmus } from './internal/litmus';
import { processIo, UsageError, type Io } from './internal/io';
import { landlock } from './internal/landlock';

const HELP = `k: run and check executable models of Linux kernel changes

usage: k <command> [options]

commands:
  check [PACKAGE...] [--strategy random|pct|dfs|dpor] [--budget N|--time S] [--seed N] [--scenario TEXT]
        [--shard i/n] [--workers N] [--pct-depth D] [--json] [--report FILE.html] [--save DIR]
                   explore every registered scenario and print a summary (exit 1 if an expectation fails)
                   --report FILE.html writes an HTML report with timelines, --save DIR the counterexamples
  conntrack -L [expect] TRACE [--helper ftp:PORT] [--design split|global] [--at S] [--json]
                   run a packet trace (JSON or pcap) through the conntrack model (k conntrack --help)
  replay FILE | replay --package P --scenario S --variant V SCHEDULE
                   replay a counterexample step by step and print its timeline
  trace FILE --perfetto OUT.json | trace --package P --scenario S --variant V SCHEDULE --perfetto OUT.json
                   write a counterexample's execution in Chrome Trace format (ui.perfetto.dev)
  landlock check|test
                   Landlock network rules exact to the errno (k landlock --help)
  a64 disasm WORD... | asm TEXT
                   AArch64 disassembler and assembler, in llvm-mc's syntax (k a64 --help)
  wpan scan [--network FILE] [--pcap FILE] [--type passive|active] [--channels ...] [--duration N]
                   simulate an IEEE 802.15.4 scan (mac802154, seed 000) and print what iwpan prints
  ftrace [--tracer function|function_graph] [--regs] [--functions A,B]
                   arm64 dynamic ftrace (seed 004) on an emulated kernel: the trace file (k ftrace --help)
  litmus FILE... | litmus --check DIR
                   decide C litmus tests under the Linux-kernel memory model (herd7's output; --json, --explain)

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
      case 'conntrack':
        return conntrack(rest, io);
      case 'replay':
        return await replayCommand(rest, io);
      case 'trace':
        return await traceCommand(rest, io);
      case 'landlock':
        return await landlock(rest, io);
      case 'a64':
        return await a64Command(rest, io);
      case 'wpan':
        return await wpan(rest, io);
      case 'ftrace':
        return await ftraceCommand(rest, io);
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
