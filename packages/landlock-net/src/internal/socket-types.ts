// struct socket (include/linux/net.h), struct sock / inet_sock / unix_sock
// (include/net/sock.h, inet_sock.h, af_unix.h) and the TCP states of
// include/net/tcp_states.h: the fields the bind/listen/connect paths and the
// Landlock hooks read. Seed 003: the selftests drive these paths.
import type { cred, file } from './task';

/** include/net/tcp_states.h */
export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_FIN_WAIT1 = 4;
export const TCP_TIME_WAIT = 6;
export const TCP_CLOSE = 7;
export const TCP_CLOSE_WAIT = 8;
export const TCP_LISTEN = 10;

/** include/uapi/linux/net.h: socket_state */
export const SS_FREE = 0;
export const SS_UNCONNECTED = 1;
export const SS_CONNECTING = 2;
export const SS_CONNECTED = 3;
export const SS_DISCONNECTING = 4;

/** include/net/sock.h: sk_userlocks */
export const SOCK_BINDADDR_LOCK = 4;
export const SOCK_BINDPORT_LOCK = 8;

/** Which struct proto_ops a socket got from its family's create(). */
export type ProtoOps =
  | 'inet_stream_ops'
  | 'inet_dgram_ops'
  | 'inet6_stream_ops'
  | 'inet6_dgram_ops'
  | 'unix_stream_ops'
  | 'unix_dgram_ops'
  | 'unix_seqpacket_ops';

/** A local or remote IP address: IPv4 as its 32-bit value, IPv6 as 16 bytes. */
export type InetAddr = { readonly v4: number } | { readonly v6: Uint8Array };

/** struct unix_address: the bound name, compared byte for byte with its length. */
export interface unix_address {
  /** sun_path bytes up to the address length. */
  readonly name: Uint8Array;
  /** addr_len as bound (family included). */
  readonly len: number;
  readonly abstract: boolean;
  /** For filesystem names: the path string. */
  readonly path?: string;
}

/** struct sock with the inet_sock / ipv6_pinfo / unix_sock fields the model needs. */
export class sock {
  sk_state = TCP_CLOSE;
  sk_userlocks = 0;
  sk_max_ack_backlog = 0;
  /** The accept queue of a listener (sk_ack_backlog is its length). */
  readonly accept_queue: sock[] = [];
  sk_bound_dev_if = 0;
  sk_ipv6only = false;
  sk_err = 0;
  /** Back pointer to the socket (null for a child not yet accepted, or once closed). */
  sk_socket: socket | null = null;
  /** The credentials of the socket's file (sk->sk_socket->file->f_cred). */
  owner_cred: cred | null = null;

  // inet_sock
  /** Local port, host order (0: not bound). */
  inet_num = 0;
  /** inet_rcv_saddr / sk_v6_rcv_saddr; null: INADDR_ANY / in6addr_any. */
  rcv_saddr: InetAddr | null = null;
  /** Remote port and address once connected. */
  inet_dport = 0;
  daddr: InetAddr | null = null;
  /** The connected peer (TCP or unix), or the UDP/unix datagram peer. */
  peer: sock | null = null;

  // unix_sock
  unix_addr: unix_address | null = null;

  constructor(
    readonly sk_family: number,
    readonly sk_type: number,
    readonly sk_protocol: number,
  ) {}

  get sk_ack_backlog(): number {
    return this.accept_queue.length;
  }
}

/** struct socket */
export class socket {
  state = SS_UNCONNECTED;
  file: file | null = null;
  constructor(
    readonly type: number,
    readonly ops: ProtoOps,
    readonly sk: sock,
  ) {}
}

/** sk_is_tcp(): an inet stream socket of protocol TCP. */
export function sk_is_tcp(sk: sock): boolean {
  return (sk.sk_family === 2 || sk.sk_family === 10) && sk.sk_type === 1 && sk.sk_protocol === 6;
}
