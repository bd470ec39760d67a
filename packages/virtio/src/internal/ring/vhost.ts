// The device side of the split virtqueue.
// Source: drivers/vhost/vhost.c (struct vhost_virtqueue's ring fields, vhost_vq_init_access,
// next_desc, get_indirect, translate_desc, vhost_get_vq_desc, vhost_discard_vq_desc,
// vhost_add_used, vhost_add_used_n, vhost_notify, vhost_signal, vhost_add_used_and_signal,
// vhost_enable_notify, vhost_disable_notify, vhost_vq_avail_empty) and the virtio 1.x spec,
// 2.7.5.3 "Indirect Descriptors". Seed 002.
//
// Where the model differs from vhost (documented in the README):
//  - indirect tables are walked by their `next` fields, as the spec says (with QEMU's check
//    that `next` stays inside the table); vhost reads the table in order and uses NEXT only as
//    a "continue" flag;
//  - translate_desc checks a buffer against the bounds of the one flat memory (-EFAULT), and
//    one descriptor gives one iovec entry (no IOTLB regions, no dirty log);
//  - an error marks the queue `broken` and later calls return -EIO, as QEMU's virtio_error()
//    does (vhost just logs with vq_err and stops processing until the next kick);
//  - vhost_get_vq_desc's BUG_ON(!(used_flags & VRING_USED_F_NO_NOTIFY)) is replaced by what
//    QEMU's virtqueue_split_pop does: a device popping with kicks enabled and
//    VIRTIO_RING_F_EVENT_IDX publishes avail_event = last_avail_idx, so the next add kicks it.

import { E2BIG, EFAULT, EINVAL, EIO, ENOBUFS, KernelError } from '@k/core-sync';
import {
  VIRTIO_F_NOTIFY_ON_EMPTY,
  VIRTIO_RING_F_EVENT_IDX,
  VRING_AVAIL_F_NO_INTERRUPT,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
  VRING_USED_F_NO_NOTIFY,
} from '../uapi';
import {
  VRING_AVAIL_LAYOUT,
  VRING_DESC_LAYOUT,
  VRING_USED_LAYOUT,
  need_event,
  vring_avail_event,
  vring_used_event,
  vringFromParts,
  type Vring,
} from './layout';
import type { KGen, VringMemory } from './memory';
import { virtio_has_feature } from './virtio_ring';

const DESC_SIZE = VRING_DESC_LAYOUT.size;
/** UIO_MAXIOV: the default iovec capacity of a popped buffer. */
export const UIO_MAXIOV = 1024;
/** USHRT_MAX + 1: the most descriptors an indirect table may hold (16-bit next). */
const MAX_INDIRECT = 0x10000;

/**
 * The iovec array vhost_get_vq_desc fills: `out_num` device-readable segments first, then
 * `in_num` device-writable ones (one per non-empty descriptor). Reused across calls.
 */
export class VhostIov {
  /** Guest addresses of the segments. */
  readonly addr: number[] = [];
  /** Lengths of the segments. */
  readonly len: number[] = [];
  out_num = 0;
  in_num = 0;
  /** Total bytes of the device-readable segments. */
  outBytes(): number {
    let n = 0;
    for (let k = 0; k < this.out_num; k++) n += this.len[k]!;
    return n;
  }
  /** Total bytes of the device-writable segments. */
  inBytes(): number {
    let n = 0;
    for (let k = this.out_num; k < this.out_num + this.in_num; k++) n += this.len[k]!;
    return n;
  }
}

/** `struct vring_used_elem` as vhost_add_used_n takes it. */
export interface VhostUsedElem {
  id: number;
  len: number;
}

/** Options of a device-side queue. */
export interface VhostVirtqueueOptions {
  /** Negotiated feature bits (the device's view of `acked_features`). Default: none. */
  features?: bigint;
  /** `vq->call_ctx`: raise the used-buffer interrupt (eventfd_signal). Default: nothing. */
  call?: (vq: vhost_virtqueue) => KGen<void>;
  /** vq_err output. Default: ignored. */
  log?: (message: string) => void;
}

/** The ring part of `struct vhost_virtqueue`. Build one with {@link vhost_vq_init_access}. */
export class vhost_virtqueue {
  readonly num: number;
  readonly vring: Vring;
  readonly mem: VringMemory;
  readonly event: boolean;
  readonly notifyOnEmpty: boolean;
  /** Last available index we saw. */
  last_avail_idx = 0;
  /** Caches available index value from user. */
  avail_idx = 0;
  /** Last index we used. */
  last_used_idx = 0;
  /** Used flags (VRING_USED_F_NO_NOTIFY). */
  used_flags = 0;
  /** Last used index value we have signalled on. */
  signalled_used = 0;
  /** Whether signalled_used is valid. */
  signalled_used_valid = false;
  /** The driver broke a ring rule; the queue stops (QEMU's virtio_error). */
  broken = false;
  /** The first vq_err message that broke the queue. */
  error: string | null = null;
  readonly call: (vq: vhost_virtqueue) => KGen<void>;
  readonly log: (message: string) => void;

  /** @internal Use {@link vhost_vq_init_access}. */
  constructor(vring: Vring, mem: VringMemory, opts: VhostVirtqueueOptions) {
    const features = opts.features ?? 0n;
    this.num = vring.num;
    this.vring = vring;
    this.mem = mem;
    this.event = virtio_has_feature(features, VIRTIO_RING_F_EVENT_IDX);
    this.notifyOnEmpty = virtio_has_feature(features, VIRTIO_F_NOTIFY_ON_EMPTY);
    this.call = opts.call ?? noCall;
    this.log = opts.log ?? (() => undefined);
  }
}

function* noCall(): KGen<void> {
  return;
}

/** `vq_err` that also breaks the queue, returning `-errno`. */
function vq_err(vq: vhost_virtqueue, errno: number, message: string): number {
  vq.log(message);
  if (!vq.broken) vq.error = message;
  vq.broken = true;
  return -errno;
}

/**
 * `vhost_vq_init_access`: a device-side queue over the ring `vring` in `mem`: writes used->flags
 * and reads used->idx into last_used_idx.
 * @throws KernelError EINVAL when the ring does not fit `mem` or breaks an alignment rule.
 */
export function* vhost_vq_init_access(
  vring: Vring,
  mem: VringMemory,
  opts: VhostVirtqueueOptions = {},
): KGen<vhost_virtqueue> {
  let checked: Vring;
  try {
    checked = vringFromParts(vring.num, vring.desc, vring.avail, vring.used, mem.size);
  } catch (e) {
    throw new KernelError('EINVAL', `vhost_vq_init_access: ${(e as Error).message}`);
  }
  const vq = new vhost_virtqueue(checked, mem, opts);
  yield* mem.write16(checked.used + VRING_USED_LAYOUT.flags, vq.used_flags);
  vq.last_used_idx = yield* mem.read16(checked.used + VRING_USED_LAYOUT.idx);
  return vq;
}

/** `translate_desc` for one flat memory: the segment must lie inside it. Returns iov entries added. */
function translate_desc(vq: vhost_virtqueue, addr: number, len: number, iov: VhostIov, iov_size: number): number {
  if (len === 0) return 0;
  if (addr + len > vq.mem.size) return -EFAULT;
  if (iov.out_num + iov.in_num >= iov_size) return -ENOBUFS;
  const k = iov.out_num + iov.in_num;
  iov.addr[k] = addr;
  iov.len[k] = len;
  return 1;
}

/** Adds one descriptor's segment to `iov`, keeping out-before-in. Returns 0 or -errno. */
function add_segment(
  vq: vhost_virtqueue,
  addr: number,
  len: number,
  flags: number,
  iov: VhostIov,
  iov_size: number,
  where: string,
): number {
  const write = (flags & VRING_DESC_F_WRITE) !== 0;
  if (!write && iov.in_num !== 0) {
    // If it's an output descriptor, they're all supposed to come before any input descriptors.
    return vq_err(vq, EINVAL, `Descriptor has out after in: ${where}`);
  }
  const ret = translate_desc(vq, addr, len, iov, iov_size);
  if (ret < 0) {
    return vq_err(
      vq,
      -ret,
      ret === -ENOBUFS
        ? `Too many segments (more than ${String(iov_size)}): ${where}`
        : `Translation failure ${String(ret)} ${where}: [${String(addr)}, +${String(len)}) outside the ${String(vq.mem.size)}-byte memory`,
    );
  }
  if (write) iov.in_num += ret;
  else iov.out_num += ret;
  return 0;
}

function* get_indirect(
  vq: vhost_virtqueue,
  iov: VhostIov,
  iov_size: number,
  ind_addr: number,
  ind_len: number,
): KGen<number> {
  const mem = vq.mem;
  // Sanity check.
  if (ind_len % DESC_SIZE !== 0) {
    return vq_err(vq, EINVAL, `Invalid length in indirect descriptor: len ${String(ind_len)} not multiple of 16`);
  }
  if (ind_addr + ind_len > mem.size) {
    return vq_err(vq, EFAULT, `Translation failure ${String(-EFAULT)} in indirect: table at ${String(ind_addr)} outside memory`);
  }
  const count = ind_len / DESC_SIZE;
  // Buffers are chained via a 16 bit next field, so we can have at most 2^16 of these.
  if (count > MAX_INDIRECT) return vq_err(vq, E2BIG, `Indirect buffer length too big: ${String(ind_len)}`);

  let i = 0;
  let found = 0;
  for (;;) {
    if (++found > count) {
      return vq_err(vq, EINVAL, `Loop detected: last one at ${String(i)} indirect size ${String(count)}`);
    }
    // Spec 2.7.5.3: entries chain by next; next must stay inside the table (QEMU's check).
    if (i >= count) return vq_err(vq, EINVAL, `Desc next is ${String(i)} in an indirect table of ${String(count)}`);
    const d = ind_addr + i * DESC_SIZE;
    const addr = yield* mem.read64(d + VRING_DESC_LAYOUT.addr);
    const len = yield* mem.read32(d + VRING_DESC_LAYOUT.len);
    const flags = yield* mem.read16(d + VRING_DESC_LAYOUT.flags);
    const next = yield* mem.read16(d + VRING_DESC_LAYOUT.next);
    if ((flags & VRING_DESC_F_INDIRECT) !== 0) {
      return vq_err(vq, EINVAL, `Nested indirect descriptor: idx ${String(i)}`);
    }
    const err = add_segment(vq, addr, len, flags, iov, iov_size, `indirect idx ${String(i)}`);
    if (err < 0) return err;
    if ((flags & VRING_DESC_F_NEXT) === 0) return 0;
    i = next;
  }
}

/**
 * `vhost_get_vq_desc`: pop the next available buffer into `iov`. Returns its head index,
 * `vq.num` when the ring is empty, or -errno when the driver broke a rule (the queue is then
 * broken): -EFAULT (avail idx moved too far, buffer outside memory), -EINVAL (head or next out
 * of range, descriptor loop, out after in, nested or malformed indirect table), -E2BIG, -ENOBUFS.
 */
export function* vhost_get_vq_desc(vq: vhost_virtqueue, iov: VhostIov, iov_size = UIO_MAXIOV): KGen<number> {
  const mem = vq.mem;
  const vring = vq.vring;
  if (vq.broken) return -EIO;

  // Check it isn't doing very strange things with descriptor numbers.
  const last_avail_idx = vq.last_avail_idx;
  if (vq.avail_idx === vq.last_avail_idx) {
    vq.avail_idx = yield* mem.read16(vring.avail + VRING_AVAIL_LAYOUT.idx);
    if (((vq.avail_idx - last_avail_idx) & 0xffff) > vq.num) {
      return vq_err(vq, EFAULT, `Guest moved used index from ${String(last_avail_idx)} to ${String(vq.avail_idx)}`);
    }
    // If there's nothing new since last we looked, return invalid.
    if (vq.avail_idx === last_avail_idx) return vq.num;
    // Only get avail ring entries after they have been exposed by guest.
    yield* mem.virtio_rmb(true);
  }

  // Grab the next descriptor number they're advertising.
  const head = yield* mem.read16(
    vring.avail + VRING_AVAIL_LAYOUT.ring + (last_avail_idx & (vq.num - 1)) * VRING_AVAIL_LAYOUT.entry,
  );
  // If their number is silly, that's an error.
  if (head >= vq.num) return vq_err(vq, EINVAL, `Guest says index ${String(head)} > ${String(vq.num)} is available`);

  // When we start there are none of either input nor output.
  iov.out_num = 0;
  iov.in_num = 0;

  let i = head;
  let found = 0;
  for (;;) {
    if (i >= vq.num) {
      return vq_err(vq, EINVAL, `Desc index is ${String(i)} > ${String(vq.num)}, head = ${String(head)}`);
    }
    if (++found > vq.num) {
      return vq_err(
        vq,
        EINVAL,
        `Loop detected: last one at ${String(i)} vq size ${String(vq.num)} head ${String(head)}`,
      );
    }
    const d = vring.desc + i * DESC_SIZE;
    const addr = yield* mem.read64(d + VRING_DESC_LAYOUT.addr);
    const len = yield* mem.read32(d + VRING_DESC_LAYOUT.len);
    const flags = yield* mem.read16(d + VRING_DESC_LAYOUT.flags);
    const next = yield* mem.read16(d + VRING_DESC_LAYOUT.next);
    if ((flags & VRING_DESC_F_INDIRECT) !== 0) {
      const ret = yield* get_indirect(vq, iov, iov_size, addr, len);
      if (ret < 0) return ret;
    } else {
      const err = add_segment(vq, addr, len, flags, iov, iov_size, `descriptor idx ${String(i)}`);
      if (err < 0) return err;
    }
    // If this descriptor says it doesn't chain, we're done.
    if ((flags & VRING_DESC_F_NEXT) === 0) break;
    i = next;
  }

  // On success, increment avail index.
  vq.last_avail_idx = (vq.last_avail_idx + 1) & 0xffff;
  // vhost assumes kicks are disabled here (BUG_ON); with them enabled, keep avail_event current
  // as QEMU does, or the driver would never kick again.
  if (vq.event && (vq.used_flags & VRING_USED_F_NO_NOTIFY) === 0) {
    yield* mem.write16(vring_avail_event(vring), vq.last_avail_idx);
  }
  return head;
}

/** `vhost_discard_vq_desc`: give back the last `n` popped buffers (error handling). */
export function vhost_discard_vq_desc(vq: vhost_virtqueue, n: number): void {
  vq.last_avail_idx = (vq.last_avail_idx - n) & 0xffff;
}

function* __vhost_add_used_n(vq: vhost_virtqueue, heads: readonly VhostUsedElem[], from: number, count: number): KGen<void> {
  const mem = vq.mem;
  const start = vq.last_used_idx & (vq.num - 1);
  for (let k = 0; k < count; k++) {
    const e = vq.vring.used + VRING_USED_LAYOUT.ring + (start + k) * VRING_USED_LAYOUT.entry;
    yield* mem.write32(e, heads[from + k]!.id);
    yield* mem.write32(e + 4, heads[from + k]!.len);
  }
  const old = vq.last_used_idx;
  const new_idx = (vq.last_used_idx = (vq.last_used_idx + count) & 0xffff);
  // If the driver never bothers to signal in a very long while, used index might wrap around.
  // If that happens, invalidate signalled_used index we stored.
  if (((new_idx - vq.signalled_used) & 0xffff) < ((new_idx - old) & 0xffff)) vq.signalled_used_valid = false;
}

function checkUsed(vq: vhost_virtqueue, heads: readonly VhostUsedElem[], count: number): void {
  if (!Array.isArray(heads) || !Number.isInteger(count) || count < 0 || count > heads.length || count > vq.num) {
    throw new KernelError(
      'EINVAL',
      `vhost_add_used_n: count ${String(count)} must be at most the ${String(Array.isArray(heads) ? heads.length : 0)} heads given and the queue size ${String(vq.num)}`,
    );
  }
  for (let k = 0; k < count; k++) {
    const h = heads[k];
    if (
      typeof h !== 'object' ||
      h === null ||
      !Number.isInteger(h.id) ||
      h.id < 0 ||
      h.id >= vq.num ||
      !Number.isInteger(h.len) ||
      h.len < 0 ||
      h.len > 0xffff_ffff
    ) {
      throw new KernelError('EINVAL', `vhost_add_used_n: a used element needs an id below ${String(vq.num)} and a u32 len`);
    }
  }
}

/**
 * `vhost_add_used_n(vq, heads, count)`: return the first `count` of `heads` (all by default) to
 * the driver through the used ring, then publish used->idx once.
 */
export function vhost_add_used_n(vq: vhost_virtqueue, heads: readonly VhostUsedElem[], count = heads.length): KGen<number> {
  checkUsed(vq, heads, count);
  return add_used_n(vq, heads, count);
}

function* add_used_n(vq: vhost_virtqueue, heads: readonly VhostUsedElem[], count: number): KGen<number> {
  let from = 0;
  const start = vq.last_used_idx & (vq.num - 1);
  const n = vq.num - start;
  if (n < count) {
    yield* __vhost_add_used_n(vq, heads, 0, n);
    from = n;
    count -= n;
  }
  yield* __vhost_add_used_n(vq, heads, from, count);
  // Make sure buffer is written before we update index.
  yield* vq.mem.virtio_wmb(true);
  yield* vq.mem.write16(vq.vring.used + VRING_USED_LAYOUT.idx, vq.last_used_idx);
  return 0;
}

/** `vhost_add_used`: return one buffer (`head`, `len` bytes written) to the driver. */
export function vhost_add_used(vq: vhost_virtqueue, head: number, len: number): KGen<number> {
  return vhost_add_used_n(vq, [{ id: head, len }]);
}

/**
 * `vhost_notify`: does the driver want an interrupt for what we used since the last signal?
 * (used_event with VIRTIO_RING_F_EVENT_IDX, else !VRING_AVAIL_F_NO_INTERRUPT.)
 */
export function* vhost_notify(vq: vhost_virtqueue): KGen<boolean> {
  const mem = vq.mem;
  // Flush out used index updates. This is paired with the barrier that the Guest executes when
  // enabling interrupts.
  yield* mem.virtio_mb(true);

  if (vq.notifyOnEmpty && vq.avail_idx === vq.last_avail_idx) return true;

  if (!vq.event) {
    const flags = yield* mem.read16(vq.vring.avail + VRING_AVAIL_LAYOUT.flags);
    return (flags & VRING_AVAIL_F_NO_INTERRUPT) === 0;
  }
  const old = vq.signalled_used;
  const v = vq.signalled_used_valid;
  const new_idx = (vq.signalled_used = vq.last_used_idx);
  vq.signalled_used_valid = true;

  if (!v) return true;

  const event = yield* mem.read16(vring_used_event(vq.vring));
  return need_event(event, new_idx, old);
}

/** `vhost_signal`: raise the interrupt (vq.call) if {@link vhost_notify} says so. */
export function* vhost_signal(vq: vhost_virtqueue): KGen<boolean> {
  if (yield* vhost_notify(vq)) {
    yield* vq.call(vq);
    return true;
  }
  return false;
}

/** `vhost_add_used_and_signal`. */
export function* vhost_add_used_and_signal(vq: vhost_virtqueue, head: number, len: number): KGen<void> {
  yield* vhost_add_used(vq, head, len);
  yield* vhost_signal(vq);
}

/**
 * `vhost_enable_notify`: ask the driver to kick again (clear VRING_USED_F_NO_NOTIFY, or publish
 * avail_event), then re-check: true when buffers slipped in meanwhile (so do not sleep).
 */
export function* vhost_enable_notify(vq: vhost_virtqueue): KGen<boolean> {
  const mem = vq.mem;
  if ((vq.used_flags & VRING_USED_F_NO_NOTIFY) === 0) return false;
  vq.used_flags &= ~VRING_USED_F_NO_NOTIFY;
  if (!vq.event) yield* mem.write16(vq.vring.used + VRING_USED_LAYOUT.flags, vq.used_flags);
  else yield* mem.write16(vring_avail_event(vq.vring), vq.avail_idx);
  // They could have slipped one in as we were doing that: make sure it's written, then check again.
  yield* mem.virtio_mb(true);
  const avail_idx = yield* mem.read16(vq.vring.avail + VRING_AVAIL_LAYOUT.idx);
  return avail_idx !== vq.avail_idx;
}

/** `vhost_disable_notify`: we don't need to be notified again. */
export function* vhost_disable_notify(vq: vhost_virtqueue): KGen<void> {
  if ((vq.used_flags & VRING_USED_F_NO_NOTIFY) !== 0) return;
  vq.used_flags |= VRING_USED_F_NO_NOTIFY;
  if (!vq.event) yield* vq.mem.write16(vq.vring.used + VRING_USED_LAYOUT.flags, vq.used_flags);
}

/** `vhost_vq_avail_empty`: true if we're sure that the available ring is empty. */
export function* vhost_vq_avail_empty(vq: vhost_virtqueue): KGen<boolean> {
  if (vq.avail_idx !== vq.last_avail_idx) return false;
  vq.avail_idx = yield* vq.mem.read16(vq.vring.avail + VRING_AVAIL_LAYOUT.idx);
  return vq.avail_idx === vq.last_avail_idx;
}
