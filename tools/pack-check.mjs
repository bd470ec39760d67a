#!/usr/bin/env node
// Packs every published package (`npm pack`), unpacks the tarballs into a
// scratch node_modules and imports each entry of each exports map with plain
// node: a broken exports map, a missing dist file or a dependency on an
// unpublished path fails here, as it would for a user.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'k-pack-'));
const nm = join(scratch, 'node_modules');
mkdirSync(join(nm, '@k'), { recursive: true });
const entries = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  if (!existsSync(join(pkgDir, 'package.json'))) continue;
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: pkgDir }).toString().trim().split('\n').pop();
  const dest = join(nm, pkg.name);
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['xzf', join(scratch, out), '-C', dest, '--strip-components=1']);
  for (const [key, value] of Object.entries(pkg.exports ?? {})) {
    if (key === './package.json') continue;
    if (typeof value !== 'object' || !value.import) throw new Error(`${pkg.name}: exports['${key}'] has no import condition`);
    if (!value.types) throw new Error(`${pkg.name}: exports['${key}'] has no types condition`);
    if (!existsSync(join(dest, value.types))) throw new Error(`${pkg.name}: ${value.types} is not in the packed tarball`);
    entries.push(key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`);
  }
}
// third-party runtime dependencies resolve from the workspace's node_modules
for (const dep of readdirSync(join(root, 'node_modules'))) {
  if (dep === '@k' || dep === '.bin') continue;
  const target = join(nm, dep);
  if (!existsSync(target)) execFileSync('ln', ['-s', join(root, 'node_modules', dep), target]);
}
const probe = join(scratch, 'probe.mjs');
writeFileSync(probe, entries.map((e) => `await import('${e}');`).join('\n') + `\nconsole.log('pack-check: imported ${entries.length} entries from packed tarballs with plain node');\n`);
try {
  execFileSync(process.execPath, [probe], { cwd: scratch, stdio: 'inherit' });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
