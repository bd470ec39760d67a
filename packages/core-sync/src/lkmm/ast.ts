// The syntax tree of a C litmus test, in the dialect that herd7 and the
// kernel's tools/memory-model/litmus-tests/ use (herdtools7 lib/CParser.mly and
// lib/StateParser.mly describe the same language; this is our own grammar).
// Source: the seed review threads argue about exactly these primitives
// (002_e96b13947cd7219c.txt: smp_store_release / smp_load_acquire, synchronize_rcu).

/** A position in a litmus source file (1-based line and column). */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/** A value of the litmus world: an integer or the address of a global (its name). */
export type LitmusValue = number | { readonly sym: string };

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly pos: SourcePos }
  | { readonly kind: 'var'; readonly name: string; readonly pos: SourcePos }
  | { readonly kind: 'addr'; readonly name: string; readonly pos: SourcePos }
  | { readonly kind: 'deref'; readonly ptr: Expr; readonly pos: SourcePos }
  | { readonly kind: 'unop'; readonly op: '-' | '!' | '~'; readonly arg: Expr; readonly pos: SourcePos }
  | { readonly kind: 'binop'; readonly op: BinOp; readonly left: Expr; readonly right: Expr; readonly pos: SourcePos }
  | { readonly kind: 'cond'; readonly test: Expr; readonly then: Expr; readonly else: Expr; readonly pos: SourcePos }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly pos: SourcePos };

export type BinOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '>' | '<=' | '>=' | '&&' | '||';

export type Stmt =
  | { readonly kind: 'decl'; readonly name: string; readonly init?: Expr; readonly pos: SourcePos }
  | { readonly kind: 'assign'; readonly target: Expr; readonly value: Expr; readonly pos: SourcePos; readonly text: string }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly pos: SourcePos; readonly text: string }
  | { readonly kind: 'if'; readonly test: Expr; readonly then: readonly Stmt[]; readonly else?: readonly Stmt[]; readonly pos: SourcePos; readonly text: string }
  | { readonly kind: 'block'; readonly body: readonly Stmt[]; readonly pos: SourcePos };

/** One `Pn(...) { ... }` process. */
export interface Process {
  readonly id: number;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  readonly body: readonly Stmt[];
  readonly pos: SourcePos;
}

/** An entry of the initial state: a global (`x=1`, `int *p=&x`) or a register (`0:r1=2`). */
export interface InitEntry {
  readonly proc?: number;
  readonly name: string;
  readonly type?: string;
  readonly value: LitmusValue;
  readonly pos: SourcePos;
}

/** A location of the final condition: a register of a process, or a global. */
export type StateLoc =
  | { readonly kind: 'reg'; readonly proc: number; readonly name: string }
  | { readonly kind: 'global'; readonly name: string };

export type Prop =
  | { readonly kind: 'atom'; readonly loc: StateLoc; readonly value: LitmusValue }
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'not'; readonly arg: Prop }
  | { readonly kind: 'and'; readonly args: readonly Prop[] }
  | { readonly kind: 'or'; readonly args: readonly Prop[] }
  | { readonly kind: 'implies'; readonly left: Prop; readonly right: Prop };

/** The final condition: `exists`, `~exists` or `forall`. */
export interface Condition {
  readonly quantifier: 'exists' | 'not exists' | 'forall';
  readonly prop: Prop;
}

/** A parsed litmus test. */
export interface LitmusTest {
  /** The file the test came from, for messages (may be `<input>`). */
  readonly file: string;
  readonly name: string;
  readonly init: readonly InitEntry[];
  readonly processes: readonly Process[];
  /** `locations [...]`: extra locations shown in each final state. */
  readonly locations: readonly StateLoc[];
  readonly filter?: Prop;
  readonly condition: Condition;
  /** The `Result:` comment of the test, verbatim (e.g. `Never`, `Sometimes DATARACE`). */
  readonly resultComment?: string;
  /** The source text, kept so that explanations can quote lines. */
  readonly source: string;
}
