// scanNetwork(): one simulated `iwpan dev wpan0 scan` over a network of
// coordinators built from this package's MAC (k talking to k), run as one
// execution of the core-sync runtime in strict timing (code takes no virtual
// time, the radio and the timers do). The userspace side is modelled as
// iwpan does it: trigger, listen to the scan multicast group until the done
// message, then the hosts go down.

import { errnoName, explore, msleep, defineScenario, type KGen, type ErrnoName } from '@k/core-sync';
import { RadioMedium, type RadioFrame } from '@k/hw-emu';
import { FIXED_MAC, SEED_MAC } from '../mac/config';
import { IEEE802154_ADDR_LONG } from '../frame/constants';
import {
  NL802154_IFTYPE_COORD, NL802154_SCAN_ACTIVE, NL802154_SCAN_DONE_REASON_ABORTED, NL802154_SCAN_PASSIVE,
  type Nl802154Message,
} from '../mac/defs';
import { nl802154_abort_scan, nl802154_trigger_scan } from '../mac/nl802154';
import { mac802154_send_beacons_locked, mac802154_stop_beacons_locked, type BeaconRequest } from '../mac/beacon';
import { rtnl_lock, rtnl_unlock } from '../mac/kernel';
import { createWpanNode, nl802154_recv, teardownWpanNode, type WpanNode } from './node';
import { parseNetwork, type Network } from './network';
import { WpanScanError } from './errors';

/** Options of one scan (the attributes of `iwpan dev wpan0 scan`). */
export interface ScanOptions {
  /** 'passive' (default) or 'active' (beacon requests; not supported by the seed model: EOPNOTSUPP) */
  readonly type?: 'passive' | 'active';
  /** channel page (default: the scanner's) */
  readonly page?: number;
  /** channels to scan: a list or a bit mask (default: every channel the radio supports on the page) */
  readonly channels?: number | readonly number[];
  /** scan duration order 0..14: each channel for aBaseSuperframeDuration * (2^n + 1) symbols (default 6) */
  readonly duration?: number;
  /** 'fixed' (default): the seed with every fix; 'seed': seed 000 as written */
  readonly model?: 'seed' | 'fixed';
  /** abort the scan this many ms after it starts */
  readonly abortAfterMs?: number;
  /** run with the checker's detectors on (races, lifetimes, lockdep, leaks); violations land in `violation` */
  readonly check?: boolean;
  /** seed of the scheduler (which of two simultaneous things goes first) */
  readonly seed?: number;
  /** CONFIG_HZ (default 250) */
  readonly hz?: number;
  /** interface name for the report (default 'wpan0') */
  readonly ifname?: string;
}

/** A coordinator the scan found (one NL802154_CMD_SCAN_EVENT). */
export interface ScanCoordinator {
  readonly panId: number;
  readonly address: { readonly mode: 'short'; readonly short: number } | { readonly mode: 'extended'; readonly extended: bigint };
  readonly page: number;
  readonly channel: number;
  readonly superframeSpec: number;
  readonly lqi: number;
  readonly gtsPermit: boolean;
  /** virtual ns of the event */
  readonly atNs: number;
}

/** A frame that was on air. */
export interface CapturedFrame {
  readonly startNs: number;
  readonly endNs: number;
  readonly page: number;
  readonly channel: number;
  readonly sender: string;
  /** PSDU with its FCS */
  readonly psdu: Uint8Array;
}

/** What one scan gave. */
export interface ScanResult {
  readonly model: 'seed' | 'fixed';
  readonly type: 'passive' | 'active';
  readonly page: number;
  readonly channels: readonly number[];
  readonly duration: number;
  readonly coordinators: readonly ScanCoordinator[];
  /** the done message: 'finished', 'aborted' (after a successful abort), or 'lost' (none arrived) */
  readonly done: { readonly status: 'finished' | 'aborted' | 'lost'; readonly atNs: number | null };
  /** virtual ns from the trigger to the done message */
  readonly scanNs: number | null;
  /** every frame on air during the run, in order */
  readonly frames: readonly CapturedFrame[];
  /** with `check`: the first violation the detectors found */
  readonly violation: { readonly kind: string; readonly message: string } | null;
}

function invalid(msg: string): WpanScanError {
  return new WpanScanError('invalid-option', msg, 'EINVAL');
}

function channelList(page: number, channels: ScanOptions['channels'], supported: number): number[] {
  let m: number;
  if (channels === undefined) m = supported;
  else if (typeof channels === 'number') {
    if (!Number.isInteger(channels) || channels < 0 || channels >= 2 ** 27) throw invalid(`channels mask 0x${channels.toString(16)} is not a mask of channels 0..26`);
    m = channels;
  } else {
    if (!Array.isArray(channels)) throw invalid('channels must be a list of channel numbers or a bit mask');
    m = 0;
    for (const c of channels) {
      if (!Number.isInteger(c) || c < 0 || c > 26) throw invalid(`channel ${String(c)} is not 0..26`);
      m |= 1 << c;
    }
  }
  const out: number[] = [];
  for (let c = 0; c <= 26; c++) if (m & (1 << c)) out.push(c);
  if (out.length === 0) throw invalid(`no channel to scan on page ${page}`);
  return out;
}

/** Runs one scan over `network` (a NetworkInput: parsed JSON) and returns what iwpan would have seen. */
export function scanNetwork(network: unknown, options: ScanOptions = {}): ScanResult {
  const net: Network = parseNetwork(network);
  const o = options ?? {};
  if (typeof o !== 'object') throw invalid('options must be an object');
  const type = o.type ?? 'passive';
  if (type !== 'passive' && type !== 'active') throw invalid(`scan type must be 'passive' or 'active', got ${JSON.stringify(type)}`);
  const model = o.model ?? 'fixed';
  if (model !== 'seed' && model !== 'fixed') throw invalid(`model must be 'seed' or 'fixed', got ${JSON.stringify(model)}`);
  const page = o.page ?? net.scanner.page;
  if (!Number.isInteger(page) || page < 0 || page > 31) throw invalid(`page must be 0..31, got ${String(page)}`);
  const supported = page === 0 ? 0x7ffffff : page === 2 ? 0x7ff : 0;
  const duration = o.duration ?? 6;
  if (!Number.isInteger(duration) || duration < 0 || duration > 14) throw invalid(`duration must be 0..14, got ${String(duration)}`);
  const channels = channelList(page, o.channels, supported);
  const mask = channels.reduce((m, c) => m | (1 << c), 0);
  if (o.abortAfterMs !== undefined && !(Number.isFinite(o.abortAfterMs) && o.abortAfterMs >= 0)) throw invalid(`abortAfterMs must be a non-negative number, got ${String(o.abortAfterMs)}`);
  const ifname = o.ifname ?? 'wpan0';
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(ifname)) throw invalid(`interface name ${JSON.stringify(ifname)} is not a valid name (1-15 of [A-Za-z0-9_.-])`);
  const cfg = model === 'seed' ? SEED_MAC : FIXED_MAC;

  const frames: CapturedFrame[] = [];
  let ret: number | null = null;
  let abortRet: number | null = null;
  let triggerNs = 0;
  let doneMsg: Nl802154Message | null = null;
  let scanner!: WpanNode;
  const s = defineScenario({
    name: 'wpan-scan-network',
    description: 'one scan over a simulated network',
    variants: { run: { expect: 'holds' } },
    setup(k) {
      const medium = new RadioMedium({
        bitErrorRate: net.medium.bitErrorRate, seed: net.medium.seed,
        onFrame: (f: RadioFrame) => frames.push({ startNs: f.startNs, endNs: f.endNs, page: f.page, channel: f.channel, sender: f.sender, psdu: f.psdu }),
      });
      scanner = createWpanNode(k, {
        name: 'scanner', medium, irq: 10, position: net.scanner.position, txPowerDbm: net.scanner.txPowerDbm, extendedAddr: net.scanner.extendedAddr,
        config: cfg, ifname, page: net.scanner.page, channel: net.scanner.channel, irqCpu: 0,
      });
      const coords = net.coordinators.map((c, i) => {
        const node = createWpanNode(k, {
          name: c.name, medium, irq: 11 + i, position: c.position, txPowerDbm: c.txPowerDbm, extendedAddr: c.extendedAddr, config: FIXED_MAC,
          iftype: NL802154_IFTYPE_COORD, ifname: 'wpan0', panId: c.panId, shortAddr: c.shortAddr ?? 0xfffe, page: c.page, channel: c.channel, irqCpu: 1,
        });
        const req: BeaconRequest = {
          interval: c.beaconOrder, wpan_dev: node.sdata.wpan_dev, wpan_phy: node.local.phy,
          template: {
            superframe_order: c.superframeOrder ?? c.beaconOrder, final_cap_slot: 15, battery_life_ext: false, pan_coordinator: c.panCoordinator,
            assoc_permit: c.assocPermit, gts_permit: c.gtsPermit, source: c.beaconSource ?? (c.shortAddr !== undefined ? 'short' : 'extended'), payload: new Uint8Array(),
          },
        };
        // `iwpan dev wpan0 beacons send interval BO` on the coordinator
        k.spawn(`${c.name}:iwpan-beacons`, function* (): KGen {
          yield* msleep(Math.round(c.startMs ?? i * 5));
          yield* rtnl_lock(node.host);
          yield* mac802154_send_beacons_locked(node.sdata, req);
          yield* rtnl_unlock(node.host);
        }, { cpu: 1 });
        return node;
      });
      // the network is up (every coordinator beaconing) when iwpan runs
      const upMs = Math.max(0, ...net.coordinators.map((c, i) => Math.round(c.startMs ?? i * 5))) + 1;
      k.spawn('iwpan-scan', function* (): KGen {
        yield* msleep(upMs);
        triggerNs = k.now;
        ret = yield* nl802154_trigger_scan(scanner.sdata, { type: type === 'active' ? NL802154_SCAN_ACTIVE : NL802154_SCAN_PASSIVE, page, channels: mask, duration });
        if (ret === 0) {
          const i = yield* nl802154_recv(scanner.local, 0, (m) => m.cmd === 'NL802154_CMD_SCAN_DONE');
          doneMsg = scanner.local.nl.messages[i] ?? null;
        }
        // the network goes down: coordinators stop beaconing, every host is taken down
        for (const node of coords) {
          yield* rtnl_lock(node.host);
          yield* mac802154_stop_beacons_locked(node.local);
          yield* rtnl_unlock(node.host);
        }
        for (const node of [scanner, ...coords]) yield* teardownWpanNode(node);
      }, { cpu: 0 });
      if (o.abortAfterMs !== undefined) {
        // msleep() to the jiffy: the abort comes `after` ms after the trigger, give or take a jiffy
        const after = o.abortAfterMs;
        k.spawn('iwpan-abort', function* (): KGen {
          yield* msleep(upMs + Math.round(after));
          abortRet = yield* nl802154_abort_scan(scanner.sdata);
        }, { cpu: 1 });
      }
    },
  });
  const check = o.check ?? false;
  const r = explore(s, {
    budget: 1, seed: o.seed ?? 1, timing: 'strict', hz: o.hz, maxTime: 3_600e9, maxSteps: 50_000_000,
    detectors: check ? {} : { races: false, lockdep: false, lifetime: false, leaks: false, atomicSleep: false, warnings: false },
  });
  const cx = r.counterexample;
  if (ret === null && cx) throw new WpanScanError('kernel', `the model failed before the scan started: ${cx.kind}: ${cx.message}`, 'EFAULT');
  if (ret !== null && ret !== 0) {
    const name = (errnoName(ret) ?? 'EINVAL') as ErrnoName;
    throw new WpanScanError('kernel', `the kernel refused the scan: ${name}${ret === -95 ? ` (the ${model} model does not support ${type} scans)` : ''}`, name);
  }
  const msgs = scanner.local.nl.messages;
  const coordinators: ScanCoordinator[] = msgs.filter((m) => m.cmd === 'NL802154_CMD_SCAN_EVENT').map((m) => {
    const c = m.coordinator!;
    return {
      panId: c.pan_id,
      address: c.addr.mode === IEEE802154_ADDR_LONG ? { mode: 'extended', extended: c.addr.extended_addr ?? 0n } : { mode: 'short', short: c.addr.short_addr ?? 0 },
      page: c.page, channel: c.channel, superframeSpec: c.superframe_spec, lqi: c.link_quality, gtsPermit: c.gts_permit, atNs: m.atNs,
    };
  });
  const done = doneMsg as Nl802154Message | null;
  const aborted = done !== null && (done.reason === NL802154_SCAN_DONE_REASON_ABORTED || (done.reason === undefined && abortRet === 0));
  return {
    model, type, page, channels, duration, coordinators,
    done: { status: done === null ? 'lost' : aborted ? 'aborted' : 'finished', atNs: done === null ? null : done.atNs },
    scanNs: done === null ? null : done.atNs - triggerNs,
    frames,
    violation: cx ? { kind: cx.kind, message: cx.message } : null,
  };
}
