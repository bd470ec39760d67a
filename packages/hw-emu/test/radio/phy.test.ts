import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PhyError,
  aBaseSuperframeDuration,
  beaconIntervalNs,
  beaconIntervalSymbols,
  channelCenterFrequencyKHz,
  frameAirtimeNs,
  frameDurationSymbols,
  ieee802154_configure_durations,
  linkQuality,
  maxFrameDurationSymbols,
  maxRangeM,
  pathLossDb,
  phyMode,
  phyModes,
  scanDurationNs,
  scanDurationSymbols,
  shrDurationSymbols,
  slotDurationSymbols,
  superframeDurationNs,
  superframeDurationSymbols,
  symbolDurationNs,
  type WpanPhyDurations,
} from '../../src/index';

function phyErrorOf(f: () => unknown): PhyError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PhyError);
    return e as PhyError;
  }
  throw new Error('expected a PhyError');
}

describe('pages and channels (802.15.4-2006 6.1)', () => {
  it('maps page 0 to 868 MHz BPSK 20 kb/s, 915 MHz BPSK 40 kb/s and 2.4 GHz O-QPSK 250 kb/s', () => {
    expect(phyMode(0, 0)).toMatchObject({ band: '868MHz', modulation: 'BPSK', bitRate: 20_000, symbolDurationNs: 50_000 });
    for (let ch = 1; ch <= 10; ch++) {
      expect(phyMode(0, ch)).toMatchObject({ band: '915MHz', modulation: 'BPSK', bitRate: 40_000, symbolDurationNs: 25_000 });
    }
    for (let ch = 11; ch <= 26; ch++) {
      expect(phyMode(0, ch)).toMatchObject({ band: '2450MHz', modulation: 'O-QPSK', bitRate: 250_000, symbolDurationNs: 16_000 });
    }
    expect(phyMode(0, 27)).toBeUndefined();
  });

  it('maps pages 1 (ASK) and 2 (O-QPSK) of the sub-GHz bands', () => {
    expect(phyMode(1, 0)).toMatchObject({ modulation: 'ASK', bitRate: 250_000, symbolDurationNs: 80_000 });
    expect(phyMode(1, 5)).toMatchObject({ modulation: 'ASK', bitRate: 250_000, symbolDurationNs: 20_000 });
    expect(phyMode(2, 0)).toMatchObject({ modulation: 'O-QPSK', bitRate: 100_000, symbolDurationNs: 40_000 });
    expect(phyMode(2, 10)).toMatchObject({ modulation: 'O-QPSK', bitRate: 250_000, symbolDurationNs: 16_000 });
    expect(phyMode(2, 11)).toBeUndefined();
  });

  it('gives symbol rate * bits per symbol = bit rate for every mode', () => {
    for (const m of phyModes()) {
      // bits per octet over symbols per octet = bits per symbol
      const bitsPerSymbol = (8 * m.symbolsPerOctet.den) / m.symbolsPerOctet.num;
      expect((bitsPerSymbol * 1e9) / m.symbolDurationNs).toBeCloseTo(m.bitRate, 6);
    }
  });

  it('places channels at 868.3 MHz, 906 + 2(k-1) MHz and 2405 + 5(k-11) MHz', () => {
    expect(channelCenterFrequencyKHz(0, 0)).toBe(868_300);
    expect(channelCenterFrequencyKHz(0, 1)).toBe(906_000);
    expect(channelCenterFrequencyKHz(2, 10)).toBe(924_000);
    expect(channelCenterFrequencyKHz(0, 11)).toBe(2_405_000);
    expect(channelCenterFrequencyKHz(0, 26)).toBe(2_480_000);
  });

  it('rejects channels and pages it does not model with a typed error', () => {
    expect(phyErrorOf(() => channelCenterFrequencyKHz(0, 27)).kind).toBe('invalid-channel');
    expect(phyErrorOf(() => phyMode(32, 0)).kind).toBe('invalid-argument');
    expect(phyErrorOf(() => phyMode(0, 1.5)).kind).toBe('invalid-argument');
    expect(phyErrorOf(() => frameAirtimeNs(3, 0, 10)).kind).toBe('unsupported-phy');
    expect(phyErrorOf(() => frameAirtimeNs(0, 11, 128)).kind).toBe('invalid-argument');
  });
});

describe('symbol durations as the kernel stores them (ieee802154_configure_durations)', () => {
  it('uses nanoseconds: 50000, 25000, 16000 on page 0; 40000, 16000 on page 2; 6000 on page 3', () => {
    expect([0, 1, 10, 11, 26].map((ch) => symbolDurationNs(0, ch))).toEqual([50_000, 25_000, 25_000, 16_000, 16_000]);
    expect([0, 1, 10].map((ch) => symbolDurationNs(2, ch))).toEqual([40_000, 16_000, 16_000]);
    expect([0, 13].map((ch) => symbolDurationNs(3, ch))).toEqual([6_000, 6_000]);
  });

  it('knows no duration for page 1, pages above 3 and channels outside the masks', () => {
    expect(symbolDurationNs(1, 0)).toBe(0);
    expect(symbolDurationNs(4, 0)).toBe(0);
    expect(symbolDurationNs(0, 27)).toBe(0);
    expect(symbolDurationNs(2, 11)).toBe(0);
    expect(symbolDurationNs(3, 14)).toBe(0);
    expect(symbolDurationNs(0, 200)).toBe(0);
  });

  it('agrees with the standard symbol period wherever the kernel knows the PHY', () => {
    for (const m of phyModes()) {
      for (let ch = m.channels[0]; ch <= m.channels[1]; ch++) {
        const k = symbolDurationNs(m.page, ch);
        if (k) expect(k).toBe(m.symbolDurationNs);
      }
    }
  });

  it('sets lifs/sifs to 0 as the seed-era kernel did (NSEC_PER_SEC), or to 640/192 us with the v6.10 fix', () => {
    const phy: WpanPhyDurations = { symbol_duration: 0, lifs_period: 999, sifs_period: 999 };
    expect(ieee802154_configure_durations(phy, 0, 11)).toBe(true);
    expect(phy).toEqual({ symbol_duration: 16_000, lifs_period: 0, sifs_period: 0 });
    ieee802154_configure_durations(phy, 0, 0, { lifsSifs: 'fixed' });
    expect(phy).toEqual({ symbol_duration: 50_000, lifs_period: 2000, sifs_period: 600 });
    ieee802154_configure_durations(phy, 0, 20, { lifsSifs: 'fixed' });
    expect(phy).toEqual({ symbol_duration: 16_000, lifs_period: 640, sifs_period: 192 });
  });

  it('leaves the phy untouched for a PHY the kernel does not know', () => {
    const phy: WpanPhyDurations = { symbol_duration: 16_000, lifs_period: 640, sifs_period: 192 };
    expect(ieee802154_configure_durations(phy, 1, 0)).toBe(false);
    expect(phy).toEqual({ symbol_duration: 16_000, lifs_period: 640, sifs_period: 192 });
  });
});

describe('frame airtime (2006 6.3, Table 23)', () => {
  it('has the standard phySHRDuration: 40 BPSK, 3 and 7 ASK, 10 O-QPSK', () => {
    expect([shrDurationSymbols(0, 0), shrDurationSymbols(1, 0), shrDurationSymbols(1, 1), shrDurationSymbols(0, 11)]).toEqual([40, 3, 7, 10]);
  });

  it('has the standard phyMaxFrameDuration: 1064 BPSK, 55 and 212 ASK, 266 O-QPSK', () => {
    expect([maxFrameDurationSymbols(0, 0), maxFrameDurationSymbols(0, 5), maxFrameDurationSymbols(1, 0), maxFrameDurationSymbols(1, 5), maxFrameDurationSymbols(0, 11), maxFrameDurationSymbols(2, 0)]).toEqual([
      1064, 1064, 55, 212, 266, 266,
    ]);
  });

  it('takes 4.256 ms for a 127-octet PSDU at 2.4 GHz (133 octets at 250 kb/s)', () => {
    expect(frameAirtimeNs(0, 11, 127)).toBe(4_256_000);
    expect(frameAirtimeNs(0, 11, 127)).toBe((127 + 6) * 8 * 4000);
  });

  it('takes 352 us for an imm-ack (5 octets) at 2.4 GHz and 4.4 ms at 868 MHz BPSK (11 octets at 20 kb/s)', () => {
    expect(frameAirtimeNs(0, 11, 5)).toBe(352_000);
    expect(frameAirtimeNs(0, 0, 5)).toBe(4_400_000);
  });

  it('sends an ASK octet in 32 us on both bands (250 kb/s)', () => {
    expect(frameAirtimeNs(1, 0, 11) - frameAirtimeNs(1, 0, 10)).toBe(32_000);
    expect(frameAirtimeNs(1, 3, 11) - frameAirtimeNs(1, 3, 10)).toBe(32_000);
  });

  it('never gives fewer whole symbols than the airtime in symbols', () => {
    fc.assert(
      fc.property(fc.constantFrom(...phyModes().filter((m) => m.modulation !== 'CSS')), fc.integer({ min: 0, max: 127 }), (m, len) => {
        const ch = m.channels[0];
        const sym = frameDurationSymbols(m.page, ch, len);
        const ns = frameAirtimeNs(m.page, ch, len);
        return sym * m.symbolDurationNs >= ns && (sym - 1) * m.symbolDurationNs < ns;
      }),
      { seed: 802154, numRuns: 200 },
    );
  });
});

describe('superframe timing (2006 7.5.1.1, 7.5.2.1)', () => {
  it('has aBaseSuperframeDuration = 960 symbols', () => {
    expect(aBaseSuperframeDuration).toBe(960);
  });

  it('gives BI = 960 * 2^BO symbols, 15.36 ms at BO 0 and 251.65824 s at BO 14 on 2.4 GHz', () => {
    expect(beaconIntervalSymbols(0)).toBe(960);
    expect(beaconIntervalSymbols(14)).toBe(960 * 16384);
    expect(beaconIntervalNs(0, 11, 0)).toBe(15_360_000);
    expect(beaconIntervalNs(0, 11, 14)).toBe(251_658_240_000);
    expect(beaconIntervalNs(0, 0, 0)).toBe(48_000_000);
  });

  it('gives no beacon interval and no superframe for order 15', () => {
    expect(beaconIntervalSymbols(15)).toBeNull();
    expect(superframeDurationSymbols(15)).toBeNull();
    expect(beaconIntervalNs(0, 11, 15)).toBeNull();
    expect(phyErrorOf(() => beaconIntervalSymbols(16)).kind).toBe('invalid-argument');
  });

  it('gives SD = 960 * 2^SO symbols and 16 slots of 60 * 2^SO symbols', () => {
    expect(superframeDurationSymbols(3)).toBe(7680);
    expect(slotDurationSymbols(3)).toBe(480);
    expect(superframeDurationNs(0, 11, 0)).toBe(15_360_000);
  });

  it('dwells aBaseSuperframeDuration * (2^n + 1) symbols per scanned channel', () => {
    expect(scanDurationSymbols(0)).toBe(1920);
    expect(scanDurationSymbols(3)).toBe(8640);
    expect(scanDurationNs(0, 11, 3)).toBe(138_240_000);
    expect(scanDurationNs(0, 0, 0)).toBe(96_000_000);
    expect(phyErrorOf(() => scanDurationSymbols(15)).kind).toBe('invalid-argument');
  });
});

describe('link model', () => {
  it('follows the two-segment indoor model at 2450 MHz: 40.2 + 20 log10(d) to 8 m, 58.5 + 33 log10(d/8) beyond', () => {
    for (const d of [1, 2, 4, 8]) expect(Math.abs(pathLossDb(0, 20, d) - (40.2 + 20 * Math.log10(d)))).toBeLessThan(0.1);
    for (const d of [10, 20, 50, 100]) expect(Math.abs(pathLossDb(0, 20, d) - (58.5 + 33 * Math.log10(d / 8)))).toBeLessThan(0.3);
  });

  it('pins the LQI of a 0 dBm link at 2405 MHz', () => {
    expect([1, 5, 8, 10, 30, 50, 100].map((d) => linkQuality({ page: 0, channel: 11, distanceM: d, txPowerDbm: 0 }).lqi)).toEqual([
      255, 197, 171, 150, 50, 3, 0,
    ]);
    expect(linkQuality({ page: 0, channel: 11, distanceM: 100, txPowerDbm: 0 })).toMatchObject({ received: false, rxPowerDbm: -94.33 });
  });

  it('receives down to the standard sensitivity: -85 dBm O-QPSK, -92 dBm BPSK', () => {
    expect(linkQuality({ page: 0, channel: 11, distanceM: 1, txPowerDbm: 0 }).sensitivityDbm).toBe(-85);
    expect(linkQuality({ page: 0, channel: 3, distanceM: 1, txPowerDbm: 0 }).sensitivityDbm).toBe(-92);
  });

  it('never raises LQI with distance, stays in 0..255, and receives exactly within maxRangeM', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 5, 11, 18, 26),
        fc.double({ min: 0.1, max: 500, noNaN: true }),
        fc.double({ min: 0.1, max: 500, noNaN: true }),
        fc.integer({ min: -20, max: 10 }),
        (channel, a, b, tx) => {
          const [near, far] = a <= b ? [a, b] : [b, a];
          const qn = linkQuality({ page: 0, channel, distanceM: near, txPowerDbm: tx });
          const qf = linkQuality({ page: 0, channel, distanceM: far, txPowerDbm: tx });
          const range = maxRangeM(0, channel, tx);
          const clearlyIn = far < range * 0.999;
          const clearlyOut = far > range * 1.001;
          return qf.lqi <= qn.lqi && qf.lqi >= 0 && qn.lqi <= 255 && (!clearlyIn || qf.received) && (!clearlyOut || !qf.received);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('rejects a non-positive distance or a non-finite power with a typed error', () => {
    expect(phyErrorOf(() => linkQuality({ page: 0, channel: 11, distanceM: 0, txPowerDbm: 0 })).kind).toBe('invalid-argument');
    expect(phyErrorOf(() => linkQuality({ page: 0, channel: 11, distanceM: 1, txPowerDbm: NaN })).kind).toBe('invalid-argument');
  });
});
