// net/netfilter/nf_conntrack_ftp.c (v3.14, seed 001 uses it as the
// expectation creator): the command/reply parsers (try_rfc959 for PORT,
// try_rfc1123 for "227 " PASV replies, try_eprt for EPRT, try_epsv_response
// for "229 " EPSV replies, find_pattern), the newline-sequence tracking that
// only lets the helper look at segments starting a line, and help(), which
// creates the data-connection expectation under nf_ftp_lock.
// Integer widths are C's: PORT numbers are u32 shifted into a u32 address and
// a u16 port, so out-of-range fields wrap as they do in the kernel.

import { spin_lock_bh, spin_unlock_bh, type KGen } from '@k/core-sync';
import {
  AF_INET, AF_INET6, IPPROTO_TCP, mkTuple, nf_inet_addr_cmp, parseIPv6, type nf_inet_addr,
} from './tuple';
import {
  CTINFO2DIR, IP_CT_ESTABLISHED, IP_CT_ESTABLISHED_REPLY, NF_ACCEPT, NF_CT_EXPECT_CLASS_DEFAULT, NF_DROP,
  type nf_conn, type nf_conntrack_helper, type sk_buff,
} from './types';
import { nf_ct_l3num, nf_ct_net } from './core';
import { nf_ct_expect_alloc, nf_ct_expect_init, nf_ct_expect_put, nf_ct_expect_related } from './expect';

/** enum nf_ct_ftp_type */
export const NF_CT_FTP_PORT = 0;
export const NF_CT_FTP_PASV = 1;
export const NF_CT_FTP_EPRT = 2;
export const NF_CT_FTP_EPSV = 3;

/** NUM_SEQ_TO_REMEMBER */
const NUM_SEQ_TO_REMEMBER = 2;
/** NF_CT_FTP_SEQ_PICKUP */
const NF_CT_FTP_SEQ_PICKUP = 1 << 0;

/** struct nf_ct_ftp_master */
export interface nf_ct_ftp_master {
  /** Valid seq positions for cmd matching after newline */
  seq_aft_nl: [number[], number[]];
  /** 0 means seq_match_aft_nl not set */
  seq_aft_nl_num: [number, number];
  flags: [number, number];
}

/** struct nf_conntrack_man as the parsers fill it */
export interface nf_conntrack_man {
  l3num: number;
  u3: nf_inet_addr;
  port: number;
}

type getnum_t = (data: Uint8Array, off: number, dlen: number, cmd: nf_conntrack_man, term: number) => number;

const isdigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const u32 = (x: number): number => x >>> 0;

/** try_number(): `array_size` numbers separated by `sep`, ended by `term` (or anything if term is 0); returns the length or 0. */
function try_number(data: Uint8Array, off: number, dlen: number, array: number[], array_size: number, sep: number, term: number): number {
  for (let k = 0; k < array_size; k++) array[k] = 0;
  let i = 0;
  for (let len = 0; len < dlen && i < array_size; len++) {
    const c = data[off + len]!;
    if (c >= 0x30 && c <= 0x39) array[i] = u32(u32(array[i]! * 10) + c - 0x30);
    else if (c === sep) i++;
    else {
      /* Unexpected character; true if it's the terminator (or we don't care about one) and we're finished. */
      if ((c === term || !term) && i === array_size - 1) return len;
      return 0;
    }
  }
  /* Failed to fill the numbers */
  return 0;
}

/** try_rfc959(): "192,168,1,1,5,6" -> address and port. */
export const try_rfc959: getnum_t = (data, off, dlen, cmd, term) => {
  const array: number[] = [];
  const length = try_number(data, off, dlen, array, 6, 0x2c /* , */, term);
  if (length === 0) return 0;
  cmd.u3 = [u32((array[0]! << 24) | (array[1]! << 16) | (array[2]! << 8) | array[3]!), 0, 0, 0];
  cmd.port = ((array[4]! << 8) | array[5]!) & 0xffff;
  return length;
};

/**
 * try_rfc1123(): "The format of the 227 reply to a PASV command is not well
 * standardized ... scan the reply for the first digit of the host and port
 * numbers." Moves the match offset to that digit.
 */
function try_rfc1123(data: Uint8Array, off: number, dlen: number, cmd: nf_conntrack_man, _term: number, offset: { v: number }): number {
  let i = 0;
  for (; i < dlen; i++) if (isdigit(data[off + i])) break;
  if (i === dlen) return 0;
  offset.v += i;
  return try_rfc959(data, off + i, dlen - i, cmd, 0);
}

/** get_port(): a port up to the delimiter; returns the offset after it, or 0. */
function get_port(data: Uint8Array, off: number, start: number, dlen: number, delim: number, cmd: nf_conntrack_man): number {
  let tmp_port = 0;
  for (let i = start; i < dlen; i++) {
    const c = data[off + i]!;
    if (c === delim) {
      /* Finished? */
      if (tmp_port === 0) break;
      cmd.port = tmp_port;
      return i + 1;
    } else if (c >= 0x30 && c <= 0x39) {
      tmp_port = (tmp_port * 10 + c - 0x30) & 0xffff; // u_int16_t
    } else {
      /* Some other crap */
      break;
    }
  }
  return 0;
}

/** get_ipv6_addr(): in6_pton up to the delimiter; returns the length parsed, or 0. */
function get_ipv6_addr(data: Uint8Array, off: number, dlen: number, cmd: nf_conntrack_man, term: number): number {
  let end = 0;
  while (end < dlen && data[off + end] !== term) end++;
  if (end >= dlen) return 0;
  const a = parseIPv6(String.fromCharCode(...data.subarray(off, off + end)));
  if (!a) return 0;
  cmd.u3 = a;
  return end;
}

/** try_eprt(): "|1|132.235.1.2|6275|" or "|2|3ffe::1|6275|". */
export const try_eprt: getnum_t = (data, off, dlen, cmd, _term) => {
  /* First character is delimiter, then "1" for IPv4 or "2" for IPv6, then delimiter again. */
  if (dlen <= 3) return 0;
  const delim = data[off]!;
  if (isdigit(delim) || delim < 33 || delim > 126 || data[off + 2] !== delim) return 0;
  if ((cmd.l3num === AF_INET && data[off + 1] !== 0x31) || (cmd.l3num === AF_INET6 && data[off + 1] !== 0x32)) return 0;
  let length: number;
  if (data[off + 1] === 0x31) {
    const array: number[] = [];
    /* Now we have IP address. */
    length = try_number(data, off + 3, dlen - 3, array, 4, 0x2e /* . */, delim);
    if (length !== 0) cmd.u3 = [u32((array[0]! << 24) | (array[1]! << 16) | (array[2]! << 8) | array[3]!), 0, 0, 0];
  } else {
    /* Now we have IPv6 address. */
    length = get_ipv6_addr(data, off + 3, dlen - 3, cmd, delim);
  }
  if (length === 0) return 0;
  /* Start offset includes initial "|1|", and trailing delimiter */
  return get_port(data, off, 3 + length + 1, dlen, delim, cmd);
};

/** try_epsv_response(): "|||6446|" */
export const try_epsv_response: getnum_t = (data, off, dlen, cmd, _term) => {
  /* Three delimiters. */
  if (dlen <= 3) return 0;
  const delim = data[off]!;
  if (isdigit(delim) || delim < 33 || delim > 126 || data[off + 1] !== delim || data[off + 2] !== delim) return 0;
  return get_port(data, off, 3, dlen, delim, cmd);
};

interface ftp_search {
  readonly pattern: string;
  readonly skip: number;
  readonly term: number;
  readonly ftptype: number;
  readonly getnum: (data: Uint8Array, off: number, dlen: number, cmd: nf_conntrack_man, term: number, offset: { v: number }) => number;
}

/** search[IP_CT_DIR_MAX][2] */
const search: readonly (readonly ftp_search[])[] = [
  [
    { pattern: 'PORT', skip: 0x20, term: 0x0d, ftptype: NF_CT_FTP_PORT, getnum: (d, o, l, c, t) => try_rfc959(d, o, l, c, t) },
    { pattern: 'EPRT', skip: 0x20, term: 0x0d, ftptype: NF_CT_FTP_EPRT, getnum: (d, o, l, c, t) => try_eprt(d, o, l, c, t) },
  ],
  [
    { pattern: '227 ', skip: 0, term: 0, ftptype: NF_CT_FTP_PASV, getnum: try_rfc1123 },
    { pattern: '229 ', skip: 0x28, term: 0x29, ftptype: NF_CT_FTP_EPSV, getnum: (d, o, l, c, t) => try_epsv_response(d, o, l, c, t) },
  ],
];

function strnicmp(data: Uint8Array, pattern: string, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const a = data[i]!;
    const b = pattern.charCodeAt(i);
    const la = a >= 0x41 && a <= 0x5a ? a + 32 : a;
    const lb = b >= 0x41 && b <= 0x5a ? b + 32 : b;
    if (la !== lb) return false;
  }
  return true;
}

/** find_pattern(): 1 on a match, 0 on none, -1 on a partial match (the packet is dropped). */
function find_pattern(data: Uint8Array, dlen: number, s: ftp_search, cmd: nf_conntrack_man, match: { off: number; len: number }): number {
  const plen = s.pattern.length;
  if (dlen === 0) return 0;
  if (dlen <= plen) {
    /* Short packet: try for partial? */
    return strnicmp(data, s.pattern, dlen) ? -1 : 0;
  }
  if (!strnicmp(data, s.pattern, plen)) return 0;
  let i = plen;
  /* Now we've found the constant string, try to skip to the 'skip' character */
  if (s.skip) {
    for (i = plen; data[i] !== s.skip; i++) if (i === dlen - 1) return -1;
    /* Skip over the last character */
    i++;
  }
  const numoff = { v: i };
  const numlen = s.getnum(data, i, dlen - i, cmd, s.term, numoff);
  if (!numlen) return -1;
  match.off = numoff.v;
  match.len = numlen;
  return 1;
}

/** What a command or reply line asks for (the parsers' result, for tests and tools). */
export interface FtpMatch {
  readonly type: 'PORT' | 'EPRT' | 'PASV' | 'EPSV';
  readonly l3num: number;
  readonly addr: nf_inet_addr;
  readonly port: number;
  readonly matchoff: number;
  readonly matchlen: number;
}

/**
 * Parses one segment the way help() does for direction `dir` (0: client
 * commands, 1: server replies) of a connection of family `l3num` whose
 * sender address is `src`. Returns the match, null for no match, or
 * 'partial' (the kernel drops the packet).
 */
export function ftpParse(payload: Uint8Array, dir: number, l3num: number, src: nf_inet_addr): FtpMatch | null | 'partial' {
  const cmd: nf_conntrack_man = { l3num, u3: src, port: 0 };
  const match = { off: 0, len: 0 };
  let found = 0;
  let idx: number;
  for (idx = 0; idx < search[dir]!.length; idx++) {
    found = find_pattern(payload, payload.length, search[dir]![idx]!, cmd, match);
    if (found) break;
  }
  if (found === -1) return 'partial';
  if (found === 0) return null;
  const types = ['PORT', 'PASV', 'EPRT', 'EPSV'] as const;
  return { type: types[search[dir]![idx]!.ftptype]!, l3num: cmd.l3num, addr: cmd.u3, port: cmd.port, matchoff: match.off, matchlen: match.len };
}

const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const after = (a: number, b: number): boolean => before(b, a);

/** find_nl_seq(): does the segment start right after a newline we saw? */
function find_nl_seq(seq: number, info: nf_ct_ftp_master, dir: number): boolean {
  for (let i = 0; i < info.seq_aft_nl_num[dir]!; i++) if (info.seq_aft_nl[dir]![i] === seq) return true;
  return false;
}

/** update_nl_seq(): remember the sequence number after a newline (two per direction). */
function update_nl_seq(nl_seq: number, info: nf_ct_ftp_master, dir: number): void {
  /* Look for oldest: if we find exact match, we're done. */
  for (let i = 0; i < info.seq_aft_nl_num[dir]!; i++) if (info.seq_aft_nl[dir]![i] === nl_seq) return;
  if (info.seq_aft_nl_num[dir]! < NUM_SEQ_TO_REMEMBER) {
    info.seq_aft_nl[dir]![info.seq_aft_nl_num[dir]!++] = nl_seq;
  } else {
    const oldest = before(info.seq_aft_nl[dir]![0]!, info.seq_aft_nl[dir]![1]!) ? 0 : 1;
    if (after(nl_seq, info.seq_aft_nl[dir]![oldest]!)) info.seq_aft_nl[dir]![oldest] = nl_seq;
  }
}

/** help(): the FTP helper, called for every packet of a helped connection. */
export function* ftp_help(skb: sk_buff, _protoff: number, ct: nf_conn, ctinfo: number): KGen<number> {
  const nfct = nf_ct_net(ct).nfct;
  const dir = CTINFO2DIR(ctinfo);
  const ct_ftp_info = ct.ext_help!.data as nf_ct_ftp_master;
  /* Until there's been traffic both ways, don't look in packets. */
  if (ctinfo !== IP_CT_ESTABLISHED && ctinfo !== IP_CT_ESTABLISHED_REPLY) return NF_ACCEPT;
  const th = skb.tcp;
  if (!th) return NF_ACCEPT;
  const data = skb.payload;
  const datalen = data.length;
  /* No data? */
  if (datalen === 0) return NF_ACCEPT;

  yield* spin_lock_bh(nfct.nf_ftp_lock);
  let ret = NF_ACCEPT;
  const ends_in_nl = data[datalen - 1] === 0x0a;
  const seq = u32(th.seq + datalen);
  let parse = true;
  /* Look up to see if we're just after a \n. */
  if (!find_nl_seq(th.seq >>> 0, ct_ftp_info, dir)) {
    if (ct_ftp_info.flags[dir]! & NF_CT_FTP_SEQ_PICKUP) {
      /* We're picking up this, clear flags and let it continue */
      ct_ftp_info.flags[dir]! ^= NF_CT_FTP_SEQ_PICKUP;
    } else parse = false;
  }
  let drop = false;
  if (parse) {
    /* Initialize IP/IPv6 addr to expected address (it's not mentioned in EPSV responses) */
    const srcAddr = ct.tuplehash[dir]!.tuple.src.u3;
    const m = ftpParse(data, dir, nf_ct_l3num(ct), srcAddr);
    if (m === 'partial') {
      /* We don't usually drop packets. ... However, it is necessary for accurate tracking in this case. */
      ret = NF_DROP;
      drop = true;
    } else if (m !== null) {
      const exp = yield* nf_ct_expect_alloc(ct);
      if (exp === null) {
        ret = NF_DROP;
        drop = true;
      } else {
        /* We refer to the reverse direction ("!dir") tuples here, because we're expecting something in the other direction. */
        let daddr = ct.tuplehash[dir ^ 1]!.tuple.dst.u3;
        let record = true;
        if (m.l3num === nf_ct_l3num(ct) && !nf_inet_addr_cmp(m.addr, srcAddr)) {
          /* Enrico Scholz's passive FTP to partially RNAT'd ftp server ... DMZ machines opening holes to internal networks: not recorded unless loose */
          if (!nfct.cfg.ftp_loose) record = false;
          else daddr = m.addr;
        }
        if (record) {
          nf_ct_expect_init(exp, NF_CT_EXPECT_CLASS_DEFAULT, m.l3num, ct.tuplehash[dir ^ 1]!.tuple.src.u3, daddr, IPPROTO_TCP, null, m.port);
          /* Can't expect this?  Best to drop packet now. */
          if ((yield* nf_ct_expect_related(exp)) !== 0) ret = NF_DROP;
          else ret = NF_ACCEPT;
        }
        yield* nf_ct_expect_put(exp);
      }
    }
  }
  /* Now if this ends in \n, update ftp info. */
  if (!drop && ends_in_nl) update_nl_seq(seq, ct_ftp_info, dir);
  yield* spin_unlock_bh(nfct.nf_ftp_lock);
  return ret;
}

/** The "ftp" helper for a family and port (nf_conntrack_ftp_init registers ports 21 for AF_INET and AF_INET6). */
export function nf_conntrack_helper_ftp(l3num: number = AF_INET, port = 21): nf_conntrack_helper {
  return {
    name: 'ftp',
    tuple: mkTuple(l3num, IPPROTO_TCP, [0, 0, 0, 0], port, [0, 0, 0, 0], 0),
    expect_policy: [{ max_expected: 1, timeout: 5 * 60, name: '' }],
    expect_class_max: 0,
    help: ftp_help,
    data: (): nf_ct_ftp_master => ({ seq_aft_nl: [[0, 0], [0, 0]], seq_aft_nl_num: [0, 0], flags: [0, 0] }),
    registered: false,
  };
}
