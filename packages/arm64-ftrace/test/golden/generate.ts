// Re-creates insn.json from llvm-mc (LLVM 14 here): npx tsx test/golden/generate.ts
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES } from './cases';
import { runLlvmMc } from './llvm';

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'insn.json'), JSON.stringify(runLlvmMc(CASES), null, 1) + '\n');
