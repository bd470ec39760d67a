// ktrx: a mac802154 driver (drivers/net/ieee802154/ style, after at86rf230.c)
// for @k/hw-emu's Ieee802154Transceiver. It programs the radio through its
// registers (readl/writel), moves frames with one SPI burst each, and feeds
// received frames to ieee802154_rx_irqsafe() from its interrupt handler.
//
// hw->flags: IEEE802154_HW_TX_OMIT_CKSUM (the radio appends the FCS),
// IEEE802154_HW_AFILT, IEEE802154_HW_PROMISCUOUS, and
// IEEE802154_HW_RX_DROP_BAD_CKSUM when the driver leaves the hardware FCS
// check off (`softwareFcs`), so that the MAC checks it. In promiscuous mode
// the radio checks neither addresses nor the FCS (seed 000: "transceivers
// enter promiscuous mode during scans, they might stop checking frame
// validity").
//
// stop() hands the frames still in the radio's buffer to the MAC after
// turning the receiver off (the fixed scan drains the RX path on it).

import {
  EINVAL, IRQ_HANDLED, IRQ_NONE, disable_irq, enable_irq, irq_set_affinity, request_irq, type KGen,
} from '@k/core-sync';
import {
  TRX_CTRL_AUTO_CRC_CHECK, TRX_CTRL_CSMA, TRX_CTRL_PAN_COORD, TRX_CTRL_PROMISCUOUS, TRX_CTRL_RX_ON, TRX_CTRL_TX_AUTO_CRC, TRX_IRQ_RX_DONE, TRX_IRQ_TX_DONE,
  TRX_REG, TRX_TX_START, readl, writel, type Ieee802154Transceiver, type TrxRxFrame,
} from '@k/hw-emu';
import {
  IEEE802154_AFILT_IEEEADDR_CHANGED, IEEE802154_AFILT_PANC_CHANGED, IEEE802154_AFILT_PANID_CHANGED, IEEE802154_AFILT_SADDR_CHANGED,
  IEEE802154_HW_AFILT, IEEE802154_HW_PROMISCUOUS, IEEE802154_HW_RX_DROP_BAD_CKSUM, IEEE802154_HW_TX_OMIT_CKSUM,
  type ieee802154_hw, type ieee802154_hw_addr_filt, type ieee802154_local, type ieee802154_ops,
} from '../mac/defs';
import { alloc_skb, type sk_buff } from '../mac/kernel';
import { ieee802154_rx_irqsafe } from '../mac/rx';
import { ieee802154_xmit_complete } from '../mac/tx';

/** The driver's private data (hw->priv). */
export interface ktrx_priv {
  readonly trx: Ieee802154Transceiver;
  readonly irq: number;
  /** the MAC (hw_to_local) */
  local: ieee802154_local | null;
  /** the frame being transmitted */
  tx_skb: sk_buff | null;
  /** the hardware drops bad FCS outside promiscuous mode */
  readonly hwFcs: boolean;
  /** frames dropped because no skb could be allocated */
  rxAllocFailures: number;
}

function priv(hw: ieee802154_hw): ktrx_priv {
  return hw.priv as ktrx_priv;
}

/** Reads every frame out of the buffer into the MAC. */
function* ktrx_rx_frames(p: ktrx_priv, hw: ieee802154_hw): KGen {
  for (;;) {
    const f: TrxRxFrame | null = yield* p.trx.readRxFrame();
    if (!f) return;
    const skb = yield* alloc_skb(f.psdu);
    if (!skb) {
      p.rxAllocFailures++;
      continue;
    }
    skb.ghost = { frameId: f.frameId, page: f.page, channel: f.channel, atNs: f.atNs, fcsOk: f.fcsOk };
    yield* ieee802154_rx_irqsafe(hw, skb, f.lqi);
  }
}

/** The interrupt handler: RX frames up, TX completion. */
function ktrx_isr(hw: ieee802154_hw) {
  return function* (): KGen<number> {
    const p = priv(hw);
    const regs = p.trx.regs;
    const status = yield* readl(regs, TRX_REG.IRQ_STATUS);
    if (!status) return IRQ_NONE;
    yield* writel(status, regs, TRX_REG.IRQ_STATUS);
    if (status & TRX_IRQ_RX_DONE) yield* ktrx_rx_frames(p, hw);
    if (status & TRX_IRQ_TX_DONE && p.tx_skb) {
      const skb = p.tx_skb;
      p.tx_skb = null;
      yield* ieee802154_xmit_complete(hw, skb, false);
    }
    return IRQ_HANDLED;
  };
}

function* ctrlUpdate(p: ktrx_priv, set: number, clear: number): KGen {
  const regs = p.trx.regs;
  const ctrl = yield* readl(regs, TRX_REG.CTRL);
  yield* writel((ctrl | set) & ~clear, regs, TRX_REG.CTRL);
}

/** The driver's ieee802154_ops. */
export const ktrx_ops: ieee802154_ops = {
  *start(hw) {
    const p = priv(hw);
    yield* writel(TRX_IRQ_RX_DONE | TRX_IRQ_TX_DONE, p.trx.regs, TRX_REG.IRQ_MASK);
    yield* ctrlUpdate(p, TRX_CTRL_RX_ON, 0);
    return 0;
  },
  *stop(hw) {
    const p = priv(hw);
    yield* ctrlUpdate(p, 0, TRX_CTRL_RX_ON);
    // no handler runs while the buffer is handed over
    yield* disable_irq(p.irq);
    yield* ktrx_rx_frames(p, hw);
    yield* enable_irq(p.irq);
  },
  *xmit_async(hw, skb) {
    const p = priv(hw);
    p.tx_skb = skb;
    yield* p.trx.writeTxFrame(skb.data);
    yield* writel(TRX_TX_START, p.trx.regs, TRX_REG.TX_CMD);
    return 0;
  },
  *set_channel(hw, page, channel) {
    const p = priv(hw);
    if (page > 31 || channel > 26 || !((hw.phy.supported.channels[page] ?? 0) & (1 << channel))) return -EINVAL;
    yield* writel(page, p.trx.regs, TRX_REG.PAGE);
    yield* writel(channel, p.trx.regs, TRX_REG.CHANNEL);
    return 0;
  },
  *set_hw_addr_filt(hw, filt: ieee802154_hw_addr_filt, changed) {
    const p = priv(hw);
    const regs = p.trx.regs;
    if (changed & IEEE802154_AFILT_PANID_CHANGED) yield* writel(filt.pan_id, regs, TRX_REG.PAN_ID);
    if (changed & IEEE802154_AFILT_SADDR_CHANGED) yield* writel(filt.short_addr, regs, TRX_REG.SHORT_ADDR);
    if (changed & IEEE802154_AFILT_IEEEADDR_CHANGED) {
      yield* writel(Number(filt.ieee_addr & 0xffffffffn), regs, TRX_REG.EXT_ADDR_LO);
      yield* writel(Number((filt.ieee_addr >> 32n) & 0xffffffffn), regs, TRX_REG.EXT_ADDR_HI);
    }
    if (changed & IEEE802154_AFILT_PANC_CHANGED) yield* ctrlUpdate(p, filt.pan_coord ? TRX_CTRL_PAN_COORD : 0, filt.pan_coord ? 0 : TRX_CTRL_PAN_COORD);
    return 0;
  },
  *set_promiscuous_mode(hw, on) {
    const p = priv(hw);
    yield* ctrlUpdate(p, on ? TRX_CTRL_PROMISCUOUS : 0, on ? 0 : TRX_CTRL_PROMISCUOUS);
    if (p.local) p.local.ghost.hwPromiscuous = on;
    return 0;
  },
};

/** Options of the driver's probe. */
export interface KtrxOptions {
  /** leave the hardware FCS check off: the MAC checks in software (IEEE802154_HW_RX_DROP_BAD_CKSUM) */
  readonly softwareFcs?: boolean;
  /** CPU the interrupt goes to (default 0) */
  readonly irqCpu?: number;
}

/** Driver-private data for a transceiver on `irq`. */
export function ktrx_alloc_priv(trx: Ieee802154Transceiver, irq: number, o: KtrxOptions = {}): ktrx_priv {
  return { trx, irq, local: null, tx_skb: null, hwFcs: !o.softwareFcs, rxAllocFailures: 0 };
}

/** hw->flags of the driver. */
export function ktrx_hw_flags(p: ktrx_priv): number {
  return IEEE802154_HW_TX_OMIT_CKSUM | IEEE802154_HW_AFILT | IEEE802154_HW_PROMISCUOUS | (p.hwFcs ? 0 : IEEE802154_HW_RX_DROP_BAD_CKSUM);
}

/** ktrx_probe(): resets the radio's control register and requests its interrupt. */
export function* ktrx_probe(hw: ieee802154_hw, local: ieee802154_local, o: KtrxOptions = {}): KGen<number> {
  const p = priv(hw);
  p.local = local;
  hw.flags = ktrx_hw_flags(p);
  irq_set_affinity(p.irq, [o.irqCpu ?? 0]);
  // the radio appends the FCS and transmits with CSMA-CA (TX_ARET-like)
  yield* writel(TRX_CTRL_TX_AUTO_CRC | TRX_CTRL_CSMA | (p.hwFcs ? TRX_CTRL_AUTO_CRC_CHECK : 0), p.trx.regs, TRX_REG.CTRL);
  return yield* request_irq(p.irq, ktrx_isr(hw), 0, `ktrx@${p.trx.name}`, p);
}
