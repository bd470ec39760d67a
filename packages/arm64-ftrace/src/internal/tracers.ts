// The tracers on top of ftrace, and the function-graph return hook:
//  - kernel/trace/fgraph.c (v5.5): register_ftrace_graph(), function_graph_enter(),
//    ftrace_push_return_trace(), ftrace_pop_return_trace() with the frame pointer
//    test (HAVE_FUNCTION_GRAPH_FP_TEST), ftrace_return_to_handler();
//  - arch/arm64/kernel/ftrace.c: prepare_ftrace_return() (called by the seed's
//    ftrace_graph_caller) and v6.2's ftrace_graph_func() (the graph ops of the
//    call-ops design);
//  - kernel/trace/trace_functions.c function_trace_call() and
//    trace_functions_graph.c trace_graph_entry()/trace_graph_return(), writing the
//    ring buffer that ./trace-output prints as tracefs `trace`.
import { EBUSY, type KGen } from '@k/core-sync';
import { FTRACE_OPS_FL_INITIALIZED, FTRACE_OPS_FL_PID, FTRACE_OPS_FL_RECURSION_SAFE, FTRACE_OPS_FL_STUB, FTRACE_START_FUNC_RET, FTRACE_STOP_FUNC_RET, type ftrace_ops } from './ftrace-core';
import type { Kernel, task_struct } from './kernel';
import { FTRACE_OPS_PRIVATE } from './layout';

/** FTRACE_RETFUNC_DEPTH: entries of a task's return stack. */
export const FTRACE_RETFUNC_DEPTH = 50;

/** One entry of current->ret_stack (struct ftrace_ret_stack). */
export interface ftrace_ret_stack {
  readonly ret: bigint;
  readonly func: bigint;
  readonly calltime: number;
  readonly fp: bigint;
}

/** A ring-buffer event: TRACE_FN, TRACE_GRAPH_ENT or TRACE_GRAPH_RET. */
export type TraceEntry =
  | { readonly type: 'fn'; readonly cpu: number; readonly ts: number; readonly pid: number; readonly comm: string; readonly ip: bigint; readonly parent_ip: bigint }
  | { readonly type: 'graph_ent'; readonly cpu: number; readonly ts: number; readonly pid: number; readonly comm: string; readonly func: bigint; readonly depth: number }
  | {
      readonly type: 'graph_ret';
      readonly cpu: number;
      readonly ts: number;
      readonly pid: number;
      readonly comm: string;
      readonly func: bigint;
      readonly depth: number;
      readonly calltime: number;
      readonly rettime: number;
      readonly overrun: number;
    };

/** struct trace_array: the model keeps its ring buffer in TypeScript. */
export interface trace_array {
  /** address of the emulated struct (what ops->private points to) */
  readonly addr: bigint;
  function_enabled: boolean;
  readonly entries: TraceEntry[];
}

/** struct ftrace_graph_ent / ftrace_graph_ret. */
export interface ftrace_graph_ent {
  readonly func: bigint;
  readonly depth: number;
}
export interface ftrace_graph_ret {
  readonly func: bigint;
  readonly depth: number;
  readonly calltime: number;
  readonly rettime: number;
  readonly overrun: number;
}

/** struct fgraph_ops: the entry and return callbacks of a graph tracer. */
export interface fgraph_ops {
  readonly entryfunc: (trace: ftrace_graph_ent, cpu: number) => number;
  readonly retfunc: (trace: ftrace_graph_ret, cpu: number) => void;
}

/** The graph tracing state of a kernel (fgraph.c's globals). */
export class Fgraph {
  ftrace_graph_active = 0;
  /** graph_ops: the ftrace_ops of the graph tracer (a stub for ftrace_call in the seed's design) */
  readonly graph_ops: ftrace_ops;
  private __ftrace_graph_entry: fgraph_ops['entryfunc'] = () => 0;
  ftrace_graph_return: fgraph_ops['retfunc'] = () => undefined;
  /** ftrace_graph_entry: the tracer's entry, or ftrace_graph_entry_test when other ops exist */
  private testGlobal = false;

  constructor(private readonly k: Kernel) {
    // graph_ops.func: ftrace_stub (a STUB) in v5.5; ftrace_graph_func where the arch defines it (v6.2+ arm64)
    const callOps = k.config.design === 'call-ops';
    this.graph_ops = k.ftrace.newOps(
      'graph_ops',
      callOps ? k.sym('ftrace_graph_func') : k.sym('ftrace_stub'),
      FTRACE_OPS_FL_RECURSION_SAFE | FTRACE_OPS_FL_INITIALIZED | FTRACE_OPS_FL_PID | (callOps ? 0 : FTRACE_OPS_FL_STUB),
      null,
      null,
    );
  }

  /** update_function_graph_func(): test the global filter when other ops share the trampoline. */
  update_function_graph_func(): void {
    const list = this.k.ftrace.ops_list;
    this.testGlobal = !(list.length === 0 || (list[0] === this.graph_ops && list.length === 1));
  }

  /** ftrace_graph_entry(trace): the tracer's entry, after ftrace_graph_entry_test() when needed. */
  ftrace_graph_entry(trace: ftrace_graph_ent, cpu: number): number {
    if (this.testGlobal && !this.k.ftrace.ftrace_ops_test(this.graph_ops, trace.func)) return 0;
    return this.__ftrace_graph_entry(trace, cpu);
  }

  /** register_ftrace_graph(gops): one graph tracer at a time (-EBUSY). */
  *register_ftrace_graph(gops: fgraph_ops): KGen<number> {
    if (this.ftrace_graph_active) return -EBUSY;
    this.ftrace_graph_active++;
    // start_graph_tracing(): every task gets a return stack
    for (const t of this.k.tasks) if (!t.ret_stack) t.ret_stack = [];
    this.ftrace_graph_return = gops.retfunc;
    this.__ftrace_graph_entry = gops.entryfunc;
    this.update_function_graph_func();
    return yield* this.k.ftrace.ftrace_startup(this.graph_ops, FTRACE_START_FUNC_RET);
  }

  /** unregister_ftrace_graph(gops). */
  *unregister_ftrace_graph(): KGen<number> {
    if (!this.ftrace_graph_active) return 0;
    this.ftrace_graph_active--;
    this.ftrace_graph_return = () => undefined;
    this.__ftrace_graph_entry = () => 0;
    const ret = yield* this.k.ftrace.ftrace_shutdown(this.graph_ops, FTRACE_STOP_FUNC_RET);
    this.update_function_graph_func();
    return ret;
  }

  /** ftrace_push_return_trace(). */
  private ftrace_push_return_trace(t: task_struct, ret: bigint, func: bigint, frame_pointer: bigint, cpu: number): number {
    if (!t.ret_stack) return -EBUSY;
    // The return trace stack is full
    if (t.curr_ret_stack === FTRACE_RETFUNC_DEPTH - 1) {
      t.trace_overrun++;
      return -EBUSY;
    }
    const calltime = this.k.trace_clock_local(cpu);
    const index = ++t.curr_ret_stack;
    t.ret_stack[index] = { ret, func, calltime, fp: frame_pointer };
    return 0;
  }

  /** function_graph_enter(ret, func, frame_pointer, retp): 0 when the return will be hooked. */
  function_graph_enter(ret: bigint, func: bigint, frame_pointer: bigint, cpu: number): number {
    const t = this.k.current(cpu);
    const trace = { func, depth: ++t.curr_ret_depth };
    if (this.ftrace_push_return_trace(t, ret, func, frame_pointer, cpu)) {
      t.curr_ret_depth--;
      return -EBUSY;
    }
    // Only trace if the calling function expects to
    if (!this.ftrace_graph_entry(trace, cpu)) {
      t.curr_ret_stack--;
      t.curr_ret_depth--;
      return -EBUSY;
    }
    return 0;
  }

  /**
   * prepare_ftrace_return(self_addr, parent, frame_pointer) (arch/arm64/kernel/ftrace.c):
   * `parent` points at the saved LR; on success it now holds return_to_handler.
   */
  prepare_ftrace_return(self_addr: bigint, parent: bigint, frame_pointer: bigint, cpu: number): void {
    const t = this.k.current(cpu);
    if (t.tracing_graph_pause) return;
    // No protection against faulting at *parent, which may be seen on other archs.
    const old = this.k.read64(parent);
    if (!this.function_graph_enter(old, self_addr, frame_pointer, cpu)) this.k.write64(parent, this.k.sym('return_to_handler'));
  }

  /** ftrace_return_to_handler(frame_pointer): the original return address (panic's when the stack is bad). */
  ftrace_return_to_handler(frame_pointer: bigint, cpu: number): bigint {
    const t = this.k.current(cpu);
    // ftrace_pop_return_trace()
    const index = t.curr_ret_stack;
    if (!t.ret_stack || index < 0 || index >= FTRACE_RETFUNC_DEPTH) {
      this.ftrace_graph_stop();
      this.k.WARN(true, 'ftrace_return_to_handler: the return stack is empty');
      return this.k.sym('panic');
    }
    const e = t.ret_stack[index] as ftrace_ret_stack;
    if (e.fp !== frame_pointer) {
      this.ftrace_graph_stop();
      this.k.WARN(
        true,
        `Bad frame pointer: expected ${e.fp.toString(16)}, received ${frame_pointer.toString(16)}\n  from func ${this.k.kallsyms.ps(e.func)} return to ${e.ret.toString(16)}`,
      );
      return this.k.sym('panic');
    }
    const trace: ftrace_graph_ret = { func: e.func, calltime: e.calltime, overrun: t.trace_overrun, depth: t.curr_ret_depth--, rettime: this.k.trace_clock_local(cpu) };
    this.ftrace_graph_return(trace, cpu);
    t.curr_ret_stack--;
    return e.ret;
  }

  /** ftrace_graph_stop(): kill_ftrace_graph. */
  ftrace_graph_stop(): void {
    this.__ftrace_graph_entry = () => 0;
  }
}

/** The function tracer's ftrace_ops callback (trace_functions.c function_trace_call). */
export function function_trace_call(k: Kernel, ip: bigint, parent_ip: bigint, op: bigint, cpu: number): void {
  // struct trace_array *tr = op->private;
  const priv = k.read64(op + BigInt(FTRACE_OPS_PRIVATE));
  if (priv === 0n) k.oops(cpu, `Unable to handle kernel NULL pointer dereference in function_trace_call (op ${k.kallsyms.ps(op)} has no trace_array)`);
  const tr = k.traceArrayAt(priv);
  if (!tr) return k.oops(cpu, `function_trace_call: ops->private 0x${priv.toString(16)} is not a trace_array`);
  if (!tr.function_enabled) return;
  const t = k.current(cpu);
  tr.entries.push({ type: 'fn', cpu, ts: k.trace_clock_local(cpu), pid: t.pid, comm: t.comm, ip, parent_ip });
}

/** The function_graph tracer's callbacks (trace_functions_graph.c), writing into `tr`. */
export function graphTracer(k: Kernel, tr: trace_array): fgraph_ops {
  return {
    entryfunc(trace, cpu) {
      const t = k.current(cpu);
      tr.entries.push({ type: 'graph_ent', cpu, ts: k.trace_clock_local(cpu), pid: t.pid, comm: t.comm, func: trace.func, depth: trace.depth });
      return 1;
    },
    retfunc(trace, cpu) {
      const t = k.current(cpu);
      tr.entries.push({ type: 'graph_ret', cpu, ts: trace.rettime, pid: t.pid, comm: t.comm, ...trace });
    },
  };
}
