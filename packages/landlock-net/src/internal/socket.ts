// net/socket.c: __sys_socket, __sys_bind, __sys_connect, __sys_listen,
// __sys_accept4, __sys_getsockname, move_addr_to_kernel, and the LSM calls
// security_socket_bind / _connect / _listen (security/security.c) exactly where
// net/socket.c makes them: after the fd and address checks, before the
// protocol's proto_ops. The order of checks is what the selftests pin:
// bind looks up the socket (-ENOTSOCK) before copying the address; connect
// copies the address (-EINVAL for a length above sizeof(sockaddr_storage))
// before it looks up the socket. Seed 003's tests reach Landlock only here.
import { EAFNOSUPPORT, EBADF, EFAULT, EINVAL, ENOTSOCK, EOPNOTSUPP } from '@k/core-sync';
import { ModelInputError } from './bytes';
import {
  inet6_bind, inet_accept, inet_bind, inet_create, inet_dgram_connect, inet_getname, inet_listen, inet_release,
  inet_stream_connect,
} from './inet';
import { hook_socket_bind, hook_socket_connect, hook_socket_listen } from './net';
import type { socket } from './socket-types';
import { SS_UNCONNECTED } from './socket-types';
import type { file, TaskState } from './task';
import {
  AF_INET, AF_INET6, AF_MAX, AF_UNIX, FMODE_CAN_READ, FMODE_CAN_WRITE, FMODE_READ, FMODE_WRITE, O_CLOEXEC, O_NONBLOCK,
  O_RDWR, SOCKADDR_STORAGE_SIZE, SOCK_CLOEXEC, SOCK_MAX, SOCK_NONBLOCK, SOCK_TYPE_MASK,
} from './uapi';
import {
  unix_accept, unix_bind, unix_create, unix_dgram_connect, unix_getname, unix_listen, unix_release, unix_stream_connect,
} from './unix';

/** move_addr_to_kernel(): the kernel's sockaddr_storage copy of a user address. */
export function move_addr_to_kernel(uaddr: Uint8Array | null, ulen: number): Uint8Array | number {
  const kaddr = new Uint8Array(SOCKADDR_STORAGE_SIZE);
  if (ulen < 0 || ulen > SOCKADDR_STORAGE_SIZE) return -EINVAL;
  if (ulen === 0) return kaddr;
  if (!uaddr || uaddr.length < ulen) return -EFAULT;
  kaddr.set(uaddr.subarray(0, ulen));
  return kaddr;
}

/** sock_from_file() */
function sock_from_file(f: file): socket | null {
  return f.f_op === 'socket_file_ops' ? (f.private_data as socket) : null;
}

function sockfd_lookup(task: TaskState, fd: number): socket | number {
  const f = task.process.files.fdget(fd);
  if (!f) return -EBADF;
  return sock_from_file(f) ?? -ENOTSOCK;
}

/** security_socket_bind(): Landlock is the model's only LSM. */
function security_socket_bind(task: TaskState, sock: socket, address: Uint8Array, addrlen: number): number {
  return hook_socket_bind(task, sock, address, addrlen);
}
function security_socket_connect(task: TaskState, sock: socket, address: Uint8Array, addrlen: number): number {
  return hook_socket_connect(task, sock, address, addrlen);
}
function security_socket_listen(task: TaskState, sock: socket, backlog: number): number {
  // Mainline Landlock has no socket_listen hook; the RFC adds one.
  return task.kernel.options.rfcListenTcp ? hook_socket_listen(task, sock, backlog) : 0;
}

/** sock_alloc_file(): a socket's file, O_RDWR with the SOCK_* flags. */
export function sock_alloc_file(task: TaskState, sock: socket, flags: number): number {
  const f: file = {
    f_op: 'socket_file_ops',
    f_mode: FMODE_READ | FMODE_WRITE | FMODE_CAN_READ | FMODE_CAN_WRITE,
    f_flags: O_RDWR | (flags & (O_NONBLOCK | O_CLOEXEC)),
    private_data: sock,
    f_cred: task.cred,
    f_count: 1,
    release: () => sock_release(task, sock),
  };
  sock.file = f;
  sock.sk.sk_socket = sock;
  sock.sk.owner_cred = task.cred;
  const fd = task.process.files.install(f);
  if (fd < 0) sock_release(task, sock);
  return fd;
}

function sock_release(task: TaskState, sock: socket): void {
  if (sock.ops.startsWith('unix')) unix_release(task, sock);
  else inet_release(task, sock);
  sock.sk.sk_socket = null;
  sock.file = null;
}

/**
 * __sys_socket(): families and types the kernel has but the model does not
 * (netlink, packet, raw, SCTP, MPTCP...) are refused with a ModelInputError
 * rather than answered wrongly.
 */
export function __sys_socket(task: TaskState, family: number, type: number, protocol: number): number {
  const flags = type & ~SOCK_TYPE_MASK;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  type &= SOCK_TYPE_MASK;
  // __sock_create()
  if (family < 0 || family >= AF_MAX) return -EAFNOSUPPORT;
  if (type < 0 || type >= SOCK_MAX) return -EINVAL;
  let sock: socket | number;
  if (family === AF_INET || family === AF_INET6) sock = inet_create(family, type, protocol);
  else if (family === AF_UNIX) sock = unix_create(type, protocol);
  else throw new ModelInputError(`address family ${family} is not modelled (only AF_UNIX, AF_INET, AF_INET6)`);
  if (typeof sock === 'number') return sock;
  sock.state = SS_UNCONNECTED;
  return sock_alloc_file(task, sock, (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0) | (flags & SOCK_CLOEXEC ? O_CLOEXEC : 0));
}

/** __sys_bind() */
export function __sys_bind(task: TaskState, fd: number, umyaddr: Uint8Array | null, addrlen: number): number {
  const sock = sockfd_lookup(task, fd);
  if (typeof sock === 'number') return sock;
  const address = move_addr_to_kernel(umyaddr, addrlen);
  if (typeof address === 'number') return address;
  const err = security_socket_bind(task, sock, address, addrlen);
  if (err) return err;
  switch (sock.ops) {
    case 'inet_stream_ops':
    case 'inet_dgram_ops':
      return inet_bind(task, sock, address, addrlen);
    case 'inet6_stream_ops':
    case 'inet6_dgram_ops':
      return inet6_bind(task, sock, address, addrlen);
    default:
      return unix_bind(task, sock, address, addrlen);
  }
}

/** __sys_connect() / __sys_connect_file() */
export function __sys_connect(task: TaskState, fd: number, uservaddr: Uint8Array | null, addrlen: number): number {
  const f = task.process.files.fdget(fd);
  if (!f) return -EBADF;
  const address = move_addr_to_kernel(uservaddr, addrlen);
  if (typeof address === 'number') return address;
  const sock = sock_from_file(f);
  if (!sock) return -ENOTSOCK;
  const err = security_socket_connect(task, sock, address, addrlen);
  if (err) return err;
  const nonblock = (f.f_flags & O_NONBLOCK) !== 0;
  switch (sock.ops) {
    case 'inet_stream_ops':
    case 'inet6_stream_ops':
      return inet_stream_connect(task, sock, address, addrlen, nonblock);
    case 'inet_dgram_ops':
    case 'inet6_dgram_ops':
      return inet_dgram_connect(task, sock, address, addrlen);
    case 'unix_dgram_ops':
      return unix_dgram_connect(task, sock, address, addrlen);
    default:
      return unix_stream_connect(task, sock, address, addrlen, nonblock);
  }
}

/** __sys_listen(): the backlog is capped at net.core.somaxconn before the LSM sees it. */
export function __sys_listen(task: TaskState, fd: number, backlog: number): number {
  const sock = sockfd_lookup(task, fd);
  if (typeof sock === 'number') return sock;
  const somaxconn = task.kernel.options.somaxconn;
  if (backlog >>> 0 > somaxconn) backlog = somaxconn;
  const err = security_socket_listen(task, sock, backlog);
  if (err) return err;
  switch (sock.ops) {
    case 'inet_stream_ops':
    case 'inet6_stream_ops':
      return inet_listen(task, sock, backlog);
    case 'inet_dgram_ops':
    case 'inet6_dgram_ops':
      return -EOPNOTSUPP; // sock_no_listen()
    default:
      return unix_listen(task, sock, backlog);
  }
}

/** __sys_accept4() */
export function __sys_accept4(task: TaskState, fd: number, flags: number): number {
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  const sock = sockfd_lookup(task, fd);
  if (typeof sock === 'number') return sock;
  const nonblock = ((sock.file?.f_flags ?? 0) & O_NONBLOCK) !== 0;
  let newsock: socket | number;
  switch (sock.ops) {
    case 'inet_stream_ops':
    case 'inet6_stream_ops':
      newsock = inet_accept(sock, nonblock);
      break;
    case 'unix_stream_ops':
    case 'unix_seqpacket_ops':
      newsock = unix_accept(sock, nonblock);
      break;
    default:
      return -EOPNOTSUPP;
  }
  if (typeof newsock === 'number') return newsock;
  return sock_alloc_file(task, newsock, (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0) | (flags & SOCK_CLOEXEC ? O_CLOEXEC : 0));
}

/** __sys_getsockname(): the local address as the kernel writes it back. */
export function __sys_getsockname(task: TaskState, fd: number): Uint8Array | number {
  const sock = sockfd_lookup(task, fd);
  if (typeof sock === 'number') return sock;
  return sock.ops.startsWith('unix') ? unix_getname(sock, task.kernel.options.endianness) : inet_getname(sock, task.kernel.options.endianness);
}
