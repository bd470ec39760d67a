// The functions of the emulated kernel, written as GCC emits them for arm64 with
// -fpatchable-function-entry=2 (seed 004): the image builder puts the two NOPs
// in front of each body below (and, for the call-ops design, the two
// pre-function NOPs of -fpatchable-function-entry=4,2). Each body follows the
// AAPCS64: arguments in x0-x7 (more on the stack), x8 the indirect result
// location, x19-x28 callee-saved, a frame record where the function calls.
// `foo`/`bar` are the seed's own example; the others exercise what the
// trampolines must preserve (stack arguments, x8, callee-saved registers,
// recursion, memory), and a read path with the names of fs/read_write.c whose
// bodies are stand-ins that compute a result from the arguments.

/** A function of the emulated kernel. */
export interface KFunc {
  readonly name: string;
  /** AArch64 assembly of the body (after the patchable NOPs), llvm-mc syntax. */
  readonly body: string;
  /** Number of integer arguments (those beyond 8 are passed on the stack). */
  readonly args: number;
  /** Built without the patchable entry (notrace): no NOPs, no __mcount_loc entry. */
  readonly notrace?: boolean;
  /** A TypeScript reference of the result in x0 (unsigned 64-bit), for the property tests. */
  readonly ref?: (a: readonly bigint[]) => bigint;
  /** The arguments the property tests may pass (default: any 64-bit value). */
  readonly argDomain?: readonly bigint[];
  /** One line: what the function stands for. */
  readonly doc: string;
}

const M = (v: bigint) => BigInt.asUintN(64, v);
const S = (v: bigint) => BigInt.asIntN(64, v);

export const SAMPLE_FUNCTIONS: readonly KFunc[] = [
  {
    name: 'bar',
    args: 0,
    doc: 'unsigned long bar(void) { return 41; }',
    body: `
        mov     x0, #41
        ret`,
    ref: () => 41n,
  },
  {
    name: 'foo',
    args: 0,
    doc: "the seed's example, as GCC 8.1 compiles it: return bar() + 1",
    body: `
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        bl      bar
        add     x0, x0, #0x1
        ldp     x29, x30, [sp], #16
        ret`,
    ref: () => 42n,
  },
  {
    name: 'add3',
    args: 3,
    doc: 'a leaf: return a + b + c',
    body: `
        add     x0, x0, x1
        add     x0, x0, x2
        ret`,
    ref: (a) => M(a[0]! + a[1]! + a[2]!),
  },
  {
    name: 'sum10',
    args: 10,
    doc: 'ten arguments, the last two on the caller\'s stack',
    body: `
        add     x0, x0, x1
        add     x0, x0, x2
        add     x0, x0, x3
        add     x0, x0, x4
        add     x0, x0, x5
        add     x0, x0, x6
        add     x0, x0, x7
        ldp     x9, x10, [sp]
        add     x0, x0, x9
        add     x0, x0, x10
        ret`,
    ref: (a) => M(a.slice(0, 10).reduce((s, v) => s + v, 0n)),
  },
  {
    name: 'clamp',
    args: 3,
    doc: 'long clamp(long x, long lo, long hi), with conditional branches',
    body: `
        cmp     x0, x1
        b.ge    1f
        mov     x0, x1
        ret
1:      cmp     x0, x2
        b.le    2f
        mov     x0, x2
2:      ret`,
    ref: (a) => {
      const x = S(a[0]!);
      const lo = S(a[1]!);
      const hi = S(a[2]!);
      return M(x < lo ? lo : x > hi ? hi : x);
    },
  },
  {
    name: 'make_pair',
    args: 2,
    doc: 'struct pair make_pair(a, b): a 24-byte struct returned through x8 ({a, b, a + b})',
    body: `
        stp     x0, x1, [x8]
        add     x0, x0, x1
        str     x0, [x8, #16]
        ret`,
  },
  {
    name: 'fib',
    args: 1,
    doc: 'recursive Fibonacci: frames, x19/x20, nested traced calls',
    argDomain: [0n, 1n, 2n, 3n, 5n, 8n],
    body: `
        stp     x29, x30, [sp, #-32]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        mov     x19, x0
        cmp     x0, #2
        b.lo    1f
        sub     x0, x19, #1
        bl      fib
        mov     x20, x0
        sub     x0, x19, #2
        bl      fib
        add     x0, x0, x20
        b       2f
1:      mov     x0, x19
2:      ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #32
        ret`,
    ref: (a) => {
      let [x, y] = [0n, 1n];
      for (let i = 0n; i < a[0]!; i++) [x, y] = [y, M(x + y)];
      return x;
    },
  },
  {
    name: 'checksum',
    args: 2,
    doc: 'sum of len bytes at buf: loads and a loop',
    body: `
        mov     x2, #0
        cbz     x1, 2f
1:      ldrb    w3, [x0], #1
        add     x2, x2, x3
        subs    x1, x1, #1
        b.ne    1b
2:      mov     x0, x2
        ret`,
  },
  {
    name: 'callee_saved',
    args: 2,
    doc: 'keeps values in x19-x21 across a nested traced call: 4a + 2b',
    body: `
        stp     x29, x30, [sp, #-48]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        str     x21, [sp, #32]
        mov     x19, x0
        mov     x20, x1
        add     x21, x0, x1
        mov     x2, x21
        bl      add3
        add     x0, x0, x19
        sub     x0, x0, x20
        add     x0, x0, x21
        ldp     x19, x20, [sp, #16]
        ldr     x21, [sp, #32]
        ldp     x29, x30, [sp], #48
        ret`,
    ref: (a) => M(4n * a[0]! + 2n * a[1]!),
  },
  {
    name: 'ksys_read',
    args: 2,
    doc: 'ksys_read(fd, count): __fdget(), then vfs_read(); -EBADF for a bad fd',
    body: `
        stp     x29, x30, [sp, #-32]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        mov     x20, x1
        bl      __fdget
        cbz     x0, 1f
        mov     x19, x0
        mov     x1, x20
        bl      vfs_read
        b       2f
1:      mov     x0, #-9
2:      ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #32
        ret`,
    ref: (a) => {
      const fd = a[0]!;
      if (fd >= 64n) return M(-9n);
      const count = a[1]!;
      if (count > 0x7ffff000n) return M(-22n);
      return count > 4096n ? 4096n : count;
    },
  },
  {
    name: '__fdget',
    args: 1,
    doc: 'a stand-in struct file pointer for fds below 64, else NULL',
    body: `
        cmp     x0, #64
        b.hs    1f
        mov     x1, #0x1000
        add     x0, x1, x0, lsl #4
        ret
1:      mov     x0, #0
        ret`,
    ref: (a) => (a[0]! < 64n ? 0x1000n + a[0]! * 16n : 0n),
  },
  {
    name: 'vfs_read',
    args: 2,
    doc: 'vfs_read(file, count): rw_verify_area(), __vfs_read(), fsnotify_access()',
    body: `
        stp     x29, x30, [sp, #-32]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        mov     x19, x0
        mov     x20, x1
        mov     x0, x1
        bl      rw_verify_area
        cmp     x0, #0
        b.lt    1f
        mov     x0, x19
        mov     x1, x20
        bl      __vfs_read
        mov     x20, x0
        mov     x0, x19
        bl      fsnotify_access
        mov     x0, x20
1:      ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #32
        ret`,
  },
  {
    name: 'rw_verify_area',
    args: 1,
    doc: '-EINVAL when count exceeds MAX_RW_COUNT (INT_MAX & PAGE_MASK)',
    body: `
        movz    x1, #0xf000
        movk    x1, #0x7fff, lsl #16
        cmp     x0, x1
        b.hi    1f
        mov     x0, #0
        ret
1:      mov     x0, #-22
        ret`,
    ref: (a) => (a[0]! > 0x7ffff000n ? M(-22n) : 0n),
  },
  {
    name: '__vfs_read',
    args: 2,
    doc: 'reads at most a page: min(count, 4096)',
    body: `
        cmp     x1, #4096
        b.ls    1f
        mov     x1, #4096
1:      mov     x0, x1
        ret`,
    ref: (a) => (a[1]! > 4096n ? 4096n : a[1]!),
  },
  {
    name: 'fsnotify_access',
    args: 1,
    doc: 'void fsnotify_access(file): nothing to notify here',
    body: `
        mov     x0, #0
        ret`,
    ref: () => 0n,
  },
  {
    name: 'el0_svc',
    args: 0,
    notrace: true,
    doc: 'notrace entry code: read(3, buf, 128) through ksys_read()',
    body: `
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        mov     x0, #3
        mov     x1, #128
        bl      ksys_read
        ldp     x29, x30, [sp], #16
        ret`,
  },
  {
    name: 'worker_thread',
    args: 0,
    notrace: true,
    doc: 'notrace driver of the second CPU: calls foo()',
    body: `
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        bl      foo
        ldp     x29, x30, [sp], #16
        ret`,
  },
];

/** The live-patched replacement of `add3` (a module's new function): a + b + c + 1000. */
export const LIVEPATCH_FUNCTIONS: readonly KFunc[] = [
  {
    name: 'livepatch_add3',
    args: 3,
    doc: 'the new version of add3 a livepatch redirects to: a + b + c + 1000',
    body: `
        add     x0, x0, x1
        add     x0, x0, x2
        add     x0, x0, #1000
        ret`,
    ref: (a) => M(a[0]! + a[1]! + a[2]! + 1000n),
  },
];
