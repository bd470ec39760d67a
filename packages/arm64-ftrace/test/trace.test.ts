// The tracefs `trace` file as v5.5 prints it: the function tracer's context
// columns and the function_graph tracer's durations, marks and indentation.
import { describe, expect, it } from 'vitest';
import { Kernel, formatTrace, runTraceDemo, type TraceEntry } from '../src/index';

describe('the function tracer\'s trace file', () => {
  it('prints the header of print_func_help_header_irq() and "comm-pid [cpu] flags timestamp: func <-parent"', () => {
    const { trace } = runTraceDemo({ functions: ['foo', 'bar'] });
    expect(trace).toBe(
      [
        '# tracer: function',
        '#',
        '# entries-in-buffer/entries-written: 2/2   #P:2',
        '#',
        '#                              _-----=> irqs-off',
        '#                             / _----=> need-resched',
        '#                            | / _---=> hardirq/softirq',
        '#                            || / _--=> preempt-depth',
        '#                            ||| /     delay',
        '#           TASK-PID   CPU#  ||||    TIMESTAMP  FUNCTION',
        '#              | |       |   ||||       |         |',
        '          <idle>-0     [001] ....   100.002000: foo <-worker_thread',
        '          <idle>-0     [001] ....   100.002000: bar <-foo',
        '',
      ].join('\n'),
    );
  });

  it('pads comm to 16 and pid to 5 columns, and names module symbols with their module', () => {
    const k = new Kernel({ cpus: 2 });
    k.setTask(1, 1234, 'cat');
    k.load_module({ name: 'demo', functions: [{ name: 'demo_fn', args: 0, doc: '', body: '\n        ret' }] });
    expect(k.setTracer('function', { filter: ['demo_fn'] })).toBe(0);
    k.idle(1, 42_000_123_456);
    k.call('demo_fn', [], { cpu: 1 });
    expect(k.traceText().split('\n').at(-2)).toBe('             cat-1234  [001] ....   142.000123: demo_fn [demo] <-__k_call_return');
  });
});

describe('the function_graph tracer\'s trace file', () => {
  const k = new Kernel({ cpus: 1 });
  const f = k.sym('foo');
  const b = k.sym('bar');
  const e = (type: 'ent' | 'ret', func: bigint, depth: number, ts: number, calltime = 0): TraceEntry =>
    type === 'ent'
      ? { type: 'graph_ent', cpu: 0, ts, pid: 0, comm: '<idle>', func, depth }
      : { type: 'graph_ret', cpu: 0, ts, pid: 0, comm: '<idle>', func, depth, calltime, rettime: ts, overrun: 0 };

  it('prints leaves on one line, nested calls with braces, durations with the overhead marks', () => {
    const entries = [
      e('ent', f, 0, 1000),
      e('ent', b, 1, 1100),
      e('ret', b, 1, 1175, 1100),
      e('ent', b, 1, 2000),
      e('ret', b, 1, 14345, 2000),
      e('ent', b, 1, 20000),
      e('ret', b, 1, 1254567, 20000),
      e('ret', f, 0, 123457789, 1000),
    ];
    expect(formatTrace(k, 'function_graph', entries)).toBe(
      [
        '# tracer: function_graph',
        '#',
        '# CPU  DURATION                  FUNCTION CALLS',
        '# |     |   |                     |   |   |   |',
        ' 0)               |  foo() {',
        ' 0)   0.075 us    |    bar();',
        ' 0) + 12.345 us   |    bar();',
        ' 0) # 1234.567 us |    bar();',
        ' 0) @ 123456.7 us |  }',
        '',
      ].join('\n'),
    );
  });
});
