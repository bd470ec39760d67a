// net/netfilter/nf_conntrack_expect.c at the seed (v3.14 + series patches
// 2/5 "avoid race with exp->master ct" and 4/5, seed 001): expectations, their
// hash table, refcounts (exp->use), timeouts, the per-class and global limits,
// eviction of the oldest expectation of a full class, clashes (-EBUSY).
// Every function that takes "the expectation lock" takes
// nf_conntrack_expect_lock under `split` and nf_conntrack_lock under `global`.

import {
  EBUSY, EMFILE, ESHUTDOWN, GFP_ATOMIC, HZ, Violation, add_timer, atomic_add, atomic_dec_return, atomic_inc, atomic_inc_not_zero,
  call_rcu, del_timer, jiffies, kassert, kfree, kmalloc, lockdep_is_held, rcu_dereference_check, rcu_dereference_protected, rcu_read_lock, rcu_read_unlock,
  spin_lock_bh, spin_unlock_bh, timer_pending, timer_setup, Atomic, Op, A_READ, A_WRITE, type KGen, type TimerList,
} from '@k/core-sync';
import { jhash2, reciprocal_scale } from './jhash';
import { NF_CT_STAT_INC, cost, expect_count_add, expect_count_locked, expect_count_lockless, expect_lock } from './net';
import {
  NF_CT_EXPECT_INACTIVE, NF_CT_EXPECT_PERMANENT, type nf_conn, type nf_conn_help, type nf_conntrack_expect, type nf_conntrack_helper, type net,
} from './types';
import {
  AF_INET, ADDR_ANY, fullAddrMask, nf_ct_tuple_equal, nf_ct_tuple_mask_cmp, nf_ct_tuple_mask_equal, type nf_conntrack_tuple,
  type nf_conntrack_tuple_mask, type nf_inet_addr,
} from './tuple';
import { nf_ct_is_confirmed, nf_ct_is_dying, nf_ct_net, nf_ct_put, nf_ct_zone, nfct_help } from './core';

/**
 * master_help->helper as the expectation code reads it under the expectation
 * lock: rcu_dereference_protected (a plain load) as the seed has it; fix G
 * makes it a marked load, since unhelp() writes the pointer under another lock.
 */
export function* expect_helper(n: net, help: nf_conn_help): KGen<nf_conntrack_helper | null> {
  const held = lockdep_is_held(expect_lock(n));
  if (n.nfct.cfg.fixes.helperMarkedRead) return yield* rcu_dereference_check(help.helper, held);
  return yield* rcu_dereference_protected(help.helper, held);
}

const OP_EXP_HASH_READ = new Op('hlist_for_each_entry(net->ct.expect_hash)', null, 0, A_READ);
const OP_EXP_HASH_WRITE = new Op('hlist_add/del(net->ct.expect_hash)', null, 0, A_WRITE);

/** nf_ct_exp_net() */
export const nf_ct_exp_net = (exp: nf_conntrack_expect): net => nf_ct_net(exp.master);

/** Model bookkeeping: how an expectation ended (used, expired, removed ...), for the properties. */
export function fate(exp: nf_conntrack_expect, what: string): void {
  const m = exp.nfct.expFate;
  const l = m.get(exp.id);
  if (l) l.push(what);
  else m.set(exp.id, [what]);
}

/** nf_ct_expect_dst_hash(): bucket of the expected destination */
export function nf_ct_expect_dst_hash(n: net, tuple: nf_conntrack_tuple): number {
  const hash = jhash2(tuple.dst.u3, 4, (((((tuple.dst.protonum ^ tuple.src.l3num) << 16) | tuple.dst.u.all) >>> 0) ^ n.nfct.cfg.hash_rnd) >>> 0);
  return reciprocal_scale(hash, n.nfct.cfg.nf_ct_expect_hsize);
}

function bucket(n: net, h: number): nf_conntrack_expect[] {
  let b = n.ct.expect_hash[h];
  if (!b) {
    b = [];
    n.ct.expect_hash[h] = b;
  }
  return b;
}

/** nf_ct_unlink_expect_report(): unlink from both lists and drop the hash table's reference (expectation lock held). */
export function* nf_ct_unlink_expect_report(exp: nf_conntrack_expect, _portid = 0, _report = 0): KGen {
  const master_help = nfct_help(exp.master);
  const n = nf_ct_exp_net(exp);
  kassert(master_help !== null, `nf_ct_unlink_expect: master nf_conn#${exp.master.id} has no helper extension`);
  kassert(!timer_pending(exp.timeout), `nf_ct_unlink_expect(exp#${exp.id}) with its timer pending`);
  kassert(exp.hnode && exp.lnode, `nf_ct_unlink_expect(exp#${exp.id}): not linked (double unlink)`);
  yield* cost(n, 'list_op');
  yield OP_EXP_HASH_WRITE;
  // hlist_del_rcu(&exp->hnode)
  const b = bucket(n, nf_ct_expect_dst_hash(n, exp.tuple));
  b.splice(b.indexOf(exp), 1);
  exp.hnode = false;
  yield* expect_count_add(n, -1);
  // hlist_del(&exp->lnode)
  const l = master_help!.expectations;
  l.splice(l.indexOf(exp), 1);
  exp.lnode = false;
  // u8 expecting[]
  master_help!.expecting[exp.class] = (master_help!.expecting[exp.class]! - 1) & 0xff;
  // nf_ct_expect_event_report(IPEXP_DESTROY, exp, portid, report)
  yield* nf_ct_expect_put(exp);
  NF_CT_STAT_INC(n, 'expect_delete');
}

/** nf_ct_unlink_expect() */
export function nf_ct_unlink_expect(exp: nf_conntrack_expect): KGen {
  return nf_ct_unlink_expect_report(exp, 0, 0);
}

/** nf_ct_expectation_timed_out(): the expectation timer (softirq): unlink, drop the timer's reference. */
function* nf_ct_expectation_timed_out(t: TimerList): KGen {
  const exp = t.container as nf_conntrack_expect;
  const lock = expect_lock(nf_ct_exp_net(exp));
  yield* spin_lock_bh(lock);
  fate(exp, 'expired');
  yield* nf_ct_unlink_expect(exp);
  yield* spin_unlock_bh(lock);
  yield* nf_ct_expect_put(exp);
}

/** __nf_ct_expect_find(): lookup without taking a reference (RCU or the expectation lock). */
export function* __nf_ct_expect_find(n: net, zone: number, tuple: nf_conntrack_tuple): KGen<nf_conntrack_expect | null> {
  const count = lockdep_is_held(expect_lock(n)) ? yield* expect_count_locked(n) : yield* expect_count_lockless(n);
  if (!count) return null;
  yield* cost(n, 'exp_lookup');
  yield OP_EXP_HASH_READ;
  for (const i of n.ct.expect_hash[nf_ct_expect_dst_hash(n, tuple)] ?? []) {
    if (nf_ct_tuple_mask_cmp(tuple, i.tuple, i.mask) && nf_ct_zone(i.master) === zone) return i;
  }
  return null;
}

/** nf_ct_expect_find_get(): find and take a reference. */
export function* nf_ct_expect_find_get(n: net, zone: number, tuple: nf_conntrack_tuple): KGen<nf_conntrack_expect | null> {
  yield* rcu_read_lock();
  let i = yield* __nf_ct_expect_find(n, zone, tuple);
  if (i && !(yield* atomic_inc_not_zero(i.use))) i = null;
  yield* rcu_read_unlock();
  return i;
}

/**
 * nf_ct_find_expectation(): an expectation for this connection is unlinked
 * and returned (a permanent one stays and gets a reference); its master's use
 * count is bumped. Called with the expectation lock held (init_conntrack).
 */
export function* nf_ct_find_expectation(n: net, zone: number, tuple: nf_conntrack_tuple): KGen<nf_conntrack_expect | null> {
  if (!(yield* expect_count_locked(n))) return null;
  let exp: nf_conntrack_expect | null = null;
  yield* cost(n, 'exp_lookup');
  yield OP_EXP_HASH_READ;
  for (const i of n.ct.expect_hash[nf_ct_expect_dst_hash(n, tuple)] ?? []) {
    if ((i.flags & NF_CT_EXPECT_INACTIVE) === 0 && nf_ct_tuple_mask_cmp(tuple, i.tuple, i.mask) && nf_ct_zone(i.master) === zone) {
      exp = i;
      break;
    }
  }
  if (!exp) return null;
  /* If master is not in hash table yet (ie. packet hasn't left this machine
   * yet), how can other end know about expected? Hence these are not the
   * droids you are looking for. */
  if (!nf_ct_is_confirmed(exp.master)) return null;
  /* Avoid race with other CPUs, that for exp->master ct, is about to invoke
   * ->destroy(), or nf_ct_delete() via timeout or early_drop(). */
  if (nf_ct_is_dying(exp.master) || !(yield* atomic_inc_not_zero(exp.master.ct_general.use))) return null;
  if (exp.flags & NF_CT_EXPECT_PERMANENT) {
    yield* atomic_inc(exp.use);
    fate(exp, 'used');
    return exp;
  } else if (yield* del_timer(exp.timeout)) {
    fate(exp, 'used');
    yield* nf_ct_unlink_expect(exp);
    return exp;
  }
  /* Undo exp->master refcnt increase, if del_timer() failed */
  yield* nf_ct_put(exp.master);
  return null;
}

/** nf_ct_remove_expectations(): delete all expectations of a conntrack (split: takes the expectation lock itself). */
export function* nf_ct_remove_expectations(ct: nf_conn): KGen {
  const help = nfct_help(ct);
  /* Optimization: most connection never expect any others. */
  if (!help) return;
  const n = nf_ct_net(ct);
  const split = n.nfct.cfg.design === 'split';
  if (split) yield* spin_lock_bh(n.nfct.nf_conntrack_expect_lock);
  for (const exp of [...help.expectations]) {
    if (yield* del_timer(exp.timeout)) {
      fate(exp, 'removed');
      yield* nf_ct_unlink_expect(exp);
      yield* nf_ct_expect_put(exp);
    }
  }
  if (split) yield* spin_unlock_bh(n.nfct.nf_conntrack_expect_lock);
}

/** expect_clash(): would two expected things clash? (the part covered by both masks is equal) */
export function expect_clash(a: nf_conntrack_expect, b: nf_conntrack_expect): boolean {
  const intersect_mask: nf_conntrack_tuple_mask = {
    src: {
      u: { all: a.mask.src.u.all & b.mask.src.u.all },
      u3: [0, 1, 2, 3].map((i) => (a.mask.src.u3[i]! & b.mask.src.u3[i]!) >>> 0) as unknown as nf_inet_addr,
    },
  };
  return nf_ct_tuple_mask_cmp(a.tuple, b.tuple, intersect_mask) && nf_ct_zone(a.master) === nf_ct_zone(b.master);
}

/** expect_matches(): the same expectation of the same master */
export function expect_matches(a: nf_conntrack_expect, b: nf_conntrack_expect): boolean {
  return a.master === b.master && a.class === b.class && nf_ct_tuple_equal(a.tuple, b.tuple) && nf_ct_tuple_mask_equal(a.mask, b.mask) && nf_ct_zone(a.master) === nf_ct_zone(b.master);
}

/** nf_ct_unexpect_related(): "Generally a bad idea to call this: could have matched already." */
export function* nf_ct_unexpect_related(exp: nf_conntrack_expect): KGen {
  const lock = expect_lock(nf_ct_exp_net(exp));
  yield* spin_lock_bh(lock);
  if (yield* del_timer(exp.timeout)) {
    fate(exp, 'removed');
    yield* nf_ct_unlink_expect(exp);
    yield* nf_ct_expect_put(exp);
  }
  yield* spin_unlock_bh(lock);
}

/**
 * nf_ct_expect_alloc(): one reference (the caller's). "We don't increase the
 * master conntrack refcount for non-fulfilled conntracks. During the
 * conntrack destruction, the expectations are always killed before the
 * conntrack itself."
 */
export function* nf_ct_expect_alloc(me: nf_conn): KGen<nf_conntrack_expect | null> {
  const nfct = nf_ct_net(me).nfct;
  const id = nfct.nextExpId++;
  let raw: nf_conntrack_expect | null = null;
  const exp = yield* kmalloc((): nf_conntrack_expect => (raw = {
    id,
    nfct,
    lnode: false,
    hnode: false,
    tuple: { src: { u3: ADDR_ANY, u: { all: 0 }, l3num: 0 }, dst: { u3: ADDR_ANY, u: { all: 0 }, protonum: 0, dir: 0 } },
    mask: { src: { u3: ADDR_ANY, u: { all: 0 } } },
    expectfn: null,
    helper: null,
    master: me,
    timeout: timer_setup(nf_ct_expectation_timed_out, 0, `exp#${id}.timeout`),
    use: new Atomic(1, `exp#${id}.use`),
    flags: 0,
    class: 0,
  }), GFP_ATOMIC, 'nf_conntrack_expect');
  if (!exp) return null;
  exp.timeout.container = exp;
  nfct.allExpects.push(raw!);
  return exp;
}

/** nf_ct_expect_init(): tuple and mask; NULL source address or port means "any". */
export function nf_ct_expect_init(exp: nf_conntrack_expect, cls: number, family: number, saddr: nf_inet_addr | null, daddr: nf_inet_addr, proto: number, src: number | null, dst: number): void {
  exp.flags = 0;
  exp.class = cls;
  exp.expectfn = null;
  exp.helper = null;
  exp.tuple = {
    src: { u3: saddr ?? ADDR_ANY, u: { all: src ?? 0 }, l3num: family },
    dst: { u3: daddr, u: { all: dst & 0xffff }, protonum: proto, dir: 0 },
  };
  exp.mask = { src: { u3: saddr ? fullAddrMask(family === AF_INET ? AF_INET : family) : ADDR_ANY, u: { all: src !== null ? 0xffff : 0 } } };
}

/** nf_ct_expect_free_rcu(): the RCU callback that frees the memory. */
function* nf_ct_expect_free_rcu(exp: nf_conntrack_expect): KGen {
  const nfct = exp.nfct;
  kassert(!exp.hnode && !exp.lnode, `exp#${exp.id} freed while still linked`);
  nfct.expFreed.set(exp.id, (nfct.expFreed.get(exp.id) ?? 0) + 1);
  yield* kfree(exp);
}

/** nf_ct_expect_put(): the last reference frees the expectation after a grace period. */
export function* nf_ct_expect_put(exp: nf_conntrack_expect): KGen {
  const v = yield* atomic_dec_return(exp.use);
  if (v < 0) throw new Violation('refcount', `exp#${exp.id}: use underflows to ${v} (a put without a reference)`);
  if (v === 0) yield* call_rcu(exp, nf_ct_expect_free_rcu, `nf_ct_expect_free_rcu(exp#${exp.id})`);
}

/** nf_ct_expect_insert(): link and start the timer; two references (hash table and timer). */
function* nf_ct_expect_insert(exp: nf_conntrack_expect): KGen<number> {
  const master_help = nfct_help(exp.master)!;
  const n = nf_ct_exp_net(exp);
  const h = nf_ct_expect_dst_hash(n, exp.tuple);
  /* two references : one for hash insert, one for the timer */
  yield* atomic_add(2, exp.use);
  yield* cost(n, 'exp_insert');
  yield OP_EXP_HASH_WRITE;
  master_help.expectations.unshift(exp);
  exp.lnode = true;
  master_help.expecting[exp.class] = (master_help.expecting[exp.class]! + 1) & 0xff;
  bucket(n, h).unshift(exp);
  exp.hnode = true;
  yield* expect_count_add(n, 1);
  const helper = yield* expect_helper(n, master_help);
  if (helper) exp.timeout.expires = jiffies() + helper.expect_policy[exp.class]!.timeout * HZ();
  yield* add_timer(exp.timeout);
  NF_CT_STAT_INC(n, 'expect_create');
  return 0;
}

/** evict_oldest_expect(): "Race with expectations being used means we could have none to find; OK." */
function* evict_oldest_expect(master: nf_conn, nw: nf_conntrack_expect): KGen {
  const master_help = nfct_help(master)!;
  let last: nf_conntrack_expect | null = null;
  for (const exp of master_help.expectations) if (exp.class === nw.class) last = exp;
  if (last && (yield* del_timer(last.timeout))) {
    fate(last, 'evicted');
    yield* nf_ct_unlink_expect(last);
    yield* nf_ct_expect_put(last);
  }
}

/** __nf_ct_expect_check(): 1 to insert, or -ESHUTDOWN, -EBUSY (clash), -EMFILE (class or table full). */
function* __nf_ct_expect_check(expect: nf_conntrack_expect): KGen<number> {
  const master = expect.master;
  const master_help = nfct_help(master);
  const n = nf_ct_exp_net(expect);
  if (!master_help) return -ESHUTDOWN;
  const h = nf_ct_expect_dst_hash(n, expect.tuple);
  yield* cost(n, 'exp_lookup');
  yield OP_EXP_HASH_READ;
  for (const i of [...(n.ct.expect_hash[h] ?? [])]) {
    if (expect_matches(i, expect)) {
      if (yield* del_timer(i.timeout)) {
        fate(i, 'replaced');
        yield* nf_ct_unlink_expect(i);
        yield* nf_ct_expect_put(i);
        break;
      }
    } else if (expect_clash(i, expect)) {
      return -EBUSY;
    }
  }
  /* Will be over limit? */
  const helper = yield* expect_helper(n, master_help);
  if (helper) {
    const p = helper.expect_policy[expect.class]!;
    if (p.max_expected && master_help.expecting[expect.class]! >= p.max_expected) {
      yield* evict_oldest_expect(master, expect);
      if (master_help.expecting[expect.class]! >= p.max_expected) return -EMFILE;
    }
  }
  if ((yield* expect_count_locked(n)) >= n.nfct.cfg.nf_ct_expect_max) {
    // net_warn_ratelimited("nf_conntrack: expectation table full\n")
    return -EMFILE;
  }
  return 1;
}

/** nf_ct_expect_related_report(): check and insert under the expectation lock; 0 or a negative errno. */
export function* nf_ct_expect_related_report(expect: nf_conntrack_expect, _portid = 0, _report = 0): KGen<number> {
  const lock = expect_lock(nf_ct_exp_net(expect));
  yield* spin_lock_bh(lock);
  let ret = yield* __nf_ct_expect_check(expect);
  if (ret > 0) ret = yield* nf_ct_expect_insert(expect);
  yield* spin_unlock_bh(lock);
  // nf_ct_expect_event_report(IPEXP_NEW, expect, portid, report) after the unlock on success
  return ret;
}

/** nf_ct_expect_related() */
export function nf_ct_expect_related(expect: nf_conntrack_expect): KGen<number> {
  return nf_ct_expect_related_report(expect, 0, 0);
}
