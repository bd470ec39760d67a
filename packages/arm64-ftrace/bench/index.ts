// Benchmarks of @k/arm64-ftrace: emulated instructions per call on each entry
// (untraced, ftrace_caller, ftrace_regs_caller, the graph tracer) for the seed's
// design and for the call-ops design that replaced it, the ops hash tests per
// call with two ops, and patch operations per second when tracing is switched
// on for 10,000 functions. One `BENCH @k/arm64-ftrace <figure> <value> <unit>` per line.
import { Kernel, type FtraceVariant } from '@k/arm64-ftrace';

const P = '@k/arm64-ftrace';
function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${P} ${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

// instructions of one call of add3(1, 2, 3), a three-instruction leaf
function insns(variant: FtraceVariant, setup: (k: Kernel) => void): number {
  const k = new Kernel({ variant, cpus: 1 });
  setup(k);
  return k.call('add3', [1, 2, 3]).insns;
}

for (const [variant, label] of [['seed', 'seed'], ['call-ops', 'call-ops']] as const) {
  const untraced = insns(variant, () => undefined);
  bench(`${label}-untraced-call-insns`, untraced, 'insn/call');
  bench(`${label}-ftrace_caller-call-insns`, insns(variant, (k) => k.setTracer('function')), 'insn/call');
  if (variant === 'seed') bench(`${label}-ftrace_regs_caller-call-insns`, insns(variant, (k) => k.setTracer('function', { regs: true })), 'insn/call');
  bench(`${label}-graph-call-insns`, insns(variant, (k) => k.setTracer('function_graph')), 'insn/call');
  // two ops on different functions: the seed's ftrace_call goes to the list function
  const k = new Kernel({ variant, cpus: 1 });
  k.register_ftrace_function(k.ftrace_ops({ name: 'a', filter: ['add3'], func: () => undefined }));
  k.register_ftrace_function(k.ftrace_ops({ name: 'b', filter: ['bar'], func: () => undefined }));
  k.ftrace.stats.opsTests = 0;
  const two = k.call('add3', [1, 2, 3]).insns;
  bench(`${label}-two-ops-call-insns`, two, 'insn/call');
  bench(`${label}-two-ops-hash-tests-per-call`, k.ftrace.stats.opsTests, 'tests/call');
}

// switching tracing on and off for 10,000 functions: the best of 3 rounds after a warm-up,
// per second of the process's CPU time (steadier than wall time on a shared machine)
function cpuSeconds(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1e6;
}
for (const variant of ['seed', 'call-ops'] as const) {
  const k = new Kernel({ variant, cpus: 1, extraFunctions: 10_000 });
  const records = k.ftrace.records.length;
  let on = 0;
  let off = 0;
  for (let round = 0; round < 4; round++) {
    let p0 = k.patchCount;
    const sOn = cpuSeconds(() => {
      if (k.setTracer('function') !== 0) throw new Error('the function tracer did not start');
    });
    const nOn = k.patchCount - p0;
    p0 = k.patchCount;
    const sOff = cpuSeconds(() => {
      if (k.setTracer('nop') !== 0) throw new Error('the function tracer did not stop');
    });
    const nOff = k.patchCount - p0;
    if (round === 0) continue; // warm-up
    on = Math.max(on, nOn / sOn);
    off = Math.max(off, nOff / sOff);
  }
  bench(`${variant}-enable-${records}-functions-patch-ops-per-cpu-sec`, Math.round(on), 'patch/s');
  bench(`${variant}-disable-${records}-functions-patch-ops-per-cpu-sec`, Math.round(off), 'patch/s');
}

// traced calls per CPU second (k.call's set-up and checks, the core's fast path, the trampolines)
{
  const k = new Kernel({ cpus: 1 });
  k.setTracer('function', { filter: ['add3'] });
  for (let i = 0; i < 2000; i++) k.call('add3', [i, 1, 2]);
  const n = 20_000;
  let total = 0;
  const s = cpuSeconds(() => {
    for (let i = 0; i < n; i++) total += k.call('add3', [i, 1, 2]).insns;
  });
  bench('seed-traced-calls-per-cpu-sec', Math.round(n / s), 'call/s');
  bench('seed-traced-emulated-insn-per-cpu-sec', Math.round(total / s), 'insn/s');
}
