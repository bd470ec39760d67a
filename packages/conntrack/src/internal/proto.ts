// The layer-4 trackers: nf_conntrack_proto_tcp.c (the state table
// tcp_conntracks[2][6][TCP_CONNTRACK_MAX], tcp_new, tcp_packet),
// nf_conntrack_proto_udp.c (udp_packet) and nf_conntrack_proto_generic.c, as
// of v3.14. TCP window tracking (tcp_in_window) is not modelled: every
// segment counts as in window (see README, "Differences").

import { HZ, spin_lock_bh, spin_unlock_bh, type KGen } from '@k/core-sync';
import { IPPROTO_TCP, IPPROTO_UDP } from './tuple';
import {
  CTINFO2DIR, IPS_ASSURED_BIT, IPS_SEEN_REPLY_BIT, NF_ACCEPT, NF_DROP, NF_REPEAT,
  type nf_conn, type nf_conntrack_l4proto, type sk_buff, type tcphdr,
} from './types';
import { nf_ct_kill, nf_ct_net, nf_ct_refresh, test_and_set_bit, test_bit } from './core';

/** enum tcp_conntrack */
export const TCP_CONNTRACK_NONE = 0;
export const TCP_CONNTRACK_SYN_SENT = 1;
export const TCP_CONNTRACK_SYN_RECV = 2;
export const TCP_CONNTRACK_ESTABLISHED = 3;
export const TCP_CONNTRACK_FIN_WAIT = 4;
export const TCP_CONNTRACK_CLOSE_WAIT = 5;
export const TCP_CONNTRACK_LAST_ACK = 6;
export const TCP_CONNTRACK_TIME_WAIT = 7;
export const TCP_CONNTRACK_CLOSE = 8;
export const TCP_CONNTRACK_SYN_SENT2 = 9;
export const TCP_CONNTRACK_MAX = 10;
export const TCP_CONNTRACK_IGNORE = 11;
export const TCP_CONNTRACK_RETRANS = 10;
export const TCP_CONNTRACK_UNACK = 11;

/** tcp_conntrack_names[] */
export const tcp_conntrack_names = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'] as const;

/** IP_CT_TCP_FLAG_CLOSE_INIT */
const IP_CT_TCP_FLAG_CLOSE_INIT = 0x04;

/** enum tcp_bit_set */
const TCP_SYN_SET = 0;
const TCP_SYNACK_SET = 1;
const TCP_FIN_SET = 2;
const TCP_ACK_SET = 3;
const TCP_RST_SET = 4;
const TCP_NONE_SET = 5;

const sSS = TCP_CONNTRACK_SYN_SENT;
const sSR = TCP_CONNTRACK_SYN_RECV;
const sES = TCP_CONNTRACK_ESTABLISHED;
const sFW = TCP_CONNTRACK_FIN_WAIT;
const sCW = TCP_CONNTRACK_CLOSE_WAIT;
const sLA = TCP_CONNTRACK_LAST_ACK;
const sTW = TCP_CONNTRACK_TIME_WAIT;
const sCL = TCP_CONNTRACK_CLOSE;
const sS2 = TCP_CONNTRACK_SYN_SENT2;
const sIV = TCP_CONNTRACK_MAX;
const sIG = TCP_CONNTRACK_IGNORE;

/** tcp_conntracks[dir][index][old_state] (v3.14) */
const tcp_conntracks: readonly (readonly (readonly number[])[])[] = [
  [
    /* ORIGINAL     sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
    /*syn*/ [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    /*synack*/ [sIV, sIV, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    /*fin*/ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /*ack*/ [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    /*rst*/ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /*none*/ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
  [
    /* REPLY        sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
    /*syn*/ [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sS2],
    /*synack*/ [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    /*fin*/ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /*ack*/ [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    /*rst*/ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /*none*/ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
];

/** get_conntrack_index() */
function get_conntrack_index(th: tcphdr): number {
  if (th.rst) return TCP_RST_SET;
  if (th.syn) return th.ack ? TCP_SYNACK_SET : TCP_SYN_SET;
  if (th.fin) return TCP_FIN_SET;
  if (th.ack) return TCP_ACK_SET;
  return TCP_NONE_SET;
}

/** The TCP state a new conntrack starts in for a segment (tcp_new's table lookup), or sIV. */
export function tcpNewState(th: tcphdr): number {
  return tcp_conntracks[0]![get_conntrack_index(th)]![TCP_CONNTRACK_NONE]!;
}

/** tcp_new(): a conntrack may start with a SYN, or be picked up mid-stream (nf_ct_tcp_loose = 1). */
function tcp_new(ct: nf_conn, skb: sk_buff): boolean {
  const th = skb.tcp;
  if (!th) return false;
  const new_state = tcpNewState(th);
  /* Invalid: delete conntrack */
  if (new_state >= TCP_CONNTRACK_MAX) return false;
  const tcp = ct.proto.tcp;
  tcp.seen[0] = { flags: 0, td_end: 0 };
  tcp.seen[1] = { flags: 0, td_end: 0 };
  tcp.state = TCP_CONNTRACK_NONE;
  /* tcp_packet will set them */
  tcp.last_index = TCP_NONE_SET;
  return true;
}

/** tcp_packet(): the state machine step and the timeout of the new state (ct->lock held for the state). */
function* tcp_packet(ct: nf_conn, skb: sk_buff, ctinfo: number): KGen<number> {
  const th = skb.tcp!;
  const timeouts = nf_ct_net(ct).ct.timeouts.tcp;
  yield* spin_lock_bh(ct.lock);
  const tcp = ct.proto.tcp;
  const old_state = tcp.state;
  const dir = CTINFO2DIR(ctinfo);
  const index = get_conntrack_index(th);
  const new_state = tcp_conntracks[dir]![index]![old_state]!;

  switch (new_state) {
    case TCP_CONNTRACK_SYN_SENT:
      if (old_state < TCP_CONNTRACK_TIME_WAIT) break;
      /* RFC 1122: "When a connection is closed actively, it MUST linger in
       * TIME-WAIT state ..." Reopening a closed/aborted connection: delete
       * this conntrack and look up again. */
      if (((tcp.seen[dir]!.flags | tcp.seen[dir ^ 1]!.flags) & IP_CT_TCP_FLAG_CLOSE_INIT) !== 0 || (tcp.last_dir === dir && tcp.last_index === TCP_RST_SET)) {
        yield* spin_unlock_bh(ct.lock);
        /* Only repeat if we can actually remove the timer. */
        if (yield* nf_ct_kill(ct)) return -NF_REPEAT;
        return NF_DROP;
      }
      break;
    case TCP_CONNTRACK_IGNORE:
      /* Ignored packets (a retransmitted SYN/ACK, a SYN in the middle of a
       * connection ...): remember them, keep the state. */
      tcp.last_index = index;
      tcp.last_dir = dir;
      yield* spin_unlock_bh(ct.lock);
      return NF_ACCEPT;
    case TCP_CONNTRACK_MAX:
      /* Invalid packet */
      yield* spin_unlock_bh(ct.lock);
      return -NF_ACCEPT;
    default:
      break;
  }
  /* From now on we have got in-window packets */
  tcp.last_index = index;
  tcp.last_dir = dir;
  tcp.state = new_state;
  if (old_state !== new_state && new_state === TCP_CONNTRACK_FIN_WAIT) tcp.seen[dir]!.flags |= IP_CT_TCP_FLAG_CLOSE_INIT;
  const timeout = timeouts[new_state]!;
  yield* spin_unlock_bh(ct.lock);

  if (!test_bit(IPS_SEEN_REPLY_BIT, ct)) {
    /* If only reply is a RST, we can consider ourselves not to have an
     * established connection: ... delete the conntrack immediately. --RR */
    if (th.rst) {
      yield* nf_ct_kill(ct);
      return NF_ACCEPT;
    }
  } else if (!test_bit(IPS_ASSURED_BIT, ct) && (old_state === TCP_CONNTRACK_SYN_RECV || old_state === TCP_CONNTRACK_ESTABLISHED) && new_state === TCP_CONNTRACK_ESTABLISHED) {
    /* Set ASSURED if we see see valid ack in ESTABLISHED after SYN_RECV or a valid answer for a picked up connection. */
    test_and_set_bit(IPS_ASSURED_BIT, ct);
  }
  yield* nf_ct_refresh(ct, timeout * HZ());
  return NF_ACCEPT;
}

/** udp_packet(): 30 s until a reply is seen, then 180 s and ASSURED (v3.14). */
function* udp_packet(ct: nf_conn, _skb: sk_buff, _ctinfo: number): KGen<number> {
  const t = nf_ct_net(ct).ct.timeouts;
  /* If we've seen traffic both ways, this is some kind of UDP stream. Extend timeout. */
  if (test_bit(IPS_SEEN_REPLY_BIT, ct)) {
    yield* nf_ct_refresh(ct, t.udp_replied * HZ());
    /* Also, more likely to be important, and not a probe */
    test_and_set_bit(IPS_ASSURED_BIT, ct);
  } else {
    yield* nf_ct_refresh(ct, t.udp_unreplied * HZ());
  }
  return NF_ACCEPT;
}

function* generic_packet(ct: nf_conn, _skb: sk_buff, _ctinfo: number): KGen<number> {
  yield* nf_ct_refresh(ct, nf_ct_net(ct).ct.timeouts.generic * HZ());
  return NF_ACCEPT;
}

export const nf_conntrack_l4proto_tcp: nf_conntrack_l4proto = { l4proto: IPPROTO_TCP, name: 'tcp', new_: tcp_new, packet: tcp_packet };
export const nf_conntrack_l4proto_udp: nf_conntrack_l4proto = { l4proto: IPPROTO_UDP, name: 'udp', new_: () => true, packet: udp_packet };
export const nf_conntrack_l4proto_generic: nf_conntrack_l4proto = { l4proto: 255, name: 'unknown', new_: () => true, packet: generic_packet };

/** __nf_ct_l4proto_find() */
export function l4proto_find(protonum: number): nf_conntrack_l4proto {
  if (protonum === IPPROTO_TCP) return nf_conntrack_l4proto_tcp;
  if (protonum === IPPROTO_UDP) return nf_conntrack_l4proto_udp;
  return nf_conntrack_l4proto_generic;
}

