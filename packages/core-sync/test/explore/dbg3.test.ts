import { it } from 'vitest';
import { Cell, explore, alloc_workqueue, INIT_DELAYED_WORK, queue_delayed_work, cancel_delayed_work, jiffies } from '../../src/index';
import { scenario } from '../helpers';
it('delayed', () => {
  const s = scenario('delayed', (k) => {
      const ranAt = new Cell(-1, 'ranAt');
      const wq = alloc_workqueue('wq');
      const dw = INIT_DELAYED_WORK(function* () {
        yield* ranAt.write(jiffies());
      });
      k.spawn('A', function* () {
        yield* queue_delayed_work(wq, dw, 3);
        const c = yield* cancel_delayed_work(dw);
        k.outcome(() => `${c}:${ranAt.peek()}`);
      });
    });
  const d = explore(s, { strategy: 'dpor', budget: 1000 });
  console.log(d.outcomes, d.executions, d.blocked);
});
