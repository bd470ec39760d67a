import { describe, expect, it } from 'vitest';
import {
  Cell, GFP_KERNEL, READ_ONCE, WRITE_ONCE, kfree, kfree_rcu, kmalloc, rcu_assign_pointer, rcu_dereference, rcu_read_lock, rcu_read_unlock,
  smp_load_acquire, smp_mb, smp_rmb, smp_store_release, smp_wmb, synchronize_rcu, DEFINE_SPINLOCK, spin_lock, spin_unlock, kassert,
  rcu_dereference_protected, type KGen,
} from '../src/index';
import { dfs, scenario } from './helpers';

type Flavour = 'plain' | 'once' | 'rel-acq' | 'wmb-rmb' | 'mb';

function mp(flavour: Flavour) {
  return scenario(`mp-${flavour}`, (k) => {
    const data = new Cell(0, 'data');
    const flag = new Cell(0, 'flag');
    k.spawn('writer', function* () {
      yield* data.write(42);
      if (flavour === 'plain') yield* flag.write(1);
      else if (flavour === 'once') yield* WRITE_ONCE(flag, 1);
      else if (flavour === 'rel-acq') yield* smp_store_release(flag, 1);
      else {
        yield* (flavour === 'mb' ? smp_mb() : smp_wmb());
        yield* WRITE_ONCE(flag, 1);
      }
    });
    k.spawn('reader', function* () {
      let f: number;
      if (flavour === 'plain') f = yield* flag.read();
      else if (flavour === 'rel-acq') f = yield* smp_load_acquire(flag);
      else f = yield* READ_ONCE(flag);
      if (flavour === 'wmb-rmb') yield* smp_rmb();
      if (flavour === 'mb') yield* smp_mb();
      if (f === 1) kassert((yield* data.read()) === 42, 'data visible after flag');
    });
  });
}

describe('data races (happens-before over plain accesses)', () => {
  it('message passing with plain accesses races', () => {
    expect(dfs(mp('plain')).counterexample?.kind).toBe('data-race');
  });
  it('READ_ONCE/WRITE_ONCE on the flag alone leave the plain data racing', () => {
    const r = dfs(mp('once'));
    expect(r.counterexample?.kind).toBe('data-race');
    expect(r.counterexample?.message).toContain('data');
  });
  it('smp_store_release / smp_load_acquire order the data', () => {
    const r = dfs(mp('rel-acq'));
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
  });
  it('smp_wmb / smp_rmb pairing orders the data', () => {
    expect(dfs(mp('wmb-rmb')).verdict).toBe('holds');
  });
  it('smp_mb on both sides orders the data', () => {
    expect(dfs(mp('mb')).verdict).toBe('holds');
  });
  it('accesses under a common lock do not race', () => {
    const r = dfs(scenario('locked', (k) => {
      const l = DEFINE_SPINLOCK('l');
      const x = new Cell(0, 'x');
      for (const n of ['A', 'B']) {
        k.spawn(n, function* () {
          yield* spin_lock(l);
          yield* x.write((yield* x.read()) + 1);
          yield* spin_unlock(l);
        });
      }
    }));
    expect(r.verdict).toBe('holds');
  });
  it('marked accesses on both sides are not a data race', () => {
    const r = dfs(scenario('marked', (k) => {
      const x = new Cell(0, 'x');
      k.spawn('A', function* () {
        yield* WRITE_ONCE(x, 1);
      });
      k.spawn('B', function* () {
        yield* READ_ONCE(x);
      });
    }));
    expect(r.verdict).toBe('holds');
  });
});

interface Obj {
  val: Cell<number>;
}

function rcuScenario(how: 'kfree' | 'synchronize_rcu' | 'kfree_rcu') {
  return scenario(`rcu-${how}`, (k) => {
    const gp = new Cell<Obj | null>(null, 'gp');
    k.boot('init', function* () {
      const o = yield* kmalloc(() => ({ val: new Cell(1, 'obj.val') }), GFP_KERNEL, 'obj');
      yield* rcu_assign_pointer(gp, o);
    });
    k.spawn('reader', function* () {
      yield* rcu_read_lock();
      const p = yield* rcu_dereference(gp);
      if (p) yield* READ_ONCE(p.val);
      yield* rcu_read_unlock();
    });
    k.spawn('updater', function* () {
      const n = yield* kmalloc(() => ({ val: new Cell(2, 'obj.val') }), GFP_KERNEL, 'obj');
      const old = yield* rcu_dereference_protected(gp, true);
      yield* rcu_assign_pointer(gp, n);
      if (how === 'kfree') yield* kfree(old);
      else if (how === 'synchronize_rcu') {
        yield* synchronize_rcu();
        yield* kfree(old);
      } else yield* kfree_rcu(old!);
    });
  }, { detectors: { leaks: false } });
}

describe('RCU and object lifetime', () => {
  it('freeing the old object without a grace period is a use after free', () => {
    const r = dfs(rcuScenario('kfree'));
    expect(r.counterexample?.kind).toBe('use-after-free');
  });
  it('synchronize_rcu before kfree holds in every interleaving', () => {
    const r = dfs(rcuScenario('synchronize_rcu'));
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
  });
  it('kfree_rcu holds in every interleaving', () => {
    const r = dfs(rcuScenario('kfree_rcu'));
    expect(r.verdict).toBe('holds');
  });
  it('rcu_dereference outside rcu_read_lock is suspicious RCU usage', () => {
    const r = dfs(scenario('rcu-outside', (k) => {
      const gp = new Cell<object | null>(null, 'gp');
      k.spawn('A', function* () {
        yield* rcu_dereference(gp);
      });
    }));
    expect(r.counterexample?.kind).toBe('lockdep-assert');
  });
  it('reports double free', () => {
    const r = dfs(scenario('double-free', (k) => {
      k.spawn('A', function* () {
        const o = yield* kmalloc(() => ({}), GFP_KERNEL, 'thing');
        yield* kfree(o);
        yield* kfree(o);
      });
    }));
    expect(r.counterexample?.kind).toBe('double-free');
  });
  it('reports a leak at the end of an execution', () => {
    const r = dfs(scenario('leak', (k) => {
      k.spawn('A', function* (): KGen {
        yield* kmalloc(() => ({}), GFP_KERNEL, 'forgotten');
      });
    }));
    expect(r.counterexample?.kind).toBe('leak');
    expect(r.counterexample?.message).toContain('forgotten');
  });
  it('a use after an unlock-then-free is caught', () => {
    // the classic unlock-before-free: B frees the object after dropping the lock, A still uses it
    const r = dfs(scenario('unlock-free', (k) => {
      const l = DEFINE_SPINLOCK('l');
      const slot = new Cell<Obj | null>(null, 'slot');
      k.boot('init', function* () {
        yield* slot.write(yield* kmalloc(() => ({ val: new Cell(0, 'obj.val') }), GFP_KERNEL, 'obj'));
      });
      k.spawn('A', function* () {
        yield* spin_lock(l);
        const o = yield* slot.read();
        yield* spin_unlock(l);
        if (o) yield* o.val.write(1);
      });
      k.spawn('B', function* () {
        yield* spin_lock(l);
        const o = yield* slot.read();
        yield* slot.write(null);
        yield* spin_unlock(l);
        yield* kfree(o);
      });
    }));
    expect(r.counterexample?.kind).toBe('use-after-free');
  });
});
