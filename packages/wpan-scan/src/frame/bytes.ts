// Little-endian byte cursors for the IEEE 802.15.4 codec (every multi-octet
// field of 802.15.4 is sent least significant octet first, 2006 7.2).
import { fail } from './errors';

/** Reads fields in order, failing with 'truncated' (naming the field) past `end`. @internal */
export class ByteReader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, field: string): void {
    if (this.end - this.pos < n) {
      fail('truncated', `frame ends at octet ${this.end} before ${field} (${n} octet${n === 1 ? '' : 's'} at ${this.pos})`, {
        field,
        offset: this.pos,
        expected: n,
        actual: Math.max(0, this.end - this.pos),
      });
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.buf[this.pos]! | (this.buf[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  u64(field: string): bigint {
    this.need(8, field);
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(this.buf[this.pos + i]!);
    this.pos += 8;
    return v;
  }

  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  rest(): Uint8Array {
    const out = this.buf.slice(this.pos, this.end);
    this.pos = this.end;
    return out;
  }
}

/** Where encoded octets go: a buffer, or a counter that only measures. @internal */
export interface ByteSink {
  pos: number;
  u8(v: number): void;
  u16(v: number): void;
  u32(v: number): void;
  u64(v: bigint): void;
  bytes(b: Uint8Array): void;
}

/** Measures an encoding without writing it. @internal */
export class ByteCounter implements ByteSink {
  pos = 0;
  u8(): void {
    this.pos += 1;
  }
  u16(): void {
    this.pos += 2;
  }
  u32(): void {
    this.pos += 4;
  }
  u64(): void {
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.pos += b.length;
  }
}

/** Writes an encoding into a buffer of the measured size. @internal */
export class ByteWriter implements ByteSink {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  u8(v: number): void {
    this.buf[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.buf[this.pos++] = v & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
  }
  u32(v: number): void {
    for (let i = 0; i < 4; i++) this.buf[this.pos++] = (v >>> (8 * i)) & 0xff;
  }
  u64(v: bigint): void {
    for (let i = 0; i < 8; i++) this.buf[this.pos++] = Number((v >> BigInt(8 * i)) & 0xffn);
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const U64_MAX = (1n << 64n) - 1n;

/** Fails with 'invalid-field' unless `v` is an integer of `bits` bits. @internal */
export function checkUint(field: string, v: unknown, bits: number): number {
  const max = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    fail('invalid-field', `${field} must be an integer in 0..${max} (got ${String(v)})`, { field });
  }
  return v;
}

/** Fails with 'invalid-field' unless `v` is a u64 bigint. @internal */
export function checkU64(field: string, v: unknown): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
    fail('invalid-field', `${field} must be a bigint in 0..2^64-1 (got ${String(v)})`, { field });
  }
  return v;
}

/** Fails with 'invalid-field' unless `v` is a boolean. @internal */
export function checkBool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail('invalid-field', `${field} must be a boolean (got ${String(v)})`, { field });
  return v;
}

/** Fails with 'invalid-field' unless `v` is a Uint8Array of at most `max` octets. @internal */
export function checkBytes(field: string, v: unknown, max = Infinity): Uint8Array {
  if (!(v instanceof Uint8Array)) fail('invalid-field', `${field} must be a Uint8Array`, { field });
  if (v.length > max) fail('invalid-field', `${field} holds ${v.length} octets, at most ${max} fit`, { field, expected: max, actual: v.length });
  return v;
}
