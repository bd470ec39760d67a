// Runs kernel code once on the explored runtime (one execution, seed fixed) and hands back the
// execution's verdict; for tests of the lifecycle, the transport and the device models.
import { defineScenario, explore, type ExploreReport, type KGen, type World } from '@k/core-sync';

/** Runs `body` as a task in one execution; `setup` builds devices and agents first. */
export function runOnce(name: string, setup: (k: World) => () => KGen<unknown>, opts: { seed?: number; budget?: number; timing?: 'free' | 'strict'; races?: boolean } = {}): ExploreReport {
  const s = defineScenario({
    name,
    description: name,
    variants: { only: { expect: 'holds' } },
    defaults: { budget: opts.budget ?? 1, maxSteps: 50_000, timing: opts.timing ?? 'strict', detectors: { races: opts.races ?? true } },
    setup(k) {
      const body = setup(k);
      k.spawn('test', body, { cpu: 0 });
    },
  });
  return explore(s, { seed: opts.seed ?? 7 });
}
