import {
  Cell, INIT_DELAYED_WORK, alloc_workqueue, cancel_delayed_work, defineScenario, explore, jiffies, queue_delayed_work,
  type ExploreOptions, type ExploreReport, type KGen, type Scenario, type World,
} from '../src/index';

/** A one-variant scenario from a setup function, for tests. */
export function scenario(name: string, setup: (k: World) => void, defaults: Scenario['defaults'] = {}): Scenario<'only'> {
  return defineScenario({
    name,
    description: name,
    variants: { only: { expect: 'holds' } },
    defaults,
    setup: (k) => setup(k),
  });
}

/** Explores every interleaving (dfs) of a one-variant scenario. */
export function dfs(s: Scenario<'only'>, o: ExploreOptions = {}): ExploreReport {
  return explore(s, { strategy: 'dfs', budget: 200_000, ...o });
}

/** Random walk with a fixed seed. */
export function random(s: Scenario<'only'>, o: ExploreOptions = {}): ExploreReport {
  return explore(s, { strategy: 'random', budget: 2000, seed: 7, ...o });
}

/** Runs a single generator as the only task and returns what it returned. */
export function run1<T>(fn: () => KGen<T>, o: ExploreOptions = {}): T {
  let out: T | undefined;
  const r = explore(scenario('run1', (k) => {
    k.spawn('t', function* () {
      out = yield* fn();
    });
  }), { budget: 1, ...o });
  if (r.counterexample) throw new Error(`${r.counterexample.kind}: ${r.counterexample.message}`);
  return out as T;
}

/** A delayed work queued for 3 jiffies and cancelled at once: the outcome is `cancelled:ranAt`. */
export function delayedCancel(): Scenario<'only'> {
  return scenario('delayed', (k) => {
    const ranAt = new Cell(-1, 'ranAt');
    const wq = alloc_workqueue('wq');
    const dw = INIT_DELAYED_WORK(function* () {
      yield* ranAt.write(jiffies());
    });
    k.spawn('A', function* () {
      yield* queue_delayed_work(wq, dw, 3);
      const c = yield* cancel_delayed_work(dw);
      k.outcome(() => `${c}:${ranAt.peek()}`);
    });
  });
}
