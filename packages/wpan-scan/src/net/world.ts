// The worlds the checked scenarios build: one scanning host (the mac802154
// model on a ktrx transceiver) and coordinators that are @k/hw-emu beacon
// nodes sending beacons built with this package's codec; plus the ghost
// checks the properties share (what the radio received during each dwell,
// what the MAC reported).

import type { World } from '@k/core-sync';
import { BeaconNode, RadioMedium, type FaultInjector, type RadioPosition } from '@k/hw-emu';
import { IEEE802154_ADDR_LONG, IEEE802154_ADDR_SHORT } from '../frame/constants';
import { makeBeacon } from '../frame/beacon';
import { buildBeaconFrame, emit, parse } from '../frame/frame';
import type { MacConfig } from '../mac/config';
import type { Nl802154Message } from '../mac/defs';
import { createWpanNode, type WpanNode } from './node';

/** A coordinator of a scenario: a beacon node of hw-emu. */
export interface CoordSpec {
  readonly name: string;
  readonly page?: number;
  readonly channel: number;
  readonly panId: number;
  /** the beacons' source address: short when given, else extended */
  readonly shortAddr?: number;
  readonly extendedAddr?: bigint;
  readonly beaconOrder: number;
  readonly superframeOrder: number;
  readonly firstBeaconNs: number;
  readonly position?: RadioPosition;
  readonly txPowerDbm?: number;
  readonly gtsPermit?: boolean;
  readonly assocPermit?: boolean;
  /** beacons to send at most */
  readonly count?: number;
}

/** The MPDU (no FCS) of beacon `seq` of a coordinator. */
export function coordBeacon(c: CoordSpec, seq: number): Uint8Array {
  const source = c.shortAddr !== undefined
    ? { mode: IEEE802154_ADDR_SHORT as typeof IEEE802154_ADDR_SHORT, pan_id: c.panId, short_addr: c.shortAddr }
    : { mode: IEEE802154_ADDR_LONG as typeof IEEE802154_ADDR_LONG, pan_id: c.panId, extended_addr: c.extendedAddr ?? 0n };
  const r = emit(buildBeaconFrame({
    seq: seq & 0xff,
    source,
    beacon: makeBeacon({ beacon_order: c.beaconOrder, superframe_order: c.superframeOrder, final_cap_slot: 15, pan_coordinator: true, assoc_permit: c.assocPermit ?? true, gts_permit: c.gtsPermit ?? false }),
  }), { fcs: 'absent' });
  if (!r.ok) throw new Error(`${c.name}: ${r.error.message}`);
  return r.value;
}

/** The coordinator key iwpan and cfg802154 dedup on: PAN id and address. */
export function coordKey(panId: number, mode: number, short?: number, ext?: bigint): string {
  return mode === IEEE802154_ADDR_SHORT ? `${panId.toString(16)}/${(short ?? 0).toString(16)}` : `${panId.toString(16)}/${(ext ?? 0n).toString(16)}`;
}

const keys = new WeakMap<Uint8Array, string | null>();

/** The coordinator key of a received PSDU that is an intact beacon, else null. */
export function beaconKeyOf(psdu: Uint8Array): string | null {
  let k = keys.get(psdu);
  if (k === undefined) {
    k = parseBeaconKey(psdu);
    keys.set(psdu, k);
  }
  return k;
}

function parseBeaconKey(psdu: Uint8Array): string | null {
  const p = parse(psdu, { fcs: 'check' });
  if (!p.ok || p.value.body.kind !== 'beacon') return null;
  const s = p.value.hdr.source;
  if (s.mode === IEEE802154_ADDR_SHORT) return coordKey(s.pan_id ?? 0, s.mode, s.short_addr);
  if (s.mode === IEEE802154_ADDR_LONG) return coordKey(s.pan_id ?? 0, s.mode, undefined, s.extended_addr);
  return null;
}

/** The coordinator key of a scan event. */
export function eventKey(m: Nl802154Message): string {
  const c = m.coordinator!;
  return coordKey(c.pan_id, c.addr.mode, c.addr.short_addr, c.addr.extended_addr);
}

export interface ScanWorldOptions {
  readonly config: MacConfig;
  readonly coords: readonly CoordSpec[];
  readonly faults?: FaultInjector;
  readonly bitErrorRate?: number;
  readonly mediumSeed?: number;
  /** the scanner's own channel (default 11) */
  readonly homeChannel?: number;
  readonly softwareFcs?: boolean;
}

/** A scanner and its coordinators on one medium. */
export interface ScanWorld {
  readonly medium: RadioMedium;
  readonly scanner: WpanNode;
  readonly coords: readonly BeaconNode[];
}

export function buildScanWorld(k: World, o: ScanWorldOptions): ScanWorld {
  const medium = new RadioMedium({ faults: o.faults, bitErrorRate: o.bitErrorRate, seed: o.mediumSeed });
  const scanner = createWpanNode(k, {
    name: 'scanner', medium, irq: 10, position: { x: 0, y: 0 }, extendedAddr: 0x0a0b0c0d0e0f0001n, config: o.config, channel: o.homeChannel ?? 11,
    softwareFcs: o.softwareFcs,
  });
  const coords = o.coords.map((c, i) => {
    const node = new BeaconNode(medium, {
      name: c.name, position: c.position ?? { x: 5 + 3 * i, y: 2 }, txPowerDbm: c.txPowerDbm ?? 0, page: c.page ?? 0, channel: c.channel,
      beaconOrder: c.beaconOrder, superframeOrder: c.superframeOrder, firstBeaconNs: c.firstBeaconNs, frame: (seq) => coordBeacon(c, seq), count: c.count,
    });
    node.start(k);
    return node;
  });
  return { medium, scanner, coords };
}

/** One violation of "each beacon received during a dwell is reported once, with its channel", or null. */
export function checkBeaconReports(w: ScanWorld, scanId: number): string | null {
  const local = w.scanner.local;
  const events = local.nl.messages.filter((m) => m.cmd === 'NL802154_CMD_SCAN_EVENT' && m.scanId === scanId);
  const received = w.scanner.trx.rxLog.filter((e) => e.fate === 'fifo' && e.fcsOk);
  const dwells = local.ghost.dwells.filter((d) => d.scanId === scanId);
  const seen = new Map<string, number>();
  for (const ev of events) {
    const key = eventKey(ev);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const c = ev.coordinator!;
    const ok = received.some((e) => e.page === c.page && e.channel === c.channel && beaconKeyOf(e.psdu) === key);
    if (!ok) {
      const where = received.filter((e) => beaconKeyOf(e.psdu) === key).map((e) => e.channel);
      return `coordinator ${key} reported on page ${c.page} channel ${c.channel}, but the radio received its beacons on channel(s) ${[...new Set(where)].join(', ') || 'none'}`;
    }
  }
  for (const [key, n] of seen) if (n > 1) return `coordinator ${key} reported ${n} times in one scan`;
  for (const d of dwells) {
    const end = d.endNs ?? Number.POSITIVE_INFINITY;
    for (const e of received) {
      if (e.page !== d.page || e.channel !== d.channel || e.atNs <= d.startNs || e.atNs >= end) continue;
      const key = beaconKeyOf(e.psdu);
      if (key && !seen.has(key)) {
        return `the beacon of ${key} (frame #${e.frameId}) was received at ${e.atNs} ns during the dwell on channel ${d.channel} [${d.startNs}, ${d.endNs}] ns, and never reported`;
      }
    }
  }
  return null;
}
