// net/ieee802154/pan.c as of the seed's series ("net: ieee802154: Handle
// coordinators discovery", wpan-next July 2022): coordinator descriptors and
// the per-interface list of known coordinators, which makes each coordinator
// reported once per scan. cfg802154_alloc_coordinator() returns ERR_PTR(-ENOMEM)
// on failure (while seed 000's caller tests for NULL).

import {
  ERR_PTR, ENOMEM, GFP_ATOMIC, kfree, kzalloc, spin_lock_bh, spin_unlock_bh, type ErrPtr, type KGen,
} from '@k/core-sync';
import { IEEE802154_ADDR_LONG, IEEE802154_ADDR_SHORT } from '../frame/constants';
import type { ieee802154_coord_desc, wpan_dev, wpan_phy } from './defs';
import type { ieee802154_addr } from './kernel';
import { nl802154_advertise_new_coordinator } from './nl802154';

/** cfg802154_alloc_coordinator(coord): a descriptor with a copy of the address, or ERR_PTR(-ENOMEM). */
export function* cfg802154_alloc_coordinator(coord: ieee802154_addr): KGen<ieee802154_coord_desc | ErrPtr> {
  const desc = yield* kzalloc<ieee802154_coord_desc>(() => ({ addr: null, page: 0, channel: 0, superframe_spec: 0, link_quality: 0, gts_permit: false }), GFP_ATOMIC, 'ieee802154_coord_desc');
  if (!desc) return ERR_PTR(-ENOMEM);
  desc.addr = yield* kzalloc<ieee802154_addr>(() => ({ ...coord }), GFP_ATOMIC, 'ieee802154_addr');
  if (!desc.addr) {
    yield* kfree(desc);
    return ERR_PTR(-ENOMEM);
  }
  return desc;
}

function* cfg802154_free_coordinator_desc(desc: ieee802154_coord_desc): KGen {
  yield* kfree(desc.addr);
  yield* kfree(desc);
}

function cfg802154_is_same_coordinator(a: ieee802154_coord_desc, b: ieee802154_coord_desc): boolean {
  const x = a.addr!;
  const y = b.addr!;
  if (x.pan_id !== y.pan_id) return false;
  if (x.mode !== y.mode) return false;
  if (x.mode === IEEE802154_ADDR_SHORT && x.short_addr === y.short_addr) return true;
  else if (x.mode === IEEE802154_ADDR_LONG && x.extended_addr === y.extended_addr) return true;
  return false;
}

function cfg802154_coordinator_is_known(wpan_dev: wpan_dev, desc: ieee802154_coord_desc): boolean {
  return wpan_dev.coord_list.some((item) => cfg802154_is_same_coordinator(item, desc));
}

/** cfg802154_record_coordinator(): a new coordinator is kept and advertised; a known one is freed. */
export function* cfg802154_record_coordinator(wpan_phy: wpan_phy, wpan_dev: wpan_dev, desc: ieee802154_coord_desc): KGen {
  yield* spin_lock_bh(wpan_dev.coord_list_lock);
  if (cfg802154_coordinator_is_known(wpan_dev, desc)) {
    yield* cfg802154_free_coordinator_desc(desc);
  } else {
    wpan_dev.coord_list.push(desc);
    yield* nl802154_advertise_new_coordinator(wpan_phy, wpan_dev, desc);
  }
  yield* spin_unlock_bh(wpan_dev.coord_list_lock);
}

/** cfg802154_flush_known_coordinators(): forgets (and frees) the coordinators of the last scan. */
export function* cfg802154_flush_known_coordinators(wpan_dev: wpan_dev): KGen {
  yield* spin_lock_bh(wpan_dev.coord_list_lock);
  const all = wpan_dev.coord_list.splice(0);
  for (const desc of all) yield* cfg802154_free_coordinator_desc(desc);
  yield* spin_unlock_bh(wpan_dev.coord_list_lock);
}
