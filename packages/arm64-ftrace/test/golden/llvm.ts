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

/** Assembles each case's text with llvm-mc, one process per line (so an error stays with its line). */
export function runLlvmMc(cases: readonly GenCase[]): GoldenInsn[] {
  return cases.map(({ name, asm }) => {
    const r = spawnSync(LLVM_MC, ['-triple=aarch64', '-show-encoding'], { input: asm + '\n', encoding: 'utf8' });
    if (r.error) throw r.error;
    const err = /error: (.*)$/m.exec(r.stderr);
    if (err) return { name, asm, error: err[1] as string };
    const m = /encoding: \[(.*)\]/.exec(r.stdout);
    if (!m) throw new Error(`llvm-mc printed no encoding for '${asm}': ${r.stdout}${r.stderr}`);
    const b = (m[1] as string).split(',').map((x) => Number(x));
    return { name, asm, word: hex(((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0) };
  });
}
