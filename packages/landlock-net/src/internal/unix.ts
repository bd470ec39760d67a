// net/unix/af_unix.c (v6.18): unix_create, unix_bind (unix_autobind,
// unix_bind_bsd, unix_bind_abstract), unix_validate_addr, unix_find_other,
// unix_stream_connect, unix_dgram_connect, unix_listen, unix_accept,
// unix_release, with security_unix_stream_connect / security_unix_may_send
// where af_unix.c calls them (Landlock's abstract-socket scoping, ABI 6+).
// Seed 003: the protocol.*_with_unix_* variants and ipv4.from_unix_to_inet.
import { EADDRINUSE, EAGAIN, ECONNREFUSED, EINVAL, EISCONN, ENOENT, EOPNOTSUPP, EPERM, EPROTONOSUPPORT, EPROTOTYPE, ESOCKTNOSUPPORT } from '@k/core-sync';
import { ModelInputError, readU16, writeU16, type Endianness } from './bytes';
import { hook_unix_may_send, hook_unix_stream_connect } from './net';
import { unixKey } from './netns';
import { SS_CONNECTED, TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN, socket, sock as struct_sock, type unix_address } from './socket-types';

type sock = struct_sock;
import type { TaskState } from './task';
import { AF_UNIX, SOCKADDR_UN_SIZE, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM, SUN_PATH_OFFSET } from './uapi';

/** unix_create() */
export function unix_create(type: number, protocol: number): socket | number {
  if (protocol && protocol !== AF_UNIX) return -EPROTONOSUPPORT;
  switch (type) {
    case SOCK_STREAM:
      return new socket(type, 'unix_stream_ops', new struct_sock(AF_UNIX, type, 0));
    case SOCK_RAW:
    case SOCK_DGRAM:
      // SOCK_RAW is silently turned into SOCK_DGRAM.
      return new socket(SOCK_DGRAM, 'unix_dgram_ops', new struct_sock(AF_UNIX, SOCK_DGRAM, 0));
    case SOCK_SEQPACKET:
      return new socket(type, 'unix_seqpacket_ops', new struct_sock(AF_UNIX, type, 0));
    default:
      return -ESOCKTNOSUPPORT;
  }
}

/** unix_validate_addr() */
function unix_validate_addr(task: TaskState, sunaddr: Uint8Array, addr_len: number): number {
  if (addr_len <= SUN_PATH_OFFSET || addr_len > SOCKADDR_UN_SIZE) return -EINVAL;
  if (readU16(sunaddr, 0, task.kernel.options.endianness) !== AF_UNIX) return -EINVAL;
  return 0;
}

/** unix_mkname_bsd(): the path, NUL-terminated at addr_len. */
function bsdPath(sunaddr: Uint8Array, addr_len: number): string {
  const bytes = sunaddr.subarray(SUN_PATH_OFFSET, addr_len);
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}

function abstractName(sunaddr: Uint8Array, addr_len: number): Uint8Array {
  return sunaddr.slice(SUN_PATH_OFFSET, addr_len);
}

/** unix_autobind(): an already bound socket keeps its name and gets 0. */
function unix_autobind(task: TaskState, sk: sock): number {
  if (sk.unix_addr) return 0;
  const name = task.kernel.netns.unixAutobindName(sk.sk_type);
  sk.unix_addr = { name, len: SUN_PATH_OFFSET + name.length, abstract: true };
  task.kernel.netns.unixAbstract.set(unixKey(sk.sk_type, name), sk);
  return 0;
}

/** unix_bind() */
export function unix_bind(task: TaskState, sock: socket, sunaddr: Uint8Array, addr_len: number): number {
  const sk = sock.sk;
  const ns = task.kernel.netns;
  if (addr_len === SUN_PATH_OFFSET && readU16(sunaddr, 0, task.kernel.options.endianness) === AF_UNIX) {
    return unix_autobind(task, sk);
  }
  const err = unix_validate_addr(task, sunaddr, addr_len);
  if (err) return err;
  if (sunaddr[SUN_PATH_OFFSET] !== 0) {
    // unix_bind_bsd(): mknod first (-EADDRINUSE if the path exists), then the bindlock.
    const path = bsdPath(sunaddr, addr_len);
    if (ns.unixPaths.has(path)) return -EADDRINUSE;
    if (sk.unix_addr) return -EINVAL;
    ns.unixPaths.set(path, sk);
    sk.unix_addr = { name: new TextEncoder().encode(path), len: addr_len, abstract: false, path };
    return 0;
  }
  // unix_bind_abstract()
  if (sk.unix_addr) return -EINVAL;
  const name = abstractName(sunaddr, addr_len);
  const key = unixKey(sk.sk_type, name);
  if (ns.unixAbstract.has(key)) return -EADDRINUSE;
  ns.unixAbstract.set(key, sk);
  sk.unix_addr = { name, len: addr_len, abstract: true } satisfies unix_address;
  return 0;
}

/** unix_find_other(): unix_find_bsd() or unix_find_abstract(). */
function unix_find_other(task: TaskState, sunaddr: Uint8Array, addr_len: number, type: number): sock | number {
  const ns = task.kernel.netns;
  if (sunaddr[SUN_PATH_OFFSET] !== 0) {
    const path = bsdPath(sunaddr, addr_len);
    if (!ns.unixPaths.has(path)) return -ENOENT;
    const sk = ns.unixPaths.get(path);
    if (!sk) return -ECONNREFUSED;
    if (sk.sk_type !== type) return -EPROTOTYPE;
    return sk;
  }
  // The abstract hash mixes in the type: another type's name is simply not found.
  return ns.unixAbstract.get(unixKey(type, abstractName(sunaddr, addr_len))) ?? -ECONNREFUSED;
}

/** unix_stream_connect() (also SOCK_SEQPACKET's connect). */
export function unix_stream_connect(task: TaskState, sock: socket, sunaddr: Uint8Array, addr_len: number, nonblock: boolean): number {
  const sk = sock.sk;
  let err = unix_validate_addr(task, sunaddr, addr_len);
  if (err) return err;
  const other = unix_find_other(task, sunaddr, addr_len, sk.sk_type);
  if (typeof other === 'number') return other;
  if (other.sk_state !== TCP_LISTEN) return -ECONNREFUSED;
  // unix_recvq_full_lockless(): a non-blocking caller gets -EAGAIN; a blocking
  // one would sleep until the listener accepts, and the model never sleeps.
  if (other.accept_queue.length > other.sk_max_ack_backlog) {
    if (!nonblock) throw new ModelInputError('connect(2) would block: the listener\'s backlog is full (accept first)');
    return -EAGAIN;
  }
  // Latch our state.
  switch (sk.sk_state) {
    case TCP_CLOSE:
      break;
    case TCP_ESTABLISHED:
      return -EISCONN;
    default:
      return -EINVAL;
  }
  err = hook_unix_stream_connect(task, sk, other);
  if (err) return err;
  const newsk = new struct_sock(AF_UNIX, sk.sk_type, 0);
  newsk.sk_state = TCP_ESTABLISHED;
  newsk.unix_addr = other.unix_addr;
  newsk.peer = sk;
  newsk.owner_cred = other.owner_cred;
  other.accept_queue.push(newsk);
  sk.peer = newsk;
  sk.sk_state = TCP_ESTABLISHED;
  sock.state = SS_CONNECTED;
  return 0;
}

/** unix_may_send(): a datagram socket connected to someone else refuses others. */
function unix_may_send(sk: sock, other: sock): boolean {
  return !other.peer || other.peer === sk;
}

/** unix_dgram_connect() */
export function unix_dgram_connect(task: TaskState, sock: socket, addr: Uint8Array, alen: number): number {
  const sk = sock.sk;
  if (alen < 2) return -EINVAL;
  if (readU16(addr, 0, task.kernel.options.endianness) !== 0) {
    let err = unix_validate_addr(task, addr, alen);
    if (err) return err;
    const other = unix_find_other(task, addr, alen, sock.type);
    if (typeof other === 'number') return other;
    if (!unix_may_send(sk, other)) return -EPERM;
    err = hook_unix_may_send(task, sk, other);
    if (err) return err;
    sk.peer = other;
    sk.sk_state = TCP_ESTABLISHED;
    other.sk_state = TCP_ESTABLISHED;
    return 0;
  }
  // 1003.1g breaking connected state with AF_UNSPEC
  sk.peer = null;
  sk.sk_state = TCP_CLOSE;
  return 0;
}

/** unix_listen() */
export function unix_listen(_task: TaskState, sock: socket, backlog: number): number {
  const sk = sock.sk;
  if (sock.type !== SOCK_STREAM && sock.type !== SOCK_SEQPACKET) return -EOPNOTSUPP;
  // No listens on an unbound socket.
  if (!sk.unix_addr) return -EINVAL;
  if (sk.sk_state !== TCP_CLOSE && sk.sk_state !== TCP_LISTEN) return -EINVAL;
  sk.sk_max_ack_backlog = backlog;
  sk.sk_state = TCP_LISTEN;
  return 0;
}

/** unix_accept(): an empty queue is -EAGAIN for a non-blocking caller; the model never sleeps. */
export function unix_accept(sock: socket, nonblock: boolean): socket | number {
  const sk = sock.sk;
  if (sock.type !== SOCK_STREAM && sock.type !== SOCK_SEQPACKET) return -EOPNOTSUPP;
  if (sk.sk_state !== TCP_LISTEN) return -EINVAL;
  const child = sk.accept_queue.shift();
  if (!child) {
    if (!nonblock) throw new ModelInputError('accept(2) would block forever: no connection is queued');
    return -EAGAIN;
  }
  const ns = new socket(sock.type, sock.ops, child);
  ns.state = SS_CONNECTED;
  return ns;
}

/** unix_release(): an abstract name is freed; a filesystem name stays, refusing connections. */
export function unix_release(task: TaskState, sock: socket): void {
  const sk = sock.sk;
  const ns = task.kernel.netns;
  if (sk.unix_addr) {
    if (sk.unix_addr.abstract) {
      const key = unixKey(sk.sk_type, sk.unix_addr.name);
      if (ns.unixAbstract.get(key) === sk) ns.unixAbstract.delete(key);
    } else if (sk.unix_addr.path !== undefined && ns.unixPaths.get(sk.unix_addr.path) === sk) {
      ns.unixPaths.set(sk.unix_addr.path, null);
    }
  }
  for (const embryo of sk.accept_queue.splice(0)) {
    if (embryo.peer) embryo.peer.peer = null;
  }
  if (sk.peer && sk.peer.peer === sk) sk.peer.peer = null;
  sk.peer = null;
  sk.sk_state = TCP_CLOSE;
}

/** unix_getname() */
export function unix_getname(sock: socket, e: Endianness): Uint8Array {
  const sk = sock.sk;
  const out = new Uint8Array(sk.unix_addr ? sk.unix_addr.len : SUN_PATH_OFFSET);
  writeU16(out, 0, AF_UNIX, e);
  if (sk.unix_addr) out.set(sk.unix_addr.name.subarray(0, sk.unix_addr.len - SUN_PATH_OFFSET), SUN_PATH_OFFSET);
  return out;
}
