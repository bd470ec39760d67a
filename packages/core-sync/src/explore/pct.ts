// `pct`: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte: "A randomized scheduler with probabilistic guarantees of
// finding bugs", ASPLOS 2010). Every context gets a random priority above d
// when it first appears; d-1 priority change points are drawn uniformly
// among the k steps an execution is expected to take; the scheduler always
// runs the highest-priority context that can run, and at the i-th change
// point lowers the running context to priority i. A bug of depth d (d
// ordering constraints between steps) is then found by one execution with
// probability at least 1/(n k^(d-1)) for n contexts.

import { C_IRQ, C_ITEM, C_THREAD, type Execution, type ExecutionResult, type StepObserver, type Thread } from '../internal/rt/kernel';
import { Rng } from '../internal/rt/rng';
import { RecordingChooser, type Strategy } from './strategy';

/** What one PCT execution promises (in the explore report). */
export interface PctGuarantee {
  /** the bug depth d the runs are drawn for */
  readonly depth: number;
  /** contexts (threads, IRQ and softirq sources, time) seen in the probe runs: n */
  readonly contexts: number;
  /** steps per execution estimated by the probe runs: k */
  readonly steps: number;
  /** lower bound of the probability that one execution finds a given bug of depth d: 1/(n k^(d-1)) */
  readonly perRun: number;
  /** executions needed to find such a bug with probability 0.95 */
  readonly runsFor95: number;
  /** the probability that the executions run found such a bug, if it exists */
  readonly confidence: number;
}

/** The guarantee of `runs` PCT executions with depth d over n contexts and k steps. */
export function pctGuarantee(depth: number, contexts: number, steps: number, runs: number): PctGuarantee {
  const n = Math.max(1, contexts);
  const k = Math.max(1, steps);
  const perRun = 1 / (n * Math.pow(k, depth - 1));
  const runsFor95 = perRun >= 1 ? 1 : Math.ceil(Math.log(0.05) / Math.log1p(-perRun));
  const confidence = 1 - Math.pow(1 - Math.min(1, perRun), runs);
  return { depth, contexts: n, steps: k, perRun, runsFor95, confidence };
}

/** Scheduling by priorities with d-1 change points; execution i draws from (seed, i). */
export class PctStrategy implements Strategy {
  readonly name = 'pct' as const;
  readonly complete = false;
  constructor(
    private readonly seed: number,
    readonly depth: number,
    readonly steps: number,
  ) {}

  next(index: number): RecordingChooser {
    const run = new PctRun(new Rng(this.seed ^ 0x5bd1e995, index), this.depth, this.steps);
    const ch = new RecordingChooser((n, kind) => (kind === 't' ? run.chosen : run.rng.below(n)));
    ch.observer = run;
    return ch;
  }

  done(_ch: RecordingChooser, _res: ExecutionResult): void {}
}

class PctRun implements StepObserver {
  private readonly prio = new Map<Thread | string, number>();
  /** step number -> the priority it sets (1 .. d-1) */
  private readonly changes = new Map<number, number>();
  private step = 0;
  chosen = 0;
  private last: Thread | string | null = null;

  constructor(
    readonly rng: Rng,
    private readonly depth: number,
    steps: number,
  ) {
    for (let i = 1; i < depth; i++) {
      // change points are distinct steps in 1..k
      let s = 1 + rng.below(Math.max(1, steps));
      for (let guard = 0; this.changes.has(s) && guard < 64; guard++) s = 1 + rng.below(Math.max(1, steps));
      this.changes.set(s, i);
    }
  }

  private key(ex: Execution, i: number): Thread | string {
    const c = ex.cands[i]!;
    if (c.type === C_THREAD) return c.thread!;
    if (c.type === C_IRQ) return `irq:${c.cpu!.id}:${c.line}`;
    if (c.type === C_ITEM) return `item:${c.cpu!.id}`;
    return 'time';
  }

  private priority(k: Thread | string): number {
    let p = this.prio.get(k);
    if (p === undefined) {
      // a new context gets a random place among the initial priorities, all above d
      p = this.depth + 1 + this.rng.float();
      this.prio.set(k, p);
    }
    return p;
  }

  before(ex: Execution, n: number): boolean {
    // the step that just ran may have hit a change point: lower its context
    if (this.last !== null) {
      const c = this.changes.get(this.step);
      if (c !== undefined) this.prio.set(this.last, c);
    }
    this.step++;
    if (n === 0) {
      this.last = 'time';
      return true;
    }
    let best = 0;
    let bestP = -1;
    for (let i = 0; i < n; i++) {
      const p = this.priority(this.key(ex, i));
      if (p > bestP) {
        bestP = p;
        best = i;
      }
    }
    this.chosen = best;
    this.last = this.key(ex, best);
    return true;
  }

  after(): void {}
  created(): void {}
  spawned(): void {}
  access(): void {}
  pseudo(): void {}
  global(): void {}
}
