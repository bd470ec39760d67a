import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/index';
import { countTraces } from '../../src/explore/traces';
import { programArb, programScenario } from './programs';

describe('dpor vs dfs', () => {
  it('same outcomes and violation kinds', () => {
    let worst = 0;
    fc.assert(fc.property(programArb({ completions: 1, plain: true, asserts: true, choices: true, branches: true, locks: 2 }), (p) => {
      const s = programScenario(p);
      const f = explore(s, { strategy: 'dfs', budget: 5000, continueAfterViolation: true, maxSteps: 200 });
      if (!f.complete) return true;
      const d = explore(s, { strategy: 'dpor', budget: 5000, continueAfterViolation: true, maxSteps: 200 });
      worst = Math.max(worst, f.executions);
      expect(d.complete).toBe(true);
      expect(d.outcomes).toEqual(f.outcomes);
      expect(d.violationKinds).toEqual(f.violationKinds);
      return true;
    }), { seed: 42, numRuns: 100 });
    console.log('worst dfs', worst);
  }, 300_000);
  it('optimal on cells and locks', () => {
    fc.assert(fc.property(programArb({ locks: 2 }), (p) => {
      const s = programScenario(p);
      const t = countTraces(s, { budget: 5000, maxSteps: 200 });
      if (!t.complete) return true;
      const d = explore(s, { strategy: 'dpor', budget: 5000, continueAfterViolation: true, maxSteps: 200 });
      expect({ ex: d.executions, blocked: d.blocked }).toEqual({ ex: t.traces, blocked: 0 });
      return true;
    }), { seed: 7, numRuns: 100 });
  }, 300_000);
});
