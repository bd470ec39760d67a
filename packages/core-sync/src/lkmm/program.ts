// From a parsed litmus test to the events each process may generate: every
// control-flow path of a process (if/else, and the success or failure of
// cmpxchg(), atomic_add_unless(), spin_trylock(), the two answers of
// spin_is_locked()) becomes a list of events whose values and addresses are
// symbolic in the values read. This follows herd7's C semantics (herdtools7
// herd/CSem.ml) with the macros of the kernel's tools/memory-model/linux-kernel.def
// (2024 version: RMW events carry their ONCE/ACQUIRE/RELEASE/MB/NORETURN tag,
// no fences around full-barrier RMWs). Dependencies follow herdtools7 PR #183:
// addr and data through registers; ctrl from the reads a condition depends on
// (through data, registers and earlier ctrl) to every event in the arms of the if.
import type { BinOp, Expr, LitmusTest, LitmusValue, SourcePos, Stmt } from './ast';
import { LitmusSyntaxError } from './parser';

/** A value: an integer, or the address of a global (its name). */
export type Val = number | string;

/** A symbolic value: constant, the value of the r-th read of the path, or an operation. */
export type Sym =
  | { readonly k: 'c'; readonly v: Val }
  | { readonly k: 'r'; readonly r: number }
  | { readonly k: 'u'; readonly op: '-' | '!' | '~'; readonly a: Sym }
  | { readonly k: 'b'; readonly op: BinOp; readonly a: Sym; readonly b: Sym }
  | { readonly k: 'ite'; readonly c: Sym; readonly t: Sym; readonly e: Sym };

/** Event kinds: herd7's memory, fence and lock events (lock.cat's LKR, LKW, UL, LF, RL, RU). */
export type EvKind = 'R' | 'W' | 'F' | 'LKR' | 'LKW' | 'UL' | 'LF' | 'RL' | 'RU' | 'SRCU';

/** One event of a path. Dependencies name read indexes of the same path. */
export interface PathEvent {
  readonly kind: EvKind;
  /** Annotations: ONCE RELEASE ACQUIRE MB NORETURN RMW srcu-lock srcu-unlock, or a fence name. */
  readonly tags: readonly string[];
  readonly addr?: Sym;
  /** For W: the value written. For reads: the read's own value. */
  readonly val?: Sym;
  /** For engine reads (kind R): the index of this read in the path. */
  readonly readIdx?: number;
  /** For the W of an RMW: the path index of its R. */
  readonly rmwWith?: number;
  readonly addrDeps: readonly number[];
  readonly dataDeps: readonly number[];
  readonly ctrlDeps: readonly number[];
  /** Where it comes from: the source statement and the primitive. */
  readonly pos: SourcePos;
  readonly text: string;
  readonly prim: string;
}

/** A branch or RMW-outcome constraint: `s` must be truthy (want) or falsy. */
export interface Constraint {
  readonly s: Sym;
  readonly want: boolean;
}

/** One control-flow path of a process. */
export interface Path {
  readonly events: readonly PathEvent[];
  /** Path event index of each read (engine reads only). */
  readonly reads: readonly number[];
  readonly cons: readonly Constraint[];
  /** Final value of every register. */
  readonly regs: ReadonlyMap<string, Sym>;
}

/** The test compiled to paths, with its globals and their initial values. */
export interface Program {
  readonly test: LitmusTest;
  /** Every global, in order of first appearance. */
  readonly globals: readonly string[];
  readonly initVals: ReadonlyMap<string, Val>;
  /** Globals declared with a lock type (spinlock_t) or used as a lock. */
  readonly paths: readonly (readonly Path[])[];
}

interface TVal {
  readonly s: Sym;
  readonly data: readonly number[];
  readonly any: readonly number[];
}

function merge(a: readonly number[], b: readonly number[]): readonly number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out.sort((x, y) => x - y);
}

const C0: TVal = { s: { k: 'c', v: 0 }, data: [], any: [] };
const C1: TVal = { s: { k: 'c', v: 1 }, data: [], any: [] };
const cst = (v: Val): TVal => ({ s: { k: 'c', v }, data: [], any: [] });

/** Evaluates an operator on concrete values; undefined when it has no meaning (pointer arithmetic, division by 0). */
export function evalOp(op: BinOp | '-' | '!' | '~' | 'neg', a: Val, b?: Val): Val | undefined {
  if (b === undefined) {
    if (op === '!') return typeof a === 'string' ? 0 : a === 0 ? 1 : 0;
    if (typeof a === 'string') return undefined;
    if (op === '-' || op === 'neg') return -a | 0;
    if (op === '~') return ~a;
    return undefined;
  }
  if (op === '==') return a === b ? 1 : 0;
  if (op === '!=') return a === b ? 0 : 1;
  if (op === '&&') return truthy(a) && truthy(b) ? 1 : 0;
  if (op === '||') return truthy(a) || truthy(b) ? 1 : 0;
  if (typeof a === 'string' || typeof b === 'string') return undefined;
  switch (op) {
    case '+':
      return (a + b) | 0;
    case '-':
      return (a - b) | 0;
    case '*':
      return Math.imul(a, b);
    case '/':
      return b === 0 ? undefined : (a / b) | 0;
    case '%':
      return b === 0 ? undefined : a % b | 0;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    case '<':
      return a < b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    default:
      return undefined;
  }
}

export function truthy(v: Val): boolean {
  return typeof v === 'string' ? true : v !== 0;
}

function mkBin(op: BinOp, a: TVal, b: TVal): TVal {
  if (a.s.k === 'c' && b.s.k === 'c') {
    const v = evalOp(op, a.s.v, b.s.v);
    if (v !== undefined) return cst(v);
  }
  return { s: { k: 'b', op, a: a.s, b: b.s }, data: merge(a.data, b.data), any: merge(a.any, b.any) };
}

function mkUn(op: '-' | '!' | '~', a: TVal): TVal {
  if (a.s.k === 'c') {
    const v = evalOp(op, a.s.v);
    if (v !== undefined) return cst(v);
  }
  return { s: { k: 'u', op, a: a.s }, data: a.data, any: a.any };
}

/** Mutable interpreter state of one path being built. */
class State {
  env: Map<string, TVal>;
  events: PathEvent[];
  reads: number[];
  cons: Constraint[];
  ctrl: readonly number[];
  constructor(env: Map<string, TVal>) {
    this.env = env;
    this.events = [];
    this.reads = [];
    this.cons = [];
    this.ctrl = [];
  }
  clone(): State {
    const s = new State(new Map(this.env));
    s.events = this.events.slice();
    s.reads = this.reads.slice();
    s.cons = this.cons.slice();
    s.ctrl = this.ctrl;
    return s;
  }
}

type Where = { pos: SourcePos; text: string };

interface PrimDef {
  readonly kind:
    | 'load' | 'store' | 'fence' | 'xchg' | 'cmpxchg' | 'op' | 'opret' | 'fetchop' | 'addunless'
    | 'lock' | 'unlock' | 'trylock' | 'islocked' | 'syncsrcu';
  readonly tag?: string;
  /** 'lval': the argument is `*p` (READ_ONCE style); 'ptr': the argument is the pointer. */
  readonly mode?: 'lval' | 'ptr';
  readonly op?: BinOp | '&~';
  /** Index of the location argument, and of the operand (for atomic ops). */
  readonly locArg?: number;
  readonly valArg?: number;
  readonly arity: number;
  /** atomic_*_and_test / atomic_add_negative: compare the new value. */
  readonly test?: '==0' | '<0';
  /** smp_store_mb: a full fence after the store. */
  readonly fenceAfter?: string;
}

const PRIMS = new Map<string, PrimDef>();
function prim(names: string | string[], d: PrimDef): void {
  for (const n of Array.isArray(names) ? names : [names]) PRIMS.set(n, d);
}

// ONCE, release/acquire (linux-kernel.def)
prim('READ_ONCE', { kind: 'load', tag: 'ONCE', mode: 'lval', arity: 1 });
prim('WRITE_ONCE', { kind: 'store', tag: 'ONCE', mode: 'lval', arity: 2 });
prim('smp_store_release', { kind: 'store', tag: 'RELEASE', mode: 'ptr', arity: 2 });
prim('smp_load_acquire', { kind: 'load', tag: 'ACQUIRE', mode: 'ptr', arity: 1 });
prim('rcu_assign_pointer', { kind: 'store', tag: 'RELEASE', mode: 'lval', arity: 2 });
prim('rcu_dereference', { kind: 'load', tag: 'ONCE', mode: 'lval', arity: 1 });
prim('smp_store_mb', { kind: 'store', tag: 'ONCE', mode: 'lval', arity: 2, fenceAfter: 'MB' });
// fences
const FENCES: [string, string][] = [
  ['smp_mb', 'MB'], ['smp_rmb', 'rmb'], ['smp_wmb', 'wmb'],
  ['smp_mb__before_atomic', 'before-atomic'], ['smp_mb__after_atomic', 'after-atomic'],
  ['smp_mb__after_spinlock', 'after-spinlock'], ['smp_mb__after_unlock_lock', 'after-unlock-lock'],
  ['smp_mb__after_srcu_read_unlock', 'after-srcu-read-unlock'], ['barrier', 'barrier'],
  ['rcu_read_lock', 'rcu-lock'], ['rcu_read_unlock', 'rcu-unlock'],
  ['synchronize_rcu', 'sync-rcu'], ['synchronize_rcu_expedited', 'sync-rcu'],
];
for (const [n, t] of FENCES) prim(n, { kind: 'fence', tag: t, arity: 0 });
// exchange
for (const [sfx, tag] of [['', 'MB'], ['_relaxed', 'ONCE'], ['_release', 'RELEASE'], ['_acquire', 'ACQUIRE']] as const) {
  prim([`xchg${sfx}`, `atomic_xchg${sfx}`], { kind: 'xchg', tag, mode: 'ptr', locArg: 0, valArg: 1, arity: 2 });
  prim([`cmpxchg${sfx}`, `atomic_cmpxchg${sfx}`], { kind: 'cmpxchg', tag, mode: 'ptr', locArg: 0, arity: 3 });
}
// spinlocks
prim('spin_lock', { kind: 'lock', mode: 'ptr', arity: 1 });
prim('spin_unlock', { kind: 'unlock', mode: 'ptr', arity: 1 });
prim('spin_trylock', { kind: 'trylock', mode: 'ptr', arity: 1 });
prim('spin_is_locked', { kind: 'islocked', mode: 'ptr', arity: 1 });
// SRCU
prim(['srcu_read_lock', 'srcu_down_read'], { kind: 'load', tag: 'srcu-lock', mode: 'ptr', arity: 1 });
prim(['srcu_read_unlock', 'srcu_up_read'], { kind: 'store', tag: 'srcu-unlock', mode: 'ptr', arity: 2 });
prim(['synchronize_srcu', 'synchronize_srcu_expedited'], { kind: 'syncsrcu', mode: 'ptr', arity: 1 });
// atomic_t
prim('atomic_read', { kind: 'load', tag: 'ONCE', mode: 'ptr', arity: 1 });
prim('atomic_set', { kind: 'store', tag: 'ONCE', mode: 'ptr', arity: 2 });
prim('atomic_read_acquire', { kind: 'load', tag: 'ACQUIRE', mode: 'ptr', arity: 1 });
prim('atomic_set_release', { kind: 'store', tag: 'RELEASE', mode: 'ptr', arity: 2 });
const OPS: [string, BinOp | '&~'][] = [['add', '+'], ['sub', '-'], ['and', '&'], ['or', '|'], ['xor', '^'], ['andnot', '&~']];
for (const [name, op] of OPS) prim(`atomic_${name}`, { kind: 'op', tag: 'NORETURN', op, locArg: 1, valArg: 0, arity: 2 });
prim('atomic_inc', { kind: 'op', tag: 'NORETURN', op: '+', locArg: 0, arity: 1 });
prim('atomic_dec', { kind: 'op', tag: 'NORETURN', op: '-', locArg: 0, arity: 1 });
for (const [sfx, tag] of [['', 'MB'], ['_relaxed', 'ONCE'], ['_acquire', 'ACQUIRE'], ['_release', 'RELEASE']] as const) {
  for (const [name, op] of OPS) {
    if (name === 'add' || name === 'sub') prim(`atomic_${name}_return${sfx}`, { kind: 'opret', tag, op, locArg: 1, valArg: 0, arity: 2 });
    prim(`atomic_fetch_${name}${sfx}`, { kind: 'fetchop', tag, op, locArg: 1, valArg: 0, arity: 2 });
  }
  prim(`atomic_inc_return${sfx}`, { kind: 'opret', tag, op: '+', locArg: 0, arity: 1 });
  prim(`atomic_dec_return${sfx}`, { kind: 'opret', tag, op: '-', locArg: 0, arity: 1 });
  prim(`atomic_fetch_inc${sfx}`, { kind: 'fetchop', tag, op: '+', locArg: 0, arity: 1 });
  prim(`atomic_fetch_dec${sfx}`, { kind: 'fetchop', tag, op: '-', locArg: 0, arity: 1 });
  prim(`atomic_add_negative${sfx}`, { kind: 'opret', tag, op: '+', locArg: 1, valArg: 0, arity: 2, test: '<0' });
}
prim('atomic_sub_and_test', { kind: 'opret', tag: 'MB', op: '-', locArg: 1, valArg: 0, arity: 2, test: '==0' });
prim('atomic_dec_and_test', { kind: 'opret', tag: 'MB', op: '-', locArg: 0, arity: 1, test: '==0' });
prim('atomic_inc_and_test', { kind: 'opret', tag: 'MB', op: '+', locArg: 0, arity: 1, test: '==0' });
prim('atomic_add_unless', { kind: 'addunless', tag: 'MB', locArg: 0, arity: 3 });

/** The kernel primitives this checker knows, for messages and documentation. */
export const PRIMITIVES: readonly string[] = [...PRIMS.keys()].sort();

class Compiler {
  private readonly globals: string[] = [];
  private readonly globalSet = new Set<string>();
  private readonly initVals = new Map<string, Val>();
  private readonly regInit = new Map<number, Map<string, Val>>();
  private procGlobals = new Set<string>();

  constructor(private readonly test: LitmusTest) {}

  private fail(pos: SourcePos, expected: string, found: string): never {
    throw new LitmusSyntaxError(this.test.file, pos, expected, found);
  }

  private addGlobal(name: string): void {
    if (!this.globalSet.has(name)) {
      this.globalSet.add(name);
      this.globals.push(name);
    }
  }

  compile(): Program {
    const t = this.test;
    const toVal = (v: LitmusValue): Val => (typeof v === 'number' ? v : v.sym);
    for (const e of t.init) {
      if (e.proc !== undefined) {
        if (e.proc >= t.processes.length) this.fail(e.pos, `a process number below ${t.processes.length}`, `${e.proc}:${e.name}`);
        let m = this.regInit.get(e.proc);
        if (!m) this.regInit.set(e.proc, (m = new Map()));
        m.set(e.name, toVal(e.value));
      } else {
        this.addGlobal(e.name);
        this.initVals.set(e.name, toVal(e.value));
      }
    }
    for (const p of t.processes) for (const prm of p.params) this.addGlobal(prm.name);
    // Symbolic initial values name globals too (`int *y = &x;`).
    for (const e of t.init) if (typeof e.value !== 'number') this.addGlobal(e.value.sym);
    for (const l of [...t.locations]) if (l.kind === 'global') this.addGlobal(l.name);
    const paths = t.processes.map((p) => this.compileProcess(p.id, p.params.map((x) => x.name), p.body));
    return { test: t, globals: this.globals, initVals: this.initVals, paths };
  }

  private compileProcess(proc: number, params: string[], body: readonly Stmt[]): Path[] {
    const env = new Map<string, TVal>();
    this.procGlobals = new Set(params);
    for (const p of params) env.set(p, cst(p));
    for (const [r, v] of this.regInit.get(proc) ?? []) env.set(r, cst(v));
    let states = [new State(env)];
    states = this.execList(body, states);
    return states.map((s) => {
      const regs = new Map<string, Sym>();
      for (const [k, v] of s.env) if (!params.includes(k) || (v.s.k !== 'c' || v.s.v !== k)) regs.set(k, v.s);
      return { events: s.events, reads: s.reads, cons: s.cons, regs };
    });
  }

  private execList(list: readonly Stmt[], states: State[]): State[] {
    for (const st of list) {
      const next: State[] = [];
      for (const s of states) next.push(...this.exec(st, s));
      states = next;
      if (states.length > 4096) this.fail(st.pos, 'fewer than 4096 control-flow paths in one process', 'more');
    }
    return states;
  }

  private exec(st: Stmt, s: State): State[] {
    switch (st.kind) {
      case 'block':
        return this.execList(st.body, [s]);
      case 'decl': {
        if (!st.init) {
          s.env.set(st.name, { ...C0, any: s.ctrl });
          return [s];
        }
        return this.evalExpr(st.init, s, { pos: st.pos, text: '' }).map(([s2, v]) => {
          s2.env.set(st.name, { s: v.s, data: v.data, any: merge(v.any, s2.ctrl) });
          return s2;
        });
      }
      case 'assign': {
        const where = { pos: st.pos, text: st.text };
        if (st.target.kind === 'var') {
          const name = st.target.name;
          return this.evalExpr(st.value, s, where).map(([s2, v]) => {
            s2.env.set(name, { s: v.s, data: v.data, any: merge(v.any, s2.ctrl) });
            return s2;
          });
        }
        // `*p = e`: a plain store.
        const target = st.target;
        if (target.kind !== 'deref') return this.fail(st.pos, "a register or '*pointer' on the left of '='", 'an expression');
        const out: State[] = [];
        for (const [s2, a] of this.evalExpr(target.ptr, s, where))
          for (const [s3, v] of this.evalExpr(st.value, s2, where)) {
            this.pushEv(s3, { kind: 'W', tags: [], addr: a.s, val: v.s, addrDeps: a.data, dataDeps: v.data, prim: 'store' }, where);
            out.push(s3);
          }
        return out;
      }
      case 'expr':
        return this.evalExpr(st.expr, s, { pos: st.pos, text: st.text }).map(([s2]) => s2);
      case 'if': {
        const where = { pos: st.pos, text: st.text };
        const out: State[] = [];
        for (const [s2, c] of this.evalExpr(st.test, s, where)) {
          const dep = merge(c.data, c.any);
          const arms: [boolean, readonly Stmt[]][] = [
            [true, st.then],
            [false, st.else ?? []],
          ];
          if (c.s.k === 'c') {
            const take = truthy(c.s.v);
            const sb = s2;
            const saved = sb.ctrl;
            sb.ctrl = merge(saved, dep);
            for (const r of this.execList(take ? st.then : st.else ?? [], [sb])) {
              r.ctrl = saved;
              out.push(r);
            }
            continue;
          }
          for (const [want, arm] of arms) {
            const sb = s2.clone();
            sb.cons.push({ s: c.s, want });
            const saved = sb.ctrl;
            sb.ctrl = merge(saved, dep);
            for (const r of this.execList(arm, [sb])) {
              r.ctrl = saved;
              out.push(r);
            }
          }
        }
        return out;
      }
    }
  }

  private pushEv(
    s: State,
    e: Omit<PathEvent, 'ctrlDeps' | 'pos' | 'text' | 'addrDeps' | 'dataDeps'> & { addrDeps?: readonly number[]; dataDeps?: readonly number[] },
    where: Where,
  ): number {
    const idx = s.events.length;
    s.events.push({
      addrDeps: [],
      dataDeps: [],
      ...e,
      ctrlDeps: s.ctrl,
      pos: where.pos,
      text: where.text,
    });
    return idx;
  }

  private newRead(s: State, kind: EvKind, tags: string[], a: TVal, where: Where, primName: string): TVal {
    const r = s.reads.length;
    const idx = this.pushEv(s, { kind, tags, addr: a.s, val: { k: 'r', r }, readIdx: r, addrDeps: a.data, prim: primName }, where);
    s.reads.push(idx);
    return { s: { k: 'r', r }, data: [r], any: [] };
  }

  /**
   * The events of an atomic read-modify-write: its read and, unless it fails
   * (`write` null), its write of `write(old)`, both tagged with the annotation
   * and RMW. Returns the value read.
   */
  private rmwPair(s: State, tag: string, a: TVal, write: ((old: TVal) => TVal) | null, where: Where, name: string): TVal {
    const r = this.newRead(s, 'R', [tag, 'RMW'], a, where, name);
    if (write) {
      const ri = s.events.length - 1;
      const nv = write(r);
      this.pushEv(s, { kind: 'W', tags: [tag, 'RMW'], addr: a.s, val: nv.s, rmwWith: ri, addrDeps: a.data, dataDeps: nv.data, prim: name }, where);
    }
    return r;
  }

  /** The address designated by a primitive's location argument. */
  private location(arg: Expr, mode: 'lval' | 'ptr', s: State, where: Where, primName: string): [State, TVal][] {
    if (mode === 'lval') {
      if (arg.kind !== 'deref')
        this.fail(arg.pos, `a location such as '*x' as the argument of ${primName}`, describeExpr(arg));
      return this.evalExpr(arg.ptr, s, where);
    }
    return this.evalExpr(arg, s, where);
  }

  private evalExpr(e: Expr, s: State, where: Where): [State, TVal][] {
    switch (e.kind) {
      case 'num':
        return [[s, cst(e.value)]];
      case 'var': {
        const v = s.env.get(e.name);
        if (v) return [[s, v]];
        if (this.globalSet.has(e.name)) return [[s, cst(e.name)]];
        return this.fail(e.pos, 'a declared register or a global', `undeclared '${e.name}'`);
      }
      case 'addr':
        if (!this.globalSet.has(e.name)) this.fail(e.pos, 'the name of a global after \'&\'', `'${e.name}'`);
        return [[s, cst(e.name)]];
      case 'deref':
        return this.evalExpr(e.ptr, s, where).map(([s2, a]) => [s2, this.newRead(s2, 'R', [], a, where, 'load')]);
      case 'unop':
        return this.evalExpr(e.arg, s, where).map(([s2, a]) => [s2, mkUn(e.op, a)]);
      case 'binop': {
        const out: [State, TVal][] = [];
        for (const [s2, a] of this.evalExpr(e.left, s, where))
          for (const [s3, b] of this.evalExpr(e.right, s2, where)) out.push([s3, mkBin(e.op, a, b)]);
        return out;
      }
      case 'cond': {
        const out: [State, TVal][] = [];
        for (const [s2, c] of this.evalExpr(e.test, s, where))
          for (const [s3, a] of this.evalExpr(e.then, s2, where))
            for (const [s4, b] of this.evalExpr(e.else, s3, where)) {
              if (c.s.k === 'c') out.push([s4, truthy(c.s.v) ? a : b]);
              else
                out.push([
                  s4,
                  { s: { k: 'ite', c: c.s, t: a.s, e: b.s }, data: merge(merge(c.data, a.data), b.data), any: merge(merge(c.any, a.any), b.any) },
                ]);
            }
        return out;
      }
      case 'call':
        return this.evalCall(e, s, where);
    }
  }

  private evalArgs(args: readonly Expr[], s: State, where: Where): [State, TVal[]][] {
    let acc: [State, TVal[]][] = [[s, []]];
    for (const a of args) {
      const next: [State, TVal[]][] = [];
      for (const [s1, vs] of acc) for (const [s2, v] of this.evalExpr(a, s1, where)) next.push([s2, [...vs, v]]);
      acc = next;
    }
    return acc;
  }

  private evalCall(e: Extract<Expr, { kind: 'call' }>, s: State, where: Where): [State, TVal][] {
    const d = PRIMS.get(e.name);
    if (!d) return this.fail(e.pos, 'a kernel primitive of linux-kernel.def (READ_ONCE, smp_mb, spin_lock, ...)', `unknown '${e.name}'`);
    if (e.args.length !== d.arity)
      this.fail(e.pos, `${d.arity} argument${d.arity === 1 ? '' : 's'} to ${e.name}`, `${e.args.length}`);
    const name = e.name;
    const tag = d.tag ?? '';
    const out: [State, TVal][] = [];
    switch (d.kind) {
      case 'fence':
        this.pushEv(s, { kind: 'F', tags: [tag], prim: name }, where);
        return [[s, C0]];
      case 'load':
        for (const [s2, a] of this.location(e.args[0]!, d.mode!, s, where, name))
          out.push([s2, this.newRead(s2, 'R', [tag], a, where, name)]);
        return out;
      case 'store':
        for (const [s2, a] of this.location(e.args[0]!, d.mode!, s, where, name))
          for (const [s3, v] of this.evalExpr(e.args[1]!, s2, where)) {
            this.pushEv(s3, { kind: 'W', tags: [tag], addr: a.s, val: v.s, addrDeps: a.data, dataDeps: v.data, prim: name }, where);
            if (d.fenceAfter) this.pushEv(s3, { kind: 'F', tags: [d.fenceAfter], prim: name }, where);
            out.push([s3, C0]);
          }
        return out;
      case 'syncsrcu':
        for (const [s2, a] of this.evalExpr(e.args[0]!, s, where)) {
          this.pushEv(s2, { kind: 'SRCU', tags: ['sync-srcu'], addr: a.s, addrDeps: a.data, prim: name }, where);
          out.push([s2, C0]);
        }
        return out;
      case 'lock':
      case 'unlock':
      case 'trylock':
      case 'islocked':
        for (const [s2, a] of this.evalExpr(e.args[0]!, s, where)) {
          if (d.kind === 'lock') {
            this.pushEv(s2, { kind: 'LKR', tags: [], addr: a.s, addrDeps: a.data, prim: name }, where);
            this.pushEv(s2, { kind: 'LKW', tags: [], addr: a.s, val: { k: 'c', v: 1 }, addrDeps: a.data, prim: name }, where);
            out.push([s2, C0]);
          } else if (d.kind === 'unlock') {
            this.pushEv(s2, { kind: 'UL', tags: [], addr: a.s, val: { k: 'c', v: 0 }, addrDeps: a.data, prim: name }, where);
            out.push([s2, C0]);
          } else if (d.kind === 'trylock') {
            const ok = s2.clone();
            this.pushEv(ok, { kind: 'LKR', tags: [], addr: a.s, addrDeps: a.data, prim: name }, where);
            this.pushEv(ok, { kind: 'LKW', tags: [], addr: a.s, val: { k: 'c', v: 1 }, addrDeps: a.data, prim: name }, where);
            out.push([ok, C1]);
            const no = s2.clone();
            this.pushEv(no, { kind: 'LF', tags: [], addr: a.s, addrDeps: a.data, prim: name }, where);
            out.push([no, C0]);
          } else {
            const yes = s2.clone();
            this.pushEv(yes, { kind: 'RL', tags: [], addr: a.s, addrDeps: a.data, prim: name }, where);
            out.push([yes, C1]);
            const no = s2.clone();
            this.pushEv(no, { kind: 'RU', tags: [], addr: a.s, addrDeps: a.data, prim: name }, where);
            out.push([no, C0]);
          }
        }
        return out;
      case 'xchg':
        for (const [s2, [a, v]] of this.evalArgs(e.args, s, where)) out.push([s2, this.rmwPair(s2, tag, a!, () => v!, where, name)]);
        return out;
      case 'cmpxchg':
        // success: the read finds `old` and the write follows; failure: the read alone
        for (const [s2, [a, oldv, newv]] of this.evalArgs(e.args, s, where))
          for (const ok of [true, false]) {
            const sb = s2.clone();
            const r = this.rmwPair(sb, tag, a!, ok ? () => newv! : null, where, name);
            sb.cons.push({ s: { k: 'b', op: '==', a: r.s, b: oldv!.s }, want: ok });
            out.push([sb, r]);
          }
        return out;
      case 'op':
      case 'opret':
      case 'fetchop':
        for (const [s2, args] of this.evalArgs(e.args, s, where)) {
          const operand = d.valArg !== undefined ? args[d.valArg]! : C1;
          let nv: TVal = C0;
          const r = this.rmwPair(s2, tag, args[d.locArg!]!, (old) => (nv = d.op === '&~' ? mkBin('&', old, mkUn('~', operand)) : mkBin(d.op as BinOp, old, operand)), where, name);
          let ret: TVal = d.kind === 'fetchop' ? r : d.kind === 'opret' ? nv : C0;
          if (d.test === '==0') ret = mkBin('==', nv, C0);
          else if (d.test === '<0') ret = mkBin('<', nv, C0);
          out.push([s2, ret]);
        }
        return out;
      case 'addunless':
        // atomic_add_unless(v, a, u): add a to *v unless *v == u; returns whether it added.
        for (const [s2, [a, addv, u]] of this.evalArgs(e.args, s, where))
          for (const ok of [true, false]) {
            const sb = s2.clone();
            const r = this.rmwPair(sb, tag, a!, ok ? (old) => mkBin('+', old, addv!) : null, where, name);
            sb.cons.push({ s: { k: 'b', op: '==', a: r.s, b: u!.s }, want: !ok });
            out.push([sb, ok ? C1 : C0]);
          }
        return out;
    }
  }
}

function describeExpr(e: Expr): string {
  switch (e.kind) {
    case 'var':
      return `'${e.name}'`;
    case 'num':
      return `number ${e.value}`;
    default:
      return 'an expression';
  }
}

/** Compiles a parsed test into its processes' control-flow paths. */
export function compileLitmus(test: LitmusTest): Program {
  return new Compiler(test).compile();
}
