// Finds an oracle program for differential tests: skip with a message when it
// is absent, fail instead when K_REQUIRE_ORACLES=1 (CI installs the oracles).
import { spawnSync } from 'node:child_process';

export interface Oracle {
  /** True when the program runs here. */
  have: boolean;
  /** True when the tests that need it must run (present, or required). */
  run: boolean;
  /** Throws when the oracle is required but absent: call first in each oracle test. */
  assertPresent(): void;
}

export function findOracle(program: string, versionArgs: string[] = ['--version']): Oracle {
  const have = spawnSync(program, versionArgs, { stdio: 'ignore' }).status === 0;
  const required = process.env.K_REQUIRE_ORACLES === '1';
  if (!have) {
    console.warn(
      required
        ? `${program} is not installed but K_REQUIRE_ORACLES=1: its oracle tests fail`
        : `${program} is not installed: skipping its oracle tests (the committed golden files are still checked)`,
    );
  }
  return {
    have,
    run: have || required,
    assertPresent() {
      if (!have) throw new Error(`K_REQUIRE_ORACLES=1 and ${program} is not installed`);
    },
  };
}
