// net/mac802154/iface.c: interfaces of a radio (ieee802154_if_add), opening
// (mac802154_slave_open, ieee802154_setup_hw) and closing
// (mac802154_slave_close, which seed 000 makes abort a running scan under
// scan_lock), and the check that the interfaces running on one radio agree on
// their MAC settings (promiscuous mode included).

import {
  Cell, EBUSY, clear_bit, mutex_lock, mutex_unlock, set_bit, spin_lock_init, test_bit, type KGen,
} from '@k/core-sync';
import {
  IEEE802154_AFILT_IEEEADDR_CHANGED, IEEE802154_AFILT_PANC_CHANGED, IEEE802154_AFILT_PANID_CHANGED, IEEE802154_AFILT_SADDR_CHANGED,
  IEEE802154_HW_AFILT, IEEE802154_HW_PROMISCUOUS, NL802154_IFTYPE_COORD, NL802154_IFTYPE_MONITOR, NL802154_IFTYPE_NODE, SDATA_STATE_RUNNING,
  type ieee802154_local, type ieee802154_sub_if_data, type wpan_dev,
} from './defs';
import { drv_set_hw_addr_filt, drv_set_promiscuous_mode, drv_start, drv_stop } from './driver-ops';
import { ASSERT_RTNL, rtnl_lock, rtnl_unlock } from './kernel';
import { ieee802154_flush_workqueues } from './main';
import { mac802154_abort_scan_locked, mac802154_is_scanning } from './scan';

const sdataOf = new WeakMap<wpan_dev, ieee802154_sub_if_data>();

/** IEEE802154_WPAN_DEV_TO_SUB_IF(): container_of the wpan_dev. */
export function IEEE802154_WPAN_DEV_TO_SUB_IF(wpan_dev: wpan_dev): ieee802154_sub_if_data {
  return sdataOf.get(wpan_dev)!;
}

/** ieee802154_sdata_running(): test_bit(SDATA_STATE_RUNNING, &sdata->state). */
export function* ieee802154_sdata_running(sdata: ieee802154_sub_if_data): KGen<boolean> {
  return yield* test_bit(SDATA_STATE_RUNNING, sdata.state);
}

/** Options of a new interface. */
export interface IfAddOptions {
  readonly name: string;
  readonly iftype: number;
  readonly extended_addr: bigint;
  readonly pan_id?: number;
  readonly short_addr?: number;
  readonly ifindex?: number;
}

/** ieee802154_if_add(): a new (closed) interface on the radio. */
export function ieee802154_if_add(local: ieee802154_local, o: IfAddOptions): ieee802154_sub_if_data {
  const wd = {
    wpan_phy: local.phy,
    iftype: o.iftype,
    pan_id: o.pan_id ?? 0xffff,
    short_addr: o.short_addr ?? 0xffff,
    extended_addr: o.extended_addr,
    // monitors see every frame (ieee802154_if_setup)
    promiscuous_mode: o.iftype === NL802154_IFTYPE_MONITOR,
    coord_list_lock: spin_lock_init(`${o.name}:wpan_dev->coord_list_lock`, 'wpan_dev.coord_list_lock'),
    coord_list: [],
    bsn: 0,
  } as unknown as wpan_dev;
  const dev = { name: o.name, ifindex: o.ifindex ?? local.interfaces.length + 1, up: false, queue_stopped: true, stats: { rx_packets: 0, rx_bytes: 0, tx_packets: 0 }, delivered: [] };
  wd.netdev = dev;
  const sdata: ieee802154_sub_if_data = { local, wpan_dev: wd, dev, state: new Cell(0, `${o.name}:sdata->state`) };
  sdataOf.set(wd, sdata);
  local.interfaces.push(sdata);
  return sdata;
}

/** ieee802154_check_mac_settings() / ieee802154_check_concurrent_iface(): -EBUSY if a running interface disagrees. */
function* ieee802154_check_concurrent_iface(sdata: ieee802154_sub_if_data): KGen<number> {
  for (const n of sdata.local.interfaces) {
    if (n === sdata || !(yield* ieee802154_sdata_running(n))) continue;
    const a = sdata.wpan_dev.iftype;
    const b = n.wpan_dev.iftype;
    // only one node (or coordinator) interface at a time; monitors may share the radio
    if ((a === NL802154_IFTYPE_NODE || a === NL802154_IFTYPE_COORD) && (b === NL802154_IFTYPE_NODE || b === NL802154_IFTYPE_COORD)) return -EBUSY;
    if (sdata.wpan_dev.promiscuous_mode !== n.wpan_dev.promiscuous_mode) return -EBUSY;
  }
  return 0;
}

/** ieee802154_setup_hw(): address filters and promiscuous mode of the first interface opened. */
function* ieee802154_setup_hw(sdata: ieee802154_sub_if_data): KGen<number> {
  const local = sdata.local;
  const wd = sdata.wpan_dev;
  if (local.hw.flags & IEEE802154_HW_PROMISCUOUS) {
    const ret = yield* drv_set_promiscuous_mode(local, wd.promiscuous_mode);
    if (ret < 0) return ret;
  }
  if (local.hw.flags & IEEE802154_HW_AFILT) {
    local.addr_filt = { pan_id: wd.pan_id, short_addr: wd.short_addr, ieee_addr: wd.extended_addr, pan_coord: wd.iftype === NL802154_IFTYPE_COORD };
    const ret = yield* drv_set_hw_addr_filt(local, local.addr_filt, IEEE802154_AFILT_PANID_CHANGED | IEEE802154_AFILT_SADDR_CHANGED | IEEE802154_AFILT_IEEEADDR_CHANGED | IEEE802154_AFILT_PANC_CHANGED);
    if (ret < 0) return ret;
  }
  return 0;
}

/** mac802154_slave_open(): ndo_open. */
export function* mac802154_slave_open(sdata: ieee802154_sub_if_data): KGen<number> {
  const local = sdata.local;
  ASSERT_RTNL(local.host);
  const busy = yield* ieee802154_check_concurrent_iface(sdata);
  if (busy) return busy;
  yield* set_bit(SDATA_STATE_RUNNING, sdata.state);
  if (!local.open_count) {
    let res = yield* ieee802154_setup_hw(sdata);
    if (!res) res = yield* drv_start(local);
    if (res) {
      // might already be clear but that doesn't matter
      yield* clear_bit(SDATA_STATE_RUNNING, sdata.state);
      return res;
    }
  }
  local.open_count++;
  sdata.dev.queue_stopped = false;
  return 0;
}

/** ieee802154_stop_device(): the last interface closed. */
function* ieee802154_stop_device(local: ieee802154_local): KGen {
  yield* ieee802154_flush_workqueues(local, 'workqueue');
  yield* drv_stop(local);
}

/** mac802154_slave_close(): ndo_stop; seed 000 aborts a running scan first. */
export function* mac802154_slave_close(sdata: ieee802154_sub_if_data): KGen<number> {
  const local = sdata.local;
  ASSERT_RTNL(local.host);
  if (yield* mac802154_is_scanning(local)) {
    yield* mutex_lock(local.scan_lock);
    yield* mac802154_abort_scan_locked(local);
    yield* mutex_unlock(local.scan_lock);
  }
  yield* mutex_lock(local.device_lock);
  sdata.dev.queue_stopped = true;
  local.open_count--;
  yield* clear_bit(SDATA_STATE_RUNNING, sdata.state);
  if (!local.open_count) yield* ieee802154_stop_device(local);
  yield* mutex_unlock(local.device_lock);
  return 0;
}

/** dev_open(): brings the interface up under the RTNL. */
export function* dev_open(sdata: ieee802154_sub_if_data): KGen<number> {
  yield* rtnl_lock(sdata.local.host);
  let ret = 0;
  if (!sdata.dev.up) {
    ret = yield* mac802154_slave_open(sdata);
    if (!ret) sdata.dev.up = true;
  }
  yield* rtnl_unlock(sdata.local.host);
  return ret;
}

/** dev_close(): takes the interface down under the RTNL. */
export function* dev_close(sdata: ieee802154_sub_if_data): KGen<number> {
  yield* rtnl_lock(sdata.local.host);
  let ret = 0;
  if (sdata.dev.up) {
    ret = yield* mac802154_slave_close(sdata);
    sdata.dev.up = false;
  }
  yield* rtnl_unlock(sdata.local.host);
  return ret;
}
