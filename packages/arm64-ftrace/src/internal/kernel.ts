// A small arm64 kernel in emulated memory, run by hw-emu's A64Core: the image of
// ./image (entry-ftrace.S, the C functions as host-call stubs, the functions
// built with -fpatchable-function-entry=2), kernel data (function_trace_op, the
// ftrace_ops structures), per-CPU stacks, modules, and the boot-time ftrace_init()
// that turns every callsite's first NOP into MOV X9, LR (seed 004's
// ftrace_init_nop). Calls into the emulated kernel run the real instructions;
// the C side of ftrace (kernel/trace) runs in TypeScript when the emulated code
// reaches a `brk #0x6b43` stub.
import { A_NONE, A_WRITE, BLOCK_NONE, BLOCK_SPIN, EINVAL, ENOENT, Op, type KGen } from '@k/core-sync';
import { A64Core, AddressSpace, TextPatchGuard, type A64Registers, type CrossModificationViolation, type StopReason } from '@k/hw-emu';
import { ftrace_call_adjust } from './arch-ftrace';
import type { FtraceDesign } from './entry';
import { FtraceCore, FTRACE_OPS_FL_DYNAMIC, FTRACE_OPS_FL_PID, FTRACE_OPS_FL_RECURSION_SAFE, FTRACE_OPS_FL_SAVE_REGS, type FtraceFunc, type ftrace_ops } from './ftrace-core';
import { FtraceError, KernelOops, runSync } from './errors';
import { buildKernelText, buildModuleText, Kallsyms, OPS_FUNC_SLOTS } from './image';
import { SZ_128M } from './insn';
import { LIVEPATCH_FUNCTIONS, SAMPLE_FUNCTIONS, type KFunc } from './kfuncs';
import {
  FREGS_FP, FREGS_LR, HOSTCALL_CALL_RETURN, HOSTCALL_KERNEL_C, KERNEL_DATA, KERNEL_STACKS, KIMAGE_VADDR, MODULES_VADDR, TEXT_OFFSET,
  THREAD_SIZE,
} from './layout';
import { FTRACE_PLT_IDX, FTRACE_REGS_PLT_IDX, get_plt_entry, NR_FTRACE_PLTS, PLT_ENTRY_SIZE, type module } from './module';
import { ftrace_regs, pt_regs, type FtraceRegs } from './regs';
import { Fgraph, function_trace_call, graphTracer, type ftrace_ret_stack, type trace_array } from './tracers';
import { formatTrace, type TracerName } from './trace-output';

/** The kernels the model can build: the seed, the seed with its later fixes, the later design. */
export type FtraceVariant = 'seed' | 'v5.8' | 'fixed' | 'call-ops';
/** `seed`: v5.5 with seed 004; `v5.8`: its Kconfig typo fixed; `fixed`: v5.19 (branch ranges, PLTs); `call-ops`: v6.3. */
export const FTRACE_VARIANTS: readonly FtraceVariant[] = ['seed', 'v5.8', 'fixed', 'call-ops'];

/** What a kernel was built with. */
export interface KernelConfig {
  readonly variant: FtraceVariant;
  readonly design: FtraceDesign;
  /** CONFIG_DYNAMIC_FTRACE_WITH_REGS (the seed's design); else DYNAMIC_FTRACE_WITH_ARGS + CALL_OPS */
  readonly CONFIG_DYNAMIC_FTRACE_WITH_REGS: boolean;
  readonly cpus: number;
}

/** Options of {@link Kernel}. */
export interface KernelOptions {
  /** `seed` (default): v5.5 with seed 004; `v5.8`: its Kconfig typo fixed; `fixed`: the 2022 fixes too (v5.19); `call-ops`: v6.3's design. */
  readonly variant?: FtraceVariant;
  /** Emulated CPUs (1..8, default 2). */
  readonly cpus?: number;
  /** The kernel's functions (default: the sample functions and the livepatch replacement). */
  readonly functions?: readonly KFunc[];
  /** Extra generated traceable functions `bench_fn_<i>` (0..100000). */
  readonly extraFunctions?: number;
  /**
   * The model's fix of the function_trace_op race (not an upstream patch): after
   * publishing function_trace_op, wait until no CPU is inside the trampolines
   * (synchronize_rcu_tasks()) before ftrace_call gets the single ops' func.
   */
  readonly syncTraceOp?: boolean;
}

/** The task a CPU runs (the parts of task_struct the tracers use). */
export interface task_struct {
  pid: number;
  comm: string;
  /** the function-graph return stack (allocated when a graph tracer starts) */
  ret_stack: ftrace_ret_stack[] | null;
  curr_ret_stack: number;
  curr_ret_depth: number;
  tracing_graph_pause: number;
  trace_overrun: number;
}

/** The result of {@link Kernel.call}. */
export interface CallResult {
  /** x0 on return */
  readonly ret: bigint;
  /** instructions the CPU executed for the call (from the function's first instruction to its return) */
  readonly insns: number;
  /** what the AAPCS requires of the callee, checked on return */
  readonly abi: {
    /** x19-x28 and the FP (x29) hold the caller's values */
    readonly calleeSaved: boolean;
    /** SP is back where it was */
    readonly sp: boolean;
    /** the caller's stack (its frame and the stack arguments) is unchanged */
    readonly stack: boolean;
  };
  /** the registers on return */
  readonly regs: A64Registers;
}

/** Options of a call. */
export interface CallOptions {
  /** CPU to run on (default 0) */
  readonly cpu?: number;
  /** x8, the indirect result location (default 0) */
  readonly x8?: bigint;
  /** give up after this many instructions (default 10,000,000) */
  readonly maxInsns?: number;
}

/** Where to load a module: an address, or near the kernel, far away, or exactly at the BL range boundary. */
export type ModulePlacement = bigint | 'near' | 'far' | 'boundary';

/** A module to load. */
export interface ModuleSpec {
  readonly name: string;
  readonly functions: readonly KFunc[];
  /** where its first function goes (default 'near') */
  readonly at?: ModulePlacement;
}

/** What an ops callback of {@link Kernel.ftrace_ops} is given. */
export interface FtraceOpsSpec {
  readonly name: string;
  readonly func: FtraceFunc;
  /** FTRACE_OPS_FL_* (FTRACE_OPS_FL_DYNAMIC is added, as for any ops outside core kernel data) */
  readonly flags?: number;
  /** function names (set_ftrace_filter); every function when absent */
  readonly filter?: readonly string[];
}

/** A C function of the model: the arguments x0-x7, the result (if any) goes to x0. */
type CFunc = (cpu: number, x: readonly bigint[]) => bigint | void;

const TEXT_BASE = KIMAGE_VADDR + TEXT_OFFSET;
// kernel data: a heap (ftrace_ops, trace_array...), __mcount_loc, a scratch buffer
const HEAP_OFF = 0x400n;
const MCOUNT_OFF = 0x10000n;
const SCRATCH_SIZE = 0x10000;
const STACK_STRIDE = BigInt(2 * THREAD_SIZE);
/** ns the trace clock charges for each C function the emulated code calls */
export const C_FUNC_NS = 50;
/** the trace clock starts at 100 s of uptime */
const BOOT_NS = 100_000_000_000;
const CANARY = 0x5a5a5a5a5a5a5a5an;
/** the scheduling point of a text write when no checker distinguishes the sites */
const TEXT_WRITE = new Op('text_poke', null, BLOCK_NONE, A_WRITE);
const DEFAULT_FUNCTIONS: readonly KFunc[] = [...SAMPLE_FUNCTIONS, ...LIVEPATCH_FUNCTIONS];

/** A 64-bit kernel address in hex. */
function hx(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/**
 * An emulated arm64 kernel with dynamic ftrace. Build one, call its functions,
 * register ftrace_ops or a tracer, load modules, read the trace.
 */
export class Kernel {
  readonly config: KernelConfig;
  readonly space = new AddressSpace();
  readonly cores: A64Core[] = [];
  readonly kallsyms = new Kallsyms();
  readonly ftrace: FtraceCore;
  readonly fgraph: Fgraph;
  readonly modules: module[] = [];
  /** the kernel log: pr_err(), WARN(), ftrace_bug() */
  readonly dmesg: string[] = [];
  /** current on each CPU */
  readonly tasks: task_struct[] = [];
  /** .text of the core kernel */
  readonly text: { readonly base: bigint; readonly end: bigint };
  /** __mcount_loc of the core kernel, as laid out in kernel data */
  readonly mcount_loc: readonly bigint[];
  /** FTRACE_ADDR (ftrace_caller) and FTRACE_REGS_ADDR (ftrace_regs_caller; ftrace_caller in the call-ops design) */
  readonly FTRACE_ADDR: bigint;
  readonly FTRACE_REGS_ADDR: bigint;
  /** the top-level trace instance and the function tracer's ops (global_ops) */
  readonly global_trace: trace_array;
  readonly global_ops: ftrace_ops;
  /** the tracer set by {@link setTracer} */
  current_tracer: TracerName = 'nop';
  /** text writes done by ftrace_modify_code (patch operations) */
  patchCount = 0;
  /** the model's fix of the function_trace_op race (see KernelOptions.syncTraceOp) */
  syncTraceOp: boolean;
  /** a faulty model: patch each instruction with two 16-bit stores (for the checker) */
  patchTorn = false;
  /** who patches (the initiator of text writes) */
  patcher = 'ftrace';
  /** other CPUs are running (secondary CPUs online): live text writes are checked */
  smpRunning = false;
  /** called with each forbidden live text write (scenarios turn it into a violation) */
  onCrossModification: ((v: CrossModificationViolation) => void) | null = null;
  /** called with each WARN (scenarios turn it into a violation) */
  onWarn: ((message: string) => void) | null = null;
  /** called when a CPU stops at a shared range (scenarios yield to the explorer there) */
  onShared: ((cpu: number, stop: Extract<StopReason, { kind: 'shared' }>) => KGen<void>) | null = null;
  /** @internal scheduling points per patch site (set by smpChecker) */
  siteOps = false;
  /** cross-modification violations seen, oldest first */
  readonly crossModifications: CrossModificationViolation[] = [];

  private readonly cfuncs = new Map<bigint, { name: string; fn: CFunc }>();
  private readonly traceArrays = new Map<bigint, trace_array>();
  private readonly cpuNs: number[] = [];
  private readonly busy: boolean[] = [];
  private heap = KERNEL_DATA + HEAP_OFF;
  private scratchOff = 0n;
  private readonly guards: TextPatchGuard[] = [];
  private guardSeen = 0;
  private readonly writeOps = new Map<bigint, Op>();
  private freeSlots: bigint[] = [];

  constructor(options: KernelOptions = {}) {
    const variant = options.variant ?? 'seed';
    if (!FTRACE_VARIANTS.includes(variant)) throw new FtraceError('EINVAL', `variant must be one of ${FTRACE_VARIANTS.join(', ')}, not '${String(variant)}'`);
    const cpus = options.cpus ?? 2;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) throw new FtraceError('EINVAL', `cpus must be an integer in 1..8, not ${String(cpus)}`);
    const extra = options.extraFunctions ?? 0;
    if (!Number.isInteger(extra) || extra < 0 || extra > 100000) throw new FtraceError('EINVAL', `extraFunctions must be an integer in 0..100000, not ${String(extra)}`);
    const functions = options.functions ?? DEFAULT_FUNCTIONS;
    checkFunctions(functions);
    const design: FtraceDesign = variant === 'call-ops' ? 'call-ops' : 'regs';
    this.config = Object.freeze({ variant, design, CONFIG_DYNAMIC_FTRACE_WITH_REGS: design === 'regs', cpus });
    this.syncTraceOp = options.syncTraceOp ?? false;

    // kernel data and stacks
    const nfuncs = functions.length + extra;
    this.scratchOff = MCOUNT_OFF + BigInt(Math.ceil((nfuncs * 8) / 0x1000) * 0x1000);
    this.space.ram('kernel.data', KERNEL_DATA, Number(this.scratchOff) + SCRATCH_SIZE, { perms: 'rw' });
    this.space.ram('kernel.stacks', KERNEL_STACKS, cpus * Number(STACK_STRIDE), { perms: 'rw' });
    const function_trace_op = this.kzalloc(8);
    // the text
    const built = buildKernelText({ design, base: TEXT_BASE, functions, dataSymbols: { function_trace_op }, extraFunctions: extra });
    const size = Math.ceil((built.words.length * 4) / 0x10000) * 0x10000;
    this.space.ram('kernel.text', TEXT_BASE, size, { perms: 'rx' });
    this.space.writeWords(TEXT_BASE, built.words, { privileged: true });
    this.text = { base: TEXT_BASE, end: TEXT_BASE + BigInt(built.words.length * 4) };
    this.kallsyms.add(built.syms);
    this.kallsyms.add([{ name: 'function_trace_op', addr: function_trace_op, size: 8, traceable: false, cfunc: false, module: null }]);
    // __mcount_loc, in kernel data as the linker leaves it
    built.mcount_loc.forEach((loc, i) => this.write64(KERNEL_DATA + MCOUNT_OFF + BigInt(i * 8), loc));
    this.mcount_loc = built.mcount_loc;
    this.FTRACE_ADDR = this.sym('ftrace_caller');
    this.FTRACE_REGS_ADDR = design === 'regs' ? this.sym('ftrace_regs_caller') : this.FTRACE_ADDR;

    for (let i = 0; i < cpus; i++) {
      const core = new A64Core(this.space, { id: `cpu${i}` });
      core.setHostCall(HOSTCALL_KERNEL_C, (c) => this.hostC(i, c));
      this.cores.push(core);
      this.tasks.push({ pid: 0, comm: '<idle>', ret_stack: null, curr_ret_stack: -1, curr_ret_depth: -1, tracing_graph_pause: 0, trace_overrun: 0 });
      this.cpuNs.push(0);
      this.busy.push(false);
    }
    this.registerCFuncs();
    this.ftrace = new FtraceCore(this);
    this.write64(function_trace_op, this.ftrace.ftrace_list_end.addr);
    this.fgraph = new Fgraph(this);
    this.global_trace = this.trace_array();
    this.global_ops = this.ftrace.newOps('global_ops', this.sym('function_trace_call'), FTRACE_OPS_FL_RECURSION_SAFE | FTRACE_OPS_FL_PID, null, null, this.global_trace.addr);
    // ftrace_init(): the boot CPU alone, before the secondaries come up
    const ret = runSync(this.ftrace.ftrace_process_locs(null, this.readMcountLoc(built.mcount_loc.length)));
    if (ret) this.printk(`ftrace: initialisation failed (${ret})`);
  }

  // ---- memory ----------------------------------------------------------------------------

  /** A 64-bit load (kernel code reading its own data); a fault is an oops. */
  read64(addr: bigint): bigint {
    const r = this.space.read64(addr, { privileged: true });
    if (!r.ok) throw new KernelOops('oops', `Unable to handle kernel paging request at virtual address ${hx(addr)}`);
    return r.value;
  }
  /** A 64-bit store; a fault is an oops. */
  write64(addr: bigint, v: bigint): void {
    const r = this.space.write64(addr, BigInt.asUintN(64, v), { privileged: true });
    if (!r.ok) throw new KernelOops('oops', `Unable to handle kernel paging request at virtual address ${hx(addr)}`);
  }
  /** A 32-bit load of text (privileged). */
  read32(addr: bigint): number {
    const r = this.space.read32(addr, { privileged: true });
    if (!r.ok) throw new KernelOops('oops', `Unable to handle kernel paging request at virtual address ${hx(addr)}`);
    return r.value;
  }
  /** kzalloc() from kernel data (64-byte aligned, never freed). */
  kzalloc(size: number): bigint {
    const a = this.heap;
    const next = a + BigInt(Math.ceil(size / 64) * 64);
    if (next > KERNEL_DATA + MCOUNT_OFF) throw new FtraceError('ENOMEM', 'the model\'s kernel data is full');
    this.heap = next;
    return a;
  }
  /** A scratch buffer in kernel data the caller may use for arguments (struct results, byte buffers). */
  get scratch(): { readonly base: bigint; readonly size: number } {
    return { base: KERNEL_DATA + this.scratchOff, size: SCRATCH_SIZE };
  }

  private readMcountLoc(n: number): bigint[] {
    return Array.from({ length: n }, (_, i) => this.read64(KERNEL_DATA + MCOUNT_OFF + BigInt(i * 8)));
  }

  // ---- symbols ------------------------------------------------------------------------------

  /** The address of a symbol; FtraceError ENOENT when there is none. */
  sym(name: string): bigint {
    const s = this.kallsyms.lookupName(name);
    if (!s) throw new FtraceError('ENOENT', `no symbol '${name}'`);
    return s.addr;
  }

  /** The __mcount_loc entry of the traceable function at `addr`. */
  mcountOf(addr: bigint): bigint {
    return this.config.design === 'call-ops' ? addr - 8n : addr;
  }

  /** The callsite (dyn_ftrace ip: the BL slot) of a traceable function. */
  callsite(name: string): bigint {
    const s = this.kallsyms.lookupName(name);
    if (!s || !s.traceable) throw new FtraceError('EINVAL', `'${name}' is not a traceable function`);
    return ftrace_call_adjust(this, this.mcountOf(s.addr));
  }

  /** Functions ftrace can trace (available_filter_functions). */
  available_filter_functions(): string[] {
    return this.kallsyms
      .all()
      .filter((s) => s.traceable && this.ftrace.recordOf(s.addr))
      .map((s) => (s.module ? `${s.name} [${s.module}]` : s.name));
  }

  // ---- logging -----------------------------------------------------------------------------------

  printk(line: string): void {
    this.dmesg.push(line);
    if (this.dmesg.length > 1000) this.dmesg.shift();
  }
  pr_err(line: string): void {
    this.printk(line);
  }
  /** WARN(cond, message): logs, and tells a scenario; returns the condition. */
  WARN(cond: unknown, message: string): boolean {
    if (cond) {
      this.printk(`WARNING: ${message}`);
      this.onWarn?.(message);
    }
    return Boolean(cond);
  }
  WARN_ON(cond: unknown, what: string): boolean {
    return this.WARN(cond, what);
  }
  /** An oops on `cpu`: the emulated kernel took a fatal exception. */
  oops(cpu: number | null, message: string, pc: bigint | null = null): never {
    this.printk(`Internal error: ${message}`);
    throw new KernelOops('oops', message, cpu, pc);
  }

  // ---- tasks, clocks --------------------------------------------------------------------------------

  /** `current` on a CPU. */
  current(cpu: number): task_struct {
    const t = this.tasks[cpu];
    if (!t) throw new FtraceError('EINVAL', `no CPU ${cpu}`);
    return t;
  }
  /** Sets the task a CPU runs (its pid and comm, as the trace shows them). */
  setTask(cpu: number, pid: number, comm: string): void {
    const t = this.current(cpu);
    if (!Number.isInteger(pid) || pid < 0) throw new FtraceError('EINVAL', `pid must be a non-negative integer, not ${String(pid)}`);
    t.pid = pid;
    t.comm = String(comm).slice(0, 15);
  }
  /**
   * trace_clock_local(): ns since boot on a CPU. The model's CPUs retire one
   * instruction per ns and charge C_FUNC_NS for each C function they call.
   */
  trace_clock_local(cpu: number): number {
    return BOOT_NS + (this.cores[cpu]?.insnCount ?? 0) + (this.cpuNs[cpu] ?? 0);
  }

  /** The CPU idles for `ns` (its trace clock advances; nothing runs). */
  idle(cpu: number, ns: number): void {
    this.current(cpu);
    if (!Number.isSafeInteger(ns) || ns < 0) throw new FtraceError('EINVAL', `idle time must be a non-negative integer number of ns, not ${String(ns)}`);
    this.cpuNs[cpu] = (this.cpuNs[cpu] ?? 0) + ns;
  }

  // ---- C functions --------------------------------------------------------------------------------

  private defineC(name: string, fn: CFunc): void {
    this.cfuncs.set(this.sym(name), { name, fn });
  }

  private registerCFuncs(): void {
    const design = this.config.design;
    this.defineC('ftrace_ops_list_func', (cpu, x) => this.ftrace.ftrace_ops_list_func(x[0]!, x[1]!, x[3]!, cpu));
    this.defineC('function_trace_call', (cpu, x) => function_trace_call(this, x[0]!, x[1]!, x[2]!, cpu));
    this.defineC('prepare_ftrace_return', (cpu, x) => this.fgraph.prepare_ftrace_return(x[0]!, x[1]!, x[2]!, cpu));
    this.defineC('ftrace_return_to_handler', (cpu, x) => this.fgraph.ftrace_return_to_handler(x[0]!, cpu));
    this.defineC('panic', (cpu) => {
      this.printk('Kernel panic - not syncing: function graph tracer returned to panic');
      throw new KernelOops('panic', 'Kernel panic: a traced function returned to panic (the function-graph return stack was corrupted)', cpu, this.cores[cpu]?.pc ?? null);
    });
    if (design === 'call-ops') {
      this.defineC('ftrace_ops_nop_func', () => undefined);
      // ftrace_graph_func(ip, parent_ip, op, fregs): prepare_ftrace_return(ip, &fregs->lr, fregs->fp)
      this.defineC('ftrace_graph_func', (cpu, x) => this.fgraph.prepare_ftrace_return(x[0]!, x[3]! + BigInt(FREGS_LR), this.read64(x[3]! + BigInt(FREGS_FP)), cpu));
    }
    for (let i = 0; i < OPS_FUNC_SLOTS; i++) this.freeSlots.push(this.sym(`__ftrace_ops_func_${i}`));
  }

  /** Calls the C function at `addr` with arguments (ftrace_ops_list_func calling op->func). */
  callC(cpu: number, addr: bigint, args: readonly bigint[]): bigint | void {
    const c = this.cfuncs.get(addr);
    if (!c) return this.oops(cpu, `op->func ${this.kallsyms.ps(addr)} is not a C function of the model`);
    this.cpuNs[cpu] = (this.cpuNs[cpu] ?? 0) + C_FUNC_NS;
    return c.fn(cpu, args);
  }

  private hostC(cpu: number, core: A64Core): void {
    const at = core.pc - 4n;
    const c = this.cfuncs.get(at);
    if (!c) this.oops(cpu, `BRK #0x6b43 at ${this.kallsyms.pS(at)}: not a C function of the model`, at);
    const x: bigint[] = [];
    for (let n = 0; n < 8; n++) x.push(core.getX(n));
    this.cpuNs[cpu] = (this.cpuNs[cpu] ?? 0) + C_FUNC_NS;
    const r = c.fn(cpu, x);
    if (typeof r === 'bigint') core.setX(0, r);
  }

  /** The regs an ops callback gets (pt_regs, or ftrace_regs in the call-ops design). */
  regsAt(addr: bigint): FtraceRegs {
    return this.config.design === 'call-ops' ? new ftrace_regs(this.space, addr) : new pt_regs(this.space, addr);
  }

  // ---- ftrace_ops -------------------------------------------------------------------------------

  /** Makes an ftrace_ops whose func is a C function of the model running `spec.func`. */
  ftrace_ops(spec: FtraceOpsSpec): ftrace_ops {
    if (!spec || typeof spec.name !== 'string' || spec.name === '') throw new FtraceError('EINVAL', 'an ftrace_ops needs a name');
    if (typeof spec.func !== 'function') throw new FtraceError('EINVAL', `ftrace_ops '${spec.name}': func must be a function`);
    const flags = spec.flags ?? 0;
    if (!Number.isInteger(flags) || flags < 0) throw new FtraceError('EINVAL', `ftrace_ops '${spec.name}': flags must be FTRACE_OPS_FL_* bits`);
    let filter: Set<bigint> | null;
    try {
      filter = this.ftrace.filterOf(spec.filter);
    } catch (e) {
      throw new FtraceError('EINVAL', `ftrace_ops '${spec.name}': ${(e as Error).message}`);
    }
    const slot = this.freeSlots.shift();
    if (slot === undefined) throw new FtraceError('ENOSPC', `no free ops function slot (the model has ${OPS_FUNC_SLOTS})`);
    const ops = this.ftrace.newOps(spec.name, slot, flags | FTRACE_OPS_FL_DYNAMIC, filter, spec.func);
    this.kallsyms.rename(slot, spec.name);
    this.cfuncs.set(slot, {
      name: spec.name,
      fn: (cpu, x) => {
        this.ftrace.stats.callbacks++;
        const op = this.ftrace.opsAt(x[2]!) ?? ops;
        spec.func(x[0]!, x[1]!, op, this.regsAt(x[3]!), { kernel: this, cpu });
      },
    });
    return ops;
  }

  /** register_ftrace_function(ops): 0 or -errno, as the kernel returns it. */
  register_ftrace_function(ops: ftrace_ops): number {
    return runSync(this.ftrace.register_ftrace_function(ops));
  }
  /** unregister_ftrace_function(ops). */
  unregister_ftrace_function(ops: ftrace_ops): number {
    return runSync(this.ftrace.unregister_ftrace_function(ops));
  }
  /** update_function_graph_func(), for the ftrace core. */
  update_function_graph_func(): void {
    this.fgraph?.update_function_graph_func();
  }

  /** A trace instance (struct trace_array) in kernel data. */
  trace_array(): trace_array {
    const addr = this.kzalloc(64);
    const tr: trace_array = { addr, function_enabled: false, entries: [] };
    this.traceArrays.set(addr, tr);
    return tr;
  }
  traceArrayAt(addr: bigint): trace_array | undefined {
    return this.traceArrays.get(addr);
  }

  /**
   * `echo <tracer> > current_tracer` with `set_ftrace_filter`: `function` (global_ops ->
   * function_trace_call), `function_graph`, or `nop`. `regs` makes the function tracer's ops
   * ask for FTRACE_OPS_FL_SAVE_REGS (its calls then go through ftrace_regs_caller).
   * Returns 0 or -errno.
   */
  setTracer(name: TracerName, options: { readonly filter?: readonly string[]; readonly regs?: boolean } = {}): number {
    return runSync(this.setTracerGen(name, options));
  }

  /** {@link setTracer} as kernel code with scheduling points. */
  *setTracerGen(name: TracerName, options: { readonly filter?: readonly string[]; readonly regs?: boolean } = {}): KGen<number> {
    if (name !== 'nop' && name !== 'function' && name !== 'function_graph') throw new FtraceError('EINVAL', `no tracer '${String(name)}' (function, function_graph, nop)`);
    let filter: Set<bigint> | null;
    try {
      filter = this.ftrace.filterOf(options.filter);
    } catch (e) {
      throw new FtraceError('EINVAL', (e as Error).message);
    }
    // the old tracer's reset
    if (this.current_tracer === 'function') {
      this.global_trace.function_enabled = false;
      const r = yield* this.ftrace.unregister_ftrace_function(this.global_ops);
      if (r) return r;
    } else if (this.current_tracer === 'function_graph') {
      const r = yield* this.fgraph.unregister_ftrace_graph();
      if (r) return r;
    }
    this.current_tracer = 'nop';
    // set_ftrace_filter: global_ops and graph_ops share the hash
    this.global_ops.filter = filter;
    this.fgraph.graph_ops.filter = filter;
    if (this.config.CONFIG_DYNAMIC_FTRACE_WITH_REGS || !options.regs) {
      this.global_ops.flags = options.regs ? this.global_ops.flags | FTRACE_OPS_FL_SAVE_REGS : this.global_ops.flags & ~FTRACE_OPS_FL_SAVE_REGS;
    } else return -EINVAL;
    let ret = 0;
    if (name === 'function') {
      this.global_trace.function_enabled = false;
      ret = yield* this.ftrace.register_ftrace_function(this.global_ops);
      this.global_trace.function_enabled = ret === 0;
    } else if (name === 'function_graph') {
      ret = yield* this.fgraph.register_ftrace_graph(graphTracer(this, this.global_trace));
    }
    if (ret === 0) this.current_tracer = name;
    return ret;
  }

  /** The tracefs `trace` file of the top-level instance. */
  traceText(): string {
    return formatTrace(this, this.current_tracer === 'nop' ? 'nop' : this.current_tracer, this.global_trace.entries);
  }
  /** `echo > trace`. */
  clearTrace(): void {
    this.global_trace.entries.length = 0;
  }

  // ---- modules ------------------------------------------------------------------------------------

  /** __module_text_address(addr): the module whose text holds addr, or null. */
  __module_text_address(addr: bigint): module | null {
    return this.modules.find((m) => addr >= m.core_layout.base && addr < m.core_layout.base + BigInt(m.core_layout.size)) ?? null;
  }

  /** Where a placement puts a module's first function. */
  modulePlacement(at: ModulePlacement): bigint {
    if (typeof at === 'bigint') return at;
    const n = BigInt(this.modules.length);
    switch (at) {
      case 'near':
        // inside the 128 MiB module area below the image: a BL reaches the kernel
        return MODULES_VADDR + 0x4000000n + n * 0x100000n;
      case 'far':
        // CONFIG_RANDOMIZE_MODULE_REGION_FULL: anywhere in 2 GiB, here 1 GiB below the kernel
        return KIMAGE_VADDR - 0x40000000n - n * 0x100000n;
      case 'boundary':
        // the first callsite exactly 128 MiB below ftrace_caller (a forward BL of 128 MiB:
        // one more than it can encode); 8-byte aligned entries cannot sit there: just beyond
        return this.config.design === 'call-ops' ? this.FTRACE_ADDR - BigInt(SZ_128M) - 8n : this.FTRACE_ADDR - BigInt(SZ_128M) - 4n;
    }
    throw new FtraceError('EINVAL', `placement must be an address, 'near', 'far' or 'boundary', not '${String(at)}'`);
  }

  /**
   * load_module(): lays the module out (its functions, then .text.ftrace_trampoline
   * with NR_FTRACE_PLTS PLTs), module_init_ftrace_plt(), ftrace_module_init() (the
   * callsites' MOV X9, LR, before any CPU can run the module) and ftrace_module_enable().
   */
  load_module(spec: ModuleSpec): module {
    return runSync(this.load_module_gen(spec));
  }

  /** {@link load_module} as kernel code with scheduling points. */
  *load_module_gen(spec: ModuleSpec): KGen<module> {
    if (!spec || typeof spec.name !== 'string' || !/^[\w-]{1,55}$/.test(spec.name)) throw new FtraceError('EINVAL', 'a module needs a name of letters, digits, _ and -');
    if (this.modules.some((m) => m.name === spec.name)) throw new FtraceError('EEXIST', `module '${spec.name}' is already loaded`);
    if (!Array.isArray(spec.functions) || spec.functions.length === 0) throw new FtraceError('EINVAL', `module '${spec.name}' has no functions`);
    checkFunctions(spec.functions, this.kallsyms);
    const at = this.modulePlacement(spec.at ?? 'near');
    if (at % 4n !== 0n || at < 0x1000n || at >= 1n << 64n) throw new FtraceError('EINVAL', `module '${spec.name}': ${hx(at)} is not a 4-byte aligned kernel address`);
    if (this.config.design === 'call-ops' && at % 8n !== 0n) throw new FtraceError('EINVAL', `module '${spec.name}': call-ops functions need 8-byte alignment (${hx(at)})`);
    const built = buildModuleText(spec.name, this.config.design, at, spec.functions);
    const base = at & ~0xfffn;
    const nr = this.config.design === 'call-ops' ? 1 : NR_FTRACE_PLTS;
    // module_frob_arch_sections(): .text.ftrace_trampoline, NR_FTRACE_PLTS * sizeof(struct plt_entry)
    const tramp = at + BigInt(built.words.length * 4);
    const size = Number(tramp + BigInt(nr * PLT_ENTRY_SIZE) - base);
    const region = `module.${spec.name}`;
    try {
      this.space.ram(region, base, Math.ceil(size / 0x1000) * 0x1000, { perms: 'rx' });
    } catch (e) {
      throw new FtraceError('EBUSY', `module '${spec.name}' at ${hx(at)}: ${(e as Error).message}`);
    }
    this.space.writeWords(at, built.words, { privileged: true });
    const mod: module = {
      name: spec.name,
      core_layout: { base, size },
      arch: { ftrace_trampolines: 0n },
      ftrace_trampoline_sh_addr: tramp,
      syms: built.syms,
      mcount_loc: built.mcount_loc,
      recs: [],
      state: 'UNFORMED',
      region,
    };
    this.module_init_ftrace_plt(mod);
    this.kallsyms.add(built.syms);
    this.modules.push(mod);
    if (this.guards.length) this.guardRange(base, size, built.syms);
    // load_module(): ftrace_module_init() in MODULE_STATE_UNFORMED
    yield* this.ftrace.ftrace_module_init(mod);
    mod.state = 'COMING';
    // prepare_coming_module(): ftrace_module_enable()
    yield* this.ftrace.ftrace_module_enable(mod);
    mod.state = 'LIVE';
    return mod;
  }

  /** module_init_ftrace_plt(): the PLTs to ftrace_caller and (WITH_REGS) ftrace_regs_caller. */
  private module_init_ftrace_plt(mod: module): void {
    const plts = mod.ftrace_trampoline_sh_addr;
    const __init_plt = (plt: bigint, addr: bigint) => {
      const e = get_plt_entry(addr, plt);
      this.space.writeWords(plt, [e.adrp, e.add, e.br], { privileged: true });
    };
    __init_plt(plts + BigInt(FTRACE_PLT_IDX * PLT_ENTRY_SIZE), this.FTRACE_ADDR);
    if (this.config.CONFIG_DYNAMIC_FTRACE_WITH_REGS) __init_plt(plts + BigInt(FTRACE_REGS_PLT_IDX * PLT_ENTRY_SIZE), this.FTRACE_REGS_ADDR);
    mod.arch.ftrace_trampolines = plts;
  }

  /** delete_module(): its records and symbols go, its memory is unmapped. */
  delete_module(name: string): number {
    const i = this.modules.findIndex((m) => m.name === name);
    if (i < 0) return -ENOENT;
    const mod = this.modules[i] as module;
    mod.state = 'GOING';
    this.ftrace.ftrace_release_mod(mod);
    this.kallsyms.remove(name);
    this.space.unmap(mod.region);
    this.modules.splice(i, 1);
    return 0;
  }

  // ---- cross-modification checks -------------------------------------------------------------------

  /**
   * Watches every instruction of the kernel (and of modules) with hw-emu's
   * TextPatchGuard while `smpRunning`: a live write the architecture does not allow
   * (anything but B/BL/NOP/..., or a torn write) is reported to onCrossModification.
   * The call-ops literals are data and are not watched.
   */
  enableCrossModificationCheck(): void {
    if (this.guards.length) return;
    this.guardRange(this.text.base, Number(this.text.end - this.text.base), this.kallsyms.all().filter((s) => !s.module));
    for (const m of this.modules) this.guardRange(m.core_layout.base, m.core_layout.size, m.syms);
  }

  private guardRange(base: bigint, size: number, syms: readonly { addr: bigint; traceable: boolean }[]): void {
    const holes = this.config.design === 'call-ops' ? syms.filter((s) => s.traceable).map((s) => s.addr - 8n) : [];
    holes.sort((a, b) => (a < b ? -1 : 1));
    let start = base;
    const end = base + BigInt(size);
    const add = (a: bigint, b: bigint) => {
      if (b > a) {
        this.guards.push(
          new TextPatchGuard(this.space, a, Number(b - a), {
            othersRunning: () => this.smpRunning,
            onViolation: (v) => this.crossModifications.push(v),
          }),
        );
      }
    };
    for (const h of holes) {
      add(start, h);
      start = h + 8n;
    }
    add(start, end);
  }

  /** @internal After a text write: hands new cross-modification violations to the scenario. */
  checkTextWrite(): void {
    while (this.guardSeen < this.crossModifications.length) {
      const v = this.crossModifications[this.guardSeen++] as CrossModificationViolation;
      this.onCrossModification?.(v);
    }
  }

  /** @internal The scheduling point before a text write at `addr` (one per site once smpChecker() is on). */
  textWriteOp(addr: bigint): Op {
    if (!this.siteOps) return TEXT_WRITE;
    let op = this.writeOps.get(addr);
    if (!op) {
      op = new Op(`text_poke ${this.kallsyms.pS(addr)}`, this.siteObject(addr), BLOCK_NONE, A_WRITE);
      this.writeOps.set(addr, op);
    }
    return op;
  }

  /** @internal The scheduling point before a store to kernel data other CPUs read (function_trace_op). */
  dataWriteOp(addr: bigint): Op {
    if (!this.siteOps) return TEXT_WRITE;
    let op = this.writeOps.get(addr);
    if (!op) {
      op = new Op(`store ${this.kallsyms.pS(addr)}`, this.siteObject(addr), BLOCK_NONE, A_WRITE);
      this.writeOps.set(addr, op);
    }
    return op;
  }

  /** The entry code's range: a CPU whose PC is here is inside a trampoline. */
  inTrampoline(pc: bigint): boolean {
    const first = this.kallsyms.lookupName(this.config.design === 'regs' ? 'ftrace_regs_caller' : 'ftrace_caller')!;
    const last = this.kallsyms.lookupName('return_to_handler')!;
    return pc >= first.addr && pc < last.addr;
  }

  /**
   * synchronize_rcu_tasks() as the model's patcher needs it: blocks (spinning, a
   * scheduling point) until no other CPU is inside ftrace_caller/ftrace_regs_caller.
   */
  *synchronize_rcu_tasks(): KGen<void> {
    const out = () => this.cores.every((c, i) => !this.busy[i] || !this.inTrampoline(c.pc));
    if (out()) return;
    yield new Op('synchronize_rcu_tasks', this, BLOCK_SPIN, A_NONE, out);
  }

  private readonly sites = new Map<bigint, object>();
  /** @internal The object the explorer sees for an instruction word (reads and writes of it conflict). */
  siteObject(addr: bigint): object {
    const a = addr & ~3n;
    let o = this.sites.get(a);
    if (!o) {
      o = { site: a };
      this.sites.set(a, o);
    }
    return o;
  }

  // ---- calls ---------------------------------------------------------------------------------------------

  /**
   * Calls an emulated kernel function on a CPU and runs it to its return, as the
   * AAPCS64 has it: integer arguments in x0-x7 and then on the stack, `x8` for a
   * struct result. The callee-saved registers, the FP and the caller's stack are
   * checked on return. An exception of the emulated kernel throws a KernelOops.
   */
  call(fn: string | bigint, args: readonly (bigint | number)[] = [], options: CallOptions = {}): CallResult {
    return runSync(this.kcall(fn, args, options));
  }

  /** {@link call} as kernel code: it yields where the CPU stops at a shared range (see onShared). */
  *kcall(fn: string | bigint, args: readonly (bigint | number)[] = [], options: CallOptions = {}): KGen<CallResult> {
    const cpu = options.cpu ?? 0;
    const core = this.cores[cpu];
    if (!core) throw new FtraceError('EINVAL', `no CPU ${String(cpu)} (the kernel has ${this.cores.length})`);
    if (this.busy[cpu]) throw new FtraceError('EBUSY', `CPU ${cpu} is already running a call`);
    const addr = typeof fn === 'bigint' ? fn : this.sym(fn);
    if (!Array.isArray(args) || args.length > 64) throw new FtraceError('EINVAL', 'args must be an array of at most 64 integers');
    const a = args.map((v, i) => {
      if (typeof v !== 'bigint' && !Number.isSafeInteger(v)) throw new FtraceError('EINVAL', `argument ${i} is not an integer`);
      return BigInt.asUintN(64, BigInt(v));
    });
    const maxInsns = options.maxInsns ?? 10_000_000;
    if (!Number.isSafeInteger(maxInsns) || maxInsns <= 0) throw new FtraceError('EINVAL', 'maxInsns must be a positive integer');
    // the caller's frame: 256 bytes of canary, then the stack arguments
    const top = KERNEL_STACKS + BigInt(cpu) * STACK_STRIDE + BigInt(THREAD_SIZE);
    const frame = top - 0x100n;
    const stackArgs = a.slice(8);
    const sp0 = frame - BigInt(Math.ceil((stackArgs.length * 8) / 16) * 16);
    for (let p = sp0; p < top; p += 8n) this.write64(p, CANARY ^ p);
    stackArgs.forEach((v, i) => this.write64(sp0 + BigInt(i * 8), v));
    const before: bigint[] = [];
    for (let p = sp0; p < top; p += 8n) before.push(this.read64(p));
    for (let n = 0; n < 8; n++) core.setX(n, a[n] ?? 0n);
    core.setX(8, options.x8 ?? 0n);
    for (let n = 9; n <= 18; n++) core.setX(n, 0xdead0000n + BigInt(n));
    for (let n = 19; n <= 28; n++) core.setX(n, CANARY + BigInt(n));
    core.setX(29, frame);
    core.setX(30, this.sym('__k_call_return'));
    core.sp = sp0;
    core.pc = addr;
    const start = core.insnCount;
    this.busy[cpu] = true;
    try {
      for (;;) {
        const stop = core.run(Math.min(1_000_000, maxInsns));
        if (stop.kind === 'hostcall' && stop.nr === HOSTCALL_CALL_RETURN) break;
        if (stop.kind === 'budget') {
          if (core.insnCount - start >= maxInsns) this.oops(cpu, `the call of ${this.kallsyms.ps(addr)} did not return within ${maxInsns} instructions`);
          continue;
        }
        if (stop.kind === 'shared') {
          if (this.onShared) yield* this.onShared(cpu, stop);
          continue;
        }
        this.stopOops(cpu, stop);
      }
    } finally {
      this.busy[cpu] = false;
    }
    const regs = core.registers();
    let calleeSaved = regs.x[29] === frame;
    for (let n = 19; n <= 28; n++) if (regs.x[n] !== CANARY + BigInt(n)) calleeSaved = false;
    let stack = true;
    let i = 0;
    for (let p = sp0; p < top; p += 8n) if (this.read64(p) !== before[i++]) stack = false;
    return { ret: regs.x[0] as bigint, insns: core.insnCount - start - 1, abi: { calleeSaved, sp: regs.sp === sp0, stack }, regs };
  }

  private stopOops(cpu: number, stop: StopReason): never {
    switch (stop.kind) {
      case 'brk':
        return this.oops(
          cpu,
          stop.imm === 0x100
            ? `BRK handler: Unexpected kernel BRK exception at EL1 (AARCH64_BREAK_FAULT) at ${this.kallsyms.pS(stop.pc)}`
            : `BRK #0x${stop.imm.toString(16)} at ${this.kallsyms.pS(stop.pc)}`,
          stop.pc,
        );
      case 'undefined':
        return this.oops(cpu, `undefined instruction 0x${stop.word.toString(16).padStart(8, '0')} at ${this.kallsyms.pS(stop.pc)}`, stop.pc);
      case 'fault':
        return this.oops(cpu, `Unable to handle kernel paging request at virtual address ${hx(stop.fault.addr)} (pc ${this.kallsyms.pS(stop.pc)})`, stop.pc);
      case 'alignment':
        return this.oops(cpu, `${stop.what === 'pc' ? 'PC' : 'SP'} alignment exception at ${this.kallsyms.pS(stop.pc)} (${hx(stop.addr)})`, stop.pc);
      case 'hostcall':
        return this.oops(cpu, `unexpected host call ${stop.nr} at ${this.kallsyms.pS(stop.pc)}`, stop.pc);
      case 'halt':
        return this.oops(cpu, `the CPU halted (${stop.cause}) at ${this.kallsyms.pS(stop.pc)}`, stop.pc);
      default:
        return this.oops(cpu, `unexpected stop ${stop.kind}`);
    }
  }
}

function checkFunctions(functions: readonly KFunc[], kallsyms?: Kallsyms): void {
  if (!Array.isArray(functions)) throw new FtraceError('EINVAL', 'functions must be an array');
  const seen = new Set<string>();
  for (const f of functions) {
    if (!f || typeof f.name !== 'string' || !/^[A-Za-z_][\w.]*$/.test(f.name)) throw new FtraceError('EINVAL', `bad function name '${String(f?.name)}'`);
    if (seen.has(f.name) || kallsyms?.lookupName(f.name)) throw new FtraceError('EEXIST', `function '${f.name}' is defined twice`);
    if (typeof f.body !== 'string') throw new FtraceError('EINVAL', `function '${f.name}' has no body`);
    seen.add(f.name);
  }
}

