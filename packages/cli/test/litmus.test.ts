import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index';
import { capture } from './capture';


const MP = (result: string, w: string, r: string): string =>
  `C MP\n\n(*\n * Result: ${result}\n *)\n\n{}\n\nP0(int *buf, int *flag)\n{\n${w}\n}\n\nP1(int *buf, int *flag)\n{\n\tint r0;\n\tint r1;\n${r}\n}\n\nexists (1:r0=1 /\\ 1:r1=0)\n`;

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'k-litmus-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const relacq = MP('Never', '\tWRITE_ONCE(*buf, 1);\n\tsmp_store_release(flag, 1);', '\tr0 = smp_load_acquire(flag);\n\tr1 = READ_ONCE(*buf);');
const once = MP('Sometimes', '\tWRITE_ONCE(*buf, 1);\n\tWRITE_ONCE(*flag, 1);', '\tr0 = READ_ONCE(*flag);\n\tr1 = READ_ONCE(*buf);');

describe('k litmus', () => {
  it("prints herd7's report for each test", async () => {
    const d = dir({ 'mp.litmus': relacq });
    const io = capture();
    expect(await main(['litmus', join(d, 'mp.litmus')], io)).toBe(0);
    expect(io.text()).toBe(
      'Test MP Allowed\nStates 3\n1:r0=0; 1:r1=0;\n1:r0=0; 1:r1=1;\n1:r0=1; 1:r1=1;\nNo\nWitnesses\nPositive: 0 Negative: 3\nCondition exists (1:r0=1 /\\ 1:r1=0)\nObservation MP Never 0 3\n',
    );
  });

  it('prints one JSON object per test with --json', async () => {
    const d = dir({ 'a.litmus': relacq, 'b.litmus': once });
    const io = capture();
    expect(await main(['litmus', '--json', join(d, 'a.litmus'), join(d, 'b.litmus')], io)).toBe(0);
    const rows = io.text().split('\n').map((l) => JSON.parse(l) as { test: string; observation: string; positive: number; negative: number; flags: string[]; states: unknown[]; timeMs: number });
    expect(rows.map((r) => [r.observation, r.positive, r.negative])).toEqual([['Never', 0, 3], ['Sometimes', 1, 3]]);
    expect(rows[1]!.states).toHaveLength(4);
  });

  it('explains the verdict with --explain', async () => {
    const d = dir({ 'mp.litmus': relacq });
    const io = capture();
    expect(await main(['litmus', '--explain', join(d, 'mp.litmus')], io)).toBe(0);
    expect(io.text()).toContain('happens-before axiom');
  });

  it('--check prints a pass/fail table and a totals line, exit 0 when every Result: matches', async () => {
    const d = dir({ 'a.litmus': relacq, 'b.litmus': once });
    const io = capture();
    expect(await main(['litmus', '--check', d], io)).toBe(0);
    const text = io.text();
    expect(text).toMatch(/a\.litmus\s+Never\s+Never 0 3\s+pass/);
    expect(text).toMatch(/b\.litmus\s+Sometimes\s+Sometimes 1 3\s+pass/);
    expect(text.trimEnd().split('\n').pop()).toBe('2 passed, 0 failed');
  });

  it('--check fails (exit 1) on a wrong Result: comment and says why', async () => {
    const d = dir({ 'a.litmus': relacq.replace('Result: Never', 'Result: Sometimes') });
    const io = capture();
    expect(await main(['litmus', '--check', d], io)).toBe(1);
    expect(io.text()).toContain('Unexpected non-Sometimes verification');
    expect(io.text()).toContain('0 passed, 1 failed');
  });

  it('reports a syntax error with file, line and column, and exits 1', async () => {
    const d = dir({ 'bad.litmus': 'C bad\n{}\nP0(int *x) { WRITE_ONCE(*x, 1) }\nexists (x=1)\n' });
    const io = capture();
    expect(await main(['litmus', join(d, 'bad.litmus')], io)).toBe(1);
    expect(io.errors.join('\n')).toMatch(/bad\.litmus:3:32: expected ';' after a statement, found '}'/);
  });

  it('rejects no file, an unknown option and a missing directory with exit code 2', async () => {
    for (const args of [['litmus'], ['litmus', '--frob', 'x'], ['litmus', '--check', '/nonexistent/dir']]) {
      const io = capture();
      expect(await main(args, io)).toBe(2);
      expect(io.errors.length).toBe(1);
    }
  });

  it('is listed in k --help', async () => {
    const io = capture();
    await main(['--help'], io);
    expect(io.text()).toContain('litmus');
  });
});
