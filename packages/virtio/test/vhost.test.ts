import { E2BIG, EFAULT, EINVAL, EIO, ENOBUFS } from '@k/core-sync';
import { describe, expect, it } from 'vitest';
import {
  VIRTIO_F_NOTIFY_ON_EMPTY,
  VRING_DESC_F_INDIRECT,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
  VhostIov,
  emitVringDesc,
  vhost_add_used_n,
  vhost_discard_vq_desc,
  vhost_get_vq_desc,
  vhost_notify,
  vhost_vq_avail_empty,
  vhost_vq_init_access,
  vring_init,
  type VringDesc,
} from '../src/index';
import { S, makeWorld, type World } from './helpers/world';

/** A hostile (or buggy) driver: writes descriptors and publishes heads by hand. */
function driverWrites(w: World, descs: Record<number, VringDesc>, heads: number[]): void {
  const vr = w.dev.vring;
  for (const [i, d] of Object.entries(descs)) emitVringDesc(d, w.raw.bytes, vr.desc + 16 * Number(i));
  const dv = new DataView(w.raw.bytes.buffer);
  const idx = dv.getUint16(vr.avail + 2, true);
  heads.forEach((h, k) => dv.setUint16(vr.avail + 4 + 2 * ((idx + k) & (vr.num - 1)), h, true));
  dv.setUint16(vr.avail + 2, (idx + heads.length) & 0xffff, true);
}

const d = (addr: number, len: number, flags: number, next = 0): VringDesc => ({ addr: BigInt(addr), len, flags, next });

describe('popping buffers (vhost_get_vq_desc)', () => {
  it('returns num when the ring is empty and the head with its iovec otherwise', () => {
    const w = makeWorld({ num: 4 });
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(4);
    driverWrites(w, { 2: d(0x40000, 8, VRING_DESC_F_NEXT, 3), 3: d(0x40100, 16, VRING_DESC_F_WRITE) }, [2]);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(2);
    expect([w.iov.out_num, w.iov.in_num, w.iov.addr.slice(0, 2), w.iov.len.slice(0, 2)]).toEqual([
      1,
      1,
      [0x40000, 0x40100],
      [8, 16],
    ]);
    expect([w.iov.outBytes(), w.iov.inBytes()]).toEqual([8, 16]);
    expect(w.dev.last_avail_idx).toBe(1);
  });

  it('skips zero-length descriptors, as translate_desc does', () => {
    const w = makeWorld({ num: 4 });
    driverWrites(w, { 0: d(0x40000, 0, VRING_DESC_F_NEXT, 1), 1: d(0x40000, 4, 0) }, [0]);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(0);
    expect([w.iov.out_num, w.iov.in_num]).toEqual([1, 0]);
  });

  const broken: [string, (w: World) => void, number, RegExp][] = [
    ['a head out of range', (w) => driverWrites(w, {}, [4]), -EINVAL, /Guest says index 4 > 4 is available/],
    ['a next out of range', (w) => driverWrites(w, { 0: d(0x40000, 1, VRING_DESC_F_NEXT, 9) }, [0]), -EINVAL, /Desc index is 9 > 4, head = 0/],
    [
      'a descriptor loop',
      (w) => driverWrites(w, { 0: d(0x40000, 1, VRING_DESC_F_NEXT, 1), 1: d(0x40000, 1, VRING_DESC_F_NEXT, 0) }, [0]),
      -EINVAL,
      /Loop detected: last one at 0 vq size 4 head 0/,
    ],
    [
      'an out descriptor after an in descriptor',
      (w) => driverWrites(w, { 0: d(0x40000, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1), 1: d(0x40000, 1, 0) }, [0]),
      -EINVAL,
      /out after in/,
    ],
    ['a buffer outside memory', (w) => driverWrites(w, { 0: d(0x7fff0, 0x20, 0) }, [0]), -EFAULT, /Translation failure/],
    ['a buffer at a huge address', (w) => driverWrites(w, { 0: d(2 ** 60, 1, 0) }, [0]), -EFAULT, /Translation failure/],
    [
      'avail->idx moved more than num ahead',
      (w) => new DataView(w.raw.bytes.buffer).setUint16(w.dev.vring.avail + 2, 5, true),
      -EFAULT,
      /Guest moved used index from 0 to 5/,
    ],
    [
      'an indirect table whose length is not a multiple of 16',
      (w) => driverWrites(w, { 0: d(0x20000, 20, VRING_DESC_F_INDIRECT) }, [0]),
      -EINVAL,
      /not multiple of 16/,
    ],
    [
      'an indirect table outside memory',
      (w) => driverWrites(w, { 0: d(0x7fff0, 32, VRING_DESC_F_INDIRECT) }, [0]),
      -EFAULT,
      /in indirect/,
    ],
    [
      'an indirect table of more than 65536 entries',
      (w) => driverWrites(w, { 0: d(0, 0x10001 * 16, VRING_DESC_F_INDIRECT) }, [0]),
      -EFAULT,
      /in indirect/,
    ],
    [
      'an empty indirect table',
      (w) => driverWrites(w, { 0: d(0x20000, 0, VRING_DESC_F_INDIRECT) }, [0]),
      -EINVAL,
      /Loop detected: last one at 0 indirect size 0/,
    ],
  ];
  it.each(broken)('breaks the queue on %s', (_what, setup, ret, message) => {
    const w = makeWorld({ num: 4 });
    setup(w);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(ret);
    expect(w.dev.broken).toBe(true);
    expect(w.dev.error).toMatch(message);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(-EIO);
  });

  function indirectTable(w: World, entries: VringDesc[]): void {
    entries.forEach((e, i) => emitVringDesc(e, w.raw.bytes, 0x20000 + 16 * i));
    driverWrites(w, { 0: d(0x20000, 16 * entries.length, VRING_DESC_F_INDIRECT) }, [0]);
  }

  it('follows an indirect table by its next fields', () => {
    const w = makeWorld({ num: 4 });
    indirectTable(w, [d(0x40000, 1, VRING_DESC_F_NEXT, 2), d(0x40200, 9, 0), d(0x40100, 2, VRING_DESC_F_NEXT, 1)]);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(0);
    expect(w.iov.len.slice(0, 3)).toEqual([1, 2, 9]);
  });

  it.each([
    ['a loop inside an indirect table', [d(0x40000, 1, VRING_DESC_F_NEXT, 1), d(0x40000, 1, VRING_DESC_F_NEXT, 0)], /Loop detected: last one at 0 indirect size 2/],
    ['a next beyond an indirect table', [d(0x40000, 1, VRING_DESC_F_NEXT, 5), d(0x40000, 1, 0)], /Desc next is 5 in an indirect table of 2/],
    ['a nested indirect descriptor', [d(0x20000, 16, VRING_DESC_F_INDIRECT)], /Nested indirect descriptor/],
  ])('breaks the queue on %s', (_what, entries, message) => {
    const w = makeWorld({ num: 4 });
    indirectTable(w, entries);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(-EINVAL);
    expect(w.dev.error).toMatch(message);
  });

  it('returns -E2BIG for an indirect table longer than 2^16 entries that fits in memory', () => {
    const w = makeWorld({ num: 4 });
    // The fixture memory is too small for 2^16+1 entries, so use a bigger world by hand.
    const big = new VhostIov();
    const mem = new (w.raw.constructor as new (n: number) => typeof w.raw)(0x200000);
    const vr = vring_init(4, 0, 4096);
    const dev = S(vhost_vq_init_access(vr, mem));
    emitVringDesc(d(0x10000, 0x10001 * 16, VRING_DESC_F_INDIRECT), mem.bytes, vr.desc);
    const dv = new DataView(mem.bytes.buffer);
    dv.setUint16(vr.avail + 2, 1, true);
    expect(S(vhost_get_vq_desc(dev, big))).toBe(-E2BIG);
  });

  it('returns -ENOBUFS when the buffer has more segments than the iovec holds', () => {
    const w = makeWorld({ num: 4 });
    driverWrites(w, { 0: d(0x40000, 1, VRING_DESC_F_NEXT, 1), 1: d(0x40000, 1, VRING_DESC_F_NEXT, 2), 2: d(0x40000, 1, 0) }, [0]);
    expect(S(vhost_get_vq_desc(w.dev, w.iov, 2))).toBe(-ENOBUFS);
  });

  it('gives buffers back with vhost_discard_vq_desc', () => {
    const w = makeWorld({ num: 4 });
    driverWrites(w, { 0: d(0x40000, 1, 0) }, [0]);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(0);
    vhost_discard_vq_desc(w.dev, 1);
    expect(S(vhost_get_vq_desc(w.dev, w.iov))).toBe(0);
  });

  it('knows when the available ring is empty', () => {
    const w = makeWorld({ num: 4 });
    expect(S(vhost_vq_avail_empty(w.dev))).toBe(true);
    driverWrites(w, { 0: d(0x40000, 1, 0) }, [0]);
    expect(S(vhost_vq_avail_empty(w.dev))).toBe(false);
  });
});

describe('returning buffers (vhost_add_used_n)', () => {
  it('writes the used elements across the ring end, then used->idx', () => {
    const w = makeWorld({ num: 4 });
    w.dev.last_used_idx = 3;
    S(vhost_add_used_n(w.dev, [{ id: 1, len: 10 }, { id: 2, len: 20 }]));
    const dv = new DataView(w.raw.bytes.buffer);
    const used = w.dev.vring.used;
    expect([dv.getUint32(used + 4 + 8 * 3, true), dv.getUint32(used + 4 + 8 * 3 + 4, true)]).toEqual([1, 10]);
    expect([dv.getUint32(used + 4, true), dv.getUint32(used + 8, true)]).toEqual([2, 20]);
    expect(dv.getUint16(used + 2, true)).toBe(5);
  });

  it('refuses an id out of range or more elements than the ring holds', () => {
    const w = makeWorld({ num: 4 });
    expect(() => S(vhost_add_used_n(w.dev, [{ id: 4, len: 0 }]))).toThrow(/EINVAL/);
    expect(() => S(vhost_add_used_n(w.dev, Array.from({ length: 5 }, () => ({ id: 0, len: 0 }))))).toThrow(/EINVAL/);
  });

  it('always interrupts on an empty ring with VIRTIO_F_NOTIFY_ON_EMPTY', () => {
    const w = makeWorld({ num: 4 });
    const dev = S(vhost_vq_init_access(w.dev.vring, w.raw, { features: 1n << BigInt(VIRTIO_F_NOTIFY_ON_EMPTY) }));
    new DataView(w.raw.bytes.buffer).setUint16(w.dev.vring.avail, 1, true); // NO_INTERRUPT
    expect(S(vhost_notify(dev))).toBe(true);
    expect(S(vhost_notify(w.dev))).toBe(false);
  });
});
