// Oracle availability for the AArch64 tests: a missing tool skips with a message,
// unless K_REQUIRE_ORACLES=1, where it fails (CI installs the oracles and sets it).
import { spawnSync } from 'node:child_process';
import { it } from 'vitest';

/** True when `cmd --version` runs. */
export function haveTool(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

const required = process.env.K_REQUIRE_ORACLES === '1';

/** An `it` that needs the named tools: skips with a warning when one is absent, fails under K_REQUIRE_ORACLES=1. */
export function oracleIt(name: string, tools: readonly string[], fn: () => void | Promise<void>, timeout?: number): void {
  const missing = tools.filter((t) => !haveTool(t));
  if (missing.length === 0) {
    it(name, fn, timeout);
  } else if (required) {
    it(name, () => {
      throw new Error(`oracle missing: ${missing.join(', ')} (K_REQUIRE_ORACLES=1); install qemu-user binutils-aarch64-linux-gnu llvm`);
    });
  } else {
    console.warn(`[skip] ${name}: ${missing.join(', ')} not installed (set K_REQUIRE_ORACLES=1 to make this a failure)`);
    it.skip(name, fn);
  }
}
