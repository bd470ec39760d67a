// Properties of the split ring with a driver (virtio_ring.ts) and a device (vhost.ts) sharing
// one memory, their steps interleaved in an order fast-check chooses (single-threaded).
import { Violation } from '@k/core-sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  VringMemoryFault,
  vhost_add_used,
  vhost_disable_notify,
  vhost_enable_notify,
  vhost_get_vq_desc,
  vhost_signal,
  vhost_vq_avail_empty,
  virtqueue_add_sgs,
  virtqueue_detach_unused_buf,
  virtqueue_disable_cb,
  virtqueue_enable_cb,
  virtqueue_enable_cb_delayed,
  virtqueue_get_buf,
  virtqueue_kick,
  virtqueue_kick_prepare,
  virtqueue_notify,
  vring_interrupt,
  type Scatterlist,
} from '../src/index';
import { MAX_SG, POOL_BASE, S, makeWorld, sgFor, type World } from './helpers/world';

type DriverCmd =
  | { t: 'add'; outs: number[]; ins: number[] }
  | { t: 'kick' }
  | { t: 'get' }
  | { t: 'disable' }
  | { t: 'enable' }
  | { t: 'enableDelayed' };
type DeviceCmd =
  | { t: 'pop' }
  | { t: 'complete'; pick: number; frac: number }
  | { t: 'signal' }
  | { t: 'sleep' };
type HostileCmd =
  | { t: 'scribble'; region: 'used' | 'desc' | 'pool'; off: number; width: 1 | 2 | 4; value: number }
  | { t: 'forgeUsed'; id: number; len: number; bump: number }
  | { t: 'setUsedIdx'; value: number }
  | { t: 'toggleDescFlag'; i: number; bit: number };
type Cmd = DriverCmd | DeviceCmd | HostileCmd;

const lens = fc.array(fc.integer({ min: 0, max: 48 }), { maxLength: 3 });
const driverCmd: fc.Arbitrary<DriverCmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('add' as const), outs: lens, ins: lens }) },
  { weight: 3, arbitrary: fc.constant({ t: 'kick' as const }) },
  { weight: 5, arbitrary: fc.constant({ t: 'get' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'disable' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'enable' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'enableDelayed' as const }) },
);
const deviceCmd: fc.Arbitrary<DeviceCmd> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ t: 'pop' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({ t: fc.constant('complete' as const), pick: fc.nat({ max: 64 }), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
  },
  { weight: 2, arbitrary: fc.constant({ t: 'signal' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'sleep' as const }) },
);
const u32 = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0xffff_ffff }));
function hostileCmd(regions: ('used' | 'desc' | 'pool')[]): fc.Arbitrary<HostileCmd> {
  const toggles: fc.Arbitrary<HostileCmd>[] = regions.includes('desc')
    ? [fc.record({ t: fc.constant('toggleDescFlag' as const), i: fc.nat({ max: 15 }), bit: fc.constantFrom(1, 2, 4) })]
    : [];
  return fc.oneof(
    ...toggles,
    fc.record({
      t: fc.constant('scribble' as const),
      region: fc.constantFrom(...regions),
      off: fc.nat({ max: 4096 }),
      width: fc.constantFrom(1 as const, 2 as const, 4 as const),
      value: u32,
    }),
    fc.record({ t: fc.constant('forgeUsed' as const), id: u32, len: u32, bump: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ t: fc.constant('setUsedIdx' as const), value: fc.integer({ min: 0, max: 0xffff }) }),
  );
}

const config = fc.record({
  num: fc.constantFrom(1, 2, 4, 8, 16),
  eventIdx: fc.boolean(),
  indirect: fc.boolean(),
  hardenDetach: fc.boolean(),
});

interface Inflight {
  token: number;
  inBytes: number;
}

/** Plays `cmds` against a fresh world and checks the ring's guarantees as it goes. */
class Exchange {
  readonly w: World;
  nextToken = 1;
  /** Adds refused with -ENOSPC (or -EIO once broken). */
  refused = 0;
  readonly inflight = new Map<number, Inflight>(); // token -> buffer
  readonly returned = new Set<number>();
  /** Heads the device popped and has not completed, with their in-bytes. */
  readonly popped: { head: number; inBytes: number }[] = [];
  /** What the driver must get back, in used-ring order (honest device only). */
  readonly expected: { head: number; len: number }[] = [];
  readonly headToken = new Map<number, number>();
  deviceAsleep = false;
  addedSinceSleep = false;
  driverWaiting = false;
  delayed: { remaining: number; fired: boolean } | null = null;
  completedSinceWait = 0;
  /** How often each guarantee was actually checked (so the property cannot pass vacuously). */
  static readonly checked = { kick: 0, interrupt: 0, delayed: 0, len: 0 };
  constructor(
    cfg: { num: number; eventIdx: boolean; indirect: boolean; hardenDetach: boolean },
    readonly honest: boolean,
  ) {
    this.w = makeWorld(cfg);
  }

  driver(c: DriverCmd): void {
    const { w } = this;
    switch (c.t) {
      case 'add': {
        if (c.outs.length + c.ins.length === 0) return;
        const token = this.nextToken++;
        let k = 0;
        const outs: Scatterlist[] = c.outs.map((l) => sgFor(token, k++, l));
        const ins: Scatterlist[] = c.ins.map((l) => sgFor(token, k++, l));
        const head = w.vq.free_head;
        const sgs = [outs, ins].filter((l) => l.length > 0);
        const ret = S(virtqueue_add_sgs(w.vq, sgs, outs.length > 0 ? 1 : 0, ins.length > 0 ? 1 : 0, token));
        if (ret === 0) {
          this.inflight.set(token, { token, inBytes: c.ins.reduce((a, b) => a + b, 0) });
          this.headToken.set(head, token);
          if (this.deviceAsleep) this.addedSinceSleep = true;
        } else if (this.honest) {
          this.refused++;
          expect(ret).toBe(-28); // -ENOSPC: the only failure with an honest device
          expect(w.vq.num_free).toBeLessThan(c.outs.length + c.ins.length);
        }
        return;
      }
      case 'kick': {
        const needs = S(virtqueue_kick_prepare(w.vq));
        // No lost kick: a device that went to sleep must be kicked for what was added since.
        if (this.honest && this.deviceAsleep && this.addedSinceSleep) {
          Exchange.checked.kick++;
          expect(needs).toBe(true);
        }
        if (needs && S(virtqueue_notify(w.vq)) && this.deviceAsleep) {
          this.deviceAsleep = false;
          S(vhost_disable_notify(w.dev));
        }
        return;
      }
      case 'get': {
        const len = { value: -1 };
        const token = S(virtqueue_get_buf(w.vq, len)) as number | null;
        if (token === null) {
          if (this.honest && !w.vq.broken.peek()) expect(this.expected.length).toBe(0);
          return;
        }
        // Every token comes back once, and only a token that was added.
        expect(this.inflight.has(token)).toBe(true);
        expect(this.returned.has(token)).toBe(false);
        // The used length never exceeds the device-writable part (939779f5152d's check).
        expect(len.value).toBeLessThanOrEqual(this.inflight.get(token)!.inBytes);
        if (this.honest) {
          const e = this.expected.shift()!;
          expect(token).toBe(this.headToken.get(e.head));
          expect(len.value).toBe(e.len);
          if (e.len > 0) Exchange.checked.len++;
        }
        this.inflight.delete(token);
        this.returned.add(token);
        // The virtio contract: after collecting, a driver re-arms with enable_cb before it may
        // wait (get_buf's used_event write covers only entries the device has not signalled).
        this.driverWaiting = false;
        this.delayed = null;
        return;
      }
      case 'disable':
        S(virtqueue_disable_cb(w.vq));
        this.driverWaiting = false;
        this.delayed = null;
        return;
      case 'enable':
        this.driverWaiting = S(virtqueue_enable_cb(w.vq));
        this.completedSinceWait = 0;
        this.delayed = null;
        return;
      case 'enableDelayed': {
        const outstanding = (w.vq.split.avail_idx_shadow - w.vq.last_used_idx) & 0xffff;
        const waiting = S(virtqueue_enable_cb_delayed(w.vq));
        this.driverWaiting = false;
        this.delayed = waiting && outstanding > 0 ? { remaining: outstanding, fired: false } : null;
        return;
      }
    }
  }

  device(c: DeviceCmd): void {
    const { w } = this;
    switch (c.t) {
      case 'pop': {
        // A device that polls is awake (kicks stay enabled: the QEMU-style pop path).
        this.deviceAsleep = false;
        const head = S(vhost_get_vq_desc(w.dev, w.iov, MAX_SG * 2));
        if (this.honest) expect(head).toBeGreaterThanOrEqual(0);
        if (head >= 0 && head < w.dev.num) this.popped.push({ head, inBytes: w.iov.inBytes() });
        return;
      }
      case 'complete': {
        if (this.popped.length === 0 || w.dev.broken) return;
        const [p] = this.popped.splice(c.pick % this.popped.length, 1);
        const len = Math.floor(c.frac * p!.inBytes);
        S(vhost_add_used(w.dev, p!.head, len));
        this.expected.push({ head: p!.head, len });
        if (this.delayed) this.delayed.remaining--;
        this.completedSinceWait++;
        return;
      }
      case 'signal': {
        const fired = S(vhost_signal(w.dev));
        if (this.honest) {
          // No lost interrupt: a waiting driver is interrupted for any buffer used since.
          if (this.driverWaiting && this.completedSinceWait > 0) {
            Exchange.checked.interrupt++;
            expect(fired).toBe(true);
          }
          // With enable_cb_delayed, at the latest once every outstanding buffer is used.
          if (this.delayed && this.delayed.remaining <= 0) {
            Exchange.checked.delayed++;
            expect(fired || this.delayed.fired).toBe(true);
          }
        }
        if (fired) {
          if (this.delayed) this.delayed.fired = true;
          S(vring_interrupt(0, w.vq));
          this.driverWaiting = false;
        }
        this.completedSinceWait = 0;
        return;
      }
      case 'sleep': {
        // As a vhost worker does: pop everything available, then re-enable kicks and sleep
        // unless more slipped in.
        if (this.deviceAsleep) return;
        S(vhost_disable_notify(w.dev));
        for (let k = 0; k < w.dev.num && !S(vhost_vq_avail_empty(w.dev)); k++) this.device({ t: 'pop' });
        if (!S(vhost_enable_notify(w.dev))) {
          this.deviceAsleep = true;
          this.addedSinceSleep = false;
        } else {
          S(vhost_disable_notify(w.dev));
        }
        return;
      }
    }
  }

  hostile(c: HostileCmd): void {
    const { w } = this;
    const bytes = w.raw.bytes;
    const dv = new DataView(bytes.buffer);
    const vr = w.vq.split.vring;
    switch (c.t) {
      case 'scribble': {
        const [base, size] =
          c.region === 'used'
            ? [vr.used, 6 + 8 * vr.num]
            : c.region === 'desc'
              ? [vr.desc, 16 * vr.num]
              : [POOL_BASE, w.pool.end - POOL_BASE];
        const at = base + (c.off % Math.max(1, size - c.width + 1));
        if (c.width === 1) dv.setUint8(at, c.value & 0xff);
        else if (c.width === 2) dv.setUint16(at, c.value & 0xffff, true);
        else dv.setUint32(at, c.value >>> 0, true);
        return;
      }
      case 'forgeUsed': {
        const idx = dv.getUint16(vr.used + 2, true);
        const e = vr.used + 4 + 8 * (idx & (vr.num - 1));
        dv.setUint32(e, c.id >>> 0, true);
        dv.setUint32(e + 4, c.len >>> 0, true);
        dv.setUint16(vr.used + 2, (idx + c.bump) & 0xffff, true);
        return;
      }
      case 'setUsedIdx':
        dv.setUint16(vr.used + 2, c.value, true);
        return;
      case 'toggleDescFlag':
        bytes[vr.desc + 16 * (c.i % vr.num) + 12]! ^= c.bit;
        return;
    }
  }

  run(cmds: Cmd[]): void {
    for (const c of cmds) {
      if (c.t === 'scribble' || c.t === 'forgeUsed' || c.t === 'setUsedIdx' || c.t === 'toggleDescFlag') this.hostile(c);
      else if (c.t === 'pop' || c.t === 'complete' || c.t === 'signal' || c.t === 'sleep') this.device(c);
      else this.driver(c);
    }
  }
}

function drainHonest(x: Exchange): void {
  for (let guard = 0; guard < 10_000; guard++) {
    x.device({ t: 'pop' });
    if (x.popped.length === 0) break;
    while (x.popped.length > 0) x.device({ t: 'complete', pick: 0, frac: 1 });
  }
  x.device({ t: 'signal' });
  while (x.expected.length > 0) x.driver({ t: 'get' });
  x.driver({ t: 'get' });
}

describe('a well-behaved driver and device', () => {
  it('exchange every buffer exactly once, in used order, with the lengths the device wrote, and lose no kick or interrupt', () => {
    fc.assert(
      fc.property(config, fc.array(fc.oneof(driverCmd, deviceCmd), { maxLength: 300, size: 'large' }), (cfg, cmds) => {
        const x = new Exchange(cfg, true);
        x.run(cmds);
        drainHonest(x);
        const { w } = x;
        expect(w.vq.broken.peek()).toBe(false);
        expect(w.dev.broken).toBe(false);
        // Nothing lost, nothing duplicated.
        expect(x.inflight.size).toBe(0);
        expect(x.returned.size).toBe(x.nextToken - 1 - x.refused);
        expect(w.vq.num_free).toBe(cfg.num);
        expect(w.pool.inUse).toBe(0);
        expect(S(virtqueue_detach_unused_buf(w.vq))).toBeNull();
        expect(w.drvMem.violations).toEqual([]);
      }),
      { seed: 20220329, numRuns: 400 },
    );
    const c = Exchange.checked;
    expect([c.kick, c.interrupt, c.delayed, c.len].every((n) => n >= 30)).toBe(true);
  });

  it('exchange N buffers through a full ring many times over, across the 16-bit index wrap', () => {
    const w = makeWorld({ num: 8, eventIdx: true, indirect: true });
    const N = 70_000;
    let got = 0;
    let sent = 0;
    while (got < N) {
      while (sent < N && S(virtqueue_add_sgs(w.vq, [[sgFor(sent, 0, 4)], [sgFor(sent, 1, 8)]], 1, 1, sent + 1)) === 0) sent++;
      S(virtqueue_kick(w.vq));
      for (;;) {
        const head = S(vhost_get_vq_desc(w.dev, w.iov));
        if (head === w.dev.num) break;
        S(vhost_add_used(w.dev, head, 8));
      }
      S(vhost_signal(w.dev));
      for (let t = S(virtqueue_get_buf(w.vq)); t !== null; t = S(virtqueue_get_buf(w.vq))) {
        expect(t).toBe(++got);
      }
    }
    expect(w.vq.last_used_idx).toBe(N & 0xffff);
    expect(w.vq.num_free).toBe(8);
    expect(w.pool.inUse).toBe(0);
  });
});

/** Runs a hostile session: the driver must never fault, and must end broken or consistent. */
function hostileSession(
  cfg: { num: number; eventIdx: boolean; indirect: boolean; hardenDetach: boolean },
  cmds: Cmd[],
  v517Weaknesses: boolean,
): 'broken' | 'works' | 'lost' | 'bug' | 'hang' {
  const x = new Exchange(cfg, false);
  try {
    x.run(cmds);
    // Shutdown, as a driver does after a reset: take back every buffer still in flight.
    const back = new Set<number>();
    for (let b = S(virtqueue_detach_unused_buf(x.w.vq)); b !== null; b = S(virtqueue_detach_unused_buf(x.w.vq))) {
      const t = b as number;
      expect(x.returned.has(t) || back.has(t)).toBe(false);
      back.add(t);
    }
    // The kernel would spin forever in detach_buf_split; the model broke the queue instead.
    if (x.w.vq.detach_aborted) {
      expect(v517Weaknesses).toBe(true);
      return 'hang';
    }
    if (x.w.vq.broken.peek()) return 'broken';
    const lost = [...x.inflight.keys()].filter((t) => !back.has(t));
    // v5.17 follows NEXT flags the device can rewrite: an in-flight head can be handed out
    // again and its token overwritten (lost, silently).
    if (v517Weaknesses && lost.length > 0) return 'lost';
    // Works: every buffer added came back exactly once, through get_buf or detach.
    expect([...back].sort((a, b) => a - b)).toEqual([...x.inflight.keys()].sort((a, b) => a - b));
    expect(x.w.vq.num_free).toBe(cfg.num);
    return 'works';
  } catch (e) {
    if (e instanceof VringMemoryFault) throw new Error(`the driver touched memory outside its ring: ${e.message}`, { cause: e });
    if (v517Weaknesses && e instanceof Violation) return 'bug';
    throw e;
  } finally {
    expect(x.w.drvMem.violations).toEqual([]);
  }
}

describe('a hostile device', () => {
  const hostileCmds = (regions: ('used' | 'desc' | 'pool')[]) =>
    fc.array(fc.oneof({ weight: 3, arbitrary: driverCmd }, { weight: 2, arbitrary: deviceCmd }, { weight: 2, arbitrary: hostileCmd(regions) }), {
      maxLength: 200,
      size: 'large',
    });

  it('writing ids, lengths and indexes into the used ring never makes the driver fault: it ends broken or works', () => {
    const outcomes = { broken: 0, works: 0, lost: 0, bug: 0, hang: 0 };
    fc.assert(
      fc.property(config, hostileCmds(['used']), (cfg, cmds) => {
        outcomes[hostileSession(cfg, cmds, false)]++;
      }),
      { seed: 9, numRuns: 600 },
    );
    // Both outcomes occur: the checks fire, and harmless writes are survived.
    expect(outcomes.broken).toBeGreaterThan(50);
    expect(outcomes.works).toBeGreaterThan(50);
  });

  it('also rewriting the descriptor table and indirect tables, a driver with hardenDetach ends broken or works', () => {
    fc.assert(
      fc.property(config, hostileCmds(['used', 'desc', 'pool']), (cfg, cmds) => {
        hostileSession({ ...cfg, hardenDetach: true }, cmds, false);
      }),
      { seed: 11, numRuns: 600 },
    );
  });

  it('rewriting the descriptor table, the v5.17 driver never touches memory out of bounds, but may lose a buffer, hit a BUG_ON or (in the kernel) spin', () => {
    const outcomes = { broken: 0, works: 0, lost: 0, bug: 0, hang: 0 };
    fc.assert(
      fc.property(config, hostileCmds(['used', 'desc', 'pool']), (cfg, cmds) => {
        outcomes[hostileSession({ ...cfg, hardenDetach: false }, cmds, true)]++;
      }),
      { seed: 13, numRuns: 600 },
    );
    console.log('v5.17 driver against a descriptor-table-writing device:', outcomes);
    expect(outcomes.broken + outcomes.works + outcomes.lost + outcomes.bug + outcomes.hang).toBe(600);
  });
});

describe('a hostile driver', () => {
  type DrvHostile =
    | { t: 'desc'; i: number; addr: number; len: number; flags: number; next: number }
    | { t: 'publish'; head: number; bump: number }
    | { t: 'table'; slot: number; k: number; addr: number; len: number; flags: number; next: number }
    | { t: 'availIdx'; value: number };
  const u16 = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 0xffff }));
  const addr = fc.oneof(fc.integer({ min: 0, max: 0x80000 }), fc.constantFrom(0x20000, 0x7fff0, 2 ** 52, 2 ** 64 - 1));
  const len = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(16, 32, 48, 0x100010));
  const flags = fc.oneof(fc.integer({ min: 0, max: 7 }), u16);
  const cmd: fc.Arbitrary<DrvHostile> = fc.oneof(
    fc.record({ t: fc.constant('desc' as const), i: fc.nat({ max: 15 }), addr, len, flags, next: u16 }),
    fc.record({ t: fc.constant('publish' as const), head: u16, bump: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ t: fc.constant('table' as const), slot: fc.nat({ max: 3 }), k: fc.nat({ max: 7 }), addr, len, flags, next: u16 }),
    fc.record({ t: fc.constant('availIdx' as const), value: u16 }),
  );

  it('never makes the device read or hand out memory outside the guest memory: it pops sane buffers or breaks the queue', () => {
    const outcomes = { broken: 0, works: 0 };
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8, 16), fc.array(fc.oneof(cmd, fc.constant({ t: 'pop' as const })), { maxLength: 80, size: 'large' }), (num, cmds) => {
        const w = makeWorld({ num });
        const vr = w.dev.vring;
        const dv = new DataView(w.raw.bytes.buffer);
        for (const c of cmds) {
          if (c.t === 'pop') {
            const head = S(vhost_get_vq_desc(w.dev, w.iov, 64));
            if (head >= 0 && head < num) {
              for (let k = 0; k < w.iov.out_num + w.iov.in_num; k++) {
                expect(w.iov.addr[k]! + w.iov.len[k]!).toBeLessThanOrEqual(w.raw.size);
              }
              S(vhost_add_used(w.dev, head, 0));
            } else if (head !== num) {
              expect(w.dev.broken).toBe(true);
            }
            continue;
          }
          if (c.t === 'desc' || c.t === 'table') {
            const at = c.t === 'desc' ? vr.desc + 16 * (c.i % num) : POOL_BASE + c.slot * 16 * MAX_SG + 16 * c.k;
            dv.setBigUint64(at, BigInt(Math.min(c.addr, 2 ** 64 - 1)) & 0xffff_ffff_ffff_ffffn, true);
            dv.setUint32(at + 8, c.len >>> 0, true);
            dv.setUint16(at + 12, c.flags & 0xffff, true);
            dv.setUint16(at + 14, c.next & 0xffff, true);
          } else if (c.t === 'publish') {
            const idx = dv.getUint16(vr.avail + 2, true);
            dv.setUint16(vr.avail + 4 + 2 * (idx & (num - 1)), c.head & 0xffff, true);
            dv.setUint16(vr.avail + 2, (idx + c.bump) & 0xffff, true);
          } else {
            dv.setUint16(vr.avail + 2, c.value & 0xffff, true);
          }
        }
        outcomes[w.dev.broken ? 'broken' : 'works']++;
      }),
      { seed: 17, numRuns: 800 },
    );
    expect(outcomes.broken).toBeGreaterThan(100);
    expect(outcomes.works).toBeGreaterThan(100);
  });
});
