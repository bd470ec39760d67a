import { describe, expect, it } from 'vitest';
import {
  Cell, DEFINE_MUTEX, DEFINE_SPINLOCK, INIT_WORK, irq_raise, kassert, lockdep_assert_held, msleep, mutex_lock, mutex_trylock, mutex_unlock,
  request_irq, schedule_work, spin_lock, spin_lock_bh, spin_lock_irqsave, spin_trylock, spin_unlock, spin_unlock_bh, spin_unlock_irqrestore,
  timer_setup, mod_timer, jiffies, IRQ_HANDLED, flush_work, choose, replay, type KGen,
} from '../src/index';
import { dfs, random, run1, scenario } from './helpers';

describe('spinlocks', () => {
  it('give mutual exclusion over every interleaving', () => {
    const r = dfs(scenario('mutex-excl', (k) => {
      const l = DEFINE_SPINLOCK('l');
      const inside = new Cell(0, 'inside');
      function* body(): KGen {
        yield* spin_lock(l);
        const v = yield* inside.read();
        yield* inside.write(v + 1);
        kassert((yield* inside.read()) === 1, 'alone in the critical section');
        yield* inside.write(0);
        yield* spin_unlock(l);
      }
      k.spawn('A', body);
      k.spawn('B', body);
      k.spawn('C', body, { cpu: 0 });
    }));
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
    expect(r.executions).toBeGreaterThan(10);
  });

  it('spin_trylock fails while another holds the lock and succeeds otherwise', () => {
    const r = dfs(scenario('trylock', (k) => {
      const l = DEFINE_SPINLOCK('l');
      const got = new Cell(0, 'got');
      k.spawn('holder', function* () {
        yield* spin_lock(l);
        yield* spin_unlock(l);
      });
      k.spawn('trier', function* () {
        if (yield* spin_trylock(l)) {
          yield* got.write(1);
          yield* spin_unlock(l);
        }
      });
      k.outcome(() => String(got.peek()));
    }));
    expect(r.verdict).toBe('holds');
    expect(r.outcomes).toEqual(['0', '1']);
  });

  it('reports an unlock of a lock that is not held', () => {
    const r = dfs(scenario('bad-unlock', (k) => {
      const l = DEFINE_SPINLOCK('l');
      k.spawn('A', function* () {
        yield* spin_unlock(l);
      });
    }));
    expect(r.counterexample?.kind).toBe('lock-misuse');
    expect(r.counterexample?.message).toContain('does not hold');
  });

  it('reports recursive locking (AA)', () => {
    const r = dfs(scenario('aa', (k) => {
      const l = DEFINE_SPINLOCK('l');
      k.spawn('A', function* () {
        yield* spin_lock(l);
        yield* spin_lock(l);
      });
    }));
    expect(r.counterexample?.kind).toBe('lock-misuse');
    expect(r.counterexample?.message).toContain('recursive locking');
  });

  it('a task returning with a lock held is reported', () => {
    const r = dfs(scenario('leak-lock', (k) => {
      const l = DEFINE_SPINLOCK('l');
      k.spawn('A', function* () {
        yield* spin_lock(l);
      });
    }));
    expect(r.counterexample?.kind).toBe('lock-misuse');
    expect(r.counterexample?.message).toContain('lock(s) held');
  });
});

describe('lockdep', () => {
  function abba(fixed: boolean) {
    return scenario('abba', (k) => {
      const a = DEFINE_SPINLOCK('lock_a');
      const b = DEFINE_SPINLOCK('lock_b');
      k.spawn('T1', function* () {
        yield* spin_lock(a);
        yield* spin_lock(b);
        yield* spin_unlock(b);
        yield* spin_unlock(a);
      });
      k.spawn('T2', function* () {
        const [x, y] = fixed ? [a, b] : [b, a];
        yield* spin_lock(x);
        yield* spin_lock(y);
        yield* spin_unlock(y);
        yield* spin_unlock(x);
      });
    });
  }

  it('reports an ABBA lock order as a possible deadlock', () => {
    const r = random(abba(false), { detectors: { lockdep: true } });
    expect(r.counterexample?.kind).toMatch(/lock-order|deadlock/);
    const r2 = dfs(abba(false));
    expect(['lock-order', 'deadlock']).toContain(r2.counterexample?.kind);
  });

  it('learns the order across executions: a cycle is reported even when no execution deadlocks', () => {
    // one task takes the two locks in an order chosen per execution: no execution can deadlock
    const s = scenario('orders', (k) => {
      const a = DEFINE_SPINLOCK('lock_a');
      const b = DEFINE_SPINLOCK('lock_b');
      k.spawn('T', function* () {
        const [x, y] = choose(2, 'order') === 0 ? [a, b] : [b, a];
        yield* spin_lock(x);
        yield* spin_lock(y);
        yield* spin_unlock(y);
        yield* spin_unlock(x);
      });
    });
    const r = dfs(s);
    expect(r.counterexample?.kind).toBe('lock-order');
    expect(r.counterexample?.message).toContain('lock_b -> lock_a');
    // the replay needs the execution that taught lockdep the first order: two schedules
    expect(r.counterexample?.schedule.split(',')).toHaveLength(2);
    expect(replay(s, 'only', r.counterexample!.schedule).violation?.kind).toBe('lock-order');
  });

  it('the corrected twin (one order) holds', () => {
    const r = dfs(abba(true));
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
  });

  function bh(fixed: boolean) {
    return scenario('bh', (k) => {
      const l = DEFINE_SPINLOCK('stats_lock');
      const n = new Cell(0, 'n');
      const t = timer_setup(function* () {
        yield* spin_lock(l);
        yield* n.write((yield* n.read()) + 1);
        yield* spin_unlock(l);
      }, 0, 'stats_timer');
      k.spawn('task', function* () {
        yield* mod_timer(t, jiffies() + 1);
        if (fixed) yield* spin_lock_bh(l);
        else yield* spin_lock(l);
        yield* n.write((yield* n.read()) + 1);
        if (fixed) yield* spin_unlock_bh(l);
        else yield* spin_unlock(l);
      }, { cpu: 0 });
    }, { cpus: 1 });
  }

  it('reports a lock taken in softirq and in process context without _bh', () => {
    const r = dfs(bh(false));
    expect(['irq-safety', 'deadlock']).toContain(r.counterexample?.kind);
    const r2 = random(bh(false));
    expect(['irq-safety', 'deadlock']).toContain(r2.counterexample?.kind);
  });

  it('spin_lock_bh in process context holds', () => {
    const r = dfs(bh(true));
    expect(r.verdict).toBe('holds');
  });

  it('an IRQ handler and a task sharing a lock without irqsave deadlock on one CPU', () => {
    const s = (fixed: boolean) =>
      scenario('irq', (k) => {
        const l = DEFINE_SPINLOCK('dev_lock');
        k.boot('probe', function* () {
          yield* request_irq(5, function* () {
            yield* spin_lock(l);
            yield* spin_unlock(l);
            return IRQ_HANDLED;
          }, 0, 'dev', null);
        });
        k.agent('device', function* () {
          irq_raise(5);
        }, { daemon: false });
        k.spawn('task', function* () {
          if (fixed) {
            const f = yield* spin_lock_irqsave(l);
            yield* spin_unlock_irqrestore(l, f);
          } else {
            yield* spin_lock(l);
            yield* spin_unlock(l);
          }
        }, { cpu: 0 });
      }, { cpus: 1 });
    const bad = dfs(s(false), { detectors: { lockdep: false } });
    expect(bad.counterexample?.kind).toBe('deadlock');
    const bad2 = dfs(s(false));
    expect(bad2.counterexample?.kind).toBe('irq-safety');
    expect(dfs(s(true)).verdict).toBe('holds');
  });

  it('lockdep_assert_held fails when the lock is not held', () => {
    expect(() => run1(function* () {
      const m = DEFINE_MUTEX('m');
      lockdep_assert_held(m);
    })).toThrow(/lockdep-assert/);
    expect(run1(function* () {
      const m = DEFINE_MUTEX('m');
      yield* mutex_lock(m);
      lockdep_assert_held(m);
      yield* mutex_unlock(m);
      return 'ok';
    })).toBe('ok');
  });

  it('flushing work while holding a lock the work takes is a reported cycle', () => {
    const r = dfs(scenario('flush-under-lock', (k) => {
      const m = DEFINE_MUTEX('cfg_mutex');
      const w = INIT_WORK(function* cfg_work() {
        yield* mutex_lock(m);
        yield* mutex_unlock(m);
      });
      k.spawn('A', function* () {
        yield* schedule_work(w);
        yield* mutex_lock(m);
        yield* flush_work(w);
        yield* mutex_unlock(m);
      });
    }));
    expect(['lock-order', 'deadlock']).toContain(r.counterexample?.kind);
  });
});


describe('mutexes', () => {
  it('sleep: another task on the same CPU runs while the owner sleeps', () => {
    const r = dfs(scenario('sleep-owner', (k) => {
      const m = DEFINE_MUTEX('m');
      const ran = new Cell(0, 'ran');
      k.spawn('owner', function* () {
        yield* mutex_lock(m);
        yield* msleep(10);
        yield* mutex_unlock(m);
      }, { cpu: 0 });
      k.spawn('other', function* () {
        yield* ran.write(1);
      }, { cpu: 0 });
      k.outcome(() => String(ran.peek()));
    }, { cpus: 1 }));
    expect(r.verdict).toBe('holds');
    expect(r.outcomes).toEqual(['1']);
  });

  it('mutex_lock under a spinlock is sleeping in atomic context', () => {
    const r = dfs(scenario('atomic-sleep', (k) => {
      const l = DEFINE_SPINLOCK('l');
      const m = DEFINE_MUTEX('m');
      k.spawn('A', function* () {
        yield* spin_lock(l);
        yield* mutex_lock(m);
        yield* mutex_unlock(m);
        yield* spin_unlock(l);
      });
    }));
    expect(r.counterexample?.kind).toBe('sleep-in-atomic');
    expect(r.counterexample?.details.join('\n')).toContain('holding l');
  });

  it('mutex_unlock by a task that is not the owner is misuse', () => {
    const r = dfs(scenario('foreign-unlock', (k) => {
      const m = DEFINE_MUTEX('m');
      k.boot('init', function* () {
        yield* mutex_lock(m);
      });
      k.spawn('A', function* () {
        yield* mutex_unlock(m);
      });
    }));
    expect(r.counterexample?.kind).toBe('lock-misuse');
  });

  it('mutex_trylock returns 1 or 0 as the kernel does', () => {
    expect(run1(function* () {
      const m = DEFINE_MUTEX('m');
      const a = yield* mutex_trylock(m);
      yield* mutex_unlock(m);
      return a;
    })).toBe(1);
  });
});

describe('lock statistics and setup ordering', () => {
  it('lock_stat counts the wait of every CPU waiting on one lock', async () => {
    const { explore, ndelay, lock_stat } = await import('../src/index');
    let wait = -1;
    const r = explore(scenario('three-wait', (k) => {
      const l = DEFINE_SPINLOCK('l');
      for (const cpu of [0, 1, 2]) {
        k.spawn(`t${cpu}`, function* () {
          yield* spin_lock(l);
          yield* ndelay(100);
          yield* spin_unlock(l);
        }, { cpu });
      }
      k.atEnd('record', () => {
        wait = lock_stat(l).waitNs;
        return true;
      });
    }, { cpus: 3 }), { strategy: 'dfs', timing: 'strict', budget: 1 });
    expect(r.verdict).toBe('holds');
    // the first holder waits 0, the second 100 ns, the third 200 ns
    expect(wait).toBe(300);
  });
  it('what boot code wrote happens before every thread (no race with setup)', () => {
    const r = dfs(scenario('boot-hb', (k) => {
      const x = new Cell(0, 'x');
      k.spawn('reader', function* () {
        yield* x.read();
      });
      k.boot('init', function* () {
        yield* x.write(1);
      });
    }));
    expect(r.verdict).toBe('holds');
  });
});
