import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AF_INET, AF_INET6, IPPROTO_TCP, formatIPv4, formatIPv6, mkTuple, nf_ct_invert_tuple, nf_ct_tuple_equal, nf_ct_tuple_mask_cmp, parseAddr, parseIPv4,
  parseIPv6, jhash2, reciprocal_scale,
} from '../src/index';
// jhash2 as the kernel macros compute it, compiled with cc (test/golden/jhash.json)
import jh from './golden/jhash.json';

const JHASH_1 = jh.one;
const JHASH_9 = jh.nine;

describe('addresses', () => {
  it('formats IPv6 exactly as glibc inet_ntop does (longest zero run, IPv4 tails)', () => {
    // expected strings printed by Python's socket.inet_ntop (glibc) on this machine
    const cases: [string, string][] = [
      ['::1', '::1'], ['::', '::'], ['1::', '1::'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
      ['::1.2.3.4', '::1.2.3.4'], ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], ['0:0:1:0:0:0:0:0', '0:0:1::'], ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
      ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], ['0:0:0:0:0:1:0:1', '::1:0:1'], ['ffff::', 'ffff::'],
    ];
    for (const [input, text] of cases) expect(formatIPv6(parseIPv6(input)!)).toBe(text);
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '::1.2.3']) {
      expect(parseAddr(bad)).toBeNull();
    }
  });

  it('round-trips any IPv4 and IPv6 address through text', () => {
    fc.assert(fc.property(fc.ipV4(), (a) => formatIPv4(parseIPv4(a)!) === a), { seed: 42, numRuns: 500 });
    fc.assert(fc.property(fc.ipV6(), (a) => {
      const p = parseIPv6(a);
      return p !== null && formatIPv6(parseIPv6(formatIPv6(p))!) === formatIPv6(p);
    }), { seed: 42, numRuns: 500 });
  });
});

describe('tuples', () => {
  const t = mkTuple(AF_INET, IPPROTO_TCP, parseIPv4('10.0.0.2')!, 20, parseIPv4('10.0.0.1')!, 50000);

  it('inverts a tuple into the reply direction and back', () => {
    const r = nf_ct_invert_tuple(t);
    expect(r.src.u.all).toBe(50000);
    expect(r.dst.u.all).toBe(20);
    expect(r.dst.dir).toBe(1);
    expect(nf_ct_tuple_equal(nf_ct_invert_tuple(r), t)).toBe(true);
  });

  it('matches under a mask: wildcard source port, exact destination', () => {
    const exp = mkTuple(AF_INET, IPPROTO_TCP, parseIPv4('10.0.0.2')!, 0, parseIPv4('10.0.0.1')!, 50000);
    const mask = { src: { u3: [0xffffffff, 0, 0, 0] as const, u: { all: 0 } } };
    expect(nf_ct_tuple_mask_cmp(t, exp, mask)).toBe(true);
    expect(nf_ct_tuple_mask_cmp({ ...t, dst: { ...t.dst, u: { all: 50001 } } }, exp, mask)).toBe(false);
    expect(nf_ct_tuple_mask_cmp({ ...t, src: { ...t.src, u3: parseIPv4('10.0.0.3')! } }, exp, mask)).toBe(false);
    expect(nf_ct_tuple_mask_cmp({ ...t, src: { ...t.src, l3num: AF_INET6 } }, exp, mask)).toBe(false);
  });
});

describe('jhash2', () => {
  it('gives the values of include/linux/jhash.h (computed with the kernel macros by cc)', () => {
    expect(jhash2([], 0, 0)).toBe(0xdeadbeef);
    expect(jhash2([1], 1, 0)).toBe(JHASH_1);
    expect(jhash2([1, 2, 3, 4, 5, 6, 7, 8, 9], 9, 0x12345678)).toBe(JHASH_9);
  });

  it('scales a hash into a table as ((u64)hash * size) >> 32', () => {
    expect(reciprocal_scale(0xffffffff, 16)).toBe(15);
    expect(reciprocal_scale(0x80000000, 16)).toBe(8);
    expect(reciprocal_scale(0, 16)).toBe(0);
  });
});
