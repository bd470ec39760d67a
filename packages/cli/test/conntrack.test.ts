import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/index';
import { capture } from './capture';


const dir = mkdtempSync(join(tmpdir(), 'k-cli-ct-'));
const trace = join(dir, 'ftp.json');
// an FTP control session: handshake, banner, USER, then a PORT command for port 40001
const s = (t: number, from: 'c' | 's', flags: string, seq: number, ack: number, payload = '') => ({
  t, proto: 'tcp', src: '127.0.0.1', dst: '127.0.0.1', sport: from === 'c' ? 50000 : 2121, dport: from === 'c' ? 2121 : 50000, flags, seq, ack, payload,
});
writeFileSync(trace, JSON.stringify([
  s(0, 'c', 'S', 100, 0), s(0.01, 's', 'SA', 900, 101), s(0.02, 'c', 'A', 101, 901),
  s(0.03, 's', 'PA', 901, 101, '220 ftp\r\n'), s(0.04, 'c', 'PA', 101, 910, 'USER a\r\n'), s(0.05, 's', 'PA', 910, 109, '331 ok\r\n'),
  s(0.06, 'c', 'PA', 109, 918, 'PORT 127,0,0,1,156,65\r\n'),
]));

describe('k conntrack', () => {
  it('prints the connection table as conntrack -L does, with the summary on stderr', async () => {
    const io = capture();
    expect(await main(['conntrack', '-L', trace, '--helper', 'ftp:2121'], io)).toBe(0);
    expect(io.lines).toEqual(['tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=50000 dport=2121 src=127.0.0.1 dst=127.0.0.1 sport=2121 dport=50000 [ASSURED] mark=0 helper=ftp use=1']);
    expect(io.errors).toEqual(['conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.']);
  });

  it('prints the expectation table as conntrack -L expect does, under either lock design', async () => {
    for (const design of ['split', 'global']) {
      const io = capture();
      expect(await main(['conntrack', '-L', 'expect', trace, '--helper', 'ftp:2121', '--design', design, '--at', '10'], io)).toBe(0);
      expect(io.lines).toEqual(['290 proto=6 src=127.0.0.1 dst=127.0.0.1 sport=0 dport=40001 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=127.0.0.1 master-dst=127.0.0.1 sport=50000 dport=2121 class=0 helper=ftp']);
      expect(io.errors).toEqual(['conntrack v1.4.7 (conntrack-tools): 1 expectations have been shown.']);
    }
  });

  it('prints JSON entries with --json', async () => {
    const io = capture();
    expect(await main(['conntrack', '-L', 'expect', trace, '--helper', 'ftp:2121', '--json'], io)).toBe(0);
    expect(JSON.parse(io.lines[0]!)).toMatchObject({ protonum: 6, tuple: { dport: 40001 }, helper: 'ftp', flags: [] });
    expect(io.errors).toEqual([]);
  });

  it('rejects bad options with exit code 2 and an unusable trace with exit code 1', async () => {
    const io = capture();
    expect(await main(['conntrack', trace], io)).toBe(2);
    expect(await main(['conntrack', '-L', trace, '--helper', 'tftp:69'], io)).toBe(2);
    expect(await main(['conntrack', '-L', trace, '--design', 'fine'], io)).toBe(2);
    expect(await main(['conntrack', '-L', trace, '--frob'], io)).toBe(2);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ t: 0, proto: 'udp', src: '1.2.3.4', dst: '1.2.3.4', sport: 1, dport: 99999 }]));
    expect(await main(['conntrack', '-L', bad], io)).toBe(1);
    expect(io.errors.join('\n')).toMatch(/not a packet trace:\n {2}0\.dport/);
    expect(await main(['conntrack', '-L', join(dir, 'missing.json')], io)).toBe(1);
  });
});
