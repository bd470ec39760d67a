// The setup API a scenario receives: spawn tasks on CPUs and device agents,
// declare invariants, final checks and the outcome that counts distinct results.

import { CUR, OP_START, setCur, touchObj, type Execution, type KGen, type Thread } from '../internal/rt/kernel';
import { ModelUsageError, Violation } from '../internal/rt/violation';
import { failslab } from '../sync/alloc';

export interface SpawnOptions {
  /** CPU to run on (default: the next CPU round-robin) */
  readonly cpu?: number;
  /** a daemon may still be running when the execution ends (device agents, pollers) */
  readonly daemon?: boolean;
}

/** A spawned thread, for properties: is it done, what did it return. */
export interface TaskHandle {
  readonly name: string;
  readonly done: boolean;
  readonly result: unknown;
}

export class World {
  private nextCpu = 0;
  constructor(private readonly ex: Execution) {}

  /** number of CPUs */
  get cpus(): number {
    return this.ex.cpus.length;
  }
  get hz(): number {
    return this.ex.opts.hz;
  }
  /** virtual time now, in ns */
  get now(): number {
    return this.ex.now;
  }

  /** Starts a task (process context) on a CPU. */
  spawn(name: string, fn: () => KGen<unknown>, opts: SpawnOptions = {}): TaskHandle {
    const cpu = opts.cpu ?? this.nextCpu++ % this.ex.cpus.length;
    return handle(this.ex.spawn(name, fn, cpu, opts.daemon ?? false));
  }

  /** Starts a device-side actor: it runs on no CPU and is interleaved like any thread. */
  agent(name: string, fn: () => KGen<unknown>, opts: { daemon?: boolean } = {}): TaskHandle {
    return handle(this.ex.agent(name, fn, opts.daemon ?? true));
  }

  /**
   * Runs kernel code to completion now, at setup time, without scheduling
   * points (module init, probe before the concurrent part). It must not block.
   */
  boot(name: string, fn: () => KGen<unknown>): unknown {
    const th = this.ex.bootThread(name, fn());
    th.done = false;
    th.clock.join(this.ex.setupClock);
    const prevInSetup = this.ex.inSetup;
    const saved = CUR;
    try {
      for (let i = 0; i < 1_000_000; i++) {
        if (th.op !== OP_START && th.op.canProceed && !th.op.canProceed(th)) {
          throw new ModelUsageError(`boot '${name}' blocked at ${th.op.name}: setup code must not wait for other threads`);
        }
        setCur(th);
        const r = th.gen.next();
        if (r.done) {
          th.done = true;
          this.ex.setupClock.join(th.clock);
          return r.value;
        }
        th.op = r.value;
      }
      throw new ModelUsageError(`boot '${name}' did not finish within 1000000 steps`);
    } catch (e) {
      if (e instanceof Violation) throw new ModelUsageError(`boot '${name}': ${e.message}`);
      throw e;
    } finally {
      setCur(saved);
      this.ex.inSetup = prevInSetup;
    }
  }

  /** Checked after every step; return false or a message when it does not hold. */
  invariant(name: string, fn: () => unknown): void {
    this.ex.invariants.push({ name, fn });
  }

  /** Checked when the execution ends normally; return false or a message when it does not hold. */
  atEnd(name: string, fn: () => unknown): void {
    this.ex.finals.push({ name, fn });
  }

  /** The result of an execution, as a string: the explorer counts distinct outcomes. */
  outcome(fn: () => string): void {
    this.ex.outcomeFn = fn;
  }

  /** Allocation failure injection (kmalloc may return NULL, as a choice). */
  failslab(on = true): void {
    failslab(on);
  }
}

function handle(th: Thread): TaskHandle {
  return {
    name: th.name,
    get done() {
      touchObj(th, false);
      return th.done;
    },
    get result() {
      touchObj(th, false);
      return th.result;
    },
  };
}

