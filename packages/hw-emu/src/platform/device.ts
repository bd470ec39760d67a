// The device platform: a device is state plus actors. It has a lifecycle
// (probe, reset, remove), register banks its driver reads and writes, IRQ lines
// wired to @k/core-sync's interrupt controller (edge or level), and agents:
// device-side tasks the explorer interleaves with the kernel's.

import { irq_raise, irq_set_irq_type, irq_set_level, ndelay, type KGen, type TaskHandle, type World } from '@k/core-sync';
import type { RegisterBank } from './regs';

export type DeviceState = 'created' | 'probed' | 'removed';

export interface DeviceOptions {
  /** the interrupt line this device drives (core-sync IRQ number) */
  readonly irq?: number;
  readonly trigger?: 'edge' | 'level';
}

/** Lifecycle misuse (probe twice, use after remove): the model's mistake. */
export class DeviceStateError extends Error {
  override readonly name = 'DeviceStateError';
}

export class Device {
  state: DeviceState = 'created';
  readonly banks: RegisterBank[] = [];
  readonly irq: number | null;
  readonly trigger: 'edge' | 'level';
  /** interrupts raised (edges, or level assertions) */
  irqsRaised = 0;
  resets = 0;

  constructor(
    readonly name: string,
    opts: DeviceOptions = {},
  ) {
    this.irq = opts.irq ?? null;
    this.trigger = opts.trigger ?? 'edge';
    if (this.irq !== null) irq_set_irq_type(this.irq, this.trigger);
  }

  /** Adds a register bank to the device (reset with it). */
  addBank(bank: RegisterBank): RegisterBank {
    this.banks.push(bank);
    return bank;
  }

  /** Bus probe: the device becomes present. Subclasses extend onProbe(). */
  probe(): void {
    if (this.state !== 'created') throw new DeviceStateError(`${this.name}: probe() in state ${this.state}`);
    this.state = 'probed';
    this.onProbe();
  }

  /** Device reset: registers to their reset values, device state cleared by onReset(). */
  reset(): void {
    if (this.state === 'removed') throw new DeviceStateError(`${this.name}: reset() after remove()`);
    for (const b of this.banks) b.reset();
    this.resets++;
    if (this.irq !== null && this.trigger === 'level') irq_set_level(this.irq, false);
    this.onReset();
  }

  /** Hot removal: the device is gone; its agents should stop. */
  remove(): void {
    if (this.state === 'removed') throw new DeviceStateError(`${this.name}: remove() twice`);
    this.state = 'removed';
    if (this.irq !== null && this.trigger === 'level') irq_set_level(this.irq, false);
    this.onRemove();
  }

  get present(): boolean {
    return this.state === 'probed';
  }

  /** Raises the device's interrupt: an edge, or the level line high. */
  raiseIrq(): void {
    if (this.irq === null) throw new DeviceStateError(`${this.name} has no interrupt line`);
    this.irqsRaised++;
    if (this.trigger === 'edge') irq_raise(this.irq);
    else irq_set_level(this.irq, true);
  }

  /** Lowers a level-triggered line (an edge line has nothing to lower). */
  lowerIrq(): void {
    if (this.irq === null) throw new DeviceStateError(`${this.name} has no interrupt line`);
    if (this.trigger === 'level') irq_set_level(this.irq, false);
  }

  /**
   * Starts a device-side task. It runs on no CPU; `daemon` (default) lets the
   * execution end while it still runs (a device that never stops).
   */
  agent(k: World, name: string, fn: () => KGen<unknown>, daemon = true): TaskHandle {
    return k.agent(`${this.name}:${name}`, fn, { daemon });
  }

  protected onProbe(): void {}
  protected onReset(): void {}
  protected onRemove(): void {}
}

/** Device-side passage of time (an agent waits `ns` of virtual time; it holds no CPU). */
export function* hw_wait_ns(ns: number): KGen {
  yield* ndelay(ns);
}
