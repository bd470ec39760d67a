// `k wpan scan`: one simulated IEEE 802.15.4 scan (@k/wpan-scan's mac802154
// model on @k/hw-emu's radio) over a network of coordinators described in a
// JSON file, or over the built-in example network; prints what
// `iwpan dev wpan0 scan` would print and can write the frames seen to a pcap.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXAMPLE_NETWORK, WpanScanError, formatIwpanScan, pcapOf, scanNetwork, type ScanOptions, type ScanResult } from '@k/wpan-scan';
import type { Io } from './io';
import { UsageError } from './io';

export const WPAN_HELP = `usage: k wpan scan [--network FILE] [--type passive|active] [--page N] [--channels LIST|MASK]
                   [--duration N] [--model fixed|seed] [--pcap FILE] [--abort-after MS] [--check] [--seed N] [--json]

  runs one IEEE 802.15.4 scan of the mac802154 model (seed 000) over a simulated network and prints
  the coordinators found as 'iwpan dev wpan0 scan' does

  --network FILE   JSON network (coordinators with panId, extendedAddr, shortAddr, channel, page,
                   position, txPowerDbm, beaconOrder, superframeOrder); default: a built-in example
  --type T         passive (default) or active (beacon requests; the seed model refuses: EOPNOTSUPP)
  --page N         channel page (default: the scanner's, 0)
  --channels C     channels to scan: 11,15,20-26 or a mask 0x7fff800 (default: every supported channel)
  --duration N     scan duration order 0..14: aBaseSuperframeDuration x (2^N + 1) symbols per channel (default 6)
  --model M        fixed (default: the seed with every fix) or seed (seed 000 as written)
  --pcap FILE      write every frame on air to FILE (pcap, LINKTYPE_IEEE802_15_4_WITHFCS)
  --abort-after MS abort the scan MS milliseconds after it starts
  --check          run with the checker's detectors on (races, lifetimes, lockdep, leaks)
  --seed N         scheduler seed (default 1)
  --json           one JSON object instead of the iwpan text`;

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`k wpan scan: ${name} must be an integer ${min}..${max}, got '${v}'`);
  return n;
}

/** "11,15,20-26" or "0x7fff800" */
export function parseChannels(v: string): number | number[] {
  const s = v.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new UsageError(`k wpan scan: --channels takes a list like 11,15,20-26 or a mask like 0x7fff800, got '${v}'`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > 26 || b > 26 || b < a) throw new UsageError(`k wpan scan: channel range '${part}' is not within 0..26`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

function jsonOf(r: ScanResult, network: string): string {
  return JSON.stringify({
    network, model: r.model, type: r.type, page: r.page, channels: r.channels, duration: r.duration, done: r.done, scanNs: r.scanNs,
    frames: r.frames.length, violation: r.violation,
    coordinators: r.coordinators.map((c) => ({
      panId: `0x${c.panId.toString(16).padStart(4, '0')}`,
      address: c.address.mode === 'short' ? `0x${c.address.short.toString(16).padStart(4, '0')}` : `0x${c.address.extended.toString(16).padStart(16, '0')}`,
      page: c.page, channel: c.channel, superframeSpec: `0x${c.superframeSpec.toString(16)}`, lqi: c.lqi, gtsPermit: c.gtsPermit, atNs: c.atNs,
    })),
  });
}

/** Runs `k wpan ...`; returns the exit code. */
export async function wpan(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    io.out(WPAN_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'scan') throw new UsageError(`k wpan: unknown command '${sub}' (k wpan scan --help)`);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: false,
      strict: true,
      options: {
        network: { type: 'string' },
        type: { type: 'string' },
        page: { type: 'string' },
        channels: { type: 'string' },
        duration: { type: 'string' },
        model: { type: 'string' },
        pcap: { type: 'string' },
        'abort-after': { type: 'string' },
        check: { type: 'boolean', default: false },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`k wpan scan: ${(e as Error).message.replace(/^Unknown option/, 'unknown option')}`);
  }
  const v = parsed.values;
  if (v.help) {
    io.out(WPAN_HELP);
    return 0;
  }
  if (v.type !== undefined && v.type !== 'passive' && v.type !== 'active') throw new UsageError(`k wpan scan: --type must be passive or active, got '${v.type}'`);
  if (v.model !== undefined && v.model !== 'seed' && v.model !== 'fixed') throw new UsageError(`k wpan scan: --model must be fixed or seed, got '${v.model}'`);
  let network: unknown = EXAMPLE_NETWORK;
  let name = 'built-in example';
  if (v.network !== undefined) {
    let text: string;
    try {
      text = readFileSync(v.network, 'utf8');
    } catch (e) {
      io.err(`k wpan scan: cannot read ${v.network}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 2;
    }
    try {
      network = JSON.parse(text);
    } catch (e) {
      io.err(`k wpan scan: ${v.network} is not JSON: ${(e as Error).message}`);
      return 2;
    }
    name = v.network;
  }
  const options: ScanOptions = {
    type: v.type as ScanOptions['type'],
    model: v.model as ScanOptions['model'],
    page: int('--page', v.page, 0, 31),
    channels: v.channels === undefined ? undefined : parseChannels(v.channels),
    duration: int('--duration', v.duration, 0, 14),
    abortAfterMs: int('--abort-after', v['abort-after'], 0, 3_600_000),
    check: v.check,
    seed: int('--seed', v.seed, 0, 0xffffffff),
  };
  let r: ScanResult;
  try {
    r = scanNetwork(network, options);
  } catch (e) {
    if (e instanceof WpanScanError) {
      io.err(v.json ? JSON.stringify({ error: e.kind, errno: e.errno, message: e.message, problems: e.problems }) : `k wpan scan: ${e.message}`);
      return e.kind === 'kernel' ? 1 : 2;
    }
    throw e;
  }
  if (v.pcap !== undefined) {
    try {
      writeFileSync(v.pcap, pcapOf(r.frames));
    } catch (e) {
      io.err(`k wpan scan: cannot write ${v.pcap}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 2;
    }
  }
  if (v.json) io.out(jsonOf(r, name));
  else {
    const text = formatIwpanScan(r);
    if (text) io.out(text.trimEnd());
    const secs = r.scanNs === null ? 'no done message' : `${(r.scanNs / 1e9).toFixed(3)} s of virtual time`;
    io.err(`scan ${r.done.status} (${r.model} model, ${r.type}, page ${r.page}, ${r.channels.length} channel${r.channels.length === 1 ? '' : 's'}, duration ${r.duration}): ${r.coordinators.length} coordinator${r.coordinators.length === 1 ? '' : 's'}, ${secs}${v.pcap ? `, ${r.frames.length} frames written to ${v.pcap}` : ''}`);
    if (r.violation) io.err(`the checker found: ${r.violation.kind}: ${r.violation.message}`);
  }
  return r.violation ? 1 : 0;
}
