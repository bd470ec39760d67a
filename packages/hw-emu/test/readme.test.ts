// The README's examples cannot rot: every ```ts block of README.md is an
// examples/*.ts file (the block is the file without its leading comment lines),
// and every example runs here with each `// => value` claim checked.
//
// A claim is a line `expression; // => expected` or `const x = expression; // => expected`,
// where `expected` is a JavaScript expression, optionally continued on the comment lines
// right below it that start with `//` and at least two more spaces. An object literal is
// matched as a subset (toMatchObject), anything else with toEqual. Every claim must be
// reached at least once, so a claim inside a scenario body that never runs fails too.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as coreSync from '@k/core-sync';
import * as hwEmu from '../src/index';

const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).sort();

/** The README blocks, each preceded by `<!-- example: examples/x.ts -->`. */
function readmeBlocks(): { file: string | null; code: string }[] {
  const out: { file: string | null; code: string }[] = [];
  const re = /(?:<!-- example: (examples\/[\w.-]+\.ts) -->\n)?```ts\n([\s\S]*?)```/g;
  for (let m = re.exec(README); m; m = re.exec(README)) out.push({ file: m[1] ?? null, code: m[2]! });
  return out;
}

/** The part of an example file the README shows: all of it after its leading comment lines. */
function shown(source: string): string {
  const lines = source.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i]!.startsWith('//') || lines[i]!.startsWith('/*') || lines[i]!.trim() === '')) i++;
  return lines.slice(i).join('\n');
}

interface Instrumented {
  code: string;
  claims: number[];
}

/** Rewrites each claim into a call of `__check(actual, expected, line)`. */
export function instrument(source: string): Instrumented {
  const lines = source.split('\n');
  const out: string[] = [];
  const claims: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(\S.*?)\s*\/\/ => (.+)$/.exec(lines[i]!);
    if (!m || m[2]!.startsWith('//')) {
      out.push(lines[i]!);
      continue;
    }
    const [, indent, rawCode, first] = m;
    let expected = first!;
    const line = i + 1;
    // continuation lines of the expected value
    let j = i + 1;
    for (; j < lines.length && /^\s*\/\/ {2,}\S/.test(lines[j]!); j++) expected += ' ' + lines[j]!.replace(/^\s*\/\/\s+/, '');
    const code = rawCode!.replace(/;\s*$/, '');
    if (/^[)\]}]/.test(code)) throw new Error(`line ${line}: a claimed expression must fit on its line (assign it to a const first)`);
    const decl = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)(?:\s*:[^=]+)?\s*=/.exec(code);
    out.push(decl ? `${indent}${code}; __check(${decl[1]}, (${expected}), ${line});` : `${indent}__check((${code}), (${expected}), ${line});`);
    claims.push(line);
    for (let k = i + 1; k < j; k++) out.push('');
    i = j - 1;
  }
  return { code: out.join('\n'), claims };
}

const nodeRequire = createRequire(import.meta.url);
const MODULES: Record<string, unknown> = { '@k/hw-emu': hwEmu, '@k/core-sync': coreSync };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** Runs an example; returns the claim lines that were reached. */
async function runExample(file: string): Promise<{ claims: number[]; reached: Set<number> }> {
  const { code, claims } = instrument(readFileSync(join(ROOT, file), 'utf8'));
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  }).outputText;
  const reached = new Set<number>();
  const check = (actual: unknown, expected: unknown, line: number) => {
    reached.add(line);
    if (isPlainObject(expected)) expect(actual, `${file}:${line}`).toMatchObject(expected);
    else expect(actual, `${file}:${line}`).toEqual(expected);
  };
  const req = (name: string) => (name in MODULES ? MODULES[name] : nodeRequire(name));
  const module = { exports: {} };
  // An async wrapper, so that an example may await (a file written in a temporary directory).
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('require', 'module', 'exports', '__check', js)(req, module, module.exports, check);
  return { claims, reached };
}

describe('the README', () => {
  const blocks = readmeBlocks();

  it('shows every example file, each exactly as it is in examples/', () => {
    expect(blocks.map((b) => b.file).filter((f) => f !== null).sort()).toEqual(EXAMPLES.map((f) => `examples/${f}`));
    for (const b of blocks) {
      expect(b.file, `a ts block of the README is not an example file:\n${b.code.slice(0, 200)}`).not.toBeNull();
      expect(b.code, `README block of ${b.file} differs from the file`).toBe(shown(readFileSync(join(ROOT, b.file!), 'utf8')));
    }
  });

  for (const f of EXAMPLES) {
    it(`runs examples/${f} and every "// =>" claim in it holds`, async () => {
      const { claims, reached } = await runExample(`examples/${f}`);
      expect(claims.length).toBeGreaterThan(0);
      expect(claims.filter((l) => !reached.has(l)), 'claims never reached').toEqual([]);
    });
  }
});

describe('the claim instrumentation', () => {
  it('turns an expression claim into a check and keeps a declaration', () => {
    const r = instrument('const a = f(); // => 1\nx.y;   // => { k: 2,\n       //     l: 3 }\nz();');
    expect(r.code).toBe('const a = f(); __check(a, (1), 1);\n__check((x.y), ({ k: 2, l: 3 }), 2);\n\nz();');
    expect(r.claims).toEqual([1, 2]);
  });
  it('fails an example whose claim is wrong', async () => {
    const { code } = instrument('const n = 1 + 1; // => 3');
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
    expect(() => new Function('__check', js)((a: unknown, e: unknown) => expect(a).toEqual(e))).toThrow();
  });
});
