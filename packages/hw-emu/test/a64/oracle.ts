// Oracle availability for the AArch64 tests, through @k/core-sync/testing: a
// missing tool skips with a message, unless K_REQUIRE_ORACLES=1, where it fails
// (CI installs the oracles and sets it).
import { findOracle, type Oracle } from '@k/core-sync/testing';
import { it } from 'vitest';

const found = new Map<string, Oracle>();
function oracle(tool: string): Oracle {
  let o = found.get(tool);
  if (!o) {
    o = findOracle(tool, ['--version'], `${tool} is not installed (apt-get install qemu-user binutils-aarch64-linux-gnu llvm)`);
    found.set(tool, o);
  }
  return o;
}

/** An `it` that needs the named tools: skipped with a message when one is absent, failing under K_REQUIRE_ORACLES=1. */
export function oracleIt(name: string, tools: readonly string[], fn: () => void | Promise<void>, timeout?: number): void {
  const oracles = tools.map(oracle);
  it.runIf(oracles.every((o) => o.run))(name, async () => {
    for (const o of oracles) o.assertPresent();
    await fn();
  }, timeout);
}
