// Packets for the tracker: the model's packet form (what a trace lists), the
// sk_buff the hooks see, and the decoding of captured frames (Ethernet,
// Linux cooked v1/v2, raw IP, BSD loopback) carrying IPv4/IPv6 with TCP or
// UDP (RFC 791, RFC 8200 with its extension headers, RFC 9293, RFC 768).

import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, formatAddr, parseAddr, type nf_inet_addr } from './tuple';
import type { ct_template, sk_buff } from './types';

/** One packet of a trace, as the JSON trace format and the pcap decoder give it. */
export interface Packet {
  /** time in seconds from the start of the trace */
  readonly t: number;
  readonly proto: 'tcp' | 'udp';
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  /** TCP flags as letters: S (SYN), A (ACK), F (FIN), R (RST), P (PSH) */
  readonly flags?: string;
  readonly seq?: number;
  readonly ack?: number;
  readonly window?: number;
  /** the L4 payload as text (each character one byte, latin1) */
  readonly payload?: string;
  /** the L4 payload as hex (instead of `payload`) */
  readonly payloadHex?: string;
  /** conntrack zone (as a CT target in the raw table sets it) */
  readonly zone?: number;
}

/** A packet turned into bytes and addresses, ready for the hooks. */
export interface DecodedPacket {
  readonly l3num: number;
  readonly protonum: number;
  readonly saddr: nf_inet_addr;
  readonly daddr: nf_inet_addr;
  readonly sport: number;
  readonly dport: number;
  readonly tcp: { seq: number; ack_seq: number; syn: boolean; ack: boolean; fin: boolean; rst: boolean; psh: boolean; window: number; doff: number } | null;
  readonly payload: Uint8Array;
  readonly len: number;
}

/** A packet that cannot be used, with the reason. */
export class PacketError extends Error {
  override readonly name = 'PacketError';
  constructor(readonly index: number, message: string) {
    super(`packet ${index}: ${message}`);
  }
}

function payloadBytes(p: Packet, index: number): Uint8Array {
  if (p.payloadHex !== undefined) {
    const h = p.payloadHex.replace(/\s+/g, '');
    if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new PacketError(index, `payloadHex is not an even number of hex digits`);
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  const s = p.payload ?? '';
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new PacketError(index, `payload character U+${c.toString(16)} is not a byte (use payloadHex)`);
    out[i] = c;
  }
  return out;
}

/** Decodes a trace packet into addresses, header fields and payload bytes. */
export function decodePacket(p: Packet, index: number): DecodedPacket {
  const s = parseAddr(p.src);
  const d = parseAddr(p.dst);
  if (!s) throw new PacketError(index, `src '${p.src}' is not an IPv4 or IPv6 address`);
  if (!d) throw new PacketError(index, `dst '${p.dst}' is not an IPv4 or IPv6 address`);
  if (s.l3num !== d.l3num) throw new PacketError(index, `src and dst are of different families`);
  const payload = payloadBytes(p, index);
  const protonum = p.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP;
  const l3len = s.l3num === AF_INET ? 20 : 40;
  let tcp: DecodedPacket['tcp'] = null;
  if (protonum === IPPROTO_TCP) {
    const f = (p.flags ?? 'A').toUpperCase();
    if (/[^SAFRPUEC]/.test(f)) throw new PacketError(index, `flags '${p.flags}' has letters other than S A F R P U E C`);
    tcp = { seq: (p.seq ?? 0) >>> 0, ack_seq: (p.ack ?? 0) >>> 0, syn: f.includes('S'), ack: f.includes('A'), fin: f.includes('F'), rst: f.includes('R'), psh: f.includes('P'), window: p.window ?? 65535, doff: 5 };
  } else if (p.flags !== undefined) {
    throw new PacketError(index, `flags are for TCP packets`);
  }
  return {
    l3num: s.l3num, protonum, saddr: s.addr, daddr: d.addr, sport: p.sport, dport: p.dport, tcp, payload,
    len: l3len + (tcp ? 20 : 8) + payload.length,
  };
}

/** The sk_buff of a decoded packet, with the template the raw table attached (or none). */
export function makeSkb(d: DecodedPacket, tmpl: ct_template | null, mark = 0): sk_buff {
  return { ...d, nfct: null, nfctinfo: 0, tmpl, mark };
}

// ---- captured frames ------------------------------------------------------------------------

const be16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Why a frame was skipped (not an error: captures carry ARP, ICMP, fragments ...). */
export type SkipReason = 'not-ip' | 'not-tcp-udp' | 'fragment' | 'truncated';

/** Decodes one IP packet (starting at its IP header) into a trace packet; a skip reason otherwise. */
export function packetFromIp(b: Uint8Array, t: number): Packet | SkipReason {
  if (b.length < 1) return 'truncated';
  const version = b[0]! >> 4;
  let proto: number;
  let off: number;
  let end: number;
  let src: nf_inet_addr;
  let dst: nf_inet_addr;
  let l3num: number;
  if (version === 4) {
    if (b.length < 20) return 'truncated';
    const ihl = (b[0]! & 15) * 4;
    const total = be16(b, 2);
    const frag = be16(b, 6);
    if ((frag & 0x1fff) !== 0 || (frag & 0x2000) !== 0) return 'fragment';
    proto = b[9]!;
    src = [be32(b, 12), 0, 0, 0];
    dst = [be32(b, 16), 0, 0, 0];
    off = ihl;
    end = Math.min(total, b.length);
    l3num = AF_INET;
    if (ihl < 20 || end < off) return 'truncated';
  } else if (version === 6) {
    if (b.length < 40) return 'truncated';
    let next = b[6]!;
    end = Math.min(40 + be16(b, 4), b.length);
    src = [be32(b, 8), be32(b, 12), be32(b, 16), be32(b, 20)];
    dst = [be32(b, 24), be32(b, 28), be32(b, 32), be32(b, 36)];
    off = 40;
    l3num = AF_INET6;
    // skip extension headers (hop-by-hop, routing, destination options); a fragment header ends decoding
    for (;;) {
      if (next === 0 || next === 43 || next === 60) {
        if (off + 2 > end) return 'truncated';
        const nh = b[off]!;
        off += (b[off + 1]! + 1) * 8;
        next = nh;
      } else if (next === 44) return 'fragment';
      else break;
    }
    proto = next;
  } else return 'not-ip';
  const ip = (a: nf_inet_addr) => formatAddr(l3num, a);
  if (proto === IPPROTO_TCP) {
    if (off + 20 > end) return 'truncated';
    const doff = (b[off + 12]! >> 4) * 4;
    const fl = b[off + 13]!;
    if (doff < 20 || off + doff > end) return 'truncated';
    const flags = `${fl & 2 ? 'S' : ''}${fl & 16 ? 'A' : ''}${fl & 1 ? 'F' : ''}${fl & 4 ? 'R' : ''}${fl & 8 ? 'P' : ''}`;
    const payload = b.subarray(off + doff, end);
    return {
      t, proto: 'tcp', src: ip(src), dst: ip(dst), sport: be16(b, off), dport: be16(b, off + 2), flags, seq: be32(b, off + 4), ack: be32(b, off + 8),
      window: be16(b, off + 14), payloadHex: Buffer.from(payload).toString('hex'),
    };
  }
  if (proto === IPPROTO_UDP) {
    if (off + 8 > end) return 'truncated';
    const ulen = be16(b, off + 4);
    const payload = b.subarray(off + 8, Math.min(end, off + Math.max(ulen, 8)));
    return { t, proto: 'udp', src: ip(src), dst: ip(dst), sport: be16(b, off), dport: be16(b, off + 2), payloadHex: Buffer.from(payload).toString('hex') };
  }
  return 'not-tcp-udp';
}

/** LINKTYPE_* values the decoder understands. */
export const LINKTYPES = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

/** The IP packet inside a frame of a link type; null when the frame carries no IP. */
export function ipFromFrame(linktype: number, f: Uint8Array): Uint8Array | null {
  const ethertypeIp = (t: number) => t === 0x0800 || t === 0x86dd;
  switch (linktype) {
    case LINKTYPES.ETHERNET: {
      let off = 12;
      let type = f.length >= 14 ? be16(f, 12) : 0;
      while ((type === 0x8100 || type === 0x88a8) && f.length >= off + 6) {
        off += 4;
        type = be16(f, off);
      }
      return ethertypeIp(type) ? f.subarray(off + 2) : null;
    }
    case LINKTYPES.RAW:
    case LINKTYPES.IPV4:
    case LINKTYPES.IPV6:
      return f;
    case LINKTYPES.NULL:
    case LINKTYPES.LOOP: {
      if (f.length < 4) return null;
      const le = f[0]! | (f[1]! << 8) | (f[2]! << 16) | (f[3]! << 24);
      const fam = le === 2 || le === 24 || le === 28 || le === 30 || be32(f, 0) === 2 || be32(f, 0) === 24 || be32(f, 0) === 28 || be32(f, 0) === 30;
      return fam ? f.subarray(4) : null;
    }
    case LINKTYPES.LINUX_SLL:
      return f.length >= 16 && ethertypeIp(be16(f, 14)) ? f.subarray(16) : null;
    case LINKTYPES.LINUX_SLL2:
      return f.length >= 20 && ethertypeIp(be16(f, 0)) ? f.subarray(20) : null;
    default:
      return null;
  }
}
