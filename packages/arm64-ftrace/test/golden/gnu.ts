// The kernel's own toolchain as the oracle of the emulated image: GNU as
// assembles the same .text source (entry-ftrace.S, the stubs, the functions)
// and GNU ld links it at the kernel's address, with function_trace_op defined
// where the model puts it. Used by generate-text.ts (committed golden words)
// and by the oracle test against live binutils.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_DATA, KIMAGE_VADDR, LIVEPATCH_FUNCTIONS, SAMPLE_FUNCTIONS, TEXT_OFFSET, kernelTextSource, type FtraceDesign } from '../../src/index';

export const AS = process.env.AARCH64_AS ?? 'aarch64-linux-gnu-as';
export const LD = process.env.AARCH64_LD ?? 'aarch64-linux-gnu-ld';
export const OBJCOPY = process.env.AARCH64_OBJCOPY ?? 'aarch64-linux-gnu-objcopy';

/** Where the model's kernel puts function_trace_op (the first kzalloc of its data). */
export const FUNCTION_TRACE_OP = KERNEL_DATA + 0x400n;
export const TEXT_BASE = KIMAGE_VADDR + TEXT_OFFSET;

/** The source every assembler sees. */
export function source(design: FtraceDesign): { text: string; symbols: Record<string, bigint | number> } {
  const s = kernelTextSource({ design, base: TEXT_BASE, functions: [...SAMPLE_FUNCTIONS, ...LIVEPATCH_FUNCTIONS], dataSymbols: { function_trace_op: FUNCTION_TRACE_OP } });
  return { text: s.text, symbols: { ...s.symbols } };
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

/** The linked .text words GNU as + ld produce. */
export function gnuText(design: FtraceDesign): string[] {
  const { text, symbols } = source(design);
  const dir = mkdtempSync(join(tmpdir(), 'k-ftrace-gnu-'));
  try {
    const equs = Object.entries(symbols)
      .filter(([k]) => k !== 'function_trace_op')
      .map(([k, v]) => `        .equ    ${k}, ${String(v)}\n`)
      .join('');
    writeFileSync(join(dir, 'k.S'), `        .text\n${equs}${text}`);
    run(AS, ['-march=armv8.5-a', '-o', join(dir, 'k.o'), join(dir, 'k.S')]);
    run(LD, ['-Ttext', `0x${TEXT_BASE.toString(16)}`, '--defsym', `function_trace_op=0x${FUNCTION_TRACE_OP.toString(16)}`, '-e', '0', '-o', join(dir, 'k.elf'), join(dir, 'k.o')]);
    run(OBJCOPY, ['-O', 'binary', '-j', '.text', join(dir, 'k.elf'), join(dir, 'k.bin')]);
    const b = readFileSync(join(dir, 'k.bin'));
    const words: string[] = [];
    for (let i = 0; i + 4 <= b.length; i += 4) words.push('0x' + b.readUInt32LE(i).toString(16).padStart(8, '0'));
    return words;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
