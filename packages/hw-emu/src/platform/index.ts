export { Device, DeviceStateError, hw_wait_ns } from './device';
export type { DeviceState, DeviceOptions } from './device';
export { RegisterBank, Register, RegisterAccessError, readb, readw, readl, readq, writeb, writew, writel, writeq, ioread32, iowrite32 } from './regs';
export type { RegWidth, RegAccess, RegisterSpec, RegReject } from './regs';
export { FaultInjector } from './faults';
export type { FaultKind, FaultPlan, InjectedFault } from './faults';
