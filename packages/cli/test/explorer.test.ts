import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index';
import { capture } from './capture';

const dir = mkdtempSync(join(tmpdir(), 'k-explorer-'));

interface Row { scenario: string; variant: string; verdict: string; ok: boolean; executions: number; complete: boolean; pct: { depth: number; confidence: number } | null }

async function rows(args: string[]): Promise<{ code: number; rows: Row[]; io: ReturnType<typeof capture> }> {
  const io = capture();
  const code = await main(['check', 'core-sync', '--json', ...args], io);
  return { code, rows: io.lines.map((l) => JSON.parse(l) as Row), io };
}

describe('k check with the deep explorer', () => {
  it('--strategy dpor explores a fixed variant completely and finds the bug of the other', async () => {
    const r = await rows(['--scenario', 'abba-deadlock', '--strategy', 'dpor', '--budget', '100000']);
    expect(r.code).toBe(0);
    const bug = r.rows.find((x) => x.variant === 'bug')!;
    const fixed = r.rows.find((x) => x.variant !== 'bug')!;
    expect(bug.verdict).toBe('fails');
    expect(fixed.verdict).toBe('holds');
    expect(fixed.complete).toBe(true);
  });

  it('--strategy pct reports its probabilistic guarantee', async () => {
    const io = capture();
    expect(await main(['check', 'core-sync', '--scenario', 'lost-wakeup', '--strategy', 'pct', '--pct-depth', '2', '--budget', '200'], io)).toBe(0);
    expect(io.text()).toMatch(/pct @k\/core-sync lost-wakeup \[\w+\]: depth 2, each execution finds a given bug of that depth with probability >= \S+; these \d+ executions found it with probability >= [\d.]+%/);
    const j = await rows(['--scenario', 'lost-wakeup', '--strategy', 'pct', '--budget', '50']);
    expect(j.rows.every((x) => x.pct !== null && x.pct.depth === 3)).toBe(true);
  });

  it('--shard i/n splits a complete dfs search: the shards add up to the whole', async () => {
    const args = ['--scenario', 'missing-spin-lock-bh', '--strategy', 'dfs', '--budget', '100000'];
    const whole = await rows(args);
    const fixed = (rs: Row[]) => rs.find((x) => x.variant !== 'bug')!;
    expect(fixed(whole.rows).complete).toBe(true);
    let sum = 0;
    for (const shard of ['1/3', '2/3', '3/3']) {
      const part = await rows([...args, '--shard', shard]);
      expect(part.code).toBe(0);
      expect(fixed(part.rows).verdict).toBe('holds');
      sum += fixed(part.rows).executions;
    }
    expect(sum).toBe(fixed(whole.rows).executions);
  });

  it('--workers 2 runs each search on worker threads with the same verdicts', async () => {
    const r = await rows(['--scenario', 'abba-deadlock', '--workers', '2', '--budget', '200']);
    expect(r.code).toBe(0);
    expect(r.rows.map((x) => `${x.variant}:${x.verdict}`).sort()).toEqual(['bug:fails', 'fixed:holds']);
  });

  it('rejects a bad shard, worker count or pct depth with exit code 2', async () => {
    for (const bad of [['--shard', '3/2'], ['--shard', 'x'], ['--workers', '0'], ['--pct-depth', '0']]) {
      const io = capture();
      expect(await main(['check', 'core-sync', ...bad], io), bad.join(' ')).toBe(2);
      expect(io.errors.join('\n')).toMatch(/k check: .*(shard|workers|pct-depth)/);
    }
  });
});

describe('k trace', () => {
  it('writes a saved counterexample in Chrome Trace format', async () => {
    const saved = join(dir, 'cx');
    expect(await main(['check', 'core-sync', '--scenario', 'abba-deadlock', '--budget', '50', '--save', saved], capture())).toBe(0);
    const file = join(saved, readdirSync(saved)[0]!);
    const out = join(dir, 'abba.json');
    const io = capture();
    expect(await main(['trace', file, '--perfetto', out], io)).toBe(0);
    expect(io.errors.join('\n')).toContain(`written to ${out}`);
    const t = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string; name: string; args?: Record<string, unknown> }[] };
    expect(t.traceEvents.length).toBeGreaterThan(10);
    const names = t.traceEvents.filter((e) => e.ph === 'M').map((e) => String(e.args?.name ?? ''));
    expect(names).toContain('cpu0');
    expect(t.traceEvents.some((e) => e.ph === 'X' && /spin_lock/.test(e.name))).toBe(true);
  });

  it('needs --perfetto and a counterexample', async () => {
    const io = capture();
    expect(await main(['trace', join(dir, 'nope.json'), '--perfetto', join(dir, 'x.json')], io)).toBe(2);
    expect(io.errors.join('\n')).toContain('cannot read');
    const io2 = capture();
    expect(await main(['trace', join(dir, 'nope.json')], io2)).toBe(2);
    expect(io2.errors.join('\n')).toContain('--perfetto');
  });
});
