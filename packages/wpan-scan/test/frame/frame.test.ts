import fc from 'fast-check';
import { crc_ccitt } from '@k/hw-emu';
import { describe, expect, it } from 'vitest';
import {
  IEEE802154_ADDR_LONG,
  IEEE802154_ADDR_NONE,
  IEEE802154_ADDR_SHORT,
  IEEE802154_CMD_BEACON_REQ,
  IEEE802154_FC_TYPE_BEACON,
  IEEE802154_FC_TYPE_DATA,
  IEEE802154_FC_TYPE_MAC_CMD,
  Ieee802154FrameError,
  Ieee802154FrameView,
  buildAckFrame,
  buildBeaconFrame,
  buildBeaconRequestFrame,
  buildDataFrame,
  bufferLen,
  decodeFc,
  decodeSuperframeSpec,
  effectivePanIds,
  emit,
  encodeFc,
  formatExtendedAddr,
  ieee802154_fcs,
  ieee802154_fcs_ok,
  makeBeacon,
  makeHeader,
  panIdPresence,
  parse,
  parseExtendedAddr,
  superframeSpecOf,
  type FrameError,
  type FrameErrorKind,
  type FrameResult,
  type Ieee802154Frame,
  type ieee802154_hdr_fc,
} from '../../src/index';
import { frameArb } from './arbitraries';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function ok<T>(r: FrameResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

function err<T>(r: FrameResult<T>): FrameError {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

/** Appends the FCS: crc_ccitt(0, frame), least significant octet first. */
function withFcs(frame: Uint8Array): Uint8Array {
  const c = crc_ccitt(0, frame);
  return Uint8Array.of(...frame, c & 0xff, c >> 8);
}

// Frames checked against tshark (golden/tshark-V.txt holds its dissections).
const ACK = hex('02 00 56 0b 82');
const BEACON_REQ = hex('03 08 55 ff ff ff ff 07 de 7d');
const BEACON_EXT = hex('00 c0 12 cd ab 77 66 55 44 33 22 11 00 ff cf 00 00 b3 70');
const BEACON_GTS = hex('00 80 13 34 12 01 00 46 5a 82 02 42 00 2b 43 00 3d 11 07 00 08 07 06 05 04 03 02 01 de ad a3 c7');
const DATA_COMP = hex('61 c8 01 34 12 02 00 a8 a7 a6 a5 a4 a3 a2 a1 01 02 03 bb 36');

describe('literal frames (bytes checked by tshark)', () => {
  it('decodes an imm-ack: frame type 2, sequence number 0x56, no addresses', () => {
    const f = ok(parse(ACK));
    expect(f.hdr.fc).toMatchObject({ type: 2, version: 0, dest_addr_mode: 0, source_addr_mode: 0, frame_pending: false });
    expect(f.hdr.seq).toBe(0x56);
    expect(f.body).toEqual({ kind: 'raw', payload: new Uint8Array() });
    expect(f.fcs).toBe(0x820b);
  });

  it('decodes the beacon request the kernel sends: broadcast PAN and address, no source, command 0x07', () => {
    const f = ok(parse(BEACON_REQ));
    expect(f.hdr).toEqual({
      fc: decodeFc(0x0803),
      seq: 0x55,
      dest: { mode: IEEE802154_ADDR_SHORT, pan_id: 0xffff, short_addr: 0xffff },
      source: { mode: IEEE802154_ADDR_NONE },
    });
    expect(f.body).toEqual({ kind: 'command', command: { kind: 'beacon_req' } });
    expect(ok(emit(buildBeaconRequestFrame(0x55)))).toEqual(BEACON_REQ);
  });

  it('decodes a beacon from an extended source: BO 15, SO 15, final CAP slot 15, PAN coordinator, association permit', () => {
    const f = ok(parse(BEACON_EXT));
    expect(f.hdr.source).toEqual({ mode: IEEE802154_ADDR_LONG, pan_id: 0xabcd, extended_addr: 0x0011223344556677n });
    expect(f.body).toEqual({ kind: 'beacon', beacon: makeBeacon({ assoc_permit: true }) });
  });

  it('decodes GTS descriptors and directions, pending addresses and the beacon payload', () => {
    const f = ok(parse(BEACON_GTS));
    expect(f.hdr.source).toEqual({ mode: IEEE802154_ADDR_SHORT, pan_id: 0x1234, short_addr: 0x0001 });
    expect(f.body).toEqual({
      kind: 'beacon',
      beacon: makeBeacon({
        beacon_order: 6,
        superframe_order: 4,
        final_cap_slot: 10,
        battery_life_ext: true,
        pan_coordinator: true,
        gts_permit: true,
        gts_directions: 0x02,
        gts_list: [
          { short_addr: 0x0042, starting_slot: 11, length: 2 },
          { short_addr: 0x0043, starting_slot: 13, length: 3 },
        ],
        pend_short_addrs: [0x0007],
        pend_ext_addrs: [0x0102030405060708n],
        payload: hex('dead'),
      }),
    });
  });

  it('decodes a data frame with PAN ID compression: the source PAN ID is the destination one', () => {
    const f = ok(parse(DATA_COMP));
    expect(f.hdr.fc).toMatchObject({ type: 1, ack_request: true, intra_pan: true, dest_addr_mode: 2, source_addr_mode: 3 });
    expect(f.hdr.source).toEqual({ mode: IEEE802154_ADDR_LONG, extended_addr: 0xa1a2a3a4a5a6a7a8n });
    expect(effectivePanIds(f.hdr)).toEqual({ dest: 0x1234, source: 0x1234 });
    expect(f.body).toEqual({ kind: 'raw', payload: hex('010203') });
  });

  it('emits every literal frame back byte for byte', () => {
    for (const b of [ACK, BEACON_REQ, BEACON_EXT, BEACON_GTS, DATA_COMP]) expect(toHex(ok(emit(ok(parse(b)))))).toBe(toHex(b));
  });

  it('reads the superframe specification where mac802154_process_beacon reads it (the first u16 of the payload)', () => {
    const f = ok(parse(BEACON_GTS));
    const view = ok(Ieee802154FrameView.check(BEACON_GTS));
    const pl = view.payload();
    expect(pl[0]! | (pl[1]! << 8)).toBe(superframeSpecOf(f.body.kind === 'beacon' ? f.body.beacon : makeBeacon()));
    expect(decodeSuperframeSpec(0xcfff)).toMatchObject({ beacon_order: 15, superframe_order: 15, final_cap_slot: 15, pan_coordinator: true, assoc_permit: true });
  });
});

describe('frame control and PAN ID compression rules', () => {
  it('packs the frame control bits as 2015 7.2.2 lays them out', () => {
    const all: ieee802154_hdr_fc = {
      type: 7,
      security_enabled: true,
      frame_pending: true,
      ack_request: true,
      intra_pan: true,
      reserved: 1,
      seq_num_suppression: true,
      ie_present: true,
      dest_addr_mode: 3,
      version: 3,
      source_addr_mode: 3,
    };
    expect(encodeFc(all)).toBe(0xffff);
    expect(encodeFc({ ...all, type: 0, seq_num_suppression: false, version: 2 })).toBe(0xeef8);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (w) => encodeFc(decodeFc(w)) === w), { seed: 1, numRuns: 300 });
  });

  it('carries PAN IDs in 2003/2006 frames by address presence and compression', () => {
    const fcOf = (version: number, dst: number, src: number, comp: boolean) => ({ ...decodeFc(0), version, dest_addr_mode: dst, source_addr_mode: src, intra_pan: comp });
    for (const v of [0, 1]) {
      expect(panIdPresence(fcOf(v, 2, 3, false))).toEqual({ dest: true, source: true });
      expect(panIdPresence(fcOf(v, 2, 3, true))).toEqual({ dest: true, source: false });
      expect(panIdPresence(fcOf(v, 3, 0, false))).toEqual({ dest: true, source: false });
      expect(panIdPresence(fcOf(v, 0, 2, false))).toEqual({ dest: false, source: true });
      expect(panIdPresence(fcOf(v, 0, 0, false))).toEqual({ dest: false, source: false });
    }
  });

  it('follows 802.15.4-2015 Table 7-2 in frame version 2, row by row', () => {
    // [dest mode, source mode, PAN ID compression, dest PAN present, source PAN present]
    const table: Array<[number, number, boolean, boolean, boolean]> = [
      [0, 0, false, false, false],
      [0, 0, true, true, false],
      [2, 0, false, true, false],
      [3, 0, false, true, false],
      [2, 0, true, false, false],
      [3, 0, true, false, false],
      [0, 2, false, false, true],
      [0, 3, false, false, true],
      [0, 2, true, false, false],
      [0, 3, true, false, false],
      [3, 3, false, true, false],
      [3, 3, true, false, false],
      [2, 2, false, true, true],
      [2, 3, false, true, true],
      [3, 2, false, true, true],
      [2, 3, true, true, false],
      [3, 2, true, true, false],
      [2, 2, true, true, false],
    ];
    for (const [dst, src, comp, dpan, span] of table) {
      const f = { ...decodeFc(0), version: 2, dest_addr_mode: dst, source_addr_mode: src, intra_pan: comp };
      expect([dst, src, comp, panIdPresence(f)]).toEqual([dst, src, comp, { dest: dpan, source: span }]);
    }
  });

  it('builds headers as ieee802154_hdr_push does: compression when both addresses share the PAN', () => {
    const h = makeHeader({
      type: IEEE802154_FC_TYPE_DATA,
      seq: 1,
      dest: { mode: IEEE802154_ADDR_SHORT, pan_id: 7, short_addr: 1 },
      source: { mode: IEEE802154_ADDR_SHORT, pan_id: 7, short_addr: 2 },
    });
    expect(h.fc.intra_pan).toBe(true);
    expect(h.source).toEqual({ mode: IEEE802154_ADDR_SHORT, short_addr: 2 });
    const across = makeHeader({
      type: IEEE802154_FC_TYPE_DATA,
      seq: 1,
      dest: { mode: IEEE802154_ADDR_SHORT, pan_id: 7, short_addr: 1 },
      source: { mode: IEEE802154_ADDR_SHORT, pan_id: 8, short_addr: 2 },
    });
    expect(across.fc.intra_pan).toBe(false);
    expect(across.source).toEqual({ mode: IEEE802154_ADDR_SHORT, pan_id: 8, short_addr: 2 });
    const v2 = makeHeader({ type: IEEE802154_FC_TYPE_DATA, version: 2, source: { mode: IEEE802154_ADDR_LONG, pan_id: 7, extended_addr: 5n } });
    expect(v2.fc.seq_num_suppression).toBe(true);
    expect(v2.seq).toBeUndefined();
  });
});

describe('malformed frames decode to a typed error, one kind per rule', () => {
  it("reports 'truncated' naming the field the frame ends before", () => {
    const cases: Array<[Uint8Array, string]> = [
      [withFcs(hex('41')), 'frame control'],
      [withFcs(hex('41 88')), 'sequence number'],
      [withFcs(hex('41 88 01 34')), 'dest PAN ID'],
      [withFcs(hex('41 88 01 34 12 ff')), 'dest short address'],
      [withFcs(hex('41 c8 01 34 12 ff ff 01 02 03')), 'source extended address'],
      [withFcs(hex('00 80 01 34 12 01 00 ff')), 'superframe specification'],
      [withFcs(hex('00 80 01 34 12 01 00 ff cf 01')), 'GTS directions'],
      [withFcs(hex('00 80 01 34 12 01 00 ff cf 00')), 'pending address specification'],
      [withFcs(hex('00 80 01 34 12 01 00 ff cf 00 01 07')), 'pending short address 0'],
      [withFcs(hex('03 08 01 ff ff ff ff')), 'command identifier'],
      [withFcs(hex('49 98 01 34 12 02 00 03 00 0d 01 02 03')), 'frame counter'],
    ];
    for (const [bytes, field] of cases) {
      const e = err(parse(bytes));
      expect([e.kind, e.field]).toEqual(['truncated', field]);
    }
  });

  it("reports 'truncated' for fewer octets than a frame control field and an FCS", () => {
    expect(err(parse(hex('02 00 56'.slice(0, 5))))).toMatchObject({ kind: 'truncated', field: 'frame control' });
    expect(err(parse(new Uint8Array(), { fcs: 'absent' }))).toMatchObject({ kind: 'truncated', field: 'frame control' });
  });

  it("reports 'frame-too-long' past aMaxPHYPacketSize", () => {
    expect(err(parse(withFcs(new Uint8Array(126))))).toMatchObject({ kind: 'frame-too-long', actual: 128 });
    expect(err(parse(new Uint8Array(126), { fcs: 'absent' }))).toMatchObject({ kind: 'frame-too-long' });
  });

  it("reports 'bad-fcs' with the FCS found and the one crc_ccitt gives", () => {
    const bad = BEACON_EXT.slice();
    bad[bad.length - 1]! ^= 0xff;
    expect(err(parse(bad))).toMatchObject({ kind: 'bad-fcs', expected: 0x70b3, actual: 0x8fb3 });
    expect(ok(parse(bad, { fcs: 'ignore' })).fcs).toBe(0x8fb3);
  });

  it("reports 'reserved-frame-version' and 'reserved-addressing-mode'", () => {
    expect(err(parse(withFcs(hex('01 30 01'))))).toMatchObject({ kind: 'reserved-frame-version' });
    expect(err(parse(withFcs(hex('01 04 01'))))).toMatchObject({ kind: 'reserved-addressing-mode', field: 'dest_addr_mode' });
    expect(err(parse(withFcs(hex('01 40 01'))))).toMatchObject({ kind: 'reserved-addressing-mode', field: 'source_addr_mode' });
  });

  it("reports 'pan-id-compression-without-both-addresses' in 2003/2006 frames, not in 2015 ones", () => {
    expect(err(parse(withFcs(hex('41 08 01 34 12 02 00'))))).toMatchObject({ kind: 'pan-id-compression-without-both-addresses' });
    expect(ok(parse(withFcs(hex('41 28 01 02 00')))).hdr.dest).toEqual({ mode: IEEE802154_ADDR_SHORT, short_addr: 2 });
  });

  it("reports 'too-many-pending-addresses' past seven", () => {
    const e = err(parse(withFcs(hex('00 80 01 34 12 01 00 ff cf 00 44'))));
    expect(e).toMatchObject({ kind: 'too-many-pending-addresses', actual: 8 });
  });

  it("reports 'command-payload-length' for a command whose payload does not fit its identifier", () => {
    expect(err(parse(withFcs(hex('03 08 01 ff ff ff ff 07 00'))))).toMatchObject({ kind: 'command-payload-length', expected: 0, actual: 1 });
    expect(err(parse(withFcs(hex('03 08 01 ff ff ff ff 02 05 00'))))).toMatchObject({ kind: 'command-payload-length', expected: 3, actual: 2 });
    expect(err(parse(withFcs(hex('03 08 01 ff ff ff ff 08 01 02 03 04 05 06'))))).toMatchObject({ kind: 'command-payload-length' });
  });

  it("reports 'ie-type-mismatch' for a descriptor of the other IE list", () => {
    expect(err(parse(withFcs(hex('01 22 01 00 80'))))).toMatchObject({ kind: 'ie-type-mismatch', field: 'header IE descriptor', offset: 3 });
    expect(err(parse(withFcs(hex('01 22 01 00 3f 00 00'))))).toMatchObject({ kind: 'ie-type-mismatch', field: 'payload IE descriptor', offset: 5 });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), fc.constantFrom('check' as const, 'ignore' as const, 'absent' as const), (b, mode) => {
        const r = parse(b, { fcs: mode });
        return r.ok || typeof r.error.kind === 'string';
      }),
      { seed: 0x802154, numRuns: 2000 },
    );
    expect(err(parse('junk' as unknown as Uint8Array))).toMatchObject({ kind: 'invalid-field', field: 'bytes' });
  });
});

describe('emit refuses parsed forms the rules do not allow', () => {
  const base = (): Ieee802154Frame => buildDataFrame({ seq: 1, dest: { mode: 2, pan_id: 1, short_addr: 2 }, source: { mode: 2, pan_id: 1, short_addr: 3 }, payload: hex('00') });

  const mutations: Array<[FrameErrorKind, (f: Ieee802154Frame) => void]> = [
    ['invalid-field', (f) => {
      f.hdr.seq = 256;
    }],
    ['address-mode-mismatch', (f) => {
      f.hdr.fc.dest_addr_mode = 3;
    }],
    ['pan-id-presence', (f) => {
      f.hdr.source.pan_id = 1;
    }],
    ['sequence-number-presence', (f) => {
      delete f.hdr.seq;
    }],
    ['security-header-presence', (f) => {
      f.hdr.fc.security_enabled = true;
      f.hdr.fc.version = 1;
    }],
    ['ie-presence', (f) => {
      f.header_ies = [];
    }],
    ['body-mismatch', (f) => {
      f.body = { kind: 'beacon', beacon: makeBeacon() };
    }],
    ['reserved-addressing-mode', (f) => {
      f.hdr.fc.source_addr_mode = 1;
    }],
    ['frame-too-long', (f) => {
      f.body = { kind: 'raw', payload: new Uint8Array(120) };
    }],
  ];
  it.each(mutations)("with '%s'", (kind, mutate) => {
    const f = base();
    mutate(f);
    expect(err(emit(f)).kind).toBe(kind);
    expect(() => bufferLen(f)).toThrow(Ieee802154FrameError);
  });

  it("with 'gts-list' for eight GTS descriptors or directions without descriptors", () => {
    const gts = Array.from({ length: 8 }, () => ({ short_addr: 1, starting_slot: 1, length: 1 }));
    const src = { mode: 2, pan_id: 1, short_addr: 1 } as const;
    expect(err(emit(buildBeaconFrame({ seq: 1, source: src, beacon: makeBeacon({ gts_list: gts }) }))).kind).toBe('gts-list');
    expect(err(emit(buildBeaconFrame({ seq: 1, source: src, beacon: makeBeacon({ gts_directions: 1 }) }))).kind).toBe('gts-list');
  });

  it('returns a typed error, never throws, for junk in place of any part of a frame', () => {
    const junk = fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: false });
    fc.assert(
      fc.property(frameArb, junk, fc.constantFrom('frame', 'hdr', 'fc', 'dest', 'source', 'body', 'inner', 'ies', 'seq', 'options'), (frame, j, where) => {
        const f = structuredClone(frame) as unknown as Record<string, Record<string, unknown>>;
        let options: unknown = {};
        if (where === 'frame') return expectResult(emit(j as Ieee802154Frame));
        if (where === 'hdr') f.hdr = j as Record<string, unknown>;
        if (where === 'fc') f.hdr!.fc = j;
        if (where === 'dest') f.hdr!.dest = j;
        if (where === 'source') f.hdr!.source = j;
        if (where === 'seq') f.hdr!.seq = j;
        if (where === 'body') f.body = j as Record<string, unknown>;
        if (where === 'inner') {
          const b = f.body!;
          if (b.kind === 'beacon') b.beacon = j;
          else if (b.kind === 'command') b.command = j;
          else b.payload = j;
        }
        if (where === 'ies') f.header_ies = j as Record<string, unknown>;
        if (where === 'options') options = j;
        return expectResult(emit(f as unknown as Ieee802154Frame, options as { fcs?: 'compute' }));
      }),
      { seed: 31337, numRuns: 1000 },
    );
    function expectResult(r: FrameResult<Uint8Array>): boolean {
      return r.ok ? r.value instanceof Uint8Array : typeof r.error.kind === 'string';
    }
  });

  it('writes a wrong FCS on request, which parse then rejects', () => {
    const f = { ...ok(parse(ACK)), fcs: 0x1234 };
    const bytes = ok(emit(f, { fcs: 'keep' }));
    expect(toHex(bytes)).toBe('0200563412');
    expect(err(parse(bytes)).kind).toBe('bad-fcs');
    expect(toHex(ok(emit(f, { fcs: 'absent' })))).toBe('020056');
  });
});

describe('round trips', () => {
  it('parse(emit(frame)) gives the frame back, for frames of every type, version and shape', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const bytes = ok(emit(frame));
        expect(bytes.length).toBe(bufferLen(frame));
        expect(ieee802154_fcs_ok(bytes)).toBe(true);
        expect(ok(parse(bytes))).toEqual({ ...frame, fcs: ieee802154_fcs(bytes.subarray(0, bytes.length - 2)) });
      }),
      { seed: 20220701, numRuns: 1500 },
    );
  });

  it('emit(parse(bytes)) gives the bytes back for every byte string that parses', () => {
    let parsed = 0;
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 40 })).map(([w, rest]) => Uint8Array.of(w & 0xff, w >> 8, ...rest)),
        (b) => {
          const r = parse(b, { fcs: 'absent' });
          if (!r.ok) return true;
          parsed++;
          return toHex(ok(emit(r.value, { fcs: 'absent' }))) === toHex(b);
        },
      ),
      { seed: 7, numRuns: 3000 },
    );
    expect(parsed).toBeGreaterThan(500);
  });

  it('reads the same fields through the byte view as through parse', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const bytes = ok(emit(frame));
        const v = ok(Ieee802154FrameView.check(bytes));
        const h = frame.hdr;
        const addr = (a: typeof h.dest) => (a.mode === 2 ? a.short_addr : a.mode === 3 ? a.extended_addr : undefined);
        expect(v.fc()).toEqual(h.fc);
        expect(v.sequence_number()).toBe(h.seq);
        expect(v.dest_pan_id()).toBe(h.dest.pan_id);
        expect(v.source_pan_id()).toBe(h.source.pan_id);
        expect(v.dest_addr()).toBe(addr(h.dest));
        expect(v.source_addr()).toBe(addr(h.source));
        expect(v.fcs()).toBe(ieee802154_fcs(bytes.subarray(0, bytes.length - 2)));
      }),
      { seed: 99, numRuns: 300 },
    );
  });
});

describe('builders and helpers', () => {
  it('builds an imm-ack with frame pending as 12 00 seq', () => {
    expect(toHex(ok(emit(buildAckFrame(0x57, true), { fcs: 'absent' })))).toBe('120057');
  });

  it('builds a coordinator beacon the way mac802154_send_beacons_locked fills it', () => {
    const f = buildBeaconFrame({ seq: 0, source: { mode: IEEE802154_ADDR_LONG, pan_id: 0xabcd, extended_addr: 0x0011223344556677n }, beacon: makeBeacon({ assoc_permit: true }) });
    expect(f.hdr.fc).toMatchObject({ type: IEEE802154_FC_TYPE_BEACON, version: 0, dest_addr_mode: 0, source_addr_mode: 3, intra_pan: false });
    expect(toHex(ok(emit(f, { fcs: 'absent' })))).toBe('00c000cdab7766554433221100ffcf0000');
  });

  it('names the command identifier of a beacon request as the kernel does', () => {
    const f = ok(parse(BEACON_REQ));
    expect(f.hdr.fc.type).toBe(IEEE802154_FC_TYPE_MAC_CMD);
    expect(ok(emit(f))[7]).toBe(IEEE802154_CMD_BEACON_REQ);
  });

  it('prints and reads extended addresses most significant octet first', () => {
    expect(formatExtendedAddr(0x0011223344556677n)).toBe('00:11:22:33:44:55:66:77');
    expect(parseExtendedAddr('00:11:22:33:44:55:66:77')).toBe(0x0011223344556677n);
    expect(parseExtendedAddr('0x0011223344556677')).toBe(0x0011223344556677n);
    expect(parseExtendedAddr('00:11')).toBeUndefined();
    expect(() => formatExtendedAddr(-1n)).toThrow(RangeError);
  });

  it('checks an FCS with crc_ccitt as the seed RX path does', () => {
    expect(ieee802154_fcs_ok(ACK)).toBe(true);
    expect(ieee802154_fcs_ok(hex('02 00 56 0b 83'))).toBe(false);
    expect(ieee802154_fcs(hex('02 00 56'))).toBe(0x820b);
  });
});
