import { describe, expect, it } from 'vitest';
import { LITMUS_PRIMITIVES, LitmusSyntaxError, parseLitmus, runLitmus } from '../../src/lkmm/index';

const wrap = (body: string, extra = '', init = '{}'): string =>
  `C T\n\n${init}\n\nP0(int *x, int *y, int **p, spinlock_t *s, atomic_t *v, struct srcu_struct *ss)\n{\n${body}\n}\n\n${extra}exists (0:r0=0)\n`;

function syntaxError(src: string): LitmusSyntaxError {
  try {
    parseLitmus(src, 'bad.litmus');
    runLitmus(src, { file: 'bad.litmus' });
  } catch (e) {
    expect(e).toBeInstanceOf(LitmusSyntaxError);
    return e as LitmusSyntaxError;
  }
  throw new Error('expected a LitmusSyntaxError');
}

describe('parseLitmus', () => {
  it('reads the header, initial state, processes, locations, filter and condition', () => {
    const t = parseLitmus(
      `C MP+test\n"a doc string"\n(* Result: Never *)\n{\n\tint x = 1;\n\tint *p = &x;\n\tq=y;\n\t0:r1=2;\n\tatomic_t v = ATOMIC_INIT(3);\n\tspinlock_t s;\n\tint *z=1; (* comment *)\n}\n` +
        `P0(int *x, int **p) { int r0; r0 = READ_ONCE(*x); }\nP1(int* y) { WRITE_ONCE(*y, 1); }\n` +
        `locations [0:r1; x; y;]\nfilter (0:r0=1 \\/ ~0:r0=0)\nexists (0:r0=1 /\\ x=1)\n`,
      'mp.litmus',
    );
    expect(t.name).toBe('MP+test');
    expect(t.file).toBe('mp.litmus');
    expect(t.resultComment).toBe('Never');
    expect(t.init.map((e) => [e.proc, e.name, e.type, e.value])).toEqual([
      [undefined, 'x', 'int', 1],
      [undefined, 'p', 'int*', { sym: 'x' }],
      [undefined, 'q', undefined, { sym: 'y' }],
      [0, 'r1', undefined, 2],
      [undefined, 'v', 'atomic_t', 3],
      [undefined, 's', 'spinlock_t', 0],
      [undefined, 'z', 'int*', 1],
    ]);
    expect(t.processes.map((p) => p.params.map((q) => `${q.type} ${q.name}`))).toEqual([['int* x', 'int** p'], ['int* y']]);
    expect(t.locations).toEqual([
      { kind: 'reg', proc: 0, name: 'r1' },
      { kind: 'global', name: 'x' },
      { kind: 'global', name: 'y' },
    ]);
    expect(t.filter?.kind).toBe('or');
    expect(t.condition.quantifier).toBe('exists');
  });

  it('accepts ~exists and forall conditions with not, implication, true and false', () => {
    expect(parseLitmus(wrap('int r0;', '', '{}').replace('exists (0:r0=0)', '~exists (0:r0=0)')).condition.quantifier).toBe('not exists');
    const t = parseLitmus(wrap('int r0;').replace('exists (0:r0=0)', 'forall (not (0:r0=1) => true \\/ false)'));
    expect(t.condition.quantifier).toBe('forall');
    expect(t.condition.prop.kind).toBe('implies');
  });

  it('parses every statement form: declarations, assignments, if/else, blocks, casts, pointers', () => {
    const t = parseLitmus(
      wrap(
        [
          'int r0, *r1 = 0, r2 = -1;',
          'int a = READ_ONCE(*x);',
          'r0 = (a + 1) * 2 - 3 / 1 % 5;',
          'r0 = a << 1 | a >> 1 & 7 ^ ~a;',
          'r0 = a == 1 && a != 2 || !(a < 3) || a > 4 || a <= 5 || a >= 6;',
          'r0 = a ? 1 : 2;',
          'if (r0) { WRITE_ONCE(*y, 1); } else if (a) WRITE_ONCE(*y, 2); else { ; }',
          '{ *x = *y; }',
          'r1 = &x;',
          '(void)xchg(x, 1);',
        ].join('\n'),
      ),
    );
    expect(t.processes[0]!.body.map((s) => s.kind)).toEqual(['decl', 'decl', 'decl', 'decl', 'assign', 'assign', 'assign', 'assign', 'if', 'block', 'assign', 'expr']);
  });

  it('knows every primitive the issue lists', () => {
    for (const p of [
      'READ_ONCE', 'WRITE_ONCE', 'smp_store_release', 'smp_load_acquire', 'rcu_dereference', 'rcu_assign_pointer',
      'smp_mb', 'smp_rmb', 'smp_wmb', 'smp_mb__before_atomic', 'smp_mb__after_atomic', 'smp_mb__after_spinlock',
      'smp_mb__after_unlock_lock', 'spin_lock', 'spin_unlock', 'spin_trylock', 'rcu_read_lock', 'rcu_read_unlock',
      'synchronize_rcu', 'srcu_read_lock', 'srcu_read_unlock', 'synchronize_srcu', 'xchg', 'cmpxchg',
      'atomic_read', 'atomic_set', 'atomic_inc', 'atomic_add_return_relaxed', 'atomic_fetch_add_acquire',
      'atomic_sub_return_release', 'atomic_xchg_relaxed', 'atomic_cmpxchg_acquire', 'xchg_release', 'cmpxchg_relaxed',
    ])
      expect(LITMUS_PRIMITIVES).toContain(p);
  });

  it('compiles a program using every kind of primitive', () => {
    const body = [
      'int r0; int r1; int r2; int r3; int idx;',
      'r0 = READ_ONCE(*x); WRITE_ONCE(*y, r0); smp_store_release(x, 1); r1 = smp_load_acquire(y);',
      'r2 = rcu_dereference(*p); rcu_assign_pointer(*p, y);',
      'smp_mb(); smp_rmb(); smp_wmb(); smp_mb__before_atomic(); atomic_inc(v); smp_mb__after_atomic();',
      'spin_lock(s); smp_mb__after_spinlock(); spin_unlock(s); spin_lock(s); smp_mb__after_unlock_lock(); spin_unlock(s);',
      'r3 = spin_trylock(s); if (r3) spin_unlock(s);',
      'rcu_read_lock(); rcu_read_unlock(); synchronize_rcu();',
      'idx = srcu_read_lock(ss); srcu_read_unlock(ss, idx); synchronize_srcu(ss);',
      'r0 = xchg(x, 2); r0 = cmpxchg(y, 0, 3); r0 = atomic_read(v); atomic_set(v, 4);',
      'r0 = atomic_add_return_relaxed(1, v); r0 = atomic_fetch_add_acquire(1, v); r0 = atomic_dec_and_test(v);',
      'r0 = atomic_add_unless(v, 1, 5); r0 = spin_is_locked(s);',
    ].join('\n');
    const r = runLitmus(wrap(body));
    expect(r.states.length).toBeGreaterThan(0);
  });
});

describe('parse errors', () => {
  it('name the file, line, column, what was expected and what was found', () => {
    const e = syntaxError('C T\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1)\n}\nexists (x=1)\n');
    expect(e.file).toBe('bad.litmus');
    expect([e.line, e.column]).toEqual([6, 1]);
    expect(e.expected).toBe("';' after a statement");
    expect(e.found).toBe("'}'");
    expect(e.diagnostic).toBe("bad.litmus:6:1: expected ';' after a statement, found '}'");
    expect(e.errno).toBe('EINVAL');
  });

  it.each([
    ['a missing header', '{}\nP0(int *x) {}\nexists (x=1)\n', 1, 1, "the header 'C <name>'"],
    ['a missing test name', 'C\n{}\n', 1, 2, "a test name after 'C'"],
    ['an unterminated comment', 'C T\n(* oops\n{}\n', 2, 1, "the end '*)'"],
    ['an unknown primitive', 'C T\n{}\nP0(int *x) { frob(x); }\nexists (x=1)\n', 3, 14, 'a kernel primitive'],
    ['READ_ONCE of a pointer instead of a location', 'C T\n{}\nP0(int *x) { int r0; r0 = READ_ONCE(x); }\nexists (x=1)\n', 3, 37, "a location such as '*x'"],
    ['a wrong number of arguments', 'C T\n{}\nP0(int *x) { WRITE_ONCE(*x); }\nexists (x=1)\n', 3, 14, '2 arguments to WRITE_ONCE'],
    ['an undeclared register', 'C T\n{}\nP0(int *x) { WRITE_ONCE(*x, r9); }\nexists (x=1)\n', 3, 29, 'a declared register or a global'],
    ['a loop', 'C T\n{}\nP0(int *x) { while (1) {} }\nexists (x=1)\n', 3, 14, 'loops'],
    ['processes out of order', 'C T\n{}\nP1(int *x) {}\nexists (x=1)\n', 3, 1, 'process P0'],
    ['no process', 'C T\n{}\nexists (x=1)\n', 3, 1, "a process such as 'P0(int *x)"],
    ['a missing condition', 'C T\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\n', 4, 1, 'the final condition'],
    ['garbage after the condition', 'C T\n{}\nP0(int *x) {}\nexists (x=1) junk\n', 4, 14, 'end of file'],
    ['a bad condition atom', 'C T\n{}\nP0(int *x) {}\nexists (x 1)\n', 4, 11, "'=' and a value"],
    ['a bad initial value', 'C T\n{ x = ; }\nP0(int *x) {}\nexists (x=1)\n', 2, 7, 'an initial value'],
    ['an unclosed initial state', 'C T\n{ x = 1\n', 3, 1, "';' or '}'"],
    ['a stray character', 'C T\n{}\nP0(int *x) { WRITE_ONCE(*x, 1) @ }\nexists (x=1)\n', 3, 32, 'a token'],
    ['an assignment to an expression', 'C T\n{}\nP0(int *x) { 1 = 2; }\nexists (x=1)\n', 3, 14, "a register or '*pointer'"],
    ['an array', 'C T\n{ int a[2]; }\nP0(int *x) {}\nexists (x=1)\n', 2, 8, 'arrays are not supported'],
  ])('reports %s clearly', (_what, src, line, column, expected) => {
    const e = syntaxError(src);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.expected).toContain(expected);
    expect(e.message).toContain('bad.litmus:');
  });

  it('never crashes on arbitrary text: it parses or throws LitmusSyntaxError', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (junk) => {
        const src = `C T\n{}\nP0(int *x) { ${junk} }\nexists (x=1)\n`;
        try {
          runLitmus(src);
        } catch (e) {
          if (!(e instanceof LitmusSyntaxError)) throw e;
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
