// net/mac802154/main.c: ieee802154_alloc_hw() (with seed 000's scan_lock,
// rx_beacon_list, scan_work and rx_beacon_work), ieee802154_register_hw() /
// ieee802154_unregister_hw(), the RX tasklet handler, and
// ieee802154_configure_durations() (the symbol duration in ns of 5.18+, the
// lifs/sifs periods as the kernel computed them before the v6.10 fix).

import {
  ATOMIC_INIT, Cell, DECLARE_WAIT_QUEUE_HEAD, INIT_DELAYED_WORK, INIT_WORK, WARN, container_of, create_singlethread_workqueue,
  destroy_workqueue, flush_workqueue, mutex_init, spin_lock_init, type KGen,
} from '@k/core-sync';
import { IEEE802154_MAX_PAGE, IEEE802154_RX_MSG, type ieee802154_hw, type ieee802154_local, type ieee802154_ops, type wpan_phy } from './defs';
import type { MacConfig } from './config';
import { INIT_LIST_HEAD, SkbQueue, kfree_skb, skb_dequeue, skb_queue_purge, tasklet_kill, tasklet_setup, type Host, type TaskletStruct } from './kernel';
import { ieee802154_rx } from './rx';
import { mac802154_rx_beacon_worker, mac802154_scan_worker } from './scan';
import { mac802154_beacon_worker, mac802154_rx_mac_cmd_worker } from './beacon';
import { wpan_phy_set_priv } from './nl802154';
import { ieee802154_configure_durations as phyDurations, type WpanPhyDurations } from '@k/hw-emu';

/** ieee802154_tasklet_handler(): hands every queued received frame to ieee802154_rx(). */
function* ieee802154_tasklet_handler(local: ieee802154_local): KGen {
  for (let skb = yield* skb_dequeue(local.skb_queue); skb; skb = yield* skb_dequeue(local.skb_queue)) {
    if (skb.pkt_type === IEEE802154_RX_MSG) {
      // Clear skb->pkt_type in order to not confuse kernel netstack.
      skb.pkt_type = 0;
      yield* ieee802154_rx(local, skb);
    } else {
      WARN(true, `mac802154: Packet is of unknown type ${skb.pkt_type}`);
      yield* kfree_skb(skb);
    }
  }
}

/** Options of ieee802154_alloc_hw() beyond the kernel's (which host, which model). */
export interface AllocHwOptions {
  readonly host: Host;
  readonly config: MacConfig;
  /** wpan_phy name, for example 'phy0' */
  readonly name: string;
  /** supported.channels[page] */
  readonly channels: Readonly<Record<number, number>>;
  readonly page?: number;
  readonly channel?: number;
}

/**
 * ieee802154_alloc_hw(priv_data_len, ops): the MAC of one radio, with the
 * seed's scanning state initialised as the seed does (INIT_LIST_HEAD of
 * rx_beacon_list, mutex_init of scan_lock, INIT_DELAYED_WORK of scan_work,
 * INIT_WORK of rx_beacon_work).
 */
export function ieee802154_alloc_hw(priv: unknown, ops: ieee802154_ops, o: AllocHwOptions): ieee802154_local {
  const page = o.page ?? 0;
  const channel = o.channel ?? 11;
  const supported: number[] = [];
  for (let p = 0; p <= IEEE802154_MAX_PAGE; p++) supported.push(o.channels[p] ?? 0);
  const phy: wpan_phy = {
    name: o.name,
    current_page: new Cell(page, `${o.name}->current_page`),
    current_channel: new Cell(channel, `${o.name}->current_channel`),
    symbol_duration: new Cell(0, `${o.name}->symbol_duration`),
    lifs_period: new Cell(0, `${o.name}->lifs_period`),
    sifs_period: new Cell(0, `${o.name}->sifs_period`),
    supported: { channels: supported },
    queue_lock: spin_lock_init(`${o.name}->queue_lock`, 'wpan_phy.queue_lock'),
    hold_txs: ATOMIC_INIT(0, `${o.name}->hold_txs`),
    ongoing_txs: ATOMIC_INIT(0, `${o.name}->ongoing_txs`),
    sync_txq: DECLARE_WAIT_QUEUE_HEAD(`${o.name}->sync_txq`),
  };
  const hw: ieee802154_hw = { flags: 0, phy, owner: o.host.driverModule, priv };
  const name = o.name;
  const local = {
    hw,
    ops,
    phy,
    host: o.host,
    config: o.config,
    interfaces: [],
    open_count: 0,
    device_lock: mutex_init(`${name}:local->device_lock`, 'ieee802154_local.device_lock'),
    workqueue: null as never,
    mac_wq: null as never,
    tasklet: null as unknown as TaskletStruct,
    skb_queue: new SkbQueue(`${name}:local->skb_queue`),
    addr_filt: { pan_id: 0xffff, short_addr: 0xffff, ieee_addr: 0n, pan_coord: false },
    started: false,
    suspended: false,
    ongoing: new Cell(0, `${name}:local->ongoing`),
    scan_lock: mutex_init(`${name}:local->scan_lock`, 'ieee802154_local.scan_lock'),
    scan_channel_idx: new Cell(-1, `${name}:local->scan_channel_idx`),
    scan_req: new Cell(null, `${name}:local->scan_req`),
    scan_work: null as never,
    rx_beacon_list: INIT_LIST_HEAD(`${name}:local->rx_beacon_list`),
    rx_beacon_work: null as never,
    rx_beacon_lock: spin_lock_init(`${name}:local->rx_beacon_lock`, 'ieee802154_local.rx_beacon_lock'),
    beacon_lock: mutex_init(`${name}:local->beacon_lock`, 'ieee802154_local.beacon_lock'),
    beacon_req: null,
    beacon_work: null as never,
    beacon_interval: 0,
    rx_mac_cmd_list: INIT_LIST_HEAD(`${name}:local->rx_mac_cmd_list`),
    rx_mac_cmd_work: null as never,
    tx_result: 0,
    nl: { messages: [], wq: DECLARE_WAIT_QUEUE_HEAD(`${name}:nl802154 scan group`) },
    ghost: { dwells: [], processed: [], scansStarted: 0, scansEnded: 0, nextScanId: 1, scanId: null, hwPromiscuous: false, fcsDrops: 0 },
  } as ieee802154_local;
  hwLocal.set(hw, local);
  wpan_phy_set_priv(phy, local);
  local.tasklet = tasklet_setup(() => ieee802154_tasklet_handler(local), `${name}:local->tasklet`);
  local.scan_work = INIT_DELAYED_WORK((w) => mac802154_scan_worker(container_of<ieee802154_local>(w)), local, `${name}:scan_work`);
  local.rx_beacon_work = INIT_WORK((w) => mac802154_rx_beacon_worker(container_of<ieee802154_local>(w)), local, `${name}:rx_beacon_work`);
  local.beacon_work = INIT_DELAYED_WORK((w) => mac802154_beacon_worker(container_of<ieee802154_local>(w)), local, `${name}:beacon_work`);
  local.rx_mac_cmd_work = INIT_WORK((w) => mac802154_rx_mac_cmd_worker(container_of<ieee802154_local>(w)), local, `${name}:rx_mac_cmd_work`);
  // the initial durations of the current channel (ieee802154_register_hw does it)
  const d: WpanPhyDurations = { symbol_duration: 0, lifs_period: 0, sifs_period: 0 };
  phyDurations(d, page, channel);
  phy.symbol_duration.init(d.symbol_duration);
  phy.lifs_period.init(d.lifs_period);
  phy.sifs_period.init(d.sifs_period);
  return local;
}

const hwLocal = new WeakMap<ieee802154_hw, ieee802154_local>();

/** hw_to_local(): container_of(hw, struct ieee802154_local, hw). */
export function hw_to_local(hw: ieee802154_hw): ieee802154_local {
  return hwLocal.get(hw)!;
}

/** ieee802154_register_hw(): the MAC's ordered workqueue. */
export function ieee802154_register_hw(hw: ieee802154_hw, local: ieee802154_local): void {
  void hw;
  local.workqueue = create_singlethread_workqueue(`${local.phy.name}`);
  local.mac_wq = create_singlethread_workqueue(`${local.phy.name}-mac`);
}

/** flush_workqueue(local->workqueue) and flush_workqueue(local->mac_wq). */
export function* ieee802154_flush_workqueues(local: ieee802154_local, which: 'workqueue' | 'both' = 'both'): KGen {
  yield* flush_workqueue(local.workqueue);
  if (which === 'both') yield* flush_workqueue(local.mac_wq);
}

/** ieee802154_unregister_hw(): no more RX; drains the tasklet and the workqueues. */
export function* ieee802154_unregister_hw(local: ieee802154_local): KGen {
  yield* tasklet_kill(local.tasklet);
  yield* ieee802154_flush_workqueues(local);
  yield* destroy_workqueue(local.workqueue);
  yield* destroy_workqueue(local.mac_wq);
  yield* skb_queue_purge(local.skb_queue);
}

/**
 * ieee802154_configure_durations(phy, page, channel): the symbol duration
 * (u32 ns) and the lifs/sifs periods (u16 us) of the channel, written to the
 * phy's shared fields; unknown PHYs leave them unchanged ("Unknown PHY symbol
 * duration"). The periods keep the seed era's division by NSEC_PER_SEC
 * (they come out 0; fixed in v6.10), which nothing in a scan reads.
 */
export function* ieee802154_configure_durations(phy: wpan_phy, page: number, channel: number): KGen {
  const d: WpanPhyDurations = { symbol_duration: 0, lifs_period: 0, sifs_period: 0 };
  if (!phyDurations(d, page, channel)) return;
  yield* phy.symbol_duration.write(d.symbol_duration);
  yield* phy.lifs_period.write(d.lifs_period);
  yield* phy.sifs_period.write(d.sifs_period);
}
