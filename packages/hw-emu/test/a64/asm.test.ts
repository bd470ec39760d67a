// The assembler beyond single lines: labels, symbols, directives, expressions,
// PC-relative operands with and without a pc, and its errors.
import { describe, expect, it } from 'vitest';
import { a64, A64AsmError, A64Error } from '../../src/index';

describe('a64.assemble', () => {
  it('assembles the brief examples to llvm-mc encodings', () => {
    expect(a64.assemble('bl #4096')).toEqual([0x94000400]);
    expect(a64.assemble('mov x9, x30')).toEqual([0xaa1e03e9]);
    expect(a64.assemble('stp x29, x30, [sp, #-16]!')).toEqual([0xa9bf7bfd]);
    expect(a64.assemble('ldr x0, [sp, #8]')).toEqual([0xf94007e0]);
    expect(a64.assemble('b.ne #-8')).toEqual([0x54ffffc1]);
    expect(a64.assemble('adrp x0, #4096')).toEqual([0xb0000000]);
  });

  it('resolves labels forwards and backwards relative to the pc', () => {
    const text = `
      start:  b     end          // forward
              nop
      loop:   subs  x0, x0, #1
              b.ne  loop         // backward
              cbz   x1, start
      end:    ret
    `;
    const words = a64.assemble(text, 0x4000);
    expect(words.map((w, i) => a64.disassemble(w, 0x4000 + 4 * i))).toEqual([
      'b 0x4014',
      'nop',
      'subs x0, x0, #1',
      'b.ne 0x4008',
      'cbz x1, 0x4000',
      'ret',
    ]);
    // the encoding does not depend on where the text sits, only the targets do
    expect(a64.assemble(text, 0x10000)).toEqual(words);
  });

  it("reads '#n' as an offset (llvm-mc) and a bare number as an absolute target (llvm-objdump)", () => {
    expect(a64.assemble('b #16', 0x1000)).toEqual(a64.assemble('b 0x1010', 0x1000));
    expect(a64.assemble('bl 0x2000', 0x1000)).toEqual([0x94000400]);
    expect(a64.assemble('adrp x0, 0x5123', 0x1000)).toEqual(a64.assemble('adrp x0, #0x4000'));
    expect(a64.disassemble(0x94000400, 0x1000)).toBe('bl 0x2000');
  });

  it('supports GNU local labels (1: with 1b and 1f)', () => {
    const words = a64.assemble('1: cbz x0, 1f\n sub x0, x0, #1\n b 1b\n1: ret');
    expect(words.map((w) => a64.disassemble(w))).toEqual(['cbz x0, #12', 'sub x0, x0, #1', 'b #-8', 'ret']);
  });

  it('evaluates constant expressions, .equ symbols and external symbols', () => {
    const text = `
      .equ S_FRAME_SIZE, 288
      sub sp, sp, #(S_FRAME_SIZE + 16)
      add x10, sp, #S_FRAME_SIZE + 16
      mov x0, #(1 << 16)
      bl ftrace_stub
    `;
    const words = a64.assemble(text, 0x1000, { symbols: { ftrace_stub: 0x2000n } });
    expect(words.map((w) => a64.disassemble(w))).toEqual(['sub sp, sp, #304', 'add x10, sp, #304', 'mov x0, #65536', 'bl #4084']);
  });

  it('reaches a symbol with adrp and :lo12: as the kernel ldr_l macro does', () => {
    const p = a64.assembleProgram('adrp x2, op\nldr x2, [x2, :lo12:op]\nret\n.balign 8\nop: .quad 0x1122334455667788', 0xffff800010000ff8n);
    const op = p.symbols.get('op') as bigint;
    expect(op).toBe(0xffff800010001008n);
    expect(a64.disassemble(p.words[0] as number, 0xffff800010000ff8n)).toBe('adrp x2, 0xffff800010001000');
    expect(a64.disassemble(p.words[1] as number)).toBe('ldr x2, [x2, #8]');
    expect(p.words.slice(4)).toEqual([0x55667788, 0x11223344]);
  });

  it('accepts ; separators, // comments, .word, .quad and .align (padded with NOPs)', () => {
    const p = a64.assembleProgram('nop; nop // two\n.align 4\ndata: .word 0xdeadbeef, -1\n.quad 5');
    expect(p.words).toEqual([0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xdeadbeef, 0xffffffff, 5, 0]);
    expect(p.symbols.get('data')).toBe(16n);
  });

  it('picks llvm-mc encodings for the aliases and the offset forms', () => {
    const cases: [string, string][] = [
      ['mov x0, #0xffff0000', 'mov x0, #4294901760'],
      ['mov x0, #-65537', 'mov x0, #-65537'],
      ['mov w0, #0xffffffff', 'mov w0, #-1'],
      ['add x0, x1, #-8', 'sub x0, x1, #8'],
      ['cmp x0, #-1', 'cmn x0, #1'],
      ['add x0, x1, #0x1000', 'add x0, x1, #1, lsl #12'],
      ['ldr x0, [x1, #-8]', 'ldur x0, [x1, #-8]'],
      ['ldr x0, [x1, #4]', 'ldur x0, [x1, #4]'],
      ['mov sp, x0', 'mov sp, x0'],
      ['add x0, sp, x1', 'add x0, sp, x1'],
      ['b.cs #8', 'b.hs #8'],
      ['bti c', 'hint #34'],
      ['paciasp', 'hint #25'],
      ['ret lr', 'ret'],
      ['stp fp, lr, [sp, #-16]!', 'stp x29, x30, [sp, #-16]!'],
    ];
    for (const [src, printed] of cases) expect(a64.disassemble(a64.assemble(src)[0] as number), src).toBe(printed);
  });

  it('reports errors with their line number and the offending line', () => {
    const err = (text: string): A64AsmError => {
      try {
        a64.assemble(text);
      } catch (e) {
        expect(e).toBeInstanceOf(A64AsmError);
        return e as A64AsmError;
      }
      throw new Error('no error');
    };
    expect(err('nop\nfrob x0').line).toBe(2);
    expect(err('nop\nfrob x0').message).toMatch(/line 2: 'frob' is not an instruction of the subset: frob x0/);
    expect(err('b nowhere').message).toMatch(/undefined symbol 'nowhere'/);
    expect(err('x: nop\nx: nop').message).toMatch(/defined twice/);
    expect(err('ldr x0, [x1, #32768]').message).toMatch(/out of range/);
    expect(err('mov x0, #0x12345').message).toMatch(/MOVZ or MOVN/);
    expect(err('add x0, x1, x2, ror #1').message).toMatch(/shift or an extend/);
    expect(err('ldr x0, [x1, x2]').message).toMatch(/register offsets are outside the subset/);
    expect(err('b far').line).toBe(1);
    expect(err('mov x0, x1, x2').message).toMatch(/mov takes 2 operands/);
    expect(err('ldr x0, [x0, #8]!').message).toMatch(/unpredictable/);
    expect(err('.frob 1').message).toMatch(/unknown directive/);
    expect(err('.equ a, a + 1\nmov x0, #a').message).toMatch(/in terms of itself/);
    expect(err('mov x0, #(1 / 0)').message).toMatch(/division by zero/);
    expect(err('nop\n.byte 1\nnop').message).toMatch(/4-byte boundary/);
    expect(() => a64.assemble('b far', 0, { symbols: { far: 1n << 30n } })).toThrow(/out of range/);
  });

  it('validates its arguments with A64Error', () => {
    expect(() => a64.assemble(42 as unknown as string)).toThrow(A64Error);
    expect(() => a64.assemble('nop', -1)).toThrow(/pc/);
    expect(() => a64.assemble('nop', 0, { symbols: { x: 1.5 } })).toThrow(/not an integer/);
    expect(() => a64.disassemble(2 ** 32)).toThrow(/32-bit/);
    expect(() => a64.disassemble(0, 1n << 64n)).toThrow(/pc/);
  });

  it('assembles an empty text to no words', () => {
    expect(a64.assemble('')).toEqual([]);
    expect(a64.assemble('// nothing\n\n')).toEqual([]);
  });
});
