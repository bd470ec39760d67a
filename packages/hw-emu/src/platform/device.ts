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

/**
 * Misuse of a device (the model's mistake): probe twice, use after remove, bad
 * options, or a device with an IRQ line created outside a scenario's execution.
 */
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
    if (typeof name !== 'string' || name === '') throw new DeviceStateError(`a device needs a non-empty name, got ${String(name)}`);
    const o = opts ?? {};
    if (typeof o !== 'object') throw new DeviceStateError(`${name}: options must be an object`);
    this.irq = o.irq ?? null;
    this.trigger = o.trigger ?? 'edge';
    if (this.irq !== null && (!Number.isInteger(this.irq) || this.irq < 0 || this.irq > 1023)) {
      throw new DeviceStateError(`${name}: irq ${String(this.irq)} is not an interrupt number (0..1023)`);
    }
    if (this.trigger !== 'edge' && this.trigger !== 'level') throw new DeviceStateError(`${name}: trigger must be 'edge' or 'level', got ${String(this.trigger)}`);
    if (this.irq !== null) {
      try {
        irq_set_irq_type(this.irq, this.trigger);
      } catch (e) {
        // core-sync's interrupt controller belongs to the execution being run: outside one there is none
        if (e instanceof TypeError) {
          throw new DeviceStateError(`${name}: a device with an IRQ line must be created inside a scenario's setup (no execution is running, so there is no interrupt controller for irq ${this.irq})`);
        }
        throw e;
      }
    }
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
