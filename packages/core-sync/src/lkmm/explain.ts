// Explanations a reviewer can paste into a mail: for an outcome the LKMM
// forbids, the axiom a candidate execution violates and the cycle that
// violates it, each link with the reason it holds (the barrier, dependency or
// communication of linux-kernel.cat behind it); for an allowed outcome, an
// execution that reaches it and why no axiom forbids it. The vocabulary is
// that of tools/memory-model/Documentation/explanation.txt.
import type { LitmusTest } from './ast';
import { relHas } from './bitrel';
import type { Execution } from './exec';
import type { Axiom } from './model';
import { runLitmus, formatProp, formatValue, type LitmusResult, type RunOptions } from './run';

const AXIOM_TEXT: Record<Axiom, string> = {
  coherence: 'the coherence axiom (acyclic po-loc | rf | co | fr: sequential consistency per variable)',
  atomic: 'the atomicity axiom (empty rmw & (fre ; coe): no store may come between the read and the write of an atomic read-modify-write)',
  'happens-before': 'the happens-before axiom (acyclic hb)',
  propagation: 'the propagation axiom (acyclic pb: each link that is not reads-from needs a strong fence)',
  rcu: 'the RCU axiom (irreflexive rb: a read-side critical section cannot span a grace period)',
  'plain-coherence': 'the plain-coherence axiom (plain accesses that race must still be coherent)',
  'lock-nest': 'the lock-nest axiom of lock.cat (spin_lock() inside a critical section of the same lock deadlocks)',
  'nested-is-locked': 'the nested-is-locked axiom of lock.cat (spin_is_locked() inside its own critical section returns true)',
  'unmatched-locks': 'the unmatched-locks axiom of lock.cat (two locks never released would deadlock)',
};

class Describer {
  constructor(
    private readonly test: LitmusTest,
    private readonly x: Execution,
  ) {}

  private lineOf(id: number): number {
    return this.x.events[id]!.pe?.pos.line ?? 0;
  }

  /** `P0:18 smp_store_release(flag, 1)` */
  short(id: number): string {
    const e = this.x.events[id]!;
    if (e.kind === 'IW') return `the initial value of ${e.global}`;
    const pe = e.pe!;
    const part = pe.tags.includes('RMW') ? (e.kind === 'R' ? ' (its read)' : ' (its write)') : '';
    const what =
      e.kind === 'LKR' ? ' (lock read)' : e.kind === 'LKW' ? ' (lock write)' : e.kind === 'LF' ? ' (failed)' : e.kind === 'RL' ? ' (returns true)' : e.kind === 'RU' ? ' (returns false)' : part;
    return `P${e.proc}:${pe.pos.line} ${pe.text.replace(/;$/, '')}${what}`;
  }

  /** What the event does in this execution: `reads 1 from P0:18 ...` */
  action(id: number): string {
    const x = this.x;
    const e = x.events[id]!;
    const loc = x.locs[id];
    const src = x.rf.get(id);
    const v = x.values.get(id);
    switch (e.kind) {
      case 'R': {
        const from = src === undefined ? '' : x.events[src]!.kind === 'IW' ? ' (the initial value)' : ` (written by ${this.short(src)})`;
        return `reads ${loc} = ${v === undefined ? '?' : formatValue(v)}${from}`;
      }
      case 'W':
        return `writes ${loc} = ${v === undefined ? '?' : formatValue(v)}`;
      case 'LKR':
      case 'LKW':
        return `takes ${loc}`;
      case 'UL':
        return `releases ${loc}`;
      case 'F':
        return 'fence';
      default:
        return `reads the state of ${loc}`;
    }
  }

  listing(): string[] {
    const out: string[] = [];
    for (const e of this.x.events) {
      if (e.kind === 'IW' || e.kind === 'F') continue;
      out.push(`  ${this.short(e.id).padEnd(44)} ${this.action(e.id)}`);
    }
    return out;
  }

  /** Why a -> b is in the relation `name` of the evaluated execution. */
  why(name: string, a: number, b: number): string {
    const R = this.x.evaluated!.rel;
    const w = this.x.prepared!.g.u.w;
    const inRel = (r: string, i = a, j = b): boolean => R[r] !== undefined && relHas(R[r]!, w, i, j);
    const A = this.short(a);
    const B = this.short(b);
    if (name === 'hb' || name === 'ppo') {
      if (inRel('rfe')) return `${B} reads the value written by ${A} (rfe)`;
      const p = this.whyPpo(a, b);
      if (p) return p;
      if (inRel('prop')) return `${this.whyProp(a, b)} (prop, inside one process: hb)`;
      return `${A} happens before ${B} (hb)`;
    }
    if (name === 'com') {
      if (inRel('rf')) return `${B} reads from ${A} (rf)`;
      if (inRel('co')) return `${B} overwrites ${A} (co)`;
      if (inRel('fr')) return `${A} reads a value that ${B} overwrites (fr)`;
      if (inRel('po-loc')) return `${A} comes before ${B} in program order, same variable (po-loc)`;
    }
    return `${A} -> ${B} (${name})`;
  }

  whyPpo(a: number, b: number): string | null {
    const R = this.x.evaluated!.rel;
    const w = this.x.prepared!.g.u.w;
    const inRel = (r: string): boolean => R[r] !== undefined && relHas(R[r]!, w, a, b);
    const A = this.short(a);
    const B = this.short(b);
    if (inRel('mb')) return `a full barrier orders ${A} before ${B} (strong-fence: mb)`;
    if (inRel('gp')) return `synchronize_rcu() orders ${A} before ${B} (strong-fence: gp)`;
    if (inRel('rcu-fence')) return `RCU grace periods and critical sections order ${A} before ${B} (rcu-fence)`;
    if (inRel('po-rel')) return `${B} is a release: everything before it in program order is ordered before it (po-rel)`;
    if (inRel('acq-po')) return `${A} is an acquire: it is ordered before everything after it in program order (acq-po)`;
    if (inRel('wmb')) return `smp_wmb() orders the store ${A} before the store ${B} (wmb)`;
    if (inRel('rmb')) return `smp_rmb() orders the load ${A} before the load ${B} (rmb)`;
    if (inRel('addr')) return `the address ${B} uses depends on the value ${A} reads (addr dependency)`;
    if (inRel('data')) return `the value ${B} stores depends on the value ${A} reads (data dependency)`;
    if (inRel('ctrl')) return `${B} is executed under an if whose condition depends on ${A} (ctrl dependency)`;
    if (inRel('to-r')) return `${B} reads a store that depends on ${A} (dep ; rfi)`;
    if (inRel('po-unlock-lock-po')) return `an unlock and a later lock order ${A} before ${B} (po-unlock-lock-po)`;
    if (inRel('to-w')) return `${B} overwrites or follows ${A} on the same variable in this process (overwrite & int)`;
    if (inRel('ppo')) return `${A} is ordered before ${B} (ppo)`;
    return null;
  }

  /** prop = (overwrite & ext)? ; cumul-fence* ; rfe?, as a path of named steps. */
  whyProp(a: number, c: number): string {
    const R = this.x.evaluated!.rel;
    const n = this.x.events.length;
    const w = this.x.prepared!.g.u.w;
    const has = (r: string, i: number, j: number): boolean => R[r] !== undefined && relHas(R[r]!, w, i, j);
    // BFS over (event, stage): 0 start, 1 in cumul-fence*, 2 after rfe
    const prev = new Map<string, [string, string]>();
    const key = (e: number, s: number): string => `${e}/${s}`;
    const queue: [number, number][] = [[a, 0]];
    prev.set(key(a, 0), ['', '']);
    let end: string | null = null;
    while (queue.length) {
      const [e, s] = queue.shift()!;
      if (e === c && (s > 0 || e === a)) {
        end = key(e, s);
        break;
      }
      const push = (f: number, t: number, label: string): void => {
        const k = key(f, t);
        if (prev.has(k)) return;
        prev.set(k, [key(e, s), label]);
        queue.push([f, t]);
      };
      for (let f = 0; f < n; f++) {
        if (s === 0 && (has('coe', e, f) || has('fre', e, f))) push(f, 1, has('coe', e, f) ? 'coe' : 'fre');
        if (s <= 1 && has('cumul-fence', e, f)) push(f, 1, 'cumul-fence');
        if (s <= 1 && has('rfe', e, f)) push(f, 2, 'rfe');
      }
    }
    if (!end) return `${this.short(a)} propagates before ${this.short(c)} (prop)`;
    const steps: string[] = [];
    let k = end;
    for (;;) {
      const [p, label] = prev.get(k)!;
      if (!p) break;
      const i = Number(p.split('/')[0]);
      const j = Number(k.split('/')[0]);
      steps.push(this.step(label, i, j));
      k = p;
    }
    return steps.reverse().join('; ');
  }

  private step(label: string, i: number, j: number): string {
    const A = this.short(i);
    const B = this.short(j);
    switch (label) {
      case 'coe':
        return `${B} overwrites ${A} (coe)`;
      case 'fre':
        return `${A} reads a value that ${B} overwrites (fre)`;
      case 'rfe':
        return `${B} reads the value written by ${A} (rfe)`;
      default: {
        const why = this.whyPpo(i, j);
        return why ? `${why}, which propagates to every CPU in that order (cumul-fence)` : `${A} propagates to every CPU before ${B} (cumul-fence)`;
      }
    }
  }
}

/** Explains one test result in words (call `runLitmus` with `keepWitnesses` first, or use `explainLitmus`). */
export function explainResult(r: LitmusResult): string {
  const t = r.test;
  const cond = formatProp(t.condition.prop);
  const lines: string[] = [];
  const verdict =
    r.observation === 'Never'
      ? 'never holds (Never)'
      : r.observation === 'Always'
        ? 'holds in every execution (Always)'
        : 'holds in some executions (Sometimes)';
  lines.push(`${t.name}: the outcome (${cond}) ${verdict} under the Linux-kernel memory model.`);
  if (r.positive > 0 && r.witnesses.length > 0) {
    const x = r.witnesses[0]!;
    const d = new Describer(t, x);
    lines.push('', `An execution that reaches it (1 of ${r.positive}):`, ...d.listing());
    lines.push('', ...allowedReasons(d, x));
  } else if (r.positive === 0) {
    const cx = r.counterexamples[0];
    if (!cx) {
      lines.push('', 'No candidate execution reaches it at all: the values it names are never read or written (no cycle is involved).');
    } else {
      const d = new Describer(t, cx);
      lines.push('', 'Every candidate execution that would reach it is forbidden. For example:', ...d.listing());
      lines.push('', ...forbiddenReasons(d, cx));
    }
  }
  if (r.flags.includes('data-race')) lines.push('', 'Note: some allowed execution has a data race (Flag data-race): plain accesses race, so the compiler may do more than the model shows.');
  return lines.join('\n') + '\n';
}

function cycleText(d: Describer, cycle: readonly number[], rel: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < cycle.length; i++) {
    const a = cycle[i]!;
    const b = cycle[(i + 1) % cycle.length]!;
    out.push(`  ${d.short(a)}`, `     -> ${d.why(rel, a, b)}`);
  }
  out.push(`  ${d.short(cycle[0]!)}  (back to the start)`);
  return out;
}

function forbiddenReasons(d: Describer, x: Execution): string[] {
  const ev = x.evaluated!;
  const p = x.prepared!;
  const u = p.g.u;
  const R = ev.rel;
  const axiom = ev.failed!;
  const out = [`It is forbidden by ${AXIOM_TEXT[axiom]}.`];
  if (axiom === 'coherence') {
    const com = R.rf!.slice();
    for (let k = 0; k < com.length; k++) com[k]! |= R.co![k]! | R.fr![k]! | p.poLoc[k]!;
    const c = u.findCycle(com);
    if (c) out.push('The cycle:', ...cycleText(d, c, 'com'));
  } else if (axiom === 'happens-before') {
    const c = u.findCycle(R.hb!);
    if (c) out.push('The hb cycle:', ...cycleText(d, c, 'hb'));
  } else if (axiom === 'propagation') {
    const c = u.findCycle(R.pb!);
    if (c) {
      out.push('The pb cycle (each link: a propagation path, a strong fence, then happens-before):');
      for (let i = 0; i < c.length; i++) {
        const a = c[i]!;
        const b = c[(i + 1) % c.length]!;
        out.push(`  ${d.short(a)}`, `     -> ${pbLink(d, x, a, b)}`);
      }
      out.push(`  ${d.short(c[0]!)}  (back to the start)`);
    }
  } else if (axiom === 'rcu') {
    out.push(...rcuReasons(d, x));
  } else if (axiom === 'atomic') {
    out.push('A store from another CPU comes, in coherence order, between the read and the write of the atomic operation.');
  }
  return out;
}

/**
 * rb = prop ; rcu-fence ; hb* ; pb*, with rcu-fence = po ; rcu-order ; po?:
 * name the grace periods and read-side critical sections, and the links.
 */
function rcuReasons(d: Describer, x: Execution): string[] {
  const R = x.evaluated!.rel;
  const p = x.prepared!;
  const u = p.g.u;
  const w = u.w;
  const rel = (name: string, i: number, j: number): boolean => R[name] !== undefined && relHas(R[name]!, w, i, j);
  const out: string[] = [];
  const gps = x.events.filter((e) => e.kind === 'SRCU' || (e.kind === 'F' && e.tags.includes('sync-rcu'))).map((e) => e.id);
  const rscs: [number, number][] = [];
  for (let i = 0; i < u.n; i++) for (let j = 0; j < u.n; j++) if (relHas(p.rcuRscs, w, i, j) || rel('srcu-rscs', i, j)) rscs.push([i, j]);
  out.push(
    'A read-side critical section cannot span a grace period: synchronize_rcu() waits for every critical section that started before it.',
    `Grace periods: ${gps.map((g) => d.short(g)).join(', ') || 'none'}.`,
    `Read-side critical sections: ${rscs.map(([l, un]) => `${d.short(l)} .. ${d.short(un)}`).join('; ') || 'none'}.`,
  );
  let e = -1;
  for (let i = 0; i < u.n && e < 0; i++) if (relHas(R.rb!, w, i, i)) e = i;
  if (e < 0) return out;
  // e -prop-> c -rcu-fence-> f -(hb|pb)*-> e
  const xb = R['xb*'];
  for (let c = 0; c < u.n; c++) {
    if (!rel('prop', e, c)) continue;
    for (let f = 0; f < u.n; f++) {
      if (!rel('rcu-fence', c, f) || !(f === e || (xb !== undefined && relHas(xb, w, f, e)))) continue;
      out.push('The cycle, through rb = prop ; rcu-fence ; hb* ; pb*:');
      out.push(`  ${d.short(e)}`, `     -> ${e === c ? '(the same event: prop is reflexive)' : d.whyProp(e, c)}`);
      out.push(`  ${d.short(c)}`, `     -> ${rcuFenceText(d, x, c, f, gps, rscs)}`);
      if (f !== e) out.push(`  ${d.short(f)}`, `     -> ${d.short(f)} executes before ${d.short(e)} (hb and pb)`);
      out.push(`  ${d.short(e)}  (back to the start)`);
      return out;
    }
  }
  out.push(`${d.short(e)} is ordered before itself by rb.`);
  return out;
}

function rcuFenceText(d: Describer, x: Execution, c: number, f: number, gps: number[], rscs: [number, number][]): string {
  const R = x.evaluated!.rel;
  const w = x.prepared!.g.u.w;
  const po = (i: number, j: number): boolean => relHas(R.po!, w, i, j);
  const link = R['rcu-link'];
  // the common case: c before a grace period g, f inside a critical section [l, un] that g had to wait for
  for (const g of gps) {
    if (!po(c, g)) continue;
    for (const [l, un] of rscs) {
      if (!(l === f || po(l, f))) continue;
      if (link && relHas(link, w, g, un))
        return `${d.short(c)} comes before the grace period ${d.short(g)}, and ${d.short(f)} is in the critical section ${d.short(l)} .. ${d.short(un)}, which ends after the grace period starts (${linkText(d, x, g, un)}): the grace period must wait for that critical section, so ${d.short(c)} is ordered before ${d.short(f)} (rcu-fence)`;
    }
  }
  for (const [l, un] of rscs) {
    if (!po(c, un) && c !== un) continue;
    for (const g of gps) {
      if (!(po(g, f) || g === f)) continue;
      if (link && relHas(link, w, l, g))
        return `${d.short(c)} is in the critical section ${d.short(l)} .. ${d.short(un)}, which starts before the grace period ${d.short(g)} ends (${linkText(d, x, l, g)}): the grace period waits for it, so ${d.short(c)} is ordered before ${d.short(f)}, after the grace period (rcu-fence)`;
    }
  }
  return `grace periods and critical sections order ${d.short(c)} before ${d.short(f)} (rcu-fence)`;
}

/** rcu-link = po? ; hb* ; pb* ; prop ; po, in words. */
function linkText(d: Describer, x: Execution, from: number, to: number): string {
  const R = x.evaluated!.rel;
  const u = x.prepared!.g.u;
  const w = u.w;
  const has = (name: string, i: number, j: number): boolean => R[name] !== undefined && relHas(R[name]!, w, i, j);
  for (let a = 0; a < u.n; a++) {
    if (!(a === from || has('po', from, a) || has('xb*', from, a))) continue;
    for (let b = 0; b < u.n; b++) {
      if (!has('prop', a, b) || !has('po', b, to)) continue;
      return `${d.short(a)} follows it; ${a === b ? '' : `${d.whyProp(a, b)}; `}${d.short(b)} precedes ${d.short(to)}`;
    }
  }
  return 'rcu-link';
}

function pbLink(d: Describer, x: Execution, a: number, b: number): string {
  const R = x.evaluated!.rel;
  const u = x.prepared!.g.u;
  const w = u.w;
  for (let c = 0; c < u.n; c++) {
    if (!relHas(R.prop!, w, a, c)) continue;
    for (let e = 0; e < u.n; e++) {
      if (!relHas(R['strong-fence']!, w, c, e) || !relHas(R['hb*']!, w, e, b)) continue;
      const prop = a === c ? '' : `${d.whyProp(a, c)}; `;
      const sf = d.whyPpo(c, e) ?? `a strong fence orders ${d.short(c)} before ${d.short(e)}`;
      const hb = e === b ? '' : `; ${d.short(e)} happens before ${d.short(b)} (hb)`;
      return `${prop}${sf}${hb}`;
    }
  }
  return `${d.short(a)} propagates before ${d.short(b)} (pb)`;
}

function allowedReasons(d: Describer, x: Execution): string[] {
  const p = x.prepared!;
  const u = p.g.u;
  const R = x.evaluated!.rel;
  // A cycle of program order and communication: what sequential consistency would forbid.
  // over memory accesses only: fences are not links of such a cycle
  const scRel = u.restrict(R.po!, p.M, p.M);
  for (let k = 0; k < scRel.length; k++) scRel[k]! |= R.rf![k]! | R.co![k]! | R.fr![k]!;
  const c = u.findCycle(scRel);
  if (!c) return ['It is allowed even under sequential consistency: some interleaving of the processes produces it.'];
  const out = ['It is allowed: no axiom of the LKMM forbids it. Sequential consistency would forbid the cycle'];
  for (let i = 0; i < c.length; i++) {
    const a = c[i]!;
    const b = c[(i + 1) % c.length]!;
    let link: string;
    if (!relHas(R.po!, u.w, a, b)) link = d.why('com', a, b);
    else {
      const why = relHas(R.ppo!, u.w, a, b) ? d.whyPpo(a, b) : null;
      link = why ? `program order, kept: ${why}` : 'program order, not kept';
    }
    out.push(`  ${d.short(a)}`, `     -> ${link}`);
  }
  out.push(`  ${d.short(c[0]!)}  (back to the start)`);
  out.push('but the LKMM does not order these program-order links:');
  let any = false;
  for (let i = 0; i < c.length; i++) {
    const a = c[i]!;
    const b = c[(i + 1) % c.length]!;
    if (!relHas(R.po!, u.w, a, b)) continue;
    const why = d.whyPpo(a, b);
    if (why && relHas(R.ppo!, u.w, a, b)) continue;
    any = true;
    out.push(`  - ${d.short(a)} -> ${d.short(b)}: ${unorderedAdvice(d, x, a, b)}`);
  }
  if (!any) out.push('  (each link is ordered within its process, but the cycle has more non-reads-from links than strong fences: see the propagation axiom)');
  return out;
}

function unorderedAdvice(_d: Describer, x: Execution, a: number, b: number): string {
  const ea = x.events[a]!;
  const eb = x.events[b]!;
  const isR = (k: string): boolean => k === 'R' || k === 'LKR' || k === 'LF' || k === 'RL' || k === 'RU';
  const ra = isR(ea.kind);
  const rb = isR(eb.kind);
  if (!ra && !rb) return 'two stores with nothing between them that orders stores (smp_wmb(), smp_store_release() on the second, or a full barrier)';
  if (ra && rb) return 'two loads with nothing that orders them (smp_rmb(), smp_load_acquire() on the first, an address dependency, or a full barrier)';
  if (ra) return 'a load then a store, not ordered (a dependency, smp_load_acquire() on the load, smp_store_release() on the store, or a full barrier would order them)';
  return 'a store then a load: only a full barrier (smp_mb()) orders a store before a later load';
}

/** Runs a test and explains its outcome in words. */
export function explainLitmus(test: LitmusTest | string, opts: RunOptions = {}): string {
  return explainResult(runLitmus(test, { ...opts, keepWitnesses: Math.max(1, opts.keepWitnesses ?? 1) }));
}
