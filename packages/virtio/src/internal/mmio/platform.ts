// A small virtio-mmio machine for scenarios and tests: guest-physical DMA memory (hw-emu
// AddressSpace) under the explorer, ring pages for vring_create_virtqueue, and driver buffers
// (kmalloc'd structures the device reads or writes), each mapped as its own region with unmapped
// space around it so that any access past a buffer is an 'out-of-bounds' violation. Seed 002.
import { AddressSpace, ExploredMemory } from '@k/hw-emu';
import { ExploredVringMemory } from '../ring/explored';
import { vringPages, type VringPages } from './virtio_mmio';

/** Options of a {@link VirtioMmioPlatform}. */
export interface VirtioMmioPlatformOptions {
  /** bytes of ring pages at address 0 (default 64 KiB) */
  readonly ringBytes?: number;
}

/** Where driver buffers start, and the gap left unmapped after each. */
const BUF_BASE = 0x10_0000;
const BUF_GAP = 0x1000;

/** DMA memory, ring pages and buffers of one execution (create it in a scenario's setup). */
export class VirtioMmioPlatform {
  readonly space = new AddressSpace();
  readonly dma: ExploredMemory;
  readonly mem: ExploredVringMemory;
  readonly pages: VringPages;
  private nextBuf = BUF_BASE;

  constructor(opts: VirtioMmioPlatformOptions = {}) {
    const ringBytes = opts.ringBytes ?? 0x1_0000;
    if (!Number.isInteger(ringBytes) || ringBytes < 0x1000 || ringBytes > BUF_BASE) {
      throw new RangeError(`VirtioMmioPlatform: ringBytes must be an integer in [4096, ${String(BUF_BASE)}], got ${String(ringBytes)}`);
    }
    this.space.ram('vring', 0, ringBytes);
    this.dma = new ExploredMemory(this.space);
    this.mem = new ExploredVringMemory(this.dma);
    this.pages = vringPages(0, ringBytes);
  }

  /** Maps a driver buffer of exactly `size` bytes (a kmalloc'd area the device may DMA to) and returns its address. */
  dmaAlloc(name: string, size: number): number {
    if (!Number.isInteger(size) || size <= 0 || size > 0x10_0000) throw new RangeError(`dmaAlloc(${name}): size ${String(size)} must be an integer in [1, 1 MiB]`);
    const at = this.nextBuf;
    this.space.ram(name, at, size);
    this.nextBuf = Math.ceil((at + size + BUF_GAP) / BUF_GAP) * BUF_GAP;
    return at;
  }
}
