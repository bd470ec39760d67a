// `k litmus`: run C litmus tests under the Linux-kernel memory model and
// report as herd7 does (so that scripts written for herd7 output keep
// working), as JSON, or in words (--explain); `--check DIR` judges every test
// against its `Result:` comment, like the kernel's judgelitmus.sh.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  LitmusSyntaxError,
  LitmusTimeoutError,
  explainLitmusResult,
  formatHerdReport,
  judgeLitmusResult,
  litmusResultToJson,
  parseLitmus,
  runLitmus,
  type LitmusResult,
} from '@k/core-sync';
import type { Io } from './io';
import { table, UsageError } from './io';

export const LITMUS_HELP = `usage: k litmus [--json] [--explain] [--timeout SECONDS] FILE...
       k litmus --check DIR|FILE... [--json] [--timeout SECONDS]

Runs C litmus tests (herd7's syntax, the kernel's primitives) under the
Linux-kernel memory model and prints herd7's report for each.

options:
  --json            one JSON object per test (test, observation, states, positive, negative, flags, timeMs)
  --explain         after each report, why the outcome is allowed or which axiom forbids it
  --check           judge each test (a directory is searched for *.litmus) against its Result: comment
  --timeout SECONDS give up on a test after this long (default: no limit)`;

interface Options {
  json: boolean;
  explain: boolean;
  check: boolean;
  timeoutMs?: number;
  paths: string[];
}

function parseArgs(args: readonly string[]): Options {
  const o: Options = { json: false, explain: false, check: false, paths: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') o.json = true;
    else if (a === '--explain') o.explain = true;
    else if (a === '--check') o.check = true;
    else if (a === '--timeout') {
      const v = Number(args[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new UsageError(`k litmus: --timeout needs a positive number of seconds`);
      o.timeoutMs = v * 1000;
    } else if (a === '-h' || a === '--help') throw new HelpRequest();
    else if (a.startsWith('-')) throw new UsageError(`k litmus: unknown option '${a}' (see 'k litmus --help')`);
    else o.paths.push(a);
  }
  if (o.paths.length === 0) throw new UsageError(`k litmus: no test given (see 'k litmus --help')`);
  return o;
}

class HelpRequest extends Error {}

/** The .litmus files a path names: the file itself, or every *.litmus below a directory, sorted. */
function litmusFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`k litmus: no such file or directory: ${path}`);
  }
  if (!st.isDirectory()) return [path];
  const out = (readdirSync(path, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.litmus'))
    .map((f) => join(path, f))
    .sort();
  if (out.length === 0) throw new UsageError(`k litmus: no .litmus file under ${path}`);
  return out;
}

type Outcome = { file: string; result: LitmusResult } | { file: string; error: string };

function runOne(file: string, o: Options): Outcome {
  let src: string;
  try {
    src = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, error: `${file}: cannot read: ${(e as Error).message}` };
  }
  try {
    const test = parseLitmus(src, file);
    const result = runLitmus(test, {
      ...(o.timeoutMs !== undefined ? { timeLimitMs: o.timeoutMs } : {}),
      ...(o.explain ? { keepWitnesses: 1 } : {}),
    });
    return { file, result };
  } catch (e) {
    if (e instanceof LitmusSyntaxError) return { file, error: e.diagnostic };
    if (e instanceof LitmusTimeoutError) return { file, error: `${file}: ${e.message}` };
    throw e;
  }
}

/** Runs `k litmus`; returns the exit code (0 ok, 1 a test failed to parse or run, or --check found a mismatch). */
export async function litmus(args: readonly string[], io: Io): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(args);
  } catch (e) {
    if (e instanceof HelpRequest) {
      io.out(LITMUS_HELP);
      return 0;
    }
    throw e;
  }
  const files = o.paths.flatMap((p) => (o.check ? litmusFiles(p) : [p]));
  let status = 0;
  if (!o.check) {
    for (const file of files) {
      const r = runOne(file, o);
      if ('error' in r) {
        io.err(r.error);
        status = 1;
        continue;
      }
      // One write per test: herd7's report, then a blank line as herd7 prints.
      if (o.json) io.out(JSON.stringify(litmusResultToJson(r.result)));
      else io.out(formatHerdReport(r.result));
      if (o.explain) io.out(explainLitmusResult(r.result));
    }
    return status;
  }
  // --check: a pass/fail table against each test's Result: comment.
  const root = o.paths.length === 1 && statSync(o.paths[0]!).isDirectory() ? o.paths[0]! : '.';
  const rows: string[][] = [];
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const r = runOne(file, o);
    const name = relative(root, file) || file;
    if ('error' in r) {
      failed++;
      if (o.json) io.out(JSON.stringify({ file, pass: false, error: r.error }));
      rows.push([name, '-', '-', 'FAIL', '-', r.error]);
      continue;
    }
    const j = judgeLitmusResult(r.result);
    if (j.pass) passed++;
    else failed++;
    if (o.json)
      io.out(JSON.stringify({ ...litmusResultToJson(r.result), expected: j.expected?.raw ?? null, pass: j.pass, forgiven: j.forgiven, message: j.message }));
    rows.push([name, j.expected?.raw ?? '-', j.got, j.pass ? (j.forgiven ? 'pass (forgiven)' : 'pass') : 'FAIL', `${r.result.timeMs} ms`, j.message]);
  }
  if (!o.json) {
    for (const l of table(['test', 'expected', 'observation', 'verdict', 'time', 'note'], rows)) io.out(l);
    io.out('');
  }
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
