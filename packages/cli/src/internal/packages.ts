// The CLI is the one place that knows every package of k (ARCHITECTURE.md).
export const PACKAGES = [
  '@k/core-sync',
  '@k/hw-emu',
  '@k/wpan-scan',
  '@k/conntrack',
  '@k/virtio',
  '@k/landlock-net',
  '@k/arm64-ftrace',
] as const;

export type PackageName = (typeof PACKAGES)[number];

/** Accepts `@k/wpan-scan` or `wpan-scan`; returns the full name or null. */
export function resolvePackageName(arg: string): PackageName | null {
  const full = arg.startsWith('@k/') ? arg : `@k/${arg}`;
  return (PACKAGES as readonly string[]).includes(full) ? (full as PackageName) : null;
}
