// The split virtqueue's memory layout.
// Sources: include/uapi/linux/virtio_ring.h (struct vring_desc, vring_avail, vring_used_elem,
// vring_used, struct vring, vring_init, vring_size, vring_used_event, vring_avail_event,
// vring_need_event) and the virtio 1.x spec, section 2.7 "Split Virtqueues" (2.7.1 alignment
// requirements, 2.7.5 descriptor table, 2.7.6 available ring, 2.7.8 used ring). Seed 002.
// test/oracle.test.ts checks sizes, offsets and vring_need_event against the UAPI header.

import { VRING_AVAIL_ALIGN_SIZE, VRING_DESC_ALIGN_SIZE, VRING_USED_ALIGN_SIZE } from '../uapi';

/** Byte offsets of the fields of `struct vring_desc` (16 bytes; addr u64, len u32, flags u16, next u16). */
export const VRING_DESC_LAYOUT = { addr: 0, len: 8, flags: 12, next: 14, size: 16 } as const;
/** Byte offsets in `struct vring_avail`: flags, idx, then `ring[num]` (u16 each), then `used_event`. */
export const VRING_AVAIL_LAYOUT = { flags: 0, idx: 2, ring: 4, entry: 2 } as const;
/** Byte offsets of the fields of `struct vring_used_elem` (8 bytes; id u32, len u32). */
export const VRING_USED_ELEM_LAYOUT = { id: 0, len: 4, size: 8 } as const;
/** Byte offsets in `struct vring_used`: flags, idx, then `ring[num]` of vring_used_elem, then `avail_event`. */
export const VRING_USED_LAYOUT = { flags: 0, idx: 2, ring: 4, entry: 8 } as const;

/** The largest split queue size the spec allows (2.7: "Queue Size ... maximum 32768"). */
export const VIRTQUEUE_MAX_SIZE = 32768;

/**
 * `struct vring`: the queue size and the guest-physical addresses of the three parts.
 * (The kernel holds pointers; here they are byte addresses in a {@link VringMemory}.)
 */
export interface Vring {
  readonly num: number;
  /** Descriptor table: `num` × 16 bytes, 16-aligned. */
  readonly desc: number;
  /** Available ring (driver area): 6 + 2×num bytes, 2-aligned. */
  readonly avail: number;
  /** Used ring (device area): 6 + 8×num bytes, 4-aligned. */
  readonly used: number;
}

/** Which rule of the spec a ring layout breaks. */
export type VringLayoutRule =
  | 'InvalidQueueSize'
  | 'InvalidVringAlign'
  | 'InvalidAddress'
  | 'InvalidDescTableAlign'
  | 'InvalidAvailRingAlign'
  | 'InvalidUsedRingAlign'
  | 'RingOutsideMemory'
  | 'OverlappingRingParts';

/** A ring layout that breaks a rule of the spec (one `rule` per violation, named after it). */
export class VringLayoutError extends RangeError {
  override readonly name = 'VringLayoutError';
  constructor(
    readonly rule: VringLayoutRule,
    message: string,
  ) {
    super(`${rule}: ${message}`);
  }
}

/** Throws unless `num` is a split-ring queue size: a power of 2 in [1, 32768] (spec 2.7). */
export function checkQueueSize(num: number): void {
  if (!Number.isInteger(num) || num < 1 || num > VIRTQUEUE_MAX_SIZE || (num & (num - 1)) !== 0) {
    throw new VringLayoutError(
      'InvalidQueueSize',
      `queue size ${String(num)} is not a power of 2 in [1, ${String(VIRTQUEUE_MAX_SIZE)}]`,
    );
  }
}

function checkAlign(align: number): void {
  if (!Number.isInteger(align) || align < 1 || align > 2 ** 31 || (align & (align - 1)) !== 0) {
    throw new VringLayoutError('InvalidVringAlign', `alignment ${String(align)} is not a power of 2 in [1, 2^31]`);
  }
}

function checkAddress(what: string, addr: number): void {
  if (!Number.isSafeInteger(addr) || addr < 0) {
    throw new VringLayoutError('InvalidAddress', `${what} address ${String(addr)} is not a non-negative safe integer`);
  }
}

/** Rounds `x` up to a multiple of `align` (a power of 2), exactly for x < 2^53. */
function alignUp(x: number, align: number): number {
  return Math.ceil(x / align) * align;
}

/**
 * `vring_size(num, align)`: bytes of the legacy contiguous layout (descriptor table, available
 * ring with used_event, padding to `align`, used ring with avail_event), as a C `unsigned`.
 * @throws VringLayoutError when `num` is not a valid queue size or `align` not a power of 2.
 */
export function vring_size(num: number, align: number): number {
  checkQueueSize(num);
  checkAlign(align);
  // ((16*num + 2*(3+num) + align-1) & ~(align-1)) + 2*3 + 8*num, truncated to `unsigned`.
  return (alignUp(16 * num + 2 * (3 + num), align) + 2 * 3 + 8 * num) % 2 ** 32;
}

/**
 * `vring_init(vr, num, p, align)`: the legacy contiguous layout at address `p`. The used ring
 * starts at the first address aligned to `align` after the available ring's used_event field
 * (the alignment is of the absolute address, as in the header).
 */
export function vring_init(num: number, p: number, align: number): Vring {
  checkQueueSize(num);
  checkAlign(align);
  checkAddress('ring', p);
  const desc = p;
  const avail = p + num * VRING_DESC_LAYOUT.size;
  const used = alignUp(avail + VRING_AVAIL_LAYOUT.ring + num * VRING_AVAIL_LAYOUT.entry + 2, align);
  return { num, desc, avail, used };
}

/** Sizes in bytes of the three parts of a split ring of `num` entries (spec 2.7, table "Virtqueue Part"). */
export function splitRingPartSizes(num: number): { desc: number; avail: number; used: number } {
  checkQueueSize(num);
  return { desc: 16 * num, avail: 6 + 2 * num, used: 6 + 8 * num };
}

/**
 * A ring whose three parts are placed separately (the virtio 1.x transports' QueueDesc,
 * QueueDriver, QueueDevice), checked against the spec's alignment rules (2.7.1: 16, 2, 4)
 * and, when `memorySize` is given, against the memory's bounds and for overlaps.
 */
export function vringFromParts(
  num: number,
  desc: number,
  avail: number,
  used: number,
  memorySize?: number,
): Vring {
  checkQueueSize(num);
  checkAddress('descriptor table', desc);
  checkAddress('available ring', avail);
  checkAddress('used ring', used);
  if (desc % VRING_DESC_ALIGN_SIZE !== 0) {
    throw new VringLayoutError('InvalidDescTableAlign', `descriptor table at ${String(desc)} is not 16-aligned`);
  }
  if (avail % VRING_AVAIL_ALIGN_SIZE !== 0) {
    throw new VringLayoutError('InvalidAvailRingAlign', `available ring at ${String(avail)} is not 2-aligned`);
  }
  if (used % VRING_USED_ALIGN_SIZE !== 0) {
    throw new VringLayoutError('InvalidUsedRingAlign', `used ring at ${String(used)} is not 4-aligned`);
  }
  const sizes = splitRingPartSizes(num);
  const parts: [string, number, number][] = [
    ['descriptor table', desc, sizes.desc],
    ['available ring', avail, sizes.avail],
    ['used ring', used, sizes.used],
  ];
  if (memorySize !== undefined) {
    for (const [what, at, len] of parts) {
      if (at + len > memorySize) {
        throw new VringLayoutError(
          'RingOutsideMemory',
          `${what} [${String(at)}, ${String(at + len)}) ends beyond the ${String(memorySize)}-byte memory`,
        );
      }
    }
  }
  for (let a = 0; a < parts.length; a++) {
    for (let b = a + 1; b < parts.length; b++) {
      const [wa, sa, la] = parts[a]!;
      const [wb, sb, lb] = parts[b]!;
      if (sa < sb + lb && sb < sa + la) {
        throw new VringLayoutError('OverlappingRingParts', `${wa} and ${wb} overlap`);
      }
    }
  }
  return { num, desc, avail, used };
}

/** Address of `vring_used_event(vr)`: `avail->ring[num]`, where the driver publishes used_event. */
export function vring_used_event(vr: Vring): number {
  return vr.avail + VRING_AVAIL_LAYOUT.ring + vr.num * VRING_AVAIL_LAYOUT.entry;
}

/** Address of `vring_avail_event(vr)`: `used->ring[num]`, where the device publishes avail_event. */
export function vring_avail_event(vr: Vring): number {
  return vr.used + VRING_USED_LAYOUT.ring + vr.num * VRING_USED_LAYOUT.entry;
}

/** Address of `desc[i]` in the table at `table`. */
export function descAddr(table: number, i: number): number {
  return table + i * VRING_DESC_LAYOUT.size;
}

/**
 * `vring_need_event(event_idx, new_idx, old)`: having just moved an index from `old` to
 * `new_idx`, must we notify the side that asked for an event at `event_idx`? True when
 * `event_idx` lies in the window `[old, new_idx)`, in 16-bit wrapping arithmetic:
 * `(u16)(new_idx - event_idx - 1) < (u16)(new_idx - old)`. Inputs are converted to `__u16`
 * as C converts them (modulo 2^16).
 * @throws TypeError when an input is not an integer.
 */
export function vring_need_event(event_idx: number, new_idx: number, old: number): boolean {
  if (!Number.isInteger(event_idx) || !Number.isInteger(new_idx) || !Number.isInteger(old)) {
    throw new TypeError('vring_need_event: the indexes must be integers');
  }
  return need_event(u16(event_idx), u16(new_idx), u16(old));
}

/** vring_need_event on values already in [0, 0xffff]. @internal */
export function need_event(event_idx: number, new_idx: number, old: number): boolean {
  return ((new_idx - event_idx - 1) & 0xffff) < ((new_idx - old) & 0xffff);
}

/** C conversion to `__u16` (modulo 2^16, exact for any safe integer). */
function u16(x: number): number {
  return ((x % 0x10000) + 0x10000) % 0x10000;
}

// ---- byte views: parse and emit, for inspection, tests and device models ----

/** A parsed `struct vring_desc`. `addr` is a bigint: descriptors carry full 64-bit addresses. */
export interface VringDesc {
  addr: bigint;
  len: number;
  flags: number;
  next: number;
}

/** A parsed `struct vring_used_elem`. */
export interface VringUsedElem {
  id: number;
  len: number;
}

/** A parsed available ring of `num` entries (`struct vring_avail` plus used_event). */
export interface VringAvail {
  flags: number;
  idx: number;
  ring: number[];
  used_event: number;
}

/** A parsed used ring of `num` entries (`struct vring_used` plus avail_event). */
export interface VringUsed {
  flags: number;
  idx: number;
  ring: VringUsedElem[];
  avail_event: number;
}

function view(bytes: Uint8Array, offset: number, len: number, what: string): DataView {
  if (!Number.isInteger(offset) || offset < 0 || offset + len > bytes.byteLength) {
    throw new RangeError(
      `${what}: needs ${String(len)} bytes at offset ${String(offset)}, the buffer has ${String(bytes.byteLength)}`,
    );
  }
  return new DataView(bytes.buffer, bytes.byteOffset + offset, len);
}

function checkField(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`${what} ${String(v)} does not fit its field (0..${String(max)})`);
  }
}

/** Parses the 16-byte `struct vring_desc` at `offset`. */
export function parseVringDesc(bytes: Uint8Array, offset = 0): VringDesc {
  const dv = view(bytes, offset, VRING_DESC_LAYOUT.size, 'parseVringDesc');
  return {
    addr: dv.getBigUint64(VRING_DESC_LAYOUT.addr, true),
    len: dv.getUint32(VRING_DESC_LAYOUT.len, true),
    flags: dv.getUint16(VRING_DESC_LAYOUT.flags, true),
    next: dv.getUint16(VRING_DESC_LAYOUT.next, true),
  };
}

/** Writes `d` as a 16-byte `struct vring_desc` at `offset` (a new 16-byte array when `into` is omitted). */
export function emitVringDesc(d: VringDesc, into?: Uint8Array, offset = 0): Uint8Array {
  const out = into ?? new Uint8Array(VRING_DESC_LAYOUT.size);
  const dv = view(out, offset, VRING_DESC_LAYOUT.size, 'emitVringDesc');
  if (d.addr < 0n || d.addr > 0xffff_ffff_ffff_ffffn) throw new RangeError(`desc addr ${String(d.addr)} is not a u64`);
  checkField('desc len', d.len, 0xffff_ffff);
  checkField('desc flags', d.flags, 0xffff);
  checkField('desc next', d.next, 0xffff);
  dv.setBigUint64(VRING_DESC_LAYOUT.addr, d.addr, true);
  dv.setUint32(VRING_DESC_LAYOUT.len, d.len, true);
  dv.setUint16(VRING_DESC_LAYOUT.flags, d.flags, true);
  dv.setUint16(VRING_DESC_LAYOUT.next, d.next, true);
  return out;
}

/** Parses the 8-byte `struct vring_used_elem` at `offset`. */
export function parseVringUsedElem(bytes: Uint8Array, offset = 0): VringUsedElem {
  const dv = view(bytes, offset, VRING_USED_ELEM_LAYOUT.size, 'parseVringUsedElem');
  return { id: dv.getUint32(VRING_USED_ELEM_LAYOUT.id, true), len: dv.getUint32(VRING_USED_ELEM_LAYOUT.len, true) };
}

/** Writes `e` as an 8-byte `struct vring_used_elem` at `offset`. */
export function emitVringUsedElem(e: VringUsedElem, into?: Uint8Array, offset = 0): Uint8Array {
  const out = into ?? new Uint8Array(VRING_USED_ELEM_LAYOUT.size);
  const dv = view(out, offset, VRING_USED_ELEM_LAYOUT.size, 'emitVringUsedElem');
  checkField('used id', e.id, 0xffff_ffff);
  checkField('used len', e.len, 0xffff_ffff);
  dv.setUint32(VRING_USED_ELEM_LAYOUT.id, e.id, true);
  dv.setUint32(VRING_USED_ELEM_LAYOUT.len, e.len, true);
  return out;
}

/** Bytes of an available ring of `num` entries, used_event included: 6 + 2×num. */
export function vringAvailLen(num: number): number {
  return ringLen(num, VRING_AVAIL_LAYOUT.entry);
}

/** Bytes of a used ring of `num` entries, avail_event included: 6 + 8×num. */
export function vringUsedLen(num: number): number {
  return ringLen(num, VRING_USED_LAYOUT.entry);
}

/** What the two rings share: flags u16, idx u16, `num` entries of `entry` bytes, one u16 event. */
interface RingForm<E> {
  flags: number;
  idx: number;
  ring: E[];
  event: number;
}

function ringLen(num: number, entry: number): number {
  return 4 + num * entry + 2;
}

function parseRing<E>(bytes: Uint8Array, num: number, offset: number, entry: number, what: string, read: (at: number) => E): RingForm<E> {
  checkQueueSize(num);
  const dv = view(bytes, offset, ringLen(num, entry), what);
  const ring: E[] = [];
  for (let i = 0; i < num; i++) ring.push(read(offset + 4 + entry * i));
  return { flags: dv.getUint16(0, true), idx: dv.getUint16(2, true), ring, event: dv.getUint16(4 + entry * num, true) };
}

function emitRing<E>(
  r: RingForm<E>,
  into: Uint8Array | undefined,
  offset: number,
  entry: number,
  names: { what: string; flags: string; idx: string; event: string },
  write: (e: E, out: Uint8Array, at: number) => void,
): Uint8Array {
  const num = r.ring.length;
  checkQueueSize(num);
  const out = into ?? new Uint8Array(ringLen(num, entry));
  const dv = view(out, offset, ringLen(num, entry), names.what);
  checkField(names.flags, r.flags, 0xffff);
  checkField(names.idx, r.idx, 0xffff);
  checkField(names.event, r.event, 0xffff);
  dv.setUint16(0, r.flags, true);
  dv.setUint16(2, r.idx, true);
  r.ring.forEach((e, i) => write(e, out, offset + 4 + entry * i));
  dv.setUint16(4 + entry * num, r.event, true);
  return out;
}

/** Parses an available ring of `num` entries at `offset`. */
export function parseVringAvail(bytes: Uint8Array, num: number, offset = 0): VringAvail {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = parseRing(bytes, num, offset, VRING_AVAIL_LAYOUT.entry, 'parseVringAvail', (at) => dv.getUint16(at, true));
  return { flags: r.flags, idx: r.idx, ring: r.ring, used_event: r.event };
}

/** Writes an available ring (its `ring.length` is num) at `offset`. */
export function emitVringAvail(a: VringAvail, into?: Uint8Array, offset = 0): Uint8Array {
  const names = { what: 'emitVringAvail', flags: 'avail flags', idx: 'avail idx', event: 'used_event' };
  return emitRing({ ...a, event: a.used_event }, into, offset, VRING_AVAIL_LAYOUT.entry, names, (head, out, at) => {
    checkField('avail ring entry', head, 0xffff);
    new DataView(out.buffer, out.byteOffset, out.byteLength).setUint16(at, head, true);
  });
}

/** Parses a used ring of `num` entries at `offset`. */
export function parseVringUsed(bytes: Uint8Array, num: number, offset = 0): VringUsed {
  const r = parseRing(bytes, num, offset, VRING_USED_LAYOUT.entry, 'parseVringUsed', (at) => parseVringUsedElem(bytes, at));
  return { flags: r.flags, idx: r.idx, ring: r.ring, avail_event: r.event };
}

/** Writes a used ring (its `ring.length` is num) at `offset`. */
export function emitVringUsed(u: VringUsed, into?: Uint8Array, offset = 0): Uint8Array {
  const names = { what: 'emitVringUsed', flags: 'used flags', idx: 'used idx', event: 'avail_event' };
  return emitRing({ ...u, event: u.avail_event }, into, offset, VRING_USED_LAYOUT.entry, names, (e, out, at) => {
    emitVringUsedElem(e, out, at);
  });
}

/** A parsed snapshot of a whole split ring: its descriptor table and both rings. */
export interface SplitRingSnapshot {
  num: number;
  desc: VringDesc[];
  avail: VringAvail;
  used: VringUsed;
}

/** Reads the whole ring `vr` out of `bytes` (addresses are offsets into `bytes`). */
export function parseSplitRing(bytes: Uint8Array, vr: Vring): SplitRingSnapshot {
  const desc: VringDesc[] = [];
  for (let i = 0; i < vr.num; i++) desc.push(parseVringDesc(bytes, descAddr(vr.desc, i)));
  return { num: vr.num, desc, avail: parseVringAvail(bytes, vr.num, vr.avail), used: parseVringUsed(bytes, vr.num, vr.used) };
}
