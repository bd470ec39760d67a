// The checked scenarios: every variant gives the verdict it documents under its
// default exploration, and a counterexample replays to the same violation.
import { explore, replay } from '@k/core-sync';
import { describe, expect, it } from 'vitest';
import { functionTraceOp, livePatching, moduleBranchRange, modulePlts, scenarios } from '../src/scenarios';

describe('the checked scenarios of @k/arm64-ftrace', () => {
  it('registers the scenarios of the issue for k check', () => {
    expect(scenarios.map((s) => s.name)).toEqual([
      'traced-equals-untraced',
      'callback-regs',
      'trampolines-preserve-abi',
      'live-patching',
      'function-trace-op',
      'module-plts',
      'module-branch-range',
      'make-call-wrong-old',
    ]);
  });

  for (const s of scenarios) {
    for (const [variant, exp] of Object.entries(s.variants)) {
      it(`${s.name} / ${variant}: ${exp.expect} under the default exploration (seed 1)`, () => {
        const r = explore(s, { variant, seed: 1, budget: s.defaults?.budget });
        expect(r.verdict).toBe(exp.expect);
        expect(r.ok).toBe(true);
        if (exp.expect === 'fails') expect(exp.kinds).toContain(r.counterexample?.kind);
      });
    }
  }

  it('finds the seed\'s missing ftrace_regs_caller PLT with the kernel\'s own messages', () => {
    const r = explore(modulePlts, { variant: 'seed', seed: 1 });
    expect(r.counterexample?.message).toMatch(/registering a regs ops on both modules succeeds \(0; ftrace failed to modify \[<[0-9a-f]+>\] far_work\+0x4\/0x10 \[far_mod\]/);
    expect(r.counterexample?.message).toMatch(/ftrace: no module PLT for ftrace_regs_caller/);
  });

  it('finds the v5.8 modify_call that cannot see through the PLT: actual BL to the PLT, expected AARCH64_BREAK_FAULT', () => {
    const r = explore(modulePlts, { variant: 'v5.8', seed: 1 });
    expect(r.counterexample?.message).toMatch(/the regs ops leaves.*far_work\+0x4\/0x10 \[far_mod\] actual: [0-9a-f:]+ expected: 00:20:20:d4/);
  });

  it('finds the BRK the seed writes 128 MiB below ftrace_caller', () => {
    const r = explore(moduleBranchRange, { variant: 'seed', seed: 1 });
    expect(r.counterexample?.message).toMatch(/wrote AARCH64_BREAK_FAULT \(brk #0x100\) into edge_work's callsite and returned 0/);
  });

  it('flags a live MOV X9, LR as a cross-modification violation', () => {
    const r = explore(livePatching, { variant: 'init-nop-live', seed: 1 });
    expect(r.counterexample?.kind).toBe('invariant');
    expect(r.counterexample?.message).toMatch(/^cross-modification: live patch at 0x[0-9a-f]+ by cpu1: 'nop' -> 'mov x9, x30'/);
  });

  it('finds the function_trace_op race and replays its schedule to the same oops', () => {
    const r = explore(functionTraceOp, { variant: 'seed', strategy: 'dfs', budget: 500 });
    expect(r.verdict).toBe('fails');
    expect(r.counterexample?.message).toBe(
      'kernel oops on cpu0: Unable to handle kernel NULL pointer dereference in function_trace_call (op ftrace_list_end has no trace_array)',
    );
    const again = replay(functionTraceOp, 'seed', r.counterexample!.schedule);
    expect(again.violation?.message).toBe(r.counterexample?.message);
    expect(again.diverged).toBeNull();
    // the fixed variant and the call-ops design hold on every interleaving dfs reaches within 300 executions
    expect(explore(functionTraceOp, { variant: 'fixed', strategy: 'dfs', budget: 300 }).verdict).toBe('holds');
    expect(explore(functionTraceOp, { variant: 'call-ops', strategy: 'dfs', budget: 300 }).verdict).toBe('holds');
  });
});
