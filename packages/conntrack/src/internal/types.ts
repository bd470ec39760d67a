// The structures of include/net/netfilter/nf_conntrack.h,
// nf_conntrack_expect.h, nf_conntrack_helper.h, nf_conntrack_extend.h and
// netns/conntrack.h as the model keeps them (v3.14 + the seed series
// "netfilter: conntrack: optimization, remove central spinlock" 2/5, 3/5 and
// 4/5, seed 001). Fields keep the kernel's names; what the kernel stores in
// bit fields or unions is spelled out.

import type { Atomic, Cell, KGen, Mutex, SpinLock, TimerList } from '@k/core-sync';
import type { nf_conntrack_tuple, nf_conntrack_tuple_mask } from './tuple';

// ---- include/uapi/linux/netfilter/nf_conntrack_common.h -------------------------

/** enum ip_conntrack_info */
export const IP_CT_ESTABLISHED = 0;
export const IP_CT_RELATED = 1;
export const IP_CT_NEW = 2;
export const IP_CT_IS_REPLY = 3;
export const IP_CT_ESTABLISHED_REPLY = IP_CT_ESTABLISHED + IP_CT_IS_REPLY;
export const IP_CT_RELATED_REPLY = IP_CT_RELATED + IP_CT_IS_REPLY;
/** CTINFO2DIR(ctinfo) */
export const CTINFO2DIR = (ctinfo: number): number => (ctinfo >= IP_CT_IS_REPLY ? 1 : 0);

/** enum ip_conntrack_status (bit numbers) */
export const IPS_EXPECTED_BIT = 0;
export const IPS_SEEN_REPLY_BIT = 1;
export const IPS_ASSURED_BIT = 2;
export const IPS_CONFIRMED_BIT = 3;
export const IPS_SRC_NAT_BIT = 4;
export const IPS_DST_NAT_BIT = 5;
export const IPS_DYING_BIT = 9;
export const IPS_FIXED_TIMEOUT_BIT = 10;
export const IPS_TEMPLATE_BIT = 11;
export const IPS_UNTRACKED_BIT = 12;
export const IPS_HELPER_BIT = 13;
export const IPS_EXPECTED = 1 << IPS_EXPECTED_BIT;
export const IPS_SEEN_REPLY = 1 << IPS_SEEN_REPLY_BIT;
export const IPS_ASSURED = 1 << IPS_ASSURED_BIT;
export const IPS_CONFIRMED = 1 << IPS_CONFIRMED_BIT;
export const IPS_DYING = 1 << IPS_DYING_BIT;
export const IPS_HELPER = 1 << IPS_HELPER_BIT;
export const IPS_NAT_MASK = (1 << IPS_SRC_NAT_BIT) | (1 << IPS_DST_NAT_BIT);

/** expectation flags (nf_conntrack_common.h) */
export const NF_CT_EXPECT_PERMANENT = 0x1;
export const NF_CT_EXPECT_INACTIVE = 0x2;
export const NF_CT_EXPECT_USERSPACE = 0x4;

export const NF_CT_MAX_EXPECT_CLASSES = 4;
export const NF_CT_EXPECT_CLASS_DEFAULT = 0;
export const NF_CT_DEFAULT_ZONE = 0;

/** netfilter verdicts (include/uapi/linux/netfilter.h) */
export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NF_STOLEN = 2;
export const NF_QUEUE = 3;
export const NF_REPEAT = 4;

// ---- the conntrack ----------------------------------------------------------

/** struct nf_conntrack_tuple_hash: one of the two hash-table nodes of a conntrack */
export interface nf_conntrack_tuple_hash {
  readonly tuple: nf_conntrack_tuple;
  readonly ct: nf_conn;
}

/** TCP per-direction state the model keeps (struct ip_ct_tcp_state, window fields left out) */
export interface ip_ct_tcp_state {
  flags: number;
  td_end: number;
}

/** struct ip_ct_tcp */
export interface ip_ct_tcp {
  seen: [ip_ct_tcp_state, ip_ct_tcp_state];
  state: number;
  last_dir: number;
  last_index: number;
  last_seq: number;
  last_ack: number;
  last_end: number;
  retrans: number;
}

/** struct nf_conn_help: the helper extension */
export interface nf_conn_help {
  /** struct nf_conntrack_helper __rcu *helper */
  readonly helper: Cell<nf_conntrack_helper | null>;
  /** struct hlist_head expectations (head first) */
  readonly expectations: nf_conntrack_expect[];
  /** u8 expecting[NF_CT_MAX_EXPECT_CLASSES] */
  readonly expecting: number[];
  /** helper private data (struct nf_ct_ftp_master, nf_ct_sip_master ...) */
  data: unknown;
}

/** Where the nf_conn's first hash node is linked (the kernel overloads tuplehash[ORIGINAL].hnnode). */
export type CtList = 'none' | 'unconfirmed' | 'hash' | 'dying';

/** struct nf_conn */
export interface nf_conn {
  /** struct nf_conntrack ct_general: the use count */
  readonly ct_general: { readonly use: Atomic };
  /** spinlock_t lock (protocol state) */
  readonly lock: SpinLock;
  readonly tuplehash: readonly [nf_conntrack_tuple_hash, nf_conntrack_tuple_hash];
  /** unsigned long status (bits set with set_bit; no scheduling point between them in the model) */
  status: number;
  master: nf_conn | null;
  /** struct timer_list timeout */
  readonly timeout: TimerList;
  mark: number;
  secmark: number;
  /** the zone extension (u16) */
  readonly zone: number;
  /** the per-cpu list it was put on (ct->cpu) */
  cpu: number;
  readonly ct_net: net;
  /** extensions: helper (the others are not modelled) */
  ext_help: nf_conn_help | null;
  /** union nf_conntrack_proto */
  readonly proto: { tcp: ip_ct_tcp };
  /** the hash saved at allocation (tuplehash[REPLY].hnnode.pprev in the kernel) */
  readonly hash: number;
  /** model bookkeeping: which list tuplehash[ORIGINAL].hnnode is on */
  list: CtList;
  /** model: a stable id (ctnetlink prints (u32)(unsigned long)ct) */
  readonly id: number;
}

// ---- expectations ---------------------------------------------------------------

/** struct nf_conntrack_expect_policy */
export interface nf_conntrack_expect_policy {
  readonly max_expected: number;
  /** seconds */
  readonly timeout: number;
  readonly name: string;
}

export type expectfn_t = (ct: nf_conn, exp: nf_conntrack_expect) => KGen<void>;

/** struct nf_conntrack_expect */
export interface nf_conntrack_expect {
  /** on the master's help->expectations list (lnode) */
  lnode: boolean;
  /** on net->ct.expect_hash (hnode) */
  hnode: boolean;
  tuple: nf_conntrack_tuple;
  mask: nf_conntrack_tuple_mask;
  expectfn: expectfn_t | null;
  helper: nf_conntrack_helper | null;
  readonly master: nf_conn;
  readonly timeout: TimerList;
  /** atomic_t use */
  readonly use: Atomic;
  flags: number;
  class: number;
  /** model: a stable id */
  readonly id: number;
  /** model: the module state (so that freeing never reads the master, as the kernel's free does not) */
  readonly nfct: NfConntrack;
}

/** struct nf_ct_helper_expectfn */
export interface nf_ct_helper_expectfn {
  readonly name: string;
  readonly expectfn: expectfn_t;
}

// ---- helpers ----------------------------------------------------------------------

/** skb-level state a helper's help() reads */
export type helpfn_t = (skb: sk_buff, protoff: number, ct: nf_conn, ctinfo: number) => KGen<number>;

/** struct nf_conntrack_helper */
export interface nf_conntrack_helper {
  readonly name: string;
  /** the tuple it serves: src.l3num, dst.protonum and src port of the reply direction */
  readonly tuple: nf_conntrack_tuple;
  readonly expect_policy: readonly nf_conntrack_expect_policy[];
  readonly expect_class_max: number;
  readonly help: helpfn_t | null;
  /** allocates the helper's private data (data_len) */
  readonly data: (() => unknown) | null;
  /** module bookkeeping: false once unregistered */
  registered: boolean;
}

// ---- the packet ---------------------------------------------------------------------

/** TCP header fields the trackers read */
export interface tcphdr {
  readonly seq: number;
  readonly ack_seq: number;
  readonly syn: boolean;
  readonly ack: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly psh: boolean;
  readonly window: number;
  /** data offset in 32-bit words */
  readonly doff: number;
}

/** A CT target template (xt_CT / nft ct helper): its zone and helper. */
export interface ct_template {
  readonly zone: number;
  readonly helper: nf_conntrack_helper | null;
}

/** struct sk_buff, reduced to what conntrack and the helpers read. */
export interface sk_buff {
  readonly l3num: number;
  readonly protonum: number;
  readonly saddr: readonly [number, number, number, number];
  readonly daddr: readonly [number, number, number, number];
  readonly sport: number;
  readonly dport: number;
  readonly tcp: tcphdr | null;
  readonly payload: Uint8Array;
  /** skb->len: L3 header + L4 header + payload */
  readonly len: number;
  /** skb->nfct (a conntrack reference) and skb->nfctinfo */
  nfct: nf_conn | null;
  nfctinfo: number;
  /** a template attached by the raw table (CT target), or null */
  tmpl: ct_template | null;
  readonly mark: number;
}

// ---- per-netns state -------------------------------------------------------------------

/** struct ip_conntrack_stat (per cpu) */
export interface ip_conntrack_stat {
  searched: number;
  found: number;
  new: number;
  invalid: number;
  ignore: number;
  delete: number;
  delete_list: number;
  insert: number;
  insert_failed: number;
  drop: number;
  early_drop: number;
  error: number;
  expect_new: number;
  expect_create: number;
  expect_delete: number;
  search_restart: number;
}

/** struct ct_pcpu (seed series 3/5): per-cpu unconfirmed and dying lists under their own lock */
export interface ct_pcpu {
  readonly lock: SpinLock;
  readonly unconfirmed: nf_conn[];
  readonly dying: nf_conn[];
}

/** struct netns_ct */
export interface netns_ct {
  /** atomic_t count */
  readonly count: Atomic;
  /** unsigned int expect_count: read without the lock in init_conntrack (split) */
  readonly expect_count: Cell<number>;
  readonly htable_size: number;
  readonly hash: nf_conntrack_tuple_hash[][];
  readonly expect_hash: nf_conntrack_expect[][];
  readonly pcpu_lists: ct_pcpu[];
  readonly stat: ip_conntrack_stat[];
  sysctl_auto_assign_helper: boolean;
  auto_assign_helper_warned: boolean;
  /** timeouts of the generic/udp/tcp trackers, in seconds (nf_{udp,tcp}_net) */
  readonly timeouts: ProtoTimeouts;
}

/** Timeouts of the l4 trackers, in seconds (the sysctls net.netfilter.nf_conntrack_*_timeout*). */
export interface ProtoTimeouts {
  readonly udp_unreplied: number;
  readonly udp_replied: number;
  readonly generic: number;
  /** indexed by TCP_CONNTRACK_*; TCP_CONNTRACK_RETRANS and UNACK at 10 and 11 */
  readonly tcp: readonly number[];
}

/** struct net (the conntrack part) */
export interface net {
  readonly ct: netns_ct;
  readonly nfct: NfConntrack;
  readonly name: string;
}

// ---- module-wide state (the kernel's globals), one per world -------------------------

/** The lock design under test. */
export type LockDesign = 'global' | 'split';

/**
 * Fixes for findings of the checker, each the smallest change (README
 * "Findings"). All false reproduces the seed (or, under `global`, the kernel
 * before it).
 */
export interface Fixes {
  /** A: no nf_conntrack_expect_lock around ctnetlink_change_conntrack / nfqueue parse, no unlock/relock in ctnetlink_change_helper */
  readonly ctnetlinkNoExpectLock: boolean;
  /** B: unhelp() reads help->helper with rcu_dereference_raw (as merged in v3.16) */
  readonly unhelpRaw: boolean;
  /** C: init_conntrack puts the new conntrack on the unconfirmed list before it drops nf_conntrack_expect_lock */
  readonly unconfirmedUnderExpectLock: boolean;
  /** D: READ_ONCE/WRITE_ONCE on net->ct.expect_count */
  readonly expectCountOnce: boolean;
  /** E: ctnetlink_change_helper returns -EOPNOTSUPP instead of requesting a module (later kernels) */
  readonly changeHelperNoModuleRequest: boolean;
  /** F: ctnetlink_create_conntrack puts ct->master when the insertion fails (later kernels' err3 label) */
  readonly ctnetlinkCreatePutMaster: boolean;
  /** G: the readers of help->helper under nf_conntrack_expect_lock use a marked load (rcu_dereference_check) */
  readonly helperMarkedRead: boolean;
}

export const NO_FIXES: Fixes = {
  ctnetlinkNoExpectLock: false,
  unhelpRaw: false,
  unconfirmedUnderExpectLock: false,
  expectCountOnce: false,
  changeHelperNoModuleRequest: false,
  ctnetlinkCreatePutMaster: false,
  helperMarkedRead: false,
};

/** Virtual CPU cost of an operation, in ns (ndelay): the benchmark's cost model. */
export interface CostModel {
  /** hash and walk of a conntrack hash chain (____nf_conntrack_find) */
  readonly ct_lookup: number;
  /** __nf_conntrack_alloc + extensions + l4proto->new */
  readonly ct_alloc: number;
  /** hash and walk of an expectation chain (nf_ct_find_expectation, __nf_ct_expect_find, __nf_ct_expect_check) */
  readonly exp_lookup: number;
  /** adding to / removing from a per-cpu list; unlinking an expectation */
  readonly list_op: number;
  /** __nf_conntrack_confirm's chain checks and the two hash inserts */
  readonly ct_confirm: number;
  /** nf_ct_expect_insert: both lists, the timer */
  readonly exp_insert: number;
  /** l4proto->packet */
  readonly l4_packet: number;
  /** the helper's parsing of a payload */
  readonly helper_parse: number;
  /** destroy_conntrack and freeing */
  readonly ct_destroy: number;
}

export const ZERO_COST: CostModel = {
  ct_lookup: 0, ct_alloc: 0, exp_lookup: 0, list_op: 0, ct_confirm: 0, exp_insert: 0, l4_packet: 0, helper_parse: 0, ct_destroy: 0,
};

/** Model configuration. */
export interface ConntrackConfig {
  readonly design: LockDesign;
  readonly fixes: Fixes;
  /**
   * How the lockless `if (net->ct.expect_count)` of init_conntrack is seen by
   * the race detector: `plain` as the seed writes it (an LKMM data race),
   * `data_race` as if annotated with data_race() (the intentional race is not
   * reported; used by the scenarios that check other properties).
   */
  readonly expectCountRead: 'plain' | 'data_race';
  /** nf_ct_expect_max (default 4096 as on the oracle machine; the kernel derives it from the hash size) */
  readonly nf_ct_expect_max: number;
  /** nf_ct_expect_hsize */
  readonly nf_ct_expect_hsize: number;
  /** nf_conntrack_max (0: no limit) */
  readonly nf_conntrack_max: number;
  /** net->ct.htable_size */
  readonly htable_size: number;
  /** nf_conntrack_hash_rnd (fixed for determinism) */
  readonly hash_rnd: number;
  /** nf_conntrack_ftp's `loose` parameter */
  readonly ftp_loose: boolean;
  /** nf_conntrack_sip's sip_direct_signalling / sip_direct_media parameters and sip_timeout (s) */
  readonly sip_direct_signalling: boolean;
  readonly sip_direct_media: boolean;
  readonly sip_timeout: number;
  readonly cost: CostModel;
  readonly timeouts: ProtoTimeouts;
}

/** struct nf_conntrack_l4proto, reduced */
export interface nf_conntrack_l4proto {
  readonly l4proto: number;
  readonly name: string;
  new_(ct: nf_conn, skb: sk_buff): boolean;
  packet(ct: nf_conn, skb: sk_buff, ctinfo: number): KGen<number>;
}

/** The module-wide state of nf_conntrack for one world. */
export interface NfConntrack {
  readonly cfg: ConntrackConfig;
  /** DEFINE_SPINLOCK(nf_conntrack_lock) */
  readonly nf_conntrack_lock: SpinLock;
  /** DEFINE_SPINLOCK(nf_conntrack_expect_lock) (seed) */
  readonly nf_conntrack_expect_lock: SpinLock;
  /** static DEFINE_MUTEX(nf_ct_helper_mutex) */
  readonly nf_ct_helper_mutex: Mutex;
  /** nfnl_lock(NFNL_SUBSYS_CTNETLINK): ctnetlink handlers run under it */
  readonly nfnl_mutex: Mutex;
  /** rtnl_lock() */
  readonly rtnl_mutex: Mutex;
  /** DEFINE_SPINLOCK(nf_ftp_lock) of nf_conntrack_ftp.c */
  readonly nf_ftp_lock: SpinLock;
  /** nf_ct_helper_hash, as one list */
  readonly nf_ct_helper_hash: nf_conntrack_helper[];
  nf_ct_helper_count: number;
  /** static LIST_HEAD(nf_ct_helper_expectfn_list), RCU */
  readonly nf_ct_helper_expectfn_list: nf_ct_helper_expectfn[];
  /** modules request_module() can load: name -> helper that appears when loaded */
  readonly loadable: Map<string, nf_conntrack_helper>;
  readonly nets: net[];
  nextCtId: number;
  nextExpId: number;
  /** model: every expectation ever allocated, as raw objects (properties read them without use-after-free checks) */
  readonly allExpects: nf_conntrack_expect[];
  /** model: every conntrack ever allocated, as raw objects */
  readonly allConntracks: nf_conn[];
  /** model: conntracks whose memory nf_conntrack_free() released */
  readonly ctFreed: Set<number>;
  /** model: expectations freed (count per id) */
  readonly expFreed: Map<number, number>;
  /** model: how each expectation ended: 'used' by a connection, 'expired', 'removed' */
  readonly expFate: Map<number, string[]>;
}
