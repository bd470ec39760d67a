// net/mac802154/util.c: the tx queue of every interface of a radio (stop,
// wake, hold and release, sync) and the MLME helpers seed 000 uses to pause
// transmissions during a scan (ieee802154_mlme_op_pre / _post).

import {
  atomic_dec_and_test, atomic_fetch_add, atomic_inc, atomic_read, spin_lock_irqsave, spin_unlock_irqrestore, wait_event, wake_up, type KGen,
} from '@k/core-sync';
import type { ieee802154_local } from './defs';

/** ieee802154_stop_queue(): netif_stop_queue() on every running interface. */
function stop_queue(local: ieee802154_local): void {
  for (const sdata of local.interfaces) sdata.dev.queue_stopped = true;
}
/** ieee802154_wake_queue() */
function wake_queue(local: ieee802154_local): void {
  for (const sdata of local.interfaces) sdata.dev.queue_stopped = false;
}

/** ieee802154_hold_queue(): the first holder stops the queues. */
export function* ieee802154_hold_queue(local: ieee802154_local): KGen {
  const flags = yield* spin_lock_irqsave(local.phy.queue_lock);
  if (!(yield* atomic_fetch_add(1, local.phy.hold_txs))) stop_queue(local);
  yield* spin_unlock_irqrestore(local.phy.queue_lock, flags);
}

/** ieee802154_release_queue(): the last holder wakes the queues. */
export function* ieee802154_release_queue(local: ieee802154_local): KGen {
  const flags = yield* spin_lock_irqsave(local.phy.queue_lock);
  if (yield* atomic_dec_and_test(local.phy.hold_txs)) wake_queue(local);
  yield* spin_unlock_irqrestore(local.phy.queue_lock, flags);
}

/** ieee802154_sync_queue(): waits for ongoing transmissions; returns local->tx_result. */
export function* ieee802154_sync_queue(local: ieee802154_local): KGen<number> {
  yield* ieee802154_hold_queue(local);
  const phy = local.phy;
  yield* wait_event(phy.sync_txq, function* () {
    return (yield* atomic_read(phy.ongoing_txs)) === 0;
  });
  const ret = local.tx_result;
  yield* ieee802154_release_queue(local);
  return ret;
}

/** ieee802154_sync_and_hold_queue() */
export function* ieee802154_sync_and_hold_queue(local: ieee802154_local): KGen<number> {
  yield* ieee802154_hold_queue(local);
  const ret = yield* ieee802154_sync_queue(local);
  if (ret) yield* ieee802154_release_queue(local);
  return ret;
}

/** ieee802154_mlme_op_pre(): hold the tx queue (waiting for ongoing transmissions) for an MLME operation. */
export function* ieee802154_mlme_op_pre(local: ieee802154_local): KGen<number> {
  return yield* ieee802154_sync_and_hold_queue(local);
}

/** ieee802154_mlme_op_post(): release the tx queue. */
export function* ieee802154_mlme_op_post(local: ieee802154_local): KGen {
  yield* ieee802154_release_queue(local);
}

/** One more transmission in flight (ieee802154_tx). */
export function* ieee802154_tx_begin(local: ieee802154_local): KGen {
  yield* ieee802154_hold_queue(local);
  yield* atomic_inc(local.phy.ongoing_txs);
}

/** ieee802154_xmit_complete()'s bookkeeping: release the queue, wake the syncers on the last transmission. */
export function* ieee802154_tx_end(local: ieee802154_local, result: number): KGen {
  local.tx_result = result;
  yield* ieee802154_release_queue(local);
  if (yield* atomic_dec_and_test(local.phy.ongoing_txs)) yield* wake_up(local.phy.sync_txq);
}
