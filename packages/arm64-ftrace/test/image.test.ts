// The emulated kernel's text against GNU binutils (the kernel's toolchain):
// entry-ftrace.S, the stubs and the functions assembled by hw-emu are, word for
// word, what GNU as and ld make of the same source at the same address.
import { findOracle } from '@k/core-sync/testing';
import { a64 } from '@k/hw-emu';
import { describe, expect, it } from 'vitest';
import { ENTRY_FTRACE_REGS, Kernel, S_FRAME_SIZE, S_LR, S_PC, S_STACKFRAME } from '../src/index';
import golden from './golden/kernel-text.json';
import { AS, FUNCTION_TRACE_OP, gnuText, LD, OBJCOPY } from './golden/gnu';

function modelWords(variant: 'seed' | 'call-ops'): string[] {
  const k = new Kernel({ variant, cpus: 1 });
  expect(k.sym('function_trace_op')).toBe(FUNCTION_TRACE_OP);
  const words: string[] = [];
  // the text as built, before ftrace_init() patched the callsites: undo MOV X9, LR (and the ops literal)
  for (let a = k.text.base; a < k.text.end; a += 4n) words.push('0x' + k.read32(a).toString(16).padStart(8, '0'));
  for (const r of k.ftrace.records) words[Number(r.ip - 4n - k.text.base) / 4] = '0xd503201f';
  if (variant === 'call-ops') for (const r of k.ftrace.records) for (const o of [8n, 12n]) words[Number(r.ip - o - k.text.base) / 4] = '0xd503201f';
  return words;
}

describe('the kernel image', () => {
  for (const [variant, design] of [['seed', 'regs'], ['call-ops', 'call-ops']] as const) {
    it(`${design}: hw-emu assembles the text GNU as + ld make of it (committed golden words)`, () => {
      expect(modelWords(variant)).toEqual((golden as Record<string, string[]>)[design]);
    });
  }

  const tools = [AS, LD, OBJCOPY].map((t) => findOracle(t, ['--version'], `${t} (binutils-aarch64-linux-gnu) is not installed`));
  it.skipIf(!tools.every((t) => t.run))('reproduces the golden words with live GNU binutils', () => {
    for (const t of tools) t.assertPresent();
    expect({ regs: gnuText('regs'), 'call-ops': gnuText('call-ops') }).toEqual(golden);
  });

  it('expands ftrace_regs_entry as the seed wrote it: pt_regs plus a frame, the two frame records', () => {
    const k = new Kernel({ cpus: 1 });
    const at = (sym: string, n: number) => Array.from({ length: n }, (_, i) => a64.disassemble(k.read32(k.sym(sym) + BigInt(4 * i))));
    expect(at('ftrace_caller', 15)).toEqual([
      `sub sp, sp, #${S_FRAME_SIZE + 16}`,
      'stp x0, x1, [sp]',
      'stp x2, x3, [sp, #16]',
      'stp x4, x5, [sp, #32]',
      'stp x6, x7, [sp, #48]',
      'stp x8, x9, [sp, #64]',
      'str x29, [sp, #232]',
      `add x10, sp, #${S_FRAME_SIZE + 16}`,
      `stp x9, x10, [sp, #${S_LR}]`,
      `str x30, [sp, #${S_PC}]`,
      `stp x29, x9, [sp, #${S_FRAME_SIZE}]`,
      `add x29, sp, #${S_FRAME_SIZE}`,
      `stp x29, x30, [sp, #${S_STACKFRAME}]`,
      `add x29, sp, #${S_STACKFRAME}`,
      `b #${Number(k.sym('ftrace_common') - k.sym('ftrace_caller') - 56n)}`,
    ]);
    expect(at('ftrace_regs_caller', 16).slice(6, 16)).toEqual([
      'stp x10, x11, [sp, #80]',
      'stp x12, x13, [sp, #96]',
      'stp x14, x15, [sp, #112]',
      'stp x16, x17, [sp, #128]',
      'stp x18, x19, [sp, #144]',
      'stp x20, x21, [sp, #160]',
      'stp x22, x23, [sp, #176]',
      'stp x24, x25, [sp, #192]',
      'stp x26, x27, [sp, #208]',
      'stp x28, x29, [sp, #224]',
    ]);
    expect(ENTRY_FTRACE_REGS).toMatch(/ftrace_common_return:/);
  });
});
