// Information elements of frame version 2: IEEE Std 802.15.4-2015 7.4.1
// (general format), 7.4.2 (header IEs: 7-bit length, 8-bit element ID, type 0;
// terminators HT1 0x7e and HT2 0x7f, 7.4.2.18-19), 7.4.3 (payload IEs:
// 11-bit length, 4-bit group ID, type 1; terminator group 0xf).
// The IE contents are carried raw: k does not decode individual IEs.
import { type ByteReader, checkBytes, checkUint, type ByteSink } from './bytes';
import { IEEE802154_HEADER_IE, IEEE802154_IE_HT1, IEEE802154_IE_HT2, IEEE802154_IE_PT, IEEE802154_PAYLOAD_IE, getBits, setBits } from './constants';
import { fail } from './errors';

/** A header IE. The terminators HT1 / HT2 are kept as elements of the list, so frames round-trip. */
export interface HeaderIe {
  element_id: number;
  content: Uint8Array;
}

/** A payload IE. The terminator (group 0xf) is kept as an element of the list. */
export interface PayloadIe {
  group_id: number;
  content: Uint8Array;
}

/**
 * Reads header IEs until a terminator (HT1: payload IEs follow; HT2: the
 * payload follows) or the end of the MAC payload. @internal
 */
export function readHeaderIes(r: ByteReader): { ies: HeaderIe[]; payloadIesFollow: boolean } {
  const ies: HeaderIe[] = [];
  while (r.remaining > 0) {
    const at = r.pos;
    const d = r.u16('header IE descriptor');
    if (getBits(d, IEEE802154_HEADER_IE.type) !== 0) {
      fail('ie-type-mismatch', `a payload IE descriptor (type 1) at octet ${at} sits in the header IE list`, { field: 'header IE descriptor', offset: at });
    }
    const element_id = getBits(d, IEEE802154_HEADER_IE.element_id);
    const content = r.bytes(getBits(d, IEEE802154_HEADER_IE.length), `header IE 0x${element_id.toString(16)} content`);
    ies.push({ element_id, content });
    if (element_id === IEEE802154_IE_HT1) return { ies, payloadIesFollow: true };
    if (element_id === IEEE802154_IE_HT2) return { ies, payloadIesFollow: false };
  }
  return { ies, payloadIesFollow: false };
}

/** Reads payload IEs until the payload termination IE or the end of the MAC payload. @internal */
export function readPayloadIes(r: ByteReader): PayloadIe[] {
  const ies: PayloadIe[] = [];
  while (r.remaining > 0) {
    const at = r.pos;
    const d = r.u16('payload IE descriptor');
    if (getBits(d, IEEE802154_PAYLOAD_IE.type) !== 1) {
      fail('ie-type-mismatch', `a header IE descriptor (type 0) at octet ${at} sits in the payload IE list`, { field: 'payload IE descriptor', offset: at });
    }
    const group_id = getBits(d, IEEE802154_PAYLOAD_IE.group_id);
    ies.push({ group_id, content: r.bytes(getBits(d, IEEE802154_PAYLOAD_IE.length), `payload IE group 0x${group_id.toString(16)} content`) });
    if (group_id === IEEE802154_IE_PT) break;
  }
  return ies;
}

/** Validates IE lists for emit(). @internal */
export function checkIes(header: HeaderIe[], payload: PayloadIe[] | undefined): void {
  if (!Array.isArray(header)) fail('invalid-field', 'header_ies must be an array', { field: 'header_ies' });
  header.forEach((ie, i) => {
    checkUint(`header_ies[${i}].element_id`, ie?.element_id, 8);
    checkBytes(`header_ies[${i}].content`, ie.content, 127);
    const last = i === header.length - 1;
    if (!last && (ie.element_id === IEEE802154_IE_HT1 || ie.element_id === IEEE802154_IE_HT2)) {
      fail('ie-presence', `header_ies[${i}] is a terminator but more header IEs follow it`, { field: `header_ies[${i}]` });
    }
  });
  if (payload === undefined) return;
  if (header.at(-1)?.element_id !== IEEE802154_IE_HT1) {
    fail('ie-presence', 'payload_ies are given but the header IE list does not end with HT1 (0x7e)', { field: 'payload_ies' });
  }
  if (!Array.isArray(payload)) fail('invalid-field', 'payload_ies must be an array', { field: 'payload_ies' });
  payload.forEach((ie, i) => {
    checkUint(`payload_ies[${i}].group_id`, ie?.group_id, 4);
    checkBytes(`payload_ies[${i}].content`, ie.content, 2047);
    if (ie.group_id === IEEE802154_IE_PT && i !== payload.length - 1) {
      fail('ie-presence', `payload_ies[${i}] is the payload terminator but more payload IEs follow it`, { field: `payload_ies[${i}]` });
    }
  });
}

/** Writes (checked) header IEs. @internal */
export function writeHeaderIes(w: ByteSink, ies: HeaderIe[]): void {
  for (const ie of ies) {
    let d = 0;
    d = setBits(d, IEEE802154_HEADER_IE.length, ie.content.length);
    d = setBits(d, IEEE802154_HEADER_IE.element_id, ie.element_id);
    w.u16(d);
    w.bytes(ie.content);
  }
}

/** Writes (checked) payload IEs. @internal */
export function writePayloadIes(w: ByteSink, ies: PayloadIe[]): void {
  for (const ie of ies) {
    let d = 0;
    d = setBits(d, IEEE802154_PAYLOAD_IE.length, ie.content.length);
    d = setBits(d, IEEE802154_PAYLOAD_IE.group_id, ie.group_id);
    d = setBits(d, IEEE802154_PAYLOAD_IE.type, 1);
    w.u16(d);
    w.bytes(ie.content);
  }
}
