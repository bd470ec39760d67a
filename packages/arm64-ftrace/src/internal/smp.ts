// Emulated CPUs as core-sync tasks: each A64Core runs on the fast path and stops
// (hw-emu's `share`) only before fetching a patch site (the callsites' two
// slots, ftrace_call, ftrace_graph_call) or reading what the patcher writes as
// data (function_trace_op, the call-ops literals). Each stop is a scheduling
// point, so the explorer interleaves the patcher's text writes with the
// instructions the other CPUs execute. At each fetch of a patch site the word
// about to run must be one the design allows there (no torn or stray
// instruction); each text write is checked against the cross-modification rule
// (hw-emu's TextPatchGuard) while other CPUs run. Both become core-sync
// violations; so do an oops of the emulated kernel and a WARN.
import { A_READ, BLOCK_NONE, Op, Violation, type KGen } from '@k/core-sync';
import { a64 } from '@k/hw-emu';
import { KernelOops } from './errors';
import { aarch64_insn_gen_branch_imm, aarch64_insn_gen_move_reg, aarch64_insn_gen_nop, AARCH64_INSN_BRANCH_LINK, AARCH64_INSN_BRANCH_NOLINK, AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR, AARCH64_INSN_VARIANT_64BIT } from './insn';
import type { CallOptions, CallResult, Kernel } from './kernel';
import { FTRACE_PLT_IDX, FTRACE_REGS_PLT_IDX, PLT_ENTRY_SIZE } from './module';

/** The kinds of patch site the checker knows. */
type SiteKind = 'mov' | 'bl' | 'ftrace_call' | 'ftrace_graph_call';

/** Per-kernel state of the checker. */
interface Checker {
  readonly sites: Map<bigint, SiteKind>;
  readonly fetchOps: Map<bigint, Op>;
  /** words fetched at each site, for properties */
  readonly executed: Map<bigint, Set<number>>;
}

const checkers = new WeakMap<Kernel, Checker>();

function checkerOf(k: Kernel): Checker {
  let c = checkers.get(k);
  if (!c) {
    c = { sites: new Map(), fetchOps: new Map(), executed: new Map() };
    checkers.set(k, c);
  }
  return c;
}

/** The words a patch site may hold while other CPUs run it. */
function allowed(k: Kernel, addr: bigint, kind: SiteKind, w: number): boolean {
  switch (kind) {
    case 'mov':
      return w === aarch64_insn_gen_nop() || w === aarch64_insn_gen_move_reg(AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR, AARCH64_INSN_VARIANT_64BIT);
    case 'bl': {
      if (w === aarch64_insn_gen_nop()) return true;
      const targets = [k.FTRACE_ADDR, k.FTRACE_REGS_ADDR];
      const mod = k.__module_text_address(addr);
      if (mod && mod.arch.ftrace_trampolines) {
        targets.push(mod.arch.ftrace_trampolines + BigInt(FTRACE_PLT_IDX * PLT_ENTRY_SIZE));
        if (k.config.design === 'regs') targets.push(mod.arch.ftrace_trampolines + BigInt(FTRACE_REGS_PLT_IDX * PLT_ENTRY_SIZE));
      }
      return targets.some((t) => aarch64_insn_gen_branch_imm(addr, t, AARCH64_INSN_BRANCH_LINK) === w);
    }
    case 'ftrace_call': {
      const d = a64.decode(w);
      if (!d || d.kind !== 'branch' || !d.link) return false;
      const s = k.kallsyms.lookup(addr + BigInt(d.offset));
      return !!s && (s.cfunc || s.name === 'ftrace_stub') && s.addr === addr + BigInt(d.offset);
    }
    case 'ftrace_graph_call':
      return w === aarch64_insn_gen_nop() || w === aarch64_insn_gen_branch_imm(addr, k.sym('ftrace_graph_caller'), AARCH64_INSN_BRANCH_NOLINK);
  }
}

/** What to declare shared on the CPUs that run traced code. */
export interface ShareOptions {
  /** functions whose callsites are patched while the CPUs run them */
  readonly functions: readonly string[];
  /** CPUs that run them (default: all) */
  readonly cpus?: readonly number[];
}

/**
 * Turns a kernel into one the explorer can check with other CPUs running:
 * declares the patch sites shared on the running CPUs, yields at each stop,
 * checks the fetched word, and turns cross-modification violations, WARNs and
 * oopses into core-sync violations. Call it in a scenario's setup, after boot.
 */
export function smpChecker(k: Kernel, options: ShareOptions): void {
  const c = checkerOf(k);
  k.siteOps = true;
  const cpus = options.cpus ?? k.cores.map((_, i) => i);
  const add = (addr: bigint, kind: SiteKind) => c.sites.set(addr, kind);
  for (const name of options.functions) {
    const bl = k.callsite(name);
    add(bl - 4n, 'mov');
    add(bl, 'bl');
  }
  if (k.config.design === 'regs') {
    add(k.sym('ftrace_call'), 'ftrace_call');
    add(k.sym('ftrace_graph_call'), 'ftrace_graph_call');
  }
  for (const cpu of cpus) {
    const core = k.cores[cpu];
    if (!core) throw new RangeError(`smpChecker: no CPU ${cpu}`);
    for (const addr of c.sites.keys()) core.share(addr, 4, { execute: true });
    if (k.config.design === 'regs') core.share(k.sym('function_trace_op'), 8, { read: true });
    else for (const name of options.functions) core.share((k.callsite(name) - 12n) & ~7n, 8, { read: true });
  }
  k.enableCrossModificationCheck();
  k.onCrossModification = (v) => {
    throw new Violation('invariant', `cross-modification: ${v.message}`);
  };
  k.onWarn = (m) => {
    throw new Violation('warning', `WARNING: ${m}`);
  };
  k.onShared = function* (cpu, stop) {
    let op = c.fetchOps.get(stop.addr);
    if (!op) {
      op = new Op(`${stop.access === 'execute' ? 'fetch' : 'load'} ${k.kallsyms.pS(stop.addr)}`, k.siteObject(stop.addr), BLOCK_NONE, A_READ);
      c.fetchOps.set(stop.addr, op);
    }
    yield op;
    if (stop.access !== 'execute') return;
    const kind = c.sites.get(stop.addr);
    if (!kind) return;
    const w = k.read32(stop.addr);
    let seen = c.executed.get(stop.addr);
    if (!seen) c.executed.set(stop.addr, (seen = new Set()));
    seen.add(w);
    if (!allowed(k, stop.addr, kind, w)) {
      throw new Violation('assertion', `cpu${cpu} is about to execute '${a64.disassemble(w, stop.addr)}' (0x${w.toString(16).padStart(8, '0')}) at ${k.kallsyms.pS(stop.addr)}: not an instruction this site may hold`);
    }
  };
}

/** The words each patch site was fetched with (for properties). */
export function executedWords(k: Kernel): ReadonlyMap<bigint, ReadonlySet<number>> {
  return checkerOf(k).executed;
}

/**
 * A CPU running a kernel function as a core-sync task body: the call's result, or
 * a violation when the emulated kernel oopses.
 */
export function* cpuCall(k: Kernel, fn: string, args: readonly (bigint | number)[] = [], options: CallOptions = {}): KGen<CallResult> {
  try {
    return yield* k.kcall(fn, args, options);
  } catch (e) {
    if (e instanceof KernelOops) throw new Violation('assertion', `kernel ${e.kind} on cpu${e.cpu ?? '?'}: ${e.message}`);
    throw e;
  }
}

/** Runs kernel code (the patcher) turning an oops into a violation. */
export function* kernelCode<T>(k: Kernel, g: KGen<T>): KGen<T> {
  try {
    return yield* g;
  } catch (e) {
    if (e instanceof KernelOops) throw new Violation('assertion', `kernel ${e.kind}: ${e.message}`);
    throw e;
  }
}
