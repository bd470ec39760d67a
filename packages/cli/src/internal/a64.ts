// `k a64`: the AArch64 assembler and disassembler of @k/hw-emu on the command line.
//   k a64 disasm [--pc ADDR] [--hints v8.5a] WORD...   one line of llvm-mc syntax per word
//   k a64 asm [--pc ADDR] TEXT... | -f FILE             one word in hex per line
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { a64, A64Error } from '@k/hw-emu';
import type { Io } from './io';
import { UsageError } from './io';

export const A64_HELP = `k a64: the AArch64 subset of @k/hw-emu (llvm-mc syntax)

usage:
  k a64 disasm [--pc ADDR] [--hints v8.5a] WORD...
      disassemble 32-bit instruction words given in hex (0x94000000 or 94000000),
      one line per word; with --pc, PC-relative targets print as absolute addresses
      (the words sit at ADDR, ADDR+4, ...); a word outside the subset prints as .inst
  k a64 asm [--pc ADDR] TEXT... | -f FILE
      assemble the text (each TEXT argument is a line; ';' also separates statements)
      and print each word in hex, one per line; '#imm' branch targets are offsets,
      bare numbers and labels are absolute (placed at --pc, default 0)
`;

function parsePc(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(value)) throw new UsageError(`k a64: --pc '${value}' is not an address (decimal or 0x hex)`);
  const pc = BigInt(value);
  if (pc >= 1n << 64n) throw new UsageError(`k a64: --pc '${value}' does not fit 64 bits`);
  if (pc % 4n !== 0n) throw new UsageError(`k a64: --pc '${value}' is not 4-byte aligned`);
  return pc;
}

function parseWord(arg: string): number {
  if (!/^(0x)?[0-9a-f]{1,8}$/i.test(arg)) {
    throw new UsageError(`k a64 disasm: '${arg}' is not a 32-bit instruction word in hex (for example 0x94000000 or 94000000)`);
  }
  return Number.parseInt(arg.replace(/^0x/i, ''), 16) >>> 0;
}

function disasm(args: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { pc: { type: 'string' }, hints: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.hints !== undefined && values.hints !== 'plain' && values.hints !== 'v8.5a') {
    throw new UsageError(`k a64 disasm: --hints must be 'plain' or 'v8.5a', not '${values.hints}'`);
  }
  const pc = parsePc(values.pc);
  if (positionals.length === 0) throw new UsageError('k a64 disasm: give at least one instruction word (see k a64 --help)');
  const words = positionals.flatMap((p) => p.split(/[\s,]+/).filter((w) => w !== '')).map(parseWord);
  words.forEach((w, i) => io.out(a64.disassemble(w, pc === undefined ? undefined : pc + 4n * BigInt(i), { hints: values.hints as 'plain' | 'v8.5a' | undefined })));
  return 0;
}

function asm(args: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { pc: { type: 'string' }, file: { type: 'string', short: 'f' } },
    allowPositionals: true,
    strict: true,
  });
  const pc = parsePc(values.pc);
  let text: string;
  if (values.file !== undefined) {
    if (positionals.length) throw new UsageError('k a64 asm: give either TEXT or -f FILE, not both');
    try {
      text = readFileSync(values.file, 'utf8');
    } catch (e) {
      throw new UsageError(`k a64 asm: cannot read '${values.file}': ${(e as Error).message}`);
    }
  } else {
    if (positionals.length === 0) throw new UsageError('k a64 asm: give the assembly text (see k a64 --help)');
    text = positionals.join('\n');
  }
  let words: number[];
  try {
    words = a64.assemble(text, pc ?? 0n);
  } catch (e) {
    if (e instanceof A64Error) throw new UsageError(`k a64 asm: ${e.message}`);
    throw e;
  }
  for (const w of words) io.out(`0x${w.toString(16).padStart(8, '0')}`);
  return 0;
}

/** Runs `k a64 ...`; returns the exit code (0, or 2 through a UsageError). */
export async function a64Command(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'disasm':
        return disasm(rest, io);
      case 'asm':
        return asm(rest, io);
      case '-h':
      case '--help':
      case 'help':
        io.out(A64_HELP.trimEnd());
        return 0;
      case undefined:
        throw new UsageError(`k a64: say 'disasm' or 'asm'\n\n${A64_HELP.trimEnd()}`);
      default:
        throw new UsageError(`k a64: unknown subcommand '${sub}' (known: disasm, asm)`);
    }
  } catch (e) {
    // parseArgs reports unknown options as TypeErrors with a code
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`k a64: ${(e as Error).message}`);
    throw e;
  }
}
