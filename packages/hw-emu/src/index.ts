// @k/hw-emu: the hardware the models talk to. The one public door of the package.
// CRC-CCITT (lib/crc-ccitt.c): the IEEE 802.15.4 FCS.
export { crc_ccitt, crc_ccitt_byte, crc_ccitt_false, crc_ccitt_table, crc_ccitt_false_table } from './crc';
// pcap capture files (classic libpcap format).
export {
  PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR, PCAP_FILE_HEADER, PCAP_RECORD_HEADER,
  LINKTYPE_FIELD, LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_IEEE802_11, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL,
  LINKTYPE_IEEE802_15_4_WITHFCS, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_IEEE802_15_4_NOFCS, LINKTYPE_NETLINK,
  LINKTYPE_LINUX_SLL2, LINKTYPE_IEEE802_15_4_TAP, linktypeName,
  PcapError, PcapWriter, writePcap, readPcap, parsePcapHeader,
} from './pcap/index';
export type {
  PcapErrorKind, PcapErrorDetails, PcapResult, PcapWriterOptions, PcapRecordInput, PcapResolution, PcapByteOrder,
  PcapFile, PcapFileHeader, PcapRecord, PcapReadOptions,
} from './pcap/index';
// IEEE 802.15.4 PHY numbers (pages, channels, symbol durations, airtime, superframe timing, link model).
export {
  PhyError, aMaxPHYPacketSize, aTurnaroundTime, aBaseSlotDuration, aNumSuperframeSlots, aBaseSuperframeDuration,
  aUnitBackoffPeriod, aMinLIFSPeriod, aMinSIFSPeriod, aMaxSIFSFrameSize, MAX_BEACON_ORDER, IEEE802154_MAX_CHANNEL,
  IEEE802154_MAX_PAGE, phyMode, phyModes, channelCenterFrequencyKHz, symbolDurationNs, ieee802154_configure_durations,
  shrDurationSymbols, frameDurationSymbols, maxFrameDurationSymbols, frameAirtimeNs, beaconIntervalSymbols,
  superframeDurationSymbols, slotDurationSymbols, scanDurationSymbols, symbolsToNs, beaconIntervalNs,
  superframeDurationNs, scanDurationNs, pathLossDb, linkQuality, maxRangeM,
} from './radio/phy';
export type { PhyMode, WpanPhyDurations, LinkQualityInput, LinkQuality } from './radio/phy';
// The device platform: devices with a lifecycle, register banks, IRQ lines, fault injection.
export {
  Device, DeviceStateError, hw_wait_ns, RegisterBank, Register, RegisterAccessError, readb, readw, readl, readq, writeb, writew, writel, writeq,
  ioread32, iowrite32, FaultInjector,
} from './platform/index';
export type { DeviceState, DeviceOptions, RegWidth, RegAccess, RegisterSpec, RegReject, FaultKind, FaultPlan, InjectedFault } from './platform/index';

// DMA memory: a guest-physical address space with typed faults.
export { AddressSpace, AddressSpaceError, MemRegion } from './mem/address-space';
export type { Addr, AccessSize, AccessOptions, AddressSpaceOptions, MmioHandler, MmioReject, RegionKind, RegionSpec, WriteEvent } from './mem/address-space';
export { MEM_OK, MemFaultError, unwrapMem } from './mem/fault';
export type { MemAccess, MemFault, MemFaultKind, MemResult, MemStatus } from './mem/fault';
// Explored DMA memory: every access a scheduling point of core-sync's explorer, with race detection.
export { ExploredMemory } from './mem/explored';
export type { ExploredMemoryOptions, MemOrder } from './mem/explored';
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
// The IEEE 802.15.4 radio medium, beaconing nodes and the transceiver device.
export { RadioMedium, RadioError, BeaconNode, radioDistanceM, appendFcs } from './radio/medium';
export type {
  RadioPosition, RadioFrame, RadioReception, RadioListener, RadioSender, RadioLossReason, RadioMediumOptions, RadioMediumStats,
  BeaconNodeOptions,
} from './radio/medium';
export {
  Ieee802154Transceiver, TRX_REG, TRX_ID, TRX_CTRL_RX_ON, TRX_CTRL_PROMISCUOUS, TRX_CTRL_AUTO_CRC_CHECK, TRX_CTRL_TX_AUTO_CRC,
  TRX_CTRL_PAN_COORD, TRX_CTRL_CSMA, TRX_STATUS_CHANNEL_ACCESS_FAILURE, TRX_CSMA_MIN_BE, TRX_CSMA_MAX_BE, TRX_CSMA_MAX_BACKOFFS, TRX_STATUS_RX_PENDING, TRX_STATUS_TX_BUSY, TRX_STATUS_BAD_CHANNEL, TRX_IRQ_RX_DONE, TRX_IRQ_TX_DONE,
  TRX_IRQ_RX_OVERFLOW, TRX_TX_START,
} from './radio/transceiver';
export type { TrxRxFrame, TrxRxLogEntry, TrxTuneLogEntry, TransceiverOptions } from './radio/transceiver';
