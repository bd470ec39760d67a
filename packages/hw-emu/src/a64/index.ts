// The AArch64 part of @k/hw-emu: core, decoder, assembler, disassembler, and the
// cross-modification rule. `a64` gathers the functions as one namespace-like object.
import { assemble, assembleProgram, A64AsmError } from './asm';
import { A64Core, HOSTCALL_BRK_BASE } from './core';
import { decode as decodeWord, unpredictableChoice } from './decode';
import { encode } from './encode';
import { A64Error, checkWord, disassemble, formatInsn } from './format';
import type { A64Insn } from './insn';

/** Decodes one 32-bit instruction word; null when it is not an instruction of the subset. */
function decode(word: number): A64Insn | null {
  return decodeWord(checkWord(word, 'decode'));
}
import { hotpatchClass, isHotpatchSafe, TextPatchGuard } from './hotpatch';
import { COND_NAMES } from './insn';

/**
 * The AArch64 toolkit: `a64.assemble(text, pc?)`, `a64.disassemble(word, pc?)`,
 * `a64.decode`, `a64.encode`, `a64.isHotpatchSafe(old, new)`, `new a64.Core(space)`.
 */
export const a64 = Object.freeze({
  assemble,
  assembleProgram,
  disassemble,
  decode,
  encode,
  formatInsn,
  unpredictableChoice,
  isHotpatchSafe,
  hotpatchClass,
  Core: A64Core,
  TextPatchGuard,
  HOSTCALL_BRK_BASE,
  COND_NAMES,
});

export {
  assemble,
  assembleProgram,
  A64AsmError,
  A64Core,
  A64Error,
  HOSTCALL_BRK_BASE,
  decode,
  disassemble,
  encode,
  formatInsn,
  hotpatchClass,
  isHotpatchSafe,
  TextPatchGuard,
  unpredictableChoice,
};
export type { AssembleOptions, AssembledProgram } from './asm';
export type { A64CoreOptions, A64Registers, HostCallHandler, StopKind, StopReason } from './core';
export type { DisassembleOptions } from './format';
export type { CrossModificationViolation, HotpatchClass, TextPatchGuardOptions } from './hotpatch';
export type { A64Insn, A64InsnKind, AddSubRegFields, CondName, ExtendType, LdStOp, ShiftType } from './insn';
