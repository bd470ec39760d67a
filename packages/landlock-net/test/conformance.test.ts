import { describe, expect, it } from 'vitest';
import { RECORDED_KERNEL, conformanceCases, kernelRunnable, runCaseOnModel, runConformanceSuite } from '../src/index';
import { caseAbis } from '../src/internal/conformance/cases';
import { describeStep } from '../src/internal/conformance/run-model';

const cases = conformanceCases();

describe('the conformance suite on the model', () => {
  it('has unique scenario names', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s returns what the selftests expect on every ABI it applies to', (_name, c) => {
    for (const abi of caseAbis(c)) {
      const run = runCaseOnModel(c, abi);
      const i = run.firstMismatch;
      expect(i, i >= 0 ? `ABI ${abi}, step ${i}: ${describeStep(c.steps[i]![0])} returned ${run.outcomes[i]}, expected ${run.expected[i]}` : '').toBe(-1);
    }
  });

  it('covers every fixture of net_test.c and the RFC tests seed 003 reviews', () => {
    const groups = new Set(cases.map((c) => c.name.split('/')[0]));
    for (const g of [
      'protocol.bind', 'protocol.connect', 'protocol.bind_unspec', 'protocol.connect_unspec', 'ipv4.from_unix_to_inet',
      'tcp_layers.ruleset_overlap', 'tcp_layers.ruleset_expand', 'mini.network_access_rights', 'mini.ruleset_with_unknown_access',
      'mini.rule_with_unknown_access', 'mini.rule_with_unhandled_access', 'mini.inval', 'mini.tcp_port_overflow',
      'ipv4_tcp.port_endianness', 'ipv4_tcp.with_fs', 'port_specific.bind_connect_zero', 'port_specific.bind_connect_1023',
      'rfc-listen.protocol.listen', 'rfc-listen.protocol.listen_on_connected', 'rfc-listen.port_specific.listen_without_bind_allowed',
      'rfc-listen.port_specific.listen_without_bind_denied', 'rfc-listen.ipv4_tcp.double_listen', 'rfc-listen.ipv4_tcp.port_endianness',
    ]) expect(groups, g).toContain(g);
    // the six protocol variants, sandboxed or not
    expect(cases.filter((c) => c.name.startsWith('protocol.bind/')).length).toBe(12);
  });
});

describe('the recorded real-kernel results', () => {
  const runnable = cases.filter((c) => kernelRunnable(c, RECORDED_KERNEL.abi));

  it('come from a kernel with network rules', () => {
    expect(RECORDED_KERNEL.abi).toBeGreaterThanOrEqual(4);
    expect(RECORDED_KERNEL.kernel).toMatch(/^6\.18/);
  });

  it('cover every scenario a mainline kernel of that ABI can run, and nothing else', () => {
    expect(Object.keys(RECORDED_KERNEL.cases).sort()).toEqual(runnable.map((c) => c.name).sort());
  });

  it.each(runnable.map((c) => [c.name, c] as const))('%s: the kernel returned what the model returns', (_name, c) => {
    const model = runCaseOnModel(c, RECORDED_KERNEL.abi as 7);
    expect(RECORDED_KERNEL.cases[c.name]).toEqual(model.outcomes);
  });
});

describe('runConformanceSuite', () => {
  it('reports every scenario and ABI as passing', () => {
    const r = runConformanceSuite();
    expect(r.failed, r.rows.filter((x) => x.detail).map((x) => x.detail).join('\n')).toBe(0);
    expect(r.rows.length).toBeGreaterThan(600);
  });

  it('filters by ABI and by name', () => {
    const r = runConformanceSuite({ abi: 4, filter: 'tcp_layers' });
    expect(r.rows.length).toBe(16);
    expect(r.rows.every((x) => x.abi === 4 && x.recorded === 'n/a')).toBe(true);
  });
});
