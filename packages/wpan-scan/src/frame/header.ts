// The MAC header (MHR): frame control, sequence number, addressing fields and
// auxiliary security header. IEEE Std 802.15.4-2006 7.2.1 (PAN ID compression
// 7.2.1.1.5, auxiliary security header 7.6.2), 802.15.4-2015 7.2.2 (sequence
// number suppression, IE present) and 7.2.2.6 Table 7-2 (PAN ID compression of
// frame version 2). Kernel: net/ieee802154/header_ops.c (ieee802154_hdr_push,
// ieee802154_hdr_pull), include/net/ieee802154_netdev.h (struct ieee802154_hdr,
// struct ieee802154_hdr_fc, struct ieee802154_sechdr). Seed 000 pulls beacons
// through this header before mac802154_process_beacon().
import { type ByteReader, checkBool, checkU64, checkUint, type ByteSink } from './bytes';
import {
  IEEE802154_2006_STD,
  IEEE802154_ADDR_LONG,
  IEEE802154_ADDR_NONE,
  IEEE802154_ADDR_RESERVED,
  IEEE802154_ADDR_SHORT,
  IEEE802154_FC,
  IEEE802154_FC_TYPE_RESERVED,
  IEEE802154_RESERVED_STD,
  IEEE802154_SCF,
  IEEE802154_SCF_KEY_HW_INDEX,
  IEEE802154_SCF_KEY_IMPLICIT,
  IEEE802154_SCF_KEY_SHORT_INDEX,
  IEEE802154_SCF_SECLEVEL_ENC_MIC128,
  IEEE802154_SCF_SECLEVEL_ENC_MIC32,
  IEEE802154_SCF_SECLEVEL_ENC_MIC64,
  IEEE802154_SCF_SECLEVEL_MIC128,
  IEEE802154_SCF_SECLEVEL_MIC32,
  IEEE802154_SCF_SECLEVEL_MIC64,
  IEEE802154_STD,
  getBits,
  setBits,
} from './constants';
import { fail } from './errors';

/**
 * struct ieee802154_hdr_fc: the frame control field, every bit kept as a value
 * so that any frame round-trips. `intra_pan` is the PAN ID Compression bit
 * (the kernel's name); `reserved`, `seq_num_suppression` and `ie_present` are
 * bits 7, 8 and 9 (the kernel's `reserved:3`; 8 and 9 mean something only in
 * frame version 2, IEEE802154_STD).
 */
export interface ieee802154_hdr_fc {
  /** IEEE802154_FC_TYPE_*: 0 beacon, 1 data, 2 ack, 3 MAC command; 4 reserved; 5-7 multipurpose, Frak, extended (2015). */
  type: number;
  security_enabled: boolean;
  frame_pending: boolean;
  ack_request: boolean;
  intra_pan: boolean;
  reserved: number;
  seq_num_suppression: boolean;
  ie_present: boolean;
  /** IEEE802154_ADDR_NONE / _SHORT / _LONG (1 is reserved). */
  dest_addr_mode: number;
  /** IEEE802154_2003_STD, _2006_STD, IEEE802154_STD (2015); 3 is reserved. */
  version: number;
  source_addr_mode: number;
}

/**
 * struct ieee802154_addr as the frame carries it: `pan_id` is present exactly
 * when the PAN ID field is on air (the compression rules decide).
 * Extended addresses are bigints: the 8 octets on air (least significant first)
 * read as a little-endian u64, the kernel's `le64_to_cpu(extended_addr)`;
 * Wireshark and iwpan print them most significant octet first.
 */
export type ieee802154_addr =
  | { mode: typeof IEEE802154_ADDR_NONE; pan_id?: number }
  | { mode: typeof IEEE802154_ADDR_SHORT; pan_id?: number; short_addr: number }
  | { mode: typeof IEEE802154_ADDR_LONG; pan_id?: number; extended_addr: bigint };

/**
 * struct ieee802154_sechdr: the auxiliary security header (2006 7.6.2;
 * 2015 adds frame counter suppression and ASN in nonce). `key_id` is present
 * when key_id_mode != 0; `short_src` (4 octets) when key_id_mode is 2;
 * `extended_src` (8 octets) when it is 3.
 */
export interface ieee802154_sechdr {
  level: number;
  key_id_mode: number;
  frame_counter_suppression: boolean;
  asn_in_nonce: boolean;
  reserved: number;
  /** Absent when frame_counter_suppression is set (frame version 2 only). */
  frame_counter?: number;
  short_src?: number;
  extended_src?: bigint;
  key_id?: number;
}

/** struct ieee802154_hdr: the MHR before any information elements. */
export interface ieee802154_hdr {
  fc: ieee802154_hdr_fc;
  /** Absent when the 2015 sequence number suppression bit removes it, and for frame types 4-7. */
  seq?: number;
  dest: ieee802154_addr;
  source: ieee802154_addr;
  /** Present when security is enabled in frame version 1 or 2 (version 0 carries no auxiliary header). */
  sec?: ieee802154_sechdr;
}

/** Which PAN ID fields are on air. */
export interface PanIdPresence {
  dest: boolean;
  source: boolean;
}

/** Frame types whose layout after the frame control field k does not decode (reserved, multipurpose, Frak, extended). */
export function isOpaqueFrameType(type: number): boolean {
  return type >= IEEE802154_FC_TYPE_RESERVED;
}

/** The frame control field as a u16 (little-endian on air). */
export function encodeFc(fc: ieee802154_hdr_fc): number {
  let w = 0;
  w = setBits(w, IEEE802154_FC.type, fc.type);
  w = setBits(w, IEEE802154_FC.security_enabled, +fc.security_enabled);
  w = setBits(w, IEEE802154_FC.frame_pending, +fc.frame_pending);
  w = setBits(w, IEEE802154_FC.ack_request, +fc.ack_request);
  w = setBits(w, IEEE802154_FC.intra_pan, +fc.intra_pan);
  w = setBits(w, IEEE802154_FC.reserved, fc.reserved);
  w = setBits(w, IEEE802154_FC.seq_num_suppression, +fc.seq_num_suppression);
  w = setBits(w, IEEE802154_FC.ie_present, +fc.ie_present);
  w = setBits(w, IEEE802154_FC.dest_addr_mode, fc.dest_addr_mode);
  w = setBits(w, IEEE802154_FC.version, fc.version);
  w = setBits(w, IEEE802154_FC.source_addr_mode, fc.source_addr_mode);
  return w;
}

/** Decodes a u16 frame control value. */
export function decodeFc(w: number): ieee802154_hdr_fc {
  return {
    type: getBits(w, IEEE802154_FC.type),
    security_enabled: getBits(w, IEEE802154_FC.security_enabled) === 1,
    frame_pending: getBits(w, IEEE802154_FC.frame_pending) === 1,
    ack_request: getBits(w, IEEE802154_FC.ack_request) === 1,
    intra_pan: getBits(w, IEEE802154_FC.intra_pan) === 1,
    reserved: getBits(w, IEEE802154_FC.reserved),
    seq_num_suppression: getBits(w, IEEE802154_FC.seq_num_suppression) === 1,
    ie_present: getBits(w, IEEE802154_FC.ie_present) === 1,
    dest_addr_mode: getBits(w, IEEE802154_FC.dest_addr_mode),
    version: getBits(w, IEEE802154_FC.version),
    source_addr_mode: getBits(w, IEEE802154_FC.source_addr_mode),
  };
}

/** True when the sequence number field is absent (2015 suppression; opaque frame types). */
export function seqSuppressed(fc: ieee802154_hdr_fc): boolean {
  return isOpaqueFrameType(fc.type) || (fc.version === IEEE802154_STD && fc.seq_num_suppression);
}

/**
 * Which PAN ID fields a frame carries, by the rules of its frame version:
 * 2003/2006 (7.2.1.1.5): the destination PAN ID with a destination address;
 * the source PAN ID with a source address unless PAN ID compression is set,
 * which is allowed only when both addresses are present. 2015 (Table 7-2):
 * the table by address presence, extended/extended and compression.
 * Fails on reserved frame versions and addressing modes.
 */
export function panIdPresence(fc: ieee802154_hdr_fc): PanIdPresence {
  if (fc.version === IEEE802154_RESERVED_STD) {
    fail('reserved-frame-version', 'frame version 3 is reserved', { field: 'version', offset: 1, actual: fc.version });
  }
  if (fc.dest_addr_mode === IEEE802154_ADDR_RESERVED) {
    fail('reserved-addressing-mode', 'destination addressing mode 1 is reserved', { field: 'dest_addr_mode', offset: 1, actual: 1 });
  }
  if (fc.source_addr_mode === IEEE802154_ADDR_RESERVED) {
    fail('reserved-addressing-mode', 'source addressing mode 1 is reserved', { field: 'source_addr_mode', offset: 1, actual: 1 });
  }
  const dst = fc.dest_addr_mode !== IEEE802154_ADDR_NONE;
  const src = fc.source_addr_mode !== IEEE802154_ADDR_NONE;
  const comp = fc.intra_pan;
  if (fc.version !== IEEE802154_STD) {
    if (comp && !(dst && src)) {
      fail('pan-id-compression-without-both-addresses', 'PAN ID compression is set but the frame does not carry both a destination and a source address (2006 7.2.1.1.5)', {
        field: 'intra_pan',
        offset: 0,
      });
    }
    return { dest: dst, source: src && !comp };
  }
  // 802.15.4-2015 Table 7-2.
  if (!dst && !src) return { dest: comp, source: false };
  if (dst && !src) return { dest: !comp, source: false };
  if (!dst && src) return { dest: false, source: !comp };
  if (fc.dest_addr_mode === IEEE802154_ADDR_LONG && fc.source_addr_mode === IEEE802154_ADDR_LONG) {
    return { dest: !comp, source: false };
  }
  return { dest: true, source: !comp };
}

/** ieee802154_sechdr_authtag_len(): the MIC length of a security level (0, 4, 8 or 16 octets). */
export function ieee802154_sechdr_authtag_len(sec: Pick<ieee802154_sechdr, 'level'>): number {
  switch (sec.level) {
    case IEEE802154_SCF_SECLEVEL_MIC32:
    case IEEE802154_SCF_SECLEVEL_ENC_MIC32:
      return 4;
    case IEEE802154_SCF_SECLEVEL_MIC64:
    case IEEE802154_SCF_SECLEVEL_ENC_MIC64:
      return 8;
    case IEEE802154_SCF_SECLEVEL_MIC128:
    case IEEE802154_SCF_SECLEVEL_ENC_MIC128:
      return 16;
    default:
      return 0;
  }
}

function readAddr(r: ByteReader, mode: number, withPan: boolean, which: 'dest' | 'source'): ieee802154_addr {
  const pan_id = withPan ? r.u16(`${which} PAN ID`) : undefined;
  const panPart = pan_id === undefined ? {} : { pan_id };
  if (mode === IEEE802154_ADDR_SHORT) return { mode, ...panPart, short_addr: r.u16(`${which} short address`) };
  if (mode === IEEE802154_ADDR_LONG) return { mode, ...panPart, extended_addr: r.u64(`${which} extended address`) };
  return { mode: IEEE802154_ADDR_NONE, ...panPart };
}

function readSechdr(r: ByteReader, version: number): ieee802154_sechdr {
  const scf = r.u8('security control');
  const sec: ieee802154_sechdr = {
    level: getBits(scf, IEEE802154_SCF.level),
    key_id_mode: getBits(scf, IEEE802154_SCF.key_id_mode),
    frame_counter_suppression: getBits(scf, IEEE802154_SCF.frame_counter_suppression) === 1,
    asn_in_nonce: getBits(scf, IEEE802154_SCF.asn_in_nonce) === 1,
    reserved: getBits(scf, IEEE802154_SCF.reserved),
  };
  // Bits 5 and 6 mean something only in frame version 2; before, they are reserved and kept as read.
  if (!(version === IEEE802154_STD && sec.frame_counter_suppression)) sec.frame_counter = r.u32('frame counter');
  if (sec.key_id_mode === IEEE802154_SCF_KEY_SHORT_INDEX) sec.short_src = r.u32('key source');
  if (sec.key_id_mode === IEEE802154_SCF_KEY_HW_INDEX) sec.extended_src = r.u64('key source');
  if (sec.key_id_mode !== IEEE802154_SCF_KEY_IMPLICIT) sec.key_id = r.u8('key index');
  return sec;
}

/**
 * Pulls the MHR (up to the end of the auxiliary security header) from `r`,
 * as ieee802154_hdr_pull() does, but by the rules of each frame version.
 * @internal
 */
export function readHeader(r: ByteReader): ieee802154_hdr {
  const fc = decodeFc(r.u16('frame control'));
  const none = { mode: IEEE802154_ADDR_NONE } as const;
  if (isOpaqueFrameType(fc.type)) return { fc, dest: none, source: none };
  const pans = panIdPresence(fc);
  const hdr: ieee802154_hdr = { fc, dest: none, source: none };
  if (!seqSuppressed(fc)) hdr.seq = r.u8('sequence number');
  hdr.dest = readAddr(r, fc.dest_addr_mode, pans.dest, 'dest');
  hdr.source = readAddr(r, fc.source_addr_mode, pans.source, 'source');
  if (fc.security_enabled && fc.version >= IEEE802154_2006_STD) hdr.sec = readSechdr(r, fc.version);
  return hdr;
}

function checkAddr(which: 'dest' | 'source', addr: ieee802154_addr, mode: number, withPan: boolean): void {
  if (typeof addr !== 'object' || addr === null) fail('invalid-field', `${which} must be an address object`, { field: which });
  if (addr.mode !== mode) {
    fail('address-mode-mismatch', `${which}.mode is ${String(addr.mode)} but the frame control's ${which === 'dest' ? 'dest_addr_mode' : 'source_addr_mode'} is ${mode}`, {
      field: `${which}.mode`,
    });
  }
  if (withPan !== (addr.pan_id !== undefined)) {
    fail('pan-id-presence', `${which}.pan_id is ${withPan ? 'missing although the frame carries it' : 'given although the PAN ID compression rules omit it'}`, {
      field: `${which}.pan_id`,
    });
  }
  if (addr.pan_id !== undefined) checkUint(`${which}.pan_id`, addr.pan_id, 16);
  if (addr.mode === IEEE802154_ADDR_SHORT) checkUint(`${which}.short_addr`, addr.short_addr, 16);
  if (addr.mode === IEEE802154_ADDR_LONG) checkU64(`${which}.extended_addr`, addr.extended_addr);
}

/** Validates a header for emit(). @internal */
export function checkHeader(hdr: ieee802154_hdr): void {
  if (typeof hdr !== 'object' || hdr === null) fail('invalid-field', 'hdr must be an object', { field: 'hdr' });
  const fc = hdr.fc;
  if (typeof fc !== 'object' || fc === null) fail('invalid-field', 'hdr.fc must be an object', { field: 'fc' });
  checkUint('fc.type', fc.type, 3);
  checkUint('fc.reserved', fc.reserved, 1);
  checkUint('fc.dest_addr_mode', fc.dest_addr_mode, 2);
  checkUint('fc.version', fc.version, 2);
  checkUint('fc.source_addr_mode', fc.source_addr_mode, 2);
  for (const b of ['security_enabled', 'frame_pending', 'ack_request', 'intra_pan', 'seq_num_suppression', 'ie_present'] as const) {
    checkBool(`fc.${b}`, fc[b]);
  }
  if (isOpaqueFrameType(fc.type)) {
    if (hdr.seq !== undefined || hdr.dest?.mode !== IEEE802154_ADDR_NONE || hdr.source?.mode !== IEEE802154_ADDR_NONE || hdr.sec !== undefined) {
      fail('body-mismatch', `frame type ${fc.type} is carried opaquely: no sequence number, addresses or security header may be given`, { field: 'hdr' });
    }
    return;
  }
  const pans = panIdPresence(fc);
  if (seqSuppressed(fc) !== (hdr.seq === undefined)) {
    fail('sequence-number-presence', `seq is ${hdr.seq === undefined ? 'missing although the frame carries it' : 'given although the frame suppresses it'}`, { field: 'seq' });
  }
  if (hdr.seq !== undefined) checkUint('seq', hdr.seq, 8);
  checkAddr('dest', hdr.dest, fc.dest_addr_mode, pans.dest);
  checkAddr('source', hdr.source, fc.source_addr_mode, pans.source);
  const wantSec = fc.security_enabled && fc.version >= IEEE802154_2006_STD;
  if (wantSec !== (hdr.sec !== undefined)) {
    fail('security-header-presence', `sec is ${wantSec ? 'missing although security is enabled' : 'given although the frame carries no auxiliary security header'}`, {
      field: 'sec',
    });
  }
  const sec = hdr.sec;
  if (sec) {
    checkUint('sec.level', sec.level, 3);
    checkUint('sec.key_id_mode', sec.key_id_mode, 2);
    checkBool('sec.frame_counter_suppression', sec.frame_counter_suppression);
    checkBool('sec.asn_in_nonce', sec.asn_in_nonce);
    checkUint('sec.reserved', sec.reserved, 1);
    const fcOnAir = !(fc.version === IEEE802154_STD && sec.frame_counter_suppression);
    const presence: Array<[string, boolean, unknown]> = [
      ['sec.frame_counter', fcOnAir, sec.frame_counter],
      ['sec.short_src', sec.key_id_mode === IEEE802154_SCF_KEY_SHORT_INDEX, sec.short_src],
      ['sec.extended_src', sec.key_id_mode === IEEE802154_SCF_KEY_HW_INDEX, sec.extended_src],
      ['sec.key_id', sec.key_id_mode !== IEEE802154_SCF_KEY_IMPLICIT, sec.key_id],
    ];
    for (const [field, want, v] of presence) {
      if (want !== (v !== undefined)) {
        fail('security-header-presence', `${field} is ${want ? 'missing although the security control announces it' : 'given although the security control omits it'}`, { field });
      }
    }
    if (sec.frame_counter !== undefined) checkUint('sec.frame_counter', sec.frame_counter, 32);
    if (sec.short_src !== undefined) checkUint('sec.short_src', sec.short_src, 32);
    if (sec.extended_src !== undefined) checkU64('sec.extended_src', sec.extended_src);
    if (sec.key_id !== undefined) checkUint('sec.key_id', sec.key_id, 8);
  }
}

function writeAddr(w: ByteSink, a: ieee802154_addr): void {
  if (a.pan_id !== undefined) w.u16(a.pan_id);
  if (a.mode === IEEE802154_ADDR_SHORT) w.u16(a.short_addr);
  else if (a.mode === IEEE802154_ADDR_LONG) w.u64(a.extended_addr);
}

/** Pushes a (checked) header, as ieee802154_hdr_push() does, with the fields exactly as given. @internal */
export function writeHeader(w: ByteSink, hdr: ieee802154_hdr): void {
  w.u16(encodeFc(hdr.fc));
  if (hdr.seq !== undefined) w.u8(hdr.seq);
  writeAddr(w, hdr.dest);
  writeAddr(w, hdr.source);
  const sec = hdr.sec;
  if (sec) {
    let scf = 0;
    scf = setBits(scf, IEEE802154_SCF.level, sec.level);
    scf = setBits(scf, IEEE802154_SCF.key_id_mode, sec.key_id_mode);
    scf = setBits(scf, IEEE802154_SCF.frame_counter_suppression, +sec.frame_counter_suppression);
    scf = setBits(scf, IEEE802154_SCF.asn_in_nonce, +sec.asn_in_nonce);
    scf = setBits(scf, IEEE802154_SCF.reserved, sec.reserved);
    w.u8(scf);
    if (sec.frame_counter !== undefined) w.u32(sec.frame_counter);
    if (sec.short_src !== undefined) w.u32(sec.short_src);
    if (sec.extended_src !== undefined) w.u64(sec.extended_src);
    if (sec.key_id !== undefined) w.u8(sec.key_id);
  }
}

/**
 * The PAN IDs a receiver attributes to each address after decompression:
 * a PAN ID omitted by compression is the other address's (the kernel's
 * `hdr->source.pan_id = hdr->dest.pan_id` in ieee802154_hdr_get_addrs());
 * undefined where the frame carries none (2015 frames may omit both: the
 * receiver's macPANId applies).
 */
export function effectivePanIds(hdr: ieee802154_hdr): { dest?: number; source?: number } {
  const d = hdr.dest.mode === IEEE802154_ADDR_NONE ? undefined : (hdr.dest.pan_id ?? hdr.source.pan_id);
  const s = hdr.source.mode === IEEE802154_ADDR_NONE ? undefined : (hdr.source.pan_id ?? hdr.dest.pan_id);
  return { dest: d, source: s };
}

/** An extended address as Wireshark and iwpan print it: most significant octet first, colon separated. */
export function formatExtendedAddr(addr: bigint): string {
  return checkU64Public(addr)
    .toString(16)
    .padStart(16, '0')
    .match(/../g)!
    .join(':');
}

function checkU64Public(addr: bigint): bigint {
  if (typeof addr !== 'bigint' || addr < 0n || addr >= 1n << 64n) throw new RangeError(`extended address must be a u64 bigint (got ${String(addr)})`);
  return addr;
}

/**
 * Parses `00:11:22:33:44:55:66:77`, `0x0011223344556677` or `0011223344556677`
 * (most significant octet first) into an extended address; undefined if malformed.
 */
export function parseExtendedAddr(text: string): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim().toLowerCase();
  const hex = /^([0-9a-f]{2}:){7}[0-9a-f]{2}$/.test(t) ? t.replace(/:/g, '') : t.replace(/^0x/, '');
  return /^[0-9a-f]{16}$/.test(hex) ? BigInt(`0x${hex}`) : undefined;
}
