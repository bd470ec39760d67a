// pcap reader: pcap-savefile(5), draft-ietf-opsawg-pcap sections 4 and 5.
// Both byte orders, microsecond and nanosecond magic. A malformed capture is
// returned as a typed PcapError, never thrown.
import { PcapError, type PcapResult } from './errors';
import {
  LINKTYPE_FIELD,
  NSEC_PER_SEC_BIG,
  PCAP_FILE_HEADER,
  PCAP_MAGIC_MODIFIED,
  PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC,
  PCAPNG_BLOCK_TYPE_SHB,
  PCAP_RECORD_HEADER,
  PCAP_VERSION_MAJOR,
} from './format';
import type { PcapByteOrder, PcapResolution } from './writer';

/** The file header as read. */
export interface PcapFileHeader {
  byteOrder: PcapByteOrder;
  resolution: PcapResolution;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  /** 0 means "unknown" (some writers put 0): then no record is checked against it. */
  snaplen: number;
  /** The LINKTYPE_ value (bits 0-15 of the link-type field). */
  linktype: number;
  /** FCS length in bytes when the link-type field announces one. */
  fcsBytes?: number;
  /** The raw 32-bit link-type field. */
  linktypeField: number;
}

/** One record as read. `data` is a view into the input buffer (not a copy). */
export interface PcapRecord {
  /** 0-based position in the file. */
  index: number;
  /** Byte offset of the record header in the file. */
  offset: number;
  /** Timestamp in nanoseconds (microsecond files are scaled): a bigint, as wall-clock captures exceed 2^53 ns. */
  timestampNs: bigint;
  /** Whole seconds of the timestamp. */
  seconds: number;
  /** Sub-second part in nanoseconds. */
  nanoseconds: number;
  data: Uint8Array;
  /** Length of the packet on the wire (>= data.length). */
  originalLength: number;
}

/** A whole capture. */
export interface PcapFile {
  header: PcapFileHeader;
  records: PcapRecord[];
  /** True when `allowTruncatedTail` let a cut-short last record be dropped. */
  truncatedTail: boolean;
}

/** Reading options. */
export interface PcapReadOptions {
  /**
   * Accept a file that ends in the middle of its last record (a capture that was
   * killed): the partial record is dropped and `truncatedTail` set, instead of
   * failing with 'truncated-record-header' / 'record-beyond-file'.
   */
  allowTruncatedTail?: boolean;
}

function fail<T>(e: PcapError): PcapResult<T> {
  return { ok: false, error: e };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** Reads the 24-byte file header. */
export function parsePcapHeader(bytes: Uint8Array): PcapResult<PcapFileHeader> {
  if (!(bytes instanceof Uint8Array)) {
    return fail(new PcapError('invalid-argument', 'input must be a Uint8Array', { field: 'bytes' }));
  }
  if (bytes.length < PCAP_FILE_HEADER.LENGTH) {
    return fail(
      new PcapError('truncated-file-header', `file is ${bytes.length} bytes, shorter than the ${PCAP_FILE_HEADER.LENGTH}-byte file header`, {
        offset: 0,
        value: bytes.length,
        limit: PCAP_FILE_HEADER.LENGTH,
      }),
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLE = v.getUint32(PCAP_FILE_HEADER.magic, true);
  let byteOrder: PcapByteOrder;
  let resolution: PcapResolution;
  if (magicLE === PCAP_MAGIC_USEC || magicLE === PCAP_MAGIC_NSEC) {
    byteOrder = 'le';
    resolution = magicLE === PCAP_MAGIC_NSEC ? 'ns' : 'us';
  } else if (swap32(magicLE) === PCAP_MAGIC_USEC || swap32(magicLE) === PCAP_MAGIC_NSEC) {
    byteOrder = 'be';
    resolution = swap32(magicLE) === PCAP_MAGIC_NSEC ? 'ns' : 'us';
  } else {
    let why = 'not a pcap file';
    if (magicLE === PCAPNG_BLOCK_TYPE_SHB) why = 'a pcapng file, which this reader does not read (convert with editcap -F pcap)';
    else if (magicLE === PCAP_MAGIC_MODIFIED || swap32(magicLE) === PCAP_MAGIC_MODIFIED) why = 'a "modified" (Kuznetzov) pcap file, which this reader does not read';
    return fail(new PcapError('bad-magic', `bad magic ${hex(magicLE)} (as little-endian): ${why}`, { offset: 0, field: 'magic', value: magicLE }));
  }
  const le = byteOrder === 'le';
  const versionMajor = v.getUint16(PCAP_FILE_HEADER.version_major, le);
  const versionMinor = v.getUint16(PCAP_FILE_HEADER.version_minor, le);
  if (versionMajor !== PCAP_VERSION_MAJOR) {
    return fail(
      new PcapError('unsupported-version', `version ${versionMajor}.${versionMinor}: only major version ${PCAP_VERSION_MAJOR} exists`, {
        offset: PCAP_FILE_HEADER.version_major,
        field: 'version_major',
        value: versionMajor,
      }),
    );
  }
  const linktypeField = v.getUint32(PCAP_FILE_HEADER.linktype, le);
  const header: PcapFileHeader = {
    byteOrder,
    resolution,
    versionMajor,
    versionMinor,
    thiszone: v.getInt32(PCAP_FILE_HEADER.thiszone, le),
    sigfigs: v.getUint32(PCAP_FILE_HEADER.sigfigs, le),
    snaplen: v.getUint32(PCAP_FILE_HEADER.snaplen, le),
    linktype: linktypeField & LINKTYPE_FIELD.LINKTYPE_MASK,
    linktypeField,
  };
  if (linktypeField & LINKTYPE_FIELD.FCS_PRESENT) header.fcsBytes = 2 * (linktypeField >>> LINKTYPE_FIELD.FCS_SHIFT);
  return { ok: true, value: header };
}

/**
 * Reads a whole classic pcap capture.
 *
 * @returns `{ ok: true, value: { header, records } }`, or `{ ok: false, error }`
 * with a PcapError whose `kind` names the broken rule ('truncated-file-header',
 * 'bad-magic', 'unsupported-version', 'truncated-record-header',
 * 'record-beyond-file', 'snaplen-exceeded', 'captured-exceeds-original',
 * 'bad-timestamp-fraction').
 */
export function readPcap(bytes: Uint8Array, options: PcapReadOptions = {}): PcapResult<PcapFile> {
  const h = parsePcapHeader(bytes);
  if (!h.ok) return h;
  const header = h.value;
  const le = header.byteOrder === 'le';
  const fracLimit = header.resolution === 'ns' ? 1_000_000_000 : 1_000_000;
  const fracScale = header.resolution === 'ns' ? 1 : 1000;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: PcapRecord[] = [];
  let at: number = PCAP_FILE_HEADER.LENGTH;
  let truncatedTail = false;
  while (at < bytes.length) {
    const index = records.length;
    if (bytes.length - at < PCAP_RECORD_HEADER.LENGTH) {
      if (options?.allowTruncatedTail) {
        truncatedTail = true;
        break;
      }
      return fail(
        new PcapError('truncated-record-header', `record ${index} at offset ${at}: ${bytes.length - at} bytes left, a record header needs ${PCAP_RECORD_HEADER.LENGTH}`, {
          offset: at,
          record: index,
          value: bytes.length - at,
          limit: PCAP_RECORD_HEADER.LENGTH,
        }),
      );
    }
    const seconds = v.getUint32(at + PCAP_RECORD_HEADER.ts_sec, le);
    const frac = v.getUint32(at + PCAP_RECORD_HEADER.ts_frac, le);
    const incl = v.getUint32(at + PCAP_RECORD_HEADER.incl_len, le);
    const orig = v.getUint32(at + PCAP_RECORD_HEADER.orig_len, le);
    if (frac >= fracLimit) {
      return fail(
        new PcapError('bad-timestamp-fraction', `record ${index} at offset ${at}: timestamp fraction ${frac} is not below ${fracLimit} (${header.resolution} resolution)`, {
          offset: at + PCAP_RECORD_HEADER.ts_frac,
          record: index,
          field: 'ts_frac',
          value: frac,
          limit: fracLimit,
        }),
      );
    }
    if (header.snaplen !== 0 && incl > header.snaplen) {
      return fail(
        new PcapError('snaplen-exceeded', `record ${index} at offset ${at}: captured length ${incl} exceeds the file's snaplen ${header.snaplen}`, {
          offset: at + PCAP_RECORD_HEADER.incl_len,
          record: index,
          field: 'incl_len',
          value: incl,
          limit: header.snaplen,
        }),
      );
    }
    if (incl > orig) {
      return fail(
        new PcapError('captured-exceeds-original', `record ${index} at offset ${at}: captured length ${incl} exceeds the original length ${orig}`, {
          offset: at + PCAP_RECORD_HEADER.incl_len,
          record: index,
          field: 'incl_len',
          value: incl,
          limit: orig,
        }),
      );
    }
    const start = at + PCAP_RECORD_HEADER.LENGTH;
    if (incl > bytes.length - start) {
      if (options?.allowTruncatedTail) {
        truncatedTail = true;
        break;
      }
      return fail(
        new PcapError('record-beyond-file', `record ${index} at offset ${at}: ${incl} captured bytes announced, ${bytes.length - start} left in the file`, {
          offset: at,
          record: index,
          field: 'incl_len',
          value: incl,
          limit: bytes.length - start,
        }),
      );
    }
    const nanoseconds = frac * fracScale;
    records.push({
      index,
      offset: at,
      timestampNs: BigInt(seconds) * NSEC_PER_SEC_BIG + BigInt(nanoseconds),
      seconds,
      nanoseconds,
      data: bytes.subarray(start, start + incl),
      originalLength: orig,
    });
    at = start + incl;
  }
  return { ok: true, value: { header, records, truncatedTail } };
}
