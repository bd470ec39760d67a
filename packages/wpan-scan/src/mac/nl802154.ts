// net/ieee802154/nl802154.c as of the seed's series (wpan-next July 2022,
// "net: ieee802154: Add support for user scanning requests" and "Advertize
// coordinators discovery"): the genetlink handlers a userspace tool (iwpan)
// calls, each under the RTNL (NL802154_FLAG_NEED_RTNL) on a running interface
// (NL802154_FLAG_CHECK_NETDEV_UP), and the messages multicast to the "scan"
// group. nl802154_send_scan_done() frees the request (kfree), while the MAC
// keeps pointing to it in local->scan_req: the seed's lifetime bug.

import {
  EINVAL, ENETDOWN, ENOMEM, EPERM, ESRCH, GFP_ATOMIC, GFP_KERNEL, kfree, kmalloc, kzalloc, ktime_get_ns, wake_up_all,
  type KGen, type gfp_t,
} from '@k/core-sync';
import {
  IEEE802154_MAX_CHANNEL, IEEE802154_MAX_PAGE, IEEE802154_MAX_SCAN_DURATION, NL802154_IFTYPE_MONITOR, NL802154_SCAN_ED,
  NL802154_SCAN_RIT_PASSIVE, type Nl802154Message, type cfg802154_scan_request, type ieee802154_coord_desc, type ieee802154_local,
  type ieee802154_sub_if_data, type wpan_dev, type wpan_phy,
} from './defs';
import { rtnl_lock, rtnl_unlock } from './kernel';
import { mac802154_abort_scan, mac802154_trigger_scan, ieee802154_set_channel } from './cfg';

/** The attributes of NL802154_CMD_TRIGGER_SCAN (absent: the kernel's default). */
export interface Nl802154ScanAttrs {
  /** NL802154_ATTR_SCAN_TYPE (u8, mandatory) */
  type?: number;
  /** NL802154_ATTR_PAGE (u8), default the current page */
  page?: number;
  /** NL802154_ATTR_SCAN_CHANNELS (u32 mask), default every supported channel of the page */
  channels?: number;
  /** NL802154_ATTR_SCAN_DURATION (u8), default IEEE802154_MAX_SCAN_DURATION */
  duration?: number;
}

/** wpan_phy_priv(): the MAC behind a phy. */
export function wpan_phy_priv(phy: wpan_phy): ieee802154_local {
  return phyOwner.get(phy)!;
}
const phyOwner = new WeakMap<wpan_phy, ieee802154_local>();
/** Links a phy to its MAC (ieee802154_alloc_hw's priv area). */
export function wpan_phy_set_priv(phy: wpan_phy, local: ieee802154_local): void {
  phyOwner.set(phy, local);
}

function nlaRange(v: number | undefined, bits: 8 | 32): boolean {
  return v === undefined || (Number.isInteger(v) && v >= 0 && v < 2 ** bits);
}

/** A genetlink message buffer (nlmsg_new): allocated, filled, consumed by the multicast. */
function* genlmsg_multicast(phy: wpan_phy, msg: Omit<Nl802154Message, 'atNs'>, gfp: gfp_t): KGen<number> {
  const local = wpan_phy_priv(phy);
  const buf = yield* kmalloc(() => ({ len: 0 }), gfp, 'nlmsg');
  if (!buf) return -ENOMEM;
  local.nl.messages.push({ ...msg, atNs: ktime_get_ns() });
  yield* kfree(buf);
  yield* wake_up_all(local.nl.wq);
  return 0;
}

/** nl802154_trigger_scan(): validates the request, allocates it, and hands it to the MAC. */
export function* nl802154_trigger_scan(sdata: ieee802154_sub_if_data, attrs: Nl802154ScanAttrs): KGen<number> {
  const local = sdata.local;
  yield* rtnl_lock(local.host);
  try {
    if (!sdata.dev.up) return -ENETDOWN;
    const wpan_dev = sdata.wpan_dev;
    const wpan_phy = local.phy;
    // Monitors are not allowed to perform scans
    if (wpan_dev.iftype === NL802154_IFTYPE_MONITOR) return -EPERM;
    // the attribute policy (NLA_U8 / NLA_U32)
    if (!nlaRange(attrs.type, 8) || !nlaRange(attrs.page, 8) || !nlaRange(attrs.channels, 32) || !nlaRange(attrs.duration, 8)) return -EINVAL;
    if (attrs.type === undefined || attrs.type < NL802154_SCAN_ED || attrs.type > NL802154_SCAN_RIT_PASSIVE) return -EINVAL;
    const ghostId = local.ghost.nextScanId++;
    const request = yield* kzalloc<cfg802154_scan_request>(() => ({
      type: 0, page: 0, channels: 0, duration: 0, wpan_dev, wpan_phy, ghostId,
    }), GFP_KERNEL, 'cfg802154_scan_request');
    if (!request) return -ENOMEM;
    request.type = attrs.type;
    let err = 0;
    if (attrs.page !== undefined) {
      request.page = attrs.page;
      if (request.page > IEEE802154_MAX_PAGE) err = -EINVAL;
    } else {
      // Use current page by default
      request.page = yield* wpan_phy.current_page.read();
    }
    if (!err && attrs.channels !== undefined) {
      request.channels = attrs.channels;
      if (request.channels >= 2 ** (IEEE802154_MAX_CHANNEL + 1)) err = -EINVAL;
    } else if (!err) {
      // Scan all supported channels by default
      request.channels = wpan_phy.supported.channels[request.page] ?? 0;
    }
    if (!err && attrs.duration !== undefined) {
      request.duration = attrs.duration;
      if (request.duration > IEEE802154_MAX_SCAN_DURATION) err = -EINVAL;
    } else if (!err) {
      // Use maximum duration order by default
      request.duration = IEEE802154_MAX_SCAN_DURATION;
    }
    if (!err) {
      err = yield* mac802154_trigger_scan(wpan_phy, request);
      if (!err) return 0;
    }
    yield* kfree(request);
    return err;
  } finally {
    yield* rtnl_unlock(local.host);
  }
}

/** nl802154_abort_scan(): "Resources are released in the notification helper". */
export function* nl802154_abort_scan(sdata: ieee802154_sub_if_data): KGen<number> {
  const local = sdata.local;
  yield* rtnl_lock(local.host);
  try {
    if (!sdata.dev.up) return -ENETDOWN;
    return yield* mac802154_abort_scan(local.phy, sdata.wpan_dev);
  } finally {
    yield* rtnl_unlock(local.host);
  }
}

/** nl802154_set_channel(): page and channel checked against what the phy supports. */
export function* nl802154_set_channel(sdata: ieee802154_sub_if_data, page: number, channel: number): KGen<number> {
  const local = sdata.local;
  yield* rtnl_lock(local.host);
  try {
    if (!nlaRange(page, 8) || !nlaRange(channel, 8)) return -EINVAL;
    // ieee802154_chan_is_valid()
    if (page > IEEE802154_MAX_PAGE || channel > IEEE802154_MAX_CHANNEL || !((local.phy.supported.channels[page] ?? 0) & (1 << channel))) return -EINVAL;
    return yield* ieee802154_set_channel(local.phy, page, channel);
  } finally {
    yield* rtnl_unlock(local.host);
  }
}

/** nl802154_advertise_new_coordinator(): a NL802154_CMD_SCAN_EVENT with the coordinator (GFP_ATOMIC). */
export function* nl802154_advertise_new_coordinator(wpan_phy: wpan_phy, wpan_dev: wpan_dev, desc: ieee802154_coord_desc): KGen<number> {
  const a = desc.addr!;
  const local = wpan_phy_priv(wpan_phy);
  return yield* genlmsg_multicast(wpan_phy, {
    cmd: 'NL802154_CMD_SCAN_EVENT',
    ifname: wpan_dev.netdev.name,
    coordinator: {
      pan_id: a.pan_id,
      addr: a.mode === 2 ? { mode: a.mode, short_addr: a.short_addr } : { mode: a.mode, extended_addr: a.extended_addr },
      page: desc.page & 0xff,
      channel: desc.channel & 0xff,
      superframe_spec: desc.superframe_spec & 0xffff,
      link_quality: desc.link_quality & 0xff,
      gts_permit: desc.gts_permit,
    },
    scanId: local.ghost.scanId ?? -1,
  }, GFP_ATOMIC);
}

/**
 * nl802154_send_scan_done(): the NL802154_CMD_SCAN_DONE message (GFP_KERNEL),
 * then kfree(request): the request dies here.
 */
export function* nl802154_send_scan_done(wpan_phy: wpan_phy, wpan_dev: wpan_dev, request: cfg802154_scan_request, reason?: number): KGen<number> {
  const scanId = request.ghostId;
  let err = yield* genlmsg_multicast(wpan_phy, { cmd: 'NL802154_CMD_SCAN_DONE', ifname: wpan_dev.netdev.name, reason, scanId }, GFP_KERNEL);
  // Ignore errors when there are no listeners
  if (err === -ESRCH) err = 0;
  yield* kfree(request);
  return err;
}
