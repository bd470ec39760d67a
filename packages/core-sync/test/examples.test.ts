import { describe, expect, it } from 'vitest';
import { explore, replay } from '../src/index';
import { nicStats } from '../examples/first-model';

// Keeps docs/tutorial.md true: every result it shows comes from here.
describe('the tutorial model', () => {
  it('the bug variant fails: lockdep sees the lock used in hardirq and with interrupts on', () => {
    const r = explore(nicStats, { variant: 'bug', strategy: 'dfs' });
    expect(r.verdict).toBe('fails');
    expect(r.counterexample?.kind).toBe('irq-safety');
    expect(r.counterexample?.message).toBe('WARNING: inconsistent lock state: {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage of stats_lock');
    expect(replay(nicStats, 'bug', r.counterexample!.schedule).violation?.kind).toBe('irq-safety');
  });
  it('without lockdep, the explorer finds the deadlock itself', () => {
    const r = explore(nicStats, { variant: 'bug', strategy: 'dfs', detectors: { lockdep: false } });
    expect(r.counterexample?.kind).toBe('deadlock');
  });
  it('the fixed variant holds over every interleaving', () => {
    const r = explore(nicStats, { variant: 'fixed', strategy: 'dfs' });
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
  });
});
