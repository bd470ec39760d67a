import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  VringLayoutError,
  emitVringAvail,
  emitVringDesc,
  emitVringUsed,
  emitVringUsedElem,
  parseSplitRing,
  parseVringAvail,
  parseVringDesc,
  parseVringUsed,
  parseVringUsedElem,
  splitRingPartSizes,
  vringAvailLen,
  vringFromParts,
  vringUsedLen,
  vring_avail_event,
  vring_init,
  vring_need_event,
  vring_size,
  vring_used_event,
  VRING_DESC_F_NEXT,
  VRING_DESC_F_WRITE,
} from '../src/index';

const hex = (s: string): Uint8Array => new Uint8Array(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

describe('vring_size and vring_init', () => {
  it('gives the classic 256-entry, 4096-aligned ring 10246 bytes with the used ring at 8192', () => {
    expect(vring_size(256, 4096)).toBe(10246);
    expect(vring_init(256, 0, 4096)).toEqual({ num: 256, desc: 0, avail: 4096, used: 8192 });
    expect(vring_used_event(vring_init(256, 0, 4096))).toBe(4096 + 4 + 512);
    expect(vring_avail_event(vring_init(256, 0, 4096))).toBe(8192 + 4 + 2048);
  });

  it('packs a 4-entry ring with 4-byte alignment back to back', () => {
    // desc 64 bytes, avail 6+8=14 -> 78, aligned to 80, used 6+32=38 -> 118.
    expect(vring_init(4, 0, 4)).toEqual({ num: 4, desc: 0, avail: 64, used: 80 });
    expect(vring_size(4, 4)).toBe(118);
  });

  it('gives each part the size of the spec table: 16n, 6+2n, 6+8n', () => {
    expect(splitRingPartSizes(8)).toEqual({ desc: 128, avail: 22, used: 70 });
    expect(vringAvailLen(8)).toBe(22);
    expect(vringUsedLen(8)).toBe(70);
  });

  it.each([0, 3, 6, 100, 65536, 32769, -4, 1.5, Number.NaN])('refuses queue size %s', (num) => {
    expect(() => vring_size(num, 4096)).toThrow(VringLayoutError);
    expect(() => vring_init(num, 0, 4096)).toThrow(/InvalidQueueSize/);
  });

  it('accepts every power of 2 from 1 to 32768', () => {
    for (let num = 1; num <= 32768; num *= 2) expect(vring_size(num, 4096)).toBeGreaterThan(0);
  });

  it.each([0, 3, 4095, 2 ** 32])('refuses alignment %s', (align) => {
    expect(() => vring_size(16, align)).toThrow(/InvalidVringAlign/);
  });
});

describe('separately placed ring parts (virtio 1.x transports)', () => {
  it('accepts the spec alignments 16, 2 and 4', () => {
    expect(vringFromParts(8, 0x1000, 0x2002, 0x3004)).toEqual({ num: 8, desc: 0x1000, avail: 0x2002, used: 0x3004 });
  });

  it.each([
    [0x1008, 0x2000, 0x3000, 'InvalidDescTableAlign'],
    [0x1000, 0x2001, 0x3000, 'InvalidAvailRingAlign'],
    [0x1000, 0x2000, 0x3002, 'InvalidUsedRingAlign'],
    [0x1000, 0x1040, 0x3000, 'OverlappingRingParts'],
    [0x1000, 0x2000, 0xfff0, 'RingOutsideMemory'],
    [-16, 0x2000, 0x3000, 'InvalidAddress'],
  ])('refuses desc=%s avail=%s used=%s with %s', (desc, avail, used, rule) => {
    try {
      vringFromParts(8, desc, avail, used, 0x10000);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VringLayoutError);
      expect((e as VringLayoutError).rule).toBe(rule);
    }
  });
});

describe('vring_need_event', () => {
  it('fires when the event index lies in [old, new)', () => {
    expect(vring_need_event(5, 6, 5)).toBe(true);
    expect(vring_need_event(5, 10, 3)).toBe(true);
    expect(vring_need_event(5, 5, 3)).toBe(false);
    expect(vring_need_event(2, 10, 3)).toBe(false);
  });

  it('wraps at 16 bits: old 0xfffe, new 2 covers 0xffff and 0 and 1', () => {
    for (const e of [0xfffe, 0xffff, 0, 1]) expect(vring_need_event(e, 2, 0xfffe)).toBe(true);
    expect(vring_need_event(2, 2, 0xfffe)).toBe(false);
    expect(vring_need_event(0xfffd, 2, 0xfffe)).toBe(false);
  });

  it('converts its inputs to __u16 as C does', () => {
    expect(vring_need_event(0x10005, 0x20006, -0xfffb)).toBe(vring_need_event(5, 6, 5));
  });

  it('never fires when nothing moved', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (e, i) => {
        expect(vring_need_event(e, i, i)).toBe(false);
      }),
      { seed: 20020329, numRuns: 500 },
    );
  });

  it('matches the window definition for every move of up to 2^15', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 0x8000 }), fc.integer({ min: 0, max: 0x8000 }), (old, moved, d) => {
        const new_idx = (old + moved) & 0xffff;
        const e = (old + d) & 0xffff;
        expect(vring_need_event(e, new_idx, old)).toBe(d < moved);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('rejects non-integers', () => {
    expect(() => vring_need_event(1.5, 2, 3)).toThrow(TypeError);
  });
});

describe('byte views', () => {
  it('lays a descriptor out little-endian: addr u64, len u32, flags u16, next u16', () => {
    const d = { addr: 0x1122334455667788n, len: 0x200, flags: VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, next: 7 };
    const bytes = hex('88 77 66 55 44 33 22 11  00 02 00 00  03 00  07 00');
    expect(emitVringDesc(d)).toEqual(bytes);
    expect(parseVringDesc(bytes)).toEqual(d);
  });

  it('lays a used element out as id u32 then len u32', () => {
    const bytes = hex('05 00 00 00  00 01 00 00');
    expect(emitVringUsedElem({ id: 5, len: 256 })).toEqual(bytes);
    expect(parseVringUsedElem(bytes)).toEqual({ id: 5, len: 256 });
  });

  it('lays a 2-entry available ring out as flags, idx, ring[2], used_event', () => {
    const a = { flags: 1, idx: 0x102, ring: [3, 0], used_event: 0xfffe };
    const bytes = hex('01 00  02 01  03 00 00 00  fe ff');
    expect(emitVringAvail(a)).toEqual(bytes);
    expect(parseVringAvail(bytes, 2)).toEqual(a);
  });

  it('lays a 2-entry used ring out as flags, idx, ring[2] of {id,len}, avail_event', () => {
    const u = { flags: 1, idx: 9, ring: [{ id: 1, len: 16 }, { id: 0, len: 0 }], avail_event: 4 };
    const bytes = hex('01 00  09 00  01 00 00 00 10 00 00 00  00 00 00 00 00 00 00 00  04 00');
    expect(emitVringUsed(u)).toEqual(bytes);
    expect(parseVringUsed(bytes, 2)).toEqual(u);
  });

  it('round-trips any descriptor, used element and ring', () => {
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), u32, u16, u16, (addr, len, flags, next) => {
        const d = { addr, len, flags, next };
        expect(parseVringDesc(emitVringDesc(d))).toEqual(d);
      }),
      { seed: 1, numRuns: 300 },
    );
    fc.assert(
      fc.property(u16, u16, fc.array(u16, { minLength: 8, maxLength: 8 }), u16, (flags, idx, ring, used_event) => {
        const a = { flags, idx, ring, used_event };
        expect(parseVringAvail(emitVringAvail(a), 8)).toEqual(a);
      }),
      { seed: 2, numRuns: 200 },
    );
    fc.assert(
      fc.property(u16, u16, fc.array(fc.record({ id: u32, len: u32 }), { minLength: 4, maxLength: 4 }), u16, (flags, idx, ring, avail_event) => {
        const u = { flags, idx, ring, avail_event };
        expect(parseVringUsed(emitVringUsed(u), 4)).toEqual(u);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('refuses short buffers and values that do not fit their field', () => {
    expect(() => parseVringDesc(new Uint8Array(15))).toThrow(RangeError);
    expect(() => emitVringDesc({ addr: -1n, len: 0, flags: 0, next: 0 })).toThrow(RangeError);
    expect(() => emitVringDesc({ addr: 0n, len: 2 ** 32, flags: 0, next: 0 })).toThrow(RangeError);
    expect(() => emitVringUsedElem({ id: 0, len: 1.5 })).toThrow(RangeError);
    expect(() => parseVringAvail(new Uint8Array(10), 4)).toThrow(RangeError);
  });

  it('reads a whole ring snapshot back from memory bytes', () => {
    const vr = vring_init(2, 0, 16);
    const bytes = new Uint8Array(vring_size(2, 16));
    emitVringDesc({ addr: 0x40n, len: 8, flags: 0, next: 1 }, bytes, 0);
    emitVringAvail({ flags: 0, idx: 1, ring: [0, 0], used_event: 0 }, bytes, vr.avail);
    const snap = parseSplitRing(bytes, vr);
    expect(snap.desc[0]).toEqual({ addr: 0x40n, len: 8, flags: 0, next: 1 });
    expect(snap.avail.idx).toBe(1);
    expect(snap.used.ring).toHaveLength(2);
  });
});
