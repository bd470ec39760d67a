import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../api-reference.mjs', import.meta.url));

describe('docs/reference', () => {
  it('is what the public entry points of the packages give today', () => {
    // exit 1 with the stale pages named when a public API changed without `node tools/api-reference.mjs`
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  }, 120_000);
});
