// Text patching: arch/arm64/kernel/insn.c (v5.5) aarch64_insn_read(),
// __aarch64_insn_write() and aarch64_insn_patch_text_nosync(), and v6.3's
// aarch64_insn_write_literal_u64() (patching.c) for the call-ops literal.
// The kernel writes read-only text through a writable fixmap alias (patch_map):
// here a `privileged` access of hw-emu's AddressSpace. Each write is a
// scheduling point for the explorer, and the cross-modification rule is checked
// on it (TextPatchGuard): a forbidden live write becomes a violation.
import { EFAULT, EINVAL, type KGen } from '@k/core-sync';
import type { Kernel } from './kernel';

/** aarch64_insn_read(addr): `{ ret: 0, insn }`, or `{ ret: -EFAULT }` when the read faults (probe_kernel_read). */
export function aarch64_insn_read(k: Kernel, addr: bigint): { ret: number; insn: number } {
  const r = k.space.read32(addr, { initiator: 'ftrace' });
  return r.ok ? { ret: 0, insn: r.value } : { ret: -EFAULT, insn: 0 };
}

/**
 * __aarch64_insn_write(addr, insn) through the fixmap: one single-copy atomic
 * 32-bit store (0, or -EFAULT when the store faults). A kernel configured with
 * `patchTorn` (a faulty model, for the checker) writes two halves instead.
 */
function* __aarch64_insn_write(k: Kernel, addr: bigint, insn: number): KGen<number> {
  if (k.patchTorn) {
    yield k.textWriteOp(addr);
    const lo = k.space.write16(addr, insn & 0xffff, { privileged: true, initiator: k.patcher });
    k.checkTextWrite();
    if (!lo.ok) return -EFAULT;
    yield k.textWriteOp(addr);
    const hi = k.space.write16(addr + 2n, insn >>> 16, { privileged: true, initiator: k.patcher });
    k.checkTextWrite();
    return hi.ok ? 0 : -EFAULT;
  }
  yield k.textWriteOp(addr);
  const r = k.space.write32(addr, insn, { privileged: true, initiator: k.patcher });
  if (r.ok) k.patchCount++;
  k.checkTextWrite();
  return r.ok ? 0 : -EFAULT;
}

/** aarch64_insn_write(addr, insn). */
export function aarch64_insn_write(k: Kernel, addr: bigint, insn: number): KGen<number> {
  return __aarch64_insn_write(k, addr, insn >>> 0);
}

/** aarch64_insn_patch_text_nosync(addr, insn): -EINVAL when misaligned; the write's result otherwise (then the I-cache flush). */
export function* aarch64_insn_patch_text_nosync(k: Kernel, addr: bigint, insn: number): KGen<number> {
  // A64 instructions must be word aligned
  if ((addr & 3n) !== 0n) return -EINVAL;
  return yield* aarch64_insn_write(k, addr, insn);
}

/** aarch64_insn_write_literal_u64(addr, val) (v6.3): the call-ops literal, one 64-bit store through the fixmap. */
export function* aarch64_insn_write_literal_u64(k: Kernel, addr: bigint, val: bigint): KGen<number> {
  yield k.textWriteOp(addr);
  const r = k.space.write64(addr, val, { privileged: true, initiator: k.patcher });
  k.checkTextWrite();
  return r.ok ? 0 : -EFAULT;
}
