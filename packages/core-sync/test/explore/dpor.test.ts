import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Cell, DEFINE_SPINLOCK, READ_ONCE, WRITE_ONCE, countTraces, explore,
  spin_lock, spin_unlock,
} from '../../src/index';
import { patterns } from '../../src/scenarios';
import { delayedCancel, scenario } from '../helpers';
import { dporTraces, programArb, programScenario } from './programs';

function readers(n: number) {
  return scenario(`readers-${n}`, (k) => {
    const x = new Cell(0, 'x');
    k.spawn('w', function* () {
      yield* WRITE_ONCE(x, 1);
    }, { cpu: 0 });
    for (let i = 0; i < n; i++) {
      k.spawn(`r${i}`, function* () {
        yield* READ_ONCE(x);
      }, { cpu: i + 1 });
    }
  }, { cpus: n + 1 });
}

describe('dpor', () => {
  it('explores one execution per Mazurkiewicz trace of readers(N): 2^N', () => {
    for (const n of [1, 2, 3, 4]) {
      const r = explore(readers(n), { strategy: 'dpor', budget: 10_000 });
      expect(r.complete).toBe(true);
      expect(r.executions).toBe(2 ** n);
      expect(r.blocked).toBe(0);
    }
    expect(countTraces(readers(3)).traces).toBe(8);
  });

  it('orders the critical sections of three threads in 3! ways and never more', () => {
    const s = scenario('cs', (k) => {
      const l = DEFINE_SPINLOCK('l');
      const x = new Cell(0, 'x');
      for (let i = 0; i < 3; i++) {
        k.spawn(`t${i}`, function* () {
          yield* spin_lock(l);
          yield* WRITE_ONCE(x, (yield* READ_ONCE(x)) + 1);
          yield* spin_unlock(l);
        }, { cpu: i });
      }
      k.outcome(() => String(x.peek()));
    }, { cpus: 3 });
    const r = explore(s, { strategy: 'dpor', budget: 10_000 });
    expect([r.executions, r.complete, r.outcomes]).toEqual([6, true, ['3']]);
    expect(countTraces(s).traces).toBe(6);
  });

  it('finds the same outcomes and violation kinds as dfs on random programs with locks, blocking, races and data choices', () => {
    fc.assert(fc.property(programArb({ completions: 1, locks: 2, plain: true, asserts: true, choices: true, branches: true }), (p) => {
      const s = programScenario(p);
      const f = explore(s, { strategy: 'dfs', budget: 1500, continueAfterViolation: true, maxSteps: 200 });
      if (!f.complete) return;
      const d = explore(s, { strategy: 'dpor', budget: 5000, continueAfterViolation: true, maxSteps: 200 });
      expect(d.complete).toBe(true);
      expect(d.outcomes).toEqual(f.outcomes);
      expect(d.violationKinds).toEqual(f.violationKinds);
      expect(d.executions).toBeLessThanOrEqual(f.executions);
    }), { seed: 42, numRuns: 30 });
  });

  it('explores exactly as many executions as there are Mazurkiewicz traces, counted by brute force', () => {
    fc.assert(fc.property(programArb({ locks: 2, asserts: true, branches: true }), (p) => {
      const s = programScenario(p);
      const t = countTraces(s, { budget: 1500, maxSteps: 200 });
      if (!t.complete) return;
      const d = explore(s, { strategy: 'dpor', budget: 5000, continueAfterViolation: true, maxSteps: 200 });
      expect({ executions: d.executions, blocked: d.blocked }).toEqual({ executions: t.traces, blocked: 0 });
    }), { seed: 7, numRuns: 30 });
  });

  it('visits every Mazurkiewicz trace of programs with blocking, data races, failing assertions and data choices', () => {
    fc.assert(fc.property(programArb({ locks: 2, plain: true, asserts: true, branches: true, completions: 1, choices: true }), (p) => {
      const s = programScenario(p);
      const t = countTraces(s, { budget: 1500, maxSteps: 200 });
      if (!t.complete) return;
      const seen = dporTraces(s);
      const missing = [...t.canonical].filter((c) => !seen.has(c));
      expect(missing).toEqual([]);
    }), { seed: 11, numRuns: 40 });
  });

  it('agrees with dfs on the kernel bug patterns, with fewer executions', () => {
    for (const s of patterns) {
      for (const variant of Object.keys(s.variants)) {
        const f = explore(s, { variant, strategy: 'dfs', budget: 100_000, continueAfterViolation: true });
        const d = explore(s, { variant, strategy: 'dpor', budget: 100_000, continueAfterViolation: true });
        expect(d.complete, `${s.name} ${variant}`).toBe(true);
        expect(d.violationKinds, `${s.name} ${variant}`).toEqual(f.violationKinds);
        expect(d.executions, `${s.name} ${variant}`).toBeLessThanOrEqual(f.executions + 1);
        expect(explore(s, { variant, strategy: 'dpor', budget: 100_000 }).ok, `${s.name} ${variant}`).toBe(true);
      }
    }
  });

  it('sees that cancelling a delayed work races with time advancing to its timer', () => {
    const s = delayedCancel();
    expect(explore(s, { strategy: 'dpor', budget: 1000 }).outcomes).toEqual(['false:3', 'true:-1']);
  });

  it('bounds preemptions when asked, and then does not claim completeness', () => {
    const s = readers(3);
    const bounded = explore(s, { strategy: 'dpor', budget: 10_000, maxPreemptions: 0 });
    expect(bounded.complete).toBe(false);
    expect(bounded.executions).toBeLessThan(8);
    expect(explore(s, { strategy: 'dfs', budget: 10_000, maxPreemptions: 0 }).executions).toBeLessThan(explore(s, { strategy: 'dfs', budget: 10_000 }).executions);
  });
});
