// Typed results of guest-physical memory accesses (issue 5, "DMA memory").
// An access that the address space refuses is a value, never a JS exception:
// the caller (a device model, a driver model, the AArch64 core) decides what
// the hardware does with it (a bus error, a DMA abort, a data abort).
import type { ErrnoName } from '@k/core-sync';

/** What an access does: load data, store data, or fetch an instruction. */
export type MemAccess = 'read' | 'write' | 'execute';

/**
 * Why an access was refused.
 * - `unmapped`: no region at that address.
 * - `permission`: the region does not allow this access (a store to ROM, a fetch from non-executable RAM).
 * - `bounds`: the access starts in a region but runs past its end (never wraps into the next one).
 * - `alignment`: an MMIO access that is not naturally aligned.
 * - `mmio`: the device's handler rejected the access (its reason is in `message`).
 * - `bad-address`: the address is not an integer in [0, 2^64).
 * - `bad-value` / `bad-length`: the value or length given to a write is not a valid integer of that width.
 */
export type MemFaultKind =
  | 'unmapped'
  | 'permission'
  | 'bounds'
  | 'alignment'
  | 'mmio'
  | 'bad-address'
  | 'bad-value'
  | 'bad-length';

/** A refused memory access, as a value. */
export interface MemFault {
  readonly kind: MemFaultKind;
  readonly access: MemAccess;
  /** Guest-physical address of the first byte (as given; 0n for `bad-address`). */
  readonly addr: bigint;
  /** Access size in bytes. */
  readonly size: number;
  /** Name of the region hit, or null. */
  readonly region: string | null;
  /** Who made the access (`AccessOptions.initiator`), or null. */
  readonly initiator: string | null;
  /** `EFAULT` for every address problem, `EINVAL` for a bad value or length. */
  readonly errno: ErrnoName;
  readonly message: string;
}

/** The result of a read: the value, or the fault. */
export type MemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly fault: MemFault };

/** The result of a write. */
export type MemStatus = { readonly ok: true } | { readonly ok: false; readonly fault: MemFault };

/** The one `{ ok: true }` every successful write returns (no allocation per access). */
export const MEM_OK: MemStatus = Object.freeze({ ok: true as const });

/** A fault thrown by {@link unwrapMem} for callers who prefer exceptions. */
export class MemFaultError extends Error {
  override readonly name = 'MemFaultError';
  readonly errno: ErrnoName;
  constructor(readonly fault: MemFault) {
    super(fault.message);
    this.errno = fault.errno;
  }
}

/** Returns the value of a successful read, or throws a {@link MemFaultError}. */
export function unwrapMem<T>(result: MemResult<T>): T;
export function unwrapMem(result: MemStatus): void;
export function unwrapMem<T>(result: MemResult<T> | MemStatus): T | void {
  if (!result.ok) throw new MemFaultError(result.fault);
  return 'value' in result ? result.value : undefined;
}

/** @internal */
export function hex64(a: bigint): string {
  return '0x' + a.toString(16);
}

/** @internal */
export function makeFault(
  kind: MemFaultKind,
  access: MemAccess,
  addr: bigint,
  size: number,
  region: string | null,
  initiator: string | null,
  detail?: string,
): MemFault {
  const what = access === 'execute' ? 'fetch' : access;
  const where = region ? ` (region '${region}')` : '';
  const why: Record<MemFaultKind, string> = {
    unmapped: 'no region is mapped there',
    permission: `the region does not allow ${access}`,
    bounds: 'the access runs past the end of the region',
    alignment: 'MMIO accesses must be naturally aligned',
    mmio: 'the device rejected the access',
    'bad-address': 'not a guest-physical address in [0, 2^64)',
    'bad-value': 'the value is not an integer of the access width',
    'bad-length': 'the length is not a non-negative safe integer',
  };
  const by = initiator ? ` by ${initiator}` : '';
  const message = `${what} of ${size} byte${size === 1 ? '' : 's'} at ${hex64(addr)}${where}${by}: ${detail ?? why[kind]}`;
  const errno: ErrnoName = kind === 'bad-value' || kind === 'bad-length' ? 'EINVAL' : 'EFAULT';
  return Object.freeze({ kind, access, addr, size, region, initiator, errno, message });
}
