// A plain, single-threaded conntrack table for speed: the layout of the
// kernel's table (nf_conntrack_core.c: one hash table holding both
// tuplehash nodes of each connection, chained per bucket, hashed with
// hash_conntrack_raw's jhash2 over the tuple), in typed arrays instead of
// generator-driven model objects. No locks, no explorer: this is what the
// model's data structure costs when only the data structure runs.

import { JHASH_INITVAL } from './jhash';

/** An IPv4 tuple as numbers (addresses as u32). */
export interface FastTuple {
  readonly saddr: number;
  readonly daddr: number;
  readonly sport: number;
  readonly dport: number;
  readonly protonum: number;
  readonly zone?: number;
}

const NONE = -1;

/**
 * jhash2() (jhash.ts) over the 9 words hash_conntrack_raw hashes for an IPv4
 * tuple, [saddr, 0, 0, 0, w4, daddr, 0, 0, 0], unrolled on int32 locals: the
 * zero words drop out, the result is the same u32.
 */
export function jhashTuple4(saddr: number, w4: number, daddr: number, initval: number): number {
  let a = (JHASH_INITVAL + 36 + initval) | 0;
  let b = a;
  let c = a;
  a = (a + saddr) | 0;
  a = (a - c) ^ ((c << 4) | (c >>> 28)); c = (c + b) | 0;
  b = (b - a) ^ ((a << 6) | (a >>> 26)); a = (a + c) | 0;
  c = (c - b) ^ ((b << 8) | (b >>> 24)); b = (b + a) | 0;
  a = (a - c) ^ ((c << 16) | (c >>> 16)); c = (c + b) | 0;
  b = (b - a) ^ ((a << 19) | (a >>> 13)); a = (a + c) | 0;
  c = (c - b) ^ ((b << 4) | (b >>> 28)); b = (b + a) | 0;
  b = (b + w4) | 0;
  c = (c + daddr) | 0;
  a = (a - c) ^ ((c << 4) | (c >>> 28)); c = (c + b) | 0;
  b = (b - a) ^ ((a << 6) | (a >>> 26)); a = (a + c) | 0;
  c = (c - b) ^ ((b << 8) | (b >>> 24)); b = (b + a) | 0;
  a = (a - c) ^ ((c << 16) | (c >>> 16)); c = (c + b) | 0;
  b = (b - a) ^ ((a << 19) | (a >>> 13)); a = (a + c) | 0;
  c = (c - b) ^ ((b << 4) | (b >>> 28)); b = (b + a) | 0;
  // the last three words are zero: __jhash_final alone
  c ^= b; c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c; a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a; b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b; c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c; a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a; b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b; c = (c - ((b << 24) | (b >>> 8))) | 0;
  return c >>> 0;
}

/** u32 words per connection record: saddr, daddr, sport << 16 | dport, protonum << 16 | zone, next[ORIGINAL], next[REPLY] */
const STRIDE = 6;
const SADDR = 0;
const DADDR = 1;
const PORTS = 2;
const PROTO = 3;
const NEXT = 4;

/**
 * A conntrack table of IPv4 connections with a fixed capacity, both
 * directions hashed. A connection is one record of STRIDE words (as an
 * nf_conn holds both tuplehash nodes), so that a chain step touches one
 * cache line; node 2*id + dir is the tuplehash of direction dir.
 */
export class FastConntrackTable {
  private readonly rec: Int32Array;
  /** bucket heads: a node, or -1 */
  private readonly heads: Int32Array;
  private readonly free: Int32Array;
  private freeTop = 0;
  private count = 0;
  readonly capacity: number;
  readonly buckets: number;

  constructor(capacity: number, buckets = capacity, private readonly rnd = 0x2f0b0d63) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 28) throw new RangeError(`capacity must be an integer in 1..2^28, got ${capacity}`);
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1 << 28) throw new RangeError(`buckets must be an integer in 1..2^28, got ${buckets}`);
    this.capacity = capacity;
    this.buckets = buckets;
    this.rec = new Int32Array(capacity * STRIDE);
    this.heads = new Int32Array(buckets).fill(NONE);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Connections in the table. */
  get size(): number {
    return this.count;
  }

  /** Bytes of typed-array memory per connection slot (record, free list, bucket heads). */
  get bytesPerSlot(): number {
    return 4 * STRIDE + 4 + (4 * this.buckets) / this.capacity;
  }

  private bucketOf(saddr: number, daddr: number, sport: number, dport: number, protonum: number, zone: number): number {
    // source port and l3num AF_INET share word 4; reciprocal_scale() as a float product (exact below 2^53)
    const h = jhashTuple4(saddr, (sport << 16) | 2, daddr, zone ^ this.rnd ^ ((dport << 16) | protonum));
    return Math.floor((h * this.buckets) / 4294967296);
  }

  /** The node (2*id + dir) whose tuple equals this one, or -1 (addresses and packed words as int32). */
  private find(saddr: number, daddr: number, sport: number, dport: number, protonum: number, zone: number): number {
    const r = this.rec;
    const pk = (sport << 16) | dport;
    const rk = (dport << 16) | sport;
    const pr = (protonum << 16) | zone;
    for (let n = this.heads[this.bucketOf(saddr, daddr, sport, dport, protonum, zone)]!; n !== NONE;) {
      const o = (n >> 1) * STRIDE;
      if (r[o + PROTO] === pr) {
        if ((n & 1) === 0) {
          if (r[o + SADDR] === saddr && r[o + DADDR] === daddr && r[o + PORTS] === pk) return n;
        } else if (r[o + SADDR] === daddr && r[o + DADDR] === saddr && r[o + PORTS] === rk) return n;
      }
      n = r[o + NEXT + (n & 1)]!;
    }
    return NONE;
  }

  /** __nf_conntrack_find: the connection id and direction of a packet's tuple, or null. */
  lookup(t: FastTuple): { id: number; dir: number } | null {
    const n = this.lookupNode(t.saddr, t.daddr, t.sport, t.dport, t.protonum, t.zone ?? 0);
    return n === NONE ? null : { id: n >> 1, dir: n & 1 };
  }

  /** lookup() without allocation: the node (2*id + dir), or -1. */
  lookupNode(saddr: number, daddr: number, sport: number, dport: number, protonum: number, zone = 0): number {
    return this.find(saddr | 0, daddr | 0, sport & 0xffff, dport & 0xffff, protonum & 0xff, zone & 0xffff);
  }

  /**
   * __nf_conntrack_confirm's insertion: fails (returns -1) when either
   * direction is already in the table or the table is full; else the id.
   */
  insert(t: FastTuple): number {
    const saddr = t.saddr | 0;
    const daddr = t.daddr | 0;
    const sport = t.sport & 0xffff;
    const dport = t.dport & 0xffff;
    const protonum = t.protonum & 0xff;
    const zone = (t.zone ?? 0) & 0xffff;
    if (this.find(saddr, daddr, sport, dport, protonum, zone) !== NONE) return NONE;
    if (this.find(daddr, saddr, dport, sport, protonum, zone) !== NONE) return NONE;
    if (this.freeTop === 0) return NONE;
    const id = this.free[--this.freeTop]!;
    const r = this.rec;
    const o = id * STRIDE;
    r[o + SADDR] = saddr;
    r[o + DADDR] = daddr;
    r[o + PORTS] = (sport << 16) | dport;
    r[o + PROTO] = (protonum << 16) | zone;
    const bo = this.bucketOf(saddr, daddr, sport, dport, protonum, zone);
    const br = this.bucketOf(daddr, saddr, dport, sport, protonum, zone);
    r[o + NEXT] = this.heads[bo]!;
    this.heads[bo] = 2 * id;
    r[o + NEXT + 1] = this.heads[br]!;
    this.heads[br] = 2 * id + 1;
    this.count++;
    return id;
  }

  /** clean_from_lists: unlink both directions of a connection. */
  delete(id: number): boolean {
    if (!Number.isInteger(id) || id < 0 || id >= this.capacity) return false;
    const r = this.rec;
    const o = id * STRIDE;
    const saddr = r[o + SADDR]!;
    const daddr = r[o + DADDR]!;
    const sport = r[o + PORTS]! >>> 16;
    const dport = r[o + PORTS]! & 0xffff;
    const protonum = r[o + PROTO]! >>> 16;
    const zone = r[o + PROTO]! & 0xffff;
    if (this.find(saddr, daddr, sport, dport, protonum, zone) !== 2 * id) return false;
    const unlink = (node: number, b: number): void => {
      if (this.heads[b] === node) {
        this.heads[b] = r[o + NEXT + (node & 1)]!;
        return;
      }
      let n = this.heads[b]!;
      while (n !== NONE) {
        const at = (n >> 1) * STRIDE + NEXT + (n & 1);
        if (r[at] === node) {
          r[at] = r[o + NEXT + (node & 1)]!;
          return;
        }
        n = r[at]!;
      }
    };
    unlink(2 * id, this.bucketOf(saddr, daddr, sport, dport, protonum, zone));
    unlink(2 * id + 1, this.bucketOf(daddr, saddr, dport, sport, protonum, zone));
    this.free[this.freeTop++] = id;
    this.count--;
    return true;
  }
}
