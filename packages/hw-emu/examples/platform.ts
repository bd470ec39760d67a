// README example (The device platform). Run: npx tsx examples/platform.ts (after a build).
/* eslint-disable @typescript-eslint/no-unused-expressions -- each bare expression shows a value */
import {
  IRQ_HANDLED, IRQ_NONE, defineScenario, explore, init_completion, complete, ktime_get_ns, msecs_to_jiffies, request_irq,
  wait_for_completion_timeout, type KGen,
} from '@k/core-sync';
import { AddressSpace, Device, DeviceStateError, RegisterBank, hw_wait_ns, readl, writel } from '@k/hw-emu';

// A register bank on its own: the access rules and widths need no scheduler.
const regs = new RegisterBank('demo', 0x10, [
  { name: 'ID', offset: 0x0, width: 4, access: 'ro', reset: 0x7157 },
  { name: 'CTRL', offset: 0x4, width: 4, access: 'rw' },
  { name: 'STATUS', offset: 0x8, width: 4, access: 'w1c', reset: 0b11 },
  { name: 'KICK', offset: 0xc, width: 4, access: 'wo' },
]);
regs.read(0x0, 4);                      // => 0x7157
regs.read(0x0, 2);                      // => { reject: 'register ID is 4 bytes wide: a 2-byte access is not allowed' }
regs.write(0x0, 4, 1);                  // => { reject: 'register ID is read-only' }
regs.read(0xc, 4);                      // => { reject: 'register KICK is write-only' }
regs.write(0x8, 4, 0b01);               // write one to clear bit 0
regs.read(0x8, 4);                      // => 0b10
regs.rejected;                          // => 3

// A narrow write (allowNarrow) to a w1c register clears only the 1 bits of the bytes it writes.
const irq = new RegisterBank('irq', 0x4, [{ name: 'ISR', offset: 0, width: 4, access: 'w1c', allowNarrow: true, reset: 0x0101_0101 }]);
irq.write(0x1, 1, 0xff);                // byte 1: clears bit 8
irq.read(0x0, 4);                       // => 0x0101_0001

// The same bank as an MMIO window: a refused access is an `mmio` fault of the address space.
const space = new AddressSpace();
space.mmio('demo', 0x9000_0000, 0x10, regs);
space.read32(0x9000_0000);              // => { ok: true, value: 0x7157 }
space.read8(0x9000_0004);               // => { ok: false, fault: { kind: 'mmio', errno: 'EFAULT' } }

/** A countdown timer: the driver writes a delay in ns to LOAD; STATUS bit 0 and the IRQ say it expired. */
class Countdown extends Device {
  deadlineNs = -1;
  readonly regs = this.addBank(new RegisterBank('countdown', 0x10, [
    { name: 'ID', offset: 0x0, width: 4, access: 'ro', reset: 0xc0de },
    { name: 'LOAD', offset: 0x4, width: 4, access: 'wo', onWrite: (_reg, ns) => void (this.deadlineNs = ktime_get_ns() + Number(ns)) },
    { name: 'STATUS', offset: 0x8, width: 4, access: 'w1c' },
  ]));
  protected override onReset(): void {
    this.deadlineNs = -1;
  }
}

const scenario = defineScenario({
  name: 'countdown',
  description: 'a driver arms a countdown device and waits for its interrupt',
  variants: { only: { expect: 'holds' } },
  defaults: { timing: 'strict' },
  setup(k) {
    // Devices, banks and IRQ lines belong to one execution: create them in setup.
    const dev = new Countdown('countdown', { irq: 9 });
    const done = init_completion('expired');
    dev.probe();
    // The device side: an agent on no CPU, waiting in virtual time.
    dev.agent(k, 'timer', function* (): KGen {
      while (dev.present) {
        const now = ktime_get_ns();
        if (dev.deadlineNs < 0 || dev.deadlineNs > now) {
          yield* hw_wait_ns(dev.deadlineNs > now ? dev.deadlineNs - now : 1000);
          continue;
        }
        dev.deadlineNs = -1;
        dev.regs.reg('STATUS').value = 1;
        dev.raiseIrq();
      }
    });
    k.boot('probe', function* () {
      yield* request_irq(9, function* () {
        const st = yield* readl(dev.regs, 0x8);
        if (!(st & 1)) return IRQ_NONE;
        yield* writel(st, dev.regs, 0x8);       // ack: write one to clear
        yield* complete(done);
        return IRQ_HANDLED;
      }, 0, 'countdown', dev);
    });
    let woke = -1;
    k.spawn('driver', function* () {
      yield* readl(dev.regs, 0x0);              // => 0xc0de
      yield* writel(250_000, dev.regs, 0x4);    // expire in 250 us
      const left = yield* wait_for_completion_timeout(done, msecs_to_jiffies(10));
      if (left > 0) woke = ktime_get_ns();
      dev.remove();
    });
    k.outcome(() => `woke at ${woke} ns, ${dev.irqsRaised} irq`);
  },
});
const r = explore(scenario, { strategy: 'dfs' });
r.verdict;                              // => 'holds'
r.outcomes;                             // => ['woke at 250000 ns, 1 irq']
r.complete;                             // => true

// Lifecycle misuse is a typed error.
const lifecycle = explore(defineScenario({
  name: 'lifecycle',
  description: 'probe twice, reset after remove',
  variants: { only: { expect: 'holds' } },
  setup() {
    const dev = new Countdown('countdown');
    dev.probe();
    dev.regs.reg('STATUS').value = 1;
    dev.reset();
    dev.regs.reg('STATUS').value;       // => 0
    dev.resets;                         // => 1
    dev.remove();
    dev.present;                        // => false
    let err: unknown;
    try {
      dev.reset();
    } catch (e) {
      err = e;
    }
    err instanceof DeviceStateError;    // => true
    (err as Error).message;             // => 'countdown: reset() after remove()'
  },
}));
lifecycle.verdict;                      // => 'holds'
