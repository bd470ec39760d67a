// The AArch64 core: data processing against a BigInt model of the Arm ARM pseudocode
// (AddWithCarry, ShiftReg, ExtendReg), loads and stores, branches, and every stop reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { a64, A64Core, A64Error, AddressSpace } from '../../src/index';
import type { ExtendType, ShiftType } from '../../src/index';
import { DATA, load, machine, STACK_TOP, TEXT } from './machine';

const M64 = (1n << 64n) - 1n;

/** AddWithCarry (Arm ARM J1): result and NZCV. */
function addWithCarry(width: number, x: bigint, y: bigint, carry: bigint): [bigint, number] {
  const mask = (1n << BigInt(width)) - 1n;
  const sint = (v: bigint) => BigInt.asIntN(width, v);
  const usum = (x & mask) + (y & mask) + carry;
  const ssum = sint(x) + sint(y) + carry;
  const result = usum & mask;
  const n = Number(result >> BigInt(width - 1));
  const z = result === 0n ? 1 : 0;
  const c = result === usum ? 0 : 1;
  const v = sint(result) === ssum ? 0 : 1;
  return [result, (n << 3) | (z << 2) | (c << 1) | v];
}
function shiftReg(width: number, v: bigint, type: ShiftType, amount: number): bigint {
  const mask = (1n << BigInt(width)) - 1n;
  const x = v & mask;
  if (type === 'lsl') return (x << BigInt(amount)) & mask;
  if (type === 'lsr') return x >> BigInt(amount);
  return BigInt.asUintN(width, BigInt.asIntN(width, x) >> BigInt(amount));
}
function extendReg(width: number, v: bigint, ext: ExtendType, amount: number): bigint {
  const bits = { b: 8, h: 16, w: 32, x: 64 }[ext[3] as 'b' | 'h' | 'w' | 'x'];
  const src = BigInt.asUintN(bits, v);
  const val = ext[0] === 's' ? BigInt.asUintN(64, BigInt.asIntN(bits, src)) : src;
  return BigInt.asUintN(width, val << BigInt(amount));
}

function runOne(insnWord: number, regs: Record<number, bigint>, nzcv = 0): A64Core {
  const space = new AddressSpace();
  space.ram('text', TEXT, 0x1000);
  load(space, TEXT, [insnWord, 0xd4200000]);
  const cpu = new A64Core(space);
  cpu.pc = TEXT;
  cpu.nzcv = nzcv;
  for (const [n, v] of Object.entries(regs)) cpu.setX(Number(n), v);
  expect(cpu.step()).toEqual({ kind: 'budget' });
  return cpu;
}

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: M64 }),
  fc.constantFrom(0n, 1n, M64, 1n << 63n, (1n << 63n) - 1n, 0xffffffffn, 0x80000000n, 0x7fffffffn, 0x100000000n),
);

describe('data processing', () => {
  it('computes ADD/SUB (shifted register) and their flags as AddWithCarry does', () => {
    fc.assert(
      fc.property(
        fc.record({ sf: fc.boolean(), sub: fc.boolean(), setFlags: fc.boolean(), shift: fc.constantFrom<ShiftType>('lsl', 'lsr', 'asr'), amount: fc.nat(63) }),
        u64,
        u64,
        fc.nat(15),
        ({ sf, sub, setFlags, shift, amount }, x, y, nzcv) => {
          const width = sf ? 64 : 32;
          const amt = amount % width;
          const w = a64.encode({ kind: 'addSubShifted', sf, sub, setFlags, rd: 0, rn: 1, rm: 2, shift, amount: amt });
          const cpu = runOne(w, { 0: 0x5a5a5a5a5a5a5a5an, 1: x, 2: y }, nzcv);
          const op2 = shiftReg(width, y, shift, amt);
          const [res, flags] = sub ? addWithCarry(width, x, ~op2, 1n) : addWithCarry(width, x, op2, 0n);
          expect(cpu.getX(0)).toBe(res);
          expect(cpu.nzcv).toBe(setFlags ? flags : nzcv);
        },
      ),
      { seed: 11, numRuns: 4000 },
    );
  });

  it('computes ADD/SUB (extended register) as ExtendReg and AddWithCarry do, with SP as Rn', () => {
    fc.assert(
      fc.property(
        fc.record({
          sf: fc.boolean(),
          sub: fc.boolean(),
          setFlags: fc.boolean(),
          extend: fc.constantFrom<ExtendType>('uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'),
          amount: fc.nat(4),
          spBase: fc.boolean(),
        }),
        u64,
        u64,
        ({ sf, sub, setFlags, extend, amount, spBase }, x, y) => {
          const width = sf ? 64 : 32;
          const w = a64.encode({ kind: 'addSubExtended', sf, sub, setFlags, rd: 0, rn: spBase ? 31 : 1, rm: 2, extend, amount });
          const space = new AddressSpace();
          space.ram('text', TEXT, 0x1000);
          load(space, TEXT, [w]);
          const cpu = new A64Core(space);
          cpu.pc = TEXT;
          if (spBase) cpu.sp = x;
          else cpu.setX(1, x);
          cpu.setX(2, y);
          cpu.step();
          const op2 = extendReg(width, y, extend, amount);
          const [res] = sub ? addWithCarry(width, x, ~op2, 1n) : addWithCarry(width, x, op2, 0n);
          expect(cpu.getX(0)).toBe(res);
        },
      ),
      { seed: 12, numRuns: 3000 },
    );
  });

  it('computes ADD/SUB (immediate), CMP and CMN as AddWithCarry does', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(4095), fc.boolean(), u64, (sf, sub, setFlags, imm12, lsl12, x) => {
        const width = sf ? 64 : 32;
        const w = a64.encode({ kind: 'addSubImm', sf, sub, setFlags, rd: 0, rn: 1, imm12, lsl12 });
        const cpu = runOne(w, { 1: x });
        const imm = BigInt(imm12) << (lsl12 ? 12n : 0n);
        const [res, flags] = sub ? addWithCarry(width, x, ~imm, 1n) : addWithCarry(width, x, imm, 0n);
        expect(cpu.getX(0)).toBe(res);
        if (setFlags) expect(cpu.nzcv).toBe(flags);
      }),
      { seed: 13, numRuns: 3000 },
    );
  });

  it('builds constants with MOVZ, MOVN and MOVK', () => {
    fc.assert(
      fc.property(fc.constantFrom('movz' as const, 'movn' as const, 'movk' as const), fc.boolean(), fc.nat(0xffff), fc.nat(3), u64, (op, sf, imm16, hw0, old) => {
        const hw = sf ? hw0 : hw0 & 1;
        const width = sf ? 64 : 32;
        const mask = (1n << BigInt(width)) - 1n;
        const cpu = runOne(a64.encode({ kind: 'movWide', op, sf, rd: 3, imm16, hw }), { 3: old });
        const v = BigInt(imm16) << BigInt(16 * hw);
        const expected = op === 'movz' ? v : op === 'movn' ? ~v & mask : ((old & mask & ~(0xffffn << BigInt(16 * hw))) | v) & mask;
        expect(cpu.getX(3)).toBe(expected);
      }),
      { seed: 14, numRuns: 2000 },
    );
  });

  it('zeroes the upper half on every W write and treats register 31 as the architecture says', () => {
    const { cpu } = machine(`
      mov x1, #-1
      mov w2, w1          // upper half zeroed
      add w3, w1, #0      // mov w3, w1 through ADD: upper half zeroed
      mov x4, xzr
      add x5, sp, #16     // SP as a source
      mov x6, sp
      mov sp, x5          // SP as a destination
      adds xzr, x1, #1    // cmn: flags only
      mov x7, #5
      mov xzr, x7         // discarded
      add x8, xzr, x7     // xzr reads zero
      brk #0
    `);
    cpu.setX(4, 99n);
    expect(cpu.run(100)).toMatchObject({ kind: 'brk', imm: 0 });
    expect(cpu.getX(2)).toBe(0xffffffffn);
    expect(cpu.getX(3)).toBe(0xffffffffn);
    expect(cpu.getX(4)).toBe(0n);
    expect(cpu.getX(5)).toBe(STACK_TOP + 16n);
    expect(cpu.getX(6)).toBe(STACK_TOP);
    expect(cpu.sp).toBe(STACK_TOP + 16n);
    expect(cpu.nzcv).toBe(0b0110); // Z and C from -1 + 1
    expect(cpu.getX(8)).toBe(5n);
  });

  it('computes ADR and ADRP from the address of the instruction, also above 2^63', () => {
    const base = 0xffff800010000ff8n;
    const { cpu } = machine('adr x0, #12\nadrp x1, #8192\nadr x2, #-1\nbrk #0', { textBase: base });
    expect(cpu.run(10).kind).toBe('brk');
    expect(cpu.getX(0)).toBe(base + 12n);
    expect(cpu.getX(1)).toBe(((base + 4n) & ~0xfffn) + 8192n);
    expect(cpu.getX(2)).toBe(base + 8n - 1n);
  });
});

describe('loads and stores', () => {
  it('loads and stores every width with zero and sign extension', () => {
    const { cpu, space } = machine(`
      mov x1, #${DATA}
      ldr x2, [x1]
      ldr w3, [x1]
      ldrb w4, [x1, #7]
      ldrsb x5, [x1, #7]
      ldrsb w6, [x1, #7]
      ldrh w7, [x1, #6]
      ldrsh x8, [x1, #6]
      ldrsh w9, [x1, #6]
      ldrsw x10, [x1, #4]
      ldur x11, [x1, #1]
      str x2, [x1, #16]
      str w2, [x1, #24]
      strb w2, [x1, #28]
      strh w2, [x1, #30]
      stur x2, [x1, #33]
      str xzr, [x1, #48]
      ldr xzr, [x1]
      brk #0
    `);
    space.write64(DATA, 0x8091a2b3c4d5e6f7n);
    space.write64(DATA + 48n, -1n);
    expect(cpu.run(100).kind).toBe('brk');
    expect(cpu.getX(2)).toBe(0x8091a2b3c4d5e6f7n);
    expect(cpu.getX(3)).toBe(0xc4d5e6f7n);
    expect(cpu.getX(4)).toBe(0x80n);
    expect(cpu.getX(5)).toBe(0xffffffffffffff80n);
    expect(cpu.getX(6)).toBe(0xffffff80n);
    expect(cpu.getX(7)).toBe(0x8091n);
    expect(cpu.getX(8)).toBe(0xffffffffffff8091n);
    expect(cpu.getX(9)).toBe(0xffff8091n);
    expect(cpu.getX(10)).toBe(0xffffffff8091a2b3n);
    expect(cpu.getX(11)).toBe(0x008091a2b3c4d5e6n);
    const d = (off: bigint, n: 8 | 32 | 64) => {
      const r = n === 8 ? space.read8(DATA + off) : n === 32 ? space.read32(DATA + off) : space.read64(DATA + off);
      return r.ok ? BigInt(r.value) : -1n;
    };
    expect(d(16n, 64)).toBe(0x8091a2b3c4d5e6f7n);
    expect(d(24n, 32)).toBe(0xc4d5e6f7n);
    expect(d(28n, 8)).toBe(0xf7n);
    expect(d(30n, 32) & 0xffffn).toBe(0xe6f7n);
    expect(d(33n, 64)).toBe(0x8091a2b3c4d5e6f7n);
    expect(d(48n, 64)).toBe(0n);
  });

  it('updates the base for pre- and post-indexed forms, and pairs move two registers', () => {
    const { cpu, space } = machine(`
      mov x0, #1
      mov x1, #2
      stp x0, x1, [sp, #-16]!
      stp w0, w1, [sp, #-16]!
      ldp w2, w3, [sp], #16
      ldp x4, x5, [sp]
      mov x9, sp
      ldr x6, [x9, #8]!
      str x6, [x9], #-8
      ldp x7, x8, [x9, #0]
      brk #0
    `);
    expect(cpu.run(100).kind).toBe('brk');
    expect([cpu.getX(2), cpu.getX(3), cpu.getX(4), cpu.getX(5), cpu.getX(6)]).toEqual([1n, 2n, 1n, 2n, 2n]);
    expect(cpu.sp).toBe(STACK_TOP - 16n);
    expect(cpu.getX(9)).toBe(STACK_TOP - 16n);
    expect([cpu.getX(7), cpu.getX(8)]).toEqual([1n, 2n]);
    const w = space.read64(STACK_TOP - 32n);
    expect(w.ok && w.value).toBe(0x0000000200000001n);
  });

  it('reads literals relative to the instruction', () => {
    const { cpu } = machine('ldr x0, lit\nldr w1, lit\nldrsw x2, lit + 4\nbrk #0\n.balign 8\nlit: .quad 0x80000000fffffffe');
    expect(cpu.run(10).kind).toBe('brk');
    expect(cpu.getX(0)).toBe(0x80000000fffffffen);
    expect(cpu.getX(1)).toBe(0xfffffffen);
    expect(cpu.getX(2)).toBe(0xffffffff80000000n);
  });

  it('performs MMIO accesses through the device handler, and stops on a rejected one', () => {
    const { cpu, space } = machine('mov x1, #0x200000\nldr w0, [x1, #4]\nstr w0, [x1, #8]\nldr x2, [x1, #16]\nbrk #0');
    const log: string[] = [];
    space.mmio('dev', 0x200000, 0x100, {
      read: (off, size) => (off === 16 ? { reject: 'write-only register' } : (log.push(`r${off}/${size}`), 0x1234)),
      write: (off, size, v) => void log.push(`w${off}/${size}=${String(v)}`),
    });
    const s = cpu.run(10);
    expect(log).toEqual(['r4/4', 'w8/4=4660']);
    expect(cpu.getX(0)).toBe(0x1234n);
    expect(s).toMatchObject({ kind: 'fault', pc: TEXT + 12n, fault: { kind: 'mmio', region: 'dev', access: 'read', initiator: 'cpu0' } });
  });

  it('shows a store to a watched range to the watcher, with the core as initiator', () => {
    const { cpu, space } = machine(`mov x1, #${DATA}\nmov x0, #7\nstr x0, [x1, #8]\nstr x0, [x1, #64]\nbrk #0`);
    const seen: string[] = [];
    space.watchWrites(DATA + 8n, 8, (ev) => seen.push(`${ev.addr.toString(16)} ${ev.size} ${ev.initiator}`));
    expect(cpu.run(10).kind).toBe('brk');
    expect(seen).toEqual(['80008 8 cpu0']);
  });
});

describe('branches', () => {
  it('takes B.cond exactly when the condition holds, for all 16 conditions and flag values', () => {
    for (let cond = 0; cond < 16; cond++) {
      for (let nzcv = 0; nzcv < 16; nzcv++) {
        const n = (nzcv >> 3) & 1, z = (nzcv >> 2) & 1, c = (nzcv >> 1) & 1, v = nzcv & 1;
        const base = [z === 1, c === 1, n === 1, v === 1, c === 1 && z === 0, n === v, z === 0 && n === v, true][cond >> 1] as boolean;
        const taken = cond & 1 && cond !== 15 ? !base : base;
        const cpu = runOne(a64.encode({ kind: 'bcond', cond, offset: 64 }), {}, nzcv);
        expect(cpu.pc, `cond ${cond} nzcv ${nzcv}`).toBe(TEXT + (taken ? 64n : 4n));
      }
    }
  });

  it('calls and returns with BL/RET and BLR, and branches with CBZ/CBNZ on W and X', () => {
    const { cpu } = machine(`
      mov x0, #0
      bl inc
      adr x9, inc
      blr x9
      mov x1, #0x100000000
      cbz w1, wzero       // the W view of x1 is zero
      brk #1
    wzero:
      cbnz x1, done
      brk #2
    done:
      brk #0
    inc:
      add x0, x0, #1
      ret
    `);
    expect(cpu.run(100)).toMatchObject({ kind: 'brk', imm: 0 });
    expect(cpu.getX(0)).toBe(2n);
  });

  it('runs loops to the same result in one run or one step at a time', () => {
    const text = 'mov x0, #0\nmov x1, #300\n1: add x0, x0, x1\nsubs x1, x1, #1\nb.ne 1b\nbrk #0';
    const a = machine(text).cpu;
    expect(a.run(1_000_000).kind).toBe('brk');
    const b = machine(text).cpu;
    let s;
    do s = b.step();
    while (s.kind === 'budget');
    expect(b.registers()).toEqual(a.registers());
    expect(a.getX(0)).toBe(45150n);
    expect(a.insnCount).toBe(b.insnCount);
    expect(a.insnCount).toBe(2 + 300 * 3);
  });

  it('runs code that spans the 64 KiB pages of the decode cache', () => {
    const { cpu, space } = machine('nop');
    const words: number[] = [];
    for (let i = 0; i < 0x4100; i++) words.push(a64.encode({ kind: 'addSubImm', sf: true, sub: false, setFlags: false, rd: 0, rn: 0, imm12: 1, lsl12: false }));
    words.push(0xd4200000);
    load(space, TEXT, words);
    expect(cpu.run(1_000_000).kind).toBe('brk');
    expect(cpu.getX(0)).toBe(0x4100n);
  });
});

describe('stop reasons', () => {
  it('stops on BRK with the PC on it, and continues when the host steps over it', () => {
    const { cpu } = machine('brk #0x10\nmov x0, #1\nbrk #0');
    expect(cpu.run(10)).toEqual({ kind: 'brk', imm: 0x10, pc: TEXT });
    expect(cpu.pc).toBe(TEXT);
    cpu.pc += 4n;
    expect(cpu.run(10)).toEqual({ kind: 'brk', imm: 0, pc: TEXT + 8n });
    expect(cpu.getX(0)).toBe(1n);
  });

  it('traps host calls (brk #0x6b00 + nr) past the BRK, inline when a handler is set', () => {
    const { cpu } = machine('mov x0, #20\nbrk #0x6b01\nbrk #0x6b02\nadd x0, x0, #1\nbrk #0x6b03\nbrk #0');
    cpu.setHostCall(1, (core, nr) => core.setX(0, core.getX(0) * 2n + BigInt(nr)));
    cpu.setHostCall(3, () => 'stop');
    expect(cpu.run(100)).toEqual({ kind: 'hostcall', nr: 2, pc: TEXT + 8n });
    expect(cpu.pc).toBe(TEXT + 12n);
    expect(cpu.getX(0)).toBe(41n);
    expect(cpu.run(100)).toEqual({ kind: 'hostcall', nr: 3, pc: TEXT + 16n });
    expect(cpu.getX(0)).toBe(42n);
    expect(cpu.run(100)).toMatchObject({ kind: 'brk', imm: 0 });
    // mov, two inline host calls, one stopping host call, add, one more: the final BRK does not complete
    expect(cpu.insnCount).toBe(5);
  });

  it('lets a host call redirect the PC, as ftrace callbacks that set regs->pc do', () => {
    const { cpu, sym } = machine('brk #0x6b00\nbrk #1\nother: mov x0, #7\nbrk #0');
    cpu.setHostCall(0, (core) => {
      core.pc = sym('other');
    });
    expect(cpu.run(10)).toMatchObject({ kind: 'brk', imm: 0 });
    expect(cpu.getX(0)).toBe(7n);
  });

  it('refuses to re-enter run from a host call', () => {
    const { cpu } = machine('brk #0x6b00\nbrk #0');
    cpu.setHostCall(0, (core) => void core.run(1));
    expect(() => cpu.run(10)).toThrow(/already running/);
  });

  it('reports an undefined instruction with its word, and the UNDEFINED choice for unpredictable forms', () => {
    const { cpu } = machine('nop\n.inst 0x9b020c20\n.inst 0xf8408c00');
    expect(cpu.run(10)).toEqual({ kind: 'undefined', word: 0x9b020c20, pc: TEXT + 4n, unpredictable: false });
    cpu.pc = TEXT + 8n;
    expect(cpu.run(10)).toEqual({ kind: 'undefined', word: 0xf8408c00, pc: TEXT + 8n, unpredictable: true });
    expect(cpu.insnCount).toBe(1);
    const udf = machine('udf #7');
    expect(udf.cpu.run(10)).toEqual({ kind: 'undefined', word: 7, pc: TEXT, unpredictable: false });
  });

  it('stores the old register value for an unpredictable store with writeback into its base', () => {
    const { cpu, space } = machine(`mov x0, #${DATA}\n.inst 0xf8008c00\nbrk #0`); // str x0, [x0, #8]!
    expect(cpu.run(10).kind).toBe('brk');
    const r = space.read64(DATA + 8n);
    expect(r.ok && r.value).toBe(DATA);
    expect(cpu.getX(0)).toBe(DATA + 8n);
  });

  it('faults without side effects on an unmapped load, a store to ROM and a fetch from non-executable memory', () => {
    const { cpu, space } = machine('mov x0, #0x300000\nldp x1, x2, [x0]\nbrk #0');
    cpu.setX(1, 5n);
    expect(cpu.run(10)).toMatchObject({ kind: 'fault', pc: TEXT + 4n, fault: { kind: 'unmapped', access: 'read', addr: 0x300000n, errno: 'EFAULT' } });
    expect(cpu.getX(1)).toBe(5n);
    expect(cpu.pc).toBe(TEXT + 4n);

    space.rom('rom', 0x300000, new Uint8Array(16));
    const st = machine('mov x0, #0x300000\nstr x0, [x0]\nbrk #0');
    st.space.rom('rom', 0x300000, new Uint8Array(16));
    expect(st.cpu.run(10)).toMatchObject({ kind: 'fault', fault: { kind: 'permission', access: 'write', region: 'rom' } });

    const nx = new AddressSpace();
    nx.ram('data', 0x1000, 0x1000, { perms: 'rw' });
    const c = new A64Core(nx);
    c.pc = 0x1000n;
    expect(c.run(1)).toMatchObject({ kind: 'fault', pc: 0x1000n, fault: { kind: 'permission', access: 'execute' } });
  });

  it('keeps a pair store all or nothing when its second half is out of the region', () => {
    const { cpu, space } = machine(`mov x0, #${DATA}\nmovk x0, #0xfff8\nmov x1, #1\nstp x1, x1, [x0]\nbrk #0`);
    expect(cpu.run(10)).toMatchObject({ kind: 'fault', fault: { kind: 'bounds', access: 'write' } });
    const r = space.read64(DATA + 0x10000n - 8n);
    expect(r.ok && r.value).toBe(0n);
  });

  it('faults on a branch to a misaligned address and on an SP-based access with SP not 16-aligned', () => {
    const a = machine('mov x0, #0x10000\nadd x0, x0, #2\nbr x0');
    expect(a.cpu.run(10)).toEqual({ kind: 'alignment', what: 'pc', addr: 0x10002n, pc: 0x10002n });
    const b = machine('sub sp, sp, #8\nldr x0, [sp]\nbrk #0');
    expect(b.cpu.run(10)).toEqual({ kind: 'alignment', what: 'sp', addr: STACK_TOP - 8n, pc: TEXT + 4n });
    const c = machine('sub sp, sp, #8\nldr x0, [sp]\nbrk #0');
    const loose = new A64Core(c.space, { spAlignmentCheck: false });
    loose.pc = TEXT;
    loose.sp = STACK_TOP;
    expect(loose.run(10).kind).toBe('brk');
  });

  it('halts on WFI (past it), HLT (on it) and on request until resumed', () => {
    const { cpu } = machine('wfi\nhlt #0x42\nbrk #0');
    expect(cpu.run(10)).toEqual({ kind: 'halt', cause: 'wfi', imm: 0, pc: TEXT });
    expect(cpu.pc).toBe(TEXT + 4n);
    expect(cpu.run(10)).toEqual({ kind: 'halt', cause: 'hlt', imm: 0x42, pc: TEXT + 4n });
    cpu.pc = TEXT + 8n;
    cpu.requestHalt();
    expect(cpu.run(10)).toMatchObject({ kind: 'halt', cause: 'request' });
    cpu.resume();
    expect(cpu.run(10)).toMatchObject({ kind: 'brk' });
  });

  it('executes exactly the budget and reports it', () => {
    const { cpu } = machine('1: add x0, x0, #1\nb 1b');
    expect(cpu.run(1001)).toEqual({ kind: 'budget' });
    expect(cpu.getX(0)).toBe(501n);
    expect(cpu.run(0)).toEqual({ kind: 'budget' });
    expect(cpu.insnCount).toBe(1001);
  });
});

describe('shared ranges', () => {
  it('stops before each access to a shared range, then performs it on the next run', () => {
    const { cpu, space } = machine(`mov x1, #${DATA}\nldr x0, [x1]\nadd x0, x0, #1\nstr x0, [x1]\nldr x2, [x1, #64]\nbrk #0`);
    space.write64(DATA, 41n);
    cpu.share(DATA, 8);
    expect(cpu.run(100)).toEqual({ kind: 'shared', access: 'read', addr: DATA, size: 8, pc: TEXT + 4n });
    expect(cpu.getX(0)).toBe(0n);
    space.write64(DATA, 99n); // another task changes it at the yield point
    expect(cpu.run(100)).toEqual({ kind: 'shared', access: 'write', addr: DATA, size: 8, pc: TEXT + 12n });
    expect(cpu.getX(0)).toBe(100n);
    expect(cpu.run(100)).toMatchObject({ kind: 'brk' });
    const r = space.read64(DATA);
    expect(r.ok && r.value).toBe(100n);
  });

  it('stops before fetching from a range shared for execution only', () => {
    const { cpu, space } = machine('nop\nnop\nmov x0, #1\nbrk #0');
    const unshare = cpu.share(TEXT + 8n, 4, { execute: true });
    expect(cpu.run(100)).toEqual({ kind: 'shared', access: 'execute', addr: TEXT + 8n, size: 4, pc: TEXT + 8n });
    load(space, TEXT + 8n, [a64.assemble('mov x0, #2')[0] as number]); // patched at the yield point
    expect(cpu.run(100)).toMatchObject({ kind: 'brk' });
    expect(cpu.getX(0)).toBe(2n);
    unshare();
    cpu.pc = TEXT;
    expect(cpu.run(100)).toMatchObject({ kind: 'brk' });
  });

  it('stops on a pair that only partly overlaps a shared range', () => {
    const { cpu } = machine(`mov x1, #${DATA}\nstp x1, x1, [x1]\nbrk #0`);
    cpu.share(DATA + 12n, 1, { write: true });
    expect(cpu.run(10)).toMatchObject({ kind: 'shared', access: 'write', addr: DATA, size: 16 });
  });
});

describe('patching and several cores', () => {
  it('sees a patch of its own text on the next fetch', () => {
    const { cpu, space } = machine('mov x0, #1\nbrk #0');
    expect(cpu.run(10).kind).toBe('brk');
    expect(cpu.getX(0)).toBe(1n);
    space.write32(TEXT, a64.assemble('mov x0, #2')[0] as number);
    cpu.pc = TEXT;
    expect(cpu.run(10).kind).toBe('brk');
    expect(cpu.getX(0)).toBe(2n);
  });

  it('executes an instruction another core has just stored, as ftrace swings NOP to BL', () => {
    const text = `
    func:   nop                   // patched NOP <-> BL
            add x0, x0, #1
            brk #0
    tramp:  add x1, x1, #1
            ret
    patch:  str w2, [x3]          // the patching core
            brk #0
    `;
    const m = machine(text);
    const cpu1 = new A64Core(m.space, { id: 'cpu1' });
    const func = m.sym('func');
    const bl = a64.assemble('bl tramp', func, { symbols: { tramp: m.sym('tramp') } })[0] as number;
    m.cpu.pc = func;
    expect(m.cpu.run(10).kind).toBe('brk');
    expect([m.cpu.getX(0), m.cpu.getX(1)]).toEqual([1n, 0n]);
    cpu1.pc = m.sym('patch');
    cpu1.setX(2, BigInt(bl));
    cpu1.setX(3, func);
    expect(cpu1.run(10).kind).toBe('brk');
    m.cpu.pc = func;
    m.cpu.setX(30, 0n);
    // the BL clobbers x30 and returns to func + 4
    expect(m.cpu.run(10).kind).toBe('brk');
    expect([m.cpu.getX(0), m.cpu.getX(1)]).toEqual([2n, 1n]);
  });

  it('runs kernel text at kernel addresses above 2^63', () => {
    const base = 0xffff800010080000n;
    const { cpu } = machine('stp x29, x30, [sp, #-16]!\nmov x29, sp\nbl f\nldp x29, x30, [sp], #16\nbrk #0\nf: mov x0, #42\nret', { textBase: base });
    cpu.setX(30, 0x1234n);
    expect(cpu.run(100)).toMatchObject({ kind: 'brk', pc: base + 16n });
    expect(cpu.getX(0)).toBe(42n);
    expect(cpu.getX(30)).toBe(0x1234n);
  });
});

describe('register API', () => {
  it('validates register numbers and values with A64Error', () => {
    const cpu = new A64Core(new AddressSpace());
    expect(() => cpu.getX(31)).toThrow(A64Error);
    expect(() => cpu.setX(0, 1n << 64n)).toThrow(/64 bits/);
    expect(() => cpu.setX(0, 0.5)).toThrow(/integer/);
    expect(() => (cpu.nzcv = 16)).toThrow(/nzcv/);
    expect(() => cpu.run(-1)).toThrow(/non-negative/);
    expect(() => cpu.setHostCall(256, () => undefined)).toThrow(/host call number/);
    expect(() => new A64Core({} as AddressSpace)).toThrow(/AddressSpace/);
    cpu.setX(3, -1);
    expect(cpu.getX(3)).toBe(M64);
    expect(cpu.getW(3)).toBe(0xffffffff);
    cpu.setW(3, 5);
    expect(cpu.getX(3)).toBe(5n);
  });

  it('fetches from an unmapped PC as a fault, never an exception', () => {
    const cpu = new A64Core(new AddressSpace());
    expect(cpu.run(1)).toMatchObject({ kind: 'fault', fault: { kind: 'unmapped', access: 'execute' } });
  });
});

describe('mapping changes during a run', () => {
  it('stops using a region an MMIO handler unmapped in the middle of a run', () => {
    const { cpu, space } = machine(`mov x1, #${DATA}\nldr x0, [x1]\nmov x2, #0x200000\nldr w3, [x2]\nldr x0, [x1]\nbrk #0`);
    space.mmio('dev', 0x200000, 0x100, {
      read: () => (space.unmap('data'), 0),
      write: () => undefined,
    });
    expect(cpu.run(100)).toMatchObject({ kind: 'fault', pc: TEXT + 16n, fault: { kind: 'unmapped', addr: DATA } });
  });
});
