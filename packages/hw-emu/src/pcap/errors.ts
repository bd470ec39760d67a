// Typed errors of the pcap reader and writer (format: src/pcap/format.ts).
// One kind per rule of the format that a capture or a caller can break.

/** What went wrong, one kind per rule of the format. */
export type PcapErrorKind =
  | 'truncated-file-header'
  | 'bad-magic'
  | 'unsupported-version'
  | 'truncated-record-header'
  | 'record-beyond-file'
  | 'snaplen-exceeded'
  | 'captured-exceeds-original'
  | 'bad-timestamp-fraction'
  | 'invalid-argument';

/** Details of a pcap error: where in the file, which record, what values. */
export interface PcapErrorDetails {
  /** Byte offset in the file where the offending structure starts. */
  offset?: number;
  /** Index of the offending record (0-based). */
  record?: number;
  /** The field or argument concerned. */
  field?: string;
  /** The value found. */
  value?: number | bigint | string;
  /** The limit it broke. */
  limit?: number;
}

/**
 * A malformed capture or a bad argument. Never thrown by the reader (it
 * returns `{ ok: false, error }`); thrown by the writer for bad arguments.
 */
export class PcapError extends Error {
  override readonly name = 'PcapError';
  readonly kind: PcapErrorKind;
  readonly details: PcapErrorDetails;
  constructor(kind: PcapErrorKind, message: string, details: PcapErrorDetails = {}) {
    super(`pcap: ${message}`);
    this.kind = kind;
    this.details = details;
  }
}

/** The result of reading: the value, or the typed error that stopped it. */
export type PcapResult<T> = { ok: true; value: T } | { ok: false; error: PcapError };
