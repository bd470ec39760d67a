// IEEE 802.15.4 PHY numbers as pure functions.
//
// Sources:
//  - IEEE Std 802.15.4-2006: 6.1.1 (Table 1, frequency bands and data rates),
//    6.1.2 (channel pages and center frequencies), 6.3 (PPDU format: SHR =
//    preamble + SFD, PHR, PSDU; Tables 19/20), 6.4 (Table 22 PHY constants,
//    Table 23 phySHRDuration / phySymbolsPerOctet / phyMaxFrameDuration),
//    6.5.3.3 / 6.6.3.4 / 6.7.3 (receiver sensitivity), 7.4 (Table 85 MAC
//    constants: aBaseSlotDuration, aNumSuperframeSlots, aBaseSuperframeDuration),
//    7.5.1.1 (beacon interval BI = aBaseSuperframeDuration * 2^BO, superframe
//    duration SD = aBaseSuperframeDuration * 2^SO), 7.5.2.1 (scan duration
//    aBaseSuperframeDuration * (2^n + 1) symbols).
//  - The kernel: net/mac802154/main.c ieee802154_configure_durations() and
//    include/net/cfg802154.h (struct wpan_phy: symbol_duration, lifs_period,
//    sifs_period), as of seed 000 (wpan-next, July 2022) and after.
//
// Units. Since "net: mac802154: Convert the symbol duration into nanoseconds"
// (wpan-next, January 2022, merged for 5.18, before seed 000), wpan_phy's
// symbol_duration is a u32 in NANOseconds (before it was a u8 in microseconds).
// Seed 000's mac802154_scan_get_channel_time(u8 duration_order, u8
// symbol_duration) still takes a u8 it treats as microseconds, and its caller
// passes phy->symbol_duration: the ns value is truncated to 8 bits (16000 ->
// 128 on 2.4 GHz). That truncation belongs to the MAC model (@k/wpan-scan);
// here symbolDurationNs() gives what the kernel stores in symbol_duration.
// lifs_period / sifs_period are u16 in microseconds; until commit 07aa33988ad9
// "mac802154: fix time calculation in ieee802154_configure_durations()" (v6.10,
// 2024, backported to stable) ieee802154_configure_durations()
// divided by NSEC_PER_SEC instead of NSEC_PER_USEC, which sets both to 0:
// ieee802154_configure_durations() below reproduces either behaviour.
//
// The radio medium and transceiver on the core-sync runtime (./medium.ts,
// ./transceiver.ts) use these functions for airtime, timing and the link model.

/** Error of a PHY function: which input was out of the modelled domain. */
export class PhyError extends RangeError {
  override readonly name = 'PhyError';
  readonly kind: 'invalid-argument' | 'invalid-channel' | 'unsupported-phy';
  constructor(kind: PhyError['kind'], message: string) {
    super(`phy: ${message}`);
    this.kind = kind;
  }
}

/** aMaxPHYPacketSize: largest PSDU, in octets (6.4.1, Table 22). */
export const aMaxPHYPacketSize = 127;
/** aTurnaroundTime: RX-to-TX or TX-to-RX turnaround, in symbols (Table 22). */
export const aTurnaroundTime = 12;
/** aBaseSlotDuration: symbols in a superframe slot when SO = 0 (7.4.1, Table 85). */
export const aBaseSlotDuration = 60;
/** aNumSuperframeSlots: slots in a superframe (Table 85). */
export const aNumSuperframeSlots = 16;
/** aBaseSuperframeDuration = aBaseSlotDuration * aNumSuperframeSlots = 960 symbols (Table 85). */
export const aBaseSuperframeDuration = aBaseSlotDuration * aNumSuperframeSlots;
/** aUnitBackoffPeriod: symbols in a CSMA-CA backoff period (Table 85). */
export const aUnitBackoffPeriod = 20;
/** aMinLIFSPeriod, in symbols (Table 3 of 2006; the kernel's IEEE802154_LIFS_PERIOD). */
export const aMinLIFSPeriod = 40;
/** aMinSIFSPeriod, in symbols (the kernel's IEEE802154_SIFS_PERIOD). */
export const aMinSIFSPeriod = 12;
/** aMaxSIFSFrameSize, in octets (the kernel's IEEE802154_MAX_SIFS_FRAME_SIZE). */
export const aMaxSIFSFrameSize = 18;
/** Largest beacon / superframe order that denotes a period; 15 means "none" (7.5.1.1). */
export const MAX_BEACON_ORDER = 14;
/** include/linux/ieee802154.h IEEE802154_MAX_CHANNEL. */
export const IEEE802154_MAX_CHANNEL = 26;
/** include/linux/ieee802154.h IEEE802154_MAX_PAGE. */
export const IEEE802154_MAX_PAGE = 31;

const NSEC_PER_USEC = 1000;
const NSEC_PER_SEC = 1_000_000_000;

/** A PHY mode: one band and modulation of one channel page (2006 Table 1). */
export interface PhyMode {
  /** Short name, for example `'2450MHz O-QPSK'`. */
  readonly name: string;
  readonly page: number;
  /** First and last channel number of the mode on its page. */
  readonly channels: readonly [number, number];
  readonly band: '868MHz' | '915MHz' | '2450MHz';
  readonly modulation: 'BPSK' | 'ASK' | 'O-QPSK' | 'CSS';
  /** PSDU bit rate, in b/s. */
  readonly bitRate: number;
  /** Symbol period in nanoseconds (the standard's; an exact integer for every mode here). */
  readonly symbolDurationNs: number;
  /** phySymbolsPerOctet as an exact fraction num/den (0.4 = 2/5, 1.6 = 8/5, 2, 8; CSS 4/3). */
  readonly symbolsPerOctet: { readonly num: number; readonly den: number };
  /** Preamble and SFD length in symbols (2006 Table 19/20); phySHRDuration is their sum. Undefined where k does not model the PPDU. */
  readonly preambleSymbols?: number;
  readonly sfdSymbols?: number;
  /** Receiver sensitivity the standard requires, in dBm. */
  readonly sensitivityDbm: number;
}

// The standard's modes for the pages the kernel knows (0, 2, 3) plus page 1
// (2006 ASK), which ieee802154_configure_durations() does not know.
const MODES: readonly PhyMode[] = [
  { name: '868MHz BPSK', page: 0, channels: [0, 0], band: '868MHz', modulation: 'BPSK', bitRate: 20_000, symbolDurationNs: 50_000, symbolsPerOctet: { num: 8, den: 1 }, preambleSymbols: 32, sfdSymbols: 8, sensitivityDbm: -92 },
  { name: '915MHz BPSK', page: 0, channels: [1, 10], band: '915MHz', modulation: 'BPSK', bitRate: 40_000, symbolDurationNs: 25_000, symbolsPerOctet: { num: 8, den: 1 }, preambleSymbols: 32, sfdSymbols: 8, sensitivityDbm: -92 },
  { name: '2450MHz O-QPSK', page: 0, channels: [11, 26], band: '2450MHz', modulation: 'O-QPSK', bitRate: 250_000, symbolDurationNs: 16_000, symbolsPerOctet: { num: 2, den: 1 }, preambleSymbols: 8, sfdSymbols: 2, sensitivityDbm: -85 },
  { name: '868MHz ASK', page: 1, channels: [0, 0], band: '868MHz', modulation: 'ASK', bitRate: 250_000, symbolDurationNs: 80_000, symbolsPerOctet: { num: 2, den: 5 }, preambleSymbols: 2, sfdSymbols: 1, sensitivityDbm: -85 },
  { name: '915MHz ASK', page: 1, channels: [1, 10], band: '915MHz', modulation: 'ASK', bitRate: 250_000, symbolDurationNs: 20_000, symbolsPerOctet: { num: 8, den: 5 }, preambleSymbols: 6, sfdSymbols: 1, sensitivityDbm: -85 },
  { name: '868MHz O-QPSK', page: 2, channels: [0, 0], band: '868MHz', modulation: 'O-QPSK', bitRate: 100_000, symbolDurationNs: 40_000, symbolsPerOctet: { num: 2, den: 1 }, preambleSymbols: 8, sfdSymbols: 2, sensitivityDbm: -85 },
  { name: '915MHz O-QPSK', page: 2, channels: [1, 10], band: '915MHz', modulation: 'O-QPSK', bitRate: 250_000, symbolDurationNs: 16_000, symbolsPerOctet: { num: 2, den: 1 }, preambleSymbols: 8, sfdSymbols: 2, sensitivityDbm: -85 },
  // 802.15.4a-2007 CSS, 1 Mb/s mode; k models its symbol period only (no airtime).
  { name: '2450MHz CSS', page: 3, channels: [0, 13], band: '2450MHz', modulation: 'CSS', bitRate: 1_000_000, symbolDurationNs: 6_000, symbolsPerOctet: { num: 4, den: 3 }, sensitivityDbm: -80 },
];

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new PhyError('invalid-argument', `${name} must be an integer in ${min}..${max} (got ${String(v)})`);
  }
  return v;
}

/**
 * The PHY mode of (page, channel), or undefined when k does not model it
 * (pages 4 and up, channels beyond a page's range).
 */
export function phyMode(page: number, channel: number): PhyMode | undefined {
  checkInt('page', page, 0, IEEE802154_MAX_PAGE);
  checkInt('channel', channel, 0, 255);
  return MODES.find((m) => m.page === page && channel >= m.channels[0] && channel <= m.channels[1]);
}

/** Every PHY mode k models, in page then channel order. */
export function phyModes(): readonly PhyMode[] {
  return MODES;
}

function requireMode(page: number, channel: number): PhyMode {
  const m = phyMode(page, channel);
  if (!m) throw new PhyError('invalid-channel', `page ${page} channel ${channel} is not a channel k models`);
  return m;
}

/**
 * Center frequency of a channel in kHz (2006 6.1.2.1): channel 0 at 868.3 MHz,
 * channels 1-10 at 906 + 2(k-1) MHz, channels 11-26 at 2405 + 5(k-11) MHz.
 * Pages 1 and 2 reuse the frequencies of page 0's channels 0-10.
 * @throws PhyError for a channel k does not model, or the CSS page (3).
 */
export function channelCenterFrequencyKHz(page: number, channel: number): number {
  const m = requireMode(page, channel);
  if (m.modulation === 'CSS') throw new PhyError('unsupported-phy', 'k does not model the CSS channel plan (page 3)');
  if (channel === 0) return 868_300;
  if (channel <= 10) return 906_000 + 2_000 * (channel - 1);
  return 2_405_000 + 5_000 * (channel - 11);
}

/**
 * The symbol duration the kernel stores in `wpan_phy->symbol_duration` for
 * (page, channel), in nanoseconds, as ieee802154_configure_durations() computes
 * it (`BIT(channel) & mask` per page); 0 where the kernel does not know the PHY
 * (it then leaves symbol_duration unchanged): page 1, pages 4-31, and channels
 * outside a page's masks.
 */
export function symbolDurationNs(page: number, channel: number): number {
  checkInt('page', page, 0, 255);
  checkInt('channel', channel, 0, 255);
  // BIT(channel) is 1UL << channel: channels past 63 never match a mask.
  const bit = channel < 64 ? 1n << BigInt(channel) : 0n;
  switch (page) {
    case 0:
      if (bit & 0x1n) return 50 * NSEC_PER_USEC; // 868 MHz BPSK, 20 ksym/s
      if (bit & 0x7fen) return 25 * NSEC_PER_USEC; // 915 MHz BPSK, 40 ksym/s
      if (bit & 0x7fff800n) return 16 * NSEC_PER_USEC; // 2400 MHz O-QPSK, 62.5 ksym/s
      return 0;
    case 2:
      if (bit & 0x1n) return 40 * NSEC_PER_USEC; // 868 MHz O-QPSK, 25 ksym/s
      if (bit & 0x7fen) return 16 * NSEC_PER_USEC; // 915 MHz O-QPSK, 62.5 ksym/s
      return 0;
    case 3:
      if (bit & 0x3fffn) return 6 * NSEC_PER_USEC; // 2.4 GHz CSS, 1/6 Msym/s
      return 0;
    default:
      return 0;
  }
}

/** The duration fields of struct wpan_phy that ieee802154_configure_durations() writes. */
export interface WpanPhyDurations {
  /** Tdsym, u32, in nanoseconds. */
  symbol_duration: number;
  /** u16, in microseconds. */
  lifs_period: number;
  /** u16, in microseconds. */
  sifs_period: number;
}

/**
 * net/mac802154/main.c ieee802154_configure_durations(phy, page, channel):
 * sets symbol_duration (ns) and lifs/sifs periods (us) for (page, channel);
 * leaves `phy` untouched where the kernel does not know the PHY
 * (pr_debug "Unknown PHY symbol duration").
 *
 * `lifsSifs: 'seed'` (default) divides by NSEC_PER_SEC as the kernel did from
 * 5.18 until v6.10, which makes both periods 0; `'fixed'` divides by
 * NSEC_PER_USEC as the 2024 fix does (640 us and 192 us on 2.4 GHz).
 * @returns true when the durations were set.
 */
export function ieee802154_configure_durations(
  phy: WpanPhyDurations,
  page: number,
  channel: number,
  options: { lifsSifs?: 'seed' | 'fixed' } = {},
): boolean {
  if (typeof phy !== 'object' || phy === null) throw new PhyError('invalid-argument', 'phy must be an object with symbol_duration, lifs_period and sifs_period');
  const duration = symbolDurationNs(page, channel);
  if (!duration) return false;
  const div = options?.lifsSifs === 'fixed' ? NSEC_PER_USEC : NSEC_PER_SEC;
  phy.symbol_duration = duration >>> 0;
  phy.lifs_period = Math.floor((aMinLIFSPeriod * duration) / div) & 0xffff;
  phy.sifs_period = Math.floor((aMinSIFSPeriod * duration) / div) & 0xffff;
  return true;
}

/** phySHRDuration: preamble + SFD, in symbols (2006 Table 23: 40, 3, 7 or 10). */
export function shrDurationSymbols(page: number, channel: number): number {
  const m = requireMode(page, channel);
  if (m.preambleSymbols === undefined || m.sfdSymbols === undefined) {
    throw new PhyError('unsupported-phy', `k does not model the PPDU of ${m.name}`);
  }
  return m.preambleSymbols + m.sfdSymbols;
}

function checkPsdu(psduLength: number): void {
  checkInt('psduLength', psduLength, 0, aMaxPHYPacketSize);
}

/**
 * Duration of a PPDU carrying `psduLength` octets, in whole symbols:
 * phySHRDuration + ceiling((psduLength + 1) * phySymbolsPerOctet), the +1 being
 * the PHR. With psduLength = aMaxPHYPacketSize this is phyMaxFrameDuration
 * (2006 Table 23: 266 symbols for O-QPSK, 1064 for BPSK).
 */
export function frameDurationSymbols(page: number, channel: number, psduLength: number): number {
  checkPsdu(psduLength);
  const shr = shrDurationSymbols(page, channel);
  const { num, den } = requireMode(page, channel).symbolsPerOctet;
  return shr + Math.ceil(((psduLength + 1) * num) / den);
}

/** phyMaxFrameDuration of (page, channel), in symbols. */
export function maxFrameDurationSymbols(page: number, channel: number): number {
  return frameDurationSymbols(page, channel, aMaxPHYPacketSize);
}

/**
 * Airtime of a frame: SHR (preamble + SFD) + PHR (1 octet) + PSDU
 * (`psduLength` octets, MHR + payload + FCS), in integer nanoseconds, exact
 * (an ASK octet lasts 2/5 or 8/5 symbol: 32 us either way).
 *
 * @example
 * frameAirtimeNs(0, 11, 127) // => 4_256_000 (133 octets at 250 kb/s incl. SHR and PHR)
 */
export function frameAirtimeNs(page: number, channel: number, psduLength: number): number {
  checkPsdu(psduLength);
  const m = requireMode(page, channel);
  const shr = shrDurationSymbols(page, channel);
  const octetNs = (m.symbolDurationNs * m.symbolsPerOctet.num) / m.symbolsPerOctet.den;
  return shr * m.symbolDurationNs + (psduLength + 1) * octetNs;
}

function orderSymbols(name: string, order: number): number | null {
  checkInt(name, order, 0, 15);
  return order === 15 ? null : aBaseSuperframeDuration * 2 ** order;
}

/**
 * Beacon interval BI = aBaseSuperframeDuration * 2^BO symbols (7.5.1.1) for
 * 0 <= BO <= 14; null for BO = 15 (a nonbeacon-enabled PAN: no periodic beacon).
 */
export function beaconIntervalSymbols(beaconOrder: number): number | null {
  return orderSymbols('beaconOrder', beaconOrder);
}

/**
 * Superframe duration SD = aBaseSuperframeDuration * 2^SO symbols (7.5.1.1)
 * for 0 <= SO <= 14; null for SO = 15 (no active period after the beacon).
 */
export function superframeDurationSymbols(superframeOrder: number): number | null {
  return orderSymbols('superframeOrder', superframeOrder);
}

/** Slot duration aBaseSlotDuration * 2^SO symbols; null for SO = 15. */
export function slotDurationSymbols(superframeOrder: number): number | null {
  const sd = superframeDurationSymbols(superframeOrder);
  return sd === null ? null : sd / aNumSuperframeSlots;
}

/**
 * Time to listen on each channel during an ED, active or passive scan:
 * aBaseSuperframeDuration * (2^n + 1) symbols, 0 <= n <= 14 (7.5.2.1).
 */
export function scanDurationSymbols(scanDuration: number): number {
  checkInt('scanDuration', scanDuration, 0, MAX_BEACON_ORDER);
  return aBaseSuperframeDuration * (2 ** scanDuration + 1);
}

/** `symbols` of (page, channel) in integer nanoseconds, with the standard's symbol period. */
export function symbolsToNs(page: number, channel: number, symbols: number): number {
  if (typeof symbols !== 'number' || !Number.isSafeInteger(symbols) || symbols < 0) {
    throw new PhyError('invalid-argument', `symbols must be a non-negative safe integer (got ${String(symbols)})`);
  }
  return symbols * requireMode(page, channel).symbolDurationNs;
}

/** Beacon interval of (page, channel) for a beacon order, in ns; null for BO = 15. */
export function beaconIntervalNs(page: number, channel: number, beaconOrder: number): number | null {
  const s = beaconIntervalSymbols(beaconOrder);
  return s === null ? null : symbolsToNs(page, channel, s);
}

/** Superframe duration of (page, channel) for a superframe order, in ns; null for SO = 15. */
export function superframeDurationNs(page: number, channel: number, superframeOrder: number): number | null {
  const s = superframeDurationSymbols(superframeOrder);
  return s === null ? null : symbolsToNs(page, channel, s);
}

/** Per-channel scan time of (page, channel) for scan duration n, in ns (the standard's, not the seed's). */
export function scanDurationNs(page: number, channel: number, scanDuration: number): number {
  return symbolsToNs(page, channel, scanDurationSymbols(scanDuration));
}

// ---------------------------------------------------------------------------
// Link quality: a documented deterministic model (no randomness).
//
//  path loss    PL(d) = PL0 + 20 log10(d)                 for 1 m <= d <= dB
//               PL(d) = PL0 + 20 log10(dB) + 10 n log10(d / dB)   for d > dB
//               with PL0 = 20 log10(4 pi f / c) (free space at 1 m, f the
//               channel's center frequency: 40.2 dB at 2450 MHz), dB = 8 m and
//               n = 3.3: the two-segment indoor model of the coexistence
//               analysis in IEEE 802.15.4 (Annex E, after IEEE 802.15.2):
//               40.2 + 20 log10(d) up to 8 m, 58.5 + 33 log10(d / 8) beyond.
//               Distances below 1 m count as 1 m.
//  rx power     Prx = Ptx - PL(d), antenna gains 0 dBi, rounded to 0.01 dB.
//  reception    Prx >= the standard's receiver sensitivity S of the PHY
//               (-85 dBm O-QPSK and ASK, -92 dBm BPSK), else the frame is lost.
//  LQI          floor(255 * (Prx - S) / R) clamped to 0..255, R = 40 dB:
//               0 at the sensitivity, 255 from S + 40 dB up (2006 6.9.8 asks
//               for at least 8 distinct values spanning the receiver's range).
// ---------------------------------------------------------------------------

/** Inputs of the link model. */
export interface LinkQualityInput {
  page: number;
  channel: number;
  /** Distance between the antennas, in metres (> 0). */
  distanceM: number;
  /** Transmit power, in dBm. */
  txPowerDbm: number;
  /** Override of the exponent beyond the breakpoint (default 3.3). */
  pathLossExponent?: number;
  /** Override of the breakpoint distance in metres (default 8). */
  breakpointM?: number;
  /** Override of the receiver sensitivity in dBm (default: the standard's for the PHY). */
  sensitivityDbm?: number;
  /** Override of the signal range above sensitivity mapped onto LQI 0..255, in dB (default 40). */
  lqiRangeDb?: number;
}

/** Output of the link model. */
export interface LinkQuality {
  pathLossDb: number;
  /** Received power in dBm, rounded to 0.01 dB. */
  rxPowerDbm: number;
  sensitivityDbm: number;
  /** True when rxPowerDbm >= sensitivityDbm. */
  received: boolean;
  /** Link quality indication, 0..255 (0 when not received). */
  lqi: number;
}

const SPEED_OF_LIGHT = 299_792_458;

function finite(name: string, v: unknown, positive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0)) {
    throw new PhyError('invalid-argument', `${name} must be a ${positive ? 'positive ' : ''}finite number (got ${String(v)})`);
  }
  return v;
}

/** Path loss in dB at `distanceM` metres on (page, channel), per the model above. */
export function pathLossDb(
  page: number,
  channel: number,
  distanceM: number,
  options: { pathLossExponent?: number; breakpointM?: number } = {},
): number {
  finite('distanceM', distanceM, true);
  const n = finite('pathLossExponent', options?.pathLossExponent ?? 3.3, true);
  const dB = finite('breakpointM', options?.breakpointM ?? 8, true);
  const fHz = channelCenterFrequencyKHz(page, channel) * 1000;
  const pl0 = 20 * Math.log10((4 * Math.PI * fHz) / SPEED_OF_LIGHT);
  const d = Math.max(distanceM, 1);
  if (d <= dB) return pl0 + 20 * Math.log10(d);
  return pl0 + 20 * Math.log10(dB) + 10 * n * Math.log10(d / dB);
}

/**
 * The deterministic link model: path loss, received power, whether the frame
 * is received, and its LQI (see the model above).
 *
 * @example
 * linkQuality({ page: 0, channel: 11, distanceM: 10, txPowerDbm: 0 }).lqi // => 150
 */
export function linkQuality(input: LinkQualityInput): LinkQuality {
  if (typeof input !== 'object' || input === null) throw new PhyError('invalid-argument', 'input must be an object');
  const { page, channel } = input;
  const mode = requireMode(page, channel);
  const tx = finite('txPowerDbm', input.txPowerDbm);
  const sensitivityDbm = finite('sensitivityDbm', input.sensitivityDbm ?? mode.sensitivityDbm);
  const range = finite('lqiRangeDb', input.lqiRangeDb ?? 40, true);
  const pl = pathLossDb(page, channel, input.distanceM, input);
  // Work in hundredths of a dB from here on, so the LQI is integer arithmetic.
  const rxCenti = Math.round((tx - pl) * 100);
  const marginCenti = rxCenti - Math.round(sensitivityDbm * 100);
  const received = marginCenti >= 0;
  const lqi = received ? Math.min(255, Math.floor((marginCenti * 255) / Math.round(range * 100))) : 0;
  return { pathLossDb: pl, rxPowerDbm: rxCenti / 100, sensitivityDbm, received, lqi };
}

/**
 * Largest distance in metres at which a frame sent at `txPowerDbm` is still
 * received (received power equal to the sensitivity), per the model above.
 */
export function maxRangeM(
  page: number,
  channel: number,
  txPowerDbm: number,
  options: { pathLossExponent?: number; breakpointM?: number; sensitivityDbm?: number } = {},
): number {
  const mode = requireMode(page, channel);
  const budget = finite('txPowerDbm', txPowerDbm) - finite('sensitivityDbm', options?.sensitivityDbm ?? mode.sensitivityDbm);
  const n = finite('pathLossExponent', options?.pathLossExponent ?? 3.3, true);
  const dB = finite('breakpointM', options?.breakpointM ?? 8, true);
  const pl1 = pathLossDb(page, channel, 1, options);
  if (budget < pl1) return 0;
  const plB = pathLossDb(page, channel, dB, options);
  if (budget <= plB) return 10 ** ((budget - pl1) / 20);
  return dB * 10 ** ((budget - plB) / (10 * n));
}
