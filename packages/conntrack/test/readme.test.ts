// The README's quick start, statement for statement, with its `// =>` results.
import { expect, it } from 'vitest';
import { explore, replay } from '@k/core-sync';
import { formatConntrack, formatExpect, runTrace } from '../src/index';
import { scenarios } from '../src/scenarios';

it('runs the quick start of the README with the results it shows', () => {
  const c = { proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 21 } as const;
  const s = { proto: 'tcp', src: '10.0.0.2', dst: '10.0.0.1', sport: 21, dport: 40000 } as const;
  const r = runTrace({
    helpers: [{ helper: 'ftp', dport: 21 }],
    packets: [
      { ...c, t: 0.0, flags: 'S', seq: 100 },
      { ...s, t: 0.01, flags: 'SA', seq: 500, ack: 101 },
      { ...c, t: 0.02, flags: 'A', seq: 101, ack: 501 },
      { ...c, t: 0.03, flags: 'PA', seq: 101, ack: 501, payload: 'USER ftp\r\n' },
      { ...c, t: 0.04, flags: 'PA', seq: 111, ack: 501, payload: 'PORT 10,0,0,1,156,65\r\n' },
    ],
  });
  expect(r.conntracks.map((e) => formatConntrack(e))).toEqual([
    'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=21 src=10.0.0.2 dst=10.0.0.1 sport=21 dport=40000 [ASSURED] mark=0 helper=ftp use=1',
  ]);
  expect(r.expectations.map(formatExpect)).toEqual([
    '300 proto=6 src=10.0.0.2 dst=10.0.0.1 sport=0 dport=40001 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.0.0.1 master-dst=10.0.0.2 sport=40000 dport=21 class=0 helper=ftp',
  ]);
  expect(r.stats.expect_create).toBe(1);

  const a = scenarios.find((x) => x.name === 'ctnetlink-remove-helper')!;
  expect(explore(a, { variant: 'global' }).verdict).toBe('holds');
  const bad = explore(a, { variant: 'seed' });
  expect(bad.counterexample!.message).toBe('WARNING: possible recursive locking detected: conntrack -U --helper "" takes nf_conntrack_expect_lock (spin_lock_bh) and already holds it (spin_lock_bh)');
  expect(replay(a, 'seed', bad.counterexample!.schedule).violation!.kind).toBe('lock-misuse');
  expect(explore(a, { variant: 'fixed' }).verdict).toBe('holds');
}, 60_000);
