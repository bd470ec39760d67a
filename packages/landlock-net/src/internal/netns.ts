// One network namespace with only the loopback device up, as the selftests
// set it up (unshare(CLONE_NEWNET) + "ip link set dev lo up"):
// - the TCP and UDP bind tables (net/ipv4/inet_hashtables.c bind buckets,
//   inet_csk_bind_conflict() / ipv6_rcv_saddr_equal() without SO_REUSEADDR),
// - ephemeral ports (inet_csk_find_open_port(): bind(0) and listen() try the
//   parity opposite to ip_local_port_range's low end first; __inet_hash_connect():
//   connect() tries the same parity first),
// - TIME_WAIT buckets that keep a port for TCP_TIMEWAIT_LEN,
// - the AF_UNIX namespaces (abstract names hashed with the socket type,
//   filesystem names that outlive their socket).
// Seed 003: port_specific.bind_connect_zero needs the ephemeral range.
import type { InetAddr, sock } from './socket-types';
import { TCP_LISTEN } from './socket-types';
import { AF_INET, TCP_TIMEWAIT_LEN_NS } from './uapi';

/** One owner of a port in a bind bucket: a socket, or a TIME_WAIT remnant. */
export interface BindOwner {
  readonly sk: sock | null;
  readonly family: number;
  readonly addr: InetAddr | null;
  readonly ipv6only: boolean;
  /** TIME_WAIT: when the bucket entry expires (ns). */
  readonly twExpires?: number;
}

export const INADDR_LOOPBACK = 0x7f000001;

export function isV4Mapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}
export function v4FromMapped(a: Uint8Array): number {
  return (((a[12] ?? 0) << 24) | ((a[13] ?? 0) << 16) | ((a[14] ?? 0) << 8) | (a[15] ?? 0)) >>> 0;
}
export function isV6Any(a: Uint8Array): boolean {
  return a.every((b) => b === 0);
}
export function isV6Loopback(a: Uint8Array): boolean {
  for (let i = 0; i < 15; i++) if (a[i] !== 0) return false;
  return a[15] === 1;
}
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The address an owner occupies, normalised: 'any4', 'any46' (dual-stack ::), 'any6' (v6only ::) or a specific one. */
type Occupied = { kind: 'any4' } | { kind: 'any46' } | { kind: 'any6' } | { kind: 'v4'; a: number } | { kind: 'v6'; a: Uint8Array };

function occupied(o: { family: number; addr: InetAddr | null; ipv6only: boolean }): Occupied {
  if (o.family === AF_INET) {
    if (!o.addr || !('v4' in o.addr) || o.addr.v4 === 0) return { kind: 'any4' };
    return { kind: 'v4', a: o.addr.v4 };
  }
  if (!o.addr) return o.ipv6only ? { kind: 'any6' } : { kind: 'any46' };
  if ('v4' in o.addr) return o.addr.v4 === 0 ? { kind: 'any4' } : { kind: 'v4', a: o.addr.v4 };
  if (isV6Any(o.addr.v6)) return o.ipv6only ? { kind: 'any6' } : { kind: 'any46' };
  if (isV4Mapped(o.addr.v6)) {
    const v4 = v4FromMapped(o.addr.v6);
    return v4 === 0 ? { kind: 'any4' } : { kind: 'v4', a: v4 };
  }
  return { kind: 'v6', a: o.addr.v6 };
}

const hasV4 = (x: Occupied) => x.kind === 'any4' || x.kind === 'any46' || x.kind === 'v4';
const hasV6 = (x: Occupied) => x.kind === 'any6' || x.kind === 'any46' || x.kind === 'v6';

/** inet_rcv_saddr_equal() with wildcards: do two bindings of one port overlap? */
export function saddrOverlap(x: Occupied, y: Occupied): boolean {
  if (hasV4(x) && hasV4(y)) {
    if (x.kind !== 'v4' || y.kind !== 'v4') return true;
    return x.a === y.a;
  }
  if (hasV6(x) && hasV6(y)) {
    if (x.kind !== 'v6' || y.kind !== 'v6') return true;
    return sameBytes(x.a, y.a);
  }
  return false;
}

/** A deterministic stand-in for get_random_u32() (xorshift32). */
class Prng {
  constructor(private s: number) {
    if (this.s === 0) this.s = 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
}

export type L4 = 'tcp' | 'udp';

/** struct net, reduced to what bind/listen/connect need. */
export class NetNamespace {
  /** tcp_hashinfo.bhash / udp_table: port -> owners. */
  readonly bind = { tcp: new Map<number, BindOwner[]>(), udp: new Map<number, BindOwner[]>() };
  /** Abstract AF_UNIX names: key is type + name bytes. */
  readonly unixAbstract = new Map<string, sock>();
  /** Filesystem AF_UNIX names: path -> the socket bound there (null once it is closed). */
  readonly unixPaths = new Map<string, sock | null>();
  private readonly rng: Prng;
  private unixAutobind = 0;

  constructor(
    readonly portRange: readonly [number, number],
    seed: number,
    private readonly now: () => number,
  ) {
    this.rng = new Prng(seed >>> 0);
  }

  owners(l4: L4, port: number): BindOwner[] {
    const list = this.bind[l4].get(port) ?? [];
    // TIME_WAIT buckets that have expired are gone (inet_twsk_kill()).
    const live = list.filter((o) => o.twExpires === undefined || o.twExpires > this.now());
    if (live.length !== list.length) {
      if (live.length) this.bind[l4].set(port, live);
      else this.bind[l4].delete(port);
    }
    return live;
  }

  /** inet_csk_bind_conflict(): would @candidate clash with an owner of @port? */
  conflicts(l4: L4, port: number, candidate: { family: number; addr: InetAddr | null; ipv6only: boolean; sk?: sock }): boolean {
    const want = occupied(candidate);
    return this.owners(l4, port).some((o) => o.sk !== candidate.sk && saddrOverlap(want, occupied(o)));
  }

  add(l4: L4, port: number, owner: BindOwner): void {
    const list = this.owners(l4, port);
    list.push(owner);
    this.bind[l4].set(port, list);
  }

  remove(l4: L4, sk: sock): void {
    for (const [port, list] of this.bind[l4]) {
      const rest = list.filter((o) => o.sk !== sk);
      if (rest.length === list.length) continue;
      if (rest.length) this.bind[l4].set(port, rest);
      else this.bind[l4].delete(port);
    }
  }

  /** Keeps @port in TIME_WAIT for TCP_TIMEWAIT_LEN (inet_twsk_hashdance()). */
  addTimeWait(port: number, owner: { family: number; addr: InetAddr | null; ipv6only: boolean }): void {
    this.add('tcp', port, { sk: null, ...owner, twExpires: this.now() + TCP_TIMEWAIT_LEN_NS });
  }

  /**
   * An ephemeral port for @candidate, or 0 when the range is exhausted.
   * @parity 'odd-first' for bind(0)/listen() (inet_csk_find_open_port), 'even-first'
   * for connect() (__inet_hash_connect), 'any' for UDP (udp_lib_get_port).
   */
  ephemeral(l4: L4, candidate: { family: number; addr: InetAddr | null; ipv6only: boolean; sk?: sock }, parity: 'odd-first' | 'even-first' | 'any'): number {
    const [low, high] = this.portRange;
    const remaining = high - low + 1;
    const offset = this.rng.next() % remaining;
    const passes: ((p: number) => boolean)[] =
      parity === 'any'
        ? [() => true]
        : [(p) => ((p - low) % 2 === 1) === (parity === 'odd-first'), (p) => ((p - low) % 2 === 1) !== (parity === 'odd-first')];
    for (const accept of passes) {
      for (let i = 0; i < remaining; i++) {
        const port = low + ((offset + i) % remaining);
        if (!accept(port)) continue;
        if (!this.conflicts(l4, port, candidate)) return port;
      }
    }
    return 0;
  }

  /** __inet_lookup_listener(): the TCP listener for a SYN to (@daddr, @dport); exact addresses win. */
  lookupListener(daddr: InetAddr, dport: number): sock | null {
    const dest = occupied({ family: 'v4' in daddr ? AF_INET : 10, addr: daddr, ipv6only: false });
    let wildcard: sock | null = null;
    for (const o of this.owners('tcp', dport)) {
      const sk = o.sk;
      if (!sk || sk.sk_state !== TCP_LISTEN) continue;
      const occ = occupied(o);
      if (!saddrOverlap(dest, occ)) continue;
      if (occ.kind === 'v4' || occ.kind === 'v6') return sk;
      wildcard ??= sk;
    }
    return wildcard;
  }

  /** unix_autobind(): the next free abstract name "\0XXXXX" (5 hex digits). */
  unixAutobindName(type: number): Uint8Array {
    for (;;) {
      const n = this.unixAutobind++ & 0xfffff;
      const name = new Uint8Array(6);
      name.set(new TextEncoder().encode(n.toString(16).padStart(5, '0')), 1);
      if (!this.unixAbstract.has(unixKey(type, name))) return name;
    }
  }
}

/** The abstract table's key: the name bytes and the type (unix_abstract_hash() mixes the type in). */
export function unixKey(type: number, name: Uint8Array): string {
  return `${type}:${Array.from(name, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
