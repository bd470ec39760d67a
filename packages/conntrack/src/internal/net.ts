// Module and per-netns initialisation (nf_conntrack_core.c
// nf_conntrack_init_start / nf_conntrack_init_net, nf_conntrack_expect.c
// nf_conntrack_expect_init), the statistics macros (NF_CT_STAT_INC), the
// accessors of net->ct.expect_count and the cost hook of the benchmark.
// Seed 001: nf_conntrack_expect_lock is defined next to nf_conntrack_lock.

import {
  ATOMIC_INIT, Cell, DEFINE_MUTEX, DEFINE_SPINLOCK, READ_ONCE, WRITE_ONCE, current, ndelay, Op, A_READ, type KGen,
} from '@k/core-sync';
import {
  NO_FIXES, ZERO_COST, type ConntrackConfig, type CostModel, type NfConntrack, type ProtoTimeouts, type ct_pcpu,
  type ip_conntrack_stat, type net,
} from './types';

/** tcp_timeouts[] of nf_conntrack_proto_tcp.c (seconds), then RETRANS and UNACK */
export const TCP_TIMEOUTS: readonly number[] = [
  0, // NONE
  2 * 60, // SYN_SENT
  60, // SYN_RECV
  5 * 24 * 3600, // ESTABLISHED
  2 * 60, // FIN_WAIT
  60, // CLOSE_WAIT
  30, // LAST_ACK
  2 * 60, // TIME_WAIT
  10, // CLOSE
  2 * 60, // SYN_SENT2
  5 * 60, // RETRANS (nf_ct_tcp_timeout_max_retrans)
  5 * 60, // UNACK (nf_ct_tcp_timeout_unacknowledged)
];

/** The l4 timeouts of v3.14 (udp_timeouts[], nf_ct_generic_timeout, tcp_timeouts[]). */
export const DEFAULT_TIMEOUTS: ProtoTimeouts = {
  udp_unreplied: 30,
  udp_replied: 180,
  generic: 600,
  tcp: TCP_TIMEOUTS,
};

/** Defaults: the seed's design, no fixes, the oracle machine's table sizes (expect_max 4096). */
export const DEFAULT_CONFIG: ConntrackConfig = {
  design: 'split',
  fixes: NO_FIXES,
  expectCountRead: 'plain',
  nf_ct_expect_max: 4096,
  nf_ct_expect_hsize: 1024,
  nf_conntrack_max: 262144,
  htable_size: 262144,
  hash_rnd: 0x2f0b0d63,
  ftp_loose: false,
  sip_direct_signalling: true,
  sip_direct_media: true,
  sip_timeout: 3600,
  cost: ZERO_COST,
  timeouts: DEFAULT_TIMEOUTS,
};

function newStat(): ip_conntrack_stat {
  return {
    searched: 0, found: 0, new: 0, invalid: 0, ignore: 0, delete: 0, delete_list: 0, insert: 0, insert_failed: 0,
    drop: 0, early_drop: 0, error: 0, expect_new: 0, expect_create: 0, expect_delete: 0, search_restart: 0,
  };
}

/**
 * Module init: the global locks, the helper table and the sizes. `cpus` is
 * the number of possible CPUs (per-cpu lists and statistics).
 */
export function nf_conntrack_init(cpus: number, cfg: Partial<ConntrackConfig> = {}): NfConntrack {
  const c: ConntrackConfig = { ...DEFAULT_CONFIG, ...cfg, fixes: { ...NO_FIXES, ...(cfg.fixes ?? {}) }, cost: { ...ZERO_COST, ...(cfg.cost ?? {}) } };
  const nfct: NfConntrack = {
    cfg: c,
    nf_conntrack_lock: DEFINE_SPINLOCK('nf_conntrack_lock'),
    nf_conntrack_expect_lock: DEFINE_SPINLOCK('nf_conntrack_expect_lock'),
    nf_ct_helper_mutex: DEFINE_MUTEX('nf_ct_helper_mutex'),
    nfnl_mutex: DEFINE_MUTEX('nfnl_mutex[CTNETLINK]'),
    rtnl_mutex: DEFINE_MUTEX('rtnl_mutex'),
    nf_ftp_lock: DEFINE_SPINLOCK('nf_ftp_lock'),
    nf_ct_helper_hash: [],
    nf_ct_helper_count: 0,
    nf_ct_helper_expectfn_list: [],
    loadable: new Map(),
    nets: [],
    nextCtId: 1,
    nextExpId: 1,
    allExpects: [],
    allConntracks: [],
    ctFreed: new Set(),
    expFreed: new Map(),
    expFate: new Map(),
  };
  nf_conntrack_pernet_init(nfct, 'init_net', cpus);
  return nfct;
}

/** nf_conntrack_init_net(): one network namespace. */
export function nf_conntrack_pernet_init(nfct: NfConntrack, name: string, cpus: number): net {
  const c = nfct.cfg;
  const pcpu_lists: ct_pcpu[] = [];
  const stat: ip_conntrack_stat[] = [];
  for (let i = 0; i < Math.max(1, cpus); i++) {
    pcpu_lists.push({ lock: DEFINE_SPINLOCK(`pcpu->lock[${i}]`, 'pcpu->lock'), unconfirmed: [], dying: [] });
    stat.push(newStat());
  }
  const n: net = {
    name,
    nfct,
    ct: {
      count: ATOMIC_INIT(0, `${name}.ct.count`),
      expect_count: new Cell(0, `${name}.ct.expect_count`),
      htable_size: c.htable_size,
      hash: new Array(c.htable_size),
      expect_hash: new Array(c.nf_ct_expect_hsize),
      pcpu_lists,
      stat,
      sysctl_auto_assign_helper: false,
      auto_assign_helper_warned: false,
      timeouts: c.timeouts,
    },
  };
  nfct.nets.push(n);
  return n;
}

/** The CPU the current context runs on (0 for a context on no CPU). */
export function this_cpu(): number {
  const th = current();
  return th.cpu ? th.cpu.id : 0;
}

/** NF_CT_STAT_INC(net, field) / NF_CT_STAT_INC_ATOMIC: per-cpu statistics. */
export function NF_CT_STAT_INC(n: net, field: keyof ip_conntrack_stat): void {
  const s = n.ct.stat[this_cpu()] ?? n.ct.stat[0]!;
  s[field]++;
}

/** The statistics summed over CPUs (what /proc/net/stat/nf_conntrack lists per cpu). */
export function sumStats(n: net): ip_conntrack_stat {
  const t = newStat();
  for (const s of n.ct.stat) for (const k of Object.keys(t) as (keyof ip_conntrack_stat)[]) t[k] += s[k];
  return t;
}

/** The benchmark's cost model: consumes virtual CPU time when a cost is configured. */
export function* cost(n: net, op: keyof CostModel): KGen {
  const ns = n.nfct.cfg.cost[op];
  if (ns > 0) yield* ndelay(ns);
}

/** The lock that protects expectations: nf_conntrack_expect_lock (split, the seed) or nf_conntrack_lock (global). */
export function expect_lock(n: net) {
  return n.nfct.cfg.design === 'split' ? n.nfct.nf_conntrack_expect_lock : n.nfct.nf_conntrack_lock;
}

// ---- net->ct.expect_count ------------------------------------------------------------

/**
 * A read of net->ct.expect_count without the lock that protects it
 * (init_conntrack's test in the split design, __nf_ct_expect_find under RCU).
 * `plain` is the seed's C (`if (net->ct.expect_count)`): an LKMM data race;
 * `data_race` reads it as data_race() would (not reported); fix D uses READ_ONCE.
 */
export function* expect_count_lockless(n: net): KGen<number> {
  const c = n.ct.expect_count;
  if (n.nfct.cfg.fixes.expectCountOnce) return yield* READ_ONCE(c);
  if (n.nfct.cfg.expectCountRead === 'plain') return yield* c.read();
  yield DATA_RACE_READ;
  return c.peek();
}
const DATA_RACE_READ = new Op('data_race(net->ct.expect_count)', null, 0, A_READ);

/** A read of net->ct.expect_count under the expectation lock. */
export function* expect_count_locked(n: net): KGen<number> {
  return yield* n.ct.expect_count.read();
}

/** net->ct.expect_count += delta, under the expectation lock (WRITE_ONCE with fix D). */
export function* expect_count_add(n: net, delta: number): KGen {
  const c = n.ct.expect_count;
  // unsigned int: wraps as in C
  if (n.nfct.cfg.fixes.expectCountOnce) {
    const v = c.peek();
    yield* WRITE_ONCE(c, (v + delta) >>> 0);
    return;
  }
  const v = yield* c.read();
  yield* c.write((v + delta) >>> 0);
}

/** The linked expectations of a net (model bookkeeping for properties). */
export function linkedExpectations(n: net): number {
  let k = 0;
  for (const b of n.ct.expect_hash) if (b) k += b.length;
  return k;
}
