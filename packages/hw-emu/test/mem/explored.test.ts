import { describe, expect, it } from 'vitest';
import { defineScenario, explore, replay } from '@k/core-sync';
import { AddressSpace, ExploredMemory, type MemOrder } from '../../src/index';

// A producer fills a buffer in DMA memory and publishes an index; a consumer (a device
// agent) reads the index then the buffer. Which orderings make that race-free is the LKMM's
// message-passing pattern.
function mp(dataOrder: MemOrder, flagW: MemOrder, flagR: MemOrder, fences: boolean) {
  return defineScenario({
    name: `explored-mp-${dataOrder}-${flagW}-${flagR}-${String(fences)}`,
    description: 'message passing through explored DMA memory',
    variants: { only: { expect: 'holds' } },
    setup(k) {
      const space = new AddressSpace();
      space.ram('ring', 0x1000, 0x100);
      const mem = new ExploredMemory(space);
      let seen = -1;
      k.spawn('driver', function* () {
        yield* mem.write32(0x1010, 0xabcd, dataOrder);
        if (fences) yield* mem.wmb();
        yield* mem.write16(0x1002, 1, flagW);
      });
      k.agent('device', function* () {
        if ((yield* mem.read16(0x1002, flagR)) !== 1) return;
        if (fences) yield* mem.rmb();
        seen = yield* mem.read32(0x1010, dataOrder);
      }, { daemon: false });
      k.atEnd('the device saw the data or nothing', () => seen === -1 || seen === 0xabcd);
    },
  });
}

describe('ExploredMemory', () => {
  it('reports a data race on a plain buffer published with a relaxed flag', () => {
    const r = explore(mp('plain', 'once', 'once', false), { strategy: 'dfs' });
    expect(r.verdict).toBe('fails');
    expect(r.counterexample?.kind).toBe('data-race');
    expect(r.counterexample?.message).toMatch(/data race on ring\+0x10\/u32/);
  });

  it('finds no race when the flag is a release store read by an acquire load', () => {
    const r = explore(mp('plain', 'release', 'acquire', false), { strategy: 'dfs' });
    expect(r.verdict).toBe('holds');
    expect(r.complete).toBe(true);
  });

  it('finds no race with smp_wmb / smp_rmb around marked flag accesses', () => {
    expect(explore(mp('plain', 'once', 'once', true), { strategy: 'dfs' }).verdict).toBe('holds');
  });

  it('reports marked data accesses without ordering as racing neither way (the LKMM: marked accesses never race)', () => {
    expect(explore(mp('once', 'once', 'once', false), { strategy: 'dfs' }).verdict).toBe('holds');
  });

  it('turns an access past the end of a region into an out-of-bounds violation that replays', () => {
    const s = defineScenario({
      name: 'explored-oob',
      description: 'a read that runs past the ring region',
      variants: { only: { expect: 'fails', kinds: ['out-of-bounds'] } },
      setup(k) {
        const space = new AddressSpace();
        space.ram('ring', 0x1000, 0x10);
        const mem = new ExploredMemory(space, { initiator: 'virtio-rng' });
        k.spawn('driver', function* () {
          yield* mem.read64(0x100c);
        });
      },
    });
    const r = explore(s);
    expect(r.ok).toBe(true);
    expect(r.counterexample?.message).toBe("read of 8 bytes at 0x100c (region 'ring') by virtio-rng: the access runs past the end of the region");
    expect(replay(s, 'only', r.counterexample!.schedule).violation?.kind).toBe('out-of-bounds');
  });

  it('reads and writes the address space itself, little-endian, at the scheduling point', () => {
    const space = new AddressSpace();
    space.ram('ring', 0, 0x40);
    const got: unknown[] = [];
    const s = defineScenario({
      name: 'explored-values',
      description: 'values',
      variants: { only: { expect: 'holds' } },
      setup(k) {
        const mem = new ExploredMemory(space);
        k.spawn('t', function* () {
          yield* mem.write64(0x8, 0x1122334455667788n);
          got.push(yield* mem.read32(0xc), yield* mem.read16(0x8), yield* mem.read8(0x9));
          yield* mem.writeBytes(0x20, new Uint8Array([1, 2, 3]), 'plain');
          got.push([...(yield* mem.readBytes(0x20, 4, 'plain'))]);
          got.push(mem.size, mem.locations);
        });
      },
    });
    expect(explore(s, { strategy: 'dfs' }).verdict).toBe('holds');
    expect(got).toEqual([0x11223344, 0x7788, 0x77, [1, 2, 3, 0], 0x40, 6]);
    expect(space.read32(0xc)).toEqual({ ok: true, value: 0x11223344 });
  });

  it('names the running thread in a fault when the memory has no initiator of its own', () => {
    const s = defineScenario({
      name: 'explored-who',
      description: 'a device agent writes past a buffer',
      variants: { only: { expect: 'fails', kinds: ['out-of-bounds'] } },
      setup(k) {
        const space = new AddressSpace();
        space.ram('buf', 0x2000, 4);
        const mem = new ExploredMemory(space);
        k.agent('virtio-rng', function* () {
          yield* mem.write32(0x2002, 1);
        }, { daemon: false });
      },
    });
    expect(explore(s, { strategy: 'dfs' }).counterexample?.message).toBe("write of 4 bytes at 0x2002 (region 'buf') by virtio-rng: the access runs past the end of the region");
  });

  it('refuses an acquire write or a release read, and a default order other than plain or once', () => {
    const space = new AddressSpace();
    space.ram('ring', 0, 0x40);
    expect(() => new ExploredMemory(space, { order: 'acquire' })).toThrow(/default order/);
    const s = defineScenario({
      name: 'explored-bad-order',
      description: 'misuse',
      variants: { only: { expect: 'fails', kinds: ['model-error'] } },
      setup(k) {
        const mem = new ExploredMemory(space);
        k.spawn('t', function* () {
          yield* mem.write16(0, 1, 'acquire');
        });
      },
    });
    expect(explore(s).counterexample?.message).toMatch(/a write cannot be 'acquire'/);
  });
});
