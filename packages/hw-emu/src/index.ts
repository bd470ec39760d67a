// @k/hw-emu: placeholder until its own issue lands (see the package README).
export {};
