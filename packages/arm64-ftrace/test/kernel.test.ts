// The emulated kernel: boot (__mcount_loc, records, MOV X9, LR), the arch code
// of seed 004 patching real text, the trampolines running on the AArch64 core.
import { EFAULT, EINVAL, EPERM } from '@k/core-sync';
import { a64 } from '@k/hw-emu';
import { describe, expect, it } from 'vitest';
import {
  AARCH64_BREAK_FAULT, AARCH64_INSN_BRANCH_LINK, FTRACE_FL_ENABLED, FTRACE_FL_REGS_EN, FTRACE_OPS_FL_IPMODIFY, FTRACE_OPS_FL_SAVE_REGS,
  FTRACE_PLT_IDX, FTRACE_REGS_PLT_IDX, FtraceError, Kernel, KernelOops, PLT_ENTRY_SIZE, S_FRAME_SIZE, aarch64_insn_gen_branch_imm,
  aarch64_insn_gen_nop, ftrace_make_call, ftrace_make_nop, ftrace_modify_call, ftrace_modify_code, ftrace_update_ftrace_func, get_plt_entry,
  runSync,
} from '../src/index';

const NOP = 0xd503201f;
const MOV_X9_LR = 0xaa1e03e9;
const dis = (k: Kernel, addr: bigint) => a64.disassemble(k.read32(addr), addr);

describe('boot: ftrace_init()', () => {
  it('makes one record per __mcount_loc entry, at the BL slot (ftrace_call_adjust: +4)', () => {
    const k = new Kernel();
    const foo = k.sym('foo');
    expect(k.mcount_loc).toContain(foo);
    expect(k.ftrace.lookup_rec(foo + 4n)?.ip).toBe(foo + 4n);
    expect(k.ftrace.records).toHaveLength(k.mcount_loc.length);
    expect(k.ftrace.records.every((r) => r.flags === 0)).toBe(true);
  });

  it('turns every callsite into MOV X9, LR; NOP and leaves notrace code alone', () => {
    const k = new Kernel();
    for (const r of k.ftrace.records) {
      expect(k.read32(r.ip - 4n)).toBe(MOV_X9_LR);
      expect(k.read32(r.ip)).toBe(NOP);
    }
    expect(dis(k, k.sym('el0_svc'))).toBe('stp x29, x30, [sp, #-16]!');
    expect(k.ftrace.ftrace_disabled).toBe(false);
  });

  it('lays the call-ops callsites out with the ops literal 8 bytes before the function', () => {
    const k = new Kernel({ variant: 'call-ops' });
    const foo = k.sym('foo');
    expect(foo % 8n).toBe(0n);
    expect(k.mcount_loc).toContain(foo - 8n);
    expect(k.callsite('foo')).toBe(foo + 4n);
    expect(k.read64(foo - 8n)).toBe(k.ftrace.ftrace_nop_ops.addr);
    expect(k.read32(foo)).toBe(MOV_X9_LR);
  });
});

describe('calls on the emulated core', () => {
  it('runs the seed\'s foo() (bar() + 1) in 12 instructions untraced, the two patch slots included', () => {
    const k = new Kernel();
    const r = k.call('foo');
    expect(r.ret).toBe(42n);
    expect(r.insns).toBe(12);
    expect(r.abi).toEqual({ calleeSaved: true, sp: true, stack: true });
  });

  it('passes stack arguments and the x8 result location as the AAPCS does', () => {
    const k = new Kernel();
    expect(k.call('sum10', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).ret).toBe(55n);
    const at = k.scratch.base;
    k.call('make_pair', [3, 4], { x8: at });
    expect([k.read64(at), k.read64(at + 8n), k.read64(at + 16n)]).toEqual([3n, 4n, 7n]);
  });

  it('goes through ftrace_caller when traced: the same result, 34 more instructions per traced function', () => {
    const k = new Kernel();
    expect(k.setTracer('function')).toBe(0);
    expect(dis(k, k.callsite('foo'))).toBe(`bl 0x${k.FTRACE_ADDR.toString(16)}`);
    const r = k.call('foo');
    expect(r.ret).toBe(42n);
    expect(r.insns).toBe(12 + 2 * 34);
    expect(r.abi).toEqual({ calleeSaved: true, sp: true, stack: true });
  });

  it('reports an emulated exception as a KernelOops with the kernel\'s words', () => {
    const k = new Kernel();
    k.space.write32(k.callsite('bar'), AARCH64_BREAK_FAULT, { privileged: true });
    expect(() => k.call('foo')).toThrow(KernelOops);
    expect(() => k.call('foo')).toThrow(/Unexpected kernel BRK exception at EL1 \(AARCH64_BREAK_FAULT\) at bar\+0x4/);
  });

  it('refuses bad input with typed errors', () => {
    const k = new Kernel();
    expect(() => k.call('nope')).toThrow(FtraceError);
    expect(() => k.call('foo', [], { cpu: 7 })).toThrow(/no CPU 7/);
    expect(() => k.call('foo', [1.5])).toThrow(/argument 0 is not an integer/);
    expect(() => new Kernel({ cpus: 0 })).toThrow(/cpus must be/);
    expect(() => new Kernel({ variant: 'v6' as never })).toThrow(/variant must be one of/);
    expect(() => k.setTracer('function', { filter: ['el0_svc'] })).toThrow(/no traceable function 'el0_svc'/);
  });
});

describe('ftrace_modify_code()', () => {
  it('validates the old instruction: -EINVAL when it differs, and writes nothing', () => {
    const k = new Kernel();
    const pc = k.callsite('add3');
    const bl = aarch64_insn_gen_branch_imm(pc, k.FTRACE_ADDR, AARCH64_INSN_BRANCH_LINK);
    expect(runSync(ftrace_modify_code(k, pc, bl, NOP, true))).toBe(-EINVAL);
    expect(k.read32(pc)).toBe(NOP);
    expect(k.ftrace.ftrace_expected).toBe(bl);
  });

  it('gives -EFAULT when the old instruction cannot be read and -EPERM when the write fails', () => {
    const k = new Kernel();
    expect(runSync(ftrace_modify_code(k, 0xffff000000000000n, NOP, NOP, true))).toBe(-EFAULT);
    k.space.mmio('ro', 0xffff000000100000n, 0x1000, { read: () => NOP, write: () => ({ reject: 'read-only' }) });
    expect(runSync(ftrace_modify_code(k, 0xffff000000100000n, NOP, MOV_X9_LR, true))).toBe(-EPERM);
    expect(runSync(ftrace_modify_code(k, 0xffff000000100002n, NOP, MOV_X9_LR, false))).toBe(-EPERM);
  });

  it('patches through the fixmap alias: read-only text, privileged store, one patch operation', () => {
    const k = new Kernel();
    const pc = k.callsite('add3');
    expect(k.space.write32(pc, 0, {}).ok).toBe(false);
    const before = k.patchCount;
    expect(runSync(ftrace_make_call(k, k.ftrace.lookup_rec(pc)!, k.FTRACE_ADDR))).toBe(0);
    expect(k.patchCount).toBe(before + 1);
  });
});

describe('the NOP <-> BL swing and BL <-> BL', () => {
  it('make_call, modify_call to ftrace_regs_caller, make_nop', () => {
    const k = new Kernel();
    const rec = k.ftrace.lookup_rec(k.callsite('add3'))!;
    expect(runSync(ftrace_make_call(k, rec, k.FTRACE_ADDR))).toBe(0);
    expect(dis(k, rec.ip)).toBe(`bl 0x${k.FTRACE_ADDR.toString(16)}`);
    expect(runSync(ftrace_make_call(k, rec, k.FTRACE_ADDR))).toBe(-EINVAL); // not a NOP any more
    expect(runSync(ftrace_modify_call(k, rec, k.FTRACE_ADDR, k.FTRACE_REGS_ADDR))).toBe(0);
    expect(dis(k, rec.ip)).toBe(`bl 0x${k.FTRACE_REGS_ADDR.toString(16)}`);
    expect(runSync(ftrace_make_nop(k, null, rec, k.FTRACE_ADDR))).toBe(-EINVAL); // it calls the regs trampoline
    expect(runSync(ftrace_make_nop(k, null, rec, k.FTRACE_REGS_ADDR))).toBe(0);
    expect(k.read32(rec.ip)).toBe(NOP);
    expect(k.read32(rec.ip - 4n)).toBe(MOV_X9_LR);
  });

  it('points ftrace_call at the tracer function (BL -> BL, not validated)', () => {
    const k = new Kernel();
    expect(dis(k, k.sym('ftrace_call'))).toBe(`bl 0x${k.sym('ftrace_stub').toString(16)}`);
    expect(runSync(ftrace_update_ftrace_func(k, k.sym('ftrace_ops_list_func')))).toBe(0);
    expect(dis(k, k.sym('ftrace_call'))).toBe(`bl 0x${k.sym('ftrace_ops_list_func').toString(16)}`);
    expect(runSync(ftrace_update_ftrace_func(new Kernel({ variant: 'call-ops' }), 0n))).toBe(0);
  });

  it('counts ops per record and chooses the trampoline from FTRACE_FL_REGS', () => {
    const k = new Kernel();
    const plain = k.ftrace_ops({ name: 'plain', filter: ['add3'], func: () => undefined });
    const regs = k.ftrace_ops({ name: 'regs', flags: FTRACE_OPS_FL_SAVE_REGS, filter: ['add3'], func: () => undefined });
    expect(k.register_ftrace_function(plain)).toBe(0);
    const rec = k.ftrace.lookup_rec(k.callsite('add3'))!;
    expect(rec.flags & 0xff).toBe(1);
    expect(k.register_ftrace_function(regs)).toBe(0);
    expect(rec.flags & 0xff).toBe(2);
    expect(rec.flags & FTRACE_FL_REGS_EN).toBeTruthy();
    expect(dis(k, rec.ip)).toBe(`bl 0x${k.FTRACE_REGS_ADDR.toString(16)}`);
    expect(k.unregister_ftrace_function(regs)).toBe(0);
    expect(dis(k, rec.ip)).toBe(`bl 0x${k.FTRACE_ADDR.toString(16)}`);
    expect(k.unregister_ftrace_function(plain)).toBe(0);
    expect(rec.flags & FTRACE_FL_ENABLED).toBe(0);
    expect(k.read32(rec.ip)).toBe(NOP);
  });

  it('lets only one IPMODIFY ops own a function (-EBUSY), as live patching needs', () => {
    const k = new Kernel();
    const a = k.ftrace_ops({ name: 'lp_a', flags: FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY, filter: ['add3'], func: () => undefined });
    const b = k.ftrace_ops({ name: 'lp_b', flags: FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY, filter: ['add3'], func: () => undefined });
    expect(k.register_ftrace_function(a)).toBe(0);
    expect(k.register_ftrace_function(b)).toBe(-16);
  });

  it('refuses SAVE_REGS without DYNAMIC_FTRACE_WITH_REGS (the call-ops design), unless _IF_SUPPORTED', () => {
    const k = new Kernel({ variant: 'call-ops' });
    expect(k.register_ftrace_function(k.ftrace_ops({ name: 'r', flags: FTRACE_OPS_FL_SAVE_REGS, func: () => undefined }))).toBe(-EINVAL);
  });
});

describe('what a callback sees', () => {
  for (const variant of ['seed', 'call-ops'] as const) {
    it(`${variant}: the arguments, ip = the callsite, parent_ip = the return address, regs on the trampoline's stack`, () => {
      const k = new Kernel({ variant });
      const seen: Record<string, bigint>[] = [];
      const ops = k.ftrace_ops({
        name: 'look',
        flags: variant === 'seed' ? FTRACE_OPS_FL_SAVE_REGS : 0,
        filter: ['add3'],
        func: (ip, parent_ip, _op, regs) => void seen.push({ ip, parent_ip, x0: regs.get(0), x1: regs.get(1), x2: regs.get(2), lr: regs.lr, sp: regs.sp, pc: regs.pc, addr: regs.addr }),
      });
      expect(k.register_ftrace_function(ops)).toBe(0);
      const r = k.call('add3', [1, 2, 3]);
      expect(r.ret).toBe(6n);
      const s = seen[0]!;
      expect(s.ip).toBe(k.callsite('add3'));
      expect(s.parent_ip).toBe(k.sym('__k_call_return'));
      expect(s.lr).toBe(s.parent_ip);
      expect([s.x0, s.x1, s.x2]).toEqual([1n, 2n, 3n]);
      expect(s.pc).toBe(k.callsite('add3') + 4n);
      expect(s.sp).toBe(r.regs.sp);
      // pt_regs, then the callsite's frame record: S_FRAME_SIZE + 16 bytes below the callsite's SP
      expect(s.addr).toBe(s.sp! - BigInt(variant === 'seed' ? S_FRAME_SIZE + 16 : 112 + 32));
    });
  }

  it('restores an argument a callback rewrote, and follows regs->pc (live patching)', () => {
    const k = new Kernel();
    const double = k.ftrace_ops({ name: 'double', flags: FTRACE_OPS_FL_SAVE_REGS, filter: ['add3'], func: (_ip, _p, _o, regs) => regs.set(0, regs.get(0) * 2n) });
    expect(k.register_ftrace_function(double)).toBe(0);
    expect(k.call('add3', [10, 1, 1]).ret).toBe(22n);
    expect(k.unregister_ftrace_function(double)).toBe(0);
    const klp = k.ftrace_ops({ name: 'klp', flags: FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY, filter: ['add3'], func: (_ip, _p, _o, regs) => void (regs.pc = k.sym('livepatch_add3')) });
    expect(k.register_ftrace_function(klp)).toBe(0);
    const r = k.call('callee_saved', [1, 2]);
    expect(r.ret).toBe(4n + 4n + 1000n);
    expect(r.abi).toEqual({ calleeSaved: true, sp: true, stack: true });
  });
});

describe('modules and their PLTs', () => {
  const fns = [{ name: 'mod_work', args: 1, doc: 'x + 7', body: '\n        add     x0, x0, #7\n        ret' }];

  it('builds the PLT entries as ADRP, ADD, BR x16 to ftrace_caller and ftrace_regs_caller', () => {
    const k = new Kernel();
    const m = k.load_module({ name: 'far', functions: fns, at: 'far' });
    const plts = m.arch.ftrace_trampolines;
    expect(plts).toBe(m.ftrace_trampoline_sh_addr);
    const lines = [0, 1, 2, 3, 4, 5].map((i) => dis(k, plts + BigInt(4 * i)));
    expect(lines).toEqual([
      `adrp x16, 0x${(k.FTRACE_ADDR & ~0xfffn).toString(16)}`,
      `add x16, x16, #${Number(k.FTRACE_ADDR & 0xfffn)}`,
      'br x16',
      `adrp x16, 0x${(k.FTRACE_REGS_ADDR & ~0xfffn).toString(16)}`,
      `add x16, x16, #${Number(k.FTRACE_REGS_ADDR & 0xfffn)}`,
      'br x16',
    ]);
    const e = get_plt_entry(k.FTRACE_ADDR, plts + BigInt(FTRACE_PLT_IDX * PLT_ENTRY_SIZE));
    expect([e.adrp, e.add, e.br]).toEqual([k.read32(plts), k.read32(plts + 4n), k.read32(plts + 8n)]);
    void FTRACE_REGS_PLT_IDX;
  });

  it('traces a module within range directly and a far one through its PLT (fixed)', () => {
    const k = new Kernel({ variant: 'fixed' });
    const near = k.load_module({ name: 'near', functions: [{ ...fns[0]!, name: 'near_w' }], at: 'near' });
    const far = k.load_module({ name: 'far', functions: [{ ...fns[0]!, name: 'far_w' }], at: 'far' });
    expect(k.setTracer('function')).toBe(0);
    expect(dis(k, k.callsite('near_w'))).toBe(`bl 0x${k.FTRACE_ADDR.toString(16)}`);
    expect(dis(k, k.callsite('far_w'))).toBe(`bl 0x${far.arch.ftrace_trampolines.toString(16)}`);
    expect(k.call('near_w', [1]).ret).toBe(8n);
    expect(k.call('far_w', [1]).ret).toBe(8n);
    expect(k.traceText()).toMatch(/near_w \[near\] <-__k_call_return\n.*far_w \[far\] <-__k_call_return\n$/);
    expect(k.setTracer('nop')).toBe(0);
    expect(k.read32(k.callsite('far_w'))).toBe(NOP);
    expect(k.delete_module('near')).toBe(0);
    expect(k.ftrace.recordOf(near.syms[0]!.addr)).toBeUndefined();
  });

  it('seed: no PLT for ftrace_regs_caller: ftrace_make_call() -EINVAL, then ftrace_bug() kills ftrace', () => {
    const k = new Kernel();
    k.load_module({ name: 'far', functions: fns, at: 'far' });
    const ops = k.ftrace_ops({ name: 'r', flags: FTRACE_OPS_FL_SAVE_REGS, filter: ['mod_work'], func: () => undefined });
    expect(k.register_ftrace_function(ops)).toBe(0);
    expect(k.dmesg[0]).toBe('ftrace: no module PLT for ftrace_regs_caller');
    expect(k.ftrace.bugs[0]?.message).toMatch(/^ftrace failed to modify \[<ffff7fffd0000004>\] mod_work\+0x4\/0x10 \[far\] actual: 1f:20:03:d5$/);
    expect(k.ftrace.ftrace_disabled).toBe(true);
    expect(k.setTracer('function')).toBe(-19);
  });

  it('seed: a callsite exactly 128 MiB below ftrace_caller gets AARCH64_BREAK_FAULT written into it', () => {
    const k = new Kernel();
    k.load_module({ name: 'edge', functions: fns, at: 'boundary' });
    expect(k.FTRACE_ADDR - k.callsite('mod_work')).toBe(0x8000000n);
    expect(k.setTracer('function')).toBe(0);
    expect(k.read32(k.callsite('mod_work'))).toBe(AARCH64_BREAK_FAULT);
    expect(() => k.call('mod_work', [1])).toThrow(/AARCH64_BREAK_FAULT/);
    const fixed = new Kernel({ variant: 'fixed' });
    const m = fixed.load_module({ name: 'edge', functions: fns, at: 'boundary' });
    expect(fixed.setTracer('function')).toBe(0);
    expect(dis(fixed, fixed.callsite('mod_work'))).toBe(`bl 0x${m.arch.ftrace_trampolines.toString(16)}`);
    expect(fixed.call('mod_work', [1]).ret).toBe(8n);
  });

  it('validates module specs', () => {
    const k = new Kernel();
    expect(() => k.load_module({ name: 'bad name', functions: fns })).toThrow(/needs a name/);
    expect(() => k.load_module({ name: 'x', functions: [] })).toThrow(/no functions/);
    expect(() => k.load_module({ name: 'x', functions: [{ ...fns[0]!, name: 'foo' }] })).toThrow(/defined twice/);
    k.load_module({ name: 'x', functions: fns });
    expect(() => k.load_module({ name: 'x', functions: [{ ...fns[0]!, name: 'y' }] })).toThrow(/already loaded/);
    expect(() => k.load_module({ name: 'z', functions: [{ ...fns[0]!, name: 'z1' }], at: 3n })).toThrow(/aligned/);
  });
});

describe('the function-graph tracer', () => {
  for (const variant of ['seed', 'call-ops'] as const) {
    it(`${variant}: hooks the return through return_to_handler and restores the caller's LR`, () => {
      const k = new Kernel({ variant });
      expect(k.setTracer('function_graph')).toBe(0);
      if (variant === 'seed') expect(dis(k, k.sym('ftrace_graph_call'))).toBe(`b 0x${k.sym('ftrace_graph_caller').toString(16)}`);
      const r = k.call('fib', [6]);
      expect(r.ret).toBe(8n);
      expect(r.abi).toEqual({ calleeSaved: true, sp: true, stack: true });
      const ent = k.global_trace.entries.filter((e) => e.type === 'graph_ent').length;
      const ret = k.global_trace.entries.filter((e) => e.type === 'graph_ret').length;
      expect(ent).toBe(25);
      expect(ret).toBe(25);
      expect(k.current(0).curr_ret_stack).toBe(-1);
      expect(k.setTracer('nop')).toBe(0);
      if (variant === 'seed') expect(k.read32(k.sym('ftrace_graph_call'))).toBe(aarch64_insn_gen_nop());
    });
  }

  it('catches a function that returns with another frame pointer (HAVE_FUNCTION_GRAPH_FP_TEST): WARN, then panic', () => {
    const bad = { name: 'bad_fp', args: 0, doc: 'returns with x29 changed', body: '\n        add     x29, x29, #16\n        ret' };
    const k = new Kernel({ functions: [bad] });
    const warned: string[] = [];
    k.onWarn = (m) => void warned.push(m);
    expect(k.call('bad_fp').abi.calleeSaved).toBe(false);
    expect(k.setTracer('function_graph')).toBe(0);
    expect(() => k.call('bad_fp')).toThrow(/Kernel panic/);
    expect(warned[0]).toMatch(/^Bad frame pointer: expected [0-9a-f]+, received [0-9a-f]+\n {2}from func bad_fp return to/);
  });
});

describe('the call-ops design', () => {
  it('writes the ops literal: the single ops, ftrace_list_ops for two, ftrace_nop_ops when off', () => {
    const k = new Kernel({ variant: 'call-ops' });
    const lit = k.sym('add3') - 8n;
    const a = k.ftrace_ops({ name: 'a', filter: ['add3'], func: () => undefined });
    const b = k.ftrace_ops({ name: 'b', filter: ['add3'], func: () => undefined });
    expect(k.register_ftrace_function(a)).toBe(0);
    expect(k.read64(lit)).toBe(a.addr);
    expect(k.register_ftrace_function(b)).toBe(0);
    expect(k.read64(lit)).toBe(k.ftrace.ftrace_list_ops.addr);
    expect(k.unregister_ftrace_function(a)).toBe(0);
    expect(k.read64(lit)).toBe(b.addr);
    expect(k.unregister_ftrace_function(b)).toBe(0);
    expect(k.read64(lit)).toBe(k.ftrace.ftrace_nop_ops.addr);
    expect(k.read32(k.callsite('add3'))).toBe(NOP);
  });

  it('calls a single ops without testing any hash, the seed\'s list function tests each', () => {
    for (const variant of ['seed', 'call-ops'] as const) {
      const k = new Kernel({ variant });
      const a = k.ftrace_ops({ name: 'a', filter: ['add3'], func: () => undefined });
      const b = k.ftrace_ops({ name: 'b', filter: ['bar'], func: () => undefined });
      k.register_ftrace_function(a);
      k.register_ftrace_function(b);
      k.ftrace.stats.opsTests = 0;
      k.call('add3', [1, 2, 3]);
      expect(k.ftrace.stats.opsTests).toBe(variant === 'seed' ? 2 : 0);
    }
  });
});
