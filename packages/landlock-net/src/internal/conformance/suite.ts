// Runs the conformance suite: every scenario on the model for each ABI it
// applies to, against the selftests' expectations, and against what the real
// kernel returned (recorded in ./golden/, and optionally live through the C
// oracle). `k landlock test` prints this report as a table.
import type { LandlockAbi } from '../uapi';
import { caseAbis, conformanceCases } from './cases';
import golden from './golden/kernel-6.18.json';
import { prepareOracle, runCaseOnKernel, type Oracle } from './oracle';
import { describeStep, runCaseOnModel } from './run-model';
import type { ConformanceCase, Outcome } from './types';

/** The recorded kernel: release, ABI, and each scenario's outcomes. */
export interface GoldenRecord {
  readonly kernel: string;
  readonly abi: number;
  readonly cases: Readonly<Record<string, readonly Outcome[]>>;
}

/** Outcomes recorded on Linux 6.18 (Landlock ABI 7) by the differential test. */
export const RECORDED_KERNEL: GoldenRecord = golden as GoldenRecord;

export type Check = 'pass' | 'fail' | 'n/a';

/** One scenario on one ABI. */
export interface SuiteRow {
  readonly name: string;
  readonly about: string;
  readonly abi: LandlockAbi;
  readonly steps: number;
  /** The model against the selftests' expectations. */
  readonly model: Check;
  /** The recorded kernel run against the same expectations (ABI 7 scenarios a mainline kernel can run). */
  readonly recorded: Check;
  /** A live run on this machine's kernel, when asked for and possible. */
  readonly live: Check;
  /** The first disagreement, in words. */
  readonly detail?: string;
}

export interface SuiteReport {
  readonly rows: readonly SuiteRow[];
  readonly passed: number;
  readonly failed: number;
  /** Why live runs did not happen, when they were asked for. */
  readonly liveSkipped?: string;
}

export interface SuiteOptions {
  /** Only this ABI (default: every ABI each scenario applies to). */
  readonly abi?: LandlockAbi;
  /** Only scenarios whose name contains this. */
  readonly filter?: string;
  /** Also run the scenarios on this machine's kernel through the C oracle. */
  readonly live?: boolean;
}

/** The ABI the model emulates to compare with a kernel of @kernelAbi (the model stops at 7). */
export function modelAbiFor(kernelAbi: number): LandlockAbi {
  return Math.max(4, Math.min(7, kernelAbi)) as LandlockAbi;
}

/**
 * Whether a mainline kernel of this ABI can run the scenario and answer as
 * the model of modelAbiFor(abi) does: never for RFC or big-endian scenarios,
 * and not for ABI-exact ones on a kernel newer than ABI 7.
 */
export function kernelRunnable(c: ConformanceCase, abi: number): boolean {
  if (c.oracle === false || (c.kernel && Object.keys(c.kernel).length)) return false;
  if (abi > 7 && c.abiExact) return false;
  return (caseAbis(c) as readonly number[]).includes(modelAbiFor(abi));
}

function mismatch(c: ConformanceCase, got: readonly Outcome[], who: string): string | undefined {
  const i = got.findIndex((o, j) => o !== c.steps[j]?.[1]);
  if (i < 0) return undefined;
  return `${who}: step ${i} ${describeStep(c.steps[i]![0])} returned ${got[i]}, expected ${c.steps[i]![1]}`;
}

/** Runs the suite; never throws for a failing scenario (it is a row). */
export function runConformanceSuite(opts: SuiteOptions = {}): SuiteReport {
  let oracle: Oracle | null = null;
  if (opts.live) oracle = prepareOracle();
  const rows: SuiteRow[] = [];
  for (const c of conformanceCases()) {
    if (opts.filter && !c.name.includes(opts.filter)) continue;
    for (const abi of caseAbis(c)) {
      if (opts.abi !== undefined && abi !== opts.abi) continue;
      const details: string[] = [];
      let model: Check;
      try {
        const run = runCaseOnModel(c, abi);
        const d = mismatch(c, run.outcomes, 'model');
        model = d ? 'fail' : 'pass';
        if (d) details.push(d);
      } catch (e) {
        model = 'fail';
        details.push(`model: ${(e as Error).message}`);
      }
      let recorded: Check = 'n/a';
      if (abi === RECORDED_KERNEL.abi && kernelRunnable(c, abi)) {
        const rec = RECORDED_KERNEL.cases[c.name];
        const d = rec ? mismatch(c, rec, `kernel ${RECORDED_KERNEL.kernel}`) : `kernel ${RECORDED_KERNEL.kernel}: not recorded`;
        recorded = d ? 'fail' : 'pass';
        if (d) details.push(d);
      }
      let live: Check = 'n/a';
      if (oracle?.available && abi === modelAbiFor(oracle.abi) && kernelRunnable(c, oracle.abi)) {
        const k = runCaseOnKernel(oracle, c);
        const d = k.ok ? mismatch(c, k.outcomes, `kernel ${oracle.kernel}`) : k.error;
        live = d ? 'fail' : 'pass';
        if (d) details.push(d);
      }
      rows.push({ name: c.name, about: c.about, abi, steps: c.steps.length, model, recorded, live, ...(details.length ? { detail: details.join('; ') } : {}) });
    }
  }
  const failed = rows.filter((r) => r.model === 'fail' || r.recorded === 'fail' || r.live === 'fail').length;
  return {
    rows,
    passed: rows.length - failed,
    failed,
    ...(opts.live && oracle && !oracle.available ? { liveSkipped: oracle.reason } : {}),
  };
}
