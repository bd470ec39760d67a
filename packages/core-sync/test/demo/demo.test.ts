import { describe, expect, it } from 'vitest';
import { explore, replay } from '../../src/index';
import { patterns } from '../../src/scenarios';

// Replay strings of the first counterexample dfs finds, as shrunk. A change in how the
// runtime schedules shows here first: if it is intended, update the pins.
const PINNED: Record<string, string> = {
  'timer-use-after-free': 'k1:AAEBAQE',
  'cancel-work-use-after-free': 'k1:AAAAAAABAQEB',
  'abba-deadlock': 'k1:AAAAAAA',
  'missing-spin-lock-bh': 'k1:AAAAAA',
  'lost-wakeup': 'k1:AAABAQE',
  'publish-without-release': 'k1:AAAA',
  'rcu-free-without-grace-period': 'k1:AAABAQE',
  'kref-get-after-last-put': 'k1:AAABAQE',
};

describe('demo: well-known kernel bug patterns', () => {
  for (const s of patterns) {
    it(`re-finds ${s.name} and its fix holds`, () => {
      const bug = explore(s, { variant: 'bug', strategy: 'dfs', budget: 100_000 });
      expect(bug.ok, `${s.name}: ${bug.counterexample?.kind} ${bug.counterexample?.message}`).toBe(true);
      expect(bug.verdict).toBe('fails');
      const cx = bug.counterexample!;
      if (process.env.K_PRINT_PINS) console.log(`  '${s.name}': '${cx.schedule}',`);
      const pinned = PINNED[s.name];
      if (pinned !== undefined) expect(cx.schedule).toBe(pinned);
      const again = replay(s, 'bug', cx.schedule);
      expect(again.violation?.kind).toBe(cx.kind);
      expect(again.violation?.message).toBe(cx.message);
      const fixed = explore(s, { variant: 'fixed', strategy: 'dfs', budget: 100_000 });
      expect(fixed.verdict, `${s.name} fixed: ${fixed.counterexample?.message}`).toBe('holds');
      expect(fixed.complete).toBe(true);
    });
  }
});
