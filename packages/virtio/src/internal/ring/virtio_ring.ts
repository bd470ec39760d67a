// The driver side of the split virtqueue.
// Source: drivers/virtio/virtio_ring.c as of v5.17 (the tree the seed-002 thread reviews):
// struct vring_virtqueue and its split part, virtqueue_add_split, virtqueue_add_desc_split,
// alloc_indirect_split, virtqueue_kick_prepare_split, virtqueue_notify, virtqueue_kick,
// detach_buf_split, more_used_split, virtqueue_get_buf_ctx_split, virtqueue_disable_cb_split,
// virtqueue_enable_cb_prepare_split, virtqueue_poll_split, virtqueue_enable_cb_delayed_split,
// virtqueue_detach_unused_buf_split, vring_interrupt, __vring_new_virtqueue. Seed 002.
//
// Every function that touches ring memory is a generator over a VringMemory (memory.ts): the
// same code runs on the explored runtime and, through runSync, over a SharedArrayBuffer.
//
// Where the model differs from v5.17 (all documented in the README):
//  - used length validation from 939779f5152d ("virtio_ring: validate used buffer length",
//    v5.16-rc1, reverted by f124034faa91 before v5.16) is on unless the queue is created with
//    `suppress_used_validation` (that commit's driver flag);
//  - virtqueue_get_buf also breaks the queue when used->idx runs more than `num` entries
//    ahead of last_used_idx (vhost makes the same check on avail->idx; the kernel driver does not);
//  - detach_buf_split stops after `num` hops: the kernel follows NEXT flags read back from the
//    shared descriptor table and would loop forever on a cycle a device wrote there. With
//    `hardenDetach` it follows the driver's private desc_extra flags instead (the patch
//    "virtio_ring: use desc_extra flags when detaching" proposed on the list, not merged);
//  - no DMA API: the mapping calls are no-ops, so the -ENOMEM unmap path cannot happen.

import {
  BUG_ON, Cell, EIO, ENOSPC, IRQ_HANDLED, IRQ_NONE, KernelError, READ_ONCE, WRITE_ONCE, smp_load_acquire, spin_lock, spin_unlock,
  type KGen, type SpinLock,
} from '@k/core-sync';
import {
  VIRTIO_F_ACCESS_PLATFORM,
  VIRTIO_F_ORDER_PLATFORM,
  VIRTIO_F_RING_PACKED,
  VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC,
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
  vring_init,
  vring_used_event,
  vringFromParts,
  type Vring,
} from './layout';
import type { VringMemory } from './memory';

const DESC_SIZE = VRING_DESC_LAYOUT.size;
const D_ADDR = VRING_DESC_LAYOUT.addr;
const D_LEN = VRING_DESC_LAYOUT.len;
const D_FLAGS = VRING_DESC_LAYOUT.flags;
const D_NEXT = VRING_DESC_LAYOUT.next;
const U32_MAX = 0xffff_ffff;

/** One scatterlist entry as the ring sees it: `sg_phys(sg)` (or its DMA address) and `sg->length`. */
export interface Scatterlist {
  readonly addr: number;
  readonly length: number;
}

/** `struct vring_desc_state_split`: the token of an in-flight head and its indirect table. */
export interface vring_desc_state_split {
  /** Data for callback: the token given to virtqueue_add_*, null when the head is not in flight. */
  data: unknown;
  /** Address of the indirect table, if any; or the `ctx` of virtqueue_add_inbuf_ctx. */
  indir_desc: unknown;
}

/** `struct vring_desc_extra`: the driver's private copy of each descriptor. */
export interface vring_desc_extra {
  addr: number;
  len: number;
  flags: number;
  /** The next descriptor in a chain or in the free list. */
  next: number;
}

/**
 * Where indirect tables live: `kmalloc_array` + DMA mapping in the kernel. `alloc` returns the
 * address of `size` bytes of ring-visible memory, 16-aligned, or null when none is left
 * (the driver then falls back to direct descriptors, as the kernel does).
 */
export interface VringDmaPool {
  alloc(size: number): number | null;
  free(addr: number, size: number): void;
}

/** Out-parameter for the used length (`unsigned int *len`). */
export interface LenOut {
  value: number;
}

/** Out-parameter for the context (`void **ctx`). */
export interface CtxOut {
  value: unknown;
}

/** `bool (*notify)(struct virtqueue *vq)`: prod the device; false if that failed. */
export type VirtqueueNotify = (vq: vring_virtqueue) => KGen<boolean>;
/** `void (*callback)(struct virtqueue *vq)`: the driver's interrupt callback. */
export type VirtqueueCallback = (vq: vring_virtqueue) => KGen<void>;

/** Options of a new virtqueue: the arguments of `__vring_new_virtqueue` plus the model's switches. */
export interface VringVirtqueueOptions {
  /** Negotiated feature bits (`vdev->features`), as a 64-bit mask. Default: none. */
  features?: bigint;
  /** `weak_barriers`: smp_* barriers suffice (true for every software device). Default true. */
  weak_barriers?: boolean;
  /** `context`: the driver passes a ctx per buffer (disables indirect descriptors). Default false. */
  context?: boolean;
  /** `notify`: how to kick the device. Default: a notify that does nothing and succeeds. */
  notify?: VirtqueueNotify;
  /** `callback`: run by vring_interrupt; none means "tell the device not to interrupt". */
  callback?: VirtqueueCallback | null;
  /** `name` of the queue, for messages. Default "vq<index>". */
  name?: string;
  /** Memory for indirect tables. Without it, indirect is never used (alloc "fails"). */
  dmaPool?: VringDmaPool | null;
  /** 939779f5152d's driver flag: do not check used lengths against the buffer. Default false. */
  suppress_used_validation?: boolean;
  /** Walk chains by the private desc_extra flags in detach_buf_split (unmerged hardening). Default false. */
  hardenDetach?: boolean;
  /** dev_err / WARN output. Default: ignored. */
  log?: (level: 'err' | 'warn', message: string) => void;
  /**
   * The device the queue belongs to (`vq->vq.vdev`): vring_interrupt checks its
   * `irq_soft_enabled` as the seed patch does. Default none (no such check).
   */
  vdev?: VirtioIrqSoftState | null;
  /**
   * CONFIG_VIRTIO_HARDEN_NOTIFICATION (v5.19): the queue starts broken until
   * __virtio_unbreak_device, and vring_interrupt returns IRQ_NONE on a broken queue. Default false.
   */
  harden_notification?: boolean;
}

/**
 * What vring_interrupt reads of the device under the seed patch (`struct virtio_device`'s
 * irq_soft_check and irq_soft_enabled); {@link virtio_device} has them.
 */
export interface VirtioIrqSoftState {
  /** whether or not to check irq_soft_enabled (the seed's irq_hardening module parameter) */
  readonly irq_soft_check: boolean;
  /** callbacks enabled */
  readonly irq_soft_enabled: Cell<boolean>;
}

/** The device side of __virtio_unbreak_device / virtio_break_device: its queue list and lock. */
export interface VirtqueueList {
  readonly vqs: readonly vring_virtqueue[];
  readonly vqs_list_lock: SpinLock;
}

/** The split part of `struct vring_virtqueue`. */
export interface vring_virtqueue_split {
  /** Actual memory layout for this queue. */
  readonly vring: Vring;
  /** Last written value to avail->flags. */
  avail_flags_shadow: number;
  /** Last written value to avail->idx. */
  avail_idx_shadow: number;
  /** Per-descriptor state. */
  readonly desc_state: vring_desc_state_split[];
  readonly desc_extra: vring_desc_extra[];
}

/** Tests whether feature `fbit` is in `features` (`virtio_has_feature`). */
export function virtio_has_feature(features: bigint, fbit: number): boolean {
  return ((features >> BigInt(fbit)) & 1n) === 1n;
}

/**
 * `struct vring_virtqueue` (with `struct virtqueue` folded in: index, name, num_free, callback).
 * Build one with {@link __vring_new_virtqueue} or {@link vring_new_virtqueue}.
 */
export class vring_virtqueue {
  /** `vq.index`. */
  readonly index: number;
  /** `vq.name`. */
  readonly name: string;
  /** `vq.num_free`: descriptors on the free list. */
  num_free: number;
  /** `vq.callback`. */
  readonly callback: VirtqueueCallback | null;
  /**
   * Other side has made a mess, don't try any more. A core-sync Cell: on explored memory the
   * ring reads and writes it as the kernel does (plain, or READ_ONCE/WRITE_ONCE where v5.19 marks
   * it); over synchronous memories through peek()/init().
   */
  readonly broken: Cell<boolean>;
  /** Why the queue broke (the BAD_RING message), when it did. */
  broken_reason: string | null = null;
  /** Host supports indirect buffers. */
  readonly indirect: boolean;
  /** Host publishes avail event idx. */
  readonly event: boolean;
  /** Is DMA API used? (VIRTIO_F_ACCESS_PLATFORM negotiated; the mappings are identity here). */
  readonly use_dma_api: boolean;
  /** Can we use weak barriers? */
  readonly weak_barriers: boolean;
  /** Head of free buffer list. */
  free_head = 0;
  /** Number we've added since last sync. */
  num_added = 0;
  /** Last used index we've seen. */
  last_used_idx = 0;
  /** Hint for event idx: already triggered no need to disable. */
  event_triggered = false;
  readonly split: vring_virtqueue_split;
  /** 939779f5152d: in-buffer length per head, null when validation is suppressed. */
  readonly buflen: Uint32Array | null;
  /** How to notify other side. */
  readonly notify: VirtqueueNotify;
  readonly mem: VringMemory;
  readonly dmaPool: VringDmaPool | null;
  readonly hardenDetach: boolean;
  readonly log: (level: 'err' | 'warn', message: string) => void;
  /** WARN_ON_ONCE state. */
  warned = false;
  /** dev_warn_once state of vring_interrupt. */
  warned_irq = false;
  /** `vq->vq.vdev` for the seed's irq_soft_enabled check, or null. */
  readonly vdev: VirtioIrqSoftState | null;
  /** CONFIG_VIRTIO_HARDEN_NOTIFICATION for this queue. */
  readonly harden_notification: boolean;
  /**
   * k: a detach walk was cut short (the kernel would still be spinning in detach_buf_split),
   * so num_free no longer means anything and detach_unused_buf's final BUG_ON is skipped.
   */
  detach_aborted = false;

  /** @internal Use {@link __vring_new_virtqueue}. */
  constructor(index: number, vring: Vring, mem: VringMemory, opts: VringVirtqueueOptions) {
    const features = opts.features ?? 0n;
    const context = opts.context ?? false;
    this.index = index;
    this.name = opts.name ?? `vq${String(index)}`;
    this.num_free = vring.num;
    this.callback = opts.callback ?? null;
    this.notify = opts.notify ?? noNotify;
    this.mem = mem;
    this.dmaPool = opts.dmaPool ?? null;
    this.hardenDetach = opts.hardenDetach ?? false;
    this.log = opts.log ?? (() => undefined);
    this.vdev = opts.vdev ?? null;
    this.harden_notification = opts.harden_notification ?? false;
    // v5.19: a hardened queue starts broken, until virtio_device_ready unbreaks it.
    this.broken = new Cell(this.harden_notification, `${this.name}->broken`);
    this.use_dma_api = virtio_has_feature(features, VIRTIO_F_ACCESS_PLATFORM);
    this.indirect = virtio_has_feature(features, VIRTIO_RING_F_INDIRECT_DESC) && !context;
    this.event = virtio_has_feature(features, VIRTIO_RING_F_EVENT_IDX);
    this.weak_barriers = virtio_has_feature(features, VIRTIO_F_ORDER_PLATFORM) ? false : (opts.weak_barriers ?? true);
    const desc_state: vring_desc_state_split[] = [];
    const desc_extra: vring_desc_extra[] = [];
    // vring_alloc_desc_extra: the free list is 0 -> 1 -> ... -> num-1 (-> 0, from the memset).
    for (let i = 0; i < vring.num; i++) {
      desc_state.push({ data: null, indir_desc: null });
      desc_extra.push({ addr: 0, len: 0, flags: 0, next: i + 1 < vring.num ? i + 1 : 0 });
    }
    this.split = { vring, avail_flags_shadow: 0, avail_idx_shadow: 0, desc_state, desc_extra };
    this.buflen = opts.suppress_used_validation === true ? null : new Uint32Array(vring.num);
  }
}

function* noNotify(): KGen<boolean> {
  return true;
}

/** Reads `vq->broken` with a plain load (as every ring function but virtqueue_is_broken does). */
function* broken(vq: vring_virtqueue): KGen<boolean> {
  return vq.mem.explored === true ? yield* vq.broken.read() : vq.broken.peek();
}

/** `vq->broken = true` (a plain store). */
function* set_broken(vq: vring_virtqueue, reason: string): KGen {
  if (vq.broken_reason === null) vq.broken_reason = reason;
  if (vq.mem.explored === true) yield* vq.broken.write(true);
  else vq.broken.init(true);
}

/** `BAD_RING(vq, fmt, ...)` without DEBUG: log and mark the queue broken. */
function* BAD_RING(vq: vring_virtqueue, message: string): KGen {
  vq.log('err', `${vq.name}:${message}`);
  yield* set_broken(vq, message);
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 0xffff) {
    throw new KernelError('EINVAL', `virtqueue index ${String(index)} is not a u16`);
  }
}

/**
 * `__vring_new_virtqueue(index, vring, vdev, weak_barriers, context, notify, callback, name)`:
 * a split virtqueue over an already laid-out ring in `mem`. With no callback it tells the device
 * not to interrupt (avail->flags, unless event idx is negotiated).
 * @throws KernelError EINVAL when the ring does not fit `mem` or the packed ring was negotiated
 * (the kernel returns NULL there).
 */
export function* __vring_new_virtqueue(
  index: number,
  vring: Vring,
  mem: VringMemory,
  opts: VringVirtqueueOptions = {},
): KGen<vring_virtqueue> {
  checkIndex(index);
  if (virtio_has_feature(opts.features ?? 0n, VIRTIO_F_RING_PACKED)) {
    throw new KernelError('EINVAL', '__vring_new_virtqueue: VIRTIO_F_RING_PACKED negotiated, this is the split ring');
  }
  let checked: Vring;
  try {
    checked = vringFromParts(vring.num, vring.desc, vring.avail, vring.used, mem.size);
  } catch (e) {
    throw new KernelError('EINVAL', `__vring_new_virtqueue: ${(e as Error).message}`);
  }
  const vq = new vring_virtqueue(index, checked, mem, opts);
  // No callback?  Tell other side not to bother us.
  if (vq.callback === null) {
    vq.split.avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
    if (!vq.event) yield* mem.write16(checked.avail + VRING_AVAIL_LAYOUT.flags, vq.split.avail_flags_shadow);
  }
  return vq;
}

/**
 * `vring_new_virtqueue(index, num, vring_align, vdev, weak_barriers, context, pages, ...)`:
 * lays the legacy contiguous ring out at `pages` (vring_init) and creates the queue.
 */
export function* vring_new_virtqueue(
  index: number,
  num: number,
  vring_align: number,
  mem: VringMemory,
  pages: number,
  opts: VringVirtqueueOptions = {},
): KGen<vring_virtqueue> {
  let vring: Vring;
  try {
    vring = vring_init(num, pages, vring_align);
  } catch (e) {
    throw new KernelError('EINVAL', `vring_new_virtqueue: ${(e as Error).message}`);
  }
  return yield* __vring_new_virtqueue(index, vring, mem, opts);
}

function virtqueue_use_indirect(vq: vring_virtqueue, total_sg: number): boolean {
  // If the host supports indirect descriptor tables, and we have multiple buffers, then go indirect.
  return vq.indirect && total_sg > 1 && vq.num_free !== 0;
}

function* alloc_indirect_split(vq: vring_virtqueue, total_sg: number): KGen<number | null> {
  const desc = vq.dmaPool?.alloc(total_sg * DESC_SIZE) ?? null;
  if (desc === null) return null;
  for (let i = 0; i < total_sg; i++) yield* vq.mem.write16(desc + i * DESC_SIZE + D_NEXT, i + 1);
  return desc;
}

function* virtqueue_add_desc_split(
  vq: vring_virtqueue,
  desc: number,
  i: number,
  addr: number,
  len: number,
  flags: number,
  indirect: boolean,
): KGen<number> {
  const mem = vq.mem;
  const d = desc + i * DESC_SIZE;
  yield* mem.write16(d + D_FLAGS, flags);
  yield* mem.write64(d + D_ADDR, addr);
  yield* mem.write32(d + D_LEN, len);
  if (!indirect) {
    const extra = vq.split.desc_extra[i]!;
    const next = extra.next;
    yield* mem.write16(d + D_NEXT, next);
    extra.addr = addr;
    extra.len = len;
    extra.flags = flags;
    return next;
  }
  return yield* mem.read16(d + D_NEXT);
}

function* virtqueue_add_split(
  vq: vring_virtqueue,
  sgs: readonly (readonly Scatterlist[])[],
  total_sg: number,
  out_sgs: number,
  in_sgs: number,
  data: unknown,
  ctx: unknown,
): KGen<number> {
  const mem = vq.mem;
  const vring = vq.split.vring;
  BUG_ON(data === null || data === undefined, 'BUG_ON(data == NULL) at virtqueue_add_split');
  BUG_ON(ctx !== null && ctx !== undefined && vq.indirect, 'BUG_ON(ctx && vq->indirect) at virtqueue_add_split');

  if (vq.mem.explored === true ? yield* vq.broken.read() : vq.broken.peek()) return -EIO;

  BUG_ON(total_sg === 0, 'BUG_ON(total_sg == 0) at virtqueue_add_split');

  const head = vq.free_head;
  let table: number | null = null;
  if (virtqueue_use_indirect(vq, total_sg)) table = yield* alloc_indirect_split(vq, total_sg);
  else if (total_sg > vring.num && !vq.indirect && !vq.warned) {
    vq.warned = true;
    vq.log('warn', `WARN_ON_ONCE(total_sg > vq->split.vring.num && !vq->indirect) in virtqueue_add_split`);
  }

  let indirect: boolean;
  let desc: number;
  let i: number;
  let descs_used: number;
  if (table !== null) {
    // Use a single buffer which doesn't continue; set up rest to use this indirect table.
    indirect = true;
    desc = table;
    i = 0;
    descs_used = 1;
  } else {
    indirect = false;
    desc = vring.desc;
    i = head;
    descs_used = total_sg;
  }

  if (vq.num_free < descs_used) {
    // For historical reasons, force a notify if there are outgoing parts to the buffer.
    if (out_sgs !== 0) yield* vq.notify(vq);
    if (indirect) vq.dmaPool!.free(desc, total_sg * DESC_SIZE);
    return -ENOSPC;
  }

  let prev = 0;
  let buflen = 0;
  for (let n = 0; n < out_sgs; n++) {
    for (const sg of sgs[n]!) {
      prev = i;
      i = yield* virtqueue_add_desc_split(vq, desc, i, sg.addr, sg.length, VRING_DESC_F_NEXT, indirect);
    }
  }
  for (let n = out_sgs; n < out_sgs + in_sgs; n++) {
    for (const sg of sgs[n]!) {
      prev = i;
      i = yield* virtqueue_add_desc_split(
        vq,
        desc,
        i,
        sg.addr,
        sg.length,
        VRING_DESC_F_NEXT | VRING_DESC_F_WRITE,
        indirect,
      );
      buflen += sg.length;
    }
  }
  // Last one doesn't continue (a read-modify-write of the descriptor in ring memory).
  const lastFlags = desc + prev * DESC_SIZE + D_FLAGS;
  yield* mem.write16(lastFlags, (yield* mem.read16(lastFlags)) & ~VRING_DESC_F_NEXT);
  if (!indirect && (vq.use_dma_api || vq.hardenDetach)) {
    vq.split.desc_extra[prev & (vring.num - 1)]!.flags &= ~VRING_DESC_F_NEXT;
  }

  if (indirect) {
    // Now that the indirect table is filled in, point the head descriptor at it.
    yield* virtqueue_add_desc_split(vq, vring.desc, head, desc, total_sg * DESC_SIZE, VRING_DESC_F_INDIRECT, false);
  }

  // We're using some buffers from the free list.
  vq.num_free -= descs_used;

  // Update free pointer.
  vq.free_head = indirect ? vq.split.desc_extra[head]!.next : i;

  // Store token and indirect buffer state.
  const state = vq.split.desc_state[head]!;
  state.data = data;
  state.indir_desc = indirect ? desc : (ctx ?? null);
  if (vq.buflen !== null) vq.buflen[head] = Math.min(buflen, U32_MAX);

  // Put entry in available array (but don't update avail->idx until they do sync).
  const avail = vq.split.avail_idx_shadow & (vring.num - 1);
  yield* mem.write16(vring.avail + VRING_AVAIL_LAYOUT.ring + avail * VRING_AVAIL_LAYOUT.entry, head);

  // Descriptors and available array need to be set before we expose the new available array entries.
  yield* mem.virtio_wmb(vq.weak_barriers);
  vq.split.avail_idx_shadow = (vq.split.avail_idx_shadow + 1) & 0xffff;
  yield* mem.write16(vring.avail + VRING_AVAIL_LAYOUT.idx, vq.split.avail_idx_shadow);
  vq.num_added++;

  // This is very unlikely, but theoretically possible.  Kick just in case.
  if (vq.num_added === (1 << 16) - 1) yield* virtqueue_kick(vq);

  return 0;
}

function checkSgs(func: string, sgs: readonly (readonly Scatterlist[])[], out_sgs: number, in_sgs: number): number {
  if (!Number.isInteger(out_sgs) || !Number.isInteger(in_sgs) || out_sgs < 0 || in_sgs < 0) {
    throw new KernelError('EINVAL', `${func}: out_sgs and in_sgs must be non-negative integers`);
  }
  if (!Array.isArray(sgs) || out_sgs + in_sgs > sgs.length) {
    throw new KernelError(
      'EINVAL',
      `${func}: ${String(out_sgs + in_sgs)} scatterlists announced, ${String(Array.isArray(sgs) ? sgs.length : 0)} given`,
    );
  }
  // Count them first.
  let total_sg = 0;
  for (let n = 0; n < out_sgs + in_sgs; n++) {
    const list = sgs[n];
    if (!Array.isArray(list)) throw new KernelError('EINVAL', `${func}: scatterlist ${String(n)} is not an array`);
    for (const sg of list as readonly Scatterlist[]) {
      if (
        typeof sg !== 'object' ||
        sg === null ||
        !Number.isSafeInteger(sg.addr) ||
        sg.addr < 0 ||
        !Number.isInteger(sg.length) ||
        sg.length < 0 ||
        sg.length > U32_MAX
      ) {
        throw new KernelError('EINVAL', `${func}: a scatterlist entry needs an address and a u32 length`);
      }
      total_sg++;
    }
  }
  return total_sg;
}

// The wrappers below are plain functions returning the generator of virtqueue_add_split: one
// generator frame less per call on the fast path, and their argument checks throw at the call.

/**
 * `virtqueue_add_sgs`: expose `out_sgs` readable then `in_sgs` writable scatterlists to the
 * device as one buffer identified by `data`. Returns 0, -ENOSPC (ring full), -EIO (broken).
 * @throws KernelBug when `data` is null/undefined or there is no scatterlist entry (BUG_ON).
 */
export function virtqueue_add_sgs(
  vq: vring_virtqueue,
  sgs: readonly (readonly Scatterlist[])[],
  out_sgs: number,
  in_sgs: number,
  data: unknown,
): KGen<number> {
  const total_sg = checkSgs('virtqueue_add_sgs', sgs, out_sgs, in_sgs);
  return virtqueue_add_split(vq, sgs, total_sg, out_sgs, in_sgs, data, null);
}

/** `virtqueue_add_outbuf`: expose device-readable buffers. Returns 0, -ENOSPC or -EIO. */
export function virtqueue_add_outbuf(vq: vring_virtqueue, sg: readonly Scatterlist[], data: unknown): KGen<number> {
  const sgs = [sg];
  const total_sg = checkSgs('virtqueue_add_outbuf', sgs, 1, 0);
  return virtqueue_add_split(vq, sgs, total_sg, 1, 0, data, null);
}

/** `virtqueue_add_inbuf`: expose device-writable buffers. Returns 0, -ENOSPC or -EIO. */
export function virtqueue_add_inbuf(vq: vring_virtqueue, sg: readonly Scatterlist[], data: unknown): KGen<number> {
  const sgs = [sg];
  const total_sg = checkSgs('virtqueue_add_inbuf', sgs, 0, 1);
  return virtqueue_add_split(vq, sgs, total_sg, 0, 1, data, null);
}

/** `virtqueue_add_inbuf_ctx`: as add_inbuf, with a context returned by virtqueue_get_buf_ctx. */
export function virtqueue_add_inbuf_ctx(
  vq: vring_virtqueue,
  sg: readonly Scatterlist[],
  data: unknown,
  ctx: unknown,
): KGen<number> {
  const sgs = [sg];
  const total_sg = checkSgs('virtqueue_add_inbuf_ctx', sgs, 0, 1);
  return virtqueue_add_split(vq, sgs, total_sg, 0, 1, data, ctx);
}

/**
 * `virtqueue_kick_prepare`: publish the added buffers and decide whether the device wants a
 * notification (avail_event with VIRTIO_RING_F_EVENT_IDX, else !VRING_USED_F_NO_NOTIFY).
 */
export function* virtqueue_kick_prepare(vq: vring_virtqueue): KGen<boolean> {
  const mem = vq.mem;
  // We need to expose available array entries before checking avail event.
  yield* mem.virtio_mb(vq.weak_barriers);

  const old = (vq.split.avail_idx_shadow - vq.num_added) & 0xffff;
  const new_idx = vq.split.avail_idx_shadow;
  vq.num_added = 0;

  if (vq.event) {
    return need_event(yield* mem.read16(vring_avail_event(vq.split.vring)), new_idx, old);
  }
  const flags = yield* mem.read16(vq.split.vring.used + VRING_USED_LAYOUT.flags);
  return (flags & VRING_USED_F_NO_NOTIFY) === 0;
}

/** `virtqueue_notify`: run the notify hook; false (and broken) if it failed, false if broken. */
export function* virtqueue_notify(vq: vring_virtqueue): KGen<boolean> {
  if (yield* broken(vq)) return false;
  // Prod other side to tell it about changes.
  if (!(yield* vq.notify(vq))) {
    yield* set_broken(vq, 'notify failed');
    return false;
  }
  return true;
}

/** `virtqueue_kick`: kick_prepare then notify if needed. False if the kick failed. */
export function* virtqueue_kick(vq: vring_virtqueue): KGen<boolean> {
  if (yield* virtqueue_kick_prepare(vq)) return yield* virtqueue_notify(vq);
  return true;
}

/** Returns false (after BAD_RING) when the walk from `head` did not end within `num` hops. */
function* detach_buf_split(vq: vring_virtqueue, head: number, ctx: CtxOut | null): KGen<boolean> {
  const mem = vq.mem;
  const { vring, desc_state, desc_extra } = vq.split;
  const state = desc_state[head]!;

  // Clear data ptr.
  state.data = null;

  // Put back on free list: unmap first-level descriptors and find end.
  let i = head;
  let hops = 0;
  for (;;) {
    const flags = vq.hardenDetach
      ? desc_extra[i]!.flags
      : yield* mem.read16(vring.desc + i * DESC_SIZE + D_FLAGS);
    if ((flags & VRING_DESC_F_NEXT) === 0) break;
    // k addition: the kernel trusts the shared NEXT flags and would loop on a cycle.
    if (++hops >= vring.num) {
      yield* BAD_RING(vq, `descriptor chain of head ${String(head)} does not end within ${String(vring.num)} hops`);
      vq.detach_aborted = true;
      return false;
    }
    i = desc_extra[i]!.next;
    vq.num_free++;
  }

  desc_extra[i]!.next = vq.free_head;
  vq.free_head = head;

  // Plus final descriptor.
  vq.num_free++;

  if (vq.indirect) {
    const indir_desc = state.indir_desc as number | null;
    // Free the indirect table, if any, now that it's unmapped.
    if (indir_desc === null) return true;
    const len = desc_extra[head]!.len;
    BUG_ON((desc_extra[head]!.flags & VRING_DESC_F_INDIRECT) === 0, 'BUG_ON(!(vq->split.desc_extra[head].flags & VRING_DESC_F_INDIRECT)) at detach_buf_split');
    BUG_ON(len === 0 || len % DESC_SIZE !== 0, 'BUG_ON(len == 0 || len % sizeof(struct vring_desc)) at detach_buf_split');
    if (vq.use_dma_api) {
      // vring_unmap_one_split_indirect reads each entry's flags to pick the DMA direction.
      for (let j = 0; j < len / DESC_SIZE; j++) yield* mem.read16(indir_desc + j * DESC_SIZE + D_FLAGS);
    }
    vq.dmaPool?.free(indir_desc, len);
    state.indir_desc = null;
  } else if (ctx !== null) {
    ctx.value = state.indir_desc;
  }
  return true;
}

/** `more_used_split` / `more_used`: has the device used buffers we have not collected? */
export function* more_used(vq: vring_virtqueue): KGen<boolean> {
  return vq.last_used_idx !== (yield* vq.mem.read16(vq.split.vring.used + VRING_USED_LAYOUT.idx));
}

/**
 * `virtqueue_get_buf_ctx`: the next used buffer's token, or null when there is none or the
 * queue is (or just became) broken. Sets `len.value` to the length the device wrote and
 * `ctx.value` to the context given to virtqueue_add_inbuf_ctx.
 */
export function* virtqueue_get_buf_ctx(
  vq: vring_virtqueue,
  len: LenOut | null,
  ctx: CtxOut | null,
): KGen<unknown> {
  const mem = vq.mem;
  const vring = vq.split.vring;

  if (vq.mem.explored === true ? yield* vq.broken.read() : vq.broken.peek()) return null;

  const used_idx = yield* mem.read16(vring.used + VRING_USED_LAYOUT.idx);
  if (vq.last_used_idx === used_idx) return null;
  // k addition: a device cannot have used more than num buffers we have not collected.
  if (((used_idx - vq.last_used_idx) & 0xffff) > vring.num) {
    yield* BAD_RING(vq, `used idx ${String(used_idx)} moved too far from ${String(vq.last_used_idx)}`);
    return null;
  }

  // Only get used array entries after they have been exposed by host.
  yield* mem.virtio_rmb(vq.weak_barriers);

  const last_used = vq.last_used_idx & (vring.num - 1);
  const elem = vring.used + VRING_USED_LAYOUT.ring + last_used * VRING_USED_LAYOUT.entry;
  const i = yield* mem.read32(elem);
  const used_len = yield* mem.read32(elem + 4);
  if (len !== null) len.value = used_len;

  if (i >= vring.num) {
    yield* BAD_RING(vq, `id ${String(i)} out of range`);
    return null;
  }
  const state = vq.split.desc_state[i]!;
  if (state.data === null) {
    yield* BAD_RING(vq, `id ${String(i)} is not a head!`);
    return null;
  }
  if (vq.buflen !== null && used_len > vq.buflen[i]!) {
    yield* BAD_RING(vq, `used len ${String(used_len)} is larger than in buflen ${String(vq.buflen[i])}`);
    return null;
  }

  // detach_buf_split clears data, so grab it now.
  const ret = state.data;
  if (!(yield* detach_buf_split(vq, i, ctx))) return null;
  vq.last_used_idx = (vq.last_used_idx + 1) & 0xffff;
  // If we expect an interrupt for the next entry, tell host by writing event index and flush
  // out the write before the read in the next get_buf call.
  if ((vq.split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) === 0) {
    yield* mem.write16(vring_used_event(vring), vq.last_used_idx);
    yield* mem.virtio_mb(vq.weak_barriers);
  }
  return ret;
}

/** `virtqueue_get_buf`: {@link virtqueue_get_buf_ctx} without a context. */
export function virtqueue_get_buf(vq: vring_virtqueue, len: LenOut | null = null): KGen<unknown> {
  return virtqueue_get_buf_ctx(vq, len, null);
}

/** `virtqueue_disable_cb`: ask the device not to interrupt (a hint, not synchronous). */
export function* virtqueue_disable_cb(vq: vring_virtqueue): KGen<void> {
  // If device triggered an event already it won't trigger one again: no need to disable.
  if (vq.event_triggered) return;
  if ((vq.split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) === 0) {
    vq.split.avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
    if (vq.event) {
      // TODO in the kernel: "this is a hack. Figure out a cleaner value to write."
      yield* vq.mem.write16(vring_used_event(vq.split.vring), 0x0);
    } else {
      yield* vq.mem.write16(vq.split.vring.avail + VRING_AVAIL_LAYOUT.flags, vq.split.avail_flags_shadow);
    }
  }
}

/**
 * `virtqueue_enable_cb_prepare`: turn callbacks back on and return the opaque state to hand
 * to {@link virtqueue_poll} (the last used index seen).
 */
export function* virtqueue_enable_cb_prepare(vq: vring_virtqueue): KGen<number> {
  if (vq.event_triggered) vq.event_triggered = false;
  // Depending on VIRTIO_RING_F_EVENT_IDX, either clear the flags bit or point the event index
  // at the next entry. Always do both to keep code simple.
  if ((vq.split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) !== 0) {
    vq.split.avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
    if (!vq.event) {
      yield* vq.mem.write16(vq.split.vring.avail + VRING_AVAIL_LAYOUT.flags, vq.split.avail_flags_shadow);
    }
  }
  const last_used_idx = vq.last_used_idx;
  yield* vq.mem.write16(vring_used_event(vq.split.vring), last_used_idx);
  return last_used_idx;
}

/** `virtqueue_poll`: are there used buffers after `last_used_idx`? False when broken. */
export function* virtqueue_poll(vq: vring_virtqueue, last_used_idx: number): KGen<boolean> {
  if (yield* broken(vq)) return false;
  yield* vq.mem.virtio_mb(vq.weak_barriers);
  return (last_used_idx & 0xffff) !== (yield* vq.mem.read16(vq.split.vring.used + VRING_USED_LAYOUT.idx));
}

/** `virtqueue_enable_cb`: re-enable callbacks; false if buffers are already pending. */
export function* virtqueue_enable_cb(vq: vring_virtqueue): KGen<boolean> {
  const last_used_idx = yield* virtqueue_enable_cb_prepare(vq);
  return !(yield* virtqueue_poll(vq, last_used_idx));
}

/**
 * `virtqueue_enable_cb_delayed`: re-enable callbacks but ask for the interrupt only after 3/4
 * of the outstanding buffers are used; false if that many are already pending.
 */
export function* virtqueue_enable_cb_delayed(vq: vring_virtqueue): KGen<boolean> {
  const mem = vq.mem;
  if (vq.event_triggered) vq.event_triggered = false;
  if ((vq.split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) !== 0) {
    vq.split.avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
    if (!vq.event) yield* mem.write16(vq.split.vring.avail + VRING_AVAIL_LAYOUT.flags, vq.split.avail_flags_shadow);
  }
  // TODO in the kernel: tune this threshold. (u16) arithmetic, then integer * 3 / 4.
  const bufs = Math.floor((((vq.split.avail_idx_shadow - vq.last_used_idx) & 0xffff) * 3) / 4) & 0xffff;

  yield* mem.write16(vring_used_event(vq.split.vring), (vq.last_used_idx + bufs) & 0xffff);
  yield* mem.virtio_mb(vq.weak_barriers);

  const used_idx = yield* mem.read16(vq.split.vring.used + VRING_USED_LAYOUT.idx);
  return ((used_idx - vq.last_used_idx) & 0xffff) <= bufs;
}

/**
 * `virtqueue_detach_unused_buf`: take back the first buffer still in flight (for device
 * shutdown, after a reset), or null when none is left.
 * @throws KernelBug when nothing is in flight yet num_free != num (BUG_ON).
 */
export function* virtqueue_detach_unused_buf(vq: vring_virtqueue): KGen<unknown> {
  const { vring, desc_state } = vq.split;
  for (let i = 0; i < vring.num; i++) {
    const buf = desc_state[i]!.data;
    if (buf === null) continue;
    // detach_buf_split clears data, so grab it now.
    yield* detach_buf_split(vq, i, null);
    vq.split.avail_idx_shadow = (vq.split.avail_idx_shadow - 1) & 0xffff;
    yield* vq.mem.write16(vring.avail + VRING_AVAIL_LAYOUT.idx, vq.split.avail_idx_shadow);
    return buf;
  }
  // That should have freed everything.
  BUG_ON(
    vq.num_free !== vring.num && !vq.detach_aborted,
    'BUG_ON(vq->vq.num_free != vq->split.vring.num) at virtqueue_detach_unused_buf_split',
  );
  return null;
}

/**
 * `virtio_irq_soft_enabled(vdev)` (include/linux/virtio_config.h in the seed patch): whether
 * callbacks may run. Read irq_soft_enabled before reading other device specific data: paired
 * with smp_store_release() in virtio_device_ready() and WRITE_ONCE()/synchronize_rcu() in
 * virtio_reset_device().
 */
export function* virtio_irq_soft_enabled(vdev: VirtioIrqSoftState): KGen<boolean> {
  if (!vdev.irq_soft_check) return true;
  return yield* smp_load_acquire(vdev.irq_soft_enabled);
}

/**
 * `vring_interrupt`: IRQ_NONE when there is no used buffer, else runs the callback. The
 * hardening of the device decides the rest:
 * - v5.17 (no hardening): a broken queue gets IRQ_HANDLED without the callback;
 * - the seed patch (`vq.vdev` with irq_soft_check): IRQ_NONE before anything else when
 *   virtio_irq_soft_enabled() is false ("virtio vring IRQ raised before DRIVER_OK");
 * - v5.19 with CONFIG_VIRTIO_HARDEN_NOTIFICATION (`harden_notification`): a broken queue, which
 *   includes one not yet unbroken by virtio_device_ready, gets IRQ_NONE and the same warning.
 */
export function* vring_interrupt(_irq: number, vq: vring_virtqueue): KGen<number> {
  if (vq.vdev !== null && !(yield* virtio_irq_soft_enabled(vq.vdev))) {
    warn_irq_once(vq);
    return IRQ_NONE;
  }
  if (!(yield* more_used(vq))) return IRQ_NONE;
  if (yield* broken(vq)) {
    if (vq.harden_notification) {
      warn_irq_once(vq);
      return IRQ_NONE;
    }
    return IRQ_HANDLED;
  }
  // Just a hint for performance: so it's ok that this can be racy!
  if (vq.event) vq.event_triggered = true;
  if (vq.callback !== null) yield* vq.callback(vq);
  return IRQ_HANDLED;
}

function warn_irq_once(vq: vring_virtqueue): void {
  if (vq.warned_irq) return;
  vq.warned_irq = true;
  vq.log('warn', 'virtio vring IRQ raised before DRIVER_OK');
}

/** `virtqueue_get_vring_size`. */
export function virtqueue_get_vring_size(vq: vring_virtqueue): number {
  return vq.split.vring.num;
}

/** `virtqueue_is_broken`: `READ_ONCE(vq->broken)`. */
export function* virtqueue_is_broken(vq: vring_virtqueue): KGen<boolean> {
  return vq.mem.explored === true ? yield* READ_ONCE(vq.broken) : vq.broken.peek();
}

/**
 * `virtio_break_device` (v5.19): mark every queue of the device broken, `WRITE_ONCE` under
 * vqs_list_lock (pairs with READ_ONCE() in virtqueue_is_broken()).
 */
export function* virtio_break_device(dev: VirtqueueList): KGen {
  yield* set_all_broken(dev, true);
}

/**
 * `__virtio_unbreak_device` (v5.19): the reverse, for virtio_device_ready under
 * CONFIG_VIRTIO_HARDEN_NOTIFICATION. It unbreaks every queue, also one BAD_RING broke.
 */
export function* __virtio_unbreak_device(dev: VirtqueueList): KGen {
  yield* set_all_broken(dev, false);
}

function* set_all_broken(dev: VirtqueueList, value: boolean): KGen {
  yield* spin_lock(dev.vqs_list_lock);
  for (const vq of dev.vqs) {
    if (vq.mem.explored === true) yield* WRITE_ONCE(vq.broken, value);
    else vq.broken.init(value);
  }
  yield* spin_unlock(dev.vqs_list_lock);
}
