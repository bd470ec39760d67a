// The tables as ctnetlink dumps them (ctnetlink_dump_table /
// ctnetlink_exp_dump_table: hash-bucket order, the ORIGINAL direction only,
// remaining timeouts as (expires - jiffies) / HZ, never negative) and as
// conntrack-tools 1.4.7 (libnetfilter_conntrack's default output) prints
// them: `conntrack -L` and `conntrack -L expect`, the line formats checked
// against the real tool (test/golden).

import { AF_INET, IPPROTO_TCP, IPPROTO_UDP, formatAddr, type nf_conntrack_tuple } from './tuple';
import {
  IPS_ASSURED, IPS_SEEN_REPLY, NF_CT_EXPECT_INACTIVE, NF_CT_EXPECT_PERMANENT, NF_CT_EXPECT_USERSPACE, type net,
} from './types';
import { tcp_conntrack_names } from './proto';

/** The address and ports of one direction. */
export interface TupleText {
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
}

/** A conntrack as `conntrack -L` shows it. */
export interface ConntrackEntry {
  readonly l3proto: 'ipv4' | 'ipv6';
  readonly proto: string;
  readonly protonum: number;
  /** seconds left */
  readonly timeout: number;
  /** TCP state name (TCP only) */
  readonly state: string | null;
  readonly original: TupleText;
  readonly reply: TupleText;
  readonly unreplied: boolean;
  readonly assured: boolean;
  readonly mark: number;
  readonly zone: number;
  readonly helper: string | null;
  readonly use: number;
  readonly id: number;
  /** the ctnetlink status bits */
  readonly status: number;
  /** the master's original tuple (CTA_TUPLE_MASTER), not printed by the default format */
  readonly master: TupleText | null;
}

/** An expectation as `conntrack -L expect` shows it. */
export interface ExpectEntry {
  readonly timeout: number;
  readonly protonum: number;
  readonly l3proto: 'ipv4' | 'ipv6';
  readonly tuple: TupleText;
  readonly mask: TupleText;
  readonly master: TupleText;
  readonly zone: number;
  readonly flags: readonly ('PERMANENT' | 'INACTIVE' | 'USERSPACE')[];
  readonly class: number;
  readonly helper: string | null;
  readonly id: number;
}

const PROTO_NAMES: Record<number, string> = { [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp' };

function tupleText(t: nf_conntrack_tuple): TupleText {
  return { src: formatAddr(t.src.l3num, t.src.u3), dst: formatAddr(t.src.l3num, t.dst.u3), sport: t.src.u.all, dport: t.dst.u.all };
}

/** ctnetlink_dump_timeout(): (long)(expires - jiffies) / HZ, clamped at 0. */
function remaining(expires: number, now: number, hz: number): number {
  const t = Math.trunc((expires - now) / hz);
  return t < 0 ? 0 : t;
}

/** ctnetlink_dump_table(): the confirmed conntracks, ORIGINAL direction nodes, bucket by bucket. */
export function dumpConntracks(n: net, now: number, hz: number): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const c of n.ct.hash) {
    if (!c) continue;
    for (const h of c) {
      if (h.tuple.dst.dir !== 0) continue;
      const ct = h.ct;
      const o = ct.tuplehash[0].tuple;
      const help = ct.ext_help;
      const helper = help ? help.helper.peek() : null;
      out.push({
        l3proto: o.src.l3num === AF_INET ? 'ipv4' : 'ipv6',
        proto: PROTO_NAMES[o.dst.protonum] ?? 'unknown',
        protonum: o.dst.protonum,
        timeout: remaining(ct.timeout.expires, now, hz),
        state: o.dst.protonum === IPPROTO_TCP ? tcp_conntrack_names[ct.proto.tcp.state] ?? 'NONE' : null,
        original: tupleText(o),
        reply: tupleText(ct.tuplehash[1].tuple),
        unreplied: (ct.status & IPS_SEEN_REPLY) === 0,
        assured: (ct.status & IPS_ASSURED) !== 0,
        mark: ct.mark >>> 0,
        zone: ct.zone,
        helper: helper ? helper.name : null,
        use: ct.ct_general.use.peek(),
        id: ct.id,
        status: ct.status,
        master: ct.master ? tupleText(ct.master.tuplehash[0].tuple) : null,
      });
    }
  }
  return out;
}

/** ctnetlink_exp_dump_table(): every linked expectation, bucket by bucket. */
export function dumpExpectations(n: net, now: number, hz: number): ExpectEntry[] {
  const out: ExpectEntry[] = [];
  for (const b of n.ct.expect_hash) {
    if (!b) continue;
    for (const exp of b) {
      const t = exp.tuple;
      const l3 = t.src.l3num;
      const full = l3 === AF_INET ? [0xffffffff, 0, 0, 0] as const : [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] as const;
      const mh = exp.master.ext_help;
      const helper = mh ? mh.helper.peek() : null;
      const flags: ('PERMANENT' | 'INACTIVE' | 'USERSPACE')[] = [];
      if (exp.flags & NF_CT_EXPECT_PERMANENT) flags.push('PERMANENT');
      if (exp.flags & NF_CT_EXPECT_INACTIVE) flags.push('INACTIVE');
      if (exp.flags & NF_CT_EXPECT_USERSPACE) flags.push('USERSPACE');
      out.push({
        timeout: remaining(exp.timeout.expires, now, hz),
        protonum: t.dst.protonum,
        l3proto: l3 === AF_INET ? 'ipv4' : 'ipv6',
        tuple: tupleText(t),
        // ctnetlink_exp_dump_mask(): the destination part of the mask is all ones
        mask: { src: formatAddr(l3, exp.mask.src.u3), dst: formatAddr(l3, full), sport: exp.mask.src.u.all, dport: 0xffff },
        master: tupleText(exp.master.tuplehash[0].tuple),
        zone: exp.master.zone,
        flags,
        class: exp.class,
        helper: helper ? helper.name : null,
        id: exp.id,
      });
    }
  }
  return out;
}

const ports = (p: number, t: TupleText) => (p === IPPROTO_TCP || p === IPPROTO_UDP ? ` sport=${t.sport} dport=${t.dport}` : '');

/** One line of `conntrack -L` (conntrack-tools 1.4.7 default output). */
export function formatConntrack(e: ConntrackEntry, opts: { extended?: boolean } = {}): string {
  let s = '';
  if (opts.extended) s += `${e.l3proto.padEnd(8)} ${e.l3proto === 'ipv4' ? 2 : 10} `;
  s += `${e.proto.padEnd(8)} ${e.protonum} ${e.timeout}`;
  if (e.state !== null) s += ` ${e.state}`;
  s += ` src=${e.original.src} dst=${e.original.dst}${ports(e.protonum, e.original)}`;
  if (e.unreplied) s += ' [UNREPLIED]';
  s += ` src=${e.reply.src} dst=${e.reply.dst}${ports(e.protonum, e.reply)}`;
  if (e.assured) s += ' [ASSURED]';
  s += ` mark=${e.mark}`;
  if (e.zone) s += ` zone=${e.zone}`;
  if (e.helper) s += ` helper=${e.helper}`;
  s += ` use=${e.use}`;
  return s;
}

/** One line of `conntrack -L expect` (conntrack-tools 1.4.7 default output). */
export function formatExpect(e: ExpectEntry): string {
  let s = `${e.timeout} proto=${e.protonum}`;
  s += ` src=${e.tuple.src} dst=${e.tuple.dst}${ports(e.protonum, e.tuple)}`;
  s += ` mask-src=${e.mask.src} mask-dst=${e.mask.dst}${ports(e.protonum, e.mask)}`;
  s += ` master-src=${e.master.src} master-dst=${e.master.dst}${ports(e.protonum, e.master)}`;
  if (e.zone) s += ` zone=${e.zone}`;
  if (e.flags.length) s += ` ${e.flags.join(',')}`;
  s += ` class=${e.class}`;
  if (e.helper) s += ` helper=${e.helper}`;
  return s;
}

/** The summary conntrack-tools prints on stderr. */
export function summaryLine(kind: 'conntrack' | 'expect', count: number): string {
  return kind === 'conntrack'
    ? `conntrack v1.4.7 (conntrack-tools): ${count} flow entries have been shown.`
    : `conntrack v1.4.7 (conntrack-tools): ${count} expectations have been shown.`;
}
