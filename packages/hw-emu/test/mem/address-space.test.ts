// The guest-physical address space: mapping, little-endian accessors, and every
// refused access as a typed fault, never an exception or a wrap-around.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace, AddressSpaceError, MemFaultError, unwrapMem } from '../../src/index';
import type { MemFault, MmioHandler } from '../../src/index';

function dram(): AddressSpace {
  const s = new AddressSpace();
  s.ram('dram', 0x4000_0000, 0x1000);
  return s;
}

describe('mapping', () => {
  it('maps RAM, ROM and MMIO and finds the region of an address', () => {
    const s = dram();
    s.rom('boot', 0x0, new Uint8Array([1, 2, 3, 4]));
    s.mmio('uart', 0x900_0000, 0x1000, { read: () => 0, write: () => undefined });
    expect(s.regions().map((r) => [r.name, r.kind, r.readable, r.writable, r.executable])).toEqual([
      ['boot', 'rom', true, false, true],
      ['uart', 'mmio', true, true, false],
      ['dram', 'ram', true, true, true],
    ]);
    expect(s.regionAt(0x4000_0fff)?.name).toBe('dram');
    expect(s.regionAt(0x4000_1000)).toBeUndefined();
    expect(s.unmap('uart')).toBe(true);
    expect(s.unmap('uart')).toBe(false);
  });

  it('refuses bad maps with typed errors carrying the errno name', () => {
    const s = dram();
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(AddressSpaceError);
        return (e as AddressSpaceError).errno;
      }
      return 'no error';
    };
    expect(err(() => s.ram('other', 0x4000_0800, 0x1000))).toBe('EBUSY');
    expect(err(() => s.ram('dram', 0x5000_0000, 0x1000))).toBe('EEXIST');
    expect(err(() => s.ram('odd', 0x5000_0002, 0x1000))).toBe('EINVAL');
    expect(err(() => s.ram('empty', 0x5000_0000, 0))).toBe('EINVAL');
    expect(err(() => s.ram('neg', -4, 16))).toBe('EINVAL');
    expect(err(() => s.ram('top', (1n << 64n) - 8n, 16))).toBe('EINVAL');
    expect(err(() => s.ram('perm', 0x5000_0000, 16, { perms: 'rwq' }))).toBe('EINVAL');
    expect(err(() => s.map({ name: 'dev', base: 0x5000_0000, size: 16, kind: 'mmio' }))).toBe('EINVAL');
    expect(err(() => s.ram('buf', 0x5000_0000, 16, { buffer: new ArrayBuffer(8) }))).toBe('EINVAL');
  });

  it('maps RAM over a SharedArrayBuffer that another address space can map too', () => {
    const a = new AddressSpace();
    const ring = a.ram('ring', 0x1000, 4096, { shared: true });
    expect(ring.buffer).toBeInstanceOf(SharedArrayBuffer);
    const b = new AddressSpace();
    b.ram('ring', 0x8000, 4096, { buffer: ring.buffer as SharedArrayBuffer });
    a.write32(0x1010, 0xcafef00d);
    expect(b.read32(0x8010)).toEqual({ ok: true, value: 0xcafef00d });
    const c = new AddressSpace();
    c.ram('half', 0x0, 2048, { buffer: ring.buffer as SharedArrayBuffer, bufferOffset: 16 });
    expect(c.read32(0)).toEqual({ ok: true, value: 0xcafef00d });
  });
});

describe('accessors', () => {
  it('reads and writes 8, 16, 32 and 64 bits little-endian', () => {
    const s = dram();
    expect(s.write64(0x4000_0000, 0x0807060504030201n)).toEqual({ ok: true });
    expect(s.read8(0x4000_0000)).toEqual({ ok: true, value: 1 });
    expect(s.read16(0x4000_0001)).toEqual({ ok: true, value: 0x0302 });
    expect(s.read32(0x4000_0003)).toEqual({ ok: true, value: 0x07060504 });
    expect(s.read64(0x4000_0000)).toEqual({ ok: true, value: 0x0807060504030201n });
    s.write16(0x4000_0010, -2);
    s.write8(0x4000_0012, 0xab);
    s.write32(0x4000_0014, -1);
    s.write64(0x4000_0018, -1n);
    const bytes = s.readBytes(0x4000_0010, 16);
    expect(bytes.ok && [...bytes.value]).toEqual([0xfe, 0xff, 0xab, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('keeps addresses above 2^53 exact', () => {
    const s = new AddressSpace();
    s.ram('kernel', 0xffff_8000_1000_0000n, 0x1000);
    expect(s.write64(0xffff_8000_1000_0ff8n, 0x1234n).ok).toBe(true);
    expect(s.read64(0xffff_8000_1000_0ff8n)).toEqual({ ok: true, value: 0x1234n });
    expect(s.read8(0xffff_8000_1000_1000n)).toMatchObject({ ok: false, fault: { kind: 'unmapped', addr: 0xffff_8000_1000_1000n } });
    expect(s.read8(0xffff_8000_0fff_ffffn)).toMatchObject({ ok: false, fault: { kind: 'unmapped' } });
  });

  it('copies bytes in and out, and views RAM without a copy', () => {
    const s = dram();
    expect(s.writeBytes(0x4000_0100, new Uint8Array([9, 8, 7]))).toEqual({ ok: true });
    const v = s.view(0x4000_0100, 3, 'write');
    expect(v.ok && [...v.value]).toEqual([9, 8, 7]);
    if (v.ok) v.value[0] = 1;
    expect(s.read8(0x4000_0100)).toEqual({ ok: true, value: 1 });
    expect(s.readBytes(0x4000_0100, 0)).toEqual({ ok: true, value: new Uint8Array(0) });
  });

  it('writes words little-endian as a block, refusing a value that is not 32 bits', () => {
    const s = dram();
    expect(s.writeWords(0x4000_0000, [0x94000400, -1])).toEqual({ ok: true });
    const b = s.readBytes(0x4000_0000, 8);
    expect(b.ok && [...b.value]).toEqual([0x00, 0x04, 0x00, 0x94, 0xff, 0xff, 0xff, 0xff]);
    expect(s.writeWords(0x4000_0000, [1, 2 ** 32])).toMatchObject({ ok: false, fault: { kind: 'bad-value' } });
    expect(s.writeWords(0x4000_0ffc, [1, 2])).toMatchObject({ ok: false, fault: { kind: 'bounds' } });
    expect(s.read32(0x4000_0ffc)).toEqual({ ok: true, value: 0 });
  });

  it('lets a privileged access write ROM (the fixmap alias of patched text)', () => {
    const s = new AddressSpace();
    s.rom('text', 0x1000, new Uint8Array(8));
    expect(s.write32(0x1000, 1)).toMatchObject({ ok: false, fault: { kind: 'permission', access: 'write', region: 'text' } });
    expect(s.write32(0x1000, 1, { privileged: true })).toEqual({ ok: true });
    expect(s.fetch32(0x1000)).toEqual({ ok: true, value: 1 });
  });
});

describe('faults', () => {
  const fault = (r: { ok: boolean; fault?: MemFault }): MemFault => {
    expect(r.ok).toBe(false);
    return r.fault as MemFault;
  };

  it('reports an unmapped address, a run past the end, and a missing permission', () => {
    const s = dram();
    s.ram('next', 0x4000_1000, 0x1000);
    s.ram('data', 0x6000_0000, 0x100, { perms: 'rw' });
    expect(fault(s.read32(0x3fff_fffc))).toMatchObject({ kind: 'unmapped', access: 'read', addr: 0x3fff_fffcn, size: 4, region: null, errno: 'EFAULT' });
    // adjacent regions are not one: the access never runs on into the next
    expect(fault(s.read64(0x4000_0ffc))).toMatchObject({ kind: 'bounds', region: 'dram', size: 8 });
    expect(fault(s.writeBytes(0x4000_0ff0, new Uint8Array(32)))).toMatchObject({ kind: 'bounds', access: 'write' });
    expect(s.read8(0x4000_0ff0)).toEqual({ ok: true, value: 0 });
    expect(fault(s.fetch32(0x6000_0000))).toMatchObject({ kind: 'permission', access: 'execute', region: 'data' });
    expect(fault(s.view(0x4000_0000, 0x2000))).toMatchObject({ kind: 'bounds' });
  });

  it('reports bad addresses, values and lengths as EINVAL or EFAULT values', () => {
    const s = dram();
    expect(fault(s.read8(-1))).toMatchObject({ kind: 'bad-address', errno: 'EFAULT' });
    expect(fault(s.read8(1n << 64n))).toMatchObject({ kind: 'bad-address' });
    expect(fault(s.read8(0.5))).toMatchObject({ kind: 'bad-address' });
    expect(fault(s.read8(Number.NaN))).toMatchObject({ kind: 'bad-address' });
    expect(fault(s.write8(0x4000_0000, 256))).toMatchObject({ kind: 'bad-value', errno: 'EINVAL' });
    expect(fault(s.write32(0x4000_0000, 2 ** 32))).toMatchObject({ kind: 'bad-value' });
    expect(fault(s.write16(0x4000_0000, 1.5))).toMatchObject({ kind: 'bad-value' });
    expect(fault(s.write64(0x4000_0000, 1n << 64n))).toMatchObject({ kind: 'bad-value' });
    expect(fault(s.readBytes(0x4000_0000, -1))).toMatchObject({ kind: 'bad-length', errno: 'EINVAL' });
    expect(fault(s.writeBytes(0x4000_0000, [1, 2] as unknown as Uint8Array))).toMatchObject({ kind: 'bad-value' });
  });

  it('never throws for any address, size and access, and each refused access is a typed fault', () => {
    const s = dram();
    s.rom('rom', 0x1000, new Uint8Array(64));
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: -10n, max: (1n << 64n) + 10n }), fc.integer({ min: 0x3fff_ff00, max: 0x4000_1100 }), fc.integer({ min: 0xf00, max: 0x1100 })),
        fc.constantFrom('read8', 'read16', 'read32', 'read64', 'write8', 'write32', 'write64', 'fetch32', 'readBytes', 'writeBytes', 'view'),
        fc.integer({ min: 0, max: 300 }),
        (addr, op, n) => {
          const a = addr as bigint | number;
          let r: { ok: boolean; fault?: MemFault };
          switch (op) {
            case 'read8': r = s.read8(a); break;
            case 'read16': r = s.read16(a); break;
            case 'read32': r = s.read32(a); break;
            case 'read64': r = s.read64(a); break;
            case 'write8': r = s.write8(a, n & 0xff); break;
            case 'write32': r = s.write32(a, n); break;
            case 'write64': r = s.write64(a, BigInt(n)); break;
            case 'fetch32': r = s.fetch32(a); break;
            case 'readBytes': r = s.readBytes(a, n); break;
            case 'writeBytes': r = s.writeBytes(a, new Uint8Array(n)); break;
            default: r = s.view(a, n);
          }
          if (!r.ok) {
            expect(['unmapped', 'bounds', 'permission', 'bad-address', 'bad-length']).toContain(r.fault?.kind);
            expect(r.fault?.message).toMatch(/at 0x|address/);
          }
        },
      ),
      { seed: 31, numRuns: 5000 },
    );
  });

  it('tells the onFault listener about every fault, and unwrapMem throws them as MemFaultError', () => {
    const seen: MemFault[] = [];
    const s = new AddressSpace({ onFault: (f) => seen.push(f) });
    s.read32(0x10, { initiator: 'virtio-rng' });
    expect(seen).toMatchObject([{ kind: 'unmapped', initiator: 'virtio-rng' }]);
    expect(seen[0]?.message).toBe('read of 4 bytes at 0x10 by virtio-rng: no region is mapped there');
    try {
      unwrapMem(s.read32(0x10));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MemFaultError);
      expect((e as MemFaultError).errno).toBe('EFAULT');
    }
    s.ram('r', 0, 16);
    expect(unwrapMem(s.read8(0))).toBe(0);
  });
});

describe('MMIO', () => {
  function device(): { s: AddressSpace; log: string[] } {
    const log: string[] = [];
    const regs = new Map<number, number | bigint>();
    const handler: MmioHandler = {
      read(off, size, who) {
        log.push(`r ${off} ${size} ${who}`);
        if (off === 0x20) return { reject: 'no such register' };
        return regs.get(off) ?? (size === 8 ? 0n : 0);
      },
      write(off, size, value, who) {
        log.push(`w ${off} ${size} ${String(value)} ${who}`);
        if (off === 0x20) return { reject: 'read-only' };
        regs.set(off, value);
        return undefined;
      },
    };
    const s = new AddressSpace();
    s.mmio('dev', 0x1000_0000, 0x100, handler);
    return { s, log };
  }

  it('passes aligned accesses to the handler with offset, size, value and initiator', () => {
    const { s, log } = device();
    expect(s.write32(0x1000_0004, 0xfeedface, { initiator: 'drv' }).ok).toBe(true);
    expect(s.read32(0x1000_0004, { initiator: 'drv' })).toEqual({ ok: true, value: 0xfeedface });
    expect(s.write64(0x1000_0008, 0x1122334455667788n).ok).toBe(true);
    expect(s.read64(0x1000_0008)).toEqual({ ok: true, value: 0x1122334455667788n });
    expect(log).toEqual([
      'w 4 4 4277009102 drv',
      'r 4 4 drv',
      'w 8 8 1234605616436508552 null',
      'r 8 8 null',
    ]);
  });

  it('faults a misaligned access, a rejected access and a view of the window', () => {
    const { s, log } = device();
    expect(s.read32(0x1000_0002)).toMatchObject({ ok: false, fault: { kind: 'alignment', region: 'dev' } });
    expect(log).toEqual([]);
    expect(s.read32(0x1000_0020)).toMatchObject({ ok: false, fault: { kind: 'mmio', message: expect.stringContaining('no such register') } });
    expect(s.write32(0x1000_0020, 1)).toMatchObject({ ok: false, fault: { kind: 'mmio', message: expect.stringContaining('read-only') } });
    expect(s.view(0x1000_0000, 4)).toMatchObject({ ok: false, fault: { kind: 'mmio' } });
    expect(s.readBytes(0x1000_0004, 2)).toEqual({ ok: true, value: new Uint8Array([0, 0]) });
  });

  it('faults a handler that returns something other than an integer', () => {
    const s = new AddressSpace();
    s.mmio('bad', 0, 16, { read: () => Number.NaN, write: () => undefined });
    expect(s.read32(0)).toMatchObject({ ok: false, fault: { kind: 'mmio', message: expect.stringContaining('not an integer') } });
  });
});

describe('write watchers', () => {
  it('sees each checked write into its range before it lands, and no more once removed', () => {
    const s = dram();
    const seen: string[] = [];
    const unwatch = s.watchWrites(0x4000_0010, 8, (ev) => {
      const old = s.read8(ev.addr);
      seen.push(`${ev.addr.toString(16)} ${ev.size} [${[...ev.bytes].join(',')}] old=${old.ok ? old.value : '?'} ${ev.atomic}`);
    });
    s.write8(0x4000_0010, 5);
    s.write16(0x4000_0012, 0x0102);
    s.writeBytes(0x4000_000c, new Uint8Array([1, 2, 3, 4, 5, 6]));
    s.write32(0x4000_0020, 7);
    unwatch();
    s.write8(0x4000_0010, 6);
    expect(seen).toEqual(['40000010 1 [5] old=0 true', '40000012 2 [2,1] old=0 true', '4000000c 6 [1,2,3,4,5,6] old=0 false']);
  });
});
