// Candidate executions of a compiled litmus test, and their judgement by the
// LKMM. A candidate is a choice of one control-flow path per process, a
// reads-from source for every read (herd7's engine reads first, then lock.cat's
// `with rfe-lf` and `with rf-ru` choices for failed trylocks and
// spin_is_locked()), and a coherence order per location that extends the
// order the reads observe (herdtools7 herd/libdir/cos-opt.cat). Every allowed
// candidate is one execution in herd7's Positive/Negative counts.
//
// Speed: reads are assigned in program order and every partial assignment is
// checked against the model on the relations it already fixes (all the
// LKMM's relations grow with rf, co and fr, and its axioms are acyclicity,
// irreflexivity and emptiness, so a violation found early holds for every
// completion and the whole subtree is cut).
import type { LitmusTest, Prop, StateLoc } from './ast';
import { Universe, add, has, relAdd, relHas } from './bitrel';
import { evaluate, prepare, type Axiom, type Evaluated, type Prepared, type StaticGraph } from './model';
import { evalOp, truthy, type EvKind, type Path, type PathEvent, type Program, type Sym, type Val } from './program';

/** One event of a candidate execution. */
export interface ExecEvent {
  readonly id: number;
  /** -1 for the initial writes */
  readonly proc: number;
  readonly kind: EvKind | 'IW';
  readonly tags: readonly string[];
  readonly pe?: PathEvent;
  /** the global an initial write initialises */
  readonly global?: string;
}

/** A final state: the observed locations and their values, in herd7's order. */
export interface FinalState {
  readonly values: readonly (readonly [StateLoc, Val])[];
}

/** An allowed (or, for explanations, forbidden) execution kept for reporting. */
export interface Execution {
  readonly events: readonly ExecEvent[];
  /** rf source of each read event (event id → write id) */
  readonly rf: ReadonlyMap<number, number>;
  /** coherence order per location (write ids, first is the initial write) */
  readonly co: ReadonlyMap<string, readonly number[]>;
  readonly values: ReadonlyMap<number, Val>;
  readonly locs: readonly (string | undefined)[];
  readonly state: FinalState;
  readonly satisfies: boolean;
  readonly allowed: boolean;
  readonly failed?: Axiom;
  readonly flags: readonly string[];
  readonly evaluated?: Evaluated;
  readonly prepared?: Prepared;
}

export interface EnumerateOptions {
  /** keep up to this many executions that satisfy the condition (allowed or not), for explanations */
  readonly keepWitnesses?: number;
  /** give up after this many milliseconds (throws LitmusTimeoutError) */
  readonly timeLimitMs?: number;
}

export interface Enumeration {
  readonly states: FinalState[];
  readonly positive: number;
  readonly negative: number;
  readonly flags: string[];
  /** executions judged by the model (allowed or not) */
  readonly candidates: number;
  readonly witnesses: Execution[];
  readonly counterexamples: Execution[];
  readonly observed: readonly StateLoc[];
}

/** The enumeration took longer than the caller allowed. */
export class LitmusTimeoutError extends Error {
  override readonly name = 'LitmusTimeoutError';
  readonly errno = 'ETIMEDOUT';
}

function locKey(l: StateLoc): string {
  return l.kind === 'reg' ? `${l.proc}:${l.name}` : `[${l.name}]`;
}

/** herd7 displays registers first (by process, then name), then globals by name. */
export function compareLoc(a: StateLoc, b: StateLoc): number {
  if (a.kind !== b.kind) return a.kind === 'reg' ? -1 : 1;
  if (a.kind === 'reg' && b.kind === 'reg') {
    if (a.proc !== b.proc) return a.proc - b.proc;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** herd7 orders integers before addresses; integers numerically, addresses by name. */
export function compareVal(a: Val, b: Val): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function propLocs(p: Prop | undefined, out: StateLoc[]): void {
  if (!p) return;
  switch (p.kind) {
    case 'atom':
      out.push(p.loc);
      return;
    case 'not':
      propLocs(p.arg, out);
      return;
    case 'and':
    case 'or':
      for (const a of p.args) propLocs(a, out);
      return;
    case 'implies':
      propLocs(p.left, out);
      propLocs(p.right, out);
      return;
    default:
      return;
  }
}

/** The locations herd7 shows in each final state: `locations [...]` and those of the condition. */
export function observedLocations(test: LitmusTest): StateLoc[] {
  const all: StateLoc[] = [...test.locations];
  propLocs(test.condition.prop, all);
  const seen = new Map<string, StateLoc>();
  for (const l of all) seen.set(locKey(l), l);
  return [...seen.values()].sort(compareLoc);
}

function valEq(a: Val, b: Val): boolean {
  return a === b;
}

export function evalProp(p: Prop, get: (l: StateLoc) => Val): boolean {
  switch (p.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'atom':
      return valEq(get(p.loc), typeof p.value === 'number' ? p.value : p.value.sym);
    case 'not':
      return !evalProp(p.arg, get);
    case 'and':
      return p.args.every((a) => evalProp(a, get));
    case 'or':
      return p.args.some((a) => evalProp(a, get));
    case 'implies':
      return !evalProp(p.left, get) || evalProp(p.right, get);
  }
}

/** Everything about one combination of paths that does not depend on rf or co. */
interface Combo {
  readonly events: ExecEvent[];
  readonly paths: readonly Path[];
  /** per process: local read index → event id */
  readonly readIds: readonly (readonly number[])[];
  /** per process: first event id */
  readonly firstId: readonly number[];
  /** engine reads (kind R), in event order */
  readonly reads: readonly number[];
  /** writes that engine reads may read from (kind W and IW) */
  readonly writes: readonly number[];
  /** constant location of each event, when its address does not depend on a read */
  readonly constLoc: readonly (string | undefined)[];
}

class Enumerator {
  private readonly test: LitmusTest;
  private readonly observed: StateLoc[];
  private readonly stateSet = new Map<string, FinalState>();
  private positive = 0;
  private negative = 0;
  private candidates = 0;
  private readonly flagSet = new Set<string>();
  readonly witnesses: Execution[] = [];
  readonly counterexamples: Execution[] = [];
  private readonly keep: number;
  private readonly deadline: number;
  private steps = 0;
  private readonly globalIndex = new Map<string, number>();

  constructor(
    private readonly prog: Program,
    opts: EnumerateOptions,
  ) {
    this.test = prog.test;
    this.observed = observedLocations(this.test);
    this.keep = opts.keepWitnesses ?? 0;
    this.deadline = opts.timeLimitMs !== undefined ? Date.now() + opts.timeLimitMs : Infinity;
    prog.globals.forEach((g, i) => this.globalIndex.set(g, i));
  }

  private tick(): void {
    if ((++this.steps & 1023) === 0 && Date.now() > this.deadline)
      throw new LitmusTimeoutError(`${this.test.name}: gave up after the time limit`);
  }

  run(): Enumeration {
    const per = this.prog.paths;
    const idx = per.map(() => 0);
    if (per.some((p) => p.length === 0)) return this.result();
    for (;;) {
      this.runCombo(per.map((p, i) => p[idx[i]!]!));
      let k = per.length - 1;
      while (k >= 0) {
        idx[k]!++;
        if (idx[k]! < per[k]!.length) break;
        idx[k] = 0;
        k--;
      }
      if (k < 0) break;
    }
    return this.result();
  }

  private result(): Enumeration {
    const states = [...this.stateSet.values()].sort((a, b) => {
      for (let i = 0; i < a.values.length; i++) {
        const c = compareVal(a.values[i]![1], b.values[i]![1]);
        if (c !== 0) return c;
      }
      return 0;
    });
    return {
      states,
      positive: this.positive,
      negative: this.negative,
      flags: [...this.flagSet].sort(),
      candidates: this.candidates,
      witnesses: this.witnesses,
      counterexamples: this.counterexamples,
      observed: this.observed,
    };
  }

  private buildCombo(paths: readonly Path[]): Combo {
    const events: ExecEvent[] = [];
    const constLoc: (string | undefined)[] = [];
    for (const g of this.prog.globals) {
      constLoc.push(g);
      events.push({ id: events.length, proc: -1, kind: 'IW', tags: [], global: g });
    }
    const readIds: number[][] = [];
    const firstId: number[] = [];
    paths.forEach((p, proc) => {
      firstId.push(events.length);
      const base = events.length;
      for (const pe of p.events) {
        constLoc.push(pe.addr && pe.addr.k === 'c' && typeof pe.addr.v === 'string' ? pe.addr.v : undefined);
        events.push({ id: events.length, proc, kind: pe.kind, tags: pe.tags, pe });
      }
      readIds.push(p.reads.map((r) => base + r));
    });
    const reads: number[] = [];
    const writes: number[] = [];
    for (const e of events) {
      if (e.kind === 'R') reads.push(e.id);
      if (e.kind === 'W' || e.kind === 'IW') writes.push(e.id);
    }
    return { events, paths, readIds, firstId, reads, writes, constLoc };
  }

  private runCombo(paths: readonly Path[]): void {
    const combo = this.buildCombo(paths);
    const { reads, writes, constLoc } = combo;
    // Candidate sources per read (same location when both are known).
    const cands = reads.map((r) => writes.filter((w) => constLoc[r] === undefined || constLoc[w] === undefined || constLoc[r] === constLoc[w]));
    const rf = new Int32Array(combo.events.length).fill(-1);
    const prepCache = new Map<string, Prepared>();
    const walk = (k: number): void => {
      this.tick();
      if (k === reads.length) {
        this.leaf(combo, rf, prepCache);
        return;
      }
      const r = reads[k]!;
      for (const w of cands[k]!) {
        rf[r] = w;
        walk(k + 1);
      }
      rf[r] = -1;
    };
    walk(0);
  }

  /** Values of every read, or null when they cannot be solved (a cycle of values, or no meaning). */
  private solveValues(combo: Combo, rf: Int32Array): Map<number, Val> | null {
    const vals = new Map<number, Val>();
    const visiting = new Set<number>();
    const { events } = combo;
    const initVals = this.prog.initVals;
    const readVal = (r: number): Val | undefined => {
      const have = vals.get(r);
      if (have !== undefined) return have;
      if (visiting.has(r)) return undefined;
      visiting.add(r);
      const w = rf[r]!;
      const we = events[w]!;
      let v: Val | undefined;
      if (we.kind === 'IW') v = initVals.get(we.global!) ?? 0;
      else v = this.evalSym(we.pe!.val!, we.proc, combo, readVal);
      visiting.delete(r);
      if (v !== undefined) vals.set(r, v);
      return v;
    };
    for (const r of combo.reads) if (readVal(r) === undefined) return null;
    return vals;
  }

  evalSym(s: Sym, proc: number, combo: Combo, readVal: (r: number) => Val | undefined): Val | undefined {
    switch (s.k) {
      case 'c':
        return s.v;
      case 'r':
        return readVal(combo.readIds[proc]![s.r]!);
      case 'u': {
        const a = this.evalSym(s.a, proc, combo, readVal);
        return a === undefined ? undefined : evalOp(s.op, a);
      }
      case 'b': {
        const a = this.evalSym(s.a, proc, combo, readVal);
        if (a === undefined) return undefined;
        const b = this.evalSym(s.b, proc, combo, readVal);
        return b === undefined ? undefined : evalOp(s.op, a, b);
      }
      case 'ite': {
        const c = this.evalSym(s.c, proc, combo, readVal);
        if (c === undefined) return undefined;
        return this.evalSym(truthy(c) ? s.t : s.e, proc, combo, readVal);
      }
    }
  }

  private leaf(combo: Combo, rf: Int32Array, prepCache: Map<string, Prepared>): void {
    const vals = this.solveValues(combo, rf);
    if (!vals) return;
    const { events } = combo;
    const get = (r: number): Val | undefined => vals.get(r);
    // Locations, now that values are known.
    const locs: (string | undefined)[] = new Array(events.length);
    for (const e of events) {
      if (e.kind === 'IW') {
        locs[e.id] = e.global;
        continue;
      }
      if (e.kind === 'F') continue;
      const a = this.evalSym(e.pe!.addr!, e.proc, combo, get);
      if (typeof a !== 'string' || !this.globalIndex.has(a)) return; // not an address of a global
      locs[e.id] = a;
    }
    for (const r of combo.reads) if (locs[r] !== locs[rf[r]!]) return;
    // Branch and RMW-outcome constraints.
    for (let p = 0; p < combo.paths.length; p++)
      for (const c of combo.paths[p]!.cons) {
        const v = this.evalSym(c.s, p, combo, get);
        if (v === undefined || truthy(v) !== c.want) return;
      }
    const key = locs.join('\u0001');
    let prep = prepCache.get(key);
    if (!prep) {
      prep = prepare(this.staticGraph(combo, locs));
      prepCache.set(key, prep);
    }
    this.lockChoices(combo, rf, vals, locs, prep);
  }

  private staticGraph(combo: Combo, locs: readonly (string | undefined)[]): StaticGraph {
    const { events } = combo;
    const n = events.length;
    const u = new Universe(n);
    const kindSet = (k: EvKind | 'IW'): Uint32Array => u.setOf((i) => events[i]!.kind === k);
    const tag = new Map<string, Uint32Array>();
    for (const e of events)
      for (const t of e.tags) {
        let s = tag.get(t);
        if (!s) tag.set(t, (s = u.set()));
        add(s, e.id);
      }
    const IW = kindSet('IW');
    const Wk = kindSet('W');
    const W0 = u.setOf((i) => events[i]!.kind === 'W' || events[i]!.kind === 'IW');
    const R0 = kindSet('R');
    const lockKinds = new Set(['LKR', 'LKW', 'UL', 'LF', 'RL', 'RU']);
    const M0 = u.setOf((i) => events[i]!.kind === 'W' || events[i]!.kind === 'IW' || events[i]!.kind === 'R' || lockKinds.has(events[i]!.kind));
    void Wk;
    const po = u.relOf((i, j) => events[i]!.proc >= 0 && events[i]!.proc === events[j]!.proc && i < j);
    const intR = u.relOf((i, j) => events[i]!.proc === events[j]!.proc);
    const ext = u.relOf((i, j) => events[i]!.proc !== events[j]!.proc);
    const loc = u.relOf((i, j) => locs[i] !== undefined && locs[i] === locs[j]);
    const addr = u.rel();
    const data = u.rel();
    const ctrl = u.rel();
    const rmw = u.rel();
    for (const e of events) {
      if (!e.pe) continue;
      const ids = combo.readIds[e.proc]!;
      for (const r of e.pe.addrDeps) relAdd(addr, u.w, ids[r]!, e.id);
      for (const r of e.pe.dataDeps) relAdd(data, u.w, ids[r]!, e.id);
      for (const r of e.pe.ctrlDeps) relAdd(ctrl, u.w, ids[r]!, e.id);
      if (e.pe.rmwWith !== undefined) relAdd(rmw, u.w, combo.firstId[e.proc]! + e.pe.rmwWith, e.id);
    }
    const observedGlobals = new Set(this.observed.filter((l) => l.kind === 'global').map((l) => l.name));
    return {
      u, IW, R0, W0, M0,
      F: kindSet('F'), LKR: kindSet('LKR'), LKW: kindSet('LKW'), UL: kindSet('UL'), LF: kindSet('LF'),
      RL: kindSet('RL'), RU: kindSet('RU'), SyncSrcu: kindSet('SRCU'),
      SrcuLock: tag.get('srcu-lock') ?? u.set(), SrcuUnlock: tag.get('srcu-unlock') ?? u.set(),
      tag,
      observedLoc: u.setOf((i) => locs[i] !== undefined && observedGlobals.has(locs[i]!)),
      po, loc, int: intR, ext, addr, data, ctrl, rmw,
    };
  }

  /** lock.cat's `with rfe-lf` and `with rf-ru`: where failed trylocks and spin_is_locked() read from. */
  private lockChoices(combo: Combo, rf: Int32Array, vals: Map<number, Val>, locs: readonly (string | undefined)[], prep: Prepared): void {
    const { events } = combo;
    const g = prep.g;
    const choices: { r: number; srcs: number[] }[] = [];
    const lockReads = events.filter((e) => e.kind === 'LF' || e.kind === 'RL' || e.kind === 'RU');
    for (const e of lockReads) {
      const sameLoc = (x: ExecEvent): boolean => locs[x.id] === locs[e.id];
      if (e.kind === 'LF' || e.kind === 'RL') {
        // rfi-lf: the LKW of the critical section this event is in.
        const inside = events.filter(
          (x) => x.kind === 'LKW' && x.proc === e.proc && x.id < e.id && sameLoc(x) &&
            !events.some((y) => y.kind === 'UL' && y.proc === e.proc && y.id > x.id && y.id < e.id && sameLoc(y)),
        );
        if (inside.length > 0) choices.push({ r: e.id, srcs: inside.map((x) => x.id) });
        else choices.push({ r: e.id, srcs: events.filter((x) => x.kind === 'LKW' && x.proc !== e.proc && sameLoc(x)).map((x) => x.id) });
      } else {
        const srcs: number[] = [];
        const before = events.filter((x) => x.kind === 'UL' && x.proc === e.proc && x.id < e.id && sameLoc(x));
        const last = before[before.length - 1];
        if (last) srcs.push(last.id);
        for (const x of events) if ((x.kind === 'UL' || x.kind === 'IW') && x.proc !== e.proc && sameLoc(x)) srcs.push(x.id);
        choices.push({ r: e.id, srcs });
      }
    }
    void g;
    const chosen = new Int32Array(events.length).fill(-1);
    for (const r of combo.reads) chosen[r] = rf[r]!;
    const walk = (k: number): void => {
      if (k === choices.length) {
        this.coChoices(combo, chosen, vals, locs, prep);
        return;
      }
      const c = choices[k]!;
      for (const s of c.srcs) {
        chosen[c.r] = s;
        walk(k + 1);
      }
      chosen[c.r] = -1;
    };
    walk(0);
  }

  /** cos-opt.cat: coherence orders that extend the order the reads observe. */
  private coChoices(combo: Combo, rfArr: Int32Array, vals: Map<number, Val>, locs: readonly (string | undefined)[], prep: Prepared): void {
    const { events } = combo;
    const g = prep.g;
    const { u } = g;
    const n = events.length;
    const isW = (i: number): boolean => has(g.W0, i) || has(g.LKW, i);
    const isR = (i: number): boolean => has(prep.R, i);
    // cobase = obsco | co0 (rmwco is empty: LKMM RMWs are two events)
    const base = u.rel();
    const w = u.w;
    for (let i = 0; i < n; i++) {
      if (!isW(i) || has(g.IW, i)) continue;
      const iw = this.globalIndex.get(locs[i]!)!;
      relAdd(base, w, iw, i);
    }
    for (let i = 0; i < n; i++) {
      if (!has(prep.unmatchedLKW, i)) continue;
      for (let j = 0; j < n; j++) if (j !== i && has(g.LKW, j) && locs[j] === locs[i]) relAdd(base, w, j, i);
    }
    for (let i = 0; i < n; i++) {
      const pi = events[i]!.proc;
      if (pi < 0 || locs[i] === undefined) continue;
      for (let j = i + 1; j < n; j++) {
        if (events[j]!.proc !== pi || locs[j] !== locs[i]) continue;
        // i po-loc j
        const iW = isW(i);
        const jW = isW(j);
        const iR = isR(i);
        const jR = isR(j);
        if (iW && jW) relAdd(base, w, i, j);
        if (iR && jW && rfArr[i]! >= 0) relAdd(base, w, rfArr[i]!, j);
        if (iW && jR && rfArr[j]! >= 0 && rfArr[j] !== i) relAdd(base, w, i, rfArr[j]!);
        if (iR && jR && rfArr[i]! >= 0 && rfArr[j]! >= 0 && rfArr[i] !== rfArr[j]) relAdd(base, w, rfArr[i]!, rfArr[j]!);
      }
    }
    const closed = u.plus(base);
    if (!u.irreflexive(closed)) return;
    // Per-location linear extensions.
    const byLoc = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (!isW(i)) continue;
      const l = locs[i]!;
      let a = byLoc.get(l);
      if (!a) byLoc.set(l, (a = []));
      a.push(i);
    }
    const locList = [...byLoc.entries()];
    const orders: number[][] = locList.map(() => []);
    const rfRel = u.rel();
    for (let i = 0; i < n; i++) if (rfArr[i]! >= 0) relAdd(rfRel, w, rfArr[i]!, i);
    const walkLoc = (li: number): void => {
      if (li === locList.length) {
        const co = u.rel();
        for (const ord of orders) for (let a = 0; a < ord.length; a++) for (let b = a + 1; b < ord.length; b++) relAdd(co, w, ord[a]!, ord[b]!);
        this.judge(combo, rfArr, rfRel, co, orders, locList.map((x) => x[0]), vals, locs, prep);
        return;
      }
      const ws = locList[li]![1];
      const placed = new Uint8Array(n);
      const ord = orders[li]!;
      const ext = (): void => {
        if (ord.length === ws.length) {
          walkLoc(li + 1);
          return;
        }
        for (const x of ws) {
          if (placed[x]) continue;
          let ok = true;
          for (const y of ws) if (!placed[y] && y !== x && relHas(closed, w, y, x)) { ok = false; break; }
          if (!ok) continue;
          placed[x] = 1;
          ord.push(x);
          ext();
          ord.pop();
          placed[x] = 0;
        }
      };
      ext();
    };
    walkLoc(0);
  }

  private judge(
    combo: Combo,
    rfArr: Int32Array,
    rfRel: Uint32Array,
    co: Uint32Array,
    orders: number[][],
    locNames: string[],
    vals: Map<number, Val>,
    locs: readonly (string | undefined)[],
    prep: Prepared,
  ): void {
    this.tick();
    this.candidates++;
    const ev = evaluate(prep, { rf: rfRel, co, value: this.valueArray(combo, vals) }, { stopEarly: this.keep === 0 });
    // Final state.
    const coLast = new Map<string, number>();
    locNames.forEach((l, i) => {
      const o = orders[i]!;
      coLast.set(l, o[o.length - 1]!);
    });
    const get = (l: StateLoc): Val => this.stateValue(l, combo, vals, coLast);
    if (this.test.filter && !evalProp(this.test.filter, get)) return;
    const sat = evalProp(this.test.condition.prop, get);
    if (ev.allowed) {
      const values = this.observed.map((l) => [l, get(l)] as const);
      const key = values.map(([, v]) => (typeof v === 'number' ? `${v}` : `&${v}`)).join(',');
      if (!this.stateSet.has(key)) this.stateSet.set(key, { values });
      if (sat) this.positive++;
      else this.negative++;
      for (const f of ev.flags) this.flagSet.add(f);
    }
    if (this.keep > 0 && sat) {
      const list = ev.allowed ? this.witnesses : this.counterexamples;
      if (list.length < this.keep) {
        const rf = new Map<number, number>();
        for (let i = 0; i < rfArr.length; i++) if (rfArr[i]! >= 0) rf.set(i, rfArr[i]!);
        const coMap = new Map<string, number[]>();
        locNames.forEach((l, i) => coMap.set(l, orders[i]!.slice()));
        const full = evaluate(prep, { rf: rfRel, co, value: this.valueArray(combo, vals) }, { keep: true });
        list.push({
          events: combo.events, rf, co: coMap, values: new Map(vals), locs: locs.slice(),
          state: { values: this.observed.map((l) => [l, get(l)] as const) },
          satisfies: sat, allowed: ev.allowed, ...(ev.failed ? { failed: ev.failed } : {}),
          flags: ev.flags, evaluated: full, prepared: prep,
        });
      }
    }
  }

  private valueArray(combo: Combo, vals: Map<number, Val>): (Val | undefined)[] {
    const out: (Val | undefined)[] = new Array(combo.events.length);
    const get = (r: number): Val | undefined => vals.get(r);
    for (const e of combo.events) {
      if (e.kind === 'R') out[e.id] = vals.get(e.id);
      else if (e.kind === 'W') out[e.id] = this.evalSym(e.pe!.val!, e.proc, combo, get);
    }
    return out;
  }

  private stateValue(l: StateLoc, combo: Combo, vals: Map<number, Val>, coLast: Map<string, number>): Val {
    if (l.kind === 'reg') {
      const path = combo.paths[l.proc];
      const s = path?.regs.get(l.name);
      if (!s) return 0;
      return this.evalSym(s, l.proc, combo, (r) => vals.get(r)) ?? 0;
    }
    const w = coLast.get(l.name);
    if (w === undefined) return this.prog.initVals.get(l.name) ?? 0;
    const e = combo.events[w]!;
    if (e.kind === 'IW') return this.prog.initVals.get(l.name) ?? 0;
    if (e.kind === 'LKW') return 1;
    if (e.kind === 'UL') return 0;
    return this.evalSym(e.pe!.val!, e.proc, combo, (r) => vals.get(r)) ?? 0;
  }
}

/** Enumerates the candidate executions of a compiled test and judges each by the LKMM. */
export function enumerate(prog: Program, opts: EnumerateOptions = {}): Enumeration {
  return new Enumerator(prog, opts).run();
}

export { locKey };
