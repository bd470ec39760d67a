// Re-creates the llvm-mc golden vectors of the A64 subset (issue 5, "Oracles"):
//   asm.json     every line of asm-corpus.txt through `llvm-mc -triple=aarch64 -show-encoding`
//                (the printed text and the encoding, or llvm-mc's error);
//   disasm.json  words drawn (fixed seed) from each encoding class of the subset, plus
//                random words, through `llvm-mc -triple=aarch64 --disassemble`;
//   hints.json   the 128 hint-space words through `llvm-mc -mattr=+v8.5a --disassemble`.
// Run from packages/hw-emu: `npx tsx test/a64/golden/generate.ts` (needs llvm-mc).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleCorpus, disassemblyCorpus, hintCorpus, llvmVersion } from './llvm';

const here = dirname(fileURLToPath(import.meta.url));
const meta = { generator: 'test/a64/golden/generate.ts', oracle: `llvm-mc -triple=aarch64 (${llvmVersion()})` };
const lines = (cases: readonly unknown[]) => '[\n' + cases.map((c) => JSON.stringify(c)).join(',\n') + '\n]';
const file = (extra: Record<string, unknown>, cases: readonly unknown[]) =>
  `{${Object.entries({ ...meta, ...extra }).map(([k, v]) => `"${k}": ${JSON.stringify(v)}, `).join('')}"cases": ${lines(cases)}}\n`;
writeFileSync(join(here, 'asm.json'), file({}, assembleCorpus()));
writeFileSync(join(here, 'disasm.json'), file({}, disassemblyCorpus()));
writeFileSync(join(here, 'hints.json'), file({ mattr: '+v8.5a' }, hintCorpus()));
console.log('wrote asm.json, disasm.json, hints.json');
