// net/mac802154/scan.c of seed 000 ("net: mac802154: Handle passive
// scanning", wpan-next July 2022), line for line, with its locking and its
// bugs; each fix of the checked scenarios is a `hasFix(config, ...)` branch
// next to the line it changes (see ./config.ts and the README's findings).
// Beyond the seed: active scans send a beacon request on each channel, as
// later kernels' mac802154_transmit_beacon_req() does.

import {
  BIT, EBUSY, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP, ESRCH, GFP_KERNEL, IS_ERR, PTR_ERR, RCU_INIT_POINTER, Violation, cancel_delayed_work,
  clear_bit, find_next_bit, kfree, ktime_get_ns, lockdep_assert_held, lockdep_is_held, mod_delayed_work, module_put, mutex_lock,
  mutex_unlock, queue_delayed_work, rcu_assign_pointer, rcu_dereference_protected, rcu_read_lock, rcu_read_unlock, set_bit,
  spin_lock_bh, spin_unlock_bh, test_bit, trace_printk, try_module_get, usecs_to_jiffies, jiffies_to_msecs, type ErrPtr, type KGen,
} from '@k/core-sync';
import { emit, buildBeaconRequestFrame } from '../frame/frame';
import { IEEE802154_ADDR_NONE } from '../frame/constants';
import { hasFix } from './config';
import {
  IEEE802154_IS_SCANNING, IEEE802154_MAX_CHANNEL, IEEE802154_SLOT_PERIOD, IEEE802154_SUPERFRAME_PERIOD, NL802154_SCAN_ACTIVE,
  NL802154_SCAN_DONE_REASON_ABORTED, NL802154_SCAN_DONE_REASON_FINISHED, NL802154_SCAN_PASSIVE, ptr, type cfg802154_mac_pkt,
  type cfg802154_scan_request, type ieee802154_coord_desc, type ieee802154_local, type ieee802154_sub_if_data,
} from './defs';
import { drv_set_channel, drv_set_promiscuous_mode, drv_start, drv_stop } from './driver-ops';
import { IEEE802154_WPAN_DEV_TO_SUB_IF, ieee802154_sdata_running } from './iface';
import { alloc_skb, kfree_skb, list_del, list_entries, list_first_entry, tasklet_kill, type sk_buff } from './kernel';
import { ieee802154_configure_durations } from './main';
import { cfg802154_alloc_coordinator, cfg802154_flush_known_coordinators, cfg802154_record_coordinator } from './pan';
import { nl802154_send_scan_done } from './nl802154';
import { ieee802154_mlme_op_post, ieee802154_mlme_op_pre } from './util';
import { ieee802154_mlme_tx_locked } from './tx';

/** mac802154_is_scanning(): test_bit(IEEE802154_IS_SCANNING, &local->ongoing). */
export function* mac802154_is_scanning(local: ieee802154_local): KGen<boolean> {
  return yield* test_bit(IEEE802154_IS_SCANNING, local.ongoing);
}

/** mac802154_check_promiscuous(): is a running interface in promiscuous mode? */
export function* mac802154_check_promiscuous(local: ieee802154_local): KGen<boolean> {
  let promiscuous_on = false;
  yield* rcu_read_lock();
  for (const sdata of local.interfaces) {
    if ((yield* ieee802154_sdata_running(sdata)) && sdata.wpan_dev.promiscuous_mode) {
      // At least one is in promiscuous mode
      promiscuous_on = true;
      break;
    }
  }
  yield* rcu_read_unlock();
  return promiscuous_on;
}

/**
 * mac802154_set_promiscuous_mode(): the seed leaves the hardware alone when
 * `(state && promiscuous_on) || (!state && !promiscuous_on)`: turning it off
 * is skipped exactly when no other interface needs it, so the hardware stays
 * promiscuous after every scan (and is turned off under a monitor's feet).
 */
export function* mac802154_set_promiscuous_mode(local: ieee802154_local, state: boolean): KGen<number> {
  const promiscuous_on = yield* mac802154_check_promiscuous(local);
  if (hasFix(local.config, 'promiscuous-restore')) {
    if (promiscuous_on) return 0;
  } else if ((state && promiscuous_on) || (!state && !promiscuous_on)) {
    return 0;
  }
  const ret = yield* drv_set_promiscuous_mode(local, state);
  if (ret) trace_printk(`Failed to ${state ? 'set' : 'reset'} promiscuous mode for SW scanning`);
  return ret;
}

/** mac802154_send_scan_done(): flush the known coordinators, tell userspace (which frees the request). */
export function* mac802154_send_scan_done(local: ieee802154_local, reason: number): KGen<number> {
  const scan_req = (yield* rcu_dereference_protected(local.scan_req, lockdep_is_held(local.scan_lock)))!.to;
  if (hasFix(local.config, 'scan-req-lifetime')) {
    // unpublish the request before nl802154_send_scan_done() frees it
    yield* RCU_INIT_POINTER(local.scan_req, null);
  }
  const wpan_phy = scan_req.wpan_phy;
  const wpan_dev = scan_req.wpan_dev;
  yield* cfg802154_flush_known_coordinators(wpan_dev);
  local.ghost.scansEnded++;
  local.ghost.scanId = null;
  // the seed's message carries no reason; later kernels' NL802154_ATTR_SCAN_DONE_REASON
  return yield* nl802154_send_scan_done(wpan_phy, wpan_dev, scan_req, local.config.model === 'seed' ? undefined : reason);
}

function dwellEnd(local: ieee802154_local): void {
  const d = local.ghost.dwells[local.ghost.dwells.length - 1];
  if (d && d.endNs === null) d.endNs = ktime_get_ns();
}

/**
 * 'drain-rx': stop the receiver, wait for the RX path to hand every frame
 * already received to the MAC, and process the queued beacons now (they were
 * all received on the channel the scan dwells on).
 */
function* mac802154_scan_drain_rx(local: ieee802154_local): KGen {
  dwellEnd(local);
  yield* drv_stop(local);
  yield* tasklet_kill(local.tasklet);
  for (;;) {
    yield* spin_lock_bh(local.rx_beacon_lock);
    const mac_pkt = yield* list_first_entry(local.rx_beacon_list);
    if (mac_pkt) yield* list_del(mac_pkt, local.rx_beacon_list);
    yield* spin_unlock_bh(local.rx_beacon_lock);
    if (!mac_pkt) break;
    yield* mac802154_process_beacon(local, mac_pkt.skb);
    yield* kfree_skb(mac_pkt.skb);
    yield* kfree(mac_pkt);
  }
}

/** mac802154_end_of_scan(): back to the interface's channel, undo promiscuous mode, tx queue and module reference, notify. */
export function* mac802154_end_of_scan(local: ieee802154_local, aborted: boolean): KGen<number> {
  const drain = hasFix(local.config, 'drain-rx');
  if (drain) yield* mac802154_scan_drain_rx(local);
  else dwellEnd(local);
  const page = yield* local.phy.current_page.read();
  const channel = yield* local.phy.current_channel.read();
  yield* drv_set_channel(local, page, channel);
  yield* ieee802154_configure_durations(local.phy, page, channel);
  yield* clear_bit(IEEE802154_IS_SCANNING, local.ongoing);
  yield* mac802154_set_promiscuous_mode(local, false);
  if (drain) yield* drv_start(local);
  yield* ieee802154_mlme_op_post(local);
  yield* module_put(local.hw.owner);
  return yield* mac802154_send_scan_done(local, aborted ? NL802154_SCAN_DONE_REASON_ABORTED : NL802154_SCAN_DONE_REASON_FINISHED);
}

/** mac802154_abort_scan_locked(): -ESRCH when no scan runs. */
export function* mac802154_abort_scan_locked(local: ieee802154_local): KGen<number> {
  lockdep_assert_held(local.scan_lock);
  if (!(yield* mac802154_is_scanning(local))) return -ESRCH;
  yield* cancel_delayed_work(local.scan_work);
  return yield* mac802154_end_of_scan(local, true);
}

/**
 * mac802154_scan_get_channel_time(u8 duration_order, u8 symbol_duration):
 * aBaseSuperframeDuration * (2^duration + 1) symbols, in jiffies. The seed's
 * caller passes phy->symbol_duration, a u32 in ns since 5.18: the u8
 * parameter truncates it (16000 ns -> 128) and the result is read as us.
 * With the 'channel-time-ns' fix it takes the u32 and converts ns to us.
 * `hz` is CONFIG_HZ (default: the running world's).
 */
export function mac802154_scan_get_channel_time(duration_order: number, symbol_duration: number, nsFix = false, hz?: number): number {
  const order = duration_order & 0xff;
  if (nsFix) {
    const base_ns = BigInt(symbol_duration >>> 0) * BigInt(IEEE802154_SUPERFRAME_PERIOD * IEEE802154_SLOT_PERIOD);
    return usecs_to_jiffies((base_ns * BigInt(BIT(order) + 1)) / 1000n, hz);
  }
  const u8_symbol_duration = symbol_duration & 0xff;
  const base_super_frame_duration = BigInt(u8_symbol_duration) * BigInt(IEEE802154_SUPERFRAME_PERIOD * IEEE802154_SLOT_PERIOD);
  // usecs_to_jiffies(const unsigned int u): the u64 product is truncated to 32 bits
  return usecs_to_jiffies(base_super_frame_duration * BigInt(BIT(order) + 1), hz);
}

/** mac802154_flush_queued_beacons(): drop every queued beacon (scan_lock held). */
export function* mac802154_flush_queued_beacons(local: ieee802154_local): KGen {
  lockdep_assert_held(local.scan_lock);
  const locked = hasFix(local.config, 'rx-beacon-lock');
  if (locked) yield* spin_lock_bh(local.rx_beacon_lock);
  for (const beacon of yield* list_entries(local.rx_beacon_list)) {
    yield* list_del(beacon, local.rx_beacon_list);
    yield* kfree_skb(beacon.skb);
    yield* kfree(beacon);
  }
  if (locked) yield* spin_unlock_bh(local.rx_beacon_lock);
}

/** Later kernels' mac802154_transmit_beacon_req(): a beacon request on the channel just tuned. */
function* mac802154_transmit_beacon_req(local: ieee802154_local, sdata: ieee802154_sub_if_data): KGen<number> {
  const wd = sdata.wpan_dev;
  wd.bsn = (wd.bsn + 1) & 0xff;
  const bytes = emit(buildBeaconRequestFrame(wd.bsn), { fcs: 'absent' });
  if (!bytes.ok) return -EINVAL;
  const skb = yield* alloc_skb(bytes.value, GFP_KERNEL);
  if (!skb) return -ENOMEM;
  skb.dev = sdata.dev.name;
  return yield* ieee802154_mlme_tx_locked(local, sdata, skb);
}

/** mac802154_scan_worker(): one run per channel, then the end of the scan. */
export function* mac802154_scan_worker(local: ieee802154_local): KGen {
  const cfg = local.config;
  yield* mutex_lock(local.scan_lock);
  try {
    if (!(yield* mac802154_is_scanning(local))) return;
    const scan_req = (yield* rcu_dereference_protected(local.scan_req, lockdep_is_held(local.scan_lock)))!.to;
    const sdata = IEEE802154_WPAN_DEV_TO_SUB_IF(scan_req.wpan_dev);
    let chan = -1;
    if (!(local.suspended || !(yield* ieee802154_sdata_running(sdata)))) {
      let ret: number;
      do {
        chan = find_next_bit(scan_req.channels, IEEE802154_MAX_CHANNEL + 1, (yield* local.scan_channel_idx.read()) + 1);
        // If there are no more channels left, complete the scan
        if (chan > IEEE802154_MAX_CHANNEL) {
          yield* mac802154_end_of_scan(local, false);
          return;
        }
        const drain = hasFix(cfg, 'drain-rx');
        if (drain) yield* mac802154_scan_drain_rx(local);
        else dwellEnd(local);
        // Bypass the stack on purpose. As the channel change cannot be made
        // atomic with regard to the incoming beacon flow, we flush the beacons
        // list after changing the channel and before releasing the scan lock,
        // to avoid processing beacons which have been received during this
        // time frame.
        ret = yield* drv_set_channel(local, scan_req.page, chan);
        yield* local.scan_channel_idx.write(chan);
        yield* ieee802154_configure_durations(local.phy, scan_req.page, chan);
        if (drain) yield* drv_start(local);
        else yield* mac802154_flush_queued_beacons(local);
        if (!ret) local.ghost.dwells.push({ scanId: scan_req.ghostId, page: scan_req.page, channel: chan, startNs: ktime_get_ns(), endNs: null });
      } while (ret);
      if (scan_req.type === NL802154_SCAN_ACTIVE) {
        const r = yield* mac802154_transmit_beacon_req(local, sdata);
        if (r) trace_printk(`Error when transmitting beacon request (${r})`);
      }
    }
    // queue_work:
    const scan_duration = mac802154_scan_get_channel_time(scan_req.duration, yield* local.phy.symbol_duration.read(), hasFix(cfg, 'channel-time-ns'));
    trace_printk(`Scan channel ${chan} of page ${scan_req.page} for ${jiffies_to_msecs(scan_duration)}ms`);
    if (hasFix(cfg, 'rearm-mod-delayed-work')) yield* mod_delayed_work(local.workqueue, local.scan_work, scan_duration);
    else yield* queue_delayed_work(local.workqueue, local.scan_work, scan_duration);
  } finally {
    yield* mutex_unlock(local.scan_lock);
  }
}

/** mac802154_trigger_scan_locked(): start a scan (scan_lock held). */
export function* mac802154_trigger_scan_locked(sdata: ieee802154_sub_if_data, request: cfg802154_scan_request): KGen<number> {
  const local = sdata.local;
  const cfg = local.config;
  lockdep_assert_held(local.scan_lock);
  if (yield* mac802154_is_scanning(local)) return -EBUSY;
  // TODO: support other scanning type
  if (request.type !== NL802154_SCAN_PASSIVE && !(hasFix(cfg, 'active-scan') && request.type === NL802154_SCAN_ACTIVE)) return -EOPNOTSUPP;
  // Store scanning parameters
  yield* rcu_assign_pointer(local.scan_req, ptr(request, `&scan request #${request.ghostId}`));
  // Software scanning requires to set promiscuous mode, so we need to pause
  // the Tx queue during the entire operation.
  yield* ieee802154_mlme_op_pre(local);
  // 'scan-req-lifetime': the module reference is taken before anybody can see the scan;
  // 'drain-rx': the receiver is promiscuous only while IS_SCANNING is set (the RX path checks the FCS then)
  const early = hasFix(cfg, 'scan-req-lifetime');
  const bitFirst = hasFix(cfg, 'drain-rx');
  let ret = 0;
  if (early && !(yield* try_module_get(local.hw.owner))) ret = -ENODEV;
  if (!ret) {
    if (bitFirst) {
      yield* local.scan_channel_idx.write(-1);
      yield* set_bit(IEEE802154_IS_SCANNING, local.ongoing);
    }
    ret = yield* mac802154_set_promiscuous_mode(local, true);
    if (!ret) {
      if (!bitFirst) {
        yield* local.scan_channel_idx.write(-1);
        yield* set_bit(IEEE802154_IS_SCANNING, local.ongoing);
      }
      // Starting a background job, ensure the module cannot be removed
      if (early || (yield* try_module_get(local.hw.owner))) {
        local.ghost.scansStarted++;
        local.ghost.scanId = request.ghostId;
        yield* queue_delayed_work(local.workqueue, local.scan_work, 0);
        return 0;
      }
      ret = -ENODEV;
      // cancel_promiscuous_mode:
      yield* clear_bit(IEEE802154_IS_SCANNING, local.ongoing);
      yield* mac802154_set_promiscuous_mode(local, false);
    } else if (bitFirst) {
      yield* clear_bit(IEEE802154_IS_SCANNING, local.ongoing);
    }
    if (early) yield* module_put(local.hw.owner);
  }
  // cancel_mlme:
  yield* ieee802154_mlme_op_post(local);
  if (hasFix(cfg, 'scan-req-lifetime')) yield* RCU_INIT_POINTER(local.scan_req, null);
  return ret;
}

/** Dereferences a pointer-or-error as C does: an ERR_PTR faults. */
function deref<T>(p: T | ErrPtr, what: string): T {
  if (IS_ERR(p)) {
    throw new Violation('out-of-bounds', `BUG: unable to handle page fault for address ${(2n ** 64n + BigInt(PTR_ERR(p))).toString(16)}: ${what} writes through ${String(p)}`, [
      'cfg802154_alloc_coordinator() returns ERR_PTR(-ENOMEM) on failure; mac802154_process_beacon() tests it for NULL',
    ]);
  }
  return p;
}

/** mac802154_process_beacon(): a coordinator descriptor from a beacon, recorded (and advertised when new). */
export function* mac802154_process_beacon(local: ieee802154_local, skb: sk_buff): KGen<number> {
  const src = skb.cb.source;
  // Check the validity of the frame length (struct ieee802154_beacon_hdr: 4 octets)
  if (skb.data.length < 4) return -EINVAL;
  if (src.mode === IEEE802154_ADDR_NONE) return -EINVAL;
  // the seed passes &local->scan_lock, a non-NULL pointer, as the lockdep condition
  const p = yield* rcu_dereference_protected(local.scan_req, true);
  if (!p) return -EINVAL;
  const scan_req = p.to;
  const channelIdx = yield* local.scan_channel_idx.read();
  if (hasFix(local.config, 'drain-rx') && channelIdx < 0) return -EINVAL; // received before the first dwell
  trace_printk(`Beacon received on channel ${channelIdx} of page ${scan_req.page}`);
  // Parse beacon, create PAN information and forward to upper layers
  const r = yield* cfg802154_alloc_coordinator(src);
  let desc: ieee802154_coord_desc;
  if (hasFix(local.config, 'alloc-coordinator-is-err')) {
    if (IS_ERR(r)) return PTR_ERR(r);
    desc = r;
  } else {
    if (!r) return -ENOMEM;
    desc = deref(r, 'mac802154_process_beacon: desc->page = scan_req->page');
  }
  desc.page = scan_req.page & 0xff;
  desc.channel = channelIdx & 0xff; // u8 field: -1 is 255
  desc.link_quality = skb.cb.lqi & 0xff;
  desc.superframe_spec = skb.data[0]! | (skb.data[1]! << 8);
  desc.gts_permit = (skb.data[2]! & 0x80) !== 0;
  local.ghost.processed.push({
    frameId: skb.ghost ? skb.ghost.frameId : null, scanId: local.ghost.scanId, channel: desc.channel, page: desc.page, atNs: ktime_get_ns(),
    scanning: (local.ongoing.peek() & 2) !== 0,
  });
  yield* cfg802154_record_coordinator(scan_req.wpan_phy, scan_req.wpan_dev, desc);
  return 0;
}

/** mac802154_rx_beacon_worker(): processes one queued beacon under scan_lock (the seed: one per run). */
export function* mac802154_rx_beacon_worker(local: ieee802154_local): KGen {
  const cfg = local.config;
  const locked = hasFix(cfg, 'rx-beacon-lock');
  const lifetime = hasFix(cfg, 'scan-req-lifetime');
  yield* mutex_lock(local.scan_lock);
  try {
    // the seed handles one beacon per run: a second one queued while the work was pending gets no run of its own
    for (let n = 0; n === 0 || hasFix(cfg, 'rx-beacon-worker-loop'); n++) {
      if (locked) yield* spin_lock_bh(local.rx_beacon_lock);
      const mac_pkt: cfg802154_mac_pkt | null = yield* list_first_entry(local.rx_beacon_list);
      if (mac_pkt && (locked || lifetime)) yield* list_del(mac_pkt, local.rx_beacon_list);
      if (locked) yield* spin_unlock_bh(local.rx_beacon_lock);
      if (!mac_pkt) return;
      // beacons left over after the end of the scan belong to no scan
      if (!lifetime || (yield* mac802154_is_scanning(local))) yield* mac802154_process_beacon(local, mac_pkt.skb);
      if (!(locked || lifetime)) yield* list_del(mac_pkt, local.rx_beacon_list);
      yield* kfree_skb(mac_pkt.skb);
      yield* kfree(mac_pkt);
    }
  } finally {
    yield* mutex_unlock(local.scan_lock);
  }
}
