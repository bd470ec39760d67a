// net/netfilter/nf_conntrack_netlink.c (ctnetlink) at the seed (v3.14 +
// seed 001): the handlers the seed touches — new conntrack (update path under
// the expectation lock), ctnetlink_change_helper with its unlock/relock
// around request_module(), the nfqueue parse hook, new/get/delete/flush of
// expectations — and the dumps that `conntrack -L` and `conntrack -L expect`
// print. Netlink attributes are passed as typed objects (CtAttrs, ExpAttrs)
// instead of nlattr streams; handlers run under nfnl_lock as nfnetlink runs them.

import {
  EAGAIN, EBUSY, atomic_inc, EEXIST, EINVAL, ENOENT, ENOMEM, EOPNOTSUPP, ETIME, BUG, ERR_PTR, IS_ERR, PTR_ERR, HZ, RCU_INIT_POINTER, add_timer, del_timer,
  jiffies, mutex_lock, mutex_unlock, rcu_access_pointer, rcu_read_lock, rcu_read_unlock, spin_lock_bh, spin_unlock_bh, type ErrPtr, type KGen,
  type SpinLock,
} from '@k/core-sync';
import {
  IPS_ASSURED, IPS_CONFIRMED, IPS_DYING, IPS_EXPECTED, IPS_EXPECTED_BIT, IPS_NAT_MASK, IPS_SEEN_REPLY, NF_CT_EXPECT_USERSPACE,
  type nf_conn, type nf_conntrack_expect, type nf_conntrack_helper, type net,
} from './types';
import { type nf_conntrack_tuple } from './tuple';
import { expect_lock } from './net';
import {
  nf_conntrack_alloc, nf_conntrack_find_get, nf_conntrack_free, nf_conntrack_hash_check_insert, nf_ct_delete, nf_ct_l3num, nf_ct_protonum,
  nf_ct_put, nfct_help, set_bit,
} from './core';
import {
  fate, __nf_ct_expect_find, nf_ct_expect_alloc, nf_ct_expect_find_get, nf_ct_expect_put, nf_ct_expect_related_report, nf_ct_remove_expectations,
  nf_ct_unlink_expect_report,
} from './expect';
import {
  __nf_conntrack_helper_find, __nf_ct_try_assign_helper, nf_ct_helper_expectfn_find_by_name, nf_ct_helper_ext_add, request_module,
} from './helper';

/** nlmsg_flags */
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;

/** The CTA_* attributes of a conntrack message the model reads. */
export interface CtAttrs {
  readonly tuple_orig?: nf_conntrack_tuple;
  readonly tuple_reply?: nf_conntrack_tuple;
  readonly tuple_master?: nf_conntrack_tuple;
  readonly zone?: number;
  /** CTA_HELP / CTA_HELP_NAME ("" removes the helper) */
  readonly help?: { readonly name: string };
  /** CTA_TIMEOUT, seconds */
  readonly timeout?: number;
  readonly status?: number;
  readonly mark?: number;
  /** CTA_NAT_SRC / CTA_NAT_DST present (the model only checks presence) */
  readonly nat?: boolean;
  readonly id?: number;
}

/** The CTA_EXPECT_* attributes the model reads. */
export interface ExpAttrs {
  readonly tuple?: nf_conntrack_tuple;
  /** CTA_EXPECT_MASK as a tuple: only src.u3 and src.u.all count */
  readonly mask?: nf_conntrack_tuple;
  readonly master?: nf_conntrack_tuple;
  readonly zone?: number;
  /** seconds */
  readonly timeout?: number;
  readonly help_name?: string;
  readonly class?: number;
  readonly flags?: number;
  readonly fn?: string;
  readonly id?: number;
}

/** The lock ctnetlink takes around ctnetlink_change_conntrack (seed: nf_conntrack_expect_lock), none with fix A. */
function change_lock(n: net): SpinLock | null {
  return n.nfct.cfg.fixes.ctnetlinkNoExpectLock ? null : expect_lock(n);
}

/**
 * ctnetlink_change_helper(): called with `held` (the caller's lock) taken.
 * "" removes the helper and its expectations; an unknown name drops the lock
 * around request_module(), which sleeps.
 */
export function* ctnetlink_change_helper(ct: nf_conn, cda: CtAttrs, held: SpinLock | null): KGen<number> {
  const help = nfct_help(ct);
  const nfct = ct.ct_net.nfct;
  /* don't change helper of sibling connections */
  if (ct.master) return -EBUSY;
  const helpname = cda.help!.name;
  if (helpname === '') {
    if (help && (yield* rcu_access_pointer(help.helper))) {
      /* we had a helper before ... */
      yield* nf_ct_remove_expectations(ct);
      yield* RCU_INIT_POINTER(help.helper, null);
    }
    return 0;
  }
  let helper = __nf_conntrack_helper_find(nfct, helpname, nf_ct_l3num(ct), nf_ct_protonum(ct));
  if (helper === null) {
    if (nfct.cfg.fixes.changeHelperNoModuleRequest) return -EOPNOTSUPP;
    if (held) yield* spin_unlock_bh(held);
    if ((yield* request_module(nfct, helpname)) < 0) {
      if (held) yield* spin_lock_bh(held);
      return -EOPNOTSUPP;
    }
    if (held) yield* spin_lock_bh(held);
    helper = __nf_conntrack_helper_find(nfct, helpname, nf_ct_l3num(ct), nf_ct_protonum(ct));
    if (helper) return -EAGAIN;
    return -EOPNOTSUPP;
  }
  if (help) {
    /* update private helper data if allowed. */
    if ((yield* rcu_access_pointer(help.helper)) === helper) return 0;
    return -EBUSY;
  }
  /* we cannot set a helper for an existing conntrack */
  return -EOPNOTSUPP;
}

/** ctnetlink_change_timeout(): -ETIME when the timer is already firing. */
function* ctnetlink_change_timeout(ct: nf_conn, cda: CtAttrs): KGen<number> {
  if (!(yield* del_timer(ct.timeout))) return -ETIME;
  ct.timeout.expires = jiffies() + (cda.timeout! >>> 0) * HZ();
  yield* add_timer(ct.timeout);
  return 0;
}

/** ctnetlink_change_status(): only SEEN_REPLY and ASSURED may be set. */
function ctnetlink_change_status(ct: nf_conn, cda: CtAttrs): number {
  const status = cda.status! >>> 0;
  const d = ct.status ^ status;
  if (d & (IPS_EXPECTED | IPS_CONFIRMED | IPS_DYING)) return -EBUSY; /* unchangeable */
  if (d & IPS_SEEN_REPLY && !(status & IPS_SEEN_REPLY)) return -EBUSY; /* SEEN_REPLY bit can only be set */
  if (d & IPS_ASSURED && !(status & IPS_ASSURED)) return -EBUSY; /* ASSURED bit can only be set */
  ct.status |= status & ~IPS_NAT_MASK;
  return 0;
}

/** ctnetlink_change_conntrack() */
function* ctnetlink_change_conntrack(ct: nf_conn, cda: CtAttrs, held: SpinLock | null): KGen<number> {
  /* only allow NAT changes and master assignation for new conntracks */
  if (cda.nat || cda.tuple_master) return -EOPNOTSUPP;
  let err: number;
  if (cda.help) {
    err = yield* ctnetlink_change_helper(ct, cda, held);
    if (err < 0) return err;
  }
  if (cda.timeout !== undefined) {
    err = yield* ctnetlink_change_timeout(ct, cda);
    if (err < 0) return err;
  }
  if (cda.status !== undefined) {
    err = ctnetlink_change_status(ct, cda);
    if (err < 0) return err;
  }
  if (cda.mark !== undefined) ct.mark = cda.mark >>> 0;
  return 0;
}

/** ctnetlink_create_conntrack(): a confirmed conntrack built from attributes. */
function* ctnetlink_create_conntrack(n: net, zone: number, cda: CtAttrs, otuple: nf_conntrack_tuple, rtuple: nf_conntrack_tuple): KGen<nf_conn | ErrPtr> {
  const ct = yield* nf_conntrack_alloc(n, zone, otuple, rtuple);
  if (IS_ERR(ct)) return ERR_PTR(-ENOMEM);
  let err = -EINVAL;
  const fail = function* (e: number, rcu: boolean): KGen<ErrPtr> {
    if (rcu) yield* rcu_read_unlock();
    yield* nf_conntrack_free(ct);
    return ERR_PTR(e);
  };
  if (cda.timeout === undefined) return yield* fail(err, false);
  ct.timeout.expires = jiffies() + (cda.timeout >>> 0) * HZ();
  yield* rcu_read_lock();
  if (cda.help) {
    const helpname = cda.help.name;
    let helper = __nf_conntrack_helper_find(n.nfct, helpname, nf_ct_l3num(ct), nf_ct_protonum(ct));
    if (helper === null) {
      yield* rcu_read_unlock();
      if ((yield* request_module(n.nfct, helpname)) < 0) return yield* fail(-EOPNOTSUPP, false);
      yield* rcu_read_lock();
      helper = __nf_conntrack_helper_find(n.nfct, helpname, nf_ct_l3num(ct), nf_ct_protonum(ct));
      if (helper) return yield* fail(-EAGAIN, true);
      yield* rcu_read_unlock();
      return yield* fail(-EOPNOTSUPP, false);
    }
    const help = nf_ct_helper_ext_add(ct, helper);
    /* not in hash table yet so not strictly necessary */
    yield* RCU_INIT_POINTER(help.helper, helper);
  } else {
    /* try an implicit helper assignation */
    err = yield* __nf_ct_try_assign_helper(ct, null);
    if (err < 0) return yield* fail(err, true);
  }
  /* we must add conntrack extensions before confirmation. */
  ct.status |= IPS_CONFIRMED;
  if (cda.status !== undefined) {
    err = ctnetlink_change_status(ct, cda);
    if (err < 0) return yield* fail(err, true);
  }
  if (cda.mark !== undefined) ct.mark = cda.mark >>> 0;
  /* setup master conntrack: this is a confirmed expectation */
  if (cda.tuple_master) {
    const master_h = yield* nf_conntrack_find_get(n, zone, cda.tuple_master);
    if (master_h === null) return yield* fail(-ENOENT, true);
    set_bit(IPS_EXPECTED_BIT, ct);
    ct.master = master_h.ct;
  }
  err = yield* nf_conntrack_hash_check_insert(ct);
  if (err < 0) {
    // v3.14 frees the conntrack here without putting ct->master (finding F); later kernels put it (err3)
    if (n.nfct.cfg.fixes.ctnetlinkCreatePutMaster && ct.master) yield* nf_ct_put(ct.master);
    return yield* fail(err, true);
  }
  yield* rcu_read_unlock();
  return ct;
}

/** ctnetlink_new_conntrack(): IPCTNL_MSG_CT_NEW (`conntrack -I` / `conntrack -U`). */
export function* ctnetlink_new_conntrack(n: net, cda: CtAttrs, nlmsg_flags: number): KGen<number> {
  yield* mutex_lock(n.nfct.nfnl_mutex);
  const zone = cda.zone ?? 0;
  let h = null;
  if (cda.tuple_orig) h = yield* nf_conntrack_find_get(n, zone, cda.tuple_orig);
  else if (cda.tuple_reply) h = yield* nf_conntrack_find_get(n, zone, cda.tuple_reply);
  let err: number;
  if (h === null) {
    err = -ENOENT;
    if (nlmsg_flags & NLM_F_CREATE) {
      if (!cda.tuple_orig || !cda.tuple_reply) {
        err = -EINVAL;
      } else {
        const ct = yield* ctnetlink_create_conntrack(n, zone, cda, cda.tuple_orig, cda.tuple_reply);
        if (IS_ERR(ct)) err = PTR_ERR(ct);
        else {
          err = 0;
          yield* nf_ct_put(ct);
        }
      }
    }
    yield* mutex_unlock(n.nfct.nfnl_mutex);
    return err;
  }
  /* implicit 'else' */
  err = -EEXIST;
  const ct = h.ct;
  if (!(nlmsg_flags & NLM_F_EXCL)) {
    const lock = change_lock(n);
    if (lock) yield* spin_lock_bh(lock);
    err = yield* ctnetlink_change_conntrack(ct, cda, lock);
    if (lock) yield* spin_unlock_bh(lock);
  }
  yield* nf_ct_put(ct);
  yield* mutex_unlock(n.nfct.nfnl_mutex);
  return err;
}

/** ctnetlink_del_conntrack(): IPCTNL_MSG_CT_DELETE (`conntrack -D`). */
export function* ctnetlink_del_conntrack(n: net, cda: CtAttrs): KGen<number> {
  yield* mutex_lock(n.nfct.nfnl_mutex);
  const zone = cda.zone ?? 0;
  const t = cda.tuple_orig ?? cda.tuple_reply;
  let err = 0;
  if (!t) {
    yield* nf_ct_iterate_cleanup(n);
  } else {
    const h = yield* nf_conntrack_find_get(n, zone, t);
    if (h === null) err = -ENOENT;
    else {
      const ct = h.ct;
      if (cda.id !== undefined && cda.id !== ct.id) err = -ENOENT;
      else if (yield* del_timer(ct.timeout)) yield* nf_ct_delete(ct, 0, 0);
      yield* nf_ct_put(ct);
    }
  }
  yield* mutex_unlock(n.nfct.nfnl_mutex);
  return err;
}

/** nf_ct_iterate_cleanup() with kill_all: `conntrack -F`. */
function* nf_ct_iterate_cleanup(n: net): KGen {
  for (;;) {
    // get_next_corpse(): under nf_conntrack_lock, take a reference on the next conntrack
    yield* spin_lock_bh(n.nfct.nf_conntrack_lock);
    let ct: nf_conn | null = null;
    for (const c of n.ct.hash) {
      if (!c) continue;
      const h = c.find((x) => x.tuple.dst.dir === 0 && (x.ct.status & IPS_DYING) === 0);
      if (h) {
        ct = h.ct;
        break;
      }
    }
    if (ct) yield* atomic_inc(ct.ct_general.use);
    else for (const pcpu of n.ct.pcpu_lists) for (const u of pcpu.unconfirmed) u.status |= IPS_DYING;
    yield* spin_unlock_bh(n.nfct.nf_conntrack_lock);
    if (!ct) return;
    /* Time to push up daises... */
    if (yield* del_timer(ct.timeout)) yield* nf_ct_delete(ct, 0, 0);
    /* ... else the timer will get him soon. */
    yield* nf_ct_put(ct);
  }
}

/** ctnetlink_nfqueue_parse_ct() */
function* ctnetlink_nfqueue_parse_ct(cda: CtAttrs, ct: nf_conn, held: SpinLock | null): KGen<number> {
  let err: number;
  if (cda.timeout !== undefined) {
    err = yield* ctnetlink_change_timeout(ct, cda);
    if (err < 0) return err;
  }
  if (cda.status !== undefined) {
    err = ctnetlink_change_status(ct, cda);
    if (err < 0) return err;
  }
  if (cda.help) {
    err = yield* ctnetlink_change_helper(ct, cda, held);
    if (err < 0) return err;
  }
  if (cda.mark !== undefined) ct.mark = cda.mark >>> 0;
  return 0;
}

/** ctnetlink_nfqueue_parse(): the nfq_ct_hook parse callback (the caller holds rcu_read_lock). */
export function* ctnetlink_nfqueue_parse(cda: CtAttrs, ct: nf_conn): KGen<number> {
  const lock = change_lock(ct.ct_net);
  if (lock) yield* spin_lock_bh(lock);
  const ret = yield* ctnetlink_nfqueue_parse_ct(cda, ct, lock);
  if (lock) yield* spin_unlock_bh(lock);
  return ret;
}

/**
 * nfqnl_recv_verdict() as far as conntrack is concerned: nfnetlink calls it
 * through .call_rcu, under rcu_read_lock, and it hands NFQA_CT to the parse
 * hook for the queued packet's conntrack.
 */
export function* nfqnl_recv_verdict(ct: nf_conn, cda: CtAttrs): KGen<number> {
  yield* rcu_read_lock();
  const ret = yield* ctnetlink_nfqueue_parse(cda, ct);
  yield* rcu_read_unlock();
  return ret;
}

// ---- expectations ----------------------------------------------------------------------------

/** ctnetlink_change_expect(): a new timeout (-ETIME if it is already firing). */
function* ctnetlink_change_expect(x: nf_conntrack_expect, cda: ExpAttrs): KGen<number> {
  if (cda.timeout !== undefined) {
    if (!(yield* del_timer(x.timeout))) return -ETIME;
    x.timeout.expires = jiffies() + (cda.timeout >>> 0) * HZ();
    yield* add_timer(x.timeout);
  }
  return 0;
}

/** ctnetlink_alloc_expect() (the v3.14 body of ctnetlink_create_expect after the lookups). */
function* ctnetlink_alloc_expect(cda: ExpAttrs, ct: nf_conn, helper: nf_conntrack_helper | null): KGen<nf_conntrack_expect | ErrPtr> {
  let cls = 0;
  if (cda.class !== undefined && helper) {
    cls = cda.class >>> 0;
    if (cls > helper.expect_class_max) return ERR_PTR(-EINVAL);
  }
  const help = nfct_help(ct);
  // a master without a helper extension cannot have expectations (what the oracle kernel answers too)
  if (!help) return ERR_PTR(-EOPNOTSUPP);
  const exp = yield* nf_ct_expect_alloc(ct);
  if (!exp) return ERR_PTR(-ENOMEM);
  exp.flags = cda.flags !== undefined ? (cda.flags >>> 0) & ~NF_CT_EXPECT_USERSPACE : 0;
  if (cda.fn !== undefined) {
    const expfn = yield* nf_ct_helper_expectfn_find_by_name(ct.ct_net.nfct, cda.fn);
    if (expfn === null) {
      yield* nf_ct_expect_put(exp);
      return ERR_PTR(-EINVAL);
    }
    exp.expectfn = expfn.expectfn;
  } else exp.expectfn = null;
  exp.class = cls;
  exp.helper = helper;
  exp.tuple = cda.tuple!;
  exp.mask = { src: { u3: cda.mask!.src.u3, u: { all: cda.mask!.src.u.all } } };
  if (cda.timeout !== undefined) exp.timeout.expires = jiffies() + (cda.timeout >>> 0) * HZ();
  return exp;
}

/** ctnetlink_create_expect() */
function* ctnetlink_create_expect(n: net, zone: number, cda: ExpAttrs): KGen<number> {
  /* Look for master conntrack of this expectation */
  const h = yield* nf_conntrack_find_get(n, zone, cda.master!);
  if (!h) return -ENOENT;
  const ct = h.ct;
  let err: number;
  let helper: nf_conntrack_helper | null = null;
  /* Look for helper of this expectation */
  if (cda.help_name !== undefined) {
    helper = __nf_conntrack_helper_find(n.nfct, cda.help_name, nf_ct_l3num(ct), nf_ct_protonum(ct));
    if (helper === null) {
      if ((yield* request_module(n.nfct, cda.help_name)) < 0) err = -EOPNOTSUPP;
      else err = __nf_conntrack_helper_find(n.nfct, cda.help_name, nf_ct_l3num(ct), nf_ct_protonum(ct)) ? -EAGAIN : -EOPNOTSUPP;
      yield* nf_ct_put(ct);
      return err;
    }
  }
  const exp = yield* ctnetlink_alloc_expect(cda, ct, helper);
  if (IS_ERR(exp)) {
    err = PTR_ERR(exp);
  } else {
    err = yield* nf_ct_expect_related_report(exp, 0, 0);
    yield* nf_ct_expect_put(exp);
  }
  yield* nf_ct_put(ct);
  return err;
}

/** ctnetlink_new_expect(): IPCTNL_MSG_EXP_NEW (`conntrack -I expect`). */
export function* ctnetlink_new_expect(n: net, cda: ExpAttrs, nlmsg_flags: number): KGen<number> {
  if (!cda.tuple || !cda.mask || !cda.master) return -EINVAL;
  yield* mutex_lock(n.nfct.nfnl_mutex);
  const zone = cda.zone ?? 0;
  const lock = expect_lock(n);
  yield* spin_lock_bh(lock);
  const exp = yield* __nf_ct_expect_find(n, zone, cda.tuple);
  let err: number;
  if (!exp) {
    yield* spin_unlock_bh(lock);
    err = -ENOENT;
    if (nlmsg_flags & NLM_F_CREATE) err = yield* ctnetlink_create_expect(n, zone, cda);
    yield* mutex_unlock(n.nfct.nfnl_mutex);
    return err;
  }
  err = -EEXIST;
  if (!(nlmsg_flags & NLM_F_EXCL)) err = yield* ctnetlink_change_expect(exp, cda);
  yield* spin_unlock_bh(lock);
  yield* mutex_unlock(n.nfct.nfnl_mutex);
  return err;
}

/**
 * ctnetlink_del_expect(): IPCTNL_MSG_EXP_DELETE. By tuple (`conntrack -D
 * expect`), by helper name, or everything (`conntrack -F expect`).
 */
export function* ctnetlink_del_expect(n: net, cda: ExpAttrs): KGen<number> {
  yield* mutex_lock(n.nfct.nfnl_mutex);
  const lock = expect_lock(n);
  let ret = 0;
  if (cda.tuple) {
    /* bump usage count to 2 */
    const exp = yield* nf_ct_expect_find_get(n, cda.zone ?? 0, cda.tuple);
    if (!exp) ret = -ENOENT;
    else if (cda.id !== undefined && cda.id !== exp.id) {
      yield* nf_ct_expect_put(exp);
      ret = -ENOENT;
    } else {
      /* after list removal, usage count == 1 */
      yield* spin_lock_bh(lock);
      if (yield* del_timer(exp.timeout)) {
        fate(exp, 'removed');
        yield* nf_ct_unlink_expect_report(exp, 0, 0);
        yield* nf_ct_expect_put(exp);
      }
      yield* spin_unlock_bh(lock);
      /* have to put what we 'get' above. after this line usage count == 0 */
      yield* nf_ct_expect_put(exp);
    }
  } else if (cda.help_name !== undefined) {
    /* delete all expectations for this helper */
    yield* spin_lock_bh(lock);
    for (const b of n.ct.expect_hash) {
      if (!b) continue;
      for (const exp of [...b]) {
        const m_help = nfct_help(exp.master)!;
        const helper = m_help.helper.peek();
        // m_help->helper->name: a master whose helper was unset dereferences NULL here
        if (helper === null) BUG(`NULL pointer dereference: m_help->helper->name of exp#${exp.id} in ctnetlink_del_expect`);
        if (helper.name === cda.help_name && (yield* del_timer(exp.timeout))) {
          fate(exp, 'removed');
          yield* nf_ct_unlink_expect_report(exp, 0, 0);
          yield* nf_ct_expect_put(exp);
        }
      }
    }
    yield* spin_unlock_bh(lock);
  } else {
    /* This basically means we have to flush everything */
    yield* spin_lock_bh(lock);
    for (const b of n.ct.expect_hash) {
      if (!b) continue;
      for (const exp of [...b]) {
        if (yield* del_timer(exp.timeout)) {
          fate(exp, 'removed');
          yield* nf_ct_unlink_expect_report(exp, 0, 0);
          yield* nf_ct_expect_put(exp);
        }
      }
    }
    yield* spin_unlock_bh(lock);
  }
  yield* mutex_unlock(n.nfct.nfnl_mutex);
  return ret;
}

/** `conntrack -F expect` */
export function ctnetlink_flush_expect(n: net): KGen<number> {
  return ctnetlink_del_expect(n, {});
}
