// CRC-CCITT as the kernel computes it: lib/crc-ccitt.c (crc_ccitt_table,
// crc_ccitt_byte, crc_ccitt; crc_ccitt_false_table, crc_ccitt_false).
//
// crc_ccitt() is the reflected CRC-16 with polynomial x^16 + x^12 + x^5 + 1
// (0x1021, 0x8408 bit-reversed), no final XOR: CRC-16/KERMIT when started from 0.
// IEEE 802.15.4 (2006 7.2.1.9, 2015 7.2.10) uses it for the FCS: the FCS of a
// frame is crc_ccitt(0, MHR + payload), sent least significant octet first, so
// crc_ccitt(0, frame_with_fcs) == 0 for an intact frame. Seed 000 relies on
// exactly that in ieee802154_rx(): `crc = crc_ccitt(0, skb->data, skb->len); if (crc) drop`.

function buildTable(step: (crc: number) => number): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) table[i] = step(i);
  return table;
}

/**
 * The kernel's `crc_ccitt_table`: entry i is the reflected CRC of the byte i
 * (polynomial 0x8408), 256 u16 entries.
 */
export const crc_ccitt_table: Readonly<Uint16Array> = buildTable((i) => {
  let crc = i;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  return crc;
});

/**
 * The kernel's `crc_ccitt_false_table`: the non-reflected table (polynomial
 * 0x1021, MSB first) used by `crc_ccitt_false`.
 */
export const crc_ccitt_false_table: Readonly<Uint16Array> = buildTable((i) => {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

function checkArgs(fn: string, crc: unknown, bytes: unknown): void {
  if (typeof crc !== 'number' || !Number.isInteger(crc)) {
    throw new TypeError(`${fn}: crc must be an integer (u16), got ${String(crc)}`);
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${fn}: bytes must be a Uint8Array`);
  }
}

/**
 * `crc_ccitt_byte(crc, c)`: one step of the reflected CRC-CCITT.
 * Both arguments are truncated to their C widths (u16, u8) as the kernel's are.
 */
export function crc_ccitt_byte(crc: number, c: number): number {
  crc &= 0xffff;
  return ((crc >>> 8) ^ crc_ccitt_table[(crc ^ c) & 0xff]!) & 0xffff;
}

/**
 * `crc_ccitt(crc, buffer, len)`: the reflected CRC-CCITT of `bytes`, continuing
 * from `crc` (a u16: larger integers are truncated, as a C `u16` parameter is).
 *
 * @example
 * crc_ccitt(0, new TextEncoder().encode('123456789')) // => 0x2189 (CRC-16/KERMIT check value)
 * @throws TypeError when `crc` is not an integer or `bytes` is not a Uint8Array.
 */
export function crc_ccitt(crc: number, bytes: Uint8Array): number {
  checkArgs('crc_ccitt', crc, bytes);
  let c = crc & 0xffff;
  for (let i = 0; i < bytes.length; i++) c = (c >>> 8) ^ crc_ccitt_table[(c ^ bytes[i]!) & 0xff]!;
  return c;
}

/**
 * `crc_ccitt_false(crc, buffer, len)`: the non-reflected CRC-CCITT (MSB first),
 * CRC-16/CCITT-FALSE when started from 0xffff (check value 0x29b1).
 */
export function crc_ccitt_false(crc: number, bytes: Uint8Array): number {
  checkArgs('crc_ccitt_false', crc, bytes);
  let c = crc & 0xffff;
  for (let i = 0; i < bytes.length; i++) c = ((c << 8) & 0xffff) ^ crc_ccitt_false_table[((c >>> 8) ^ bytes[i]!) & 0xff]!;
  return c;
}
