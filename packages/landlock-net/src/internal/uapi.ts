// The user-space ABI the model speaks: include/uapi/linux/landlock.h (Landlock
// ABI 4 to 7, Linux v6.7 to v6.18), security/landlock/limits.h, and the socket
// constants of include/linux/socket.h, include/linux/net.h, include/uapi/linux/in.h
// and include/uapi/linux/capability.h. Seed 003 (the RFC's LISTEN_TCP) lives in
// its own value space below: it was never merged, so it is not a kernel ABI value.

/** sys_landlock_create_ruleset() flags. */
export const LANDLOCK_CREATE_RULESET_VERSION = 1 << 0;
/** Since ABI 7 (v6.15): query the errata bitmask instead of the version. */
export const LANDLOCK_CREATE_RULESET_ERRATA = 1 << 1;

/** enum landlock_rule_type */
export const LANDLOCK_RULE_PATH_BENEATH = 1;
export const LANDLOCK_RULE_NET_PORT = 2;

/** Network access rights (ABI 4+). */
export const LANDLOCK_ACCESS_NET_BIND_TCP = 1n << 0n;
export const LANDLOCK_ACCESS_NET_CONNECT_TCP = 1n << 1n;

/** Filesystem access rights: only their masks matter to the network model (validation). */
export const LANDLOCK_ACCESS_FS_EXECUTE = 1n << 0n;
export const LANDLOCK_ACCESS_FS_READ_DIR = 1n << 3n;
export const LANDLOCK_ACCESS_FS_TRUNCATE = 1n << 14n; // ABI 3
export const LANDLOCK_ACCESS_FS_IOCTL_DEV = 1n << 15n; // ABI 5
/** security/landlock/fs.c: ACCESS_FILE, the rights that make sense on a non-directory. */
export const ACCESS_FILE = (1n << 0n) | (1n << 1n) | (1n << 2n) | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV;

/** Scopes (ABI 6+). */
export const LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = 1n << 0n;
export const LANDLOCK_SCOPE_SIGNAL = 1n << 1n;

/** sys_landlock_restrict_self() flags (ABI 7+). */
export const LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF = 1 << 0;
export const LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON = 1 << 1;
export const LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF = 1 << 2;

/** security/landlock/limits.h */
export const LANDLOCK_MAX_NUM_LAYERS = 16;
export const LANDLOCK_MAX_NUM_RULES = 0xffffffff; // U32_MAX

/** sizeof(struct landlock_ruleset_attr) in the newest UAPI the model knows (ABI 6+: fs, net, scoped). */
export const LANDLOCK_RULESET_ATTR_SIZE = 24;
/** sizeof(struct landlock_net_port_attr): u64 allowed_access, u64 port. */
export const LANDLOCK_NET_PORT_ATTR_SIZE = 16;

/** The Landlock ABI versions the model emulates. */
export type LandlockAbi = 4 | 5 | 6 | 7;
export const LANDLOCK_ABIS: readonly LandlockAbi[] = [4, 5, 6, 7];

/**
 * What one ABI version looks like from user space: the masks the syscalls
 * validate against, the size of `struct landlock_ruleset_attr` the kernel
 * copies, the flags it knows, and which generation of security/landlock/net.c
 * it runs (see README, "Where the model differs").
 */
export interface AbiDescription {
  readonly abi: LandlockAbi;
  /** The first mainline release with this ABI. */
  readonly release: string;
  /** LANDLOCK_MASK_ACCESS_FS */
  readonly maskAccessFs: bigint;
  /** LANDLOCK_MASK_ACCESS_NET (mainline value space). */
  readonly maskAccessNet: bigint;
  /** LANDLOCK_MASK_SCOPE (0 before ABI 6: the field does not exist). */
  readonly maskScope: bigint;
  /** sizeof(struct landlock_ruleset_attr) as this kernel knows it. */
  readonly rulesetAttrSize: 16 | 24;
  /** LANDLOCK_MASK_RESTRICT_SELF */
  readonly maskRestrictSelf: number;
  /** Whether LANDLOCK_CREATE_RULESET_ERRATA exists. */
  readonly hasErrataQuery: boolean;
  /** The errata bitmask LANDLOCK_CREATE_RULESET_ERRATA returns. */
  readonly errata: number;
  /**
   * `v6.7`: net.c as first released (any network-handling layer makes the
   * domain apply, AF_UNSPEC checked after the sockaddr_in length, `sock->type
   * != SOCK_STREAM`); `v6.18`: per-access applicability (landlock_get_applicable_subject),
   * sk_is_tcp(), AF_UNSPEC connect allowed before any length check, IPv6
   * AF_UNSPEC bind -> EAFNOSUPPORT. v6.18 is the code of the machine the
   * differential test runs on.
   */
  readonly netGeneration: 'v6.7' | 'v6.18';
}

const FS_MASK_ABI4 = (LANDLOCK_ACCESS_FS_TRUNCATE << 1n) - 1n;
const FS_MASK_ABI5 = (LANDLOCK_ACCESS_FS_IOCTL_DEV << 1n) - 1n;
const NET_MASK = (LANDLOCK_ACCESS_NET_CONNECT_TCP << 1n) - 1n;
const SCOPE_MASK = (LANDLOCK_SCOPE_SIGNAL << 1n) - 1n;
const RESTRICT_SELF_MASK_ABI7 = (LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF << 1) - 1;

export const ABI: Readonly<Record<LandlockAbi, AbiDescription>> = {
  4: {
    abi: 4, release: 'v6.7', maskAccessFs: FS_MASK_ABI4, maskAccessNet: NET_MASK, maskScope: 0n,
    rulesetAttrSize: 16, maskRestrictSelf: 0, hasErrataQuery: false, errata: 0, netGeneration: 'v6.7',
  },
  5: {
    abi: 5, release: 'v6.10', maskAccessFs: FS_MASK_ABI5, maskAccessNet: NET_MASK, maskScope: 0n,
    rulesetAttrSize: 16, maskRestrictSelf: 0, hasErrataQuery: false, errata: 0, netGeneration: 'v6.7',
  },
  6: {
    abi: 6, release: 'v6.12', maskAccessFs: FS_MASK_ABI5, maskAccessNet: NET_MASK, maskScope: SCOPE_MASK,
    rulesetAttrSize: 24, maskRestrictSelf: 0, hasErrataQuery: false, errata: 0, netGeneration: 'v6.7',
  },
  7: {
    // errata 1 (TCP socket identification, ABI 4), 2 (scoped signals, ABI 6)
    // and 3 (disconnected directories, ABI 1), as the v6.18 kernel reports.
    abi: 7, release: 'v6.15', maskAccessFs: FS_MASK_ABI5, maskAccessNet: NET_MASK, maskScope: SCOPE_MASK,
    rulesetAttrSize: 24, maskRestrictSelf: RESTRICT_SELF_MASK_ABI7, hasErrataQuery: true, errata: 0b111,
    netGeneration: 'v6.18',
  },
};

/**
 * The value space of the RFC series "Support TCP listen access-control"
 * (Mikhail Ivanov, RFC PATCH v2, August 2024), which seed 003 reviews. The RFC
 * gave bit 2 of the network rights to LANDLOCK_ACCESS_NET_LISTEN_TCP; it was
 * never merged and mainline later gave bit 2 to LANDLOCK_ACCESS_NET_BIND_UDP
 * and bit 3 to LANDLOCK_ACCESS_NET_CONNECT_SEND_UDP (ABI 10). The model only
 * accepts this value when a kernel is created with `rfcListenTcp: true`; it is
 * never part of an `ABI` description and never changes the version query.
 */
export const RFC_LISTEN_TCP = {
  series: 'landlock: Support TCP listen access-control (RFC PATCH v2, 2024-08-14)',
  /** LANDLOCK_ACCESS_NET_LISTEN_TCP as the RFC defines it, in the RFC's value space only. */
  LANDLOCK_ACCESS_NET_LISTEN_TCP: 1n << 2n,
  /** LANDLOCK_MASK_ACCESS_NET of an RFC kernel. */
  maskAccessNet: (1n << 3n) - 1n,
} as const;

/** The RFC's right under the kernel's name, in the RFC value space (see RFC_LISTEN_TCP). */
export const LANDLOCK_ACCESS_NET_LISTEN_TCP = RFC_LISTEN_TCP.LANDLOCK_ACCESS_NET_LISTEN_TCP;

/** Index of each network access right in layer_masks[] (bit position). */
export const NET_ACCESS_NAMES = ['bind_tcp', 'connect_tcp', 'listen_tcp'] as const;
export type NetAccessName = (typeof NET_ACCESS_NAMES)[number];

/** Address families (include/linux/socket.h). */
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_MAX = 46;

/** Socket types (include/linux/net.h). */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_SEQPACKET = 5;
export const SOCK_MAX = 11;
export const SOCK_TYPE_MASK = 0xf;
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_NONBLOCK = 0o4000;

/** Protocols (include/uapi/linux/in.h). */
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** include/uapi/linux/capability.h */
export const CAP_NET_BIND_SERVICE = 10;
export const CAP_NET_ADMIN = 12;
export const CAP_SYS_ADMIN = 21;
export const CAP_NAMES = { net_bind_service: CAP_NET_BIND_SERVICE, net_admin: CAP_NET_ADMIN, sys_admin: CAP_SYS_ADMIN } as const;
export type CapName = keyof typeof CAP_NAMES;
/** Every capability of root (CAP_LAST_CAP is 40 in v6.18). */
export const CAP_FULL_SET = (1n << 41n) - 1n;

/** include/uapi/linux/prctl.h */
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_GET_NO_NEW_PRIVS = 39;

/** include/linux/socket.h: sizeof(struct sockaddr_storage) */
export const SOCKADDR_STORAGE_SIZE = 128;
/** sizeof(struct sockaddr_in) */
export const SOCKADDR_IN_SIZE = 16;
/** sizeof(struct sockaddr_in6) */
export const SOCKADDR_IN6_SIZE = 28;
/** include/net/ipv6.h: the RFC 2133 sockaddr_in6 without sin6_scope_id */
export const SIN6_LEN_RFC2133 = 24;
/** sizeof(struct sockaddr_un) and offsetof(struct sockaddr_un, sun_path) */
export const SOCKADDR_UN_SIZE = 110;
export const SUN_PATH_OFFSET = 2;

/** include/linux/fs.h: f_mode bits that Landlock checks. */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
export const FMODE_CAN_READ = 0x20000;
export const FMODE_CAN_WRITE = 0x40000;

/** include/uapi/asm-generic/fcntl.h */
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;

/** net/ipv4/tcp.c: TCP_TIMEWAIT_LEN, 60 s in ns. */
export const TCP_TIMEWAIT_LEN_NS = 60_000_000_000;
