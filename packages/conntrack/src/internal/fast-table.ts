// A plain, single-threaded conntrack table for speed: the layout of the
// kernel's table (nf_conntrack_core.c: one hash table holding both
// tuplehash nodes of each connection, chained per bucket, hashed with
// hash_conntrack_raw's jhash2 over the tuple), in typed arrays instead of
// generator-driven model objects. No locks, no explorer: this is what the
// model's data structure costs when only the data structure runs.

import { jhash2, reciprocal_scale } from './jhash';

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

/** A conntrack table of IPv4 connections with a fixed capacity, both directions hashed. */
export class FastConntrackTable {
  /** per connection: saddr, daddr, ports (sport << 16 | dport), protonum << 16 | zone */
  private readonly saddr: Uint32Array;
  private readonly daddr: Uint32Array;
  private readonly ports: Uint32Array;
  private readonly proto: Uint32Array;
  /** per node (2 per connection: ORIGINAL, REPLY): next node in the bucket chain */
  private readonly next: Int32Array;
  /** bucket heads */
  private readonly heads: Int32Array;
  private readonly free: Int32Array;
  private freeTop = 0;
  private count = 0;
  private readonly hkey = new Uint32Array(9);
  readonly capacity: number;
  readonly buckets: number;

  constructor(capacity: number, buckets = capacity, private readonly rnd = 0x2f0b0d63) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 28) throw new RangeError(`capacity must be an integer in 1..2^28, got ${capacity}`);
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1 << 28) throw new RangeError(`buckets must be an integer in 1..2^28, got ${buckets}`);
    this.capacity = capacity;
    this.buckets = buckets;
    this.saddr = new Uint32Array(capacity);
    this.daddr = new Uint32Array(capacity);
    this.ports = new Uint32Array(capacity);
    this.proto = new Uint32Array(capacity);
    this.next = new Int32Array(capacity * 2);
    this.heads = new Int32Array(buckets).fill(NONE);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** Connections in the table. */
  get size(): number {
    return this.count;
  }

  /** Bytes of typed-array memory per connection slot. */
  get bytesPerSlot(): number {
    return (4 * 4 + 2 * 4 + 4) + (4 * this.buckets) / this.capacity;
  }

  private bucketOf(saddr: number, daddr: number, sport: number, dport: number, protonum: number, zone: number): number {
    const k = this.hkey;
    k[0] = saddr;
    k[1] = 0;
    k[2] = 0;
    k[3] = 0;
    k[4] = ((sport << 16) | 2) >>> 0; // source port and l3num AF_INET
    k[5] = daddr;
    k[6] = 0;
    k[7] = 0;
    k[8] = 0;
    return reciprocal_scale(jhash2(k, 9, (zone ^ this.rnd ^ (((dport << 16) | protonum) >>> 0)) >>> 0), this.buckets);
  }

  /** The node (2*id + dir) whose tuple equals this one, or -1. */
  private find(saddr: number, daddr: number, sport: number, dport: number, protonum: number, zone: number): number {
    const pk = ((sport << 16) | dport) >>> 0;
    const pr = ((protonum << 16) | zone) >>> 0;
    for (let n = this.heads[this.bucketOf(saddr, daddr, sport, dport, protonum, zone)]!; n !== NONE; n = this.next[n]!) {
      const id = n >> 1;
      if (this.proto[id] !== pr) continue;
      if ((n & 1) === 0) {
        if (this.saddr[id] === saddr && this.daddr[id] === daddr && this.ports[id] === pk) return n;
      } else {
        const p = this.ports[id]!;
        if (this.saddr[id] === daddr && this.daddr[id] === saddr && ((p & 0xffff) << 16 | (p >>> 16)) >>> 0 === pk) return n;
      }
    }
    return NONE;
  }

  /** __nf_conntrack_find: the connection id and direction of a packet's tuple, or null. */
  lookup(t: FastTuple): { id: number; dir: number } | null {
    const n = this.find(t.saddr >>> 0, t.daddr >>> 0, t.sport & 0xffff, t.dport & 0xffff, t.protonum & 0xff, t.zone ?? 0);
    return n === NONE ? null : { id: n >> 1, dir: n & 1 };
  }

  /** lookup() without allocation: the node (2*id + dir), or -1. */
  lookupNode(saddr: number, daddr: number, sport: number, dport: number, protonum: number, zone = 0): number {
    return this.find(saddr >>> 0, daddr >>> 0, sport & 0xffff, dport & 0xffff, protonum & 0xff, zone);
  }

  /**
   * __nf_conntrack_confirm's insertion: fails (returns -1) when either
   * direction is already in the table or the table is full; else the id.
   */
  insert(t: FastTuple): number {
    const saddr = t.saddr >>> 0;
    const daddr = t.daddr >>> 0;
    const sport = t.sport & 0xffff;
    const dport = t.dport & 0xffff;
    const protonum = t.protonum & 0xff;
    const zone = t.zone ?? 0;
    if (this.find(saddr, daddr, sport, dport, protonum, zone) !== NONE) return NONE;
    if (this.find(daddr, saddr, dport, sport, protonum, zone) !== NONE) return NONE;
    if (this.freeTop === 0) return NONE;
    const id = this.free[--this.freeTop]!;
    this.saddr[id] = saddr;
    this.daddr[id] = daddr;
    this.ports[id] = ((sport << 16) | dport) >>> 0;
    this.proto[id] = ((protonum << 16) | zone) >>> 0;
    const bo = this.bucketOf(saddr, daddr, sport, dport, protonum, zone);
    const br = this.bucketOf(daddr, saddr, dport, sport, protonum, zone);
    this.next[2 * id] = this.heads[bo]!;
    this.heads[bo] = 2 * id;
    this.next[2 * id + 1] = this.heads[br]!;
    this.heads[br] = 2 * id + 1;
    this.count++;
    return id;
  }

  /** clean_from_lists: unlink both directions of a connection. */
  delete(id: number): boolean {
    if (!Number.isInteger(id) || id < 0 || id >= this.capacity) return false;
    const saddr = this.saddr[id]!;
    const daddr = this.daddr[id]!;
    const p = this.ports[id]!;
    const pr = this.proto[id]!;
    if (this.find(saddr, daddr, p >>> 16, p & 0xffff, pr >>> 16, pr & 0xffff) !== 2 * id) return false;
    for (const [dir, b] of [[0, this.bucketOf(saddr, daddr, p >>> 16, p & 0xffff, pr >>> 16, pr & 0xffff)], [1, this.bucketOf(daddr, saddr, p & 0xffff, p >>> 16, pr >>> 16, pr & 0xffff)]] as const) {
      const node = 2 * id + dir;
      if (this.heads[b] === node) this.heads[b] = this.next[node]!;
      else {
        let n = this.heads[b]!;
        while (n !== NONE && this.next[n] !== node) n = this.next[n]!;
        if (n !== NONE) this.next[n] = this.next[node]!;
      }
    }
    this.free[this.freeTop++] = id;
    this.count--;
    return true;
  }
}
