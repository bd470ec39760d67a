// One shared tsup config factory: every package builds through it, so a later
// switch of bundler touches this file only. Entries come from the package's
// `exports` map (the `@k/source` condition of each entry), the single list of
// what a package publishes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type ExportEntry = string | { '@k/source'?: string; [k: string]: unknown };

export function entriesFromExports(pkgDir: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    exports?: Record<string, ExportEntry>;
    bin?: Record<string, string>;
  };
  const entries: Record<string, string> = {};
  for (const [key, value] of Object.entries(pkg.exports ?? {})) {
    if (typeof value === 'string') continue;
    const src = value['@k/source'];
    if (typeof src !== 'string') continue;
    const name = key === '.' ? 'index' : key.replace(/^\.\//, '');
    entries[name] = src;
  }
  for (const target of Object.values(pkg.bin ?? {})) {
    const name = target.replace(/^\.\/dist\//, '').replace(/\.js$/, '');
    entries[name] = `./src/${name}.ts`;
  }
  return entries;
}

export function defineK(pkgDir: string, extra: Options = {}) {
  return defineConfig({
    entry: entriesFromExports(pkgDir),
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: false,
    ...extra,
  });
}
