import { describe, expect, it } from 'vitest';
import {
  IRQ_HANDLED, defineScenario, explore, msleep, request_irq, type KGen, type World,
} from '@k/core-sync';
import {
  BeaconNode, FaultInjector, appendFcs, Ieee802154Transceiver, RadioError, RadioMedium, TRX_CTRL_AUTO_CRC_CHECK, TRX_CTRL_PROMISCUOUS,
  TRX_CTRL_RX_ON, TRX_CTRL_TX_AUTO_CRC, TRX_IRQ_RX_DONE, TRX_IRQ_TX_DONE, TRX_REG, TRX_STATUS_BAD_CHANNEL, TRX_STATUS_TX_BUSY, TRX_TX_START,
  hw_wait_ns,
  beaconIntervalNs, crc_ccitt, frameAirtimeNs, linkQuality, readl, writel, type RadioMediumOptions, type TrxRxFrame,
} from '../../src/index';

/** A beacon MPDU (frame control 0x8000: beacon, no destination, short source), PAN `pan`, source `src`. */
function beaconMpdu(seq: number, pan = 0x1234, src = 0x0001): Uint8Array {
  return Uint8Array.of(0x00, 0x80, seq & 0xff, pan & 0xff, pan >> 8, src & 0xff, src >> 8, 0xff, 0xcf, 0x00, 0x00);
}

const withFcs = appendFcs;

interface Rig {
  medium: RadioMedium;
  trx: Ieee802154Transceiver;
  got: TrxRxFrame[];
}

/** Runs one execution: a transceiver on (0, 11) at 10 m whose IRQ handler drains the buffer, plus `body`. */
function run(body: (k: World, r: Rig) => void, opts: { medium?: RadioMediumOptions; ctrl?: number; timing?: 'free' | 'strict'; faults?: boolean; keepaliveMs?: number } = {}): Rig {
  let rig!: Rig;
  const s = defineScenario({
    name: 'radio',
    description: 'radio rig',
    variants: { only: { expect: 'holds' } },
    defaults: { timing: opts.timing ?? 'strict', maxTime: 2e9 },
    setup(k) {
      const faults = opts.faults ? new FaultInjector({ corrupt: true }) : undefined;
      const medium = new RadioMedium({ ...opts.medium, faults });
      const trx = new Ieee802154Transceiver('trx0', medium, { irq: 5, position: { x: 10, y: 0 } });
      rig = { medium, trx, got: [] };
      trx.start(k);
      k.boot('probe', function* () {
        yield* request_irq(5, function* (): KGen<number> {
          const st = yield* readl(trx.regs, TRX_REG.IRQ_STATUS);
          yield* writel(st, trx.regs, TRX_REG.IRQ_STATUS);
          for (;;) {
            const f = yield* trx.readRxFrame();
            if (!f) break;
            rig.got.push(f);
          }
          return IRQ_HANDLED;
        }, 0, 'trx0', trx);
        yield* writel(TRX_IRQ_RX_DONE, trx.regs, TRX_REG.IRQ_MASK);
        yield* writel(opts.ctrl ?? TRX_CTRL_RX_ON | TRX_CTRL_AUTO_CRC_CHECK | TRX_CTRL_TX_AUTO_CRC, trx.regs, TRX_REG.CTRL);
      });
      body(k, rig);
      // the device agents are daemons: a task keeps the world running long enough
      k.spawn('keepalive', function* () {
        yield* msleep(opts.keepaliveMs ?? 100);
      });
    },
  });
  const r = explore(s, { budget: 1 });
  if (r.counterexample) throw new Error(`${r.counterexample.kind}: ${r.counterexample.message}`);
  return rig;
}

describe('the radio medium', () => {
  it('keeps a frame on air for its airtime and delivers it with the LQI of the link model', () => {
    const rig = run((k, r) => {
      const node = new BeaconNode(r.medium, { name: 'coord', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 1, firstBeaconNs: 1000 });
      node.start(k);
    });
    expect(rig.got).toHaveLength(1);
    const f = rig.got[0]!;
    expect(f.atNs).toBe(1000 + frameAirtimeNs(0, 11, 13));
    expect(f.lqi).toBe(linkQuality({ page: 0, channel: 11, distanceM: 10, txPowerDbm: 0 }).lqi);
    expect(f.fcsOk).toBe(true);
    expect(f.psdu).toEqual(withFcs(beaconMpdu(0)));
    expect([f.page, f.channel]).toEqual([0, 11]);
  });

  it('sends beacons one beacon interval apart (BO 0 on 2.4 GHz: 960 symbols of 16 us)', () => {
    let node!: BeaconNode;
    run((k, r) => {
      node = new BeaconNode(r.medium, { name: 'coord', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 3 });
      node.start(k);
    });
    expect(beaconIntervalNs(0, 11, 0)).toBe(15_360_000);
    expect(node.sent.map((f) => f.startNs)).toEqual([0, 15_360_000, 30_720_000]);
    expect(node.sent.map((f) => f.psdu[2])).toEqual([0, 1, 2]);
  });

  it('loses a frame when the receiver changes channel while it is on air', () => {
    const rig = run((k, r) => {
      new BeaconNode(r.medium, { name: 'coord', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 2, firstBeaconNs: 1_000_000 }).start(k);
      k.spawn('retune', function* () {
        // 1 ms: the first beacon is on air (its airtime is 544 us from 1 ms); switch away and back
        yield* msleep(0);
        yield* writel(12, r.trx.regs, TRX_REG.CHANNEL);
        yield* writel(11, r.trx.regs, TRX_REG.CHANNEL);
      });
    }, { timing: 'strict' });
    // msleep(0) sleeps one jiffy (4 ms at HZ 250): the retune hits neither beacon, both arrive
    expect(rig.got).toHaveLength(2);
    const lost = run((k, r) => {
      new BeaconNode(r.medium, { name: 'coord', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 1, firstBeaconNs: 3_900_000 }).start(k);
      k.spawn('retune', function* () {
        yield* msleep(0);
        yield* writel(12, r.trx.regs, TRX_REG.CHANNEL);
        yield* writel(11, r.trx.regs, TRX_REG.CHANNEL);
      });
    }, { timing: 'strict' });
    expect(lost.got).toHaveLength(0);
    expect(lost.medium.stats.losses.retuned).toBe(1);
  });

  it('does not deliver beyond the range of the link model', () => {
    const rig = run((k, r) => {
      new BeaconNode(r.medium, { name: 'far', position: { x: 10_000, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 1 }).start(k);
    });
    expect(rig.got).toHaveLength(0);
    expect(rig.medium.stats.losses['out-of-range']).toBe(1);
  });

  it('destroys overlapping frames on one channel', () => {
    const rig = run((k, r) => {
      for (const [i, at] of [[1, 0], [2, 100_000]] as const) {
        new BeaconNode(r.medium, { name: `c${i}`, position: { x: 0, y: i }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s, 0x1234, i), count: 1, firstBeaconNs: at }).start(k);
      }
    });
    expect(rig.got).toHaveLength(0);
    expect(rig.medium.stats.losses.collision).toBe(2);
  });

  it('flips bits from a seeded generator: the same seed gives the same errors, and they fail the FCS', () => {
    const once = (seed: number) => run((k, r) => {
      new BeaconNode(r.medium, { name: 'c', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 20 }).start(k);
    }, { medium: { bitErrorRate: 0.01, seed }, ctrl: TRX_CTRL_RX_ON | TRX_CTRL_PROMISCUOUS });
    const a = once(7);
    const b = once(7);
    expect(a.got.map((f) => f.fcsOk)).toEqual(b.got.map((f) => f.fcsOk));
    expect(a.got.some((f) => !f.fcsOk)).toBe(true);
    for (const f of a.got) expect(f.fcsOk).toBe(crc_ccitt(0, f.psdu) === 0);
    expect(a.medium.stats.bitErrors).toBeGreaterThan(0);
  });

  it('a frame corrupted by the fault injector is dropped by the hardware FCS check, and passed in promiscuous mode', () => {
    const body = (k: World, r: Rig) => {
      new BeaconNode(r.medium, { name: 'c', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 1 }).start(k);
    };
    // the explorer's first choices decline every fault; explore more to find the corrupted one
    const checked = run(body, { faults: true });
    expect(checked.got).toHaveLength(1);
    const corrupted = (ctrl: number) => {
      const s = defineScenario({
        name: 'corrupt',
        description: '',
        variants: { only: { expect: 'holds' } },
        defaults: { timing: 'strict' },
        setup(k) {
          const medium = new RadioMedium({ faults: new FaultInjector({ corrupt: true }) });
          const trx = new Ieee802154Transceiver('trx0', medium, { irq: 5, position: { x: 1, y: 0 } });
          trx.start(k);
          k.boot('on', function* () {
            yield* writel(ctrl, trx.regs, TRX_REG.CTRL);
          });
          body(k, { medium, trx, got: [] });
          k.spawn('keepalive', function* () {
            yield* msleep(5);
          });
          k.atEnd('corrupted frame fate', () => {
            const e = trx.rxLog[0];
            if (!e || e.fcsOk) return true;
            return e.fate === ((ctrl & TRX_CTRL_PROMISCUOUS) ? 'fifo' : 'bad-fcs') ? true : `fate ${e.fate}`;
          });
        },
      });
      return explore(s, { strategy: 'dfs', budget: 2000 });
    };
    const hw = corrupted(TRX_CTRL_RX_ON | TRX_CTRL_AUTO_CRC_CHECK);
    expect(hw.verdict).toBe('holds');
    expect(hw.executions).toBeGreaterThan(100);
    expect(corrupted(TRX_CTRL_RX_ON | TRX_CTRL_PROMISCUOUS).verdict).toBe('holds');
  });

  it('lets the explorer drop a frame on its way to a receiver: one execution delivers it, another loses it', () => {
    const fates = new Set<string>();
    const s = defineScenario({
      name: 'drop',
      description: '',
      variants: { only: { expect: 'holds' } },
      defaults: { timing: 'strict' },
      setup(k) {
        const medium = new RadioMedium({ faults: new FaultInjector({ drop: true }) });
        const trx = new Ieee802154Transceiver('trx0', medium, { irq: 5, position: { x: 1, y: 0 } });
        trx.start(k);
        k.boot('on', function* () {
          yield* writel(TRX_CTRL_RX_ON | TRX_CTRL_AUTO_CRC_CHECK, trx.regs, TRX_REG.CTRL);
        });
        new BeaconNode(medium, { name: 'c', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: beaconMpdu(0), count: 1 }).start(k);
        k.spawn('keepalive', function* () {
          yield* msleep(5);
        });
        k.atEnd('fate', () => {
          fates.add(`${trx.rxLog.length} received, ${medium.stats.losses.dropped} dropped`);
          return true;
        });
      },
    });
    expect(explore(s, { strategy: 'dfs', budget: 50 }).verdict).toBe('holds');
    expect([...fates].sort()).toEqual(['0 received, 1 dropped', '1 received, 0 dropped']);
  });

  it('refuses a PSDU longer than aMaxPHYPacketSize and bad options with a typed error', () => {
    const m = new RadioMedium();
    expect(() => new RadioMedium({ bitErrorRate: 2 })).toThrow(RadioError);
    expect(() => new BeaconNode(m, { name: 'x', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 3, superframeOrder: 4, frame: new Uint8Array(3) })).toThrow(/superframeOrder/);
    expect(() => new BeaconNode(m, { name: 'x', position: { x: Number.NaN, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 3, superframeOrder: 3, frame: new Uint8Array(3) })).toThrow(/position/);
    const r = explore(defineScenario({
      name: 'long',
      description: '',
      variants: { only: { expect: 'fails' } },
      setup(k) {
        const medium = new RadioMedium();
        k.agent('tx', function* () {
          yield* medium.transmit({ name: 'a', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11 }, new Uint8Array(128));
        }, { daemon: false });
      },
    }), { budget: 1 });
    expect(r.counterexample?.message).toMatch(/PSDU is 1\.\.127 octets, got 128/);
  });

  it('accepts beacon and superframe orders the standard allows and refuses the others with a RadioError', () => {
    const m = new RadioMedium();
    const node = (beaconOrder: number, superframeOrder: number) => () =>
      new BeaconNode(m, { name: 'c', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder, superframeOrder, frame: new Uint8Array(3) });
    // 0 <= SO <= BO <= 14, SO 15 (no active period) with any BO, BO 15 only with SO 15
    for (const [bo, so] of [[0, 0], [14, 0], [14, 14], [6, 15], [15, 15]] as const) expect(node(bo, so)).not.toThrow();
    expect(node(15, 3)).toThrow(RadioError);
    expect(node(15, 14)).toThrow(/beaconOrder 15 \(no periodic beacon\) needs superframeOrder 15, got 14/);
    expect(node(15, 0)).toThrow(RadioError);
    expect(node(3, 4)).toThrow(/superframeOrder must be 0\.\.beaconOrder or 15, got 4/);
    expect(node(16, 16)).toThrow(/beaconOrder must be 0\.\.15/);
  });

  it('refuses a beacon count that is not a non-negative integer, and sends none for count 0', () => {
    const m = new RadioMedium();
    const node = (count: number) => () =>
      new BeaconNode(m, { name: 'c', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: new Uint8Array(3), count });
    expect(node(-1)).toThrow(/count must be a non-negative integer/);
    expect(node(1.5)).toThrow(RadioError);
    expect(node(Number.NaN)).toThrow(RadioError);
    expect(node(Infinity)).toThrow(RadioError);
    expect(() => new BeaconNode(m, { name: 'c', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: 'beacon' as unknown as Uint8Array })).toThrow(/frame must be a Uint8Array/);
    let none!: BeaconNode;
    run((k, r) => {
      none = new BeaconNode(r.medium, { name: 'quiet', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 0 });
      none.start(k);
    });
    expect(none.sent).toEqual([]);
  });
});

describe('the transceiver', () => {
  it('filters frames by destination PAN and address outside promiscuous mode', () => {
    const rig = run((k, r) => {
      const frames = [
        // data to PAN 0x1234 short 0x0042 (ours), to 0x0043 (not ours), broadcast, to PAN 0x9999
        Uint8Array.of(0x41, 0x88, 1, 0x34, 0x12, 0x42, 0x00, 0x01, 0x00, 0xaa),
        Uint8Array.of(0x41, 0x88, 2, 0x34, 0x12, 0x43, 0x00, 0x01, 0x00, 0xaa),
        Uint8Array.of(0x41, 0x88, 3, 0x34, 0x12, 0xff, 0xff, 0x01, 0x00, 0xaa),
        Uint8Array.of(0x41, 0x88, 4, 0x99, 0x99, 0x42, 0x00, 0x01, 0x00, 0xaa),
        // a beacon of our PAN, one of another PAN
        beaconMpdu(5, 0x1234), beaconMpdu(6, 0x7777),
      ];
      k.boot('addr', function* () {
        yield* writel(0x1234, r.trx.regs, TRX_REG.PAN_ID);
        yield* writel(0x0042, r.trx.regs, TRX_REG.SHORT_ADDR);
      });
      frames.forEach((f, i) => new BeaconNode(r.medium, { name: `n${i}`, position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 15, superframeOrder: 15, frame: f }));
      k.agent('sender', function* () {
        for (const f of frames) yield* r.medium.transmit({ name: 'sender', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11 }, withFcs(f));
      });
    });
    expect(rig.got.map((f) => f.psdu[2])).toEqual([1, 3, 5]);
    expect(rig.trx.rxLog.filter((e) => e.fate === 'filtered').map((e) => e.psdu[2])).toEqual([2, 4, 6]);
  });

  it('appends the FCS on transmit after a CSMA-CA backoff, raises TX_DONE, and another transceiver receives the frame', () => {
    let tx!: Ieee802154Transceiver;
    let txDone = 0;
    const rig = run((k, r) => {
      tx = new Ieee802154Transceiver('trx1', r.medium, { irq: 6, position: { x: 0, y: 0 } });
      tx.start(k);
      k.spawn('send', function* () {
        yield* request_irq(6, function* (): KGen<number> {
          const st = yield* readl(tx.regs, TRX_REG.IRQ_STATUS);
          yield* writel(st, tx.regs, TRX_REG.IRQ_STATUS);
          if (st & TRX_IRQ_TX_DONE) txDone++;
          return IRQ_HANDLED;
        }, 0, 'trx1', tx);
        yield* writel(TRX_IRQ_TX_DONE, tx.regs, TRX_REG.IRQ_MASK);
        yield* tx.writeTxFrame(beaconMpdu(9, 0xffff));
        yield* writel(TRX_TX_START, tx.regs, TRX_REG.TX_CMD);
      });
    });
    expect(txDone).toBe(1);
    expect(tx.txCount).toBe(1);
    expect(rig.got).toHaveLength(1);
    expect(rig.got[0]!.psdu).toEqual(withFcs(beaconMpdu(9, 0xffff)));
  });

  it('refuses a channel it cannot tune to and keeps the old one', () => {
    let status = 0;
    const rig = run((k, r) => {
      k.spawn('bad', function* () {
        yield* writel(27, r.trx.regs, TRX_REG.CHANNEL);
        status = yield* readl(r.trx.regs, TRX_REG.STATUS);
      });
    });
    expect(status & TRX_STATUS_BAD_CHANNEL).toBeTruthy();
    expect(rig.trx.channel).toBe(11);
  });

  it('tunes PAGE 2 then CHANNEL 5 to page 2 channel 5 in one step, and hears a node there', () => {
    let regs: number[] = [];
    const rig = run((k, r) => {
      // from page 0 channel 11: (2, 11) does not exist and (0, 5) does, but neither is ever tuned
      k.boot('set_channel', function* () {
        yield* writel(2, r.trx.regs, TRX_REG.PAGE);
        yield* writel(5, r.trx.regs, TRX_REG.CHANNEL);
        regs = [yield* readl(r.trx.regs, TRX_REG.PAGE), yield* readl(r.trx.regs, TRX_REG.CHANNEL), (yield* readl(r.trx.regs, TRX_REG.STATUS)) & TRX_STATUS_BAD_CHANNEL];
      });
      new BeaconNode(r.medium, { name: 'sub-ghz', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 2, channel: 5, beaconOrder: 0, superframeOrder: 0, frame: (s) => beaconMpdu(s), count: 1, firstBeaconNs: 1_000_000 }).start(k);
    });
    expect(regs).toEqual([2, 5, 0]);
    expect([rig.trx.page, rig.trx.channel]).toEqual([2, 5]);
    expect(rig.trx.tuneLog.map((e) => [e.page, e.channel])).not.toContainEqual([0, 5]);
    expect(rig.got.map((f) => [f.page, f.channel])).toEqual([[2, 5]]);
  });

  it('keeps the page a PAGE write selects for the next CHANNEL write and does not retune before it', () => {
    const seen: number[][] = [];
    const rig = run((k, r) => {
      k.boot('page-first', function* () {
        yield* writel(1, r.trx.regs, TRX_REG.PAGE);
        seen.push([yield* readl(r.trx.regs, TRX_REG.PAGE), r.trx.page, r.trx.channel]);
        yield* writel(3, r.trx.regs, TRX_REG.CHANNEL);
        seen.push([yield* readl(r.trx.regs, TRX_REG.PAGE), r.trx.page, r.trx.channel]);
        // a CHANNEL write with no PAGE write before it stays on the tuned page
        yield* writel(7, r.trx.regs, TRX_REG.CHANNEL);
        seen.push([yield* readl(r.trx.regs, TRX_REG.PAGE), r.trx.page, r.trx.channel]);
      });
    });
    expect(seen).toEqual([[0, 0, 11], [1, 1, 3], [1, 1, 7]]);
    expect(rig.trx.tuneLog.map((e) => [e.page, e.channel])).not.toContainEqual([1, 11]);
  });

  it('reads back the page and channel it is tuned to after a refused PAGE or CHANNEL write', () => {
    const seen: number[][] = [];
    const rig = run((k, r) => {
      const look = function* (): KGen<number[]> {
        const st = yield* readl(r.trx.regs, TRX_REG.STATUS);
        return [yield* readl(r.trx.regs, TRX_REG.PAGE), yield* readl(r.trx.regs, TRX_REG.CHANNEL), st & TRX_STATUS_BAD_CHANNEL ? 1 : 0, r.trx.page, r.trx.channel];
      };
      k.boot('refusals', function* () {
        yield* writel(27, r.trx.regs, TRX_REG.CHANNEL); // no channel 27 on any page
        seen.push(yield* look());
        yield* writel(9, r.trx.regs, TRX_REG.PAGE); // page 9: no channel this radio has
        seen.push(yield* look());
        yield* writel(12, r.trx.regs, TRX_REG.CHANNEL); // the refused page is not kept: page 0 channel 12
        seen.push(yield* look());
        yield* writel(2, r.trx.regs, TRX_REG.PAGE);
        yield* writel(12, r.trx.regs, TRX_REG.CHANNEL); // page 2 has channels 0-10: refused, the radio stays on (0, 12)
        seen.push(yield* look());
        yield* writel(5, r.trx.regs, TRX_REG.CHANNEL); // the refused write consumed the selection: page 0 channel 5
        seen.push(yield* look());
      });
    });
    expect(seen).toEqual([
      [0, 11, 1, 0, 11],
      [0, 11, 1, 0, 11],
      [0, 12, 0, 0, 12],
      [0, 12, 1, 0, 12],
      [0, 5, 0, 0, 5],
    ]);
    // the device's own view of the registers agrees
    expect([rig.trx.regs.reg('PAGE').value, rig.trx.regs.reg('CHANNEL').value]).toEqual([0, 5]);
  });

  it('a reset during a transmission clears TX_BUSY at once, raises no TX_DONE for it, and lets the receiver listen again', () => {
    let tx!: Ieee802154Transceiver;
    const after: { busy: number; rxOn: boolean } = { busy: -1, rxOn: false };
    let irqStatusAtEnd = -1;
    run((k, r) => {
      tx = new Ieee802154Transceiver('trx1', r.medium, { irq: 6, position: { x: 0, y: 0 } });
      tx.start(k);
      k.boot('send', function* () {
        yield* tx.writeTxFrame(beaconMpdu(9, 0xffff));
        yield* writel(TRX_TX_START, tx.regs, TRX_REG.TX_CMD);
      });
      k.agent('resetter', function* (): KGen {
        // wait until the frame is on air (after the CSMA-CA backoff the explorer picked and the turnaround)
        while (tx.medium.framesOnAir.length === 0) yield* hw_wait_ns(10_000);
        tx.reset();
        after.busy = (tx.regs.read(TRX_REG.STATUS, 4) as number) & TRX_STATUS_TX_BUSY;
        tx.regs.write(TRX_REG.CTRL, 4, TRX_CTRL_RX_ON);
        after.rxOn = tx.rxOn;
        yield* hw_wait_ns(2_000_000);
        irqStatusAtEnd = tx.regs.read(TRX_REG.IRQ_STATUS, 4) as number;
      }, { daemon: false });
    });
    expect(after).toEqual({ busy: 0, rxOn: true });
    expect(irqStatusAtEnd).toBe(0);
    // the frame the medium already carried still reached its end (the medium cannot cut a frame short)
    expect(tx.txCount).toBe(1);
  });
});
