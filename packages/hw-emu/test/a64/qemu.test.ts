// Differential execution against qemu-aarch64 (issue 5, "Oracles"): the same
// source is assembled by GNU as (for qemu) and by k's assembler (for k's core);
// the encodings must be identical, and after running, the buffer where the program
// dumped its registers and flags (and kept its data) must be byte for byte the same.
// Only instructions of the subset run in both; the final write/exit system calls
// are `.inst` words, which k's core reports as undefined, ending its run there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { a64, A64Core, AddressSpace } from '../../src/index';
import type { A64Insn, ExtendType, LdStOp, ShiftType } from '../../src/index';
import { oracleIt } from './oracle';

const TOOLS = ['qemu-aarch64', 'aarch64-linux-gnu-as', 'aarch64-linux-gnu-ld', 'aarch64-linux-gnu-objcopy'];
const TEXT = 0x400000n;
const BUF = 0x500000n;
const BUF_SIZE = 0x10000;

// x0-x15 are the program's registers; x24 (initial SP), x26 (data pointer), x27 (scratch)
// and x28 (dump pointer) belong to the harness.
const PROLOGUE = `
.text
.global _start
_start:
  adrp x28, buf
  add x28, x28, :lo12:buf
  add x26, x28, #1024
  add x24, x28, #4096
  mov sp, x24
  add x28, x28, #8192
${Array.from({ length: 16 }, (_, i) => `  mov x${i}, #0`).join('\n')}
  adds x0, x0, #0
`;
const DUMP = `
  stp x0, x1, [x28, #0]
  stp x2, x3, [x28, #16]
  stp x4, x5, [x28, #32]
  stp x6, x7, [x28, #48]
  stp x8, x9, [x28, #64]
  stp x10, x11, [x28, #80]
  stp x12, x13, [x28, #96]
  stp x14, x15, [x28, #112]
  mov x27, sp
  str x27, [x28, #128]
  mov x27, #0
  b.pl 1f
  add x27, x27, #8
1: b.ne 1f
  add x27, x27, #4
1: b.cc 1f
  add x27, x27, #2
1: b.vc 1f
  add x27, x27, #1
1: str x27, [x28, #136]
  add x28, x28, #144
  mov sp, x24
`;
const EPILOGUE = `
exit:
  adrp x1, buf
  add x1, x1, :lo12:buf
  mov x0, #1
  mov x2, #${BUF_SIZE}
  mov x8, #64
  .inst 0xd4000001 // svc #0: write(1, buf, size)
  mov x0, #0
  mov x8, #93
  .inst 0xd4000001 // svc #0: exit(0)
.data
.balign 16
buf: .space ${BUF_SIZE}
`;

function run(cmd: string, args: string[], cwd: string): Buffer {
  const r = spawnSync(cmd, args, { cwd, maxBuffer: 1 << 24 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Runs the program under qemu; returns the text words GNU as produced and the dumped buffer. */
function onQemu(body: string): { words: number[]; buf: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'k-a64-qemu-'));
  try {
    writeFileSync(join(dir, 'p.s'), PROLOGUE + body + EPILOGUE);
    run('aarch64-linux-gnu-as', ['p.s', '-o', 'p.o'], dir);
    run('aarch64-linux-gnu-ld', [`-Ttext=0x${TEXT.toString(16)}`, `-Tdata=0x${BUF.toString(16)}`, '-e', '_start', 'p.o', '-o', 'p'], dir);
    run('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', 'p', 'p.bin'], dir);
    const bin = readFileSync(join(dir, 'p.bin'));
    const words: number[] = [];
    for (let o = 0; o + 4 <= bin.length; o += 4) words.push(bin.readUInt32LE(o));
    return { words, buf: new Uint8Array(run('qemu-aarch64', ['./p'], dir)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the program on k's core; returns k's words and the buffer. */
function onK(body: string): { words: number[]; buf: Uint8Array } {
  const source = (PROLOGUE + body + EPILOGUE).replace(/\n\.data[\s\S]*$/, '\n');
  const words = a64.assemble(source, TEXT, { symbols: { buf: BUF } });
  const space = new AddressSpace();
  space.ram('text', TEXT, 0x40000);
  space.ram('buf', BUF, BUF_SIZE);
  space.writeBytes(TEXT, new Uint8Array(new Uint32Array(words).buffer));
  const cpu = new A64Core(space);
  cpu.pc = TEXT;
  const stop = cpu.run(10_000_000);
  expect(stop).toMatchObject({ kind: 'undefined', word: 0xd4000001 });
  const buf = space.readBytes(BUF, BUF_SIZE);
  if (!buf.ok) throw new Error(buf.fault.message);
  return { words, buf: buf.value };
}

function compare(body: string): void {
  const q = onQemu(body);
  const k = onK(body);
  expect(k.words.map((w) => w.toString(16))).toEqual(q.words.map((w) => w.toString(16)));
  const slots = (b: Uint8Array) => {
    const dv = new DataView(b.buffer, b.byteOffset);
    const out: string[] = [];
    for (let o = 8192; o + 144 <= BUF_SIZE; o += 144) {
      const regs = Array.from({ length: 17 }, (_, i) => dv.getBigUint64(o + 8 * i, true).toString(16));
      if (regs.every((r) => r === '0') && dv.getBigUint64(o + 136, true) === 0n) break;
      out.push(`${regs.slice(0, 16).join(' ')} sp=${regs[16]} nzcv=${dv.getBigUint64(o + 136, true).toString(2)}`);
    }
    return out;
  };
  expect(slots(k.buf)).toEqual(slots(q.buf));
  expect(Buffer.from(k.buf).equals(Buffer.from(q.buf))).toBe(true);
}

// ---- random blocks of subset instructions -----------------------------------------

const pool = fc.integer({ min: 0, max: 15 });
const poolOrZr = fc.oneof({ weight: 6, arbitrary: pool }, { weight: 1, arbitrary: fc.constant(31) });
const LDST: readonly (readonly [LdStOp, boolean, number])[] = [
  ['str', false, 4], ['str', true, 8], ['ldr', false, 4], ['ldr', true, 8], ['strb', false, 1], ['ldrb', false, 1],
  ['strh', false, 2], ['ldrh', false, 2], ['ldrsb', false, 1], ['ldrsb', true, 1], ['ldrsh', false, 2], ['ldrsh', true, 2], ['ldrsw', true, 4],
];
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

const dataInsn: fc.Arbitrary<A64Insn> = fc.oneof(
  fc.record({ kind: fc.constant('addSubImm' as const), sf: fc.boolean(), sub: fc.boolean(), setFlags: fc.boolean(), rd: poolOrZr, rn: poolOrZr, imm12: fc.nat(4095), lsl12: fc.boolean() }),
  fc
    .record({ sf: fc.boolean(), sub: fc.boolean(), setFlags: fc.boolean(), rd: poolOrZr, rn: poolOrZr, rm: poolOrZr, shift: fc.constantFrom<ShiftType>('lsl', 'lsr', 'asr'), amount: fc.nat(63) })
    .map((x) => ({ kind: 'addSubShifted' as const, ...x, amount: x.sf ? x.amount : x.amount & 31 })),
  fc.record({
    kind: fc.constant('addSubExtended' as const),
    sf: fc.boolean(),
    sub: fc.boolean(),
    setFlags: fc.boolean(),
    rd: poolOrZr,
    rn: poolOrZr,
    rm: poolOrZr,
    extend: fc.constantFrom<ExtendType>('uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'),
    amount: fc.nat(4),
  }),
  fc.record({ op: fc.constantFrom('movn' as const, 'movz' as const, 'movk' as const), sf: fc.boolean(), rd: poolOrZr, imm16: fc.nat(0xffff), hw: fc.nat(3) }).map((x) => ({
    kind: 'movWide' as const,
    ...x,
    hw: x.sf ? x.hw : x.hw & 1,
  })),
  fc.record({ kind: fc.constant('movReg' as const), sf: fc.boolean(), rd: poolOrZr, rm: poolOrZr }),
  fc.tuple(fc.constantFrom(...LDST), fc.constantFrom('offset' as const, 'unscaled' as const), poolOrZr, fc.nat(63), fc.integer({ min: -256, max: 255 })).map(
    ([[op, rt64, size], mode, rt, u, s]) => ({ kind: 'ldst' as const, op, rt64, mode, rt, rn: 26, offset: mode === 'offset' ? u * size : s }),
  ),
  fc.tuple(fc.boolean(), fc.boolean(), poolOrZr, poolOrZr, fc.integer({ min: -32, max: 31 })).map(([load, sf, rt, rt2, q]) => ({
    kind: 'ldstPair' as const,
    load,
    sf,
    mode: 'offset' as const,
    rt,
    rt2: load && rt2 === rt ? (rt + 1) & 15 : rt2,
    rn: 26,
    offset: q * (sf ? 8 : 4),
  })),
);

const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: dataInsn.map((x) => a64.disassemble(a64.encode(x))) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 15 }), dataInsn).map(([cond, x]) => `b.${a64.COND_NAMES[cond]} 2f\n  ${a64.disassemble(a64.encode(x))}\n2:`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.boolean(), fc.boolean(), poolOrZr, dataInsn).map(([nz, sf, rt, x]) => `${nz ? 'cbnz' : 'cbz'} ${sf ? 'x' : 'w'}${rt === 31 ? 'zr' : rt}, 2f\n  ${a64.disassemble(a64.encode(x))}\n2:`),
  },
  { weight: 1, arbitrary: fc.tuple(pool, fc.boolean()).map(([rd, page]) => (page ? `adrp x${rd}, buf` : `adr x${rd}, 2f\n2:`)) },
);

const constant = fc.tuple(pool, u64).map(([rd, v]) =>
  [0, 1, 2, 3].map((hw) => `${hw === 0 ? 'movz' : 'movk'} x${rd}, #${(v >> BigInt(16 * hw)) & 0xffffn}, lsl #${16 * hw}`).join('\n  '),
);
const block = fc.tuple(fc.array(constant, { minLength: 1, maxLength: 2 }), fc.array(line, { minLength: 1, maxLength: 10, size: 'max' })).map(([c, l]) => `  ${[...c, ...l].join('\n  ')}\n${DUMP}`);
const program = fc.array(block, { minLength: 1, maxLength: 40, size: 'max' }).map((b) => b.join('\n'));

describe('differential execution against qemu-aarch64', () => {
  oracleIt(
    'ends hand-written programs (calls, loops, stack, every load and store form) in the same state as qemu',
    TOOLS,
    () => {
      compare(`
  // a call with a frame record, a loop, and literal loads
  mov x0, #10
  bl sum_to
  mov x5, x0
  ldr x6, lit
  ldr w7, lit
  ldrsw x8, lit + 4
  b over
.balign 8
lit: .quad 0x80000000fffffffe
over:
  // every addressing form against the data pointer (restored afterwards)
  mov x9, x26
  movz x10, #0x8899, lsl #48
  movk x10, #0xaabb, lsl #32
  movk x10, #0xccdd, lsl #16
  movk x10, #0xeeff
  str x10, [x9, #8]!
  str w10, [x9], #12
  strh w10, [x9, #-2]!
  strb w10, [x9], #-1
  stp x10, x5, [x9, #16]!
  stp w10, w5, [x9], #-24
  ldp x11, x12, [x9, #24]
  ldr x13, [x9, #-7]
  ldrsh x14, [x9, #10]
  ldrsb w15, [x9, #9]
  ldp w1, w2, [x9], #8
  ldr x3, [x9, #-4]!
  sub x4, x9, x26
  ${DUMP}
  // stack use with pre/post-indexed pairs
  stp x29, x30, [sp, #-32]!
  mov x29, sp
  stp x0, x1, [sp, #16]
  ldp x2, x3, [sp, #16]
  ldp x29, x30, [sp], #32
  ${DUMP}
  b exit
sum_to:
  stp x29, x30, [sp, #-16]!
  mov x29, sp
  mov x1, #0
1: add x1, x1, x0
  subs x0, x0, #1
  b.ne 1b
  mov x0, x1
  ldp x29, x30, [sp], #16
  ret
`);
    },
    60_000,
  );

  oracleIt(
    'ends random blocks of subset instructions in the same registers, flags and memory as qemu',
    TOOLS,
    () => {
      fc.assert(
        fc.property(program, (body) => {
          compare(body + '\n  b exit\n');
        }),
        { seed: 0x6b64, numRuns: 16 },
      );
    },
    180_000,
  );
});
