// Runs llvm-mc (the oracle of issue 5) over the golden corpora: used by generate.ts
// to write the committed vectors, and by golden.test.ts to check them against a live
// llvm-mc where one is installed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A corpus line: llvm-mc's text and word, or its error. */
export interface AsmCase {
  readonly src: string;
  readonly text?: string;
  readonly word?: string;
  readonly error?: string;
}
/** A word and llvm-mc's text (null: invalid encoding). */
export interface DisasmCase {
  readonly class: string;
  readonly word: string;
  readonly text: string | null;
}
/** A hint word and its text under -mattr=+v8.5a. */
export interface HintCase {
  readonly word: string;
  readonly text: string | null;
}
export const LLVM_MC = process.env.LLVM_MC ?? 'llvm-mc';

function llvm(args: string[], input: string): { out: string; err: string } {
  const r = spawnSync(LLVM_MC, ['-triple=aarch64', ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { out: r.stdout, err: r.stderr };
}

/** llvm-mc's text: tab after the mnemonic becomes one space, the comment goes. */
function clean(line: string): string {
  return line.replace(/\/\/.*$/, '').trim().replace(/\t/, ' ').replace(/\t/g, ' ');
}

/** Every corpus line through `llvm-mc -show-encoding`. */
export function assembleCorpus(): AsmCase[] {
  const lines = readFileSync(join(here, 'asm-corpus.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
  const { out, err } = llvm(['-show-encoding'], lines.join('\n') + '\n');
  const errors = new Map<number, string>();
  for (const m of err.matchAll(/^<stdin>:(\d+):\d+: error: (.*)$/gm)) {
    const n = Number(m[1]);
    if (!errors.has(n)) errors.set(n, m[2] as string);
  }
  const encoded = out.split('\n').filter((l) => l.includes('// encoding:'));
  const result: AsmCase[] = [];
  let k = 0;
  lines.forEach((src, i) => {
    const e = errors.get(i + 1);
    if (e !== undefined) {
      result.push({ src, error: e });
      return;
    }
    const line = encoded[k++];
    if (line === undefined) throw new Error(`llvm-mc printed fewer encodings than expected at '${src}'`);
    const bytes = /encoding: \[(.*)\]/.exec(line)?.[1]?.split(',').map((b) => Number(b)) ?? [];
    const word = ((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0;
    result.push({ src, text: clean(line), word: hex(word) });
  });
  if (k !== encoded.length) throw new Error('llvm-mc printed more encodings than expected');
  return result;
}

export function hex(w: number): string {
  return '0x' + (w >>> 0).toString(16).padStart(8, '0');
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Encoding classes as [fixed bits mask, fixed value]: the other bits are random. */
const CLASSES: readonly (readonly [string, number, number])[] = [
  ['hint', 0xfffff01f, 0xd503201f],
  ['barriers', 0xfffff01f, 0xd503301f],
  ['exception', 0xff000000, 0xd4000000],
  ['brk', 0xffe0001f, 0xd4200000],
  ['hlt', 0xffe0001f, 0xd4400000],
  ['udf', 0xfffe0000, 0x00000000],
  ['branch-reg', 0xfe000000, 0xd6000000],
  ['branch-reg-exact', 0xff9ffc1f, 0xd61f0000],
  ['b', 0xfc000000, 0x14000000],
  ['bl', 0xfc000000, 0x94000000],
  ['b.cond', 0xff000000, 0x54000000],
  ['cbz', 0x7e000000, 0x34000000],
  ['adr', 0x1f000000, 0x10000000],
  ['add-sub-imm', 0x1f000000, 0x11000000],
  ['move-wide', 0x1f800000, 0x12800000],
  ['logical-shifted', 0x1f000000, 0x0a000000],
  ['mov-reg', 0x7fe0ffe0, 0x2a0003e0],
  ['add-sub-shifted', 0x1f200000, 0x0b000000],
  ['add-sub-extended', 0x1f200000, 0x0b200000],
  ['ldst-unsigned', 0x3b000000, 0x39000000],
  ['ldst-imm9', 0x3b000000, 0x38000000],
  ['ldst-imm9-exact', 0x3f200000, 0x38000000],
  ['ldr-literal', 0x3b000000, 0x18000000],
  ['ldst-pair', 0x3a000000, 0x28000000],
  ['ldst-pair-exact', 0x3e000000, 0x28000000],
];

/** Words through `llvm-mc --disassemble`; null where llvm-mc says invalid. */
export function disassembleWords(words: readonly number[], mattr?: string): (string | null)[] {
  const input = words.map((w) => [w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24].map((b) => '0x' + b.toString(16)).join(' ')).join('\n') + '\n';
  const { out, err } = llvm(mattr ? [`-mattr=${mattr}`, '--disassemble'] : ['--disassemble'], input);
  const invalid = new Set<number>();
  for (const m of err.matchAll(/^<stdin>:(\d+):\d+: warning: invalid instruction encoding$/gm)) invalid.add(Number(m[1]));
  const texts = out.split('\n').filter((l) => l.trim() !== '' && !/^\s*\.text/.test(l));
  let k = 0;
  const res = words.map((_, i) => (invalid.has(i + 1) ? null : clean(texts[k++] ?? '')));
  if (k !== texts.length) throw new Error(`llvm-mc printed ${texts.length} lines for ${k} valid words`);
  return res;
}

/** The seeded words of each encoding class, plus random words, through llvm-mc. */
export function disassemblyCorpus(): DisasmCase[] {
  const rnd = mulberry32(0x6b64);
  const words: number[] = [];
  const cls: string[] = [];
  for (const [name, mask, value] of CLASSES) {
    for (let i = 0; i < 150; i++) {
      words.push(((rnd() & ~mask) | value) >>> 0);
      cls.push(name);
    }
  }
  for (let i = 0; i < 1500; i++) {
    words.push(rnd());
    cls.push('random');
  }
  const texts = disassembleWords(words);
  return words.map((w, i) => ({ class: cls[i] as string, word: hex(w), text: texts[i] as string | null }));
}

/** The 128 hint-space words through llvm-mc -mattr=+v8.5a. */
export function hintCorpus(): HintCase[] {
  const words = Array.from({ length: 128 }, (_, i) => (0xd503201f | (i << 5)) >>> 0);
  const texts = disassembleWords(words, '+v8.5a');
  return words.map((w, i) => ({ word: hex(w), text: texts[i] as string | null }));
}

/** The llvm-mc version line. */
export function llvmVersion(): string {
  const r = spawnSync(LLVM_MC, ['--version'], { encoding: 'utf8' });
  return r.stdout.split('\n').find((l) => /version/i.test(l))?.trim() ?? 'unknown';
}
