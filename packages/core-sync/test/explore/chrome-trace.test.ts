import { describe, expect, it } from 'vitest';
import { chromeTrace, explore, replay, type TraceEvent } from '../../src/index';
import { missingBh, timerUseAfterFree } from '../../src/scenarios';

describe('Chrome Trace export', () => {
  it('lays a counterexample out as one track per CPU, with a slice per step and the violation as an instant event', () => {
    const r = explore(timerUseAfterFree, { variant: 'bug', strategy: 'dfs', budget: 10_000 });
    const cx = r.counterexample!;
    const t = chromeTrace({ trace: cx.trace, cpus: 2, scenario: r.scenario, variant: r.variant, violation: cx, schedule: cx.schedule });
    const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => (e.args as { name: string }).name);
    expect(names).toEqual(expect.arrayContaining(['cpu0', 'cpu1', 'time']));
    const slices = t.traceEvents.filter((e) => e.ph === 'X');
    expect(slices.length).toBe(cx.trace.length);
    expect(slices.every((e) => e.dur === 1 && typeof (e.args as { virtualTimeNs: number }).virtualTimeNs === 'number')).toBe(true);
    const v = t.traceEvents.filter((e) => e.ph === 'i');
    expect(v).toHaveLength(1);
    expect(v[0]!.name).toContain('use-after-free');
    expect(t.otherData.schedule).toBe(cx.schedule);
    // the file is plain JSON
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });

  it('pairs every lock hold and every interrupt handler as async begin and end events', () => {
    const rep = replay(missingBh, 'bug', explore(missingBh, { variant: 'bug', strategy: 'dfs', budget: 10_000 }).counterexample!.schedule);
    const t = chromeTrace({ trace: rep.trace, cpus: 2, violation: rep.violation });
    const open = new Map<string, number>();
    for (const e of t.traceEvents as TraceEvent[]) {
      if (e.ph === 'b') open.set(e.id!, (open.get(e.id!) ?? 0) + 1);
      if (e.ph === 'e') {
        expect(open.get(e.id!) ?? 0, e.id).toBeGreaterThan(0);
        open.set(e.id!, open.get(e.id!)! - 1);
      }
    }
    expect([...open.values()].every((n) => n === 0)).toBe(true);
    expect(t.traceEvents.some((e) => e.cat === 'lock')).toBe(true);
    expect(t.traceEvents.some((e) => e.cat === 'softirq' && e.ph === 'b')).toBe(true);
    const ts = t.traceEvents.filter((e) => e.ts !== undefined).map((e) => e.ts!);
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(0);
  });

  it('rejects what is not a trace', () => {
    expect(() => chromeTrace({ trace: null as never, cpus: 2 })).toThrow(/trace/);
    expect(() => chromeTrace({ trace: [], cpus: 0 })).toThrow(/cpus/);
  });
});
