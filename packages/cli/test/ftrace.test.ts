import { describe, expect, it } from 'vitest';
import { k } from './capture';



describe('k ftrace', () => {
  it('prints the function tracer\'s trace file: header, then one line per call with its parent', async () => {
    const r = await k('ftrace');
    expect(r.code).toBe(0);
    expect(r.out.slice(0, 3)).toEqual(['# tracer: function', '#', '# entries-in-buffer/entries-written: 8/8   #P:2']);
    expect(r.out).toContain('#           TASK-PID   CPU#  ||||    TIMESTAMP  FUNCTION');
    expect(r.out.slice(11)).toEqual([
      '          <idle>-0     [000] ....   100.001250: ksys_read <-el0_svc',
      '          <idle>-0     [000] ....   100.001250: __fdget <-ksys_read',
      '          <idle>-0     [000] ....   100.001250: vfs_read <-ksys_read',
      '          <idle>-0     [000] ....   100.001250: rw_verify_area <-vfs_read',
      '          <idle>-0     [000] ....   100.001250: __vfs_read <-vfs_read',
      '          <idle>-0     [000] ....   100.001250: fsnotify_access <-vfs_read',
      '          <idle>-0     [001] ....   100.002000: foo <-worker_thread',
      '          <idle>-0     [001] ....   100.002000: bar <-foo',
    ]);
  });

  it('prints the function_graph tracer\'s nesting and durations', async () => {
    const r = await k('ftrace', '--tracer', 'function_graph');
    expect(r.code).toBe(0);
    expect(r.out.slice(0, 4)).toEqual(['# tracer: function_graph', '#', '# CPU  DURATION                  FUNCTION CALLS', '# |     |   |                     |   |   |   |']);
    expect(r.out[4]).toBe(' 0)               |  ksys_read() {');
    expect(r.out[5]).toMatch(/^ 0\) {3}0\.\d{3} us {4}\| {4}__fdget\(\);$/);
    expect(r.out.at(-3)).toBe(' 1)               |  foo() {');
    expect(r.out.at(-2)).toMatch(/^ 1\) {3}0\.\d{3} us {4}\| {4}bar\(\);$/);
    expect(r.out.at(-1)).toMatch(/^ 1\) {3}0\.\d{3} us {4}\| {2}}$/);
  });

  it('filters with --functions, goes through ftrace_regs_caller with --regs (more instructions), and runs the call-ops kernel', async () => {
    const plain = await k('ftrace', '--functions', 'bar,vfs_read', '--stats');
    expect(plain.out.slice(11).map((l) => l.replace(/^.*: /, ''))).toEqual(['vfs_read <-ksys_read', 'bar <-foo']);
    const regs = await k('ftrace', '--regs', '--stats', '--functions', 'bar', 'vfs_read');
    expect(regs.out.slice(11).map((l) => l.replace(/^.*: /, ''))).toEqual(['vfs_read <-ksys_read', 'bar <-foo']);
    const insns = (err: string) => Number(/el0_svc\(\) = 128: (\d+) instructions/.exec(err)?.[1]);
    expect(insns(regs.err)).toBe(insns(plain.err) + 9);
    const ops = await k('ftrace', '--kernel', 'call-ops', '--tracer', 'function_graph', '--functions', 'foo');
    expect(ops.out.slice(4)).toHaveLength(1);
    expect(ops.out[4]).toMatch(/^ 1\) {3}0\.\d{3} us {4}\| {2}foo\(\);$/);
  });

  it('lists the traceable functions', async () => {
    const r = await k('ftrace', '--list');
    expect(r.out).toContain('ksys_read');
    expect(r.out).not.toContain('el0_svc');
  });

  it('rejects bad options with exit code 2 and a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['ftrace', '--tracer', 'blk'], /--tracer must be function or function_graph, got 'blk'/],
      [['ftrace', '--kernel', 'v9'], /--kernel must be one of seed, v5\.8, fixed, call-ops/],
      [['ftrace', '--functions', 'nosuch'], /no traceable function 'nosuch'/],
      [['ftrace', '--kernel', 'call-ops', '--regs'], /regs needs CONFIG_DYNAMIC_FTRACE_WITH_REGS/],
      [['ftrace', '--calls', '0'], /--calls must be an integer in 1\.\.100/],
      [['ftrace', '--frob'], /frob/],
      [['ftrace', 'extra'], /unexpected argument 'extra'/],
    ];
    for (const [args, re] of cases) {
      const r = await k(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(re);
    }
    expect((await k('ftrace', '--help')).out[0]).toMatch(/^k ftrace: arm64 dynamic ftrace/);
  });
});
