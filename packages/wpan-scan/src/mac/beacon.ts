// Beyond seed 000: coordinators built from this MAC, as later kernels'
// net/mac802154/scan.c (mac802154_send_beacons_locked,
// mac802154_beacon_worker, mac802154_transmit_beacon,
// mac802154_stop_beacons_locked) and rx.c (mac802154_rx_mac_cmd_worker
// answering IEEE802154_CMD_BEACON_REQ), so that a simulated network is k
// talking to k. Beacons are built with this package's codec.
//
// Where k differs from those kernels: the beacon interval is
// aBaseSuperframeDuration * 2^BO symbols (7.5.1.1) of the phy's symbol
// duration in ns, rounded up to jiffies; later kernels reuse
// mac802154_scan_get_channel_time(), i.e. (2^BO + 1) superframes with the
// seed's u8 symbol duration. A beacon request is answered at once
// (mod_delayed_work(..., 0)).

import {
  EINVAL, ENOMEM, ESRCH, GFP_KERNEL, cancel_delayed_work, clear_bit, kfree, mod_delayed_work, msecs_to_jiffies, queue_delayed_work,
  set_bit, spin_lock_bh, spin_unlock_bh, test_bit, trace_printk, usecs_to_jiffies, type KGen,
} from '@k/core-sync';
import { IEEE802154_ADDR_LONG, IEEE802154_ADDR_SHORT, IEEE802154_CMD_BEACON_REQ } from '../frame/constants';
import { buildBeaconFrame, emit } from '../frame/frame';
import { makeBeacon } from '../frame/beacon';
import {
  IEEE802154_ACTIVE_SCAN_DURATION, IEEE802154_IS_BEACONING, IEEE802154_SLOT_PERIOD, IEEE802154_SUPERFRAME_PERIOD, NL802154_IFTYPE_COORD,
  type cfg802154_beacon_request, type ieee802154_local, type ieee802154_sub_if_data,
} from './defs';
import { IEEE802154_WPAN_DEV_TO_SUB_IF, ieee802154_sdata_running } from './iface';
import { ASSERT_RTNL, alloc_skb, kfree_skb, list_del, list_first_entry } from './kernel';
import { ieee802154_mlme_tx } from './tx';

/** What a coordinator puts in its beacons besides BO (k's extension of cfg802154_beacon_request). */
export interface BeaconTemplate {
  superframe_order: number;
  final_cap_slot: number;
  battery_life_ext: boolean;
  pan_coordinator: boolean;
  assoc_permit: boolean;
  gts_permit: boolean;
  /** the source address of the beacons */
  source: 'short' | 'extended';
  payload: Uint8Array;
}

/** A beaconing request with its template. */
export interface BeaconRequest extends cfg802154_beacon_request {
  template: BeaconTemplate;
}

/** mac802154_is_beaconing(): test_bit(IEEE802154_IS_BEACONING, &local->ongoing). */
export function* mac802154_is_beaconing(local: ieee802154_local): KGen<boolean> {
  return yield* test_bit(IEEE802154_IS_BEACONING, local.ongoing);
}

/** The beacon interval BI = aBaseSuperframeDuration * 2^BO symbols, in jiffies. */
function beaconIntervalJiffies(bo: number, symbol_duration_ns: number): number {
  const ns = BigInt(symbol_duration_ns) * BigInt(IEEE802154_SUPERFRAME_PERIOD * IEEE802154_SLOT_PERIOD) * (1n << BigInt(bo));
  return usecs_to_jiffies(ns / 1000n);
}

/** mac802154_send_beacons_locked(): start beaconing every BI (BO 15: only on beacon requests). */
export function* mac802154_send_beacons_locked(sdata: ieee802154_sub_if_data, request: BeaconRequest): KGen<number> {
  const local = sdata.local;
  ASSERT_RTNL(local.host);
  if (yield* mac802154_is_beaconing(local)) yield* mac802154_stop_beacons_locked(local);
  local.beacon_req = request;
  yield* set_bit(IEEE802154_IS_BEACONING, local.ongoing);
  sdata.wpan_dev.bsn = 0xff;
  if (request.interval === IEEE802154_ACTIVE_SCAN_DURATION) return 0;
  local.beacon_interval = beaconIntervalJiffies(request.interval, yield* local.phy.symbol_duration.read());
  yield* queue_delayed_work(local.mac_wq, local.beacon_work, 0);
  return 0;
}

/** mac802154_stop_beacons_locked(): -ESRCH when not beaconing. */
export function* mac802154_stop_beacons_locked(local: ieee802154_local): KGen<number> {
  ASSERT_RTNL(local.host);
  if (!(yield* mac802154_is_beaconing(local))) return -ESRCH;
  yield* clear_bit(IEEE802154_IS_BEACONING, local.ongoing);
  yield* cancel_delayed_work(local.beacon_work);
  local.beacon_req = null;
  return 0;
}

/** mac802154_transmit_beacon(): one beacon built with the codec, sent as an MLME frame. */
function* mac802154_transmit_beacon(local: ieee802154_local, req: BeaconRequest): KGen<number> {
  const wd = req.wpan_dev;
  const sdata = IEEE802154_WPAN_DEV_TO_SUB_IF(wd);
  // Update the sequence number
  wd.bsn = (wd.bsn + 1) & 0xff;
  const t = req.template;
  const source = t.source === 'short'
    ? { mode: IEEE802154_ADDR_SHORT as typeof IEEE802154_ADDR_SHORT, pan_id: wd.pan_id, short_addr: wd.short_addr }
    : { mode: IEEE802154_ADDR_LONG as typeof IEEE802154_ADDR_LONG, pan_id: wd.pan_id, extended_addr: wd.extended_addr };
  const frame = buildBeaconFrame({
    seq: wd.bsn,
    source,
    beacon: makeBeacon({
      beacon_order: req.interval, superframe_order: t.superframe_order, final_cap_slot: t.final_cap_slot, battery_life_ext: t.battery_life_ext,
      pan_coordinator: t.pan_coordinator, assoc_permit: t.assoc_permit, gts_permit: t.gts_permit, payload: t.payload,
    }),
  });
  const bytes = emit(frame, { fcs: 'absent' });
  if (!bytes.ok) return -EINVAL;
  const skb = yield* alloc_skb(bytes.value, GFP_KERNEL);
  if (!skb) return -ENOMEM;
  skb.dev = sdata.dev.name;
  return yield* ieee802154_mlme_tx(local, sdata, skb);
}

/** mac802154_beacon_worker(): send a beacon, re-arm for the next beacon interval. */
export function* mac802154_beacon_worker(local: ieee802154_local): KGen {
  const req = local.beacon_req as BeaconRequest | null;
  if (!req) return;
  const sdata = IEEE802154_WPAN_DEV_TO_SUB_IF(req.wpan_dev);
  // Wait an arbitrary amount of time in case we cannot use the device
  if (local.suspended || !(yield* ieee802154_sdata_running(sdata))) {
    yield* queue_delayed_work(local.mac_wq, local.beacon_work, msecs_to_jiffies(1000));
    return;
  }
  const ret = yield* mac802154_transmit_beacon(local, req);
  if (ret) trace_printk(`Beacon could not be transmitted (${ret})`);
  if (req.interval < IEEE802154_ACTIVE_SCAN_DURATION && local.beacon_req === req) {
    yield* queue_delayed_work(local.mac_wq, local.beacon_work, local.beacon_interval);
  }
}

/** mac802154_rx_mac_cmd_worker(): a coordinator answers a beacon request with a beacon. */
export function* mac802154_rx_mac_cmd_worker(local: ieee802154_local): KGen {
  yield* spin_lock_bh(local.rx_beacon_lock);
  const mac_pkt = yield* list_first_entry(local.rx_mac_cmd_list);
  if (mac_pkt) yield* list_del(mac_pkt, local.rx_mac_cmd_list);
  yield* spin_unlock_bh(local.rx_beacon_lock);
  if (!mac_pkt) return;
  const cmd = mac_pkt.skb.data[0];
  if (cmd === IEEE802154_CMD_BEACON_REQ && mac_pkt.sdata.wpan_dev.iftype === NL802154_IFTYPE_COORD && local.beacon_req) {
    trace_printk('processing BEACON REQ');
    yield* mod_delayed_work(local.mac_wq, local.beacon_work, 0);
  }
  yield* kfree_skb(mac_pkt.skb);
  yield* kfree(mac_pkt);
  // more commands queued while this work was pending
  if (local.rx_mac_cmd_list.peek().length) yield* mac802154_rx_mac_cmd_worker(local);
}

export type { cfg802154_beacon_request };
