// net/netfilter/nf_conntrack_sip.c (v3.14 + seed 001, which moves
// refresh_signalling_expectation() and flush_expectations() under
// nf_conntrack_expect_lock): the UDP helper for REGISTER (a permanent,
// inactive signalling expectation, refreshed or flushed by the registrar's
// response), INVITE/200 with SDP (RTP and RTCP media expectations via
// set_expected_rtp_rtcp) and BYE (media flush). The message parser is the
// model's own and covers the header forms these paths read (full and compact
// header names, Contact URIs with ;expires= and ;transport=, SDP c= and m=
// lines); see README "Differences".

import { HZ, add_timer, del_timer, jiffies, rcu_read_lock, rcu_read_unlock, spin_lock_bh, spin_unlock_bh, type KGen } from '@k/core-sync';
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, mkTuple, nf_inet_addr_cmp, parseIPv4, parseIPv6, type nf_inet_addr } from './tuple';
import {
  CTINFO2DIR, IPS_EXPECTED, NF_ACCEPT, NF_CT_EXPECT_INACTIVE, NF_CT_EXPECT_PERMANENT, NF_DROP,
  type nf_conn, type nf_conntrack_helper, type sk_buff,
} from './types';
import { expect_lock } from './net';
import { nf_ct_l3num, nf_ct_net, nf_ct_protonum, nf_ct_refresh, nf_ct_zone, nfct_help } from './core';
import {
  fate, __nf_ct_expect_find, nf_ct_expect_alloc, nf_ct_expect_init, nf_ct_expect_put, nf_ct_expect_related, nf_ct_unexpect_related, nf_ct_unlink_expect,
} from './expect';

/** enum sip_expectation_classes */
export const SIP_EXPECT_SIGNALLING = 0;
export const SIP_EXPECT_AUDIO = 1;
export const SIP_EXPECT_VIDEO = 2;
export const SIP_EXPECT_IMAGE = 3;
/** SIP_PORT */
export const SIP_PORT = 5060;

/** struct nf_ct_sip_master */
export interface nf_ct_sip_master {
  register_cseq: number;
  invite_cseq: number;
}

// ---- the message parser ---------------------------------------------------------------

/** A parsed SIP message: the first line, headers in order, and the body. */
export interface SipMessage {
  readonly request: { readonly method: string } | null;
  readonly code: number;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly body: string;
}

const COMPACT: Record<string, string> = { m: 'contact', i: 'call-id', v: 'via', f: 'from', t: 'to', l: 'content-length', c: 'content-type' };

/** Parses the text of a SIP message; null when it is not one. */
export function parseSip(text: string): SipMessage | null {
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const body = end >= 0 ? text.slice(end + 4) : '';
  const lines = head.split('\r\n');
  const first = lines[0] ?? '';
  let request: { method: string } | null = null;
  let code = 0;
  if (/^SIP\/2\.0 /i.test(first)) {
    // process_sip_response: code = simple_strtoul(*dptr + strlen("SIP/2.0 "), NULL, 10)
    code = parseInt(first.slice(8), 10) || 0;
  } else {
    const m = /^([A-Za-z]+) [A-Za-z]/.exec(first);
    if (!m) return null;
    request = { method: m[1]!.toUpperCase() };
  }
  const headers: { name: string; value: string }[] = [];
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1] = { name: headers[headers.length - 1]!.name, value: headers[headers.length - 1]!.value + ' ' + line.trim() };
      continue;
    }
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const raw = line.slice(0, c).trim().toLowerCase();
    headers.push({ name: COMPACT[raw] ?? raw, value: line.slice(c + 1).trim() });
  }
  return { request, code, headers, body };
}

function header(msg: SipMessage, name: string): string | null {
  return msg.headers.find((h) => h.name === name)?.value ?? null;
}

/** simple_strtoul(s, NULL, 10) */
function strtoul(s: string): number {
  const m = /^\s*(\d+)/.exec(s);
  return m ? Number(BigInt.asUintN(32, BigInt(m[1]!))) : 0;
}

/** A Contact (or other) URI: sip:[user@]host[:port][;params] plus header params. */
export interface SipUri {
  readonly l3num: number;
  readonly addr: nf_inet_addr;
  readonly port: number;
  readonly params: string;
}

/** ct_sip_parse_header_uri() + the parameter text of one contact; null when the address does not parse. */
function parseUri(contact: string, l3num: number): SipUri | null {
  const m = /<?\s*sips?:(?:[^@>;]*@)?(\[[^\]]+\]|[^:;>?\s]+)(?::(\d+))?([^>,]*)>?(.*)$/i.exec(contact.trim());
  if (!m) return null;
  const host = m[1]!;
  const addr = host.startsWith('[') ? parseIPv6(host.slice(1, -1)) : l3num === AF_INET ? parseIPv4(host) : parseIPv6(host);
  if (!addr) return null;
  const port = m[2] !== undefined ? Number(m[2]) : SIP_PORT;
  if (port < 1024 || port > 65535) return null;
  return { l3num: host.startsWith('[') ? AF_INET6 : l3num, addr, port, params: (m[3] ?? '') + (m[4] ?? '') };
}

/** The contacts of a message in order (several Contact headers, comma-separated lists). */
function contacts(msg: SipMessage): string[] {
  const out: string[] = [];
  for (const h of msg.headers) if (h.name === 'contact') for (const part of h.value.split(/,(?![^<]*>)/)) out.push(part);
  return out;
}

/** ct_sip_parse_numerical_param(): 1 with the value, 0 when absent, -1 when malformed. */
function numParam(params: string, name: string): { ret: number; val: number } {
  const i = params.toLowerCase().indexOf(`;${name}`);
  if (i < 0) return { ret: 0, val: 0 };
  const rest = params.slice(i + 1 + name.length);
  const m = /^(\d+)/.exec(rest);
  if (!m) return { ret: -1, val: 0 };
  return { ret: 1, val: Number(BigInt.asUintN(32, BigInt(m[1]!))) };
}

/** ct_sip_parse_transport(): 1 and the protocol, 0 when the transport does not fit the connection. */
function parseTransport(ct: nf_conn, params: string): { ok: boolean; proto: number } {
  const m = /;transport=([a-z]+)/i.exec(params);
  if (!m) return { ok: true, proto: nf_ct_protonum(ct) };
  const t = m[1]!.toUpperCase();
  const proto = t.startsWith('TCP') ? IPPROTO_TCP : t.startsWith('UDP') ? IPPROTO_UDP : 0;
  if (!proto || proto !== nf_ct_protonum(ct)) return { ok: false, proto };
  return { ok: true, proto };
}

// ---- expectations -------------------------------------------------------------------------

/**
 * refresh_signalling_expectation(): the registrar accepted the binding:
 * re-arm the signalling expectation for `addr:port` and make it active.
 * Seed: under nf_conntrack_expect_lock.
 */
export function* refresh_signalling_expectation(ct: nf_conn, addr: nf_inet_addr, proto: number, port: number, expires: number): KGen<boolean> {
  const help = nfct_help(ct)!;
  const lock = expect_lock(nf_ct_net(ct));
  let found = false;
  yield* spin_lock_bh(lock);
  for (const exp of [...help.expectations]) {
    if (exp.class !== SIP_EXPECT_SIGNALLING || !nf_inet_addr_cmp(exp.tuple.dst.u3, addr) || exp.tuple.dst.protonum !== proto || exp.tuple.dst.u.all !== port) continue;
    if (!(yield* del_timer(exp.timeout))) continue;
    exp.flags &= ~NF_CT_EXPECT_INACTIVE;
    exp.timeout.expires = jiffies() + expires * HZ();
    yield* add_timer(exp.timeout);
    found = true;
    break;
  }
  yield* spin_unlock_bh(lock);
  return found;
}

/** flush_expectations(): media (all of them) or signalling (the first one). Seed: under nf_conntrack_expect_lock. */
export function* flush_expectations(ct: nf_conn, media: boolean): KGen {
  const help = nfct_help(ct)!;
  const lock = expect_lock(nf_ct_net(ct));
  yield* spin_lock_bh(lock);
  for (const exp of [...help.expectations]) {
    if ((exp.class !== SIP_EXPECT_SIGNALLING) !== media) continue;
    if (!(yield* del_timer(exp.timeout))) continue;
    fate(exp, 'removed');
    yield* nf_ct_unlink_expect(exp);
    yield* nf_ct_expect_put(exp);
    if (!media) break;
  }
  yield* spin_unlock_bh(lock);
}

/** set_expected_rtp_rtcp(): an RTP and an RTCP expectation for a media port (or none if another master already expects it). */
function* set_expected_rtp_rtcp(skb: sk_buff, ct: nf_conn, daddr: nf_inet_addr, port: number, cls: number): KGen<number> {
  const n = nf_ct_net(ct);
  const cfg = n.nfct.cfg;
  const dir = CTINFO2DIR(skb.nfctinfo);
  let saddr: nf_inet_addr | null = null;
  if (cfg.sip_direct_media) {
    if (!nf_inet_addr_cmp(daddr, ct.tuplehash[dir]!.tuple.src.u3)) return NF_ACCEPT;
    saddr = ct.tuplehash[dir ^ 1]!.tuple.src.u3;
  }
  /* We need to check whether the registration exists before attempting to register it ... */
  const tuple = mkTuple(nf_ct_l3num(ct), IPPROTO_UDP, saddr ?? [0, 0, 0, 0], 0, daddr, port);
  let skip_expect = false;
  yield* rcu_read_lock();
  const exp = yield* __nf_ct_expect_find(n, nf_ct_zone(ct), tuple);
  if (exp && exp.master !== ct && nfct_help(exp.master)!.helper.peek() === nfct_help(ct)!.helper.peek() && exp.class === cls) skip_expect = true;
  yield* rcu_read_unlock();
  const base_port = port & ~1;
  if (skip_expect) return NF_ACCEPT;
  let ret = NF_DROP;
  const rtp_exp = yield* nf_ct_expect_alloc(ct);
  if (rtp_exp === null) return ret;
  nf_ct_expect_init(rtp_exp, cls, nf_ct_l3num(ct), saddr, daddr, IPPROTO_UDP, null, base_port);
  const rtcp_exp = yield* nf_ct_expect_alloc(ct);
  if (rtcp_exp !== null) {
    nf_ct_expect_init(rtcp_exp, cls, nf_ct_l3num(ct), saddr, daddr, IPPROTO_UDP, null, (base_port + 1) & 0xffff);
    if ((yield* nf_ct_expect_related(rtp_exp)) === 0) {
      if ((yield* nf_ct_expect_related(rtcp_exp)) !== 0) yield* nf_ct_unexpect_related(rtp_exp);
      else ret = NF_ACCEPT;
    }
    yield* nf_ct_expect_put(rtcp_exp);
  }
  yield* nf_ct_expect_put(rtp_exp);
  return ret;
}

const sdp_media_types = [
  { name: 'audio', cls: SIP_EXPECT_AUDIO },
  { name: 'video', cls: SIP_EXPECT_VIDEO },
  { name: 'image', cls: SIP_EXPECT_IMAGE },
];

/** process_sdp(): media expectations for each m= line with a usable port. */
function* process_sdp(skb: sk_buff, ct: nf_conn, msg: SipMessage): KGen<number> {
  const lines = msg.body.split(/\r?\n/);
  if (!lines.some((l) => l.startsWith('v='))) return NF_ACCEPT;
  const l3 = nf_ct_l3num(ct);
  const caddrOf = (l: string): nf_inet_addr | null => {
    const m = /^c=IN (IP4|IP6) (\S+)/.exec(l);
    if (!m) return null;
    return (m[1] === 'IP4') === (l3 === AF_INET) ? (l3 === AF_INET ? parseIPv4(m[2]!) : parseIPv6(m[2]!)) : null;
  };
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  let caddr: nf_inet_addr | null = null;
  for (const l of firstMedia >= 0 ? lines.slice(0, firstMedia) : lines) caddr = caddr ?? caddrOf(l);
  let ret = NF_ACCEPT;
  for (let i = 0; i < lines.length; i++) {
    const m = /^m=(\w+) (\d+)/.exec(lines[i]!);
    if (!m) continue;
    const t = sdp_media_types.find((x) => x.name === m[1]);
    if (!t) continue;
    const port = Number(m[2]);
    /* A media port value of zero indicates an inactive stream. */
    if (port === 0) continue;
    if (port < 1024 || port > 65535) return NF_DROP;
    /* The media description overrides the session description. */
    let maddr: nf_inet_addr | null = null;
    for (let j = i + 1; j < lines.length && !lines[j]!.startsWith('m='); j++) maddr = maddr ?? caddrOf(lines[j]!);
    const rtp_addr = maddr ?? caddr;
    if (!rtp_addr) return NF_DROP;
    ret = yield* set_expected_rtp_rtcp(skb, ct, rtp_addr, port, t.cls);
    if (ret !== NF_ACCEPT) return ret;
  }
  return ret;
}

/** process_register_request(): a permanent, inactive expectation for the registered contact. */
function* process_register_request(skb: sk_buff, ct: nf_conn, msg: SipMessage, cseq: number): KGen<number> {
  const cfg = nf_ct_net(ct).nfct.cfg;
  const info = nfct_help(ct)!.data as nf_ct_sip_master;
  const dir = CTINFO2DIR(skb.nfctinfo);
  /* Expected connections can not register again. */
  if (ct.status & IPS_EXPECTED) return NF_ACCEPT;
  /* We must check the expiration time: a value of zero signals the registrar to release the binding. */
  let expires = 0;
  const eh = header(msg, 'expires');
  if (eh !== null) expires = strtoul(eh);
  const c = contacts(msg)[0];
  if (c === undefined) return NF_ACCEPT;
  const uri = parseUri(c, nf_ct_l3num(ct));
  if (!uri) return NF_DROP; // "cannot parse contact"
  /* We don't support third-party registrations */
  if (!nf_inet_addr_cmp(ct.tuplehash[dir]!.tuple.src.u3, uri.addr)) return NF_ACCEPT;
  const tr = parseTransport(ct, uri.params);
  if (!tr.ok) return NF_ACCEPT;
  const p = numParam(uri.params, 'expires=');
  if (p.ret < 0) return NF_DROP; // "cannot parse expires"
  if (p.ret > 0) expires = p.val;
  let ret = NF_ACCEPT;
  if (expires !== 0) {
    const exp = yield* nf_ct_expect_alloc(ct);
    if (!exp) return NF_DROP;
    const saddr = cfg.sip_direct_signalling ? ct.tuplehash[dir ^ 1]!.tuple.src.u3 : null;
    nf_ct_expect_init(exp, SIP_EXPECT_SIGNALLING, nf_ct_l3num(ct), saddr, uri.addr, tr.proto, null, uri.port);
    exp.timeout.expires = cfg.sip_timeout * HZ();
    exp.helper = nfct_help(ct)!.helper.peek();
    exp.flags = NF_CT_EXPECT_PERMANENT | NF_CT_EXPECT_INACTIVE;
    ret = (yield* nf_ct_expect_related(exp)) !== 0 ? NF_DROP : NF_ACCEPT;
    yield* nf_ct_expect_put(exp);
  }
  if (ret === NF_ACCEPT) info.register_cseq = cseq;
  return ret;
}

/** process_register_response(): refresh the expectation of an accepted contact, else flush the signalling one. */
function* process_register_response(skb: sk_buff, ct: nf_conn, msg: SipMessage, cseq: number, code: number): KGen<number> {
  const info = nfct_help(ct)!.data as nf_ct_sip_master;
  const dir = CTINFO2DIR(skb.nfctinfo);
  /* ... we store the sequence number of the last valid request and compare it here. */
  if (info.register_cseq !== cseq) return NF_ACCEPT;
  if (code >= 100 && code <= 199) return NF_ACCEPT;
  if (code >= 200 && code <= 299) {
    let expires = 0;
    const eh = header(msg, 'expires');
    if (eh !== null) expires = strtoul(eh);
    for (const c of contacts(msg)) {
      const uri = parseUri(c, nf_ct_l3num(ct));
      if (!uri) return NF_DROP; // "cannot parse contact"
      /* We don't support third-party registrations */
      if (!nf_inet_addr_cmp(ct.tuplehash[dir]!.tuple.dst.u3, uri.addr)) continue;
      const tr = parseTransport(ct, uri.params);
      if (!tr.ok) continue;
      let c_expires = expires;
      const p = numParam(uri.params, 'expires=');
      if (p.ret < 0) return NF_DROP;
      if (p.ret > 0) c_expires = p.val;
      if (c_expires === 0) break;
      if (yield* refresh_signalling_expectation(ct, uri.addr, tr.proto, uri.port, c_expires)) return NF_ACCEPT;
    }
  }
  // flush:
  yield* flush_expectations(ct, false);
  return NF_ACCEPT;
}

/** sip_help_udp(): refresh the connection to sip_timeout and process the message. */
export function* sip_help_udp(skb: sk_buff, _protoff: number, ct: nf_conn, ctinfo: number): KGen<number> {
  const cfg = nf_ct_net(ct).nfct.cfg;
  /* No Data ? */
  if (skb.payload.length === 0) return NF_ACCEPT;
  yield* nf_ct_refresh(ct, cfg.sip_timeout * HZ());
  if (skb.payload.length < 'SIP/2.0 200'.length) return NF_ACCEPT;
  const msg = parseSip(String.fromCharCode(...skb.payload));
  if (!msg) return NF_ACCEPT;
  const cseqh = header(msg, 'cseq');
  const cseq = cseqh === null ? 0 : strtoul(cseqh);
  const info = nfct_help(ct)!.data as nf_ct_sip_master;
  void ctinfo;
  if (msg.request) {
    const method = msg.request.method;
    if (!['INVITE', 'UPDATE', 'ACK', 'PRACK', 'BYE', 'REGISTER'].includes(method)) return NF_ACCEPT;
    if (!cseq) return NF_DROP; // "cannot parse cseq"
    switch (method) {
      case 'REGISTER':
        return yield* process_register_request(skb, ct, msg, cseq);
      case 'INVITE': {
        yield* flush_expectations(ct, true);
        const ret = yield* process_sdp(skb, ct, msg);
        if (ret === NF_ACCEPT) info.invite_cseq = cseq;
        return ret;
      }
      case 'BYE':
        yield* flush_expectations(ct, true);
        return NF_ACCEPT;
      default:
        return yield* process_sdp(skb, ct, msg);
    }
  }
  const code = msg.code;
  if (!code) return NF_DROP; // "cannot get code"
  if (!cseq) return NF_DROP;
  const method = /^\s*\d+\s+([A-Za-z]+)/.exec(cseqh ?? '')?.[1]?.toUpperCase();
  if (method === 'REGISTER') return yield* process_register_response(skb, ct, msg, cseq, code);
  if (method === 'INVITE') {
    if ((code >= 100 && code <= 199) || (code >= 200 && code <= 299)) return yield* process_sdp(skb, ct, msg);
    if (info.invite_cseq === cseq) yield* flush_expectations(ct, true);
  }
  return NF_ACCEPT;
}

/** The "sip" helper (UDP, port 5060) with sip_exp_policy. */
export function nf_conntrack_helper_sip(l3num: number = AF_INET, port = SIP_PORT): nf_conntrack_helper {
  return {
    name: 'sip',
    tuple: mkTuple(l3num, IPPROTO_UDP, [0, 0, 0, 0], port, [0, 0, 0, 0], 0),
    expect_policy: [
      { name: 'signalling', max_expected: 1, timeout: 3 * 60 },
      { name: 'audio', max_expected: 2 * 2, timeout: 3 * 60 },
      { name: 'video', max_expected: 2 * 2, timeout: 3 * 60 },
      { name: 'image', max_expected: 2, timeout: 3 * 60 },
    ],
    expect_class_max: SIP_EXPECT_IMAGE,
    help: sip_help_udp,
    data: (): nf_ct_sip_master => ({ register_cseq: 0, invite_cseq: 0 }),
    registered: false,
  };
}
