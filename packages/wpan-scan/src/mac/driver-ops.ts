// net/mac802154/driver-ops.h: the MAC's calls into the driver (seed 000 era).

import { EOPNOTSUPP, WARN_ON, might_sleep, type KGen } from '@k/core-sync';
import type { ieee802154_hw_addr_filt, ieee802154_local } from './defs';
import type { sk_buff } from './kernel';
import { tasklet_kill } from './kernel';

export function* drv_start(local: ieee802154_local): KGen<number> {
  might_sleep('drv_start');
  local.started = true;
  return yield* local.ops.start(local.hw);
}

/** drv_stop(): the driver's stop, then "sync away all work on the tasklet before clearing started". */
export function* drv_stop(local: ieee802154_local): KGen {
  might_sleep('drv_stop');
  yield* local.ops.stop(local.hw);
  // tasklet_disable(); tasklet_enable(): waits for a running tasklet, not for a scheduled one
  if (local.tasklet.running) yield* tasklet_kill(local.tasklet);
  local.started = false;
}

export function* drv_xmit_async(local: ieee802154_local, skb: sk_buff): KGen<number> {
  return yield* local.ops.xmit_async(local.hw, skb);
}

/** drv_set_channel(local, u8 page, u8 channel) */
export function* drv_set_channel(local: ieee802154_local, page: number, channel: number): KGen<number> {
  might_sleep('drv_set_channel');
  return yield* local.ops.set_channel(local.hw, page & 0xff, channel & 0xff);
}

export function* drv_set_promiscuous_mode(local: ieee802154_local, on: boolean): KGen<number> {
  might_sleep('drv_set_promiscuous_mode');
  if (!local.ops.set_promiscuous_mode) {
    WARN_ON(true, 'drv_set_promiscuous_mode without the driver op');
    return -EOPNOTSUPP;
  }
  return yield* local.ops.set_promiscuous_mode(local.hw, on);
}

export function* drv_set_hw_addr_filt(local: ieee802154_local, filt: ieee802154_hw_addr_filt, changed: number): KGen<number> {
  might_sleep('drv_set_hw_addr_filt');
  return yield* local.ops.set_hw_addr_filt(local.hw, filt, changed);
}
