// capstone-wasm 1.0.3 ships types that its `exports` map does not expose under
// moduleResolution "Bundler"; this declares the part the tests use.
declare module 'capstone-wasm' {
  export interface Insn {
    id: number;
    address: number | bigint;
    size: number;
    bytes: Uint8Array;
    mnemonic: string;
    opStr: string;
  }
  export class Capstone {
    constructor(arch: number, mode: number);
    disasm(data: number[] | Uint8Array, options?: { address?: number | bigint; count?: number }): Insn[];
    close(): void;
  }
  export const Const: { readonly CS_ARCH_ARM64: number; readonly CS_MODE_ARM: number };
  export function loadCapstone(args?: Record<string, unknown>): Promise<void>;
}
