// Packet traces: the JSON trace format (validated with zod) and pcap
// captures (read with @k/hw-emu's pcap reader, frames decoded here).

import { z } from 'zod';
import { readPcap } from '@k/hw-emu';
import { ipFromFrame, packetFromIp, type Packet } from './packet';

const port = z.number().int().min(0).max(65535);
const u32 = z.number().int().min(0).max(0xffffffff);

/** One packet of a JSON trace. */
export const PacketSchema = z.strictObject({
  t: z.number().finite().nonnegative(),
  proto: z.enum(['tcp', 'udp']),
  src: z.string().min(1),
  dst: z.string().min(1),
  sport: port,
  dport: port,
  flags: z.string().regex(/^[SAFRPUECsafrpuec]*$/, 'TCP flags are letters among S A F R P U E C').optional(),
  seq: u32.optional(),
  ack: u32.optional(),
  window: port.optional(),
  payload: z.string().optional(),
  payloadHex: z.string().regex(/^([0-9a-fA-F]{2}\s*)*$/, 'an even number of hex digits').optional(),
  zone: port.optional(),
});

/** A helper attached to the connections a rule matches (a CT target / nft `ct helper set` rule on the destination port). */
export const HelperRuleSchema = z.strictObject({
  helper: z.enum(['ftp', 'sip']),
  proto: z.enum(['tcp', 'udp']).optional(),
  dport: port,
  family: z.enum(['ipv4', 'ipv6']).optional(),
});

/** A zone set on the connections a rule matches (a CT target / nft `ct zone set` rule on the destination port). */
export const ZoneRuleSchema = z.strictObject({
  proto: z.enum(['tcp', 'udp']),
  dport: port,
  zone: port,
});

/** A trace: a list of packets, or an object with packets, helper and zone rules and the listing time. */
export const TraceSchema = z.union([
  z.array(PacketSchema),
  z.strictObject({
    helpers: z.array(HelperRuleSchema).optional(),
    zones: z.array(ZoneRuleSchema).optional(),
    packets: z.array(PacketSchema),
    /** when to list the tables, in seconds (default: the last packet's time) */
    at: z.number().finite().nonnegative().optional(),
  }),
]);

export type HelperRule = z.infer<typeof HelperRuleSchema>;
export type ZoneRule = z.infer<typeof ZoneRuleSchema>;

/** A validated trace. */
export interface Trace {
  readonly packets: readonly Packet[];
  readonly helpers: readonly HelperRule[];
  readonly zones: readonly ZoneRule[];
  readonly at: number | undefined;
}

const validated = new WeakSet<object>();

/** True for a trace that parseTrace/readTrace built (already validated). */
export function isValidatedTrace(x: unknown): x is Trace {
  return typeof x === 'object' && x !== null && validated.has(x);
}

/** A trace that does not validate or cannot be read, with a message naming what is wrong. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
}

/** Validates a JSON value as a trace; throws TraceError with the offending paths. */
export function parseTrace(input: unknown): Trace {
  const r = TraceSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 8).map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new TraceError(`not a packet trace:\n${lines.join('\n')}`);
  }
  const v = r.data;
  const t: Trace = Array.isArray(v) ? { packets: v as Packet[], helpers: [], zones: [], at: undefined } : { packets: v.packets as Packet[], helpers: v.helpers ?? [], zones: v.zones ?? [], at: v.at };
  for (let i = 1; i < t.packets.length; i++) {
    if (t.packets[i]!.t < t.packets[i - 1]!.t) throw new TraceError(`not a packet trace:\n  packets.${i}.t: time goes backwards (${t.packets[i]!.t} < ${t.packets[i - 1]!.t})`);
  }
  validated.add(t);
  return t;
}

const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1];

/** True when the bytes start like a classic pcap file. */
export function isPcap(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const m = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return PCAP_MAGICS.includes(m);
}

/** Statistics of a pcap import: frames read, used, and skipped by reason. */
export interface PcapImport {
  readonly trace: Trace;
  readonly frames: number;
  readonly skipped: Readonly<Record<string, number>>;
}

/** Reads a pcap capture of IPv4/IPv6 TCP/UDP into a trace (times relative to the first frame). */
export function readPcapTrace(bytes: Uint8Array, helpers: readonly HelperRule[] = [], zones: readonly ZoneRule[] = []): PcapImport {
  const r = readPcap(bytes, { allowTruncatedTail: true });
  if (!r.ok) throw new TraceError(`cannot read the capture: ${r.error.message}`);
  const { header, records } = r.value;
  const packets: Packet[] = [];
  const skipped: Record<string, number> = {};
  const t0 = records.length ? records[0]!.timestampNs : 0n;
  for (const rec of records) {
    const ip = ipFromFrame(header.linktype, rec.data);
    const t = Number(rec.timestampNs - t0) / 1e9;
    const p = ip ? packetFromIp(ip, t) : 'not-ip';
    if (typeof p === 'string') skipped[p] = (skipped[p] ?? 0) + 1;
    else packets.push(p);
  }
  const trace: Trace = { packets, helpers, zones, at: undefined };
  validated.add(trace);
  return { trace, frames: records.length, skipped };
}

/** Reads a trace from file contents: a pcap capture or JSON text. */
export function readTrace(bytes: Uint8Array, helpers: readonly HelperRule[] = [], zones: readonly ZoneRule[] = []): Trace {
  if (isPcap(bytes)) return readPcapTrace(bytes, helpers, zones).trace;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new TraceError(`neither a pcap capture nor JSON: ${(e as Error).message}`);
  }
  const t = parseTrace(json);
  if (!helpers.length && !zones.length) return t;
  const merged: Trace = { ...t, helpers: [...t.helpers, ...helpers], zones: [...t.zones, ...zones] };
  validated.add(merged);
  return merged;
}
