// A schedule is the list of every choice an execution made (which thread
// steps, when time advances, which IRQ arrives, every data choice). Printed
// as `k1:` + base64url of LEB128 varints: short, pasteable, exact.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export class ScheduleFormatError extends Error {
  override readonly name = 'ScheduleFormatError';
}

export function encodeSchedule(choices: readonly number[]): string {
  const bytes: number[] = [];
  for (const c of choices) {
    if (!Number.isInteger(c) || c < 0) throw new ScheduleFormatError(`schedule entry ${c} is not a non-negative integer`);
    let v = c;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += B64[b0 >> 2];
    out += B64[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)];
    if (b1 !== undefined) out += B64[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)];
    if (b2 !== undefined) out += B64[b2 & 63];
  }
  return `k1:${out}`;
}

export function decodeSchedule(text: string): number[] {
  const s = text.trim();
  if (!s.startsWith('k1:')) throw new ScheduleFormatError(`not a k schedule (expected 'k1:...'): '${s.slice(0, 20)}'`);
  const body = s.slice(3);
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of body) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new ScheduleFormatError(`bad character '${ch}' in schedule`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  const out: number[] = [];
  let v = 0;
  let mul = 1;
  for (const b of bytes) {
    v += (b & 0x7f) * mul;
    if (b & 0x80) mul *= 128;
    else {
      out.push(v);
      v = 0;
      mul = 1;
    }
  }
  if (mul !== 1) throw new ScheduleFormatError('truncated schedule');
  return out;
}
