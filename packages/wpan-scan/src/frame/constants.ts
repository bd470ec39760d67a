// IEEE 802.15.4 MAC frame constants under the kernel's names:
// include/linux/ieee802154.h (IEEE802154_FC_TYPE_*, IEEE802154_CMD_*, lengths),
// include/net/ieee802154_netdev.h (enum ieee802154_frame_version,
// enum ieee802154_addressing_mode, enum ieee802154_association_status),
// include/net/af_ieee802154.h (IEEE802154_ADDR_NONE/SHORT/LONG); bit layouts
// of IEEE Std 802.15.4-2006 7.2 and 802.15.4-2015 7.2 (frame control),
// 7.2.2.1 (superframe specification), 7.3 (MAC commands), and 2015 7.4 (IEs).
// Seed 000 (net: mac802154: Handle passive scanning) reads beacons with them.

/** A bit field of a little-endian word: `width` bits from bit `shift`. */
export interface BitField {
  readonly shift: number;
  readonly width: number;
}

export function getBits(word: number, f: BitField): number {
  return (word >>> f.shift) & ((1 << f.width) - 1);
}

export function setBits(word: number, f: BitField, value: number): number {
  const mask = ((1 << f.width) - 1) << f.shift;
  return ((word & ~mask) | ((value << f.shift) & mask)) >>> 0;
}

/** Largest PSDU (MHR + payload + FCS), aMaxPHYPacketSize. */
export const IEEE802154_MTU = 127;
export const IEEE802154_ACK_PSDU_LEN = 5;
export const IEEE802154_MIN_PSDU_LEN = 9;
export const IEEE802154_FCS_LEN = 2;
export const IEEE802154_EXTENDED_ADDR_LEN = 8;
export const IEEE802154_SHORT_ADDR_LEN = 2;
export const IEEE802154_PAN_ID_BROADCAST = 0xffff;
export const IEEE802154_ADDR_SHORT_BROADCAST = 0xffff;
export const IEEE802154_ADDR_SHORT_UNSPEC = 0xfffe;

/** Frame types (3 bits). 4 is reserved; 5-7 are 2015's multipurpose, fragment (Frak) and extended. */
export const IEEE802154_FC_TYPE_BEACON = 0x0;
export const IEEE802154_FC_TYPE_DATA = 0x1;
export const IEEE802154_FC_TYPE_ACK = 0x2;
export const IEEE802154_FC_TYPE_MAC_CMD = 0x3;
export const IEEE802154_FC_TYPE_RESERVED = 0x4;
export const IEEE802154_FC_TYPE_MULTIPURPOSE = 0x5;
export const IEEE802154_FC_TYPE_FRAK = 0x6;
export const IEEE802154_FC_TYPE_EXTENDED = 0x7;

/** enum ieee802154_frame_version */
export const IEEE802154_2003_STD = 0;
export const IEEE802154_2006_STD = 1;
export const IEEE802154_STD = 2;
export const IEEE802154_RESERVED_STD = 3;

/** Address modes (struct ieee802154_addr.mode; enum ieee802154_addressing_mode). Mode 1 is reserved. */
export const IEEE802154_ADDR_NONE = 0x0;
export const IEEE802154_ADDR_RESERVED = 0x1;
export const IEEE802154_ADDR_SHORT = 0x2;
export const IEEE802154_ADDR_LONG = 0x3;

/** Frame control field layout (2015 7.2.2; bits 7-9 are the kernel's `reserved:3`). */
export const IEEE802154_FC = {
  type: { shift: 0, width: 3 },
  security_enabled: { shift: 3, width: 1 },
  frame_pending: { shift: 4, width: 1 },
  ack_request: { shift: 5, width: 1 },
  intra_pan: { shift: 6, width: 1 },
  reserved: { shift: 7, width: 1 },
  seq_num_suppression: { shift: 8, width: 1 },
  ie_present: { shift: 9, width: 1 },
  dest_addr_mode: { shift: 10, width: 2 },
  version: { shift: 12, width: 2 },
  source_addr_mode: { shift: 14, width: 2 },
} as const satisfies Record<string, BitField>;

/** Fixed offsets of the MHR start: frame control, sequence number, then the addressing fields. */
export const IEEE802154_MHR = {
  FRAME_CONTROL: 0,
  SEQUENCE_NUMBER: 2,
  /** Addressing fields start here, or at SEQUENCE_NUMBER when the sequence number is suppressed (2015). */
  ADDRESSING: 3,
} as const;

/** Security control field (2006 7.6.2.2; bits 5-6 are 2015's frame counter suppression and ASN in nonce). */
export const IEEE802154_SCF = {
  level: { shift: 0, width: 3 },
  key_id_mode: { shift: 3, width: 2 },
  frame_counter_suppression: { shift: 5, width: 1 },
  asn_in_nonce: { shift: 6, width: 1 },
  reserved: { shift: 7, width: 1 },
} as const satisfies Record<string, BitField>;

export const IEEE802154_SCF_KEY_IMPLICIT = 0;
export const IEEE802154_SCF_KEY_INDEX = 1;
export const IEEE802154_SCF_KEY_SHORT_INDEX = 2;
export const IEEE802154_SCF_KEY_HW_INDEX = 3;

export const IEEE802154_SCF_SECLEVEL_NONE = 0;
export const IEEE802154_SCF_SECLEVEL_MIC32 = 1;
export const IEEE802154_SCF_SECLEVEL_MIC64 = 2;
export const IEEE802154_SCF_SECLEVEL_MIC128 = 3;
export const IEEE802154_SCF_SECLEVEL_ENC = 4;
export const IEEE802154_SCF_SECLEVEL_ENC_MIC32 = 5;
export const IEEE802154_SCF_SECLEVEL_ENC_MIC64 = 6;
export const IEEE802154_SCF_SECLEVEL_ENC_MIC128 = 7;

/** Superframe specification (2006 7.2.2.1.2, Figure 47; the u16 of struct ieee802154_beacon_hdr). */
export const IEEE802154_SUPERFRAME_SPEC = {
  beacon_order: { shift: 0, width: 4 },
  superframe_order: { shift: 4, width: 4 },
  final_cap_slot: { shift: 8, width: 4 },
  battery_life_ext: { shift: 12, width: 1 },
  reserved0: { shift: 13, width: 1 },
  pan_coordinator: { shift: 14, width: 1 },
  assoc_permit: { shift: 15, width: 1 },
} as const satisfies Record<string, BitField>;

/** GTS specification octet (7.2.2.1.3). */
export const IEEE802154_GTS_SPEC = {
  gts_count: { shift: 0, width: 3 },
  gts_reserved: { shift: 3, width: 4 },
  gts_permit: { shift: 7, width: 1 },
} as const satisfies Record<string, BitField>;

/** GTS descriptor's third octet (7.2.2.1.5): starting slot and length. */
export const IEEE802154_GTS_DESC = {
  starting_slot: { shift: 0, width: 4 },
  length: { shift: 4, width: 4 },
} as const satisfies Record<string, BitField>;
export const IEEE802154_GTS_DESC_LEN = 3;

/** Pending address specification octet (7.2.2.1.6). */
export const IEEE802154_PEND_ADDR_SPEC = {
  pend_short_addr_count: { shift: 0, width: 3 },
  reserved1: { shift: 3, width: 1 },
  pend_ext_addr_count: { shift: 4, width: 3 },
  reserved2: { shift: 7, width: 1 },
} as const satisfies Record<string, BitField>;

/** At most seven addresses may be pending in a beacon (7.2.2.1.6). */
export const IEEE802154_MAX_PEND_ADDRS = 7;

/** Offsets of the fixed start of a (2003/2006) beacon payload. */
export const IEEE802154_BEACON = {
  SUPERFRAME_SPEC: 0,
  GTS_SPEC: 2,
  /** GTS directions (1 octet) and list (3 octets each) follow when gts_count > 0, then the pending address spec. */
  GTS_DIRECTIONS: 3,
} as const;

/** MAC command identifiers (include/linux/ieee802154.h). */
export const IEEE802154_CMD_ASSOCIATION_REQ = 0x01;
export const IEEE802154_CMD_ASSOCIATION_RESP = 0x02;
export const IEEE802154_CMD_DISASSOCIATION_NOTIFY = 0x03;
export const IEEE802154_CMD_DATA_REQ = 0x04;
export const IEEE802154_CMD_PANID_CONFLICT_NOTIFY = 0x05;
export const IEEE802154_CMD_ORPHAN_NOTIFY = 0x06;
export const IEEE802154_CMD_BEACON_REQ = 0x07;
export const IEEE802154_CMD_COORD_REALIGN_NOTIFY = 0x08;
export const IEEE802154_CMD_GTS_REQ = 0x09;

/** Capability information octet of an association request (struct ieee802154_assoc_req_pl, 2006 7.3.1.2). */
export const IEEE802154_ASSOC_REQ_CAP = {
  reserved1: { shift: 0, width: 1 },
  device_type: { shift: 1, width: 1 },
  power_source: { shift: 2, width: 1 },
  rx_on_when_idle: { shift: 3, width: 1 },
  assoc_type: { shift: 4, width: 1 },
  reserved2: { shift: 5, width: 1 },
  security_cap: { shift: 6, width: 1 },
  alloc_addr: { shift: 7, width: 1 },
} as const satisfies Record<string, BitField>;

/** GTS characteristics octet of a GTS request (2006 7.3.9.2). */
export const IEEE802154_GTS_CHARACTERISTICS = {
  length: { shift: 0, width: 4 },
  direction: { shift: 4, width: 1 },
  characteristics_type: { shift: 5, width: 1 },
  reserved: { shift: 6, width: 2 },
} as const satisfies Record<string, BitField>;

/** enum ieee802154_association_status */
export const IEEE802154_ASSOCIATION_SUCCESSFUL = 0x00;
export const IEEE802154_PAN_AT_CAPACITY = 0x01;
export const IEEE802154_PAN_ACCESS_DENIED = 0x02;
export const IEEE802154_HOPPING_SEQUENCE_OFFSET_DUP = 0x03;
export const IEEE802154_FAST_ASSOCIATION_SUCCESSFUL = 0x80;

/** enum ieee802154_disassociation_reason */
export const IEEE802154_COORD_WISHES_DEVICE_TO_LEAVE = 0x1;
export const IEEE802154_DEVICE_WISHES_TO_LEAVE = 0x2;

/** Information elements (2015 7.4): descriptor layouts and terminators. */
export const IEEE802154_HEADER_IE = {
  length: { shift: 0, width: 7 },
  element_id: { shift: 7, width: 8 },
  type: { shift: 15, width: 1 },
} as const satisfies Record<string, BitField>;
export const IEEE802154_PAYLOAD_IE = {
  length: { shift: 0, width: 11 },
  group_id: { shift: 11, width: 4 },
  type: { shift: 15, width: 1 },
} as const satisfies Record<string, BitField>;
/** Header Termination 1: payload IEs follow. */
export const IEEE802154_IE_HT1 = 0x7e;
/** Header Termination 2: the payload follows, without payload IEs. */
export const IEEE802154_IE_HT2 = 0x7f;
/** Payload Termination group ID. */
export const IEEE802154_IE_PT = 0xf;
