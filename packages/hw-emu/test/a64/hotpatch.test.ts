// The cross-modification rule (Arm ARM B2.2.5) and the guard that applies it to text
// writes, with seed 004's patches: NOP <-> BL live is allowed, MOV X9, LR is not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { a64, A64Core, AddressSpace, TextPatchGuard } from '../../src/index';
import type { CrossModificationViolation, HotpatchClass } from '../../src/index';
import { load } from './machine';

const NOP = 0xd503201f;
const BL = 0x94000400; // bl #4096
const MOV_X9_LR = 0xaa1e03e9;
const TEXT = 0x1000n;

const EXAMPLES: Record<HotpatchClass, number> = {
  b: 0x14000010,
  bl: BL,
  nop: NOP,
  brk: 0xd4200020,
  svc: 0xd4000001,
  hvc: 0xd4000022,
  smc: 0xd4000003,
  isb: 0xd5033fdf,
};

describe('isHotpatchSafe', () => {
  it('allows swapping any two of B, BL, NOP, BRK, SVC, HVC, SMC and ISB', () => {
    for (const a of Object.values(EXAMPLES)) for (const b of Object.values(EXAMPLES)) expect(a64.isHotpatchSafe(a, b)).toBe(true);
    expect(a64.isHotpatchSafe(NOP, BL)).toBe(true);
    expect(a64.isHotpatchSafe(BL, NOP)).toBe(true);
  });

  it("refuses the boot-time NOP -> MOV X9, LR of ftrace_init_nop and every other pair with an outsider", () => {
    expect(a64.isHotpatchSafe(NOP, MOV_X9_LR)).toBe(false);
    expect(a64.isHotpatchSafe(MOV_X9_LR, NOP)).toBe(false);
    expect(a64.isHotpatchSafe(NOP, a64.assemble('bti c')[0] as number)).toBe(false); // a hint, but not NOP
    expect(a64.isHotpatchSafe(BL, a64.assemble('blr x9')[0] as number)).toBe(false);
    expect(a64.isHotpatchSafe(NOP, a64.assemble('b.ne #8')[0] as number)).toBe(false);
  });

  it('classifies words exactly as the decoder does for the instructions of the subset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0xfc000000, 0xffe0001f, 0xfffff01f, 0xfffff0ff, 0), (bits, keep) => {
        const w = ((bits & ~keep) | (((Object.values(EXAMPLES)[bits % 8] as number) & keep))) >>> 0;
        const cls = a64.hotpatchClass(w);
        const insn = a64.decode(w);
        if (insn?.kind === 'branch') expect(cls).toBe(insn.link ? 'bl' : 'b');
        else if (insn?.kind === 'hint') expect(cls).toBe(insn.imm === 0 ? 'nop' : null);
        else if (insn?.kind === 'brk') expect(cls).toBe('brk');
        else if (insn?.kind === 'isb') expect(cls).toBe('isb');
        else if (insn !== null) expect(cls).toBeNull();
        else if (cls !== null) expect(['svc', 'hvc', 'smc']).toContain(cls);
      }),
      { seed: 21, numRuns: 5000 },
    );
  });
});

function text(): { space: AddressSpace; guard: TextPatchGuard; seen: CrossModificationViolation[] } {
  const space = new AddressSpace();
  space.ram('text', TEXT, 0x1000, { perms: 'rx' });
  load(space, TEXT, [NOP, NOP, NOP, NOP]);
  const seen: CrossModificationViolation[] = [];
  const guard = new TextPatchGuard(space, TEXT, 0x1000, { onViolation: (v) => seen.push(v) });
  return { space, guard, seen };
}

describe('TextPatchGuard', () => {
  it('accepts the live NOP <-> BL swing of ftrace_make_call and ftrace_make_nop', () => {
    const { space, guard } = text();
    expect(space.write32(TEXT + 4n, BL, { privileged: true, initiator: 'cpu0' }).ok).toBe(true);
    expect(space.write32(TEXT + 4n, NOP, { privileged: true, initiator: 'cpu0' }).ok).toBe(true);
    expect(guard.violations).toEqual([]);
  });

  it('reports MOV X9, LR written while other cores run, as a value, and still performs the write', () => {
    const { space, guard, seen } = text();
    const r = space.write32(TEXT, MOV_X9_LR, { privileged: true, initiator: 'cpu0' });
    expect(r.ok).toBe(true);
    expect(guard.violations).toEqual([
      {
        kind: 'cross-modification',
        reason: 'not-hotpatch-safe',
        addr: TEXT,
        oldWord: NOP,
        newWord: MOV_X9_LR,
        initiator: 'cpu0',
        message: "live patch at 0x1000 by cpu0: 'nop' -> 'mov x9, x30': only B, BL, NOP, BRK, SVC, HVC, SMC and ISB may be replaced while other cores run",
      },
    ]);
    expect(seen).toEqual(guard.violations);
    const now = space.read32(TEXT);
    expect(now.ok && now.value).toBe(MOV_X9_LR);
  });

  it('accepts any patch once the other cores are stopped, as stop_machine does', () => {
    const { space, guard } = text();
    guard.setOthersRunning(false);
    space.write32(TEXT, MOV_X9_LR, { privileged: true });
    expect(guard.violations).toEqual([]);
    const writers: (string | null)[] = [];
    guard.setOthersRunning((who) => (writers.push(who), who !== 'cpu0'));
    space.write32(TEXT + 4n, MOV_X9_LR, { privileged: true, initiator: 'cpu0' });
    space.write32(TEXT + 8n, MOV_X9_LR, { privileged: true, initiator: 'cpu1' });
    expect(writers).toEqual(['cpu0', 'cpu1']);
    expect(guard.violations.map((v) => v.addr)).toEqual([TEXT + 8n]);
  });

  it("checks an emulated core's own stores into the text", () => {
    const space = new AddressSpace();
    space.ram('text', TEXT, 0x1000);
    const prog = a64.assemble(`str w1, [x0]\nstr w2, [x0, #4]\nbrk #0\nslot: nop\nnop`, TEXT);
    load(space, TEXT, prog);
    const guard = new TextPatchGuard(space, TEXT, 0x1000);
    const cpu = new A64Core(space, { id: 'cpu1' });
    cpu.pc = TEXT;
    cpu.setX(0, TEXT + 12n);
    cpu.setX(1, BL);
    cpu.setX(2, MOV_X9_LR);
    expect(cpu.run(10).kind).toBe('brk');
    expect(guard.violations).toMatchObject([{ addr: TEXT + 16n, oldWord: NOP, newWord: MOV_X9_LR, initiator: 'cpu1', reason: 'not-hotpatch-safe' }]);
  });

  it('reports a write that is not single-copy atomic for the instruction it changes as torn', () => {
    const { space, guard } = text();
    const bl = new Uint8Array(new Uint32Array([BL]).buffer);
    space.writeBytes(TEXT, bl, { privileged: true });
    expect(guard.violations).toMatchObject([{ reason: 'torn-write', addr: TEXT, oldWord: NOP, newWord: BL }]);
    // an aligned 64-bit store is single-copy atomic for both words
    space.write64(TEXT + 8n, (BigInt(BL) << 32n) | BigInt(BL), { privileged: true });
    expect(guard.violations).toHaveLength(1);
  });

  it('ignores writes that change nothing or fall outside the text, and stops when detached', () => {
    const { space, guard } = text();
    space.write32(TEXT, NOP, { privileged: true });
    space.ram('data', 0x10000, 0x100);
    space.write32(0x10000, MOV_X9_LR);
    expect(guard.violations).toEqual([]);
    guard.detach();
    space.write32(TEXT, MOV_X9_LR, { privileged: true });
    expect(guard.violations).toEqual([]);
  });

  it('validates its range', () => {
    const space = new AddressSpace();
    expect(() => new TextPatchGuard(space, 2, 8)).toThrow(/aligned/);
    expect(() => new TextPatchGuard(space, 0, 6)).toThrow(/multiple of 4/);
  });
});
