// pcap capture files: writer and reader (classic libpcap format).
export {
  PCAP_MAGIC_USEC,
  PCAP_MAGIC_NSEC,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MINOR,
  PCAP_FILE_HEADER,
  PCAP_RECORD_HEADER,
  LINKTYPE_FIELD,
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  LINKTYPE_IEEE802_11,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IEEE802_15_4_WITHFCS,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_IEEE802_15_4_NOFCS,
  LINKTYPE_NETLINK,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_IEEE802_15_4_TAP,
  linktypeName,
} from './format';
export { PcapError } from './errors';
export type { PcapErrorKind, PcapErrorDetails, PcapResult } from './errors';
export { PcapWriter, writePcap } from './writer';
export type { PcapWriterOptions, PcapRecordInput, PcapResolution, PcapByteOrder } from './writer';
export { readPcap, parsePcapHeader } from './reader';
export type { PcapFile, PcapFileHeader, PcapRecord, PcapReadOptions } from './reader';
