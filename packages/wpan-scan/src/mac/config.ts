// Which model of the MAC runs: the seed exactly as written, or the seed with
// some of the smallest fixes the checked scenarios found (each scenario's
// `fixed` variant turns on the ones its property needs; `fixed` turns on all).
// The README's findings section explains each fix.

/** One fix of a finding of the checked scenarios. */
export type MacFix =
  /** mac802154_scan_get_channel_time() takes the u32 symbol duration in ns (the seed truncates it to a u8 read as us). */
  | 'channel-time-ns'
  /** mac802154_set_promiscuous_mode() leaves the hardware alone only when another interface needs promiscuous mode (the seed's test is inverted for "off"). */
  | 'promiscuous-restore'
  /** ieee802154_set_channel() checks for a scan and changes the channel under scan_lock, so the end of a scan cannot race it. */
  | 'set-channel-scan-lock'
  /** rx_beacon_list is protected by a spinlock against the softirq RX path. */
  | 'rx-beacon-lock'
  /** At each channel change and at the end, the receiver is stopped and the RX path drained, and queued beacons are processed, not flushed. */
  | 'drain-rx'
  /** mac802154_rx_beacon_worker() processes every queued beacon (the seed handles one per run: beacons queued while the work is pending are lost or leaked). */
  | 'rx-beacon-worker-loop'
  /** The scan request is unpublished (scan_req = NULL) before the done notification frees it; beacons left after the scan are dropped. */
  | 'scan-req-lifetime'
  /** mac802154_process_beacon() tests cfg802154_alloc_coordinator()'s ERR_PTR with IS_ERR(), not for NULL. */
  | 'alloc-coordinator-is-err'
  /** The scan worker re-arms itself with mod_delayed_work(), so a trigger racing an old worker instance cannot cut a dwell short. */
  | 'rearm-mod-delayed-work'
  /** Active scans (later kernels): a beacon request on each channel. */
  | 'active-scan';

export const ALL_FIXES: readonly MacFix[] = [
  'channel-time-ns', 'promiscuous-restore', 'set-channel-scan-lock', 'rx-beacon-lock', 'drain-rx', 'rx-beacon-worker-loop', 'scan-req-lifetime',
  'alloc-coordinator-is-err', 'rearm-mod-delayed-work', 'active-scan',
];

/** The model of one MAC. */
export interface MacConfig {
  /** 'seed' or 'fixed' (names the model in reports); `fixes` says what actually differs from the seed. */
  readonly model: 'seed' | 'fixed';
  readonly fixes: ReadonlySet<MacFix>;
}

/** The seed exactly as written (active scan refused with -EOPNOTSUPP). */
export const SEED_MAC: MacConfig = { model: 'seed', fixes: new Set() };
/** Every fix, and active scan. */
export const FIXED_MAC: MacConfig = { model: 'fixed', fixes: new Set(ALL_FIXES) };

/** A model with the seed plus the given fixes. */
export function macWithFixes(fixes: readonly MacFix[]): MacConfig {
  return { model: fixes.length ? 'fixed' : 'seed', fixes: new Set(fixes) };
}

export function hasFix(c: MacConfig, f: MacFix): boolean {
  return c.fixes.has(f);
}
