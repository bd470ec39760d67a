// The kernel's instruction generators against llvm-mc's encodings (committed
// golden data, and a live llvm-mc where one is installed), against hw-emu's
// encoder, and their AARCH64_BREAK_FAULT on what cannot be encoded.
import { findOracle } from '@k/core-sync/testing';
import { a64 } from '@k/hw-emu';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AARCH64_BREAK_FAULT, AARCH64_INSN_ADR_TYPE_ADR, AARCH64_INSN_ADR_TYPE_ADRP, AARCH64_INSN_BRANCH_LINK, AARCH64_INSN_BRANCH_NOLINK,
  AARCH64_INSN_MOVEWIDE_INVERSE, AARCH64_INSN_MOVEWIDE_KEEP, AARCH64_INSN_MOVEWIDE_ZERO, AARCH64_INSN_VARIANT_32BIT, AARCH64_INSN_VARIANT_64BIT,
  aarch64_get_branch_offset, aarch64_insn_gen_adr, aarch64_insn_gen_branch_imm, aarch64_insn_gen_movewide, aarch64_insn_is_bl,
} from '../src/internal/insn';
import { CASES } from './golden/cases';
import golden from './golden/insn.json';
import { hex, LLVM_MC, runLlvmMc, type GoldenInsn } from './golden/llvm';

const byName = new Map((golden as GoldenInsn[]).map((g) => [g.name, g]));

describe('the kernel instruction generators', () => {
  it('has a committed llvm-mc result for every case', () => {
    expect(CASES.map((c) => c.name)).toEqual((golden as GoldenInsn[]).map((g) => g.name));
    expect(CASES.map((c) => c.asm)).toEqual((golden as GoldenInsn[]).map((g) => g.asm));
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.fault ? 'returns AARCH64_BREAK_FAULT where llvm-mc refuses' : 'matches llvm-mc'} '${c.asm}'`, () => {
      const g = byName.get(c.name)!;
      if (c.fault) {
        expect(g.error).toBeDefined();
        expect(hex(c.gen())).toBe(hex(AARCH64_BREAK_FAULT));
        expect(a64.disassemble(c.gen())).toBe('brk #0x100');
      } else {
        expect(g.word).toBeDefined();
        expect(hex(c.gen())).toBe(g.word);
        // hw-emu's assembler and encoder agree with llvm-mc and the kernel
        expect(hex(a64.assemble(c.asm)[0]!)).toBe(g.word);
        expect(hex(a64.encode(a64.decode(c.gen())!))).toBe(g.word);
      }
    });
  }

  const llvm = findOracle(LLVM_MC, ['--version'], 'llvm-mc is not installed');
  it.skipIf(!llvm.run)('reproduces the golden data with a live llvm-mc', () => {
    llvm.assertPresent();
    expect(runLlvmMc(CASES)).toEqual(golden);
  });
});

describe('properties of the generators (fixed seeds)', () => {
  const base = 0xffff800010000000n;
  it('encodes every word-aligned B/BL offset in [-128M, 128M) as hw-emu does, and faults outside', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(1n << 28n), max: 1n << 28n }),
        fc.bigInt({ min: 0n, max: 1n << 20n }),
        fc.boolean(),
        (off, pcw, link) => {
          const pc = base + pcw * 4n;
          const w = aarch64_insn_gen_branch_imm(pc, pc + off, link ? AARCH64_INSN_BRANCH_LINK : AARCH64_INSN_BRANCH_NOLINK);
          const encodable = off % 4n === 0n && off >= -(1n << 27n) && off < 1n << 27n;
          if (!encodable) return w === AARCH64_BREAK_FAULT;
          if (w !== a64.encode({ kind: 'branch', link, offset: Number(off) })) return false;
          return !link || (aarch64_insn_is_bl(w) && aarch64_get_branch_offset(w) === off);
        },
      ),
      { seed: 4004, numRuns: 3000 },
    );
  });

  it('encodes MOVZ/MOVK/MOVN as hw-emu does for every immediate and legal shift', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 16, 32, 48), fc.boolean(), fc.constantFrom(0, 1, 2), (rd, imm, shift, sf, type) => {
        const w = aarch64_insn_gen_movewide(rd, imm, shift, sf ? AARCH64_INSN_VARIANT_64BIT : AARCH64_INSN_VARIANT_32BIT, type);
        if (!sf && shift > 16) return w === AARCH64_BREAK_FAULT;
        const op = type === AARCH64_INSN_MOVEWIDE_ZERO ? 'movz' : type === AARCH64_INSN_MOVEWIDE_KEEP ? 'movk' : 'movn';
        return w === a64.encode({ kind: 'movWide', op, sf, rd, imm16: imm, hw: shift / 16 });
      }),
      { seed: 4005, numRuns: 2000 },
    );
    expect(AARCH64_INSN_MOVEWIDE_INVERSE).toBe(2);
  });

  it('keeps the s32 truncation of aarch64_insn_gen_adr: an ADR target 4 GiB away wraps into range', () => {
    const pc = base + 0x1000n;
    expect(aarch64_insn_gen_adr(pc, pc + 0x100000000n + 8n, 0, AARCH64_INSN_ADR_TYPE_ADR)).toBe(a64.encode({ kind: 'adr', page: false, rd: 0, offset: 8 }));
  });

  it('encodes ADR within 1 MiB and ADRP within 4 GiB as hw-emu does, the ADRP page taken from the target', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 33n), max: 1n << 33n }), fc.bigInt({ min: 0n, max: 1n << 24n }), (off, pcw) => {
        const pc = base + pcw * 4n;
        const target = pc + off;
        const adr = aarch64_insn_gen_adr(pc, target, 16, AARCH64_INSN_ADR_TYPE_ADR);
        // the kernel keeps the ADR offset in an s32: C's truncation decides the range check
        const s32 = BigInt.asIntN(32, off);
        const adrOk = s32 >= -(1n << 20n) && s32 < 1n << 20n;
        if (adrOk !== (adr !== AARCH64_BREAK_FAULT)) return false;
        if (adrOk && adr !== a64.encode({ kind: 'adr', page: false, rd: 16, offset: Number(s32) })) return false;
        const pages = (target >> 12n) - (pc >> 12n);
        const adrp = aarch64_insn_gen_adr(pc, target, 16, AARCH64_INSN_ADR_TYPE_ADRP);
        const adrpOk = pages >= -(1n << 20n) && pages < 1n << 20n;
        if (adrpOk !== (adrp !== AARCH64_BREAK_FAULT)) return false;
        return !adrpOk || adrp === a64.encode({ kind: 'adr', page: true, rd: 16, offset: Number(pages * 4096n) });
      }),
      { seed: 4006, numRuns: 3000 },
    );
  });
});
