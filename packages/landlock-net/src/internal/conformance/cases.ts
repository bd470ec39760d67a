// The conformance suite: what tools/testing/selftests/landlock/net_test.c
// (v6.18) checks for networking, as straight-line scenarios with the
// selftests' own expectations (protocol.*, ipv4.*, tcp_layers.*, mini.*,
// ipv4_tcp.*, port_specific.*), the RFC series' LISTEN_TCP tests that seed 003
// reviews (protocol.listen, listen_on_connected, listen_without_bind_*,
// double_listen, and test_restricted_net_fixture's deny_listen), the
// syscall validation of base_test.c, and the orderings of checks measured on
// the v6.18 kernel. Each selftest that forks a child is flattened: the child
// inherits the parent's domain, so running its calls in the same thread
// checks the same thing.
import {
  AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, LANDLOCK_CREATE_RULESET_ERRATA, LANDLOCK_CREATE_RULESET_VERSION,
  LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, LANDLOCK_RULE_PATH_BENEATH, O_DIRECTORY, O_RDONLY, SOCK_DGRAM, SOCK_STREAM, type LandlockAbi,
} from '../uapi';
import { encodeRulesetAttr, encodeNetPortAttr } from '../bytes';
import type { AddrSpec, ConformanceCase, Outcome, Step } from './types';

const BIND = 1n;
const CONNECT = 2n;
const LISTEN = 4n; // the RFC's value space only
const ALL = BIND | CONNECT;
const RFC_ALL = BIND | CONNECT | LISTEN;
const FS_READ_DIR = 1n << 3n;

const ABI_ALL: readonly LandlockAbi[] = [4, 5, 6, 7];
const ABI_OLD_NET: readonly LandlockAbi[] = [4, 5, 6];

/** A step list under construction. */
class Prog {
  readonly steps: [Step, Outcome][] = [];
  private n = 0;
  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
  s(step: Step, out: Outcome): this {
    this.steps.push([step, out]);
    return this;
  }
}

type Domain = 'inet' | 'inet6' | 'unix';
interface Prot {
  readonly domain: Domain;
  readonly type: number;
}
interface Srv {
  readonly prot: Prot;
  readonly index: number;
  readonly port: number;
}

const sock_port_start = 1 << 10;
const srv = (prot: Prot, index: number): Srv => ({ prot, index, port: sock_port_start << (2 * index) });
const fam = (d: Domain) => (d === 'inet' ? AF_INET : d === 'inet6' ? AF_INET6 : AF_UNIX);
const unixName = (i: number) => `k-landlock-net-index${i}`;

function srvAddr(s: Srv, port: number | string = s.port): AddrSpec {
  switch (s.prot.domain) {
    case 'inet':
      return { kind: 'inet', addr: '127.0.0.1', port };
    case 'inet6':
      return { kind: 'inet6', addr: '::1', port };
    case 'unix':
      return { kind: 'unix', abstract: unixName(s.index) };
  }
}

/** get_addrlen() of the selftests. */
function addrlen(s: Srv, minimal: boolean): number {
  switch (s.prot.domain) {
    case 'inet':
      return 16;
    case 'inet6':
      return minimal ? 24 : 28;
    case 'unix':
      return minimal ? 2 : 3 + unixName(s.index).length;
  }
}

const unspec_any0 = (port = sock_port_start): AddrSpec => ({ kind: 'inet', addr: '0.0.0.0', port, family: AF_UNSPEC });
const unspec_srv0 = (port = sock_port_start): AddrSpec => ({ kind: 'inet', addr: '127.0.0.1', port, family: AF_UNSPEC });

const isInet = (p: Prot) => p.domain !== 'unix';
const isRestricted = (p: Prot, sandbox: boolean) => sandbox && isInet(p) && p.type === SOCK_STREAM;

function socketOf(p: Prog, prot: Prot, as: string, by?: string): string {
  p.s({ op: 'socket', as, family: fam(prot.domain), type: prot.type, by }, 'fd');
  return as;
}

/** enforce_ruleset() with its no_new_privs. */
function enforce(p: Prog, handled: bigint, rules: readonly (readonly [bigint, number | bigint])[], by?: string): void {
  const r = p.fresh('ruleset');
  p.s({ op: 'nnp', by }, '0');
  p.s({ op: 'create_ruleset', as: r, attr: { handled_access_net: handled }, size: 24, by }, 'fd');
  for (const [access, port] of rules) p.s({ op: 'add_rule', fd: r, attr: { allowed_access: access, port }, by }, '0');
  p.s({ op: 'restrict', fd: r, by }, '0');
  p.s({ op: 'close', fd: r, by }, '0');
}

/**
 * test_bind_and_connect() (mainline) and, with @deny_listen defined,
 * test_restricted_net_fixture() of the RFC (seed 003).
 */
function bindAndConnect(p: Prog, s: Srv, deny_bind: boolean, deny_connect: boolean, deny_listen?: boolean): void {
  const stream = s.prot.type === SOCK_STREAM;
  const inval = socketOf(p, s.prot, p.fresh('inval'));
  p.s({ op: 'bind', fd: inval, addr: srvAddr(s), len: 0 }, 'EINVAL');
  p.s({ op: 'bind', fd: inval, addr: srvAddr(s), len: addrlen(s, true) - 1 }, 'EINVAL');
  p.s({ op: 'bind', fd: inval, addr: srvAddr(s), len: addrlen(s, true) }, deny_bind ? 'EACCES' : '0');
  p.s({ op: 'close', fd: inval }, '0');
  const inval2 = socketOf(p, s.prot, p.fresh('inval'));
  p.s({ op: 'connect', fd: inval2, addr: srvAddr(s), len: 0 }, 'EINVAL');
  p.s({ op: 'connect', fd: inval2, addr: srvAddr(s), len: addrlen(s, true) - 1 }, 'EINVAL');
  p.s(
    { op: 'connect', fd: inval2, addr: srvAddr(s), len: addrlen(s, true) },
    s.prot.domain === 'unix' ? 'EINVAL' : deny_connect ? 'EACCES' : stream ? 'ECONNREFUSED' : '0',
  );
  p.s({ op: 'close', fd: inval2 }, '0');
  const bind_fd = socketOf(p, s.prot, p.fresh('bind'));
  p.s({ op: 'bind', fd: bind_fd, addr: srvAddr(s), len: addrlen(s, false) }, deny_bind ? 'EACCES' : '0');
  if (!deny_bind && stream) p.s({ op: 'listen', fd: bind_fd }, deny_listen ? 'EACCES' : '0');
  const connect_fd = socketOf(p, s.prot, p.fresh('connect'));
  p.s(
    { op: 'connect', fd: connect_fd, addr: srvAddr(s), len: addrlen(s, false) },
    deny_connect ? 'EACCES' : deny_bind || deny_listen ? 'ECONNREFUSED' : '0',
  );
  let client: string | null = null;
  if (!deny_bind && !deny_connect && !deny_listen && stream) {
    client = p.fresh('client');
    p.s({ op: 'accept', as: client, fd: bind_fd }, 'fd');
  }
  p.s({ op: 'close', fd: connect_fd }, '0');
  if (client) p.s({ op: 'close', fd: client }, '0');
  p.s({ op: 'close', fd: bind_fd }, '0');
}

const PROTOCOLS: readonly (readonly [string, Prot])[] = [
  ['ipv4_tcp', { domain: 'inet', type: SOCK_STREAM }],
  ['ipv6_tcp', { domain: 'inet6', type: SOCK_STREAM }],
  ['ipv4_udp', { domain: 'inet', type: SOCK_DGRAM }],
  ['ipv6_udp', { domain: 'inet6', type: SOCK_DGRAM }],
  ['unix_stream', { domain: 'unix', type: SOCK_STREAM }],
  ['unix_datagram', { domain: 'unix', type: SOCK_DGRAM }],
];

function protocolVariants(): { variant: string; prot: Prot; sandbox: boolean }[] {
  const out: { variant: string; prot: Prot; sandbox: boolean }[] = [];
  for (const sandbox of [false, true]) {
    for (const [name, prot] of PROTOCOLS) out.push({ variant: `${sandbox ? 'tcp_sandbox' : 'no_sandbox'}_with_${name}`, prot, sandbox });
  }
  return out;
}

function protocolCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const { variant, prot, sandbox } of protocolVariants()) {
    const s0 = srv(prot, 0), s1 = srv(prot, 1), s2 = srv(prot, 2);
    const restricted = isRestricted(prot, sandbox);
    {
      const p = new Prog();
      if (sandbox) enforce(p, ALL, [[ALL, s0.port], [CONNECT, s1.port]]);
      bindAndConnect(p, s0, false, false);
      bindAndConnect(p, s1, restricted, false);
      bindAndConnect(p, s2, restricted, restricted);
      cases.push({ name: `protocol.bind/${variant}`, about: 'a bind right per port; a port without a rule is denied', steps: p.steps });
    }
    {
      const p = new Prog();
      if (sandbox) enforce(p, ALL, [[ALL, s0.port], [BIND, s1.port]]);
      bindAndConnect(p, s0, false, false);
      bindAndConnect(p, s1, false, restricted);
      bindAndConnect(p, s2, restricted, restricted);
      cases.push({ name: `protocol.connect/${variant}`, about: 'a connect right per port; a port without a rule is denied', steps: p.steps });
    }
    {
      // protocol.bind_unspec
      const p = new Prog();
      const inet = prot.domain === 'inet';
      if (sandbox) enforce(p, BIND, [[BIND, s0.port]]);
      let fd = socketOf(p, prot, p.fresh('bind'));
      p.s({ op: 'bind', fd, addr: unspec_any0(), len: 16 }, inet ? '0' : 'EINVAL');
      p.s({ op: 'close', fd }, '0');
      if (sandbox) enforce(p, BIND, []);
      fd = socketOf(p, prot, p.fresh('bind'));
      p.s({ op: 'bind', fd, addr: unspec_any0(), len: 16 }, inet ? (restricted ? 'EACCES' : '0') : 'EINVAL');
      p.s({ op: 'close', fd }, '0');
      fd = socketOf(p, prot, p.fresh('bind'));
      p.s({ op: 'bind', fd, addr: unspec_srv0(), len: 16 }, inet ? 'EAFNOSUPPORT' : 'EINVAL');
      p.s({ op: 'close', fd }, '0');
      cases.push({ name: `protocol.bind_unspec/${variant}`, about: 'bind(AF_UNSPEC) is AF_INET with INADDR_ANY only, checked as bind_tcp', steps: p.steps });
    }
    {
      // protocol.connect_unspec
      const p = new Prog();
      const stream = prot.type === SOCK_STREAM;
      const unixStream = prot.domain === 'unix' && stream;
      const bind_fd = socketOf(p, prot, 'bind');
      p.s({ op: 'bind', fd: bind_fd, addr: srvAddr(s0), len: addrlen(s0, false) }, '0');
      if (stream) p.s({ op: 'listen', fd: bind_fd }, '0');
      const c = socketOf(p, prot, 'connect');
      p.s({ op: 'connect', fd: c, addr: srvAddr(s0), len: addrlen(s0, false) }, '0');
      p.s({ op: 'connect', fd: c, addr: srvAddr(s0), len: addrlen(s0, false) }, stream ? 'EISCONN' : '0');
      if (sandbox) enforce(p, CONNECT, [[CONNECT, s0.port]]);
      p.s({ op: 'connect', fd: c, addr: unspec_any0(), len: 16 }, unixStream ? 'EINVAL' : '0');
      p.s({ op: 'connect', fd: c, addr: srvAddr(s0), len: addrlen(s0, false) }, unixStream ? 'EISCONN' : '0');
      if (sandbox) enforce(p, CONNECT, []);
      // Always allowed to disconnect.
      p.s({ op: 'connect', fd: c, addr: unspec_any0(), len: 16 }, unixStream ? 'EINVAL' : '0');
      p.s({ op: 'close', fd: c }, '0');
      if (stream) {
        p.s({ op: 'accept', as: 'client', fd: bind_fd }, 'fd');
        p.s({ op: 'close', fd: 'client' }, '0');
      }
      p.s({ op: 'close', fd: bind_fd }, '0');
      cases.push({ name: `protocol.connect_unspec/${variant}`, about: 'connect(AF_UNSPEC) disconnects and is never denied', steps: p.steps });
    }
  }
  return cases;
}

/** The RFC series (seed 003): LANDLOCK_ACCESS_NET_LISTEN_TCP, model only. */
function rfcCases(): ConformanceCase[] {
  const rfc = { rfcListenTcp: true } as const;
  const cases: ConformanceCase[] = [];
  for (const { variant, prot, sandbox } of protocolVariants()) {
    const s0 = srv(prot, 0), s1 = srv(prot, 1), s2 = srv(prot, 2);
    const restricted = isRestricted(prot, sandbox);
    const add = (name: string, about: string, p: Prog) =>
      cases.push({ name: `rfc-listen.${name}/${variant}`, about, kernel: rfc, oracle: false, steps: p.steps });
    {
      const p = new Prog();
      if (sandbox) enforce(p, RFC_ALL, [[RFC_ALL, s0.port], [RFC_ALL & ~BIND, s1.port]]);
      bindAndConnect(p, s0, false, false, false);
      bindAndConnect(p, s1, restricted, false, false);
      bindAndConnect(p, s2, restricted, restricted, restricted);
      add('protocol.bind', 'the RFC test of bind with all three rights handled', p);
    }
    {
      const p = new Prog();
      if (sandbox) enforce(p, RFC_ALL, [[RFC_ALL, s0.port], [RFC_ALL & ~CONNECT, s1.port]]);
      bindAndConnect(p, s0, false, false, false);
      bindAndConnect(p, s1, false, restricted, false);
      bindAndConnect(p, s2, restricted, restricted, restricted);
      add('protocol.connect', 'the RFC test of connect with all three rights handled', p);
    }
    {
      const p = new Prog();
      if (sandbox) enforce(p, RFC_ALL, [[RFC_ALL, s0.port], [RFC_ALL & ~LISTEN, s1.port]]);
      bindAndConnect(p, s0, false, false, false);
      bindAndConnect(p, s1, false, false, restricted);
      bindAndConnect(p, s2, restricted, restricted, restricted);
      add('protocol.listen', 'listen is denied on a port whose rule lacks listen_tcp; the client then finds no listener', p);
    }
    if (prot.type === SOCK_STREAM) {
      // protocol.listen_on_connected: -EINVAL, never -EACCES, on a connected socket.
      const p = new Prog();
      if (sandbox) enforce(p, RFC_ALL, [[RFC_ALL, s0.port], [RFC_ALL & ~LISTEN, s1.port]]);
      const b = socketOf(p, prot, 'bind');
      p.s({ op: 'bind', fd: b, addr: srvAddr(s0), len: addrlen(s0, false) }, '0');
      p.s({ op: 'listen', fd: b }, '0');
      const c = socketOf(p, prot, 'connect');
      p.s({ op: 'connect', fd: c, addr: srvAddr(s0), len: addrlen(s0, false) }, '0');
      p.s({ op: 'listen', fd: c }, 'EINVAL');
      p.s({ op: 'close', fd: c }, '0');
      p.s({ op: 'close', fd: b }, '0');
      add('protocol.listen_on_connected', 'listen on a connected socket is -EINVAL, not -EACCES', p);
    }
  }
  for (const [v, prot] of [['ipv4', PROTOCOLS[0]![1]], ['ipv6', PROTOCOLS[1]![1]]] as const) {
    for (const sandbox of [false, true]) {
      const variant = `${sandbox ? 'sandbox' : 'no_sandbox'}_with_${v}`;
      const restricted = isRestricted(prot, sandbox);
      const s0 = srv(prot, 0);
      {
        // port_specific.listen_without_bind_allowed
        const p = new Prog();
        if (sandbox) enforce(p, BIND | LISTEN, [[LISTEN, 0]]);
        const l = socketOf(p, prot, 'listen');
        const c = socketOf(p, prot, 'connect');
        p.s({ op: 'listen', fd: l }, '0');
        p.s({ op: 'getport', as: 'port', fd: l }, 'port');
        p.s({ op: 'connect', fd: c, addr: srvAddr(s0, 'port'), len: addrlen(s0, false) }, '0');
        p.s({ op: 'close', fd: c }, '0');
        p.s({ op: 'close', fd: l }, '0');
        cases.push({ name: `rfc-listen.port_specific.listen_without_bind_allowed/${variant}`, about: 'a listen_tcp rule for port 0 allows listen(2) on a never-bound socket (ephemeral port)', kernel: rfc, oracle: false, steps: p.steps });
      }
      {
        // port_specific.listen_without_bind_denied
        const p = new Prog();
        if (sandbox) enforce(p, LISTEN, []);
        const l = socketOf(p, prot, 'listen');
        p.s({ op: 'listen', fd: l }, restricted ? 'EACCES' : '0');
        p.s({ op: 'close', fd: l }, '0');
        cases.push({ name: `rfc-listen.port_specific.listen_without_bind_denied/${variant}`, about: 'without a port-0 rule, listen(2) on a never-bound socket is denied', kernel: rfc, oracle: false, steps: p.steps });
      }
    }
  }
  {
    // ipv4_tcp.double_listen: changing the backlog of a listening socket is not checked.
    const prot = PROTOCOLS[0]![1];
    const s0 = srv(prot, 0);
    const p = new Prog();
    enforce(p, RFC_ALL, [[RFC_ALL, s0.port]]);
    const l = socketOf(p, prot, 'listen');
    p.s({ op: 'bind', fd: l, addr: srvAddr(s0), len: 16 }, '0');
    p.s({ op: 'listen', fd: l }, '0');
    enforce(p, LISTEN, []);
    p.s({ op: 'listen', fd: l, backlog: 5 }, '0');
    const l2 = socketOf(p, prot, 'listen2');
    p.s({ op: 'listen', fd: l2 }, 'EACCES');
    p.s({ op: 'close', fd: l2 }, '0');
    p.s({ op: 'close', fd: l }, '0');
    cases.push({ name: 'rfc-listen.ipv4_tcp.double_listen', about: 'listen(2) on a listening socket only changes the backlog and is not checked', kernel: rfc, oracle: false, steps: p.steps });
  }
  {
    // ipv4_tcp.port_endianness with listen (the seed's version)
    const prot = PROTOCOLS[0]![1];
    const s0 = srv(prot, 0), s1 = srv(prot, 1);
    const p = new Prog();
    enforce(p, RFC_ALL, [[BIND, s0.port], [CONNECT | LISTEN, 4 /* htons(1024) on little-endian */], [RFC_ALL, s1.port]]);
    bindAndConnect(p, s0, false, true, true);
    bindAndConnect(p, s1, false, false, false);
    cases.push({ name: 'rfc-listen.ipv4_tcp.port_endianness', about: 'a rule port in network order matches another port on a little-endian CPU, for listen too', kernel: rfc, oracle: false, steps: p.steps });
  }
  {
    // A socket bound before sandboxing is checked on listen(2) for its bound port.
    const prot = PROTOCOLS[1]![1];
    const s0 = srv(prot, 0);
    const p = new Prog();
    const l = socketOf(p, prot, 'listen');
    p.s({ op: 'bind', fd: l, addr: srvAddr(s0), len: 28 }, '0');
    enforce(p, RFC_ALL, [[BIND | CONNECT, s0.port]]);
    p.s({ op: 'listen', fd: l }, 'EACCES');
    const u = socketOf(p, { domain: 'inet6', type: SOCK_DGRAM }, 'udp');
    p.s({ op: 'listen', fd: u }, 'EOPNOTSUPP');
    p.s({ op: 'close', fd: l }, '0');
    cases.push({ name: 'rfc-listen.bound_before_sandbox', about: 'listen_tcp is checked on the port the socket is bound to, wherever it was bound', kernel: rfc, oracle: false, steps: p.steps });
  }
  {
    // The RFC's value space is not mainline's: without the option, bit 2 is unknown.
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: LISTEN }, size: 24 }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr: null, size: 0, flags: LANDLOCK_CREATE_RULESET_VERSION }, '7');
    cases.push({ name: 'rfc-listen.not_an_abi_value', about: "bit 2 of handled_access_net is not LISTEN_TCP in any mainline ABI (mainline's ABI 10 gave it to BIND_UDP)", abis: [7], abiExact: true, steps: p.steps });
  }
  return cases;
}

function ipv4Cases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const sandbox of [false, true]) {
    for (const [tname, type] of [['tcp', SOCK_STREAM], ['udp', SOCK_DGRAM]] as const) {
      const prot: Prot = { domain: 'inet', type };
      const s0 = srv(prot, 0), s1 = srv(prot, 1);
      const p = new Prog();
      if (sandbox) enforce(p, ALL, [[ALL, s0.port]]);
      const us = p.fresh('unix_stream');
      p.s({ op: 'socket', as: us, family: AF_UNIX, type: SOCK_STREAM }, 'fd');
      const ud = p.fresh('unix_dgram');
      p.s({ op: 'socket', as: ud, family: AF_UNIX, type: SOCK_DGRAM }, 'fd');
      for (const fd of [us, ud]) {
        for (const s of [s0, s1]) {
          p.s({ op: 'bind', fd, addr: srvAddr(s), len: 16 }, 'EINVAL');
          p.s({ op: 'connect', fd, addr: srvAddr(s), len: 16 }, 'EINVAL');
        }
      }
      cases.push({ name: `ipv4.from_unix_to_inet/${sandbox ? 'tcp_sandbox' : 'no_sandbox'}_with_${tname}`, about: 'an AF_INET address on an AF_UNIX socket is -EINVAL, sandboxed or not', steps: p.steps });
    }
  }
  return cases;
}

function tcpLayersCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const [dname, domain] of [['ipv4', 'inet'], ['ipv6', 'inet6']] as const) {
    for (const [lname, num_layers] of [['no_sandbox', 0], ['one_sandbox', 1], ['two_sandboxes', 2], ['three_sandboxes', 3]] as const) {
      const prot: Prot = { domain, type: SOCK_STREAM };
      const s0 = srv(prot, 0), s1 = srv(prot, 1);
      {
        const p = new Prog();
        if (num_layers >= 1) enforce(p, ALL, [[BIND, s0.port], [ALL, s0.port]]);
        if (num_layers >= 2) enforce(p, ALL, [[BIND, s0.port]]);
        if (num_layers >= 3) enforce(p, ALL, [[ALL, s0.port]]);
        bindAndConnect(p, s0, false, num_layers >= 2);
        cases.push({ name: `tcp_layers.ruleset_overlap/${lname}_with_${dname}`, about: 'rules of one port in one layer add up; every layer must allow', steps: p.steps });
      }
      {
        const p = new Prog();
        if (num_layers >= 1) enforce(p, BIND, [[BIND, s0.port]]);
        if (num_layers >= 2) enforce(p, ALL, [[ALL, s0.port], [BIND, s1.port]]);
        if (num_layers >= 3) enforce(p, ALL, [[BIND, s0.port]]);
        bindAndConnect(p, s0, false, num_layers >= 3);
        bindAndConnect(p, s1, num_layers >= 1, num_layers >= 2);
        cases.push({ name: `tcp_layers.ruleset_expand/${lname}_with_${dname}`, about: 'a layer that handles more rights restricts more; an older layer still applies', steps: p.steps });
      }
    }
  }
  return cases;
}

function miniCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  {
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: ALL }, size: 24 }, 'fd');
    for (let access = 1n; access <= CONNECT; access <<= 1n) p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: access, port: sock_port_start } }, '0');
    cases.push({ name: 'mini.network_access_rights', about: 'every network right can be a rule', steps: p.steps });
  }
  {
    const p = new Prog();
    for (let bit = 63n; bit >= 2n; bit--) p.s({ op: 'create_ruleset', attr: { handled_access_net: 1n << bit }, size: 24 }, 'EINVAL');
    cases.push({ name: 'mini.ruleset_with_unknown_access', about: 'a ruleset cannot handle an unknown network right (bits 2 to 63)', abiExact: true, steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: ALL }, size: 24 }, 'fd');
    for (let bit = 63n; bit >= 2n; bit--) p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: 1n << bit, port: sock_port_start } }, 'EINVAL');
    cases.push({ name: 'mini.rule_with_unknown_access', about: 'a rule cannot allow an unknown network right', abiExact: true, steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: BIND }, size: 24 }, 'fd');
    for (let bit = 0n; bit < 64n; bit++) p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: 1n << bit, port: sock_port_start } }, bit === 0n ? '0' : 'EINVAL');
    cases.push({ name: 'mini.rule_with_unhandled_access', about: 'allowed_access must be a subset of the handled rights', steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: BIND }, size: 24 }, 'fd');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: ALL, port: sock_port_start } }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: 0n, port: sock_port_start } }, 'ENOMSG');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: BIND, port: sock_port_start } }, '0');
    cases.push({ name: 'mini.inval', about: 'unhandled rights are -EINVAL, an empty rule is -ENOMSG', steps: p.steps });
  }
  {
    const p = new Prog();
    const prot = PROTOCOLS[0]![1];
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: ALL }, size: 24 }, 'fd');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: BIND, port: 65535 } }, '0');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: BIND, port: 65536 } }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: BIND, port: 65537 } }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: BIND, port: 1n << 32n } }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: CONNECT, port: 65535 } }, '0');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: BIND, port: (1n << 32n) + 1n } }, 'EINVAL');
    p.s({ op: 'nnp' }, '0');
    p.s({ op: 'restrict', fd: 'r' }, '0');
    bindAndConnect(p, srv(prot, 0), true, true);
    bindAndConnect(p, { prot, index: 0, port: 65535 }, false, false);
    cases.push({ name: 'mini.tcp_port_overflow', about: 'ports above 65535 are refused, never truncated to 16 bits', steps: p.steps });
  }
  return cases;
}

function ipv4TcpCases(): ConformanceCase[] {
  const prot = PROTOCOLS[0]![1];
  const s0 = srv(prot, 0), s1 = srv(prot, 1);
  const make = (little: boolean): Prog => {
    const p = new Prog();
    const be = little ? ((s0.port & 0xff) << 8) | (s0.port >> 8) : s0.port;
    enforce(p, ALL, [[BIND, s0.port], [CONNECT, be], [ALL, s1.port]]);
    bindAndConnect(p, s0, false, little);
    bindAndConnect(p, s1, false, false);
    return p;
  };
  const cases: ConformanceCase[] = [
    { name: 'ipv4_tcp.port_endianness', about: 'a rule port is host-endian; htons(port) is another port on a little-endian CPU', steps: make(true).steps },
    {
      name: 'ipv4_tcp.port_endianness/big_endian_cpu',
      about: 'on a big-endian CPU htons() is the identity and the same rule allows',
      kernel: { endianness: 'big' },
      oracle: false,
      steps: make(false).steps,
    },
  ];
  {
    // ipv4_tcp.with_fs: a ruleset handling fs and net accesses; only the net half is enforced by the model.
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_fs: FS_READ_DIR, handled_access_net: BIND }, size: 24 }, 'fd');
    p.s({ op: 'open', as: 'dev', path: '/dev', flags: O_RDONLY | O_DIRECTORY | 0o2000000 }, 'fd');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: FS_READ_DIR, parent_fd: 'dev' } }, '0');
    p.s({ op: 'close', fd: 'dev' }, '0');
    p.s({ op: 'add_rule', fd: 'r', attr: { allowed_access: BIND, port: s0.port } }, '0');
    p.s({ op: 'nnp' }, '0');
    p.s({ op: 'restrict', fd: 'r' }, '0');
    p.s({ op: 'close', fd: 'r' }, '0');
    p.s({ op: 'socket', as: 'b', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'b', addr: srvAddr(s0), len: 16 }, '0');
    p.s({ op: 'close', fd: 'b' }, '0');
    p.s({ op: 'socket', as: 'b2', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'b2', addr: srvAddr(s1), len: 16 }, 'EACCES');
    cases.push({ name: 'ipv4_tcp.with_fs', about: 'filesystem and network rules live in one ruleset', steps: p.steps });
  }
  return cases;
}

function portSpecificCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const [v, prot] of [['ipv4', PROTOCOLS[0]![1]], ['ipv6', PROTOCOLS[1]![1]]] as const) {
    for (const sandbox of [false, true]) {
      const variant = `${sandbox ? 'sandbox' : 'no_sandbox'}_with_${v}`;
      const restricted = isRestricted(prot, sandbox);
      const s0 = srv(prot, 0);
      const len = addrlen(s0, false);
      {
        const p = new Prog();
        if (sandbox) enforce(p, ALL, [[ALL, 0]]);
        socketOf(p, prot, 'bind');
        socketOf(p, prot, 'connect');
        p.s({ op: 'bind', fd: 'bind', addr: srvAddr(s0, 0), len }, '0');
        p.s({ op: 'listen', fd: 'bind' }, '0');
        p.s({ op: 'connect', fd: 'connect', addr: srvAddr(s0, 0), len }, 'ECONNREFUSED');
        p.s({ op: 'getport', as: 'port', fd: 'bind' }, 'port');
        p.s({ op: 'connect', fd: 'connect', addr: srvAddr(s0, 'port'), len }, restricted ? 'EACCES' : '0');
        p.s({ op: 'close', fd: 'connect' }, '0');
        p.s({ op: 'close', fd: 'bind' }, '0');
        cases.push({ name: `port_specific.bind_connect_zero/${variant}`, about: 'a port-0 rule allows bind(0) (ephemeral) but not connect to the port it got', steps: p.steps });
      }
      {
        const p = new Prog();
        if (sandbox) enforce(p, ALL, [[ALL, 1023], [ALL, 1024]]);
        socketOf(p, prot, 'bind');
        socketOf(p, prot, 'connect');
        p.s({ op: 'bind', fd: 'bind', addr: srvAddr(s0, 1023), len }, 'EACCES');
        p.s({ op: 'caps', effective: ['net_bind_service'] }, '0');
        p.s({ op: 'bind', fd: 'bind', addr: srvAddr(s0, 1023), len }, '0');
        p.s({ op: 'caps', effective: [] }, '0');
        p.s({ op: 'listen', fd: 'bind' }, '0');
        p.s({ op: 'connect', fd: 'connect', addr: srvAddr(s0, 1023), len }, '0');
        p.s({ op: 'close', fd: 'connect' }, '0');
        p.s({ op: 'close', fd: 'bind' }, '0');
        socketOf(p, prot, 'bind2');
        socketOf(p, prot, 'connect2');
        p.s({ op: 'bind', fd: 'bind2', addr: srvAddr(s0, 1024), len }, '0');
        p.s({ op: 'listen', fd: 'bind2' }, '0');
        p.s({ op: 'connect', fd: 'connect2', addr: srvAddr(s0, 1024), len }, '0');
        p.s({ op: 'close', fd: 'connect2' }, '0');
        p.s({ op: 'close', fd: 'bind2' }, '0');
        cases.push({ name: `port_specific.bind_connect_1023/${variant}`, about: 'port 1023 needs CAP_NET_BIND_SERVICE besides the Landlock rule; 1024 does not', steps: p.steps });
      }
    }
  }
  return cases;
}

const ruleAttr = (access: bigint, port: number | bigint) => ({ allowed_access: access, port });

/** landlock_create_ruleset(2) and the version/errata queries (base_test.c). */
function baseCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const abi of ABI_ALL) {
    const p = new Prog();
    p.s({ op: 'create_ruleset', attr: null, size: 0, flags: LANDLOCK_CREATE_RULESET_VERSION }, String(abi));
    p.s({ op: 'create_ruleset', attr: null, size: 0, flags: LANDLOCK_CREATE_RULESET_ERRATA }, abi >= 7 ? '7' : 'EINVAL');
    p.s({ op: 'create_ruleset', attr: encodeRulesetAttr({ handled_access_net: BIND }), size: 0, flags: LANDLOCK_CREATE_RULESET_VERSION }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr: null, size: 24, flags: LANDLOCK_CREATE_RULESET_VERSION }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr: null, size: 0, flags: 1 << 2 }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr: null, size: 0, flags: LANDLOCK_CREATE_RULESET_VERSION | LANDLOCK_CREATE_RULESET_ERRATA }, 'EINVAL');
    cases.push({ name: `base.abi_version/abi${abi}`, about: 'the version query returns the emulated ABI; errata exist from ABI 7', abis: [abi], oracle: abi === 7, abiExact: true, steps: p.steps });
  }
  for (const abi of ABI_ALL) {
    const p = new Prog();
    const attr = encodeRulesetAttr({ handled_access_net: ALL });
    const withTail = new Uint8Array(40);
    withTail.set(attr);
    const tailSet = withTail.slice();
    tailSet[30] = 1;
    const page = new Uint8Array(4097);
    page.set(attr);
    p.s({ op: 'create_ruleset', attr: null, size: 24 }, 'EFAULT');
    p.s({ op: 'create_ruleset', attr, size: 0 }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr, size: 7 }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr, size: 8 }, 'ENOMSG');
    p.s({ op: 'create_ruleset', attr, size: 16 }, 'fd');
    p.s({ op: 'create_ruleset', attr, size: 24 }, 'fd');
    p.s({ op: 'create_ruleset', attr: withTail, size: 40 }, 'fd');
    p.s({ op: 'create_ruleset', attr: tailSet, size: 40 }, 'E2BIG');
    p.s({ op: 'create_ruleset', attr: page, size: 4096 }, 'fd');
    p.s({ op: 'create_ruleset', attr: page, size: 4097 }, 'E2BIG');
    p.s({ op: 'create_ruleset', attr: attr.slice(0, 8), size: 24 }, 'EFAULT');
    p.s({ op: 'create_ruleset', attr: { handled_access_fs: 1n << 63n }, size: 24 }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr: { handled_access_fs: 1n << 15n }, size: 24 }, abi >= 5 ? 'fd' : 'EINVAL');
    p.s({ op: 'create_ruleset', attr: { handled_access_fs: 1n << 16n }, size: 24 }, 'EINVAL');
    p.s({ op: 'create_ruleset', attr: {}, size: 24 }, 'ENOMSG');
    p.s({ op: 'create_ruleset', attr: { scoped: 1n }, size: 24 }, abi >= 6 ? 'fd' : 'E2BIG');
    p.s({ op: 'create_ruleset', attr: { scoped: 1n << 2n }, size: 24 }, abi >= 6 ? 'EINVAL' : 'E2BIG');
    p.s({ op: 'create_ruleset', attr: { handled_access_fs: 1n }, size: 24 }, 'fd');
    cases.push({ name: `base.create_ruleset_attr/abi${abi}`, about: 'attribute size and content checks, in the kernel order', abis: [abi], oracle: abi === 7, abiExact: true, steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: ALL, handled_access_fs: FS_READ_DIR }, size: 24 }, 'fd');
    p.s({ op: 'create_ruleset', as: 'fsonly', attr: { handled_access_fs: FS_READ_DIR }, size: 24 }, 'fd');
    p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'add_rule', fd: 99, attr: ruleAttr(BIND, 80) }, 'EBADF');
    p.s({ op: 'add_rule', fd: -1, attr: ruleAttr(BIND, 80) }, 'EBADF');
    p.s({ op: 'add_rule', fd: 's', attr: ruleAttr(BIND, 80) }, 'EBADFD');
    p.s({ op: 'add_rule', fd: 0, attr: ruleAttr(BIND, 80) }, 'EBADFD');
    p.s({ op: 'add_rule', fd: 99, attr: ruleAttr(BIND, 80), flags: 1 }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 99, rule_type: 7, attr: ruleAttr(BIND, 80) }, 'EBADF');
    p.s({ op: 'add_rule', fd: 'r', rule_type: 3, attr: ruleAttr(BIND, 80) }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', rule_type: 0, attr: ruleAttr(BIND, 80) }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', attr: null }, 'EFAULT');
    p.s({ op: 'add_rule', fd: 'r', attr: encodeNetPortAttr(ruleAttr(BIND, 80)).slice(0, 8) }, 'EFAULT');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(0n, 70000) }, 'ENOMSG');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(LISTEN, 70000) }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'fsonly', attr: ruleAttr(BIND, 80) }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(BIND, 80), flags: 0x80000000 }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: 0n, parent_fd: 0 } }, 'ENOMSG');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: 1n, parent_fd: 0 } }, 'EINVAL');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: FS_READ_DIR, parent_fd: 99 } }, 'EBADF');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: FS_READ_DIR, parent_fd: 'r' } }, 'EBADFD');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: FS_READ_DIR, parent_fd: 's' } }, 'EBADFD');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: FS_READ_DIR, parent_fd: 0 } }, 'EINVAL');
    p.s({ op: 'open', as: 'dev', path: '/dev', flags: O_RDONLY | O_DIRECTORY }, 'fd');
    p.s({ op: 'add_rule', fd: 'r', rule_type: LANDLOCK_RULE_PATH_BENEATH, attr: { allowed_access: FS_READ_DIR, parent_fd: 'dev' } }, '0');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(ALL, 80) }, '0');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(BIND, 80) }, '0');
    cases.push({ name: 'base.add_rule_checks', about: 'landlock_add_rule: flags, then the fd, then the rule type, then the attribute', abiExact: true, steps: p.steps });
  }
  for (const abi of ABI_ALL) {
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: BIND }, size: 24 }, 'fd');
    p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'restrict', fd: 'r' }, 'EPERM');
    p.s({ op: 'restrict', fd: 99, flags: 1 << 9 }, 'EPERM');
    p.s({ op: 'caps', effective: ['sys_admin'] }, '0');
    p.s({ op: 'restrict', fd: 99, flags: 1 << 9 }, 'EINVAL');
    p.s({ op: 'caps', effective: [] }, '0');
    p.s({ op: 'nnp' }, '0');
    p.s({ op: 'restrict', fd: 'r', flags: 1 << 3 }, 'EINVAL');
    p.s({ op: 'restrict', fd: 'r', flags: 1 }, abi >= 7 ? '0' : 'EINVAL');
    p.s({ op: 'restrict', fd: 99 }, 'EBADF');
    p.s({ op: 'restrict', fd: 's' }, 'EBADFD');
    p.s({ op: 'restrict', fd: 0 }, 'EBADFD');
    p.s({ op: 'restrict', fd: -1 }, 'EBADF');
    p.s({ op: 'restrict', fd: -1, flags: LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF }, abi >= 7 ? '0' : 'EINVAL');
    p.s({ op: 'open', as: 'ro', path: '/proc/self/fd/3', flags: O_RDONLY }, 'ENXIO');
    p.s({ op: 'restrict', fd: 'r' }, '0');
    cases.push({ name: `base.restrict_self_checks/abi${abi}`, about: 'no_new_privs or CAP_SYS_ADMIN first, then flags, then the fd', abis: [abi], oracle: abi === 7, abiExact: true, steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: BIND }, size: 24 }, 'fd');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(BIND, 1024) }, '0');
    p.s({ op: 'nnp' }, '0');
    for (let i = 0; i < 16; i++) p.s({ op: 'restrict', fd: 'r' }, '0');
    p.s({ op: 'restrict', fd: 'r' }, 'E2BIG');
    p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 's', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16 }, 'EACCES');
    p.s({ op: 'bind', fd: 's', addr: { kind: 'inet', addr: '127.0.0.1', port: 1024 }, len: 16 }, '0');
    cases.push({ name: 'base.max_layers', about: 'a thread can stack 16 layers; the 17th is -E2BIG', steps: p.steps });
  }
  {
    // A ruleset is copied at restrict time: later rules do not reach an enforced domain.
    const p = new Prog();
    p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: BIND }, size: 24 }, 'fd');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(BIND, 1024) }, '0');
    p.s({ op: 'nnp' }, '0');
    p.s({ op: 'restrict', fd: 'r' }, '0');
    p.s({ op: 'add_rule', fd: 'r', attr: ruleAttr(BIND, 4096) }, '0');
    p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 's', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16 }, 'EACCES');
    p.s({ op: 'restrict', fd: 'r' }, '0');
    p.s({ op: 'bind', fd: 's', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16 }, 'EACCES');
    p.s({ op: 'bind', fd: 's', addr: { kind: 'inet', addr: '127.0.0.1', port: 1024 }, len: 16 }, '0');
    cases.push({ name: 'base.ruleset_copied_at_restrict', about: 'rules added after landlock_restrict_self() never reach the enforced domain', steps: p.steps });
  }
  {
    // Credentials are per thread.
    const p = new Prog();
    p.s({ op: 'thread', name: 't1' }, '0');
    enforce(p, BIND, [[BIND, 1024]]);
    p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 's', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16 }, 'EACCES');
    p.s({ op: 'bind', fd: 's', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16, by: 't1' }, '0');
    p.s({ op: 'thread', name: 't2' }, '0');
    p.s({ op: 'socket', as: 's2', family: AF_INET, type: SOCK_STREAM, by: 't2' }, 'fd');
    p.s({ op: 'bind', fd: 's2', addr: { kind: 'inet', addr: '127.0.0.1', port: 16384 }, len: 16, by: 't2' }, 'EACCES');
    p.s({ op: 'restrict', fd: 99, by: 't1' }, 'EPERM');
    enforce(p, CONNECT, [], 't1');
    p.s({ op: 'socket', as: 's3', family: AF_INET, type: SOCK_STREAM, by: 't1' }, 'fd');
    p.s({ op: 'bind', fd: 's3', addr: { kind: 'inet', addr: '127.0.0.1', port: 16384 }, len: 16, by: 't1' }, '0');
    p.s({ op: 'connect', fd: 's3', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16, by: 't1' }, 'EACCES');
    p.s({ op: 'connect', fd: 's3', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16 }, 'ECONNREFUSED');
    cases.push({ name: 'cred.per_thread', about: 'landlock_restrict_self() changes the calling thread only; a thread keeps its domain', steps: p.steps });
  }
  return cases;
}

/** Where the LSM hook sits among the socket layer's own checks (measured on v6.18). */
function orderingCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const v4 = (port: number, addr = '127.0.0.1', family?: number): AddrSpec => ({ kind: 'inet', addr, port, family });
  const v6 = (port: number, addr = '::1', family?: number): AddrSpec => ({ kind: 'inet6', addr, port, family });
  for (const sandbox of [false, true]) {
    const variant = sandbox ? 'tcp_sandbox' : 'no_sandbox';
    {
      const p = new Prog();
      if (sandbox) enforce(p, ALL, [[ALL, 1024]]);
      p.s({ op: 'create_ruleset', as: 'r', attr: { handled_access_net: BIND }, size: 24 }, 'fd');
      p.s({ op: 'bind', fd: 'r', addr: v4(1024), len: 200 }, 'ENOTSOCK');
      p.s({ op: 'bind', fd: 'r', addr: v4(1024), len: 16 }, 'ENOTSOCK');
      p.s({ op: 'connect', fd: 'r', addr: v4(1024), len: 200 }, 'EINVAL');
      p.s({ op: 'connect', fd: 'r', addr: v4(1024), len: 16 }, 'ENOTSOCK');
      p.s({ op: 'listen', fd: 'r' }, 'ENOTSOCK');
      p.s({ op: 'bind', fd: 99, addr: v4(1024), len: 16 }, 'EBADF');
      p.s({ op: 'connect', fd: 99, addr: v4(1024), len: 200 }, 'EBADF');
      p.s({ op: 'listen', fd: 99 }, 'EBADF');
      p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'bind', fd: 's', addr: v4(1024), len: -1 }, 'EINVAL');
      p.s({ op: 'bind', fd: 's', addr: v4(1024), len: 129 }, 'EINVAL');
      p.s({ op: 'bind', fd: 's', addr: null, len: 16 }, 'EFAULT');
      p.s({ op: 'bind', fd: 's', addr: v4(1024), len: 1 }, 'EINVAL');
      p.s({ op: 'connect', fd: 's', addr: v4(1024), len: 1 }, 'EINVAL');
      p.s({ op: 'connect', fd: 's', addr: null, len: 16 }, 'EFAULT');
      cases.push({ name: `order.fd_and_length/${variant}`, about: 'bind finds the socket before it copies the address; connect copies first', steps: p.steps });
    }
    {
      const p = new Prog();
      if (sandbox) enforce(p, BIND, [[BIND, 1024]]);
      p.s({ op: 'socket', as: 's', family: AF_INET6, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'bind', fd: 's', addr: v6(1024, '::', AF_UNSPEC), len: 28 }, 'EAFNOSUPPORT');
      p.s({ op: 'bind', fd: 's', addr: v6(1024, '::', AF_UNSPEC), len: 24 }, 'EAFNOSUPPORT');
      p.s({ op: 'bind', fd: 's', addr: v6(1024, '::', AF_UNSPEC), len: 16 }, 'EINVAL');
      p.s({ op: 'socket', as: 's4', family: AF_INET, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'bind', fd: 's4', addr: v6(1024), len: 28 }, sandbox ? 'EINVAL' : 'EAFNOSUPPORT');
      cases.push({ name: `order.bind_unspec_ipv6/${variant}`, about: 'bind(AF_UNSPEC) on an IPv6 socket is -EAFNOSUPPORT as inet6_bind() says (v6.18)', abis: [7], steps: p.steps });
      if (sandbox) {
        const q = new Prog();
        enforce(q, BIND, [[BIND, 1024]]);
        q.s({ op: 'socket', as: 's', family: AF_INET6, type: SOCK_STREAM }, 'fd');
        q.s({ op: 'bind', fd: 's', addr: v6(1024, '::', AF_UNSPEC), len: 28 }, 'EINVAL');
        q.s({ op: 'bind', fd: 's', addr: v6(1024, '::', AF_UNSPEC), len: 24 }, 'EINVAL');
        q.s({ op: 'bind', fd: 's', addr: v6(1024, '::', AF_UNSPEC), len: 16 }, 'EINVAL');
        cases.push({ name: `order.bind_unspec_ipv6/${variant}/v6.7`, about: 'net.c as first released answered -EINVAL for bind(AF_UNSPEC) on an IPv6 socket', abis: ABI_OLD_NET, steps: q.steps });
      }
    }
    {
      const p = new Prog();
      p.s({ op: 'socket', as: 'l', family: AF_INET, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'bind', fd: 'l', addr: v4(1024), len: 16 }, '0');
      p.s({ op: 'listen', fd: 'l' }, '0');
      p.s({ op: 'socket', as: 'c', family: AF_INET, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'connect', fd: 'c', addr: v4(1024), len: 16 }, '0');
      if (sandbox) enforce(p, CONNECT, []);
      p.s({ op: 'connect', fd: 'c', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 2 }, '0');
      p.s({ op: 'connect', fd: 'c', addr: v4(1024), len: 16 }, sandbox ? 'EACCES' : '0');
      cases.push({ name: `order.connect_unspec_short/${variant}`, about: 'connect(AF_UNSPEC) needs only sa_family: Landlock allows it before any length check (v6.18)', abis: [7], steps: p.steps });
      if (sandbox) {
        const q = new Prog();
        q.s({ op: 'socket', as: 'c', family: AF_INET, type: SOCK_STREAM }, 'fd');
        enforce(q, CONNECT, []);
        q.s({ op: 'connect', fd: 'c', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 2 }, 'EINVAL');
        q.s({ op: 'connect', fd: 'c', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 16 }, '0');
        q.s({ op: 'connect', fd: 'c', addr: v4(1024), len: 16 }, 'EACCES');
        cases.push({ name: `order.connect_unspec_short/${variant}/v6.7`, about: 'net.c as first released read the port of an AF_UNSPEC address, so a short one was -EINVAL', abis: ABI_OLD_NET, steps: q.steps });
      }
    }
    {
      // A domain that handles only connect does not check binds at all (v6.18), so the stack answers.
      const p = new Prog();
      if (sandbox) enforce(p, CONNECT, []);
      p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'bind', fd: 's', addr: v6(1024), len: 28 }, 'EAFNOSUPPORT');
      p.s({ op: 'connect', fd: 's', addr: v6(1024), len: 28 }, sandbox ? 'EINVAL' : 'EAFNOSUPPORT');
      p.s({ op: 'bind', fd: 's', addr: v4(1024), len: 0 }, 'EINVAL');
      p.s({ op: 'bind', fd: 's', addr: v4(1024), len: 16 }, '0');
      cases.push({ name: `order.unhandled_access_not_checked/${variant}`, about: 'a layer handling only connect_tcp leaves bind(2) to the network stack (v6.18)', abis: [7], steps: p.steps });
      if (sandbox) {
        const q = new Prog();
        enforce(q, CONNECT, []);
        q.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
        q.s({ op: 'bind', fd: 's', addr: v6(1024), len: 28 }, 'EINVAL');
        q.s({ op: 'connect', fd: 's', addr: v6(1024), len: 28 }, 'EINVAL');
        q.s({ op: 'bind', fd: 's', addr: v4(1024), len: 16 }, '0');
        cases.push({ name: `order.unhandled_access_not_checked/${variant}/v6.7`, about: 'net.c as first released checked the address of any request once any network right was handled', abis: ABI_OLD_NET, steps: q.steps });
      }
    }
    {
      const p = new Prog();
      if (sandbox) enforce(p, ALL, [[ALL, 4096]]);
      p.s({ op: 'socket', as: 's', family: AF_INET, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'bind', fd: 's', addr: v4(80, '10.0.0.1'), len: 16 }, sandbox ? 'EACCES' : 'EADDRNOTAVAIL');
      p.s({ op: 'bind', fd: 's', addr: v4(80), len: 16 }, 'EACCES');
      p.s({ op: 'bind', fd: 's', addr: v4(4096, '10.0.0.1'), len: 16 }, 'EADDRNOTAVAIL');
      p.s({ op: 'bind', fd: 's', addr: v4(4096, '127.0.0.2'), len: 16 }, '0');
      p.s({ op: 'bind', fd: 's', addr: v4(4096, '10.0.0.1'), len: 16 }, 'EADDRNOTAVAIL');
      p.s({ op: 'bind', fd: 's', addr: v4(4096), len: 16 }, 'EINVAL');
      p.s({ op: 'socket', as: 's6', family: AF_INET6, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'bind', fd: 's6', addr: v6(4096, '2001:db8::1'), len: 28 }, 'EADDRNOTAVAIL');
      p.s({ op: 'bind', fd: 's6', addr: v6(4096), len: 28 }, '0');
      p.s({ op: 'bind', fd: 's6', addr: v6(4096, '2001:db8::1'), len: 28 }, 'EINVAL');
      p.s({ op: 'connect', fd: 's6', addr: v6(4096, '2001:db8::1'), len: 28 }, 'ENETUNREACH');
      p.s({ op: 'socket', as: 'c', family: AF_INET, type: SOCK_STREAM }, 'fd');
      p.s({ op: 'connect', fd: 'c', addr: v4(4096, '10.0.0.1'), len: 16 }, 'ENETUNREACH');
      cases.push({ name: `order.landlock_before_the_stack/${variant}`, about: 'the Landlock hook answers before the address, privileged-port and double-bind checks', steps: p.steps });
    }
  }
  return cases;
}

/** The socket layer alone (no sandbox): what the model must get right for the errno of a permitted call. */
function stackCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const v4 = (port: number | string, addr = '127.0.0.1', family?: number): AddrSpec => ({ kind: 'inet', addr, port, family });
  const v6 = (port: number | string, addr = '::1', family?: number): AddrSpec => ({ kind: 'inet6', addr, port, family });
  const un = (name: string): AddrSpec => ({ kind: 'unix', abstract: name });
  const ulen = (name: string) => 3 + name.length;
  {
    const p = new Prog();
    p.s({ op: 'caps', effective: ['net_bind_service'] }, '0');
    p.s({ op: 'socket', as: 'a', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'a', addr: v4(6000, '0.0.0.0'), len: 16 }, '0');
    p.s({ op: 'socket', as: 'b', family: AF_INET6, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'b', addr: v6(6000, '::'), len: 28 }, 'EADDRINUSE');
    p.s({ op: 'bind', fd: 'b', addr: v6(6000), len: 28 }, '0');
    p.s({ op: 'socket', as: 'c', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'c', addr: v4(6000), len: 16 }, 'EADDRINUSE');
    p.s({ op: 'socket', as: 'u', family: AF_INET, type: SOCK_DGRAM }, 'fd');
    p.s({ op: 'bind', fd: 'u', addr: v4(6000), len: 16 }, '0');
    p.s({ op: 'socket', as: 'd', family: AF_INET6, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'd', addr: v6(6001, '::'), len: 28 }, '0');
    p.s({ op: 'socket', as: 'e', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'e', addr: v4(6001), len: 16 }, 'EADDRINUSE');
    p.s({ op: 'bind', fd: 'e', addr: v4(6002), len: 16 }, '0');
    p.s({ op: 'socket', as: 'f', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'f', addr: v4(6002, '127.0.0.2'), len: 16 }, '0');
    p.s({ op: 'socket', as: 'g', family: AF_INET6, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'g', addr: v6(6002, '::ffff:127.0.0.1'), len: 28 }, 'EADDRINUSE');
    p.s({ op: 'bind', fd: 'g', addr: v6(6003, '::ffff:127.0.0.1'), len: 28 }, '0');
    p.s({ op: 'socket', as: 'h', family: AF_INET6, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'h', addr: v6(6004, '::ffff:10.0.0.1'), len: 28 }, 'EADDRNOTAVAIL');
    p.s({ op: 'bind', fd: 'h', addr: v6(6004, 'ff02::1'), len: 28 }, 'EINVAL');
    p.s({ op: 'bind', fd: 'h', addr: v6(6004, 'fe80::1'), len: 28 }, 'EINVAL');
    p.s({ op: 'bind', fd: 'h', addr: v6(80), len: 28 }, '0');
    p.s({ op: 'socket', as: 'i', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'i', addr: v4(6005, '224.0.0.1'), len: 16 }, '0');
    p.s({ op: 'socket', as: 'j', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'j', addr: v4(6005, '255.255.255.255'), len: 16 }, '0');
    cases.push({ name: 'stack.bind_addresses', about: 'dual-stack port sharing, v4-mapped, multicast, link-local and broadcast binds', steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'socket', as: 'l0', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'listen', fd: 'l0' }, '0');
    p.s({ op: 'listen', fd: 'l0' }, '0');
    p.s({ op: 'getport', as: 'lp', fd: 'l0' }, 'port');
    p.s({ op: 'connect', fd: 'l0', addr: v4('lp'), len: 16 }, 'EISCONN');
    p.s({ op: 'socket', as: 'l', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'l', addr: v4(7000), len: 16 }, '0');
    p.s({ op: 'listen', fd: 'l' }, '0');
    p.s({ op: 'socket', as: 'c', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'connect', fd: 'c', addr: v4(7000), len: 16 }, '0');
    p.s({ op: 'connect', fd: 'c', addr: v4(7000), len: 16 }, 'EISCONN');
    p.s({ op: 'bind', fd: 'c', addr: v4(7001), len: 16 }, 'EINVAL');
    p.s({ op: 'listen', fd: 'c' }, 'EINVAL');
    p.s({ op: 'connect', fd: 'c', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 16 }, '0');
    p.s({ op: 'connect', fd: 'c', addr: v4(7000, '0.0.0.0'), len: 16 }, '0');
    p.s({ op: 'socket', as: 'c2', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'connect', fd: 'c2', addr: v4(0), len: 16 }, 'ECONNREFUSED');
    p.s({ op: 'connect', fd: 'c2', addr: v4(7002, '224.0.0.1'), len: 16 }, 'ENETUNREACH');
    p.s({ op: 'connect', fd: 'l', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 16 }, '0');
    p.s({ op: 'listen', fd: 'l' }, '0');
    p.s({ op: 'socket', as: 'c6', family: AF_INET6, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'connect', fd: 'c6', addr: v4(7000), len: 16 }, 'EINVAL');
    p.s({ op: 'connect', fd: 'c6', addr: v6(7000, '::ffff:127.0.0.1'), len: 28 }, '0');
    p.s({ op: 'accept', as: 'a1', fd: 'l' }, 'fd');
    cases.push({ name: 'stack.tcp_states', about: 'listen without bind, EISCONN, EINVAL on connected sockets, AF_UNSPEC disconnects, v4-mapped connects', steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'socket', as: 'u', family: AF_INET, type: SOCK_DGRAM }, 'fd');
    p.s({ op: 'listen', fd: 'u' }, 'EOPNOTSUPP');
    p.s({ op: 'connect', fd: 'u', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 16 }, '0');
    p.s({ op: 'connect', fd: 'u', addr: v4(3000), len: 16 }, '0');
    p.s({ op: 'connect', fd: 'u', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 2 }, '0');
    p.s({ op: 'connect', fd: 'u', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 1 }, 'EINVAL');
    p.s({ op: 'connect', fd: 'u', addr: v6(3000), len: 28 }, 'EAFNOSUPPORT');
    p.s({ op: 'socket', as: 'u6', family: AF_INET6, type: SOCK_DGRAM }, 'fd');
    p.s({ op: 'connect', fd: 'u6', addr: v4(3000), len: 16 }, '0');
    p.s({ op: 'connect', fd: 'u6', addr: v4(3000), len: 8 }, 'EINVAL');
    p.s({ op: 'connect', fd: 'u6', addr: v6(3000), len: 20 }, 'EINVAL');
    p.s({ op: 'connect', fd: 'u6', addr: v6(3000, '2001:db8::1'), len: 28 }, 'ENETUNREACH');
    p.s({ op: 'socket', as: 'u2', family: AF_INET, type: SOCK_DGRAM }, 'fd');
    p.s({ op: 'caps', effective: [] }, '0');
    p.s({ op: 'bind', fd: 'u2', addr: v4(80), len: 16 }, 'EACCES');
    p.s({ op: 'bind', fd: 'u2', addr: v4(0), len: 16 }, '0');
    p.s({ op: 'getport', as: 'up', fd: 'u2' }, 'port');
    p.s({ op: 'accept', as: 'x', fd: 'u2' }, 'EOPNOTSUPP');
    cases.push({ name: 'stack.udp', about: 'UDP: no listen, connect sets or clears the peer, IPv6 sockets take IPv4 peers', steps: p.steps });
  }
  {
    const p = new Prog();
    p.s({ op: 'socket', as: 's', family: AF_UNIX, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'connect', fd: 's', addr: un('kx'), len: ulen('kx') }, 'ECONNREFUSED');
    p.s({ op: 'listen', fd: 's' }, 'EINVAL');
    p.s({ op: 'socket', as: 'l', family: AF_UNIX, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'l', addr: un('kx'), len: ulen('kx') }, '0');
    p.s({ op: 'bind', fd: 'l', addr: un('kx'), len: ulen('kx') }, 'EINVAL');
    p.s({ op: 'bind', fd: 'l', addr: un('kx'), len: 2 }, '0');
    p.s({ op: 'socket', as: 't', family: AF_UNIX, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 't', addr: un('kx'), len: ulen('kx') }, 'EADDRINUSE');
    p.s({ op: 'connect', fd: 's', addr: un('kx'), len: ulen('kx') }, 'ECONNREFUSED');
    p.s({ op: 'listen', fd: 'l' }, '0');
    p.s({ op: 'connect', fd: 's', addr: un('kx'), len: ulen('kx') }, '0');
    p.s({ op: 'connect', fd: 's', addr: un('kx'), len: ulen('kx') }, 'EISCONN');
    p.s({ op: 'listen', fd: 's' }, 'EINVAL');
    p.s({ op: 'connect', fd: 's', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 16 }, 'EINVAL');
    p.s({ op: 'connect', fd: 'l', addr: un('kx'), len: ulen('kx') }, 'EINVAL');
    p.s({ op: 'socket', as: 'd', family: AF_UNIX, type: SOCK_DGRAM }, 'fd');
    p.s({ op: 'connect', fd: 'd', addr: un('kx'), len: ulen('kx') }, 'ECONNREFUSED');
    p.s({ op: 'listen', fd: 'd' }, 'EOPNOTSUPP');
    p.s({ op: 'bind', fd: 'd', addr: un('kx'), len: ulen('kx') }, '0');
    p.s({ op: 'connect', fd: 'd', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 16 }, '0');
    p.s({ op: 'connect', fd: 'd', addr: v4(0, '0.0.0.0', AF_UNSPEC), len: 1 }, 'EINVAL');
    p.s({ op: 'socket', as: 'd2', family: AF_UNIX, type: SOCK_DGRAM }, 'fd');
    p.s({ op: 'socket', as: 'd3', family: AF_UNIX, type: SOCK_DGRAM }, 'fd');
    p.s({ op: 'bind', fd: 'd2', addr: un('ky'), len: ulen('ky') }, '0');
    p.s({ op: 'connect', fd: 'd2', addr: un('kx'), len: ulen('kx') }, '0');
    p.s({ op: 'connect', fd: 'd', addr: un('ky'), len: ulen('ky') }, '0');
    p.s({ op: 'connect', fd: 'd3', addr: un('ky'), len: ulen('ky') }, 'EPERM');
    p.s({ op: 'bind', fd: 'd3', addr: un('kx'), len: 1 }, 'EINVAL');
    const long = new Uint8Array(112);
    long[0] = AF_UNIX; // little-endian sa_family
    long.set([0x6b, 0x78], 3);
    p.s({ op: 'bind', fd: 'd3', addr: { kind: 'raw', bytes: long }, len: 111 }, 'EINVAL');
    p.s({ op: 'bind', fd: 'd3', addr: v6(0), len: 28 }, 'EINVAL');
    p.s({ op: 'close', fd: 'l' }, '0');
    p.s({ op: 'bind', fd: 't', addr: un('kx'), len: ulen('kx') }, '0');
    cases.push({ name: 'stack.unix', about: 'abstract names per type, autobind, EISCONN, EPERM for a datagram peer taken by another', steps: p.steps });
  }
  {
    // The side that closes a connection first keeps the port in TIME_WAIT.
    const p = new Prog();
    p.s({ op: 'socket', as: 'l', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'l', addr: v4(5000), len: 16 }, '0');
    p.s({ op: 'listen', fd: 'l' }, '0');
    p.s({ op: 'socket', as: 'c', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'connect', fd: 'c', addr: v4(5000), len: 16 }, '0');
    p.s({ op: 'accept', as: 'a', fd: 'l' }, 'fd');
    p.s({ op: 'socket', as: 'x', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'x', addr: v4(5000), len: 16 }, 'EADDRINUSE');
    p.s({ op: 'close', fd: 'a' }, '0');
    p.s({ op: 'close', fd: 'l' }, '0');
    p.s({ op: 'bind', fd: 'x', addr: v4(5000), len: 16 }, 'EADDRINUSE');
    p.s({ op: 'close', fd: 'c' }, '0');
    p.s({ op: 'socket', as: 'l2', family: AF_INET, type: SOCK_STREAM }, 'fd');
    p.s({ op: 'bind', fd: 'l2', addr: v4(5001), len: 16 }, '0');
    p.s({ op: 'listen', fd: 'l2' }, '0');
    p.s({ op: 'close', fd: 'l2' }, '0');
    p.s({ op: 'bind', fd: 'x', addr: v4(5001), len: 16 }, '0');
    cases.push({ name: 'stack.time_wait', about: 'a server that closes first keeps its port in TIME_WAIT; a plain listener frees it', steps: p.steps });
  }
  return cases;
}

/** LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6+): the other AF_UNIX restriction Landlock has. */
function scopeCases(): ConformanceCase[] {
  const un = (name: string): AddrSpec => ({ kind: 'unix', abstract: name });
  const ulen = (name: string) => 3 + name.length;
  const p = new Prog();
  p.s({ op: 'socket', as: 'srv', family: AF_UNIX, type: SOCK_STREAM }, 'fd');
  p.s({ op: 'bind', fd: 'srv', addr: un('outer'), len: ulen('outer') }, '0');
  p.s({ op: 'listen', fd: 'srv' }, '0');
  p.s({ op: 'socket', as: 'dsrv', family: AF_UNIX, type: SOCK_DGRAM }, 'fd');
  p.s({ op: 'bind', fd: 'dsrv', addr: un('outerd'), len: ulen('outerd') }, '0');
  p.s({ op: 'nnp' }, '0');
  p.s({ op: 'create_ruleset', as: 'r', attr: { scoped: 1n }, size: 24 }, 'fd');
  p.s({ op: 'restrict', fd: 'r' }, '0');
  p.s({ op: 'socket', as: 'c', family: AF_UNIX, type: SOCK_STREAM }, 'fd');
  p.s({ op: 'connect', fd: 'c', addr: un('outer'), len: ulen('outer') }, 'EPERM');
  p.s({ op: 'connect', fd: 'c', addr: un('nosuch'), len: ulen('nosuch') }, 'ECONNREFUSED');
  p.s({ op: 'socket', as: 'd', family: AF_UNIX, type: SOCK_DGRAM }, 'fd');
  p.s({ op: 'connect', fd: 'd', addr: un('outerd'), len: ulen('outerd') }, 'EPERM');
  p.s({ op: 'socket', as: 'isrv', family: AF_UNIX, type: SOCK_STREAM }, 'fd');
  p.s({ op: 'bind', fd: 'isrv', addr: un('inner'), len: ulen('inner') }, '0');
  p.s({ op: 'listen', fd: 'isrv' }, '0');
  p.s({ op: 'connect', fd: 'c', addr: un('inner'), len: ulen('inner') }, '0');
  p.s({ op: 'socket', as: 't', family: AF_INET, type: SOCK_STREAM }, 'fd');
  p.s({ op: 'bind', fd: 't', addr: { kind: 'inet', addr: '127.0.0.1', port: 1024 }, len: 16 }, '0');
  return [{ name: 'scope.abstract_unix_socket', about: 'a scoped domain cannot reach abstract sockets created outside it, and nothing else changes', abis: [6, 7], steps: p.steps }];
}

/** Listening on ABI 4 to 7: mainline never restricts it (the gap the RFC fills). */
function mainlineListenCases(): ConformanceCase[] {
  const p = new Prog();
  p.s({ op: 'socket', as: 'pre', family: AF_INET, type: SOCK_STREAM }, 'fd');
  p.s({ op: 'bind', fd: 'pre', addr: { kind: 'inet', addr: '127.0.0.1', port: 4096 }, len: 16 }, '0');
  enforce(p, ALL, [[ALL, 1024]]);
  p.s({ op: 'listen', fd: 'pre' }, '0');
  p.s({ op: 'socket', as: 'l', family: AF_INET6, type: SOCK_STREAM }, 'fd');
  p.s({ op: 'listen', fd: 'l' }, '0');
  p.s({ op: 'getport', as: 'lp', fd: 'l' }, 'port');
  p.s({ op: 'socket', as: 'c', family: AF_INET6, type: SOCK_STREAM }, 'fd');
  p.s({ op: 'connect', fd: 'c', addr: { kind: 'inet6', addr: '::1', port: 'lp' }, len: 28 }, 'EACCES');
  return [{ name: 'listen.not_restricted_by_mainline', about: 'with bind_tcp and connect_tcp handled, listen(2) still succeeds, even on a never-bound socket', steps: p.steps }];
}

/** Every scenario of the suite. */
export function conformanceCases(): ConformanceCase[] {
  return [
    ...baseCases(),
    ...protocolCases(),
    ...ipv4Cases(),
    ...tcpLayersCases(),
    ...miniCases(),
    ...ipv4TcpCases(),
    ...portSpecificCases(),
    ...orderingCases(),
    ...stackCases(),
    ...scopeCases(),
    ...mainlineListenCases(),
    ...rfcCases(),
  ];
}

/** The ABIs a case runs on. */
export function caseAbis(c: ConformanceCase): readonly LandlockAbi[] {
  return c.abis ?? ABI_ALL;
}
