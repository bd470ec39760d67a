// `k trace FILE --perfetto OUT.json`: replays a saved counterexample (or
// `--package P --scenario S --variant V SCHEDULE`) and writes its execution in
// the Chrome Trace Event format, which ui.perfetto.dev and chrome://tracing open:
// one track per CPU and device agent, lock holds and IRQ handlers as async slices.
import { writeFileSync } from 'node:fs';
import { chromeTrace } from '@k/core-sync';
import type { Io } from './io';
import { UsageError } from './io';
import { parseTargetArgs, replayTarget } from './replay';

export async function traceCommand(args: readonly string[], io: Io): Promise<number> {
  const { target, values } = parseTargetArgs('trace', args, { perfetto: { type: 'string' } }, (v) => {
    if (!v.perfetto) throw new UsageError('k trace: give the output file with --perfetto OUT.json');
  });
  const out = values.perfetto!;
  const { scenario, report } = await replayTarget('trace', target);
  // the tracks: the scenario's CPUs, and any CPU the trace ran on
  let cpus = scenario.defaults?.cpus ?? 1;
  for (const st of report.trace) if (st.cpu !== null && st.cpu + 1 > cpus) cpus = st.cpu + 1;
  const trace = chromeTrace({ trace: report.trace, cpus, scenario: scenario.name, variant: target.variant, violation: report.violation, schedule: target.schedule });
  try {
    writeFileSync(out, JSON.stringify(trace) + '\n');
  } catch (e) {
    throw new UsageError(`k trace: cannot write '${out}': ${(e as Error).message}`);
  }
  io.err(`${trace.traceEvents.length} trace events of ${report.trace.length} steps written to ${out} (open it in https://ui.perfetto.dev or chrome://tracing)`);
  if (report.diverged) io.err(`warning: ${report.diverged}`);
  return 0;
}
