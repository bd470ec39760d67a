// The kernel image in emulated memory, laid out as the kernel's linker would:
// entry-ftrace.S (arch/arm64/kernel/entry-ftrace.S), the model's C functions as
// host-call stubs, the functions compiled with -fpatchable-function-entry=2
// (seed 004; =4,2 for the call-ops design: two more NOPs in front of the entry
// for the ops literal), and __mcount_loc: the address of each function's first
// patchable NOP, which ftrace_process_locs() turns into a dyn_ftrace record
// with ftrace_call_adjust().
import { a64 } from '@k/hw-emu';
import { aarch64_insn_gen_nop } from './insn';
import { ENTRY_FTRACE_CALL_OPS, ENTRY_FTRACE_REGS, ENTRY_SYMBOLS, entryConstants, type FtraceDesign } from './entry';
import type { KFunc } from './kfuncs';
import { BRK_CALL_RETURN, BRK_KERNEL_C } from './layout';

/** A symbol of the image: kallsyms' view (name, address, size, whether it is a traceable function). */
export interface KSym {
  readonly name: string;
  readonly addr: bigint;
  readonly size: number;
  /** compiled with the patchable entry: has an __mcount_loc entry */
  readonly traceable: boolean;
  /** a C function of the model (a host-call stub) */
  readonly cfunc: boolean;
  /** the module it belongs to, or null for the core kernel */
  readonly module: string | null;
}

/** The C functions every image has (the model implements them in TypeScript). */
export const KERNEL_CFUNCS: Record<FtraceDesign, readonly string[]> = {
  regs: ['ftrace_ops_list_func', 'function_trace_call', 'prepare_ftrace_return', 'ftrace_return_to_handler', 'panic'],
  'call-ops': ['ftrace_ops_list_func', 'ftrace_ops_nop_func', 'function_trace_call', 'ftrace_graph_func', 'prepare_ftrace_return', 'ftrace_return_to_handler', 'panic'],
};
/** Host-call stubs kept free for the callbacks of ftrace_ops a user registers. */
export const OPS_FUNC_SLOTS = 32;

/** The assembled text of a kernel or module. */
export interface BuiltText {
  readonly base: bigint;
  readonly words: number[];
  readonly syms: KSym[];
  /** __mcount_loc: address of the first patchable NOP of each traceable function */
  readonly mcount_loc: bigint[];
}

/** The assembly of one function with its patchable entry. */
export function functionAsm(f: KFunc, design: FtraceDesign): string {
  // 4-byte alignment; the call-ops literal needs 8 (-falign-functions=8 in v6.3)
  const align = design === 'call-ops' ? 3 : 2;
  if (f.notrace) return `\n        .p2align ${align}\n${f.name}:\n${f.body}\n`;
  const pre = design === 'call-ops' ? '        nop                     // literal (first 32 bits)\n        nop                     // literal (last 32 bits)\n' : '';
  return `\n        .p2align ${align}\n${pre}${f.name}:\n        nop\n        nop\n${f.body}\n`;
}

function cstub(name: string): string {
  return `\n        .p2align 3\n${name}:\n        brk     #0x${BRK_KERNEL_C.toString(16)}\n        ret\n`;
}

/** The __mcount_loc entry of a traceable function at `addr`: its first patchable NOP. */
export function mcountLoc(addr: bigint, design: FtraceDesign): bigint {
  return design === 'call-ops' ? addr - 8n : addr;
}

/** Options of {@link buildKernelText}. */
export interface KernelTextOptions {
  readonly design: FtraceDesign;
  readonly base: bigint;
  readonly functions: readonly KFunc[];
  /** addresses of the data symbols the text refers to (function_trace_op) */
  readonly dataSymbols: Readonly<Record<string, bigint>>;
  /** extra generated functions `bench_fn_<i>` (a body of `add x0, x0, #1; ret`) */
  readonly extraFunctions?: number;
}

const cache = new WeakMap<readonly KFunc[], Map<string, { words: number[]; symbols: ReadonlyMap<string, bigint> }>>();

/** The assembly source of the kernel's .text and the symbols it needs from outside (constants, data). */
export function kernelTextSource(o: KernelTextOptions): { readonly text: string; readonly symbols: Readonly<Record<string, bigint | number>> } {
  const cnames = [...KERNEL_CFUNCS[o.design], ...Array.from({ length: OPS_FUNC_SLOTS }, (_, i) => `__ftrace_ops_func_${i}`)];
  const text = [
    o.design === 'regs' ? ENTRY_FTRACE_REGS : ENTRY_FTRACE_CALL_OPS,
    ...cnames.map(cstub),
    `\n        .p2align 3\n__k_call_return:\n        brk     #0x${BRK_CALL_RETURN.toString(16)}\n`,
    ...o.functions.map((f) => functionAsm(f, o.design)),
    '\n        .p2align 3\n_etext_model:\n',
  ].join('');
  return { text, symbols: { ...entryConstants(), ...o.dataSymbols } };
}

/** Builds the kernel's .text: entry-ftrace.S, the C stubs, the functions. */
export function buildKernelText(o: KernelTextOptions): BuiltText {
  const cnames = [...KERNEL_CFUNCS[o.design], ...Array.from({ length: OPS_FUNC_SLOTS }, (_, i) => `__ftrace_ops_func_${i}`)];
  const key = `${o.design}|${o.base}|${Object.entries(o.dataSymbols).map(([k, v]) => `${k}=${v}`).join(',')}`;
  let byKey = cache.get(o.functions);
  if (!byKey) cache.set(o.functions, (byKey = new Map()));
  let prog = byKey.get(key);
  if (!prog) {
    const src = kernelTextSource(o);
    const p = a64.assembleProgram(src.text, o.base, { symbols: src.symbols });
    prog = { words: p.words, symbols: p.symbols };
    byKey.set(key, prog);
  }
  const words = [...prog.words];
  const at = (name: string): bigint => {
    const v = prog.symbols.get(name);
    if (v === undefined) throw new Error(`[arm64-ftrace internal bug] no symbol ${name} in the image`);
    return v;
  };
  const marks: { name: string; addr: bigint; traceable: boolean; cfunc: boolean }[] = [];
  for (const s of ENTRY_SYMBOLS[o.design]) marks.push({ name: s, addr: at(s), traceable: false, cfunc: false });
  for (const c of cnames) marks.push({ name: c, addr: at(c), traceable: false, cfunc: true });
  marks.push({ name: '__k_call_return', addr: at('__k_call_return'), traceable: false, cfunc: false });
  for (const f of o.functions) marks.push({ name: f.name, addr: at(f.name), traceable: !f.notrace, cfunc: false });
  // generated functions, appended as words (10,000 of them assemble too slowly)
  const nop = aarch64_insn_gen_nop();
  let end = at('_etext_model');
  const n = o.extraFunctions ?? 0;
  if (n > 0) {
    const body = a64.assemble('add x0, x0, #1\nret');
    for (let i = 0; i < n; i++) {
      if (o.design === 'call-ops') {
        words.push(nop, nop);
        end += 8n;
      }
      marks.push({ name: `bench_fn_${i}`, addr: end, traceable: true, cfunc: false });
      words.push(nop, nop, ...body);
      end += 16n;
    }
  }
  marks.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  const syms: KSym[] = marks.map((m, i) => {
    const next = marks[i + 1]?.addr ?? end;
    return { ...m, size: Number(next - m.addr), module: null };
  });
  const mcount_loc = syms.filter((s) => s.traceable).map((s) => mcountLoc(s.addr, o.design));
  return { base: o.base, words, syms, mcount_loc };
}

/** Builds a module's .text (its functions) at `base`; calls between its functions are direct BLs. */
export function buildModuleText(name: string, design: FtraceDesign, base: bigint, functions: readonly KFunc[]): BuiltText {
  const text = functions.map((f) => functionAsm(f, design)).join('') + '\n        .p2align 3\n__module_text_end:\n';
  const p = a64.assembleProgram(text, base);
  const marks = functions.map((f) => ({ name: f.name, addr: p.symbols.get(f.name) as bigint, traceable: !f.notrace }));
  const end = p.symbols.get('__module_text_end') as bigint;
  const syms: KSym[] = marks.map((m, i) => ({ ...m, size: Number((marks[i + 1]?.addr ?? end) - m.addr), cfunc: false, module: name }));
  return { base, words: p.words, syms, mcount_loc: syms.filter((s) => s.traceable).map((s) => mcountLoc(s.addr, design)) };
}

/** kallsyms: symbol lookup by address (%ps) and by name. */
export class Kallsyms {
  private sorted: KSym[] = [];
  private readonly byName = new Map<string, KSym>();

  add(syms: readonly KSym[]): void {
    for (const s of syms) this.byName.set(s.name, s);
    if (syms.length <= 4) {
      for (const s of syms) {
        let lo = 0;
        let hi = this.sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((this.sorted[mid] as KSym).addr < s.addr) lo = mid + 1;
          else hi = mid;
        }
        this.sorted.splice(lo, 0, s);
      }
      return;
    }
    this.sorted = [...this.sorted, ...syms].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  }

  /** Forgets the symbols of a module (delete_module). */
  remove(module: string): void {
    this.sorted = this.sorted.filter((s) => s.module !== module);
    for (const [k, s] of this.byName) if (s.module === module) this.byName.delete(k);
  }

  /** Renames a symbol (an ops callback stub takes its callback's name). */
  rename(addr: bigint, name: string): void {
    const i = this.sorted.findIndex((s) => s.addr === addr);
    if (i < 0) return;
    const old = this.sorted[i] as KSym;
    this.byName.delete(old.name);
    const s = { ...old, name };
    this.sorted[i] = s;
    this.byName.set(name, s);
  }

  lookupName(name: string): KSym | undefined {
    return this.byName.get(name);
  }

  /** The symbol containing `addr`, or undefined. */
  lookup(addr: bigint): KSym | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best: KSym | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.sorted[mid] as KSym;
      if (s.addr <= addr) {
        best = s;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best && addr < best.addr + BigInt(best.size) ? best : undefined;
  }

  /** `%ps`: the symbol name (with ` [module]`), or the address in hex. */
  ps(addr: bigint): string {
    const s = this.lookup(addr);
    if (!s) return `0x${addr.toString(16)}`;
    return s.module ? `${s.name} [${s.module}]` : s.name;
  }

  /** `%pS`: name+0xoff/0xsize. */
  pS(addr: bigint): string {
    const s = this.lookup(addr);
    if (!s) return `0x${addr.toString(16)}`;
    const off = `${s.name}+0x${(addr - s.addr).toString(16)}/0x${s.size.toString(16)}`;
    return s.module ? `${off} [${s.module}]` : off;
  }

  all(): readonly KSym[] {
    return this.sorted;
  }
}
