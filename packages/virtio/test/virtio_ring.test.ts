import { ENOSPC, EIO, IRQ_HANDLED, IRQ_NONE, KernelError, Op, Violation, type KGen } from '@k/core-sync';
import { describe, expect, it } from 'vitest';
import {
  ArrayBufferVringMemory,
  VRING_AVAIL_F_NO_INTERRUPT,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
  VRING_USED_F_NO_NOTIFY,
  __vring_new_virtqueue,
  parseSplitRing,
  parseVringDesc,
  vhost_add_used,
  vhost_disable_notify,
  vhost_enable_notify,
  vhost_get_vq_desc,
  vhost_signal,
  virtqueue_add_inbuf,
  virtqueue_add_inbuf_ctx,
  virtqueue_add_outbuf,
  virtqueue_add_sgs,
  virtqueue_detach_unused_buf,
  virtqueue_disable_cb,
  virtqueue_enable_cb,
  virtqueue_enable_cb_delayed,
  virtqueue_get_buf,
  virtqueue_get_buf_ctx,
  virtqueue_kick,
  virtqueue_kick_prepare,
  virtqueue_notify,
  virtqueue_poll,
  virtqueue_enable_cb_prepare,
  vring_init,
  vring_interrupt,
  vring_new_virtqueue,
  VIRTIO_F_RING_PACKED,
  type LenOut,
} from '../src/index';
import { BUF_BASE, S, makeWorld, sgFor, type World } from './helpers/world';

const hex = (s: string): Uint8Array => new Uint8Array(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/** The device pops one buffer and returns it with `len` bytes written. */
function deviceCompletesOne(w: World, len = 0): number {
  const head = S(vhost_get_vq_desc(w.dev, w.iov));
  expect(head).toBeLessThan(w.dev.num);
  S(vhost_add_used(w.dev, head, len));
  return head;
}

describe('adding buffers (virtqueue_add_*)', () => {
  it('writes one descriptor, the avail ring entry and avail->idx, byte for byte', () => {
    const w = makeWorld({ num: 4 });
    expect(S(virtqueue_add_outbuf(w.vq, [{ addr: 0x1000, length: 0x20 }], 'tok'))).toBe(0);
    const bytes = w.raw.bytes;
    // desc[0]: addr 0x1000, len 0x20, flags 0 (NEXT cleared on the last), next 1 (the free list).
    expect(bytes.slice(0, 16)).toEqual(hex('00 10 00 00 00 00 00 00  20 00 00 00  00 00  01 00'));
    const vr = vring_init(4, 0, 4096);
    // avail: flags 0 (a callback exists), idx 1, ring[0] = head 0.
    expect(bytes.slice(vr.avail, vr.avail + 6)).toEqual(hex('00 00  01 00  00 00'));
    expect(w.vq.num_free).toBe(3);
    expect(w.vq.free_head).toBe(1);
    expect(w.vq.split.avail_idx_shadow).toBe(1);
    expect(w.vq.num_added).toBe(1);
  });

  it('chains out then in descriptors with NEXT, WRITE on the in part, and no NEXT on the last', () => {
    const w = makeWorld({ num: 8 });
    const sgs = [[sgFor(1, 0, 10), sgFor(1, 1, 11)], [sgFor(1, 2, 12)]];
    expect(S(virtqueue_add_sgs(w.vq, sgs, 1, 1, 'req'))).toBe(0);
    const snap = parseSplitRing(w.raw.bytes, w.vq.split.vring);
    expect(snap.desc.slice(0, 3).map((d) => [d.len, d.flags, d.next])).toEqual([
      [10, VRING_DESC_F_NEXT, 1],
      [11, VRING_DESC_F_NEXT, 2],
      [12, VRING_DESC_F_WRITE, 3],
    ]);
    expect(w.vq.num_free).toBe(5);
  });

  it('uses one indirect descriptor for a multi-entry buffer when VIRTIO_RING_F_INDIRECT_DESC is negotiated', () => {
    const w = makeWorld({ num: 4, indirect: true });
    const sgs = [[sgFor(1, 0, 10), sgFor(1, 1, 11)], [sgFor(1, 2, 12)]];
    expect(S(virtqueue_add_sgs(w.vq, sgs, 1, 1, 'req'))).toBe(0);
    expect(w.vq.num_free).toBe(3);
    const head = parseVringDesc(w.raw.bytes, 0);
    expect(head.flags).toBe(VRING_DESC_F_INDIRECT);
    expect(head.len).toBe(3 * 16);
    const table = Number(head.addr);
    expect(w.pool.inUse).toBe(1);
    const entries = [0, 1, 2].map((i) => parseVringDesc(w.raw.bytes, table + 16 * i));
    expect(entries.map((d) => [d.len, d.flags, d.next])).toEqual([
      [10, VRING_DESC_F_NEXT, 1],
      [11, VRING_DESC_F_NEXT, 2],
      [12, VRING_DESC_F_WRITE, 3],
    ]);
    // The device follows the table; returning the buffer frees the table.
    const h = S(vhost_get_vq_desc(w.dev, w.iov));
    expect([h, w.iov.out_num, w.iov.in_num]).toEqual([0, 2, 1]);
    S(vhost_add_used(w.dev, h, 12));
    const len: LenOut = { value: -1 };
    expect(S(virtqueue_get_buf(w.vq, len))).toBe('req');
    expect(len.value).toBe(12);
    expect(w.pool.inUse).toBe(0);
    expect(w.vq.num_free).toBe(4);
  });

  it('falls back to direct descriptors when no indirect table can be allocated', () => {
    const w = makeWorld({ num: 8, indirect: true });
    (w.vq as { dmaPool: unknown }).dmaPool = null;
    expect(S(virtqueue_add_sgs(w.vq, [[sgFor(1, 0, 1), sgFor(1, 1, 1)]], 1, 0, 'x'))).toBe(0);
    expect(w.vq.num_free).toBe(6);
  });

  it('returns -ENOSPC when the ring is full, kicking first if the buffer has an out part', () => {
    const w = makeWorld({ num: 2 });
    expect(S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], 1))).toBe(0);
    expect(S(virtqueue_add_outbuf(w.vq, [sgFor(2, 0, 1)], 2))).toBe(0);
    expect(S(virtqueue_add_outbuf(w.vq, [sgFor(3, 0, 1)], 3))).toBe(-ENOSPC);
    expect(w.kicks).toBe(1);
    expect(S(virtqueue_add_inbuf(w.vq, [sgFor(4, 0, 1)], 4))).toBe(-ENOSPC);
    expect(w.kicks).toBe(1);
  });

  it('returns -EIO once the queue is broken', () => {
    const w = makeWorld({ num: 4 });
    w.vq.broken.init(true);
    expect(S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], 1))).toBe(-EIO);
    expect(S(virtqueue_get_buf(w.vq))).toBeNull();
    expect(S(virtqueue_notify(w.vq))).toBe(false);
    expect(S(virtqueue_poll(w.vq, 0))).toBe(false);
  });

  it('hits BUG_ON for a null token or an empty buffer, as the kernel does', () => {
    const w = makeWorld({ num: 4 });
    expect(() => S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], null))).toThrow(Violation);
    expect(() => S(virtqueue_add_outbuf(w.vq, [], 1))).toThrow(/BUG_ON\(total_sg == 0\)/);
  });

  it('rejects malformed scatterlists with EINVAL before touching the ring', () => {
    const w = makeWorld({ num: 4 });
    expect(() => S(virtqueue_add_sgs(w.vq, [[sgFor(1, 0, 1)]], 1, 1, 1))).toThrow(KernelError);
    expect(() => S(virtqueue_add_outbuf(w.vq, [{ addr: -1, length: 1 }], 1))).toThrow(/EINVAL/);
    expect(() => S(virtqueue_add_outbuf(w.vq, [{ addr: 0, length: 2 ** 32 }], 1))).toThrow(/EINVAL/);
    expect(w.vq.num_free).toBe(4);
  });

  it('refuses a packed-ring feature set and a ring that does not fit its memory', () => {
    const mem = new ArrayBufferVringMemory(1024);
    expect(() => S(__vring_new_virtqueue(0, vring_init(4, 0, 16), mem, { features: 1n << BigInt(VIRTIO_F_RING_PACKED) }))).toThrow(
      /VIRTIO_F_RING_PACKED/,
    );
    expect(() => S(vring_new_virtqueue(0, 256, 4096, mem, 0))).toThrow(/RingOutsideMemory/);
    expect(() => S(vring_new_virtqueue(0, 3, 4096, mem, 0))).toThrow(/InvalidQueueSize/);
  });

  it('tells the device not to interrupt when created without a callback', () => {
    const w = makeWorld({ num: 4, callback: false });
    const vr = w.vq.split.vring;
    expect(w.raw.bytes[vr.avail]).toBe(VRING_AVAIL_F_NO_INTERRUPT);
  });
});

describe('getting used buffers back (virtqueue_get_buf)', () => {
  it('returns tokens in the order the device used them, with their lengths, and frees the chains', () => {
    const w = makeWorld({ num: 4 });
    for (const t of [1, 2, 3]) S(virtqueue_add_inbuf(w.vq, [sgFor(t, 0, 100)], t));
    const heads = [0, 1, 2].map(() => S(vhost_get_vq_desc(w.dev, w.iov)));
    S(vhost_add_used(w.dev, heads[2]!, 30));
    S(vhost_add_used(w.dev, heads[0]!, 10));
    const len = { value: 0 };
    expect([S(virtqueue_get_buf(w.vq, len)), len.value]).toEqual([3, 30]);
    expect([S(virtqueue_get_buf(w.vq, len)), len.value]).toEqual([1, 10]);
    expect(S(virtqueue_get_buf(w.vq, len))).toBeNull();
    expect(w.vq.num_free).toBe(3);
    expect(w.vq.free_head).toBe(0);
  });

  it('returns the context given to virtqueue_add_inbuf_ctx', () => {
    const w = makeWorld({ num: 4 });
    S(virtqueue_add_inbuf_ctx(w.vq, [sgFor(1, 0, 8)], 'buf', { page: 7 }));
    deviceCompletesOne(w, 8);
    const ctx = { value: null as unknown };
    expect(S(virtqueue_get_buf_ctx(w.vq, null, ctx))).toBe('buf');
    expect(ctx.value).toEqual({ page: 7 });
  });

  it('publishes used_event = last_used_idx after each get while callbacks are on', () => {
    const w = makeWorld({ num: 4, eventIdx: true });
    S(virtqueue_add_inbuf(w.vq, [sgFor(1, 0, 8)], 1));
    deviceCompletesOne(w);
    S(virtqueue_get_buf(w.vq));
    const vr = w.vq.split.vring;
    expect(w.raw.bytes[vr.avail + 4 + 2 * 4]).toBe(1);
  });
});

describe('detection of a misbehaving device (BAD_RING)', () => {
  function withOneInFlight(): World {
    const w = makeWorld({ num: 4 });
    S(virtqueue_add_inbuf(w.vq, [sgFor(1, 0, 64)], 'one'));
    return w;
  }
  function forgeUsed(w: World, id: number, len: number, idx = 1): void {
    const used = w.vq.split.vring.used;
    const dv = new DataView(w.raw.bytes.buffer);
    dv.setUint32(used + 4, id, true);
    dv.setUint32(used + 8, len, true);
    dv.setUint16(used + 2, idx, true);
  }

  it('breaks the queue on a used id out of range', () => {
    const w = withOneInFlight();
    forgeUsed(w, 4, 0);
    expect(S(virtqueue_get_buf(w.vq))).toBeNull();
    expect(w.vq.broken.peek()).toBe(true);
    expect(w.vq.broken_reason).toBe('id 4 out of range');
  });

  it('breaks the queue on a used id that is not an in-flight head', () => {
    const w = withOneInFlight();
    forgeUsed(w, 2, 0);
    expect(S(virtqueue_get_buf(w.vq))).toBeNull();
    expect(w.vq.broken_reason).toBe('id 2 is not a head!');
  });

  it('breaks the queue when the device returns the same head twice', () => {
    const w = withOneInFlight();
    forgeUsed(w, 0, 0, 1);
    expect(S(virtqueue_get_buf(w.vq))).toBe('one');
    forgeUsed(w, 0, 0, 2);
    const used = w.vq.split.vring.used;
    new DataView(w.raw.bytes.buffer).setUint32(used + 4 + 8, 0, true);
    expect(S(virtqueue_get_buf(w.vq))).toBeNull();
    expect(w.vq.broken_reason).toBe('id 0 is not a head!');
  });

  it('breaks the queue on a used length beyond the device-writable part (939779f5152d)', () => {
    const w = withOneInFlight();
    forgeUsed(w, 0, 65);
    expect(S(virtqueue_get_buf(w.vq))).toBeNull();
    expect(w.vq.broken_reason).toBe('used len 65 is larger than in buflen 64');
  });

  it('lets any length through with suppress_used_validation, as kernels without that check do', () => {
    const w = makeWorld({ num: 4, suppress_used_validation: true });
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 64)], 'out'));
    forgeUsed(w, 0, 0xffff_ffff);
    const len = { value: 0 };
    expect(S(virtqueue_get_buf(w.vq, len))).toBe('out');
    expect(len.value).toBe(0xffff_ffff);
  });

  it('breaks the queue when used->idx runs more than num entries ahead', () => {
    const w = withOneInFlight();
    forgeUsed(w, 0, 0, 5);
    expect(S(virtqueue_get_buf(w.vq))).toBeNull();
    expect(w.vq.broken_reason).toBe('used idx 5 moved too far from 0');
  });

  it('after breaking, adds fail with -EIO and vring_interrupt skips the callback', () => {
    const w = withOneInFlight();
    forgeUsed(w, 9, 0);
    S(virtqueue_get_buf(w.vq));
    expect(S(virtqueue_add_inbuf(w.vq, [sgFor(2, 0, 1)], 2))).toBe(-EIO);
    expect(S(vring_interrupt(0, w.vq))).toBe(IRQ_HANDLED);
    expect(w.interrupts).toBe(0);
  });

  it('ends a detach walk that a device looped through the descriptor table, instead of spinning', () => {
    const w = makeWorld({ num: 4 });
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 8)], 'a'));
    // The device sets NEXT on every descriptor: the free list 1 -> 2 -> 3 -> 0 becomes a cycle.
    for (let i = 0; i < 4; i++) w.raw.bytes[i * 16 + 12] = VRING_DESC_F_NEXT;
    forgeUsed(w, 0, 0);
    expect(S(virtqueue_get_buf(w.vq))).toBeNull();
    expect(w.vq.broken_reason).toMatch(/does not end within 4 hops/);
  });

  it('with hardenDetach, ignores NEXT flags the device wrote into the table', () => {
    const w = makeWorld({ num: 4, hardenDetach: true });
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 8)], 'a'));
    for (let i = 0; i < 4; i++) w.raw.bytes[i * 16 + 12] = VRING_DESC_F_NEXT;
    forgeUsed(w, 0, 0);
    expect(S(virtqueue_get_buf(w.vq))).toBe('a');
    expect(w.vq.broken.peek()).toBe(false);
    expect(w.vq.num_free).toBe(4);
  });
});

describe('notifications', () => {
  it('kicks only when the device asks, by avail_event with VIRTIO_RING_F_EVENT_IDX', () => {
    const w = makeWorld({ num: 8, eventIdx: true });
    // The device is awake (notifications disabled): no kick is needed.
    S(vhost_disable_notify(w.dev));
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], 1));
    expect(S(virtqueue_kick_prepare(w.vq))).toBe(true); // avail_event 0 in [0, 1): the first kick
    deviceCompletesOne(w);
    S(virtqueue_add_outbuf(w.vq, [sgFor(2, 0, 1)], 2));
    expect(S(virtqueue_kick_prepare(w.vq))).toBe(false);
    // The device drains and goes to sleep: it asks for a kick at its avail index.
    deviceCompletesOne(w);
    expect(S(vhost_enable_notify(w.dev))).toBe(false);
    S(virtqueue_add_outbuf(w.vq, [sgFor(3, 0, 1)], 3));
    expect(S(virtqueue_kick_prepare(w.vq))).toBe(true);
  });

  it('kicks unless VRING_USED_F_NO_NOTIFY without event idx', () => {
    const w = makeWorld({ num: 8 });
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], 1));
    expect(S(virtqueue_kick(w.vq))).toBe(true);
    expect(w.kicks).toBe(1);
    S(vhost_disable_notify(w.dev));
    expect(w.raw.bytes[w.vq.split.vring.used]).toBe(VRING_USED_F_NO_NOTIFY);
    S(virtqueue_add_outbuf(w.vq, [sgFor(2, 0, 1)], 2));
    expect(S(virtqueue_kick(w.vq))).toBe(true);
    expect(w.kicks).toBe(1);
  });

  it('a failing notify breaks the queue', () => {
    const w = makeWorld({
      num: 4,
      *notify() {
        return false;
      },
    });
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], 1));
    expect(S(virtqueue_kick(w.vq))).toBe(false);
    expect(w.vq.broken.peek()).toBe(true);
  });

  it('interrupts are suppressed while callbacks are disabled, and enable_cb reports pending work', () => {
    for (const eventIdx of [false, true]) {
      const w = makeWorld({ num: 8, eventIdx });
      S(virtqueue_disable_cb(w.vq));
      for (const t of [1, 2]) S(virtqueue_add_outbuf(w.vq, [sgFor(t, 0, 1)], t));
      deviceCompletesOne(w);
      // With event idx the first signal always fires (signalled_used not yet valid).
      if (!eventIdx) expect(S(vhost_signal(w.dev))).toBe(false);
      else S(vhost_signal(w.dev));
      expect(S(virtqueue_enable_cb(w.vq))).toBe(false); // one used buffer is pending
      expect(S(virtqueue_get_buf(w.vq))).toBe(1);
      expect(S(virtqueue_enable_cb(w.vq))).toBe(true); // nothing pending: wait for the interrupt
      deviceCompletesOne(w);
      expect(S(vhost_signal(w.dev))).toBe(true);
    }
  });

  it('enable_cb_delayed asks for the interrupt after 3/4 of the outstanding buffers', () => {
    const w = makeWorld({ num: 8, eventIdx: true });
    S(virtqueue_disable_cb(w.vq));
    for (let t = 1; t <= 8; t++) S(virtqueue_add_outbuf(w.vq, [sgFor(t, 0, 1)], t));
    S(vhost_signal(w.dev)); // the first call validates signalled_used
    expect(S(virtqueue_enable_cb_delayed(w.vq))).toBe(true);
    const vr = w.vq.split.vring;
    expect(w.raw.bytes[vr.avail + 4 + 16]).toBe(6); // used_event = 0 + 8*3/4
    const fired: boolean[] = [];
    for (let k = 0; k < 8; k++) {
      deviceCompletesOne(w);
      fired.push(S(vhost_signal(w.dev)));
    }
    expect(fired).toEqual([false, false, false, false, false, false, true, false]);
  });

  it('enable_cb_prepare + poll tells whether used buffers arrived since', () => {
    const w = makeWorld({ num: 4 });
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], 1));
    const last = S(virtqueue_enable_cb_prepare(w.vq));
    expect(S(virtqueue_poll(w.vq, last))).toBe(false);
    deviceCompletesOne(w);
    expect(S(virtqueue_poll(w.vq, last))).toBe(true);
  });

  it('vring_interrupt runs the callback only when there is used work', () => {
    const w = makeWorld({ num: 4, eventIdx: true });
    expect(S(vring_interrupt(5, w.vq))).toBe(IRQ_NONE);
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 1)], 1));
    deviceCompletesOne(w);
    expect(S(vring_interrupt(5, w.vq))).toBe(IRQ_HANDLED);
    expect(w.interrupts).toBe(1);
    expect(w.vq.event_triggered).toBe(true);
  });
});

describe('virtqueue_detach_unused_buf', () => {
  it('hands back every buffer still in flight, then null with all descriptors free', () => {
    const w = makeWorld({ num: 8, indirect: true });
    S(virtqueue_add_sgs(w.vq, [[sgFor(1, 0, 1), sgFor(1, 1, 1)]], 1, 0, 'a'));
    S(virtqueue_add_outbuf(w.vq, [sgFor(2, 0, 1)], 'b'));
    S(virtqueue_add_inbuf(w.vq, [sgFor(3, 0, 1), sgFor(3, 1, 1)], 'c'));
    const got = [S(virtqueue_detach_unused_buf(w.vq)), S(virtqueue_detach_unused_buf(w.vq)), S(virtqueue_detach_unused_buf(w.vq))];
    expect(got.sort()).toEqual(['a', 'b', 'c']);
    expect(S(virtqueue_detach_unused_buf(w.vq))).toBeNull();
    expect(w.vq.num_free).toBe(8);
    expect(w.vq.split.avail_idx_shadow).toBe(0);
    expect(w.pool.inUse).toBe(0);
  });
});

describe('the memory interface', () => {
  it('faults instead of reading or writing outside the memory', () => {
    const mem = new ArrayBufferVringMemory(64);
    expect(() => S(mem.read16(63))).toThrow(/outside the 64-byte memory/);
    expect(() => S(mem.write64(60, 1))).toThrow(/write64 at 60/);
    expect(() => S(mem.read32(-4))).toThrow(/outside/);
    expect(() => S(mem.read32(Number.NaN))).toThrow(/outside/);
  });

  it('stores u64 values exactly below 2^53, little-endian', () => {
    const mem = new ArrayBufferVringMemory(16);
    S(mem.write64(0, 2 ** 53 - 1));
    expect(S(mem.read64(0))).toBe(2 ** 53 - 1);
    expect(Array.from(mem.bytes.slice(0, 8))).toEqual([255, 255, 255, 255, 255, 255, 31, 0]);
  });

  it('runSync refuses an operation that yields', () => {
    function* yields(): KGen<number> {
      yield new Op('scheduling point');
      return 1;
    }
    expect(() => S(yields())).toThrow(/explored runtime/);
  });

  it('keeps buffers out of the ring region in the fixtures', () => {
    expect(BUF_BASE).toBeGreaterThan(makeWorld({ num: 8 }).ringBytes);
  });
});

describe('v5.17 trusts NEXT flags in the shared descriptor table (detach_buf_split)', () => {
  function setNext(w: World, i: number): void {
    w.raw.bytes[w.vq.split.vring.desc + 16 * i + 12]! |= VRING_DESC_F_NEXT;
  }
  function forgeUsed(w: World, ids: number[]): void {
    const dv = new DataView(w.raw.bytes.buffer);
    const used = w.vq.split.vring.used;
    let idx = dv.getUint16(used + 2, true);
    for (const id of ids) {
      dv.setUint32(used + 4 + 8 * (idx & (w.vq.split.vring.num - 1)), id, true);
      dv.setUint32(used + 8 + 8 * (idx & (w.vq.split.vring.num - 1)), 0, true);
      idx++;
    }
    dv.setUint16(used + 2, idx, true);
  }

  it('a NEXT flag set on a returned descriptor over-counts num_free, and shutdown hits BUG_ON', () => {
    for (const hardenDetach of [false, true]) {
      const w = makeWorld({ num: 2, hardenDetach });
      S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 8)], 'a'));
      setNext(w, 0);
      forgeUsed(w, [0]);
      expect(S(virtqueue_get_buf(w.vq))).toBe('a');
      if (!hardenDetach) {
        // The walk ran on into free descriptor 1: three free descriptors in a ring of two.
        expect(w.vq.num_free).toBe(3);
        expect(() => S(virtqueue_detach_unused_buf(w.vq))).toThrow(
          'kernel BUG: BUG_ON(vq->vq.num_free != vq->split.vring.num) at virtqueue_detach_unused_buf_split',
        );
      } else {
        expect(w.vq.num_free).toBe(2);
        expect(S(virtqueue_detach_unused_buf(w.vq))).toBeNull();
      }
    }
  });

  it('the same flag on an in-flight neighbour puts it back on the free list: its token is silently lost', () => {
    for (const hardenDetach of [false, true]) {
      const w = makeWorld({ num: 4, hardenDetach });
      S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 8)], 'A')); // head 0
      S(virtqueue_add_outbuf(w.vq, [sgFor(2, 0, 8)], 'B')); // head 1
      setNext(w, 0);
      forgeUsed(w, [0]);
      expect(S(virtqueue_get_buf(w.vq))).toBe('A');
      S(virtqueue_add_outbuf(w.vq, [sgFor(3, 0, 8)], 'C'));
      S(virtqueue_add_outbuf(w.vq, [sgFor(4, 0, 8)], 'D'));
      const back: unknown[] = [];
      for (let b = S(virtqueue_detach_unused_buf(w.vq)); b !== null; b = S(virtqueue_detach_unused_buf(w.vq))) back.push(b);
      // v5.17 reused B's descriptor (head 1) for D while B was in flight: B never comes back.
      expect(back.sort()).toEqual(hardenDetach ? ['B', 'C', 'D'] : ['C', 'D']);
      expect(w.vq.broken.peek()).toBe(false);
    }
  });

  it('an indirect head reused inside a direct chain makes the device-returned id hit BUG_ON', () => {
    const w = makeWorld({ num: 4, indirect: true });
    S(virtqueue_add_outbuf(w.vq, [sgFor(1, 0, 8)], 'A')); // head 0, direct
    S(virtqueue_add_sgs(w.vq, [[sgFor(2, 0, 8), sgFor(2, 1, 8)]], 1, 0, 'B')); // head 1, indirect
    setNext(w, 0);
    forgeUsed(w, [0]);
    expect(S(virtqueue_get_buf(w.vq))).toBe('A');
    // No table left (the pool is gone): C goes direct over descriptors 0 -> 1, B's head.
    const pool = w.vq.dmaPool;
    (w.vq as { dmaPool: unknown }).dmaPool = null;
    S(virtqueue_add_sgs(w.vq, [[sgFor(3, 0, 8), sgFor(3, 1, 8)]], 1, 0, 'C'));
    (w.vq as { dmaPool: unknown }).dmaPool = pool;
    forgeUsed(w, [1]); // the device returns B, which it was given
    expect(() => S(virtqueue_get_buf(w.vq))).toThrow(
      'kernel BUG: BUG_ON(!(vq->split.desc_extra[head].flags & VRING_DESC_F_INDIRECT)) at detach_buf_split',
    );
  });
});
