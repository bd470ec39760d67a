// What an ftrace_ops callback receives as `regs`, read and written in emulated
// memory: the seed's struct pt_regs (built by ftrace_regs_entry on the
// trampoline's stack; a callback that changes regs[n] or pc changes what
// ftrace_common_return restores) or, in the call-ops design, struct ftrace_regs
// (x0-x8, fp, lr, sp, pc). Layouts: ./layout.
import type { AddressSpace } from '@k/hw-emu';
import { FREGS_FP, FREGS_LR, FREGS_PC, FREGS_SP, FREGS_X0, S_FP, S_LR, S_PC, S_SP, S_X } from './layout';

/** The registers a callback sees (pt_regs or ftrace_regs), backed by emulated memory. */
export interface FtraceRegs {
  /** `pt_regs` (the seed) or `ftrace_regs` (call-ops). */
  readonly kind: 'pt_regs' | 'ftrace_regs';
  /** Address of the structure on the trampoline's stack. */
  readonly addr: bigint;
  /** regs[n]: x0-x30 for pt_regs (only x0-x9, x29 and x30 are saved by ftrace_caller), x0-x8 for ftrace_regs. */
  get(n: number): bigint;
  /** Sets regs[n]; the trampoline restores x0-x8 (and the FP/LR) from here. */
  set(n: number, value: bigint): void;
  /** The callsite's return address (regs->regs[30] / fregs->lr): the parent. */
  lr: bigint;
  /** The callsite's stack pointer. */
  readonly sp: bigint;
  /** The callsite's frame pointer. */
  readonly fp: bigint;
  /** Where the trampoline returns: after the callsite's BL; set it to redirect the call (live patching). */
  pc: bigint;
}

function rd(space: AddressSpace, a: bigint): bigint {
  const r = space.read64(a);
  if (!r.ok) throw new Error(`[arm64-ftrace] regs at 0x${a.toString(16)} cannot be read: ${r.fault.message}`);
  return r.value;
}
function wr(space: AddressSpace, a: bigint, v: bigint): void {
  const r = space.write64(a, BigInt.asUintN(64, v));
  if (!r.ok) throw new Error(`[arm64-ftrace] regs at 0x${a.toString(16)} cannot be written: ${r.fault.message}`);
}

/** Where a register structure keeps what a callback may read and write. */
interface RegsLayout {
  readonly kind: 'pt_regs' | 'ftrace_regs';
  /** regs[0..last] */
  readonly last: number;
  readonly x0: number;
  readonly lr: number;
  readonly sp: number;
  readonly fp: number;
  readonly pc: number;
}

class RegsView implements FtraceRegs {
  readonly kind: 'pt_regs' | 'ftrace_regs';
  constructor(
    private readonly space: AddressSpace,
    readonly addr: bigint,
    private readonly l: RegsLayout,
  ) {
    this.kind = l.kind;
  }
  private at(n: number): bigint {
    if (!Number.isInteger(n) || n < 0 || n > this.l.last) throw new RangeError(`${this.l.kind}: regs[${n}] does not exist (0..${this.l.last})`);
    return this.addr + BigInt(this.l.x0 + 8 * n);
  }
  get(n: number): bigint {
    return rd(this.space, this.at(n));
  }
  set(n: number, value: bigint): void {
    wr(this.space, this.at(n), value);
  }
  get lr(): bigint {
    return rd(this.space, this.addr + BigInt(this.l.lr));
  }
  set lr(v: bigint) {
    wr(this.space, this.addr + BigInt(this.l.lr), v);
  }
  get sp(): bigint {
    return rd(this.space, this.addr + BigInt(this.l.sp));
  }
  get fp(): bigint {
    return rd(this.space, this.addr + BigInt(this.l.fp));
  }
  get pc(): bigint {
    return rd(this.space, this.addr + BigInt(this.l.pc));
  }
  set pc(v: bigint) {
    wr(this.space, this.addr + BigInt(this.l.pc), v);
  }
}

const PT_REGS: RegsLayout = { kind: 'pt_regs', last: 30, x0: S_X(0), lr: S_LR, sp: S_SP, fp: S_FP, pc: S_PC };
const FTRACE_REGS: RegsLayout = { kind: 'ftrace_regs', last: 8, x0: FREGS_X0, lr: FREGS_LR, sp: FREGS_SP, fp: FREGS_FP, pc: FREGS_PC };

/** struct pt_regs at `addr` (the seed's ftrace_regs_entry). */
export class pt_regs extends RegsView {
  constructor(space: AddressSpace, addr: bigint) {
    super(space, addr, PT_REGS);
  }
}

/** struct ftrace_regs at `addr` (v6.2+ ftrace_caller). */
export class ftrace_regs extends RegsView {
  constructor(space: AddressSpace, addr: bigint) {
    super(space, addr, FTRACE_REGS);
  }
}
