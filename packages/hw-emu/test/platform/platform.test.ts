import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Cell, EIO, ETIMEDOUT, IRQ_HANDLED, IRQ_NONE, READ_ONCE, WRITE_ONCE, complete, defineScenario, explore, init_completion, irq_to_desc,
  msecs_to_jiffies, request_irq, wait_for_completion_timeout, type KGen,
} from '@k/core-sync';
import { Device, DeviceStateError, FaultInjector, RegisterAccessError, RegisterBank, hw_wait_ns, readl, writel, type FaultPlan } from '../../src/index';

describe('register banks', () => {
  const bank = () =>
    new RegisterBank('dev', 0x20, [
      { name: 'ID', offset: 0x0, width: 4, access: 'ro', reset: 0x1234 },
      { name: 'CTRL', offset: 0x4, width: 4, access: 'rw' },
      { name: 'STATUS', offset: 0x8, width: 4, access: 'w1c', reset: 0b101 },
      { name: 'DOORBELL', offset: 0xc, width: 4, access: 'wo' },
      { name: 'CFG', offset: 0x10, width: 8, access: 'rw', allowNarrow: true, reset: 0x1122334455667788n },
    ]);
  it('applies access rules and widths', () => {
    const b = bank();
    expect(b.read(0, 4)).toBe(0x1234);
    expect(b.write(0, 4, 1)).toEqual({ reject: 'register ID is read-only' });
    expect(b.read(0xc, 4)).toEqual({ reject: 'register DOORBELL is write-only' });
    expect(b.read(0x4, 2)).toEqual({ reject: 'register CTRL is 4 bytes wide: a 2-byte access is not allowed' });
    expect(b.read(0x1e, 4)).toEqual({ reject: 'offset outside the register bank' });
    expect(b.read(0x18, 4)).toEqual({ reject: 'no register at this offset' });
    b.write(0x8, 4, 0b001);
    expect(b.read(0x8, 4)).toBe(0b100);
    expect(b.read(0x14, 4)).toBe(0x11223344);
    expect(b.read(0x10, 1)).toBe(0x88);
    b.write(0x12, 2, 0xbeef);
    expect(b.read(0x10, 8)).toBe(0x11223344beef7788n);
    b.reset();
    expect(b.read(0x8, 4)).toBe(0b101);
    expect(b.rejected).toBe(5);
  });
  it('a narrow write to a w1c register clears only the 1 bits of the bytes it writes', () => {
    const w1c = (reset: bigint) => new RegisterBank('irq', 0x8, [{ name: 'ISR', offset: 0, width: 8, access: 'w1c', allowNarrow: true, reset }]);
    const b = w1c(0xff00_ff00_ff00_ff01n);
    b.write(0, 1, 0x01);
    expect(b.read(0, 8)).toBe(0xff00_ff00_ff00_ff00n);
    b.write(2, 2, 0x0f00);
    expect(b.read(0, 8)).toBe(0xff00_ff00_f000_ff00n);
    b.write(4, 4, 0);
    expect(b.read(0, 8)).toBe(0xff00_ff00_f000_ff00n);
    // the property, against a byte-lane reference: lane i of the result is old & ~written where written, old elsewhere
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(1, 2, 4, 8), fc.nat(7), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (old, size, lane, value) => {
        const at = lane - (lane % size);
        const bank = w1c(old);
        const written = BigInt.asUintN(size * 8, value);
        expect(bank.write(at, size as 1 | 2 | 4 | 8, size === 8 ? written : Number(written))).toBeUndefined();
        let want = 0n;
        for (let i = 0; i < 8; i++) {
          const o = (old >> BigInt(i * 8)) & 0xffn;
          const inWrite = i >= at && i < at + size;
          const w = inWrite ? (written >> BigInt((i - at) * 8)) & 0xffn : 0n;
          want |= (o & ~w) << BigInt(i * 8);
        }
        expect(bank.read(0, 8)).toBe(want);
      }),
      { seed: 0x1c1c, numRuns: 500 },
    );
  });
  it('hands onWrite of a narrow w1c write the 1 bits it wrote, at their place in the register', () => {
    const seen: (number | bigint)[] = [];
    const b = new RegisterBank('irq', 0x4, [{ name: 'ISR', offset: 0, width: 4, access: 'w1c', allowNarrow: true, reset: 0xffff_ffff, onWrite: (_r, v) => void seen.push(v) }]);
    b.write(2, 1, 0x81);
    expect(seen).toEqual([0x0081_0000]);
    expect(b.read(0, 4)).toBe(0xff7e_ffff);
  });
  it('refuses a bad layout when built', () => {
    expect(() => new RegisterBank('x', 8, [{ name: 'A', offset: 2, width: 4 }])).toThrow(/not aligned/);
    expect(() => new RegisterBank('x', 8, [{ name: 'A', offset: 0, width: 4 }, { name: 'B', offset: 0, width: 2 }])).toThrow(/overlaps/);
    expect(() => new RegisterBank('x', 8, [{ name: 'A', offset: 8, width: 4 }])).toThrow(/outside/);
  });
  it('a driver access the bank refuses is a typed error, not a silent value', () => {
    const r = explore(defineScenario({
      name: 'bad-access',
      description: '',
      variants: { only: { expect: 'fails', kinds: ['model-error'] } },
      setup(k) {
        const b = bank();
        k.spawn('drv', function* () {
          yield* writel(1, b, 0);
        });
      },
    }), { budget: 1 });
    expect(r.counterexample?.message).toContain('register ID is read-only');
    expect(new RegisterAccessError('dev', 0, 4, 'x').message).toBe('dev: x (offset 0x0, 4 bytes)');
  });
});

describe('device lifecycle', () => {
  it('refuses a device with an IRQ line outside a scenario with a DeviceStateError that says why', () => {
    let err: unknown;
    try {
      new Device('uart0', { irq: 4 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceStateError);
    expect((err as Error).message).toBe("uart0: a device with an IRQ line must be created inside a scenario's setup (no execution is running, so there is no interrupt controller for irq 4)");
    // without a line there is nothing to wire: the device works anywhere
    expect(new Device('rom').present).toBe(false);
  });
  it('refuses bad device options with a DeviceStateError', () => {
    expect(() => new Device('')).toThrow(DeviceStateError);
    expect(() => new Device('d', { irq: -1 })).toThrow(/irq -1 is not an interrupt number/);
    expect(() => new Device('d', { irq: 1.5 })).toThrow(DeviceStateError);
    expect(() => new Device('d', { trigger: 'rising' as 'edge' })).toThrow(/trigger must be 'edge' or 'level'/);
  });
  it('probe, reset and remove in order; misuse is a typed error', () => {
    const r = explore(defineScenario({
      name: 'life',
      description: '',
      variants: { only: { expect: 'holds' } },
      setup() {
        const d = new Device('d', { irq: 3 });
        const b = d.addBank(new RegisterBank('d', 4, [{ name: 'R', offset: 0, width: 4, reset: 7 }]));
        d.probe();
        b.write(0, 4, 9);
        d.reset();
        if (b.read(0, 4) !== 7) throw new Error('reset did not restore the register');
        expect(() => d.probe()).toThrow(DeviceStateError);
        d.remove();
        expect(() => d.reset()).toThrow(/after remove/);
      },
    }), { budget: 1 });
    expect(r.verdict).toBe('holds');
  });
});

/**
 * A mailbox device: the driver writes a request to CMD; the device answers in
 * DATA (value + checksum in the high byte), sets STATUS and raises its IRQ.
 */
function mailbox(plan: FaultPlan, expectations: { expect: 'holds' } | { expect: 'fails'; kinds: ['assertion'] }) {
  return defineScenario({
    name: 'mailbox',
    description: 'a request/answer device with fault injection',
    variants: { only: expectations },
    defaults: { timing: 'strict' },
    setup(k) {
      const faults = new FaultInjector(plan);
      const result = new Cell<number | null>(null, 'result');
      const irqs = new Cell(0, 'handled');
      const done = init_completion('answer');
      const dev = new Device('mbox', { irq: 10 });
      let pending = false;
      const bank = dev.addBank(new RegisterBank('mbox', 0x10, [
        { name: 'CMD', offset: 0, width: 4, access: 'wo', onWrite: () => void (pending = true) },
        { name: 'DATA', offset: 4, width: 4, access: 'ro' },
        { name: 'STATUS', offset: 8, width: 4, access: 'w1c' },
      ]));
      dev.probe();
      dev.agent(k, 'fw', function* (): KGen {
        while (!pending) yield* hw_wait_ns(100_000);
        const extra = faults.delayNs('answer');
        yield* hw_wait_ns(100_000 + extra);
        if (faults.drop('answer')) return;
        const value = 0x42;
        const bytes = faults.corrupt(new Uint8Array([value, value ^ 0xff]), 'answer');
        bank.reg('DATA').value = bytes[0]! | (bytes[1]! << 8);
        bank.reg('STATUS').value = 1;
        dev.raiseIrq();
        // a duplicate a little later: an edge raised while one is still pending would merge with it
        if (faults.duplicate('irq')) {
          yield* hw_wait_ns(1000);
          dev.raiseIrq();
        }
      }, false);
      k.agent('glitch', () => faults.spuriousIrq(10), { daemon: false });
      k.boot('probe', function* () {
        yield* request_irq(10, function* () {
          const st = yield* readl(bank, 8);
          if (!(st & 1)) return IRQ_NONE;
          yield* writel(1, bank, 8);
          yield* WRITE_ONCE(irqs, (yield* READ_ONCE(irqs)) + 1);
          yield* complete(done);
          return IRQ_HANDLED;
        }, 0, 'mbox', dev);
      });
      k.spawn('driver', function* () {
        yield* writel(1, bank, 0);
        const left = yield* wait_for_completion_timeout(done, msecs_to_jiffies(20));
        if (left === 0) {
          yield* WRITE_ONCE(result, -ETIMEDOUT);
          return;
        }
        const d = yield* readl(bank, 4);
        yield* WRITE_ONCE(result, ((d >> 8) & 0xff) === ((d & 0xff) ^ 0xff) ? d & 0xff : -EIO);
      });
      k.outcome(() => `${result.peek()} irqs=${irqs.peek()} unhandled=${irq_to_desc(10).unhandled}`);
      k.atEnd('the driver gets the answer', () => result.peek() === 0x42 || `result ${result.peek()}`);
    },
  });
}

describe('fault injection: each hook shows its effect to the driver', () => {
  const run = (plan: FaultPlan, fails: boolean) =>
    explore(mailbox(plan, fails ? { expect: 'fails', kinds: ['assertion'] } : { expect: 'holds' }), { strategy: 'dfs', budget: 20_000, continueAfterViolation: true, detectors: { races: false } });

  it('without faults the driver always gets its answer', () => {
    const r = run({}, false);
    expect(r.verdict).toBe('holds');
    expect(r.outcomes).toEqual(['66 irqs=1 unhandled=0']);
  });
  it('drop: the driver times out with -ETIMEDOUT', () => {
    const r = run({ drop: true }, true);
    expect(r.outcomes).toContain(`${-ETIMEDOUT} irqs=0 unhandled=0`);
    expect(r.counterexample?.message).toContain(`result ${-ETIMEDOUT}`);
  });
  it('delay: a late answer past the timeout is a timeout too', () => {
    const r = run({ delays: [50_000_000] }, true);
    // the answer still arrives, after the driver gave up
    expect(r.outcomes).toContain(`${-ETIMEDOUT} irqs=1 unhandled=0`);
  });
  it('corrupt: a flipped bit fails the driver checksum with -EIO', () => {
    const r = run({ corrupt: true }, true);
    expect(r.outcomes).toContain(`${-EIO} irqs=1 unhandled=0`);
  });
  it('duplicate: the second interrupt finds no status and is not handled', () => {
    const r = run({ duplicate: true }, false);
    expect(r.verdict).toBe('holds');
    expect(r.outcomes).toContain('66 irqs=1 unhandled=1');
  });
  it('spurious interrupt: the handler says IRQ_NONE and the line is counted unhandled', () => {
    const r = run({ spuriousIrq: true }, false);
    expect(r.outcomes).toContain('66 irqs=1 unhandled=1');
  });
  it('never injects more faults than its budget, even when another hook spends it while spuriousIrq waits', () => {
    // a spurious-interrupt agent and a device that may drop its answer share a budget of one fault
    const r = explore(defineScenario({
      name: 'shared-budget',
      description: 'two fault hooks, max 1',
      variants: { only: { expect: 'holds' } },
      setup(k) {
        const faults = new FaultInjector({ spuriousIrq: true, drop: true, max: 1 });
        k.boot('probe', () => request_irq(11, function* () {
          return IRQ_NONE;
        }, 0, 'shared', null));
        k.agent('glitch', () => faults.spuriousIrq(11), { daemon: false });
        k.agent('device', function* (): KGen {
          yield* hw_wait_ns(1000);
          faults.drop('answer');
        }, { daemon: false });
        k.outcome(() => faults.injected.map((f) => f.kind).join('+') || 'none');
        k.atEnd('the budget holds', () => faults.injected.length <= 1 || `${faults.injected.length} faults injected with max 1`);
      },
    }), { strategy: 'dfs', continueAfterViolation: true, detectors: { races: false } });
    expect(r.complete).toBe(true);
    expect(r.verdict).toBe('holds');
    expect([...r.outcomes].sort()).toEqual(['drop', 'none', 'spurious-irq']);
  });
  it('refuses a spuriousIrq count that is not a non-negative integer', () => {
    const f = new FaultInjector({ spuriousIrq: true });
    expect(() => f.spuriousIrq(7, -1).next()).toThrow(RangeError);
    expect(() => f.spuriousIrq(7, 1.5).next()).toThrow(/times must be a non-negative integer/);
  });
  it('validates its plan', () => {
    expect(() => new FaultInjector({ max: -1 })).toThrow(/budget/);
    expect(() => new FaultInjector({ delays: [0] })).toThrow(/delay/);
  });
});
