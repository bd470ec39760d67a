// The HTML report of `k check --report FILE.html`: one self-contained file
// (no network), a summary table, and for each counterexample an SVG timeline:
// one lane per CPU and one for devices, each step coloured by its context
// (task, kworker, softirq, hardirq, device), lock hold intervals and RCU
// read-side sections as bars under the lanes, the failing step highlighted,
// and every step linked to its row in the step table, which links to the
// model's source line.

import type { Counterexample, TraceStep } from '@k/core-sync';

export interface ReportEntry {
  readonly package: string;
  readonly scenario: string;
  readonly variant: string;
  readonly expected: string | null;
  readonly verdict: string;
  readonly ok: boolean;
  readonly executions: number;
  readonly timeMs: number;
  readonly counterexample?: Counterexample | null;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS: Record<string, string> = {
  task: '#4e79a7',
  kworker: '#59a14f',
  softirq: '#f28e2b',
  hardirq: '#e15759',
  irq: '#e15759',
  agent: '#76b7b2',
  time: '#bab0ac',
};

function fmtTime(ns: number): string {
  if (ns === 0) return '0';
  if (ns % 1e6 === 0) return `${ns / 1e6} ms`;
  if (ns % 1e3 === 0) return `${ns / 1e3} us`;
  return `${ns} ns`;
}

/** Turns a source location into a link a browser or an editor can open. */
export function sourceHref(loc: string): string {
  const m = /^(.*):(\d+):(\d+)$/.exec(loc);
  if (!m) return '#';
  const file = m[1]!;
  return `${file.startsWith('/') ? 'file://' : ''}${file}#L${m[2]}`;
}

interface Bar {
  readonly lane: number;
  readonly from: number;
  readonly to: number;
  readonly label: string;
  readonly kind: 'lock' | 'rcu';
}

/** Lock hold intervals and RCU sections, per thread, from the held-lock lists of the steps. */
function bars(trace: readonly TraceStep[], laneOf: (s: TraceStep) => number): Bar[] {
  const out: Bar[] = [];
  const open = new Map<string, { from: number; lane: number }>();
  const close = (key: string, to: number, label: string, kind: 'lock' | 'rcu') => {
    const o = open.get(key);
    if (!o) return;
    open.delete(key);
    out.push({ lane: o.lane, from: o.from, to, label, kind });
  };
  trace.forEach((s, i) => {
    if (s.threadId < 0) return;
    const lane = laneOf(s);
    const held = new Set(s.held);
    for (const key of [...open.keys()]) {
      const [tid, kind, name] = key.split('\u0000') as [string, string, string];
      if (Number(tid) !== s.threadId) continue;
      if (kind === 'lock' && !held.has(name)) close(key, i, name, 'lock');
      if (kind === 'rcu' && !(s.rcu && s.rcu > 0)) close(key, i, 'rcu_read_lock', 'rcu');
    }
    for (const name of held) {
      const key = `${s.threadId}\u0000lock\u0000${name}`;
      if (!open.has(key)) open.set(key, { from: i, lane });
    }
    if (s.rcu && s.rcu > 0) {
      const key = `${s.threadId}\u0000rcu\u0000`;
      if (!open.has(key)) open.set(key, { from: i, lane });
    }
  });
  for (const key of [...open.keys()]) {
    const [, kind, name] = key.split('\u0000') as [string, string, string];
    close(key, trace.length, kind === 'rcu' ? 'rcu_read_lock' : name, kind as 'lock' | 'rcu');
  }
  return out;
}

/** The SVG timeline of one counterexample; `id` prefixes the step anchors. */
export function timelineSvg(cx: Counterexample, id: string, cpus: number): string {
  const trace = cx.trace;
  const lanes = [...Array.from({ length: cpus }, (_, i) => `cpu${i}`), 'devices / time'];
  const laneOf = (s: TraceStep) => (s.cpu === null ? cpus : Math.min(s.cpu, cpus));
  const stepW = 26;
  const laneH = 64;
  const left = 110;
  const top = 28;
  const bs = bars(trace, laneOf);
  // stack bars under each lane
  const slot = new Map<Bar, number>();
  const used = new Map<number, { to: number }[]>();
  for (const b of bs) {
    const rows = used.get(b.lane) ?? [];
    let r = rows.findIndex((x) => x.to <= b.from);
    if (r < 0) {
      r = rows.length;
      rows.push({ to: b.to });
    } else rows[r] = { to: b.to };
    used.set(b.lane, rows);
    slot.set(b, r);
  }
  const width = left + Math.max(trace.length, 1) * stepW + 20;
  const height = top + lanes.length * laneH + 30;
  const parts: string[] = [];
  parts.push(`<svg class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="timeline of ${esc(id)}">`);
  lanes.forEach((name, i) => {
    const y = top + i * laneH;
    parts.push(`<rect x="0" y="${y}" width="${width}" height="${laneH}" fill="${i % 2 ? '#fafafa' : '#f0f0f0'}"/>`);
    parts.push(`<text x="6" y="${y + 20}" class="lane">${esc(name)}</text>`);
  });
  let lastTime = -1;
  trace.forEach((s, i) => {
    const x = left + i * stepW;
    if (s.time !== lastTime) {
      parts.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + lanes.length * laneH}" stroke="#ccc" stroke-dasharray="2,3"/>`);
      parts.push(`<text x="${x + 2}" y="${top - 8}" class="tick">${esc(fmtTime(s.time))}</text>`);
      lastTime = s.time;
    }
    const y = top + laneOf(s) * laneH + 26;
    const failing = i === trace.length - 1;
    const fill = COLORS[s.kind] ?? '#999';
    const title = `#${s.step} ${s.thread}: ${s.op}${s.notes.length ? ' [' + s.notes.join('; ') + ']' : ''}${s.loc ? ' @ ' + s.loc : ''}`;
    parts.push(
      `<a href="#${esc(id)}-step-${s.step}" class="step-link" data-step="${s.step}"><rect class="step${failing ? ' failing' : ''}" x="${x + 2}" y="${y}" width="${stepW - 4}" height="14" rx="3" fill="${fill}"${failing ? ' stroke="#d00" stroke-width="3"' : ''}><title>${esc(title)}</title></rect></a>`,
    );
  });
  for (const b of bs) {
    const r = slot.get(b) ?? 0;
    const y = top + b.lane * laneH + 44 + r * 7;
    const x = left + b.from * stepW + 2;
    const w = Math.max((b.to - b.from) * stepW - 4, 4);
    parts.push(`<rect class="bar ${b.kind}" x="${x}" y="${y}" width="${w}" height="5" fill="${b.kind === 'rcu' ? '#b07aa1' : '#9c755f'}"><title>${esc(b.kind === 'rcu' ? 'RCU read-side section' : 'holds ' + b.label)}</title></rect>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function stepTable(cx: Counterexample, id: string): string {
  const rows = cx.trace.map((s, i) => {
    const failing = i === cx.trace.length - 1;
    const loc = s.loc ? `<a class="src" href="${esc(sourceHref(s.loc))}">${esc(s.loc.replace(/^.*[\\/](packages[\\/])/, '$1'))}</a>` : '';
    return `<tr id="${esc(id)}-step-${s.step}"${failing ? ' class="failing"' : ''}><td>${s.step}</td><td>${esc(fmtTime(s.time))}</td><td>${s.cpu === null ? 'dev' : 'cpu' + s.cpu}</td><td>${esc(s.thread)}</td><td>${esc(s.op)}</td><td>${esc(s.notes.join('; '))}</td><td>${esc(s.held.join(', '))}</td><td>${loc}</td></tr>`;
  });
  return `<table class="steps"><thead><tr><th>step</th><th>time</th><th>where</th><th>thread</th><th>operation</th><th>notes</th><th>holds</th><th>source</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
tr.bad td{background:#fde2e2}tr.failing td{background:#ffe7c2}tr:target td{outline:2px solid #4e79a7;background:#e8f0fb}
.timeline text.lane{font:12px monospace;fill:#333}.timeline text.tick{font:10px monospace;fill:#777}
.timeline .step-link:hover rect{opacity:.7}.legend span{display:inline-block;margin-right:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;border-radius:2px}
pre{background:#f6f6f6;padding:8px;overflow:auto}.scroll{overflow-x:auto;border:1px solid #eee}
`;

/** A self-contained HTML report of a `k check` run. */
export function renderReport(entries: readonly ReportEntry[], opts: { cpus?: (e: ReportEntry) => number; title?: string } = {}): string {
  const title = opts.title ?? 'k check report';
  const summary = entries.map((e, i) => {
    const link = e.counterexample ? `<a href="#cx-${i}">counterexample</a>` : '';
    return `<tr class="${e.ok ? 'ok' : 'bad'}"><td>${esc(e.package)}</td><td>${esc(e.scenario)}</td><td>${esc(e.variant)}</td><td>${esc(e.expected ?? '-')}</td><td>${esc(e.verdict)}${e.counterexample ? ' (' + esc(e.counterexample.kind) + ')' : ''}</td><td>${e.ok ? 'yes' : 'NO'}</td><td>${e.executions}</td><td>${e.timeMs} ms</td><td>${link}</td></tr>`;
  });
  const legend = Object.entries({ task: 'task', kworker: 'kworker', softirq: 'softirq', hardirq: 'hardirq', agent: 'device' })
    .map(([k, label]) => `<span><i style="background:${COLORS[k]}"></i>${label}</span>`)
    .join('') + '<span><i style="background:#9c755f"></i>lock held</span><span><i style="background:#b07aa1"></i>RCU reader</span>';
  const sections = entries.map((e, i) => {
    const cx = e.counterexample;
    if (!cx) return '';
    const id = `cx-${i}`;
    const cpus = opts.cpus ? opts.cpus(e) : Math.max(1, ...cx.trace.map((s) => (s.cpu ?? 0) + 1));
    return `<section id="${id}" class="counterexample">
<h2>${esc(e.package)} · ${esc(e.scenario)} [${esc(e.variant)}]: ${esc(cx.kind)}</h2>
<p class="message">${esc(cx.message)}</p>
${cx.details.length ? `<ul>${cx.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}
<p>Replay: <code>k replay --package ${esc(e.package)} --scenario ${esc(e.scenario)} --variant ${esc(e.variant)} '${esc(cx.schedule)}'</code></p>
<div class="legend">${legend}</div>
<div class="scroll">${timelineSvg(cx, id, cpus)}</div>
${stepTable(cx, id)}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>${entries.filter((e) => e.ok).length} of ${entries.length} expectations hold.</p>
<table class="summary"><thead><tr><th>package</th><th>scenario</th><th>variant</th><th>expected</th><th>verdict</th><th>ok</th><th>executions</th><th>time</th><th></th></tr></thead>
<tbody>${summary.join('')}</tbody></table>
${sections.join('\n')}
</body></html>
`;
}
