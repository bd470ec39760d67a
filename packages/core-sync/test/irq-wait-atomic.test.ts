import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ATOMIC_INIT, Cell, EBUSY, IRQF_SHARED, IRQ_HANDLED, IRQ_NONE, REFCOUNT_INIT, atomic_cmpxchg, atomic_dec_and_test, atomic_inc, atomic_inc_not_zero,
  atomic_read, clear_bit, complete, complete_all, current, decodeSchedule, disable_irq, enable_irq, encodeSchedule, explore, find_next_bit,
  free_irq, in_hardirq, init_completion, init_waitqueue_head, irq_raise, irq_set_level, irq_set_irq_type, irq_to_desc, irqs_disabled, kassert,
  refcount_dec_and_test, refcount_inc, replay, request_irq, schedule, set_bit, set_current_state, synchronize_irq, test_and_set_bit, test_bit,
  wait_event, wait_for_completion, wake_up, wake_up_process, READ_ONCE, WRITE_ONCE, TASK_UNINTERRUPTIBLE, msleep, atomic_set, type KGen, type Thread,
} from '../src/index';
import { dfs, random, run1, scenario } from './helpers';

describe('interrupts', () => {
  it('a raised edge IRQ runs its handler in hardirq context with interrupts off', () => {
    const r = dfs(scenario('irq', (k) => {
      const seen = new Cell(0, 'seen');
      k.boot('probe', function* () {
        kassert((yield* request_irq(9, function* (irq) {
          kassert(in_hardirq() && irqs_disabled() && irq === 9, 'hardirq context');
          yield* WRITE_ONCE(seen, 1);
          return IRQ_HANDLED;
        }, 0, 'dev', null)) === 0, 'request_irq succeeds');
      });
      k.agent('dev', function* () {
        irq_raise(9);
      }, { daemon: false });
      k.atEnd('handled', () => seen.peek() === 1);
    }));
    expect(r.verdict).toBe('holds');
  });
  it('request_irq on a taken, non-shared line is -EBUSY; shared lines stack', () => {
    expect(run1(function* () {
      const h = function* () {
        return IRQ_NONE;
      };
      const a = yield* request_irq(3, h, 0, 'a', null);
      const b = yield* request_irq(3, h, 0, 'b', null);
      const c = yield* request_irq(4, h, IRQF_SHARED, 'c', 'c');
      const d = yield* request_irq(4, h, IRQF_SHARED, 'd', 'd');
      return [a, b, c, d];
    })).toEqual([0, -EBUSY, 0, 0]);
  });
  it('disable_irq masks the line and waits for a running handler; the edge is delivered after enable_irq', () => {
    const r = dfs(scenario('mask', (k) => {
      const inHandler = new Cell(0, 'inHandler');
      const count = new Cell(0, 'count');
      k.boot('probe', function* () {
        yield* request_irq(2, function* () {
          yield* WRITE_ONCE(inHandler, 1);
          yield* WRITE_ONCE(count, (yield* READ_ONCE(count)) + 1);
          yield* WRITE_ONCE(inHandler, 0);
          return IRQ_HANDLED;
        }, 0, 'dev', null);
      });
      k.agent('dev', function* () {
        irq_raise(2);
      }, { daemon: false });
      k.spawn('driver', function* () {
        yield* disable_irq(2);
        kassert((yield* READ_ONCE(inHandler)) === 0, 'no handler runs after disable_irq returns');
        yield* enable_irq(2);
      }, { cpu: 1 });
      k.atEnd('handled once', () => count.peek() === 1);
    }));
    expect(r.verdict).toBe('holds');
  });
  it('an unbalanced enable_irq is a warning', () => {
    expect(() => run1(function* () {
      yield* request_irq(7, function* () {
        return IRQ_HANDLED;
      }, 0, 'x', null);
      yield* enable_irq(7);
    })).toThrow(/warning: Unbalanced enable for IRQ 7/);
  });
  it('a level line stays asserted: the handler runs until the device lowers it', () => {
    const r = dfs(scenario('level', (k) => {
      const n = new Cell(0, 'n');
      k.boot('probe', function* () {
        irq_set_irq_type(6, 'level');
        yield* request_irq(6, function* () {
          const v = (yield* READ_ONCE(n)) + 1;
          yield* WRITE_ONCE(n, v);
          if (v === 3) irq_set_level(6, false);
          return IRQ_HANDLED;
        }, 0, 'lvl', null);
      });
      k.agent('dev', function* () {
        irq_set_level(6, true);
      }, { daemon: false });
      k.atEnd('three runs', () => n.peek() === 3 || String(n.peek()));
    }));
    expect(r.verdict).toBe('holds');
  });
  it('synchronize_irq and free_irq wait for the running handler', () => {
    const r = dfs(scenario('free', (k) => {
      const state = new Cell(1, 'state');
      k.boot('probe', function* () {
        yield* request_irq(1, function* () {
          kassert((yield* READ_ONCE(state)) === 1, 'handler sees live state');
          return IRQ_HANDLED;
        }, 0, 'dev', 'dev');
      });
      k.agent('dev', function* () {
        irq_raise(1);
      }, { daemon: false });
      k.spawn('remove', function* () {
        yield* free_irq(1, 'dev');
        yield* synchronize_irq(1);
        yield* WRITE_ONCE(state, 0);
      }, { cpu: 1 });
    }));
    expect(r.verdict).toBe('holds');
    expect(irq_to_desc).toBeTypeOf('function');
  });
});

describe('sleeping and waking', () => {
  function waiter(correct: boolean) {
    return scenario('wakeup', (k) => {
      const flag = new Cell(0, 'flag');
      const wq = init_waitqueue_head('wq');
      let sleeper: Thread | null = null;
      k.spawn('sleeper', function* () {
        sleeper = current();
        if (correct) {
          yield* wait_event(wq, function* () {
            return (yield* READ_ONCE(flag)) === 1;
          });
        } else {
          // the classic lost wake-up: test, then sleep, without set_current_state first
          if ((yield* READ_ONCE(flag)) === 0) {
            yield* set_current_state(TASK_UNINTERRUPTIBLE);
            yield* schedule();
          }
        }
      });
      k.spawn('waker', function* () {
        yield* WRITE_ONCE(flag, 1);
        if (correct) yield* wake_up(wq);
        else if (sleeper) yield* wake_up_process(sleeper);
      });
    });
  }
  it('finds the lost wake-up as a hung task', () => {
    const r = dfs(waiter(false));
    expect(r.counterexample?.kind).toBe('hung-task');
    expect(r.counterexample?.details.join('\n')).toContain('sleeper');
  });
  it('wait_event / wake_up never loses the wake-up', () => {
    const r = dfs(waiter(true));
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
  });
  it('completions: complete wakes one waiter, complete_all every waiter', () => {
    const s = (all: boolean) =>
      scenario('completion', (k) => {
        const c = init_completion('done');
        k.spawn('w1', function* () {
          yield* wait_for_completion(c);
        });
        k.spawn('w2', function* () {
          yield* wait_for_completion(c);
        });
        k.spawn('c', function* () {
          if (all) yield* complete_all(c);
          else yield* complete(c);
        });
      });
    expect(dfs(s(true)).verdict).toBe('holds');
    expect(dfs(s(false)).counterexample?.kind).toBe('hung-task');
  });
});

describe('atomics, bitops and refcounts', () => {
  it('atomic_t wraps at 32 bits and value-returning ops return what the kernel returns', () => {
    expect(run1(function* () {
      const a = ATOMIC_INIT(0x7fffffff);
      yield* atomic_inc(a);
      const wrapped = yield* atomic_read(a);
      const b = ATOMIC_INIT(1);
      const t = yield* atomic_dec_and_test(b);
      const old = yield* atomic_cmpxchg(b, 0, 5);
      const nz = yield* atomic_inc_not_zero(ATOMIC_INIT(0));
      return [wrapped, t, old, yield* atomic_read(b), nz];
    })).toEqual([-2147483648, true, 0, 5, false]);
  });
  it('bitops: test_and_set_bit returns the old bit, bits up to 52 are exact', () => {
    expect(run1(function* () {
      const w = new Cell(0, 'flags');
      const a = yield* test_and_set_bit(0, w);
      const b = yield* test_and_set_bit(0, w);
      yield* set_bit(40, w);
      const c = yield* test_bit(40, w);
      yield* clear_bit(0, w);
      return [a, b, c, w.peek() === 2 ** 40];
    })).toEqual([false, true, true, true]);
  });
  it('find_next_bit returns size when no bit is left', () => {
    expect(find_next_bit(0b1010_0000_0000, 27, 0)).toBe(9);
    expect(find_next_bit(0b1010_0000_0000, 27, 10)).toBe(11);
    expect(find_next_bit(0b1010_0000_0000, 27, 12)).toBe(27);
    expect(find_next_bit(0x07fff800, 27, 11 + 1)).toBe(12);
  });
  it('a refcount underflow is reported', () => {
    const r = dfs(scenario('ref', (k) => {
      const rc = REFCOUNT_INIT(1);
      k.spawn('a', function* () {
        yield* refcount_dec_and_test(rc);
      });
      k.spawn('b', function* () {
        yield* refcount_dec_and_test(rc);
      });
    }));
    expect(r.counterexample?.kind).toBe('refcount');
  });
  it('refcount_inc on zero is an addition on 0 (use-after-free)', () => {
    expect(() => run1(function* () {
      yield* refcount_inc(REFCOUNT_INIT(0));
    })).toThrow(/addition on 0/);
  });
});

describe('schedules and replay', () => {
  it('encodes and decodes any list of choices', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 2 ** 40 }), { maxLength: 200 }), (xs) => {
      expect(decodeSchedule(encodeSchedule(xs))).toEqual(xs);
    }), { seed: 42, numRuns: 300 });
  });
  it('rejects what is not a schedule', () => {
    expect(() => decodeSchedule('hello')).toThrow(/not a k schedule/);
    expect(() => decodeSchedule('k1:@@')).toThrow(/bad character/);
  });
  it('replaying a printed schedule repeats every step and the same failure', () => {
    const s = scenario('det', (k) => {
      const x = ATOMIC_INIT(0);
      const seen = new Cell(0, 'seen');
      for (const n of ['A', 'B', 'C']) {
        k.spawn(n, function* (): KGen {
          yield* atomic_inc(x);
          if ((yield* atomic_read(x)) === 3) yield* msleep(1);
          yield* atomic_set(x, 0);
          yield* seen.write(1);
        });
      }
    });
    const r = random(s, { seed: 5 });
    expect(r.counterexample).not.toBeNull();
    const a = replay(s, 'only', r.counterexample!.schedule);
    const b = replay(s, 'only', r.counterexample!.schedule);
    expect(a.violation).toEqual(b.violation);
    expect(a.trace).toEqual(b.trace);
    expect(a.trace).toEqual(r.counterexample!.trace);
  });
  it('a schedule from another scenario is reported as diverged, never a crash', () => {
    const s = scenario('tiny', (k) => {
      k.spawn('A', function* () {});
    });
    const rep = replay(s, 'only', encodeSchedule([5, 5, 5]));
    expect(rep.diverged).toContain('another scenario');
  });
  it('validates explore options with clear errors', () => {
    const s = scenario('x', () => {});
    expect(() => explore(s, { variant: 'nope' })).toThrow(/no variant 'nope'/);
    expect(() => explore(s, { budget: 0 })).toThrow(/budget/);
    expect(() => explore(s, { cpus: 0 })).toThrow(/cpus/);
    expect(() => explore(s, { strategy: 'bogus' as never })).toThrow(/unknown strategy/);
  });
});
