// The split ring in hw-emu DMA memory under core-sync's explorer: a VringMemory over an
// ExploredMemory, so every ring access is a scheduling point with race detection and an access
// outside the mapped memory is an 'out-of-bounds' violation. Source: the accessors of
// drivers/virtio/virtio_ring.c and include/linux/virtio_ring.h (virtio_mb/rmb/wmb). Seed 002.
import { mb, rmb, smp_mb, smp_rmb, smp_wmb, wmb, type KGen } from '@k/core-sync';
import type { ExploredMemory } from '@k/hw-emu';
import type { VringMemory } from './memory';

/**
 * Ring memory whose accesses are core-sync scheduling points: the ring's field accesses are
 * marked (READ_ONCE/WRITE_ONCE-like, the ExploredMemory default), so the virtio barriers give the
 * happens-before edges the LKMM gives them and a plain access elsewhere (a driver reading a
 * buffer) races unless ordered. Share one per address space between the driver and its device.
 */
export class ExploredVringMemory implements VringMemory {
  readonly explored = true;
  constructor(readonly dma: ExploredMemory) {}
  get size(): number {
    return this.dma.size;
  }
  read16(addr: number): KGen<number> {
    return this.dma.read16(addr);
  }
  read32(addr: number): KGen<number> {
    return this.dma.read32(addr);
  }
  *read64(addr: number): KGen<number> {
    return Number(yield* this.dma.read64(addr));
  }
  write16(addr: number, val: number): KGen<void> {
    return this.dma.write16(addr, val & 0xffff);
  }
  write32(addr: number, val: number): KGen<void> {
    return this.dma.write32(addr, val >>> 0);
  }
  write64(addr: number, val: number): KGen<void> {
    return this.dma.write64(addr, BigInt.asUintN(64, BigInt(Math.trunc(val))));
  }
  virtio_mb(weak_barriers: boolean): KGen<void> {
    return weak_barriers ? smp_mb() : mb();
  }
  virtio_rmb(weak_barriers: boolean): KGen<void> {
    return weak_barriers ? smp_rmb() : rmb();
  }
  virtio_wmb(weak_barriers: boolean): KGen<void> {
    return weak_barriers ? smp_wmb() : wmb();
  }
}
