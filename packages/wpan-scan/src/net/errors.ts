// The typed error of @k/wpan-scan's public API: what kind of mistake, the
// errno name the kernel would return, and the individual problems.

import type { ErrnoName } from '@k/core-sync';

/** What went wrong. */
export type WpanScanErrorKind =
  /** the network description is invalid */
  | 'invalid-network'
  /** a scan option is invalid (before the kernel sees it) */
  | 'invalid-option'
  /** the modelled kernel refused the request (its errno is in `errno`) */
  | 'kernel';

/** A refused input or request, with the errno name the kernel would use. */
export class WpanScanError extends Error {
  override readonly name = 'WpanScanError';
  constructor(
    readonly kind: WpanScanErrorKind,
    message: string,
    readonly errno: ErrnoName,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}
