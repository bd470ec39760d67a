// An IEEE 802.15.4 transceiver on the radio medium, programmed by its driver
// through registers (page, channel, receiver on/off, promiscuous mode, the
// hardware FCS check, address filters, interrupt status and mask) and burst
// frame-buffer accesses (one SPI burst each, as the AT86RF2xx family's
// frame buffer), raising an edge-triggered RX interrupt per received frame.
//
// Sources: IEEE Std 802.15.4-2006 7.5.6.2 (third-level frame filtering:
// destination PAN and address, beacons by source PAN), 7.2.1.9 (FCS, computed
// here on transmit and checked on receive with crc_ccitt), 6.4.1 Table 22
// (aTurnaroundTime). The kernel side: include/net/mac802154.h
// (IEEE802154_HW_RX_DROP_BAD_CKSUM: "receiver will not filter frames with bad
// checksum"), the drivers' set_promiscuous_mode/set_hw_addr_filt/set_channel
// ops; seed 000 notes that "transceivers enter promiscuous mode during scans,
// they might stop checking frame validity": in promiscuous mode this device
// filters nothing, not even a bad FCS, and reports the FCS status per frame.
//
// The filter reads the frame control and addressing fields only (the
// hardware's job); decoding MAC frames is @k/wpan-scan's codec.
//
// Page and channel change together, as mac802154 hands a driver both in one
// call (drv_set_channel -> ops->set_channel(hw, page, channel); hwsim swaps
// its pib's page and channel in one RCU update, at86rf212_set_channel()
// programs the modulation then the channel): a PAGE write selects the page
// and a CHANNEL write tunes to (selected page, channel) in one step. PAGE and
// CHANNEL read back what the radio is tuned to.

import { A_SYNC, BLOCK_SLEEP, Op, choose, ktime_get_ns, type KGen, type TaskHandle, type World } from '@k/core-sync';
import { Device, hw_wait_ns } from '../platform/device';
import { RegisterBank } from '../platform/regs';
import { RadioError, appendFcs, type RadioMedium, type RadioPosition, type RadioReception, type RadioListener, type RadioSender } from './medium';
import { aMaxPHYPacketSize, aTurnaroundTime, aUnitBackoffPeriod, phyMode, phyModes, symbolDurationNs } from './phy';

/** Register offsets of the transceiver (32-bit registers). */
export const TRX_REG = {
  /** ro: identification */
  ID: 0x00,
  /** rw: TRX_CTRL_* */
  CTRL: 0x04,
  /** ro: TRX_STATUS_* */
  STATUS: 0x08,
  /** w1c: TRX_IRQ_* raised */
  IRQ_STATUS: 0x0c,
  /** rw: TRX_IRQ_* that raise the interrupt line */
  IRQ_MASK: 0x10,
  /** rw: channel page: a write selects the page of the next CHANNEL write; reads the page the radio is tuned to */
  PAGE: 0x14,
  /** rw: channel: a write tunes to (selected page, channel); reads the channel the radio is tuned to */
  CHANNEL: 0x18,
  /** rw: macPANId for the address filter (reset 0xffff) */
  PAN_ID: 0x1c,
  /** rw: macShortAddress (reset 0xffff) */
  SHORT_ADDR: 0x20,
  /** rw: the extended address, low and high 32 bits */
  EXT_ADDR_LO: 0x24,
  EXT_ADDR_HI: 0x28,
  /** rw: transmit power, dBm as a signed byte */
  TX_POWER: 0x2c,
  /** wo: write TRX_TX_START to send the frame buffer */
  TX_CMD: 0x30,
} as const;

export const TRX_ID = 0x15040001;
/** CTRL: the receiver listens on PAGE/CHANNEL. */
export const TRX_CTRL_RX_ON = 1 << 0;
/** CTRL: no address filter and no FCS check (every frame with a valid PHR is passed). */
export const TRX_CTRL_PROMISCUOUS = 1 << 1;
/** CTRL: frames with a bad FCS are dropped by the hardware (outside promiscuous mode). */
export const TRX_CTRL_AUTO_CRC_CHECK = 1 << 2;
/** CTRL: the FCS is computed and appended on transmit. */
export const TRX_CTRL_TX_AUTO_CRC = 1 << 3;
/** CTRL: PAN coordinator (accepts data and commands carrying only a source address of its PAN). */
export const TRX_CTRL_PAN_COORD = 1 << 4;
/** CTRL: transmit with unslotted CSMA-CA (7.5.1.4), as TX_ARET transceivers do in hardware. */
export const TRX_CTRL_CSMA = 1 << 5;
/** STATUS: the last transmission gave up: the channel stayed busy (CHANNEL_ACCESS_FAILURE). */
export const TRX_STATUS_CHANNEL_ACCESS_FAILURE = 1 << 3;
/** macMinBE, macMaxBE, macMaxCSMABackoffs (7.4.2, defaults). */
export const TRX_CSMA_MIN_BE = 3;
export const TRX_CSMA_MAX_BE = 5;
export const TRX_CSMA_MAX_BACKOFFS = 4;
export const TRX_STATUS_RX_PENDING = 1 << 0;
export const TRX_STATUS_TX_BUSY = 1 << 1;
/** STATUS: the last PAGE/CHANNEL write named a page or channel this radio cannot tune to (refused: the radio, PAGE and CHANNEL are unchanged). */
export const TRX_STATUS_BAD_CHANNEL = 1 << 2;
export const TRX_IRQ_RX_DONE = 1 << 0;
export const TRX_IRQ_TX_DONE = 1 << 1;
export const TRX_IRQ_RX_OVERFLOW = 1 << 2;
export const TRX_TX_START = 1;

/** A received frame read out of the frame buffer. */
export interface TrxRxFrame {
  /** PSDU with its FCS. */
  readonly psdu: Uint8Array;
  readonly lqi: number;
  readonly fcsOk: boolean;
  /** Page and channel the frame was received on (latched with the frame). */
  readonly page: number;
  readonly channel: number;
  readonly atNs: number;
  /** The medium's frame id (for properties and traces). */
  readonly frameId: number;
}

/** One reception attempt seen by the transceiver (ghost state for properties). */
export interface TrxRxLogEntry {
  readonly frameId: number;
  readonly atNs: number;
  readonly page: number;
  readonly channel: number;
  readonly fcsOk: boolean;
  readonly lqi: number;
  readonly psdu: Uint8Array;
  /** 'fifo': kept for the driver; otherwise why the hardware dropped it. */
  readonly fate: 'fifo' | 'bad-fcs' | 'filtered' | 'overflow';
}

/** A retune or receiver on/off (ghost state for properties). */
export interface TrxTuneLogEntry {
  readonly atNs: number;
  readonly page: number;
  readonly channel: number;
  readonly rxOn: boolean;
}

export interface TransceiverOptions {
  /** The interrupt line (core-sync IRQ number). */
  readonly irq: number;
  readonly position: RadioPosition;
  /** Transmit power after reset, dBm (default 0). */
  readonly txPowerDbm?: number;
  /** The factory extended address (EXT_ADDR reset value). */
  readonly extendedAddr?: bigint;
  /** Frames the receive buffer holds (default 4); a frame arriving when it is full is lost (RX_OVERFLOW). */
  readonly rxFifoDepth?: number;
  /** Page and channel after reset (default page 0 channel 11). */
  readonly page?: number;
  readonly channel?: number;
}

function modeled(page: number, channel: number): boolean {
  return Number.isInteger(page) && page >= 0 && page <= 31 && Number.isInteger(channel) && channel >= 0 && channel <= 255 && phyMode(page, channel) !== undefined;
}

/** A page with at least one channel this radio can tune to. */
function pageModeled(page: number): boolean {
  return phyModes().some((m) => m.page === page);
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

/**
 * The hardware frame filter (2006 7.5.6.2, third level) over the raw MHR.
 * Returns true when the frame is for this radio.
 */
function addressFilter(psdu: Uint8Array, panId: number, shortAddr: number, extAddr: bigint, panCoord: boolean): boolean {
  const len = psdu.length - 2;
  if (len < 3) return false;
  const fc = u16(psdu, 0);
  const type = fc & 7;
  if (type > 3) return false; // reserved (2006)
  const intraPan = (fc >> 6) & 1;
  const dmode = (fc >> 10) & 3;
  const version = (fc >> 12) & 3;
  const smode = (fc >> 14) & 3;
  if (version > 1) return true; // 2015 frames: the filter of this radio knows 2003/2006 only, and passes them
  if (dmode === 1 || smode === 1) return false;
  let at = 3;
  const addrLen = (m: number) => (m === 2 ? 2 : m === 3 ? 8 : 0);
  if (dmode !== 0) {
    if (at + 2 + addrLen(dmode) > len) return false;
    const dpan = u16(psdu, at);
    at += 2;
    if (dpan !== 0xffff && dpan !== panId) return false;
    if (dmode === 2) {
      const da = u16(psdu, at);
      if (da !== 0xffff && da !== shortAddr) return false;
    } else {
      let da = 0n;
      for (let i = 7; i >= 0; i--) da = (da << 8n) | BigInt(psdu[at + i]!);
      if (da !== extAddr) return false;
    }
    return true;
  }
  if (smode === 0) return type === 2; // only acks carry no address
  if (intraPan) return false;
  if (at + 2 > len) return false;
  const span = u16(psdu, at);
  // beacons: the source PAN must be ours unless we belong to no PAN yet
  if (type === 0) return panId === 0xffff || span === panId;
  // data and commands without destination: only to the PAN coordinator of that PAN
  return panCoord && span === panId;
}

/**
 * The transceiver device. The driver programs it with readl/writel on `regs`
 * and moves frames with `readRxFrame`/`writeTxFrame` (one scheduling point
 * each); its transmitter runs as a device agent started by `start(k)`.
 */
export class Ieee802154Transceiver extends Device implements RadioListener, RadioSender {
  readonly regs: RegisterBank;
  readonly position: RadioPosition;
  private epoch = 0;
  private transmitting = false;
  private txBuffer: Uint8Array | null = null;
  private txRequested = false;
  private readonly fifo: TrxRxFrame[] = [];
  private readonly fifoDepth: number;
  private badChannel = false;
  private accessFailure = false;
  /** Every frame the receiver got from the medium, with its fate. */
  readonly rxLog: TrxRxLogEntry[] = [];
  /** Every retune and receiver on/off, in order. */
  readonly tuneLog: TrxTuneLogEntry[] = [];
  /** Frames transmitted. */
  txCount = 0;
  private readonly opTx: Op;
  private readonly opBurst: Op;

  constructor(
    name: string,
    readonly medium: RadioMedium,
    opts: TransceiverOptions,
  ) {
    super(name, { irq: opts?.irq, trigger: 'edge' });
    if (typeof opts !== 'object' || opts === null) throw new RadioError(`${name}: options must be an object`);
    this.position = opts.position;
    this.fifoDepth = opts.rxFifoDepth ?? 4;
    if (!Number.isInteger(this.fifoDepth) || this.fifoDepth < 1) throw new RadioError(`${name}: rxFifoDepth must be a positive integer`);
    const page = opts.page ?? 0;
    const channel = opts.channel ?? 11;
    if (!phyMode(page, channel)) throw new RadioError(`${name}: page ${page} channel ${channel} is not a channel k models`);
    const ext = opts.extendedAddr ?? 0n;
    const txp = opts.txPowerDbm ?? 0;
    if (!Number.isInteger(txp) || txp < -128 || txp > 127) throw new RadioError(`${name}: txPowerDbm must be an integer dBm in -128..127`);
    this.regs = this.addBank(new RegisterBank(name, 0x40, [
      { name: 'ID', offset: TRX_REG.ID, width: 4, access: 'ro', reset: TRX_ID },
      { name: 'CTRL', offset: TRX_REG.CTRL, width: 4, access: 'rw', reset: TRX_CTRL_AUTO_CRC_CHECK | TRX_CTRL_TX_AUTO_CRC | TRX_CTRL_CSMA, onWrite: () => this.retuned() },
      { name: 'STATUS', offset: TRX_REG.STATUS, width: 4, access: 'ro', onRead: () => this.status() },
      { name: 'IRQ_STATUS', offset: TRX_REG.IRQ_STATUS, width: 4, access: 'w1c' },
      { name: 'IRQ_MASK', offset: TRX_REG.IRQ_MASK, width: 4, access: 'rw' },
      { name: 'PAGE', offset: TRX_REG.PAGE, width: 4, access: 'rw', reset: page, onWrite: (_r, v) => this.selectPage(Number(v)) },
      { name: 'CHANNEL', offset: TRX_REG.CHANNEL, width: 4, access: 'rw', reset: channel, onWrite: (_r, v) => this.tune(Number(v)) },
      { name: 'PAN_ID', offset: TRX_REG.PAN_ID, width: 4, access: 'rw', reset: 0xffff },
      { name: 'SHORT_ADDR', offset: TRX_REG.SHORT_ADDR, width: 4, access: 'rw', reset: 0xffff },
      { name: 'EXT_ADDR_LO', offset: TRX_REG.EXT_ADDR_LO, width: 4, access: 'rw', reset: Number(ext & 0xffffffffn) },
      { name: 'EXT_ADDR_HI', offset: TRX_REG.EXT_ADDR_HI, width: 4, access: 'rw', reset: Number((ext >> 32n) & 0xffffffffn) },
      { name: 'TX_POWER', offset: TRX_REG.TX_POWER, width: 4, access: 'rw', reset: txp & 0xff },
      { name: 'TX_CMD', offset: TRX_REG.TX_CMD, width: 4, access: 'wo', onWrite: (_r, v) => this.txCommand(Number(v)) },
    ]));
    this.tuned = { page, channel };
    this.opTx = new Op(`${name}:tx`, this, BLOCK_SLEEP, A_SYNC, () => this.txRequested);
    this.opBurst = new Op(`spi burst ${name}`, this.regs, 0, A_SYNC);
    medium.attach(this);
    this.tuneLog.push({ atNs: 0, page, channel, rxOn: false });
  }

  private reg(name: string): number {
    return Number(this.regs.reg(name).value);
  }

  // ---- RadioListener / RadioSender ---------------------------------------------------

  /** The page and channel the radio is tuned to. */
  get page(): number {
    return this.tuned.page;
  }
  get channel(): number {
    return this.tuned.channel;
  }
  get txPowerDbm(): number {
    const v = this.reg('TX_POWER') & 0xff;
    return v >= 128 ? v - 256 : v;
  }
  get rxEpoch(): number {
    return this.epoch;
  }
  get ctrl(): number {
    return this.reg('CTRL');
  }
  /** The receiver listens (RX on, not transmitting, device present). */
  get rxOn(): boolean {
    return this.present && (this.ctrl & TRX_CTRL_RX_ON) !== 0 && !this.transmitting;
  }
  get promiscuous(): boolean {
    return (this.ctrl & TRX_CTRL_PROMISCUOUS) !== 0;
  }
  /** Frames waiting in the receive buffer. */
  get rxPending(): number {
    return this.fifo.length;
  }

  listening(): { page: number; channel: number } | null {
    return this.rxOn ? { page: this.page, channel: this.channel } : null;
  }

  deliver(rx: RadioReception): void {
    if (!this.rxOn) return;
    const ctrl = this.ctrl;
    const base = { frameId: rx.frame.id, atNs: rx.atNs, page: this.page, channel: this.channel, fcsOk: rx.fcsOk, lqi: rx.lqi, psdu: rx.psdu };
    const promisc = (ctrl & TRX_CTRL_PROMISCUOUS) !== 0;
    if (!promisc && (ctrl & TRX_CTRL_AUTO_CRC_CHECK) && !rx.fcsOk) {
      this.rxLog.push({ ...base, fate: 'bad-fcs' });
      return;
    }
    const ext = (BigInt(this.reg('EXT_ADDR_HI')) << 32n) | BigInt(this.reg('EXT_ADDR_LO'));
    if (!promisc && !addressFilter(rx.psdu, this.reg('PAN_ID') & 0xffff, this.reg('SHORT_ADDR') & 0xffff, ext, (ctrl & TRX_CTRL_PAN_COORD) !== 0)) {
      this.rxLog.push({ ...base, fate: 'filtered' });
      return;
    }
    if (this.fifo.length >= this.fifoDepth) {
      this.rxLog.push({ ...base, fate: 'overflow' });
      this.raise(TRX_IRQ_RX_OVERFLOW);
      return;
    }
    this.rxLog.push({ ...base, fate: 'fifo' });
    this.fifo.push({ psdu: rx.psdu, lqi: rx.lqi, fcsOk: rx.fcsOk, page: base.page, channel: base.channel, atNs: rx.atNs, frameId: rx.frame.id });
    this.raise(TRX_IRQ_RX_DONE);
  }

  // ---- registers ------------------------------------------------------------------

  private status(): number {
    return (this.fifo.length ? TRX_STATUS_RX_PENDING : 0) | (this.transmitting || this.txRequested ? TRX_STATUS_TX_BUSY : 0) | (this.badChannel ? TRX_STATUS_BAD_CHANNEL : 0)
      | (this.accessFailure ? TRX_STATUS_CHANNEL_ACCESS_FAILURE : 0);
  }

  private raise(bits: number): void {
    const st = this.regs.reg('IRQ_STATUS');
    st.value = Number(st.value) | bits;
    if (bits & this.reg('IRQ_MASK') && this.present && this.irq !== null) this.raiseIrq();
  }

  /** A PAGE write: selects the page of the next CHANNEL write (no retune), or is refused when no channel of that page exists here. */
  private selectPage(page: number): void {
    if (!pageModeled(page)) {
      this.badChannel = true;
      this.selectedPage = null;
    } else {
      this.badChannel = false;
      this.selectedPage = page;
    }
    this.showTuned();
  }

  /** A CHANNEL write: tunes to (selected page, channel) in one step, or is refused and the radio stays where it was. */
  private tune(channel: number): void {
    const page = this.selectedPage ?? this.tuned.page;
    // the selection is consumed by this write, taken or refused
    this.selectedPage = null;
    if (!modeled(page, channel)) {
      this.badChannel = true;
      this.showTuned();
      return;
    }
    this.badChannel = false;
    this.tuned = { page, channel };
    this.showTuned();
    this.retuned();
  }

  /** PAGE and CHANNEL hold the page and channel the radio is tuned to (a refused value does not stay readable). */
  private showTuned(): void {
    this.regs.reg('PAGE').value = this.tuned.page;
    this.regs.reg('CHANNEL').value = this.tuned.channel;
  }

  private tuned: { page: number; channel: number };
  /** The page the last PAGE write selected, for the next CHANNEL write (null: the tuned page). */
  private selectedPage: number | null = null;

  private retuned(): void {
    this.epoch++;
    const e = this.tuneLog[this.tuneLog.length - 1];
    const now = { atNs: ktime_get_ns(), page: this.page, channel: this.channel, rxOn: this.rxOn };
    if (!e || e.page !== now.page || e.channel !== now.channel || e.rxOn !== now.rxOn) this.tuneLog.push(now);
  }

  private txCommand(v: number): void {
    if (v & TRX_TX_START && this.txBuffer !== null) this.txRequested = true;
  }

  // ---- frame buffer: one SPI burst each -------------------------------------------

  /** Reads the oldest received frame out of the buffer, or null when it is empty. */
  *readRxFrame(): KGen<TrxRxFrame | null> {
    yield this.opBurst;
    return this.fifo.shift() ?? null;
  }

  /**
   * Writes the frame to send (its MPDU: TX_AUTO_CRC appends the FCS, else
   * the caller includes it); TX_CMD starts the transmission.
   */
  *writeTxFrame(mpdu: Uint8Array): KGen {
    yield this.opBurst;
    const auto = (this.ctrl & TRX_CTRL_TX_AUTO_CRC) !== 0;
    const max = auto ? aMaxPHYPacketSize - 2 : aMaxPHYPacketSize;
    if (!(mpdu instanceof Uint8Array) || mpdu.length < 1 || mpdu.length > max) {
      throw new RadioError(`${this.name}: the frame buffer holds 1..${max} octets${auto ? ' (the FCS is appended)' : ''}, got ${mpdu instanceof Uint8Array ? mpdu.length : typeof mpdu}`);
    }
    this.txBuffer = mpdu.slice();
  }

  // ---- the transmitter agent --------------------------------------------------------

  private *txAgent(): KGen {
    for (;;) {
      yield this.opTx;
      this.txRequested = false;
      // a device reset aborts the transmission in progress: after one, this one no longer touches the radio's state
      const resets = this.resets;
      const aborted = () => this.resets !== resets;
      const mpdu = this.txBuffer!;
      const psdu = this.ctrl & TRX_CTRL_TX_AUTO_CRC ? appendFcs(mpdu) : mpdu;
      const symbol = symbolDurationNs(this.page, this.channel) || 16_000;
      this.accessFailure = false;
      if (this.ctrl & TRX_CTRL_CSMA) {
        // unslotted CSMA-CA: random backoff of 0..2^BE-1 unit periods, then CCA; the explorer picks the backoffs
        let nb = 0;
        let be = TRX_CSMA_MIN_BE;
        for (;;) {
          const periods = choose(2 ** be, `${this.name}: CSMA-CA backoff (BE ${be})`);
          yield* hw_wait_ns((periods * aUnitBackoffPeriod + 8) * symbol); // the backoff, then an 8-symbol CCA
          if (aborted() || !this.medium.busy(this.page, this.channel)) break;
          nb++;
          be = Math.min(be + 1, TRX_CSMA_MAX_BE);
          if (nb > TRX_CSMA_MAX_BACKOFFS) {
            this.accessFailure = true;
            break;
          }
        }
      }
      if (aborted()) continue;
      if (this.accessFailure) {
        this.raise(TRX_IRQ_TX_DONE);
        continue;
      }
      // RX -> TX turnaround (aTurnaroundTime symbols); the receiver is deaf while transmitting
      this.transmitting = true;
      this.retuned();
      yield* hw_wait_ns(aTurnaroundTime * symbol);
      if (aborted()) continue;
      yield* this.medium.transmit(this, psdu);
      this.txCount++;
      // reset during the airtime: the medium still carries the frame to its end, the reset radio raises nothing
      if (aborted()) continue;
      this.transmitting = false;
      this.retuned();
      this.raise(TRX_IRQ_TX_DONE);
    }
  }

  /** Probes the device and starts its transmitter as a daemon agent of the world. */
  start(k: World): TaskHandle {
    if (this.state === 'created') this.probe();
    return this.agent(k, 'tx', () => this.txAgent(), true);
  }

  protected override onReset(): void {
    this.fifo.length = 0;
    this.txBuffer = null;
    this.txRequested = false;
    this.transmitting = false;
    this.accessFailure = false;
    this.badChannel = false;
    this.selectedPage = null;
    this.tuned = { page: Number(this.regs.reg('PAGE').value), channel: Number(this.regs.reg('CHANNEL').value) };
    this.retuned();
  }

  protected override onRemove(): void {
    this.medium.detach(this);
    this.fifo.length = 0;
  }
}
