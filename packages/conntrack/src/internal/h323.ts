// net/netfilter/nf_conntrack_h323_main.c, the RAS part the seed touches
// (v3.14 + seed 001): a registration request (RRQ) creates a permanent Q.931
// expectation (expect_q931), the gatekeeper's confirm (RCF) sets the RAS
// timeout and re-arms that expectation under nf_conntrack_expect_lock
// (process_rcf, find_expect, set_expect_timeout). The PER/ASN.1 decoder is
// not modelled: these functions take the decoded messages.

import { HZ, add_timer, del_timer, jiffies, spin_lock_bh, spin_unlock_bh, type KGen } from '@k/core-sync';
import { AF_INET, IPPROTO_TCP, IPPROTO_UDP, mkTuple, nf_inet_addr_cmp, type nf_inet_addr } from './tuple';
import { CTINFO2DIR, NF_CT_EXPECT_CLASS_DEFAULT, NF_CT_EXPECT_PERMANENT, type nf_conn, type nf_conntrack_expect, type nf_conntrack_helper } from './types';
import { expect_lock } from './net';
import { nf_ct_l3num, nf_ct_net, nf_ct_refresh, nf_ct_zone, nfct_help } from './core';
import { __nf_ct_expect_find, nf_ct_expect_alloc, nf_ct_expect_init, nf_ct_expect_put, nf_ct_expect_related } from './expect';

/** default_rrq_ttl (seconds) */
export const default_rrq_ttl = 300;

/** struct nf_ct_h323_master (the RAS fields) */
export interface nf_ct_h323_master {
  sig_port: [number, number];
  timeout: number;
}

/** A TransportAddress as decoded */
export interface TransportAddress {
  readonly addr: nf_inet_addr;
  readonly port: number;
}
/** RegistrationRequest as decoded (callSignalAddress, optional timeToLive) */
export interface RegistrationRequest {
  readonly callSignalAddress: readonly TransportAddress[];
  readonly timeToLive?: number;
}
/** RegistrationConfirm as decoded */
export interface RegistrationConfirm {
  readonly timeToLive?: number;
}

/** The Q.931 helper the expectations attach to new calls (its parser is not modelled). */
export function nf_conntrack_helper_q931(l3num: number = AF_INET): nf_conntrack_helper {
  return {
    name: 'Q.931',
    tuple: mkTuple(l3num, IPPROTO_TCP, [0, 0, 0, 0], 1720, [0, 0, 0, 0], 0),
    expect_policy: [{ name: '', max_expected: 2 * 4 + 4, timeout: 240 }],
    expect_class_max: 0,
    help: null,
    data: null,
    registered: false,
  };
}

/** The "RAS" helper (UDP 1719, ras_exp_policy). Its help() decodes ASN.1 in the kernel: not modelled. */
export function nf_conntrack_helper_ras(l3num: number = AF_INET): nf_conntrack_helper {
  return {
    name: 'RAS',
    tuple: mkTuple(l3num, IPPROTO_UDP, [0, 0, 0, 0], 1719, [0, 0, 0, 0], 0),
    expect_policy: [{ name: '', max_expected: 32, timeout: 240 }],
    expect_class_max: 0,
    help: null,
    data: (): nf_ct_h323_master => ({ sig_port: [0, 0], timeout: 0 }),
    registered: false,
  };
}

/** expect_q931(): a permanent expectation for the endpoint's call signalling port. */
export function* expect_q931(ct: nf_conn, ctinfo: number, taddr: readonly TransportAddress[], q931: nf_conntrack_helper, gkrouted_only = true): KGen<number> {
  const info = nfct_help(ct)!.data as nf_ct_h323_master;
  const dir = CTINFO2DIR(ctinfo);
  /* Look for the first related address */
  const i = taddr.findIndex((t) => nf_inet_addr_cmp(t.addr, ct.tuplehash[dir]!.tuple.src.u3) && t.port !== 0);
  if (i < 0) return 0; /* Not found */
  const port = taddr[i]!.port;
  /* Create expect for Q.931 */
  const exp = yield* nf_ct_expect_alloc(ct);
  if (!exp) return -1;
  nf_ct_expect_init(exp, NF_CT_EXPECT_CLASS_DEFAULT, nf_ct_l3num(ct), gkrouted_only ? ct.tuplehash[dir ^ 1]!.tuple.src.u3 : null, ct.tuplehash[dir ^ 1]!.tuple.dst.u3, IPPROTO_TCP, null, port);
  exp.helper = q931;
  exp.flags = NF_CT_EXPECT_PERMANENT; /* Accept multiple calls */
  let ret = 0;
  if ((yield* nf_ct_expect_related(exp)) === 0) {
    /* Save port for looking up expect in processing RCF */
    info.sig_port[dir] = port;
  } else ret = -1;
  yield* nf_ct_expect_put(exp);
  return ret;
}

/** process_rrq(): RRQ from an endpoint. */
export function* process_rrq(ct: nf_conn, ctinfo: number, rrq: RegistrationRequest, q931: nf_conntrack_helper): KGen<number> {
  const info = nfct_help(ct)!.data as nf_ct_h323_master;
  const ret = yield* expect_q931(ct, ctinfo, rrq.callSignalAddress, q931);
  if (ret < 0) return -1;
  info.timeout = rrq.timeToLive ?? default_rrq_ttl;
  return 0;
}

/** find_expect(): this master's expectation for addr:port (the tuple's source family is the master's here; see README). */
function* find_expect(ct: nf_conn, addr: nf_inet_addr, port: number): KGen<nf_conntrack_expect | null> {
  const tuple = mkTuple(nf_ct_l3num(ct), IPPROTO_TCP, [0, 0, 0, 0], 0, addr, port);
  const exp = yield* __nf_ct_expect_find(nf_ct_net(ct), nf_ct_zone(ct), tuple);
  if (exp && exp.master === ct) return exp;
  return null;
}

/** set_expect_timeout(): re-arm an expectation's timer if it is still pending. */
function* set_expect_timeout(exp: nf_conntrack_expect | null, timeout: number): KGen<number> {
  if (!exp || !(yield* del_timer(exp.timeout))) return 0;
  exp.timeout.expires = jiffies() + timeout * HZ();
  yield* add_timer(exp.timeout);
  return 1;
}

/** process_rcf(): RCF from the gatekeeper: RAS timeout and the Q.931 expectation's timeout (seed: under nf_conntrack_expect_lock). */
export function* process_rcf(ct: nf_conn, ctinfo: number, rcf: RegistrationConfirm): KGen<number> {
  const info = nfct_help(ct)!.data as nf_ct_h323_master;
  const dir = CTINFO2DIR(ctinfo);
  if (rcf.timeToLive !== undefined) info.timeout = rcf.timeToLive;
  if (info.timeout > 0) {
    yield* nf_ct_refresh(ct, info.timeout * HZ());
    /* Set expect timeout */
    const lock = expect_lock(nf_ct_net(ct));
    yield* spin_lock_bh(lock);
    const exp = yield* find_expect(ct, ct.tuplehash[dir]!.tuple.dst.u3, info.sig_port[dir ^ 1]!);
    if (exp) yield* set_expect_timeout(exp, info.timeout);
    yield* spin_unlock_bh(lock);
  }
  return 0;
}
