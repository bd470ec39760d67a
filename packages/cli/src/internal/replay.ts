// `k replay FILE` (a counterexample saved by `k check --save DIR`) or
// `k replay --package P --scenario S --variant V SCHEDULE`: replays the
// schedule step by step and prints the timeline and the violation.
import { readFileSync } from 'node:fs';
import { replay, type Scenario } from '@k/core-sync';
import { loadScenarios } from './check';
import type { Io } from './io';
import { parseCommandArgs, UsageError } from './io';
import { resolvePackageName } from './packages';

export interface ReplayTarget {
  readonly package: string;
  readonly scenario: string;
  readonly variant: string;
  readonly schedule: string;
}

export function readTarget(file: string): ReplayTarget {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`k: cannot read '${file}': ${(e as Error).message}`);
  }
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError(`k: '${file}' is not JSON (expected a counterexample saved by 'k check --save DIR')`);
  }
  for (const f of ['package', 'scenario', 'variant', 'schedule']) {
    if (typeof j[f] !== 'string') throw new UsageError(`k: '${file}' has no string field '${f}': not a saved counterexample`);
  }
  return { package: j.package as string, scenario: j.scenario as string, variant: j.variant as string, schedule: j.schedule as string };
}

export async function findScenario(pkgName: string, name: string): Promise<Scenario> {
  const pkg = resolvePackageName(pkgName);
  if (!pkg) throw new UsageError(`k: unknown package '${pkgName}'`);
  const list = await loadScenarios(pkg);
  const s = list?.find((x) => x.name === name);
  if (!s) throw new UsageError(`k: package ${pkg} has no scenario '${name}'${list ? ` (it has: ${list.map((x) => x.name).join(', ')})` : ''}`);
  return s;
}

export async function parseReplayArgs(args: readonly string[]): Promise<{ target: ReplayTarget; json: boolean }> {
  const parsed = parseCommandArgs('replay', args, { package: { type: 'string' }, scenario: { type: 'string' }, variant: { type: 'string' }, json: { type: 'boolean', default: false } });
  const v = parsed.values;
  const pos = parsed.positionals;
  if (v.package || v.scenario || v.variant) {
    if (!v.package || !v.scenario || !v.variant || pos.length !== 1) {
      throw new UsageError('k replay: with --package, --scenario and --variant give the schedule (k1:...) as the one argument');
    }
    return { target: { package: v.package, scenario: v.scenario, variant: v.variant, schedule: pos[0]! }, json: v.json ?? false };
  }
  if (pos.length !== 1) throw new UsageError('k replay: give one counterexample file (from k check --save DIR)');
  return { target: readTarget(pos[0]!), json: v.json ?? false };
}

export async function replayCommand(args: readonly string[], io: Io): Promise<number> {
  const { target, json } = await parseReplayArgs(args);
  const s = await findScenario(target.package, target.scenario);
  if (!(target.variant in s.variants)) throw new UsageError(`k replay: scenario '${s.name}' has no variant '${target.variant}'`);
  let rep;
  try {
    rep = replay(s, target.variant, target.schedule);
  } catch (e) {
    throw new UsageError(`k replay: ${(e as Error).message}`);
  }
  if (json) {
    io.out(JSON.stringify({ ...target, violation: rep.violation, steps: rep.steps, time: rep.time, diverged: rep.diverged, trace: rep.trace }));
  } else {
    io.out(`${target.package} ${s.name} [${target.variant}] ${target.schedule}`);
    io.out(rep.timeline);
    io.out('');
    if (rep.violation) {
      io.out(`${rep.violation.kind}: ${rep.violation.message}`);
      for (const d of rep.violation.details) io.out(`  ${d}`);
    } else io.out('no violation in this execution');
    if (rep.diverged) io.out(`warning: ${rep.diverged}`);
  }
  return rep.violation ? 1 : 0;
}
