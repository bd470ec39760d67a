import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  ModelInputError, encodeNetPortAttr, encodeRulesetAttr, formatIPv6, htons, parseIPv4, parseIPv6, sockaddr_in, sockaddr_in6, sockaddr_un,
} from '../src/index';

describe('user memory layouts', () => {
  it('lays out struct landlock_ruleset_attr as three little-endian u64', () => {
    expect(Array.from(encodeRulesetAttr({ handled_access_fs: 1n, handled_access_net: 3n, scoped: 2n }))).toEqual([
      1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('lays out struct landlock_net_port_attr with a host-endian port', () => {
    expect(Array.from(encodeNetPortAttr({ allowed_access: 1n, port: 0x0400 }))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(encodeNetPortAttr({ allowed_access: 1n, port: 0x0400 }, 'big')).slice(8)).toEqual([0, 0, 0, 0, 0, 0, 4, 0]);
  });

  it('puts sin_port and sin_addr in network order after a host-endian sa_family', () => {
    expect(Array.from(sockaddr_in({ port: 1024, addr: '127.0.0.1' }))).toEqual([2, 0, 4, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const v6 = sockaddr_in6({ port: 80, addr: '::1', scope_id: 1 });
    expect(v6.length).toBe(28);
    expect(Array.from(v6.slice(0, 4))).toEqual([10, 0, 0, 80]);
    expect(v6[23]).toBe(1);
    expect(v6[24]).toBe(1);
  });

  it('gives an abstract unix address the length a C program computes', () => {
    const { addr, addrlen } = sockaddr_un({ abstract: 'kx' });
    expect(addrlen).toBe(5);
    expect(Array.from(addr.slice(0, 5))).toEqual([1, 0, 0, 0x6b, 0x78]);
    expect(sockaddr_un({ path: '/tmp/s' }).addrlen).toBe(8);
  });

  it('swaps bytes in htons on a little-endian CPU only', () => {
    expect(htons(1024)).toBe(4);
    expect(htons(1024, 'big')).toBe(1024);
  });

  it('refuses what is not an address', () => {
    expect(() => parseIPv4('256.0.0.1')).toThrow(ModelInputError);
    expect(() => parseIPv6('1::2::3')).toThrow(ModelInputError);
    expect(() => parseIPv6('1:2:3:4:5:6:7:8:9')).toThrow(ModelInputError);
  });

  it('reads the IPv6 forms the selftests use', () => {
    expect(formatIPv6(parseIPv6('::1'))).toBe('::1');
    expect(formatIPv6(parseIPv6('::ffff:127.0.0.1'))).toBe('::ffff:7f00:1');
    expect(formatIPv6(parseIPv6('::'))).toBe('::');
  });

  test.prop([fc.ipV6()], { seed: 3, numRuns: 200 })('parses any IPv6 address back to the same 16 bytes', (a) => {
    const bytes = parseIPv6(a);
    expect(parseIPv6(formatIPv6(bytes))).toEqual(bytes);
  });
});
