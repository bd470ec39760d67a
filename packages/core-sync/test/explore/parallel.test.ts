import { describe, expect, it } from 'vitest';
import { explore, exploreParallel, type Progress } from '../../src/index';
import { findScenario } from '../../src/explore/parallel';
import * as fixtures from './fixtures/scenarios';

const module = new URL('./fixtures/scenarios.ts', import.meta.url).href;
const ref = (scenario: string) => ({ module, scenario });

describe('parallel search on worker threads', () => {
  it('finds a scenario by name among a module\'s exports', () => {
    expect(findScenario(fixtures, 'readers')?.name).toBe('readers');
    expect(findScenario(fixtures, 'nope')).toBeNull();
  });

  it('covers the whole dpor and dfs search with two workers', async () => {
    for (const [strategy, s] of [['dpor', fixtures.readers], ['dfs', fixtures.fewReaders]] as const) {
      const seq = explore(s, { strategy, budget: 100_000 });
      const par = await exploreParallel(s, { strategy, budget: 100_000, workers: 2, scenarioRef: ref(s.name) });
      expect(par.workers).toBe(2);
      expect(par.complete, strategy).toBe(true);
      expect(par.outcomes, strategy).toEqual(seq.outcomes);
      if (strategy === 'dfs') expect(par.executions).toBe(seq.executions);
    }
  }, 60_000);

  it('reports the same first counterexample as the sequential random search, shrunk and confirmed', async () => {
    const seq = explore(fixtures.lostUpdate, { strategy: 'random', seed: 5, budget: 500 });
    const par = await exploreParallel(fixtures.lostUpdate, { strategy: 'random', seed: 5, budget: 500, workers: 2, scenarioRef: ref('lost-update') });
    expect(par.verdict).toBe('fails');
    expect(par.counterexample?.schedule).toBe(seq.counterexample?.schedule);
    expect(par.counterexample?.shrunk).not.toBeNull();
  }, 60_000);

  it('keeps progress lines and the budget', async () => {
    const lines: Progress[] = [];
    const r = await exploreParallel(fixtures.readers, {
      strategy: 'random', budget: 3000, workers: 2, scenarioRef: ref('readers'), progressMs: 20, onProgress: (p) => lines.push(p),
    });
    expect(r.executions).toBe(3000);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((p) => p.executions <= 3000 && p.scenario === 'readers')).toBe(true);
  }, 60_000);

  it('refuses workers without a way to import the scenario, or a ref to another scenario', async () => {
    await expect(exploreParallel(fixtures.readers, { workers: 2 })).rejects.toThrow(/scenarioRef/);
    await expect(exploreParallel(fixtures.readers, { workers: 2, scenarioRef: ref('lost-update') })).rejects.toThrow(/names/);
    await expect(exploreParallel(fixtures.readers, { workers: 0 })).rejects.toThrow(/workers/);
    expect(() => explore(fixtures.readers, { workers: 2 })).toThrow(/exploreParallel/);
  });

  it('reports a module that does not export the scenario', async () => {
    const bad = { ...fixtures.readers, name: 'missing' };
    await expect(exploreParallel(bad, { strategy: 'random', budget: 10, workers: 2, scenarioRef: ref('missing') })).rejects.toThrow(/no scenario named 'missing'/);
  }, 30_000);
});
