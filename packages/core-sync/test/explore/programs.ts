// Small random concurrent programs for property tests of the explorers:
// threads that read and write a few cells (marked and plain), take spinlocks
// and mutexes (possibly in conflicting orders), wait for and signal
// completions, branch on what they read, assert, and make data choices.
import fc from 'fast-check';
import {
  Cell, DEFINE_MUTEX, DEFINE_SPINLOCK, READ_ONCE, WRITE_ONCE, choose, complete, defineScenario, init_completion, kassert,
  mutex_lock, mutex_unlock, spin_lock, spin_unlock, wait_for_completion, type KGen, type Scenario,
} from '../../src/index';
import { DporStrategy } from '../../src/explore/dpor';
import { resolveWorld, runOnce } from '../../src/explore/run';
import { StepRecorder } from '../../src/explore/traces';
import type { StepObserver } from '../../src/internal/rt/kernel';

export type Instr =
  | { readonly op: 'read'; readonly cell: number; readonly plain: boolean }
  | { readonly op: 'write'; readonly cell: number; readonly val: number; readonly plain: boolean }
  | { readonly op: 'inc'; readonly cell: number }
  | { readonly op: 'cs'; readonly lock: number; readonly body: readonly Instr[] }
  | { readonly op: 'wait'; readonly c: number }
  | { readonly op: 'complete'; readonly c: number }
  | { readonly op: 'assert'; readonly not: number }
  | { readonly op: 'if'; readonly cell: number; readonly eq: number; readonly then: readonly Instr[] }
  | { readonly op: 'choose' };

export interface Program {
  readonly cells: number;
  readonly locks: number;
  /** lock i is a mutex when true, a spinlock when false */
  readonly mutex: readonly boolean[];
  readonly completions: number;
  readonly threads: readonly (readonly Instr[])[];
}

export interface GenOptions {
  readonly threads?: [number, number];
  readonly cells?: number;
  readonly locks?: number;
  readonly completions?: number;
  readonly plain?: boolean;
  readonly asserts?: boolean;
  readonly choices?: boolean;
  readonly branches?: boolean;
  readonly maxLen?: number;
}

export function programArb(o: GenOptions = {}): fc.Arbitrary<Program> {
  const cells = o.cells ?? 2;
  const locks = o.locks ?? 1;
  const comps = o.completions ?? 0;
  const maxLen = o.maxLen ?? 3;
  const cell = fc.integer({ min: 0, max: cells - 1 });
  const leaf: fc.Arbitrary<Instr>[] = [
    fc.record({ op: fc.constant('read' as const), cell, plain: o.plain ? fc.boolean() : fc.constant(false) }),
    fc.record({ op: fc.constant('write' as const), cell, val: fc.integer({ min: 1, max: 2 }), plain: o.plain ? fc.boolean() : fc.constant(false) }),
    fc.record({ op: fc.constant('inc' as const), cell }),
  ];
  if (comps > 0) {
    leaf.push(fc.record({ op: fc.constant('wait' as const), c: fc.integer({ min: 0, max: comps - 1 }) }));
    leaf.push(fc.record({ op: fc.constant('complete' as const), c: fc.integer({ min: 0, max: comps - 1 }) }));
  }
  if (o.asserts) leaf.push(fc.record({ op: fc.constant('assert' as const), not: fc.integer({ min: 1, max: 2 }) }));
  if (o.choices) leaf.push(fc.constant({ op: 'choose' as const }));
  const leafArb = fc.oneof(...leaf);
  const inner = fc.array(leafArb, { minLength: 1, maxLength: 2 });
  const compound: fc.Arbitrary<Instr>[] = [leafArb];
  if (locks > 0) {
    const body = fc.oneof({ weight: 3, arbitrary: inner }, {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 0, max: locks - 1 }), inner).map(([lock, b]) => [{ op: 'cs' as const, lock, body: b }] as Instr[]),
    });
    compound.push(fc.record({ op: fc.constant('cs' as const), lock: fc.integer({ min: 0, max: locks - 1 }), body }));
  }
  if (o.branches) compound.push(fc.record({ op: fc.constant('if' as const), cell, eq: fc.integer({ min: 0, max: 2 }), then: inner }));
  const thread = fc.array(fc.oneof(...compound), { minLength: 1, maxLength: maxLen });
  const [tmin, tmax] = o.threads ?? [2, 3];
  return fc.record({
    cells: fc.constant(cells),
    locks: fc.constant(locks),
    mutex: fc.array(fc.boolean(), { minLength: locks, maxLength: locks }),
    completions: fc.constant(comps),
    threads: fc.array(thread, { minLength: tmin, maxLength: tmax }),
  });
}

/** The scenario running a program: one thread per CPU; the outcome is every cell and every value each thread read. */
export function programScenario(p: Program, name = 'program'): Scenario<'only'> {
  return defineScenario({
    name,
    description: JSON.stringify(p),
    variants: { only: { expect: 'holds' } },
    defaults: { cpus: p.threads.length, detectors: { lockdep: false, leaks: false } },
    setup(k) {
      const cells = Array.from({ length: p.cells }, (_, i) => new Cell(0, `c${i}`));
      const locks = Array.from({ length: p.locks }, (_, i) => (p.mutex[i] ? DEFINE_MUTEX(`m${i}`) : DEFINE_SPINLOCK(`l${i}`)));
      const comps = Array.from({ length: p.completions }, (_, i) => init_completion(`done${i}`));
      const logs: number[][] = p.threads.map(() => []);
      p.threads.forEach((body, t) => {
        const log = logs[t]!;
        let acc = 0;
        function* run(list: readonly Instr[]): KGen {
          for (const ins of list) {
            switch (ins.op) {
              case 'read': {
                const c = cells[ins.cell]!;
                acc = ins.plain ? yield* c.read() : yield* READ_ONCE(c);
                log.push(acc);
                break;
              }
              case 'write': {
                const c = cells[ins.cell]!;
                if (ins.plain) yield* c.write(ins.val);
                else yield* WRITE_ONCE(c, ins.val);
                break;
              }
              case 'inc': {
                const c = cells[ins.cell]!;
                acc = (yield* READ_ONCE(c)) + 1;
                yield* WRITE_ONCE(c, acc);
                break;
              }
              case 'cs': {
                const l = locks[ins.lock]!;
                if (p.mutex[ins.lock]) yield* mutex_lock(l as ReturnType<typeof DEFINE_MUTEX>);
                else yield* spin_lock(l as ReturnType<typeof DEFINE_SPINLOCK>);
                yield* run(ins.body);
                if (p.mutex[ins.lock]) yield* mutex_unlock(l as ReturnType<typeof DEFINE_MUTEX>);
                else yield* spin_unlock(l as ReturnType<typeof DEFINE_SPINLOCK>);
                break;
              }
              case 'wait':
                yield* wait_for_completion(comps[ins.c]!);
                break;
              case 'complete':
                yield* complete(comps[ins.c]!);
                break;
              case 'assert':
                kassert(acc !== ins.not, `acc != ${ins.not}`);
                break;
              case 'if':
                if ((yield* READ_ONCE(cells[ins.cell]!)) === ins.eq) yield* run(ins.then);
                break;
              case 'choose':
                acc = choose(2, 'coin');
                log.push(10 + acc);
                break;
            }
          }
        }
        k.spawn(`t${t}`, () => run(body), { cpu: t });
      });
      k.outcome(() => `${cells.map((c) => c.peek()).join(',')}|${logs.map((l) => l.join(',')).join('/')}`);
    },
  });
}

/** The canonical traces (see countTraces) of the executions dpor explores. */
export function dporTraces(s: Scenario, budget = 5000, st = new DporStrategy()): Set<string> {
  const world = resolveWorld(s, {});
  const out = new Set<string>();
  const persistent = { lockdep: null };
  for (let i = 0; i < budget; i++) {
    const ch = st.next();
    if (!ch) break;
    const rec = new StepRecorder();
    const d = ch.observer!;
    const tee: StepObserver = {
      before: (ex, n) => {
        rec.before(ex, n);
        return d.before(ex, n);
      },
      after: (ex) => {
        d.after(ex);
        rec.after(ex);
      },
      created: (o) => {
        d.created(o);
        rec.created(o);
      },
      spawned: (t) => {
        d.spawned(t);
        rec.spawned(t);
      },
      access: (o, w) => d.access(o, w),
      pseudo: (k, w) => d.pseudo(k, w),
      global: () => d.global(),
    };
    ch.observer = tee;
    ch.onData = (v) => rec.noteData(v);
    const { res, ex } = runOnce(s, 'only', world, ch, persistent, false, i);
    if (res.end === 'violation' && res.steps > 0 && rec.steps.length < ex.steps) rec.after(ex);
    st.done(ch, res);
    if (res.end !== 'blocked') {
      const c = rec.canonical();
      if (out.has(c) && process.env.K_DUP) console.log('DUP', i, c);
      out.add(c);
    }
    if (st.complete) break;
  }
  return out;
}
