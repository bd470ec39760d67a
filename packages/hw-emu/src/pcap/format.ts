// The classic libpcap capture file format: pcap-savefile(5) of libpcap, and
// draft-ietf-opsawg-pcap ("PCAP Capture File Format"), sections 4 and 5; link
// type numbers from the tcpdump.org LINKTYPE_ registry (draft-ietf-opsawg-pcaplinktype).
// Timestamps come from k's virtual time (integer nanoseconds), never the wall clock.

/** Magic number of a file whose record timestamps carry microseconds. */
export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
/** Magic number of a file whose record timestamps carry nanoseconds. */
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** Magic of the "modified" (Kuznetzov) pcap format, which we name but do not read. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
/** First block type of a pcapng file (Section Header Block), which we name but do not read. */
export const PCAPNG_BLOCK_TYPE_SHB = 0x0a0d0d0a;

export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;

/** Byte offsets of the 24-byte file header. */
export const PCAP_FILE_HEADER = {
  magic: 0,
  version_major: 4,
  version_minor: 6,
  thiszone: 8,
  sigfigs: 12,
  snaplen: 16,
  linktype: 20,
  LENGTH: 24,
} as const;

/** Byte offsets of the 16-byte record (packet) header. */
export const PCAP_RECORD_HEADER = {
  ts_sec: 0,
  ts_frac: 4,
  incl_len: 8,
  orig_len: 12,
  LENGTH: 16,
} as const;

/**
 * The link-type field is 32 bits: the LINKTYPE_ value in bits 0-15, reserved
 * bits 16-25, and an optional FCS length (bit 26 says it is present, bits 28-31
 * give it in 16-bit words), as libpcap's LT_LINKTYPE / LT_FCS_LENGTH read it.
 */
export const LINKTYPE_FIELD = {
  LINKTYPE_MASK: 0x0000ffff,
  RESERVED_MASK: 0x03ff0000,
  FCS_PRESENT: 0x04000000,
  FCS_SHIFT: 28,
} as const;

/** Link types (tcpdump.org LINKTYPE_ registry) that k writes or reads. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IEEE802_15_4_WITHFCS = 195;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_IEEE802_15_4_NOFCS = 230;
export const LINKTYPE_NETLINK = 253;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_IEEE802_15_4_TAP = 283;

const LINKTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, 'NULL'],
  [LINKTYPE_ETHERNET, 'ETHERNET'],
  [LINKTYPE_RAW, 'RAW'],
  [LINKTYPE_IEEE802_11, 'IEEE802_11'],
  [LINKTYPE_LOOP, 'LOOP'],
  [LINKTYPE_LINUX_SLL, 'LINUX_SLL'],
  [LINKTYPE_IEEE802_15_4_WITHFCS, 'IEEE802_15_4_WITHFCS'],
  [LINKTYPE_IPV4, 'IPV4'],
  [LINKTYPE_IPV6, 'IPV6'],
  [LINKTYPE_IEEE802_15_4_NOFCS, 'IEEE802_15_4_NOFCS'],
  [LINKTYPE_NETLINK, 'NETLINK'],
  [LINKTYPE_LINUX_SLL2, 'LINUX_SLL2'],
  [LINKTYPE_IEEE802_15_4_TAP, 'IEEE802_15_4_TAP'],
]);

/**
 * The registry name of a link type without its `LINKTYPE_` prefix
 * (`linktypeName(195)` is `'IEEE802_15_4_WITHFCS'`), or undefined for one k does not name.
 */
export function linktypeName(linktype: number): string | undefined {
  return LINKTYPE_NAMES.get(linktype);
}

/** Nanoseconds per second, as a bigint for exact timestamp arithmetic. */
export const NSEC_PER_SEC_BIG = 1_000_000_000n;
