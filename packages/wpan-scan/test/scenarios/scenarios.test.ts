import { describe, expect, it } from 'vitest';
import { explore, replay } from '@k/core-sync';
import { scenarios } from '../../src/scenarios';

// Each scenario's variants meet their expectation under the default
// exploration of `k check` (seed 1); each seed counterexample replays to the
// same violation, step for step.
describe('the checked scenarios of seed 000', () => {
  it('are registered with unique names and a seed and a fixed variant each', () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of scenarios) {
      expect(Object.keys(s.variants)).toEqual(expect.arrayContaining(['seed', 'fixed']));
      expect(s.variants.seed!.expect).toBe('fails');
      expect(s.variants.fixed!.expect).toBe('holds');
    }
  });

  for (const s of scenarios) {
    for (const v of Object.keys(s.variants)) {
      const exp = s.variants[v]!;
      it(`${s.name} [${v}] ${exp.expect === 'fails' ? 'fails' : 'holds'} as documented`, { timeout: 120_000 }, () => {
        const r = explore(s, { variant: v, seed: 1 });
        expect(r.ok, `${r.verdict}: ${r.counterexample?.kind} ${r.counterexample?.message}`).toBe(true);
        if (exp.expect === 'fails') {
          const cx = r.counterexample!;
          const again = replay(s, v, cx.schedule);
          expect(again.diverged).toBe(null);
          expect(again.violation?.kind).toBe(cx.kind);
          expect(again.violation?.message).toBe(cx.message);
        } else {
          expect(r.bounded).toBe(s.name === 'wpan-scan-rx-beacon-list-race' ? r.executions : 0);
        }
      });
    }
  }
});
