import { afterEach, describe, expect, it, vi } from 'vitest';
import { findOracle, oracleFrom } from '../src/testing';

describe('oracles for differential tests', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
  it('finds a program that exists', () => {
    const o = findOracle('node');
    expect(o.have).toBe(true);
    expect(o.run).toBe(true);
    expect(() => o.assertPresent()).not.toThrow();
  });
  it('skips an absent one with a message, or fails it when oracles are required', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('K_REQUIRE_ORACLES', '');
    const o = findOracle('k-no-such-program-xyz');
    expect([o.have, o.run]).toEqual([false, false]);
    expect(warn.mock.calls[0]![0]).toContain('skipping');
    vi.stubEnv('K_REQUIRE_ORACLES', '1');
    const r = oracleFrom('landlock', false, 'the kernel has no Landlock');
    expect(r.run).toBe(true);
    expect(() => r.assertPresent()).toThrow('K_REQUIRE_ORACLES=1 and the kernel has no Landlock');
  });
});
