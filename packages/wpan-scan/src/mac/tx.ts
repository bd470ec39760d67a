// net/mac802154/tx.c (later kernels' MLME transmissions, which k's active
// scan and coordinators use): ieee802154_tx() through the driver's
// xmit_async, ieee802154_xmit_complete() from its interrupt, and
// ieee802154_mlme_tx[_locked]() which waits for the transmission to finish.

import { ENETDOWN, type KGen } from '@k/core-sync';
import type { ieee802154_hw, ieee802154_local, ieee802154_sub_if_data } from './defs';
import { drv_xmit_async } from './driver-ops';
import { kfree_skb, rtnl_lock, rtnl_unlock, type sk_buff } from './kernel';
import { hw_to_local } from './main';
import { ieee802154_sync_queue, ieee802154_tx_begin, ieee802154_tx_end } from './util';

/** IEEE802154_SUCCESS / IEEE802154_SYSTEM_ERROR of local->tx_result */
export const IEEE802154_SUCCESS = 0x0;
export const IEEE802154_SYSTEM_ERROR = 0xff;

/** ieee802154_tx(): hold the queue, count the transmission, hand the frame to the driver. */
export function* ieee802154_tx(local: ieee802154_local, skb: sk_buff): KGen<number> {
  yield* ieee802154_tx_begin(local);
  const ret = yield* drv_xmit_async(local, skb);
  if (ret) {
    yield* ieee802154_tx_end(local, IEEE802154_SYSTEM_ERROR);
    yield* kfree_skb(skb);
  }
  return ret;
}

/** ieee802154_xmit_complete(): called by the driver when the frame left the radio. */
export function* ieee802154_xmit_complete(hw: ieee802154_hw, skb: sk_buff, ifs_handling: boolean): KGen {
  void ifs_handling;
  const local = hw_to_local(hw);
  yield* kfree_skb(skb);
  yield* ieee802154_tx_end(local, IEEE802154_SUCCESS);
}

/** ieee802154_mlme_tx_locked(): an MLME frame (beacon, beacon request), waiting for its completion. */
export function* ieee802154_mlme_tx_locked(local: ieee802154_local, sdata: ieee802154_sub_if_data, skb: sk_buff): KGen<number> {
  // Ensure the device was not stopped, otherwise error out
  if (!local.open_count || !sdata.dev.up) {
    yield* kfree_skb(skb);
    return -ENETDOWN;
  }
  const ret = yield* ieee802154_tx(local, skb);
  if (ret) return ret;
  return yield* ieee802154_sync_queue(local);
}

/** ieee802154_mlme_tx(): as _locked, under the RTNL. */
export function* ieee802154_mlme_tx(local: ieee802154_local, sdata: ieee802154_sub_if_data, skb: sk_buff): KGen<number> {
  yield* rtnl_lock(local.host);
  const ret = yield* ieee802154_mlme_tx_locked(local, sdata, skb);
  yield* rtnl_unlock(local.host);
  return ret;
}
