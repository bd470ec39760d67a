// Conformance with herd7 7.58 and the kernel's memory model on the public
// litmus tests in ../shared/lkmm (kernel litmus-tests, Documentation/litmus-tests,
// and herdtools7's catalogue/linux with herd7's own .expected output).
// Skips with a message where the folder is absent; fails instead when
// K_REQUIRE_ORACLES=1 (CI), so that a green CI means these tests ran.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatHerdReport, judgeLitmusResult, runLitmus } from '../../src/lkmm/index';

const here = dirname(fileURLToPath(import.meta.url));
const DIR = process.env.K_LKMM_DIR ?? resolve(here, '../../../../../shared/lkmm');
const have = existsSync(join(DIR, 'herdtools7-catalogue')) && existsSync(join(DIR, 'kernel'));
const required = process.env.K_REQUIRE_ORACLES === '1';
if (!have)
  console.warn(`lkmm conformance: ${DIR} is absent, skipping the herd7 conformance tests${required ? ' (K_REQUIRE_ORACLES=1: failing instead)' : ''}`);

function walk(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.litmus'))
    .map((f) => join(dir, f))
    .sort();
}

/** herd7's output without its Hash line and trailing blank lines. */
function herdOutput(file: string): string {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('Hash=') && l !== '')
      .join('\n') + '\n'
  );
}

const tally = { catalogue: 0, catalogueOk: 0, kernel: 0, kernelOk: 0 };

describe('conformance with herd7 on ../shared/lkmm', () => {
  it.runIf(!have && required)('has the litmus test folder (K_REQUIRE_ORACLES=1)', () => {
    expect.fail(`${DIR} is absent but K_REQUIRE_ORACLES=1`);
  });

  const catalogue = have ? walk(join(DIR, 'herdtools7-catalogue')) : [];
  const kernel = have ? walk(join(DIR, 'kernel')) : [];

  it.skipIf(!have)('finds the 79 catalogue tests and the 47 kernel tests', () => {
    expect(catalogue.length).toBe(79);
    expect(kernel.length).toBe(47);
  });

  describe.skipIf(!have)('herdtools7 catalogue/linux: the same report as herd7, line for line', () => {
    it.each(catalogue.map((f) => [relative(DIR, f), f]))('%s', (_name, file) => {
      tally.catalogue++;
      const result = runLitmus(readFileSync(file, 'utf8'), { file });
      expect(formatHerdReport(result)).toBe(herdOutput(`${file}.expected`));
      tally.catalogueOk++;
    });
  });

  describe.skipIf(!have)("kernel litmus tests: the observation their Result: comment states (judgelitmus.sh's rules)", () => {
    it.each(kernel.map((f) => [relative(DIR, f), f]))('%s', (_name, file) => {
      tally.kernel++;
      const result = runLitmus(readFileSync(file, 'utf8'), { file });
      const j = judgeLitmusResult(result);
      expect(j.message).toBe('');
      expect(j.pass).toBe(true);
      expect(j.forgiven).toBe(false);
      tally.kernelOk++;
    });
  });

  afterAll(() => {
    if (have)
      console.info(
        `lkmm conformance: ${tally.catalogueOk}/${tally.catalogue} catalogue reports identical to herd7's, ${tally.kernelOk}/${tally.kernel} kernel tests match their Result: comment`,
      );
  });
});
