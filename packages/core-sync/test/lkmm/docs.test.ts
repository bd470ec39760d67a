// The examples of docs/lkmm.md are real: the litmus test it shows gives
// exactly the report and the explanation it shows.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { explainLitmus, formatHerdReport, runLitmus } from '../../src/lkmm/index';

const doc = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/lkmm.md'), 'utf8');

function block(marker: string): string {
  const m = new RegExp(`<!-- example:${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m) throw new Error(`docs/lkmm.md has no example:${marker} block`);
  return m[1]!;
}

describe('docs/lkmm.md', () => {
  const src = block('litmus');
  it('shows the report k litmus prints for its example', () => {
    expect(formatHerdReport(runLitmus(src, { file: 'MP+wmb+rmb.litmus' }))).toBe(block('herd'));
  });
  it('shows the explanation k litmus --explain prints for its example', () => {
    expect(explainLitmus(src)).toBe(block('explain'));
  });
  it('shows the values of its quick start', () => {
    const r = runLitmus(src);
    expect([r.observation, r.positive, r.negative, r.flags]).toEqual(['Never', 0, 3, []]);
  });
});
