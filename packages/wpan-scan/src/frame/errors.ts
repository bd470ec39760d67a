// Typed errors of the IEEE 802.15.4 frame codec: one kind per rule of the
// standard (IEEE Std 802.15.4-2006/2015, clause 7) that a frame, or a parsed
// form handed to emit(), breaks. The codec returns them; it never throws.

/** The rule a frame or a parsed form breaks. */
export type FrameErrorKind =
  /** The frame ends before a field its header announces (`field` names it). */
  | 'truncated'
  /** The PSDU is longer than aMaxPHYPacketSize (127 octets). */
  | 'frame-too-long'
  /** Frame version 3 is reserved: the layout of the rest is unknown. */
  | 'reserved-frame-version'
  /** Addressing mode 1 is reserved (`field` is dest_addr_mode or source_addr_mode). */
  | 'reserved-addressing-mode'
  /** 2003/2006: PAN ID compression set without both a destination and a source address (2006 7.2.1.1.5). */
  | 'pan-id-compression-without-both-addresses'
  /** The FCS does not match the frame (crc_ccitt over the frame is not 0). */
  | 'bad-fcs'
  /** A beacon lists more than seven pending addresses (2006 7.2.2.1.6). */
  | 'too-many-pending-addresses'
  /** A MAC command's payload has the wrong length for its command identifier. */
  | 'command-payload-length'
  /** An information element list holds a descriptor of the other list's type. */
  | 'ie-type-mismatch'
  /** emit(): a field is out of its range (width, integer). */
  | 'invalid-field'
  /** emit(): an address's mode differs from the frame control's addressing mode. */
  | 'address-mode-mismatch'
  /** emit(): a PAN ID is given where the PAN ID compression rules omit it, or missing where they carry it. */
  | 'pan-id-presence'
  /** emit(): the sequence number is missing although not suppressed, or given although suppressed. */
  | 'sequence-number-presence'
  /** emit(): the security header is missing although security is enabled, or given although not. */
  | 'security-header-presence'
  /** emit(): IE lists given without the IE present bit of a 2015 frame, or missing with it. */
  | 'ie-presence'
  /** emit(): more than seven GTS descriptors, or GTS directions without descriptors. */
  | 'gts-list'
  /** emit(): the body does not fit the frame type (a beacon body in a data frame...). */
  | 'body-mismatch';

/** A frame codec error: its kind, a readable message, and where in the bytes. */
export interface FrameError {
  kind: FrameErrorKind;
  message: string;
  /** The field concerned, in the kernel's / standard's spelling. */
  field?: string;
  /** Byte offset in the frame where the rule broke. */
  offset?: number;
  /** Octets the field needed / the limit broken. */
  expected?: number;
  /** Octets left / the value found. */
  actual?: number;
}

/** A codec result: the value, or the typed error. */
export type FrameResult<T> = { ok: true; value: T } | { ok: false; error: FrameError };

export function frameError(kind: FrameErrorKind, message: string, extra: Omit<FrameError, 'kind' | 'message'> = {}): FrameError {
  return { kind, message, ...extra };
}

export function okResult<T>(value: T): FrameResult<T> {
  return { ok: true, value };
}

export function errResult<T>(e: FrameError): FrameResult<T> {
  return { ok: false, error: e };
}

/** Thrown inside the codec to unwind to parse()/emit(), which turn it into a result. @internal */
export class FrameErrorSignal {
  constructor(readonly error: FrameError) {}
}

export function fail(kind: FrameErrorKind, message: string, extra: Omit<FrameError, 'kind' | 'message'> = {}): never {
  throw new FrameErrorSignal(frameError(kind, message, extra));
}
