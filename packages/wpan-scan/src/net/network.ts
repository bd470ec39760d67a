// Simulated 802.15.4 networks as JSON: the scanning host, the medium, and
// coordinators (k's own MAC, beaconing on a beacon order schedule and
// answering beacon requests). Validated with zod: every mistake is a
// WpanScanError naming the field.

import { z } from 'zod';
import { phyMode } from '@k/hw-emu';
import { KTRX_CHANNELS } from './node';
import { WpanScanError } from './errors';

/** A hex number given as a JSON number or a string ("0x1234"). */
const hexNumber = (max: number, what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^0x[0-9a-f]+$/i.test(v.trim()) ? Number.parseInt(v.trim().slice(2), 16) : /^[0-9]+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!Number.isInteger(n) || n < 0 || n > max) {
      ctx.addIssue({ code: 'custom', message: `${what} must be an integer 0..0x${max.toString(16)} (a number or "0x..." string), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });

/** An extended address: "00:11:22:33:44:55:66:77" (as iwpan and Wireshark print it) or "0x0011223344556677". */
const extendedAddr = z.string().transform((v, ctx) => {
  const s = v.trim();
  let hex: string | null = null;
  if (/^([0-9a-f]{2}:){7}[0-9a-f]{2}$/i.test(s)) hex = s.replace(/:/g, '');
  else if (/^0x[0-9a-f]{1,16}$/i.test(s)) hex = s.slice(2);
  if (hex === null) {
    ctx.addIssue({ code: 'custom', message: `an extended address is "00:11:22:33:44:55:66:77" or "0x0011223344556677", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return BigInt(`0x${hex}`);
});

const position = z.object({ x: z.number().finite(), y: z.number().finite(), z: z.number().finite().optional() }).strict();

const coordinator = z.object({
  name: z.string().min(1).max(32),
  panId: hexNumber(0xfffe, 'panId'),
  shortAddr: hexNumber(0xfffd, 'shortAddr').optional(),
  extendedAddr,
  page: z.number().int().min(0).max(31).default(0),
  channel: z.number().int().min(0).max(26),
  position,
  txPowerDbm: z.number().int().min(-40).max(20).default(0),
  beaconOrder: z.number().int().min(0).max(15),
  superframeOrder: z.number().int().min(0).max(15).optional(),
  assocPermit: z.boolean().default(true),
  gtsPermit: z.boolean().default(false),
  panCoordinator: z.boolean().default(true),
  /** the source address of its beacons (default: short when shortAddr is given, else extended) */
  beaconSource: z.enum(['short', 'extended']).optional(),
  /** when it starts beaconing, ms after boot */
  startMs: z.number().min(0).max(60_000).optional(),
}).strict();

const network = z.object({
  $schema: z.string().optional(),
  description: z.string().optional(),
  scanner: z.object({
    position: position.default({ x: 0, y: 0 }),
    page: z.number().int().min(0).max(31).default(0),
    channel: z.number().int().min(0).max(26).default(11),
    txPowerDbm: z.number().int().min(-40).max(20).default(0),
    extendedAddr: extendedAddr.default(0x0a0b0c0d0e0f0001n),
  }).strict().default({ position: { x: 0, y: 0 }, page: 0, channel: 11, txPowerDbm: 0, extendedAddr: 0x0a0b0c0d0e0f0001n }),
  medium: z.object({
    bitErrorRate: z.number().min(0).max(0.1).default(0),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
  }).strict().default({ bitErrorRate: 0, seed: 1 }),
  coordinators: z.array(coordinator).max(100),
}).strict();

/** A network as the JSON file gives it. */
export type NetworkInput = z.input<typeof network>;
/** A validated network. */
export type Network = z.output<typeof network>;
/** One validated coordinator. */
export type NetworkCoordinator = Network['coordinators'][number];

function pathOf(p: readonly PropertyKey[]): string {
  return p.length ? p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') : '(root)';
}

/**
 * Validates a network (parsed JSON). Throws a WpanScanError of kind
 * 'invalid-network' listing every problem with its path.
 */
export function parseNetwork(input: unknown): Network {
  const r = network.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`);
    throw new WpanScanError('invalid-network', `invalid network:\n  ${lines.join('\n  ')}`, 'EINVAL', lines);
  }
  const n = r.data;
  const problems: string[] = [];
  const names = new Set<string>();
  const keys = new Set<string>();
  const check = (where: string, page: number, channel: number) => {
    if (!((KTRX_CHANNELS[page] ?? 0) & (1 << channel)) || !phyMode(page, channel)) problems.push(`${where}: page ${page} channel ${channel} is not a channel the simulated radio supports (page 0: 0-26, page 2: 0-10)`);
  };
  check('scanner', n.scanner.page, n.scanner.channel);
  n.coordinators.forEach((c, i) => {
    const at = `coordinators[${i}] (${c.name})`;
    if (names.has(c.name)) problems.push(`${at}: the name is used twice`);
    names.add(c.name);
    check(at, c.page, c.channel);
    const so = c.superframeOrder ?? c.beaconOrder;
    if (so !== 15 && c.beaconOrder !== 15 && so > c.beaconOrder) problems.push(`${at}: superframeOrder ${so} is above beaconOrder ${c.beaconOrder} (7.5.1.1: 0 <= SO <= BO <= 14)`);
    if (c.beaconSource === 'short' && c.shortAddr === undefined) problems.push(`${at}: beaconSource "short" needs a shortAddr`);
    const key = `${c.panId}/${c.extendedAddr}`;
    if (keys.has(key)) problems.push(`${at}: another coordinator has the same PAN id and extended address`);
    keys.add(key);
  });
  if (problems.length) throw new WpanScanError('invalid-network', `invalid network:\n  ${problems.join('\n  ')}`, 'EINVAL', problems);
  return n;
}

/** The network `k wpan scan` uses without --network: five coordinators on 2.4 GHz channels, one of them beaconless (BO 15: only an active scan finds it). */
export const EXAMPLE_NETWORK: NetworkInput = {
  description: 'k example: a home with two PANs, a neighbour and a sub-GHz meter',
  coordinators: [
    { name: 'livingroom', panId: '0xabcd', shortAddr: '0x0000', extendedAddr: '00:12:4b:00:00:00:00:01', channel: 11, position: { x: 4, y: 3 }, beaconOrder: 6, superframeOrder: 4 },
    { name: 'kitchen', panId: '0xabce', extendedAddr: '00:12:4b:00:00:00:00:02', channel: 15, position: { x: 9, y: -2 }, beaconOrder: 5, superframeOrder: 5, gtsPermit: true },
    { name: 'garage', panId: '0x1234', shortAddr: '0x0001', extendedAddr: '00:12:4b:00:00:00:00:03', channel: 20, position: { x: 18, y: 6 }, txPowerDbm: 3, beaconOrder: 4, superframeOrder: 2, assocPermit: false },
    { name: 'neighbour', panId: '0x7a7a', extendedAddr: '00:12:4b:00:00:00:00:04', channel: 26, position: { x: 30, y: 25 }, beaconOrder: 6, superframeOrder: 6 },
    { name: 'sleepy', panId: '0x5e5e', extendedAddr: '00:12:4b:00:00:00:00:05', channel: 25, position: { x: 6, y: 8 }, beaconOrder: 15, superframeOrder: 15 },
  ],
};
