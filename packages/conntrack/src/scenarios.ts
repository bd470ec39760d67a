// @k/conntrack/scenarios: the checked scenarios of issue 8, each under the
// lock design before seed 001 (`global`) and after it (`split`), and, where
// the checker found a bug, the seed (`seed`) with its counterexample and the
// smallest fix (`fixed`). Every scenario checks the common properties of
// src/internal/world.ts plus its own. `k check @k/conntrack` explores them.

import {
  choose, complete_all, cond_resched, defineScenario, init_completion, usleep_range, wait_for_completion, type KGen, type Scenario, type TaskHandle,
} from '@k/core-sync';
import {
  BOTH_DESIGNS, Stage, TcpSession, buildWorld, ftpControl, installProperties, portCommand, runPackets, sendPacket, sipInvite, sipRegister,
  sipRegisterOk, variantConfig, type ScenarioWorld,
} from './internal/world';
import { nf_conntrack_find_get, nf_ct_put } from './internal/core';
import { nf_conntrack_helper_unregister } from './internal/helper';
import { DEFAULT_TIMEOUTS, linkedExpectations } from './internal/net';
import {
  NLM_F_CREATE, ctnetlink_del_conntrack, ctnetlink_del_expect, ctnetlink_flush_expect, ctnetlink_new_conntrack, ctnetlink_new_expect,
  nfqnl_recv_verdict,
} from './internal/netlink';
import { process_rcf, process_rrq } from './internal/h323';
import { nf_conntrack_helper_sip } from './internal/sip';
import { IPPROTO_TCP, IPPROTO_UDP, mkTuple, nf_ct_invert_tuple, parseIPv4, type nf_conntrack_tuple } from './internal/tuple';
import { NF_ACCEPT, IP_CT_ESTABLISHED_REPLY, IP_CT_NEW, IPS_EXPECTED, type nf_conn } from './internal/types';

const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';
const ip = (s: string) => parseIPv4(s)!;
/** the original tuple of a TCP or UDP flow */
const flow = (proto: number, src: string, sport: number, dst: string, dport: number): nf_conntrack_tuple => mkTuple(2, proto, ip(src), sport, ip(dst), dport);
/** ten days of virtual time: every conntrack and expectation timer of a scenario fires before the bound */
const MAX_TIME = 10 * 24 * 3600 * 1e9;

function ctOf(w: ScenarioWorld, t: nf_conntrack_tuple): nf_conn {
  for (const c of w.net.ct.hash) for (const h of c ?? []) if (h.tuple.dst.dir === 0 && h.ct.tuplehash[0].tuple.src.u.all === t.src.u.all && h.ct.tuplehash[0].tuple.dst.u.all === t.dst.u.all && h.ct.tuplehash[0].tuple.dst.protonum === t.dst.protonum) return h.ct;
  throw new Error('[conntrack scenario] setup did not create the expected conntrack');
}

/** An FTP control connection CLIENT:cport -> SERVER:21 and the packets that set it up, with a PORT for each of `dataPorts`. */
function ftpMaster(w: ScenarioWorld, cport: number, dataPorts: number[]): { s: TcpSession; setup: () => KGen<number[]> } {
  const s = new TcpSession(CLIENT, cport, SERVER, 21);
  const packets = [...ftpControl(s), ...dataPorts.flatMap((p) => [s.seg('c', 'PA', portCommand(CLIENT, p)), s.seg('s', 'PA', '200 ok\r\n')])];
  return { s, setup: () => runPackets(w.net, packets, w.ftp) };
}

/** Timers fire only when no CPU can run: the concurrent phase runs first, then everything times out (quiescence). */
const STRICT = { timing: 'strict' as const };

/**
 * Sleeps until just before (one jiffy at HZ=250) or exactly at `seconds` after
 * boot, the explorer's choice: the instant an expectation armed at setup times
 * out (setup takes no virtual time). At the instant itself the timer is
 * already detached when the task runs, so del_timer() fails.
 */
function* atExpiry(seconds: number): KGen {
  const us = seconds * 1e6 - (choose(2, 'before or at the expiry') === 0 ? 4000 : 0);
  yield* usleep_range(us, us);
}

/** The server's data connection (active FTP) to CLIENT:port. */
const dataSyn = (port: number, sport = 20) => new TcpSession(SERVER, sport, CLIENT, port).seg('c', 'S');

/** 1. An expectation times out while a matching connection arrives: used or expired, never both. */
export const expectTimeoutVsMatch = defineScenario({
  name: 'expect-timeout-vs-new-connection',
  description: 'an FTP PORT expectation times out while the server opens the data connection it expects',
  variants: BOTH_DESIGNS,
  defaults: { cpus: 2, budget: 300, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v));
    const st = new Stage(k);
    st.setup(ftpMaster(w, 40000, [50000]).setup);
    // the SYN arrives at the instant the expectation times out (ftp policy: 300 s)
    st.task('data SYN', function* () {
      yield* atExpiry(300);
      yield* sendPacket(w.net, dataSyn(50000));
    }, 1);
    installProperties(k, w);
    k.outcome(() => (w.nfct.expFate.get(1) ?? ['unused']).join('+'));
  },
});

/** 2. Two connections match the same non-permanent expectation: at most one becomes its child. */
export const expectSingleUse = defineScenario({
  name: 'expect-single-use',
  description: 'two data connections from different source ports match one PORT expectation at the same time',
  variants: BOTH_DESIGNS,
  defaults: { cpus: 2, budget: 300, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v));
    const st = new Stage(k);
    st.setup(ftpMaster(w, 40000, [50000]).setup);
    st.task('data SYN a', () => sendPacket(w.net, dataSyn(50000, 20)), 0);
    st.task('data SYN b', () => sendPacket(w.net, dataSyn(50000, 2020)), 1);
    installProperties(k, w);
    const children = () => w.nfct.allConntracks.filter((c) => c.master !== null).length;
    k.invariant('an expectation has at most one child', () => children() <= 1);
    k.outcome(() => `children=${children()}`);
  },
});

/** 3. Eviction of the oldest expectation of a full class, a clash (-EBUSY) and the global limit (-EMFILE). */
export const expectEvictClashLimit = defineScenario({
  name: 'expect-evict-clash-limit',
  description: 'two masters expect the same data tuple (clash), one replaces its own older expectation (max_expected 1), a third hits nf_ct_expect_max = 2',
  variants: BOTH_DESIGNS,
  defaults: { cpus: 2, budget: 200, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v), { nf_ct_expect_max: 2 });
    const a = ftpMaster(w, 40000, [50000]);
    const b = ftpMaster(w, 40001, []);
    const c = ftpMaster(w, 40002, []);
    const st = new Stage(k);
    st.setup(function* () {
      yield* a.setup();
      yield* b.setup();
      yield* c.setup();
    });
    const verdict: Record<string, string> = {};
    const send = function* (who: string, sess: TcpSession, port: number): KGen {
      verdict[who] = (yield* sendPacket(w.net, sess.seg('c', 'PA', portCommand(CLIENT, port)), null)) === NF_ACCEPT ? 'ok' : 'drop';
    };
    st.task('A: PORT 50001, then C: PORT 50002', function* () {
      yield* send('A', a.s, 50001);
      yield* send('C', c.s, 50002);
    }, 0);
    st.task('B: PORT 50001', () => send('B', b.s, 50001), 1);
    installProperties(k, w);
    k.invariant('at most nf_ct_expect_max expectations', () => w.net.ct.expect_count.peek() <= 2);
    k.outcome(() => `A=${verdict.A} B=${verdict.B} C=${verdict.C}`);
  },
});

/** 4. The master dies (conntrack -D) while its expectation is being matched: the master is released exactly. */
export const masterDeathVsMatch = defineScenario({
  name: 'master-delete-vs-expected-connection',
  description: 'ctnetlink deletes the FTP control conntrack (removing its expectations under nf_conntrack_lock) while the data connection matches one',
  variants: BOTH_DESIGNS,
  defaults: { cpus: 2, budget: 300, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v));
    const st = new Stage(k);
    st.setup(ftpMaster(w, 40000, [50000]).setup);
    st.task('conntrack -D', () => ctnetlink_del_conntrack(w.net, { tuple_orig: flow(IPPROTO_TCP, CLIENT, 40000, SERVER, 21) }), 0);
    st.task('data SYN', () => sendPacket(w.net, dataSyn(50000)), 1);
    installProperties(k, w);
    k.outcome(() => (w.nfct.allConntracks.some((c) => c.status & IPS_EXPECTED) ? 'expected' : 'new'));
  },
});

/** 5. The lockless `if (net->ct.expect_count)` of init_conntrack (README "What the lockless test can miss"). */
export const expectCountLockless = defineScenario({
  name: 'expect-count-lockless-test',
  description: 'a PORT command inserts an expectation while its data connection arrives: the split design tests net->ct.expect_count without the lock',
  variants: {
    global: { expect: 'holds', why: 'init_conntrack reads expect_count under nf_conntrack_lock; outcomes expected and new' },
    seed: { expect: 'fails', kinds: ['data-race'], why: 'the plain lockless read races with expect_count++ under nf_conntrack_expect_lock (an LKMM data race)' },
    fixed: { expect: 'holds', why: 'READ_ONCE/WRITE_ONCE: the same two outcomes as global, nothing else' },
    'seed-causal': { expect: 'holds', why: 'the SYN follows the PORT command (the server read it, then connected): even the plain read sees the count, always expected' },
  },
  defaults: { cpus: 2, budget: 300, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const causal = v === 'seed-causal';
    const w = buildWorld(k, { ...variantConfig(causal ? 'seed' : v, { expectCountOnce: true }), expectCountRead: 'plain' });
    const a = ftpMaster(w, 40000, []);
    const st = new Stage(k);
    st.setup(a.setup);
    let port = 0;
    // the PORT command reaches the server after the hook: the server's SYN happens after the insertion
    const forwarded = init_completion('PORT delivered to the server');
    st.task('PORT 50000', function* () {
      port = yield* sendPacket(w.net, a.s.seg('c', 'PA', portCommand(CLIENT, 50000)), null);
      yield* complete_all(forwarded);
    }, 0);
    st.task('data SYN', function* () {
      if (causal) yield* wait_for_completion(forwarded);
      yield* sendPacket(w.net, dataSyn(50000));
    }, 1);
    installProperties(k, w);
    if (causal) k.atEnd('a data connection that follows the PORT command is expected', () => w.nfct.allConntracks.some((c) => c.status & IPS_EXPECTED));
    k.outcome(() => `${port === NF_ACCEPT ? 'port-ok' : 'port-drop'} ${w.nfct.allConntracks.some((c) => c.status & IPS_EXPECTED) ? 'expected' : 'new'}`);
  },
});

/** 6. Finding A: removing the helper through ctnetlink re-takes nf_conntrack_expect_lock. */
export const ctnetlinkRemoveHelper = defineScenario({
  name: 'ctnetlink-remove-helper',
  description: 'conntrack -U sets CTA_HELP "" on a control connection that has an expectation, while its data connection arrives',
  variants: {
    global: { expect: 'holds', why: 'nf_ct_remove_expectations runs under the caller\'s nf_conntrack_lock and takes no lock itself' },
    seed: { expect: 'fails', kinds: ['lock-misuse', 'deadlock'], why: 'ctnetlink_new_conntrack holds nf_conntrack_expect_lock; nf_ct_remove_expectations takes it again (AA deadlock)' },
    fixed: { expect: 'holds', why: 'no expect lock around ctnetlink_change_conntrack (as later kernels)' },
  },
  defaults: { cpus: 2, budget: 200, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v, { ctnetlinkNoExpectLock: true }));
    const st = new Stage(k);
    st.setup(ftpMaster(w, 40000, [50000]).setup);
    let err = 1;
    st.task('conntrack -U --helper ""', function* () {
      err = yield* ctnetlink_new_conntrack(w.net, { tuple_orig: flow(IPPROTO_TCP, CLIENT, 40000, SERVER, 21), help: { name: '' } }, 0);
    }, 0);
    st.task('data SYN', () => sendPacket(w.net, dataSyn(50000)), 1);
    installProperties(k, w);
    k.atEnd('the update succeeded', () => err === 0 || `ctnetlink_new_conntrack returned ${err}`);
  },
});

/** 7. Findings B and C: helper unregistration racing a connection that an expectation gives that helper. */
export const helperUnregisterVsConnection = defineScenario({
  name: 'helper-unregister-vs-expected-connection',
  description: 'the sip helper is unregistered while an incoming call matches a REGISTER expectation that carries the helper',
  variants: {
    global: { expect: 'holds', why: 'init_conntrack and the unregistration both hold nf_conntrack_lock' },
    seed: { expect: 'fails', kinds: ['lockdep-assert'], why: 'B: unhelp() asserts nf_conntrack_expect_lock, which its callers do not hold (suspicious RCU usage)' },
    'seed-unhelp-fixed': { expect: 'fails', kinds: ['invariant', 'data-race'], why: 'B fixed as merged in v3.16: G (or C) remains' },
    'seed-bg-fixed': { expect: 'fails', kinds: ['invariant'], why: 'C: the new conntrack is on no list between the expect lock and the unconfirmed list, so unregistration misses it' },
    fixed: { expect: 'holds', why: 'B: rcu_dereference_raw in unhelp; C: the conntrack joins the unconfirmed list before the expect lock is dropped; G: marked reads of help->helper' },
  },
  defaults: { cpus: 2, budget: 250, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const fixes = v === 'fixed' ? { unhelpRaw: true, unconfirmedUnderExpectLock: true, helperMarkedRead: true }
      : v === 'seed-bg-fixed' ? { unhelpRaw: true, helperMarkedRead: true }
        : v === 'seed-unhelp-fixed' ? { unhelpRaw: true } : {};
    const w = buildWorld(k, v === 'global' ? { design: 'global' } : { design: 'split', fixes });
    const sip = w.sip;
    const st = new Stage(k);
    // REGISTER and 200 OK: an active, permanent signalling expectation whose exp->helper is sip
    st.setup(function* () {
      yield* runPackets(w.net, [sipRegister(CLIENT, 5062, SERVER, 1, 3600)], sip);
      yield* runPackets(w.net, [sipRegisterOk(CLIENT, 5062, SERVER, 1, 3600)]);
    });
    const call: TaskHandle = st.task('incoming call', function* () {
      // the call arrives a little later (a few scheduling points)
      for (let i = 0; i < 4; i++) yield* cond_resched();
      yield* sendPacket(w.net, sipInvite(SERVER, 5070, CLIENT, 5062, 7078));
    }, 0);
    const unreg: TaskHandle = st.task('rmmod nf_conntrack_sip', () => nf_conntrack_helper_unregister(w.nfct, sip), 1);
    installProperties(k, w);
    k.invariant('after unregistration no conntrack and no expectation refers to the helper', () => {
      if (!call.done || !unreg.done) return true;
      for (const pcpu of w.net.ct.pcpu_lists) for (const ct of pcpu.unconfirmed) if (ct.ext_help?.helper.peek() === sip) return `unconfirmed nf_conn#${ct.id} still has the sip helper`;
      for (const c of w.net.ct.hash) for (const h of c ?? []) if (h.ct.ext_help?.helper.peek() === sip) return `nf_conn#${h.ct.id} still has the sip helper`;
      for (const b of w.net.ct.expect_hash) {
        for (const exp of b ?? []) if (exp.helper === sip || exp.master.ext_help?.helper.peek() === sip) return `exp#${exp.id} of the sip helper is still linked`;
      }
      return true;
    });
    k.outcome(() => `expectations=${linkedExpectations(w.net)}`);
  },
});

/** 8. Finding E: the nfqueue verdict path requests a module inside rcu_read_lock. */
export const nfqueueChangeHelper = defineScenario({
  name: 'nfqueue-change-helper-module-request',
  description: 'an nfqueue verdict carries CTA_HELP naming a helper that is not loaded: ctnetlink_change_helper requests the module',
  variants: {
    global: { expect: 'fails', kinds: ['sleep-in-atomic'], why: 'nfnetlink calls the verdict handler under rcu_read_lock; request_module() sleeps there (before the seed too)' },
    split: { expect: 'fails', kinds: ['sleep-in-atomic'], why: 'the same with nf_conntrack_expect_lock dropped and retaken around it' },
    fixed: { expect: 'holds', why: 'no module request from ctnetlink_change_helper: -EOPNOTSUPP (later kernels)' },
  },
  defaults: { cpus: 1, budget: 20, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v, { changeHelperNoModuleRequest: true }));
    const st = new Stage(k);
    st.setup(ftpMaster(w, 40000, []).setup);
    st.task('nfqueue verdict with CTA_HELP "irc"', function* () {
      const h = yield* nf_conntrack_find_get(w.net, 0, flow(IPPROTO_TCP, CLIENT, 40000, SERVER, 21));
      if (!h) return;
      yield* nfqnl_recv_verdict(h.ct, { help: { name: 'irc' } });
      yield* nf_ct_put(h.ct);
    }, 0);
    installProperties(k, w);
  },
});

/** 9. ctnetlink's module request drops the spinlock before sleeping; expectations created, deleted and flushed by ctnetlink. */
export const ctnetlinkPaths = defineScenario({
  name: 'ctnetlink-expectation-paths',
  description: 'conntrack -U --helper loads a module (unlock/sleep/relock), conntrack -I/-D/-F expect run while the FTP session creates and uses expectations',
  variants: BOTH_DESIGNS,
  defaults: { cpus: 2, budget: 150, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v));
    const a = ftpMaster(w, 40000, [50000]);
    w.nfct.loadable.set('sip', { ...nf_conntrack_helper_sip(2), tuple: mkTuple(2, IPPROTO_TCP, [0, 0, 0, 0], 5060, [0, 0, 0, 0], 0) });
    const master = flow(IPPROTO_TCP, CLIENT, 40000, SERVER, 21);
    const expected = mkTuple(2, IPPROTO_TCP, ip(SERVER), 0, ip(CLIENT), 50500);
    const mask = mkTuple(2, IPPROTO_TCP, [0xffffffff, 0, 0, 0], 0, [0, 0, 0, 0], 0);
    const errs: number[] = [];
    const st = new Stage(k);
    st.setup(a.setup);
    st.task('conntrack (netlink)', function* () {
      errs.push(yield* ctnetlink_new_conntrack(w.net, { tuple_orig: master, help: { name: 'sip' } }, 0));
      errs.push(yield* ctnetlink_new_expect(w.net, { tuple: expected, mask, master, timeout: 60 }, NLM_F_CREATE));
      errs.push(yield* ctnetlink_del_expect(w.net, { tuple: expected }));
      errs.push(yield* ctnetlink_flush_expect(w.net));
    }, 0);
    st.task('FTP session', function* () {
      yield* sendPacket(w.net, a.s.seg('c', 'PA', portCommand(CLIENT, 50001)), null);
      yield* sendPacket(w.net, dataSyn(50001));
    }, 1);
    installProperties(k, w);
    k.outcome(() => errs.join(','));
  },
});

/** 10. SIP: the registrar's answers refresh or flush the signalling expectation while it may time out. */
export const sipRefreshVsFlush = defineScenario({
  name: 'sip-refresh-vs-flush',
  description: 'a 200 OK (refresh_signalling_expectation) and a 403 (flush_expectations) for the same REGISTER race with the expectation timer',
  variants: BOTH_DESIGNS,
  defaults: { cpus: 2, budget: 300, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v));
    const ok = sipRegisterOk(CLIENT, 5062, SERVER, 7, 3600);
    const forbidden = { ...ok, payload: ok.payload!.replace('SIP/2.0 200 OK', 'SIP/2.0 403 Forbidden') };
    const st = new Stage(k);
    st.setup(() => runPackets(w.net, [sipRegister(CLIENT, 5062, SERVER, 7, 3600)], w.sip));
    // both answers arrive when the signalling expectation times out (sip policy: 180 s)
    st.task('200 OK', function* () {
      yield* atExpiry(180);
      yield* sendPacket(w.net, ok);
    }, 0);
    st.task('403 Forbidden', function* () {
      yield* atExpiry(180);
      yield* sendPacket(w.net, forbidden);
    }, 1);
    installProperties(k, w);
    k.outcome(() => (w.nfct.expFate.get(1) ?? ['linked']).join('+'));
  },
});

/** 11. H.323 RAS: the gatekeeper's RCF re-arms the permanent Q.931 expectation while a call uses it and its timer runs. */
export const h323RcfVsCall = defineScenario({
  name: 'h323-rcf-vs-call',
  description: 'process_rcf sets the Q.931 expectation timeout under the expectation lock while a call matches the permanent expectation',
  variants: BOTH_DESIGNS,
  defaults: { cpus: 2, budget: 300, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    // the RAS connection outlives the scenario (the gatekeeper's traffic keeps it up in reality)
    const w = buildWorld(k, variantConfig(v), { timeouts: { ...DEFAULT_TIMEOUTS, udp_unreplied: 3600 } });
    const ras = { t: 0, proto: 'udp' as const, src: CLIENT, dst: SERVER, sport: 1719, dport: 1719, payload: 'RRQ' };
    let m: nf_conn | null = null;
    const st = new Stage(k);
    st.setup(function* () {
      yield* runPackets(w.net, [ras], w.ras);
      m = ctOf(w, flow(IPPROTO_UDP, CLIENT, 1719, SERVER, 1719));
      yield* process_rrq(m, IP_CT_NEW, { callSignalAddress: [{ addr: ip(CLIENT), port: 1720 }], timeToLive: 120 }, w.q931);
    });
    // the RCF and the call arrive when the Q.931 expectation times out (RAS policy: 240 s)
    st.task('RCF', function* () {
      yield* atExpiry(240);
      yield* process_rcf(m!, IP_CT_ESTABLISHED_REPLY, { timeToLive: 60 });
    }, 0);
    st.task('Q.931 call', function* () {
      yield* atExpiry(240);
      yield* sendPacket(w.net, new TcpSession(SERVER, 4000, CLIENT, 1720).seg('c', 'S'));
    }, 1);
    installProperties(k, w);
    k.outcome(() => (w.nfct.expFate.get(1) ?? ['linked']).join('+'));
  },
});

/** 12. Finding F: a conntrack created by ctnetlink with a master, whose insertion fails, keeps the master's reference. */
export const ctnetlinkCreateMaster = defineScenario({
  name: 'ctnetlink-create-with-master',
  description: 'conntrack -I with CTA_TUPLE_MASTER twice for the same tuple: the second insertion fails with -EEXIST',
  variants: {
    global: { expect: 'fails', kinds: ['leak', 'assertion'], why: 'ctnetlink_create_conntrack frees the new conntrack without nf_ct_put(ct->master): the master is never released' },
    split: { expect: 'fails', kinds: ['leak', 'assertion'], why: 'the same path; the seed does not touch it' },
    fixed: { expect: 'holds', why: 'the master is put on the error path (later kernels\' err3)' },
  },
  defaults: { cpus: 2, budget: 60, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, variantConfig(v, { ctnetlinkCreatePutMaster: true }));
    const master = flow(IPPROTO_UDP, CLIENT, 1000, SERVER, 2000);
    const child = flow(IPPROTO_UDP, SERVER, 3000, CLIENT, 4000);
    // the second has another original tuple (the lookup misses) but the same reply tuple (the insertion clashes)
    const second = flow(IPPROTO_UDP, SERVER, 3001, CLIENT, 4001);
    const errs: number[] = [];
    const st = new Stage(k);
    st.setup(() => runPackets(w.net, [{ t: 0, proto: 'udp', src: CLIENT, dst: SERVER, sport: 1000, dport: 2000, payload: 'x' }]));
    st.task('conntrack -I (twice)', function* () {
      errs.push(yield* ctnetlink_new_conntrack(w.net, { tuple_orig: child, tuple_reply: nf_ct_invert_tuple(child), tuple_master: master, timeout: 30 }, NLM_F_CREATE));
      errs.push(yield* ctnetlink_new_conntrack(w.net, { tuple_orig: second, tuple_reply: nf_ct_invert_tuple(child), tuple_master: master, timeout: 30 }, NLM_F_CREATE));
    }, 0);
    st.task('master traffic', () => sendPacket(w.net, { t: 0, proto: 'udp', src: SERVER, dst: CLIENT, sport: 2000, dport: 1000, payload: 'y' }), 1);
    installProperties(k, w);
    k.outcome(() => errs.join(','));
  },
});

/** 13. Finding G: since the seed, help->helper is read under nf_conntrack_expect_lock but unhelp() writes it under nf_conntrack_lock. */
export const helperPointerRace = defineScenario({
  name: 'helper-pointer-vs-expectation',
  description: 'the ftp helper is unregistered (unhelp writes help->helper) while its control connection creates an expectation (__nf_ct_expect_check reads it)',
  variants: {
    global: { expect: 'holds', why: 'both under nf_conntrack_lock' },
    'seed-unhelp-fixed': { expect: 'fails', kinds: ['data-race'], why: 'G: the plain rcu_dereference_protected() under nf_conntrack_expect_lock races with RCU_INIT_POINTER() under nf_conntrack_lock' },
    fixed: { expect: 'holds', why: 'G: the readers use a marked load (rcu_dereference_check)' },
  },
  defaults: { cpus: 2, budget: 200, maxTime: MAX_TIME, ...STRICT },
  setup(k, v) {
    const w = buildWorld(k, v === 'global' ? { design: 'global' } : { design: 'split', fixes: { unhelpRaw: true, helperMarkedRead: v === 'fixed' } });
    const a = ftpMaster(w, 40000, []);
    const st = new Stage(k);
    st.setup(a.setup);
    st.task('PORT 50000', () => sendPacket(w.net, a.s.seg('c', 'PA', portCommand(CLIENT, 50000)), null), 0);
    st.task('rmmod nf_conntrack_ftp', () => nf_conntrack_helper_unregister(w.nfct, w.ftp), 1);
    installProperties(k, w);
  },
});

/** Every scenario of the package, for `k check`. */
export const scenarios: readonly Scenario[] = [
  expectTimeoutVsMatch, expectSingleUse, expectEvictClashLimit, masterDeathVsMatch, expectCountLockless, ctnetlinkRemoveHelper,
  helperUnregisterVsConnection, helperPointerRace, nfqueueChangeHelper, ctnetlinkPaths, sipRefreshVsFlush, h323RcfVsCall, ctnetlinkCreateMaster,
] as readonly Scenario[];
