// net/netfilter/nf_conntrack_helper.c at the seed (v3.14 + series 3/5 and
// 4/5, seed 001): the helper table, the helper extension, helper assignment
// at connection creation, the expectfn list (now under
// nf_conntrack_expect_lock) and unregistration, which removes the helper's
// expectations and unsets the helper of every conntrack that uses it.

import {
  EEXIST, Cell, RCU_INIT_POINTER, lockdep_is_held, msleep, might_sleep, mutex_lock, mutex_unlock, rcu_access_pointer, rcu_assign_pointer,
  rcu_dereference, rcu_dereference_protected, rcu_read_lock, rcu_read_unlock, spin_lock_bh, spin_unlock_bh, synchronize_rcu, del_timer,
  type KGen,
} from '@k/core-sync';
import { IPS_HELPER_BIT, NF_CT_MAX_EXPECT_CLASSES, type NfConntrack, type ct_template, type nf_conn, type nf_conn_help, type nf_conntrack_helper, type nf_conntrack_tuple_hash, type nf_ct_helper_expectfn, type expectfn_t, type net } from './types';
import { IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY, nf_ct_tuple_src_mask_cmp, type nf_conntrack_tuple } from './tuple';
import { expect_lock } from './net';
import { nf_ct_net, nfct_help, set_bit, test_bit } from './core';
import { expect_helper, fate, nf_ct_expect_put, nf_ct_unlink_expect } from './expect';

/** nf_ct_helper_ext_add(): the helper extension with an empty expectation list. */
export function nf_ct_helper_ext_add(ct: nf_conn, helper: nf_conntrack_helper): nf_conn_help {
  if (ct.ext_help) return ct.ext_help;
  const help: nf_conn_help = {
    helper: new Cell<nf_conntrack_helper | null>(null, `nf_conn#${ct.id}.help->helper`),
    expectations: [],
    expecting: new Array<number>(NF_CT_MAX_EXPECT_CLASSES).fill(0),
    data: helper.data ? helper.data() : null,
  };
  ct.ext_help = help;
  return help;
}

/** __nf_ct_helper_find(): the helper registered for a reply tuple (l3num, protonum, source port). */
export function __nf_ct_helper_find(nfct: NfConntrack, tuple: nf_conntrack_tuple): nf_conntrack_helper | null {
  if (!nfct.nf_ct_helper_count) return null;
  const mask = { src: { u3: [0, 0, 0, 0] as const, u: { all: 0xffff } } };
  for (const helper of nfct.nf_ct_helper_hash) {
    if (nf_ct_tuple_src_mask_cmp(tuple, helper.tuple, mask)) return helper;
  }
  return null;
}

/** __nf_conntrack_helper_find(): by name, family and protocol. */
export function __nf_conntrack_helper_find(nfct: NfConntrack, name: string, l3num: number, protonum: number): nf_conntrack_helper | null {
  for (const h of nfct.nf_ct_helper_hash) {
    if (h.name === name && h.tuple.src.l3num === l3num && h.tuple.dst.protonum === protonum) return h;
  }
  return null;
}

/** __nf_ct_try_assign_helper(): the template's helper, else (auto-assign) the one registered for the tuple. */
export function* __nf_ct_try_assign_helper(ct: nf_conn, tmpl: ct_template | null): KGen<number> {
  const n = nf_ct_net(ct);
  let helper: nf_conntrack_helper | null = null;
  /* We already got a helper explicitly attached. */
  if (test_bit(IPS_HELPER_BIT, ct)) return 0;
  if (tmpl !== null && tmpl.helper !== null) {
    helper = tmpl.helper;
    set_bit(IPS_HELPER_BIT, ct);
  }
  let help = nfct_help(ct);
  if (n.ct.sysctl_auto_assign_helper && helper === null) {
    helper = __nf_ct_helper_find(n.nfct, ct.tuplehash[IP_CT_DIR_REPLY].tuple);
    if (!n.ct.auto_assign_helper_warned && helper) n.ct.auto_assign_helper_warned = true;
  }
  if (helper === null) {
    if (help) yield* RCU_INIT_POINTER(help.helper, null);
    return 0;
  }
  if (help === null) help = nf_ct_helper_ext_add(ct, helper);
  else help.data = helper.data ? helper.data() : null;
  yield* rcu_assign_pointer(help.helper, helper);
  return 0;
}

/** nf_ct_helper_destroy(): the helper's destroy callback (none of the modelled helpers has one). */
export function* nf_ct_helper_destroy(ct: nf_conn): KGen {
  const help = nfct_help(ct);
  if (help) {
    yield* rcu_read_lock();
    yield* rcu_dereference(help.helper);
    yield* rcu_read_unlock();
  }
}

/**
 * unhelp(): unset the helper of a conntrack if it is `me`. The seed changed
 * its lockdep annotation to nf_conntrack_expect_lock, which its callers do
 * not hold (finding B); v3.16 reads the pointer with rcu_dereference_raw.
 */
function* unhelp(i: nf_conntrack_tuple_hash, me: nf_conntrack_helper): KGen<number> {
  const ct = i.ct;
  const help = nfct_help(ct);
  if (!help) return 0;
  const nfct = nf_ct_net(ct).nfct;
  const cur = nfct.cfg.fixes.unhelpRaw
    ? yield* rcu_access_pointer(help.helper) // rcu_dereference_raw()
    : yield* rcu_dereference_protected(help.helper, lockdep_is_held(expect_lock(nf_ct_net(ct))));
  if (cur === me) {
    // nf_conntrack_event(IPCT_HELPER, ct)
    yield* RCU_INIT_POINTER(help.helper, null);
  }
  return 0;
}

// ---- the expectfn list -------------------------------------------------------------------

/** nf_ct_helper_expectfn_register(): list_add_rcu under the expectation lock. */
export function* nf_ct_helper_expectfn_register(n: net, e: nf_ct_helper_expectfn): KGen {
  const lock = expect_lock(n);
  yield* spin_lock_bh(lock);
  n.nfct.nf_ct_helper_expectfn_list.unshift(e);
  yield* spin_unlock_bh(lock);
}

/** nf_ct_helper_expectfn_unregister(): list_del_rcu under the expectation lock. */
export function* nf_ct_helper_expectfn_unregister(n: net, e: nf_ct_helper_expectfn): KGen {
  const lock = expect_lock(n);
  yield* spin_lock_bh(lock);
  const l = n.nfct.nf_ct_helper_expectfn_list;
  const i = l.indexOf(e);
  if (i >= 0) l.splice(i, 1);
  yield* spin_unlock_bh(lock);
}

/** nf_ct_helper_expectfn_find_by_name(): RCU lookup (ctnetlink CTA_EXPECT_FN). */
export function* nf_ct_helper_expectfn_find_by_name(nfct: NfConntrack, name: string): KGen<nf_ct_helper_expectfn | null> {
  yield* rcu_read_lock();
  const cur = nfct.nf_ct_helper_expectfn_list.find((e) => e.name === name) ?? null;
  yield* rcu_read_unlock();
  return cur;
}

/** nf_ct_helper_expectfn_find_by_symbol(): RCU lookup by function (ctnetlink dump). */
export function* nf_ct_helper_expectfn_find_by_symbol(nfct: NfConntrack, symbol: expectfn_t): KGen<nf_ct_helper_expectfn | null> {
  yield* rcu_read_lock();
  const cur = nfct.nf_ct_helper_expectfn_list.find((e) => e.expectfn === symbol) ?? null;
  yield* rcu_read_unlock();
  return cur;
}

// ---- registration ------------------------------------------------------------------------------

/** nf_conntrack_helper_register(): -EEXIST for a second helper of the same name, family and protocol. */
export function* nf_conntrack_helper_register(nfct: NfConntrack, me: nf_conntrack_helper): KGen<number> {
  yield* mutex_lock(nfct.nf_ct_helper_mutex);
  for (const cur of nfct.nf_ct_helper_hash) {
    if (cur.name === me.name && cur.tuple.src.l3num === me.tuple.src.l3num && cur.tuple.dst.protonum === me.tuple.dst.protonum) {
      yield* mutex_unlock(nfct.nf_ct_helper_mutex);
      return -EEXIST;
    }
  }
  nfct.nf_ct_helper_hash.unshift(me);
  nfct.nf_ct_helper_count++;
  me.registered = true;
  yield* mutex_unlock(nfct.nf_ct_helper_mutex);
  return 0;
}

/** __nf_conntrack_helper_unregister(): one netns; the caller holds nf_conntrack_lock. */
function* __nf_conntrack_helper_unregister(me: nf_conntrack_helper, n: net): KGen {
  const nfct = n.nfct;
  const split = nfct.cfg.design === 'split';
  /* Get rid of expectations */
  if (split) yield* spin_lock_bh(nfct.nf_conntrack_expect_lock);
  for (const b of n.ct.expect_hash) {
    if (!b) continue;
    for (const exp of [...b]) {
      const help = nfct_help(exp.master)!;
      const cur = yield* expect_helper(n, help);
      if ((cur === me || exp.helper === me) && (yield* del_timer(exp.timeout))) {
        fate(exp, 'removed');
        yield* nf_ct_unlink_expect(exp);
        yield* nf_ct_expect_put(exp);
      }
    }
  }
  if (split) yield* spin_unlock_bh(nfct.nf_conntrack_expect_lock);

  /* Get rid of expecteds, set helpers to NULL. */
  for (const pcpu of n.ct.pcpu_lists) {
    yield* spin_lock_bh(pcpu.lock);
    for (const ct of [...pcpu.unconfirmed]) yield* unhelp(ct.tuplehash[IP_CT_DIR_ORIGINAL], me);
    yield* spin_unlock_bh(pcpu.lock);
  }
  for (const c of n.ct.hash) {
    if (!c) continue;
    for (const h of [...c]) yield* unhelp(h, me);
  }
}

/** nf_conntrack_helper_unregister(): unhash, wait for readers, clean every netns under nf_conntrack_lock. */
export function* nf_conntrack_helper_unregister(nfct: NfConntrack, me: nf_conntrack_helper): KGen {
  yield* mutex_lock(nfct.nf_ct_helper_mutex);
  const i = nfct.nf_ct_helper_hash.indexOf(me);
  if (i >= 0) {
    nfct.nf_ct_helper_hash.splice(i, 1);
    nfct.nf_ct_helper_count--;
  }
  yield* mutex_unlock(nfct.nf_ct_helper_mutex);
  /* Make sure every nothing is still using the helper unless its a connection in the hash. */
  yield* synchronize_rcu();
  yield* mutex_lock(nfct.rtnl_mutex);
  yield* spin_lock_bh(nfct.nf_conntrack_lock);
  for (const n of nfct.nets) yield* __nf_conntrack_helper_unregister(me, n);
  yield* spin_unlock_bh(nfct.nf_conntrack_lock);
  yield* mutex_unlock(nfct.rtnl_mutex);
  me.registered = false;
}

/**
 * request_module("nfct-helper-%s"): runs modprobe and sleeps while it does;
 * a module the world declares loadable registers its helper. Returns 0 when
 * modprobe succeeded, 1 (modprobe's exit status) when there is no such module.
 */
export function* request_module(nfct: NfConntrack, name: string): KGen<number> {
  might_sleep(`request_module("nfct-helper-${name}")`);
  yield* msleep(1);
  const h = nfct.loadable.get(name);
  if (!h) return 1;
  nfct.loadable.delete(name);
  yield* nf_conntrack_helper_register(nfct, h);
  return 0;
}

