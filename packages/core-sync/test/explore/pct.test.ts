import { describe, expect, it } from 'vitest';
import { Cell, READ_ONCE, WRITE_ONCE, cond_resched, explore, kassert, pctGuarantee, type KGen } from '../../src/index';
import { scenario } from '../helpers';

/**
 * A depth-2 bug: the consumer must read the flag after the producer set it
 * (first constraint) and before the producer published the data (second),
 * between two long runs of independent work.
 */
function depthTwo(work: number) {
  return scenario('depth-2', (k) => {
    const flag = new Cell(0, 'flag');
    const data = new Cell(0, 'data');
    k.spawn('producer', function* (): KGen {
      for (let i = 0; i < work; i++) yield* cond_resched();
      yield* WRITE_ONCE(flag, 1);
      yield* WRITE_ONCE(data, 42);
    });
    k.spawn('consumer', function* (): KGen {
      for (let i = 0; i < work; i++) yield* cond_resched();
      if ((yield* READ_ONCE(flag)) === 1) kassert((yield* READ_ONCE(data)) === 42, 'data published before the flag');
    });
  });
}

describe('pct', () => {
  it('states the guarantee 1/(n k^(d-1)) and the runs it needs for 95% confidence', () => {
    const g = pctGuarantee(2, 2, 50, 100);
    expect(g.perRun).toBe(1 / 100);
    expect(g.runsFor95).toBe(299);
    expect(g.confidence).toBeCloseTo(1 - 0.99 ** 100, 10);
    expect(pctGuarantee(3, 4, 10, 0).perRun).toBe(1 / 400);
  });

  it('finds a seeded depth-2 bug within the runs its bound promises, for every seed tried', () => {
    const s = depthTwo(20);
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = explore(s, { strategy: 'pct', pctDepth: 2, seed, budget: 100_000 });
      expect(r.verdict).toBe('fails');
      expect(r.counterexample?.kind).toBe('assertion');
      const g = r.pct!;
      expect(g.depth).toBe(2);
      expect(g.contexts).toBeGreaterThanOrEqual(2);
      expect(g.steps).toBeGreaterThan(40);
      expect(r.executions).toBeLessThanOrEqual(g.runsFor95);
    }
  });

  it('is deterministic for a seed, and reports its guarantee when nothing fails', () => {
    const s = depthTwo(5);
    const a = explore(s, { strategy: 'pct', pctDepth: 2, seed: 9, budget: 1000 });
    const b = explore(s, { strategy: 'pct', pctDepth: 2, seed: 9, budget: 1000 });
    expect(a.counterexample?.schedule).toBe(b.counterexample?.schedule);
    const fixed = scenario('ok', (k) => {
      const x = new Cell(0, 'x');
      k.spawn('a', function* () {
        yield* WRITE_ONCE(x, 1);
      });
    });
    const r = explore(fixed, { strategy: 'pct', budget: 50 });
    expect(r.verdict).toBe('holds');
    expect(r.pct?.depth).toBe(3);
    expect(r.pct?.confidence).toBeGreaterThan(0);
  });

  it('rejects a bug depth that is not a positive integer', () => {
    expect(() => explore(depthTwo(1), { strategy: 'pct', pctDepth: 0 })).toThrow(/pctDepth/);
  });
});
