import { describe, expect, it } from 'vitest';
import {
  Cell, INIT_WORK, alloc_ordered_workqueue, alloc_workqueue, cancel_work_sync, del_timer, del_timer_sync,
  flush_work, in_softirq, in_task, jiffies, jiffies_to_msecs, kassert, mod_timer, msecs_to_jiffies, msleep, nsecs_to_jiffies,
  queue_work, timer_pending, timer_setup, usecs_to_jiffies, ktime_get, ndelay, DEFINE_SPINLOCK, spin_lock, spin_unlock, lock_stat,
  hrtimer_setup, hrtimer_start, HRTIMER_NORESTART, in_hardirq, explore, type KGen,
} from '../src/index';
import { delayedCancel, dfs, random, run1, scenario } from './helpers';

describe('jiffies conversions round as the kernel does', () => {
  it('msecs_to_jiffies rounds up at HZ=250, 300 and 1000', () => {
    expect(run1(function* () {
      return [msecs_to_jiffies(1), msecs_to_jiffies(4), msecs_to_jiffies(5), msecs_to_jiffies(0), jiffies_to_msecs(3)];
    })).toEqual([1, 1, 2, 0, 12]);
    expect(run1(function* () {
      return [msecs_to_jiffies(1), msecs_to_jiffies(10), jiffies_to_msecs(3)];
    }, { hz: 300 })).toEqual([1, 3, 10]);
    expect(run1(function* () {
      return [msecs_to_jiffies(7), usecs_to_jiffies(1500)];
    }, { hz: 1000 })).toEqual([7, 2]);
  });
  it('usecs_to_jiffies takes an unsigned int: wider values are truncated to 32 bits', () => {
    expect(run1(function* () {
      return [usecs_to_jiffies(15360), usecs_to_jiffies(2 ** 32 + 4000), usecs_to_jiffies(0x80000000), usecs_to_jiffies(15360n)];
    })).toEqual([4, 1, Number.MAX_SAFE_INTEGER, 4]);
  });
  it('nsecs_to_jiffies rounds down', () => {
    expect(run1(function* () {
      return nsecs_to_jiffies(7_999_999);
    })).toBe(1);
  });
});

describe('timers', () => {
  it('a timer fires in softirq context at its expiry, and mod_timer reports whether it was pending', () => {
    const r = dfs(scenario('timer', (k) => {
      const fired = new Cell(-1, 'fired_at');
      const t = timer_setup(function* () {
        kassert(in_softirq() && !in_task(), 'timer callbacks run in softirq context');
        yield* fired.write(jiffies());
      }, 0, 't');
      k.spawn('A', function* () {
        kassert((yield* mod_timer(t, jiffies() + 10)) === 0, 'was not pending');
        kassert((yield* mod_timer(t, jiffies() + 5)) === 1, 'was pending');
        kassert(timer_pending(t), 'pending now');
      });
      k.atEnd('fired at jiffy 5', () => fired.peek() === 5 || `fired at ${fired.peek()}`);
    }), { timing: 'strict' });
    expect(r.verdict).toBe('holds');
  });
  it('in free timing a slow task may see its timer expire before it modifies it', () => {
    const r = dfs(scenario('timer-free', (k) => {
      const t = timer_setup(function* () {}, 0, 't');
      k.spawn('A', function* () {
        yield* mod_timer(t, jiffies() + 10);
        const again = yield* mod_timer(t, jiffies() + 5);
        k.outcome(() => String(again));
      });
    }));
    expect(r.outcomes).toEqual(['0', '1']);
  });
  it('del_timer returns 1 for a pending timer and the callback never runs', () => {
    const r = dfs(scenario('del', (k) => {
      const fired = new Cell(0, 'fired');
      const t = timer_setup(function* () {
        yield* fired.write(1);
      }, 0, 't');
      k.spawn('A', function* () {
        yield* mod_timer(t, jiffies() + 10);
        kassert((yield* del_timer(t)) === 1, 'deactivated');
      });
      k.atEnd('never fired', () => fired.peek() === 0);
    }), { timing: 'strict' });
    expect(r.verdict).toBe('holds');
  });
  it('del_timer without _sync lets the callback run after the object is gone; del_timer_sync waits', () => {
    const s = (sync: boolean) =>
      scenario('del-sync', (k) => {
        const alive = new Cell(1, 'alive');
        const t = timer_setup(function* () {
          kassert((yield* alive.read()) === 1, 'callback runs on a live object');
        }, 0, 't');
        k.spawn('A', function* () {
          yield* mod_timer(t, jiffies() + 1);
          yield* msleep(4);
          if (sync) yield* del_timer_sync(t);
          else yield* del_timer(t);
          yield* alive.write(0);
        });
      });
    expect(dfs(s(false)).counterexample?.kind).toMatch(/assertion|data-race/);
    expect(dfs(s(true)).verdict).toBe('holds');
  });
  it('an hrtimer fires in hardirq context after its ns delay', () => {
    const r = dfs(scenario('hr', (k) => {
      const at = new Cell(-1, 'at');
      const t = hrtimer_setup(function* () {
        kassert(in_hardirq(), 'hrtimers run in hardirq context by default');
        yield* at.write(ktime_get());
        return HRTIMER_NORESTART;
      });
      k.spawn('A', function* () {
        yield* hrtimer_start(t, 1500);
      });
      k.atEnd('at 1500 ns', () => at.peek() === 1500 || String(at.peek()));
    }));
    expect(r.verdict).toBe('holds');
  });
});

describe('virtual time in strict mode measures contention', () => {
  it('two CPUs serialise on a spinlock held for 100 ns each, and lock_stat shows the wait', () => {
    let wait = -1;
    let end = -1;
    const r = explore(scenario('contend', (k) => {
      const l = DEFINE_SPINLOCK('l');
      for (const cpu of [0, 1]) {
        k.spawn(`t${cpu}`, function* () {
          yield* spin_lock(l);
          yield* ndelay(100);
          yield* spin_unlock(l);
        }, { cpu });
      }
      k.atEnd('record', () => {
        wait = lock_stat(l).waitNs;
        end = k.now;
        return true;
      });
    }), { strategy: 'dfs', timing: 'strict' });
    expect(r.verdict).toBe('holds');
    expect(end).toBe(200);
    expect(wait).toBe(100);
  });
});

describe('workqueues', () => {
  it('queueing a pending work returns false and runs it once', () => {
    const r = dfs(scenario('pending', (k) => {
      const runs = new Cell(0, 'runs');
      const wq = alloc_workqueue('wq');
      const w = INIT_WORK(function* () {
        yield* runs.write((yield* runs.read()) + 1);
      });
      k.spawn('A', function* () {
        const a = yield* queue_work(wq, w);
        const b = yield* queue_work(wq, w);
        kassert(a === true, 'first queue_work returns true');
        k.outcome(() => `${b}:${runs.peek()}`);
      });
    }));
    expect(r.verdict).toBe('holds');
    // the second queue_work is a no-op unless the work already started (PENDING cleared before it runs)
    expect(r.outcomes).toEqual(['false:1', 'true:2']);
  });
  it('an ordered workqueue never runs two items at once', () => {
    const r = dfs(scenario('ordered', (k) => {
      const inside = new Cell(0, 'inside');
      const wq = alloc_ordered_workqueue('ord');
      const body = function* (): KGen {
        yield* inside.write((yield* inside.read()) + 1);
        kassert((yield* inside.read()) === 1, 'alone');
        yield* inside.write(0);
      };
      const w1 = INIT_WORK(body, null, 'w1');
      const w2 = INIT_WORK(body, null, 'w2');
      k.spawn('A', function* () {
        yield* queue_work(wq, w1);
        yield* queue_work(wq, w2);
      });
    }));
    expect(r.verdict).toBe('holds');
  });
  it('delayed work runs after its delay; cancel_delayed_work before then returns true and it never runs', () => {
    const r = dfs(delayedCancel());
    expect(r.verdict).toBe('holds');
    expect(r.outcomes).toEqual(['false:3', 'true:-1']);
  });
  it('flush_work and cancel_work_sync wait for a running instance', () => {
    for (const how of ['flush', 'cancel'] as const) {
      const r = dfs(scenario(how, (k) => {
        const done = new Cell(0, 'done');
        const wq = alloc_workqueue('wq');
        const w = INIT_WORK(function* () {
          yield* msleep(1);
          yield* done.write(1);
        });
        k.spawn('A', function* () {
          yield* queue_work(wq, w);
          yield* msleep(0);
          if (how === 'flush') {
            yield* flush_work(w);
            kassert((yield* done.read()) === 1, 'flushed work has finished');
          } else {
            const was = yield* cancel_work_sync(w);
            kassert(was || (yield* done.read()) === 1, 'cancelled, or finished before cancel returned');
          }
        });
      }));
      expect(r.verdict).toBe('holds');
    }
  });
  it('flush_work from the work itself is a deadlock', () => {
    const r = random(scenario('self-flush', (k) => {
      const wq = alloc_workqueue('wq');
      const w = INIT_WORK(function* self(work) {
        yield* flush_work(work);
      });
      k.spawn('A', function* () {
        yield* queue_work(wq, w);
      });
    }));
    expect(['deadlock', 'lock-misuse']).toContain(r.counterexample?.kind);
  });
});
