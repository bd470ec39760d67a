// net/mac802154/cfg.c with seed 000's additions: mac802154_trigger_scan() and
// mac802154_abort_scan() take scan_lock around their _locked forms (the RTNL
// is held by nl802154), and ieee802154_set_channel() refuses to change
// channels while scanning (-EBUSY). The seed tests for the scan without
// scan_lock; the 'set-channel-scan-lock' fix takes it.

import { EBUSY, mutex_lock, mutex_unlock, type KGen } from '@k/core-sync';
import type { cfg802154_scan_request, wpan_dev, wpan_phy } from './defs';
import { hasFix } from './config';
import { drv_set_channel } from './driver-ops';
import { ASSERT_RTNL } from './kernel';
import { ieee802154_configure_durations } from './main';
import { wpan_phy_priv } from './nl802154';
import { IEEE802154_WPAN_DEV_TO_SUB_IF } from './iface';
import { mac802154_abort_scan_locked, mac802154_is_scanning, mac802154_trigger_scan_locked } from './scan';

/** ieee802154_set_channel(): -EBUSY while scanning; 0 when the channel is already the current one. */
export function* ieee802154_set_channel(wpan_phy: wpan_phy, page: number, channel: number): KGen<number> {
  const local = wpan_phy_priv(wpan_phy);
  ASSERT_RTNL(local.host);
  const locked = hasFix(local.config, 'set-channel-scan-lock');
  if (locked) yield* mutex_lock(local.scan_lock);
  try {
    if ((yield* wpan_phy.current_page.read()) === page && (yield* wpan_phy.current_channel.read()) === channel) return 0;
    // Refuse to change channels during a scanning operation
    if (yield* mac802154_is_scanning(local)) return -EBUSY;
    const ret = yield* drv_set_channel(local, page, channel);
    if (!ret) {
      yield* wpan_phy.current_page.write(page);
      yield* wpan_phy.current_channel.write(channel);
      yield* ieee802154_configure_durations(wpan_phy, page, channel);
    }
    return ret;
  } finally {
    if (locked) yield* mutex_unlock(local.scan_lock);
  }
}

/** mac802154_trigger_scan(): cfg802154_ops.trigger_scan. */
export function* mac802154_trigger_scan(wpan_phy: wpan_phy, request: cfg802154_scan_request): KGen<number> {
  const local = wpan_phy_priv(wpan_phy);
  const sdata = IEEE802154_WPAN_DEV_TO_SUB_IF(request.wpan_dev);
  ASSERT_RTNL(local.host);
  yield* mutex_lock(local.scan_lock);
  const ret = yield* mac802154_trigger_scan_locked(sdata, request);
  yield* mutex_unlock(local.scan_lock);
  return ret;
}

/** mac802154_abort_scan(): cfg802154_ops.abort_scan. */
export function* mac802154_abort_scan(wpan_phy: wpan_phy, wpan_dev: wpan_dev): KGen<number> {
  void wpan_dev;
  const local = wpan_phy_priv(wpan_phy);
  ASSERT_RTNL(local.host);
  yield* mutex_lock(local.scan_lock);
  const ret = yield* mac802154_abort_scan_locked(local);
  yield* mutex_unlock(local.scan_lock);
  return ret;
}
