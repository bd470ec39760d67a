// Concurrent modification and execution of instructions (Arm ARM DDI 0487,
// B2.2.5): without synchronisation, an instruction another core may be executing
// may only be replaced when both the old and the new instruction are one of B, BL,
// BRK, HVC, ISB, NOP, SMC or SVC; then the other core executes either the old or
// the new one. Anything else needs every other core stopped (the kernel's
// stop_machine in aarch64_insn_patch_text). Seed 004 relies on this: ftrace swings
// NOP <-> BL live, but writes the boot-time MOV X9, LR with the other cores parked.
// The kernel's former aarch64_insn_hotpatch_safe() applied the same list (without
// ISB, and counting every hint except YIELD/WFE/WFI/SEV/SEVL as a NOP); k follows
// the architecture: NOP is the NOP encoding only.
import type { AddressSpace, Addr, WriteEvent } from '../mem/address-space';
import { toAddr } from '../mem/address-space';
import { A64Error, checkWord, disassemble } from './format';

/** The instructions the architecture lets one core replace while another may execute them. */
export type HotpatchClass = 'b' | 'bl' | 'nop' | 'brk' | 'svc' | 'hvc' | 'smc' | 'isb';

/** Which live-swappable instruction `word` is, or null. */
export function hotpatchClass(word: number): HotpatchClass | null {
  const w = checkWord(word, 'hotpatchClass');
  if ((w & 0xfc000000) >>> 0 === 0x14000000) return 'b';
  if ((w & 0xfc000000) >>> 0 === 0x94000000) return 'bl';
  if (w === 0xd503201f) return 'nop';
  if ((w & 0xfffff0ff) >>> 0 === 0xd50330df) return 'isb';
  switch ((w & 0xffe0001f) >>> 0) {
    case 0xd4200000:
      return 'brk';
    case 0xd4000001:
      return 'svc';
    case 0xd4000002:
      return 'hvc';
    case 0xd4000003:
      return 'smc';
  }
  return null;
}

/**
 * True when the architecture allows replacing instruction `oldWord` by `newWord`
 * while another core may be executing it: both must be B, BL, NOP, BRK, SVC, HVC,
 * SMC or ISB. Otherwise all other cores must be stopped first.
 */
export function isHotpatchSafe(oldWord: number, newWord: number): boolean {
  return hotpatchClass(oldWord) !== null && hotpatchClass(newWord) !== null;
}

/** A text write the architecture does not allow while other cores run. */
export interface CrossModificationViolation {
  readonly kind: 'cross-modification';
  /**
   * `not-hotpatch-safe`: the old or the new instruction is not one of the eight;
   * `torn-write`: the write is not single-copy atomic for a word it changes in more than one byte
   * (unaligned, or a block copy), so another core may fetch a mix of old and new bytes.
   */
  readonly reason: 'not-hotpatch-safe' | 'torn-write';
  /** Address of the instruction word. */
  readonly addr: bigint;
  readonly oldWord: number;
  readonly newWord: number;
  readonly initiator: string | null;
  readonly message: string;
}

/** Options of a {@link TextPatchGuard}. */
export interface TextPatchGuardOptions {
  /**
   * Whether other cores may be executing the text when a write happens (default true).
   * A function receives the writer (`AccessOptions.initiator`, or the core id for a core's stores).
   */
  readonly othersRunning?: boolean | ((initiator: string | null) => boolean);
  /** Called with each violation as it happens. */
  readonly onViolation?: (v: CrossModificationViolation) => void;
}

/**
 * Watches writes to a text range and reports, as typed values (never thrown), each one
 * that the cross-modification rule forbids while other cores run. Writes still happen:
 * a checker decides what a violation means.
 */
export class TextPatchGuard {
  /** Violations seen so far, oldest first. */
  readonly violations: CrossModificationViolation[] = [];
  private othersRunning: boolean | ((initiator: string | null) => boolean);
  private readonly onViolation: ((v: CrossModificationViolation) => void) | undefined;
  private readonly unwatch: () => void;

  constructor(
    readonly space: AddressSpace,
    base: Addr,
    size: number,
    options: TextPatchGuardOptions = {},
  ) {
    const start = toAddr(base);
    if (start === null || start % 4n !== 0n) throw new A64Error('TextPatchGuard: base must be a 4-byte aligned address');
    if (!Number.isSafeInteger(size) || size <= 0 || size % 4 !== 0) throw new A64Error('TextPatchGuard: size must be a positive multiple of 4');
    this.othersRunning = options.othersRunning ?? true;
    this.onViolation = options.onViolation;
    const end = start + BigInt(size);
    this.unwatch = space.watchWrites(start, size, (ev) => this.check(ev, start, end));
  }

  /** Declares whether other cores are running (as stop_machine would park them). */
  setOthersRunning(value: boolean | ((initiator: string | null) => boolean)): void {
    this.othersRunning = value;
  }

  /** Stops watching. */
  detach(): void {
    this.unwatch();
  }

  private check(ev: WriteEvent, start: bigint, end: bigint): void {
    const running = typeof this.othersRunning === 'function' ? this.othersRunning(ev.initiator) : this.othersRunning;
    if (!running) return;
    const atomic = ev.atomic;
    const first = ev.addr & ~3n;
    for (let wa = first < start ? start : first; wa < ev.addr + BigInt(ev.size) && wa < end; wa += 4n) {
      const old = this.space.read32(wa, { privileged: true });
      if (!old.ok) continue;
      const bytes = new Uint8Array(new Uint32Array([old.value]).buffer);
      let changed = 0;
      for (let k = 0; k < 4; k++) {
        const at = wa + BigInt(k) - ev.addr;
        if (at >= 0n && at < BigInt(ev.size)) {
          const nb = ev.bytes[Number(at)] as number;
          if (bytes[k] !== nb) changed++;
          bytes[k] = nb;
        }
      }
      if (changed === 0) continue;
      const newWord = new Uint32Array(bytes.buffer)[0] as number;
      let reason: CrossModificationViolation['reason'] | null = null;
      if (!atomic && changed > 1) reason = 'torn-write';
      else if (!isHotpatchSafe(old.value, newWord)) reason = 'not-hotpatch-safe';
      if (reason === null) continue;
      const by = ev.initiator ? ` by ${ev.initiator}` : '';
      const why =
        reason === 'torn-write'
          ? 'the write is not single-copy atomic for this instruction'
          : 'only B, BL, NOP, BRK, SVC, HVC, SMC and ISB may be replaced while other cores run';
      const v: CrossModificationViolation = Object.freeze({
        kind: 'cross-modification' as const,
        reason,
        addr: wa,
        oldWord: old.value,
        newWord,
        initiator: ev.initiator,
        message: `live patch at 0x${wa.toString(16)}${by}: '${disassemble(old.value)}' -> '${disassemble(newWord)}': ${why}`,
      });
      this.violations.push(v);
      this.onViolation?.(v);
    }
  }
}
