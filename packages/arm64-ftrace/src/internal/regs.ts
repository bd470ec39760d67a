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

/** struct pt_regs at `addr` (the seed's ftrace_regs_entry). */
export class pt_regs implements FtraceRegs {
  readonly kind = 'pt_regs' as const;
  constructor(
    private readonly space: AddressSpace,
    readonly addr: bigint,
  ) {}
  get(n: number): bigint {
    if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`pt_regs: regs[${n}] does not exist (0..30)`);
    return rd(this.space, this.addr + BigInt(S_X(n)));
  }
  set(n: number, value: bigint): void {
    if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`pt_regs: regs[${n}] does not exist (0..30)`);
    wr(this.space, this.addr + BigInt(S_X(n)), value);
  }
  get lr(): bigint {
    return rd(this.space, this.addr + BigInt(S_LR));
  }
  set lr(v: bigint) {
    wr(this.space, this.addr + BigInt(S_LR), v);
  }
  get sp(): bigint {
    return rd(this.space, this.addr + BigInt(S_SP));
  }
  get fp(): bigint {
    return rd(this.space, this.addr + BigInt(S_FP));
  }
  get pc(): bigint {
    return rd(this.space, this.addr + BigInt(S_PC));
  }
  set pc(v: bigint) {
    wr(this.space, this.addr + BigInt(S_PC), v);
  }
}

/** struct ftrace_regs at `addr` (v6.2+ ftrace_caller). */
export class ftrace_regs implements FtraceRegs {
  readonly kind = 'ftrace_regs' as const;
  constructor(
    private readonly space: AddressSpace,
    readonly addr: bigint,
  ) {}
  get(n: number): bigint {
    if (!Number.isInteger(n) || n < 0 || n > 8) throw new RangeError(`ftrace_regs: regs[${n}] does not exist (0..8)`);
    return rd(this.space, this.addr + BigInt(FREGS_X0 + 8 * n));
  }
  set(n: number, value: bigint): void {
    if (!Number.isInteger(n) || n < 0 || n > 8) throw new RangeError(`ftrace_regs: regs[${n}] does not exist (0..8)`);
    wr(this.space, this.addr + BigInt(FREGS_X0 + 8 * n), value);
  }
  get lr(): bigint {
    return rd(this.space, this.addr + BigInt(FREGS_LR));
  }
  set lr(v: bigint) {
    wr(this.space, this.addr + BigInt(FREGS_LR), v);
  }
  get sp(): bigint {
    return rd(this.space, this.addr + BigInt(FREGS_SP));
  }
  get fp(): bigint {
    return rd(this.space, this.addr + BigInt(FREGS_FP));
  }
  get pc(): bigint {
    return rd(this.space, this.addr + BigInt(FREGS_PC));
  }
  set pc(v: bigint) {
    wr(this.space, this.addr + BigInt(FREGS_PC), v);
  }
}
