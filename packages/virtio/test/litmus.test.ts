// The memory-ordering answers of the README: every litmus test under litmus/ is judged against its
// `Result:` comment by core-sync's LKMM checker (what `k litmus --check litmus/` does) and its
// `--explain` text names the rule the README quotes. The checker lands in core-sync with its own
// branch; until then this suite says so and skips (it is part of k, not an external oracle, so
// K_REQUIRE_ORACLES does not apply).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as coreSync from '@k/core-sync';

interface Lkmm {
  runLitmus(src: string, opts?: { file?: string }): { observation: string; flags: readonly string[] };
  judgeLitmusResult(r: unknown): { pass: boolean; message: string; got: string };
  explainLitmus(src: string, opts?: { file?: string }): string;
}

const api = coreSync as unknown as Partial<Lkmm>;
const have = typeof api.runLitmus === 'function' && typeof api.judgeLitmusResult === 'function' && typeof api.explainLitmus === 'function';
if (!have) console.warn('litmus tests skipped: @k/core-sync has no LKMM checker (runLitmus) in this tree yet');

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

describe.skipIf(!have)('the thread\'s patterns under the LKMM (k litmus --check litmus/)', () => {
  it('finds the seven tests', () => {
    expect(files.length).toBe(7);
  });
  for (const f of files) {
    it(`${f} ends as its Result: comment says`, () => {
      const src = readFileSync(join(dir, f), 'utf8');
      const r = api.runLitmus!(src, { file: f });
      const j = api.judgeLitmusResult!(r);
      expect(j.pass, `${f}: ${j.message} (got ${j.got})`).toBe(true);
      const why = because[f];
      if (why) expect(api.explainLitmus!(src, { file: f })).toMatch(why);
    });
  }
});
