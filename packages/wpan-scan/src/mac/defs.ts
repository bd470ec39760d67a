// Constants and structures of the mac802154 model, named as the kernel names
// them: include/linux/ieee802154.h, include/net/mac802154.h (hw flags and
// driver ops), include/net/cfg802154.h (wpan_phy, wpan_dev, scan request,
// coordinator descriptor, cfg802154_mac_pkt), include/net/nl802154.h (scan
// types, interface types), net/mac802154/ieee802154_i.h (ieee802154_local,
// ieee802154_sub_if_data, enum ieee802154_ongoing), as of seed 000
// (wpan-next, July 2022: "net: mac802154: Handle passive scanning").

import type {
  Atomic, Cell, Module, DelayedWork, KGen, Mutex, SpinLock, WaitQueueHead, WorkStruct, Workqueue,
} from '@k/core-sync';
import type { Host, ListHead, SkbQueue, TaskletStruct, ieee802154_addr, sk_buff } from './kernel';
import type { MacConfig } from './config';

// ---- include/linux/ieee802154.h ----------------------------------------------------------

export const IEEE802154_MAX_PAGE = 31;
export const IEEE802154_MAX_CHANNEL = 26;
/** Duration in superframe order */
export const IEEE802154_MAX_SCAN_DURATION = 14;
export const IEEE802154_ACTIVE_SCAN_DURATION = 15;
/** Superframe duration in slots (seed 000) */
export const IEEE802154_SUPERFRAME_PERIOD = 16;
/** Various periods expressed in symbols (seed 000) */
export const IEEE802154_SLOT_PERIOD = 60;
export const IEEE802154_LIFS_PERIOD = 40;
export const IEEE802154_SIFS_PERIOD = 12;
export const IEEE802154_PANID_BROADCAST = 0xffff;
export const IEEE802154_ADDR_BROADCAST = 0xffff;
export const IEEE802154_ADDR_UNDEF = 0xfffe;

// ---- net/mac802154/ieee802154_i.h --------------------------------------------------------

/**
 * enum ieee802154_ongoing: IEEE802154_IS_SCANNING = BIT(0). The seed passes
 * this value to set_bit()/test_bit()/clear_bit(), which take a bit *number*:
 * the flag lives in bit 1 of local->ongoing. Harmless (every use agrees), kept.
 */
export const IEEE802154_IS_SCANNING = 1 << 0;
/** Later kernels: IEEE802154_IS_BEACONING = BIT(1) (bit number 2, as above). */
export const IEEE802154_IS_BEACONING = 1 << 1;

/** enum { SDATA_STATE_RUNNING } */
export const SDATA_STATE_RUNNING = 0;

// ---- include/net/mac802154.h --------------------------------------------------------------

export const IEEE802154_HW_TX_OMIT_CKSUM = 1 << 0;
export const IEEE802154_HW_LBT = 1 << 1;
export const IEEE802154_HW_CSMA_PARAMS = 1 << 2;
export const IEEE802154_HW_FRAME_RETRIES = 1 << 3;
export const IEEE802154_HW_AFILT = 1 << 4;
export const IEEE802154_HW_PROMISCUOUS = 1 << 5;
export const IEEE802154_HW_RX_OMIT_CKSUM = 1 << 6;
/** "Indicates that receiver will not filter frames with bad checksum": the MAC checks the FCS. */
export const IEEE802154_HW_RX_DROP_BAD_CKSUM = 1 << 7;

export const IEEE802154_AFILT_SADDR_CHANGED = 1 << 0;
export const IEEE802154_AFILT_IEEEADDR_CHANGED = 1 << 1;
export const IEEE802154_AFILT_PANID_CHANGED = 1 << 2;
export const IEEE802154_AFILT_PANC_CHANGED = 1 << 3;

/** mac802154's private packet type for received frames (ieee802154_rx_irqsafe) */
export const IEEE802154_RX_MSG = 1;

// ---- include/net/nl802154.h ----------------------------------------------------------------

export const NL802154_IFTYPE_NODE = 0;
export const NL802154_IFTYPE_MONITOR = 1;
export const NL802154_IFTYPE_COORD = 2;

export const NL802154_SCAN_ED = 1;
export const NL802154_SCAN_ACTIVE = 2;
export const NL802154_SCAN_PASSIVE = 3;
export const NL802154_SCAN_ORPHAN = 4;
export const NL802154_SCAN_ENHANCED_ACTIVE = 5;
export const NL802154_SCAN_RIT_PASSIVE = 6;

/** Later kernels' NL802154_ATTR_SCAN_DONE_REASON values (the seed sends no reason). */
export const NL802154_SCAN_DONE_REASON_FINISHED = 1;
export const NL802154_SCAN_DONE_REASON_ABORTED = 2;

// ---- include/linux/netdevice.h, if_packet.h ------------------------------------------------

export const NET_RX_SUCCESS = 0;
export const NET_RX_DROP = 1;
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_OTHERHOST = 3;

// ---- structures ------------------------------------------------------------------------------

/** struct wpan_phy: the fields the scan touches are shared variables. */
export interface wpan_phy {
  readonly name: string;
  current_page: Cell<number>;
  current_channel: Cell<number>;
  /** u32, ns since 5.18 */
  symbol_duration: Cell<number>;
  /** u16, us */
  lifs_period: Cell<number>;
  sifs_period: Cell<number>;
  /** supported.channels[page]: the channel mask of each page */
  supported: { channels: number[] };
  /** the tx queue bookkeeping of net/mac802154/util.c */
  queue_lock: SpinLock;
  hold_txs: Atomic;
  ongoing_txs: Atomic;
  sync_txq: WaitQueueHead;
}

/** struct wpan_dev */
export interface wpan_dev {
  wpan_phy: wpan_phy;
  iftype: number;
  pan_id: number;
  short_addr: number;
  extended_addr: bigint;
  /** only monitors: frames of every PAN */
  promiscuous_mode: boolean;
  /** coordinators management during scans (net/ieee802154/pan.c) */
  coord_list_lock: SpinLock;
  coord_list: ieee802154_coord_desc[];
  /** the beacon sequence number (later kernels' bsn) */
  bsn: number;
  netdev: net_device;
}

/** struct net_device, what the model needs of it. */
export interface net_device {
  readonly name: string;
  readonly ifindex: number;
  /** IFF_UP */
  up: boolean;
  /** netif queue stopped */
  queue_stopped: boolean;
  stats: { rx_packets: number; rx_bytes: number; tx_packets: number };
  /** frames handed to the upper layers (netif_receive_skb): ghost state for properties */
  delivered: { frameId: number | null; fcsOk: boolean | null; len: number }[];
}

/** struct ieee802154_sub_if_data */
export interface ieee802154_sub_if_data {
  readonly local: ieee802154_local;
  readonly wpan_dev: wpan_dev;
  readonly dev: net_device;
  /** SDATA_STATE_RUNNING */
  state: Cell<number>;
}

/**
 * A pointer value stored in a shared variable. The variable holds the address,
 * not the object: reading a pointer to freed memory is fine, dereferencing it
 * (`.to.field`) is the use after free.
 */
export interface Ptr<T extends object> {
  readonly to: T;
  readonly name: string;
}

/** &object, as a value a shared pointer variable can hold. */
export function ptr<T extends object>(to: T, name: string): Ptr<T> {
  return { to, name };
}

/** struct cfg802154_scan_request */
export interface cfg802154_scan_request {
  type: number;
  page: number;
  channels: number;
  duration: number;
  wpan_dev: wpan_dev;
  wpan_phy: wpan_phy;
  /** ghost: which scan this request belongs to (1, 2, ...) */
  readonly ghostId: number;
}

/** struct cfg802154_mac_pkt */
export interface cfg802154_mac_pkt {
  skb: sk_buff;
  sdata: ieee802154_sub_if_data;
}

/** struct ieee802154_coord_desc (seed-era pan.c: the address is allocated apart) */
export interface ieee802154_coord_desc {
  addr: ieee802154_addr | null;
  page: number;
  channel: number;
  superframe_spec: number;
  link_quality: number;
  gts_permit: boolean;
}

/** struct ieee802154_hw */
export interface ieee802154_hw {
  flags: number;
  phy: wpan_phy;
  /** local->hw.parent->driver->owner */
  owner: Module | null;
  priv: unknown;
}

/** struct ieee802154_hw_addr_filt */
export interface ieee802154_hw_addr_filt {
  pan_id: number;
  short_addr: number;
  ieee_addr: bigint;
  pan_coord: boolean;
}

/** struct ieee802154_ops: what a driver implements. */
export interface ieee802154_ops {
  start(hw: ieee802154_hw): KGen<number>;
  stop(hw: ieee802154_hw): KGen<void>;
  xmit_async(hw: ieee802154_hw, skb: sk_buff): KGen<number>;
  set_channel(hw: ieee802154_hw, page: number, channel: number): KGen<number>;
  set_hw_addr_filt(hw: ieee802154_hw, filt: ieee802154_hw_addr_filt, changed: number): KGen<number>;
  set_promiscuous_mode(hw: ieee802154_hw, on: boolean): KGen<number>;
}

/** The beaconing state of a coordinator (later kernels: cfg802154_beacon_request + local->beacon). */
export interface cfg802154_beacon_request {
  interval: number;
  wpan_dev: wpan_dev;
  wpan_phy: wpan_phy;
}

/** A netlink message multicast to the "scan" group. */
export interface Nl802154Message {
  cmd: 'NL802154_CMD_TRIGGER_SCAN' | 'NL802154_CMD_SCAN_EVENT' | 'NL802154_CMD_SCAN_DONE' | 'NL802154_CMD_ABORT_SCAN';
  ifname: string;
  /** the new coordinator (SCAN_EVENT) */
  coordinator?: {
    pan_id: number;
    addr: { mode: number; short_addr?: number; extended_addr?: bigint };
    page: number;
    channel: number;
    superframe_spec: number;
    link_quality: number;
    gts_permit: boolean;
  };
  /** later kernels' NL802154_ATTR_SCAN_DONE_REASON (fixed model only) */
  reason?: number;
  /** virtual ns when sent (ghost) */
  atNs: number;
  /** ghost: the scan request it belongs to */
  scanId: number;
}

/** struct ieee802154_local: the MAC of one radio. */
export interface ieee802154_local {
  readonly hw: ieee802154_hw;
  readonly ops: ieee802154_ops;
  readonly phy: wpan_phy;
  readonly host: Host;
  readonly config: MacConfig;
  interfaces: ieee802154_sub_if_data[];
  open_count: number;
  device_lock: Mutex;
  /** the ordered workqueue of the MAC (create_singlethread_workqueue): seed 000 queues scan_work and rx_beacon_work here */
  workqueue: Workqueue;
  /** later kernels' dedicated MLME workqueue (beacon_work, rx_mac_cmd_work): their workers take the RTNL, so it is never flushed under it */
  mac_wq: Workqueue;
  tasklet: TaskletStruct;
  skb_queue: SkbQueue;
  addr_filt: ieee802154_hw_addr_filt;
  started: boolean;
  suspended: boolean;
  /** enum ieee802154_ongoing bits (set_bit/test_bit/clear_bit) */
  ongoing: Cell<number>;
  // ---- scanning (seed 000) ----
  scan_lock: Mutex;
  scan_channel_idx: Cell<number>;
  /** an __rcu pointer: the cell holds the pointer value (see Ptr), not the request */
  scan_req: Cell<Ptr<cfg802154_scan_request> | null>;
  scan_work: DelayedWork;
  rx_beacon_list: ListHead<cfg802154_mac_pkt>;
  rx_beacon_work: WorkStruct;
  /** fixed model: protects rx_beacon_list against the softirq RX path */
  rx_beacon_lock: SpinLock;
  // ---- later kernels: beaconing and MAC commands ----
  beacon_lock: Mutex;
  beacon_req: cfg802154_beacon_request | null;
  beacon_work: DelayedWork;
  beacon_interval: number;
  rx_mac_cmd_list: ListHead<cfg802154_mac_pkt>;
  rx_mac_cmd_work: WorkStruct;
  tx_result: number;
  /** the netlink "scan" multicast group of this host */
  nl: Nl802154Group;
  /** ghost state for properties */
  ghost: MacGhost;
}

/** A dwell of the scan on one channel (ghost). */
export interface Dwell {
  scanId: number;
  page: number;
  channel: number;
  startNs: number;
  endNs: number | null;
}

/** Ghost state the properties read (the kernel code only writes it). */
export interface MacGhost {
  dwells: Dwell[];
  /** beacons mac802154_process_beacon handled: frame, channel reported, time, whether a scan was running */
  processed: { frameId: number | null; scanId: number | null; channel: number; page: number; atNs: number; scanning: boolean }[];
  /** scans started and ended */
  scansStarted: number;
  scansEnded: number;
  nextScanId: number;
  /** the scan running now (set when a trigger succeeds, cleared when its done message is sent) */
  scanId: number | null;
  /** promiscuous state of the hardware as the driver last set it */
  hwPromiscuous: boolean;
  /** frames dropped by the MAC's software FCS check */
  fcsDrops: number;
}

/** The netlink scan multicast group: messages and the listeners' wait queue. */
export interface Nl802154Group {
  messages: Nl802154Message[];
  wq: WaitQueueHead;
}
