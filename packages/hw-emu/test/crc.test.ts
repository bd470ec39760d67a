import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc_ccitt, crc_ccitt_byte, crc_ccitt_false, crc_ccitt_table } from '../src/index';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc_ccitt (lib/crc-ccitt.c)', () => {
  it('gives the CRC-16/KERMIT check value 0x2189 for "123456789" from 0', () => {
    expect(crc_ccitt(0, ascii('123456789'))).toBe(0x2189);
  });

  it('gives the CRC-16/X-25 residue chain: 0x906e after ~ for "123456789" from 0xffff', () => {
    // X-25 = reflected 0x1021, init 0xffff, xorout 0xffff; its check value is 0x906e.
    expect(crc_ccitt(0xffff, ascii('123456789')) ^ 0xffff).toBe(0x906e);
  });

  it('has the table the kernel spells out (first and last rows)', () => {
    expect(Array.from(crc_ccitt_table.slice(0, 8))).toEqual([
      0x0000, 0x1189, 0x2312, 0x329b, 0x4624, 0x57ad, 0x6536, 0x74bf,
    ]);
    expect(Array.from(crc_ccitt_table.slice(248))).toEqual([
      0x7bc7, 0x6a4e, 0x58d5, 0x495c, 0x3de3, 0x2c6a, 0x1ef1, 0x0f78,
    ]);
  });

  it('gives the CRC-16/CCITT-FALSE check value 0x29b1 for crc_ccitt_false from 0xffff', () => {
    expect(crc_ccitt_false(0xffff, ascii('123456789'))).toBe(0x29b1);
  });

  it('returns crc unchanged for an empty buffer and truncates crc to a u16', () => {
    expect(crc_ccitt(0x1234, new Uint8Array())).toBe(0x1234);
    expect(crc_ccitt(0x11234, new Uint8Array())).toBe(0x1234);
  });

  it('computes the FCS of an IEEE 802.15.4 imm-ack frame (02 00 seq) as the standard does', () => {
    // Ack for sequence number 0x56: FCS = crc_ccitt(0, 02 00 56), sent LSB first.
    const fcs = crc_ccitt(0, Uint8Array.of(0x02, 0x00, 0x56));
    const frame = Uint8Array.of(0x02, 0x00, 0x56, fcs & 0xff, fcs >> 8);
    expect(crc_ccitt(0, frame)).toBe(0);
  });

  it('rejects a non-integer crc or a non-byte buffer with a TypeError', () => {
    expect(() => crc_ccitt(1.5, new Uint8Array())).toThrow(TypeError);
    expect(() => crc_ccitt(0, [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('leaves a zero residue over any frame followed by its little-endian FCS', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 125 }), (data) => {
        const fcs = crc_ccitt(0, data);
        const framed = new Uint8Array(data.length + 2);
        framed.set(data);
        framed[data.length] = fcs & 0xff;
        framed[data.length + 1] = fcs >> 8;
        return crc_ccitt(0, framed) === 0;
      }),
      { seed: 0x2189, numRuns: 300 },
    );
  });

  it('agrees byte by byte with crc_ccitt_byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 64 }), (crc, data) => {
        let c = crc;
        for (const b of data) c = crc_ccitt_byte(c, b);
        return c === crc_ccitt(crc, data);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
