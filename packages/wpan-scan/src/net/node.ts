// A simulated 802.15.4 host: its own kernel (RTNL, driver module), an
// Ieee802154Transceiver of @k/hw-emu on the shared medium, the ktrx driver
// and the mac802154 model with one interface, probed and opened at setup
// time (module init and `ip link set wpan0 up` before the concurrent part).

import { wait_event, wait_event_timeout, type KGen, type World } from '@k/core-sync';
import { Ieee802154Transceiver, type RadioMedium, type RadioPosition } from '@k/hw-emu';
import { ktrx_alloc_priv, ktrx_ops, ktrx_probe, type ktrx_priv } from '../driver/ktrx';
import type { MacConfig } from '../mac/config';
import { NL802154_IFTYPE_NODE, type Nl802154Message, type ieee802154_local, type ieee802154_sub_if_data } from '../mac/defs';
import { dev_close, dev_open, ieee802154_if_add } from '../mac/iface';
import { Host } from '../mac/kernel';
import { ieee802154_alloc_hw, ieee802154_register_hw, ieee802154_unregister_hw } from '../mac/main';

/** Channel masks the ktrx radio supports: page 0 channels 0-26, page 2 channels 0-10. */
export const KTRX_CHANNELS: Readonly<Record<number, number>> = { 0: 0x7ffffff, 2: 0x7ff };

export interface WpanNodeOptions {
  /** host name (also names the phy and its locks) */
  readonly name: string;
  readonly medium: RadioMedium;
  readonly irq: number;
  readonly position: RadioPosition;
  readonly txPowerDbm?: number;
  readonly extendedAddr: bigint;
  readonly config: MacConfig;
  readonly iftype?: number;
  readonly ifname?: string;
  readonly panId?: number;
  readonly shortAddr?: number;
  /** the interface's page and channel (default 0/11) */
  readonly page?: number;
  readonly channel?: number;
  /** the MAC checks the FCS in software (IEEE802154_HW_RX_DROP_BAD_CKSUM) */
  readonly softwareFcs?: boolean;
  readonly irqCpu?: number;
}

/** One host on the air. */
export interface WpanNode {
  readonly host: Host;
  readonly trx: Ieee802154Transceiver;
  readonly priv: ktrx_priv;
  readonly local: ieee802154_local;
  readonly sdata: ieee802154_sub_if_data;
}

/** Builds, probes and opens a host (setup time). */
export function createWpanNode(k: World, o: WpanNodeOptions): WpanNode {
  const host = new Host(o.name);
  const page = o.page ?? 0;
  const channel = o.channel ?? 11;
  const trx = new Ieee802154Transceiver(`${o.name}:trx`, o.medium, {
    irq: o.irq, position: o.position, txPowerDbm: o.txPowerDbm ?? 0, extendedAddr: o.extendedAddr, page, channel,
  });
  trx.start(k);
  const priv = ktrx_alloc_priv(trx, o.irq, { softwareFcs: o.softwareFcs });
  const local = ieee802154_alloc_hw(priv, ktrx_ops, { host, config: o.config, name: `${o.name}:phy0`, channels: KTRX_CHANNELS, page, channel });
  ieee802154_register_hw(local.hw, local);
  const sdata = ieee802154_if_add(local, {
    name: o.ifname ?? 'wpan0', iftype: o.iftype ?? NL802154_IFTYPE_NODE, extended_addr: o.extendedAddr, pan_id: o.panId, short_addr: o.shortAddr,
  });
  k.boot(`${o.name}:probe`, function* () {
    const r = yield* ktrx_probe(local.hw, local, { softwareFcs: o.softwareFcs, irqCpu: o.irqCpu });
    if (r) throw new Error(`${o.name}: ktrx_probe failed (${r})`);
    const up = yield* dev_open(sdata);
    if (up) throw new Error(`${o.name}: dev_open failed (${up})`);
  });
  return { host, trx, priv, local, sdata };
}

/**
 * Waits for the next message of the host's nl802154 scan group after `from`
 * that `match`es (a listening socket); returns its index, or -1 when
 * `timeoutJiffies` passed first.
 */
export function* nl802154_recv(local: ieee802154_local, from: number, match: (m: Nl802154Message) => boolean = () => true, timeoutJiffies?: number): KGen<number> {
  const msgs = local.nl.messages;
  let found = -1;
  const cond = () => {
    for (let i = from; i < msgs.length; i++) {
      if (match(msgs[i]!)) {
        found = i;
        return true;
      }
    }
    return false;
  };
  if (timeoutJiffies === undefined) yield* wait_event(local.nl.wq, cond);
  else yield* wait_event_timeout(local.nl.wq, cond, timeoutJiffies);
  return found;
}

/** `ip link set wpan0 down` and module removal: the interface closed, the MAC unregistered. */
export function* teardownWpanNode(node: WpanNode): KGen {
  yield* dev_close(node.sdata);
  yield* ieee802154_unregister_hw(node.local);
}
