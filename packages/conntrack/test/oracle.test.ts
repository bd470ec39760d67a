// The running kernel as the oracle: the traffic of each experiment (captured on
// lo in a network namespace of its own) goes through the model, whose
// `conntrack -L` and `conntrack -L expect` must print what the kernel printed.
// The recorded runs (test/golden/oracle) are checked always; a live run needs
// root, ip, nft, conntrack and python3, and is skipped with a message when they
// are missing, or fails if K_REQUIRE_ORACLES=1.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleFrom } from '@k/core-sync/testing';
import { formatConntrack, formatExpect, readPcapTrace, runTrace, summaryLine } from '../src/index';
import meta from './golden/oracle/meta.json';

const GOLDEN = join(import.meta.dirname, 'golden', 'oracle');
const ORACLE = join(import.meta.dirname, 'oracle');

/** The remaining timeout (first number of a line) and the line without it. */
function split(line: string): { timeout: number; rest: string } {
  const ct = /^(\w+\s+\d+ )(\d+) (.*)$/.exec(line);
  if (ct) return { timeout: Number(ct[2]), rest: `${ct[1]}T ${ct[3]}` };
  const exp = /^(\d+) (proto=.*)$/.exec(line);
  if (exp) return { timeout: Number(exp[1]), rest: `T ${exp[2]}` };
  return { timeout: NaN, rest: line };
}

/** Model output for a capture, as the lines conntrack-tools prints (stdout lines, then the summary). */
function model(pcap: Uint8Array): { ct: string[]; exp: string[] } {
  const imp = readPcapTrace(pcap, meta.rules.helpers as { helper: 'ftp' | 'sip'; dport: number }[], meta.rules.zones as { proto: 'udp'; dport: number; zone: number }[]);
  const r = runTrace(imp.trace);
  return {
    ct: [...r.conntracks.map((e) => formatConntrack(e)), summaryLine('conntrack', r.conntracks.length)],
    exp: [...r.expectations.map(formatExpect), summaryLine('expect', r.expectations.length)],
  };
}

/** Same entries (order-free, timeouts aside) and timeouts within `slack` seconds (the kernel listed them a little later). */
function compare(modelLines: string[], real: string[], slack = 3): void {
  const a = modelLines.map(split).sort((x, y) => x.rest.localeCompare(y.rest));
  const b = real.filter((l) => l.length > 0).map(split).sort((x, y) => x.rest.localeCompare(y.rest));
  expect(a.map((x) => x.rest)).toEqual(b.map((x) => x.rest));
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!.timeout)) continue;
    expect(Math.abs(a[i]!.timeout - b[i]!.timeout), `${b[i]!.rest}: model ${a[i]!.timeout}, kernel ${b[i]!.timeout}`).toBeLessThanOrEqual(slack);
  }
}

describe(`recorded kernel runs (${meta.kernel}, ${meta.conntrack})`, () => {
  for (const e of meta.experiments) {
    it(`prints for the ${e} capture what conntrack -L and conntrack -L expect printed`, () => {
      const m = model(readFileSync(join(GOLDEN, `${e}.pcap`)));
      compare(m.ct, readFileSync(join(GOLDEN, `${e}.conntrack`), 'utf8').split('\n'));
      compare(m.exp, readFileSync(join(GOLDEN, `${e}.expect`), 'utf8').split('\n'));
    });
  }
});

function canRun(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces and nft need it)';
  for (const tool of ['ip', 'nft', 'conntrack', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install iproute2 nftables conntrack python3)`;
  }
  return null;
}

const why = canRun();
const oracle = oracleFrom('the running kernel', why === null, `the live kernel oracle of @k/conntrack cannot run (${why ?? ''})`);
const required = process.env.K_REQUIRE_ORACLES === '1';

describe('live kernel run', () => {
  it.skipIf(!oracle.run)('matches the running kernel on fresh captures of every experiment', () => {
    oracle.assertPresent();
    const dir = mkdtempSync(join(tmpdir(), 'k-ct-oracle-'));
    try {
      for (const e of meta.experiments) {
        const r = spawnSync('bash', [join(ORACLE, 'run.sh'), e, dir], { encoding: 'utf8', timeout: 60_000 });
        if (r.status === 3 && !required) {
          console.warn(`[@k/conntrack] live kernel oracle skipped: cannot create a network namespace (${r.stderr.trim()})`);
          return;
        }
        expect(r.status, `run.sh ${e}: ${r.stderr}`).toBe(0);
        const m = model(readFileSync(join(dir, `${e}.pcap`)));
        compare(m.ct, [...readFileSync(join(dir, `${e}.conntrack`), 'utf8').split('\n'), ...readFileSync(join(dir, `${e}.conntrack.err`), 'utf8').split('\n')]);
        compare(m.exp, [...readFileSync(join(dir, `${e}.expect`), 'utf8').split('\n'), ...readFileSync(join(dir, `${e}.expect.err`), 'utf8').split('\n')]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
