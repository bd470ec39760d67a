// Runs llvm-mc -show-encoding over the cases: used by generate.ts to write the
// committed golden data, and by the oracle test against a live llvm-mc.
import { spawnSync } from 'node:child_process';
import type { GenCase } from './cases';

export const LLVM_MC = process.env.LLVM_MC ?? 'llvm-mc';

/** One case through llvm-mc: its word, or its error. */
export interface GoldenInsn {
  readonly name: string;
  readonly asm: string;
  readonly word?: string;
  readonly error?: string;
}

export function hex(w: number): string {
  return '0x' + (w >>> 0).toString(16).padStart(8, '0');
}

/** Assembles every case's text with one llvm-mc run; an error stays with its line. */
export function runLlvmMc(cases: readonly GenCase[]): GoldenInsn[] {
  const r = spawnSync(LLVM_MC, ['-triple=aarch64', '-show-encoding'], { input: cases.map((c) => c.asm).join('\n') + '\n', encoding: 'utf8' });
  if (r.error) throw r.error;
  const errors = new Map<number, string>();
  for (const m of r.stderr.matchAll(/^<stdin>:(\d+):\d+: error: (.*)$/gm)) if (!errors.has(Number(m[1]))) errors.set(Number(m[1]), m[2] as string);
  const encodings = r.stdout.split('\n').filter((l) => l.includes('encoding: ['));
  let next = 0;
  return cases.map(({ name, asm }, i) => {
    const error = errors.get(i + 1);
    if (error !== undefined) return { name, asm, error };
    const m = /encoding: \[(.*)\]/.exec(encodings[next++] ?? '');
    if (!m) throw new Error(`llvm-mc printed no encoding for '${asm}'`);
    const b = (m[1] as string).split(',').map((x) => Number(x));
    return { name, asm, word: hex(((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0) };
  });
}
