// A guest-physical address space over ArrayBuffers (issue 5, "DMA memory").
// Regions (RAM, ROM, MMIO) are mapped at 64-bit guest-physical addresses and
// carry read/write/execute permissions; every access is checked for a mapping,
// the permission and the region's end, and a refused access comes back as a
// typed fault (./fault.ts), never as a JS exception and never wrapped around.
// Memory is little-endian, as on arm64 and virtio.
//
// Addresses travel internally as two uint32 halves (hi, lo) so that kernel
// addresses above 2^53 (0xffff8000_0000_0000) stay exact without BigInt on the
// hot paths; the public accessors take a number (a safe integer) or a bigint.
import type { ErrnoName } from '@k/core-sync';
import { makeFault, MEM_OK, type MemAccess, type MemFault, type MemResult, type MemStatus } from './fault';

/** A guest-physical address: a non-negative safe integer, or a bigint in [0, 2^64). */
export type Addr = number | bigint;

/** Sizes of single accesses. */
export type AccessSize = 1 | 2 | 4 | 8;

/** What a region is backed by. */
export type RegionKind = 'ram' | 'rom' | 'mmio';

/** A device's refusal of an MMIO access; becomes an `mmio` fault carrying `reject` as its message. */
export interface MmioReject {
  readonly reject: string;
}

/**
 * The hooks of an MMIO region. Offsets are relative to the region's base; accesses
 * are naturally aligned and 1, 2, 4 or 8 bytes wide. Values of 8-byte accesses are
 * bigints, narrower ones numbers (unsigned).
 */
export interface MmioHandler {
  read(offset: number, size: AccessSize, initiator: string | null): number | bigint | MmioReject;
  write(offset: number, size: AccessSize, value: number | bigint, initiator: string | null): void | MmioReject;
}

/** Per-access options. */
export interface AccessOptions {
  /** Who makes the access ("cpu1", "virtio-rng"): carried into faults and write watchers. */
  readonly initiator?: string;
  /**
   * Ignore the region's read/write/execute permissions (still checks mapping and bounds).
   * Models a privileged alias such as the kernel's fixmap used to patch read-only text.
   */
  readonly privileged?: boolean;
}

/** How to map a region. */
export interface RegionSpec {
  readonly name: string;
  readonly base: Addr;
  /** Size in bytes; for RAM/ROM defaults to the length of `contents`. */
  readonly size?: number;
  /** Default `ram`. */
  readonly kind?: RegionKind;
  /** Letters among r, w, x. Defaults: RAM `rwx`, ROM `rx`, MMIO `rw`. */
  readonly perms?: string;
  /** RAM: back the region with a new SharedArrayBuffer (so workers can share it). */
  readonly shared?: boolean;
  /** RAM/ROM: an existing buffer to map (its first `size` bytes from `bufferOffset`). */
  readonly buffer?: ArrayBuffer | SharedArrayBuffer;
  /** Byte offset into `buffer`; a multiple of 4. */
  readonly bufferOffset?: number;
  /** Initial bytes, copied in at offset 0. */
  readonly contents?: Uint8Array;
  /** MMIO hooks (required for `mmio`). */
  readonly handler?: MmioHandler;
}

/** A write about to happen inside a watched range (see {@link AddressSpace.watchWrites}). */
export interface WriteEvent {
  readonly addr: bigint;
  readonly size: number;
  /** The bytes about to be written (a copy). The old bytes are still in memory. */
  readonly bytes: Uint8Array;
  readonly region: string;
  readonly initiator: string | null;
  /**
   * Whether the write is single-copy atomic (Arm ARM B2.2.1): a naturally aligned access of
   * 1, 2, 4 or 8 bytes. `writeBytes` is a block copy and never atomic.
   */
  readonly atomic: boolean;
}

/** A configuration error of the address space (bad region spec, overlap): thrown, with an errno name. */
export class AddressSpaceError extends Error {
  override readonly name = 'AddressSpaceError';
  constructor(
    readonly errno: ErrnoName,
    message: string,
  ) {
    super(`${errno}: ${message}`);
  }
}

const TWO32 = 4294967296;
const TWO64 = 1n << 64n;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** @internal (hi, lo) of a validated address; lo in [0, 2^32). */
function splitAddr(a: bigint): [number, number] {
  return [Number(a >> 32n), Number(a & 0xffffffffn)];
}

/** @internal */
export function joinAddr(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** A mapped region. `bytes` is the live memory (host code may read it; writes through it bypass the checks and watchers). */
export class MemRegion {
  readonly name: string;
  readonly kind: RegionKind;
  readonly base: bigint;
  readonly size: number;
  /** First address after the region. */
  readonly end: bigint;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly executable: boolean;
  /** The backing buffer (null for MMIO). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer | null;
  /** The region's bytes (empty for MMIO). */
  readonly bytes: Uint8Array;
  readonly handler: MmioHandler | null;
  /** @internal high and low 32 bits of `base` */
  readonly baseHi: number;
  /** @internal */
  readonly baseLo: number;
  /** @internal aligned 32-bit view over the whole words of the region */
  readonly i32: Int32Array;
  /** @internal */
  readonly dv: DataView;
  /** @internal per-region cache owned by an instruction-set core (decoded instructions). */
  execCache: unknown = undefined;

  /** @internal */
  constructor(spec: RegionSpec, base: bigint, size: number, kind: RegionKind, perms: string) {
    this.name = spec.name;
    this.kind = kind;
    this.base = base;
    this.size = size;
    this.end = base + BigInt(size);
    this.readable = perms.includes('r');
    this.writable = perms.includes('w');
    this.executable = perms.includes('x');
    [this.baseHi, this.baseLo] = splitAddr(base);
    this.handler = spec.handler ?? null;
    if (kind === 'mmio') {
      this.buffer = null;
      this.bytes = new Uint8Array(0);
      this.i32 = new Int32Array(0);
      this.dv = new DataView(new ArrayBuffer(0));
      return;
    }
    const off = spec.bufferOffset ?? 0;
    let buffer: ArrayBuffer | SharedArrayBuffer;
    if (spec.buffer) {
      buffer = spec.buffer;
    } else if (spec.shared) {
      buffer = new SharedArrayBuffer(size);
    } else {
      buffer = new ArrayBuffer(size);
    }
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer, off, size);
    this.i32 = new Int32Array(buffer, off, Math.floor(size / 4));
    this.dv = new DataView(buffer, off, size);
    if (spec.contents) this.bytes.set(spec.contents);
  }

  /** True when `addr` lies inside the region. */
  contains(addr: bigint): boolean {
    return addr >= this.base && addr < this.end;
  }
}

interface Watch {
  readonly start: bigint;
  readonly end: bigint;
  readonly cb: (ev: WriteEvent) => void;
}

/** Options of an address space. */
export interface AddressSpaceOptions {
  /** Called with every fault the space reports (for logs and detectors). */
  readonly onFault?: (fault: MemFault) => void;
}

/**
 * A guest-physical address space: RAM, ROM and MMIO regions with permission and
 * bounds checks, little-endian accessors returning typed results, and write watchers.
 *
 * @example
 * const space = new AddressSpace();
 * space.ram('dram', 0x4000_0000, 0x10000);
 * space.write32(0x4000_0010, 0xdeadbeef); // => { ok: true }
 * space.read32(0x4000_0010);              // => { ok: true, value: 3735928559 }
 * space.read32(0x5000_0000).ok;           // => false (fault.kind 'unmapped', errno 'EFAULT')
 */
export class AddressSpace {
  /** @internal bumped on every map, unmap, watch and unwatch (cores drop their fast windows). */
  generation = 0;
  /** @internal sorted by base */
  regionList: MemRegion[] = [];
  /** @internal */
  watches: Watch[] = [];
  /** @internal results of the internal accessors */
  vLo = 0;
  /** @internal */
  vHi = 0;
  /** @internal the fault of the last failed internal access */
  lastFault: MemFault | null = null;
  private last: MemRegion | null = null;
  private off = 0;
  private readonly onFault: ((fault: MemFault) => void) | undefined;

  constructor(options: AddressSpaceOptions = {}) {
    if (!LITTLE_ENDIAN_HOST) throw new AddressSpaceError('ENOSYS', 'the host must be little-endian');
    if (options.onFault !== undefined && typeof options.onFault !== 'function') throw new AddressSpaceError('EINVAL', 'onFault must be a function');
    this.onFault = options.onFault;
  }

  // ---- configuration ------------------------------------------------------

  /** Maps a region; throws {@link AddressSpaceError} on a bad spec or an overlap. */
  map(spec: RegionSpec): MemRegion {
    if (typeof spec.name !== 'string' || spec.name === '') throw new AddressSpaceError('EINVAL', 'a region needs a name');
    if (this.regionList.some((r) => r.name === spec.name)) {
      throw new AddressSpaceError('EEXIST', `a region named '${spec.name}' is already mapped`);
    }
    const kind = spec.kind ?? 'ram';
    if (kind !== 'ram' && kind !== 'rom' && kind !== 'mmio') throw new AddressSpaceError('EINVAL', `unknown region kind '${String(kind)}'`);
    const base = toAddr(spec.base);
    if (base === null) throw new AddressSpaceError('EINVAL', `region '${spec.name}': base is not an address in [0, 2^64)`);
    if (base % 4n !== 0n) throw new AddressSpaceError('EINVAL', `region '${spec.name}': base must be a multiple of 4`);
    const size = spec.size ?? spec.contents?.length;
    if (size === undefined || !Number.isSafeInteger(size) || size <= 0 || size >= TWO32) {
      throw new AddressSpaceError('EINVAL', `region '${spec.name}': size must be an integer in [1, 2^32)`);
    }
    if (base + BigInt(size) > TWO64) throw new AddressSpaceError('EINVAL', `region '${spec.name}' runs past 2^64`);
    const perms = spec.perms ?? (kind === 'ram' ? 'rwx' : kind === 'rom' ? 'rx' : 'rw');
    if (!/^[rwx]*$/.test(perms)) throw new AddressSpaceError('EINVAL', `region '${spec.name}': perms '${perms}' may only hold r, w, x`);
    if (kind === 'mmio') {
      if (!spec.handler || typeof spec.handler.read !== 'function' || typeof spec.handler.write !== 'function') {
        throw new AddressSpaceError('EINVAL', `MMIO region '${spec.name}' needs a handler with read and write`);
      }
      if (perms.includes('x')) throw new AddressSpaceError('EINVAL', `MMIO region '${spec.name}' cannot be executable`);
    } else {
      if (spec.buffer !== undefined) {
        const off = spec.bufferOffset ?? 0;
        if (!(spec.buffer instanceof ArrayBuffer || spec.buffer instanceof SharedArrayBuffer)) {
          throw new AddressSpaceError('EINVAL', `region '${spec.name}': buffer must be an ArrayBuffer or SharedArrayBuffer`);
        }
        if (!Number.isSafeInteger(off) || off < 0 || off % 4 !== 0 || off + size > spec.buffer.byteLength) {
          throw new AddressSpaceError('EINVAL', `region '${spec.name}': bufferOffset must be a multiple of 4 with size bytes after it`);
        }
      }
      if (spec.contents !== undefined && (!(spec.contents instanceof Uint8Array) || spec.contents.length > size)) {
        throw new AddressSpaceError('EINVAL', `region '${spec.name}': contents must be a Uint8Array no longer than the region`);
      }
    }
    const region = new MemRegion(spec, base, size, kind, perms);
    for (const r of this.regionList) {
      if (region.base < r.end && r.base < region.end) {
        throw new AddressSpaceError('EBUSY', `region '${spec.name}' overlaps region '${r.name}'`);
      }
    }
    this.regionList.push(region);
    this.regionList.sort((a, b) => (a.base < b.base ? -1 : 1));
    this.generation++;
    return region;
  }

  /** Maps RAM (zeroed; `shared: true` backs it with a SharedArrayBuffer). */
  ram(
    name: string,
    base: Addr,
    size: number,
    options: Pick<RegionSpec, 'perms' | 'shared' | 'buffer' | 'bufferOffset' | 'contents'> = {},
  ): MemRegion {
    return this.map({ ...options, name, base, size, kind: 'ram' });
  }

  /** Maps ROM holding `contents` (read and execute by default). */
  rom(name: string, base: Addr, contents: Uint8Array, options: Pick<RegionSpec, 'perms' | 'size'> = {}): MemRegion {
    return this.map({ ...options, name, base, contents, kind: 'rom' });
  }

  /** Maps an MMIO window whose accesses go to `handler`. */
  mmio(name: string, base: Addr, size: number, handler: MmioHandler, options: Pick<RegionSpec, 'perms'> = {}): MemRegion {
    return this.map({ ...options, name, base, size, handler, kind: 'mmio' });
  }

  /** Unmaps a region by name; false when there is none. */
  unmap(name: string): boolean {
    const i = this.regionList.findIndex((r) => r.name === name);
    if (i < 0) return false;
    const [r] = this.regionList.splice(i, 1);
    if (this.last === r) this.last = null;
    this.generation++;
    return true;
  }

  /** The mapped regions, by address. */
  regions(): readonly MemRegion[] {
    return [...this.regionList];
  }

  /** The region holding `addr`, if any. */
  regionAt(addr: Addr): MemRegion | undefined {
    const a = toAddr(addr);
    return a === null ? undefined : this.regionList.find((r) => r.contains(a));
  }

  /** The region called `name`, if any. */
  region(name: string): MemRegion | undefined {
    return this.regionList.find((r) => r.name === name);
  }

  /**
   * Calls `cb` before every checked write that touches [base, base + size) — through
   * these accessors or a core's stores — with the bytes about to be written. Returns
   * the function that removes the watch.
   */
  watchWrites(base: Addr, size: number, cb: (ev: WriteEvent) => void): () => void {
    const start = toAddr(base);
    if (start === null) throw new AddressSpaceError('EINVAL', 'watchWrites: base is not an address');
    if (!Number.isSafeInteger(size) || size <= 0) throw new AddressSpaceError('EINVAL', 'watchWrites: size must be a positive integer');
    if (typeof cb !== 'function') throw new AddressSpaceError('EINVAL', 'watchWrites: callback must be a function');
    const w: Watch = { start, end: start + BigInt(size), cb };
    this.watches.push(w);
    this.generation++;
    return () => {
      const i = this.watches.indexOf(w);
      if (i >= 0) {
        this.watches.splice(i, 1);
        this.generation++;
      }
    };
  }

  // ---- public accessors ----------------------------------------------------

  /** Reads an unsigned byte. */
  read8(addr: Addr, options?: AccessOptions): MemResult<number> {
    return this.readN(addr, 1, 'read', options);
  }
  /** Reads an unsigned little-endian 16-bit value. */
  read16(addr: Addr, options?: AccessOptions): MemResult<number> {
    return this.readN(addr, 2, 'read', options);
  }
  /** Reads an unsigned little-endian 32-bit value. */
  read32(addr: Addr, options?: AccessOptions): MemResult<number> {
    return this.readN(addr, 4, 'read', options);
  }
  /** Reads an unsigned little-endian 64-bit value. */
  read64(addr: Addr, options?: AccessOptions): MemResult<bigint> {
    const a = this.addrOrFault(addr, 8, 'read', options);
    if (!Array.isArray(a)) return { ok: false, fault: a };
    if (this.readInternal(a[0], a[1], 8, 'read', options?.initiator ?? null, options?.privileged ?? false) !== 0) {
      return { ok: false, fault: this.lastFault as MemFault };
    }
    return { ok: true, value: joinAddr(this.vHi, this.vLo) };
  }
  /** Fetches an instruction word: a 32-bit read that needs execute permission. */
  fetch32(addr: Addr, options?: AccessOptions): MemResult<number> {
    return this.readN(addr, 4, 'execute', options);
  }

  /** Writes a byte (`value` in [-128, 255]; negative values are two's complement). */
  write8(addr: Addr, value: number, options?: AccessOptions): MemStatus {
    return this.writeN(addr, 1, value, options);
  }
  /** Writes a little-endian 16-bit value (`value` in [-2^15, 2^16)). */
  write16(addr: Addr, value: number, options?: AccessOptions): MemStatus {
    return this.writeN(addr, 2, value, options);
  }
  /** Writes a little-endian 32-bit value (`value` in [-2^31, 2^32)). */
  write32(addr: Addr, value: number, options?: AccessOptions): MemStatus {
    return this.writeN(addr, 4, value, options);
  }
  /** Writes a little-endian 64-bit value (a bigint in [-2^63, 2^64) or a safe integer). */
  write64(addr: Addr, value: bigint | number, options?: AccessOptions): MemStatus {
    const a = this.addrOrFault(addr, 8, 'write', options);
    if (!Array.isArray(a)) return { ok: false, fault: a };
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (Number.isSafeInteger(value)) v = BigInt(value);
    else return this.failStatus(makeFault('bad-value', 'write', joinAddr(a[0], a[1]), 8, null, options?.initiator ?? null));
    if (v < -(1n << 63n) || v >= TWO64) {
      return this.failStatus(makeFault('bad-value', 'write', joinAddr(a[0], a[1]), 8, null, options?.initiator ?? null));
    }
    v = BigInt.asUintN(64, v);
    const st = this.writeInternal(a[0], a[1], 8, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0, options?.initiator ?? null, options?.privileged ?? false);
    return st === 0 ? MEM_OK : { ok: false, fault: this.lastFault as MemFault };
  }

  /** Copies `length` bytes out of memory (all or nothing). MMIO is read byte by byte. */
  readBytes(addr: Addr, length: number, options?: AccessOptions): MemResult<Uint8Array> {
    const init = options?.initiator ?? null;
    if (!Number.isSafeInteger(length) || length < 0) {
      return this.fail(makeFault('bad-length', 'read', typeof addr === 'bigint' ? addr : 0n, 0, null, init));
    }
    const a = this.addrOrFault(addr, length, 'read', options);
    if (!Array.isArray(a)) return { ok: false, fault: a };
    const out = new Uint8Array(length);
    if (length === 0) return { ok: true, value: out };
    const r = this.resolve(a[0], a[1], length, 'read', init, options?.privileged ?? false);
    if (r === null) return { ok: false, fault: this.lastFault as MemFault };
    if (r.kind !== 'mmio') {
      out.set(r.bytes.subarray(this.off, this.off + length));
      return { ok: true, value: out };
    }
    for (let i = 0; i < length; i++) {
      const st = this.mmioRead(r, this.off + i, 1, a, 'read', init);
      if (st !== 0) return { ok: false, fault: this.lastFault as MemFault };
      out[i] = this.vLo;
    }
    return { ok: true, value: out };
  }

  /** Copies `data` into memory (all or nothing: nothing is written when any byte would fault). */
  writeBytes(addr: Addr, data: Uint8Array, options?: AccessOptions): MemStatus {
    const init = options?.initiator ?? null;
    if (!(data instanceof Uint8Array)) return this.failStatus(makeFault('bad-value', 'write', 0n, 0, null, init, 'data must be a Uint8Array'));
    const a = this.addrOrFault(addr, data.length, 'write', options);
    if (!Array.isArray(a)) return { ok: false, fault: a };
    if (data.length === 0) return MEM_OK;
    const r = this.resolve(a[0], a[1], data.length, 'write', init, options?.privileged ?? false);
    if (r === null) return { ok: false, fault: this.lastFault as MemFault };
    if (this.watches.length) this.notify(r, a[0], a[1], data.length, data.slice(), init, false);
    if (r.kind !== 'mmio') {
      r.bytes.set(data, this.off);
      return MEM_OK;
    }
    const base = this.off;
    for (let i = 0; i < data.length; i++) {
      const st = this.mmioWrite(r, base + i, 1, data[i] as number, 0, a, init);
      if (st !== 0) return { ok: false, fault: this.lastFault as MemFault };
    }
    return MEM_OK;
  }

  /**
   * Writes 32-bit words little-endian from `addr` (all or nothing), as a block copy: the way
   * to load assembled text. Patching live text should use `write32`, which is single-copy atomic.
   */
  writeWords(addr: Addr, words: readonly number[] | Uint32Array, options?: AccessOptions): MemStatus {
    const n = words.length;
    const bytes = new Uint8Array(4 * n);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) {
      const w = words[i];
      if (typeof w !== 'number' || !Number.isInteger(w) || w < -0x80000000 || w > 0xffffffff) {
        return this.failStatus(makeFault('bad-value', 'write', typeof addr === 'bigint' ? addr : 0n, 4, null, options?.initiator ?? null, `word ${i} (${String(w)}) is not a 32-bit value`));
      }
      dv.setUint32(4 * i, w >>> 0, true);
    }
    return this.writeBytes(addr, bytes, options);
  }

  /**
   * A zero-copy view of `length` bytes of RAM or ROM (checked once, for `access`).
   * Reads and writes through the view are not checked again and bypass write watchers:
   * use it for bulk DMA and rings, not for patching watched text.
   */
  view(addr: Addr, length: number, access: MemAccess = 'read', options?: AccessOptions): MemResult<Uint8Array> {
    const init = options?.initiator ?? null;
    if (!Number.isSafeInteger(length) || length <= 0) {
      return this.fail(makeFault('bad-length', access, typeof addr === 'bigint' ? addr : 0n, 0, null, init));
    }
    const a = this.addrOrFault(addr, length, access, options);
    if (!Array.isArray(a)) return { ok: false, fault: a };
    const r = this.resolve(a[0], a[1], length, access, init, options?.privileged ?? false);
    if (r === null) return { ok: false, fault: this.lastFault as MemFault };
    if (r.kind === 'mmio') {
      return this.fail(makeFault('mmio', access, joinAddr(a[0], a[1]), length, r.name, init, 'an MMIO window has no bytes to view'));
    }
    return { ok: true, value: r.bytes.subarray(this.off, this.off + length) };
  }

  // ---- internals (shared with the cores) -------------------------------------

  /**
   * @internal Finds the region for [addr, addr + size) and checks the access; returns
   * the region (offset in `this.off`) or null with `lastFault` set.
   */
  resolve(hi: number, lo: number, size: number, access: MemAccess, initiator: string | null, privileged: boolean): MemRegion | null {
    // cores pass int32 halves: make both unsigned
    hi >>>= 0;
    lo >>>= 0;
    let r = this.last;
    let off = r === null ? -1 : (hi - r.baseHi) * TWO32 + (lo - r.baseLo);
    if (r === null || off < 0 || off >= r.size) {
      r = null;
      for (const c of this.regionList) {
        const o = (hi - c.baseHi) * TWO32 + (lo - c.baseLo);
        if (o >= 0 && o < c.size) {
          r = c;
          off = o;
          break;
        }
      }
      if (r === null) {
        this.raise(makeFault('unmapped', access, joinAddr(hi, lo), size, null, initiator));
        return null;
      }
      this.last = r;
    }
    if (off + size > r.size) {
      this.raise(makeFault('bounds', access, joinAddr(hi, lo), size, r.name, initiator));
      return null;
    }
    if (!privileged) {
      const allowed = access === 'read' ? r.readable : access === 'write' ? r.writable : r.executable;
      if (!allowed) {
        this.raise(makeFault('permission', access, joinAddr(hi, lo), size, r.name, initiator));
        return null;
      }
    }
    this.off = off;
    return r;
  }

  /** @internal Reads 1/2/4/8 bytes into (vHi, vLo); returns 0, or 1 with `lastFault` set. */
  readInternal(hi: number, lo: number, size: AccessSize, access: 'read' | 'execute', initiator: string | null, privileged: boolean): number {
    const r = this.resolve(hi, lo, size, access, initiator, privileged);
    if (r === null) return 1;
    const o = this.off;
    if (r.kind === 'mmio') return this.mmioRead(r, o, size, [hi, lo], access, initiator);
    const dv = r.dv;
    this.vHi = 0;
    if (size === 1) this.vLo = r.bytes[o] as number;
    else if (size === 2) this.vLo = dv.getUint16(o, true);
    else if (size === 4) this.vLo = dv.getInt32(o, true);
    else {
      this.vLo = dv.getInt32(o, true);
      this.vHi = dv.getInt32(o + 4, true);
    }
    return 0;
  }

  /** @internal Writes 1/2/4/8 bytes of (vhi, vlo); returns 0, or 1 with `lastFault` set. */
  writeInternal(hi: number, lo: number, size: AccessSize, vlo: number, vhi: number, initiator: string | null, privileged: boolean): number {
    const r = this.resolve(hi, lo, size, 'write', initiator, privileged);
    if (r === null) return 1;
    const o = this.off;
    if (this.watches.length) {
      const b = new Uint8Array(size);
      const dv = new DataView(b.buffer);
      if (size === 1) b[0] = vlo;
      else if (size === 2) dv.setUint16(0, vlo & 0xffff, true);
      else {
        dv.setInt32(0, vlo, true);
        if (size === 8) dv.setInt32(4, vhi, true);
      }
      this.notify(r, hi, lo, size, b, initiator, (lo >>> 0) % size === 0);
    }
    if (r.kind === 'mmio') return this.mmioWrite(r, o, size, vlo, vhi, [hi, lo], initiator);
    const dv = r.dv;
    if (size === 1) r.bytes[o] = vlo;
    else if (size === 2) dv.setUint16(o, vlo & 0xffff, true);
    else if (size === 4) dv.setInt32(o, vlo, true);
    else {
      dv.setInt32(o, vlo, true);
      dv.setInt32(o + 4, vhi, true);
    }
    return 0;
  }

  /** @internal */
  raise(f: MemFault): void {
    this.lastFault = f;
    this.onFault?.(f);
  }

  private notify(r: MemRegion, hi: number, lo: number, size: number, bytes: Uint8Array, initiator: string | null, atomic: boolean): void {
    const start = joinAddr(hi, lo);
    const end = start + BigInt(size);
    for (const w of [...this.watches]) {
      if (start < w.end && w.start < end) w.cb({ addr: start, size, bytes, region: r.name, initiator, atomic });
    }
  }

  private mmioRead(r: MemRegion, o: number, size: AccessSize, a: readonly [number, number], access: MemAccess, initiator: string | null): number {
    if (o % size !== 0) {
      this.raise(makeFault('alignment', access, joinAddr(a[0], a[1]), size, r.name, initiator));
      return 1;
    }
    const v = (r.handler as MmioHandler).read(o, size, initiator);
    if (typeof v === 'object' && v !== null) {
      this.raise(makeFault('mmio', access, joinAddr(a[0], a[1]), size, r.name, initiator, `${r.name} rejected the read: ${String(v.reject)}`));
      return 1;
    }
    if (typeof v !== 'bigint' && !Number.isSafeInteger(v)) {
      this.raise(makeFault('mmio', access, joinAddr(a[0], a[1]), size, r.name, initiator, `${r.name} returned ${String(v)}, not an integer`));
      return 1;
    }
    const big = typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(v));
    const masked = size === 8 ? big : big & ((1n << BigInt(size * 8)) - 1n);
    this.vLo = Number(masked & 0xffffffffn) | 0;
    this.vHi = Number(masked >> 32n) | 0;
    if (size < 4) this.vLo >>>= 0;
    return 0;
  }

  private mmioWrite(r: MemRegion, o: number, size: AccessSize, vlo: number, vhi: number, a: readonly [number, number], initiator: string | null): number {
    if (o % size !== 0) {
      this.raise(makeFault('alignment', 'write', joinAddr(a[0], a[1]), size, r.name, initiator));
      return 1;
    }
    const value: number | bigint =
      size === 8 ? joinAddr(vhi, vlo) : size === 4 ? vlo >>> 0 : size === 2 ? vlo & 0xffff : vlo & 0xff;
    const res = (r.handler as MmioHandler).write(o, size, value, initiator);
    if (typeof res === 'object' && res !== null) {
      this.raise(makeFault('mmio', 'write', joinAddr(a[0], a[1]), size, r.name, initiator, `${r.name} rejected the write: ${String(res.reject)}`));
      return 1;
    }
    return 0;
  }

  private readN(addr: Addr, size: 1 | 2 | 4, access: 'read' | 'execute', options?: AccessOptions): MemResult<number> {
    const a = this.addrOrFault(addr, size, access, options);
    if (!Array.isArray(a)) return { ok: false, fault: a };
    if (this.readInternal(a[0], a[1], size, access, options?.initiator ?? null, options?.privileged ?? false) !== 0) {
      return { ok: false, fault: this.lastFault as MemFault };
    }
    return { ok: true, value: this.vLo >>> 0 };
  }

  private writeN(addr: Addr, size: 1 | 2 | 4, value: number, options?: AccessOptions): MemStatus {
    const a = this.addrOrFault(addr, size, 'write', options);
    if (!Array.isArray(a)) return { ok: false, fault: a };
    const bits = size * 8;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** (bits - 1)) || value >= 2 ** bits) {
      return this.failStatus(makeFault('bad-value', 'write', joinAddr(a[0], a[1]), size, null, options?.initiator ?? null));
    }
    const st = this.writeInternal(a[0], a[1], size, value | 0, 0, options?.initiator ?? null, options?.privileged ?? false);
    return st === 0 ? MEM_OK : { ok: false, fault: this.lastFault as MemFault };
  }

  private addrOrFault(addr: Addr, size: number, access: MemAccess, options?: AccessOptions): [number, number] | MemFault {
    if (typeof addr === 'number') {
      if (Number.isSafeInteger(addr) && addr >= 0) return [Math.floor(addr / TWO32), addr % TWO32];
    } else if (typeof addr === 'bigint') {
      if (addr >= 0n && addr < TWO64) return splitAddr(addr);
    }
    const f = makeFault('bad-address', access, typeof addr === 'bigint' ? addr : 0n, size, null, options?.initiator ?? null);
    this.raise(f);
    return f;
  }

  private fail<T>(f: MemFault): MemResult<T> {
    this.raise(f);
    return { ok: false, fault: f };
  }

  private failStatus(f: MemFault): MemStatus {
    this.raise(f);
    return { ok: false, fault: f };
  }
}

/** @internal A validated bigint address, or null. */
export function toAddr(a: unknown): bigint | null {
  if (typeof a === 'number') return Number.isSafeInteger(a) && a >= 0 ? BigInt(a) : null;
  if (typeof a === 'bigint') return a >= 0n && a < TWO64 ? a : null;
  return null;
}
