#!/usr/bin/env node
// `npm run release`: publish every package whose version is not yet published.
// Here (no registry credentials, and @k/* is not on the public registry) it
// runs `npm publish --dry-run` per package, so that the flow is testable;
// pass --for-real to publish.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forReal = process.argv.includes('--for-real');
let failed = 0;
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  const file = join(pkgDir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (pkg.private) continue;
  let published;
  try {
    const v = execFileSync('npm', ['view', `${pkg.name}@${pkg.version}`, 'version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    published = v.toString().trim() === pkg.version;
  } catch {
    published = false;
  }
  if (published) {
    console.log(`${pkg.name}@${pkg.version}: already published`);
    continue;
  }
  const args = ['publish', '--access', 'public', ...(forReal ? [] : ['--dry-run'])];
  try {
    execFileSync('npm', args, { cwd: pkgDir, stdio: ['ignore', 'ignore', 'pipe'] });
    console.log(`${pkg.name}@${pkg.version}: ${forReal ? 'published' : 'would publish (dry run)'}`);
  } catch (e) {
    failed++;
    console.error(`${pkg.name}@${pkg.version}: publish failed\n${e.stderr?.toString() ?? e}`);
  }
}
process.exitCode = failed ? 1 : 0;
