import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LitmusTimeoutError,
  expectedLitmusChainVerdict,
  explainLitmus,
  formatHerdReport,
  generateLitmusChain,
  judgeLitmusResult,
  litmusResultToJson,
  runLitmus,
  type LitmusChainShape,
  type LitmusResult,
} from '../../src/lkmm/index';

const MP = (w: string, r: string, cond = 'exists (1:r0=1 /\\ 1:r1=0)', result = ''): string =>
  `C MP\n(*\n * Result: ${result}\n *)\n{}\nP0(int *buf, int *flag)\n{\n${w}\n}\nP1(int *buf, int *flag)\n{\n\tint r0;\n\tint r1;\n${r}\n}\n${cond}\n`;

describe('herd7 report format', () => {
  it('prints Test, States, Ok/No, Witnesses, Condition and Observation as herd7 does', () => {
    const r = runLitmus(MP('WRITE_ONCE(*buf, 1); WRITE_ONCE(*flag, 1);', 'r0 = READ_ONCE(*flag); r1 = READ_ONCE(*buf);'));
    expect(formatHerdReport(r)).toBe(
      [
        'Test MP Allowed',
        'States 4',
        '1:r0=0; 1:r1=0;',
        '1:r0=0; 1:r1=1;',
        '1:r0=1; 1:r1=0;',
        '1:r0=1; 1:r1=1;',
        'Ok',
        'Witnesses',
        'Positive: 1 Negative: 3',
        'Condition exists (1:r0=1 /\\ 1:r1=0)',
        'Observation MP Sometimes 1 3',
        '',
      ].join('\n'),
    );
  });

  it('reports ~exists as Forbidden with the witnesses swapped, and Ok when nothing satisfies it', () => {
    const r = runLitmus(
      MP('WRITE_ONCE(*buf, 1); smp_store_release(flag, 1);', 'r0 = smp_load_acquire(flag); r1 = READ_ONCE(*buf);', '~exists (1:r0=1 /\\ 1:r1=0)'),
    );
    const out = formatHerdReport(r);
    expect(out).toContain('Test MP Forbidden\n');
    expect(out).toContain('\nOk\n');
    expect(out).toContain('Positive: 3 Negative: 0');
    expect(out).toContain('Condition ~exists (1:r0=1 /\\ 1:r1=0)');
    expect(out).toContain('Observation MP Never 0 3');
  });

  it('reports forall as Required, Ok only when every execution satisfies it', () => {
    const r = runLitmus(MP('WRITE_ONCE(*buf, 1);', 'r0 = READ_ONCE(*flag);', 'forall (1:r0=0 /\\ buf=1)'));
    expect(r.kind).toBe('Required');
    expect(r.ok).toBe(true);
    expect(r.observation).toBe('Always');
  });

  it('prints globals in brackets, negation as not (...), and parenthesises or under and', () => {
    const r = runLitmus(MP('WRITE_ONCE(*buf, 1);', 'r0 = READ_ONCE(*flag);', 'exists (~buf=1 \\/ (1:r0=0 /\\ flag=0 \\/ 1:r1=1) /\\ 1:r0=0)'));
    expect(formatHerdReport(r)).toContain('Condition exists (not ([buf]=1) \\/ (1:r0=0 /\\ [flag]=0 \\/ 1:r1=1) /\\ 1:r0=0)');
  });

  it('shows the locations list and the condition locations, registers first then globals', () => {
    const r = runLitmus(MP('WRITE_ONCE(*buf, 1);', 'r1 = READ_ONCE(*buf);', 'locations [flag; 1:r1]\nexists (buf=1)'));
    expect(formatHerdReport(r).split('\n')[2]).toBe('1:r1=0; [buf]=1; [flag]=0;');
  });

  it('prints addresses by name and sorts integers before them', () => {
    const src = `C P\n{ int *p = &y; }\nP0(int **p, int *x) { WRITE_ONCE(*p, x); }\nP1(int **p) { int *r0; r0 = READ_ONCE(*p); }\nexists (1:r0=x)\n`;
    expect(formatHerdReport(runLitmus(src))).toContain('States 2\n1:r0=x;\n1:r0=y;\n');
  });

  it('applies the filter before counting', () => {
    const r = runLitmus(
      MP('WRITE_ONCE(*buf, 1); WRITE_ONCE(*flag, 1);', 'r0 = READ_ONCE(*flag); r1 = READ_ONCE(*buf);', 'filter (1:r0=1)\nexists (1:r1=0)'),
    );
    expect([r.positive, r.negative, r.states.length]).toEqual([1, 1, 2]);
  });

  it('prints one JSON object with test, observation, states, positive, negative, flags and timeMs', () => {
    const j = litmusResultToJson(runLitmus(MP('*buf = 1; *flag = 1;', 'r0 = *flag; r1 = *buf;')));
    expect(j).toMatchObject({ test: 'MP', observation: 'Sometimes', positive: 1, negative: 3, flags: ['data-race'] });
    expect(j.states).toContainEqual({ '1:r0': 1, '1:r1': 0 });
    expect(typeof j.timeMs).toBe('number');
  });
});

describe('flags', () => {
  it('flags a data race between unordered plain accesses', () => {
    expect(runLitmus(MP('*buf = 1; *flag = 1;', 'r0 = *flag; r1 = *buf;')).flags).toEqual(['data-race']);
  });

  it('does not flag plain accesses published by release and acquire', () => {
    const r = runLitmus(MP('*buf = 1; smp_store_release(flag, 1);', 'r0 = smp_load_acquire(flag); if (r0) r1 = *buf;'));
    expect(r.flags).toEqual([]);
    expect(r.observation).toBe('Never');
  });

  it('flags an unmatched rcu_read_lock()', () => {
    const src = `C U\n{}\nP0(int *x) { int r0; rcu_read_lock(); r0 = READ_ONCE(*x); }\nexists (0:r0=0)\n`;
    expect(runLitmus(src).flags).toContain('unmatched-rcu-lock');
  });

  it("flags a condition that tests a lock's final value (lock.cat's lock-final)", () => {
    const src = `C L\n{}\nP0(spinlock_t *s) { spin_lock(s); spin_unlock(s); }\nexists (s=0)\n`;
    expect(runLitmus(src).flags).toContain('lock-final');
  });
});

describe('the model', () => {
  const verdict = (src: string): string => runLitmus(src).observation;

  it('orders a failed cmpxchg() with smp_mb__after_atomic() but not alone', () => {
    const sb = (fence: string): string =>
      `C SB\n{}\nP0(int *x, int *y, int *z) { int r0; int r1; WRITE_ONCE(*x, 1); r1 = cmpxchg(z, 1, 0); ${fence} r0 = READ_ONCE(*y); }\n` +
      `P1(int *x, int *y, int *z) { int r0; int r1; WRITE_ONCE(*y, 1); r1 = cmpxchg(z, 1, 0); ${fence} r0 = READ_ONCE(*x); }\nexists (0:r0=0 /\\ 1:r0=0)\n`;
    expect(verdict(sb(''))).toBe('Sometimes');
    expect(verdict(sb('smp_mb__after_atomic();'))).toBe('Never');
  });

  it('makes a successful xchg() a full barrier', () => {
    const src = (op: string): string =>
      `C SB\n{}\nP0(int *x, int *y, int *z) { int r0; int r1; WRITE_ONCE(*x, 1); r1 = ${op}(z, 1); r0 = READ_ONCE(*y); }\n` +
      `P1(int *x, int *y, int *z) { int r0; int r1; WRITE_ONCE(*y, 1); r1 = ${op}(z, 2); r0 = READ_ONCE(*x); }\nexists (0:r0=0 /\\ 1:r0=0)\n`;
    expect(verdict(src('xchg'))).toBe('Never');
    expect(verdict(src('xchg_acquire'))).toBe('Sometimes');
  });

  it('forbids a cycle with as many grace periods as RCU critical sections', () => {
    expect(verdict(generateLitmusChain('rcu', { n: 6, gps: 3 }))).toBe('Never');
    expect(verdict(generateLitmusChain('rcu', { n: 6, gps: 2 }))).toBe('Sometimes');
  });

  it('finds no execution when every candidate deadlocks or is filtered out', () => {
    const src = `C D\n{}\nP0(spinlock_t *s, int *x) { spin_lock(s); spin_lock(s); WRITE_ONCE(*x, 1); }\nexists (x=1)\n`;
    const r = runLitmus(src);
    expect([r.observation, r.positive, r.negative]).toEqual(['Never', 0, 0]);
  });

  it('gives up with a typed error past the time limit', () => {
    expect(() => runLitmus(generateLitmusChain('isa2', { n: 16, order: 'once' }), { timeLimitMs: 1 })).toThrow(LitmusTimeoutError);
  });

  it('decides generated chains as the closed form says (explanation.txt)', () => {
    const shapes: LitmusChainShape[] = ['isa2', 'lb', 'sb', 'wrc', 'rcu', '2+2w'];
    fc.assert(
      fc.property(
        fc.constantFrom(...shapes),
        fc.integer({ min: 2, max: 6 }),
        fc.constantFrom('once', 'relacq', 'mb', 'wmb', 'ctrl', 'data') as fc.Arbitrary<'once' | 'relacq' | 'mb' | 'wmb' | 'ctrl' | 'data'>,
        fc.integer({ min: 0, max: 6 }),
        (shape, n, order, gps) => {
          const o = shape === 'rcu' ? { n, gps: Math.min(gps, n) } : { n: shape === 'wrc' || shape === 'isa2' ? Math.max(3, n) : n, order };
          expect(runLitmus(generateLitmusChain(shape, o)).observation).toBe(expectedLitmusChainVerdict(shape, o));
        },
      ),
      { seed: 20240501, numRuns: 40 },
    );
  });
});

// Random small tests: the pruning (over/under approximations, cheap checks,
// path pruning) must give exactly what judging every candidate gives.
const LOCS = ['x', 'y', 'z'];
const stmt = fc.oneof(
  fc.tuple(fc.constantFrom(...LOCS), fc.constantFrom('READ_ONCE', 'smp_load_acquire', 'rcu_dereference', 'plain')).map(([l, k]) =>
    k === 'READ_ONCE' || k === 'rcu_dereference' ? `r = ${k}(*${l});` : k === 'plain' ? `r = *${l};` : `r = smp_load_acquire(${l});`,
  ),
  fc.tuple(fc.constantFrom(...LOCS), fc.constantFrom(1, 2), fc.constantFrom('WRITE_ONCE', 'smp_store_release', 'data', 'ctrl', 'plain')).map(
    ([l, v, k]) =>
      k === 'WRITE_ONCE' ? `WRITE_ONCE(*${l}, ${v});` : k === 'smp_store_release' ? `smp_store_release(${l}, ${v});` : k === 'data' ? `WRITE_ONCE(*${l}, r);` : k === 'ctrl' ? `if (r == ${v}) WRITE_ONCE(*${l}, 2);` : `*${l} = ${v};`,
  ),
  fc.constantFrom('smp_mb();', 'smp_wmb();', 'smp_rmb();', 'synchronize_rcu();', 'rcu_read_lock(); rcu_read_unlock();'),
  fc.tuple(fc.constantFrom(...LOCS), fc.constantFrom('xchg', 'xchg_relaxed', 'cmpxchg', 'atomic_inc')).map(([l, k]) =>
    k === 'atomic_inc' ? `atomic_inc(${l});` : k === 'cmpxchg' ? `r = cmpxchg(${l}, 0, 2);` : `r = ${k}(${l}, 1);`,
  ),
  fc.constant('spin_lock(s); spin_unlock(s);'),
  fc.constant('r = spin_trylock(s); if (r) spin_unlock(s);'),
  fc.constant('r = spin_is_locked(s);'),
);
const program = fc.array(fc.array(stmt, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 3 }).map((procs) => {
  const ps = procs.map(
    (body, i) =>
      `P${i}(int *x, int *y, int *z, spinlock_t *s)\n{\n\tint r = 0;\n${body.map((b) => `\t${b}`).join('\n')}\n\trcu_read_lock();\n\trcu_read_unlock();\n}`,
  );
  return `C R\n{}\n${ps.join('\n')}\nexists (${procs.map((_, i) => `${i}:r=0`).join(' /\\ ')} /\\ x=1)\n`;
});

function summary(r: LitmusResult): unknown {
  return { states: r.states, positive: r.positive, negative: r.negative, flags: r.flags };
}

describe('pruning', () => {
  it('gives exactly the result of judging every candidate, on random tests', () => {
    fc.assert(
      fc.property(program, (src) => {
        // pruneAbove: 0 prunes even the smallest tests, so that every path of the pruning runs
        expect(summary(runLitmus(src, { pruneAbove: 0 }))).toEqual(summary(runLitmus(src, { exhaustive: true })));
      }),
      { seed: 7, numRuns: 80 },
    );
  }, 180_000);

  it('gives exactly the result of judging every candidate, on generated chains large enough to prune', () => {
    for (const [shape, order] of [['isa2', 'relacq'], ['sb', 'mb'], ['lb', 'ctrl'], ['wrc', 'once'], ['2+2w', 'mb'], ['2+2w', 'wmb']] as const) {
      const src = generateLitmusChain(shape, { n: 7, order });
      expect(summary(runLitmus(src))).toEqual(summary(runLitmus(src, { exhaustive: true })));
    }
    const rcu = generateLitmusChain('rcu', { n: 7, gps: 3 });
    expect(summary(runLitmus(rcu))).toEqual(summary(runLitmus(rcu, { exhaustive: true })));
  });
});

describe('judging against Result: comments (judgelitmus.sh)', () => {
  const ordered = MP('WRITE_ONCE(*buf, 1); smp_wmb(); WRITE_ONCE(*flag, 1);', 'r0 = READ_ONCE(*flag); smp_rmb(); r1 = READ_ONCE(*buf);');
  it('passes when the observation matches', () => {
    expect(judgeLitmusResult(runLitmus(ordered.replace('Result: ', 'Result: Never'))).pass).toBe(true);
  });
  it('fails a mismatch with judgelitmus.sh message', () => {
    const j = judgeLitmusResult(runLitmus(ordered.replace('Result: ', 'Result: Sometimes')));
    expect([j.pass, j.message]).toEqual([false, 'Unexpected non-Sometimes verification']);
  });
  it('requires a predicted data race, and rejects an unpredicted one', () => {
    const racy = MP('*buf = 1; *flag = 1;', 'r0 = *flag; r1 = *buf;');
    expect(judgeLitmusResult(runLitmus(racy.replace('Result: ', 'Result: Sometimes DATARACE'))).pass).toBe(true);
    expect(judgeLitmusResult(runLitmus(racy.replace('Result: ', 'Result: Sometimes'))).message).toBe('Unexpected data race modeled');
    expect(judgeLitmusResult(runLitmus(ordered.replace('Result: ', 'Result: Never DATARACE'))).message).toBe('Predicted data race not modeled');
  });
  it('forgives a wrong observation when a data race is flagged', () => {
    const racy = MP('*buf = 1; *flag = 1;', 'r0 = *flag; r1 = *buf;');
    const j = judgeLitmusResult(runLitmus(racy.replace('Result: ', 'Result: Never DATARACE')));
    expect([j.pass, j.forgiven]).toEqual([true, true]);
  });
  it('treats DEADLOCK as no execution at all', () => {
    const dl = `C D\n(* Result: DEADLOCK *)\n{}\nP0(spinlock_t *s, int *x) { spin_lock(s); spin_lock(s); WRITE_ONCE(*x, 1); }\nexists (x=1)\n`;
    expect(judgeLitmusResult(runLitmus(dl)).pass).toBe(true);
  });
});

describe('explanations', () => {
  it('names the axiom and each link of the cycle for a forbidden outcome', () => {
    const text = explainLitmus(MP('WRITE_ONCE(*buf, 1); smp_store_release(flag, 1);', 'r0 = smp_load_acquire(flag); r1 = READ_ONCE(*buf);'));
    expect(text).toContain('never holds (Never)');
    expect(text).toContain('happens-before axiom (acyclic hb)');
    expect(text).toContain('(acq-po)');
    expect(text).toContain('(po-rel)');
    expect(text).toContain('(fre)');
  });

  it('shows an execution and the unordered links for an allowed outcome', () => {
    const text = explainLitmus(MP('WRITE_ONCE(*buf, 1); WRITE_ONCE(*flag, 1);', 'r0 = READ_ONCE(*flag); r1 = READ_ONCE(*buf);'));
    expect(text).toContain('holds in some executions (Sometimes)');
    expect(text).toContain('reads flag = 1 (written by P0:');
    expect(text).toContain('two stores with nothing between them');
    expect(text).toContain('two loads with nothing that orders them');
  });

  it('explains a propagation (pb) violation with its strong fences', () => {
    const sb = `C SB\n{}\nP0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y); }\nP1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); smp_mb(); r0 = READ_ONCE(*x); }\nexists (0:r0=0 /\\ 1:r0=0)\n`;
    const text = explainLitmus(sb);
    expect(text).toContain('propagation axiom');
    expect(text).toContain('a full barrier orders');
  });

  it('explains an RCU violation', () => {
    const text = explainLitmus(generateLitmusChain('rcu', { n: 2, gps: 1 }));
    expect(text).toContain('RCU axiom');
  });
});
