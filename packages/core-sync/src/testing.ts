// @k/core-sync/testing: helpers for the test suites of k's packages.

import { spawnSync } from 'node:child_process';

/** An external program used as an oracle by differential tests. */
export interface Oracle {
  /** the program runs here */
  readonly have: boolean;
  /** the tests that need it must run: it is present, or required (they will fail) */
  readonly run: boolean;
  /** throws when the oracle is required but absent: call it first in each oracle test */
  assertPresent(): void;
}

/**
 * Finds an oracle program. When it is absent, its tests skip with a message,
 * unless K_REQUIRE_ORACLES=1 (CI sets it after installing the oracles): then
 * they run and fail, so that a green CI means the oracles really ran.
 */
export function findOracle(program: string, versionArgs: readonly string[] = ['--version'], why = `${program} is not installed`): Oracle {
  const have = spawnSync(program, [...versionArgs], { stdio: 'ignore' }).status === 0;
  return oracleFrom(program, have, why);
}

/** As findOracle, for an oracle whose presence the caller has probed itself. */
export function oracleFrom(name: string, have: boolean, why = `${name} is not available`): Oracle {
  const required = process.env.K_REQUIRE_ORACLES === '1';
  if (!have) {
    console.warn(required ? `${why} but K_REQUIRE_ORACLES=1: its oracle tests fail` : `${why}: skipping its oracle tests (the committed golden data are still checked)`);
  }
  return {
    have,
    run: have || required,
    assertPresent() {
      if (!have) throw new Error(`K_REQUIRE_ORACLES=1 and ${why}`);
    },
  };
}
