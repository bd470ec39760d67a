// The IEEE 802.15.4 radio medium: frames on air for their real airtime on a
// page and channel, heard by every receiver tuned to that channel for the whole
// airtime, with the link model of ./phy.ts (position and transmit power give
// the received power, reception and LQI), collisions, optional bit errors from
// a seeded generator, and the FaultInjector's drop/corrupt choices.
//
// Sources: IEEE Std 802.15.4-2006 6.3 (PPDU: a receiver synchronises on the
// SHR, so a frame is received only by a radio that listens on its channel
// from its first to its last symbol), 6.9.8 (LQI), 7.2.1.9 (FCS: crc_ccitt).
// Seed 000 (mac802154 passive scan) is what this medium serves: a receiver that
// changes channel mid-frame loses the frame, which is why the seed's scan
// worker cannot make its channel change atomic with the beacon flow.
//
// hw-emu carries frames as bytes: it never parses a MAC header. Frames are
// given with their FCS (a transceiver appends crc_ccitt on transmit).

import { ktime_get_ns, type KGen, type TaskHandle, type World } from '@k/core-sync';
import { crc_ccitt } from '../crc';
import { hw_wait_ns } from '../platform/device';
import type { FaultInjector } from '../platform/faults';
import { PhyError, aMaxPHYPacketSize, beaconIntervalNs, frameAirtimeNs, linkQuality, phyMode, type LinkQualityInput } from './phy';

/** A position in metres. */
export interface RadioPosition {
  readonly x: number;
  readonly y: number;
  readonly z?: number;
}

/** A frame put on air. */
export interface RadioFrame {
  /** Sequence number of the frame on this medium (0, 1, ...). */
  readonly id: number;
  readonly sender: string;
  readonly page: number;
  readonly channel: number;
  /** Start of the preamble and end of the last symbol, virtual ns. */
  readonly startNs: number;
  readonly endNs: number;
  /** The PSDU as transmitted, FCS included. */
  readonly psdu: Uint8Array;
  readonly txPowerDbm: number;
}

/** A frame as one receiver got it. */
export interface RadioReception {
  readonly frame: RadioFrame;
  /** The PSDU as received: bit errors and injected corruption included. */
  readonly psdu: Uint8Array;
  readonly lqi: number;
  readonly rxPowerDbm: number;
  /** crc_ccitt over the received PSDU is 0. */
  readonly fcsOk: boolean;
  /** End of the frame's airtime, when the receiver has it, virtual ns. */
  readonly atNs: number;
}

/** A node that listens to the medium (a transceiver). */
export interface RadioListener {
  readonly name: string;
  readonly position: RadioPosition;
  /** The page and channel the receiver listens on now, or null when it does not receive. */
  listening(): { page: number; channel: number } | null;
  /** Changes whenever the receiver retunes, turns off or transmits: a frame is received only if it does not change during the airtime. */
  readonly rxEpoch: number;
  /** A whole frame arrived (at the end of its airtime). */
  deliver(rx: RadioReception): void;
}

/** What the medium needs to know about a sender. */
export interface RadioSender {
  readonly name: string;
  readonly position: RadioPosition;
  readonly txPowerDbm: number;
  readonly page: number;
  readonly channel: number;
}

/** Why a listener tuned to a frame's channel did not get it. */
export type RadioLossReason = 'retuned' | 'collision' | 'out-of-range' | 'dropped';

/** Options of a medium. */
export interface RadioMediumOptions {
  /** Probability that a bit is flipped on its way to a receiver (default 0). */
  readonly bitErrorRate?: number;
  /** Seed of the bit-error generator (default 1): the same seed gives the same errors. */
  readonly seed?: number;
  /** Drop and corrupt choices made by the explorer, per (frame, receiver). */
  readonly faults?: FaultInjector;
  /** Overlapping frames on one channel destroy each other (default true). */
  readonly collisions?: boolean;
  /** Overrides of the link model (path loss exponent, breakpoint, sensitivity, LQI range). */
  readonly link?: Pick<LinkQualityInput, 'pathLossExponent' | 'breakpointM' | 'sensitivityDbm' | 'lqiRangeDb'>;
  /** Called for every frame when it leaves the air (capture, pcap). */
  readonly onFrame?: (frame: RadioFrame) => void;
}

/** Counters of a medium. */
export interface RadioMediumStats {
  framesSent: number;
  deliveries: number;
  losses: Record<RadioLossReason, number>;
  bitErrors: number;
}

/** A medium argument out of its domain (a bad PSDU length, position, option). */
export class RadioError extends RangeError {
  override readonly name = 'RadioError';
}

function checkPosition(what: string, p: RadioPosition): void {
  if (typeof p !== 'object' || p === null || ![p.x, p.y, p.z ?? 0].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RadioError(`${what}: position must be { x, y, z? } in finite metres`);
  }
}

/** The PSDU of an MPDU: the MPDU followed by its FCS, crc_ccitt least significant octet first (2006 7.2.1.9). */
export function appendFcs(mpdu: Uint8Array): Uint8Array {
  const out = new Uint8Array(mpdu.length + 2);
  out.set(mpdu);
  const fcs = crc_ccitt(0, mpdu);
  out[mpdu.length] = fcs & 0xff;
  out[mpdu.length + 1] = fcs >> 8;
  return out;
}

/** Distance between two positions, metres. */
export function radioDistanceM(a: RadioPosition, b: RadioPosition): number {
  return Math.hypot(a.x - b.x, a.y - b.y, (a.z ?? 0) - (b.z ?? 0));
}

/** xorshift32: the bit-error generator (deterministic per seed, never Math.random). */
class Xorshift32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** uniform in (0, 1) */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return (x + 1) / 4294967297;
  }
}

interface OnAir {
  readonly frame: RadioFrame;
  collided: boolean;
}

/**
 * The shared air. Senders call `transmit` from a device agent (it waits the
 * frame's airtime in virtual time); listeners attach and get `deliver` calls.
 */
export class RadioMedium {
  private readonly listeners: RadioListener[] = [];
  private readonly onAir: OnAir[] = [];
  private nextId = 0;
  private readonly rng: Xorshift32;
  private readonly ber: number;
  readonly stats: RadioMediumStats = { framesSent: 0, deliveries: 0, losses: { retuned: 0, collision: 0, 'out-of-range': 0, dropped: 0 }, bitErrors: 0 };

  constructor(readonly options: RadioMediumOptions = {}) {
    const o = options ?? {};
    this.ber = o.bitErrorRate ?? 0;
    if (typeof this.ber !== 'number' || !(this.ber >= 0 && this.ber < 1)) throw new RadioError(`bitErrorRate must be in [0, 1), got ${String(o.bitErrorRate)}`);
    const seed = o.seed ?? 1;
    if (!Number.isInteger(seed)) throw new RadioError(`seed must be an integer, got ${String(seed)}`);
    this.rng = new Xorshift32(seed);
  }

  /** Adds a listener (a transceiver). */
  attach(l: RadioListener): void {
    checkPosition(l.name, l.position);
    if (this.listeners.includes(l)) throw new RadioError(`${l.name} is already attached`);
    this.listeners.push(l);
  }

  detach(l: RadioListener): void {
    const i = this.listeners.indexOf(l);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Clear channel assessment: is a frame on air on (page, channel) now? */
  busy(page: number, channel: number): boolean {
    return this.onAir.some((o) => o.frame.page === page && o.frame.channel === channel);
  }

  /** Frames on air now (for tests and traces). */
  get framesOnAir(): readonly RadioFrame[] {
    return this.onAir.map((o) => o.frame);
  }

  /**
   * Puts `psdu` (FCS included) on air from `sender` on its page and channel
   * for the frame's airtime, then hands it to every listener that listened on
   * that channel from start to end, was in range, and did not lose it to a
   * collision or an injected drop. Runs in the sender's device agent.
   */
  *transmit(sender: RadioSender, psdu: Uint8Array): KGen<RadioFrame> {
    if (!(psdu instanceof Uint8Array) || psdu.length < 1 || psdu.length > aMaxPHYPacketSize) {
      throw new RadioError(`${sender.name}: a PSDU is 1..${aMaxPHYPacketSize} octets, got ${psdu instanceof Uint8Array ? psdu.length : typeof psdu}`);
    }
    checkPosition(sender.name, sender.position);
    const { page, channel } = sender;
    if (!phyMode(page, channel)) throw new PhyError('invalid-channel', `page ${page} channel ${channel} is not a channel k models`);
    const airtime = frameAirtimeNs(page, channel, psdu.length);
    const startNs = ktime_get_ns();
    const frame: RadioFrame = {
      id: this.nextId++, sender: sender.name, page, channel, startNs, endNs: startNs + airtime, psdu: psdu.slice(), txPowerDbm: sender.txPowerDbm,
    };
    this.stats.framesSent++;
    const heard: { l: RadioListener; epoch: number }[] = [];
    for (const l of this.listeners) {
      if (l.name === sender.name) continue;
      const t = l.listening();
      if (t && t.page === page && t.channel === channel) heard.push({ l, epoch: l.rxEpoch });
    }
    const me: OnAir = { frame, collided: false };
    if (this.options?.collisions ?? true) {
      for (const o of this.onAir) {
        if (o.frame.page === page && o.frame.channel === channel) {
          o.collided = true;
          me.collided = true;
        }
      }
    }
    this.onAir.push(me);
    yield* hw_wait_ns(airtime);
    this.onAir.splice(this.onAir.indexOf(me), 1);
    for (const { l, epoch } of heard) {
      // The receiver synchronised on the SHR: it must not retune, stop or transmit until the last symbol.
      if (l.rxEpoch !== epoch) {
        this.stats.losses.retuned++;
        continue;
      }
      if (me.collided) {
        this.stats.losses.collision++;
        continue;
      }
      const link = linkQuality({ page, channel, distanceM: Math.max(radioDistanceM(sender.position, l.position), 1e-3), txPowerDbm: sender.txPowerDbm, ...this.options?.link });
      if (!link.received) {
        this.stats.losses['out-of-range']++;
        continue;
      }
      const label = `frame #${frame.id} to ${l.name}`;
      const faults = this.options?.faults;
      if (faults?.drop(label)) {
        this.stats.losses.dropped++;
        continue;
      }
      let bytes = this.bitErrors(frame.psdu);
      if (faults) bytes = faults.corrupt(bytes, label);
      this.stats.deliveries++;
      l.deliver({ frame, psdu: bytes, lqi: link.lqi, rxPowerDbm: link.rxPowerDbm, fcsOk: crc_ccitt(0, bytes) === 0, atNs: frame.endNs });
    }
    this.options?.onFrame?.(frame);
    return frame;
  }

  private bitErrors(psdu: Uint8Array): Uint8Array {
    if (this.ber === 0) return psdu;
    const bits = psdu.length * 8;
    let out: Uint8Array | null = null;
    // geometric skips between errors: one draw per error, not per bit
    const logq = Math.log1p(-this.ber);
    for (let at = Math.floor(Math.log(this.rng.next()) / logq); at < bits; at += 1 + Math.floor(Math.log(this.rng.next()) / logq)) {
      out ??= psdu.slice();
      out[at >> 3] = out[at >> 3]! ^ (1 << (at & 7));
      this.stats.bitErrors++;
    }
    return out ?? psdu;
  }
}

/** Options of a node that sends the beacons it is given on a beacon-order schedule. */
export interface BeaconNodeOptions {
  readonly name: string;
  readonly position: RadioPosition;
  readonly txPowerDbm: number;
  readonly page: number;
  readonly channel: number;
  /** BO, 0..14: one beacon every aBaseSuperframeDuration * 2^BO symbols; 15: no periodic beacon. */
  readonly beaconOrder: number;
  /** SO, 0..BO, or 15 (no active period after the beacon): the active part of each beacon interval (7.5.1.1); 15 when BO is 15. */
  readonly superframeOrder: number;
  /** Virtual time of the first beacon, ns (default 0). */
  readonly firstBeaconNs?: number;
  /** The MPDU (without FCS) of beacon number `seq` (0, 1, ...); the node appends crc_ccitt as a transceiver does. */
  readonly frame: Uint8Array | ((seq: number) => Uint8Array);
  /** Beacons to send at most, a non-negative integer (default: no limit). */
  readonly count?: number;
}

/**
 * A node that transmits the beacon frames it is given, one per beacon
 * interval BI = aBaseSuperframeDuration * 2^BO symbols of its channel
 * (7.5.1.1), as a device agent. wpan-scan builds the bytes with its codec.
 */
export class BeaconNode implements RadioSender {
  readonly name: string;
  readonly position: RadioPosition;
  readonly txPowerDbm: number;
  readonly page: number;
  readonly channel: number;
  readonly intervalNs: number | null;
  /** Frames this node put on air. */
  readonly sent: RadioFrame[] = [];
  constructor(
    readonly medium: RadioMedium,
    readonly opts: BeaconNodeOptions,
  ) {
    if (typeof opts !== 'object' || opts === null) throw new RadioError('beacon node options must be an object');
    checkPosition(opts.name, opts.position);
    if (typeof opts.txPowerDbm !== 'number' || !Number.isFinite(opts.txPowerDbm)) throw new RadioError(`${opts.name}: txPowerDbm must be a finite number`);
    if (!phyMode(opts.page, opts.channel)) throw new PhyError('invalid-channel', `${opts.name}: page ${opts.page} channel ${opts.channel} is not a channel k models`);
    const bo = opts.beaconOrder;
    const so = opts.superframeOrder;
    if (!Number.isInteger(bo) || bo < 0 || bo > 15) throw new RadioError(`${opts.name}: beaconOrder must be 0..15, got ${bo}`);
    // 7.5.1.1: 0 <= SO <= BO <= 14 in a beacon-enabled PAN, SO 15 there meaning no active period after the
    // beacon; BO 15 is a PAN without beacons, where SO is 15 too (MLME-START: "SuperframeOrder ... 0-BO or 15")
    if (bo === 15 && so !== 15) throw new RadioError(`${opts.name}: beaconOrder 15 (no periodic beacon) needs superframeOrder 15, got ${String(so)}`);
    if (!Number.isInteger(so) || so < 0 || so > 15 || (so !== 15 && so > bo)) throw new RadioError(`${opts.name}: superframeOrder must be 0..beaconOrder or 15, got ${String(so)}`);
    const first = opts.firstBeaconNs ?? 0;
    if (!Number.isSafeInteger(first) || first < 0) throw new RadioError(`${opts.name}: firstBeaconNs must be a non-negative integer`);
    if (opts.count !== undefined && (!Number.isSafeInteger(opts.count) || opts.count < 0)) {
      throw new RadioError(`${opts.name}: count must be a non-negative integer (or absent: no limit), got ${String(opts.count)}`);
    }
    if (typeof opts.frame !== 'function' && !(opts.frame instanceof Uint8Array)) throw new RadioError(`${opts.name}: frame must be a Uint8Array or (seq) => Uint8Array`);
    this.name = opts.name;
    this.position = opts.position;
    this.txPowerDbm = opts.txPowerDbm;
    this.page = opts.page;
    this.channel = opts.channel;
    this.intervalNs = beaconIntervalNs(opts.page, opts.channel, bo);
  }

  private mpdu(seq: number): Uint8Array {
    const f = this.opts.frame;
    const b = typeof f === 'function' ? f(seq) : f;
    if (!(b instanceof Uint8Array) || b.length + 2 > aMaxPHYPacketSize) throw new RadioError(`${this.name}: beacon ${seq} must be a Uint8Array of at most ${aMaxPHYPacketSize - 2} octets`);
    return appendFcs(b);
  }

  /** The agent body: one beacon per interval from firstBeaconNs on (none for BO 15). */
  *run(): KGen {
    if (this.intervalNs === null) return;
    let next = this.opts.firstBeaconNs ?? 0;
    for (let seq = 0; this.opts.count === undefined || seq < this.opts.count; seq++) {
      const now = ktime_get_ns();
      if (next > now) yield* hw_wait_ns(next - now);
      this.sent.push(yield* this.medium.transmit(this, this.mpdu(seq)));
      next += this.intervalNs;
    }
  }

  /** Starts the node as a daemon device agent of the world. */
  start(k: World): TaskHandle {
    return k.agent(`${this.name}:beacons`, () => this.run(), { daemon: true });
  }
}
