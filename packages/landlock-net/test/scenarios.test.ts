import { explore, replay } from '@k/core-sync';
import { describe, expect, it } from 'vitest';
import { addRuleVsRestrict, restrictSelfVsBind, scenarios } from '../src/scenarios';

describe('the checked scenarios of @k/landlock-net', () => {
  it('registers both scenarios of the issue for k check', () => {
    expect(scenarios.map((s) => s.name)).toEqual(['restrict-self-vs-bind', 'add-rule-vs-restrict']);
  });

  it('keeps a thread in its domain while another restricts itself, in every interleaving', () => {
    const r = explore(restrictSelfVsBind, { variant: 'per-thread', strategy: 'dfs' });
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
    expect(r.outcomes).toEqual(['bind=0 connect=0']);
  });

  it('finds the race of a process-wide cred and replays it', () => {
    const r = explore(restrictSelfVsBind, { variant: 'process-wide', strategy: 'dfs' });
    expect(r.verdict).toBe('fails');
    expect(r.ok).toBe(true);
    expect(r.counterexample?.kind).toBe('data-race');
    expect(r.counterexample?.message).toMatch(/data race on A->cred/);
    const again = replay(restrictSelfVsBind, 'process-wide', r.counterexample!.schedule);
    expect(again.violation?.kind).toBe('data-race');
    expect(again.diverged).toBeNull();
  });

  it('shows that without the race detector the other thread is denied', () => {
    const r = explore(restrictSelfVsBind, { variant: 'process-wide', strategy: 'dfs', detectors: { races: false } });
    expect(r.counterexample?.message).toMatch(/B keeps its domain: bind -13/);
  });

  it('never changes an enforced domain: a rule lands before the copy or never', () => {
    const r = explore(addRuleVsRestrict, { variant: 'copy', strategy: 'dfs' });
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
    expect([...r.outcomes].sort()).toEqual(['-13,-13', '0,0']);
  });

  it('finds a domain that references its ruleset changing after restrict', () => {
    const r = explore(addRuleVsRestrict, { variant: 'reference', strategy: 'dfs', detectors: { races: false } });
    expect(r.verdict).toBe('fails');
    expect(r.counterexample?.kind).toBe('assertion');
    expect(r.counterexample?.message).toMatch(/an enforced domain never changes: binds returned -13 then 0/);
    expect(explore(addRuleVsRestrict, { variant: 'reference', strategy: 'random', seed: 10 }).counterexample?.kind).toBe('data-race');
  });
});
