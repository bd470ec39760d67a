import { describe, expect, it } from 'vitest';
import {
  EBUSY, EINVAL, ENETDOWN, ENODEV, EOPNOTSUPP, EPERM, ESRCH, MAX_JIFFY_OFFSET, defineScenario, delete_module, explore, module_refcount, msleep,
  type KGen, type World,
} from '@k/core-sync';
import { linkQuality, scanDurationNs } from '@k/hw-emu';
import {
  FIXED_MAC, IEEE802154_IS_SCANNING, NL802154_IFTYPE_MONITOR, NL802154_SCAN_ACTIVE, NL802154_SCAN_ED, NL802154_SCAN_PASSIVE, SEED_MAC,
  buildScanWorld, dev_close, ieee802154_if_add, mac802154_scan_get_channel_time, macWithFixes, nl802154_abort_scan, nl802154_recv,
  nl802154_set_channel, nl802154_trigger_scan, teardownWpanNode, type CoordSpec, type MacConfig, type Nl802154Message, type ScanWorld,
} from '../../src/index';

const C11: CoordSpec = { name: 'c11', channel: 11, panId: 0x1234, shortAddr: 0x0042, beaconOrder: 0, superframeOrder: 0, firstBeaconNs: 2_000_000, gtsPermit: true, position: { x: 10, y: 0 } };

/** One execution in strict timing; `body` is the userspace task. */
function run(config: MacConfig, coords: readonly CoordSpec[], body: (w: ScanWorld, k: World) => KGen, medium: { bitErrorRate?: number; mediumSeed?: number } = {}): ScanWorld {
  let w!: ScanWorld;
  const r = explore(defineScenario({
    name: 'mac',
    description: '',
    variants: { only: { expect: 'holds' } },
    defaults: { timing: 'strict', maxTime: 30e9 },
    setup(k) {
      w = buildScanWorld(k, { config, coords: coords.map((c) => ({ ...c, count: c.count ?? 30 })), ...medium });
      k.spawn('user', () => body(w, k), { cpu: 1 });
    },
  }), { budget: 1 });
  if (r.counterexample) throw new Error(`${r.counterexample.kind}: ${r.counterexample.message}`);
  return w;
}

const passive = (channels: number[], duration = 0) => ({ type: NL802154_SCAN_PASSIVE, page: 0, channels: channels.reduce((m, c) => m | (1 << c), 0), duration });
const isDone = (m: Nl802154Message) => m.cmd === 'NL802154_CMD_SCAN_DONE';
const events = (w: ScanWorld) => w.scanner.local.nl.messages.filter((m) => m.cmd === 'NL802154_CMD_SCAN_EVENT');

describe('mac802154_scan_get_channel_time', () => {
  it('truncates the ns symbol duration to a u8 read as us in the seed (16000 ns is 128 us: 8x too long at 2.4 GHz)', () => {
    // aBaseSuperframeDuration x (2^0 + 1) = 1920 symbols: 245760 us in the seed, 62 jiffies at HZ 250
    expect(mac802154_scan_get_channel_time(0, 16_000, false, 250)).toBe(62);
    expect(mac802154_scan_get_channel_time(0, 16_000, true, 250)).toBe(8);
    expect(mac802154_scan_get_channel_time(3, 16_000, true, 1000)).toBe(Math.ceil(scanDurationNs(0, 11, 3) / 1e6));
  });
  it('lets usecs_to_jiffies() truncate the u64 product to its unsigned int (915 MHz, duration 14)', () => {
    // 25000 ns -> 168 "us": 168 * 960 * 16385 > 2^31, which usecs_to_jiffies maps to MAX_JIFFY_OFFSET
    expect(mac802154_scan_get_channel_time(14, 25_000, false, 250)).toBe(MAX_JIFFY_OFFSET);
    expect(mac802154_scan_get_channel_time(14, 25_000, true, 250)).toBe(Math.ceil(scanDurationNs(0, 1, 14) / 4e6));
  });
});

describe('the nl802154 and cfg802154 entry points', () => {
  it('refuses a second scan with -EBUSY, unsupported types with -EOPNOTSUPP, bad attributes with -EINVAL', () => {
    const got: number[] = [];
    run(SEED_MAC, [], function* (w) {
      const sd = w.scanner.sdata;
      got.push(yield* nl802154_trigger_scan(sd, { type: NL802154_SCAN_ACTIVE, channels: 1 << 11, duration: 0 }));
      got.push(yield* nl802154_trigger_scan(sd, { type: NL802154_SCAN_ED, channels: 1 << 11, duration: 0 }));
      got.push(yield* nl802154_trigger_scan(sd, { type: 99 }));
      got.push(yield* nl802154_trigger_scan(sd, { type: NL802154_SCAN_PASSIVE, page: 32 }));
      got.push(yield* nl802154_trigger_scan(sd, { type: NL802154_SCAN_PASSIVE, channels: 1 << 27 }));
      got.push(yield* nl802154_trigger_scan(sd, { type: NL802154_SCAN_PASSIVE, duration: 15 }));
      got.push(yield* nl802154_trigger_scan(sd, passive([11])));
      got.push(yield* nl802154_trigger_scan(sd, passive([12])));
      yield* nl802154_recv(w.scanner.local, 0, isDone);
      got.push(yield* nl802154_abort_scan(sd));
    });
    expect(got).toEqual([-EOPNOTSUPP, -EOPNOTSUPP, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, -EBUSY, -ESRCH]);
  });

  it('refuses a scan with -ENODEV while the driver module is being removed, and leaves nothing held', () => {
    let ret = 0;
    const w = run(SEED_MAC, [], function* (w) {
      yield* delete_module(w.scanner.host.driverModule);
      ret = yield* nl802154_trigger_scan(w.scanner.sdata, passive([11]));
    });
    expect(ret).toBe(-ENODEV);
    expect(w.scanner.local.ongoing.peek() & (1 << IEEE802154_IS_SCANNING)).toBe(0);
    expect(w.scanner.local.phy.hold_txs.peek()).toBe(0);
  });

  it('refuses scans on a monitor (-EPERM) and on an interface that is down (-ENETDOWN)', () => {
    const got: number[] = [];
    run(FIXED_MAC, [], function* (w) {
      const mon = ieee802154_if_add(w.scanner.local, { name: 'monitor0', iftype: NL802154_IFTYPE_MONITOR, extended_addr: 1n });
      mon.dev.up = true;
      got.push(yield* nl802154_trigger_scan(mon, passive([11])));
      yield* dev_close(w.scanner.sdata);
      got.push(yield* nl802154_trigger_scan(w.scanner.sdata, passive([11])));
    });
    expect(got).toEqual([-EPERM, -ENETDOWN]);
  });

  it('refuses a channel change with -EBUSY while scanning and restores the channel after the scan', () => {
    const got: number[] = [];
    const w = run(FIXED_MAC, [], function* (w) {
      yield* nl802154_trigger_scan(w.scanner.sdata, passive([12, 13]));
      yield* msleep(10);
      got.push(yield* nl802154_set_channel(w.scanner.sdata, 0, 20));
      got.push(yield* nl802154_set_channel(w.scanner.sdata, 0, 27));
      yield* nl802154_recv(w.scanner.local, 0, isDone);
      got.push(w.scanner.trx.channel);
      got.push(yield* nl802154_set_channel(w.scanner.sdata, 0, 20));
    });
    expect(got).toEqual([-EBUSY, -EINVAL, 11, 0]);
    expect(w.scanner.trx.channel).toBe(20);
    expect(w.scanner.trx.tuneLog.map((t) => t.channel).filter((c, i, a) => i === 0 || a[i - 1] !== c)).toEqual([11, 12, 13, 11, 20]);
  });

  it('aborts a running scan when the interface is closed, with one done message', () => {
    const w = run(FIXED_MAC, [], function* (w) {
      yield* nl802154_trigger_scan(w.scanner.sdata, passive([12, 13, 14]));
      yield* msleep(10);
      yield* dev_close(w.scanner.sdata);
    });
    const done = w.scanner.local.nl.messages.filter(isDone);
    expect(done).toHaveLength(1);
    expect(done[0]!.reason).toBe(2); // NL802154_SCAN_DONE_REASON_ABORTED (later kernels' attribute)
    expect(module_refcount(w.scanner.host.driverModule)).toBe(0);
  });
});

describe('a passive scan', () => {
  for (const config of [FIXED_MAC, macWithFixes(['scan-req-lifetime', 'rx-beacon-lock', 'rx-beacon-worker-loop'])]) {
    it(`reports a coordinator once with its page, channel, LQI, superframe spec and GTS permit (${config.model}: ${[...config.fixes].length} fixes)`, () => {
      const w = run(config, [C11, { ...C11, name: 'c12', channel: 12, panId: 0x9999, shortAddr: undefined, extendedAddr: 0x00124b000a0b0c0dn, gtsPermit: false, firstBeaconNs: 5_000_000 }], function* (w) {
        yield* nl802154_trigger_scan(w.scanner.sdata, passive([11, 12, 13], 1));
        yield* nl802154_recv(w.scanner.local, 0, isDone);
        yield* teardownWpanNode(w.scanner);
      });
      const ev = events(w).map((m) => m.coordinator!);
      expect(ev).toHaveLength(2);
      expect(ev[0]).toEqual({
        pan_id: 0x1234, addr: { mode: 2, short_addr: 0x42 }, page: 0, channel: 11, superframe_spec: 0xcf00,
        link_quality: linkQuality({ page: 0, channel: 11, distanceM: 10, txPowerDbm: 0 }).lqi, gts_permit: true,
      });
      expect(ev[1]).toMatchObject({ pan_id: 0x9999, addr: { mode: 3, extended_addr: 0x00124b000a0b0c0dn }, channel: 12, gts_permit: false });
      // many beacons were received, each coordinator reported once
      expect(w.scanner.trx.rxLog.filter((e) => e.fate === 'fifo').length).toBeGreaterThan(4);
    });
  }

  it('drops frames with a bad FCS in software while scanning (the radio is promiscuous)', () => {
    const w = run(FIXED_MAC, [C11], function* (w) {
      yield* nl802154_trigger_scan(w.scanner.sdata, passive([11], 2));
      yield* nl802154_recv(w.scanner.local, 0, isDone);
      yield* teardownWpanNode(w.scanner);
    });
    expect(events(w)).toHaveLength(1);
    expect(w.scanner.local.ghost.fcsDrops).toBe(0);
    // now with bit errors on the air
    const bad = run(FIXED_MAC, [{ ...C11, count: 12 }], function* (w) {
      yield* nl802154_trigger_scan(w.scanner.sdata, passive([11], 2));
      yield* nl802154_recv(w.scanner.local, 0, isDone);
      yield* teardownWpanNode(w.scanner);
    }, { bitErrorRate: 0.004, mediumSeed: 3 });
    expect(bad.scanner.local.ghost.fcsDrops).toBeGreaterThan(0);
    expect(bad.scanner.local.ghost.fcsDrops).toBe(bad.scanner.trx.rxLog.filter((e) => e.fate === 'fifo' && !e.fcsOk).length);
  });

  it('leaves the radio promiscuous after the scan in the seed, and restores it with the fix', () => {
    const scan = (config: MacConfig) => run(config, [], function* (w) {
      yield* nl802154_trigger_scan(w.scanner.sdata, passive([11]));
      yield* nl802154_recv(w.scanner.local, 0, isDone);
    });
    expect(scan(SEED_MAC).scanner.trx.promiscuous).toBe(true);
    expect(scan(macWithFixes(['promiscuous-restore'])).scanner.trx.promiscuous).toBe(false);
  });

  it('dwells on each channel for aBaseSuperframeDuration x (2^n + 1) symbols with the fix, 8x longer in the seed', () => {
    const dwells = (config: MacConfig) => run(config, [], function* (w) {
      yield* nl802154_trigger_scan(w.scanner.sdata, passive([11, 12], 1));
      yield* nl802154_recv(w.scanner.local, 0, isDone);
    }).scanner.local.ghost.dwells.map((d) => (d.endNs ?? 0) - d.startNs);
    const spec = scanDurationNs(0, 11, 1);
    for (const d of dwells(FIXED_MAC)) expect(Math.abs(d - spec)).toBeLessThan(4e6);
    for (const d of dwells(SEED_MAC)) expect(Math.round(d / spec)).toBe(8);
  });
});
