// User memory as the kernel sees it: the byte layouts of struct
// landlock_ruleset_attr, struct landlock_net_port_attr (include/uapi/linux/landlock.h),
// struct sockaddr_in / sockaddr_in6 (include/uapi/linux/in.h, in6.h) and
// struct sockaddr_un (include/uapi/linux/un.h). Host-endian fields follow the
// modelled CPU (x86-64 is little-endian); sin_port / sin6_port and addresses
// are network order, as the UAPI says. Seed 003: port_endianness.
import {
  AF_INET, AF_INET6, AF_UNIX, LANDLOCK_NET_PORT_ATTR_SIZE, LANDLOCK_RULESET_ATTR_SIZE, SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE, SOCKADDR_UN_SIZE, SUN_PATH_OFFSET,
} from './uapi';

/** The byte order of the modelled CPU. */
export type Endianness = 'little' | 'big';

/** Thrown by the encoders for inputs that no C program could express. */
export class ModelInputError extends TypeError {
  override readonly name = 'ModelInputError';
}

const U64_MAX = (1n << 64n) - 1n;

function toU64(name: string, v: bigint | number): bigint {
  const b = typeof v === 'number' ? (Number.isSafeInteger(v) ? BigInt(v) : NaN) : v;
  if (typeof b !== 'bigint' || b < 0n || b > U64_MAX) {
    throw new ModelInputError(`${name} must be an integer in 0..2^64-1 (a __u64), got ${String(v)}`);
  }
  return b;
}

export function writeU64(buf: Uint8Array, off: number, v: bigint, e: Endianness): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setBigUint64(off, v, e === 'little');
}
export function readU64(buf: Uint8Array, off: number, e: Endianness): bigint {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return dv.getBigUint64(off, e === 'little');
}
export function writeU16(buf: Uint8Array, off: number, v: number, e: Endianness): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setUint16(off, v & 0xffff, e === 'little');
}
export function readU16(buf: Uint8Array, off: number, e: Endianness): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return dv.getUint16(off, e === 'little');
}
export function readU32(buf: Uint8Array, off: number, e: Endianness): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return dv.getUint32(off, e === 'little');
}
export function writeU32(buf: Uint8Array, off: number, v: number, e: Endianness): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setUint32(off, v >>> 0, e === 'little');
}

/** htons() on the modelled CPU: a byte swap on little-endian, the identity on big-endian. */
export function htons(port: number, e: Endianness = 'little'): number {
  const p = port & 0xffff;
  return e === 'little' ? ((p & 0xff) << 8) | (p >> 8) : p;
}
/** ntohs() is its own inverse. */
export const ntohs = htons;

/** struct landlock_ruleset_attr, with the field names of the UAPI. */
export interface LandlockRulesetAttr {
  handled_access_fs?: bigint | number;
  handled_access_net?: bigint | number;
  /** ABI 6+ */
  scoped?: bigint | number;
}

/** struct landlock_net_port_attr */
export interface LandlockNetPortAttr {
  allowed_access: bigint | number;
  /** Host endianness, as the UAPI says. */
  port: bigint | number;
}

/** The 24 bytes of a struct landlock_ruleset_attr in user memory. */
export function encodeRulesetAttr(attr: LandlockRulesetAttr, e: Endianness = 'little'): Uint8Array {
  const buf = new Uint8Array(LANDLOCK_RULESET_ATTR_SIZE);
  writeU64(buf, 0, toU64('handled_access_fs', attr.handled_access_fs ?? 0n), e);
  writeU64(buf, 8, toU64('handled_access_net', attr.handled_access_net ?? 0n), e);
  writeU64(buf, 16, toU64('scoped', attr.scoped ?? 0n), e);
  return buf;
}

/** The 16 bytes of a struct landlock_net_port_attr in user memory. */
export function encodeNetPortAttr(attr: LandlockNetPortAttr, e: Endianness = 'little'): Uint8Array {
  const buf = new Uint8Array(LANDLOCK_NET_PORT_ATTR_SIZE);
  writeU64(buf, 0, toU64('allowed_access', attr.allowed_access), e);
  writeU64(buf, 8, toU64('port', attr.port), e);
  return buf;
}

/** Parses a dotted IPv4 address to its 32-bit value (127.0.0.1 -> 0x7f000001). */
export function parseIPv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new ModelInputError(`not an IPv4 address: '${s}'`);
  }
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

export function formatIPv4(a: number): string {
  return [24, 16, 8, 0].map((s) => (a >>> s) & 0xff).join('.');
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) to 16 bytes. */
export function parseIPv6(s: string): Uint8Array {
  const bad = () => new ModelInputError(`not an IPv6 address: '${s}'`);
  let str = s;
  const lastColon = str.lastIndexOf(':');
  if (lastColon >= 0 && str.slice(lastColon + 1).includes('.')) {
    // a dotted IPv4 tail (::ffff:127.0.0.1) stands for its two last words
    const v4 = parseIPv4(str.slice(lastColon + 1));
    str = `${str.slice(0, lastColon + 1)}${((v4 >>> 16) & 0xffff).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = str.split('::');
  if (halves.length > 2) throw bad();
  const group = (h: string) =>
    h === ''
      ? []
      : h.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
          return parseInt(g, 16);
        });
  const head = group(halves[0] ?? '');
  const rest = halves.length === 2 ? group(halves[1] ?? '') : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) throw bad();
  const words = halves.length === 2 ? [...head, ...new Array<number>(fill).fill(0), ...rest] : head;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

export function formatIPv6(a: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((a[i] ?? 0) << 8) | (a[i + 1] ?? 0));
  // longest run of zero words becomes '::'
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

/** A sockaddr of @size bytes with its host-endian family and network-order port. */
function sockaddrHeader(size: number, family: number, port: number, e: Endianness): Uint8Array {
  checkPort(port);
  const buf = new Uint8Array(size);
  writeU16(buf, 0, family, e);
  writeU16(buf, 2, port, 'big');
  return buf;
}

/** struct sockaddr_in as user memory (16 bytes). `family` defaults to AF_INET. */
export function sockaddr_in(
  a: { port: number; addr?: string | number; family?: number },
  e: Endianness = 'little',
): Uint8Array {
  const buf = sockaddrHeader(SOCKADDR_IN_SIZE, a.family ?? AF_INET, a.port, e);
  const addr = typeof a.addr === 'number' ? a.addr >>> 0 : parseIPv4(a.addr ?? '0.0.0.0');
  writeU32(buf, 4, addr, 'big');
  return buf;
}

/** struct sockaddr_in6 as user memory (28 bytes). `family` defaults to AF_INET6. */
export function sockaddr_in6(
  a: { port: number; addr?: string | Uint8Array; flowinfo?: number; scope_id?: number; family?: number },
  e: Endianness = 'little',
): Uint8Array {
  const buf = sockaddrHeader(SOCKADDR_IN6_SIZE, a.family ?? AF_INET6, a.port, e);
  writeU32(buf, 4, a.flowinfo ?? 0, 'big');
  const addr = a.addr instanceof Uint8Array ? a.addr : parseIPv6(a.addr ?? '::');
  if (addr.length !== 16) throw new ModelInputError('sin6_addr must be 16 bytes');
  buf.set(addr, 8);
  writeU32(buf, 24, a.scope_id ?? 0, e);
  return buf;
}

/**
 * struct sockaddr_un as user memory (110 bytes) and the address length a C
 * program would pass: SUN_LEN() for a filesystem path, offsetof(sun_path) + 1 +
 * strlen(name) for an abstract name (leading NUL), as the selftests build them.
 */
export function sockaddr_un(
  a: { path: string } | { abstract: string },
  e: Endianness = 'little',
): { addr: Uint8Array; addrlen: number } {
  const buf = new Uint8Array(SOCKADDR_UN_SIZE);
  writeU16(buf, 0, AF_UNIX, e);
  const name = 'path' in a ? a.path : a.abstract;
  const bytes = new TextEncoder().encode(name);
  const off = SUN_PATH_OFFSET + ('path' in a ? 0 : 1);
  if (off + bytes.length > SOCKADDR_UN_SIZE) throw new ModelInputError('sun_path is at most 108 bytes');
  buf.set(bytes, off);
  return { addr: buf, addrlen: off + bytes.length };
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new ModelInputError(`a port is a 16-bit number (0..65535), got ${String(port)}`);
  }
}

/** Hex of a byte array (for the oracle script). */
export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
