// fast-check arbitraries of valid parsed frames (every field in range, PAN IDs
// where the compression rules of the frame version put them, IE lists that
// the receiver can delimit), for the round-trip properties.
import fc from 'fast-check';
import {
  IEEE802154_IE_HT1,
  IEEE802154_IE_HT2,
  IEEE802154_IE_PT,
  bufferLen,
  decodeFc,
  panIdPresence,
  type FrameBody,
  type HeaderIe,
  type Ieee802154Frame,
  type MacCommand,
  type PayloadIe,
  type ieee802154_addr,
  type ieee802154_beacon,
  type ieee802154_hdr_fc,
  type ieee802154_sechdr,
} from '../../src/index';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const bit = fc.integer({ min: 0, max: 1 });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

export const beaconArb: fc.Arbitrary<ieee802154_beacon> = fc
  .record({
    beacon_order: fc.integer({ min: 0, max: 15 }),
    superframe_order: fc.integer({ min: 0, max: 15 }),
    final_cap_slot: fc.integer({ min: 0, max: 15 }),
    battery_life_ext: fc.boolean(),
    reserved0: bit,
    pan_coordinator: fc.boolean(),
    assoc_permit: fc.boolean(),
    gts_reserved: fc.integer({ min: 0, max: 15 }),
    gts_permit: fc.boolean(),
    gts_directions: u8,
    gts_list: fc.array(fc.record({ short_addr: u16, starting_slot: fc.integer({ min: 0, max: 15 }), length: fc.integer({ min: 0, max: 15 }) }), { maxLength: 7 }),
    reserved1: bit,
    reserved2: bit,
    pend_short_addrs: fc.array(u16, { maxLength: 4 }),
    pend_ext_addrs: fc.array(u64, { maxLength: 3 }),
    payload: bytes(12),
  })
  .map((b) => ({ ...b, gts_directions: b.gts_list.length ? b.gts_directions : 0 }));

export const commandArb: fc.Arbitrary<MacCommand> = fc.oneof(
  fc
    .record({
      reserved1: fc.boolean(),
      device_type: fc.boolean(),
      power_source: fc.boolean(),
      rx_on_when_idle: fc.boolean(),
      assoc_type: fc.boolean(),
      reserved2: fc.boolean(),
      security_cap: fc.boolean(),
      alloc_addr: fc.boolean(),
    })
    .map((capability) => ({ kind: 'association_req' as const, capability })),
  fc.record({ kind: fc.constant('association_resp' as const), short_addr: u16, status: u8 }),
  fc.record({ kind: fc.constant('disassociation_notify' as const), reason: u8 }),
  fc.constantFrom<MacCommand>({ kind: 'data_req' }, { kind: 'panid_conflict_notify' }, { kind: 'orphan_notify' }, { kind: 'beacon_req' }),
  fc.record(
    { kind: fc.constant('coord_realign_notify' as const), pan_id: u16, coord_short_addr: u16, channel: u8, short_addr: u16, channel_page: u8 },
    { requiredKeys: ['kind', 'pan_id', 'coord_short_addr', 'channel', 'short_addr'] },
  ),
  fc
    .record({ length: fc.integer({ min: 0, max: 15 }), direction: bit, characteristics_type: bit, reserved: fc.integer({ min: 0, max: 3 }) })
    .map((characteristics) => ({ kind: 'gts_req' as const, characteristics })),
  fc.record({ kind: fc.constant('other' as const), cmd_id: fc.integer({ min: 0x0a, max: 0xff }).chain((id) => fc.constantFrom(id, 0x00)), payload: bytes(8) }),
);

function addrArb(mode: number, withPan: boolean): fc.Arbitrary<ieee802154_addr> {
  const pan = withPan ? fc.record({ pan_id: u16 }) : fc.constant({});
  if (mode === 2) return fc.tuple(pan, u16).map(([p, short_addr]) => ({ mode: 2, ...p, short_addr }));
  if (mode === 3) return fc.tuple(pan, u64).map(([p, extended_addr]) => ({ mode: 3, ...p, extended_addr }));
  return pan.map((p) => ({ mode: 0, ...p }));
}

function secArb(version: number): fc.Arbitrary<ieee802154_sechdr> {
  return fc
    .record({
      level: fc.integer({ min: 0, max: 7 }),
      key_id_mode: fc.integer({ min: 0, max: 3 }),
      frame_counter_suppression: fc.boolean(),
      asn_in_nonce: fc.boolean(),
      reserved: bit,
      frame_counter: fc.integer({ min: 0, max: 0xffffffff }),
      short_src: fc.integer({ min: 0, max: 0xffffffff }),
      extended_src: u64,
      key_id: u8,
    })
    .map((s) => {
      const out: ieee802154_sechdr = { level: s.level, key_id_mode: s.key_id_mode, frame_counter_suppression: s.frame_counter_suppression, asn_in_nonce: s.asn_in_nonce, reserved: s.reserved };
      if (!(version === 2 && s.frame_counter_suppression)) out.frame_counter = s.frame_counter;
      if (s.key_id_mode === 2) out.short_src = s.short_src;
      if (s.key_id_mode === 3) out.extended_src = s.extended_src;
      if (s.key_id_mode !== 0) out.key_id = s.key_id;
      return out;
    });
}

const headerIeArb = fc.record({ element_id: u8.filter((id) => id !== IEEE802154_IE_HT1 && id !== IEEE802154_IE_HT2), content: bytes(6) });
const payloadIeArb = fc.record({ group_id: fc.integer({ min: 0, max: 14 }), content: bytes(6) });

/** A valid parsed frame of any frame type and version (opaque types 4-7 included). */
export const frameArb: fc.Arbitrary<Ieee802154Frame> = fc
  .record({ type: fc.integer({ min: 0, max: 7 }), version: fc.integer({ min: 0, max: 2 }), raw: u16 })
  .chain(({ type, version, raw }) => {
    if (type >= 4) {
      const f = decodeFc(raw);
      f.type = type;
      return bytes(16).map(
        (payload): Ieee802154Frame => ({ hdr: { fc: f, dest: { mode: 0 }, source: { mode: 0 } }, body: { kind: 'raw', payload } }),
      );
    }
    return fc
      .record({
        dst: fc.constantFrom(0, 2, 3),
        src: fc.constantFrom(0, 2, 3),
        comp: fc.boolean(),
        security: fc.boolean(),
        pending: fc.boolean(),
        ackreq: fc.boolean(),
        reserved: bit,
        snSupp: fc.boolean(),
        ie: fc.boolean(),
        seq: u8,
      })
      .chain((o) => {
        const comp = version === 2 ? o.comp : o.comp && o.dst !== 0 && o.src !== 0;
        const fcv: ieee802154_hdr_fc = {
          type,
          security_enabled: o.security,
          frame_pending: o.pending,
          ack_request: o.ackreq,
          intra_pan: comp,
          reserved: o.reserved,
          seq_num_suppression: o.snSupp,
          ie_present: o.ie,
          dest_addr_mode: o.dst,
          version,
          source_addr_mode: o.src,
        };
        const pans = panIdPresence(fcv);
        const iesOnAir = version === 2 && o.ie;
        const plain = !o.security;
        const bodyArb: fc.Arbitrary<FrameBody> =
          plain && type === 0 && version !== 2
            ? beaconArb.map((beacon) => ({ kind: 'beacon' as const, beacon }))
            : plain && type === 3
              ? commandArb.map((command) => ({ kind: 'command' as const, command }))
              : bytes(10).map((payload) => ({ kind: 'raw' as const, payload }));
        const iesArb = iesOnAir
          ? fc.record({
              header: fc.array(headerIeArb, { maxLength: 2 }),
              term: fc.constantFrom('none', 'HT1', 'HT2'),
              payload: fc.array(payloadIeArb, { maxLength: 2 }),
              pt: fc.boolean(),
            })
          : fc.constant(undefined);
        return fc.record({
          dest: addrArb(o.dst, pans.dest),
          source: addrArb(o.src, pans.source),
          sec: o.security && version >= 1 ? secArb(version) : fc.constant(undefined),
          ies: iesArb,
          body: bodyArb,
        }).map((p): Ieee802154Frame => {
          const frame: Ieee802154Frame = { hdr: { fc: fcv, dest: p.dest, source: p.source }, body: p.body };
          if (!(version === 2 && o.snSupp)) frame.hdr.seq = o.seq;
          if (p.sec) frame.hdr.sec = p.sec;
          const bodyEmpty = p.body.kind === 'raw' && p.body.payload.length === 0;
          if (p.ies) {
            // A payload must be delimited from the IEs: force a terminator where one follows.
            let term = p.ies.term;
            if (term === 'none' && !bodyEmpty) term = 'HT2';
            const header: HeaderIe[] = [...p.ies.header];
            if (term === 'HT1') header.push({ element_id: IEEE802154_IE_HT1, content: new Uint8Array() });
            if (term === 'HT2') header.push({ element_id: IEEE802154_IE_HT2, content: new Uint8Array() });
            frame.header_ies = header;
            if (term === 'HT1' && plain) {
              const payload: PayloadIe[] = [...p.ies.payload];
              if (p.ies.pt || !bodyEmpty) payload.push({ group_id: IEEE802154_IE_PT, content: new Uint8Array() });
              frame.payload_ies = payload;
            }
          }
          return frame;
        });
      });
  })
  .filter((f) => {
    try {
      return bufferLen(f) <= 127;
    } catch {
      return false;
    }
  });
