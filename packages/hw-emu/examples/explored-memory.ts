// README example (ExploredMemory). Run: npx tsx examples/explored-memory.ts (after a build).
/* eslint-disable @typescript-eslint/no-unused-expressions -- each bare expression shows a value */
import { defineScenario, explore } from '@k/core-sync';
import { AddressSpace, ExploredMemory, type MemOrder } from '@k/hw-emu';

// A driver fills a buffer in DMA memory, then publishes a flag a device agent polls.
const publish = (flagWrite: MemOrder, flagRead: MemOrder) => defineScenario({
  name: `publish-${flagWrite}-${flagRead}`,
  description: 'message passing through DMA memory',
  variants: { only: { expect: 'holds' } },
  setup(k) {
    const space = new AddressSpace();
    space.ram('ring', 0x1000, 0x100);
    const mem = new ExploredMemory(space);          // accesses default to 'once' (marked)
    k.spawn('driver', function* () {
      yield* mem.write32(0x1010, 0xabcd, 'plain');  // the buffer: a plain C store
      yield* mem.write16(0x1002, 1, flagWrite);
    });
    k.agent('device', function* () {
      if ((yield* mem.read16(0x1002, flagRead)) === 1) yield* mem.read32(0x1010, 'plain');
    }, { daemon: false });
  },
});
const racy = explore(publish('once', 'once'), { strategy: 'dfs' });
racy.counterexample?.kind;              // => 'data-race'
explore(publish('release', 'acquire'), { strategy: 'dfs' }).verdict;  // => 'holds'

const oob = explore(defineScenario({
  name: 'oob',
  description: 'a read past the end of a region',
  variants: { only: { expect: 'fails', kinds: ['out-of-bounds'] } },
  setup(k) {
    const space = new AddressSpace();
    space.ram('ring', 0x1000, 0x10);
    const mem = new ExploredMemory(space, { initiator: 'virtio-rng' });
    k.spawn('driver', () => mem.read64(0x100c));
  },
}));
oob.counterexample?.message;            // => "read of 8 bytes at 0x100c (region 'ring') by virtio-rng: the access runs past the end of the region"
