// Guest-physical memory: regions over ArrayBuffers with typed faults.
export { AddressSpace, AddressSpaceError, MemRegion } from './address-space';
export type {
  Addr,
  AccessSize,
  AccessOptions,
  AddressSpaceOptions,
  MmioHandler,
  MmioReject,
  RegionKind,
  RegionSpec,
  WriteEvent,
} from './address-space';
export { MEM_OK, MemFaultError, unwrapMem } from './fault';
export type { MemAccess, MemFault, MemFaultKind, MemResult, MemStatus } from './fault';
