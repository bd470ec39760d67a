// Differential test of the pcap writer against tshark (Wireshark's reader):
// tshark must read every file k writes with the timestamps, lengths and link
// types k meant. The dissections tshark gave are committed in
// golden/tshark-fields.json, so the plain suite checks k's reader against them
// without tshark. Regenerate with K_UPDATE_GOLDEN=1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPcap, writePcap, type PcapWriterOptions, type PcapRecordInput } from '../../src/index';
import { findOracle } from '@k/core-sync/testing';

const GOLDEN = join(import.meta.dirname, 'golden', 'tshark-fields.json');
const tshark = findOracle('tshark');

const bytes = (...b: number[]) => Uint8Array.from(b);
const ipv4 = bytes(0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2);
const ipv6 = bytes(0x60, 0, 0, 0, 0, 0, 59, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 2);
const eth = bytes(...new Array(6).fill(0xff), 0, 1, 2, 3, 4, 5, 0x08, 0x00, ...ipv4);
const sll = bytes(0, 4, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0, 0x08, 0x00, ...ipv4);
const wpanAck = bytes(0x02, 0x00, 0x56, 0x0b, 0x82); // imm-ack seq 0x56 + FCS 0x820b
const wpanAckNoFcs = bytes(0x02, 0x00, 0x56);

interface Capture {
  name: string;
  options: PcapWriterOptions;
  records: PcapRecordInput[];
}

const CAPTURES: Capture[] = [
  { name: 'ethernet-ns-le', options: { linktype: 1 }, records: [{ timestampNs: 0, data: eth }, { timestampNs: 1_000_000_123, data: eth }] },
  { name: 'raw-us-be', options: { linktype: 101, resolution: 'us', byteOrder: 'be' }, records: [{ timestampNs: 1_000_001_999, data: ipv4 }] },
  { name: 'sll-ns-be', options: { linktype: 113, byteOrder: 'be' }, records: [{ timestampNs: 1_700_000_000_123_456_789n, data: sll }] },
  { name: 'wpan-fcs-us-le', options: { linktype: 195, resolution: 'us' }, records: [{ timestampNs: 15_360_000, data: wpanAck }] },
  { name: 'ipv4-ns-le', options: { linktype: 228 }, records: [{ timestampNs: 42, data: ipv4 }] },
  { name: 'ipv6-ns-le', options: { linktype: 229 }, records: [{ timestampNs: 43, data: ipv6 }] },
  { name: 'wpan-nofcs-ns-le', options: { linktype: 230 }, records: [{ timestampNs: 44, data: wpanAckNoFcs }] },
  { name: 'snaplen-cut', options: { linktype: 1, snaplen: 20 }, records: [{ timestampNs: 45, data: eth }] },
];

interface FieldRow {
  epoch: string;
  len: number;
  caplen: number;
  protocols: string;
}

function epochOf(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

const dir = mkdtempSync(join(tmpdir(), 'k-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tsharkFields(file: string): FieldRow[] {
  const out = execFileSync(
    'tshark',
    ['-n', '-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.protocols'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [epoch, len, caplen, protocols] = line.split('|');
      return { epoch: epoch!, len: Number(len), caplen: Number(caplen), protocols: protocols! };
    });
}

const golden: Record<string, FieldRow[]> = JSON.parse(readFileSync(GOLDEN, 'utf8'));

describe('pcap files against tshark', () => {
  it.skipIf(!tshark.run)('tshark reads every capture k writes as k meant it (and matches the golden file)', { timeout: 240_000 }, () => {
    tshark.assertPresent();
    const seen: Record<string, FieldRow[]> = {};
    for (const c of CAPTURES) {
      const file = join(dir, `${c.name}.pcap`);
      writeFileSync(file, writePcap(c.options, c.records));
      seen[c.name] = tsharkFields(file);
    }
    if (process.env.K_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(seen, null, 2)}\n`);
    expect(seen).toEqual(golden);
  });

  it('reads back every capture with the timestamps and lengths tshark reported (golden file)', () => {
    for (const c of CAPTURES) {
      const r = readPcap(writePcap(c.options, c.records));
      if (!r.ok) throw r.error;
      const rows = golden[c.name]!;
      expect(r.value.records.map((x) => ({ epoch: epochOf(x.timestampNs), len: x.originalLength, caplen: x.data.length }))).toEqual(
        rows.map(({ epoch, len, caplen }) => ({ epoch, len, caplen })),
      );
    }
  });

  it('has golden dissections naming the link layer of each link type', () => {
    expect(Object.fromEntries(CAPTURES.map((c) => [c.options.linktype, golden[c.name]![0]!.protocols.split(':')[0]]))).toEqual({
      1: 'eth',
      101: 'raw',
      113: 'sll',
      195: 'wpan',
      228: 'ip',
      229: 'ipv6',
      230: 'wpan',
    });
  });
});
