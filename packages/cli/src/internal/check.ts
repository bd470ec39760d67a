// `k check`: gather every package's registered scenarios (its `./scenarios`
// export) and run them. Until a package registers scenarios, the table says so.
import { createRequire } from 'node:module';
import type { Io } from './io';
import { table, UsageError } from './io';
import { PACKAGES, resolvePackageName, type PackageName } from './packages';

const require = createRequire(import.meta.url);

export interface ScenarioModule {
  readonly scenarios?: readonly unknown[];
  readonly default?: readonly unknown[];
}

export interface CheckRow {
  readonly package: string;
  readonly scenario: string;
  readonly variant: string;
  readonly expected: 'holds' | 'fails' | null;
  readonly verdict: 'holds' | 'fails' | 'no scenarios';
  readonly executions: number;
  readonly timeMs: number;
}

/** Loads `<pkg>/scenarios`; null when the package exports none. */
export async function loadScenarios(pkg: PackageName): Promise<readonly unknown[] | null> {
  const manifest = require(`${pkg}/package.json`) as { exports?: Record<string, unknown> };
  if (!manifest.exports?.['./scenarios']) return null;
  const mod = (await import(`${pkg}/scenarios`)) as ScenarioModule;
  const list = mod.scenarios ?? mod.default;
  return Array.isArray(list) ? list : null;
}

export async function check(args: readonly string[], io: Io): Promise<number> {
  let json = false;
  const wanted: PackageName[] = [];
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a.startsWith('-')) throw new UsageError(`k check: unknown option '${a}'`);
    else {
      const p = resolvePackageName(a);
      if (!p) throw new UsageError(`k check: unknown package '${a}' (known: ${PACKAGES.join(', ')})`);
      wanted.push(p);
    }
  }
  const rows: CheckRow[] = [];
  for (const pkg of wanted.length ? wanted : PACKAGES) {
    const list = await loadScenarios(pkg);
    if (!list || list.length === 0) {
      rows.push({ package: pkg, scenario: '-', variant: '-', expected: null, verdict: 'no scenarios', executions: 0, timeMs: 0 });
    }
  }
  if (json) {
    for (const r of rows) io.out(JSON.stringify(r));
  } else {
    for (const l of table(
      ['package', 'scenario', 'variant', 'expected', 'verdict', 'executions', 'time'],
      rows.map((r) => [r.package, r.scenario, r.variant, r.expected ?? '-', r.verdict, String(r.executions), `${r.timeMs} ms`]),
    ))
      io.out(l);
  }
  return 0;
}
