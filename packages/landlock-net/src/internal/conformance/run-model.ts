// Runs a conformance scenario on the model: one Kernel per run, a process
// that starts as the selftests' do (no effective capability, a fresh network
// namespace with lo up), threads created on demand.
import { errnoName } from '@k/core-sync';
import { ModelInputError, readU16, sockaddr_in, sockaddr_in6, sockaddr_un, type Endianness } from '../bytes';
import { Kernel, type Task } from '../kernel';
import type { LandlockAbi } from '../uapi';
import { INITIAL_PERMITTED, type AddrSpec, type ConformanceCase, type FdRef, type Outcome, type Step } from './types';

/** The result of one scenario on one ABI. */
export interface CaseRun {
  readonly name: string;
  readonly abi: LandlockAbi;
  readonly outcomes: readonly Outcome[];
  readonly expected: readonly Outcome[];
  /** Index of the first step whose outcome differs from the expectation, or -1. */
  readonly firstMismatch: number;
}

/** Variables of a run: fds and ports by name. */
export type Vars = Map<string, number>;

export function resolveFd(vars: Vars, ref: FdRef): number {
  if (typeof ref === 'number') return ref;
  const v = vars.get(ref);
  if (v === undefined) throw new ModelInputError(`scenario uses '${ref}' before a step defines it`);
  return v;
}

/** The user memory of an address, and the port variable to patch in (for the oracle). */
export function encodeAddr(spec: AddrSpec, e: Endianness, vars: Vars | null): { bytes: Uint8Array; portVar?: string } {
  switch (spec.kind) {
    case 'raw':
      return { bytes: spec.bytes };
    case 'unix':
      return { bytes: sockaddr_un({ abstract: spec.abstract }, e).addr };
    case 'inet':
    case 'inet6': {
      const portVar = typeof spec.port === 'string' ? spec.port : undefined;
      const port = typeof spec.port === 'number' ? spec.port : vars ? resolveFd(vars, spec.port) : 0;
      const bytes =
        spec.kind === 'inet'
          ? sockaddr_in({ port, addr: spec.addr, family: spec.family }, e)
          : sockaddr_in6({ port, addr: spec.addr, family: spec.family, scope_id: spec.scope_id }, e);
      return portVar ? { bytes, portVar } : { bytes };
    }
  }
}

/** Whether a successful step returns a new descriptor. */
export function returnsFd(step: Step): boolean {
  return step.op === 'socket' || step.op === 'accept' || step.op === 'open' || (step.op === 'create_ruleset' && !step.flags);
}

export function normalise(step: Step, ret: number): Outcome {
  if (ret < 0) return errnoName(ret) ?? String(ret);
  if (returnsFd(step)) return 'fd';
  if (step.op === 'getport') return ret > 0 ? 'port' : '0';
  return String(ret);
}

function runStep(t: Task, step: Step, vars: Vars, e: Endianness): number {
  switch (step.op) {
    case 'thread':
      return 0;
    case 'caps':
      return t.capset(step.effective, step.permitted);
    case 'nnp':
      return t.prctl(38, 1);
    case 'create_ruleset':
      return t.landlock_create_ruleset(step.attr, step.size, step.flags ?? 0);
    case 'add_rule': {
      const a = step.attr;
      const attr =
        a && !(a instanceof Uint8Array) && 'parent_fd' in a
          ? { allowed_access: a.allowed_access, parent_fd: resolveFd(vars, a.parent_fd) }
          : a;
      return t.landlock_add_rule(resolveFd(vars, step.fd), step.rule_type ?? 2, attr, step.flags ?? 0);
    }
    case 'restrict':
      return t.landlock_restrict_self(resolveFd(vars, step.fd), step.flags ?? 0);
    case 'socket':
      return t.socket(step.family, step.type, step.protocol ?? 0);
    case 'bind':
    case 'connect': {
      const mem = step.addr ? encodeAddr(step.addr, e, vars).bytes : null;
      const fd = resolveFd(vars, step.fd);
      return step.op === 'bind' ? t.bind(fd, mem, step.len) : t.connect(fd, mem, step.len);
    }
    case 'listen':
      return t.listen(resolveFd(vars, step.fd), step.backlog ?? 10);
    case 'accept':
      return t.accept(resolveFd(vars, step.fd));
    case 'close':
      return t.close(resolveFd(vars, step.fd));
    case 'getport': {
      const r = t.getsockname(resolveFd(vars, step.fd));
      if (typeof r === 'number') return r;
      return readU16(r, 2, 'big');
    }
    case 'open':
      return t.open(step.path, step.flags);
  }
}

/** Runs @c on the model with @abi; throws ModelInputError for a malformed scenario. */
export function runCaseOnModel(c: ConformanceCase, abi: LandlockAbi): CaseRun {
  const k = new Kernel({ ...c.kernel, abi });
  const e = k.options.endianness;
  const main = k.spawn({ caps: [], permitted: INITIAL_PERMITTED });
  const threads = new Map<string, Task>([['main', main]]);
  const vars: Vars = new Map();
  const outcomes: Outcome[] = [];
  for (const [step] of c.steps) {
    if (step.op === 'thread') {
      if (threads.has(step.name)) throw new ModelInputError(`${c.name}: thread '${step.name}' exists`);
      threads.set(step.name, main.clone_thread());
      outcomes.push('0');
      continue;
    }
    const t = threads.get(step.by ?? 'main');
    if (!t) throw new ModelInputError(`${c.name}: no thread '${step.by ?? 'main'}'`);
    const ret = runStep(t, step, vars, e);
    if ('as' in step && step.as && ret >= 0) vars.set(step.as, ret);
    outcomes.push(normalise(step, ret));
  }
  const expected = c.steps.map(([, o]) => o);
  return { name: c.name, abi, outcomes, expected, firstMismatch: outcomes.findIndex((o, i) => o !== expected[i]) };
}

/** A one-line rendering of a step, for reports. */
export function describeStep(step: Step): string {
  const by = step.by && step.by !== 'main' ? `[${step.by}] ` : '';
  switch (step.op) {
    case 'thread':
      return `${by}clone thread ${step.name}`;
    case 'caps':
      return `${by}capset(${step.effective.join('|') || 'none'})`;
    case 'nnp':
      return `${by}prctl(PR_SET_NO_NEW_PRIVS, 1)`;
    case 'create_ruleset': {
      const a = step.attr;
      const attr = a === null ? 'NULL' : a instanceof Uint8Array ? `<${a.length} bytes>` : `{net=0x${BigInt(a.handled_access_net ?? 0).toString(16)}${a.handled_access_fs ? `, fs=0x${BigInt(a.handled_access_fs).toString(16)}` : ''}${a.scoped ? `, scoped=0x${BigInt(a.scoped).toString(16)}` : ''}}`;
      return `${by}landlock_create_ruleset(${attr}, ${step.size}, ${step.flags ?? 0})`;
    }
    case 'add_rule': {
      const a = step.attr;
      const attr = a === null ? 'NULL' : a instanceof Uint8Array ? `<${a.length} bytes>` : 'port' in a ? `{access=0x${BigInt(a.allowed_access).toString(16)}, port=${String(a.port)}}` : `{access=0x${a.allowed_access.toString(16)}, parent_fd=${String(a.parent_fd)}}`;
      return `${by}landlock_add_rule(${String(step.fd)}, ${step.rule_type ?? 2}, ${attr}, ${step.flags ?? 0})`;
    }
    case 'restrict':
      return `${by}landlock_restrict_self(${String(step.fd)}, ${step.flags ?? 0})`;
    case 'socket':
      return `${by}${step.as} = socket(${step.family}, ${step.type}, ${step.protocol ?? 0})`;
    case 'bind':
    case 'connect': {
      const a = step.addr;
      const addr = !a ? 'NULL' : a.kind === 'raw' ? `<${a.bytes.length} bytes>` : a.kind === 'unix' ? `unix:@${a.abstract}` : `${a.kind}${a.family !== undefined ? `(family ${a.family})` : ''}:${a.addr}:${String(a.port)}`;
      return `${by}${step.op}(${String(step.fd)}, ${addr}, ${step.len})`;
    }
    case 'listen':
      return `${by}listen(${String(step.fd)}, ${step.backlog ?? 10})`;
    case 'accept':
      return `${by}${step.as} = accept(${String(step.fd)})`;
    case 'close':
      return `${by}close(${String(step.fd)})`;
    case 'getport':
      return `${by}${step.as} = port of ${String(step.fd)}`;
    case 'open':
      return `${by}${step.as} = open(${step.path}, ${step.flags})`;
  }
}
