// Test helpers: run model code in a one-task world, and a world with the helpers registered.
import { defineScenario, explore, type KGen, type World } from '@k/core-sync';
import { buildWorld, type ScenarioWorld, type VariantConfig } from '../src/internal/world';
import type { ConntrackConfig } from '../src/index';

/**
 * Runs `fn` as the only task of a world built with `buildWorld` (timers fire
 * when nothing else can run) and returns its result; a model violation throws.
 */
export function runModel<T>(fn: (w: ScenarioWorld, k: World) => KGen<T>, v: VariantConfig = { design: 'split' }, cfg: Partial<ConntrackConfig> = {}): { result: T; world: ScenarioWorld } {
  let out: T | undefined;
  let world: ScenarioWorld | undefined;
  const s = defineScenario({
    name: 'test',
    description: 'test',
    variants: { only: { expect: 'holds' } },
    defaults: { cpus: 2, timing: 'strict', maxTime: 1e9 },
    setup(k) {
      const w = buildWorld(k, v, cfg);
      world = w;
      k.spawn('test', function* () {
        out = yield* fn(w, k);
      }, { cpu: 0 });
    },
  });
  const r = explore(s, { budget: 1, strategy: 'dfs', detectors: { leaks: false } });
  if (r.counterexample) throw new Error(`${r.counterexample.kind}: ${r.counterexample.message}`);
  return { result: out as T, world: world! };
}
