// The output of `iwpan dev wpan0 scan` (wpan-tools src/scan.c,
// print_new_coordinator()): one block per new coordinator, in the order the
// scan events arrive; iwpan prints each (PAN id, address) once.

import type { ScanCoordinator, ScanResult } from './simulate';

const hex = (v: number | bigint, width: number) => v.toString(16).padStart(width, '0');

/** One coordinator as iwpan prints it. */
export function formatIwpanCoordinator(c: ScanCoordinator, ifname = 'wpan0'): string {
  const lines = [`PAN 0x${hex(c.panId, 4)} (on ${ifname})`];
  lines.push(c.address.mode === 'short' ? `\tcoordinator 0x${hex(c.address.short, 4)}` : `\tcoordinator 0x${hex(c.address.extended, 16)}`);
  lines.push(`\tpage ${c.page}`);
  lines.push(`\tchannel ${c.channel}`);
  lines.push(`\tsuperframe spec. 0x${c.superframeSpec.toString(16)}`);
  // iwpan prints the LQI with %x
  lines.push(`\tLQI ${c.lqi.toString(16)}`);
  if (c.gtsPermit) lines.push('\tGTS permitted');
  return lines.join('\n');
}

/** The whole output of a scan, as iwpan prints it (each coordinator once). */
export function formatIwpanScan(r: Pick<ScanResult, 'coordinators'>, ifname = 'wpan0'): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of r.coordinators) {
    const key = `${c.panId}/${c.address.mode === 'short' ? c.address.short : c.address.extended}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(formatIwpanCoordinator(c, ifname));
  }
  return out.join('\n') + (out.length ? '\n' : '');
}
