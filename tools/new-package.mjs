#!/usr/bin/env node
// Scaffolds a package under packages/<name> with the project's layout:
// package.json (exports map with the @k/source condition), tsconfig, tsup and
// vitest configs through the shared factories, src/index.ts, test/, README.
// Usage: node tools/new-package.mjs <name> "<description>" [dep ...]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [name, description, ...deps] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: node tools/new-package.mjs <name> "<description>" [dep ...]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'packages', name);
if (existsSync(dir)) {
  console.error(`packages/${name} exists`);
  process.exit(2);
}
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
const pkg = {
  name: `@k/${name}`,
  version: '0.1.0',
  description,
  license: 'GPL-2.0-only',
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20.19' },
  exports: {
    '.': { '@k/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' },
    './package.json': './package.json',
  },
  files: ['dist'],
  scripts: {
    build: 'tsup',
    test: 'vitest run',
    typecheck: 'tsc -p tsconfig.json',
    lint: 'eslint .',
  },
  dependencies: Object.fromEntries(deps.map((d) => [`@k/${d}`, '^0.1.0'])),
};
const w = (f, s) => writeFileSync(join(dir, f), s);
w('package.json', JSON.stringify(pkg, null, 2) + '\n');
w('tsconfig.json', JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', 'bench', '*.ts'] }, null, 2) + '\n');
w('tsup.config.ts', `import { defineK } from '../../tsup.base';\n\nexport default defineK(import.meta.dirname);\n`);
w('vitest.config.ts', `import { defineKTest } from '../../vitest.base';\n\nexport default defineKTest();\n`);
console.log(`created packages/${name}`);
