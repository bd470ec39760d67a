// Parser for C litmus tests as herd7 reads them with the kernel's
// tools/memory-model/linux-kernel.def macros: a `C name` header, the initial
// state in braces, processes `Pn(...) { ... }`, then `locations [...]`,
// `filter (...)` and the final `exists` / `~exists` / `forall` condition.
// The grammar is ours; herdtools7's lib/CParser.mly and lib/StateParser.mly
// accept the same language. Errors name the file, line, column and what was
// expected.
import type { ErrnoName } from '../errno';
import type {
  BinOp,
  Condition,
  Expr,
  InitEntry,
  LitmusTest,
  LitmusValue,
  Process,
  Prop,
  SourcePos,
  StateLoc,
  Stmt,
} from './ast';

/** A litmus source that does not parse: where, what was expected, what was found. */
export class LitmusSyntaxError extends Error {
  override readonly name = 'LitmusSyntaxError';
  /** The errno a kernel-style caller would return for bad input. */
  readonly errno: ErrnoName = 'EINVAL';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly expected: string;
  readonly found: string;
  /** `file:line:column: expected X, found Y`, ready to print. */
  readonly diagnostic: string;
  constructor(file: string, pos: SourcePos, expected: string, found: string) {
    const diagnostic = `${file}:${pos.line}:${pos.column}: expected ${expected}, found ${found}`;
    super(diagnostic);
    this.file = file;
    this.line = pos.line;
    this.column = pos.column;
    this.expected = expected;
    this.found = found;
    this.diagnostic = diagnostic;
  }
}

type TokKind = 'ident' | 'num' | 'punct' | 'string' | 'eof';
interface Token {
  readonly kind: TokKind;
  readonly text: string;
  readonly pos: SourcePos;
  readonly start: number;
  readonly end: number;
}

const PUNCTS = [
  '/\\', '\\/', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '->', '=>',
  '{', '}', '(', ')', '[', ']', ';', ',', '*', '&', '=', '<', '>', '+', '-', '/', '%', '|', '^', '~', '!', '?', ':', '.',
];

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'string':
      return `string ${t.text}`;
    case 'num':
      return `number ${t.text}`;
    case 'ident':
      return `'${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}

const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentChar = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Tokens by character codes; lines and columns tracked at newlines only. */
class Lexer {
  private i = 0;
  private line = 1;
  /** offset of the first character of the current line */
  private lineStart = 0;
  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  private pos(at = this.i): SourcePos {
    return { line: this.line, column: at - this.lineStart + 1 };
  }

  /** Moves to `to`, counting the newlines on the way. */
  private moveTo(to: number): void {
    const s = this.src;
    for (let k = this.i; k < to; k++)
      if (s.charCodeAt(k) === 10) {
        this.line++;
        this.lineStart = k + 1;
      }
    this.i = to;
  }

  private skipSpaceAndComments(): void {
    const s = this.src;
    const n = s.length;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 13 || c === 12) {
        this.i++;
        continue;
      }
      if (c === 10) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
        continue;
      }
      const c2 = s.charCodeAt(this.i + 1);
      if (c === 47 && c2 === 47) {
        const e = s.indexOf('\n', this.i);
        this.i = e < 0 ? n : e;
        continue;
      }
      if (c === 47 && c2 === 42) {
        const at = this.pos();
        const e = s.indexOf('*/', this.i + 2);
        if (e < 0) throw new LitmusSyntaxError(this.file, at, "the end '*/' of this comment", 'end of file');
        this.moveTo(e + 2);
        continue;
      }
      // herd7 comments: (* ... *), nesting. `(*x)` (no blank) stays C code.
      const c3 = s.charCodeAt(this.i + 2);
      if (c === 40 && c2 === 42 && (this.i + 2 >= n || c3 === 32 || c3 === 9 || c3 === 10 || c3 === 13 || c3 === 42 || c3 === 41)) {
        const at = this.pos();
        let k = this.i + 2;
        let depth = 1;
        while (depth > 0) {
          if (k >= n) throw new LitmusSyntaxError(this.file, at, "the end '*)' of this comment", 'end of file');
          const a = s.charCodeAt(k);
          const b = s.charCodeAt(k + 1);
          if (a === 40 && b === 42) {
            depth++;
            k += 2;
          } else if (a === 42 && b === 41) {
            depth--;
            k += 2;
          } else k++;
        }
        this.moveTo(k);
        continue;
      }
      return;
    }
  }

  /** The rest of the current line, raw (used for the `C name` header). */
  restOfLine(): { text: string; pos: SourcePos } {
    const s = this.src;
    while (s.charCodeAt(this.i) === 32 || s.charCodeAt(this.i) === 9) this.i++;
    const pos = this.pos();
    const start = this.i;
    const e = s.indexOf('\n', this.i);
    this.i = e < 0 ? s.length : e;
    return { text: s.slice(start, this.i), pos };
  }

  next(): Token {
    this.skipSpaceAndComments();
    const s = this.src;
    const start = this.i;
    const pos = this.pos();
    if (start >= s.length) return { kind: 'eof', text: '', pos, start, end: start };
    const c = s.charCodeAt(start);
    if (isIdentStart(c)) {
      let j = start + 1;
      while (j < s.length && isIdentChar(s.charCodeAt(j))) j++;
      this.i = j;
      return { kind: 'ident', text: s.slice(start, j), pos, start, end: j };
    }
    if (isDigit(c)) {
      let j = start + 1;
      const hex = c === 48 && (s.charCodeAt(j) === 120 || s.charCodeAt(j) === 88);
      if (hex) j++;
      while (j < s.length && (hex ? /[0-9a-fA-F]/.test(s[j]!) : isDigit(s.charCodeAt(j)))) j++;
      const text = s.slice(start, j);
      while (j < s.length && /[uUlL]/.test(s[j]!)) j++;
      this.i = j;
      return { kind: 'num', text, pos, start, end: j };
    }
    if (c === 34) {
      const j = s.indexOf('"', start + 1);
      const nl = s.indexOf('\n', start + 1);
      if (j < 0 || (nl >= 0 && nl < j)) throw new LitmusSyntaxError(this.file, pos, 'a closing \'"\'', 'end of line');
      this.i = j + 1;
      return { kind: 'string', text: s.slice(start, j + 1), pos, start, end: j + 1 };
    }
    for (const p of PUNCTS) {
      if (s.startsWith(p, start)) {
        this.i = start + p.length;
        return { kind: 'punct', text: p, pos, start, end: this.i };
      }
    }
    throw new LitmusSyntaxError(this.file, pos, 'a token', `character '${s[start]}'`);
  }
}

const TYPE_WORDS = new Set([
  'int', 'long', 'short', 'char', 'unsigned', 'signed', 'bool', '_Bool', 'void', 'const', 'volatile',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'size_t', 'uintptr_t', 'intptr_t',
  'atomic_t', 'atomic_long_t', 'spinlock_t', 'struct', 'int8_t', 'int16_t', 'int32_t', 'int64_t',
  'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'intptr', 'rwlock_t', 'raw_spinlock_t',
]);

class Parser {
  private readonly lex: Lexer;
  private tok: Token;
  private prev: Token | undefined;
  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {
    this.lex = new Lexer(src, file);
    this.tok = { kind: 'eof', text: '', pos: { line: 1, column: 1 }, start: 0, end: 0 };
  }

  private fail(expected: string, t: Token = this.tok): never {
    throw new LitmusSyntaxError(this.file, t.pos, expected, describe(t));
  }

  private bump(): Token {
    const t = this.tok;
    this.prev = t;
    this.tok = this.lex.next();
    return t;
  }

  private is(text: string): boolean {
    return (this.tok.kind === 'punct' || this.tok.kind === 'ident') && this.tok.text === text;
  }

  private eat(text: string): boolean {
    if (this.is(text)) {
      this.bump();
      return true;
    }
    return false;
  }

  private expect(text: string, what = `'${text}'`): Token {
    if (!this.is(text)) this.fail(what);
    return this.bump();
  }

  private ident(what = 'an identifier'): Token {
    if (this.tok.kind !== 'ident') this.fail(what);
    return this.bump();
  }

  private textFrom(start: number): string {
    const end = this.prev ? this.prev.end : start;
    return this.src.slice(start, end).replace(/\s+/g, ' ').trim();
  }

  parse(): LitmusTest {
    // Header: `C name` on the first line that is not blank.
    const head = this.lex.next();
    if (head.kind !== 'ident' || head.text !== 'C')
      throw new LitmusSyntaxError(this.file, head.pos, "the header 'C <name>' (only C litmus tests are supported)", describe(head));
    const rest = this.lex.restOfLine();
    const name = rest.text.trim().split(/\s+/)[0] ?? '';
    if (!name) throw new LitmusSyntaxError(this.file, rest.pos, "a test name after 'C'", 'end of line');
    this.bump();
    if (this.tok.kind === 'string') this.bump(); // optional doc string
    const init = this.parseInit();
    const processes: Process[] = [];
    while (this.tok.kind === 'ident' && /^P\d+$/.test(this.tok.text)) processes.push(this.parseProcess(processes.length));
    if (processes.length === 0) this.fail("a process such as 'P0(int *x) { ... }'");
    let locations: StateLoc[] = [];
    let filter: Prop | undefined;
    let condition: Condition | undefined;
    for (;;) {
      if (this.is('locations')) {
        this.bump();
        locations = locations.concat(this.parseLocations());
      } else if (this.is('filter')) {
        this.bump();
        filter = this.parseProp();
      } else break;
    }
    if (this.is('exists')) {
      this.bump();
      condition = { quantifier: 'exists', prop: this.parseProp() };
    } else if (this.is('forall')) {
      this.bump();
      condition = { quantifier: 'forall', prop: this.parseProp() };
    } else if (this.is('~')) {
      this.bump();
      this.expect('exists', "'exists' after '~'");
      condition = { quantifier: 'not exists', prop: this.parseProp() };
    } else {
      this.fail(
        processes.length > 0 && this.tok.kind !== 'eof'
          ? "a process 'Pn(...)', 'locations', 'filter' or the final condition ('exists', '~exists' or 'forall')"
          : "the final condition ('exists', '~exists' or 'forall')",
      );
    }
    if (this.tok.kind !== 'eof') this.fail('end of file after the final condition');
    const resultComment = /Result:[ \t]*([^\n]*)/.exec(this.src)?.[1]?.replace(/\*\)\s*$/, '').trim();
    return {
      file: this.file,
      name,
      init,
      processes,
      locations,
      ...(filter ? { filter } : {}),
      condition: condition!,
      ...(resultComment ? { resultComment } : {}),
      source: this.src,
    };
  }

  // ---- initial state ----

  private parseInit(): InitEntry[] {
    this.expect('{', "'{' opening the initial state");
    const out: InitEntry[] = [];
    while (!this.is('}')) {
      if (this.eat(';')) continue;
      if (this.tok.kind === 'eof') this.fail("'}' closing the initial state");
      out.push(this.parseInitEntry());
      if (!this.is('}')) this.expect(';', "';' or '}' after an initial value");
    }
    this.bump();
    return out;
  }

  private parseInitEntry(): InitEntry {
    const pos = this.tok.pos;
    // Register form: `0:r1 = 2`.
    if (this.tok.kind === 'num') {
      const proc = Number(this.bump().text);
      this.expect(':', "':' in a register location such as '0:r1'");
      const reg = this.ident('a register name');
      this.expect('=', "'=' and a value");
      return { proc, name: reg.text, value: this.parseInitValue(), pos };
    }
    const words: Token[] = [];
    let stars = 0;
    while (this.tok.kind === 'ident' || this.is('*')) {
      if (this.is('*')) {
        stars++;
        this.bump();
      } else words.push(this.bump());
    }
    const nameTok = words.pop();
    if (!nameTok) this.fail('a location name or a declaration such as \'int x = 1\'');
    if (this.is('[')) this.fail("'=' or ';' (arrays are not supported)");
    const type = words.length || stars ? words.map((w) => w.text).join(' ') + '*'.repeat(stars) : undefined;
    if (P_REG.test(nameTok.text) && words.length === 0 && this.is(':')) this.fail("a register location written as '0:r1'", nameTok);
    let value: LitmusValue = 0;
    if (this.eat('=')) value = this.parseInitValue();
    return { name: nameTok.text, ...(type ? { type: type.trim() } : {}), value, pos };
  }

  private parseInitValue(): LitmusValue {
    if (this.eat('-')) {
      if (this.tok.kind !== 'num') this.fail('a number after \'-\'');
      return -Number(this.bump().text);
    }
    if (this.tok.kind === 'num') return Number(this.bump().text);
    if (this.eat('&')) return { sym: this.ident('a global name after \'&\'').text };
    if (this.tok.kind === 'ident') {
      const t = this.bump();
      if (t.text === 'ATOMIC_INIT') {
        this.expect('(', "'(' after ATOMIC_INIT");
        const v = this.parseInitValue();
        this.expect(')', "')' closing ATOMIC_INIT");
        return v;
      }
      if (t.text === 'NULL') return 0;
      return { sym: t.text };
    }
    return this.fail("an initial value: a number, a global name or '&name'");
  }

  // ---- processes ----

  private parseProcess(index: number): Process {
    const head = this.bump();
    const id = Number(head.text.slice(1));
    if (id !== index) throw new LitmusSyntaxError(this.file, head.pos, `process P${index} (processes are numbered in order from P0)`, describe(head));
    this.expect('(', `'(' after ${head.text}`);
    const params: { name: string; type: string }[] = [];
    if (!this.is(')')) {
      for (;;) {
        const words: string[] = [];
        let stars = 0;
        while (this.tok.kind === 'ident' || this.is('*')) {
          if (this.is('*')) {
            stars++;
            this.bump();
          } else words.push(this.bump().text);
        }
        const name = words.pop();
        if (!name) this.fail("a parameter such as 'int *x'");
        if (name === 'void' && words.length === 0 && params.length === 0 && this.is(')')) break;
        params.push({ name, type: words.join(' ') + '*'.repeat(stars) });
        if (this.eat(',')) continue;
        break;
      }
    }
    this.expect(')', `',' or ')' in the parameters of ${head.text}`);
    const body = this.parseBlock(`the body of ${head.text}`);
    return { id, params, body, pos: head.pos };
  }

  private parseBlock(what: string): Stmt[] {
    this.expect('{', `'{' opening ${what}`);
    const out: Stmt[] = [];
    while (!this.is('}')) {
      if (this.tok.kind === 'eof') this.fail(`'}' closing ${what}`);
      out.push(...this.parseStmt());
    }
    this.bump();
    return out;
  }

  private isTypeStart(): boolean {
    if (this.tok.kind !== 'ident') return false;
    return TYPE_WORDS.has(this.tok.text);
  }

  private parseStmt(): Stmt[] {
    const t = this.tok;
    const start = t.start;
    if (this.eat(';')) return [];
    if (this.is('{')) return [{ kind: 'block', body: this.parseBlock('a block'), pos: t.pos }];
    if (this.is('if')) {
      this.bump();
      this.expect('(', "'(' after 'if'");
      const test = this.parseExpr();
      this.expect(')', "')' closing the condition of 'if'");
      const text = this.textFrom(start);
      const then = this.parseBody();
      let els: Stmt[] | undefined;
      if (this.eat('else')) els = this.parseBody();
      return [{ kind: 'if', test, then, ...(els ? { else: els } : {}), pos: t.pos, text }];
    }
    if (this.is('while') || this.is('for') || this.is('do') || this.is('goto') || this.is('switch'))
      this.fail("a statement (loops, 'switch' and 'goto' are not supported: unroll them by hand)");
    if (this.isTypeStart() && !(this.is('void') && false)) {
      // Declarations: `int r0;`, `int r1 = -1, *r2;`, `struct srcu_struct *s;`.
      while (this.isTypeStart()) {
        const w = this.bump();
        if (w.text === 'struct') this.ident('a struct name');
      }
      const out: Stmt[] = [];
      for (;;) {
        while (this.eat('*'));
        const nameTok = this.ident('a variable name in a declaration');
        let init: Expr | undefined;
        if (this.eat('=')) init = this.parseExpr();
        out.push({ kind: 'decl', name: nameTok.text, ...(init ? { init } : {}), pos: nameTok.pos });
        if (this.eat(',')) continue;
        break;
      }
      this.expect(';', "';' after a declaration");
      return out;
    }
    const e = this.parseExpr();
    if (this.eat('=')) {
      if (e.kind !== 'var' && e.kind !== 'deref')
        throw new LitmusSyntaxError(this.file, e.pos, "a register or '*pointer' on the left of '='", 'an expression');
      const value = this.parseExpr();
      this.expect(';', "';' after an assignment");
      return [{ kind: 'assign', target: e, value, pos: t.pos, text: this.textFrom(start) }];
    }
    this.expect(';', "';' after a statement");
    return [{ kind: 'expr', expr: e, pos: t.pos, text: this.textFrom(start) }];
  }

  private parseBody(): Stmt[] {
    if (this.is('{')) return this.parseBlock('a block');
    return this.parseStmt();
  }

  // ---- expressions (C precedence) ----

  parseExpr(): Expr {
    const test = this.parseBinary(0);
    if (this.is('?')) {
      const pos = this.bump().pos;
      const a = this.parseExpr();
      this.expect(':', "':' in a conditional expression");
      const b = this.parseExpr();
      return { kind: 'cond', test, then: a, else: b, pos };
    }
    return test;
  }

  private static readonly LEVELS: readonly (readonly BinOp[])[] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];

  private parseBinary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    const ops = Parser.LEVELS[level]!;
    while (this.tok.kind === 'punct' && (ops as readonly string[]).includes(this.tok.text)) {
      const op = this.bump();
      const right = this.parseBinary(level + 1);
      left = { kind: 'binop', op: op.text as BinOp, left, right, pos: op.pos };
    }
    return left;
  }

  private parseUnary(): Expr {
    const t = this.tok;
    if (this.eat('-')) return { kind: 'unop', op: '-', arg: this.parseUnary(), pos: t.pos };
    if (this.eat('!')) return { kind: 'unop', op: '!', arg: this.parseUnary(), pos: t.pos };
    if (this.eat('~')) return { kind: 'unop', op: '~', arg: this.parseUnary(), pos: t.pos };
    if (this.eat('+')) return this.parseUnary();
    if (this.eat('*')) return { kind: 'deref', ptr: this.parseUnary(), pos: t.pos };
    if (this.eat('&')) {
      const n = this.ident("a global name after '&'");
      return { kind: 'addr', name: n.text, pos: t.pos };
    }
    if (this.is('(')) {
      this.bump();
      if (this.isTypeStart()) {
        // A cast such as `(void)` or `(int *)`: the value is unchanged.
        while (this.isTypeStart() || this.is('*')) {
          const w = this.bump();
          if (w.text === 'struct') this.ident('a struct name');
        }
        this.expect(')', "')' closing a cast");
        return this.parseUnary();
      }
      const e = this.parseExpr();
      this.expect(')', "')'");
      return e;
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.tok;
    if (t.kind === 'num') {
      this.bump();
      return { kind: 'num', value: Number(t.text), pos: t.pos };
    }
    if (t.kind === 'ident') {
      this.bump();
      if (this.is('(')) {
        this.bump();
        const args: Expr[] = [];
        if (!this.is(')')) {
          for (;;) {
            args.push(this.parseExpr());
            if (this.eat(',')) continue;
            break;
          }
        }
        this.expect(')', `',' or ')' in the arguments of ${t.text}`);
        return { kind: 'call', name: t.text, args, pos: t.pos };
      }
      if (this.is('[')) this.fail('an operator (arrays are not supported)');
      if (this.is('->') || this.is('.')) this.fail('an operator (struct fields are not supported)');
      return { kind: 'var', name: t.text, pos: t.pos };
    }
    return this.fail('an expression');
  }

  // ---- final state: locations, filter, condition ----

  private parseLocations(): StateLoc[] {
    this.expect('[', "'[' after 'locations'");
    const out: StateLoc[] = [];
    while (!this.is(']')) {
      if (this.eat(';') || this.eat(',')) continue;
      if (this.tok.kind === 'eof') this.fail("']' closing the locations list");
      out.push(this.parseStateLoc());
    }
    this.bump();
    return out;
  }

  private parseStateLoc(): StateLoc {
    if (this.tok.kind === 'num') {
      const proc = Number(this.bump().text);
      this.expect(':', "':' in a register location such as '0:r1'");
      return { kind: 'reg', proc, name: this.ident('a register name').text };
    }
    if (this.tok.kind === 'ident' && P_REG.test(this.tok.text)) {
      const p = this.bump();
      if (this.eat(':')) return { kind: 'reg', proc: Number(p.text.slice(1)), name: this.ident('a register name').text };
      return { kind: 'global', name: p.text };
    }
    if (this.eat('[')) {
      const n = this.ident('a global name');
      this.expect(']', "']'");
      return { kind: 'global', name: n.text };
    }
    if (this.eat('*')) return { kind: 'global', name: this.ident('a global name').text };
    if (this.tok.kind === 'ident') return { kind: 'global', name: this.bump().text };
    return this.fail("a location: a register such as '0:r1' or a global such as 'x'");
  }

  private parseProp(): Prop {
    const left = this.parseDisj();
    if (this.is('=>')) {
      this.bump();
      const right = this.parseProp();
      return { kind: 'implies', left, right };
    }
    return left;
  }

  private parseDisj(): Prop {
    const args = [this.parseConj()];
    while (this.eat('\\/')) args.push(this.parseConj());
    return args.length === 1 ? args[0]! : { kind: 'or', args };
  }

  private parseConj(): Prop {
    const args = [this.parsePropUnary()];
    while (this.eat('/\\')) args.push(this.parsePropUnary());
    return args.length === 1 ? args[0]! : { kind: 'and', args };
  }

  private parsePropUnary(): Prop {
    if (this.eat('~') || this.eat('not')) return { kind: 'not', arg: this.parsePropUnary() };
    if (this.eat('(')) {
      const p = this.parseProp();
      this.expect(')', "')' or '/\\\\' or '\\\\/' in the condition");
      return p;
    }
    if (this.eat('true')) return { kind: 'true' };
    if (this.eat('false')) return { kind: 'false' };
    const loc = this.parseStateLoc();
    let negate = false;
    if (this.eat('!=')) negate = true;
    else if (!this.eat('=') && !this.eat('==')) this.fail("'=' and a value in the condition");
    const value = this.parseCondValue();
    const atom: Prop = { kind: 'atom', loc, value };
    return negate ? { kind: 'not', arg: atom } : atom;
  }

  private parseCondValue(): LitmusValue {
    if (this.eat('-')) {
      if (this.tok.kind !== 'num') this.fail("a number after '-'");
      return -Number(this.bump().text);
    }
    if (this.tok.kind === 'num') return Number(this.bump().text);
    if (this.eat('&')) return { sym: this.ident('a global name').text };
    if (this.tok.kind === 'ident') return { sym: this.bump().text };
    return this.fail('a value: a number or a global name');
  }
}

const P_REG = /^P\d+$/;

/**
 * Parses a C litmus test (herd7 syntax, kernel primitives).
 * @param source - the text of the test
 * @param file - the file name used in error messages
 * @throws LitmusSyntaxError with file, line, column and what was expected
 */
export function parseLitmus(source: string, file = '<input>'): LitmusTest {
  if (typeof source !== 'string') throw new TypeError('parseLitmus: source must be a string');
  return new Parser(source, file).parse();
}
