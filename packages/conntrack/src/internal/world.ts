// Building blocks of the checked scenarios: a small conntrack world (tables
// of a few buckets so that executions stay short), packet builders for the
// FTP and SIP sessions the scenarios replay, and the properties every
// scenario checks (issue 8): expect_count consistency, expectations freed
// exactly once and only once unlinked, every conntrack released,
// non-permanent expectations used at most once and never both used and expired.

import { complete_all, init_completion, wait_for_completion, type Completion, type KGen, type TaskHandle, type World } from '@k/core-sync';
import { nf_conntrack_init, expect_lock, linkedExpectations } from './net';
import { nf_conntrack_packet } from './core';
import { nf_conntrack_helper_register } from './helper';
import { nf_conntrack_helper_ftp } from './ftp';
import { nf_conntrack_helper_sip } from './sip';
import { nf_conntrack_helper_q931, nf_conntrack_helper_ras } from './h323';
import { decodePacket, makeSkb, type Packet } from './packet';
import { AF_INET } from './tuple';
import {
  NF_CT_EXPECT_PERMANENT, type ConntrackConfig, type Fixes, type LockDesign, type NfConntrack, type ct_template, type net,
  type nf_conntrack_helper,
} from './types';

/** A scenario world: module state, init_net and the helpers. */
export interface ScenarioWorld {
  readonly nfct: NfConntrack;
  readonly net: net;
  readonly ftp: nf_conntrack_helper;
  readonly sip: nf_conntrack_helper;
  readonly ras: nf_conntrack_helper;
  readonly q931: nf_conntrack_helper;
}

/** A variant's design and fixes. */
export interface VariantConfig {
  readonly design: LockDesign;
  readonly fixes?: Partial<Fixes>;
  readonly expectCountRead?: 'plain' | 'data_race';
}

/**
 * A world with small tables (16 buckets, 4 expectation buckets, expect_max 16)
 * and the ftp, sip, RAS and Q.931 helpers registered. The lockless
 * expect_count reads are annotated as intentional (data_race()) unless the
 * variant asks for the seed's plain read.
 */
export function buildWorld(k: World, v: VariantConfig, cfg: Partial<ConntrackConfig> = {}): ScenarioWorld {
  const nfct = nf_conntrack_init(k.cpus, {
    htable_size: 16, nf_ct_expect_hsize: 4, nf_ct_expect_max: 16, nf_conntrack_max: 0, expectCountRead: v.expectCountRead ?? 'data_race',
    ...cfg, design: v.design, fixes: { ...(v.fixes ?? {}) } as Fixes,
  });
  const w: ScenarioWorld = {
    nfct, net: nfct.nets[0]!, ftp: nf_conntrack_helper_ftp(AF_INET), sip: nf_conntrack_helper_sip(AF_INET), ras: nf_conntrack_helper_ras(AF_INET), q931: nf_conntrack_helper_q931(AF_INET),
  };
  for (const h of [w.ftp, w.sip, w.ras, w.q931]) k.boot(`register ${h.name}`, () => nf_conntrack_helper_register(nfct, h));
  return w;
}

/** One packet through the hooks; `helper` plays the CT target rule that attaches it. */
export function* sendPacket(n: net, p: Packet, helper: nf_conntrack_helper | null = null): KGen<number> {
  const d = decodePacket(p, 0);
  const tmpl: ct_template | null = helper || p.zone ? { zone: p.zone ?? 0, helper } : null;
  return yield* nf_conntrack_packet(n, makeSkb(d, tmpl));
}

/** Runs packets one after the other (in the setup task, or any task). */
export function* runPackets(n: net, packets: readonly Packet[], helper: nf_conntrack_helper | null = null): KGen<number[]> {
  const out: number[] = [];
  for (const p of packets) out.push(yield* sendPacket(n, p, helper));
  return out;
}

/**
 * The two phases of a scenario: a setup task on cpu0 builds the state (control
 * connections, expectations), then the concurrent tasks start together. The
 * completion gives the happens-before edge from the setup to every task.
 */
export class Stage {
  private readonly ready: Completion = init_completion('setup done');
  constructor(private readonly k: World) {}

  /** the setup task */
  setup(fn: () => KGen<unknown>): void {
    const ready = this.ready;
    this.k.spawn('setup', function* () {
      yield* fn();
      yield* complete_all(ready);
    }, { cpu: 0 });
  }

  /** a concurrent task: it starts once the setup is done */
  task(name: string, fn: () => KGen<unknown>, cpu: number): TaskHandle {
    const ready = this.ready;
    return this.k.spawn(name, function* () {
      yield* wait_for_completion(ready);
      return yield* fn();
    }, { cpu });
  }
}

/** A TCP conversation builder: sequence numbers follow the payloads. */
export class TcpSession {
  private seqC = 1000;
  private seqS = 9000;
  constructor(
    readonly client: string,
    readonly cport: number,
    readonly server: string,
    readonly sport: number,
  ) {}
  /** a segment from the client (`c`) or the server (`s`) */
  seg(from: 'c' | 's', flags: string, payload = ''): Packet {
    const c = from === 'c';
    const p: Packet = {
      t: 0, proto: 'tcp', src: c ? this.client : this.server, dst: c ? this.server : this.client, sport: c ? this.cport : this.sport, dport: c ? this.sport : this.cport,
      flags, seq: c ? this.seqC : this.seqS, ack: c ? this.seqS : this.seqC, payload,
    };
    const adv = payload.length + (flags.includes('S') ? 1 : 0) + (flags.includes('F') ? 1 : 0);
    if (c) this.seqC = (this.seqC + adv) >>> 0;
    else this.seqS = (this.seqS + adv) >>> 0;
    return p;
  }
  /** three-way handshake */
  handshake(): Packet[] {
    return [this.seg('c', 'S'), this.seg('s', 'SA'), this.seg('c', 'A')];
  }
}

/** The text of an FTP PORT command for an IPv4 address and port. */
export function portCommand(addr: string, port: number): string {
  return `PORT ${addr.split('.').join(',')},${port >> 8},${port & 255}\r\n`;
}

/** An established FTP control session that has sent USER (so that the next command line is parsed). */
export function ftpControl(s: TcpSession): Packet[] {
  return [...s.handshake(), s.seg('s', 'PA', '220 k ftp\r\n'), s.seg('c', 'A'), s.seg('c', 'PA', 'USER anonymous\r\n'), s.seg('s', 'PA', '331 ok\r\n')];
}

/** A SIP REGISTER (UDP) from `ua:uport` to the registrar, with the contact's expiry. */
export function sipRegister(ua: string, uport: number, registrar: string, cseq: number, expires: number): Packet {
  const payload = [
    `REGISTER sip:${registrar} SIP/2.0`, `Via: SIP/2.0/UDP ${ua}:${uport};branch=z9hG4bK${cseq}`, `From: <sip:u@${registrar}>;tag=1`, `To: <sip:u@${registrar}>`,
    `Call-ID: reg@${ua}`, `CSeq: ${cseq} REGISTER`, `Contact: <sip:u@${ua}:${uport}>;expires=${expires}`, 'Content-Length: 0', '', '',
  ].join('\r\n');
  return { t: 0, proto: 'udp', src: ua, dst: registrar, sport: uport, dport: 5060, payload };
}

/** The registrar's 200 OK to a REGISTER. */
export function sipRegisterOk(ua: string, uport: number, registrar: string, cseq: number, expires: number): Packet {
  const payload = [
    'SIP/2.0 200 OK', `Via: SIP/2.0/UDP ${ua}:${uport};branch=z9hG4bK${cseq}`, `From: <sip:u@${registrar}>;tag=1`, `To: <sip:u@${registrar}>;tag=2`,
    `Call-ID: reg@${ua}`, `CSeq: ${cseq} REGISTER`, `Contact: <sip:u@${ua}:${uport}>;expires=${expires}`, 'Content-Length: 0', '', '',
  ].join('\r\n');
  return { t: 0, proto: 'udp', src: registrar, dst: ua, sport: 5060, dport: uport, payload };
}

/** An INVITE with an SDP offer of one audio stream. */
export function sipInvite(from: string, fport: number, to: string, tport: number, rtpPort: number, cseq = 1): Packet {
  const sdp = ['v=0', `o=- 1 1 IN IP4 ${from}`, 's=-', `c=IN IP4 ${from}`, 't=0 0', `m=audio ${rtpPort} RTP/AVP 0`, ''].join('\r\n');
  const payload = [
    `INVITE sip:u@${to}:${tport} SIP/2.0`, `Via: SIP/2.0/UDP ${from}:${fport};branch=z9hG4bKi${cseq}`, `From: <sip:c@${from}>;tag=9`, `To: <sip:u@${to}>`,
    `Call-ID: call@${from}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:c@${from}:${fport}>`, 'Content-Type: application/sdp', `Content-Length: ${sdp.length}`, '', sdp,
  ].join('\r\n');
  return { t: 0, proto: 'udp', src: from, dst: to, sport: fport, dport: tport, payload };
}

/** Options of the common properties. */
export interface PropertyOptions {
  /** check that every conntrack is released at the end (default true) */
  readonly released?: boolean;
}

/**
 * The properties of issue 8, on every scenario:
 * - invariant: whenever nobody holds the expectation lock, net->ct.expect_count equals the linked expectations;
 * - invariant: a non-permanent expectation is used by at most one connection, and never both used and expired;
 * - at the end: expect_count equals the linked expectations, every expectation was freed exactly once
 *   (and only once unlinked: nf_ct_expect_free_rcu asserts it), every conntrack was released (masters included).
 * Refcount underflows, double frees and use after free are reported by the model and core-sync as they happen.
 */
export function installProperties(k: World, w: ScenarioWorld, o: PropertyOptions = {}): void {
  const { nfct, net: n } = w;
  k.invariant('expect_count equals the linked expectations while the expectation lock is free', () => {
    if (expect_lock(n).owner !== null) return true;
    const c = n.ct.expect_count.peek();
    const l = linkedExpectations(n);
    return c === l || `expect_count ${c}, linked ${l}`;
  });
  k.invariant('a non-permanent expectation is used at most once, and never both used and expired', () => {
    for (const exp of nfct.allExpects) {
      if (exp.flags & NF_CT_EXPECT_PERMANENT) continue;
      const f = nfct.expFate.get(exp.id);
      if (!f) continue;
      const used = f.filter((x) => x === 'used').length;
      if (used > 1) return `exp#${exp.id} used ${used} times`;
      if (used && f.includes('expired')) return `exp#${exp.id} both used and expired (${f.join(', ')})`;
    }
    return true;
  });
  k.atEnd('expect_count equals the linked expectations at quiescence', () => {
    const c = n.ct.expect_count.peek();
    const l = linkedExpectations(n);
    return c === l || `expect_count ${c}, linked ${l}`;
  });
  k.atEnd('every expectation is freed exactly once', () => {
    for (const exp of nfct.allExpects) {
      const f = nfct.expFreed.get(exp.id) ?? 0;
      if (f !== 1) return `exp#${exp.id} freed ${f} times (use ${exp.use.peek()}, ${exp.hnode ? 'still linked' : 'unlinked'})`;
    }
    return true;
  });
  if (o.released ?? true) {
    k.atEnd('every conntrack (masters included) is released', () => {
      for (const ct of nfct.allConntracks) {
        if (!nfct.ctFreed.has(ct.id)) return `nf_conn#${ct.id} never released (use ${ct.ct_general.use.peek()}, on ${ct.list} list)`;
      }
      return true;
    });
  }
}

/** The variants of a scenario that has no finding: the two lock designs. */
export const BOTH_DESIGNS = {
  global: { expect: 'holds' as const, why: 'expectations under nf_conntrack_lock (before the seed)' },
  split: { expect: 'holds' as const, why: 'expectations under nf_conntrack_expect_lock (the seed)' },
};

/** The design and fixes a variant name stands for. */
export function variantConfig(v: string, fixes: Partial<Fixes> = {}): VariantConfig {
  if (v === 'global') return { design: 'global' };
  if (v === 'split' || v === 'seed') return { design: 'split' };
  if (v === 'fixed') return { design: 'split', fixes };
  return { design: 'split' };
}
