import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k as run } from './capture';


const dir = mkdtempSync(join(tmpdir(), 'k-landlock-cli-'));
function policyFile(policy: unknown, name = 'policy.json'): string {
  const f = join(dir, name);
  writeFileSync(f, typeof policy === 'string' ? policy : JSON.stringify(policy));
  return f;
}
const ISSUE = policyFile({ layers: [{ handledAccessNet: ['bind_tcp', 'connect_tcp'], rules: [{ port: 8080, allowedAccess: ['bind_tcp'] }] }] });


describe('k landlock check', () => {
  it('answers allowed for a bind the policy allows', async () => {
    const r = await run('landlock', 'check', '--policy', ISSUE, 'bind', 'tcp4', '8080');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('allowed');
  });

  it('answers denied EACCES and names the layer and the missing right', async () => {
    const r = await run('landlock', 'check', '--policy', ISSUE, 'connect', 'tcp6', '8080');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('denied EACCES');
    expect(r.out.join('\n')).toMatch(/layer 1 .*missing connect_tcp on port 8080/);
  });

  it('prints exactly decision, errno and layer with --json', async () => {
    const denied = await run('landlock', 'check', '--policy', ISSUE, 'bind', 'tcp4', '8081', '--json');
    expect(JSON.parse(denied.out[0]!)).toEqual({ decision: 'denied', errno: 'EACCES', layer: 1 });
    const allowed = await run('landlock', 'check', '--json', '--policy', ISSUE, 'connect', 'udp4', '53');
    expect(JSON.parse(allowed.out[0]!)).toEqual({ decision: 'allowed', errno: null, layer: null });
    const stack = await run('landlock', 'check', '--json', '--policy', ISSUE, 'bind', 'udp6', '80');
    expect(JSON.parse(stack.out[0]!)).toEqual({ decision: 'denied', errno: 'EACCES', layer: null });
  });

  it('gives the process capabilities with --cap', async () => {
    const low = policyFile({ layers: [{ handledAccessNet: ['bind_tcp'], rules: [{ port: 443, allowedAccess: ['bind_tcp'] }] }] }, 'low.json');
    expect((await run('landlock', 'check', '--policy', low, 'bind', 'tcp4', '443')).out[0]).toBe('denied EACCES');
    expect((await run('landlock', 'check', '--policy', low, 'bind', 'tcp4', '443', '--cap', 'CAP_NET_BIND_SERVICE')).out[0]).toBe('allowed');
  });

  it('models the RFC listen right only when asked', async () => {
    const rfc = policyFile({ experimental: { listenTcp: true }, layers: [{ handledAccessNet: ['listen_tcp'] }] }, 'rfc.json');
    expect((await run('landlock', 'check', '--policy', rfc, 'listen', 'tcp4', '0', '--json')).out[0]).toBe('{"decision":"denied","errno":"EACCES","layer":1}');
    expect((await run('landlock', 'check', '--policy', ISSUE, 'listen', 'tcp4', '0', '--json')).out[0]).toBe('{"decision":"allowed","errno":null,"layer":null}');
    const plain = policyFile({ layers: [{ handledAccessNet: ['bind_tcp'] }] }, 'plain.json');
    const r = await run('landlock', 'check', '--policy', plain, 'listen', 'tcp4', '0', '--experimental-listen-tcp', '--json');
    expect(JSON.parse(r.out[0]!)).toEqual({ decision: 'allowed', errno: null, layer: null });
  });

  it.each([
    [['landlock', 'check', 'bind', 'tcp4', '80'], '--policy FILE is required'],
    [['landlock', 'check', '--policy', ISSUE, 'accept', 'tcp4', '80'], "OP must be one of bind, connect, listen, got 'accept'"],
    [['landlock', 'check', '--policy', ISSUE, 'bind', 'sctp', '80'], "PROTO must be one of tcp4, tcp6, udp4, udp6, unix, got 'sctp'"],
    [['landlock', 'check', '--policy', ISSUE, 'bind', 'tcp4', '65536'], 'PORT must be an integer in 0..65535'],
    [['landlock', 'check', '--policy', ISSUE, 'bind', 'tcp4'], 'expected OP PROTO PORT'],
    [['landlock', 'check', '--policy', ISSUE, 'bind', 'tcp4', '1', '--abi', '3'], '--abi must be one of 4, 5, 6, 7'],
    [['landlock', 'check', '--policy', ISSUE, 'bind', 'tcp4', '1', '--cap', 'chown'], "unknown capability 'chown'"],
    [['landlock', 'check', '--policy', ISSUE, 'bind', 'tcp4', '1', '--frob'], "Unknown option '--frob'"],
    [['landlock', 'check', '--policy', join(dir, 'missing.json'), 'bind', 'tcp4', '1'], 'cannot read policy'],
    [['landlock', 'frob'], "unknown subcommand 'frob'"],
  ])('exits 2 on a usage error: %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('exits 2 naming the path of an invalid policy', async () => {
    const bad = policyFile({ layers: [{ handledAccessNet: ['bind_tcp'], rules: [{ port: 8080, allowedAccess: ['connect_tcp'] }] }] }, 'bad.json');
    const r = await run('landlock', 'check', '--policy', bad, 'bind', 'tcp4', '8080');
    expect(r.code).toBe(2);
    expect(r.err).toContain('layers[0].rules[0]: landlock_add_rule() failed with EINVAL');
    const notJson = await run('landlock', 'check', '--policy', policyFile('{"layers": [', 'nj.json'), 'bind', 'tcp4', '1');
    expect(notJson.code).toBe(2);
    expect(notJson.err).toContain('not JSON');
  });
});

describe('k landlock test', () => {
  it('runs the conformance suite and prints a passing table', async () => {
    const r = await run('landlock', 'test', '--filter', 'tcp_layers', '--abi', '7');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^scenario\s+abi\s+steps\s+model\s+kernel 6\.18\s+verdict$/);
    expect(r.out.filter((l) => l.startsWith('tcp_layers.')).length).toBe(16);
    expect(r.out.at(-1)).toBe('conformance: 16 scenarios (16 scenario-ABI runs), 16 ok, 0 failing');
  });

  it('prints one JSON object per scenario with --json', async () => {
    const r = await run('landlock', 'test', '--json', '--filter', 'mini.inval');
    expect(r.code).toBe(0);
    expect(r.out.map((l) => JSON.parse(l))).toEqual([
      { scenario: 'mini.inval', abis: [4, 5, 6, 7], steps: 4, model: 'pass', kernel: 'pass', live: 'n/a', detail: null },
    ]);
  });

  it('exits 2 when no scenario matches', async () => {
    expect((await run('landlock', 'test', '--filter', 'no-such-scenario')).code).toBe(2);
  });
});
