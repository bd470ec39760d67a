// The project's own litmus suite (packages/core-sync/litmus): the classic
// shapes with the barrier variants that flip each verdict, every test judged
// against the verdict its Result: comment states (from the LKMM documentation).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { judgeLitmusResult, runLitmus } from '../../src/lkmm/index';

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../litmus');
const files = readdirSync(DIR).filter((f) => f.endsWith('.litmus')).sort();

describe('the litmus suite of @k/core-sync', () => {
  it('covers the classic shapes, each with a variant that flips its verdict', () => {
    for (const shape of ['MP+', 'SB+', 'LB+', 'WRC+', 'IRIW+', 'ISA2+', '2+2W+', 'R+', 'S+', 'Z6.0+', 'RCU-MP', 'RCU-deferred-free', 'MP+locks', 'SRCU-MP']) {
      const mine = files.filter((f) => f.startsWith(shape));
      const verdicts = new Set(mine.map((f) => /Result: (\w+)/.exec(readFileSync(join(DIR, f), 'utf8'))![1]));
      expect(mine.length, shape).toBeGreaterThan(0);
      if (shape !== 'MP+locks') expect([...verdicts].sort(), shape).toEqual(['Never', 'Sometimes']);
    }
  });

  it.each(files)('%s matches its Result: comment', (f) => {
    const r = runLitmus(readFileSync(join(DIR, f), 'utf8'), { file: f });
    const j = judgeLitmusResult(r);
    expect(j.message).toBe('');
    expect(j.pass).toBe(true);
  });
});
