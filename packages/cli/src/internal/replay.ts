// `k replay FILE` (a counterexample saved by `k check --save DIR`) or
// `k replay --package P --scenario S --variant V SCHEDULE`: replays the
// schedule step by step and prints the timeline and the violation.
import { readFileSync } from 'node:fs';
import { replay, type ReplayReport, type Scenario } from '@k/core-sync';
import { loadScenarios } from './check';
import type { Io } from './io';
import { parseCommandArgs, UsageError, type CommandOptions, type ParsedCommand } from './io';
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

/** `FILE` or `--package P --scenario S --variant V SCHEDULE`, plus the command's own options. */
export function parseTargetArgs<const T extends CommandOptions>(
  command: string, args: readonly string[], own: T, validate?: (values: ParsedCommand<T>['values']) => void,
): { target: ReplayTarget; values: ParsedCommand<T>['values'] } {
  const parsed = parseCommandArgs(command, args, { ...own, package: { type: 'string' }, scenario: { type: 'string' }, variant: { type: 'string' } });
  const v = parsed.values as ParsedCommand<T>['values'] & { package?: string; scenario?: string; variant?: string };
  validate?.(v);
  const pos = parsed.positionals;
  if (v.package || v.scenario || v.variant) {
    if (!v.package || !v.scenario || !v.variant || pos.length !== 1) {
      throw new UsageError(`k ${command}: with --package, --scenario and --variant give the schedule (k1:...) as the one argument`);
    }
    return { target: { package: v.package, scenario: v.scenario, variant: v.variant, schedule: pos[0]! }, values: v };
  }
  if (pos.length !== 1) throw new UsageError(`k ${command}: give one counterexample file (from k check --save DIR)`);
  return { target: readTarget(pos[0]!), values: v };
}

export function parseReplayArgs(args: readonly string[]): { target: ReplayTarget; json: boolean } {
  const { target, values } = parseTargetArgs('replay', args, { json: { type: 'boolean', default: false } });
  return { target, json: values.json ?? false };
}

/** Replays a target: its scenario and the traced execution (usage errors for what does not fit). */
export async function replayTarget(command: string, target: ReplayTarget): Promise<{ scenario: Scenario; report: ReplayReport }> {
  const s = await findScenario(target.package, target.scenario);
  if (!(target.variant in s.variants)) throw new UsageError(`k ${command}: scenario '${s.name}' has no variant '${target.variant}'`);
  try {
    return { scenario: s, report: replay(s, target.variant, target.schedule) };
  } catch (e) {
    throw new UsageError(`k ${command}: ${(e as Error).message}`);
  }
}

export async function replayCommand(args: readonly string[], io: Io): Promise<number> {
  const { target, json } = parseReplayArgs(args);
  const { scenario: s, report: rep } = await replayTarget('replay', target);
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
