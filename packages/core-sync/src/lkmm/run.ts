// Running a litmus test and reporting it as herd7 does: the lines of herd7's
// herd/top_herd.ml output (Test, States, Ok/No, Witnesses, Positive/Negative,
// Flag, Condition, Observation), and a JSON form. herd7's Hash= and Time lines
// are left out.
import type { Condition, LitmusTest, Prop, StateLoc } from './ast';
import { enumerate, type EnumerateOptions, type Execution, type FinalState } from './exec';
import { parseLitmus } from './parser';
import { compileLitmus, type Val } from './program';

/** herd7's verdict on the condition over all allowed executions. */
export type Observation = 'Never' | 'Sometimes' | 'Always';

/** The outcome of running one litmus test under the LKMM. */
export interface LitmusResult {
  readonly test: LitmusTest;
  readonly name: string;
  /** `Allowed` (exists), `Forbidden` (~exists) or `Required` (forall) */
  readonly kind: 'Allowed' | 'Forbidden' | 'Required';
  /** the locations each final state shows, in herd7's order */
  readonly locations: readonly StateLoc[];
  /** the distinct final states of the allowed executions, in herd7's order (values of `locations`) */
  readonly states: readonly FinalState[];
  /** herd7's Ok/No: whether the condition is validated */
  readonly ok: boolean;
  /** allowed executions that satisfy / do not satisfy the proposition of the condition */
  readonly positive: number;
  readonly negative: number;
  /** flags raised by some allowed execution (for example `data-race`), sorted */
  readonly flags: readonly string[];
  readonly observation: Observation;
  /** candidate executions judged by the model */
  readonly candidates: number;
  readonly timeMs: number;
  /** executions kept for `explain` (when asked for) */
  readonly witnesses: readonly Execution[];
  readonly counterexamples: readonly Execution[];
}

export interface RunOptions extends EnumerateOptions {
  /** the file name used in messages when `test` is source text */
  readonly file?: string;
}

/**
 * Parses (when given text) and runs a litmus test under the LKMM.
 * @throws LitmusSyntaxError on bad input, LitmusTimeoutError past `timeLimitMs`
 */
export function runLitmus(test: LitmusTest | string, opts: RunOptions = {}): LitmusResult {
  const t0 = performance.now();
  const parsed = typeof test === 'string' ? parseLitmus(test, opts.file) : test;
  const prog = compileLitmus(parsed);
  const en = enumerate(prog, opts);
  const q = parsed.condition.quantifier;
  const kind = q === 'exists' ? 'Allowed' : q === 'forall' ? 'Required' : 'Forbidden';
  const ok = q === 'exists' ? en.positive > 0 : q === 'not exists' ? en.positive === 0 : en.negative === 0;
  const observation: Observation = en.positive === 0 ? 'Never' : en.negative === 0 ? 'Always' : 'Sometimes';
  return {
    test: parsed,
    name: parsed.name,
    kind,
    locations: en.observed,
    states: en.states,
    ok,
    positive: en.positive,
    negative: en.negative,
    flags: en.flags,
    observation,
    candidates: en.candidates,
    timeMs: Math.round((performance.now() - t0) * 100) / 100,
    witnesses: en.witnesses,
    counterexamples: en.counterexamples,
  };
}

/** A value as herd7 prints it: an integer, or the name of a global for its address. */
export function formatValue(v: Val | { sym: string }): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return v.sym;
}

export function formatLoc(l: StateLoc): string {
  return l.kind === 'reg' ? `${l.proc}:${l.name}` : `[${l.name}]`;
}

/** One final state as herd7 prints it: `0:r1=1; [x]=2;`. */
export function formatState(locations: readonly StateLoc[], s: FinalState): string {
  return s.values.map((v, i) => `${formatLoc(locations[i]!)}=${formatValue(v)};`).join(' ');
}

type Above = 'top' | 'and' | 'or' | 'implies';
function paren(above: Above, here: Above): boolean {
  if (above === 'top') return false;
  if (above === 'implies') return here !== 'implies';
  if (above === 'and') return here !== 'and';
  return here === 'implies';
}

/** A proposition as herd7 prints it (herdtools7 lib/constrGen.ml pp_prop). */
export function formatProp(p: Prop, above: Above = 'top'): string {
  const wrap = (here: Above, s: string): string => (paren(above, here) ? `(${s})` : s);
  switch (p.kind) {
    case 'atom':
      return `${formatLoc(p.loc)}=${formatValue(p.value)}`;
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'not':
      return `not (${formatProp(p.arg)})`;
    case 'and':
      return wrap('and', p.args.map((a) => formatProp(a, 'and')).join(' /\\ '));
    case 'or':
      return wrap('or', p.args.map((a) => formatProp(a, 'or')).join(' \\/ '));
    case 'implies':
      return wrap('implies', `${formatProp(p.left, 'implies')} => ${formatProp(p.right, 'implies')}`);
  }
}

export function formatCondition(c: Condition): string {
  const q = c.quantifier === 'not exists' ? '~exists' : c.quantifier;
  return `${q} (${formatProp(c.prop)})`;
}

/** The report herd7 prints for a test, line by line (no Hash or Time line). */
export function formatHerd(r: LitmusResult): string {
  const lines: string[] = [];
  lines.push(`Test ${r.name} ${r.kind}`);
  lines.push(`States ${r.states.length}`);
  for (const s of r.states) lines.push(formatState(r.locations, s));
  lines.push(r.ok ? 'Ok' : 'No');
  lines.push('Witnesses');
  const [p, n] = r.kind === 'Forbidden' ? [r.negative, r.positive] : [r.positive, r.negative];
  lines.push(`Positive: ${p} Negative: ${n}`);
  for (const f of r.flags) lines.push(`Flag ${f}`);
  lines.push(`Condition ${formatCondition(r.test.condition)}`);
  lines.push(`Observation ${r.name} ${r.observation} ${r.positive} ${r.negative}`);
  return lines.join('\n') + '\n';
}

/** The JSON object `k litmus --json` prints for a test. */
export interface LitmusJson {
  readonly test: string;
  readonly file: string;
  readonly kind: 'Allowed' | 'Forbidden' | 'Required';
  readonly observation: Observation;
  readonly ok: boolean;
  readonly states: readonly Record<string, number | string>[];
  readonly positive: number;
  readonly negative: number;
  readonly flags: readonly string[];
  readonly condition: string;
  readonly candidates: number;
  readonly timeMs: number;
}

export function toJson(r: LitmusResult): LitmusJson {
  return {
    test: r.name,
    file: r.test.file,
    kind: r.kind,
    observation: r.observation,
    ok: r.ok,
    states: r.states.map((s) => Object.fromEntries(s.values.map((v, i) => [formatLoc(r.locations[i]!), v]))),
    positive: r.positive,
    negative: r.negative,
    flags: r.flags,
    condition: formatCondition(r.test.condition),
    candidates: r.candidates,
    timeMs: r.timeMs,
  };
}
