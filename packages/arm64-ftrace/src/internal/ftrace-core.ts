// The part of kernel/trace/ftrace.c (v5.5; the call-ops bits of v6.3) that
// drives the arch code of seed 004: dyn_ftrace records made by
// ftrace_process_locs() from __mcount_loc and initialised by ftrace_init_nop(),
// ftrace_ops registration (ftrace_startup/ftrace_shutdown, the per-record
// reference counts and FTRACE_FL_REGS of __ftrace_hash_rec_update), the choice
// of what ftrace_call calls (update_ftrace_function), ftrace_modify_all_code()
// with its order (list func first, then the callsites, then the single ops'
// func), __ftrace_replace_code(), ftrace_check_record(), ftrace_bug(),
// ftrace_ops_list_func(), and module records (ftrace_module_init/enable).
// Hashes are sets of record ips; a filter is given by function names.
import { EBUSY, EFAULT, EINVAL, ENODEV, EPERM, type KGen } from '@k/core-sync';
import {
  ftrace_call_adjust, ftrace_disable_ftrace_graph_caller, ftrace_enable_ftrace_graph_caller, ftrace_init_nop, ftrace_make_call,
  ftrace_make_nop, ftrace_modify_call, ftrace_update_ftrace_func,
} from './arch-ftrace';
import type { Kernel } from './kernel';
import { FTRACE_OPS_FUNC, FTRACE_OPS_PRIVATE } from './layout';
import type { module } from './module';
import type { FtraceRegs } from './regs';

// enum of ftrace_ops flags (include/linux/ftrace.h, v5.5)
export const FTRACE_OPS_FL_ENABLED = 1 << 0;
export const FTRACE_OPS_FL_DYNAMIC = 1 << 1;
export const FTRACE_OPS_FL_SAVE_REGS = 1 << 2;
export const FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED = 1 << 3;
export const FTRACE_OPS_FL_RECURSION_SAFE = 1 << 4;
export const FTRACE_OPS_FL_STUB = 1 << 5;
export const FTRACE_OPS_FL_INITIALIZED = 1 << 6;
export const FTRACE_OPS_FL_DELETED = 1 << 7;
export const FTRACE_OPS_FL_ADDING = 1 << 8;
export const FTRACE_OPS_FL_REMOVING = 1 << 9;
export const FTRACE_OPS_FL_IPMODIFY = 1 << 12;
export const FTRACE_OPS_FL_PID = 1 << 13;
export const FTRACE_OPS_FL_RCU = 1 << 14;

// dyn_ftrace flags (v5.5 layout; CALL_OPS bits as v6.3 added them)
export const FTRACE_FL_ENABLED = 0x80000000;
export const FTRACE_FL_REGS = 0x40000000;
export const FTRACE_FL_REGS_EN = 0x20000000;
export const FTRACE_FL_TRAMP = 0x10000000;
export const FTRACE_FL_TRAMP_EN = 0x08000000;
export const FTRACE_FL_IPMODIFY = 0x04000000;
export const FTRACE_FL_DISABLED = 0x02000000;
export const FTRACE_FL_CALL_OPS = 0x00400000;
export const FTRACE_FL_CALL_OPS_EN = 0x00200000;
/** the reference count: the low bits of rec->flags */
const FTRACE_REF_MASK = 0x001fffff;

// commands of ftrace_modify_all_code()
export const FTRACE_UPDATE_CALLS = 1 << 0;
export const FTRACE_DISABLE_CALLS = 1 << 1;
export const FTRACE_UPDATE_TRACE_FUNC = 1 << 2;
export const FTRACE_START_FUNC_RET = 1 << 3;
export const FTRACE_STOP_FUNC_RET = 1 << 4;
export const FTRACE_MAY_SLEEP = 1 << 5;

// what ftrace_check_record() asks for
export const FTRACE_UPDATE_IGNORE = 0;
export const FTRACE_UPDATE_MAKE_CALL = 1;
export const FTRACE_UPDATE_MODIFY_CALL = 2;
export const FTRACE_UPDATE_MAKE_NOP = 3;

/** struct dyn_ftrace: one patchable callsite (ip is the BL slot, after ftrace_call_adjust). */
export interface dyn_ftrace {
  readonly ip: bigint;
  flags: number;
  /** the module, or null for the core kernel */
  readonly mod: module | null;
  /** call-ops: the ops pointer last written to the literal */
  literal: bigint;
}

/** An ftrace_ops callback: ip is the callsite (the BL), parent_ip its caller's return address. */
export type FtraceFunc = (ip: bigint, parent_ip: bigint, op: ftrace_ops, regs: FtraceRegs, ctx: CallContext) => void;

/** Where a callback runs. */
export interface CallContext {
  readonly kernel: Kernel;
  readonly cpu: number;
}

/** struct ftrace_ops: an emulated struct (func at offset 0) and the model's view of it. */
export interface ftrace_ops {
  readonly name: string;
  /** address of the emulated struct ftrace_ops */
  readonly addr: bigint;
  /** ops->func: address of the C function (a host-call stub) */
  func: bigint;
  flags: number;
  /** the filter hash as record ips; null traces every function */
  filter: Set<bigint> | null;
  /** the callback the C function runs, for ops made by ftrace_ops() */
  readonly callback: FtraceFunc | null;
}

const f = (x: number) => x >>> 0;

/** ftrace_rec_count(rec). */
export function ftrace_rec_count(rec: dyn_ftrace): number {
  return rec.flags & FTRACE_REF_MASK;
}

/** The model of kernel/trace/ftrace.c for one kernel. */
export class FtraceCore {
  /** the records, sorted by ip (ftrace_pages) */
  readonly records: dyn_ftrace[] = [];
  /** ftrace_ops_list, newest first (add_ftrace_ops inserts at the head) */
  ops_list: ftrace_ops[] = [];
  /** ftrace_trace_function: what ftrace_call calls */
  ftrace_trace_function: bigint;
  private saved_ftrace_func: bigint;
  /** set_function_trace_op: the ops function_trace_op gets after the update */
  private set_function_trace_op: bigint;
  ftrace_start_up = 0;
  ftrace_enabled = true;
  /** set by ftrace_bug()/ftrace_kill(): nothing is patched any more */
  ftrace_disabled = false;
  /** what the last failed validation expected (for ftrace_bug's report) */
  ftrace_expected: number | null = null;
  /** the failures ftrace_bug() reported */
  readonly bugs: { readonly errno: number; readonly ip: bigint; readonly message: string }[] = [];
  /** static ops of the core: the list terminator, the call-ops list and nop ops */
  readonly ftrace_list_end: ftrace_ops;
  readonly ftrace_list_ops: ftrace_ops;
  readonly ftrace_nop_ops: ftrace_ops;
  private readonly byAddr = new Map<bigint, ftrace_ops>();
  /** counters for the comparison of the designs */
  readonly stats = { opsTests: 0, callbacks: 0, listFuncCalls: 0 };

  constructor(readonly k: Kernel) {
    this.ftrace_list_end = this.staticOps('ftrace_list_end', k.sym('ftrace_stub'), FTRACE_OPS_FL_RECURSION_SAFE | FTRACE_OPS_FL_STUB);
    this.ftrace_list_ops =
      k.config.design === 'call-ops'
        ? this.staticOps('ftrace_list_ops', k.sym('ftrace_ops_list_func'), FTRACE_OPS_FL_STUB)
        : this.ftrace_list_end;
    this.ftrace_nop_ops =
      k.config.design === 'call-ops' ? this.staticOps('ftrace_nop_ops', k.sym('ftrace_ops_nop_func'), FTRACE_OPS_FL_STUB) : this.ftrace_list_end;
    this.ftrace_trace_function = k.sym('ftrace_stub');
    this.saved_ftrace_func = this.ftrace_trace_function;
    this.set_function_trace_op = this.ftrace_list_end.addr;
  }

  private staticOps(name: string, func: bigint, flags: number): ftrace_ops {
    return this.newOps(name, func, flags, null, null);
  }

  /** Allocates an emulated struct ftrace_ops. */
  newOps(name: string, func: bigint, flags: number, filter: Set<bigint> | null, callback: FtraceFunc | null, priv = 0n): ftrace_ops {
    const addr = this.k.kzalloc(64);
    this.k.write64(addr + BigInt(FTRACE_OPS_FUNC), func);
    this.k.write64(addr + BigInt(FTRACE_OPS_PRIVATE), priv);
    const ops: ftrace_ops = { name, addr, func, flags, filter, callback };
    this.byAddr.set(addr, ops);
    this.k.kallsyms.add([{ name, addr, size: 64, traceable: false, cfunc: false, module: null }]);
    return ops;
  }

  /** The ops whose emulated struct is at `addr`. */
  opsAt(addr: bigint): ftrace_ops | undefined {
    return this.byAddr.get(addr);
  }

  /** Sets ops->func (the emulated struct and the view). */
  setOpsFunc(ops: ftrace_ops, func: bigint): void {
    ops.func = func;
    this.k.write64(ops.addr + BigInt(FTRACE_OPS_FUNC), func);
  }

  // ---- records ---------------------------------------------------------------------

  /** The record of the function containing `addr` (its callsite), or undefined. */
  recordOf(addr: bigint): dyn_ftrace | undefined {
    const s = this.k.kallsyms.lookup(addr);
    if (!s || !s.traceable) return undefined;
    const ip = ftrace_call_adjust(this.k, this.k.mcountOf(s.addr));
    return this.lookup_rec(ip);
  }

  /** lookup_rec(ip): binary search of the records. */
  lookup_rec(ip: bigint): dyn_ftrace | undefined {
    let lo = 0;
    let hi = this.records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.records[mid] as dyn_ftrace;
      if (r.ip === ip) return r;
      if (r.ip < ip) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /**
   * ftrace_process_locs(mod, start, end): one record per __mcount_loc entry, at
   * ftrace_call_adjust(addr), then ftrace_update_code(): ftrace_init_nop() on each.
   * Module records start FTRACE_FL_DISABLED until ftrace_module_enable().
   */
  *ftrace_process_locs(mod: module | null, locs: readonly bigint[]): KGen<number> {
    const recs: dyn_ftrace[] = [];
    for (const loc of [...locs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      recs.push({ ip: ftrace_call_adjust(this.k, loc), flags: mod ? FTRACE_FL_DISABLED : 0, mod, literal: 0n });
    }
    this.records.push(...recs);
    this.records.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
    if (mod) mod.recs = recs;
    // ftrace_update_code()
    for (const rec of recs) {
      if (this.ftrace_disabled) return -1;
      const ret = yield* ftrace_init_nop(this.k, mod, rec);
      if (ret) {
        // ftrace_nop_initialize(): FTRACE_BUG_INIT
        this.ftrace_bug(ret, rec);
        return ret;
      }
    }
    return 0;
  }

  /** ftrace_module_init(mod): the module's records, its callsites initialised (MODULE_STATE_UNFORMED). */
  ftrace_module_init(mod: module): KGen<number> {
    return this.ftrace_process_locs(mod, mod.mcount_loc);
  }

  /** ftrace_module_enable(mod): counts the ops tracing each record and enables it (MODULE_STATE_COMING). */
  *ftrace_module_enable(mod: module): KGen<number> {
    for (const rec of mod.recs) {
      let cnt = 0;
      let flags = 0;
      if (this.ftrace_start_up) {
        // referenced_filters()
        for (const ops of this.ops_list) {
          if (ops.flags & FTRACE_OPS_FL_ENABLED && this.ftrace_ops_test(ops, rec.ip, false)) {
            cnt++;
            if (ops.flags & FTRACE_OPS_FL_SAVE_REGS) flags |= FTRACE_FL_REGS;
            if (this.k.config.design === 'call-ops' && cnt === 1) flags |= FTRACE_FL_CALL_OPS;
          }
        }
        if (cnt !== 1) flags &= ~FTRACE_FL_CALL_OPS;
      }
      // This clears FTRACE_FL_DISABLED
      rec.flags = f(cnt | flags);
      if (this.ftrace_start_up && cnt) {
        const failed = yield* this.__ftrace_replace_code(rec, true);
        if (failed) {
          this.ftrace_bug(failed, rec);
          return failed;
        }
      }
    }
    return 0;
  }

  /** ftrace_release_mod(mod): forgets the module's records. */
  ftrace_release_mod(mod: module): void {
    const gone = new Set(mod.recs);
    for (let i = this.records.length - 1; i >= 0; i--) if (gone.has(this.records[i] as dyn_ftrace)) this.records.splice(i, 1);
    mod.recs = [];
  }

  // ---- hashes and ops tests ------------------------------------------------------------

  /** ftrace_ops_test(ops, ip, regs): does ops trace ip? */
  ftrace_ops_test(ops: ftrace_ops, ip: bigint, count = true): boolean {
    if (count) this.stats.opsTests++;
    return ops.filter === null || ops.filter.has(ip);
  }

  /** ftrace_find_unique_ops(rec) (v6.3): the one enabled ops tracing rec, or null. */
  ftrace_find_unique_ops(rec: dyn_ftrace): ftrace_ops | null {
    if (!(rec.flags & FTRACE_FL_CALL_OPS_EN)) return null;
    let found: ftrace_ops | null = null;
    for (const ops of this.ops_list) {
      if (!(ops.flags & FTRACE_OPS_FL_ENABLED) || ops.flags & FTRACE_OPS_FL_STUB) continue;
      if (this.ftrace_ops_test(ops, rec.ip, false)) {
        if (found) return null;
        found = ops;
      }
    }
    return found;
  }

  /** Resolves function names to record ips (ftrace_set_filter); -EINVAL text when a name matches no record. */
  filterOf(names: readonly string[] | undefined): Set<bigint> | null {
    if (names === undefined) return null;
    const ips = new Set<bigint>();
    for (const name of names) {
      const s = this.k.kallsyms.lookupName(name);
      const rec = s ? this.recordOf(s.addr) : undefined;
      if (!rec) throw new Error(`no traceable function '${name}' (see available_filter_functions)`);
      ips.add(rec.ip);
    }
    return ips;
  }

  // __ftrace_hash_rec_update(ops, filter_hash, inc): the per-record counts
  private __ftrace_hash_rec_update(ops: ftrace_ops, inc: boolean): boolean {
    let update = false;
    for (const rec of this.records) {
      if (rec.flags & FTRACE_FL_DISABLED) continue;
      if (!this.ftrace_ops_test(ops, rec.ip, false)) continue;
      if (inc) {
        rec.flags = f(rec.flags + 1);
        // If any ops wants regs saved for this function then all edits need to save regs.
        if (ops.flags & FTRACE_OPS_FL_SAVE_REGS) rec.flags = f(rec.flags | FTRACE_FL_REGS);
      } else {
        if (this.k.WARN_ON(ftrace_rec_count(rec) === 0, '__ftrace_hash_rec_update: count underflow')) return false;
        rec.flags = f(rec.flags - 1);
        if (ftrace_rec_count(rec) > 0 && rec.flags & FTRACE_FL_REGS && ops.flags & FTRACE_OPS_FL_SAVE_REGS) {
          if (!this.test_rec_ops_needs_regs(rec, ops)) rec.flags = f(rec.flags & ~FTRACE_FL_REGS);
        }
      }
      // (v6.3) a record with a single ops may call it through the literal
      if (this.k.config.design === 'call-ops' && ftrace_rec_count(rec) === 1) rec.flags = f(rec.flags | FTRACE_FL_CALL_OPS);
      else rec.flags = f(rec.flags & ~FTRACE_FL_CALL_OPS);
      update = true;
    }
    return update;
  }

  private test_rec_ops_needs_regs(rec: dyn_ftrace, removing: ftrace_ops): boolean {
    return this.ops_list.some(
      (o) => o !== removing && o.flags & FTRACE_OPS_FL_ENABLED && o.flags & FTRACE_OPS_FL_SAVE_REGS && this.ftrace_ops_test(o, rec.ip, false),
    );
  }

  // ftrace_hash_ipmodify_enable(): only one IPMODIFY ops per function
  private ftrace_hash_ipmodify_update(ops: ftrace_ops, enable: boolean): number {
    if (!(ops.flags & FTRACE_OPS_FL_IPMODIFY)) return 0;
    const recs = this.records.filter((r) => !(r.flags & FTRACE_FL_DISABLED) && this.ftrace_ops_test(ops, r.ip, false));
    if (enable && recs.some((r) => r.flags & FTRACE_FL_IPMODIFY)) return -EBUSY;
    for (const r of recs) r.flags = f(enable ? r.flags | FTRACE_FL_IPMODIFY : r.flags & ~FTRACE_FL_IPMODIFY);
    return 0;
  }

  // ---- what ftrace_call calls ------------------------------------------------------------

  /** ftrace_ops_get_list_func(ops): dynamic or RCU ops go through the list function. */
  private ftrace_ops_get_list_func(ops: ftrace_ops): bigint {
    if (ops.flags & (FTRACE_OPS_FL_DYNAMIC | FTRACE_OPS_FL_RCU)) return this.k.sym('ftrace_ops_list_func');
    // ftrace_ops_get_func(): an ops that does not handle recursion needs ftrace_ops_assist_func,
    // which the model replaces with the list function
    if (!(ops.flags & FTRACE_OPS_FL_RECURSION_SAFE)) return this.k.sym('ftrace_ops_list_func');
    return ops.func;
  }

  /** update_ftrace_function(): picks ftrace_trace_function and set_function_trace_op. */
  private update_ftrace_function(): void {
    let func: bigint;
    this.set_function_trace_op = this.ops_list[0]?.addr ?? this.ftrace_list_end.addr;
    if (this.ops_list.length === 0) func = this.k.sym('ftrace_stub');
    else if (this.ops_list.length === 1) func = this.ftrace_ops_get_list_func(this.ops_list[0] as ftrace_ops);
    else {
      this.set_function_trace_op = this.ftrace_list_end.addr;
      func = this.k.sym('ftrace_ops_list_func');
    }
    this.k.update_function_graph_func();
    if (this.ftrace_trace_function === func) return;
    this.ftrace_trace_function = func;
  }

  // ---- registration ----------------------------------------------------------------------

  private __register_ftrace_function(ops: ftrace_ops): number {
    if (ops.flags & FTRACE_OPS_FL_DELETED) return -EINVAL;
    if (this.k.WARN_ON(ops.flags & FTRACE_OPS_FL_ENABLED, '__register_ftrace_function: ops already enabled')) return -EBUSY;
    if (!this.k.config.CONFIG_DYNAMIC_FTRACE_WITH_REGS) {
      // SAVE_REGS needs the arch's support, unless SAVE_REGS_IF_SUPPORTED
      if (ops.flags & FTRACE_OPS_FL_SAVE_REGS && !(ops.flags & FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED)) return -EINVAL;
    } else if (ops.flags & FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED) ops.flags |= FTRACE_OPS_FL_SAVE_REGS;
    this.ops_list = [ops, ...this.ops_list];
    if (this.ftrace_enabled) this.update_ftrace_function();
    return 0;
  }

  private __unregister_ftrace_function(ops: ftrace_ops): number {
    const i = this.ops_list.indexOf(ops);
    if (i < 0) return -1;
    this.ops_list = this.ops_list.filter((o) => o !== ops);
    if (this.ftrace_enabled) this.update_ftrace_function();
    return 0;
  }

  /** ftrace_startup(ops, command) (register_ftrace_function()). */
  *ftrace_startup(ops: ftrace_ops, command: number): KGen<number> {
    if (this.ftrace_disabled) return -ENODEV;
    let ret = this.__register_ftrace_function(ops);
    if (ret) return ret;
    this.ftrace_start_up++;
    ops.flags |= FTRACE_OPS_FL_ENABLED | FTRACE_OPS_FL_ADDING;
    ret = this.ftrace_hash_ipmodify_update(ops, true);
    if (ret < 0) {
      // Rollback registration process
      this.__unregister_ftrace_function(ops);
      this.ftrace_start_up--;
      ops.flags &= ~FTRACE_OPS_FL_ENABLED;
      return ret;
    }
    if (this.__ftrace_hash_rec_update(ops, true)) command |= FTRACE_UPDATE_CALLS;
    // ftrace_startup_enable()
    if (this.saved_ftrace_func !== this.ftrace_trace_function) {
      this.saved_ftrace_func = this.ftrace_trace_function;
      command |= FTRACE_UPDATE_TRACE_FUNC;
    }
    if (command && this.ftrace_enabled) yield* this.ftrace_run_update_code(command);
    ops.flags &= ~FTRACE_OPS_FL_ADDING;
    // a failure to patch was reported by ftrace_bug(), not returned
    return 0;
  }

  /** ftrace_shutdown(ops, command) (unregister_ftrace_function()). */
  *ftrace_shutdown(ops: ftrace_ops, command: number): KGen<number> {
    if (this.ftrace_disabled) return -ENODEV;
    const ret = this.__unregister_ftrace_function(ops);
    if (ret) return -EINVAL;
    this.ftrace_start_up--;
    this.k.WARN_ON(this.ftrace_start_up < 0, 'ftrace_shutdown: ftrace_start_up < 0');
    this.ftrace_hash_ipmodify_update(ops, false);
    if (this.__ftrace_hash_rec_update(ops, false)) command |= FTRACE_UPDATE_CALLS;
    ops.flags &= ~FTRACE_OPS_FL_ENABLED;
    if (this.saved_ftrace_func !== this.ftrace_trace_function) {
      this.saved_ftrace_func = this.ftrace_trace_function;
      command |= FTRACE_UPDATE_TRACE_FUNC;
    }
    if (command && this.ftrace_enabled) {
      ops.flags |= FTRACE_OPS_FL_REMOVING;
      yield* this.ftrace_run_update_code(command);
      ops.flags &= ~FTRACE_OPS_FL_REMOVING;
    }
    // Dynamic ops may be freed: the kernel waits for every CPU to leave the
    // trampolines here (schedule_on_each_cpu(ftrace_sync)); the model frees nothing.
    return 0;
  }

  /** register_ftrace_function(ops). */
  register_ftrace_function(ops: ftrace_ops): KGen<number> {
    return this.ftrace_startup(ops, 0);
  }

  /** unregister_ftrace_function(ops). */
  unregister_ftrace_function(ops: ftrace_ops): KGen<number> {
    return this.ftrace_shutdown(ops, 0);
  }

  // ---- patching ------------------------------------------------------------------------------

  /** ftrace_run_update_code(command): arch_ftrace_update_code(), which on arm64 patches live (FTRACE_MAY_SLEEP). */
  *ftrace_run_update_code(command: number): KGen<void> {
    yield* this.ftrace_modify_all_code(command | FTRACE_MAY_SLEEP);
  }

  /** ftrace_modify_all_code(command). */
  *ftrace_modify_all_code(command: number): KGen<void> {
    const update = command & FTRACE_UPDATE_TRACE_FUNC;
    // Update to the list func first, so that every ops is called only for what its hash selects.
    if (update) {
      const err = yield* ftrace_update_ftrace_func(this.k, this.k.sym('ftrace_ops_list_func'));
      if (this.FTRACE_WARN_ON(err, 'ftrace_modify_all_code: ftrace_update_ftrace_func(ftrace_ops_list_func)')) return;
    }
    if (command & FTRACE_UPDATE_CALLS) yield* this.ftrace_replace_code(true);
    else if (command & FTRACE_DISABLE_CALLS) yield* this.ftrace_replace_code(false);
    if (update && this.ftrace_trace_function !== this.k.sym('ftrace_ops_list_func')) {
      const op = this.k.sym('function_trace_op');
      yield this.k.dataWriteOp(op);
      this.k.write64(op, this.set_function_trace_op);
      // smp_wmb(); smp_call_function(ftrace_sync_ipi): an interrupt on every CPU does not
      // move a CPU that already loaded the old op out of ftrace_common. The model's fix
      // (syncTraceOp) waits for every CPU to leave the trampolines, as synchronize_rcu_tasks().
      if (this.k.syncTraceOp) yield* this.k.synchronize_rcu_tasks();
      const err = yield* ftrace_update_ftrace_func(this.k, this.ftrace_trace_function);
      if (this.FTRACE_WARN_ON(err, 'ftrace_modify_all_code: ftrace_update_ftrace_func()')) return;
    }
    let err = 0;
    if (command & FTRACE_START_FUNC_RET) err = yield* ftrace_enable_ftrace_graph_caller(this.k);
    else if (command & FTRACE_STOP_FUNC_RET) err = yield* ftrace_disable_ftrace_graph_caller(this.k);
    this.FTRACE_WARN_ON(err, 'ftrace_modify_all_code: graph caller');
  }

  /** ftrace_replace_code(mod_flags): every record to its new state; the first failure is ftrace_bug(). */
  *ftrace_replace_code(enable: boolean): KGen<void> {
    if (this.ftrace_disabled) return;
    for (const rec of this.records) {
      if (rec.flags & FTRACE_FL_DISABLED) continue;
      const failed = yield* this.__ftrace_replace_code(rec, enable);
      if (failed) {
        this.ftrace_bug(failed, rec);
        // Stop processing
        return;
      }
    }
  }

  /** ftrace_get_addr_new(rec): the trampoline the record should call. */
  ftrace_get_addr_new(rec: dyn_ftrace): bigint {
    return rec.flags & FTRACE_FL_REGS ? this.k.FTRACE_REGS_ADDR : this.k.FTRACE_ADDR;
  }
  /** ftrace_get_addr_curr(rec): the trampoline the record calls now. */
  ftrace_get_addr_curr(rec: dyn_ftrace): bigint {
    return rec.flags & FTRACE_FL_REGS_EN ? this.k.FTRACE_REGS_ADDR : this.k.FTRACE_ADDR;
  }

  /** __ftrace_replace_code(rec, enable). */
  *__ftrace_replace_code(rec: dyn_ftrace, enable: boolean): KGen<number> {
    const ftrace_addr = this.ftrace_get_addr_new(rec);
    // This needs to be done before we call ftrace_update_record
    const ftrace_old_addr = this.ftrace_get_addr_curr(rec);
    const ret = this.ftrace_check_record(rec, enable, true);
    switch (ret) {
      case FTRACE_UPDATE_IGNORE:
        return 0;
      case FTRACE_UPDATE_MAKE_CALL:
        return yield* ftrace_make_call(this.k, rec, ftrace_addr);
      case FTRACE_UPDATE_MAKE_NOP:
        return yield* ftrace_make_nop(this.k, null, rec, ftrace_old_addr);
      case FTRACE_UPDATE_MODIFY_CALL:
        return yield* ftrace_modify_call(this.k, rec, ftrace_old_addr, ftrace_addr);
    }
    return -1; // unknown ftrace bug
  }

  /** ftrace_check_record(rec, enable, update): what the record needs, updating its _EN flags. */
  ftrace_check_record(rec: dyn_ftrace, enable: boolean, update: boolean): number {
    let flag = 0;
    if (rec.flags & FTRACE_FL_DISABLED) return FTRACE_UPDATE_IGNORE;
    // If the record has a ref count it must be enabled, otherwise disabled.
    if (enable && ftrace_rec_count(rec)) flag = FTRACE_FL_ENABLED;
    // A REGS that does not match REGS_EN is a change too.
    if (flag) {
      if (!(rec.flags & FTRACE_FL_REGS) !== !(rec.flags & FTRACE_FL_REGS_EN)) flag |= FTRACE_FL_REGS;
      if (this.k.config.design === 'call-ops') {
        // Ops calls are special, as count matters (v6.3).
        if (ftrace_rec_count(rec) === 1) {
          if (!(rec.flags & FTRACE_FL_CALL_OPS) !== !(rec.flags & FTRACE_FL_CALL_OPS_EN)) flag |= FTRACE_FL_CALL_OPS;
        } else if (rec.flags & FTRACE_FL_CALL_OPS_EN) flag |= FTRACE_FL_CALL_OPS;
      }
    }
    // If the state of this record hasn't changed, then do nothing
    if (f(rec.flags & FTRACE_FL_ENABLED) === f(flag)) return FTRACE_UPDATE_IGNORE;
    if (flag) {
      // Save off if rec is being enabled (for return value)
      flag = f(flag ^ (rec.flags & FTRACE_FL_ENABLED));
      if (update) {
        rec.flags = f(rec.flags | FTRACE_FL_ENABLED);
        if (flag & FTRACE_FL_REGS) {
          rec.flags = f(rec.flags & FTRACE_FL_REGS ? rec.flags | FTRACE_FL_REGS_EN : rec.flags & ~FTRACE_FL_REGS_EN);
        }
        if (flag & FTRACE_FL_CALL_OPS) {
          if (ftrace_rec_count(rec) === 1 && rec.flags & FTRACE_FL_CALL_OPS) rec.flags = f(rec.flags | FTRACE_FL_CALL_OPS_EN);
          else rec.flags = f(rec.flags & ~FTRACE_FL_CALL_OPS_EN);
        }
      }
      // From a nop: MAKE_CALL; else MODIFY_CALL (regs <-> no regs, or another ops).
      if (flag & FTRACE_FL_ENABLED) return FTRACE_UPDATE_MAKE_CALL;
      return FTRACE_UPDATE_MODIFY_CALL;
    }
    if (update) {
      // If there's no more users, clear all flags
      if (!ftrace_rec_count(rec)) rec.flags = 0;
      // Just disable the record, but keep the ops TRAMP and REGS states.
      else rec.flags = f(rec.flags & ~(FTRACE_FL_ENABLED | FTRACE_FL_TRAMP_EN | FTRACE_FL_REGS_EN | FTRACE_FL_CALL_OPS_EN));
    }
    return FTRACE_UPDATE_MAKE_NOP;
  }

  /** ftrace_bug(failed, rec): reports the failure and kills ftrace (ftrace_kill()). */
  ftrace_bug(failed: number, rec: dyn_ftrace): void {
    const ps = this.k.kallsyms.pS(rec.ip);
    let message: string;
    switch (failed) {
      case -EFAULT:
        message = `ftrace faulted on modifying [<${hex(rec.ip)}>] ${ps}`;
        break;
      case -EINVAL: {
        const actual = this.k.space.read32(rec.ip, { privileged: true });
        message = `ftrace failed to modify [<${hex(rec.ip)}>] ${ps} actual: ${actual.ok ? insnBytes(actual.value) : '??'}`;
        if (this.ftrace_expected !== null) message += ` expected: ${insnBytes(this.ftrace_expected)}`;
        break;
      }
      case -EPERM:
        message = `ftrace faulted on writing [<${hex(rec.ip)}>] ${ps}`;
        break;
      default:
        message = `ftrace faulted on unknown error [<${hex(rec.ip)}>] ${ps}`;
    }
    this.bugs.push({ errno: failed, ip: rec.ip, message });
    this.k.printk(message);
    this.ftrace_expected = null;
    this.ftrace_kill();
  }

  /** ftrace_kill(): FTRACE_WARN_ON's consequence: no more patching, nothing is traced any more. */
  ftrace_kill(): void {
    this.ftrace_disabled = true;
    this.ftrace_enabled = false;
  }

  private FTRACE_WARN_ON(cond: unknown, what: string): boolean {
    if (cond) {
      this.k.printk(`WARNING: ${what}`);
      this.ftrace_kill();
    }
    return Boolean(cond);
  }

  /** ftrace_ops_list_func(ip, parent_ip, op, regs): calls every ops whose hash has ip. */
  ftrace_ops_list_func(ip: bigint, parent_ip: bigint, regs: bigint, cpu: number): void {
    this.stats.listFuncCalls++;
    for (const op of this.ops_list) {
      // Stub functions don't need to be called nor tested
      if (op.flags & FTRACE_OPS_FL_STUB) continue;
      if (this.ftrace_ops_test(op, ip)) this.k.callC(cpu, op.func, [ip, parent_ip, op.addr, regs]);
    }
  }
}

function hex(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}
function insnBytes(w: number): string {
  return [0, 8, 16, 24].map((s) => ((w >>> s) & 0xff).toString(16).padStart(2, '0')).join(':');
}

