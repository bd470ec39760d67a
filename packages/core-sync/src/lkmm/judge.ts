// Judging a result against the test's own `Result:` comment, as the kernel's
// tools/memory-model/scripts/judgelitmus.sh does: the first word is the
// expected observation (Never, Sometimes, Always, or DEADLOCK for "no
// execution at all"; Maybe accepts anything); a DATARACE word means the
// model must flag a data race, and a flagged race that was not predicted is a
// failure. When a data race is flagged, a mismatched observation is forgiven.
import type { LitmusTest } from './ast';
import type { LitmusResult } from './run';

/** What a test's `Result:` comment predicts. */
export interface ExpectedResult {
  /** `Never`, `Sometimes`, `Always`, `DEADLOCK` or `Maybe` */
  readonly outcome: string;
  readonly dataRace: boolean;
  /** the comment's text after `Result:` */
  readonly raw: string;
}

/** The verdict of `judgeLitmusResult`. */
export interface Judgement {
  readonly pass: boolean;
  /** passed only because a data race excuses the observation (judgelitmus.sh's "Forgiven") */
  readonly forgiven: boolean;
  /** null when the test has no `Result:` comment */
  readonly expected: ExpectedResult | null;
  /** the observation line's verdict and counts, e.g. `Never 0 3` */
  readonly got: string;
  /** empty when it passed, else what went wrong in judgelitmus.sh's words */
  readonly message: string;
}

/** Reads a test's `Result:` comment, or null when it has none. */
export function parseResultComment(test: LitmusTest): ExpectedResult | null {
  const raw = test.resultComment;
  if (!raw) return null;
  const words = raw.split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return { outcome: words[0]!, dataRace: words.slice(1).includes('DATARACE'), raw };
}

/** Compares a result with the `Result:` comment of its test. */
export function judgeLitmusResult(r: LitmusResult): Judgement {
  const expected = parseResultComment(r.test);
  const got = `${r.observation} ${r.positive} ${r.negative}`;
  const modeled = r.flags.includes('data-race');
  const out = (pass: boolean, message: string, forgiven = false): Judgement => ({ pass, forgiven, expected, got, message });
  if (!expected) return out(false, 'no Result: comment to judge against');
  if (expected.dataRace && !modeled) return out(false, 'Predicted data race not modeled');
  if (!expected.dataRace && modeled) return out(false, 'Unexpected data race modeled');
  const deadlock = r.positive === 0 && r.negative === 0;
  if (expected.outcome === 'DEADLOCK') return deadlock ? out(true, '') : out(false, `Unexpected non-DEADLOCK verification`);
  if (deadlock) return out(false, `Unexpected non-${expected.outcome} deadlock`);
  if (r.observation === expected.outcome || expected.outcome === 'Maybe') return out(true, '');
  if (modeled) return out(true, `Forgiven non-${expected.outcome} verification`, true);
  return out(false, `Unexpected non-${expected.outcome} verification`);
}
