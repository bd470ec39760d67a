import { fc, test } from '@fast-check/vitest';
import { EACCES, EAFNOSUPPORT, EBADF, ECONNREFUSED, EINVAL, EOPNOTSUPP, EPERM, EADDRINUSE, errnoName } from '@k/core-sync';
import { describe, expect, it } from 'vitest';
import { FMODE_CAN_READ as FMODE_CAN_READ_FOR_TEST } from '../src/internal/uapi';
import {
  AF_INET, AF_INET6, Kernel, LANDLOCK_ACCESS_NET_BIND_TCP as BIND, LANDLOCK_ACCESS_NET_CONNECT_TCP as CONNECT,
  LANDLOCK_ACCESS_NET_LISTEN_TCP as LISTEN, LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_RULE_NET_PORT, ModelInputError, PR_SET_NO_NEW_PRIVS,
  SOCK_STREAM, sockaddr_in, sockaddr_in6, type Task,
} from '../src/index';

const lo4 = (port: number) => sockaddr_in({ port, addr: '127.0.0.1' });
const lo6 = (port: number) => sockaddr_in6({ port, addr: '::1' });

function sandbox(t: Task, handled: bigint, rules: [bigint, number][]): void {
  t.prctl(PR_SET_NO_NEW_PRIVS, 1);
  const fd = t.landlock_create_ruleset({ handled_access_net: handled }, 24, 0);
  expect(fd).toBeGreaterThanOrEqual(0);
  for (const [access, port] of rules) expect(t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: access, port }, 0)).toBe(0);
  expect(t.landlock_restrict_self(fd, 0)).toBe(0);
  t.close(fd);
}

describe('the Landlock system calls', () => {
  it.each([4, 5, 6, 7] as const)('answer the version query with the emulated ABI %i', (abi) => {
    const t = new Kernel({ abi }).spawn();
    expect(t.landlock_create_ruleset(null, 0, LANDLOCK_CREATE_RULESET_VERSION)).toBe(abi);
  });

  it('refuse a network rule on a ruleset that handles no network access with EINVAL, as v6.18 does', () => {
    const t = new Kernel().spawn();
    const fd = t.landlock_create_ruleset({ handled_access_fs: 1n }, 24, 0);
    expect(t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: BIND, port: 80 }, 0)).toBe(-EINVAL);
  });

  it('refuse network rules with EAFNOSUPPORT on a kernel without CONFIG_INET', () => {
    const t = new Kernel({ inet: false }).spawn();
    const fd = t.landlock_create_ruleset({ handled_access_net: BIND }, 24, 0);
    expect(t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: BIND, port: 80 }, 0)).toBe(-EAFNOSUPPORT);
  });

  it('all fail with EOPNOTSUPP when Landlock is disabled at boot', () => {
    const t = new Kernel({ landlockEnabled: false }).spawn();
    expect(t.landlock_create_ruleset(null, 0, LANDLOCK_CREATE_RULESET_VERSION)).toBe(-EOPNOTSUPP);
    expect(t.landlock_add_rule(3, LANDLOCK_RULE_NET_PORT, null, 0)).toBe(-EOPNOTSUPP);
    expect(t.landlock_restrict_self(3, 0)).toBe(-EOPNOTSUPP);
  });

  it('refuse a ruleset fd without the right f_mode with EPERM (get_ruleset_from_fd)', () => {
    const t = new Kernel().spawn();
    const fd = t.landlock_create_ruleset({ handled_access_net: BIND }, 24, 0);
    t.process.files.fdget(fd)!.f_mode = FMODE_CAN_READ_FOR_TEST;
    expect(t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: BIND, port: 80 }, 0)).toBe(-EPERM);
    expect(t.landlock_restrict_self(fd, 0)).toBe(0);
  });

  it('accept the RFC listen right only on a kernel built with the RFC', () => {
    expect(new Kernel().spawn().landlock_create_ruleset({ handled_access_net: LISTEN }, 24, 0)).toBe(-EINVAL);
    const rfc = new Kernel({ rfcListenTcp: true }).spawn();
    expect(rfc.landlock_create_ruleset({ handled_access_net: LISTEN }, 24, 0)).toBeGreaterThanOrEqual(0);
    // never presented as an ABI: the version query is unchanged
    expect(rfc.landlock_create_ruleset(null, 0, LANDLOCK_CREATE_RULESET_VERSION)).toBe(7);
  });
});

describe('domains and credentials', () => {
  it('copy a ruleset at restrict time: a rule added later never applies', () => {
    const t = new Kernel().spawn({ caps: [] });
    t.prctl(PR_SET_NO_NEW_PRIVS, 1);
    const fd = t.landlock_create_ruleset({ handled_access_net: BIND }, 24, 0);
    expect(t.landlock_restrict_self(fd, 0)).toBe(0);
    expect(t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: BIND, port: 8080 }, 0)).toBe(0);
    expect(t.bind(t.socket(AF_INET, SOCK_STREAM, 0), lo4(8080), 16)).toBe(-EACCES);
  });

  it('keep a thread in its domain when another thread of the process restricts itself', () => {
    const main = new Kernel().spawn({ caps: [] });
    const other = main.clone_thread();
    sandbox(main, BIND, []);
    const s = main.socket(AF_INET, SOCK_STREAM, 0);
    expect(main.bind(s, lo4(8080), 16)).toBe(-EACCES);
    expect(other.bind(s, lo4(8080), 16)).toBe(0);
    expect(other.cred.landlock.domain).toBeNull();
  });

  it('give a forked child its parent thread\'s domain', () => {
    const parent = new Kernel().spawn({ caps: [] });
    sandbox(parent, CONNECT, []);
    const child = parent.fork();
    expect(child.process).not.toBe(parent.process);
    expect(child.connect(child.socket(AF_INET6, SOCK_STREAM, 0), lo6(443), 28)).toBe(-EACCES);
  });

  it('record the youngest denying layer, as the audit log names it', () => {
    const k = new Kernel();
    const t = k.spawn({ caps: [] });
    sandbox(t, BIND, []);
    sandbox(t, BIND, [[BIND, 9000]]);
    sandbox(t, BIND, []);
    expect(t.bind(t.socket(AF_INET, SOCK_STREAM, 0), lo4(9000), 16)).toBe(-EACCES);
    expect(k.denials.at(-1)).toMatchObject({ hook: 'socket_bind', access: 'bind_tcp', layer: 3, num_layers: 3, port: 9000, errno: 'EACCES' });
  });
});

describe('the socket layer', () => {
  it('keeps the port of a connection closed first in TIME_WAIT for 60 s of virtual time', () => {
    const k = new Kernel();
    const t = k.spawn();
    const l = t.socket(AF_INET, SOCK_STREAM, 0);
    t.bind(l, lo4(5000), 16);
    t.listen(l, 1);
    const c = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(t.connect(c, lo4(5000), 16)).toBe(0);
    const a = t.accept(l);
    t.close(a);
    t.close(l);
    const again = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(t.bind(again, lo4(5000), 16)).toBe(-EADDRINUSE);
    k.advance(60_000_000_000);
    expect(t.bind(again, lo4(5000), 16)).toBe(0);
  });

  it('picks ephemeral ports within ip_local_port_range', () => {
    const t = new Kernel({ ipLocalPortRange: [40000, 40003] }).spawn();
    const ports = [0, 1, 2, 3].map(() => {
      const s = t.socket(AF_INET, SOCK_STREAM, 0);
      expect(t.listen(s, 1)).toBe(0);
      const name = t.getsockname(s) as Uint8Array;
      return (name[2]! << 8) | name[3]!;
    });
    expect(ports.sort()).toEqual([40000, 40001, 40002, 40003]);
    expect(t.listen(t.socket(AF_INET, SOCK_STREAM, 0), 1)).toBe(-EADDRINUSE);
  });

  it('refuses a connection when nothing listens', () => {
    const t = new Kernel().spawn();
    expect(t.connect(t.socket(AF_INET6, SOCK_STREAM, 0), lo6(1), 28)).toBe(-ECONNREFUSED);
  });

  it('returns EBADF for a closed descriptor', () => {
    const t = new Kernel().spawn();
    const s = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(t.close(s)).toBe(0);
    expect(t.bind(s, lo4(1), 16)).toBe(-EBADF);
  });

  it('refuses inputs no C program could pass with a ModelInputError', () => {
    const t = new Kernel().spawn();
    expect(() => t.bind(1.5, lo4(1), 16)).toThrow(ModelInputError);
    expect(() => sockaddr_in({ port: 70000 })).toThrow(ModelInputError);
    expect(() => t.landlock_create_ruleset({ handled_access_net: -1n }, 24, 0)).toThrow(ModelInputError);
    expect(() => new Kernel({ abi: 3 as 4 })).toThrow(/abi must be one of 4, 5, 6, 7/);
    expect(() => t.socket(16, 3, 0)).toThrow(ModelInputError);
  });
});

describe('the RFC listen hook (seed 003)', () => {
  it('checks the bound port, and port 0 for a socket that was never bound', () => {
    const k = new Kernel({ rfcListenTcp: true });
    const t = k.spawn({ caps: [] });
    const bound = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(t.bind(bound, lo4(8080), 16)).toBe(0);
    sandbox(t, LISTEN, [[LISTEN, 0]]);
    expect(t.listen(bound, 1)).toBe(-EACCES);
    expect(k.denials.at(-1)).toMatchObject({ hook: 'socket_listen', access: 'listen_tcp', port: 8080 });
    expect(t.listen(t.socket(AF_INET6, SOCK_STREAM, 0), 1)).toBe(0);
  });
});

// A reference of the access check written from the UAPI documentation:
// allowed iff every layer that handles the right has a rule for the port allowing it.
describe('the access check', () => {
  const PORTS = [0, 80, 1023, 1024, 8080, 65535];
  const layerArb = fc.record({
    handled: fc.constantFrom(1n, 2n, 3n),
    rules: fc.array(fc.record({ port: fc.constantFrom(...PORTS), access: fc.constantFrom(1n, 2n, 3n) }), { maxLength: 4 }),
  });
  test.prop(
    [fc.array(layerArb, { minLength: 1, maxLength: 16 }), fc.constantFrom<'bind' | 'connect'>('bind', 'connect'), fc.constantFrom(...PORTS, 443), fc.boolean()],
    { seed: 20240820, numRuns: 300 },
  )('allows exactly what every handling layer allows', (layers, op, port, v6) => {
    const t = new Kernel().spawn();
    t.prctl(PR_SET_NO_NEW_PRIVS, 1);
    for (const layer of layers) {
      const fd = t.landlock_create_ruleset({ handled_access_net: layer.handled }, 24, 0);
      for (const r of layer.rules) {
        const ret = t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: r.access, port: r.port }, 0);
        expect(ret).toBe((r.access & ~layer.handled) !== 0n ? -EINVAL : 0);
      }
      expect(t.landlock_restrict_self(fd, 0)).toBe(0);
    }
    const access = op === 'bind' ? BIND : CONNECT;
    const reference = layers.every(
      (l) => (l.handled & access) === 0n || l.rules.some((r) => r.port === port && (r.access & ~l.handled) === 0n && (r.access & access) !== 0n),
    );
    const s = t.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    const addr = v6 ? lo6(port) : lo4(port);
    const ret = op === 'bind' ? t.bind(s, addr, addr.length) : t.connect(s, addr, addr.length);
    expect(errnoName(ret) === 'EACCES' ? 'denied' : 'allowed').toBe(reference ? 'allowed' : 'denied');
  });
});
