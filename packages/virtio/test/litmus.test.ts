// The memory-ordering answers of the README: every litmus test under litmus/ is judged against its
// `Result:` comment by core-sync's LKMM checker (what `k litmus --check litmus/` does) and its
// `--explain` text names the rule the README quotes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainLitmus, judgeLitmusResult, runLitmus } from '@k/core-sync';

const dir = join(import.meta.dirname, '..', 'litmus');
const files = readdirSync(dir).filter((f) => f.endsWith('.litmus')).sort();

/** What `k litmus --explain` must say for each test: the rule the README quotes. */
const because: Record<string, RegExp> = {
  'irq-ready+release+acquire-once.litmus': /happens-before axiom/,
  'irq-ready+release+once.litmus': /two loads with nothing that orders them/,
  'irq-ready+release+ctrl.litmus': /two loads with nothing that orders them/,
  'irq-reset+synchronize_rcu.litmus': /RCU axiom/,
  'irq-reset+no-grace-period.litmus': /allowed even under sequential consistency/,
};

describe('the thread\'s patterns under the LKMM (k litmus --check litmus/)', () => {
  it('finds the seven tests', () => {
    expect(files.length).toBe(7);
  });
  for (const f of files) {
    it(`${f} ends as its Result: comment says`, () => {
      const src = readFileSync(join(dir, f), 'utf8');
      const r = runLitmus(src, { file: f });
      const j = judgeLitmusResult(r);
      expect(j.pass, `${f}: ${j.message} (got ${j.got})`).toBe(true);
      const why = because[f];
      if (why) expect(explainLitmus(src, { file: f })).toMatch(why);
    });
  }
});
