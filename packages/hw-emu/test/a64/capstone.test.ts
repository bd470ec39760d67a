// The decoder against a disassembler we did not write (issue 5, "Oracles"):
// Capstone (capstone-wasm, a dev dependency). Over random words with a fixed seed
// (biased towards the encoding classes of the subset): where k decodes a word,
// Capstone decodes it to the same mnemonic and operands; where k rejects it,
// Capstone's text does not assemble back to that word (it is outside the subset)
// or Capstone calls it invalid.
//
// Normalisation, each for a documented reason:
// - numbers compare by value (Capstone prints hex, llvm-mc decimal), as signed 64-bit
//   (Capstone prints a negative post-index as 0xffff...fffa);
// - PC-relative targets compare as absolute addresses (both disassemble at 0x10000);
// - a hint compares by its number (Capstone names some hints llvm-mc prints as `hint #n`);
// - Capstone refuses the CONSTRAINED UNPREDICTABLE register overlaps that llvm-mc and k
//   decode (with llvm-mc's "potentially undefined" warning), and has no UDF.
import { Capstone, Const, loadCapstone } from 'capstone-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { a64 } from '../../src/index';

const PC = 0x10000;
let cs: Capstone;

beforeAll(async () => {
  await loadCapstone();
  cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
});

function capstone(word: number): string | null {
  const bytes = new Uint8Array([word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24]);
  try {
    const r = cs.disasm(bytes, { address: PC });
    const i = r[0];
    return i ? `${i.mnemonic} ${i.opStr}`.trim() : null;
  } catch {
    return null;
  }
}

const HINT_BY_NAME = new Map<string, number>([['psb csync', 17]]);
for (let i = 0; i < 128; i++) {
  const t = a64.disassemble((0xd503201f | (i << 5)) >>> 0, undefined, { hints: 'v8.5a' });
  if (!t.startsWith('hint')) HINT_BY_NAME.set(t, i);
}

function normalise(text: string): string {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const hint = HINT_BY_NAME.get(t);
  return (hint === undefined ? t : `hint #${hint}`)
    .replace(/#?(-?)(0x[0-9a-f]+|\d+)\b/g, (_m, sign: string, n: string) => BigInt.asIntN(64, (sign ? -1n : 1n) * BigInt(n)).toString())
    .replace(/\s*,\s*/g, ',');
}

/** Encoding classes of the subset and their neighbours: [mask of fixed bits, value]. */
const CLASSES: readonly (readonly [number, number])[] = [
  [0xfffff01f, 0xd503201f],
  [0xfffff01f, 0xd503301f],
  [0xff000000, 0xd4000000],
  [0xfe000000, 0xd6000000],
  [0xfc000000, 0x14000000],
  [0xff000000, 0x54000000],
  [0x7e000000, 0x34000000],
  [0x1f000000, 0x10000000],
  [0x1f000000, 0x11000000],
  [0x1f800000, 0x12800000],
  [0x1f000000, 0x0a000000],
  [0x7fe0ffe0, 0x2a0003e0],
  [0x1f200000, 0x0b000000],
  [0x1f200000, 0x0b200000],
  [0x3b000000, 0x39000000],
  [0x3b000000, 0x38000000],
  [0x3b000000, 0x18000000],
  [0x3a000000, 0x28000000],
];

const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc
    .tuple(fc.constantFrom(...CLASSES), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([[mask, value], bits]) => ((bits & ~mask) | value) >>> 0),
);

describe('the decoder against Capstone', () => {
  it('agrees with Capstone on every word it decodes, and rejects only words outside the subset', () => {
    let decoded = 0;
    fc.assert(
      fc.property(word, (w) => {
        const theirs = capstone(w);
        const insn = a64.decode(w);
        if (insn !== null) {
          decoded++;
          if (theirs === null) {
            // Capstone 5 has no UDF; it refuses the unpredictable overlaps llvm-mc decodes
            if (insn.kind !== 'udf') expect(a64.unpredictableChoice(insn), `Capstone refuses 0x${w.toString(16)}`).not.toBeNull();
            return;
          }
          const ours = insn.kind === 'hint' ? `hint #${insn.imm}` : a64.disassemble(w, PC);
          expect(normalise(ours), `0x${w.toString(16)}`).toBe(normalise(theirs));
        } else if (theirs !== null) {
          let back: number | undefined;
          try {
            back = a64.assemble(theirs)[0];
          } catch {
            back = undefined;
          }
          expect(back, `k rejects 0x${w.toString(16)} but assembles Capstone's '${theirs}' to it`).not.toBe(w);
        }
      }),
      { seed: 0x6b64, numRuns: 40_000 },
    );
    expect(decoded).toBeGreaterThan(10_000);
  });

  it('agrees with Capstone on the instructions of the seed', () => {
    expect(normalise(capstone(0xaa1e03e9) ?? '')).toBe(normalise(a64.disassemble(0xaa1e03e9)));
    expect(normalise(capstone(0xa9bf7bfd) ?? '')).toBe(normalise(a64.disassemble(0xa9bf7bfd)));
    expect(normalise(capstone(0x94000400) ?? '')).toBe(normalise(a64.disassemble(0x94000400, PC)));
  });
});
