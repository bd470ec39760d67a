// `k ftrace`: seed 004's arm64 dynamic ftrace on an emulated kernel (@k/arm64-ftrace).
//   k ftrace [--tracer function|function_graph] [--regs] [--functions NAME...] [--kernel VARIANT] [--calls N] [--stats]
//   k ftrace --list [--kernel VARIANT]
import { parseArgs } from 'node:util';
import { FTRACE_VARIANTS, FtraceError, Kernel, runTraceDemo, type FtraceVariant } from '@k/arm64-ftrace';
import type { Io } from './io';
import { UsageError } from './io';

export const FTRACE_HELP = `k ftrace: arm64 dynamic ftrace with regs (seed 004) on an emulated kernel (@k/arm64-ftrace)

usage:
  k ftrace [options]
      boot a two-CPU emulated arm64 kernel (functions built with
      -fpatchable-function-entry=2, MOV X9, LR written at boot), start a tracer
      (the callsites' NOPs become BL ftrace_caller), run a small workload
      (cpu0: el0_svc -> ksys_read(3, 128); cpu1: worker_thread -> foo() -> bar())
      on the AArch64 core and print the tracefs 'trace' file.
        --tracer T          function (default) or function_graph
        --regs              the function tracer's ops asks for FTRACE_OPS_FL_SAVE_REGS:
                            its calls go through ftrace_regs_caller
        --functions A,B     set_ftrace_filter: trace only these functions (also --functions A B)
        --kernel V          seed (default: v5.5 with the seed), v5.8, fixed (v5.19), call-ops (v6.3)
        --calls N           rounds of the workload (default 1)
        --stats             also print the emulated instructions of each call (on stderr)
  k ftrace --list [--kernel V]
      print available_filter_functions

exit status: 0 traced, 2 usage error`;

function fail(msg: string): never {
  throw new UsageError(`k ftrace: ${msg} (see 'k ftrace --help')`);
}

/** Runs `k ftrace ...`; returns the exit code. */
export async function ftraceCommand(args: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        tracer: { type: 'string' },
        regs: { type: 'boolean' },
        functions: { type: 'string', multiple: true },
        kernel: { type: 'string' },
        calls: { type: 'string' },
        stats: { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail((e as Error).message.split('\n')[0] as string);
  }
  const v = parsed.values;
  if (v.help || parsed.positionals[0] === 'help') {
    io.out(FTRACE_HELP);
    return 0;
  }
  // `--functions a b c`: names after --functions may also come as separate words
  if (parsed.positionals.length && !v.functions) fail(`unexpected argument '${parsed.positionals[0]}'`);
  const variant = (v.kernel ?? 'seed') as FtraceVariant;
  if (!FTRACE_VARIANTS.includes(variant)) fail(`--kernel must be one of ${FTRACE_VARIANTS.join(', ')}, got '${v.kernel}'`);
  if (v.list) {
    for (const f of new Kernel({ variant, cpus: 1 }).available_filter_functions()) io.out(f);
    return 0;
  }
  const tracer = v.tracer ?? 'function';
  if (tracer !== 'function' && tracer !== 'function_graph') fail(`--tracer must be function or function_graph, got '${tracer}'`);
  let calls = 1;
  if (v.calls !== undefined) {
    calls = Number(v.calls);
    if (!Number.isInteger(calls) || calls < 1 || calls > 100) fail(`--calls must be an integer in 1..100, got '${v.calls}'`);
  }
  const functions = [...(v.functions ?? []), ...parsed.positionals].flatMap((f) => f.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  let result;
  try {
    result = runTraceDemo({ tracer, regs: v.regs ?? false, functions, variant, calls });
  } catch (e) {
    if (e instanceof FtraceError) fail(e.message.replace(/^EINVAL: /, ''));
    throw e;
  }
  for (const line of result.trace.replace(/\n$/, '').split('\n')) io.out(line);
  if (v.stats) for (const c of result.calls) io.err(`cpu${c.cpu} ${c.fn}() = ${c.ret}: ${c.insns} instructions`);
  return 0;
}
