// The A64 subset against llvm-mc: the committed golden vectors (always checked), and
// a live llvm-mc run that must reproduce them (an oracle test).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { a64 } from '../../src/index';
import type { A64InsnKind } from '../../src/index';
import { assembleCorpus, disassembleWords, hintCorpus, type AsmCase, type DisasmCase, type HintCase } from './golden/llvm';
import { oracleIt } from './oracle';

const load = <T>(name: string): T[] => (JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as { cases: T[] }).cases;
const asmCases = load<AsmCase>('asm.json');
const disasmCases = load<DisasmCase>('disasm.json');
const hintCases = load<HintCase>('hints.json');

function assemblesTo(text: string, word: number): boolean {
  try {
    const w = a64.assemble(text);
    return w.length === 1 && w[0] === word;
  } catch {
    return false;
  }
}

describe('llvm-mc golden vectors', () => {
  it('prints every word of the subset exactly as llvm-mc --disassemble does', () => {
    const wrong: string[] = [];
    for (const c of disasmCases) {
      const w = Number(c.word);
      if (a64.decode(w) === null) continue;
      const ours = a64.disassemble(w);
      if (ours !== c.text) wrong.push(`${c.word}: ours '${ours}', llvm-mc '${String(c.text)}'`);
    }
    expect(wrong).toEqual([]);
  });

  it('rejects every word llvm-mc calls an invalid encoding', () => {
    const accepted = disasmCases.filter((c) => c.text === null && a64.decode(Number(c.word)) !== null).map((c) => c.word);
    expect(accepted).toEqual([]);
  });

  it('rejects only words that are outside the subset (their llvm-mc text does not assemble back to them)', () => {
    const wronglyRejected = disasmCases
      .filter((c) => c.text !== null && a64.decode(Number(c.word)) === null && assemblesTo(c.text, Number(c.word)))
      .map((c) => `${c.word} ${String(c.text)}`);
    expect(wronglyRejected).toEqual([]);
  });

  it('decodes words of every instruction kind of the subset among the vectors', () => {
    const kinds = new Set<A64InsnKind>();
    for (const c of disasmCases) {
      const insn = a64.decode(Number(c.word));
      if (insn) kinds.add(insn.kind);
    }
    const all: A64InsnKind[] = ['udf', 'hint', 'isb', 'brk', 'hlt', 'movWide', 'movReg', 'addSubImm', 'addSubShifted', 'addSubExtended', 'adr', 'ldst', 'ldrLiteral', 'ldstPair', 'branch', 'bcond', 'cbz', 'branchReg'];
    expect([...kinds].sort()).toEqual([...all].sort());
    expect(disasmCases.filter((c) => a64.decode(Number(c.word)) !== null).length).toBeGreaterThan(1500);
  });

  it('assembles every corpus line llvm-mc accepts to the same word, and prints its text back', () => {
    const wrong: string[] = [];
    for (const c of asmCases) {
      if (c.error !== undefined) continue;
      const word = Number(c.word);
      if (a64.decode(word) === null) {
        // llvm-mc knows more than the subset: k must refuse the line, not mis-encode it
        if (assemblesTo(c.src, word)) wrong.push(`'${c.src}' is outside the subset but assembled`);
        continue;
      }
      let ours: number[] | string;
      try {
        ours = a64.assemble(c.src);
      } catch (e) {
        ours = (e as Error).message;
      }
      if (typeof ours === 'string') wrong.push(`'${c.src}': ${ours}`);
      else if (ours.length !== 1 || ours[0] !== word) wrong.push(`'${c.src}': ours 0x${(ours[0] ?? 0).toString(16)}, llvm-mc ${String(c.word)}`);
      if (a64.disassemble(word) !== c.text) wrong.push(`'${c.src}': prints '${a64.disassemble(word)}', llvm-mc '${String(c.text)}'`);
    }
    expect(wrong).toEqual([]);
    expect(asmCases.filter((c) => c.error === undefined && a64.decode(Number(c.word)) !== null).length).toBeGreaterThan(300);
  });

  it('refuses every corpus line llvm-mc refuses, with a line number', () => {
    const accepted: string[] = [];
    for (const c of asmCases) {
      if (c.error === undefined) continue;
      try {
        a64.assemble(`nop\n${c.src}`);
        accepted.push(`'${c.src}' (llvm-mc: ${c.error})`);
      } catch (e) {
        expect((e as { line?: number }).line).toBe(2);
      }
    }
    expect(accepted).toEqual([]);
  });

  it("prints hint names as llvm-mc -mattr=+v8.5a does with { hints: 'v8.5a' }", () => {
    for (const c of hintCases) expect(a64.disassemble(Number(c.word), undefined, { hints: 'v8.5a' })).toBe(c.text);
  });

  oracleIt(
    'a live llvm-mc reproduces the committed vectors',
    ['llvm-mc'],
    () => {
      expect(assembleCorpus()).toEqual(asmCases);
      const words = disasmCases.map((c) => Number(c.word));
      expect(disassembleWords(words)).toEqual(disasmCases.map((c) => c.text));
      expect(hintCorpus()).toEqual(hintCases);
    },
    60_000,
  );
});
