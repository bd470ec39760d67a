// Re-creates kernel-text.json from GNU binutils: npx tsx --conditions=@k/source test/golden/generate-text.ts
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gnuText } from './gnu';

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'kernel-text.json'), JSON.stringify({ regs: gnuText('regs'), 'call-ops': gnuText('call-ops') }, null, 0) + '\n');
