// Beacon payload of frame versions 0 and 1: IEEE Std 802.15.4-2006 7.2.2.1
// (superframe specification 7.2.2.1.2, GTS fields 7.2.2.1.3-5, pending address
// fields 7.2.2.1.6-7, beacon payload 7.2.2.1.8). The fixed 4-octet start is the
// kernel's struct ieee802154_beacon_hdr (include/net/ieee802154_netdev.h),
// which seed 000's mac802154_process_beacon() overlays on skb->data
// (desc->superframe_spec = get_unaligned_le16(skb->data); desc->gts_permit = bh->gts_permit).
import { type ByteReader, checkBool, checkBytes, checkU64, checkUint, type ByteSink } from './bytes';
import {
  IEEE802154_GTS_DESC,
  IEEE802154_GTS_SPEC,
  IEEE802154_MAX_PEND_ADDRS,
  IEEE802154_PEND_ADDR_SPEC,
  IEEE802154_SUPERFRAME_SPEC,
  getBits,
  setBits,
} from './constants';
import { fail } from './errors';

/** One GTS descriptor (7.2.2.1.5). */
export interface ieee802154_gts_desc {
  short_addr: number;
  /** 0..15 */
  starting_slot: number;
  /** 0..15 */
  length: number;
}

/**
 * The beacon payload, with the bit fields of struct ieee802154_beacon_hdr
 * under their kernel names. The counts of the GTS and pending address
 * specifications are the lengths of the lists; the reserved bits are kept.
 */
export interface ieee802154_beacon {
  /** Superframe specification (u16). */
  beacon_order: number;
  superframe_order: number;
  final_cap_slot: number;
  battery_life_ext: boolean;
  reserved0: number;
  pan_coordinator: boolean;
  assoc_permit: boolean;
  /** GTS specification. */
  gts_reserved: number;
  gts_permit: boolean;
  /** GTS directions octet (bit i: descriptor i is receive-only; bit 7 reserved); on air only with descriptors. */
  gts_directions: number;
  gts_list: ieee802154_gts_desc[];
  /** Pending address specification reserved bits (3 and 7). */
  reserved1: number;
  reserved2: number;
  pend_short_addrs: number[];
  pend_ext_addrs: bigint[];
  /** The beacon payload field (macBeaconPayload). */
  payload: Uint8Array;
}

/** The superframe specification of a beacon as the u16 the kernel reads (desc->superframe_spec). */
export function superframeSpecOf(b: Pick<ieee802154_beacon, 'beacon_order' | 'superframe_order' | 'final_cap_slot' | 'battery_life_ext' | 'reserved0' | 'pan_coordinator' | 'assoc_permit'>): number {
  let w = 0;
  w = setBits(w, IEEE802154_SUPERFRAME_SPEC.beacon_order, b.beacon_order);
  w = setBits(w, IEEE802154_SUPERFRAME_SPEC.superframe_order, b.superframe_order);
  w = setBits(w, IEEE802154_SUPERFRAME_SPEC.final_cap_slot, b.final_cap_slot);
  w = setBits(w, IEEE802154_SUPERFRAME_SPEC.battery_life_ext, +b.battery_life_ext);
  w = setBits(w, IEEE802154_SUPERFRAME_SPEC.reserved0, b.reserved0);
  w = setBits(w, IEEE802154_SUPERFRAME_SPEC.pan_coordinator, +b.pan_coordinator);
  w = setBits(w, IEEE802154_SUPERFRAME_SPEC.assoc_permit, +b.assoc_permit);
  return w;
}

/** Decodes a u16 superframe specification. */
export function decodeSuperframeSpec(w: number): Pick<ieee802154_beacon, 'beacon_order' | 'superframe_order' | 'final_cap_slot' | 'battery_life_ext' | 'reserved0' | 'pan_coordinator' | 'assoc_permit'> {
  return {
    beacon_order: getBits(w, IEEE802154_SUPERFRAME_SPEC.beacon_order),
    superframe_order: getBits(w, IEEE802154_SUPERFRAME_SPEC.superframe_order),
    final_cap_slot: getBits(w, IEEE802154_SUPERFRAME_SPEC.final_cap_slot),
    battery_life_ext: getBits(w, IEEE802154_SUPERFRAME_SPEC.battery_life_ext) === 1,
    reserved0: getBits(w, IEEE802154_SUPERFRAME_SPEC.reserved0),
    pan_coordinator: getBits(w, IEEE802154_SUPERFRAME_SPEC.pan_coordinator) === 1,
    assoc_permit: getBits(w, IEEE802154_SUPERFRAME_SPEC.assoc_permit) === 1,
  };
}

/** Reads a beacon payload from `r` up to its end. @internal */
export function readBeacon(r: ByteReader): ieee802154_beacon {
  const sf = decodeSuperframeSpec(r.u16('superframe specification'));
  const gtsSpec = r.u8('GTS specification');
  const gtsCount = getBits(gtsSpec, IEEE802154_GTS_SPEC.gts_count);
  let gts_directions = 0;
  const gts_list: ieee802154_gts_desc[] = [];
  if (gtsCount > 0) {
    gts_directions = r.u8('GTS directions');
    for (let i = 0; i < gtsCount; i++) {
      const short_addr = r.u16(`GTS descriptor ${i} device short address`);
      const slot = r.u8(`GTS descriptor ${i} starting slot and length`);
      gts_list.push({
        short_addr,
        starting_slot: getBits(slot, IEEE802154_GTS_DESC.starting_slot),
        length: getBits(slot, IEEE802154_GTS_DESC.length),
      });
    }
  }
  const pendAt = r.pos;
  const pend = r.u8('pending address specification');
  const nShort = getBits(pend, IEEE802154_PEND_ADDR_SPEC.pend_short_addr_count);
  const nExt = getBits(pend, IEEE802154_PEND_ADDR_SPEC.pend_ext_addr_count);
  if (nShort + nExt > IEEE802154_MAX_PEND_ADDRS) {
    fail('too-many-pending-addresses', `the beacon lists ${nShort} short and ${nExt} extended pending addresses, more than ${IEEE802154_MAX_PEND_ADDRS} (2006 7.2.2.1.6)`, {
      field: 'pending address specification',
      offset: pendAt,
      expected: IEEE802154_MAX_PEND_ADDRS,
      actual: nShort + nExt,
    });
  }
  const pend_short_addrs: number[] = [];
  for (let i = 0; i < nShort; i++) pend_short_addrs.push(r.u16(`pending short address ${i}`));
  const pend_ext_addrs: bigint[] = [];
  for (let i = 0; i < nExt; i++) pend_ext_addrs.push(r.u64(`pending extended address ${i}`));
  return {
    ...sf,
    gts_reserved: getBits(gtsSpec, IEEE802154_GTS_SPEC.gts_reserved),
    gts_permit: getBits(gtsSpec, IEEE802154_GTS_SPEC.gts_permit) === 1,
    gts_directions,
    gts_list,
    reserved1: getBits(pend, IEEE802154_PEND_ADDR_SPEC.reserved1),
    reserved2: getBits(pend, IEEE802154_PEND_ADDR_SPEC.reserved2),
    pend_short_addrs,
    pend_ext_addrs,
    payload: r.rest(),
  };
}

/** Validates a beacon payload for emit(). @internal */
export function checkBeacon(b: ieee802154_beacon): void {
  if (typeof b !== 'object' || b === null) fail('invalid-field', 'beacon must be an object', { field: 'beacon' });
  checkUint('beacon.beacon_order', b.beacon_order, 4);
  checkUint('beacon.superframe_order', b.superframe_order, 4);
  checkUint('beacon.final_cap_slot', b.final_cap_slot, 4);
  checkBool('beacon.battery_life_ext', b.battery_life_ext);
  checkUint('beacon.reserved0', b.reserved0, 1);
  checkBool('beacon.pan_coordinator', b.pan_coordinator);
  checkBool('beacon.assoc_permit', b.assoc_permit);
  checkUint('beacon.gts_reserved', b.gts_reserved, 4);
  checkBool('beacon.gts_permit', b.gts_permit);
  checkUint('beacon.gts_directions', b.gts_directions, 8);
  if (!Array.isArray(b.gts_list)) fail('invalid-field', 'beacon.gts_list must be an array', { field: 'beacon.gts_list' });
  if (b.gts_list.length > 7) fail('gts-list', `beacon.gts_list has ${b.gts_list.length} descriptors, at most 7 fit the 3-bit GTS descriptor count`, { field: 'beacon.gts_list' });
  if (b.gts_list.length === 0 && b.gts_directions !== 0) {
    fail('gts-list', 'beacon.gts_directions must be 0 without GTS descriptors (the field is not on air then)', { field: 'beacon.gts_directions' });
  }
  b.gts_list.forEach((d, i) => {
    checkUint(`beacon.gts_list[${i}].short_addr`, d?.short_addr, 16);
    checkUint(`beacon.gts_list[${i}].starting_slot`, d.starting_slot, 4);
    checkUint(`beacon.gts_list[${i}].length`, d.length, 4);
  });
  checkUint('beacon.reserved1', b.reserved1, 1);
  checkUint('beacon.reserved2', b.reserved2, 1);
  if (!Array.isArray(b.pend_short_addrs) || !Array.isArray(b.pend_ext_addrs)) {
    fail('invalid-field', 'beacon.pend_short_addrs and beacon.pend_ext_addrs must be arrays', { field: 'beacon.pend_short_addrs' });
  }
  if (b.pend_short_addrs.length + b.pend_ext_addrs.length > IEEE802154_MAX_PEND_ADDRS) {
    fail('too-many-pending-addresses', `the beacon lists ${b.pend_short_addrs.length + b.pend_ext_addrs.length} pending addresses, at most ${IEEE802154_MAX_PEND_ADDRS} are allowed`, {
      field: 'beacon.pend_short_addrs',
      expected: IEEE802154_MAX_PEND_ADDRS,
      actual: b.pend_short_addrs.length + b.pend_ext_addrs.length,
    });
  }
  b.pend_short_addrs.forEach((a, i) => checkUint(`beacon.pend_short_addrs[${i}]`, a, 16));
  b.pend_ext_addrs.forEach((a, i) => checkU64(`beacon.pend_ext_addrs[${i}]`, a));
  checkBytes('beacon.payload', b.payload);
}

/** Writes a (checked) beacon payload. @internal */
export function writeBeacon(w: ByteSink, b: ieee802154_beacon): void {
  w.u16(superframeSpecOf(b));
  let gts = 0;
  gts = setBits(gts, IEEE802154_GTS_SPEC.gts_count, b.gts_list.length);
  gts = setBits(gts, IEEE802154_GTS_SPEC.gts_reserved, b.gts_reserved);
  gts = setBits(gts, IEEE802154_GTS_SPEC.gts_permit, +b.gts_permit);
  w.u8(gts);
  if (b.gts_list.length > 0) {
    w.u8(b.gts_directions);
    for (const d of b.gts_list) {
      w.u16(d.short_addr);
      w.u8(setBits(setBits(0, IEEE802154_GTS_DESC.starting_slot, d.starting_slot), IEEE802154_GTS_DESC.length, d.length));
    }
  }
  let pend = 0;
  pend = setBits(pend, IEEE802154_PEND_ADDR_SPEC.pend_short_addr_count, b.pend_short_addrs.length);
  pend = setBits(pend, IEEE802154_PEND_ADDR_SPEC.reserved1, b.reserved1);
  pend = setBits(pend, IEEE802154_PEND_ADDR_SPEC.pend_ext_addr_count, b.pend_ext_addrs.length);
  pend = setBits(pend, IEEE802154_PEND_ADDR_SPEC.reserved2, b.reserved2);
  w.u8(pend);
  for (const a of b.pend_short_addrs) w.u16(a);
  for (const a of b.pend_ext_addrs) w.u64(a);
  w.bytes(b.payload);
}

/**
 * A beacon payload with the given fields and every other field at its
 * neutral value (no GTS, no pending addresses, empty payload, reserved bits 0).
 */
export function makeBeacon(fields: Partial<ieee802154_beacon> = {}): ieee802154_beacon {
  return {
    beacon_order: 15,
    superframe_order: 15,
    final_cap_slot: 15,
    battery_life_ext: false,
    reserved0: 0,
    pan_coordinator: true,
    assoc_permit: false,
    gts_reserved: 0,
    gts_permit: false,
    gts_directions: 0,
    gts_list: [],
    reserved1: 0,
    reserved2: 0,
    pend_short_addrs: [],
    pend_ext_addrs: [],
    payload: new Uint8Array(),
    ...fields,
  };
}
