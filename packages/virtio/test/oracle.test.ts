// The UAPI oracle: the kernel's own headers, compiled with cc, against the model.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as virtio from '../src/index';
import { vring_avail_event, vring_init, vring_need_event, vring_size, vring_used_event } from '../src/index';

const here = import.meta.dirname;
const source = join(here, 'oracle', 'uapi_oracle.c');
const golden = readFileSync(join(here, 'golden', 'uapi-oracle.txt'), 'utf8');
const lines = golden.trimEnd().split('\n');

const requireOracles = process.env.K_REQUIRE_ORACLES === '1';
const headers = ['virtio_ring.h', 'virtio_config.h', 'virtio_mmio.h'].map((h) => join('/usr/include/linux', h));
const haveCc = spawnSync('cc', ['--version']).status === 0;
const haveHeaders = headers.every((h) => existsSync(h));
const haveOracle = haveCc && haveHeaders;
if (!haveOracle && !requireOracles) {
  console.warn(
    `oracle.test.ts: skipping the cc build of the UAPI oracle: ${haveCc ? '' : 'no C compiler (cc); '}${
      haveHeaders ? '' : 'no linux/virtio_*.h (install linux-libc-dev)'
    }. The model is still checked against the committed golden output.`,
  );
}

describe('the UAPI oracle', () => {
  it.skipIf(!haveOracle && !requireOracles)(
    'built from linux/virtio_ring.h, virtio_config.h and virtio_mmio.h with cc, prints exactly the committed golden output',
    () => {
      if (!haveOracle) {
        throw new Error('K_REQUIRE_ORACLES=1 but cc or the linux-libc-dev virtio headers are missing');
      }
      const dir = mkdtempSync(join(tmpdir(), 'k-virtio-oracle-'));
      try {
        const exe = join(dir, 'uapi_oracle');
        const cc = spawnSync('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-o', exe, source], { encoding: 'utf8' });
        expect(cc.stderr).toBe('');
        expect(cc.status).toBe(0);
        const run = spawnSync(exe, [], { encoding: 'utf8', maxBuffer: 1 << 24 });
        expect(run.status).toBe(0);
        expect(run.stdout).toBe(golden);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('the model against the golden UAPI output', () => {
  const byKind = new Map<string, string[][]>();
  for (const line of lines) {
    const [kind, ...rest] = line.split(' ');
    if (!byKind.has(kind!)) byKind.set(kind!, []);
    byKind.get(kind!)!.push(rest);
  }

  it('has every kind of line the oracle prints, in bulk', () => {
    expect(byKind.get('vring_size')!.length).toBe(16 * 32);
    expect(byKind.get('vring_init')!.length).toBe(16 * 32 * 3);
    expect(byKind.get('vring_need_event')!.length).toBe(14 ** 3 + 1500 + 200);
    expect(byKind.get('const')!.length).toBeGreaterThan(60);
  });

  it('gives the struct sizes, field offsets and alignments of the header', () => {
    const table: Record<string, Record<string, number>> = {
      vring_desc: virtio.VRING_DESC_LAYOUT,
      vring_avail: virtio.VRING_AVAIL_LAYOUT,
      vring_used_elem: virtio.VRING_USED_ELEM_LAYOUT,
      vring_used: virtio.VRING_USED_LAYOUT,
    };
    const sizes: Record<string, number> = { vring_desc: 16, vring_avail: 4, vring_used_elem: 8, vring_used: 4 };
    for (const [struct, size] of byKind.get('sizeof')!) expect([struct, Number(size)]).toEqual([struct, sizes[struct!]]);
    for (const [struct, field, off] of byKind.get('offsetof')!) {
      expect([struct, field, table[struct!]![field!]]).toEqual([struct, field, Number(off)]);
    }
    expect(virtio.VRING_DESC_LAYOUT.size).toBe(16);
    expect(virtio.VRING_USED_ELEM_LAYOUT.size).toBe(8);
    const aligns: Record<string, number> = {
      vring_desc_t: virtio.VRING_DESC_ALIGN_SIZE,
      vring_avail_t: virtio.VRING_AVAIL_ALIGN_SIZE,
      vring_used_t: virtio.VRING_USED_ALIGN_SIZE,
      vring_used_elem_t: virtio.VRING_USED_ALIGN_SIZE,
    };
    for (const [type, a] of byKind.get('alignof')!) expect([type, aligns[type!]]).toEqual([type, Number(a)]);
  });

  it('exports every UAPI constant with the header value, under the header name', () => {
    const exported = virtio as unknown as Record<string, unknown>;
    for (const [name, value] of byKind.get('const')!) expect([name, exported[name!]]).toEqual([name, Number(value)]);
  });

  it('computes vring_size like the header for every queue size and alignment', () => {
    for (const [num, align, size] of byKind.get('vring_size')!) {
      expect([num, align, vring_size(Number(num), Number(align))]).toEqual([num, align, Number(size)]);
    }
  });

  it('lays the ring out like vring_init, aligning the used ring on the absolute address', () => {
    const base = 2 ** 33;
    for (const [num, align, skew, avail, used, usedEvent, availEvent] of byKind.get('vring_init')!) {
      const vr = vring_init(Number(num), base + Number(skew), Number(align));
      const got = [vr.avail - base, vr.used - base, vring_used_event(vr) - base, vring_avail_event(vr) - base];
      expect([num, align, skew, ...got]).toEqual([num, align, skew, ...[avail, used, usedEvent, availEvent].map(Number)]);
    }
  });

  it('answers vring_need_event like the header, 16-bit wraparound and int-to-__u16 conversion included', () => {
    for (const [e, n, o, r] of byKind.get('vring_need_event')!) {
      expect([e, n, o, vring_need_event(Number(e), Number(n), Number(o))]).toEqual([e, n, o, r === '1']);
    }
  });
});
