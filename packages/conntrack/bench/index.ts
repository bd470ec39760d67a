// @k/conntrack benchmarks.
//
// 1. The seed's reason to exist, in simulated time: N CPUs (1..16) receive a
//    SYN flood (every packet a new connection) while on each CPU a helper
//    creates expectations and data connections use them, under `global`
//    (expectations under nf_conntrack_lock) and `split` (the seed). The model
//    runs with strict timing and the cost model below (ndelay per operation),
//    so lock contention shows as virtual time spent spinning: we print the
//    simulated throughput, the lock wait per connection and the ratio
//    split/global, and draw docs/synflood.svg.
// 2. The real speed of the table: inserts and lookups per second at one
//    million connections and the memory per connection of FastConntrackTable,
//    beside a JS Map keyed by tuple strings in the same run.
//
// Each figure on a line of its own: `BENCH @k/conntrack <figure> <value> <unit>`.

import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario, explore, ktime_get, lock_stat, type KGen } from '@k/core-sync';
import {
  AF_INET, FastConntrackTable, IPPROTO_TCP, decodePacket, makeSkb, mkTuple, nf_conntrack_find_get, nf_conntrack_helper_register, nf_conntrack_init,
  nf_conntrack_packet, nf_ct_expect_alloc, nf_ct_expect_init, nf_ct_expect_put, nf_ct_expect_related, nf_ct_put,
  type CostModel, type LockDesign, type nf_conntrack_helper,
} from '@k/conntrack';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The cost model (virtual ns of CPU per operation), rough figures for a 2014
 * x86 server core with the table out of cache: a chain walk costs a couple of
 * cache misses, allocation and extensions a few hundred ns, the confirmation
 * two chain checks and two inserts.
 */
export const COST: CostModel = {
  ct_lookup: 50,
  ct_alloc: 200,
  exp_lookup: 30,
  list_op: 20,
  ct_confirm: 100,
  exp_insert: 80,
  l4_packet: 40,
  helper_parse: 100,
  ct_destroy: 100,
};

/** connections each CPU opens */
const PER_CPU = Number(process.env.K_BENCH_CONNS ?? 192);
/** one helper expectation, and one data connection using it, every EVERY packets */
const EVERY = 8;

const helperBench = (): nf_conntrack_helper => ({
  name: 'bench',
  tuple: mkTuple(AF_INET, IPPROTO_TCP, [0, 0, 0, 0], 2100, [0, 0, 0, 0], 0),
  expect_policy: [{ name: '', max_expected: 64, timeout: 300 }],
  expect_class_max: 0,
  help: null,
  data: null,
  registered: false,
});

interface Run {
  readonly conns: number;
  /** virtual ns until the last CPU finished */
  readonly ns: number;
  /** virtual ns of CPU the CPUs spent, summed (each until it finished) */
  readonly cpuNs: number;
  /** lock_stat contentions of the conntrack locks */
  readonly contentions: number;
  /** per lock: held / elapsed */
  readonly util: Record<string, number>;
  readonly expected: number;
}

const ip = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;

function synflood(design: LockDesign, cpus: number): Run {
  let result: Run | null = null;
  const s = defineScenario({
    name: `synflood-${design}-${cpus}`,
    description: 'SYN flood with helper expectations',
    variants: { run: { expect: 'holds' } },
    setup(k) {
      const nfct = nf_conntrack_init(cpus, { design, cost: COST, htable_size: 16384, nf_ct_expect_hsize: 256, nf_conntrack_max: 0, expectCountRead: 'data_race' });
      const n = nfct.nets[0]!;
      const helper = helperBench();
      k.boot('register', () => nf_conntrack_helper_register(nfct, helper));
      const ends: number[] = [];
      let expected = 0;
      for (let c = 0; c < cpus; c++) {
        k.spawn(`cpu${c} softirq`, function* (): KGen {
          const client = ip(10, 1, c >> 8, c & 255);
          const server = ip(10, 2, c >> 8, c & 255);
          // the control connection whose helper creates the expectations
          const ctl = decodePacket({ t: 0, proto: 'tcp', src: client, dst: server, sport: 40000, dport: 2100, flags: 'S' }, 0);
          yield* nf_conntrack_packet(n, makeSkb(ctl, { zone: 0, helper }));
          const h = (yield* nf_conntrack_find_get(n, 0, mkTuple(AF_INET, IPPROTO_TCP, ctl.saddr, 40000, ctl.daddr, 2100)))!;
          const master = h.ct;
          for (let i = 0; i < PER_CPU; i++) {
            if (i % EVERY === 0) {
              // the helper expects the server to connect back to client:20000+i
              const exp = (yield* nf_ct_expect_alloc(master))!;
              nf_ct_expect_init(exp, 0, AF_INET, ctl.daddr, ctl.saddr, IPPROTO_TCP, null, 20000 + i);
              yield* nf_ct_expect_related(exp);
              yield* nf_ct_expect_put(exp);
            }
            if (i % EVERY === EVERY / 2) {
              // ... and it does: an expected connection
              const d = decodePacket({ t: 0, proto: 'tcp', src: server, dst: client, sport: 2000 + i, dport: 20000 + i - EVERY / 2, flags: 'S' }, 0);
              yield* nf_conntrack_packet(n, makeSkb(d, null));
              continue;
            }
            // the flood: a SYN from a new source
            const syn = decodePacket({ t: 0, proto: 'tcp', src: ip(172, 16 + (c & 15), (i >> 8) & 255, i & 255), dst: server, sport: 1024 + i, dport: 80, flags: 'S' }, 0);
            yield* nf_conntrack_packet(n, makeSkb(syn, null));
          }
          yield* nf_ct_put(master);
          ends.push(ktime_get());
        }, { cpu: c });
      }
      k.atEnd('collect', () => true);
      k.invariant('collect', () => {
        if (ends.length === cpus && result === null) {
          expected = n.ct.stat.reduce((a, st) => a + st.expect_new, 0);
          const ns = Math.max(...ends);
          const locks = [nfct.nf_conntrack_lock, nfct.nf_conntrack_expect_lock].map(lock_stat);
          result = {
            conns: cpus * PER_CPU,
            ns,
            cpuNs: ends.reduce((a, b) => a + b, 0),
            contentions: locks.reduce((a, l) => a + l.contentions, 0),
            util: Object.fromEntries(locks.map((l) => [l.name, l.holdNs / ns])),
            expected,
          };
        }
        return true;
      });
    },
  });
  const r = explore(s, {
    strategy: 'random', seed: 1, budget: 1, cpus, timing: 'strict', maxTime: 1e9, maxSteps: 50_000_000,
    detectors: { races: false, lockdep: false, lifetime: false, leaks: false, atomicSleep: false, warnings: false },
  });
  if (r.counterexample) throw new Error(`${r.counterexample.kind}: ${r.counterexample.message}`);
  if (!result) throw new Error(`synflood ${design} ${cpus}: the workload did not finish within the virtual time bound`);
  return result;
}

function bench(figure: string, value: number, unit: string): void {
  const v = value >= 100 ? Math.round(value) : Number(value.toPrecision(4));
  console.log(`BENCH @k/conntrack ${figure} ${v} ${unit}`);
}

// ---- 1. SYN flood in simulated time ------------------------------------------------------------

const Ns = (process.env.K_BENCH_CPUS ?? '1,2,3,4,6,8,10,12,14,16').split(',').map(Number);
const rows: { n: number; global: Run; split: Run }[] = [];
// The work of one connection, from the run on one CPU (nothing to wait for): on N CPUs
// the CPU time beyond it is time spent spinning on the locks (strict timing: a waiting
// CPU advances only by spinning). lock_stat's waitNs is not used: it keeps one wait
// start per lock, so with several waiters it counts too little.
const base: Record<LockDesign, number> = { global: 0, split: 0 };
for (const n of Ns.includes(1) ? Ns : [1, ...Ns]) {
  const g = synflood('global', n);
  const s = synflood('split', n);
  if (n === 1) {
    base.global = g.cpuNs / g.conns;
    base.split = s.cpuNs / s.conns;
    if (!Ns.includes(1)) continue;
  }
  rows.push({ n, global: g, split: s });
  const tg = g.conns / (g.ns / 1e9);
  const ts = s.conns / (s.ns / 1e9);
  const wait = (r: Run, d: LockDesign) => Math.max(0, r.cpuNs / r.conns - base[d]);
  bench(`synflood-global-n${n}`, tg, 'conn/s');
  bench(`synflood-split-n${n}`, ts, 'conn/s');
  bench(`lockwait-global-n${n}`, wait(g, 'global'), 'ns/conn');
  bench(`lockwait-split-n${n}`, wait(s, 'split'), 'ns/conn');
  bench(`split-global-ratio-n${n}`, ts / tg, 'x');
  if (process.env.K_BENCH_VERBOSE) console.log(`  n=${n} global util ${JSON.stringify(g.util)} split util ${JSON.stringify(s.util)} contentions ${g.contentions}/${s.contentions}`);
}

// docs/synflood.svg: throughput of both designs and the ratio, per N
function svg(): string {
  const W = 720;
  const H = 420;
  const L = 70;
  const R = 70;
  const T = 40;
  const B = 60;
  const maxN = Math.max(...rows.map((r) => r.n));
  const thr = (r: Run) => r.conns / (r.ns / 1e9) / 1e6;
  const maxY = Math.ceil(Math.max(...rows.flatMap((r) => [thr(r.global), thr(r.split)])) * 1.1);
  const x = (n: number) => L + ((n - 1) / Math.max(1, maxN - 1)) * (W - L - R);
  const y = (v: number) => H - B - (v / maxY) * (H - T - B);
  const yr = (v: number) => H - B - ((v - 1) / 1) * (H - T - B); // ratio axis: 1.0 .. 2.0
  const path = (f: (r: (typeof rows)[number]) => number, yy: (v: number) => number) => rows.map((r, i) => `${i ? 'L' : 'M'}${x(r.n).toFixed(1)},${yy(f(r)).toFixed(1)}`).join(' ');
  const dots = (f: (r: (typeof rows)[number]) => number, yy: (v: number) => number, color: string) => rows.map((r) => `<circle cx="${x(r.n).toFixed(1)}" cy="${yy(f(r)).toFixed(1)}" r="3" fill="${color}"/>`).join('');
  const ticksY = Array.from({ length: 6 }, (_, i) => (maxY * i) / 5);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">SYN flood with helper expectations, simulated (@k/conntrack bench, cost model in bench/index.ts)</text>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>
<line x1="${W - R}" y1="${T}" x2="${W - R}" y2="${H - B}" stroke="#999"/>
${ticksY.map((v) => `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text><line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/>`).join('')}
${[1, 1.25, 1.5, 1.75, 2].map((v) => `<text x="${W - R + 6}" y="${yr(v) + 4}" fill="#c60">${v.toFixed(2)}x</text>`).join('')}
${rows.map((r) => `<text x="${x(r.n)}" y="${H - B + 18}" text-anchor="middle">${r.n}</text>`).join('')}
<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">simulated CPUs (N)</text>
<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">million new connections / simulated s</text>
<text x="${W - 14}" y="${(T + H - B) / 2}" text-anchor="middle" fill="#c60" transform="rotate(90 ${W - 14} ${(T + H - B) / 2})">split / global</text>
<path d="${path((r) => thr(r.global), y)}" fill="none" stroke="#1f5fbf" stroke-width="2"/>${dots((r) => thr(r.global), y, '#1f5fbf')}
<path d="${path((r) => thr(r.split), y)}" fill="none" stroke="#2a9d3a" stroke-width="2"/>${dots((r) => thr(r.split), y, '#2a9d3a')}
<path d="${path((r) => thr(r.split) / thr(r.global), yr)}" fill="none" stroke="#c60" stroke-width="1.5" stroke-dasharray="5,4"/>${dots((r) => thr(r.split) / thr(r.global), yr, '#c60')}
<g transform="translate(${W - R - 250} ${H - B - 76})">
<rect x="0" y="0" width="240" height="64" fill="white" stroke="#ccc"/>
<line x1="8" y1="14" x2="32" y2="14" stroke="#1f5fbf" stroke-width="2"/><text x="38" y="18">global (nf_conntrack_lock)</text>
<line x1="8" y1="32" x2="32" y2="32" stroke="#2a9d3a" stroke-width="2"/><text x="38" y="36">split (seed 001)</text>
<line x1="8" y1="50" x2="32" y2="50" stroke="#c60" stroke-dasharray="5,4"/><text x="38" y="54">ratio split / global (right axis)</text>
</g>
</svg>
`;
}
mkdirSync(join(HERE, '..', 'docs'), { recursive: true });
writeFileSync(join(HERE, '..', 'docs', 'synflood.svg'), svg());

// ---- 2. The real speed of the table at one million connections ----------------------------------

const M = Number(process.env.K_BENCH_TABLE ?? 1_000_000);
const rnd = (() => {
  let x = 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
})();
const saddr = new Uint32Array(M);
const daddr = new Uint32Array(M);
const ports = new Uint32Array(M);
for (let i = 0; i < M; i++) {
  saddr[i] = rnd();
  daddr[i] = rnd();
  ports[i] = rnd();
}

/** wall and CPU milliseconds of f (the CPU figure holds on a loaded machine) */
function timed(f: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}
function rate(figure: string, ms: { wall: number; cpu: number }): void {
  bench(figure, M / (ms.wall / 1000), 'ops/s');
  bench(`${figure}-cpu`, M / (ms.cpu / 1000), 'ops/cpu-s');
}

globalThis.gc?.();
const ab0 = process.memoryUsage().arrayBuffers;
const table = new FastConntrackTable(M, M);
const insertMs = timed(() => {
  for (let i = 0; i < M; i++) table.insert({ saddr: saddr[i]!, daddr: daddr[i]!, sport: ports[i]! >>> 16, dport: ports[i]! & 0xffff, protonum: 6 });
});
const tableBytes = process.memoryUsage().arrayBuffers - ab0;
let hits = 0;
const lookupMs = timed(() => {
  for (let i = 0; i < M; i++) {
    const j = (i * 7919) % M;
    // half the lookups in the original direction, half in the reply direction
    const n = i & 1
      ? table.lookupNode(saddr[j]!, daddr[j]!, ports[j]! >>> 16, ports[j]! & 0xffff, 6)
      : table.lookupNode(daddr[j]!, saddr[j]!, ports[j]! & 0xffff, ports[j]! >>> 16, 6);
    if (n >= 0) hits++;
  }
});
if (hits !== table.size) throw new Error(`lookups found ${hits} of ${table.size}`);
rate('table-insert-1m', insertMs);
rate('table-lookup-1m', lookupMs);
bench('table-bytes-per-conn', tableBytes / M, 'B');

// the peer: a JS Map with one string key per direction
globalThis.gc?.();
const heap0 = process.memoryUsage().heapUsed;
const map = new Map<string, number>();
const mapInsertMs = timed(() => {
  for (let i = 0; i < M; i++) {
    const sp = ports[i]! >>> 16;
    const dp = ports[i]! & 0xffff;
    map.set(`${saddr[i]}|${daddr[i]}|${sp}|${dp}|6`, i);
    map.set(`${daddr[i]}|${saddr[i]}|${dp}|${sp}|6`, i);
  }
});
globalThis.gc?.();
const mapBytes = process.memoryUsage().heapUsed - heap0;
let mhits = 0;
const mapLookupMs = timed(() => {
  for (let i = 0; i < M; i++) {
    const j = (i * 7919) % M;
    const sp = ports[j]! >>> 16;
    const dp = ports[j]! & 0xffff;
    if (map.get(i & 1 ? `${saddr[j]}|${daddr[j]}|${sp}|${dp}|6` : `${daddr[j]}|${saddr[j]}|${dp}|${sp}|6`) !== undefined) mhits++;
  }
});
if (mhits !== M) throw new Error(`map lookups found ${mhits}`);
rate('map-insert-1m', mapInsertMs);
rate('map-lookup-1m', mapLookupMs);
bench('map-bytes-per-conn', mapBytes / M, 'B');
