import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINKTYPE_IEEE802_15_4_WITHFCS, crc_ccitt, linkQuality, readPcap, scanDurationNs } from '@k/hw-emu';
import { EXAMPLE_NETWORK, WpanScanError, formatIwpanScan, parseNetwork, pcapOf, scanNetwork, type ScanResult } from '../../src/index';
import { findOracle } from '@k/core-sync/testing';

const GOLDEN = join(import.meta.dirname, 'golden');
const dir = mkdtempSync(join(tmpdir(), 'k-wpan-net-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(f: () => unknown): WpanScanError {
  try {
    f();
  } catch (e) {
    if (e instanceof WpanScanError) return e;
    throw e;
  }
  throw new Error('no error');
}

const CH_2450 = Array.from({ length: 16 }, (_, i) => 11 + i);
let passive: ScanResult | null = null;
const passiveScan = () => (passive ??= scanNetwork(EXAMPLE_NETWORK, { channels: CH_2450 }));

describe('network descriptions', () => {
  it('accepts the example network and fills the defaults', () => {
    const n = parseNetwork(EXAMPLE_NETWORK);
    expect(n.coordinators).toHaveLength(5);
    expect(n.scanner).toMatchObject({ page: 0, channel: 11, position: { x: 0, y: 0 } });
    expect(n.coordinators[0]).toMatchObject({ panId: 0xabcd, shortAddr: 0, extendedAddr: 0x00124b0000000001n, txPowerDbm: 0, assocPermit: true });
  });

  it('lists every problem of a bad network with its path, as EINVAL', () => {
    const e = errorOf(() => parseNetwork({ coordinators: [{ name: 'x', panId: 70000, extendedAddr: 'zz', channel: 30, position: { x: 0 }, beaconOrder: 3 }], extra: 1 }));
    expect(e.kind).toBe('invalid-network');
    expect(e.errno).toBe('EINVAL');
    expect(e.problems.join('\n')).toMatch(/coordinators\[0\]\.panId: panId must be an integer 0\.\.0xfffe/);
    expect(e.problems.join('\n')).toMatch(/coordinators\[0\]\.extendedAddr: an extended address is/);
    expect(e.problems.join('\n')).toMatch(/coordinators\[0\]\.channel/);
    expect(e.problems.join('\n')).toMatch(/coordinators\[0\]\.position\.y/);
    expect(e.problems.join('\n')).toMatch(/Unrecognized key.*extra/);
  });

  it('refuses duplicate names, SO above BO, a short beacon source without a short address, and channels the radio lacks', () => {
    const c = { name: 'a', panId: 1, extendedAddr: '0x1', channel: 11, position: { x: 0, y: 0 }, beaconOrder: 3 };
    const e = errorOf(() => parseNetwork({ coordinators: [c, { ...c, superframeOrder: 5, beaconSource: 'short' }, { ...c, name: 'b', page: 2, channel: 12, extendedAddr: '0x2' }] }));
    expect(e.problems).toEqual([
      'coordinators[1] (a): the name is used twice',
      'coordinators[1] (a): superframeOrder 5 is above beaconOrder 3 (7.5.1.1: 0 <= SO <= BO <= 14)',
      'coordinators[1] (a): beaconSource "short" needs a shortAddr',
      'coordinators[1] (a): another coordinator has the same PAN id and extended address',
      'coordinators[2] (b): page 2 channel 12 is not a channel the simulated radio supports (page 0: 0-26, page 2: 0-10)',
    ]);
  });

  it('refuses bad scan options before the kernel sees them', () => {
    expect(errorOf(() => scanNetwork(EXAMPLE_NETWORK, { duration: 15 })).message).toMatch(/duration must be 0\.\.14/);
    expect(errorOf(() => scanNetwork(EXAMPLE_NETWORK, { channels: [27] })).message).toMatch(/channel 27 is not 0\.\.26/);
    expect(errorOf(() => scanNetwork(EXAMPLE_NETWORK, { type: 'ed' as never })).kind).toBe('invalid-option');
  });
});

describe('scanning a network of k coordinators', () => {
  it('finds every beaconing coordinator once, with its channel, LQI, superframe spec and GTS permit (passive)', () => {
    const r = passiveScan();
    expect(r.done.status).toBe('finished');
    expect(r.scanNs).toBe(16 * 250 * 4_000_000); // 16 channels x ceil(998.4 ms) to the jiffy
    const n = parseNetwork(EXAMPLE_NETWORK);
    expect(r.coordinators.map((c) => [c.panId, c.channel])).toEqual([[0xabcd, 11], [0xabce, 15], [0x1234, 20], [0x7a7a, 26]]);
    for (const c of r.coordinators) {
      const spec = n.coordinators.find((x) => x.panId === c.panId)!;
      const d = Math.hypot(spec.position.x, spec.position.y);
      expect(c.lqi).toBe(linkQuality({ page: 0, channel: c.channel, distanceM: d, txPowerDbm: spec.txPowerDbm }).lqi);
      expect(c.superframeSpec & 0xf).toBe(spec.beaconOrder);
      expect((c.superframeSpec >> 4) & 0xf).toBe(spec.superframeOrder);
      expect(c.gtsPermit).toBe(spec.gtsPermit);
      expect(c.address.mode).toBe(spec.shortAddr !== undefined ? 'short' : 'extended');
    }
  });

  it('prints the result as iwpan does (golden/iwpan-passive.txt)', () => {
    const text = formatIwpanScan(passiveScan());
    if (process.env.K_UPDATE_GOLDEN === '1') writeFileSync(join(GOLDEN, 'iwpan-passive.txt'), text);
    expect(text).toBe(readFileSync(join(GOLDEN, 'iwpan-passive.txt'), 'utf8'));
  });

  it('finds the beaconless coordinator too with an active scan (k coordinators answer beacon requests)', () => {
    const r = scanNetwork(EXAMPLE_NETWORK, { type: 'active', channels: [11, 25] });
    expect(r.coordinators.map((c) => c.panId)).toEqual([0xabcd, 0x5e5e]);
    const requests = r.frames.filter((f) => (f.psdu[0]! & 7) === 3);
    expect(requests).toHaveLength(2);
    expect(Buffer.from(requests[0]!.psdu).toString('hex')).toMatch(/^030801ffffffff07/);
  });

  it('refuses an active scan in the seed model with EOPNOTSUPP, and runs its passive scan 8x longer', () => {
    const e = errorOf(() => scanNetwork(EXAMPLE_NETWORK, { model: 'seed', type: 'active', channels: [11] }));
    expect([e.kind, e.errno]).toEqual(['kernel', 'EOPNOTSUPP']);
    const seed = scanNetwork(EXAMPLE_NETWORK, { model: 'seed', channels: [11], duration: 0 });
    const fixed = scanNetwork(EXAMPLE_NETWORK, { channels: [11], duration: 0 });
    expect(fixed.scanNs).toBe(Math.ceil(scanDurationNs(0, 11, 0) / 4e6) * 4e6);
    expect(seed.scanNs).toBe(62 * 4e6);
  });

  it('ends an aborted scan with an aborted done message', () => {
    const r = scanNetwork(EXAMPLE_NETWORK, { channels: CH_2450, abortAfterMs: 3000 });
    expect(r.done.status).toBe('aborted');
    expect(r.coordinators.map((c) => c.channel)).toEqual([11]);
  });

  it('runs clean under the checker (races, lifetimes, lockdep, leaks) in the fixed model', () => {
    expect(scanNetwork(EXAMPLE_NETWORK, { channels: [11, 15, 25], type: 'active', check: true }).violation).toBe(null);
  });
});

describe('the pcap of a scan', () => {
  const tshark = findOracle('tshark');

  function fields(file: string): string {
    return execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'wpan.frame_type',
      '-e', 'wpan.seq_no', '-e', 'wpan.src_pan', '-e', 'wpan.src16', '-e', 'wpan.src64', '-e', 'wpan.dst_pan', '-e', 'wpan.dst16', '-e', 'wpan.cmd',
      '-e', 'wpan.beacon_order', '-e', 'wpan.superframe_order', '-e', 'wpan.gts.permit', '-e', 'wpan.fcs', '-e', 'wpan.fcs_ok'],
    { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'] });
  }

  const scan = () => scanNetwork(EXAMPLE_NETWORK, { type: 'active', channels: [11, 15, 25], duration: 4 });

  it('is a LINKTYPE_IEEE802_15_4_WITHFCS capture of every frame on air, FCS included', () => {
    const r = scan();
    const p = readPcap(pcapOf(r.frames));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.header.linktype).toBe(LINKTYPE_IEEE802_15_4_WITHFCS);
    expect(p.value.records).toHaveLength(r.frames.length);
    for (const rec of p.value.records) expect(crc_ccitt(0, rec.data)).toBe(0);
  });

  it.skipIf(!tshark.run)('is dissected by tshark as k built it (golden/scan-tshark-fields.txt)', () => {
    tshark.assertPresent();
    const file = join(dir, 'scan.pcap');
    writeFileSync(file, pcapOf(scan().frames));
    const text = fields(file);
    if (process.env.K_UPDATE_GOLDEN === '1') writeFileSync(join(GOLDEN, 'scan-tshark-fields.txt'), text);
    expect(text).toBe(readFileSync(join(GOLDEN, 'scan-tshark-fields.txt'), 'utf8'));
  });

  it('agrees with the committed tshark fields: frame types, addresses, superframe orders, FCS good', () => {
    const r = scan();
    const rows = readFileSync(join(GOLDEN, 'scan-tshark-fields.txt'), 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(rows).toHaveLength(r.frames.length);
    rows.forEach((row, i) => {
      const f = r.frames[i]!;
      expect(Number(row[1])).toBeCloseTo(f.startNs / 1e9, 6);
      expect(Number(row[2])).toBe(f.psdu[0]! & 7);
      expect(Number(row[3])).toBe(f.psdu[2]);
      expect(row[14]).toBe('1'); // wpan.fcs_ok
      expect(Number(row[13])).toBe(f.psdu[f.psdu.length - 2]! | (f.psdu[f.psdu.length - 1]! << 8));
    });
    expect(rows.filter((r) => r[9] === '0x07')).toHaveLength(3); // one beacon request per channel
  });
});
