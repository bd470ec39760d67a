// @k/arm64-ftrace/scenarios: the checked scenarios of seed 004 for `k check`.
// Each execution builds an emulated kernel (./internal/kernel), runs its
// functions on hw-emu's AArch64 core, and patches its text with the seed's
// arch/arm64/kernel/ftrace.c. The variants are kernels: `seed` (v5.5 with the
// seed), `v5.8` (its Kconfig typo fixed), `fixed` (v5.19, the 2022 fixes),
// `call-ops` (v6.3, DYNAMIC_FTRACE_WITH_ARGS + CALL_OPS); and faulty models the
// checker must reject (`init-nop-live`, `torn-write`).
import { choose, defineScenario, EINVAL, EFAULT, EPERM, kassert, type KGen, type Scenario } from '@k/core-sync';
import { ftrace_init_nop, ftrace_make_call, ftrace_modify_code } from './internal/arch-ftrace';
import {
  FTRACE_FL_ENABLED, FTRACE_OPS_FL_IPMODIFY, FTRACE_OPS_FL_SAVE_REGS, FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED, type ftrace_ops,
} from './internal/ftrace-core';
import { AARCH64_BREAK_FAULT, AARCH64_INSN_BRANCH_LINK, aarch64_insn_gen_branch_imm, aarch64_insn_gen_move_reg, aarch64_insn_gen_nop } from './internal/insn';
import { Kernel, type FtraceVariant } from './internal/kernel';
import { SAMPLE_FUNCTIONS, type KFunc } from './internal/kfuncs';
import { FTRACE_PLT_IDX, FTRACE_REGS_PLT_IDX, PLT_ENTRY_SIZE } from './internal/module';
import { cpuCall, kernelCode, smpChecker } from './internal/smp';

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Interesting 64-bit arguments: zero, one, the sign boundary, all ones, a pattern. */
const ARGS: readonly bigint[] = [0n, 1n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0x123456789abcdef0n];

/** The tracing set-ups a traced call may run under. */
const TRACINGS = ['function', 'function+regs', 'function_graph', 'regs-ops', 'all'] as const;
type Tracing = (typeof TRACINGS)[number];

/** Turns on a tracing set-up; returns the ops it registered. */
function* enable(k: Kernel, t: Tracing): KGen<ftrace_ops | null> {
  let ops: ftrace_ops | null = null;
  if (t === 'function' || t === 'all') kassert((yield* k.setTracerGen('function')) === 0, 'the function tracer starts');
  if (t === 'function+regs') kassert((yield* k.setTracerGen('function', { regs: k.config.design === 'regs' })) === 0, 'the function tracer starts with regs');
  if (t === 'function_graph') kassert((yield* k.setTracerGen('function_graph')) === 0, 'the function_graph tracer starts');
  if (t === 'regs-ops' || t === 'all') {
    ops = k.ftrace_ops({ name: 'observe_regs', flags: FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED, func: (_ip, _pip, _op, regs) => void regs.get(0) });
    kassert((yield* k.ftrace.register_ftrace_function(ops)) === 0, 'a regs ops registers');
  }
  return ops;
}

const TRACEABLE: readonly KFunc[] = SAMPLE_FUNCTIONS.filter((f) => f.ref && !f.notrace);

/**
 * Traced functions return what untraced ones return, for any arguments: the
 * explorer picks the function, its arguments and the tracers.
 */
export const tracedEqualsUntraced = defineScenario({
  name: 'traced-equals-untraced',
  description: 'a function returns the same value, with the same ABI state, traced (function, regs, graph tracers) or not',
  variants: {
    seed: { expect: 'holds', why: 'the trampolines restore x0-x8, FP, LR and SP exactly as found' },
    'call-ops': { expect: 'holds', why: 'ftrace_caller of the call-ops design restores the same state' },
  },
  defaults: { cpus: 1, budget: 80 },
  setup(w, variant) {
    const k = new Kernel({ variant, cpus: 1 });
    w.spawn('cpu0', function* () {
      const f = TRACEABLE[choose(TRACEABLE.length, 'function')] as KFunc;
      const domain = f.argDomain ?? ARGS;
      const args = Array.from({ length: f.args }, () => domain[choose(domain.length, 'argument')] as bigint);
      const t = TRACINGS[choose(TRACINGS.length, 'tracing')] as Tracing;
      const plain = yield* cpuCall(k, f.name, args);
      kassert(plain.ret === f.ref!(args), `${f.name}(${args.map(hex)}) untraced returns ${hex(f.ref!(args))}, got ${hex(plain.ret)}`);
      yield* kernelCode(k, enable(k, t));
      const traced = yield* cpuCall(k, f.name, args);
      kassert(traced.ret === plain.ret, `${f.name}(${args.map(hex)}) traced by ${t} returns ${hex(traced.ret)}, untraced ${hex(plain.ret)}`);
      kassert(traced.abi.calleeSaved && traced.abi.sp && traced.abi.stack, `${f.name} traced by ${t} keeps x19-x29, SP and the caller's stack`);
      kassert(traced.insns > plain.insns, `${f.name} traced by ${t} runs the trampoline (${traced.insns} vs ${plain.insns} instructions)`);
    });
  },
});

/**
 * Callbacks see the arguments in pt_regs (ftrace_regs), the callsite as ip and
 * the caller's return address as parent_ip; an ops that rewrites an argument
 * changes the call, and one that sets the PC redirects it (live patching).
 */
export const callbackRegs = defineScenario({
  name: 'callback-regs',
  description: 'an ops reads the arguments, ip and parent_ip, rewrites an argument, or redirects the call through regs->pc',
  variants: {
    seed: { expect: 'holds', why: 'ftrace_regs_entry saves x0-x9, LR and PC where pt_regs has them, and ftrace_common_return restores from there' },
    'call-ops': { expect: 'holds', why: 'ftrace_regs carries x0-x8, LR and PC the same way' },
  },
  defaults: { cpus: 1, budget: 30 },
  setup(w, variant) {
    const k = new Kernel({ variant, cpus: 1 });
    w.spawn('cpu0', function* () {
      const mode = (['observe', 'rewrite', 'redirect'] as const)[choose(3, 'what the ops does')]!;
      const a = ARGS[choose(ARGS.length, 'a')] as bigint;
      const b = ARGS[choose(ARGS.length, 'b')] as bigint;
      const seen: { ip: bigint; parent_ip: bigint; x0: bigint; x1: bigint; x2: bigint }[] = [];
      const flags = (k.config.design === 'regs' ? FTRACE_OPS_FL_SAVE_REGS : 0) | (mode === 'redirect' ? FTRACE_OPS_FL_IPMODIFY : 0);
      const ops = k.ftrace_ops({
        name: `${mode}_add3`,
        flags,
        filter: ['add3'],
        func: (ip, parent_ip, _op, regs) => {
          seen.push({ ip, parent_ip, x0: regs.get(0), x1: regs.get(1), x2: regs.get(2) });
          if (mode === 'rewrite') regs.set(2, regs.get(2) + 100n);
          if (mode === 'redirect') regs.pc = k.sym('livepatch_add3');
        },
      });
      kassert((yield* kernelCode(k, k.ftrace.register_ftrace_function(ops))) === 0, 'the ops registers');
      // callee_saved(a, b) calls add3(a, b, a + b)
      const r = yield* cpuCall(k, 'callee_saved', [a, b]);
      const M = (v: bigint) => BigInt.asUintN(64, v);
      kassert(seen.length === 1, `the ops saw one call of add3, saw ${seen.length}`);
      const s = seen[0]!;
      kassert(s.ip === k.callsite('add3'), `ip is add3's callsite ${hex(k.callsite('add3'))}, got ${hex(s.ip)}`);
      const after = k.sym('callee_saved') + 4n * BigInt(2 + 9);
      kassert(s.parent_ip === after, `parent_ip is the return address in callee_saved ${k.kallsyms.pS(after)}, got ${k.kallsyms.pS(s.parent_ip)}`);
      kassert(s.x0 === a && s.x1 === b && s.x2 === M(a + b), `regs hold add3's arguments (${hex(a)}, ${hex(b)}, ${hex(M(a + b))}), got (${hex(s.x0)}, ${hex(s.x1)}, ${hex(s.x2)})`);
      const add3 = M(2n * (a + b)) + (mode === 'rewrite' ? 100n : mode === 'redirect' ? 1000n : 0n);
      const want = M(add3 + a - b + a + b);
      kassert(r.ret === want, `callee_saved returns ${hex(want)} when the ops ${mode}s, got ${hex(r.ret)}`);
      kassert(r.abi.calleeSaved && r.abi.sp && r.abi.stack, 'the ABI state survives the ops');
    });
  },
});

/** Callee-saved registers and the stack survive every trampoline at once. */
export const trampolinesPreserveAbi = defineScenario({
  name: 'trampolines-preserve-abi',
  description: 'x19-x29, SP, x8 results, stack arguments and the caller\'s frame survive ftrace_caller, ftrace_regs_caller and the graph return hook',
  variants: {
    seed: { expect: 'holds', why: 'the trampolines only use x9-x18 and their own stack, below the callsite\'s SP' },
    'call-ops': { expect: 'holds' },
  },
  defaults: { cpus: 1, budget: 12 },
  setup(w, variant) {
    const k = new Kernel({ variant, cpus: 1 });
    w.spawn('cpu0', function* () {
      const t = (['function+regs', 'function_graph', 'all'] as const)[choose(3, 'tracing')]!;
      yield* kernelCode(k, enable(k, t));
      const pairAt = k.scratch.base;
      const cases: [string, bigint[], bigint | null][] = [
        ['sum10', [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n], 55n],
        ['fib', [7n], 13n],
        ['callee_saved', [5n, 7n], 34n],
        ['make_pair', [20n, 22n], null],
      ];
      const [name, args, want] = cases[choose(cases.length, 'function')]!;
      const r = yield* cpuCall(k, name, args, { x8: pairAt });
      if (want !== null) kassert(r.ret === want, `${name} returns ${want}, got ${r.ret}`);
      else kassert(k.read64(pairAt) === 20n && k.read64(pairAt + 8n) === 22n && k.read64(pairAt + 16n) === 42n, 'make_pair writes {20, 22, 42} through x8');
      kassert(r.abi.calleeSaved, `${name} under ${t}: x19-x28 and the FP hold the caller's values`);
      kassert(r.abi.sp, `${name} under ${t}: SP is back`);
      kassert(r.abi.stack, `${name} under ${t}: the caller's frame and stack arguments are intact`);
    });
  },
});

/**
 * Tracing is switched on and off while another CPU calls the traced functions:
 * the callsites swing NOP <-> BL (and BL <-> BL between the trampolines), the
 * graph caller NOP <-> B, ftrace_call BL <-> BL, all live.
 */
export const livePatching = defineScenario({
  name: 'live-patching',
  description: 'cpu1 registers a probe ops, a regs ops and the function_graph tracer, then removes them, while cpu0 calls foo() (which calls bar())',
  variants: {
    seed: { expect: 'holds', why: 'only NOP <-> BL, BL <-> BL and NOP <-> B are written live: the architecture allows them (B2.2.5)' },
    'call-ops': { expect: 'holds', why: 'the ops literal is data written before the BL; the BL swings as in the seed' },
    'init-nop-live': {
      expect: 'fails',
      kinds: ['invariant'],
      why: 'a model that writes the boot-time MOV X9, LR while other CPUs run: NOP -> MOV is not hotpatch-safe',
    },
    'torn-write': { expect: 'fails', kinds: ['invariant', 'assertion'], why: 'a model that patches with two 16-bit stores: another CPU can fetch half of a BL' },
  },
  defaults: { cpus: 2, budget: 100 },
  setup(w, variant) {
    const kv: FtraceVariant = variant === 'call-ops' ? 'call-ops' : 'seed';
    const k = new Kernel({ variant: kv, cpus: 2 });
    if (variant === 'init-nop-live') {
      // as if ftrace_init_nop() had not run for foo at boot
      k.space.write32(k.callsite('foo') - 4n, aarch64_insn_gen_nop(), { privileged: true });
    }
    smpChecker(k, { functions: ['foo', 'bar'], cpus: [0] });
    if (variant === 'torn-write') k.patchTorn = true;
    k.smpRunning = true;
    const results: bigint[] = [];
    w.spawn(
      'cpu0: foo()',
      function* () {
        for (let i = 0; i < 2; i++) {
          const r = yield* cpuCall(k, 'foo', [], { cpu: 0 });
          kassert(r.ret === 42n, `foo() returns 42, got ${r.ret}`);
          kassert(r.abi.calleeSaved && r.abi.sp && r.abi.stack, 'foo() keeps the ABI state');
          results.push(r.ret);
        }
      },
      { cpu: 0 },
    );
    w.spawn(
      'cpu1: tracing on and off',
      function* () {
        k.patcher = 'cpu1';
        const ok = (what: string, ret: number) => kassert(ret === 0 && k.ftrace.bugs.length === 0, `${what} (${ret}${k.ftrace.bugs.length ? `; ${k.ftrace.bugs[0]!.message}` : ''})`);
        if (variant === 'init-nop-live') {
          const rec = k.ftrace.lookup_rec(k.callsite('foo'))!;
          ok('ftrace_init_nop() succeeds', yield* kernelCode(k, ftrace_init_nop(k, null, rec)));
        }
        const probe = k.ftrace_ops({ name: 'probe', filter: ['foo', 'bar'], func: () => undefined });
        const regs = k.ftrace_ops({ name: 'regs_probe', flags: FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED, filter: ['bar'], func: () => undefined });
        ok('a probe ops starts on foo and bar', yield* kernelCode(k, k.ftrace.register_ftrace_function(probe)));
        ok('a regs ops joins on bar', yield* kernelCode(k, k.ftrace.register_ftrace_function(regs)));
        ok('the function_graph tracer starts', yield* kernelCode(k, k.setTracerGen('function_graph', { filter: ['foo'] })));
        ok('the regs ops leaves', yield* kernelCode(k, k.ftrace.unregister_ftrace_function(regs)));
        ok('the function_graph tracer stops', yield* kernelCode(k, k.setTracerGen('nop')));
        ok('the probe ops leaves', yield* kernelCode(k, k.ftrace.unregister_ftrace_function(probe)));
      },
      { cpu: 1 },
    );
    w.atEnd('every callsite is a NOP again and foo() always returned 42', () => {
      const nop = aarch64_insn_gen_nop();
      const mov = aarch64_insn_gen_move_reg(9, 30, 1);
      for (const f of ['foo', 'bar']) {
        if (k.read32(k.callsite(f)) !== nop) return `${f}'s callsite is not a NOP at the end`;
        if (k.read32(k.callsite(f) - 4n) !== mov) return `${f} lost its MOV X9, LR`;
      }
      return results.length === 2 || `cpu0 finished ${results.length} calls`;
    });
  },
});

/**
 * The function tracer starts while another CPU calls a function it traces:
 * ftrace_modify_all_code() moves ftrace_call from the list function to the
 * tracer's own function_trace_call, which takes its trace_array from the op the
 * trampoline loaded from function_trace_op.
 */
export const functionTraceOp = defineScenario({
  name: 'function-trace-op',
  description: 'cpu1 starts and stops the function tracer while cpu0 calls foo(): ftrace_call switches between the list function and function_trace_call',
  variants: {
    seed: {
      expect: 'fails',
      kinds: ['assertion'],
      why: "kernel/trace/ftrace.c, not the seed's arm64 code: a CPU that loaded function_trace_op in ftrace_common before ftrace_modify_all_code() published the tracer's ops, and fetches ftrace_call after it became `bl function_trace_call`, calls it with op = &ftrace_list_end, whose private (the trace_array) is NULL",
    },
    fixed: { expect: 'holds', why: "the model's fix: wait for every CPU to leave the trampolines (synchronize_rcu_tasks()) between publishing function_trace_op and switching ftrace_call" },
    'call-ops': { expect: 'holds', why: 'v6.3 loads the ops and its func from the callsite literal together: no function_trace_op' },
  },
  defaults: { cpus: 2, budget: 200 },
  setup(w, variant) {
    const k = new Kernel({ variant: variant === 'call-ops' ? 'call-ops' : 'seed', cpus: 2, syncTraceOp: variant === 'fixed' });
    smpChecker(k, { functions: ['foo', 'bar'], cpus: [0] });
    k.smpRunning = true;
    w.spawn(
      'cpu0: foo()',
      function* () {
        for (let i = 0; i < 2; i++) kassert((yield* cpuCall(k, 'foo', [], { cpu: 0 })).ret === 42n, 'foo() returns 42');
      },
      { cpu: 0 },
    );
    w.spawn(
      'cpu1: echo function > current_tracer',
      function* () {
        k.patcher = 'cpu1';
        kassert((yield* kernelCode(k, k.setTracerGen('function', { filter: ['foo', 'bar'] }))) === 0, 'the function tracer starts');
        kassert((yield* kernelCode(k, k.setTracerGen('nop'))) === 0, 'the function tracer stops');
      },
      { cpu: 1 },
    );
  },
});

const MODULE_FUNCTIONS = (prefix: string): KFunc[] => [
  { name: `${prefix}_work`, args: 1, doc: 'x + 7', body: '\n        add     x0, x0, #7\n        ret', ref: (a) => BigInt.asUintN(64, a[0]! + 7n) },
  {
    name: `${prefix}_entry`,
    args: 1,
    doc: 'calls its module\'s work function',
    body: `
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        bl      ${prefix}_work
        add     x0, x0, #1
        ldp     x29, x30, [sp], #16
        ret`,
  },
];

/**
 * A module beyond +-128 MiB is traced through its PLTs and one within range
 * directly: a regs ops (ftrace_regs_caller), then the function tracer alone
 * (ftrace_caller: modify_call), then nothing.
 */
export const modulePlts = defineScenario({
  name: 'module-plts',
  description: 'a regs ops and the function tracer trace a module within BL range (directly) and one 1 GiB away (through its PLTs)',
  variants: {
    seed: {
      expect: 'fails',
      kinds: ['assertion'],
      why: "get_ftrace_plt() tests IS_ENABLED(CONFIG_FTRACE_WITH_REGS), a symbol that does not exist: the far module's callsite gets no PLT to ftrace_regs_caller and ftrace_make_call() returns -EINVAL",
    },
    'v5.8': {
      expect: 'fails',
      kinds: ['assertion'],
      why: 'ftrace_modify_call() builds a direct BL to each trampoline: for the far module both are AARCH64_BREAK_FAULT and the switch ftrace_regs_caller -> ftrace_caller fails with -EINVAL',
    },
    fixed: { expect: 'holds', why: 'v5.19: ftrace_find_callable_addr() picks the PLT for make_call, modify_call and make_nop alike' },
    'call-ops': { expect: 'holds', why: 'one trampoline and one PLT; a change of ops only rewrites the literal' },
  },
  defaults: { cpus: 1, budget: 3 },
  setup(w, variant) {
    const k = new Kernel({ variant, cpus: 1 });
    const near = k.load_module({ name: 'near_mod', functions: MODULE_FUNCTIONS('near'), at: 'near' });
    const far = k.load_module({ name: 'far_mod', functions: MODULE_FUNCTIONS('far'), at: 'far' });
    w.spawn('cpu0', function* () {
      const regsAddr = k.FTRACE_REGS_ADDR;
      const seen: bigint[] = [];
      const ops = k.ftrace_ops({ name: 'probe', flags: FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED, filter: ['near_work', 'far_work'], func: (ip) => void seen.push(ip) });
      const bugs = () => k.ftrace.bugs.map((b) => b.message).join('; ') + (k.dmesg.length ? ` [dmesg: ${k.dmesg.slice(-2).join(' | ')}]` : '');
      const ret = yield* kernelCode(k, k.ftrace.register_ftrace_function(ops));
      kassert(ret === 0 && k.ftrace.bugs.length === 0, `registering a regs ops on both modules succeeds (${ret}; ${bugs()})`);
      // where the callsites branch
      const nearBl = k.read32(k.callsite('near_work'));
      const farBl = k.read32(k.callsite('far_work'));
      kassert(nearBl === aarch64_insn_gen_branch_imm(k.callsite('near_work'), regsAddr, AARCH64_INSN_BRANCH_LINK), 'the near module branches to the trampoline directly');
      const farPlt = far.arch.ftrace_trampolines + BigInt((k.config.design === 'regs' ? FTRACE_REGS_PLT_IDX : FTRACE_PLT_IDX) * PLT_ENTRY_SIZE);
      kassert(farBl === aarch64_insn_gen_branch_imm(k.callsite('far_work'), farPlt, AARCH64_INSN_BRANCH_LINK), 'the far module branches to its PLT');
      for (const m of ['near', 'far']) {
        const r = yield* cpuCall(k, `${m}_entry`, [1n]);
        kassert(r.ret === 9n, `${m}_entry(1) returns 9, got ${r.ret}`);
      }
      kassert(seen.length === 2 && seen[0] === k.callsite('near_work') && seen[1] === k.callsite('far_work'), `the ops saw near_work and far_work once each (${seen.length} calls)`);
      // the function tracer joins, then the regs ops leaves: ftrace_regs_caller -> ftrace_caller
      kassert((yield* kernelCode(k, k.setTracerGen('function', { filter: ['near_work', 'far_work'] }))) === 0, 'the function tracer starts');
      const off = yield* kernelCode(k, k.ftrace.unregister_ftrace_function(ops));
      kassert(off === 0 && k.ftrace.bugs.length === 0, `the regs ops leaves, the callsites switch to ftrace_caller (${off}; ${bugs()})`);
      k.clearTrace();
      for (const m of ['near', 'far']) kassert((yield* cpuCall(k, `${m}_entry`, [2n])).ret === 10n, `${m}_entry(2) returns 10`);
      const traced = k.global_trace.entries.filter((e) => e.type === 'fn').map((e) => (e.type === 'fn' ? k.kallsyms.ps(e.ip) : ''));
      kassert(traced.join(',') === 'near_work [near_mod],far_work [far_mod]', `the function tracer sees both module functions: ${traced.join(',')}`);
      kassert((yield* kernelCode(k, k.setTracerGen('nop'))) === 0 && k.ftrace.bugs.length === 0, `tracing stops (${bugs()})`);
      for (const f of ['near_work', 'far_work']) kassert(k.read32(k.callsite(f)) === aarch64_insn_gen_nop(), `${f}'s callsite is a NOP again`);
      void near;
    });
  },
});

/** A module callsite exactly 128 MiB below ftrace_caller: one beyond what a BL reaches. */
export const moduleBranchRange = defineScenario({
  name: 'module-branch-range',
  description: 'the function tracer on a module whose callsite sits exactly 128 MiB below ftrace_caller',
  variants: {
    seed: {
      expect: 'fails',
      kinds: ['assertion'],
      why: 'ftrace_make_call() computes the offset from the target to the branch: +128 MiB passes its check, aarch64_insn_gen_branch_imm() returns AARCH64_BREAK_FAULT and that BRK is written into the callsite',
    },
    fixed: { expect: 'holds', why: '"arm64: ftrace: fix branch range checks" (v5.19): the offset goes from the branch to the target, the PLT is used' },
  },
  defaults: { cpus: 1, budget: 2 },
  setup(w, variant) {
    const k = new Kernel({ variant, cpus: 1 });
    k.load_module({ name: 'edge_mod', functions: MODULE_FUNCTIONS('edge'), at: 'boundary' });
    w.spawn('cpu0', function* () {
      kassert(k.FTRACE_ADDR - k.callsite('edge_work') === 0x8000000n, 'edge_work\'s callsite is 128 MiB below ftrace_caller');
      const ret = yield* kernelCode(k, k.setTracerGen('function', { filter: ['edge_work'] }));
      kassert(ret === 0, `the function tracer starts (${ret})`);
      const w0 = k.read32(k.callsite('edge_work'));
      kassert(w0 !== AARCH64_BREAK_FAULT, `ftrace_make_call() wrote AARCH64_BREAK_FAULT (brk #0x100) into edge_work's callsite and returned ${ret}`);
      const r = yield* cpuCall(k, 'edge_entry', [1n]);
      kassert(r.ret === 9n, `edge_entry(1) returns 9, got ${r.ret}`);
    });
  },
});

/** ftrace_make_call() validates the instruction it replaces. */
export const makeCallWrongOld = defineScenario({
  name: 'make-call-wrong-old',
  description: 'ftrace_make_call() on a callsite that does not hold a NOP, or cannot be read or written, fails with the kernel\'s errno and changes nothing',
  variants: {
    seed: { expect: 'holds', why: 'ftrace_modify_code() reads the old instruction first: -EINVAL when it differs, -EFAULT when unreadable; -EPERM when the write fails' },
    fixed: { expect: 'holds' },
    'call-ops': { expect: 'holds', why: 'the literal is written first, then the same validation' },
  },
  defaults: { cpus: 1, budget: 16 },
  setup(w, variant) {
    const k = new Kernel({ variant, cpus: 1 });
    w.spawn('cpu0', function* () {
      const pc = k.callsite('add3');
      const rec = k.ftrace.lookup_rec(pc)!;
      const wrongs = [
        ['a BL to ftrace_regs_caller', aarch64_insn_gen_branch_imm(pc, k.FTRACE_REGS_ADDR, AARCH64_INSN_BRANCH_LINK)],
        ['MOV X9, LR', aarch64_insn_gen_move_reg(9, 30, 1)],
        ['AARCH64_BREAK_FAULT', AARCH64_BREAK_FAULT],
        ['half of a BL', (aarch64_insn_gen_nop() & 0xffff0000) | (aarch64_insn_gen_branch_imm(pc, k.FTRACE_ADDR, AARCH64_INSN_BRANCH_LINK) & 0xffff)],
      ] as const;
      const c = choose(wrongs.length + 2, 'what the callsite holds');
      const snapshot = () => k.space.readBytes(k.text.base, Number(k.text.end - k.text.base), { privileged: true });
      if (c < wrongs.length) {
        const [what, word] = wrongs[c]!;
        k.space.write32(pc, word, { privileged: true });
        const before = snapshot();
        const ret = yield* kernelCode(k, ftrace_make_call(k, rec, k.FTRACE_ADDR));
        kassert(ret === -EINVAL, `ftrace_make_call() over ${what} returns -EINVAL, got ${ret}`);
        const after = snapshot();
        const same = before.ok && after.ok && before.value.every((b, i) => b === after.value[i]);
        if (k.config.design === 'call-ops') {
          // the literal is written before the BL is validated (ftrace_rec_update_ops first)
          kassert(k.read32(pc) === (word >>> 0), 'the callsite is unchanged');
        } else kassert(same, `ftrace_make_call() over ${what} changes no byte of the text`);
      } else if (c === wrongs.length) {
        // an unmapped callsite: the read faults
        const ret = yield* kernelCode(k, ftrace_modify_code(k, 0xffff000000000000n, aarch64_insn_gen_nop(), 0, true));
        kassert(ret === -EFAULT, `a callsite that cannot be read gives -EFAULT, got ${ret}`);
      } else {
        // text the fixmap write cannot reach: a device region that refuses writes
        const base = 0xffff000000100000n;
        k.space.mmio('rom-text', base, 0x1000, { read: () => aarch64_insn_gen_nop(), write: () => ({ reject: 'read-only' }) });
        const ret = yield* kernelCode(k, ftrace_modify_code(k, base, aarch64_insn_gen_nop(), aarch64_insn_gen_branch_imm(base, base + 0x100n, 1), true));
        kassert(ret === -EPERM, `a patch write that fails gives -EPERM, got ${ret}`);
      }
      kassert(!(rec.flags & FTRACE_FL_ENABLED), 'the record stays disabled');
    });
  },
});

/** Every scenario of @k/arm64-ftrace, for `k check`. */
export const scenarios: readonly Scenario[] = [
  tracedEqualsUntraced,
  callbackRegs,
  trampolinesPreserveAbi,
  livePatching,
  functionTraceOp,
  modulePlts,
  moduleBranchRange,
  makeCallWrongOld,
] as Scenario[];

export default scenarios;
