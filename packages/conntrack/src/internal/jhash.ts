// jhash2() from include/linux/jhash.h (Bob Jenkins' lookup3, the u32 variant)
// and the bucket scaling the conntrack tables use ((u64)hash * size) >> 32.
// Every operation is done on u32 as in C.

export const JHASH_INITVAL = 0xdeadbeef;

const rol32 = (x: number, s: number): number => ((x << s) | (x >>> (32 - s))) >>> 0;

/** jhash2(k, length, initval): hashes `length` u32 words of `k` starting at `off`. */
export function jhash2(k: ArrayLike<number>, length: number, initval: number, off = 0): number {
  let a = (JHASH_INITVAL + ((length << 2) >>> 0) + (initval >>> 0)) >>> 0;
  let b = a;
  let c = a;
  let i = off;
  while (length > 3) {
    a = (a + k[i]!) >>> 0;
    b = (b + k[i + 1]!) >>> 0;
    c = (c + k[i + 2]!) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 3;
    i += 3;
  }
  /* Handle the last 3 u32's: the cases of the C switch fall through */
  if (length >= 3) c = (c + k[i + 2]!) >>> 0;
  if (length >= 2) b = (b + k[i + 1]!) >>> 0;
  if (length >= 1) {
    a = (a + k[i]!) >>> 0;
    // __jhash_final
    c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  }
  return c >>> 0;
}

/** reciprocal_scale(hash, size): ((u64)hash * size) >> 32 */
export function reciprocal_scale(hash: number, size: number): number {
  // exact: hash < 2^32 and size < 2^21 keep the product below 2^53
  return Math.floor(((hash >>> 0) * size) / 4294967296);
}
