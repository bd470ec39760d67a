// The conformance suite's scenario format: a straight-line program of system
// calls with the value each must return, run the same way by the model
// (./run-model.ts) and by the real kernel (./oracle.ts, a C interpreter of the
// same steps). Mirrors tools/testing/selftests/landlock/net_test.c, the file seed 003 patches.
import type { LandlockNetPortAttr, LandlockRulesetAttr } from '../bytes';
import type { KernelOptions } from '../kernel-state';
import type { CapName, LandlockAbi } from '../uapi';

/** A file descriptor: the name a step bound it to, or a literal number (a bad fd). */
export type FdRef = string | number;

/** An address, encoded by the runner (a port may be a variable set by `getport`). */
export type AddrSpec =
  | { readonly kind: 'inet'; readonly addr: string; readonly port: number | string; readonly family?: number }
  | { readonly kind: 'inet6'; readonly addr: string; readonly port: number | string; readonly family?: number; readonly scope_id?: number }
  | { readonly kind: 'unix'; readonly abstract: string }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

interface By {
  /** The thread that makes the call (default 'main'). */
  readonly by?: string;
}

export type Step =
  | ({ readonly op: 'thread'; readonly name: string } & By)
  | ({ readonly op: 'caps'; readonly effective: readonly CapName[]; readonly permitted?: readonly CapName[] } & By)
  | ({ readonly op: 'nnp' } & By)
  | ({ readonly op: 'create_ruleset'; readonly as?: string; readonly attr: LandlockRulesetAttr | Uint8Array | null; readonly size: number; readonly flags?: number } & By)
  | ({ readonly op: 'add_rule'; readonly fd: FdRef; readonly rule_type?: number; readonly attr: LandlockNetPortAttr | { readonly allowed_access: bigint; readonly parent_fd: FdRef } | Uint8Array | null; readonly flags?: number } & By)
  | ({ readonly op: 'restrict'; readonly fd: FdRef; readonly flags?: number } & By)
  | ({ readonly op: 'socket'; readonly as: string; readonly family: number; readonly type: number; readonly protocol?: number } & By)
  | ({ readonly op: 'bind' | 'connect'; readonly fd: FdRef; readonly addr: AddrSpec | null; readonly len: number } & By)
  | ({ readonly op: 'listen'; readonly fd: FdRef; readonly backlog?: number } & By)
  | ({ readonly op: 'accept'; readonly as: string; readonly fd: FdRef } & By)
  | ({ readonly op: 'close'; readonly fd: FdRef } & By)
  | ({ readonly op: 'getport'; readonly as: string; readonly fd: FdRef } & By)
  | ({ readonly op: 'open'; readonly as: string; readonly path: string; readonly flags: number } & By);

/**
 * What a step returns, normalised: an errno name ('EACCES'), 'fd' for a new
 * descriptor, 'port' for a non-zero bound port, otherwise the number ('0', '7').
 */
export type Outcome = string;

/** One scenario of the suite. */
export interface ConformanceCase {
  /** `<selftest fixture>.<test>/<variant>` where it mirrors one. */
  readonly name: string;
  /** What it checks, in a sentence. */
  readonly about: string;
  /** The ABIs it runs on (default 4 to 7). */
  readonly abis?: readonly LandlockAbi[];
  /** Kernel options beyond the ABI (the RFC's LISTEN_TCP, big-endian...). */
  readonly kernel?: Partial<Omit<KernelOptions, 'abi'>>;
  /** False when no mainline kernel can run it (RFC LISTEN_TCP, a big-endian CPU). */
  readonly oracle?: boolean;
  /**
   * True when the outcome depends on the exact ABI (version and errata
   * queries, unknown-bit and flag checks): a kernel newer than ABI 7 answers
   * these differently by design, so the oracle skips them there.
   */
  readonly abiExact?: boolean;
  /** The steps and what each must return. */
  readonly steps: readonly (readonly [Step, Outcome])[];
}

/** The capabilities a scenario starts with: none effective, these permitted (the selftests' disable_caps()). */
export const INITIAL_PERMITTED: readonly CapName[] = ['net_bind_service', 'net_admin', 'sys_admin'];
