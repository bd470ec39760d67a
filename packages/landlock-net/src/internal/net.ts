// security/landlock/net.c: landlock_append_net_rule() and the socket hooks.
// Two generations of current_check_access_socket() are modelled (see
// AbiDescription.netGeneration): v6.7 as first released with ABI 4, and v6.18
// (verified against the running kernel by the differential test).
// hook_socket_listen() is the one of the RFC series that seed 003 reviews
// ("[RFC PATCH v2 2/9] landlock: Support TCP listen access-control"), compiled
// in only with the model's rfcListenTcp option.
// security/landlock/task.c: hook_unix_stream_connect / hook_unix_may_send and
// domain_is_scoped() for LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6+).
import { EACCES, EAFNOSUPPORT, EINVAL, EPERM } from '@k/core-sync';
import { htons, readU16, readU32, type Endianness } from './bytes';
import type { LandlockDenial } from './kernel-state';
import {
  get_denied_layer, handled_net_accesses, landlock_find_rule, landlock_get_net_access_mask, landlock_get_scope_mask,
  landlock_init_layer_masks, landlock_insert_rule, landlock_unmask_layers, type access_mask_t, type landlock_ruleset,
  type layer_mask_t,
} from './ruleset';
import { SS_UNCONNECTED, TCP_CLOSE, TCP_LISTEN, sk_is_tcp, type sock, type socket } from './socket-types';
import type { TaskState } from './task';
import {
  AF_INET, AF_INET6, AF_UNSPEC, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, NET_ACCESS_NAMES, RFC_LISTEN_TCP, SIN6_LEN_RFC2133,
  SOCKADDR_IN_SIZE, SOCK_STREAM,
} from './uapi';

const BIND_TCP = 1 << 0;
const CONNECT_TCP = 1 << 1;
const LISTEN_TCP = Number(RFC_LISTEN_TCP.LANDLOCK_ACCESS_NET_LISTEN_TCP);

/** LANDLOCK_MASK_ACCESS_NET of the running kernel (the RFC's is one bit wider). */
export function mask_access_net(task: TaskState): bigint {
  return task.kernel.options.rfcListenTcp ? RFC_LISTEN_TCP.maskAccessNet : task.kernel.abi.maskAccessNet;
}

/** LANDLOCK_NUM_ACCESS_NET */
function num_access_net(task: TaskState): number {
  return task.kernel.options.rfcListenTcp ? 3 : 2;
}

/**
 * landlock_append_net_rule(): inserts the rule keyed by htons(@port), with
 * the rights the layer does not handle added ("relative to absolute").
 * Without CONFIG_INET this is net.h's stub, -EAFNOSUPPORT.
 */
export function landlock_append_net_rule(
  task: TaskState,
  ruleset: landlock_ruleset,
  port: number,
  access_rights: access_mask_t,
): number {
  if (!task.kernel.options.inet) return -EAFNOSUPPORT;
  const key = htons(port, task.kernel.options.endianness);
  // Transforms relative access rights to absolute ones.
  access_rights |= Number(mask_access_net(task)) & ~landlock_get_net_access_mask(ruleset, 0);
  ruleset.lock.lock();
  try {
    return landlock_insert_rule(ruleset, key, access_rights);
  } finally {
    ruleset.lock.unlock();
  }
}

/**
 * The domain that applies to a request: v6.7's get_current_net_domain() (any
 * layer handling any network access) or v6.18's landlock_get_applicable_subject()
 * (some layer handling this very access).
 */
function applicable_domain(task: TaskState, access_request: access_mask_t): landlock_ruleset | null {
  const dom = task.cred.landlock.domain;
  if (!dom) return null;
  const handled = handled_net_accesses(dom);
  if (task.kernel.abi.netGeneration === 'v6.7') return handled ? dom : null;
  return handled & access_request ? dom : null;
}

/** check_access_socket() of the RFC series (the tail every hook shares). */
function check_access_socket(
  task: TaskState,
  dom: landlock_ruleset,
  port: number,
  access_request: access_mask_t,
  hook: LandlockDenial['hook'],
): number {
  const layer_masks: layer_mask_t[] = [];
  const rule = landlock_find_rule(dom, port);
  const handled = landlock_init_layer_masks(dom, access_request, layer_masks, num_access_net(task));
  if (!handled) return 0;
  if (landlock_unmask_layers(rule, handled, layer_masks)) return 0;
  const denied = get_denied_layer(layer_masks);
  task.kernel.denials.push({
    tid: task.tid,
    hook,
    access: NET_ACCESS_NAMES[denied?.access_bit ?? 0]!,
    layer: denied?.level ?? dom.num_layers,
    num_layers: dom.num_layers,
    port: htons(port, task.kernel.options.endianness),
    errno: 'EACCES',
  });
  return -EACCES;
}

/**
 * The access decision alone for the calling thread: its domain's
 * check_access_socket() (the helper the RFC's patch 1/9 split out of
 * current_check_access_socket()) for @port in network byte order as the CPU
 * holds it. 0 or -EACCES (recorded as a denial of @hook).
 */
export function landlock_check_port(task: TaskState, access_request: access_mask_t, port_key: number, hook: LandlockDenial['hook']): number {
  const dom = applicable_domain(task, access_request);
  if (!dom) return 0;
  return check_access_socket(task, dom, port_key, access_request, hook);
}

/**
 * The family switch of current_check_access_socket(): the port as the CPU
 * reads the __be16, -EINVAL for an address too short for its family, null for
 * a family Landlock does not check.
 */
function sockaddr_port(sa_family: number, address: Uint8Array, addrlen: number, e: Endianness): number | null {
  switch (sa_family) {
    case AF_UNSPEC:
    case AF_INET:
      return addrlen < SOCKADDR_IN_SIZE ? -EINVAL : readU16(address, 2, e);
    case AF_INET6:
      return addrlen < SIN6_LEN_RFC2133 ? -EINVAL : readU16(address, 2, e);
    default:
      return null;
  }
}

/** current_check_access_socket(): @address is the kernel copy (sockaddr_storage), @addrlen as passed. */
function current_check_access_socket(
  task: TaskState,
  sock: socket,
  address: Uint8Array,
  addrlen: number,
  access_request: access_mask_t,
): number {
  const e = task.kernel.options.endianness;
  const v618 = task.kernel.abi.netGeneration === 'v6.18';
  const dom = applicable_domain(task, access_request);
  if (!dom) return 0;
  if (!v618 && sock.type !== SOCK_STREAM) return 0; // v6.18 checks sk_is_tcp() in the hooks
  // Checks for minimal header length to safely read sa_family.
  if (addrlen < 2) return -EINVAL;
  const sa_family = readU16(address, 0, e);
  const sock_family = sock.sk.sk_family;
  let port: number;
  if (v618) {
    if (sa_family === AF_UNSPEC) {
      if (access_request === CONNECT_TCP) {
        // Disconnecting is always allowed, whatever the length.
        return 0;
      } else if (access_request === BIND_TCP) {
        if (sock_family === AF_INET) {
          if (addrlen < SOCKADDR_IN_SIZE) return -EINVAL;
          if (readU32(address, 4, 'big') !== 0) return -EAFNOSUPPORT;
        } else {
          // IPv6 sockets always reject AF_UNSPEC, as __inet6_bind() does.
          if (addrlen < SIN6_LEN_RFC2133) return -EINVAL;
          return -EAFNOSUPPORT;
        }
      }
      // Only bind(AF_UNSPEC + INADDR_ANY) on an IPv4 socket goes on, as AF_INET.
    }
    const p = sockaddr_port(sa_family, address, addrlen, e);
    if (p === null) return 0;
    if (p < 0) return p;
    port = p;
    // sa_family must match the socket's, except AF_UNSPEC.
    if (sa_family !== sock_family && sa_family !== AF_UNSPEC) return -EINVAL;
  } else {
    const p = sockaddr_port(sa_family, address, addrlen, e);
    if (p === null) return 0;
    if (p < 0) return p;
    port = p;
    if (sa_family === AF_UNSPEC) {
      if (access_request === CONNECT_TCP) return 0;
      if (access_request === BIND_TCP) {
        if (sock_family !== AF_INET) return -EINVAL;
        if (readU32(address, 4, 'big') !== 0) return -EAFNOSUPPORT;
      }
    } else if (sa_family !== sock_family) {
      return -EINVAL;
    }
  }
  return check_access_socket(task, dom, port, access_request, access_request === BIND_TCP ? 'socket_bind' : 'socket_connect');
}

/** hook_socket_bind() */
export function hook_socket_bind(task: TaskState, sock: socket, address: Uint8Array, addrlen: number): number {
  if (task.kernel.abi.netGeneration === 'v6.18' && !sk_is_tcp(sock.sk)) return 0;
  return current_check_access_socket(task, sock, address, addrlen, BIND_TCP);
}

/** hook_socket_connect() */
export function hook_socket_connect(task: TaskState, sock: socket, address: Uint8Array, addrlen: number): number {
  if (task.kernel.abi.netGeneration === 'v6.18' && !sk_is_tcp(sock.sk)) return 0;
  return current_check_access_socket(task, sock, address, addrlen, CONNECT_TCP);
}

/**
 * check_tcp_socket_can_listen() of the RFC: the socket state checks of
 * inet_listen() / __inet_listen_sk(), so that a doomed listen(2) gets -EINVAL
 * rather than -EACCES. (The model has no ULPs, so the icsk_ulp_ops check never fires.)
 */
function check_tcp_socket_can_listen(sock: socket): number {
  // Allows only unconnected TCP socket to listen (cf. inet_listen).
  if (sock.state !== SS_UNCONNECTED) return -EINVAL;
  const st = sock.sk.sk_state;
  if (st !== TCP_CLOSE && st !== TCP_LISTEN) return -EINVAL;
  return 0;
}

/**
 * hook_socket_listen() as the RFC defines it: checks LANDLOCK_ACCESS_NET_LISTEN_TCP
 * for the port the socket is bound to, htons(inet_num); a socket that was never
 * bound has inet_num 0 and is checked against the rules for port 0 (listen(2)
 * will bind it to an ephemeral port). Listening again on a listening socket
 * only changes the backlog and is not checked.
 */
export function hook_socket_listen(task: TaskState, sock: socket, _backlog: number): number {
  const dom = applicable_domain(task, LISTEN_TCP);
  if (!dom) return 0;
  const sk = sock.sk;
  if (task.kernel.abi.netGeneration === 'v6.18') {
    // The reviewers asked for sk_is_tcp() here, as bind and connect have it.
    if (!sk_is_tcp(sk)) return 0;
  } else {
    // Checks if it's a (potential) TCP socket.
    if (sock.type !== SOCK_STREAM) return 0;
    if (sk.sk_family !== AF_INET && sk.sk_family !== AF_INET6) return 0;
  }
  // lock_sock(sk)
  if (sk.sk_state === TCP_LISTEN) return 0;
  const err = check_tcp_socket_can_listen(sock);
  if (err) return err;
  const port = htons(sk.inet_num, task.kernel.options.endianness);
  // release_sock(sk)
  return check_access_socket(task, dom, port, LISTEN_TCP, 'socket_listen');
}

/** domain_is_scoped(): may a @client domain reach a socket created in the @server domain? */
function domain_is_scoped(client: landlock_ruleset, server: landlock_ruleset | null, scope: number): boolean {
  let client_layer = client.num_layers - 1;
  let client_walker = client.hierarchy;
  let server_layer = server ? server.num_layers - 1 : -1;
  let server_walker = server ? server.hierarchy : null;
  // Walks client's parent domains down to the server's level: none may be scoped.
  for (; client_layer > server_layer; client_layer--) {
    if (landlock_get_scope_mask(client, client_layer) & scope) return true;
    client_walker = client_walker?.parent ?? null;
  }
  for (; server_layer > client_layer; server_layer--) server_walker = server_walker?.parent ?? null;
  for (; client_layer >= 0; client_layer--) {
    if (landlock_get_scope_mask(client, client_layer) & scope) {
      // Same level: allowed only if this client domain is also the server's ancestor.
      return server_walker !== client_walker;
    }
    client_walker = client_walker?.parent ?? null;
    server_walker = server_walker?.parent ?? null;
  }
  return false;
}

function scoped_denial(task: TaskState, self: sock, other: sock, hook: 'unix_stream_connect' | 'unix_may_send'): number {
  const scope = Number(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
  const dom = task.cred.landlock.domain;
  if (!dom) return 0;
  let handled = false;
  for (let l = 0; l < dom.num_layers; l++) handled ||= (landlock_get_scope_mask(dom, l) & scope) !== 0;
  if (!handled) return 0;
  // A datagram socket already connected to @other was allowed then.
  if (hook === 'unix_may_send' && self.peer === other) return 0;
  if (!other.unix_addr?.abstract) return 0;
  const server = other.owner_cred?.landlock.domain ?? null;
  if (!domain_is_scoped(dom, server, scope)) return 0;
  task.kernel.denials.push({
    tid: task.tid, hook, access: 'scope_abstract_unix_socket', layer: dom.num_layers, num_layers: dom.num_layers, errno: 'EPERM',
  });
  return -EPERM;
}

/** hook_unix_stream_connect(): LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET for connect(2). */
export function hook_unix_stream_connect(task: TaskState, self: sock, other: sock): number {
  return scoped_denial(task, self, other, 'unix_stream_connect');
}

/** hook_unix_may_send(): LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET for datagrams. */
export function hook_unix_may_send(task: TaskState, self: sock, other: sock): number {
  return scoped_denial(task, self, other, 'unix_may_send');
}
