import { describe, expect, it } from 'vitest';
import { main } from '../src/index';
import { capture } from './capture';


describe('k', () => {
  it('prints its version', async () => {
    const io = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.lines[0]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown command with exit code 2 and a message', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.errors.join('\n')).toContain("unknown command 'frobnicate'");
  });

  it('rejects an unknown option of check with exit code 2', async () => {
    const io = capture();
    expect(await main(['check', '--frob'], io)).toBe(2);
    expect(io.errors.join('\n')).toContain("unknown option '--frob'");
  });

  it('rejects an unknown package and a bad budget with exit code 2', async () => {
    const io = capture();
    expect(await main(['check', 'nosuch'], io)).toBe(2);
    expect(io.errors.join('\n')).toContain("unknown package 'nosuch'");
    expect(await main(['check', '--budget', 'x'], io)).toBe(2);
    expect(await main(['check', '--strategy', 'magic'], io)).toBe(2);
  });

  it('check --json prints one object per scenario and variant, with the fields of the contract', async () => {
    const io = capture();
    expect(await main(['check', 'core-sync', '--json', '--budget', '50', '--scenario', 'abba'], io)).toBe(0);
    const rows = io.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.variant)).toEqual(['bug', 'fixed']);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['package', 'scenario', 'variant', 'expected', 'verdict', 'executions', 'timeMs']));
      expect(r.package).toBe('@k/core-sync');
    }
    expect(rows[0]).toMatchObject({ expected: 'fails', verdict: 'fails', ok: true });
    expect(rows[1]).toMatchObject({ expected: 'holds', verdict: 'holds', ok: true });
  });

  it('a package without scenarios is listed as such', async () => {
    const io = capture();
    expect(await main(['check', 'hw-emu', '--json'], io)).toBe(0);
    expect(JSON.parse(io.lines[0]!)).toMatchObject({ package: '@k/hw-emu', verdict: 'no scenarios' });
  });
});
