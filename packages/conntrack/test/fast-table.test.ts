import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FastConntrackTable, jhash2 } from '../src/index';
import { jhashTuple4 } from '../src/internal/fast-table';

describe('FastConntrackTable', () => {
  it('hashes a tuple as jhash2 over the 9 words of hash_conntrack_raw', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(fc.property(u32, u32, u32, u32, (s, w4, d, init) =>
      jhashTuple4(s | 0, w4 | 0, d | 0, init | 0) === jhash2([s, 0, 0, 0, w4, d, 0, 0, 0], 9, init)), { seed: 5, numRuns: 2000 });
  });

  it('finds a connection from either direction and refuses a second insertion of either', () => {
    const t = new FastConntrackTable(8, 4);
    const id = t.insert({ saddr: 0x0a000001, daddr: 0x0a000002, sport: 1234, dport: 80, protonum: 6 });
    expect(id).toBeGreaterThanOrEqual(0);
    expect(t.lookup({ saddr: 0x0a000001, daddr: 0x0a000002, sport: 1234, dport: 80, protonum: 6 })).toEqual({ id, dir: 0 });
    expect(t.lookup({ saddr: 0x0a000002, daddr: 0x0a000001, sport: 80, dport: 1234, protonum: 6 })).toEqual({ id, dir: 1 });
    expect(t.lookup({ saddr: 0x0a000002, daddr: 0x0a000001, sport: 80, dport: 1234, protonum: 17 })).toBeNull();
    expect(t.lookup({ saddr: 0x0a000001, daddr: 0x0a000002, sport: 1234, dport: 80, protonum: 6, zone: 1 })).toBeNull();
    expect(t.insert({ saddr: 0x0a000002, daddr: 0x0a000001, sport: 80, dport: 1234, protonum: 6 })).toBe(-1);
    expect(t.delete(id)).toBe(true);
    expect(t.delete(id)).toBe(false);
    expect(t.size).toBe(0);
  });

  it('rejects a bad capacity and reports a full table', () => {
    expect(() => new FastConntrackTable(0)).toThrow(RangeError);
    const t = new FastConntrackTable(1);
    expect(t.insert({ saddr: 1, daddr: 2, sport: 3, dport: 4, protonum: 6 })).toBe(0);
    expect(t.insert({ saddr: 1, daddr: 2, sport: 3, dport: 5, protonum: 6 })).toBe(-1);
  });

  it('behaves as a set of connections keyed by either direction', () => {
    const tuple = fc.record({ saddr: fc.integer({ min: 0, max: 7 }), daddr: fc.integer({ min: 0, max: 7 }), sport: fc.integer({ min: 0, max: 3 }), dport: fc.integer({ min: 0, max: 3 }), protonum: fc.constantFrom(6, 17) });
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), tuple), { maxLength: 60 }), (ops) => {
      const t = new FastConntrackTable(64, 8);
      const ref = new Map<string, number>();
      const key = (x: { saddr: number; daddr: number; sport: number; dport: number; protonum: number }) => `${x.saddr}|${x.daddr}|${x.sport}|${x.dport}|${x.protonum}`;
      const rev = (x: { saddr: number; daddr: number; sport: number; dport: number; protonum: number }) => ({ saddr: x.daddr, daddr: x.saddr, sport: x.dport, dport: x.sport, protonum: x.protonum });
      for (const [ins, x] of ops) {
        if (ins) {
          const clash = ref.has(key(x)) || ref.has(key(rev(x)));
          const id = t.insert(x);
          if (clash !== (id === -1)) return false;
          if (id >= 0) ref.set(key(x), id);
        } else {
          const id = ref.get(key(x));
          if (id !== undefined) {
            if (!t.delete(id)) return false;
            ref.delete(key(x));
          }
        }
      }
      for (const [k, id] of ref) {
        const [s, d, sp, dp, p] = k.split('|').map(Number) as [number, number, number, number, number];
        if (t.lookup({ saddr: s, daddr: d, sport: sp, dport: dp, protonum: p })?.id !== id) return false;
        if (t.lookup({ saddr: d, daddr: s, sport: dp, dport: sp, protonum: p })?.id !== id) return false;
      }
      return t.size === ref.size;
    }), { seed: 11, numRuns: 300 });
  });
});
