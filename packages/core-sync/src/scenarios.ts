// @k/core-sync/scenarios: well-known kernel bug patterns, each as a scenario with the buggy form
// (`bug`) and its fix (`fixed`). The demo test re-finds every bug and pins
// the replay string of its counterexample.
import {
  Cell, DEFINE_SPINLOCK, GFP_KERNEL, INIT_WORK, READ_ONCE, TASK_UNINTERRUPTIBLE, WRITE_ONCE, alloc_workqueue, atomic_read, cancel_work,
  cancel_work_sync, current, defineScenario, del_timer, del_timer_sync, jiffies, kassert, kfree, kfree_rcu, kmalloc, kref_get, kref_put,
  Kref, mod_timer, msleep, queue_work, rcu_assign_pointer, rcu_dereference, rcu_read_lock, rcu_read_unlock, schedule, set_current_state,
  smp_load_acquire, smp_store_release, spin_lock, spin_lock_bh, spin_unlock, spin_unlock_bh, timer_setup, wake_up_process, RCU_INIT_POINTER,
  init_completion, complete, wait_for_completion, type KGen, type Scenario, type Thread,
} from './index';

const both = (why: string, kinds: Scenario['variants'][string]['kinds']) => ({
  bug: { expect: 'fails' as const, kinds, why },
  fixed: { expect: 'holds' as const },
});

/** A device struct freed on remove while its timer may still run: del_timer instead of del_timer_sync. */
export const timerUseAfterFree = defineScenario({
  name: 'timer-use-after-free',
  description: 'remove() frees a struct whose timer callback may be running: del_timer() does not wait for it',
  variants: both('del_timer() does not wait for a running callback', ['use-after-free']),
  setup(k, v) {
    interface Dev {
      count: Cell<number>;
    }
    let dev!: Dev;
    const t = timer_setup(function* () {
      yield* WRITE_ONCE(dev.count, (yield* READ_ONCE(dev.count)) + 1);
    }, 0, 'dev_timer');
    k.boot('probe', function* () {
      dev = (yield* kmalloc(() => ({ count: new Cell(0, 'dev.count') }), GFP_KERNEL, 'dev'))!;
      yield* mod_timer(t, jiffies() + 1);
    });
    k.spawn('remove', function* () {
      yield* msleep(4);
      if (v === 'bug') yield* del_timer(t);
      else yield* del_timer_sync(t);
      yield* kfree(dev);
    }, { cpu: 1 });
  },
});

/** cancel_work() does not wait for a running work: the work touches freed memory. */
export const cancelWorkUseAfterFree = defineScenario({
  name: 'cancel-work-use-after-free',
  description: 'teardown cancels a work with cancel_work() and frees its context while the work runs',
  variants: both('cancel_work() returns while the work is running', ['use-after-free']),
  setup(k, v) {
    interface Ctx {
      state: Cell<number>;
    }
    let ctx!: Ctx;
    const wq = alloc_workqueue('events');
    const w = INIT_WORK(function* () {
      yield* WRITE_ONCE(ctx.state, 1);
    }, null, 'ctx_work');
    k.boot('init', function* () {
      ctx = (yield* kmalloc(() => ({ state: new Cell(0, 'ctx.state') }), GFP_KERNEL, 'ctx'))!;
    });
    const submitted = init_completion('submitted');
    k.spawn('submit', function* () {
      yield* queue_work(wq, w);
      yield* complete(submitted);
    });
    k.spawn('teardown', function* () {
      yield* wait_for_completion(submitted);
      if (v === 'bug') yield* cancel_work(w);
      else yield* cancel_work_sync(w);
      yield* kfree(ctx);
    });
  },
});

/** Two paths take two locks in opposite orders. */
export const abbaDeadlock = defineScenario({
  name: 'abba-deadlock',
  description: 'ioctl takes dev->lock then cfg_lock, the notifier cfg_lock then dev->lock',
  variants: both('opposite lock orders: a possible ABBA deadlock', ['lock-order', 'deadlock']),
  setup(k, v) {
    const devLock = DEFINE_SPINLOCK('dev->lock');
    const cfgLock = DEFINE_SPINLOCK('cfg_lock');
    k.spawn('ioctl', function* () {
      yield* spin_lock(devLock);
      yield* spin_lock(cfgLock);
      yield* spin_unlock(cfgLock);
      yield* spin_unlock(devLock);
    });
    k.spawn('notifier', function* () {
      const [a, b] = v === 'bug' ? [cfgLock, devLock] : [devLock, cfgLock];
      yield* spin_lock(a);
      yield* spin_lock(b);
      yield* spin_unlock(b);
      yield* spin_unlock(a);
    });
  },
});

/** A lock shared with a timer (softirq) is taken without _bh in process context. */
export const missingBh = defineScenario({
  name: 'missing-spin-lock-bh',
  description: 'stats are updated by a timer and by a syscall; the syscall takes the lock with spin_lock()',
  variants: both('the timer softirq can interrupt the lock holder on its CPU', ['irq-safety', 'deadlock']),
  defaults: { cpus: 1 },
  setup(k, v) {
    const l = DEFINE_SPINLOCK('stats_lock');
    const n = new Cell(0, 'stats.n');
    const t = timer_setup(function* () {
      yield* spin_lock(l);
      yield* n.write((yield* n.read()) + 1);
      yield* spin_unlock(l);
    }, 0, 'stats_timer');
    k.spawn('syscall', function* () {
      yield* mod_timer(t, jiffies() + 1);
      if (v === 'bug') yield* spin_lock(l);
      else yield* spin_lock_bh(l);
      yield* n.write((yield* n.read()) + 1);
      if (v === 'bug') yield* spin_unlock(l);
      else yield* spin_unlock_bh(l);
    });
  },
});

/** Testing the condition before setting the task state loses a wake-up. */
export const lostWakeup = defineScenario({
  name: 'lost-wakeup',
  description: 'a kthread tests its condition, then sets TASK_UNINTERRUPTIBLE and sleeps',
  variants: both('the wake-up can come between the test and set_current_state', ['hung-task']),
  setup(k, v) {
    const cond = new Cell(0, 'cond');
    let sleeper: Thread | null = null;
    k.spawn('kthread', function* () {
      sleeper = current();
      if (v === 'bug') {
        if ((yield* READ_ONCE(cond)) === 0) {
          yield* set_current_state(TASK_UNINTERRUPTIBLE);
          yield* schedule();
        }
      } else {
        yield* set_current_state(TASK_UNINTERRUPTIBLE);
        if ((yield* READ_ONCE(cond)) === 0) yield* schedule();
        else yield* set_current_state(0);
      }
    });
    k.spawn('waker', function* () {
      yield* WRITE_ONCE(cond, 1);
      if (sleeper) yield* wake_up_process(sleeper);
    });
  },
});

/** Publishing an initialised object with a relaxed store of the pointer. */
export const missingRelease = defineScenario({
  name: 'publish-without-release',
  description: 'init fills a config struct and publishes the pointer with WRITE_ONCE; a reader uses it',
  variants: both('the reader may see the pointer before the fields: no release/acquire pairing', ['data-race']),
  setup(k, v) {
    interface Cfg {
      mtu: Cell<number>;
    }
    const gp = new Cell<Cfg | null>(null, 'global_cfg');
    k.spawn('init', function* () {
      const c = (yield* kmalloc(() => ({ mtu: new Cell(0, 'cfg.mtu') }), GFP_KERNEL, 'cfg'))!;
      yield* c.mtu.write(1500);
      if (v === 'bug') yield* WRITE_ONCE(gp, c);
      else yield* smp_store_release(gp, c);
    });
    k.spawn('reader', function* () {
      const c = v === 'bug' ? yield* READ_ONCE(gp) : yield* smp_load_acquire(gp);
      if (c) kassert((yield* c.mtu.read()) === 1500, 'an initialised config');
    });
    k.atEnd('no leak check for the global', () => true);
  },
  defaults: { detectors: { leaks: false } },
});

/** Replacing an RCU-protected object and freeing the old one at once. */
export const rcuFreeEarly = defineScenario({
  name: 'rcu-free-without-grace-period',
  description: 'an update replaces the RCU-protected table and kfree()s the old one while readers may hold it',
  variants: both('kfree() instead of kfree_rcu(): no grace period', ['use-after-free']),
  defaults: { detectors: { leaks: false } },
  setup(k, v) {
    interface Table {
      size: Cell<number>;
    }
    const tbl = new Cell<Table | null>(null, 'tbl');
    k.boot('init', function* () {
      yield* RCU_INIT_POINTER(tbl, yield* kmalloc(() => ({ size: new Cell(16, 'tbl.size') }), GFP_KERNEL, 'table'));
    });
    k.spawn('lookup', function* () {
      yield* rcu_read_lock();
      const t = yield* rcu_dereference(tbl);
      if (t) yield* READ_ONCE(t.size);
      yield* rcu_read_unlock();
    });
    k.spawn('resize', function* () {
      const n = yield* kmalloc(() => ({ size: new Cell(32, 'tbl.size') }), GFP_KERNEL, 'table');
      const old = tbl.peek();
      yield* rcu_assign_pointer(tbl, n);
      if (v === 'bug') yield* kfree(old);
      else yield* kfree_rcu(old!);
    });
  },
});

/** Taking a reference after checking the count without holding the lookup lock. */
export const krefRace = defineScenario({
  name: 'kref-get-after-last-put',
  description: 'a lookup tests the refcount and then takes a reference while the last put releases the object',
  variants: both('check-then-get is not atomic with the last kref_put', ['refcount', 'use-after-free']),
  setup(k, v) {
    const l = DEFINE_SPINLOCK('obj_list_lock');
    const ref = new Kref('obj.ref');
    const live = new Cell(1, 'obj.live');
    function* release(): KGen {
      yield* WRITE_ONCE(live, 0);
    }
    k.spawn('lookup', function* () {
      if (v === 'fixed') yield* spin_lock(l);
      if ((yield* atomic_read(ref.refcount)) > 0) {
        yield* kref_get(ref);
        yield* kref_put(ref, release);
      }
      if (v === 'fixed') yield* spin_unlock(l);
    });
    k.spawn('last-put', function* () {
      if (v === 'fixed') yield* spin_lock(l);
      yield* kref_put(ref, release);
      if (v === 'fixed') yield* spin_unlock(l);
    });
  },
});

export const patterns = [timerUseAfterFree, cancelWorkUseAfterFree, abbaDeadlock, missingBh, lostWakeup, missingRelease, rcuFreeEarly, krefRace];

/** What `k check` runs for @k/core-sync. */
export const scenarios: readonly Scenario[] = patterns;
