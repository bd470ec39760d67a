// The IPv4/IPv6 socket paths bind, listen, connect and accept take, in the
// kernel's order of checks (v6.18):
//   net/ipv4/af_inet.c:  inet_create, inet_bind_sk, __inet_bind, inet_listen,
//                        __inet_listen_sk, __inet_stream_connect, inet_dgram_connect,
//                        inet_accept, inet_release
//   net/ipv6/af_inet6.c: inet6_bind_sk, __inet6_bind
//   net/ipv4/tcp_ipv4.c: tcp_v4_connect;  net/ipv6/tcp_ipv6.c: tcp_v6_connect
//   net/ipv4/datagram.c: __ip4_datagram_connect; net/ipv6/datagram.c: __ip6_datagram_connect
//   net/ipv4/inet_connection_sock.c: inet_csk_get_port, inet_csk_listen_start
//   net/ipv4/tcp.c: tcp_disconnect; net/ipv4/udp.c: udp_disconnect
// The network is one namespace with only `lo` up (127.0.0.0/8 and ::1 local;
// no other route), as in the selftests. Seed 003: the protocol.* and
// port_specific.* selftests.
import {
  EACCES, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN, EALREADY, ECONNREFUSED, ECONNRESET, EINPROGRESS, EINVAL, EISCONN,
  ENETUNREACH, ENODEV, EPROTONOSUPPORT, ESOCKTNOSUPPORT, ETIMEDOUT,
} from '@k/core-sync';
import { ModelInputError, readU16, readU32, writeU16, writeU32, type Endianness } from './bytes';
import { INADDR_LOOPBACK, isV4Mapped, isV6Any, isV6Loopback, v4FromMapped, type L4 } from './netns';
import {
  SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK, SS_CONNECTED, SS_CONNECTING, SS_DISCONNECTING, SS_UNCONNECTED,
  TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_LISTEN, socket, sock, type InetAddr, type ProtoOps,
} from './socket-types';
import type { TaskState } from './task';
import {
  AF_INET, AF_INET6, AF_UNSPEC, CAP_NET_BIND_SERVICE, IPPROTO_IP, IPPROTO_TCP, IPPROTO_UDP, SIN6_LEN_RFC2133,
  SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM,
} from './uapi';

const LOOPBACK6 = (() => {
  const a = new Uint8Array(16);
  a[15] = 1;
  return a;
})();

/** The only network device: lo, ifindex 1. */
const LOOPBACK_IFINDEX = 1;

function l4(sk: sock): L4 {
  return sk.sk_type === SOCK_STREAM ? 'tcp' : 'udp';
}

/** inet_create() / inet6_create(): the inetsw[] lookup. */
export function inet_create(family: number, type: number, protocol: number): socket | number {
  let ops: ProtoOps;
  let proto: number;
  if (type === SOCK_STREAM) {
    if (protocol !== IPPROTO_IP && protocol !== IPPROTO_TCP) {
      if (protocol === 262 || protocol === 132) throw new ModelInputError('MPTCP and SCTP sockets are not modelled');
      return -EPROTONOSUPPORT;
    }
    ops = family === AF_INET ? 'inet_stream_ops' : 'inet6_stream_ops';
    proto = IPPROTO_TCP;
  } else if (type === SOCK_DGRAM) {
    if (protocol !== IPPROTO_IP && protocol !== IPPROTO_UDP) {
      if (protocol === 136 || protocol === 1 || protocol === 58) throw new ModelInputError('UDP-Lite and ICMP sockets are not modelled');
      return -EPROTONOSUPPORT;
    }
    ops = family === AF_INET ? 'inet_dgram_ops' : 'inet6_dgram_ops';
    proto = IPPROTO_UDP;
  } else if (type === SOCK_RAW) {
    throw new ModelInputError('raw IP sockets are not modelled');
  } else {
    // No inetsw[] entry for this type (SCTP's SOCK_SEQPACKET is not loaded).
    return -ESOCKTNOSUPPORT;
  }
  return new socket(type, ops, new sock(family, type, proto));
}

/** RTN_* of inet_addr_type_table() for the loopback-only namespace. */
type RtnType = 'local' | 'broadcast' | 'multicast' | 'unicast';
function inet_addr_type(addr: number): RtnType {
  // ipv4_is_zeronet() || ipv4_is_lbcast() -> RTN_BROADCAST
  if (addr >>> 24 === 0 || addr === 0xffffffff) return 'broadcast';
  if (addr >>> 28 === 0xe) return 'multicast';
  if (addr >>> 24 === 127) return 'local';
  return 'unicast';
}

/** inet_addr_valid_or_nonlocal() without IP_FREEBIND / ip_nonlocal_bind. */
function inet_addr_valid_or_nonlocal(addr: number, chk: RtnType): boolean {
  return addr === 0 || chk === 'local' || chk === 'multicast' || chk === 'broadcast';
}

function port_requires_bind_service(task: TaskState, snum: number): boolean {
  return snum !== 0 && snum < task.kernel.options.ipUnprivilegedPortStart && !task.capable(CAP_NET_BIND_SERVICE);
}

/**
 * sk->sk_prot->get_port(): inet_csk_get_port() for TCP, udp_v4_get_port()
 * for UDP. 0 or -EADDRINUSE. An already hashed socket revalidates its port.
 */
function get_port(task: TaskState, sk: sock, snum: number): number {
  const ns = task.kernel.netns;
  const proto = l4(sk);
  const candidate = { family: sk.sk_family, addr: sk.rcv_saddr, ipv6only: sk.sk_ipv6only, sk };
  let port = snum;
  if (!port) {
    port = ns.ephemeral(proto, candidate, proto === 'tcp' ? 'odd-first' : 'any');
    if (!port) return -EADDRINUSE;
  } else if (ns.conflicts(proto, port, candidate)) {
    return -EADDRINUSE;
  }
  if (sk.inet_num !== port) {
    ns.add(proto, port, { sk, family: sk.sk_family, addr: sk.rcv_saddr, ipv6only: sk.sk_ipv6only });
    sk.inet_num = port;
  }
  return 0;
}

/** inet_put_port() / udp_lib_unhash() */
function put_port(task: TaskState, sk: sock): void {
  task.kernel.netns.remove(l4(sk), sk);
  sk.inet_num = 0;
}

/** inet_bind_sk() + __inet_bind() */
export function inet_bind(task: TaskState, sock: socket, uaddr: Uint8Array, addr_len: number): number {
  const sk = sock.sk;
  const e = task.kernel.options.endianness;
  if (addr_len < SOCKADDR_IN_SIZE) return -EINVAL;
  const sin_family = readU16(uaddr, 0, e);
  const s_addr = readU32(uaddr, 4, 'big');
  if (sin_family !== AF_INET) {
    // Compatibility games: accept AF_UNSPEC (mapped to AF_INET) only if s_addr is INADDR_ANY.
    if (sin_family !== AF_UNSPEC || s_addr !== 0) return -EAFNOSUPPORT;
  }
  const chk_addr_ret = inet_addr_type(s_addr);
  if (!inet_addr_valid_or_nonlocal(s_addr, chk_addr_ret)) return -EADDRNOTAVAIL;
  const snum = readU16(uaddr, 2, 'big');
  if (port_requires_bind_service(task, snum)) return -EACCES;
  // lock_sock(): check these errors (active socket, double bind).
  if (sk.sk_state !== TCP_CLOSE || sk.inet_num) return -EINVAL;
  sk.rcv_saddr = s_addr ? { v4: s_addr } : null;
  const err = get_port(task, sk, snum);
  if (err) {
    sk.rcv_saddr = null;
    return err;
  }
  if (s_addr) sk.sk_userlocks |= SOCK_BINDADDR_LOCK;
  if (snum) sk.sk_userlocks |= SOCK_BINDPORT_LOCK;
  sk.daddr = null;
  sk.inet_dport = 0;
  return 0;
}

/** inet6_bind_sk() + __inet6_bind() */
export function inet6_bind(task: TaskState, sock: socket, uaddr: Uint8Array, addr_len: number): number {
  const sk = sock.sk;
  const e = task.kernel.options.endianness;
  if (addr_len < SIN6_LEN_RFC2133) return -EINVAL;
  if (readU16(uaddr, 0, e) !== AF_INET6) return -EAFNOSUPPORT;
  const addr = uaddr.slice(8, 24);
  const multicast = addr[0] === 0xff;
  if (multicast && sk.sk_type === SOCK_STREAM) return -EINVAL;
  const snum = readU16(uaddr, 2, 'big');
  if (port_requires_bind_service(task, snum)) return -EACCES;
  // lock_sock(): check these errors (active socket, double bind).
  if (sk.sk_state !== TCP_CLOSE || sk.inet_num) return -EINVAL;
  const any = isV6Any(addr);
  if (isV4Mapped(addr)) {
    // Binding to v4-mapped address on a v6-only socket makes no sense.
    if (sk.sk_ipv6only) return -EINVAL;
    const v4 = v4FromMapped(addr);
    if (!inet_addr_valid_or_nonlocal(v4, inet_addr_type(v4))) return -EADDRNOTAVAIL;
  } else if (!any) {
    const linklocal = addr[0] === 0xfe && ((addr[1] ?? 0) & 0xc0) === 0x80;
    const mcScope = multicast ? (addr[1] ?? 0) & 0x0f : 0;
    if (linklocal || (multicast && mcScope <= 2)) {
      // __ipv6_addr_needs_scope_id(): binding to link-local address requires an interface.
      const scope_id = addr_len >= SOCKADDR_IN6_SIZE ? readU32(uaddr, 24, e) : 0;
      if (scope_id) sk.sk_bound_dev_if = scope_id;
      if (!sk.sk_bound_dev_if) return -EINVAL;
    }
    if (sk.sk_bound_dev_if && sk.sk_bound_dev_if !== LOOPBACK_IFINDEX) return -ENODEV;
    if (!multicast && !isV6Loopback(addr)) return -EADDRNOTAVAIL;
  }
  sk.rcv_saddr = any ? null : { v6: addr };
  const err = get_port(task, sk, snum);
  if (err) {
    sk.rcv_saddr = null;
    return err;
  }
  if (!any) sk.sk_userlocks |= SOCK_BINDADDR_LOCK;
  if (snum) sk.sk_userlocks |= SOCK_BINDPORT_LOCK;
  sk.daddr = null;
  sk.inet_dport = 0;
  return 0;
}

/** inet_listen() + __inet_listen_sk() + inet_csk_listen_start() */
export function inet_listen(task: TaskState, sock: socket, backlog: number): number {
  const sk = sock.sk;
  if (sock.state !== SS_UNCONNECTED || sock.type !== SOCK_STREAM) return -EINVAL;
  const old_state = sk.sk_state;
  if (old_state !== TCP_CLOSE && old_state !== TCP_LISTEN) return -EINVAL;
  sk.sk_max_ack_backlog = backlog;
  // Really, if the socket is already in listen state we can only allow the backlog to be adjusted.
  if (old_state === TCP_LISTEN) return 0;
  sk.sk_state = TCP_LISTEN;
  // A socket that was never bound gets an ephemeral port here.
  const err = get_port(task, sk, sk.inet_num);
  if (err) {
    sk.sk_state = TCP_CLOSE;
    return err;
  }
  return 0;
}

/** The destination of a connect, after "connect to nothing means connect to self". */
type Route = { ok: true; daddr: InetAddr } | { ok: false; err: number };

function route_v4(daddr: number): Route {
  // ip_route_connect(): INADDR_ANY is this host.
  const d = daddr === 0 ? INADDR_LOOPBACK : daddr;
  if (d >>> 24 === 127) return { ok: true, daddr: { v4: d } };
  return { ok: false, err: -ENETUNREACH };
}

/** The peer address family/port seen by a listener lookup; v4-mapped destinations are IPv4. */
function tcp_v4_connect(task: TaskState, sk: sock, uaddr: Uint8Array, addr_len: number): Route | number {
  const e = task.kernel.options.endianness;
  if (addr_len < SOCKADDR_IN_SIZE) return -EINVAL;
  if (readU16(uaddr, 0, e) !== AF_INET) return -EAFNOSUPPORT;
  const daddr = readU32(uaddr, 4, 'big');
  const type = inet_addr_type(daddr);
  if (type === 'multicast' || (type === 'broadcast' && daddr !== 0)) return -ENETUNREACH;
  return route_v4(daddr);
}

function tcp_v6_connect(task: TaskState, sk: sock, uaddr: Uint8Array, addr_len: number): Route | number {
  const e = task.kernel.options.endianness;
  if (addr_len < SIN6_LEN_RFC2133) return -EINVAL;
  if (readU16(uaddr, 0, e) !== AF_INET6) return -EAFNOSUPPORT;
  let addr = uaddr.slice(8, 24);
  // connect() to INADDR_ANY means loopback (BSD'ism).
  if (isV6Any(addr)) addr = LOOPBACK6;
  if (addr[0] === 0xff) return -ENETUNREACH;
  if (addr[0] === 0xfe && ((addr[1] ?? 0) & 0xc0) === 0x80) {
    const scope_id = addr_len >= SOCKADDR_IN6_SIZE ? readU32(uaddr, 24, e) : 0;
    if (!scope_id && !sk.sk_bound_dev_if) return -EINVAL;
    return -ENETUNREACH;
  }
  if (isV4Mapped(addr)) {
    if (sk.sk_ipv6only) return -ENETUNREACH;
    const v4 = v4FromMapped(addr);
    const type = inet_addr_type(v4);
    if (type === 'multicast' || (type === 'broadcast' && v4 !== 0)) return -ENETUNREACH;
    return route_v4(v4);
  }
  if (isV6Loopback(addr)) return { ok: true, daddr: { v6: addr } };
  return -ENETUNREACH;
}

/** The source address a connect picks when the socket is not bound to one. */
function loopbackFor(sk: sock, daddr: InetAddr): InetAddr {
  if ('v4' in daddr) {
    if (sk.sk_family === AF_INET) return { v4: INADDR_LOOPBACK };
    const m = new Uint8Array(16);
    m[10] = 0xff;
    m[11] = 0xff;
    m[12] = 127;
    m[15] = 1;
    return { v6: m };
  }
  return { v6: LOOPBACK6 };
}

function sameInet(a: InetAddr | null, b: InetAddr | null): boolean {
  if (!a || !b) return false;
  const norm = (x: InetAddr) => ('v4' in x ? x.v4 : isV4Mapped(x.v6) ? v4FromMapped(x.v6) : Array.from(x.v6).join(','));
  return norm(a) === norm(b);
}

/**
 * The end of tcp_v4_connect() / tcp_v6_connect() and the handshake on lo:
 * inet_hash_connect() picks a source port, the SYN finds a listener (or the
 * socket itself: a simultaneous open), and the answer is an established
 * connection, a RST (-ECONNREFUSED) or, with a full accept queue, SYN retries
 * that end in -ETIMEDOUT.
 */
function tcp_connect(task: TaskState, sk: sock, daddr: InetAddr, dport: number): number {
  const ns = task.kernel.netns;
  if (!sk.rcv_saddr) sk.rcv_saddr = loopbackFor(sk, daddr);
  if (!sk.inet_num) {
    const port = ns.ephemeral('tcp', { family: sk.sk_family, addr: sk.rcv_saddr, ipv6only: sk.sk_ipv6only, sk }, 'even-first');
    if (!port) return -EADDRNOTAVAIL;
    ns.add('tcp', port, { sk, family: sk.sk_family, addr: sk.rcv_saddr, ipv6only: sk.sk_ipv6only });
    sk.inet_num = port;
  }
  sk.daddr = daddr;
  sk.inet_dport = dport;
  const listener = ns.lookupListener(daddr, dport);
  if (!listener && dport === sk.inet_num && sameInet(sk.rcv_saddr, daddr)) {
    sk.sk_state = TCP_ESTABLISHED; // TCP simultaneous open with itself
    sk.peer = sk;
    return 0;
  }
  if (!listener) {
    sk.sk_err = ECONNREFUSED;
    tcp_done(task, sk);
    return 0;
  }
  // sk_acceptq_is_full(): ack_backlog > max_ack_backlog drops the SYN.
  if (listener.sk_ack_backlog > listener.sk_max_ack_backlog) {
    sk.sk_err = ETIMEDOUT;
    tcp_done(task, sk);
    return 0;
  }
  const child = new sock(listener.sk_family, SOCK_STREAM, IPPROTO_TCP);
  child.sk_state = TCP_ESTABLISHED;
  child.inet_num = listener.inet_num;
  child.rcv_saddr = listener.sk_family === AF_INET6 && 'v4' in daddr ? loopbackFor(child, daddr) : daddr;
  child.daddr = sk.rcv_saddr;
  child.inet_dport = sk.inet_num;
  child.peer = sk;
  child.owner_cred = listener.owner_cred;
  // __inet_inherit_port(): the child shares the listener's bind bucket.
  ns.add('tcp', child.inet_num, { sk: child, family: child.sk_family, addr: child.rcv_saddr, ipv6only: child.sk_ipv6only });
  listener.accept_queue.push(child);
  sk.peer = child;
  sk.sk_state = TCP_ESTABLISHED;
  return 0;
}

/** tcp_done(): the connection is gone; an autobound port is released. */
function tcp_done(task: TaskState, sk: sock): void {
  sk.sk_state = TCP_CLOSE;
  sk.peer = null;
  if (!(sk.sk_userlocks & SOCK_BINDPORT_LOCK)) put_port(task, sk);
  if (!(sk.sk_userlocks & SOCK_BINDADDR_LOCK)) sk.rcv_saddr = null;
}

/** tcp_disconnect() */
function tcp_disconnect(task: TaskState, sk: sock): number {
  if (sk.sk_state === TCP_LISTEN) inet_csk_listen_stop(task, sk);
  else if (sk.peer && sk.peer !== sk) abortPeer(task, sk.peer);
  sk.daddr = null;
  sk.inet_dport = 0;
  sk.sk_max_ack_backlog = 0;
  tcp_done(task, sk);
  return 0;
}

/** tcp_reset(): the peer of a reset connection sees ECONNRESET and is done. */
function abortPeer(task: TaskState, peer: sock): void {
  peer.peer = null;
  if (peer.sk_state === TCP_ESTABLISHED || peer.sk_state === TCP_CLOSE_WAIT) {
    peer.sk_err = ECONNRESET;
    tcp_done(task, peer);
  }
}

/** inet_csk_listen_stop(): queued connections that were never accepted are reset. */
function inet_csk_listen_stop(task: TaskState, sk: sock): void {
  for (const child of sk.accept_queue.splice(0)) {
    if (child.peer) abortPeer(task, child.peer);
    task.kernel.netns.remove('tcp', child);
  }
}

/** sock_error(): reads and clears sk_err. */
function sock_error(sk: sock): number {
  const err = sk.sk_err;
  sk.sk_err = 0;
  return err ? -err : 0;
}

/** inet_stream_connect() / __inet_stream_connect() */
export function inet_stream_connect(task: TaskState, sock: socket, uaddr: Uint8Array, addr_len: number, nonblock: boolean): number {
  const sk = sock.sk;
  const e = task.kernel.options.endianness;
  if (addr_len < 2) return -EINVAL;
  if (readU16(uaddr, 0, e) === AF_UNSPEC) {
    const err = tcp_disconnect(task, sk);
    sock.state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
    return err;
  }
  let err: number;
  switch (sock.state) {
    default:
      return -EINVAL;
    case SS_CONNECTED:
      return -EISCONN;
    case SS_CONNECTING:
      err = -EALREADY;
      break;
    case SS_UNCONNECTED: {
      if (sk.sk_state !== TCP_CLOSE) return -EISCONN;
      const route = sk.sk_family === AF_INET ? tcp_v4_connect(task, sk, uaddr, addr_len) : tcp_v6_connect(task, sk, uaddr, addr_len);
      if (typeof route === 'number') return route;
      if (!route.ok) return route.err;
      const rc = tcp_connect(task, sk, route.daddr, readU16(uaddr, 2, 'big'));
      if (rc < 0) return rc;
      sock.state = SS_CONNECTING;
      // Just entered SS_CONNECTING: a non-blocking caller learns the rest later.
      err = -EINPROGRESS;
      break;
    }
  }
  if (nonblock && err === -EINPROGRESS) return err;
  // The handshake on lo is over by now: established, or closed by RST/timeout.
  if (sk.sk_state === TCP_CLOSE) {
    const e2 = sock_error(sk) || -ECONNREFUSED;
    sock.state = SS_UNCONNECTED;
    tcp_done(task, sk);
    return e2;
  }
  sock.state = SS_CONNECTED;
  return 0;
}

/** inet_dgram_connect() with __ip4_datagram_connect() / __ip6_datagram_connect() */
export function inet_dgram_connect(task: TaskState, sock: socket, uaddr: Uint8Array, addr_len: number): number {
  const sk = sock.sk;
  const e = task.kernel.options.endianness;
  if (addr_len < 2) return -EINVAL;
  const family = readU16(uaddr, 0, e);
  if (family === AF_UNSPEC) return udp_disconnect(task, sk);
  // inet_autobind()
  if (!sk.inet_num && get_port(task, sk, 0)) return -EAGAIN;
  let daddr: InetAddr;
  if (sk.sk_family === AF_INET6 && family !== AF_INET) {
    if (addr_len < SIN6_LEN_RFC2133) return -EINVAL;
    if (family !== AF_INET6) return -EAFNOSUPPORT;
    let addr = uaddr.slice(8, 24);
    if (isV6Any(addr)) addr = LOOPBACK6;
    if (isV4Mapped(addr)) {
      if (sk.sk_ipv6only) return -ENETUNREACH;
      const r = route_v4(v4FromMapped(addr));
      if (!r.ok) return r.err;
      daddr = r.daddr;
    } else if (isV6Loopback(addr)) {
      daddr = { v6: addr };
    } else {
      return -ENETUNREACH;
    }
  } else {
    // IPv4, or an AF_INET address on an IPv6 socket (__ip6_datagram_connect()).
    if (sk.sk_family === AF_INET6 && sk.sk_ipv6only) return -EAFNOSUPPORT;
    if (addr_len < SOCKADDR_IN_SIZE) return -EINVAL;
    if (family !== AF_INET) return -EAFNOSUPPORT;
    const r = route_v4(readU32(uaddr, 4, 'big'));
    if (!r.ok) return r.err;
    daddr = r.daddr;
  }
  sk.daddr = daddr;
  sk.inet_dport = readU16(uaddr, 2, 'big');
  sk.sk_state = TCP_ESTABLISHED;
  return 0;
}

/** udp_disconnect() */
function udp_disconnect(task: TaskState, sk: sock): number {
  sk.sk_state = TCP_CLOSE;
  sk.daddr = null;
  sk.inet_dport = 0;
  if (!(sk.sk_userlocks & SOCK_BINDADDR_LOCK)) sk.rcv_saddr = null;
  if (!(sk.sk_userlocks & SOCK_BINDPORT_LOCK)) put_port(task, sk);
  return 0;
}

/** inet_accept(): an empty queue is -EAGAIN for a non-blocking caller; the model never sleeps. */
export function inet_accept(sock: socket, nonblock: boolean): socket | number {
  const sk = sock.sk;
  if (sk.sk_state !== TCP_LISTEN) return -EINVAL;
  const child = sk.accept_queue.shift();
  if (!child) {
    if (!nonblock) throw new ModelInputError('accept(2) would block forever: no connection is queued');
    return -EAGAIN;
  }
  const ns = new socket(SOCK_STREAM, sock.ops, child);
  ns.state = SS_CONNECTED;
  return ns;
}

/** inet_release(): tcp_close() / udp_lib_close(). The side that closes an open connection first keeps its port in TIME_WAIT. */
export function inet_release(task: TaskState, sock: socket): void {
  const sk = sock.sk;
  const ns = task.kernel.netns;
  if (sk.sk_type !== SOCK_STREAM) {
    put_port(task, sk);
    return;
  }
  if (sk.sk_state === TCP_LISTEN) {
    inet_csk_listen_stop(task, sk);
    put_port(task, sk);
  } else if (sk.sk_state === TCP_ESTABLISHED && sk.peer && sk.peer !== sk) {
    const port = sk.inet_num;
    const owner = { family: sk.sk_family, addr: sk.rcv_saddr, ipv6only: sk.sk_ipv6only };
    sk.peer.sk_state = TCP_CLOSE_WAIT;
    sk.peer.peer = null;
    put_port(task, sk);
    ns.addTimeWait(port, owner);
  } else {
    put_port(task, sk);
  }
  sk.sk_state = TCP_CLOSE;
  sk.peer = null;
}

/** inet_getname() / inet6_getname() for getsockname(2). */
export function inet_getname(sock: socket, e: Endianness): Uint8Array {
  const sk = sock.sk;
  if (sk.sk_family === AF_INET) {
    const out = new Uint8Array(SOCKADDR_IN_SIZE);
    writeU16(out, 0, AF_INET, e);
    writeU16(out, 2, sk.inet_num, 'big');
    writeU32(out, 4, sk.rcv_saddr && 'v4' in sk.rcv_saddr ? sk.rcv_saddr.v4 : 0, 'big');
    return out;
  }
  const out = new Uint8Array(SOCKADDR_IN6_SIZE);
  writeU16(out, 0, AF_INET6, e);
  writeU16(out, 2, sk.inet_num, 'big');
  if (sk.rcv_saddr) {
    if ('v6' in sk.rcv_saddr) out.set(sk.rcv_saddr.v6, 8);
    else {
      out[18] = 0xff;
      out[19] = 0xff;
      writeU32(out, 20, sk.rcv_saddr.v4, 'big');
    }
  }
  return out;
}
