// Frames for the tshark differential test: one of each shape the MAC model
// sends or receives, frame versions 2003, 2006 and 2015, every command k
// decodes, secured frames, IEs, and a beacon whose FCS is wrong.
import {
  IEEE802154_ADDR_LONG,
  IEEE802154_ADDR_NONE,
  IEEE802154_ADDR_SHORT,
  buildAckFrame,
  buildBeaconFrame,
  buildBeaconRequestFrame,
  buildCommandFrame,
  buildDataFrame,
  emit,
  makeBeacon,
  makeHeader,
  type AddressInput,
  type Ieee802154Frame,
  type MacCommand,
} from '../../src/index';

export interface OracleCase {
  name: string;
  frame: Ieee802154Frame;
  /** Flip the FCS after emitting. */
  corruptFcs?: boolean;
}

const PAN = 0x1234;
const short = (short_addr: number, pan_id = PAN): AddressInput => ({ mode: IEEE802154_ADDR_SHORT, pan_id, short_addr });
const ext = (extended_addr: bigint, pan_id = PAN): AddressInput => ({ mode: IEEE802154_ADDR_LONG, pan_id, extended_addr });
const none: AddressInput = { mode: IEEE802154_ADDR_NONE };
const COORD = 0x0011223344556677n;
const DEV = 0x8877665544332211n;

function secured(f: Ieee802154Frame, sec: NonNullable<Ieee802154Frame['hdr']['sec']>): Ieee802154Frame {
  f.hdr.fc.security_enabled = true;
  f.hdr.sec = sec;
  return f;
}

function cmd(seq: number, dest: AddressInput, source: AddressInput, command: MacCommand, ack_request = false): Ieee802154Frame {
  return buildCommandFrame({ seq, dest, source, command, ack_request });
}

export const ORACLE_CASES: OracleCase[] = [
  {
    name: 'beacon, nonbeacon PAN, extended source, association permitted',
    frame: buildBeaconFrame({ seq: 0x12, source: ext(COORD, 0xabcd), beacon: makeBeacon({ assoc_permit: true }) }),
  },
  {
    name: 'beacon, short source, GTS descriptors, pending addresses and payload',
    frame: buildBeaconFrame({
      seq: 0x13,
      source: short(0x0001),
      beacon: makeBeacon({
        beacon_order: 6,
        superframe_order: 4,
        final_cap_slot: 10,
        battery_life_ext: true,
        gts_permit: true,
        gts_directions: 0x02,
        gts_list: [
          { short_addr: 0x0042, starting_slot: 11, length: 2 },
          { short_addr: 0x0043, starting_slot: 13, length: 3 },
        ],
        pend_short_addrs: [0x0007],
        pend_ext_addrs: [0x0102030405060708n],
        payload: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
      }),
    }),
  },
  {
    name: 'beacon, BO 14 SO 0, not a PAN coordinator, seven pending addresses',
    frame: buildBeaconFrame({
      seq: 0xff,
      source: short(0x0002),
      frame_pending: true,
      beacon: makeBeacon({
        beacon_order: 14,
        superframe_order: 0,
        final_cap_slot: 0,
        pan_coordinator: false,
        pend_short_addrs: [0x0010, 0x0011, 0x0012, 0x0013],
        pend_ext_addrs: [1n, 2n, 0xfedcba9876543210n],
      }),
    }),
  },
  {
    name: 'beacon, frame version 2006, seven GTS descriptors',
    frame: (() => {
      const f = buildBeaconFrame({
        seq: 0x20,
        source: ext(COORD),
        beacon: makeBeacon({
          beacon_order: 8,
          superframe_order: 8,
          final_cap_slot: 8,
          gts_permit: true,
          gts_directions: 0x55,
          gts_list: Array.from({ length: 7 }, (_, i) => ({ short_addr: 0x100 + i, starting_slot: 9 + i, length: 1 })),
        }),
      });
      f.hdr.fc.version = 1;
      return f;
    })(),
  },
  { name: 'beacon request, as mac802154_scan_prepare_beacon_req builds it', frame: buildBeaconRequestFrame(0x55) },
  { name: 'imm-ack', frame: buildAckFrame(0x56) },
  { name: 'imm-ack with frame pending', frame: buildAckFrame(0x57, true) },
  {
    name: 'data 2003, short to extended, PAN ID compression, ack request',
    frame: buildDataFrame({ seq: 1, ack_request: true, dest: short(0x0002), source: ext(DEV), payload: Uint8Array.of(1, 2, 3) }),
  },
  {
    name: 'data 2006, extended to extended across PANs',
    frame: buildDataFrame({ version: 1, seq: 2, dest: ext(COORD, 0x1111), source: ext(DEV, 0x2222), payload: Uint8Array.of(4) }),
  },
  { name: 'data 2003, destination only', frame: buildDataFrame({ seq: 3, dest: short(0xffff, 0xffff), payload: Uint8Array.of(5, 6) }) },
  { name: 'data 2003, source only', frame: buildDataFrame({ seq: 4, source: short(0x0009), payload: Uint8Array.of(7) }) },
  {
    name: 'data 2015, sequence number suppressed, short/short compressed',
    frame: buildDataFrame({ version: 2, dest: short(0x0002), source: short(0x0003), payload: Uint8Array.of(8) }),
  },
  {
    name: 'data 2015, extended/extended compressed (no PAN ID)',
    frame: (() => {
      const f = buildDataFrame({ version: 2, seq: 5, dest: ext(COORD), source: ext(DEV), payload: Uint8Array.of(9) });
      f.hdr.fc.intra_pan = true;
      delete f.hdr.dest.pan_id;
      return f;
    })(),
  },
  {
    name: 'data 2015, extended/extended with the destination PAN ID',
    frame: buildDataFrame({ version: 2, seq: 6, dest: ext(COORD), source: ext(DEV), payload: Uint8Array.of(10) }),
  },
  {
    name: 'data 2015, no addresses, PAN ID compression carries the destination PAN ID',
    frame: (() => {
      const f = buildDataFrame({ version: 2, seq: 7, payload: Uint8Array.of(11) });
      f.hdr.fc.intra_pan = true;
      f.hdr.dest = { mode: IEEE802154_ADDR_NONE, pan_id: 0x4321 };
      return f;
    })(),
  },
  {
    name: 'data 2015, destination only, compressed (no PAN ID)',
    frame: (() => {
      const f = buildDataFrame({ version: 2, seq: 8, dest: short(0x0004), payload: Uint8Array.of(12) });
      f.hdr.fc.intra_pan = true;
      delete f.hdr.dest.pan_id;
      return f;
    })(),
  },
  { name: 'data 2015, source only with its PAN ID', frame: buildDataFrame({ version: 2, seq: 9, source: ext(DEV), payload: Uint8Array.of(13) }) },
  {
    name: 'data 2015, header IEs ending in HT2, then payload',
    frame: {
      hdr: makeHeader({ type: 1, version: 2, seq: 10, dest: short(2), source: short(3), ie_present: true }),
      header_ies: [
        { element_id: 0x1a, content: Uint8Array.of(0x10, 0x00, 0x20, 0x00) },
        { element_id: 0x7f, content: new Uint8Array() },
      ],
      body: { kind: 'raw', payload: Uint8Array.of(0xaa) },
    },
  },
  {
    name: 'data 2015, HT1, vendor payload IE, payload termination, then payload',
    frame: {
      hdr: makeHeader({ type: 1, version: 2, seq: 11, dest: short(2), source: short(3), ie_present: true }),
      header_ies: [{ element_id: 0x7e, content: new Uint8Array() }],
      payload_ies: [
        { group_id: 0x2, content: Uint8Array.of(0x00, 0x12, 0x4b, 0x01) },
        { group_id: 0xf, content: new Uint8Array() },
      ],
      body: { kind: 'raw', payload: Uint8Array.of(0xbb) },
    },
  },
  {
    name: 'enhanced beacon 2015, HT1 and an MLME payload IE (TSCH synchronization)',
    frame: {
      hdr: makeHeader({ type: 0, version: 2, seq: 12, source: short(3), ie_present: true }),
      header_ies: [{ element_id: 0x7e, content: new Uint8Array() }],
      payload_ies: [{ group_id: 0x1, content: Uint8Array.of(0x06, 0x1a, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00) }],
      body: { kind: 'raw', payload: new Uint8Array() },
    },
  },
  {
    name: 'association request',
    frame: cmd(
      0x30,
      short(0x0000),
      ext(DEV, 0xffff),
      {
        kind: 'association_req',
        capability: { reserved1: false, device_type: true, power_source: false, rx_on_when_idle: true, assoc_type: false, reserved2: false, security_cap: false, alloc_addr: true },
      },
      true,
    ),
  },
  { name: 'association response', frame: cmd(0x31, ext(DEV), ext(COORD), { kind: 'association_resp', short_addr: 0x0005, status: 0x01 }, true) },
  { name: 'disassociation notification', frame: cmd(0x32, ext(COORD), ext(DEV), { kind: 'disassociation_notify', reason: 0x02 }, true) },
  { name: 'data request', frame: cmd(0x33, short(0x0000), short(0x0005), { kind: 'data_req' }, true) },
  { name: 'PAN ID conflict notification', frame: cmd(0x34, ext(COORD), ext(DEV), { kind: 'panid_conflict_notify' }, true) },
  { name: 'orphan notification', frame: cmd(0x35, short(0xffff, 0xffff), ext(DEV, 0xffff), { kind: 'orphan_notify' }) },
  {
    name: 'coordinator realignment with channel page',
    frame: (() => {
      const f = cmd(0x36, ext(DEV, 0xffff), ext(COORD), { kind: 'coord_realign_notify', pan_id: PAN, coord_short_addr: 0x0000, channel: 15, short_addr: 0x0007, channel_page: 0 });
      f.hdr.fc.version = 1;
      return f;
    })(),
  },
  {
    name: 'coordinator realignment without channel page',
    frame: cmd(0x37, short(0xffff, 0xffff), ext(COORD), { kind: 'coord_realign_notify', pan_id: PAN, coord_short_addr: 0x0000, channel: 26, short_addr: 0xffff }),
  },
  {
    name: 'GTS request',
    frame: cmd(0x38, none, short(0x0005), { kind: 'gts_req', characteristics: { length: 2, direction: 1, characteristics_type: 1, reserved: 0 } }, true),
  },
  {
    name: 'secured data 2006, ENC-MIC-32, key index mode',
    frame: secured(buildDataFrame({ version: 1, seq: 20, dest: short(2), source: short(3), payload: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }), {
      level: 5,
      key_id_mode: 1,
      frame_counter_suppression: false,
      asn_in_nonce: false,
      reserved: 0,
      frame_counter: 0x01020304,
      key_id: 7,
    }),
  },
  {
    name: 'secured data 2006, ENC-MIC-64, 4-octet key source',
    frame: secured(buildDataFrame({ version: 1, seq: 21, dest: short(2), source: short(3), payload: new Uint8Array(10).fill(0x5a) }), {
      level: 6,
      key_id_mode: 2,
      frame_counter_suppression: false,
      asn_in_nonce: false,
      reserved: 0,
      frame_counter: 5,
      short_src: 0xa1b2c3d4,
      key_id: 1,
    }),
  },
  {
    name: 'secured data 2006, MIC-128, 8-octet key source',
    frame: secured(buildDataFrame({ version: 1, seq: 22, dest: short(2), source: ext(DEV), payload: new Uint8Array(18).fill(0x33) }), {
      level: 3,
      key_id_mode: 3,
      frame_counter_suppression: false,
      asn_in_nonce: false,
      reserved: 0,
      frame_counter: 0xfffffffe,
      extended_src: 0xaabbccddeeff0011n,
      key_id: 0xff,
    }),
  },
  {
    name: 'beacon with a corrupted FCS',
    frame: buildBeaconFrame({ seq: 0x40, source: ext(COORD, 0xabcd), beacon: makeBeacon({ assoc_permit: true }) }),
    corruptFcs: true,
  },
];

/** The PSDU of a case: emitted by the codec, its FCS flipped when asked. */
export function caseBytes(c: OracleCase): Uint8Array {
  const r = emit(c.frame);
  if (!r.ok) throw new Error(`${c.name}: ${r.error.kind}: ${r.error.message}`);
  const b = r.value;
  if (c.corruptFcs) b[b.length - 1]! ^= 0xff;
  return b;
}
