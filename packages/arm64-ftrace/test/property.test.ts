// Property: a traced function returns what the untraced one returns, for any
// 64-bit arguments, and keeps the AAPCS state (x19-x29, SP, the caller's stack),
// whatever runs on the callsite: ftrace_caller, ftrace_regs_caller, the graph
// return hook, a regs ops, or all of them (fixed seeds).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED, Kernel, SAMPLE_FUNCTIONS, type FtraceVariant, type KFunc } from '../src/index';

const FUNCS: readonly KFunc[] = SAMPLE_FUNCTIONS.filter((f) => f.ref && !f.notrace);
const TRACINGS = ['none', 'function', 'function+regs', 'function_graph', 'regs-ops+graph'] as const;

function kernel(variant: FtraceVariant, tracing: (typeof TRACINGS)[number]): Kernel {
  const k = new Kernel({ variant, cpus: 1 });
  const regs = k.config.design === 'regs';
  if (tracing === 'function') expect(k.setTracer('function')).toBe(0);
  if (tracing === 'function+regs') expect(k.setTracer('function', { regs })).toBe(0);
  if (tracing === 'function_graph' || tracing === 'regs-ops+graph') expect(k.setTracer('function_graph')).toBe(0);
  if (tracing === 'regs-ops+graph') {
    const ops = k.ftrace_ops({ name: 'look', flags: FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED, func: (_i, _p, _o, r) => void r.get(7) });
    expect(k.register_ftrace_function(ops)).toBe(0);
  }
  return k;
}

describe('traced functions return what untraced ones return', () => {
  for (const variant of ['seed', 'call-ops'] as const) {
    it(`${variant}: for any arguments and any tracer, with the ABI state kept`, () => {
      const kernels = new Map(TRACINGS.map((t) => [t, kernel(variant, t)]));
      const arb = fc
        .constantFrom(...FUNCS)
        .chain((f) =>
          fc.tuple(
            fc.constant(f),
            fc.array(f.argDomain ? fc.constantFrom(...f.argDomain) : fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: f.args, maxLength: f.args }),
            fc.constantFrom(...TRACINGS.filter((t) => t !== 'none')),
          ),
        );
      fc.assert(
        fc.property(arb, ([f, args, tracing]) => {
          const plain = kernels.get('none')!.call(f.name, args);
          const traced = kernels.get(tracing)!.call(f.name, args);
          return (
            plain.ret === f.ref!(args) &&
            traced.ret === plain.ret &&
            traced.abi.calleeSaved &&
            traced.abi.sp &&
            traced.abi.stack &&
            traced.insns > plain.insns
          );
        }),
        { seed: variant === 'seed' ? 4004 : 6003, numRuns: 400 },
      );
      // the tracers saw the calls
      expect(kernels.get('function')!.global_trace.entries.length).toBeGreaterThan(0);
      expect(kernels.get('function_graph')!.current(0).curr_ret_stack).toBe(-1);
    });
  }
});
