// Tasklets (kernel/softirq.c): deferred functions run in softirq context on
// the CPU that scheduled them, never concurrently with themselves; scheduling
// a scheduled tasklet is a no-op.

import type { VClock } from '../internal/rt/clock';
import { A_SYNC, BLOCK_NONE, BLOCK_SLEEP, CUR, Op, RT, type Cpu, type KGen } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';
import { here, might_sleep } from './context';

export type TaskletFn = (t: TaskletStruct) => KGen<unknown>;

/** struct tasklet_struct (TASKLET_STATE_SCHED and TASKLET_STATE_RUN) */
export class TaskletStruct {
  sched = false;
  running = false;
  /** tasklet_disable depth: a disabled tasklet stays scheduled but does not run */
  count = 0;
  clock: VClock | null = null;
  container: unknown = null;
  readonly op: Op;
  readonly opKill: Op;
  constructor(
    readonly fn: TaskletFn,
    readonly name: string,
  ) {
    this.op = new Op(`tasklet(${name})`, this, BLOCK_NONE, A_SYNC);
    this.opKill = new Op(`tasklet_kill(${name})`, this, BLOCK_SLEEP, A_SYNC, () => !this.sched && !this.running);
  }
}
export type tasklet_struct = TaskletStruct;

/** tasklet_setup(t, callback): here it returns the tasklet. */
export function tasklet_setup(fn: TaskletFn, name = fn.name || 'tasklet', container: unknown = null): TaskletStruct {
  const t = new TaskletStruct(fn, name);
  t.container = container;
  return t;
}

function raise(t: TaskletStruct, cpu: Cpu, daemon: boolean): void {
  RT.raiseItem(cpu, {
    name: `tasklet:${t.name}`,
    hard: false,
    daemon,
    clock: t.clock,
    run: function* tasklet_action() {
      // tasklet_trylock failed or disabled: it stays scheduled and runs later
      if (t.running || t.count > 0) {
        raise(t, cpu, daemon);
        return;
      }
      t.running = true;
      t.sched = false;
      try {
        yield* t.fn(t);
      } finally {
        t.running = false;
      }
    },
  });
}

/** tasklet_schedule(): queues the tasklet on this CPU unless it is already scheduled. */
export function* tasklet_schedule(t: TaskletStruct): KGen {
  here();
  yield t.op;
  if (t.sched) return;
  t.sched = true;
  const th = CUR;
  if (RT.det.races) {
    t.clock = th.clock.copy();
    th.clock.tick(th.id);
  }
  raise(t, th.cpu ?? RT.cpus[0]!, th.daemon && (th.kind === 'agent' || th.kind === 'task'));
}
export const tasklet_hi_schedule = tasklet_schedule;

/** tasklet_kill(): waits until the tasklet is neither scheduled nor running. */
export function* tasklet_kill(t: TaskletStruct): KGen {
  here();
  if (CUR.kind === 'softirq' && t.running) throw new Violation('deadlock', `tasklet_kill(${t.name}) from the tasklet itself waits forever`);
  might_sleep(`tasklet_kill(${t.name})`);
  yield t.opKill;
}
export function* tasklet_disable(t: TaskletStruct): KGen {
  here();
  yield t.op;
  t.count++;
}
export function* tasklet_enable(t: TaskletStruct): KGen {
  here();
  yield t.op;
  if (t.count === 0) throw new Violation('warning', `tasklet_enable(${t.name}) without tasklet_disable`);
  t.count--;
}
