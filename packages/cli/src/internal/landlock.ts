// `k landlock`: the @k/landlock-net model from the command line.
//   k landlock check --policy FILE OP PROTO PORT [--json] [--abi N] [--cap NAME]... [--experimental-listen-tcp]
//   k landlock test [--json] [--abi N] [--filter TEXT] [--oracle]
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  CAP_NAMES, CHECK_OPS, CHECK_PROTOS, LANDLOCK_ABIS, PolicyError, checkAccess, parsePolicy, runConformanceSuite,
  type CapName, type CheckOp, type CheckProto, type LandlockAbi, type SuiteRow,
} from '@k/landlock-net';
import type { Io } from './io';
import { table, UsageError } from './io';

export const LANDLOCK_HELP = `k landlock: Landlock network rules, exact to the errno (@k/landlock-net)

usage:
  k landlock check --policy FILE OP PROTO PORT [options]
      may a process under the policy do OP (bind|connect|listen) on PROTO
      (tcp4|tcp6|udp4|udp6|unix) port PORT? Prints "allowed" or "denied ERRNO"
      and why. connect finds an unsandboxed listener on the port; listen binds
      the port first (PORT 0: listen on a never-bound socket).
        --json                      {"decision", "errno", "layer"} only
        --abi N                     emulate Landlock ABI N (4..7; default: the policy's, else 7)
        --cap NAME                  give the process a capability (net_bind_service, net_admin, sys_admin)
        --experimental-listen-tcp   model the RFC's LANDLOCK_ACCESS_NET_LISTEN_TCP (never merged)
  k landlock test [options]
      run the conformance suite (the kernel selftests' network cases) on the
      model and against the results recorded on Linux 6.18; prints a table.
        --json          one object per scenario
        --abi N         only ABI N
        --filter TEXT   only scenarios whose name contains TEXT
        --oracle        also run each scenario on this machine's kernel (needs cc and root)

policy (JSON): {"layers": [{"handledAccessNet": ["bind_tcp", "connect_tcp"],
                            "rules": [{"port": 8080, "allowedAccess": ["bind_tcp"]}]}]}
  one layer per landlock_restrict_self(), in order; optional "abi": 4..7,
  "scoped": ["abstract_unix_socket"], "experimental": {"listenTcp": true}.

exit status: 0 answered (allowed or denied) / suite passed, 1 suite failed, 2 usage or policy error`;

function parseAbi(cmd: string, v: string | undefined): LandlockAbi | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!LANDLOCK_ABIS.includes(n as LandlockAbi)) throw new UsageError(`${cmd}: --abi must be one of ${LANDLOCK_ABIS.join(', ')}, got '${v}'`);
  return n as LandlockAbi;
}

function parse(cmd: string, args: readonly string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${cmd}: ${(e as Error).message.split('\n')[0]} (see 'k landlock --help')`);
  }
}

async function check(args: readonly string[], io: Io): Promise<number> {
  const cmd = 'k landlock check';
  const { values, positionals } = parse(cmd, args, {
    policy: { type: 'string' },
    json: { type: 'boolean' },
    abi: { type: 'string' },
    cap: { type: 'string', multiple: true },
    'experimental-listen-tcp': { type: 'boolean' },
  });
  const file = values.policy as string | undefined;
  if (!file) throw new UsageError(`${cmd}: --policy FILE is required`);
  if (positionals.length !== 3) throw new UsageError(`${cmd}: expected OP PROTO PORT, got ${positionals.length} argument(s)`);
  const [op, proto, portArg] = positionals as [string, string, string];
  if (!CHECK_OPS.includes(op as CheckOp)) throw new UsageError(`${cmd}: OP must be one of ${CHECK_OPS.join(', ')}, got '${op}'`);
  if (!CHECK_PROTOS.includes(proto as CheckProto)) throw new UsageError(`${cmd}: PROTO must be one of ${CHECK_PROTOS.join(', ')}, got '${proto}'`);
  if (!/^\d+$/.test(portArg) || Number(portArg) > 65535) throw new UsageError(`${cmd}: PORT must be an integer in 0..65535, got '${portArg}'`);
  const caps = ((values.cap as string[] | undefined) ?? []).map((c) => {
    const name = c.toLowerCase().replace(/^cap_/, '');
    if (!(name in CAP_NAMES)) throw new UsageError(`${cmd}: unknown capability '${c}' (known: ${Object.keys(CAP_NAMES).join(', ')})`);
    return name as CapName;
  });
  const abi = parseAbi(cmd, values.abi as string | undefined);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${cmd}: cannot read policy '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const policy = parsePolicy(text);
    const d = checkAccess(policy, op as CheckOp, proto as CheckProto, Number(portArg), {
      ...(abi ? { abi } : {}),
      caps,
      ...(values['experimental-listen-tcp'] ? { rfcListenTcp: true } : {}),
    });
    if (values.json) {
      io.out(JSON.stringify({ decision: d.decision, errno: d.errno, layer: d.layer }));
    } else {
      io.out(d.decision === 'allowed' ? 'allowed' : `denied ${d.errno}`);
      for (const line of d.explanation) io.out(`  ${line}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof PolicyError) {
      throw new UsageError(`${cmd}: invalid policy '${file}':\n${e.issues.map((i) => `  ${i.path || '(policy)'}: ${i.message}`).join('\n')}`);
    }
    throw e;
  }
}

interface ScenarioLine {
  readonly scenario: string;
  readonly abis: LandlockAbi[];
  readonly steps: number;
  readonly model: 'pass' | 'fail';
  readonly kernel: 'pass' | 'fail' | 'n/a';
  readonly live: 'pass' | 'fail' | 'n/a';
  readonly detail: string | null;
}

function byScenario(rows: readonly SuiteRow[]): ScenarioLine[] {
  const out = new Map<string, ScenarioLine>();
  const worst = <T extends string>(a: T, b: T): T => (a === 'fail' || b === 'fail' ? ('fail' as T) : a === 'pass' || b === 'pass' ? ('pass' as T) : a);
  for (const r of rows) {
    const prev = out.get(r.name);
    out.set(r.name, {
      scenario: r.name,
      abis: [...(prev?.abis ?? []), r.abi],
      steps: r.steps,
      model: worst<'pass' | 'fail'>(prev?.model ?? 'pass', r.model === 'fail' ? 'fail' : 'pass'),
      kernel: prev ? worst(prev.kernel, r.recorded) : r.recorded,
      live: prev ? worst(prev.live, r.live) : r.live,
      detail: prev?.detail ?? r.detail ?? null,
    });
  }
  return [...out.values()];
}

async function test(args: readonly string[], io: Io): Promise<number> {
  const cmd = 'k landlock test';
  const { values, positionals } = parse(cmd, args, {
    json: { type: 'boolean' },
    abi: { type: 'string' },
    filter: { type: 'string' },
    oracle: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`${cmd}: unexpected argument '${positionals[0]}'`);
  const abi = parseAbi(cmd, values.abi as string | undefined);
  const report = runConformanceSuite({
    ...(abi ? { abi } : {}),
    ...(values.filter ? { filter: values.filter as string } : {}),
    live: Boolean(values.oracle),
  });
  if (report.rows.length === 0) throw new UsageError(`${cmd}: no scenario matches`);
  const lines = byScenario(report.rows);
  if (values.json) {
    for (const l of lines) io.out(JSON.stringify(l));
  } else {
    const live = Boolean(values.oracle) && !report.liveSkipped;
    const header = ['scenario', 'abi', 'steps', 'model', 'kernel 6.18', ...(live ? ['live kernel'] : []), 'verdict'];
    const verdict = (l: ScenarioLine) => (l.model === 'fail' || l.kernel === 'fail' || l.live === 'fail' ? 'FAIL' : 'ok');
    for (const row of table(
      header,
      lines.map((l) => [l.scenario, l.abis.join(','), String(l.steps), l.model, l.kernel, ...(live ? [l.live] : []), verdict(l)]),
    ))
      io.out(row);
    for (const l of lines) if (l.detail) io.out(`${l.scenario}: ${l.detail}`);
    if (report.liveSkipped) io.err(`k landlock test: live kernel runs skipped: ${report.liveSkipped}`);
    const failed = lines.filter((l) => verdict(l) === 'FAIL').length;
    io.out(`conformance: ${lines.length} scenarios (${report.rows.length} scenario-ABI runs), ${lines.length - failed} ok, ${failed} failing`);
  }
  return report.failed ? 1 : 0;
}

/** `k landlock ...`; returns the exit code. */
export async function landlock(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'check':
      return check(rest, io);
    case 'test':
      return test(rest, io);
    case undefined:
      io.out(LANDLOCK_HELP);
      return 2;
    case '-h':
    case '--help':
    case 'help':
      io.out(LANDLOCK_HELP);
      return 0;
    default:
      throw new UsageError(`k landlock: unknown subcommand '${sub}' (check, test; see 'k landlock --help')`);
  }
}
