import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AF_INET, AF_INET6, ftpParse, formatIPv6, parseIPv4, parseIPv6, type FtpMatch } from '../src/index';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const client = parseIPv4('10.0.0.1')!;

describe('nf_conntrack_ftp parsers', () => {
  it('reads a PORT command (try_rfc959)', () => {
    expect(ftpParse(bytes('PORT 10,0,0,1,156,64\r\n'), 0, AF_INET, client)).toMatchObject({ type: 'PORT', addr: [0x0a000001, 0, 0, 0], port: 40000, matchoff: 5 });
  });

  it('matches the command name without regard to case', () => {
    expect(ftpParse(bytes('port 10,0,0,1,0,21\r\n'), 0, AF_INET, client)).toMatchObject({ type: 'PORT', port: 21 });
  });

  it('wraps out-of-range numbers as the u32/u16 arithmetic of the kernel does', () => {
    // 256 shifted into the top byte overflows the u32 address; 300 << 8 | 1 is truncated to 16 bits
    const m = ftpParse(bytes('PORT 256,0,0,1,300,1\r\n'), 0, AF_INET, client);
    expect(m).toMatchObject({ addr: [1, 0, 0, 0], port: (300 * 256 + 1) & 0xffff });
  });

  it('reads EPRT for IPv4 and IPv6, and refuses a family that does not fit the connection', () => {
    expect(ftpParse(bytes('EPRT |1|10.0.0.1|6275|\r\n'), 0, AF_INET, client)).toMatchObject({ type: 'EPRT', addr: [0x0a000001, 0, 0, 0], port: 6275 });
    const v6 = ftpParse(bytes('EPRT |2|2001:db8::1|6275|\r\n'), 0, AF_INET6, parseIPv6('2001:db8::1')!);
    expect(v6).toMatchObject({ type: 'EPRT', port: 6275 });
    expect(formatIPv6((v6 as FtpMatch).addr)).toBe('2001:db8::1');
    // "|2|" on an IPv4 connection: getnum fails after the pattern matched, which is a partial match (NF_DROP)
    expect(ftpParse(bytes('EPRT |2|2001:db8::1|6275|\r\n'), 0, AF_INET, client)).toBe('partial');
  });

  it('reads a 227 reply with or without parentheses (try_rfc1123) and a 229 reply (try_epsv_response)', () => {
    expect(ftpParse(bytes('227 Entering Passive Mode (10,0,0,2,156,72).\r\n'), 1, AF_INET, client)).toMatchObject({ type: 'PASV', addr: [0x0a000002, 0, 0, 0], port: 40008, matchoff: 27 });
    expect(ftpParse(bytes('227 =10,0,0,2,1,2\r\n'), 1, AF_INET, client)).toMatchObject({ type: 'PASV', port: 258, matchoff: 5 });
    expect(ftpParse(bytes('229 Entering Extended Passive Mode (|||40009|)\r\n'), 1, AF_INET, client)).toMatchObject({ type: 'EPSV', addr: client, port: 40009 });
  });

  it('treats a short segment that begins a pattern, or a pattern without its numbers, as a partial match (the packet is dropped)', () => {
    expect(ftpParse(bytes('POR'), 0, AF_INET, client)).toBe('partial');
    expect(ftpParse(bytes('PORT x\r\n'), 0, AF_INET, client)).toBe('partial');
    expect(ftpParse(bytes('229 Extended Passive Mode |||1|\r\n'), 1, AF_INET, client)).toBe('partial');
  });

  it('ignores other commands and the commands of the other direction', () => {
    expect(ftpParse(bytes('USER anonymous\r\n'), 0, AF_INET, client)).toBeNull();
    expect(ftpParse(bytes('PORT 10,0,0,1,1,1\r\n'), 1, AF_INET, client)).toBeNull();
    expect(ftpParse(bytes('227 x (10,0,0,2,1,1)\r\n'), 0, AF_INET, client)).toBeNull();
  });

  it('reads back every address and port a PORT command can carry', () => {
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
      const m = ftpParse(bytes(`PORT ${ip.split('.').join(',')},${port >> 8},${port & 255}\r\n`), 0, AF_INET, client);
      return m !== null && m !== 'partial' && m.port === port && m.addr[0] === parseIPv4(ip)![0];
    }), { seed: 7, numRuns: 300 });
  });
});
