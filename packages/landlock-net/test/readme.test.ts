// The README's quick start, statement for statement, with its `// =>` results.
import { errnoName } from '@k/core-sync';
import { expect, it } from 'vitest';
import {
  AF_INET, Kernel, LANDLOCK_ACCESS_NET_BIND_TCP, LANDLOCK_ACCESS_NET_CONNECT_TCP, LANDLOCK_CREATE_RULESET_VERSION,
  LANDLOCK_RULE_NET_PORT, PR_SET_NO_NEW_PRIVS, SOCK_STREAM, checkAccess, parsePolicy, sockaddr_in,
} from '../src/index';

it('runs the quick start of the README with the results it shows', () => {
  const k = new Kernel({ abi: 7 });
  const t = k.spawn({ caps: [] });
  expect(t.landlock_create_ruleset(null, 0, LANDLOCK_CREATE_RULESET_VERSION)).toBe(7);
  const ruleset = t.landlock_create_ruleset({ handled_access_net: LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP }, 24, 0);
  expect(ruleset).toBe(3);
  expect(t.landlock_add_rule(ruleset, LANDLOCK_RULE_NET_PORT, { allowed_access: LANDLOCK_ACCESS_NET_BIND_TCP, port: 8080 }, 0)).toBe(0);
  expect(t.landlock_add_rule(ruleset, LANDLOCK_RULE_NET_PORT, { allowed_access: 1n << 2n, port: 8080 }, 0)).toBe(-22);
  expect(t.landlock_restrict_self(ruleset, 0)).toBe(-1);
  t.prctl(PR_SET_NO_NEW_PRIVS, 1);
  expect(t.landlock_restrict_self(ruleset, 0)).toBe(0);
  const s = t.socket(AF_INET, SOCK_STREAM, 0);
  expect(t.bind(s, sockaddr_in({ port: 8080, addr: '127.0.0.1' }), 16)).toBe(0);
  expect(errnoName(t.connect(s, sockaddr_in({ port: 443, addr: '127.0.0.1' }), 16))).toBe('EACCES');
  expect(k.denials.at(-1)).toEqual({ tid: 1, hook: 'socket_connect', access: 'connect_tcp', layer: 1, num_layers: 1, port: 443, errno: 'EACCES' });
  const policy = parsePolicy({ layers: [{ handledAccessNet: ['bind_tcp', 'connect_tcp'], rules: [{ port: 8080, allowedAccess: ['bind_tcp'] }] }] });
  expect(checkAccess(policy, 'connect', 'tcp6', 8080)).toEqual({
    decision: 'denied',
    errno: 'EACCES',
    layer: 1,
    explanation: [
      'layer 1 handles connect_tcp; its rule for port 8080 allows only bind_tcp',
      'connect: denied by layer 1 of 1 (the youngest layer that denies): missing connect_tcp on port 8080',
    ],
  });
});
