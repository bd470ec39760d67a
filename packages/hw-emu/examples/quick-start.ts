// README example (Quick start). Run: npx tsx examples/quick-start.ts (after a build).
/* eslint-disable @typescript-eslint/no-unused-expressions -- each bare expression shows a value */
import { a64, A64Core, AddressSpace, TextPatchGuard } from '@k/hw-emu';

const space = new AddressSpace();
space.ram('dram', 0x4000_0000, 0x10000);
space.write32(0x4000_0010, 0xdeadbeef); // => { ok: true }
space.read32(0x4000_0010);              // => { ok: true, value: 3735928559 }
space.read32(0x5000_0000);              // => { ok: false, fault: { kind: 'unmapped', errno: 'EFAULT',
                                        //      message: 'read of 4 bytes at 0x50000000: no region is mapped there' } }

a64.assemble('mov x9, x30\nbl #4096');  // => [0xaa1e03e9, 0x94000400]
a64.disassemble(0x94000400);            // => 'bl #4096'
a64.disassemble(0x94000400, 0x1000);    // => 'bl 0x2000'

const prog = a64.assembleProgram(`
func:   mov  x9, x30          // what ftrace_init_nop writes at boot
        nop                   // ftrace swings this NOP <-> BL tramp
        add  x0, x0, #1
        brk  #0
tramp:  brk  #0x6b00          // host call 0: a TypeScript callback
        ret                   // back into func
`, 0x4000_0000);
space.writeWords(0x4000_0000, prog.words);
const func = prog.symbols.get('func')!;
const tramp = prog.symbols.get('tramp')!;

const cpu = new A64Core(space, { id: 'cpu0' });
let calls = 0;
cpu.setHostCall(0, () => void calls++);
cpu.pc = func;
cpu.run(1000);                          // => { kind: 'brk', imm: 0, pc: 0x4000000cn }
[cpu.getX(0), calls];                   // => [1n, 0]

const guard = new TextPatchGuard(space, func, 16);           // other cores may run this text
space.write32(func + 4n, a64.assemble('bl tramp', func + 4n, { symbols: { tramp } })[0]!, { initiator: 'cpu1' });
guard.violations.length;                // => 0
// NOP -> BL may be patched live: the next run fetches the patch and calls the host
cpu.pc = func;
cpu.run(1000);                          // => { kind: 'brk' }
[cpu.getX(0), calls];                   // => [2n, 1]
space.write32(func, 0xd503201f, { initiator: 'cpu1' });
guard.violations[0]!.message;           // => "live patch at 0x40000000 by cpu1: 'mov x9, x30' -> 'nop': only B, BL, NOP, BRK, SVC, HVC, SMC and ISB may be replaced while other cores run"
