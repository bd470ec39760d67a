import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k } from './capture';



describe('k a64', () => {
  it('disassembles words given with or without 0x, one line per word, in llvm-mc syntax', async () => {
    expect(await k('a64', 'disasm', '0x94000400', 'aa1e03e9', 'A9BF7BFD', 'd503201f', '0', '12345678')).toEqual({
      code: 0,
      out: ['bl #4096', 'mov x9, x30', 'stp x29, x30, [sp, #-16]!', 'nop', 'udf #0', '.inst 0x12345678'],
      err: '',
    });
  });

  it('prints absolute targets with --pc, the words sitting at consecutive addresses', async () => {
    expect((await k('a64', 'disasm', '--pc', '0x1000', '94000400', '94000400')).out).toEqual(['bl 0x2000', 'bl 0x2004']);
    expect((await k('a64', 'disasm', '--hints', 'v8.5a', 'd503233f')).out).toEqual(['paciasp']);
  });

  it('assembles text into hex words, each argument a line', async () => {
    expect(await k('a64', 'asm', 'mov x9, x30', 'bl #4096')).toEqual({ code: 0, out: ['0xaa1e03e9', '0x94000400'], err: '' });
    expect((await k('a64', 'asm', '--pc', '0x1000', 'b 0x2000; nop')).out).toEqual(['0x14000400', '0xd503201f']);
  });

  it('assembles a file with -f', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k-cli-a64-'));
    try {
      writeFileSync(join(dir, 'f.s'), 'loop:\n  subs x0, x0, #1\n  b.ne loop\n');
      expect((await k('a64', 'asm', '-f', join(dir, 'f.s'))).out).toEqual(['0xf1000400', '0x54ffffe1']);
      const missing = await k('a64', 'asm', '-f', join(dir, 'nope.s'));
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad input with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['a64', 'disasm', 'xyz'], /'xyz' is not a 32-bit instruction word in hex/],
      [['a64', 'disasm', '123456789'], /not a 32-bit instruction word/],
      [['a64', 'disasm'], /give at least one instruction word/],
      [['a64', 'disasm', '--pc', 'abc', '0'], /--pc 'abc' is not an address/],
      [['a64', 'disasm', '--pc', '0x1002', '0'], /not 4-byte aligned/],
      [['a64', 'disasm', '--frob', '0'], /frob/],
      [['a64', 'asm', 'frob x0'], /line 1: 'frob' is not an instruction of the subset/],
      [['a64', 'asm', 'nop', 'b.ne nowhere'], /line 2: undefined symbol 'nowhere'/],
      [['a64', 'asm'], /give the assembly text/],
      [['a64', 'frob'], /unknown subcommand 'frob'/],
      [['a64'], /say 'disasm' or 'asm'/],
    ];
    for (const [args, message] of cases) {
      const r = await k(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
      expect(r.out).toEqual([]);
    }
  });

  it('prints its help with exit code 0, and k --help lists it', async () => {
    const r = await k('a64', '--help');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/k a64 disasm/);
    expect((await k('--help')).out.join('\n')).toMatch(/a64 disasm/);
  });
});
