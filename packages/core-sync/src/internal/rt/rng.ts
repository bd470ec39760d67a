// Seeded pseudo-random numbers (sfc32 seeded through splitmix32): every
// random choice of the explorer derives from (seed, execution index), so
// any execution can be recreated alone, by another worker or another shard.

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number, stream = 0) {
    const sm = splitmix32((seed ^ Math.imul(stream + 1, 0x85ebca6b)) | 0);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 8; i++) this.next();
  }
  /** uniform 32-bit unsigned */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** uniform integer in [0, n) */
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }
  /** uniform float in [0, 1) */
  float(): number {
    return this.next() / 4294967296;
  }
}
