// The differential test against the running kernel: every scenario a mainline
// kernel of this ABI can run is run for real (C helper, one network namespace
// per scenario) and must return what the model returns. Skipped with a message
// where there is no compiler, no root or no Landlock with network rules;
// failing instead when K_REQUIRE_ORACLES=1. K_RECORD_ORACLE=1 rewrites the
// recorded results that the plain suite checks.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RECORDED_KERNEL, conformanceCases, kernelRunnable, prepareOracle, runCaseOnKernel, runCaseOnModel } from '../src/index';
import { modelAbiFor } from '../src/internal/conformance/suite';
import { describeStep } from '../src/internal/conformance/run-model';

const oracle = prepareOracle();
const required = process.env.K_REQUIRE_ORACLES === '1';
if (!oracle.available) console.warn(`@k/landlock-net: the real-kernel oracle is skipped: ${oracle.reason}`);

describe('the model against the running kernel', () => {
  it.runIf(!oracle.available && required)('fails when K_REQUIRE_ORACLES=1 and the oracle is missing', () => {
    expect.fail(`K_REQUIRE_ORACLES=1 but the Landlock oracle is unavailable: ${oracle.available ? '' : oracle.reason}`);
  });

  it.skipIf(!oracle.available)('returns the errno of the real kernel at every step of every scenario it can run', () => {
    if (!oracle.available) return;
    const runnable = conformanceCases().filter((c) => kernelRunnable(c, oracle.abi));
    expect(runnable.length).toBeGreaterThan(100);
    const recorded: Record<string, string[]> = {};
    const diffs: string[] = [];
    for (const c of runnable) {
      const k = runCaseOnKernel(oracle, c);
      if (!k.ok) {
        diffs.push(k.error);
        continue;
      }
      recorded[c.name] = [...k.outcomes];
      const m = runCaseOnModel(c, modelAbiFor(oracle.abi));
      const i = k.outcomes.findIndex((o, j) => o !== m.outcomes[j]);
      if (i >= 0) diffs.push(`${c.name} step ${i} ${describeStep(c.steps[i]![0])}: kernel ${k.outcomes[i]}, model ${m.outcomes[i]}`);
    }
    if (process.env.K_RECORD_ORACLE === '1' && oracle.abi === 7) {
      const file = fileURLToPath(new URL('../src/internal/conformance/golden/kernel-6.18.json', import.meta.url));
      writeFileSync(file, JSON.stringify({ kernel: oracle.kernel, abi: oracle.abi, cases: recorded }).replace(/\],"/g, '],\n"') + '\n');
    }
    expect(diffs).toEqual([]);
    if (oracle.abi === RECORDED_KERNEL.abi) {
      for (const [name, outcomes] of Object.entries(recorded)) expect(RECORDED_KERNEL.cases[name], `${name} (re-record with K_RECORD_ORACLE=1)`).toEqual(outcomes);
    }
  }, 120_000);
});
