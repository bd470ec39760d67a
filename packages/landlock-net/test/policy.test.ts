import { describe, expect, it } from 'vitest';
import { Kernel, PolicyError, applyPolicy, checkAccess, parsePolicy, AF_INET, SOCK_STREAM, sockaddr_in } from '../src/index';

const ISSUE_EXAMPLE = { layers: [{ handledAccessNet: ['bind_tcp', 'connect_tcp'], rules: [{ port: 8080, allowedAccess: ['bind_tcp'] }] }] };

function issues(input: unknown): string[] {
  try {
    const p = parsePolicy(input);
    checkAccess(p, 'bind', 'tcp4', 1);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('parsePolicy', () => {
  it('accepts the example of the issue', () => {
    expect(parsePolicy(JSON.stringify(ISSUE_EXAMPLE)).layers[0]!.rules[0]!.port).toBe(8080);
  });

  it('names the JSON path of every schema error', () => {
    expect(issues({ layers: [{ handledAccessNet: ['bind_tcp', 'frob'], rules: [{ port: 70000, allowedAccess: [] }] }] })).toEqual([
      'layers[0].handledAccessNet[1]: expected one of "bind_tcp", "connect_tcp", "listen_tcp", got "frob"',
      'layers[0].rules[0].port: a port is 0..65535',
    ]);
    expect(issues({ layers: [], extra: 1 })[0]).toMatch(/^: Unrecognized key/);
    expect(issues('{')[0]).toMatch(/^: not JSON/);
    expect(issues({ abi: 3, layers: [] })).toEqual(['abi: expected a Landlock ABI with network rules: 4, 5, 6 or 7']);
  });

  it('refuses the RFC right unless the policy asks for the experiment', () => {
    expect(issues({ layers: [{ handledAccessNet: ['listen_tcp'] }] })[0]).toMatch(/^layers\[0\]\.handledAccessNet\[0\]: "listen_tcp" is LANDLOCK_ACCESS_NET_LISTEN_TCP of the RFC/);
    expect(issues({ experimental: { listenTcp: true }, layers: [{ handledAccessNet: ['listen_tcp'] }] })).toEqual([]);
  });

  it('reports what the modelled kernel refuses, at the layer or rule', () => {
    expect(issues({ layers: [{ handledAccessNet: ['bind_tcp'], rules: [{ port: 1, allowedAccess: ['connect_tcp'] }] }] })[0]).toMatch(
      /^layers\[0\]\.rules\[0\]: landlock_add_rule\(\) failed with EINVAL/,
    );
    expect(issues({ layers: [{ handledAccessNet: ['bind_tcp'], rules: [{ port: 1, allowedAccess: [] }] }] })[0]).toMatch(/ENOMSG: the rule allows nothing/);
    expect(issues({ layers: [{ handledAccessNet: [] }] })[0]).toMatch(/^layers\[0\]: landlock_create_ruleset\(\) failed with ENOMSG/);
    expect(issues({ layers: Array.from({ length: 17 }, () => ({ handledAccessNet: ['bind_tcp'] })) })[0]).toMatch(/^layers\[16\]: .*E2BIG/);
  });
});

describe('checkAccess', () => {
  const p = parsePolicy(ISSUE_EXAMPLE);
  const decide = (...a: Parameters<typeof checkAccess>) => {
    const d = checkAccess(...a);
    return { decision: d.decision, errno: d.errno, layer: d.layer };
  };

  it('allows a bind the policy allows and names the layer that denies another', () => {
    expect(decide(p, 'bind', 'tcp4', 8080)).toEqual({ decision: 'allowed', errno: null, layer: null });
    expect(decide(p, 'bind', 'tcp6', 8081)).toEqual({ decision: 'denied', errno: 'EACCES', layer: 1 });
    expect(checkAccess(p, 'connect', 'tcp4', 8080).explanation.join('\n')).toMatch(/its rule for port 8080 allows only bind_tcp/);
  });

  it('leaves UDP and unix sockets alone', () => {
    expect(decide(p, 'bind', 'udp4', 1)).toEqual({ decision: 'denied', errno: 'EACCES', layer: null });
    expect(decide(p, 'connect', 'udp6', 9)).toEqual({ decision: 'allowed', errno: null, layer: null });
    expect(decide(p, 'connect', 'unix', 9)).toEqual({ decision: 'allowed', errno: null, layer: null });
  });

  it('answers the errno of the network stack when Landlock allows', () => {
    const low = parsePolicy({ layers: [{ handledAccessNet: ['bind_tcp'], rules: [{ port: 80, allowedAccess: ['bind_tcp'] }] }] });
    const d = checkAccess(low, 'bind', 'tcp4', 80);
    expect(d).toMatchObject({ decision: 'denied', errno: 'EACCES', layer: null });
    expect(d.explanation.at(-1)).toMatch(/CAP_NET_BIND_SERVICE/);
    expect(decide(low, 'bind', 'tcp4', 80, { caps: ['net_bind_service'] })).toEqual({ decision: 'allowed', errno: null, layer: null });
    expect(decide(p, 'listen', 'udp4', 8080)).toEqual({ decision: 'denied', errno: 'EOPNOTSUPP', layer: null });
  });

  it('names the youngest denying layer of a stack', () => {
    const stack = parsePolicy({
      layers: [
        { handledAccessNet: ['connect_tcp'], rules: [{ port: 443, allowedAccess: ['connect_tcp'] }] },
        { handledAccessNet: ['connect_tcp'] },
        { handledAccessNet: ['bind_tcp'] },
      ],
    });
    expect(decide(stack, 'connect', 'tcp4', 443)).toEqual({ decision: 'denied', errno: 'EACCES', layer: 2 });
  });

  it('does not restrict listen on mainline ABIs, and does with the RFC', () => {
    expect(decide(p, 'listen', 'tcp4', 8080)).toEqual({ decision: 'allowed', errno: null, layer: null });
    expect(decide(p, 'listen', 'tcp4', 0)).toEqual({ decision: 'allowed', errno: null, layer: null });
    const rfc = parsePolicy({ experimental: { listenTcp: true }, layers: [{ handledAccessNet: ['bind_tcp', 'listen_tcp'], rules: [{ port: 8080, allowedAccess: ['bind_tcp', 'listen_tcp'] }, { port: 0, allowedAccess: ['listen_tcp'] }] }] });
    expect(decide(rfc, 'listen', 'tcp4', 8080)).toEqual({ decision: 'allowed', errno: null, layer: null });
    expect(decide(rfc, 'listen', 'tcp6', 0)).toEqual({ decision: 'allowed', errno: null, layer: null });
    const noZero = parsePolicy({ ...rfc, layers: [{ handledAccessNet: ['listen_tcp'], rules: [] }] });
    expect(decide(noZero, 'listen', 'tcp4', 0)).toEqual({ decision: 'denied', errno: 'EACCES', layer: 1 });
  });

  it('honours a scoped layer for abstract unix sockets', () => {
    const scoped = parsePolicy({ layers: [{ handledAccessNet: [], scoped: ['abstract_unix_socket'] }] });
    expect(decide(scoped, 'connect', 'unix', 1)).toEqual({ decision: 'denied', errno: 'EPERM', layer: 1 });
    expect(() => checkAccess(scoped, 'connect', 'unix', 1, { abi: 5 })).toThrow(/E2BIG: this ABI has no scoped field/);
  });
});

describe('applyPolicy', () => {
  it('restricts a task layer by layer', () => {
    const t = new Kernel().spawn({ caps: [] });
    t.prctl(38, 1);
    applyPolicy(t, parsePolicy(ISSUE_EXAMPLE));
    expect(t.cred.landlock.domain?.num_layers).toBe(1);
    expect(t.bind(t.socket(AF_INET, SOCK_STREAM, 0), sockaddr_in({ port: 8080, addr: '127.0.0.1' }), 16)).toBe(0);
  });

  it('throws a PolicyError with EPERM for a task without no_new_privs or CAP_SYS_ADMIN', () => {
    const t = new Kernel().spawn({ caps: [] });
    expect(() => applyPolicy(t, parsePolicy(ISSUE_EXAMPLE))).toThrow(/EPERM/);
  });
});
