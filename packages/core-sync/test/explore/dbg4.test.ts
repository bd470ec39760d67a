import fc from 'fast-check';
import { it, expect } from 'vitest';
import { explore } from '../../src/index';
import { countTraces } from '../../src/explore/traces';
import { programArb, programScenario } from './programs';
it('optimal with everything but completions', () => {
  fc.assert(fc.property(programArb({ locks: 2, plain: true, asserts: true, branches: true }), (p) => {
    const s = programScenario(p);
    const t = countTraces(s, { budget: 3000, maxSteps: 200 });
    if (!t.complete) return true;
    const d = explore(s, { strategy: 'dpor', budget: 5000, continueAfterViolation: true, maxSteps: 200 });
    expect({ ex: d.executions, blocked: d.blocked }).toEqual({ ex: t.traces, blocked: 0 });
    return true;
  }), { seed: 99, numRuns: 120 });
}, 600000);
it('sound with completions, seed 5', () => {
  fc.assert(fc.property(programArb({ completions: 2, plain: true, asserts: true, choices: true, branches: true, locks: 2 }), (p) => {
    const s = programScenario(p);
    const f = explore(s, { strategy: 'dfs', budget: 3000, continueAfterViolation: true, maxSteps: 200 });
    if (!f.complete) return true;
    const d = explore(s, { strategy: 'dpor', budget: 5000, continueAfterViolation: true, maxSteps: 200 });
    expect(d.outcomes).toEqual(f.outcomes);
    expect(d.violationKinds).toEqual(f.violationKinds);
    return true;
  }), { seed: 5, numRuns: 150 });
}, 600000);
