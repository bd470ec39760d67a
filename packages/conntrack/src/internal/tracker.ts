// The trace runner: feeds a packet trace through the model's hooks
// (nf_conntrack_packet: conntrack in, helper, confirm) on one simulated CPU,
// sleeping in virtual time between packets so that conntrack and
// expectation timers fire when they would, and lists the tables at the end.
// It runs the same model code the checked scenarios explore, on one schedule.

import {
  ModelUsageError, NSEC_PER_SEC, defineScenario, explore, ktime_get, usleep_range, type KGen,
} from '@k/core-sync';
import { nf_conntrack_init, sumStats } from './net';
import { nf_conntrack_packet } from './core';
import { nf_conntrack_helper_register } from './helper';
import { nf_conntrack_helper_ftp } from './ftp';
import { nf_conntrack_helper_sip } from './sip';
import { decodePacket, makeSkb, type Packet } from './packet';
import { dumpConntracks, dumpExpectations, type ConntrackEntry, type ExpectEntry } from './format';
import { AF_INET, AF_INET6 } from './tuple';
import {
  NF_ACCEPT, type ConntrackConfig, type Fixes, type LockDesign, type NfConntrack, type ct_template, type ip_conntrack_stat,
  type nf_conntrack_helper,
} from './types';
import { isValidatedTrace, parseTrace, type HelperRule, type Trace, type ZoneRule } from './trace';

/** Options of runTrace. */
export interface TrackerOptions {
  /** lock design (default `split`, the seed); the tables are the same under both */
  readonly design?: LockDesign;
  readonly fixes?: Partial<Fixes>;
  /** sizes, limits and timeouts (defaults: the oracle machine's, expect_max 4096) */
  readonly config?: Partial<Omit<ConntrackConfig, 'design' | 'fixes'>>;
  /** CONFIG_HZ (default 250) */
  readonly hz?: number;
  /** list the tables at this time, in seconds (default: the trace's `at`, else its last packet) */
  readonly at?: number;
}

/** What a trace did: the tables at the listing time, each packet's verdict, the statistics. */
export interface TraceResult {
  readonly conntracks: ConntrackEntry[];
  readonly expectations: ExpectEntry[];
  /** per packet: 'NF_ACCEPT' or 'NF_DROP' (a helper or the table refused it) */
  readonly verdicts: ('NF_ACCEPT' | 'NF_DROP')[];
  readonly stats: ip_conntrack_stat;
  /** the listing time, seconds */
  readonly at: number;
}

/** A trace the model could not run (a model violation is reported as a bug of the model). */
export class TrackerError extends Error {
  override readonly name = 'TrackerError';
}

interface Helpers {
  readonly byKey: Map<string, nf_conntrack_helper>;
}

function helperFor(h: Helpers, rule: HelperRule, l3num: number): nf_conntrack_helper {
  return h.byKey.get(`${rule.helper}/${l3num}`)!;
}

/** The template the rules attach to a packet: zone and helper (the first rule of each kind that matches). */
function templateFor(p: Packet, l3num: number, rules: readonly HelperRule[], zones: readonly ZoneRule[], helpers: Helpers): ct_template | null {
  const fam = l3num === AF_INET ? 'ipv4' : 'ipv6';
  const rule = rules.find((r) => r.dport === p.dport && (r.proto ?? (r.helper === 'ftp' ? 'tcp' : 'udp')) === p.proto && (r.family === undefined || r.family === fam));
  const zone = p.zone ?? zones.find((z) => z.dport === p.dport && z.proto === p.proto)?.zone ?? 0;
  if (!rule && !zone) return null;
  return { zone, helper: rule ? helperFor(helpers, rule, l3num) : null };
}

/** Runs a trace (a validated Trace or raw JSON) through the model and lists the tables. */
export function runTrace(input: Trace | unknown, opts: TrackerOptions = {}): TraceResult {
  const trace: Trace = isValidatedTrace(input) ? input : parseTrace(input);
  const hz = opts.hz ?? 250;
  const decoded = trace.packets.map((p, i) => decodePacket(p, i));
  const last = trace.packets.length ? trace.packets[trace.packets.length - 1]!.t : 0;
  const at = opts.at ?? trace.at ?? last;
  if (!(at >= last)) throw new TrackerError(`the listing time ${at} s is before the last packet (${last} s)`);
  const atNs = Math.round(at * NSEC_PER_SEC);
  let nfct: NfConntrack | null = null;
  const verdicts: ('NF_ACCEPT' | 'NF_DROP')[] = [];
  const s = defineScenario({
    name: 'conntrack-trace',
    description: 'a packet trace through the conntrack hooks',
    variants: { run: { expect: 'holds' } },
    setup(k) {
      nfct = nf_conntrack_init(1, { ...(opts.config ?? {}), design: opts.design ?? 'split', fixes: { ...(opts.fixes ?? {}) } as Fixes });
      const world = nfct;
      const n = world.nets[0]!;
      const helpers: Helpers = { byKey: new Map() };
      for (const [name, mk] of [['ftp', nf_conntrack_helper_ftp], ['sip', nf_conntrack_helper_sip]] as const) {
        for (const l3 of [AF_INET, AF_INET6]) {
          const h = mk(l3);
          helpers.byKey.set(`${name}/${l3}`, h);
          k.boot(`register ${name}`, () => nf_conntrack_helper_register(world, h));
        }
      }
      k.spawn('packets', function* (): KGen {
        for (let i = 0; i < decoded.length; i++) {
          const target = Math.round(trace.packets[i]!.t * NSEC_PER_SEC);
          const wait = target - ktime_get();
          if (wait > 0) yield* usleep_range(Math.ceil(wait / 1000), Math.ceil(wait / 1000));
          const d = decoded[i]!;
          const skb = makeSkb(d, templateFor(trace.packets[i]!, d.l3num, trace.helpers, trace.zones, helpers));
          const v = yield* nf_conntrack_packet(n, skb);
          verdicts.push(v === NF_ACCEPT ? 'NF_ACCEPT' : 'NF_DROP');
        }
      }, { cpu: 0 });
    },
  });
  const r = explore(s, {
    strategy: 'dfs',
    budget: 1,
    cpus: 1,
    hz,
    timing: 'strict',
    maxTime: atNs,
    maxSteps: 10_000 + decoded.length * 2000,
    detectors: { races: false, leaks: false },
  });
  if (r.counterexample) {
    throw new TrackerError(`[conntrack model bug] the trace run hit ${r.counterexample.kind}: ${r.counterexample.message}`);
  }
  if (!nfct) throw new ModelUsageError('the trace world was not built');
  const world: NfConntrack = nfct;
  const n = world.nets[0]!;
  const tick = Math.floor((NSEC_PER_SEC + Math.floor(hz / 2)) / hz);
  const now = Math.floor(atNs / tick);
  return {
    conntracks: dumpConntracks(n, now, hz),
    expectations: dumpExpectations(n, now, hz),
    verdicts,
    stats: sumStats(n),
    at,
  };
}
