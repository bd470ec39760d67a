// A small machine for the core tests: text, data and stack RAM in one address space.
import { a64, A64Core, AddressSpace } from '../../src/index';
import type { AssembleOptions } from '../../src/index';

export const TEXT = 0x10000n;
export const DATA = 0x80000n;
export const STACK_TOP = 0x100000n;

/** Writes words little-endian at `at`. */
export function load(space: AddressSpace, at: bigint, words: readonly number[]): void {
  const r = space.writeBytes(at, new Uint8Array(new Uint32Array(words).buffer), { privileged: true });
  if (!r.ok) throw new Error(r.fault.message);
}

/** Assembles `text` at TEXT and returns a core ready to run it (SP at the top of a 64 KiB stack). */
export function machine(text: string, options: AssembleOptions & { textBase?: bigint; id?: string } = {}) {
  const textBase = options.textBase ?? TEXT;
  const space = new AddressSpace();
  space.ram('text', textBase, 0x20000);
  space.ram('data', DATA, 0x10000);
  space.ram('stack', STACK_TOP - 0x10000n, 0x10000);
  const program = a64.assembleProgram(text, textBase, options);
  load(space, textBase, program.words);
  const cpu = new A64Core(space, { id: options.id ?? 'cpu0' });
  cpu.pc = textBase;
  cpu.sp = STACK_TOP;
  return { space, cpu, program, sym: (name: string) => program.symbols.get(name) as bigint };
}
