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
import { Universe, add, has, isEmpty, relAdd, relHas } from './bitrel';
import { evaluate, prepare, type Axiom, type Evaluated, type Prepared, type StaticGraph } from './model';
import { StateTable, compareVal } from './states';
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

/** A final state: the values of the observed locations (`Enumeration.observed`), in herd7's order. */
export interface FinalState {
  readonly values: readonly Val[];
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
  /** judge every candidate with the whole model: no pruning, no shortcut (for testing the pruning) */
  readonly exhaustive?: boolean;
  /** @internal prune subtrees in tests with more candidates than this (default 64; tests lower it) */
  readonly pruneAbove?: number;
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

/**
 * The writes a read may read from in a coherent execution: same location, not
 * po-after the read (CoRW), and when its own process wrote the location
 * before it, that last write or another process's write (CoWR: the initial
 * value and its own earlier writes are overwritten for it).
 */
function coherentSources(combo: Combo, locs: readonly (string | undefined)[], r: number): number[] {
  const { events } = combo;
  const p = events[r]!.proc;
  let lastOwn = -1;
  for (const w of combo.writes) if (events[w]!.proc === p && w < r && locs[w] === locs[r]) lastOwn = w;
  return combo.writes.filter((w) => {
    if (locs[w] !== locs[r]) return false;
    const ew = events[w]!;
    if (ew.proc === p && w > r) return false;
    if (lastOwn >= 0 && (ew.kind === 'IW' || (ew.proc === p && w !== lastOwn))) return false;
    return true;
  });
}

/** Below this many leaves a subtree is enumerated candidate by candidate. */
const SMALL_SUBTREE = 4;
/** Tests with fewer candidates than this are enumerated candidate by candidate from the start. */
const SMALL_TEST = 64;

class Enumerator {
  readonly test: LitmusTest;
  readonly observed: StateLoc[];
  readonly states: StateTable;
  positive = 0;
  negative = 0;
  candidates = 0;
  readonly flagSet = new Set<string>();
  readonly witnesses: Execution[] = [];
  readonly counterexamples: Execution[] = [];
  readonly keep: number;
  readonly exhaustive: boolean;
  readonly pruneAbove: number;
  private readonly deadline: number;
  private steps = 0;
  readonly globalIndex = new Map<string, number>();
  readonly observedGlobals: Set<string>;

  constructor(
    readonly prog: Program,
    opts: EnumerateOptions,
  ) {
    this.test = prog.test;
    this.observed = observedLocations(this.test);
    this.states = new StateTable(this.observed.length);
    this.observedGlobals = new Set(this.observed.filter((l) => l.kind === 'global').map((l) => l.name));
    this.keep = opts.keepWitnesses ?? 0;
    this.exhaustive = opts.exhaustive === true;
    this.pruneAbove = opts.pruneAbove ?? SMALL_TEST;
    this.deadline = opts.timeLimitMs !== undefined ? Date.now() + opts.timeLimitMs : Infinity;
    prog.globals.forEach((g, i) => this.globalIndex.set(g, i));
    this.cond = compileProp(this.test.condition.prop, this.observed);
    this.filter = this.test.filter ? compileProp(this.test.filter, this.observed) : undefined;
  }

  /** The condition and filter, over the observed values (other locations through `get`). */
  readonly cond: CompiledProp;
  readonly filter: CompiledProp | undefined;

  tick(): void {
    if ((++this.steps & 1023) === 0 && Date.now() > this.deadline)
      throw new LitmusTimeoutError(`${this.test.name}: gave up after the time limit`);
  }

  run(): Enumeration {
    const per = this.prog.paths;
    if (per.some((p) => p.length === 0)) return this.result();
    const symbolic = per.some((ps) =>
      ps.some((p) => p.events.some((e) => e.addr !== undefined && (e.addr.k !== 'c' || typeof e.addr.v !== 'string' || !this.globalIndex.has(e.addr.v)))),
    );
    if (symbolic) this.product(per, (paths) => this.slowCombo(paths));
    else if (this.exhaustive) this.product(per, (paths) => this.fastCombo(paths));
    else this.pathSearch(per, (paths) => this.fastCombo(paths));
    return this.result();
  }

  private product(per: readonly (readonly Path[])[], f: (paths: Path[]) => void): void {
    const idx = per.map(() => 0);
    for (;;) {
      f(per.map((p, i) => p[idx[i]!]!));
      let k = per.length - 1;
      while (k >= 0) {
        idx[k]!++;
        if (idx[k]! < per[k]!.length) break;
        idx[k] = 0;
        k--;
      }
      if (k < 0) return;
    }
  }

  /**
   * Path combinations, depth first, dropping those whose branch conditions no
   * value could satisfy: each read may only return the initial value or a
   * value some write of a chosen (or any still open) path stores there.
   */
  private pathSearch(per: readonly (readonly Path[])[], f: (paths: Path[]) => void): void {
    if (per.every((p) => p.length === 1)) {
      f(per.map((p) => p[0]!));
      return;
    }
    const init = this.prog.initVals;
    const TOP = null;
    type Dom = Set<Val> | null;
    // values each path writes per location (null: unknown)
    const writesOf = per.map((ps) =>
      ps.map((p) => {
        const m = new Map<string, Dom>();
        for (const e of p.events) {
          if (e.kind !== 'W') continue;
          const l = (e.addr as { v: string }).v;
          const cur = m.has(l) ? m.get(l)! : new Set<Val>();
          if (cur === TOP || e.val!.k !== 'c') m.set(l, TOP);
          else m.set(l, cur.add(e.val!.v));
        }
        return m;
      }),
    );
    const chosen: Path[] = [];
    const chosenIdx: number[] = [];
    const feasible = (): boolean => {
      const dom = new Map<string, Dom>();
      const addAll = (m: Map<string, Dom>): void => {
        for (const [l, d] of m) {
          const cur = dom.get(l);
          if (cur === TOP) continue;
          if (d === TOP) dom.set(l, TOP);
          else {
            const s = cur ?? new Set<Val>([init.get(l) ?? 0]);
            for (const v of d) s.add(v);
            dom.set(l, s);
          }
        }
      };
      for (let p = 0; p < per.length; p++) {
        if (p < chosen.length) addAll(writesOf[p]![chosenIdx[p]!]!);
        else for (const m of writesOf[p]!) addAll(m);
      }
      const domOf = (l: string): Dom => (dom.has(l) ? dom.get(l)! : new Set<Val>([init.get(l) ?? 0]));
      for (let p = 0; p < chosen.length; p++) {
        const path = chosen[p]!;
        for (const c of path.cons) {
          const reads = new Set<number>();
          collectReads(c.s, reads);
          const rs = [...reads];
          const doms: Val[][] = [];
          let size = 1;
          let unknown = false;
          for (const r of rs) {
            const ev = path.events[path.reads[r]!]!;
            const d = domOf((ev.addr as { v: string }).v);
            if (d === TOP) {
              unknown = true;
              break;
            }
            doms.push([...d]);
            size *= d.size;
          }
          if (unknown || size > 256) continue;
          const asg = new Map<number, Val>();
          const tryAll = (i: number): boolean => {
            if (i === rs.length) {
              const v = evalSymWith(c.s, (r) => asg.get(r));
              return v === undefined || truthy(v) === c.want;
            }
            for (const v of doms[i]!) {
              asg.set(rs[i]!, v);
              if (tryAll(i + 1)) return true;
            }
            return false;
          };
          if (!tryAll(0)) return false;
        }
      }
      return true;
    };
    const walk = (p: number): void => {
      if (p === per.length) {
        f(chosen.slice());
        return;
      }
      const ps = per[p]!;
      for (let i = 0; i < ps.length; i++) {
        chosen.push(ps[i]!);
        chosenIdx.push(i);
        if (feasible()) walk(p + 1);
        chosen.pop();
        chosenIdx.pop();
      }
    };
    walk(0);
  }

  private result(): Enumeration {
    const states = this.states.sorted().map((values) => ({ values }));
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

  /** Records one allowed execution that passed the filter; `values` builds its state when it is new. */
  recordState(sat: boolean, flags: readonly string[]): void {
    this.states.add();
    if (sat) this.positive++;
    else this.negative++;
    for (let i = 0; i < flags.length; i++) this.flagSet.add(flags[i]!);
  }

  buildCombo(paths: readonly Path[]): Combo {
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

  private fastCombo(paths: readonly Path[]): void {
    const combo = this.buildCombo(paths);
    const locs = combo.constLoc;
    const prep = prepare(this.staticGraph(combo, locs));
    if (prep.staticFailed && this.keep === 0 && !this.exhaustive) return;
    const cands = combo.reads.map((r) => coherentSources(combo, locs, r));
    new ComboRunner(this, combo, locs, prep, cands, this.keep === 0 && !this.exhaustive && !prep.hasPlain && !prep.hasSrcu).run();
  }

  /** Tests whose addresses depend on values read: rf first, then values, then locations. */
  private slowCombo(paths: readonly Path[]): void {
    const combo = this.buildCombo(paths);
    const { reads, writes, constLoc } = combo;
    const cands = reads.map((r) => writes.filter((w) => constLoc[r] === undefined || constLoc[w] === undefined || constLoc[r] === constLoc[w]));
    const rf = new Int32Array(combo.events.length).fill(-1);
    const prepCache = new Map<string, Prepared>();
    const walk = (k: number): void => {
      this.tick();
      if (k < reads.length) {
        const r = reads[k]!;
        for (const w of cands[k]!) {
          rf[r] = w;
          walk(k + 1);
        }
        rf[r] = -1;
        return;
      }
      const locs = this.solveLocations(combo, rf);
      if (!locs) return;
      const key = locs.join('\u0001');
      let prep = prepCache.get(key);
      if (!prep) prepCache.set(key, (prep = prepare(this.staticGraph(combo, locs))));
      if (prep.staticFailed && this.keep === 0) return;
      new ComboRunner(this, combo, locs, prep, reads.map((r) => [rf[r]!]), false).run();
    };
    walk(0);
  }

  /** The location of every event once the values read are known, or null when they cannot be solved. */
  private solveLocations(combo: Combo, rf: Int32Array): (string | undefined)[] | null {
    const vals = new Map<number, Val>();
    const visiting = new Set<number>();
    const { events } = combo;
    const initVals = this.prog.initVals;
    const readVal = (r: number): Val | undefined => {
      const have = vals.get(r);
      if (have !== undefined) return have;
      if (visiting.has(r)) return undefined;
      visiting.add(r);
      const we = events[rf[r]!]!;
      const v = we.kind === 'IW' ? (initVals.get(we.global!) ?? 0) : this.evalSym(we.pe!.val!, we.proc, combo, readVal);
      visiting.delete(r);
      if (v !== undefined) vals.set(r, v);
      return v;
    };
    for (const r of combo.reads) if (readVal(r) === undefined) return null;
    const locs: (string | undefined)[] = new Array(events.length);
    for (const e of events) {
      if (e.kind === 'IW') {
        locs[e.id] = e.global;
        continue;
      }
      if (e.kind === 'F') continue;
      const a = this.evalSym(e.pe!.addr!, e.proc, combo, readVal);
      if (typeof a !== 'string' || !this.globalIndex.has(a)) return null;
      locs[e.id] = a;
    }
    for (const r of combo.reads) if (locs[r] !== locs[rf[r]!]) return null;
    return locs;
  }

  evalSym(s: Sym, proc: number, combo: Combo, readVal: (r: number) => Val | undefined): Val | undefined {
    const ids = combo.readIds[proc]!;
    return evalSymWith(s, (r) => readVal(ids[r]!));
  }

  staticGraph(combo: Combo, locs: readonly (string | undefined)[]): StaticGraph {
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
    const lockKinds = new Set(['LKR', 'LKW', 'UL', 'LF', 'RL', 'RU']);
    const k = (i: number): string => events[i]!.kind;
    // po, int, ext and loc by direct loops: events of a process are consecutive.
    const w = u.w;
    const po = u.rel();
    const intR = u.rel();
    const ext = u.rel();
    const loc = u.rel();
    for (let i = 0; i < n; i++) {
      const pi = events[i]!.proc;
      const li = locs[i];
      for (let j = 0; j < n; j++) {
        const same = events[j]!.proc === pi;
        if (same) relAdd(intR, w, i, j);
        else relAdd(ext, w, i, j);
        if (same && pi >= 0 && i < j) relAdd(po, w, i, j);
        if (li !== undefined && li === locs[j]) relAdd(loc, w, i, j);
      }
    }
    const addr = u.rel();
    const data = u.rel();
    const ctrl = u.rel();
    const rmw = u.rel();
    for (const e of events) {
      if (!e.pe) continue;
      const ids = combo.readIds[e.proc]!;
      for (const r of e.pe.addrDeps) relAdd(addr, w, ids[r]!, e.id);
      for (const r of e.pe.dataDeps) relAdd(data, w, ids[r]!, e.id);
      for (const r of e.pe.ctrlDeps) relAdd(ctrl, w, ids[r]!, e.id);
      if (e.pe.rmwWith !== undefined) relAdd(rmw, w, combo.firstId[e.proc]! + e.pe.rmwWith, e.id);
    }
    return {
      u,
      IW: kindSet('IW'),
      R0: kindSet('R'),
      W0: u.setOf((i) => k(i) === 'W' || k(i) === 'IW'),
      M0: u.setOf((i) => k(i) === 'W' || k(i) === 'IW' || k(i) === 'R' || lockKinds.has(k(i))),
      F: kindSet('F'),
      LKR: kindSet('LKR'),
      LKW: kindSet('LKW'),
      UL: kindSet('UL'),
      LF: kindSet('LF'),
      RL: kindSet('RL'),
      RU: kindSet('RU'),
      SyncSrcu: kindSet('SRCU'),
      SrcuLock: tag.get('srcu-lock') ?? u.set(),
      SrcuUnlock: tag.get('srcu-unlock') ?? u.set(),
      tag,
      observedLoc: u.setOf((i) => locs[i] !== undefined && this.observedGlobals.has(locs[i]!)),
      po,
      loc,
      int: intR,
      ext,
      addr,
      data,
      ctrl,
      rmw,
    };
  }
}

type CompiledProp = (vals: readonly Val[], get: (l: StateLoc) => Val) => boolean;

/** A proposition as a function of the observed values (herd7's condition and filter). */
function compileProp(p: Prop, observed: readonly StateLoc[]): CompiledProp {
  switch (p.kind) {
    case 'true':
      return () => true;
    case 'false':
      return () => false;
    case 'atom': {
      const want = typeof p.value === 'number' ? p.value : p.value.sym;
      const k = locKey(p.loc);
      const i = observed.findIndex((l) => locKey(l) === k);
      const loc = p.loc;
      if (i >= 0) return (vals) => vals[i] === want;
      return (_vals, get) => get(loc) === want;
    }
    case 'not': {
      const a = compileProp(p.arg, observed);
      return (v, g) => !a(v, g);
    }
    case 'and': {
      const as = p.args.map((a) => compileProp(a, observed));
      return (v, g) => as.every((a) => a(v, g));
    }
    case 'or': {
      const as = p.args.map((a) => compileProp(a, observed));
      return (v, g) => as.some((a) => a(v, g));
    }
    case 'implies': {
      const a = compileProp(p.left, observed);
      const b = compileProp(p.right, observed);
      return (v, g) => !a(v, g) || b(v, g);
    }
  }
}

function collectReads(s: Sym, out: Set<number>): void {
  switch (s.k) {
    case 'r':
      out.add(s.r);
      return;
    case 'u':
      collectReads(s.a, out);
      return;
    case 'b':
      collectReads(s.a, out);
      collectReads(s.b, out);
      return;
    case 'ite':
      collectReads(s.c, out);
      collectReads(s.t, out);
      collectReads(s.e, out);
      return;
    default:
      return;
  }
}

/** Evaluates a symbolic value given the values of the path's reads (undefined: unknown or meaningless). */
export function evalSymWith(s: Sym, readVal: (r: number) => Val | undefined): Val | undefined {
  switch (s.k) {
    case 'c':
      return s.v;
    case 'r':
      return readVal(s.r);
    case 'u': {
      const a = evalSymWith(s.a, readVal);
      return a === undefined ? undefined : evalOp(s.op, a);
    }
    case 'b': {
      const a = evalSymWith(s.a, readVal);
      if (a === undefined) return undefined;
      const b = evalSymWith(s.b, readVal);
      return b === undefined ? undefined : evalOp(s.op, a, b);
    }
    case 'ite': {
      const c = evalSymWith(s.c, readVal);
      if (c === undefined) return undefined;
      return evalSymWith(truthy(c) ? s.t : s.e, readVal);
    }
  }
}

/**
 * The candidates of one combination of paths whose locations are known:
 * reads-from choices for engine reads and lock reads, then coherence orders.
 */
class ComboRunner {
  private readonly n: number;
  private readonly u: Universe;
  /**
   * Choice variables, in order: the read-like events and their possible
   * sources (rf), then the locations with more than one possible coherence
   * order (`loc`: index in coLocs, candidates: indexes of its orders).
   */
  private readonly vars: { ev: number; cands: number[]; loc?: number }[] = [];
  /** rf source of every read-like event (-1: none yet) */
  private readonly src: Int32Array;
  /** per location with writes: its static linear extensions, and the same with the matched unlocks inserted */
  private readonly coLocs: { loc: string; exts: number[][]; full: number[][] }[] = [];
  private readonly coChoice: number[] = [];
  private readonly coOver: Uint32Array;
  private readonly coStatic: Uint32Array;
  /** po-loc pairs of memory events, for the cheap coherence check */
  private readonly poLocPairs: [number, number][] = [];
  private readonly rmwPairs: [number, number][] = [];
  private readonly isWriteLike: Uint8Array;
  private readonly lkrOf: Int32Array;
  private readonly hasLkr: boolean;
  private cheapOk = true;
  /** whether to cut subtrees whose common part already breaks an axiom */
  private prune = false;
  private readonly pos: Int32Array;
  private readonly valMemo: (Val | undefined)[];
  private readonly valStamp: Int32Array;
  private stamp = 1;
  /** remaining leaves below variable k (capped) */
  private readonly below: number[];
  private readonly locIndex: Map<string, number>;
  /** locations with more than one possible coherence order */
  private readonly coMulti: number[];
  /** per location and order: the order as a relation */
  private readonly coExtRel: Uint32Array[][];
  /** per location: the index of its choice variable, or -1 */
  private readonly coVarOf: number[];
  private readonly rmwLoc: number[];
  private readonly obs: { reg: boolean; proc: number; sym: Sym | undefined; loc: number; init: Val }[];
  private readonly obsVals: Val[];
  /** whether a sequentially consistent candidate is allowed without evaluating the model (no RCU, SRCU or plain accesses) */
  private readonly scShortcut: boolean;
  private readonly coNextBuf: Int32Array;
  private readonly underSrc: Int32Array;
  private readonly adjStart: Int32Array;
  private readonly adjFill: Int32Array;
  private readonly adj: Int32Array;
  private readonly colourBuf: Uint8Array;
  private readonly stackBuf: Int32Array;
  private readonly cursorBuf: Int32Array;

  constructor(
    private readonly en: Enumerator,
    private readonly combo: Combo,
    private readonly locs: readonly (string | undefined)[],
    private readonly prep: Prepared,
    engineCands: readonly number[][],
    private shortcut: boolean,
  ) {
    const { events } = combo;
    const g = prep.g;
    this.u = g.u;
    this.n = events.length;
    this.src = new Int32Array(this.n).fill(-1);
    this.pos = new Int32Array(this.n).fill(-1);
    this.valMemo = new Array(this.n);
    this.valStamp = new Int32Array(this.n);
    combo.reads.forEach((r, i) => this.vars.push({ ev: r, cands: engineCands[i]! }));
    const sameLoc = (a: number, b: number): boolean => locs[a] === locs[b];
    // lock.cat: rfi-lf / rfe-lf for failed trylocks and spin_is_locked() returning true; rf-ru otherwise.
    for (const e of events) {
      if (e.kind !== 'LF' && e.kind !== 'RL' && e.kind !== 'RU') continue;
      if (e.kind === 'LF' || e.kind === 'RL') {
        const inside = events.filter(
          (x) => x.kind === 'LKW' && x.proc === e.proc && x.id < e.id && sameLoc(x.id, e.id) &&
            !events.some((y) => y.kind === 'UL' && y.proc === e.proc && y.id > x.id && y.id < e.id && sameLoc(y.id, e.id)),
        );
        const cands = inside.length > 0 ? inside.map((x) => x.id) : events.filter((x) => x.kind === 'LKW' && x.proc !== e.proc && sameLoc(x.id, e.id)).map((x) => x.id);
        this.vars.push({ ev: e.id, cands });
      } else {
        const cands: number[] = [];
        const before = events.filter((x) => x.kind === 'UL' && x.proc === e.proc && x.id < e.id && sameLoc(x.id, e.id));
        const last = before[before.length - 1];
        if (last) cands.push(last.id);
        for (const x of events) if ((x.kind === 'UL' || x.kind === 'IW') && x.proc !== e.proc && sameLoc(x.id, e.id)) cands.push(x.id);
        this.vars.push({ ev: e.id, cands });
      }
    }
    // Coherence orders: linear extensions of the static part of cobase (co0, po-loc among writes).
    const u = this.u;
    const w = u.w;
    this.isWriteLike = new Uint8Array(this.n);
    const coWriter = (i: number): boolean => has(g.W0, i) || has(g.LKW, i);
    for (let i = 0; i < this.n; i++) if (coWriter(i) || has(g.UL, i)) this.isWriteLike[i] = 1;
    const byLoc = new Map<string, number[]>();
    for (let i = 0; i < this.n; i++) {
      if (!coWriter(i)) continue;
      const l = locs[i]!;
      let a = byLoc.get(l);
      if (!a) byLoc.set(l, (a = []));
      a.push(i);
    }
    const before = (a: number, b: number): boolean => {
      if (has(g.IW, a)) return true;
      if (has(g.IW, b)) return false;
      if (events[a]!.proc === events[b]!.proc && a < b) return true;
      if (has(g.LKW, a) && has(prep.unmatchedLKW, b) && !has(prep.unmatchedLKW, a)) return true;
      return false;
    };
    const ulAfter = new Map<number, number>();
    for (let i = 0; i < this.n; i++)
      for (let j = 0; j < this.n; j++) if (relHas(prep.critical, w, i, j)) ulAfter.set(i, j);
    for (let i = 0; i < this.n; i++) if (has(g.UL, i) && ![...ulAfter.values()].includes(i)) this.cheapOk = false;
    this.coOver = u.rel();
    this.coStatic = u.rel();
    for (const [loc, ws] of byLoc) {
      for (const a of ws) for (const b of ws) if (a !== b && before(a, b)) relAdd(this.coStatic, w, a, b);
      const exts: number[][] = [];
      const ord: number[] = [];
      const placed = new Set<number>();
      const ext = (): void => {
        if (ord.length === ws.length) {
          exts.push(ord.slice());
          return;
        }
        for (const x of ws) {
          if (placed.has(x)) continue;
          if (ws.some((y) => !placed.has(y) && y !== x && before(y, x))) continue;
          placed.add(x);
          ord.push(x);
          ext();
          ord.pop();
          placed.delete(x);
        }
      };
      ext();
      const full = exts.map((o) => {
        const f: number[] = [];
        for (const x of o) {
          f.push(x);
          const ul = ulAfter.get(x);
          if (ul !== undefined) f.push(ul);
        }
        return f;
      });
      for (const o of exts) for (let a = 0; a < o.length; a++) for (let b = a + 1; b < o.length; b++) relAdd(this.coOver, w, o[a]!, o[b]!);
      this.coLocs.push({ loc, exts, full });
      this.coChoice.push(0);
    }
    // po-loc pairs and rmw pairs, for the cheap checks
    const memLike = (i: number): boolean => this.isWriteLike[i] === 1 || has(prep.R, i);
    for (let i = 0; i < this.n; i++) {
      if (events[i]!.proc < 0 || !memLike(i)) continue;
      for (let j = i + 1; j < this.n; j++)
        if (events[j]!.proc === events[i]!.proc && memLike(j) && sameLoc(i, j)) this.poLocPairs.push([i, j]);
    }
    for (let i = 0; i < this.n; i++) for (let j = 0; j < this.n; j++) if (relHas(prep.rmw, w, i, j)) this.rmwPairs.push([i, j]);
    this.lkrOf = new Int32Array(this.n).fill(-1);
    for (const [r, wv] of this.rmwPairs) if (has(g.LKR, r)) this.lkrOf[wv] = r;
    this.hasLkr = !isEmpty(g.LKR);
    this.locIndex = new Map(this.coLocs.map((c, i) => [c.loc, i]));
    this.coMulti = this.coLocs.flatMap((c, i) => (c.exts.length > 1 ? [i] : []));
    this.coExtRel = this.coLocs.map((c) =>
      c.exts.map((o) => {
        const r = u.rel();
        for (let a = 0; a < o.length; a++) for (let b = a + 1; b < o.length; b++) relAdd(r, w, o[a]!, o[b]!);
        return r;
      }),
    );
    this.coVarOf = this.coLocs.map(() => -1);
    for (const li of this.coMulti) {
      this.coVarOf[li] = this.vars.length;
      this.vars.push({ ev: -1, cands: this.coLocs[li]!.exts.map((_, x) => x), loc: li });
    }
    this.rmwLoc = this.rmwPairs.map(([, wv]) => this.locIndex.get(this.locs[wv]!)!);
    // How to read each observed location at a leaf.
    this.obs = en.observed.map((l) => {
      if (l.kind === 'reg') {
        const s = combo.paths[l.proc]?.regs.get(l.name);
        return { reg: true, proc: l.proc, sym: s, loc: -1, init: 0 as Val };
      }
      return { reg: false, proc: -1, sym: undefined, loc: this.locIndex.get(l.name) ?? -1, init: en.prog.initVals.get(l.name) ?? 0 };
    });
    this.obsVals = new Array(this.obs.length);
    this.scShortcut = this.cheapOk && !prep.hasRcu && !prep.hasPlain && !prep.hasSrcu;
    const nn = this.n;
    this.coNextBuf = new Int32Array(nn);
    this.underSrc = new Int32Array(nn);
    this.adjStart = new Int32Array(nn + 1);
    this.adjFill = new Int32Array(nn);
    this.adj = new Int32Array(4 * nn + 4);
    this.colourBuf = new Uint8Array(nn);
    this.stackBuf = new Int32Array(nn + 1);
    this.cursorBuf = new Int32Array(nn + 1);
    // leaves below each variable
    this.below = new Array(this.vars.length + 1);
    this.below[this.vars.length] = 1;
    for (let k = this.vars.length - 1; k >= 0; k--) this.below[k] = Math.min(1e9, this.below[k + 1]! * this.vars[k]!.cands.length);
  }

  run(): void {
    if (this.vars.some((v) => v.cands.length === 0)) return;
    this.prune = this.en.keep === 0 && !this.en.exhaustive && this.below[0]! > this.en.pruneAbove;
    if (!this.prune) this.shortcut = false;
    this.node(0);
  }

  private node(k: number): void {
    this.en.tick();
    if (this.prune && this.below[k]! > SMALL_SUBTREE) {
      if (this.shortcut && evaluate(this.prep, this.approx(k, 'over'), { mode: 'over' }).allowed) {
        this.enumerateCheap(k);
        return;
      }
      if (k > 0 && !evaluate(this.prep, this.approx(k, 'under'), { mode: 'under' }).allowed) return;
    }
    if (k === this.vars.length) {
      this.leafExact();
      return;
    }
    const v = this.vars[k]!;
    for (const c of v.cands) {
      this.choose(v, c);
      this.node(k + 1);
    }
    if (v.ev >= 0) this.src[v.ev] = -1;
  }

  private choose(v: { ev: number; loc?: number }, c: number): void {
    if (v.loc !== undefined) this.coChoice[v.loc] = c;
    else this.src[v.ev] = c;
  }

  /** The rf and co of every completion of the choices made for variables before k (over), or common to all (under). */
  private approx(k: number, mode: 'over' | 'under'): { rf: Uint32Array; co: Uint32Array } {
    const { u } = this;
    const w = u.w;
    const rf = u.rel();
    for (let i = 0; i < this.vars.length; i++) {
      const v = this.vars[i]!;
      if (v.ev < 0) continue;
      if (i < k) relAdd(rf, w, this.src[v.ev]!, v.ev);
      else if (mode === 'over') for (const c of v.cands) relAdd(rf, w, c, v.ev);
    }
    // coherence orders chosen so far
    const chosenCo: Uint32Array[] = [];
    for (const li of this.coMulti) if (this.coVarOf[li]! < k) chosenCo.push(this.coExtRel[li]![this.coChoice[li]!]!);
    if (mode === 'over') {
      if (chosenCo.length === 0) return { rf, co: this.coOver };
      const co = this.coStatic.slice();
      this.coLocs.forEach((c, li) => {
        const r = this.coVarOf[li]! >= 0 && this.coVarOf[li]! < k ? this.coExtRel[li]![this.coChoice[li]!]! : null;
        if (r) for (let q = 0; q < co.length; q++) co[q]! |= r[q]!;
        else for (const o of this.coExtRel[li]!) for (let q = 0; q < co.length; q++) co[q]! |= o[q]!;
      });
      return { rf, co };
    }
    // under: the static order plus what the chosen reads observe (cos-opt.cat's obsco);
    // only the sources chosen so far count (an LKR's source is derived later)
    const co = this.coStatic.slice();
    const src = this.underSrc.fill(-1);
    for (let i = 0; i < k; i++) if (this.vars[i]!.ev >= 0) src[this.vars[i]!.ev] = this.src[this.vars[i]!.ev]!;
    for (const r of chosenCo) for (let q = 0; q < co.length; q++) co[q]! |= r[q]!;
    const cw = (x: number): boolean => x >= 0 && this.isWriteLike[x] === 1 && !has(this.prep.g.UL, x);
    for (const [a, b] of this.poLocPairs) {
      const aw = cw(a) && this.isWriteLike[a] === 1;
      const bw = cw(b);
      const sa = src[a]!;
      const sb = src[b]!;
      if (!this.isWriteLike[a] && sa >= 0 && bw && cw(sa)) relAdd(co, w, sa, b);
      if (aw && !this.isWriteLike[b] && sb >= 0 && sb !== a && cw(sb)) relAdd(co, w, a, sb);
      if (!this.isWriteLike[a] && !this.isWriteLike[b] && sa >= 0 && sb >= 0 && sa !== sb && cw(sa) && cw(sb)) relAdd(co, w, sa, sb);
    }
    return { rf, co: u.plus(co) };
  }

  /** Every completion of the choices before k is allowed by hb, pb and rcu: only cheap checks remain. */
  private enumerateCheap(k: number): void {
    if (k === this.vars.length) {
      this.leaf(true);
      return;
    }
    const v = this.vars[k]!;
    for (const c of v.cands) {
      this.choose(v, c);
      this.enumerateCheap(k + 1);
    }
    if (v.ev >= 0) this.src[v.ev] = -1;
  }

  private leafExact(): void {
    this.leaf(false);
  }

  /** evalSymWith for process `proc`, without allocating. */
  private symVal(s: Sym, proc: number): Val | undefined {
    switch (s.k) {
      case 'c':
        return s.v;
      case 'r':
        return this.readVal(this.combo.readIds[proc]![s.r]!);
      case 'u': {
        const a = this.symVal(s.a, proc);
        return a === undefined ? undefined : evalOp(s.op, a);
      }
      case 'b': {
        const a = this.symVal(s.a, proc);
        if (a === undefined) return undefined;
        const b = this.symVal(s.b, proc);
        return b === undefined ? undefined : evalOp(s.op, a, b);
      }
      case 'ite': {
        const c = this.symVal(s.c, proc);
        if (c === undefined) return undefined;
        return this.symVal(truthy(c) ? s.t : s.e, proc);
      }
    }
  }

  private readVal = (r: number): Val | undefined => {
    if (this.valStamp[r] === this.stamp) return this.valMemo[r];
    this.valStamp[r] = this.stamp;
    this.valMemo[r] = undefined; // breaks value cycles
    const s = this.src[r]!;
    const v = this.valueOf(s);
    this.valMemo[r] = v;
    return v;
  };

  private valueOf(wv: number): Val | undefined {
    const e = this.combo.events[wv]!;
    switch (e.kind) {
      case 'IW':
        return this.en.prog.initVals.get(e.global!) ?? 0;
      case 'LKW':
        return 1;
      case 'UL':
        return 0;
      default:
        return this.symVal(e.pe!.val!, e.proc);
    }
  }

  private leaf(cheap: boolean): void {
    this.en.tick();
    this.stamp++;
    const { combo } = this;
    const en = this.en;
    // Values read, and the paths' branch constraints.
    const reads = combo.reads;
    for (let i = 0; i < reads.length; i++) if (this.readVal(reads[i]!) === undefined) return;
    for (let p = 0; p < combo.paths.length; p++) {
      const cons = combo.paths[p]!.cons;
      for (let i = 0; i < cons.length; i++) {
        const c = cons[i]!;
        const v = this.symVal(c.s, p);
        if (v === undefined || truthy(v) !== c.want) return;
      }
    }
    let allowed: boolean;
    let flags: readonly string[] = this.prep.staticFlags;
    let ev: Evaluated | undefined;
    if (cheap && this.cheapOk) {
      allowed = this.cheapCheck();
    } else if (this.cheapOk && en.keep === 0 && !en.exhaustive && !this.cheapCheck()) {
      // coherence or atomicity fails: no need for the rest of the model
      allowed = false;
    } else if (this.scShortcut && en.keep === 0 && !en.exhaustive && this.scCheck()) {
      // Sequentially consistent (acyclic po | rf | co | fr) and atomic: hb and
      // pb are included in (po | com)+, so they are acyclic too.
      allowed = true;
    } else {
      ev = evaluate(this.prep, this.choices(), en.keep > 0 ? { keep: true } : {});
      allowed = ev.allowed;
      flags = ev.flags;
    }
    en.candidates++;
    // Final state.
    const obsVals = this.obsVals;
    for (let i = 0; i < this.obs.length; i++) obsVals[i] = this.obsValue(i);
    if (en.filter && !en.filter(obsVals, this.getLoc)) return;
    const sat = en.cond(obsVals, this.getLoc);
    if (allowed) {
      const row = en.states.row;
      for (let i = 0; i < obsVals.length; i++) row[i] = en.states.code(obsVals[i]!);
      en.recordState(sat, flags);
    }
    if (en.keep > 0 && sat) {
      const list = allowed ? en.witnesses : en.counterexamples;
      if (list.length < en.keep) list.push(this.snapshot(allowed, ev!, this.getLoc));
    }
  }

  private readonly getLoc = (l: StateLoc): Val => this.stateValue(l);

  private obsValue(i: number): Val {
    const o = this.obs[i]!;
    if (o.reg) return o.sym ? (this.symVal(o.sym, o.proc) ?? 0) : 0;
    if (o.loc < 0) return o.init;
    const f = this.coLocs[o.loc]!.full[this.coChoice[o.loc]!]!;
    return this.valueOf(f[f.length - 1]!) ?? 0;
  }

  private snapshot(allowed: boolean, ev: Evaluated, get: (l: StateLoc) => Val): Execution {
    const rf = new Map<number, number>();
    for (let i = 0; i < this.n; i++) if (this.src[i]! >= 0) rf.set(i, this.src[i]!);
    const co = new Map<string, number[]>();
    this.coLocs.forEach((c, i) => co.set(c.loc, c.full[this.coChoice[i]!]!.slice()));
    const values = new Map<number, Val>();
    for (const e of this.combo.events) {
      if (e.kind === 'R') {
        const v = this.readVal(e.id);
        if (v !== undefined) values.set(e.id, v);
      } else if (e.kind === 'W' || e.kind === 'IW') {
        const v = this.valueOf(e.id);
        if (v !== undefined) values.set(e.id, v);
      }
    }
    return {
      events: this.combo.events,
      rf,
      co,
      values,
      locs: this.locs.slice(),
      state: { values: this.en.observed.map((l) => get(l)) },
      satisfies: true,
      allowed,
      ...(ev.failed ? { failed: ev.failed } : {}),
      flags: ev.flags,
      evaluated: ev,
      prepared: this.prep,
    };
  }

  private choices(): { rf: Uint32Array; co: Uint32Array; value?: (Val | undefined)[] } {
    const { u } = this;
    const w = u.w;
    const rf = u.rel();
    for (const v of this.vars) if (v.ev >= 0) relAdd(rf, w, this.src[v.ev]!, v.ev);
    const co = u.rel();
    this.coLocs.forEach((c, i) => {
      const o = c.exts[this.coChoice[i]!]!;
      for (let a = 0; a < o.length; a++) for (let b = a + 1; b < o.length; b++) relAdd(co, w, o[a]!, o[b]!);
    });
    if (!this.prep.hasSrcu) return { rf, co };
    const value: (Val | undefined)[] = new Array(this.n);
    for (const e of this.combo.events) {
      if (e.kind === 'R') value[e.id] = this.readVal(e.id);
      else if (e.kind === 'W') value[e.id] = this.valueOf(e.id);
    }
    return { rf, co, value };
  }

  /** Whether po | rf | co | fr is acyclic (call after cheapCheck, which sets the LKR sources). */
  private scCheck(): boolean {
    const n = this.n;
    const events = this.combo.events;
    const src = this.src;
    const coNext = this.coNextBuf.fill(-1);
    for (let i = 0; i < this.coLocs.length; i++) {
      const f = this.coLocs[i]!.full[this.coChoice[i]!]!;
      for (let x = 0; x + 1 < f.length; x++) coNext[f[x]!] = f[x + 1]!;
    }
    // Edges as compressed rows: po to the next event of the process, co to the
    // next write, rf to each reader, fr from a read to the write after its source.
    const start = this.adjStart.fill(0);
    const add = (a: number, b: number, fill: boolean): void => {
      if (b < 0) return;
      if (fill) this.adj[this.adjFill[a]!++] = b;
      else start[a + 1]!++;
    };
    for (let pass = 0; pass < 2; pass++) {
      const fill = pass === 1;
      if (fill) {
        for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
        this.adjFill.set(start.subarray(0, n));
      }
      for (let v = 0; v < n; v++) {
        const p = events[v]!.proc;
        if (p >= 0 && v + 1 < n && events[v + 1]!.proc === p) add(v, v + 1, fill);
        if (this.isWriteLike[v] === 1) add(v, coNext[v]!, fill);
        else {
          const s = src[v]!;
          if (s >= 0) {
            add(s, v, fill);
            add(v, coNext[s]!, fill);
          }
        }
      }
    }
    // Depth-first search with colours.
    const colour = this.colourBuf.fill(0);
    const stack = this.stackBuf;
    const cursor = this.cursorBuf;
    const adj = this.adj;
    for (let root = 0; root < n; root++) {
      if (colour[root] !== 0) continue;
      let sp = 0;
      stack[0] = root;
      cursor[0] = start[root]!;
      colour[root] = 1;
      while (sp >= 0) {
        const v = stack[sp]!;
        const end = start[v + 1]!;
        let c = cursor[sp]!;
        let next = -1;
        while (c < end) {
          const t = adj[c++]!;
          if (colour[t] === 1) return false;
          if (colour[t] === 0) {
            next = t;
            break;
          }
        }
        cursor[sp] = c;
        if (next < 0) {
          colour[v] = 2;
          sp--;
        } else {
          sp++;
          stack[sp] = next;
          cursor[sp] = start[next]!;
          colour[next] = 1;
        }
      }
    }
    return true;
  }

  /** Coherence (SC per location) and atomicity of a complete candidate, by positions in co. */
  private cheapCheck(): boolean {
    const pos = this.pos;
    const src = this.src;
    const g = this.prep.g;
    const hasLkr = this.hasLkr;
    for (let i = 0; i < this.coLocs.length; i++) {
      const f = this.coLocs[i]!.full[this.coChoice[i]!]!;
      for (let x = 0; x < f.length; x++) {
        const e = f[x]!;
        pos[e] = x;
        if (!hasLkr) continue;
        // LKR reads the initial write or unlock right before its LKW in co.
        const lkr = this.lkrOf[e]!;
        if (lkr < 0) continue;
        const prev = x > 0 ? f[x - 1]! : -1;
        src[lkr] = prev >= 0 && (has(g.IW, prev) || has(g.UL, prev)) ? prev : -1;
      }
    }
    const isW = this.isWriteLike;
    const pairs = this.poLocPairs;
    for (let i = 0; i < pairs.length; i++) {
      const pr = pairs[i]!;
      const a = pr[0];
      const b = pr[1];
      let ta: number;
      if (isW[a] === 1) ta = 2 * pos[a]!;
      else {
        const s = src[a]!;
        if (s < 0) continue;
        ta = 2 * pos[s]! + 1;
      }
      let tb: number;
      if (isW[b] === 1) tb = 2 * pos[b]!;
      else {
        const s = src[b]!;
        if (s < 0) continue;
        tb = 2 * pos[s]! + 1;
      }
      if (ta < tb) continue;
      if (ta === tb && (ta & 1) === 1) continue;
      return false;
    }
    const events = this.combo.events;
    for (let i = 0; i < this.rmwPairs.length; i++) {
      const [r, wv] = this.rmwPairs[i]!;
      const s = src[r]!;
      if (s < 0) continue;
      const li = this.rmwLoc[i]!;
      const order = this.coLocs[li]!.full[this.coChoice[li]!]!;
      for (let x = pos[s]! + 1; x < pos[wv]!; x++) if (events[order[x]!]!.proc !== events[r]!.proc) return false;
    }
    return true;
  }

  private stateValue(l: StateLoc): Val {
    if (l.kind === 'reg') {
      const path = this.combo.paths[l.proc];
      const s = path?.regs.get(l.name);
      if (!s) return 0;
      return this.symVal(s, l.proc) ?? 0;
    }
    const i = this.coLocs.findIndex((c) => c.loc === l.name);
    if (i < 0) return this.en.prog.initVals.get(l.name) ?? 0;
    const f = this.coLocs[i]!.full[this.coChoice[i]!]!;
    return this.valueOf(f[f.length - 1]!) ?? 0;
  }
}

/** Enumerates the candidate executions of a compiled test and judges each by the LKMM. */
export function enumerate(prog: Program, opts: EnumerateOptions = {}): Enumeration {
  return new Enumerator(prog, opts).run();
}

export { locKey, compareVal };
