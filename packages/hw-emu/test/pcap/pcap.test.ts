import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IEEE802_15_4_NOFCS,
  LINKTYPE_IEEE802_15_4_WITHFCS,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_RAW,
  PcapError,
  PcapWriter,
  linktypeName,
  readPcap,
  writePcap,
  type PcapFile,
  type PcapResult,
} from '../../src/index';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

function ok(r: PcapResult<PcapFile>): PcapFile {
  if (!r.ok) throw r.error;
  return r.value;
}

function errorOf(r: PcapResult<PcapFile>): PcapError {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('expected an error');
  expect(r.error).toBeInstanceOf(PcapError);
  return r.error;
}

describe('pcap writer', () => {
  it('writes the nanosecond little-endian header and record byte for byte', () => {
    const file = writePcap({ linktype: LINKTYPE_IEEE802_15_4_WITHFCS, snaplen: 65535 }, [
      { timestampNs: 1_000_000_123, data: hex('02 00 56 aa bb') },
    ]);
    expect(file).toEqual(
      hex(
        '4d3cb2a1 0200 0400 00000000 00000000 ffff0000 c3000000' + // magic ns, 2.4, zone, sigfigs, snaplen, 195
          '01000000 7b000000 05000000 05000000' + // 1 s, 123 ns, incl 5, orig 5
          '020056aabb',
      ),
    );
  });

  it('writes the microsecond big-endian header when asked, truncating the nanoseconds', () => {
    const file = writePcap({ linktype: LINKTYPE_ETHERNET, resolution: 'us', byteOrder: 'be', snaplen: 1500 }, [
      { timestampNs: 2_000_001_999n, data: hex('00') },
    ]);
    expect(file).toEqual(hex('a1b2c3d4 0002 0004 00000000 00000000 000005dc 00000001' + '00000002 00000001 00000001 00000001 00'));
  });

  it('cuts data longer than snaplen and keeps the real length in orig_len', () => {
    const file = writePcap({ linktype: LINKTYPE_RAW, snaplen: 4 }, [{ timestampNs: 0, data: hex('0102030405060708') }]);
    const rec = ok(readPcap(file)).records[0]!;
    expect(Array.from(rec.data)).toEqual([1, 2, 3, 4]);
    expect(rec.originalLength).toBe(8);
  });

  it('announces an FCS length in the link-type field when asked', () => {
    const file = writePcap({ linktype: LINKTYPE_ETHERNET, fcsBytes: 4 }, []);
    const h = ok(readPcap(file)).header;
    expect(h.linktype).toBe(LINKTYPE_ETHERNET);
    expect(h.fcsBytes).toBe(4);
    expect(h.linktypeField).toBe(0x24000001);
  });

  it('rejects bad arguments with a typed invalid-argument error', () => {
    const bad: Array<() => unknown> = [
      () => new PcapWriter({ linktype: -1 }),
      () => new PcapWriter({ linktype: 70000 }),
      () => new PcapWriter({ linktype: 1, snaplen: 0 }),
      () => new PcapWriter({ linktype: 1, resolution: 'ms' as 'us' }),
      () => new PcapWriter({ linktype: 1, fcsBytes: 3 }),
      () => new PcapWriter({ linktype: 1 }).write({ timestampNs: -1, data: new Uint8Array() }),
      () => new PcapWriter({ linktype: 1 }).write({ timestampNs: 1.5, data: new Uint8Array() }),
      () => new PcapWriter({ linktype: 1 }).write({ timestampNs: 2n ** 32n * 1_000_000_000n, data: new Uint8Array() }),
      () => new PcapWriter({ linktype: 1 }).write({ timestampNs: 0, data: 'x' as unknown as Uint8Array }),
      () => new PcapWriter({ linktype: 1 }).write({ timestampNs: 0, data: hex('0102'), originalLength: 1 }),
    ];
    for (const f of bad) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PcapError);
      expect((caught as PcapError).kind).toBe('invalid-argument');
    }
  });

  it('names the link types k uses', () => {
    expect(
      [LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LINUX_SLL, LINKTYPE_IEEE802_15_4_WITHFCS, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_IEEE802_15_4_NOFCS].map(
        (t) => [t, linktypeName(t)],
      ),
    ).toEqual([
      [1, 'ETHERNET'],
      [101, 'RAW'],
      [113, 'LINUX_SLL'],
      [195, 'IEEE802_15_4_WITHFCS'],
      [228, 'IPV4'],
      [229, 'IPV6'],
      [230, 'IEEE802_15_4_NOFCS'],
    ]);
    expect(linktypeName(9999)).toBeUndefined();
  });
});

describe('pcap reader', () => {
  it('reads a big-endian microsecond file written by hand', () => {
    const f = ok(readPcap(hex('a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000065' + '5e0be100 000f4240'.slice(0, 8) + '000f423f 00000002 00000003 4500')));
    expect(f.header).toMatchObject({ byteOrder: 'be', resolution: 'us', snaplen: 65535, linktype: LINKTYPE_RAW });
    const r = f.records[0]!;
    expect(r.seconds).toBe(0x5e0be100);
    expect(r.nanoseconds).toBe(999_999_000);
    expect(r.timestampNs).toBe(0x5e0be100n * 1_000_000_000n + 999_999_000n);
    expect(Array.from(r.data)).toEqual([0x45, 0x00]);
    expect(r.originalLength).toBe(3);
  });

  it('reads an empty capture (header only)', () => {
    const f = ok(readPcap(writePcap({ linktype: LINKTYPE_IPV6 }, [])));
    expect(f.records).toEqual([]);
    expect(f.truncatedTail).toBe(false);
  });

  it('fails with truncated-file-header on a file shorter than 24 bytes', () => {
    const e = errorOf(readPcap(hex('d4c3b2a1 0200')));
    expect(e.kind).toBe('truncated-file-header');
    expect(e.message).toMatch(/shorter than the 24-byte file header/);
  });

  it('fails with bad-magic, naming pcapng and modified pcap files', () => {
    const base = writePcap({ linktype: 1 }, []);
    const junk = base.slice();
    junk.set(hex('00112233'));
    expect(errorOf(readPcap(junk)).kind).toBe('bad-magic');
    const ng = base.slice();
    ng.set(hex('0a0d0d0a'));
    expect(errorOf(readPcap(ng)).message).toMatch(/pcapng/);
    const modified = base.slice();
    modified.set(hex('34cdb2a1'));
    expect(errorOf(readPcap(modified)).message).toMatch(/modified/);
  });

  it('fails with unsupported-version on a major version other than 2', () => {
    const f = writePcap({ linktype: 1 }, []);
    f[4] = 3;
    expect(errorOf(readPcap(f)).kind).toBe('unsupported-version');
  });

  it('fails with truncated-record-header when a record header is cut', () => {
    const f = writePcap({ linktype: 1 }, [{ timestampNs: 0, data: hex('00') }]);
    const e = errorOf(readPcap(f.subarray(0, 24 + 10)));
    expect(e.kind).toBe('truncated-record-header');
    expect(e.details).toMatchObject({ offset: 24, record: 0 });
  });

  it('fails with record-beyond-file when the data runs past the end', () => {
    const f = writePcap({ linktype: 1 }, [
      { timestampNs: 0, data: hex('00') },
      { timestampNs: 1, data: hex('01020304') },
    ]);
    const e = errorOf(readPcap(f.subarray(0, f.length - 1)));
    expect(e.kind).toBe('record-beyond-file');
    expect(e.details).toMatchObject({ record: 1, offset: 24 + 17, value: 4, limit: 3 });
  });

  it('drops a cut-short last record when allowTruncatedTail is set', () => {
    const f = writePcap({ linktype: 1 }, [
      { timestampNs: 0, data: hex('00') },
      { timestampNs: 1, data: hex('01020304') },
    ]);
    const r = ok(readPcap(f.subarray(0, f.length - 1), { allowTruncatedTail: true }));
    expect(r.records.length).toBe(1);
    expect(r.truncatedTail).toBe(true);
  });

  it('fails with snaplen-exceeded when a record is longer than the snaplen', () => {
    const f = writePcap({ linktype: 1, snaplen: 8 }, [{ timestampNs: 0, data: hex('0001020304') }]);
    f.set(hex('04000000'), 16); // snaplen 4 < incl_len 5
    const e = errorOf(readPcap(f));
    expect(e.kind).toBe('snaplen-exceeded');
    expect(e.details).toMatchObject({ record: 0, value: 5, limit: 4 });
  });

  it('does not check records against a zero snaplen', () => {
    const f = writePcap({ linktype: 1 }, [{ timestampNs: 0, data: hex('0001020304') }]);
    f.set(hex('00000000'), 16);
    expect(ok(readPcap(f)).records.length).toBe(1);
  });

  it('fails with captured-exceeds-original when incl_len > orig_len', () => {
    const f = writePcap({ linktype: 1 }, [{ timestampNs: 0, data: hex('0001020304') }]);
    f.set(hex('04000000'), 24 + 12);
    expect(errorOf(readPcap(f)).kind).toBe('captured-exceeds-original');
  });

  it('fails with bad-timestamp-fraction for a fraction of a second >= 1 s', () => {
    const us = writePcap({ linktype: 1, resolution: 'us' }, [{ timestampNs: 0, data: hex('00') }]);
    us.set(hex('40420f00'), 24 + 4); // 1_000_000 us
    expect(errorOf(readPcap(us)).kind).toBe('bad-timestamp-fraction');
    const ns = writePcap({ linktype: 1 }, [{ timestampNs: 0, data: hex('00') }]);
    ns.set(hex('00ca9a3b'), 24 + 4); // 1_000_000_000 ns
    expect(errorOf(readPcap(ns)).kind).toBe('bad-timestamp-fraction');
  });

  it('returns an error, never throws, on any byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (junk, prefixed) => {
        const bytes = prefixed ? new Uint8Array([...writePcap({ linktype: 1, snaplen: 16 }, []), ...junk]) : junk;
        const r = readPcap(bytes);
        return r.ok ? r.value.records.every((x) => x.data.length <= 16) : r.error instanceof PcapError;
      }),
      { seed: 195, numRuns: 500 },
    );
  });
});

describe('pcap round trip', () => {
  const record = fc.record({
    timestampNs: fc.bigInt({ min: 0n, max: 2n ** 32n * 1_000_000_000n - 1n }),
    data: fc.uint8Array({ maxLength: 200 }),
    extra: fc.nat({ max: 1000 }),
  });
  it('reads back what it wrote, for both byte orders and resolutions', () => {
    fc.assert(
      fc.property(
        fc.record({
          linktype: fc.constantFrom(1, 101, 113, 195, 228, 229, 230),
          snaplen: fc.integer({ min: 1, max: 300 }),
          resolution: fc.constantFrom('ns' as const, 'us' as const),
          byteOrder: fc.constantFrom('le' as const, 'be' as const),
          thiszone: fc.integer({ min: -43200, max: 43200 }),
        }),
        fc.array(record, { maxLength: 8 }),
        (opts, records) => {
          const file = writePcap(
            opts,
            records.map((r) => ({ timestampNs: r.timestampNs, data: r.data, originalLength: r.data.length + r.extra })),
          );
          const back = ok(readPcap(file));
          expect(back.header).toMatchObject({ ...opts, versionMajor: 2, versionMinor: 4, sigfigs: 0 });
          expect(back.records.length).toBe(records.length);
          back.records.forEach((got, i) => {
            const want = records[i]!;
            const ts = opts.resolution === 'ns' ? want.timestampNs : (want.timestampNs / 1000n) * 1000n;
            expect(got.timestampNs).toBe(ts);
            expect(got.data).toEqual(want.data.subarray(0, opts.snaplen));
            expect(got.originalLength).toBe(want.data.length + want.extra);
          });
        },
      ),
      { seed: 0xa1b23c4d, numRuns: 200 },
    );
  });

  it('keeps integer-nanosecond virtual time exact up to 2^53 ns', () => {
    const t = Number.MAX_SAFE_INTEGER;
    const r = ok(readPcap(writePcap({ linktype: 195 }, [{ timestampNs: t, data: new Uint8Array(5) }]))).records[0]!;
    expect(r.timestampNs).toBe(BigInt(t));
  });
});
