// A declarative Landlock network policy (JSON, validated with zod) that
// compiles to the modelled system calls: one layer per landlock_restrict_self(),
// in order, each a landlock_create_ruleset() plus one landlock_add_rule() per
// rule. checkAccess() answers "may a process under this policy bind / connect
// / listen on this port?" by running the calls on a fresh model kernel. Seed
// 003: the layers of tcp_layers.* and the RFC's listen_tcp right.
import { errnoName, type ErrnoName } from '@k/core-sync';
import { z } from 'zod';
import { sockaddr_in, sockaddr_in6, sockaddr_un } from './bytes';
import { Kernel, type Task } from './kernel';
import type { LandlockDenial } from './kernel-state';
import {
  AF_INET, AF_INET6, AF_UNIX, LANDLOCK_ACCESS_NET_BIND_TCP, LANDLOCK_ACCESS_NET_CONNECT_TCP, LANDLOCK_RULE_NET_PORT,
  LANDLOCK_RULESET_ATTR_SIZE, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, LANDLOCK_SCOPE_SIGNAL, PR_SET_NO_NEW_PRIVS, RFC_LISTEN_TCP,
  SOCK_DGRAM, SOCK_STREAM, type CapName, type LandlockAbi, type NetAccessName,
} from './uapi';

const NET_ACCESS = z.enum(['bind_tcp', 'connect_tcp', 'listen_tcp'], {
  error: (i) => `expected one of "bind_tcp", "connect_tcp", "listen_tcp", got ${JSON.stringify(i.input)}`,
});
const SCOPE = z.enum(['abstract_unix_socket', 'signal'], {
  error: (i) => `expected "abstract_unix_socket" or "signal", got ${JSON.stringify(i.input)}`,
});

const RULE = z.strictObject({
  port: z.number({ error: 'expected a port number' }).int('a port is an integer').min(0, 'a port is 0..65535').max(65535, 'a port is 0..65535'),
  allowedAccess: z.array(NET_ACCESS, { error: 'expected an array of access names' }),
});

const LAYER = z.strictObject({
  handledAccessNet: z.array(NET_ACCESS, { error: 'expected an array of access names' }),
  scoped: z.array(SCOPE).optional(),
  rules: z.array(RULE, { error: 'expected an array of rules' }).default([]),
});

const POLICY = z.strictObject({
  abi: z.union([z.literal(4), z.literal(5), z.literal(6), z.literal(7)], { error: 'expected a Landlock ABI with network rules: 4, 5, 6 or 7' }).optional(),
  experimental: z.strictObject({ listenTcp: z.boolean().optional() }).optional(),
  layers: z.array(LAYER, { error: 'expected an array of layers' }),
});

/** A validated policy. */
export type Policy = z.infer<typeof POLICY>;
export type PolicyLayer = z.infer<typeof LAYER>;
export type PolicyRule = z.infer<typeof RULE>;

/** One problem in a policy, at a JSON path such as `layers[0].rules[1].port`. */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
  /** The kernel's errno when the modelled system call refused the policy. */
  readonly errno?: ErrnoName;
}

/** A policy that does not parse, does not validate, or that the kernel refuses. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(readonly issues: readonly PolicyIssue[]) {
    super(issues.map((i) => `${i.path || '(policy)'}: ${i.message}`).join('\n'));
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : `${out ? '.' : ''}${String(k)}`;
  return out;
}

/**
 * Validates a policy (a JSON string or a parsed value). Throws a PolicyError
 * naming the path of every problem.
 */
export function parsePolicy(input: unknown): Policy {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new PolicyError([{ path: '', message: `not JSON: ${(e as Error).message}` }]);
    }
  }
  const r = POLICY.safeParse(value);
  if (!r.success) {
    throw new PolicyError(r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  const issues: PolicyIssue[] = [];
  if (!r.data.experimental?.listenTcp) {
    r.data.layers.forEach((layer, li) => {
      const rfcOnly = `"listen_tcp" is LANDLOCK_ACCESS_NET_LISTEN_TCP of the RFC series "Support TCP listen access-control", never merged into any kernel ABI; set "experimental": {"listenTcp": true} to model it`;
      layer.handledAccessNet.forEach((a, ai) => a === 'listen_tcp' && issues.push({ path: `layers[${li}].handledAccessNet[${ai}]`, message: rfcOnly }));
      layer.rules.forEach((rule, ri) =>
        rule.allowedAccess.forEach((a, ai) => a === 'listen_tcp' && issues.push({ path: `layers[${li}].rules[${ri}].allowedAccess[${ai}]`, message: rfcOnly })),
      );
    });
  }
  if (issues.length) throw new PolicyError(issues);
  return r.data;
}

const ACCESS_BIT: Record<NetAccessName, bigint> = {
  bind_tcp: LANDLOCK_ACCESS_NET_BIND_TCP,
  connect_tcp: LANDLOCK_ACCESS_NET_CONNECT_TCP,
  listen_tcp: RFC_LISTEN_TCP.LANDLOCK_ACCESS_NET_LISTEN_TCP,
};

function accessMask(names: readonly NetAccessName[]): bigint {
  return names.reduce((m, n) => m | ACCESS_BIT[n], 0n);
}

const why: Partial<Record<string, string>> = {
  'landlock_create_ruleset():ENOMSG': 'the layer handles nothing (give it handledAccessNet or scoped)',
  'landlock_add_rule():ENOMSG': 'the rule allows nothing (allowedAccess is empty)',
  'landlock_add_rule():EINVAL': 'the rule allows a right its layer does not handle (allowedAccess must be a subset of handledAccessNet)',
  'landlock_restrict_self():E2BIG': 'a thread can stack at most 16 layers',
  'landlock_create_ruleset():E2BIG': 'this ABI has no scoped field (scopes need ABI 6+)',
  EAFNOSUPPORT: 'the kernel has no TCP/IP (CONFIG_INET=n)',
  EOPNOTSUPP: 'Landlock is disabled on this kernel',
  EPERM: 'landlock_restrict_self() needs no_new_privs or CAP_SYS_ADMIN',
};

function fail(path: string, ret: number, call: string): never {
  const errno = errnoName(ret) ?? 'EINVAL';
  throw new PolicyError([{ path, errno, message: `${call} failed with ${errno}: ${why[`${call}:${errno}`] ?? why[errno] ?? 'refused by the kernel'}` }]);
}

/**
 * Restricts @task with each layer of @policy in order, through the modelled
 * system calls (the task needs no_new_privs or CAP_SYS_ADMIN, as in the
 * kernel). Throws a PolicyError naming the layer or rule the kernel refused.
 */
export function applyPolicy(task: Task, policy: Policy): void {
  policy.layers.forEach((layer, li) => {
    const scoped = (layer.scoped ?? []).reduce(
      (m, s) => m | (s === 'abstract_unix_socket' ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET : LANDLOCK_SCOPE_SIGNAL),
      0n,
    );
    const fd = task.landlock_create_ruleset({ handled_access_net: accessMask(layer.handledAccessNet), scoped }, LANDLOCK_RULESET_ATTR_SIZE, 0);
    if (fd < 0) fail(`layers[${li}]`, fd, 'landlock_create_ruleset()');
    try {
      layer.rules.forEach((rule, ri) => {
        const r = task.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: accessMask(rule.allowedAccess), port: rule.port }, 0);
        if (r < 0) fail(`layers[${li}].rules[${ri}]`, r, 'landlock_add_rule()');
      });
      const r = task.landlock_restrict_self(fd, 0);
      if (r < 0) fail(`layers[${li}]`, r, 'landlock_restrict_self()');
    } finally {
      task.close(fd);
    }
  });
}

export type CheckOp = 'bind' | 'connect' | 'listen';
export type CheckProto = 'tcp4' | 'tcp6' | 'udp4' | 'udp6' | 'unix';
export const CHECK_OPS: readonly CheckOp[] = ['bind', 'connect', 'listen'];
export const CHECK_PROTOS: readonly CheckProto[] = ['tcp4', 'tcp6', 'udp4', 'udp6', 'unix'];

/** What checkAccess() answers. JSON output is `{decision, errno, layer}`. */
export interface AccessDecision {
  readonly decision: 'allowed' | 'denied';
  /** The errno name the kernel returns, null when allowed. */
  readonly errno: ErrnoName | null;
  /** The Landlock layer that denied (1-based, the youngest denying one), null if Landlock did not deny. */
  readonly layer: number | null;
  /** Why, line by line. */
  readonly explanation: readonly string[];
}

export interface CheckOptions {
  /** The ABI to emulate (default: the policy's `abi`, else 7). */
  readonly abi?: LandlockAbi;
  /** Capabilities of the sandboxed process (default none). */
  readonly caps?: readonly CapName[];
  /** Model the RFC's LISTEN_TCP (default: the policy's experimental.listenTcp). */
  readonly rfcListenTcp?: boolean;
}

function addrFor(proto: CheckProto, port: number): { family: number; type: number; addr: Uint8Array; len: number } {
  switch (proto) {
    case 'tcp4':
    case 'udp4':
      return { family: AF_INET, type: proto === 'tcp4' ? SOCK_STREAM : SOCK_DGRAM, addr: sockaddr_in({ port, addr: '127.0.0.1' }), len: 16 };
    case 'tcp6':
    case 'udp6':
      return { family: AF_INET6, type: proto === 'tcp6' ? SOCK_STREAM : SOCK_DGRAM, addr: sockaddr_in6({ port, addr: '::1' }), len: 28 };
    case 'unix': {
      const u = sockaddr_un({ abstract: `k-landlock-check-${port}` });
      return { family: AF_UNIX, type: SOCK_STREAM, addr: u.addr, len: u.addrlen };
    }
  }
}

const ACCESS_OF: Record<CheckOp, NetAccessName> = { bind: 'bind_tcp', connect: 'connect_tcp', listen: 'listen_tcp' };

/** Describes, layer by layer, what @policy says about @access on @port. */
function explainLayers(policy: Policy, access: NetAccessName, port: number): string[] {
  return policy.layers.map((layer, i) => {
    const n = `layer ${i + 1}`;
    if (!layer.handledAccessNet.includes(access)) return `${n} does not handle ${access}`;
    const rules = layer.rules.filter((r) => r.port === port);
    const allowed = new Set(rules.flatMap((r) => r.allowedAccess));
    if (allowed.has(access)) return `${n} allows ${access} on port ${port}`;
    if (rules.length) return `${n} handles ${access}; its rule for port ${port} allows only ${[...allowed].join(', ')}`;
    return `${n} handles ${access} and has no rule for port ${port}`;
  });
}

function stackReason(op: CheckOp, proto: CheckProto, port: number, errno: ErrnoName): string {
  if (errno === 'EACCES' && port > 0 && port < 1024) return `the network stack refused it: port ${port} < 1024 needs CAP_NET_BIND_SERVICE (--cap net_bind_service)`;
  if (errno === 'ECONNREFUSED') return port === 0 ? 'nothing can listen on port 0: the connection is refused' : 'nothing listens there: the connection is refused';
  if (errno === 'EOPNOTSUPP' && op === 'listen') return `${proto} sockets cannot listen`;
  return `the network stack returned ${errno}`;
}

/**
 * May a process under @policy perform @op on @proto port @port? Runs it on a
 * fresh model kernel: an unsandboxed peer listens on the port (for connect),
 * then the sandboxed process (no_new_privs, the policy's layers applied in
 * order) makes the call. `listen` binds the port first (as a server does)
 * and then listens; `listen PROTO 0` listens on a never-bound socket, which
 * the kernel binds to an ephemeral port.
 */
export function checkAccess(policy: Policy, op: CheckOp, proto: CheckProto, port: number, opts: CheckOptions = {}): AccessDecision {
  if (!CHECK_OPS.includes(op)) throw new TypeError(`op must be one of ${CHECK_OPS.join(', ')}`);
  if (!CHECK_PROTOS.includes(proto)) throw new TypeError(`proto must be one of ${CHECK_PROTOS.join(', ')}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer in 0..65535');
  const rfc = opts.rfcListenTcp ?? policy.experimental?.listenTcp ?? false;
  const k = new Kernel({ abi: opts.abi ?? policy.abi ?? 7, rfcListenTcp: rfc });
  const a = addrFor(proto, port);
  if (op === 'connect' && port !== 0) {
    const peer = k.spawn();
    const s = peer.socket(a.family, a.type, 0);
    peer.bind(s, a.addr, a.len);
    if (a.type === SOCK_STREAM) peer.listen(s, 16);
  }
  const t = k.spawn({ caps: opts.caps ?? [] });
  t.prctl(PR_SET_NO_NEW_PRIVS, 1);
  applyPolicy(t, policy);
  const before = k.denials.length;
  const s = t.socket(a.family, a.type, 0);
  let ret: number;
  let step = op as string;
  if (op === 'bind') ret = t.bind(s, a.addr, a.len);
  else if (op === 'connect') ret = t.connect(s, a.addr, a.len);
  else {
    ret = port === 0 ? 0 : t.bind(s, a.addr, a.len);
    if (ret < 0) step = 'bind (before listen)';
    else ret = t.listen(s, 16);
  }
  const denial: LandlockDenial | undefined = k.denials.slice(before).at(-1);
  const explanation: string[] = [];
  const tcp = proto === 'tcp4' || proto === 'tcp6';
  const layers = policy.layers.length;
  if (!layers) explanation.push('the policy has no layer: nothing is restricted');
  else if (!tcp && proto === 'unix') {
    const scoping = policy.layers.flatMap((l, i) => (l.scoped?.includes('abstract_unix_socket') ? [i + 1] : []));
    if (scoping.length && op === 'connect') explanation.push(`layer ${scoping.join(', ')} scope${scoping.length > 1 ? '' : 's'} abstract unix sockets: a listener created outside the domain is out of reach`);
    else explanation.push('Landlock network rules restrict only TCP: unix sockets are not checked');
  }
  else if (!tcp) explanation.push(`Landlock network rules restrict only TCP: ${proto} is not checked`);
  else {
    if (op === 'listen' && port !== 0) explanation.push(...explainLayers(policy, 'bind_tcp', port).map((l) => `bind(2): ${l}`));
    if (op === 'listen' && !rfc) explanation.push('listen(2): mainline Landlock (ABI 4 to 7) does not restrict listen; the RFC\'s listen_tcp is off');
    else if (op === 'listen') explanation.push(...explainLayers(policy, 'listen_tcp', port).map((l) => `listen(2): ${l}${port === 0 ? ' (never bound: port 0)' : ''}`));
    else explanation.push(...explainLayers(policy, ACCESS_OF[op], port));
  }
  if (ret >= 0) return { decision: 'allowed', errno: null, layer: null, explanation };
  const errno = errnoName(ret) ?? 'EINVAL';
  if (denial?.access === 'scope_abstract_unix_socket') {
    explanation.push(`${step}: denied by layer ${denial.layer} of ${denial.num_layers}: it scopes abstract unix sockets and the listener was created outside it`);
    return { decision: 'denied', errno, layer: denial.layer, explanation };
  }
  if (denial) {
    explanation.push(`${step}: denied by layer ${denial.layer} of ${denial.num_layers} (the youngest layer that denies): missing ${denial.access} on port ${denial.port ?? port}`);
    return { decision: 'denied', errno, layer: denial.layer, explanation };
  }
  explanation.push(`${step}: Landlock allowed it; ${stackReason(op, proto, port, errno)}`);
  return { decision: 'denied', errno, layer: null, explanation };
}
