// Renders a traced execution as a per-CPU timeline: one column per CPU and
// one for device agents, each step in the lane where it ran, with the source
// location of the model line that made it.

import type { TraceStep } from '../internal/rt/kernel';


function fmtTime(ns: number): string {
  if (ns === 0) return '0';
  if (ns % 1e6 === 0) return `${ns / 1e6}ms`;
  if (ns % 1e3 === 0) return `${ns / 1e3}us`;
  return `${ns}ns`;
}

function clip(s: string, w: number): string {
  return s.length <= w ? s.padEnd(w) : s.slice(0, w - 1) + '~';
}

function shortLoc(loc: string | null): string {
  if (!loc) return '';
  const m = /([^/\\]+\/[^/\\]+:\d+):\d+$/.exec(loc);
  return m ? m[1]! : loc;
}

/** A text timeline of a trace, lanes per CPU (and agents), for terminals and mail. */
export function renderTimeline(trace: readonly TraceStep[], cpus: number, opts: { locations?: boolean; width?: number } = {}): string {
  const lanes = cpus + 1;
  // lanes share about 150 columns, within 30..60 each
  const WIDTH = opts.width ?? Math.max(30, Math.min(60, Math.floor(150 / lanes)));
  const header = ['  step  time    ', ...Array.from({ length: cpus }, (_, i) => clip(`cpu${i}`, WIDTH)), clip('devices / time', WIDTH)];
  const lines = [header.join('').trimEnd(), '-'.repeat(16 + lanes * WIDTH)];
  for (const s of trace) {
    const lane = s.cpu === null ? cpus : s.cpu;
    const text = `${s.thread}: ${s.op}${s.notes.length ? ' [' + s.notes.join('; ') + ']' : ''}`;
    const cells = Array.from({ length: lanes }, (_, i) => (i === lane ? clip(text, WIDTH - 1) + ' ' : ' '.repeat(WIDTH)));
    let line = `${String(s.step).padStart(6)}  ${fmtTime(s.time).padEnd(8)}${cells.join('')}`.trimEnd();
    if (opts.locations !== false && s.loc) line += `   ${shortLoc(s.loc)}`;
    lines.push(line);
    if (text.length > WIDTH - 1) lines.push(`${' '.repeat(16 + lane * WIDTH)}  ${text.slice(WIDTH - 2)}`);
  }
  return lines.join('\n');
}
