// IEEE 802.15.4 MAC frames: parse, emit and bufferLen over the whole PSDU
// (MHR, information elements, MAC payload, MFR). IEEE Std 802.15.4-2006 7.2
// (general MAC frame format, FCS 7.2.1.9) and 802.15.4-2015 7.2; the FCS is
// hw-emu's crc_ccitt, the kernel's lib/crc-ccitt.c, checked the way seed 000's
// ieee802154_rx() checks it in software (crc_ccitt(0, skb->data, skb->len) == 0).
import { crc_ccitt } from '@k/hw-emu';
import { readBeacon, checkBeacon, writeBeacon, type ieee802154_beacon } from './beacon';
import { ByteCounter, ByteReader, ByteWriter, checkBytes, checkUint, type ByteSink } from './bytes';
import { checkCommand, readCommand, writeCommand, type MacCommand } from './command';
import {
  IEEE802154_2003_STD,
  IEEE802154_ADDR_LONG,
  IEEE802154_ADDR_NONE,
  IEEE802154_ADDR_SHORT,
  IEEE802154_ADDR_SHORT_BROADCAST,
  IEEE802154_FCS_LEN,
  IEEE802154_FC_TYPE_ACK,
  IEEE802154_FC_TYPE_BEACON,
  IEEE802154_FC_TYPE_DATA,
  IEEE802154_FC_TYPE_MAC_CMD,
  IEEE802154_IE_HT1,
  IEEE802154_IE_HT2,
  IEEE802154_IE_PT,
  IEEE802154_MHR,
  IEEE802154_MTU,
  IEEE802154_PAN_ID_BROADCAST,
  IEEE802154_STD,
} from './constants';
import { FrameErrorSignal, errResult, fail, frameError, okResult, type FrameError, type FrameResult } from './errors';
import {
  checkHeader,
  decodeFc,
  isOpaqueFrameType,
  panIdPresence,
  readHeader,
  seqSuppressed,
  writeHeader,
  type ieee802154_addr,
  type ieee802154_hdr,
  type ieee802154_hdr_fc,
} from './header';
import { checkIes, readHeaderIes, readPayloadIes, writeHeaderIes, writePayloadIes, type HeaderIe, type PayloadIe } from './ie';

/**
 * The MAC payload after the MHR and the IEs: a decoded beacon (frame versions
 * 0 and 1), a decoded MAC command, or raw octets (data, acks, 2015 enhanced
 * beacons, secured frames whose payload is ciphertext and MIC, and the
 * reserved / multipurpose / Frak / extended frame types).
 */
export type FrameBody =
  | { kind: 'beacon'; beacon: ieee802154_beacon }
  | { kind: 'command'; command: MacCommand }
  | { kind: 'raw'; payload: Uint8Array };

/** A parsed IEEE 802.15.4 frame. */
export interface Ieee802154Frame {
  hdr: ieee802154_hdr;
  /** Header IEs, present exactly when a frame version 2 frame has ie_present set. */
  header_ies?: HeaderIe[];
  /** Payload IEs, present when the header IEs end with HT1 and the frame is not secured. */
  payload_ies?: PayloadIe[];
  body: FrameBody;
  /** The FCS as read (parse) or to write with `fcs: 'keep'` (emit). */
  fcs?: number;
}

/** How parse() treats the last two octets. */
export type FcsMode =
  /** The bytes end with an FCS, which must be right ('bad-fcs' otherwise): LINKTYPE_IEEE802_15_4_WITHFCS. */
  | 'check'
  /** The bytes end with an FCS, read into `fcs` but not checked. */
  | 'ignore'
  /** The bytes carry no FCS: LINKTYPE_IEEE802_15_4_NOFCS. */
  | 'absent';

/** How emit() ends the frame. */
export type FcsEmitMode =
  /** Append crc_ccitt(0, frame), little-endian (default). */
  | 'compute'
  /** Append `frame.fcs` as given (to build a frame with a wrong FCS). */
  | 'keep'
  /** Append nothing. */
  | 'absent';

/** Thrown by bufferLen() for a parsed form that emit() would refuse; carries the FrameError. */
export class Ieee802154FrameError extends Error {
  override readonly name = 'Ieee802154FrameError';
  constructor(readonly error: FrameError) {
    super(`ieee802154: ${error.kind}: ${error.message}`);
  }
}

function guard<T>(f: () => T): FrameResult<T> {
  try {
    return okResult(f());
  } catch (e) {
    if (e instanceof FrameErrorSignal) return errResult(e.error);
    throw e;
  }
}

/** True when `bytes` (a frame followed by its FCS) passes the FCS check: crc_ccitt(0, bytes) == 0. */
export function ieee802154_fcs_ok(bytes: Uint8Array): boolean {
  return bytes.length >= IEEE802154_FCS_LEN && crc_ccitt(0, bytes) === 0;
}

/** The FCS of an MHR + payload: crc_ccitt(0, bytes), sent least significant octet first. */
export function ieee802154_fcs(bytes: Uint8Array): number {
  return crc_ccitt(0, bytes);
}

function readBody(r: ByteReader, fc: ieee802154_hdr_fc): FrameBody {
  if (fc.security_enabled || isOpaqueFrameType(fc.type)) return { kind: 'raw', payload: r.rest() };
  if (fc.type === IEEE802154_FC_TYPE_BEACON && fc.version !== IEEE802154_STD) return { kind: 'beacon', beacon: readBeacon(r) };
  if (fc.type === IEEE802154_FC_TYPE_MAC_CMD) return { kind: 'command', command: readCommand(r) };
  return { kind: 'raw', payload: r.rest() };
}

/**
 * Decodes an IEEE 802.15.4 frame (a PSDU: MHR, payload and, by default, FCS).
 *
 * @returns `{ ok: true, value: frame }`, or `{ ok: false, error }` whose
 * `kind` names the rule the bytes break ('truncated', 'frame-too-long',
 * 'bad-fcs', 'reserved-frame-version', 'reserved-addressing-mode',
 * 'pan-id-compression-without-both-addresses', 'too-many-pending-addresses',
 * 'command-payload-length', 'ie-type-mismatch'). Never throws.
 *
 * @example
 * // An imm-ack for sequence number 0x56 with its FCS.
 * parse(Uint8Array.of(0x02, 0x00, 0x56, 0x0b, 0x82)).ok // => true
 */
export function parse(bytes: Uint8Array, options: { fcs?: FcsMode } = {}): FrameResult<Ieee802154Frame> {
  if (!(bytes instanceof Uint8Array)) return errResult(frameError('invalid-field', 'bytes must be a Uint8Array', { field: 'bytes' }));
  const mode = options?.fcs ?? 'check';
  if (mode !== 'check' && mode !== 'ignore' && mode !== 'absent') {
    return errResult(frameError('invalid-field', `options.fcs must be 'check', 'ignore' or 'absent' (got ${String(mode)})`, { field: 'options.fcs' }));
  }
  return guard(() => {
    const fcsLen = mode === 'absent' ? 0 : IEEE802154_FCS_LEN;
    // The PSDU on air always ends with the 2-octet FCS, whether or not the bytes carry it.
    const max = IEEE802154_MTU - IEEE802154_FCS_LEN + fcsLen;
    if (bytes.length > max) {
      fail('frame-too-long', `the frame is ${bytes.length} octets, a PSDU holds at most ${IEEE802154_MTU}${fcsLen ? '' : ' (125 without the FCS)'}`, {
        field: 'PSDU',
        expected: max,
        actual: bytes.length,
      });
    }
    if (bytes.length < 2 + fcsLen) {
      fail('truncated', `the frame is ${bytes.length} octet(s): a frame control field${fcsLen ? ' and an FCS need 4' : ' needs 2'}`, {
        field: 'frame control',
        offset: 0,
        expected: 2 + fcsLen,
        actual: bytes.length,
      });
    }
    const end = bytes.length - fcsLen;
    let fcs: number | undefined;
    if (fcsLen) {
      fcs = bytes[end]! | (bytes[end + 1]! << 8);
      if (mode === 'check') {
        const want = crc_ccitt(0, bytes.subarray(0, end));
        if (want !== fcs) {
          fail('bad-fcs', `FCS 0x${fcs.toString(16).padStart(4, '0')} does not match the frame (crc_ccitt gives 0x${want.toString(16).padStart(4, '0')})`, {
            field: 'FCS',
            offset: end,
            expected: want,
            actual: fcs,
          });
        }
      }
    }
    const r = new ByteReader(bytes, 0, end);
    const hdr = readHeader(r);
    const frame: Ieee802154Frame = { hdr, body: { kind: 'raw', payload: new Uint8Array() } };
    if (!isOpaqueFrameType(hdr.fc.type) && hdr.fc.version === IEEE802154_STD && hdr.fc.ie_present) {
      const h = readHeaderIes(r);
      frame.header_ies = h.ies;
      // Payload IEs are encrypted with the payload in a secured frame: left in the raw body.
      if (h.payloadIesFollow && !hdr.fc.security_enabled) frame.payload_ies = readPayloadIes(r);
    }
    frame.body = readBody(r, hdr.fc);
    if (fcs !== undefined) frame.fcs = fcs;
    return frame;
  });
}

function checkFrame(frame: Ieee802154Frame, fcsMode: FcsEmitMode): void {
  if (typeof frame !== 'object' || frame === null) fail('invalid-field', 'frame must be an object', { field: 'frame' });
  checkHeader(frame.hdr);
  const fc = frame.hdr.fc;
  const iesOnAir = !isOpaqueFrameType(fc.type) && fc.version === IEEE802154_STD && fc.ie_present;
  if (iesOnAir !== (frame.header_ies !== undefined)) {
    fail('ie-presence', `header_ies are ${iesOnAir ? 'missing although the frame has ie_present set' : 'given although the frame carries no IEs (ie_present in frame version 2 only)'}`, {
      field: 'header_ies',
    });
  }
  if (frame.payload_ies !== undefined && (!iesOnAir || fc.security_enabled)) {
    fail('ie-presence', 'payload_ies are given but the frame carries none in the clear', { field: 'payload_ies' });
  }
  const body = frame.body;
  if (typeof body !== 'object' || body === null) fail('invalid-field', 'body must be an object', { field: 'body' });
  let bodyEmpty = false;
  const plain = !fc.security_enabled && !isOpaqueFrameType(fc.type);
  if (body.kind === 'beacon') {
    if (!(plain && fc.type === IEEE802154_FC_TYPE_BEACON && fc.version !== IEEE802154_STD)) {
      fail('body-mismatch', 'a beacon body needs an unsecured beacon frame of version 0 or 1 (version 2 beacons are enhanced beacons, carried raw)', { field: 'body' });
    }
    checkBeacon(body.beacon);
  } else if (body.kind === 'command') {
    if (!(plain && fc.type === IEEE802154_FC_TYPE_MAC_CMD)) fail('body-mismatch', 'a command body needs an unsecured MAC command frame', { field: 'body' });
    checkCommand(body.command);
  } else if (body.kind === 'raw') {
    checkBytes('body.payload', body.payload);
    if (plain && (fc.type === IEEE802154_FC_TYPE_MAC_CMD || (fc.type === IEEE802154_FC_TYPE_BEACON && fc.version !== IEEE802154_STD))) {
      fail('body-mismatch', `an unsecured ${fc.type === IEEE802154_FC_TYPE_MAC_CMD ? 'MAC command' : 'beacon'} frame has a decoded body: use kind '${fc.type === IEEE802154_FC_TYPE_MAC_CMD ? 'command' : 'beacon'}'`, {
        field: 'body',
      });
    }
    bodyEmpty = body.payload.length === 0;
  } else {
    fail('invalid-field', `body.kind ${String((body as { kind: unknown }).kind)} is not 'beacon', 'command' or 'raw'`, { field: 'body.kind' });
  }
  if (frame.header_ies !== undefined) {
    checkIes(frame.header_ies, frame.payload_ies);
    const last = frame.header_ies.at(-1)?.element_id;
    const hTerminated = last === IEEE802154_IE_HT1 || last === IEEE802154_IE_HT2;
    // Without a terminator the receiver reads IEs to the end: nothing may follow them.
    if (!hTerminated && !bodyEmpty) fail('ie-presence', 'header_ies do not end with HT1/HT2 but a payload follows them', { field: 'header_ies' });
    if (last === IEEE802154_IE_HT1 && !fc.security_enabled && frame.payload_ies === undefined) {
      fail('ie-presence', 'header_ies end with HT1 (payload IEs follow) but payload_ies are missing', { field: 'payload_ies' });
    }
    if (frame.payload_ies !== undefined && frame.payload_ies.at(-1)?.group_id !== IEEE802154_IE_PT && !bodyEmpty) {
      fail('ie-presence', 'payload_ies do not end with the payload termination IE but a payload follows them', { field: 'payload_ies' });
    }
  }
  if (fcsMode === 'keep') checkUint('fcs', frame.fcs, 16);
}

function encode(w: ByteSink, frame: Ieee802154Frame): void {
  writeHeader(w, frame.hdr);
  if (frame.header_ies) writeHeaderIes(w, frame.header_ies);
  if (frame.payload_ies) writePayloadIes(w, frame.payload_ies);
  const b = frame.body;
  if (b.kind === 'beacon') writeBeacon(w, b.beacon);
  else if (b.kind === 'command') writeCommand(w, b.command);
  else w.bytes(b.payload);
}

function checkFcsEmitMode(mode: unknown): FcsEmitMode {
  if (mode !== 'compute' && mode !== 'keep' && mode !== 'absent') {
    fail('invalid-field', `options.fcs must be 'compute', 'keep' or 'absent' (got ${String(mode)})`, { field: 'options.fcs' });
  }
  return mode;
}

function measure(frame: Ieee802154Frame, mode: FcsEmitMode): number {
  checkFrame(frame, mode);
  const c = new ByteCounter();
  encode(c, frame);
  // The PSDU on air carries the FCS even when the caller leaves it out.
  if (c.pos + IEEE802154_FCS_LEN > IEEE802154_MTU) {
    fail('frame-too-long', `the frame would be ${c.pos + IEEE802154_FCS_LEN} octets with its FCS, a PSDU holds at most ${IEEE802154_MTU}`, {
      field: 'PSDU',
      expected: IEEE802154_MTU,
      actual: c.pos + IEEE802154_FCS_LEN,
    });
  }
  return c.pos + (mode === 'absent' ? 0 : IEEE802154_FCS_LEN);
}

/**
 * Length in octets of the PSDU that emit() writes for `frame` (with the FCS
 * unless `fcs: 'absent'`).
 * @throws Ieee802154FrameError when emit() would refuse the frame.
 */
export function bufferLen(frame: Ieee802154Frame, options: { fcs?: FcsEmitMode } = {}): number {
  const r = guard(() => measure(frame, checkFcsEmitMode(options?.fcs ?? 'compute')));
  if (!r.ok) throw new Ieee802154FrameError(r.error);
  return r.value;
}

/**
 * Encodes a parsed frame into its PSDU, exactly: the frame control bits,
 * PAN ID fields and IE lists are written as given (parse(emit(f)) equals f),
 * after checking them against the rules of the frame version.
 *
 * @returns `{ ok: true, value: bytes }`, or `{ ok: false, error }` naming the
 * rule the parsed form breaks. Never throws.
 */
export function emit(frame: Ieee802154Frame, options: { fcs?: FcsEmitMode } = {}): FrameResult<Uint8Array> {
  return guard(() => {
    const mode = checkFcsEmitMode(options?.fcs ?? 'compute');
    const len = measure(frame, mode);
    const out = new Uint8Array(len);
    const w = new ByteWriter(out);
    encode(w, frame);
    if (mode !== 'absent') {
      const fcs = mode === 'keep' ? frame.fcs! : crc_ccitt(0, out.subarray(0, w.pos));
      w.u16(fcs);
    }
    return out;
  });
}

// ---------------------------------------------------------------------------
// The byte view: field offsets of a frame without decoding all of it.
// ---------------------------------------------------------------------------

/** Offsets of the MHR fields of one frame; a field is undefined when not on air. */
export interface MhrLayout {
  frame_control: number;
  seq?: number;
  dest_pan_id?: number;
  dest_addr?: number;
  source_pan_id?: number;
  source_addr?: number;
  /** Start of the auxiliary security header (when on air). */
  sec?: number;
  /** End of the MHR up to the security header: where IEs or the MAC payload start. */
  end: number;
}

/**
 * A byte view of a frame (smoltcp style): field offsets from the frame control
 * field, and accessors that read one field. Build it with
 * `Ieee802154FrameView.check(bytes)`, which validates what the accessors read.
 */
export class Ieee802154FrameView {
  private constructor(
    readonly bytes: Uint8Array,
    readonly layout: MhrLayout,
    private readonly fcsLen: number,
  ) {}

  /** Checks that `bytes` hold a whole MHR (and an FCS unless `fcs: 'absent'`) and returns the view. Never throws. */
  static check(bytes: Uint8Array, options: { fcs?: 'present' | 'absent' } = {}): FrameResult<Ieee802154FrameView> {
    if (!(bytes instanceof Uint8Array)) return errResult(frameError('invalid-field', 'bytes must be a Uint8Array', { field: 'bytes' }));
    const fcsLen = options?.fcs === 'absent' ? 0 : IEEE802154_FCS_LEN;
    return guard(() => {
      const end = Math.max(0, bytes.length - fcsLen);
      const r = new ByteReader(bytes, 0, end);
      const fc = decodeFc(r.u16('frame control'));
      const layout: MhrLayout = { frame_control: IEEE802154_MHR.FRAME_CONTROL, end: IEEE802154_MHR.SEQUENCE_NUMBER };
      if (!isOpaqueFrameType(fc.type)) {
        const pans = panIdPresence(fc);
        if (!seqSuppressed(fc)) layout.seq = IEEE802154_MHR.SEQUENCE_NUMBER;
        let at = seqSuppressed(fc) ? IEEE802154_MHR.SEQUENCE_NUMBER : IEEE802154_MHR.ADDRESSING;
        const addrLen = (m: number) => (m === IEEE802154_ADDR_SHORT ? 2 : m === IEEE802154_ADDR_LONG ? 8 : 0);
        if (pans.dest) {
          layout.dest_pan_id = at;
          at += 2;
        }
        if (fc.dest_addr_mode !== IEEE802154_ADDR_NONE) {
          layout.dest_addr = at;
          at += addrLen(fc.dest_addr_mode);
        }
        if (pans.source) {
          layout.source_pan_id = at;
          at += 2;
        }
        if (fc.source_addr_mode !== IEEE802154_ADDR_NONE) {
          layout.source_addr = at;
          at += addrLen(fc.source_addr_mode);
        }
        if (fc.security_enabled && fc.version !== IEEE802154_2003_STD) layout.sec = at;
        r.need(at - r.pos, 'addressing fields');
        layout.end = at;
      }
      return new Ieee802154FrameView(bytes, layout, fcsLen);
    });
  }

  private u16(at: number): number {
    return this.bytes[at]! | (this.bytes[at + 1]! << 8);
  }

  /** The frame control field as a u16. */
  frame_control(): number {
    return this.u16(this.layout.frame_control);
  }

  /** The decoded frame control field. */
  fc(): ieee802154_hdr_fc {
    return decodeFc(this.frame_control());
  }

  sequence_number(): number | undefined {
    return this.layout.seq === undefined ? undefined : this.bytes[this.layout.seq];
  }

  dest_pan_id(): number | undefined {
    return this.layout.dest_pan_id === undefined ? undefined : this.u16(this.layout.dest_pan_id);
  }

  source_pan_id(): number | undefined {
    return this.layout.source_pan_id === undefined ? undefined : this.u16(this.layout.source_pan_id);
  }

  private addr(at: number | undefined, mode: number): number | bigint | undefined {
    if (at === undefined) return undefined;
    if (mode === IEEE802154_ADDR_SHORT) return this.u16(at);
    return new ByteReader(this.bytes, at, at + 8).u64('address');
  }

  /** The destination address: a u16 short address, a u64 bigint extended address, or undefined. */
  dest_addr(): number | bigint | undefined {
    return this.addr(this.layout.dest_addr, this.fc().dest_addr_mode);
  }

  source_addr(): number | bigint | undefined {
    return this.addr(this.layout.source_addr, this.fc().source_addr_mode);
  }

  /** Octets after the addressing fields up to the FCS: security header, IEs and MAC payload. */
  payload(): Uint8Array {
    return this.bytes.subarray(this.layout.end, this.bytes.length - this.fcsLen);
  }

  /** The FCS field (undefined in a view without FCS). */
  fcs(): number | undefined {
    return this.fcsLen ? this.u16(this.bytes.length - 2) : undefined;
  }
}

// ---------------------------------------------------------------------------
// Builders: frames as the kernel's MAC builds them.
// ---------------------------------------------------------------------------

/** An address to build a frame with: the PAN ID is the node's, compression decides whether it goes on air. */
export type AddressInput =
  | { mode: typeof IEEE802154_ADDR_NONE }
  | { mode: typeof IEEE802154_ADDR_SHORT; pan_id: number; short_addr: number }
  | { mode: typeof IEEE802154_ADDR_LONG; pan_id: number; extended_addr: bigint };

/** Options of makeHeader(). */
export interface HeaderInput {
  type: number;
  /** Frame version; default IEEE802154_2003_STD as the kernel's MAC frames (beacons, beacon requests). */
  version?: number;
  /** Sequence number; omit in a version 2 frame to suppress it. */
  seq?: number;
  dest?: AddressInput;
  source?: AddressInput;
  frame_pending?: boolean;
  ack_request?: boolean;
  /** Sets ie_present (frame version 2). */
  ie_present?: boolean;
}

function onAir(a: AddressInput, withPan: boolean): ieee802154_addr {
  if (a.mode === IEEE802154_ADDR_NONE) return { mode: IEEE802154_ADDR_NONE };
  const pan = withPan ? { pan_id: a.pan_id } : {};
  return a.mode === IEEE802154_ADDR_SHORT ? { mode: a.mode, ...pan, short_addr: a.short_addr } : { mode: a.mode, ...pan, extended_addr: a.extended_addr };
}

/**
 * Builds an unsecured MHR the way ieee802154_hdr_push() does: addressing
 * modes from the addresses, PAN ID compression when both addresses are
 * present in the same PAN. Frame version 2 follows 2015's Table 7-2 (where
 * an extended/extended pair carries at most the destination PAN ID, and a
 * suppressed sequence number when `seq` is omitted).
 */
export function makeHeader(input: HeaderInput): ieee802154_hdr {
  const dest = input.dest ?? { mode: IEEE802154_ADDR_NONE };
  const source = input.source ?? { mode: IEEE802154_ADDR_NONE };
  const version = input.version ?? IEEE802154_2003_STD;
  const both = dest.mode !== IEEE802154_ADDR_NONE && source.mode !== IEEE802154_ADDR_NONE;
  const samePan = both && (dest as { pan_id: number }).pan_id === (source as { pan_id: number }).pan_id;
  const extExt = dest.mode === IEEE802154_ADDR_LONG && source.mode === IEEE802154_ADDR_LONG;
  const fc: ieee802154_hdr_fc = {
    type: input.type,
    security_enabled: false,
    frame_pending: input.frame_pending ?? false,
    ack_request: input.ack_request ?? false,
    intra_pan: samePan && !(version === IEEE802154_STD && extExt),
    reserved: 0,
    seq_num_suppression: version === IEEE802154_STD && input.seq === undefined,
    ie_present: input.ie_present ?? false,
    dest_addr_mode: dest.mode,
    version,
    source_addr_mode: source.mode,
  };
  const hdr: ieee802154_hdr = { fc, dest: { mode: IEEE802154_ADDR_NONE }, source: { mode: IEEE802154_ADDR_NONE } };
  if (input.seq !== undefined) hdr.seq = input.seq;
  const pans = guard(() => panIdPresence(fc));
  if (!pans.ok) throw new Ieee802154FrameError(pans.error);
  hdr.dest = onAir(dest, pans.value.dest);
  hdr.source = onAir(source, pans.value.source);
  return hdr;
}

/**
 * A beacon frame as a coordinator's MAC sends it (later kernels'
 * mac802154_send_beacons_locked(): frame version 2003, no destination, the
 * coordinator's PAN ID and address as source).
 */
export function buildBeaconFrame(input: { seq: number; source: AddressInput; beacon: ieee802154_beacon; frame_pending?: boolean }): Ieee802154Frame {
  return {
    hdr: makeHeader({ type: IEEE802154_FC_TYPE_BEACON, seq: input.seq, source: input.source, frame_pending: input.frame_pending }),
    body: { kind: 'beacon', beacon: input.beacon },
  };
}

/**
 * A beacon request (active scan), as later kernels' mac802154_scan_prepare_beacon_req()
 * builds it: MAC command, frame version 2003, destination PAN 0xffff and short
 * address 0xffff, no source address, command IEEE802154_CMD_BEACON_REQ.
 */
export function buildBeaconRequestFrame(seq: number): Ieee802154Frame {
  return {
    hdr: makeHeader({
      type: IEEE802154_FC_TYPE_MAC_CMD,
      seq,
      dest: { mode: IEEE802154_ADDR_SHORT, pan_id: IEEE802154_PAN_ID_BROADCAST, short_addr: IEEE802154_ADDR_SHORT_BROADCAST },
    }),
    body: { kind: 'command', command: { kind: 'beacon_req' } },
  };
}

/** A MAC command frame. */
export function buildCommandFrame(input: Omit<HeaderInput, 'type'> & { command: MacCommand }): Ieee802154Frame {
  const { command, ...hdr } = input;
  return { hdr: makeHeader({ ...hdr, type: IEEE802154_FC_TYPE_MAC_CMD }), body: { kind: 'command', command } };
}

/** A data frame. */
export function buildDataFrame(input: Omit<HeaderInput, 'type'> & { payload: Uint8Array }): Ieee802154Frame {
  const { payload, ...hdr } = input;
  return { hdr: makeHeader({ ...hdr, type: IEEE802154_FC_TYPE_DATA }), body: { kind: 'raw', payload } };
}

/** An imm-ack (frame version 2003, no addresses). */
export function buildAckFrame(seq: number, frame_pending = false): Ieee802154Frame {
  return { hdr: makeHeader({ type: IEEE802154_FC_TYPE_ACK, seq, frame_pending }), body: { kind: 'raw', payload: new Uint8Array() } };
}
