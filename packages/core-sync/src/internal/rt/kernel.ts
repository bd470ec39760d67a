// The execution engine: simulated CPUs with process, softirq and hardirq
// contexts, device agents, virtual time in integer nanoseconds, and the
// scheduler loop that makes every choice through a `Chooser`.
//
// Kernel code is written as generator functions. Each operation on shared
// state yields an `Op` *before* it takes effect; the scheduler decides which
// thread performs its pending operation next, resumes it, and the primitive
// completes its effect atomically up to the thread's next yield.

import { VClock } from './clock';
import { InternalBug, ModelUsageError, Violation, type ViolationKind } from './violation';

/** What a kernel-code generator yields and returns. */
export type KGen<T = void> = Generator<Op, T, unknown>;

export const BLOCK_NONE = 0;
/** blocks by spinning: the context keeps its CPU (spin_lock, ndelay) */
export const BLOCK_SPIN = 1;
/** blocks by sleeping: the task leaves its CPU (mutex_lock, wait_event, msleep) */
export const BLOCK_SLEEP = 2;
export type BlockMode = typeof BLOCK_NONE | typeof BLOCK_SPIN | typeof BLOCK_SLEEP;

/** Footprint of an operation, for the partial-order reduction and the trace. */
export const A_NONE = 0;
export const A_READ = 1;
export const A_WRITE = 2;
export const A_RMW = 3;
export const A_SYNC = 4;

/**
 * A scheduling point: what a thread is about to do. Ops are allocated once per
 * runtime object and reused; `canProceed` says whether a blocking op may run now.
 */
export class Op {
  constructor(
    readonly name: string,
    /** the runtime object the op touches (for dependency analysis), or null */
    readonly obj: object | null = null,
    readonly block: BlockMode = BLOCK_NONE,
    readonly access: number = A_NONE,
    readonly canProceed: ((th: Thread) => boolean) | null = null,
  ) {
    // runtime objects create their ops when they are constructed: the explorer
    // names the object after who created it, so that the name is stable across executions
    if (obj !== null && RT !== null && RT.observer !== null) RT.observer.created(obj);
  }
}

export const OP_START = new Op('start');
export const OP_YIELD = new Op('cond_resched');

export type ThreadKind = 'task' | 'kworker' | 'hardirq' | 'softirq' | 'agent';

/** task state as the scheduler sees it (set_current_state / wake_up_process) */
export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;

export interface HeldLock {
  readonly lock: LockLike;
  readonly how: string;
  readonly at: number; // step
  readonly loc: string | null;
}

export interface LockLike {
  readonly name: string;
  readonly cls: string;
  readonly sleeping: boolean;
}

/** A schedulable context: a task, a kworker, an IRQ or softirq invocation, a device agent. */
export class Thread {
  readonly clock: VClock;
  op: Op = OP_START;
  done = false;
  result: unknown = undefined;
  /** process-context state (per task, as preempt_count is) */
  preempt = 0;
  irqsOff = 0;
  bhOff = 0;
  rcuNesting = 0;
  /** increments each time the thread leaves an RCU read-side section (a quiescent state) */
  rcuGen = 0;
  /** objects obtained by rcu_dereference in the current read-side section */
  rcuRefs: object[] | null = null;
  taskState = TASK_RUNNING;
  held: HeldLock[] = [];
  /** when blocked on time (ndelay/msleep): the virtual time it waits for */
  wakeAt = 0;
  /** pending acquire clock for smp_rmb (cells read by marked loads since the last fence) */
  pendingAcq: VClock | null = null;
  /** clock of whoever woke this task, joined when it resumes */
  wakeClock: VClock | null = null;
  /** release clock taken by the last smp_wmb/smp_mb, applied to later marked stores */
  fenceRel: VClock | null = null;
  /** source location captured while tracing, by the last primitive called in this step */
  loc: string | null = null;
  /** where the pending op was issued (the loc of the step that yielded it) */
  opLoc: string | null = null;
  /** where the thread is (for deadlock reports) */
  blockedOn: string | null = null;
  /** free-form slot used by primitives (work item running, irq line ...) */
  ctx: unknown = null;
  /** called when the thread finishes */
  onExit: ((th: Thread) => void) | null = null;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly kind: ThreadKind,
    readonly cpu: Cpu | null,
    readonly gen: KGen<unknown>,
    readonly daemon: boolean,
  ) {
    this.clock = new VClock();
    this.clock.c[id] = 1;
  }
  /** in_interrupt(): hardirq, softirq, or bh disabled */
  get inInterrupt(): boolean {
    return this.kind === 'hardirq' || this.kind === 'softirq' || this.bhOff > 0;
  }
  /** true when the context may not sleep (preempt_count, irqs off, interrupt context, RCU reader) */
  get atomic(): boolean {
    return this.preempt > 0 || this.irqsOff > 0 || this.bhOff > 0 || this.kind === 'hardirq' || this.kind === 'softirq';
  }
  /** true inside any RCU read-side critical section, explicit or implied (v5.0 consolidated RCU) */
  get inRcuReader(): boolean {
    return this.rcuNesting > 0 || this.atomic;
  }
  /** a task that cannot be switched out of its CPU right now */
  get pinned(): boolean {
    return this.preempt > 0 || this.irqsOff > 0 || this.bhOff > 0 || this.op.block === BLOCK_SPIN;
  }
  toString(): string {
    return this.cpu ? `${this.name}@cpu${this.cpu.id}` : this.name;
  }
}

/** Deferred work raised on a CPU: a softirq (timer callback, RCU callback, tasklet) or a hardirq-context item. */
export interface CpuItem {
  readonly name: string;
  readonly hard: boolean;
  readonly daemon: boolean;
  readonly run: () => KGen<unknown>;
  /** happens-before edge from whoever raised it */
  readonly clock: VClock | null;
  onDone?: () => void;
}

export class Cpu {
  /** interrupt contexts running on top of the current task (softirq, hardirq) */
  readonly irqStack: Thread[] = [];
  readonly tasks: Thread[] = [];
  current: Thread | null = null;
  readonly items: CpuItem[] = [];
  /** clocks published when IRQs/BHs are re-enabled on this CPU, and at handler exits */
  irqRel: VClock | null = null;
  bhRel: VClock | null = null;
  handlerExit: VClock | null = null;
  switches = 0;
  constructor(readonly id: number) {}
}

/** An IRQ line source the engine polls for deliverable interrupts (the IRQ controller implements it). */
export interface IrqSource {
  /** lines deliverable to `cpu` now, pushed into `out` */
  deliverable(cpu: Cpu, out: number[]): void;
  /** starts the handler of `line` on `cpu`, returning the handler generator and its exit hook */
  deliver(line: number, cpu: Cpu): { name: string; gen: KGen<unknown>; clock: VClock | null; daemon: boolean; onExit: (th: Thread) => void };
  /** lines that are still pending and deliverable to nobody (for the end-of-execution report) */
  readonly hasNonDaemonPending: boolean;
}

export interface TimeEvent {
  at: number;
  seq: number;
  daemon: boolean;
  cancelled: boolean;
  readonly fire: (() => void) | null;
}

export type CandidateType = 0 | 1 | 2 | 3;
export const C_THREAD = 0;
export const C_IRQ = 1;
export const C_ITEM = 2;
export const C_TIME = 3;

export interface Candidate {
  type: CandidateType;
  thread: Thread | null;
  cpu: Cpu | null;
  line: number;
}

/** Makes every nondeterministic choice of an execution. */
export interface Chooser {
  /** pick one of `n` scheduling candidates (n >= 2) */
  pickThread(n: number, ex: Execution): number;
  /** pick a value in [0, n) for a data choice of the model (fault injection, random input) */
  pickData(n: number, label: string, ex: Execution): number;
}

/**
 * Watches every step of an execution (the partial-order reduction, PCT and the
 * shrinker use it): what each step touches, which threads it creates, and may
 * stop an execution whose continuation the explorer has already covered.
 */
export interface StepObserver {
  /** before a step among `n` candidates (`n` = 0: time advances because nothing else can run); false stops the execution */
  before(ex: Execution, n: number): boolean;
  /** after the step (not called when the step ended the execution with a violation) */
  after(ex: Execution): void;
  /** a runtime object was constructed (its identity for footprints) */
  created(obj: object): void;
  /** a thread was created (by the current step, or in setup) */
  spawned(th: Thread): void;
  /** the current step read or wrote a runtime object outside its scheduling point */
  access(obj: object, write: boolean): void;
  /** the current step read or wrote a piece of engine state: 'time', 'events', 'items<cpu>', 'irq<line>' */
  pseudo(key: string, write: boolean): void;
  /** the current step did something whose effects are not tracked: it conflicts with everything */
  global(): void;
}

/** Declares that the current step reads (or writes) `obj` outside a scheduling point (for the partial-order reduction). */
export function touchObj(obj: object, write: boolean): void {
  const ex = RT as Execution | null;
  if (ex !== null && ex.observer !== null) ex.observer.access(obj, write);
}

/** Declares that the current step evaluates a check of the model (an assertion, BUG_ON, WARN_ON) on what it read. */
export function noteCheck(): void {
  const ex = RT as Execution | null;
  if (ex !== null && ex.observer !== null) ex.observer.pseudo('check', false);
}

/** Declares that the current step changes the state of IRQ line `irq` (raising or lowering it). */
export function touchIrqLine(irq: number): void {
  const ex = RT as Execution | null;
  if (ex !== null && ex.observer !== null) ex.observer.pseudo(`irq${irq}`, true);
}

export type Timing = 'free' | 'strict';

export interface WorldOptions {
  /** number of simulated CPUs (default 2) */
  readonly cpus: number;
  /** CONFIG_HZ of this world (default 250) */
  readonly hz: number;
  /** CONFIG_PREEMPT: tasks may be preempted wherever preemption is enabled (default true) */
  readonly preempt: boolean;
  /**
   * `free`: time may advance to the next timer at any point, as if every task
   * could be arbitrarily slow (the checker's default); `strict`: discrete-event
   * simulation where time advances only when no CPU can run (for measurements).
   */
  readonly timing: Timing;
  /** bound on scheduling steps of one execution */
  readonly maxSteps: number;
  /** bound on virtual time of one execution, in ns */
  readonly maxTime: number;
  /** initial value of jiffies (the kernel uses INITIAL_JIFFIES, 5 min before the 32-bit wrap) */
  readonly initialJiffies: number;
  readonly detectors: Detectors;
}

export interface Detectors {
  readonly races: boolean;
  readonly lockdep: boolean;
  readonly lifetime: boolean;
  readonly leaks: boolean;
  readonly atomicSleep: boolean;
  /** report WARN_ON as a violation */
  readonly warnings: boolean;
  /** report pending work / timers of non-daemon code at the time bound */
  readonly liveness: boolean;
}

export const ALL_DETECTORS: Detectors = {
  races: true,
  lockdep: true,
  lifetime: true,
  leaks: true,
  atomicSleep: true,
  warnings: true,
  liveness: false,
};

export const NO_DETECTORS: Detectors = {
  races: false,
  lockdep: false,
  lifetime: false,
  leaks: false,
  atomicSleep: false,
  warnings: false,
  liveness: false,
};

/** One recorded step of a traced execution. */
export interface TraceStep {
  readonly step: number;
  readonly time: number;
  readonly thread: string;
  readonly threadId: number;
  readonly kind: ThreadKind | 'time' | 'irq';
  readonly cpu: number | null;
  readonly op: string;
  readonly notes: readonly string[];
  readonly loc: string | null;
  readonly held: readonly string[];
  /** context after the step: rcu_read_lock nesting, interrupts and bottom halves disabled */
  readonly rcu?: number;
  readonly irqsOff?: boolean;
  readonly bhOff?: boolean;
}

/** Per-explore state that outlives one execution (lockdep learns across executions). */
export interface Persistent {
  lockdep: unknown;
}

/** `blocked`: an observer stopped the execution (the explorer has covered its continuation) */
export type EndReason = 'done' | 'quiescent' | 'steps' | 'time' | 'violation' | 'stuck' | 'blocked';

export interface ExecutionResult {
  readonly end: EndReason;
  readonly violation: Violation | null;
  readonly steps: number;
  readonly time: number;
  readonly outcome: string | null;
}

// The execution being run and the thread being stepped: the kernel's `current`.
// One execution runs at a time per JS thread; kernel primitives read these.
export let RT: Execution = null as unknown as Execution;
export let CUR: Thread = null as unknown as Thread;

export function setRT(ex: Execution | null): void {
  RT = ex as Execution;
}

export function setCur(th: Thread | null): void {
  CUR = th as Thread;
}

// frames of the runtime itself (sources, or the bundled chunks of dist/), not of models
// (and of hw-emu's memory, platform and core plumbing, so a DMA access points at the model's line)
const CORE_FRAME = /[\\/]core-sync[\\/](src[\\/](internal|sync|explore)[\\/]|dist[\\/](index|chunk-[^\\/]*)\.js)|[\\/]hw-emu[\\/](src[\\/](mem|platform|a64)[\\/]|dist[\\/])|node:internal|[\\/]node_modules[\\/](?!@k[\\/])/;

/** The first stack frame outside core-sync: where the model called the primitive. */
export function captureLoc(): string | null {
  const stack = new Error().stack;
  if (!stack) return null;
  for (const line of stack.split('\n').slice(1)) {
    if (CORE_FRAME.test(line)) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(line);
    if (m) return m[1]!.replace(/^file:\/\//, '');
  }
  return null;
}

export class Execution {
  readonly cpus: Cpu[] = [];
  readonly threads: Thread[] = [];
  readonly agents: Thread[] = [];
  readonly opts: WorldOptions;
  readonly det: Detectors;
  private now_ = 0;
  steps = 0;
  /** index of this execution within its exploration (lockdep remembers where it learned) */
  index = 0;
  private seq = 0;
  private readonly events: TimeEvent[] = [];
  private nonDaemonEvents = 0;
  liveNonDaemon = 0;
  /** non-daemon work items queued or running (workqueues report here) */
  pendingWork = 0;
  private nonDaemonItems = 0;
  readonly irqSources: IrqSource[] = [];
  readonly invariants: { name: string; fn: () => unknown }[] = [];
  readonly finals: { name: string; fn: () => unknown }[] = [];
  readonly quiescenceChecks: (() => void)[] = [];
  outcomeFn: (() => string) | null = null;
  /** trace recording (replay of a counterexample) */
  trace: TraceStep[] | null = null;
  private notes: string[] = [];
  /** run in setup: allocations made now are static (not leaks) */
  inSetup = true;
  /** extension slots for primitives (allocation registry, workqueues, rcu ...) */
  readonly ext = new Map<string, unknown>();
  /** the last choice list, for strategies that look at it (dpor, pct) */
  readonly cands: Candidate[] = [];
  ncands = 0;
  private readonly lines: number[] = [];
  lastPicked: Candidate | null = null;
  /** the thread that made the last step (null for time advances) */
  lastThread: Thread | null = null;
  /** watches every step (dpor, pct, the shrinker); null for plain runs */
  observer: StepObserver | null = null;
  /** how the run loop ended (before end-of-execution checks): a violation raised by a step or an invariant is 'violation' */
  endReason: EndReason | null = null;

  constructor(
    opts: WorldOptions,
    readonly chooser: Chooser,
    readonly persistent: Persistent,
  ) {
    this.opts = opts;
    this.det = opts.detectors;
    for (let i = 0; i < opts.cpus; i++) this.cpus.push(new Cpu(i));
  }

  /** virtual time now, in ns */
  get now(): number {
    if (this.observer !== null) this.observer.pseudo('time', false);
    return this.now_;
  }

  get tracing(): boolean {
    return this.trace !== null;
  }

  /** adds a note to the current traced step */
  note(text: string): void {
    if (this.trace) this.notes.push(text);
  }

  // ---- creating threads -------------------------------------------------

  private newThread(name: string, kind: ThreadKind, cpu: Cpu | null, gen: KGen<unknown>, daemon: boolean): Thread {
    const th = new Thread(this.threads.length, name, kind, cpu, gen, daemon);
    this.threads.push(th);
    if (!daemon) this.liveNonDaemon++;
    if (this.observer !== null) this.observer.spawned(th);
    return th;
  }

  /** a thread that runs setup code (World.boot): it has an id and a clock, and is done when setup ends */
  bootThread(name: string, gen: KGen<unknown>): Thread {
    const th = new Thread(this.threads.length, name, 'task', this.cpus[0]!, gen, false);
    th.done = true;
    this.threads.push(th);
    return th;
  }

  /** everything setup did happens before every thread of the execution */
  readonly setupClock = new VClock();

  spawn(name: string, fn: () => KGen<unknown>, cpuId: number, daemon: boolean, kind: ThreadKind = 'task', parent: Thread | null = null): Thread {
    const cpu = this.cpus[cpuId];
    if (!cpu) throw new ModelUsageError(`spawn '${name}': no CPU ${cpuId} (the world has ${this.cpus.length})`);
    const th = this.newThread(name, kind, cpu, fn(), daemon);
    if (parent) th.clock.join(parent.clock);
    cpu.tasks.push(th);
    if (!cpu.current) cpu.current = th;
    return th;
  }

  agent(name: string, fn: () => KGen<unknown>, daemon: boolean, parent: Thread | null = null): Thread {
    const th = this.newThread(name, 'agent', null, fn(), daemon);
    if (parent) th.clock.join(parent.clock);
    this.agents.push(th);
    return th;
  }

  /** queues a softirq (or hard, for hrtimers and irq_work) item on a CPU */
  raiseItem(cpu: Cpu, item: CpuItem): void {
    if (this.observer !== null) this.observer.pseudo(`items${cpu.id}`, true);
    cpu.items.push(item);
    if (!item.daemon) this.nonDaemonItems++;
  }

  // ---- virtual time -----------------------------------------------------

  /** schedules `fire` at virtual time `at` (ns); returns the event for cancellation */
  at(at: number, fire: (() => void) | null, daemon: boolean): TimeEvent {
    if (this.observer !== null) this.observer.pseudo('events', true);
    const ev: TimeEvent = { at: Math.max(at, this.now_), seq: this.seq++, daemon, cancelled: false, fire };
    const h = this.events;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p]!, ev)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ev;
    if (!daemon) this.nonDaemonEvents++;
    return ev;
  }

  cancel(ev: TimeEvent): void {
    if (this.observer !== null) this.observer.pseudo('events', true);
    if (ev.cancelled) return;
    ev.cancelled = true;
    if (!ev.daemon) this.nonDaemonEvents--;
  }

  private popEvent(): TimeEvent | undefined {
    const h = this.events;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r]!, h[l]!) ? r : l;
        if (before(last, h[c]!)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  private nextEvent(): TimeEvent | undefined {
    while (this.events.length > 0 && this.events[0]!.cancelled) this.popEvent();
    return this.events[0];
  }

  /** advances virtual time to the next event and fires every event due then */
  private advanceTime(): boolean {
    const ev = this.nextEvent();
    if (!ev || ev.at > this.opts.maxTime) return false;
    this.now_ = ev.at;
    for (;;) {
      const e = this.nextEvent();
      if (!e || e.at > this.now_) break;
      this.popEvent();
      if (!e.daemon) this.nonDaemonEvents--;
      e.cancelled = true;
      if (e.fire) {
        if (this.observer !== null) this.observer.global();
        e.fire();
      }
    }
    return true;
  }

  /** true when time can advance to a pending event within the time bound */
  private canAdvance(): boolean {
    const ev = this.nextEvent();
    return ev !== undefined && ev.at <= this.opts.maxTime;
  }

  // ---- candidates -------------------------------------------------------

  private push(type: CandidateType, thread: Thread | null, cpu: Cpu | null, line: number): void {
    let c = this.cands[this.ncands];
    if (!c) {
      c = { type, thread, cpu, line };
      this.cands.push(c);
    } else {
      c.type = type;
      c.thread = thread;
      c.cpu = cpu;
      c.line = line;
    }
    this.ncands++;
  }

  private enabled(th: Thread): boolean {
    const op = th.op;
    return op.canProceed === null || op.canProceed(th);
  }

  private collectInterrupts(cpu: Cpu, ctxIrqsOff: boolean, softOk: boolean): void {
    if (this.irqSources.length === 0 && cpu.items.length === 0) return;
    if (!ctxIrqsOff) {
      const lines = this.lines;
      for (const src of this.irqSources) {
        lines.length = 0;
        src.deliverable(cpu, lines);
        for (const l of lines) this.push(C_IRQ, null, cpu, l);
      }
      if (cpu.items.length > 0) {
        // hard items first (hrtimers), then softirqs in FIFO order: one candidate each kind
        const hard = cpu.items.findIndex((it) => it.hard);
        if (hard >= 0) this.push(C_ITEM, null, cpu, hard);
        if (softOk) {
          const soft = cpu.items.findIndex((it) => !it.hard);
          if (soft >= 0) this.push(C_ITEM, null, cpu, soft);
        }
      }
    }
  }

  /** builds the candidate list of the next step (in `cands`, `ncands` of them) */
  collect(): number {
    this.ncands = 0;
    const preempt = this.opts.preempt;
    for (const cpu of this.cpus) {
      const stack = cpu.irqStack;
      if (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        if (this.enabled(top)) this.push(C_THREAD, top, cpu, -1);
        // a hardirq may interrupt a softirq that runs with irqs enabled
        this.collectInterrupts(cpu, top.kind === 'hardirq' || top.irqsOff > 0, false);
        continue;
      }
      const cur = cpu.current;
      if (cur && !cur.done && cur.pinned) {
        if (this.enabled(cur)) this.push(C_THREAD, cur, cpu, -1);
        this.collectInterrupts(cpu, cur.irqsOff > 0, cur.bhOff === 0);
        continue;
      }
      const tasks = cpu.tasks;
      if (tasks.length === 1) {
        const t = tasks[0]!;
        if (!t.done && (t.op.canProceed === null || t.op.canProceed(t))) this.push(C_THREAD, t, cpu, -1);
      } else {
        const curRunnable = cur !== null && !cur.done && this.enabled(cur);
        for (let i = 0; i < tasks.length; i++) {
          const t = tasks[i]!;
          if (t.done) continue;
          if (!preempt && curRunnable && t !== cur) continue;
          if (this.enabled(t)) this.push(C_THREAD, t, cpu, -1);
        }
      }
      this.collectInterrupts(cpu, false, true);
    }
    for (const a of this.agents) {
      if (!a.done && this.enabled(a)) this.push(C_THREAD, a, null, -1);
    }
    if (this.opts.timing === 'free' && this.ncands > 0 && this.events.length > 0) {
      const ev = this.nextEvent();
      if (ev && ev.at <= this.opts.maxTime) this.push(C_TIME, null, null, -1);
    }
    return this.ncands;
  }

  // ---- running ----------------------------------------------------------

  /** true when every non-daemon activity is over: the execution may stop */
  private quiescent(): boolean {
    if (this.liveNonDaemon > 0 || this.pendingWork > 0 || this.nonDaemonEvents > 0 || this.nonDaemonItems > 0) return false;
    for (const s of this.irqSources) if (s.hasNonDaemonPending) return false;
    return true;
  }

  run(): ExecutionResult {
    this.inSetup = false;
    if (this.det.races) for (const t of this.threads) t.clock.join(this.setupClock);
    try {
      for (;;) {
        if (this.quiescent()) return this.finish('quiescent');
        if (this.steps >= this.opts.maxSteps) return this.finish('steps');
        const n = this.collect();
        const obs = this.observer;
        if (n === 0) {
          if (this.canAdvance()) {
            // nothing can run: time advances without a choice
            if (obs !== null && !obs.before(this, 0)) {
              this.endReason = 'blocked';
              return this.result('blocked', null);
            }
            this.advanceTime();
            this.lastThread = null;
            if (obs !== null) obs.after(this);
            continue;
          }
          const ev = this.nextEvent();
          return this.finish(ev ? 'time' : 'stuck');
        }
        if (obs !== null && !obs.before(this, n)) {
          this.endReason = 'blocked';
          return this.result('blocked', null);
        }
        const i = n === 1 ? 0 : this.chooser.pickThread(n, this);
        const c = this.cands[i];
        if (!c || i >= n) throw new InternalBug(`chooser picked ${i} of ${n} candidates`);
        this.lastPicked = c;
        this.exec(c);
        if (obs !== null) obs.after(this);
        if (this.invariants.length > 0) this.checkInvariants();
      }
    } catch (e) {
      if (e instanceof Violation) {
        this.endReason = 'violation';
        return this.result('violation', e);
      }
      throw e;
    }
  }

  private exec(c: Candidate): void {
    switch (c.type) {
      case C_THREAD:
        this.lastThread = c.thread;
        this.stepThread(c.thread!);
        return;
      case C_IRQ: {
        const cpu = c.cpu!;
        for (const src of this.irqSources) {
          const lines = this.lines;
          lines.length = 0;
          src.deliverable(cpu, lines);
          if (!lines.includes(c.line)) continue;
          const d = src.deliver(c.line, cpu);
          const th = this.newThread(d.name, 'hardirq', cpu, d.gen, d.daemon);
          this.lastThread = th;
          th.irqsOff = 1; // handlers run with local interrupts disabled
          if (this.det.races) {
            th.clock.join(d.clock);
            th.clock.join(cpu.irqRel);
          }
          th.onExit = d.onExit;
          stack(cpu, th);
          this.traceMark(th, `irq ${c.line} delivered`);
          this.stepThread(th);
          return;
        }
        throw new InternalBug(`irq ${c.line} no longer deliverable`);
      }
      case C_ITEM: {
        const cpu = c.cpu!;
        const item = cpu.items.splice(c.line, 1)[0]!;
        if (!item.daemon) this.nonDaemonItems--;
        const th = this.newThread(item.name, item.hard ? 'hardirq' : 'softirq', cpu, item.run(), item.daemon);
        this.lastThread = th;
        if (item.hard) th.irqsOff = 1;
        if (this.det.races) {
          th.clock.join(item.clock);
          th.clock.join(item.hard ? cpu.irqRel : cpu.bhRel);
        }
        if (item.onDone) th.onExit = item.onDone;
        stack(cpu, th);
        this.traceMark(th, item.hard ? 'hard item' : 'softirq');
        this.stepThread(th);
        return;
      }
      case C_TIME: {
        const before = this.now_;
        this.lastThread = null;
        this.advanceTime();
        this.steps++;
        if (this.trace) {
          this.trace.push({
            step: this.steps, time: this.now_, thread: 'time', threadId: -1, kind: 'time', cpu: null,
            op: `time advances ${fmtNs(this.now_ - before)}`, notes: [], loc: null, held: [],
          });
        }
        return;
      }
    }
  }

  private traceMark(_th: Thread, what: string): void {
    // shown on the handler's first step
    if (this.trace) this.notes.push(what);
  }

  stepThread(th: Thread): void {
    const cpu = th.cpu;
    if (cpu && (th.kind === 'task' || th.kind === 'kworker') && cpu.current !== th) {
      cpu.current = th;
      cpu.switches++;
    }
    const op = th.op;
    CUR = th;
    th.blockedOn = null;
    th.loc = null;
    let r: IteratorResult<Op, unknown>;
    try {
      r = th.gen.next();
    } catch (e) {
      this.steps++;
      this.recordStep(th, op);
      if (e instanceof Violation) throw e;
      if (e instanceof ModelUsageError) throw new Violation('model-error', e.message, [`in ${th}`]);
      const err = e as Error;
      throw new Violation('model-error', `${th.name} threw ${err?.name ?? 'an exception'}: ${err?.message ?? String(e)}`, (err?.stack ?? '').split('\n').slice(1, 6).map((s) => s.trim()));
    }
    this.steps++;
    if (this.trace !== null) this.recordStep(th, op);
    if (r.done) {
      this.exitThread(th, r.value);
    } else {
      const next = r.value;
      if (!(next instanceof Op)) {
        throw new Violation('model-error', `${th.name} yielded ${String(next)}: kernel code must use 'yield*' on kernel primitives, never a bare 'yield'`);
      }
      th.op = next;
    }
  }

  private recordStep(th: Thread, op: Op): void {
    if (!this.trace) return;
    this.trace.push({
      step: this.steps, time: this.now_, thread: th.name, threadId: th.id, kind: th.kind, cpu: th.cpu ? th.cpu.id : null,
      op: op === OP_START ? 'start' : op.name, notes: this.notes, loc: op === OP_START ? null : th.opLoc,
      held: th.held.map((h) => h.lock.name),
      rcu: th.rcuNesting, irqsOff: th.irqsOff > 0 || th.kind === 'hardirq', bhOff: th.bhOff > 0 || th.kind === 'softirq',
    });
    this.notes = [];
    th.opLoc = th.loc;
  }

  private exitThread(th: Thread, value: unknown): void {
    th.done = true;
    th.result = value;
    if (!th.daemon) this.liveNonDaemon--;
    const cpu = th.cpu;
    if (th.held.length > 0) {
      throw new Violation('lock-misuse', `${th.name} returned with ${th.held.length} lock(s) held: ${th.held.map((h) => h.lock.name).join(', ')}`,
        th.held.map((h) => `${h.lock.name} taken by ${h.how}${h.loc ? ' at ' + h.loc : ''}`));
    }
    if (th.kind === 'task' || th.kind === 'kworker' || th.kind === 'agent') {
      if (th.preempt > 0 || th.irqsOff > 0 || th.bhOff > 0 || th.rcuNesting > 0) {
        throw new Violation('lock-misuse', `${th.name} returned with preempt_count ${th.preempt}, irqs disabled ${th.irqsOff}, bh disabled ${th.bhOff}, rcu_read_lock nesting ${th.rcuNesting}`);
      }
    } else if (cpu) {
      if (th.rcuNesting > 0 || th.preempt > 0 || th.bhOff > 0) {
        throw new Violation('lock-misuse', `${th.name} returned from interrupt context with rcu_read_lock nesting ${th.rcuNesting}, preempt_count ${th.preempt}, bh disabled ${th.bhOff}`);
      }
      const top = cpu.irqStack.pop();
      if (top !== th) throw new InternalBug(`interrupt stack of cpu${cpu.id} out of order`);
      if (this.det.races) {
        cpu.handlerExit = cpu.handlerExit ?? new VClock();
        cpu.handlerExit.join(th.clock);
      }
    }
    th.rcuGen++;
    if (th.onExit) th.onExit(th);
  }

  private checkInvariants(): void {
    for (const inv of this.invariants) {
      let r: unknown;
      try {
        r = inv.fn();
      } catch (e) {
        if (e instanceof Violation) throw e;
        throw new Violation('invariant', `invariant '${inv.name}' threw: ${(e as Error).message}`);
      }
      if (r === false || typeof r === 'string') {
        throw new Violation('invariant', `invariant '${inv.name}' does not hold${typeof r === 'string' ? ': ' + r : ''}`);
      }
    }
  }

  private finish(end: EndReason): ExecutionResult {
    this.endReason = end;
    if (end === 'stuck' || end === 'time' || end === 'steps') {
      const blocked = this.threads.filter((t) => !t.done && !t.daemon);
      if (end === 'stuck' && blocked.length > 0) {
        const stuck = this.threads.filter((t) => !t.done && !this.enabled(t));
        // waiting on a lock (or spinning) is a deadlock; sleeping with nobody left to wake it, a hung task
        const onLock = stuck.some((t) => t.op.block === BLOCK_SPIN || (t.op.obj !== null && 'owner' in (t.op.obj as object)));
        const kind: ViolationKind = onLock ? 'deadlock' : 'hung-task';
        return this.result('violation', new Violation(kind,
          kind === 'deadlock'
            ? `deadlock: no thread can make progress (${stuck.length} blocked: ${stuck.map((t) => t.name).join(', ')})`
            : `hung task: ${blocked.map((t) => t.name).join(', ')} blocked forever while nothing else can run (a lost wake-up?)`,
          this.describeThreads()));
      }
      if (end === 'steps') {
        return this.result('steps', null);
      }
      if (this.det.liveness && (this.pendingWork > 0 || blocked.length > 0)) {
        return this.result('violation', new Violation('liveness',
          `at the time bound (${fmtNs(this.opts.maxTime)}) ${this.pendingWork} work item(s) were still pending and ${blocked.length} task(s) unfinished`,
          this.describeThreads()));
      }
      return this.result(end, null);
    }
    try {
      for (const q of this.quiescenceChecks) q();
      this.finalOutcome = this.computeOutcome();
      for (const f of this.finals) {
        let r: unknown;
        try {
          r = f.fn();
        } catch (e) {
          if (e instanceof Violation) throw e;
          throw new Violation('assertion', `final check '${f.name}' threw: ${(e as Error).message}`);
        }
        if (r === false || typeof r === 'string') {
          throw new Violation('assertion', `final check '${f.name}' does not hold${typeof r === 'string' ? ': ' + r : ''}`);
        }
      }
    } catch (e) {
      if (e instanceof Violation) return this.result('violation', e);
      throw e;
    }
    return this.result(end, null);
  }

  describeThreads(): string[] {
    const out: string[] = [];
    for (const t of this.threads) {
      if (t.done) continue;
      const cpu = t.cpu;
      const interrupted = cpu !== null && cpu.irqStack.length > 0 && cpu.irqStack[cpu.irqStack.length - 1] !== t;
      const state = interrupted ? `interrupted on cpu${cpu.id} by ${cpu.irqStack[cpu.irqStack.length - 1]!.name}` : this.enabled(t) ? 'runnable' : t.op.block === BLOCK_SPIN ? 'spinning' : 'sleeping';
      const held = t.held.length ? ` holding ${t.held.map((h) => h.lock.name).join(', ')}` : '';
      out.push(`${t}${t.daemon ? ' (daemon)' : ''}: ${state} at ${t.op.name}${held}${t.blockedOn ? ' — ' + t.blockedOn : ''}`);
    }
    return out;
  }

  /** the outcome of an execution that ran to its end (final checks included, whether they hold or not) */
  private finalOutcome: string | null = null;

  private computeOutcome(): string | null {
    if (!this.outcomeFn) return null;
    try {
      return this.outcomeFn();
    } catch {
      return null;
    }
  }

  private result(end: EndReason, violation: Violation | null): ExecutionResult {
    const outcome = violation === null ? this.computeOutcome() : this.finalOutcome;
    return { end, violation, steps: this.steps, time: this.now_, outcome };
  }

  /** a data choice made by the model (fault injection, random input) */
  choose(n: number, label: string): number {
    if (!Number.isInteger(n) || n < 1) throw new ModelUsageError(`choose(${n}): the number of options must be a positive integer`);
    if (n === 1) return 0;
    const v = this.chooser.pickData(n, label, this);
    this.note(`choose ${label}: ${v} of ${n}`);
    return v;
  }
}

function before(a: TimeEvent, b: TimeEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function stack(cpu: Cpu, th: Thread): void {
  cpu.irqStack.push(th);
}

/** formats a duration in ns for humans */
export function fmtNs(ns: number): string {
  if (ns >= 1e9 && ns % 1e6 === 0) return `${ns / 1e9} s`;
  if (ns >= 1e6 && ns % 1e3 === 0) return `${ns / 1e6} ms`;
  if (ns >= 1e3) return `${ns / 1e3} us`;
  return `${ns} ns`;
}
