// README example (IEEE 802.15.4 radio). Run: npx tsx examples/radio.ts (after a build).
/* eslint-disable @typescript-eslint/no-unused-expressions -- each bare expression shows a value */
import { IRQ_HANDLED, defineScenario, explore, msleep, request_irq, type KGen } from '@k/core-sync';
import {
  BeaconNode, Ieee802154Transceiver, LINKTYPE_IEEE802_15_4_WITHFCS, PcapWriter, RadioMedium, TRX_CTRL_AUTO_CRC_CHECK, TRX_CTRL_RX_ON,
  TRX_IRQ_RX_DONE, TRX_REG, TRX_STATUS_BAD_CHANNEL, beaconIntervalNs, frameAirtimeNs, ieee802154_configure_durations, linkQuality, phyMode,
  readl, readPcap, scanDurationNs, symbolDurationNs, writel, type TrxRxFrame,
} from '@k/hw-emu';

// The PHY in numbers: page 0 channel 11 is 2450 MHz O-QPSK, 62.5 ksymbol/s.
phyMode(0, 11)?.name;                   // => '2450MHz O-QPSK'
symbolDurationNs(0, 11);                // => 16_000
frameAirtimeNs(0, 11, 127);             // => 4_256_000
beaconIntervalNs(0, 11, 0);             // => 15_360_000
scanDurationNs(0, 11, 3);               // => 138_240_000
linkQuality({ page: 0, channel: 11, distanceM: 10, txPowerDbm: 0 });  // => { received: true, lqi: 150 }
const phy = { symbol_duration: 0, lifs_period: 0, sifs_period: 0 };
ieee802154_configure_durations(phy, 0, 11);          // the kernel from 5.18 to v6.10 ...
phy;                                    // => { symbol_duration: 16000, lifs_period: 0, sifs_period: 0 }
ieee802154_configure_durations(phy, 0, 11, { lifsSifs: 'fixed' });   // ... and after the fix
phy;                                    // => { symbol_duration: 16000, lifs_period: 640, sifs_period: 192 }

// A coordinator beacons every 15.36 ms (BO 0) on channel 11; a transceiver 10 m away listens,
// and its driver drains the receive buffer on each RX_DONE interrupt. Every frame on air is captured.
const beacon = Uint8Array.of(0x00, 0x80, 0, 0x34, 0x12, 0x01, 0x00, 0xff, 0xcf, 0x00, 0x00);  // MPDU without FCS
const capture = new PcapWriter({ linktype: LINKTYPE_IEEE802_15_4_WITHFCS });
const got: TrxRxFrame[] = [];
const scenario = defineScenario({
  name: 'beacons',
  description: 'three beacons to one listening transceiver',
  variants: { only: { expect: 'holds' } },
  defaults: { timing: 'strict' },
  setup(k) {
    const medium = new RadioMedium({ onFrame: (f) => void capture.write({ timestampNs: f.startNs, data: f.psdu }) });
    const trx = new Ieee802154Transceiver('trx0', medium, { irq: 5, position: { x: 10, y: 0 } });
    trx.start(k);                       // probes it and starts its transmitter agent
    new BeaconNode(medium, {
      name: 'coord', position: { x: 0, y: 0 }, txPowerDbm: 0, page: 0, channel: 11, beaconOrder: 0, superframeOrder: 0,
      frame: (seq) => beacon.map((b, i) => (i === 2 ? seq : b)), count: 3,
    }).start(k);
    k.boot('probe', function* () {
      yield* request_irq(5, function* (): KGen<number> {
        yield* writel(yield* readl(trx.regs, TRX_REG.IRQ_STATUS), trx.regs, TRX_REG.IRQ_STATUS);
        for (let f = yield* trx.readRxFrame(); f; f = yield* trx.readRxFrame()) got.push(f);
        return IRQ_HANDLED;
      }, 0, 'trx0', trx);
      yield* writel(TRX_IRQ_RX_DONE, trx.regs, TRX_REG.IRQ_MASK);
      yield* writel(TRX_CTRL_RX_ON | TRX_CTRL_AUTO_CRC_CHECK, trx.regs, TRX_REG.CTRL);
    });
    // the radio's agents are daemons: a task keeps the execution alive for 40 ms
    k.spawn('keepalive', () => msleep(40));
  },
});
explore(scenario, { budget: 1 }).verdict;  // => 'holds'
got.map((f) => [f.psdu[2], f.atNs, f.lqi, f.fcsOk]);  // => [[0, 608_000, 150, true], [1, 15_968_000, 150, true], [2, 31_328_000, 150, true]]
const pcap = readPcap(capture.bytes());
pcap.ok && pcap.value.records.map((r) => r.timestampNs);  // => [0n, 15_360_000n, 30_720_000n]

// Page and channel change together (mac802154's set_channel(hw, page, channel)): PAGE selects, CHANNEL tunes.
const tuning = defineScenario({
  name: 'set-channel',
  description: 'a driver tunes page 2 channel 5, then asks for a channel the radio does not have',
  variants: { only: { expect: 'holds' } },
  setup(k) {
    const trx = new Ieee802154Transceiver('trx1', new RadioMedium(), { irq: 6, position: { x: 0, y: 0 } });
    trx.probe();
    k.spawn('driver', function* () {
      yield* writel(2, trx.regs, TRX_REG.PAGE);        // selects page 2: no retune yet
      [trx.page, trx.channel];                         // => [0, 11]
      yield* writel(5, trx.regs, TRX_REG.CHANNEL);     // tunes page 2 channel 5 in one step
      [trx.page, trx.channel];                         // => [2, 5]
      yield* writel(27, trx.regs, TRX_REG.CHANNEL);    // refused: no page has a channel 27
      (yield* readl(trx.regs, TRX_REG.STATUS)) & TRX_STATUS_BAD_CHANNEL;  // => TRX_STATUS_BAD_CHANNEL
      yield* readl(trx.regs, TRX_REG.CHANNEL);         // => 5
    });
  },
});
explore(tuning, { budget: 1 }).verdict; // => 'holds'
