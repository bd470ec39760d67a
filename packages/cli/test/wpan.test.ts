import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPcap } from '@k/hw-emu';
import { main } from '../src/index';
import { capture } from './capture';
import { parseChannels } from '../src/internal/wpan';


const dir = mkdtempSync(join(tmpdir(), 'k-cli-wpan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NETWORK = {
  coordinators: [
    { name: 'a', panId: '0x0102', shortAddr: '0x0007', extendedAddr: '00:00:00:00:00:00:00:0a', channel: 12, position: { x: 3, y: 4 }, beaconOrder: 3, gtsPermit: true },
    { name: 'b', panId: 77, extendedAddr: '0x00000000000000bb', channel: 14, position: { x: 20, y: 0 }, beaconOrder: 2, superframeOrder: 1 },
    { name: 'quiet', panId: '0x0c0c', extendedAddr: '0x0c', channel: 13, position: { x: 1, y: 1 }, beaconOrder: 15 },
  ],
};

describe('k wpan scan', () => {
  it('prints the coordinators of a network file as iwpan does, and a summary on stderr', async () => {
    const file = join(dir, 'net.json');
    writeFileSync(file, JSON.stringify(NETWORK));
    const io = capture();
    expect(await main(['wpan', 'scan', '--network', file, '--channels', '11-14', '--duration', '3'], io)).toBe(0);
    expect(io.lines.join('\n')).toBe([
      'PAN 0x0102 (on wpan0)', '\tcoordinator 0x0007', '\tpage 0', '\tchannel 12', '\tsuperframe spec. 0xcf33', '\tLQI c5', '\tGTS permitted',
      'PAN 0x004d (on wpan0)', '\tcoordinator 0x00000000000000bb', '\tpage 0', '\tchannel 14', '\tsuperframe spec. 0xcf12', '\tLQI 57',
    ].join('\n'));
    expect(io.errors.join('\n')).toMatch(/^scan finished \(fixed model, passive, page 0, 4 channels, duration 3\): 2 coordinators, 0\.560 s of virtual time$/);
  });

  it('finds the beaconless coordinator with --type active, and prints JSON with --json', async () => {
    const file = join(dir, 'net2.json');
    writeFileSync(file, JSON.stringify(NETWORK));
    const io = capture();
    expect(await main(['wpan', 'scan', '--network', file, '--channels', '0x6000', '--duration', '3', '--type', 'active', '--json'], io)).toBe(0);
    const out = JSON.parse(io.lines[0]!) as { coordinators: { panId: string; address: string }[]; done: { status: string }; channels: number[] };
    expect(out.channels).toEqual([13, 14]);
    expect(out.done.status).toBe('finished');
    expect(out.coordinators.map((c) => c.panId)).toEqual(['0x0c0c', '0x004d']);
  });

  it('writes every frame on air to a pcap file that pcap readers and tshark open', async () => {
    const pcap = join(dir, 'scan.pcap');
    const io = capture();
    expect(await main(['wpan', 'scan', '--channels', '11,15', '--duration', '4', '--pcap', pcap], io)).toBe(0);
    const p = readPcap(new Uint8Array(readFileSync(pcap)));
    expect(p.ok && p.value.header.linktype).toBe(195);
    expect(io.errors.join('\n')).toMatch(/frames written to/);
    let have = true;
    try {
      execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    } catch {
      have = false;
    }
    if (!have) {
      if (process.env.K_REQUIRE_ORACLES === '1') throw new Error('K_REQUIRE_ORACLES=1 and tshark is not installed');
      console.warn('tshark is not installed: not dissecting the pcap written by k wpan scan');
      return;
    }
    const text = execFileSync('tshark', ['-n', '-r', pcap], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(text).toMatch(/Beacon, Src: 0x0000/);
    expect(text).not.toMatch(/Bad FCS|Malformed/i);
  });

  it('exits 1 with the errno when the kernel refuses (an active scan of the seed model: EOPNOTSUPP)', async () => {
    const io = capture();
    expect(await main(['wpan', 'scan', '--model', 'seed', '--type', 'active', '--channels', '11'], io)).toBe(1);
    expect(io.errors.join('\n')).toBe('k wpan scan: the kernel refused the scan: EOPNOTSUPP (the seed model does not support active scans)');
  });

  it('exits 2 with every problem of an invalid network, a missing file or bad options', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ coordinators: [{ name: 'x', panId: 1, extendedAddr: 'nope', channel: 11, position: { x: 0, y: 0 }, beaconOrder: 20 }] }));
    let io = capture();
    expect(await main(['wpan', 'scan', '--network', bad], io)).toBe(2);
    expect(io.errors.join('\n')).toContain('coordinators[0].extendedAddr: an extended address is');
    expect(io.errors.join('\n')).toContain('coordinators[0].beaconOrder');
    io = capture();
    expect(await main(['wpan', 'scan', '--network', join(dir, 'none.json')], io)).toBe(2);
    expect(io.errors.join('\n')).toContain('ENOENT');
    writeFileSync(bad, '{');
    expect(await main(['wpan', 'scan', '--network', bad], capture())).toBe(2);
    for (const args of [['--duration', '15'], ['--type', 'ed'], ['--channels', '5-3'], ['--frob'], ['--model', 'x']]) {
      io = capture();
      expect(await main(['wpan', 'scan', ...args], io), args.join(' ')).toBe(2);
      expect(io.errors.length).toBe(1);
    }
    expect(await main(['wpan', 'frob'], capture())).toBe(2);
  });

  it('reads channel lists and masks', () => {
    expect(parseChannels('11,15,20-22')).toEqual([11, 15, 20, 21, 22]);
    expect(parseChannels('0x7fff800')).toBe(0x7fff800);
    expect(() => parseChannels('27')).toThrow(/not within 0\.\.26/);
  });
});
