// The machine a model runs on: its configuration (the Landlock ABI it emulates,
// boot-time and build-time switches, sysctls), its one network namespace and
// its virtual clock. Seed 003's tests each run in a fresh network namespace.
import type { Endianness } from './bytes';
import type { NetNamespace } from './netns';
import type { AbiDescription, LandlockAbi, NetAccessName } from './uapi';

/** How a kernel is built and booted. Every field has the default of the v6.18 machine the oracle runs on. */
export interface KernelOptions {
  /** The Landlock ABI the model emulates (4 to 7; default 7). */
  readonly abi: LandlockAbi;
  /**
   * Experimental: the RFC series' LANDLOCK_ACCESS_NET_LISTEN_TCP (bit 2 in the
   * RFC's own value space) and its hook_socket_listen. Never a kernel ABI value.
   */
  readonly rfcListenTcp: boolean;
  /** landlock_initialized (lsm= on the command line); false: every Landlock syscall fails with EOPNOTSUPP. */
  readonly landlockEnabled: boolean;
  /** CONFIG_INET; false: LANDLOCK_RULE_NET_PORT rules fail with EAFNOSUPPORT. */
  readonly inet: boolean;
  /** The CPU's byte order (x86-64: little). */
  readonly endianness: Endianness;
  /** net.ipv4.ip_local_port_range */
  readonly ipLocalPortRange: readonly [number, number];
  /** net.ipv4.ip_unprivileged_port_start */
  readonly ipUnprivilegedPortStart: number;
  /** net.core.somaxconn */
  readonly somaxconn: number;
  /** Seed of the ephemeral port choice (the kernel's is random). */
  readonly seed: number;
}

export const DEFAULT_KERNEL_OPTIONS: KernelOptions = {
  abi: 7,
  rfcListenTcp: false,
  landlockEnabled: true,
  inet: true,
  endianness: 'little',
  ipLocalPortRange: [32768, 60999],
  ipUnprivilegedPortStart: 1024,
  somaxconn: 4096,
  seed: 0x5eed,
};

/** One Landlock denial, as security/landlock/audit.c would log it. */
export interface LandlockDenial {
  readonly tid: number;
  /** The LSM hook that denied. */
  readonly hook: 'socket_bind' | 'socket_connect' | 'socket_listen' | 'unix_stream_connect' | 'unix_may_send';
  /** The denied right ('scope_abstract_unix_socket' for a scope denial). */
  readonly access: NetAccessName | 'scope_abstract_unix_socket';
  /** The youngest denying layer, 1-based (layer 1 is the first restriction). */
  readonly layer: number;
  /** The number of layers of the denying domain. */
  readonly num_layers: number;
  /** The port, host order (network hooks only). */
  readonly port?: number;
  readonly errno: 'EACCES' | 'EPERM';
}

/** What every part of the model can reach of the machine. */
export interface KernelState {
  readonly options: KernelOptions;
  readonly abi: AbiDescription;
  readonly netns: NetNamespace;
  /** The Landlock denials so far, oldest first (a model of the audit log). */
  readonly denials: LandlockDenial[];
  /** Virtual time, ns since boot. */
  now(): number;
}
