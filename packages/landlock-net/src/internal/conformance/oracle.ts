// The real-kernel oracle: builds the C interpreter of ./oracle-c.ts with the
// system compiler (cc), checks that Landlock with network rules is live, and
// runs a conformance scenario for real, one forked process per scenario in
// its own network namespace (root is needed for unshare(CLONE_NEWNET)).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelInputError, encodeNetPortAttr, encodeRulesetAttr, toHex } from '../bytes';
import { capMask } from '../kernel';
import type { CapName } from '../uapi';
import { ORACLE_C_SOURCE } from './oracle-c';
import { encodeAddr, normalise } from './run-model';
import { INITIAL_PERMITTED, type ConformanceCase, type FdRef, type Outcome } from './types';

/** A built helper and the kernel it talks to, or why there is none. */
export type Oracle =
  | { readonly available: true; readonly binary: string; readonly abi: number; readonly kernel: string }
  | { readonly available: false; readonly reason: string };

let cached: Oracle | undefined;

function run(cmd: string, args: string[], input?: string, timeout = 20_000) {
  return spawnSync(cmd, args, { input, encoding: 'utf8', timeout });
}

/** Builds the helper once per process; never throws. */
export function prepareOracle(): Oracle {
  if (cached) return cached;
  cached = build();
  return cached;
}

function build(): Oracle {
  if (process.platform !== 'linux') return { available: false, reason: `not Linux (${process.platform})` };
  const cc = run('cc', ['--version']);
  if (cc.error || cc.status !== 0) return { available: false, reason: 'no C compiler (cc) on PATH' };
  const dir = mkdtempSync(join(tmpdir(), 'k-landlock-oracle-'));
  const src = join(dir, 'landlock-oracle.c');
  const binary = join(dir, 'landlock-oracle');
  writeFileSync(src, ORACLE_C_SOURCE);
  const built = run('cc', ['-O1', '-Wall', '-o', binary, src, '-lpthread'], undefined, 60_000);
  if (built.status !== 0) return { available: false, reason: `cc failed: ${built.stderr.trim().split('\n')[0] ?? ''}` };
  const probe = run(binary, ['--probe']);
  const m = /^ABI (-?\d+)/.exec(probe.stdout ?? '');
  if (!m) return { available: false, reason: 'the helper did not run' };
  const abi = Number(m[1]);
  if (abi < 0) return { available: false, reason: `Landlock is not available (landlock_create_ruleset: errno ${-abi})` };
  if (abi < 4) return { available: false, reason: `the running kernel's Landlock ABI ${abi} has no network rules (ABI 4+)` };
  const kernel = run('uname', ['-r']).stdout?.trim() ?? 'unknown';
  const smoke = run(binary, [], 'main nnp\n');
  if (!/^0 0$/m.test(smoke.stdout ?? '')) {
    return { available: false, reason: `cannot run scenarios (${(smoke.stdout ?? '').trim() || 'no output'}): root is needed for a network namespace` };
  }
  return { available: true, binary, abi, kernel };
}

const fdref = (r: FdRef) => (typeof r === 'number' ? String(r) : `$${r}`);
const hex = (b: Uint8Array | null) => (b === null ? '-' : b.length === 0 ? '~' : toHex(b));
const capHex = (caps: readonly CapName[]) => capMask(caps).toString(16);

/** The helper's script for a scenario: a preamble line, then one line per step. */
export function scriptFor(c: ConformanceCase): string {
  if (c.kernel && Object.keys(c.kernel).length) throw new ModelInputError(`${c.name}: only mainline little-endian scenarios run on the kernel`);
  const lines = [`main caps 0 ${capHex(INITIAL_PERMITTED)}`];
  const permitted = new Map<string, readonly CapName[]>([['main', INITIAL_PERMITTED]]);
  for (const [step] of c.steps) {
    const a = step.by ?? 'main';
    switch (step.op) {
      case 'thread':
        permitted.set(step.name, permitted.get(a) ?? INITIAL_PERMITTED);
        lines.push(`main thread ${step.name}`);
        break;
      case 'caps': {
        const perm = step.permitted ?? permitted.get(a) ?? INITIAL_PERMITTED;
        permitted.set(a, perm);
        lines.push(`${a} caps ${capHex(step.effective)} ${capHex(perm)}`);
        break;
      }
      case 'nnp':
        lines.push(`${a} nnp`);
        break;
      case 'create_ruleset': {
        const attr = step.attr === null || step.attr instanceof Uint8Array ? step.attr : encodeRulesetAttr(step.attr);
        lines.push(`${a} cr ${step.as ?? '-'} ${hex(attr)} ${step.size} ${step.flags ?? 0}`);
        break;
      }
      case 'add_rule': {
        let attr: Uint8Array | null;
        let extra = '';
        const r = step.attr;
        if (r === null || r instanceof Uint8Array) attr = r;
        else if ('parent_fd' in r) {
          attr = new Uint8Array(12);
          new DataView(attr.buffer).setBigUint64(0, r.allowed_access, true);
          if (typeof r.parent_fd === 'number') new DataView(attr.buffer).setInt32(8, r.parent_fd, true);
          else extra = ` i8=${r.parent_fd}`;
        } else attr = encodeNetPortAttr(r);
        lines.push(`${a} ar ${fdref(step.fd)} ${step.rule_type ?? 2} ${hex(attr)} ${step.flags ?? 0}${extra}`);
        break;
      }
      case 'restrict':
        lines.push(`${a} rs ${fdref(step.fd)} ${step.flags ?? 0}`);
        break;
      case 'socket':
        lines.push(`${a} socket ${step.as} ${step.family} ${step.type} ${step.protocol ?? 0}`);
        break;
      case 'bind':
      case 'connect': {
        const enc = step.addr ? encodeAddr(step.addr, 'little', null) : null;
        lines.push(`${a} ${step.op} ${fdref(step.fd)} ${hex(enc?.bytes ?? null)} ${step.len}${enc?.portVar ? ` p2=${enc.portVar}` : ''}`);
        break;
      }
      case 'listen':
        lines.push(`${a} listen ${fdref(step.fd)} ${step.backlog ?? 10}`);
        break;
      case 'accept':
        lines.push(`${a} accept ${step.as} ${fdref(step.fd)}`);
        break;
      case 'close':
        lines.push(`${a} close ${fdref(step.fd)}`);
        break;
      case 'getport':
        lines.push(`${a} getport ${step.as} ${fdref(step.fd)}`);
        break;
      case 'open':
        if (/\s/.test(step.path)) throw new ModelInputError('oracle paths have no spaces');
        lines.push(`${a} open ${step.as} ${step.path} ${step.flags}`);
        break;
    }
  }
  return lines.join('\n') + '\n';
}

/** The outcomes of a scenario on the running kernel. */
export type KernelRun = { readonly ok: true; readonly outcomes: readonly Outcome[] } | { readonly ok: false; readonly error: string };

export function runCaseOnKernel(oracle: Oracle & { available: true }, c: ConformanceCase): KernelRun {
  const out = run(oracle.binary, [], scriptFor(c));
  if (out.error) return { ok: false, error: `${c.name}: ${out.error.message}` };
  const rets = new Map<number, number>();
  for (const line of (out.stdout ?? '').split('\n')) {
    if (line.startsWith('SETUP')) return { ok: false, error: `${c.name}: helper setup failed: ${line}` };
    const m = /^(\d+) (-?\d+)$/.exec(line);
    if (m) rets.set(Number(m[1]), Number(m[2]));
  }
  if (rets.get(0) !== 0) return { ok: false, error: `${c.name}: the helper could not drop its capabilities` };
  const outcomes: Outcome[] = [];
  for (let i = 0; i < c.steps.length; i++) {
    const r = rets.get(i + 1);
    if (r === undefined) return { ok: false, error: `${c.name}: no result for step ${i} (helper exited with ${String(out.status)})` };
    outcomes.push(normalise(c.steps[i]![0], r));
  }
  return { ok: true, outcomes };
}

