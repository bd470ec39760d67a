import { describe, expect, it } from 'vitest';
import { Cell, READ_ONCE, WRITE_ONCE, chance, cond_resched, explore, kassert, replay, type KGen } from '../../src/index';
import { timerUseAfterFree } from '../../src/scenarios';
import { scenario } from '../helpers';

describe('shrinking', () => {
  it('reduces the preemptions of a counterexample and confirms it by replay', () => {
    const r = explore(timerUseAfterFree, { variant: 'bug', strategy: 'dfs', budget: 10_000 });
    const cx = r.counterexample!;
    expect(cx.shrunk).not.toBeNull();
    expect(cx.shrunk!.from.preemptions).toBe(2);
    expect(cx.shrunk!.to.preemptions).toBe(0);
    expect(cx.shrunk!.to.switches).toBeLessThan(cx.shrunk!.from.switches);
    expect(cx.choices).toBe(cx.shrunk!.to.choices);
    const again = replay(timerUseAfterFree, 'bug', cx.schedule);
    expect(again.violation?.kind).toBe(cx.kind);
    expect(again.diverged).toBeNull();
  });

  it('keeps the schedule as found with shrink: false', () => {
    const r = explore(timerUseAfterFree, { variant: 'bug', strategy: 'dfs', budget: 10_000, shrink: false });
    expect(r.counterexample?.shrunk).toBeNull();
    expect(r.counterexample?.schedule).toBe('k1:AAAAAQEBAQ');
  });

  it('drops injected faults the failure does not need', () => {
    const s = scenario('faults', (k) => {
      const x = new Cell(0, 'x');
      k.spawn('a', function* (): KGen {
        // three injected faults, only the last one matters
        chance('f1');
        chance('f2');
        if (chance('f3')) yield* WRITE_ONCE(x, 1);
      });
      k.spawn('b', function* (): KGen {
        yield* cond_resched();
        kassert((yield* READ_ONCE(x)) === 0, 'x untouched');
      });
    });
    // a random walk finds it with superfluous faults; the shrinker resets them
    const r = explore(s, { strategy: 'random', seed: 3, budget: 1000 });
    const cx = r.counterexample!;
    expect(cx.kind).toBe('assertion');
    expect(cx.shrunk!.to.injected).toBe(1);
    expect(cx.shrunk!.to.injected).toBeLessThanOrEqual(cx.shrunk!.from.injected);
    expect(replay(s, 'only', cx.schedule).violation?.kind).toBe('assertion');
  });
});
