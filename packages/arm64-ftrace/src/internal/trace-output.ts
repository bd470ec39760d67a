// The tracefs `trace` file, as kernel/trace/trace.c (s_show, print_event_info,
// print_func_help_header_irq, trace_print_context, trace_print_lat_fmt),
// trace_output.c (print_fn_trace) and trace_functions_graph.c
// (print_graph_headers_flags, print_graph_entry_leaf/nested, print_graph_return,
// print_graph_duration, trace_print_graph_duration, trace_find_mark) print it in
// v5.5 with the default options (irq-info on; funcgraph-cpu, -overhead and
// -duration on).
import type { Kernel } from './kernel';
import type { TraceEntry } from './tracers';

/** The tracers of the model. */
export type TracerName = 'nop' | 'function' | 'function_graph';

/** "%5lu.%06lu" of a ns timestamp (ns2usecs, do_div). */
function timestamp(ns: number): string {
  const usecs = Math.floor(ns / 1000);
  const secs = Math.floor(usecs / 1_000_000);
  const rem = usecs % 1_000_000;
  return `${String(secs).padStart(5)}.${String(rem).padStart(6, '0')}`;
}

function onlineCpus(k: Kernel): number {
  return k.cores.length;
}

/** print_func_help_header_irq() after print_event_info(). */
function functionHeader(k: Kernel, entries: number, written: number): string[] {
  const sp = '  ';
  return [
    `# entries-in-buffer/entries-written: ${entries}/${written}   #P:${onlineCpus(k)}`,
    '#',
    `#                          ${sp}  _-----=> irqs-off`,
    `#                          ${sp} / _----=> need-resched`,
    `#                          ${sp}| / _---=> hardirq/softirq`,
    `#                          ${sp}|| / _--=> preempt-depth`,
    `#                          ${sp}||| /     delay`,
    `#           TASK-PID ${'  '}CPU#  ||||    TIMESTAMP  FUNCTION`,
    `#              | |   ${'  '}  |   ||||       |         |`,
  ];
}

/** trace_print_context(): "%16s-%-5d [%03d] " then the irq/preempt flags and " %5lu.%06lu: ". */
function context(e: TraceEntry): string {
  // function_trace_call() runs with IRQs on, outside interrupts, at preempt count 0
  return `${e.comm.padStart(16)}-${String(e.pid).padEnd(5)} [${String(e.cpu).padStart(3, '0')}] ....${' '}${timestamp(e.ts)}: `;
}

/** trace_find_mark(): the overhead mark of a duration. */
function trace_find_mark(duration: number): string {
  const marks: [number, string][] = [
    [1_000_000_000, '$'],
    [100_000_000, '@'],
    [10_000_000, '*'],
    [1_000_000, '#'],
    [100_000, '!'],
    [10_000, '+'],
  ];
  for (const [t, m] of marks) if (duration > t) return m;
  return ' ';
}

/** trace_print_graph_duration(): "1.382 us " padded to the column. */
function trace_print_graph_duration(duration: number): string {
  const usecs = String(Math.floor(duration / 1000));
  let s = usecs;
  let len = usecs.length;
  // Print nsecs (we don't want to exceed 7 numbers)
  if (len < 7) {
    const slen = Math.min(5, 8 - len);
    const nsecs = String(duration % 1000).padStart(3, '0').slice(0, slen - 1);
    s += `.${nsecs}`;
    len += nsecs.length + 1;
  }
  s += ' us ';
  for (let i = len; i < 8; i++) s += ' ';
  return s;
}

function cpuColumn(k: Kernel, cpu: number): string {
  const width = String(Math.max(0, onlineCpus(k) - 1)).length;
  return ` ${String(cpu).padStart(width)}) `;
}

/** The function_graph lines: a leaf when the next event of the same CPU is its return. */
function graphLines(k: Kernel, entries: readonly TraceEntry[]): string[] {
  const out: string[] = [];
  const byCpu = new Map<number, TraceEntry[]>();
  for (const e of entries) {
    const l = byCpu.get(e.cpu) ?? [];
    l.push(e);
    byCpu.set(e.cpu, l);
  }
  const nextOnCpu = new Map<TraceEntry, TraceEntry | undefined>();
  for (const l of byCpu.values()) l.forEach((e, i) => nextOnCpu.set(e, l[i + 1]));
  const skip = new Set<TraceEntry>();
  for (const e of entries) {
    if (skip.has(e)) continue;
    const indent = ' '.repeat(e.type === 'fn' ? 0 : e.depth * 2);
    if (e.type === 'graph_ent') {
      const n = nextOnCpu.get(e);
      if (n && n.type === 'graph_ret' && n.func === e.func && n.depth === e.depth) {
        const d = n.rettime - n.calltime;
        out.push(`${cpuColumn(k, e.cpu)}${trace_find_mark(d)} ${trace_print_graph_duration(d)}|  ${indent}${k.kallsyms.ps(e.func)}();`);
        skip.add(n);
      } else {
        out.push(`${cpuColumn(k, e.cpu)}              |  ${indent}${k.kallsyms.ps(e.func)}() {`);
      }
    } else if (e.type === 'graph_ret') {
      const d = e.rettime - e.calltime;
      out.push(`${cpuColumn(k, e.cpu)}${trace_find_mark(d)} ${trace_print_graph_duration(d)}|  ${indent}}`);
    }
  }
  return out;
}

/** The `trace` file for `tracer` over the ring buffer's entries (oldest first). */
export function formatTrace(k: Kernel, tracer: TracerName, entries: readonly TraceEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.ts - b.ts || a.cpu - b.cpu);
  const lines = [`# tracer: ${tracer}`, '#'];
  if (tracer === 'function_graph') {
    lines.push('# CPU  DURATION                  FUNCTION CALLS', '# |     |   |                     |   |   |   |');
    lines.push(...graphLines(k, sorted));
  } else {
    const fns = sorted.filter((e) => e.type === 'fn');
    lines.push(...functionHeader(k, fns.length, fns.length));
    for (const e of fns) if (e.type === 'fn') lines.push(`${context(e)}${k.kallsyms.ps(e.ip)} <-${k.kallsyms.ps(e.parent_ip)}`);
  }
  return lines.join('\n') + '\n';
}
