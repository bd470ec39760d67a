// pcap writer: pcap-savefile(5), draft-ietf-opsawg-pcap sections 4 and 5.
// Record timestamps are virtual time in integer nanoseconds since boot.
import { PcapError } from './errors';
import {
  LINKTYPE_FIELD,
  NSEC_PER_SEC_BIG,
  PCAP_FILE_HEADER,
  PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC,
  PCAP_RECORD_HEADER,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MINOR,
} from './format';

/** Timestamp resolution of a capture file: the magic number says which. */
export type PcapResolution = 'ns' | 'us';
/** Byte order of every header field of a capture file. */
export type PcapByteOrder = 'le' | 'be';

/** Options of a new capture file. */
export interface PcapWriterOptions {
  /** LINKTYPE_ value (0..65535), for example LINKTYPE_IEEE802_15_4_WITHFCS (195). */
  linktype: number;
  /** Largest number of bytes kept per record; longer data is cut and orig_len keeps the real length. Default 262144. */
  snaplen?: number;
  /** `'ns'` (default, magic 0xa1b23c4d) or `'us'` (magic 0xa1b2c3d4: the nanoseconds are truncated to microseconds). */
  resolution?: PcapResolution;
  /** Byte order of the headers; default `'le'`. */
  byteOrder?: PcapByteOrder;
  /** GMT offset in seconds written in the header (readers ignore it in practice); default 0. */
  thiszone?: number;
  /** FCS length in bytes announced in the link-type field (even, 2..30); default: none announced. */
  fcsBytes?: number;
}

/** One record to write. */
export interface PcapRecordInput {
  /** Virtual time of the record in integer nanoseconds (a safe integer or a bigint, >= 0, seconds < 2^32). */
  timestampNs: number | bigint;
  /** The bytes on the link. */
  data: Uint8Array;
  /** Length on the wire if the data is already cut; default `data.length`. */
  originalLength?: number;
}

const DEFAULT_SNAPLEN = 262144;
const U32_MAX = 0xffffffff;

function invalid(field: string, value: unknown, reason: string): PcapError {
  return new PcapError('invalid-argument', `${field} ${reason} (got ${String(value)})`, {
    field,
    value: typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? value : String(value),
  });
}

function checkU32(field: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > U32_MAX) {
    throw invalid(field, v, `must be an integer in ${min}..${U32_MAX}`);
  }
  return v;
}

/** Splits integer nanoseconds into (seconds, fraction) for the given resolution. */
export function splitTimestamp(timestampNs: number | bigint, resolution: PcapResolution): [number, number] {
  let ns: bigint;
  if (typeof timestampNs === 'bigint') ns = timestampNs;
  else if (typeof timestampNs === 'number' && Number.isSafeInteger(timestampNs)) ns = BigInt(timestampNs);
  else throw invalid('timestampNs', timestampNs, 'must be a safe integer number or a bigint of nanoseconds');
  if (ns < 0n) throw invalid('timestampNs', timestampNs, 'must not be negative');
  const sec = ns / NSEC_PER_SEC_BIG;
  if (sec > BigInt(U32_MAX)) throw invalid('timestampNs', timestampNs, 'does not fit the 32-bit seconds field');
  const nsec = Number(ns % NSEC_PER_SEC_BIG);
  return [Number(sec), resolution === 'ns' ? nsec : Math.floor(nsec / 1000)];
}

/**
 * Builds a classic pcap file in memory, one record at a time.
 *
 * @example
 * const w = new PcapWriter({ linktype: LINKTYPE_IEEE802_15_4_WITHFCS });
 * w.write({ timestampNs: 1_500_000, data: frame });
 * const file = w.bytes(); // 24-byte header + 16-byte record header + frame
 * @throws PcapError (kind 'invalid-argument') for bad options or records.
 */
export class PcapWriter {
  readonly linktype: number;
  readonly snaplen: number;
  readonly resolution: PcapResolution;
  readonly byteOrder: PcapByteOrder;
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private count = 0;

  constructor(options: PcapWriterOptions) {
    if (typeof options !== 'object' || options === null) throw invalid('options', options, 'must be an object');
    const { linktype, snaplen = DEFAULT_SNAPLEN, resolution = 'ns', byteOrder = 'le', thiszone = 0, fcsBytes } = options;
    if (typeof linktype !== 'number' || !Number.isInteger(linktype) || linktype < 0 || linktype > LINKTYPE_FIELD.LINKTYPE_MASK) {
      throw invalid('linktype', linktype, 'must be an integer in 0..65535');
    }
    checkU32('snaplen', snaplen, 1);
    if (resolution !== 'ns' && resolution !== 'us') throw invalid('resolution', resolution, "must be 'ns' or 'us'");
    if (byteOrder !== 'le' && byteOrder !== 'be') throw invalid('byteOrder', byteOrder, "must be 'le' or 'be'");
    if (typeof thiszone !== 'number' || !Number.isInteger(thiszone) || thiszone < -0x80000000 || thiszone > 0x7fffffff) {
      throw invalid('thiszone', thiszone, 'must be a 32-bit signed integer');
    }
    let field = linktype;
    if (fcsBytes !== undefined) {
      if (!Number.isInteger(fcsBytes) || fcsBytes < 2 || fcsBytes > 30 || fcsBytes % 2 !== 0) {
        throw invalid('fcsBytes', fcsBytes, 'must be an even integer in 2..30');
      }
      field = (field | LINKTYPE_FIELD.FCS_PRESENT | ((fcsBytes / 2) << LINKTYPE_FIELD.FCS_SHIFT)) >>> 0;
    }
    this.linktype = linktype;
    this.snaplen = snaplen;
    this.resolution = resolution;
    this.byteOrder = byteOrder;

    const header = new Uint8Array(PCAP_FILE_HEADER.LENGTH);
    const v = new DataView(header.buffer);
    const le = byteOrder === 'le';
    v.setUint32(PCAP_FILE_HEADER.magic, resolution === 'ns' ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, le);
    v.setUint16(PCAP_FILE_HEADER.version_major, PCAP_VERSION_MAJOR, le);
    v.setUint16(PCAP_FILE_HEADER.version_minor, PCAP_VERSION_MINOR, le);
    v.setInt32(PCAP_FILE_HEADER.thiszone, thiszone, le);
    v.setUint32(PCAP_FILE_HEADER.sigfigs, 0, le);
    v.setUint32(PCAP_FILE_HEADER.snaplen, snaplen, le);
    v.setUint32(PCAP_FILE_HEADER.linktype, field, le);
    this.push(header);
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Appends one record; data longer than snaplen is cut to snaplen (orig_len keeps the real length). */
  write(record: PcapRecordInput): this {
    if (typeof record !== 'object' || record === null) throw invalid('record', record, 'must be an object');
    const { data } = record;
    if (!(data instanceof Uint8Array)) throw invalid('data', data, 'must be a Uint8Array');
    const originalLength = record.originalLength ?? data.length;
    checkU32('originalLength', originalLength);
    if (originalLength < data.length) {
      throw invalid('originalLength', originalLength, `must be at least the data length ${data.length}`);
    }
    const [sec, frac] = splitTimestamp(record.timestampNs, this.resolution);
    const incl = Math.min(data.length, this.snaplen);
    const rec = new Uint8Array(PCAP_RECORD_HEADER.LENGTH + incl);
    const v = new DataView(rec.buffer);
    const le = this.byteOrder === 'le';
    v.setUint32(PCAP_RECORD_HEADER.ts_sec, sec, le);
    v.setUint32(PCAP_RECORD_HEADER.ts_frac, frac, le);
    v.setUint32(PCAP_RECORD_HEADER.incl_len, incl, le);
    v.setUint32(PCAP_RECORD_HEADER.orig_len, originalLength, le);
    rec.set(data.subarray(0, incl), PCAP_RECORD_HEADER.LENGTH);
    this.push(rec);
    this.count++;
    return this;
  }

  /** Number of records written so far. */
  get recordCount(): number {
    return this.count;
  }

  /** The file so far: header and every record written, as one new buffer. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * Writes a whole capture at once.
 *
 * @example
 * writePcap({ linktype: LINKTYPE_IEEE802_15_4_WITHFCS }, [{ timestampNs: 0, data: frame }]).length
 * // => 24 + 16 + frame.length
 */
export function writePcap(options: PcapWriterOptions, records: Iterable<PcapRecordInput>): Uint8Array {
  const w = new PcapWriter(options);
  for (const r of records) w.write(r);
  return w.bytes();
}
