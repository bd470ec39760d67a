import { describe, expect, it } from 'vitest';
import { EBUSY, EEXIST, EINVAL, EMFILE, ENOENT, EOPNOTSUPP, ESHUTDOWN, EAGAIN, type KGen } from '@k/core-sync';
import {
  AF_INET, IPPROTO_TCP, IPPROTO_UDP, NF_ACCEPT, NF_DROP, NF_CT_EXPECT_PERMANENT, NLM_F_CREATE, NLM_F_EXCL, ctnetlink_del_expect,
  ctnetlink_new_conntrack, ctnetlink_new_expect, ctnetlink_flush_expect, linkedExpectations, mkTuple, nf_conntrack_find_get,
  nf_conntrack_helper_unregister, nf_ct_expect_alloc, nf_ct_expect_init, nf_ct_expect_put, nf_ct_expect_related, nf_ct_helper_expectfn_register,
  nf_ct_helper_expectfn_unregister, nf_ct_put, nf_ct_unexpect_related, parseIPv4, sumStats, nf_conntrack_helper_sip, type nf_conn, type nf_conntrack_tuple,
} from '../src/index';
import { TcpSession, ftpControl, portCommand, runPackets, sendPacket, type ScenarioWorld } from '../src/internal/world';
import { runModel } from './helpers';

const A = '10.0.0.1';
const B = '10.0.0.2';
const ip = (s: string) => parseIPv4(s)!;
const tcp = (s: string, sp: number, d: string, dp: number): nf_conntrack_tuple => mkTuple(AF_INET, IPPROTO_TCP, ip(s), sp, ip(d), dp);

function* master(w: ScenarioWorld, cport: number): KGen<{ s: TcpSession; ct: nf_conn }> {
  const s = new TcpSession(A, cport, B, 21);
  yield* runPackets(w.net, ftpControl(s), w.ftp);
  const h = (yield* nf_conntrack_find_get(w.net, 0, tcp(A, cport, B, 21)))!;
  yield* nf_ct_put(h.ct);
  return { s, ct: h.ct };
}

/** An expectation of `ct` for B -> A:port as the ftp helper builds it. */
function* expectFor(ct: nf_conn, port: number, saddr: string | null = B) {
  const exp = (yield* nf_ct_expect_alloc(ct))!;
  nf_ct_expect_init(exp, 0, AF_INET, saddr === null ? null : ip(saddr), ip(A), IPPROTO_TCP, null, port);
  return exp;
}

describe('nf_ct_expect_related (the error codes of __nf_ct_expect_check)', () => {
  it('refuses an expectation of a conntrack without helper extension with -ESHUTDOWN', () => {
    const { result } = runModel(function* (w) {
      yield* sendPacket(w.net, { t: 0, proto: 'udp', src: A, dst: B, sport: 1, dport: 2 });
      const h = (yield* nf_conntrack_find_get(w.net, 0, mkTuple(AF_INET, IPPROTO_UDP, ip(A), 1, ip(B), 2)))!;
      const exp = yield* expectFor(h.ct, 5000);
      const ret = yield* nf_ct_expect_related(exp);
      yield* nf_ct_expect_put(exp);
      yield* nf_ct_put(h.ct);
      return ret;
    });
    expect(result).toBe(-ESHUTDOWN);
  });

  it('refuses an expectation that clashes with another master\'s with -EBUSY, and replaces its own identical one', () => {
    const { result, world } = runModel(function* (w) {
      const m1 = yield* master(w, 40000);
      const m2 = yield* master(w, 40001);
      const out: number[] = [];
      for (const [ct, port] of [[m1.ct, 5000], [m2.ct, 5000], [m1.ct, 5000]] as const) {
        const exp = yield* expectFor(ct, port);
        out.push(yield* nf_ct_expect_related(exp));
        yield* nf_ct_expect_put(exp);
      }
      return out;
    });
    expect(result).toEqual([0, -EBUSY, 0]);
    expect([...world.nfct.expFate.values()].flat()).toEqual(['replaced']);
    expect(linkedExpectations(world.net)).toBe(1);
  });

  it('does not clash across zones', () => {
    const { result } = runModel(function* (w) {
      const s1 = new TcpSession(A, 40000, B, 21);
      yield* runPackets(w.net, ftpControl(s1), w.ftp);
      const s2 = new TcpSession(A, 40001, B, 21);
      yield* runPackets(w.net, ftpControl(s2).map((p) => ({ ...p, zone: 3 })), w.ftp);
      const out: number[] = [];
      for (const [cport, zone] of [[40000, 0], [40001, 3]] as const) {
        const h = (yield* nf_conntrack_find_get(w.net, zone, tcp(A, cport, B, 21)))!;
        const exp = yield* expectFor(h.ct, 5000);
        out.push(yield* nf_ct_expect_related(exp));
        yield* nf_ct_expect_put(exp);
        yield* nf_ct_put(h.ct);
      }
      return out;
    });
    expect(result).toEqual([0, 0]);
  });

  it('evicts the oldest expectation of a full class (ftp: max_expected 1)', () => {
    const { result, world } = runModel(function* (w) {
      const m = yield* master(w, 40000);
      for (const port of [5000, 5001]) {
        const exp = yield* expectFor(m.ct, port);
        expect(yield* nf_ct_expect_related(exp)).toBe(0);
        yield* nf_ct_expect_put(exp);
      }
      return m.ct.ext_help!.expecting[0];
    });
    expect(result).toBe(1);
    expect(world.nfct.expFate.get(1)).toEqual(['evicted']);
    expect(world.net.ct.expect_hash.flat().map((e) => e.tuple.dst.u.all)).toEqual([5001]);
  });

  it('refuses an expectation over nf_ct_expect_max with -EMFILE (nothing of another master is evicted)', () => {
    const { result } = runModel(function* (w) {
      const out: number[] = [];
      for (const cport of [40000, 40001, 40002]) {
        const m = yield* master(w, cport);
        const exp = yield* expectFor(m.ct, 5000 + cport);
        out.push(yield* nf_ct_expect_related(exp));
        yield* nf_ct_expect_put(exp);
      }
      return out;
    }, { design: 'split' }, { nf_ct_expect_max: 2 });
    expect(result).toEqual([0, 0, -EMFILE]);
  });

  it('keeps the statistics per CPU: expect_create, expect_delete, expect_new, new', () => {
    const { world } = runModel(function* (w) {
      const m = yield* master(w, 40000);
      yield* sendPacket(w.net, m.s.seg('c', 'PA', portCommand(A, 50000)));
      yield* sendPacket(w.net, new TcpSession(B, 20, A, 50000).seg('c', 'S'));
      const exp = yield* expectFor(m.ct, 50001);
      yield* nf_ct_expect_related(exp);
      yield* nf_ct_unexpect_related(exp);
      yield* nf_ct_expect_put(exp);
    });
    const st = sumStats(world.net);
    expect(st).toMatchObject({ expect_create: 2, expect_delete: 2, expect_new: 1, new: 1, insert: 2 });
  });
});

describe('permanent expectations and expectfn', () => {
  it('lets every matching connection use a permanent expectation and calls its expectfn for each', () => {
    const calls: number[] = [];
    const { result } = runModel(function* (w) {
      const m = yield* master(w, 40000);
      const expectfn = { name: 'k-test', *expectfn(ct: nf_conn) {
        calls.push(ct.tuplehash[0].tuple.src.u.all);
      } };
      yield* nf_ct_helper_expectfn_register(w.net, expectfn);
      const exp = yield* expectFor(m.ct, 6000);
      exp.flags = NF_CT_EXPECT_PERMANENT;
      exp.expectfn = expectfn.expectfn;
      expect(yield* nf_ct_expect_related(exp)).toBe(0);
      yield* nf_ct_expect_put(exp);
      for (const sport of [1000, 1001]) yield* sendPacket(w.net, new TcpSession(B, sport, A, 6000).seg('c', 'S'));
      yield* nf_ct_helper_expectfn_unregister(w.net, expectfn);
      return [m.ct.ct_general.use.peek(), linkedExpectations(w.net)];
    });
    expect(calls).toEqual([1000, 1001]);
    // the master is referenced by the hash table and by its two children; the permanent expectation stays
    expect(result).toEqual([3, 1]);
  });
});

describe('ctnetlink', () => {
  it('creates, finds, changes and deletes expectations with the kernel\'s error codes', () => {
    const { result } = runModel(function* (w) {
      const m = yield* master(w, 40000);
      const mt = m.ct.tuplehash[0].tuple;
      const tuple = tcp(B, 0, A, 6000);
      const mask = mkTuple(AF_INET, IPPROTO_TCP, [0xffffffff, 0, 0, 0], 0, [0, 0, 0, 0], 0);
      const out: Record<string, number> = {};
      out.noAttrs = yield* ctnetlink_new_expect(w.net, { tuple }, NLM_F_CREATE);
      out.noMaster = yield* ctnetlink_new_expect(w.net, { tuple, mask, master: tcp(A, 1, B, 2) }, NLM_F_CREATE);
      out.noCreate = yield* ctnetlink_new_expect(w.net, { tuple, mask, master: mt }, 0);
      out.create = yield* ctnetlink_new_expect(w.net, { tuple, mask, master: mt, timeout: 60 }, NLM_F_CREATE);
      out.excl = yield* ctnetlink_new_expect(w.net, { tuple, mask, master: mt }, NLM_F_CREATE | NLM_F_EXCL);
      out.update = yield* ctnetlink_new_expect(w.net, { tuple, mask, master: mt, timeout: 30 }, 0);
      out.badFn = yield* ctnetlink_new_expect(w.net, { tuple: tcp(B, 0, A, 6001), mask, master: mt, fn: 'nosuch' }, NLM_F_CREATE);
      out.del = yield* ctnetlink_del_expect(w.net, { tuple });
      out.delAgain = yield* ctnetlink_del_expect(w.net, { tuple });
      yield* sendPacket(w.net, { t: 0, proto: 'udp', src: A, dst: B, sport: 7, dport: 8 });
      out.helperless = yield* ctnetlink_new_expect(w.net, { tuple, mask, master: mkTuple(AF_INET, IPPROTO_UDP, ip(A), 7, ip(B), 8) }, NLM_F_CREATE);
      out.flush = yield* ctnetlink_flush_expect(w.net);
      return out;
    });
    expect(result).toEqual({
      noAttrs: -EINVAL, noMaster: -ENOENT, noCreate: -ENOENT, create: 0, excl: -EEXIST, update: 0, badFn: -EINVAL, del: 0, delAgain: -ENOENT,
      helperless: -EOPNOTSUPP, flush: 0,
    });
  });

  it('changes the helper of a conntrack: busy for a child, -EOPNOTSUPP without the module, -EAGAIN once the module loads', () => {
    const { result } = runModel(function* (w) {
      const m = yield* master(w, 40000);
      yield* sendPacket(w.net, m.s.seg('c', 'PA', portCommand(A, 50000)));
      yield* sendPacket(w.net, new TcpSession(B, 20, A, 50000).seg('c', 'S'));
      const mt = m.ct.tuplehash[0].tuple;
      const out: Record<string, number> = {};
      out.child = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: tcp(B, 20, A, 50000), help: { name: '' } }, 0);
      out.same = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: mt, help: { name: 'ftp' } }, 0);
      out.unknown = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: mt, help: { name: 'irc' } }, 0);
      w.nfct.loadable.set('irc', { ...nf_conntrack_helper_sip(AF_INET), name: 'irc', tuple: mkTuple(AF_INET, IPPROTO_TCP, [0, 0, 0, 0], 6667, [0, 0, 0, 0], 0) });
      out.loaded = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: mt, help: { name: 'irc' } }, 0);
      out.other = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: mt, help: { name: 'irc' } }, 0);
      out.badStatus = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: mt, status: 0 }, 0);
      out.excl = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: mt }, NLM_F_EXCL);
      out.missing = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: tcp(A, 9, B, 9) }, 0);
      return out;
    }, { design: 'global' });
    expect(result).toEqual({ child: -EBUSY, same: 0, unknown: -EOPNOTSUPP, loaded: -EAGAIN, other: -EBUSY, badStatus: -EBUSY, excl: -EEXIST, missing: -ENOENT });
  });
});

describe('helper unregistration', () => {
  it('removes the helper\'s expectations and unsets the helper of its conntracks', () => {
    const { result, world } = runModel(function* (w) {
      const m = yield* master(w, 40000);
      yield* sendPacket(w.net, m.s.seg('c', 'PA', portCommand(A, 50000)));
      const before = linkedExpectations(w.net);
      yield* nf_conntrack_helper_unregister(w.nfct, w.ftp);
      return [before, linkedExpectations(w.net), m.ct.ext_help!.helper.peek()];
    }, { design: 'split', fixes: { unhelpRaw: true } });
    expect(result).toEqual([1, 0, null]);
    expect(world.nfct.expFate.get(1)).toEqual(['removed']);
  });

  it('is flagged by lockdep in the seed: unhelp() asserts a lock its callers do not hold', () => {
    expect(() => runModel(function* (w) {
      yield* master(w, 40000);
      yield* nf_conntrack_helper_unregister(w.nfct, w.ftp);
    })).toThrow(/lockdep-assert: WARNING: suspicious RCU usage: rcu_dereference_protected\(nf_conn#1.help->helper\)/);
  });
});

describe('verdicts', () => {
  it('drops the packet when the helper cannot add its expectation (a clash: NF_DROP)', () => {
    const { result } = runModel(function* (w) {
      const m1 = yield* master(w, 40000);
      const m2 = yield* master(w, 40001);
      return [
        yield* sendPacket(w.net, m1.s.seg('c', 'PA', portCommand(A, 50000))),
        yield* sendPacket(w.net, m2.s.seg('c', 'PA', portCommand(A, 50000))),
      ];
    });
    expect(result).toEqual([NF_ACCEPT, NF_DROP]);
  });
});
