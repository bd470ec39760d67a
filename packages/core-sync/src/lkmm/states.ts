// The set of distinct final states of a test, kept without allocating per
// execution: values are interned to small codes, each state is a row of codes
// in one growing Int32Array, found again through an open-addressing hash
// table. Large tests have hundreds of thousands of states (a 19-process chain
// has 2^19), so this is on the hot path.
import type { Val } from './program';

const SMALL_MIN = -64;
const SMALL_MAX = 1023;

/** herd7 orders integers before addresses; integers numerically, addresses by name. */
export function compareVal(a: Val, b: Val): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class StateTable {
  private readonly dims: number;
  private arena: Int32Array;
  private count = 0;
  private table: Int32Array;
  private mask: number;
  private readonly small = new Int32Array(SMALL_MAX - SMALL_MIN + 1).fill(-1);
  private readonly dict = new Map<Val, number>();
  private readonly byCode: Val[] = [];
  /** scratch row for the state being added */
  readonly row: Int32Array;

  constructor(dims: number) {
    this.dims = dims;
    this.arena = new Int32Array(Math.max(1, dims) * 64);
    this.table = new Int32Array(128);
    this.mask = 127;
    this.row = new Int32Array(dims);
  }

  get size(): number {
    return this.count;
  }

  /** The code of a value (interning it). */
  code(v: Val): number {
    if (typeof v === 'number' && v >= SMALL_MIN && v <= SMALL_MAX && Number.isInteger(v)) {
      const c = this.small[v - SMALL_MIN]!;
      if (c >= 0) return c;
      const n = this.byCode.length;
      this.byCode.push(v);
      this.small[v - SMALL_MIN] = n;
      return n;
    }
    const c = this.dict.get(v);
    if (c !== undefined) return c;
    const n = this.byCode.length;
    this.byCode.push(v);
    this.dict.set(v, n);
    return n;
  }

  /** Adds the state in `row`; returns true when it was new. */
  add(): boolean {
    const d = this.dims;
    const row = this.row;
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < d; i++) h = Math.imul(h ^ row[i]!, 0x01000193);
    let slot = h & this.mask;
    const arena = this.arena;
    for (;;) {
      const at = this.table[slot]!;
      if (at === 0) break;
      const base = (at - 1) * d;
      let same = true;
      for (let i = 0; i < d; i++)
        if (arena[base + i] !== row[i]) {
          same = false;
          break;
        }
      if (same) return false;
      slot = (slot + 1) & this.mask;
    }
    if ((this.count + 1) * d > this.arena.length) {
      const bigger = new Int32Array(this.arena.length * 2);
      bigger.set(this.arena);
      this.arena = bigger;
    }
    this.arena.set(row, this.count * d);
    this.count++;
    this.table[slot] = this.count;
    if (this.count * 2 > this.table.length) this.rehash();
    return true;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    const d = this.dims;
    for (let k = 0; k < this.count; k++) {
      let h = 0x811c9dc5 | 0;
      for (let i = 0; i < d; i++) h = Math.imul(h ^ this.arena[k * d + i]!, 0x01000193);
      let slot = h & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = k + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** Every state, decoded and sorted as herd7 sorts them. */
  sorted(): Val[][] {
    const d = this.dims;
    // rank of each code in herd7's value order
    const codes = this.byCode.map((_, i) => i).sort((a, b) => compareVal(this.byCode[a]!, this.byCode[b]!));
    const rank = new Int32Array(this.byCode.length);
    codes.forEach((c, r) => (rank[c] = r));
    const arena = this.arena;
    const n = this.count;
    const k = this.byCode.length;
    const bits = Math.max(1, Math.ceil(Math.log2(k)));
    if (bits * d <= 31) {
      const keys = new Int32Array(n);
      for (let s = 0; s < n; s++) {
        let key = 0;
        for (let i = 0; i < d; i++) key = (key << bits) | rank[arena[s * d + i]!]!;
        keys[s] = key;
      }
      keys.sort();
      const byRank: Val[] = codes.map((c) => this.byCode[c]!);
      const m = (1 << bits) - 1;
      const out: Val[][] = new Array(n);
      for (let s = 0; s < n; s++) {
        let key = keys[s]!;
        const row: Val[] = new Array(d);
        for (let i = d - 1; i >= 0; i--) {
          row[i] = byRank[key & m]!;
          key >>>= bits;
        }
        out[s] = row;
      }
      return out;
    }
    if (bits * d <= 52) {
      // Small enough to pack each state into one number: sort the numbers.
      const keys = new Float64Array(n);
      const base = 2 ** bits;
      for (let s = 0; s < n; s++) {
        let key = 0;
        for (let i = 0; i < d; i++) key = key * base + rank[arena[s * d + i]!]!;
        keys[s] = key;
      }
      keys.sort();
      const byRank: Val[] = codes.map((c) => this.byCode[c]!);
      return Array.from(keys, (key) => {
        const out: Val[] = new Array(d);
        for (let i = d - 1; i >= 0; i--) {
          const r = key % base;
          out[i] = byRank[r]!;
          key = (key - r) / base;
        }
        return out;
      });
    }
    // LSD radix sort on the ranks, one counting sort per column (stable).
    let order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let tmp = new Int32Array(n);
    const counts = new Int32Array(k + 1);
    for (let col = d - 1; col >= 0; col--) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[rank[arena[order[i]! * d + col]!]! + 1]!++;
      for (let r = 0; r < k; r++) counts[r + 1]! += counts[r]!;
      for (let i = 0; i < n; i++) {
        const s = order[i]!;
        tmp[counts[rank[arena[s * d + col]!]!]!++] = s;
      }
      const t = order;
      order = tmp;
      tmp = t;
    }
    return Array.from(order, (k) => {
      const out: Val[] = new Array(d);
      for (let i = 0; i < d; i++) out[i] = this.byCode[arena[k * d + i]!]!;
      return out;
    });
  }
}
