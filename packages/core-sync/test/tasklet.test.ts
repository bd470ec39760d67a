import { describe, expect, it } from 'vitest';
import { Cell, READ_ONCE, WRITE_ONCE, in_serving_softirq, kassert, tasklet_kill, tasklet_schedule, tasklet_setup, INIT_WORK, alloc_workqueue, queue_work, flush_work, msleep } from '../src/index';
import { dfs, scenario } from './helpers';

describe('tasklets', () => {
  it('run in softirq context, once per schedule, and tasklet_kill waits for them', () => {
    const r = dfs(scenario('tasklet', (k) => {
      const runs = new Cell(0, 'runs');
      const t = tasklet_setup(function* () {
        kassert(in_serving_softirq(), 'softirq context');
        yield* WRITE_ONCE(runs, (yield* READ_ONCE(runs)) + 1);
      });
      k.spawn('A', function* () {
        yield* tasklet_schedule(t);
        yield* tasklet_schedule(t);
        yield* tasklet_kill(t);
        const n = yield* READ_ONCE(runs);
        kassert(n === 1 || n === 2, 'ran once or twice');
        k.outcome(() => String(n));
      });
    }));
    expect(r.verdict).toBe('holds');
    expect(r.outcomes).toEqual(['1', '2']);
  });
});

describe('flush_work of a work requeued while it runs', () => {
  it('returns once the requeued run has finished', () => {
    const r = dfs(scenario('requeue', (k) => {
      const wq = alloc_workqueue('wq');
      const n = new Cell(0, 'n');
      const w = INIT_WORK(function* () {
        yield* msleep(1);
        yield* WRITE_ONCE(n, (yield* READ_ONCE(n)) + 1);
      });
      k.spawn('A', function* () {
        yield* queue_work(wq, w);
        yield* msleep(1);
        yield* queue_work(wq, w);
        yield* flush_work(w);
        kassert((yield* READ_ONCE(n)) >= 1, 'the flushed run is done');
      });
    }), { budget: 20_000 });
    expect(r.verdict).toBe('holds');
  });
});
