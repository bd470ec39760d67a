// Sets and binary relations over the events of one candidate execution, as
// bit matrices: the operators of herd7's cat language (union |, intersection &,
// difference \, sequence ;, inverse ^-1, closures + and *, [S] identity on a set,
// S * T cartesian product). Row i of a relation is the set of events related to
// event i, stored in `w` 32-bit words. Written for speed: no allocation in the
// inner loops, closures by Warshall on rows.

/** The number of events and the number of 32-bit words per row. */
export class Universe {
  readonly n: number;
  readonly w: number;
  constructor(n: number) {
    this.n = n;
    this.w = Math.max(1, (n + 31) >>> 5);
  }

  set(): Uint32Array {
    return new Uint32Array(this.w);
  }

  rel(): Uint32Array {
    return new Uint32Array(this.n * this.w);
  }

  setOf(pred: (i: number) => boolean): Uint32Array {
    const s = this.set();
    for (let i = 0; i < this.n; i++) if (pred(i)) s[i >>> 5]! |= 1 << (i & 31);
    return s;
  }

  relOf(pred: (i: number, j: number) => boolean): Uint32Array {
    const r = this.rel();
    const { n, w } = this;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (pred(i, j)) r[i * w + (j >>> 5)]! |= 1 << (j & 31);
    return r;
  }

  all(): Uint32Array {
    return this.setOf(() => true);
  }

  id(s?: Uint32Array): Uint32Array {
    const r = this.rel();
    const { n, w } = this;
    for (let i = 0; i < n; i++) if (!s || has(s, i)) r[i * w + (i >>> 5)]! |= 1 << (i & 31);
    return r;
  }

  /** S * T */
  cross(s: Uint32Array, t: Uint32Array): Uint32Array {
    const r = this.rel();
    const { n, w } = this;
    for (let i = 0; i < n; i++) if (has(s, i)) r.set(t, i * w);
    return r;
  }

  /** [S] ; r ; [T] */
  restrict(r: Uint32Array, s: Uint32Array | null, t: Uint32Array | null): Uint32Array {
    const { n, w } = this;
    const out = new Uint32Array(r.length);
    for (let i = 0; i < n; i++) {
      if (s && !has(s, i)) continue;
      const o = i * w;
      if (t) for (let k = 0; k < w; k++) out[o + k] = r[o + k]! & t[k]!;
      else for (let k = 0; k < w; k++) out[o + k] = r[o + k]!;
    }
    return out;
  }

  /** r1 ; r2 */
  seq(a: Uint32Array, b: Uint32Array): Uint32Array {
    const { n, w } = this;
    const out = new Uint32Array(a.length);
    for (let i = 0; i < n; i++) {
      const o = i * w;
      for (let k = 0; k < w; k++) {
        let bits = a[o + k]!;
        while (bits !== 0) {
          const t = bits & -bits;
          const j = (k << 5) + (31 - Math.clz32(t));
          bits ^= t;
          const p = j * w;
          for (let m = 0; m < w; m++) out[o + m]! |= b[p + m]!;
        }
      }
    }
    return out;
  }

  inv(a: Uint32Array): Uint32Array {
    const { n, w } = this;
    const out = new Uint32Array(a.length);
    for (let i = 0; i < n; i++) {
      const o = i * w;
      for (let k = 0; k < w; k++) {
        let bits = a[o + k]!;
        while (bits !== 0) {
          const t = bits & -bits;
          const j = (k << 5) + (31 - Math.clz32(t));
          bits ^= t;
          out[j * w + (i >>> 5)]! |= 1 << (i & 31);
        }
      }
    }
    return out;
  }

  /** r+ (transitive closure), Warshall over rows. */
  plus(a: Uint32Array): Uint32Array {
    const { n, w } = this;
    const out = a.slice();
    for (let k = 0; k < n; k++) {
      const kw = k >>> 5;
      const kb = 1 << (k & 31);
      const pk = k * w;
      for (let i = 0; i < n; i++) {
        const o = i * w;
        if ((out[o + kw]! & kb) !== 0) for (let m = 0; m < w; m++) out[o + m]! |= out[pk + m]!;
      }
    }
    return out;
  }

  /** r* (reflexive-transitive closure). */
  star(a: Uint32Array): Uint32Array {
    const out = this.plus(a);
    const { n, w } = this;
    for (let i = 0; i < n; i++) out[i * w + (i >>> 5)]! |= 1 << (i & 31);
    return out;
  }

  /** r? */
  opt(a: Uint32Array): Uint32Array {
    const out = a.slice();
    const { n, w } = this;
    for (let i = 0; i < n; i++) out[i * w + (i >>> 5)]! |= 1 << (i & 31);
    return out;
  }

  domain(a: Uint32Array): Uint32Array {
    const { n, w } = this;
    const s = this.set();
    for (let i = 0; i < n; i++) {
      const o = i * w;
      for (let k = 0; k < w; k++)
        if (a[o + k] !== 0) {
          s[i >>> 5]! |= 1 << (i & 31);
          break;
        }
    }
    return s;
  }

  range(a: Uint32Array): Uint32Array {
    const { n, w } = this;
    const s = this.set();
    for (let i = 0; i < n; i++) {
      const o = i * w;
      for (let k = 0; k < w; k++) s[k]! |= a[o + k]!;
    }
    return s;
  }

  irreflexive(a: Uint32Array): boolean {
    const { n, w } = this;
    for (let i = 0; i < n; i++) if ((a[i * w + (i >>> 5)]! & (1 << (i & 31))) !== 0) return false;
    return true;
  }

  /** No cycle: depth-first search with colours, O(n + edges). */
  acyclic(a: Uint32Array): boolean {
    return this.findCycle(a) === null;
  }

  /** A cycle of r as a list of events (first not repeated), or null when r is acyclic. */
  findCycle(a: Uint32Array): number[] | null {
    const { n, w } = this;
    const colour = new Uint8Array(n);
    const parent = new Int32Array(n).fill(-1);
    const stackNode = new Int32Array(n);
    const stackWord = new Int32Array(n);
    const stackBits = new Int32Array(n);
    for (let root = 0; root < n; root++) {
      if (colour[root] !== 0) continue;
      let sp = 0;
      stackNode[0] = root;
      stackWord[0] = 0;
      stackBits[0] = a[root * w]! | 0;
      colour[root] = 1;
      while (sp >= 0) {
        const v = stackNode[sp]!;
        let bits = stackBits[sp]!;
        let k = stackWord[sp]!;
        let next = -1;
        while (next < 0) {
          if (bits === 0) {
            k++;
            if (k >= w) break;
            bits = a[v * w + k]! | 0;
            continue;
          }
          const t = bits & -bits;
          bits ^= t;
          const j = (k << 5) + (31 - Math.clz32(t));
          if (colour[j] === 1) {
            // back edge v -> j: the cycle is j ... v
            const cyc = [v];
            let u = v;
            while (u !== j) {
              u = parent[u]!;
              cyc.push(u);
            }
            return cyc.reverse();
          }
          if (colour[j] === 0) next = j;
        }
        stackBits[sp] = bits;
        stackWord[sp] = k;
        if (next >= 0) {
          parent[next] = v;
          colour[next] = 1;
          sp++;
          stackNode[sp] = next;
          stackWord[sp] = 0;
          stackBits[sp] = a[next * w]! | 0;
        } else {
          colour[v] = 2;
          sp--;
        }
      }
    }
    return null;
  }
}

export function has(s: Uint32Array, i: number): boolean {
  return (s[i >>> 5]! & (1 << (i & 31))) !== 0;
}

export function add(s: Uint32Array, i: number): void {
  s[i >>> 5]! |= 1 << (i & 31);
}

export function relHas(r: Uint32Array, w: number, i: number, j: number): boolean {
  return (r[i * w + (j >>> 5)]! & (1 << (j & 31))) !== 0;
}

export function relAdd(r: Uint32Array, w: number, i: number, j: number): void {
  r[i * w + (j >>> 5)]! |= 1 << (j & 31);
}

export function union(a: Uint32Array, ...xs: Uint32Array[]): Uint32Array {
  const out = new Uint32Array(a.length);
  out.set(a);
  for (let x = 0; x < xs.length; x++) {
    const b = xs[x]!;
    for (let k = 0; k < out.length; k++) out[k] = out[k]! | b[k]!;
  }
  return out;
}

export function inter(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let k = 0; k < out.length; k++) out[k] = a[k]! & b[k]!;
  return out;
}

export function diff(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let k = 0; k < out.length; k++) out[k] = a[k]! & ~b[k]!;
  return out;
}

export function isEmpty(a: Uint32Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== 0) return false;
  return true;
}

export function equal(a: Uint32Array, b: Uint32Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Complement of a set within a universe. */
export function complement(u: Universe, s: Uint32Array): Uint32Array {
  const out = u.all();
  for (let k = 0; k < out.length; k++) out[k]! &= ~s[k]!;
  return out;
}

/** The elements of a set, in increasing order. */
export function members(s: Uint32Array): number[] {
  const out: number[] = [];
  for (let k = 0; k < s.length; k++) {
    let bits = s[k]!;
    while (bits !== 0) {
      const t = bits & -bits;
      out.push((k << 5) + (31 - Math.clz32(t)));
      bits ^= t;
    }
  }
  return out;
}
