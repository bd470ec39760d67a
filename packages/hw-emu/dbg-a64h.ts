import { machine } from './test/a64/machine';
const base = 0xffff800010000ff8n;
let m = machine('adr x0, #12\nadrp x1, #8192\nadr x2, #-1\nbrk #0', { textBase: base });
console.log(m.cpu.run(10));
m = machine(`
      mov x0, #1
      mov x1, #2
      stp x0, x1, [sp, #-16]!
      stp w0, w1, [sp, #-16]!
      ldp w2, w3, [sp], #16
      ldp x4, x5, [sp]
      ldr x6, [sp, #8]!
      str x6, [sp], #-8
      ldp x7, x8, [sp, #0]
      brk #0
`);
console.log(m.cpu.run(100), m.cpu.sp.toString(16));
