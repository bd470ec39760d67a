import { describe, expect, it } from 'vitest';
import { main, type Io } from '../src/index';

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, tty: false, out: (l) => void lines.push(l), err: (l) => void errors.push(l) };
}

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

  it('rejects an unknown package with exit code 2', async () => {
    const io = capture();
    expect(await main(['check', 'nosuch'], io)).toBe(2);
    expect(io.errors.join('\n')).toContain("unknown package 'nosuch'");
  });

  it('check --json prints one parseable object per row', async () => {
    const io = capture();
    expect(await main(['check', 'hw-emu', '--json'], io)).toBe(0);
    const rows = io.lines.map((l) => JSON.parse(l) as { package: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.package === '@k/hw-emu')).toBe(true);
  });
});
