// @k/hw-emu: the hardware the models talk to. The one public door of the package.

// DMA memory: a guest-physical address space with typed faults.
export { AddressSpace, AddressSpaceError, MemRegion } from './mem/address-space';
export type { Addr, AccessSize, AccessOptions, AddressSpaceOptions, MmioHandler, MmioReject, RegionKind, RegionSpec, WriteEvent } from './mem/address-space';
export { MEM_OK, MemFaultError, unwrapMem } from './mem/fault';
export type { MemAccess, MemFault, MemFaultKind, MemResult, MemStatus } from './mem/fault';
// AArch64: core, assembler, disassembler, the cross-modification rule.
export { a64, A64Core, A64Error, A64AsmError, TextPatchGuard, HOSTCALL_BRK_BASE } from './a64/index';
export type {
  A64CoreOptions,
  A64Insn,
  A64InsnKind,
  AddSubRegFields,
  A64Registers,
  AssembleOptions,
  AssembledProgram,
  CondName,
  CrossModificationViolation,
  DisassembleOptions,
  ExtendType,
  HostCallHandler,
  HotpatchClass,
  LdStOp,
  ShiftType,
  StopKind,
  StopReason,
  TextPatchGuardOptions,
} from './a64/index';
