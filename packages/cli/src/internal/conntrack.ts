// `k conntrack`: feed a packet trace (JSON or pcap) through the @k/conntrack
// model and print the tables as conntrack-tools prints them
// (`conntrack -L`, `conntrack -L expect`), or as JSON.
import { readFileSync } from 'node:fs';
import {
  TraceError, TrackerError, PacketError, formatConntrack, formatExpect, readTrace, runTrace, summaryLine, type HelperRule, type ZoneRule,
} from '@k/conntrack';
import type { Io } from './io';
import { parseCommandArgs, UsageError } from './io';

export const CONNTRACK_HELP = `usage: k conntrack -L [expect] TRACE [options]

  Runs TRACE (a JSON packet list, or a pcap of IPv4/IPv6 TCP/UDP) through the
  model of nf_conntrack (seed 001) and lists the connection table
  (conntrack -L) or the expectation table (conntrack -L expect) at the end.

options:
  --helper NAME:PORT  attach helper NAME (ftp, sip) to connections to PORT (repeatable;
                      ftp is TCP, sip UDP), as a CT target / nft "ct helper set" rule
  --zone P:PORT:ZONE  put connections to PORT (P: tcp or udp) in conntrack zone ZONE (repeatable),
                      as a raw-table CT target / nft "ct zone set" rule
  --design D          lock design: split (the seed, default) or global
  --at SECONDS        list the tables at this time (default: the last packet)
  -o extended         also print the layer-3 protocol (conntrack -o extended)
  --json              print one JSON object per entry instead
  -h, --help          this help`;

function parseHelper(s: string): HelperRule {
  const m = /^(ftp|sip):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`k conntrack: --helper must be ftp:PORT or sip:PORT, got '${s}'`);
  return { helper: m[1] as 'ftp' | 'sip', dport: Number(m[2]) };
}

function parseZone(s: string): ZoneRule {
  const m = /^(tcp|udp):(\d{1,5}):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) > 65535 || Number(m[3]) > 65535) throw new UsageError(`k conntrack: --zone must be tcp|udp:PORT:ZONE, got '${s}'`);
  return { proto: m[1] as 'tcp' | 'udp', dport: Number(m[2]), zone: Number(m[3]) };
}

/** Runs `k conntrack`; returns the exit code (0 ok, 1 unusable trace, 2 usage). */
export function conntrack(args: readonly string[], io: Io): number {
  const parsed = parseCommandArgs('conntrack', args, {
        list: { type: 'boolean', short: 'L', default: false },
        helper: { type: 'string', multiple: true },
        zone: { type: 'string', multiple: true },
        design: { type: 'string' },
        at: { type: 'string' },
        output: { type: 'string', short: 'o' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      });
  const v = parsed.values;
  if (v.help) {
    io.out(CONNTRACK_HELP);
    return 0;
  }
  if (!v.list) throw new UsageError(`k conntrack: expected -L (see 'k conntrack --help')`);
  const pos = [...parsed.positionals];
  const expect = pos[0] === 'expect';
  if (expect) pos.shift();
  if (pos.length !== 1) throw new UsageError(`k conntrack: expected one TRACE file after -L${expect ? ' expect' : ''}, got ${pos.length}`);
  const design = v.design ?? 'split';
  if (design !== 'split' && design !== 'global') throw new UsageError(`k conntrack: --design must be split or global, got '${design}'`);
  const at = v.at === undefined ? undefined : Number(v.at);
  if (at !== undefined && !(Number.isFinite(at) && at >= 0)) throw new UsageError(`k conntrack: --at must be a number of seconds >= 0, got '${v.at}'`);
  if (v.output !== undefined && v.output !== 'extended') throw new UsageError(`k conntrack: -o supports 'extended' only, got '${v.output}'`);
  const helpers = (v.helper ?? []).map(parseHelper);
  const zones = (v.zone ?? []).map(parseZone);

  let bytes: Uint8Array;
  try {
    bytes = readFileSync(pos[0]!);
  } catch (e) {
    io.err(`k conntrack: cannot read ${pos[0]}: ${(e as Error).message}`);
    return 1;
  }
  let result;
  try {
    const trace = readTrace(bytes, helpers, zones);
    result = runTrace(trace, { design, at });
  } catch (e) {
    if (e instanceof TraceError || e instanceof PacketError || e instanceof TrackerError) {
      io.err(`k conntrack: ${pos[0]}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  if (expect) {
    for (const e of result.expectations) io.out(v.json ? JSON.stringify(e) : formatExpect(e));
    if (!v.json) io.err(summaryLine('expect', result.expectations.length));
  } else {
    for (const e of result.conntracks) io.out(v.json ? JSON.stringify(e) : formatConntrack(e, { extended: v.output === 'extended' }));
    if (!v.json) io.err(summaryLine('conntrack', result.conntracks.length));
  }
  return 0;
}
