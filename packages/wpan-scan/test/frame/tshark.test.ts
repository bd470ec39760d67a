// The tshark oracle: frames built by k's codec are written to a pcap file
// (LINKTYPE_IEEE802_15_4_WITHFCS) and dissected by `tshark -n -r FILE -V`,
// which checks the FCS by default (wpan.fcs_format ITU-T CRC-16). Every field
// tshark prints (frame control bits, addresses, beacon and command fields,
// security header, IEs, payload, FCS status) must equal what k's codec says.
// tshark's output is committed in golden/tshark-V.txt, so the plain suite
// checks the codec against it without tshark. Regenerate with K_UPDATE_GOLDEN=1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINKTYPE_IEEE802_15_4_WITHFCS, writePcap } from '@k/hw-emu';
import { afterAll, describe, expect, it } from 'vitest';
import { ORACLE_CASES, caseBytes } from './cases';
import { codecFacts, splitFrames, tsharkFacts } from './facts';
import { findOracle } from '@k/core-sync/testing';

const GOLDEN = join(import.meta.dirname, 'golden', 'tshark-V.txt');
const tshark = findOracle('tshark');
// Payloads go to the plain data dissector, not to ZigBee / 6LoWPAN / Thread guesses.
const HEURISTICS = ['zbee_nwk_gp', 'zbee_nwk', 'lwm', '6lowpan', 'zbip_beacon', 'zbee_beacon', 'thread_bcn'];

const dir = mkdtempSync(join(tmpdir(), 'k-wpan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): Uint8Array {
  return writePcap(
    { linktype: LINKTYPE_IEEE802_15_4_WITHFCS },
    ORACLE_CASES.map((c, i) => ({ timestampNs: (i + 1) * 15_360_000, data: caseBytes(c) })),
  );
}

function runTshark(file: string): string {
  const args = ['-n', '-r', file, '-V', ...HEURISTICS.flatMap((h) => ['--disable-protocol', h])];
  return execFileSync('tshark', args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'] });
}

function compare(text: string): void {
  const frames = splitFrames(text);
  expect(frames.length).toBe(ORACLE_CASES.length);
  const codec = ORACLE_CASES.map((c) => ({ case: c.name, facts: codecFacts(caseBytes(c)) }));
  const oracle = ORACLE_CASES.map((c, i) => ({ case: c.name, facts: tsharkFacts(frames[i]!) }));
  expect(codec).toEqual(oracle);
}

describe('IEEE 802.15.4 frames against tshark', () => {
  it.skipIf(!tshark.run)('tshark dissects every frame the codec builds as the codec does, FCS status included', { timeout: 240_000 }, () => {
    tshark.assertPresent();
    const file = join(dir, 'frames.pcap');
    writeFileSync(file, capture());
    const text = runTshark(file);
    if (process.env.K_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    compare(text);
  });

  it('agrees with the committed tshark dissections (golden/tshark-V.txt)', () => {
    compare(readFileSync(GOLDEN, 'utf8'));
  });

  it('has tshark report the corrupted frame, and only it, with a bad FCS', () => {
    const frames = splitFrames(readFileSync(GOLDEN, 'utf8'));
    const bad = ORACLE_CASES.flatMap((c, i) => (frames[i]!.some((l) => /FCS: 0x[0-9a-f]{4} \(Incorrect/.test(l)) ? [c.name] : []));
    expect(bad).toEqual(ORACLE_CASES.filter((c) => c.corruptFcs).map((c) => c.name));
  });
});
