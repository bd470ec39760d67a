// net/netfilter/nf_conntrack_core.c at the seed (v3.14 plus patches 2/5,
// 3/5 and 4/5 of "netfilter: conntrack: optimization, remove central
// spinlock", seed 001): allocation, init_conntrack, the lockless lookup,
// confirmation into the hash table under nf_conntrack_lock, the per-cpu
// unconfirmed and dying lists (3/5), timeouts, deletion and destroy_conntrack.
// `design: 'global'` runs the left-hand side of the seed's diff
// (expectations under nf_conntrack_lock), `split` the right-hand side.

import {
  ENOMEM, ERR_PTR, GFP_ATOMIC, IS_ERR, Violation, add_timer, atomic_dec, atomic_dec_return, atomic_inc, atomic_inc_not_zero,
  atomic_read, atomic_set, del_timer, HZ, jiffies, kassert, kfree_rcu, kmalloc, local_bh_disable, local_bh_enable, rcu_assign_pointer,
  rcu_dereference, rcu_read_lock, rcu_read_unlock, spin_lock, spin_lock_bh, spin_lock_init, spin_unlock, spin_unlock_bh, timer_pending,
  timer_setup, Atomic, Op, A_READ, A_WRITE, type ErrPtr, type KGen, type TimerList, BUG_ON,
} from '@k/core-sync';
import { jhash2, reciprocal_scale } from './jhash';
import {
  NF_CT_STAT_INC, cost, expect_count_lockless, this_cpu,
} from './net';
import {
  CTINFO2DIR, IPS_ASSURED_BIT, IPS_CONFIRMED, IPS_DYING, IPS_DYING_BIT, IPS_EXPECTED_BIT, IPS_SEEN_REPLY_BIT, IP_CT_ESTABLISHED,
  IP_CT_ESTABLISHED_REPLY, IP_CT_NEW, IP_CT_RELATED, IP_CT_RELATED_REPLY, NF_ACCEPT, NF_CT_DEFAULT_ZONE, NF_DROP, NF_REPEAT,
  type ct_template, type nf_conn, type nf_conn_help, type nf_conntrack_expect, type nf_conntrack_l4proto, type nf_conntrack_tuple_hash,
  type net, type sk_buff,
} from './types';
import {
  IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY, mkTuple, nf_ct_invert_tuple, nf_ct_tuple_equal, type nf_conntrack_tuple,
} from './tuple';
import { nf_ct_expect_put, nf_ct_find_expectation, nf_ct_remove_expectations } from './expect';
import { __nf_ct_try_assign_helper, nf_ct_helper_destroy, nf_ct_helper_ext_add } from './helper';
import { l4proto_find } from './proto';

// ---- small accessors (include/net/netfilter/nf_conntrack.h) ---------------------------

export const nf_ct_net = (ct: nf_conn): net => ct.ct_net;
export const nfct_help = (ct: nf_conn): nf_conn_help | null => ct.ext_help;
export const nf_ct_zone = (ct: nf_conn): number => ct.zone;
export const nf_ct_l3num = (ct: nf_conn): number => ct.tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.l3num;
export const nf_ct_protonum = (ct: nf_conn): number => ct.tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.protonum;
export const nf_ct_is_confirmed = (ct: nf_conn): boolean => (ct.status & IPS_CONFIRMED) !== 0;
export const nf_ct_is_dying = (ct: nf_conn): boolean => (ct.status & IPS_DYING) !== 0;
/** NF_CT_DIRECTION(h) */
export const NF_CT_DIRECTION = (h: nf_conntrack_tuple_hash): number => h.tuple.dst.dir;
export const test_bit = (nr: number, ct: nf_conn): boolean => (ct.status & (1 << nr)) !== 0;
export const set_bit = (nr: number, ct: nf_conn): void => {
  ct.status |= 1 << nr;
};
/** test_and_set_bit(): returns the old bit */
export const test_and_set_bit = (nr: number, ct: nf_conn): boolean => {
  const old = test_bit(nr, ct);
  ct.status |= 1 << nr;
  return old;
};

/** The hash-chain walk: one scheduling point (the chain itself is read at once). */
const OP_HASH_READ = new Op('hlist_nulls_for_each_entry_rcu(net->ct.hash)', null, 0, A_READ);
const OP_HASH_WRITE = new Op('hlist_nulls_add/del(net->ct.hash)', null, 0, A_WRITE);

/**
 * hash_conntrack_raw(): jhash2 over the source part and the destination
 * address (9 words), the destination port and protocol folded into the
 * initial value. The source port and l3num share one word here.
 */
export function hash_conntrack_raw(tuple: nf_conntrack_tuple, zone: number, rnd: number): number {
  const w = [
    tuple.src.u3[0], tuple.src.u3[1], tuple.src.u3[2], tuple.src.u3[3],
    ((tuple.src.u.all << 16) | (tuple.src.l3num & 0xffff)) >>> 0,
    tuple.dst.u3[0], tuple.dst.u3[1], tuple.dst.u3[2], tuple.dst.u3[3],
  ];
  return jhash2(w, 9, (zone ^ rnd ^ (((tuple.dst.u.all << 16) | tuple.dst.protonum) >>> 0)) >>> 0);
}

/** hash_bucket() */
export function hash_bucket(hash: number, n: net): number {
  return reciprocal_scale(hash, n.ct.htable_size);
}

function chain(n: net, bucket: number): nf_conntrack_tuple_hash[] {
  let c = n.ct.hash[bucket];
  if (!c) {
    c = [];
    n.ct.hash[bucket] = c;
  }
  return c;
}

// ---- reference counting ------------------------------------------------------------------

/** nf_conntrack_get(&ct->ct_general) */
export function* nf_conntrack_get(ct: nf_conn): KGen {
  yield* atomic_inc(ct.ct_general.use);
}

/** nf_ct_put(ct) / nf_conntrack_put(): the last reference destroys the conntrack. */
export function* nf_ct_put(ct: nf_conn): KGen {
  const v = yield* atomic_dec_return(ct.ct_general.use);
  if (v < 0) throw new Violation('refcount', `nf_conn#${ct.id}: ct_general.use underflows to ${v} (a put without a get)`);
  if (v === 0) yield* nf_conntrack_destroy(ct);
}

/** nf_conntrack_destroy(): calls the destroy hook (destroy_conntrack) under rcu_read_lock. */
function* nf_conntrack_destroy(ct: nf_conn): KGen {
  yield* rcu_read_lock();
  yield* destroy_conntrack(ct);
  yield* rcu_read_unlock();
}

// ---- the per-cpu lists (seed series 3/5) ------------------------------------------------

/** nf_ct_add_to_dying_list(): must be called with local_bh_disable */
export function* nf_ct_add_to_dying_list(ct: nf_conn): KGen {
  ct.cpu = this_cpu();
  const pcpu = nf_ct_net(ct).ct.pcpu_lists[ct.cpu]!;
  yield* spin_lock(pcpu.lock);
  yield* cost(nf_ct_net(ct), 'list_op');
  pcpu.dying.unshift(ct);
  ct.list = 'dying';
  yield* spin_unlock(pcpu.lock);
}

/** nf_ct_add_to_unconfirmed_list(): must be called with local_bh_disable */
export function* nf_ct_add_to_unconfirmed_list(ct: nf_conn): KGen {
  ct.cpu = this_cpu();
  const pcpu = nf_ct_net(ct).ct.pcpu_lists[ct.cpu]!;
  yield* spin_lock(pcpu.lock);
  yield* cost(nf_ct_net(ct), 'list_op');
  pcpu.unconfirmed.unshift(ct);
  ct.list = 'unconfirmed';
  yield* spin_unlock(pcpu.lock);
}

/** nf_ct_del_from_dying_or_unconfirmed_list(): must be called with local_bh_disable */
export function* nf_ct_del_from_dying_or_unconfirmed_list(ct: nf_conn): KGen {
  const pcpu = nf_ct_net(ct).ct.pcpu_lists[ct.cpu]!;
  yield* spin_lock(pcpu.lock);
  // BUG_ON(hlist_nulls_unhashed(&ct->tuplehash[IP_CT_DIR_ORIGINAL].hnnode))
  BUG_ON(ct.list !== 'unconfirmed' && ct.list !== 'dying', `nf_ct_del_from_dying_or_unconfirmed_list: nf_conn#${ct.id} is on no per-cpu list (${ct.list})`);
  const l = ct.list === 'unconfirmed' ? pcpu.unconfirmed : pcpu.dying;
  const i = l.indexOf(ct);
  BUG_ON(i < 0, `nf_conn#${ct.id} is not on the ${ct.list} list of cpu${ct.cpu}`);
  l.splice(i, 1);
  ct.list = 'none';
  yield* spin_unlock(pcpu.lock);
}

// ---- destruction ------------------------------------------------------------------------

/** clean_from_lists(): unhash both directions and destroy pending expectations (under nf_conntrack_lock). */
function* clean_from_lists(ct: nf_conn): KGen {
  const n = nf_ct_net(ct);
  yield OP_HASH_WRITE;
  for (const h of ct.tuplehash) {
    const c = chain(n, hash_bucket(hash_conntrack_raw(h.tuple, ct.zone, n.nfct.cfg.hash_rnd), n));
    const i = c.indexOf(h);
    if (i >= 0) c.splice(i, 1);
  }
  ct.list = 'none';
  /* Destroy all pending expectations */
  yield* nf_ct_remove_expectations(ct);
}

/** destroy_conntrack(): the last reference is gone. */
export function* destroy_conntrack(ct: nf_conn): KGen {
  const n = nf_ct_net(ct);
  kassert((yield* atomic_read(ct.ct_general.use)) === 0, `destroy_conntrack(nf_conn#${ct.id}) with use != 0`);
  kassert(!timer_pending(ct.timeout), `destroy_conntrack(nf_conn#${ct.id}) with its timer pending`);
  yield* cost(n, 'ct_destroy');
  if (n.nfct.cfg.design === 'global') {
    // before the seed: "destroy_conntrack() MUST NOT be called with a write lock to nf_conntrack_lock!!! -HW"
    yield* spin_lock_bh(n.nfct.nf_conntrack_lock);
  } else {
    yield* local_bh_disable();
  }
  /* Expectations will have been removed in clean_from_lists, except TFTP can
   * create an expectation on the first packet, before connection is in the
   * list, so we need to clean here, too. */
  yield* nf_ct_remove_expectations(ct);
  yield* nf_ct_del_from_dying_or_unconfirmed_list(ct);
  NF_CT_STAT_INC(n, 'delete');
  if (n.nfct.cfg.design === 'global') yield* spin_unlock_bh(n.nfct.nf_conntrack_lock);
  else yield* local_bh_enable();

  if (ct.master) yield* nf_ct_put(ct.master);
  yield* nf_conntrack_free(ct);
}

/** nf_ct_delete_from_lists(): unhash and put on the dying list. */
function* nf_ct_delete_from_lists(ct: nf_conn): KGen {
  const n = nf_ct_net(ct);
  yield* nf_ct_helper_destroy(ct);
  yield* spin_lock_bh(n.nfct.nf_conntrack_lock);
  /* Inside lock so preempt is disabled on module removal path. */
  NF_CT_STAT_INC(n, 'delete_list');
  yield* clean_from_lists(ct);
  yield* nf_ct_add_to_dying_list(ct);
  yield* spin_unlock_bh(n.nfct.nf_conntrack_lock);
}

/** nf_ct_delete(): mark dying, unlink, drop the hash table's reference. Event delivery always succeeds here. */
export function* nf_ct_delete(ct: nf_conn, _portid = 0, _report = 0): KGen<boolean> {
  if (!nf_ct_is_dying(ct)) set_bit(IPS_DYING_BIT, ct);
  yield* nf_ct_delete_from_lists(ct);
  yield* nf_ct_put(ct);
  return true;
}

/** death_by_timeout(): the conntrack timer callback (softirq). */
function* death_by_timeout(t: TimerList): KGen {
  yield* nf_ct_delete(t.container as nf_conn, 0, 0);
}

/** nf_ct_kill(): run the timeout now if the timer can still be stopped. */
export function* nf_ct_kill(ct: nf_conn): KGen<boolean> {
  if (yield* del_timer(ct.timeout)) {
    yield* death_by_timeout(ct.timeout);
    return true;
  }
  return false;
}

// ---- lookup ---------------------------------------------------------------------------------

/** ____nf_conntrack_find(): lockless walk of one chain (the caller holds rcu_read_lock). */
function* ____nf_conntrack_find(n: net, zone: number, tuple: nf_conntrack_tuple, hash: number): KGen<nf_conntrack_tuple_hash | null> {
  /* Disable BHs the entire time since we normally need to disable them at least once for the stats anyway. */
  yield* local_bh_disable();
  yield* cost(n, 'ct_lookup');
  yield OP_HASH_READ;
  const c = n.ct.hash[hash_bucket(hash, n)] ?? [];
  for (const h of c) {
    if (nf_ct_tuple_equal(tuple, h.tuple) && nf_ct_zone(h.ct) === zone) {
      NF_CT_STAT_INC(n, 'found');
      yield* local_bh_enable();
      return h;
    }
    NF_CT_STAT_INC(n, 'searched');
  }
  yield* local_bh_enable();
  return null;
}

/** __nf_conntrack_find_get(): find and take a reference, re-checking the key after the get. */
function* __nf_conntrack_find_get(n: net, zone: number, tuple: nf_conntrack_tuple, hash: number): KGen<nf_conntrack_tuple_hash | null> {
  yield* rcu_read_lock();
  for (;;) {
    const h = yield* ____nf_conntrack_find(n, zone, tuple, hash);
    if (h) {
      const ct = h.ct;
      if (nf_ct_is_dying(ct) || !(yield* atomic_inc_not_zero(ct.ct_general.use))) {
        yield* rcu_read_unlock();
        return null;
      }
      if (!nf_ct_tuple_equal(tuple, h.tuple) || nf_ct_zone(ct) !== zone) {
        yield* nf_ct_put(ct);
        continue;
      }
    }
    yield* rcu_read_unlock();
    return h;
  }
}

/** nf_conntrack_find_get(): a referenced conntrack for a tuple, or null. */
export function* nf_conntrack_find_get(n: net, zone: number, tuple: nf_conntrack_tuple): KGen<nf_conntrack_tuple_hash | null> {
  return yield* __nf_conntrack_find_get(n, zone, tuple, hash_conntrack_raw(tuple, zone, n.nfct.cfg.hash_rnd));
}

// ---- allocation ------------------------------------------------------------------------------

const NF_CT_EVICTION_RANGE = 8;

/** early_drop(): drop an unassured conntrack near `hash` when the table is full. */
function* early_drop(n: net, hash: number): KGen<boolean> {
  let ct: nf_conn | null = null;
  let cnt = 0;
  yield* rcu_read_lock();
  let bucket = hash;
  for (let i = 0; i < n.ct.htable_size; i++) {
    yield OP_HASH_READ;
    for (const h of n.ct.hash[bucket] ?? []) {
      if (!test_bit(IPS_ASSURED_BIT, h.ct)) ct = h.ct;
      cnt++;
    }
    if (ct !== null) {
      if (!nf_ct_is_dying(ct) && (yield* atomic_inc_not_zero(ct.ct_general.use))) break;
      ct = null;
    }
    if (cnt >= NF_CT_EVICTION_RANGE) break;
    bucket = (bucket + 1) % n.ct.htable_size;
  }
  yield* rcu_read_unlock();
  if (!ct) return false;
  let dropped = false;
  if (yield* del_timer(ct.timeout)) {
    if (yield* nf_ct_delete(ct, 0, 0)) {
      dropped = true;
      NF_CT_STAT_INC(n, 'early_drop');
    }
  }
  yield* nf_ct_put(ct);
  return dropped;
}

/** __nf_conntrack_alloc(): a conntrack with use == 0, not on any list, its timer not armed. */
export function* __nf_conntrack_alloc(n: net, zone: number, orig: nf_conntrack_tuple, repl: nf_conntrack_tuple, hash: number): KGen<nf_conn | ErrPtr> {
  const nfct = n.nfct;
  /* We don't want any race condition at early drop stage */
  yield* atomic_inc(n.ct.count);
  if (nfct.cfg.nf_conntrack_max && (yield* atomic_read(n.ct.count)) > nfct.cfg.nf_conntrack_max) {
    if (!(yield* early_drop(n, hash_bucket(hash, n)))) {
      yield* atomic_dec(n.ct.count);
      // net_warn_ratelimited("nf_conntrack: table full, dropping packet\n")
      return ERR_PTR(-ENOMEM);
    }
  }
  yield* cost(n, 'ct_alloc');
  const id = nfct.nextCtId++;
  let raw: nf_conn | null = null;
  const ct = yield* kmalloc((): nf_conn => {
    const obj = {
      id,
      ct_general: { use: new Atomic(0, `nf_conn#${id}.use`) },
      lock: spin_lock_init(`ct->lock#${id}`, 'ct->lock'),
      tuplehash: [null, null] as unknown as [nf_conntrack_tuple_hash, nf_conntrack_tuple_hash],
      status: 0,
      master: null,
      timeout: timer_setup(death_by_timeout, 0, `nf_conn#${id}.timeout`),
      mark: 0,
      secmark: 0,
      zone,
      cpu: 0,
      ct_net: n,
      ext_help: null,
      proto: { tcp: { seen: [{ flags: 0, td_end: 0 }, { flags: 0, td_end: 0 }], state: 0, last_dir: 0, last_index: 0, last_seq: 0, last_ack: 0, last_end: 0, retrans: 0 } },
      hash,
      list: 'none',
    } as nf_conn;
    (obj as { tuplehash: unknown }).tuplehash = [
      { tuple: orig, ct: obj },
      { tuple: repl, ct: obj },
    ];
    raw = obj;
    return obj;
  }, GFP_ATOMIC, 'nf_conn');
  if (ct === null) {
    yield* atomic_dec(n.ct.count);
    return ERR_PTR(-ENOMEM);
  }
  // the hash nodes point at the object as the code sees it (the checked view)
  (ct as { tuplehash: unknown }).tuplehash = [{ tuple: orig, ct }, { tuple: repl, ct }];
  ct.timeout.container = ct;
  nfct.allConntracks.push(raw!);
  /* Because we use RCU lookups, we set ct_general.use to zero before this is inserted in any list. */
  yield* atomic_set(ct.ct_general.use, 0);
  return ct;
}

/** nf_conntrack_alloc(): the exported form (ctnetlink). */
export function* nf_conntrack_alloc(n: net, zone: number, orig: nf_conntrack_tuple, repl: nf_conntrack_tuple): KGen<nf_conn | ErrPtr> {
  return yield* __nf_conntrack_alloc(n, zone, orig, repl, hash_conntrack_raw(orig, zone, n.nfct.cfg.hash_rnd));
}

/**
 * nf_conntrack_free(): the cache is SLAB_DESTROY_BY_RCU, so lockless readers
 * may still look at the memory; the model frees it after a grace period
 * (kfree_rcu), which keeps those readers from touching freed memory as the
 * type-stable slab does.
 */
export function* nf_conntrack_free(ct: nf_conn): KGen {
  const n = nf_ct_net(ct);
  /* A freed object has refcnt == 0, that's the golden rule for SLAB_DESTROY_BY_RCU */
  kassert((yield* atomic_read(ct.ct_general.use)) === 0, `nf_conntrack_free(nf_conn#${ct.id}) with use != 0`);
  n.nfct.ctFreed.add(ct.id);
  yield* kfree_rcu(ct);
  yield* atomic_dec(n.ct.count);
}

// ---- init_conntrack: the seed's main change -------------------------------------------

/** The stage of init_conntrack a scenario may want to observe (model hook for properties). */
export type InitHook = (ct: nf_conn, exp: nf_conntrack_expect | null) => void;

/**
 * init_conntrack(): allocate a conntrack for a new tuple, look for an
 * expectation that matches it (global: under nf_conntrack_lock; split: with
 * bottom halves off, only if the lockless `net->ct.expect_count` test says
 * there are any, under nf_conntrack_expect_lock), and put it on the
 * unconfirmed list with one reference (the skb's).
 */
export function* init_conntrack(n: net, tmpl: ct_template | null, tuple: nf_conntrack_tuple, l4proto: nf_conntrack_l4proto, skb: sk_buff, hash: number): KGen<nf_conntrack_tuple_hash | null | ErrPtr> {
  const nfct = n.nfct;
  const zone = tmpl ? tmpl.zone : NF_CT_DEFAULT_ZONE;
  let exp: nf_conntrack_expect | null = null;

  const repl_tuple = nf_ct_invert_tuple(tuple);
  const ct = yield* __nf_conntrack_alloc(n, zone, tuple, repl_tuple, hash);
  if (IS_ERR(ct)) return ct;

  if (!l4proto.new_(ct, skb)) {
    yield* nf_conntrack_free(ct);
    return null;
  }

  if (nfct.cfg.design === 'global') {
    yield* spin_lock_bh(nfct.nf_conntrack_lock);
    exp = yield* nf_ct_find_expectation(n, zone, tuple);
    if (exp) yield* welcome(ct, exp);
    else {
      yield* __nf_ct_try_assign_helper(ct, tmpl);
      NF_CT_STAT_INC(n, 'new');
    }
    /* Now it is inserted into the unconfirmed list, bump refcount */
    yield* nf_conntrack_get(ct);
    yield* nf_ct_add_to_unconfirmed_list(ct);
    yield* spin_unlock_bh(nfct.nf_conntrack_lock);
  } else {
    yield* local_bh_disable();
    let onList = false;
    if (yield* expect_count_lockless(n)) {
      yield* spin_lock(nfct.nf_conntrack_expect_lock);
      exp = yield* nf_ct_find_expectation(n, zone, tuple);
      if (exp) yield* welcome(ct, exp);
      if (nfct.cfg.fixes.unconfirmedUnderExpectLock && exp) {
        // fix C: visible on the unconfirmed list before another CPU can see the expectation gone
        yield* nf_conntrack_get(ct);
        yield* nf_ct_add_to_unconfirmed_list(ct);
        onList = true;
      }
      yield* spin_unlock(nfct.nf_conntrack_expect_lock);
    }
    if (!exp) {
      yield* __nf_ct_try_assign_helper(ct, tmpl);
      NF_CT_STAT_INC(n, 'new');
    }
    if (!onList) {
      /* Now it is inserted into the unconfirmed list, bump refcount */
      yield* nf_conntrack_get(ct);
      yield* nf_ct_add_to_unconfirmed_list(ct);
    }
    yield* local_bh_enable();
  }

  if (exp) {
    if (exp.expectfn) yield* exp.expectfn(ct, exp);
    yield* nf_ct_expect_put(exp);
  }
  return ct.tuplehash[IP_CT_DIR_ORIGINAL];
}

/** The "Welcome, Mr. Bond" block: the new conntrack becomes the expectation's child. */
function* welcome(ct: nf_conn, exp: nf_conntrack_expect): KGen {
  const n = nf_ct_net(ct);
  set_bit(IPS_EXPECTED_BIT, ct);
  /* exp->master safe, refcnt bumped in nf_ct_find_expectation */
  ct.master = exp.master;
  if (exp.helper) {
    const help = nf_ct_helper_ext_add(ct, exp.helper);
    if (help) yield* rcu_assign_pointer(help.helper, exp.helper);
  }
  ct.mark = exp.master.mark;
  ct.secmark = exp.master.secmark;
  NF_CT_STAT_INC(n, 'expect_new');
}

// ---- the packet path -----------------------------------------------------------------------------

/** nf_ct_get_tuple(): the tuple of a packet (ipv4/ipv6 pkt_to_tuple + tcp/udp pkt_to_tuple). */
export function nf_ct_get_tuple(skb: sk_buff): nf_conntrack_tuple {
  return mkTuple(skb.l3num, skb.protonum, skb.saddr, skb.sport, skb.daddr, skb.dport, IP_CT_DIR_ORIGINAL);
}

/** resolve_normal_ct(): find or create the conntrack of a packet and its ctinfo. */
function* resolve_normal_ct(n: net, tmpl: ct_template | null, skb: sk_buff, l4proto: nf_conntrack_l4proto): KGen<{ ct: nf_conn; ctinfo: number; set_reply: boolean } | null | ErrPtr> {
  const zone = tmpl ? tmpl.zone : NF_CT_DEFAULT_ZONE;
  const tuple = nf_ct_get_tuple(skb);
  /* look for tuple match */
  const hash = hash_conntrack_raw(tuple, zone, n.nfct.cfg.hash_rnd);
  let h = yield* __nf_conntrack_find_get(n, zone, tuple, hash);
  if (!h) {
    const r = yield* init_conntrack(n, tmpl, tuple, l4proto, skb, hash);
    if (!r) return null;
    if (IS_ERR(r)) return r;
    h = r;
  }
  const ct = h.ct;
  let ctinfo: number;
  let set_reply = false;
  /* It exists; we have (non-exclusive) reference. */
  if (NF_CT_DIRECTION(h) === IP_CT_DIR_REPLY) {
    ctinfo = IP_CT_ESTABLISHED_REPLY;
    /* Please set reply bit if this packet OK */
    set_reply = true;
  } else if (test_bit(IPS_SEEN_REPLY_BIT, ct)) {
    /* Once we've had two way comms, always ESTABLISHED. */
    ctinfo = IP_CT_ESTABLISHED;
  } else if (test_bit(IPS_EXPECTED_BIT, ct)) {
    ctinfo = IP_CT_RELATED;
  } else {
    ctinfo = IP_CT_NEW;
  }
  skb.nfct = ct;
  skb.nfctinfo = ctinfo;
  return { ct, ctinfo, set_reply };
}

/** nf_conntrack_in(): the PRE_ROUTING / LOCAL_OUT hook; the caller holds rcu_read_lock (nf_hook_slow). */
export function* nf_conntrack_in(n: net, skb: sk_buff): KGen<number> {
  if (skb.nfct) {
    /* Previously seen (loopback or untracked)?  Ignore. */
    NF_CT_STAT_INC(n, 'ignore');
    return NF_ACCEPT;
  }
  const tmpl = skb.tmpl;
  const l4proto = l4proto_find(skb.protonum);
  const r = yield* resolve_normal_ct(n, tmpl, skb, l4proto);
  if (!r) {
    /* Not valid part of a connection */
    NF_CT_STAT_INC(n, 'invalid');
    return NF_ACCEPT;
  }
  if (IS_ERR(r)) {
    /* Too stressed to deal. */
    NF_CT_STAT_INC(n, 'drop');
    return NF_DROP;
  }
  const { ct, ctinfo, set_reply } = r;
  yield* cost(n, 'l4_packet');
  const ret = yield* l4proto.packet(ct, skb, ctinfo);
  if (ret <= 0) {
    /* Invalid: inverse of the return code tells the netfilter core what to do */
    const c = skb.nfct;
    skb.nfct = null;
    if (c) yield* nf_ct_put(c);
    NF_CT_STAT_INC(n, 'invalid');
    if (ret === -NF_DROP) NF_CT_STAT_INC(n, 'drop');
    return -ret;
  }
  if (set_reply && !test_and_set_bit(IPS_SEEN_REPLY_BIT, ct)) {
    // nf_conntrack_event_cache(IPCT_REPLY, ct)
  }
  return ret;
}

/** __nf_conntrack_confirm(): move a new conntrack from the unconfirmed list into the hash table. */
export function* __nf_conntrack_confirm(skb: sk_buff): KGen<number> {
  const ct = skb.nfct!;
  const ctinfo = skb.nfctinfo;
  const n = nf_ct_net(ct);
  /* ipt_REJECT uses nf_conntrack_attach to attach related ICMP/TCP RST
   * packets in other direction.  Actual packet which created connection
   * will be IP_CT_NEW or for an expected connection, IP_CT_RELATED. */
  if (CTINFO2DIR(ctinfo) !== IP_CT_DIR_ORIGINAL) return NF_ACCEPT;
  const zone = nf_ct_zone(ct);
  const rnd = n.nfct.cfg.hash_rnd;
  const hash = hash_conntrack_raw(ct.tuplehash[IP_CT_DIR_ORIGINAL].tuple, zone, rnd);
  const repl_hash = hash_conntrack_raw(ct.tuplehash[IP_CT_DIR_REPLY].tuple, zone, rnd);
  /* No external references means noone else could have confirmed us. */
  kassert(!nf_ct_is_confirmed(ct), `__nf_conntrack_confirm(nf_conn#${ct.id}): already confirmed`);

  yield* spin_lock_bh(n.nfct.nf_conntrack_lock);
  yield* cost(n, 'ct_confirm');
  /* We have to check the DYING flag inside the lock to prevent a race against
   * nf_ct_get_next_corpse() possibly called from user context, else we insert
   * an already 'dead' hash, blocking further use of that particular connection -JM */
  yield* nf_ct_del_from_dying_or_unconfirmed_list(ct);
  let lost = nf_ct_is_dying(ct);
  if (!lost) {
    /* See if there's one in the list already, including reverse: NAT could
     * have grabbed it without realizing, since we're not in the hash.  If
     * there is, we lost race. */
    yield OP_HASH_READ;
    for (const h of n.ct.hash[hash_bucket(hash, n)] ?? []) {
      if (nf_ct_tuple_equal(ct.tuplehash[IP_CT_DIR_ORIGINAL].tuple, h.tuple) && zone === nf_ct_zone(h.ct)) lost = true;
    }
    for (const h of n.ct.hash[hash_bucket(repl_hash, n)] ?? []) {
      if (nf_ct_tuple_equal(ct.tuplehash[IP_CT_DIR_REPLY].tuple, h.tuple) && zone === nf_ct_zone(h.ct)) lost = true;
    }
  }
  if (lost) {
    yield* nf_ct_add_to_dying_list(ct);
    NF_CT_STAT_INC(n, 'insert_failed');
    yield* spin_unlock_bh(n.nfct.nf_conntrack_lock);
    return NF_DROP;
  }
  /* Timer relative to confirmation time, not original setting time, otherwise
   * we'd get timer wrap in weird delay cases. */
  ct.timeout.expires += jiffies();
  yield* add_timer(ct.timeout);
  yield* atomic_inc(ct.ct_general.use);
  ct.status |= IPS_CONFIRMED;
  /* Since the lookup is lockless, hash insertion must be done after starting
   * the timer and setting the CONFIRMED bit. */
  yield* __nf_conntrack_hash_insert(ct, hash, repl_hash);
  NF_CT_STAT_INC(n, 'insert');
  yield* spin_unlock_bh(n.nfct.nf_conntrack_lock);
  return NF_ACCEPT;
}

/** __nf_conntrack_hash_insert(): both directions at the head of their chains. */
function* __nf_conntrack_hash_insert(ct: nf_conn, hash: number, repl_hash: number): KGen {
  const n = nf_ct_net(ct);
  yield OP_HASH_WRITE;
  chain(n, hash_bucket(hash, n)).unshift(ct.tuplehash[IP_CT_DIR_ORIGINAL]);
  chain(n, hash_bucket(repl_hash, n)).unshift(ct.tuplehash[IP_CT_DIR_REPLY]);
  ct.list = 'hash';
}

/** nf_conntrack_confirm(): the POST_ROUTING / LOCAL_IN hook. */
export function* nf_conntrack_confirm(skb: sk_buff): KGen<number> {
  const ct = skb.nfct;
  if (ct && !nf_ct_is_confirmed(ct)) return yield* __nf_conntrack_confirm(skb);
  return NF_ACCEPT;
}

/** nf_conntrack_hash_check_insert(): ctnetlink's insertion of a conntrack it built itself. */
export function* nf_conntrack_hash_check_insert(ct: nf_conn): KGen<number> {
  const n = nf_ct_net(ct);
  const zone = nf_ct_zone(ct);
  const rnd = n.nfct.cfg.hash_rnd;
  const hash = hash_conntrack_raw(ct.tuplehash[IP_CT_DIR_ORIGINAL].tuple, zone, rnd);
  const repl_hash = hash_conntrack_raw(ct.tuplehash[IP_CT_DIR_REPLY].tuple, zone, rnd);
  yield* spin_lock_bh(n.nfct.nf_conntrack_lock);
  yield OP_HASH_READ;
  for (const [hh, dir] of [[hash, IP_CT_DIR_ORIGINAL], [repl_hash, IP_CT_DIR_REPLY]] as const) {
    for (const h of n.ct.hash[hash_bucket(hh, n)] ?? []) {
      if (nf_ct_tuple_equal(ct.tuplehash[dir].tuple, h.tuple) && zone === nf_ct_zone(h.ct)) {
        NF_CT_STAT_INC(n, 'insert_failed');
        yield* spin_unlock_bh(n.nfct.nf_conntrack_lock);
        return -17; // -EEXIST
      }
    }
  }
  yield* add_timer(ct.timeout);
  /* The caller holds a reference to this object */
  yield* atomic_set(ct.ct_general.use, 2);
  yield* __nf_conntrack_hash_insert(ct, hash, repl_hash);
  NF_CT_STAT_INC(n, 'insert');
  yield* spin_unlock_bh(n.nfct.nf_conntrack_lock);
  return 0;
}

/** mod_timer_pending(): re-arm only if still pending (del_timer + add_timer in the model, see README). */
export function* mod_timer_pending(t: TimerList, expires: number): KGen<number> {
  if (!(yield* del_timer(t))) return 0;
  t.expires = expires;
  yield* add_timer(t);
  return 1;
}

/** __nf_ct_refresh_acct() / nf_ct_refresh(): extend the timeout (seconds given as jiffies by the caller). */
export function* nf_ct_refresh(ct: nf_conn, extra_jiffies: number): KGen {
  /* If not in hash table, timer will not be active yet */
  if (!nf_ct_is_confirmed(ct)) {
    ct.timeout.expires = extra_jiffies;
    return;
  }
  const newtime = jiffies() + extra_jiffies;
  /* Only update the timeout if the new timeout is at least HZ jiffies from
   * the old timeout. Need del_timer for race avoidance (may already be dying). */
  // unsigned long arithmetic: an earlier new time wraps around to a huge difference, so it is applied too
  if (newtime < ct.timeout.expires || newtime - ct.timeout.expires >= HZ()) yield* mod_timer_pending(ct.timeout, newtime);
}

/** ipv4_helper() / ipv6_helper(): call the conntrack's helper as the packet goes out (rcu_read_lock held). */
export function* nf_conntrack_helper_hook(skb: sk_buff): KGen<number> {
  const ct = skb.nfct;
  const ctinfo = skb.nfctinfo;
  if (!ct || ctinfo === IP_CT_RELATED_REPLY) return NF_ACCEPT;
  const help = nfct_help(ct);
  if (!help) return NF_ACCEPT;
  /* rcu_read_lock()ed by nf_hook_slow */
  const helper = yield* rcu_dereference(help.helper);
  if (!helper || !helper.help) return NF_ACCEPT;
  yield* cost(nf_ct_net(ct), 'helper_parse');
  return yield* helper.help(skb, 0, ct, ctinfo);
}

/**
 * One packet through the conntrack hooks as nf_hook_slow runs them, under
 * rcu_read_lock: nf_conntrack_in (repeated on NF_REPEAT), the helper hook,
 * the confirm hook; then the skb is freed (its conntrack reference put).
 * Returns the verdict.
 */
export function* nf_conntrack_packet(n: net, skb: sk_buff): KGen<number> {
  yield* rcu_read_lock();
  let ret = NF_REPEAT;
  for (let tries = 0; ret === NF_REPEAT && tries < 4; tries++) ret = yield* nf_conntrack_in(n, skb);
  if (ret === NF_ACCEPT) ret = yield* nf_conntrack_helper_hook(skb);
  if (ret === NF_ACCEPT) ret = yield* nf_conntrack_confirm(skb);
  yield* rcu_read_unlock();
  // kfree_skb(): nf_conntrack_put(skb->nfct)
  const ct = skb.nfct;
  skb.nfct = null;
  if (ct) yield* nf_ct_put(ct);
  return ret;
}
