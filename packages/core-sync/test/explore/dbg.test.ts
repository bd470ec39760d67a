import { it } from 'vitest';
import { countTraces, StepRecorder } from '../../src/explore/traces';
import { DporStrategy } from '../../src/explore/dpor';
import { resolveWorld, runOnce } from '../../src/explore/explore';
import type { StepObserver } from '../../src/internal/rt/kernel';
import { programScenario } from './programs';

export function dporCanon(s: any): Set<string> {
  const st = new DporStrategy();
  const world = resolveWorld(s, {});
  const out = new Set<string>();
  const persistent = { lockdep: null };
  for (let i = 0; i < 5000; i++) {
    const ch = st.next();
    if (!ch) break;
    const rec = new StepRecorder();
    const d = ch.observer!;
    const tee: StepObserver = {
      before: (ex, n) => { rec.before(ex, n); return d.before(ex, n); },
      after: (ex) => { d.after(ex); rec.after(ex); },
      created: (o) => { d.created(o); rec.created(o); },
      spawned: (t) => { d.spawned(t); rec.spawned(t); },
      access: (o, w) => d.access(o, w), pseudo: (k, w) => d.pseudo(k, w), global: () => d.global(),
    };
    ch.observer = tee;
    ch.onData = (v) => rec.noteData(v);
    const { res, ex } = runOnce(s, 'only', world, ch, persistent, false, i);
    if (res.end === 'violation' && res.steps > 0 && rec.steps.length < ex.steps) rec.after(ex);
    st.done(ch, res);
    if (res.end !== 'blocked') { const c = rec.canonical(); if (out.has(c)) console.log('DUP', c); out.add(c); }
    if (st.complete) break;
  }
  return out;
}
it('dbg', () => {
  const p = JSON.parse(process.env.PROG!);
  const s = programScenario(p);
  const t = countTraces(s, { budget: 5000 });
  const d = dporCanon(s);
  console.log(t.traces, d.size);
  for (const c of t.canonical) if (!d.has(c)) console.log('MISSING', c);
  for (const c of d) if (!t.canonical.has(c)) console.log('EXTRA', c);
});
