// Counterexamples as Chrome Trace Event Format JSON (the "JSON Object
// Format" of the Trace Event Format document; opens in Perfetto's UI and in
// chrome://tracing). One track per CPU and one per device agent, plus one
// for time advances; a slice per step, async slices for lock holds and IRQ
// or softirq handlers, a counter for virtual time, and an instant event for
// the violation. Steps are laid out one microsecond apart in the order they
// ran (virtual time often stands still while many steps run); each step's
// virtual time is in its arguments and on the counter track.

import type { TraceStep } from '../internal/rt/kernel';

/** One event of the Trace Event Format. */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'B' | 'E' | 'b' | 'e' | 'i' | 'C' | 'M';
  readonly pid: number;
  readonly tid?: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: string;
  readonly s?: 'g' | 'p' | 't';
  readonly args?: Readonly<Record<string, unknown>>;
}

/** A trace file: `{ traceEvents, displayTimeUnit, otherData }`. */
export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ns' | 'ms';
  readonly otherData: Readonly<Record<string, unknown>>;
}

export interface ChromeTraceInput {
  readonly trace: readonly TraceStep[];
  /** number of CPUs of the world (tracks cpu0 .. cpuN-1) */
  readonly cpus: number;
  readonly scenario?: string;
  readonly variant?: string;
  readonly violation?: { readonly kind: string; readonly message: string; readonly details?: readonly string[] } | null;
  readonly schedule?: string;
}

const PID = 1;
const TIME_TID = 999;

/**
 * Converts a traced execution (a counterexample or a replay) to a Chrome
 * Trace: write `JSON.stringify(chromeTrace(cx))` to a `.json` file and open
 * it in https://ui.perfetto.dev or chrome://tracing.
 */
export function chromeTrace(input: ChromeTraceInput): ChromeTrace {
  const { trace, cpus } = input;
  if (!Array.isArray(trace)) throw new TypeError('chromeTrace(): `trace` must be the list of steps of a traced execution');
  if (!Number.isInteger(cpus) || cpus < 1) throw new TypeError(`chromeTrace(): \`cpus\` must be a positive integer, got ${String(cpus)}`);
  const ev: TraceEvent[] = [];
  const title = input.scenario ? `k: ${input.scenario}${input.variant ? ` [${input.variant}]` : ''}` : 'k execution';
  ev.push({ name: 'process_name', ph: 'M', pid: PID, args: { name: title } });
  for (let c = 0; c < cpus; c++) {
    ev.push({ name: 'thread_name', ph: 'M', pid: PID, tid: c, args: { name: `cpu${c}` } });
    ev.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: c, args: { sort_index: c } });
  }
  ev.push({ name: 'thread_name', ph: 'M', pid: PID, tid: TIME_TID, args: { name: 'time' } });
  const agentTid = new Map<string, number>();
  const tidOf = (s: TraceStep): number => {
    if (s.kind === 'time') return TIME_TID;
    if (s.cpu !== null) return s.cpu;
    let t = agentTid.get(s.thread);
    if (t === undefined) {
      t = 100 + agentTid.size;
      agentTid.set(s.thread, t);
      ev.push({ name: 'thread_name', ph: 'M', pid: PID, tid: t, args: { name: `agent ${s.thread}` } });
      ev.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: t, args: { sort_index: t } });
    }
    return t;
  };
  const held = new Map<string, { set: Set<string>; tid: number }>();
  const handlers = new Map<string, { tid: number; start: number; last: number; kind: string; name: string }>();
  let asyncId = 0;
  let lastTime = -1;
  let lastTs = 0;
  for (let i = 0; i < trace.length; i++) {
    const s = trace[i]!;
    const ts = i;
    lastTs = ts;
    const tid = tidOf(s);
    if (s.time !== lastTime) {
      ev.push({ name: 'virtual time (ns)', ph: 'C', pid: PID, ts, args: { ns: s.time } });
      lastTime = s.time;
    }
    const label = s.kind === 'irq' ? `${s.thread}: ${s.op}` : s.kind === 'time' ? s.op : `${s.thread}: ${s.op}`;
    ev.push({
      name: label, ph: 'X', pid: PID, tid, ts, dur: 1, cat: s.kind,
      args: { step: s.step, thread: s.thread, op: s.op, virtualTimeNs: s.time, ...(s.notes.length ? { notes: s.notes.join('; ') } : {}), ...(s.loc ? { loc: s.loc } : {}), ...(s.held.length ? { held: s.held.join(', ') } : {}) },
    });
    // interrupt and softirq handlers: from their first step to their last
    if (s.kind === 'hardirq' || s.kind === 'softirq' || s.kind === 'irq') {
      const key = `${s.thread}#${s.threadId}`;
      const h = handlers.get(key);
      // the delivery mark says which kind of handler starts; its steps confirm it
      const kind = s.kind === 'softirq' || (s.kind === 'irq' && s.op === 'softirq') ? 'softirq' : 'hardirq';
      if (h) {
        h.last = ts;
        if (s.kind === 'softirq') h.kind = 'softirq';
      } else handlers.set(key, { tid, start: ts, last: ts, kind, name: s.thread });
    }
    // lock holds: a lock appears in and disappears from the thread's held list
    if (s.kind !== 'time' && s.kind !== 'irq') {
      let h = held.get(s.thread);
      if (!h) {
        h = { set: new Set(), tid };
        held.set(s.thread, h);
      }
      const now = new Set<string>(s.held);
      for (const l of now) {
        if (!h.set.has(l)) ev.push({ name: `${l} held by ${s.thread}`, ph: 'b', pid: PID, tid, ts, cat: 'lock', id: `lock-${s.thread}-${l}` });
      }
      for (const l of h.set) {
        if (!now.has(l)) ev.push({ name: `${l} held by ${s.thread}`, ph: 'e', pid: PID, tid, ts: ts + 1, cat: 'lock', id: `lock-${s.thread}-${l}` });
      }
      h.set = now;
    }
  }
  const end = trace.length;
  for (const [thread, h] of held) {
    for (const l of h.set) ev.push({ name: `${l} held by ${thread}`, ph: 'e', pid: PID, tid: h.tid, ts: end, cat: 'lock', id: `lock-${thread}-${l}` });
  }
  for (const h of handlers.values()) {
    const id = `h${asyncId++}`;
    ev.push({ name: `${h.kind} ${h.name}`, ph: 'b', pid: PID, tid: h.tid, ts: h.start, cat: h.kind, id });
    ev.push({ name: `${h.kind} ${h.name}`, ph: 'e', pid: PID, tid: h.tid, ts: h.last + 1, cat: h.kind, id });
  }
  if (input.violation) {
    ev.push({
      name: `${input.violation.kind}: ${input.violation.message}`, ph: 'i', s: 'g', pid: PID, tid: 0, ts: Math.max(lastTs + 1, end), cat: 'violation',
      args: { kind: input.violation.kind, message: input.violation.message, ...(input.violation.details?.length ? { details: input.violation.details.join('\n') } : {}) },
    });
  }
  return {
    traceEvents: ev,
    displayTimeUnit: 'ns',
    otherData: {
      generator: '@k/core-sync',
      ...(input.scenario ? { scenario: input.scenario } : {}),
      ...(input.variant ? { variant: input.variant } : {}),
      ...(input.schedule ? { schedule: input.schedule } : {}),
      steps: trace.length,
      note: 'one microsecond per step, in the order the steps ran; virtual time is in each step\'s arguments',
    },
  };
}
