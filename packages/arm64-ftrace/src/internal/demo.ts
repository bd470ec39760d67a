// What `k ftrace` runs: a two-CPU emulated kernel with a tracer on (as
// `echo function > current_tracer` with set_ftrace_filter), a small workload
// (cpu0: el0_svc -> ksys_read(3, 128); cpu1: worker_thread -> foo() -> bar()),
// and the tracefs `trace` file it leaves.
import { FtraceError } from './errors';
import { Kernel, FTRACE_VARIANTS, type FtraceVariant } from './kernel';

/** Options of {@link runTraceDemo}. */
export interface TraceDemoOptions {
  /** `function` (default) or `function_graph` */
  readonly tracer?: 'function' | 'function_graph';
  /** the function tracer's ops asks for FTRACE_OPS_FL_SAVE_REGS (ftrace_regs_caller); the seed's design only */
  readonly regs?: boolean;
  /** set_ftrace_filter: function names (default: every function) */
  readonly functions?: readonly string[];
  /** the kernel (default `seed`) */
  readonly variant?: FtraceVariant;
  /** rounds of the workload (1..100, default 1) */
  readonly calls?: number;
}

/** One call of the workload. */
export interface DemoCall {
  readonly cpu: number;
  readonly fn: string;
  readonly ret: bigint;
  /** emulated instructions the call executed */
  readonly insns: number;
}

/** What {@link runTraceDemo} returns. */
export interface TraceDemoResult {
  /** the tracefs `trace` file */
  readonly trace: string;
  readonly calls: readonly DemoCall[];
  readonly kernel: Kernel;
}

const WORKLOAD: readonly (readonly [cpu: number, fn: string, idleNs: number])[] = [
  [0, 'el0_svc', 1_250_000],
  [1, 'worker_thread', 2_000_000],
];

/** Runs the workload with a tracer on and returns the trace. Throws FtraceError on bad options. */
export function runTraceDemo(options: TraceDemoOptions = {}): TraceDemoResult {
  const tracer = options.tracer ?? 'function';
  if (tracer !== 'function' && tracer !== 'function_graph') throw new FtraceError('EINVAL', `--tracer must be function or function_graph, not '${String(tracer)}'`);
  const variant = options.variant ?? 'seed';
  if (!FTRACE_VARIANTS.includes(variant)) throw new FtraceError('EINVAL', `the kernel must be one of ${FTRACE_VARIANTS.join(', ')}, not '${String(variant)}'`);
  const calls = options.calls ?? 1;
  if (!Number.isInteger(calls) || calls < 1 || calls > 100) throw new FtraceError('EINVAL', `calls must be an integer in 1..100, not ${String(calls)}`);
  const k = new Kernel({ variant, cpus: 2 });
  if (options.regs && !k.config.CONFIG_DYNAMIC_FTRACE_WITH_REGS) {
    throw new FtraceError('EINVAL', 'regs needs CONFIG_DYNAMIC_FTRACE_WITH_REGS (the seed\'s design); the call-ops kernel always saves ftrace_regs');
  }
  if (options.regs && tracer !== 'function') throw new FtraceError('EINVAL', 'regs applies to the function tracer');
  const ret = k.setTracer(tracer, { filter: options.functions && options.functions.length ? options.functions : undefined, regs: options.regs ?? false });
  if (ret) throw new FtraceError('EINVAL', `the tracer did not start (${ret}): ${k.dmesg.join('; ')}`);
  const done: DemoCall[] = [];
  for (let i = 0; i < calls; i++) {
    for (const [cpu, fn, idle] of WORKLOAD) {
      k.idle(cpu, idle);
      const r = k.call(fn, [], { cpu });
      done.push({ cpu, fn, ret: r.ret, insns: r.insns });
    }
  }
  return { trace: k.traceText(), calls: done, kernel: k };
}
