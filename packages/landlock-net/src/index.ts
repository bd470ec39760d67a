// @k/landlock-net: Landlock network rulesets exact to the errno (seed 003).
export { Kernel, Task, capMask } from './internal/kernel';
export type { SpawnOptions, LandlockPathBeneathAttr } from './internal/kernel';
