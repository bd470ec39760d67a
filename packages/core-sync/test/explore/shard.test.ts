import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFINE_SPINLOCK, encodeSchedule, explore, parseShard, spin_lock, spin_unlock } from '../../src/index';
import { plan, search, splitDepth, type Shard } from '../../src/explore/explore';
import { DporStrategy, prefixHash } from '../../src/explore/dpor';
import type { Scenario } from '../../src/explore/scenario';
import { fewReaders, lostUpdate, readers } from './fixtures/scenarios';
import { dporTraces, programArb, programScenario } from './programs';
import { scenario } from '../helpers';

function schedules(s: Scenario, strategy: 'dfs' | 'dpor' | 'random' | 'pct', shard: Shard | undefined, budget = 100_000): string[] {
  const out: string[] = [];
  search(plan(s, { strategy, shard, budget, continueAfterViolation: true, shrink: false }), { executed: (sched) => out.push(encodeSchedule(sched)) });
  return out;
}

describe('sharding', () => {
  it('parses i/n and rejects what is not a shard', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1-4', '']) expect(() => parseShard(bad), bad).toThrow(/shard/);
    expect(() => explore(readers, { shard: { index: 3, count: 2 } })).toThrow(/1\.\.count/);
  });

  it('splits dfs into shards whose executions together are exactly the unsharded ones', () => {
    const whole = schedules(fewReaders, 'dfs', undefined);
    for (const count of [2, 3, 5]) {
      const parts = Array.from({ length: count }, (_, i) => schedules(fewReaders, 'dfs', { index: i + 1, count }));
      const union = parts.flat();
      expect(union.length, `${count} shards`).toBe(whole.length);
      expect(new Set(union)).toEqual(new Set(whole));
      expect(parts.every((p) => p.length > 0), `${count} shards all get work`).toBe(true);
    }
  });

  it('splits random and pct runs by execution index', () => {
    for (const strategy of ['random', 'pct'] as const) {
      const whole = schedules(lostUpdate, strategy, undefined, 60);
      const a = schedules(lostUpdate, strategy, { index: 1, count: 2 }, 60);
      const b = schedules(lostUpdate, strategy, { index: 2, count: 2 }, 60);
      expect([...a, ...b].sort()).toEqual([...whole].sort());
      expect(a.length).toBe(30);
    }
  });

  it('splits dpor so that the shards together visit every trace the unsharded search visits', () => {
    const s = programScenario({
      cells: 2, locks: 1, mutex: [false], completions: 0,
      threads: [
        [{ op: 'inc', cell: 0 }, { op: 'read', cell: 1, plain: false }],
        [{ op: 'cs', lock: 0, body: [{ op: 'write', cell: 1, val: 1, plain: false }] }, { op: 'read', cell: 0, plain: false }],
        [{ op: 'write', cell: 0, val: 2, plain: false }, { op: 'cs', lock: 0, body: [{ op: 'inc', cell: 1 }] }],
      ],
    });
    const whole = explore(s, { strategy: 'dpor', budget: 100_000 });
    const outcomes = new Set<string>();
    for (let i = 1; i <= 3; i++) {
      const r = explore(s, { strategy: 'dpor', budget: 100_000, shard: { index: i, count: 3 } });
      expect(r.complete).toBe(true);
      expect(r.shard).toEqual({ index: i, count: 3 });
      for (const o of r.outcomes) outcomes.add(o);
    }
    expect([...outcomes].sort()).toEqual(whole.outcomes);
    // every trace of the whole search is visited by some shard
    const traces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      for (const t of dporTraces(s, 100_000, new DporStrategy(null, { top: splitDepth(3), owns: (key) => prefixHash(key) % 3 === i }))) traces.add(t);
    }
    const all = dporTraces(s, 100_000);
    expect([...all].filter((t) => !traces.has(t))).toEqual([]);
  });

  it('splits dpor soundly on random programs with locks, blocking, races, assertions and data choices', () => {
    fc.assert(
      fc.property(programArb({ completions: 1, locks: 2, plain: true, asserts: true, choices: true, branches: true }), fc.integer({ min: 2, max: 5 }), (p, count) => {
        const s = programScenario(p);
        const traces = new Set<string>();
        for (let i = 0; i < count; i++) {
          for (const t of dporTraces(s, 200_000, new DporStrategy(null, { top: splitDepth(count), owns: (key) => prefixHash(key) % count === i }))) traces.add(t);
        }
        expect([...dporTraces(s, 200_000)].filter((t) => !traces.has(t))).toEqual([]);
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it('agrees on the verdict in every shard that holds the bug', () => {
    const s = scenario('abba', (k) => {
      const a = DEFINE_SPINLOCK('a');
      const b = DEFINE_SPINLOCK('b');
      k.spawn('x', function* () {
        yield* spin_lock(a);
        yield* spin_lock(b);
        yield* spin_unlock(b);
        yield* spin_unlock(a);
      });
      k.spawn('y', function* () {
        yield* spin_lock(b);
        yield* spin_lock(a);
        yield* spin_unlock(a);
        yield* spin_unlock(b);
      });
    }, { detectors: { lockdep: false } });
    const kinds = new Set<string>();
    for (let i = 1; i <= 2; i++) {
      const r = explore(s, { strategy: 'dfs', budget: 10_000, shard: { index: i, count: 2 } });
      if (r.counterexample) kinds.add(r.counterexample.kind);
    }
    expect([...kinds]).toEqual(['deadlock']);
  });
});
