// The README's quick start, statement for statement, with its `// =>` results.
import { expect, it } from 'vitest';
import { FTRACE_OPS_FL_SAVE_REGS, Kernel } from '../src/index';

it('runs the quick start of the README with the results it shows', () => {
  const k = new Kernel();
  expect(k.call('foo').ret).toBe(42n);
  expect(k.call('foo').insns).toBe(12);
  expect(k.setTracer('function')).toBe(0);
  expect(k.call('foo').insns).toBe(80);
  const double = k.ftrace_ops({
    name: 'double_a',
    flags: FTRACE_OPS_FL_SAVE_REGS,
    filter: ['add3'],
    func: (_ip, _parent_ip, _op, regs) => regs.set(0, regs.get(0) * 2n),
  });
  expect(k.register_ftrace_function(double)).toBe(0);
  expect(k.call('add3', [10, 1, 1]).ret).toBe(22n);
  expect(k.traceText().split('\n').at(-2)).toBe('          <idle>-0     [000] ....   100.000000: add3 <-__k_call_return');

  const work = { name: 'demo_work', args: 1, doc: 'x + 7', body: 'add x0, x0, #7\nret' };
  const seed = new Kernel();
  seed.load_module({ name: 'demo', functions: [work], at: 'far' });
  seed.register_ftrace_function(seed.ftrace_ops({ name: 'probe', flags: FTRACE_OPS_FL_SAVE_REGS, filter: ['demo_work'], func: () => {} }));
  expect(seed.dmesg).toEqual([
    'ftrace: no module PLT for ftrace_regs_caller',
    'ftrace failed to modify [<ffff7fffd0000004>] demo_work+0x4/0x10 [demo] actual: 1f:20:03:d5',
  ]);
  expect(seed.ftrace.ftrace_disabled).toBe(true);
});
