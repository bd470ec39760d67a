// net/mac802154/rx.c with seed 000's changes: ieee802154_rx() checks the FCS
// in software when the hardware does not (IEEE802154_HW_RX_DROP_BAD_CKSUM) or
// while scanning (promiscuous transceivers may stop checking it), and
// ieee802154_subif_frame() queues beacons on rx_beacon_list only while
// scanning (kzalloc(GFP_ATOMIC), which may fail) for rx_beacon_work. The seed
// adds to rx_beacon_list from softirq context without a lock while the
// workers take entries off it under scan_lock: the 'rx-beacon-lock' fix adds
// a spinlock. Later kernels' MAC command path (beacon requests reaching a
// coordinator) is here too.

import {
  GFP_ATOMIC, WARN_ON_ONCE, in_softirq, kfree, kzalloc, queue_work, rcu_read_lock, rcu_read_unlock, spin_lock, spin_unlock, type KGen,
} from '@k/core-sync';
import { crc_ccitt } from '@k/hw-emu';
import { IEEE802154_ADDR_LONG, IEEE802154_ADDR_NONE, IEEE802154_ADDR_SHORT, IEEE802154_FC_TYPE_ACK, IEEE802154_FC_TYPE_BEACON, IEEE802154_FC_TYPE_DATA, IEEE802154_FC_TYPE_MAC_CMD } from '../frame/constants';
import { Ieee802154FrameView, parse } from '../frame/frame';
import { effectivePanIds } from '../frame/header';
import type { ieee802154_addr as FrameAddr } from '../frame/header';
import { hasFix } from './config';
import {
  IEEE802154_ADDR_BROADCAST, IEEE802154_HW_RX_DROP_BAD_CKSUM, IEEE802154_HW_RX_OMIT_CKSUM, IEEE802154_PANID_BROADCAST, IEEE802154_RX_MSG,
  NET_RX_DROP, NET_RX_SUCCESS, NL802154_IFTYPE_MONITOR, PACKET_BROADCAST, PACKET_HOST, PACKET_OTHERHOST, type cfg802154_mac_pkt,
  type ieee802154_hw, type ieee802154_local, type ieee802154_sub_if_data,
} from './defs';
import { ieee802154_sdata_running } from './iface';
import { kfree_skb, list_add_tail, skb_get, skb_pull, skb_queue_tail, skb_trim, tasklet_schedule, type ieee802154_addr, type sk_buff } from './kernel';
import { mac802154_is_scanning } from './scan';
import { hw_to_local } from './main';

/** ieee802154_rx_irqsafe(): from the driver's interrupt handler: queue the frame for the tasklet. */
export function* ieee802154_rx_irqsafe(hw: ieee802154_hw, skb: sk_buff, lqi: number): KGen {
  const local = hw_to_local(hw);
  skb.cb.lqi = lqi & 0xff;
  skb.pkt_type = IEEE802154_RX_MSG;
  yield* skb_queue_tail(local.skb_queue, skb);
  yield* tasklet_schedule(local.tasklet);
}

function toMacAddr(a: FrameAddr, pan: number | undefined): ieee802154_addr {
  return {
    mode: a.mode,
    pan_id: pan ?? 0,
    short_addr: a.mode === IEEE802154_ADDR_SHORT ? a.short_addr : 0,
    extended_addr: a.mode === IEEE802154_ADDR_LONG ? a.extended_addr : 0n,
  };
}

/** ieee802154_parse_frame_start(): ieee802154_hdr_pull() into mac_cb(skb), the MHR pulled off. */
function ieee802154_parse_frame_start(skb: sk_buff): number {
  const p = parse(skb.data, { fcs: 'absent' });
  if (!p.ok) return -1;
  const view = Ieee802154FrameView.check(skb.data, { fcs: 'absent' });
  if (!view.ok) return -1;
  const hdr = p.value.hdr;
  const pans = effectivePanIds(hdr);
  skb.cb.type = hdr.fc.type;
  skb.cb.ackreq = hdr.fc.ack_request;
  skb.cb.secen = hdr.fc.security_enabled;
  skb.cb.seq = hdr.seq ?? 0;
  skb.cb.source = toMacAddr(hdr.source, pans.source);
  skb.cb.dest = toMacAddr(hdr.dest, pans.dest);
  // security frames: the model carries no keys (mac802154_llsec_decrypt would fail them)
  if (hdr.fc.security_enabled) return -1;
  skb_pull(skb, view.value.layout.end);
  return 0;
}

/** ieee802154_deliver_skb(): netif_receive_skb(); the model records what the upper layers got. */
function* ieee802154_deliver_skb(sdata: ieee802154_sub_if_data, skb: sk_buff): KGen<number> {
  sdata.dev.delivered.push({ frameId: skb.ghost ? skb.ghost.frameId : null, fcsOk: skb.ghost ? skb.ghost.fcsOk : null, len: skb.data.length });
  yield* kfree_skb(skb);
  return NET_RX_SUCCESS;
}

/** ieee802154_subif_frame(): address filtering, then by frame type. */
export function* ieee802154_subif_frame(sdata: ieee802154_sub_if_data, skb: sk_buff): KGen<number> {
  const wpan_dev = sdata.wpan_dev;
  const local = sdata.local;
  const span = wpan_dev.pan_id;
  const sshort = wpan_dev.short_addr;
  const dest = skb.cb.dest;
  switch (dest.mode) {
    case IEEE802154_ADDR_NONE:
      // FIXME: check if we are PAN coordinator
      skb.pkt_type = skb.cb.source.mode !== IEEE802154_ADDR_NONE ? PACKET_OTHERHOST : PACKET_HOST;
      break;
    case IEEE802154_ADDR_LONG:
      if (dest.pan_id !== span && dest.pan_id !== IEEE802154_PANID_BROADCAST) skb.pkt_type = PACKET_OTHERHOST;
      else skb.pkt_type = dest.extended_addr === wpan_dev.extended_addr ? PACKET_HOST : PACKET_OTHERHOST;
      break;
    case IEEE802154_ADDR_SHORT:
      if (dest.pan_id !== span && dest.pan_id !== IEEE802154_PANID_BROADCAST) skb.pkt_type = PACKET_OTHERHOST;
      else if (dest.short_addr === sshort) skb.pkt_type = PACKET_HOST;
      else if (dest.short_addr === IEEE802154_ADDR_BROADCAST) skb.pkt_type = PACKET_BROADCAST;
      else skb.pkt_type = PACKET_OTHERHOST;
      break;
    default:
      yield* kfree_skb(skb);
      return NET_RX_DROP;
  }
  skb.dev = sdata.dev.name;
  sdata.dev.stats.rx_packets++;
  sdata.dev.stats.rx_bytes += skb.data.length;
  switch (skb.cb.type) {
    case IEEE802154_FC_TYPE_BEACON: {
      if (!(yield* mac802154_is_scanning(local))) break;
      const mac_pkt = yield* kzalloc<cfg802154_mac_pkt>(() => ({ skb: null as unknown as sk_buff, sdata }), GFP_ATOMIC, 'cfg802154_mac_pkt');
      if (!mac_pkt) break;
      mac_pkt.skb = skb_get(skb);
      mac_pkt.sdata = sdata;
      const locked = hasFix(local.config, 'rx-beacon-lock');
      if (locked) yield* spin_lock(local.rx_beacon_lock);
      yield* list_add_tail(mac_pkt, local.rx_beacon_list);
      if (locked) yield* spin_unlock(local.rx_beacon_lock);
      yield* queue_work(local.workqueue, local.rx_beacon_work);
      // success:
      yield* kfree_skb(skb);
      return NET_RX_SUCCESS;
    }
    case IEEE802154_FC_TYPE_MAC_CMD: {
      // later kernels queue MAC commands for rx_mac_cmd_work; the seed drops them
      if (!hasFix(local.config, 'active-scan')) break;
      const mac_pkt = yield* kzalloc<cfg802154_mac_pkt>(() => ({ skb: null as unknown as sk_buff, sdata }), GFP_ATOMIC, 'cfg802154_mac_pkt');
      if (!mac_pkt) break;
      mac_pkt.skb = skb_get(skb);
      yield* spin_lock(local.rx_beacon_lock);
      yield* list_add_tail(mac_pkt, local.rx_mac_cmd_list);
      yield* spin_unlock(local.rx_beacon_lock);
      yield* queue_work(local.mac_wq, local.rx_mac_cmd_work);
      yield* kfree_skb(skb);
      return NET_RX_SUCCESS;
    }
    case IEEE802154_FC_TYPE_ACK:
      break;
    case IEEE802154_FC_TYPE_DATA:
      return yield* ieee802154_deliver_skb(sdata, skb);
    default:
      break;
  }
  // fail:
  yield* kfree_skb(skb);
  return NET_RX_DROP;
}

/** ieee802154_monitors_rx(): monitors get every frame, FCS and all. */
function* ieee802154_monitors_rx(local: ieee802154_local, skb: sk_buff): KGen {
  for (const sdata of local.interfaces) {
    if (sdata.wpan_dev.iftype !== NL802154_IFTYPE_MONITOR) continue;
    if (!(yield* ieee802154_sdata_running(sdata))) continue;
    sdata.dev.delivered.push({ frameId: skb.ghost ? skb.ghost.frameId : null, fcsOk: skb.ghost ? skb.ghost.fcsOk : null, len: skb.data.length });
    sdata.dev.stats.rx_packets++;
  }
}

/** __ieee802154_rx_handle_packet(): parse, then the first running non-monitor interface gets the frame. */
function* __ieee802154_rx_handle_packet(local: ieee802154_local, skb: sk_buff): KGen {
  if (ieee802154_parse_frame_start(skb)) {
    // got invalid frame
    yield* kfree_skb(skb);
    return;
  }
  for (const sdata of local.interfaces) {
    if (sdata.wpan_dev.iftype === NL802154_IFTYPE_MONITOR) continue;
    if (!(yield* ieee802154_sdata_running(sdata))) continue;
    yield* ieee802154_subif_frame(sdata, skb);
    return;
  }
  yield* kfree_skb(skb);
}

/** ieee802154_rx(): the tasklet's handling of one received frame. */
export function* ieee802154_rx(local: ieee802154_local, skb: sk_buff): KGen {
  WARN_ON_ONCE(!in_softirq(), 'ieee802154_rx outside softirq context');
  if (local.suspended) {
    yield* kfree_skb(skb);
    return;
  }
  if (local.hw.flags & IEEE802154_HW_RX_OMIT_CKSUM) {
    const crc = crc_ccitt(0, skb.data);
    const out = new Uint8Array(skb.data.length + 2);
    out.set(skb.data);
    out[skb.data.length] = crc & 0xff;
    out[skb.data.length + 1] = crc >> 8;
    skb.data = out;
  }
  yield* rcu_read_lock();
  yield* ieee802154_monitors_rx(local, skb);
  // Check if the transceiver doesn't validate the checksum, or if the check
  // might have been disabled like during a scan. In these cases, we validate
  // the checksum here.
  if (local.hw.flags & IEEE802154_HW_RX_DROP_BAD_CKSUM || (yield* mac802154_is_scanning(local))) {
    if (skb.data.length < 2 || crc_ccitt(0, skb.data)) {
      local.ghost.fcsDrops++;
      yield* rcu_read_unlock();
      yield* kfree_skb(skb);
      return;
    }
  }
  // remove crc
  if (skb.data.length < 2) {
    yield* rcu_read_unlock();
    yield* kfree_skb(skb);
    return;
  }
  skb_trim(skb, skb.data.length - 2);
  yield* __ieee802154_rx_handle_packet(local, skb);
  yield* rcu_read_unlock();
}

/** Frees a MAC packet and its skb (the workers' cleanup). */
export function* mac802154_free_mac_pkt(mac_pkt: cfg802154_mac_pkt): KGen {
  yield* kfree_skb(mac_pkt.skb);
  yield* kfree(mac_pkt);
}
