// Tuples and masks: include/net/netfilter/nf_conntrack_tuple.h (struct
// nf_conntrack_tuple, nf_ct_tuple_equal, nf_ct_tuple_mask_cmp ...), the
// address helpers of include/linux/netfilter.h (union nf_inet_addr) and the
// tuple inversion of nf_conntrack_core.c (nf_ct_invert_tuple), at v3.14/seed
// 001. Addresses are four u32 words as in `u3.all[4]` (an IPv4 address lives in
// word 0, the rest are zero); ports and masks are kept in host byte order
// (the kernel keeps __be16: comparisons are the same either way).

/** AF_INET / NFPROTO_IPV4 */
export const AF_INET = 2;
/** AF_INET6 / NFPROTO_IPV6 */
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** NF_CT_TUPLE_L3SIZE: u32 words of an address */
export const NF_CT_TUPLE_L3SIZE = 4;

export const IP_CT_DIR_ORIGINAL = 0;
export const IP_CT_DIR_REPLY = 1;
export const IP_CT_DIR_MAX = 2;

/** union nf_inet_addr, as `all[4]` */
export type nf_inet_addr = readonly [number, number, number, number];

/** struct nf_conntrack_tuple */
export interface nf_conntrack_tuple {
  readonly src: { readonly u3: nf_inet_addr; readonly u: { readonly all: number }; readonly l3num: number };
  readonly dst: { readonly u3: nf_inet_addr; readonly u: { readonly all: number }; readonly protonum: number; readonly dir: number };
}

/** struct nf_conntrack_tuple_mask: only the source part is masked */
export interface nf_conntrack_tuple_mask {
  readonly src: { readonly u3: nf_inet_addr; readonly u: { readonly all: number } };
}

export const ADDR_ANY: nf_inet_addr = [0, 0, 0, 0];

/** Builds a tuple (the fields the packet gives: nf_ct_get_tuple). */
export function mkTuple(l3num: number, protonum: number, src: nf_inet_addr, sport: number, dst: nf_inet_addr, dport: number, dir = IP_CT_DIR_ORIGINAL): nf_conntrack_tuple {
  return {
    src: { u3: src, u: { all: sport & 0xffff }, l3num },
    dst: { u3: dst, u: { all: dport & 0xffff }, protonum, dir },
  };
}

function addrEq(a: nf_inet_addr, b: nf_inet_addr): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** nf_inet_addr_cmp() */
export function nf_inet_addr_cmp(a: nf_inet_addr, b: nf_inet_addr): boolean {
  return addrEq(a, b);
}

/** __nf_ct_tuple_src_equal() */
export function __nf_ct_tuple_src_equal(t1: nf_conntrack_tuple, t2: nf_conntrack_tuple): boolean {
  return addrEq(t1.src.u3, t2.src.u3) && t1.src.u.all === t2.src.u.all && t1.src.l3num === t2.src.l3num && t1.dst.protonum === t2.dst.protonum;
}

/** __nf_ct_tuple_dst_equal() */
export function __nf_ct_tuple_dst_equal(t1: nf_conntrack_tuple, t2: nf_conntrack_tuple): boolean {
  return addrEq(t1.dst.u3, t2.dst.u3) && t1.dst.u.all === t2.dst.u.all && t1.dst.protonum === t2.dst.protonum;
}

/** nf_ct_tuple_equal(): the direction is not compared */
export function nf_ct_tuple_equal(t1: nf_conntrack_tuple, t2: nf_conntrack_tuple): boolean {
  return __nf_ct_tuple_src_equal(t1, t2) && __nf_ct_tuple_dst_equal(t1, t2);
}

/** nf_ct_tuple_mask_equal() */
export function nf_ct_tuple_mask_equal(m1: nf_conntrack_tuple_mask, m2: nf_conntrack_tuple_mask): boolean {
  return addrEq(m1.src.u3, m2.src.u3) && m1.src.u.all === m2.src.u.all;
}

/** nf_ct_tuple_src_mask_cmp(): the source parts agree where the mask is set */
export function nf_ct_tuple_src_mask_cmp(t1: nf_conntrack_tuple, t2: nf_conntrack_tuple, mask: nf_conntrack_tuple_mask): boolean {
  for (let count = 0; count < NF_CT_TUPLE_L3SIZE; count++) {
    if (((t1.src.u3[count]! ^ t2.src.u3[count]!) & mask.src.u3[count]!) !== 0) return false;
  }
  if (((t1.src.u.all ^ t2.src.u.all) & mask.src.u.all) !== 0) return false;
  if (t1.src.l3num !== t2.src.l3num || t1.dst.protonum !== t2.dst.protonum) return false;
  return true;
}

/** nf_ct_tuple_mask_cmp(): `t` matches `tuple` under `mask` (source masked, destination exact) */
export function nf_ct_tuple_mask_cmp(t: nf_conntrack_tuple, tuple: nf_conntrack_tuple, mask: nf_conntrack_tuple_mask): boolean {
  return nf_ct_tuple_src_mask_cmp(t, tuple, mask) && __nf_ct_tuple_dst_equal(t, tuple);
}

/** nf_ct_invert_tuple() with the ipv4/ipv6 and tcp/udp invert_tuple callbacks */
export function nf_ct_invert_tuple(orig: nf_conntrack_tuple): nf_conntrack_tuple {
  return {
    src: { u3: orig.dst.u3, u: { all: orig.dst.u.all }, l3num: orig.src.l3num },
    dst: { u3: orig.src.u3, u: { all: orig.src.u.all }, protonum: orig.dst.protonum, dir: orig.dst.dir === IP_CT_DIR_ORIGINAL ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL },
  };
}

/** A mask that matches exactly the given address family (memset 0xFF over `len` bytes). */
export function fullAddrMask(l3num: number): nf_inet_addr {
  return l3num === AF_INET ? [0xffffffff, 0, 0, 0] : [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff];
}

// ---- address text ----------------------------------------------------------

/** Parses a dotted IPv4 address into `u3`; null when malformed. */
export function parseIPv4(s: string): nf_inet_addr | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return null;
  return [((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, 0, 0, 0];
}

/** Parses an IPv6 address (RFC 4291 text forms, with an embedded IPv4 tail) into `u3`; null when malformed. */
export function parseIPv6(s: string): nf_inet_addr | null {
  if (s.length === 0 || s.length > 45) return null;
  let text = s;
  const words: number[] = [];
  // an embedded dotted IPv4 tail counts as two words
  const lastColon = text.lastIndexOf(':');
  let v4: number[] | null = null;
  if (text.indexOf('.', lastColon) >= 0) {
    const p = parseIPv4(text.slice(lastColon + 1));
    if (!p) return null;
    v4 = [p[0] >>> 16, p[0] & 0xffff];
    // the dotted tail becomes one placeholder group that expands to two words
    text = text.slice(0, lastColon + 1) + 'X';
  }
  const dbl = text.indexOf('::');
  if (dbl !== text.lastIndexOf('::')) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g === 'X') {
        out.push(...v4!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  if (v4 && !text.endsWith(':X')) return null;
  if (dbl >= 0) {
    const head = parseGroups(text.slice(0, dbl));
    const tail = parseGroups(text.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return null;
    words.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    const all = parseGroups(text);
    if (!all || all.length !== 8) return null;
    words.push(...all);
  }
  const w = (i: number) => (((words[2 * i]! << 16) | words[2 * i + 1]!) >>> 0);
  return [w(0), w(1), w(2), w(3)];
}

/** Text of an IPv4 address (inet_ntop). */
export function formatIPv4(a: nf_inet_addr): string {
  const x = a[0];
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

/** Text of an IPv6 address exactly as glibc's inet_ntop prints it (longest zero run, IPv4-mapped/compatible tails). */
export function formatIPv6(a: nf_inet_addr): string {
  const words: number[] = [];
  for (let i = 0; i < 4; i++) words.push(a[i]! >>> 16, a[i]! & 0xffff);
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (cur.base === -1) cur = { base: i, len: 1 };
      else cur.len++;
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += `${words[6]! >>> 8}.${words[6]! & 255}.${words[7]! >>> 8}.${words[7]! & 255}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

/** Text of an address of a family. */
export function formatAddr(l3num: number, a: nf_inet_addr): string {
  return l3num === AF_INET ? formatIPv4(a) : formatIPv6(a);
}

/** Parses an address of either family; the family is inferred. */
export function parseAddr(s: string): { l3num: number; addr: nf_inet_addr } | null {
  const v4 = parseIPv4(s);
  if (v4) return { l3num: AF_INET, addr: v4 };
  const v6 = parseIPv6(s);
  if (v6) return { l3num: AF_INET6, addr: v6 };
  return null;
}

/** A short human description of a tuple (for traces and errors). */
export function tupleToString(t: nf_conntrack_tuple): string {
  const p = t.dst.protonum === IPPROTO_TCP ? 'tcp' : t.dst.protonum === IPPROTO_UDP ? 'udp' : `proto${t.dst.protonum}`;
  const a = (x: nf_inet_addr) => (t.src.l3num === AF_INET6 ? `[${formatIPv6(x)}]` : formatIPv4(x));
  return `${p} ${a(t.src.u3)}:${t.src.u.all} -> ${a(t.dst.u3)}:${t.dst.u.all}`;
}
